//! `/api/v1/recalls`: defective-product recalls (缺陷产品召回). The stages are use cases of
//! [`service::recalls`]; this module reads requests and writes answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use service::recalls::{
    create_recall, may_read, recall_or_404, recall_view, recovery_rate, region_prefix, ReportBody, StageBody,
};
use store::recalls::RecallFilter;
use store::Role;

use super::json_rejection;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::input::optional_text;
use crate::{ApiError, AppState};
use recalls::Stage;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/recalls", get(list).post(report))
        .route("/api/v1/recalls/rules", get(rules))
        .route("/api/v1/recalls/{id}", get(one))
        .route("/api/v1/recalls/{id}/investigation", post(investigation))
        .route("/api/v1/recalls/{id}/decision", post(decision))
        .route("/api/v1/recalls/{id}/objection", post(objection))
        .route("/api/v1/recalls/{id}/scope", post(scope))
        .route("/api/v1/recalls/{id}/plan", post(plan))
        .route("/api/v1/recalls/{id}/plan-review", post(plan_review))
        .route("/api/v1/recalls/{id}/notice", post(notice))
        .route("/api/v1/recalls/{id}/progress", post(progress))
        .route("/api/v1/recalls/{id}/completion", post(completion))
        .route("/api/v1/recalls/{id}/summary", post(summary))
        .route("/api/v1/recalls/{id}/evaluation", post(evaluation))
}

#[derive(Debug, Deserialize)]
pub(crate) struct ListParams {
    q: Option<String>,
    status: Option<String>,
    producer: Option<String>,
    limit: Option<i64>,
}

/// `GET /api/v1/recalls`: the public sees published notices; producers their own; supervisors their region.
async fn list(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Query(params): Query<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let limit = params.limit.unwrap_or(50).clamp(1, 500);
    let mut filter = RecallFilter {
        text: optional_text(params.q),
        status: optional_text(params.status),
        producer_uscc: optional_text(params.producer),
        ..RecallFilter::default()
    };
    match user.as_ref().map(|u| (u.role, u)) {
        Some((Role::Admin, _)) => {}
        Some((Role::Regulator, u)) => filter.region_prefix = u.region_code.as_deref().map(region_prefix),
        Some((Role::Enterprise, u)) => filter.producer_uscc = u.uscc.clone(),
        _ => filter.published_only = true,
    }
    let recalls = state.store.recalls(&filter, limit).await?;
    let items: Vec<Value> = recalls
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "regime": r.regime, "status": r.status, "producer_uscc": r.producer_uscc,
                "product_name": r.product_name, "notice_title": r.notice_title, "notice_published_on": r.notice_published_on,
                "units_distributed": r.units_distributed, "units_recovered": r.units_recovered, "recovery_rate": recovery_rate(r),
                "next_stage": r.next_stage, "next_due_on": r.next_due_on, "created_at": r.created_at,
            })
        })
        .collect();
    Ok(Json(json!({ "items": items, "count": items.len(), "limit": limit })))
}

/// `GET /api/v1/recalls/rules`: the configured deadlines with their sources.
async fn rules() -> Json<&'static recalls::Deadlines> {
    Json(recalls::deadlines())
}

async fn one(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let recall = recall_or_404(&state, &id).await?;
    if !may_read(user.as_ref(), &recall) {
        return Err(ApiError::not_found(format!("no recall {id}")));
    }
    Ok(Json(recall_view(&state, recall).await?))
}

async fn report(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<ReportBody>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    let recall = create_recall(&state, &user, body).await?;
    Ok((StatusCode::CREATED, Json(recall_view(&state, recall).await?)))
}

macro_rules! stage_handler {
    ($name:ident, $stage:expr) => {
        async fn $name(
            State(state): State<AppState>,
            AuthUser(user): AuthUser,
            Path(id): Path<String>,
            body: Result<Json<StageBody>, JsonRejection>,
        ) -> Result<Json<Value>, ApiError> {
            let Json(body) = body.map_err(json_rejection)?;
            Ok(Json(service::recalls::advance(&state, &user, &id, $stage, body).await?))
        }
    };
}

stage_handler!(investigation, Stage::Investigation);
stage_handler!(decision, Stage::Decision);
stage_handler!(objection, Stage::Objection);
stage_handler!(scope, Stage::Scope);
stage_handler!(plan, Stage::Plan);
stage_handler!(plan_review, Stage::PlanReview);
stage_handler!(notice, Stage::Notice);
stage_handler!(progress, Stage::Progress);
stage_handler!(completion, Stage::Completion);
stage_handler!(summary, Stage::Summary);
stage_handler!(evaluation, Stage::Evaluation);
