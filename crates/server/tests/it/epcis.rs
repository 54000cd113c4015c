//! The EPCIS 2.0 REST binding and the trace API, end to end through the router.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use server::app;
use tower::ServiceExt;

use crate::TestApp;

fn data(folder: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../epcis/tests/data/openepcis").join(folder);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    paths
}

async fn call(
    test: &TestApp,
    method: Method,
    uri: &str,
    token: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> (StatusCode, HeaderMap, Value) {
    let mut request =
        Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = match body {
        Some(text) => request.header(header::CONTENT_TYPE, "application/json").body(Body::from(text)),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = app(test.state.clone()).oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{uri}: {e}"))
    };
    (status, headers, body)
}

#[tokio::test]
async fn conformance_documents_capture_and_invalid_ones_are_refused() {
    let test = TestApp::new().await;
    for path in data("Capture/Documents") {
        let body = std::fs::read_to_string(&path).unwrap();
        let (status, headers, answer) = call(&test, Method::POST, "/epcis/capture", &test.admin, &[], Some(body)).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{}: {answer}", path.display());
        let location = headers[header::LOCATION].to_str().unwrap().to_owned();
        let (status, _, job) = call(&test, Method::GET, &location, &test.admin, &[], None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(job["success"], true, "{job}");
    }
    for path in data("Capture/Events") {
        let body = std::fs::read_to_string(&path).unwrap();
        let (status, headers, answer) =
            call(&test, Method::POST, "/epcis/events", &test.admin, &[], Some(body.clone())).await;
        // Some single events repeat events of the documents above: those are already stored.
        assert!(
            status == StatusCode::CREATED || status == StatusCode::CONFLICT,
            "{}: {status} {answer}",
            path.display()
        );
        assert!(headers[header::LOCATION].to_str().unwrap().starts_with("/epcis/events/"));
        let (again, _, _) = call(&test, Method::POST, "/epcis/events", &test.admin, &[], Some(body)).await;
        assert_eq!(again, StatusCode::CONFLICT, "{}", path.display());
    }
    for path in data("Capture/Invalid") {
        let body = std::fs::read_to_string(&path).unwrap();
        let (status, headers, problem) =
            call(&test, Method::POST, "/epcis/capture", &test.admin, &[], Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}", path.display());
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        assert_eq!(problem["type"], "epcisException:ValidationException");
        let pointers: Vec<&str> =
            problem["problems"].as_array().unwrap().iter().map(|p| p["pointer"].as_str().unwrap()).collect();
        assert!(!pointers.is_empty() && pointers.iter().all(|p| p.starts_with('/')), "{}: {problem}", path.display());
    }
}

fn shipment(serial: u32, hour: u32) -> Value {
    json!({"type": "ObjectEvent", "eventTime": format!("2026-03-01T{hour:02}:00:00+08:00"), "eventTimeZoneOffset": "+08:00",
           "action": "OBSERVE", "bizStep": "shipping", "epcList": [format!("urn:epc:id:sgtin:6901234.000001.{serial}")],
           "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
           "destinationList": [{"type": "owning_party", "destination": "urn:epc:id:pgln:6901234.00009"}]})
}

fn document(events: Vec<Value>) -> String {
    json!({"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument",
           "schemaVersion": "2.0", "creationDate": "2026-03-01T00:00:00Z", "epcisBody": {"eventList": events}})
    .to_string()
}

#[tokio::test]
async fn queries_page_translate_and_refuse_what_they_do_not_know() {
    let test = TestApp::new().await;
    let events: Vec<Value> = (1..=5).map(|i| shipment(i, i)).collect();
    let (status, _, _) = call(&test, Method::POST, "/epcis/capture", &test.admin, &[], Some(document(events))).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let (status, headers, page) =
        call(&test, Method::GET, "/epcis/events?EQ_bizStep=shipping&perPage=2", &test.admin, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let list = page.pointer("/epcisBody/queryResults/resultsBody/eventList").unwrap().as_array().unwrap();
    assert_eq!(list.len(), 2);
    let link = headers[header::LINK].to_str().unwrap();
    let next = link.trim_start_matches('<').split('>').next().unwrap().to_owned();
    let (_, _, second) = call(&test, Method::GET, &next, &test.admin, &[], None).await;
    assert_eq!(second.pointer("/epcisBody/queryResults/resultsBody/eventList").unwrap().as_array().unwrap().len(), 2);

    let epc = "https://id.gs1.org/01/06901234000016/21/3";
    let (status, _, by_epc) = call(
        &test,
        Method::GET,
        &format!("/epcis/events?MATCH_epc={epc}"),
        &test.admin,
        &[("GS1-EPC-Format", "Always_GS1_Digital_Link")],
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{by_epc}");
    let found = by_epc.pointer("/epcisBody/queryResults/resultsBody/eventList").unwrap().as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["epcList"][0], epc);

    let (status, _, problem) = call(&test, Method::GET, "/epcis/events?EQ_colour=red", &test.admin, &[], None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["type"], "epcisException:QueryParameterException");
    let (status, _, problem) = call(&test, Method::GET, "/epcis/events?maxEventCount=3", &test.admin, &[], None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
    let (status, headers, problem) = call(&test, Method::GET, "/epcis/events", &test.lab, &[], None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "labs do not read supply-chain events: {problem}");
    assert_eq!(
        (headers[header::CONTENT_TYPE].to_str().unwrap(), problem["type"].as_str()),
        ("application/problem+json", Some("epcisException:SecurityException"))
    );
    let (status, _, problem) = call(&test, Method::GET, "/epcis/events", "not-a-token", &[], None).await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("epcisException:SecurityException"))
    );
    let (status, _, _) = call(&test, Method::GET, "/epcis/events", &test.enterprise, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) =
        call(&test, Method::POST, "/epcis/capture", &test.lab, &[], Some(document(vec![shipment(9, 9)]))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let event_id = found[0]["eventID"].as_str().unwrap();
    let encoded: String = event_id
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let (status, _, one) = call(&test, Method::GET, &format!("/epcis/events/{encoded}"), &test.admin, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(one["eventID"], event_id);
    let (status, _, by_path) =
        call(&test, Method::GET, "/epcis/epcs/urn:epc:id:sgtin:6901234.000001.3/events", &test.admin, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_path.pointer("/epcisBody/queryResults/resultsBody/eventList").unwrap().as_array().unwrap().len(), 1);

    let (status, _, bad) =
        call(&test, Method::GET, "/api/v1/trace?id=urn:epc:id:sgtin:6901234.01.3", &test.admin, &[], None).await;
    assert_eq!((status, bad["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_epc")), "{bad}");
    let (status, _, trace) =
        call(&test, Method::GET, "/api/v1/trace?id=urn:epc:id:sgtin:6901234.000001.3", &test.admin, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{trace}");
    assert_eq!(trace["parties"][0]["gln"], "6901234000092");
}

#[tokio::test]
async fn proceed_keeps_the_valid_events_and_rollback_keeps_none() {
    let test = TestApp::new().await;
    let mut bad = shipment(2, 2);
    bad["bizStep"] = json!("transforming");
    let body = document(vec![shipment(1, 1), bad]);
    let (status, headers, _) = call(&test, Method::POST, "/epcis/capture", &test.admin, &[], Some(body.clone())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let job_url = headers[header::LOCATION].to_str().unwrap().to_owned();
    let (status, _, _) = call(&test, Method::GET, &job_url, &test.enterprise, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another sender's job is not shown");
    let (_, _, jobs) = call(&test, Method::GET, "/epcis/capture", &test.enterprise, &[], None).await;
    assert_eq!(jobs["captureJobs"], json!([]));
    let (_, _, job) = call(&test, Method::GET, &job_url, &test.admin, &[], None).await;
    assert_eq!((job["success"].clone(), job["storedCount"].clone()), (json!(false), json!(0)));
    let (status, _, answer) = call(
        &test,
        Method::POST,
        "/epcis/capture",
        &test.admin,
        &[("GS1-Capture-Error-Behaviour", "proceed")],
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!((answer["stored"].clone(), answer["rejected"].clone()), (json!(1), json!(1)));
}

#[tokio::test]
async fn glns_are_registered_by_their_holders_and_named_in_traces() {
    let test = TestApp::new().await;
    let own = store::NewOrganization {
        uscc: crate::OWN_USCC.parse().unwrap(),
        name: "杭州示范乳业有限公司".into(),
        region_code: "330106".parse().unwrap(),
        address: None,
        legal_representative: None,
        entity_type: None,
        status: store::RegistrationStatus::Active,
        registered_on: None,
    };
    test.state.store.upsert_organization(&own, None).await.unwrap();
    let (status, _, _) =
        call(&test, Method::POST, "/epcis/capture", &test.admin, &[], Some(document(vec![shipment(7, 7)]))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let body = json!({"kind": "party", "uscc": crate::OWN_USCC}).to_string();
    let (status, _, problem) =
        call(&test, Method::PUT, "/api/v1/glns/6901234000093", &test.enterprise, &[], Some(body.clone())).await;
    assert_eq!((status, problem["code"].clone()), (StatusCode::BAD_REQUEST, json!("invalid_gln")));
    let (status, _, other) = call(
        &test,
        Method::PUT,
        "/api/v1/glns/6901234000092",
        &test.enterprise,
        &[],
        Some(json!({"uscc": "91350100M000100Y43"}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{other}");
    // Without the GS1 company prefix on record, or under another holder's prefix, an enterprise registers nothing.
    let (status, _, refused) =
        call(&test, Method::PUT, "/api/v1/glns/6901234000092", &test.enterprise, &[], Some(body.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let prefix = json!({"uscc": crate::OWN_USCC}).to_string();
    let (status, _, refused) =
        call(&test, Method::PUT, "/api/v1/gs1-prefixes/6901234", &test.enterprise, &[], Some(prefix.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an enterprise does not assign itself prefixes: {refused}");
    assert_eq!(test.get_json("/api/v1/gs1-prefixes/6901234").await.0, StatusCode::NOT_FOUND);
    let other = store::NewOrganization {
        uscc: "91350100M000100Y43".parse().unwrap(),
        region_code: "350100".parse().unwrap(),
        ..own.clone()
    };
    test.state.store.upsert_organization(&other, None).await.unwrap();
    let (status, _, _) = call(
        &test,
        Method::PUT,
        "/api/v1/gs1-prefixes/6909999",
        &test.admin,
        &[],
        Some(json!({"uscc": "91350100M000100Y43"}).to_string()),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, refused) =
        call(&test, Method::PUT, "/api/v1/glns/6909999000012", &test.enterprise, &[], Some(body.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("6909999"), "{refused}");
    assert_eq!(test.get_json("/api/v1/glns/6909999000012").await.0, StatusCode::NOT_FOUND, "nothing registered");
    let (status, _, _) = call(&test, Method::PUT, "/api/v1/gs1-prefixes/6901234", &test.admin, &[], Some(prefix)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, prefixes) = test.get_json(&format!("/api/v1/gs1-prefixes?uscc={}", crate::OWN_USCC)).await;
    assert_eq!((status, prefixes["prefixes"].clone()), (StatusCode::OK, json!(["6901234"])));
    let (status, _, registered) =
        call(&test, Method::PUT, "/api/v1/glns/6901234000092", &test.enterprise, &[], Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{registered}");
    assert_eq!(
        (registered["name"].clone(), registered["region_code"].clone()),
        (json!("杭州示范乳业有限公司"), json!("330106"))
    );
    let (status, public) = test.get_json("/api/v1/glns/6901234000092").await;
    assert_eq!((status, public["uscc"].clone()), (StatusCode::OK, json!(crate::OWN_USCC)));
    let (_, _, trace) =
        call(&test, Method::GET, "/api/v1/trace?id=urn:epc:id:sgtin:6901234.000001.7", &test.admin, &[], None).await;
    assert_eq!(trace["organizations"], json!([crate::OWN_USCC]));
    assert_eq!(trace["regions"], json!(["330106"]));
}

#[tokio::test]
async fn xml_documents_capture_with_the_same_event_ids_as_json() {
    let test = TestApp::new().await;
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../epcis/tests/data/hash-vectors/examples");
    let xml = std::fs::read_to_string(examples.join("epcisDocWithVariousEventTypes.xml")).unwrap();
    let (status, _, answer) =
        call(&test, Method::POST, "/epcis/capture", &test.admin, &[("content-type", "application/xml")], Some(xml))
            .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    assert_eq!(answer["stored"], 13);
    // The same events in JSON are the same events: all thirteen are duplicates.
    let json = std::fs::read_to_string(examples.join("epcisDocWithVariousEventTypes.jsonld")).unwrap();
    let (status, _, answer) = call(&test, Method::POST, "/epcis/capture", &test.admin, &[], Some(json)).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
    assert_eq!((answer["stored"].clone(), answer["duplicates"].clone()), (json!(0), json!(13)));
    let (status, _, problem) = call(
        &test,
        Method::POST,
        "/epcis/capture",
        &test.admin,
        &[("content-type", "application/xml")],
        Some("<EPCISDocument>".into()),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(problem["detail"].as_str().unwrap().starts_with("XML: line 1"), "{problem}");
}

fn form_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Registers the enterprise's own organization, its GS1 company prefix 6901234 and its location GLN
/// 6901234000016 (the read point `urn:epc:id:sgln:6901234.00001.0` of [`shipment`]), as the API's users do.
async fn own_location(test: &TestApp) {
    let organization = json!({"uscc": crate::OWN_USCC, "name": "杭州示范乳业有限公司", "region_code": "330106"});
    let (status, _, answer) = call(
        test,
        Method::PUT,
        &format!("/api/v1/organizations/{}", crate::OWN_USCC),
        &test.admin,
        &[],
        Some(organization.to_string()),
    )
    .await;
    assert!(status.is_success(), "{answer}");
    let prefix = json!({"uscc": crate::OWN_USCC}).to_string();
    let (status, _, _) = call(test, Method::PUT, "/api/v1/gs1-prefixes/6901234", &test.admin, &[], Some(prefix)).await;
    assert_eq!(status, StatusCode::OK);
    let location = json!({"kind": "location", "uscc": crate::OWN_USCC}).to_string();
    let (status, _, answer) =
        call(test, Method::PUT, "/api/v1/glns/6901234000016", &test.enterprise, &[], Some(location)).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn an_enterprise_captures_only_events_it_is_party_to() {
    let test = TestApp::new().await;
    let mut stranger = shipment(1, 1);
    stranger["readPoint"] = json!({"id": "urn:epc:id:sgln:6905555.00001.0"});
    stranger["destinationList"] = json!([{"type": "owning_party", "destination": "urn:epc:id:pgln:6905555.00009"}]);
    let (status, _, problem) =
        call(&test, Method::POST, "/epcis/capture", &test.enterprise, &[], Some(document(vec![stranger.clone()])))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    own_location(&test).await;
    // Still not a party: one own event beside a stranger's refuses the whole capture.
    let (status, _, problem) = call(
        &test,
        Method::POST,
        "/epcis/capture",
        &test.enterprise,
        &[],
        Some(document(vec![shipment(2, 2), stranger.clone()])),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert!(problem["detail"].as_str().unwrap().starts_with("event 1"), "{problem}");
    let mut single = stranger.clone();
    single["@context"] = json!(["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"]);
    let (status, _, problem) =
        call(&test, Method::POST, "/epcis/events", &test.enterprise, &[], Some(single.to_string())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    let (_, _, page) = call(&test, Method::GET, "/epcis/events", &test.admin, &[], None).await;
    assert_eq!(page.pointer("/epcisBody/queryResults/resultsBody/eventList").unwrap(), &json!([]), "nothing stored");
    // Received at the enterprise's own location from a stranger: the enterprise is the destination's party.
    let mut received = stranger.clone();
    received["bizStep"] = json!("receiving");
    received["readPoint"] = json!({"id": "urn:epc:id:sgln:6901234.00001.0"});
    let (status, _, answer) = call(
        &test,
        Method::POST,
        "/epcis/capture",
        &test.enterprise,
        &[],
        Some(document(vec![shipment(2, 2), received])),
    )
    .await;
    assert_eq!((status, answer["stored"].clone()), (StatusCode::ACCEPTED, json!(2)), "{answer}");
}

#[tokio::test]
async fn clerks_send_documents_from_the_capture_page() {
    let test = TestApp::new().await;
    own_location(&test).await;
    let cookie = test.session_cookie("enterprise", "k1").await;
    let (status, form) = test.get_with_cookie("/trace/capture", &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("name=\"document\""));
    let mut wrong = shipment(3, 3);
    wrong["bizStep"] = json!("transforming");
    let body = format!("csrf=k1&format=json&behaviour=rollback&document={}", form_encode(&document(vec![wrong])));
    let (status, _, page) = test.post_form("/trace/capture", &cookie, &body).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/epcisBody/eventList/0/bizStep") && page.contains("vocabulary"), "{page}");
    let body =
        format!("csrf=k1&format=json&behaviour=rollback&document={}", form_encode(&document(vec![shipment(3, 3)])));
    let (status, _, page) = test.post_form("/trace/capture", &cookie, &body).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("已保存 <strong>1</strong>"), "{page}");
    let (status, _, _) = test.post_form("/trace/capture", &cookie, "csrf=wrong&document=x").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// An XML capture whose extension elements nest `levels` deep inside one shipment event.
fn nested_xml(levels: usize) -> String {
    let open = "<ex:n>".repeat(levels);
    let close = "</ex:n>".repeat(levels);
    format!(
        r#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" xmlns:ex="https://example.com/ext" schemaVersion="2.0" creationDate="2026-03-01T00:00:00Z">
<EPCISBody><EventList><ObjectEvent><eventTime>2026-03-01T08:00:00+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>
<epcList><epc>urn:epc:id:sgtin:6901234.000001.1</epc></epcList><action>OBSERVE</action><bizStep>shipping</bizStep>
{open}x{close}</ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"#
    )
}

/// A JSON shipment whose extension nests `levels` objects deep, written as text: building it as a `Value` would
/// recurse as deep in the test itself.
fn nested_json(levels: usize) -> String {
    let extension = format!("{}\"x\"{}", "{\"ex:n\": ".repeat(levels), "}".repeat(levels));
    let event = shipment(1, 1).to_string();
    let event = format!("{}, \"ex:n\": {extension}}}", &event[..event.len() - 1]);
    let context =
        json!(["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"ex": "https://example.com/ext/"}]);
    format!(
        r#"{{"@context": {context}, "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-03-01T00:00:00Z", "epcisBody": {{"eventList": [{event}]}}}}"#
    )
}

#[tokio::test]
async fn deeply_nested_captures_are_refused_and_stored_ones_read_back() {
    let test = TestApp::new().await;
    let xml = [("content-type", "application/xml")];
    // Ten thousand levels overflowed the stack before; now the depth is checked before any recursion.
    for levels in [10_000, 1_000, 40] {
        let (status, _, problem) =
            call(&test, Method::POST, "/epcis/capture", &test.admin, &xml, Some(nested_xml(levels))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{levels}: {problem}");
        assert!(problem["detail"].as_str().unwrap().contains("deeper than 32 levels"), "{problem}");
    }
    for levels in [1_000, 200, 60] {
        let (status, _, problem) =
            call(&test, Method::POST, "/epcis/capture", &test.admin, &[], Some(nested_json(levels))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{levels}: {problem}");
        assert!(problem["detail"].as_str().unwrap().contains("deeper than 48 levels"), "{problem}");
    }
    let (status, _, problem) =
        call(&test, Method::POST, "/epcis/events", &test.admin, &[], Some(nested_json(60))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    let (_, _, page) = call(&test, Method::GET, "/epcis/events", &test.admin, &[], None).await;
    assert_eq!(page.pointer("/epcisBody/queryResults/resultsBody/eventList").unwrap(), &json!([]), "nothing stored");

    // At the limits a document is stored, and every query that lists it reads it back.
    let (status, _, answer) =
        call(&test, Method::POST, "/epcis/capture", &test.admin, &xml, Some(nested_xml(26))).await;
    assert_eq!((status, answer["stored"].clone()), (StatusCode::ACCEPTED, json!(1)), "{answer}");
    let (status, _, answer) =
        call(&test, Method::POST, "/epcis/capture", &test.admin, &[], Some(nested_json(43))).await;
    assert_eq!((status, answer["stored"].clone()), (StatusCode::ACCEPTED, json!(1)), "{answer}");
    let (status, _, page) = call(&test, Method::GET, "/epcis/events", &test.admin, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page.pointer("/epcisBody/queryResults/resultsBody/eventList").unwrap().as_array().unwrap().len(), 2);
    let epc = "urn:epc:id:sgtin:6901234.000001.1";
    let (status, _, by_epc) =
        call(&test, Method::GET, &format!("/epcis/epcs/{epc}/events"), &test.admin, &[], None).await;
    assert_eq!(status, StatusCode::OK, "{by_epc}");
}

/// An enterprise reads the events it is party to (or that name its products) and traces its own products
/// forward; a regulator reads its region; a stranger's event is, to them, an event that does not exist.
#[tokio::test]
async fn readers_see_their_own_part_of_the_supply_chain() {
    let test = TestApp::new().await;
    own_location(&test).await;
    let product = store::NewProduct {
        gtin: "06901234000016".parse().unwrap(),
        name: "婴幼儿配方乳粉".into(),
        uscc: crate::OWN_USCC.parse().unwrap(),
        category_code: None,
        brand: None,
        specification: None,
    };
    test.state.store.upsert_product(&product, None).await.unwrap();
    let stranger_id = "urn:uuid:7f1e0c3e-5b1a-4d2e-9c3f-000000000001";
    let mut stranger = shipment(1, 2);
    stranger["eventID"] = json!(stranger_id);
    stranger["epcList"] = json!(["urn:epc:id:sgtin:6905555.000001.1"]);
    stranger["readPoint"] = json!({"id": "urn:epc:id:sgln:6905555.00001.0"});
    stranger["destinationList"] = json!([{"type": "owning_party", "destination": "urn:epc:id:pgln:6905555.00009"}]);
    let events = document(vec![shipment(1, 1), stranger]);
    let (status, _, _) = call(&test, Method::POST, "/epcis/capture", &test.admin, &[], Some(events)).await;
    assert_eq!(status, StatusCode::ACCEPTED);

    let count =
        |page: &Value| page.pointer("/epcisBody/queryResults/resultsBody/eventList").unwrap().as_array().unwrap().len();
    for (token, seen) in [(&test.admin, 2), (&test.enterprise, 1), (&test.hangzhou_regulator, 1)] {
        let (status, _, page) = call(&test, Method::GET, "/epcis/events", token, &[], None).await;
        assert_eq!((status, count(&page)), (StatusCode::OK, seen), "{page}");
    }
    let (status, _, _) = call(&test, Method::GET, "/epcis/events", &test.lab, &[], None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let one = format!("/epcis/events/{}", form_encode(stranger_id));
    let (status, _, _) = call(&test, Method::GET, &one, &test.enterprise, &[], None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another company's event does not exist for this enterprise");
    let (status, _, _) = call(&test, Method::GET, &one, &test.admin, &[], None).await;
    assert_eq!(status, StatusCode::OK);

    let own = "/api/v1/trace?id=urn:epc:id:sgtin:6901234.000001.1";
    let theirs = "/api/v1/trace?id=urn:epc:id:sgtin:6905555.000001.1";
    for (token, uri, expected) in [
        (&test.enterprise, own.to_owned(), StatusCode::OK),
        (&test.enterprise, format!("{own}&direction=backward"), StatusCode::FORBIDDEN),
        (&test.enterprise, theirs.to_owned(), StatusCode::FORBIDDEN),
        (&test.hangzhou_regulator, own.to_owned(), StatusCode::OK),
        (&test.hangzhou_regulator, theirs.to_owned(), StatusCode::FORBIDDEN),
        (&test.admin, theirs.to_owned(), StatusCode::OK),
    ] {
        let (status, _, answer) = call(&test, Method::GET, &uri, token, &[], None).await;
        assert_eq!(status, expected, "{uri}: {answer}");
    }
}
