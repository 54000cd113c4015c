//! Complaints and reports from submission to closure, with deadlines on the official working-day calendar, routing,
//! privacy and the submitter's own steps. Expected dates are counted by hand from the State Council's 2026 notice
//! (Mid-Autumn 25–27 Sep and National Day 1–7 Oct off; Sun 20 Sep and Sat 10 Oct working).

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use store::NewOrganization;

use crate::{TestApp, OWN_USCC};

async fn with_respondent() -> TestApp {
    let test = TestApp::new().await;
    let respondent = NewOrganization {
        uscc: OWN_USCC.parse().unwrap(),
        name: "杭州示范电动车有限公司".into(),
        region_code: "330106".parse().unwrap(),
        address: Some("浙江省杭州市西湖区文三路1号".into()),
        legal_representative: None,
        entity_type: None,
        status: store::RegistrationStatus::Active,
        registered_on: None,
    };
    test.state.store.upsert_organization(&respondent, None).await.unwrap();
    test
}

fn filing() -> Value {
    json!({"kind": "complaint", "submitter_name": "张三丰", "submitter_phone": "13812345678",
        "submitter_id_number": "110101199003071233", "submitter_address": "杭州市西湖区某小区",
        "respondent_name": "杭州示范电动车有限公司", "respondent_uscc": OWN_USCC,
        "facts": "购买的电动自行车充电时电池鼓包冒烟，要求退货", "request": "退货退款"})
}

async fn step(test: &TestApp, token: &str, id: i64, action: &str, body: Value) -> (StatusCode, Value) {
    test.write(Method::POST, &format!("/api/v1/complaints/{id}/{action}"), Some(token), body).await
}

#[tokio::test]
async fn a_complaint_runs_from_receipt_through_mediation_with_testing_to_termination() {
    let test = with_respondent().await;
    let regulator = test.hangzhou_regulator.clone();
    let mut body = filing();
    body["received_on"] = json!("2026-09-28");
    let (status, public_backdated) = test.write(Method::POST, "/api/v1/complaints", None, body.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the public cannot backdate: {public_backdated}");
    let (status, filed) = test.write(Method::POST, "/api/v1/complaints", Some(&regulator), body).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["handling_region"], "330106", "routed by master data");
    assert_eq!((filed["category"].as_str(), filed["issue"].as_str()), (Some("0503"), Some("safety")));
    // Received Mon 28 Sep: 29, 30 Sep, 8, 9, 10 (adjusted Saturday), 12, 13 Oct.
    assert_eq!(filed["deadlines"]["accept_by"], "2026-10-13");
    assert!(filed["tracking_number"].as_str().unwrap().starts_with("TS20260928"));
    let id = filed["id"].as_i64().unwrap();

    let (status, _) = step(&test, &test.enterprise, id, "accept", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the respondent does not accept its own complaint");
    let (status, early) = step(&test, &regulator, id, "mediate", json!({"consent": true})).await;
    assert_eq!(status, StatusCode::CONFLICT, "mediation before acceptance: {early}");
    let (status, accepted) = step(&test, &regulator, id, "accept", json!({"on": "2026-10-09"})).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    // 45 working days from Fri 9 Oct (Sat 10 Oct counts) end on Thu 10 Dec.
    assert_eq!(accepted["deadlines"]["mediation_by"], "2026-12-10");
    assert_eq!(accepted["due"]["kind"], "mediation_by");

    let (status, refused) = step(&test, &regulator, id, "mediate", json!({"on": "2026-10-12"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "consent is required: {refused}");
    let (status, _) = step(&test, &regulator, id, "mediate", json!({"on": "2026-10-12", "consent": true})).await;
    assert_eq!(status, StatusCode::OK);
    let lab = "12100000400000624D";
    let (status, suspended) =
        step(&test, &regulator, id, "suspend", json!({"on": "2026-10-20", "reason": "testing", "lab_uscc": lab})).await;
    assert_eq!(status, StatusCode::OK, "{suspended}");
    assert_eq!(suspended["status"], "suspended");
    assert!(suspended["deadlines"]["mediation_by"].is_null(), "the clock stops while testing");
    assert!(suspended["due"]["on"].is_null());
    let (status, resumed) =
        step(&test, &regulator, id, "resume", json!({"on": "2026-10-27", "result": "电芯不合格"})).await;
    assert_eq!(status, StatusCode::OK, "{resumed}");
    // 21, 22, 23, 26 and 27 Oct do not count: five more working days, to Thu 17 Dec.
    assert_eq!(resumed["suspended_working_days"], 5);
    assert_eq!(resumed["deadlines"]["mediation_by"], "2026-12-17");

    let (status, bad) = step(&test, &regulator, id, "terminate", json!({"on": "2026-11-02", "ground": "bored"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let (status, before) =
        step(&test, &regulator, id, "terminate", json!({"on": "2026-10-01", "ground": "party_refused"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "not before the last step: {before}");
    let (status, ended) =
        step(&test, &regulator, id, "terminate", json!({"on": "2026-11-02", "ground": "party_refused"})).await;
    assert_eq!(status, StatusCode::OK, "{ended}");
    assert_eq!(ended["deadlines"]["notify_by"], "2026-11-11");
    assert_eq!((ended["due"]["kind"].as_str(), ended["due"]["overdue"].as_bool()), (Some("notify_by"), Some(true)));

    let (_, queue) = test.write(Method::GET, "/api/v1/complaints", Some(&regulator), json!({})).await;
    assert_eq!(queue["overdue"], 1, "{queue}");
    assert_eq!(queue["items"][0]["id"], id);

    let (status, closed) = step(&test, &regulator, id, "notify", json!({"on": "2026-11-05"})).await;
    assert_eq!((status, closed["status"].as_str()), (StatusCode::OK, Some("closed")));
    assert!(closed["due"]["on"].is_null());
    let (_, queue) = test.write(Method::GET, "/api/v1/complaints", Some(&regulator), json!({})).await;
    assert_eq!((queue["overdue"].as_i64(), queue["items"].as_array().map(Vec::len)), (Some(0), Some(0)));

    let stages: Vec<&str> =
        closed["history"].as_array().unwrap().iter().map(|e| e["stage"].as_str().unwrap()).collect();
    assert_eq!(
        stages,
        [
            "registered",
            "routed",
            "accepted",
            "mediation_started",
            "suspended",
            "resumed",
            "terminated",
            "parties_notified"
        ]
    );
    assert_eq!(closed["history"][4]["data"]["lab_uscc"], lab);
}

#[tokio::test]
async fn the_public_files_and_follows_with_the_secret_and_the_enterprise_settles_early() {
    let test = with_respondent().await;
    let (status, filed) = test.write(Method::POST, "/api/v1/complaints", None, filing()).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let (id, number, secret) =
        (filed["id"].as_i64().unwrap(), filed["tracking_number"].clone(), filed["secret"].clone());
    assert!(filed["deadlines"]["accept_by"].is_string());

    let (status, _) = test
        .write(Method::POST, "/api/v1/complaints/track", None, json!({"tracking_number": number, "secret": "0"}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a wrong secret opens nothing");
    let track = json!({"tracking_number": number, "secret": secret});
    let (status, own) = test.write(Method::POST, "/api/v1/complaints/track", None, track.clone()).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(
        own["submitter"],
        json!({"name": "张**", "phone": "138****5678", "id_number": "1****************3", "address": null})
    );
    assert!(own["history"][1].get("data").is_none(), "routing details are the regulator's");

    // The respondent sees the complaint masked and answers it.
    let (status, seen) =
        test.write(Method::GET, &format!("/api/v1/complaints/{id}"), Some(&test.enterprise), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert_eq!(seen["submitter"]["phone"], "138****5678");
    let text = seen.to_string();
    assert!(!text.contains("13812345678") && !text.contains("110101199003071233") && !text.contains("某小区"));
    let (_, list) = test.write(Method::GET, "/api/v1/complaints", Some(&test.enterprise), json!({})).await;
    assert_eq!(list["items"][0]["id"], id);
    let (status, answered) =
        step(&test, &test.enterprise, id, "enterprise-response", json!({"answer": "同意全额退款"})).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    let (status, _) = step(&test, &test.enterprise, id, "accept", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The handling regulator sees everything.
    let (_, full) =
        test.write(Method::GET, &format!("/api/v1/complaints/{id}"), Some(&test.hangzhou_regulator), json!({})).await;
    assert_eq!(full["submitter"]["id_number"], "110101199003071233");
    assert_eq!(full["enterprise_response"], "同意全额退款");

    let (status, _) = test
        .write(
            Method::POST,
            "/api/v1/complaints/track/evaluation",
            None,
            json!({"tracking_number": number, "secret": secret, "rating": 5}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "evaluation waits for closure");
    let (status, settled) = test.write(Method::POST, "/api/v1/complaints/track/settlement", None, track.clone()).await;
    assert_eq!(status, StatusCode::OK, "{settled}");
    assert_eq!(
        (settled["status"].as_str(), settled["outcome"].as_str()),
        (Some("closed"), Some("enterprise_settlement"))
    );
    let (status, rated) = test
        .write(
            Method::POST,
            "/api/v1/complaints/track/evaluation",
            None,
            json!({"tracking_number": number, "secret": secret, "rating": 5}),
        )
        .await;
    assert_eq!((status, rated["rating"].as_i64()), (StatusCode::OK, Some(5)));
}

#[tokio::test]
async fn an_anonymous_report_keeps_no_identity_and_its_verification_can_be_extended_once() {
    let test = with_respondent().await;
    let report = json!({"kind": "report", "anonymous": true, "submitter_name": "李四", "submitter_phone": "13900000000",
        "respondent_name": "某无名作坊", "respondent_address": "浙江省杭州市余杭区某村", "received_on": "2026-09-28",
        "facts": "该作坊生产无标签的充电宝并在网上销售"});
    let (status, filed) = test.write(Method::POST, "/api/v1/complaints", Some(&test.admin), report).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["handling_region"], "330110", "routed by the address to Yuhang");
    assert_eq!(filed["deadlines"]["verify_by"], "2026-10-23");
    let id = filed["id"].as_i64().unwrap();
    let (_, full) = test.write(Method::GET, &format!("/api/v1/complaints/{id}"), Some(&test.admin), json!({})).await;
    assert_eq!(full["submitter"], json!({"name": null, "phone": null, "id_number": null, "address": null}));
    assert!(!full.to_string().contains("13900000000"));

    let (status, extended) = step(&test, &test.hangzhou_regulator, id, "extend", json!({"on": "2026-10-20"})).await;
    assert_eq!(status, StatusCode::OK, "{extended}");
    assert_eq!(extended["deadlines"]["verify_by"], "2026-11-13");
    let (status, _) = step(&test, &test.hangzhou_regulator, id, "extend", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "only once");
    let (status, decided) = step(&test, &test.hangzhou_regulator, id, "open-case", json!({"on": "2026-11-10"})).await;
    assert_eq!(status, StatusCode::OK, "{decided}");
    assert_eq!((decided["status"].as_str(), decided["outcome"].as_str()), (Some("closed"), Some("case_opened")));
    assert!(decided["deadlines"]["notify_by"].is_null(), "nobody to notify");

    // The anonymous reporter claims the reward with the secret; the handling regulator decides it.
    let claim =
        json!({"tracking_number": filed["tracking_number"], "secret": filed["secret"], "payee": "6222 0000 1111 2222"});
    let (status, claimed) = test.write(Method::POST, "/api/v1/complaints/track/reward", None, claim.clone()).await;
    assert_eq!(status, StatusCode::OK, "{claimed}");
    assert_eq!((claimed["reward"]["status"].as_str(), claimed["reward"]["payee"].as_str()), (Some("claimed"), None));
    let (status, _) = test.write(Method::POST, "/api/v1/complaints/track/reward", None, claim).await;
    assert_eq!(status, StatusCode::CONFLICT, "one claim");
    let (status, _) =
        step(&test, &test.hangzhou_regulator, id, "reward", json!({"grade": 2, "amount": 2_000_000.0})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "over the cap");
    let (status, granted) =
        step(&test, &test.hangzhou_regulator, id, "reward", json!({"grade": 2, "amount": 5000.0})).await;
    assert_eq!(status, StatusCode::OK, "{granted}");
    assert_eq!(granted["reward"]["payee"], "6222 0000 1111 2222", "the handler sees where to pay");
    assert_eq!(
        (granted["reward"]["status"].as_str(), granted["reward"]["amount"].as_f64()),
        (Some("granted"), Some(5000.0))
    );
    let (status, _) = step(&test, &test.hangzhou_regulator, id, "reward-refuse", json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "decided once");
    let last = granted["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["stage"].as_str(), last["data"]["grade"].as_i64()), (Some("reward_granted"), Some(2)));
}

#[tokio::test]
async fn intake_names_the_field_at_fault_and_routing_follows_jurisdiction() {
    let test = with_respondent().await;
    let cases = [
        (json!({"kind": "complaint", "anonymous": true}), "only a report"),
        (json!({"submitter_phone": "12ab"}), "submitter_phone"),
        (json!({"submitter_id_number": "110101199003071235"}), "check character"),
        (json!({"respondent_uscc": "91330106MA27XL1Q3B"}), "respondent_uscc"),
        (json!({"facts": ""}), "facts"),
        (json!({"kind": "gossip"}), "gossip"),
        (json!({"colour": "red"}), "unknown field"),
        (
            json!({"respondent_uscc": null, "respondent_name": "某无名商户", "respondent_address": "某某路"}),
            "respondent_address",
        ),
    ];
    for (change, expected) in cases {
        let mut body = filing();
        for (key, value) in change.as_object().unwrap() {
            body[key] = value.clone();
        }
        let (status, answer) = test.write(Method::POST, "/api/v1/complaints", Some(&test.admin), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{change}: {answer}");
        assert!(answer["message"].as_str().unwrap().contains(expected), "{change}: {answer}");
    }
    // A respondent named exactly as in master data is found there, USCC and all; a registered GTIN gives the
    // product category whatever the words say.
    let product = store::NewProduct {
        gtin: "06901234000016".parse().unwrap(),
        name: "示范头盔".into(),
        uscc: OWN_USCC.parse().unwrap(),
        category_code: Some("0902".into()),
        brand: None,
        specification: None,
    };
    test.state.store.upsert_product(&product, None).await.unwrap();
    let mut by_name = filing();
    by_name["respondent_uscc"] = Value::Null;
    by_name["product_gtin"] = json!("06901234000016");
    let (status, named) = test.write(Method::POST, "/api/v1/complaints", Some(&test.admin), by_name).await;
    assert_eq!((status, named["handling_region"].as_str()), (StatusCode::CREATED, Some("330106")), "{named}");
    assert_eq!(named["category"], "0902", "the registered product's category, not the words' 0503");
    let (_, full) =
        test.write(Method::GET, &format!("/api/v1/complaints/{}", named["id"]), Some(&test.admin), json!({})).await;
    assert_eq!(
        (full["routing"]["method"].as_str(), full["respondent"]["uscc"].as_str()),
        (Some("master_data_by_name"), Some(OWN_USCC))
    );

    // A platform merchant without a known address goes to the platform's domicile.
    let mut merchant = filing();
    merchant["respondent_uscc"] = Value::Null;
    merchant["respondent_name"] = json!("某网店");
    merchant["platform_uscc"] = json!(OWN_USCC);
    let (_, routed) = test.write(Method::POST, "/api/v1/complaints", Some(&test.admin), merchant).await;
    assert_eq!(routed["handling_region"], "330106", "{routed}");
    let (_, full) =
        test.write(Method::GET, &format!("/api/v1/complaints/{}", routed["id"]), Some(&test.admin), json!({})).await;
    assert_eq!(full["routing"]["method"], "platform_domicile");

    // A Hangzhou regulator cannot act on a Shanghai complaint, but can refer its own away.
    let mut shanghai = filing();
    shanghai["respondent_uscc"] = Value::Null;
    shanghai["respondent_address"] = json!("上海市浦东新区世纪大道1号");
    let (_, filed) = test.write(Method::POST, "/api/v1/complaints", Some(&test.admin), shanghai).await;
    assert_eq!(filed["handling_region"], "310115");
    let sid = filed["id"].as_i64().unwrap();
    let (status, _) = step(&test, &test.hangzhou_regulator, sid, "accept", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) =
        test.write(Method::GET, &format!("/api/v1/complaints/{sid}"), Some(&test.hangzhou_regulator), json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, referred) = step(&test, &test.admin, sid, "refer", json!({"region_code": "330106"})).await;
    assert_eq!((status, referred["handling_region"].as_str()), (StatusCode::OK, Some("330106")));
    let (status, _) = step(&test, &test.hangzhou_regulator, sid, "accept", json!({})).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn public_submissions_are_rate_limited_per_address() {
    let mut test = with_respondent().await;
    test.state = test.state.clone().with_submission_limit(Some(2));
    for _ in 0..2 {
        let (status, _) = test.write(Method::POST, "/api/v1/complaints", None, filing()).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (status, answer) = test.write(Method::POST, "/api/v1/complaints", None, filing()).await;
    assert_eq!((status, answer["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
    let (status, _) = test.write(Method::POST, "/api/v1/complaints", Some(&test.admin), filing()).await;
    assert_eq!(status, StatusCode::CREATED, "clerks are not limited");
}

#[tokio::test]
async fn statistics_count_by_grouping_and_a_regulator_corrects_the_classification() {
    let test = with_respondent().await;
    let mut ids = Vec::new();
    for facts in ["充电宝鼓包起火", "羽绒服起球掉色质量差", "电动车电池起火烧伤"] {
        let mut body = filing();
        body["facts"] = json!(facts);
        let (_, filed) = test.write(Method::POST, "/api/v1/complaints", Some(&test.admin), body).await;
        ids.push(filed["id"].as_i64().unwrap());
    }
    let (status, stats) = test.get_json("/api/v1/complaints/stats?group_by=issue").await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["total"], 3);
    assert_eq!(
        stats["groups"][0],
        json!({"key": "safety", "count": 2, "share": 2.0 / 3.0, "per_30_days": 2.0 * 30.0 / 365.0})
    );
    let (status, _) = test.get_json("/api/v1/complaints/stats?group_by=respondent").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "counts per enterprise are for regulators");

    let (status, corrected) =
        step(&test, &test.hangzhou_regulator, ids[1], "classify", json!({"issue": "after_sales"})).await;
    assert_eq!(status, StatusCode::OK, "{corrected}");
    assert_eq!(corrected["classification"]["corrected"]["from"]["issue"], "quality");
    let (_, stats) = test.get_json("/api/v1/complaints/stats?group_by=issue").await;
    let keys: Vec<&str> = stats["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["safety", "after_sales"]);
    let (_, rules) = test.get_json("/api/v1/complaints/classifier").await;
    assert!(rules["issues"].as_array().unwrap().iter().any(|l| l["code"] == "after_sales"));
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("{start} not in {text}")) + start.len();
    &text[from..from + text[from..].find(end).unwrap()]
}

#[tokio::test]
async fn pages_take_a_filing_from_the_public_form_to_the_clerks_queue_and_back() {
    let test = with_respondent().await;
    let form = format!(
        "kind=complaint&submitter_name=%E5%BC%A0%E4%B8%89&submitter_phone=13812345678&respondent_name=%E7%A4%BA%E8%8C%83&respondent_uscc={OWN_USCC}&facts=%E5%85%85%E7%94%B5%E5%AE%9D%E8%B5%B7%E7%81%AB%E7%83%A7%E4%BC%A4"
    );
    let (status, _, page) = test.post_form("/complaints/new", "", &form).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let number = between(&page, "受理编号</dt><dd><code>", "<").to_owned();
    let secret = between(&page, "查询码</dt><dd><code>", "<").to_owned();
    assert!(number.starts_with("TS") && secret.len() == 32, "{number} {secret}");

    let (status, _, tracked) =
        test.post_form("/complaints/track", "", &format!("tracking_number={number}&secret={secret}")).await;
    assert_eq!(status, StatusCode::OK, "{tracked}");
    assert!(tracked.contains("138****5678") && !tracked.contains("13812345678"), "{tracked}");
    assert!(tracked.contains("待受理"));
    let (status, _, wrong) =
        test.post_form("/complaints/track", "", &format!("tracking_number={number}&secret=x")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{wrong}");

    let cookie = test.session_cookie("regulator", "c1").await;
    // Seven working days can run to seventeen calendar days over a long holiday: the window holds them all.
    let (status, queue) = test.get_with_cookie("/complaints?within_days=30", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains(&number), "{queue}");
    let id = between(&queue, "href=\"/complaints/", "\"").to_owned();
    let (status, detail) = test.get_with_cookie(&format!("/complaints/{id}"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("13812345678"), "the handling regulator sees the phone");
    let (status, _, _) = test.post_form(&format!("/complaints/{id}/accept"), &cookie, "csrf=wrong").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, location, _) = test.post_form(&format!("/complaints/{id}/accept"), &cookie, "csrf=c1").await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some(format!("/complaints/{id}").as_str())));
    let (_, detail) = test.get_with_cookie(&format!("/complaints/{id}"), &cookie).await;
    assert!(detail.contains("调解期限") && detail.contains("开始调解"), "{detail}");

    let enterprise = test.session_cookie("enterprise", "c2").await;
    let (_, seen) = test.get_with_cookie(&format!("/complaints/{id}"), &enterprise).await;
    assert!(seen.contains("138****5678") && !seen.contains("13812345678"), "{seen}");
    let (status, _, _) = test
        .post_form(&format!("/complaints/{id}/enterprise-response"), &enterprise, "csrf=c2&answer=%E9%80%80%E6%AC%BE")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, tracked) =
        test.post_form("/complaints/track", "", &format!("tracking_number={number}&secret={secret}")).await;
    assert!(tracked.contains("接受企业的答复"), "{tracked}");

    let (status, stats) = test.send(Method::GET, "/complaints/stats?lang=en", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(stats.contains("complaint-chart-4") && stats.contains("Chargers and power banks"), "{stats}");
}

/// Clerks quote the tracking number (`TS…`), not the row id: every page and API that takes a complaint takes it.
#[tokio::test]
async fn complaints_open_by_tracking_number_on_the_api_and_the_pages() {
    let test = with_respondent().await;
    let (status, filed) = test.write(Method::POST, "/api/v1/complaints", None, filing()).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let (id, number) = (filed["id"].as_i64().unwrap(), filed["tracking_number"].as_str().unwrap().to_owned());
    let regulator = Some(test.hangzhou_regulator.as_str());
    let (status, by_number) =
        test.write(Method::GET, &format!("/api/v1/complaints/{number}"), regulator, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{by_number}");
    assert_eq!(by_number["id"].as_i64(), Some(id));
    let (status, accepted) =
        test.write(Method::POST, &format!("/api/v1/complaints/{number}/accept"), regulator, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    let cookie = test.session_cookie("regulator", "k9").await;
    let (status, page) = test.get_with_cookie(&format!("/complaints/{number}"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&number), "the page opens by its tracking number");
    let (status, missing) = test.write(Method::GET, "/api/v1/complaints/TS00000000000", regulator, json!({})).await;
    assert_eq!((status, missing["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}

/// A clerk's filing leaves an audit row with the clerk as its user, and no personal data of the submitter.
#[tokio::test]
async fn a_clerks_filing_is_audited_with_its_user() {
    let test = with_respondent().await;
    let (status, filed) =
        test.write(Method::POST, "/api/v1/complaints", Some(&test.hangzhou_regulator), filing()).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let number = filed["tracking_number"].as_str().unwrap();
    let audit = test.state.store.audit_entries("complaint", number).await.unwrap();
    let clerk = test.state.store.user_by_token(&test.hangzhou_regulator).await.unwrap().unwrap();
    assert_eq!((audit[0].action.as_str(), audit[0].user_id), ("file", Some(clerk.id)), "{audit:?}");
    assert!(!format!("{:?}", audit[0].after).contains("张三丰"), "no personal data in the audit row");
    let (_, public) = test.write(Method::POST, "/api/v1/complaints", None, filing()).await;
    let audit = test.state.store.audit_entries("complaint", public["tracking_number"].as_str().unwrap()).await.unwrap();
    assert_eq!((audit[0].action.as_str(), audit[0].user_id), ("file", None), "a public filing has no user");
}
