//! Certification: a body is registered, uploads certificates (all or nothing, every rejected row named) and
//! changes their statuses as the history allows; the public verifies by number, holder and GTIN and checks the
//! signed status statement offline; the holder's credit file takes in a suspension; the change feed follows.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::{TestApp, OWN_USCC};

const HEADER: &str = "number,scheme,body,holder_uscc,manufacturer_uscc,factory_uscc,product_class,product_name,models,gtins,standards,issued_on,expires_on\n";

fn body_uscc() -> String {
    codes::Uscc::assemble("12100000", "40000133").unwrap().to_string()
}

/// Registers CQC and a certifier account for it; returns the account's token.
async fn certifier(test: &TestApp) -> String {
    let body = json!({"approval_number": "CNCA-R-2002-001", "name": "中国质量认证中心", "uscc": body_uscc(),
        "accreditation": "CNAS C001-P", "ccc_code": "01", "schemes": "ccc;voluntary_product", "product_classes": "K23-06;04;K23-01-01"});
    for token in [&test.hangzhou_regulator, &test.enterprise] {
        let (status, _) = test.write(Method::POST, "/api/v1/certification/bodies", Some(token), body.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, registered) = test.write(Method::POST, "/api/v1/certification/bodies", Some(&test.admin), body).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let account = store::NewUser {
        name: "CQC".into(),
        role: store::Role::Certifier,
        region_code: None,
        uscc: Some(body_uscc()),
        login: None,
        password: None,
    };
    test.state.store.add_user(&account).await.unwrap().1
}

fn row(number: &str, class: &str, gtins: &str, issued: &str, expires: &str) -> String {
    format!("{number},ccc,CNCA-R-2002-001,{OWN_USCC},,,{class},塑料玩具,A-1;A-2,{gtins},GB 6675.1-2014;GB 6675.2-2014,{issued},{expires}\n")
}

#[tokio::test]
async fn a_body_uploads_and_suspends_and_the_public_verifies_offline() {
    let test = TestApp::new().await;
    test.organization(OWN_USCC, "杭州乐高玩具有限公司", "330106").await;
    let token = certifier(&test).await;

    // A bad upload names every rejected row and stores nothing.
    let before = test.state.store.row_counts().await.unwrap();
    let bad = [
        HEADER.to_owned(),
        row("2024010601000123", "K23-06-01", "6901234567892", "2024-03-01", "2029-02-28"),
        row("20240106010001", "K23-06-01", "", "2024-03-01", "2029-02-28"),
        row("2024020601000124", "K23-06-01", "", "2024-03-01", "2029-02-28"),
        row("2024010601000125", "K23-06-01", "", "2024-03-01", "2024-02-01"),
        row("2024010601000126", "K23-05-01", "", "2024-03-01", "2029-02-28"),
        row("2024010601000123", "K23-06-01", "", "2024-03-01", "2029-02-28"),
    ]
    .concat();
    let (status, rejected) = test.send_text("/api/v1/certificates", &token, "text/csv", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rejected}");
    assert_eq!(
        crate::rejected_rows(&rejected),
        [(3, "number".into(), "invalid_request".into()), (5, "expires_on".into(), "invalid_request".into())]
    );
    let fits = [
        HEADER.to_owned(),
        row("2024010601000123", "K23-06-01", "6901234567892", "2024-03-01", "2029-02-28"),
        row("2024020601000124", "K23-06-01", "", "2024-03-01", "2029-02-28"),
        row("2024010601000126", "K23-05-01", "", "2024-03-01", "2029-02-28"),
        row("2024010601000123", "K23-06-01", "", "2024-03-01", "2029-02-28"),
    ]
    .concat();
    let (status, rejected) = test.send_text("/api/v1/certificates", &token, "text/csv", &fits).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{rejected}");
    let fields: Vec<(u64, String)> = crate::rejected_rows(&rejected).into_iter().map(|(r, f, _)| (r, f)).collect();
    assert_eq!(fields, [(3, "number".into()), (4, "product_class".into()), (5, "number".into())], "{rejected}");
    assert_eq!(test.state.store.row_counts().await.unwrap(), before, "a rejected upload stores nothing");
    for other in [&test.enterprise, &test.hangzhou_regulator, &test.lab] {
        let (status, _) = test.send_text("/api/v1/certificates", other, "text/csv", &bad).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(test.state.store.row_counts().await.unwrap(), before, "a refused upload stores nothing");

    let good = [
        HEADER.to_owned(),
        row("2024010601000123", "K23-06-01", "6901234567892", "2024-03-01", "2029-02-28"),
        row("200301080111", "0401", "6901234567809", "2003-05-01", "2030-04-30"),
    ]
    .concat();
    let (status, receipt) = test.send_text("/api/v1/certificates", &token, "text/csv", &good).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!((receipt["added"].as_u64(), receipt["amended"].as_u64()), (Some(2), Some(0)));
    let (_, again) = test.send_text("/api/v1/certificates", &token, "text/csv", &good).await;
    assert_eq!(again["unchanged"], 2, "{again}");

    // The public verifies by number, GTIN and holder, with no account.
    let (status, found) = test.get_json("/api/v1/certificates/2024010601000123").await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found["certificate"]["standing"], "valid");
    assert_eq!(found["certificate"]["body_name"], "中国质量认证中心");
    assert_eq!(found["history"][0]["reason"], "issued");
    let (_, old) = test.get_json("/api/v1/certificates/200301080111").await;
    assert_eq!(old["certificate"]["legacy_number"], true);
    let (_, by_gtin) = test.get_json("/api/v1/certificates?gtin=6901234567892").await;
    assert_eq!(by_gtin["certificates"][0]["number"], "2024010601000123");
    let (_, by_holder) = test.get_json(&format!("/api/v1/certificates?holder={OWN_USCC}")).await;
    assert_eq!(by_holder["certificates"].as_array().unwrap().len(), 2);
    let (status, missing) = test.get_json("/api/v1/certificates/2024010601999999").await;
    assert_eq!((status, missing["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));

    // The body suspends the toy certificate; a change the history does not allow is refused whole.
    let today = server::today().to_string();
    let changes = format!(
        "number,status,reason,on,note\n2024010601000123,suspended,sampling_failed,{today},省级监督抽查不合格\n"
    );
    let wrong = format!("{changes}200301080111,valid,restored,{today},\n");
    let (status, rejected) = test.send_text("/api/v1/certificates/status-changes", &token, "text/csv", &wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(crate::rejected_rows(&rejected), [(3, "status".into(), "wrong_state".into())], "{rejected}");
    let (status, receipt) = test.send_text("/api/v1/certificates/status-changes", &token, "text/csv", &changes).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    let (_, suspended) = test.get_json("/api/v1/certificates/2024010601000123").await;
    assert_eq!(suspended["certificate"]["standing"], "suspended");
    // A toy sampled from this holder (the earlier toy category): covered today by the older certificate, which
    // is still valid, though the newer one is suspended; not covered before either was issued.
    let catalogue = test.state.catalogue().await.unwrap();
    let ccc_on = |day: chrono::NaiveDate| {
        let (store, catalogue) = (test.state.store.clone(), catalogue.clone());
        async move {
            let checks = service::licensing::regime_checks(&store, &catalogue, OWN_USCC, "0401", day).await.unwrap();
            checks.into_iter().find(|c| c.regime == product_catalogue::Regime::Ccc).unwrap()
        }
    };
    let now = ccc_on(server::today()).await;
    assert_eq!((now.held, now.document.as_deref()), (true, Some("200301080111")));
    let early = ccc_on(chrono::NaiveDate::from_ymd_opt(2003, 4, 1).unwrap()).await;
    assert_eq!((early.held, early.document.as_deref()), (false, None));

    // The holder's credit file shows it, from the certification workflow.
    let (_, credit) = test.get_json(&format!("/api/v1/organizations/{OWN_USCC}/credit")).await;
    let records = credit["records"].as_array().unwrap();
    assert!(records.iter().any(|r| r["kind"] == "certificate_suspended" && r["source"] == "certification"), "{credit}");

    // One change at a time: withdrawn is final.
    let uri = "/api/v1/certificates/2024010601000123/status";
    let withdraw = json!({"status": "withdrawn", "reason": "suspension_uncorrected", "on": today});
    let (status, withdrawn) = test.write(Method::POST, uri, Some(&token), withdraw).await;
    assert_eq!(status, StatusCode::OK, "{withdrawn}");
    assert_eq!(withdrawn["status"], "withdrawn");
    let restore = json!({"status": "valid", "reason": "restored", "on": today});
    let (status, refused) = test.write(Method::POST, uri, Some(&token), restore.clone()).await;
    assert_eq!((status, refused["code"].as_str()), (StatusCode::CONFLICT, Some("wrong_state")), "{refused}");
    let unchanged = test.state.store.row_counts().await.unwrap();
    let (status, _) = test.write(Method::POST, uri, Some(&test.enterprise), restore).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let cancel = format!("number,status,reason,on,note\n200301080111,cancelled,holder_request,{today},\n");
    for other in [&test.enterprise, &test.hangzhou_regulator] {
        let (status, _) = test.send_text("/api/v1/certificates/status-changes", other, "text/csv", &cancel).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    assert_eq!(test.state.store.row_counts().await.unwrap(), unchanged, "a refused change stores nothing");

    // The feed lists every change in log order; a cursor at its end gives nothing new.
    let (_, feed) = test.get_json("/api/v1/certificates/changes").await;
    let kinds: Vec<(&str, &str)> = feed["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["number"].as_str().unwrap(), c["to_status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("2024010601000123", "valid"),
            ("200301080111", "valid"),
            ("2024010601000123", "suspended"),
            ("2024010601000123", "withdrawn")
        ]
    );
    let (_, rest) = test.get_json(&format!("/api/v1/certificates/changes?after={}", feed["next_after"])).await;
    assert_eq!(rest["changes"], json!([]));

    // The pages: the certificate's live status with its QR code, and a search that says what "not found" means.
    let (status, page) = test.send(Method::GET, "/certificates/2024010601000123", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("撤销") && page.contains("<svg") && page.contains("暂停"), "{page}");
    let (status, svg) = test.send(Method::GET, "/certificates/2024010601000123/qr.svg", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.contains("<svg"));
    let (_, by_gtin) = test.send(Method::GET, "/certificates?gtin=6901234567809&lang=en", None, None).await;
    assert!(by_gtin.contains("200301080111"), "{by_gtin}");
    let (_, none) = test.send(Method::GET, "/certificates?gtin=6901234567816", None, None).await;
    assert!(none.contains("未登记不等于假证"), "{none}");

    // The signed statement checks offline: the certificate's hash is in the entry, the entry is in the signed tree.
    let (status, answer) = test.get_json("/api/v1/certificates/2024010601000123?statement=true").await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let statement = &answer["statement"];
    let entry: Value = serde_json::from_str(statement["entry"].as_str().unwrap()).unwrap();
    assert_eq!(
        (entry["status"].as_str(), entry["reason"].as_str()),
        (Some("withdrawn"), Some("suspension_uncorrected"))
    );
    let certificate = statement["certificate"].as_str().unwrap();
    assert_eq!(entry["certificate_sha256"].as_str().unwrap(), hex::encode(Sha256::digest(certificate.as_bytes())));
    let (_, key) = test.get_json("/api/v1/log/public-key").await;
    let key = key["verifier_key"].as_str().unwrap();
    let parsed: service::certification::StatusStatement = serde_json::from_value(statement.clone()).unwrap();
    let checked = service::certification::check_statement(&parsed, key).unwrap();
    assert_eq!((checked.number.as_str(), checked.status.as_str()), ("2024010601000123", "withdrawn"));
    // A shop keeps the statement: a status edited in it, or another certificate swapped in, no longer checks.
    let forged = service::certification::StatusStatement {
        entry: parsed.entry.replace("\"withdrawn\"", "\"valid\""),
        ..parsed.clone()
    };
    assert!(service::certification::check_statement(&forged, key)
        .unwrap_err()
        .to_string()
        .contains("not in the signed log"));
    let swapped =
        service::certification::StatusStatement { certificate: parsed.certificate.replace("A-1", "A-9"), ..parsed };
    assert!(service::certification::check_statement(&swapped, key).is_err());
}

/// An upload larger than the writer's prepared chunks stores every certificate once, and the statements of the
/// first, a chunk's edge and the last check offline against one signed tree.
#[tokio::test]
async fn a_large_upload_is_stored_whole_and_each_statement_checks() {
    let test = TestApp::new().await;
    test.organization(OWN_USCC, "杭州乐高玩具有限公司", "330106").await;
    let token = certifier(&test).await;
    let count = 12_001;
    let number = |i: usize| format!("2024010601{:06}", i + 1);
    let mut text = HEADER.to_owned();
    for i in 0..count {
        text.push_str(&row(&number(i), "K23-06-01", "", "2024-03-01", "2029-02-28"));
    }
    let (status, receipt) = test.send_text("/api/v1/certificates", &token, "text/csv", &text).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(receipt["added"], count);
    let (_, key) = test.get_json("/api/v1/log/public-key").await;
    let key = key["verifier_key"].as_str().unwrap().to_owned();
    let mut log_indexes = Vec::new();
    for i in [0, 4_999, 5_000, 10_000, count - 1] {
        let (status, answer) = test.get_json(&format!("/api/v1/certificates/{}?statement=true", number(i))).await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        let parsed: service::certification::StatusStatement =
            serde_json::from_value(answer["statement"].clone()).unwrap();
        let checked = service::certification::check_statement(&parsed, &key).unwrap();
        assert_eq!((checked.number, checked.status.as_str()), (number(i), "valid"));
        log_indexes.push(parsed.log_index);
    }
    assert!(log_indexes.windows(2).all(|w| w[1] > w[0]), "entries in upload order: {log_indexes:?}");
    assert_eq!(log_indexes[4] - log_indexes[0], count as i64 - 1, "one entry each, none skipped");
}
