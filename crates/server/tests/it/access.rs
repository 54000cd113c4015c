//! Generated access control: every write route the API declares (read from the router's own source) × every
//! account that has no business writing there (the public, an enterprise of another region, a regulator of
//! another region, a laboratory of another USCC) against resources in Hangzhou. Each request is refused, never
//! answered 2xx or 5xx, and leaves every table of the database exactly as it was. On SQLite, and on PostgreSQL
//! when `ZHILIANG_TEST_POSTGRES_URL` is set.

use axum::http::{Method, StatusCode};
use serde_json::json;
use store::{NewProduct, NewUser, Role};

use crate::{TestApp, OWN_USCC};

/// The API's route declarations (and the health check's), as the router is built from them.
const SOURCES: &[&str] = &[
    include_str!("../../src/lib.rs"),
    include_str!("../../src/api/mod.rs"),
    include_str!("../../src/api/campaigns.rs"),
    include_str!("../../src/api/catalogue.rs"),
    include_str!("../../src/api/certification.rs"),
    include_str!("../../src/api/labs.rs"),
    include_str!("../../src/api/licensing.rs"),
    include_str!("../../src/api/codes.rs"),
    include_str!("../../src/api/complaints.rs"),
    include_str!("../../src/api/credit.rs"),
    include_str!("../../src/api/credit_file.rs"),
    include_str!("../../src/api/epcis.rs"),
    include_str!("../../src/api/equipment.rs"),
    include_str!("../../src/api/indicators.rs"),
    include_str!("../../src/api/injuries.rs"),
    include_str!("../../src/api/inspections.rs"),
    include_str!("../../src/api/log.rs"),
    include_str!("../../src/api/organizations.rs"),
    include_str!("../../src/api/products.rs"),
    include_str!("../../src/api/recalls.rs"),
    include_str!("../../src/api/reference.rs"),
    include_str!("../../src/api/signals.rs"),
    include_str!("../../src/api/standards.rs"),
    include_str!("../../src/api/trace.rs"),
    include_str!("../../src/api/warnings.rs"),
];

/// Every `(method, path)` the API's sources declare with `.route(path, …get(…).post(…)…)`.
pub(crate) fn declared_routes() -> Vec<(Method, String)> {
    let mut routes = Vec::new();
    for source in SOURCES {
        let mut rest = *source;
        while let Some(at) = rest.find(".route(\"") {
            rest = &rest[at + ".route(\"".len()..];
            let Some(end) = rest.find('"') else { break };
            let path = rest[..end].to_owned();
            // The handler expression runs to the parenthesis that closes `.route(`.
            let mut depth = 1;
            let mut stop = rest.len();
            for (i, c) in rest.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            stop = i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let expression = &rest[end..stop];
            for (name, method) in [
                ("get(", Method::GET),
                ("post(", Method::POST),
                ("put(", Method::PUT),
                ("delete(", Method::DELETE),
                ("patch(", Method::PATCH),
            ] {
                let called = expression
                    .match_indices(name)
                    .any(|(i, _)| !expression[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
                if called {
                    routes.push((method, path.clone()));
                }
            }
        }
    }
    routes.sort_by(|a, b| (a.1.as_str(), a.0.as_str()).cmp(&(b.1.as_str(), b.0.as_str())));
    routes.dedup();
    routes
}

/// Every write route the API declares.
fn write_routes() -> Vec<(Method, String)> {
    declared_routes().into_iter().filter(|(method, _)| *method != Method::GET).collect()
}

/// Writes some of these callers make in their own name by design, with why: the test does not send them.
const OWN_WRITES: &[(&str, &str, &str)] = &[
    ("/api/v1/complaints", "*", "anyone may file a complaint (12315)"),
    ("/api/v1/signals/runs", "a regulator of Fuzhou", "any regulator runs the detectors; the run is its own record"),
];

/// In-region resources to aim the writes at, created by the rightful accounts.
struct Targets {
    campaign: String,
    complaint: String,
    recall: String,
}

async fn hangzhou_resources(test: &TestApp) -> Targets {
    test.organization(OWN_USCC, "杭州示范乳业有限公司", "330106").await;
    test.organization(OUTSIDER_USCC, "福州闽江食品厂", "350100").await;
    let product = NewProduct {
        gtin: "06901234000016".parse().unwrap(),
        name: "婴幼儿配方乳粉".into(),
        uscc: OWN_USCC.parse().unwrap(),
        category_code: None,
        brand: None,
        specification: None,
    };
    test.state.store.upsert_product(&product, None).await.unwrap();
    let regulator = Some(test.hangzhou_regulator.as_str());
    let plan =
        json!({"id": "2026-HZ-AC", "name": "访问控制测试", "level": "city", "product_category": "0401", "year": 2026});
    let (status, campaign) = test.write(Method::POST, "/api/v1/campaigns", regulator, plan).await;
    assert_eq!(status, StatusCode::CREATED, "{campaign}");
    let filing = json!({"kind": "complaint", "submitter_name": "张三", "submitter_phone": "13812345678",
        "respondent_name": "杭州示范乳业有限公司", "respondent_uscc": OWN_USCC, "facts": "奶粉开罐后严重结块", "request": "退货"});
    let (status, complaint) = test.write(Method::POST, "/api/v1/complaints", None, filing).await;
    assert_eq!(status, StatusCode::CREATED, "{complaint}");
    let report = json!({"product_name": "婴幼儿配方乳粉", "defect": "结块", "severe": false, "learned_on": "2026-11-02",
        "on": "2026-11-02", "gtins": ["06901234000016"]});
    let (status, recall) = test.write(Method::POST, "/api/v1/recalls", Some(&test.enterprise), report).await;
    assert_eq!(status, StatusCode::CREATED, "{recall}");
    Targets {
        campaign: "2026-HZ-AC".into(),
        complaint: complaint["id"].to_string(),
        recall: recall["id"].as_str().unwrap().to_owned(),
    }
}

const OUTSIDER_USCC: &str = "91350100M000100Y43";

/// The path with its parameters filled with the Hangzhou resources.
fn concrete(path: &str, targets: &Targets) -> String {
    let id = if path.starts_with("/api/v1/campaigns") {
        targets.campaign.as_str()
    } else if path.starts_with("/api/v1/complaints") {
        targets.complaint.as_str()
    } else if path.starts_with("/api/v1/recalls") {
        targets.recall.as_str()
    } else {
        "1"
    };
    path.replace("{id}", id)
        .replace("{uscc}", OWN_USCC)
        .replace("{gtin}", "06901234000016")
        .replace("{prefix}", "6901234")
        .replace("{gln}", "6901234000009")
        .replace("{year}", "2027")
        .replace("{name}", "witness.example")
        .replace("{code}", "customs")
        .replace("{action}", "accept")
        .replace("{step}", "notify")
}

async fn walk(test: TestApp) {
    let targets = hangzhou_resources(&test).await;
    let account = |name: &str, role, region: Option<&str>, uscc: Option<&str>| NewUser {
        name: name.into(),
        role,
        region_code: region.map(Into::into),
        uscc: uscc.map(Into::into),
        login: None,
        password: None,
    };
    let store = &test.state.store;
    let fuzhou_regulator = store.add_user(&account("福州", Role::Regulator, Some("350100"), None)).await.unwrap().1;
    let outsider = store.add_user(&account("闽江", Role::Enterprise, None, Some(OUTSIDER_USCC))).await.unwrap().1;
    let other_lab = store.add_user(&account("Lab", Role::Lab, None, Some("123300004700000119"))).await.unwrap().1;
    let callers: [(&str, Option<&str>); 4] = [
        ("the public", None),
        ("an enterprise of Fuzhou", Some(&outsider)),
        ("a regulator of Fuzhou", Some(&fuzhou_regulator)),
        ("a laboratory of another USCC", Some(&other_lab)),
    ];
    let routes = write_routes();
    // The reader finds routes declared on one line and over several, by every method helper.
    for known in [
        (Method::PUT, "/api/v1/hospitals/{id}"),
        (Method::POST, "/epcis/capture"),
        (Method::PUT, "/api/v1/calendar/years/{year}"),
    ] {
        assert!(routes.iter().any(|(m, p)| *m == known.0 && p == known.1), "{known:?} in {routes:?}");
    }
    assert!(routes.len() >= 50, "the router's write routes were found: {routes:?}");
    // A body with the fields most writes take, aimed at Hangzhou, beside the empty one.
    let aimed = json!({"uscc": OWN_USCC, "name": "改名", "region_code": "330106", "status": "吊销", "on": "2026-11-20",
        "note": "越权", "decision": "ordered", "accepted": true, "campaign_id": targets.campaign});
    let mut refused = 0;
    for (method, path) in &routes {
        let uri = concrete(path, &targets);
        for (who, token) in callers {
            if *method == Method::POST
                && OWN_WRITES.iter().any(|(own, by, _)| own == path && (*by == "*" || *by == who))
            {
                continue;
            }
            for body in [json!({}), aimed.clone()] {
                let before = store.row_counts().await.unwrap();
                let (status, answer) = test.send(method.clone(), &uri, token, Some(body)).await;
                assert!(status.is_client_error(), "{who}: {method} {uri} answered {status}, not a refusal: {answer}");
                let after = store.row_counts().await.unwrap();
                assert_eq!(before, after, "{who}: {method} {uri} was refused ({status}) but changed the database");
                if matches!(status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) {
                    refused += 1;
                }
            }
        }
    }
    // Most refusals are for who is asking, not for a malformed body.
    assert!(refused * 2 > routes.len() * callers.len() * 2, "{refused} refusals by role or jurisdiction");
}

#[tokio::test]
async fn no_write_route_takes_a_write_from_an_account_that_does_not_own_it_on_sqlite() {
    walk(TestApp::new().await).await;
}

#[tokio::test]
async fn no_write_route_takes_a_write_from_an_account_that_does_not_own_it_on_postgres() {
    if let Some(test) = TestApp::on_postgres().await {
        walk(test).await;
    }
}
