//! Fuzz the organization-code parser: accepted codes re-parse from their printed form.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(code) = codes::OrgCode::parse(data) {
        assert_eq!(codes::OrgCode::parse(&code.printed()).unwrap(), code);
    }
});
