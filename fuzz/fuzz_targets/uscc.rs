//! Fuzz the USCC parser: it never panics, and whatever it accepts re-parses to itself.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(uscc) = codes::Uscc::parse(data) {
        assert_eq!(codes::Uscc::parse(uscc.as_str()).unwrap(), uscc);
        let _ = uscc.warnings();
    }
});
