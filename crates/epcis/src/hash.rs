//! The CBV 2.0 event hash (CBV §8.9): a syntax-independent identity for an event.
//!
//! The pre-hash string is the event's fields in a canonical order, each as `name=value`, with identifiers as
//! canonical GS1 Digital Links, CBV values as web URIs, times in UTC to the millisecond and numbers without
//! redundant zeros; repeated elements are sorted. Fields outside the canonical order (business transactions,
//! sources, destinations, ILMD, extensions) follow, sorted. `eventID`, `recordTime`, `errorDeclaration` and
//! comments never take part, so an event keeps its hash when it is declared erroneous or stored again.
//!
//! Where the GS1 reference generator and the standard disagree, the vectors in the generator's test suite are
//! the truth. One choice they leave open: a JSON boolean is written `true`, as the XML binding writes it (the
//! Python generator writes `True`), so that both bindings of one event hash equal.

use sha2::{Digest, Sha256};

use crate::tree::{EventTree, Node};

/// A field in the canonical order and the canonical order of its children (empty for a leaf).
struct Field {
    name: &'static str,
    children: &'static [Field],
}

const fn leaf(name: &'static str) -> Field {
    Field { name, children: &[] }
}

const EPC: &[Field] = &[leaf("epc")];
const QUANTITY_ELEMENT: &[Field] =
    &[Field { name: "quantityElement", children: &[leaf("epcClass"), leaf("quantity"), leaf("uom")] }];
const SENSOR_METADATA: &[Field] = &[
    leaf("time"),
    leaf("startTime"),
    leaf("endTime"),
    leaf("deviceID"),
    leaf("deviceMetadata"),
    leaf("rawData"),
    leaf("dataProcessingMethod"),
    leaf("bizRules"),
];
const SENSOR_REPORT: &[Field] = &[
    leaf("type"),
    leaf("exception"),
    leaf("deviceID"),
    leaf("deviceMetadata"),
    leaf("rawData"),
    leaf("dataProcessingMethod"),
    leaf("time"),
    leaf("microorganism"),
    leaf("chemicalSubstance"),
    leaf("value"),
    leaf("component"),
    leaf("stringValue"),
    leaf("booleanValue"),
    leaf("hexBinaryValue"),
    leaf("uriValue"),
    leaf("minValue"),
    leaf("maxValue"),
    leaf("meanValue"),
    leaf("sDev"),
    leaf("percRank"),
    leaf("percValue"),
    leaf("uom"),
    leaf("coordinateReferenceSystem"),
];
const SENSOR_ELEMENT: &[Field] = &[Field {
    name: "sensorElement",
    children: &[
        Field { name: "sensorMetadata", children: SENSOR_METADATA },
        Field { name: "sensorReport", children: SENSOR_REPORT },
    ],
}];

/// CBV 2.0 canonical property order.
const CANONICAL_ORDER: &[Field] = &[
    leaf("eventTime"),
    leaf("eventTimeZoneOffset"),
    leaf("certificationInfo"),
    leaf("parentID"),
    Field { name: "epcList", children: EPC },
    Field { name: "inputEPCList", children: EPC },
    Field { name: "childEPCs", children: EPC },
    Field { name: "quantityList", children: QUANTITY_ELEMENT },
    Field { name: "childQuantityList", children: QUANTITY_ELEMENT },
    Field { name: "inputQuantityList", children: QUANTITY_ELEMENT },
    Field { name: "outputEPCList", children: EPC },
    Field { name: "outputQuantityList", children: QUANTITY_ELEMENT },
    leaf("action"),
    leaf("transformationID"),
    leaf("bizStep"),
    leaf("disposition"),
    Field { name: "persistentDisposition", children: &[leaf("set"), leaf("unset")] },
    Field { name: "readPoint", children: &[leaf("id")] },
    Field { name: "bizLocation", children: &[leaf("id")] },
    Field { name: "sensorElementList", children: SENSOR_ELEMENT },
];

/// Fields that never take part in the hash.
fn is_excluded(name: &str) -> bool {
    matches!(name, "eventID" | "recordTime" | "errorDeclaration" | "comment")
        || name == "{http://www.w3.org/2000/01/rdf-schema#}comment"
}

/// List items written `type=…` before their value.
fn is_typed_item(name: &str) -> bool {
    matches!(name, "bizTransaction" | "source" | "destination")
}

/// Numbers as Python's `float` → `int`-if-whole → `str` writes them, as the reference generator does.
fn canonical_number(text: &str) -> Option<String> {
    if !text.bytes().any(|b| b.is_ascii_digit())
        || text.bytes().any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E')
    {
        return None;
    }
    let x: f64 = text.parse().ok()?;
    if !x.is_finite() {
        return None;
    }
    if x.fract() == 0.0 {
        let whole = format!("{x:.0}");
        return Some(if whole == "-0" { "0".to_owned() } else { whole });
    }
    if x.abs() >= 1e-4 {
        return Some(format!("{x}"));
    }
    // Python switches to exponent notation below 1e-4 and writes at least two exponent digits.
    let scientific = format!("{x:e}");
    let (mantissa, exponent) = scientific.split_once('e')?;
    let (sign, digits) = exponent.strip_prefix('-').map_or(("+", exponent), |d| ("-", d));
    Some(format!("{mantissa}e{sign}{digits:0>2}"))
}

/// A value in canonical form: numbers trimmed, EPC URNs and Digital Links on the canonical host.
fn canonical_value(name: &str, text: &str) -> String {
    let lower = name.to_ascii_lowercase();
    if lower.contains("time") && !lower.contains("offset") {
        return crate::time::hash_form(text);
    }
    if let Some(number) = canonical_number(text) {
        return number;
    }
    codes::link::canonical_link(text).unwrap_or_else(|| text.to_owned())
}

fn text_part(node: &Node) -> String {
    match node.text.as_deref().map(str::trim) {
        Some(text) if !text.is_empty() => format!("={}", canonical_value(&node.name, text)),
        _ => String::new(),
    }
}

fn sorted_concat(mut parts: Vec<String>) -> String {
    parts.sort();
    parts.concat()
}

/// Renders fields outside the canonical order: name, value, then the children sorted.
fn generic(node: &Node) -> String {
    if is_typed_item(&node.name) {
        let kind = node.children.iter().find(|c| c.name == "type").map(text_part).unwrap_or_default();
        let kind = if kind.is_empty() { kind } else { format!("type{kind}") };
        return format!("{kind}{}{}", node.name, text_part(node));
    }
    format!("{}{}{}", node.name, text_part(node), sorted_concat(node.children.iter().map(generic).collect()))
}

/// Renders and consumes the fields of `order` found in `nodes`; fields it cannot place are left in `nodes`.
fn ordered(nodes: &mut Vec<Node>, order: &[Field]) -> String {
    let mut out = String::new();
    for field in order {
        let mut values = Vec::new();
        let mut i = 0;
        while i < nodes.len() {
            if nodes[i].name == field.name {
                let value = render_ordered(&mut nodes[i], field.children);
                if !value.is_empty() {
                    values.push(value);
                }
                if nodes[i].children.is_empty() {
                    nodes.remove(i);
                    continue;
                }
            }
            i += 1;
        }
        out.push_str(&sorted_concat(values));
    }
    out
}

fn render_ordered(node: &mut Node, children: &[Field]) -> String {
    let text = text_part(node);
    let mut nested = String::new();
    if !children.is_empty() {
        nested = ordered(&mut node.children, children);
        // Extensions inside a standard structure follow its standard children.
        let (extensions, rest): (Vec<Node>, Vec<Node>) =
            std::mem::take(&mut node.children).into_iter().partition(Node::is_extension);
        node.children = rest;
        nested.push_str(&sorted_concat(extensions.iter().map(generic).collect()));
    }
    if text.is_empty() && nested.is_empty() {
        return String::new();
    }
    format!("{}{text}{nested}", node.name)
}

/// The pre-hash string of an event; `ignored` names extension fields a repository added itself.
pub fn prehash(event: &EventTree, ignored: &[String]) -> String {
    let mut fields: Vec<Node> =
        event.fields.iter().filter(|f| !is_excluded(&f.name) && !ignored.contains(&f.name)).cloned().collect();
    let mut out = format!("eventType={}", event.event_type);
    out.push_str(&ordered(&mut fields, CANONICAL_ORDER));
    out.push_str(&sorted_concat(fields.iter().map(generic).collect()));
    out
}

/// The event hash of a pre-hash string: `ni:///sha-256;{hex}?ver=CBV2.0`.
pub fn event_hash(prehash: &str) -> String {
    format!("ni:///sha-256;{}?ver=CBV2.0", hex::encode(Sha256::digest(prehash.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_python_does() {
        for (input, expected) in
            [("26.0", "26"), ("0.1", "0.1"), ("+5", "5"), ("0012", "12"), ("1e3", "1000"), ("0.00001", "1e-05")]
        {
            assert_eq!(canonical_number(input).as_deref(), Some(expected), "{input}");
        }
        for text in ["inf", "nan", "2023-10-09", "AB-12", "", "(414)4023333000000"] {
            assert_eq!(canonical_number(text), None, "{text}");
        }
    }
}
