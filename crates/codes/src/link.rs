//! Every GS1 key an EPC URN can carry (Tag Data Standard 2.0), as Digital Link path segments.
//!
//! [`urn_segments`] turns any `urn:epc:id:`, `urn:epc:class:lgtin:` or single-class `urn:epc:idpat:` URN into
//! `(AI, value)` pairs; [`link_segments`] reads any GS1 Digital Link (any host, convenience aliases such as
//! `gtin`, query string dropped) into the same pairs. Values are decoded; [`segments_to_uri`] encodes them for
//! the canonical host. EPCIS repositories key items on that canonical form, and the CBV 2.0 event hash needs it.

use crate::epc::{EpcError, CANONICAL_HOST};
use crate::gs1::with_check_digit;

/// One path segment pair of a Digital Link: application identifier and decoded value.
pub type Segment = (&'static str, String);

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

fn field_error(field: &'static str, reason: String) -> EpcError {
    EpcError::Field { field, reason }
}

fn digits<'a>(field: &'static str, value: &'a str) -> Result<&'a str, EpcError> {
    if value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(value)
    } else {
        Err(field_error(field, format!("'{value}' is not a string of digits")))
    }
}

/// Company prefix and numeric reference that must make `total` digits together.
fn numeric_key(prefix: &str, reference_field: &'static str, reference: &str, total: usize) -> Result<String, EpcError> {
    let prefix = digits("company prefix", prefix)?;
    if !(6..=12).contains(&prefix.len()) {
        return Err(field_error("company prefix", format!("has {} digits, expected 6 to 12", prefix.len())));
    }
    let reference = digits(reference_field, reference)?;
    if prefix.len() + reference.len() != total {
        return Err(field_error(
            reference_field,
            format!(
                "company prefix and {reference_field} have {} digits, expected {total}",
                prefix.len() + reference.len()
            ),
        ));
    }
    Ok(format!("{prefix}{reference}"))
}

/// GTIN-14 from company prefix and indicator + item reference.
fn gtin(prefix: &str, item_ref: &str) -> Result<String, EpcError> {
    // Validated first: the reference then has at least the indicator digit.
    numeric_key(prefix, "item reference", item_ref, 13)?;
    let (indicator, rest) = item_ref.split_at(1);
    Ok(with_check_digit(&format!("{indicator}{prefix}{rest}")))
}

/// Alphanumeric text (serial, asset reference): decoded, 1 to `max` characters.
fn text(field: &'static str, raw: &str, max: usize) -> Result<String, EpcError> {
    let value = decode(field, raw)?;
    let count = value.chars().count();
    if count > max {
        return Err(field_error(field, format!("has {count} characters, at most {max} allowed")));
    }
    Ok(value)
}

/// Digital Link segments of an EPC URN.
pub fn urn_segments(urn: &str) -> Result<Vec<Segment>, EpcError> {
    let s = urn.trim();
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
    let parts: Vec<&str> = body.split('.').collect();
    let wrong = |expected: usize| {
        field_error("urn", format!("{scheme} has {} dot-separated parts, expected {expected}", parts.len()))
    };
    // The last part of these schemes may itself contain dots.
    let head_tail = |count: usize| -> Result<(Vec<&str>, String), EpcError> {
        if parts.len() < count {
            return Err(wrong(count));
        }
        Ok((parts[..count - 1].to_vec(), parts[count - 1..].join(".")))
    };
    let segments = match (kind, scheme) {
        ("id", "sgtin") => {
            let (head, serial) = head_tail(3)?;
            vec![("01", gtin(head[0], head[1])?), ("21", text("serial", &serial, 20)?)]
        }
        ("class", "lgtin") => {
            let (head, lot) = head_tail(3)?;
            vec![("01", gtin(head[0], head[1])?), ("10", text("lot", &lot, 20)?)]
        }
        ("id", "sscc") => {
            let [prefix, serial_ref] = parts[..] else { return Err(wrong(2)) };
            numeric_key(prefix, "serial reference", serial_ref, 17)?;
            let (extension, rest) = serial_ref.split_at(1);
            vec![("00", with_check_digit(&format!("{extension}{prefix}{rest}")))]
        }
        ("id", "sgln") => {
            let (head, extension) = head_tail(3)?;
            let gln = with_check_digit(&numeric_key(head[0], "location reference", head[1], 12)?);
            let extension = text("extension", &extension, 20)?;
            let mut segments = vec![("414", gln)];
            if extension != "0" {
                segments.push(("254", extension));
            }
            segments
        }
        ("id", "pgln") => {
            let [prefix, party_ref] = parts[..] else { return Err(wrong(2)) };
            vec![("417", with_check_digit(&numeric_key(prefix, "party reference", party_ref, 12)?))]
        }
        ("id", "grai") => {
            let (head, serial) = head_tail(3)?;
            let key = with_check_digit(&numeric_key(head[0], "asset type", head[1], 12)?);
            vec![("8003", format!("0{key}{}", text("serial", &serial, 16)?))]
        }
        ("id", "giai") => {
            let (head, asset_ref) = head_tail(2)?;
            let prefix = numeric_key(head[0], "asset reference", "", head[0].len())?;
            vec![("8004", format!("{prefix}{}", text("asset reference", &asset_ref, 30 - prefix.len())?))]
        }
        ("id", "gsrn") | ("id", "gsrnp") => {
            let [prefix, service_ref] = parts[..] else { return Err(wrong(2)) };
            let ai = if scheme == "gsrn" { "8018" } else { "8017" };
            vec![(ai, with_check_digit(&numeric_key(prefix, "service reference", service_ref, 17)?))]
        }
        ("id", "gdti") => {
            let (head, serial) = head_tail(3)?;
            let key = with_check_digit(&numeric_key(head[0], "document type", head[1], 12)?);
            vec![("253", format!("{key}{}", text("serial", &serial, 17)?))]
        }
        ("id", "sgcn") => {
            let (head, serial) = head_tail(3)?;
            let key = with_check_digit(&numeric_key(head[0], "coupon reference", head[1], 12)?);
            vec![("255", format!("{key}{}", digits("serial", &serial)?))]
        }
        ("id", "cpi") => {
            let [prefix, component_ref, serial] = parts[..] else { return Err(wrong(3)) };
            let prefix = numeric_key(prefix, "component reference", "", prefix.len())?;
            let component_ref = text("component reference", component_ref, 30 - prefix.len())?;
            vec![("8010", format!("{prefix}{component_ref}")), ("8011", digits("serial", serial)?.to_owned())]
        }
        ("id", "ginc") => {
            let (head, consignment_ref) = head_tail(2)?;
            let prefix = numeric_key(head[0], "consignment reference", "", head[0].len())?;
            vec![("401", format!("{prefix}{}", text("consignment reference", &consignment_ref, 30 - prefix.len())?))]
        }
        ("id", "gsin") => {
            let [prefix, shipper_ref] = parts[..] else { return Err(wrong(2)) };
            vec![("402", with_check_digit(&numeric_key(prefix, "shipper reference", shipper_ref, 16)?))]
        }
        ("id", "itip") => {
            let (head, serial) = head_tail(5)?;
            let piece = digits("piece", head[2])?;
            let total = digits("total", head[3])?;
            if piece.len() != 2 || total.len() != 2 {
                return Err(field_error("piece", "piece and total must be two digits each".into()));
            }
            vec![("8006", format!("{}{piece}{total}", gtin(head[0], head[1])?)), ("21", text("serial", &serial, 20)?)]
        }
        ("id", "upui") => {
            let (head, tpx) = head_tail(3)?;
            vec![("01", gtin(head[0], head[1])?), ("235", text("third-party serial", &tpx, 28)?)]
        }
        ("idpat", _) => pattern_segments(scheme, &parts)?,
        _ => return Err(EpcError::UnsupportedScheme(scheme.to_owned())),
    };
    Ok(segments)
}

/// Patterns naming exactly one class (`CompanyPrefix.Reference.*`) have a Digital Link; wider ones do not.
fn pattern_segments(scheme: &str, parts: &[&str]) -> Result<Vec<Segment>, EpcError> {
    if parts.last() != Some(&"*") || parts.len() < 3 || parts[..parts.len() - 1].contains(&"*") {
        return Err(EpcError::NoDigitalLink);
    }
    Ok(match (scheme, parts) {
        ("sgtin", [prefix, item_ref, _]) => vec![("01", gtin(prefix, item_ref)?)],
        ("grai", [prefix, asset_type, _]) => {
            vec![("8003", format!("0{}", with_check_digit(&numeric_key(prefix, "asset type", asset_type, 12)?)))]
        }
        ("gdti", [prefix, doc_type, _]) => {
            vec![("253", with_check_digit(&numeric_key(prefix, "document type", doc_type, 12)?))]
        }
        ("sgcn", [prefix, coupon_ref, _]) => {
            vec![("255", with_check_digit(&numeric_key(prefix, "coupon reference", coupon_ref, 12)?))]
        }
        ("cpi", [prefix, component_ref, _]) => {
            let prefix = numeric_key(prefix, "component reference", "", prefix.len())?;
            vec![("8010", format!("{prefix}{}", text("component reference", component_ref, 30 - prefix.len())?))]
        }
        ("itip", [prefix, item_ref, piece, total, _]) => {
            vec![("8006", format!("{}{}{}", gtin(prefix, item_ref)?, digits("piece", piece)?, digits("total", total)?))]
        }
        _ => return Err(EpcError::NoDigitalLink),
    })
}

/// Primary keys a Digital Link may start with, and their convenience aliases.
const PRIMARY_KEYS: &[(&str, &str)] = &[
    ("01", "gtin"),
    ("00", "sscc"),
    ("414", "gln"),
    ("417", "party"),
    ("8003", "grai"),
    ("8004", "giai"),
    ("8018", "gsrn"),
    ("8017", "gsrnp"),
    ("253", "gdti"),
    ("255", "gcn"),
    ("8010", "cpid"),
    ("401", "ginc"),
    ("402", "gsin"),
    ("8006", "itip"),
    ("8013", "gmn"),
];

/// Key qualifiers and their aliases.
const QUALIFIERS: &[(&str, &str)] =
    &[("22", "cpv"), ("10", "lot"), ("21", "ser"), ("235", "tpx"), ("254", "glnx"), ("8011", "cpsn"), ("7040", "uic")];

fn ai_of(table: &[(&'static str, &'static str)], segment: &str) -> Option<&'static str> {
    table.iter().find(|(ai, alias)| *ai == segment || *alias == segment).map(|(ai, _)| *ai)
}

/// Reads a GS1 Digital Link on any host; `None` when the URI is not one. Qualifiers finer than the identity
/// level are dropped: a serial makes the lot and variant redundant, as in the EPC it equals.
pub fn link_segments(uri: &str) -> Option<Vec<Segment>> {
    let s = uri.trim();
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"))?;
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (_host, path) = rest.split_once('/')?;
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    // A resolver may serve links under a path prefix; the key starts at the first primary-key segment.
    let start = parts.iter().position(|p| ai_of(PRIMARY_KEYS, p).is_some())?;
    let parts = &parts[start..];
    if parts.len() < 2 || !parts.len().is_multiple_of(2) {
        return None;
    }
    let mut segments = vec![(ai_of(PRIMARY_KEYS, parts[0])?, decode("key", parts[1]).ok()?)];
    for pair in parts[2..].chunks(2) {
        segments.push((ai_of(QUALIFIERS, pair[0])?, decode("qualifier", pair[1]).ok()?));
    }
    let primary = segments[0].1.as_str();
    let numeric = |len: usize| primary.len() == len && primary.bytes().all(|b| b.is_ascii_digit());
    let valid = match segments[0].0 {
        "01" => [8, 12, 13, 14].contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_digit()),
        "00" => numeric(18),
        "414" | "417" => numeric(13),
        "8018" | "8017" => numeric(18),
        "402" => numeric(17),
        _ => !primary.is_empty(),
    };
    if !valid {
        return None;
    }
    if segments[0].0 == "01" {
        segments[0].1 = format!("{primary:0>14}");
        let finest = ["21", "235", "10"].into_iter().find(|ai| segments.iter().any(|(q, _)| q == ai));
        segments.retain(|(ai, _)| *ai == "01" || Some(*ai) == finest);
    }
    Some(segments)
}

/// Characters left as they are in a canonical Digital Link value; everything else is percent-encoded.
fn unescaped(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~'".contains(&b)
}

/// The canonical `https://id.gs1.org/…` URI of the segments.
pub fn segments_to_uri(segments: &[Segment]) -> String {
    let mut uri = String::from(CANONICAL_HOST);
    for (ai, value) in segments {
        uri.push('/');
        uri.push_str(ai);
        uri.push('/');
        for &b in value.as_bytes() {
            if unescaped(b) {
                uri.push(b as char);
            } else {
                uri.push_str(&format!("%{b:02X}"));
            }
        }
    }
    uri
}

/// The canonical Digital Link of an EPC URN or of any Digital Link; `None` for anything else.
pub fn canonical_link(value: &str) -> Option<String> {
    let segments = if value.starts_with("urn:epc:") { urn_segments(value).ok()? } else { link_segments(value)? };
    Some(segments_to_uri(&segments))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tds_scheme_converts() {
        let cases = [
            ("urn:epc:id:sgtin:4012345.011111.9876", "https://id.gs1.org/01/04012345111118/21/9876"),
            ("urn:epc:id:grai:4012345.00022.334455", "https://id.gs1.org/8003/04012345000221334455"),
            ("urn:epc:id:giai:4012345.ABC345", "https://id.gs1.org/8004/4012345ABC345"),
            ("urn:epc:id:gsrn:4012345.0000006765", "https://id.gs1.org/8018/401234500000067657"),
            ("urn:epc:id:gdti:987659999999..9", "https://id.gs1.org/253/98765999999929"),
            (
                "urn:epc:id:cpi:0614141.11111111111111-A%23%2F.1234",
                "https://id.gs1.org/8010/061414111111111111111-A%23%2F/8011/1234",
            ),
            ("urn:epc:id:itip:4012345.011111.01.02.987", "https://id.gs1.org/8006/040123451111180102/21/987"),
            ("urn:epc:id:pgln:999999999999.", "https://id.gs1.org/417/9999999999994"),
            ("urn:epc:idpat:itip:4012345.012345.01.02.*", "https://id.gs1.org/8006/040123451234560102"),
        ];
        for (urn, link) in cases {
            assert_eq!(canonical_link(urn).as_deref(), Some(link), "{urn}");
        }
    }

    #[test]
    fn links_on_any_host_normalise() {
        assert_eq!(
            canonical_link("https://example.com/gtin/09780345418913/21/765tz?abc=211121").as_deref(),
            Some("https://id.gs1.org/01/09780345418913/21/765tz")
        );
        assert_eq!(canonical_link("https://transaction.acme.com/po/12345678"), None);
        assert_eq!(canonical_link("urn:epc:idpat:sgtin:4012345.*.*"), None);
    }
}
