//! The outlines' quality targets and where the data stand against them.

use serde::Serialize;
use store::{IndicatorTarget, INDICATOR_TARGETS};

use crate::pass_rates::{compute, PassRateParams};
use crate::{ApiError, Services};

/// A measured value of an indicator for one year, in its unit (percent for rates).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Measured {
    pub year: String,
    /// Samples counted.
    pub samples: i64,
    /// Samples that passed.
    pub passed: i64,
    pub value: f64,
    /// The 95% interval's bounds.
    pub lower: f64,
    pub upper: f64,
    /// The point estimate meets the target.
    pub met: bool,
    /// The whole 95% interval meets it.
    pub met_with_confidence: bool,
}

/// A quality target of the outlines and where the data stand against it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorView {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    /// How a value meets the target: `>=`, `>` or `=`.
    pub comparison: &'static str,
    pub target: f64,
    /// `%` or `score`.
    pub unit: &'static str,
    /// The year the target is set for, when the outline names one.
    pub year: Option<i32>,
    /// The outline that sets the target.
    pub source: &'static str,
    /// The latest measured value; null until the platform holds data for it.
    pub current: Option<Measured>,
    /// Every measured year, oldest first.
    pub history: Vec<Measured>,
}

fn meets(comparison: &str, value: f64, target: f64) -> bool {
    match comparison {
        ">" => value > target,
        "=" => (value - target).abs() < 1e-9,
        _ => value >= target,
    }
}

/// The national supervision sampling pass rate per year, from published national campaigns.
pub async fn national_pass_rate(state: &Services, target: &IndicatorTarget) -> Result<Vec<Measured>, ApiError> {
    let params =
        PassRateParams { group_by: Some("year".into()), campaign_level: Some("national".into()), ..Default::default() };
    let rates = compute(state, params).await?;
    Ok(rates
        .groups
        .iter()
        .map(|g| Measured {
            year: g.key.get("year").cloned().unwrap_or_default(),
            samples: g.samples,
            passed: g.passed,
            value: 100.0 * g.rate,
            lower: 100.0 * g.lower,
            upper: 100.0 * g.upper,
            met: meets(target.comparison, 100.0 * g.rate, target.target),
            met_with_confidence: meets(target.comparison, 100.0 * g.lower, target.target),
        })
        .collect())
}

pub async fn all(state: &Services) -> Result<Vec<IndicatorView>, ApiError> {
    let mut out = Vec::new();
    for target in INDICATOR_TARGETS {
        let history = match target.code {
            "national_sampling_pass_rate" => national_pass_rate(state, target).await?,
            _ => Vec::new(),
        };
        out.push(IndicatorView {
            code: target.code,
            name_zh: target.name_zh,
            name_en: target.name_en,
            comparison: target.comparison,
            target: target.target,
            unit: target.unit,
            year: target.year,
            source: target.source,
            current: history.last().cloned(),
            history,
        });
    }
    Ok(out)
}
