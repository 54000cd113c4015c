//! Reference data: GB/T 2260 regions with their children, the product-category catalogue, and the working-day
//! calendar with its holiday notices and the deadlines a notice moved.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use codes::{region, RegionCode};
use serde::{Deserialize, Serialize};
use service::deadlines::{LoadReport, NoticeBody, NoticeDay};
use service::error::ErrorBody;
use store::calendar::DeadlineChange;
use utoipa::ToSchema;

use super::query_rejection;
use crate::auth::AuthUser;
use crate::input;
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/regions", get(children))
        .route("/api/v1/regions/{code}", get(one))
        .route("/api/v1/categories", get(categories))
        .route("/api/v1/calendar/working-days", get(working_days))
        .route("/api/v1/calendar/years", get(calendar_years))
        .route("/api/v1/calendar/years/{year}", get(calendar_year).put(load_calendar_year))
        .route("/api/v1/deadline-changes", get(deadline_changes))
        .route("/api/v1/deadline-changes/{id}/seen", post(deadline_change_seen))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    children,
    one,
    categories,
    working_days,
    calendar_years,
    calendar_year,
    load_calendar_year,
    deadline_changes,
    deadline_change_seen
))]
pub(super) struct Api;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct WorkingDayParams {
    /// The day of receipt, YYYY-MM-DD; not counted.
    #[param(value_type = String, format = Date)]
    from: Option<String>,
    /// How many working days to add, 0 to 3650.
    #[param(value_type = u32, minimum = 0, maximum = 3650)]
    add: Option<String>,
}

/// A working-day count.
#[derive(Debug, Serialize, ToSchema)]
struct WorkingDay {
    #[schema(format = Date)]
    from: String,
    add: u32,
    /// The `add`-th working day after `from`.
    #[schema(format = Date)]
    date: String,
    /// Counted past the loaded notices: weekends and statutory holidays skipped, 调休 unknown.
    provisional: bool,
    /// The years between `from` and `date` with no notice loaded.
    years_not_loaded: Vec<i32>,
}

/// The N-th working day after a date on the working-day calendar (the day itself not counted)
///
/// Past the loaded notices the date is provisional (weekends and statutory holidays skipped, 调休 unknown).
#[utoipa::path(get, path = "/api/v1/calendar/working-days", tag = "calendar", params(WorkingDayParams),
    responses((status = 200, description = "{from, add, date, provisional, years_not_loaded}", body = WorkingDay),
              (status = 400, description = "invalid_request: from or add missing or malformed", body = ErrorBody)))]
async fn working_days(
    State(state): State<AppState>,
    params: Result<Query<WorkingDayParams>, QueryRejection>,
) -> Result<Json<WorkingDay>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let from_text = input::optional_text(params.from).ok_or_else(|| ApiError::invalid("from is required"))?;
    let from = input::date("from", &from_text)?;
    let add_text = input::optional_text(params.add).ok_or_else(|| ApiError::invalid("add is required"))?;
    let add: u32 = add_text
        .parse()
        .ok()
        .filter(|n| *n <= 3650)
        .ok_or_else(|| ApiError::invalid(format!("add '{add_text}' is not a whole number from 0 to 3650")))?;
    let calendar = state.calendar();
    let due = calendar.deadline(from, add);
    let unloaded: Vec<i32> =
        (from.year()..=due.date.year()).filter(|year| !calendar.years().any(|loaded| loaded == *year)).collect();
    Ok(Json(WorkingDay {
        from: from.to_string(),
        add,
        date: due.date.to_string(),
        provisional: due.provisional,
        years_not_loaded: unloaded,
    }))
}

/// A loaded notice.
#[derive(Debug, Serialize, ToSchema)]
struct CalendarYearRow {
    year: i32,
    /// shipped (with the program) or loaded (by an administrator).
    source: String,
    loaded_at: String,
    /// The dates the notice lists (None when it does not read).
    dates: Option<usize>,
}

/// The loaded notices.
#[derive(Debug, Serialize, ToSchema)]
struct CalendarYears {
    years: Vec<CalendarYearRow>,
}

/// The loaded holiday notices (放假安排) by year, shipped or loaded by an administrator
#[utoipa::path(get, path = "/api/v1/calendar/years", tag = "calendar",
    responses((status = 200, description = "{years: [{year, source, loaded_at, dates}]}", body = CalendarYears)))]
async fn calendar_years(State(state): State<AppState>) -> Result<Json<CalendarYears>, ApiError> {
    let years: Vec<CalendarYearRow> = state
        .store
        .calendar_years()
        .await?
        .into_iter()
        .map(|row| {
            let dates = calendar::YearSchedule::parse_json(&row.notice).map(|s| s.days().count()).ok();
            CalendarYearRow { year: row.year, source: row.source, loaded_at: row.loaded_at, dates }
        })
        .collect();
    Ok(Json(CalendarYears { years }))
}

/// A statutory holiday as computed.
#[derive(Debug, Serialize, ToSchema)]
struct StatutoryDay {
    #[schema(format = Date)]
    date: String,
    name: &'static str,
}

/// A year of the calendar.
#[derive(Debug, Serialize, ToSchema)]
struct CalendarYearView {
    year: i32,
    /// Whether a notice of the year is loaded.
    loaded: bool,
    /// shipped or loaded, when loaded.
    source: Option<String>,
    loaded_at: Option<String>,
    /// The notice's addresses, when loaded.
    papers: Option<Vec<String>>,
    /// The notice's dates in the form a load takes, so that a notice read here can be corrected and put back.
    days: Option<Vec<NoticeDay>>,
    /// The statutory holidays of the year as computed (lunar dates included).
    statutory_holidays: Vec<StatutoryDay>,
    /// The holiday rules in force for the year.
    rules: &'static str,
}

/// A year's notice if loaded, and its statutory holidays as computed (lunar dates included)
#[utoipa::path(get, path = "/api/v1/calendar/years/{year}", tag = "calendar",
    params(("year" = i32, Path, description = "2000 to 2199")),
    responses((status = 200, description = "{year, loaded, source, loaded_at, papers, days: [{date, name, isOffDay}] (the form a load takes), statutory_holidays, rules}", body = CalendarYearView),
              (status = 400, description = "invalid_request: not a year from 2000 to 2199", body = ErrorBody)))]
async fn calendar_year(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> Result<Json<CalendarYearView>, ApiError> {
    let year = crate::deadlines::year(&year)?;
    let stored = state.store.calendar_years().await?.into_iter().find(|row| row.year == year);
    let notice = stored.as_ref().and_then(|row| calendar::YearSchedule::parse_json(&row.notice).ok());
    // The days in the form a load takes, so that a notice read here can be corrected and put back.
    let days: Option<Vec<NoticeDay>> = notice.as_ref().map(|n| {
        n.days()
            .map(|(date, day)| NoticeDay { name: day.name.clone(), date: date.to_string(), is_off_day: day.off })
            .collect()
    });
    let statutory: Vec<StatutoryDay> = calendar::statutory_holidays(year)
        .into_iter()
        .map(|h| StatutoryDay { date: h.date.to_string(), name: h.name })
        .collect();
    Ok(Json(CalendarYearView {
        year,
        loaded: stored.is_some(),
        source: stored.as_ref().map(|r| r.source.clone()),
        loaded_at: stored.as_ref().map(|r| r.loaded_at.clone()),
        papers: notice.as_ref().map(|n| n.papers().to_vec()),
        days,
        statutory_holidays: statutory,
        rules: calendar::HolidayRules::in_force(year).citation(),
    }))
}

/// Load a year's notice (administrators) in the holiday-cn JSON form; running deadlines it changes move and are listed
///
/// The notice replaces the year's earlier one; every running deadline of a complaint, recall or credit listing
/// that the notice changes is moved, recorded in its case's history and queued for its handlers
/// (GET /api/v1/deadline-changes).
#[utoipa::path(put, path = "/api/v1/calendar/years/{year}", tag = "calendar", security(("bearer" = [])),
    params(("year" = i32, Path, description = "2000 to 2199; the notice's year")),
    request_body = NoticeBody,
    responses((status = 200, description = "{year, replaced, moved: [{subject_kind, subject_id, deadline, from, to}], skipped}", body = LoadReport),
              (status = 400, description = "invalid_calendar: the notice does not read or does not fit its year; invalid_request: not a year", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn load_calendar_year(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(year): Path<String>,
    body: String,
) -> Result<Json<LoadReport>, ApiError> {
    let report = crate::deadlines::load_notice(&state, &user, &year, &body).await?;
    Ok(Json(report))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ChangeParams {
    /// Only the moves nobody has marked seen; false by default.
    unseen: Option<bool>,
    /// 100 by default; values outside 1 to 1,000 are taken as the nearest bound.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// Moved deadlines, newest first.
#[derive(Debug, Serialize, ToSchema)]
struct DeadlineChanges {
    items: Vec<DeadlineChange>,
}

/// Deadlines a calendar load moved in the cases this regulator handles
#[utoipa::path(get, path = "/api/v1/deadline-changes", tag = "calendar", security(("bearer" = [])),
    params(ChangeParams),
    responses((status = 200, description = "{items}", body = DeadlineChanges),
              (status = 400, description = "invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: regulators and administrators only", body = ErrorBody)))]
async fn deadline_changes(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    params: Result<Query<ChangeParams>, QueryRejection>,
) -> Result<Json<DeadlineChanges>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let prefix = crate::auth::supervised_prefix(&user)?;
    let limit = params.limit.unwrap_or(100).clamp(1, 1_000);
    let items = state.store.deadline_changes(&prefix, params.unseen.unwrap_or(false), limit).await?;
    Ok(Json(DeadlineChanges { items }))
}

/// Mark a moved deadline seen
///
/// The handler has seen that a deadline moved; the first mark stands.
#[utoipa::path(post, path = "/api/v1/deadline-changes/{id}/seen", tag = "calendar", security(("bearer" = [])),
    params(("id" = i64, Path, description = "the moved deadline's id")),
    responses((status = 200, description = "the change", body = DeadlineChange),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: regulators and administrators only", body = ErrorBody),
              (status = 404, description = "not_found: no moved deadline of this id in this jurisdiction", body = ErrorBody)))]
async fn deadline_change_seen(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<i64>,
) -> Result<Json<Option<DeadlineChange>>, ApiError> {
    let prefix = crate::auth::supervised_prefix(&user)?;
    let change = state
        .store
        .deadline_change(id)
        .await?
        .filter(|c| c.region_code.starts_with(&prefix))
        .ok_or_else(|| ApiError::not_found(format!("no moved deadline {id} in this jurisdiction")))?;
    state.store.mark_deadline_change_seen(change.id, user.id).await?;
    Ok(Json(state.store.deadline_change(id).await?))
}

/// A region in short.
#[derive(Debug, Serialize, ToSchema)]
struct RegionSummary {
    /// Six digits.
    code: String,
    name: Option<&'static str>,
    /// province, prefecture or county.
    level: Option<&'static str>,
    /// Whether the code is in use today.
    in_use: Option<bool>,
}

fn summary(code: &str) -> RegionSummary {
    let row = region::lookup(code);
    RegionSummary {
        code: code.to_owned(),
        name: row.map(|r| r.name.as_str()),
        level: row.map(|r| r.level.as_str()),
        in_use: row.map(|r| r.in_use),
    }
}

/// Codes in use whose parent is `parent`, or the provinces when `parent` is `None`.
fn children_of(parent: Option<&RegionCode>) -> Vec<RegionSummary> {
    region::in_use()
        .filter_map(|r| RegionCode::parse(&r.code).ok())
        .filter(|code| code.parent().as_ref() == parent)
        .map(|code| summary(code.as_str()))
        .collect()
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ChildrenParams {
    /// A region code (6 digits, or a 2- or 4-digit prefix); without it, the provinces.
    parent: Option<String>,
}

/// The regions under a parent.
#[derive(Debug, Serialize, ToSchema)]
struct RegionChildren {
    /// The parent's six digits; None for the provinces.
    parent: Option<String>,
    items: Vec<RegionSummary>,
}

/// GB/T 2260 regions in use under a parent (the provinces without one)
#[utoipa::path(get, path = "/api/v1/regions", tag = "reference", params(ChildrenParams),
    responses((status = 200, description = "the children: {parent, items: [{code, name, level, in_use}]}", body = RegionChildren),
              (status = 400, description = "invalid_region", body = ErrorBody)))]
async fn children(params: Result<Query<ChildrenParams>, QueryRejection>) -> Result<Json<RegionChildren>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let parent = input::optional_text(params.parent).map(|p| input::region("parent", &p)).transpose()?;
    Ok(Json(RegionChildren { parent: parent.map(|p| p.to_string()), items: children_of(parent.as_ref()) }))
}

/// A row of a code's history.
#[derive(Debug, Serialize, ToSchema)]
struct RegionHistory {
    name: &'static str,
    in_use: bool,
    /// The year the code was introduced.
    introduced: Option<u16>,
    /// The year the code was changed or retired.
    retired: Option<u16>,
    /// The codes that replaced it, when retired.
    successors: Vec<String>,
}

/// A region with its parent, history and children.
#[derive(Debug, Serialize, ToSchema)]
struct RegionDetail {
    code: String,
    name: &'static str,
    /// province, prefecture or county.
    level: &'static str,
    /// The province-level division it belongs to.
    province: &'static str,
    in_use: bool,
    parent: Option<RegionSummary>,
    history: Vec<RegionHistory>,
    children: Vec<RegionSummary>,
}

/// One GB/T 2260 region with its parent, history and children
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "reference",
    params(("code" = String, Path, description = "GB/T 2260 code (6 digits, or a 2- or 4-digit prefix)")),
    responses((status = 200, description = "the region", body = RegionDetail),
              (status = 400, description = "invalid_region", body = ErrorBody)))]
async fn one(Path(code): Path<String>) -> Result<Json<RegionDetail>, ApiError> {
    let code = input::region("code", &code)?;
    let row = code.region();
    let history: Vec<RegionHistory> = region::history(code.as_str())
        .map(|r| RegionHistory {
            name: r.name.as_str(),
            in_use: r.in_use,
            introduced: r.introduced,
            retired: r.retired,
            successors: r.successors.clone(),
        })
        .collect();
    Ok(Json(RegionDetail {
        code: code.as_str().to_owned(),
        name: row.name.as_str(),
        level: code.level().as_str(),
        province: row.province_name.as_str(),
        in_use: row.in_use,
        parent: code.parent().map(|p| summary(p.as_str())),
        history,
        children: children_of(Some(&code)),
    }))
}

/// The product catalogue's listed classes and products (the same as `/api/v1/catalogue/entries`)
#[utoipa::path(get, path = "/api/v1/categories", tag = "reference",
    responses((status = 200, description = "the categories", body = Categories)))]
async fn categories(State(state): State<AppState>) -> Result<Json<Categories>, ApiError> {
    Ok(Json(Categories { items: service::catalogue::list(&state.store, Default::default()).await? }))
}

/// The supervision catalogue's product categories.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct Categories {
    items: Vec<service::catalogue::EntryView>,
}
