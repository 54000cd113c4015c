//! Product-injury surveillance (产品伤害监测): cases from sentinel hospitals, and national estimates with their
//! standard errors (Taylor linearisation, hospitals as sampling units within strata), CVs and CPSC's
//! stability rule. Estimates are public; cases are seen by regulators and by the hospital that reported them.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use store::{Role, WriteOutcome};

use super::json_rejection;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::input::InjuryFields;
use crate::{ApiError, AppState};
use service::injuries::HospitalBody;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/injuries", post(report))
        .route("/api/v1/injuries/estimates", get(estimates))
        .route("/api/v1/injuries/{case_id}", get(one))
        .route("/api/v1/hospitals", get(hospitals))
        .route("/api/v1/hospitals/{id}", axum::routing::put(register_hospital))
}

/// `POST /api/v1/injuries`: one case (201 when new, 200 when it replaced the hospital's earlier version).
async fn report(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<InjuryFields>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(fields) = body.map_err(json_rejection)?;
    let (outcome, answer) = service::injuries::report(&state, &user, fields).await?;
    let status = if outcome == WriteOutcome::Inserted { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(answer)))
}

/// `GET /api/v1/hospitals`: the sentinel-hospital register with case counts (regulators).
async fn hospitals(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<Value>, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Regulator) {
        return Err(ApiError::forbidden("the hospital register is for regulators"));
    }
    let items: Vec<Value> = state
        .store
        .hospitals()
        .await?
        .into_iter()
        .map(|(h, cases)| json!({"id": h.id, "name": h.name, "region_code": h.region_code, "stratum": h.stratum, "weight": h.weight, "cases": cases}))
        .collect();
    Ok(Json(json!({"items": items})))
}

/// `PUT /api/v1/hospitals/{id}`: registers a sentinel hospital (its USCC) or changes its stratum and weight from
/// a day on (admins: the design is national).
async fn register_hospital(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<HospitalBody>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::injuries::register_hospital(&state, &user, &id, body).await?))
}

/// `GET /api/v1/injuries/{case_id}`.
async fn one(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(case_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let case =
        state.store.injury_case(&case_id).await?.ok_or_else(|| ApiError::not_found(format!("no case {case_id}")))?;
    let allowed = match user.role {
        Role::Admin | Role::Regulator => true,
        Role::Hospital => user.uscc.as_deref() == Some(case.hospital_id.as_str()),
        _ => false,
    };
    if !allowed {
        return Err(ApiError::not_found(format!("no case {case_id}")));
    }
    Ok(Json(serde_json::to_value(case).map_err(ApiError::internal)?))
}

/// `GET /api/v1/injuries/estimates?product_code=&from=&to=&group_by=`: public.
async fn estimates(
    State(state): State<AppState>,
    MaybeAuthUser(_): MaybeAuthUser,
    Query(params): Query<service::injuries::EstimateParams>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(service::injuries::compute(&state, params).await?))
}
