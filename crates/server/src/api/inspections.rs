//! Pass rates (合格率) of supervision sampling: grouped counts from the store, intervals from `stats`.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use stats::survey::{stratified_proportion, Stratum};
use stats::{interval, Method};
use store::inspections::{PassCount, PassRateFilter, PassRateGroup};

use super::query_rejection;
use crate::input;
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/inspections/pass-rates", get(pass_rates))
        .route("/api/v1/inspections/pass-rate-change", get(pass_rate_change))
}

/// Query parameters of `GET /api/v1/inspections/pass-rates`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PassRateParams {
    /// Comma-separated: product_category, region, channel, year, quarter, campaign_level.
    pub group_by: Option<String>,
    pub campaign_level: Option<String>,
    pub campaign_id: Option<String>,
    pub product_category: Option<String>,
    pub region: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub year: Option<i64>,
    /// wilson (default), clopper_pearson, jeffreys, agresti_coull, wald.
    pub method: Option<String>,
    /// Default 0.95.
    pub confidence: Option<f64>,
    /// simple (default) or stratified.
    pub estimator: Option<String>,
    /// Count campaigns drawn with weights by credit class (risk-based); left out by default.
    pub include_risk_based: Option<bool>,
}

/// One group's estimate.
#[derive(Debug, Serialize)]
pub(crate) struct RateView {
    pub key: BTreeMap<&'static str, String>,
    pub samples: i64,
    pub passed: i64,
    pub rate: f64,
    pub lower: f64,
    pub upper: f64,
    /// How this group's figure was estimated: `simple` or `stratified` (Cochran, normal interval).
    pub estimator: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strata: Option<usize>,
}

/// The whole answer.
#[derive(Debug, Serialize)]
pub(crate) struct PassRates {
    pub method: &'static str,
    pub confidence: f64,
    pub estimator: &'static str,
    pub group_by: Vec<&'static str>,
    pub groups: Vec<RateView>,
    pub total: Option<RateView>,
    /// Whether campaigns drawn with weights by credit class are counted ("included") or left out ("excluded").
    pub risk_based_campaigns: &'static str,
}

/// The estimate for one group's counts (one row, or one row per stratum when stratified).
fn estimate(
    key: BTreeMap<&'static str, String>,
    rows: &[&PassCount],
    method: Method,
    confidence: f64,
    stratified: bool,
) -> Result<RateView, ApiError> {
    let samples: i64 = rows.iter().map(|r| r.samples).sum();
    let passed: i64 = rows.iter().map(|r| r.passed).sum();
    if stratified {
        // Cochran's estimator needs every stratum's population and at least two samples in each.
        let strata: Option<Vec<Stratum>> = rows
            .iter()
            .map(|r| match &r.stratum {
                Some((_, _, Some(population))) if r.samples >= 2 && *population >= r.samples => Some(Stratum {
                    population: *population as u64,
                    sample: r.samples as u64,
                    proportion: r.passed as f64 / r.samples as f64,
                }),
                _ => None,
            })
            .collect();
        if let Some(strata) = strata {
            if let Ok(estimate) = stratified_proportion(&strata) {
                let ci = estimate.normal_interval(confidence).map_err(ApiError::invalid)?;
                return Ok(RateView {
                    key,
                    samples,
                    passed,
                    rate: ci.estimate,
                    lower: ci.lower,
                    upper: ci.upper,
                    estimator: "stratified",
                    se: Some(estimate.se),
                    strata: Some(strata.len()),
                });
            }
        }
    }
    let ci = interval(passed as u64, samples as u64, confidence, method).map_err(ApiError::invalid)?;
    Ok(RateView {
        key,
        samples,
        passed,
        rate: ci.estimate,
        lower: ci.lower,
        upper: ci.upper,
        estimator: "simple",
        se: None,
        strata: None,
    })
}

/// Computes pass rates for the parameters; shared by the API and the dashboard page.
pub(crate) async fn compute(state: &AppState, params: PassRateParams) -> Result<PassRates, ApiError> {
    let group_by: Vec<PassRateGroup> = match input::optional_text(params.group_by) {
        None => Vec::new(),
        Some(text) => text
            .split(',')
            .map(|name| {
                PassRateGroup::from_name(name.trim()).ok_or_else(|| {
                    let names: Vec<&str> = PassRateGroup::ALL.iter().map(|g| g.name()).collect();
                    ApiError::invalid(format!("group_by '{}' is not one of {}", name.trim(), names.join(", ")))
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let method = match input::optional_text(params.method) {
        None => Method::Wilson,
        Some(name) => Method::from_name(&name).ok_or_else(|| {
            let names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
            ApiError::invalid(format!("method '{name}' is not one of {}", names.join(", ")))
        })?,
    };
    let confidence = params.confidence.unwrap_or(0.95);
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(ApiError::invalid(format!("confidence {confidence} is not between 0 and 1")));
    }
    let stratified = match input::optional_text(params.estimator).as_deref() {
        None | Some("simple") => false,
        Some("stratified") => true,
        Some(other) => return Err(ApiError::invalid(format!("estimator '{other}' is not simple or stratified"))),
    };
    let campaign_level = input::optional_text(params.campaign_level)
        .map(|level| input::campaign_level("campaign_level", Some(level)))
        .transpose()?;
    let mut dates = Vec::new();
    for (field, value) in [("from", &params.from), ("to", &params.to)] {
        if let Some(text) = input::optional_text(value.clone()) {
            input::date(field, &text)?;
            dates.push(Some(text));
        } else {
            dates.push(None);
        }
    }
    let filter = PassRateFilter {
        campaign_level,
        campaign_id: input::optional_text(params.campaign_id),
        product_category: input::optional_text(params.product_category),
        year: params.year,
        region_prefix: input::optional_text(params.region)
            .map(|r| input::region("region", &r).map(|c| c.prefix().to_owned()))
            .transpose()?,
        from: dates[0].clone(),
        to: dates[1].clone(),
        include_risk_based: params.include_risk_based.unwrap_or(false),
    };
    let rows = state.store.pass_counts(&group_by, &filter, stratified).await?;
    let mut grouped: BTreeMap<Vec<String>, Vec<&PassCount>> = BTreeMap::new();
    for row in &rows {
        grouped.entry(row.key.clone()).or_default().push(row);
    }
    let mut groups = Vec::with_capacity(grouped.len());
    for (values, members) in &grouped {
        let key = group_by.iter().map(|g| g.name()).zip(values.iter().cloned()).collect();
        groups.push(estimate(key, members, method, confidence, stratified)?);
    }
    let all: Vec<&PassCount> = rows.iter().collect();
    let total = if all.is_empty() {
        None
    } else if group_by.is_empty() {
        groups.pop()
    } else if stratified {
        // Strata of the whole: the same (campaign, stratum) rows summed over the groups.
        let total_rows = state.store.pass_counts(&[], &filter, true).await?;
        Some(estimate(BTreeMap::new(), &total_rows.iter().collect::<Vec<_>>(), method, confidence, true)?)
    } else {
        Some(estimate(BTreeMap::new(), &all, method, confidence, false)?)
    };
    Ok(PassRates {
        method: method.name(),
        confidence,
        estimator: if stratified { "stratified" } else { "simple" },
        group_by: group_by.iter().map(|g| g.name()).collect(),
        groups: if group_by.is_empty() { Vec::new() } else { groups },
        total,
        risk_based_campaigns: if filter.include_risk_based || filter.campaign_id.is_some() {
            "included"
        } else {
            "excluded"
        },
    })
}

async fn pass_rates(
    State(state): State<AppState>,
    params: Result<Query<PassRateParams>, QueryRejection>,
) -> Result<Json<PassRates>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(compute(&state, params).await?))
}

/// Query parameters of `GET /api/v1/inspections/pass-rate-change`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeParams {
    group_by: Option<String>,
    campaign_level: Option<String>,
    product_category: Option<String>,
    region: Option<String>,
    /// The earlier year.
    from_year: i64,
    /// The later year.
    to_year: i64,
    confidence: Option<f64>,
}

/// The change of a pass rate between two years per group: the difference of the later minus the earlier rate
/// with Newcombe's hybrid score interval.
async fn pass_rate_change(
    State(state): State<AppState>,
    params: Result<Query<ChangeParams>, QueryRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    let confidence = params.confidence.unwrap_or(0.95);
    let for_year = |year: i64| PassRateParams {
        group_by: params.group_by.clone(),
        campaign_level: params.campaign_level.clone(),
        product_category: params.product_category.clone(),
        region: params.region.clone(),
        year: Some(year),
        confidence: Some(confidence),
        ..Default::default()
    };
    let earlier = compute(&state, for_year(params.from_year)).await?;
    let later = compute(&state, for_year(params.to_year)).await?;
    let pair = |a: &RateView, b: &RateView| -> Result<serde_json::Value, ApiError> {
        let d = stats::proportion::difference(
            (b.passed as u64, b.samples as u64),
            (a.passed as u64, a.samples as u64),
            confidence,
        )
        .map_err(ApiError::invalid)?;
        Ok(serde_json::json!({
            "key": b.key,
            "from": {"year": params.from_year, "samples": a.samples, "passed": a.passed, "rate": a.rate},
            "to": {"year": params.to_year, "samples": b.samples, "passed": b.passed, "rate": b.rate},
            "difference": d.estimate, "lower": d.lower, "upper": d.upper,
            "significant": d.lower > 0.0 || d.upper < 0.0,
        }))
    };
    let mut groups = Vec::new();
    for b in &later.groups {
        if let Some(a) = earlier.groups.iter().find(|a| a.key == b.key) {
            groups.push(pair(a, b)?);
        }
    }
    let total = match (&earlier.total, &later.total) {
        (Some(a), Some(b)) => Some(pair(a, b)?),
        _ => None,
    };
    Ok(Json(serde_json::json!({ "method": "newcombe", "confidence": confidence, "groups": groups, "total": total })))
}
