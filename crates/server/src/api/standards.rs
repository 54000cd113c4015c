//! The standards catalogue (标准目录): editions with their status and replacement, loads by administrators, and
//! whether cited editions were in force on a day.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use service::error::ErrorBody;
use service::standards::{CitationView, EditionDetail, EditionPage, EditionQuery, EditionsBody, LoadReceipt};
use standards::StandardNumber;
use store::standards::ReferenceImport;
use utoipa::ToSchema;

use super::{batch_answer, batch_format, json_rejection, query_rejection, RejectedRows};
use crate::auth::AuthUser;
use crate::input;
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/standards/editions", get(list).post(load))
        .route("/api/v1/standards/editions/{number}", get(one))
        .route("/api/v1/standards/imports", get(imports))
        .route("/api/v1/standards/citations", post(cite))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, one, load, imports, cite))]
pub(super) struct Api;

/// Editions of the catalogue in number order, by the start of a number or a word of the title
#[utoipa::path(get, path = "/api/v1/standards/editions", tag = "standards", params(EditionQuery),
    responses((status = 200, description = "{editions: [...], next_after}", body = EditionPage),
              (status = 400, description = "invalid_request: a limit out of range; invalid_kind: an unknown status", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    query: Result<Query<EditionQuery>, QueryRejection>,
) -> Result<Json<EditionPage>, ApiError> {
    let Query(query) = query.map_err(query_rejection)?;
    Ok(Json(service::standards::page(&state.store, query).await?))
}

/// One edition with every edition of its standard and what earlier loads said of it
///
/// The number with its edition year, a slash written `%2F` (`GB%2FT%203325-2024`).
#[utoipa::path(get, path = "/api/v1/standards/editions/{number}", tag = "standards",
    params(("number" = String, Path, description = "the edition, e.g. GB 4806.7-2016")),
    responses((status = 200, description = "the edition, its family and its history", body = EditionDetail),
              (status = 400, description = "invalid_request: not a standard number with its year", body = ErrorBody),
              (status = 404, description = "not_found: not in the catalogue", body = ErrorBody)))]
async fn one(State(state): State<AppState>, Path(number): Path<String>) -> Result<Json<EditionDetail>, ApiError> {
    Ok(Json(service::standards::edition(&state.store, &number).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct LoadParams {
    /// Where the editions come from (e.g. "openstd.samr.gov.cn, 2026-11 listing"); kept with the load.
    #[param(max_length = 500)]
    note: Option<String>,
}

/// Load editions (administrators): JSON or CSV, all or nothing, checked with the stored catalogue
///
/// Each edition is added, or replaces the stored one with its number (whose earlier version is kept). The whole
/// catalogue must fit: a superseded edition names its last day and a replacement in the catalogue that took
/// effect after it, no replacements in a circle. With any rejected row nothing is stored.
#[utoipa::path(post, path = "/api/v1/standards/editions", tag = "standards", security(("bearer" = [])), params(LoadParams),
    request_body(description = "JSON {editions: [...]}, or CSV (Content-Type text/csv) with the header number,title,status,effective_on,ended_on,replaced_by",
        content((EditionsBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{import_id, received, added, changed, unchanged}", body = LoadReceipt),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: administrators only", body = ErrorBody),
              (status = 413, description = "payload_too_large: more than 100,000 editions", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored: every rejected row with its number (JSON: 1-based position; CSV: line; 0: a stored edition the load would break), field, code and reason", body = RejectedRows)))]
async fn load(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    params: Result<Query<LoadParams>, QueryRejection>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let note = input::optional_text(params.note).unwrap_or_else(|| "loaded by API".to_owned());
    Ok(batch_answer(service::standards::load(&state, &user, batch_format(&headers), &body, &note).await?))
}

/// Every load of the catalogue, newest first: shipped with the program or by an administrator
#[utoipa::path(get, path = "/api/v1/standards/imports", tag = "standards",
    responses((status = 200, description = "[{id, source, note, received, added, changed, loaded_at, loaded_by}]", body = Vec<ReferenceImport>)))]
async fn imports(State(state): State<AppState>) -> Result<Json<Vec<ReferenceImport>>, ApiError> {
    Ok(Json(service::standards::imports(&state.store).await?))
}

/// Editions cited on a day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CitationBody {
    /// The cited editions, at most 200: `GB 4806.7-2016` (forms people type are read).
    #[schema(max_items = 200)]
    numbers: Vec<String>,
    /// The day of use (a test, a report, a scope); today by default.
    #[schema(format = Date)]
    on: Option<String>,
}

/// Whether each cited edition was in force on a day, and what replaces a superseded one
///
/// What a test report or a lab's scope is checked by: `in_force`, `not_yet_in_force`, `superseded` (with the
/// edition in force now), `withdrawn` or `unknown`; anything but in force is flagged.
#[utoipa::path(post, path = "/api/v1/standards/citations", tag = "standards", request_body = CitationBody,
    responses((status = 200, description = "one answer per number, in the order given", body = Vec<CitationView>),
              (status = 400, description = "invalid_request: a number without its year, a date that does not read, more than 200 numbers", body = ErrorBody)))]
async fn cite(
    State(state): State<AppState>,
    body: Result<Json<CitationBody>, JsonRejection>,
) -> Result<Json<Vec<CitationView>>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    if body.numbers.len() > 200 {
        return Err(ApiError::invalid("at most 200 numbers a request"));
    }
    let numbers = body
        .numbers
        .iter()
        .enumerate()
        .map(|(i, text)| text.parse::<StandardNumber>().map_err(|e| ApiError::invalid(format!("numbers[{i}]: {e}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let day = match input::optional_text(body.on) {
        Some(text) => input::date("on", &text)?,
        None => crate::today(),
    };
    let answers = service::standards::cite(&state.store, &numbers, day).await?;
    Ok(Json(numbers.iter().filter_map(|n| answers.get(n).cloned()).collect()))
}
