//! Pass rates through the API: grouping, every interval method, the stratified estimator, clear errors.

use axum::http::StatusCode;
use store::inspections::NewSample;

use crate::TestApp;

fn sample(id: usize, category: &str, region: &str, pass: bool, stratum: (&str, i64)) -> NewSample {
    NewSample {
        sample_id: format!("S{id:05}"),
        campaign_id: "2025-GC-01".into(),
        campaign_level: "national".into(),
        sampled_on: "2025-05-20".into(),
        product_category: category.into(),
        uscc: "91350100M000100Y43".into(),
        region_code: region.into(),
        channel: "retail".into(),
        verdict: if pass { "pass".into() } else { "fail".into() },
        gtin: None,
        lot: None,
        production_date: None,
        lab: None,
        sampler: None,
        failed_items: None,
        stratum: Some(stratum.0.into()),
        stratum_population: Some(stratum.1),
    }
}

async fn seeded() -> TestApp {
    let app = TestApp::new().await;
    let mut batch = Vec::new();
    // Toys: Zhejiang 40 samples (36 pass) from a stratum of 500; Guangdong 60 (48 pass) from 2,000.
    for i in 0..40 {
        batch.push(sample(i, "0401", "330106", i >= 4, ("zj", 500)));
    }
    for i in 40..100 {
        batch.push(sample(i, "0401", "440305", i >= 52, ("gd", 2000)));
    }
    // Helmets in Zhejiang: 10 samples, 9 pass.
    for i in 100..110 {
        batch.push(sample(i, "0902", "330106", i != 100, ("helmets", 300)));
    }
    app.state.store.import_samples(&batch, None).await.unwrap();
    app
}

#[tokio::test]
async fn pass_rates_group_and_match_the_statistics_crate() {
    let app = seeded().await;
    let (status, body) = app.get_json("/api/v1/inspections/pass-rates?group_by=product_category,region").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["method"], "wilson");
    assert_eq!(body["confidence"], 0.95);
    let groups = body["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 3);
    assert_eq!(groups[0]["key"]["product_category"], "0401");
    assert_eq!(groups[0]["key"]["region"], "330000");
    assert_eq!((groups[0]["samples"].as_i64(), groups[0]["passed"].as_i64()), (Some(40), Some(36)));
    let expected = stats::interval(36, 40, 0.95, stats::Method::Wilson).unwrap();
    assert_eq!(groups[0]["lower"].as_f64().unwrap(), expected.lower);
    assert_eq!(groups[0]["upper"].as_f64().unwrap(), expected.upper);
    assert_eq!((body["total"]["samples"].as_i64(), body["total"]["passed"].as_i64()), (Some(110), Some(93)));

    let (_, body) = app
        .get_json("/api/v1/inspections/pass-rates?method=clopper_pearson&confidence=0.9&product_category=0902")
        .await;
    let expected = stats::interval(9, 10, 0.9, stats::Method::ClopperPearson).unwrap();
    assert_eq!(body["total"]["lower"].as_f64().unwrap(), expected.lower);
    assert!(body["groups"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn stratified_estimator_weights_strata_by_population() {
    let app = seeded().await;
    let (_, body) = app.get_json("/api/v1/inspections/pass-rates?estimator=stratified&product_category=0401").await;
    let total = &body["total"];
    assert_eq!(total["estimator"], "stratified");
    assert_eq!(total["strata"], 2);
    // Σ W_h p_h with W = 500/2500 and 2000/2500.
    let expected = 0.2 * 0.9 + 0.8 * 0.8;
    assert!((total["rate"].as_f64().unwrap() - expected).abs() < 1e-12, "{total}");
    let direct = stats::survey::stratified_proportion(&[
        stats::survey::Stratum { population: 500, sample: 40, proportion: 0.9 },
        stats::survey::Stratum { population: 2000, sample: 60, proportion: 0.8 },
    ])
    .unwrap();
    assert!((total["se"].as_f64().unwrap() - direct.se).abs() < 1e-12);
}

#[tokio::test]
async fn bad_parameters_are_named() {
    let app = seeded().await;
    for (query, fragment) in [
        ("group_by=colour", "group_by 'colour'"),
        ("method=bayes", "method 'bayes'"),
        ("confidence=1.5", "confidence 1.5"),
        ("estimator=magic", "estimator 'magic'"),
        ("from=2025-02-30", "'2025-02-30' is not a date"),
        ("campaign_level=planet", "campaign_level 'planet'"),
    ] {
        let (status, body) = app.get_json(&format!("/api/v1/inspections/pass-rates?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(body["message"].as_str().unwrap().contains(fragment), "{query}: {body}");
    }
}

#[tokio::test]
async fn dashboard_campaign_page_and_indicator_show_the_results() {
    let app = seeded().await;
    let (status, page) = app.send(axum::http::Method::GET, "/inspections", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("玩具") && page.contains("浙江省") && page.contains("90.0%"), "{page}");
    assert!(page.contains("/assets/echarts.min.js") && page.contains("chart-data"));
    let (status, script) = app.send(axum::http::Method::GET, "/assets/echarts.min.js", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(script.len() > 500_000);

    let (_, page) = app.send(axum::http::Method::GET, "/campaigns/2025-GC-01", None, None).await;
    assert!(page.contains("S00000") && page.contains("不合格"), "{page}");

    let (_, body) = app.get_json("/api/v1/indicators").await;
    let national =
        body["items"].as_array().unwrap().iter().find(|i| i["code"] == "national_sampling_pass_rate").unwrap().clone();
    assert_eq!(national["target"], 90.0);
    assert_eq!(national["current"]["year"], "2025");
    assert_eq!(
        (national["current"]["samples"].as_i64(), national["current"]["passed"].as_i64()),
        (Some(110), Some(93))
    );
    assert_eq!(national["current"]["met"], false);
}

#[tokio::test]
async fn change_between_years_has_newcombe_interval() {
    let app = seeded().await;
    let mut earlier = Vec::new();
    for i in 0..50 {
        let mut s = sample(500 + i, "0401", "330106", i >= 10, ("zj", 500));
        s.sampled_on = "2024-05-20".into();
        s.campaign_id = "2024-GC-01".into();
        earlier.push(s);
    }
    app.state.store.import_samples(&earlier, None).await.unwrap();
    let (status, body) = app
        .get_json("/api/v1/inspections/pass-rate-change?from_year=2024&to_year=2025&product_category=0401&region=33")
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let total = &body["total"];
    // 2025: 36/40; 2024: 40/50.
    let expected = stats::proportion::difference((36, 40), (40, 50), 0.95).unwrap();
    assert!((total["difference"].as_f64().unwrap() - expected.estimate).abs() < 1e-12);
    assert_eq!(total["lower"].as_f64().unwrap(), expected.lower);
    assert_eq!(total["significant"], expected.lower > 0.0);
}
