//! `/api/v1/risk-assessments` and `/api/v1/warnings`: risk assessment and risk warnings (风险警示). The use cases
//! are [`service::warnings`]'s; this module reads requests and writes answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use service::error::ErrorBody;
use service::warnings::{self as warnings_service, AssessmentBody, WarningBody, WarningView};
use store::warnings::{RiskAssessment, Warning};
use warnings::WarningStep;

use super::json_rejection;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/risk-assessments", post(create_assessment))
        .route("/api/v1/risk-assessments/{id}", get(one_assessment))
        .route("/api/v1/warnings", get(list).post(draft))
        .route("/api/v1/warnings/{id}", get(one))
        .route("/api/v1/warnings/{id}/review", post(review))
        .route("/api/v1/warnings/{id}/publish", post(publish))
        .route("/api/v1/warnings/{id}/update", post(update))
        .route("/api/v1/warnings/{id}/withdraw", post(withdraw))
        .route("/api/v1/warnings/{id}/responses", post(respond))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(create_assessment, one_assessment, list, draft, one, review, publish, update, withdraw, respond))]
pub(super) struct Api;

/// Assess an injury scenario (RAG)
///
/// The steps with their probabilities and a severity 1–4 give the level from data/risk_matrix.json (regulators).
#[utoipa::path(post, path = "/api/v1/risk-assessments", tag = "warnings", security(("bearer" = [])),
    request_body = AssessmentBody,
    responses((status = 201, description = "the assessment", body = RiskAssessment),
              (status = 400, description = "invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn create_assessment(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<AssessmentBody>, JsonRejection>,
) -> Result<(StatusCode, Json<RiskAssessment>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(warnings_service::create_assessment(&state, &user, body).await?)))
}

/// A risk assessment (regulators)
#[utoipa::path(get, path = "/api/v1/risk-assessments/{id}", tag = "warnings", security(("bearer" = [])),
    params(("id" = String, Path, description = "the assessment's id, ZL-RA-{year}-{number}")),
    responses((status = 200, description = "the assessment", body = RiskAssessment),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn one_assessment(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<RiskAssessment>, ApiError> {
    Ok(Json(warnings_service::assessment(&state, &user, &id).await?))
}

/// Draft a warning from an assessment
///
/// A regulator of the assessment's region drafts it; the level is the assessment's.
#[utoipa::path(post, path = "/api/v1/warnings", tag = "warnings", security(("bearer" = [])),
    request_body = WarningBody,
    responses((status = 201, description = "the draft, with its history", body = WarningView),
              (status = 400, description = "invalid_request, invalid_region or invalid_gtin naming the field",
               body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 422, description = "unknown_assessment", body = ErrorBody)))]
async fn draft(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<WarningBody>, JsonRejection>,
) -> Result<(StatusCode, Json<WarningView>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(warnings_service::draft(&state, &user, body).await?)))
}

/// One step of a warning for a regulator of its region; every step answers the warning after it.
macro_rules! warning_handler {
    ($name:ident, $step:expr, $path:literal, $summary:literal, $done:literal) => {
        #[utoipa::path(post, path = $path, tag = "warnings", security(("bearer" = [])), summary = $summary,
            params(("id" = String, Path, description = "the warning's id, ZL-RW-{year}-{number}")),
            request_body = WarningBody,
            responses((status = 200, description = $done, body = WarningView),
                      (status = 400, description = "invalid_request: a field the step needs is missing or malformed",
                       body = ErrorBody),
                      (status = 401, description = "unauthorized", body = ErrorBody),
                      (status = 403, description = "forbidden: not a regulator of the warning's region (or, for a \
                           review, its drafter)", body = ErrorBody),
                      (status = 404, description = "not_found", body = ErrorBody),
                      (status = 409, description = "wrong_state: the warning's status does not allow the step; \
                           conflict: it changed meanwhile", body = ErrorBody)))]
        async fn $name(
            State(state): State<AppState>,
            AuthUser(user): AuthUser,
            Path(id): Path<String>,
            body: Result<Json<WarningBody>, JsonRejection>,
        ) -> Result<Json<WarningView>, ApiError> {
            let Json(body) = body.map_err(json_rejection)?;
            Ok(Json(warnings_service::advance(&state, &user, &id, $step, body).await?))
        }
    };
}

warning_handler!(
    review,
    WarningStep::Review,
    "/api/v1/warnings/{id}/review",
    "Review a draft warning (by someone other than the drafter)",
    "reviewed"
);
warning_handler!(
    publish,
    WarningStep::Publish,
    "/api/v1/warnings/{id}/publish",
    "Publish a reviewed warning",
    "published"
);
warning_handler!(
    update,
    WarningStep::Update,
    "/api/v1/warnings/{id}/update",
    "Update a published warning (note required): its title, body or scope",
    "updated"
);
warning_handler!(
    withdraw,
    WarningStep::Withdraw,
    "/api/v1/warnings/{id}/withdraw",
    "Withdraw a published warning (note required)",
    "withdrawn"
);
warning_handler!(
    respond,
    WarningStep::Response,
    "/api/v1/warnings/{id}/responses",
    "Record a response (早处置): sampling_ordered, recall_opened, notice_to_enterprises",
    "recorded; the warning keeps its status"
);

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// Words to search for in titles and bodies (Chinese).
    q: Option<String>,
}

/// Warnings, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct WarningList {
    /// At most 200.
    items: Vec<Warning>,
    count: usize,
}

/// Risk warnings: published ones for everyone, all for regulators
///
/// q searches titles and bodies in Chinese. The public sees published, updated and withdrawn warnings.
#[utoipa::path(get, path = "/api/v1/warnings", tag = "warnings", security((), ("bearer" = [])),
    params(ListParams),
    responses((status = 200, description = "{items, count}", body = WarningList),
              (status = 401, description = "unauthorized: a token was sent and is not valid", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Query(params): Query<ListParams>,
) -> Result<Json<WarningList>, ApiError> {
    let public_only = user.as_ref().is_none_or(|u| warnings_service::regulator(u).is_err());
    let items = state.store.warnings(public_only, params.q.as_deref(), 200).await?;
    Ok(Json(WarningList { count: items.len(), items }))
}

/// A warning with its history
///
/// Published ones for everyone, drafts for regulators.
#[utoipa::path(get, path = "/api/v1/warnings/{id}", tag = "warnings", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "the warning's id, ZL-RW-{year}-{number}")),
    responses((status = 200, description = "the warning", body = WarningView),
              (status = 401, description = "unauthorized: a token was sent and is not valid", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn one(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
) -> Result<Json<WarningView>, ApiError> {
    Ok(Json(warnings_service::visible(&state, user.as_ref(), &id).await?))
}
