//! Pass-rate figures for `zhiliang bench`: pass rates grouped by category × province over millions of sample
//! results, through the HTTP API, beside the plain SQL `GROUP BY` count on the same table, on SQLite and on
//! PostgreSQL when one is given.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::inspections::NewSample;
use store::Store;

use crate::load;

const CATEGORIES: [&str; 12] =
    ["0101", "0102", "0103", "0201", "0301", "0401", "0402", "0501", "0503", "0601", "0802", "0902"];
const CHANNELS: [&str; 3] = ["production", "retail", "online"];
const BATCH: usize = 50_000;

/// Generated results: every province, a dozen categories, three years, pass rates 80–99%.
fn samples(count: usize) -> impl Iterator<Item = Vec<NewSample>> {
    let counties: Vec<String> = codes::region::in_use()
        .filter(|r| r.level == codes::RegionLevel::County && r.code.as_str() < "710000")
        .map(|r| r.code.clone())
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    (0..count.div_ceil(BATCH)).map(move |b| {
        (b * BATCH..((b + 1) * BATCH).min(count))
            .map(|i| {
                let category = CATEGORIES[rng.gen_range(0..CATEGORIES.len())];
                let year = 2024 + (i % 3) as i32;
                let rate = 0.80 + 0.015 * (CATEGORIES.iter().position(|c| *c == category).unwrap_or(0) as f64);
                let channel = CHANNELS[i % 3];
                NewSample {
                    sample_id: format!("B{i:08}"),
                    campaign_id: format!("{year}-GC-{category}"),
                    campaign_level: "national".into(),
                    sampled_on: format!("{year}-{:02}-{:02}", rng.gen_range(1..=12), rng.gen_range(1..=28)),
                    product_category: category.into(),
                    uscc: "91350100M000100Y43".into(),
                    region_code: counties[rng.gen_range(0..counties.len())].clone(),
                    channel: channel.into(),
                    verdict: if rng.gen_bool(rate) { "pass" } else { "fail" }.into(),
                    gtin: None,
                    lot: None,
                    production_date: None,
                    lab: None,
                    sampler: None,
                    failed_items: None,
                    stratum: Some(channel.into()),
                    stratum_population: Some(100_000),
                }
            })
            .collect()
    })
}

/// The median of some timings.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

/// The plain count: the same table grouped the same way, nothing else.
async fn plain_count(store: &Store) -> anyhow::Result<usize> {
    Ok(store::bench::plain_sample_count(store).await?)
}

async fn one_backend(label: &str, store: Store, count: usize) -> anyhow::Result<()> {
    eprintln!("{label}: loading {count} sample results");
    let started = Instant::now();
    for batch in samples(count) {
        store.import_samples(&batch, None).await?;
    }
    eprintln!("{label}: loaded in {:.1} s", started.elapsed().as_secs_f64());
    // Warm the caches once, as a running server would be.
    plain_count(&store).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let app = server::app(crate::bench::bench_state(&store));
    let server = tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await });
    let mut connection = load::Connection::open(addr).await?;
    let request =
        b"GET /api/v1/inspections/pass-rates?group_by=product_category,region HTTP/1.1\r\nHost: bench\r\n\r\n";
    const RUNS: usize = 5;
    let (mut api_times, mut plain_times) = (Vec::new(), Vec::new());
    let (mut groups, mut plain_groups) = (0, 0);
    for _ in 0..RUNS {
        let start = Instant::now();
        let status = connection.get(request).await?;
        anyhow::ensure!(status == 200, "pass-rate API answered {status}");
        let value: serde_json::Value = serde_json::from_slice(connection.body()).context("pass-rate JSON")?;
        groups = value["groups"].as_array().map_or(0, Vec::len);
        api_times.push(start.elapsed());
        let start = Instant::now();
        plain_groups = plain_count(&store).await?;
        plain_times.push(start.elapsed());
    }
    let (api, plain) = (median(api_times), median(plain_times));
    server.abort();
    anyhow::ensure!(groups == plain_groups, "the API gave {groups} groups, the plain count {plain_groups}");
    println!(
        "| pass rates by category × province over {count} results, {label} ({groups} groups, Wilson intervals, via HTTP) | {:.0} ms | plain `GROUP BY` count: {:.0} ms | {:.2}× | < 1 s and ≤ 2× |",
        api.as_secs_f64() * 1000.0,
        plain.as_secs_f64() * 1000.0,
        api.as_secs_f64() / plain.as_secs_f64(),
    );
    store.close().await;
    Ok(())
}

/// Runs the pass-rate figures on SQLite, and on PostgreSQL when `postgres_url` is given.
pub async fn run(dir: &Path, count: usize, postgres_url: Option<&str>) -> anyhow::Result<()> {
    let path = dir.join("inspections.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    one_backend("SQLite", Store::open(&format!("sqlite://{}", path.display())).await?, count).await?;
    if let Some(url) = postgres_url {
        let name = format!("zl_bench_{}", std::process::id());
        let store = crate::bench_traceability::fresh_postgres(url, &name).await?;
        let result = one_backend("PostgreSQL", store, count).await;
        crate::bench_traceability::drop_postgres(url, &name).await?;
        result?;
    }
    Ok(())
}
