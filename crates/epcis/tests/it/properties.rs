//! On every test run, what the fuzz targets `epcis_json` and `epcis_xml` do on a nightly toolchain: arbitrary
//! and arbitrarily nested input to the EPCIS readers gives an answer or a located error, never a panic or a
//! stack overflow.

use proptest::prelude::*;
use serde_json::Value;

/// JSON values nested up to `depth` levels, with EPCIS-looking keys so validation goes past the first check.
fn json_value(depth: u32) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-zA-Z0-9:.+ -]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(depth, 64, 6, |inner| {
        let keys = prop_oneof![
            Just("type".to_owned()),
            Just("eventTime".to_owned()),
            Just("epcList".to_owned()),
            Just("quantityList".to_owned()),
            Just("epcisBody".to_owned()),
            Just("eventList".to_owned()),
            "[a-z]{1,6}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..5).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn json_documents_validate_or_say_why(body in json_value(8)) {
        let root = serde_json::json!({"@context": [], "type": "EPCISDocument", "schemaVersion": "2.0",
            "creationDate": "2026-01-01T00:00:00Z", "epcisBody": {"eventList": [body]}});
        if epcis::json::too_deep(&root, 48).is_none() && epcis::validate_document(&root).is_empty() {
            let _ = epcis::events_of(&root);
        }
    }

    #[test]
    fn xml_text_converts_or_names_the_fault(text in "(<[a-zA-Z:]{1,8}( [a-z]{1,4}=\"[a-z0-9]{0,4}\")?>|</[a-zA-Z:]{1,8}>|[a-z0-9 ]{0,6}|&[a-z]{0,4};?){0,40}") {
        let document = format!("<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:2\" schemaVersion=\"2.0\"><EPCISBody><EventList>{text}</EventList></EPCISBody></epcis:EPCISDocument>");
        if let Ok(root) = epcis::xml::to_json_document(&document) {
            let _ = epcis::validate_document(&root);
        }
    }
}

#[test]
fn very_deep_input_is_refused_before_any_recursion() {
    let xml = format!("<a>{}{}</a>", "<b>".repeat(100_000), "</b>".repeat(100_000));
    assert!(epcis::xml::to_json_document(&xml).is_err());
    let json: Value = serde_json::from_str(&format!("{}{}", "[".repeat(100), "]".repeat(100))).unwrap();
    assert!(epcis::json::too_deep(&json, 48).is_some());
}
