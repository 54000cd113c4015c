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
