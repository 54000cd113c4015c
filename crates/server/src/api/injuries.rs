//! Product-injury surveillance (产品伤害监测): cases from sentinel hospitals, and national estimates with their
//! standard errors (Taylor linearisation, hospitals as sampling units within strata), CVs and CPSC's
//! stability rule. Estimates are public; cases are seen by regulators and by the hospital that reported them.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use service::error::ErrorBody;
use service::injuries::{CaseReceipt, EstimateParams, HospitalBody, HospitalEntry, InjuryEstimates};
use store::injuries::InjuryCase;
use store::{Role, WriteOutcome};

use super::json_rejection;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::input::InjuryFields;
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/injuries", post(report))
        .route("/api/v1/injuries/estimates", get(estimates))
        .route("/api/v1/injuries/{case_id}", get(one))
        .route("/api/v1/hospitals", get(hospitals))
        .route("/api/v1/hospitals/{id}", axum::routing::put(register_hospital))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(report, estimates, one, hospitals, register_hospital))]
pub(super) struct Api;

/// Report an injury case
///
/// A sentinel hospital reports its own cases; admins any. Stratum and weight come from the register on the
/// treatment date; sending them is refused. A case id the hospital sent before is corrected.
#[utoipa::path(post, path = "/api/v1/injuries", tag = "injuries and signals", security(("bearer" = [])),
    request_body(content = Object, description = "The case's fields, every one as text. Required: case_id (1 to 64 \
        characters without spaces), treated_on (YYYY-MM-DD, not in the future), hospital_id (the hospital's USCC), \
        age (whole years, 0 to 120), sex, product_code (product category code), body_part, diagnosis, disposition. \
        Optional: product_code_2, location, intent, hazard_code, narrative. stratum, weight and hospital_name are \
        the register's and refused here."),
    responses((status = 201, description = "created", body = CaseReceipt),
              (status = 200, description = "corrected: it replaced the hospital's earlier version", body = CaseReceipt),
              (status = 400, description = "invalid_request (or invalid_uscc) naming the field", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 409, description = "conflict: the case id is another hospital's", body = ErrorBody),
              (status = 422, description = "not_sentinel: the hospital was not in the register on the treatment day",
               body = ErrorBody)))]
async fn report(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<InjuryFields>, JsonRejection>,
) -> Result<(StatusCode, Json<CaseReceipt>), ApiError> {
    let Json(fields) = body.map_err(json_rejection)?;
    let (outcome, answer) = service::injuries::report(&state, &user, fields).await?;
    let status = if outcome == WriteOutcome::Inserted { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(answer)))
}

/// A register entry with the number of cases the hospital has reported.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct HospitalCases {
    /// The hospital's USCC.
    id: String,
    name: String,
    region_code: String,
    stratum: String,
    /// The inverse of the hospital's sampling fraction in its stratum.
    weight: f64,
    cases: i64,
}

/// The sentinel-hospital register.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct HospitalRegister {
    items: Vec<HospitalCases>,
}

/// The sentinel-hospital register with stratum, weight and case counts (regulators)
#[utoipa::path(get, path = "/api/v1/hospitals", tag = "injuries and signals", security(("bearer" = [])),
    responses((status = 200, description = "{items}", body = HospitalRegister),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn hospitals(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<HospitalRegister>, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Regulator) {
        return Err(ApiError::forbidden("the hospital register is for regulators"));
    }
    let items = state
        .store
        .hospitals()
        .await?
        .into_iter()
        .map(|(h, cases)| HospitalCases {
            id: h.id,
            name: h.name,
            region_code: h.region_code,
            stratum: h.stratum,
            weight: h.weight,
            cases,
        })
        .collect();
    Ok(Json(HospitalRegister { items }))
}

/// Register a sentinel hospital, or change its design
///
/// Registers a sentinel hospital by its USCC, or changes its stratum and weight (the inverse sampling fraction, at
/// least 1) from valid_from on (default: today for a change); administrators only, as the design is national.
#[utoipa::path(put, path = "/api/v1/hospitals/{id}", tag = "injuries and signals", security(("bearer" = [])),
    params(("id" = String, Path, description = "the hospital's unified social credit code (GB 32100)")),
    request_body = HospitalBody,
    responses((status = 200, description = "the register entry in force and the day it took effect",
               body = HospitalEntry),
              (status = 400, description = "invalid_uscc, invalid_region, invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn register_hospital(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
    body: Result<Json<HospitalBody>, JsonRejection>,
) -> Result<Json<HospitalEntry>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::injuries::register_hospital(&state, &user, &id, body).await?))
}

/// One case (regulators, and the reporting hospital)
#[utoipa::path(get, path = "/api/v1/injuries/{case_id}", tag = "injuries and signals", security(("bearer" = [])),
    params(("case_id" = String, Path, description = "the case id the hospital gave")),
    responses((status = 200, description = "the case", body = InjuryCase),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 404, description = "not_found: no such case, or not one this account may see",
               body = ErrorBody)))]
async fn one(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(case_id): Path<String>,
) -> Result<Json<InjuryCase>, ApiError> {
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
    Ok(Json(case))
}

/// National injury estimates
///
/// Per group: cases, weighted estimate, SE (Taylor, hospitals as PSUs within strata), CV, 95% interval, unstable
/// flag (CPSC rule: an estimate under 1,200, from under 20 cases, or with a CV over 33%). Public.
#[utoipa::path(get, path = "/api/v1/injuries/estimates", tag = "injuries and signals", security((), ("bearer" = [])),
    params(EstimateParams),
    responses((status = 200, body = InjuryEstimates, description = "the estimates per group"),
              (status = 400, description = "invalid_request: an unknown group_by or a malformed date",
               body = ErrorBody),
              (status = 401, description = "unauthorized: a token was sent and is not valid", body = ErrorBody)))]
async fn estimates(
    State(state): State<AppState>,
    MaybeAuthUser(_): MaybeAuthUser,
    Query(params): Query<EstimateParams>,
) -> Result<Json<InjuryEstimates>, ApiError> {
    Ok(Json(service::injuries::compute(&state, params).await?))
}
