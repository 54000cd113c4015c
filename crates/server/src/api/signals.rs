//! `/api/v1/signals`: risk signals (风险信号) of a source's reports, and the kept runs. The computation is
//! [`service::signals`]'s over the `signals` room.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use service::error::ErrorBody;
use service::signals::{compute, compute_and_keep, regulator, series, source, SignalAnswer, SignalParams};
use signals::Detector;
use store::warnings::SignalRun;

use crate::auth::AuthUser;
use crate::input::{self, optional_text};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/signals", get(signals))
        .route("/api/v1/signals/series", get(series_handler))
        .route("/api/v1/signals/runs", get(runs).post(run))
        .route("/api/v1/signals/runs/{id}", get(one_run))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(signals, series_handler, runs, run, one_run))]
pub(super) struct Api;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SeriesParams {
    /// injuries (the default), inspections or complaints.
    source: Option<String>,
    /// A temporal detector: farrington (the default), ears_c1, ears_c2, ears_c3, cusum, ewma or glr.
    method: Option<String>,
    /// A province's GB/T 2260 code (e.g. 110000): count only its reports.
    region: Option<String>,
    /// Product category code (the catalogue's).
    product_code: String,
    /// The last week ends on this day (YYYY-MM-DD); default: today.
    #[param(format = Date)]
    to: Option<String>,
    /// Weeks to chart, 52 by default; clamped to 1–260.
    #[param(default = 52)]
    weeks: Option<usize>,
}

/// A product's weekly counts with the detector's expected value and threshold per week (regulators)
///
/// Injury counts by default; `source` picks sampling failures or complaints instead.
#[utoipa::path(get, path = "/api/v1/signals/series", tag = "injuries and signals", security(("bearer" = [])),
    params(SeriesParams),
    responses((status = 200, body = signals::Series,
               description = "parallel arrays, one entry per week (weeks holds each week's last day)"),
              (status = 400, description = "invalid_request: not a temporal detector, an unknown source or a \
                   malformed date", body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn series_handler(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(params): Query<SeriesParams>,
) -> Result<Json<signals::Series>, ApiError> {
    regulator(&user)?;
    let to = match optional_text(params.to) {
        Some(text) => input::date("to", &text)?,
        None => crate::today(),
    };
    let weeks = params.weeks.unwrap_or(52).clamp(1, 260);
    let source = source(params.source.as_deref())?;
    let region = optional_text(params.region);
    let method = optional_text(params.method).unwrap_or_else(|| Detector::Farrington.name().into());
    let detector = Detector::parse(&method)
        .ok_or_else(|| ApiError::invalid(format!("method '{method}' is not a temporal detector")))?;
    Ok(Json(series(&state, source, detector, params.product_code.trim(), region.as_deref(), to, weeks).await?))
}

/// Risk signals from injury reports, sampling failures or complaints (regulators)
///
/// Disproportionality (PRR, ROR, χ², IC, BCPNN, EBGM) or temporal alarms (Farrington, EARS C1–C3, CUSUM, EWMA,
/// GLR), each signal with its method and parameters.
#[utoipa::path(get, path = "/api/v1/signals", tag = "injuries and signals", security(("bearer" = [])),
    params(SignalParams),
    responses((status = 200, description = "the signals with the method, its parameters, the period and the source",
               body = SignalAnswer),
              (status = 400, description = "invalid_request: an unknown source or method, or a malformed date",
               body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn signals(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(params): Query<SignalParams>,
) -> Result<Json<SignalAnswer>, ApiError> {
    let source = source(params.source.as_deref())?;
    Ok(Json(compute(&state, &user, source, params.method, params.from, params.to, params.by_region).await?))
}

/// Compute signals and keep them (regulators)
///
/// The parameters of `GET /api/v1/signals` as a JSON body; the run is kept with its method, parameters, period and
/// source.
#[utoipa::path(post, path = "/api/v1/signals/runs", tag = "injuries and signals", security(("bearer" = [])),
    request_body = SignalParams,
    responses((status = 201, description = "the kept run", body = SignalRun),
              (status = 400, description = "invalid_request: an unknown source or method, or a malformed date",
               body = ErrorBody),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn run(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<SignalParams>, axum::extract::rejection::JsonRejection>,
) -> Result<(axum::http::StatusCode, Json<SignalRun>), ApiError> {
    let Json(params) = body.map_err(super::json_rejection)?;
    Ok((axum::http::StatusCode::CREATED, Json(compute_and_keep(&state, &user, params).await?)))
}

/// The latest kept runs, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct SignalRuns {
    /// At most 100, each without its signals.
    items: Vec<SignalRun>,
}

/// The latest kept computations, without their signals (regulators)
#[utoipa::path(get, path = "/api/v1/signals/runs", tag = "injuries and signals", security(("bearer" = [])),
    responses((status = 200, description = "{items}", body = SignalRuns),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody)))]
async fn runs(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<SignalRuns>, ApiError> {
    regulator(&user)?;
    Ok(Json(SignalRuns { items: state.store.signal_runs(100).await? }))
}

/// A kept computation with its signals (regulators)
#[utoipa::path(get, path = "/api/v1/signals/runs/{id}", tag = "injuries and signals", security(("bearer" = [])),
    params(("id" = i64, Path, description = "the run's id")),
    responses((status = 200, description = "the run", body = SignalRun),
              (status = 401, description = "unauthorized", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn one_run(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Json<SignalRun>, ApiError> {
    regulator(&user)?;
    Ok(Json(state.store.signal_run(id).await?.ok_or_else(|| ApiError::not_found(format!("no signal run {id}")))?))
}
