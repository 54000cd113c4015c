//! Sampling results on both backends: import with campaigns and strata created once, re-import updates,
//! grouped counts with filters and strata.

use store::inspections::{NewSample, PassRateFilter, PassRateGroup};

fn sample(id: usize, category: &str, region: &str, verdict: &str, stratum: &str, population: i64) -> NewSample {
    NewSample {
        sample_id: format!("S{id:05}"),
        campaign_id: "2025-GC-01".into(),
        campaign_level: "national".into(),
        sampled_on: format!("2025-{:02}-15", 1 + id % 12),
        product_category: category.into(),
        uscc: "91350100M000100Y43".into(),
        region_code: region.into(),
        channel: if id.is_multiple_of(3) { "online".into() } else { "retail".into() },
        verdict: verdict.into(),
        gtin: None,
        lot: None,
        production_date: None,
        lab: Some("国家玩具质检中心".into()),
        sampler: None,
        failed_items: (verdict == "fail").then(|| "GB 6675.2-2014 4.1 小零件".into()),
        stratum: Some(stratum.into()),
        stratum_population: Some(population),
    }
}

#[tokio::test]
async fn samples_import_and_count_on_every_backend() {
    for (store, _dir) in crate::stores().await {
        let backend = store.backend_name();
        // Toys in Zhejiang: 40 samples, 4 failing; toys in Guangdong: 60 samples, 12 failing; both strata.
        let mut batch = Vec::new();
        for i in 0..40 {
            batch.push(sample(i, "0401", "330106", if i < 4 { "fail" } else { "pass" }, "large", 500));
        }
        for i in 40..100 {
            batch.push(sample(i, "0401", "440305", if i < 52 { "fail" } else { "pass" }, "small", 2000));
        }
        let outcome = store.import_samples(&batch, None).await.unwrap();
        assert_eq!((outcome.inserted, outcome.updated), (100, 0), "{backend}");
        // A re-test turns one failure into a pass: re-importing updates, never duplicates.
        let mut retest = batch[0].clone();
        retest.verdict = "pass".into();
        retest.failed_items = None;
        assert_eq!(store.import_samples(&[retest], None).await.unwrap().updated, 1);

        let by_region = store.pass_counts(&[PassRateGroup::Region], &PassRateFilter::default(), false).await.unwrap();
        let summary: Vec<(String, i64, i64)> =
            by_region.iter().map(|c| (c.key[0].clone(), c.samples, c.passed)).collect();
        assert_eq!(summary, [("330000".to_owned(), 40, 37), ("440000".to_owned(), 60, 48)], "{backend}");

        let filter = PassRateFilter { region_prefix: Some("44".into()), ..Default::default() };
        let by_quarter = store.pass_counts(&[PassRateGroup::Quarter], &filter, false).await.unwrap();
        assert_eq!(by_quarter.iter().map(|c| c.samples).sum::<i64>(), 60);
        assert!(by_quarter.iter().all(|c| c.key[0].starts_with("2025-Q")), "{by_quarter:?}");

        let strata = store.pass_counts(&[], &PassRateFilter::default(), true).await.unwrap();
        let populations: Vec<Option<i64>> = strata.iter().map(|c| c.stratum.as_ref().unwrap().2).collect();
        assert_eq!(populations, [Some(500), Some(2000)], "{backend}");
        let known = store.stratum_populations(&[("2025-GC-01".into(), "small".into())]).await.unwrap();
        assert_eq!(known.values().copied().collect::<Vec<_>>(), [2000]);
    }
}

#[tokio::test]
async fn summary_cells_agree_with_a_scan_after_every_kind_of_write() {
    use store::inspections::{NewEvent, SampleChange};
    for (store, _dir) in crate::stores().await {
        let backend = store.backend_name();
        let mut batch = Vec::new();
        for i in 0..30 {
            batch.push(sample(
                i,
                if i % 2 == 0 { "0401" } else { "0102" },
                "330106",
                if i % 4 == 0 { "fail" } else { "pass" },
                "s",
                100,
            ));
        }
        store.import_samples(&batch, None).await.unwrap();
        // A re-test reverses a failure; a re-import changes a category.
        let change = SampleChange { verdict: Some("pass".into()), ..Default::default() };
        let event =
            NewEvent { kind: "retest_result".into(), on_date: "2025-06-01".into(), due_on: None, details: None };
        store.change_sample("S00000", &change, &event, None).await.unwrap();
        let mut moved = batch[1].clone();
        moved.product_category = "0401".into();
        store.import_samples(&[moved], None).await.unwrap();
        let groups = [PassRateGroup::ProductCategory, PassRateGroup::Channel, PassRateGroup::Quarter];
        // No day filter: the summary cells; a day filter wide enough to cover everything: the scan.
        let cells = store.pass_counts(&groups, &PassRateFilter::default(), false).await.unwrap();
        let all_days = PassRateFilter { from: Some("2000-01-01".into()), ..Default::default() };
        let scan = store.pass_counts(&groups, &all_days, false).await.unwrap();
        assert_eq!(cells, scan, "{backend}");
        let totals: (i64, i64) = cells.iter().fold((0, 0), |(n, p), c| (n + c.samples, p + c.passed));
        assert_eq!(totals, (30, 23), "{backend}");
    }
}
