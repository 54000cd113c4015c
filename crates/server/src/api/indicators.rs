//! The outlines' quality targets and where the data stand against them.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

use crate::{ApiError, AppState};
use service::indicators::{all, IndicatorView};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/indicators", get(indicators))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(indicators))]
pub(super) struct Api;

/// Every indicator.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Indicators {
    items: Vec<IndicatorView>,
}

/// The outlines' quality targets and the measured values
#[utoipa::path(get, path = "/api/v1/indicators", tag = "sampling",
    responses((status = 200, description = "{items}", body = Indicators)))]
async fn indicators(State(state): State<AppState>) -> Result<Json<Indicators>, ApiError> {
    Ok(Json(Indicators { items: all(&state).await? }))
}
