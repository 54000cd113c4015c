//! Temporal detection over a series of counts (weekly injuries, complaints, failures per category and region):
//! tabular CUSUM with a fast initial response, EWMA with exact time-varying limits, the Poisson generalised
//! likelihood-ratio detector for an increase, and the Farrington thresholds (Farrington et al. 1996 with power
//! transforms; Noufaily et al. 2013 with negative-binomial quantiles) with the Anscombe-residual reweighting.

use crate::distributions::{incomplete_beta, incomplete_gamma_pair, normal_cdf, normal_quantile};

/// Upper tabular CUSUM: C⁺ₜ = max(0, C⁺ₜ₋₁ + xₜ − (target + k·σ)), starting at `head_start`·σ (fast initial
/// response); `run_lengths` counts consecutive periods with C⁺ > 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Cusum {
    pub statistic: Vec<f64>,
    pub run_lengths: Vec<usize>,
    /// First period (1-based) where C⁺ exceeds h·σ.
    pub first_signal: Option<usize>,
}

/// The upper CUSUM of `x` with reference value `k` and decision interval `h`, both in units of `sigma`.
pub fn cusum(x: &[f64], target: f64, sigma: f64, k: f64, h: f64, head_start: f64) -> Cusum {
    let (mut c, mut run) = (head_start * sigma, 0);
    let (mut statistic, mut run_lengths, mut first_signal) =
        (Vec::with_capacity(x.len()), Vec::with_capacity(x.len()), None);
    for (t, value) in x.iter().enumerate() {
        c = (c + value - (target + k * sigma)).max(0.0);
        run = if c > 0.0 { run + 1 } else { 0 };
        statistic.push(c);
        run_lengths.push(run);
        if first_signal.is_none() && c > h * sigma {
            first_signal = Some(t + 1);
        }
    }
    Cusum { statistic, run_lengths, first_signal }
}

/// An EWMA chart: zₜ = λxₜ + (1 − λ)zₜ₋₁ from z₀ = target, with limits target ± L·σ·√(λ/(2−λ)·(1 − (1−λ)^{2t})).
#[derive(Debug, Clone, PartialEq)]
pub struct Ewma {
    pub statistic: Vec<f64>,
    pub upper: Vec<f64>,
    pub lower: Vec<f64>,
    /// First period (1-based) outside the limits.
    pub first_signal: Option<usize>,
}

/// The EWMA chart of `x`.
pub fn ewma(x: &[f64], target: f64, sigma: f64, lambda: f64, l: f64) -> Ewma {
    let mut z = target;
    let mut chart = Ewma { statistic: Vec::new(), upper: Vec::new(), lower: Vec::new(), first_signal: None };
    for (t, value) in x.iter().enumerate() {
        z = lambda * value + (1.0 - lambda) * z;
        let width = l * sigma * (lambda / (2.0 - lambda) * (1.0 - (1.0 - lambda).powi(2 * (t as i32 + 1)))).sqrt();
        chart.statistic.push(z);
        chart.upper.push(target + width);
        chart.lower.push(target - width);
        if chart.first_signal.is_none() && (z > target + width || z < target - width) {
            chart.first_signal = Some(t + 1);
        }
    }
    chart
}

/// The Poisson GLR statistic for an increase over in-control mean `mu0`, over every window ending at each
/// period (no window limit): max over k of S·ln(S/(m·μ₀)) − (S − m·μ₀) for windows whose mean exceeds μ₀.
/// Returns the statistic per period and the first period (1-based) where it reaches `threshold`.
pub fn poisson_glr(x: &[u64], mu0: f64, threshold: f64) -> (Vec<f64>, Option<usize>) {
    let mut statistic = Vec::with_capacity(x.len());
    let mut first = None;
    for n in 0..x.len() {
        let (mut best, mut sum) = (0.0_f64, 0.0);
        for (length, value) in x[..=n].iter().rev().enumerate() {
            sum += *value as f64;
            let expected = (length as f64 + 1.0) * mu0;
            if sum > expected {
                best = best.max(sum * (sum / expected).ln() - (sum - expected));
            }
        }
        statistic.push(best);
        if first.is_none() && best >= threshold {
            first = Some(n + 1);
        }
    }
    (statistic, first)
}

/// A threshold and where the observed count stands against it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Threshold {
    pub lower: f64,
    pub upper: f64,
    /// P(a count at least as large as the observed one) under the prediction.
    pub p: f64,
    /// (y − prediction) / (upper − prediction): above 1 is an alarm.
    pub score: f64,
}

/// Power transform of the Farrington threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkewnessTransform {
    None,
    Half,
    TwoThirds,
}

/// Farrington's threshold for a prediction `mu0` (response scale) with standard error `se_fit`, dispersion `phi`
/// and one-sided level `alpha`, against the observed count `y`.
pub fn farrington_threshold(
    mu0: f64,
    se_fit: f64,
    phi: f64,
    alpha: f64,
    transform: SkewnessTransform,
    y: f64,
) -> Threshold {
    let tau = phi + se_fit * se_fit / mu0;
    let (se, exponent) = match transform {
        SkewnessTransform::None => ((mu0 * tau).sqrt(), 1.0),
        SkewnessTransform::Half => ((0.25 * tau).sqrt(), 0.5),
        SkewnessTransform::TwoThirds => ((4.0 / 9.0 * mu0.powf(1.0 / 3.0) * tau).sqrt(), 2.0 / 3.0),
    };
    let z = normal_quantile(1.0 - alpha);
    let centre = mu0.powf(exponent);
    let back = |v: f64| if v < 0.0 { f64::NAN } else { v.powf(1.0 / exponent) };
    let (a, b) = (back(centre - z * se), back(centre + z * se));
    let lower = if a.is_nan() { 0.0 } else { a.min(b).max(0.0) };
    let upper = a.max(b);
    let p = 1.0 - normal_cdf((y.powf(exponent) - centre) / se);
    Threshold { lower, upper, p, score: (y - mu0) / (upper - mu0) }
}

/// How the Noufaily threshold treats the uncertainty of the prediction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoufailyMethod {
    /// Plug the predicted mean in.
    NbPlugin,
    /// Use the upper (1 − α) quantile of the predicted mean ("muan").
    Muan,
}

/// P(X ≤ k) for a Poisson mean.
fn poisson_cdf(k: f64, mean: f64) -> f64 {
    if k < 0.0 {
        return 0.0;
    }
    incomplete_gamma_pair(k + 1.0, mean).1
}

/// P(X ≤ k) for a negative binomial with `size` and success probability `prob`.
fn negative_binomial_cdf(k: f64, size: f64, prob: f64) -> f64 {
    if k < 0.0 {
        return 0.0;
    }
    incomplete_beta(size, k + 1.0, prob)
}

/// The smallest k with cdf(k) ≥ p (a little below p counts, as R's quantile functions allow).
fn discrete_quantile(p: f64, cdf: impl Fn(f64) -> f64) -> f64 {
    let target = p * (1.0 - 64.0 * f64::EPSILON);
    let mut k = 0.0;
    while cdf(k) < target {
        k += 1.0;
    }
    k
}

/// Noufaily's threshold: negative-binomial (Poisson when φ = 1) quantiles at α and 1 − α around the predicted
/// mean exp(η), with `eta`, `se_eta` on the log scale; the score is taken on the prediction's scale as the
/// reference implementation does.
pub fn noufaily_threshold(eta: f64, se_eta: f64, phi: f64, alpha: f64, method: NoufailyMethod, y: f64) -> Threshold {
    let mean = match method {
        NoufailyMethod::NbPlugin => eta.exp(),
        NoufailyMethod::Muan => (eta + normal_quantile(1.0 - alpha) * se_eta).exp(),
    };
    let (lower, upper, p) = if phi > 1.0 {
        let (size, prob) = (mean / (phi - 1.0), 1.0 / phi);
        let cdf = |k: f64| negative_binomial_cdf(k, size, prob);
        (discrete_quantile(alpha, cdf), discrete_quantile(1.0 - alpha, cdf), 1.0 - cdf(y - 1.0))
    } else {
        let cdf = |k: f64| poisson_cdf(k, mean);
        (discrete_quantile(alpha, cdf), discrete_quantile(1.0 - alpha, cdf), 1.0 - cdf(y - 1.0))
    };
    Threshold { lower: lower.max(0.0), upper, p, score: (y - eta) / (upper - eta) }
}

/// Farrington's weights from Anscombe residuals: residuals above the threshold get γ·s⁻², the others γ, with γ
/// making the weights average one.
pub fn reweight(residuals: &[f64], threshold: f64) -> Vec<f64> {
    let denominator: f64 = residuals.iter().map(|&s| if s > threshold { s.powi(-2) } else { 1.0 }).sum();
    let gamma = residuals.len() as f64 / denominator;
    residuals.iter().map(|&s| if s > threshold { gamma * s.powi(-2) } else { gamma }).collect()
}

/// Which threshold the Farrington detector uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdMethod {
    /// Farrington et al. 1996: normal approximation after a power transform.
    Delta(SkewnessTransform),
    /// Noufaily et al. 2013: negative-binomial quantiles.
    Noufaily(NoufailyMethod),
}

/// Settings of the flexible Farrington detector (Noufaily et al. 2013 defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FarringtonConfig {
    /// Years of history.
    pub years: usize,
    /// Half-width of the window around each reference week.
    pub half_window: usize,
    /// Weeks in a year.
    pub period: usize,
    /// Seasonal factor levels (1 = windows only, as in the original algorithm).
    pub seasonal_periods: usize,
    /// Most recent weeks left out of the baseline, so an emerging outbreak does not raise its own threshold.
    pub past_weeks_excluded: usize,
    pub alpha: f64,
    pub reweight: bool,
    /// Anscombe residuals above this are down-weighted.
    pub weights_threshold: f64,
    pub trend: bool,
    pub trend_p_threshold: f64,
    pub threshold: ThresholdMethod,
    /// No alarm unless at least this many cases in the last `limit_weeks` weeks.
    pub limit_cases: f64,
    pub limit_weeks: usize,
}

impl Default for FarringtonConfig {
    fn default() -> Self {
        FarringtonConfig {
            years: 5,
            half_window: 3,
            period: 52,
            seasonal_periods: 10,
            past_weeks_excluded: 26,
            alpha: 0.05,
            reweight: true,
            weights_threshold: 2.58,
            trend: true,
            trend_p_threshold: 0.05,
            threshold: ThresholdMethod::Noufaily(NoufailyMethod::NbPlugin),
            limit_cases: 5.0,
            limit_weeks: 4,
        }
    }
}

/// The detector's verdict for one week.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FarringtonResult {
    pub expected: f64,
    pub threshold: Threshold,
    pub alarm: bool,
    /// Whether the fitted baseline kept its time trend.
    pub trend: bool,
    pub phi: f64,
}

/// Seasonal factor of each week of the baseline for week `k` (`None`: not in the baseline).
fn baseline_factors(k: usize, config: &FarringtonConfig) -> Vec<Option<usize>> {
    let (w, p) = (config.half_window, config.seasonal_periods);
    let mut factors = vec![None; k + 1];
    for factor in factors.iter_mut().take(k + 1).skip(k - w) {
        *factor = Some(p);
    }
    let reference = |i: usize| k - i * config.period;
    for i in 1..=config.years {
        let week = reference(i);
        for factor in factors.iter_mut().take(week + w + 1).skip(week - w) {
            *factor = Some(p);
        }
        if p > 1 {
            // The weeks between this window and the next later one, split into p − 1 blocks.
            let start = week + w + 1;
            let end = reference(i - 1) - w; // exclusive
            let length = end.saturating_sub(start);
            let (block, rest) = (length / (p - 1), length % (p - 1));
            let mut position = start;
            for level in 1..p {
                let size = block + usize::from(level <= rest);
                for factor in factors.iter_mut().take(position + size).skip(position) {
                    *factor = Some(level);
                }
                position += size;
            }
        }
    }
    for factor in factors.iter_mut().skip(k.saturating_sub(config.past_weeks_excluded)) {
        *factor = None;
    }
    factors
}

struct Baseline {
    rows: Vec<Vec<f64>>,
    y: Vec<f64>,
    levels: Vec<usize>,
}

fn design(series: &[f64], k: usize, config: &FarringtonConfig, trend: bool) -> Baseline {
    let factors = baseline_factors(k, config);
    let mut levels: Vec<usize> = factors.iter().flatten().copied().collect();
    levels.sort_unstable();
    levels.dedup();
    let (mut rows, mut y) = (Vec::new(), Vec::new());
    for (week, factor) in factors.iter().enumerate() {
        let Some(level) = factor else { continue };
        let mut row = vec![1.0];
        if trend {
            row.push(week as f64 + 1.0);
        }
        // Treatment contrasts against the first level present.
        row.extend(levels.iter().skip(1).map(|l| if l == level { 1.0 } else { 0.0 }));
        rows.push(row);
        y.push(series[week]);
    }
    Baseline { rows, y, levels }
}

fn prediction_row(k: usize, baseline: &Baseline, config: &FarringtonConfig, trend: bool) -> Vec<f64> {
    let mut row = vec![1.0];
    if trend {
        row.push(k as f64 + 1.0);
    }
    row.extend(baseline.levels.iter().skip(1).map(|l| if *l == config.seasonal_periods { 1.0 } else { 0.0 }));
    row
}

/// Fits the baseline (reweighted when asked); the fit and φ = max(dispersion, 1).
fn fit_baseline(baseline: &Baseline, config: &FarringtonConfig) -> Option<(crate::glm::Fit, f64)> {
    let ones = vec![1.0; baseline.y.len()];
    let fit = crate::glm::quasi_poisson(&baseline.rows, &baseline.y, &ones)?;
    let phi = fit.dispersion.max(1.0);
    if !config.reweight {
        return Some((fit, phi));
    }
    let residuals: Vec<f64> = baseline
        .y
        .iter()
        .zip(&fit.fitted)
        .zip(&fit.leverage)
        .map(|((y, mu), h)| 1.5 * (y.powf(2.0 / 3.0) * mu.powf(-1.0 / 6.0) - mu.sqrt()) / (phi * (1.0 - h)).sqrt())
        .collect();
    let weights = reweight(&residuals, config.weights_threshold);
    let refit = crate::glm::quasi_poisson(&baseline.rows, &baseline.y, &weights)?;
    let phi = refit.dispersion.max(1.0);
    Some((refit, phi))
}

/// The flexible Farrington detector for week `k` (0-based) of a weekly series; `None` when the history is too
/// short or the baseline cannot be fitted.
pub fn farrington_flexible(series: &[f64], k: usize, config: &FarringtonConfig) -> Option<FarringtonResult> {
    if k >= series.len() || k < config.years * config.period + config.half_window {
        return None;
    }
    let mut trend = config.trend;
    let mut baseline = design(series, k, config, trend);
    let mut fitted = fit_baseline(&baseline, config);
    if fitted.is_none() && trend {
        trend = false;
        baseline = design(series, k, config, trend);
        fitted = fit_baseline(&baseline, config);
    }
    let (mut fit, mut phi) = fitted?;
    if trend {
        let (eta, _) = fit.predict_link(&prediction_row(k, &baseline, config, true), fit.dispersion);
        let significant = fit.coefficient_p_value(1, baseline.y.len()) < config.trend_p_threshold;
        let no_extrapolation = eta.exp() <= baseline.y.iter().cloned().fold(0.0, f64::max);
        if !(significant && config.years >= 3 && no_extrapolation) {
            trend = false;
            baseline = design(series, k, config, false);
            (fit, phi) = fit_baseline(&baseline, config)?;
        }
    }
    let (eta, se_eta) = fit.predict_link(&prediction_row(k, &baseline, config, trend), fit.dispersion);
    let y = series[k];
    let threshold = match config.threshold {
        ThresholdMethod::Delta(transform) => {
            let mu = eta.exp();
            farrington_threshold(mu, se_eta * mu, phi, config.alpha, transform, y)
        }
        ThresholdMethod::Noufaily(method) => noufaily_threshold(eta, se_eta, phi, config.alpha, method, y),
    };
    let recent: f64 = series[k + 1 - config.limit_weeks.min(k + 1)..=k].iter().sum();
    let alarm = y > threshold.upper && recent >= config.limit_cases;
    Some(FarringtonResult { expected: eta.exp(), threshold, alarm, trend, phi })
}

/// The EARS detectors (Hutwagner et al. 2003) on daily or weekly counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ears {
    /// (x − mean)/sd over the seven periods before.
    C1,
    /// The same over the seven periods ending three before (a two-period guard band).
    C2,
    /// The sum of max(0, C2 − 1) over the current and two previous periods.
    C3,
}

/// EARS statistics; `None` where there is no baseline yet or the baseline does not vary.
pub fn ears(x: &[f64], method: Ears) -> Vec<Option<f64>> {
    let c_statistic = |t: usize, lag: usize| -> Option<f64> {
        // The baseline is the seven periods ending `lag` periods before t.
        let end = (t + 1).checked_sub(lag)?;
        let start = end.checked_sub(7)?;
        let baseline = &x[start..end];
        let mean = baseline.iter().sum::<f64>() / 7.0;
        let sd = (baseline.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 6.0).sqrt();
        (sd > 0.0).then(|| (x[t] - mean) / sd)
    };
    (0..x.len())
        .map(|t| match method {
            Ears::C1 => c_statistic(t, 1),
            Ears::C2 => c_statistic(t, 3),
            Ears::C3 => {
                let mut sum = 0.0;
                for j in 0..3 {
                    sum += (c_statistic(t.checked_sub(j)?, 3)? - 1.0).max(0.0);
                }
                Some(sum)
            }
        })
        .collect()
}
