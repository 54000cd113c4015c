//! GB/T 2260 table: levels, parents, history.

use codes::{region, RegionCode, RegionLevel};

#[test]
fn table_has_the_2024_codes_in_use() {
    let in_use: Vec<_> = region::in_use().collect();
    assert_eq!(in_use.len(), 3213);
    let provinces = in_use.iter().filter(|r| r.level == RegionLevel::Province).count();
    assert_eq!(provinces, 34);
}

#[test]
fn retired_codes_still_resolve_with_successors() {
    let code = RegionCode::parse("110103").unwrap();
    let region = code.region();
    assert_eq!(region.name, "崇文区");
    assert!(!region.in_use);
    assert_eq!(region.retired, Some(2010));
    assert_eq!(region.successors, ["110101"]);
}

#[test]
fn parents_follow_the_hierarchy() {
    let county = RegionCode::parse("330106").unwrap();
    assert_eq!(county.parent().unwrap().as_str(), "330100");
    assert_eq!(county.province().as_str(), "330000");
    // A Beijing district has no prefecture row: its parent is the province.
    assert_eq!(RegionCode::parse("110101").unwrap().parent().unwrap().as_str(), "110000");
    let hangzhou = RegionCode::parse("3301").unwrap();
    assert_eq!(hangzhou.as_str(), "330100");
    assert!(hangzhou.contains("330106"));
    assert!(!hangzhou.contains("330206"));
}

#[test]
fn malformed_region_codes_say_why() {
    assert_eq!(RegionCode::parse("33010").unwrap_err().code(), "invalid_length");
    assert_eq!(RegionCode::parse("33a100").unwrap_err().code(), "invalid_character");
}
