//! The classifier of Chinese complaint text: rules as data in `data/complaint_classifier.json`, shown to
//! regulators so they can inspect and correct it.

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Debug, Deserialize)]
pub struct Classifier {
    pub version: String,
    pub method: String,
    pub categories: Vec<Label>,
    pub issues: Vec<Label>,
}

#[derive(Debug, Deserialize)]
pub struct Label {
    pub code: String,
    /// A found term of a higher-priority label wins over any score of a lower one (safety outranks the rest).
    #[serde(default)]
    pub priority: u8,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    pub terms: Vec<String>,
}

/// The classifier's rules.
pub fn classifier() -> &'static Classifier {
    static RULES: OnceLock<Classifier> = OnceLock::new();
    RULES.get_or_init(|| {
        serde_json::from_str(include_str!("../data/complaint_classifier.json"))
            .expect("complaint_classifier.json is valid")
    })
}

/// The best label for a text and the evidence: the terms found and every label's score.
fn best(labels: &[Label], text: &str) -> (Option<String>, Value) {
    let mut winner: Option<(usize, &Label)> = None;
    let mut evidence = Vec::new();
    for label in labels {
        let found: Vec<&str> = label.terms.iter().filter(|t| text.contains(t.as_str())).map(String::as_str).collect();
        let score: usize = found.iter().map(|t| t.chars().count()).sum();
        if score == 0 {
            continue;
        }
        evidence.push(json!({"code": label.code, "score": score, "priority": label.priority, "terms": found}));
        if winner.is_none_or(|(top, best)| (label.priority, score) > (best.priority, top)) {
            winner = Some((score, label));
        }
    }
    (winner.map(|(_, label)| label.code.clone()), Value::Array(evidence))
}

/// Classifies a filing's text into a product category and an issue type, with the evidence for each.
pub fn classify(text: &str) -> (Option<String>, Option<String>, Value) {
    let rules = classifier();
    let (category, category_evidence) = best(&rules.categories, text);
    let (issue, issue_evidence) = best(&rules.issues, text);
    let evidence = json!({
        "method": "keywords", "version": rules.version,
        "category": {"code": category, "candidates": category_evidence},
        "issue": {"code": issue, "candidates": issue_evidence},
    });
    (category, issue, evidence)
}

/// The issue types' codes.
pub fn is_issue(code: &str) -> bool {
    classifier().issues.iter().any(|label| label.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_by_the_longest_evidence() {
        let (category, issue, evidence) = classify("买的电动自行车充电时电池起火，烧伤了手");
        assert_eq!(category.as_deref(), Some("0503"));
        assert_eq!(issue.as_deref(), Some("safety"));
        assert_eq!(evidence["issue"]["candidates"][0]["terms"], json!(["起火", "烧伤"]));
        let (category, issue, _) = classify("羽绒服洗了一次就起球，商家不予退换");
        assert_eq!(category.as_deref(), Some("0301"));
        assert_eq!(issue.as_deref(), Some("after_sales"), "不予退换 outweighs 起球");
        // A brake that failed and nearly hurt a child is a safety matter, though the consumer asks for a refund
        // and a repair (after-sales terms that score more).
        let (category, issue, evidence) = classify("电动车刹车失灵，差点撞到孩子，要求退货退款或者维修");
        assert_eq!(category.as_deref(), Some("0503"), "{evidence}");
        assert_eq!(issue.as_deref(), Some("safety"), "{evidence}");
        let (category, issue, _) = classify("没有任何线索的文字");
        assert_eq!((category, issue), (None, None));
    }
}
