//! `GET /api/v1/trace/{id}`: forward or backward trace from an item, a lot or a container, with the parties
//! and locations reached, the organizations (USCC) their GLNs are registered to, and their regions.

use std::collections::BTreeSet;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use epcis::trace::{Direction, Trace, Tracer};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::traceability::{GlnKind, GlnRegistration};
use store::User;

use crate::auth::{AuthUser, TraceReader};
use crate::{ApiError, AppState, ErrorCode};

/// Identifiers a trace expands at most; a larger trace is cut and says so.
pub const TRACE_LIMIT: usize = 50_000;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/trace", get(trace_query))
        .route("/api/v1/trace/{*id}", get(trace_path))
        .route("/api/v1/glns/{gln}", get(gln_registration).put(register_gln))
        .route("/api/v1/gs1-prefixes", get(gs1_prefixes))
        .route("/api/v1/gs1-prefixes/{prefix}", get(gs1_prefix).put(set_gs1_prefix))
}

/// A GS1 company prefix (厂商识别代码): 6 to 12 digits.
fn parse_prefix(prefix: &str) -> Result<String, ApiError> {
    if (6..=12).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_digit()) {
        Ok(prefix.to_owned())
    } else {
        Err(ApiError::invalid(format!("'{prefix}' is not a GS1 company prefix (6 to 12 digits)")))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PrefixBody {
    uscc: Option<String>,
}

/// `PUT /api/v1/gs1-prefixes/{prefix}`: records the organization that holds a GS1 company prefix (administrators:
/// GS1 China assigns prefixes, and GLNs are registered under them).
async fn set_gs1_prefix(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(prefix): Path<String>,
    body: Result<Json<PrefixBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(super::json_rejection)?;
    crate::ownership::check(crate::ownership::Record::Gs1Prefix, &user, &["prefix", "uscc"])?;
    let prefix = parse_prefix(&prefix)?;
    let uscc = crate::input::uscc("uscc", body.uscc.as_deref())?.to_string();
    if state.store.organization(&uscc).await?.is_none() {
        return Err(ApiError::new(ErrorCode::UnknownOrganization, format!("organization {uscc} is not registered")));
    }
    state.store.set_gs1_prefix(&prefix, &uscc, Some(user.id)).await?;
    Ok(Json(json!({"prefix": prefix, "uscc": uscc})))
}

/// `GET /api/v1/gs1-prefixes/{prefix}`: who holds a prefix (public).
async fn gs1_prefix(State(state): State<AppState>, Path(prefix): Path<String>) -> Result<Json<Value>, ApiError> {
    let prefix = parse_prefix(&prefix)?;
    match state.store.gs1_prefix_of(&prefix).await? {
        Some((found, uscc)) if found == prefix => Ok(Json(json!({"prefix": found, "uscc": uscc}))),
        _ => Err(ApiError::not_found(format!("GS1 company prefix {prefix} is not registered"))),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PrefixesParams {
    uscc: Option<String>,
}

/// `GET /api/v1/gs1-prefixes?uscc=`: the prefixes an organization holds (public).
async fn gs1_prefixes(
    State(state): State<AppState>,
    Query(params): Query<PrefixesParams>,
) -> Result<Json<Value>, ApiError> {
    let uscc = crate::input::uscc("uscc", params.uscc.as_deref())?.to_string();
    let prefixes = state.store.gs1_prefixes_of(&uscc).await?;
    Ok(Json(json!({"uscc": uscc, "prefixes": prefixes})))
}

/// `GET /api/v1/glns/{gln}`: who holds a party or location GLN (public, as GS1's own registry is).
async fn gln_registration(
    State(state): State<AppState>,
    Path(gln): Path<String>,
) -> Result<Json<GlnRegistration>, ApiError> {
    let gln = codes::Gln::parse(&gln).map_err(|e| ApiError::new(ErrorCode::InvalidGln, e))?.as_str().to_owned();
    let mut found = state.store.gln_registrations(std::slice::from_ref(&gln)).await?;
    found.remove(&gln).map(Json).ok_or_else(|| ApiError::not_found(format!("GLN {gln} is not registered")))
}

#[derive(Debug, Deserialize)]
pub(crate) struct GlnBody {
    kind: Option<String>,
    uscc: Option<String>,
    name: Option<String>,
    region_code: Option<String>,
    address: Option<String>,
}

/// `PUT /api/v1/glns/{gln}`: registers a party (PGLN) or location (SGLN) to an organization, so traces name it.
/// An enterprise registers its own; a regulator within its region.
async fn register_gln(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(gln): Path<String>,
    body: Result<Json<GlnBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<GlnRegistration>, ApiError> {
    let Json(body) = body.map_err(super::json_rejection)?;
    let gln = codes::Gln::parse(&gln).map_err(|e| ApiError::new(ErrorCode::InvalidGln, e))?.as_str().to_owned();
    let kind = crate::input::optional_text(body.kind).unwrap_or_else(|| GlnKind::Location.as_str().into());
    if kind.parse::<GlnKind>().is_err() {
        return Err(ApiError::invalid(format!("kind '{kind}' is not party or location")));
    }
    let uscc = crate::input::uscc("uscc", body.uscc.as_deref())?.to_string();
    if user.role == store::Role::Enterprise && user.uscc.as_deref() != Some(uscc.as_str()) {
        return Err(ApiError::forbidden("an enterprise registers only its own GLNs"));
    }
    if user.role == store::Role::Enterprise {
        // A GLN is the holder's: it starts with the GS1 company prefix assigned to the registrant.
        match state.store.gs1_prefix_of(&gln).await? {
            Some((_, holder)) if holder == uscc => {}
            Some((prefix, _)) => {
                return Err(ApiError::forbidden(format!(
                    "GLN {gln} is under GS1 company prefix {prefix}, which another organization holds"
                )))
            }
            None => {
                return Err(ApiError::forbidden(format!(
                    "GLN {gln} is under no GS1 company prefix registered to this enterprise; an administrator \
                     records the prefixes GS1 China assigned (PUT /api/v1/gs1-prefixes/{{prefix}})"
                )))
            }
        }
    }
    let organization = state.store.organization(&uscc).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::UnknownOrganization, format!("organization {uscc} is not registered"))
    })?;
    let region_code = match crate::input::optional_text(body.region_code) {
        Some(code) => crate::input::region("region_code", &code)?.as_str().to_owned(),
        None => organization.region_code.clone(),
    };
    let name = crate::input::optional_text(body.name).unwrap_or_else(|| organization.name.clone());
    let previous = state.store.gln_registrations(std::slice::from_ref(&gln)).await?.remove(&gln);
    crate::auth::authorize_organization_write(
        &user,
        &uscc,
        &region_code,
        previous.as_ref().map(|p| p.region_code.as_str()),
    )?;
    if let Some(previous) = &previous {
        if previous.uscc.as_deref() != Some(uscc.as_str()) && user.role == store::Role::Enterprise {
            return Err(ApiError::forbidden(format!("GLN {gln} is registered to another organization")));
        }
    }
    let registration = GlnRegistration {
        gln,
        kind,
        uscc: Some(uscc),
        name,
        region_code,
        address: crate::input::optional_text(body.address),
    };
    state.store.register_glns(std::slice::from_ref(&registration), Some(user.id)).await?;
    Ok(Json(registration))
}

#[derive(Debug, Deserialize)]
pub(crate) struct TraceParams {
    id: Option<String>,
    direction: Option<String>,
    as_of: Option<String>,
}

/// A finished trace with the registrations of the GLNs it reached.
#[derive(Debug, Serialize)]
pub(crate) struct TraceAnswer {
    pub start: String,
    pub direction: &'static str,
    pub as_of: Option<String>,
    pub truncated: bool,
    pub items: Vec<TracedItem>,
    pub containers: Vec<String>,
    pub parties: Vec<TracedParty>,
    /// Regions (GB/T 2260) of registered parties and locations reached.
    pub regions: Vec<String>,
    /// Registered organizations reached (USCC).
    pub organizations: Vec<String>,
}

/// Whether a reached identifier is one thing (a serialised item or a container) or a lot or class of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ItemKind {
    Instance,
    Class,
}

/// An item, lot or class the trace reached, with the path that reached it.
#[derive(Debug, Serialize)]
pub(crate) struct TracedItem {
    pub id: String,
    pub urn: Option<String>,
    pub kind: ItemKind,
    pub quantity: Option<f64>,
    pub uom: Option<String>,
    pub path: Vec<TracedStep>,
}

/// One step of a path: the identifier reached, how, and the event (`null` when it is not on record).
#[derive(Debug, Serialize)]
pub(crate) struct TracedStep {
    pub id: String,
    pub how: &'static str,
    pub event: Option<TracedEvent>,
}

/// The event behind a step or a party.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct TracedEvent {
    pub event_id: String,
    pub biz_step: String,
    pub event_time: String,
}

/// A party or location the trace reached, with the registration of its GLN.
#[derive(Debug, Serialize)]
pub(crate) struct TracedParty {
    pub id: String,
    pub gln: Option<String>,
    pub label: String,
    pub how: &'static str,
    pub first_reached: String,
    pub event: Option<TracedEvent>,
    pub via: String,
    pub quantity: Option<f64>,
    pub registration: Option<Registration>,
}

/// A GLN's registration as a trace shows it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Registration {
    pub name: String,
    pub kind: String,
    pub uscc: Option<String>,
    pub region_code: String,
    pub address: Option<String>,
}

impl From<&GlnRegistration> for Registration {
    fn from(r: &GlnRegistration) -> Self {
        Registration {
            name: r.name.clone(),
            kind: r.kind.clone(),
            uscc: r.uscc.clone(),
            region_code: r.region_code.clone(),
            address: r.address.clone(),
        }
    }
}

fn urn_of(id: &str) -> Option<String> {
    let link = codes::DigitalLink::parse(id).ok()?;
    codes::Epc::from_digital_link(&link, None).ok().map(|e| e.to_urn())
}

/// Runs a trace against the store, one query per round.
pub(crate) async fn run_trace(
    state: &AppState,
    start: &str,
    direction: Direction,
    as_of: Option<i64>,
) -> Result<(Trace, bool), ApiError> {
    let mut tracer = Tracer::new(vec![epcis::canonical_id(start)], direction, as_of, TRACE_LIMIT);
    loop {
        let wanted = tracer.wanted();
        if wanted.is_empty() {
            break;
        }
        let edges = state.store.trace_edges(&wanted).await?;
        tracer.absorb(&wanted, edges);
    }
    Ok((tracer.finish(), tracer.truncated()))
}

/// The trace as the API answers it, with event IDs on the path and registrations on the parties.
pub(crate) async fn trace_answer(
    state: &AppState,
    start: &str,
    direction: Direction,
    as_of: Option<String>,
) -> Result<TraceAnswer, ApiError> {
    Ok(trace_and_answer(state, start, direction, as_of).await?.1)
}

/// The trace itself (for computations over it, such as a recall's units) and its answer, from one run.
pub(crate) async fn trace_and_answer(
    state: &AppState,
    start: &str,
    direction: Direction,
    as_of: Option<String>,
) -> Result<(Trace, TraceAnswer), ApiError> {
    let as_of_millis = match &as_of {
        Some(text) => Some(
            epcis::time::to_millis(text)
                .ok_or_else(|| ApiError::invalid(format!("as_of '{text}' is not a date-time with a zone offset")))?,
        ),
        None => None,
    };
    let (trace, truncated) = run_trace(state, start, direction, as_of_millis).await?;
    let mut rows: Vec<i64> = trace.items.iter().flat_map(|i| i.path.iter().map(|s| s.event)).collect();
    rows.extend(trace.parties.iter().map(|p| p.event));
    rows.sort();
    rows.dedup();
    let events = state.store.event_ids_of_rows(&rows).await?;
    let event_of = |row: i64| {
        events.get(&row).map(|(id, step, time)| TracedEvent {
            event_id: id.clone(),
            biz_step: step.clone(),
            event_time: epcis::time::from_millis(*time),
        })
    };
    let glns: Vec<String> = trace.parties.iter().filter_map(|p| epcis::gln_of(&p.id)).collect();
    let registrations = state.store.gln_registrations(&glns).await?;
    let items = trace
        .items
        .iter()
        .map(|item| TracedItem {
            id: item.id.clone(),
            urn: urn_of(&item.id),
            kind: if epcis::is_serialised_item(&item.id) || epcis::is_container(&item.id) {
                ItemKind::Instance
            } else {
                ItemKind::Class
            },
            quantity: item.quantity,
            uom: item.uom.clone(),
            path: item
                .path
                .iter()
                .map(|s| TracedStep { id: s.id.clone(), how: s.how, event: event_of(s.event) })
                .collect(),
        })
        .collect();
    let mut regions = BTreeSet::new();
    let mut organizations = BTreeSet::new();
    let parties = trace
        .parties
        .iter()
        .map(|party| {
            let gln = epcis::gln_of(&party.id);
            let registration = gln.as_ref().and_then(|g| registrations.get(g));
            if let Some(r) = registration {
                regions.insert(r.region_code.clone());
                organizations.extend(r.uscc.clone());
            }
            TracedParty {
                id: party.id.clone(),
                gln,
                label: party.label.clone(),
                how: party.how.as_str(),
                first_reached: epcis::time::from_millis(party.time),
                event: event_of(party.event),
                via: party.via.clone(),
                quantity: party.quantity,
                registration: registration.map(Registration::from),
            }
        })
        .collect();
    let answer = TraceAnswer {
        start: epcis::canonical_id(start),
        direction: if direction == Direction::Forward { "forward" } else { "backward" },
        as_of,
        truncated,
        items,
        containers: trace.containers.clone(),
        parties,
        regions: regions.into_iter().collect(),
        organizations: organizations.into_iter().collect(),
    };
    Ok((trace, answer))
}

/// An identifier to trace from: an EPC URN that converts, a Digital Link, or another URI.
pub(crate) fn check_identifier(field: &str, id: &str) -> Result<(), ApiError> {
    if id.starts_with("urn:epc:") {
        if let Err(e) = codes::link::urn_segments(id) {
            return Err(ApiError::new(ErrorCode::InvalidEpc, format!("{field}: {e}")));
        }
    } else if !epcis::validate::is_uri(id) {
        return Err(ApiError::new(
            ErrorCode::InvalidEpc,
            format!("{field}: '{id}' is not an EPC URN, a GS1 Digital Link or another URI"),
        ));
    }
    Ok(())
}

pub(crate) fn direction(value: Option<&str>) -> Result<Direction, ApiError> {
    match value.unwrap_or("forward") {
        "forward" => Ok(Direction::Forward),
        "backward" => Ok(Direction::Backward),
        other => Err(ApiError::invalid(format!("direction '{other}' is not forward or backward"))),
    }
}

async fn answer(state: AppState, user: &User, id: String, params: TraceParams) -> Result<Json<TraceAnswer>, ApiError> {
    if id.trim().is_empty() {
        return Err(ApiError::invalid("give the identifier to trace: an EPC URN, a Digital Link or a lot class"));
    }
    let direction = direction(params.direction.as_deref())?;
    check_identifier("id", id.trim())?;
    let scope = crate::read_scope::ReadScope::of(user)?;
    crate::read_scope::may_trace(&state, &scope, id.trim(), direction).await?;
    Ok(Json(trace_answer(&state, id.trim(), direction, params.as_of).await?))
}

/// `GET /api/v1/trace?id=…`.
async fn trace_query(
    State(state): State<AppState>,
    TraceReader(user): TraceReader,
    Query(params): Query<TraceParams>,
) -> Result<Json<TraceAnswer>, ApiError> {
    let id = params.id.clone().unwrap_or_default();
    answer(state, &user, id, params).await
}

/// `GET /api/v1/trace/{id}`: the identifier percent-encoded, or a Digital Link written out after the slash.
async fn trace_path(
    State(state): State<AppState>,
    TraceReader(user): TraceReader,
    Path(id): Path<String>,
    Query(params): Query<TraceParams>,
) -> Result<Json<TraceAnswer>, ApiError> {
    // A link written out in the path loses one slash of `https://` to path normalisation.
    let id = match id.strip_prefix("https:/").or_else(|| id.strip_prefix("http:/")) {
        Some(rest) if !rest.starts_with('/') => format!("https://{rest}"),
        _ => id,
    };
    answer(state, &user, id, params).await
}
