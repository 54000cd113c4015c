//! Injury cases and the counts behind national estimates, on both backends.

use store::injuries::{Hospital, InjuryCase, InjuryFilter, InjuryGroup};

use crate::stores;

fn case(id: &str, hospital: &str, age: i64, product: &str, weight: f64) -> InjuryCase {
    InjuryCase {
        case_id: id.into(),
        hospital_id: hospital.into(),
        treated_on: "2026-03-02".into(),
        stratum: "S1".into(),
        weight,
        age,
        sex: "female".into(),
        product_code: product.into(),
        product_code_2: None,
        body_part: "hand".into(),
        diagnosis: "burn".into(),
        disposition: "treated_released".into(),
        location: None,
        intent: None,
        hazard_code: None,
        narrative: Some("充电时起火".into()),
    }
}

#[tokio::test]
async fn counts_group_by_age_and_province_and_corrections_replace() {
    for (store, _dir) in stores().await {
        let hospitals = [
            Hospital {
                id: "H1".into(),
                name: "一院".into(),
                region_code: "330106".into(),
                stratum: "S1".into(),
                weight: 25.0,
            },
            Hospital {
                id: "H2".into(),
                name: "二院".into(),
                region_code: "440106".into(),
                stratum: "S1".into(),
                weight: 25.0,
            },
        ];
        let cases =
            [case("A", "H1", 3, "0503", 25.0), case("B", "H1", 30, "0101", 25.0), case("C", "H2", 70, "0503", 25.0)];
        assert_eq!(store.import_injuries(&hospitals, &cases, None).await.unwrap(), (3, 0));
        let mut corrected = case("C", "H2", 70, "0503", 25.0);
        corrected.age = 71;
        assert_eq!(store.import_injuries(&hospitals[1..], &[corrected], None).await.unwrap(), (0, 1));

        let filter = InjuryFilter { product_code: Some("0503".into()), ..InjuryFilter::default() };
        let (totals, counts) =
            store.injury_counts(&filter, &[InjuryGroup::AgeGroup, InjuryGroup::Province]).await.unwrap();
        assert_eq!(totals.len(), 2, "{}", store.backend_name());
        assert_eq!((totals[0].cases, totals[0].weight, totals[0].squared_weights), (2, 50.0, 1250.0));
        let mut groups: Vec<(Vec<String>, u64)> = counts.into_iter().map(|c| (c.group, c.cases)).collect();
        groups.sort();
        assert_eq!(
            groups,
            [(vec!["00-04".to_owned(), "33".to_owned()], 1), (vec!["65+".to_owned(), "44".to_owned()], 1)],
            "{}",
            store.backend_name()
        );
    }
}
