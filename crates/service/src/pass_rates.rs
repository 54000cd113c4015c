//! Pass rates (合格率) of supervision sampling: grouped counts from the store, intervals from `stats`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use stats::survey::{stratified_proportion, Stratum};
use stats::{interval, Method};
use store::inspections::{PassCount, PassRateFilter, PassRateGroup};

use crate::input;
use crate::{ApiError, Services};

/// The levels a campaign is run at, for the document only: the parameter is read as text by
/// `input::campaign_level`, and a test holds this list to `sampling::Level`.
#[derive(Debug, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum CampaignLevel {
    National,
    Provincial,
    City,
    County,
}

/// The interval methods, for the document only: the parameter is read as text by `Method::from_name`, and a test
/// holds this list to `stats::proportion::Method`.
#[derive(Debug, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum IntervalMethod {
    Wilson,
    ClopperPearson,
    Jeffreys,
    AgrestiCoull,
    Wald,
}

/// How a figure is estimated: `simple` (a binomial interval over the samples) or `stratified` (Cochran's
/// estimator over the campaign's strata, normal interval).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Estimator {
    Simple,
    Stratified,
}

impl Estimator {
    /// The parameter's text.
    pub fn as_str(self) -> &'static str {
        match self {
            Estimator::Simple => "simple",
            Estimator::Stratified => "stratified",
        }
    }
}

/// Query parameters of `GET /api/v1/inspections/pass-rates`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PassRateParams {
    /// Comma-separated: product_category, region, channel, year, quarter, campaign_level.
    pub group_by: Option<String>,
    /// national, provincial, city or county.
    #[param(value_type = Option<CampaignLevel>, inline)]
    pub campaign_level: Option<String>,
    pub campaign_id: Option<String>,
    pub product_category: Option<String>,
    /// GB/T 2260 code or prefix of the enterprises' region.
    pub region: Option<String>,
    /// First day of sampling, inclusive.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last day of sampling, inclusive.
    #[param(format = Date)]
    pub to: Option<String>,
    /// Calendar year of sampling.
    pub year: Option<i64>,
    /// wilson (default), clopper_pearson, jeffreys, agresti_coull, wald.
    #[param(value_type = Option<IntervalMethod>, inline)]
    pub method: Option<String>,
    /// Default 0.95.
    #[param(exclusive_minimum = 0, exclusive_maximum = 1)]
    pub confidence: Option<f64>,
    /// simple (default) or stratified.
    #[param(value_type = Option<Estimator>, inline)]
    pub estimator: Option<String>,
    /// Count campaigns drawn with weights by credit class (risk-based); left out by default.
    pub include_risk_based: Option<bool>,
}

/// One group's estimate.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RateView {
    /// The group's values, by the names in `group_by`; empty for the total.
    pub key: BTreeMap<&'static str, String>,
    pub samples: i64,
    pub passed: i64,
    /// The estimated pass rate, 0 to 1.
    pub rate: f64,
    /// The interval's bounds.
    pub lower: f64,
    pub upper: f64,
    /// How this group's figure was estimated.
    pub estimator: Estimator,
    /// Standard error of a stratified estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub se: Option<f64>,
    /// Strata of a stratified estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strata: Option<usize>,
}

/// The whole answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PassRates {
    /// The interval method.
    pub method: &'static str,
    pub confidence: f64,
    /// As asked; a group whose strata cannot be used falls back to simple.
    pub estimator: Estimator,
    pub group_by: Vec<&'static str>,
    /// One per group; empty without `group_by`.
    pub groups: Vec<RateView>,
    /// All the samples counted; null when there are none.
    pub total: Option<RateView>,
    /// Whether campaigns drawn with weights by credit class are counted ("included") or left out ("excluded").
    pub risk_based_campaigns: &'static str,
}

/// The estimate for one group's counts (one row, or one row per stratum when stratified).
pub fn estimate(
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
                    estimator: Estimator::Stratified,
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
        estimator: Estimator::Simple,
        se: None,
        strata: None,
    })
}

/// Computes pass rates for the parameters; shared by the API and the dashboard page.
pub async fn compute(state: &Services, params: PassRateParams) -> Result<PassRates, ApiError> {
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
    let estimator = match input::optional_text(params.estimator).as_deref() {
        None | Some("simple") => Estimator::Simple,
        Some("stratified") => Estimator::Stratified,
        Some(other) => return Err(ApiError::invalid(format!("estimator '{other}' is not simple or stratified"))),
    };
    let stratified = estimator == Estimator::Stratified;
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
        estimator,
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

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::PartialSchema;

    /// The values an enumeration's schema lists.
    fn schema_values(schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>) -> Vec<String> {
        let json = serde_json::to_value(schema).expect("a schema serializes");
        json["enum"].as_array().expect("an enumeration").iter().map(|v| v.as_str().unwrap_or("").to_owned()).collect()
    }

    #[test]
    fn the_documented_values_are_the_ones_the_parameters_take() {
        let levels: Vec<String> = sampling::Level::ALL.iter().map(|l| l.as_str().to_owned()).collect();
        assert_eq!(schema_values(CampaignLevel::schema()), levels);
        let methods: Vec<String> = Method::ALL.iter().map(|m| m.name().to_owned()).collect();
        assert_eq!(schema_values(IntervalMethod::schema()), methods);
        let estimators: Vec<String> =
            [Estimator::Simple, Estimator::Stratified].iter().map(|e| e.as_str().into()).collect();
        assert_eq!(schema_values(Estimator::schema()), estimators);
    }
}
