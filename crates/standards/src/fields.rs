//! An edition as a file or a request carries it, field by field, and its check: each refusal names the field.

use serde::Deserialize;

use crate::{Edition, StandardNumber, Status};
pub use rulekit::fields::FieldError;
use rulekit::fields::{day, fault, given, present};

/// The longest title kept: the longest national titles run to about 120 characters.
pub const MAX_TITLE_CHARS: usize = 300;

/// The columns of an edition row, in the order files list them.
pub const COLUMNS: &[&str] = &["number", "title", "status", "effective_on", "ended_on", "replaced_by"];

/// An edition's fields as they arrive (a CSV row or a JSON object), texts not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StandardEditionInput)]
pub struct EditionFields {
    /// Required, with its edition year: `GB 4806.7-2016`.
    #[schema(max_length = 40)]
    pub number: Option<String>,
    /// Required: the Chinese title as published.
    #[schema(max_length = 300)]
    pub title: Option<String>,
    /// Required: `current`, `superseded`, `withdrawn`, or as openstd writes them: 现行, 被代替, 废止.
    #[schema(max_length = 20)]
    pub status: Option<String>,
    /// Required: the day it took effect.
    #[schema(format = Date)]
    pub effective_on: Option<String>,
    /// Its last day: required for a superseded or withdrawn edition.
    #[schema(format = Date)]
    pub ended_on: Option<String>,
    /// The edition that replaces it: required for a superseded edition.
    #[schema(max_length = 40)]
    pub replaced_by: Option<String>,
}

fn standard_number(field: &'static str, text: &str) -> Result<StandardNumber, FieldError> {
    text.parse().map_err(|e| fault(field, e))
}

impl EditionFields {
    /// Reads the fields into an edition; whether it fits the others is the catalogue's check.
    pub fn check(self) -> Result<Edition, FieldError> {
        let number = standard_number("number", &present("number", self.number)?)?;
        let title = present("title", self.title)?;
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(fault("title", format!("a title is at most {MAX_TITLE_CHARS} characters")));
        }
        if title.chars().any(char::is_control) {
            return Err(fault("title", "a title has no control characters"));
        }
        let status_text = present("status", self.status)?;
        let status = Status::ALL
            .iter()
            .copied()
            .find(|s| s.as_str() == status_text || s.name_zh() == status_text)
            .ok_or_else(|| {
                fault(
                    "status",
                    format!("'{status_text}' is not a status: current (现行), superseded (被代替) or withdrawn (废止)"),
                )
            })?;
        let effective_on = day("effective_on", &present("effective_on", self.effective_on)?)?;
        let ended_on = given(self.ended_on).map(|t| day("ended_on", &t)).transpose()?;
        let replaced_by = given(self.replaced_by).map(|t| standard_number("replaced_by", &t)).transpose()?;
        Ok(Edition { number, title, status, effective_on, ended_on, replaced_by })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(number: &str, status: &str, effective: &str) -> EditionFields {
        EditionFields {
            number: Some(number.into()),
            title: Some("金属家具通用技术条件".into()),
            status: Some(status.into()),
            effective_on: Some(effective.into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_row_reads_with_the_statuses_openstd_writes() {
        let edition = fields(" gb/t 3325-2024 ", "现行", "2025-01-01").check().unwrap();
        assert_eq!(edition.number.to_string(), "GB/T 3325-2024");
        assert_eq!(edition.status, Status::Current);
        let mut old = fields("GB/T 3325-2017", "superseded", "2017-06-01");
        old.ended_on = Some("2024-12-31".into());
        old.replaced_by = Some("GB/T 3325-2024".into());
        let old = old.check().unwrap();
        assert_eq!(old.replaced_by.unwrap().year(), 2024);
    }

    #[test]
    fn a_field_that_does_not_read_is_named() {
        let cases = [
            (EditionFields { number: None, ..fields("x", "现行", "2020-01-01") }, "number", "number is required"),
            (fields("GB 4806.7", "现行", "2020-01-01"), "number", "has no edition year"),
            (fields("GB 1-2020", "valid", "2020-01-01"), "status", "'valid' is not a status"),
            (fields("GB 1-2020", "现行", "2020-13-01"), "effective_on", "not a date"),
            (
                EditionFields { title: Some("a\u{7}".into()), ..fields("GB 1-2020", "现行", "2020-01-01") },
                "title",
                "control",
            ),
            (
                EditionFields { title: Some("长".repeat(301)), ..fields("GB 1-2020", "现行", "2020-01-01") },
                "title",
                "at most",
            ),
            (
                EditionFields { replaced_by: Some("GB 1".into()), ..fields("GB 1-2020", "现行", "2020-01-01") },
                "replaced_by",
                "no edition year",
            ),
        ];
        for (given, field, reason) in cases {
            let error = given.clone().check().unwrap_err();
            assert_eq!(error.field, field, "{given:?}");
            assert!(error.reason.contains(reason), "{given:?}: {error}");
        }
    }
}
