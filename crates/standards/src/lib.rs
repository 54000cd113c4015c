//! The standards catalogue (标准目录): a standard is cited by its number *and* edition (`GB 4806.7-2016` is not
//! `GB 4806.7-2023`), each edition mandatory (强制性, `GB`) or recommended (推荐性, `GB/T`) or guidance (`GB/Z`),
//! current, superseded or withdrawn with its dates and the edition that replaces it. This room reads numbers,
//! checks a catalogue and says whether a citation was in force on a day. No IO: the store keeps the editions.

mod catalogue;
mod fields;
mod number;

pub use catalogue::{Catalogue, CatalogueError, Change, Citation, Edition};
pub use fields::{EditionFields, FieldError, COLUMNS, MAX_TITLE_CHARS};
pub use number::{cited, number_start, NumberError, StandardNumber};

rulekit::text_enum! {
    /// Whether an edition binds (GB 7.1: 强制性国家标准 `GB`, 推荐性 `GB/T`, 指导性技术文件 `GB/Z`).
    pub enum Force ("kind of standard") {
        Mandatory = "mandatory" ("强制性", "mandatory"),
        Recommended = "recommended" ("推荐性", "recommended"),
        Guidance = "guidance" ("指导性技术文件", "guidance"),
    }
}

rulekit::text_enum! {
    /// Where an edition stands.
    pub enum Status ("standard status") {
        Current = "current" ("现行", "current"),
        Superseded = "superseded" ("被代替", "superseded"),
        Withdrawn = "withdrawn" ("废止", "withdrawn"),
    }
}

rulekit::text_enum! {
    /// What citing an edition on a day amounts to (see [`Citation`]).
    pub enum Standing ("citation standing") {
        InForce = "in_force" ("现行有效", "in force"),
        NotYetInForce = "not_yet_in_force" ("尚未实施", "not yet in force"),
        Superseded = "superseded" ("已被代替", "superseded"),
        Withdrawn = "withdrawn" ("已废止", "withdrawn"),
        Unknown = "unknown" ("目录中无此版本", "not in the catalogue"),
    }
}

/// The shipped editions (`data/editions.csv`, sources in `data/README.md`): what a new database starts with.
pub const SHIPPED_EDITIONS_CSV: &str = include_str!("../data/editions.csv");

/// The shipped editions, read and checked as a catalogue; a misfit names its line.
pub fn shipped() -> Result<Vec<Edition>, String> {
    let mut reader = csv::Reader::from_reader(SHIPPED_EDITIONS_CSV.as_bytes());
    let mut editions = Vec::new();
    for record in reader.deserialize::<EditionFields>() {
        let fields = record.map_err(|e| format!("shipped editions: {e}"))?;
        let fields = EditionFields {
            ended_on: fields.ended_on.filter(|t| !t.is_empty()),
            replaced_by: fields.replaced_by.filter(|t| !t.is_empty()),
            ..fields
        };
        let line = editions.len() + 2;
        editions.push(fields.check().map_err(|e| format!("shipped editions, line {line}: {e}"))?);
    }
    Catalogue::new(editions.clone()).map_err(|e| format!("shipped editions: {e:?}"))?;
    Ok(editions)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_editions_read_and_fit_together() {
        let editions = super::shipped().unwrap();
        assert!(editions.len() >= 25);
        let catalogue = super::Catalogue::new(editions).unwrap();
        let old: super::StandardNumber = "GB 4806.7-2016".parse().unwrap();
        let day = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        assert_eq!(catalogue.cite(&old, day).current().map(|e| e.number.to_string()), Some("GB 4806.7-2023".into()));
    }
}
