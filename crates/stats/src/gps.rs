//! The gamma-Poisson shrinker (DuMouchel 1999): the empirical-Bayes geometric mean (EBGM) of the ratio of
//! observed to expected reports, and its 5% and 95% posterior limits (EB05, EB95), under a two-component gamma
//! mixture prior fitted to all cells by maximum likelihood.

use crate::distributions::{digamma, incomplete_gamma_pair, ln_gamma};

/// The mixture prior: λ ~ p·Gamma(α₁, β₁) + (1 − p)·Gamma(α₂, β₂) (shape, rate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prior {
    pub alpha1: f64,
    pub beta1: f64,
    pub alpha2: f64,
    pub beta2: f64,
    pub p: f64,
}

/// A cell's posterior summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Posterior {
    /// exp(E[ln λ]).
    pub ebgm: f64,
    pub eb05: f64,
    pub eb95: f64,
    /// Posterior weight of the first component.
    pub q: f64,
}

/// ln of the negative-binomial marginal of a count `n` with expected count `e` under Gamma(α, β).
fn ln_marginal(n: f64, e: f64, alpha: f64, beta: f64) -> f64 {
    ln_gamma(alpha + n) - ln_gamma(alpha) - ln_gamma(n + 1.0)
        + alpha * (beta / (beta + e)).ln()
        + n * (e / (beta + e)).ln()
}

/// ln of the mixture marginal, and the first component's posterior weight.
fn mixture(prior: &Prior, n: f64, e: f64) -> (f64, f64) {
    let l1 = prior.p.ln() + ln_marginal(n, e, prior.alpha1, prior.beta1);
    let l2 = (1.0 - prior.p).ln() + ln_marginal(n, e, prior.alpha2, prior.beta2);
    let top = l1.max(l2);
    let total = top + ((l1 - top).exp() + (l2 - top).exp()).ln();
    (total, (l1 - total).exp())
}

impl Prior {
    /// The posterior of a cell with `n` reports where `e` were expected.
    pub fn posterior(&self, n: u64, e: f64) -> Posterior {
        let n = n as f64;
        let (_, q) = mixture(self, n, e);
        let (shape1, rate1) = (self.alpha1 + n, self.beta1 + e);
        let (shape2, rate2) = (self.alpha2 + n, self.beta2 + e);
        let mean_log = q * (digamma(shape1) - rate1.ln()) + (1.0 - q) * (digamma(shape2) - rate2.ln());
        let cdf = |x: f64| {
            q * incomplete_gamma_pair(shape1, rate1 * x).0 + (1.0 - q) * incomplete_gamma_pair(shape2, rate2 * x).0
        };
        let density = |x: f64| {
            let component =
                |shape: f64, rate: f64| (shape * rate.ln() + (shape - 1.0) * x.ln() - rate * x - ln_gamma(shape)).exp();
            q * component(shape1, rate1) + (1.0 - q) * component(shape2, rate2)
        };
        // Newton steps on the mixture CDF from the posterior mean, kept inside a bracket that bisection shrinks.
        let quantile = |p: f64| {
            let (mut low, mut high) = (0.0_f64, f64::INFINITY);
            let mut x = q * shape1 / rate1 + (1.0 - q) * shape2 / rate2;
            for _ in 0..100 {
                let residual = cdf(x) - p;
                if residual > 0.0 {
                    high = x;
                } else {
                    low = x;
                }
                let mut next = x - residual / density(x);
                if !next.is_finite() || next <= low || next >= high {
                    next = if high.is_finite() { 0.5 * (low + high) } else { 2.0 * x };
                }
                if (next - x).abs() <= 1e-12 * x {
                    return next;
                }
                x = next;
            }
            x
        };
        Posterior { ebgm: mean_log.exp(), eb05: quantile(0.05), eb95: quantile(0.95), q }
    }

    /// The log-likelihood of cells (count, expected count).
    pub fn log_likelihood(&self, cells: &[(u64, f64)]) -> f64 {
        cells.iter().map(|&(n, e)| mixture(self, n as f64, e).0).sum()
    }

    /// The log-likelihood of weighted cells (count, expected count, how many cells it stands for).
    pub fn weighted_log_likelihood(&self, cells: &[(u64, f64, f64)]) -> f64 {
        cells.iter().map(|&(n, e, w)| w * mixture(self, n as f64, e).0).sum()
    }

    /// Parameters from log-space, shapes and rates bounded to [1e-6, 1e4]: beyond, a component is a point mass
    /// in all but name, and the posterior's incomplete gamma functions grow slow for no gain.
    fn from_point(x: &[f64; 5]) -> Prior {
        let bounded = |v: f64| v.exp().clamp(1e-6, 1e4);
        Prior {
            alpha1: bounded(x[0]),
            beta1: bounded(x[1]),
            alpha2: bounded(x[2]),
            beta2: bounded(x[3]),
            p: 1.0 / (1.0 + (-x[4]).exp()),
        }
    }

    fn to_point(self) -> [f64; 5] {
        [self.alpha1.ln(), self.beta1.ln(), self.alpha2.ln(), self.beta2.ln(), (self.p / (1.0 - self.p)).ln()]
    }

    /// The maximum-likelihood prior for the cells, by Nelder–Mead on log-parameters from `start`, restarted
    /// until it no longer improves. DuMouchel's usual start: α₁ = 0.2, β₁ = 0.1, α₂ = 2, β₂ = 4, p = ⅓.
    pub fn fit(cells: &[(u64, f64)], start: Prior) -> Prior {
        let weighted: Vec<(u64, f64, f64)> = cells.iter().map(|&(n, e)| (n, e, 1.0)).collect();
        Prior::fit_weighted(&weighted, start)
    }

    /// The maximum-likelihood prior for weighted cells, e.g. the output of [`squash`].
    pub fn fit_weighted(cells: &[(u64, f64, f64)], start: Prior) -> Prior {
        let objective = |x: &[f64; 5]| {
            let value = -Prior::from_point(x).weighted_log_likelihood(cells);
            if value.is_finite() {
                value
            } else {
                f64::MAX
            }
        };
        let mut best = start.to_point();
        let mut best_value = objective(&best);
        for _ in 0..10 {
            let (point, value) = nelder_mead(&objective, best, 0.5, 4_000);
            let improved = best_value - value > 1e-9 * best_value.abs().max(1.0);
            if value < best_value {
                best = point;
                best_value = value;
            }
            if !improved {
                break;
            }
        }
        Prior::from_point(&best)
    }
}

/// Data squashing (DuMouchel et al.): cells with the same count and nearly the same expected count are merged
/// into one weighted cell, `bins` per count, so fitting the prior over millions of cells costs thousands of terms.
pub fn squash(cells: &[(u64, f64)], bins: usize) -> Vec<(u64, f64, f64)> {
    let mut by_count: std::collections::BTreeMap<u64, Vec<f64>> = std::collections::BTreeMap::new();
    for &(n, e) in cells {
        by_count.entry(n).or_default().push(e);
    }
    let mut out = Vec::new();
    for (n, mut expected) in by_count {
        expected.sort_by(f64::total_cmp);
        let size = expected.len().div_ceil(bins.max(1));
        for chunk in expected.chunks(size.max(1)) {
            out.push((n, chunk.iter().sum::<f64>() / chunk.len() as f64, chunk.len() as f64));
        }
    }
    out
}

/// Nelder–Mead minimisation in five dimensions (standard coefficients).
fn nelder_mead(f: &impl Fn(&[f64; 5]) -> f64, start: [f64; 5], step: f64, iterations: usize) -> ([f64; 5], f64) {
    let mut simplex: Vec<([f64; 5], f64)> = vec![(start, f(&start))];
    for i in 0..5 {
        let mut point = start;
        point[i] += step;
        simplex.push((point, f(&point)));
    }
    for _ in 0..iterations {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[5].1);
        if (worst - best).abs() <= 1e-12 * (best.abs() + worst.abs()) + 1e-300 {
            break;
        }
        let mut centroid = [0.0; 5];
        for (point, _) in &simplex[..5] {
            for j in 0..5 {
                centroid[j] += point[j] / 5.0;
            }
        }
        let along = |t: f64| {
            let mut point = [0.0; 5];
            for j in 0..5 {
                point[j] = centroid[j] + t * (simplex[5].0[j] - centroid[j]);
            }
            point
        };
        let reflected = along(-1.0);
        let reflected_value = f(&reflected);
        if reflected_value < simplex[0].1 {
            let expanded = along(-2.0);
            let expanded_value = f(&expanded);
            simplex[5] = if expanded_value < reflected_value {
                (expanded, expanded_value)
            } else {
                (reflected, reflected_value)
            };
        } else if reflected_value < simplex[4].1 {
            simplex[5] = (reflected, reflected_value);
        } else {
            let contracted = if reflected_value < simplex[5].1 { along(-0.5) } else { along(0.5) };
            let contracted_value = f(&contracted);
            if contracted_value < simplex[5].1.min(reflected_value) {
                simplex[5] = (contracted, contracted_value);
            } else {
                let best_point = simplex[0].0;
                for entry in simplex.iter_mut().skip(1) {
                    for (value, best) in entry.0.iter_mut().zip(best_point) {
                        *value = best + 0.5 * (*value - best);
                    }
                    entry.1 = f(&entry.0);
                }
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex[0]
}
