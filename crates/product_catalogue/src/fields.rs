//! An entry as a file or a request carries it, field by field, and its check: each refusal names the field.

use std::collections::BTreeSet;

use serde::Deserialize;

use crate::{Entry, Level, Listing, Regime};
pub use rulekit::fields::FieldError;
use rulekit::fields::{fault, given, present};

/// The longest code: `K23-06-01` and the older `0401` are far shorter.
pub const MAX_CODE_CHARS: usize = 20;

/// The longest name kept.
pub const MAX_NAME_CHARS: usize = 100;

/// The columns of an entry row, in the order files list them.
pub const COLUMNS: &[&str] =
    &["code", "name_zh", "name_en", "level", "parent", "edition", "regimes", "maps_to", "listing"];

/// An entry's fields as they arrive (a CSV row or a JSON object), texts not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CatalogueEntryInput)]
pub struct EntryFields {
    /// Required: letters, digits, `-` and `.`, at most 20: `K23-06-01`.
    #[schema(max_length = 20)]
    pub code: Option<String>,
    /// Required: the Chinese name as the catalogue writes it.
    #[schema(max_length = 100)]
    pub name_zh: Option<String>,
    /// Required: the English name.
    #[schema(max_length = 100)]
    pub name_en: Option<String>,
    /// Required: `class` (大类) or `product` (产品).
    #[schema(max_length = 10)]
    pub level: Option<String>,
    /// The class a product belongs to: required for a product.
    #[schema(max_length = 20)]
    pub parent: Option<String>,
    /// The catalogue edition's year (`2023`); empty for an older sampling category.
    #[schema(max_length = 4)]
    pub edition: Option<String>,
    /// The regimes, separated by `;`: `sampling`, `licence`, `ccc`, `monitoring`, `recall` (or their Chinese
    /// names: 监督抽查, 生产许可, 强制性产品认证, 风险监测, 缺陷产品召回).
    #[schema(max_length = 200)]
    pub regimes: Option<String>,
    /// For an older category: the catalogue product it means.
    #[schema(max_length = 20)]
    pub maps_to: Option<String>,
    /// `listed` (the default) or `retired`.
    #[schema(max_length = 10)]
    pub listing: Option<String>,
}

fn checked_code(field: &'static str, text: String) -> Result<String, FieldError> {
    let fits = text.chars().count() <= MAX_CODE_CHARS
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.');
    if fits {
        Ok(text)
    } else {
        Err(fault(field, format!("'{text}' is not a code: letters, digits, '-' and '.', at most {MAX_CODE_CHARS}")))
    }
}

fn name(field: &'static str, value: Option<String>) -> Result<String, FieldError> {
    let text = present(field, value)?;
    if text.chars().count() > MAX_NAME_CHARS {
        return Err(fault(field, format!("a name is at most {MAX_NAME_CHARS} characters")));
    }
    if text.chars().any(char::is_control) {
        return Err(fault(field, "a name has no control characters"));
    }
    Ok(text)
}

/// A value of a vocabulary by its text or its Chinese name.
fn term<T: rulekit::Vocabulary>(field: &'static str, text: &str) -> Result<T, FieldError> {
    T::values().iter().copied().find(|v| v.text() == text || v.name_zh() == text).ok_or_else(|| {
        let expected: Vec<String> = T::values().iter().map(|v| format!("{} ({})", v.text(), v.name_zh())).collect();
        fault(field, format!("'{text}' is not a {}: {}", T::WHAT, expected.join(", ")))
    })
}

/// The regimes as files write them: their texts joined by `;`.
pub fn regimes_text(regimes: &BTreeSet<Regime>) -> String {
    regimes.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(";")
}

impl EntryFields {
    /// Reads the fields into an entry; whether it fits the others is the catalogue's check.
    pub fn check(self) -> Result<Entry, FieldError> {
        let code = checked_code("code", present("code", self.code)?)?;
        let name_zh = name("name_zh", self.name_zh)?;
        let name_en = name("name_en", self.name_en)?;
        let level = term::<Level>("level", &present("level", self.level)?)?;
        let parent = given(self.parent).map(|t| checked_code("parent", t)).transpose()?;
        let edition = given(self.edition)
            .map(|t| match t.parse::<i32>() {
                Ok(year) if (1990..=2100).contains(&year) => Ok(year),
                _ => Err(fault("edition", format!("'{t}' is not a catalogue year"))),
            })
            .transpose()?;
        let mut regimes = BTreeSet::new();
        for part in given(self.regimes).unwrap_or_default().split([';', ',', '、', '；', '，']) {
            let part = part.trim();
            if !part.is_empty() {
                regimes.insert(term::<Regime>("regimes", part)?);
            }
        }
        let maps_to = given(self.maps_to).map(|t| checked_code("maps_to", t)).transpose()?;
        let listing =
            given(self.listing).map(|t| term::<Listing>("listing", &t)).transpose()?.unwrap_or(Listing::Listed);
        Ok(Entry { code, name_zh, name_en, level, parent, edition, regimes, maps_to, listing })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(code: &str, level: &str) -> EntryFields {
        EntryFields {
            code: Some(code.into()),
            name_zh: Some("玩具".into()),
            name_en: Some("Toys".into()),
            level: Some(level.into()),
            parent: Some("K23-06".into()),
            edition: Some("2023".into()),
            regimes: Some("监督抽查；ccc, recall".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_row_reads_with_chinese_names_and_any_separator() {
        let entry = fields(" K23-06-01 ", "产品").check().unwrap();
        assert_eq!(entry.code, "K23-06-01");
        assert_eq!(entry.level, Level::Product);
        assert_eq!(regimes_text(&entry.regimes), "sampling;ccc;recall");
        assert_eq!(entry.listing, Listing::Listed);
    }

    #[test]
    fn a_field_that_does_not_read_is_named() {
        let cases = [
            (EntryFields { code: None, ..fields("x", "product") }, "code", "code is required"),
            (fields("K23 06", "product"), "code", "not a code"),
            (fields(&"K".repeat(21), "product"), "code", "at most 20"),
            (fields("K1", "group"), "level", "'group' is not a catalogue level"),
            (EntryFields { name_en: Some("长".repeat(101)), ..fields("K1", "product") }, "name_en", "at most"),
            (EntryFields { name_zh: Some("玩\u{0}具".into()), ..fields("K1", "product") }, "name_zh", "control"),
            (EntryFields { edition: Some("23".into()), ..fields("K1", "product") }, "edition", "not a catalogue year"),
            (EntryFields { regimes: Some("ccc;3c".into()), ..fields("K1", "product") }, "regimes", "'3c' is not"),
            (EntryFields { listing: Some("gone".into()), ..fields("K1", "product") }, "listing", "'gone'"),
            (EntryFields { parent: Some("a/b".into()), ..fields("K1", "product") }, "parent", "not a code"),
        ];
        for (given, field, reason) in cases {
            let error = given.clone().check().unwrap_err();
            assert_eq!(error.field, field, "{given:?}");
            assert!(error.reason.contains(reason), "{given:?}: {error}");
        }
    }
}
