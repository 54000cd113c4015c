//! Products keyed by GTIN (stored as GTIN-14), each linked to its producer's USCC.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use codes::Gtin;
use serde::{Deserialize, Serialize};
use store::{NewProduct, Page, Product, WriteOutcome};

use super::{json_rejection, page_limit, query_rejection};
use crate::auth::{authorize_product_write, AuthUser};
use crate::input::{self, ProductFields};
use crate::{ApiError, AppState, ErrorCode};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/products", get(search).post(create))
        .route("/api/v1/products/{gtin}", get(one).put(update))
}

/// A product as the API shows it, with its producer's name.
#[derive(Debug, Serialize)]
pub(crate) struct ProductView {
    #[serde(flatten)]
    pub product: Product,
    pub producer_name: Option<String>,
}

pub(crate) fn parse_gtin(value: &str) -> Result<Gtin, ApiError> {
    Ok(input::gtin(Some(value))?)
}

pub(crate) async fn product_view(state: &AppState, product: Product) -> Result<ProductView, ApiError> {
    let producer_name = state.store.organization(&product.uscc).await?.map(|o| o.name);
    Ok(ProductView { product, producer_name })
}

async fn one(State(state): State<AppState>, Path(gtin): Path<String>) -> Result<Json<ProductView>, ApiError> {
    let gtin = parse_gtin(&gtin)?;
    let product = state
        .store
        .product(&gtin.to_gtin14())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no product with GTIN {gtin}")))?;
    Ok(Json(product_view(&state, product).await?))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchParams {
    /// Name or brand words, or a GTIN.
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

/// Searches products; a query that is a valid GTIN finds that product.
pub(crate) async fn search_products(state: &AppState, params: &SearchParams) -> Result<Page<Product>, ApiError> {
    let limit = page_limit(state, params.limit)?;
    let query = params.q.as_deref().unwrap_or("").trim();
    if let Ok(gtin) = Gtin::parse(query) {
        let items = state.store.product(&gtin.to_gtin14()).await?.into_iter().collect();
        return Ok(Page { items, next_cursor: None });
    }
    Ok(state.store.search_products(query, params.cursor.as_deref(), limit).await?)
}

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
    let producer = state.store.organization(&new.uscc).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::UnknownOrganization, format!("producer {} is not registered", new.uscc))
    })?;
    let previous = match state.store.product(&new.gtin).await? {
        Some(product) => {
            let region = state.store.organization(&product.uscc).await?.map(|o| o.region_code).unwrap_or_default();
            Some((product.uscc, region))
        }
        None => None,
    };
    authorize_product_write(
        user,
        &new.uscc,
        &producer.region_code,
        previous.as_ref().map(|(uscc, region)| (uscc.as_str(), region.as_str())),
    )?;
    let outcome = state.store.upsert_product(&new, Some(user.id)).await?;
    let stored = state.store.product(&new.gtin).await?.ok_or_else(|| ApiError::not_found("write was lost"))?;
    let status = if outcome == WriteOutcome::Inserted { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(product_view(state, stored).await?)))
}

async fn create(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<ProductFields>, JsonRejection>,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    write(&state, &user, input::product(body, None)?).await
}

async fn update(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(gtin): Path<String>,
    body: Result<Json<ProductFields>, JsonRejection>,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    let gtin = parse_gtin(&gtin)?;
    let Json(body) = body.map_err(json_rejection)?;
    write(&state, &user, input::product(body, Some(&gtin))?).await
}
