//! Risk assessment (风险评估) by the EU RAG method: an injury scenario's probability (the product of its steps)
//! and its severity (1–4) give the risk level from the matrix in `data/risk_matrix.json`.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, Serialize)]
struct MatrixRow {
    above: f64,
    levels: [String; 4],
}

#[derive(Debug, Deserialize)]
struct Matrix {
    version: String,
    confidence: String,
    rows: Vec<MatrixRow>,
}

fn matrix() -> &'static Matrix {
    static MATRIX: OnceLock<Matrix> = OnceLock::new();
    MATRIX.get_or_init(|| {
        serde_json::from_str(include_str!("../../data/risk_matrix.json")).expect("risk_matrix.json is valid")
    })
}

/// Why a scenario cannot be assessed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RiskError {
    #[error("severity {0} is not 1, 2, 3 or 4")]
    Severity(i64),
    #[error("step {0}: probability {1} is not between 0 and 1")]
    Probability(usize, f64),
    #[error("an injury scenario needs at least one step")]
    NoSteps,
}

/// One step of an injury scenario and the probability that it happens given the steps before.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Step {
    pub description: String,
    pub probability: f64,
}

/// An assessed scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub probability: f64,
    pub severity: i64,
    /// serious | high | medium | low
    pub level: String,
    pub matrix_version: String,
    pub matrix_confidence: String,
}

/// The scenario's overall probability and its level.
pub fn assess(steps: &[Step], severity: i64) -> Result<Assessment, RiskError> {
    if !(1..=4).contains(&severity) {
        return Err(RiskError::Severity(severity));
    }
    if steps.is_empty() {
        return Err(RiskError::NoSteps);
    }
    let mut probability = 1.0;
    for (index, step) in steps.iter().enumerate() {
        if !(0.0..=1.0).contains(&step.probability) {
            return Err(RiskError::Probability(index + 1, step.probability));
        }
        probability *= step.probability;
    }
    let matrix = matrix();
    let row = matrix.rows.iter().find(|r| probability > r.above).or(matrix.rows.last()).expect("the matrix has rows");
    Ok(Assessment {
        probability,
        severity,
        level: row.levels[(severity - 1) as usize].clone(),
        matrix_version: matrix.version.clone(),
        matrix_confidence: matrix.confidence.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(probabilities: &[f64]) -> Vec<Step> {
        probabilities.iter().map(|&p| Step { description: String::new(), probability: p }).collect()
    }

    #[test]
    fn the_guidelines_folding_chair_is_low() {
        // Severity 1 at 1/500 (the guidelines' own example).
        assert_eq!(assess(&steps(&[0.1, 0.02]), 1).unwrap().level, "low");
    }

    #[test]
    fn levels_follow_the_matrix() {
        assert_eq!(assess(&steps(&[0.6]), 1).unwrap().level, "high");
        assert_eq!(assess(&steps(&[0.5, 0.5]), 2).unwrap().level, "serious");
        assert_eq!(assess(&steps(&[0.00002]), 3).unwrap().level, "medium");
        assert_eq!(assess(&steps(&[0.0000005]), 4).unwrap().level, "low");
        assert_eq!(assess(&steps(&[0.5]), 5), Err(RiskError::Severity(5)));
        assert_eq!(assess(&steps(&[1.5]), 2), Err(RiskError::Probability(1, 1.5)));
    }
}
