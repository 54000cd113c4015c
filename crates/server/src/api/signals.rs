//! Risk signals (风险信号) from injury reports: disproportionality of product × hazard pairs (PRR, ROR, χ², the
//! shrinkage IC, BCPNN and the gamma-Poisson shrinker) and temporal alarms on weekly counts per product (the
//! flexible Farrington detector). Each signal carries its method and parameters. The sources are injury cases,
//! supervision sampling failures and complaints.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use serde_json::{json, Value};
use stats::disproportionality::Table;
use stats::gps::{squash, Prior};
use stats::temporal::{cusum, ears, ewma, farrington_flexible, poisson_glr, Ears, FarringtonConfig, ThresholdMethod};

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

/// Weekly counts of one product for the last `weeks` weeks up to `to`, with the detector's expected value and
/// threshold for each: what a signal's chart draws.
pub(crate) async fn series(
    state: &AppState,
    source: Source,
    detector: Detector,
    product_code: &str,
    region: Option<&str>,
    to: NaiveDate,
    weeks: usize,
) -> Result<Value, ApiError> {
    let config = FarringtonConfig::default();
    let span = (config.years + 1) * config.period + weeks;
    let from = to - Duration::days((span * 7) as i64 - 1);
    let daily = source.daily(state, &from.to_string(), &to.to_string(), region.is_some()).await?;
    let mut counts = vec![0.0; span];
    for (product, row_region, day, n) in &daily {
        if product != product_code || region.is_some_and(|r| r != row_region) {
            continue;
        }
        let Ok(day) = NaiveDate::parse_from_str(day, "%Y-%m-%d") else { continue };
        let back = (to - day).num_days();
        if (0..(span as i64) * 7).contains(&back) {
            counts[span - 1 - (back / 7) as usize] += *n as f64;
        }
    }
    let mut out = json!({"product_code": product_code, "region": region, "method": detector.name(), "weeks": [],
        "observed": [], "expected": [], "upper": [], "statistic": [], "limit": [], "alarm": []});
    for k in span - weeks..span {
        let week_ending = to - Duration::days(((span - 1 - k) * 7) as i64);
        let verdict = detector.assess(&counts, k, &config);
        let mut push = |key: &str, value: Value| out[key].as_array_mut().expect("array").push(value);
        push("weeks", json!(week_ending.to_string()));
        push("observed", json!(counts[k]));
        push("expected", json!(verdict.map(|v| v.expected)));
        push("upper", json!(verdict.and_then(|v| v.upper)));
        push("statistic", json!(verdict.map(|v| v.statistic)));
        push("limit", json!(verdict.map(|v| v.limit)));
        push("alarm", json!(verdict.is_some_and(|v| v.alarm)));
    }
    Ok(out)
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
    if !matches!(user.role, store::Role::Admin | store::Role::Regulator) {
        return Err(ApiError::forbidden("signals are for regulators"));
    }
    let to = match optional_text(params.to) {
        Some(text) => input::date("to", &text)?,
        None => crate::api::recalls::today(),
    };
    let weeks = params.weeks.unwrap_or(52).clamp(1, 260);
    let source = Source::parse(params.source.as_deref())?;
    let region = optional_text(params.region);
    let method = optional_text(params.method).unwrap_or_else(|| "farrington".into());
    let detector = Detector::parse(&method)
        .ok_or_else(|| ApiError::invalid(format!("method '{method}' is not a temporal detector")))?;
    Ok(Json(series(&state, source, detector, params.product_code.trim(), region.as_deref(), to, weeks).await?))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignalParams {
    pub source: Option<String>,
    pub method: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Temporal detection per product and province rather than per product.
    #[serde(default)]
    pub by_region: bool,
}

/// Disproportionality over the period's product × hazard table: every pair flagged by the Evans rule, a
/// positive IC025 or an EB05 of at least 2, with all its statistics.
fn disproportionality(table: &[(String, String, u64)]) -> Value {
    let total: u64 = table.iter().map(|c| c.2).sum();
    let mut rows: BTreeMap<&str, u64> = BTreeMap::new();
    let mut columns: BTreeMap<&str, u64> = BTreeMap::new();
    for (product, hazard, n) in table {
        *rows.entry(product).or_default() += n;
        *columns.entry(hazard).or_default() += n;
    }
    let cells: Vec<(u64, f64)> = table
        .iter()
        .map(|(p, h, n)| (*n, rows[p.as_str()] as f64 * columns[h.as_str()] as f64 / total as f64))
        .collect();
    let start = Prior { alpha1: 0.2, beta1: 0.1, alpha2: 2.0, beta2: 4.0, p: 1.0 / 3.0 };
    let prior = (cells.len() >= 5).then(|| Prior::fit_weighted(&squash(&cells, 100), start));
    let mut signals = Vec::new();
    for (product, hazard, a) in table {
        let (row, column) = (rows[product.as_str()], columns[hazard.as_str()]);
        let statistics = Table { a: *a, b: row - a, c: column - a, d: total - row - column + a }.statistics();
        let posterior = prior.map(|p| p.posterior(*a, statistics.expected));
        let flagged = statistics.evans_signal || statistics.ic025 > 0.0 || posterior.is_some_and(|p| p.eb05 >= 2.0);
        if !flagged {
            continue;
        }
        signals.push(json!({
            "product_code": product, "hazard": hazard, "cases": a, "expected": statistics.expected,
            "prr": statistics.prr, "prr_lower": statistics.prr_lower, "chi2": statistics.chi2,
            "ror": statistics.ror, "ror_lower": statistics.ror_lower,
            "ic": statistics.ic, "ic025": statistics.ic025, "bcpnn_ic025": statistics.bcpnn_ic025,
            "ebgm": posterior.map(|p| p.ebgm), "eb05": posterior.map(|p| p.eb05), "eb95": posterior.map(|p| p.eb95),
            "evans": statistics.evans_signal,
        }));
    }
    signals.sort_by(|a, b| b["eb05"].as_f64().unwrap_or(0.0).total_cmp(&a["eb05"].as_f64().unwrap_or(0.0)));
    json!({
        "method": "disproportionality",
        "parameters": {
            "rules": "flagged when Evans (PRR ≥ 2, χ² ≥ 4, n ≥ 3), IC025 > 0, or EB05 ≥ 2",
            "prior": prior.map(|p| json!({"alpha1": p.alpha1, "beta1": p.beta1, "alpha2": p.alpha2, "beta2": p.beta2, "p": p.p})),
            "reports": total,
            "cells": table.len(),
        },
        "signals": signals,
    })
}

/// Alarms of a temporal detector for the week ending on `to`, per product (and region), over weekly counts of the
/// years before.
fn temporal(daily: &[Daily], to: NaiveDate, detector: Detector, config: &FarringtonConfig) -> Value {
    let weeks = (config.years + 1) * config.period;
    let mut series: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
    for (product, region, day, n) in daily {
        let Ok(day) = NaiveDate::parse_from_str(day, "%Y-%m-%d") else { continue };
        let back = (to - day).num_days();
        if !(0..(weeks as i64) * 7).contains(&back) {
            continue;
        }
        let week = weeks - 1 - (back / 7) as usize;
        series.entry((product, region)).or_insert_with(|| vec![0.0; weeks])[week] += *n as f64;
    }
    let mut signals = Vec::new();
    for ((product, region), counts) in &series {
        let Some(verdict) = detector.assess(counts, weeks - 1, config) else { continue };
        if verdict.alarm {
            signals.push(json!({
                "product_code": product, "region": (!region.is_empty()).then_some(region),
                "week_ending": to.to_string(), "observed": counts[weeks - 1],
                "expected": verdict.expected, "upper": verdict.upper, "statistic": verdict.statistic, "limit": verdict.limit,
            }));
        }
    }
    let mut parameters = detector.parameters(config);
    parameters["series"] = json!(series.len());
    json!({"method": detector.name(), "parameters": parameters, "signals": signals})
}

/// A temporal detector and its settings, as the API names them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Detector {
    /// Flexible Farrington with Noufaily's settings.
    Farrington,
    /// EARS C1, C2 or C3: alarm when the statistic reaches 3 (C1, C2) or 2 (C3).
    Ears(Ears),
    /// Upper CUSUM over the last `MONITOR` weeks against the year before them: k = 0.5, h = 4 (in σ).
    Cusum,
    /// EWMA (λ = 0.3, L = 3) over the last `MONITOR` weeks against the year before them.
    Ewma,
    /// Poisson GLR for an increase over the year before the last `MONITOR` weeks; alarm at 5.
    Glr,
}

/// Weeks a CUSUM, EWMA or GLR monitors; the 52 weeks before them are the in-control baseline.
const MONITOR: usize = 8;
const BASELINE: usize = 52;

/// What a detector says about one week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Verdict {
    /// The count expected from the baseline.
    pub expected: f64,
    /// The count at which the week would alarm, where the detector sets one on counts.
    pub upper: Option<f64>,
    /// The detector's own statistic and its alarm level.
    pub statistic: f64,
    pub limit: f64,
    pub alarm: bool,
}

impl Detector {
    pub(crate) fn parse(method: &str) -> Option<Detector> {
        Some(match method {
            "farrington" => Detector::Farrington,
            "ears_c1" => Detector::Ears(Ears::C1),
            "ears_c2" => Detector::Ears(Ears::C2),
            "ears_c3" => Detector::Ears(Ears::C3),
            "cusum" => Detector::Cusum,
            "ewma" => Detector::Ewma,
            "glr" => Detector::Glr,
            _ => return None,
        })
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Detector::Farrington => "farrington",
            Detector::Ears(Ears::C1) => "ears_c1",
            Detector::Ears(Ears::C2) => "ears_c2",
            Detector::Ears(Ears::C3) => "ears_c3",
            Detector::Cusum => "cusum",
            Detector::Ewma => "ewma",
            Detector::Glr => "glr",
        }
    }

    /// The method's parameters, stored beside every signal.
    fn parameters(self, config: &FarringtonConfig) -> Value {
        match self {
            Detector::Farrington => {
                let threshold = match config.threshold {
                    ThresholdMethod::Delta(_) => "farrington",
                    ThresholdMethod::Noufaily(_) => "noufaily negative binomial",
                };
                json!({"years": config.years, "half_window": config.half_window, "seasonal_periods": config.seasonal_periods,
                    "past_weeks_excluded": config.past_weeks_excluded, "alpha": config.alpha, "threshold": threshold,
                    "reweight": config.reweight, "weights_threshold": config.weights_threshold,
                    "minimum": format!("{} cases in {} weeks", config.limit_cases, config.limit_weeks)})
            }
            Detector::Ears(method) => {
                json!({"baseline_weeks": 7, "guard_weeks": if method == Ears::C1 { 0 } else { 2 },
                "limit": if method == Ears::C3 { 2.0 } else { 3.0 }})
            }
            Detector::Cusum => {
                json!({"baseline_weeks": BASELINE, "monitored_weeks": MONITOR, "k_sigma": 0.5, "h_sigma": 4.0,
                "sigma": "baseline standard deviation, at least √mean"})
            }
            Detector::Ewma => json!({"baseline_weeks": BASELINE, "monitored_weeks": MONITOR, "lambda": 0.3, "l": 3.0}),
            Detector::Glr => json!({"baseline_weeks": BASELINE, "monitored_weeks": MONITOR, "threshold": 5.0}),
        }
    }

    /// The verdict on week `k` of `counts` from the weeks up to it; `None` without enough history or reports.
    pub(crate) fn assess(self, counts: &[f64], k: usize, config: &FarringtonConfig) -> Option<Verdict> {
        if self == Detector::Farrington {
            let result = farrington_flexible(counts, k, config)?;
            return Some(Verdict {
                expected: result.expected,
                upper: Some(result.threshold.upper),
                statistic: result.threshold.score,
                limit: 1.0,
                alarm: result.alarm,
            });
        }
        if let Detector::Ears(method) = self {
            let start = k.checked_sub(12)?;
            let window = &counts[start..=k];
            let statistic = ears(window, method).last().copied().flatten()?;
            let lag = if method == Ears::C1 { 1 } else { 3 };
            let baseline = &window[window.len() - lag - 7..window.len() - lag];
            let mean = baseline.iter().sum::<f64>() / 7.0;
            let sd = (baseline.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 6.0).sqrt();
            let limit = if method == Ears::C3 { 2.0 } else { 3.0 };
            let upper = (method != Ears::C3).then_some(mean + limit * sd);
            return Some(Verdict {
                expected: mean,
                upper,
                statistic,
                limit,
                alarm: statistic >= limit && counts[k] > 0.0,
            });
        }
        let start = (k + 1).checked_sub(MONITOR + BASELINE)?;
        let baseline = &counts[start..start + BASELINE];
        let monitored = &counts[start + BASELINE..=k];
        let mean = baseline.iter().sum::<f64>() / BASELINE as f64;
        if baseline.iter().chain(monitored).sum::<f64>() < 5.0 {
            return None;
        }
        let variance = baseline.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (BASELINE - 1) as f64;
        let sigma = variance.sqrt().max(mean.sqrt()).max(0.5);
        Some(match self {
            Detector::Cusum => {
                let chart = cusum(monitored, mean, sigma, 0.5, 4.0, 0.0);
                let statistic = *chart.statistic.last()?;
                Verdict { expected: mean, upper: None, statistic, limit: 4.0 * sigma, alarm: statistic > 4.0 * sigma }
            }
            Detector::Ewma => {
                let chart = ewma(monitored, mean, sigma, 0.3, 3.0);
                let (statistic, limit) = (*chart.statistic.last()?, *chart.upper.last()?);
                Verdict { expected: mean, upper: None, statistic, limit, alarm: statistic > limit }
            }
            _ => {
                let whole: Vec<u64> = monitored.iter().map(|v| v.round().max(0.0) as u64).collect();
                let (statistic, _) = poisson_glr(&whole, mean.max(0.1), 5.0);
                let statistic = *statistic.last()?;
                Verdict { expected: mean, upper: None, statistic, limit: 5.0, alarm: statistic >= 5.0 }
            }
        })
    }
}

/// Reports of one product (and region, or empty) on one day.
type Daily = (String, String, String, u64);

/// Where reports come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// Sentinel-hospital injury cases: product × hazard (or diagnosis).
    Injuries,
    /// Supervision sampling failures: product category × failed test item.
    Inspections,
    /// Complaints and reports (not enquiries): product category × issue type.
    Complaints,
}

impl Source {
    /// Reads the `source` parameter (injuries by default).
    pub(crate) fn parse(value: Option<&str>) -> Result<Self, ApiError> {
        match value.map(str::trim).filter(|v| !v.is_empty()).unwrap_or("injuries") {
            "injuries" => Ok(Source::Injuries),
            "inspections" => Ok(Source::Inspections),
            "complaints" => Ok(Source::Complaints),
            other => Err(ApiError::invalid(format!("source '{other}' is not injuries, inspections or complaints"))),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Source::Injuries => "injuries",
            Source::Inspections => "inspections",
            Source::Complaints => "complaints",
        }
    }

    /// Report counts per product × hazard in a period.
    async fn table(self, state: &AppState, from: &str, to: &str) -> Result<Vec<(String, String, u64)>, ApiError> {
        match self {
            Source::Injuries => Ok(state.store.injury_table(from, to).await?),
            Source::Complaints => Ok(state.store.complaint_table(from, to).await?),
            Source::Inspections => {
                let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
                for (category, _, _, items) in state.store.failures_between(from, to).await? {
                    let items: Vec<&str> = items.split([';', '；']).map(str::trim).filter(|i| !i.is_empty()).collect();
                    for item in if items.is_empty() { vec!["(unspecified)"] } else { items } {
                        *counts.entry((category.clone(), item.to_owned())).or_default() += 1;
                    }
                }
                Ok(counts.into_iter().map(|((c, i), n)| (c, i, n)).collect())
            }
        }
    }

    /// Report counts per product, region (empty unless `by_region`) and day in a period.
    async fn daily(self, state: &AppState, from: &str, to: &str, by_region: bool) -> Result<Vec<Daily>, ApiError> {
        match self {
            Source::Injuries => Ok(state.store.injury_daily(from, to, by_region).await?),
            Source::Complaints => Ok(state.store.complaint_daily(from, to, by_region).await?),
            Source::Inspections => {
                let mut counts: BTreeMap<(String, String, String), u64> = BTreeMap::new();
                for (category, province, day, _) in state.store.failures_between(from, to).await? {
                    let region = if by_region { province } else { String::new() };
                    *counts.entry((category, region, day)).or_default() += 1;
                }
                Ok(counts.into_iter().map(|((c, r, d), n)| (c, r, d, n)).collect())
            }
        }
    }
}

/// The signals of one method over stored reports of a source, for regulators.
pub(crate) async fn compute(
    state: &AppState,
    user: &store::User,
    source: Source,
    method: Option<String>,
    from: Option<String>,
    to: Option<String>,
    by_region: bool,
) -> Result<Value, ApiError> {
    if !matches!(user.role, store::Role::Admin | store::Role::Regulator) {
        return Err(ApiError::forbidden("signals are for regulators"));
    }
    let to = match optional_text(to) {
        Some(text) => input::date("to", &text)?,
        None => crate::api::recalls::today(),
    };
    let method = optional_text(method).unwrap_or_else(|| "disproportionality".into());
    let mut answer = match method.as_str() {
        "disproportionality" => {
            let from = match optional_text(from) {
                Some(text) => input::date("from", &text)?,
                None => to - Duration::days(365),
            };
            let mut answer = disproportionality(&source.table(state, &from.to_string(), &to.to_string()).await?);
            answer["period"] = json!({"from": from.to_string(), "to": to.to_string()});
            answer
        }
        other => {
            let detector = Detector::parse(other).ok_or_else(|| {
                ApiError::invalid(format!("method '{other}' is not disproportionality, farrington, ears_c1, ears_c2, ears_c3, cusum, ewma or glr"),
                )
            })?;
            let config = FarringtonConfig::default();
            let from = to - Duration::days(((config.years + 1) * config.period * 7) as i64 - 1);
            let daily = source.daily(state, &from.to_string(), &to.to_string(), by_region).await?;
            let mut answer = temporal(&daily, to, detector, &config);
            answer["period"] = json!({"from": from.to_string(), "to": to.to_string()});
            answer
        }
    };
    answer["source"] = json!(source.name());
    Ok(answer)
}

/// `GET /api/v1/signals?source=&method=disproportionality|farrington|ears_c1|ears_c2|ears_c3|cusum|ewma|glr&from=&to=`:
/// for regulators.
async fn signals(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(params): Query<SignalParams>,
) -> Result<Json<Value>, ApiError> {
    let source = Source::parse(params.source.as_deref())?;
    Ok(Json(compute(&state, &user, source, params.method, params.from, params.to, params.by_region).await?))
}

/// Computes signals and keeps them with their method, parameters, period and source; returns the stored run.
pub(crate) async fn compute_and_keep(
    state: &AppState,
    user: &store::User,
    params: SignalParams,
) -> Result<store::warnings::SignalRun, ApiError> {
    let source = Source::parse(params.source.as_deref())?;
    let answer = compute(state, user, source, params.method, params.from, params.to, params.by_region).await?;
    let signals = answer["signals"].clone();
    let mut run = store::warnings::SignalRun {
        id: 0,
        source: source.name().into(),
        method: answer["method"].as_str().unwrap_or_default().into(),
        by_region: params.by_region,
        period_from: answer["period"]["from"].as_str().unwrap_or_default().into(),
        period_to: answer["period"]["to"].as_str().unwrap_or_default().into(),
        parameters: answer["parameters"].clone(),
        signal_count: signals.as_array().map_or(0, |s| s.len() as i64),
        signals,
        user_id: Some(user.id),
        computed_at: String::new(),
    };
    run.id = state.store.save_signal_run(&run).await?;
    state.store.signal_run(run.id).await?.ok_or_else(|| ApiError::not_found("the run just stored is gone"))
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

fn regulator(user: &store::User) -> Result<(), ApiError> {
    match user.role {
        store::Role::Admin | store::Role::Regulator => Ok(()),
        _ => Err(ApiError::forbidden("signals are for regulators")),
    }
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
