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
use serde::{Deserialize, Serialize};
use serde_json::Value;
use service::error::ErrorBody;
use translog::{consistency_plan, key_id};
use utoipa::ToSchema;

use crate::auth::AuthUser;
use crate::{ApiError, AppState};
use service::log::{cosigned_note, current_checkpoint, signer, CosignatureBody, Cosigned, Witness, WitnessBody};

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

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    checkpoint,
    note,
    public_key,
    entries,
    inclusion,
    consistency,
    witnesses,
    register_witness,
    add_cosignature
))]
pub(super) struct Api;

/// The log's checkpoint as JSON.
#[derive(Debug, Serialize, ToSchema)]
struct CheckpointView {
    /// The log's C2SP origin (its key name).
    origin: String,
    tree_size: i64,
    /// The RFC 6962 root, hex.
    root_hash: String,
    /// When the server signed it (RFC 3339 UTC); not part of the signed text.
    signed_at: String,
    key_id: String,
    /// The C2SP signed note with the witnesses' cosignature lines.
    note: String,
}

/// The log's checkpoint as JSON, its signed note (with cosignatures) inside
///
/// {tree_size, root_hash (hex), key_id, signed_at, note}, the note a C2SP signed note with the witnesses'
/// cosignatures.
#[utoipa::path(get, path = "/api/v1/log/checkpoint", tag = "public log",
    responses((status = 200, description = "the checkpoint", body = CheckpointView),
              (status = 503, description = "log_unavailable or log_inconsistent", body = ErrorBody)))]
async fn checkpoint(State(state): State<AppState>) -> Result<Json<CheckpointView>, ApiError> {
    let stored = current_checkpoint(&state).await?;
    let note = cosigned_note(&state, &stored).await?;
    Ok(Json(CheckpointView {
        origin: state.log.config.origin.clone(),
        tree_size: stored.tree_size,
        root_hash: stored.root_hash,
        signed_at: stored.signed_at,
        key_id: stored.key_id,
        note,
    }))
}

/// The checkpoint as a C2SP signed note (text/plain), as witnesses and note tools read it
#[utoipa::path(get, path = "/api/v1/log/note", tag = "public log",
    responses((status = 200, description = "the note, with the witnesses' cosignature lines", body = String, content_type = "text/plain"),
              (status = 503, description = "log_unavailable or log_inconsistent", body = ErrorBody)))]
async fn note(State(state): State<AppState>) -> Result<Response, ApiError> {
    let stored = current_checkpoint(&state).await?;
    let note = cosigned_note(&state, &stored).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], note).into_response())
}

/// The key that signs checkpoints.
#[derive(Debug, Serialize, ToSchema)]
struct PublicKey {
    /// Always Ed25519.
    algorithm: &'static str,
    origin: String,
    key_id: String,
    /// The Ed25519 public key, base64.
    public_key: String,
    /// The C2SP verifier key: `name+hex(id)+base64(0x01 ‖ key)`.
    verifier_key: String,
    /// What is signed.
    format: &'static str,
}

/// The Ed25519 public key (base64) that signs checkpoints, with its key_id
#[utoipa::path(get, path = "/api/v1/log/public-key", tag = "public log",
    responses((status = 200, description = "the key", body = PublicKey),
              (status = 503, description = "log_unavailable", body = ErrorBody)))]
async fn public_key(State(state): State<AppState>) -> Result<Json<PublicKey>, ApiError> {
    let signer = signer(&state).await?;
    let key = signer.public();
    Ok(Json(PublicKey {
        algorithm: "Ed25519",
        origin: state.log.config.origin.clone(),
        key_id: key_id(&key),
        public_key: BASE64.encode(key.as_bytes()),
        verifier_key: signer.verifier_key(),
        format: "C2SP tlog-checkpoint body (origin, tree size, base64 root) signed as a C2SP signed note",
    }))
}

/// The registered witnesses.
#[derive(Debug, Serialize, ToSchema)]
struct Witnesses {
    items: Vec<Witness>,
}

/// The witnesses whose cosignatures the log accepts, with their cosignature/v1 verifier keys
#[utoipa::path(get, path = "/api/v1/log/witnesses", tag = "public log",
    responses((status = 200, description = "{items: [{name, verifier_key}]}", body = Witnesses)))]
async fn witnesses(State(state): State<AppState>) -> Result<Json<Witnesses>, ApiError> {
    let items: Vec<Witness> = state
        .store
        .log_witnesses()
        .await?
        .into_iter()
        .map(|(name, verifier_key)| Witness { name, verifier_key })
        .collect();
    Ok(Json(Witnesses { items }))
}

/// An administrator registers a witness by its cosignature/v1 verifier key
#[utoipa::path(put, path = "/api/v1/log/witnesses/{name}", tag = "public log", security(("bearer" = [])),
    params(("name" = String, Path, description = "the witness's name, as its verifier key names it")),
    request_body = WitnessBody,
    responses((status = 200, description = "the witness", body = Witness),
              (status = 400, description = "invalid_request: no verifier_key, or not a cosignature/v1 key of this name", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn register_witness(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(name): Path<String>,
    body: Result<Json<WitnessBody>, JsonRejection>,
) -> Result<Json<Witness>, ApiError> {
    let Json(body) = body.map_err(super::json_rejection)?;
    Ok(Json(service::log::register_witness(&state, &user, &name, body).await?))
}

/// A registered witness's cosignature line of a signed checkpoint
///
/// Of the current checkpoint unless tree_size names another; checked against the witness's key and the
/// checkpoint's body, then served with the note.
#[utoipa::path(post, path = "/api/v1/log/cosignatures", tag = "public log",
    request_body = CosignatureBody,
    responses((status = 200, description = "{tree_size, witness, time}", body = Cosigned),
              (status = 400, description = "invalid_request: no line, or a cosignature that does not verify", body = ErrorBody),
              (status = 403, description = "forbidden: not a registered witness", body = ErrorBody),
              (status = 404, description = "not_found: no checkpoint of that size was signed", body = ErrorBody),
              (status = 503, description = "log_unavailable or log_inconsistent", body = ErrorBody)))]
async fn add_cosignature(
    State(state): State<AppState>,
    body: Result<Json<CosignatureBody>, JsonRejection>,
) -> Result<Json<Cosigned>, ApiError> {
    let Json(body) = body.map_err(super::json_rejection)?;
    Ok(Json(service::log::add_cosignature(&state, body).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct EntriesParams {
    /// The first entry; 0 by default.
    #[param(minimum = 0)]
    start: Option<i64>,
    /// One past the last entry; the log's size by default, and at most start + 1,000.
    end: Option<i64>,
}

/// An entry of the log.
#[derive(Debug, Serialize, ToSchema)]
struct LogEntryView {
    index: i64,
    kind: String,
    subject: String,
    /// Base64 of the canonical bytes the leaf hashes.
    data: String,
    /// The bytes decoded as JSON.
    #[schema(value_type = Object)]
    entry: Value,
    created_at: String,
}

/// A page of entries.
#[derive(Debug, Serialize, ToSchema)]
struct LogEntries {
    tree_size: i64,
    start: i64,
    /// Exclusive.
    end: i64,
    entries: Vec<LogEntryView>,
}

/// Entries [start, end), at most 1,000
///
/// Each is {index, kind, subject, data (base64 of the canonical bytes), entry (decoded JSON)}.
#[utoipa::path(get, path = "/api/v1/log/entries", tag = "public log", params(EntriesParams),
    responses((status = 200, description = "{tree_size, start, end, entries}", body = LogEntries),
              (status = 400, description = "invalid_request: start outside the log", body = ErrorBody)))]
async fn entries(
    State(state): State<AppState>,
    Query(params): Query<EntriesParams>,
) -> Result<Json<LogEntries>, ApiError> {
    let size = state.store.log_size().await? as i64;
    let start = params.start.unwrap_or(0);
    let end = params.end.unwrap_or(size).min(size).min(start.saturating_add(state.settings.log_page_size));
    if start < 0 || start > size {
        return Err(ApiError::invalid(format!("start {start} is outside the log of {size} entries")));
    }
    let rows = state.store.log_entries(start, end.max(start)).await?;
    let entries: Vec<LogEntryView> = rows
        .into_iter()
        .map(|e| LogEntryView {
            index: e.idx,
            data: BASE64.encode(e.data.as_bytes()),
            entry: serde_json::from_str::<Value>(&e.data).unwrap_or(Value::Null),
            kind: e.kind,
            subject: e.subject,
            created_at: e.created_at,
        })
        .collect();
    Ok(Json(LogEntries { tree_size: size, start, end: end.max(start), entries }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct InclusionParams {
    /// The entry.
    index: u64,
    /// The tree's size; the current size by default.
    tree_size: Option<u64>,
}

/// An inclusion proof.
#[derive(Debug, Serialize, ToSchema)]
struct InclusionProof {
    index: u64,
    tree_size: u64,
    /// The hashes, hex, leaf to root.
    audit_path: Vec<String>,
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

/// The audit path of entry `index` in the tree of `tree_size` entries (RFC 6962 §2.1.1)
#[utoipa::path(get, path = "/api/v1/log/proof/inclusion", tag = "public log", params(InclusionParams),
    responses((status = 200, description = "{index, tree_size, audit_path: [hex]}", body = InclusionProof),
              (status = 400, description = "invalid_request", body = ErrorBody)))]
async fn inclusion(
    State(state): State<AppState>,
    Query(params): Query<InclusionParams>,
) -> Result<Json<InclusionProof>, ApiError> {
    let size = state.store.log_size().await?;
    let tree_size = params.tree_size.unwrap_or(size);
    if tree_size > size {
        return Err(ApiError::invalid(format!("tree_size {tree_size} is beyond the log's {size} entries")));
    }
    let path = service::log::inclusion_path(&state.store, params.index, tree_size).await?;
    Ok(Json(InclusionProof { index: params.index, tree_size, audit_path: hexes(&path) }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ConsistencyParams {
    /// The older tree's size.
    first: u64,
    /// The newer tree's size; the current size by default.
    second: Option<u64>,
}

/// A consistency proof.
#[derive(Debug, Serialize, ToSchema)]
struct ConsistencyProof {
    first: u64,
    second: u64,
    /// The hashes, hex.
    proof: Vec<String>,
}

/// The consistency proof between the trees of `first` and `second` entries (RFC 6962 §2.1.2)
#[utoipa::path(get, path = "/api/v1/log/proof/consistency", tag = "public log", params(ConsistencyParams),
    responses((status = 200, description = "{first, second, proof: [hex]}", body = ConsistencyProof),
              (status = 400, description = "invalid_request", body = ErrorBody)))]
async fn consistency(
    State(state): State<AppState>,
    Query(params): Query<ConsistencyParams>,
) -> Result<Json<ConsistencyProof>, ApiError> {
    let size = state.store.log_size().await?;
    let second = params.second.unwrap_or(size);
    if second > size {
        return Err(ApiError::invalid(format!("second {second} is beyond the log's {size} entries")));
    }
    let plan = consistency_plan(params.first, second).map_err(ApiError::invalid)?;
    let proof = assemble(&state, &plan).await?;
    Ok(Json(ConsistencyProof { first: params.first, second, proof: hexes(&proof) }))
}
