//! What every page and API module of zhiliang shares over HTTP: the state handlers get ([`AppState`]), the
//! hygiene layer and its limits ([`net`]), who is asking ([`auth`], [`session`]), the language ([`i18n`]) and the
//! page frame ([`layout`]). The capabilities' page crates and the server sit above it.

pub mod auth;
pub mod catalogue;
pub mod i18n;
pub mod layout;
pub mod net;
pub mod session;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use service::log_signing;
pub use service::{ApiError, ErrorCode, Services};
use store::Store;

/// Shared state of every handler: the use cases' [`Services`] (reached through `Deref`: `state.store`,
/// `state.calendar()`), and what only HTTP needs.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The database, the public log's signing and the calendar.
    pub services: Services,
    /// Limits the public's submissions per client address.
    pub submissions: std::sync::Arc<RateLimiter>,
    /// Trusted proxies, cookies and the public's limits.
    pub web: std::sync::Arc<net::WebConfig>,
    /// The public's rate-limit windows and failed sign-ins.
    pub counters: std::sync::Arc<net::Counters>,
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
    pub fn with_web(mut self, config: net::WebConfig) -> Self {
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

/// An error answer in our JSON shape, other answers as they are: the bare ones the router and layers make (404,
/// 405, 408, 413, 415) and the plain-text ones of axum's extractors (a path that does not parse, a form that
/// does not decode). Under `/epcis/` errors are RFC 7807 problems, as that binding asks.
pub async fn as_json_error(response: Response, epcis: bool) -> Response {
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

/// Counts one public submission from `client`; refused when the address is over its limit.
pub fn public_submission_allowed(state: &AppState, client: std::net::IpAddr) -> Result<(), ApiError> {
    if state.submissions.allow(client) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::RateLimited, "too many submissions from this address; try again in a minute"))
    }
}

/// The application as it is served: the router inside the [`net::Hygiene`] layer.
pub type App = net::HygieneService<Router>;

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

/// The server's capture quota per account and its parsing slots.
impl service::events::CaptureBudget for AppState {
    fn spend(&self, account: i64, events: u64, bytes: u64) -> Result<(), u64> {
        net::count_capture(self, account, events, bytes)
    }

    fn slots(&self) -> &tokio::sync::Semaphore {
        &self.counters.capturing.0
    }
}
