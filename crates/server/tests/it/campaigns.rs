//! A campaign from plan to published results through the API, with every rule of the workflow enforced.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{TestApp, LAB_USCC, OWN_USCC};

/// Registers the enterprise's own organization and one more in Hangzhou, both making toys.
async fn toy_makers(app: &TestApp) -> String {
    let other = codes::Uscc::assemble("91330105", "MA2H0001").unwrap().to_string();
    for (uscc, gtin) in [(OWN_USCC, "6901234567892"), (other.as_str(), "6901234567809")] {
        let (status, _) = app
            .write(Method::POST, "/api/v1/organizations", Some(&app.admin), json!({"uscc": uscc, "name": "杭州玩具厂"}))
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let product = json!({"gtin": gtin, "name": "积木", "uscc": uscc, "category_code": "0401"});
        let (status, body) = app.write(Method::POST, "/api/v1/products", Some(&app.admin), product).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    app.organization(LAB_USCC, "浙江省产品质量检验研究院", "330100").await;
    other
}

fn status_of(body: &Value) -> &str {
    body["sample"]["status"].as_str().unwrap_or("")
}

#[tokio::test]
async fn campaign_runs_from_plan_to_published_results() {
    let app = TestApp::new().await;
    let other = toy_makers(&app).await;
    let regulator = Some(app.hangzhou_regulator.as_str());

    // Plan: a Hangzhou city campaign; a provincial one is beyond this regulator.
    let plan = json!({"id": "2025-HZ-0401", "name": "2025年杭州市玩具监督抽查", "level": "市", "product_category": "0401",
                      "year": 2025, "seed": 7, "strata": [{"stratum": "全部", "population": 2, "allocation": 2}]});
    let (status, body) = app.write(Method::POST, "/api/v1/campaigns", regulator, plan.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["campaign"]["region_code"], "330100");
    assert_eq!(body["campaign"]["level"], "city");
    let (status, _) = app.write(Method::POST, "/api/v1/campaigns", regulator, plan).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let provincial = json!({"id": "2025-ZJ", "level": "provincial", "region_code": "330000", "year": 2025});
    let (status, _) = app.write(Method::POST, "/api/v1/campaigns", regulator, provincial).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Draw: both toy makers, reproducibly; a second draw is refused.
    let (status, drawn) = app.write(Method::POST, "/api/v1/campaigns/2025-HZ-0401/draw", regulator, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{drawn}");
    assert_eq!(drawn["frame"], 2);
    assert_eq!(drawn["drawn"].as_array().unwrap().len(), 2);
    let (status, _) = app.write(Method::POST, "/api/v1/campaigns/2025-HZ-0401/draw", regulator, json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Sampling: one sample per drawn organization.
    let sample = |id: &str, uscc: &str| {
        json!({"sample_id": id, "campaign_id": "2025-HZ-0401", "uscc": uscc, "sampled_on": "2025-05-10",
               "channel": "生产", "lot": "20250401", "lab_uscc": LAB_USCC, "sampler": "张三、李四"})
    };
    let (status, body) = app.write(Method::POST, "/api/v1/samples", regulator, sample("HZ-001", OWN_USCC)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["sample"]["verdict"], "pending");
    let (status, body) = app.write(Method::POST, "/api/v1/samples", regulator, sample("HZ-009", OWN_USCC)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::CONFLICT, Some("conflict")),
        "one sample per organization"
    );
    let (status, _) = app.write(Method::POST, "/api/v1/samples", regulator, sample("HZ-002", &other)).await;
    assert_eq!(status, StatusCode::CREATED);
    let stranger = codes::Uscc::assemble("91330106", "MA2H0099").unwrap().to_string();
    app.write(Method::POST, "/api/v1/organizations", Some(&app.admin), json!({"uscc": stranger, "name": "未抽中企业"}))
        .await;
    let (status, body) = app.write(Method::POST, "/api/v1/samples", regulator, sample("HZ-003", &stranger)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_drawn")));

    // Results: only the sample's lab; a failing item fails the sample.
    let items = |verdict: &str| {
        json!({"tested_on": "2025-05-25", "items": [
            {"item": "小零件", "standard_clause": "GB 6675.2-2014 4.1", "limit_value": "不得有", "measured": "有", "unit": null, "verdict": verdict},
            {"item": "可迁移元素 铅", "standard_clause": "GB 6675.4-2014 4.2", "limit_value": "90", "measured": "12", "unit": "mg/kg", "verdict": "pass"},
            {"item": "总迁移量", "standard_clause": "GB 4806.7-2016 4.2", "limit_value": "10", "measured": "2", "unit": "mg/dm²", "verdict": "pass"}]})
    };
    let (status, _) = app.write(Method::POST, "/api/v1/samples/HZ-001/results", regulator, items("fail")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Laboratories are told apart by USCC: another lab account, even one named like this lab, is refused.
    let namesake = store::NewUser {
        name: "Lab".into(),
        role: store::Role::Lab,
        region_code: None,
        uscc: Some("123300004700000119".into()),
        login: None,
        password: None,
    };
    let (_, namesake) = app.state.store.add_user(&namesake).await.unwrap();
    let (status, _) = app.write(Method::POST, "/api/v1/samples/HZ-001/results", Some(&namesake), items("fail")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a lab of another USCC records nothing");
    let by_name = json!({"sample_id": "HZ-X", "campaign_id": "2025-HZ-0401", "uscc": OWN_USCC, "sampled_on": "2025-05-10",
        "channel": "生产", "lab": "Lab"});
    let (status, _) = app.write(Method::POST, "/api/v1/samples", regulator, by_name).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a display name does not name a laboratory");
    // A test item cites the edition: a clause without its year is refused.
    let undated = json!({"tested_on": "2025-05-25", "items": [{"item": "小零件", "standard_clause": "GB 6675.2 4.1", "verdict": "fail"}]});
    let (status, refused) = app.write(Method::POST, "/api/v1/samples/HZ-001/results", Some(&app.lab), undated).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(refused["message"].as_str().unwrap().contains("edition year"), "{refused}");
    let (status, body) = app.write(Method::POST, "/api/v1/samples/HZ-001/results", Some(&app.lab), items("fail")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sample"]["verdict"], "fail");
    assert_eq!(body["sample"]["failed_items"], "GB 6675.2-2014 4.1 小零件");
    // Each cited edition as it stood on the sampling day: the 2016 food-contact edition had been replaced.
    let standing: Vec<(&str, &str, bool)> = body["citations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["number"].as_str().unwrap(), c["standing"].as_str().unwrap(), c["flagged"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        standing,
        [
            ("GB 4806.7-2016", "superseded", true),
            ("GB 6675.2-2014", "in_force", false),
            ("GB 6675.4-2014", "in_force", false)
        ]
    );
    assert_eq!(body["citations"][0]["current"], "GB 4806.7-2023");
    // Toys are under CCC: the sample shows that the producer held no certificate for them on the sampling day.
    assert_eq!(body["regimes"], json!([{"regime": "ccc", "held": false, "document": null, "status": null}]));
    app.write(Method::POST, "/api/v1/samples/HZ-002/results", Some(&app.lab), items("fail")).await;

    // Nobody outside sees an unpublished result, nor which organizations were drawn.
    let (status, _) = app.get_json("/api/v1/samples/HZ-001").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, public) = app.get_json("/api/v1/campaigns/2025-HZ-0401").await;
    assert_eq!(public["drawn"], json!([]));
    assert_eq!((public["samples"]["total"].as_u64(), public["samples"]["fail"].as_u64()), (Some(2), Some(0)));

    // Notice opens the 15-day re-test window.
    let (_, body) =
        app.write(Method::POST, "/api/v1/samples/HZ-001/notice", regulator, json!({"on_date": "2025-06-01"})).await;
    assert_eq!(body["sample"]["retest_deadline"], "2025-06-16");
    app.write(Method::POST, "/api/v1/samples/HZ-002/notice", regulator, json!({"on_date": "2025-06-01"})).await;
    let (status, body) = app
        .write(
            Method::POST,
            "/api/v1/samples/HZ-001/retest-request",
            Some(&app.enterprise),
            json!({"on_date": "2025-06-17"}),
        )
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("retest_window_closed")));
    let (status, _) = app
        .write(
            Method::POST,
            "/api/v1/samples/HZ-002/retest-request",
            Some(&app.enterprise),
            json!({"on_date": "2025-06-10"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not its sample");
    let (status, body) = app
        .write(
            Method::POST,
            "/api/v1/samples/HZ-001/retest-request",
            Some(&app.enterprise),
            json!({"on_date": "2025-06-10"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(status_of(&body), "retest_requested");

    // Publication waits for the re-test; the re-test replaces the first verdict.
    let (status, body) = app
        .write(Method::POST, "/api/v1/campaigns/2025-HZ-0401/publish", regulator, json!({"on_date": "2025-07-01"}))
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_ready")), "{body}");
    let (_, body) = app.write(Method::POST, "/api/v1/samples/HZ-001/results", Some(&app.lab), items("pass")).await;
    assert_eq!(
        (body["sample"]["verdict"].as_str(), body["sample"]["first_verdict"].as_str()),
        (Some("pass"), Some("fail"))
    );
    let (_, body) =
        app.write(Method::POST, "/api/v1/samples/HZ-001/notice", regulator, json!({"on_date": "2025-06-25"})).await;
    assert_eq!(body["sample"]["retest_deadline"], Value::Null, "a re-test result is final");
    let (status, body) = app
        .write(Method::POST, "/api/v1/campaigns/2025-HZ-0401/publish", regulator, json!({"on_date": "2025-07-01"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["published"].as_u64(), body["failed"].as_u64()), (Some(2), Some(1)));
    // Each published result is an entry of the public log.
    let (_, log) = app.get_json("/api/v1/log/entries").await;
    let logged: Vec<(&str, &str)> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| Some((e["entry"]["sample_id"].as_str()?, e["entry"]["verdict"].as_str()?)))
        .collect();
    let mut samples: Vec<&str> = logged.iter().map(|(sample, _)| *sample).collect();
    samples.sort();
    assert_eq!(samples, ["HZ-001", "HZ-002"]);
    assert_eq!(logged.iter().filter(|(_, verdict)| *verdict == "fail").count(), 1, "{logged:?}");

    // Published: public (to anyone signed in too, not only to the sample's own lab), counted in pass rates, and
    // the failure is an event for the credit file.
    let (status, body) = app.get_json("/api/v1/samples/HZ-002").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.send(Method::GET, "/api/v1/samples/HZ-002", Some(&app.enterprise), None).await;
    assert_eq!(status, StatusCode::OK, "HZ-002 is another enterprise's sample, but published");
    assert!(body["events"].as_array().unwrap().iter().any(|e| e["kind"] == "inspection_failed"));
    // Toys need a CCC certificate, which neither producer held: publication opened the case by itself, and the
    // credit file took it in.
    let breach =
        body["events"].as_array().unwrap().iter().find(|e| e["kind"] == "regime_breach").expect("a breach event");
    assert_eq!(breach["details"], "ccc: none");
    let (_, credit) = app.get_json(&format!("/api/v1/organizations/{OWN_USCC}/credit")).await;
    assert!(credit["records"].as_array().unwrap().iter().any(|r| r["kind"] == "unlicensed_production"), "{credit}");
    let (_, page) = app.send(Method::GET, "/campaigns/2025-HZ-0401", None, None).await;
    assert!(page.contains("无有效许可证或认证证书：ccc: none"), "the campaign page shows it: {page}");
    let (_, rates) = app.get_json("/api/v1/inspections/pass-rates?campaign_id=2025-HZ-0401").await;
    assert_eq!((rates["total"]["samples"].as_i64(), rates["total"]["passed"].as_i64()), (Some(2), Some(1)));
    let feed = app.state.store.inspection_events_after(0, 10).await.unwrap();
    assert_eq!(
        feed.iter().map(|e| (e.kind.as_str(), e.sample_id.as_str())).collect::<Vec<_>>(),
        [("inspection_failed", "HZ-002")]
    );

    // Follow-up of the failure: a rectification order needs a deadline after its date.
    let order = json!({"kind": "rectification_order", "on_date": "2025-07-05", "due_on": "2025-07-01"});
    let (status, _) = app.write(Method::POST, "/api/v1/samples/HZ-002/follow-ups", regulator, order).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let order = json!({"kind": "rectification_order", "on_date": "2025-07-05", "due_on": "2025-08-05"});
    let (status, _) = app.write(Method::POST, "/api/v1/samples/HZ-002/follow-ups", regulator, order).await;
    assert_eq!(status, StatusCode::CREATED);
    let recheck = json!({"kind": "reinspection", "on_date": "2025-08-10", "verdict": "pass"});
    let (status, _) = app.write(Method::POST, "/api/v1/samples/HZ-002/follow-ups", regulator, recheck).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app
        .write(
            Method::POST,
            "/api/v1/samples/HZ-001/follow-ups",
            regulator,
            json!({"kind": "penalty_referral", "on_date": "2025-08-10"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a passing sample has no follow-up");
    let feed = app.state.store.inspection_events_after(0, 10).await.unwrap();
    assert_eq!(feed.len(), 3);
}

#[tokio::test]
async fn sample_size_is_allocated_to_strata_by_population() {
    let app = TestApp::new().await;
    let plan = json!({"id": "2025-HZ-ALLOC", "level": "city", "year": 2025, "sample_size": 282,
                      "strata": [{"stratum": "大型", "population": 1540}, {"stratum": "中型", "population": 770}, {"stratum": "小型", "population": 385}]});
    let (status, body) = app.write(Method::POST, "/api/v1/campaigns", Some(&app.hangzhou_regulator), plan).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let allocations: Vec<(String, i64)> = body["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["stratum"].as_str().unwrap().to_owned(), s["allocation"].as_i64().unwrap()))
        .collect();
    let total: i64 = allocations.iter().map(|(_, a)| a).sum();
    assert_eq!(total, 282);
    assert!(
        allocations.contains(&("大型".to_owned(), 161)) && allocations.contains(&("小型".to_owned(), 40)),
        "{allocations:?}"
    );
}

#[tokio::test]
async fn a_clerk_runs_a_campaign_from_the_pages() {
    let app = TestApp::new().await;
    toy_makers(&app).await;
    let session = app.session_cookie("regulator", "abc123").await;

    // Without the CSRF value, or with another, a form is refused.
    let form = "csrf=wrong&id=2026-HZ-P&level=city&year=2026&product_category=0401&strata=%E5%85%A8%E9%83%A8%2C+2%2C+2";
    let (status, _, _) = app.post_form("/campaigns", &session, form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let form =
        "csrf=abc123&id=2026-HZ-P&level=city&year=2026&product_category=0401&strata=%E5%85%A8%E9%83%A8%2C+2%2C+2";
    let (status, location, body) = app.post_form("/campaigns", &session, form).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/campaigns/2026-HZ-P")), "{body}");

    let (status, _, _) = app.post_form("/campaigns/2026-HZ-P/draw", &session, "csrf=abc123").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = app.get_with_cookie("/campaigns/2026-HZ-P", &session).await;
    assert!(page.contains(OWN_USCC) && page.contains("登记抽样"), "{page}");

    let form =
        format!("csrf=abc123&sample_id=P-1&uscc={OWN_USCC}&sampled_on=2026-03-01&channel=retail&lab_uscc={LAB_USCC}");
    let (status, _, body) = app.post_form("/campaigns/2026-HZ-P/samples", &session, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");

    // The lab sees the sample and enters its items as lines.
    let lab = app.session_cookie("lab", "xyz").await;
    let items = "csrf=xyz&tested_on=2026-03-20&items=%E5%B0%8F%E9%9B%B6%E4%BB%B6+%7C+GB+6675.2-2014+4.1+%7C+%E4%B8%8D%E5%BE%97%E6%9C%89+%7C+%E6%9C%89+%7C++%7C+%E4%B8%8D%E5%90%88%E6%A0%BC";
    let (status, _, body) = app.post_form("/samples/P-1/results", &lab, items).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let sample = app.state.store.sample("P-1").await.unwrap().unwrap();
    assert_eq!((sample.verdict.as_str(), sample.failed_items.as_deref()), ("fail", Some("GB 6675.2-2014 4.1 小零件")));

    // A malformed line is named.
    let bad = "csrf=xyz&tested_on=2026-03-20&items=only+two+%7C+parts";
    app.state
        .store
        .change_sample(
            "P-1",
            &store::inspections::SampleChange { status: Some("sampled".into()), ..Default::default() },
            &store::inspections::NewEvent {
                kind: "reset".into(),
                on_date: "2026-03-21".into(),
                due_on: None,
                details: None,
            },
            None,
        )
        .await
        .unwrap();
    let (status, _, page) = app.post_form("/samples/P-1/results", &lab, bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("item line 1"), "{page}");
}

#[tokio::test]
async fn regional_strata_draw_each_allocation_from_its_own_district() {
    let app = TestApp::new().await;
    let other = toy_makers(&app).await; // one toy maker in 330106 (西湖区), one in 330105 (拱墅区)
    let regulator = Some(app.hangzhou_regulator.as_str());
    let plan = json!({"id": "2025-HZ-DIST", "level": "city", "product_category": "0401", "year": 2025,
                      "strata": [{"stratum": "330106", "population": 1, "allocation": 1}, {"stratum": "330105", "population": 1, "allocation": 1}]});
    let (status, _) = app.write(Method::POST, "/api/v1/campaigns", regulator, plan).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = app.write(Method::POST, "/api/v1/campaigns/2025-HZ-DIST/draw", regulator, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let drawn: Vec<(String, String)> = body["drawn"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["uscc"].as_str().unwrap().to_owned(), d["stratum"].as_str().unwrap().to_owned()))
        .collect();
    // Strata are drawn in name order, each from its own district.
    assert_eq!(drawn, [(other.clone(), "330105".to_owned()), (OWN_USCC.to_owned(), "330106".to_owned())]);
    // A sample takes the stratum its organization was drawn in.
    let sample = json!({"sample_id": "D-1", "campaign_id": "2025-HZ-DIST", "uscc": other, "sampled_on": "2025-05-10",
                        "channel": "retail", "lab_uscc": LAB_USCC});
    let (status, body) = app.write(Method::POST, "/api/v1/samples", regulator, sample).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["sample"]["stratum"], "330105");
}

/// Thirty one-organization draws from 4 class-D and 16 class-A makers: weighted by class (4 and 0.5), a D maker is
/// drawn with probability 16/24; with equal probability, 4/20.
#[tokio::test]
async fn draws_weighted_by_credit_class_favour_high_risk_organizations() {
    let app = TestApp::new().await;
    let regulator = Some(app.hangzhou_regulator.as_str());
    let mut high_risk = Vec::new();
    let mut updates = Vec::new();
    for i in 0..20 {
        let uscc = codes::Uscc::assemble("91330105", &format!("MA2H{i:04}")).unwrap().to_string();
        let (status, _) = app
            .write(
                Method::POST,
                "/api/v1/organizations",
                Some(&app.admin),
                json!({"uscc": uscc, "name": format!("企业{i}")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let class = if i % 5 == 0 { "D" } else { "A" };
        if class == "D" {
            high_risk.push(uscc.clone());
        }
        updates.push(store::credit_file::ClassUpdate {
            uscc,
            previous_class: None,
            class: class.into(),
            score: if class == "D" { 40 } else { 95 },
            model_version: "test".into(),
            reasons: "[]".into(),
            as_of: "2026-01-01".into(),
        });
    }
    app.state.store.apply_class_updates(&updates).await.unwrap();
    let mut drawn_high_risk = [0, 0];
    for (slot, weighted) in [(0, true), (1, false)] {
        for seed in 0..30 {
            let id = format!("2026-HZ-W{slot}-{seed}");
            let plan = json!({"id": id, "name": "分类监管抽查", "level": "市", "year": 2026, "seed": seed,
                              "strata": [{"stratum": "全部", "population": 20}]});
            let (status, body) = app.write(Method::POST, "/api/v1/campaigns", regulator, plan).await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
            let body = json!({"size": 1, "weight_by_credit_class": weighted});
            let (status, drawn) =
                app.write(Method::POST, &format!("/api/v1/campaigns/{id}/draw"), regulator, body).await;
            assert_eq!(status, StatusCode::OK, "{drawn}");
            let pick = &drawn["drawn"][0];
            let is_high_risk = high_risk.iter().any(|u| pick["uscc"] == u.as_str());
            if weighted {
                assert_eq!(pick["selection_weight"], if is_high_risk { 4.0 } else { 0.5 });
            } else {
                assert!(pick["selection_weight"].is_null());
            }
            drawn_high_risk[slot] += usize::from(is_high_risk);
        }
    }
    // Expected 20 of 30 weighted and 6 of 30 unweighted; the bounds are over four standard deviations away.
    assert!(drawn_high_risk[0] >= 13, "weighted: {drawn_high_risk:?}");
    assert!(drawn_high_risk[1] <= 13, "equal probability: {drawn_high_risk:?}");

    // A failed result from a risk-based campaign does not enter the population's pass rate unless asked for.
    let sample = |id: &str, campaign: &str, verdict: &str| store::inspections::NewSample {
        sample_id: id.into(),
        campaign_id: campaign.into(),
        campaign_level: "city".into(),
        sampled_on: "2026-03-02".into(),
        product_category: "0401".into(),
        uscc: high_risk[0].clone(),
        region_code: "330105".into(),
        channel: "生产".into(),
        verdict: verdict.into(),
        gtin: None,
        lot: None,
        production_date: None,
        lab: None,
        sampler: None,
        failed_items: None,
        stratum: None,
        stratum_population: None,
    };
    let batch = [sample("W-1", "2026-HZ-W0-0", "fail"), sample("E-1", "2026-HZ-W1-0", "pass")];
    app.state.store.import_samples(&batch, None).await.unwrap();
    let (_, rates) = app.get_json("/api/v1/inspections/pass-rates").await;
    assert_eq!(
        (rates["total"]["samples"].as_i64(), rates["risk_based_campaigns"].as_str()),
        (Some(1), Some("excluded"))
    );
    let (_, rates) = app.get_json("/api/v1/inspections/pass-rates?include_risk_based=true").await;
    assert_eq!(rates["total"]["samples"], 2);
    let (_, rates) = app.get_json("/api/v1/inspections/pass-rates?campaign_id=2026-HZ-W0-0").await;
    assert_eq!((rates["total"]["samples"].as_i64(), rates["total"]["passed"].as_i64()), (Some(1), Some(0)));
}

/// A draw on a frame smaller than the allocation (here: empty, and then two for three) says so, draws nobody
/// and leaves the campaign planned.
#[tokio::test]
async fn a_draw_that_cannot_fill_its_allocation_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let regulator = Some(app.hangzhou_regulator.as_str());
    let plan = json!({"id": "2025-HZ-EMPTY", "name": "空抽样框", "level": "city", "product_category": "0401", "year": 2025,
                      "seed": 3, "strata": [{"stratum": "全部", "population": 3, "allocation": 3}]});
    let (status, body) = app.write(Method::POST, "/api/v1/campaigns", regulator, plan).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, refused) = app.write(Method::POST, "/api/v1/campaigns/2025-HZ-EMPTY/draw", regulator, json!({})).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("frame_too_small")),
        "{refused}"
    );
    assert!(refused["message"].as_str().unwrap().contains("3 allocated, 0 in the frame"), "{refused}");
    toy_makers(&app).await;
    let (status, refused) = app.write(Method::POST, "/api/v1/campaigns/2025-HZ-EMPTY/draw", regulator, json!({})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("3 allocated, 2 in the frame"), "{refused}");
    let (_, campaign) = app.write(Method::GET, "/api/v1/campaigns/2025-HZ-EMPTY", regulator, json!({})).await;
    assert_eq!(campaign["campaign"]["status"], "planned", "{campaign}");
    assert_eq!(campaign["drawn"], json!([]), "{campaign}");
}
