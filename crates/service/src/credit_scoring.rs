//! Keeping credit files and classes current: collecting the records the platform's own workflows produced, and
//! scoring organizations page by page with the credit model. Used by the API, the CLI and the benchmark.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use credit::{evaluate, Model, Record};
use serde::Serialize;
use store::credit_file::{ClassUpdate, CreditRecord, RecordCandidate};
use store::{Store, StoreError};

/// A new record's id: `CR` and 16 hex digits.
pub fn new_record_id() -> String {
    format!("CR{}", hex::encode_upper(rand::random::<[u8; 8]>()))
}

/// The last day a record dated `occurred_on` of this kind is public.
pub fn public_until(model: &Model, kind: &str, occurred_on: NaiveDate) -> Option<NaiveDate> {
    let rule = model.kind(kind)?;
    // The day it happened is the first of its `public_days`.
    Some(occurred_on + Days::new(u64::from(rule.public_days.max(1) - 1)))
}

fn collected(model: &Model, candidate: RecordCandidate) -> Option<CreditRecord> {
    let rule = model.kind(&candidate.kind)?;
    let occurred_on: NaiveDate = candidate.occurred_on.get(..10)?.parse().ok()?;
    // A failed sample's title is its product class and its reference the sample; a re-inspection's title is the sample.
    let detail = match candidate.source.parse::<credit::Source>() {
        Ok(credit::Source::Inspection) if candidate.kind == credit::INSPECTION_FAILURE => {
            format!("{}（样品 {}）", candidate.title, candidate.source_ref)
        }
        Ok(credit::Source::Inspection) => format!("样品 {}", candidate.title),
        Ok(credit::Source::Certification) => format!("证书 {}", candidate.title),
        Ok(credit::Source::Licensing) => format!("许可证 {}", candidate.title),
        _ => candidate.title.clone(),
    };
    Some(CreditRecord {
        id: new_record_id(),
        uscc: candidate.uscc,
        title: format!("{}：{detail}", rule.name_zh),
        kind: candidate.kind,
        source: candidate.source,
        department: String::new(),
        source_ref: candidate.source_ref,
        legal_basis: rule.legal_basis.clone(),
        decision_no: None,
        occurred_on: occurred_on.to_string(),
        public_until: public_until(model, &rule.code, occurred_on)?.to_string(),
        withdrawn_on: None,
        withdrawn_reason: None,
        created_by: None,
        created_at: String::new(),
        log_index: None,
        withdrawn_log_index: None,
    })
}

/// Collects into the credit files what inspections, recalls and complaints produced since the last collection
/// (of one organization, or of all). Idempotent. Returns how many records were new.
pub async fn collect(store: &Store, model: &Model, uscc: Option<&str>) -> Result<u64, StoreError> {
    let candidates = store.credit_record_candidates(uscc).await?;
    let records: Vec<CreditRecord> = candidates.into_iter().filter_map(|c| collected(model, c)).collect();
    if records.is_empty() {
        return Ok(0);
    }
    store.insert_credit_records(&records, None).await
}

/// What a scoring run did.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ScoringSummary {
    pub model_version: String,
    /// The day scored on.
    #[schema(format = Date)]
    pub as_of: String,
    /// Organizations scored.
    pub organizations: u64,
    /// Organizations whose class changed (a first class counts), each with a public-log entry.
    pub class_changes: u64,
    /// Organizations whose score, reasons or model version changed without a class change (stored, not logged).
    pub refreshed: u64,
    /// Organizations by class after the run.
    pub by_class: HashMap<String, u64>,
}

/// Scores every organization on `as_of` and stores what changed, `batch` organizations per transaction.
pub async fn rescore_all(
    store: &Store,
    model: &Model,
    as_of: NaiveDate,
    batch: usize,
) -> Result<ScoringSummary, StoreError> {
    rescore(store, model, as_of, None, batch).await
}

/// Scores one organization on `as_of` and stores what changed.
pub async fn rescore_one(
    store: &Store,
    model: &Model,
    as_of: NaiveDate,
    uscc: &str,
) -> Result<ScoringSummary, StoreError> {
    rescore(store, model, as_of, Some(uscc), 1).await
}

async fn rescore(
    store: &Store,
    model: &Model,
    as_of: NaiveDate,
    only: Option<&str>,
    batch: usize,
) -> Result<ScoringSummary, StoreError> {
    let mut summary =
        ScoringSummary { model_version: model.version.clone(), as_of: as_of.to_string(), ..ScoringSummary::default() };
    let mut after = String::new();
    loop {
        let page = store.scoring_page(&after, batch.max(1) as i64, only).await?;
        let Some(last) = page.usccs.last() else { break };
        after = last.clone();
        let mut listed: HashMap<&str, Vec<&str>> = HashMap::new();
        for (uscc, list) in &page.listings {
            listed.entry(uscc.as_str()).or_default().push(list.as_str());
        }
        let stored: HashMap<&str, (&str, i64, &str, &str)> =
            page.classes.iter().map(|(u, c, s, v, r)| (u.as_str(), (c.as_str(), *s, v.as_str(), r.as_str()))).collect();
        // Records of USCCs in the page's range that are not registered organizations are never asked for.
        let mut records_of: HashMap<&str, Vec<Record>> = HashMap::new();
        for (uscc, id, kind, on) in &page.records {
            if let Some(occurred_on) = on.get(..10).and_then(|d| d.parse().ok()) {
                records_of.entry(uscc.as_str()).or_default().push(Record { id, kind, occurred_on });
            }
        }
        let mut updates = Vec::new();
        for uscc in &page.usccs {
            let records = records_of.remove(uscc.as_str()).unwrap_or_default();
            let evaluation = evaluate(model, records, listed.get(uscc.as_str()).map_or(&[], Vec::as_slice), as_of);
            let class = evaluation.class.as_str();
            *summary.by_class.entry(class.to_owned()).or_default() += 1;
            summary.organizations += 1;
            let reasons = serde_json::to_string(&evaluation.reasons).unwrap_or_else(|_| "[]".into());
            let previous = stored.get(uscc.as_str());
            let same = previous.is_some_and(|(c, s, v, r)| {
                *c == class && *s == i64::from(evaluation.score) && *v == evaluation.model_version && *r == reasons
            });
            if same {
                continue;
            }
            let update = ClassUpdate {
                uscc: uscc.clone(),
                previous_class: previous.map(|(c, _, _, _)| (*c).to_owned()),
                class: class.to_owned(),
                score: i64::from(evaluation.score),
                model_version: evaluation.model_version.clone(),
                reasons,
                as_of: as_of.to_string(),
            };
            if update.changed() {
                summary.class_changes += 1;
            } else {
                summary.refreshed += 1;
            }
            updates.push(update);
        }
        if !updates.is_empty() {
            store.apply_class_updates(&updates).await?;
        }
        if only.is_some() {
            break;
        }
    }
    Ok(summary)
}

/// Collects one organization's new records and rescores it: after a step that changes its file or its listing.
pub async fn refresh_one(store: &Store, model: &Model, uscc: &str, as_of: NaiveDate) -> Result<(), StoreError> {
    collect(store, model, Some(uscc)).await?;
    rescore_one(store, model, as_of, uscc).await?;
    Ok(())
}
