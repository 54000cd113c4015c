//! Fuzz the EPCIS XML reader: any text is either refused with a located error (a depth past the limit among
//! them) or converted to a JSON document that validates without a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(root) = epcis::xml::to_json_document(data) {
        let _ = epcis::validate_document(&root);
    }
});
