//! Legal metrology (计量, Q11 §7(3)): measuring instruments under compulsory verification (强制检定, 计量法 Art. 9 —
//! used for trade settlement, safety protection, medical care or environmental monitoring), their kinds from the
//! 《实施强制管理的计量器具目录》 with the form of verification (periodic, or first verification and replacement
//! when due) and the interval each verification regulation (JJG) sets, as data with their source; verification
//! records by a metrology institute; and measurement standards (计量标准) held by institutes and labs, each linked
//! to the procedure editions it serves. No IO.

use std::collections::BTreeMap;

use chrono::NaiveDate;
pub use rulekit::due::UseStatus;
use rulekit::due::{DueStanding, Periodic};
use rulekit::fields::{day, fault, given, present, region, term, text, uscc, FieldError};
use rulekit::Confidence;
use serde::{Deserialize, Serialize};
use standards::StandardNumber;

rulekit::text_enum! {
    /// How an instrument kind is verified.
    pub enum Form ("verification form") {
        Periodic = "periodic" ("周期检定", "periodic verification"),
        Replace = "replace" ("首次检定、到期轮换", "first verification, replaced when due"),
    }
}

rulekit::text_enum! {
    /// The uses that put an instrument under compulsory verification (计量法 Art. 9).
    pub enum Use ("instrument use") {
        TradeSettlement = "trade_settlement" ("贸易结算", "trade settlement"),
        SafetyProtection = "safety_protection" ("安全防护", "safety protection"),
        MedicalCare = "medical_care" ("医疗卫生", "medical care"),
        EnvironmentalMonitoring = "environmental_monitoring" ("环境监测", "environmental monitoring"),
    }
}

rulekit::text_enum! {
    /// A verification's result: a certificate (检定证书) or a notice of non-conformity (检定结果通知书).
    pub enum Verdict ("verification verdict") {
        Pass = "pass" ("检定合格", "passed"),
        Fail = "fail" ("检定不合格", "failed"),
    }
}

/// How long before the due day the owner must ask for verification (a working assumption: the regulations set
/// the interval, not a notice period).
pub const NOTICE_MONTHS: u32 = 1;

/// An instrument kind of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Kind {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[schema(value_type = String)]
    pub form: Form,
    /// Months between verifications, or the service life before replacement.
    pub interval_months: u32,
    /// The verification regulation's edition.
    pub procedure: String,
    /// Where the interval comes from.
    pub basis: String,
    #[schema(value_type = String)]
    pub confidence: Confidence,
}

/// The kinds the register accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kinds(BTreeMap<String, Kind>);

const KINDS: &str = include_str!("../data/kinds.csv");

#[derive(Debug, Deserialize)]
struct KindRow {
    code: String,
    name_zh: String,
    name_en: String,
    form: String,
    interval_months: u32,
    procedure: String,
    basis: String,
    confidence: String,
}

impl Kinds {
    /// The shipped table, read once (a broken table is a build fault, caught by the tests).
    pub fn shipped() -> &'static Kinds {
        static SHIPPED: std::sync::LazyLock<Kinds> =
            std::sync::LazyLock::new(|| Kinds::read(KINDS).expect("the shipped instrument kinds read"));
        &SHIPPED
    }

    /// Reads a table in the shipped CSV form.
    pub fn read(text: &str) -> Result<Kinds, String> {
        let mut kinds = BTreeMap::new();
        for (line, row) in csv::Reader::from_reader(text.as_bytes()).deserialize::<KindRow>().enumerate() {
            let at = |e: &dyn std::fmt::Display| format!("row {}: {e}", line + 2);
            let row = row.map_err(|e| at(&e))?;
            let form: Form = row.form.parse().map_err(|e| at(&e))?;
            let confidence: Confidence = row.confidence.parse().map_err(|e| at(&e))?;
            let procedure: StandardNumber = row.procedure.parse().map_err(|e| at(&e))?;
            if row.interval_months == 0 {
                return Err(at(&"the interval is 0 months"));
            }
            let kind = Kind {
                code: row.code.clone(),
                name_zh: row.name_zh,
                name_en: row.name_en,
                form,
                interval_months: row.interval_months,
                procedure: procedure.to_string(),
                basis: row.basis,
                confidence,
            };
            if kinds.insert(row.code.clone(), kind).is_some() {
                return Err(at(&format!("kind {} is listed twice", row.code)));
            }
        }
        Ok(Kinds(kinds))
    }

    pub fn get(&self, code: &str) -> Option<&Kind> {
        self.0.get(code)
    }

    pub fn all(&self) -> impl Iterator<Item = &Kind> {
        self.0.values()
    }
}

/// An instrument as the register holds it, keyed by its owner and its serial number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Instrument {
    pub owner_uscc: String,
    /// The maker's serial number (出厂编号).
    pub serial_number: String,
    pub kind: String,
    #[serde(rename = "use")]
    #[schema(value_type = String)]
    pub used_for: Use,
    pub region_code: String,
    pub location: String,
    #[schema(value_type = String, format = Date)]
    pub registered_on: NaiveDate,
    /// When its verification runs out (or, for a replaced kind, when it must be replaced).
    #[schema(value_type = String, format = Date)]
    pub next_verification_due: NaiveDate,
    #[schema(value_type = String)]
    pub status: UseStatus,
    /// Whether the last verification failed: it may not be used.
    pub failed: bool,
}

impl Instrument {
    /// Where its verification stands on `day`.
    pub fn standing(&self, day: NaiveDate) -> DueStanding {
        Periodic {
            due_on: self.next_verification_due,
            failed: self.failed,
            out_of_use: self.status != UseStatus::InUse,
        }
        .standing(day, NOTICE_MONTHS)
    }

    /// The instrument after a verification.
    pub fn verified(mut self, verification: &Verification) -> Instrument {
        self.failed = verification.verdict == Verdict::Fail;
        self.next_verification_due = verification.next_due_on;
        self
    }
}

/// An instrument's fields as a file or a request carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = InstrumentInput)]
pub struct InstrumentFields {
    /// Required: the owner's USCC.
    #[schema(max_length = 18)]
    pub owner_uscc: Option<String>,
    /// Required: the maker's serial number.
    #[schema(max_length = 40)]
    pub serial_number: Option<String>,
    /// Required: a kind of the catalogue, e.g. `fuel_dispenser`.
    #[schema(max_length = 40)]
    pub kind: Option<String>,
    /// Required: trade_settlement, safety_protection, medical_care or environmental_monitoring.
    #[serde(rename = "use")]
    #[schema(max_length = 30)]
    pub used_for: Option<String>,
    /// Required: GB/T 2260.
    #[schema(max_length = 6)]
    pub region_code: Option<String>,
    /// Required.
    #[schema(max_length = 200)]
    pub location: Option<String>,
    /// Required: the day it was filed with the metrology authority (备案).
    #[schema(format = Date)]
    pub registered_on: Option<String>,
    /// Required: the due day on its last verification certificate (or the replacement day).
    #[schema(format = Date)]
    pub next_verification_due: Option<String>,
}

fn interval_end(from: NaiveDate, kind: &Kind) -> NaiveDate {
    rulekit::due::interval_end(from, kind.interval_months)
}

impl InstrumentFields {
    /// Reads a filing as of `today`.
    pub fn check(self, kinds: &Kinds, today: NaiveDate) -> Result<Instrument, FieldError> {
        let owner_uscc = uscc("owner_uscc", self.owner_uscc)?;
        let serial_number = text("serial_number", present("serial_number", self.serial_number)?, 40)?;
        let kind_code = present("kind", self.kind)?;
        let kind = kinds
            .get(&kind_code)
            .or_else(|| kinds.all().find(|k| k.name_zh == kind_code))
            .ok_or_else(|| fault("kind", format!("'{kind_code}' is not a kind under compulsory verification")))?;
        let used_for: Use = term("use", &present("use", self.used_for)?)?;
        let region_code = region("region_code", self.region_code)?;
        let location = text("location", present("location", self.location)?, 200)?;
        let registered_on = day("registered_on", &present("registered_on", self.registered_on)?)?;
        if registered_on > today {
            return Err(fault("registered_on", format!("{registered_on} is in the future")));
        }
        let due = day("next_verification_due", &present("next_verification_due", self.next_verification_due)?)?;
        if due > interval_end(today, kind) {
            return Err(fault(
                "next_verification_due",
                format!("{due} is more than {} months away ({})", kind.interval_months, kind.basis),
            ));
        }
        Ok(Instrument {
            owner_uscc,
            serial_number,
            kind: kind.code.clone(),
            used_for,
            region_code,
            location,
            registered_on,
            next_verification_due: due,
            status: UseStatus::InUse,
            failed: false,
        })
    }
}

/// A verification as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Verification {
    pub owner_uscc: String,
    pub serial_number: String,
    #[schema(value_type = String, format = Date)]
    pub verified_on: NaiveDate,
    /// The metrology institute's USCC.
    pub institute_uscc: String,
    /// The certificate's or the notice's number.
    pub certificate_number: String,
    #[schema(value_type = String)]
    pub verdict: Verdict,
    #[schema(value_type = String, format = Date)]
    pub next_due_on: NaiveDate,
}

/// A verification's fields as a file or a request carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = VerificationInput)]
pub struct VerificationFields {
    /// Required.
    #[schema(max_length = 18)]
    pub owner_uscc: Option<String>,
    /// Required.
    #[schema(max_length = 40)]
    pub serial_number: Option<String>,
    /// Required.
    #[schema(format = Date)]
    pub verified_on: Option<String>,
    /// Required: the certificate's (检定证书) or the notice's (检定结果通知书) number.
    #[schema(max_length = 40)]
    pub certificate_number: Option<String>,
    /// Required: pass or fail.
    #[schema(max_length = 10)]
    pub verdict: Option<String>,
    /// The due day on the certificate; by default the kind's interval after the verification.
    #[schema(format = Date)]
    pub next_due_on: Option<String>,
}

impl VerificationFields {
    /// The instrument's key as the fields give it.
    pub fn key(&self) -> (String, String) {
        let owner = self.owner_uscc.clone().unwrap_or_default().trim().to_owned();
        (owner, self.serial_number.clone().unwrap_or_default().trim().to_owned())
    }

    /// Reads a verification of `instrument` by `institute`, as of `today`.
    pub fn check(
        self,
        instrument: &Instrument,
        kinds: &Kinds,
        institute: &str,
        today: NaiveDate,
    ) -> Result<Verification, FieldError> {
        if instrument.status == UseStatus::Scrapped {
            return Err(fault("serial_number", format!("{} is scrapped", instrument.serial_number)));
        }
        let kind = kinds
            .get(&instrument.kind)
            .ok_or_else(|| fault("serial_number", format!("kind {} is no longer held", instrument.kind)))?;
        let verified_on = day("verified_on", &present("verified_on", self.verified_on)?)?;
        if verified_on > today {
            return Err(fault("verified_on", format!("{verified_on} is in the future")));
        }
        let certificate_number =
            text("certificate_number", present("certificate_number", self.certificate_number)?, 40)?;
        let verdict: Verdict = term("verdict", &present("verdict", self.verdict)?)?;
        let stated = given(self.next_due_on).map(|text| day("next_due_on", &text)).transpose()?;
        let next_due_on = rulekit::due::next_due(
            verified_on,
            kind.interval_months,
            verdict == Verdict::Fail,
            instrument.next_verification_due,
            stated,
        )
        .map_err(|why| fault("next_due_on", format!("{why} ({})", kind.procedure)))?;
        Ok(Verification {
            owner_uscc: instrument.owner_uscc.clone(),
            serial_number: instrument.serial_number.clone(),
            verified_on,
            institute_uscc: institute.to_owned(),
            certificate_number,
            verdict,
            next_due_on,
        })
    }
}

/// A measurement standard (计量标准) an institute or a lab holds, with the procedure editions it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MeasurementStandard {
    /// The approval certificate's number (计量标准考核证书号).
    pub certificate_number: String,
    pub holder_uscc: String,
    pub name: String,
    /// The quantity and range it measures.
    pub range: String,
    /// Its uncertainty, accuracy class or maximum permissible error.
    pub uncertainty: String,
    #[schema(value_type = String, format = Date)]
    pub valid_until: NaiveDate,
    /// The standard and procedure editions (GB, JJG, JJF) it serves: the scope rows it stands behind.
    pub serves: Vec<String>,
}

/// A measurement standard's fields as a file or a request carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = MeasurementStandardInput)]
pub struct MeasurementStandardFields {
    /// Required.
    #[schema(max_length = 60)]
    pub certificate_number: Option<String>,
    /// Required: the institute's or the lab's USCC.
    #[schema(max_length = 18)]
    pub holder_uscc: Option<String>,
    /// Required.
    #[schema(max_length = 100)]
    pub name: Option<String>,
    /// Required.
    #[schema(max_length = 200)]
    pub range: Option<String>,
    /// Required.
    #[schema(max_length = 100)]
    pub uncertainty: Option<String>,
    /// Required.
    #[schema(format = Date)]
    pub valid_until: Option<String>,
    /// Required: editions separated by `;`, e.g. `JJG 443-2015;GB/T 3325-2024`.
    #[schema(max_length = 2000)]
    pub serves: Option<String>,
}

impl MeasurementStandardFields {
    pub fn check(self) -> Result<MeasurementStandard, FieldError> {
        let certificate_number =
            text("certificate_number", present("certificate_number", self.certificate_number)?, 60)?;
        let holder_uscc = uscc("holder_uscc", self.holder_uscc)?;
        let name = text("name", present("name", self.name)?, 100)?;
        let range = text("range", present("range", self.range)?, 200)?;
        let uncertainty = text("uncertainty", present("uncertainty", self.uncertainty)?, 100)?;
        let valid_until = day("valid_until", &present("valid_until", self.valid_until)?)?;
        let serves_text = text("serves", present("serves", self.serves)?, 2000)?;
        let mut serves = Vec::new();
        for item in serves_text.split([';', '；']).map(str::trim).filter(|s| !s.is_empty()) {
            let number: StandardNumber = item.parse().map_err(|e| fault("serves", format!("'{item}': {e}")))?;
            if !serves.contains(&number.to_string()) {
                serves.push(number.to_string());
            }
        }
        if serves.len() > 50 {
            return Err(fault("serves", "at most 50 editions"));
        }
        Ok(MeasurementStandard { certificate_number, holder_uscc, name, range, uncertainty, valid_until, serves })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn owner() -> String {
        codes::Uscc::assemble("91330100", "MA2H2X3Y").unwrap().to_string()
    }

    fn dispenser() -> InstrumentFields {
        InstrumentFields {
            owner_uscc: Some(owner()),
            serial_number: Some("JY-2020-0042".into()),
            kind: Some("燃油加油机".into()),
            used_for: Some("贸易结算".into()),
            region_code: Some("330106".into()),
            location: Some("杭州市西湖区 1 号加油站 3 号枪".into()),
            registered_on: Some("2026-01-10".into()),
            next_verification_due: Some("2026-07-10".into()),
        }
    }

    #[test]
    fn the_shipped_kinds_read_each_with_its_procedure_and_source() {
        let kinds = Kinds::shipped();
        assert!(kinds.all().count() >= 10);
        assert!(kinds.all().all(|k| !k.basis.is_empty() && k.procedure.starts_with("JJG")));
        assert_eq!(kinds.get("water_meter").unwrap().form, Form::Replace);
        assert!(Kinds::read("code,name_zh,name_en,form,interval_months,procedure,basis,confidence\nx,a,b,sometimes,12,JJG 1-2020,s,primary\n").is_err());
    }

    #[test]
    fn a_filing_reads_by_chinese_names_and_refuses_a_due_day_past_the_interval() {
        let kinds = Kinds::shipped();
        let today = date("2026-03-01");
        let dispenser = self::dispenser().check(kinds, today).unwrap();
        assert_eq!((dispenser.kind.as_str(), dispenser.used_for), ("fuel_dispenser", Use::TradeSettlement));
        assert_eq!(dispenser.standing(date("2026-06-10")), DueStanding::DueSoon);
        assert_eq!(dispenser.standing(date("2026-07-11")), DueStanding::Overdue);
        let far = InstrumentFields { next_verification_due: Some("2027-03-02".into()), ..self::dispenser() };
        let error = far.check(kinds, today).unwrap_err();
        assert_eq!(error.field, "next_verification_due");
        assert!(error.reason.contains("6 months"), "{}", error.reason);
        let unknown = InstrumentFields { kind: Some("ruler".into()), ..self::dispenser() };
        assert_eq!(unknown.check(kinds, today).unwrap_err().field, "kind");
    }

    #[test]
    fn a_verification_moves_the_due_day_and_a_failure_stops_use() {
        let kinds = Kinds::shipped();
        let today = date("2026-08-01");
        let dispenser = self::dispenser().check(kinds, date("2026-03-01")).unwrap();
        let fields = |verdict: &str, due: Option<&str>| VerificationFields {
            owner_uscc: Some(owner()),
            serial_number: Some("JY-2020-0042".into()),
            verified_on: Some("2026-07-01".into()),
            certificate_number: Some("ZJJL2026-0001".into()),
            verdict: Some(verdict.into()),
            next_due_on: due.map(str::to_owned),
        };
        let passed = fields("pass", None).check(&dispenser, kinds, "institute", today).unwrap();
        assert_eq!(passed.next_due_on, date("2027-01-01"));
        assert_eq!(dispenser.clone().verified(&passed).standing(today), DueStanding::Current);
        let failed = fields("检定不合格", None).check(&dispenser, kinds, "institute", today).unwrap();
        assert_eq!(dispenser.clone().verified(&failed).standing(today), DueStanding::Failed);
        let error = fields("pass", Some("2027-06-01")).check(&dispenser, kinds, "institute", today).unwrap_err();
        assert_eq!(error.field, "next_due_on");
    }

    #[test]
    fn a_measurement_standard_names_the_editions_it_serves() {
        let fields = MeasurementStandardFields {
            certificate_number: Some("[2021]浙量标证字第001号".into()),
            holder_uscc: Some(owner()),
            name: Some("燃油加油机检定装置".into()),
            range: Some("(5~120) L/min".into()),
            uncertainty: Some("0.05%".into()),
            valid_until: Some("2025-06-30".into()),
            serves: Some("JJG 443-2015；JJG 443-2015; GB/T 3325-2024".into()),
        };
        let standard = fields.clone().check().unwrap();
        assert_eq!(standard.serves, vec!["JJG 443-2015".to_owned(), "GB/T 3325-2024".to_owned()]);
        let bad = MeasurementStandardFields { serves: Some("JJG 443".into()), ..fields };
        assert_eq!(bad.check().unwrap_err().field, "serves");
    }
}
