//! Pass rates (合格率) of supervision sampling: grouped counts from the store, intervals from `stats`.

use std::collections::BTreeMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use service::error::ErrorBody;

use super::query_rejection;
use crate::{ApiError, AppState};
use service::pass_rates::{compute, CampaignLevel, PassRateParams, PassRates, RateView};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/inspections/pass-rates", get(pass_rates))
        .route("/api/v1/inspections/pass-rate-change", get(pass_rate_change))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(pass_rates, pass_rate_change))]
pub(super) struct Api;

/// Pass rates (合格率) with confidence intervals, grouped
#[utoipa::path(get, path = "/api/v1/inspections/pass-rates", tag = "sampling", params(PassRateParams),
    responses((status = 200,
               description = "{method, confidence, estimator, group_by, groups: [{key, samples, passed, rate, lower, \
                              upper, estimator, se?, strata?}], total, risk_based_campaigns}",
               body = PassRates),
              (status = 400, description = "invalid_request, invalid_region", body = ErrorBody)))]
async fn pass_rates(
    State(state): State<AppState>,
    params: Result<Query<PassRateParams>, QueryRejection>,
) -> Result<Json<PassRates>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(compute(&state, params).await?))
}

/// Query parameters of `GET /api/v1/inspections/pass-rate-change`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct ChangeParams {
    /// Comma-separated: product_category, region, channel, year, quarter, campaign_level.
    group_by: Option<String>,
    /// national, provincial, city or county.
    #[param(value_type = Option<CampaignLevel>, inline)]
    campaign_level: Option<String>,
    product_category: Option<String>,
    /// GB/T 2260 code or prefix of the enterprises' region.
    region: Option<String>,
    /// The earlier year.
    from_year: i64,
    /// The later year.
    to_year: i64,
    /// Default 0.95.
    #[param(exclusive_minimum = 0, exclusive_maximum = 1)]
    confidence: Option<f64>,
}

/// The change of pass rates between two years.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct RateChanges {
    /// Always `newcombe`: Newcombe's hybrid score interval.
    method: &'static str,
    confidence: f64,
    /// The groups found in both years.
    groups: Vec<RateChange>,
    /// All samples; null unless both years have some.
    total: Option<RateChange>,
}

/// One group's change: the later minus the earlier rate.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct RateChange {
    /// The group's values, by the names in `group_by`; empty for the total.
    key: BTreeMap<&'static str, String>,
    from: YearRate,
    to: YearRate,
    difference: f64,
    lower: f64,
    upper: f64,
    /// The interval leaves out zero.
    significant: bool,
}

/// A group's pass rate in one year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct YearRate {
    year: i64,
    samples: i64,
    passed: i64,
    rate: f64,
}

/// Change of pass rates between two years with Newcombe intervals
///
/// Per group: the difference of the later minus the earlier rate with Newcombe's hybrid score interval.
#[utoipa::path(get, path = "/api/v1/inspections/pass-rate-change", tag = "sampling", params(ChangeParams),
    responses((status = 200, description = "{method, confidence, groups: [{key, from, to, difference, lower, upper, \
                                            significant}], total}", body = RateChanges),
              (status = 400, description = "invalid_request, invalid_region", body = ErrorBody)))]
async fn pass_rate_change(
    State(state): State<AppState>,
    params: Result<Query<ChangeParams>, QueryRejection>,
) -> Result<Json<RateChanges>, ApiError> {
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
    let pair = |a: &RateView, b: &RateView| -> Result<RateChange, ApiError> {
        let d = stats::proportion::difference(
            (b.passed as u64, b.samples as u64),
            (a.passed as u64, a.samples as u64),
            confidence,
        )
        .map_err(ApiError::invalid)?;
        Ok(RateChange {
            key: b.key.clone(),
            from: YearRate { year: params.from_year, samples: a.samples, passed: a.passed, rate: a.rate },
            to: YearRate { year: params.to_year, samples: b.samples, passed: b.passed, rate: b.rate },
            difference: d.estimate,
            lower: d.lower,
            upper: d.upper,
            significant: d.lower > 0.0 || d.upper < 0.0,
        })
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
    Ok(Json(RateChanges { method: "newcombe", confidence, groups, total }))
}
