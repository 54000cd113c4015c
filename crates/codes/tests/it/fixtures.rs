//! Every case in the shared identifier and EPC ↔ Digital Link fixtures (copied into `tests/data`).

use codes::{inspect, CodeKind, DigitalLink, Epc};
use serde_json::Value;

fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture present")).expect("fixture is JSON")
}

#[test]
fn identifier_cases_match_their_expected_validity() {
    let cases = load("identifier_cases.json");
    let cases = cases["cases"].as_array().expect("cases");
    assert!(cases.len() > 400, "fixture unexpectedly small");
    let mut failures = Vec::new();
    for case in cases {
        let kind = CodeKind::from_name(case["kind"].as_str().unwrap()).expect("known kind");
        let value = case["value"].as_str().unwrap();
        let expected = case["valid"].as_bool().unwrap();
        let result = inspect(kind, value);
        if result.valid() != expected {
            failures.push(format!("{} {value:?} ({}): got {:?}", kind.name(), case["why"], result.error));
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn invalid_cases_name_the_failed_check() {
    let check = |kind, value: &str, code: &str, message: &str| {
        let error = inspect(kind, value).error.expect("invalid");
        assert_eq!(error.code, code, "{value}");
        assert_eq!(error.message, message, "{value}");
    };
    check(
        CodeKind::Uscc,
        "91350100M000100Y44",
        "check_character",
        "check character (character 18) is '4', expected '3'",
    );
    check(
        CodeKind::Uscc,
        "91350100M000100Y4Z",
        "invalid_character",
        "character 18 is 'Z', which is not in the GB 32100 set 0-9A-HJ-NP-RTUWXY",
    );
    check(
        CodeKind::Uscc,
        "91211302JURQ283F67",
        "org_code_check",
        "embedded organization code (characters 9-17) has check character '6', expected '5'",
    );
    check(
        CodeKind::Uscc,
        "91211302JURQ283I54",
        "invalid_character",
        "character 16 is 'I', which is not in the GB 32100 set 0-9A-HJ-NP-RTUWXY",
    );
    check(
        CodeKind::Uscc,
        "91211302JURQ283F5",
        "invalid_length",
        "unified social credit code has 17 characters, expected 18",
    );
    check(CodeKind::Gtin, "6979693716480", "check_character", "check digit is '0', expected '9'");
    check(CodeKind::OrgCode, "OHT098GE0", "check_character", "check character is '0', expected '7'");
    check(CodeKind::Region, "990101", "unknown_region", "region code 990101 is not in the GB/T 2260 code history");
}

#[test]
fn uscc_parts_name_the_region_and_organization_code() {
    let result = inspect(CodeKind::Uscc, " 91350100m000100y43 ");
    assert_eq!(result.normalized.as_deref(), Some("91350100M000100Y43"));
    let part = |name| result.parts.iter().find(|(k, _)| *k == name).map(|(_, v)| v.as_str());
    assert_eq!(part("region_code"), Some("350100"));
    assert_eq!(part("region_name"), Some("福州市"));
    assert_eq!(part("org_code"), Some("M000100Y-4"));
    assert_eq!(part("department_name"), Some("市场监管"));
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
}

#[test]
fn unknown_reference_data_warns_without_rejecting() {
    // Department 9 has no category 9, and 990000 is no region: both only warnings.
    let uscc = codes::Uscc::from_first17("99990000MA1BUFLT4").expect("checks computed");
    let result = inspect(CodeKind::Uscc, uscc.as_str());
    assert!(result.valid());
    let codes: Vec<_> = result.warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, ["unknown_department_category", "unknown_region"]);
}

#[test]
fn epc_digital_link_pairs_convert_both_ways() {
    let fixture = load("epc_digital_link.json");
    for pair in fixture["pairs"].as_array().unwrap() {
        let urn = pair["urn"].as_str().unwrap();
        let link = pair["digital_link"].as_str().unwrap();
        let epc = Epc::parse_urn(urn).unwrap_or_else(|e| panic!("{urn}: {e}"));
        assert_eq!(epc.to_urn(), urn);
        assert_eq!(epc.to_digital_link().unwrap(), link, "{urn}");
        // The company-prefix length is not in a Digital Link: take it from the URN, as a caller would from
        // GS1's prefix list.
        let prefix_len = urn.rsplit(':').next().unwrap().split('.').next().unwrap().len();
        let parsed = DigitalLink::parse(link).unwrap_or_else(|e| panic!("{link}: {e}"));
        assert_eq!(parsed.to_uri(), link);
        let back = Epc::from_digital_link(&parsed, Some(prefix_len)).unwrap();
        assert_eq!(back.to_urn(), urn, "{link}");
    }
}

#[test]
fn invalid_digital_links_are_rejected() {
    let fixture = load("epc_digital_link.json");
    let mut codes = Vec::new();
    for case in fixture["invalid_digital_links"].as_array().unwrap() {
        let value = case["value"].as_str().unwrap();
        let error = DigitalLink::parse(value).expect_err(value);
        codes.push(error.code());
    }
    assert_eq!(codes, ["primary_key_order", "check_character"]);
}

#[test]
fn gs1_china_prefixes_fix_the_company_prefix_length() {
    let link = DigitalLink::parse("https://id.gs1.org/01/06901234567892/21/A1").unwrap();
    let epc = Epc::from_digital_link(&link, None).unwrap();
    assert_eq!(epc.to_urn(), "urn:epc:id:sgtin:6901234.056789.A1");
    let unknown = DigitalLink::parse("https://id.gs1.org/01/10614141073464").unwrap();
    assert_eq!(Epc::from_digital_link(&unknown, None).unwrap_err().code(), "unknown_company_prefix_length");
}

#[test]
fn epc_patterns_parse_and_only_classes_link() {
    let class = Epc::parse_urn("urn:epc:idpat:sgtin:0614141.107346.*").unwrap();
    assert_eq!(class.to_digital_link().unwrap(), "https://id.gs1.org/01/10614141073464");
    let company = Epc::parse_urn("urn:epc:idpat:sgtin:0614141.*.*").unwrap();
    assert_eq!(company.to_urn(), "urn:epc:idpat:sgtin:0614141.*.*");
    assert_eq!(company.to_digital_link().unwrap_err().code(), "no_digital_link");
    assert_eq!(Epc::parse_urn("urn:epc:id:grai:0614141.12345.400").unwrap_err().code(), "unsupported_scheme");
}
