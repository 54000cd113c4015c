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
use stats::temporal::{farrington_flexible, FarringtonConfig, ThresholdMethod};

use crate::auth::AuthUser;
use crate::input::{self, optional_text};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/signals", get(signals)).route("/api/v1/signals/series", get(series_handler))
}

/// Weekly counts of one product for the last `weeks` weeks up to `to`, with the detector's expected value and
/// threshold for each: what a signal's chart draws.
pub(crate) async fn series(
    state: &AppState,
    source: Source,
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
    let mut out = json!({"product_code": product_code, "region": region, "weeks": [], "observed": [], "expected": [], "upper": [], "alarm": []});
    for k in span - weeks..span {
        let week_ending = to - Duration::days(((span - 1 - k) * 7) as i64);
        let result = farrington_flexible(&counts, k, &config);
        out["weeks"].as_array_mut().expect("array").push(json!(week_ending.to_string()));
        out["observed"].as_array_mut().expect("array").push(json!(counts[k]));
        out["expected"].as_array_mut().expect("array").push(json!(result.map(|r| r.expected)));
        out["upper"].as_array_mut().expect("array").push(json!(result.map(|r| r.threshold.upper)));
        out["alarm"].as_array_mut().expect("array").push(json!(result.is_some_and(|r| r.alarm)));
    }
    Ok(out)
}

#[derive(Debug, Deserialize)]
pub(crate) struct SeriesParams {
    source: Option<String>,
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
    Ok(Json(series(&state, source, params.product_code.trim(), region.as_deref(), to, weeks).await?))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignalParams {
    source: Option<String>,
    method: Option<String>,
    from: Option<String>,
    to: Option<String>,
    /// Temporal detection per product and province rather than per product.
    #[serde(default)]
    by_region: bool,
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

/// Farrington alarms for the week ending on `to`, per product, over weekly counts of the years before.
fn temporal(daily: &[Daily], to: NaiveDate, config: &FarringtonConfig) -> Value {
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
        let Some(result) = farrington_flexible(counts, weeks - 1, config) else { continue };
        if result.alarm {
            signals.push(json!({
                "product_code": product, "region": (!region.is_empty()).then_some(region),
                "week_ending": to.to_string(), "observed": counts[weeks - 1],
                "expected": result.expected, "upper": result.threshold.upper, "score": result.threshold.score,
                "p": result.threshold.p, "trend": result.trend, "phi": result.phi,
            }));
        }
    }
    let threshold = match config.threshold {
        ThresholdMethod::Delta(_) => "farrington",
        ThresholdMethod::Noufaily(_) => "noufaily negative binomial",
    };
    json!({
        "method": "farrington",
        "parameters": {
            "years": config.years, "half_window": config.half_window, "seasonal_periods": config.seasonal_periods,
            "past_weeks_excluded": config.past_weeks_excluded, "alpha": config.alpha, "threshold": threshold,
            "reweight": config.reweight, "weights_threshold": config.weights_threshold,
            "minimum": format!("{} cases in {} weeks", config.limit_cases, config.limit_weeks),
            "series": series.len(),
        },
        "signals": signals,
    })
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
            other => Err(ApiError::bad_request(
                "invalid_request",
                format!("source '{other}' is not injuries, inspections or complaints"),
            )),
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
        "farrington" => {
            let config = FarringtonConfig::default();
            let from = to - Duration::days(((config.years + 1) * config.period * 7) as i64 - 1);
            let mut answer =
                temporal(&source.daily(state, &from.to_string(), &to.to_string(), by_region).await?, to, &config);
            answer["period"] = json!({"from": from.to_string(), "to": to.to_string()});
            answer
        }
        other => {
            return Err(ApiError::bad_request(
                "invalid_request",
                format!("method '{other}' is not disproportionality or farrington"),
            ))
        }
    };
    answer["source"] = json!(source.name());
    Ok(answer)
}

/// `GET /api/v1/signals?source=injuries&method=disproportionality|farrington&from=&to=`: for regulators.
async fn signals(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Query(params): Query<SignalParams>,
) -> Result<Json<Value>, ApiError> {
    let source = Source::parse(params.source.as_deref())?;
    Ok(Json(compute(&state, &user, source, params.method, params.from, params.to, params.by_region).await?))
}
