//! The EPCIS 2.0 REST binding under `/epcis/`: capture (documents and single events), capture jobs, the
//! SimpleEventQuery over `GET /epcis/events`, single events, event types and events by EPC. Errors are RFC 7807
//! problem documents with the EPCIS exception as their `type`.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use epcis::validate::Problem;
use epcis::{events_of, validate_document, EventType, Role as IdRole};
use serde::Serialize;
use serde_json::{json, Value};
use store::traceability::{CaptureStatus, ErrorBehaviour, EventQuery, IdMatch};
use store::{Role, User};

use crate::auth::{AuthUser, TraceReader};
use crate::{ApiError, AppState};

/// Events one capture may carry (`GS1-EPCIS-Capture-Limit`).
pub const CAPTURE_LIMIT: usize = 10_000;
/// Bytes one capture may carry (`GS1-EPCIS-Capture-File-Size-Limit`).
pub const CAPTURE_FILE_SIZE_LIMIT: usize = 64 * 1024 * 1024;
/// Events per query page unless `perPage` says otherwise, and the most a page may hold.
const DEFAULT_PER_PAGE: i64 = 100;
const MAX_PER_PAGE: i64 = 1_000;
/// How deep a captured document's arrays and objects may nest (the XML binding is bounded by element depth first).
pub const MAX_JSON_DEPTH: usize = epcis::json::MAX_JSON_DEPTH;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/epcis/capture", get(capture_jobs).post(capture).layer(DefaultBodyLimit::disable()))
        .route("/epcis/capture/{captureID}", get(capture_job))
        .route("/epcis/events", get(query).post(capture_one).layer(DefaultBodyLimit::disable()))
        .route("/epcis/events/{eventID}", get(one_event))
        .route("/epcis/eventTypes", get(event_types))
        .route("/epcis/eventTypes/{eventType}/events", get(events_of_type))
        .route("/epcis/epcs/{epc}/events", get(events_of_epc))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    capture,
    capture_jobs,
    capture_job,
    query,
    capture_one,
    one_event,
    event_types,
    events_of_type,
    events_of_epc
))]
pub(super) struct Api;

/// Shapes the OpenAPI document describes that the handlers build otherwise; only the annotations use them.
mod doc {
    /// An RFC 7807 problem document, as every error under `/epcis/` is answered (`application/problem+json`).
    /// Mirrors the body `EpcisProblem::into_response` builds with `json!`; change the two together.
    #[derive(Debug, utoipa::ToSchema)]
    #[allow(dead_code)] // Only its schema is used.
    pub(super) struct Problem {
        /// `epcisException:` and the exception, e.g. `epcisException:ValidationException`.
        #[serde(rename = "type")]
        pub kind: String,
        /// The exception: ValidationException, QueryParameterException, SecurityException,
        /// NoSuchResourceException, ConflictException, CaptureLimitExceededException, QueryTooLargeException or
        /// ImplementationException.
        pub title: String,
        /// The HTTP status.
        pub status: u16,
        /// What went wrong, for a person.
        pub detail: String,
        /// The problems found in a document or event, each naming its field; left out when there are none.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        pub problems: Vec<ProblemItem>,
    }

    /// One thing wrong with a document, and where. Mirrors `epcis::validate::Problem`, which has no schema: the
    /// rule crate does not depend on utoipa.
    #[derive(Debug, utoipa::ToSchema)]
    #[allow(dead_code)] // Only its schema is used.
    pub(super) struct ProblemItem {
        /// JSON pointer (RFC 6901) to the offending member, `""` for the whole document.
        pub pointer: String,
        /// Stable snake_case code.
        pub code: String,
        /// What is wrong.
        pub message: String,
    }

    /// What a capture does when events have problems: `rollback` (the default) stores nothing; `proceed` stores
    /// the events without problems, as long as the header and context have none.
    #[derive(Debug, utoipa::ToSchema)]
    #[serde(rename_all = "lowercase")]
    #[allow(dead_code)] // Only its schema is used.
    pub(super) enum CaptureErrorBehaviour {
        Rollback,
        Proceed,
    }

    /// How identifiers are written in answers: as captured (No_Preference, Never_Translates, or no header), as EPC
    /// URNs (a link whose company-prefix length is unknown stays a link) or as GS1 Digital Links.
    #[derive(Debug, utoipa::ToSchema)]
    #[allow(dead_code)] // Only its schema is used.
    pub(super) enum EpcFormat {
        #[serde(rename = "No_Preference")]
        NoPreference,
        #[serde(rename = "Always_EPC_URN")]
        AlwaysEpcUrn,
        #[serde(rename = "Always_GS1_Digital_Link")]
        AlwaysGs1DigitalLink,
        #[serde(rename = "Never_Translates")]
        NeverTranslates,
    }

    /// The SimpleEventQuery parameters `event_query` reads; any other parameter is refused. Lists are
    /// comma-separated. Mirrors the names `event_query` matches; change the two together.
    #[derive(Debug, utoipa::IntoParams)]
    #[into_params(parameter_in = Query)]
    #[allow(dead_code)] // Only its parameters are used.
    pub(super) struct SimpleEventQuery {
        /// Event types: ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent.
        #[param(rename = "eventType")]
        pub event_type: Option<String>,
        /// Events at or after this time (a date-time with a zone offset).
        #[param(rename = "GE_eventTime", format = DateTime)]
        pub ge_event_time: Option<String>,
        /// Events before this time.
        #[param(rename = "LT_eventTime", format = DateTime)]
        pub lt_event_time: Option<String>,
        /// Events recorded at or after this time.
        #[param(rename = "GE_recordTime", format = DateTime)]
        pub ge_record_time: Option<String>,
        /// Events recorded before this time.
        #[param(rename = "LT_recordTime", format = DateTime)]
        pub lt_record_time: Option<String>,
        /// Actions: ADD, OBSERVE, DELETE.
        #[param(rename = "EQ_action")]
        pub eq_action: Option<String>,
        /// Business steps, bare (`shipping`) or as CBV URIs.
        #[param(rename = "EQ_bizStep")]
        pub eq_biz_step: Option<String>,
        /// Dispositions, bare (`in_transit`) or as CBV URIs.
        #[param(rename = "EQ_disposition")]
        pub eq_disposition: Option<String>,
        /// Read points (SGLN URNs or Digital Links).
        #[param(rename = "EQ_readPoint")]
        pub eq_read_point: Option<String>,
        /// Business locations (SGLN URNs or Digital Links).
        #[param(rename = "EQ_bizLocation")]
        pub eq_biz_location: Option<String>,
        /// Event IDs.
        #[param(rename = "EQ_eventID")]
        pub eq_event_id: Option<String>,
        /// Transformation IDs.
        #[param(rename = "EQ_transformationID")]
        pub eq_transformation_id: Option<String>,
        /// Any value: only events with an error declaration.
        #[param(rename = "EXISTS_errorDeclaration")]
        pub exists_error_declaration: Option<String>,
        /// EPCs in epcList or childEPCs. Each MATCH_ value is an identifier or a pattern naming one class
        /// (`urn:epc:idpat:sgtin:CompanyPrefix.ItemRef.*`).
        #[param(rename = "MATCH_epc")]
        pub match_epc: Option<String>,
        /// The parentID.
        #[param(rename = "MATCH_parentID")]
        pub match_parent_id: Option<String>,
        /// EPCs in inputEPCList.
        #[param(rename = "MATCH_inputEPC")]
        pub match_input_epc: Option<String>,
        /// EPCs in outputEPCList.
        #[param(rename = "MATCH_outputEPC")]
        pub match_output_epc: Option<String>,
        /// EPCs in any role: epcList, childEPCs, parentID, inputEPCList, outputEPCList.
        #[param(rename = "MATCH_anyEPC")]
        pub match_any_epc: Option<String>,
        /// Classes in quantityList or childQuantityList.
        #[param(rename = "MATCH_epcClass")]
        pub match_epc_class: Option<String>,
        /// Classes in inputQuantityList.
        #[param(rename = "MATCH_inputEPCClass")]
        pub match_input_epc_class: Option<String>,
        /// Classes in outputQuantityList.
        #[param(rename = "MATCH_outputEPCClass")]
        pub match_output_epc_class: Option<String>,
        /// Classes in any quantity list.
        #[param(rename = "MATCH_anyEPCClass")]
        pub match_any_epc_class: Option<String>,
        /// `eventTime` (the default) or `recordTime`.
        #[param(rename = "orderBy")]
        pub order_by: Option<String>,
        /// `ASC` (the default) or `DESC`.
        #[param(rename = "orderDirection")]
        pub order_direction: Option<String>,
        /// At most this many events, in one page; not with maxEventCount.
        #[param(rename = "eventCountLimit", minimum = 1)]
        pub event_count_limit: Option<i64>,
        /// Refuse the query (413 QueryTooLargeException) when more events match; not with eventCountLimit.
        #[param(rename = "maxEventCount", minimum = 1)]
        pub max_event_count: Option<i64>,
        /// Events per page, 100 by default.
        #[param(rename = "perPage", minimum = 1, maximum = 1000)]
        pub per_page: Option<i64>,
        /// The `GS1-Next-Page-Token` of the page before.
        #[param(rename = "nextPageToken")]
        pub next_page_token: Option<String>,
    }
}

/// The answer to an accepted capture.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct CaptureAccepted {
    /// The capture job, at `GET /epcis/capture/{captureID}`.
    #[serde(rename = "captureID")]
    capture_id: String,
    /// Events stored.
    stored: usize,
    /// Events stored before, left as they were.
    duplicates: usize,
    /// Events left out for their problems (`proceed`).
    rejected: usize,
}

/// A capture job as its status URL shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CaptureJob)]
struct CaptureJobView {
    #[serde(rename = "captureID")]
    capture_id: String,
    created_at: String,
    finished_at: String,
    /// Always false: a capture is finished when its request is answered.
    running: bool,
    /// True when the capture stored its events.
    success: bool,
    /// `rollback` or `proceed`.
    capture_error_behaviour: String,
    event_count: i64,
    stored_count: i64,
    duplicate_count: i64,
    /// The problems found, each naming its field.
    #[schema(value_type = Vec<doc::ProblemItem>)]
    errors: Value,
}

/// The most recent capture jobs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct CaptureJobs {
    /// At most 100, the newest first.
    #[serde(rename = "captureJobs")]
    capture_jobs: Vec<CaptureJobView>,
}

/// The answer to a captured event.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct EventCreated {
    #[serde(rename = "eventID")]
    event_id: String,
}

/// The event types, as a JSON-LD collection.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = EventTypeCollection)]
struct EventTypes {
    #[serde(rename = "@context")]
    context: &'static str,
    /// `Collection`.
    #[serde(rename = "type")]
    kind: &'static str,
    /// ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent and AssociationEvent.
    member: Vec<&'static str>,
}

/// An EPCIS exception as an RFC 7807 problem document.
#[derive(Debug)]
pub struct EpcisProblem {
    status: StatusCode,
    exception: &'static str,
    detail: String,
    problems: Vec<Problem>,
    location: Option<String>,
}

impl EpcisProblem {
    /// What went wrong, for a person.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// The problems found, each naming its field.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    fn new(status: StatusCode, exception: &'static str, detail: impl ToString) -> Self {
        EpcisProblem { status, exception, detail: detail.to_string(), problems: Vec::new(), location: None }
    }

    fn query(detail: impl ToString) -> Self {
        EpcisProblem::new(StatusCode::BAD_REQUEST, "QueryParameterException", detail)
    }
}

impl From<ApiError> for EpcisProblem {
    fn from(error: ApiError) -> Self {
        let exception = match error.status() {
            StatusCode::UNAUTHORIZED => "SecurityException",
            StatusCode::FORBIDDEN => "SecurityException",
            StatusCode::NOT_FOUND => "NoSuchResourceException",
            StatusCode::CONFLICT => "ConflictException",
            s if s.is_server_error() => "ImplementationException",
            _ => "ValidationException",
        };
        EpcisProblem::new(error.status(), exception, error.message)
    }
}

impl From<store::StoreError> for EpcisProblem {
    fn from(error: store::StoreError) -> Self {
        EpcisProblem::from(ApiError::from(error))
    }
}

impl IntoResponse for EpcisProblem {
    fn into_response(self) -> Response {
        let mut body = json!({
            "type": format!("epcisException:{}", self.exception),
            "title": self.exception,
            "status": self.status.as_u16(),
            "detail": self.detail,
        });
        if !self.problems.is_empty() {
            body["problems"] = serde_json::to_value(&self.problems).unwrap_or_default();
        }
        let mut response = (self.status, Json(body)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(location) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            response.headers_mut().insert(header::LOCATION, location);
        }
        with_version(response)
    }
}

fn with_version(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert("GS1-EPCIS-Version", HeaderValue::from_static("2.0.0"));
    headers.insert("GS1-CBV-Version", HeaderValue::from_static("2.0.0"));
    headers.insert("GS1-EPCIS-Capture-Limit", HeaderValue::from(CAPTURE_LIMIT));
    response
}

/// Who may capture: an admin, or an enterprise for events at its own registered locations.
fn authorize_capture(user: &User) -> Result<(), EpcisProblem> {
    match user.role {
        Role::Admin | Role::Enterprise => Ok(()),
        other => Err(EpcisProblem::new(
            StatusCode::FORBIDDEN,
            "SecurityException",
            format!("role {} may not capture events", other.as_str()),
        )),
    }
}

/// The GLNs an event names: read point, business location, sources and destinations.
fn event_glns(event: &epcis::Event) -> impl Iterator<Item = String> + '_ {
    [event.read_point.as_deref(), event.biz_location.as_deref()]
        .into_iter()
        .flatten()
        .chain(event.parties.iter().map(|p| p.id.as_str()))
        .filter_map(epcis::gln_of)
}

/// An enterprise captures only events it is party to: one of the event's read point, business location, sources
/// or destinations is a GLN registered to it, and no read point or business location is registered to another
/// organization. Events about other companies' lots would otherwise join the trace recall scope is computed from.
async fn check_parties(state: &AppState, user: &User, events: &[epcis::Event]) -> Result<(), EpcisProblem> {
    if user.role != Role::Enterprise {
        return Ok(());
    }
    let mut glns: Vec<String> = events.iter().flat_map(event_glns).collect();
    glns.sort();
    glns.dedup();
    let registered = state.store.gln_registrations(&glns).await?;
    let holder = |gln: &str| registered.get(gln).and_then(|r| r.uscc.as_deref());
    let refuse = |detail: String| EpcisProblem::new(StatusCode::FORBIDDEN, "SecurityException", detail);
    for (index, event) in events.iter().enumerate() {
        let places = [event.read_point.as_deref(), event.biz_location.as_deref()];
        for gln in places.into_iter().flatten().filter_map(epcis::gln_of) {
            if holder(&gln).is_some_and(|uscc| Some(uscc) != user.uscc.as_deref()) {
                return Err(refuse(format!("event {index}: location {gln} is registered to another organization")));
            }
        }
        if !event_glns(event).any(|gln| holder(&gln).is_some() && holder(&gln) == user.uscc.as_deref()) {
            return Err(refuse(format!(
                "event {index} ({}): none of its read point, business location, sources or destinations is a GLN \
                 registered to this enterprise; a party to an event captures it",
                event.event_id
            )));
        }
    }
    Ok(())
}

fn error_behaviour(headers: &HeaderMap) -> Result<ErrorBehaviour, EpcisProblem> {
    let value = headers.get("GS1-Capture-Error-Behaviour").map(|v| v.to_str().unwrap_or_default().to_ascii_lowercase());
    match value.as_deref().map(|v| (v, ErrorBehaviour::parse(v))) {
        None => Ok(ErrorBehaviour::Rollback),
        Some((_, Some(behaviour))) => Ok(behaviour),
        Some((value, None)) => Err(EpcisProblem::new(
            StatusCode::BAD_REQUEST,
            "ValidationException",
            format!("GS1-Capture-Error-Behaviour '{value}' is not rollback or proceed"),
        )),
    }
}

fn parse_body(headers: &HeaderMap, body: &[u8]) -> Result<Value, EpcisProblem> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/json");
    parse_content(content_type, body)
}

/// Reads a body as JSON (either binding) whose arrays and objects nest at most `MAX_JSON_DEPTH` levels, so every
/// event stored from it reads back.
fn parse_content(content_type: &str, body: &[u8]) -> Result<Value, EpcisProblem> {
    let root = parse_unbounded(content_type, body)?;
    if let Some(pointer) = epcis::json::too_deep(&root, MAX_JSON_DEPTH) {
        let mut problem = EpcisProblem::new(
            StatusCode::BAD_REQUEST,
            "ValidationException",
            format!("the document nests deeper than {MAX_JSON_DEPTH} levels at {pointer}"),
        );
        problem.problems = vec![Problem {
            pointer,
            code: "nesting_too_deep",
            message: format!("arrays and objects may nest at most {MAX_JSON_DEPTH} levels"),
        }];
        return Err(problem);
    }
    Ok(root)
}

fn parse_unbounded(content_type: &str, body: &[u8]) -> Result<Value, EpcisProblem> {
    if content_type.starts_with("application/xml") || content_type.starts_with("text/xml") {
        // The XML binding is read into the JSON binding, then validated and stored exactly as JSON is.
        let text = std::str::from_utf8(body)
            .map_err(|_| EpcisProblem::new(StatusCode::BAD_REQUEST, "ValidationException", "the XML is not UTF-8"))?;
        return epcis::xml::to_json_document(text)
            .map_err(|e| EpcisProblem::new(StatusCode::BAD_REQUEST, "ValidationException", format!("XML: {e}")));
    }
    if !(content_type.starts_with("application/json") || content_type.starts_with("application/ld+json")) {
        return Err(EpcisProblem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "ValidationException",
            format!("content type '{content_type}' is not application/json, application/ld+json or application/xml"),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        // serde_json stops at 128 levels by itself; say so in the document's terms.
        let detail = if e.to_string().starts_with("recursion limit exceeded") {
            format!("the document nests deeper than {MAX_JSON_DEPTH} levels (line {}, column {})", e.line(), e.column())
        } else {
            format!("not JSON: line {}, column {}: {e}", e.line(), e.column())
        };
        EpcisProblem::new(StatusCode::BAD_REQUEST, "ValidationException", detail)
    })
}

fn event_count(root: &Value) -> usize {
    root.pointer("/epcisBody/eventList").and_then(Value::as_array).map_or(1, Vec::len)
}

/// Keeps the events no problem points into (`proceed`): their positions in the event list.
fn failed_positions(problems: &[Problem]) -> Vec<usize> {
    let mut positions: Vec<usize> = problems
        .iter()
        .filter_map(|p| p.pointer.strip_prefix("/epcisBody/eventList/"))
        .filter_map(|rest| rest.split('/').next()?.parse().ok())
        .collect();
    positions.sort();
    positions.dedup();
    positions
}

/// What a capture stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureSummary {
    pub capture_id: i64,
    pub stored: usize,
    pub duplicates: usize,
    pub rejected: usize,
}

/// The answer to a capture past the account's hourly quota, with the minutes until it renews.
fn over_quota(wait_seconds: u64) -> EpcisProblem {
    EpcisProblem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "CaptureLimitExceededException",
        format!(
            "this account's capture quota for the hour is used up; try again in {} minutes",
            wait_seconds.div_ceil(60)
        ),
    )
}

/// A capture: the body (JSON, JSON-LD or XML by `content_type`) checked and stored in one transaction. The API and
/// the capture page both call this.
pub async fn capture_document(
    state: &AppState,
    user: &User,
    content_type: &str,
    body: &[u8],
    behaviour: ErrorBehaviour,
) -> Result<CaptureSummary, EpcisProblem> {
    authorize_capture(user)?;
    // Bytes are counted before parsing, and only so many documents are parsed at once: each may hold a large
    // tree in memory.
    crate::web::count_capture(state, user.id, 0, body.len() as u64).map_err(over_quota)?;
    let _slot = state.counters.capturing.0.acquire().await.expect("the capture semaphore is never closed");
    let mut root = parse_content(content_type, body)?;
    if root.get("type").and_then(Value::as_str) != Some("EPCISDocument") {
        return Err(EpcisProblem::new(
            StatusCode::BAD_REQUEST,
            "ValidationException",
            "the capture body must be an EPCISDocument",
        ));
    }
    let count = event_count(&root);
    if count > CAPTURE_LIMIT {
        return Err(EpcisProblem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "CaptureLimitExceededException",
            format!("{count} events; a capture may carry at most {CAPTURE_LIMIT}"),
        ));
    }
    crate::web::count_capture(state, user.id, count as u64, 0).map_err(over_quota)?;
    let problems = validate_document(&root);
    let problems_json = serde_json::to_value(&problems).unwrap_or_default();
    if !problems.is_empty() {
        let failed = failed_positions(&problems);
        // Problems outside the event list (header, context) or rollback: nothing is stored.
        let document_level = problems.iter().any(|p| !p.pointer.starts_with("/epcisBody/eventList/"));
        if behaviour == ErrorBehaviour::Rollback || document_level {
            let id = state.store.record_failed_capture(count, behaviour, &problems_json, Some(user.id)).await?;
            let mut problem = EpcisProblem::new(
                StatusCode::BAD_REQUEST,
                "ValidationException",
                format!("{} problem(s) in the document; nothing was captured", problems.len()),
            );
            problem.problems = problems;
            problem.location = Some(format!("/epcis/capture/{id}"));
            return Err(problem);
        }
        if let Some(list) = root.pointer_mut("/epcisBody/eventList").and_then(Value::as_array_mut) {
            for position in failed.iter().rev() {
                if *position < list.len() {
                    list.remove(*position);
                }
            }
        }
    }
    let events = events_of(&root).map_err(|(i, e)| {
        EpcisProblem::new(StatusCode::BAD_REQUEST, "ValidationException", format!("event {i}: {e}"))
    })?;
    check_parties(state, user, &events).await?;
    let outcome = state.store.capture_events(&events, behaviour, &problems_json, Some(user.id)).await?;
    Ok(CaptureSummary {
        capture_id: outcome.capture_id,
        stored: outcome.stored,
        duplicates: outcome.duplicates,
        rejected: count - events.len(),
    })
}

/// Capture an EPCISDocument (JSON/JSON-LD), in one transaction
///
/// The XML binding (`application/xml`, `text/xml`) is read into the JSON binding and captured alike. An enterprise
/// captures only events it is party to: one of each event's read point, business location, sources or
/// destinations is a GLN registered to it, and no read point or business location is another organization's.
#[utoipa::path(post, path = "/epcis/capture", tag = "traceability", security(("bearer" = [])),
    params(("GS1-Capture-Error-Behaviour" = inline(Option<doc::CaptureErrorBehaviour>), Header,
            description = "rollback (the default) or proceed")),
    request_body(description = "an EPCISDocument of at most 10,000 events",
                 content((Object = "application/json"), (Object = "application/ld+json"), ("application/xml"))),
    responses((status = 202, description = "captured; the job is at Location", body = CaptureAccepted,
               headers(("Location" = String, description = "/epcis/capture/{captureID}"))),
              (status = 400, description = "ValidationException naming each field; Location names the failed job",
               body = doc::Problem, content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 403,
               description = "SecurityException: the role may not capture, or an event is not the enterprise's",
               body = doc::Problem, content_type = "application/problem+json"),
              (status = 413, description = "CaptureLimitExceededException (10,000 events)", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 415, description = "ValidationException: not JSON, JSON-LD or XML", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 429,
               description = "CaptureLimitExceededException: the account's hourly capture quota is used up",
               body = doc::Problem, content_type = "application/problem+json")))]
async fn capture(
    State(state): State<AppState>,
    user: Result<AuthUser, ApiError>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, EpcisProblem> {
    let AuthUser(user) = user.map_err(EpcisProblem::from)?;
    let behaviour = error_behaviour(&headers)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/json");
    let summary = capture_document(&state, &user, content_type, &body, behaviour).await?;
    let location = format!("/epcis/capture/{}", summary.capture_id);
    let mut response = (
        StatusCode::ACCEPTED,
        Json(CaptureAccepted {
            capture_id: summary.capture_id.to_string(),
            stored: summary.stored,
            duplicates: summary.duplicates,
            rejected: summary.rejected,
        }),
    )
        .into_response();
    response.headers_mut().insert(header::LOCATION, HeaderValue::from_str(&location).expect("ASCII"));
    Ok(with_version(response))
}

fn job_view(job: store::traceability::CaptureJob) -> CaptureJobView {
    CaptureJobView {
        capture_id: job.id.to_string(),
        created_at: job.created_at,
        finished_at: job.finished_at,
        running: false,
        success: job.status == CaptureStatus::Succeeded,
        capture_error_behaviour: job.error_behaviour,
        event_count: job.event_count,
        stored_count: job.stored_count,
        duplicate_count: job.duplicate_count,
        errors: job.problems,
    }
}

/// A capture job
///
/// Its sender, administrators and regulators see it; to anyone else it does not exist.
#[utoipa::path(get, path = "/epcis/capture/{captureID}", tag = "traceability", security(("bearer" = [])),
    params(("captureID" = String, Path, description = "the captureID a capture answered")),
    responses((status = 200, description = "{captureID, running, success, captureErrorBehaviour, errors, …}",
               body = CaptureJobView),
              (status = 401, description = "SecurityException: no valid bearer token", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = doc::Problem, content_type = "application/problem+json"),
              (status = 404, description = "NoSuchResourceException", body = doc::Problem,
               content_type = "application/problem+json")))]
async fn capture_job(
    State(state): State<AppState>,
    user: Result<AuthUser, ApiError>,
    Path(id): Path<String>,
) -> Result<Response, EpcisProblem> {
    let user = job_reader(user)?;
    let missing = || EpcisProblem::new(StatusCode::NOT_FOUND, "NoSuchResourceException", format!("no capture {id}"));
    let number: i64 = id.parse().map_err(|_| missing())?;
    let job = state.store.capture_job(number).await?.ok_or_else(missing)?;
    // A job shows what a sender sent: its sender and supervisors see it, nobody else.
    if !sees_every_job(&user) && job.user_id != Some(user.id) {
        return Err(missing());
    }
    Ok(with_version(Json(job_view(job)).into_response()))
}

fn job_reader(user: Result<AuthUser, ApiError>) -> Result<User, EpcisProblem> {
    let AuthUser(user) = user.map_err(EpcisProblem::from)?;
    if !crate::auth::may_read_traces(&user) {
        return Err(EpcisProblem::from(ApiError::forbidden(format!(
            "role {} may not read supply-chain events",
            user.role.as_str()
        ))));
    }
    Ok(user)
}

fn sees_every_job(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Regulator)
}

/// Recent capture jobs
///
/// The 100 most recent: one's own, or everyone's for administrators and regulators.
#[utoipa::path(get, path = "/epcis/capture", tag = "traceability", security(("bearer" = [])),
    responses((status = 200, description = "{captureJobs}", body = CaptureJobs),
              (status = 401, description = "SecurityException: no valid bearer token", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = doc::Problem, content_type = "application/problem+json")))]
async fn capture_jobs(
    State(state): State<AppState>,
    user: Result<AuthUser, ApiError>,
) -> Result<Response, EpcisProblem> {
    let user = job_reader(user)?;
    let own = if sees_every_job(&user) { None } else { Some(user.id) };
    let jobs = state.store.recent_capture_jobs(100, own).await?;
    Ok(with_version(Json(CaptureJobs { capture_jobs: jobs.into_iter().map(job_view).collect() }).into_response()))
}

/// Capture one event (with its @context)
///
/// One event, not a document; as with a document, an enterprise captures only events it is party to.
#[utoipa::path(post, path = "/epcis/events", tag = "traceability", security(("bearer" = [])),
    request_body(description = "one EPCIS event with its own @context",
                 content((Object = "application/json"), (Object = "application/ld+json"), ("application/xml"))),
    responses((status = 201, description = "created; Location names it", body = EventCreated,
               headers(("Location" = String, description = "/epcis/events/{eventID}, percent-encoded"))),
              (status = 400, description = "ValidationException", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 403,
               description = "SecurityException: the role may not capture, or the event is not the enterprise's",
               body = doc::Problem, content_type = "application/problem+json"),
              (status = 409, description = "ConflictException: already stored; Location names it", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 415, description = "ValidationException: not JSON, JSON-LD or XML", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 429,
               description = "CaptureLimitExceededException: the account's hourly capture quota is used up",
               body = doc::Problem, content_type = "application/problem+json")))]
async fn capture_one(
    State(state): State<AppState>,
    user: Result<AuthUser, ApiError>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, EpcisProblem> {
    let AuthUser(user) = user.map_err(EpcisProblem::from)?;
    authorize_capture(&user)?;
    crate::web::count_capture(&state, user.id, 1, body.len() as u64).map_err(over_quota)?;
    let root = parse_body(&headers, &body)?;
    if matches!(root.get("type").and_then(Value::as_str), Some("EPCISDocument" | "EPCISQueryDocument")) {
        return Err(EpcisProblem::new(
            StatusCode::BAD_REQUEST,
            "ValidationException",
            "POST /epcis/events takes one event; send documents to /epcis/capture",
        ));
    }
    let problems = validate_document(&root);
    if !problems.is_empty() {
        let mut problem = EpcisProblem::new(
            StatusCode::BAD_REQUEST,
            "ValidationException",
            format!("{} problem(s) in the event", problems.len()),
        );
        problem.problems = problems;
        return Err(problem);
    }
    let events =
        events_of(&root).map_err(|(_, e)| EpcisProblem::new(StatusCode::BAD_REQUEST, "ValidationException", e))?;
    check_parties(&state, &user, &events).await?;
    let outcome = state.store.capture_events(&events, ErrorBehaviour::Rollback, &json!([]), Some(user.id)).await?;
    let location = format!("/epcis/events/{}", percent_encode(&events[0].event_id));
    if outcome.stored == 0 {
        let mut problem = EpcisProblem::new(
            StatusCode::CONFLICT,
            "ConflictException",
            format!("event {} is already stored", events[0].event_id),
        );
        problem.location = Some(location);
        return Err(problem);
    }
    let mut response =
        (StatusCode::CREATED, Json(EventCreated { event_id: events[0].event_id.clone() })).into_response();
    response.headers_mut().insert(header::LOCATION, HeaderValue::from_str(&location).expect("encoded"));
    Ok(with_version(response))
}

/// Percent-encodes everything but unreserved characters, for an identifier in a path segment.
pub(crate) fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How identifiers are written in answers (`GS1-EPC-Format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EpcFormat {
    AsCaptured,
    Urn,
    DigitalLink,
}

fn epc_format(headers: &HeaderMap) -> Result<EpcFormat, EpcisProblem> {
    match headers.get("GS1-EPC-Format").and_then(|v| v.to_str().ok()) {
        None | Some("No_Preference") | Some("Never_Translates") => Ok(EpcFormat::AsCaptured),
        Some("Always_EPC_URN") => Ok(EpcFormat::Urn),
        Some("Always_GS1_Digital_Link") => Ok(EpcFormat::DigitalLink),
        Some(other) => Err(EpcisProblem::new(
            StatusCode::BAD_REQUEST,
            "ValidationException",
            format!("GS1-EPC-Format '{other}' is not No_Preference, Always_EPC_URN, Always_GS1_Digital_Link or Never_Translates"),
        )),
    }
}

fn translate(value: &str, format: EpcFormat) -> String {
    match format {
        EpcFormat::AsCaptured => value.to_owned(),
        EpcFormat::DigitalLink => codes::link::canonical_link(value).unwrap_or_else(|| value.to_owned()),
        // A Digital Link does not carry the company-prefix length; where it is unknown the link stays.
        EpcFormat::Urn => codes::DigitalLink::parse(value)
            .ok()
            .and_then(|link| codes::Epc::from_digital_link(&link, None).ok())
            .map(|epc| epc.to_urn())
            .unwrap_or_else(|| value.to_owned()),
    }
}

/// Rewrites the identifiers of an event in the asked format.
fn translate_event(event: &mut Value, format: EpcFormat) {
    if format == EpcFormat::AsCaptured {
        return;
    }
    let rewrite = |value: &mut Value| {
        if let Some(text) = value.as_str() {
            *value = Value::String(translate(text, format));
        }
    };
    for key in ["epcList", "childEPCs", "inputEPCList", "outputEPCList"] {
        if let Some(list) = event.get_mut(key).and_then(Value::as_array_mut) {
            list.iter_mut().for_each(rewrite);
        }
    }
    if let Some(parent) = event.get_mut("parentID") {
        rewrite(parent);
    }
    for key in ["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"] {
        for element in event.get_mut(key).and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(class) = element.get_mut("epcClass") {
                rewrite(class);
            }
        }
    }
    for key in ["readPoint", "bizLocation"] {
        if let Some(id) = event.get_mut(key).and_then(|l| l.get_mut("id")) {
            rewrite(id);
        }
    }
    for (key, member) in [("sourceList", "source"), ("destinationList", "destination")] {
        for entry in event.get_mut(key).and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(value) = entry.get_mut(member) {
                rewrite(value);
            }
        }
    }
}

fn list(value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn time_param(name: &str, value: &str) -> Result<i64, EpcisProblem> {
    epcis::time::to_millis(value)
        .ok_or_else(|| EpcisProblem::query(format!("{name}: '{value}' is not a date-time with a zone offset")))
}

/// A MATCH_ value: an identifier, or a pattern naming one class (`urn:epc:idpat:sgtin:CP.IR.*`).
fn id_match(name: &str, value: &str) -> Result<IdMatch, EpcisProblem> {
    if value.starts_with("urn:epc:idpat:") {
        return codes::link::canonical_link(value).map(IdMatch::Class).ok_or_else(|| {
            EpcisProblem::query(format!("{name}: pattern '{value}' must name one class (CompanyPrefix.Reference.*)"))
        });
    }
    Ok(IdMatch::Exact(epcis::canonical_id(value)))
}

/// Reads the SimpleEventQuery parameters; any parameter not understood is refused, as the standard asks.
fn event_query(params: &[(String, String)]) -> Result<(EventQuery, Option<i64>, Option<i64>), EpcisProblem> {
    let mut query = EventQuery { limit: DEFAULT_PER_PAGE, ..EventQuery::default() };
    let (mut event_count_limit, mut max_event_count) = (None, None);
    let number = |name: &str, value: &str| -> Result<i64, EpcisProblem> {
        value
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| EpcisProblem::query(format!("{name}: '{value}' is not a positive integer")))
    };
    for (name, value) in params {
        let id_roles: Option<&[IdRole]> = match name.as_str() {
            "MATCH_epc" => Some(&[IdRole::Epc, IdRole::Child]),
            "MATCH_parentID" => Some(&[IdRole::Parent]),
            "MATCH_inputEPC" => Some(&[IdRole::Input]),
            "MATCH_outputEPC" => Some(&[IdRole::Output]),
            "MATCH_anyEPC" => Some(&[IdRole::Epc, IdRole::Child, IdRole::Parent, IdRole::Input, IdRole::Output]),
            "MATCH_epcClass" => Some(&[IdRole::Quantity, IdRole::ChildQuantity]),
            "MATCH_inputEPCClass" => Some(&[IdRole::InputQuantity]),
            "MATCH_outputEPCClass" => Some(&[IdRole::OutputQuantity]),
            "MATCH_anyEPCClass" => {
                Some(&[IdRole::Quantity, IdRole::ChildQuantity, IdRole::InputQuantity, IdRole::OutputQuantity])
            }
            _ => None,
        };
        if let Some(roles) = id_roles {
            let matches = list(value).iter().map(|v| id_match(name, v)).collect::<Result<Vec<_>, _>>()?;
            query.id_conditions.push((roles.to_vec(), matches));
            continue;
        }
        match name.as_str() {
            "eventType" => {
                for kind in list(value) {
                    if EventType::parse(&kind).is_none() {
                        return Err(EpcisProblem::query(format!("eventType: '{kind}' is not an EPCIS event type")));
                    }
                    query.event_types.push(kind);
                }
            }
            "GE_eventTime" => query.ge_event_time = Some(time_param(name, value)?),
            "LT_eventTime" => query.lt_event_time = Some(time_param(name, value)?),
            "GE_recordTime" => query.ge_record_time = Some(time_param(name, value)?),
            "LT_recordTime" => query.lt_record_time = Some(time_param(name, value)?),
            "EQ_action" => {
                for action in list(value) {
                    if epcis::Action::parse(&action).is_none() {
                        return Err(EpcisProblem::query(format!(
                            "EQ_action: '{action}' is not ADD, OBSERVE or DELETE"
                        )));
                    }
                    query.actions.push(action);
                }
            }
            "EQ_bizStep" => {
                query.biz_steps.extend(list(value).iter().map(|v| epcis::vocab::Vocabulary::BizStep.to_bare(v)))
            }
            "EQ_disposition" => {
                query.dispositions.extend(list(value).iter().map(|v| epcis::vocab::Vocabulary::Disposition.to_bare(v)))
            }
            "EQ_readPoint" => query.read_points.extend(list(value).iter().map(|v| epcis::canonical_id(v))),
            "EQ_bizLocation" => query.biz_locations.extend(list(value).iter().map(|v| epcis::canonical_id(v))),
            "EQ_eventID" => query.event_ids.extend(list(value)),
            "EQ_transformationID" => {
                query.transformation_ids.extend(list(value).iter().map(|v| epcis::canonical_id(v)))
            }
            "EXISTS_errorDeclaration" => query.error_declared = Some(true),
            "orderBy" => match value.as_str() {
                "eventTime" => query.order_by_record_time = false,
                "recordTime" => query.order_by_record_time = true,
                other => return Err(EpcisProblem::query(format!("orderBy: '{other}' is not eventTime or recordTime"))),
            },
            "orderDirection" => match value.as_str() {
                "ASC" => query.descending = false,
                "DESC" => query.descending = true,
                other => return Err(EpcisProblem::query(format!("orderDirection: '{other}' is not ASC or DESC"))),
            },
            "eventCountLimit" => event_count_limit = Some(number(name, value)?),
            "maxEventCount" => max_event_count = Some(number(name, value)?),
            "perPage" => {
                let per_page = number(name, value)?;
                if per_page > MAX_PER_PAGE {
                    return Err(EpcisProblem::query(format!("perPage: at most {MAX_PER_PAGE}")));
                }
                query.limit = per_page;
            }
            "nextPageToken" => {
                let (key, id) = value
                    .split_once('.')
                    .and_then(|(k, i)| Some((k.parse().ok()?, i.parse().ok()?)))
                    .ok_or_else(|| EpcisProblem::query("nextPageToken: not a token this repository issued"))?;
                query.after = Some((key, id));
            }
            other => return Err(EpcisProblem::query(format!("'{other}' is not a SimpleEventQuery parameter"))),
        }
    }
    if event_count_limit.is_some() && max_event_count.is_some() {
        return Err(EpcisProblem::query("eventCountLimit and maxEventCount cannot be given together"));
    }
    Ok((query, event_count_limit, max_event_count))
}

async fn run_query(
    state: &AppState,
    headers: &HeaderMap,
    params: Vec<(String, String)>,
    reader: &User,
    extra: impl FnOnce(&mut EventQuery),
) -> Result<Response, EpcisProblem> {
    let scope = crate::read_scope::ReadScope::of(reader)?;
    let format = epc_format(headers)?;
    let (mut query, event_count_limit, max_event_count) = event_query(&params)?;
    extra(&mut query);
    if let Some(limit) = event_count_limit {
        query.limit = query.limit.min(limit);
    }
    if let Some(max) = max_event_count {
        // Ask for one more than allowed: finding it means the answer is too large.
        let probe = EventQuery { limit: max, after: None, ..query.clone() };
        let page = state.store.query_events(&probe).await?;
        if page.next.is_some() {
            return Err(EpcisProblem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "QueryTooLargeException",
                format!("more than maxEventCount = {max} events match"),
            ));
        }
    }
    let mut page = state.store.query_events(&query).await?;
    if event_count_limit.is_some() {
        page.next = None;
    }
    // A page keeps its place in the full order: events outside the reader's scope are left out of it.
    let shown = crate::read_scope::visible(state, &scope, &page.events).await?;
    let mut shown = shown.into_iter();
    page.events.retain(|_| shown.next().unwrap_or(false));
    for event in &mut page.events {
        translate_event(event, format);
    }
    let body = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": store::now(),
        "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": page.events}}},
    });
    let mut response = Json(body).into_response();
    if let Some((key, id)) = page.next {
        let token = format!("{key}.{id}");
        let mut next: Vec<(String, String)> = params.into_iter().filter(|(n, _)| n != "nextPageToken").collect();
        next.push(("nextPageToken".into(), token.clone()));
        let query_string: Vec<String> = next.iter().map(|(n, v)| format!("{n}={}", percent_encode(v))).collect();
        let link = format!("</epcis/events?{}>; rel=\"next\"", query_string.join("&"));
        if let Ok(value) = HeaderValue::from_str(&link) {
            response.headers_mut().insert(header::LINK, value);
        }
        response.headers_mut().insert("GS1-Next-Page-Token", HeaderValue::from_str(&token).expect("digits"));
    }
    Ok(with_version(response))
}

/// What a query answers.
const QUERY_DOCUMENT: &str = "an EPCISQueryDocument: {@context, type, schemaVersion, creationDate, epcisBody: \
    {queryResults: {queryName: SimpleEventQuery, resultsBody: {eventList}}}}, the events the reader may see; \
    Link rel=next for the next page";

/// SimpleEventQuery: the events that match every parameter given
///
/// The parameters: eventType, GE_/LT_eventTime, GE_/LT_recordTime, EQ_action, EQ_bizStep, EQ_disposition,
/// EQ_readPoint, EQ_bizLocation, EQ_eventID, EQ_transformationID, EXISTS_errorDeclaration, MATCH_epc,
/// MATCH_parentID, MATCH_inputEPC, MATCH_outputEPC, MATCH_anyEPC, MATCH_epcClass, MATCH_inputEPCClass,
/// MATCH_outputEPCClass, MATCH_anyEPCClass, orderBy, orderDirection, eventCountLimit, maxEventCount, perPage,
/// nextPageToken; any other is refused. Events outside the reader's scope are left out of each page.
#[utoipa::path(get, path = "/epcis/events", tag = "traceability", security(("bearer" = [])),
    params(doc::SimpleEventQuery,
           ("GS1-EPC-Format" = inline(Option<doc::EpcFormat>), Header, description = "how identifiers are written")),
    responses((status = 200, description = QUERY_DOCUMENT, body = Object,
               headers(("Link" = String, description = "the next page: <…>; rel=\"next\""),
                       ("GS1-Next-Page-Token" = String, description = "nextPageToken of the next page"))),
              (status = 400, description = "QueryParameterException; ValidationException for GS1-EPC-Format",
               body = doc::Problem, content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = doc::Problem, content_type = "application/problem+json"),
              (status = 413, description = "QueryTooLargeException", body = doc::Problem,
               content_type = "application/problem+json")))]
async fn query(
    State(state): State<AppState>,
    reader: Result<TraceReader, ApiError>,
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, EpcisProblem> {
    let TraceReader(user) = reader.map_err(EpcisProblem::from)?;
    run_query(&state, &headers, params, &user, |_| {}).await
}

/// Events of a type (query parameters as /epcis/events)
#[utoipa::path(get, path = "/epcis/eventTypes/{eventType}/events", tag = "traceability", security(("bearer" = [])),
    params(("eventType" = String, Path,
            description = "ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent"),
           doc::SimpleEventQuery,
           ("GS1-EPC-Format" = inline(Option<doc::EpcFormat>), Header, description = "how identifiers are written")),
    responses((status = 200, description = QUERY_DOCUMENT, body = Object,
               headers(("Link" = String, description = "the next page: <…>; rel=\"next\""),
                       ("GS1-Next-Page-Token" = String, description = "nextPageToken of the next page"))),
              (status = 400, description = "QueryParameterException; ValidationException for GS1-EPC-Format",
               body = doc::Problem, content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = doc::Problem, content_type = "application/problem+json"),
              (status = 404, description = "NoSuchResourceException: no such event type", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 413, description = "QueryTooLargeException", body = doc::Problem,
               content_type = "application/problem+json")))]
async fn events_of_type(
    State(state): State<AppState>,
    reader: Result<TraceReader, ApiError>,
    headers: HeaderMap,
    Path(event_type): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, EpcisProblem> {
    let TraceReader(user) = reader.map_err(EpcisProblem::from)?;
    if EventType::parse(&event_type).is_none() {
        return Err(EpcisProblem::new(
            StatusCode::NOT_FOUND,
            "NoSuchResourceException",
            format!("no event type {event_type}"),
        ));
    }
    run_query(&state, &headers, params, &user, |q| q.event_types = vec![event_type]).await
}

/// Events naming an EPC in any role
///
/// The roles: epcList, childEPCs, parentID, inputEPCList, outputEPCList. Query parameters as /epcis/events.
#[utoipa::path(get, path = "/epcis/epcs/{epc}/events", tag = "traceability", security(("bearer" = [])),
    params(("epc" = String, Path, description = "EPC URN or GS1 Digital Link, percent-encoded"),
           doc::SimpleEventQuery,
           ("GS1-EPC-Format" = inline(Option<doc::EpcFormat>), Header, description = "how identifiers are written")),
    responses((status = 200, description = QUERY_DOCUMENT, body = Object,
               headers(("Link" = String, description = "the next page: <…>; rel=\"next\""),
                       ("GS1-Next-Page-Token" = String, description = "nextPageToken of the next page"))),
              (status = 400, description = "QueryParameterException; ValidationException for GS1-EPC-Format",
               body = doc::Problem, content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = doc::Problem, content_type = "application/problem+json"),
              (status = 413, description = "QueryTooLargeException", body = doc::Problem,
               content_type = "application/problem+json")))]
async fn events_of_epc(
    State(state): State<AppState>,
    reader: Result<TraceReader, ApiError>,
    headers: HeaderMap,
    Path(epc): Path<String>,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, EpcisProblem> {
    let TraceReader(user) = reader.map_err(EpcisProblem::from)?;
    let roles = vec![IdRole::Epc, IdRole::Child, IdRole::Parent, IdRole::Input, IdRole::Output];
    let id = epcis::canonical_id(&epc);
    run_query(&state, &headers, params, &user, |q| q.id_conditions.push((roles, vec![IdMatch::Exact(id)]))).await
}

/// One event (its error declaration, if captured)
///
/// When an error declaration for the event was captured, that version is served. An event outside the reader's
/// scope is answered as one that does not exist.
#[utoipa::path(get, path = "/epcis/events/{eventID}", tag = "traceability", security(("bearer" = [])),
    params(("eventID" = String, Path, description = "percent-encoded"),
           ("GS1-EPC-Format" = inline(Option<doc::EpcFormat>), Header, description = "how identifiers are written")),
    responses((status = 200, description = "the event, in the JSON binding", body = Object),
              (status = 400, description = "ValidationException: GS1-EPC-Format", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = doc::Problem, content_type = "application/problem+json"),
              (status = 404, description = "NoSuchResourceException", body = doc::Problem,
               content_type = "application/problem+json")))]
async fn one_event(
    State(state): State<AppState>,
    reader: Result<TraceReader, ApiError>,
    headers: HeaderMap,
    Path(event_id): Path<String>,
) -> Result<Response, EpcisProblem> {
    let TraceReader(user) = reader.map_err(EpcisProblem::from)?;
    let scope = crate::read_scope::ReadScope::of(&user)?;
    let format = epc_format(&headers)?;
    let versions = state.store.epcis_event(&event_id).await?;
    let missing =
        || EpcisProblem::new(StatusCode::NOT_FOUND, "NoSuchResourceException", format!("no event {event_id}"));
    let mut event = versions.into_iter().max_by_key(|e| e.get("errorDeclaration").is_some()).ok_or_else(missing)?;
    // An event outside the reader's scope is answered as one that does not exist.
    if !crate::read_scope::visible(&state, &scope, std::slice::from_ref(&event))
        .await?
        .first()
        .copied()
        .unwrap_or(false)
    {
        return Err(missing());
    }
    translate_event(&mut event, format);
    Ok(with_version(Json(event).into_response()))
}

/// The five event types
#[utoipa::path(get, path = "/epcis/eventTypes", tag = "traceability", security(("bearer" = [])),
    responses((status = 200, description = "Collection", body = EventTypes),
              (status = 401, description = "SecurityException: no valid bearer token", body = doc::Problem,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = doc::Problem, content_type = "application/problem+json")))]
async fn event_types(reader: Result<TraceReader, ApiError>) -> Response {
    if let Err(error) = reader {
        return EpcisProblem::from(error).into_response();
    }
    let member: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
    let collection =
        EventTypes { context: "https://ref.gs1.org/standards/epcis/epcis-context.jsonld", kind: "Collection", member };
    with_version(Json(collection).into_response())
}
