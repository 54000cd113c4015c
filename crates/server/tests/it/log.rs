//! The public log over HTTP: a published warning becomes an entry in the same transaction; the checkpoint is
//! signed by the published key; inclusion and consistency proofs from the API verify against the checkpoints.

use axum::http::{Method, StatusCode};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Value};
use translog::{leaf_hash, verify_consistency, verify_inclusion, Hash, NoteVerifier};

use crate::TestApp;

fn hash(value: &Value) -> Hash {
    hex::decode(value.as_str().unwrap()).unwrap().try_into().unwrap()
}

/// Opens the checkpoint's note with the published verifier key, checking it against the raw public key too;
/// returns its size and root.
async fn signed_checkpoint(test: &TestApp) -> (u64, Hash) {
    let (_, key) = test.get_json("/api/v1/log/public-key").await;
    let raw: [u8; 32] = BASE64.decode(key["public_key"].as_str().unwrap()).unwrap().try_into().unwrap();
    let raw = ed25519_dalek::VerifyingKey::from_bytes(&raw).unwrap();
    let verifier = NoteVerifier::parse(key["verifier_key"].as_str().unwrap()).unwrap();
    assert_eq!(verifier.public(), &raw);
    let (status, checkpoint) = test.get_json("/api/v1/log/checkpoint").await;
    assert_eq!(status, StatusCode::OK, "{checkpoint}");
    let opened = translog::open(checkpoint["note"].as_str().unwrap(), &verifier, &[]).unwrap().checkpoint;
    assert_eq!(checkpoint["tree_size"].as_u64(), Some(opened.tree_size));
    assert_eq!(hash(&checkpoint["root_hash"]), opened.root_hash);
    assert_eq!(checkpoint["key_id"], translog::key_id(&raw));
    (opened.tree_size, opened.root_hash)
}

#[tokio::test]
async fn published_warnings_are_logged_and_provable() {
    let test = TestApp::new().await;
    let (size, root) = signed_checkpoint(&test).await;
    assert_eq!((size, root), (0, translog::empty_root()));

    let assessment = json!({"title": "充电宝起火", "product_code": "0504", "hazard": "battery_fire", "severity": 3,
        "steps": [{"description": "电芯缺陷", "probability": 0.01}]});
    let (_, assessed) =
        test.write(Method::POST, "/api/v1/risk-assessments", Some(&test.hangzhou_regulator), assessment).await;
    let draft = json!({"assessment_id": assessed["id"], "title": "关于充电宝的风险警示", "body": "请勿购买无 3C 标志的充电宝。", "scope": {"regions": ["330100"]}});
    let (_, warning) = test.write(Method::POST, "/api/v1/warnings", Some(&test.hangzhou_regulator), draft).await;
    let id = warning["id"].as_str().unwrap().to_owned();
    test.write(Method::POST, &format!("/api/v1/warnings/{id}/review"), Some(&test.admin), json!({})).await;
    let (status, _) = test
        .write(Method::POST, &format!("/api/v1/warnings/{id}/publish"), Some(&test.hangzhou_regulator), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (size, first_root) = signed_checkpoint(&test).await;
    assert_eq!(size, 1, "the publication is the log's first entry");
    let (_, page) = test.get_json("/api/v1/log/entries?start=0&end=10").await;
    let entry = &page["entries"][0];
    assert_eq!((entry["entry"]["id"].as_str(), entry["entry"]["event"].as_str()), (Some(id.as_str()), Some("publish")));
    let data = BASE64.decode(entry["data"].as_str().unwrap()).unwrap();
    assert_eq!(
        serde_json::from_slice::<Value>(&data).unwrap().to_string().as_bytes(),
        data.as_slice(),
        "canonical bytes"
    );
    assert_eq!(leaf_hash(&data), first_root, "a one-leaf tree's root is its leaf");

    let (status, _) = test
        .write(
            Method::POST,
            &format!("/api/v1/warnings/{id}/withdraw"),
            Some(&test.hangzhou_regulator),
            json!({"note": "误报"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (size, root) = signed_checkpoint(&test).await;
    assert_eq!(size, 2);
    let (_, proof) = test.get_json("/api/v1/log/proof/inclusion?index=0&tree_size=2").await;
    let path: Vec<Hash> = proof["audit_path"].as_array().unwrap().iter().map(hash).collect();
    verify_inclusion(&leaf_hash(&data), 0, 2, &path, &root).unwrap();
    let (_, proof) = test.get_json("/api/v1/log/proof/consistency?first=1&second=2").await;
    let proof: Vec<Hash> = proof["proof"].as_array().unwrap().iter().map(hash).collect();
    verify_consistency(1, 2, &first_root, &root, &proof).unwrap();

    let (status, _) = test.get_json("/api/v1/log/proof/inclusion?index=5&tree_size=2").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = test.get_json("/api/v1/log/proof/consistency?first=1&second=9").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// A GET answered by another server state over the same database.
async fn get_json_from(state: server::AppState, uri: &str) -> (StatusCode, Value) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::builder().uri(uri).body(axum::body::Body::empty()).unwrap();
    let response = server::app(state).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// Appends `count` entries to the log as the workflows do, inside the store.
async fn append(test: &TestApp, from: usize, count: usize) {
    let entries: Vec<store::public_log::NewEntry> = (from..from + count)
        .map(|i| store::public_log::NewEntry {
            kind: "test".into(),
            subject: format!("S{i}"),
            data: store::public_log::canonical(&json!({"n": i, "name": "示范企业"})),
        })
        .collect();
    test.state.store.append_log(&entries).await.unwrap();
}

/// Rewrites entry `index` as a database writer would: new bytes, its leaf and every node above it recomputed,
/// the checkpoints deleted.
async fn rewrite_entry(test: &TestApp, index: u64, data: &str) {
    let path = test.state.store.sqlite_path().unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    let size: u64 = raw.query_row("SELECT tree_size FROM log_state", [], |r| r.get(0)).unwrap();
    let leaf = leaf_hash(data.as_bytes());
    raw.execute(
        "UPDATE log_entries SET data = ?1, leaf_hash = ?2 WHERE idx = ?3",
        rusqlite::params![data, hex::encode(leaf), index as i64],
    )
    .unwrap();
    let mut frontier = translog::Frontier::default();
    let mut stmt = raw.prepare("SELECT data FROM log_entries ORDER BY idx").unwrap();
    let all: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
    assert_eq!(all.len() as u64, size);
    raw.execute("DELETE FROM log_nodes", []).unwrap();
    for entry in &all {
        for (node, hash) in frontier.append(leaf_hash(entry.as_bytes())) {
            raw.execute(
                "INSERT INTO log_nodes (level, idx, hash) VALUES (?1, ?2, ?3)",
                rusqlite::params![node.level, node.index as i64, hex::encode(hash)],
            )
            .unwrap();
        }
    }
    raw.execute("DELETE FROM log_cosignatures", []).unwrap();
    raw.execute("DELETE FROM log_checkpoints", []).unwrap();
}

#[tokio::test]
async fn a_rewritten_log_is_refused_by_the_server_that_signed_it() {
    let test = TestApp::on_sqlite().await;
    append(&test, 0, 10).await;
    let (size, _) = signed_checkpoint(&test).await;
    assert_eq!(size, 10);
    // The database holds the public half only; the seed is in a key file that others may not read.
    let path = test.state.store.sqlite_path().unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    let seeds: i64 = raw.query_row("SELECT COUNT(*) FROM log_keys WHERE seed <> ''", [], |r| r.get(0)).unwrap();
    assert_eq!(seeds, 0);
    let key_file = test.state.log.config.key_file.clone();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600);

    rewrite_entry(&test, 3, &store::public_log::canonical(&json!({"n": 3, "name": "改写的企业"}))).await;
    let (status, problem) = test.get_json("/api/v1/log/checkpoint").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("log_inconsistent")));
    // Growing the rewritten log does not launder it either.
    append(&test, 10, 2).await;
    let (status, problem) = test.get_json("/api/v1/log/checkpoint").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert!(problem["message"].as_str().unwrap().contains("signed at 10 entries"), "{problem}");
    assert_eq!(test.get_json("/api/v1/log/note").await.0, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_server_refuses_a_key_other_than_the_registered_one_and_bytes_that_miss_their_leaf() {
    let test = TestApp::on_sqlite().await;
    append(&test, 0, 3).await;
    signed_checkpoint(&test).await;
    // Another server over the same database with a key of its own may not sign this log.
    let dir = tempfile::tempdir().unwrap();
    let other = server::AppState::new(test.state.store.clone())
        .with_log(server::log_signing::LogConfig::in_dir(dir.path(), "zhiliang.local/public-log"));
    append(&test, 3, 1).await;
    let (status, problem) = get_json_from(other, "/api/v1/log/checkpoint").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("log_unavailable")));
    assert!(!problem.to_string().contains("log.key"), "no file names reach the client: {problem}");
    // New entries whose bytes were changed after they were appended are not signed.
    let path = test.state.store.sqlite_path().unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    raw.execute("UPDATE log_entries SET data = '{\"n\":99}' WHERE idx = 3", []).unwrap();
    let (status, problem) = test.get_json("/api/v1/log/checkpoint").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{problem}");
    assert!(problem["message"].as_str().unwrap().starts_with("entry 3:"), "{problem}");
}

#[tokio::test]
async fn witnesses_cosign_checkpoints_and_the_note_carries_their_lines() {
    let test = TestApp::new().await;
    append(&test, 0, 4).await;
    let witness_key = ed25519_dalek::SigningKey::from_bytes(&[42; 32]);
    let witness = NoteVerifier::cosigner("witness.example", witness_key.verifying_key());
    let register = json!({"verifier_key": witness.encode()});
    let (status, _) = test
        .write(Method::PUT, "/api/v1/log/witnesses/witness.example", Some(&test.enterprise), register.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(test.get_json("/api/v1/log/witnesses").await.1["items"], json!([]), "nothing registered");
    let (status, answer) =
        test.write(Method::PUT, "/api/v1/log/witnesses/witness.example", Some(&test.admin), register).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (_, checkpoint) = test.get_json("/api/v1/log/checkpoint").await;
    let body = checkpoint["note"].as_str().unwrap().split("\n\n").next().unwrap().to_owned() + "\n";
    let line = translog::cosign(&body, "witness.example", &witness_key, 1_767_225_600);
    let (status, answer) =
        test.write(Method::POST, "/api/v1/log/cosignatures", None, json!({"tree_size": 4, "line": line})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    // A line over another body, or from a key the log does not know, is refused.
    let forged = translog::cosign(&body.replace("\n4\n", "\n5\n"), "witness.example", &witness_key, 1_767_225_601);
    let (status, _) =
        test.write(Method::POST, "/api/v1/log/cosignatures", None, json!({"tree_size": 4, "line": forged})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let stranger = translog::cosign(&body, "stranger.example", &witness_key, 1_767_225_600);
    let (status, _) =
        test.write(Method::POST, "/api/v1/log/cosignatures", None, json!({"tree_size": 4, "line": stranger})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, note) = test.send(Method::GET, "/api/v1/log/note", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let (_, key) = test.get_json("/api/v1/log/public-key").await;
    let log = NoteVerifier::parse(key["verifier_key"].as_str().unwrap()).unwrap();
    let opened = translog::open(&note, &log, std::slice::from_ref(&witness)).unwrap();
    assert_eq!(opened.cosigned_by, vec![("witness.example".to_owned(), 1_767_225_600)]);
}
