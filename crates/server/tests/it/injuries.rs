//! Injury cases and national estimates against the shared survey reference case.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use store::{NewUser, Role};

use crate::TestApp;

fn hospital(n: u32) -> String {
    codes::Uscc::assemble("12330100", &format!("H000000{n}")).unwrap().to_string()
}

fn case(id: String, hospital_id: &str, product: &str) -> Value {
    json!({"case_id": id, "treated_on": "2026-03-02", "hospital_id": hospital_id, "age": "34", "sex": "男",
           "product_code": product, "body_part": "hand", "diagnosis": "烧烫伤", "disposition": "treated_released",
           "narrative": "充电时电池起火，烫伤右手"})
}

/// The administrator puts a hospital in the sentinel register.
async fn register(test: &TestApp, id: &str, stratum: &str, weight: f64, valid_from: Option<&str>) -> Value {
    let mut body = json!({"name": format!("哨点医院 {id}"), "stratum": stratum, "weight": weight});
    if let Some(day) = valid_from {
        body["valid_from"] = json!(day);
    }
    let (status, answer) = test.write(Method::PUT, &format!("/api/v1/hospitals/{id}"), Some(&test.admin), body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

async fn hospital_account(test: &TestApp, uscc: &str) -> String {
    let account = NewUser {
        name: "哨点医院".into(),
        role: Role::Hospital,
        region_code: None,
        uscc: Some(uscc.to_owned()),
        login: None,
        password: None,
    };
    test.state.store.add_user(&account).await.unwrap().1
}

async fn estimate_0503(test: &TestApp) -> f64 {
    let (status, answer) = test.get_json("/api/v1/injuries/estimates?product_code=0503").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer["estimates"][0]["estimate"].as_f64().unwrap()
}

/// The toy NEISS design of the shared fixtures: five hospitals in two strata.
#[tokio::test]
async fn estimates_match_the_reference_design() {
    let test = TestApp::new().await;
    let design =
        [("S1", 25.0, 40, 6), ("S1", 25.0, 35, 3), ("S1", 25.0, 50, 9), ("S2", 80.0, 12, 1), ("S2", 80.0, 18, 4)];
    for (n, (stratum, weight, cases, with_product)) in design.into_iter().enumerate() {
        let id = hospital(n as u32 + 1);
        register(&test, &id, stratum, weight, None).await;
        for i in 0..cases {
            let product = if i < with_product { "0503" } else { "0101" };
            let (status, body) = test
                .write(Method::POST, "/api/v1/injuries", Some(&test.admin), case(format!("C{n}-{i}"), &id, product))
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
    }
    let (status, answer) = test.get_json("/api/v1/injuries/estimates?product_code=0503").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let estimate = &answer["estimates"][0];
    let close = |got: &Value, want: f64, tolerance: f64| (got.as_f64().unwrap() - want).abs() <= tolerance;
    assert_eq!(estimate["cases"], 23);
    assert!(close(&estimate["estimate"], 850.0, 1e-6), "{estimate}");
    assert!(close(&estimate["se"], 272.901081, 1e-5), "{estimate}");
    assert!(close(&estimate["cv"], 0.32106, 1e-5), "{estimate}");
    // 23 cases and a CV of 32.1%, but an estimate under 1,200: unstable.
    assert_eq!(estimate["unstable"], true);
    assert_eq!(answer["hospitals"], 5);

    let (_, grouped) = test.get_json("/api/v1/injuries/estimates?group_by=product_code").await;
    let groups: Vec<&str> =
        grouped["estimates"].as_array().unwrap().iter().map(|e| e["group"]["product_code"].as_str().unwrap()).collect();
    assert_eq!(groups, ["0101", "0503"]);
    let (status, page) = test.send(Method::GET, "/injuries?from=2026-01-01&to=2026-11-29", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("<td>850 *</td>"), "the page shows the estimate, marked unstable: {page}");
    let (status, problem) = test.get_json("/api/v1/injuries/estimates?group_by=colour").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_request")));

    // A design change counts from its day on: the cases already treated keep theirs.
    register(&test, &hospital(1), "S1", 50.0, Some("2026-06-01")).await;
    assert!((estimate_0503(&test).await - 850.0).abs() < 1e-6);
    let mut later = case("C0-late".into(), &hospital(1), "0503");
    later["treated_on"] = json!("2026-06-02");
    let (status, body) = test.write(Method::POST, "/api/v1/injuries", Some(&test.admin), later).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!((estimate_0503(&test).await - 900.0).abs() < 1e-6, "the new case weighs 50");
}

#[tokio::test]
async fn a_hospital_cannot_rewrite_the_register_its_weights_or_another_hospitals_case() {
    let test = TestApp::new().await;
    let own = hospital(7);
    let token = hospital_account(&test, &own).await;
    let (status, problem) =
        test.write(Method::POST, "/api/v1/injuries", Some(&token), case("K1".into(), &own, "0503")).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_sentinel")),
        "{problem}"
    );
    register(&test, &own, "S1", 25.0, None).await;
    let (status, _) = test.write(Method::POST, "/api/v1/injuries", Some(&token), case("K1".into(), &own, "0503")).await;
    assert_eq!(status, StatusCode::CREATED);
    let estimates = "/api/v1/injuries/estimates?product_code=0503";
    let before = test.get_json(estimates).await.1;
    assert_eq!(before["estimates"][0]["cases"], 1, "{before}");

    // A case's own weight, stratum or hospital name is the register's: refused, and the estimate stays.
    for (field, value) in [("weight", json!("10025")), ("stratum", json!("S9")), ("hospital_name", json!("改名"))] {
        let mut forged = case("K2".into(), &own, "0503");
        forged[field] = value;
        let (status, problem) = test.write(Method::POST, "/api/v1/injuries", Some(&token), forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{field}: {problem}");
        assert!(problem["message"].as_str().unwrap().contains(&format!("injury_case.{field}")), "{problem}");
    }
    assert_eq!(test.get_json(estimates).await.1, before);
    // Nor does the hospital change the register itself.
    let (status, _) = test
        .write(
            Method::PUT,
            &format!("/api/v1/hospitals/{own}"),
            Some(&token),
            json!({"name": "x", "stratum": "S9", "weight": 1000.0}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, register_now) = test.write(Method::GET, "/api/v1/hospitals", Some(&test.admin), json!({})).await;
    assert_eq!(register_now["items"][0]["weight"], 25.0);
    assert_eq!(register_now["items"][0]["stratum"], "S1");

    // A second hospital reusing the case id does not take the case over.
    let other = hospital(8);
    register(&test, &other, "S2", 80.0, None).await;
    let other_token = hospital_account(&test, &other).await;
    let (status, problem) =
        test.write(Method::POST, "/api/v1/injuries", Some(&other_token), case("K1".into(), &other, "0101")).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{problem}");
    let (_, stored) = test.write(Method::GET, "/api/v1/injuries/K1", Some(&test.admin), json!({})).await;
    assert_eq!((stored["hospital_id"].as_str(), stored["product_code"].as_str()), (Some(own.as_str()), Some("0503")));
    // The report and the register change are in the audit log with their users.
    let audit = test.state.store.audit_entries("injury_case", "K1").await.unwrap();
    assert_eq!(audit.len(), 1);
    assert!(audit[0].user_id.is_some());
    assert!(
        audit[0].after.as_ref().unwrap().get("narrative").is_some_and(Value::is_null),
        "no narrative in the audit log"
    );
    assert_eq!(test.state.store.audit_entries("hospital", &own).await.unwrap().len(), 1);
}

#[tokio::test]
async fn hospitals_report_their_own_cases_and_narratives_stay_with_regulators() {
    let test = TestApp::new().await;
    let own = hospital(7);
    register(&test, &own, "S1", 25.0, None).await;
    register(&test, &hospital(8), "S1", 25.0, None).await;
    let token = hospital_account(&test, &own).await;
    let (status, _) = test.write(Method::POST, "/api/v1/injuries", Some(&token), case("K1".into(), &own, "0503")).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) =
        test.write(Method::POST, "/api/v1/injuries", Some(&token), case("K2".into(), &hospital(8), "0503")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut bad = case("K3".into(), &own, "0503");
    bad["sex"] = json!("x");
    let (status, problem) = test.write(Method::POST, "/api/v1/injuries", Some(&token), bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(problem["message"].as_str().unwrap().contains("sex"), "{problem}");

    let (status, seen) =
        test.write(Method::GET, "/api/v1/injuries/K1", Some(&test.hangzhou_regulator), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(seen["narrative"].as_str().unwrap().contains("电池"));
    let (status, _) = test.write(Method::GET, "/api/v1/injuries/K1", Some(&test.enterprise), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, public) = test.get_json("/api/v1/injuries/estimates").await;
    assert!(!public.to_string().contains("电池"), "estimates carry no narrative");
}

/// Six years of background injuries over ten product categories, and a cluster of e-bike battery burns in the
/// last three weeks: both the Farrington detector and disproportionality find the cluster, not the noise.
#[tokio::test]
async fn signals_find_a_cluster_and_not_the_noise() {
    use rand::{Rng, SeedableRng};
    use store::injuries::{Hospital, InjuryCase};
    let test = TestApp::new().await;
    let products = ["0101", "0102", "0201", "0301", "0401", "0402", "0501", "0503", "0504", "0802"];
    let diagnoses = ["fracture", "contusion", "laceration", "burn", "sprain"];
    let hospitals: Vec<Hospital> = (1..=3)
        .map(|n| Hospital {
            id: hospital(n),
            name: format!("H{n}"),
            region_code: "330100".into(),
            stratum: "S1".into(),
            weight: 25.0,
        })
        .collect();
    let to = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
    let mut cases = Vec::new();
    let add = |cases: &mut Vec<InjuryCase>,
               day: chrono::NaiveDate,
               product: &str,
               diagnosis: &str,
               hazard: Option<&str>,
               n: usize| {
        let index = cases.len();
        cases.push(InjuryCase {
            case_id: format!("Z{index}"),
            hospital_id: hospital(1 + (n % 3) as u32),
            treated_on: day.to_string(),
            stratum: "S1".into(),
            weight: 25.0,
            age: 30,
            sex: "male".into(),
            product_code: product.into(),
            product_code_2: None,
            body_part: "hand".into(),
            diagnosis: diagnosis.into(),
            disposition: "treated_released".into(),
            location: None,
            intent: None,
            hazard_code: hazard.map(str::to_owned),
            narrative: None,
        });
    };
    for back in 0..(6 * 52 * 7) {
        let day = to - chrono::Duration::days(back);
        for (i, product) in products.iter().enumerate() {
            // About five cases a week per product.
            if rng.gen::<f64>() < 5.0 / 7.0 {
                let diagnosis = diagnoses[(i + rng.gen_range(0..diagnoses.len())) % diagnoses.len()];
                add(&mut cases, day, product, diagnosis, None, rng.gen_range(0..3));
            }
        }
    }
    for back in 0..21 {
        for k in 0..3 {
            add(&mut cases, to - chrono::Duration::days(back), "0503", "burn", Some("battery_fire"), k);
        }
    }
    test.state.store.import_injuries(&hospitals, &cases, None).await.unwrap();

    let (status, temporal) = test
        .write(
            Method::GET,
            "/api/v1/signals?method=farrington&to=2026-11-20",
            Some(&test.hangzhou_regulator),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{temporal}");
    let flagged: Vec<&str> =
        temporal["signals"].as_array().unwrap().iter().map(|s| s["product_code"].as_str().unwrap()).collect();
    assert_eq!(flagged, ["0503"], "{temporal}");

    let (_, table) = test
        .write(
            Method::GET,
            "/api/v1/signals?method=disproportionality&to=2026-11-20",
            Some(&test.hangzhou_regulator),
            json!({}),
        )
        .await;
    let top = &table["signals"][0];
    assert_eq!((top["product_code"].as_str(), top["hazard"].as_str()), (Some("0503"), Some("battery_fire")), "{table}");
    assert!(top["eb05"].as_f64().unwrap() >= 2.0, "{top}");

    let (status, _) = test.write(Method::GET, "/api/v1/signals", Some(&test.enterprise), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let cookie = test.session_cookie("regulator", "s1").await;
    let (status, board) = test.get_with_cookie("/signals?method=farrington&to=2026-11-20", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(board.contains("电动自行车") || board.contains("0503"), "{board}");
    assert!(board.contains("signal-chart-0") && board.contains("/assets/signals.js"), "a chart per signal");
    let (status, series) = test
        .write(
            Method::GET,
            "/api/v1/signals/series?product_code=0503&to=2026-11-20&weeks=10",
            Some(&test.hangzhou_regulator),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{series}");
    assert_eq!(series["weeks"].as_array().unwrap().len(), 10);
    assert_eq!(series["alarm"][9], true, "{series}");
    assert!(series["observed"][9].as_f64().unwrap() > series["upper"][9].as_f64().unwrap());
    let (status, _) = test.send(Method::GET, "/signals", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// Supervision sampling failures are a signal source too: a test item failing far more in one category than
/// elsewhere stands out.
#[tokio::test]
async fn inspection_failures_are_a_signal_source() {
    use store::inspections::NewSample;
    let test = TestApp::new().await;
    let items = [
        "GB 4806.7-2016 4.2 总迁移量",
        "GB/T 29862-2013 4.1 纤维含量",
        "GB 6675.2-2014 4.1 小零件",
        "GB 4706.1-2005 10 输入功率",
    ];
    let categories = ["0201", "0301", "0401", "0501"];
    let mut samples = Vec::new();
    for i in 0..400 {
        let category = categories[i % 4];
        // Toys fail on small parts three times in four; everything else fails evenly across items.
        let item = if category == "0401" && i % 16 != 2 { items[2] } else { items[(i / 4) % 4] };
        samples.push(NewSample {
            sample_id: format!("F{i}"),
            campaign_id: "2026-GC".into(),
            campaign_level: "national".into(),
            sampled_on: format!("2026-{:02}-15", 1 + i % 10),
            product_category: category.into(),
            uscc: crate::OWN_USCC.into(),
            region_code: "330106".into(),
            channel: "retail".into(),
            verdict: "fail".into(),
            gtin: None,
            lot: None,
            production_date: None,
            lab: None,
            sampler: None,
            failed_items: Some(item.into()),
            stratum: None,
            stratum_population: None,
        });
    }
    test.state.store.import_samples(&samples, None).await.unwrap();
    let (status, table) = test
        .write(
            Method::GET,
            "/api/v1/signals?source=inspections&method=disproportionality&from=2026-01-01&to=2026-11-20",
            Some(&test.admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{table}");
    assert_eq!(table["source"], "inspections");
    let top = &table["signals"][0];
    assert_eq!((top["product_code"].as_str(), top["hazard"].as_str()), (Some("0401"), Some(items[2])), "{table}");
    let (status, _) = test.write(Method::GET, "/api/v1/signals?source=gossip", Some(&test.admin), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // A computation is kept with its method, parameters and period, and reads back as it was.
    let params =
        json!({"source": "inspections", "method": "disproportionality", "from": "2026-01-01", "to": "2026-11-20"});
    let (status, _) = test.write(Method::POST, "/api/v1/signals/runs", Some(&test.enterprise), params.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, kept) = test.write(Method::POST, "/api/v1/signals/runs", Some(&test.admin), params).await;
    assert_eq!(status, StatusCode::CREATED, "{kept}");
    assert_eq!(kept["signals"], table["signals"]);
    assert_eq!(
        (kept["parameters"].clone(), kept["period_from"].as_str()),
        (table["parameters"].clone(), Some("2026-01-01"))
    );
    let (_, listed) = test.write(Method::GET, "/api/v1/signals/runs", Some(&test.admin), json!({})).await;
    assert_eq!(listed["items"][0]["id"], kept["id"]);
    assert_eq!(listed["items"][0]["signal_count"], table["signals"].as_array().unwrap().len());
    let (_, again) =
        test.write(Method::GET, &format!("/api/v1/signals/runs/{}", kept["id"]), Some(&test.admin), json!({})).await;
    assert_eq!(again, kept);
}

#[tokio::test]
async fn an_administrator_registers_a_sentinel_hospital_whose_clerk_reports_on_the_form() {
    let test = TestApp::new().await;
    let id = codes::Uscc::assemble("12330106", "HQ000001").unwrap().to_string();
    let body = json!({"name": "浙江示范医院", "stratum": "large", "weight": 18.0});
    let uri = format!("/api/v1/hospitals/{id}");
    let (status, _) = test.write(Method::PUT, &uri, Some(&test.hangzhou_regulator), body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the design is national");
    let (status, bad) =
        test.write(Method::PUT, &uri, Some(&test.admin), json!({"name": "x", "stratum": "large", "weight": 0.5})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let (status, registered) = test.write(Method::PUT, &uri, Some(&test.admin), body).await;
    assert_eq!((status, registered["region_code"].as_str()), (StatusCode::OK, Some("330106")), "{registered}");

    let clerk = store::NewUser {
        name: "哨点医院填报员".into(),
        role: store::Role::Hospital,
        region_code: None,
        uscc: Some(id.clone()),
        login: Some("hospital".into()),
        password: Some("secret".into()),
    };
    test.state.store.add_user(&clerk).await.unwrap();
    let cookie = test.session_cookie("hospital", "h1").await;
    let (status, form) = test.get_with_cookie("/injuries/new", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("浙江示范医院") && form.contains("name=\"body_part\""), "{form}");
    let case = "csrf=h1&case_id=ZJ-0001&treated_on=2026-11-02&age=34&sex=male&product_code=0503&body_part=hand&diagnosis=burn&disposition=treated_released&location=home&intent=&hazard_code=battery_fire&narrative=";
    let (status, _, page) = test.post_form("/injuries/new", &cookie, case).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let stored = test.state.store.injury_case("ZJ-0001").await.unwrap().unwrap();
    assert_eq!((stored.stratum.as_str(), stored.weight, stored.hospital_id.as_str()), ("large", 18.0, id.as_str()));
    let (_, register) = test.write(Method::GET, "/api/v1/hospitals", Some(&test.admin), json!({})).await;
    assert_eq!(
        (register["items"][0]["id"].as_str(), register["items"][0]["cases"].as_i64()),
        (Some(id.as_str()), Some(1))
    );

    let (status, dashboard) = test.send(Method::GET, "/injuries?product_code=0503&to=2026-11-20", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(dashboard.contains("injury-trend") && dashboard.contains("\"year\":\"2026\""), "{dashboard}");
}
