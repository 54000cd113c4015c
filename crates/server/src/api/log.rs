//! The public transparency log (公开记录) over HTTP: signed checkpoints, the public key, entries, and inclusion and
//! consistency proofs, for anyone to check that published credit records, recalls, warnings and results were
//! neither changed nor removed. Everything here is public.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use translog::{check_cosignature, consistency_plan, inclusion_plan, key_id, NoteVerifier};

use crate::auth::AuthUser;
use crate::ownership::{self, Record};
use crate::{ApiError, AppState};
use service::log::{cosigned_note, current_checkpoint, inconsistent, signer, PAGE};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/log/checkpoint", get(checkpoint))
        .route("/api/v1/log/note", get(note))
        .route("/api/v1/log/public-key", get(public_key))
        .route("/api/v1/log/entries", get(entries))
        .route("/api/v1/log/proof/inclusion", get(inclusion))
        .route("/api/v1/log/proof/consistency", get(consistency))
        .route("/api/v1/log/witnesses", get(witnesses))
        .route("/api/v1/log/witnesses/{name}", axum::routing::put(register_witness))
        .route("/api/v1/log/cosignatures", axum::routing::post(add_cosignature))
}

/// `GET /api/v1/log/checkpoint`: the checkpoint as JSON, its signed note (with cosignatures) inside.
async fn checkpoint(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let stored = current_checkpoint(&state).await?;
    let note = cosigned_note(&state, &stored).await?;
    Ok(Json(json!({"origin": state.log.config.origin, "tree_size": stored.tree_size, "root_hash": stored.root_hash,
        "signed_at": stored.signed_at, "key_id": stored.key_id, "note": note})))
}

/// `GET /api/v1/log/note`: the checkpoint as a C2SP signed note, as witnesses and note tools read it.
async fn note(State(state): State<AppState>) -> Result<Response, ApiError> {
    let stored = current_checkpoint(&state).await?;
    let note = cosigned_note(&state, &stored).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response())
}

/// `GET /api/v1/log/public-key`.
async fn public_key(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let signer = signer(&state).await?;
    let key = signer.public();
    Ok(Json(json!({"algorithm": "Ed25519", "origin": state.log.config.origin, "key_id": key_id(&key),
        "public_key": BASE64.encode(key.as_bytes()), "verifier_key": signer.verifier_key(),
        "format": "C2SP tlog-checkpoint body (origin, tree size, base64 root) signed as a C2SP signed note"})))
}

/// `GET /api/v1/log/witnesses`: the witnesses whose cosignatures the log accepts.
async fn witnesses(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let items: Vec<Value> = state
        .store
        .log_witnesses()
        .await?
        .into_iter()
        .map(|(name, vkey)| json!({"name": name, "verifier_key": vkey}))
        .collect();
    Ok(Json(json!({"items": items})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WitnessBody {
    verifier_key: Option<String>,
}

/// `PUT /api/v1/log/witnesses/{name}`: an administrator registers a witness by its `cosignature/v1` verifier key.
async fn register_witness(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(name): Path<String>,
    body: Result<Json<WitnessBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(super::json_rejection)?;
    ownership::check(Record::LogWitness, &user, &["name", "verifier_key"])?;
    let vkey = body.verifier_key.ok_or_else(|| ApiError::invalid("verifier_key is required"))?;
    let witness = NoteVerifier::parse(&vkey).map_err(ApiError::invalid)?;
    if !witness.is_cosigner() || witness.key_name() != name {
        return Err(ApiError::invalid(format!("verifier_key must be a cosignature/v1 key (type 0x04) named {name}")));
    }
    state.store.set_log_witness(&name, &witness.encode(), Some(user.id)).await?;
    Ok(Json(json!({"name": name, "verifier_key": witness.encode()})))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CosignatureBody {
    tree_size: Option<i64>,
    /// The witness's signature line: `— name base64(key id ‖ time ‖ signature)`.
    line: Option<String>,
}

/// `POST /api/v1/log/cosignatures`: a registered witness's cosignature of a signed checkpoint; checked against
/// the witness's key and the checkpoint's body, then served with the note.
async fn add_cosignature(
    State(state): State<AppState>,
    body: Result<Json<CosignatureBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(super::json_rejection)?;
    let line = body.line.ok_or_else(|| ApiError::invalid("line is required"))?;
    let line = format!("{}\n", line.trim_end_matches('\n'));
    let name = line.strip_prefix("\u{2014} ").and_then(|rest| rest.split(' ').next()).unwrap_or_default().to_owned();
    let witnesses = state.store.log_witnesses().await?;
    let (_, vkey) = witnesses
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| ApiError::forbidden(format!("'{name}' is not a registered witness of this log")))?;
    let witness = NoteVerifier::parse(vkey).map_err(ApiError::invalid)?;
    let checkpoint = match body.tree_size {
        Some(size) => state.store.checkpoint_at(size).await?,
        None => Some(current_checkpoint(&state).await?),
    }
    .ok_or_else(|| ApiError::not_found("no checkpoint of that size was signed"))?;
    let opened = translog::open(&checkpoint.note, &signer(&state).await?.verifier(), &[])
        .map_err(|e| inconsistent(format!("the stored checkpoint does not open: {e}")))?;
    let time = check_cosignature(&opened.checkpoint.body(), &line, &witness).map_err(ApiError::invalid)?;
    state.store.save_cosignature(checkpoint.tree_size, &name, &line, time as i64).await?;
    Ok(Json(json!({"tree_size": checkpoint.tree_size, "witness": name, "time": time})))
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
        return Err(ApiError::invalid(format!("start {start} is outside the log of {size} entries")));
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
        return Err(ApiError::invalid(format!("tree_size {tree_size} is beyond the log's {size} entries")));
    }
    let plan = inclusion_plan(params.index, tree_size).map_err(ApiError::invalid)?;
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
        return Err(ApiError::invalid(format!("second {second} is beyond the log's {size} entries")));
    }
    let plan = consistency_plan(params.first, second).map_err(ApiError::invalid)?;
    let proof = assemble(&state, &plan).await?;
    Ok(Json(json!({"first": params.first, "second": second, "proof": hexes(&proof)})))
}
