//! Credit lists with due process (严重违法失信名单, 经营异常名录): a regulator proposes a listing, notifies the
//! enterprise of the grounds and its rights, the enterprise states its case or asks for a hearing within the
//! window, the regulator decides, publishes, and later removes it (period ended, obligation met) or grants a credit
//! repair (信用修复) the enterprise applied for. Publication, removal and repair are public-log entries written with
//! the step. The lifecycle and the periods are the `credit` room's (`credit::listing`, `data/credit_rules.json`).

use std::sync::OnceLock;

use chrono::NaiveDate;
use credit::listing::{
    self, list_rules, ListRule, ListingAction, ListingChange, ListingInput, ListingStage, ListingStatus, PublicEvent,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::credit::{Listing, ListingStep, Proposal};
use store::public_log::{canonical, NewEntry};
use store::{Role, User};

use crate::access::authorize_supervision;
use crate::input::{self, optional_text};
use crate::schema::vocabulary;
use crate::{ApiError, ErrorCode, Services};

/// The shipped list rules as JSON, for anyone to read.
pub fn rules_json() -> &'static Value {
    static RULES: OnceLock<Value> = OnceLock::new();
    RULES.get_or_init(|| serde_json::from_str(listing::SHIPPED).expect("credit_rules.json is checked at start-up"))
}

fn rule(list: &str) -> Result<&'static ListRule, ApiError> {
    Ok(list_rules().list(list)?)
}

/// Whether a listing is on its list now.
pub fn current(listing: &Listing) -> bool {
    listing.status.parse::<ListingStatus>().is_ok_and(ListingStatus::on_the_list)
}

/// A listing as the public, the enterprise or a regulator sees it, with its steps.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CreditListingView)]
pub struct ListingView {
    #[serde(flatten)]
    pub listing: Listing,
    /// On its list now.
    pub current: bool,
    /// The list's Chinese name.
    pub list_name: String,
    /// The due-process steps; the statement and hearing are for insiders only.
    pub steps: Vec<ListingStepView>,
}

/// One step of a listing's due process; who and the note for insiders only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CreditListingStep)]
pub struct ListingStepView {
    #[schema(schema_with = vocabulary::<ListingStage>)]
    pub stage: ListingStage,
    /// The step's business day.
    pub on: NaiveDate,
    /// RFC 3339, UTC: when it was recorded.
    pub at: String,
    /// The public-log entry the step wrote, if it was a public one.
    pub log_index: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The listing as the public, the enterprise or a regulator (`full`) sees it, with its steps.
pub async fn view(state: &Services, listing: &Listing, full: bool) -> Result<ListingView, ApiError> {
    let events = state.store.listing_events(&listing.id).await?;
    let mut steps = Vec::with_capacity(events.len());
    for e in events {
        let stage: ListingStage = store::stored(&e.stage)?;
        if !(full || e.log_index.is_some() || ![ListingStage::Statement, ListingStage::Hearing].contains(&stage)) {
            continue;
        }
        steps.push(ListingStepView {
            stage,
            on: store::stored_day("listing step on_date", &e.on_date)?,
            at: e.at,
            log_index: e.log_index,
            user_id: e.user_id.filter(|_| full),
            note: e.note.filter(|_| full),
        });
    }
    Ok(ListingView {
        current: current(listing),
        list_name: rule(&listing.list).map(|r| r.name_zh.clone()).unwrap_or_default(),
        listing: listing.clone(),
        steps,
    })
}

/// May `user` see a listing before it is public: the regulators of its region and the enterprise itself.
pub fn insider(user: Option<&User>, listing: &Listing) -> bool {
    user.is_some_and(|u| {
        authorize_supervision(u, &listing.region_code).is_ok()
            || (u.role == Role::Enterprise && u.uscc.as_deref() == Some(listing.uscc.as_str()))
    })
}

/// A proposed listing, as it arrives.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreditListingProposal)]
pub struct ProposalBody {
    /// Required: serious_violation (严重违法失信名单) or abnormal_operations (经营异常名录).
    pub list: Option<String>,
    /// Required: the enterprise, registered in the master data.
    pub uscc: Option<String>,
    /// Required: the facts the listing rests on.
    pub grounds: Option<String>,
    /// The decision number of the heavier penalty; required for the serious-violation list.
    pub penalty_ref: Option<String>,
    /// The day of the proposal; today by default, never in the future.
    #[schema(format = Date)]
    pub on: Option<String>,
    pub note: Option<String>,
}

/// The step date: today by default; never in the future, never before the listing's last step.
fn step_date(on: Option<String>, after: &str) -> Result<NaiveDate, ApiError> {
    let today = crate::today();
    let on = match optional_text(on) {
        Some(text) => input::date("on", &text)?,
        None => today,
    };
    if on > today {
        return Err(ApiError::invalid(format!("on: {on} is in the future")));
    }
    if on.to_string().as_str() < after {
        return Err(ApiError::invalid(format!("on: {on} is before the listing's last step ({after})")));
    }
    Ok(on)
}

/// A regulator of the enterprise's region proposes a listing; returns its view.
pub async fn propose(state: &Services, user: &User, body: ProposalBody) -> Result<ListingView, ApiError> {
    let list = optional_text(body.list).ok_or_else(|| ApiError::invalid("list is required"))?;
    let rule = rule(&list)?;
    let uscc = input::uscc("uscc", body.uscc.as_deref())?;
    let organization =
        state.store.organization(&uscc).await?.ok_or_else(|| {
            ApiError::new(ErrorCode::UnknownOrganization, format!("{} is not registered", uscc.as_str()))
        })?;
    authorize_supervision(user, &organization.region_code)?;
    if user.role == Role::Admin && organization.region_code.is_empty() {
        return Err(ApiError::invalid("the organization has no region"));
    }
    let grounds = optional_text(body.grounds).ok_or_else(|| ApiError::invalid("grounds are required"))?;
    let penalty_ref = optional_text(body.penalty_ref);
    if rule.requires_penalty && penalty_ref.is_none() {
        return Err(ApiError::invalid(
            "the serious-violation list follows a heavier penalty: give its decision number (penalty_ref)",
        ));
    }
    let open = state.store.listings(Some(uscc.as_str()), Some(&list), false, None, 100).await?;
    let mut held = None;
    for listing in &open {
        if listing.case()?.open() {
            held = Some(listing);
            break;
        }
    }
    if let Some(existing) = held {
        return Err(ApiError::wrong_state(format!(
            "{} already has listing {} ({}) on this list",
            uscc.as_str(),
            existing.id,
            existing.status
        )));
    }
    let on = step_date(body.on, "")?;
    use chrono::Datelike;
    let listing = Listing::proposed(Proposal {
        id: state.store.next_number("credit_listings", "ZL-CL", on.year()).await?,
        list,
        uscc: uscc.as_str().to_owned(),
        organization_name: organization.name,
        region_code: organization.region_code,
        grounds,
        legal_basis: rule.legal_basis.clone(),
        penalty_ref,
        proposed_on: on.to_string(),
    });
    let note = optional_text(body.note);
    let step =
        ListingStep { stage: ListingStage::Proposed.as_str().into(), on_date: on.to_string(), note, public: None };
    state.store.propose_listing(&listing, &step, Some(user.id)).await?;
    let stored = state
        .store
        .listing(&listing.id)
        .await?
        .ok_or_else(|| ApiError::not_found("the proposal just stored is gone"))?;
    view(state, &stored, true).await
}

/// A listing step, as it arrives; which fields a step reads depends on the step.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreditListingStep)]
pub struct StepBody {
    /// The day of the step; today by default, never in the future nor before the listing's last step.
    #[schema(format = Date)]
    pub on: Option<String>,
    pub note: Option<String>,
    /// decide: whether to list.
    pub listed: Option<bool>,
    /// repair-decide: whether the repair is granted.
    pub granted: Option<bool>,
    /// remove: obligation_met | revoked.
    pub reason: Option<String>,
    /// repair-apply: each condition the enterprise declares met.
    #[serde(default)]
    pub conditions: Vec<String>,
}

/// The public-log entry of a public step.
fn public_entry(listing: &Listing, event: PublicEvent, on: NaiveDate) -> NewEntry {
    NewEntry {
        kind: format!("credit_{event}"),
        subject: listing.uscc.clone(),
        data: canonical(&json!({
            "type": "credit_list", "event": event, "listing_id": listing.id, "list": listing.list,
            "uscc": listing.uscc, "name": listing.organization_name, "grounds": listing.grounds,
            "legal_basis": listing.legal_basis, "penalty_ref": listing.penalty_ref, "published_on": listing.published_on,
            "expires_on": listing.expires_on, "removal_reason": listing.removal_reason, "on": on.to_string(),
        })),
    }
}

/// Runs one step for `user`; returns the listing as it now stands.
pub async fn run_step(
    state: &Services,
    user: &User,
    id: &str,
    action: &str,
    body: StepBody,
) -> Result<Listing, ApiError> {
    let listing = state.store.listing(id).await?.ok_or_else(|| ApiError::not_found(format!("no listing {id}")))?;
    let case = listing.case()?;
    let on = step_date(body.on.clone(), &case.last_step_day().to_string())?;
    let action: ListingAction = action.parse().map_err(|_| ApiError::not_found(format!("no listing step {action}")))?;
    let own = user.role == Role::Enterprise && user.uscc.as_deref() == Some(listing.uscc.as_str());
    let regulator = authorize_supervision(user, &listing.region_code).is_ok();
    if action.by_enterprise() && !own {
        return Err(ApiError::forbidden("only the listed enterprise takes this step"));
    }
    if !action.by_enterprise() && !regulator {
        return Err(ApiError::forbidden(format!(
            "listing {id} is handled by the regulators of region {}",
            listing.region_code
        )));
    }
    let heard = action == ListingAction::Decide
        && state.store.listing_events(id).await?.iter().any(|e| e.stage == ListingStage::Hearing.as_str());
    let input = ListingInput {
        note: optional_text(body.note.clone()),
        listed: body.listed,
        granted: body.granted,
        reason: optional_text(body.reason.clone()),
        conditions: body.conditions.clone(),
        heard,
    };
    let change = listing::transition(&case, id, action, &input, on, &state.calendar(), list_rules())?;
    save_step(state, user, &listing, &change, on, optional_text(body.note)).await?;
    state.store.listing(id).await?.ok_or_else(|| ApiError::not_found(format!("no listing {id}")))
}

/// Stores a step with its public-log entry, and brings the class up to date when the step was public.
async fn save_step(
    state: &Services,
    user: &User,
    listing: &Listing,
    change: &ListingChange,
    on: NaiveDate,
    note: Option<String>,
) -> Result<(), ApiError> {
    let mut changed = listing.clone();
    changed.apply(&change.after);
    let public = change.public.map(|event| public_entry(&changed, event, on));
    let step = ListingStep { stage: change.stage.as_str().into(), on_date: on.to_string(), note, public };
    state.store.step_listing(listing, &changed, &step, Some(user.id)).await?;
    if change.public.is_some() {
        // Publication and removal move the class floor: the class change is logged now, not at the next run.
        crate::credit_scoring::refresh_one(&state.store, credit::Model::bundled(), &listing.uscc, crate::today())
            .await?;
    }
    Ok(())
}

/// Runs one step (`notify`, `decide`, `publish`, …) and returns the listing's view: the one way the API, the
/// pages and the CLI step a listing.
pub async fn step(
    state: &Services,
    user: &User,
    id: &str,
    action: &str,
    body: StepBody,
) -> Result<ListingView, ApiError> {
    let listing = run_step(state, user, id, action, body).await?;
    view(state, &listing, true).await
}

/// Removes every listing whose period has ended (admins; run daily); returns the listings removed.
pub async fn sweep(state: &Services, user: &User) -> Result<Vec<String>, ApiError> {
    if user.role != Role::Admin {
        return Err(ApiError::forbidden("the daily sweep is an administrator's"));
    }
    let today = crate::today();
    let mut removed = Vec::new();
    for listing in state.store.expired_listings(&today.to_string()).await? {
        let change = listing::period_end(&listing.case()?);
        let on = change.after.removed_on.unwrap_or(today);
        save_step(state, user, &listing, &change, on, None).await?;
        removed.push(listing.id);
    }
    Ok(removed)
}

/// A listing for `user` (`None`: the public): public once published; before that, for insiders only.
pub async fn visible(state: &Services, user: Option<&User>, id: &str) -> Result<ListingView, ApiError> {
    let listing = state.store.listing(id).await?.ok_or_else(|| ApiError::not_found(format!("no listing {id}")))?;
    let inside = insider(user, &listing);
    if listing.published_on.is_none() && !inside {
        return Err(ApiError::not_found(format!("no listing {id}")));
    }
    view(state, &listing, inside).await
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// serious_violation or abnormal_operations; both lists by default.
    pub list: Option<String>,
    /// Part of the enterprise's name or of its USCC.
    pub q: Option<String>,
    /// Only those on their list now (the blacklist); otherwise the history too.
    #[serde(default)]
    pub current: bool,
    /// json (default) or csv.
    pub format: Option<String>,
}

/// The public lists, newest first.
pub async fn public_listings(state: &Services, params: &ListParams) -> Result<Vec<Listing>, ApiError> {
    let list = optional_text(params.list.clone());
    if let Some(code) = &list {
        rule(code)?;
    }
    let q = optional_text(params.q.clone());
    let found = state.store.listings(None, list.as_deref(), true, q.as_deref(), 10_000).await?;
    Ok(found.into_iter().filter(|l| !params.current || current(l)).collect())
}
