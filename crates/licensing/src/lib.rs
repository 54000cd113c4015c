//! Production licensing (生产许可, C10): the industrial-product production licence (工业产品生产许可证, numbered
//! `XK` + product unit + product + serial, with a province's abbreviation in front when a province issued it:
//! `(浙)XK06-014-00123`) and the food production licence (食品生产许可证, `SC` + 14 digits: the food category (3),
//! the GB/T 2260 code of the county that issued it (6), a serial (4) and a check digit), the holder, the products
//! (catalogue codes) and sites, validity and the statuses a licence passes through (《工业产品生产许可证管理条例》
//! Arts. 44–47; 《食品生产许可管理办法》 Arts. 44–51). No IO.

use std::fmt;

use chrono::NaiveDate;
pub use rulekit::fields::FieldError;
use rulekit::fields::{day, fault, given, present};
use rulekit::Refusal;
use serde::{Deserialize, Serialize};

rulekit::text_enum! {
    /// The kind of production licence.
    pub enum LicenceKind ("licence kind") {
        Industrial = "industrial" ("工业产品生产许可证", "industrial-product production licence"),
        Food = "food" ("食品生产许可证", "food production licence"),
    }
}

rulekit::text_enum! {
    /// Where a licence stands.
    pub enum LicenceStatus ("licence status") {
        Valid = "valid" ("有效", "valid"),
        Suspended = "suspended" ("责令停产整改", "production suspended"),
        Revoked = "revoked" ("吊销", "revoked"),
        Withdrawn = "withdrawn" ("撤销", "withdrawn"),
        Cancelled = "cancelled" ("注销", "cancelled"),
        Expired = "expired" ("有效期届满", "expired"),
    }
}

/// The province abbreviations (简称) an industrial licence number may carry in brackets.
const PROVINCES: &[&str] = &[
    "京", "津", "冀", "晋", "蒙", "辽", "吉", "黑", "沪", "苏", "浙", "皖", "闽", "赣", "鲁", "豫", "鄂", "湘", "粤",
    "桂", "琼", "渝", "川", "贵", "云", "藏", "陕", "甘", "青", "宁", "新",
];

/// Why a text is not a licence number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("'{0}' is not an industrial licence number: XK, two digits, '-', three digits, '-', five digits (e.g. XK06-014-00123), with a province's abbreviation in brackets when a province issued it")]
    Industrial(String),
    #[error("'{0}' is not a food licence number: SC and 14 digits")]
    Food(String),
    #[error("'{0}' names no county of GB/T 2260 in digits 4 to 9")]
    FoodRegion(String),
}

/// A licence number, checked and in canonical form (ASCII brackets and upper case letters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LicenceNumber {
    kind: LicenceKind,
    text: String,
}

impl LicenceNumber {
    /// Reads a number of the given kind.
    pub fn parse(kind: LicenceKind, text: &str) -> Result<LicenceNumber, NumberError> {
        let normal: String = text
            .trim()
            .chars()
            .map(|c| match c {
                '（' => '(',
                '）' => ')',
                '－' | '—' => '-',
                c => c.to_ascii_uppercase(),
            })
            .filter(|c| !c.is_whitespace())
            .collect();
        match kind {
            LicenceKind::Industrial => {
                let rest = match normal.strip_prefix('(') {
                    Some(bracketed) => {
                        let (province, rest) =
                            bracketed.split_once(')').ok_or_else(|| NumberError::Industrial(text.trim().into()))?;
                        if !PROVINCES.contains(&province) {
                            return Err(NumberError::Industrial(text.trim().into()));
                        }
                        rest
                    }
                    None => normal.as_str(),
                };
                let groups: Vec<&str> = rest.strip_prefix("XK").unwrap_or("").split('-').collect();
                let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
                if groups.len() == 3 && digits(groups[0], 2) && digits(groups[1], 3) && digits(groups[2], 5) {
                    Ok(LicenceNumber { kind, text: normal })
                } else {
                    Err(NumberError::Industrial(text.trim().into()))
                }
            }
            LicenceKind::Food => {
                let digits =
                    normal.strip_prefix("SC").filter(|d| d.len() == 14 && d.bytes().all(|b| b.is_ascii_digit()));
                let digits = digits.ok_or_else(|| NumberError::Food(text.trim().into()))?;
                if codes::region::lookup(&digits[3..9]).is_none() {
                    return Err(NumberError::FoodRegion(text.trim().into()));
                }
                Ok(LicenceNumber { kind, text: normal })
            }
        }
    }

    pub fn kind(&self) -> LicenceKind {
        self.kind
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The GB/T 2260 code of the county that issued a food licence.
    pub fn food_region(&self) -> Option<&str> {
        (self.kind == LicenceKind::Food).then(|| &self.text[5..11])
    }
}

impl fmt::Display for LicenceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Whether a licence in `from` may go to `to`: a licence is suspended and restored, or ends (revoked, withdrawn,
/// cancelled, expired) for good; a new licence is a new number.
pub fn change(from: LicenceStatus, to: LicenceStatus) -> Result<(), Refusal> {
    use LicenceStatus::*;
    match (from, to) {
        (Valid, Suspended) | (Suspended, Valid) => Ok(()),
        (Valid | Suspended, Revoked | Withdrawn | Cancelled | Expired) => Ok(()),
        (Revoked | Withdrawn | Cancelled | Expired, _) => Err(Refusal::WrongState(format!(
            "a {} licence cannot become {}: the status is final; a new licence has a new number",
            from.as_str(),
            to.as_str()
        ))),
        _ => Err(Refusal::WrongState(format!("a {} licence cannot become {}", from.as_str(), to.as_str()))),
    }
}

/// A licence as the register holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Licence {
    pub number: LicenceNumber,
    pub holder: String,
    /// Catalogue codes of the licensed products.
    pub products: Vec<String>,
    pub sites: Vec<String>,
    /// The GB/T 2260 code of the authority that issued it.
    pub issued_by: String,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
}

/// What a licence amounts to for a product made on a day: the answer a sampling result shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Valid on the day and covering the product.
    Held,
    /// It covered the product but was not valid on the day: suspended, ended, expired or not yet issued.
    Lapsed(LicenceStatus),
    /// No licence of the holder covers the product.
    Missing,
}

/// A licence's status on a day from its history (each change with its day, oldest first; the issue is the first,
/// as valid) and its term; none before it was issued.
pub fn status_on(history: &[(NaiveDate, LicenceStatus)], licence: &Licence, day: NaiveDate) -> Option<LicenceStatus> {
    if day < licence.issued_on {
        return None;
    }
    let recorded = history.iter().take_while(|(on, _)| *on <= day).last().map_or(LicenceStatus::Valid, |(_, s)| *s);
    if day > licence.expires_on && matches!(recorded, LicenceStatus::Valid | LicenceStatus::Suspended) {
        return Some(LicenceStatus::Expired);
    }
    Some(recorded)
}

/// Whether a producer held a licence for a product on a day: `codes` are the product's catalogue code and the
/// codes that mean the same product (the catalogue product an earlier category maps onto); the best of the
/// licences that list one of them.
pub fn coverage(
    licences: &[(Licence, Vec<(NaiveDate, LicenceStatus)>)],
    codes: &[&str],
    day: NaiveDate,
) -> (Coverage, Option<LicenceNumber>) {
    let mut best: (Coverage, Option<LicenceNumber>) = (Coverage::Missing, None);
    for (licence, history) in licences {
        if !licence.products.iter().any(|p| codes.contains(&p.as_str())) {
            continue;
        }
        let status = status_on(history, licence, day);
        let found = match status {
            Some(LicenceStatus::Valid) => Coverage::Held,
            Some(other) => Coverage::Lapsed(other),
            None => Coverage::Lapsed(LicenceStatus::Valid),
        };
        if found == Coverage::Held || best.0 == Coverage::Missing {
            best = (found, Some(licence.number.clone()));
        }
        if found == Coverage::Held {
            break;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn industrial_and_food_numbers_read_in_their_formats() {
        let national = LicenceNumber::parse(LicenceKind::Industrial, "xk06-014-00123").unwrap();
        assert_eq!(national.as_str(), "XK06-014-00123");
        let provincial = LicenceNumber::parse(LicenceKind::Industrial, "（浙）XK16-204-01234").unwrap();
        assert_eq!(provincial.as_str(), "(浙)XK16-204-01234");
        for bad in ["XK06-14-00123", "(港)XK06-014-00123", "XK06-014-0012A", "QS3301"] {
            assert!(LicenceNumber::parse(LicenceKind::Industrial, bad).is_err(), "{bad}");
        }
        let food = LicenceNumber::parse(LicenceKind::Food, "SC10633010600123").unwrap();
        assert_eq!(food.food_region(), Some("330106"));
        assert!(matches!(LicenceNumber::parse(LicenceKind::Food, "SC1063301060012"), Err(NumberError::Food(_))));
        assert!(matches!(LicenceNumber::parse(LicenceKind::Food, "SC10699999900123"), Err(NumberError::FoodRegion(_))));
    }

    #[test]
    fn a_licence_is_suspended_and_restored_and_ends_for_good() {
        change(LicenceStatus::Valid, LicenceStatus::Suspended).unwrap();
        change(LicenceStatus::Suspended, LicenceStatus::Valid).unwrap();
        change(LicenceStatus::Suspended, LicenceStatus::Revoked).unwrap();
        assert!(change(LicenceStatus::Revoked, LicenceStatus::Valid).is_err());
        assert!(change(LicenceStatus::Valid, LicenceStatus::Valid).is_err());
    }

    #[test]
    fn a_licence_on_a_day_follows_its_history_and_lapses_after_its_term() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let licence = Licence {
            number: LicenceNumber::parse(LicenceKind::Industrial, "XK06-014-00123").unwrap(),
            holder: "x".into(),
            products: vec!["K23-01-01".into()],
            sites: vec![],
            issued_by: "330000".into(),
            issued_on: day(2021, 1, 1),
            expires_on: day(2025, 12, 31),
        };
        let history = vec![
            (day(2021, 1, 1), LicenceStatus::Valid),
            (day(2023, 3, 1), LicenceStatus::Suspended),
            (day(2023, 6, 1), LicenceStatus::Valid),
            (day(2024, 6, 1), LicenceStatus::Revoked),
        ];
        assert_eq!(status_on(&history, &licence, day(2023, 4, 1)), Some(LicenceStatus::Suspended));
        assert_eq!(status_on(&history, &licence, day(2024, 5, 31)), Some(LicenceStatus::Valid));
        assert_eq!(status_on(&history, &licence, day(2024, 6, 1)), Some(LicenceStatus::Revoked));
        assert_eq!(status_on(&history[..1], &licence, day(2026, 1, 1)), Some(LicenceStatus::Expired));
        assert_eq!(status_on(&history, &licence, day(2026, 1, 1)), Some(LicenceStatus::Revoked), "an end stays an end");
        assert_eq!(status_on(&history, &licence, day(2020, 1, 1)), None);

        let licences = vec![(licence.clone(), history.clone())];
        assert_eq!(coverage(&licences, &["0502", "K23-01-01"], day(2023, 1, 1)).0, Coverage::Held);
        assert_eq!(
            coverage(&licences, &["0502", "K23-01-01"], day(2023, 4, 1)).0,
            Coverage::Lapsed(LicenceStatus::Suspended)
        );
        assert_eq!(coverage(&licences, &["K23-01-03"], day(2023, 1, 1)).0, Coverage::Missing);
    }
}

fn list(value: Option<String>) -> Vec<String> {
    given(value)
        .map(|v| v.split([';', '；']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A licence's fields as a file or a request carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = LicenceInput)]
pub struct LicenceFields {
    /// Required: `XK06-014-00123` (industrial, with `(浙)` when a province issued it) or `SC` and 14 digits (food).
    #[schema(max_length = 30)]
    pub number: Option<String>,
    /// Required: industrial or food.
    #[schema(max_length = 12)]
    pub kind: Option<String>,
    /// Required.
    #[schema(max_length = 18)]
    pub holder_uscc: Option<String>,
    /// Required: catalogue codes of the licensed products, separated by `;`.
    #[schema(max_length = 2000)]
    pub products: Option<String>,
    /// Production sites (addresses), separated by `;`.
    #[schema(max_length = 4000)]
    pub sites: Option<String>,
    /// Required: the GB/T 2260 code of the issuing authority's region.
    #[schema(max_length = 6)]
    pub issued_by: Option<String>,
    /// Required.
    #[schema(format = Date)]
    pub issued_on: Option<String>,
    /// Required: after the issue date.
    #[schema(format = Date)]
    pub expires_on: Option<String>,
}

impl LicenceFields {
    /// Reads the fields into a licence; whether its products are catalogue products under licensing is the
    /// caller's check against the catalogue.
    pub fn check(self) -> Result<Licence, FieldError> {
        let kind_text = present("kind", self.kind)?;
        let kind = LicenceKind::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == kind_text || k.name_zh() == kind_text)
            .ok_or_else(|| fault("kind", format!("'{kind_text}' is not a licence kind: industrial or food")))?;
        let number = LicenceNumber::parse(kind, &present("number", self.number)?).map_err(|e| fault("number", e))?;
        let holder_text = present("holder_uscc", self.holder_uscc)?;
        let holder =
            holder_text.parse::<codes::Uscc>().map_err(|e| fault("holder_uscc", format!("'{holder_text}': {e}")))?;
        let products = list(self.products);
        if products.is_empty() {
            return Err(fault("products", "a licence names the products it licenses"));
        }
        if products.len() > 200 || products.iter().any(|p| p.len() > 20) {
            return Err(fault("products", "at most 200 catalogue codes"));
        }
        let sites = list(self.sites);
        if sites.len() > 50 || sites.iter().any(|s| s.chars().count() > 200 || s.chars().any(char::is_control)) {
            return Err(fault("sites", "at most 50 sites of 200 characters"));
        }
        let issued_by_text = present("issued_by", self.issued_by)?;
        let issued_by = issued_by_text
            .parse::<codes::RegionCode>()
            .map_err(|e| fault("issued_by", format!("'{issued_by_text}': {e}")))?
            .to_string();
        let issued_on = day("issued_on", &present("issued_on", self.issued_on)?)?;
        let expires_on = day("expires_on", &present("expires_on", self.expires_on)?)?;
        if expires_on <= issued_on {
            return Err(fault("expires_on", format!("{expires_on} is not after the issue date {issued_on}")));
        }
        Ok(Licence { number, holder: holder.to_string(), products, sites, issued_by, issued_on, expires_on })
    }
}
