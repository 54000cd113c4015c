//! `/api/v1/risk-assessments` and `/api/v1/warnings`: risk assessment and risk warnings (风险警示). The use cases
//! are [`service::warnings`]'s; this module reads requests and writes answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use service::warnings::{self as warnings_service, AssessmentBody, WarningBody};
use store::warnings::RiskAssessment;
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

async fn create_assessment(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<AssessmentBody>, JsonRejection>,
) -> Result<(StatusCode, Json<RiskAssessment>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(warnings_service::create_assessment(&state, &user, body).await?)))
}

async fn one_assessment(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<RiskAssessment>, ApiError> {
    Ok(Json(warnings_service::assessment(&state, &user, &id).await?))
}

async fn draft(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<WarningBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(warnings_service::draft(&state, &user, body).await?)))
}

macro_rules! warning_handler {
    ($name:ident, $step:expr) => {
        async fn $name(
            State(state): State<AppState>,
            AuthUser(user): AuthUser,
            Path(id): Path<String>,
            body: Result<Json<WarningBody>, JsonRejection>,
        ) -> Result<Json<Value>, ApiError> {
            let Json(body) = body.map_err(json_rejection)?;
            Ok(Json(warnings_service::advance(&state, &user, &id, $step, body).await?))
        }
    };
}

warning_handler!(review, WarningStep::Review);
warning_handler!(publish, WarningStep::Publish);
warning_handler!(update, WarningStep::Update);
warning_handler!(withdraw, WarningStep::Withdraw);
warning_handler!(respond, WarningStep::Response);

#[derive(Debug, Deserialize)]
pub(crate) struct ListParams {
    q: Option<String>,
}

/// `GET /api/v1/warnings?q=`: published warnings for everyone, all for regulators.
async fn list(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Query(params): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let public_only = user.as_ref().is_none_or(|u| warnings_service::regulator(u).is_err());
    let warnings = state.store.warnings(public_only, params.q.as_deref(), 200).await?;
    Ok(Json(json!({"items": warnings, "count": warnings.len()})))
}

async fn one(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(warnings_service::visible(&state, user.as_ref(), &id).await?))
}
