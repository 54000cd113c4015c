//! Public-log figures for `zhiliang bench --suite log`: appends to a SQLite store with every complete subtree
//! stored (so any proof can be answered at once), singly and in batches, beside a raw durable insert of the same
//! rows; inclusion and consistency proof latency from that store; and proof planning and assembly at 100,000,000
//! leaves over a simulated tree whose node hashes are derived from their position.

use std::path::Path;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};
use store::public_log::NewEntry;
use store::Store;
use translog::{consistency_plan, inclusion_plan, Hash, NodeId};

fn entry(i: usize) -> NewEntry {
    NewEntry {
        kind: "inspection_result".into(),
        subject: format!("91330106MA27X{:05}", i % 100_000),
        data: store::public_log::canonical(&serde_json::json!({
            "type": "inspection_result", "sample_id": format!("S{i:09}"), "campaign_id": "2026-BENCH", "verdict": "pass",
            "product_category": "0503", "published_on": "2026-11-29",
        })),
    }
}

fn percentile(times: &mut [Duration], p: f64) -> f64 {
    times.sort();
    times[((times.len() - 1) as f64 * p) as usize].as_secs_f64() * 1000.0
}

/// A raw insert of the same entry rows, one durable commit each: the disk's limit for lone appends.
fn raw_single_commits(path: &Path, rows: usize) -> anyhow::Result<f64> {
    crate::bench_traceability::remove_sqlite(path);
    let entries = (0..rows).map(|i| {
        let e = entry(i);
        (e.kind, e.subject, e.data)
    });
    Ok(store::bench::raw_single_commits(path, entries)?)
}

/// The hash a simulated tree gives a node: derived from its position, so no tree need be stored.
fn simulated(node: NodeId) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([node.level]);
    hasher.update(node.index.to_be_bytes());
    hasher.finalize().into()
}

/// The log figures.
pub async fn run(dir: &Path, entries: usize) -> anyhow::Result<()> {
    let path = dir.join("log.db");
    crate::bench_traceability::remove_sqlite(&path);
    let store = Store::open(&format!("sqlite://{}", path.display())).await?;

    let singles = 5_000.min(entries);
    let started = Instant::now();
    for i in 0..singles {
        store.append_log(std::slice::from_ref(&entry(i))).await?;
    }
    let single_rate = singles as f64 / started.elapsed().as_secs_f64();
    let raw = raw_single_commits(&dir.join("log-raw.db"), singles)?;

    let started = Instant::now();
    let batch: usize = 100;
    let mut written = singles;
    while written < entries {
        let chunk: Vec<NewEntry> = (written..(written + batch).min(entries)).map(entry).collect();
        written += chunk.len();
        store.append_log(&chunk).await?;
    }
    let batch_rate = (entries - singles) as f64 / started.elapsed().as_secs_f64();
    anyhow::ensure!(store.log_size().await? == entries as u64, "the log lost appends");

    // Proofs from the store, as the API builds them: plan, one read of the nodes, assembly.
    let size = entries as u64;
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let (mut inclusion, mut consistency) = (Vec::new(), Vec::new());
    for _ in 0..1_000 {
        let index = rng.gen_range(0..size);
        let started = Instant::now();
        let plan = inclusion_plan(index, size)?;
        let nodes = store.log_nodes(&plan.nodes()).await?;
        anyhow::ensure!(plan.assemble(|n| nodes.get(&n).copied()).is_some(), "a stored node is missing");
        inclusion.push(started.elapsed());
        let first = rng.gen_range(1..=size);
        let started = Instant::now();
        let plan = consistency_plan(first, size)?;
        let nodes = store.log_nodes(&plan.nodes()).await?;
        anyhow::ensure!(plan.assemble(|n| nodes.get(&n).copied()).is_some(), "a stored node is missing");
        consistency.push(started.elapsed());
    }
    store.close().await;

    // At 100,000,000 leaves over the simulated tree: the planning and hashing a proof costs beyond the read.
    let big: u64 = 100_000_000;
    let mut simulated_times = Vec::new();
    for _ in 0..10_000 {
        let index = rng.gen_range(0..big);
        let started = Instant::now();
        let plan = inclusion_plan(index, big)?;
        let path = plan.assemble(|n| Some(simulated(n))).expect("every node exists");
        simulated_times.push(started.elapsed());
        anyhow::ensure!(
            (1..=27).contains(&path.len()),
            "a proof at 10⁸ leaves has at most 27 hashes, got {}",
            path.len()
        );
    }

    println!(
        "| append to the public log on SQLite, one entry a transaction (durable commit each), {singles} entries | {single_rate:.0} entries/s | raw insert of the same rows, one durable commit each: {raw:.0} rows/s | {:.0}% | ≥ 10,000 entries/s |",
        100.0 * single_rate / raw
    );
    println!(
        "| append to the public log on SQLite, {batch} entries a transaction, {} entries (every complete subtree stored) | {batch_rate:.0} entries/s | — | — | ≥ 10,000 entries/s |",
        entries - singles
    );
    println!(
        "| inclusion proof from the store at {size} leaves (plan, one node read, assembly), 1,000 random | p50 {:.3} ms, p99 {:.3} ms | — | — | < 1 ms |",
        percentile(&mut inclusion, 0.5),
        percentile(&mut inclusion, 0.99)
    );
    println!(
        "| consistency proof from the store at {size} leaves, 1,000 random | p50 {:.3} ms, p99 {:.3} ms | — | — | < 1 ms |",
        percentile(&mut consistency, 0.5),
        percentile(&mut consistency, 0.99)
    );
    println!(
        "| inclusion proof at 100,000,000 leaves, simulated tree (planning and hashing, node reads excluded), 10,000 random | p50 {:.4} ms, p99 {:.4} ms | — | — | < 1 ms |",
        percentile(&mut simulated_times, 0.5),
        percentile(&mut simulated_times, 0.99)
    );
    Ok(())
}
