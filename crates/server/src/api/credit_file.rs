//! `/api/v1/credit/…` and `/api/v1/organizations/{uscc}/credit`: credit files (质量信用档案), the department
//! exchange and credit classes (分类监管). The use cases are [`service::credit_file`]'s; this module reads requests
//! and writes answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use credit::{Model, Source};
use serde::Deserialize;
use serde_json::{json, Value};
use service::credit_file::{DepartmentBody, RecomputeBody, RecordFields, WithdrawBody, COLUMNS};

use super::json_rejection;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::{ApiError, AppState, ErrorCode};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/credit/model", get(|| async { Json(json!(Model::bundled())) }))
        .route("/api/v1/credit/classes", get(class_counts))
        .route("/api/v1/credit/classes/recompute", post(recompute))
        .route("/api/v1/credit/departments", get(departments).post(create_department))
        .route("/api/v1/credit/departments/{code}/revoke", post(revoke_department))
        .route("/api/v1/credit/exchange", post(exchange))
        .route("/api/v1/credit/exchange/format", get(exchange_format))
        .route("/api/v1/credit/records/{id}/withdraw", post(withdraw))
        .route("/api/v1/organizations/{uscc}/credit", get(organization_credit))
        .route("/api/v1/organizations/{uscc}/credit/records", post(add_record))
}

/// `POST /api/v1/organizations/{uscc}/credit/records`: a regulator of the organization's region records a penalty,
/// a certificate suspension, an award or another good record.
async fn add_record(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(uscc): Path<String>,
    body: Result<Json<RecordFields>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(fields) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(service::credit_file::add_record(&state, &user, &uscc, fields).await?)))
}

/// `POST /api/v1/credit/records/{id}/withdraw`: a record whose decision was revoked, or entered in error, stops
/// being public and stops counting.
async fn withdraw(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    Json(body): Json<WithdrawBody>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(service::credit_file::withdraw(&state, &user, &id, body).await?))
}

/// `POST /api/v1/credit/departments` (admin): registers a department and the kinds it may send; the token is
/// shown once.
async fn create_department(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Json(body): Json<DepartmentBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    Ok((StatusCode::CREATED, Json(service::credit_file::create_department(&state, &user, body).await?)))
}

/// `GET /api/v1/credit/departments` (admin).
async fn departments(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<Value>, ApiError> {
    service::credit_file::require_admin(&user)?;
    Ok(Json(json!({"departments": state.store.departments().await?})))
}

/// `POST /api/v1/credit/departments/{code}/revoke` (admin): the token stops working.
async fn revoke_department(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    service::credit_file::require_admin(&user)?;
    state.store.revoke_department(&code, Some(user.id)).await?;
    Ok(Json(json!({"code": code, "revoked": true})))
}

/// `GET /api/v1/credit/exchange/format`: the exchange format, for departments writing a sender.
async fn exchange_format(State(state): State<AppState>) -> Json<Value> {
    let kinds: Vec<Value> = Model::bundled()
        .kinds
        .iter()
        .filter(|k| k.allows(Source::Department))
        .map(|k| json!({"kind": k.code, "name_zh": k.name_zh, "name_en": k.name_en, "public_days": k.public_days, "legal_basis": k.legal_basis}))
        .collect();
    Json(json!({
        "endpoint": "POST /api/v1/credit/exchange",
        "authorization": "Bearer <department token>",
        "content_types": ["application/json: {\"records\": [{…}]}", "text/csv: a header row naming the columns, then one record per line"],
        "columns": COLUMNS,
        "required": ["uscc", "kind", "title", "occurred_on", "reference"],
        "limit": state.settings.exchange_records,
        "all_or_nothing": "a batch with any rejected row stores nothing; the answer lists every rejected row with its field and code",
        "idempotent": "a record sent again under the same reference is stored once",
        "kinds": kinds,
    }))
}

/// `POST /api/v1/credit/exchange`: a department sends records (JSON or CSV) with its token. All or nothing:
/// with any rejected row nothing is stored and every rejected row is named.
async fn exchange(State(state): State<AppState>, headers: HeaderMap, body: String) -> Result<Response, ApiError> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorized)?;
    let is_csv = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("text/csv"));
    match service::credit_file::exchange(&state, token.trim(), is_csv, &body).await? {
        Ok(stored) => Ok(Json(stored).into_response()),
        Err(rejected) => {
            let message = format!("{} rows rejected; nothing was stored", rejected.rows.len());
            let body = json!({"code": ErrorCode::RejectedRows.as_str(), "message": message,
                "received": rejected.received, "rejected": rejected.rows});
            Ok((ErrorCode::RejectedRows.status(), Json(body)).into_response())
        }
    }
}

/// `POST /api/v1/credit/classes/recompute` (admin): collects new records from every workflow and rescores every
/// organization; class changes go to the public log.
async fn recompute(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Option<Json<RecomputeBody>>,
) -> Result<Json<Value>, ApiError> {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    Ok(Json(service::credit_file::recompute(&state, &user, body).await?))
}

/// `GET /api/v1/credit/classes`: how many organizations hold each class, with the model's description of it.
async fn class_counts(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let counts = state.store.credit_class_counts().await?;
    let model = Model::bundled();
    let classes: Vec<Value> = model
        .classes
        .iter()
        .map(|rule| {
            let count = counts.iter().find(|(c, _)| c == rule.class.as_str()).map_or(0, |(_, n)| *n);
            json!({"class": rule.class, "name_zh": rule.name_zh, "name_en": rule.name_en, "organizations": count,
                "supervision_zh": rule.supervision_zh, "sampling_weight": model.sampling_weight(rule.class)})
        })
        .collect();
    Ok(Json(json!({"model_version": model.version, "classes": classes})))
}

#[derive(Debug, Default, Deserialize)]
struct FileParams {
    /// The day the file is read for; today by default (regulators may look back).
    as_of: Option<String>,
}

/// `GET /api/v1/organizations/{uscc}/credit`: the credit file: the class with its reasons, class history, records
/// (the public ones, or all for insiders), listings, and every public-log entry about the organization with its
/// inclusion-proof link. Reading brings the file up to date first.
async fn organization_credit(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(uscc): Path<String>,
    Query(params): Query<FileParams>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(service::credit_file::file_view(&state, user.as_ref(), &uscc, params.as_of).await?))
}
