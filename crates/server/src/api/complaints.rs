//! `/api/v1/complaints`: complaints, reports and enquiries (投诉举报咨询). The use cases are
//! [`service::complaints`]'s; this module reads requests, limits the public's submissions and writes answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use service::complaints::{
    audience, counts, load, load_view, resolve, submit_filing, submitter_action, tracked, work_queue, Audience,
    ComplaintCounts, ComplaintQueue, ComplaintReceipt, FilingView, QueueParams, StatsParams, StepBody, TrackBody,
};
use service::error::ErrorBody;
use store::Role;

use super::json_rejection;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::input::ComplaintFields;
pub(crate) use crate::web::ClientAddress;
use crate::{ApiError, AppState};
use complaints::classify;
use complaints::{RefusalGround, TerminationGround};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/complaints", post(submit).get(queue))
        .route("/api/v1/complaints/classifier", get(classifier))
        .route("/api/v1/complaints/stats", get(stats))
        .route("/api/v1/complaints/track", post(track))
        .route("/api/v1/complaints/track/{action}", post(submitter_step))
        .route("/api/v1/complaints/{id}", get(one))
        .route("/api/v1/complaints/{id}/{action}", post(step))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(submit, queue, classifier, stats, track, submitter_step, one, step))]
pub(super) struct Api;

/// File a complaint (投诉), report (举报, may be anonymous) or enquiry (咨询)
///
/// Public and rate-limited per address; a regulator's clerk may give received_on. Checked, routed to the regulator
/// with jurisdiction (master data, the USCC's issuing region, the address, a platform's domicile, or region_code)
/// and classified. Answers the tracking number and the secret once, with the working-day deadlines.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", security((), ("bearer" = [])),
    request_body = ComplaintFields,
    responses((status = 201, description = "filed: the receipt, with the secret shown only now",
               body = ComplaintReceipt),
              (status = 400, description = "invalid_request, invalid_kind, invalid_uscc, invalid_gtin, invalid_region, \
                                            invalid_phone, invalid_id_number, unroutable", body = ErrorBody),
              (status = 401, description = "unauthorized: a bearer token that is not valid", body = ErrorBody),
              (status = 429, description = "rate_limited: too many submissions from this address", body = ErrorBody)))]
pub(crate) async fn submit(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    ClientAddress(client): ClientAddress,
    body: Result<Json<ComplaintFields>, JsonRejection>,
) -> Result<(StatusCode, Json<ComplaintReceipt>), ApiError> {
    let Json(fields) = body.map_err(json_rejection)?;
    let clerk = user.as_ref().is_some_and(|u| matches!(u.role, Role::Admin | Role::Regulator));
    if !clerk {
        webkit::public_submission_allowed(&state, client)?;
    }
    Ok((StatusCode::CREATED, Json(submit_filing(&state, fields, user.as_ref()).await?)))
}

/// A filing with its deadlines and history
///
/// In full for the handling regulator, masked for the respondent enterprise (complaints only; reports never reach
/// the respondent).
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints", security(("bearer" = [])),
    params(("id" = String, Path, description = "the filing's id or its tracking number")),
    responses((status = 200, description = "the filing", body = FilingView),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 404, description = "not_found, also for a filing this account may not see", body = ErrorBody)))]
pub(crate) async fn one(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(reference): Path<String>,
) -> Result<Json<FilingView>, ApiError> {
    let id = resolve(&state, &reference).await?;
    let complaint = load(&state, id).await?;
    let audience = audience(&user, &complaint).ok_or_else(|| ApiError::not_found(format!("no complaint {id}")))?;
    Ok(Json(load_view(&state, &complaint, audience).await?))
}

/// The work queue: open work due within `within_days` (default 3) under the regulator's jurisdiction or `region`
///
/// Earliest deadline first, with overdue and due counts; an enterprise gets the complaints against it.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints", security(("bearer" = [])), params(QueueParams),
    responses((status = 200, description = "{today, due_by, overdue, due, items}; for an enterprise {items}",
               body = ComplaintQueue),
              (status = 400, description = "invalid_region, invalid_request", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: a role without a queue, or a region outside the jurisdiction",
               body = ErrorBody)))]
pub(crate) async fn queue(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(params): Query<QueueParams>,
) -> Result<Json<ComplaintQueue>, ApiError> {
    Ok(Json(work_queue(&state, &user, params).await?))
}

/// The classifier's rules and the grounds of refusal and termination.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ClassifierRules {
    version: String,
    method: String,
    /// Terms per product category.
    categories: Vec<ClassifierLabel>,
    /// Terms per issue type.
    issues: Vec<ClassifierLabel>,
    /// Grounds for not accepting a complaint (Art 15), by their number.
    refusal_grounds: Vec<Ground>,
    /// Grounds for ending mediation (Art 21).
    termination_grounds: Vec<Ground>,
}

/// A label of the classifier with the terms that find it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ClassifierLabel {
    code: String,
    name_zh: Option<String>,
    name_en: Option<String>,
    terms: Vec<String>,
}

/// A legal ground, by the code a step gives.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ComplaintGround)]
struct Ground {
    code: &'static str,
    zh: &'static str,
    en: &'static str,
}

/// The classifier's rules (terms per product category and issue type), and the refusal and termination grounds
#[utoipa::path(get, path = "/api/v1/complaints/classifier", tag = "complaints",
    responses((status = 200, description = "the rules", body = ClassifierRules)))]
async fn classifier() -> Json<ClassifierRules> {
    let rules = classify::classifier();
    let labels = |labels: &[classify::Label]| -> Vec<ClassifierLabel> {
        labels
            .iter()
            .map(|l| ClassifierLabel {
                code: l.code.clone(),
                name_zh: l.name_zh.clone(),
                name_en: l.name_en.clone(),
                terms: l.terms.clone(),
            })
            .collect()
    };
    Json(ClassifierRules {
        version: rules.version.clone(),
        method: rules.method.clone(),
        categories: labels(&rules.categories),
        issues: labels(&rules.issues),
        refusal_grounds: RefusalGround::ALL
            .iter()
            .map(|g| Ground { code: g.as_str(), zh: g.name_zh(), en: g.name_en() })
            .collect(),
        termination_grounds: TerminationGround::ALL
            .iter()
            .map(|g| Ground { code: g.as_str(), zh: g.name_zh(), en: g.name_en() })
            .collect(),
    })
}

/// Counts of filings received in a period, with shares and rates per 30 days
///
/// By kind, category, issue, province, month, status, outcome, or respondent (regulators only).
#[utoipa::path(get, path = "/api/v1/complaints/stats", tag = "complaints", security((), ("bearer" = [])),
    params(StatsParams),
    responses((status = 200, description = "{group_by, from, to, region, total, groups}", body = ComplaintCounts),
              (status = 400, description = "invalid_request (group_by, dates), invalid_region", body = ErrorBody),
              (status = 401, description = "unauthorized: a bearer token that is not valid", body = ErrorBody),
              (status = 403, description = "forbidden: counts per respondent are for regulators", body = ErrorBody)))]
async fn stats(
    State(state): State<AppState>,
    MaybeAuthUser(user): MaybeAuthUser,
    Query(params): Query<StatsParams>,
) -> Result<Json<ComplaintCounts>, ApiError> {
    Ok(Json(counts(&state, user.as_ref(), params).await?))
}

/// The submitter follows a filing with {tracking_number, secret}: masked view, deadlines, history
#[utoipa::path(post, path = "/api/v1/complaints/track", tag = "complaints", request_body = TrackBody,
    responses((status = 200, description = "the filing", body = FilingView),
              (status = 400, description = "invalid_request: tracking_number and secret are required",
               body = ErrorBody),
              (status = 404, description = "not_found: no filing with this tracking number and secret",
               body = ErrorBody)))]
async fn track(
    State(state): State<AppState>,
    body: Result<Json<TrackBody>, JsonRejection>,
) -> Result<Json<FilingView>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    let complaint = tracked(&state, &body).await?;
    Ok(Json(load_view(&state, &complaint, Audience::Party).await?))
}

/// The submitter's steps with {tracking_number, secret}
///
/// settlement (accept the enterprise's answer), withdraw, evaluation (rating 1–5, once closed), reward (payee; a
/// report on which a case was opened, 有奖举报).
#[utoipa::path(post, path = "/api/v1/complaints/track/{action}", tag = "complaints",
    params(("action" = String, Path, description = "settlement, withdraw, evaluation or reward")),
    request_body = TrackBody,
    responses((status = 200, description = "the filing", body = FilingView),
              (status = 400, description = "invalid_request: a missing or unfit field", body = ErrorBody),
              (status = 404, description = "not_found: no such step, or no filing with this number and secret",
               body = ErrorBody),
              (status = 409, description = "wrong_state: the filing's state does not allow the step",
               body = ErrorBody)))]
async fn submitter_step(
    State(state): State<AppState>,
    Path(action): Path<String>,
    body: Result<Json<TrackBody>, JsonRejection>,
) -> Result<Json<FilingView>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    let complaint = submitter_action(&state, &action, body).await?;
    Ok(Json(load_view(&state, &complaint, Audience::Party).await?))
}

/// A handling step with an optional `on` date and `note`
///
/// accept, reject (ground 1–6, Art 15), refer (region_code), mediate (consent), suspend (reason testing with
/// lab_uscc: testing time does not count), resume (result), settle, terminate (ground, Art 21), notify, extend (a
/// report's verification, once), open-case, no-case, answer (enquiry), classify (category, issue), split (a report
/// from a complaint), reward (grade 1–3, amount) and reward-refuse for a claimed reporter's reward;
/// enterprise-response (answer) by the respondent.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/{action}", tag = "complaints", security(("bearer" = [])),
    params(("id" = String, Path, description = "the filing's id or its tracking number"),
           ("action" = String, Path, description = "accept, reject, refer, mediate, suspend, resume, settle, \
                                                    terminate, notify, extend, open-case, no-case, answer, classify, \
                                                    split, reward, reward-refuse or enterprise-response")),
    request_body = StepBody,
    responses((status = 200, description = "the filing as it now stands, with report_id after a split",
               body = FilingView),
              (status = 400, description = "invalid_request, invalid_region, invalid_uscc", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden: outside the account's jurisdiction, or not the respondent",
               body = ErrorBody),
              (status = 404, description = "not_found: no such filing or step", body = ErrorBody),
              (status = 409, description = "wrong_state, conflict", body = ErrorBody)))]
pub(crate) async fn step(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path((reference, action)): Path<(String, String)>,
    body: Result<Json<StepBody>, JsonRejection>,
) -> Result<Json<FilingView>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::complaints::step(&state, &user, &reference, &action, body).await?))
}
