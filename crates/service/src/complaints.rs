//! Complaints, reports and enquiries (投诉举报咨询) on the 12315 / 12365 model: intake from the public, clerks and
//! files; routing to the regulator with jurisdiction; classification of the Chinese text; the handling steps of
//! 《市场监督管理投诉举报处理暂行办法》 with their working-day deadlines (the rules are the `complaints` room's); the
//! enterprise's answer (early settlement); tracking by number and secret; the work queue; and statistics. Personal
//! data are shown only to the handling regulator.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use store::complaints::{Complaint, ComplaintEvent, ComplaintGroup, ComplaintStep, QueueItem};
use store::{Organization, Role, Store, StoreError, User};

use crate::input::{self, optional_text, CheckedComplaint, ComplaintFields, FieldError};
use crate::{ApiError, ErrorCode, Services};
use complaints::classify::classify;
use complaints::mask;
use complaints::workflow::{self, SubmitterStep};
use complaints::{
    Action, Change, DueKind, Kind, Outcome, RewardStatus, Stage, Status, StepInput, SubmitterAction, SuspendReason,
};

use crate::schema::{optional_vocabulary, vocabulary};

/// The kinds of filing, for the document only: `kind` is read as text.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub(crate) enum FilingKind {
    Complaint,
    Report,
    Enquiry,
}

/// A filing ready to store, its secret and its first steps.
pub struct Prepared {
    pub complaint: Complaint,
    pub secret: String,
    pub steps: Vec<ComplaintStep>,
}

debug_without_secrets!(Prepared, "tracking_number" => complaint.tracking_number);

/// Finds the regulator with jurisdiction (Art 12, 25): the act's region for a report when given; the respondent's
/// registered region in master data; the region its USCC was issued in; the respondent's address (where it
/// operates); the registered region of the one organization of that exact name; a platform's domicile for its
/// merchants; the region the submitter chose; else the submitter's address for an enquiry.
async fn route(
    store: &Store,
    checked: &CheckedComplaint,
    named: Option<&Organization>,
) -> Result<Result<(String, Value), FieldError>, StoreError> {
    if let (Kind::Report, Some(region)) = (checked.kind, &checked.region_code) {
        return Ok(Ok((region.as_str().to_owned(), json!({"method": "where_the_act_occurred"}))));
    }
    if let Some(uscc) = &checked.respondent_uscc {
        if let Some(organization) = store.organization(uscc).await? {
            return Ok(Ok((organization.region_code, json!({"method": "master_data", "uscc": uscc.as_str()}))));
        }
        if let Some(region) = uscc.region().filter(|r| r.in_use) {
            return Ok(Ok((region.code.clone(), json!({"method": "uscc_issuing_region", "uscc": uscc.as_str()}))));
        }
    }
    if let Some(address) = &checked.respondent_address {
        if let Some(region) = codes::region::from_address(address) {
            return Ok(Ok((region.code.clone(), json!({"method": "respondent_address", "matched": region.name}))));
        }
    }
    if let Some(organization) = named {
        let routing = json!({"method": "master_data_by_name", "uscc": organization.uscc});
        return Ok(Ok((organization.region_code.clone(), routing)));
    }
    if let Some(platform) = &checked.platform_uscc {
        let region = match store.organization(platform).await? {
            Some(organization) => Some(organization.region_code),
            None => platform.region().filter(|r| r.in_use).map(|r| r.code.clone()),
        };
        if let Some(region) = region {
            return Ok(Ok((region, json!({"method": "platform_domicile", "uscc": platform.as_str()}))));
        }
    }
    if let Some(region) = &checked.region_code {
        return Ok(Ok((region.as_str().to_owned(), json!({"method": "chosen_by_submitter"}))));
    }
    let enquiry_address = checked.submitter_address.as_deref().filter(|_| checked.kind == Kind::Enquiry);
    if let Some(region) = enquiry_address.and_then(codes::region::from_address) {
        return Ok(Ok((region.code.clone(), json!({"method": "submitter_address", "matched": region.name}))));
    }
    Ok(Err(FieldError {
        field: "respondent_address",
        code: ErrorCode::Unroutable,
        message: "cannot tell which regulator has jurisdiction: give the respondent's USCC, a full address \
                  (province, city, county) or the region_code"
            .into(),
    }))
}

/// The secret a submitter follows a filing with: 128 random bits.
fn new_secret() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

fn random_digits(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..n).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
}

/// Checks, routes and classifies a filing; `Ok(Err(..))` names the field at fault.
pub async fn prepare(
    store: &Store,
    fields: ComplaintFields,
    channel: &str,
    today: NaiveDate,
    may_backdate: bool,
    calendar: &calendar::Calendar,
    catalogue: &product_catalogue::Catalogue,
) -> Result<Result<Prepared, FieldError>, StoreError> {
    let checked = match input::complaint(fields, today, may_backdate, catalogue) {
        Ok(checked) => checked,
        Err(error) => return Ok(Err(error)),
    };
    let named = match (&checked.respondent_uscc, checked.respondent_name.as_str()) {
        (None, name) if !name.is_empty() => {
            let found = store.search_organizations(name, None, None, 20).await?;
            let mut same_name = found.items.into_iter().filter(|o| o.name == name);
            match (same_name.next(), same_name.next()) {
                (Some(organization), None) => Some(organization),
                _ => None,
            }
        }
        _ => None,
    };
    let (handling_region, routing) = match route(store, &checked, named.as_ref()).await? {
        Ok(found) => found,
        Err(error) => return Ok(Err(error)),
    };
    let text = [
        checked.facts.as_str(),
        checked.request.as_deref().unwrap_or(""),
        checked.product_name.as_deref().unwrap_or(""),
    ]
    .join(" ");
    let (mut category, issue, mut evidence) = classify(&text);
    if let Some(gtin) = &checked.product_gtin {
        if let Some(product) = store.product(gtin).await? {
            if product.category_code.is_some() {
                evidence["category"]["from_registered_product"] = json!(gtin.as_str());
                category = product.category_code;
            }
        }
    }
    let matched_uscc = named.map(|organization| organization.uscc);
    if checked.category.is_some() || checked.issue.is_some() {
        evidence["set_by_submitter"] = json!({"category": checked.category, "issue": checked.issue});
    }
    let prefix = match checked.kind {
        Kind::Report => "JB",
        Kind::Enquiry => "ZX",
        Kind::Complaint => "TS",
    };
    let received = checked.received_on.to_string();
    let mut complaint = Complaint {
        id: 0,
        tracking_number: format!("{prefix}{}{}", checked.received_on.format("%Y%m%d"), random_digits(8)),
        kind: checked.kind.as_str().to_owned(),
        channel: channel.to_owned(),
        parent_id: None,
        received_on: received.clone(),
        anonymous: checked.anonymous,
        submitter_name: checked.submitter_name,
        submitter_phone: checked.submitter_phone,
        submitter_id_number: checked.submitter_id_number,
        submitter_address: checked.submitter_address,
        respondent_name: checked.respondent_name,
        respondent_uscc: checked.respondent_uscc.map(|u| u.as_str().to_owned()).or(matched_uscc),
        respondent_address: checked.respondent_address,
        region_code: handling_region.clone(),
        routing: routing.to_string(),
        product_gtin: checked.product_gtin.map(|g| g.as_str().to_owned()),
        product_lot: checked.product_lot,
        product_name: checked.product_name,
        category: checked.category.or(category),
        issue: checked.issue.or(issue),
        classification: evidence.to_string(),
        facts: checked.facts,
        request: checked.request,
        harm_known_on: checked.harm_known_on.map(|d| d.to_string()),
        handling_region: handling_region.clone(),
        status: Status::Pending.as_str().to_owned(),
        accept_base_on: received,
        accepted_on: None,
        decided_on: None,
        closed_on: None,
        suspended_since: None,
        suspended_days: 0,
        extended: false,
        due_kind: None,
        due_on: None,
        outcome: None,
        ground: None,
        enterprise_response: None,
        rating: None,
        created_at: String::new(),
        updated_at: String::new(),
    };
    let case = complaint.case()?;
    complaint.apply(&case, calendar);
    let steps = vec![
        ComplaintStep { stage: Stage::Registered.as_str().into(), note: None, data: Some(json!({"channel": channel})) },
        ComplaintStep {
            stage: Stage::Routed.as_str().into(),
            note: None,
            data: Some(json!({"region": handling_region, "routing": routing})),
        },
    ];
    let secret = new_secret();
    Ok(Ok(Prepared { complaint, secret, steps }))
}

/// Stores a prepared filing, drawing a new tracking number if the first is taken; returns its id.
pub async fn file(store: &Store, prepared: &mut Prepared, user_id: Option<i64>) -> Result<i64, StoreError> {
    for _ in 0..5 {
        match store.file_complaint(&prepared.complaint, &prepared.secret, &prepared.steps, user_id).await {
            Err(StoreError::Conflict(_)) => {
                let stem = prepared.complaint.tracking_number[..10].to_owned();
                prepared.complaint.tracking_number = format!("{stem}{}", random_digits(8));
            }
            other => return other,
        }
    }
    Err(StoreError::Conflict("could not draw a free tracking number".into()))
}

/// May `user` handle filings of `region`: an admin anywhere, a regulator within its jurisdiction.
fn handles(user: &User, region: &str) -> bool {
    match user.role {
        Role::Admin => true,
        Role::Regulator => user
            .region_code
            .as_deref()
            .and_then(|code| codes::RegionCode::parse(code).ok())
            .is_some_and(|scope| scope.contains(region)),
        _ => false,
    }
}

fn field_error(error: FieldError) -> ApiError {
    ApiError::new(error.code, format!("{}: {}", error.field, error.message))
}

/// Who sees a filing, and how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The handling regulator or an admin: everything.
    Handler,
    /// The respondent enterprise or the submitter with the secret: personal data masked, notes withheld.
    Party,
}

/// A filing as an audience sees it: everything for the handling regulator; for the parties, personal data
/// masked and the address, classification, routing, notes and payee withheld.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = Filing)]
pub struct FilingView {
    pub id: i64,
    pub tracking_number: String,
    #[schema(schema_with = vocabulary::<Kind>)]
    pub kind: Kind,
    /// web | api | import
    pub channel: String,
    /// The complaint a report was split from.
    pub parent_id: Option<i64>,
    pub received_on: NaiveDate,
    pub anonymous: bool,
    pub submitter: Submitter,
    pub respondent: Respondent,
    pub product: ProductReference,
    /// The product category code, as classified or corrected.
    pub category: Option<String>,
    pub issue: Option<String>,
    /// The classifier's evidence and any correction; for the handler only.
    #[schema(value_type = Option<Object>)]
    pub classification: Option<Value>,
    /// How the region with jurisdiction was found; for the handler only.
    #[schema(value_type = Option<Object>)]
    pub routing: Option<Value>,
    pub facts: String,
    pub request: Option<String>,
    pub harm_known_on: Option<NaiveDate>,
    /// The regulator with jurisdiction now (GB/T 2260).
    pub handling_region: String,
    #[schema(schema_with = vocabulary::<Status>)]
    pub status: Status,
    pub accepted_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub suspended_since: Option<NaiveDate>,
    /// Working days of finished suspensions, which the mediation limit does not count.
    pub suspended_working_days: i64,
    pub extended: bool,
    #[schema(schema_with = optional_vocabulary::<Outcome>)]
    pub outcome: Option<Outcome>,
    /// The legal ground of a refusal (Art 15) or termination (Art 21), as its code.
    pub ground: Option<String>,
    pub enterprise_response: Option<String>,
    pub rating: Option<i64>,
    pub deadlines: Deadlines,
    pub due: Due,
    pub history: Vec<HistoryEntry>,
    /// The reporter's reward claim, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reward: Option<RewardView>,
    /// The report split off by this step, when the step was `split`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_id: Option<i64>,
}

/// Who filed: masked for the parties, the address for the handler only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = FilingSubmitter)]
pub struct Submitter {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub id_number: Option<String>,
    pub address: Option<String>,
}

/// Whom the filing is about.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = FilingRespondent)]
pub struct Respondent {
    pub name: String,
    pub uscc: Option<String>,
    pub address: Option<String>,
}

/// The product the filing names.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = FilingProduct)]
pub struct ProductReference {
    pub gtin: Option<String>,
    pub lot: Option<String>,
    pub name: Option<String>,
}

/// A filing's working-day deadlines as they stand, by name, with those counted past the loaded holiday
/// notices under `provisional`.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
#[schema(as = FilingDeadlines)]
pub struct Deadlines {
    #[serde(flatten)]
    #[schema(value_type = std::collections::BTreeMap<String, NaiveDate>)]
    pub days: std::collections::BTreeMap<DueKind, NaiveDate>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<String>)]
    pub provisional: Vec<DueKind>,
}

/// The deadline now running.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = FilingDue)]
pub struct Due {
    #[schema(schema_with = optional_vocabulary::<DueKind>)]
    pub kind: Option<DueKind>,
    pub on: Option<NaiveDate>,
    pub overdue: bool,
}

/// One step of a filing's history; who, the note and the step's data for the handler only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = FilingStep)]
pub struct HistoryEntry {
    #[schema(schema_with = vocabulary::<Stage>)]
    pub stage: Stage,
    /// RFC 3339, UTC.
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub data: Option<Value>,
}

/// A reporter's reward as an audience sees it: the payee and the deciding clerk for the handler only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = FilingReward)]
pub struct RewardView {
    #[schema(schema_with = vocabulary::<RewardStatus>)]
    pub status: RewardStatus,
    pub grade: Option<i64>,
    pub amount: Option<f64>,
    pub payee: Option<String>,
    pub claimed_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<i64>,
}

/// A filing for an audience, with its history and the reporter's reward.
pub async fn load_view(state: &Services, complaint: &Complaint, audience: Audience) -> Result<FilingView, ApiError> {
    let events = state.store.complaint_events(complaint.id).await?;
    let mut answer = view(complaint, &events, audience, &state.calendar())?;
    if let Some(reward) = state.store.reward(complaint.id).await? {
        let handler = audience == Audience::Handler;
        answer.reward = Some(RewardView {
            status: reward.status,
            grade: reward.grade,
            amount: reward.amount,
            payee: reward.payee.filter(|_| handler),
            claimed_at: reward.claimed_at,
            decided_at: reward.decided_at,
            decided_by: reward.decided_by.filter(|_| handler),
        });
    }
    Ok(answer)
}

fn view(
    complaint: &Complaint,
    events: &[ComplaintEvent],
    audience: Audience,
    calendar: &calendar::Calendar,
) -> Result<FilingView, StoreError> {
    let full = audience == Audience::Handler;
    let personal = |value: &Option<String>, mask: fn(&str) -> String| -> Option<String> {
        value.as_deref().map(|v| if full { v.to_owned() } else { mask(v) })
    };
    // Stored JSON the platform wrote; a column that does not parse is shown as absent, not as an error.
    let stored_json = |text: &str| if full { serde_json::from_str(text).ok() } else { None };
    let history = events
        .iter()
        .map(|e| {
            Ok(HistoryEntry {
                stage: store::stored(&e.stage)?,
                at: e.at.clone(),
                user_id: e.user_id.filter(|_| full),
                note: e.note.clone().filter(|_| full),
                data: e.data.as_deref().filter(|_| full).and_then(|d| serde_json::from_str(d).ok()),
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let case = complaint.case()?;
    let due_on = store::stored_optional_day("complaint due_on", &complaint.due_on)?;
    Ok(FilingView {
        id: complaint.id,
        tracking_number: complaint.tracking_number.clone(),
        kind: case.kind,
        channel: complaint.channel.clone(),
        parent_id: complaint.parent_id,
        received_on: case.received_on,
        anonymous: complaint.anonymous,
        submitter: Submitter {
            name: personal(&complaint.submitter_name, mask::mask_name),
            phone: personal(&complaint.submitter_phone, mask::mask_phone),
            id_number: personal(&complaint.submitter_id_number, mask::mask_id),
            address: complaint.submitter_address.clone().filter(|_| full),
        },
        respondent: Respondent {
            name: complaint.respondent_name.clone(),
            uscc: complaint.respondent_uscc.clone(),
            address: complaint.respondent_address.clone(),
        },
        product: ProductReference {
            gtin: complaint.product_gtin.clone(),
            lot: complaint.product_lot.clone(),
            name: complaint.product_name.clone(),
        },
        category: complaint.category.clone(),
        issue: complaint.issue.clone(),
        classification: stored_json(&complaint.classification),
        routing: stored_json(&complaint.routing),
        facts: complaint.facts.clone(),
        request: complaint.request.clone(),
        harm_known_on: case.harm_known_on,
        handling_region: complaint.handling_region.clone(),
        status: case.status,
        accepted_on: case.accepted_on,
        decided_on: case.decided_on,
        closed_on: case.closed_on,
        suspended_since: case.suspended_since,
        suspended_working_days: complaint.suspended_days,
        extended: complaint.extended,
        outcome: case.outcome,
        ground: complaint.ground.clone(),
        enterprise_response: complaint.enterprise_response.clone(),
        rating: complaint.rating,
        deadlines: deadlines(&case, calendar),
        due: Due {
            kind: complaint.due_kind.as_deref().map(store::stored).transpose()?,
            on: due_on,
            overdue: due_on.is_some_and(|d| d < crate::today()),
        },
        history,
        reward: None,
        report_id: None,
    })
}

/// A filing's deadlines as they stand on `calendar`.
fn deadlines(case: &complaints::Case, calendar: &calendar::Calendar) -> Deadlines {
    let mut out = Deadlines::default();
    for (kind, due) in complaints::deadlines(case, calendar) {
        out.days.insert(kind, due.date);
        if due.provisional {
            out.provisional.push(kind);
        }
    }
    out
}

/// The complaint a path names: its number, or its tracking number (`TS…`, what the public and clerks quote).
pub async fn resolve(state: &Services, reference: &str) -> Result<i64, ApiError> {
    let reference = reference.trim();
    if let Ok(id) = reference.parse::<i64>() {
        return Ok(id);
    }
    state
        .store
        .complaint_id_by_tracking_number(reference)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no complaint {reference}")))
}

pub async fn load(state: &Services, id: i64) -> Result<Complaint, ApiError> {
    state.store.complaint(id).await?.ok_or_else(|| ApiError::not_found(format!("no complaint {id}")))
}

/// The audience `user` is for a filing, if any: reports never reach the respondent (the reporter is protected).
pub fn audience(user: &User, complaint: &Complaint) -> Option<Audience> {
    if handles(user, &complaint.handling_region) {
        return Some(Audience::Handler);
    }
    let respondent = user.role == Role::Enterprise
        && complaint.kind == Kind::Complaint.as_str()
        && user.uscc.is_some()
        && user.uscc == complaint.respondent_uscc;
    respondent.then_some(Audience::Party)
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// Days ahead to include (default 3, clamped to 0–3650); overdue work is always included.
    pub within_days: Option<i64>,
    /// A region under the regulator's jurisdiction to narrow to (GB/T 2260 code or prefix).
    pub region: Option<String>,
    /// At most this many lines (default 100, clamped to 1–1000).
    pub limit: Option<i64>,
}

/// The work queue: a regulator's open work with its counts, or for an enterprise only the complaints against it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintQueue {
    /// The day the queue was read (regulators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub today: Option<String>,
    /// The last due day included (regulators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = Date)]
    pub due_by: Option<String>,
    /// Open filings past their deadline (regulators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overdue: Option<i64>,
    /// Open filings due by `due_by`, the overdue included (regulators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due: Option<i64>,
    /// Earliest deadline first; for an enterprise, newest first.
    pub items: Vec<QueueItem>,
}

/// The work queue of a regulator, or the complaints against an enterprise.
pub async fn work_queue(state: &Services, user: &User, params: QueueParams) -> Result<ComplaintQueue, ApiError> {
    let limit = params.limit.unwrap_or(100).clamp(1, 1_000);
    if user.role == Role::Enterprise {
        let uscc = user.uscc.clone().ok_or_else(|| ApiError::forbidden("this enterprise account has no USCC"))?;
        let items = state.store.complaints_against(&uscc, limit).await?;
        return Ok(ComplaintQueue { today: None, due_by: None, overdue: None, due: None, items });
    }
    let own = match user.role {
        Role::Admin => "".to_owned(),
        Role::Regulator => {
            let code = user.region_code.clone().ok_or_else(|| ApiError::forbidden("this regulator has no region"))?;
            codes::RegionCode::parse(&code).map(|r| r.prefix().to_owned()).map_err(ApiError::invalid)?
        }
        other => return Err(ApiError::forbidden(format!("role {} has no complaint queue", other.as_str()))),
    };
    let prefix = match optional_text(params.region) {
        Some(region) => {
            let code = input::region("region", &region)?;
            if !code.prefix().starts_with(&own) {
                return Err(ApiError::forbidden(format!("region {region} is outside this regulator's jurisdiction")));
            }
            code.prefix().to_owned()
        }
        None => own,
    };
    let today = crate::today();
    let soon = today + Duration::days(params.within_days.unwrap_or(3).clamp(0, 3_650));
    let items = state.store.complaint_queue(&prefix, &soon.to_string(), limit).await?;
    let (overdue, due) = state.store.complaint_queue_counts(&prefix, &today.to_string(), &soon.to_string()).await?;
    Ok(ComplaintQueue {
        today: Some(today.to_string()),
        due_by: Some(soon.to_string()),
        overdue: Some(overdue),
        due: Some(due),
        items,
    })
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// kind, category (default), issue, province, month, status, outcome, or respondent (regulators only).
    pub group_by: Option<String>,
    /// First day of receipt counted (default 364 days before `to`).
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day of receipt counted (default today).
    #[param(format = Date)]
    pub to: Option<String>,
    /// GB/T 2260 code or prefix of the respondent's region (for a report, where the act occurred).
    pub region: Option<String>,
}

/// Counts of filings received in a period, by one grouping.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintCounts {
    /// The grouping counted by.
    pub group_by: &'static str,
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub to: String,
    /// The region prefix counted (empty for the whole country).
    pub region: String,
    /// Filings received in the period.
    pub total: i64,
    /// Largest first, at most 1000.
    pub groups: Vec<ComplaintCountGroup>,
}

/// One group's count.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintCountGroup {
    /// The group's value (a category code, a province's code, a month `YYYY-MM`…; empty when unset).
    pub key: String,
    pub count: i64,
    /// The group's share of the total, 0 to 1.
    pub share: f64,
    /// Filings per 30 days of the period.
    pub per_30_days: f64,
}

/// Counts of filings received in a period, by one grouping. Public, except by respondent (regulators only).
pub async fn counts(state: &Services, user: Option<&User>, params: StatsParams) -> Result<ComplaintCounts, ApiError> {
    let name = optional_text(params.group_by).unwrap_or_else(|| "category".into());
    let group = ComplaintGroup::ALL.into_iter().find(|g| g.name() == name).ok_or_else(|| {
        let names: Vec<&str> = ComplaintGroup::ALL.iter().map(|g| g.name()).collect();
        ApiError::invalid(format!("group_by '{name}' is not one of {}", names.join(", ")))
    })?;
    if group == ComplaintGroup::Respondent && !user.is_some_and(|u| matches!(u.role, Role::Admin | Role::Regulator)) {
        return Err(ApiError::forbidden("counts per enterprise are for regulators"));
    }
    let to = match optional_text(params.to) {
        Some(text) => input::date("to", &text)?,
        None => crate::today(),
    };
    let from = match optional_text(params.from) {
        Some(text) => input::date("from", &text)?,
        None => to - Duration::days(364),
    };
    if from > to {
        return Err(ApiError::invalid("from is after to"));
    }
    let prefix = match optional_text(params.region) {
        Some(region) => input::region("region", &region)?.prefix().to_owned(),
        None => String::new(),
    };
    let rows = state.store.complaint_counts(group, &from.to_string(), &to.to_string(), &prefix).await?;
    let days = (to - from).num_days() + 1;
    let total: i64 = rows.iter().map(|r| r.1).sum();
    let groups = rows
        .iter()
        .map(|(key, n)| ComplaintCountGroup {
            key: key.clone(),
            count: *n,
            share: *n as f64 / total.max(1) as f64,
            per_30_days: *n as f64 * 30.0 / days as f64,
        })
        .collect();
    Ok(ComplaintCounts {
        group_by: group.name(),
        from: from.to_string(),
        to: to.to_string(),
        region: prefix,
        total,
        groups,
    })
}

/// What the submitter follows a filing with, and the fields of the submitter's steps.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ComplaintTracking)]
pub struct TrackBody {
    /// Required: the number the filing was answered with.
    pub tracking_number: Option<String>,
    /// Required: the secret the filing was answered with, once.
    pub secret: Option<String>,
    /// Evaluation: 1 (poor) to 5 (good).
    #[schema(minimum = 1, maximum = 5)]
    pub rating: Option<i64>,
    /// Reward claim: how the reporter is to be paid.
    pub payee: Option<String>,
    pub note: Option<String>,
}

/// The filing a tracking number and secret open; a wrong pair gives the same answer as an unknown number.
pub async fn tracked(state: &Services, body: &TrackBody) -> Result<Complaint, ApiError> {
    let number =
        optional_text(body.tracking_number.clone()).ok_or_else(|| ApiError::invalid("tracking_number is required"))?;
    let secret = optional_text(body.secret.clone()).ok_or_else(|| ApiError::invalid("secret is required"))?;
    state
        .store
        .complaint_by_secret(&number, &secret)
        .await?
        .ok_or_else(|| ApiError::not_found("no filing with this tracking number and secret"))
}

/// Saves what a step changed with its history entry, setting the deadline now running.
async fn save(
    state: &Services,
    previous: &Complaint,
    mut changed: Complaint,
    change: &Change,
    note: Option<String>,
    user_id: Option<i64>,
) -> Result<Complaint, ApiError> {
    changed.apply(&change.after, &state.calendar());
    let data = (!change.data.is_empty()).then(|| Value::Object(change.data.clone()));
    let step = ComplaintStep { stage: change.stage.as_str().into(), note, data };
    state.store.save_complaint(previous, &changed, &step, user_id).await?;
    load(state, previous.id).await
}

/// The submitter's own steps: `settlement` (accept the enterprise's answer, 企业和解), `withdraw`, `evaluation`, and
/// for a report on which a case was opened, `reward` (有奖举报; an anonymous reporter claims with the secret).
pub async fn submitter_action(state: &Services, action: &str, body: TrackBody) -> Result<Complaint, ApiError> {
    let complaint = tracked(state, &body).await?;
    let action: SubmitterAction =
        action.parse().map_err(|_| ApiError::not_found(format!("no submitter step {action}")))?;
    let input = StepInput { rating: body.rating, ..StepInput::default() };
    match workflow::submitter_transition(&complaint.case()?, action, &input, crate::today())? {
        SubmitterStep::ClaimReward => {
            let payee = optional_text(body.payee)
                .ok_or_else(|| ApiError::invalid("payee (how the reward is paid) is required"))?;
            state.store.claim_reward(complaint.id, &payee).await?;
            load(state, complaint.id).await
        }
        SubmitterStep::Change(change) => {
            save(state, &complaint, complaint.clone(), &change, optional_text(body.note), None).await
        }
    }
}

/// A handling step's fields; each step reads the ones it needs.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ComplaintStepInput)]
pub struct StepBody {
    /// The day the step was taken (default today); not before the last step, not in the future.
    #[schema(format = Date)]
    pub on: Option<String>,
    pub note: Option<String>,
    /// Refusal (1–6, Art 15) or termination ground (Art 21), as listed by `/api/v1/complaints/classifier`.
    pub ground: Option<String>,
    /// Referral: the regulator's region.
    #[schema(max_length = 6)]
    pub region_code: Option<String>,
    /// Mediation: both parties consent.
    pub consent: Option<bool>,
    /// Suspension: `testing` (仲裁检验, with the lab; the default) or `other`.
    pub reason: Option<String>,
    /// Suspension for testing: the laboratory's USCC.
    #[schema(max_length = 18)]
    pub lab_uscc: Option<String>,
    /// Resumption after testing: the result.
    pub result: Option<String>,
    /// Reply to an enquiry, or an enterprise's answer.
    pub answer: Option<String>,
    /// Classification corrections.
    pub category: Option<String>,
    pub issue: Option<String>,
    /// A reward's grade (1–3) and amount in yuan.
    #[schema(minimum = 1, maximum = 3)]
    pub grade: Option<i64>,
    pub amount: Option<f64>,
}

/// Runs a handling step for `user`, returning the filing as it now stands and, for a split, the new report's id.
/// Who may act is checked here; what the filing's state allows is `complaints::workflow`'s.
pub async fn handle(
    state: &Services,
    user: &User,
    id: i64,
    action: &str,
    body: StepBody,
) -> Result<(Complaint, Option<i64>), ApiError> {
    let complaint = load(state, id).await?;
    let action: Action = action.parse().map_err(|_| ApiError::not_found(format!("no complaint step {action}")))?;
    let case = complaint.case()?;
    match action {
        Action::EnterpriseResponse if audience(user, &complaint) != Some(Audience::Party) => {
            return Err(ApiError::forbidden("only the respondent enterprise answers a complaint"));
        }
        Action::Reward | Action::RewardRefuse if !handles(user, &complaint.handling_region) => {
            return Err(ApiError::forbidden("the reward is decided by the handling regulator"));
        }
        Action::Reward | Action::RewardRefuse => {
            let grant = workflow::reward(action, body.grade, body.amount)?;
            state.store.decide_reward(complaint.id, grant, body.note.as_deref(), user.id).await?;
            return Ok((load(state, id).await?, None));
        }
        Action::EnterpriseResponse => {}
        _ if !handles(user, &complaint.handling_region) => {
            return Err(ApiError::forbidden(format!(
                "complaint {} is handled by region {}, outside this account's jurisdiction",
                complaint.tracking_number, complaint.handling_region
            )));
        }
        _ => {}
    }
    let today = crate::today();
    // The enterprise's answer is dated when it arrives.
    let on = if action == Action::EnterpriseResponse {
        today
    } else {
        let given = optional_text(body.on.clone()).map(|text| input::date("on", &text)).transpose()?;
        workflow::step_day(&case, given, today)?
    };
    // Identifiers are checked at the edge, only for the steps that read them and only when the state allows the
    // step, so that a step out of turn is refused as such.
    let permitted = workflow::allowed(&case, action);
    let region_code = match (action, optional_text(body.region_code.clone())) {
        (Action::Refer, Some(region)) if permitted => Some(input::region("region_code", &region)?.as_str().to_owned()),
        (_, region) => region,
    };
    let testing = optional_text(body.reason.clone()).is_none_or(|r| r == SuspendReason::Testing.as_str());
    let lab_uscc = if action == Action::Suspend && testing && permitted {
        Some(input::uscc("lab_uscc", body.lab_uscc.as_deref())?.as_str().to_owned())
    } else {
        None
    };
    if let Some(code) = optional_text(body.category.clone()).filter(|_| action == Action::Classify) {
        input::product_category(&*state.catalogue().await?, "category", Some(code))?;
    }
    let input = StepInput {
        ground: body.ground.clone(),
        region_code,
        consent: body.consent,
        reason: body.reason.clone(),
        lab_uscc,
        result: body.result.clone(),
        answer: body.answer.clone(),
        category: body.category.clone(),
        issue: body.issue.clone(),
        rating: None,
    };
    let mut change = workflow::transition(&case, action, &input, on, &state.calendar())?;
    let mut note = optional_text(body.note);
    match action {
        Action::Suspend => {
            if let Some(lab) = change.data.get("lab_uscc").and_then(Value::as_str).map(str::to_owned) {
                let name = state.store.organization(&input::stored_uscc(&lab)?).await?.map(|o| o.name);
                change.data.insert("lab".into(), json!(name));
            }
        }
        Action::EnterpriseResponse => note = change.after.enterprise_response.clone(),
        Action::Classify => {
            // The evidence keeps who corrected the classifier, and from what.
            let mut evidence: Value = serde_json::from_str(&complaint.classification).unwrap_or(json!({}));
            evidence["corrected"] = json!({"by": user.id, "on": on.to_string(), "from": change.data["from"]});
            let mut classified = complaint.clone();
            classified.classification = evidence.to_string();
            return Ok((save(state, &complaint, classified, &change, note, Some(user.id)).await?, None));
        }
        _ => {}
    }
    let Some(report) = change.split.clone() else {
        return Ok((save(state, &complaint, complaint.clone(), &change, note, Some(user.id)).await?, None));
    };
    let mut filed = complaint.clone();
    filed.parent_id = Some(complaint.id);
    if let Some(facts) = note.clone() {
        filed.facts = facts;
    }
    filed.tracking_number = format!("JB{}{}", on.format("%Y%m%d"), random_digits(8));
    filed.apply(&report, &state.calendar());
    let mut prepared = Prepared {
        complaint: filed,
        secret: new_secret(),
        steps: vec![ComplaintStep {
            stage: Stage::SplitFrom.as_str().into(),
            note: None,
            data: Some(json!({"complaint": complaint.tracking_number})),
        }],
    };
    let new_id = file(&state.store, &mut prepared, Some(user.id)).await?;
    change.data.insert("report".into(), json!(prepared.complaint.tracking_number));
    change.data.insert("report_id".into(), json!(new_id));
    Ok((save(state, &complaint, complaint.clone(), &change, note, Some(user.id)).await?, Some(new_id)))
}

/// The answer to a filing, which the submitter keeps: the secret is shown only here.
#[derive(Clone, Serialize, utoipa::ToSchema)]
pub struct ComplaintReceipt {
    pub id: i64,
    /// `TS…` (complaint), `JB…` (report) or `ZX…` (enquiry), with the day of receipt.
    pub tracking_number: String,
    /// With the tracking number, follows the filing; the platform keeps only its hash.
    pub secret: String,
    #[schema(schema_with = vocabulary::<Kind>)]
    pub kind: Kind,
    #[schema(schema_with = vocabulary::<Status>)]
    pub status: Status,
    /// The regulator with jurisdiction (GB/T 2260).
    pub handling_region: String,
    pub category: Option<String>,
    pub issue: Option<String>,
    pub deadlines: Deadlines,
}

debug_without_secrets!(ComplaintReceipt, "tracking_number" => tracking_number);

/// Files a complaint, report or enquiry (the public through `channel` `web`, an account through `api`, a clerk
/// who may back-date `received_on`): checked, routed, classified and stored with its first steps. Returns the
/// answer the submitter keeps: the tracking number, the secret, the deadlines.
pub async fn submit_filing(
    state: &Services,
    fields: ComplaintFields,
    user: Option<&User>,
) -> Result<ComplaintReceipt, ApiError> {
    let clerk = user.filter(|u| matches!(u.role, Role::Admin | Role::Regulator));
    let channel = if user.is_some() { "api" } else { "web" };
    let catalogue = state.catalogue().await?;
    let mut prepared =
        prepare(&state.store, fields, channel, crate::today(), clerk.is_some(), &state.calendar(), &catalogue)
            .await?
            .map_err(field_error)?;
    let id = file(&state.store, &mut prepared, user.map(|u| u.id)).await?;
    let c = &prepared.complaint;
    let case = c.case()?;
    Ok(ComplaintReceipt {
        id,
        tracking_number: c.tracking_number.clone(),
        secret: prepared.secret.clone(),
        kind: case.kind,
        status: case.status,
        handling_region: c.handling_region.clone(),
        category: c.category.clone(),
        issue: c.issue.clone(),
        deadlines: deadlines(&case, &state.calendar()),
    })
}

/// Takes a handling step on the filing `reference` (its id or tracking number) and returns the filing as the
/// user may see it now, with the new report's id after a split: the one way the API and the pages step.
pub async fn step(
    state: &Services,
    user: &User,
    reference: &str,
    action: &str,
    body: StepBody,
) -> Result<FilingView, ApiError> {
    let id = resolve(state, reference).await?;
    let (complaint, split) = handle(state, user, id, action, body).await?;
    let audience = audience(user, &complaint).unwrap_or(Audience::Party);
    let mut answer = load_view(state, &complaint, audience).await?;
    answer.report_id = split;
    Ok(answer)
}
