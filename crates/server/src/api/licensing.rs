//! Production licences (生产许可, C10) over HTTP: a regulator registers its region's licences and changes their
//! status; anyone reads a licence or a holder's licences.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use service::error::ErrorBody;
use service::licensing::{LicenceReceipt, LicenceView, StatusBody};

use super::{batch_answer, batch_format, json_rejection, query_rejection, RejectedRows};
use crate::auth::AuthUser;
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/licences", get(of_holder).post(register))
        .route("/api/v1/licences/{number}", get(one))
        .route("/api/v1/licences/{number}/status", post(change_status))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(of_holder, register, one, change_status))]
pub(super) struct Api;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct HolderParams {
    /// The holder's USCC.
    holder: String,
}

/// A holder's licences with their status today and history
#[utoipa::path(get, path = "/api/v1/licences", tag = "licensing", params(HolderParams),
    responses((status = 200, description = "the licences", body = Vec<LicenceView>),
              (status = 400, description = "invalid_uscc", body = ErrorBody)))]
async fn of_holder(
    State(state): State<AppState>,
    params: Result<Query<HolderParams>, QueryRejection>,
) -> Result<Json<Vec<LicenceView>>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(service::licensing::of_holder(&state.store, &params.holder).await?))
}

/// Register licences (the issuing region's regulator): JSON or CSV, all or nothing
#[utoipa::path(post, path = "/api/v1/licences", tag = "licensing", security(("bearer" = [])),
    request_body(description = "JSON {licences: [...]}, or CSV (Content-Type text/csv) with the header number,kind,holder_uscc,products,sites,issued_by,issued_on,expires_on",
        content((service::batch::LicencesBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{received}", body = LicenceReceipt),
              (status = 403, description = "forbidden: not a regulator", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored", body = RejectedRows)))]
async fn register(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    Ok(batch_answer(service::licensing::register(&state, &user, batch_format(&headers), &body).await?))
}

/// One licence with its status today and its history
#[utoipa::path(get, path = "/api/v1/licences/{number}", tag = "licensing",
    params(("number" = String, Path, description = "the licence number")),
    responses((status = 200, description = "the licence", body = LicenceView),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn one(State(state): State<AppState>, Path(number): Path<String>) -> Result<Json<LicenceView>, ApiError> {
    Ok(Json(service::licensing::licence(&state.store, &number).await?))
}

/// Change a licence's status (the issuing region's regulator): suspend, restore, revoke, withdraw, cancel
#[utoipa::path(post, path = "/api/v1/licences/{number}/status", tag = "licensing", security(("bearer" = [])),
    params(("number" = String, Path, description = "the licence number")), request_body = StatusBody,
    responses((status = 200, description = "the licence after the change", body = LicenceView),
              (status = 400, description = "invalid_request, invalid_kind", body = ErrorBody),
              (status = 403, description = "forbidden: outside the region", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody),
              (status = 409, description = "wrong_state: the status is final", body = ErrorBody)))]
async fn change_status(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(number): Path<String>,
    body: Result<Json<StatusBody>, JsonRejection>,
) -> Result<Json<LicenceView>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::licensing::change_status(&state, &user, &number, body).await?))
}
