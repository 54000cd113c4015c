//! `/api/v1/credit/…` and `/api/v1/organizations/{uscc}/credit`: credit files (质量信用档案), the department
//! exchange and credit classes (分类监管). The use cases are [`service::credit_file`]'s; this module reads requests
//! and writes answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use credit::{Class, Model, Source};
use serde::{Deserialize, Serialize};
use service::credit_file::{
    CreditFile, DepartmentBody, ExchangeReceipt, RecomputeBody, Recomputed, RecordAdded, RecordFields, RecordsBody,
    RegisteredDepartment, WithdrawBody, Withdrawn, COLUMNS,
};
use service::error::ErrorBody;
use store::credit_file::Department;
use utoipa::ToSchema;

use super::{json_rejection, RejectedRows};
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/credit/model", get(model))
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

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    model,
    class_counts,
    recompute,
    departments,
    create_department,
    revoke_department,
    exchange,
    exchange_format,
    withdraw,
    organization_credit,
    add_record
))]
pub(super) struct Api;

/// The credit scoring model in force
///
/// Version, record kinds with points, windows, public periods and legal basis, class thresholds, listing floors,
/// sampling weights.
#[utoipa::path(get, path = "/api/v1/credit/model", tag = "credit",
    responses((status = 200, description = "the model (credit/data/credit_model.json): {version, effective_from, note, base_score, positive_cap, kinds, classes, listings, sampling_weights}", body = Object)))]
async fn model() -> Json<&'static Model> {
    Json(Model::bundled())
}

/// A regulator of the organization's region records a penalty, certificate suspension, award or good record
///
/// The organization's class is brought up to date; the answer has the record and the class after it.
#[utoipa::path(post, path = "/api/v1/organizations/{uscc}/credit/records", tag = "credit", security(("bearer" = [])),
    params(("uscc" = String, Path, description = "unified social credit code (GB 32100)")),
    request_body = RecordFields,
    responses((status = 201, description = "{record, class}", body = RecordAdded),
              (status = 400, description = "invalid_kind, invalid_uscc, invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: not a regulator of the organization's region", body = ErrorBody),
              (status = 404, description = "not_found: no such organization", body = ErrorBody),
              (status = 409, description = "conflict: a record with this reference is already on file", body = ErrorBody)))]
async fn add_record(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(uscc): Path<String>,
    body: Result<Json<RecordFields>, JsonRejection>,
) -> Result<(StatusCode, Json<RecordAdded>), ApiError> {
    let Json(fields) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(service::credit_file::add_record(&state, &user, &uscc, fields).await?)))
}

/// Withdraws a record: no longer public, no longer counted
///
/// For a record whose decision was revoked, or that was entered in error (SAMR Order 45: within 3 working days of
/// a revocation). A regulator of the organization's region withdraws what regulators recorded; records from the
/// platform's workflows and from departments need an administrator.
#[utoipa::path(post, path = "/api/v1/credit/records/{id}/withdraw", tag = "credit", security(("bearer" = [])),
    params(("id" = String, Path, description = "the record's id (CR…)")),
    request_body = WithdrawBody,
    responses((status = 200, description = "{id, withdrawn_on, reason}", body = Withdrawn),
              (status = 400, description = "invalid_request: reason is required", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody),
              (status = 409, description = "conflict: already withdrawn", body = ErrorBody)))]
async fn withdraw(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    Json(body): Json<WithdrawBody>,
) -> Result<Json<Withdrawn>, ApiError> {
    Ok(Json(service::credit_file::withdraw(&state, &user, &id, body).await?))
}

/// Registers a department and the kinds it may send (admin); the token is answered once
#[utoipa::path(post, path = "/api/v1/credit/departments", tag = "credit", security(("bearer" = [])),
    request_body = DepartmentBody,
    responses((status = 201, description = "the department, with its token shown only here", body = RegisteredDepartment),
              (status = 400, description = "invalid_request, invalid_kind (a kind a department may not send), invalid_region", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: administrators only", body = ErrorBody),
              (status = 409, description = "conflict: the code is already registered", body = ErrorBody)))]
async fn create_department(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Json(body): Json<DepartmentBody>,
) -> Result<(StatusCode, Json<RegisteredDepartment>), ApiError> {
    Ok((StatusCode::CREATED, Json(service::credit_file::create_department(&state, &user, body).await?)))
}

/// The registered departments.
#[derive(Debug, Serialize, ToSchema)]
struct Departments {
    departments: Vec<Department>,
}

/// Registered departments (admin), without tokens
#[utoipa::path(get, path = "/api/v1/credit/departments", tag = "credit", security(("bearer" = [])),
    responses((status = 200, description = "{departments}", body = Departments),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: administrators only", body = ErrorBody)))]
async fn departments(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<Departments>, ApiError> {
    service::credit_file::require_admin(&user)?;
    Ok(Json(Departments { departments: state.store.departments().await? }))
}

/// A revoked department.
#[derive(Debug, Serialize, ToSchema)]
struct Revoked {
    code: String,
    /// Always true.
    revoked: bool,
}

/// Revokes a department's token (admin)
#[utoipa::path(post, path = "/api/v1/credit/departments/{code}/revoke", tag = "credit", security(("bearer" = [])),
    params(("code" = String, Path, description = "the department's code")),
    responses((status = 200, description = "{code, revoked}", body = Revoked),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: administrators only", body = ErrorBody),
              (status = 409, description = "conflict: no such department, or already revoked", body = ErrorBody)))]
async fn revoke_department(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(code): Path<String>,
) -> Result<Json<Revoked>, ApiError> {
    service::credit_file::require_admin(&user)?;
    state.store.revoke_department(&code, Some(user.id)).await?;
    Ok(Json(Revoked { code, revoked: true }))
}

/// A record kind a department may send.
#[derive(Debug, Serialize, ToSchema)]
struct ExchangeKind {
    kind: String,
    name_zh: String,
    name_en: String,
    /// Days a record of this kind is public from its date.
    public_days: u32,
    legal_basis: String,
}

/// The exchange format, for departments writing a sender.
#[derive(Debug, Serialize, ToSchema)]
struct ExchangeFormat {
    endpoint: &'static str,
    authorization: &'static str,
    content_types: Vec<&'static str>,
    /// The fields of a record, in CSV order.
    columns: Vec<&'static str>,
    required: Vec<&'static str>,
    /// Records a request holds at most.
    limit: usize,
    all_or_nothing: &'static str,
    idempotent: &'static str,
    kinds: Vec<ExchangeKind>,
}

/// The exchange format: columns, required fields, the kinds a department may send
#[utoipa::path(get, path = "/api/v1/credit/exchange/format", tag = "credit",
    responses((status = 200, description = "the format", body = ExchangeFormat)))]
async fn exchange_format(State(state): State<AppState>) -> Json<ExchangeFormat> {
    let kinds: Vec<ExchangeKind> = Model::bundled()
        .kinds
        .iter()
        .filter(|k| k.allows(Source::Department))
        .map(|k| ExchangeKind {
            kind: k.code.clone(),
            name_zh: k.name_zh.clone(),
            name_en: k.name_en.clone(),
            public_days: k.public_days,
            legal_basis: k.legal_basis.clone(),
        })
        .collect();
    Json(ExchangeFormat {
        endpoint: "POST /api/v1/credit/exchange",
        authorization: "Bearer <department token>",
        content_types: vec![
            "application/json: {\"records\": [{…}]}",
            "text/csv: a header row naming the columns, then one record per line",
        ],
        columns: COLUMNS.to_vec(),
        required: vec!["uscc", "kind", "title", "occurred_on", "reference"],
        limit: state.settings.exchange_records,
        all_or_nothing:
            "a batch with any rejected row stores nothing; the answer lists every rejected row with its field and code",
        idempotent: "a record sent again under the same reference is stored once",
        kinds,
    })
}

/// A department sends records with its token, as JSON or CSV; all or nothing
///
/// JSON `{records: [...]}` or CSV with a header row naming the columns (GET /api/v1/credit/exchange/format). With
/// any rejected row nothing is stored and every rejected row is named. A record resent under its reference is
/// stored once.
#[utoipa::path(post, path = "/api/v1/credit/exchange", tag = "credit", security(("bearer" = [])),
    request_body(description = "the batch: JSON, or CSV (Content-Type text/csv) with a header row of the columns",
        content((RecordsBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{department, received, inserted, already_present, organizations_rescored}", body = ExchangeReceipt),
              (status = 401, description = "unauthorized: no department token, or a revoked one", body = ErrorBody),
              (status = 403, description = "forbidden: the department's region is no longer valid", body = ErrorBody),
              (status = 413, description = "payload_too_large: more records than the limit of the format", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored: {code, message, received, rejected: [{row, field, code, message}]}. Besides code and message the answer has received (rows read; 0 when the batch did not read) and rejected, every rejected row with its number (JSON: 1-based position; CSV: line), the field at fault, its code and what is wrong", body = RejectedRows)))]
async fn exchange(State(state): State<AppState>, headers: HeaderMap, body: String) -> Result<Response, ApiError> {
    let token = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(ApiError::unauthorized)?;
    let is_csv = super::batch_format(&headers) == service::batch::Format::Csv;
    Ok(super::batch_answer(service::credit_file::exchange(&state, token.trim(), is_csv, &body).await?))
}

/// Collects new records from inspections, recalls and complaints and rescores every organization (admin)
///
/// Class changes go to the public log. The body is optional.
#[utoipa::path(post, path = "/api/v1/credit/classes/recompute", tag = "credit", security(("bearer" = [])),
    request_body(content = Option<RecomputeBody>, description = "optional: the day to score on"),
    responses((status = 200, description = "{collected, summary: {model_version, as_of, organizations, class_changes, refreshed, by_class}}", body = Recomputed),
              (status = 400, description = "invalid_request: as_of in the future", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: administrators only", body = ErrorBody)))]
async fn recompute(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Option<Json<RecomputeBody>>,
) -> Result<Json<Recomputed>, ApiError> {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    Ok(Json(service::credit_file::recompute(&state, &user, body).await?))
}

/// A class with its description and how many organizations hold it.
#[derive(Debug, Serialize, ToSchema)]
struct ClassCount {
    /// A (low risk) to D (high risk).
    #[schema(value_type = String)]
    class: Class,
    name_zh: String,
    name_en: String,
    organizations: i64,
    supervision_zh: String,
    /// The weight a risk-based campaign draws organizations of this class with.
    sampling_weight: f64,
}

/// The classes of the model in force.
#[derive(Debug, Serialize, ToSchema)]
struct ClassCounts {
    model_version: String,
    classes: Vec<ClassCount>,
}

/// How many organizations hold each class
///
/// With the model's description of each class and its sampling weight.
#[utoipa::path(get, path = "/api/v1/credit/classes", tag = "credit",
    responses((status = 200, description = "{model_version, classes}", body = ClassCounts)))]
async fn class_counts(State(state): State<AppState>) -> Result<Json<ClassCounts>, ApiError> {
    let counts = state.store.credit_class_counts().await?;
    let model = Model::bundled();
    let classes: Vec<ClassCount> = model
        .classes
        .iter()
        .map(|rule| {
            let count = counts.iter().find(|(c, _)| c == rule.class.as_str()).map_or(0, |(_, n)| *n);
            ClassCount {
                class: rule.class,
                name_zh: rule.name_zh.clone(),
                name_en: rule.name_en.clone(),
                organizations: count,
                supervision_zh: rule.supervision_zh.clone(),
                sampling_weight: model.sampling_weight(rule.class),
            }
        })
        .collect();
    Ok(Json(ClassCounts { model_version: model.version.clone(), classes }))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct FileParams {
    /// The day the file is read for; today by default (regulators only may look back).
    #[param(format = Date)]
    as_of: Option<String>,
}

/// The credit file: class with reasons and log leaf, class changes, records, listings, public-log entries
///
/// Records are the public ones, or all for the region's regulators and the organization itself; every public-log
/// entry about the organization comes with its inclusion-proof link. Reading brings the file up to date first.
#[utoipa::path(get, path = "/api/v1/organizations/{uscc}/credit", tag = "credit", security((), ("bearer" = [])),
    params(("uscc" = String, Path, description = "unified social credit code (GB 32100)"), FileParams),
    responses((status = 200, description = "the file as the reader may see it", body = CreditFile),
              (status = 400, description = "invalid_uscc, invalid_request (as_of)", body = ErrorBody),
              (status = 403, description = "forbidden: as_of is for the organization's regulators", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn organization_credit(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(uscc): Path<String>,
    Query(params): Query<FileParams>,
) -> Result<Json<CreditFile>, ApiError> {
    Ok(Json(service::credit_file::file_view(&state, user.as_ref(), &uscc, params.as_of).await?))
}
