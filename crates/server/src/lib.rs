//! The zhiliang HTTP server: JSON API under `/api/v1`, server-rendered pages, auth. Only this crate knows HTTP.

mod api;
mod auth;
pub mod config;
mod i18n;
mod openapi;
mod pages;
pub use service::read_scope;
pub mod web;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use store::Store;

pub use auth::{authorize_organization_write, authorize_product_write};

pub use service::{check_rules, credit_scoring, deadlines, error, input, log_signing, ownership, today, Services};
pub use service::{ApiError, ErrorCode};

/// Shared state of every handler: the use cases' [`Services`] (reached through `Deref`: `state.store`,
/// `state.calendar()`), and what only HTTP needs.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database, the public log's signing and the calendar.
    pub services: Services,
    /// Limits the public's submissions per client address.
    pub submissions: std::sync::Arc<RateLimiter>,
    /// Trusted proxies, cookies and the public's limits.
    pub web: std::sync::Arc<web::WebConfig>,
    /// The public's rate-limit windows and failed sign-ins.
    pub counters: std::sync::Arc<web::Counters>,
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.services
    }
}

impl AppState {
    /// State over a store, with the default limit on public submissions.
    pub fn new(store: Store) -> Self {
        AppState {
            submissions: std::sync::Arc::new(RateLimiter::new(Some(DEFAULT_SUBMISSIONS_PER_MINUTE))),
            web: Default::default(),
            counters: Default::default(),
            services: Services::new(store),
        }
    }

    /// The same behind the network `config` describes (trusted proxies, cookies, limits).
    pub fn with_web(mut self, config: web::WebConfig) -> Self {
        self.web = std::sync::Arc::new(config);
        self
    }

    /// The same with other limits for the use cases.
    pub fn with_settings(mut self, settings: service::Settings) -> Self {
        self.services = self.services.with_settings(settings);
        self
    }

    /// The same with the log's key and state kept as `config` says.
    pub fn with_log(mut self, config: log_signing::LogConfig) -> Self {
        self.services = self.services.with_log(config);
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

/// The application as it is served: the router inside the [`web::Hygiene`] layer.
pub type App = web::HygieneService<Router>;

/// The whole application: API, pages and health check, inside the [`web::Hygiene`] layer (request id, access
/// log, timeout, body limit, the public's rate limits, text bounds, JSON errors, security headers).
pub fn app(state: AppState) -> App {
    with_layers(app_without_layers(state.clone()), &state)
}

impl App {
    /// What `axum::serve` takes, with each connection's peer address (the client's address and its budgets).
    pub fn into_make_service_with_connect_info(
        self,
    ) -> axum::extract::connect_info::IntoMakeServiceWithConnectInfo<App, std::net::SocketAddr> {
        axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info(self)
    }

    /// What `axum::serve` takes, without the peer's address (every client counts as one local address).
    pub fn into_make_service(self) -> axum::routing::IntoMakeService<App> {
        axum::ServiceExt::<axum::extract::Request>::into_make_service(self)
    }
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

/// An error answer in our JSON shape, other answers as they are: the bare ones the router and layers make (404,
/// 405, 408, 413, 415) and the plain-text ones of axum's extractors (a path that does not parse, a form that
/// does not decode). Under `/epcis/` errors are RFC 7807 problems, as that binding asks.
pub(crate) async fn as_json_error(response: Response, epcis: bool) -> Response {
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let plain = content_type.is_empty() || content_type.starts_with("text/plain");
    // Under /epcis/ our own `{code, message}` answers (the fallback, the sign-in check) become problems too.
    let ours = epcis && content_type.starts_with("application/json");
    if !(status.is_client_error() || status.is_server_error()) || !(plain || ours) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024).await.unwrap_or_default();
    let text = if ours {
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_owned))
            .unwrap_or_default()
    } else {
        String::from_utf8_lossy(&bytes).trim().to_owned()
    };
    let code = ErrorCode::for_status(status);
    let message = if text.is_empty() || status.is_server_error() {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        text
    };
    let mut answer = if epcis {
        let exception = match status {
            StatusCode::NOT_FOUND => "NoSuchResourceException",
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => "SecurityException",
            _ => "ValidationException",
        };
        let body = serde_json::json!({"type": format!("epcisException:{exception}"), "title": exception,
            "status": status.as_u16(), "detail": message});
        let mut answer = (status, axum::Json(body)).into_response();
        answer.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        answer
    } else {
        ApiError::new(code, message).into_response()
    };
    // Headers the error carried (Allow, Retry-After, RateLimit-*) stay.
    for (name, value) in
        parts.headers.iter().filter(|(n, _)| *n != header::CONTENT_TYPE && *n != header::CONTENT_LENGTH)
    {
        answer.headers_mut().insert(name.clone(), value.clone());
    }
    answer
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
