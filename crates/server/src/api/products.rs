//! Products keyed by GTIN (stored as GTIN-14), each linked to its producer's USCC.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use codes::Gtin;
use serde::{Deserialize, Serialize};
use store::{NewProduct, Page, Product, WriteOutcome};

use super::organizations::parse_uscc;
use super::{json_rejection, optional_text, page_limit, query_rejection};
use crate::auth::{authorize_product_write, AuthUser};
use crate::{ApiError, AppState};

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
    Gtin::parse(value).map_err(|e| ApiError::bad_request("invalid_gtin", e))
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
    let limit = page_limit(params.limit)?;
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductBody {
    gtin: Option<String>,
    name: String,
    uscc: String,
    category_code: Option<String>,
    brand: Option<String>,
    specification: Option<String>,
}

async fn write(
    state: &AppState,
    user: &store::User,
    gtin: Gtin,
    body: ProductBody,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    let name = body.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(ApiError::bad_request("invalid_request", "name must have 1 to 200 characters"));
    }
    let uscc = parse_uscc(&body.uscc)?;
    let category_code = optional_text(body.category_code);
    if let Some(code) = &category_code {
        if !store::CATEGORIES.iter().any(|(c, ..)| c == code) {
            return Err(ApiError::bad_request(
                "invalid_request",
                format!("category_code '{code}' is not a known category"),
            ));
        }
    }
    let producer = state.store.organization(uscc.as_str()).await?.ok_or_else(|| ApiError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        code: "unknown_organization",
        message: format!("producer {uscc} is not registered"),
    })?;
    let new = NewProduct {
        gtin: gtin.to_gtin14(),
        name,
        uscc: uscc.to_string(),
        category_code,
        brand: optional_text(body.brand),
        specification: optional_text(body.specification),
    };
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
    body: Result<Json<ProductBody>, JsonRejection>,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    let gtin = parse_gtin(body.gtin.as_deref().unwrap_or(""))?;
    write(&state, &user, gtin, body).await
}

async fn update(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(gtin): Path<String>,
    body: Result<Json<ProductBody>, JsonRejection>,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    let gtin = parse_gtin(&gtin)?;
    let Json(body) = body.map_err(json_rejection)?;
    if let Some(in_body) = body.gtin.as_deref() {
        if parse_gtin(in_body)?.to_gtin14() != gtin.to_gtin14() {
            return Err(ApiError::bad_request(
                "invalid_request",
                "the GTIN in the body differs from the one in the path",
            ));
        }
    }
    write(&state, &user, gtin, body).await
}
