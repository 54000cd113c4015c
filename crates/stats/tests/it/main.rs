//! The statistics against reference values computed by independent peers (`data/`, copied from the shared
//! fixtures): statsmodels for proportion intervals, hand formulas and samplics for the survey cases.

use serde_json::Value;
use stats::survey::{stratified_proportion, weighted_proportion, Psu, Stratum};
use stats::{interval, Method};

mod signals;
mod temporal;

pub(crate) fn load(name: &str) -> Value {
    let path = format!("{}/tests/it/data/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("JSON")
}

fn close(got: f64, want: f64, tolerance: f64) -> bool {
    (got - want).abs() <= tolerance
}

#[test]
fn every_proportion_interval_matches_statsmodels() {
    let data = load("proportion_intervals.json");
    let cases = data["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 780);
    let mut failures = Vec::new();
    for case in cases {
        let method = Method::from_name(case["method"].as_str().unwrap()).expect("known method");
        let (x, n) = (case["successes"].as_u64().unwrap(), case["trials"].as_u64().unwrap());
        let confidence = case["confidence"].as_f64().unwrap();
        let got = interval(x, n, confidence, method).unwrap();
        let (lower, upper) = (case["lower"].as_f64().unwrap(), case["upper"].as_f64().unwrap());
        if !close(got.lower, lower, 1e-9) || !close(got.upper, upper, 1e-9) {
            failures.push(format!(
                "{} {x}/{n} @{confidence}: got [{}, {}], want [{lower}, {upper}]",
                method.name(),
                got.lower,
                got.upper
            ));
        }
    }
    assert!(failures.is_empty(), "{} of 780 differ:\n{}", failures.len(), failures.join("\n"));
}

fn survey_case(name: &str) -> Value {
    let data = load("published_cases.json");
    data["survey"].as_array().unwrap().iter().find(|c| c["name"] == name).expect("case").clone()
}

#[test]
fn stratified_proportion_matches_cochran() {
    let case = survey_case("stratified_proportion_cochran");
    let tolerance = case["tolerance"].as_f64().unwrap();
    let strata: Vec<Stratum> = case["strata"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| Stratum {
            population: s["population"].as_u64().unwrap(),
            sample: s["sample"].as_u64().unwrap(),
            proportion: s["proportion"].as_f64().unwrap(),
        })
        .collect();
    let estimate = stratified_proportion(&strata).unwrap();
    let expected = &case["expected"];
    assert!(close(estimate.estimate, expected["estimate"].as_f64().unwrap(), tolerance));
    assert!(close(estimate.variance, expected["variance"].as_f64().unwrap(), tolerance));
    assert!(close(estimate.se, expected["se"].as_f64().unwrap(), tolerance));
    let ci = estimate.normal_interval(0.95).unwrap();
    assert!(close(ci.lower, expected["normal_95"][0].as_f64().unwrap(), tolerance), "{ci:?}");
    assert!(close(ci.upper, expected["normal_95"][1].as_f64().unwrap(), tolerance), "{ci:?}");
}

#[test]
fn weighted_estimate_matches_samplics() {
    let case = survey_case("weighted_hospital_sample_national_estimate");
    let tolerance = case["tolerance"].as_f64().unwrap();
    let psus: Vec<Psu> = case["psus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            Psu::uniform(
                u["stratum"].as_str().unwrap(),
                u["weight"].as_f64().unwrap(),
                u["cases"].as_u64().unwrap(),
                u["cases_with_product"].as_u64().unwrap(),
            )
        })
        .collect();
    let e = weighted_proportion(&psus).unwrap();
    let expected = &case["expected"];
    let want = |key: &str| expected[key].as_f64().unwrap();
    assert_eq!(e.records, expected["n"].as_u64().unwrap());
    assert!(close(e.total, want("estimate_total"), tolerance));
    assert!(close(e.population, want("estimate_all_cases"), tolerance));
    assert!(close(e.total_se, want("se_total"), tolerance), "{}", e.total_se);
    assert!(close(e.total_cv, want("cv_total"), 1e-5), "{}", e.total_cv);
    assert!(close(e.proportion, want("proportion"), tolerance));
    assert!(close(e.proportion_se, want("se_proportion"), tolerance), "{}", e.proportion_se);
    assert_eq!(e.degrees_of_freedom, expected["degrees_of_freedom"].as_u64().unwrap());
    assert!(close(e.kish_effective_n, want("kish_effective_n"), 1e-4), "{}", e.kish_effective_n);
    for (key, ci) in [
        ("logit_t_95", e.logit_t(0.95).unwrap()),
        ("wald_t_95", e.wald_t(0.95).unwrap()),
        ("korn_graubard_95", e.korn_graubard(0.95).unwrap()),
    ] {
        let (lower, upper) = (expected[key][0].as_f64().unwrap(), expected[key][1].as_f64().unwrap());
        assert!(
            close(ci.lower, lower, tolerance) && close(ci.upper, upper, tolerance),
            "{key}: {ci:?} want [{lower}, {upper}]"
        );
    }
}

#[test]
fn newcombe_difference_of_two_proportions() {
    // Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 − 48/80, method 10.
    let d = stats::proportion::difference((56, 70), (48, 80), 0.95).unwrap();
    assert!(close(d.estimate, 0.2, 1e-12));
    assert!(close(d.lower, 0.0524, 5e-5) && close(d.upper, 0.3339, 5e-5), "{d:?}");
}

#[test]
fn proportional_allocation_adds_up_and_follows_populations() {
    use stats::survey::proportional_allocation;
    assert_eq!(proportional_allocation(&[1540, 770, 385], 282), [161, 81, 40]);
    assert_eq!(proportional_allocation(&[3, 3, 3], 10), [3, 3, 3]);
    assert_eq!(proportional_allocation(&[1, 1, 1], 2).iter().sum::<u64>(), 2);
}

mod properties {
    use proptest::prelude::*;
    use stats::{interval, Method};

    proptest! {
        #[test]
        fn intervals_hold_the_estimate_and_widen_with_confidence(n in 1u64..5_000, frac in 0.0f64..=1.0, method in 0usize..5) {
            let x = ((n as f64) * frac).round() as u64;
            let method = Method::ALL[method];
            let narrow = interval(x, n, 0.90, method).unwrap();
            let wide = interval(x, n, 0.99, method).unwrap();
            prop_assert!(0.0 <= wide.lower && wide.lower <= narrow.lower + 1e-12);
            prop_assert!(narrow.upper <= wide.upper + 1e-12 && wide.upper <= 1.0);
            if method != Method::Wald && method != Method::Jeffreys {
                prop_assert!(narrow.lower <= narrow.estimate + 1e-12 && narrow.estimate <= narrow.upper + 1e-12);
            }
        }
    }
}
