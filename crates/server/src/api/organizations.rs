//! `/api/v1/organizations`: market entities keyed by USCC (lookup, search, create, update). The reads and
//! writes are [`service::master`]'s.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use codes::Uscc;
use serde::Deserialize;
use service::error::ErrorBody;
use service::input::OrganizationFields as OrganizationInput;
use service::master::{self, OrganizationView};
use store::{NewOrganization, Page, WriteOutcome};

use super::{json_rejection, page_limit, query_rejection};
use crate::auth::AuthUser;
use crate::input::{self, optional_text, OrganizationFields};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/organizations", get(search).post(create))
        .route("/api/v1/organizations/{uscc}", get(one).put(update))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(search, create, one, update))]
pub(super) struct Api;

/// Parses a USCC from a path, with the API's error code.
pub(crate) fn parse_uscc(value: &str) -> Result<Uscc, ApiError> {
    Ok(input::uscc("uscc", Some(value))?)
}

/// One organization
#[utoipa::path(get, path = "/api/v1/organizations/{uscc}", tag = "master data",
    params(("uscc" = String, Path, description = "unified social credit code (GB 32100)")),
    responses((status = 200, description = "found", body = OrganizationView),
              (status = 400, description = "invalid_uscc: the message names the failed check", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn one(State(state): State<AppState>, Path(uscc): Path<String>) -> Result<Json<OrganizationView>, ApiError> {
    Ok(Json(master::organization(&state, &parse_uscc(&uscc)?).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchParams {
    /// Name words, a USCC, or empty for all.
    pub q: Option<String>,
    /// GB/T 2260 code or prefix (2, 4 or 6 digits).
    pub region: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

/// Searches organizations; a query that is a valid USCC finds that organization.
pub(crate) async fn search_organizations(
    state: &AppState,
    params: &SearchParams,
) -> Result<Page<OrganizationView>, ApiError> {
    let limit = page_limit(state, params.limit)?;
    let query = params.q.as_deref().unwrap_or("").trim();
    let region = optional_text(params.region.clone()).map(|r| input::region("region", &r)).transpose()?;
    master::search_organizations(state, query, region.as_ref().map(|r| r.prefix()), params.cursor.as_deref(), limit)
        .await
}

/// Search organizations by name words (Chinese), USCC, region
#[utoipa::path(get, path = "/api/v1/organizations", tag = "master data", params(SearchParams),
    responses((status = 200, description = "a page", body = Page<OrganizationView>),
              (status = 400, description = "invalid_region or invalid_request", body = ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<Page<OrganizationView>>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(search_organizations(&state, &params).await?))
}

async fn write(
    state: &AppState,
    user: &store::User,
    new: NewOrganization,
) -> Result<(StatusCode, Json<OrganizationView>), ApiError> {
    let (outcome, view) = master::write_organization(state, user, new).await?;
    let status = if outcome == WriteOutcome::Inserted { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(view)))
}

/// Register an organization
#[utoipa::path(post, path = "/api/v1/organizations", tag = "master data", security(("bearer" = [])),
    request_body = OrganizationInput,
    responses((status = 201, description = "created", body = OrganizationView),
              (status = 200, description = "updated", body = OrganizationView),
              (status = 400, description = "invalid_uscc, invalid_region, invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<OrganizationFields>, JsonRejection>,
) -> Result<(StatusCode, Json<OrganizationView>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    write(&state, &user, input::organization(body, None)?).await
}

/// Update an organization
#[utoipa::path(put, path = "/api/v1/organizations/{uscc}", tag = "master data", security(("bearer" = [])),
    params(("uscc" = String, Path, description = "unified social credit code (GB 32100)")),
    request_body = OrganizationInput,
    responses((status = 200, description = "updated", body = OrganizationView),
              (status = 201, description = "created", body = OrganizationView),
              (status = 400, description = "invalid_uscc, invalid_region, invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(uscc): Path<String>,
    body: Result<Json<OrganizationFields>, JsonRejection>,
) -> Result<(StatusCode, Json<OrganizationView>), ApiError> {
    let uscc = parse_uscc(&uscc)?;
    let Json(body) = body.map_err(json_rejection)?;
    write(&state, &user, input::organization(body, Some(&uscc))?).await
}
