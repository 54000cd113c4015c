//! The demo data as the API shows it: the detectors find the demo's clusters and not its background, and the
//! complaints fill the work queues and the statistics.

use axum::body::Body;
use axum::http::{header, Request};
use serde_json::Value;
use store::{NewUser, Role, Store};
use tower::ServiceExt;

async fn get(app: &server::App, token: &str, uri: &str) -> Value {
    let request = Request::builder()
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert!(response.status().is_success(), "{uri}: {}", response.status());
    serde_json::from_slice(&axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap()).unwrap()
}

/// The detectors find the demo's two clusters, and nothing of the six years of background.
#[tokio::test]
async fn the_detectors_find_the_clusters_and_not_the_noise() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("demo.db").display())).await.unwrap();
    cli::demo_injuries::load(&store).await.unwrap();
    let (_, token) = store
        .add_user(&NewUser {
            name: "t".into(),
            role: Role::Admin,
            region_code: None,
            uscc: None,
            login: None,
            password: None,
        })
        .await
        .unwrap();
    let app = server::app(server::AppState::new(store));
    let temporal = get(&app, &token, "/api/v1/signals?method=farrington&to=2026-11-20").await;
    let mut flagged: Vec<&str> =
        temporal["signals"].as_array().unwrap().iter().map(|s| s["product_code"].as_str().unwrap()).collect();
    flagged.sort();
    assert_eq!(flagged, ["0401", "0503"], "{temporal}");
    // The other detectors see the battery fires too, each with its own parameters beside its signals. EARS
    // judges a week against the seven before it, so it sees the fires in their first week (ending 30 October);
    // by the fourth its baseline holds the cluster itself.
    for (method, to) in [
        ("ears_c1", "2026-10-30"),
        ("ears_c2", "2026-10-30"),
        ("ears_c3", "2026-11-13"),
        ("cusum", "2026-11-20"),
        ("ewma", "2026-11-20"),
        ("glr", "2026-11-20"),
    ] {
        let answer = get(&app, &token, &format!("/api/v1/signals?method={method}&to={to}")).await;
        let flagged: Vec<&str> =
            answer["signals"].as_array().unwrap().iter().map(|s| s["product_code"].as_str().unwrap()).collect();
        assert!(flagged.contains(&"0503"), "{method}: {answer}");
        assert!(flagged.len() <= 3, "{method} flags the background too: {answer}");
        assert_eq!(answer["method"], method);
        assert!(answer["parameters"].is_object());
    }
    let series =
        get(&app, &token, "/api/v1/signals/series?method=cusum&product_code=0503&to=2026-11-20&weeks=10").await;
    assert_eq!(series["alarm"].as_array().unwrap().last(), Some(&Value::Bool(true)), "{series}");
    // By province, the battery fires stand out where they happened: Zhejiang and Guangdong.
    let by_region = get(&app, &token, "/api/v1/signals?method=farrington&by_region=true&to=2026-11-20").await;
    let places: Vec<(&str, &str)> = by_region["signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["product_code"] == "0503")
        .map(|s| (s["product_code"].as_str().unwrap(), s["region"].as_str().unwrap()))
        .collect();
    assert_eq!(places, [("0503", "330000"), ("0503", "440000")], "{by_region}");
    let table = get(&app, &token, "/api/v1/signals?method=disproportionality&from=2026-10-24&to=2026-11-20").await;
    let pairs: Vec<(String, String)> = table["signals"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["eb05"].as_f64().unwrap_or(0.0) >= 2.0)
        .map(|s| (s["product_code"].as_str().unwrap().to_owned(), s["hazard"].as_str().unwrap().to_owned()))
        .collect();
    assert!(pairs.contains(&("0503".into(), "battery_fire".into())), "{pairs:?}");
    assert!(pairs.contains(&("0401".into(), "small_parts".into())), "{pairs:?}");
    let estimates =
        get(&app, &token, "/api/v1/injuries/estimates?product_code=0503&from=2026-10-24&to=2026-11-20").await;
    assert!(estimates["estimates"][0]["estimate"].as_f64().unwrap() > 1_000.0, "{estimates}");
}

/// Complaints find the battery fires where they happened, and the work queues hold the recent filings.
#[tokio::test]
async fn complaints_show_the_battery_fires_and_fill_the_work_queues() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}", dir.path().join("demo.db").display())).await.unwrap();
    let last_day = cli::demo_injuries::last_day();
    let loaded = cli::demo_complaints::load(&store, last_day).await.unwrap();
    assert!(loaded > 4_000, "{loaded}");
    let admin =
        NewUser { name: "t".into(), role: Role::Admin, region_code: None, uscc: None, login: None, password: None };
    let (_, token) = store.add_user(&admin).await.unwrap();
    let app = server::app(server::AppState::new(store.clone()));
    let get = |uri: String| {
        let app = app.clone();
        let token = token.clone();
        async move {
            let request = Request::builder()
                .uri(&uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            assert!(response.status().is_success(), "{uri}: {}", response.status());
            serde_json::from_slice::<Value>(&axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap())
                .unwrap()
        }
    };
    let by_region =
        get(format!("/api/v1/signals?source=complaints&method=farrington&by_region=true&to={last_day}")).await;
    let places: Vec<(&str, &str)> = by_region["signals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["product_code"].as_str().unwrap(), s["region"].as_str().unwrap()))
        .collect();
    assert_eq!(places, [("0503", "330000"), ("0503", "440000")], "{by_region}");
    let queue = get("/api/v1/complaints?within_days=30".into()).await;
    assert!(queue["due"].as_i64().unwrap() > 10, "{queue}");
    let stats = get(format!("/api/v1/complaints/stats?group_by=outcome&from=2020-01-01&to={last_day}")).await;
    let outcomes: Vec<&str> = stats["groups"].as_array().unwrap().iter().map(|g| g["key"].as_str().unwrap()).collect();
    for outcome in ["mediated_settlement", "enterprise_settlement", "not_accepted", "case_opened", "answered"] {
        assert!(outcomes.contains(&outcome), "{outcomes:?}");
    }
}
