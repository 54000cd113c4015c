//! The public log over HTTP: a published warning becomes an entry in the same transaction; the checkpoint is
//! signed by the published key; inclusion and consistency proofs from the API verify against the checkpoints.

use axum::http::{Method, StatusCode};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Value};
use translog::{leaf_hash, verify_consistency, verify_inclusion, Checkpoint, Hash};

use crate::TestApp;

fn hash(value: &Value) -> Hash {
    hex::decode(value.as_str().unwrap()).unwrap().try_into().unwrap()
}

/// Checks a checkpoint's signature with the published key; returns its size and root.
async fn signed_checkpoint(test: &TestApp) -> (u64, Hash) {
    let (_, key) = test.get_json("/api/v1/log/public-key").await;
    let key: [u8; 32] = BASE64.decode(key["public_key"].as_str().unwrap()).unwrap().try_into().unwrap();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key).unwrap();
    let (status, checkpoint) = test.get_json("/api/v1/log/checkpoint").await;
    assert_eq!(status, StatusCode::OK);
    let signed = Checkpoint {
        tree_size: checkpoint["tree_size"].as_u64().unwrap(),
        root_hash: hash(&checkpoint["root_hash"]),
        timestamp: checkpoint["timestamp"].as_str().unwrap().into(),
    };
    signed.verify(&key, &BASE64.decode(checkpoint["signature"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(checkpoint["key_id"], translog::key_id(&key));
    (signed.tree_size, signed.root_hash)
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
