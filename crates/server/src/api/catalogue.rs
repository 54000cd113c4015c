//! The key-product catalogue (重点工业产品质量安全监管目录): classes and products with the regimes that apply,
//! loads by administrators, and one entry with its products and history.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use service::batch::LoadReceipt;
use service::catalogue::{EntriesBody, EntryDetail, EntryQuery, EntryView};
use service::error::ErrorBody;
use store::standards::ReferenceImport;

use super::{batch_answer, batch_format, query_rejection, RejectedRows};
use crate::auth::AuthUser;
use crate::input;
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/catalogue/entries", get(list).post(load))
        .route("/api/v1/catalogue/entries/{code}", get(one))
        .route("/api/v1/catalogue/imports", get(imports))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, one, load, imports))]
pub(super) struct Api;

/// The catalogue's classes and products with the regimes that apply to each, by code
#[utoipa::path(get, path = "/api/v1/catalogue/entries", tag = "catalogue", params(EntryQuery),
    responses((status = 200, description = "[{code, name_zh, name_en, level, parent, edition, regimes, maps_to, listing, import_id}]", body = Vec<EntryView>),
              (status = 400, description = "invalid_kind: an unknown regime; invalid_request: an edition that is not a year", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    query: Result<Query<EntryQuery>, QueryRejection>,
) -> Result<Json<Vec<EntryView>>, ApiError> {
    let Query(query) = query.map_err(query_rejection)?;
    Ok(Json(service::catalogue::list(&state.store, query).await?))
}

/// One entry with a class's products, the earlier categories mapped onto a product, and its history
#[utoipa::path(get, path = "/api/v1/catalogue/entries/{code}", tag = "catalogue",
    params(("code" = String, Path, description = "the entry's code, e.g. K23-06-01 or 0401")),
    responses((status = 200, description = "the entry", body = EntryDetail),
              (status = 404, description = "not_found: not in the catalogue", body = ErrorBody)))]
async fn one(State(state): State<AppState>, Path(code): Path<String>) -> Result<Json<EntryDetail>, ApiError> {
    Ok(Json(service::catalogue::entry(&state.store, &code).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct LoadParams {
    /// Where the entries come from (e.g. "SAMR 2023 catalogue, provincial additions"); kept with the load.
    #[param(max_length = 500)]
    note: Option<String>,
}

/// Load catalogue entries (administrators): a product added, an edition, a correction; JSON or CSV, all or nothing
///
/// Each entry is added, or replaces the stored one with its code (whose earlier version is kept); the whole
/// catalogue must fit: a product names a class of its own edition, a product is under at least one regime, an
/// earlier category maps onto a product of a catalogue edition, a class is retired only with its products. Pages
/// and checks use a new product within seconds, on every server.
#[utoipa::path(post, path = "/api/v1/catalogue/entries", tag = "catalogue", security(("bearer" = [])), params(LoadParams),
    request_body(description = "JSON {entries: [...]}, or CSV (Content-Type text/csv) with the header code,name_zh,name_en,level,parent,edition,regimes,maps_to,listing",
        content((EntriesBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{import_id, received, added, changed, unchanged}", body = LoadReceipt),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: administrators only", body = ErrorBody),
              (status = 413, description = "payload_too_large: more than 10,000 entries", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored: every rejected row with its number (JSON: 1-based position; CSV: line; 0: a stored entry the load would break), field, code and reason", body = RejectedRows)))]
async fn load(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    params: Result<Query<LoadParams>, QueryRejection>,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let note = input::optional_text(params.note).unwrap_or_else(|| "loaded by API".to_owned());
    Ok(batch_answer(service::catalogue::load(&state, &user, batch_format(&headers), &body, &note).await?))
}

/// Every load of the catalogue, newest first: shipped with the program or by an administrator
#[utoipa::path(get, path = "/api/v1/catalogue/imports", tag = "catalogue",
    responses((status = 200, description = "[{id, source, note, received, added, changed, loaded_at, loaded_by}]", body = Vec<ReferenceImport>)))]
async fn imports(State(state): State<AppState>) -> Result<Json<Vec<ReferenceImport>>, ApiError> {
    Ok(Json(service::catalogue::imports(&state.store).await?))
}
