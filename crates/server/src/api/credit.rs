//! `/api/v1/credit/listings`: credit lists with due process (严重违法失信名单, 经营异常名录). The use cases are
//! [`service::credit`]'s; this module reads requests and writes answers (JSON, or CSV for the lists).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use service::credit::{current, public_listings, rules_json, ListParams, ProposalBody, StepBody};

use super::json_rejection;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/credit/listings", get(list).post(propose))
        .route("/api/v1/credit/listings/sweep", post(sweep))
        .route("/api/v1/credit/listings/{id}", get(one))
        .route("/api/v1/credit/listings/{id}/{step}", post(step))
        .route("/api/v1/credit/rules", get(|| async { Json(rules_json().clone()) }))
}

/// `POST /api/v1/credit/listings`: a regulator of the enterprise's region proposes a listing.
async fn propose(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<ProposalBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(service::credit::propose(&state, &user, body).await?)))
}

/// `POST /api/v1/credit/listings/{id}/{step}`.
async fn step(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, action)): Path<(String, String)>,
    body: Result<Json<StepBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::credit::step(&state, &user, &id, &action, body).await?))
}

/// `POST /api/v1/credit/listings/sweep`: removes every listing whose period has ended (admins; run daily).
async fn sweep(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({"removed": service::credit::sweep(&state, &user).await?})))
}

/// `GET /api/v1/credit/listings/{id}`: public once published; before that, for insiders only.
async fn one(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(service::credit::visible(&state, user.as_ref(), &id).await?))
}

/// `GET /api/v1/credit/listings?list=&q=&current=&format=csv`: the blacklist and its history, for everyone.
async fn list(State(state): State<AppState>, Query(params): Query<ListParams>) -> Result<Response, ApiError> {
    let found = public_listings(&state, &params).await?;
    if params.format.as_deref() == Some("csv") {
        let mut text = String::from("id,list,uscc,name,region_code,grounds,legal_basis,penalty_ref,published_on,expires_on,removed_on,removal_reason,current\n");
        let field = |v: &str| format!("\"{}\"", v.replace('"', "\"\""));
        for l in &found {
            let row = [
                l.id.as_str(),
                l.list.as_str(),
                l.uscc.as_str(),
                l.organization_name.as_str(),
                l.region_code.as_str(),
                l.grounds.as_str(),
                l.legal_basis.as_str(),
                l.penalty_ref.as_deref().unwrap_or(""),
                l.published_on.as_deref().unwrap_or(""),
                l.expires_on.as_deref().unwrap_or(""),
                l.removed_on.as_deref().unwrap_or(""),
                l.removal_reason.as_deref().unwrap_or(""),
                if current(l) { "true" } else { "false" },
            ];
            text.push_str(&row.iter().map(|v| field(v)).collect::<Vec<_>>().join(","));
            text.push('\n');
        }
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"credit-lists.csv\""),
            ],
            text,
        )
            .into_response());
    }
    let items: Vec<Value> = found
        .iter()
        .map(|l| {
            let mut value = serde_json::to_value(l).unwrap_or(Value::Null);
            value["current"] = json!(current(l));
            value
        })
        .collect();
    Ok(Json(json!({"count": items.len(), "items": items})).into_response())
}
