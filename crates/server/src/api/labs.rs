//! Testing bodies (检验检测机构, C11) over HTTP: the register of labs and their scopes, and the search "who can
//! test product X to standard Y (clause Z)" by region.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use service::error::ErrorBody;
use service::labs::{AssignBody, CampaignLabs, LabMatch, LabQuery, LabReceipt, LabView, TestItemsBody};

use super::{batch_answer, batch_format, json_rejection, query_rejection, RejectedRows};
use crate::auth::AuthUser;
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/labs", get(search).post(register))
        .route("/api/v1/labs/scopes", post(upload_scopes))
        .route("/api/v1/labs/{uscc}", get(one))
        .route("/api/v1/campaigns/{id}/test-items", axum::routing::put(set_test_items))
        .route("/api/v1/campaigns/{id}/labs", get(campaign_labs).post(assign_lab))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(search, register, upload_scopes, one, set_test_items, campaign_labs, assign_lab))]
pub(super) struct Api;

/// A campaign's test items with the assigned labs covering each, and the items no assigned lab covers
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/labs", tag = "labs",
    params(("id" = String, Path, description = "the campaign")),
    responses((status = 200, description = "the coverage", body = CampaignLabs),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn campaign_labs(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<CampaignLabs>, ApiError> {
    Ok(Json(service::labs::campaign_labs(&state, &id).await?))
}

/// Set a campaign's test items (its regulator): each an edition of the standards catalogue with any clause
#[utoipa::path(put, path = "/api/v1/campaigns/{id}/test-items", tag = "labs", security(("bearer" = [])),
    params(("id" = String, Path, description = "the campaign")), request_body = TestItemsBody,
    responses((status = 200, description = "the coverage", body = CampaignLabs),
              (status = 400, description = "invalid_request: an item that does not read or an unknown edition", body = ErrorBody),
              (status = 403, description = "forbidden: outside the region", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn set_test_items(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<TestItemsBody>, JsonRejection>,
) -> Result<Json<CampaignLabs>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::labs::set_test_items(&state, &user, &id, body).await?))
}

/// Assign a lab to a campaign (its regulator): only a lab whose scope covers some of the test items
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/labs", tag = "labs", security(("bearer" = [])),
    params(("id" = String, Path, description = "the campaign")), request_body = AssignBody,
    responses((status = 200, description = "the coverage after the assignment", body = CampaignLabs),
              (status = 400, description = "invalid_request: the lab's scope covers none of the items", body = ErrorBody),
              (status = 403, description = "forbidden: outside the region", body = ErrorBody),
              (status = 404, description = "not_found: no such campaign or lab", body = ErrorBody),
              (status = 409, description = "wrong_state: no test items yet", body = ErrorBody)))]
async fn assign_lab(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<AssignBody>, JsonRejection>,
) -> Result<Json<CampaignLabs>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::labs::assign_lab(&state, &user, &id, body).await?))
}

/// Who can test a product to a standard (and clause), by region: current editions unless `all_editions=true`
#[utoipa::path(get, path = "/api/v1/labs", tag = "labs", params(LabQuery),
    responses((status = 200, description = "[{lab, rows}]", body = Vec<LabMatch>),
              (status = 400, description = "invalid_request: no product; invalid_region", body = ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    query: Result<Query<LabQuery>, QueryRejection>,
) -> Result<Json<Vec<LabMatch>>, ApiError> {
    let Query(query) = query.map_err(query_rejection)?;
    Ok(Json(service::labs::search(&state, query).await?))
}

/// Register labs (administrators): JSON or CSV, all or nothing
#[utoipa::path(post, path = "/api/v1/labs", tag = "labs", security(("bearer" = [])),
    request_body(description = "JSON {labs: [...]}, or CSV (Content-Type text/csv) with the header uscc,name,cma,cnas,region_code",
        content((service::batch::LabsBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{received}", body = LabReceipt),
              (status = 403, description = "forbidden: administrators only", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored", body = RejectedRows)))]
async fn register(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    Ok(batch_answer(service::labs::register(&state, &user, batch_format(&headers), &body).await?))
}

/// Upload scope rows (a lab for itself, or an administrator): each lab named has its scope replaced; all or nothing
#[utoipa::path(post, path = "/api/v1/labs/scopes", tag = "labs", security(("bearer" = [])),
    request_body(description = "JSON {scopes: [...]}, or CSV (Content-Type text/csv) with the header lab,product,parameter,standard,method,limitation,suspended",
        content((service::batch::ScopesBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{received}", body = LabReceipt),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored: an unknown lab, product or standard edition named by its row", body = RejectedRows)))]
async fn upload_scopes(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    Ok(batch_answer(service::labs::upload_scopes(&state, &user, batch_format(&headers), &body).await?))
}

/// One lab with its scope and each cited edition's standing today
#[utoipa::path(get, path = "/api/v1/labs/{uscc}", tag = "labs",
    params(("uscc" = String, Path, description = "the lab's USCC")),
    responses((status = 200, description = "the lab", body = LabView),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn one(State(state): State<AppState>, Path(uscc): Path<String>) -> Result<Json<LabView>, ApiError> {
    Ok(Json(service::labs::lab(&state.store, &uscc).await?))
}
