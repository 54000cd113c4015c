//! Fuzz EPC URN and Digital Link parsing: accepted URNs round-trip, and a link converted to an EPC and back
//! gives the same EPC.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    if let Ok(epc) = codes::Epc::parse_urn(data) {
        assert_eq!(codes::Epc::parse_urn(&epc.to_urn()).unwrap(), epc);
    }
    if let Ok(link) = codes::DigitalLink::parse(data) {
        if let Ok(epc) = codes::Epc::from_digital_link(&link, Some(7)) {
            if let Ok(uri) = epc.to_digital_link() {
                let again = codes::DigitalLink::parse(&uri).unwrap();
                assert_eq!(codes::Epc::from_digital_link(&again, Some(7)).unwrap(), epc);
            }
        }
    }
});
