//! The zhiliang HTTP server: JSON API under `/api/v1`, server-rendered pages, auth. Only this crate knows HTTP.

mod api;
mod auth;
mod error;
mod i18n;
pub mod input;
mod openapi;
mod pages;

use axum::routing::get;
use axum::Router;
use store::Store;

pub use auth::{authorize_organization_write, authorize_product_write};
pub use error::ApiError;

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
}

/// The whole application: API, pages and health check.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(api::router())
        .merge(pages::router())
        .with_state(state)
}
