//! Risk signals (风险信号) from reports of harm: disproportionality of product × hazard pairs (PRR, ROR, χ², the
//! shrinkage IC, BCPNN and the gamma-Poisson shrinker) and temporal alarms on weekly counts per product (the
//! flexible Farrington detector, EARS, CUSUM, EWMA, the Poisson GLR). This room decides which detector a method
//! names, with which parameters, and what the counts it is given signal. No IO: the server fetches the counts.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use stats::disproportionality::Table;
use stats::gps::{squash, Prior};
use stats::temporal::{cusum, ears, ewma, farrington_flexible, poisson_glr, Ears, FarringtonConfig, ThresholdMethod};

rulekit::text_enum! {
    /// Where reports come from.
    pub enum Source ("signal source") {
        /// Sentinel-hospital injury cases: product × hazard (or diagnosis).
        Injuries = "injuries" ("伤害病例", "injury cases"),
        /// Supervision sampling failures: product category × failed test item.
        Inspections = "inspections" ("抽查不合格", "sampling failures"),
        /// Complaints and reports (not enquiries): product category × issue type.
        Complaints = "complaints" ("投诉举报", "complaints"),
    }
}

/// A method of `GET /api/v1/signals`: disproportionality over a period, or a temporal detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    Disproportionality,
    Temporal(Detector),
}

/// The name of the disproportionality method.
pub const DISPROPORTIONALITY: &str = "disproportionality";

impl Method {
    /// Reads a method name; `None` names no method.
    pub fn parse(name: &str) -> Option<Method> {
        if name == DISPROPORTIONALITY {
            return Some(Method::Disproportionality);
        }
        Detector::parse(name).map(Method::Temporal)
    }

    /// Every method's name, for an error that lists them.
    pub fn names() -> Vec<&'static str> {
        std::iter::once(DISPROPORTIONALITY).chain(Detector::ALL.iter().map(|d| d.name())).collect()
    }
}

/// Reports of one product (and region, or empty) on one day.
pub type Daily = (String, String, String, u64);

/// A temporal detector and its settings, as the API names them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Detector {
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
pub struct Verdict {
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
    /// Every detector, in the order the API lists them.
    pub const ALL: [Detector; 7] = [
        Detector::Farrington,
        Detector::Ears(Ears::C1),
        Detector::Ears(Ears::C2),
        Detector::Ears(Ears::C3),
        Detector::Cusum,
        Detector::Ewma,
        Detector::Glr,
    ];

    /// Reads a detector's name.
    pub fn parse(method: &str) -> Option<Detector> {
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

    pub fn name(self) -> &'static str {
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
    pub fn parameters(self, config: &FarringtonConfig) -> Value {
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
    pub fn assess(self, counts: &[f64], k: usize, config: &FarringtonConfig) -> Option<Verdict> {
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

/// A statistic as sent: a ratio that divides by zero (infinite or NaN) is null.
fn finite(value: f64) -> Option<f64> {
    value.is_finite().then_some(value)
}

/// What one method found: its name, its parameters (which differ by method) and its signals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(as = SignalReport)]
pub struct Report {
    pub method: String,
    /// The method's parameters, kept beside every signal; their names differ by method.
    #[schema(value_type = Object)]
    pub parameters: Value,
    pub signals: Vec<Signal>,
}

/// A signal: a flagged product × hazard pair, or a temporal alarm.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Signal {
    Pair(PairSignal),
    Alarm(Alarm),
}

impl Signal {
    /// The product category the signal is about.
    pub fn product_code(&self) -> &str {
        match self {
            Signal::Pair(pair) => &pair.product_code,
            Signal::Alarm(alarm) => &alarm.product_code,
        }
    }
}

/// A product × hazard pair flagged by disproportionality, with every statistic (null where a ratio divides by
/// zero; the shrinker's figures null when the table is too small to fit its prior).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PairSignal {
    pub product_code: String,
    pub hazard: String,
    pub cases: u64,
    pub expected: Option<f64>,
    pub prr: Option<f64>,
    pub prr_lower: Option<f64>,
    pub chi2: Option<f64>,
    pub ror: Option<f64>,
    pub ror_lower: Option<f64>,
    pub ic: Option<f64>,
    pub ic025: Option<f64>,
    pub bcpnn_ic025: Option<f64>,
    pub ebgm: Option<f64>,
    pub eb05: Option<f64>,
    pub eb95: Option<f64>,
    /// PRR ≥ 2, χ² ≥ 4 and at least 3 cases.
    pub evans: bool,
}

/// A temporal detector's alarm for the last week of a product's (and region's) series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Alarm {
    pub product_code: String,
    /// The province, when detection ran per region.
    pub region: Option<String>,
    pub week_ending: NaiveDate,
    pub observed: f64,
    pub expected: Option<f64>,
    /// The threshold of count, for the detectors that set one.
    pub upper: Option<f64>,
    pub statistic: Option<f64>,
    pub limit: Option<f64>,
}

/// A product's weekly chart: parallel arrays, one entry per week, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = SignalSeries)]
pub struct Series {
    pub product_code: String,
    pub region: Option<String>,
    pub method: String,
    /// Each week's last day.
    pub weeks: Vec<NaiveDate>,
    pub observed: Vec<f64>,
    pub expected: Vec<Option<f64>>,
    pub upper: Vec<Option<f64>>,
    pub statistic: Vec<Option<f64>>,
    pub limit: Vec<Option<f64>>,
    pub alarm: Vec<bool>,
}

/// Disproportionality over the period's product × hazard table: every pair flagged by the Evans rule, a
/// positive IC025 or an EB05 of at least 2, with all its statistics.
pub fn disproportionality(table: &[(String, String, u64)]) -> Report {
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
        signals.push(Signal::Pair(PairSignal {
            product_code: product.clone(),
            hazard: hazard.clone(),
            cases: *a,
            expected: finite(statistics.expected),
            prr: finite(statistics.prr),
            prr_lower: finite(statistics.prr_lower),
            chi2: finite(statistics.chi2),
            ror: finite(statistics.ror),
            ror_lower: finite(statistics.ror_lower),
            ic: finite(statistics.ic),
            ic025: finite(statistics.ic025),
            bcpnn_ic025: finite(statistics.bcpnn_ic025),
            ebgm: posterior.and_then(|p| finite(p.ebgm)),
            eb05: posterior.and_then(|p| finite(p.eb05)),
            eb95: posterior.and_then(|p| finite(p.eb95)),
            evans: statistics.evans_signal,
        }));
    }
    let eb05 = |s: &Signal| match s {
        Signal::Pair(pair) => pair.eb05.unwrap_or(0.0),
        Signal::Alarm(_) => 0.0,
    };
    signals.sort_by(|a, b| eb05(b).total_cmp(&eb05(a)));
    Report {
        method: DISPROPORTIONALITY.to_owned(),
        parameters: json!({
            "rules": "flagged when Evans (PRR ≥ 2, χ² ≥ 4, n ≥ 3), IC025 > 0, or EB05 ≥ 2",
            "prior": prior.map(|p| json!({"alpha1": p.alpha1, "beta1": p.beta1, "alpha2": p.alpha2, "beta2": p.beta2, "p": p.p})),
            "reports": total,
            "cells": table.len(),
        }),
        signals,
    }
}

/// Alarms of a temporal detector for the week ending on `to`, per product (and region), over weekly counts of the
/// years before.
pub fn temporal(daily: &[Daily], to: NaiveDate, detector: Detector, config: &FarringtonConfig) -> Report {
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
            signals.push(Signal::Alarm(Alarm {
                product_code: (*product).to_owned(),
                region: (!region.is_empty()).then(|| (*region).to_owned()),
                week_ending: to,
                observed: counts[weeks - 1],
                expected: finite(verdict.expected),
                upper: verdict.upper.and_then(finite),
                statistic: finite(verdict.statistic),
                limit: finite(verdict.limit),
            }));
        }
    }
    let mut parameters = detector.parameters(config);
    parameters["series"] = json!(series.len());
    Report { method: detector.name().to_owned(), parameters, signals }
}

/// The cells of sampling failures (`(category, province, day, failed items)`): product category × each failed
/// test item (items separated by `;` or `；`), a failure naming none counted as `(unspecified)`.
pub fn failure_table(failures: &[(String, String, String, String)]) -> Vec<(String, String, u64)> {
    let mut counts: BTreeMap<(String, String), u64> = BTreeMap::new();
    for (category, _, _, items) in failures {
        let items: Vec<&str> = items.split([';', '；']).map(str::trim).filter(|i| !i.is_empty()).collect();
        for item in if items.is_empty() { vec!["(unspecified)"] } else { items } {
            *counts.entry((category.clone(), item.to_owned())).or_default() += 1;
        }
    }
    counts.into_iter().map(|((c, i), n)| (c, i, n)).collect()
}

/// Sampling failures per category, province (empty unless `by_region`) and day.
pub fn failure_daily(failures: Vec<(String, String, String, String)>, by_region: bool) -> Vec<Daily> {
    let mut counts: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for (category, province, day, _) in failures {
        let region = if by_region { province } else { String::new() };
        *counts.entry((category, region, day)).or_default() += 1;
    }
    counts.into_iter().map(|((c, r, d), n)| (c, r, d, n)).collect()
}

/// The weeks a chart of `weeks` weeks up to `to` needs counted: the detector's history before them.
pub fn series_span(weeks: usize, config: &FarringtonConfig) -> usize {
    (config.years + 1) * config.period + weeks
}

/// Weekly counts of one product (and region) over `span` weeks ending on `to`, oldest first.
pub fn weekly_counts(daily: &[Daily], product: &str, region: Option<&str>, to: NaiveDate, span: usize) -> Vec<f64> {
    let mut counts = vec![0.0; span];
    for (row_product, row_region, day, n) in daily {
        if row_product != product || region.is_some_and(|r| r != row_region) {
            continue;
        }
        let Ok(day) = NaiveDate::parse_from_str(day, "%Y-%m-%d") else { continue };
        let back = (to - day).num_days();
        if (0..(span as i64) * 7).contains(&back) {
            counts[span - 1 - (back / 7) as usize] += *n as f64;
        }
    }
    counts
}

/// The chart of the last `weeks` of `counts` (weeks ending on `to`): observed, expected, threshold, statistic,
/// limit and alarm of each week by the detector.
pub fn series(
    detector: Detector,
    counts: &[f64],
    product: &str,
    region: Option<&str>,
    to: NaiveDate,
    weeks: usize,
) -> Series {
    let config = FarringtonConfig::default();
    let span = counts.len();
    let mut out = Series {
        product_code: product.to_owned(),
        region: region.map(str::to_owned),
        method: detector.name().to_owned(),
        ..Series::default()
    };
    for k in span - weeks.min(span)..span {
        let verdict = detector.assess(counts, k, &config);
        out.weeks.push(to - Duration::days(((span - 1 - k) * 7) as i64));
        out.observed.push(counts[k]);
        out.expected.push(verdict.and_then(|v| finite(v.expected)));
        out.upper.push(verdict.and_then(|v| v.upper).and_then(finite));
        out.statistic.push(verdict.and_then(|v| finite(v.statistic)));
        out.limit.push(verdict.and_then(|v| finite(v.limit)));
        out.alarm.push(verdict.is_some_and(|v| v.alarm));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_name_reads_back_and_others_are_refused() {
        for name in Method::names() {
            let method = Method::parse(name).unwrap_or_else(|| panic!("{name}"));
            let back = match method {
                Method::Disproportionality => DISPROPORTIONALITY,
                Method::Temporal(detector) => detector.name(),
            };
            assert_eq!(back, name);
        }
        assert_eq!(Method::names().len(), 8);
        assert_eq!(Method::parse("ears_c4"), None);
        assert_eq!(Method::parse("Farrington"), None);
        assert_eq!("complaints".parse::<Source>().unwrap(), Source::Complaints);
    }

    #[test]
    fn each_detector_states_its_parameters() {
        let config = FarringtonConfig::default();
        assert_eq!(Detector::Ewma.parameters(&config)["lambda"], 0.3);
        assert_eq!(Detector::Glr.parameters(&config)["threshold"], 5.0);
        assert_eq!(Detector::Ears(Ears::C3).parameters(&config)["limit"], 2.0);
        assert_eq!(Detector::Ears(Ears::C1).parameters(&config)["guard_weeks"], 0);
        assert_eq!(Detector::Farrington.parameters(&config)["threshold"], "noufaily negative binomial");
    }

    fn daily_with_surge(to: NaiveDate, weeks: usize) -> Vec<Daily> {
        let mut daily = Vec::new();
        for week in 0..weeks {
            let day = to - Duration::days((week * 7) as i64);
            let n = if week == 0 { 40 } else { 2 + (week % 3) as u64 };
            daily.push(("0401".to_owned(), String::new(), day.to_string(), n));
            daily.push(("0402".to_owned(), String::new(), day.to_string(), 2 + (week % 3) as u64));
        }
        daily
    }

    #[test]
    fn a_surge_in_the_last_week_alarms_and_a_steady_series_does_not() {
        let to = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let config = FarringtonConfig::default();
        let daily = daily_with_surge(to, (config.years + 1) * config.period);
        for detector in [Detector::Farrington, Detector::Cusum, Detector::Ewma, Detector::Glr, Detector::Ears(Ears::C1)]
        {
            let answer = temporal(&daily, to, detector, &config);
            let flagged: Vec<&str> = answer.signals.iter().map(Signal::product_code).collect();
            assert_eq!(flagged, ["0401"], "{}", detector.name());
            assert_eq!(answer.method, detector.name());
            assert_eq!(answer.parameters["series"], 2);
        }
    }

    #[test]
    fn the_chart_counts_weeks_oldest_first_and_marks_the_alarm() {
        let to = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let config = FarringtonConfig::default();
        let span = series_span(4, &config);
        let daily = daily_with_surge(to, span);
        let counts = weekly_counts(&daily, "0401", None, to, span);
        assert_eq!(counts.len(), span);
        assert_eq!(counts[span - 1], 40.0);
        let chart = series(Detector::Farrington, &counts, "0401", None, to, 4);
        assert_eq!(chart.weeks.len(), 4);
        assert_eq!(chart.weeks[3], to);
        assert!(chart.alarm[3]);
        assert!(!chart.alarm[2]);
    }

    #[test]
    fn a_product_hazard_pair_far_above_its_expectation_is_flagged() {
        // Four products by four hazards, ten reports each, but sixty of toys choking.
        let mut table = Vec::new();
        for product in ["toy", "heater", "kettle", "bicycle"] {
            for hazard in ["choking", "burn", "cut", "fall"] {
                let n = if (product, hazard) == ("toy", "choking") { 60 } else { 10 };
                table.push((product.to_owned(), hazard.to_owned(), n));
            }
        }
        let answer = disproportionality(&table);
        assert_eq!(answer.method, DISPROPORTIONALITY);
        assert_eq!(answer.parameters["reports"], 210);
        let pairs: Vec<&PairSignal> = answer
            .signals
            .iter()
            .filter_map(|s| match s {
                Signal::Pair(pair) => Some(pair),
                Signal::Alarm(_) => None,
            })
            .collect();
        let flagged: Vec<(&str, &str)> = pairs.iter().map(|p| (p.product_code.as_str(), p.hazard.as_str())).collect();
        assert_eq!(flagged, [("toy", "choking")]);
        assert!(pairs[0].prr.unwrap() > 2.0 && pairs[0].evans);
        // A kept run reads back as what was computed.
        let kept: Report = serde_json::from_value(serde_json::to_value(&answer).unwrap()).unwrap();
        assert_eq!(kept, answer);
    }

    #[test]
    fn failures_count_each_failed_item_and_unspecified_ones() {
        let failures = vec![
            ("0401".to_owned(), "330000".to_owned(), "2026-01-02".to_owned(), "铅；镉".to_owned()),
            ("0401".to_owned(), "320000".to_owned(), "2026-01-02".to_owned(), String::new()),
        ];
        assert_eq!(
            failure_table(&failures),
            vec![
                ("0401".to_owned(), "(unspecified)".to_owned(), 1),
                ("0401".to_owned(), "铅".to_owned(), 1),
                ("0401".to_owned(), "镉".to_owned(), 1)
            ]
        );
        assert_eq!(
            failure_daily(failures.clone(), false),
            vec![("0401".into(), String::new(), "2026-01-02".into(), 2)]
        );
        assert_eq!(failure_daily(failures, true).len(), 2);
    }
}
