//! Confidence intervals for a binomial proportion, such as a pass rate (合格率) from n samples of which x
//! passed, and for the difference of two proportions.

use crate::distributions::{beta_quantile, normal_quantile};

/// Interval methods, named as in the API (`method=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Wilson score interval: the default, good coverage at every n and p.
    Wilson,
    /// Clopper-Pearson "exact" interval from beta quantiles: conservative.
    ClopperPearson,
    /// Jeffreys interval: equal-tailed interval of the Beta(x + ½, n − x + ½) posterior.
    Jeffreys,
    /// Agresti-Coull "add z²/2 successes and failures" interval.
    AgrestiCoull,
    /// Wald interval p ± z·√(p(1−p)/n): shown for comparison, poor near 0 and 1.
    Wald,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 5] =
        [Method::Wilson, Method::ClopperPearson, Method::Jeffreys, Method::AgrestiCoull, Method::Wald];

    /// The API name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Wilson => "wilson",
            Method::ClopperPearson => "clopper_pearson",
            Method::Jeffreys => "jeffreys",
            Method::AgrestiCoull => "agresti_coull",
            Method::Wald => "wald",
        }
    }

    /// Parses an API name.
    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// A point estimate with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Inputs that admit no interval.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProportionError {
    /// n = 0.
    #[error("no trials: a proportion needs at least one")]
    NoTrials,
    /// x > n.
    #[error("{successes} successes out of {trials} trials")]
    TooManySuccesses { successes: u64, trials: u64 },
    /// Confidence outside (0, 1).
    #[error("confidence {0} is not between 0 and 1")]
    Confidence(f64),
}

fn check(successes: u64, trials: u64, confidence: f64) -> Result<(), ProportionError> {
    if trials == 0 {
        return Err(ProportionError::NoTrials);
    }
    if successes > trials {
        return Err(ProportionError::TooManySuccesses { successes, trials });
    }
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(ProportionError::Confidence(confidence));
    }
    Ok(())
}

/// The two-sided interval for `successes` out of `trials` at `confidence` (e.g. 0.95).
pub fn interval(successes: u64, trials: u64, confidence: f64, method: Method) -> Result<Interval, ProportionError> {
    check(successes, trials, confidence)?;
    let (x, n) = (successes as f64, trials as f64);
    let p = x / n;
    let alpha = 1.0 - confidence;
    let z = normal_quantile(1.0 - alpha / 2.0);
    let (lower, upper) = match method {
        Method::Wilson => {
            let z2 = z * z;
            let denominator = 1.0 + z2 / n;
            let centre = (p + z2 / (2.0 * n)) / denominator;
            let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
            (centre - half, centre + half)
        }
        Method::ClopperPearson => {
            let lower = if successes == 0 { 0.0 } else { beta_quantile(alpha / 2.0, x, n - x + 1.0) };
            let upper = if successes == trials { 1.0 } else { beta_quantile(1.0 - alpha / 2.0, x + 1.0, n - x) };
            (lower, upper)
        }
        Method::Jeffreys => {
            (beta_quantile(alpha / 2.0, x + 0.5, n - x + 0.5), beta_quantile(1.0 - alpha / 2.0, x + 0.5, n - x + 0.5))
        }
        Method::AgrestiCoull => {
            let n_tilde = n + z * z;
            let p_tilde = (x + z * z / 2.0) / n_tilde;
            let half = z * (p_tilde * (1.0 - p_tilde) / n_tilde).sqrt();
            (p_tilde - half, p_tilde + half)
        }
        Method::Wald => {
            let half = z * (p * (1.0 - p) / n).sqrt();
            (p - half, p + half)
        }
    };
    Ok(Interval { estimate: p, lower: lower.clamp(0.0, 1.0), upper: upper.clamp(0.0, 1.0) })
}

/// The difference p₁ − p₂ of two independent proportions (e.g. this year's pass rate against last year's)
/// with Newcombe's hybrid score interval, built from the two Wilson intervals.
pub fn difference(
    (successes1, trials1): (u64, u64),
    (successes2, trials2): (u64, u64),
    confidence: f64,
) -> Result<Interval, ProportionError> {
    let first = interval(successes1, trials1, confidence, Method::Wilson)?;
    let second = interval(successes2, trials2, confidence, Method::Wilson)?;
    let estimate = first.estimate - second.estimate;
    let lower = estimate - ((first.estimate - first.lower).powi(2) + (second.upper - second.estimate).powi(2)).sqrt();
    let upper = estimate + ((first.upper - first.estimate).powi(2) + (second.estimate - second.lower).powi(2)).sqrt();
    Ok(Interval { estimate, lower, upper })
}
