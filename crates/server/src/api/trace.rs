//! `GET /api/v1/trace/{id}`: forward or backward trace from an item, a lot or a container, with the parties
//! and locations reached, the organizations (USCC) their GLNs are registered to, and their regions.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use service::error::ErrorBody;
use service::trace::{
    check_identifier, direction, parse_prefix, trace_answer, GlnBody, PrefixBody, PrefixHolder, TraceAnswer,
};
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

#[derive(utoipa::OpenApi)]
#[openapi(paths(trace_query, trace_path, gln_registration, register_gln, gs1_prefixes, gs1_prefix, set_gs1_prefix))]
pub(super) struct Api;

/// Record the holder of a GS1 company prefix (administrators); enterprises register GLNs only under prefixes they hold
#[utoipa::path(put, path = "/api/v1/gs1-prefixes/{prefix}", tag = "traceability", security(("bearer" = [])),
    params(("prefix" = String, Path, description = "GS1 company prefix (厂商识别代码): 6 to 12 digits")),
    request_body = PrefixBody,
    responses((status = 200, description = "recorded", body = PrefixHolder),
              (status = 400, description = "invalid_request (not 6 to 12 digits), invalid_uscc", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: administrators only", body = ErrorBody),
              (status = 422, description = "unknown_organization: the holder is not registered", body = ErrorBody)))]
async fn set_gs1_prefix(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(prefix): Path<String>,
    body: Result<Json<PrefixBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<PrefixHolder>, ApiError> {
    let Json(body) = body.map_err(super::json_rejection)?;
    Ok(Json(service::trace::set_gs1_prefix(&state, &user, &prefix, body).await?))
}

/// Who holds a GS1 company prefix (厂商识别代码)
///
/// Public. Only the prefix itself is found, not a longer or shorter one.
#[utoipa::path(get, path = "/api/v1/gs1-prefixes/{prefix}", tag = "traceability",
    params(("prefix" = String, Path, description = "GS1 company prefix: 6 to 12 digits")),
    responses((status = 200, description = "the prefix and its holder", body = PrefixHolder),
              (status = 400, description = "invalid_request: not 6 to 12 digits", body = ErrorBody),
              (status = 404, description = "not_found: the prefix is not registered", body = ErrorBody)))]
async fn gs1_prefix(State(state): State<AppState>, Path(prefix): Path<String>) -> Result<Json<PrefixHolder>, ApiError> {
    let prefix = parse_prefix(&prefix)?;
    match state.store.gs1_prefix_of(&prefix).await? {
        Some((found, uscc)) if found == prefix => Ok(Json(PrefixHolder { prefix: found, uscc })),
        _ => Err(ApiError::not_found(format!("GS1 company prefix {prefix} is not registered"))),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PrefixesParams {
    /// USCC of the organization (required).
    #[param(value_type = String, required = true)]
    uscc: Option<String>,
}

/// The GS1 company prefixes an organization holds.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Gs1Prefixes)]
struct PrefixesOf {
    /// The organization's USCC, normalized.
    uscc: String,
    /// Its prefixes, in order.
    prefixes: Vec<String>,
}

/// The GS1 company prefixes an organization holds
///
/// Public.
#[utoipa::path(get, path = "/api/v1/gs1-prefixes", tag = "traceability", params(PrefixesParams),
    responses((status = 200, description = "the organization and its prefixes (none: an empty list)",
               body = PrefixesOf),
              (status = 400, description = "invalid_uscc: missing or not a valid USCC", body = ErrorBody)))]
async fn gs1_prefixes(
    State(state): State<AppState>,
    Query(params): Query<PrefixesParams>,
) -> Result<Json<PrefixesOf>, ApiError> {
    let uscc = crate::input::uscc("uscc", params.uscc.as_deref())?;
    let prefixes = state.store.gs1_prefixes_of(&uscc).await?;
    Ok(Json(PrefixesOf { uscc: uscc.to_string(), prefixes }))
}

/// Who holds a party (PGLN) or location (SGLN) GLN
///
/// Public, as GS1's own registry is.
#[utoipa::path(get, path = "/api/v1/glns/{gln}", tag = "traceability",
    params(("gln" = String, Path, description = "13-digit GLN")),
    responses((status = 200, description = "the registration", body = GlnRegistration),
              (status = 400, description = "invalid_gln", body = ErrorBody),
              (status = 404, description = "not_found: the GLN is not registered", body = ErrorBody)))]
async fn gln_registration(
    State(state): State<AppState>,
    Path(gln): Path<String>,
) -> Result<Json<GlnRegistration>, ApiError> {
    let gln = codes::Gln::parse(&gln).map_err(|e| ApiError::new(ErrorCode::InvalidGln, e))?.as_str().to_owned();
    let mut found = state.store.gln_registrations(std::slice::from_ref(&gln)).await?;
    found.remove(&gln).map(Json).ok_or_else(|| ApiError::not_found(format!("GLN {gln} is not registered")))
}

/// Register a GLN to an organization (its own for an enterprise; within its region for a regulator)
///
/// Registered parties and locations are named in traces. An enterprise registers only GLNs under a GS1 company
/// prefix it holds (`PUT /api/v1/gs1-prefixes/{prefix}`).
#[utoipa::path(put, path = "/api/v1/glns/{gln}", tag = "traceability", security(("bearer" = [])),
    params(("gln" = String, Path, description = "13-digit GLN")),
    request_body = GlnBody,
    responses((status = 200, description = "the registration", body = GlnRegistration),
              (status = 400, description = "invalid_gln, invalid_uscc, invalid_region, invalid_request (kind)",
               body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403,
               description = "forbidden: another organization's GLN or prefix, or outside the regulator's region",
               body = ErrorBody),
              (status = 422, description = "unknown_organization", body = ErrorBody)))]
async fn register_gln(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(gln): Path<String>,
    body: Result<Json<GlnBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<GlnRegistration>, ApiError> {
    let Json(body) = body.map_err(super::json_rejection)?;
    Ok(Json(service::trace::register_gln(&state, &user, &gln, body).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct TraceParams {
    /// The identifier of `GET /api/v1/trace`; documented there, as the path form takes it from the path.
    #[param(ignore)]
    id: Option<String>,
    /// `forward` (the default) or `backward`.
    direction: Option<String>,
    /// Follow only events up to this date-time (with a zone offset).
    #[param(format = DateTime)]
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

/// Trace forward (what was made from it, where it went) or backward (what went into it, where it came from)
///
/// The answer names the parties and locations reached, the organizations (USCC) their GLNs are registered to,
/// and their regions.
#[utoipa::path(get, path = "/api/v1/trace", tag = "traceability", security(("bearer" = [])),
    params(("id" = String, Query, description = "EPC URN, GS1 Digital Link or lot class"), TraceParams),
    responses((status = 200,
               description = "{start, items (with paths), containers, parties (with GLN registrations), regions, \
                              organizations, truncated}",
               body = TraceAnswer),
              (status = 400, description = "invalid_request (no id, direction, as_of), invalid_epc", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403,
               description = "forbidden: the role reads no supply-chain events; an enterprise traces only its own \
                              products, and only forward; a regulator those made in its jurisdiction",
               body = ErrorBody)))]
async fn trace_query(
    State(state): State<AppState>,
    TraceReader(user): TraceReader,
    Query(params): Query<TraceParams>,
) -> Result<Json<TraceAnswer>, ApiError> {
    let id = params.id.clone().unwrap_or_default();
    answer(state, &user, id, params).await
}

/// The same trace, the identifier in the path (percent-encoded, or a Digital Link written out)
#[utoipa::path(get, path = "/api/v1/trace/{id}", tag = "traceability", security(("bearer" = [])),
    params(("id" = String, Path,
            description = "EPC URN, GS1 Digital Link or lot class: percent-encoded, or a Digital Link written out \
                           after the slash"),
           TraceParams),
    responses((status = 200, description = "as GET /api/v1/trace", body = TraceAnswer),
              (status = 400, description = "invalid_request (direction, as_of), invalid_epc", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403,
               description = "forbidden: the role reads no supply-chain events; an enterprise traces only its own \
                              products, and only forward; a regulator those made in its jurisdiction",
               body = ErrorBody)))]
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
