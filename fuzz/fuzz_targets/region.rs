//! Fuzz the GB/T 2260 parser: accepted codes have a parent chain that ends at a province.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(code) = codes::RegionCode::parse(data) {
        let mut current = code;
        for _ in 0..3 {
            match current.parent() {
                Some(parent) => current = parent,
                None => break,
            }
        }
        assert_eq!(current.level(), codes::RegionLevel::Province);
    }
});
