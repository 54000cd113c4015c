//! `/api/v1/signals`: risk signals (风险信号) of a source's reports, and the kept runs. The computation is
//! [`service::signals`]'s over the `signals` room.

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use service::signals::{compute, compute_and_keep, regulator, series, source, SignalParams};
use signals::Detector;

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

#[derive(Debug, Deserialize)]
pub(crate) struct SeriesParams {
    source: Option<String>,
    method: Option<String>,
    region: Option<String>,
    product_code: String,
    to: Option<String>,
    weeks: Option<usize>,
}

/// `GET /api/v1/signals/series?product_code=&to=&weeks=`: for regulators.
async fn series_handler(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(params): Query<SeriesParams>,
) -> Result<Json<Value>, ApiError> {
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

/// `GET /api/v1/signals?source=&method=disproportionality|farrington|ears_c1|ears_c2|ears_c3|cusum|ewma|glr&from=&to=`:
/// for regulators.
async fn signals(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(params): Query<SignalParams>,
) -> Result<Json<Value>, ApiError> {
    let source = source(params.source.as_deref())?;
    Ok(Json(compute(&state, &user, source, params.method, params.from, params.to, params.by_region).await?))
}

/// `POST /api/v1/signals/runs` with the parameters of `GET /api/v1/signals`: computes and keeps the signals.
async fn run(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<SignalParams>, axum::extract::rejection::JsonRejection>,
) -> Result<(axum::http::StatusCode, Json<store::warnings::SignalRun>), ApiError> {
    let Json(params) = body.map_err(super::json_rejection)?;
    Ok((axum::http::StatusCode::CREATED, Json(compute_and_keep(&state, &user, params).await?)))
}

/// `GET /api/v1/signals/runs`: the latest stored computations.
async fn runs(State(state): State<AppState>, AuthUser(user): AuthUser) -> Result<Json<Value>, ApiError> {
    regulator(&user)?;
    Ok(Json(json!({"items": state.store.signal_runs(100).await?})))
}

/// `GET /api/v1/signals/runs/{id}`: a stored computation with its signals.
async fn one_run(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
) -> Result<Json<store::warnings::SignalRun>, ApiError> {
    regulator(&user)?;
    Ok(Json(state.store.signal_run(id).await?.ok_or_else(|| ApiError::not_found(format!("no signal run {id}")))?))
}
