//! Special equipment (特种设备) under the Special Equipment Safety Law (特种设备安全法) and TSG 08-2017
//! 《特种设备使用管理规则》: the varieties of the 特种设备目录 with the periodic-inspection interval each rule sets
//! (data, with its source and how sure the reading is), the 18-character equipment code (设备代码: variety code,
//! maker code, year of manufacture, sequence), a user's registration (使用登记) and the inspection records
//! (定期检验) that move the due day. No IO: the store keeps the register; this room reads and checks it.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
pub use rulekit::due::{change_use, UseStatus};
use rulekit::due::{DueStanding, Periodic};
use rulekit::fields::{day, fault, given, present, region, term, text, uscc, FieldError};
use rulekit::{Confidence, Period, Term};
use serde::{Deserialize, Serialize};

rulekit::text_enum! {
    /// The kinds of special equipment (特种设备种类) of the 特种设备目录.
    pub enum Category ("special-equipment category") {
        Boiler = "boiler" ("锅炉", "boiler"),
        PressureVessel = "pressure_vessel" ("压力容器", "pressure vessel"),
        Elevator = "elevator" ("电梯", "lift"),
        Crane = "crane" ("起重机械", "lifting appliance"),
        FactoryVehicle = "factory_vehicle" ("场（厂）内专用机动车辆", "in-site motor vehicle"),
        AmusementRide = "amusement_ride" ("大型游乐设施", "large amusement device"),
        PressurePiping = "pressure_piping" ("压力管道", "pressure piping"),
        Ropeway = "ropeway" ("客运索道", "passenger ropeway"),
    }
}

rulekit::text_enum! {
    /// An inspection's conclusion (检验结论).
    pub enum Verdict ("inspection verdict") {
        Pass = "pass" ("合格", "pass"),
        PassOnReinspection = "pass_on_reinspection" ("复检合格", "pass on reinspection"),
        Fail = "fail" ("不合格", "fail"),
    }
}

/// How long before the due day the user must ask for the inspection: 特种设备安全法 Art. 40, TSG 08-2017 2.9
/// (使用单位应当在检验合格有效期届满前1个月向检验机构提出定期检验要求).
pub const NOTICE_MONTHS: u32 = 1;

/// Days after first use within which the user registers the equipment: 特种设备安全法 Art. 33.
pub const REGISTRATION_DAYS: u64 = 30;

/// A variety (品种) of the catalogue with its inspection interval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variety {
    /// Four characters, e.g. `3110`.
    pub code: String,
    pub category: Category,
    pub name_zh: String,
    pub name_en: String,
    /// The periodic-inspection interval, from the last inspection.
    #[serde(skip)]
    pub interval: Term,
    pub interval_months: u32,
}

#[derive(Debug, Deserialize)]
struct VarietyRow {
    code: String,
    category: String,
    name_zh: String,
    name_en: String,
    interval_months: u32,
    basis: String,
    confidence: String,
}

/// The varieties the register accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Varieties(BTreeMap<String, Variety>);

/// The shipped varieties table.
const VARIETIES: &str = include_str!("../data/varieties.csv");

impl Varieties {
    /// The shipped table, read once (a broken table is a build fault, caught by the tests).
    pub fn shipped() -> &'static Varieties {
        static SHIPPED: std::sync::LazyLock<Varieties> =
            std::sync::LazyLock::new(|| Varieties::read(VARIETIES).expect("the shipped varieties table reads"));
        &SHIPPED
    }

    /// Reads a table in the shipped CSV form.
    pub fn read(text: &str) -> Result<Varieties, String> {
        let mut varieties = BTreeMap::new();
        for (line, row) in csv::Reader::from_reader(text.as_bytes()).deserialize::<VarietyRow>().enumerate() {
            let row = row.map_err(|e| format!("row {}: {e}", line + 2))?;
            let category: Category = row.category.parse().map_err(|e| format!("row {}: {e}", line + 2))?;
            let confidence: Confidence = row.confidence.parse().map_err(|e| format!("row {}: {e}", line + 2))?;
            if row.code.len() != 4 || !row.code.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()) {
                return Err(format!("row {}: '{}' is not a four-character variety code", line + 2, row.code));
            }
            let interval = Term {
                after: "inspected".into(),
                period: Period::Months(row.interval_months),
                basis: row.basis,
                confidence,
            };
            let variety = Variety {
                code: row.code.clone(),
                category,
                name_zh: row.name_zh,
                name_en: row.name_en,
                interval,
                interval_months: row.interval_months,
            };
            if varieties.insert(row.code.clone(), variety).is_some() {
                return Err(format!("row {}: variety {} is listed twice", line + 2, row.code));
            }
        }
        Ok(Varieties(varieties))
    }

    pub fn get(&self, code: &str) -> Option<&Variety> {
        self.0.get(code)
    }

    pub fn all(&self) -> impl Iterator<Item = &Variety> {
        self.0.values()
    }
}

/// An equipment code (设备代码) read into its parts: TSG 08-2017 Annex A — the variety code (4), the maker's code
/// (5 digits: the licensing authority's 2-digit region and the maker's 3-digit licence sequence), the year of
/// manufacture (4) and the maker's sequence (5 digits; past 99999, letters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EquipmentCode {
    pub code: String,
    pub variety: String,
    pub maker: String,
    pub year: i32,
    pub sequence: String,
}

impl EquipmentCode {
    /// Reads a code whose variety is in `varieties` and whose year is not after `this_year`.
    pub fn parse(text: &str, varieties: &Varieties, this_year: i32) -> Result<EquipmentCode, String> {
        let code = text.trim().to_ascii_uppercase();
        if code.len() != 18 || !code.is_ascii() {
            return Err(format!("'{text}' is not 18 characters (variety 4, maker 5, year 4, sequence 5)"));
        }
        let (variety, maker, year, sequence) = (&code[..4], &code[4..9], &code[9..13], &code[13..]);
        if varieties.get(variety).is_none() {
            return Err(format!("'{variety}' is not a variety of the 特种设备目录 this register holds"));
        }
        if !maker.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("the maker's code '{maker}' is not 5 digits"));
        }
        let year: i32 = year.parse().map_err(|_| format!("the year '{year}' is not 4 digits"))?;
        if !(1950..=this_year).contains(&year) {
            return Err(format!("the year of manufacture {year} is not between 1950 and {this_year}"));
        }
        if !sequence.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()) {
            return Err(format!("the sequence '{sequence}' is not 5 digits or capital letters"));
        }
        Ok(EquipmentCode {
            variety: variety.to_owned(),
            maker: maker.to_owned(),
            year,
            sequence: sequence.to_owned(),
            code,
        })
    }
}

/// Equipment as the register holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Equipment {
    pub code: String,
    pub variety: String,
    /// The user (使用单位) who registered it.
    pub user_uscc: String,
    /// The registration certificate's number (使用登记证编号).
    pub registration_number: String,
    /// GB/T 2260 code of where it stands.
    pub region_code: String,
    /// Its address.
    pub location: String,
    #[schema(value_type = String, format = Date)]
    pub in_service_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub registered_on: NaiveDate,
    /// When its current inspection runs out.
    #[schema(value_type = String, format = Date)]
    pub next_inspection_due: NaiveDate,
    #[schema(value_type = String)]
    pub status: UseStatus,
    /// Whether the last inspection failed (it may not be used until one passes).
    pub failed: bool,
}

impl Equipment {
    /// Where its inspection stands on `day`.
    pub fn standing(&self, day: NaiveDate) -> DueStanding {
        Periodic { due_on: self.next_inspection_due, failed: self.failed, out_of_use: self.status != UseStatus::InUse }
            .standing(day, NOTICE_MONTHS)
    }

    /// Whether it was registered later than 30 days after it went into service.
    pub fn registered_late(&self) -> bool {
        self.in_service_on.checked_add_days(Days::new(REGISTRATION_DAYS)).is_some_and(|by| self.registered_on > by)
    }
}

/// A registration's fields as a file or a request carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EquipmentInput)]
pub struct EquipmentFields {
    /// Required: the 18-character equipment code.
    #[schema(max_length = 18)]
    pub code: Option<String>,
    /// Required: the user's USCC.
    #[schema(max_length = 18)]
    pub user_uscc: Option<String>,
    /// Required: the registration certificate's number.
    #[schema(max_length = 30)]
    pub registration_number: Option<String>,
    /// Required: GB/T 2260.
    #[schema(max_length = 6)]
    pub region_code: Option<String>,
    /// Required: the address where it stands.
    #[schema(max_length = 200)]
    pub location: Option<String>,
    /// Required: first day in service.
    #[schema(format = Date)]
    pub in_service_on: Option<String>,
    /// Required: the registration's day.
    #[schema(format = Date)]
    pub registered_on: Option<String>,
    /// The due day on the last inspection report; by default the variety's interval after first service.
    #[schema(format = Date)]
    pub next_inspection_due: Option<String>,
}

impl EquipmentFields {
    /// Reads a registration as of `today`.
    pub fn check(self, varieties: &Varieties, today: NaiveDate) -> Result<Equipment, FieldError> {
        let code_text = present("code", self.code)?;
        let code = EquipmentCode::parse(&code_text, varieties, today.year()).map_err(|e| fault("code", e))?;
        let variety = varieties.get(&code.variety).expect("parse checked the variety");
        let user_uscc = uscc("user_uscc", self.user_uscc)?;
        let registration_number =
            text("registration_number", present("registration_number", self.registration_number)?, 30)?;
        let region_code = region("region_code", self.region_code)?;
        let location = text("location", present("location", self.location)?, 200)?;
        let in_service_on = day("in_service_on", &present("in_service_on", self.in_service_on)?)?;
        let registered_on = day("registered_on", &present("registered_on", self.registered_on)?)?;
        for (field, value) in [("in_service_on", in_service_on), ("registered_on", registered_on)] {
            if value > today {
                return Err(fault(field, format!("{value} is in the future")));
            }
        }
        if in_service_on.year() < code.year {
            return Err(fault(
                "in_service_on",
                format!("{in_service_on} is before its year of manufacture {}", code.year),
            ));
        }
        // Equipment long in service is registered with the due day of its last report: after first service and at
        // most one interval from today (the last inspection was no later than today).
        let next_inspection_due = match given(self.next_inspection_due) {
            Some(text) => {
                let due = day("next_inspection_due", &text)?;
                if due <= in_service_on {
                    return Err(fault(
                        "next_inspection_due",
                        format!("{due} is not after first service on {in_service_on}"),
                    ));
                }
                if due > today {
                    within_interval("next_inspection_due", due, today, variety)?;
                }
                due
            }
            None => after_interval(in_service_on, variety),
        };
        Ok(Equipment {
            code: code.code,
            variety: code.variety,
            user_uscc,
            registration_number,
            region_code,
            location,
            in_service_on,
            registered_on,
            next_inspection_due,
            status: UseStatus::InUse,
            failed: false,
        })
    }
}

fn after_interval(from: NaiveDate, variety: &Variety) -> NaiveDate {
    rulekit::due::interval_end(from, variety.interval_months)
}

/// A due day stated on a report: after `from` and not past the variety's interval.
fn within_interval(
    field: &'static str,
    due: NaiveDate,
    from: NaiveDate,
    variety: &Variety,
) -> Result<NaiveDate, FieldError> {
    rulekit::due::stated_due(due, from, variety.interval_months)
        .map_err(|why| fault(field, format!("{why}: {} ({})", variety.name_zh, variety.interval.basis)))
}

/// An inspection as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Inspection {
    pub equipment_code: String,
    #[schema(value_type = String, format = Date)]
    pub inspected_on: NaiveDate,
    /// The inspection body (检验机构)'s USCC.
    pub inspector_uscc: String,
    pub report_number: String,
    #[schema(value_type = String)]
    pub verdict: Verdict,
    /// The next due day the report sets (after a failure: the day it stands, as the equipment may not be used).
    #[schema(value_type = String, format = Date)]
    pub next_due_on: NaiveDate,
}

/// An inspection's fields as a file or a request carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = InspectionInput)]
pub struct InspectionFields {
    /// Required.
    #[schema(max_length = 18)]
    pub equipment_code: Option<String>,
    /// Required.
    #[schema(format = Date)]
    pub inspected_on: Option<String>,
    /// Required: the report's number.
    #[schema(max_length = 40)]
    pub report_number: Option<String>,
    /// Required: pass, pass_on_reinspection or fail (合格, 复检合格, 不合格).
    #[schema(max_length = 24)]
    pub verdict: Option<String>,
    /// The next due day on the report; by default the variety's interval after the inspection.
    #[schema(format = Date)]
    pub next_due_on: Option<String>,
}

impl InspectionFields {
    /// Reads an inspection of `equipment` by `inspector`, as of `today`.
    pub fn check(
        self,
        equipment: &Equipment,
        varieties: &Varieties,
        inspector: &str,
        today: NaiveDate,
    ) -> Result<Inspection, FieldError> {
        let code = present("equipment_code", self.equipment_code)?.to_ascii_uppercase();
        if code != equipment.code {
            return Err(fault("equipment_code", format!("{code} is not {}", equipment.code)));
        }
        if equipment.status == UseStatus::Scrapped {
            return Err(fault("equipment_code", format!("{code} is scrapped")));
        }
        let variety = varieties
            .get(&equipment.variety)
            .ok_or_else(|| fault("equipment_code", format!("variety {} is no longer held", equipment.variety)))?;
        let inspected_on = day("inspected_on", &present("inspected_on", self.inspected_on)?)?;
        if inspected_on > today {
            return Err(fault("inspected_on", format!("{inspected_on} is in the future")));
        }
        if inspected_on < equipment.in_service_on {
            return Err(fault("inspected_on", format!("{inspected_on} is before it went into service")));
        }
        let report_number = text("report_number", present("report_number", self.report_number)?, 40)?;
        let verdict: Verdict = term("verdict", &present("verdict", self.verdict)?)?;
        let stated = given(self.next_due_on).map(|text| day("next_due_on", &text)).transpose()?;
        let next_due_on = rulekit::due::next_due(
            inspected_on,
            variety.interval_months,
            verdict == Verdict::Fail,
            equipment.next_inspection_due,
            stated,
        )
        .map_err(|why| fault("next_due_on", format!("{why}: {} ({})", variety.name_zh, variety.interval.basis)))?;
        Ok(Inspection {
            equipment_code: code,
            inspected_on,
            inspector_uscc: inspector.to_owned(),
            report_number,
            verdict,
            next_due_on,
        })
    }
}

impl Equipment {
    /// The equipment after an inspection: the due day moves on a pass; a failure stops its use until one passes.
    pub fn inspected(mut self, inspection: &Inspection) -> Equipment {
        self.failed = inspection.verdict == Verdict::Fail;
        self.next_inspection_due = inspection.next_due_on;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> String {
        codes::Uscc::assemble("91330100", "MA2H2X3Y").unwrap().to_string()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn lift() -> EquipmentFields {
        EquipmentFields {
            code: Some("311033010202000123".into()),
            user_uscc: Some(user()),
            registration_number: Some("梯11浙A00001(20)".into()),
            region_code: Some("330106".into()),
            location: Some("杭州市西湖区文三路 1 号 A 座 1 号梯".into()),
            in_service_on: Some("2020-06-01".into()),
            registered_on: Some("2020-06-20".into()),
            next_inspection_due: None,
        }
    }

    #[test]
    fn the_shipped_table_reads_and_every_interval_has_a_source() {
        let varieties = Varieties::shipped();
        assert!(varieties.all().count() >= 25);
        assert!(varieties.all().all(|v| !v.interval.basis.is_empty() && v.interval_months > 0));
        assert_eq!(varieties.get("3110").unwrap().category, Category::Elevator);
        assert!(Varieties::read(
            "code,category,name_zh,name_en,interval_months,basis,confidence\n31,elevator,a,b,12,x,primary\n"
        )
        .is_err());
    }

    #[test]
    fn equipment_codes_are_read_into_their_parts_and_wrong_ones_say_why() {
        let varieties = Varieties::shipped();
        let code = EquipmentCode::parse("311033010202000123", varieties, 2026).unwrap();
        assert_eq!(
            (code.variety.as_str(), code.maker.as_str(), code.year, code.sequence.as_str()),
            ("3110", "33010", 2020, "00123")
        );
        assert!(EquipmentCode::parse("31103301020200012", varieties, 2026).unwrap_err().contains("18 characters"));
        assert!(EquipmentCode::parse("991033010202000123", varieties, 2026).unwrap_err().contains("not a variety"));
        assert!(EquipmentCode::parse("3110330A0202000123", varieties, 2026).unwrap_err().contains("maker"));
        assert!(EquipmentCode::parse("311033010203000123", varieties, 2026).unwrap_err().contains("2030"));
    }

    #[test]
    fn a_registration_is_due_one_interval_after_service_and_flags_a_late_registration() {
        let varieties = Varieties::shipped();
        let lift = lift().check(varieties, date("2026-12-01")).unwrap();
        assert_eq!(lift.next_inspection_due, date("2021-06-01"));
        assert!(!lift.registered_late());
        assert_eq!(lift.standing(date("2021-05-01")), DueStanding::DueSoon);
        assert_eq!(lift.standing(date("2021-04-30")), DueStanding::Current);
        assert_eq!(lift.standing(date("2021-06-02")), DueStanding::Overdue);
        let late = EquipmentFields { registered_on: Some("2020-07-15".into()), ..self::lift() };
        assert!(late.check(varieties, date("2026-12-01")).unwrap().registered_late());
        let beyond = EquipmentFields { next_inspection_due: Some("2028-01-01".into()), ..self::lift() };
        let error = beyond.check(varieties, date("2026-12-01")).unwrap_err();
        assert_eq!(error.field, "next_inspection_due");
        assert!(error.reason.contains("12 months"), "{}", error.reason);
        // Registered years after first use, with its last report's due day: accepted, overdue or not.
        let existing = EquipmentFields { next_inspection_due: Some("2027-05-31".into()), ..self::lift() };
        assert_eq!(existing.check(varieties, date("2026-12-01")).unwrap().next_inspection_due, date("2027-05-31"));
        let lapsed = EquipmentFields { next_inspection_due: Some("2025-05-31".into()), ..self::lift() };
        assert_eq!(
            lapsed.check(varieties, date("2026-12-01")).unwrap().standing(date("2026-12-01")),
            DueStanding::Overdue
        );
        let before = EquipmentFields { next_inspection_due: Some("2020-05-01".into()), ..self::lift() };
        assert_eq!(before.check(varieties, date("2026-12-01")).unwrap_err().field, "next_inspection_due");
        let future = EquipmentFields { registered_on: Some("2027-01-01".into()), ..self::lift() };
        assert_eq!(future.check(varieties, date("2026-12-01")).unwrap_err().field, "registered_on");
    }

    #[test]
    fn an_inspection_moves_the_due_day_and_a_failure_stops_use() {
        let varieties = Varieties::shipped();
        let lift = lift().check(varieties, date("2026-12-01")).unwrap();
        let fields = |verdict: &str| InspectionFields {
            equipment_code: Some("311033010202000123".into()),
            inspected_on: Some("2021-05-20".into()),
            report_number: Some("DT2021-0001".into()),
            verdict: Some(verdict.into()),
            next_due_on: None,
        };
        let passed = fields("合格").check(&lift, varieties, "12330000470000000X", date("2026-12-01")).unwrap();
        assert_eq!(passed.next_due_on, date("2022-05-20"));
        let after = lift.clone().inspected(&passed);
        assert_eq!(after.standing(date("2021-12-01")), DueStanding::Current);
        let failed = fields("fail").check(&lift, varieties, "12330000470000000X", date("2026-12-01")).unwrap();
        let after = lift.clone().inspected(&failed);
        assert_eq!(after.standing(date("2021-05-21")), DueStanding::Failed);
        assert_eq!(fields("ok").check(&lift, varieties, "x", date("2026-12-01")).unwrap_err().field, "verdict");
        let before = InspectionFields { inspected_on: Some("2019-01-01".into()), ..fields("pass") };
        assert_eq!(before.check(&lift, varieties, "x", date("2026-12-01")).unwrap_err().field, "inspected_on");
    }
}
