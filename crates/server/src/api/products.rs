//! `/api/v1/products`: products keyed by GTIN (stored as GTIN-14), each linked to its producer's USCC. The reads
//! and writes are [`service::master`]'s.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use codes::Gtin;
use serde::Deserialize;
use service::error::ErrorBody;
use service::input::ProductFields as ProductInput;
use service::master::{self, ProductView};
use store::{NewProduct, Page, Product, WriteOutcome};

use super::{json_rejection, page_limit, query_rejection};
use crate::auth::AuthUser;
use crate::input::{self, ProductFields};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/products", get(search).post(create))
        .route("/api/v1/products/{gtin}", get(one).put(update))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(search, create, one, update))]
pub(super) struct Api;

pub(crate) fn parse_gtin(value: &str) -> Result<Gtin, ApiError> {
    Ok(input::gtin(Some(value))?)
}

/// One product
#[utoipa::path(get, path = "/api/v1/products/{gtin}", tag = "master data",
    params(("gtin" = String, Path, description = "GTIN-8, -12, -13 or -14")),
    responses((status = 200, description = "found", body = ProductView),
              (status = 400, description = "invalid_gtin", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn one(State(state): State<AppState>, Path(gtin): Path<String>) -> Result<Json<ProductView>, ApiError> {
    Ok(Json(master::product(&state, &parse_gtin(&gtin)?).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchParams {
    /// Name or brand words, or a GTIN.
    pub q: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

/// Searches products; a query that is a valid GTIN finds that product.
pub(crate) async fn search_products(state: &AppState, params: &SearchParams) -> Result<Page<Product>, ApiError> {
    let limit = page_limit(state, params.limit)?;
    let query = params.q.as_deref().unwrap_or("").trim();
    master::search_products(state, query, params.cursor.as_deref(), limit).await
}

/// Search products by name or brand words, or GTIN
#[utoipa::path(get, path = "/api/v1/products", tag = "master data", params(SearchParams),
    responses((status = 200, description = "a page", body = Page<ProductView>)))]
async fn search(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<Page<Product>>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(search_products(&state, &params).await?))
}

async fn write(
    state: &AppState,
    user: &store::User,
    new: NewProduct,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    let (outcome, view) = master::write_product(state, user, new).await?;
    let status = if outcome == WriteOutcome::Inserted { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(view)))
}

/// Register a product
#[utoipa::path(post, path = "/api/v1/products", tag = "master data", security(("bearer" = [])),
    request_body = ProductInput,
    responses((status = 201, description = "created", body = ProductView),
              (status = 200, description = "updated", body = ProductView),
              (status = 400, description = "invalid_gtin, invalid_uscc, invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 422, description = "unknown_organization: the producer is not registered", body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<ProductFields>, JsonRejection>,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    let catalogue = state.catalogue().await?;
    write(&state, &user, input::product(body, None, &catalogue)?).await
}

/// Update a product
#[utoipa::path(put, path = "/api/v1/products/{gtin}", tag = "master data", security(("bearer" = [])),
    params(("gtin" = String, Path, description = "GTIN-8, -12, -13 or -14")),
    request_body = ProductInput,
    responses((status = 200, description = "updated", body = ProductView),
              (status = 201, description = "created", body = ProductView),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn update(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(gtin): Path<String>,
    body: Result<Json<ProductFields>, JsonRejection>,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    let gtin = parse_gtin(&gtin)?;
    let Json(body) = body.map_err(json_rejection)?;
    let catalogue = state.catalogue().await?;
    write(&state, &user, input::product(body, Some(&gtin), &catalogue)?).await
}
