//! Quality credit evaluation (质量信用评价) for tiered supervision (分类监管).
//!
//! The scoring model is data ([`Model`], bundled as `data/credit_model.json`): record kinds with their points,
//! the window in which they count and the period they stay public, class thresholds, the classes a published
//! listing forces, and the sampling weight of each class. [`evaluate`] turns an organization's records into a
//! score and class A–D with every reason that moved it; [`weighted_draw`] draws organizations with probability
//! growing with their class's weight. No IO.

mod draw;
pub mod listing;
mod model;

pub use draw::weighted_draw;
pub use model::{Class, ClassRule, KindRule, ListingRule, Model, ModelError, Source, INSPECTION_FAILURE};

use chrono::NaiveDate;
use serde::Serialize;

/// One record of a credit file, as the evaluation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub occurred_on: NaiveDate,
}

/// Why a class is what it is: a record that counted, a listing that set a floor, or the base score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Reason {
    Base {
        points: i32,
    },
    Record {
        record_id: String,
        kind: String,
        points: i32,
        occurred_on: NaiveDate,
        counts_until: NaiveDate,
    },
    /// Good records beyond the cap: points that did not count.
    PositiveCap {
        cap: i32,
        capped_points: i32,
    },
    Listing {
        list: String,
        at_least: Class,
    },
    /// A record of a kind the model does not score (a kind retired in a later model version).
    NotScored {
        record_id: String,
        kind: String,
    },
}

/// An organization's evaluation under one model version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    pub class: Class,
    pub score: i32,
    pub model_version: String,
    pub reasons: Vec<Reason>,
}

/// Evaluates an organization on `as_of` from its records and the lists it is published on. A record counts from the
/// day it happened for its kind's window; records dated after `as_of` do not count yet.
pub fn evaluate<'a>(
    model: &Model,
    records: impl IntoIterator<Item = Record<'a>>,
    listed_on: &[&str],
    as_of: NaiveDate,
) -> Evaluation {
    let mut reasons = vec![Reason::Base { points: model.base_score }];
    let mut negative = 0;
    let mut positive = 0;
    for record in records {
        let Some(rule) = model.kind(record.kind) else {
            reasons.push(Reason::NotScored { record_id: record.id.to_owned(), kind: record.kind.to_owned() });
            continue;
        };
        let counts_until = record.occurred_on + chrono::Days::new(u64::from(rule.counts_days));
        if record.occurred_on > as_of || counts_until <= as_of || rule.points == 0 {
            continue;
        }
        if rule.points < 0 {
            negative += rule.points;
        } else {
            positive += rule.points;
        }
        reasons.push(Reason::Record {
            record_id: record.id.to_owned(),
            kind: record.kind.to_owned(),
            points: rule.points,
            occurred_on: record.occurred_on,
            counts_until,
        });
    }
    if positive > model.positive_cap {
        reasons.push(Reason::PositiveCap { cap: model.positive_cap, capped_points: positive - model.positive_cap });
        positive = model.positive_cap;
    }
    let score = model.base_score + negative + positive;
    let mut class = model.class_for(score);
    for rule in &model.listings {
        if listed_on.contains(&rule.list.as_str()) {
            reasons.push(Reason::Listing { list: rule.list.clone(), at_least: rule.at_least });
            class = class.max(rule.at_least);
        }
    }
    Evaluation { class, score, model_version: model.version.clone(), reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn record<'a>(id: &'a str, kind: &'a str, on: &str) -> Record<'a> {
        Record { id, kind, occurred_on: day(on) }
    }

    #[test]
    fn an_organization_without_records_gets_the_base_class() {
        let model = Model::bundled();
        let evaluation = evaluate(model, [], &[], day("2026-06-01"));
        assert_eq!(evaluation.score, model.base_score);
        assert_eq!(evaluation.class, model.class_for(model.base_score));
        assert_eq!(evaluation.class, Class::B);
        assert_eq!(evaluation.reasons, vec![Reason::Base { points: 85 }]);
    }

    #[test]
    fn records_count_within_their_window_only() {
        let model = Model::bundled();
        let records = [
            record("r1", "penalty", "2024-01-10"),
            record("r2", "inspection_failure", "2022-01-10"),
            record("r3", "penalty_minor", "2026-07-01"),
        ];
        // r1 counts (−15), r2 is past its 1,095 days, r3 has not happened yet on the day of evaluation.
        let evaluation = evaluate(model, records, &[], day("2026-06-01"));
        assert_eq!(evaluation.score, 70);
        assert_eq!(evaluation.class, Class::C);
        assert_eq!(evaluation.reasons.len(), 2);
        // On the last day of its window the penalty still counts; the next day it does not.
        let last = day("2024-01-10") + chrono::Days::new(1094);
        assert_eq!(evaluate(model, [records[0]], &[], last).score, 70);
        assert_eq!(evaluate(model, [records[0]], &[], last + chrono::Days::new(1)).score, 85);
    }

    #[test]
    fn good_records_are_capped_and_listings_set_a_floor() {
        let model = Model::bundled();
        let records = [
            record("a1", "quality_award", "2026-01-10"),
            record("a2", "quality_award", "2026-02-10"),
            record("g1", "good_record", "2026-03-10"),
        ];
        let evaluation = evaluate(model, records, &[], day("2026-06-01"));
        assert_eq!(evaluation.score, 95);
        assert_eq!(evaluation.class, Class::A);
        assert!(evaluation.reasons.contains(&Reason::PositiveCap { cap: 10, capped_points: 9 }));
        let listed = evaluate(model, records, &["abnormal_operations"], day("2026-06-01"));
        assert_eq!((listed.score, listed.class), (95, Class::C));
        let listed = evaluate(model, records, &["serious_violation", "abnormal_operations"], day("2026-06-01"));
        assert_eq!(listed.class, Class::D);
    }

    #[test]
    fn retired_kinds_are_reported_but_not_scored() {
        let evaluation =
            evaluate(Model::bundled(), [record("x", "no_such_kind", "2026-01-01")], &[], day("2026-06-01"));
        assert_eq!(evaluation.score, 85);
        assert!(matches!(&evaluation.reasons[1], Reason::NotScored { kind, .. } if kind == "no_such_kind"));
    }

    #[test]
    fn heavy_records_reach_every_class() {
        let model = Model::bundled();
        let on = "2026-03-01";
        let cases: [(&[&str], Class); 4] = [
            (&["quality_award"], Class::A),
            (&["inspection_failure"], Class::B),
            (&["penalty"], Class::C),
            (&["penalty_heavier"], Class::D),
        ];
        for (kinds, class) in cases {
            let records: Vec<Record> = kinds.iter().map(|k| record("r", k, on)).collect();
            assert_eq!(evaluate(model, records, &[], day("2026-06-01")).class, class, "{kinds:?}");
        }
    }
}
