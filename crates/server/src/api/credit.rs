//! `/api/v1/credit/listings`: credit lists with due process (严重违法失信名单, 经营异常名录). The use cases are
//! [`service::credit`]'s; this module reads requests and writes answers (JSON, or CSV for the lists).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::Value;
use service::credit::{current, public_listings, rules_json, ListParams, ListingView, ProposalBody, StepBody};
use service::error::ErrorBody;
use store::credit::Listing;
use utoipa::ToSchema;

use super::json_rejection;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/credit/listings", get(list).post(propose))
        .route("/api/v1/credit/listings/sweep", post(sweep))
        .route("/api/v1/credit/listings/{id}", get(one))
        .route("/api/v1/credit/listings/{id}/{step}", post(step))
        .route("/api/v1/credit/rules", get(rules))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list, propose, sweep, one, step, rules))]
pub(super) struct Api;

/// A regulator of the enterprise's region proposes a listing
///
/// `penalty_ref` is required for the serious-violation list. The answer is the listing as its regulators see it.
#[utoipa::path(post, path = "/api/v1/credit/listings", tag = "credit", security(("bearer" = [])),
    request_body = ProposalBody,
    responses((status = 201, description = "the listing as its regulators see it", body = ListingView),
              (status = 400, description = "invalid_request (unknown list, missing grounds or penalty_ref, a date in the future), invalid_uscc", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: not a regulator of the enterprise's region", body = ErrorBody),
              (status = 409, description = "wrong_state: the enterprise already has an open listing on this list; conflict", body = ErrorBody),
              (status = 422, description = "unknown_organization", body = ErrorBody)))]
async fn propose(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<ProposalBody>, JsonRejection>,
) -> Result<(StatusCode, Json<ListingView>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok((StatusCode::CREATED, Json(service::credit::propose(&state, &user, body).await?)))
}

/// A step of a listing's due process
///
/// Each step takes `on` (the day, today by default) and `note`: notify, statement, hearing-request, hearing,
/// decide (`listed`), publish, repair-apply (`conditions`), repair-decide (`granted`), remove (`reason`). The
/// enterprise takes statement, hearing-request and repair-apply; the regulators of its region the others.
/// Publication, removal and repair are public-log entries and move the credit class.
#[utoipa::path(post, path = "/api/v1/credit/listings/{id}/{step}", tag = "credit", security(("bearer" = [])),
    params(("id" = String, Path, description = "the listing's id (ZL-CL-…)"),
           ("step" = String, Path, description = "notify, statement, hearing-request, hearing, decide, publish, repair-apply, repair-decide or remove")),
    request_body = StepBody,
    responses((status = 200, description = "the listing as its regulators see it", body = ListingView),
              (status = 400, description = "invalid_request: a field the step needs is missing, or the date is in the future or before the last step", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: the step is the enterprise's, or the region's regulators'", body = ErrorBody),
              (status = 404, description = "not_found: no such listing or step", body = ErrorBody),
              (status = 409, description = "wrong_state, conflict", body = ErrorBody)))]
async fn step(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path((id, action)): Path<(String, String)>,
    body: Result<Json<StepBody>, JsonRejection>,
) -> Result<Json<ListingView>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::credit::step(&state, &user, &id, &action, body).await?))
}

/// The listings a sweep removed.
#[derive(Debug, Serialize, ToSchema)]
struct Swept {
    /// The ids of the listings removed.
    removed: Vec<String>,
}

/// Removes every published listing past its period (admins; run daily)
#[utoipa::path(post, path = "/api/v1/credit/listings/sweep", tag = "credit", security(("bearer" = [])),
    responses((status = 200, description = "{removed}: the listings removed", body = Swept),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: the sweep is an administrator's", body = ErrorBody)))]
async fn sweep(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<Swept>, ApiError> {
    Ok(Json(Swept { removed: service::credit::sweep(&state, &user).await? }))
}

/// A listing with its steps
///
/// Public once published; before that, for the region's regulators and the enterprise only. Insiders also see
/// the private steps (statement, hearing) with their notes.
#[utoipa::path(get, path = "/api/v1/credit/listings/{id}", tag = "credit", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "the listing's id (ZL-CL-…)")),
    responses((status = 200, description = "the listing, with the private steps for insiders", body = ListingView),
              (status = 404, description = "not_found: no such listing, or not yet published", body = ErrorBody)))]
async fn one(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
) -> Result<Json<ListingView>, ApiError> {
    Ok(Json(service::credit::visible(&state, user.as_ref(), &id).await?))
}

/// The lists' periods and repair conditions, as data
///
/// The shipped data file verbatim (the `credit` room checks it at start-up), so what is published is what runs.
#[utoipa::path(get, path = "/api/v1/credit/rules", tag = "credit",
    responses((status = 200, description = "the rules (data/credit_rules.json): {version, note, lists, repair_conditions}", body = Object)))]
async fn rules() -> Json<Value> {
    Json(rules_json().clone())
}

/// A published listing with whether it is on its list now.
#[derive(Debug, Serialize, ToSchema)]
struct PublicListing {
    #[serde(flatten)]
    listing: Listing,
    /// On its list now.
    current: bool,
}

/// The public lists.
#[derive(Debug, Serialize, ToSchema)]
struct PublicListings {
    count: usize,
    items: Vec<PublicListing>,
}

/// The public credit lists with history, newest first
///
/// `current=true` gives the blacklist now, `format=csv` a download (credit-lists.csv) with the columns id, list,
/// uscc, name, region_code, grounds, legal_basis, penalty_ref, published_on, expires_on, removed_on,
/// removal_reason, current.
#[utoipa::path(get, path = "/api/v1/credit/listings", tag = "credit", params(ListParams),
    responses((status = 200, description = "{count, items}, or the CSV with format=csv",
               content((PublicListings = "application/json"), (String = "text/csv"))),
              (status = 400, description = "invalid_request: an unknown list", body = ErrorBody)))]
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
    let items: Vec<PublicListing> =
        found.into_iter().map(|listing| PublicListing { current: current(&listing), listing }).collect();
    Ok(Json(PublicListings { count: items.len(), items }).into_response())
}
