//! `zhiliang bench`: whole-system figures on generated data, each beside its physical-limit baseline
//! measured in the same run — the import against a raw prepared-statement insert, the lookup API against
//! the same server answering a constant body.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::routing::get;
use clap::Args;
use indicatif::ProgressBar;
use store::Store;

use crate::{demo, import, load};

/// Benchmark options.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Organizations to generate and import.
    #[arg(long, default_value_t = 1_000_000)]
    organizations: usize,
    /// Seconds each load run lasts.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Also measure each hygiene layer alone against none (master-data suite).
    #[arg(long)]
    each_layer: bool,
    /// Concurrent keep-alive connections of the load client.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Working folder for the generated file and databases (a temporary one by default; removed afterwards).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Reports for the disproportionality figure.
    #[arg(long, default_value_t = 1_000_000)]
    reports: usize,
    /// Weekly series for the Farrington figure.
    #[arg(long, default_value_t = 5_000)]
    series: usize,
    /// Events captured for the capture-throughput figure.
    #[arg(long, default_value_t = 200_000)]
    capture_events: usize,
    /// Events in the generated graph for the trace-latency figure (kept in the working folder as trace.db and
    /// reused by the next run with the same --dir).
    #[arg(long, default_value_t = 10_000_000)]
    graph_events: usize,
    /// Complaints stored for the work-queue figure (kept in the working folder as complaints-10m.db and reused
    /// by the next run with the same --dir).
    #[arg(long, default_value_t = 10_000_000)]
    complaints: usize,
    /// Entries appended for the public-log figures.
    #[arg(long, default_value_t = 200_000)]
    log_entries: usize,
    /// Organizations scored for the credit-class figures.
    #[arg(long, default_value_t = 1_000_000)]
    credit_organizations: usize,
    /// Which figures: master-data (import and lookups), inspections (pass rates), traceability, signals,
    /// complaints, log, credit, or all.
    #[arg(long, value_enum, default_value_t = Suite::All)]
    suite: Suite,
    /// Sample results for the pass-rate figures.
    #[arg(long, default_value_t = 5_000_000)]
    samples: usize,
    /// A PostgreSQL server to measure on as well (a fresh database is created there and dropped after).
    #[arg(long, env = "ZHILIANG_BENCH_POSTGRES_URL")]
    postgres_url: Option<String>,
}

/// Groups of figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Suite {
    MasterData,
    Inspections,
    Traceability,
    Signals,
    Complaints,
    Log,
    Credit,
    All,
}

const ORGANIZATION_COLUMNS: [&str; 8] =
    ["uscc", "name", "region_code", "address", "legal_representative", "entity_type", "status", "registered_on"];

/// Writes the generated organizations as the CSV that `zhiliang import` reads; returns their USCCs.
fn write_csv(path: &Path, count: usize) -> anyhow::Result<Vec<String>> {
    let mut writer = csv::Writer::from_path(path)?;
    writer.write_record(ORGANIZATION_COLUMNS)?;
    let mut usccs = Vec::with_capacity(count);
    for (org, _) in demo::organizations(count, 42) {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        writer.write_record([
            org.uscc.clone(),
            org.name,
            org.region_code,
            opt(&org.address),
            opt(&org.legal_representative),
            opt(&org.entity_type),
            org.status,
            opt(&org.registered_on),
        ])?;
        usccs.push(org.uscc);
    }
    writer.flush()?;
    Ok(usccs)
}

/// The physical limit: the same rows read from the same file and inserted into a plain table with one
/// prepared statement in one transaction, on the same SQLite settings (WAL, synchronous FULL).
fn raw_insert(csv_path: &Path, db_path: &Path) -> anyhow::Result<(usize, Duration)> {
    let mut connection = rusqlite::Connection::open(db_path)?;
    connection.pragma_update(None, "journal_mode", "wal")?;
    connection.pragma_update(None, "synchronous", "full")?;
    connection.execute_batch(
        "CREATE TABLE organizations (uscc TEXT PRIMARY KEY, name TEXT NOT NULL, region_code TEXT NOT NULL, \
         address TEXT, legal_representative TEXT, entity_type TEXT, status TEXT NOT NULL, registered_on TEXT, \
         created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
    )?;
    let start = Instant::now();
    let mut reader = csv::Reader::from_path(csv_path)?;
    let now = chrono::Utc::now().to_rfc3339();
    let transaction = connection.transaction()?;
    let mut rows = 0;
    {
        let mut statement = transaction.prepare(
            "INSERT INTO organizations (uscc, name, region_code, address, legal_representative, entity_type, status, \
             registered_on, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        )?;
        for record in reader.records() {
            let r = record?;
            statement.execute(rusqlite::params![&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6], &r[7], &now])?;
            rows += 1;
        }
    }
    transaction.commit()?;
    Ok((rows, start.elapsed()))
}

/// The server's state for a benchmark: the public's budgets are counted as in production, but set past what the
/// load client can send, since all its connections come from one address.
pub(crate) fn bench_state(store: &Store) -> server::AppState {
    let limits = server::web::Limits {
        reads_per_minute: u32::MAX,
        tracking_per_minute: u32::MAX,
        logins_per_minute: u32::MAX,
        ..server::web::Limits::default()
    };
    server::AppState::new(store.clone())
        .with_web(server::web::WebConfig { limits, ..server::web::WebConfig::default() })
        .with_submission_limit(None)
}

/// Serves an app on a loopback port of its own.
async fn serve_app(
    app: axum::Router,
) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<Result<(), std::io::Error>>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    Ok((addr, tokio::spawn(async move { axum::serve(listener, app).await })))
}

/// Runs the load client on its own thread and runtime, so it does not share the server's scheduler.
/// Requests per in-process run.
const CPU_REQUESTS: usize = 20_000;

/// Microseconds per request of two applications called in process, one request at a time, alternated `ROUNDS`
/// times; the median of each.
async fn cpu_per_request(a: axum::Router, b: axum::Router, paths: &[String]) -> anyhow::Result<(f64, f64)> {
    use tower::ServiceExt;
    let (mut times_a, mut times_b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        for (app, times) in [(&a, &mut times_a), (&b, &mut times_b)] {
            let started = Instant::now();
            for path in paths.iter().cycle().take(CPU_REQUESTS) {
                let request = axum::http::Request::get(path.as_str()).body(axum::body::Body::empty())?;
                let response = app.clone().oneshot(request).await?;
                anyhow::ensure!(response.status() == 200, "{path}: {}", response.status());
                axum::body::to_bytes(response.into_body(), usize::MAX).await?;
            }
            times.push(started.elapsed().as_secs_f64() * 1e6 / CPU_REQUESTS as f64);
        }
    }
    let median = |times: &mut Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    Ok((median(&mut times_a), median(&mut times_b)))
}

/// Runs of each server in a comparison.
const ROUNDS: usize = 5;

/// Load on `a`, then `b`, `ROUNDS` times over, so that drift in the machine's speed falls on both sides; the
/// median rate of each (every answer must be 200).
fn alternate(
    a: SocketAddr,
    b: SocketAddr,
    paths: &[String],
    connections: usize,
    duration: Duration,
) -> anyhow::Result<(f64, f64)> {
    let (mut rates_a, mut rates_b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        for (addr, rates) in [(a, &mut rates_a), (b, &mut rates_b)] {
            let run = load_on_thread(addr, load::get_requests(paths), connections, duration, 200)?;
            anyhow::ensure!(run.errors == 0, "non-200 answers under load");
            rates.push(run.rate());
        }
    }
    let median = |rates: &mut Vec<f64>| {
        rates.sort_by(f64::total_cmp);
        rates[rates.len() / 2]
    };
    Ok((median(&mut rates_a), median(&mut rates_b)))
}

pub(crate) fn load_on_thread(
    addr: SocketAddr,
    requests: Vec<Vec<u8>>,
    connections: usize,
    duration: Duration,
    expected: u16,
) -> anyhow::Result<load::LoadReport> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        runtime.block_on(load::run(addr, Arc::new(requests), connections, duration, expected))
    })
    .join()
    .map_err(|_| anyhow::anyhow!("load client panicked"))?
}

/// Runs the benchmark and prints the table.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = args.dir.clone().unwrap_or_else(|| temp.path().to_owned());
    std::fs::create_dir_all(&dir)?;
    println!("| figure | zhiliang | baseline (same run) | ratio | target |");
    println!("|---|---|---|---|---|");
    if matches!(args.suite, Suite::MasterData | Suite::All) {
        master_data(&args, &dir).await?;
    }
    if matches!(args.suite, Suite::Inspections | Suite::All) {
        crate::bench_inspections::run(&dir, args.samples, args.postgres_url.as_deref()).await?;
    }
    if matches!(args.suite, Suite::Signals | Suite::All) {
        crate::bench_signals::run(args.reports, args.series);
        crate::bench_signals::stored(&dir, args.reports).await?;
    }
    if matches!(args.suite, Suite::Complaints | Suite::All) {
        crate::bench_complaints::run(&dir, args.duration, args.connections, args.complaints).await?;
    }
    if matches!(args.suite, Suite::Log | Suite::All) {
        crate::bench_log::run(&dir, args.log_entries).await?;
    }
    if matches!(args.suite, Suite::Credit | Suite::All) {
        crate::bench_credit::run(&dir, args.credit_organizations, args.postgres_url.as_deref()).await?;
    }
    if matches!(args.suite, Suite::Traceability | Suite::All) {
        crate::bench_traceability::run(&dir, args.capture_events, args.graph_events, args.postgres_url.as_deref())
            .await?;
    }
    Ok(())
}

async fn master_data(args: &BenchArgs, dir: &Path) -> anyhow::Result<()> {
    let csv_path = dir.join("organizations.csv");
    let (raw_path, zl_path) = (dir.join("baseline.db"), dir.join("zhiliang.db"));
    for path in [&raw_path, &zl_path] {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
    eprintln!("generating {} organizations", args.organizations);
    let usccs = write_csv(&csv_path, args.organizations)?;

    eprintln!("baseline: raw prepared-statement insert");
    let (raw_rows, raw_time) = raw_insert(&csv_path, &raw_path)?;
    let raw_rate = raw_rows as f64 / raw_time.as_secs_f64();

    eprintln!("zhiliang import");
    let store = Store::open(&format!("sqlite://{}", zl_path.display())).await?;
    let started = Instant::now();
    let summary = import::import(
        &store,
        import::Kind::Organizations,
        &csv_path,
        import::DEFAULT_BATCH_SIZE,
        &ProgressBar::hidden(),
        None,
    )
    .await?;
    let import_time = started.elapsed();
    anyhow::ensure!(summary.rejected == 0 && summary.inserted as usize == raw_rows, "import lost rows: {summary:?}");
    let import_rate = raw_rows as f64 / import_time.as_secs_f64();

    eprintln!("lookups under load");
    let sample_body = {
        let org = store.organization(&usccs[0]).await?.context("imported organization")?;
        serde_json::to_vec(&org)?
    };
    let constant_route = move || {
        let body = sample_body.clone();
        async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], body) }
    };
    let state = bench_state(&store);
    let layered = server::app(state.clone()).route("/constant", get(constant_route.clone()));
    let bare = server::app_without_layers(state).route("/constant", get(constant_route));
    let (addr, server) = serve_app(layered).await?;
    let (bare_addr, bare_server) = serve_app(bare).await?;
    let duration = Duration::from_secs(args.duration);
    let step = (usccs.len() / 100_000).max(1);
    let lookup_paths: Vec<String> = usccs.iter().step_by(step).map(|u| format!("/api/v1/organizations/{u}")).collect();
    let lookups = load_on_thread(addr, load::get_requests(&lookup_paths), args.connections, duration, 200)?;
    let constant =
        load_on_thread(addr, load::get_requests(&["/constant".to_owned()]), args.connections, duration, 200)?;
    // The hygiene layers' cost: the same lookups with and without them, alternated so drift in the machine's
    // speed falls on both sides.
    let (layered_rate, bare_rate) = alternate(addr, bare_addr, &lookup_paths, args.connections, duration)?;
    server.abort();
    bare_server.abort();
    anyhow::ensure!(lookups.errors == 0 && constant.errors == 0, "non-200 answers under load");

    println!(
        "| import {} organizations into SQLite | {:.0} rows/s ({:.1} s) | raw prepared insert, one transaction: {:.0} rows/s ({:.1} s) | {:.0}% | ≥ 200,000 rows/s and ≥ 50% |",
        raw_rows,
        import_rate,
        import_time.as_secs_f64(),
        raw_rate,
        raw_time.as_secs_f64(),
        100.0 * import_rate / raw_rate
    );
    println!(
        "| GET /api/v1/organizations/{{uscc}} over {} organizations, {} connections, {} s | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms | constant body: {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms | {:.0}% | ≥ 20,000 req/s, p99 ≤ 10 ms, ≥ 50% |",
        raw_rows,
        args.connections,
        args.duration,
        lookups.rate(),
        lookups.percentile_ms(0.50),
        lookups.percentile_ms(0.99),
        constant.rate(),
        constant.percentile_ms(0.50),
        constant.percentile_ms(0.99),
        100.0 * lookups.rate() / constant.rate()
    );
    println!(
        "| the same lookups with the hygiene layers (request id, access log, security headers, rate limits, JSON errors, timeout, body limit), median of {ROUNDS} runs alternated | {:.0} req/s | without the layers: {:.0} req/s | {:.1}% cost | < 10% cost |",
        layered_rate,
        bare_rate,
        100.0 * (1.0 - layered_rate / bare_rate)
    );
    // The server's own work per lookup, in process without the network or the load client: a stricter measure,
    // since the layers' share of the request's CPU time is larger there than behind TCP.
    let (layered_us, bare_us) = cpu_per_request(
        server::app(bench_state(&store)),
        server::app_without_layers(bench_state(&store)),
        &lookup_paths,
    )
    .await?;
    println!(
        "| server CPU time per lookup with the hygiene layers, in process (one thread, no network), median of {ROUNDS} runs of {CPU_REQUESTS} alternated | {layered_us:.1} µs | without the layers: {bare_us:.1} µs | {:.1}% cost | < 10% cost |",
        100.0 * (layered_us / bare_us - 1.0)
    );
    if args.each_layer {
        let none = server::Layers::NONE;
        let variants = [
            ("web::hygiene (request id, access log, timeout, rate limits, text bounds, JSON errors, security headers)", server::Layers { hygiene: true, ..none }),
            ("the body limit", server::Layers { body_limit: true, ..none }),
        ];
        for (name, layers) in variants {
            let (one_addr, one_server) = serve_app(server::app_with(bench_state(&store), layers)).await?;
            let (none_addr, none_server) = serve_app(server::app_with(bench_state(&store), none)).await?;
            let (with, baseline) = alternate(one_addr, none_addr, &lookup_paths, args.connections, duration)?;
            one_server.abort();
            none_server.abort();
            println!(
                "| lookups with {name} alone, median of {ROUNDS} runs alternated | {with:.0} req/s | no layer: {baseline:.0} req/s | {:.1}% cost | |",
                100.0 * (1.0 - with / baseline)
            );
        }
    }
    store.close().await;
    Ok(())
}
