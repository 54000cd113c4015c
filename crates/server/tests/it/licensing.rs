//! Production licences: the issuing region's regulator registers them (all or nothing, every rejected row named)
//! and revokes one; the holder's credit file takes the revocation in; a sample's regime check sees whether the
//! producer held the licence on the sampling day.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::{TestApp, OWN_USCC};

const HEADER: &str = "number,kind,holder_uscc,products,sites,issued_by,issued_on,expires_on\n";

#[tokio::test]
async fn a_regulator_registers_and_revokes_a_licence_and_a_sample_sees_it_lapsed() {
    let test = TestApp::new().await;
    test.organization(OWN_USCC, "杭州电缆有限公司", "330106").await;
    let uri = "/api/v1/licences";
    let good = format!("{HEADER}(浙)XK06-001-00123,industrial,{OWN_USCC},K23-01-01,杭州市西湖区三墩镇工业园,330100,2022-01-10,2027-01-09\n");
    let before = test.state.store.row_counts().await.unwrap();
    let bad = format!(
        "{HEADER}(浙)XK06-001-00123,industrial,{OWN_USCC},K23-01-01,,330100,2022-01-10,2027-01-09\n\
         XK06-01-00124,industrial,{OWN_USCC},K23-01-01,,330100,2022-01-10,2027-01-09\n\
         XK06-001-00125,industrial,{OWN_USCC},K23-06-01,,330100,2022-01-10,2027-01-09\n\
         XK06-001-00126,industrial,{OWN_USCC},K23-01-01,,320100,2022-01-10,2027-01-09\n\
         XK06-001-00127,industrial,{OWN_USCC},K23-01-01,,330100,2022-01-10,2021-01-09\n\
         (浙)XK06-001-00123,industrial,{OWN_USCC},K23-01-01,,330100,2022-01-10,2027-01-09\n"
    );
    let (status, rejected) = test.send_text(uri, &test.hangzhou_regulator, "text/csv", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rejected}");
    let named: Vec<(u64, &str)> = rejected["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(named, [(3, "number"), (6, "expires_on")], "fields that do not read first: {rejected}");
    let fits = format!(
        "{HEADER}XK06-001-00125,industrial,{OWN_USCC},K23-06-01,,330100,2022-01-10,2027-01-09\n\
         XK06-001-00126,industrial,{OWN_USCC},K23-01-01,,320100,2022-01-10,2027-01-09\n\
         XK06-001-00128,industrial,{OWN_USCC},K23-01-01,,330100,2022-01-10,2027-01-09\n\
         XK06-001-00128,industrial,{OWN_USCC},K23-01-01,,330100,2022-01-10,2027-01-09\n"
    );
    let (_, rejected) = test.send_text(uri, &test.hangzhou_regulator, "text/csv", &fits).await;
    let named: Vec<(u64, &str, &str)> = rejected["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["row"].as_u64().unwrap(), r["field"].as_str().unwrap(), r["code"].as_str().unwrap()))
        .collect();
    assert_eq!(named, [(2, "products", "invalid_request"), (3, "issued_by", "forbidden"), (5, "number", "conflict")]);
    assert_eq!(test.state.store.row_counts().await.unwrap(), before, "a rejected upload stores nothing");
    for other in [&test.enterprise, &test.lab] {
        let (status, _) = test.send_text(uri, other, "text/csv", &good).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(test.state.store.row_counts().await.unwrap(), before, "a refused registration stores nothing");
    let (status, receipt) = test.send_text(uri, &test.hangzhou_regulator, "text/csv", &good).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");

    let (status, licence) = test.get_json("/api/v1/licences/(%E6%B5%99)XK06-001-00123").await;
    assert_eq!(status, StatusCode::OK, "{licence}");
    assert_eq!((licence["status"].as_str(), licence["kind"].as_str()), (Some("valid"), Some("industrial")));

    // The earlier wire category (0502) means the catalogue's wires: the licence covers it.
    let catalogue = test.state.catalogue().await.unwrap();
    let day = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    let check = |on: &'static str| {
        let (store, catalogue) = (test.state.store.clone(), catalogue.clone());
        async move { service::licensing::regime_checks(&store, &catalogue, OWN_USCC, "0502", day(on)).await.unwrap() }
    };
    let held = check("2023-05-01").await;
    let licence_check = held.iter().find(|c| c.regime == product_catalogue::Regime::Licence).unwrap();
    assert!(licence_check.held, "{held:?}");
    let ccc = held.iter().find(|c| c.regime == product_catalogue::Regime::Ccc).unwrap();
    assert_eq!((ccc.held, ccc.document.as_deref()), (false, None), "no CCC certificate: {held:?}");

    // Revoked: a sample after that day sees the licence lapsed, the credit file has the revocation.
    let status_uri = "/api/v1/licences/(%E6%B5%99)XK06-001-00123/status";
    let revoke = json!({"status": "revoked", "on": "2024-06-01", "reason": "浙市监罚〔2024〕9号"});
    let unchanged = test.state.store.row_counts().await.unwrap();
    let (status, _) = test.write(Method::POST, status_uri, Some(&test.enterprise), revoke.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(test.state.store.row_counts().await.unwrap(), unchanged, "a refused change stores nothing");
    let (status, revoked) = test.write(Method::POST, status_uri, Some(&test.hangzhou_regulator), revoke).await;
    assert_eq!(status, StatusCode::OK, "{revoked}");
    assert_eq!(revoked["status"], "revoked");
    let lapsed = check("2024-07-01").await;
    let licence_check = lapsed.iter().find(|c| c.regime == product_catalogue::Regime::Licence).unwrap();
    assert_eq!((licence_check.held, licence_check.status.as_deref()), (false, Some("revoked")));
    assert!(check("2024-05-31").await.iter().any(|c| c.regime == product_catalogue::Regime::Licence && c.held));
    let (_, credit) = test.get_json(&format!("/api/v1/organizations/{OWN_USCC}/credit")).await;
    assert!(
        credit["records"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["kind"] == "certificate_revoked" && r["source"] == "licensing"),
        "{credit}"
    );
    let restore = json!({"status": "valid", "on": "2024-07-01", "reason": "复议"});
    let (status, refused) = test.write(Method::POST, status_uri, Some(&test.hangzhou_regulator), restore).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::CONFLICT, Some("wrong_state")), "{refused}");
}
