//! The zhiliang HTTP server: the JSON API under `/api/v1`, the master-data pages, and the whole application
//! assembled from the capabilities' page crates inside the hygiene layer.

mod api;
pub mod config;
mod openapi;
mod pages;
pub use service::read_scope;
pub use webkit::net as web;
pub use webkit::{as_json_error, App, AppState, RateLimiter, DEFAULT_SUBMISSIONS_PER_MINUTE};
pub(crate) use webkit::{auth, i18n};

use axum::Router;

pub use auth::{authorize_organization_write, authorize_product_write};

pub use service::{check_rules, credit_scoring, deadlines, error, input, log_signing, ownership, today, Services};
pub use service::{ApiError, ErrorCode};

/// The whole application: API, pages and health check, inside the [`web::Hygiene`] layer (request id, access
/// log, timeout, body limit, the public's rate limits, text bounds, JSON errors, security headers).
pub fn app(state: AppState) -> App {
    with_layers(app_without_layers(state.clone()), &state)
}

/// A router inside the hygiene layer. The layer goes around the router once, not around each route as
/// `Router::layer` would put it, which would add a second boxed route to every request.
pub fn with_layers(router: Router, state: &AppState) -> App {
    tower::Layer::layer(&web::Hygiene::new(state), router)
}

/// The routes alone, with no layer at all (errors as axum makes them): the benchmark's baseline for the
/// layer's cost.
pub fn app_without_layers(state: AppState) -> Router {
    routes().with_state(state)
}

fn routes() -> Router<AppState> {
    Router::new()
        .merge(api::router())
        .merge(pages::router())
        .fallback(|| async { ApiError::not_found("no such page or endpoint") })
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_rules_hold() {
        super::check_rules().unwrap();
        let report = ::recalls::deadlines().rule(::recalls::Regime::Consumer, ::recalls::Stage::Report).unwrap();
        assert_eq!(report.term.period, rulekit::Period::WorkingDays(2));
        assert_eq!(report.term.confidence, rulekit::Confidence::Secondary);
    }
}
