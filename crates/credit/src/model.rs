//! The scoring model: data, checked when loaded.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A credit class, A (low risk) to D (high risk); a worse class compares greater.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Class {
    A,
    B,
    C,
    D,
}

impl Class {
    /// The letter.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::A => "A",
            Class::B => "B",
            Class::C => "C",
            Class::D => "D",
        }
    }

    /// Parses a letter.
    pub fn parse(text: &str) -> Option<Class> {
        match text {
            "A" => Some(Class::A),
            "B" => Some(Class::B),
            "C" => Some(Class::C),
            "D" => Some(Class::D),
            _ => None,
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A kind of credit record and what it does to the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindRule {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Added to the score while the record counts: negative for failures and penalties, positive for good records.
    pub points: i32,
    /// Days from the record's date during which it counts.
    pub counts_days: u32,
    /// Days from the record's date during which it is public, unless the record says otherwise.
    pub public_days: u32,
    pub legal_basis: String,
    /// Who may record it: `inspection`, `recall`, `complaint` (collected from the platform), `regulator`, `department`.
    pub sources: Vec<String>,
}

/// A class and the lowest score that reaches it (none for the last class).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassRule {
    pub class: Class,
    pub min_score: Option<i32>,
    pub name_zh: String,
    pub name_en: String,
    pub supervision_zh: String,
    pub supervision_en: String,
}

/// A published listing forces at least this class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingRule {
    pub list: String,
    pub at_least: Class,
}

/// A versioned scoring model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    pub version: String,
    pub effective_from: NaiveDate,
    pub note: String,
    pub base_score: i32,
    pub positive_cap: i32,
    pub kinds: Vec<KindRule>,
    pub classes: Vec<ClassRule>,
    pub listings: Vec<ListingRule>,
    pub sampling_weights: BTreeMap<Class, f64>,
}

/// Why a model was refused.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ModelError {
    #[error("the model is not valid JSON of the model's shape: {0}")]
    Shape(String),
    #[error("kind '{0}' is defined twice")]
    DuplicateKind(String),
    #[error("kind '{kind}': {problem}")]
    Kind { kind: String, problem: String },
    #[error("classes must be A, B, C, D in order with strictly falling minimum scores and none for D")]
    Classes,
    #[error("class {0} needs a positive, finite sampling weight")]
    SamplingWeight(Class),
    #[error("positive_cap must not be negative")]
    PositiveCap,
}

/// The kind the platform collects for a published failed sample.
pub const INSPECTION_FAILURE: &str = "inspection_failure";

rulekit::text_enum! {
    /// Where a credit record comes from: collected from the platform's own workflows, or recorded by hand.
    pub enum Source ("credit record source") {
        Inspection = "inspection" ("监督抽查", "supervision sampling"),
        Recall = "recall" ("缺陷产品召回", "recall"),
        Complaint = "complaint" ("投诉举报", "complaints"),
        Certification = "certification" ("认证认可", "certification"),
        Licensing = "licensing" ("生产许可", "production licensing"),
        Regulator = "regulator" ("市场监管部门", "market regulator"),
        Department = "department" ("其他部门", "another department"),
    }
}

impl KindRule {
    /// Whether records of this kind may come from `source`.
    pub fn allows(&self, source: Source) -> bool {
        self.sources.iter().any(|s| s == source.as_str())
    }
}

impl Model {
    /// Reads and checks a model.
    pub fn from_json(text: &str) -> Result<Model, ModelError> {
        let model: Model = serde_json::from_str(text).map_err(|e| ModelError::Shape(e.to_string()))?;
        model.check()?;
        Ok(model)
    }

    /// The model bundled with this version of the platform.
    pub fn bundled() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| {
            Model::from_json(include_str!("../data/credit_model.json")).expect("the bundled credit model is valid")
        })
    }

    fn check(&self) -> Result<(), ModelError> {
        let mut seen = HashSet::new();
        for kind in &self.kinds {
            if !seen.insert(kind.code.as_str()) {
                return Err(ModelError::DuplicateKind(kind.code.clone()));
            }
            let problem = if kind.counts_days == 0 || kind.public_days == 0 {
                Some("counts_days and public_days must be at least 1".to_owned())
            } else if kind.sources.is_empty() {
                Some("no source may record it".to_owned())
            } else {
                kind.sources.iter().find(|s| s.parse::<Source>().is_err()).map(|s| {
                    let known: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
                    format!("source '{s}' is not one of {}", known.join(", "))
                })
            };
            if let Some(problem) = problem {
                return Err(ModelError::Kind { kind: kind.code.clone(), problem });
            }
        }
        let letters: Vec<Class> = self.classes.iter().map(|c| c.class).collect();
        let minimums: Vec<Option<i32>> = self.classes.iter().map(|c| c.min_score).collect();
        let falling =
            minimums.windows(2).all(|w| matches!(w, [Some(a), Some(b)] if a > b) || matches!(w, [Some(_), None]));
        if letters != [Class::A, Class::B, Class::C, Class::D] || !falling || minimums[3].is_some() {
            return Err(ModelError::Classes);
        }
        for class in letters {
            if !self.sampling_weights.get(&class).is_some_and(|w| w.is_finite() && *w > 0.0) {
                return Err(ModelError::SamplingWeight(class));
            }
        }
        if self.positive_cap < 0 {
            return Err(ModelError::PositiveCap);
        }
        Ok(())
    }

    /// The rule of a record kind.
    pub fn kind(&self, code: &str) -> Option<&KindRule> {
        self.kinds.iter().find(|k| k.code == code)
    }

    /// The class a score reaches.
    pub fn class_for(&self, score: i32) -> Class {
        self.classes.iter().find(|c| c.min_score.is_none_or(|min| score >= min)).map_or(Class::D, |c| c.class)
    }

    /// The rule of a class.
    pub fn class_rule(&self, class: Class) -> &ClassRule {
        self.classes.iter().find(|c| c.class == class).expect("a checked model has every class")
    }

    /// The sampling weight of a class.
    pub fn sampling_weight(&self, class: Class) -> f64 {
        self.sampling_weights[&class]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled_json() -> serde_json::Value {
        serde_json::from_str(include_str!("../data/credit_model.json")).unwrap()
    }

    #[test]
    fn the_bundled_model_is_valid_and_every_kind_has_a_legal_basis() {
        let model = Model::bundled();
        assert!(model.kinds.iter().all(|k| !k.legal_basis.is_empty() && k.public_days > 0));
        assert_eq!(model.class_for(90), Class::A);
        assert_eq!(model.class_for(89), Class::B);
        assert_eq!(model.class_for(60), Class::C);
        assert_eq!(model.class_for(59), Class::D);
        assert_eq!(model.class_for(i32::MIN), Class::D);
    }

    #[test]
    fn broken_models_are_refused_with_the_reason() {
        let mut json = bundled_json();
        json["classes"][1]["min_score"] = serde_json::json!(95);
        assert_eq!(Model::from_json(&json.to_string()), Err(ModelError::Classes));

        let mut json = bundled_json();
        json["kinds"][1]["code"] = json["kinds"][0]["code"].clone();
        assert_eq!(Model::from_json(&json.to_string()), Err(ModelError::DuplicateKind("inspection_failure".into())));

        let mut json = bundled_json();
        json["kinds"][0]["sources"] = serde_json::json!(["bank"]);
        assert!(
            matches!(Model::from_json(&json.to_string()), Err(ModelError::Kind { problem, .. }) if problem.contains("'bank'"))
        );

        let mut json = bundled_json();
        json["sampling_weights"]["C"] = serde_json::json!(0.0);
        assert_eq!(Model::from_json(&json.to_string()), Err(ModelError::SamplingWeight(Class::C)));

        let mut json = bundled_json();
        json["surprise"] = serde_json::json!(1);
        assert!(matches!(Model::from_json(&json.to_string()), Err(ModelError::Shape(m)) if m.contains("surprise")));
    }
}
