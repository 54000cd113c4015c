//! `/api/v1/campaigns` and `/api/v1/samples`: the supervision sampling workflow (监督抽查). The use cases are
//! [`service::campaigns`]'s; this module reads requests and writes answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use service::campaigns::{CampaignBody, DateBody, DrawBody, FollowUpBody, ResultsBody, SampleBody};

use super::json_rejection;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/campaigns", get(list).post(create))
        .route("/api/v1/campaigns/{id}", get(one))
        .route("/api/v1/campaigns/{id}/draw", post(draw))
        .route("/api/v1/campaigns/{id}/publish", post(publish))
        .route("/api/v1/samples", post(record_sample))
        .route("/api/v1/samples/{id}", get(sample_view))
        .route("/api/v1/samples/{id}/results", post(results))
        .route("/api/v1/samples/{id}/notice", post(notice))
        .route("/api/v1/samples/{id}/retest-request", post(retest_request))
        .route("/api/v1/samples/{id}/follow-ups", post(follow_up))
}

#[derive(Debug, Deserialize)]
struct ListParams {
    level: Option<String>,
    year: Option<i64>,
}

async fn list(State(state): State<AppState>, Query(params): Query<ListParams>) -> Result<Json<Value>, ApiError> {
    let campaigns = state.store.campaigns(params.level.as_deref(), params.year, 1000).await?;
    Ok(Json(json!({ "items": campaigns })))
}

async fn one(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(service::campaigns::campaign_view(&state, user.as_ref(), &id).await?))
}

async fn sample_view(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(service::campaigns::sample_view(&state, user.as_ref(), &id).await?))
}

async fn create(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<CampaignBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(service::campaigns::create(&state, &user, body).await?)))
}

async fn draw(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Option<Json<DrawBody>>,
) -> Result<Json<Value>, ApiError> {
    let body = body.map(|Json(b)| b);
    Ok(Json(service::campaigns::draw(&state, &user, &id, body).await?))
}

async fn record_sample(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<SampleBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(service::campaigns::record_sample(&state, &user, body).await?)))
}

async fn results(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<ResultsBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::campaigns::results(&state, &user, &id, body).await?))
}

async fn notice(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<DateBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::campaigns::notice(&state, &user, &id, body).await?))
}

async fn retest_request(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<DateBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::campaigns::retest_request(&state, &user, &id, body).await?))
}

async fn publish(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<DateBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::campaigns::publish(&state, &user, &id, body).await?))
}

async fn follow_up(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<FollowUpBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(service::campaigns::follow_up(&state, &user, &id, body).await?)))
}
