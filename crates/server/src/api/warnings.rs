//! Risk assessment and risk warnings (风险警示): a regulator assesses an injury scenario (RAG method), drafts a
//! warning from it, a second regulator reviews it, it is published, updated and withdrawn, and the responses taken
//! (早处置: sampling ordered, recall opened, notice to enterprises) are recorded. Published warnings are public.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::Datelike;
use serde::Deserialize;
use serde_json::{json, Value};
use store::warnings::{RiskAssessment, Warning, WarningChange, WarningStage};
use store::{Role, User};

use super::json_rejection;
use crate::auth::{authorize_supervision, AuthUser, MaybeAuthUser};
use crate::error::stored;
use crate::input::{self, optional_text};
use crate::{ApiError, AppState, ErrorCode};
use warnings::lifecycle::transition;
use warnings::{assess, ResponseAction, Step, WarningStatus, WarningStep};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/risk-assessments", post(create_assessment))
        .route("/api/v1/risk-assessments/{id}", get(one_assessment))
        .route("/api/v1/warnings", get(list).post(draft))
        .route("/api/v1/warnings/{id}", get(one))
        .route("/api/v1/warnings/{id}/review", post(review))
        .route("/api/v1/warnings/{id}/publish", post(publish))
        .route("/api/v1/warnings/{id}/update", post(update))
        .route("/api/v1/warnings/{id}/withdraw", post(withdraw))
        .route("/api/v1/warnings/{id}/responses", post(respond))
}

fn regulator(user: &User) -> Result<(), ApiError> {
    match user.role {
        Role::Admin | Role::Regulator => Ok(()),
        other => Err(ApiError::forbidden(format!("role {} may not assess risks or issue warnings", other.as_str()))),
    }
}

/// The region a regulator works for (the whole country for an admin).
fn own_region(user: &User) -> String {
    user.region_code.clone().filter(|_| user.role == Role::Regulator).unwrap_or_else(|| "000000".into())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AssessmentBody {
    pub title: Option<String>,
    pub product_code: Option<String>,
    pub hazard: Option<String>,
    pub severity: Option<i64>,
    #[serde(default)]
    pub steps: Vec<Step>,
    pub signal: Option<Value>,
}

pub(crate) async fn create_assessment(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<AssessmentBody>, JsonRejection>,
) -> Result<(StatusCode, Json<RiskAssessment>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    regulator(&user)?;
    let product_code = optional_text(body.product_code).ok_or_else(|| ApiError::invalid("product_code is required"))?;
    if !store::CATEGORIES.iter().any(|(c, ..)| *c == product_code) {
        return Err(ApiError::invalid(format!("'{product_code}' is not a product category code")));
    }
    let severity = body.severity.ok_or_else(|| ApiError::invalid("severity (1–4) is required"))?;
    let result = assess(&body.steps, severity).map_err(ApiError::invalid)?;
    let today = crate::today();
    let assessment = RiskAssessment {
        id: state.store.next_number("risk_assessments", "ZL-RA", today.year()).await?,
        title: optional_text(body.title).ok_or_else(|| ApiError::invalid("title is required"))?,
        product_code,
        hazard: optional_text(body.hazard).ok_or_else(|| ApiError::invalid("hazard is required"))?,
        steps: serde_json::to_value(&body.steps).unwrap_or_default(),
        severity,
        probability: result.probability,
        level: result.level.as_str().to_owned(),
        matrix_version: result.matrix_version,
        signal: body.signal.unwrap_or(Value::Null),
        region_code: own_region(&user),
        created_at: store::now(),
    };
    state.store.create_assessment(&assessment, Some(user.id)).await?;
    Ok((StatusCode::CREATED, Json(assessment)))
}

pub(crate) async fn one_assessment(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(id): Path<String>,
) -> Result<Json<RiskAssessment>, ApiError> {
    regulator(&user)?;
    state.store.assessment(&id).await?.map(Json).ok_or_else(|| ApiError::not_found(format!("no risk assessment {id}")))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WarningBody {
    pub assessment_id: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub scope: Option<Value>,
    pub note: Option<String>,
    pub action: Option<String>,
    pub reference: Option<String>,
}

/// A warning's scope: product categories, GB/T 2260 regions, GTINs and lots, each checked.
fn scope(value: Option<Value>, product_code: &str) -> Result<Value, ApiError> {
    let value = value.unwrap_or_else(|| json!({}));
    let list = |key: &str| -> Vec<String> {
        value
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let mut products = list("product_codes");
    if products.is_empty() {
        products.push(product_code.to_owned());
    }
    for code in &products {
        if !store::CATEGORIES.iter().any(|(c, ..)| c == code) {
            return Err(ApiError::invalid(format!("scope.product_codes: '{code}' is not a product category code")));
        }
    }
    let regions = list("regions");
    for region in &regions {
        input::region("scope.regions", region)?;
    }
    let gtins: Vec<String> =
        list("gtins").iter().map(|g| input::gtin(Some(g)).map(|g| g.to_gtin14())).collect::<Result<_, _>>()?;
    Ok(json!({"product_codes": products, "regions": regions, "gtins": gtins, "lots": list("lots")}))
}

pub(crate) async fn draft(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<WarningBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    regulator(&user)?;
    let assessment_id =
        optional_text(body.assessment_id).ok_or_else(|| ApiError::invalid("assessment_id is required"))?;
    let assessment =
        state.store.assessment(&assessment_id).await?.ok_or_else(|| {
            ApiError::new(ErrorCode::UnknownAssessment, format!("no risk assessment {assessment_id}"))
        })?;
    authorize_supervision(&user, &assessment.region_code)?;
    let now = store::now();
    let warning = Warning {
        id: state.store.next_number("warnings", "ZL-RW", crate::today().year()).await?,
        assessment_id,
        title: optional_text(body.title).ok_or_else(|| ApiError::invalid("title is required"))?,
        body: optional_text(body.body).ok_or_else(|| ApiError::invalid("body is required"))?,
        level: assessment.level.clone(),
        status: WarningStatus::Draft.as_str().into(),
        region_code: assessment.region_code.clone(),
        scope: scope(body.scope, &assessment.product_code)?,
        drafted_by: Some(user.id),
        published_on: None,
        withdrawn_on: None,
        created_at: now.clone(),
        updated_at: now,
    };
    state.store.create_warning(&warning, Some(user.id)).await?;
    Ok((StatusCode::CREATED, Json(view(&state, warning).await?)))
}

async fn view(state: &AppState, warning: Warning) -> Result<Value, ApiError> {
    let events = state.store.warning_events(&warning.id).await?;
    let mut value = serde_json::to_value(&warning).map_err(ApiError::internal)?;
    value["events"] = serde_json::to_value(events).map_err(ApiError::internal)?;
    Ok(value)
}

async fn warning_or_404(state: &AppState, id: &str) -> Result<Warning, ApiError> {
    state.store.warning(id).await?.ok_or_else(|| ApiError::not_found(format!("no warning {id}")))
}

/// The status a step takes the warning to, or the state's refusal.
fn next(warning: &Warning, step: WarningStep) -> Result<WarningStatus, ApiError> {
    Ok(transition(&warning.id, stored(&warning.status)?, step)?)
}

async fn step(
    state: &AppState,
    user: &User,
    warning: &Warning,
    stage: WarningStage,
    change: WarningChange,
) -> Result<Json<Value>, ApiError> {
    state.store.change_warning(&warning.id, &warning.status, &stage, &change, Some(user.id)).await?;
    Ok(Json(view(state, warning_or_404(state, &warning.id).await?).await?))
}

macro_rules! warning_handler {
    ($name:ident, |$state:ident, $user:ident, $warning:ident, $body:ident| $run:expr) => {
        pub(crate) async fn $name(
            State($state): State<AppState>,
            AuthUser($user): AuthUser,
            Path(id): Path<String>,
            body: Result<Json<WarningBody>, JsonRejection>,
        ) -> Result<Json<Value>, ApiError> {
            let Json($body) = body.map_err(json_rejection)?;
            regulator(&$user)?;
            let $warning = warning_or_404(&$state, &id).await?;
            authorize_supervision(&$user, &$warning.region_code)?;
            $run
        }
    };
}

warning_handler!(review, |state, user, warning, body| {
    let status = next(&warning, WarningStep::Review)?;
    // Four eyes: the reviewer is not the one who drafted it.
    if warning.drafted_by == Some(user.id) {
        return Err(ApiError::forbidden("a warning is reviewed by someone other than its drafter"));
    }
    let stage = WarningStage { stage: WarningStep::Review.as_str(), note: optional_text(body.note), data: None };
    let change = WarningChange { status: Some(status.as_str().into()), ..Default::default() };
    step(&state, &user, &warning, stage, change).await
});

warning_handler!(publish, |state, user, warning, body| {
    let status = next(&warning, WarningStep::Publish)?;
    let change = WarningChange {
        status: Some(status.as_str().into()),
        published_on: Some(crate::today().to_string()),
        ..Default::default()
    };
    let stage = WarningStage { stage: WarningStep::Publish.as_str(), note: optional_text(body.note), data: None };
    step(&state, &user, &warning, stage, change).await
});

warning_handler!(update, |state, user, warning, body| {
    let status = next(&warning, WarningStep::Update)?;
    let note = optional_text(body.note).ok_or_else(|| ApiError::invalid("note (what changed) is required"))?;
    let product_code = warning.scope["product_codes"][0].as_str().unwrap_or_default().to_owned();
    let change = WarningChange {
        status: Some(status.as_str().into()),
        title: optional_text(body.title),
        body: optional_text(body.body),
        scope: body.scope.map(|s| scope(Some(s), &product_code)).transpose()?,
        ..Default::default()
    };
    step(
        &state,
        &user,
        &warning,
        WarningStage { stage: WarningStep::Update.as_str(), note: Some(note), data: None },
        change,
    )
    .await
});

warning_handler!(withdraw, |state, user, warning, body| {
    let status = next(&warning, WarningStep::Withdraw)?;
    let note = optional_text(body.note).ok_or_else(|| ApiError::invalid("note (why it is withdrawn) is required"))?;
    let change = WarningChange {
        status: Some(status.as_str().into()),
        withdrawn_on: Some(crate::today().to_string()),
        ..Default::default()
    };
    let stage = WarningStage { stage: WarningStep::Withdraw.as_str(), note: Some(note), data: None };
    step(&state, &user, &warning, stage, change).await
});

warning_handler!(respond, |state, user, warning, body| {
    next(&warning, WarningStep::Response)?;
    let action = optional_text(body.action).ok_or_else(|| ApiError::invalid("action is required"))?;
    let action: ResponseAction = action.parse().map_err(|_| {
        ApiError::invalid(format!("action '{action}' is not sampling_ordered, recall_opened or notice_to_enterprises"))
    })?;
    let data = json!({"action": action, "reference": optional_text(body.reference)});
    let stage =
        WarningStage { stage: WarningStep::Response.as_str(), note: optional_text(body.note), data: Some(data) };
    step(&state, &user, &warning, stage, WarningChange::default()).await
});

#[derive(Debug, Deserialize)]
pub(crate) struct ListParams {
    q: Option<String>,
}

/// `GET /api/v1/warnings?q=`: published warnings for everyone, all for regulators.
async fn list(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Query(params): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let public_only = user.as_ref().is_none_or(|u| regulator(u).is_err());
    let warnings = state.store.warnings(public_only, params.q.as_deref(), 200).await?;
    Ok(Json(json!({"items": warnings, "count": warnings.len()})))
}

async fn one(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let warning = warning_or_404(&state, &id).await?;
    let public = warning.published_on.is_some();
    if !public && user.as_ref().is_none_or(|u| regulator(u).is_err()) {
        return Err(ApiError::not_found(format!("no warning {id}")));
    }
    Ok(Json(view(&state, warning).await?))
}
