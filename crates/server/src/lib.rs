//! The zhiliang HTTP server: JSON API under `/api/v1`, server-rendered pages, auth. Only this crate knows HTTP.

mod api;
mod auth;
pub mod complaint_rules;
pub mod credit_scoring;
mod error;
mod i18n;
pub mod input;
pub mod log_signing;
mod openapi;
pub mod ownership;
mod pages;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use store::Store;

pub use auth::{authorize_organization_write, authorize_product_write};

/// The recall workflow without HTTP, for the demo loader; each stage checks roles and states as the API does.
pub mod recall_workflow {
    pub use crate::api::recalls::{
        create_recall, do_decision, do_notice, do_plan, do_plan_review, do_progress, ReportBody, StageBody,
    };
}
/// Complaint intake without HTTP, for the importer and the demo loader: the same checks, routing and
/// classification as the API.
pub mod complaints {
    pub use crate::api::complaints::{file, handle, prepare, Prepared, StepBody};
}
pub use api::recalls::today;
pub use error::ApiError;

/// Shared state of every handler.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Limits the public's submissions per client address.
    pub submissions: std::sync::Arc<RateLimiter>,
    /// The transparency log's signing: where the key and the server's memory live, the key once loaded.
    pub log: std::sync::Arc<LogSigning>,
}

/// The public log's signer and the lock that keeps one signing at a time.
#[derive(Debug)]
pub struct LogSigning {
    pub config: log_signing::LogConfig,
    pub signer: tokio::sync::OnceCell<translog::LogSigner>,
    pub signing: tokio::sync::Mutex<()>,
}

impl AppState {
    /// State over a store, with the default limit on public submissions.
    pub fn new(store: Store) -> Self {
        AppState {
            submissions: std::sync::Arc::new(RateLimiter::new(Some(DEFAULT_SUBMISSIONS_PER_MINUTE))),
            log: std::sync::Arc::new(LogSigning {
                config: log_signing::LogConfig::from_environment(&store),
                signer: Default::default(),
                signing: Default::default(),
            }),
            store,
        }
    }

    /// The same with the log's key and state kept as `config` says.
    pub fn with_log(mut self, config: log_signing::LogConfig) -> Self {
        self.log = std::sync::Arc::new(LogSigning { config, signer: Default::default(), signing: Default::default() });
        self
    }

    /// The same with another limit on public submissions per client and minute (`None`: no limit).
    pub fn with_submission_limit(mut self, per_minute: Option<u32>) -> Self {
        self.submissions = std::sync::Arc::new(RateLimiter::new(per_minute));
        self
    }
}

/// Public complaint submissions a client address may make per minute.
pub const DEFAULT_SUBMISSIONS_PER_MINUTE: u32 = 10;

/// A fixed-window counter per client address: enough to stop a flood from one address without a shared store.
#[derive(Debug)]
pub struct RateLimiter {
    per_minute: Option<u32>,
    windows: std::sync::Mutex<std::collections::HashMap<std::net::IpAddr, (std::time::Instant, u32)>>,
}

impl RateLimiter {
    fn new(per_minute: Option<u32>) -> Self {
        RateLimiter { per_minute, windows: Default::default() }
    }

    /// Counts one request from `client`; false when it is over the limit.
    pub fn allow(&self, client: std::net::IpAddr) -> bool {
        let Some(limit) = self.per_minute else { return true };
        let now = std::time::Instant::now();
        let mut windows = self.windows.lock().expect("rate limiter lock");
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start).as_secs() < 60);
        }
        let entry = windows.entry(client).or_insert((now, 0));
        if now.duration_since(entry.0).as_secs() >= 60 {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= limit
    }
}

/// The whole application: API, pages and health check.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .merge(api::router())
        .merge(pages::router())
        .fallback(|| async { ApiError::not_found("no such page or endpoint") })
        .layer(axum::middleware::map_response(json_errors))
        .with_state(state)
}

/// Gives the bare error answers that the router makes itself (405, 413, 415, …) our JSON error shape, so a
/// client never meets an empty error body.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) || response.headers().contains_key(header::CONTENT_TYPE)
    {
        return response;
    }
    let code = match status {
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_server_error() => "internal_error",
        _ => "invalid_request",
    };
    let message = status.canonical_reason().unwrap_or("error").to_lowercase();
    ApiError { status, code, message }.into_response()
}
