//! Demo injury surveillance: twelve sentinel hospitals in three strata, six years of background cases across the
//! product catalogue, and two clusters the detectors should find — e-bike battery fires burning riders in
//! Zhejiang and Guangdong over the last four weeks, and a run of toy small-part choking cases in the last three.

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::injuries::{Hospital, InjuryCase};
use store::Store;

/// Hospitals: (region, stratum, weight). Weights are the inverse sampling fractions of their strata.
const HOSPITALS: [(&str, &str, f64); 12] = [
    ("110105", "large", 18.0),
    ("310115", "large", 18.0),
    ("440106", "large", 18.0),
    ("330106", "large", 18.0),
    ("320102", "medium", 42.0),
    ("420102", "medium", 42.0),
    ("510104", "medium", 42.0),
    ("370102", "medium", 42.0),
    ("330302", "small", 95.0),
    ("441302", "small", 95.0),
    ("610113", "small", 95.0),
    ("230102", "small", 95.0),
];

/// Background products and the diagnoses they usually bring.
const BACKGROUND: [(&str, &[&str]); 8] = [
    ("0401", &["contusion", "laceration", "foreign_body"]),
    ("0402", &["fracture", "contusion"]),
    ("0501", &["burn", "electric_shock"]),
    ("0503", &["fracture", "contusion", "laceration"]),
    ("0504", &["burn"]),
    ("0802", &["burn", "poisoning"]),
    ("0902", &["concussion", "contusion"]),
    ("0201", &["laceration"]),
];

/// The last day of the demo's data.
pub fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date")
}

fn hospital_id(index: usize) -> String {
    let region = HOSPITALS[index].0;
    codes::Uscc::assemble(&format!("12{region}"), &format!("HX{index:06}")).expect("valid characters").to_string()
}

/// Loads hospitals and cases; returns the number of cases.
pub async fn load(store: &Store) -> anyhow::Result<usize> {
    let hospitals: Vec<Hospital> = HOSPITALS
        .iter()
        .enumerate()
        .map(|(i, (region, stratum, weight))| Hospital {
            id: hospital_id(i),
            name: format!("哨点医院 {}", i + 1),
            region_code: (*region).into(),
            stratum: (*stratum).into(),
            weight: *weight,
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(2006);
    let mut cases = Vec::new();
    let add = |cases: &mut Vec<InjuryCase>,
               rng: &mut ChaCha8Rng,
               day: NaiveDate,
               hospital: usize,
               product: &str,
               diagnosis: &str,
               hazard: Option<&str>,
               narrative: &str| {
        let (_, stratum, weight) = HOSPITALS[hospital];
        cases.push(InjuryCase {
            case_id: format!("DEMO-{}-{:06}", day.format("%Y%m%d"), cases.len()),
            hospital_id: hospital_id(hospital),
            treated_on: day.to_string(),
            stratum: stratum.into(),
            weight,
            age: rng.gen_range(2..80),
            sex: if rng.gen_bool(0.55) { "male" } else { "female" }.into(),
            product_code: product.into(),
            product_code_2: None,
            body_part: ["hand", "head", "lower_limb", "upper_limb", "face"][rng.gen_range(0..5)].into(),
            diagnosis: diagnosis.into(),
            disposition: if rng.gen_bool(0.85) { "treated_released" } else { "hospitalized" }.into(),
            location: Some(["home", "road", "public_place", "school"][rng.gen_range(0..4)].into()),
            intent: Some("unintentional".into()),
            hazard_code: hazard.map(str::to_owned),
            narrative: Some(narrative.into()),
        });
    };
    let end = last_day();
    for back in 0..(6 * 364) {
        let day = end - Duration::days(back);
        for (product, diagnoses) in BACKGROUND {
            // About one case a day per product across the network.
            if rng.gen_bool(0.9) {
                let diagnosis = diagnoses[rng.gen_range(0..diagnoses.len())];
                let hospital = rng.gen_range(0..HOSPITALS.len());
                add(&mut cases, &mut rng, day, hospital, product, diagnosis, None, "日常伤害病例");
            }
        }
    }
    // E-bike battery fires in Zhejiang (hospitals 3, 8) and Guangdong (2, 9), last four weeks.
    for back in 0..28 {
        let day = end - Duration::days(back);
        for hospital in [2, 3, 8, 9] {
            if rng.gen_bool(0.6) {
                add(
                    &mut cases,
                    &mut rng,
                    day,
                    hospital,
                    "0503",
                    "burn",
                    Some("battery_fire"),
                    "电动自行车锂电池充电时起火，烧伤",
                );
            }
        }
    }
    // Small toy parts swallowed by young children, last three weeks, across the network.
    for back in 0..21 {
        let day = end - Duration::days(back);
        if rng.gen_bool(0.7) {
            let hospital = rng.gen_range(0..HOSPITALS.len());
            add(&mut cases, &mut rng, day, hospital, "0401", "foreign_body", Some("small_parts"), "幼儿误吞玩具小零件");
        }
    }
    for chunk in cases.chunks(20_000) {
        store.import_injuries(&hospitals, chunk, None).await?;
    }
    Ok(cases.len())
}

/// Sends one JSON request to the application in process and returns the answer, or says what went wrong.
pub(crate) async fn call(
    app: &server::App,
    token: &str,
    uri: &str,
    body: serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    use tower::ServiceExt;
    let request = axum::http::Request::builder()
        .method(axum::http::Method::POST)
        .uri(uri)
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(body.to_string()))?;
    let response = app.clone().oneshot(request).await?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    anyhow::ensure!(status.is_success(), "{uri}: {status}: {}", String::from_utf8_lossy(&bytes));
    Ok(serde_json::from_slice(&bytes)?)
}

/// The response the demo's signals call for (早研判、早预警、早处置): a risk assessment of the battery fires, a
/// warning drafted by Zhejiang's risk office, reviewed by a second person, published, and the sampling ordered.
/// Runs through the API, so the demo obeys the workflow's rules. Returns the warning's number.
pub async fn load_warning(store: &Store) -> anyhow::Result<String> {
    use store::{NewUser, Role};
    let account = |name: &str, role, region: Option<&str>| NewUser {
        name: name.into(),
        role,
        region_code: region.map(Into::into),
        uscc: None,
        login: None,
        password: None,
    };
    let (_, analyst) =
        store.add_user(&account("演示：浙江省市场监管局风险监测处", Role::Regulator, Some("330000"))).await?;
    let (_, reviewer) = store.add_user(&account("演示：总局风险监测司", Role::Admin, None)).await?;
    let app = server::app(server::AppState::new(store.clone()));
    let assessment = call(&app, &analyst, "/api/v1/risk-assessments", serde_json::json!({
        "title": "电动自行车锂电池充电起火致烧伤", "product_code": "0503", "hazard": "battery_fire", "severity": 4,
        "steps": [{"description": "电池电芯存在缺陷", "probability": 0.01}, {"description": "充电时发生热失控", "probability": 0.1},
                  {"description": "起火造成严重烧伤或死亡", "probability": 0.5}],
        "signal": {"source": "injuries", "method": "farrington", "product_code": "0503", "regions": ["330000", "440000"], "week_ending": last_day().to_string()},
    })).await?;
    let warning = call(&app, &analyst, "/api/v1/warnings", serde_json::json!({
        "assessment_id": assessment["id"], "title": "关于电动自行车锂电池充电安全的风险警示",
        "body": "近四周浙江、广东哨点医院报告多起电动自行车锂电池充电起火致烧伤病例，投诉举报同步增加。请消费者勿在楼道、室内充电，勿使用非原厂电池和充电器；生产企业应自查电芯质量。",
        "scope": {"product_codes": ["0503"], "regions": ["330000", "440000"]},
    })).await?;
    let id = warning["id"].as_str().unwrap_or_default().to_owned();
    call(&app, &reviewer, &format!("/api/v1/warnings/{id}/review"), serde_json::json!({"note": "同意发布"})).await?;
    call(&app, &analyst, &format!("/api/v1/warnings/{id}/publish"), serde_json::json!({})).await?;
    call(
        &app,
        &analyst,
        &format!("/api/v1/warnings/{id}/responses"),
        serde_json::json!({"action": "sampling_ordered", "reference": "电动自行车锂电池专项监督抽查"}),
    )
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{header, Request};
    use serde_json::Value;
    use store::{NewUser, Role};
    use tower::ServiceExt;

    use super::*;

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
        load(&store).await.unwrap();
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

    /// The demo's warning is published through the workflow and found by the public.
    #[tokio::test]
    async fn the_demo_warning_is_published_and_public() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("demo.db").display())).await.unwrap();
        let id = load_warning(&store).await.unwrap();
        let warning = store.warning(&id).await.unwrap().unwrap();
        assert_eq!((warning.status.as_str(), warning.level.as_str()), ("published", "serious"));
        let stages: Vec<String> = store.warning_events(&id).await.unwrap().into_iter().map(|e| e.stage).collect();
        assert_eq!(stages, ["draft", "review", "publish", "response"]);
        let public = store.warnings(true, Some("锂电池"), 10).await.unwrap();
        assert_eq!(public.len(), 1);
    }
}
