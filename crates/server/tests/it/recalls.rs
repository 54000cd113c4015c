//! A recall from defect report to effectiveness evaluation through the API, its scope computed from the trace.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use store::{NewOrganization, NewProduct};

use crate::{TestApp, OWN_USCC};

fn event(kind: &str, day: u32, fields: Value) -> Value {
    let mut event =
        json!({"type": kind, "eventTime": format!("2026-10-{day:02}T09:00:00+08:00"), "eventTimeZoneOffset": "+08:00"});
    for (k, v) in fields.as_object().unwrap() {
        event[k] = v.clone();
    }
    event
}

fn can(n: u32) -> String {
    format!("urn:epc:id:sgtin:6901234.000001.{n}")
}

/// Lot RAW1 makes cans 1–3 and lot RAW2 makes can 4; cans 1 and 2 go to retailer 201, can 4 to retailer 204;
/// can 3 stays in the warehouse.
fn chain() -> Value {
    let ship = |epc: String, to: u32, day: u32| {
        event(
            "ObjectEvent",
            day,
            json!({"action": "OBSERVE", "bizStep": "shipping", "epcList": [epc],
            "destinationList": [{"type": "owning_party", "destination": format!("urn:epc:id:pgln:6901234.{to:05}")}]}),
        )
    };
    json!({"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument",
        "schemaVersion": "2.0", "creationDate": "2026-10-01T00:00:00Z", "epcisBody": {"eventList": [
        event("TransformationEvent", 1, json!({"inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.000002.RAW1", "quantity": 500, "uom": "KGM"}],
            "outputEPCList": [can(1), can(2), can(3)]})),
        event("TransformationEvent", 1, json!({"inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.000002.RAW2", "quantity": 500, "uom": "KGM"}],
            "outputEPCList": [can(4)]})),
        event("AggregationEvent", 2, json!({"action": "ADD", "parentID": "urn:epc:id:sscc:6901234.0000000001", "childEPCs": [can(1), can(2)], "bizStep": "packing"})),
        ship("urn:epc:id:sscc:6901234.0000000001".into(), 201, 3),
        ship(can(4), 204, 3),
    ]}})
}

/// The producer, its two products (the cans and its raw-milk lots) and another producer's product.
async fn producer_with_products(test: &TestApp) {
    let producer = NewOrganization {
        uscc: OWN_USCC.parse().unwrap(),
        name: "杭州示范乳业有限公司".into(),
        region_code: "330106".parse().unwrap(),
        address: None,
        legal_representative: None,
        entity_type: None,
        status: store::RegistrationStatus::Active,
        registered_on: None,
    };
    test.state.store.upsert_organization(&producer, None).await.unwrap();
    let other = NewOrganization {
        uscc: OTHER_USCC.parse().unwrap(),
        name: "福州闽江食品厂".into(),
        region_code: "350100".parse().unwrap(),
        ..producer
    };
    test.state.store.upsert_organization(&other, None).await.unwrap();
    for (gtin, uscc, name) in [
        ("06901234000016", OWN_USCC, "婴幼儿配方乳粉"),
        ("06901234000023", OWN_USCC, "生牛乳"),
        ("06905555000014", OTHER_USCC, "鱼丸"),
    ] {
        let product = NewProduct {
            gtin: gtin.parse().unwrap(),
            name: name.into(),
            uscc: uscc.parse().unwrap(),
            category_code: None,
            brand: None,
            specification: None,
        };
        test.state.store.upsert_product(&product, None).await.unwrap();
    }
}

const OTHER_USCC: &str = "91350100M000100Y43";

async fn stage(test: &TestApp, token: &str, id: &str, step: &str, body: Value) -> Value {
    let (status, answer) = test.write(Method::POST, &format!("/api/v1/recalls/{id}/{step}"), Some(token), body).await;
    assert_eq!(status, StatusCode::OK, "{step}: {answer}");
    answer
}

/// The producer with its products and the captured chain, for a recall to be scoped from.
async fn traced_producer(test: &TestApp) {
    producer_with_products(test).await;
    let (status, _) = test.send(Method::POST, "/epcis/capture", Some(&test.admin), Some(chain())).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

/// The producer's defect report on its milk powder, learned and reported on the given days.
fn milk_powder_report(learned_on: &str, on: &str) -> Value {
    json!({"product_name": "婴幼儿配方乳粉", "defect": "原料乳批次 RAW1 检出阪崎肠杆菌", "severe": true,
        "learned_on": learned_on, "on": on, "trace_start": "urn:epc:class:lgtin:6901234.000002.RAW1", "gtins": ["06901234000016"]})
}

#[tokio::test]
async fn a_recall_runs_from_report_to_evaluation() {
    let test = TestApp::new().await;
    traced_producer(&test).await;
    let report = milk_powder_report("2026-11-02", "2026-11-05");
    let (status, _) = test.write(Method::POST, "/api/v1/recalls", Some(&test.lab), report.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, recall) = test.write(Method::POST, "/api/v1/recalls", Some(&test.enterprise), report).await;
    assert_eq!(status, StatusCode::CREATED, "{recall}");
    let id = recall["id"].as_str().unwrap().to_owned();
    assert_eq!(recall["status"], "reported");
    // Learned on Monday 2 November, reported on Thursday 5 November: two working days were allowed.
    assert_eq!(recall["events"][0]["due_on"], "2026-11-04");
    assert_eq!(recall["events"][0]["late"], true);
    let (status, hidden) = test.get_json(&format!("/api/v1/recalls/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{hidden}");

    stage(&test, &test.hangzhou_regulator, &id, "investigation", json!({"on": "2026-11-06"})).await;
    let decided =
        stage(&test, &test.hangzhou_regulator, &id, "decision", json!({"decision": "ordered", "on": "2026-11-09"}))
            .await;
    assert_eq!((decided["next_stage"].clone(), decided["next_due_on"].clone()), (json!("plan"), json!("2026-11-23")));
    let (status, wrong) = test
        .write(
            Method::POST,
            &format!("/api/v1/recalls/{id}/notice"),
            Some(&test.enterprise),
            json!({"title": "x", "body": "y"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{wrong}");

    let planned = stage(&test, &test.enterprise, &id, "plan", json!({"remedy": "退货退款", "on": "2026-11-12"})).await;
    assert_eq!(planned["units_produced"], 3.0, "{planned}");
    assert_eq!(planned["units_distributed"], 2.0);
    let receivers: Vec<&str> =
        planned["scope"]["receivers"].as_array().unwrap().iter().map(|r| r["glns"][0].as_str().unwrap()).collect();
    assert_eq!(receivers, ["6901234002010"]);
    assert_eq!(planned["plan"]["remedy"], "退货退款");

    // The notice waits for the regulator of the producer's region to accept the plan; the producer cannot.
    let notice = json!({"title": "关于召回婴幼儿配方乳粉的公告", "body": "自即日起召回批次 RAW1 生产的产品。", "on": "2026-11-13"});
    let (status, _) =
        test.write(Method::POST, &format!("/api/v1/recalls/{id}/notice"), Some(&test.enterprise), notice.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let accept = json!({"accepted": true, "on": "2026-11-13"});
    let (status, _) = test
        .write(Method::POST, &format!("/api/v1/recalls/{id}/plan-review"), Some(&test.enterprise), accept.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(test.get_json(&format!("/api/v1/recalls/{id}")).await.0, StatusCode::NOT_FOUND, "still not public");
    let returned = stage(
        &test,
        &test.hangzhou_regulator,
        &id,
        "plan-review",
        json!({"accepted": false, "note": "补充销售渠道", "on": "2026-11-13"}),
    )
    .await;
    assert_eq!((returned["status"].as_str(), returned["next_stage"].as_str()), (Some("decided"), Some("plan")));
    stage(
        &test,
        &test.enterprise,
        &id,
        "plan",
        json!({"remedy": "退货退款", "sales_channels": "母婴店", "on": "2026-11-13"}),
    )
    .await;
    let accepted = stage(&test, &test.hangzhou_regulator, &id, "plan-review", accept).await;
    assert_eq!(accepted["status"], "plan_accepted");

    stage(&test, &test.enterprise, &id, "notice", json!({"title": "关于召回婴幼儿配方乳粉的公告", "body": "自即日起召回批次 RAW1 生产的产品。", "on": "2026-11-13"})).await;
    let (status, public) = test.get_json("/api/v1/recalls?q=配方乳粉").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(public["items"][0]["id"], id.as_str());
    let logged = test.state.store.log_entries_about(OWN_USCC, 10).await.unwrap();
    assert_eq!(logged.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(), ["recall_notice"]);
    assert!(logged[0].data.contains("关于召回婴幼儿配方乳粉的公告"));
    let (_, nothing) = test.get_json("/api/v1/recalls?q=电动自行车").await;
    assert_eq!(nothing["count"], 0);

    let progress =
        stage(&test, &test.enterprise, &id, "progress", json!({"units_recovered": 1, "on": "2026-11-20"})).await;
    assert_eq!(progress["recovery_rate"], 0.5);
    let (status, _) = test
        .write(
            Method::POST,
            &format!("/api/v1/recalls/{id}/progress"),
            Some(&test.enterprise),
            json!({"units_recovered": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    stage(&test, &test.enterprise, &id, "completion", json!({"units_recovered": 2, "on": "2026-11-25"})).await;
    stage(&test, &test.enterprise, &id, "summary", json!({"body": "两个单位全部收回并销毁。", "on": "2026-11-26"}))
        .await;
    let (status, _) = test
        .write(
            Method::POST,
            &format!("/api/v1/recalls/{id}/evaluation"),
            Some(&test.enterprise),
            json!({"effective": true}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let evaluated =
        stage(&test, &test.hangzhou_regulator, &id, "evaluation", json!({"effective": true, "on": "2026-11-27"})).await;
    assert_eq!(evaluated["status"], "evaluated");
    assert_eq!(evaluated["evaluation"]["recovery_rate"], 1.0);
    let stages: Vec<&str> =
        evaluated["events"].as_array().unwrap().iter().map(|e| e["stage"].as_str().unwrap()).collect();
    assert_eq!(
        stages,
        [
            "report",
            "investigation",
            "decision",
            "plan",
            "plan_review",
            "plan",
            "plan_review",
            "notice",
            "progress",
            "completion",
            "summary",
            "evaluation"
        ]
    );
}

#[tokio::test]
async fn recall_and_trace_pages_serve_the_public_and_the_clerks() {
    let test = TestApp::new().await;
    traced_producer(&test).await;

    // The enterprise reports through the page form; the regulator opens the investigation the same way.
    let enterprise = test.session_cookie("enterprise", "c1").await;
    let form = "csrf=c1&regime=consumer&product_name=%E5%A9%B4%E5%B9%BC%E5%84%BF%E9%85%8D%E6%96%B9%E4%B9%B3%E7%B2%89\
                &defect=%E6%A3%80%E5%87%BA%E8%8F%8C&trace_start=urn%3Aepc%3Aclass%3Algtin%3A6901234.000002.RAW1&learned_on=2026-11-02";
    let (status, location, body) = test.post_form("/recalls", &enterprise, form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let location = location.unwrap();
    assert!(location.starts_with("/recalls/ZL-RC-"), "{location}");
    let id = location.trim_start_matches("/recalls/").to_owned();
    let (status, _, _) = test.post_form(&format!("/recalls/{id}/investigation"), &enterprise, "csrf=c1").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let regulator = test.session_cookie("regulator", "c2").await;
    let (status, _, _) = test.post_form(&format!("/recalls/{id}/investigation"), &regulator, "csrf=c2").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = test.get_with_cookie(&format!("/recalls/{id}"), &regulator).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("调查中") && page.contains("提交决定"), "{page}");

    // Before its notice the recall is not public; the trace page asks the public to sign in.
    let (status, _) = test.send(Method::GET, &format!("/recalls/{id}"), None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, anonymous) = test.send(Method::GET, "/trace?id=urn:epc:class:lgtin:6901234.000002.RAW1", None, None).await;
    assert!(anonymous.contains("/login"));
    let (status, trace) = test.get_with_cookie("/trace?id=urn:epc:class:lgtin:6901234.000002.RAW1", &regulator).await;
    assert_eq!(status, StatusCode::OK);
    assert!(trace.contains("trace-data") && trace.contains("(417)6901234002010"), "{trace}");

    stage(&test, &test.hangzhou_regulator, &id, "decision", json!({"decision": "ordered"})).await;
    stage(&test, &test.enterprise, &id, "plan", json!({"remedy": "退货退款"})).await;
    let (_, page) = test.get_with_cookie(&format!("/recalls/{id}"), &regulator).await;
    assert!(page.contains("计划已备案，待审核") && page.contains("提交审核意见"), "{page}");
    let (status, _, _) =
        test.post_form(&format!("/recalls/{id}/plan-review"), &regulator, "csrf=c2&accepted=true&note=ok").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    stage(
        &test,
        &test.enterprise,
        &id,
        "notice",
        json!({"title": "关于召回婴幼儿配方乳粉的公告", "body": "召回批次 RAW1 的产品。"}),
    )
    .await;
    let (status, public) = test.send(Method::GET, "/recalls?q=%E9%85%8D%E6%96%B9%E4%B9%B3%E7%B2%89", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(public.contains(&id), "{public}");
    let (status, notice) = test.send(Method::GET, &format!("/recalls/{id}?lang=en"), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(notice.contains("Scope (computed from the trace)") && notice.contains("6901234002010"), "{notice}");
    assert!(!notice.contains("File a progress report"), "the public gets no forms");
    let (_, organization) = test.send(Method::GET, &format!("/organizations/{OWN_USCC}"), None, None).await;
    assert!(organization.contains(&id), "the producer's page lists its published recall");
}

#[tokio::test]
async fn an_enterprise_reports_defects_of_its_own_products_only() {
    let test = TestApp::new().await;
    traced_producer(&test).await;
    let report = |fields: Value| {
        let mut body = json!({"product_name": "鱼丸", "defect": "异物", "on": "2026-11-05"});
        for (k, v) in fields.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (fields, status) in [
        (json!({"gtins": ["06905555000014"]}), StatusCode::FORBIDDEN),
        (json!({"producer_uscc": OTHER_USCC, "gtins": ["06905555000014"]}), StatusCode::FORBIDDEN),
        (json!({"trace_start": "urn:epc:class:lgtin:6905555.000001.L1"}), StatusCode::FORBIDDEN),
        (json!({"gtins": ["06909999000012"]}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({"trace_start": "urn:epc:id:sscc:6901234.0000000001"}), StatusCode::BAD_REQUEST),
    ] {
        let (got, answer) =
            test.write(Method::POST, "/api/v1/recalls", Some(&test.enterprise), report(fields.clone())).await;
        assert_eq!(got, status, "{fields}: {answer}");
    }
    let (_, listed) = test.write(Method::GET, "/api/v1/recalls", Some(&test.admin), json!({})).await;
    assert_eq!(listed["count"], 0, "nothing was opened: {listed}");
    // Its own lot: reported, and its scope may not be recomputed from another producer's lot.
    let (status, recall) = test
        .write(
            Method::POST,
            "/api/v1/recalls",
            Some(&test.enterprise),
            report(json!({"trace_start": "urn:epc:class:lgtin:6901234.000002.RAW1"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{recall}");
    let id = recall["id"].as_str().unwrap();
    let (status, _) = test
        .write(
            Method::POST,
            &format!("/api/v1/recalls/{id}/scope"),
            Some(&test.enterprise),
            json!({"trace_start": "urn:epc:class:lgtin:6905555.000001.L1"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, stored) = test.write(Method::GET, &format!("/api/v1/recalls/{id}"), Some(&test.admin), json!({})).await;
    assert!(stored["scope"].is_null(), "{stored}");
}

fn lot(name: &str) -> String {
    format!("urn:epc:class:lgtin:6901234.000001.{name}")
}

fn pgln(party: u32) -> String {
    format!("urn:epc:id:pgln:6901234.{party:05}")
}

/// Lot LOT9 of 1,000 cans is commissioned and shipped by lot (`quantityList`): 600 to the distributor (another
/// organization), 400 to a retailer, and the distributor sends 200 of its 600 on to a second retailer.
fn lot_chain() -> Value {
    let ship = |quantity: u32, from: u32, to: u32, day: u32| {
        event(
            "ObjectEvent",
            day,
            json!({"action": "OBSERVE", "bizStep": "shipping",
            "quantityList": [{"epcClass": lot("LOT9"), "quantity": quantity, "uom": "EA"}],
            "sourceList": [{"type": "owning_party", "source": pgln(from)}],
            "destinationList": [{"type": "owning_party", "destination": pgln(to)}]}),
        )
    };
    json!({"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument",
        "schemaVersion": "2.0", "creationDate": "2026-10-01T00:00:00Z", "epcisBody": {"eventList": [
        event("ObjectEvent", 1, json!({"action": "ADD", "bizStep": "commissioning",
            "quantityList": [{"epcClass": lot("LOT9"), "quantity": 1000, "uom": "EA"}]})),
        ship(600, 0, 201, 2),
        ship(400, 0, 204, 2),
        ship(200, 201, 205, 4),
    ]}})
}

/// Units come from EPCIS quantities as well as from serials: a lot-level recall counts the 1,000 produced and the
/// 1,000 that left the producer (the distributor's onward 200 are not counted twice), so recovered units are taken.
#[tokio::test]
async fn a_recall_scoped_from_lot_quantities_counts_its_units() {
    let test = TestApp::new().await;
    producer_with_products(&test).await;
    let registration = |gln: &str, uscc: Option<&str>, name: &str| store::traceability::GlnRegistration {
        gln: gln.into(),
        kind: "party".into(),
        uscc: uscc.map(Into::into),
        name: name.into(),
        region_code: "330106".into(),
        address: None,
    };
    let glns = [
        registration("6901234000009", Some(OWN_USCC), "杭州示范乳业有限公司"),
        registration("6901234002010", Some(OTHER_USCC), "福州闽江食品厂"),
        registration("6901234002041", None, "西湖区母婴店"),
        registration("6901234002058", None, "拱墅区母婴店"),
    ];
    test.state.store.register_glns(&glns, None).await.unwrap();
    let (status, _) = test.send(Method::POST, "/epcis/capture", Some(&test.admin), Some(lot_chain())).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let report = json!({"product_name": "婴幼儿配方乳粉", "defect": "批次 LOT9 检出阪崎肠杆菌", "severe": false,
        "learned_on": "2026-11-02", "on": "2026-11-02", "trace_start": lot("LOT9"), "gtins": ["06901234000016"]});
    let (status, recall) = test.write(Method::POST, "/api/v1/recalls", Some(&test.enterprise), report).await;
    assert_eq!(status, StatusCode::CREATED, "{recall}");
    let id = recall["id"].as_str().unwrap().to_owned();
    stage(&test, &test.hangzhou_regulator, &id, "investigation", json!({"on": "2026-11-03"})).await;
    stage(&test, &test.hangzhou_regulator, &id, "decision", json!({"decision": "ordered", "on": "2026-11-04"})).await;
    let planned = stage(&test, &test.enterprise, &id, "plan", json!({"remedy": "退货退款", "on": "2026-11-05"})).await;
    assert_eq!(
        (planned["units_produced"].as_f64(), planned["units_distributed"].as_f64()),
        (Some(1000.0), Some(1000.0)),
        "{planned}"
    );
    assert_eq!(planned["scope"]["units"], json!({"EA": {"produced": 1000.0, "distributed": 1000.0}}));
    stage(&test, &test.hangzhou_regulator, &id, "plan-review", json!({"accepted": true, "on": "2026-11-06"})).await;
    stage(
        &test,
        &test.enterprise,
        &id,
        "notice",
        json!({"title": "关于召回批次 LOT9 的公告", "body": "召回批次 LOT9。", "on": "2026-11-06"}),
    )
    .await;
    let progress =
        stage(&test, &test.enterprise, &id, "progress", json!({"units_recovered": 250, "on": "2026-11-20"})).await;
    assert_eq!(progress["recovery_rate"], 0.25, "{progress}");
}

#[tokio::test]
async fn a_corrected_holiday_notice_moves_a_running_recall_deadline() {
    let test = TestApp::new().await;
    traced_producer(&test).await;
    let report = milk_powder_report("2026-11-30", "2026-12-01");
    let (status, recall) = test.write(Method::POST, "/api/v1/recalls", Some(&test.enterprise), report).await;
    assert_eq!(status, StatusCode::CREATED, "{recall}");
    let id = recall["id"].as_str().unwrap().to_owned();
    let regulator = test.hangzhou_regulator.clone();
    stage(&test, &regulator, &id, "investigation", json!({"on": "2026-12-01"})).await;
    let decided = stage(&test, &regulator, &id, "decision", json!({"decision": "ordered", "on": "2026-12-02"})).await;
    // Ten working days from Wednesday 2 December 2026: 3, 4, 7–11, 14–16 December.
    assert_eq!(decided["next_due_on"], "2026-12-16", "{decided}");

    // An administrator corrects the 2026 notice (stored at the first start) with one more day off, 10 December.
    test.state.reload_calendar().await.unwrap();
    let (_, year) = test.get_json("/api/v1/calendar/years/2026").await;
    let mut days = year["days"].as_array().cloned().unwrap_or_else(|| panic!("{year}"));
    days.push(json!({"name": "更正", "date": "2026-12-10", "isOffDay": true}));
    let notice = json!({"year": 2026, "papers": year["papers"], "days": days});
    let (status, loaded) = test.write(Method::PUT, "/api/v1/calendar/years/2026", Some(&test.admin), notice).await;
    assert_eq!(status, StatusCode::OK, "{loaded}");
    let moved: Vec<&Value> =
        loaded["moved"].as_array().unwrap().iter().filter(|m| m["subject_kind"] == "recall").collect();
    assert_eq!(
        moved,
        [
            &json!({"subject_kind": "recall", "subject_id": id, "deadline": "plan", "from": "2026-12-16", "to": "2026-12-17"})
        ]
    );
    let (status, after) = test.write(Method::GET, &format!("/api/v1/recalls/{id}"), Some(&regulator), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["next_due_on"], "2026-12-17", "{after}");
    let step = after["events"].as_array().unwrap().iter().find(|e| e["stage"] == "deadline_moved").cloned();
    let step = step.unwrap_or_else(|| panic!("the recall's history records the move: {after}"));
    assert_eq!((step["data"]["from"].as_str(), step["data"]["to"].as_str()), (Some("2026-12-16"), Some("2026-12-17")));
    let (_, changes) =
        test.write(Method::GET, "/api/v1/deadline-changes?unseen=true", Some(&regulator), json!({})).await;
    assert!(changes["items"].as_array().unwrap().iter().any(|c| c["subject_id"] == id.as_str()), "{changes}");
}
