//! Defective-product recalls (缺陷产品召回) following 《消费品召回管理暂行规定》 (SAMR Order 19) and, for vehicles,
//! 《缺陷汽车产品召回管理条例》: defect report, investigation, decision or order, plan, public notice, progress
//! reports, completion, summary and effectiveness evaluation, each stage one transaction. Every stage carries its
//! legal deadline in working days from the `recalls` room's table, and the scope (lots, units, parties, regions)
//! is computed from the trace by `recalls::scope`.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use epcis::trace::Direction;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::recalls::{NewRecall, NewRecallEvent, Recall, RecallChange, RecallEvent};
use store::{Role, User};

use crate::access::authorize_supervision;
use crate::error::stored;
use crate::input::{self, optional_text};
use crate::trace::{ItemKind, Registration};
use crate::{today, ApiError, ErrorCode, Services};
use recalls::{Decision, Origin, RecallState, RecallStatus, Regime, Stage};

/// The due day of a stage of a recall's regime, counted from `from` by the shipped deadlines.
pub fn due(calendar: &calendar::Calendar, regime: Regime, stage: Stage, from: NaiveDate) -> Option<NaiveDate> {
    recalls::deadlines().due(calendar, regime, stage, from)
}

/// The recall's state as the stages read it; a stored value that does not read is an integrity fault.
fn state_of(recall: &Recall) -> Result<RecallState, ApiError> {
    Ok(RecallState {
        status: stored(&recall.status)?,
        regime: stored(&recall.regime)?,
        decision: recall.decision.as_deref().map(stored).transpose()?,
    })
}

/// The recall's state, refused as wrong-state when it does not allow `stage`.
fn ready_for(recall: &Recall, stage: Stage) -> Result<RecallState, ApiError> {
    let state = state_of(recall)?;
    recalls::check(&recall.id, state, stage).map_err(ApiError::wrong_state)?;
    Ok(state)
}

/// The stored text of a status.
fn status(status: RecallStatus) -> Option<String> {
    Some(status.as_str().to_owned())
}

fn required(field: &str, value: Option<String>) -> Result<String, ApiError> {
    optional_text(value).ok_or_else(|| ApiError::invalid(format!("{field} is required")))
}

/// The day a stage counts for: given (not in the future) or today.
fn stage_date(value: Option<String>) -> Result<NaiveDate, ApiError> {
    match optional_text(value) {
        None => Ok(today()),
        Some(text) => {
            let date = input::date("on", &text)?;
            if date > today() {
                return Err(ApiError::invalid(format!("on: {date} is in the future")));
            }
            Ok(date)
        }
    }
}

fn is_producer(user: &User, recall: &Recall) -> bool {
    user.role == Role::Enterprise && user.uscc.as_deref() == Some(recall.producer_uscc.as_str())
}

fn authorize_producer_or_supervisor(user: &User, recall: &Recall) -> Result<(), ApiError> {
    if is_producer(user, recall) {
        return Ok(());
    }
    authorize_supervision(user, &recall.region_code)
}

/// Who may read a recall that has no published notice: its producer and its supervisors.
pub fn may_read(user: Option<&User>, recall: &Recall) -> bool {
    recall.notice_published_on.is_some() || user.is_some_and(|u| authorize_producer_or_supervisor(u, recall).is_ok())
}

pub async fn recall_or_404(state: &Services, id: &str) -> Result<Recall, ApiError> {
    state.store.recall(id).await?.ok_or_else(|| ApiError::not_found(format!("no recall {id}")))
}

/// The history entry of a stage, with the deadline it had to meet.
fn stage_event(
    stage: Stage,
    on: NaiveDate,
    due_on: Option<NaiveDate>,
    note: Option<String>,
    data: Value,
) -> NewRecallEvent {
    NewRecallEvent {
        stage: stage.as_str().to_owned(),
        on_date: on.to_string(),
        note,
        data,
        due_on: due_on.map(|d| d.to_string()),
        late: due_on.is_some_and(|d| on > d),
    }
}

fn due_of(recall: &Recall) -> Option<NaiveDate> {
    recall.next_due_on.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

fn next(stage: Stage, due_on: Option<NaiveDate>) -> Option<(Option<String>, Option<String>)> {
    Some((Some(stage.as_str().to_owned()), due_on.map(|d| d.to_string())))
}

/// Recovery so far: units recovered ÷ units distributed.
pub fn recovery_rate(recall: &Recall) -> Option<f64> {
    recall.units_distributed.filter(|d| *d > 0.0).map(|d| recall.units_recovered / d)
}

/// A recall as the API shows it: the stored recall's fields, with its recovery rate, whether its next stage is
/// overdue, and its history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecallView {
    /// The stored recall, its fields at the top level.
    #[serde(flatten)]
    pub recall: Recall,
    /// Units recovered ÷ units distributed; null while no units are distributed.
    pub recovery_rate: Option<f64>,
    /// True when the legal due date of the next stage has passed.
    pub overdue: bool,
    /// The history, oldest first.
    pub events: Vec<RecallEvent>,
}

/// A recall as the API shows it, with its history, recovery rate and whether its next stage is overdue.
pub async fn recall_view(state: &Services, recall: Recall) -> Result<RecallView, ApiError> {
    let events = state.store.recall_events(&recall.id).await?;
    let overdue = due_of(&recall).is_some_and(|d| today() > d);
    Ok(RecallView { recovery_rate: recovery_rate(&recall), overdue, events, recall })
}

/// A region code without its trailing zero pairs: `330100` → `3301`.
pub fn region_prefix(code: &str) -> String {
    let mut prefix = code.to_owned();
    while prefix.len() > 2 && prefix.ends_with("00") {
        prefix.truncate(prefix.len() - 2);
    }
    prefix
}

/// A defect report (缺陷报告), from the producer or opened by a regulator.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = RecallReport)]
pub struct ReportBody {
    /// `consumer` (SAMR Order 19, the default) or `vehicle` (缺陷汽车产品召回管理条例).
    pub regime: Option<String>,
    /// The producer's USCC: an enterprise's own (the default for it); required from a regulator.
    pub producer_uscc: Option<String>,
    #[schema(value_type = String)]
    pub product_name: Option<String>,
    /// GTINs of the products concerned; an enterprise names only products registered as its own.
    #[serde(default)]
    pub gtins: Vec<String>,
    /// Lot numbers concerned.
    #[serde(default)]
    pub lots: Vec<String>,
    /// The defect.
    #[schema(value_type = String)]
    pub defect: Option<String>,
    /// Caused or may cause death, serious injury or major loss, or recalled abroad: the report is then due
    /// within the configured working days of learning of the defect.
    #[serde(default)]
    pub severe: bool,
    /// When the producer learned of the defect; defaults to the report's day, and may not be after it.
    #[schema(format = Date)]
    pub learned_on: Option<String>,
    /// The lot or item the scope is traced from: an EPC URN, a GS1 Digital Link or a lot class.
    pub trace_start: Option<String>,
    pub note: Option<String>,
    /// The day the report counts for; today by default, never in the future.
    #[schema(format = Date)]
    pub on: Option<String>,
}

pub async fn create_recall(state: &Services, user: &User, body: ReportBody) -> Result<Recall, ApiError> {
    let regime = match optional_text(body.regime) {
        None => Regime::Consumer,
        Some(text) => {
            text.parse().map_err(|_| ApiError::invalid(format!("regime '{text}' is not consumer or vehicle")))?
        }
    };
    let producer = match (user.role, &user.uscc) {
        (Role::Enterprise, Some(own)) => {
            let given = optional_text(body.producer_uscc).unwrap_or_else(|| own.clone());
            if &given != own {
                return Err(ApiError::forbidden("an enterprise reports defects of its own products"));
            }
            given
        }
        (Role::Admin | Role::Regulator, _) => required("producer_uscc", body.producer_uscc)?,
        _ => return Err(ApiError::forbidden(format!("role {} may not open a recall", user.role.as_str()))),
    };
    let producer_uscc = input::uscc("producer_uscc", Some(&producer))?;
    let producer = producer_uscc.to_string();
    let organization = state.store.organization(&producer_uscc).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::UnknownOrganization, format!("organization {producer} is not registered"))
    })?;
    let origin = if user.role == Role::Enterprise { Origin::EnterpriseReport } else { Origin::Regulator };
    if origin == Origin::Regulator {
        authorize_supervision(user, &organization.region_code)?;
    }
    let on = stage_date(body.on)?;
    let learned_on = match optional_text(body.learned_on) {
        Some(text) => input::date("learned_on", &text)?,
        None => on,
    };
    if learned_on > on {
        return Err(ApiError::invalid("learned_on is after the report"));
    }
    let mut gtins = Vec::with_capacity(body.gtins.len());
    for gtin in &body.gtins {
        gtins.push(input::gtin(Some(gtin))?.to_string());
    }
    let trace_start = optional_text(body.trace_start);
    if let Some(start) = &trace_start {
        crate::trace::check_identifier("trace_start", start)?;
    }
    let trace_start = trace_start.map(|s| epcis::canonical_id(&s));
    if origin == Origin::EnterpriseReport {
        check_own_products(state, &producer, &gtins, trace_start.as_deref()).await?;
    }
    let id = state.store.next_recall_id(on.year()).await?;
    let recall = NewRecall {
        id,
        regime: regime.as_str().to_owned(),
        origin: origin.as_str().to_owned(),
        producer_uscc: producer,
        region_code: organization.region_code.clone(),
        product_name: required("product_name", body.product_name)?,
        gtins,
        lots: body.lots.into_iter().filter_map(|l| optional_text(Some(l))).collect(),
        defect: required("defect", body.defect)?,
        severe: body.severe,
        learned_on: learned_on.to_string(),
        trace_start,
    };
    // A severe defect must be reported within the configured working days of learning of it.
    let report_due = match recalls::deadlines().rule(regime, Stage::Report) {
        Some(r) if !r.severe_only || recall.severe => due(&state.calendar(), regime, Stage::Report, learned_on),
        _ => None,
    };
    let opening = origin.opening();
    let event = stage_event(
        opening.stage,
        on,
        report_due.filter(|_| origin.report_deadline_binds()),
        optional_text(body.note),
        json!({"severe": recall.severe}),
    );
    let next_step = (Some(opening.next.as_str().to_owned()), None);
    state.store.create_recall(&recall, &event, opening.status.as_str(), next_step, Some(user.id)).await?;
    recall_or_404(state, &recall.id).await
}

/// An enterprise reports defects only of its own products: every GTIN named, and the GTIN of the lot or item the
/// trace starts from, is registered with the enterprise as its producer. Otherwise one company could open a recall
/// of another's lot and publish that producer's supply chain.
async fn check_own_products(
    state: &Services,
    producer: &str,
    gtins: &[String],
    trace_start: Option<&str>,
) -> Result<(), ApiError> {
    let traced = trace_start.map(|start| {
        epcis::gtin_of(start).ok_or_else(|| {
            ApiError::invalid(format!(
                "trace_start {start} names no GTIN: an enterprise traces from a lot or item of its own"
            ))
        })
    });
    for gtin in gtins.iter().cloned().map(Ok).chain(traced) {
        let gtin = gtin?;
        match state.store.product(&input::gtin(Some(&gtin))?).await? {
            Some(product) if product.uscc == producer => {}
            Some(_) => {
                return Err(ApiError::forbidden(format!(
                    "product {gtin} is another producer's: an enterprise reports defects of its own products"
                )))
            }
            None => {
                return Err(ApiError::new(
                    ErrorCode::UnknownProduct,
                    format!("product {gtin} is not registered; register it as yours first"),
                ))
            }
        }
    }
    Ok(())
}

/// Fields any stage may carry; each stage reads its own and ignores the rest.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[schema(as = RecallStageInput)]
pub struct StageBody {
    /// The day the stage counts for; today by default, never in the future.
    #[schema(format = Date)]
    pub on: Option<String>,
    /// Kept in the history; required for an objection (its reason) and for a plan returned in review.
    pub note: Option<String>,
    /// The decision (required there): `voluntary`, `ordered` or `no_recall`.
    pub decision: Option<String>,
    /// The plan (required there): how the defect is remedied.
    pub remedy: Option<String>,
    /// The plan: units produced, if not computed from the trace.
    pub units_produced: Option<f64>,
    /// Progress (required there): units recovered so far, cumulative; completion: the final count.
    pub units_recovered: Option<f64>,
    /// The plan: production dates of the products concerned.
    pub production_dates: Option<String>,
    /// The plan: how the products were sold.
    pub sales_channels: Option<String>,
    /// The plan: how the defect was determined.
    pub defect_determination: Option<String>,
    /// The plan: incidents and injuries the defect caused.
    pub incidents: Option<String>,
    /// The plan: suppliers of the defective parts.
    pub part_suppliers: Option<String>,
    /// The notice (required there): its title.
    pub title: Option<String>,
    /// The notice's text, or the summary report's (required in both).
    pub body: Option<String>,
    /// The evaluation (required there): whether the recall did its work.
    pub effective: Option<bool>,
    /// The scope: the lot or item to trace from, if not the recall's own.
    pub trace_start: Option<String>,
    /// The plan review (required there): true accepts the plan, false returns it to the producer.
    pub accepted: Option<bool>,
}

type StageResult = Result<RecallView, ApiError>;

async fn apply(
    state: &Services,
    user: &User,
    recall: &Recall,
    change: RecallChange,
    event: NewRecallEvent,
) -> StageResult {
    state.store.change_recall(&recall.id, &recall.status, &change, &event, Some(user.id)).await?;
    recall_view(state, recall_or_404(state, &recall.id).await?).await
}

async fn do_investigation(state: &Services, user: &User, id: &str, body: StageBody) -> StageResult {
    let recall = recall_or_404(state, id).await?;
    authorize_supervision(user, &recall.region_code)?;
    ready_for(&recall, Stage::Investigation)?;
    let on = stage_date(body.on)?;
    let change = RecallChange {
        status: status(RecallStatus::Investigating),
        next: next(Stage::Decision, None),
        ..RecallChange::default()
    };
    apply(
        state,
        user,
        &recall,
        change,
        stage_event(Stage::Investigation, on, None, optional_text(body.note), json!({})),
    )
    .await
}

/// The decision: a voluntary recall by the producer, a recall ordered by the regulator (责令召回), or no recall.
async fn do_decision(state: &Services, user: &User, id: &str, body: StageBody) -> StageResult {
    let recall = recall_or_404(state, id).await?;
    let decision = required("decision", body.decision)?;
    let decision: Decision = decision
        .parse()
        .map_err(|_| ApiError::invalid(format!("decision '{decision}' is not voluntary, ordered or no_recall")))?;
    match decision {
        Decision::Voluntary if is_producer(user, &recall) => {}
        _ => authorize_supervision(user, &recall.region_code)?,
    }
    let current = ready_for(&recall, Stage::Decision)?;
    let on = stage_date(body.on)?;
    let mut data = json!({"decision": decision});
    let change = if decision == Decision::NoRecall {
        RecallChange {
            status: status(RecallStatus::Closed),
            decision: Some(decision.as_str().to_owned()),
            next: Some((None, None)),
            ..RecallChange::default()
        }
    } else {
        if decision == Decision::Ordered && current.regime == Regime::Vehicle {
            data["objection_due_on"] =
                json!(due(&state.calendar(), current.regime, Stage::Objection, on).map(|d| d.to_string()));
        }
        RecallChange {
            status: status(RecallStatus::Decided),
            decision: Some(decision.as_str().to_owned()),
            next: next(Stage::Plan, due(&state.calendar(), current.regime, Stage::Plan, on)),
            ..RecallChange::default()
        }
    };
    apply(state, user, &recall, change, stage_event(Stage::Decision, on, None, optional_text(body.note), data)).await
}

/// A vehicle producer's objection to an ordered recall, within the configured working days.
async fn do_objection(state: &Services, user: &User, id: &str, body: StageBody) -> StageResult {
    let recall = recall_or_404(state, id).await?;
    if !is_producer(user, &recall) {
        return Err(ApiError::forbidden("only the producer may object to a recall order"));
    }
    let current = ready_for(&recall, Stage::Objection)?;
    let on = stage_date(body.on)?;
    let events = state.store.recall_events(&recall.id).await?;
    let ordered_on = events
        .iter()
        .rev()
        .find(|e| e.stage == Stage::Decision.as_str())
        .and_then(|e| NaiveDate::parse_from_str(&e.on_date, "%Y-%m-%d").ok());
    let window = match ordered_on {
        Some(date) => due(&state.calendar(), current.regime, Stage::Objection, date),
        None => None,
    };
    if window.is_some_and(|d| on > d) {
        return Err(ApiError::new(
            ErrorCode::ObjectionWindowClosed,
            format!("the objection window closed on {}", window.expect("checked")),
        ));
    }
    let reason = required("note", body.note)?;
    let change = RecallChange {
        status: status(RecallStatus::Objected),
        next: next(Stage::Decision, None),
        ..RecallChange::default()
    };
    apply(state, user, &recall, change, stage_event(Stage::Objection, on, window, Some(reason), json!({}))).await
}

/// Units made and sent on, in one unit of measure.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = RecallUnitCount)]
pub struct UnitCount {
    /// Units of the recalled product made.
    pub produced: f64,
    /// Units of it sent on to other parties.
    pub distributed: f64,
}

impl From<recalls::scope::Count> for UnitCount {
    fn from(count: recalls::scope::Count) -> Self {
        UnitCount { produced: count.produced, distributed: count.distributed }
    }
}

/// One organization the recalled products reached, with every location of it they reached.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = RecallReceiver)]
pub struct ScopeReceiver {
    /// The organization's USCC, or the party's identifier when it is not registered.
    pub key: String,
    /// The identifier of the first of its parties the products reached.
    pub id: String,
    /// The GLN of each of its parties reached (null for a party without one), first reached first.
    pub glns: Vec<Option<String>>,
    /// The registration of the first party reached; null when it is not registered.
    pub registration: Option<Registration>,
    /// When the products first reached it (RFC 3339).
    pub first_reached: String,
}

/// A recall's scope as computed from a forward trace; stored as the recall's `scope`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecallScope {
    /// The identifier the trace started from, canonical.
    pub start: String,
    /// When the scope was computed (RFC 3339).
    pub computed_at: String,
    /// The lots (classes) the trace reached.
    pub lots: Vec<String>,
    /// Pieces made: serialised items plus lot quantities stated without a unit or in pieces.
    pub units_produced: f64,
    /// Pieces of them sent on to other parties.
    pub units_distributed: f64,
    /// Units made and distributed per unit of measure.
    pub units: BTreeMap<String, UnitCount>,
    /// How many containers carried reached items.
    pub containers: usize,
    /// The organizations reached, one each.
    pub receivers: Vec<ScopeReceiver>,
    /// Regions (GB/T 2260) of registered parties and locations reached.
    pub regions: Vec<String>,
    /// Registered organizations reached (USCC).
    pub organizations: Vec<String>,
    /// True when the trace stopped at the configured number of identifiers: the scope may be larger.
    pub truncated: bool,
}

/// The stored form of a computed scope; a plain struct of strings and numbers always serializes.
fn stored_scope(scope: &RecallScope) -> Result<Value, ApiError> {
    serde_json::to_value(scope).map_err(|e| ApiError::internal(format!("scope: {e}")))
}

/// The scope from the trace: affected lots, units made and distributed, parties and regions reached.
pub async fn compute_scope(state: &Services, start: &str, recall: &Recall) -> Result<RecallScope, ApiError> {
    let (trace, answer) = crate::trace::trace_and_answer(state, start, Direction::Forward, None).await?;
    let owners =
        answer.parties.iter().filter_map(|p| Some((p.id.clone(), p.registration.as_ref()?.uscc.clone()?))).collect();
    let context = recalls::scope::Context { gtins: &recall.gtins, producer: &recall.producer_uscc, owners: &owners };
    let stated = state.store.stated_quantities(&recalls::scope::classes(&trace, &context)).await?;
    let units = recalls::scope::units(&trace, &context, &stated);
    let lots = answer.items.iter().filter(|i| i.kind == ItemKind::Class).map(|i| i.id.clone()).collect();
    let receivers = recalls::scope::receivers(&trace.parties, &context)
        .into_iter()
        .map(|receiver| {
            let first = &answer.parties[receiver.first];
            ScopeReceiver {
                id: first.id.clone(),
                glns: receiver.parties.iter().map(|&i| answer.parties[i].gln.clone()).collect(),
                registration: first.registration.clone(),
                first_reached: epcis::time::from_millis(receiver.first_reached),
                key: receiver.key,
            }
        })
        .collect();
    Ok(RecallScope {
        start: answer.start,
        computed_at: store::now(),
        lots,
        units_produced: units.pieces.produced,
        units_distributed: units.pieces.distributed,
        units: units.by_uom.into_iter().map(|(uom, count)| (uom, count.into())).collect(),
        containers: answer.containers.len(),
        receivers,
        regions: answer.regions,
        organizations: answer.organizations,
        truncated: answer.truncated,
    })
}

async fn do_scope(state: &Services, user: &User, id: &str, body: StageBody) -> StageResult {
    let recall = recall_or_404(state, id).await?;
    authorize_producer_or_supervisor(user, &recall)?;
    ready_for(&recall, Stage::Scope)?;
    let start = optional_text(body.trace_start)
        .or(recall.trace_start.clone())
        .ok_or_else(|| ApiError::invalid("trace_start is required: the lot or item the defect is traced from"))?;
    if is_producer(user, &recall) {
        crate::trace::check_identifier("trace_start", &start)?;
        check_own_products(state, &recall.producer_uscc, &[], Some(&epcis::canonical_id(&start))).await?;
    }
    let scope = compute_scope(state, &start, &recall).await?;
    let change = RecallChange {
        units_distributed: Some(scope.units_distributed),
        units_produced: Some(scope.units_produced).filter(|n| *n > 0.0),
        scope: Some(stored_scope(&scope)?),
        ..RecallChange::default()
    };
    let on = stage_date(body.on)?;
    let summary = json!({"units_distributed": scope.units_distributed, "regions": scope.regions});
    apply(state, user, &recall, change, stage_event(Stage::Scope, on, None, optional_text(body.note), summary)).await
}

/// The recall plan, with the fields DPAC asks for; the scope is computed from the trace when it can be.
async fn do_plan(state: &Services, user: &User, id: &str, body: StageBody) -> StageResult {
    let recall = recall_or_404(state, id).await?;
    if !is_producer(user, &recall) && authorize_supervision(user, &recall.region_code).is_err() {
        return Err(ApiError::forbidden("the producer files the recall plan"));
    }
    let current = ready_for(&recall, Stage::Plan)?;
    let on = stage_date(body.on)?;
    let remedy = required("remedy", body.remedy)?;
    let scope = match (&recall.scope, &recall.trace_start) {
        (Value::Null, Some(start)) => Some(stored_scope(&compute_scope(state, start, &recall).await?)?),
        _ => None,
    };
    let effective_scope = scope.as_ref().unwrap_or(&recall.scope);
    let units_distributed = effective_scope["units_distributed"].as_f64().or(recall.units_distributed);
    let units_produced = body.units_produced.or(effective_scope["units_produced"].as_f64()).or(recall.units_produced);
    let organization = state.store.organization(&input::stored_uscc(&recall.producer_uscc)?).await?;
    let plan = json!({
        "recall_number": recall.id,
        "producer": {"uscc": recall.producer_uscc, "name": organization.map(|o| o.name)},
        "products": {"name": recall.product_name, "gtins": recall.gtins},
        "lots": if recall.lots.is_empty() { effective_scope["lots"].clone() } else { json!(recall.lots) },
        "production_dates": optional_text(body.production_dates),
        "units_produced": units_produced,
        "units_distributed": units_distributed,
        "sales_channels": optional_text(body.sales_channels),
        "regions": effective_scope["regions"],
        "defect": recall.defect,
        "defect_determination": optional_text(body.defect_determination),
        "incidents": optional_text(body.incidents),
        "part_suppliers": optional_text(body.part_suppliers),
        "remedy": remedy,
    });
    let change = RecallChange {
        status: status(RecallStatus::PlanFiled),
        remedy: Some(remedy),
        units_produced,
        units_distributed,
        plan: Some(plan.clone()),
        scope,
        next: next(Stage::Notice, due(&state.calendar(), current.regime, Stage::Notice, on)),
        ..RecallChange::default()
    };
    apply(state, user, &recall, change, stage_event(Stage::Plan, on, due_of(&recall), optional_text(body.note), plan))
        .await
}

/// The regulator's review of a filed plan (召回计划审核): accepted, the notice may be published; returned, the
/// producer files a new plan. Only a regulator of the producer's region reviews, so no recall becomes public on
/// the producer's word alone.
async fn do_plan_review(state: &Services, user: &User, id: &str, body: StageBody) -> StageResult {
    let recall = recall_or_404(state, id).await?;
    authorize_supervision(user, &recall.region_code)?;
    let current = ready_for(&recall, Stage::PlanReview)?;
    let accepted = body.accepted.ok_or_else(|| ApiError::invalid("accepted (true or false) is required"))?;
    let on = stage_date(body.on)?;
    let note = optional_text(body.note);
    if !accepted && note.is_none() {
        return Err(ApiError::invalid("note is required: say why the plan is returned"));
    }
    let change = if accepted {
        // The notice keeps the deadline the plan's filing started.
        RecallChange { status: status(RecallStatus::PlanAccepted), ..RecallChange::default() }
    } else {
        RecallChange {
            status: status(RecallStatus::Decided),
            next: next(Stage::Plan, due(&state.calendar(), current.regime, Stage::Plan, on)),
            ..RecallChange::default()
        }
    };
    apply(state, user, &recall, change, stage_event(Stage::PlanReview, on, None, note, json!({"accepted": accepted})))
        .await
}

async fn do_notice(state: &Services, user: &User, id: &str, body: StageBody) -> StageResult {
    let recall = recall_or_404(state, id).await?;
    authorize_producer_or_supervisor(user, &recall)?;
    let current = ready_for(&recall, Stage::Notice)?;
    let on = stage_date(body.on)?;
    let title = required("title", body.title)?;
    let text = required("body", body.body)?;
    let change = RecallChange {
        status: status(RecallStatus::NoticePublished),
        notice_title: Some(title.clone()),
        notice_body: Some(text),
        notice_published_on: Some(on.to_string()),
        next: next(Stage::Progress, due(&state.calendar(), current.regime, Stage::Progress, on)),
        ..RecallChange::default()
    };
    apply(
        state,
        user,
        &recall,
        change,
        stage_event(Stage::Notice, on, due_of(&recall), optional_text(body.note), json!({"title": title})),
    )
    .await
}

/// A progress report: units recovered so far (cumulative).
async fn do_progress(state: &Services, user: &User, id: &str, body: StageBody) -> StageResult {
    let recall = recall_or_404(state, id).await?;
    authorize_producer_or_supervisor(user, &recall)?;
    let current = ready_for(&recall, Stage::Progress)?;
    let on = stage_date(body.on)?;
    let recovered = body.units_recovered.ok_or_else(|| ApiError::invalid("units_recovered is required"))?;
    if recovered < recall.units_recovered {
        return Err(ApiError::invalid(format!(
            "units_recovered is cumulative: {recovered} is less than the {} already reported",
            recall.units_recovered
        )));
    }
    if recovered < 0.0 || recall.units_distributed.is_some_and(|d| recovered > d) {
        return Err(ApiError::invalid("units_recovered cannot exceed the units distributed"));
    }
    let change = RecallChange {
        units_recovered: Some(recovered),
        next: next(Stage::Progress, due(&state.calendar(), current.regime, Stage::Progress, on)),
        ..RecallChange::default()
    };
    let rate = recall.units_distributed.filter(|d| *d > 0.0).map(|d| recovered / d);
    apply(
        state,
        user,
        &recall,
        change,
        stage_event(
            Stage::Progress,
            on,
            due_of(&recall),
            optional_text(body.note),
            json!({"units_recovered": recovered, "recovery_rate": rate}),
        ),
    )
    .await
}

async fn do_completion(state: &Services, user: &User, id: &str, body: StageBody) -> StageResult {
    let recall = recall_or_404(state, id).await?;
    authorize_producer_or_supervisor(user, &recall)?;
    let current = ready_for(&recall, Stage::Completion)?;
    let on = stage_date(body.on)?;
    let change = RecallChange {
        status: status(RecallStatus::Completed),
        units_recovered: body.units_recovered.filter(|r| *r >= recall.units_recovered),
        next: next(Stage::Summary, due(&state.calendar(), current.regime, Stage::Summary, on)),
        ..RecallChange::default()
    };
    apply(state, user, &recall, change, stage_event(Stage::Completion, on, None, optional_text(body.note), json!({})))
        .await
}

async fn do_summary(state: &Services, user: &User, id: &str, body: StageBody) -> StageResult {
    let recall = recall_or_404(state, id).await?;
    authorize_producer_or_supervisor(user, &recall)?;
    ready_for(&recall, Stage::Summary)?;
    let on = stage_date(body.on)?;
    let text = required("body", body.body)?;
    let change = RecallChange {
        status: status(RecallStatus::Summarized),
        next: next(Stage::Evaluation, None),
        ..RecallChange::default()
    };
    let data =
        json!({"summary": text, "units_recovered": recall.units_recovered, "recovery_rate": recovery_rate(&recall)});
    apply(
        state,
        user,
        &recall,
        change,
        stage_event(Stage::Summary, on, due_of(&recall), optional_text(body.note), data),
    )
    .await
}

/// The regulator's effectiveness evaluation: the recovery rate, and whether the recall did its work.
async fn do_evaluation(state: &Services, user: &User, id: &str, body: StageBody) -> StageResult {
    let recall = recall_or_404(state, id).await?;
    authorize_supervision(user, &recall.region_code)?;
    ready_for(&recall, Stage::Evaluation)?;
    let on = stage_date(body.on)?;
    let effective = body.effective.ok_or_else(|| ApiError::invalid("effective (true or false) is required"))?;
    let evaluation = json!({
        "effective": effective,
        "units_distributed": recall.units_distributed,
        "units_recovered": recall.units_recovered,
        "recovery_rate": recovery_rate(&recall),
        "note": optional_text(body.note.clone()),
        "evaluated_on": on.to_string(),
    });
    let change = RecallChange {
        status: status(RecallStatus::Evaluated),
        evaluation: Some(evaluation.clone()),
        next: Some((None, None)),
        ..RecallChange::default()
    };
    apply(state, user, &recall, change, stage_event(Stage::Evaluation, on, None, optional_text(body.note), evaluation))
        .await
}

/// Takes one stage of a recall: the one way the API, the pages and the CLI advance a recall. Returns the recall's
/// view after the stage. The report opens a recall ([`create_recall`]); the deadline moves are no steps.
pub async fn advance(state: &Services, user: &User, id: &str, stage: Stage, body: StageBody) -> StageResult {
    match stage {
        Stage::Investigation => do_investigation(state, user, id, body).await,
        Stage::Decision => do_decision(state, user, id, body).await,
        Stage::Objection => do_objection(state, user, id, body).await,
        Stage::Scope => do_scope(state, user, id, body).await,
        Stage::Plan => do_plan(state, user, id, body).await,
        Stage::PlanReview => do_plan_review(state, user, id, body).await,
        Stage::Notice => do_notice(state, user, id, body).await,
        Stage::Progress => do_progress(state, user, id, body).await,
        Stage::Completion => do_completion(state, user, id, body).await,
        Stage::Summary => do_summary(state, user, id, body).await,
        Stage::Evaluation => do_evaluation(state, user, id, body).await,
        Stage::Report | Stage::OwnersNotified | Stage::DeadlineMoved => {
            Err(ApiError::not_found(format!("{} is not a step of a recall", stage.as_str())))
        }
    }
}
