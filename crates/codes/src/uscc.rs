//! 统一社会信用代码 (unified social credit code, GB 32100-2015).
//!
//! Validity is decided by the length, the character set, the embedded organization code's check character
//! (positions 9–17) and the mod-31 check character (position 18). The department/category pair and the
//! registering authority's region (positions 3–8) are reference data: unknown values are warnings.

use std::fmt;
use std::str::FromStr;

use crate::charset::{first_non_ascii, normalise, uscc_value, USCC_ALPHABET};
use crate::org_code::{self, OrgCode};
use crate::region::{self, Region};

/// Weights `3^(i-1) mod 31` for positions 1–17.
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/// A checked unified social credit code, 18 upper-case characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Uscc(String);

/// Why a string is not a unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccError {
    /// Nothing was given.
    #[error("unified social credit code is empty")]
    Empty,
    /// Not 18 characters.
    #[error("unified social credit code has {found} characters, expected 18")]
    Length { found: usize },
    /// A character outside the GB 32100 set `0-9A-HJ-NP-RTUWXY`.
    #[error("character {position} is '{found}', which is not in the GB 32100 set 0-9A-HJ-NP-RTUWXY")]
    Character { position: usize, found: char },
    /// Positions 9–17, the embedded GB 11714 organization code, fail their mod-11 check.
    #[error("embedded organization code (characters 9-17) has check character '{found}', expected '{expected}'")]
    OrgCodeCheck { found: char, expected: char },
    /// Position 18 does not match the mod-31 check over positions 1–17.
    #[error("check character (character 18) is '{found}', expected '{expected}'")]
    Check { found: char, expected: char },
}

impl UsccError {
    /// Stable snake_case code for APIs.
    pub fn code(&self) -> &'static str {
        match self {
            UsccError::Empty => "empty",
            UsccError::Length { .. } => "invalid_length",
            UsccError::Character { .. } => "invalid_character",
            UsccError::OrgCodeCheck { .. } => "org_code_check",
            UsccError::Check { .. } => "check_character",
        }
    }

    /// The message in Chinese, for pages.
    pub fn message_zh(&self) -> String {
        match self {
            UsccError::Empty => "统一社会信用代码为空".into(),
            UsccError::Length { found } => format!("统一社会信用代码有 {found} 位，应为 18 位"),
            UsccError::Character { position, found } => {
                format!("第 {position} 位是“{found}”，不在 GB 32100 规定的字符集 0-9A-HJ-NP-RTUWXY 中")
            }
            UsccError::OrgCodeCheck { found, expected } => {
                format!("第 9–17 位所含组织机构代码的校验码是“{found}”，应为“{expected}”")
            }
            UsccError::Check { found, expected } => format!("第 18 位校验码是“{found}”，应为“{expected}”"),
        }
    }
}

/// Something unusual about a valid code that a clerk should look at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsccWarning {
    /// The department (position 1) and category (position 2) pair is not in the reference list.
    #[error("registration department '{department}' with category '{category}' is not a known pair")]
    UnknownDepartmentCategory { department: char, category: char },
    /// Positions 3–8 are not a GB/T 2260 code, past or present.
    #[error("registering authority region '{code}' (characters 3-8) is not in the GB/T 2260 code history")]
    UnknownRegion { code: String },
}

impl UsccWarning {
    /// Stable snake_case code for APIs.
    pub fn code(&self) -> &'static str {
        match self {
            UsccWarning::UnknownDepartmentCategory { .. } => "unknown_department_category",
            UsccWarning::UnknownRegion { .. } => "unknown_region",
        }
    }

    /// The message in Chinese, for pages.
    pub fn message_zh(&self) -> String {
        match self {
            UsccWarning::UnknownDepartmentCategory { department, category } => {
                format!("登记管理部门代码“{department}”与机构类别代码“{category}”不是已知组合")
            }
            UsccWarning::UnknownRegion { code } => {
                format!("第 3–8 位登记管理机关行政区划码 {code} 不在 GB/T 2260 历史代码中")
            }
        }
    }
}

/// A registration department: code, name, and its categories (code, name).
type Department = (char, &'static str, &'static [(char, &'static str)]);

/// Registration departments and their categories (GB 32100 appendix, as reference data).
const DEPARTMENTS: &[Department] = &[
    ('1', "机构编制", &[('1', "机关"), ('2', "事业单位"), ('3', "群众团体"), ('9', "其他")]),
    ('2', "外交", &[('1', "外国常住新闻机构"), ('9', "其他")]),
    (
        '3',
        "司法行政",
        &[
            ('1', "律师执业机构"),
            ('2', "公证处"),
            ('3', "基层法律服务所"),
            ('4', "司法鉴定机构"),
            ('5', "仲裁委员会"),
            ('9', "其他"),
        ],
    ),
    ('4', "文化", &[('1', "外国在华文化中心"), ('9', "其他")]),
    ('5', "民政", &[('1', "社会团体"), ('2', "民办非企业单位"), ('3', "基金会"), ('9', "其他")]),
    ('6', "旅游", &[('1', "外国旅游部门常驻代表机构"), ('2', "港澳台地区旅游部门常驻内地代表机构"), ('9', "其他")]),
    ('7', "宗教", &[('1', "宗教活动场所"), ('2', "宗教院校"), ('9', "其他")]),
    ('8', "工会", &[('1', "基层工会"), ('9', "其他")]),
    ('9', "市场监管", &[('1', "企业"), ('2', "个体工商户"), ('3', "农民专业合作社")]),
    ('A', "军队编制", &[('1', "军队事业单位"), ('9', "其他")]),
    ('N', "农业", &[('1', "组级集体经济组织"), ('2', "村级集体经济组织"), ('3', "乡镇级集体经济组织"), ('9', "其他")]),
    ('Y', "其他", &[('1', "其他")]),
];

/// The check character over the first 17 characters, all of which must be in the GB 32100 set.
fn check_character(first17: &[u8]) -> u8 {
    let sum: u32 =
        first17.iter().zip(WEIGHTS).map(|(&c, w)| uscc_value(c).expect("caller checked the character set") * w).sum();
    USCC_ALPHABET[((31 - sum % 31) % 31) as usize]
}

impl Uscc {
    /// Parses a code; upper-cases letters and trims surrounding spaces, and guesses nothing else.
    pub fn parse(input: &str) -> Result<Self, UsccError> {
        let s = normalise(input);
        if s.is_empty() {
            return Err(UsccError::Empty);
        }
        if let Some((position, found)) = first_non_ascii(&s) {
            return Err(UsccError::Character { position, found });
        }
        if s.len() != 18 {
            return Err(UsccError::Length { found: s.len() });
        }
        let bytes = s.as_bytes();
        if let Some(i) = bytes.iter().position(|&c| uscc_value(c).is_none()) {
            return Err(UsccError::Character { position: i + 1, found: bytes[i] as char });
        }
        let org_expected = org_code::check_character(&bytes[8..16])
            .expect("GB 32100 characters are valid organization-code body characters");
        if bytes[16] != org_expected {
            return Err(UsccError::OrgCodeCheck { found: bytes[16] as char, expected: org_expected as char });
        }
        let expected = check_character(&bytes[..17]);
        if bytes[17] != expected {
            return Err(UsccError::Check { found: bytes[17] as char, expected: expected as char });
        }
        Ok(Uscc(s))
    }

    /// Builds a valid code from its first 17 characters by appending the check character; `None` when the
    /// characters are outside the set or the embedded organization code fails its check.
    pub fn from_first17(first17: &str) -> Option<Self> {
        let bytes = first17.as_bytes();
        if bytes.len() != 17 || bytes.iter().any(|&c| uscc_value(c).is_none()) {
            return None;
        }
        let check = check_character(bytes) as char;
        Uscc::parse(&format!("{first17}{check}")).ok()
    }

    /// Builds a valid code from its first 8 characters (department, category, region) and the 8 body
    /// characters of the organization code, computing both check characters; `None` when a character is
    /// outside the GB 32100 set.
    pub fn assemble(head: &str, org_body: &str) -> Option<Self> {
        if head.len() != 8 || org_body.len() != 8 || !org_body.bytes().all(|c| uscc_value(c).is_some()) {
            return None;
        }
        let org_check = org_code::check_character(org_body.as_bytes()).ok()? as char;
        Uscc::from_first17(&format!("{head}{org_body}{org_check}"))
    }

    /// The 18 characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Position 1: the registration department code.
    pub fn department(&self) -> char {
        self.0.as_bytes()[0] as char
    }

    /// Position 2: the category code within the department.
    pub fn category(&self) -> char {
        self.0.as_bytes()[1] as char
    }

    /// Names of the department and category, when the pair is in the reference list.
    pub fn department_category_names(&self) -> Option<(&'static str, &'static str)> {
        let (_, department, categories) = DEPARTMENTS.iter().find(|(d, _, _)| *d == self.department())?;
        let (_, category) = categories.iter().find(|(c, _)| *c == self.category())?;
        Some((department, category))
    }

    /// Positions 3–8: the GB/T 2260 code of the registering authority at registration time.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }

    /// The registering authority's region, looked up in the code history (a retired code still resolves).
    pub fn region(&self) -> Option<&'static Region> {
        region::lookup(self.region_code())
    }

    /// Positions 9–17: the embedded organization code.
    pub fn org_code(&self) -> OrgCode {
        OrgCode::parse(&self.0[8..17]).expect("checked when the USCC was parsed")
    }

    /// Warnings about reference data: an unknown department/category pair or an unknown region.
    pub fn warnings(&self) -> Vec<UsccWarning> {
        let mut warnings = Vec::new();
        if self.department_category_names().is_none() {
            warnings.push(UsccWarning::UnknownDepartmentCategory {
                department: self.department(),
                category: self.category(),
            });
        }
        if self.region().is_none() {
            warnings.push(UsccWarning::UnknownRegion { code: self.region_code().to_owned() });
        }
        warnings
    }
}

impl FromStr for Uscc {
    type Err = UsccError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uscc::parse(s)
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
