//! OpenEPCIS capture conformance: every valid document and event passes, every invalid one fails.

use std::path::{Path, PathBuf};

use epcis::validate_document;
use serde_json::Value;

fn files(folder: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/openepcis").join(folder);
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect();
    paths.sort();
    paths
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn valid_documents_and_events_pass() {
    let mut failures = Vec::new();
    let paths: Vec<PathBuf> = files("Capture/Documents").into_iter().chain(files("Capture/Events")).collect();
    for path in &paths {
        let problems = validate_document(&read(path));
        if !problems.is_empty() {
            failures.push(format!("{}: {problems:#?}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(paths.len(), 43);
}

/// Each invalid document fails for its own reason, at its own field.
#[test]
fn invalid_documents_fail_for_the_right_reason() {
    let expected: &[(&str, &[(&str, &str)])] = &[
        (
            "Combination_of_events_with_missing_mandatory_fields.json",
            &[
                ("/epcisBody/eventList/0/action", "required"),
                ("/epcisBody/eventList/1/eventTimeZoneOffset", "required"),
                ("/epcisBody/eventList/1/action", "required"),
            ],
        ),
        (
            "Combination_of_multiple_invalid_fields.json",
            &[
                ("/epcisBody/eventList/0/bizStep", "vocabulary"),
                ("/epcisBody/eventList/1/disposition", "vocabulary"),
                ("/epcisBody/eventList/2/sourceList/0/type", "vocabulary"),
                ("/epcisBody/eventList/3/ilmd/materialType", "unknown_field"),
                ("/epcisBody/eventList/4/eventTime", "format_date_time"),
                ("/epcisBody/eventList/4/action", "enum"),
            ],
        ),
        (
            "Combination_of_non_standard_bizStep_and_disposition.json",
            &[("/epcisBody/eventList/0/bizStep", "vocabulary"), ("/epcisBody/eventList/1/disposition", "vocabulary")],
        ),
        ("EPCISDocument_without_context.json", &[("/@context", "required")]),
        (
            "ObjectEvent_with_ilmd_field_without_namespace.json",
            &[("/epcisBody/eventList/0/ilmd/materialType", "unknown_field")],
        ),
        ("ObjectEvent_with_invalid_action.json", &[("/epcisBody/eventList/0/action", "enum")]),
        (
            "ObjectEvent_with_invalid_certificationInfo.json",
            &[
                ("/epcisBody/eventList/0/certificationInfo/0", "type"),
                ("/epcisBody/eventList/0/certificationInfo/1", "type"),
            ],
        ),
        ("ObjectEvent_with_invalid_eventTime_format.json", &[("/epcisBody/eventList/0/eventTime", "format_date_time")]),
        ("ObjectEvent_with_non_standard_bizStep.json", &[("/epcisBody/eventList/0/bizStep", "vocabulary")]),
        (
            "ObjectEvent_with_non_standard_bizStep_in_second_event.json",
            &[("/epcisBody/eventList/1/bizStep", "vocabulary")],
        ),
        ("ObjectEvent_with_non_standard_disposition.json", &[("/epcisBody/eventList/0/disposition", "vocabulary")]),
        ("ObjectEvent_with_quantity_as_text.json", &[("/epcisBody/eventList/0/quantityList/0/quantity", "type")]),
        (
            "ObjectEvent_with_unknown_field_in_quantityList.json",
            &[("/epcisBody/eventList/0/quantityList/0/weight", "additional_property")],
        ),
        (
            "ObjectEvent_without_action_and_eventTime.json",
            &[
                ("/epcisBody/eventList/0/eventTime", "required"),
                ("/epcisBody/eventList/0/eventTimeZoneOffset", "required"),
                ("/epcisBody/eventList/0/action", "required"),
            ],
        ),
        ("ObjectEvent_without_identifier_list.json", &[("/epcisBody/eventList/0", "what_missing")]),
    ];
    assert_eq!(expected.len(), files("Capture/Invalid").len());
    for (file, wanted) in expected {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/openepcis/Capture/Invalid").join(file);
        let found: Vec<(String, &str)> =
            validate_document(&read(&path)).into_iter().map(|p| (p.pointer, p.code)).collect();
        let wanted: Vec<(String, &str)> = wanted.iter().map(|(p, c)| (p.to_string(), *c)).collect();
        assert_eq!(found, wanted, "{file}");
    }
}
