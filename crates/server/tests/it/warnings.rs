//! A warning from risk assessment to withdrawal.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::TestApp;

#[tokio::test]
async fn a_warning_is_assessed_drafted_reviewed_published_updated_and_withdrawn() {
    let test = TestApp::new().await;
    let assessment = json!({"title": "电动自行车锂电池充电起火", "product_code": "0503", "hazard": "battery_fire", "severity": 4,
        "steps": [{"description": "电池存在缺陷", "probability": 0.01}, {"description": "充电时热失控", "probability": 0.1},
                  {"description": "起火造成烧伤或死亡", "probability": 0.5}],
        "signal": {"method": "farrington", "product_code": "0503"}});
    let (status, _) =
        test.write(Method::POST, "/api/v1/risk-assessments", Some(&test.enterprise), assessment.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, assessed) =
        test.write(Method::POST, "/api/v1/risk-assessments", Some(&test.hangzhou_regulator), assessment).await;
    assert_eq!(status, StatusCode::CREATED, "{assessed}");
    // 0.01 × 0.1 × 0.5 = 1/2,000 at severity 4: serious.
    assert_eq!((assessed["level"].as_str(), assessed["probability"].as_f64()), (Some("serious"), Some(0.0005)));
    let id = assessed["id"].as_str().unwrap();

    let draft = json!({"assessment_id": id, "title": "关于电动自行车锂电池充电安全的风险警示",
        "body": "近期多地发生电动自行车锂电池充电起火事故，请消费者避免在室内充电。", "scope": {"regions": ["330100"], "gtins": ["06901234000016"]}});
    let (status, warning) = test.write(Method::POST, "/api/v1/warnings", Some(&test.hangzhou_regulator), draft).await;
    assert_eq!(status, StatusCode::CREATED, "{warning}");
    assert_eq!((warning["status"].as_str(), warning["level"].as_str()), (Some("draft"), Some("serious")));
    let wid = warning["id"].as_str().unwrap().to_owned();
    let (status, hidden) = test.get_json(&format!("/api/v1/warnings/{wid}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{hidden}");

    let post = |step: &str| format!("/api/v1/warnings/{wid}/{step}");
    let (status, _) = test.write(Method::POST, &post("publish"), Some(&test.hangzhou_regulator), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "published before review");
    let (status, _) = test.write(Method::POST, &post("review"), Some(&test.hangzhou_regulator), json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the drafter does not review");
    let (status, reviewed) =
        test.write(Method::POST, &post("review"), Some(&test.admin), json!({"note": "同意发布"})).await;
    assert_eq!((status, reviewed["status"].as_str()), (StatusCode::OK, Some("reviewed")));
    let (status, published) =
        test.write(Method::POST, &post("publish"), Some(&test.hangzhou_regulator), json!({})).await;
    assert_eq!((status, published["status"].as_str()), (StatusCode::OK, Some("published")));

    let (_, public) = test.get_json("/api/v1/warnings?q=锂电池").await;
    assert_eq!(public["items"][0]["id"], wid.as_str());
    let (_, page) = test.send(Method::GET, "/warnings?q=%E9%94%82%E7%94%B5%E6%B1%A0", None, None).await;
    assert!(page.contains(&wid), "{page}");
    let (_, none) = test.get_json("/api/v1/warnings?q=奶粉").await;
    assert_eq!(none["count"], 0);

    let (status, _) = test
        .write(
            Method::POST,
            &post("responses"),
            Some(&test.hangzhou_regulator),
            json!({"action": "recall_opened", "reference": "ZL-RC-2026-0001"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, updated) = test
        .write(
            Method::POST,
            &post("update"),
            Some(&test.hangzhou_regulator),
            json!({"note": "扩大到全省", "scope": {"regions": ["330000"]}}),
        )
        .await;
    assert_eq!((status, updated["status"].as_str()), (StatusCode::OK, Some("updated")), "{updated}");
    assert_eq!(updated["scope"]["regions"], json!(["330000"]));
    let (status, _) = test.write(Method::POST, &post("withdraw"), Some(&test.hangzhou_regulator), json!({})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a withdrawal says why");
    let (status, withdrawn) = test
        .write(Method::POST, &post("withdraw"), Some(&test.hangzhou_regulator), json!({"note": "隐患已消除"}))
        .await;
    assert_eq!((status, withdrawn["status"].as_str()), (StatusCode::OK, Some("withdrawn")));
    let stages: Vec<&str> =
        withdrawn["events"].as_array().unwrap().iter().map(|e| e["stage"].as_str().unwrap()).collect();
    assert_eq!(stages, ["draft", "review", "publish", "response", "update", "withdraw"]);
    let (status, still_public) = test.get_json(&format!("/api/v1/warnings/{wid}")).await;
    assert_eq!((status, still_public["status"].as_str()), (StatusCode::OK, Some("withdrawn")));
}

#[tokio::test]
async fn a_warning_runs_through_the_pages() {
    let test = TestApp::new().await;
    let regulator = test.session_cookie("regulator", "r1").await;
    let (status, form) =
        test.get_with_cookie("/risk-assessments/new?product_code=0503&hazard=battery_fire", &regulator).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"battery_fire\""));
    let steps = "电池缺陷%2C+0.01%0A充电起火%2C+0.1%0A烧伤%2C+0.5";
    let (status, location, body) = test
        .post_form("/risk-assessments", &regulator, &format!("csrf=r1&title=%E9%94%82%E7%94%B5%E6%B1%A0&product_code=0503&hazard=battery_fire&severity=4&steps={steps}"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let draft_form = location.unwrap();
    assert!(draft_form.starts_with("/warnings/new?assessment_id=ZL-RA-"), "{draft_form}");
    let (_, page) = test.get_with_cookie(&draft_form, &regulator).await;
    assert!(page.contains("严重风险"), "{page}");
    let assessment_id = draft_form.split('=').nth(1).unwrap();
    let (status, location, body) = test
        .post_form("/warnings", &regulator, &format!("csrf=r1&assessment_id={assessment_id}&title=%E8%AD%A6%E7%A4%BA&body=%E5%8B%BF%E5%AE%A4%E5%86%85%E5%85%85%E7%94%B5&regions=330100"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let warning = location.unwrap();
    let (status, _, _) = test.post_form(&format!("{warning}/review"), &regulator, "csrf=r1").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the drafter does not review");
    let admin = test.session_cookie("admin", "a1").await;
    for (cookie, csrf, stage) in [(&admin, "a1", "review"), (&regulator, "r1", "publish")] {
        let (status, _, body) = test.post_form(&format!("{warning}/{stage}"), cookie, &format!("csrf={csrf}")).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{stage}: {body}");
    }
    let (status, _, _) =
        test.post_form(&format!("{warning}/withdraw"), &regulator, "csrf=r1&note=%E5%B7%B2%E6%B6%88%E9%99%A4").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, public) = test.send(Method::GET, &warning, None, None).await;
    assert!(public.contains("已撤销") && !public.contains("name=\"csrf\""), "{public}");
}
