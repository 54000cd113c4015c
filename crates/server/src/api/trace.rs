//! `GET /api/v1/trace/{id}`: forward or backward trace from an item, a lot or a container, with the parties
//! and locations reached, the organizations (USCC) their GLNs are registered to, and their regions.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use service::trace::{check_identifier, direction, parse_prefix, trace_answer, GlnBody, PrefixBody, TraceAnswer};
use store::traceability::GlnRegistration;
use store::User;

use crate::auth::{AuthUser, TraceReader};
use crate::{ApiError, AppState, ErrorCode};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/trace", get(trace_query))
        .route("/api/v1/trace/{*id}", get(trace_path))
        .route("/api/v1/glns/{gln}", get(gln_registration).put(register_gln))
        .route("/api/v1/gs1-prefixes", get(gs1_prefixes))
        .route("/api/v1/gs1-prefixes/{prefix}", get(gs1_prefix).put(set_gs1_prefix))
}

/// `PUT /api/v1/gs1-prefixes/{prefix}`: records the organization that holds a GS1 company prefix (administrators).
async fn set_gs1_prefix(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(prefix): Path<String>,
    body: Result<Json<PrefixBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(super::json_rejection)?;
    Ok(Json(service::trace::set_gs1_prefix(&state, &user, &prefix, body).await?))
}

/// `GET /api/v1/gs1-prefixes/{prefix}`: who holds a prefix (public).
async fn gs1_prefix(State(state): State<AppState>, Path(prefix): Path<String>) -> Result<Json<Value>, ApiError> {
    let prefix = parse_prefix(&prefix)?;
    match state.store.gs1_prefix_of(&prefix).await? {
        Some((found, uscc)) if found == prefix => Ok(Json(json!({"prefix": found, "uscc": uscc}))),
        _ => Err(ApiError::not_found(format!("GS1 company prefix {prefix} is not registered"))),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PrefixesParams {
    uscc: Option<String>,
}

/// `GET /api/v1/gs1-prefixes?uscc=`: the prefixes an organization holds (public).
async fn gs1_prefixes(
    State(state): State<AppState>,
    Query(params): Query<PrefixesParams>,
) -> Result<Json<Value>, ApiError> {
    let uscc = crate::input::uscc("uscc", params.uscc.as_deref())?.to_string();
    let prefixes = state.store.gs1_prefixes_of(&uscc).await?;
    Ok(Json(json!({"uscc": uscc, "prefixes": prefixes})))
}

/// `GET /api/v1/glns/{gln}`: who holds a party or location GLN (public, as GS1's own registry is).
async fn gln_registration(
    State(state): State<AppState>,
    Path(gln): Path<String>,
) -> Result<Json<GlnRegistration>, ApiError> {
    let gln = codes::Gln::parse(&gln).map_err(|e| ApiError::new(ErrorCode::InvalidGln, e))?.as_str().to_owned();
    let mut found = state.store.gln_registrations(std::slice::from_ref(&gln)).await?;
    found.remove(&gln).map(Json).ok_or_else(|| ApiError::not_found(format!("GLN {gln} is not registered")))
}

/// `PUT /api/v1/glns/{gln}`: registers a party (PGLN) or location (SGLN) to an organization, so traces name it.
async fn register_gln(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(gln): Path<String>,
    body: Result<Json<GlnBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<GlnRegistration>, ApiError> {
    let Json(body) = body.map_err(super::json_rejection)?;
    Ok(Json(service::trace::register_gln(&state, &user, &gln, body).await?))
}

#[derive(Debug, Deserialize)]
pub(crate) struct TraceParams {
    id: Option<String>,
    direction: Option<String>,
    as_of: Option<String>,
}

async fn answer(state: AppState, user: &User, id: String, params: TraceParams) -> Result<Json<TraceAnswer>, ApiError> {
    if id.trim().is_empty() {
        return Err(ApiError::invalid("give the identifier to trace: an EPC URN, a Digital Link or a lot class"));
    }
    let direction = direction(params.direction.as_deref())?;
    check_identifier("id", id.trim())?;
    let scope = crate::read_scope::ReadScope::of(user)?;
    crate::read_scope::may_trace(&state, &scope, id.trim(), direction).await?;
    Ok(Json(trace_answer(&state, id.trim(), direction, params.as_of).await?))
}

/// `GET /api/v1/trace?id=…`.
async fn trace_query(
    State(state): State<AppState>,
    TraceReader(user): TraceReader,
    Query(params): Query<TraceParams>,
) -> Result<Json<TraceAnswer>, ApiError> {
    let id = params.id.clone().unwrap_or_default();
    answer(state, &user, id, params).await
}

/// `GET /api/v1/trace/{id}`: the identifier percent-encoded, or a Digital Link written out after the slash.
async fn trace_path(
    State(state): State<AppState>,
    TraceReader(user): TraceReader,
    Path(id): Path<String>,
    Query(params): Query<TraceParams>,
) -> Result<Json<TraceAnswer>, ApiError> {
    // A link written out in the path loses one slash of `https://` to path normalisation.
    let id = match id.strip_prefix("https:/").or_else(|| id.strip_prefix("http:/")) {
        Some(rest) if !rest.starts_with('/') => format!("https://{rest}"),
        _ => id,
    };
    answer(state, &user, id, params).await
}
