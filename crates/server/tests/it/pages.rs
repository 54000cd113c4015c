//! Pages a clerk uses: search in Chinese, organization page, clear errors, code checker, English switch.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::{TestApp, OWN_USCC};

#[tokio::test]
async fn a_clerk_finds_an_organization_by_chinese_name() {
    let app = TestApp::new().await;
    app.write(
        Method::POST,
        "/api/v1/organizations",
        Some(&app.admin),
        json!({"uscc": OWN_USCC, "name": "杭州西湖龙井茶业有限公司"}),
    )
    .await;
    let (status, home) = app.send(Method::GET, "/", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(home.contains("name=\"q\""), "home has a search box");

    let (status, results) = app.send(Method::GET, "/?q=%E9%BE%99%E4%BA%95", None, None).await; // 龙井
    assert_eq!(status, StatusCode::OK);
    assert!(results.contains("杭州西湖龙井茶业有限公司"), "{results}");
    assert!(results.contains(&format!("/organizations/{OWN_USCC}")));

    let (status, page) = app.send(Method::GET, &format!("/organizations/{OWN_USCC}"), None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("浙江省 杭州市 西湖区") && page.contains("MA27XL1Q-3") && page.contains("存续"), "{page}");
}

#[tokio::test]
async fn a_wrong_check_character_is_explained() {
    let app = TestApp::new().await;
    let (status, page) = app.send(Method::GET, "/?q=91350100M000100Y44", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("统一社会信用代码无效"), "{page}");
    assert!(page.contains("第 18 位校验码是“4”，应为“3”"), "{page}");
    let (_, page) = app.send(Method::GET, "/?q=91350100M000100Y44&lang=en", None, None).await;
    assert!(
        page.contains("check character (character 18) is &#39;4&#39;, expected &#39;3&#39;")
            || page.contains("check character (character 18) is '4', expected '3'"),
        "{page}"
    );

    let (status, page) = app.send(Method::GET, "/organizations/91350100M000100Y44", None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(page.contains("invalid_uscc") && page.contains("第 18 位校验码"), "{page}");

    // A valid code goes straight to its page.
    let (status, _) = app.send(Method::GET, "/?q=91350100M000100Y43", None, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn code_checker_and_english_pages() {
    let app = TestApp::new().await;
    let (_, page) = app.send(Method::GET, "/codes?kind=gtin&value=6901234567892", None, None).await;
    assert!(page.contains("有效") && page.contains("GS1 China"), "{page}");
    let (_, page) = app.send(Method::GET, "/codes?kind=gtin&value=6901234567890&lang=en", None, None).await;
    assert!(
        page.contains("Invalid") && page.contains("expected &#39;2&#39;") || page.contains("expected '2'"),
        "{page}"
    );
    assert!(page.contains("lang=\"en\""));
    let (status, page) = app.send(Method::GET, "/api/docs", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/api/v1/organizations/{uscc}"));
    let (status, css) = app.send(Method::GET, "/assets/style.css", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(css.contains("body"));
}

#[tokio::test]
async fn signing_in_starts_a_session_and_checks_the_form() {
    use axum::body::Body;
    use axum::http::{header, Request};
    use tower::ServiceExt;
    let app = TestApp::new().await;
    let sign_in = |form: String| {
        let request = Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::COOKIE, "zl_csrf=k1")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        server::app(app.state.clone()).oneshot(request)
    };
    let response = sign_in("csrf=k1&login=regulator&password=secret&next=%2Fcampaigns".into()).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[header::LOCATION], "/campaigns");
    let cookie = response.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let key = cookie.trim_start_matches("zl_session=").split(';').next().unwrap();
    assert_eq!(app.state.store.session_user(key).await.unwrap().unwrap().name, "Regulator");
    assert!(!cookie.contains(&app.hangzhou_regulator), "the cookie holds a session key, not the API token");

    // An API token signs in too; wrong passwords, forged tokens and stale CSRF values do not.
    let response = sign_in(format!("csrf=k1&token={}", app.admin)).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (status, _, _) = app.post_form("/login", "zl_csrf=k1", "csrf=k1&login=regulator&password=wrong").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = app.post_form("/login", "zl_csrf=k1", "csrf=k1&token=zl_forged").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = app.post_form("/login", "zl_csrf=k1", "csrf=k2&login=regulator&password=secret").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "CSRF value differs from its cookie");
    // A next address off the site is not followed.
    let (_, location, _) =
        app.post_form("/login", "zl_csrf=k1", "csrf=k1&login=regulator&password=secret&next=%2F%2Fevil.example").await;
    assert_eq!(location.as_deref(), Some("/"));

    // Signing out ends the session.
    let (status, _, _) = app.post_form("/logout", &format!("zl_session={key}; zl_csrf=k1"), "csrf=k1").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.state.store.session_user(key).await.unwrap(), None);
}
