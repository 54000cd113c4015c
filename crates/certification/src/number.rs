//! Certificate numbers. A CCC certificate's number is 16 digits: the year of issue (4), the certification body's
//! code (2), the product class (4) and a sequence (6), e.g. `2024010901234567`. Certificates issued under the
//! earlier numbering have 12 digits: they are accepted and marked as such. Voluntary certificates carry the
//! issuing body's own numbering: letters, digits and a few separators.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The longest number read.
pub const MAX_NUMBER_CHARS: usize = 40;

/// Why a text is not a certificate number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("a CCC certificate number is 16 digits (year, body code, product class, sequence) or an older 12-digit number; '{0}' is neither")]
    CccLength(String),
    #[error("'{0}' is not digits only")]
    CccDigits(String),
    #[error("'{0}' has an issue year before CCC began (2002) or after 2100")]
    CccYear(String),
    #[error("'{0}' ends in a zero sequence")]
    CccSequence(String),
    #[error("a certificate number is 1 to {MAX_NUMBER_CHARS} letters, digits, '-', '/', '.' or '(' ')'; '{0}' is not")]
    Voluntary(String),
}

/// The parts of a CCC number in the current format.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CccNumber {
    pub year: u16,
    /// The certification body's two-digit code.
    pub body: String,
    /// The four-digit CCC product class.
    pub class: String,
    /// The body's six-digit sequence.
    pub sequence: String,
}

/// A certificate's number as read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateNumber {
    /// A CCC number in the current 16-digit format.
    Ccc(CccNumber),
    /// A CCC number in the earlier 12-digit format: accepted and marked, its parts not read.
    CccLegacy(String),
    /// A voluntary certificate's number, in the issuing body's own format.
    Voluntary(String),
}

impl CertificateNumber {
    /// Reads a CCC number: spaces and hyphens people put between the groups are dropped.
    pub fn ccc(text: &str) -> Result<CertificateNumber, NumberError> {
        let digits: String = text.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        if !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(NumberError::CccDigits(text.trim().to_owned()));
        }
        match digits.len() {
            16 => {
                let year: u16 = digits[..4].parse().map_err(|_| NumberError::CccYear(digits.clone()))?;
                if !(2002..=2100).contains(&year) {
                    return Err(NumberError::CccYear(digits));
                }
                if digits[10..].bytes().all(|b| b == b'0') {
                    return Err(NumberError::CccSequence(digits));
                }
                Ok(CertificateNumber::Ccc(CccNumber {
                    year,
                    body: digits[4..6].to_owned(),
                    class: digits[6..10].to_owned(),
                    sequence: digits[10..].to_owned(),
                }))
            }
            12 => Ok(CertificateNumber::CccLegacy(digits)),
            _ => Err(NumberError::CccLength(text.trim().to_owned())),
        }
    }

    /// Reads a voluntary certificate's number.
    pub fn voluntary(text: &str) -> Result<CertificateNumber, NumberError> {
        let text = text.trim();
        let fits = !text.is_empty()
            && text.chars().count() <= MAX_NUMBER_CHARS
            && text.chars().all(|c| c.is_ascii_alphanumeric() || "-/.()".contains(c));
        if fits {
            Ok(CertificateNumber::Voluntary(text.to_owned()))
        } else {
            Err(NumberError::Voluntary(text.to_owned()))
        }
    }

    /// Whether it is a CCC number in the earlier format.
    pub fn is_legacy(&self) -> bool {
        matches!(self, CertificateNumber::CccLegacy(_))
    }

    /// The parts of a current CCC number.
    pub fn ccc_parts(&self) -> Option<&CccNumber> {
        match self {
            CertificateNumber::Ccc(parts) => Some(parts),
            _ => None,
        }
    }
}

impl fmt::Display for CertificateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CertificateNumber::Ccc(p) => write!(f, "{:04}{}{}{}", p.year, p.body, p.class, p.sequence),
            CertificateNumber::CccLegacy(text) | CertificateNumber::Voluntary(text) => f.write_str(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ccc_number_reads_into_its_parts_and_an_older_one_is_marked() {
        let number = CertificateNumber::ccc("2024 01 0901 234567").unwrap();
        let parts = number.ccc_parts().unwrap();
        assert_eq!((parts.year, parts.body.as_str(), parts.class.as_str()), (2024, "01", "0901"));
        assert_eq!(number.to_string(), "2024010901234567");
        assert!(!number.is_legacy());
        let old = CertificateNumber::ccc("200301080111").unwrap();
        assert!(old.is_legacy());
        assert_eq!(old.to_string(), "200301080111");
    }

    #[test]
    fn a_number_that_does_not_read_says_why() {
        assert!(matches!(CertificateNumber::ccc("20240109012345"), Err(NumberError::CccLength(_))));
        assert!(matches!(CertificateNumber::ccc("2024010901234A67"), Err(NumberError::CccDigits(_))));
        assert!(matches!(CertificateNumber::ccc("1999010901234567"), Err(NumberError::CccYear(_))));
        assert!(matches!(CertificateNumber::ccc("2024010901000000"), Err(NumberError::CccSequence(_))));
        assert_eq!(CertificateNumber::voluntary(" 00124Q31234R1M/3300 ").unwrap().to_string(), "00124Q31234R1M/3300");
        assert!(CertificateNumber::voluntary("含中文").is_err());
        assert!(CertificateNumber::voluntary(&"9".repeat(41)).is_err());
    }
}
