//! JSON API under `/api/v1`.

pub(crate) mod campaigns;
mod catalogue;
mod certification;
pub(crate) mod codes;
pub(crate) mod complaints;
pub(crate) mod credit;
pub(crate) mod credit_file;
pub(crate) mod epcis;
mod equipment;
pub(crate) mod indicators;
pub(crate) mod injuries;
pub(crate) mod inspections;
mod labs;
mod licensing;
pub(crate) mod log;
mod organizations;
mod products;
pub(crate) mod recalls;
mod reference;
pub(crate) mod signals;
mod standards;
pub(crate) mod trace;
pub(crate) mod warnings;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::routing::get;
use axum::{Json, Router};

use crate::{ApiError, AppState, ErrorCode};

pub(crate) use organizations::search_organizations;
pub(crate) use products::search_products;
pub(crate) use service::master::product_view;
pub(crate) use service::master::OrganizationView;

/// Search parameters for organizations from a page's query.
pub(crate) fn organizations_search_params(q: &str, cursor: Option<String>) -> organizations::SearchParams {
    organizations::SearchParams { q: Some(q.to_owned()), region: None, cursor, limit: None }
}

/// Search parameters for products from a page's query.
pub(crate) fn products_search_params(q: &str) -> products::SearchParams {
    products::SearchParams { q: Some(q.to_owned()), cursor: None, limit: None }
}

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/errors", get(errors))
        .merge(codes::router())
        .merge(organizations::router())
        .merge(products::router())
        .merge(reference::router())
        .merge(inspections::router())
        .merge(campaigns::router())
        .merge(indicators::router())
        .merge(epcis::router())
        .merge(trace::router())
        .merge(recalls::router())
        .merge(injuries::router())
        .merge(signals::router())
        .merge(warnings::router())
        .merge(complaints::router())
        .merge(log::router())
        .merge(credit::router())
        .merge(credit_file::router())
        .merge(standards::router())
        .merge(catalogue::router())
        .merge(certification::router())
        .merge(licensing::router())
        .merge(equipment::router())
        .merge(labs::router())
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(healthz, openapi, errors))]
struct Api;

/// Liveness
#[utoipa::path(get, path = "/healthz", tag = "reference", responses((status = 200, description = "ok", body = String, content_type = "text/plain")))]
async fn healthz() -> &'static str {
    "ok"
}

/// Every module's part of the OpenAPI document.
pub(crate) fn documents() -> Vec<(&'static str, utoipa::openapi::OpenApi)> {
    use utoipa::OpenApi;
    vec![
        ("reference", Api::openapi()),
        ("codes", codes::Api::openapi()),
        ("organizations", organizations::Api::openapi()),
        ("products", products::Api::openapi()),
        ("reference", reference::Api::openapi()),
        ("inspections", inspections::Api::openapi()),
        ("campaigns", campaigns::Api::openapi()),
        ("indicators", indicators::Api::openapi()),
        ("epcis", epcis::Api::openapi()),
        ("trace", trace::Api::openapi()),
        ("recalls", recalls::Api::openapi()),
        ("injuries", injuries::Api::openapi()),
        ("signals", signals::Api::openapi()),
        ("warnings", warnings::Api::openapi()),
        ("complaints", complaints::Api::openapi()),
        ("log", log::Api::openapi()),
        ("credit", credit::Api::openapi()),
        ("credit_file", credit_file::Api::openapi()),
        ("standards", standards::Api::openapi()),
        ("catalogue", catalogue::Api::openapi()),
        ("certification", certification::Api::openapi()),
        ("licensing", licensing::Api::openapi()),
        ("equipment", equipment::Api::openapi()),
        ("labs", labs::Api::openapi()),
    ]
}

/// This document
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "reference", responses((status = 200, description = "OpenAPI 3.1")))]
async fn openapi() -> Json<serde_json::Value> {
    Json(crate::openapi::document())
}

/// The error-code table: every code with its HTTP status and meaning
#[utoipa::path(get, path = "/api/v1/errors", tag = "reference",
    responses((status = 200, description = "[{code, status, meaning}]", body = Vec<service::error::ErrorRow>)))]
async fn errors() -> Json<Vec<service::error::ErrorRow>> {
    Json(ErrorCode::table())
}

/// The answer to a batch with rejected rows: nothing of it was stored.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct RejectedRows {
    /// Always rejected_rows.
    code: ErrorCode,
    message: String,
    /// Rows read (0 when the batch did not read at all).
    received: usize,
    /// Every rejected row.
    rejected: Vec<service::batch::RejectedRow>,
}

/// The 422 answer listing a batch's rejected rows.
pub(crate) fn rejected_rows(rejected: service::batch::Rejected) -> axum::response::Response {
    use axum::response::IntoResponse;
    let message = format!("{} rows rejected; nothing was stored", rejected.rows.len());
    let body =
        RejectedRows { code: ErrorCode::RejectedRows, message, received: rejected.received, rejected: rejected.rows };
    (ErrorCode::RejectedRows.status(), Json(body)).into_response()
}

/// The format of a batch body by its content type: CSV for `text/csv`, JSON otherwise.
pub(crate) fn batch_format(headers: &axum::http::HeaderMap) -> service::batch::Format {
    let content_type = headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    service::batch::Format::from_content_type(content_type)
}

/// A batch's answer: its receipt, or 422 with every rejected row.
pub(crate) fn batch_answer<T: serde::Serialize>(
    result: Result<T, service::batch::Rejected>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    match result {
        Ok(receipt) => Json(receipt).into_response(),
        Err(rejected) => rejected_rows(rejected),
    }
}

/// Turns axum's body rejections into our error shape.
pub(crate) fn json_rejection(rejection: JsonRejection) -> ApiError {
    // Bodies the JSON reader refuses are a client's mistake (400) unless too large or of another type.
    let code = match ErrorCode::for_status(rejection.status()) {
        code @ (ErrorCode::PayloadTooLarge | ErrorCode::UnsupportedMediaType) => code,
        _ => ErrorCode::InvalidRequest,
    };
    ApiError::new(code, rejection.body_text())
}

/// Turns axum's query rejections into our error shape.
pub(crate) fn query_rejection(rejection: QueryRejection) -> ApiError {
    ApiError::invalid(rejection.body_text())
}

/// Checks a page size against the configured sizes (`[limits] page_size`, `max_page_size`).
pub(crate) fn page_limit(state: &AppState, limit: Option<usize>) -> Result<usize, ApiError> {
    let sizes = state.web.pages;
    match limit.unwrap_or(sizes.default) {
        0 => Err(ApiError::invalid("limit must be at least 1")),
        n if n > sizes.max => Err(ApiError::invalid(format!("limit must be at most {}", sizes.max))),
        n => Ok(n),
    }
}
