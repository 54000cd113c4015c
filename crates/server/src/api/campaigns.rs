//! `/api/v1/campaigns` and `/api/v1/samples`: the supervision sampling workflow (监督抽查). The use cases are
//! [`service::campaigns`]'s; this module reads requests and writes answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use service::campaigns::{
    CampaignBody, CampaignPublished, CampaignView, DateBody, DrawBody, DrawResult, FollowUpBody, ResultsBody,
    SampleBody, SampleView,
};
use service::error::ErrorBody;
use store::inspections::Campaign;

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

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    create,
    one,
    draw,
    publish,
    record_sample,
    sample_view,
    results,
    notice,
    retest_request,
    follow_up
))]
pub(super) struct Api;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListParams {
    /// national, provincial, city or county.
    level: Option<String>,
    year: Option<i64>,
}

/// Campaigns, newest year first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct CampaignList {
    /// At most 1000.
    items: Vec<Campaign>,
}

/// Sampling campaigns
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "sampling", params(ListParams),
    responses((status = 200, description = "{items}", body = CampaignList)))]
async fn list(State(state): State<AppState>, Query(params): Query<ListParams>) -> Result<Json<CampaignList>, ApiError> {
    let items = state.store.campaigns(params.level.as_deref(), params.year, 1000).await?;
    Ok(Json(CampaignList { items }))
}

/// A campaign with strata, draw and sample counts
///
/// The drawn organizations are shown to the campaign's supervisors only; for everyone else the pass and fail
/// counts are those of published samples.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "sampling", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "the campaign's id")),
    responses((status = 200, description = "the campaign", body = CampaignView),
              (status = 401, description = "unauthorized: a bearer token that is not valid", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn one(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
) -> Result<Json<CampaignView>, ApiError> {
    Ok(Json(service::campaigns::campaign_view(&state, user.as_ref(), &id).await?))
}

/// A sample with its test items and history (unpublished: its regulator, lab and enterprise only)
#[utoipa::path(get, path = "/api/v1/samples/{id}", tag = "sampling", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "the sample's id")),
    responses((status = 200, description = "{sample, items, events}", body = SampleView),
              (status = 401, description = "unauthorized: a bearer token that is not valid", body = ErrorBody),
              (status = 404, description = "not_found, also for an unpublished sample this reader may not see",
               body = ErrorBody)))]
async fn sample_view(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
) -> Result<Json<SampleView>, ApiError> {
    Ok(Json(service::campaigns::sample_view(&state, user.as_ref(), &id).await?))
}

/// Plan a campaign with strata (regulator in its jurisdiction; national: admin)
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "sampling", security(("bearer" = [])),
    request_body = CampaignBody,
    responses((status = 201, description = "created", body = CampaignView),
              (status = 400, description = "invalid_request, invalid_region", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 409, description = "conflict: the campaign id is taken", body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<CampaignBody>, JsonRejection>,
) -> Result<(StatusCode, Json<CampaignView>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(service::campaigns::create(&state, &user, body).await?)))
}

/// Draw organizations at random, reproducibly, without replacement
///
/// From the campaign's seed: the same campaign always draws the same organizations, and none twice. With regional
/// strata each stratum's allocation is drawn from its own region. A frame too small for its allocation draws
/// nothing.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/draw", tag = "sampling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the campaign's id")),
    request_body = Option<DrawBody>,
    responses((status = 200, description = "{frame, drawn}", body = DrawResult),
              (status = 400, description = "invalid_request: size is required when the strata have no allocation",
               body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody),
              (status = 409, description = "conflict: already drawn", body = ErrorBody),
              (status = 422, description = "frame_too_small: the message names each short stratum", body = ErrorBody)))]
async fn draw(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Option<Json<DrawBody>>,
) -> Result<Json<DrawResult>, ApiError> {
    let body = body.map(|Json(b)| b);
    Ok(Json(service::campaigns::draw(&state, &user, &id, body).await?))
}

/// Record a sample from a drawn organization
///
/// lab_uscc (required) names the laboratory, whose lab account (same USCC) records the result.
#[utoipa::path(post, path = "/api/v1/samples", tag = "sampling", security(("bearer" = [])),
    request_body = SampleBody,
    responses((status = 201, description = "the sample", body = SampleView),
              (status = 400, description = "invalid_request, invalid_uscc, invalid_gtin", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 404, description = "not_found: no such campaign", body = ErrorBody),
              (status = 409, description = "conflict: sampled twice", body = ErrorBody),
              (status = 422, description = "not_drawn, unknown_organization, campaign_closed", body = ErrorBody)))]
async fn record_sample(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<SampleBody>, JsonRejection>,
) -> Result<(StatusCode, Json<SampleView>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(service::campaigns::record_sample(&state, &user, body).await?)))
}

/// The sample's lab (the lab account holding the sample's lab_uscc) records test items (a re-test after a request)
#[utoipa::path(post, path = "/api/v1/samples/{id}/results", tag = "sampling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the sample's id")),
    request_body = ResultsBody,
    responses((status = 200, description = "the sample", body = SampleView),
              (status = 400, description = "invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: not the sample's laboratory", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody),
              (status = 409, description = "wrong_state: no result is expected", body = ErrorBody)))]
async fn results(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<ResultsBody>, JsonRejection>,
) -> Result<Json<SampleView>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::campaigns::results(&state, &user, &id, body).await?))
}

/// Notify the enterprise; a failure opens the 15-day re-test window
#[utoipa::path(post, path = "/api/v1/samples/{id}/notice", tag = "sampling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the sample's id")),
    request_body = DateBody,
    responses((status = 200, description = "the sample", body = SampleView),
              (status = 400, description = "invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody),
              (status = 409, description = "wrong_state: there is no result to notify", body = ErrorBody)))]
async fn notice(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<DateBody>, JsonRejection>,
) -> Result<Json<SampleView>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::campaigns::notice(&state, &user, &id, body).await?))
}

/// The enterprise requests a re-test (复检) within the window
#[utoipa::path(post, path = "/api/v1/samples/{id}/retest-request", tag = "sampling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the sample's id")),
    request_body = DateBody,
    responses((status = 200, description = "the sample", body = SampleView),
              (status = 400, description = "invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: not the sampled enterprise", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody),
              (status = 409, description = "wrong_state: no failed, notified result open to re-test", body = ErrorBody),
              (status = 422, description = "retest_window_closed", body = ErrorBody)))]
async fn retest_request(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<DateBody>, JsonRejection>,
) -> Result<Json<SampleView>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::campaigns::retest_request(&state, &user, &id, body).await?))
}

/// Publish results once every sample is notified and past its re-test window
///
/// Each failure becomes an `inspection_failed` event for the credit file.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/publish", tag = "sampling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the campaign's id")),
    request_body = DateBody,
    responses((status = 200, description = "{published, failed}", body = CampaignPublished),
              (status = 400, description = "invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody),
              (status = 422, description = "not_ready (the message lists the samples in the way), nothing_to_publish",
               body = ErrorBody)))]
async fn publish(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<DateBody>, JsonRejection>,
) -> Result<Json<CampaignPublished>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::campaigns::publish(&state, &user, &id, body).await?))
}

/// 后处理: rectification order, re-inspection, penalty referral
///
/// Of a published failure; each step is an event the credit file reads.
#[utoipa::path(post, path = "/api/v1/samples/{id}/follow-ups", tag = "sampling", security(("bearer" = [])),
    params(("id" = String, Path, description = "the sample's id")),
    request_body = FollowUpBody,
    responses((status = 201, description = "the sample", body = SampleView),
              (status = 400, description = "invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody),
              (status = 409, description = "wrong_state: not a published failure", body = ErrorBody),
              (status = 422, description = "not_a_failure: the sample passed", body = ErrorBody)))]
async fn follow_up(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<FollowUpBody>, JsonRejection>,
) -> Result<(StatusCode, Json<SampleView>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(service::campaigns::follow_up(&state, &user, &id, body).await?)))
}
