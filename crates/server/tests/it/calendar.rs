//! The working-day calendar as data: a count past the loaded notices is provisional (weekends and statutory
//! holidays off), an administrator loads the next year's notice, and every running deadline it changes moves, with
//! a step in the case's history and a notice to the handling regulators. Dates are counted by hand below.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{TestApp, OWN_USCC};

/// A notice for 2027 written for the test (the real one is not published yet): 元旦 1–3 January, 春节 4–11
/// February off, Sunday 14 February worked.
fn notice_2027() -> Value {
    let mut days = vec![];
    for date in ["2027-01-01", "2027-01-02", "2027-01-03"] {
        days.push(json!({"name": "元旦", "date": date, "isOffDay": true}));
    }
    for day in 4..=11 {
        days.push(json!({"name": "春节", "date": format!("2027-02-{day:02}"), "isOffDay": true}));
    }
    days.push(json!({"name": "春节", "date": "2027-02-14", "isOffDay": false}));
    json!({"year": 2027, "papers": ["https://www.gov.cn/zhengce/example-2027"], "days": days})
}

async fn accepted_complaint(test: &TestApp) -> (i64, String) {
    test.organization(OWN_USCC, "杭州示范电动车有限公司", "330106").await;
    let regulator = Some(test.hangzhou_regulator.as_str());
    let filing = json!({"kind": "complaint", "submitter_name": "张三丰", "submitter_phone": "13812345678",
        "respondent_name": "杭州示范电动车有限公司", "respondent_uscc": OWN_USCC, "received_on": "2026-12-01",
        "facts": "购买的电动自行车充电器外壳开裂", "request": "更换"});
    let (status, filed) = test.write(Method::POST, "/api/v1/complaints", regulator, filing).await;
    assert_eq!(status, StatusCode::CREATED, "{filed}");
    let id = filed["id"].as_i64().unwrap();
    let (status, accepted) = test
        .write(Method::POST, &format!("/api/v1/complaints/{id}/accept"), regulator, json!({"on": "2026-12-02"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{accepted}");
    (id, filed["tracking_number"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn loading_a_year_moves_the_provisional_deadlines_and_tells_the_handler() {
    let test = TestApp::new().await;
    let (id, number) = accepted_complaint(&test).await;
    let regulator = Some(test.hangzhou_regulator.as_str());
    let path = format!("/api/v1/complaints/{id}");
    let (_, before) = test.write(Method::GET, &path, regulator, json!({})).await;
    // 45 working days from Wed 2 Dec 2026: 21 left in December, then provisionally 1 January (元旦) off and
    // 20 in January, and 1–4 February: Thu 4 February 2027.
    assert_eq!(before["deadlines"]["mediation_by"], "2027-02-04", "{before}");
    assert_eq!(before["deadlines"]["provisional"], json!(["mediation_by"]));
    let (status, counted) = test.get_json("/api/v1/calendar/working-days?from=2026-12-02&add=45").await;
    assert_eq!(status, StatusCode::OK, "past the data a date is given, marked provisional: {counted}");
    assert_eq!(
        counted,
        json!({"from": "2026-12-02", "add": 45, "date": "2027-02-04", "provisional": true, "years_not_loaded": [2027]})
    );

    // Only an administrator loads a notice; a refused load changes nothing.
    for token in [&test.hangzhou_regulator, &test.enterprise] {
        let (status, refused) =
            test.write(Method::PUT, "/api/v1/calendar/years/2027", Some(token), notice_2027()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    }
    let (_, still) = test.get_json("/api/v1/calendar/years/2027").await;
    assert_eq!(still["loaded"], false);
    assert_eq!(still["statutory_holidays"].as_array().unwrap().len(), 13, "{still}");
    // A notice with a fault says where, and loads nothing.
    let mut worked_national_day = notice_2027();
    worked_national_day["days"].as_array_mut().unwrap().push(json!({"date": "2027-10-01", "isOffDay": false}));
    let admin = Some(test.admin.as_str());
    let (status, bad) = test.write(Method::PUT, "/api/v1/calendar/years/2027", admin, worked_national_day).await;
    assert_eq!((status, bad["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_calendar")), "{bad}");
    assert!(bad["message"].as_str().unwrap().contains("国庆节"), "{bad}");
    let (status, bad) = test.write(Method::PUT, "/api/v1/calendar/years/2028", admin, notice_2027()).await;
    assert_eq!((status, bad["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_calendar")), "{bad}");
    let (_, unchanged) = test.write(Method::GET, &path, regulator, json!({})).await;
    assert_eq!(unchanged["due"]["on"], "2027-02-04");

    let (status, report) = test.write(Method::PUT, "/api/v1/calendar/years/2027", admin, notice_2027()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    // With 4–11 February off, the 45th day is Fri 12 February.
    assert_eq!(
        report["moved"],
        json!([{"subject_kind": "complaint", "subject_id": number, "deadline": "mediation_by", "from": "2027-02-04", "to": "2027-02-12"}])
    );
    let (_, after) = test.write(Method::GET, &path, regulator, json!({})).await;
    assert_eq!(after["due"], json!({"kind": "mediation_by", "on": "2027-02-12", "overdue": false}));
    assert!(after["deadlines"]["provisional"].is_null(), "{after}");
    let moved = after["history"].as_array().unwrap().iter().find(|e| e["stage"] == "deadline_moved").cloned();
    let moved = moved.unwrap_or_else(|| panic!("the history records the move: {after}"));
    assert_eq!(moved["data"]["from"], "2027-02-04");
    assert_eq!(moved["data"]["to"], "2027-02-12");

    // The handling regulator is told, and marks it seen; an enterprise has no such list.
    let (status, changes) = test.write(Method::GET, "/api/v1/deadline-changes?unseen=true", regulator, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{changes}");
    let items = changes["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{changes}");
    assert_eq!(
        (items[0]["subject_id"].as_str(), items[0]["region_code"].as_str()),
        (Some(number.as_str()), Some("330106"))
    );
    let change_id = items[0]["id"].as_i64().unwrap();
    let cookie = test.session_cookie("regulator", "k9").await;
    let (status, queue) = test.get_with_cookie("/complaints", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains("期限已按新载入的放假安排调整") && queue.contains("2027-02-12"), "the queue page says so");
    let (status, _) = test.write(Method::GET, "/api/v1/deadline-changes", Some(&test.enterprise), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, seen) =
        test.write(Method::POST, &format!("/api/v1/deadline-changes/{change_id}/seen"), regulator, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{seen}");
    assert!(seen["seen_at"].is_string());
    let (_, unseen) = test.write(Method::GET, "/api/v1/deadline-changes?unseen=true", regulator, json!({})).await;
    assert_eq!(unseen["items"], json!([]));

    let (_, counted) = test.get_json("/api/v1/calendar/working-days?from=2026-12-02&add=45").await;
    assert_eq!((counted["date"].as_str(), counted["provisional"].as_bool()), (Some("2027-02-12"), Some(false)));
    let (_, year) = test.get_json("/api/v1/calendar/years/2027").await;
    assert_eq!((year["loaded"].as_bool(), year["source"].as_str()), (Some(true), Some("loaded")), "{year}");
    assert_eq!(year["days"].as_array().unwrap().len(), 12);
    // Loading the same notice again moves nothing.
    let (status, again) = test.write(Method::PUT, "/api/v1/calendar/years/2027", admin, notice_2027()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((again["replaced"].as_bool(), again["moved"].as_array().map(Vec::len)), (Some(true), Some(0)));
}

#[tokio::test]
async fn the_shipped_notices_are_the_initial_data() {
    let test = TestApp::new().await;
    test.state.reload_calendar().await.unwrap();
    let (status, years) = test.get_json("/api/v1/calendar/years").await;
    assert_eq!(status, StatusCode::OK);
    let years = years["years"].as_array().unwrap();
    assert_eq!(years.len(), 20, "2007–2026 are stored at the first start");
    assert!(years.iter().all(|y| y["source"] == "shipped"));
    assert_eq!(years.last().unwrap()["year"], 2026);
}

/// A credit listing notified on 30 December 2026 has its five working days for a statement counted
/// provisionally (31 December, then 4–7 January, 1 January being 元旦); a notice that also gives 4 January off
/// moves the last day to 8 January, in the listing's history and for its regulators.
#[tokio::test]
async fn loading_a_year_moves_a_credit_listings_statement_period() {
    let test = TestApp::new().await;
    test.organization(OWN_USCC, "杭州示范电动车有限公司", "330106").await;
    let notified = store::credit::Listing {
        status: "notified".into(),
        notified_on: Some("2026-12-30".into()),
        ..store::credit::Listing::proposed(store::credit::Proposal {
            id: "SV-2026-T".into(),
            list: "serious_violation".into(),
            uscc: OWN_USCC.into(),
            organization_name: "杭州示范电动车有限公司".into(),
            region_code: "330106".into(),
            grounds: "生产销售不合格产品".into(),
            legal_basis: "《市场监督管理严重违法失信名单管理办法》".into(),
            penalty_ref: Some("杭市监罚〔2026〕1号".into()),
            proposed_on: "2026-12-28".into(),
        })
    };
    let provisional = test.state.calendar().deadline("2026-12-30".parse().unwrap(), 5);
    assert_eq!((provisional.date.to_string().as_str(), provisional.provisional), ("2027-01-07", true));
    let listing = store::credit::Listing { statement_by: Some(provisional.date.to_string()), ..notified };
    let step =
        store::credit::ListingStep { stage: "notified".into(), on_date: "2026-12-30".into(), note: None, public: None };
    test.state.store.propose_listing(&listing, &step, None).await.unwrap();

    let days: Vec<serde_json::Value> =
        (1..=4).map(|day| json!({"name": "元旦", "date": format!("2027-01-{day:02}"), "isOffDay": true})).collect();
    let notice = json!({"year": 2027, "days": days});
    let (status, report) = test.write(Method::PUT, "/api/v1/calendar/years/2027", Some(&test.admin), notice).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        report["moved"],
        json!([{"subject_kind": "credit_listing", "subject_id": "SV-2026-T", "deadline": "statement_by", "from": "2027-01-07", "to": "2027-01-08"}])
    );
    let stored = test.state.store.listing("SV-2026-T").await.unwrap().unwrap();
    assert_eq!(stored.statement_by.as_deref(), Some("2027-01-08"));
    let history = test.state.store.listing_events("SV-2026-T").await.unwrap();
    assert!(history.iter().any(|e| e.stage == "deadline_moved"), "{history:?}");
    let (_, changes) =
        test.write(Method::GET, "/api/v1/deadline-changes", Some(&test.hangzhou_regulator), json!({})).await;
    assert_eq!(changes["items"][0]["subject_kind"], "credit_listing");
}
