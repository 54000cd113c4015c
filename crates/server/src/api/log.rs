//! The public transparency log (公开记录) over HTTP: signed checkpoints, the public key, entries, and inclusion and
//! consistency proofs, for anyone to check that published credit records, recalls, warnings and results were
//! neither changed nor removed. Everything here is public.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::SigningKey;
use serde::Deserialize;
use serde_json::{json, Value};
use store::public_log::StoredCheckpoint;
use translog::{consistency_plan, inclusion_plan, key_id, Checkpoint};

use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/log/checkpoint", get(checkpoint))
        .route("/api/v1/log/public-key", get(public_key))
        .route("/api/v1/log/entries", get(entries))
        .route("/api/v1/log/proof/inclusion", get(inclusion))
        .route("/api/v1/log/proof/consistency", get(consistency))
}

/// Entries a page holds at most.
const PAGE: i64 = 1_000;

/// The environment variable that may hold the signing seed (64 hex characters); otherwise the store keeps one.
pub const SEED_VARIABLE: &str = "ZHILIANG_LOG_SEED";

fn invalid(message: impl ToString) -> ApiError {
    ApiError::bad_request("invalid_request", message)
}

/// The log's signing key: from the environment, or the one the store keeps (made on first use).
pub(crate) async fn signing_key(state: &AppState) -> Result<&SigningKey, ApiError> {
    state
        .log_key
        .get_or_try_init(|| async {
            let seed = match std::env::var(SEED_VARIABLE) {
                Ok(text) => text,
                Err(_) => {
                    let fresh = SigningKey::from_bytes(&rand::random::<[u8; 32]>());
                    let public = fresh.verifying_key();
                    let generated = (key_id(&public), hex::encode(public.as_bytes()), hex::encode(fresh.to_bytes()));
                    state.store.log_seed((&generated.0, &generated.1, &generated.2)).await?
                }
            };
            let bytes: [u8; 32] = hex::decode(seed.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| invalid(format!("{SEED_VARIABLE} is not 64 hex characters")))?;
            Ok::<_, ApiError>(SigningKey::from_bytes(&bytes))
        })
        .await
}

fn checkpoint_json(stored: &StoredCheckpoint) -> Value {
    json!({"tree_size": stored.tree_size, "root_hash": stored.root_hash, "timestamp": stored.timestamp,
        "signature": stored.signature, "key_id": stored.key_id})
}

/// The checkpoint of the log as it stands: the stored one if the log has not grown since, else a new one, signed.
pub(crate) async fn current_checkpoint(state: &AppState) -> Result<StoredCheckpoint, ApiError> {
    let size = state.store.log_size().await?;
    if let Some(latest) = state.store.latest_checkpoint().await? {
        if latest.tree_size as u64 == size {
            return Ok(latest);
        }
    }
    let key = signing_key(state).await?;
    let root = state.store.log_root(size).await?;
    let timestamp = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let checkpoint = Checkpoint { tree_size: size, root_hash: root, timestamp };
    let stored = StoredCheckpoint {
        tree_size: size as i64,
        root_hash: hex::encode(root),
        timestamp: checkpoint.timestamp.clone(),
        signature: BASE64.encode(checkpoint.sign(key)),
        key_id: key_id(&key.verifying_key()),
    };
    state.store.save_checkpoint(&stored).await?;
    // Another request may have signed this size first; its checkpoint is the one kept.
    Ok(state.store.latest_checkpoint().await?.filter(|c| c.tree_size == stored.tree_size).unwrap_or(stored))
}

/// `GET /api/v1/log/checkpoint`.
async fn checkpoint(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(checkpoint_json(&current_checkpoint(&state).await?)))
}

/// `GET /api/v1/log/public-key`.
async fn public_key(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let key = signing_key(&state).await?.verifying_key();
    Ok(Json(json!({"algorithm": "Ed25519", "key_id": key_id(&key), "public_key": BASE64.encode(key.as_bytes()),
        "signed_bytes": "zhiliang transparency log v1\\n{tree_size}\\n{root_hash hex}\\n{timestamp}\\n"})))
}

#[derive(Debug, Deserialize)]
struct EntriesParams {
    start: Option<i64>,
    end: Option<i64>,
}

/// `GET /api/v1/log/entries?start=&end=`: `end` exclusive, at most 1,000 a page.
async fn entries(State(state): State<AppState>, Query(params): Query<EntriesParams>) -> Result<Json<Value>, ApiError> {
    let size = state.store.log_size().await? as i64;
    let start = params.start.unwrap_or(0);
    let end = params.end.unwrap_or(size).min(size).min(start.saturating_add(PAGE));
    if start < 0 || start > size {
        return Err(invalid(format!("start {start} is outside the log of {size} entries")));
    }
    let rows = state.store.log_entries(start, end.max(start)).await?;
    let entries: Vec<Value> = rows
        .iter()
        .map(|e| {
            json!({"index": e.idx, "kind": e.kind, "subject": e.subject, "data": BASE64.encode(e.data.as_bytes()),
                "entry": serde_json::from_str::<Value>(&e.data).unwrap_or(Value::Null), "created_at": e.created_at})
        })
        .collect();
    Ok(Json(json!({"tree_size": size, "start": start, "end": end.max(start), "entries": entries})))
}

#[derive(Debug, Deserialize)]
struct InclusionParams {
    index: u64,
    tree_size: Option<u64>,
}

fn hexes(hashes: &[translog::Hash]) -> Vec<String> {
    hashes.iter().map(hex::encode).collect()
}

/// The proof's hashes from stored nodes.
async fn assemble(state: &AppState, plan: &translog::Plan) -> Result<Vec<translog::Hash>, ApiError> {
    let nodes = state.store.log_nodes(&plan.nodes()).await?;
    plan.assemble(|n| nodes.get(&n).copied())
        .ok_or_else(|| ApiError::from(store::StoreError::Conflict("the log is missing nodes for this proof".into())))
}

/// `GET /api/v1/log/proof/inclusion?index=&tree_size=` (the current size by default).
async fn inclusion(
    State(state): State<AppState>,
    Query(params): Query<InclusionParams>,
) -> Result<Json<Value>, ApiError> {
    let size = state.store.log_size().await?;
    let tree_size = params.tree_size.unwrap_or(size);
    if tree_size > size {
        return Err(invalid(format!("tree_size {tree_size} is beyond the log's {size} entries")));
    }
    let plan = inclusion_plan(params.index, tree_size).map_err(invalid)?;
    let path = assemble(&state, &plan).await?;
    Ok(Json(json!({"index": params.index, "tree_size": tree_size, "audit_path": hexes(&path)})))
}

#[derive(Debug, Deserialize)]
struct ConsistencyParams {
    first: u64,
    second: Option<u64>,
}

/// `GET /api/v1/log/proof/consistency?first=&second=` (the current size by default).
async fn consistency(
    State(state): State<AppState>,
    Query(params): Query<ConsistencyParams>,
) -> Result<Json<Value>, ApiError> {
    let size = state.store.log_size().await?;
    let second = params.second.unwrap_or(size);
    if second > size {
        return Err(invalid(format!("second {second} is beyond the log's {size} entries")));
    }
    let plan = consistency_plan(params.first, second).map_err(invalid)?;
    let proof = assemble(&state, &plan).await?;
    Ok(Json(json!({"first": params.first, "second": second, "proof": hexes(&proof)})))
}
