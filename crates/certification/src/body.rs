//! Certification bodies (认证机构): approved by CNCA under an approval number (`CNCA-R-2002-001`; `CNCA-RF-…` for
//! foreign-invested bodies), with their USCC, their accreditation (CNAS), for CCC the two-digit code their
//! certificate numbers carry, the schemes they may certify and the catalogue product classes they are designated for.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::{fault, given, list, present, term, text, uscc, BodyStatus, FieldError, Scheme};

/// A certification body as the register holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = CertificationBody)]
pub struct Body {
    pub approval_number: String,
    pub name: String,
    pub uscc: String,
    /// The accreditation certificate (e.g. `CNAS C001-M`), when accredited.
    pub accreditation: Option<String>,
    /// The two digits CCC certificate numbers of this body carry, for a body designated for CCC.
    pub ccc_code: Option<String>,
    /// Values: ccc, voluntary_product, management_system, service.
    #[schema(value_type = Vec<String>)]
    pub schemes: BTreeSet<Scheme>,
    /// The product-catalogue codes (classes or products) it may certify products of.
    pub product_classes: BTreeSet<String>,
    /// approved, suspended or revoked.
    #[schema(value_type = String)]
    pub status: BodyStatus,
}

impl Body {
    /// Whether it may certify a product of catalogue code `code`, whose class is `class`: it names the code or
    /// its class.
    pub fn covers(&self, code: &str, class: Option<&str>) -> bool {
        self.product_classes.contains(code) || class.is_some_and(|c| self.product_classes.contains(c))
    }
}

/// A body's fields as they arrive, texts not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CertificationBodyInput)]
pub struct BodyFields {
    /// Required: CNCA's approval number, `CNCA-R-2002-001`.
    #[schema(max_length = 20)]
    pub approval_number: Option<String>,
    /// Required.
    #[schema(max_length = 100)]
    pub name: Option<String>,
    /// Required: the body's unified social credit code.
    #[schema(max_length = 18)]
    pub uscc: Option<String>,
    #[schema(max_length = 40)]
    pub accreditation: Option<String>,
    /// Two digits: the code in this body's CCC certificate numbers; required to certify CCC.
    #[schema(max_length = 2)]
    pub ccc_code: Option<String>,
    /// Required, separated by `;`: ccc, voluntary_product, management_system, service.
    #[schema(max_length = 100)]
    pub schemes: Option<String>,
    /// Catalogue codes (classes or products) separated by `;`: required for a body that certifies products.
    #[schema(max_length = 2000)]
    pub product_classes: Option<String>,
    /// approved (the default), suspended or revoked.
    #[schema(max_length = 10)]
    pub status: Option<String>,
}

/// Whether a text is a CNCA approval number: `CNCA-R` or `CNCA-RF`, a year, a running number.
fn approval_number(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("CNCA-RF-").or_else(|| text.strip_prefix("CNCA-R-")) else { return false };
    let Some((year, number)) = rest.split_once('-') else { return false };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && (1..=4).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

impl BodyFields {
    /// Reads the fields into a body.
    pub fn check(self) -> Result<Body, FieldError> {
        let approval = present("approval_number", self.approval_number)?.to_ascii_uppercase();
        if !approval_number(&approval) {
            return Err(fault(
                "approval_number",
                format!("'{approval}' is not a CNCA approval number like CNCA-R-2002-001"),
            ));
        }
        let name = text("name", present("name", self.name)?, 100)?;
        let uscc = uscc("uscc", &present("uscc", self.uscc)?)?.to_string();
        let accreditation = given(self.accreditation).map(|a| text("accreditation", a, 40)).transpose()?;
        let ccc_code = given(self.ccc_code);
        if let Some(code) = &ccc_code {
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(fault("ccc_code", format!("'{code}' is not two digits")));
            }
        }
        let mut schemes = BTreeSet::new();
        for part in list(self.schemes) {
            schemes.insert(term::<Scheme>("schemes", &part)?);
        }
        if schemes.is_empty() {
            return Err(fault("schemes", "a body certifies at least one scheme"));
        }
        if schemes.contains(&Scheme::Ccc) && ccc_code.is_none() {
            return Err(fault("ccc_code", "a body designated for CCC has its two-digit code"));
        }
        let product_classes: BTreeSet<String> = list(self.product_classes).into_iter().collect();
        if schemes.iter().any(|s| s.certifies_products()) && product_classes.is_empty() {
            return Err(fault(
                "product_classes",
                "a body that certifies products names the product classes it may certify",
            ));
        }
        if let Some(bad) = product_classes
            .iter()
            .find(|c| c.len() > 20 || !c.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        {
            return Err(fault("product_classes", format!("'{bad}' is not a catalogue code")));
        }
        let status =
            given(self.status).map(|s| term::<BodyStatus>("status", &s)).transpose()?.unwrap_or(BodyStatus::Approved);
        Ok(Body { approval_number: approval, name, uscc, accreditation, ccc_code, schemes, product_classes, status })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn cqc() -> BodyFields {
        BodyFields {
            approval_number: Some("CNCA-R-2002-001".into()),
            name: Some("中国质量认证中心".into()),
            uscc: Some(codes::Uscc::assemble("12100000", "40000133").unwrap().to_string()),
            accreditation: Some("CNAS C001-P".into()),
            ccc_code: Some("01".into()),
            schemes: Some("ccc;voluntary_product".into()),
            product_classes: Some("K23-06;0401".into()),
            status: None,
        }
    }

    #[test]
    fn a_body_reads_and_covers_its_classes() {
        let body = cqc().check().unwrap();
        assert!(body.covers("K23-06-01", Some("K23-06")), "a product of a class it names");
        assert!(body.covers("0401", Some("04")));
        assert!(!body.covers("K23-05-01", Some("K23-05")));
        assert_eq!(body.status, BodyStatus::Approved);
    }

    #[test]
    fn a_field_that_does_not_read_is_named() {
        let cases = [
            (BodyFields { approval_number: Some("CNCA-2002-001".into()), ..cqc() }, "approval_number"),
            (BodyFields { uscc: Some("12100000400001334X".into()), ..cqc() }, "uscc"),
            (BodyFields { ccc_code: Some("1".into()), ..cqc() }, "ccc_code"),
            (BodyFields { ccc_code: None, ..cqc() }, "ccc_code"),
            (BodyFields { schemes: Some("ccc;iso".into()), ..cqc() }, "schemes"),
            (BodyFields { schemes: None, ..cqc() }, "schemes"),
            (BodyFields { product_classes: None, ..cqc() }, "product_classes"),
            (BodyFields { status: Some("open".into()), ..cqc() }, "status"),
        ];
        for (fields, field) in cases {
            assert_eq!(fields.clone().check().unwrap_err().field, field, "{fields:?}");
        }
    }
}
