//! GS1 keys: GTIN-8/12/13/14, GLN and SSCC with the mod-10 check digit, and GS1 prefix → issuing office.

use std::fmt;
use std::str::FromStr;

use crate::charset::{gs1_check_digit, normalise};

/// Why a string is not a GS1 key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    /// Nothing was given.
    #[error("{key} is empty")]
    Empty { key: &'static str },
    /// A length the key does not have.
    #[error("{key} has {found} digits, expected {expected}")]
    Length { key: &'static str, found: usize, expected: &'static str },
    /// A non-digit.
    #[error("character {position} is '{found}', expected a digit")]
    Character { position: usize, found: char },
    /// The check digit does not match.
    #[error("check digit is '{found}', expected '{expected}'")]
    Check { found: char, expected: char },
}

impl Gs1Error {
    /// Stable snake_case code for APIs.
    pub fn code(&self) -> &'static str {
        match self {
            Gs1Error::Empty { .. } => "empty",
            Gs1Error::Length { .. } => "invalid_length",
            Gs1Error::Character { .. } => "invalid_character",
            Gs1Error::Check { .. } => "check_character",
        }
    }

    /// The message in Chinese, for pages.
    pub fn message_zh(&self) -> String {
        match self {
            Gs1Error::Empty { key } => format!("{key} 为空"),
            Gs1Error::Length { key, found, expected } => format!("{key} 有 {found} 位数字，应为 {expected} 位"),
            Gs1Error::Character { position, found } => format!("第 {position} 位是“{found}”，应为数字"),
            Gs1Error::Check { found, expected } => format!("校验码是“{found}”，应为“{expected}”"),
        }
    }
}

/// Checks digits, one of the allowed lengths and the check digit; returns the normalised digits.
fn parse_digits(input: &str, key: &'static str, lengths: &[usize], expected: &'static str) -> Result<String, Gs1Error> {
    let s = normalise(input);
    if s.is_empty() {
        return Err(Gs1Error::Empty { key });
    }
    if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(Gs1Error::Character { position: i + 1, found: c });
    }
    if !lengths.contains(&s.len()) {
        return Err(Gs1Error::Length { key, found: s.len(), expected });
    }
    let (data, check) = s.as_bytes().split_at(s.len() - 1);
    let want = gs1_check_digit(data);
    if check[0] != want {
        return Err(Gs1Error::Check { found: check[0] as char, expected: want as char });
    }
    Ok(s)
}

/// Appends the check digit to data digits (callers guarantee ASCII digits).
pub fn with_check_digit(data: &str) -> String {
    let mut s = data.to_owned();
    s.push(gs1_check_digit(data.as_bytes()) as char);
    s
}

macro_rules! gs1_key {
    ($(#[$doc:meta])* $name:ident, $key:literal, $lengths:expr, $expected:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Parses the digits and checks the check digit.
            pub fn parse(input: &str) -> Result<Self, Gs1Error> {
                parse_digits(input, $key, $lengths, $expected).map($name)
            }

            /// The digits.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The GS1 member organisation that issued the prefix (not the country of origin).
            pub fn issuing_office(&self) -> Option<&'static str> {
                prefix_office(&self.gs1_prefix())
            }
        }

        impl FromStr for $name {
            type Err = Gs1Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

gs1_key!(
    /// Global Trade Item Number in any of its lengths (8, 12, 13, 14).
    Gtin, "GTIN", &[8, 12, 13, 14], "8, 12, 13 or 14"
);
gs1_key!(
    /// Global Location Number (13 digits).
    Gln, "GLN", &[13], "13"
);
gs1_key!(
    /// Serial Shipping Container Code (18 digits).
    Sscc, "SSCC", &[18], "18"
);

impl Gtin {
    /// The GTIN padded to 14 digits, the form used in Digital Links and EPCs.
    pub fn to_gtin14(&self) -> String {
        format!("{:0>14}", self.0)
    }

    /// The same GTIN in its 14-digit form, the key products are stored under.
    pub fn into_gtin14(self) -> Gtin {
        match self.0.len() {
            14 => self,
            _ => Gtin(self.to_gtin14()),
        }
    }

    /// The format: 8, 12, 13 or 14.
    pub fn format(&self) -> usize {
        self.0.len()
    }

    /// The three-digit GS1 prefix (of the GTIN-13 form; a GTIN-8 uses its own first three digits).
    pub fn gs1_prefix(&self) -> String {
        match self.0.len() {
            8 => self.0[..3].to_owned(),
            _ => self.to_gtin14()[1..4].to_owned(),
        }
    }

    /// Whether the prefix was issued by GS1 China (690–699, 680–681).
    pub fn is_gs1_china(&self) -> bool {
        self.issuing_office() == Some("GS1 China")
    }

    /// Length of the GS1 company prefix where it is known from the range (GS1 China's allocations), counted on
    /// the GTIN-13 form.
    pub fn company_prefix_length(&self) -> Option<usize> {
        if self.0.len() == 8 {
            return None;
        }
        company_prefix_length(&self.to_gtin14()[1..])
    }
}

impl Gln {
    /// The three-digit GS1 prefix.
    pub fn gs1_prefix(&self) -> String {
        self.0[..3].to_owned()
    }
}

impl Sscc {
    /// The three-digit GS1 prefix (after the extension digit).
    pub fn gs1_prefix(&self) -> String {
        self.0[1..4].to_owned()
    }
}

/// Company prefix length where GS1's allocation rules for the range fix it. Input: digits after any indicator.
pub fn company_prefix_length(digits: &str) -> Option<usize> {
    match digits.get(..3)? {
        "690" | "691" => Some(7),
        "692" | "693" | "694" | "695" | "696" => Some(8),
        "697" => Some(9),
        _ => None,
    }
}

/// GS1 prefix ranges and the member organisation that issues them.
const PREFIX_OFFICES: &[(u16, u16, &str)] = &[
    (0, 19, "GS1 US"),
    (20, 29, "restricted circulation"),
    (30, 39, "GS1 US (drugs)"),
    (40, 49, "restricted circulation"),
    (50, 59, "GS1 US (coupons)"),
    (60, 139, "GS1 US"),
    (200, 299, "restricted circulation"),
    (300, 379, "GS1 France"),
    (380, 380, "GS1 Bulgaria"),
    (383, 383, "GS1 Slovenija"),
    (385, 385, "GS1 Croatia"),
    (387, 387, "GS1 BIH"),
    (389, 389, "GS1 Montenegro"),
    (400, 440, "GS1 Germany"),
    (450, 459, "GS1 Japan"),
    (460, 469, "GS1 Russia"),
    (470, 470, "GS1 Kyrgyzstan"),
    (471, 471, "GS1 Taiwan"),
    (474, 474, "GS1 Estonia"),
    (475, 475, "GS1 Latvia"),
    (476, 476, "GS1 Azerbaijan"),
    (477, 477, "GS1 Lithuania"),
    (478, 478, "GS1 Uzbekistan"),
    (479, 479, "GS1 Sri Lanka"),
    (480, 480, "GS1 Philippines"),
    (481, 481, "GS1 Belarus"),
    (482, 482, "GS1 Ukraine"),
    (484, 484, "GS1 Moldova"),
    (485, 485, "GS1 Armenia"),
    (486, 486, "GS1 Georgia"),
    (487, 487, "GS1 Kazakstan"),
    (488, 488, "GS1 Tajikistan"),
    (489, 489, "GS1 Hong Kong, China"),
    (490, 499, "GS1 Japan"),
    (500, 509, "GS1 UK"),
    (520, 521, "GS1 Association Greece"),
    (528, 528, "GS1 Lebanon"),
    (529, 529, "GS1 Cyprus"),
    (530, 530, "GS1 Albania"),
    (531, 531, "GS1 North Macedonia"),
    (535, 535, "GS1 Malta"),
    (539, 539, "GS1 Ireland"),
    (540, 549, "GS1 Belgium & Luxembourg"),
    (560, 560, "GS1 Portugal"),
    (569, 569, "GS1 Iceland"),
    (570, 579, "GS1 Denmark"),
    (590, 590, "GS1 Poland"),
    (594, 594, "GS1 Romania"),
    (599, 599, "GS1 Hungary"),
    (600, 601, "GS1 South Africa"),
    (680, 681, "GS1 China"),
    (690, 699, "GS1 China"),
    (700, 709, "GS1 Norway"),
    (729, 729, "GS1 Israel"),
    (730, 739, "GS1 Sweden"),
    (760, 769, "GS1 Switzerland"),
    (770, 771, "GS1 Colombia"),
    (789, 790, "GS1 Brasil"),
    (800, 839, "GS1 Italy"),
    (840, 849, "GS1 Spain"),
    (850, 850, "GS1 Cuba"),
    (858, 858, "GS1 Slovakia"),
    (859, 859, "GS1 Czech"),
    (860, 860, "GS1 Serbia"),
    (868, 869, "GS1 Türkiye"),
    (870, 879, "GS1 Netherlands"),
    (880, 881, "GS1 Korea"),
    (885, 885, "GS1 Thailand"),
    (888, 888, "GS1 Singapore"),
    (890, 890, "GS1 India"),
    (893, 893, "GS1 Vietnam"),
    (899, 899, "GS1 Indonesia"),
    (900, 919, "GS1 Austria"),
    (930, 939, "GS1 Australia"),
    (940, 949, "GS1 New Zealand"),
    (955, 955, "GS1 Malaysia"),
    (958, 958, "GS1 Macau, China"),
    (977, 977, "serial publications (ISSN)"),
    (978, 979, "Bookland (ISBN)"),
    (980, 980, "refund receipts"),
    (981, 984, "coupons"),
    (990, 999, "coupons"),
];

/// The issuing office for a three-digit prefix.
pub fn prefix_office(prefix: &str) -> Option<&'static str> {
    let n: u16 = prefix.parse().ok()?;
    PREFIX_OFFICES.iter().find(|(lo, hi, _)| (*lo..=*hi).contains(&n)).map(|(_, _, office)| *office)
}
