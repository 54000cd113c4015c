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
