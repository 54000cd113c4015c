//! The working-day calendar as data: loading a year's holiday notice (放假安排), and moving the running deadlines
//! that were counted provisionally before it. Each moved deadline gets a step in its case's history and a row in
//! `deadline_changes`, which the handling regulators see in their queue. The API and `zhiliang calendar import`
//! both load through [`load_year`].

use calendar::{shipped_schedules, Calendar, YearSchedule};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store::calendar::{NewDeadlineChange, Subject};
use store::complaints::{Complaint, ComplaintStep};
use store::credit::ListingStep;
use store::recalls::{NewRecallEvent, Recall, RecallChange};
use store::{Store, StoreError};

use crate::error::ApiError;

/// The history stage a moved deadline is recorded under, in every case kind.
pub const DEADLINE_MOVED: &str = "deadline_moved";

/// What loading a year changed.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct LoadReport {
    pub year: i32,
    /// Whether the year replaced a notice loaded before (a correction) rather than a provisional count.
    pub replaced: bool,
    pub moved: Vec<MovedDeadline>,
    /// Cases changed by someone else while the load ran: their deadline is counted anew at their next step.
    pub skipped: Vec<String>,
}

/// One deadline that moved.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MovedDeadline {
    /// complaint, recall or credit_listing.
    #[schema(value_type = String)]
    pub subject_kind: Subject,
    /// The complaint's tracking number, the recall's or the listing's id.
    pub subject_id: String,
    /// Which deadline (e.g. `mediation_by`, `plan`, `statement_by`).
    pub deadline: String,
    /// The due day before (empty when none was set).
    pub from: String,
    /// The due day on the loaded calendar.
    pub to: String,
}

/// A year's holiday notice (放假安排) in the holiday-cn JSON form (NateScarlet/holiday-cn), as an administrator
/// loads it. The server reads the text with `calendar::YearSchedule::parse_json`; this type only documents it.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = CalendarNotice)]
pub struct NoticeBody {
    /// 2000 to 2199; the year of the path.
    pub year: i32,
    /// The addresses of the notices it transcribes.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub papers: Vec<String>,
    /// The dates that differ from the plain Monday–Friday week: of the year or its eve's December, each once.
    #[schema(max_items = 120)]
    pub days: Vec<NoticeDay>,
}

/// A date a notice lists: a day off (even on a weekday) or a weekend day that is worked.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
#[schema(as = CalendarNoticeDay)]
pub struct NoticeDay {
    /// The holiday it belongs to (春节…).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub name: String,
    #[schema(format = Date)]
    pub date: String,
    /// A day off (true) or a worked weekend day (false).
    #[serde(rename = "isOffDay")]
    pub is_off_day: bool,
}

/// The calendar the database holds: the shipped notices (stored first, where a year is missing) and the
/// notices loaded since. A stored notice that does not read is an error, never a year without holidays.
pub async fn stored_calendar(store: &Store) -> Result<Calendar, ApiError> {
    let mut rows = store.calendar_years().await?;
    let missing: Vec<(i32, String)> = shipped_schedules()
        .iter()
        .filter(|s| !rows.iter().any(|row| row.year == s.year()))
        .map(|s| (s.year(), s.to_json()))
        .collect();
    if !missing.is_empty() {
        store.seed_calendar_years(&missing).await?;
        rows = store.calendar_years().await?;
    }
    let mut schedules = Vec::new();
    for row in rows {
        let schedule = YearSchedule::parse_json(&row.notice)
            .map_err(|e| ApiError::internal(format!("the stored holiday notice of {} does not read: {e}", row.year)))?;
        schedules.push(schedule);
    }
    Ok(Calendar::from_schedules(&schedules))
}

/// Stores a year's notice and moves every running deadline it changes. Returns the new calendar with the report.
pub async fn load_year(
    store: &Store,
    schedule: &YearSchedule,
    user_id: Option<i64>,
    today: NaiveDate,
) -> Result<(Calendar, LoadReport), ApiError> {
    let before = stored_calendar(store).await?;
    let replaced = before.years().any(|y| y == schedule.year());
    store.put_calendar_year(schedule.year(), &schedule.to_json(), user_id).await?;
    let calendar = stored_calendar(store).await?;
    let mut report = LoadReport { year: schedule.year(), replaced, ..Default::default() };
    // A notice lists dates from its year's eve December on; deadlines before that were never counted over it.
    let from = format!("{}-12-01", schedule.year() - 1);
    let note = format!("{} 年放假安排已载入，期限按正式日历重算", schedule.year());
    for complaint in store.complaints_due_from(&from).await? {
        move_complaint(store, &calendar, complaint, &note, user_id, &mut report).await?;
    }
    for recall in store.recalls_due_from(&from).await? {
        move_recall(store, &calendar, recall, &note, user_id, today, &mut report).await?;
    }
    for listing in store.listings_due_from(&from).await? {
        let Some(days) = credit::listing::list_rules().list(&listing.list).ok().map(|r| r.statement_working_days)
        else {
            continue;
        };
        let Some(notified) = listing.notified_on.as_deref().and_then(parse_day) else { continue };
        let due = calendar.deadline(notified, days).date.to_string();
        let old = listing.statement_by.clone().unwrap_or_default();
        if due == old {
            continue;
        }
        let mut changed = listing.clone();
        changed.statement_by = Some(due.clone());
        let step = ListingStep {
            stage: DEADLINE_MOVED.into(),
            on_date: today.to_string(),
            note: Some(format!("{note}：陈述申辩期限 {old} → {due}")),
            public: None,
        };
        match store.step_listing(&listing, &changed, &step, user_id).await {
            Ok(_) => {}
            Err(StoreError::Conflict(_)) => {
                report.skipped.push(format!("credit_listing {}", listing.id));
                continue;
            }
            Err(other) => return Err(other.into()),
        }
        record(store, &mut report, Subject::CreditListing, listing.id, listing.region_code, "statement_by", old, due)
            .await?;
    }
    Ok((calendar, report))
}

async fn move_complaint(
    store: &Store,
    calendar: &Calendar,
    complaint: Complaint,
    note: &str,
    user_id: Option<i64>,
    report: &mut LoadReport,
) -> Result<(), ApiError> {
    let mut changed = complaint.clone();
    changed.apply(&complaint.case()?, calendar);
    if changed.due_on == complaint.due_on {
        return Ok(());
    }
    let old = complaint.due_on.clone().unwrap_or_default();
    let new = changed.due_on.clone().unwrap_or_default();
    let deadline = changed.due_kind.clone().or(complaint.due_kind.clone()).unwrap_or_default();
    let step = ComplaintStep {
        stage: DEADLINE_MOVED.into(),
        note: Some(note.to_owned()),
        data: Some(json!({"deadline": deadline, "from": old, "to": new, "calendar_year": report.year})),
    };
    match store.save_complaint(&complaint, &changed, &step, user_id).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            report.skipped.push(format!("complaint {}", complaint.tracking_number));
            return Ok(());
        }
        Err(other) => return Err(other.into()),
    }
    let region = complaint.handling_region.clone();
    record(store, report, Subject::Complaint, complaint.tracking_number, region, &deadline, old, new).await
}

async fn move_recall(
    store: &Store,
    calendar: &Calendar,
    recall: Recall,
    note: &str,
    user_id: Option<i64>,
    today: NaiveDate,
    report: &mut LoadReport,
) -> Result<(), ApiError> {
    let Some(stage) = recall.next_stage.clone() else { return Ok(()) };
    let (Ok(regime), Ok(stage_name)) = (recall.regime.parse(), stage.parse()) else { return Ok(()) };
    let Some(rule) = recalls::deadlines().rule(regime, stage_name) else { return Ok(()) };
    // Only working-day counts move with a holiday notice.
    let rulekit::Period::WorkingDays(_) = rule.term.period else { return Ok(()) };
    // The running deadline was counted from the day of the step that set it: the latest step of the workflow.
    let events = store.recall_events(&recall.id).await?;
    let Some(base) = events.iter().rev().find(|e| e.stage != DEADLINE_MOVED).and_then(|e| parse_day(&e.on_date)) else {
        return Ok(());
    };
    let due = rule.term.due(calendar, base).date.to_string();
    let old = recall.next_due_on.clone().unwrap_or_default();
    if due == old {
        return Ok(());
    }
    let change = RecallChange { next: Some((Some(stage.clone()), Some(due.clone()))), ..Default::default() };
    let event = NewRecallEvent {
        stage: DEADLINE_MOVED.into(),
        on_date: today.to_string(),
        note: Some(note.to_owned()),
        data: json!({"deadline": stage, "from": old, "to": due, "calendar_year": report.year}),
        due_on: None,
        late: false,
    };
    match store.change_recall(&recall.id, &recall.status, &change, &event, user_id).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            report.skipped.push(format!("recall {}", recall.id));
            return Ok(());
        }
        Err(other) => return Err(other.into()),
    }
    record(store, report, Subject::Recall, recall.id, recall.region_code, &stage, old, due).await
}

#[allow(clippy::too_many_arguments)]
async fn record(
    store: &Store,
    report: &mut LoadReport,
    subject_kind: Subject,
    subject_id: String,
    region_code: String,
    deadline: &str,
    old_due: String,
    new_due: String,
) -> Result<(), ApiError> {
    let change = NewDeadlineChange {
        subject_kind,
        subject_id: subject_id.clone(),
        region_code,
        deadline: deadline.to_owned(),
        old_due: old_due.clone(),
        new_due: new_due.clone(),
        calendar_year: report.year,
    };
    store.record_deadline_change(&change).await?;
    report.moved.push(MovedDeadline {
        subject_kind,
        subject_id,
        deadline: deadline.to_owned(),
        from: old_due,
        to: new_due,
    });
    Ok(())
}

fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// An administrator loads a year's holiday notice (the holiday-cn JSON form): checked, stored, put in force, and
/// every running deadline it changes moved. The report lists the moves.
pub async fn load_notice(
    services: &crate::Services,
    user: &store::User,
    year: &str,
    notice: &str,
) -> Result<LoadReport, ApiError> {
    crate::ownership::check(crate::ownership::Record::CalendarYear, user, &["days"])?;
    let year = self::year(year)?;
    let schedule = YearSchedule::parse_json(notice)
        .map_err(|e| ApiError::new(crate::ErrorCode::InvalidCalendar, e.to_string()))?;
    if schedule.year() != year {
        return Err(ApiError::new(
            crate::ErrorCode::InvalidCalendar,
            format!("the notice is for {}, not {year}", schedule.year()),
        ));
    }
    let (calendar, report) = load_year(&services.store, &schedule, Some(user.id), crate::today()).await?;
    services.set_calendar(calendar);
    Ok(report)
}

/// A year a notice may be for, from a path: 2000 to 2199.
pub fn year(text: &str) -> Result<i32, ApiError> {
    text.parse::<i32>()
        .ok()
        .filter(|y| (2000..=2199).contains(y))
        .ok_or_else(|| ApiError::invalid(format!("year '{text}' is not a year from 2000 to 2199")))
}
