//! Certification (认证认可, C9) over HTTP: the register of bodies, a body's uploads of certificates and status
//! changes, and the public's verification by number, holder or GTIN — no account, no captcha — with a signed
//! status statement, and the change feed.

use ::certification::{Body, BodyFields, ChangeFields};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use service::certification::{
    CertificatePage, CertificateView, ChangeFeed, ChangesReceipt, LookupQuery, UploadReceipt, Verification,
};
use service::error::ErrorBody;

use super::{batch_answer, batch_format, json_rejection, query_rejection, RejectedRows};
use crate::auth::AuthUser;
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/certification/bodies", get(bodies).post(register_body))
        .route("/api/v1/certificates", get(lookup).post(upload))
        .route("/api/v1/certificates/status-changes", post(change_statuses))
        .route("/api/v1/certificates/changes", get(feed))
        .route("/api/v1/certificates/{number}", get(verify))
        .route("/api/v1/certificates/{number}/status", post(change_status))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(bodies, register_body, lookup, upload, change_statuses, feed, verify, change_status))]
pub(super) struct Api;

/// The certification bodies registered, by approval number
#[utoipa::path(get, path = "/api/v1/certification/bodies", tag = "certification",
    responses((status = 200, description = "the bodies", body = Vec<Body>)))]
async fn bodies(State(state): State<AppState>) -> Result<Json<Vec<Body>>, ApiError> {
    Ok(Json(service::certification::bodies(&state.store).await?))
}

/// Register a certification body, or change one (administrators)
#[utoipa::path(post, path = "/api/v1/certification/bodies", tag = "certification", security(("bearer" = [])),
    request_body = BodyFields,
    responses((status = 201, description = "the body", body = Body),
              (status = 400, description = "invalid_request, invalid_uscc, invalid_kind: a field that does not read", body = ErrorBody),
              (status = 403, description = "forbidden: administrators only", body = ErrorBody),
              (status = 409, description = "conflict: the CCC code belongs to another body", body = ErrorBody)))]
async fn register_body(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<BodyFields>, JsonRejection>,
) -> Result<(StatusCode, Json<Body>), ApiError> {
    let Json(fields) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(service::certification::register_body(&state, &user, fields).await?)))
}

/// Certificates by holder (USCC, paged) or by a GTIN they cover
///
/// Not found means not registered here: a body that has not uploaded is not proof of a fake.
#[utoipa::path(get, path = "/api/v1/certificates", tag = "certification", params(LookupQuery),
    responses((status = 200, description = "{certificates: [...], next_after}", body = CertificatePage),
              (status = 400, description = "invalid_request, invalid_uscc, invalid_gtin", body = ErrorBody)))]
async fn lookup(
    State(state): State<AppState>,
    query: Result<Query<LookupQuery>, QueryRejection>,
) -> Result<Json<CertificatePage>, ApiError> {
    let Query(query) = query.map_err(query_rejection)?;
    Ok(Json(service::certification::lookup(&state, query).await?))
}

/// Upload certificates (a certification body, or an administrator): JSON or CSV, all or nothing
///
/// Each certificate is checked against its body — approved for the scheme and the product class, a CCC number
/// carrying the body's code and the issue year — and the catalogue. A new number is issued as valid; a stored one
/// with other fields is amended (the earlier version kept). Every certificate version is a public-log entry.
#[utoipa::path(post, path = "/api/v1/certificates", tag = "certification", security(("bearer" = [])),
    request_body(description = "JSON {certificates: [...]}, or CSV (Content-Type text/csv) with the header number,scheme,body,holder_uscc,manufacturer_uscc,factory_uscc,product_class,product_name,models,gtins,standards,issued_on,expires_on",
        content((service::batch::CertificatesBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{upload_id, received, added, amended, unchanged}", body = UploadReceipt),
              (status = 403, description = "forbidden: not a certification body, or not this body's account", body = ErrorBody),
              (status = 413, description = "payload_too_large: more than 50,000 rows", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored: every rejected row with its number, field, code and reason", body = RejectedRows)))]
async fn upload(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    Ok(batch_answer(service::certification::upload(&state, &user, batch_format(&headers), &body).await?))
}

/// Upload status changes (a certification body): JSON or CSV, all or nothing, in the order given
///
/// Each change must be one the certificate's history allows for its reason (withdrawn, cancelled and expired are
/// final). Each is a public-log entry; suspensions and withdrawals enter the holder's credit file.
#[utoipa::path(post, path = "/api/v1/certificates/status-changes", tag = "certification", security(("bearer" = [])),
    request_body(description = "JSON {changes: [...]}, or CSV (Content-Type text/csv) with the header number,status,reason,on,note",
        content((service::batch::ChangesBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{received, log_indexes}", body = ChangesReceipt),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored", body = RejectedRows)))]
async fn change_statuses(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    Ok(batch_answer(service::certification::change_statuses(&state, &user, batch_format(&headers), &body).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct FeedParams {
    /// The log index of the last change seen; 0 (or -1) from the start.
    after: Option<i64>,
    /// 1 to 1000; 100 by default.
    limit: Option<i64>,
}

/// Status changes since a cursor, oldest first: the change feed
#[utoipa::path(get, path = "/api/v1/certificates/changes", tag = "certification", params(FeedParams),
    responses((status = 200, description = "{changes: [...], next_after}", body = ChangeFeed),
              (status = 400, description = "invalid_request: a limit out of range", body = ErrorBody)))]
async fn feed(
    State(state): State<AppState>,
    params: Result<Query<FeedParams>, QueryRejection>,
) -> Result<Json<ChangeFeed>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(service::certification::feed(&state.store, params.after.unwrap_or(-1), params.limit.unwrap_or(100)).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct VerifyParams {
    /// `true` for the signed status statement (the log entry, its inclusion proof and a signed checkpoint).
    statement: Option<bool>,
}

/// Verify a certificate by its number: where it stands today, its history and, when asked, a signed statement
///
/// A voluntary number's slash is written `%2F`.
#[utoipa::path(get, path = "/api/v1/certificates/{number}", tag = "certification",
    params(("number" = String, Path, description = "the certificate number"), VerifyParams),
    responses((status = 200, description = "{certificate, history, statement}", body = Verification),
              (status = 404, description = "not_found: no certificate registered under this number", body = ErrorBody)))]
async fn verify(
    State(state): State<AppState>,
    Path(number): Path<String>,
    params: Result<Query<VerifyParams>, QueryRejection>,
) -> Result<Json<Verification>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(service::certification::verify(&state, &number, params.statement.unwrap_or(false)).await?))
}

/// Change one certificate's status (its body): suspend, restore, withdraw, cancel
#[utoipa::path(post, path = "/api/v1/certificates/{number}/status", tag = "certification", security(("bearer" = [])),
    params(("number" = String, Path, description = "the certificate number")),
    request_body(content = ChangeFields, description = "{status, reason, on, note}; the number is the path's"),
    responses((status = 200, description = "the certificate after the change", body = CertificateView),
              (status = 400, description = "invalid_request, invalid_kind: a field, or a reason the change does not allow", body = ErrorBody),
              (status = 403, description = "forbidden: not the certificate's body", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody),
              (status = 409, description = "wrong_state: the history does not allow the change", body = ErrorBody)))]
async fn change_status(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(number): Path<String>,
    body: Result<Json<ChangeFields>, JsonRejection>,
) -> Result<Json<CertificateView>, ApiError> {
    let Json(fields) = body.map_err(json_rejection)?;
    Ok(Json(service::certification::change_status(&state, &user, &number, fields).await?))
}
