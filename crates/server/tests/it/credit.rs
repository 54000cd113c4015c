//! The serious-violation list with due process: proposed, notified, stated, heard, decided, published into the
//! public log, repaired off the list; a listing past its period swept off; the public blacklist and credit record.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use store::NewOrganization;

use crate::{TestApp, OWN_USCC};

/// A second registered enterprise in Hangzhou.
pub(crate) fn other() -> String {
    codes::Uscc::assemble("91330106", "MA2H0000").unwrap().to_string()
}

pub(crate) async fn with_enterprise() -> TestApp {
    let test = TestApp::new().await;
    for (uscc, name) in [(OWN_USCC.to_owned(), "杭州示范电动车有限公司"), (other(), "杭州另一家公司")]
    {
        let organization = NewOrganization {
            uscc: uscc.parse().unwrap(),
            name: name.into(),
            region_code: "330106".parse().unwrap(),
            address: None,
            legal_representative: None,
            entity_type: None,
            status: store::RegistrationStatus::Active,
            registered_on: None,
        };
        test.state.store.upsert_organization(&organization, None).await.unwrap();
    }
    test
}

/// The log's entries as list events and class changes.
fn log_events(log: &Value) -> Vec<String> {
    let entries = log["entries"].as_array().unwrap();
    entries
        .iter()
        .map(|e| match e["entry"]["type"].as_str() {
            Some("credit_class") => format!("class {}", e["entry"]["class"].as_str().unwrap()),
            _ => e["entry"]["event"].as_str().unwrap().to_owned(),
        })
        .collect()
}

async fn step(test: &TestApp, token: &str, id: &str, action: &str, body: Value) -> (StatusCode, Value) {
    test.write(Method::POST, &format!("/api/v1/credit/listings/{id}/{action}"), Some(token), body).await
}

#[tokio::test]
async fn an_enterprise_is_proposed_heard_listed_published_and_repaired_off_the_list() {
    let test = with_enterprise().await;
    let regulator = test.hangzhou_regulator.clone();
    let proposal = json!({"list": "serious_violation", "uscc": OWN_USCC, "grounds": "生产销售不合格电动自行车电池，被处以从重罚款",
        "on": "2024-09-02"});
    let (status, refused) =
        test.write(Method::POST, "/api/v1/credit/listings", Some(&regulator), proposal.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the serious list follows a heavier penalty: {refused}");
    let mut proposal = proposal;
    proposal["penalty_ref"] = json!("杭市监罚〔2024〕88号");
    let (status, _) =
        test.write(Method::POST, "/api/v1/credit/listings", Some(&test.enterprise), proposal.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, proposed) =
        test.write(Method::POST, "/api/v1/credit/listings", Some(&regulator), proposal.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{proposed}");
    let id = proposed["id"].as_str().unwrap().to_owned();
    let (status, _) = test.write(Method::POST, "/api/v1/credit/listings", Some(&regulator), proposal).await;
    assert_eq!(status, StatusCode::CONFLICT, "one open listing per list");
    let (status, _) = test.get_json(&format!("/api/v1/credit/listings/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not public before publication");

    let (status, notified) = step(&test, &regulator, &id, "notify", json!({"on": "2024-09-02"})).await;
    assert_eq!(status, StatusCode::OK, "{notified}");
    // Five working days after Mon 2 Sep 2024: 3, 4, 5, 6, 9 Sep.
    assert_eq!(notified["statement_by"], "2024-09-09");
    let (status, early) = step(&test, &regulator, &id, "decide", json!({"on": "2024-09-05", "listed": true})).await;
    assert_eq!(status, StatusCode::CONFLICT, "not while the enterprise may still state its case: {early}");
    let (status, _) = step(
        &test,
        &test.enterprise,
        &id,
        "statement",
        json!({"on": "2024-09-04", "note": "电池由供应商提供，已全部召回"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = step(&test, &test.enterprise, &id, "hearing-request", json!({"on": "2024-09-05"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = step(&test, &regulator, &id, "decide", json!({"on": "2024-09-10", "listed": true})).await;
    assert_eq!(status, StatusCode::CONFLICT, "the hearing comes first");
    step(&test, &regulator, &id, "hearing", json!({"on": "2024-09-12", "note": "听证会已举行"})).await;
    let (status, decided) = step(&test, &regulator, &id, "decide", json!({"on": "2024-09-13", "listed": true})).await;
    assert_eq!((status, decided["status"].as_str()), (StatusCode::OK, Some("decided")), "{decided}");
    let (status, published) = step(&test, &regulator, &id, "publish", json!({"on": "2024-09-14"})).await;
    assert_eq!(status, StatusCode::OK, "{published}");
    assert_eq!((published["expires_on"].as_str(), published["current"].as_bool()), (Some("2027-09-14"), Some(true)));
    let listed_at = published["steps"].as_array().unwrap().last().unwrap()["log_index"].as_i64().unwrap();

    // Public now: the listing (without the statement's text), the blacklist, the CSV, the credit record.
    let (status, public) = test.get_json(&format!("/api/v1/credit/listings/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!public.to_string().contains("供应商"), "the statement stays with the parties: {public}");
    let (_, blacklist) = test.get_json("/api/v1/credit/listings?current=true&q=示范").await;
    assert_eq!(blacklist["items"][0]["id"], id.as_str());
    let (status, csv) = test.send(Method::GET, "/api/v1/credit/listings?format=csv", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csv.lines().nth(1).unwrap().starts_with(&format!("\"{id}\",\"serious_violation\",\"{OWN_USCC}\"")),
        "{csv}"
    );
    let (_, record) = test.get_json(&format!("/api/v1/organizations/{OWN_USCC}/credit")).await;
    assert_eq!(record["on_a_list"], true);
    let listed_entry = record["log_entries"].as_array().unwrap().iter().find(|e| e["kind"] != "credit_class").unwrap();
    assert_eq!(listed_entry["log_index"], listed_at);
    assert_eq!(listed_entry["entry"]["event"], "listed");
    // Publication on the serious-violation list puts the organization in class D at once, in the log.
    assert_eq!(record["class"]["class"], "D", "{record}");
    assert!(record["class"]["reasons"].as_array().unwrap().iter().any(|r| r["type"] == "listing"));
    let class_at = record["class"]["log_index"].as_i64().unwrap();
    assert!(class_at > listed_at);

    // Repair: not before a year, not without the conditions, then granted.
    let conditions = json!(["penalties_fulfilled", "harm_removed", "no_new_heavier_penalty"]);
    let (status, _) =
        step(&test, &test.enterprise, &id, "repair-apply", json!({"on": "2025-06-01", "conditions": conditions})).await;
    assert_eq!(status, StatusCode::CONFLICT, "a year first");
    let (status, _) =
        step(&test, &test.enterprise, &id, "repair-apply", json!({"on": "2025-10-08", "conditions": ["harm_removed"]}))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, applied) =
        step(&test, &test.enterprise, &id, "repair-apply", json!({"on": "2025-10-08", "conditions": conditions})).await;
    assert_eq!((status, applied["status"].as_str()), (StatusCode::OK, Some("repair_pending")), "{applied}");
    let (_, pending) = test.get_json(&format!("/api/v1/organizations/{OWN_USCC}/credit")).await;
    assert_eq!(pending["class"]["class"], "D", "still on the list while the repair is reviewed");
    let (status, repaired) =
        step(&test, &regulator, &id, "repair-decide", json!({"on": "2025-10-20", "granted": true})).await;
    assert_eq!(status, StatusCode::OK, "{repaired}");
    assert_eq!((repaired["removal_reason"].as_str(), repaired["current"].as_bool()), (Some("repaired"), Some(false)));
    let (_, blacklist) = test.get_json("/api/v1/credit/listings?current=true").await;
    assert_eq!(blacklist["count"], 0);
    let (_, history) = test.get_json("/api/v1/credit/listings").await;
    assert_eq!(history["count"], 1, "the history keeps it");
    let (_, log) = test.get_json("/api/v1/log/entries").await;
    let events = log_events(&log);
    assert_eq!(events, ["listed", "class D", "repaired", "class B"], "class changes follow the list");
    let stages: Vec<&str> =
        repaired["steps"].as_array().unwrap().iter().map(|s| s["stage"].as_str().unwrap()).collect();
    assert_eq!(
        stages,
        [
            "proposed",
            "notified",
            "statement",
            "hearing_requested",
            "hearing",
            "decided_to_list",
            "published",
            "repair_applied",
            "repair_granted"
        ]
    );
}

#[tokio::test]
async fn a_listing_past_its_period_is_swept_off_into_the_log() {
    let test = with_enterprise().await;
    let regulator = test.hangzhou_regulator.clone();
    let proposal =
        json!({"list": "abnormal_operations", "uscc": other(), "grounds": "未按期报送年度报告", "on": "2023-07-03"});
    let (_, proposed) = test.write(Method::POST, "/api/v1/credit/listings", Some(&regulator), proposal).await;
    let id = proposed["id"].as_str().unwrap().to_owned();
    step(&test, &regulator, &id, "notify", json!({"on": "2023-07-03"})).await;
    step(&test, &regulator, &id, "decide", json!({"on": "2023-07-20", "listed": true})).await;
    let (_, published) = step(&test, &regulator, &id, "publish", json!({"on": "2023-07-21"})).await;
    assert_eq!(published["expires_on"], "2026-07-21");
    let (status, _) = test.write(Method::POST, "/api/v1/credit/listings/sweep", Some(&regulator), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, swept) = test.write(Method::POST, "/api/v1/credit/listings/sweep", Some(&test.admin), json!({})).await;
    assert_eq!((status, swept["removed"].clone()), (StatusCode::OK, json!([id])));
    let (_, listing) = test.get_json(&format!("/api/v1/credit/listings/{id}")).await;
    assert_eq!(
        (listing["removal_reason"].as_str(), listing["removed_on"].as_str()),
        (Some("period_ended"), Some("2026-07-21"))
    );
    let (_, again) = test.write(Method::POST, "/api/v1/credit/listings/sweep", Some(&test.admin), json!({})).await;
    assert_eq!(again["removed"], json!([]));
    let (_, log) = test.get_json("/api/v1/log/entries").await;
    let events = log_events(&log);
    assert_eq!(
        events,
        ["listed", "class C", "removed", "class B"],
        "the abnormal-operations list holds the class at C or worse"
    );
}

#[tokio::test]
async fn pages_take_a_listing_from_proposal_to_the_public_blacklist_and_the_log() {
    let test = with_enterprise().await;
    let cookie = test.session_cookie("regulator", "c9").await;
    let form = format!(
        "csrf=c9&list=serious_violation&uscc={OWN_USCC}&grounds=%E4%BB%8E%E9%87%8D%E5%A4%84%E7%BD%9A&penalty_ref=P-1&on=2024-09-02"
    );
    let (status, location, page) = test.post_form("/credit/listings/new", &cookie, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let path = location.unwrap();
    let (_, listing) = test.get_with_cookie(&path, &cookie).await;
    assert!(listing.contains("告知企业列入理由"), "{listing}");
    for (action, body) in
        [("notify", "on=2024-09-02"), ("decide", "on=2024-09-10&listed=true"), ("publish", "on=2024-09-11")]
    {
        let (status, _, page) = test.post_form(&format!("{path}/{action}"), &cookie, &format!("csrf=c9&{body}")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{action}: {page}");
    }
    let (status, blacklist) = test.send(Method::GET, "/credit?q=%E7%A4%BA%E8%8C%83", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(blacklist.contains(OWN_USCC) && blacklist.contains("已公示"), "{blacklist}");
    let (_, organization) = test.send(Method::GET, &format!("/organizations/{OWN_USCC}"), None, None).await;
    assert!(
        organization.contains("该企业当前在失信名单中") && organization.contains("credit_listed"),
        "{organization}"
    );
    let (_, log) = test.send(Method::GET, "/log", None, None).await;
    assert!(log.contains("credit_listed") && log.contains("zhiliang verify"), "{log}");

    // The enterprise applies for repair on the form, a year on.
    let enterprise = test.session_cookie("enterprise", "e1").await;
    let (status, _, page) = test
        .post_form(
            &format!("{path}/repair-apply"),
            &enterprise,
            "csrf=e1&on=2025-10-01&penalties_fulfilled=true&harm_removed=true",
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "one condition is missing: {page}");
    let (status, _, _) = test
        .post_form(
            &format!("{path}/repair-apply"),
            &enterprise,
            "csrf=e1&on=2025-10-01&penalties_fulfilled=true&harm_removed=true&no_new_heavier_penalty=true",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}
