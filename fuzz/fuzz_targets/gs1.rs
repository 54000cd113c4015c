//! Fuzz the GTIN, GLN and SSCC parsers: accepted GTINs survive padding to GTIN-14.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(gtin) = codes::Gtin::parse(data) {
        assert_eq!(codes::Gtin::parse(&gtin.to_gtin14()).unwrap().to_gtin14(), gtin.to_gtin14());
    }
    let _ = codes::Gln::parse(data);
    let _ = codes::Sscc::parse(data);
});
