//! Reading the text fields of a file row or a request into checked values, in one way for every register: which
//! field failed and why.

use chrono::NaiveDate;

use crate::Vocabulary;

/// A field that does not read, or a record that does not fit: which field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: &'static str,
    pub reason: String,
}

/// A field's fault.
pub fn fault(field: &'static str, reason: impl ToString) -> FieldError {
    FieldError { field, reason: reason.to_string() }
}

/// The trimmed value, or none when missing or blank.
pub fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The trimmed value of a required field.
pub fn present(field: &'static str, value: Option<String>) -> Result<String, FieldError> {
    given(value).ok_or_else(|| fault(field, format!("{field} is required")))
}

/// A day written `YYYY-MM-DD`.
pub fn day(field: &'static str, text: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| fault(field, format!("'{text}' is not a date YYYY-MM-DD")))
}

/// A value of a vocabulary by its text or its Chinese name.
pub fn term<T: Vocabulary>(field: &'static str, text: &str) -> Result<T, FieldError> {
    T::values().iter().copied().find(|v| v.text() == text || v.name_zh() == text).ok_or_else(|| {
        let expected: Vec<&str> = T::values().iter().map(|v| v.text()).collect();
        fault(field, format!("'{text}' is not a {}: {}", T::WHAT, expected.join(", ")))
    })
}

/// A text of at most `max` characters without control characters.
pub fn text(field: &'static str, value: String, max: usize) -> Result<String, FieldError> {
    if value.chars().count() > max {
        return Err(fault(field, format!("at most {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(fault(field, "no control characters"));
    }
    Ok(value)
}

/// A required USCC, in its canonical form.
pub fn uscc(field: &'static str, value: Option<String>) -> Result<String, FieldError> {
    let text = present(field, value)?;
    text.parse::<codes::Uscc>().map(|u| u.to_string()).map_err(|e| fault(field, format!("'{text}': {e}")))
}

/// A required GB/T 2260 region code in use.
pub fn region(field: &'static str, value: Option<String>) -> Result<String, FieldError> {
    let text = present(field, value)?;
    text.parse::<codes::RegionCode>().map(|r| r.to_string()).map_err(|e| fault(field, format!("'{text}': {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_say_which_failed_and_why() {
        assert_eq!(present("name", Some("  ".into())).unwrap_err().reason, "name is required");
        assert_eq!(given(Some(" a ".into())).as_deref(), Some("a"));
        assert!(day("on", "2026-02-30").unwrap_err().reason.contains("not a date"));
        assert!(text("note", "a\u{7}".into(), 10).is_err());
        assert!(text("note", "一二三".into(), 2).unwrap_err().reason.contains("at most 2"));
        assert_eq!(term::<crate::Confidence>("confidence", "原文核实").unwrap(), crate::Confidence::Primary);
        assert!(term::<crate::Confidence>("confidence", "sure").unwrap_err().reason.contains("primary"));
        assert!(uscc("holder", Some("91350100M00010".into())).is_err());
        assert_eq!(uscc("holder", Some(" 91350100M000100Y43 ".into())).unwrap(), "91350100M000100Y43");
    }
}
