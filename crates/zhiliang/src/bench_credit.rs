//! Credit-class figures for `zhiliang bench --suite credit`: scoring every organization of a generated register
//! (1,000,000 by default) with the bundled model — the first run, where every organization gets its first class
//! (a class row, a change row and a public-log entry each); a run with nothing changed; and a run a year on, when
//! records have aged out — beside a raw insert of the same number of class rows in one transaction.

use std::path::Path;
use std::time::Instant;

use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::credit_file::CreditRecord;
use store::{Indexed, Store};

use cli::demo;

/// Organizations scored per transaction, as the server does by default.
const BATCH: usize = service::DEFAULT_SCORING_BATCH;

/// Kinds a generated record takes, roughly as often as a register would see them.
const KINDS: [&str; 8] = [
    "inspection_failure",
    "inspection_failure",
    "penalty_minor",
    "penalty",
    "complaint_mediated",
    "good_record",
    "quality_award",
    "penalty_heavier",
];

fn records(usccs: &[String], as_of: NaiveDate, rng: &mut ChaCha8Rng) -> Vec<CreditRecord> {
    let model = credit::Model::bundled();
    let mut out = Vec::new();
    for uscc in usccs {
        // One organization in four has a file: one to four records over the last four years.
        if !rng.gen_ratio(1, 4) {
            continue;
        }
        for _ in 0..rng.gen_range(1..=4) {
            let kind = KINDS[rng.gen_range(0..KINDS.len())];
            let occurred_on = as_of - Days::new(rng.gen_range(0..1460));
            let id = format!("CRB{:012}", out.len());
            out.push(CreditRecord {
                source_ref: id.clone(),
                id,
                uscc: uscc.clone(),
                kind: kind.into(),
                source: "regulator".into(),
                department: String::new(),
                title: "bench".into(),
                legal_basis: "bench".into(),
                decision_no: None,
                occurred_on: occurred_on.to_string(),
                public_until: service::credit_scoring::public_until(model, kind, occurred_on)
                    .unwrap_or(occurred_on)
                    .to_string(),
                withdrawn_on: None,
                withdrawn_reason: None,
                created_by: None,
                created_at: String::new(),
                log_index: None,
                withdrawn_log_index: None,
            });
        }
    }
    out
}

/// The disk's limit for writing the classes: the same number of rows into a plain table, one transaction.
fn raw_class_rows(path: &Path, rows: usize) -> anyhow::Result<f64> {
    crate::bench_traceability::remove_sqlite(path);
    Ok(store::bench::raw_class_rows(path, rows)?)
}

/// A raw multi-row insert of the same number of class rows into a plain PostgreSQL table, one transaction.
async fn raw_class_rows_postgres(store_url: &str, rows: usize) -> anyhow::Result<f64> {
    Ok(store::bench::raw_class_rows_postgres(store_url, rows).await?)
}

/// Loads the register and files into `store`, then times the three scoring runs; prints a row each.
async fn one_backend(label: &str, store: &Store, organizations: usize, raw: f64) -> anyhow::Result<()> {
    eprintln!("credit ({label}): generating {organizations} organizations and their files");
    let mut usccs = Vec::with_capacity(organizations);
    let mut batch = Vec::new();
    for (organization, _) in demo::organizations(organizations, 42) {
        usccs.push(organization.uscc.to_string());
        batch.push(Indexed::from(organization));
        if batch.len() == 10_000 {
            store.import_organizations(std::mem::take(&mut batch), None).await?;
        }
    }
    if !batch.is_empty() {
        store.import_organizations(batch, None).await?;
    }
    let as_of: NaiveDate = "2026-11-29".parse()?;
    let generated = records(&usccs, as_of, &mut ChaCha8Rng::seed_from_u64(7));
    for chunk in generated.chunks(10_000) {
        store.insert_credit_records(chunk, None).await?;
    }
    let model = credit::Model::bundled();
    eprintln!("credit ({label}): first scoring ({} records)", generated.len());
    let started = Instant::now();
    let first = service::credit_scoring::rescore_all(store, model, as_of, BATCH).await?;
    let first_time = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let unchanged = service::credit_scoring::rescore_all(store, model, as_of, BATCH).await?;
    let unchanged_time = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let later = service::credit_scoring::rescore_all(store, model, as_of + Days::new(365), BATCH).await?;
    let later_time = started.elapsed().as_secs_f64();
    anyhow::ensure!(first.class_changes == organizations as u64 && unchanged.class_changes == 0, "unexpected runs");
    println!(
        "| credit classes on {label}, first scoring of {organizations} organizations ({} records; {} classes, change rows and log entries written) | {first_time:.1} s | raw insert of {organizations} class rows, one transaction: {raw:.1} s | {:.1}× | < 60 s |",
        generated.len(),
        first.class_changes,
        first_time / raw,
    );
    println!(
        "| credit classes on {label}, rescoring with nothing changed ({} organizations read and compared) | {unchanged_time:.1} s | — | — | < 60 s |",
        unchanged.organizations
    );
    println!(
        "| credit classes on {label}, rescoring a year on ({} class changes, {} refreshed) | {later_time:.1} s | — | — | < 60 s |",
        later.class_changes, later.refreshed
    );
    let by_class: std::collections::BTreeMap<_, _> = first.by_class.iter().collect();
    eprintln!("credit ({label}): classes at the first scoring {by_class:?}");
    Ok(())
}

/// The credit figures on SQLite, and on PostgreSQL when `postgres_url` is given.
pub async fn run(dir: &Path, organizations: usize, postgres_url: Option<&str>) -> anyhow::Result<()> {
    let path = dir.join("credit.db");
    crate::bench_traceability::remove_sqlite(&path);
    let raw = raw_class_rows(&dir.join("credit-raw.db"), organizations)?;
    let store = Store::open(&format!("sqlite://{}", path.display())).await?;
    one_backend("SQLite", &store, organizations, raw).await?;
    store.close().await;
    if let Some(url) = postgres_url {
        let name = format!("zl_bench_credit_{}", std::process::id());
        let store = crate::bench_traceability::fresh_postgres(url, &name).await?;
        let base = url.rsplit_once('/').map_or(url, |(base, _)| base);
        let result = async {
            let raw = raw_class_rows_postgres(&format!("{base}/{name}"), organizations).await?;
            one_backend("PostgreSQL", &store, organizations, raw).await
        }
        .await;
        store.close().await;
        crate::bench_traceability::drop_postgres(url, &name).await?;
        result?;
    }
    Ok(())
}
