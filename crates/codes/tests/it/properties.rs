//! Property tests: generated valid codes round-trip, single-character errors are caught, and no parser
//! panics on arbitrary input (the stable-toolchain stand-in for the `fuzz/` targets).

use codes::{inspect, CodeKind, DigitalLink, Epc, Gtin, OrgCode, Uscc};
use proptest::prelude::*;

const USCC_SET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";

fn uscc_strategy() -> impl Strategy<Value = Uscc> {
    (proptest::collection::vec(0..31usize, 16)).prop_filter_map("org code check outside set", |idx| {
        let body: String = idx.iter().map(|&i| USCC_SET.as_bytes()[i] as char).collect();
        // Choose the org-code check character so the embedded code is valid.
        (0..31).find_map(|i| {
            let candidate = format!("{}{}", body, USCC_SET.as_bytes()[i] as char);
            Uscc::from_first17(&candidate)
        })
    })
}

proptest! {
    #[test]
    fn uscc_round_trips_through_lower_case_and_spaces(uscc in uscc_strategy()) {
        let messy = format!("  {}\t", uscc.as_str().to_lowercase());
        prop_assert_eq!(Uscc::parse(&messy).unwrap(), uscc);
    }

    #[test]
    fn uscc_single_substitution_is_detected(uscc in uscc_strategy(), pos in 0..18usize, delta in 1..31usize) {
        let bytes = uscc.as_str().as_bytes();
        let old = USCC_SET.find(bytes[pos] as char).unwrap();
        let mut changed = bytes.to_vec();
        changed[pos] = USCC_SET.as_bytes()[(old + delta) % 31];
        let changed = String::from_utf8(changed).unwrap();
        prop_assert!(Uscc::parse(&changed).is_err(), "{} accepted", changed);
    }

    #[test]
    fn gtin_round_trips(data in "[0-9]{12}") {
        let check = (0..10).find_map(|d| Gtin::parse(&format!("{data}{d}")).ok()).unwrap();
        prop_assert_eq!(Gtin::parse(&check.to_gtin14()).unwrap().to_gtin14(), check.to_gtin14());
    }

    #[test]
    fn sgtin_round_trips_through_digital_link(prefix in "69[0-1][0-9]{4}", item in "[0-9]{6}", serial in "[!%&()*+,./0-9:;<=>?A-Z_a-z-]{1,20}") {
        let serial_enc: String = serial.chars().map(|c| if "%&/<>?\"".contains(c) { format!("%{:02X}", c as u32) } else { c.to_string() }).collect();
        let urn = format!("urn:epc:id:sgtin:{prefix}.{item}.{serial_enc}");
        let epc = Epc::parse_urn(&urn).unwrap();
        prop_assert_eq!(epc.to_urn(), urn.clone());
        let link = DigitalLink::parse(&epc.to_digital_link().unwrap()).unwrap();
        prop_assert_eq!(Epc::from_digital_link(&link, None).unwrap(), epc);
    }

    #[test]
    fn org_code_accepts_printed_form(body in "[0-9A-Z]{8}") {
        let code = (0..11).find_map(|i| {
            let c = if i == 10 { 'X' } else { char::from(b'0' + i as u8) };
            OrgCode::parse(&format!("{body}{c}")).ok()
        }).unwrap();
        prop_assert_eq!(OrgCode::parse(&code.printed()).unwrap(), code);
    }

    #[test]
    fn no_parser_panics_on_arbitrary_input(input in "\\PC{0,40}") {
        for kind in CodeKind::ALL {
            let result = inspect(kind, &input);
            prop_assert_eq!(result.valid(), result.normalized.is_some());
        }
    }
}
