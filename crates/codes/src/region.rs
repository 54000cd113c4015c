//! GB/T 2260 administrative division codes with their names, levels, parents and history.
//!
//! The table is compiled in from the Ministry of Civil Affairs' publications (see `data/ATTRIBUTION.md`).
//! Codes are never reused, so a retired code keeps its meaning: lookups search the whole history.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use crate::charset::normalise;

const HISTORY_CSV: &str = include_str!("../data/areacodes-history.csv");

/// Level of an administrative division, which the code's shape also tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegionLevel {
    /// 省级: `XX0000`.
    Province,
    /// 地级: `XXXX00`.
    Prefecture,
    /// 县级: any other code.
    County,
}

impl RegionLevel {
    /// Stable English name.
    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::Province => "province",
            RegionLevel::Prefecture => "prefecture",
            RegionLevel::County => "county",
        }
    }

    /// Chinese name as in the tables.
    pub fn name_zh(self) -> &'static str {
        match self {
            RegionLevel::Province => "省级",
            RegionLevel::Prefecture => "地级",
            RegionLevel::County => "县级",
        }
    }
}

/// One row of the code history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// Six-digit code.
    pub code: String,
    /// Name of the division.
    pub name: String,
    /// Level from the table.
    pub level: RegionLevel,
    /// Name of the province-level division it belongs to.
    pub province_name: String,
    /// Whether the code is in use today (the 2024 publication).
    pub in_use: bool,
    /// Year the code was introduced.
    pub introduced: Option<u16>,
    /// Year the code was changed or retired.
    pub retired: Option<u16>,
    /// Codes that replaced it, when retired.
    pub successors: Vec<String>,
}

/// Why a string is not a GB/T 2260 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    /// Nothing was given.
    #[error("region code is empty")]
    Empty,
    /// Not 2, 4 or 6 digits.
    #[error("region code has {found} characters, expected 6 digits (or a 2- or 4-digit prefix)")]
    Length { found: usize },
    /// A non-digit.
    #[error("character {position} is '{found}', expected a digit")]
    Character { position: usize, found: char },
    /// Well formed but neither in use nor in the history.
    #[error("region code {code} is not in the GB/T 2260 code history")]
    Unknown { code: String },
}

impl RegionError {
    /// Stable snake_case code for APIs.
    pub fn code(&self) -> &'static str {
        match self {
            RegionError::Empty => "empty",
            RegionError::Length { .. } => "invalid_length",
            RegionError::Character { .. } => "invalid_character",
            RegionError::Unknown { .. } => "unknown_region",
        }
    }

    /// The message in Chinese, for pages.
    pub fn message_zh(&self) -> String {
        match self {
            RegionError::Empty => "行政区划代码为空".into(),
            RegionError::Length { found } => format!("行政区划代码有 {found} 位，应为 6 位（或 2、4 位前缀）"),
            RegionError::Character { position, found } => format!("第 {position} 位是“{found}”，应为数字"),
            RegionError::Unknown { code } => format!("行政区划代码 {code} 不在 GB/T 2260 历史代码中"),
        }
    }
}

/// A GB/T 2260 code that exists in the code history, stored as six digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode([u8; 6]);

impl RegionCode {
    /// Parses six digits, or a 2- or 4-digit prefix which is padded with zeros (`33` → `330000`).
    pub fn parse(input: &str) -> Result<Self, RegionError> {
        let s = normalise(input);
        if s.is_empty() {
            return Err(RegionError::Empty);
        }
        if let Some((i, c)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
            return Err(RegionError::Character { position: i + 1, found: c });
        }
        if !matches!(s.len(), 2 | 4 | 6) {
            return Err(RegionError::Length { found: s.len() });
        }
        let mut digits = [b'0'; 6];
        digits[..s.len()].copy_from_slice(s.as_bytes());
        let code = RegionCode(digits);
        if lookup(code.as_str()).is_none() {
            return Err(RegionError::Unknown { code: code.as_str().to_owned() });
        }
        Ok(code)
    }

    /// The six digits.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("digits are ASCII")
    }

    /// Level by the code's shape.
    pub fn level(&self) -> RegionLevel {
        level_of(self.as_str())
    }

    /// The significant prefix: 2 digits for a province, 4 for a prefecture, 6 for a county. A jurisdiction
    /// scoped to a region covers every code that starts with this prefix.
    pub fn prefix(&self) -> &str {
        let s = self.as_str();
        match self.level() {
            RegionLevel::Province => &s[..2],
            RegionLevel::Prefecture => &s[..4],
            RegionLevel::County => s,
        }
    }

    /// Whether `other` lies within this region (itself included).
    pub fn contains(&self, other: &str) -> bool {
        other.starts_with(self.prefix())
    }

    /// The province-level code `XX0000`.
    pub fn province(&self) -> RegionCode {
        let mut digits = [b'0'; 6];
        digits[..2].copy_from_slice(&self.0[..2]);
        RegionCode(digits)
    }

    /// The table row for this code (the current one when the code changed).
    pub fn region(&self) -> &'static Region {
        lookup(self.as_str()).expect("checked when parsed")
    }

    /// The enclosing division: the prefecture when it exists, otherwise the province; `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let s = self.as_str();
        match self.level() {
            RegionLevel::Province => None,
            RegionLevel::Prefecture => Some(self.province()),
            RegionLevel::County => {
                let prefecture = format!("{}00", &s[..4]);
                match lookup(&prefecture) {
                    Some(_) => RegionCode::parse(&prefecture).ok(),
                    None => Some(self.province()),
                }
            }
        }
    }
}

impl FromStr for RegionCode {
    type Err = RegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegionCode::parse(s)
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn level_of(code: &str) -> RegionLevel {
    if code.ends_with("0000") {
        RegionLevel::Province
    } else if code.ends_with("00") {
        RegionLevel::Prefecture
    } else {
        RegionLevel::County
    }
}

struct Table {
    rows: Vec<Region>,
    /// Code → index of its preferred row (in use, else the latest).
    by_code: HashMap<String, usize>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows = Vec::new();
        for line in HISTORY_CSV.trim_start_matches('\u{feff}').lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            let [code, province, _prefecture, name, level, status, introduced, retired, successors] = fields[..] else {
                panic!("compiled-in region table has a malformed row: {line}");
            };
            rows.push(Region {
                code: code.to_owned(),
                name: name.to_owned(),
                level: match level {
                    "省级" => RegionLevel::Province,
                    "地级" => RegionLevel::Prefecture,
                    _ => RegionLevel::County,
                },
                province_name: province.to_owned(),
                in_use: status == "在用",
                introduced: introduced.parse().ok(),
                retired: retired.parse().ok(),
                successors: successors.split(';').filter(|s| s.len() >= 6).map(|s| s[..6].to_owned()).collect(),
            });
        }
        let mut by_code: HashMap<String, usize> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            let better = match by_code.get(&row.code) {
                None => true,
                Some(&j) => row.in_use || (!rows[j].in_use && row.retired >= rows[j].retired),
            };
            if better {
                by_code.insert(row.code.clone(), i);
            }
        }
        Table { rows, by_code }
    })
}

/// The row for a six-digit code, past or present; the row in use when the code was renamed.
pub fn lookup(code: &str) -> Option<&'static Region> {
    let table = table();
    table.by_code.get(code).map(|&i| &table.rows[i])
}

/// Every row of the history for a code, oldest first.
pub fn history(code: &str) -> impl Iterator<Item = &'static Region> + '_ {
    table().rows.iter().filter(move |r| r.code == code)
}

/// Every code in use today.
pub fn in_use() -> impl Iterator<Item = &'static Region> {
    table().rows.iter().filter(|r| r.in_use)
}

/// Every row of the history, in table order.
pub fn all() -> impl Iterator<Item = &'static Region> {
    table().rows.iter()
}

/// The division an address names, by the names of its province, prefecture and county in use today, e.g.
/// "浙江省杭州市西湖区文三路" → 330106. A name counts more when its parents are named too, so "西湖区" with "杭州"
/// is Hangzhou's, not Nanchang's. `None` when nothing matches or two divisions match equally well.
pub fn from_address(address: &str) -> Option<&'static Region> {
    let address = normalise(address);
    let named = |code: &str| lookup(code).is_some_and(|r| name_in(&address, r).is_some());
    let mut found: Vec<(u32, u8, &'static Region, String)> = Vec::new();
    for region in in_use() {
        let Some(text) = name_in(&address, region) else { continue };
        let code = region.code.as_str();
        let province = format!("{}0000", &code[..2]);
        let prefecture = format!("{}00", &code[..4]);
        let (mut score, depth) = match region.level {
            RegionLevel::Province => (1, 0),
            RegionLevel::Prefecture => (1, 1),
            RegionLevel::County => (1, 2),
        };
        if region.level == RegionLevel::County && named(&prefecture) {
            score += 2;
        }
        if region.level != RegionLevel::Province && named(&province) {
            score += 2;
        }
        found.push((score, depth, region, text));
    }
    // A name seen only inside a longer matched name is not a match of its own: 绛县 in 新绛县, 吉林 in 吉林省.
    let inside_longer = |text: &str| {
        found.iter().any(|(.., other)| {
            other.len() > text.len()
                && other.contains(text)
                && address.matches(text).count() <= address.matches(other.as_str()).count()
        })
    };
    let kept: Vec<(u32, u8, &'static Region)> =
        found.iter().filter(|(.., text)| !inside_longer(text)).map(|(s, d, r, _)| (*s, *d, *r)).collect();
    let top = kept.iter().map(|(score, depth, _)| (*score, *depth)).max()?;
    let mut winners = kept.iter().filter(|(score, depth, _)| (*score, *depth) == top);
    let winner = winners.next()?.2;
    if winners.next().is_some() {
        return None;
    }
    Some(winner)
}

/// The text by which the address names a division: its name, or for a province or prefecture its short form
/// (浙江, 杭州).
fn name_in(address: &str, region: &Region) -> Option<String> {
    let name = region.name.as_str();
    if name.chars().count() < 2 || name == "市辖区" || name == "县" || name.ends_with("直辖县级行政区划") {
        return None;
    }
    if address.contains(name) {
        return Some(name.to_owned());
    }
    let short = match region.level {
        RegionLevel::Province => {
            let keep = if name.starts_with("黑龙江") || name.starts_with("内蒙古") { 3 } else { 2 };
            name.chars().take(keep).collect::<String>()
        }
        RegionLevel::Prefecture => match name.strip_suffix('市') {
            Some(stem) if stem.chars().count() >= 2 => stem.to_owned(),
            _ => return None,
        },
        RegionLevel::County => return None,
    };
    address.contains(&short).then_some(short)
}

#[cfg(test)]
mod address_tests {
    use super::from_address;

    fn code(address: &str) -> Option<&'static str> {
        from_address(address).map(|r| r.code.as_str())
    }

    #[test]
    fn full_addresses_resolve_to_the_county() {
        assert_eq!(code("浙江省杭州市西湖区文三路90号"), Some("330106"));
        assert_eq!(code("南昌市西湖区"), Some("360103"));
        assert_eq!(code("北京市朝阳区建国路"), Some("110105"));
        assert_eq!(code("广东深圳南山区科技园"), Some("440305"));
    }

    #[test]
    fn partial_addresses_resolve_as_far_as_they_go() {
        assert_eq!(code("杭州文三路"), Some("330100"));
        assert_eq!(code("浙江某地"), Some("330000"));
    }

    #[test]
    fn ambiguous_or_unknown_addresses_do_not_resolve() {
        assert_eq!(code("西湖区"), None, "Hangzhou and Nanchang both have one");
        assert_eq!(code("某某路 12 号"), None);
    }
}

#[cfg(test)]
mod every_address {
    use super::*;

    /// The full name of a division: province, prefecture and county names as an address writes them.
    fn full_name(code: &str) -> String {
        let name =
            |c: &str| lookup(c).map(|r| r.name.clone()).filter(|n| n != "市辖区" && !n.ends_with("直辖县级行政区划"));
        [name(&format!("{}0000", &code[..2])), name(&format!("{}00", &code[..4])), name(code)]
            .into_iter()
            .flatten()
            .fold(String::new(), |mut text, part| {
                if !text.ends_with(&part) {
                    text.push_str(&part);
                }
                text
            })
    }

    #[test]
    fn every_division_in_use_resolves_from_its_full_address() {
        let failures: Vec<String> = in_use()
            .filter(|r| r.name != "市辖区" && !r.name.ends_with("直辖县级行政区划"))
            .filter_map(|r| {
                let address = format!("{}某路1号", full_name(&r.code));
                let found = from_address(&address).map(|f| f.code.clone());
                (found.as_deref() != Some(r.code.as_str()))
                    .then(|| format!("{address} → {found:?}, expected {}", r.code))
            })
            .collect();
        assert!(failures.is_empty(), "{} of them:\n{}", failures.len(), failures.join("\n"));
    }
}
