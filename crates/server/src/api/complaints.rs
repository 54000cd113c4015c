//! `/api/v1/complaints`: complaints, reports and enquiries (投诉举报咨询). The use cases are
//! [`service::complaints`]'s; this module reads requests, limits the public's submissions and writes answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use service::complaints::{
    audience, load, load_view, resolve, statistics, submitter_action, tracked, work, Audience, QueueParams,
    StatsParams, StepBody, TrackBody,
};
use store::Role;

use super::json_rejection;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::input::ComplaintFields;
pub(crate) use crate::web::ClientAddress;
use crate::{ApiError, AppState, ErrorCode};
use complaints::classify;
use complaints::{RefusalGround, TerminationGround};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/complaints", post(submit).get(queue))
        .route("/api/v1/complaints/classifier", get(classifier))
        .route("/api/v1/complaints/stats", get(stats))
        .route("/api/v1/complaints/track", post(track))
        .route("/api/v1/complaints/track/{action}", post(submitter_step))
        .route("/api/v1/complaints/{id}", get(one))
        .route("/api/v1/complaints/{id}/{action}", post(step))
}

/// `POST /api/v1/complaints`: the public (rate-limited per address) or a clerk, who may give `received_on`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    ClientAddress(client): ClientAddress,
    body: Result<Json<ComplaintFields>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(fields) = body.map_err(json_rejection)?;
    let clerk = user.as_ref().is_some_and(|u| matches!(u.role, Role::Admin | Role::Regulator));
    if !clerk {
        public_submission_allowed(&state, client)?;
    }
    Ok((StatusCode::CREATED, Json(service::complaints::submit(&state, fields, user.as_ref()).await?)))
}

/// Counts one public submission from `client`; refused when the address is over its limit.
pub(crate) fn public_submission_allowed(state: &AppState, client: std::net::IpAddr) -> Result<(), ApiError> {
    if state.submissions.allow(client) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::RateLimited, "too many submissions from this address; try again in a minute"))
    }
}

/// `GET /api/v1/complaints/{id}`.
pub(crate) async fn one(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(reference): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = resolve(&state, &reference).await?;
    let complaint = load(&state, id).await?;
    let audience = audience(&user, &complaint).ok_or_else(|| ApiError::not_found(format!("no complaint {id}")))?;
    Ok(Json(load_view(&state, &complaint, audience).await?))
}

/// `GET /api/v1/complaints?within_days=&region=&limit=`: overdue and nearly-due work, earliest deadline first.
pub(crate) async fn queue(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(params): Query<QueueParams>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(work(&state, &user, params).await?))
}

/// `GET /api/v1/complaints/classifier`: the rules, for anyone to inspect.
async fn classifier() -> Json<Value> {
    let rules = classify::classifier();
    let labels = |labels: &[classify::Label]| -> Vec<Value> {
        labels
            .iter()
            .map(|l| json!({"code": l.code, "name_zh": l.name_zh, "name_en": l.name_en, "terms": l.terms}))
            .collect()
    };
    Json(json!({
        "version": rules.version, "method": rules.method,
        "categories": labels(&rules.categories), "issues": labels(&rules.issues),
        "refusal_grounds": RefusalGround::ALL.iter().map(|g| json!({"code": g, "zh": g.name_zh(), "en": g.name_en()})).collect::<Vec<_>>(),
        "termination_grounds": TerminationGround::ALL.iter().map(|g| json!({"code": g, "zh": g.name_zh(), "en": g.name_en()})).collect::<Vec<_>>(),
    }))
}

async fn stats(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Query(params): Query<StatsParams>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(statistics(&state, user.as_ref(), params).await?))
}

/// `POST /api/v1/complaints/track`: the submitter follows a filing without an account.
async fn track(
    State(state): State<AppState>,
    body: Result<Json<TrackBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    let complaint = tracked(&state, &body).await?;
    Ok(Json(load_view(&state, &complaint, Audience::Party).await?))
}

async fn submitter_step(
    State(state): State<AppState>,
    Path(action): Path<String>,
    body: Result<Json<TrackBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    let complaint = submitter_action(&state, &action, body).await?;
    Ok(Json(load_view(&state, &complaint, Audience::Party).await?))
}

/// `POST /api/v1/complaints/{id}/{action}`.
pub(crate) async fn step(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path((reference, action)): Path<(String, String)>,
    body: Result<Json<StepBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::complaints::step(&state, &user, &reference, &action, body).await?))
}
