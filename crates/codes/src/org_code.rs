//! 组织机构代码 (organization code, GB 11714-1997): eight body characters and a mod-11 check character.

use std::fmt;
use std::str::FromStr;

use crate::charset::{first_non_ascii, normalise};

const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];

/// A checked organization code, stored without the printed hyphen (`XXXXXXXX-X` is [`OrgCode::printed`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgCode(String);

/// What is wrong with an organization code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrgCodeError {
    /// Nothing was given.
    #[error("organization code is empty")]
    Empty,
    /// Not nine characters (eight body characters and the check character).
    #[error("organization code has {found} characters, expected 9 (8 body characters and a check character)")]
    Length { found: usize },
    /// A body character outside 0-9 and A-Z, or a check character outside 0-9 and X.
    #[error("character {position} is '{found}', which is not allowed there")]
    Character { position: usize, found: char },
    /// The check character does not match the body.
    #[error("check character is '{found}', expected '{expected}'")]
    Check { found: char, expected: char },
}

impl OrgCodeError {
    /// Stable snake_case code for APIs.
    pub fn code(&self) -> &'static str {
        match self {
            OrgCodeError::Empty => "empty",
            OrgCodeError::Length { .. } => "invalid_length",
            OrgCodeError::Character { .. } => "invalid_character",
            OrgCodeError::Check { .. } => "check_character",
        }
    }

    /// The message in Chinese, for pages.
    pub fn message_zh(&self) -> String {
        match self {
            OrgCodeError::Empty => "组织机构代码为空".into(),
            OrgCodeError::Length { found } => {
                format!("组织机构代码有 {found} 位，应为 9 位（8 位本体代码和 1 位校验码）")
            }
            OrgCodeError::Character { position, found } => format!("第 {position} 位“{found}”不允许出现在该位置"),
            OrgCodeError::Check { found, expected } => format!("校验码是“{found}”，应为“{expected}”"),
        }
    }
}

fn body_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// The check character for eight body characters, or the 1-based position of the first bad character.
pub(crate) fn check_character(body: &[u8]) -> Result<u8, usize> {
    let mut sum = 0;
    for (i, (&c, w)) in body.iter().zip(WEIGHTS).enumerate() {
        sum += body_value(c).ok_or(i + 1)? * w;
    }
    Ok(match 11 - sum % 11 {
        10 => b'X',
        11 => b'0',
        n => b'0' + n as u8,
    })
}

impl OrgCode {
    /// Parses an organization code; accepts the printed form with a hyphen, lower case and surrounding spaces.
    pub fn parse(input: &str) -> Result<Self, OrgCodeError> {
        let mut s = normalise(input);
        if s.len() == 10 && s.as_bytes()[8] == b'-' {
            s.remove(8);
        }
        if s.is_empty() {
            return Err(OrgCodeError::Empty);
        }
        if let Some((position, found)) = first_non_ascii(&s) {
            return Err(OrgCodeError::Character { position, found });
        }
        let count = s.len();
        if count != 9 {
            return Err(OrgCodeError::Length { found: count });
        }
        let bytes = s.as_bytes();
        let expected = check_character(&bytes[..8])
            .map_err(|position| OrgCodeError::Character { position, found: bytes[position - 1] as char })?;
        let found = bytes[8];
        if !(found.is_ascii_digit() || found == b'X') {
            return Err(OrgCodeError::Character { position: 9, found: found as char });
        }
        if found != expected {
            return Err(OrgCodeError::Check { found: found as char, expected: expected as char });
        }
        Ok(OrgCode(s))
    }

    /// The nine characters without hyphen.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The printed form `XXXXXXXX-X`.
    pub fn printed(&self) -> String {
        format!("{}-{}", &self.0[..8], &self.0[8..])
    }
}

impl FromStr for OrgCode {
    type Err = OrgCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrgCode::parse(s)
    }
}

impl fmt::Display for OrgCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
