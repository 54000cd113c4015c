//! Reference data: GB/T 2260 regions with their children, and the product-category catalogue.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use codes::{region, RegionCode};
use serde::Deserialize;
use serde_json::{json, Value};

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

#[derive(Debug, Deserialize)]
struct WorkingDayParams {
    from: Option<String>,
    add: Option<String>,
}

/// The `add`-th working day after `from` on the calendar in force: the day of receipt is not counted. Past the
/// loaded notices the date is marked provisional (weekends and statutory holidays skipped, 调休 unknown).
async fn working_days(
    State(state): State<AppState>,
    params: Result<Query<WorkingDayParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
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
    Ok(Json(json!({
        "from": from.to_string(), "add": add, "date": due.date.to_string(), "provisional": due.provisional,
        "years_not_loaded": unloaded,
    })))
}

/// `GET /api/v1/calendar/years`: the loaded notices, by year, with where each came from (public).
async fn calendar_years(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    let years: Vec<Value> = state
        .store
        .calendar_years()
        .await?
        .into_iter()
        .map(|row| {
            let days = calendar::YearSchedule::parse_json(&row.notice).map(|s| s.days().count()).ok();
            json!({"year": row.year, "source": row.source, "loaded_at": row.loaded_at, "dates": days})
        })
        .collect();
    Ok(Json(json!({"years": years})))
}

/// `GET /api/v1/calendar/years/{year}`: a year's notice if loaded, and its statutory holidays as computed (public).
async fn calendar_year(State(state): State<AppState>, Path(year): Path<String>) -> Result<Json<Value>, ApiError> {
    let year = crate::deadlines::year(&year)?;
    let stored = state.store.calendar_years().await?.into_iter().find(|row| row.year == year);
    let notice = stored.as_ref().and_then(|row| calendar::YearSchedule::parse_json(&row.notice).ok());
    // The days in the form a load takes, so that a notice read here can be corrected and put back.
    let days: Option<Vec<Value>> = notice.as_ref().map(|n| {
        n.days().map(|(date, day)| json!({"date": date.to_string(), "name": day.name, "isOffDay": day.off})).collect()
    });
    let statutory: Vec<Value> = calendar::statutory_holidays(year)
        .into_iter()
        .map(|h| json!({"date": h.date.to_string(), "name": h.name}))
        .collect();
    Ok(Json(json!({
        "year": year, "loaded": stored.is_some(), "source": stored.as_ref().map(|r| r.source.clone()),
        "loaded_at": stored.as_ref().map(|r| r.loaded_at.clone()),
        "papers": notice.as_ref().map(|n| n.papers().to_vec()), "days": days,
        "statutory_holidays": statutory, "rules": calendar::HolidayRules::in_force(year).citation(),
    })))
}

/// `PUT /api/v1/calendar/years/{year}`: loads a year's notice (administrators), in the holiday-cn JSON form, and
/// moves every running deadline it changes; the answer lists them.
async fn load_calendar_year(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(year): Path<String>,
    body: String,
) -> Result<Json<Value>, ApiError> {
    let report = crate::deadlines::load_notice(&state, &user, &year, &body).await?;
    Ok(Json(serde_json::to_value(report).map_err(ApiError::internal)?))
}

#[derive(Debug, Deserialize)]
struct ChangeParams {
    unseen: Option<bool>,
    limit: Option<i64>,
}

/// `GET /api/v1/deadline-changes`: deadlines a calendar load moved in the cases this regulator handles.
async fn deadline_changes(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    params: Result<Query<ChangeParams>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let prefix = crate::auth::supervised_prefix(&user)?;
    let limit = params.limit.unwrap_or(100).clamp(1, 1_000);
    let items = state.store.deadline_changes(&prefix, params.unseen.unwrap_or(false), limit).await?;
    Ok(Json(json!({"items": items})))
}

/// `POST /api/v1/deadline-changes/{id}/seen`: the handler has seen that a deadline moved.
async fn deadline_change_seen(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    let prefix = crate::auth::supervised_prefix(&user)?;
    let change = state
        .store
        .deadline_change(id)
        .await?
        .filter(|c| c.region_code.starts_with(&prefix))
        .ok_or_else(|| ApiError::not_found(format!("no moved deadline {id} in this jurisdiction")))?;
    state.store.mark_deadline_change_seen(change.id, user.id).await?;
    Ok(Json(json!(state.store.deadline_change(id).await?)))
}

fn summary(code: &str) -> Value {
    let row = region::lookup(code);
    json!({
        "code": code,
        "name": row.map(|r| r.name.as_str()),
        "level": row.map(|r| r.level.as_str()),
        "in_use": row.map(|r| r.in_use),
    })
}

/// Codes in use whose parent is `parent`, or the provinces when `parent` is `None`.
fn children_of(parent: Option<&RegionCode>) -> Vec<Value> {
    region::in_use()
        .filter_map(|r| RegionCode::parse(&r.code).ok())
        .filter(|code| code.parent().as_ref() == parent)
        .map(|code| summary(code.as_str()))
        .collect()
}

#[derive(Debug, Deserialize)]
struct ChildrenParams {
    /// A region code; without it, the provinces.
    parent: Option<String>,
}

async fn children(params: Result<Query<ChildrenParams>, QueryRejection>) -> Result<Json<Value>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let parent = input::optional_text(params.parent).map(|p| input::region("parent", &p)).transpose()?;
    Ok(Json(json!({ "parent": parent.map(|p| p.to_string()), "items": children_of(parent.as_ref()) })))
}

async fn one(Path(code): Path<String>) -> Result<Json<Value>, ApiError> {
    let code = input::region("code", &code)?;
    let row = code.region();
    let history: Vec<Value> = region::history(code.as_str())
        .map(|r| json!({"name": r.name, "in_use": r.in_use, "introduced": r.introduced, "retired": r.retired, "successors": r.successors}))
        .collect();
    Ok(Json(json!({
        "code": code.as_str(),
        "name": row.name,
        "level": code.level().as_str(),
        "province": row.province_name,
        "in_use": row.in_use,
        "parent": code.parent().map(|p| summary(p.as_str())),
        "history": history,
        "children": children_of(Some(&code)),
    })))
}

async fn categories(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "items": state.store.categories().await? })))
}
