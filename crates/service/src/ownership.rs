//! Field ownership: which role may set which field of each record. This table is the one place the rule lives;
//! every write handler names the fields it would change and asks [`check`]. Jurisdiction (the region a regulator
//! covers, the USCC an enterprise or hospital holds) is checked beside it in `auth`; this table says what a role
//! may set at all. ARCHITECTURE.md shows the same table, and a test keeps the two equal.

use store::{Role, User};

use crate::ApiError;

/// A record whose fields have owners.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    /// A market entity (市场主体): registration data comes from the registry, kept by its regulators.
    Organization,
    /// A product of an enterprise.
    Product,
    /// The sentinel-hospital register (哨点医院登记): the national design.
    Hospital,
    /// An injury case reported by a sentinel hospital.
    InjuryCase,
    /// A GS1 company prefix (厂商识别代码) and its holder.
    Gs1Prefix,
    /// A GLN registration: which organization a location or party code names.
    Gln,
    /// A witness the public log accepts cosignatures from.
    LogWitness,
    /// A year's holiday notice (放假安排) in the working-day calendar.
    CalendarYear,
}

impl Record {
    /// The record's name in API answers and the table.
    pub fn name(self) -> &'static str {
        match self {
            Record::Organization => "organization",
            Record::Product => "product",
            Record::Hospital => "hospital",
            Record::InjuryCase => "injury_case",
            Record::Gs1Prefix => "gs1_prefix",
            Record::Gln => "gln",
            Record::LogWitness => "log_witness",
            Record::CalendarYear => "calendar_year",
        }
    }
}

const REGISTRY: &[Role] = &[Role::Admin, Role::Regulator];
const REGISTRY_AND_ENTERPRISE: &[Role] = &[Role::Admin, Role::Regulator, Role::Enterprise];
const ADMIN: &[Role] = &[Role::Admin];
const REPORTING_HOSPITAL: &[Role] = &[Role::Admin, Role::Hospital];
/// Derived fields: no one sets them directly.
const NOBODY: &[Role] = &[];

/// One row: a field of a record, the roles that may set it, and why.
#[derive(Debug, Clone, Copy)]
pub struct Ownership {
    pub record: Record,
    pub field: &'static str,
    pub writers: &'static [Role],
    pub why: &'static str,
}

const fn row(record: Record, field: &'static str, writers: &'static [Role], why: &'static str) -> Ownership {
    Ownership { record, field, writers, why }
}

/// Who may set what. A field not listed may not be written through the API at all.
pub const TABLE: &[Ownership] = &[
    row(Record::Organization, "uscc", REGISTRY, "registration data: the registry import or a regulator of the region"),
    row(Record::Organization, "name", REGISTRY, "registration data"),
    row(Record::Organization, "region_code", REGISTRY, "moves the record between jurisdictions and sampling frames"),
    row(Record::Organization, "legal_representative", REGISTRY, "registration data"),
    row(Record::Organization, "entity_type", REGISTRY, "registration data"),
    row(Record::Organization, "status", REGISTRY, "revocation and cancellation are the registry's"),
    row(Record::Organization, "registered_on", REGISTRY, "registration data"),
    row(Record::Organization, "address", REGISTRY_AND_ENTERPRISE, "an enterprise corrects its own address"),
    row(Record::Product, "gtin", REGISTRY_AND_ENTERPRISE, "an enterprise keeps its own products"),
    row(Record::Product, "name", REGISTRY_AND_ENTERPRISE, "an enterprise keeps its own products"),
    row(Record::Product, "uscc", REGISTRY_AND_ENTERPRISE, "the producer; an enterprise names only itself"),
    row(Record::Product, "category_code", REGISTRY_AND_ENTERPRISE, "an enterprise keeps its own products"),
    row(Record::Product, "brand", REGISTRY_AND_ENTERPRISE, "an enterprise keeps its own products"),
    row(Record::Product, "specification", REGISTRY_AND_ENTERPRISE, "an enterprise keeps its own products"),
    row(Record::Hospital, "name", ADMIN, "the sentinel register is national"),
    row(Record::Hospital, "stratum", ADMIN, "the survey design: it weights every national estimate"),
    row(Record::Hospital, "weight", ADMIN, "the survey design: it weights every national estimate"),
    row(Record::Hospital, "valid_from", ADMIN, "the day a design change takes effect"),
    row(Record::InjuryCase, "case_id", REPORTING_HOSPITAL, "a case belongs to the hospital that created it"),
    row(Record::InjuryCase, "hospital_id", REPORTING_HOSPITAL, "a hospital reports only its own cases"),
    row(Record::InjuryCase, "treated_on", REPORTING_HOSPITAL, "clinical record"),
    row(Record::InjuryCase, "age", REPORTING_HOSPITAL, "clinical record"),
    row(Record::InjuryCase, "sex", REPORTING_HOSPITAL, "clinical record"),
    row(Record::InjuryCase, "product_code", REPORTING_HOSPITAL, "clinical record"),
    row(Record::InjuryCase, "product_code_2", REPORTING_HOSPITAL, "clinical record"),
    row(Record::InjuryCase, "body_part", REPORTING_HOSPITAL, "clinical record"),
    row(Record::InjuryCase, "diagnosis", REPORTING_HOSPITAL, "clinical record"),
    row(Record::InjuryCase, "disposition", REPORTING_HOSPITAL, "clinical record"),
    row(Record::InjuryCase, "location", REPORTING_HOSPITAL, "clinical record"),
    row(Record::InjuryCase, "intent", REPORTING_HOSPITAL, "clinical record"),
    row(Record::InjuryCase, "hazard_code", REPORTING_HOSPITAL, "clinical record"),
    row(Record::InjuryCase, "narrative", REPORTING_HOSPITAL, "clinical record, shown to regulators only"),
    row(Record::InjuryCase, "stratum", NOBODY, "taken from the register on the treatment date"),
    row(Record::InjuryCase, "weight", NOBODY, "taken from the register on the treatment date"),
    row(Record::InjuryCase, "hospital_name", NOBODY, "the register's"),
    row(Record::Gs1Prefix, "prefix", ADMIN, "GS1 China assigns prefixes; an administrator records them"),
    row(Record::Gs1Prefix, "uscc", ADMIN, "the prefix's holder"),
    row(Record::Gln, "gln", REGISTRY_AND_ENTERPRISE, "an enterprise registers GLNs under a prefix it holds"),
    row(Record::Gln, "uscc", REGISTRY_AND_ENTERPRISE, "an enterprise names only itself"),
    row(Record::Gln, "kind", REGISTRY_AND_ENTERPRISE, "location or party"),
    row(Record::Gln, "name", REGISTRY_AND_ENTERPRISE, "the location's name"),
    row(Record::LogWitness, "name", ADMIN, "whose cosignatures the public log serves"),
    row(Record::LogWitness, "verifier_key", ADMIN, "the witness's cosignature/v1 key"),
    row(Record::CalendarYear, "days", ADMIN, "the State Council's notice: it moves every legal deadline"),
];

/// The roles that may set `field` of `record`; `None` when the field is not in the table.
pub fn writers(record: Record, field: &str) -> Option<&'static [Role]> {
    TABLE.iter().find(|o| o.record == record && o.field == field).map(|o| o.writers)
}

/// Refuses the write when `user`'s role may not set one of `fields` of `record`; the answer names the field.
pub fn check(record: Record, user: &User, fields: &[&str]) -> Result<(), ApiError> {
    for field in fields {
        match writers(record, field) {
            Some(roles) if roles.contains(&user.role) => {}
            Some(_) => {
                let why = TABLE.iter().find(|o| o.record == record && o.field == *field).map_or("", |o| o.why);
                return Err(ApiError::forbidden(format!(
                    "role {} may not set {}.{field}: {why}",
                    user.role.as_str(),
                    record.name()
                )));
            }
            None => return Err(ApiError::forbidden(format!("{}.{field} cannot be written", record.name()))),
        }
    }
    Ok(())
}

/// The names of the fields whose values differ; every field given when there is no stored record.
pub fn changed<'a>(pairs: &[(&'a str, Option<&str>, Option<&str>)], stored: bool) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(_, before, after)| if stored { before != after } else { after.is_some() })
        .map(|(name, ..)| *name)
        .collect()
}

/// The table as Markdown, as ARCHITECTURE.md shows it.
pub fn markdown() -> String {
    let mut out = String::from("| record | field | who may set it | why |\n| --- | --- | --- | --- |\n");
    for o in TABLE {
        let roles: Vec<&str> = o.writers.iter().map(|r| r.as_str()).collect();
        let roles = if roles.is_empty() { "nobody (derived)".to_owned() } else { roles.join(", ") };
        out.push_str(&format!("| {} | `{}` | {roles} | {} |\n", o.record.name(), o.field, o.why));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role) -> User {
        User { id: 1, name: "t".into(), role, region_code: None, uscc: None }
    }

    #[test]
    fn an_enterprise_corrects_its_address_but_not_its_registration() {
        let enterprise = user(Role::Enterprise);
        assert!(check(Record::Organization, &enterprise, &["address"]).is_ok());
        for field in ["region_code", "status", "name", "registered_on"] {
            let refused = check(Record::Organization, &enterprise, &["address", field]).unwrap_err();
            assert!(refused.message.contains(&format!("organization.{field}")), "{}", refused.message);
        }
        assert!(check(Record::Organization, &user(Role::Regulator), &["region_code", "status"]).is_ok());
    }

    #[test]
    fn the_sentinel_design_is_the_administrators_and_case_weights_are_derived() {
        for field in ["stratum", "weight", "name"] {
            assert!(check(Record::Hospital, &user(Role::Hospital), &[field]).is_err());
            assert!(check(Record::Hospital, &user(Role::Admin), &[field]).is_ok());
        }
        for role in Role::ALL {
            assert!(check(Record::InjuryCase, &user(role), &["weight"]).is_err(), "{role:?}");
        }
        assert!(check(Record::InjuryCase, &user(Role::Hospital), &["case_id", "age", "narrative"]).is_ok());
        assert!(check(Record::InjuryCase, &user(Role::Hospital), &["unheard_of"]).is_err());
    }

    #[test]
    fn changed_fields_are_the_differing_ones_or_all_on_insert() {
        let pairs = [
            ("address", Some("a"), Some("b")),
            ("status", Some("active"), Some("active")),
            ("entity_type", None, None),
        ];
        assert_eq!(changed(&pairs, true), vec!["address"]);
        assert_eq!(changed(&pairs, false), vec!["address", "status"]);
    }

    #[test]
    fn architecture_md_shows_this_table() {
        let doc = include_str!("../../../ARCHITECTURE.md");
        assert!(doc.contains(&markdown()), "ARCHITECTURE.md's field-ownership table differs from ownership::TABLE");
    }
}
