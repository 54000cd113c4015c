//! Credit files and classes through the API: a regulator's penalty moves the class and its withdrawal moves it
//! back, each change in the public log; departments send records all or nothing with their own tokens; failed
//! published samples enter the file; private records stay private.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use store::inspections::NewSample;

use crate::credit::with_enterprise;
use crate::{TestApp, OWN_USCC};

fn days_ago(days: u64) -> String {
    (server::today() - chrono::Days::new(days)).to_string()
}

async fn file(test: &TestApp, token: Option<&str>) -> Value {
    let uri = format!("/api/v1/organizations/{OWN_USCC}/credit");
    let (status, text) = test.send(Method::GET, &uri, token, None).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn a_penalty_moves_the_class_and_its_withdrawal_moves_it_back() {
    let test = with_enterprise().await;
    let first = file(&test, None).await;
    assert_eq!((first["class"]["class"].as_str(), first["class"]["score"].as_i64()), (Some("B"), Some(85)), "{first}");
    let first_leaf = first["class"]["log_index"].as_i64().expect("the first class is logged");
    assert_eq!(first["log_entries"][0]["entry"]["type"], "credit_class");

    let uri = format!("/api/v1/organizations/{OWN_USCC}/credit/records");
    let penalty = json!({"kind": "penalty", "title": "销售不合格电动自行车充电器，罚款五万元", "occurred_on": days_ago(10),
        "decision_no": "杭市监罚〔2026〕12号"});
    let (status, _) = test.write(Method::POST, &uri, Some(&test.enterprise), penalty.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an enterprise does not write its own file");
    let mut collected = penalty.clone();
    collected["kind"] = json!("inspection_failure");
    let (status, refused) = test.write(Method::POST, &uri, Some(&test.hangzhou_regulator), collected).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_kind")), "{refused}");
    let mut future = penalty.clone();
    future["occurred_on"] = json!((server::today() + chrono::Days::new(3)).to_string());
    let (status, _) = test.write(Method::POST, &uri, Some(&test.hangzhou_regulator), future).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let (status, added) = test.write(Method::POST, &uri, Some(&test.hangzhou_regulator), penalty).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    assert_eq!(added["class"], json!({"class": "C", "score": 70}));
    let record_id = added["record"]["id"].as_str().unwrap().to_owned();
    assert!(added["record"]["legal_basis"].as_str().unwrap().contains("第45号"), "the kind's basis by default");

    let public = file(&test, None).await;
    assert_eq!(public["records"][0]["id"], record_id.as_str());
    assert_eq!(public["records"][0]["decision_no"], "杭市监罚〔2026〕12号");
    // The record's log entry commits to the digest shown beside it.
    let record_leaf = public["records"][0]["log_index"].as_i64().unwrap();
    let (_, entries) = test.get_json(&format!("/api/v1/log/entries?start={record_leaf}&end={}", record_leaf + 1)).await;
    assert_eq!(entries["entries"][0]["entry"]["record_sha256"], public["records"][0]["record_sha256"]);
    assert_eq!(entries["entries"][0]["entry"]["type"], "credit_record");
    assert_eq!(public["class"]["class"], "C");
    let reasons = public["class"]["reasons"].as_array().unwrap();
    assert!(reasons.iter().any(|r| r["record_id"] == record_id.as_str() && r["points"] == -15), "{reasons:?}");
    let history = public["class_history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!((history[0]["previous_class"].as_str(), history[0]["class"].as_str()), (Some("B"), Some("C")));
    let leaf = history[0]["log_index"].as_i64().unwrap();
    assert!(leaf > first_leaf);
    let (status, proof) = test.get_json(public["class"]["inclusion_proof"].as_str().unwrap()).await;
    assert_eq!((status, proof["index"].as_i64()), (StatusCode::OK, Some(leaf)));

    let withdraw = format!("/api/v1/credit/records/{record_id}/withdraw");
    let (status, _) = test.write(Method::POST, &withdraw, Some(&test.hangzhou_regulator), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a reason is required");
    let (status, _) =
        test.write(Method::POST, &withdraw, Some(&test.hangzhou_regulator), json!({"reason": "处罚决定被撤销"})).await;
    assert_eq!(status, StatusCode::OK);
    let after = file(&test, None).await;
    assert_eq!(after["class"]["class"], "B");
    assert!(after["records"].as_array().unwrap().is_empty(), "a withdrawn record is not public");
    assert_eq!(after["class_history"].as_array().unwrap().len(), 3);
    let inside = file(&test, Some(&test.hangzhou_regulator)).await;
    assert_eq!(inside["records"][0]["withdrawn_reason"], "处罚决定被撤销", "regulators see the whole file");
}

#[tokio::test]
async fn departments_send_records_all_or_nothing_with_their_own_tokens() {
    let test = with_enterprise().await;
    let guangzhou = codes::Uscc::assemble("91440101", "MA5C0001").unwrap().to_string();
    let organization = store::NewOrganization {
        uscc: guangzhou.parse().unwrap(),
        name: "广州某公司".into(),
        region_code: "440104".parse().unwrap(),
        address: None,
        legal_representative: None,
        entity_type: None,
        status: store::RegistrationStatus::Active,
        registered_on: None,
    };
    test.state.store.upsert_organization(&organization, None).await.unwrap();
    let department =
        json!({"code": "tax-zj", "name": "浙江省税务局", "kinds": ["penalty", "good_record"], "region_code": "330000"});
    let (status, _) = test
        .write(Method::POST, "/api/v1/credit/departments", Some(&test.hangzhou_regulator), department.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, created) = test.write(Method::POST, "/api/v1/credit/departments", Some(&test.admin), department).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["token"].as_str().unwrap().to_owned();
    let (_, listed) = test.send(Method::GET, "/api/v1/credit/departments", Some(&test.admin), None).await;
    assert!(!listed.contains(&token), "the token is shown once and never again");

    let unregistered = codes::Uscc::assemble("91330106", "MA2H0009").unwrap().to_string();
    let good = json!({"uscc": OWN_USCC, "kind": "good_record", "title": "纳税信用A级", "occurred_on": days_ago(40), "reference": "TAX-1"});
    let batch = json!({"records": [
        good,
        {"uscc": "91330106MA27XL1Q3B", "kind": "penalty", "title": "x", "occurred_on": days_ago(5), "reference": "TAX-2"},
        {"uscc": OWN_USCC, "kind": "quality_award", "title": "x", "occurred_on": days_ago(5), "reference": "TAX-3"},
        {"uscc": OWN_USCC, "kind": "penalty", "title": "x", "occurred_on": "2026-13-01", "reference": "TAX-4"},
        {"uscc": OWN_USCC, "kind": "penalty", "title": "x", "occurred_on": days_ago(5)},
        {"uscc": OWN_USCC, "kind": "good_record", "title": "again", "occurred_on": days_ago(5), "reference": "TAX-1"},
        {"uscc": unregistered, "kind": "penalty", "title": "x", "occurred_on": days_ago(5), "reference": "TAX-7"},
        {"uscc": guangzhou, "kind": "penalty", "title": "x", "occurred_on": days_ago(5), "reference": "TAX-8"},
    ]});
    let (status, answer) = test.write(Method::POST, "/api/v1/credit/exchange", Some(&token), batch).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let rejected: Vec<(i64, &str, &str)> = answer["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_i64().unwrap(), r["field"].as_str().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rejected,
        [
            (2, "uscc", "invalid_uscc"),
            (3, "kind", "invalid_kind"),
            (4, "occurred_on", "invalid_request"),
            (5, "reference", "invalid_request"),
            (6, "reference", "duplicate"),
            (7, "uscc", "unknown_organization"),
            (8, "uscc", "forbidden"),
        ]
    );
    assert!(
        file(&test, Some(&test.hangzhou_regulator)).await["records"].as_array().unwrap().is_empty(),
        "nothing stored"
    );

    let csv = format!(
        "uscc,kind,title,occurred_on,reference,decision_no\n\
         {OWN_USCC},good_record,纳税信用A级,{},TAX-1,\n\
         {OWN_USCC},penalty,虚开发票被处罚,{},TAX-9,浙税罚〔2026〕3号\n",
        days_ago(40),
        days_ago(20)
    );
    let (status, answer) = test.send_text("/api/v1/credit/exchange", &token, "text/csv", &csv).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!((answer["inserted"].as_u64(), answer["already_present"].as_u64()), (Some(2), Some(0)));
    let (_, again) = test.send_text("/api/v1/credit/exchange", &token, "text/csv", &csv).await;
    assert_eq!((again["inserted"].as_u64(), again["already_present"].as_u64()), (Some(0), Some(2)));
    let bad_csv = format!("uscc,kind,title,occurred_on,reference\n{OWN_USCC},penalty,x,{},TAX-10,extra\n", days_ago(1));
    let (status, answer) = test.send_text("/api/v1/credit/exchange", &token, "text/csv", &bad_csv).await;
    assert_eq!(
        (status, answer["rejected"][0]["row"].as_i64()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some(2)),
        "{answer}"
    );

    let after = file(&test, None).await;
    assert_eq!((after["class"]["score"].as_i64(), after["class"]["class"].as_str()), (Some(73), Some("C")), "{after}");
    let departments: Vec<&str> =
        after["records"].as_array().unwrap().iter().map(|r| r["department"].as_str().unwrap()).collect();
    assert_eq!(departments, ["tax-zj", "tax-zj"]);

    let (status, _) =
        test.write(Method::POST, "/api/v1/credit/departments/tax-zj/revoke", Some(&test.admin), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = test.send_text("/api/v1/credit/exchange", &token, "text/csv", &csv).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn failed_published_samples_enter_the_file_and_a_recompute_scores_everyone() {
    let test = with_enterprise().await;
    let sample = NewSample {
        sample_id: "S-CREDIT-1".into(),
        campaign_id: "2026-GC".into(),
        campaign_level: "national".into(),
        sampled_on: days_ago(30),
        product_category: "0301".into(),
        uscc: OWN_USCC.into(),
        region_code: "330106".into(),
        channel: "retail".into(),
        verdict: "fail".into(),
        gtin: None,
        lot: None,
        production_date: None,
        lab: None,
        sampler: None,
        failed_items: Some("GB 17761-2018 6.1.1 最高车速".into()),
        stratum: None,
        stratum_population: None,
    };
    test.state.store.import_samples(&[sample], None).await.unwrap();
    let (status, _) =
        test.write(Method::POST, "/api/v1/credit/classes/recompute", Some(&test.hangzhou_regulator), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, run) =
        test.write(Method::POST, "/api/v1/credit/classes/recompute", Some(&test.admin), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    assert_eq!((run["collected"].as_u64(), run["summary"]["organizations"].as_u64()), (Some(1), Some(2)), "{run}");
    assert_eq!(run["summary"]["class_changes"], 2, "both get their first class");
    let (_, again) = test.write(Method::POST, "/api/v1/credit/classes/recompute", Some(&test.admin), json!({})).await;
    assert_eq!((again["collected"].as_u64(), again["summary"]["class_changes"].as_u64()), (Some(0), Some(0)));

    let public = file(&test, None).await;
    let record = &public["records"][0];
    assert_eq!((record["kind"].as_str(), record["source"].as_str()), (Some("inspection_failure"), Some("inspection")));
    assert!(record["title"].as_str().unwrap().contains("S-CREDIT-1"));
    assert_eq!(public["class"]["score"], 77);
    let (_, counts) = test.get_json("/api/v1/credit/classes").await;
    let b = counts["classes"].as_array().unwrap().iter().find(|c| c["class"] == "B").unwrap();
    assert_eq!(b["organizations"], 2);
    let (_, model) = test.get_json("/api/v1/credit/model").await;
    assert_eq!(model["version"], credit::Model::bundled().version.as_str());
}

#[tokio::test]
async fn the_organization_page_shows_the_class_with_its_reasons_and_takes_a_regulators_record() {
    let test = with_enterprise().await;
    let cookie = test.session_cookie("regulator", "r1").await;
    let (_, before) = test.get_with_cookie(&format!("/organizations/{OWN_USCC}"), &cookie).await;
    assert!(
        before.contains("信用风险分类") && before.contains("一般风险") && before.contains("登记信用记录"),
        "{before}"
    );
    let (_, public) = test.send(Method::GET, &format!("/organizations/{OWN_USCC}"), None, None).await;
    assert!(!public.contains("登记信用记录"), "the record form is for the regulators of the region");

    let form = format!(
        "csrf=r1&kind=quality_award&title=%E6%9D%AD%E5%B7%9E%E5%B8%82%E6%94%BF%E5%BA%9C%E8%B4%A8%E9%87%8F%E5%A5%96&occurred_on={}",
        days_ago(3)
    );
    let (status, location, page) =
        test.post_form(&format!("/organizations/{OWN_USCC}/credit/records"), &cookie, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location.as_deref(), Some(format!("/organizations/{OWN_USCC}").as_str()));
    let (_, after) = test.send(Method::GET, &format!("/organizations/{OWN_USCC}"), None, None).await;
    assert!(after.contains("杭州市政府质量奖") && after.contains("低风险") && after.contains("政府质量奖"), "{after}");
    let (_, model) = test.send(Method::GET, "/credit/model", None, None).await;
    assert!(model.contains("监督抽查不合格") && model.contains("令第45号") && model.contains("2026.2"), "{model}");
}

#[tokio::test]
async fn private_records_stay_private_and_only_their_authority_withdraws_them() {
    let test = with_enterprise().await;
    let uri = format!("/api/v1/organizations/{OWN_USCC}/credit/records");
    // A reprimand 100 days ago: public for 90 days, counted for 365.
    let reprimand = json!({"kind": "penalty_minor", "title": "标识不规范，通报批评", "occurred_on": days_ago(100), "reference": "HZ-2026-7"});
    let (status, added) = test.write(Method::POST, &uri, Some(&test.hangzhou_regulator), reprimand.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let (status, again) = test.write(Method::POST, &uri, Some(&test.hangzhou_regulator), reprimand).await;
    assert_eq!(status, StatusCode::CONFLICT, "the same reference is not recorded twice: {again}");
    let public = file(&test, None).await;
    assert!(public["records"].as_array().unwrap().is_empty(), "past its public period: {public}");
    assert_eq!(public["class"]["score"], 80, "still counted");
    let reason = public["class"]["reasons"].as_array().unwrap().iter().find(|r| r["type"] == "record").unwrap().clone();
    assert_eq!((reason["kind"].as_str(), reason["points"].as_i64()), (Some("penalty_minor"), Some(-5)));
    assert!(
        reason["record_id"].is_null() && reason["occurred_on"].is_null() && reason["counts_until"].is_null(),
        "{reason}"
    );
    let (_, page) = test.send(Method::GET, &format!("/organizations/{OWN_USCC}"), None, None).await;
    assert!(!page.contains("标识不规范"), "the page does not show it either");
    // The log names the record and its digest only.
    let leaf = added["record"]["log_index"].as_i64().expect("the answer carries the record's log index");
    let (_, entries) = test.get_json(&format!("/api/v1/log/entries?start={leaf}&end={}", leaf + 1)).await;
    let entry = entries["entries"][0]["entry"].to_string();
    assert!(
        !entry.contains(OWN_USCC) && !entry.contains("penalty_minor") && entry.contains("record_sha256"),
        "{entry}"
    );
    let inside = file(&test, Some(&test.hangzhou_regulator)).await;
    assert_eq!(inside["records"][0]["public"], false);

    // A department's record: the region's regulator may not withdraw it, an admin may.
    let (_, department) = test
        .write(
            Method::POST,
            "/api/v1/credit/departments",
            Some(&test.admin),
            json!({"code": "customs", "name": "杭州海关", "kinds": ["penalty"]}),
        )
        .await;
    let token = department["token"].as_str().unwrap();
    let batch = json!({"records": [{"uscc": OWN_USCC, "kind": "penalty", "title": "申报不实", "occurred_on": days_ago(3), "reference": "HG-1"}]});
    let (status, _) = test.write(Method::POST, "/api/v1/credit/exchange", Some(token), batch).await;
    assert_eq!(status, StatusCode::OK);
    let inside = file(&test, Some(&test.hangzhou_regulator)).await;
    let id = inside["records"].as_array().unwrap().iter().find(|r| r["source"] == "department").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let withdraw = format!("/api/v1/credit/records/{id}/withdraw");
    let (status, _) = test.write(Method::POST, &withdraw, Some(&test.hangzhou_regulator), json!({"reason": "x"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = test.write(Method::POST, &withdraw, Some(&test.admin), json!({"reason": "海关撤销处罚"})).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn records_of_unregistered_usccs_do_not_shift_other_organizations_records() {
    let test = with_enterprise().await;
    let other = crate::credit::other();
    // A USCC between the two registered ones in sort order, with a record but no organization.
    let stray = "91330106MA27XL1Q3B";
    assert!(OWN_USCC < stray && stray < other.as_str());
    let record = |id: &str, uscc: &str| store::credit_file::CreditRecord {
        id: id.into(),
        uscc: uscc.into(),
        kind: "penalty".into(),
        source: "regulator".into(),
        department: String::new(),
        source_ref: id.into(),
        title: "行政处罚".into(),
        legal_basis: "令第45号".into(),
        decision_no: None,
        occurred_on: days_ago(10),
        public_until: days_ago(0),
        withdrawn_on: None,
        withdrawn_reason: None,
        created_by: None,
        created_at: String::new(),
        log_index: None,
        withdrawn_log_index: None,
    };
    test.state.store.insert_credit_records(&[record("R-STRAY", stray), record("R-OTHER", &other)], None).await.unwrap();
    let (status, run) =
        test.write(Method::POST, "/api/v1/credit/classes/recompute", Some(&test.admin), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{run}");
    let class = test.state.store.credit_class(&other.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!((class.class.as_str(), class.score), ("C", 70), "the penalty after the stray record counts");
    let own = test.state.store.credit_class(&OWN_USCC.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(own.score, 85);
}
