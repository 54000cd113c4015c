//! Disproportionality of a product × hazard pair among reports (injuries, complaints, inspection failures):
//! is this hazard reported for this product more often than for other products?
//!
//! A 2×2 table: `a` this product with this hazard, `b` this product with other hazards, `c` other products with
//! this hazard, `d` the rest. PRR and ROR with log-normal limits, Pearson's χ² with and without Yates'
//! correction, the Evans signal rule, the shrinkage information component with exact gamma limits (Norén et al.
//! 2013) and the Bayesian confidence propagation neural network's IC (Bate et al. 1998, Gould's closed form).

use crate::distributions::{digamma, gamma_quantile, normal_quantile, trigamma};

/// A product × hazard table of report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    /// This product, this hazard.
    pub a: u64,
    /// This product, other hazards.
    pub b: u64,
    /// Other products, this hazard.
    pub c: u64,
    /// Other products, other hazards.
    pub d: u64,
}

/// Every disproportionality statistic of a table, at 95%.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Disproportionality {
    /// Expected count of `a` under independence: (a+b)(a+c)/N.
    pub expected: f64,
    pub prr: f64,
    pub prr_lower: f64,
    pub prr_upper: f64,
    pub ror: f64,
    pub ror_lower: f64,
    pub ror_upper: f64,
    pub chi2: f64,
    pub chi2_yates: f64,
    /// log2((a + ½)/(E + ½)).
    pub ic: f64,
    pub ic025: f64,
    pub ic975: f64,
    /// BCPNN posterior expectation of the IC, its variance, and the expectation − z·sd.
    pub bcpnn_ic: f64,
    pub bcpnn_var: f64,
    pub bcpnn_ic025: f64,
    /// Evans et al. 2001: PRR ≥ 2, χ² ≥ 4, a ≥ 3.
    pub evans_signal: bool,
}

/// Log-normal limits exp(ln x ± z·se).
fn limits(x: f64, se: f64, z: f64) -> (f64, f64) {
    ((x.ln() - z * se).exp(), (x.ln() + z * se).exp())
}

/// The shrinkage IC's limits: log2 of the gamma(a + ½, rate E + ½) quantiles.
pub fn ic_limits(observed: u64, expected: f64, lower_p: f64, upper_p: f64) -> (f64, f64) {
    let shape = observed as f64 + 0.5;
    let rate = expected + 0.5;
    (gamma_quantile(lower_p, shape, rate).log2(), gamma_quantile(upper_p, shape, rate).log2())
}

impl Table {
    /// Total reports.
    pub fn total(&self) -> u64 {
        self.a + self.b + self.c + self.d
    }

    /// Every statistic. Ratios that divide by zero come out infinite or NaN, as the formulas give them.
    pub fn statistics(&self) -> Disproportionality {
        let (a, b, c, d) = (self.a as f64, self.b as f64, self.c as f64, self.d as f64);
        let n = a + b + c + d;
        let z = normal_quantile(0.975);
        let expected = (a + b) * (a + c) / n;

        let prr = (a / (a + b)) / (c / (c + d));
        let prr_se = (1.0 / a - 1.0 / (a + b) + 1.0 / c - 1.0 / (c + d)).sqrt();
        let (prr_lower, prr_upper) = limits(prr, prr_se, z);
        let ror = (a * d) / (b * c);
        let ror_se = (1.0 / a + 1.0 / b + 1.0 / c + 1.0 / d).sqrt();
        let (ror_lower, ror_upper) = limits(ror, ror_se, z);

        let margins = (a + b) * (c + d) * (a + c) * (b + d);
        let cross = a * d - b * c;
        let chi2 = n * cross * cross / margins;
        let yates = (cross.abs() - n / 2.0).max(0.0);
        let chi2_yates = n * yates * yates / margins;

        let ic = ((a + 0.5) / (expected + 0.5)).log2();
        let (ic025, ic975) = ic_limits(self.a, expected, 0.025, 0.975);

        // Gould's closed form of the BCPNN posterior (as PhViD computes it without simulation).
        let ln2 = std::f64::consts::LN_2;
        let (p1, p2) = (1.0 + a + b, 1.0 + n - (a + b));
        let (q1, q2) = (1.0 + a + c, 1.0 + n - (a + c));
        let r1 = 1.0 + a;
        let r2 = n - a - 1.0 + (2.0 + n) * (2.0 + n) / (q1 * p1);
        let bcpnn_ic =
            (digamma(r1) - digamma(r1 + r2) - (digamma(p1) - digamma(p1 + p2) + digamma(q1) - digamma(q1 + q2))) / ln2;
        let bcpnn_var = (trigamma(r1) - trigamma(r1 + r2)
            + (trigamma(p1) - trigamma(p1 + p2) + trigamma(q1) - trigamma(q1 + q2)))
            / (ln2 * ln2);
        // PhViD and the reference values take the rounded 1.96 here, not the exact normal quantile.
        let bcpnn_ic025 = bcpnn_ic - 1.96 * bcpnn_var.sqrt();

        Disproportionality {
            expected,
            prr,
            prr_lower,
            prr_upper,
            ror,
            ror_lower,
            ror_upper,
            chi2,
            chi2_yates,
            ic,
            ic025,
            ic975,
            bcpnn_ic,
            bcpnn_var,
            bcpnn_ic025,
            evans_signal: prr >= 2.0 && chi2 >= 4.0 && self.a >= 3,
        }
    }
}
