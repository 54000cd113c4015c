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
async fn signing_in_sets_an_http_only_session_and_checks_the_form() {
    let app = TestApp::new().await;
    let (status, location, _) =
        app.post_form("/login", "zl_csrf=k1", &format!("csrf=k1&token={}&next=%2Fcampaigns", app.admin)).await;
    assert_eq!((status, location.as_deref()), (StatusCode::SEE_OTHER, Some("/campaigns")));
    let (status, _, _) = app.post_form("/login", "zl_csrf=k1", &format!("csrf=k2&token={}", app.admin)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "CSRF value differs from its cookie");
    let (status, _, _) = app.post_form("/login", "zl_csrf=k1", "csrf=k1&token=zl_forged").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A next address off the site is not followed.
    let (_, location, _) =
        app.post_form("/login", "zl_csrf=k1", &format!("csrf=k1&token={}&next=%2F%2Fevil.example", app.admin)).await;
    assert_eq!(location.as_deref(), Some("/"));
}
