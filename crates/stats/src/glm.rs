//! A small quasi-Poisson GLM with log link, fitted by iteratively reweighted least squares: what the Farrington
//! detector fits to each week's baseline. Design matrices are small (an intercept, a trend, a few seasonal
//! factors), so the normal equations are solved directly.

// Matrix code reads best with explicit indices.
#![allow(clippy::needless_range_loop)]

/// A fitted model.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub coefficients: Vec<f64>,
    /// (X'WX)⁻¹, unscaled by the dispersion.
    pub unscaled_covariance: Vec<Vec<f64>>,
    /// Fitted means.
    pub fitted: Vec<f64>,
    /// Pearson dispersion Σ wᵢ(yᵢ − μᵢ)²/μᵢ / (n − p).
    pub dispersion: f64,
    /// Diagonal of the hat matrix.
    pub leverage: Vec<f64>,
    pub converged: bool,
}

/// Solves A·x = b for a symmetric positive-definite A by Cholesky; `None` when A is singular.
fn cholesky_inverse(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let n = a.len();
    let mut l = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..=i {
            let sum: f64 = (0..j).map(|k| l[i][k] * l[j][k]).sum();
            if i == j {
                let diagonal = a[i][i] - sum;
                if diagonal <= 1e-12 * a[i][i].abs().max(1e-300) {
                    return None;
                }
                l[i][j] = diagonal.sqrt();
            } else {
                l[i][j] = (a[i][j] - sum) / l[j][j];
            }
        }
    }
    // Invert L, then A⁻¹ = L⁻ᵀ L⁻¹.
    let mut inverse_l = vec![vec![0.0; n]; n];
    for i in 0..n {
        inverse_l[i][i] = 1.0 / l[i][i];
        for j in 0..i {
            let sum: f64 = (j..i).map(|k| l[i][k] * inverse_l[k][j]).sum();
            inverse_l[i][j] = -sum / l[i][i];
        }
    }
    let mut inverse = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in 0..n {
            inverse[i][j] = (i.max(j)..n).map(|k| inverse_l[k][i] * inverse_l[k][j]).sum();
        }
    }
    Some(inverse)
}

/// Fits log E[y] = Xβ with prior weights, quasi-Poisson. Rows of `x` are observations.
pub fn quasi_poisson(x: &[Vec<f64>], y: &[f64], weights: &[f64]) -> Option<Fit> {
    let (n, p) = (y.len(), x.first()?.len());
    if n <= p {
        return None;
    }
    // Start from log(y + 0.1), as glm's mustart y + 0.1 does.
    let mut eta: Vec<f64> = y.iter().map(|v| (v + 0.1).ln()).collect();
    let mut beta = vec![0.0; p];
    let mut covariance = vec![vec![0.0; p]; p];
    let mut converged = false;
    let mut deviance_before = f64::INFINITY;
    for _ in 0..50 {
        let mu: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
        // Working response z = η + (y − μ)/μ, working weights w·μ.
        let mut xtwx = vec![vec![0.0; p]; p];
        let mut xtwz = vec![0.0; p];
        for i in 0..n {
            let w = weights[i] * mu[i];
            let z = eta[i] + (y[i] - mu[i]) / mu[i];
            for a in 0..p {
                xtwz[a] += w * x[i][a] * z;
                for b in 0..=a {
                    xtwx[a][b] += w * x[i][a] * x[i][b];
                }
            }
        }
        for a in 0..p {
            for b in 0..a {
                xtwx[b][a] = xtwx[a][b];
            }
        }
        covariance = cholesky_inverse(&xtwx)?;
        beta = (0..p).map(|a| (0..p).map(|b| covariance[a][b] * xtwz[b]).sum()).collect();
        eta = x.iter().map(|row| row.iter().zip(&beta).map(|(v, c)| v * c).sum()).collect();
        let deviance: f64 = (0..n)
            .map(|i| {
                let mu = eta[i].exp();
                let term = if y[i] > 0.0 { y[i] * (y[i] / mu).ln() } else { 0.0 };
                2.0 * weights[i] * (term - (y[i] - mu))
            })
            .sum();
        if (deviance - deviance_before).abs() / (deviance.abs() + 0.1) < 1e-8 {
            converged = true;
            break;
        }
        deviance_before = deviance;
    }
    let fitted: Vec<f64> = eta.iter().map(|e| e.exp()).collect();
    // The covariance at the final fit, for standard errors and leverages.
    let mut xtwx = vec![vec![0.0; p]; p];
    for i in 0..n {
        let w = weights[i] * fitted[i];
        for a in 0..p {
            for b in 0..p {
                xtwx[a][b] += w * x[i][a] * x[i][b];
            }
        }
    }
    covariance = cholesky_inverse(&xtwx)?;
    let dispersion = (0..n).map(|i| weights[i] * (y[i] - fitted[i]).powi(2) / fitted[i]).sum::<f64>() / (n - p) as f64;
    let leverage = (0..n)
        .map(|i| {
            let w = weights[i] * fitted[i];
            let quadratic: f64 =
                (0..p).map(|a| (0..p).map(|b| x[i][a] * covariance[a][b] * x[i][b]).sum::<f64>()).sum();
            w * quadratic
        })
        .collect();
    Some(Fit { coefficients: beta, unscaled_covariance: covariance, fitted, dispersion, leverage, converged })
}

impl Fit {
    /// Linear predictor and its standard error (with the given dispersion) at a new row.
    pub fn predict_link(&self, row: &[f64], dispersion: f64) -> (f64, f64) {
        let eta: f64 = row.iter().zip(&self.coefficients).map(|(v, c)| v * c).sum();
        let p = row.len();
        let variance: f64 =
            (0..p).map(|a| (0..p).map(|b| row[a] * self.unscaled_covariance[a][b] * row[b]).sum::<f64>()).sum();
        (eta, (variance * dispersion).sqrt())
    }

    /// The two-sided p-value of coefficient `index` against zero, with the t distribution on n − p degrees of
    /// freedom as quasi-likelihood summaries use.
    pub fn coefficient_p_value(&self, index: usize, observations: usize) -> f64 {
        let p = self.coefficients.len();
        let se = (self.unscaled_covariance[index][index] * self.dispersion).sqrt();
        let t = self.coefficients[index] / se;
        let df = (observations - p) as f64;
        2.0 * (1.0 - crate::distributions::t_cdf(t.abs(), df))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_log_linear_trend() {
        // y = exp(1 + 0.1 t) exactly: the fit returns the coefficients and no dispersion.
        let x: Vec<Vec<f64>> = (0..20).map(|t| vec![1.0, f64::from(t)]).collect();
        let y: Vec<f64> = (0..20).map(|t| (1.0 + 0.1 * f64::from(t)).exp()).collect();
        let fit = quasi_poisson(&x, &y, &[1.0; 20]).unwrap();
        assert!((fit.coefficients[0] - 1.0).abs() < 1e-8 && (fit.coefficients[1] - 0.1).abs() < 1e-9, "{fit:?}");
        assert!(fit.dispersion < 1e-12);
        // Leverages of a model with p parameters sum to p.
        assert!((fit.leverage.iter().sum::<f64>() - 2.0).abs() < 1e-9);
    }
}
