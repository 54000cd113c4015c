//! The JSON API: code checks, organizations and products, authorisation, audit.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{TestApp, OWN_USCC};

#[tokio::test]
async fn code_checks_explain_valid_and_invalid_values() {
    let app = TestApp::new().await;
    let (status, body) = app.get_json("/api/v1/codes/uscc/91350100M000100Y43").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["valid"], true);
    assert_eq!(body["normalized"], "91350100M000100Y43");
    assert_eq!(body["parts"]["region_code"], "350100");
    assert_eq!(body["parts"]["region_name"], "福州市");
    assert_eq!(body["parts"]["org_code"], "M000100Y-4");
    assert_eq!(body["error"], serde_json::Value::Null);

    let (_, body) = app.get_json("/api/v1/codes/uscc/91350100M000100Y44").await;
    assert_eq!(body["valid"], false);
    assert_eq!(body["error"]["code"], "check_character");
    assert_eq!(body["error"]["message"], "check character (character 18) is '4', expected '3'");

    let (_, body) = app.get_json("/api/v1/codes/epc/https://id.gs1.org/01/06901234567892/21/A1").await;
    assert_eq!(body["valid"], true);
    assert_eq!(body["parts"]["urn"], "urn:epc:id:sgtin:6901234.056789.A1");

    let (_, body) = app.get_json("/api/v1/codes/region/330106").await;
    assert_eq!(body["parts"]["name"], "西湖区");
    assert_eq!(body["parts"]["parent"], "330100");

    let (status, body) = app.get_json("/api/v1/codes/isbn/123").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_kind");
}

#[tokio::test]
async fn organization_lookup_distinguishes_invalid_from_unknown() {
    let app = TestApp::new().await;
    let (status, body) = app.get_json("/api/v1/organizations/91350100M000100Y44").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "invalid_uscc");
    assert!(body["message"].as_str().unwrap().contains("check character (character 18)"), "{body}");

    let (status, body) = app.get_json("/api/v1/organizations/91350100M000100Y43").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn writes_are_authorised_by_role_and_jurisdiction_and_audited() {
    let app = TestApp::new().await;
    let xihu = json!({"uscc": OWN_USCC, "name": "杭州西湖龙井茶业有限公司"});
    let fuzhou = json!({"uscc": "91350100M000100Y43", "name": "福州闽江食品厂"});

    let (status, body) = app.write(Method::POST, "/api/v1/organizations", None, xihu.clone()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    let (status, _) = app.write(Method::POST, "/api/v1/organizations", Some("zl_forged"), xihu.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A Hangzhou regulator writes in Hangzhou, not in Fuzhou.
    let (status, body) =
        app.write(Method::POST, "/api/v1/organizations", Some(&app.hangzhou_regulator), xihu.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["region_code"], "330106");
    assert_eq!(body["region_name"], "西湖区");
    let (status, body) =
        app.write(Method::POST, "/api/v1/organizations", Some(&app.hangzhou_regulator), fuzhou.clone()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
    // Nor may it move a Hangzhou record to Fuzhou.
    let moved = json!({"name": "杭州西湖龙井茶业有限公司", "region_code": "350100"});
    let (status, _) = app
        .write(Method::PUT, &format!("/api/v1/organizations/{OWN_USCC}"), Some(&app.hangzhou_regulator), moved)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // An enterprise corrects its own address, and nothing of its registration: not its name, region or status.
    let own = format!("/api/v1/organizations/{OWN_USCC}");
    let name = "杭州西湖龙井茶业有限公司";
    for (field, forbidden) in [
        ("name", json!({"name": "杭州西湖龙井茶叶有限公司", "address": "杭州市西湖区龙井路1号"})),
        ("region_code", json!({"name": name, "region_code": "350100"})),
        ("region_code", json!({"name": name, "region_code": "330102"})),
        ("status", json!({"name": name, "status": "revoked"})),
        ("registered_on", json!({"name": name, "registered_on": "2001-01-01"})),
    ] {
        let (status, body) = app.write(Method::PUT, &own, Some(&app.enterprise), forbidden.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{forbidden}: {body}");
        assert!(body["message"].as_str().unwrap().contains(&format!("organization.{field}")), "{body}");
    }
    let (_, stored) = app.get_json(&own).await;
    assert_eq!(
        (stored["name"].as_str(), stored["region_code"].as_str(), stored["status"].as_str()),
        (Some(name), Some("330106"), Some("active"))
    );
    let corrected = json!({"name": name, "address": "杭州市西湖区龙井路1号"});
    let (status, body) = app.write(Method::PUT, &own, Some(&app.enterprise), corrected).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // An enterprise writes only its own record; a lab writes no master data; an admin writes anything.
    let (status, _) = app.write(Method::POST, "/api/v1/organizations", Some(&app.enterprise), fuzhou.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.write(Method::POST, "/api/v1/organizations", Some(&app.lab), fuzhou.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.write(Method::POST, "/api/v1/organizations", Some(&app.admin), fuzhou).await;
    assert_eq!(status, StatusCode::CREATED);

    // Both writes to the Hangzhou record are in the audit log with who and before/after.
    let audit = app.state.store.audit_entries("organization", OWN_USCC).await.unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0].action, "insert");
    assert_eq!(audit[1].before.as_ref().unwrap()["address"], Value::Null);
    assert_eq!(audit[1].after.as_ref().unwrap()["address"], "杭州市西湖区龙井路1号");
    assert_ne!(audit[0].user_id, audit[1].user_id);
}

#[tokio::test]
async fn bad_bodies_get_clear_errors() {
    let app = TestApp::new().await;
    let token = Some(app.admin.as_str());
    let cases = [
        (json!({"uscc": "91350100M000100Y44", "name": "x"}), "invalid_uscc"),
        (json!({"uscc": "91350100M000100Y43", "name": "  "}), "invalid_request"),
        (json!({"uscc": "91350100M000100Y43", "name": "x", "region_code": "999999"}), "invalid_region"),
        (json!({"uscc": "91350100M000100Y43", "name": "x", "registered_on": "2015-13-01"}), "invalid_request"),
        (json!({"uscc": "91350100M000100Y43", "name": "x", "colour": "red"}), "invalid_request"),
    ];
    for (body, code) in cases {
        let (status, answer) = app.write(Method::POST, "/api/v1/organizations", token, body.clone()).await;
        assert_eq!((status, answer["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{body}: {answer}");
    }
    // A body without a content type is not JSON to this server: 415, with the JSON error shape.
    let (status, answer) = app.send(Method::POST, "/api/v1/organizations", token, None).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(serde_json::from_str::<Value>(&answer).unwrap()["code"], "unsupported_media_type");
}

#[tokio::test]
async fn products_link_to_registered_producers_and_are_found() {
    let app = TestApp::new().await;
    let token = Some(app.enterprise.as_str());
    let product = json!({"gtin": "6901234567892", "name": "西湖龙井茶", "uscc": OWN_USCC, "brand": "狮峰", "category_code": "0103"});
    let (status, body) = app.write(Method::POST, "/api/v1/products", token, product.clone()).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_organization")));

    // The registry's record comes from a regulator (or the registry import), not from the enterprise itself.
    let record = json!({"uscc": OWN_USCC, "name": "杭州西湖龙井茶业有限公司"});
    let (status, _) = app.write(Method::POST, "/api/v1/organizations", token, record.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.write(Method::POST, "/api/v1/organizations", Some(&app.hangzhou_regulator), record).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = app.write(Method::POST, "/api/v1/products", token, product).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["gtin"], "06901234567892");

    let (status, body) = app.get_json("/api/v1/products/6901234567892").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["producer_name"], "杭州西湖龙井茶业有限公司");
    let (_, body) = app.get_json("/api/v1/products?q=%E9%BE%99%E4%BA%95").await; // 龙井
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    let (status, body) = app.get_json("/api/v1/products/6901234567890").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_gtin")));

    // Another enterprise may not take the product over.
    let (status, _) = app
        .write(
            Method::PUT,
            "/api/v1/products/06901234567892",
            Some(&app.hangzhou_regulator),
            json!({"name": "龙井", "uscc": OWN_USCC}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn organizations_are_searched_in_chinese_with_cursor_paging() {
    let app = TestApp::new().await;
    for (i, name) in ["杭州娃哈哈食品有限公司", "杭州西湖食品厂", "宁波海鲜食品有限公司"].iter().enumerate()
    {
        let uscc = codes::Uscc::assemble("91330100", &format!("MA00000{i}")).unwrap();
        let (status, body) = app
            .write(
                Method::POST,
                "/api/v1/organizations",
                Some(&app.admin),
                json!({"uscc": uscc.as_str(), "name": name}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, first) = app.get_json("/api/v1/organizations?q=%E9%A3%9F%E5%93%81&limit=2").await; // 食品
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().expect("more pages");
    let (_, second) =
        app.get_json(&format!("/api/v1/organizations?q=%E9%A3%9F%E5%93%81&limit=2&cursor={cursor}")).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["next_cursor"], serde_json::Value::Null);

    let (_, body) = app.get_json("/api/v1/organizations?q=%E5%A8%83%E5%93%88%E5%93%88").await; // 娃哈哈
    assert_eq!(body["items"][0]["name"], "杭州娃哈哈食品有限公司");
    let (status, body) = app.get_json("/api/v1/organizations?region=99").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_region")));
    let (status, _) = app.get_json("/api/v1/organizations?limit=1000").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn regions_and_categories_are_reference_data() {
    let app = TestApp::new().await;
    let (_, provinces) = app.get_json("/api/v1/regions").await;
    assert_eq!(provinces["items"].as_array().unwrap().len(), 34);
    let (_, hangzhou) = app.get_json("/api/v1/regions/3301").await;
    assert_eq!(hangzhou["name"], "杭州市");
    assert_eq!(hangzhou["parent"]["name"], "浙江省");
    assert!(hangzhou["children"].as_array().unwrap().iter().any(|c| c["name"] == "西湖区"));
    let (_, retired) = app.get_json("/api/v1/regions/110103").await;
    assert_eq!(retired["in_use"], false);
    assert_eq!(retired["history"][0]["successors"][0], "110101");
    let (status, body) = app.get_json("/api/v1/regions?parent=99").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_region")));
    let (_, categories) = app.get_json("/api/v1/categories").await;
    assert!(categories["items"].as_array().unwrap().iter().any(|c| c["code"] == "0401" && c["name_zh"] == "玩具"));
}

#[tokio::test]
async fn working_days_follow_the_official_calendar() {
    let app = TestApp::new().await;
    // Received Friday 2025-01-24, before the Spring Festival: seven working days later is 2025-02-10.
    let (status, body) = app.get_json("/api/v1/calendar/working-days?from=2025-01-24&add=7").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let expected = serde_json::json!({"from": "2025-01-24", "add": 7, "date": "2025-02-10", "provisional": false, "years_not_loaded": []});
    assert_eq!(body, expected);
    for query in ["from=2025-02-30&add=1", "from=2025-01-24&add=-1", "add=1"] {
        let (status, _) = app.get_json(&format!("/api/v1/calendar/working-days?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
    }
}

/// The string schemas a request body may hold, with where they are (`$ref`s followed into the components).
fn request_texts(document: &Value) -> Vec<(String, Value)> {
    let mut pending: Vec<(String, &Value)> = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema") {
                pending.push((format!("{method} {path}"), schema));
            }
        }
    }
    let mut texts = Vec::new();
    while let Some((place, schema)) = pending.pop() {
        if let Some(target) = schema["$ref"].as_str() {
            let name = target.trim_start_matches("#/components/schemas/");
            pending.push((format!("{place} ({name})"), &document["components"]["schemas"][name]));
            continue;
        }
        let kind = &schema["type"];
        if kind == "string" || kind.as_array().is_some_and(|kinds| kinds.iter().any(|k| k == "string")) {
            texts.push((place.clone(), schema.clone()));
        }
        for (name, property) in schema["properties"].as_object().into_iter().flatten() {
            pending.push((format!("{place}.{name}"), property));
        }
        if schema["items"].is_object() {
            pending.push((format!("{place}[]"), &schema["items"]));
        }
    }
    texts
}

#[tokio::test]
async fn openapi_bounds_every_request_text_and_the_server_holds_to_it() {
    let app = TestApp::new().await;
    let (_, document) = app.get_json("/api/v1/openapi.json").await;
    let texts = request_texts(&document);
    assert!(texts.len() > 20, "{texts:?}");
    for (place, schema) in &texts {
        let fixed = schema.get("enum").is_some() || schema.get("format").is_some();
        let bound = schema["maxLength"].as_u64();
        assert!(fixed || bound.is_some_and(|n| n as usize <= server::web::MAX_TEXT_CHARS), "{place}: {schema}");
    }
    let bound_of = |place: &str| {
        let found = texts.iter().find(|(p, _)| p == place).unwrap_or_else(|| panic!("{place} not in {texts:?}"));
        found.1["maxLength"].as_u64().unwrap() as usize
    };
    // What the document says is what the server does: one past each bound is refused, the bound itself stored.
    let name = bound_of("put /api/v1/organizations/{uscc} (OrganizationInput).name");
    let address = bound_of("put /api/v1/organizations/{uscc} (OrganizationInput).address");
    assert_eq!((name, address), (200, server::web::MAX_TEXT_CHARS));
    let admin = Some(app.admin.as_str());
    let uri = format!("/api/v1/organizations/{OWN_USCC}");
    for (body, code) in [
        (json!({"name": "长".repeat(name + 1)}), "invalid_request"),
        (json!({"name": "杭州示范电动车有限公司", "address": "路".repeat(address + 1)}), "invalid_text"),
    ] {
        let (status, refused) = app.write(Method::PUT, &uri, admin, body).await;
        assert_eq!((status, refused["code"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{refused}");
    }
    let (status, _) = app.get_json(&uri).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a refused write stores nothing");
    let (status, stored) =
        app.write(Method::PUT, &uri, admin, json!({"name": "长".repeat(name), "address": "路".repeat(address)})).await;
    assert!(status.is_success(), "{stored}");
    let (_, read) = app.get_json(&uri).await;
    assert_eq!(read["address"].as_str().map(|a| a.chars().count()), Some(address));
}

#[tokio::test]
async fn openapi_document_lists_every_route() {
    let app = TestApp::new().await;
    let (status, doc) = app.get_json("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    for path in [
        "/api/v1/codes/{kind}/{value}",
        "/api/v1/organizations/{uscc}",
        "/api/v1/products/{gtin}",
        "/api/v1/inspections/pass-rates",
        "/api/v1/campaigns/{id}/publish",
        "/api/v1/samples/{id}/retest-request",
        "/epcis/capture",
        "/epcis/events",
        "/api/v1/trace",
        "/api/v1/recalls/{id}/plan",
        "/api/v1/recalls/{id}/plan-review",
        "/api/v1/gs1-prefixes/{prefix}",
        "/api/v1/complaints",
        "/api/v1/complaints/{id}/{action}",
        "/api/v1/complaints/track/{action}",
        "/api/v1/log/checkpoint",
        "/api/v1/log/proof/consistency",
        "/api/v1/signals/runs",
        "/api/v1/hospitals/{id}",
        "/api/v1/credit/listings/{id}/{step}",
        "/api/v1/credit/exchange",
        "/api/v1/organizations/{uscc}/credit",
        "/api/v1/credit/classes/recompute",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let (status, body) = app.send(Method::GET, "/healthz", None, None).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

/// Every JSON answer names a schema of its own, except the documents whose shape is a standard's (EPCIS) or data
/// served as shipped; and the vocabularies in those schemas are the rooms' enums, value for value.
#[tokio::test]
async fn every_json_answer_has_a_typed_schema_and_its_vocabularies_are_the_rooms() {
    let app = TestApp::new().await;
    let (_, document) = app.get_json("/api/v1/openapi.json").await;
    let mut untyped: Vec<String> = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                let schema = &response["content"]["application/json"]["schema"];
                if status.starts_with('2') && schema == &json!({"type": "object"}) {
                    untyped.push(format!("{method} {path}"));
                }
            }
        }
    }
    untyped.sort();
    assert_eq!(
        untyped,
        [
            "get /api/v1/credit/model",
            "get /api/v1/credit/rules",
            "get /api/v1/recalls/rules",
            "get /epcis/epcs/{epc}/events",
            "get /epcis/eventTypes/{eventType}/events",
            "get /epcis/events",
            "get /epcis/events/{eventID}",
        ]
    );
    let status = &document["components"]["schemas"]["Filing"]["properties"]["status"];
    let values: Vec<&str> = status["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let expected: Vec<&str> = complaints::Status::ALL.iter().map(|s| s.as_str()).collect();
    assert_eq!(values, expected);
    assert!(status["description"].as_str().unwrap().contains("`closed`: 办结 (closed)"), "{status}");
}

#[tokio::test]
async fn every_documented_path_is_routed_with_its_parameter_names_and_every_route_is_documented() {
    let app = TestApp::new().await;
    let (_, document) = app.get_json("/api/v1/openapi.json").await;
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    // axum writes a catch-all as `{*id}`; OpenAPI names the same parameter `{id}`.
    let declared: Vec<(String, String)> = crate::access::declared_routes()
        .into_iter()
        .map(|(method, path)| (method.to_string(), path.replace("{*", "{")))
        .collect();
    let unrouted: Vec<&(String, String)> = documented.iter().filter(|d| !declared.contains(d)).collect();
    assert!(unrouted.is_empty(), "documented but not routed (or under other parameter names): {unrouted:?}");
    let missing: Vec<&(String, String)> = declared.iter().filter(|d| !documented.contains(d)).collect();
    assert!(missing.is_empty(), "routed but not documented: {missing:?}");
}

#[tokio::test]
async fn every_operation_declares_its_path_parameters_and_has_its_own_id() {
    let app = TestApp::new().await;
    let (_, document) = app.get_json("/api/v1/openapi.json").await;
    let mut ids = std::collections::HashSet::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        let named: Vec<&str> = path.split('/').filter_map(|s| s.strip_prefix('{')?.strip_suffix('}')).collect();
        for (method, operation) in operations.as_object().unwrap() {
            let declared: Vec<&str> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "path")
                .filter_map(|p| p["name"].as_str())
                .collect();
            let mut expected = named.clone();
            expected.sort_unstable();
            let mut got = declared.clone();
            got.sort_unstable();
            assert_eq!(got, expected, "{method} {path}: path parameters");
            assert!(operation["summary"].as_str().is_some_and(|s| !s.is_empty()), "{method} {path}: no summary");
            assert!(operation["responses"].as_object().is_some_and(|r| !r.is_empty()), "{method} {path}: no answers");
            let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            assert!(ids.insert(id.to_owned()), "operationId {id} twice");
        }
    }
}

#[tokio::test]
async fn the_error_table_is_served_and_documented() {
    let app = TestApp::new().await;
    let (status, table) = app.get_json("/api/v1/errors").await;
    assert_eq!(status, StatusCode::OK);
    let rows = table.as_array().unwrap();
    assert_eq!(rows.len(), server::ErrorCode::ALL.len());
    let wrong_state = rows.iter().find(|row| row["code"] == "wrong_state").unwrap();
    assert_eq!(wrong_state["status"], 409);
    let (_, document) = app.get_json("/api/v1/openapi.json").await;
    let documented = &document["components"]["schemas"]["ErrorCode"]["enum"];
    let served: Vec<&Value> = rows.iter().map(|row| &row["code"]).collect();
    assert_eq!(documented.as_array().unwrap().iter().collect::<Vec<_>>(), served);
    assert!(document["paths"]["/api/v1/errors"]["get"].is_object());
}

#[tokio::test]
async fn every_error_is_json_with_a_stable_code() {
    let app = TestApp::new().await;
    let (status, body) = app.get_json("/api/v1/nothing-here").await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    let (status, body) = app.send(Method::DELETE, "/api/v1/organizations/91350100M000100Y43", None, None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["code"], "method_not_allowed");
}
