//! Every CBV 2.0 event-hash vector of the GS1 reference generator reproduces.

use std::path::{Path, PathBuf};

use epcis::{event_hash, json, prehash};
use sha2::{Digest, Sha256};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hash-vectors/examples")
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap_or_default().lines().map(str::to_owned).filter(|l| !l.is_empty()).collect()
}

/// Pre-hash strings of every event of a document, in order.
fn prehashes_of(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "xml") {
        let document = epcis::xml::parse_document(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        document.events.iter().map(|event| prehash(event, &document.ignored_fields)).collect()
    } else {
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let document = json::document(&value);
        document
            .events
            .iter()
            .map(|(_, event)| prehash(&json::event_tree(&document.context, event), &document.ignored_fields))
            .collect()
    }
}

fn sha_hash(prehash: &str) -> String {
    format!("ni:///sha-256;{}?ver=CBV2.0", hex::encode(Sha256::digest(prehash.as_bytes())))
}

#[test]
fn every_vector_reproduces() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonld" || e == "xml"))
        .collect();
    inputs.sort();
    for input in inputs {
        let expected_hashes = lines(&input.with_extension("hashes"));
        if expected_hashes.is_empty() {
            continue;
        }
        let expected_prehashes = lines(&input.with_extension("prehashes"));
        let prehashes = prehashes_of(&input);
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        if prehashes.len() != expected_hashes.len() {
            failures.push(format!("{name}: {} events, expected {}", prehashes.len(), expected_hashes.len()));
            continue;
        }
        for (i, (ours, expected)) in prehashes.iter().zip(&expected_hashes).enumerate() {
            checked += 1;
            if &event_hash(ours) != expected {
                let reference = expected_prehashes.get(i).filter(|p| &sha_hash(p) == expected);
                failures.push(format!(
                    "{name} event {i}:\n  ours:     {ours}\n  expected: {}",
                    reference.map_or("(no matching pre-hash line)", String::as_str)
                ));
            } else if let Some(line) = expected_prehashes.get(i).filter(|p| &sha_hash(p) == expected) {
                assert_eq!(ours, line, "{name} event {i}");
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} events differ:\n{}", failures.len(), failures.join("\n"));
    assert!(checked >= 60, "only {checked} events checked");
}

/// Different serialisations of one event (time zones, precision, number forms, URN or link) hash equal.
#[test]
fn equal_events_hash_equal() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hash-vectors/expected_equal");
    let mut files = 0;
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        let prehashes = prehashes_of(&path);
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "ReferenceEventHashAlgorithm.json" {
            // The JSON form of the reference example hashes as its XML form does.
            let expected = lines(&examples().join("ReferenceEventHashAlgorithm.hashes"));
            assert!(!prehashes.is_empty());
            for prehash in &prehashes {
                assert_eq!(event_hash(prehash), expected[0], "{name}");
            }
        } else {
            assert!(prehashes.len() >= 2, "{name}: {} events", prehashes.len());
            for (i, other) in prehashes.iter().enumerate().skip(1) {
                assert_eq!(other, &prehashes[0], "{name}: event {i} differs from event 0");
            }
        }
        files += 1;
    }
    assert_eq!(files, 11);
}

/// An XML document converted to the JSON binding hashes as the XML does: the conversion loses nothing the hash
/// sees. (This is how the repository captures XML.)
#[test]
fn xml_converted_to_json_keeps_every_hash() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(examples()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "xml") {
            continue;
        }
        let expected = lines(&path.with_extension("hashes"));
        if expected.is_empty() {
            continue;
        }
        let json = epcis::xml::to_json_document(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let problems = epcis::validate_document(&json);
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        let events = epcis::events_of(&json).unwrap_or_else(|(i, e)| panic!("{}: event {i}: {e}", path.display()));
        let hashes: Vec<String> = events.iter().map(|e| e.hash.clone()).collect();
        if hashes != expected {
            failures.push(format!("{}: {hashes:?}", path.display()));
        }
        checked += hashes.len();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 40, "{checked}");
}
