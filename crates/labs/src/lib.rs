//! Testing bodies (检验检测机构, C11): a lab is one identity (its USCC) across its CMA qualification (资质认定, a
//! 12-digit certificate number) and its CNAS accreditation (`CNAS L1234`), with its region; its scope (能力范围)
//! is rows of product (a catalogue code), parameter, standard edition and clause, method and limitation, each
//! possibly suspended. No IO: the store keeps labs and scopes; this room reads and checks their rows.

pub use rulekit::fields::FieldError;
use rulekit::fields::{fault, given, present, text};
use serde::{Deserialize, Serialize};
use standards::StandardNumber;

/// A lab as the register holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Lab {
    pub uscc: String,
    pub name: String,
    /// The CMA certificate number (检验检测机构资质认定证书编号), 12 digits.
    pub cma: Option<String>,
    /// The CNAS accreditation number, `CNAS L1234`.
    pub cnas: Option<String>,
    /// The GB/T 2260 code of its region.
    pub region_code: String,
}

/// A lab's fields as a file or a request carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LabInput)]
pub struct LabFields {
    /// Required: the lab's USCC, its one identity.
    #[schema(max_length = 18)]
    pub uscc: Option<String>,
    /// Required.
    #[schema(max_length = 100)]
    pub name: Option<String>,
    /// 12 digits.
    #[schema(max_length = 12)]
    pub cma: Option<String>,
    /// `CNAS L` and 4 or 5 digits.
    #[schema(max_length = 12)]
    pub cnas: Option<String>,
    /// Required: GB/T 2260.
    #[schema(max_length = 6)]
    pub region_code: Option<String>,
}

impl LabFields {
    pub fn check(self) -> Result<Lab, FieldError> {
        let uscc_text = present("uscc", self.uscc)?;
        let uscc = uscc_text.parse::<codes::Uscc>().map_err(|e| fault("uscc", format!("'{uscc_text}': {e}")))?;
        let name = text("name", present("name", self.name)?, 100)?;
        let cma = given(self.cma);
        if let Some(cma) = &cma {
            if cma.len() != 12 || !cma.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fault("cma", format!("'{cma}' is not a 12-digit CMA certificate number")));
            }
        }
        let cnas = given(self.cnas).map(|c| c.to_ascii_uppercase().replace("CNASL", "CNAS L"));
        if let Some(cnas) = &cnas {
            let digits = cnas.strip_prefix("CNAS L").unwrap_or("");
            if !(4..=5).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fault("cnas", format!("'{cnas}' is not a CNAS laboratory number like CNAS L1234")));
            }
        }
        if cma.is_none() && cnas.is_none() {
            return Err(fault("cma", "a lab holds a CMA qualification or a CNAS accreditation"));
        }
        let region_text = present("region_code", self.region_code)?;
        let region = region_text
            .parse::<codes::RegionCode>()
            .map_err(|e| fault("region_code", format!("'{region_text}': {e}")))?;
        Ok(Lab { uscc: uscc.to_string(), name, cma, cnas, region_code: region.to_string() })
    }
}

/// One row of a lab's scope: what it may test, to which edition and clause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeRow {
    pub lab: String,
    /// The catalogue code of the product.
    pub product: String,
    /// The parameter (检测项目/参数), e.g. 可迁移元素 铅.
    pub parameter: String,
    pub standard: StandardNumber,
    /// The clause, e.g. `4.2`; empty when the whole standard.
    pub clause: String,
    pub method: Option<String>,
    /// A range or limitation (限制范围).
    pub limitation: Option<String>,
    pub suspended: bool,
}

/// A scope row's fields as a file or a request carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LabScopeInput)]
pub struct ScopeFields {
    /// Required: the lab's USCC.
    #[schema(max_length = 18)]
    pub lab: Option<String>,
    /// Required: the product's catalogue code.
    #[schema(max_length = 20)]
    pub product: Option<String>,
    /// Required.
    #[schema(max_length = 200)]
    pub parameter: Option<String>,
    /// Required: the standard with its edition and any clause, `GB 6675.4-2014 4.2`.
    #[schema(max_length = 80)]
    pub standard: Option<String>,
    #[schema(max_length = 200)]
    pub method: Option<String>,
    #[schema(max_length = 200)]
    pub limitation: Option<String>,
    /// `true` (or 是) when the item is suspended.
    #[schema(max_length = 5)]
    pub suspended: Option<String>,
}

impl ScopeFields {
    /// Reads a row; whether its edition is in the standards catalogue and its product in the product catalogue
    /// is the caller's check.
    pub fn check(self) -> Result<ScopeRow, FieldError> {
        let lab_text = present("lab", self.lab)?;
        let lab = lab_text.parse::<codes::Uscc>().map_err(|e| fault("lab", format!("'{lab_text}': {e}")))?.to_string();
        let product = text("product", present("product", self.product)?, 20)?;
        let parameter = text("parameter", present("parameter", self.parameter)?, 200)?;
        let cited = present("standard", self.standard)?;
        let (standard, clause) = standards::cited(&cited).map_err(|e| fault("standard", e))?;
        let clause = text("standard", clause, 30)?;
        let method = given(self.method).map(|m| text("method", m, 200)).transpose()?;
        let limitation = given(self.limitation).map(|m| text("limitation", m, 200)).transpose()?;
        let suspended = match given(self.suspended).as_deref() {
            None | Some("false" | "0" | "否") => false,
            Some("true" | "1" | "是") => true,
            Some(other) => return Err(fault("suspended", format!("'{other}' is not true or false"))),
        };
        Ok(ScopeRow { lab, product, parameter, standard, clause, method, limitation, suspended })
    }
}

/// A campaign's test item (检验项目): a parameter to the clause of a standard edition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TestItem {
    pub parameter: String,
    /// The edition, `GB 6675.4-2014`.
    pub edition: String,
    /// The clause, `4.2`; empty for the whole standard.
    pub clause: String,
}

/// A test item's fields as a request carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TestItemInput)]
pub struct TestItemFields {
    /// Required, e.g. 可迁移元素 铅.
    #[schema(max_length = 200)]
    pub parameter: Option<String>,
    /// Required: the edition and any clause, `GB 6675.4-2014 4.2`.
    #[schema(max_length = 80)]
    pub standard: Option<String>,
}

impl TestItemFields {
    pub fn check(self) -> Result<TestItem, FieldError> {
        let parameter = text("parameter", present("parameter", self.parameter)?, 200)?;
        let cited = present("standard", self.standard)?;
        let (edition, clause) = standards::cited(&cited).map_err(|e| fault("standard", e))?;
        let clause = text("standard", clause, 30)?;
        Ok(TestItem { parameter, edition: edition.to_string(), clause })
    }
}

/// What of a scope row a coverage check reads: the edition and clause, and whether the item is suspended. The
/// product is the caller's filter (every code that means the campaign's product).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScopeLine<'a> {
    pub edition: &'a str,
    pub clause: &'a str,
    pub suspended: bool,
}

/// Whether a scope line covers a test item: the same edition, not suspended, and the whole standard, the same
/// clause or a clause the item's lies under (scope `4` covers item `4.2`). A line of another edition does not.
pub fn covers(line: ScopeLine, item: &TestItem) -> bool {
    if line.suspended || line.edition != item.edition {
        return false;
    }
    line.clause.is_empty()
        || line.clause == item.clause
        || item.clause.strip_prefix(line.clause).is_some_and(|rest| rest.starts_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_line_covers_its_edition_and_the_clauses_below_it() {
        let item =
            TestItem { parameter: "可迁移元素".into(), edition: "GB 6675.4-2014".into(), clause: "4.2".into() };
        let line = |edition, clause, suspended| ScopeLine { edition, clause, suspended };
        assert!(covers(line("GB 6675.4-2014", "", false), &item));
        assert!(covers(line("GB 6675.4-2014", "4", false), &item));
        assert!(covers(line("GB 6675.4-2014", "4.2", false), &item));
        assert!(!covers(line("GB 6675.4-2014", "4.2", true), &item), "a suspended item covers nothing");
        assert!(!covers(line("GB 6675.4-2014", "4.3", false), &item));
        assert!(!covers(line("GB 6675.4-2014", "4.21", false), &item), "4.21 is not under 4.2");
        assert!(!covers(line("GB 6675.4-2014", "42", false), &item));
        assert!(!covers(line("GB 6675.4-2024", "4.2", false), &item), "another edition is another scope");
        let whole = TestItem { clause: String::new(), ..item };
        assert!(!covers(line("GB 6675.4-2014", "4", false), &whole), "a clause does not cover the whole standard");
        let fields = TestItemFields { parameter: Some("铅".into()), standard: Some("GB 6675.4-2014 4.2".into()) };
        assert_eq!(fields.check().unwrap().clause, "4.2");
        let undated = TestItemFields { parameter: Some("铅".into()), standard: Some("GB 6675.4 4.2".into()) };
        assert_eq!(undated.check().unwrap_err().field, "standard");
    }

    fn lab() -> LabFields {
        LabFields {
            uscc: Some(codes::Uscc::assemble("12330000", "47000011").unwrap().to_string()),
            name: Some("浙江省产品质量检验研究院".into()),
            cma: Some("160011050398".into()),
            cnas: Some("cnas l0123".into()),
            region_code: Some("330100".into()),
        }
    }

    #[test]
    fn a_lab_reads_with_one_identity_across_cma_and_cnas() {
        let read = lab().check().unwrap();
        assert_eq!(read.cnas.as_deref(), Some("CNAS L0123"));
        for (fields, field) in [
            (LabFields { cma: Some("16001105039".into()), ..lab() }, "cma"),
            (LabFields { cnas: Some("CNAS C001".into()), ..lab() }, "cnas"),
            (LabFields { cma: None, cnas: None, ..lab() }, "cma"),
            (LabFields { region_code: Some("339999".into()), ..lab() }, "region_code"),
        ] {
            assert_eq!(fields.check().unwrap_err().field, field);
        }
    }

    #[test]
    fn a_scope_row_cites_an_edition_and_a_clause() {
        let fields = ScopeFields {
            lab: lab().uscc,
            product: Some("K23-06-01".into()),
            parameter: Some("可迁移元素 铅".into()),
            standard: Some("GB 6675.4-2014 4.2".into()),
            ..Default::default()
        };
        let row = fields.clone().check().unwrap();
        assert_eq!((row.standard.to_string().as_str(), row.clause.as_str()), ("GB 6675.4-2014", "4.2"));
        let undated = ScopeFields { standard: Some("GB 6675.4 4.2".into()), ..fields.clone() };
        assert_eq!(undated.check().unwrap_err().field, "standard");
        let bad = ScopeFields { suspended: Some("maybe".into()), ..fields };
        assert_eq!(bad.check().unwrap_err().field, "suspended");
    }
}
