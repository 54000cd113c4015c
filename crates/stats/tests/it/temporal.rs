//! Temporal detectors and control charts against the published worked examples.

use serde_json::Value;
use stats::spc::{c_chart, p_chart};
use stats::temporal::{
    cusum, ewma, farrington_threshold, noufaily_threshold, poisson_glr, reweight, NoufailyMethod, SkewnessTransform,
};

use crate::load;

fn case(group: &str, name: &str) -> Value {
    load("published_cases.json")[group].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap().clone()
}

fn numbers(value: &Value) -> Vec<f64> {
    value.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect()
}

fn assert_close(got: &[f64], want: &[f64], tolerance: f64, what: &str) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tolerance, "{what}: {got:?} vs {want:?}");
    }
}

#[test]
fn tabular_cusum_matches_montgomery() {
    let c = case("temporal", "tabular_cusum_montgomery_9_1");
    let f = |k: &str| c[k].as_f64().unwrap();
    let chart = cusum(&numbers(&c["x"]), f("target"), f("sigma"), f("k"), f("h"), 0.0);
    let tolerance = f("tolerance");
    assert_close(&chart.statistic[22..30], &numbers(&c["expected"]["c_plus_t23_to_t30"]), tolerance, "C+");
    assert_eq!(chart.first_signal, Some(c["expected"]["first_signal_t"].as_u64().unwrap() as usize));
    let first = chart.first_signal.unwrap();
    assert_eq!(chart.run_lengths[first - 1], c["expected"]["run_length_n_plus"].as_u64().unwrap() as usize);
}

#[test]
fn ewma_matches_montgomery() {
    let c = case("temporal", "ewma_montgomery_9_1");
    let cusum_case = case("temporal", "tabular_cusum_montgomery_9_1");
    let f = |k: &str| c[k].as_f64().unwrap();
    let chart = ewma(&numbers(&cusum_case["x"]), f("target"), f("sigma"), f("lambda"), f("L"));
    let e = &c["expected"];
    let tolerance = f("tolerance");
    for (got, key) in [
        (chart.statistic[0], "z1"),
        (chart.upper[0], "ucl1"),
        (chart.statistic[27], "z28"),
        (chart.upper[27], "ucl28"),
        (chart.statistic[28], "z29"),
    ] {
        let want = e[key].as_f64().unwrap();
        // ucl1 is printed to two decimals.
        let allowed = if key == "ucl1" { 0.005 } else { tolerance };
        assert!((got - want).abs() <= allowed, "{key}: {got} vs {want}");
    }
    assert_eq!(chart.first_signal, Some(e["first_signal_t"].as_u64().unwrap() as usize));
}

#[test]
fn cusum_head_start_matches_lucas_and_crosier() {
    let c = case("temporal", "cusum_fast_initial_response_lucas_crosier");
    let x = numbers(&c["x"]);
    let tolerance = 1e-9;
    assert_close(
        &cusum(&x, 0.0, 1.0, 0.5, 5.0, 0.0).statistic,
        &numbers(&c["expected"]["no_head_start"]),
        tolerance,
        "FIR 0",
    );
    assert_close(
        &cusum(&x, 0.0, 1.0, 0.5, 5.0, 2.5).statistic,
        &numbers(&c["expected"]["head_start_2_5"]),
        tolerance,
        "FIR 2.5",
    );
}

#[test]
fn poisson_glr_matches_its_formula() {
    let c = case("temporal", "poisson_glr_increase");
    let x: Vec<u64> = c["x"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    let (statistic, first) = poisson_glr(&x, c["mu0"].as_f64().unwrap(), c["threshold"].as_f64().unwrap());
    assert_close(&statistic, &numbers(&c["expected"]["glr"]), c["tolerance"].as_f64().unwrap(), "GLR");
    assert_eq!(first, Some(c["expected"]["first_alarm_n"].as_u64().unwrap() as usize));
}

#[test]
fn farrington_thresholds_match_surveillance() {
    let c = case("temporal", "farrington_threshold_power_transforms");
    for (key, transform) in
        [("none", SkewnessTransform::None), ("1/2", SkewnessTransform::Half), ("2/3", SkewnessTransform::TwoThirds)]
    {
        let t = farrington_threshold(5.0, 0.2, 1.0, 0.05, transform, 8.0);
        assert_close(&[t.lower, t.upper, t.p, t.score], &numbers(&c["expected"][key]), 1e-6, key);
    }
    let c = case("temporal", "noufaily_threshold_negative_binomial");
    for (key, phi, method) in [
        ("phi1.5_muan", 1.5, NoufailyMethod::Muan),
        ("phi1.0_muan", 1.0, NoufailyMethod::Muan),
        ("phi1.5_nbPlugin", 1.5, NoufailyMethod::NbPlugin),
        ("phi1.0_nbPlugin", 1.0, NoufailyMethod::NbPlugin),
    ] {
        let t = noufaily_threshold(5f64.ln(), 2f64.ln(), phi, 0.05, method, 11.0);
        assert_close(&[t.lower, t.upper, t.p, t.score], &numbers(&c["expected"][key]), 1e-6, key);
    }
    let c = case("temporal", "farrington_reweighting");
    let weights = reweight(&[0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 2.0, 2.0, 2.0, 2.0], 0.0);
    assert_close(&weights, &numbers(&c["expected"]["weights"]), 1e-9, "weights");
}

#[test]
fn attribute_charts_match_qcc() {
    let c = case("spc", "p_chart_orange_juice");
    let defectives: Vec<u64> = c["defectives"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    let n = c["sample_size"].as_u64().unwrap();
    let chart = p_chart(&defectives, n);
    let e = &c["expected"];
    let tolerance = c["tolerance"].as_f64().unwrap();
    assert_close(
        &[chart.center, chart.lower, chart.upper],
        &[e["center"].as_f64().unwrap(), e["lcl"].as_f64().unwrap(), e["ucl"].as_f64().unwrap()],
        tolerance,
        "p",
    );
    assert_eq!(chart.out_of_control, vec![15, 23]);
    let revised = numbers(&e["revised_limits"]);
    assert_close(
        &[chart.revised_center, chart.revised_lower, chart.revised_upper],
        &[e["revised_center"].as_f64().unwrap(), revised[0], revised[1]],
        tolerance,
        "p revised",
    );
    let np = numbers(&e["np_limits"]);
    let nf = n as f64;
    assert_close(
        &[chart.center * nf, chart.lower * nf, chart.upper * nf],
        &[e["np_center"].as_f64().unwrap(), np[0], np[1]],
        1e-3,
        "np",
    );

    let c = case("spc", "c_chart_circuit_boards");
    let counts: Vec<u64> = c["counts"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    let chart = c_chart(&counts);
    let e = &c["expected"];
    assert_close(
        &[chart.center, chart.lower, chart.upper],
        &[e["center"].as_f64().unwrap(), e["lcl"].as_f64().unwrap(), e["ucl"].as_f64().unwrap()],
        tolerance,
        "c",
    );
    assert_eq!(chart.out_of_control, vec![6, 20]);
    let revised = numbers(&e["revised_limits"]);
    assert_close(
        &[chart.revised_center, chart.revised_lower, chart.revised_upper],
        &[e["revised_center"].as_f64().unwrap(), revised[0], revised[1]],
        tolerance,
        "c revised",
    );
}

/// Six years of seasonal weekly counts: the flexible Farrington detector stays quiet on the noise and flags an
/// outbreak in its first week.
#[test]
fn farrington_flexible_finds_an_outbreak_and_not_the_noise() {
    use rand::{Rng, SeedableRng};
    use stats::temporal::{farrington_flexible, FarringtonConfig};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
    let poisson = |rng: &mut rand_chacha::ChaCha8Rng, mean: f64| {
        let (limit, mut product, mut k) = ((-mean).exp(), 1.0, 0.0);
        loop {
            product *= rng.gen::<f64>();
            if product <= limit {
                return k;
            }
            k += 1.0;
        }
    };
    let mut series: Vec<f64> =
        (0..312).map(|t| poisson(&mut rng, 8.0 + 3.0 * (std::f64::consts::TAU * f64::from(t) / 52.0).sin())).collect();
    let config = FarringtonConfig::default();
    let quiet: Vec<usize> =
        (264..300).filter(|&k| farrington_flexible(&series, k, &config).is_some_and(|r| r.alarm)).collect();
    assert!(quiet.len() <= 3, "false alarms at {quiet:?}");
    for count in &mut series[300..303] {
        *count += 25.0;
    }
    let result = farrington_flexible(&series, 300, &config).expect("fitted");
    assert!(result.alarm, "{result:?}");
    assert!(result.expected > 4.0 && result.expected < 14.0, "{result:?}");
    // Too little history: no verdict.
    assert!(farrington_flexible(&series, 100, &config).is_none());
}

#[test]
fn ears_statistics_follow_their_definitions() {
    use stats::temporal::{ears, Ears};
    let x = [5.0, 6.0, 5.0, 7.0, 6.0, 5.0, 6.0, 5.0, 6.0, 7.0, 6.0, 5.0, 20.0];
    let last = x.len() - 1;
    let standardised = |t: usize, lag: usize| {
        let baseline = &x[t + 1 - lag - 7..t + 1 - lag];
        let mean = baseline.iter().sum::<f64>() / 7.0;
        let sd = (baseline.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 6.0).sqrt();
        (x[t] - mean) / sd
    };
    let c1 = ears(&x, Ears::C1);
    assert!((c1[last].unwrap() - standardised(last, 1)).abs() < 1e-12);
    assert!(c1[6].is_none() && c1[7].is_some());
    let c2 = ears(&x, Ears::C2);
    assert!((c2[last].unwrap() - standardised(last, 3)).abs() < 1e-12);
    assert!(c2[8].is_none() && c2[9].is_some());
    let c3 = ears(&x, Ears::C3);
    let expected: f64 = (0..3).map(|j| (standardised(last - j, 3) - 1.0).max(0.0)).sum();
    assert!((c3[last].unwrap() - expected).abs() < 1e-12);
    assert!(c3[10].is_none() && c3[11].is_some());
}
