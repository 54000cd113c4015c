//! One entry point that checks any supported identifier and explains the result, for the code-checker API
//! and page.

use crate::{DigitalLink, Epc, Gln, Gtin, OrgCode, RegionCode, Sscc, Uscc};

/// The kinds of identifier the checker knows, named as in `/api/v1/codes/{kind}/{value}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// 统一社会信用代码
    Uscc,
    /// 组织机构代码
    OrgCode,
    /// GTIN-8/12/13/14
    Gtin,
    /// GLN
    Gln,
    /// SSCC
    Sscc,
    /// EPC URN or GS1 Digital Link
    Epc,
    /// GB/T 2260 region
    Region,
}

impl CodeKind {
    /// Every kind, in the order pages list them.
    pub const ALL: [CodeKind; 7] = [
        CodeKind::Uscc,
        CodeKind::OrgCode,
        CodeKind::Gtin,
        CodeKind::Gln,
        CodeKind::Sscc,
        CodeKind::Epc,
        CodeKind::Region,
    ];

    /// Parses the path name of a kind.
    pub fn from_name(name: &str) -> Option<Self> {
        CodeKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Name as used in paths.
    pub fn name(self) -> &'static str {
        match self {
            CodeKind::Uscc => "uscc",
            CodeKind::OrgCode => "org-code",
            CodeKind::Gtin => "gtin",
            CodeKind::Gln => "gln",
            CodeKind::Sscc => "sscc",
            CodeKind::Epc => "epc",
            CodeKind::Region => "region",
        }
    }
}

/// A stable code with a human message in English and in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable snake_case code.
    pub code: &'static str,
    /// What is wrong and where.
    pub message: String,
    /// The same in Chinese.
    pub message_zh: String,
}

/// The errors and warnings of this crate: a stable code and messages in two languages.
trait Explain: std::fmt::Display {
    fn code(&self) -> &'static str;
    fn message_zh(&self) -> String;
}

macro_rules! explain {
    ($($t:ty),*) => {$(
        impl Explain for $t {
            fn code(&self) -> &'static str {
                <$t>::code(self)
            }
            fn message_zh(&self) -> String {
                <$t>::message_zh(self)
            }
        }
    )*};
}
explain!(
    crate::UsccError,
    crate::UsccWarning,
    crate::OrgCodeError,
    crate::Gs1Error,
    crate::RegionError,
    crate::EpcError
);

impl Finding {
    fn from<E: Explain>(e: E) -> Self {
        Finding { code: e.code(), message: e.to_string(), message_zh: e.message_zh() }
    }
}

/// The outcome of checking one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// Kind that was checked.
    pub kind: CodeKind,
    /// The value as given.
    pub input: String,
    /// The canonical form, when valid.
    pub normalized: Option<String>,
    /// Named parts of a valid value.
    pub parts: Vec<(&'static str, String)>,
    /// Things to look at in a valid value.
    pub warnings: Vec<Finding>,
    /// Why the value is invalid.
    pub error: Option<Finding>,
}

impl Inspection {
    /// Whether the value is valid.
    pub fn valid(&self) -> bool {
        self.error.is_none()
    }
}

/// Checks `input` as an identifier of `kind`.
pub fn inspect(kind: CodeKind, input: &str) -> Inspection {
    let mut out = Inspection {
        kind,
        input: input.to_owned(),
        normalized: None,
        parts: Vec::new(),
        warnings: Vec::new(),
        error: None,
    };
    let result = match kind {
        CodeKind::Uscc => inspect_uscc(input, &mut out),
        CodeKind::OrgCode => OrgCode::parse(input)
            .map(|code| {
                out.parts.push(("printed", code.printed()));
                code.to_string()
            })
            .map_err(Finding::from),
        CodeKind::Gtin => Gtin::parse(input)
            .map(|gtin| {
                out.parts.push(("format", format!("GTIN-{}", gtin.format())));
                out.parts.push(("gtin14", gtin.to_gtin14()));
                out.parts.push(("gs1_prefix", gtin.gs1_prefix()));
                if let Some(office) = gtin.issuing_office() {
                    out.parts.push(("issuing_office", office.to_owned()));
                }
                if let Some(length) = gtin.company_prefix_length() {
                    out.parts.push(("company_prefix", gtin.to_gtin14()[1..1 + length].to_owned()));
                }
                gtin.to_string()
            })
            .map_err(Finding::from),
        CodeKind::Gln => Gln::parse(input)
            .map(|gln| {
                out.parts.push(("gs1_prefix", gln.gs1_prefix()));
                if let Some(office) = gln.issuing_office() {
                    out.parts.push(("issuing_office", office.to_owned()));
                }
                gln.to_string()
            })
            .map_err(Finding::from),
        CodeKind::Sscc => Sscc::parse(input)
            .map(|sscc| {
                out.parts.push(("extension_digit", sscc.as_str()[..1].to_owned()));
                out.parts.push(("gs1_prefix", sscc.gs1_prefix()));
                if let Some(office) = sscc.issuing_office() {
                    out.parts.push(("issuing_office", office.to_owned()));
                }
                sscc.to_string()
            })
            .map_err(Finding::from),
        CodeKind::Epc => inspect_epc(input, &mut out),
        CodeKind::Region => RegionCode::parse(input)
            .map(|code| {
                let region = code.region();
                out.parts.push(("name", region.name.clone()));
                out.parts.push(("level", code.level().as_str().to_owned()));
                out.parts.push(("province", region.province_name.clone()));
                out.parts.push(("in_use", region.in_use.to_string()));
                if let Some(parent) = code.parent() {
                    out.parts.push(("parent", parent.to_string()));
                }
                if let Some(year) = region.introduced {
                    out.parts.push(("introduced", year.to_string()));
                }
                if let Some(year) = region.retired {
                    out.parts.push(("retired", year.to_string()));
                }
                if !region.successors.is_empty() {
                    out.parts.push(("successors", region.successors.join(",")));
                }
                code.to_string()
            })
            .map_err(Finding::from),
    };
    match result {
        Ok(normalized) => out.normalized = Some(normalized),
        Err(error) => out.error = Some(error),
    }
    out
}

fn inspect_uscc(input: &str, out: &mut Inspection) -> Result<String, Finding> {
    let uscc = Uscc::parse(input).map_err(Finding::from)?;
    out.parts.push(("department", uscc.department().to_string()));
    out.parts.push(("category", uscc.category().to_string()));
    if let Some((department, category)) = uscc.department_category_names() {
        out.parts.push(("department_name", department.to_owned()));
        out.parts.push(("category_name", category.to_owned()));
    }
    out.parts.push(("region_code", uscc.region_code().to_owned()));
    if let Some(region) = uscc.region() {
        out.parts.push(("region_name", region.name.clone()));
        out.parts.push(("province", region.province_name.clone()));
    }
    let org_code = uscc.org_code();
    out.parts.push(("org_code", org_code.printed()));
    out.warnings = uscc.warnings().into_iter().map(Finding::from).collect();
    Ok(uscc.to_string())
}

fn inspect_epc(input: &str, out: &mut Inspection) -> Result<String, Finding> {
    let trimmed = input.trim();
    let (epc, normalized) = if trimmed.starts_with("urn:") {
        let epc = Epc::parse_urn(trimmed).map_err(Finding::from)?;
        let urn = epc.to_urn();
        (Some(epc), urn)
    } else {
        let link = DigitalLink::parse(trimmed).map_err(Finding::from)?;
        let uri = link.to_uri();
        match Epc::from_digital_link(&link, None) {
            Ok(epc) => (Some(epc), uri),
            Err(e) => {
                out.warnings.push(Finding::from(e));
                out.parts.push(("digital_link", uri.clone()));
                if link.primary.0 == "01" {
                    out.parts.push(("gtin", link.primary.1.clone()));
                }
                (None, uri)
            }
        }
    };
    if let Some(epc) = epc {
        out.parts.push(("urn", epc.to_urn()));
        if let Ok(link) = epc.to_digital_link() {
            out.parts.push(("digital_link", link));
        }
        if let Some(gtin) = epc.gtin() {
            out.parts.push(("gtin", gtin));
        }
    }
    Ok(normalized)
}
