//! Risk assessment (风险评估) by the EU RAG method: an injury scenario's probability (the product of its steps)
//! and its severity (1–4) give the risk level from the matrix in `data/risk_matrix.json`.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

rulekit::text_enum! {
    /// A risk level of the RAG method.
    pub enum RiskLevel ("risk level") {
        Serious = "serious" ("严重风险", "serious"),
        High = "high" ("高风险", "high"),
        Medium = "medium" ("中风险", "medium"),
        Low = "low" ("低风险", "low"),
    }
}

#[derive(Debug, Deserialize, Serialize)]
struct MatrixRow {
    above: f64,
    levels: [RiskLevel; 4],
}

#[derive(Debug, Deserialize)]
struct Matrix {
    version: String,
    confidence: String,
    rows: Vec<MatrixRow>,
}

const SHIPPED: &str = include_str!("../data/risk_matrix.json");

/// Reads a matrix and checks it: rows from the highest probability down to a last row above 0.
fn read(text: &str) -> Result<Matrix, String> {
    let matrix: Matrix = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if matrix.rows.last().map(|row| row.above) != Some(0.0) {
        return Err("the last row is for probabilities above 0".into());
    }
    if matrix.rows.windows(2).any(|pair| pair[0].above <= pair[1].above) {
        return Err("rows go from the highest probability down".into());
    }
    Ok(matrix)
}

/// Checks the shipped matrix; the server calls this at start-up.
pub fn check_shipped() -> Result<(), String> {
    read(SHIPPED).map(|_| ())
}

fn matrix() -> &'static Matrix {
    static MATRIX: OnceLock<Matrix> = OnceLock::new();
    MATRIX.get_or_init(|| read(SHIPPED).expect("risk_matrix.json is checked at start-up"))
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
    pub level: RiskLevel,
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
        level: row.levels[(severity - 1) as usize],
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
        assert_eq!(assess(&steps(&[0.1, 0.02]), 1).unwrap().level, RiskLevel::Low);
    }

    #[test]
    fn the_shipped_matrix_holds_and_a_disordered_one_is_refused() {
        check_shipped().unwrap();
        let disordered = SHIPPED.replace(r#""above": 0.5,"#, r#""above": 0.05,"#);
        assert!(read(&disordered).is_err());
        let bad_level = SHIPPED.replacen(r#""high", "serious""#, r#""severe", "serious""#, 1);
        assert!(read(&bad_level).is_err());
    }

    #[test]
    fn levels_follow_the_matrix() {
        assert_eq!(assess(&steps(&[0.6]), 1).unwrap().level, RiskLevel::High);
        assert_eq!(assess(&steps(&[0.5, 0.5]), 2).unwrap().level, RiskLevel::Serious);
        assert_eq!(assess(&steps(&[0.00002]), 3).unwrap().level, RiskLevel::Medium);
        assert_eq!(assess(&steps(&[0.0000005]), 4).unwrap().level, RiskLevel::Low);
        assert_eq!(assess(&steps(&[0.5]), 5), Err(RiskError::Severity(5)));
        assert_eq!(assess(&steps(&[1.5]), 2), Err(RiskError::Probability(1, 1.5)));
    }
}
