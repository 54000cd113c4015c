//! Web hygiene as a client meets it: security headers and request ids on every answer, JSON errors from every
//! layer and extractor, the public's rate limits with their headers, login throttling, local `next` only,
//! `Secure` cookies behind a TLS proxy.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use server::web::{Limits, WebConfig};
use tower::ServiceExt;

use crate::TestApp;

async fn raw(state: &server::AppState, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
    let response = server::app(state.clone()).oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8_lossy(&bytes).into_owned())
}

fn get(uri: &str) -> Request<Body> {
    Request::builder().uri(uri).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn every_answer_carries_security_headers_and_a_request_id() {
    let test = TestApp::new().await;
    let mut ids = std::collections::BTreeSet::new();
    for uri in ["/", "/api/v1/regions", "/no/such/page", "/assets/style.css", "/complaints/new"] {
        let (_, headers, _) = raw(&test.state, get(uri)).await;
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        let page = headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html");
        // Pages get the whole policy; JSON, styles and scripts forbid framing.
        assert!(csp.contains("frame-ancestors 'none'") && (!page || csp.contains("script-src 'self'")), "{uri}: {csp}");
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        // The referrer policy matters only where a document is rendered.
        assert_eq!(headers.contains_key(header::REFERRER_POLICY), page, "{uri}");
        assert_eq!(headers["x-request-id"].len(), 16, "{uri}");
        ids.insert(headers["x-request-id"].to_str().unwrap().to_owned());
    }
    assert_eq!(ids.len(), 5, "each answer has an id of its own: {ids:?}");
    // A client's own request id comes back.
    let request = Request::builder().uri("/healthz").header("x-request-id", "abc-123").body(Body::empty()).unwrap();
    assert_eq!(raw(&test.state, request).await.1["x-request-id"], "abc-123");
    // One too long to be an id, or with spaces, is replaced: the access log takes no free text from a client.
    for sent in ["x".repeat(65), "a b".to_owned()] {
        let request =
            Request::builder().uri("/healthz").header("x-request-id", sent.as_str()).body(Body::empty()).unwrap();
        let answered = raw(&test.state, request).await.1["x-request-id"].to_str().unwrap().to_owned();
        assert!(answered != sent && answered.len() == 16, "{answered}");
    }
}

#[tokio::test]
async fn extractor_and_layer_errors_are_json() {
    let test = TestApp::new().await;
    // A path parameter that does not parse, a query that does not decode, an unknown route, a wrong method.
    for (request, status) in [
        (get("/signals/runs/not-a-number"), StatusCode::BAD_REQUEST),
        (get("/api/v1/inspections/pass-rates?confidence=high"), StatusCode::BAD_REQUEST),
        (get("/api/v1/nothing-here"), StatusCode::NOT_FOUND),
        (
            Request::builder().method(Method::DELETE).uri("/api/v1/regions").body(Body::empty()).unwrap(),
            StatusCode::METHOD_NOT_ALLOWED,
        ),
        (
            Request::builder()
                .method(Method::POST)
                .uri("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("%%%"))
                .unwrap(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let uri = request.uri().to_string();
        let (got, headers, body) = raw(&test.state, request).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().starts_with("application/json"), "{uri}");
        let answer: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: {e}: {body}"));
        assert!(answer["code"].is_string() && answer["message"].is_string(), "{uri}: {answer}");
    }
    // Under /epcis/ the same faults are RFC 7807 problems.
    let (status, headers, body) = raw(&test.state, get("/epcis/events?perPage=many")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    let (status, headers, body) = raw(&test.state, get("/epcis/nothing")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json", "{body}");
    assert!(serde_json::from_str::<Value>(&body).unwrap()["type"].as_str().unwrap().starts_with("epcisException:"));
    // A body past the one limit is refused with 413 before it is read.
    let huge = Request::builder()
        .method(Method::POST)
        .uri("/api/v1/organizations")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, (server::web::MAX_BODY_BYTES + 1).to_string())
        .body(Body::from(vec![b' '; server::web::MAX_BODY_BYTES + 1]))
        .unwrap();
    let (status, _, body) = raw(&test.state, huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["code"], "payload_too_large");
}

#[tokio::test]
async fn a_configured_body_limit_refuses_a_larger_body_and_takes_one_within_it() {
    let test = TestApp::new().await;
    let state = test.state.clone().with_web(WebConfig { body_bytes: 4096, ..WebConfig::default() });
    let post = |size: usize| {
        let body = format!("{{\"name\": \"{}\"}}", "x".repeat(size));
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/organizations")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::CONTENT_LENGTH, body.len().to_string())
            .body(Body::from(body))
            .unwrap()
    };
    let (status, _, body) = raw(&state, post(5000)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert!(body.contains("4096 bytes"), "{body}");
    // Within the limit the body reaches the handler, which asks for a token.
    let (status, _, body) = raw(&state, post(100)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn the_public_has_budgets_with_ratelimit_headers_and_tokens_do_not_count() {
    let test = TestApp::new().await;
    let limits = Limits { reads_per_minute: 3, ..Limits::default() };
    let state = test.state.clone().with_web(WebConfig { limits, ..WebConfig::default() });
    for remaining in ["2", "1", "0"] {
        let (status, headers, _) = raw(&state, get("/api/v1/codes/uscc/91350100M000100Y43")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            (headers["ratelimit-limit"].to_str().unwrap(), headers["ratelimit-remaining"].to_str().unwrap()),
            ("3", remaining)
        );
    }
    let (status, headers, body) = raw(&state, get("/api/v1/codes/uscc/91350100M000100Y43")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let retry: u64 = headers[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["code"], "rate_limited");
    // An account's own requests are not the public's budget.
    let request = Request::builder()
        .uri("/api/v1/codes/uscc/91350100M000100Y43")
        .header(header::AUTHORIZATION, format!("Bearer {}", test.admin))
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = raw(&state, request).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!headers.contains_key("ratelimit-limit"));
}

#[tokio::test]
async fn clients_behind_a_trusted_proxy_are_told_apart_and_its_cookies_are_secure() {
    let test = TestApp::new().await;
    let proxy = "127.0.0.1".parse().unwrap();
    let limits = Limits { reads_per_minute: 1, ..Limits::default() };
    let state = test.state.clone().with_web(WebConfig { trusted_proxies: vec![proxy], limits, ..WebConfig::default() });
    let from = |client: &str| {
        Request::builder()
            .uri("/api/v1/regions")
            .header("x-forwarded-for", client)
            .header("x-forwarded-proto", "https")
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(raw(&state, from("203.0.113.1")).await.0, StatusCode::OK);
    assert_eq!(raw(&state, from("203.0.113.2")).await.0, StatusCode::OK, "another client behind the proxy");
    assert_eq!(raw(&state, from("203.0.113.1")).await.0, StatusCode::TOO_MANY_REQUESTS);
    let login = Request::builder()
        .uri("/login")
        .header("x-forwarded-for", "203.0.113.3")
        .header("x-forwarded-proto", "https")
        .body(Body::empty())
        .unwrap();
    let (_, headers, _) = raw(&state, login).await;
    let cookie = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    // Without the trusted proxy's word, plain HTTP cookies stay as they are.
    let (_, headers, _) = raw(&test.state, get("/login")).await;
    assert!(!headers[header::SET_COOKIE].to_str().unwrap().contains("Secure"));
}

#[tokio::test]
async fn sign_ins_are_throttled_per_name_and_next_stays_local() {
    let test = TestApp::new().await;
    let form = |password: &str, next: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::COOKIE, "zl_csrf=t1")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf=t1&login=admin&password={password}&next={next}")))
            .unwrap()
    };
    // Only local paths are followed, whatever is asked.
    for (next, expected) in [
        ("%2Fcampaigns", "/campaigns"),
        ("%2F%5Cevil.example", "/"),
        ("%2F%2Fevil.example", "/"),
        ("%2Fa%0D%0ASet-Cookie%3Ax", "/"),
    ] {
        let (status, headers, body) = raw(&test.state, form("secret", next)).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{next}: {body}");
        assert_eq!(headers[header::LOCATION], expected, "{next}");
    }
    for _ in 0..5 {
        let (status, _, _) = raw(&test.state, form("wrong", "%2F")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // The name is locked for a quarter of an hour: even the right password is refused now.
    let (status, _, body) = raw(&test.state, form("secret", "%2F")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
}

#[tokio::test]
async fn texts_are_bounded_and_nul_is_refused_before_anything_is_stored() {
    let test = TestApp::new().await;
    let long = "长".repeat(server::web::MAX_TEXT_CHARS + 1);
    for organization in [
        serde_json::json!({"uscc": "91350100M000100Y43", "name": "福州闽江食品厂", "address": long}),
        serde_json::json!({"uscc": "91350100M000100Y43", "name": "福州闽江食品厂", "address": "福州\u{0}市"}),
    ] {
        let (status, answer) =
            test.write(Method::POST, "/api/v1/organizations", Some(&test.admin), organization.clone()).await;
        assert_eq!((status, answer["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_text")), "{answer}");
        assert!(answer["message"].as_str().unwrap().contains("/address"), "{answer}");
    }
    assert_eq!(test.get_json("/api/v1/organizations/91350100M000100Y43").await.0, StatusCode::NOT_FOUND);
    // The public complaint form is bounded the same way.
    let form = format!("description={}&kind=complaint", "x".repeat(server::web::MAX_TEXT_CHARS + 1));
    let request = Request::builder()
        .method(Method::POST)
        .uri("/complaints/new")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap();
    let (status, _, body) = raw(&test.state, request).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains("the field description"), "{body}");
}

#[tokio::test]
async fn captures_draw_on_an_hourly_quota_per_account() {
    let test = TestApp::new().await;
    let quota = server::web::CaptureQuota { events_per_hour: 3, ..Default::default() };
    let state = test.state.clone().with_web(WebConfig { capture: quota, ..WebConfig::default() });
    let event = |serial: u32| {
        serde_json::json!({"type": "ObjectEvent", "eventTime": "2026-03-01T08:00:00+08:00", "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE", "bizStep": "shipping", "epcList": [format!("urn:epc:id:sgtin:6901234.000001.{serial}")]})
    };
    let document = |events: Vec<Value>| {
        serde_json::json!({"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument",
            "schemaVersion": "2.0", "creationDate": "2026-03-01T00:00:00Z", "epcisBody": {"eventList": events}})
        .to_string()
    };
    let capture = |body: String| {
        Request::builder()
            .method(Method::POST)
            .uri("/epcis/capture")
            .header(header::AUTHORIZATION, format!("Bearer {}", test.admin))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let (status, _, body) = raw(&state, capture(document(vec![event(1), event(2)]))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, headers, body) = raw(&state, capture(document(vec![event(3), event(4)]))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(headers.contains_key(header::RETRY_AFTER));
    assert!(body.contains("CaptureLimitExceededException"), "{body}");
    let (status, _, _) = raw(&state, capture(document(vec![event(5)]))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "the third event still fits the hour");
}
