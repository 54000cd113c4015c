//! The standards catalogue: the shipped editions are there on a new database, an administrator loads more (all
//! or nothing, every misfit named by its row, earlier versions kept), and a cited edition's standing on a day.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::TestApp;

#[tokio::test]
async fn the_shipped_editions_are_listed_and_read_with_their_family() {
    let test = TestApp::new().await;
    let (status, page) = test.get_json("/api/v1/standards/editions?q=gb4806.7").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let numbers: Vec<&str> =
        page["editions"].as_array().unwrap().iter().map(|e| e["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["GB 4806.7-2016", "GB 4806.7-2023"]);
    assert_eq!(page["editions"][0]["status"], "superseded");
    assert_eq!(page["editions"][0]["force"], "mandatory");
    assert_eq!(page["editions"][0]["in_force_today"], false);

    let (status, one) = test.get_json("/api/v1/standards/editions/GB%2FT%202828.1-2012").await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!((one["force"].as_str(), one["status"].as_str()), (Some("recommended"), Some("current")));
    let (_, food) = test.get_json("/api/v1/standards/editions/GB%207718-2011").await;
    let family: Vec<&str> = food["family"].as_array().unwrap().iter().map(|e| e["number"].as_str().unwrap()).collect();
    assert_eq!(family, ["GB 7718-2025", "GB 7718-2011"], "newest first");

    let (status, missing) = test.get_json("/api/v1/standards/editions/GB%201-2020").await;
    assert_eq!((status, missing["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, bad) = test.get_json("/api/v1/standards/editions/GB%204806.7").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    let (status, titled) = test.get_json("/api/v1/standards/editions?q=%E7%8E%A9%E5%85%B7&status=current").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(titled["editions"].as_array().unwrap().len(), 4, "the four parts of 玩具安全: {titled}");
    let (status, _) = test.get_json("/api/v1/standards/editions?status=valid").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Pages follow in number order without repeats.
    let (_, first) = test.get_json("/api/v1/standards/editions?limit=10").await;
    let after = first["next_after"].as_str().unwrap().to_owned();
    let (_, second) =
        test.get_json(&format!("/api/v1/standards/editions?limit=10&after={}", after.replace(' ', "%20"))).await;
    assert!(second["editions"][0]["number"].as_str().unwrap() > after.as_str());
}

const LOAD: &str = "number,title,status,effective_on,ended_on,replaced_by\n\
GB/T 3325-2017,金属家具通用技术条件,superseded,2017-06-01,2024-12-31,GB/T 3325-2024\n\
GB/T 3325-2024,金属家具通用技术条件,现行,2025-01-01,,\n";

#[tokio::test]
async fn an_administrator_loads_editions_all_or_nothing_and_earlier_versions_are_kept() {
    let test = TestApp::new().await;
    let uri = "/api/v1/standards/editions?note=openstd%202026-11";
    let before = test.state.store.row_counts().await.unwrap();
    for token in [&test.hangzhou_regulator, &test.enterprise, &test.lab] {
        let (status, _) = test.send_text(uri, token, "text/csv", LOAD).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(test.state.store.row_counts().await.unwrap(), before, "a refused load stores nothing");

    // Every misfit is named, and nothing of the load is stored.
    let bad = "number,title,status,effective_on,ended_on,replaced_by\n\
GB/T 3325-2017,金属家具通用技术条件,superseded,2017-06-01,,GB/T 3325-2024\n\
GB/T 3325,金属家具通用技术条件,current,2025-01-01,,\n\
GB/T 9-2020,测试,valid,2020-01-01,,\n\
GB 4806.7-2023,食品安全国家标准 食品接触用塑料材料及制品,current,2016-01-01,,\n";
    let (status, rejected) = test.send_text(uri, &test.admin, "text/csv", bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rejected}");
    let named: Vec<(u64, &str)> = rejected["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(named, [(3, "number"), (4, "status")], "fields that do not read come first: {rejected}");
    assert_eq!(test.state.store.row_counts().await.unwrap(), before);
    let whole = "number,title,status,effective_on,ended_on,replaced_by\n\
GB/T 3325-2017,金属家具通用技术条件,superseded,2017-06-01,,GB/T 3325-2024\n\
GB 4806.7-2023,食品安全国家标准 食品接触用塑料材料及制品,current,2016-01-01,,\n";
    let (status, rejected) = test.send_text(uri, &test.admin, "text/csv", whole).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rejected}");
    let named: Vec<(u64, &str, &str)> = rejected["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["field"].as_str().unwrap(), r["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        [
            (2, "ended_on", "a superseded edition needs its last day"),
            (2, "replaced_by", "GB/T 3325-2024 is not in the catalogue"),
            (
                0,
                "replaced_by",
                "stored edition GB 4806.7-2016: GB 4806.7-2023 took effect before the edition it replaces"
            )
        ]
    );
    assert_eq!(test.state.store.row_counts().await.unwrap(), before);

    let (status, receipt) = test.send_text(uri, &test.admin, "text/csv", LOAD).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!((receipt["added"].as_u64(), receipt["changed"].as_u64()), (Some(2), Some(0)));

    // A JSON load changes a title; the earlier version stays in the history.
    let corrected = json!({"editions": [{"number": "GB/T 3325-2024", "title": "金属家具质量检验及质量评定", "status": "current",
        "effective_on": "2025-01-01"}, {"number": "GB/T 3325-2017", "title": "金属家具通用技术条件", "status": "superseded",
        "effective_on": "2017-06-01", "ended_on": "2024-12-31", "replaced_by": "GB/T 3325-2024"}]});
    let (status, receipt) = test.write(Method::POST, "/api/v1/standards/editions", Some(&test.admin), corrected).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!((receipt["changed"].as_u64(), receipt["unchanged"].as_u64()), (Some(1), Some(1)));
    let (_, edition) = test.get_json("/api/v1/standards/editions/GB%2FT%203325-2024").await;
    assert_eq!(edition["title"], "金属家具质量检验及质量评定");
    assert_eq!(edition["history"][0]["title"], "金属家具通用技术条件");
    assert_eq!(edition["history"][0]["replaced_in"], receipt["import_id"]);
    let (_, imports) = test.get_json("/api/v1/standards/imports").await;
    let sources: Vec<&str> = imports.as_array().unwrap().iter().map(|i| i["source"].as_str().unwrap()).collect();
    assert_eq!(sources, ["loaded", "loaded", "shipped"]);
    assert_eq!(imports[1]["note"], "openstd 2026-11");
}

#[tokio::test]
async fn a_cited_edition_is_in_force_superseded_not_yet_or_unknown_on_its_day() {
    let test = TestApp::new().await;
    let cite = |numbers: Value, on: &str| json!({"numbers": numbers, "on": on});
    let numbers = json!(["GB 4806.7-2016", "gb7718-2025", "GB 1-2020", "GB 4806.7-2016"]);
    let (status, answers) =
        test.write(Method::POST, "/api/v1/standards/citations", None, cite(numbers, "2025-03-01")).await;
    assert_eq!(status, StatusCode::OK, "{answers}");
    let standing: Vec<(&str, &str, bool)> = answers
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["number"].as_str().unwrap(), a["standing"].as_str().unwrap(), a["flagged"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        standing,
        [
            ("GB 4806.7-2016", "superseded", true),
            ("GB 7718-2025", "not_yet_in_force", true),
            ("GB 1-2020", "unknown", true),
            ("GB 4806.7-2016", "superseded", true)
        ]
    );
    assert_eq!(answers[0]["current"], "GB 4806.7-2023");
    let (_, earlier) = test
        .write(Method::POST, "/api/v1/standards/citations", None, cite(json!(["GB 4806.7-2016"]), "2020-05-01"))
        .await;
    assert_eq!((earlier[0]["standing"].as_str(), earlier[0]["flagged"].as_bool()), (Some("in_force"), Some(false)));
    let (status, refused) =
        test.write(Method::POST, "/api/v1/standards/citations", None, cite(json!(["GB 4806.7"]), "2020-05-01")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused["message"].as_str().unwrap().starts_with("numbers[0]"));
}
