//! Disproportionality and shrinkage against the shared reference values.

use stats::disproportionality::Table;

use crate::load;

fn relative(got: f64, want: f64) -> f64 {
    if want == 0.0 {
        got.abs()
    } else {
        ((got - want) / want).abs()
    }
}

#[test]
fn every_disproportionality_case_matches() {
    let data = load("disproportionality.json");
    let cases = data["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 30);
    let mut failures = Vec::new();
    for case in cases {
        let count = |k: &str| case[k].as_u64().unwrap();
        let table = Table { a: count("a"), b: count("b"), c: count("c"), d: count("d") };
        let got = table.statistics();
        let fields = [
            ("expected", got.expected),
            ("prr", got.prr),
            ("prr_lower", got.prr_lower),
            ("prr_upper", got.prr_upper),
            ("ror", got.ror),
            ("ror_lower", got.ror_lower),
            ("ror_upper", got.ror_upper),
            ("chi2", got.chi2),
            ("chi2_yates", got.chi2_yates),
            ("ic", got.ic),
            ("ic025", got.ic025),
            ("ic975", got.ic975),
            ("bcpnn_ic", got.bcpnn_ic),
            ("bcpnn_var", got.bcpnn_var),
            ("bcpnn_ic025", got.bcpnn_ic025),
        ];
        for (name, value) in fields {
            let want = case[name].as_f64().unwrap();
            if relative(value, want) > 1e-9 {
                failures.push(format!("{table:?} {name}: {value} vs {want}"));
            }
        }
        if got.evans_signal != case["evans_signal"].as_bool().unwrap() {
            failures.push(format!("{table:?} evans_signal"));
        }
    }
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn ebgm_posteriors_match_openebgm() {
    let data = load("published_cases.json");
    let case =
        data["signals"].as_array().unwrap().iter().find(|c| c["name"] == "ebgm_posterior_openEBGM_vignette").unwrap();
    let p = &case["prior"];
    let prior = stats::gps::Prior {
        alpha1: p["alpha1"].as_f64().unwrap(),
        beta1: p["beta1"].as_f64().unwrap(),
        alpha2: p["alpha2"].as_f64().unwrap(),
        beta2: p["beta2"].as_f64().unwrap(),
        p: p["p"].as_f64().unwrap(),
    };
    let tolerance = case["tolerance"].as_f64().unwrap();
    for cell in case["cases"].as_array().unwrap() {
        let got = prior.posterior(cell["n"].as_u64().unwrap(), cell["e"].as_f64().unwrap());
        for (name, value) in [("ebgm", got.ebgm), ("eb05", got.eb05), ("eb95", got.eb95)] {
            let want = cell[name].as_f64().unwrap();
            // The vignette prints two decimals (its quantiles come from a bisection to that precision).
            assert!((value - want).abs() <= tolerance, "{cell}: {name} {value} vs {want}");
        }
    }
}

#[test]
fn ic025_from_exact_gamma_matches_vigicaen() {
    let data = load("published_cases.json");
    let case = data["signals"].as_array().unwrap().iter().find(|c| c["name"] == "ic025_exact_gamma").unwrap();
    let (ic025, _) = stats::disproportionality::ic_limits(
        case["observed"].as_u64().unwrap(),
        case["expected_count"].as_f64().unwrap(),
        0.025,
        0.975,
    );
    assert!((ic025 - case["ic025"].as_f64().unwrap()).abs() <= case["tolerance"].as_f64().unwrap(), "{ic025}");
}

/// Cells drawn from a known mixture: the fitted prior explains them at least as well as the truth does, and
/// lands near it.
#[test]
fn the_prior_fit_recovers_a_known_mixture() {
    use rand::{Rng, SeedableRng};
    let truth = stats::gps::Prior { alpha1: 0.4, beta1: 0.3, alpha2: 6.0, beta2: 3.0, p: 0.3 };
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
    let gamma = |rng: &mut rand_chacha::ChaCha8Rng, shape: f64, rate: f64| {
        // Marsaglia–Tsang, with the boost for shapes below one.
        let (boost, shape) = if shape < 1.0 { (rng.gen::<f64>().powf(1.0 / shape), shape + 1.0) } else { (1.0, shape) };
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let z: f64 = {
                let (u1, u2): (f64, f64) = (rng.gen::<f64>().max(1e-300), rng.gen());
                (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
            };
            let v = (1.0 + c * z).powi(3);
            if v > 0.0 && rng.gen::<f64>().ln() < 0.5 * z * z + d - d * v + d * v.ln() {
                return boost * d * v / rate;
            }
        }
    };
    let poisson = |rng: &mut rand_chacha::ChaCha8Rng, mean: f64| {
        let (limit, mut product, mut k) = ((-mean).exp(), 1.0, 0u64);
        loop {
            product *= rng.gen::<f64>();
            if product <= limit {
                return k;
            }
            k += 1;
        }
    };
    let cells: Vec<(u64, f64)> = (0..4_000)
        .map(|_| {
            let e = 0.2 + 3.0 * rng.gen::<f64>();
            let lambda = if rng.gen::<f64>() < truth.p {
                gamma(&mut rng, truth.alpha1, truth.beta1)
            } else {
                gamma(&mut rng, truth.alpha2, truth.beta2)
            };
            (poisson(&mut rng, lambda * e), e)
        })
        .collect();
    let start = stats::gps::Prior { alpha1: 0.2, beta1: 0.1, alpha2: 2.0, beta2: 4.0, p: 1.0 / 3.0 };
    let fitted = stats::gps::Prior::fit(&cells, start);
    assert!(fitted.log_likelihood(&cells) >= truth.log_likelihood(&cells) - 1e-6, "{fitted:?}");
    // The component means (α/β) come back within a quarter of the truth.
    let close = |got: f64, want: f64| ((got - want) / want).abs() < 0.25;
    let (m1, m2) = (fitted.alpha1 / fitted.beta1, fitted.alpha2 / fitted.beta2);
    let (low, high) = if m1 < m2 { (m1, m2) } else { (m2, m1) };
    assert!(close(low, 0.4 / 0.3) && close(high, 2.0), "{fitted:?}");
}

/// Squashed cells give nearly the likelihood of the cells they stand for, so the prior fitted on them fits all.
#[test]
fn squashing_keeps_the_likelihood() {
    let prior = stats::gps::Prior { alpha1: 0.4, beta1: 0.3, alpha2: 6.0, beta2: 3.0, p: 0.3 };
    let cells: Vec<(u64, f64)> = (0..5_000u32).map(|i| (u64::from(i % 7), 0.1 + f64::from(i % 997) / 100.0)).collect();
    let full = prior.log_likelihood(&cells);
    let error = |bins: usize| {
        let squashed = stats::gps::squash(&cells, bins);
        assert!(squashed.len() <= 7 * bins);
        assert_eq!(squashed.iter().map(|c| c.2).sum::<f64>(), 5_000.0);
        ((full - prior.weighted_log_likelihood(&squashed)) / full).abs()
    };
    let (coarse, fine) = (error(50), error(200));
    assert!(fine < coarse && fine < 1e-3, "{coarse} then {fine}");
}
