//! EPCIS 2.0 events as use cases: capture (documents and single events) with the party check, capture jobs, the
//! SimpleEventQuery and single events, each within the reader's scope. Errors are EPCIS exceptions
//! ([`EpcisProblem`]), which the HTTP crate answers as RFC 7807 problem documents.

use epcis::validate::Problem;
use epcis::{events_of, validate_document, EventType, Role as IdRole};
use http::StatusCode;
use serde::Serialize;
use serde_json::{json, Value};
use store::traceability::{CaptureStatus, ErrorBehaviour, EventQuery, IdMatch};
use store::{Role, User};

use crate::read_scope::{self, ReadScope};
use crate::{ApiError, Services};

/// Bytes one capture may carry by default (`GS1-EPCIS-Capture-File-Size-Limit`; `limits.body_bytes`).
pub const CAPTURE_FILE_SIZE_LIMIT: usize = 64 * 1024 * 1024;
/// How deep a captured document's arrays and objects may nest (the XML binding is bounded by element depth first).
pub const MAX_JSON_DEPTH: usize = epcis::json::MAX_JSON_DEPTH;

/// What a capture may spend: the account's hourly quota and a slot among the documents parsed at once. The HTTP
/// crate keeps both per server.
pub trait CaptureBudget {
    /// Counts `events` events and `bytes` bytes against the account's hour; `Err(seconds)` until it renews.
    fn spend(&self, account: i64, events: u64, bytes: u64) -> Result<(), u64>;
    /// The documents parsed at once.
    fn slots(&self) -> &tokio::sync::Semaphore;
}

/// An EPCIS exception as an RFC 7807 problem document.
#[derive(Debug)]
pub struct EpcisProblem {
    pub status: StatusCode,
    pub exception: &'static str,
    pub detail: String,
    pub problems: Vec<Problem>,
    /// A capture job or event the answer names (`Location`).
    pub location: Option<String>,
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

    pub fn new(status: StatusCode, exception: &'static str, detail: impl ToString) -> Self {
        EpcisProblem { status, exception, detail: detail.to_string(), problems: Vec::new(), location: None }
    }

    pub fn query(detail: impl ToString) -> Self {
        EpcisProblem::new(StatusCode::BAD_REQUEST, "QueryParameterException", detail)
    }

    /// The problem document the answer carries.
    pub fn document(&self) -> ProblemDocument {
        ProblemDocument {
            kind: format!("epcisException:{}", self.exception),
            title: self.exception,
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            problems: self.problems.iter().map(ProblemItem::of).collect(),
        }
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

/// An RFC 7807 problem document, as every error under `/epcis/` is answered (`application/problem+json`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Problem)]
pub struct ProblemDocument {
    /// `epcisException:` and the exception, e.g. `epcisException:ValidationException`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The exception: ValidationException, QueryParameterException, SecurityException,
    /// NoSuchResourceException, ConflictException, CaptureLimitExceededException, QueryTooLargeException or
    /// ImplementationException.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// The problems found in a document or event, each naming its field; left out when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<ProblemItem>,
}

/// One thing wrong with a document, and where: `epcis::validate::Problem` as answered (the rule crate has no schema).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemItem {
    /// JSON pointer (RFC 6901) to the offending member, `""` for the whole document.
    pub pointer: String,
    /// Stable snake_case code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
}

impl ProblemItem {
    fn of(problem: &Problem) -> Self {
        ProblemItem { pointer: problem.pointer.clone(), code: problem.code, message: problem.message.clone() }
    }
}

/// The headers every `/epcis/` answer carries, problems included: the standard's versions.
pub fn version_headers() -> [(&'static str, &'static str); 2] {
    [("GS1-EPCIS-Version", "2.0.0"), ("GS1-CBV-Version", "2.0.0")]
}

/// The headers a successful `/epcis/` answer carries: the versions and the configured capture limit.
pub fn answer_headers(settings: &crate::Settings) -> [(&'static str, String); 3] {
    let [epcis, cbv] = version_headers();
    [
        (epcis.0, epcis.1.to_owned()),
        (cbv.0, cbv.1.to_owned()),
        ("GS1-EPCIS-Capture-Limit", settings.capture_events.to_string()),
    ]
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
async fn check_parties(services: &Services, user: &User, events: &[epcis::Event]) -> Result<(), EpcisProblem> {
    if user.role != Role::Enterprise {
        return Ok(());
    }
    let mut glns: Vec<String> = events.iter().flat_map(event_glns).collect();
    glns.sort();
    glns.dedup();
    let registered = services.store.gln_registrations(&glns).await?;
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

/// The `GS1-Capture-Error-Behaviour` header's value: rollback (the default) or proceed.
pub fn error_behaviour(header: Option<&str>) -> Result<ErrorBehaviour, EpcisProblem> {
    let value = header.map(str::to_ascii_lowercase);
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
    services: &Services,
    budget: &impl CaptureBudget,
    user: &User,
    content_type: &str,
    body: &[u8],
    behaviour: ErrorBehaviour,
) -> Result<CaptureSummary, EpcisProblem> {
    authorize_capture(user)?;
    // Bytes are counted before parsing, and only so many documents are parsed at once: each may hold a large
    // tree in memory.
    budget.spend(user.id, 0, body.len() as u64).map_err(over_quota)?;
    let _slot = budget.slots().acquire().await.expect("the capture semaphore is never closed");
    let mut root = parse_content(content_type, body)?;
    if root.get("type").and_then(Value::as_str) != Some("EPCISDocument") {
        return Err(EpcisProblem::new(
            StatusCode::BAD_REQUEST,
            "ValidationException",
            "the capture body must be an EPCISDocument",
        ));
    }
    let count = event_count(&root);
    let limit = services.settings.capture_events;
    if count > limit {
        return Err(EpcisProblem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "CaptureLimitExceededException",
            format!("{count} events; a capture may carry at most {limit}"),
        ));
    }
    budget.spend(user.id, count as u64, 0).map_err(over_quota)?;
    let problems = validate_document(&root);
    let problems_json = serde_json::to_value(&problems).unwrap_or_default();
    if !problems.is_empty() {
        let failed = failed_positions(&problems);
        // Problems outside the event list (header, context) or rollback: nothing is stored.
        let document_level = problems.iter().any(|p| !p.pointer.starts_with("/epcisBody/eventList/"));
        if behaviour == ErrorBehaviour::Rollback || document_level {
            let id = services.store.record_failed_capture(count, behaviour, &problems_json, Some(user.id)).await?;
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
    check_parties(services, user, &events).await?;
    let outcome = services.store.capture_events(&events, behaviour, &problems_json, Some(user.id)).await?;
    Ok(CaptureSummary {
        capture_id: outcome.capture_id,
        stored: outcome.stored,
        duplicates: outcome.duplicates,
        rejected: count - events.len(),
    })
}

/// One event, not a document (`POST /epcis/events`): checked and stored as a capture of one; answers the event's
/// id and where it reads back.
pub async fn capture_event(
    services: &Services,
    budget: &impl CaptureBudget,
    user: &User,
    content_type: &str,
    body: &[u8],
) -> Result<(String, String), EpcisProblem> {
    authorize_capture(user)?;
    budget.spend(user.id, 1, body.len() as u64).map_err(over_quota)?;
    let root = parse_content(content_type, body)?;
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
    check_parties(services, user, &events).await?;
    let outcome = services.store.capture_events(&events, ErrorBehaviour::Rollback, &json!([]), Some(user.id)).await?;
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
    Ok((events[0].event_id.clone(), location))
}

/// A capture job as its status URL shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = CaptureJob)]
pub struct CaptureJobView {
    #[serde(rename = "captureID")]
    pub capture_id: String,
    pub created_at: String,
    pub finished_at: String,
    /// Always false: a capture is finished when its request is answered.
    pub running: bool,
    /// True when the capture stored its events.
    pub success: bool,
    /// `rollback` or `proceed`.
    pub capture_error_behaviour: String,
    pub event_count: i64,
    pub stored_count: i64,
    pub duplicate_count: i64,
    /// The problems found, each naming its field.
    #[schema(value_type = Vec<ProblemItem>)]
    pub errors: Value,
}

/// The most recent capture jobs.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaptureJobs {
    /// At most 100, the newest first.
    #[serde(rename = "captureJobs")]
    pub capture_jobs: Vec<CaptureJobView>,
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

/// Who reads capture jobs: those who read supply-chain events.
fn job_reader(user: &User) -> Result<(), EpcisProblem> {
    if !crate::access::may_read_traces(user) {
        return Err(EpcisProblem::from(ApiError::forbidden(format!(
            "role {} may not read supply-chain events",
            user.role.as_str()
        ))));
    }
    Ok(())
}

fn sees_every_job(user: &User) -> bool {
    matches!(user.role, Role::Admin | Role::Regulator)
}

/// A capture job: its sender, administrators and regulators see it; to anyone else it does not exist.
pub async fn capture_job(services: &Services, user: &User, id: &str) -> Result<CaptureJobView, EpcisProblem> {
    job_reader(user)?;
    let missing = || EpcisProblem::new(StatusCode::NOT_FOUND, "NoSuchResourceException", format!("no capture {id}"));
    let number: i64 = id.parse().map_err(|_| missing())?;
    let job = services.store.capture_job(number).await?.ok_or_else(missing)?;
    // A job shows what a sender sent: its sender and supervisors see it, nobody else.
    if !sees_every_job(user) && job.user_id != Some(user.id) {
        return Err(missing());
    }
    Ok(job_view(job))
}

/// The 100 most recent capture jobs: one's own, or everyone's for administrators and regulators.
pub async fn capture_jobs(services: &Services, user: &User) -> Result<CaptureJobs, EpcisProblem> {
    job_reader(user)?;
    let own = if sees_every_job(user) { None } else { Some(user.id) };
    let jobs = services.store.recent_capture_jobs(100, own).await?;
    Ok(CaptureJobs { capture_jobs: jobs.into_iter().map(job_view).collect() })
}

/// Percent-encodes everything but unreserved characters, for an identifier in a path segment.
pub fn percent_encode(value: &str) -> String {
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

/// How identifiers are written in answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EpcFormat {
    AsCaptured,
    Urn,
    DigitalLink,
}

/// The values of the `GS1-EPC-Format` header: as captured (No_Preference, Never_Translates, or no header), as
/// EPC URNs (a link whose company-prefix length is unknown stays a link) or as GS1 Digital Links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub enum EpcFormatHeader {
    #[serde(rename = "No_Preference")]
    NoPreference,
    #[serde(rename = "Always_EPC_URN")]
    AlwaysEpcUrn,
    #[serde(rename = "Always_GS1_Digital_Link")]
    AlwaysGs1DigitalLink,
    #[serde(rename = "Never_Translates")]
    NeverTranslates,
}

impl EpcFormatHeader {
    pub const ALL: [EpcFormatHeader; 4] = [
        EpcFormatHeader::NoPreference,
        EpcFormatHeader::AlwaysEpcUrn,
        EpcFormatHeader::AlwaysGs1DigitalLink,
        EpcFormatHeader::NeverTranslates,
    ];

    /// The header text.
    pub fn as_str(self) -> &'static str {
        match self {
            EpcFormatHeader::NoPreference => "No_Preference",
            EpcFormatHeader::AlwaysEpcUrn => "Always_EPC_URN",
            EpcFormatHeader::AlwaysGs1DigitalLink => "Always_GS1_Digital_Link",
            EpcFormatHeader::NeverTranslates => "Never_Translates",
        }
    }

    /// What the value asks answers to do.
    pub fn format(self) -> EpcFormat {
        match self {
            EpcFormatHeader::NoPreference | EpcFormatHeader::NeverTranslates => EpcFormat::AsCaptured,
            EpcFormatHeader::AlwaysEpcUrn => EpcFormat::Urn,
            EpcFormatHeader::AlwaysGs1DigitalLink => EpcFormat::DigitalLink,
        }
    }
}

/// The `GS1-EPC-Format` header's value; no header is No_Preference.
pub fn epc_format(header: Option<&str>) -> Result<EpcFormat, EpcisProblem> {
    let Some(text) = header else { return Ok(EpcFormat::AsCaptured) };
    match EpcFormatHeader::ALL.into_iter().find(|value| value.as_str() == text) {
        Some(value) => Ok(value.format()),
        None => {
            let known: Vec<&str> = EpcFormatHeader::ALL.iter().map(|v| v.as_str()).collect();
            Err(EpcisProblem::new(
                StatusCode::BAD_REQUEST,
                "ValidationException",
                format!("GS1-EPC-Format '{text}' is not {}", or_list(&known)),
            ))
        }
    }
}

/// `a, b, c or d`.
fn or_list(items: &[&str]) -> String {
    match items.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
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

/// The SimpleEventQuery parameters `event_query` reads; any other parameter is refused. Lists are comma-separated.
/// Only its parameter list is used, for the API's documentation: the query is read in order from the raw pairs, as
/// a parameter may repeat. A test holds it to the names `event_query` matches.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SimpleEventQuery {
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

/// Reads the SimpleEventQuery parameters; any parameter not understood is refused, as the standard asks.
fn event_query(
    params: &[(String, String)],
    settings: &crate::Settings,
) -> Result<(EventQuery, Option<i64>, Option<i64>), EpcisProblem> {
    let mut query = EventQuery { limit: settings.epcis_page_size, ..EventQuery::default() };
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
                if per_page > settings.epcis_max_page_size {
                    return Err(EpcisProblem::query(format!("perPage: at most {}", settings.epcis_max_page_size)));
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

/// A query's answer: the EPCISQueryDocument and the token of the next page, if any.
#[derive(Debug)]
pub struct QueryAnswer {
    pub document: Value,
    pub next_page_token: Option<String>,
}

/// A SimpleEventQuery (`params` as they came, in order) over the events the reader may see, with `narrow` adding
/// what the path says (an event type, an EPC).
pub async fn query(
    services: &Services,
    reader: &User,
    format: EpcFormat,
    params: &[(String, String)],
    narrow: impl FnOnce(&mut EventQuery),
) -> Result<QueryAnswer, EpcisProblem> {
    let scope = ReadScope::of(reader)?;
    let (mut query, event_count_limit, max_event_count) = event_query(params, &services.settings)?;
    narrow(&mut query);
    if let Some(limit) = event_count_limit {
        query.limit = query.limit.min(limit);
    }
    if let Some(max) = max_event_count {
        // Ask for one more than allowed: finding it means the answer is too large.
        let probe = EventQuery { limit: max, after: None, ..query.clone() };
        let page = services.store.query_events(&probe).await?;
        if page.next.is_some() {
            return Err(EpcisProblem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "QueryTooLargeException",
                format!("more than maxEventCount = {max} events match"),
            ));
        }
    }
    let mut page = services.store.query_events(&query).await?;
    if event_count_limit.is_some() {
        page.next = None;
    }
    // A page keeps its place in the full order: events outside the reader's scope are left out of it.
    let shown = read_scope::visible(services, &scope, &page.events).await?;
    let mut shown = shown.into_iter();
    page.events.retain(|_| shown.next().unwrap_or(false));
    for event in &mut page.events {
        translate_event(event, format);
    }
    let document = json!({
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": store::now(),
        "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": page.events}}},
    });
    Ok(QueryAnswer { document, next_page_token: page.next.map(|(key, id)| format!("{key}.{id}")) })
}

/// The link to a query's next page: the same parameters with the next page's token.
pub fn next_page_link(params: &[(String, String)], token: &str) -> String {
    let mut next: Vec<(String, String)> = params.iter().filter(|(n, _)| n != "nextPageToken").cloned().collect();
    next.push(("nextPageToken".into(), token.to_owned()));
    let query_string: Vec<String> = next.iter().map(|(n, v)| format!("{n}={}", percent_encode(v))).collect();
    format!("</epcis/events?{}>; rel=\"next\"", query_string.join("&"))
}

/// One event (its error declaration, if captured); an event outside the reader's scope does not exist.
pub async fn event(
    services: &Services,
    reader: &User,
    event_id: &str,
    format: EpcFormat,
) -> Result<Value, EpcisProblem> {
    let scope = ReadScope::of(reader)?;
    let versions = services.store.epcis_event(event_id).await?;
    let missing =
        || EpcisProblem::new(StatusCode::NOT_FOUND, "NoSuchResourceException", format!("no event {event_id}"));
    let mut event = versions.into_iter().max_by_key(|e| e.get("errorDeclaration").is_some()).ok_or_else(missing)?;
    // An event outside the reader's scope is answered as one that does not exist.
    if !read_scope::visible(services, &scope, std::slice::from_ref(&event)).await?.first().copied().unwrap_or(false) {
        return Err(missing());
    }
    translate_event(&mut event, format);
    Ok(event)
}

#[cfg(feature = "axum")]
impl axum_core::response::IntoResponse for EpcisProblem {
    fn into_response(self) -> axum_core::response::Response {
        let body = serde_json::to_string(&self.document()).expect("a problem document serializes");
        let content_type = (http::header::CONTENT_TYPE, "application/problem+json");
        let mut response = (self.status, [content_type], body).into_response();
        let headers = response.headers_mut();
        if let Some(location) = self.location.and_then(|l| http::HeaderValue::from_str(&l).ok()) {
            headers.insert(http::header::LOCATION, location);
        }
        for (name, value) in version_headers() {
            headers.insert(name, http::HeaderValue::from_static(value));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::IntoParams;

    #[test]
    fn every_documented_query_parameter_is_one_the_query_reads() {
        let documented = SimpleEventQuery::into_params(|| None);
        assert!(documented.len() > 20, "{}", documented.len());
        for parameter in documented {
            let pairs = [(parameter.name.clone(), "1".to_owned())];
            if let Err(problem) = event_query(&pairs, &crate::Settings::default()) {
                assert!(!problem.detail.contains("is not a SimpleEventQuery parameter"), "{}", parameter.name);
            }
        }
        let unknown = [("EQ_colour".to_owned(), "red".to_owned())];
        let refused = event_query(&unknown, &crate::Settings::default()).unwrap_err();
        assert!(refused.detail.contains("is not a SimpleEventQuery parameter"), "{}", refused.detail);
    }
}
