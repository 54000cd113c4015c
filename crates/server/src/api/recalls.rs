//! `/api/v1/recalls`: defective-product recalls (缺陷产品召回). The stages are use cases of
//! [`service::recalls`]; this module reads requests and writes answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use service::error::ErrorBody;
use service::recalls::{
    create_recall, may_read, recall_or_404, recall_view, recovery_rate, region_prefix, RecallView, ReportBody,
    StageBody,
};
use store::recalls::{Recall, RecallFilter};
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

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    report,
    rules,
    one,
    investigation,
    decision,
    objection,
    scope,
    plan,
    plan_review,
    notice,
    progress,
    completion,
    summary,
    evaluation
))]
pub(super) struct Api;

/// The keys of a recall's view ([`RecallView`]: the stored recall, which has no schema of its own, and more).
const RECALL_VIEW: &str = "the recall: {id (ZL-RC-year-number), regime, status, origin, producer_uscc, region_code, \
    product_name, gtins, lots, defect, severe, learned_on, trace_start, decision, remedy, units_produced, \
    units_distributed, units_recovered, plan, scope, notice_title, notice_body, notice_published_on, evaluation, \
    next_stage, next_due_on, created_at, updated_at, recovery_rate, overdue, events: [{id, recall_id, stage, at, \
    on_date, user_id, note, data, due_on, late}]}";

/// The same view after a stage.
const RECALL_AFTER_STAGE: &str = "the recall after the stage: {id, regime, status, …, next_stage, next_due_on, \
    recovery_rate, overdue, events} as GET /api/v1/recalls/{id}";

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// Chinese text the notice, product or defect contains.
    q: Option<String>,
    /// reported, investigating, decided, objected, plan_filed, plan_accepted, notice_published, completed,
    /// summarized, evaluated or closed.
    status: Option<String>,
    /// The producer's USCC (an enterprise always sees its own only).
    producer: Option<String>,
    /// 50 by default; a value outside 1 to 500 is taken as the nearer bound.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<i64>,
}

/// A recall as the list shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = RecallListItem)]
struct RecallItem {
    /// The recall number (ZL-RC-year-number).
    id: String,
    /// `consumer` or `vehicle`.
    regime: String,
    status: String,
    producer_uscc: String,
    product_name: String,
    notice_title: Option<String>,
    /// The day the public notice was published; none while it is not.
    notice_published_on: Option<String>,
    units_distributed: Option<f64>,
    units_recovered: f64,
    /// Units recovered ÷ units distributed.
    recovery_rate: Option<f64>,
    /// The stage the workflow waits for, and its legal due date.
    next_stage: Option<String>,
    next_due_on: Option<String>,
    created_at: String,
}

impl RecallItem {
    fn of(recall: &Recall) -> Self {
        RecallItem {
            id: recall.id.clone(),
            regime: recall.regime.clone(),
            status: recall.status.clone(),
            producer_uscc: recall.producer_uscc.clone(),
            product_name: recall.product_name.clone(),
            notice_title: recall.notice_title.clone(),
            notice_published_on: recall.notice_published_on.clone(),
            units_distributed: recall.units_distributed,
            units_recovered: recall.units_recovered,
            recovery_rate: recovery_rate(recall),
            next_stage: recall.next_stage.clone(),
            next_due_on: recall.next_due_on.clone(),
            created_at: recall.created_at.clone(),
        }
    }
}

/// The recalls the reader may list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct RecallList {
    items: Vec<RecallItem>,
    /// How many items this answer holds.
    count: usize,
    /// The limit applied.
    limit: i64,
}

/// Recalls: public notices (search q in Chinese); a producer's and a supervisor's own
///
/// The public sees recalls with a published notice; an enterprise its own recalls; a regulator those of its
/// region; an administrator all.
#[utoipa::path(get, path = "/api/v1/recalls", tag = "recalls", security((), ("bearer" = [])), params(ListParams),
    responses((status = 200, description = "{items, count, limit}", body = RecallList),
              (status = 401, description = "unauthorized: a token was sent but is not valid", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Query(params): Query<ListParams>,
) -> Result<Json<RecallList>, ApiError> {
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
    let items: Vec<RecallItem> = recalls.iter().map(RecallItem::of).collect();
    Ok(Json(RecallList { count: items.len(), items, limit }))
}

// The table is the `recalls` crate's, which has no schema dependency: its shape is described in words.
/// Stage deadlines, their sources and confidence
///
/// The deadlines of each regime's stages in working days, calendar days or months, with the legal text each
/// comes from and how sure it is (primary, secondary, unconfirmed).
#[utoipa::path(get, path = "/api/v1/recalls/rules", tag = "recalls",
    responses((status = 200,
               description = "{version, rules: [{regime, stage, severe_only, after, working_days | calendar_days | \
                              months, basis, confidence}]}",
               body = Object)))]
async fn rules() -> Json<&'static recalls::Deadlines> {
    Json(recalls::deadlines())
}

/// A recall with scope, recovery rate and history
///
/// Public once its notice is published; before that, its producer's and its supervisors' only.
#[utoipa::path(get, path = "/api/v1/recalls/{id}", tag = "recalls", security((), ("bearer" = [])),
    params(("id" = String, Path, description = "recall number (ZL-RC-year-number)")),
    responses((status = 200, description = RECALL_VIEW, body = RecallView),
              (status = 401, description = "unauthorized: a token was sent but is not valid", body = ErrorBody),
              (status = 404, description = "not_found, or not one this reader may see", body = ErrorBody)))]
async fn one(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Path(id): Path<String>,
) -> Result<Json<RecallView>, ApiError> {
    let recall = recall_or_404(&state, &id).await?;
    if !may_read(user.as_ref(), &recall) {
        return Err(ApiError::not_found(format!("no recall {id}")));
    }
    Ok(Json(recall_view(&state, recall).await?))
}

/// Defect report (缺陷报告) or a regulator's case
///
/// An enterprise reports a defect of its own products (every GTIN named, and the trace start's, registered as
/// its own); a regulator or administrator opens a case on a producer of its region, which starts at the
/// investigation.
#[utoipa::path(post, path = "/api/v1/recalls", tag = "recalls", security(("bearer" = [])),
    request_body = ReportBody,
    responses((status = 201, description = RECALL_VIEW, body = RecallView),
              (status = 400, description = "invalid_request naming the field, invalid_uscc, invalid_gtin, invalid_epc",
               body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 422, description = "unknown_organization, unknown_product", body = ErrorBody)))]
async fn report(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<ReportBody>, JsonRejection>,
) -> Result<(StatusCode, Json<RecallView>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    let recall = create_recall(&state, &user, body).await?;
    Ok((StatusCode::CREATED, Json(recall_view(&state, recall).await?)))
}

/// A stage's handler with its documentation: the answers every stage has, and those of its own after them.
macro_rules! stage_handler {
    ($name:ident, $stage:expr, $path:tt, $summary:tt, $description:tt $(, $response:tt)*) => {
        #[utoipa::path(post, path = $path, tag = "recalls", security(("bearer" = [])),
            summary = $summary, description = $description,
            params(("id" = String, Path, description = "recall number (ZL-RC-year-number)")),
            request_body = StageBody,
            responses((status = 200, description = RECALL_AFTER_STAGE, body = RecallView),
                      (status = 400, description = "invalid_request naming the field", body = ErrorBody),
                      (status = 401, description = "unauthorized", body = ErrorBody),
                      (status = 403, description = "forbidden", body = ErrorBody),
                      (status = 404, description = "not_found", body = ErrorBody),
                      (status = 409, description = "wrong_state: the recall's status does not allow the stage now",
                       body = ErrorBody)
                      $(, $response)*))]
        async fn $name(
            State(state): State<AppState>,
            AuthUser(user): AuthUser,
            Path(id): Path<String>,
            body: Result<Json<StageBody>, JsonRejection>,
        ) -> Result<Json<RecallView>, ApiError> {
            let Json(body) = body.map_err(json_rejection)?;
            Ok(Json(service::recalls::advance(&state, &user, &id, $stage, body).await?))
        }
    };
}

stage_handler!(
    investigation,
    Stage::Investigation,
    "/api/v1/recalls/{id}/investigation",
    "The regulator opens the investigation",
    "A regulator of the producer's region, or an administrator."
);
stage_handler!(
    decision,
    Stage::Decision,
    "/api/v1/recalls/{id}/decision",
    "Decide: voluntary (producer or regulator), ordered or no_recall (regulator)",
    "`decision` is required. no_recall closes the recall; otherwise the plan is due within the configured working \
     days, and an ordered vehicle recall records when the objection window closes (`objection_due_on`)."
);
stage_handler!(
    objection,
    Stage::Objection,
    "/api/v1/recalls/{id}/objection",
    "A vehicle producer objects to an order within the configured working days",
    "The producer only; `note`, the reason, is required. The regulator then decides again.",
    (status = 422, description = "objection_window_closed", body = ErrorBody)
);
stage_handler!(
    scope,
    Stage::Scope,
    "/api/v1/recalls/{id}/scope",
    "Recompute the scope from the trace",
    "The producer or a supervisor. Traces forward from `trace_start`, or the recall's own, and keeps the lots, \
     units produced and distributed, receivers, regions and organizations reached; a producer traces only from a \
     product of its own.",
    (status = 422, description = "unknown_product: the traced product is not registered", body = ErrorBody)
);
stage_handler!(
    plan,
    Stage::Plan,
    "/api/v1/recalls/{id}/plan",
    "The recall plan with the DPAC fields",
    "The producer (or a supervisor); `remedy` is required. The scope is computed from the trace first when the \
     recall has none. A regulator of the producer's region then reviews the plan."
);
stage_handler!(
    plan_review,
    Stage::PlanReview,
    "/api/v1/recalls/{id}/plan-review",
    "A regulator of the producer's region accepts the plan (accepted: true) or returns it with a note",
    "`accepted` is required, and `note` when the plan is returned; a returned plan is filed again."
);
stage_handler!(
    notice,
    Stage::Notice,
    "/api/v1/recalls/{id}/notice",
    "Publish the public notice, once the plan is accepted",
    "The producer or a supervisor; `title` and `body` are required. The recall is then public."
);
stage_handler!(
    progress,
    Stage::Progress,
    "/api/v1/recalls/{id}/progress",
    "Units recovered so far (cumulative)",
    "The producer or a supervisor; `units_recovered` is required, never less than reported before nor more than \
     the units distributed."
);
stage_handler!(
    completion,
    Stage::Completion,
    "/api/v1/recalls/{id}/completion",
    "The producer declares the recall completed",
    "The producer or a supervisor; `units_recovered` may give the final count. The summary report is then due."
);
stage_handler!(
    summary,
    Stage::Summary,
    "/api/v1/recalls/{id}/summary",
    "The summary report",
    "The producer or a supervisor; `body`, the report, is required."
);
stage_handler!(
    evaluation,
    Stage::Evaluation,
    "/api/v1/recalls/{id}/evaluation",
    "The regulator's effectiveness evaluation",
    "A regulator of the producer's region; `effective` is required. It keeps the recovery rate with the verdict \
     and ends the workflow."
);
