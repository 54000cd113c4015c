//! Product-injury surveillance (产品伤害监测): cases from sentinel hospitals, and national estimates with their
//! standard errors (Taylor linearisation, hospitals as sampling units within strata), CVs and CPSC's
//! stability rule. Estimates are public; cases are seen by regulators and by the hospital that reported them.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use store::{Role, WriteOutcome};

use super::json_rejection;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::input::{self, optional_text, InjuryFields};
use crate::ownership::{self, Record};
use crate::{ApiError, AppState, ErrorCode};

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

/// A hospital's register entry.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HospitalBody {
    pub name: Option<String>,
    pub stratum: Option<String>,
    /// The inverse of the hospital's sampling fraction in its stratum.
    pub weight: Option<f64>,
    /// The day the design takes effect (YYYY-MM-DD); cases treated before keep the earlier design. Default: the
    /// start, for a new hospital; today, for a change.
    pub valid_from: Option<String>,
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
    ownership::check(Record::Hospital, &user, &["name", "stratum", "weight"])?;
    let uscc = input::uscc("id", Some(&id))?;
    let region = uscc.region().filter(|r| r.in_use).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidRegion,
            format!("the USCC's region {} is not a division in use", uscc.region_code()),
        )
    })?;
    let name = optional_text(body.name).ok_or_else(|| ApiError::invalid("name is required"))?;
    let stratum = optional_text(body.stratum).ok_or_else(|| ApiError::invalid("stratum is required"))?;
    let weight = body
        .weight
        .filter(|w| w.is_finite() && *w >= 1.0)
        .ok_or_else(|| ApiError::invalid("weight is the inverse sampling fraction: a number of at least 1"))?;
    let registered = state.store.hospital(uscc.as_str()).await?.is_some();
    let valid_from = match optional_text(body.valid_from) {
        Some(text) => input::date("valid_from", &text)?.to_string(),
        None if registered => crate::today().to_string(),
        None => "0001-01-01".to_owned(),
    };
    let hospital = store::injuries::Hospital {
        id: uscc.as_str().to_owned(),
        name,
        region_code: region.code.clone(),
        stratum,
        weight,
    };
    state.store.register_hospital(&hospital, &valid_from, Some(user.id)).await?;
    let current = state.store.hospital(&hospital.id).await?.ok_or_else(|| ApiError::not_found("write was lost"))?;
    Ok(Json(json!({
        "id": current.id, "name": current.name, "region_code": current.region_code, "stratum": current.stratum,
        "weight": current.weight, "valid_from": valid_from,
    })))
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
