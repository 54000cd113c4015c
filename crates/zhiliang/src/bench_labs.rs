//! Lab-search figure for `zhiliang bench`: "who can test product X to standard Y" (current editions) through the
//! HTTP API over 50,000 labs with 5,000,000 scope rows, beside the same server answering a constant body.

use std::path::Path;
use std::time::Duration;

use axum::routing::get;
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use standards::{Change, Edition, Status};
use store::standards::NewImport;
use store::Store;

use crate::bench::load_on_thread;
use crate::load;

/// Synthetic standards the scope rows cite, each with one current edition.
const STANDARDS: usize = 2_000;

fn standard(index: usize) -> String {
    format!("GB/T {}-2020", 90_000 + index)
}

/// Writes the labs, the standards and the scope rows into a fresh database, unless the one at `path` has them.
async fn generate(store: &Store, labs: usize, rows: usize) -> anyhow::Result<()> {
    if store.lab_scope_count().await? >= rows as i64 {
        return Ok(());
    }
    let effective = NaiveDate::from_ymd_opt(2020, 6, 1).expect("a day");
    let editions: Vec<(Edition, Change)> = (0..STANDARDS)
        .map(|i| {
            let edition = Edition {
                number: standard(i).parse().expect("a generated number"),
                title: format!("基准标准 {i}"),
                status: Status::Current,
                effective_on: effective,
                ended_on: None,
                replaced_by: None,
            };
            (edition, Change::Added)
        })
        .collect();
    let import = NewImport { source: "loaded", note: "bench", loaded_by: None };
    store.load_standard_editions(&import, &editions).await?;
    let catalogue =
        product_catalogue::Catalogue::stored(store.catalogue_entries().await?.into_iter().map(|s| s.entry).collect());
    let products: Vec<String> =
        catalogue.entries().filter(|e| e.level == product_catalogue::Level::Product).map(|e| e.code.clone()).collect();
    let counties: Vec<String> =
        codes::region::in_use().filter(|r| r.level == codes::RegionLevel::County).map(|r| r.code.clone()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let per_lab = rows.div_ceil(labs);
    let progress = indicatif::ProgressBar::new(labs as u64);
    for start in (0..labs).step_by(500) {
        let mut batch_labs = Vec::new();
        let mut scopes = Vec::new();
        for i in start..(start + 500).min(labs) {
            let county = &counties[i % counties.len()];
            let uscc = codes::Uscc::assemble(&format!("12{county}"), &format!("L{i:07}")).expect("valid characters");
            batch_labs.push(labs::Lab {
                uscc: uscc.to_string(),
                name: format!("基准检验检测中心{i}"),
                cma: Some(format!("{:012}", 160_000_000_000u64 + i as u64)),
                cnas: None,
                region_code: county.clone(),
            });
            for k in 0..per_lab {
                scopes.push(labs::ScopeRow {
                    lab: uscc.to_string(),
                    product: products[rng.gen_range(0..products.len())].clone(),
                    parameter: format!("参数{k}"),
                    standard: standard(rng.gen_range(0..STANDARDS)).parse().expect("a generated number"),
                    clause: format!("{}.{}", 4 + k % 3, k % 10),
                    method: None,
                    limitation: None,
                    suspended: k % 50 == 49,
                });
            }
        }
        store.put_labs(&batch_labs, &scopes, None).await?;
        progress.inc(batch_labs.len() as u64);
    }
    progress.finish_and_clear();
    Ok(())
}

/// Measures the search against the constant-body route and prints the row.
pub async fn run(dir: &Path, labs: usize, rows: usize, seconds: u64, connections: usize) -> anyhow::Result<()> {
    let path = dir.join(format!("labs-{rows}.db"));
    let store = Store::open(&format!("sqlite://{}", path.display())).await?;
    eprintln!("generating {labs} labs with {rows} scope rows (kept in {})", path.display());
    generate(&store, labs, rows).await?;
    let catalogue =
        product_catalogue::Catalogue::stored(store.catalogue_entries().await?.into_iter().map(|s| s.entry).collect());
    let products: Vec<String> =
        catalogue.entries().filter(|e| e.level == product_catalogue::Level::Product).map(|e| e.code.clone()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let paths: Vec<String> = (0..20_000)
        .map(|_| {
            let product = &products[rng.gen_range(0..products.len())];
            let standard = standard(rng.gen_range(0..STANDARDS));
            let base =
                standard.rsplit_once('-').map_or(standard.as_str(), |(b, _)| b).replace(' ', "%20").replace('/', "%2F");
            format!("/api/v1/labs?product={product}&standard={base}")
        })
        .collect();
    let state = crate::bench::bench_state(&store);
    let constant = get(|| async { ([(axum::http::header::CONTENT_TYPE, "application/json")], "[]") });
    let app = server::with_layers(server::app_without_layers(state.clone()).route("/constant", constant), &state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info()).await });
    let duration = Duration::from_secs(seconds);
    let searched = load_on_thread(addr, load::get_requests(&paths), connections, duration, 200)?;
    let constant = load_on_thread(addr, load::get_requests(&["/constant".to_owned()]), connections, duration, 200)?;
    server.abort();
    anyhow::ensure!(searched.errors == 0, "{} searches were not answered 200", searched.errors);
    println!(
        "| GET /api/v1/labs?product=&standard= (current editions) on SQLite, {labs} labs, {rows} scope rows, {connections} connections, {seconds} s | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms | constant body: {:.0} req/s, p99 {:.2} ms | {:.0}% of constant | p99 ≤ 20 ms |",
        searched.rate(),
        searched.percentile_ms(0.50),
        searched.percentile_ms(0.99),
        constant.rate(),
        constant.percentile_ms(0.99),
        100.0 * searched.rate() / constant.rate(),
    );
    store.close().await;
    Ok(())
}
