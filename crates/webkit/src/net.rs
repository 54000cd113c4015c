//! Web hygiene around every route, in one layer ([`Hygiene`]): request ids, access logs without personal data,
//! timeouts, one body limit, security headers, `Secure` cookies behind TLS, the client's address behind a trusted
//! proxy, rate limits on the public's requests with `RateLimit-*` headers, and login throttling.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::{ApiError, AppState, ErrorCode};

/// Bytes any request body may carry by default: the largest EPCIS capture. Smaller JSON bodies stop at axum's 2 MB.
pub const MAX_BODY_BYTES: usize = service::events::CAPTURE_FILE_SIZE_LIMIT;
/// How long a request may take by default before it is answered 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The Content-Security-Policy: scripts and styles from this server only (the vendored ECharts included), no
/// framing, no plugins. Inline styles are allowed for the charts' sizes; inline scripts are not.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The longest text any field of a JSON or form body may hold, in characters, unless its own check says less.
pub const MAX_TEXT_CHARS: usize = 10_000;

/// Why a body's text is refused: where, and what.
fn text_fault(text: &str, place: &str) -> Option<String> {
    if text.contains('\0') {
        Some(format!("{place} holds a NUL character"))
    } else if text.chars().count() > MAX_TEXT_CHARS {
        Some(format!("{place} is longer than {MAX_TEXT_CHARS} characters"))
    } else {
        None
    }
}

/// The first overlong or NUL-holding string of a JSON value (keys too), by JSON pointer; iterative.
fn json_text_fault(root: &serde_json::Value) -> Option<String> {
    let mut pending = vec![(root, String::new())];
    while let Some((value, pointer)) = pending.pop() {
        match value {
            serde_json::Value::String(text) => {
                if let Some(fault) =
                    text_fault(text, &format!("the field at {}", if pointer.is_empty() { "/" } else { &pointer }))
                {
                    return Some(fault);
                }
            }
            serde_json::Value::Array(items) => {
                pending.extend(items.iter().enumerate().map(|(i, v)| (v, format!("{pointer}/{i}"))));
            }
            serde_json::Value::Object(members) => {
                for (key, member) in members {
                    let place = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                    if let Some(fault) = text_fault(key, &format!("the name at {place}")) {
                        return Some(fault);
                    }
                    pending.push((member, place));
                }
            }
            _ => {}
        }
    }
    None
}

/// Refuses a JSON or form body with a text longer than [`MAX_TEXT_CHARS`] or holding a NUL, naming the field,
/// before any handler stores it; hands the request on otherwise. EPCIS documents (and the page that pastes one)
/// have their own validator.
async fn bound_body(request: Request, body_bytes: usize) -> Result<Request, Response> {
    let path = request.uri().path();
    let content_type = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let json = content_type.starts_with("application/json");
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    if request.method() == Method::GET || path.starts_with("/epcis/") || path == "/trace/capture" || !(json || form) {
        return Ok(request);
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let message = format!("the body is larger than {body_bytes} bytes");
            return Err(ApiError::new(ErrorCode::PayloadTooLarge, message).into_response());
        }
    };
    let fault = if json {
        // A body that is not JSON is left to the handler, which says what is wrong with it.
        serde_json::from_slice::<serde_json::Value>(&bytes).ok().as_ref().and_then(json_text_fault)
    } else {
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        fields.iter().find_map(|(name, value)| text_fault(value, &format!("the field {name}")))
    };
    if let Some(message) = fault {
        return Err(ApiError::new(ErrorCode::InvalidText, message).into_response());
    }
    Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
}

/// What the public may do per client address and minute, by kind of request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Reads of public pages and lists, searches and code checks.
    pub reads_per_minute: u32,
    /// Tracking a complaint with its secret.
    pub tracking_per_minute: u32,
    /// Sign-in attempts.
    pub logins_per_minute: u32,
    /// Failed sign-ins one login name may have in a quarter of an hour.
    pub failures_per_name: u32,
    /// Failed sign-ins one address may have in a quarter of an hour.
    pub failures_per_address: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            reads_per_minute: 600,
            tracking_per_minute: 20,
            logins_per_minute: 20,
            failures_per_name: 5,
            failures_per_address: 20,
        }
    }
}

/// What one account may capture per hour (EPCIS), so one client cannot fill the disk or the memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureQuota {
    pub events_per_hour: u64,
    pub bytes_per_hour: u64,
    /// Captures parsed at once across the server: each may hold a large document in memory.
    pub concurrent: usize,
}

impl Default for CaptureQuota {
    fn default() -> Self {
        CaptureQuota { events_per_hour: 1_000_000, bytes_per_hour: 1 << 30, concurrent: 2 }
    }
}

/// How the server sits on the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebConfig {
    /// Peers whose client-address header is believed (the reverse proxies in front of the server).
    pub trusted_proxies: Vec<IpAddr>,
    /// The header a trusted proxy puts the client's address in (`X-Forwarded-For`: the last address it added).
    pub client_header: HeaderName,
    /// Set `Secure` on every cookie (the server is reached over TLS only).
    pub always_secure: bool,
    pub limits: Limits,
    pub capture: CaptureQuota,
    pub pages: PageSizes,
    /// How long a signed-in session lasts.
    pub session_hours: i64,
    /// Bytes any request body may carry.
    pub body_bytes: usize,
    /// How long a request may take before it is answered 408.
    pub request_timeout: Duration,
}

/// How many items a list answers when none is asked for, and the most it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSizes {
    pub default: usize,
    pub max: usize,
}

impl Default for PageSizes {
    fn default() -> Self {
        PageSizes { default: 20, max: 100 }
    }
}

/// A signed-in session lasts a working day.
pub const DEFAULT_SESSION_HOURS: i64 = 8;

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            trusted_proxies: Vec::new(),
            client_header: HeaderName::from_static("x-forwarded-for"),
            always_secure: false,
            limits: Limits::default(),
            capture: CaptureQuota::default(),
            pages: PageSizes::default(),
            session_hours: DEFAULT_SESSION_HOURS,
            body_bytes: MAX_BODY_BYTES,
            request_timeout: REQUEST_TIMEOUT,
        }
    }
}

impl WebConfig {
    /// The client's address: the peer's, or, from a trusted proxy, the last address in its header that is not
    /// itself a trusted proxy.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        let forwarded = headers
            .get_all(&self.client_header)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter_map(|a| a.parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        forwarded.into_iter().rev().find(|a| !self.trusted_proxies.contains(a)).unwrap_or(peer)
    }

    /// Whether the request reached the server over TLS: configured so, or a trusted proxy says so.
    fn is_tls(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> bool {
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        self.always_secure
            || self.trusted_proxies.contains(&peer)
                && headers.get("x-forwarded-proto").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"https"))
    }
}

/// The client's address as the hygiene layer resolved it (the peer behind any trusted proxy).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(resolved) = parts.extensions.get::<ClientAddress>() {
            return Ok(*resolved);
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        Ok(ClientAddress(state.web.client(peer, &parts.headers)))
    }
}

/// Which budget a public request draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Kind {
    Read,
    Tracking,
    Login,
}

/// The answer of a fixed-window counter.
#[derive(Debug, Clone, Copy)]
struct Decision {
    allowed: bool,
    remaining: u32,
    reset_seconds: u64,
}

/// Fixed-window counters per key; old windows are swept when the table grows.
#[derive(Debug, Default)]
pub struct Counters {
    windows: Mutex<HashMap<(u8, IpAddr), (Instant, u32)>>,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
    /// Per account: the hour's window start, events and bytes captured.
    captures: Mutex<HashMap<i64, (Instant, u64, u64)>>,
    /// Captures being parsed now.
    pub capturing: CaptureSlots,
}

/// The server-wide bound on captures parsed at once.
#[derive(Debug)]
pub struct CaptureSlots(pub tokio::sync::Semaphore);

impl Default for CaptureSlots {
    fn default() -> Self {
        CaptureSlots(tokio::sync::Semaphore::new(CaptureQuota::default().concurrent))
    }
}

const HOUR: Duration = Duration::from_secs(3600);

/// Counts a capture of `events` events and `bytes` bytes against an account's hour; `Err(seconds)` (nothing
/// counted) when it would pass the quota.
pub fn count_capture(state: &AppState, account: i64, events: u64, bytes: u64) -> Result<(), u64> {
    let quota = state.web.capture;
    let now = Instant::now();
    let mut captures = state.counters.captures.lock().expect("capture quota lock");
    let entry = captures.entry(account).or_insert((now, 0, 0));
    if now.duration_since(entry.0) >= HOUR {
        *entry = (now, 0, 0);
    }
    if entry.1 + events > quota.events_per_hour || entry.2 + bytes > quota.bytes_per_hour {
        return Err(HOUR.saturating_sub(now.duration_since(entry.0)).as_secs().max(1));
    }
    entry.1 += events;
    entry.2 += bytes;
    Ok(())
}

const MINUTE: Duration = Duration::from_secs(60);
const QUARTER_HOUR: Duration = Duration::from_secs(900);

impl Counters {
    fn count(&self, kind: Kind, client: IpAddr, limit: u32) -> Decision {
        let now = Instant::now();
        let mut windows = self.windows.lock().expect("rate limit lock");
        if windows.len() > 100_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < MINUTE);
        }
        let entry = windows.entry((kind as u8, client)).or_insert((now, 0));
        if now.duration_since(entry.0) >= MINUTE {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        let reset_seconds = MINUTE.saturating_sub(now.duration_since(entry.0)).as_secs().max(1);
        Decision { allowed: entry.1 <= limit, remaining: limit.saturating_sub(entry.1), reset_seconds }
    }

    /// Seconds until `key` may try again, if it failed too often in the last quarter hour.
    fn blocked(&self, key: &str, limit: u32) -> Option<u64> {
        let now = Instant::now();
        let failures = self.failures.lock().expect("login throttle lock");
        failures
            .get(key)
            .filter(|(start, count)| now.duration_since(*start) < QUARTER_HOUR && *count >= limit)
            .map(|(start, _)| QUARTER_HOUR.saturating_sub(now.duration_since(*start)).as_secs().max(1))
    }

    fn fail(&self, key: String) {
        let now = Instant::now();
        let mut failures = self.failures.lock().expect("login throttle lock");
        if failures.len() > 100_000 {
            failures.retain(|_, (start, _)| now.duration_since(*start) < QUARTER_HOUR);
        }
        let entry = failures.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= QUARTER_HOUR {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

/// Login throttling: whether a sign-in for `login` from `client` may be tried now; `Err(seconds)` when not.
pub fn login_allowed(state: &AppState, login: &str, client: IpAddr) -> Result<(), u64> {
    let limits = state.web.limits;
    let name = state.counters.blocked(&format!("name:{}", login.to_lowercase()), limits.failures_per_name);
    let address = state.counters.blocked(&format!("address:{client}"), limits.failures_per_address);
    match name.max(address) {
        Some(wait) => Err(wait),
        None => Ok(()),
    }
}

/// Counts a failed sign-in against the name and the address.
pub fn login_failed(state: &AppState, login: &str, client: IpAddr) {
    state.counters.fail(format!("name:{}", login.to_lowercase()));
    state.counters.fail(format!("address:{client}"));
}

/// The budget a request draws on: none for a caller with a bearer token (an account's own work).
fn kind_of(method: &Method, path: &str, headers: &HeaderMap) -> Option<Kind> {
    if headers.contains_key(header::AUTHORIZATION) || path.starts_with("/assets/") || path == "/healthz" {
        return None;
    }
    if path == "/login" && method == Method::POST {
        return Some(Kind::Login);
    }
    if path.starts_with("/api/v1/complaints/track") || path.starts_with("/complaints/track") {
        return Some(Kind::Tracking);
    }
    Some(Kind::Read)
}

/// The hygiene layer around every route: on the way in, the body limit (413), the public's budgets (over it,
/// 429 with `Retry-After`) and the text bounds of a body, then the timeout (408); on the way out, JSON errors,
/// security headers, `RateLimit-*` headers, `Secure` cookies, the request id and the access log. One service with
/// one boxed future per request: the checks that need no waiting run before the future is made.
#[derive(Debug, Clone)]
pub struct Hygiene {
    web: std::sync::Arc<WebConfig>,
    counters: std::sync::Arc<Counters>,
    /// Each budget's `RateLimit-Limit`, made once.
    limit_headers: std::sync::Arc<[HeaderValue; 3]>,
}

impl Hygiene {
    pub fn new(state: &AppState) -> Hygiene {
        let limits = state.web.limits;
        let limit_headers =
            [limits.reads_per_minute, limits.tracking_per_minute, limits.logins_per_minute].map(HeaderValue::from);
        Hygiene { web: state.web.clone(), counters: state.counters.clone(), limit_headers: limit_headers.into() }
    }

    /// What the way in decides: a refusal, or the request (its body limited) with what the way out needs.
    fn admit(&self, mut request: Request) -> (Result<Request, Response>, Admitted) {
        let path = request.uri().path();
        let epcis = path.starts_with("/epcis/");
        let kind = kind_of(request.method(), path, request.headers());
        // Method, path and id only: queries, headers and bodies may carry personal data and are never logged.
        let logged = tracing::enabled!(target: ACCESS_LOG, tracing::Level::INFO)
            .then(|| (Instant::now(), request.method().clone(), path.to_owned()));
        let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        let tls = self.web.is_tls(peer, request.headers());
        let id = request_id(request.headers());
        let decision = kind.map(|kind| {
            let limits = self.web.limits;
            let limit = match kind {
                Kind::Read => limits.reads_per_minute,
                Kind::Tracking => limits.tracking_per_minute,
                Kind::Login => limits.logins_per_minute,
            };
            (kind, self.counters.count(kind, self.web.client(peer, request.headers()), limit))
        });
        let admitted = Admitted { id, logged, tls, epcis, decision, limit_headers: self.limit_headers.clone() };
        if let Some((_, d)) = decision.filter(|(_, d)| !d.allowed) {
            let message = format!("too many requests from this address; try again in {} seconds", d.reset_seconds);
            let refused = ApiError::new(ErrorCode::RateLimited, message);
            return (Err(refused.into_response()), admitted);
        }
        let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok());
        let body_bytes = self.web.body_bytes;
        if declared.is_some_and(|length: u64| length > body_bytes as u64) {
            let message = format!("the body is larger than {body_bytes} bytes");
            let refused = ApiError::new(ErrorCode::PayloadTooLarge, message);
            return (Err(refused.into_response()), admitted);
        }
        // A body that has not ended (one sent without a length, or longer than it said) stops at the limit too;
        // axum's extractors answer 413 when it does.
        if !axum::body::HttpBody::is_end_stream(request.body()) {
            request = request.map(|body| axum::body::Body::new(http_body_util::Limited::new(body, body_bytes)));
        }
        (Ok(request), admitted)
    }
}

impl<S> tower::Layer<S> for Hygiene {
    type Service = HygieneService<S>;

    fn layer(&self, inner: S) -> HygieneService<S> {
        HygieneService { hygiene: self.clone(), inner }
    }
}

/// A route inside the [`Hygiene`] layer.
#[derive(Debug, Clone)]
pub struct HygieneService<S> {
    hygiene: Hygiene,
    inner: S,
}

/// Over any request body, as `Router` is (hyper's own, in a server made by hand).
impl<S, B> tower::Service<axum::http::Request<B>> for HygieneService<S>
where
    S: tower::Service<Request, Response = Response, Error = std::convert::Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: axum::body::HttpBody<Data = axum::body::Bytes> + Send + 'static,
    B::Error: Into<axum::BoxError>,
{
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, context: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(context)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        let request = request.map(axum::body::Body::new);
        // The service made ready goes with the request and its clone stays, as tower advises.
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let (admission, admitted) = self.hygiene.admit(request);
        let (timeout, body_bytes) = (self.hygiene.web.request_timeout, self.hygiene.web.body_bytes);
        Box::pin(async move {
            let response = match admission {
                Err(refused) => refused,
                Ok(request) => {
                    // The rarer steps are boxed apart, so that the future of every request stays small.
                    let checked = if request.method() == Method::GET {
                        Ok(request)
                    } else {
                        Box::pin(bound_body(request, body_bytes)).await
                    };
                    match checked {
                        Err(refused) => refused,
                        Ok(request) => match tokio::time::timeout(timeout, inner.call(request)).await {
                            Ok(Ok(response)) => response,
                            Ok(Err(never)) => match never {},
                            Err(_) => ApiError::new(
                                ErrorCode::RequestTimeout,
                                format!("the request took longer than {} seconds", timeout.as_secs()),
                            )
                            .into_response(),
                        },
                    }
                }
            };
            Ok(admitted.answer(response).await)
        })
    }
}

/// What the way out needs from the way in.
struct Admitted {
    id: HeaderValue,
    /// When the request came, its method and path, if the access log is on.
    logged: Option<(Instant, Method, String)>,
    tls: bool,
    epcis: bool,
    decision: Option<(Kind, Decision)>,
    limit_headers: std::sync::Arc<[HeaderValue; 3]>,
}

impl Admitted {
    async fn answer(self, response: Response) -> Response {
        let failed = response.status().is_client_error() || response.status().is_server_error();
        let mut response = if failed { Box::pin(crate::as_json_error(response, self.epcis)).await } else { response };
        let status = response.status();
        let headers = response.headers_mut();
        // Room for the headers added here, grown once.
        headers.reserve(9);
        if let Some((kind, d)) = self.decision {
            headers.insert(RATELIMIT_LIMIT, self.limit_headers[kind as usize].clone());
            headers.insert(RATELIMIT_REMAINING, HeaderValue::from(d.remaining));
            headers.insert(RATELIMIT_RESET, HeaderValue::from(d.reset_seconds));
            if !d.allowed {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(d.reset_seconds));
            }
        }
        // Any other 429 (a handler's own limit) says when to come back too.
        if status == StatusCode::TOO_MANY_REQUESTS && !headers.contains_key(header::RETRY_AFTER) {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        }
        security_headers(headers);
        if self.tls {
            secure_cookies(headers);
        }
        if let Some((started, method, path)) = self.logged {
            let micros = started.elapsed().as_micros() as u64;
            let id = self.id.to_str().unwrap_or("-");
            tracing::info!(target: ACCESS_LOG, %method, %path, status = status.as_u16(), micros, %id, "request");
        }
        headers.insert(REQUEST_ID, self.id);
        response
    }
}

/// The access log's target: one line per request, filtered like any other (`ZHILIANG_LOG=warn` leaves it out).
pub const ACCESS_LOG: &str = "zhiliang::access";
// Names made once: a name given as text is parsed on every insert.
const RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
const RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
const RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

/// The request id's header: the client's own (printable, up to 64 characters) or one of ours, in the answer too.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn request_id(headers: &HeaderMap) -> HeaderValue {
    match headers.get(REQUEST_ID) {
        Some(value)
            if !value.is_empty() && value.len() <= 64 && value.as_bytes().iter().all(|b| b.is_ascii_graphic()) =>
        {
            value.clone()
        }
        _ => {
            // Unique without a random draw per request: a random start for the process, then a count.
            static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
            static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let start = *START.get_or_init(rand::random::<u64>);
            let id = start.wrapping_add(COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
            let mut digits = [0u8; 16];
            hex::encode_to_slice(id.to_be_bytes(), &mut digits).expect("16 hex digits for 8 bytes");
            HeaderValue::from_bytes(&digits).expect("hex is a valid header value")
        }
    }
}

/// Marks every cookie the answer sets `Secure`.
fn secure_cookies(headers: &mut HeaderMap) {
    let cookies: Vec<HeaderValue> = headers.get_all(header::SET_COOKIE).iter().cloned().collect();
    if cookies.is_empty() {
        return;
    }
    headers.remove(header::SET_COOKIE);
    for cookie in cookies {
        let text = cookie.to_str().unwrap_or_default();
        let secured =
            if text.to_ascii_lowercase().contains("; secure") { text.to_owned() } else { format!("{text}; Secure") };
        if let Ok(value) = HeaderValue::from_str(&secured) {
            headers.append(header::SET_COOKIE, value);
        }
    }
}

/// The policy of answers that are not pages (JSON, CSV, scripts, styles): a browser renders none of them as a
/// document, so framing is all there is to forbid (as OWASP's REST guidance has it), in far fewer bytes.
pub const CONTENT_SECURITY_POLICY_NOT_PAGES: &str = "frame-ancestors 'none'";

/// Security headers on every answer, unless a handler chose its own: on pages the full policy and the referrer
/// policy (OWASP counts it among the headers that matter only for a rendered document), on everything else
/// framing forbidden and no sniffing.
fn security_headers(headers: &mut HeaderMap) {
    let page = headers.get(header::CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    let policy = if page { CONTENT_SECURITY_POLICY } else { CONTENT_SECURITY_POLICY_NOT_PAGES };
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, policy),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ] {
        headers.entry(name).or_insert(HeaderValue::from_static(value));
    }
    if page {
        headers.entry(header::REFERRER_POLICY).or_insert(HeaderValue::from_static("same-origin"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_names_it() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let config = WebConfig { trusted_proxies: vec![proxy], ..WebConfig::default() };
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9, 198.51.100.7"));
        assert_eq!(config.client(Some(proxy), &headers), "198.51.100.7".parse::<IpAddr>().unwrap());
        // Anyone else's header is not believed.
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(config.client(Some(stranger), &headers), stranger);
        assert_eq!(config.client(Some(proxy), &HeaderMap::new()), proxy);
    }

    #[test]
    fn budgets_run_out_and_reset_and_failures_block_a_name() {
        let counters = Counters::default();
        let client: IpAddr = "192.0.2.1".parse().unwrap();
        assert!((0..3).all(|_| counters.count(Kind::Read, client, 3).allowed));
        let over = counters.count(Kind::Read, client, 3);
        assert!(!over.allowed && over.remaining == 0 && over.reset_seconds <= 60);
        assert!(counters.count(Kind::Login, client, 3).allowed, "budgets are separate");
        for _ in 0..5 {
            assert_eq!(counters.blocked("name:admin", 5), None);
            counters.fail("name:admin".into());
        }
        assert!(counters.blocked("name:admin", 5).is_some_and(|s| s <= 900));
    }

    #[test]
    fn overlong_and_nul_texts_are_named_by_their_place() {
        let long = "长".repeat(MAX_TEXT_CHARS + 1);
        let body = serde_json::json!({"facts": {"items": ["ok", long]}});
        assert_eq!(
            json_text_fault(&body).as_deref(),
            Some("the field at /facts/items/1 is longer than 10000 characters")
        );
        let nul = serde_json::json!({"a/b": "x\u{0}y"});
        assert_eq!(json_text_fault(&nul).as_deref(), Some("the field at /a~1b holds a NUL character"));
        assert_eq!(json_text_fault(&serde_json::json!({"name": "长".repeat(MAX_TEXT_CHARS)})), None);
    }

    #[test]
    fn cookies_get_secure_once() {
        let mut headers = HeaderMap::new();
        headers.append(header::SET_COOKIE, HeaderValue::from_static("a=1; HttpOnly"));
        headers.append(header::SET_COOKIE, HeaderValue::from_static("b=2; Secure"));
        secure_cookies(&mut headers);
        let all: Vec<&str> = headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
        assert_eq!(all, ["a=1; HttpOnly; Secure", "b=2; Secure"]);
    }
}
