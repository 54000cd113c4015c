//! EPC pure-identity URNs (GS1 Tag Data Standard) and GS1 Digital Link URIs, converted both ways.
//!
//! Supported: `sgtin`, `sscc`, `sgln` identities, the `lgtin` class, and `idpat` patterns for those
//! schemes. A Digital Link does not carry the company-prefix length that an EPC needs; it is taken from the
//! caller or from GS1 China's fixed allocations, and is an error otherwise — it is never guessed.

use std::fmt;

use crate::gs1::{company_prefix_length, with_check_digit, Gln, Gtin, Sscc};

/// Canonical host for Digital Links that zhiliang writes.
pub const CANONICAL_HOST: &str = "https://id.gs1.org";

/// Why a string is not a supported EPC URN or Digital Link.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EpcError {
    /// Does not start with `urn:epc:id:`, `urn:epc:class:` or `urn:epc:idpat:`.
    #[error("not an EPC URN: expected urn:epc:id:, urn:epc:class: or urn:epc:idpat:")]
    NotUrn,
    /// A scheme zhiliang does not convert.
    #[error("EPC scheme '{0}' is not supported (sgtin, sscc, sgln, lgtin, idpat)")]
    UnsupportedScheme(String),
    /// A field of the URN or link is malformed.
    #[error("{field}: {reason}")]
    Field { field: &'static str, reason: String },
    /// A percent escape is not two hex digits.
    #[error("{field}: invalid percent escape")]
    Escape { field: &'static str },
    /// Not an http(s) URI with a path.
    #[error("not a GS1 Digital Link URI: {0}")]
    NotDigitalLink(String),
    /// The path does not start with a primary key.
    #[error("the path must start with a primary key (01, 00 or 414), found AI ({0})")]
    PrimaryKeyFirst(String),
    /// A key qualifier that is not allowed after the primary key, or out of order.
    #[error("AI ({ai}) is not allowed here after primary key ({primary})")]
    Qualifier { primary: String, ai: String },
    /// A GS1 key in the link fails its check.
    #[error("AI ({ai}): {source}")]
    Key { ai: String, source: crate::Gs1Error },
    /// The company-prefix length is needed and unknown.
    #[error("company prefix length is unknown for {0}; give it explicitly")]
    UnknownCompanyPrefixLength(String),
    /// A pattern that matches more than one class has no Digital Link.
    #[error("this EPC pattern has no Digital Link form")]
    NoDigitalLink,
}

impl EpcError {
    /// Stable snake_case code for APIs.
    pub fn code(&self) -> &'static str {
        match self {
            EpcError::NotUrn => "invalid_urn",
            EpcError::UnsupportedScheme(_) => "unsupported_scheme",
            EpcError::Field { .. } => "invalid_field",
            EpcError::Escape { .. } => "invalid_escape",
            EpcError::NotDigitalLink(_) => "invalid_digital_link",
            EpcError::PrimaryKeyFirst(_) => "primary_key_order",
            EpcError::Qualifier { .. } => "invalid_qualifier",
            EpcError::Key { .. } => "check_character",
            EpcError::UnknownCompanyPrefixLength(_) => "unknown_company_prefix_length",
            EpcError::NoDigitalLink => "no_digital_link",
        }
    }

    /// The message in Chinese, for pages.
    pub fn message_zh(&self) -> String {
        match self {
            EpcError::NotUrn => "不是 EPC URN：应以 urn:epc:id:、urn:epc:class: 或 urn:epc:idpat: 开头".into(),
            EpcError::UnsupportedScheme(scheme) => {
                format!("不支持的 EPC 方案“{scheme}”（支持 sgtin、sscc、sgln、lgtin、idpat）")
            }
            EpcError::Field { field, reason } => format!("{field}：{reason}"),
            EpcError::Escape { field } => format!("{field}：百分号转义无效"),
            EpcError::NotDigitalLink(reason) => format!("不是 GS1 数字链接：{reason}"),
            EpcError::PrimaryKeyFirst(ai) => format!("路径必须以主键（01、00 或 414）开头，实际为 AI ({ai})"),
            EpcError::Qualifier { primary, ai } => format!("主键 ({primary}) 之后不允许 AI ({ai})"),
            EpcError::Key { ai, source } => format!("AI ({ai})：{}", source.message_zh()),
            EpcError::UnknownCompanyPrefixLength(key) => format!("无法确定 {key} 的厂商识别代码长度，请明确给出"),
            EpcError::NoDigitalLink => "该 EPC 模式没有对应的数字链接".into(),
        }
    }
}

/// An EPC identity, class or pattern. Serial numbers, lots and extensions are held decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Epc {
    /// `urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial`
    Sgtin { company_prefix: String, item_ref: String, serial: String },
    /// `urn:epc:class:lgtin:CompanyPrefix.IndicatorItemRef.Lot`
    Lgtin { company_prefix: String, item_ref: String, lot: String },
    /// `urn:epc:id:sscc:CompanyPrefix.SerialRef`
    Sscc { company_prefix: String, serial_ref: String },
    /// `urn:epc:id:sgln:CompanyPrefix.LocationRef.Extension` (`0` = no extension)
    Sgln { company_prefix: String, location_ref: String, extension: String },
    /// `urn:epc:idpat:{sgtin|sscc|sgln}:CompanyPrefix.Reference.*` or `CompanyPrefix.*[.*]`
    Pattern { scheme: PatternScheme, company_prefix: String, reference: Option<String> },
}

/// Schemes allowed in `idpat` patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternScheme {
    /// Trade items.
    Sgtin,
    /// Logistic units.
    Sscc,
    /// Locations.
    Sgln,
}

impl PatternScheme {
    fn as_str(self) -> &'static str {
        match self {
            PatternScheme::Sgtin => "sgtin",
            PatternScheme::Sscc => "sscc",
            PatternScheme::Sgln => "sgln",
        }
    }
}

/// GS1 AI encodable character set 82, the characters allowed in serials, lots and extensions.
fn is_cs82(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!\"%&'()*+,-./:;<=>?_".contains(c)
}

/// Characters that must be percent-encoded in a URN or a Digital Link path segment.
fn must_escape(c: char) -> bool {
    "\"%&/<>?#".contains(c)
}

fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if must_escape(c) {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn decode(field: &'static str, value: &str) -> Result<String, EpcError> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = value.get(i + 1..i + 3).ok_or(EpcError::Escape { field })?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| EpcError::Escape { field })?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| EpcError::Escape { field })
}

/// Decodes and checks a serial, lot or extension: 1–20 characters of CS82.
fn text_field(field: &'static str, raw: &str) -> Result<String, EpcError> {
    let value = decode(field, raw)?;
    let count = value.chars().count();
    if !(1..=20).contains(&count) {
        return Err(EpcError::Field { field, reason: format!("has {count} characters, expected 1 to 20") });
    }
    if let Some(c) = value.chars().find(|&c| !is_cs82(c)) {
        return Err(EpcError::Field { field, reason: format!("character '{c}' is not in GS1 character set 82") });
    }
    Ok(value)
}

fn digits(field: &'static str, value: &str) -> Result<String, EpcError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EpcError::Field { field, reason: format!("'{value}' is not a string of digits") });
    }
    Ok(value.to_owned())
}

/// Checks a GS1 company prefix: 6 to 12 digits.
fn company_prefix(prefix: &str) -> Result<String, EpcError> {
    let prefix = digits("company prefix", prefix)?;
    if !(6..=12).contains(&prefix.len()) {
        return Err(EpcError::Field {
            field: "company prefix",
            reason: format!("has {} digits, expected 6 to 12", prefix.len()),
        });
    }
    Ok(prefix)
}

/// Checks a company prefix and reference that together must make `total` digits.
fn prefix_and_ref(
    prefix: &str,
    reference_field: &'static str,
    reference: &str,
    total: usize,
) -> Result<(String, String), EpcError> {
    let prefix = company_prefix(prefix)?;
    let reference =
        if reference.is_empty() && prefix.len() == total { String::new() } else { digits(reference_field, reference)? };
    if prefix.len() + reference.len() != total {
        return Err(EpcError::Field {
            field: reference_field,
            reason: format!(
                "company prefix and {reference_field} have {} digits, expected {total}",
                prefix.len() + reference.len()
            ),
        });
    }
    Ok((prefix, reference))
}

impl Epc {
    /// Parses an EPC URN (`urn:epc:id:…`, `urn:epc:class:lgtin:…`, `urn:epc:idpat:…`).
    pub fn parse_urn(input: &str) -> Result<Self, EpcError> {
        let s = input.trim();
        let (kind, rest) = if let Some(rest) = s.strip_prefix("urn:epc:id:") {
            ("id", rest)
        } else if let Some(rest) = s.strip_prefix("urn:epc:class:") {
            ("class", rest)
        } else if let Some(rest) = s.strip_prefix("urn:epc:idpat:") {
            ("idpat", rest)
        } else {
            return Err(EpcError::NotUrn);
        };
        let (scheme, body) = rest.split_once(':').ok_or(EpcError::NotUrn)?;
        // The last field (serial, lot, extension) may itself contain dots.
        let fields = if scheme == "sscc" { 2 } else { 3 };
        let parts: Vec<&str> = body.splitn(fields, '.').collect();
        let wrong_parts = |expected: usize| EpcError::Field {
            field: "urn",
            reason: format!("{scheme} has {} dot-separated parts, expected {expected}", parts.len()),
        };
        match (kind, scheme) {
            ("id", "sgtin") | ("class", "lgtin") => {
                let [prefix, item, text] = parts[..] else { return Err(wrong_parts(3)) };
                let (company_prefix, item_ref) = prefix_and_ref(prefix, "item reference", item, 13)?;
                if kind == "id" {
                    Ok(Epc::Sgtin { company_prefix, item_ref, serial: text_field("serial", text)? })
                } else {
                    Ok(Epc::Lgtin { company_prefix, item_ref, lot: text_field("lot", text)? })
                }
            }
            ("id", "sscc") => {
                let [prefix, serial] = parts[..] else { return Err(wrong_parts(2)) };
                let (company_prefix, serial_ref) = prefix_and_ref(prefix, "serial reference", serial, 17)?;
                Ok(Epc::Sscc { company_prefix, serial_ref })
            }
            ("id", "sgln") => {
                let [prefix, location, extension] = parts[..] else { return Err(wrong_parts(3)) };
                let (company_prefix, location_ref) = prefix_and_ref(prefix, "location reference", location, 12)?;
                Ok(Epc::Sgln { company_prefix, location_ref, extension: text_field("extension", extension)? })
            }
            ("idpat", "sgtin" | "sscc" | "sgln") => {
                let (pattern, total, count) = match scheme {
                    "sgtin" => (PatternScheme::Sgtin, 13, 3),
                    "sscc" => (PatternScheme::Sscc, 17, 2),
                    _ => (PatternScheme::Sgln, 12, 3),
                };
                if parts.len() != count {
                    return Err(wrong_parts(count));
                }
                if parts[count - 1] != "*" {
                    return Err(EpcError::Field { field: "pattern", reason: "the last part must be '*'".into() });
                }
                let reference = match (count, parts[1]) {
                    (3, "*") | (2, _) => None,
                    (_, reference) => Some(reference),
                };
                let company_prefix = match reference {
                    Some(reference) => prefix_and_ref(parts[0], "reference", reference, total)?.0,
                    None => company_prefix(parts[0])?,
                };
                Ok(Epc::Pattern { scheme: pattern, company_prefix, reference: reference.map(str::to_owned) })
            }
            _ => Err(EpcError::UnsupportedScheme(scheme.to_owned())),
        }
    }

    /// The URN, with serials, lots and extensions percent-encoded where the standard requires.
    pub fn to_urn(&self) -> String {
        match self {
            Epc::Sgtin { company_prefix, item_ref, serial } => {
                format!("urn:epc:id:sgtin:{company_prefix}.{item_ref}.{}", encode(serial))
            }
            Epc::Lgtin { company_prefix, item_ref, lot } => {
                format!("urn:epc:class:lgtin:{company_prefix}.{item_ref}.{}", encode(lot))
            }
            Epc::Sscc { company_prefix, serial_ref } => format!("urn:epc:id:sscc:{company_prefix}.{serial_ref}"),
            Epc::Sgln { company_prefix, location_ref, extension } => {
                format!("urn:epc:id:sgln:{company_prefix}.{location_ref}.{}", encode(extension))
            }
            Epc::Pattern { scheme, company_prefix, reference } => {
                let reference = reference.as_deref().unwrap_or("*");
                match scheme {
                    PatternScheme::Sscc => format!("urn:epc:idpat:sscc:{company_prefix}.*"),
                    _ => format!("urn:epc:idpat:{}:{company_prefix}.{reference}.*", scheme.as_str()),
                }
            }
        }
    }

    /// The GTIN-14 of a trade item or trade item class.
    pub fn gtin(&self) -> Option<String> {
        match self {
            Epc::Sgtin { company_prefix, item_ref, .. }
            | Epc::Lgtin { company_prefix, item_ref, .. }
            | Epc::Pattern { scheme: PatternScheme::Sgtin, company_prefix, reference: Some(item_ref) } => {
                Some(with_check_digit(&format!("{}{company_prefix}{}", &item_ref[..1], &item_ref[1..])))
            }
            _ => None,
        }
    }

    /// The Digital Link URI on the canonical host.
    pub fn to_digital_link(&self) -> Result<String, EpcError> {
        Ok(match self {
            Epc::Sgtin { serial, .. } => {
                format!("{CANONICAL_HOST}/01/{}/21/{}", self.gtin().expect("sgtin"), encode(serial))
            }
            Epc::Lgtin { lot, .. } => format!("{CANONICAL_HOST}/01/{}/10/{}", self.gtin().expect("lgtin"), encode(lot)),
            Epc::Pattern { scheme: PatternScheme::Sgtin, reference: Some(_), .. } => {
                format!("{CANONICAL_HOST}/01/{}", self.gtin().expect("sgtin class"))
            }
            Epc::Sscc { company_prefix, serial_ref } => {
                let data = format!("{}{company_prefix}{}", &serial_ref[..1], &serial_ref[1..]);
                format!("{CANONICAL_HOST}/00/{}", with_check_digit(&data))
            }
            Epc::Sgln { company_prefix, location_ref, extension } => {
                let gln = with_check_digit(&format!("{company_prefix}{location_ref}"));
                if extension == "0" {
                    format!("{CANONICAL_HOST}/414/{gln}")
                } else {
                    format!("{CANONICAL_HOST}/414/{gln}/254/{}", encode(extension))
                }
            }
            Epc::Pattern { .. } => return Err(EpcError::NoDigitalLink),
        })
    }

    /// Converts a Digital Link; `company_prefix_len` overrides GS1 China's fixed allocations.
    pub fn from_digital_link(link: &DigitalLink, company_prefix_len: Option<usize>) -> Result<Self, EpcError> {
        let (ai, key) = (&link.primary.0, &link.primary.1);
        // Digits after the indicator or extension digit, where the company prefix starts.
        let after_first = if ai == "414" { &key[..] } else { &key[1..] };
        let length = company_prefix_len
            .or_else(|| company_prefix_length(after_first))
            .ok_or_else(|| EpcError::UnknownCompanyPrefixLength(key.clone()))?;
        if !(6..=12).contains(&length) {
            return Err(EpcError::Field {
                field: "company prefix",
                reason: format!("length {length} is outside 6 to 12"),
            });
        }
        let qualifier = |wanted: &str| link.qualifiers.iter().find(|(q, _)| q == wanted).map(|(_, v)| v.clone());
        Ok(match ai.as_str() {
            "01" => {
                let company_prefix = key[1..1 + length].to_owned();
                let item_ref = format!("{}{}", &key[..1], &key[1 + length..13]);
                match (qualifier("21"), qualifier("10")) {
                    (Some(serial), _) => Epc::Sgtin { company_prefix, item_ref, serial },
                    (None, Some(lot)) => Epc::Lgtin { company_prefix, item_ref, lot },
                    (None, None) => {
                        Epc::Pattern { scheme: PatternScheme::Sgtin, company_prefix, reference: Some(item_ref) }
                    }
                }
            }
            "00" => Epc::Sscc {
                company_prefix: key[1..1 + length].to_owned(),
                serial_ref: format!("{}{}", &key[..1], &key[1 + length..17]),
            },
            _ => Epc::Sgln {
                company_prefix: key[..length].to_owned(),
                location_ref: key[length..12].to_owned(),
                extension: qualifier("254").unwrap_or_else(|| "0".to_owned()),
            },
        })
    }
}

impl fmt::Display for Epc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_urn())
    }
}

/// A parsed GS1 Digital Link: the primary key and its qualifiers, values decoded and keys checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitalLink {
    /// Primary key AI (`01`, `00`, `414`) and its value (a GTIN is padded to 14 digits).
    pub primary: (String, String),
    /// Key qualifiers in path order, e.g. `("10", lot)`, `("21", serial)`.
    pub qualifiers: Vec<(String, String)>,
}

impl DigitalLink {
    /// Parses an `http(s)://host/AI/value/…` URI; the query string and fragment are ignored.
    pub fn parse(input: &str) -> Result<Self, EpcError> {
        let s = input.trim();
        let rest = s
            .strip_prefix("https://")
            .or_else(|| s.strip_prefix("http://"))
            .ok_or_else(|| EpcError::NotDigitalLink("expected an http or https URI".into()))?;
        let rest = rest.split(['?', '#']).next().unwrap_or_default();
        let (_host, path) = rest.split_once('/').ok_or_else(|| EpcError::NotDigitalLink("no path".into()))?;
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
        if segments.len() < 2 || !segments.len().is_multiple_of(2) {
            return Err(EpcError::NotDigitalLink("the path must be pairs of AI and value".into()));
        }
        let (primary_ai, primary_value) = (segments[0], segments[1]);
        let allowed: &[&str] = match primary_ai {
            "01" => &["22", "10", "21"],
            "00" => &[],
            "414" => &["254"],
            other => return Err(EpcError::PrimaryKeyFirst(other.to_owned())),
        };
        let key_error = |source| EpcError::Key { ai: primary_ai.to_owned(), source };
        let primary_value = match primary_ai {
            "01" => Gtin::parse(primary_value).map_err(key_error)?.to_gtin14(),
            "00" => Sscc::parse(primary_value).map_err(key_error)?.as_str().to_owned(),
            _ => Gln::parse(primary_value).map_err(key_error)?.as_str().to_owned(),
        };
        let mut qualifiers = Vec::new();
        let mut next_allowed = 0;
        for pair in segments[2..].chunks(2) {
            let position = allowed[next_allowed..].iter().position(|&a| a == pair[0]);
            let Some(position) = position else {
                return Err(EpcError::Qualifier { primary: primary_ai.to_owned(), ai: pair[0].to_owned() });
            };
            next_allowed += position + 1;
            let field = match pair[0] {
                "10" => "lot",
                "21" => "serial",
                "22" => "consumer product variant",
                _ => "extension",
            };
            qualifiers.push((pair[0].to_owned(), text_field(field, pair[1])?));
        }
        Ok(DigitalLink { primary: (primary_ai.to_owned(), primary_value), qualifiers })
    }

    /// The URI on the canonical host.
    pub fn to_uri(&self) -> String {
        let mut uri = format!("{CANONICAL_HOST}/{}/{}", self.primary.0, self.primary.1);
        for (ai, value) in &self.qualifiers {
            uri.push_str(&format!("/{ai}/{}", encode(value)));
        }
        uri
    }
}
