//! The EPCIS 2.0 REST binding under `/epcis/`: capture (documents and single events), capture jobs, the
//! SimpleEventQuery over `GET /epcis/events`, single events, event types and events by EPC. Errors are RFC 7807
//! problem documents with the EPCIS exception as their `type`.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use epcis::{EventType, Role as IdRole};
use serde::Serialize;
use service::events::{self, CaptureJobView, CaptureJobs, EpcFormat, EpcisProblem, ProblemDocument};
use store::traceability::IdMatch;

use crate::auth::{AuthUser, TraceReader};
use crate::{ApiError, AppState};

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

// Shapes the OpenAPI document describes that the handlers read otherwise; only the annotations use them.

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

fn with_version(settings: &service::Settings, mut response: Response) -> Response {
    for (name, value) in events::answer_headers(settings) {
        response.headers_mut().insert(name, HeaderValue::from_str(&value).expect("ASCII"));
    }
    response
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).map(|v| v.to_str().unwrap_or_default())
}

fn content_type(headers: &HeaderMap) -> &str {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("application/json")
}

fn epc_format(headers: &HeaderMap) -> Result<EpcFormat, EpcisProblem> {
    events::epc_format(headers.get("GS1-EPC-Format").and_then(|v| v.to_str().ok()))
}

/// Capture an EPCISDocument (JSON/JSON-LD), in one transaction
///
/// The XML binding (`application/xml`, `text/xml`) is read into the JSON binding and captured alike. An enterprise
/// captures only events it is party to: one of each event's read point, business location, sources or
/// destinations is a GLN registered to it, and no read point or business location is another organization's.
#[utoipa::path(post, path = "/epcis/capture", tag = "traceability", security(("bearer" = [])),
    params(("GS1-Capture-Error-Behaviour" = inline(Option<store::traceability::ErrorBehaviour>), Header,
            description = "rollback (the default) or proceed")),
    request_body(description = "an EPCISDocument of at most 10,000 events",
                 content((Object = "application/json"), (Object = "application/ld+json"), ("application/xml"))),
    responses((status = 202, description = "captured; the job is at Location", body = CaptureAccepted,
               headers(("Location" = String, description = "/epcis/capture/{captureID}"))),
              (status = 400, description = "ValidationException naming each field; Location names the failed job",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 403,
               description = "SecurityException: the role may not capture, or an event is not the enterprise's",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 413, description = "CaptureLimitExceededException (10,000 events)", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 415, description = "ValidationException: not JSON, JSON-LD or XML", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 429,
               description = "CaptureLimitExceededException: the account's hourly capture quota is used up",
               body = ProblemDocument, content_type = "application/problem+json")))]
async fn capture(
    State(state): State<AppState>,
    user: Result<AuthUser, ApiError>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, EpcisProblem> {
    let AuthUser(user) = user.map_err(EpcisProblem::from)?;
    let behaviour = events::error_behaviour(header_text(&headers, "GS1-Capture-Error-Behaviour"))?;
    let summary = events::capture_document(&state, &state, &user, content_type(&headers), &body, behaviour).await?;
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
    Ok(with_version(&state.settings, response))
}

/// A capture job
///
/// Its sender, administrators and regulators see it; to anyone else it does not exist.
#[utoipa::path(get, path = "/epcis/capture/{captureID}", tag = "traceability", security(("bearer" = [])),
    params(("captureID" = String, Path, description = "the captureID a capture answered")),
    responses((status = 200, description = "{captureID, running, success, captureErrorBehaviour, errors, …}",
               body = CaptureJobView),
              (status = 401, description = "SecurityException: no valid bearer token", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, description = "NoSuchResourceException", body = ProblemDocument,
               content_type = "application/problem+json")))]
async fn capture_job(
    State(state): State<AppState>,
    user: Result<AuthUser, ApiError>,
    Path(id): Path<String>,
) -> Result<Response, EpcisProblem> {
    let AuthUser(user) = user.map_err(EpcisProblem::from)?;
    let job = events::capture_job(&state, &user, &id).await?;
    Ok(with_version(&state.settings, Json(job).into_response()))
}

/// Recent capture jobs
///
/// The 100 most recent: one's own, or everyone's for administrators and regulators.
#[utoipa::path(get, path = "/epcis/capture", tag = "traceability", security(("bearer" = [])),
    responses((status = 200, description = "{captureJobs}", body = CaptureJobs),
              (status = 401, description = "SecurityException: no valid bearer token", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = ProblemDocument, content_type = "application/problem+json")))]
async fn capture_jobs(
    State(state): State<AppState>,
    user: Result<AuthUser, ApiError>,
) -> Result<Response, EpcisProblem> {
    let AuthUser(user) = user.map_err(EpcisProblem::from)?;
    Ok(with_version(&state.settings, Json(events::capture_jobs(&state, &user).await?).into_response()))
}

/// Capture one event (with its @context)
///
/// One event, not a document; as with a document, an enterprise captures only events it is party to.
#[utoipa::path(post, path = "/epcis/events", tag = "traceability", security(("bearer" = [])),
    request_body(description = "one EPCIS event with its own @context",
                 content((Object = "application/json"), (Object = "application/ld+json"), ("application/xml"))),
    responses((status = 201, description = "created; Location names it", body = EventCreated,
               headers(("Location" = String, description = "/epcis/events/{eventID}, percent-encoded"))),
              (status = 400, description = "ValidationException", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 403,
               description = "SecurityException: the role may not capture, or the event is not the enterprise's",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 409, description = "ConflictException: already stored; Location names it", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 415, description = "ValidationException: not JSON, JSON-LD or XML", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 429,
               description = "CaptureLimitExceededException: the account's hourly capture quota is used up",
               body = ProblemDocument, content_type = "application/problem+json")))]
async fn capture_one(
    State(state): State<AppState>,
    user: Result<AuthUser, ApiError>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, EpcisProblem> {
    let AuthUser(user) = user.map_err(EpcisProblem::from)?;
    let (event_id, location) = events::capture_event(&state, &state, &user, content_type(&headers), &body).await?;
    let mut response = (StatusCode::CREATED, Json(EventCreated { event_id })).into_response();
    response.headers_mut().insert(header::LOCATION, HeaderValue::from_str(&location).expect("encoded"));
    Ok(with_version(&state.settings, response))
}

/// What a query answers.
const QUERY_DOCUMENT: &str = "an EPCISQueryDocument: {@context, type, schemaVersion, creationDate, epcisBody: \
    {queryResults: {queryName: SimpleEventQuery, resultsBody: {eventList}}}}, the events the reader may see; \
    Link rel=next for the next page";

/// Runs a query and answers its document, with the next page's link and token.
async fn answer_query(
    state: &AppState,
    headers: &HeaderMap,
    params: Vec<(String, String)>,
    reader: &store::User,
    narrow: impl FnOnce(&mut store::traceability::EventQuery),
) -> Result<Response, EpcisProblem> {
    let format = epc_format(headers)?;
    let answer = events::query(state, reader, format, &params, narrow).await?;
    let mut response = Json(answer.document).into_response();
    if let Some(token) = answer.next_page_token {
        if let Ok(value) = HeaderValue::from_str(&events::next_page_link(&params, &token)) {
            response.headers_mut().insert(header::LINK, value);
        }
        response.headers_mut().insert("GS1-Next-Page-Token", HeaderValue::from_str(&token).expect("digits"));
    }
    Ok(with_version(&state.settings, response))
}

/// SimpleEventQuery: the events that match every parameter given
///
/// The parameters: eventType, GE_/LT_eventTime, GE_/LT_recordTime, EQ_action, EQ_bizStep, EQ_disposition,
/// EQ_readPoint, EQ_bizLocation, EQ_eventID, EQ_transformationID, EXISTS_errorDeclaration, MATCH_epc,
/// MATCH_parentID, MATCH_inputEPC, MATCH_outputEPC, MATCH_anyEPC, MATCH_epcClass, MATCH_inputEPCClass,
/// MATCH_outputEPCClass, MATCH_anyEPCClass, orderBy, orderDirection, eventCountLimit, maxEventCount, perPage,
/// nextPageToken; any other is refused. Events outside the reader's scope are left out of each page.
#[utoipa::path(get, path = "/epcis/events", tag = "traceability", security(("bearer" = [])),
    params(events::SimpleEventQuery,
           ("GS1-EPC-Format" = inline(Option<events::EpcFormatHeader>), Header, description = "how identifiers are written")),
    responses((status = 200, description = QUERY_DOCUMENT, body = Object,
               headers(("Link" = String, description = "the next page: <…>; rel=\"next\""),
                       ("GS1-Next-Page-Token" = String, description = "nextPageToken of the next page"))),
              (status = 400, description = "QueryParameterException; ValidationException for GS1-EPC-Format",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 413, description = "QueryTooLargeException", body = ProblemDocument,
               content_type = "application/problem+json")))]
async fn query(
    State(state): State<AppState>,
    reader: Result<TraceReader, ApiError>,
    headers: HeaderMap,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Response, EpcisProblem> {
    let TraceReader(user) = reader.map_err(EpcisProblem::from)?;
    answer_query(&state, &headers, params, &user, |_| {}).await
}

/// Events of a type (query parameters as /epcis/events)
#[utoipa::path(get, path = "/epcis/eventTypes/{eventType}/events", tag = "traceability", security(("bearer" = [])),
    params(("eventType" = String, Path,
            description = "ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent"),
           events::SimpleEventQuery,
           ("GS1-EPC-Format" = inline(Option<events::EpcFormatHeader>), Header, description = "how identifiers are written")),
    responses((status = 200, description = QUERY_DOCUMENT, body = Object,
               headers(("Link" = String, description = "the next page: <…>; rel=\"next\""),
                       ("GS1-Next-Page-Token" = String, description = "nextPageToken of the next page"))),
              (status = 400, description = "QueryParameterException; ValidationException for GS1-EPC-Format",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, description = "NoSuchResourceException: no such event type", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 413, description = "QueryTooLargeException", body = ProblemDocument,
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
    answer_query(&state, &headers, params, &user, |q| q.event_types = vec![event_type]).await
}

/// Events naming an EPC in any role
///
/// The roles: epcList, childEPCs, parentID, inputEPCList, outputEPCList. Query parameters as /epcis/events.
#[utoipa::path(get, path = "/epcis/epcs/{epc}/events", tag = "traceability", security(("bearer" = [])),
    params(("epc" = String, Path, description = "EPC URN or GS1 Digital Link, percent-encoded"),
           events::SimpleEventQuery,
           ("GS1-EPC-Format" = inline(Option<events::EpcFormatHeader>), Header, description = "how identifiers are written")),
    responses((status = 200, description = QUERY_DOCUMENT, body = Object,
               headers(("Link" = String, description = "the next page: <…>; rel=\"next\""),
                       ("GS1-Next-Page-Token" = String, description = "nextPageToken of the next page"))),
              (status = 400, description = "QueryParameterException; ValidationException for GS1-EPC-Format",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 413, description = "QueryTooLargeException", body = ProblemDocument,
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
    answer_query(&state, &headers, params, &user, |q| q.id_conditions.push((roles, vec![IdMatch::Exact(id)]))).await
}

/// One event (its error declaration, if captured)
///
/// When an error declaration for the event was captured, that version is served. An event outside the reader's
/// scope is answered as one that does not exist.
#[utoipa::path(get, path = "/epcis/events/{eventID}", tag = "traceability", security(("bearer" = [])),
    params(("eventID" = String, Path, description = "percent-encoded"),
           ("GS1-EPC-Format" = inline(Option<events::EpcFormatHeader>), Header, description = "how identifiers are written")),
    responses((status = 200, description = "the event, in the JSON binding", body = Object),
              (status = 400, description = "ValidationException: GS1-EPC-Format", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 401, description = "SecurityException: no valid bearer token", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = ProblemDocument, content_type = "application/problem+json"),
              (status = 404, description = "NoSuchResourceException", body = ProblemDocument,
               content_type = "application/problem+json")))]
async fn one_event(
    State(state): State<AppState>,
    reader: Result<TraceReader, ApiError>,
    headers: HeaderMap,
    Path(event_id): Path<String>,
) -> Result<Response, EpcisProblem> {
    let TraceReader(user) = reader.map_err(EpcisProblem::from)?;
    let event = events::event(&state, &user, &event_id, epc_format(&headers)?).await?;
    Ok(with_version(&state.settings, Json(event).into_response()))
}

/// The five event types
#[utoipa::path(get, path = "/epcis/eventTypes", tag = "traceability", security(("bearer" = [])),
    responses((status = 200, description = "Collection", body = EventTypes),
              (status = 401, description = "SecurityException: no valid bearer token", body = ProblemDocument,
               content_type = "application/problem+json"),
              (status = 403, description = "SecurityException: the role may not read supply-chain events",
               body = ProblemDocument, content_type = "application/problem+json")))]
async fn event_types(State(state): State<AppState>, reader: Result<TraceReader, ApiError>) -> Response {
    if let Err(error) = reader {
        return EpcisProblem::from(error).into_response();
    }
    let member: Vec<&str> = EventType::ALL.iter().map(|t| t.as_str()).collect();
    let collection =
        EventTypes { context: "https://ref.gs1.org/standards/epcis/epcis-context.jsonld", kind: "Collection", member };
    with_version(&state.settings, Json(collection).into_response())
}
