//! Reference data: GB/T 2260 regions with their children, and the product-category catalogue.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use codes::{region, RegionCode};
use serde::Deserialize;
use serde_json::{json, Value};

use super::query_rejection;
use crate::input;
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/regions", get(children))
        .route("/api/v1/regions/{code}", get(one))
        .route("/api/v1/categories", get(categories))
        .route("/api/v1/calendar/working-days", get(working_days))
}

#[derive(Debug, Deserialize)]
struct WorkingDayParams {
    from: Option<String>,
    add: Option<String>,
}

/// The `add`-th working day after `from` on the official calendar: the day of receipt is not counted.
async fn working_days(params: Result<Query<WorkingDayParams>, QueryRejection>) -> Result<Json<Value>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let from_text = input::optional_text(params.from)
        .ok_or_else(|| ApiError::bad_request("invalid_request", "from is required"))?;
    let from = input::date("from", &from_text)?;
    let add_text =
        input::optional_text(params.add).ok_or_else(|| ApiError::bad_request("invalid_request", "add is required"))?;
    let add: u32 = add_text.parse().ok().filter(|n| *n <= 3650).ok_or_else(|| {
        ApiError::bad_request("invalid_request", format!("add '{add_text}' is not a whole number from 0 to 3650"))
    })?;
    let date = calendar::add_working_days(from, add).map_err(|e| ApiError {
        status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        code: "calendar_unavailable",
        message: e.to_string(),
    })?;
    Ok(Json(json!({ "from": from.to_string(), "add": add, "date": date.to_string() })))
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
