//! Standard numbers: `GB 4806.7-2016`, `GB/T 3325-2024`, `GB/Z 41305-2022`, industry (`QB/T 1952.1-2012`), local
//! (`DB33/T 2217-2019`) and group (`T/CAS 115-2005`) standards, each with its edition year.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Force;

/// The longest number read: the longest real ones are about 25 characters.
pub const MAX_NUMBER_CHARS: usize = 40;

/// A standard's number with its edition year, in canonical form (`GB/T 3325-2024`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StandardNumber {
    prefix: String,
    number: String,
    year: u16,
}

/// Why a text is not a standard number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("a standard number is at most {MAX_NUMBER_CHARS} characters")]
    TooLong,
    #[error("'{0}' has no edition year: write the number with its year, e.g. GB 4806.7-2016")]
    NoYear(String),
    #[error("'{0}' does not start with a standard's code such as GB, GB/T or DB33/T")]
    Prefix(String),
    #[error("'{0}' has no number of digits (and dots for parts) after its code")]
    Number(String),
    #[error("'{0}' has an edition year that is not a year")]
    Year(String),
}

impl StandardNumber {
    /// The code of the issuing system, with `/T` or `/Z` (`GB/T`, `DB33/T`, `T/CAS`).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The number and part (`4806.7`).
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The edition year.
    pub fn year(&self) -> u16 {
        self.year
    }

    /// The standard without its edition (`GB 4806.7`): what every edition of it shares.
    pub fn standard(&self) -> String {
        format!("{} {}", self.prefix, self.number)
    }

    /// Mandatory, recommended or guidance, by the code: `/T` recommends, `/Z` guides, a group standard (`T/…`)
    /// binds only who adopts it; any other code is mandatory.
    pub fn force(&self) -> Force {
        if self.prefix.ends_with("/T") || self.prefix.starts_with("T/") {
            Force::Recommended
        } else if self.prefix.ends_with("/Z") {
            Force::Guidance
        } else {
            Force::Mandatory
        }
    }
}

impl FromStr for StandardNumber {
    type Err = NumberError;

    /// Reads a cited number: full-width slashes and dashes, and a missing space after the code, as people type
    /// them; a two-digit year (editions before 2000, `GB 8410-94`) as 19xx.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.chars().count() > MAX_NUMBER_CHARS {
            return Err(NumberError::TooLong);
        }
        let normal = half_width_upper(text.trim());
        let (head, year_text) = normal.rsplit_once('-').ok_or_else(|| NumberError::NoYear(text.to_owned()))?;
        let year = parse_year(year_text.trim()).ok_or_else(|| NumberError::Year(text.to_owned()))?;
        let (prefix, number) = split_code(head.trim()).ok_or_else(|| NumberError::Prefix(text.to_owned()))?;
        let number_ok = !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit() || c == '.')
            && !number.starts_with('.')
            && !number.ends_with('.')
            && !number.contains("..");
        if !number_ok {
            return Err(NumberError::Number(text.to_owned()));
        }
        Ok(StandardNumber { prefix, number: number.to_owned(), year })
    }
}

/// Reads a citation as test items and scope rows write it, a number with its edition and then a clause
/// (`GB 6675.2-2014 4.1`, `GB/T 3325-2024 5.3.2`): the edition and the clause (empty when none is given). The
/// number is the shortest run of leading words that reads as one.
pub fn cited(text: &str) -> Result<(StandardNumber, String), NumberError> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut first_error = None;
    for end in 1..=words.len().min(3) {
        match words[..end].join(" ").parse::<StandardNumber>() {
            Ok(number) => return Ok((number, words[end..].join(" "))),
            Err(error) => {
                first_error.get_or_insert(error);
            }
        }
    }
    // The whole text's error says most when no run of words reads (a missing year, an unknown code).
    Err(text.trim().parse::<StandardNumber>().err().or(first_error).unwrap_or(NumberError::NoYear(text.to_owned())))
}

/// Full-width slashes, dashes and dots as their ASCII forms, letters upper case.
fn half_width_upper(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '／' => '/',
            '－' | '—' | '–' | '‐' => '-',
            '．' => '.',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// The start of a number as the catalogue writes it (`gb/t3325` → `GB/T 3325`): what a search by number
/// matches against stored numbers.
pub fn number_start(text: &str) -> String {
    let compact: String = half_width_upper(text).chars().filter(|c| !c.is_whitespace()).collect();
    match split_code(&compact) {
        Some((prefix, "")) => prefix,
        Some((prefix, rest)) => format!("{prefix} {rest}"),
        None => compact,
    }
}

/// Splits `GB/T 3325` into its code and number: letters (with a local standard's two province digits after
/// `DB`), then any `/` and letters (`/T`, `/Z`, a group's `/CAS`); the rest is the number.
fn split_code(head: &str) -> Option<(String, &str)> {
    let letters = |s: &str| s.chars().take_while(char::is_ascii_alphabetic).count();
    let mut end = letters(head);
    if end == 0 {
        return None;
    }
    if &head[..end] == "DB" {
        let digits = head[end..].chars().take_while(char::is_ascii_digit).count();
        if digits == 2 {
            end += 2;
        }
    }
    while head[end..].starts_with('/') {
        let more = letters(&head[end + 1..]);
        if more == 0 {
            return None;
        }
        end += 1 + more;
    }
    Some((head[..end].to_owned(), head[end..].trim_start()))
}

fn parse_year(text: &str) -> Option<u16> {
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    match text.len() {
        4 => text.parse().ok().filter(|y| (1949..=2100).contains(y)),
        2 => text.parse::<u16>().ok().map(|y| 1900 + y).filter(|y| *y >= 1949),
        _ => None,
    }
}

impl fmt::Display for StandardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}-{}", self.prefix, self.number, self.year)
    }
}

impl Serialize for StandardNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StandardNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> StandardNumber {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn numbers_read_to_their_canonical_form_and_force() {
        let cases = [
            ("GB 4806.7-2016", "GB 4806.7-2016", Force::Mandatory),
            ("GB/T 3325-2024", "GB/T 3325-2024", Force::Recommended),
            ("gb/t3325-2017", "GB/T 3325-2017", Force::Recommended),
            ("GB／T 1.1－2020", "GB/T 1.1-2020", Force::Recommended),
            ("GB/Z 41305-2022", "GB/Z 41305-2022", Force::Guidance),
            ("QB/T 1952.1-2012", "QB/T 1952.1-2012", Force::Recommended),
            ("DB33/T 2217-2019", "DB33/T 2217-2019", Force::Recommended),
            ("T/CAS 115-2005", "T/CAS 115-2005", Force::Recommended),
            ("GB 8410-94", "GB 8410-1994", Force::Mandatory),
            ("GB5009.3-2016", "GB 5009.3-2016", Force::Mandatory),
        ];
        for (text, canonical, force) in cases {
            let number = read(text);
            assert_eq!(number.to_string(), canonical, "{text}");
            assert_eq!(number.force(), force, "{text}");
        }
        let edition = read("GB/T 3325-2024");
        assert_eq!((edition.prefix(), edition.number(), edition.year()), ("GB/T", "3325", 2024));
        assert_eq!(edition.standard(), "GB/T 3325");
        assert_ne!(edition, read("GB/T 3325-2017"), "editions differ");
    }

    #[test]
    fn a_number_that_is_not_one_says_what_is_wrong() {
        let cases = [
            ("GB 4806.7", NumberError::NoYear("GB 4806.7".into())),
            ("GB 4806.7-16x", NumberError::Year("GB 4806.7-16x".into())),
            ("GB 4806.7-1812", NumberError::Year("GB 4806.7-1812".into())),
            ("4806.7-2016", NumberError::Prefix("4806.7-2016".into())),
            ("GB/ 4806.7-2016", NumberError::Prefix("GB/ 4806.7-2016".into())),
            ("GB 4806..7-2016", NumberError::Number("GB 4806..7-2016".into())),
            ("GB 48A6-2016", NumberError::Number("GB 48A6-2016".into())),
            ("G-B 4806-2016", NumberError::Number("G-B 4806-2016".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(text.parse::<StandardNumber>(), Err(expected), "{text}");
        }
        assert_eq!("GB ".repeat(20).parse::<StandardNumber>(), Err(NumberError::TooLong));
    }

    #[test]
    fn a_typed_start_of_a_number_reads_as_stored_numbers_begin() {
        for (typed, start) in
            [("gb/t3325", "GB/T 3325"), ("GB 4806.", "GB 4806."), ("db33/t 22", "DB33/T 22"), ("gb", "GB")]
        {
            assert_eq!(number_start(typed), start, "{typed}");
        }
    }

    #[test]
    fn a_number_round_trips_as_its_text() {
        let number = read("GB/T 3325-2024");
        let json = serde_json::to_string(&number).unwrap();
        assert_eq!(json, "\"GB/T 3325-2024\"");
        assert_eq!(serde_json::from_str::<StandardNumber>(&json).unwrap(), number);
        assert!(serde_json::from_str::<StandardNumber>("\"GB 1\"").is_err());
    }

    #[test]
    fn a_citation_reads_as_its_edition_and_clause() {
        let (number, clause) = cited("GB 6675.2-2014 4.1").unwrap();
        assert_eq!((number.to_string(), clause.as_str()), ("GB 6675.2-2014".into(), "4.1"));
        let (number, clause) = cited("gb/t3325-2024  5.3.2 a)").unwrap();
        assert_eq!((number.to_string(), clause.as_str()), ("GB/T 3325-2024".into(), "5.3.2 a)"));
        let (number, clause) = cited("DB33/T 2217-2019").unwrap();
        assert_eq!((number.to_string(), clause.as_str()), ("DB33/T 2217-2019".into(), ""));
        assert!(matches!(cited("GB 6675.2 4.1"), Err(NumberError::NoYear(_))), "{:?}", cited("GB 6675.2 4.1"));
        assert!(cited("第4.1条").is_err());
    }
}
