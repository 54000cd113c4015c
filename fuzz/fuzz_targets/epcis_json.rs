//! Fuzz the EPCIS JSON reader: any bytes that parse as JSON within the depth limit are validated and indexed
//! without a panic, and a document past the limit is named, never recursed into.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // serde_json itself stops at 128 levels; the capture's own limit is lower and checked first.
    let Ok(root) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if epcis::json::too_deep(&root, 48).is_some() {
        return;
    }
    let problems = epcis::validate_document(&root);
    if problems.is_empty() {
        let _ = epcis::events_of(&root);
    }
});
