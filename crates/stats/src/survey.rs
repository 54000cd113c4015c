//! Survey estimates: a stratified proportion with Cochran's variance, and a weighted-sample estimate with
//! Taylor linearisation (primary sampling units drawn with replacement within strata), its design effect,
//! Kish's effective sample size and the Korn-Graubard interval.

use std::collections::BTreeMap;

use crate::distributions::{beta_quantile, normal_quantile, t_quantile};
use crate::Interval;

/// Why an estimate cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurveyError {
    /// No data.
    #[error("no strata or sampling units")]
    Empty,
    /// A stratum's sample is too small for a variance, or larger than its population.
    #[error("stratum {index}: sample {sample} with population {population} (need 2 ≤ sample ≤ population)")]
    Stratum { index: usize, sample: u64, population: u64 },
    /// Weights that sum to zero or less.
    #[error("weights sum to zero")]
    NoWeight,
    /// Confidence outside (0, 1).
    #[error("confidence {0} is not between 0 and 1")]
    Confidence(f64),
}

/// One stratum of a stratified simple random sample without replacement.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stratum {
    /// N_h: units in the stratum.
    pub population: u64,
    /// n_h: units sampled.
    pub sample: u64,
    /// p_h: the proportion in the sample.
    pub proportion: f64,
}

/// A stratified estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StratifiedEstimate {
    pub estimate: f64,
    pub variance: f64,
    pub se: f64,
    /// Σ n_h.
    pub sample: u64,
}

impl StratifiedEstimate {
    /// The normal-theory interval estimate ± z·se, clipped to [0, 1].
    pub fn normal_interval(&self, confidence: f64) -> Result<Interval, SurveyError> {
        let z = z_value(confidence)?;
        Ok(Interval {
            estimate: self.estimate,
            lower: (self.estimate - z * self.se).max(0.0),
            upper: (self.estimate + z * self.se).min(1.0),
        })
    }
}

fn z_value(confidence: f64) -> Result<f64, SurveyError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(SurveyError::Confidence(confidence));
    }
    Ok(normal_quantile(1.0 - (1.0 - confidence) / 2.0))
}

/// Cochran's stratified estimate Σ W_h p_h, with variance Σ W_h² (1 − n_h/N_h) p_h (1 − p_h) / (n_h − 1).
pub fn stratified_proportion(strata: &[Stratum]) -> Result<StratifiedEstimate, SurveyError> {
    if strata.is_empty() {
        return Err(SurveyError::Empty);
    }
    for (index, s) in strata.iter().enumerate() {
        if s.sample < 2 || s.sample > s.population {
            return Err(SurveyError::Stratum { index, sample: s.sample, population: s.population });
        }
    }
    let population: f64 = strata.iter().map(|s| s.population as f64).sum();
    let (mut estimate, mut variance) = (0.0, 0.0);
    for s in strata {
        let weight = s.population as f64 / population;
        let (n, big_n) = (s.sample as f64, s.population as f64);
        estimate += weight * s.proportion;
        variance += weight * weight * (1.0 - n / big_n) * s.proportion * (1.0 - s.proportion) / (n - 1.0);
    }
    Ok(StratifiedEstimate { estimate, variance, se: variance.sqrt(), sample: strata.iter().map(|s| s.sample).sum() })
}

/// Totals of one primary sampling unit (a hospital, a sampled enterprise, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Psu {
    /// The stratum it was drawn in.
    pub stratum: String,
    /// Records (cases, samples) in the unit.
    pub records: u64,
    /// Σ w over its records.
    pub weight: f64,
    /// Σ w·y over its records, y = 1 when the record has the attribute (passed, involves the product).
    pub weighted_successes: f64,
    /// Σ w² over its records, for Kish's effective sample size.
    pub squared_weights: f64,
}

impl Psu {
    /// A unit whose records all carry the same weight.
    pub fn uniform(stratum: impl Into<String>, weight: f64, records: u64, successes: u64) -> Psu {
        Psu {
            stratum: stratum.into(),
            records,
            weight: weight * records as f64,
            weighted_successes: weight * successes as f64,
            squared_weights: weight * weight * records as f64,
        }
    }
}

/// A weighted-sample estimate of a total and a proportion.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WeightedEstimate {
    /// Records in the sample.
    pub records: u64,
    /// Estimated total with the attribute, Σ w·y.
    pub total: f64,
    pub total_se: f64,
    /// Coefficient of variation of the total.
    pub total_cv: f64,
    /// Estimated population, Σ w.
    pub population: f64,
    /// Ratio estimate Σ w·y / Σ w.
    pub proportion: f64,
    pub proportion_se: f64,
    /// Degrees of freedom: sampling units minus strata.
    pub degrees_of_freedom: u64,
    /// Design effect: the variance against that of a simple random sample of the same size.
    pub design_effect: f64,
    /// Kish's effective sample size (Σw)² / Σw².
    pub kish_effective_n: f64,
}

/// Taylor-linearised estimate with sampling units drawn with replacement within strata.
pub fn weighted_proportion(psus: &[Psu]) -> Result<WeightedEstimate, SurveyError> {
    if psus.is_empty() {
        return Err(SurveyError::Empty);
    }
    let population: f64 = psus.iter().map(|u| u.weight).sum();
    if population <= 0.0 {
        return Err(SurveyError::NoWeight);
    }
    let total: f64 = psus.iter().map(|u| u.weighted_successes).sum();
    let proportion = total / population;
    let mut strata: BTreeMap<&str, Vec<&Psu>> = BTreeMap::new();
    for unit in psus {
        strata.entry(unit.stratum.as_str()).or_default().push(unit);
    }
    // v(Σz) = Σ_h n_h/(n_h − 1) Σ_i (z_hi − z̄_h)², for the total (z = w·y) and the linearised ratio
    // (z = (w·y − p·w) / Σw).
    let variance_of = |z: &dyn Fn(&Psu) -> f64| -> f64 {
        strata
            .values()
            .filter(|units| units.len() > 1)
            .map(|units| {
                let n = units.len() as f64;
                let mean = units.iter().map(|u| z(u)).sum::<f64>() / n;
                n / (n - 1.0) * units.iter().map(|u| (z(u) - mean).powi(2)).sum::<f64>()
            })
            .sum()
    };
    let total_variance = variance_of(&|u| u.weighted_successes);
    let proportion_variance = variance_of(&|u| (u.weighted_successes - proportion * u.weight) / population);
    let records: u64 = psus.iter().map(|u| u.records).sum();
    let squared: f64 = psus.iter().map(|u| u.squared_weights).sum();
    let srs_variance = proportion * (1.0 - proportion) / records as f64;
    Ok(WeightedEstimate {
        records,
        total,
        total_se: total_variance.sqrt(),
        total_cv: total_variance.sqrt() / total,
        population,
        proportion,
        proportion_se: proportion_variance.sqrt(),
        degrees_of_freedom: (psus.len() - strata.len()) as u64,
        design_effect: proportion_variance / srs_variance,
        kish_effective_n: population * population / squared,
    })
}

impl WeightedEstimate {
    fn t_value(&self, confidence: f64) -> Result<f64, SurveyError> {
        z_value(confidence)?;
        Ok(t_quantile(1.0 - (1.0 - confidence) / 2.0, self.degrees_of_freedom.max(1) as f64))
    }

    /// p ± t·se with the design's degrees of freedom, clipped to [0, 1].
    pub fn wald_t(&self, confidence: f64) -> Result<Interval, SurveyError> {
        let t = self.t_value(confidence)?;
        let p = self.proportion;
        Ok(Interval {
            estimate: p,
            lower: (p - t * self.proportion_se).max(0.0),
            upper: (p + t * self.proportion_se).min(1.0),
        })
    }

    /// The interval on the logit scale, transformed back: always inside (0, 1).
    pub fn logit_t(&self, confidence: f64) -> Result<Interval, SurveyError> {
        let t = self.t_value(confidence)?;
        let p = self.proportion;
        let logit = (p / (1.0 - p)).ln();
        let half = t * self.proportion_se / (p * (1.0 - p));
        let expit = |v: f64| 1.0 / (1.0 + (-v).exp());
        Ok(Interval { estimate: p, lower: expit(logit - half), upper: expit(logit + half) })
    }

    /// Korn and Graubard's interval: Clopper-Pearson on the effective sample size p(1−p)/se², scaled by
    /// (t_{n−1}/t_df)² — the ratio of the t quantiles with a simple random sample's and with the design's
    /// degrees of freedom.
    pub fn korn_graubard(&self, confidence: f64) -> Result<Interval, SurveyError> {
        let t = self.t_value(confidence)?;
        let t_srs = t_quantile(1.0 - (1.0 - confidence) / 2.0, (self.records.max(2) - 1) as f64);
        let p = self.proportion;
        let alpha = 1.0 - confidence;
        let effective_n = p * (1.0 - p) / (self.proportion_se * self.proportion_se) * (t_srs / t).powi(2);
        let x = p * effective_n;
        let lower = if p <= 0.0 { 0.0 } else { beta_quantile(alpha / 2.0, x, effective_n - x + 1.0) };
        let upper = if p >= 1.0 { 1.0 } else { beta_quantile(1.0 - alpha / 2.0, x + 1.0, effective_n - x) };
        Ok(Interval { estimate: p, lower, upper })
    }
}

/// Proportional allocation of a total sample over strata by population (largest remainder, so the parts add up
/// to `total` exactly), each capped at its population.
pub fn proportional_allocation(populations: &[u64], total: u64) -> Vec<u64> {
    let sum: u64 = populations.iter().sum();
    if sum == 0 {
        return vec![0; populations.len()];
    }
    let total = total.min(sum);
    let exact: Vec<f64> = populations.iter().map(|&n| total as f64 * n as f64 / sum as f64).collect();
    let mut parts: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut order: Vec<usize> = (0..populations.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    let mut missing = total - parts.iter().sum::<u64>();
    for &i in order.iter().cycle() {
        if missing == 0 {
            break;
        }
        if parts[i] < populations[i] {
            parts[i] += 1;
            missing -= 1;
        }
    }
    parts
}
