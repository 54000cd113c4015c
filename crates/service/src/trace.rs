//! Traces (追溯) over the stored supply-chain graph: forward or backward from an item, a lot or a container,
//! with the parties and locations reached, the organizations (USCC) their GLNs are registered to, and their
//! regions. Used by the trace API and page, and by recalls for their scope.

use std::collections::BTreeSet;

use epcis::trace::{Direction, Trace, Tracer};
use serde::{Deserialize, Serialize};
use store::traceability::{GlnKind, GlnRegistration};
use store::User;

use crate::{ApiError, ErrorCode, Services};

/// A finished trace with the registrations of the GLNs it reached.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TraceAnswer {
    /// The identifier traced from, in canonical form.
    pub start: String,
    /// `forward` (what was made from it, where it went) or `backward` (what went into it, where it came from).
    pub direction: &'static str,
    /// Events after this date-time were not followed, when given.
    pub as_of: Option<String>,
    /// True when the trace stopped at the configured number of identifiers.
    pub truncated: bool,
    /// Items, lots and classes reached, the start first, each with the path that reached it.
    pub items: Vec<TracedItem>,
    /// Containers that carried reached items.
    pub containers: Vec<String>,
    /// Parties and locations reached, with the registrations of their GLNs.
    pub parties: Vec<TracedParty>,
    /// Regions (GB/T 2260) of registered parties and locations reached.
    pub regions: Vec<String>,
    /// Registered organizations reached (USCC).
    pub organizations: Vec<String>,
}

/// Whether a reached identifier is one thing (a serialised item or a container) or a lot or class of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    Instance,
    Class,
}

/// An item, lot or class the trace reached, with the path that reached it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TracedItem {
    /// Canonical identifier (a GS1 Digital Link, usually).
    pub id: String,
    /// The EPC URN of the identifier, where it converts.
    pub urn: Option<String>,
    pub kind: ItemKind,
    /// Quantity stated where it was reached (lots and classes).
    pub quantity: Option<f64>,
    /// Unit of the quantity; none means units.
    pub uom: Option<String>,
    /// Steps from the start; empty for the start itself.
    pub path: Vec<TracedStep>,
}

/// One step of a path: the identifier reached, how, and the event (`null` when it is not on record).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TracedStep {
    /// Identifier reached at this step.
    pub id: String,
    /// `transforms`, `contains` or `carried_by`.
    pub how: &'static str,
    pub event: Option<TracedEvent>,
}

/// The event behind a step or a party.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TracedEvent {
    /// The EPCIS eventID (`GET /epcis/events/{eventID}`).
    pub event_id: String,
    pub biz_step: String,
    pub event_time: String,
}

/// A party or location the trace reached, with the registration of its GLN.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TracedParty {
    /// Canonical identifier (a PGLN or SGLN link, usually).
    pub id: String,
    /// Its GLN, when it is one.
    pub gln: Option<String>,
    /// `owning_party`, `possessing_party`, `location`, or the business step where an item was located.
    pub label: String,
    /// `ships_to`, `comes_from` or `located_at`.
    pub how: &'static str,
    /// When it was first reached.
    pub first_reached: String,
    /// The event that reached it first.
    pub event: Option<TracedEvent>,
    /// The item, or the container carrying it, that reached it.
    pub via: String,
    /// Sum of the class quantities sent to it, if any were stated.
    pub quantity: Option<f64>,
    /// The registration of its GLN, when registered.
    pub registration: Option<Registration>,
}

/// A GLN's registration as a trace shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = TracedRegistration)]
pub struct Registration {
    pub name: String,
    /// `party` (PGLN) or `location` (SGLN).
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
pub async fn run_trace(
    services: &Services,
    start: &str,
    direction: Direction,
    as_of: Option<i64>,
) -> Result<(Trace, bool), ApiError> {
    let limit = services.settings.trace_identifiers;
    let mut tracer = Tracer::new(vec![epcis::canonical_id(start)], direction, as_of, limit);
    loop {
        let wanted = tracer.wanted();
        if wanted.is_empty() {
            break;
        }
        let edges = services.store.trace_edges(&wanted).await?;
        tracer.absorb(&wanted, edges);
    }
    Ok((tracer.finish(), tracer.truncated()))
}

/// The trace as the API answers it, with event IDs on the path and registrations on the parties.
pub async fn trace_answer(
    services: &Services,
    start: &str,
    direction: Direction,
    as_of: Option<String>,
) -> Result<TraceAnswer, ApiError> {
    Ok(trace_and_answer(services, start, direction, as_of).await?.1)
}

/// The trace itself (for computations over it, such as a recall's units) and its answer, from one run.
pub async fn trace_and_answer(
    services: &Services,
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
    let (trace, truncated) = run_trace(services, start, direction, as_of_millis).await?;
    let mut rows: Vec<i64> = trace.items.iter().flat_map(|i| i.path.iter().map(|s| s.event)).collect();
    rows.extend(trace.parties.iter().map(|p| p.event));
    rows.sort();
    rows.dedup();
    let events = services.store.event_ids_of_rows(&rows).await?;
    let event_of = |row: i64| {
        events.get(&row).map(|(id, step, time)| TracedEvent {
            event_id: id.clone(),
            biz_step: step.clone(),
            event_time: epcis::time::from_millis(*time),
        })
    };
    let glns: Vec<String> = trace.parties.iter().filter_map(|p| epcis::gln_of(&p.id)).collect();
    let registrations = services.store.gln_registrations(&glns).await?;
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
pub fn check_identifier(field: &str, id: &str) -> Result<(), ApiError> {
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

pub fn direction(value: Option<&str>) -> Result<Direction, ApiError> {
    match value.unwrap_or("forward") {
        "forward" => Ok(Direction::Forward),
        "backward" => Ok(Direction::Backward),
        other => Err(ApiError::invalid(format!("direction '{other}' is not forward or backward"))),
    }
}

/// A GS1 company prefix (厂商识别代码): 6 to 12 digits.
pub fn parse_prefix(prefix: &str) -> Result<String, ApiError> {
    if (6..=12).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_digit()) {
        Ok(prefix.to_owned())
    } else {
        Err(ApiError::invalid(format!("'{prefix}' is not a GS1 company prefix (6 to 12 digits)")))
    }
}

/// The holder of a GS1 company prefix, as it is recorded.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = Gs1PrefixInput)]
pub struct PrefixBody {
    /// USCC of the registered organization GS1 China assigned the prefix to.
    #[schema(value_type = String)]
    pub uscc: Option<String>,
}

/// A GS1 company prefix (厂商识别代码) and the organization that holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Gs1Prefix)]
pub struct PrefixHolder {
    /// 6 to 12 digits.
    pub prefix: String,
    /// USCC of the holder.
    pub uscc: String,
}

/// Records the organization that holds a GS1 company prefix (administrators: GS1 China assigns prefixes, and GLNs
/// are registered under them).
pub async fn set_gs1_prefix(
    services: &Services,
    user: &User,
    prefix: &str,
    body: PrefixBody,
) -> Result<PrefixHolder, ApiError> {
    crate::ownership::check(crate::ownership::Record::Gs1Prefix, user, &["prefix", "uscc"])?;
    let prefix = parse_prefix(prefix)?;
    let uscc = crate::input::uscc("uscc", body.uscc.as_deref())?;
    if services.store.organization(&uscc).await?.is_none() {
        return Err(ApiError::new(ErrorCode::UnknownOrganization, format!("organization {uscc} is not registered")));
    }
    services.store.set_gs1_prefix(&prefix, &uscc, Some(user.id)).await?;
    Ok(PrefixHolder { prefix, uscc: uscc.to_string() })
}

/// A GLN's registration as it is sent.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = GlnInput)]
pub struct GlnBody {
    /// `party` (PGLN) or `location` (SGLN, the default).
    pub kind: Option<String>,
    /// USCC of the registered organization that holds the GLN; an enterprise's own.
    #[schema(value_type = String)]
    pub uscc: Option<String>,
    /// Defaults to the organization's name.
    pub name: Option<String>,
    /// GB/T 2260 region code; defaults to the organization's region.
    pub region_code: Option<String>,
    pub address: Option<String>,
}

/// Registers a party (PGLN) or location (SGLN) to an organization, so traces name it. An enterprise registers
/// its own, under a GS1 company prefix it holds; a regulator within its region.
pub async fn register_gln(
    services: &Services,
    user: &User,
    gln: &str,
    body: GlnBody,
) -> Result<GlnRegistration, ApiError> {
    let gln = codes::Gln::parse(gln).map_err(|e| ApiError::new(ErrorCode::InvalidGln, e))?.as_str().to_owned();
    let kind = crate::input::optional_text(body.kind).unwrap_or_else(|| GlnKind::Location.as_str().into());
    if kind.parse::<GlnKind>().is_err() {
        return Err(ApiError::invalid(format!("kind '{kind}' is not party or location")));
    }
    let uscc = crate::input::uscc("uscc", body.uscc.as_deref())?;
    if user.role == store::Role::Enterprise && user.uscc.as_deref() != Some(uscc.as_str()) {
        return Err(ApiError::forbidden("an enterprise registers only its own GLNs"));
    }
    if user.role == store::Role::Enterprise {
        // A GLN is the holder's: it starts with the GS1 company prefix assigned to the registrant.
        match services.store.gs1_prefix_of(&gln).await? {
            Some((_, holder)) if holder == uscc.as_str() => {}
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
    let organization = services.store.organization(&uscc).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::UnknownOrganization, format!("organization {uscc} is not registered"))
    })?;
    let region_code = match crate::input::optional_text(body.region_code) {
        Some(code) => crate::input::region("region_code", &code)?.as_str().to_owned(),
        None => organization.region_code.clone(),
    };
    let name = crate::input::optional_text(body.name).unwrap_or_else(|| organization.name.clone());
    let previous = services.store.gln_registrations(std::slice::from_ref(&gln)).await?.remove(&gln);
    crate::access::authorize_organization_write(
        user,
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
        uscc: Some(uscc.to_string()),
        name,
        region_code,
        address: crate::input::optional_text(body.address),
    };
    services.store.register_glns(std::slice::from_ref(&registration), Some(user.id)).await?;
    Ok(registration)
}
