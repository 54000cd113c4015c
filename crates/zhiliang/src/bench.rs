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
    /// Labs for the lab-search figure.
    #[arg(long, default_value_t = 50_000)]
    labs: usize,
    /// Scope rows for the lab-search figure (kept in the working folder as labs-N.db and reused).
    #[arg(long, default_value_t = 5_000_000)]
    lab_scopes: usize,
    /// Certificates for the verification figures (kept in the working folder as certificates-N.db and reused).
    #[arg(long, default_value_t = 5_000_000)]
    certificates: usize,
    /// Certificates uploaded for the upload figure.
    #[arg(long, default_value_t = 200_000)]
    uploaded_certificates: usize,
    /// Which figures: master-data (import and lookups), inspections (pass rates), traceability, signals,
    /// complaints, log, credit, labs, certificates, or all.
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
    Labs,
    Certificates,
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
            org.uscc.to_string(),
            org.name,
            org.region_code.to_string(),
            opt(&org.address),
            opt(&org.legal_representative),
            opt(&org.entity_type),
            org.status.as_str().to_owned(),
            opt(&org.registered_on),
        ])?;
        usccs.push(org.uscc.to_string());
    }
    writer.flush()?;
    Ok(usccs)
}

/// The physical limit: the same rows read from the same file and inserted into a plain table with one
/// prepared statement in one transaction, on the same SQLite settings (WAL, synchronous FULL).
fn raw_insert(csv_path: &Path, db_path: &Path) -> anyhow::Result<(usize, Duration)> {
    let mut reader = csv::Reader::from_path(csv_path)?;
    let rows = reader.records().map(|r| r.map(|r| r.iter().map(str::to_owned).collect()).map_err(|e| e.to_string()));
    Ok(store::bench::raw_organization_insert(db_path, rows)?)
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

/// Serves an app (with the layers or without) on a loopback port of its own.
async fn serve_app<S>(app: S) -> anyhow::Result<(SocketAddr, tokio::task::JoinHandle<Result<(), std::io::Error>>)>
where
    S: tower::Service<axum::extract::Request, Response = axum::response::Response, Error = std::convert::Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    Ok((
        addr,
        tokio::spawn(async move {
            axum::serve(listener, axum::ServiceExt::<axum::extract::Request>::into_make_service(app)).await
        }),
    ))
}

/// Requests per in-process round.
const CPU_REQUESTS: usize = 2_000;
/// In-process rounds of each application in a comparison.
const CPU_ROUNDS: usize = 41;

/// Medians of measurements of two variants taken in pairs, one right after the other, the first of a pair
/// alternating, so that drift in the machine's speed falls on both; `ratio` is the median of the per-pair ratios
/// a / b, steadier on a shared machine than a ratio of the medians.
struct Paired {
    a: f64,
    b: f64,
    ratio: f64,
}

impl Paired {
    fn of(pairs: &[(f64, f64)]) -> Paired {
        let median = |mut values: Vec<f64>| {
            values.sort_by(f64::total_cmp);
            values[values.len() / 2]
        };
        Paired {
            a: median(pairs.iter().map(|p| p.0).collect()),
            b: median(pairs.iter().map(|p| p.1).collect()),
            ratio: median(pairs.iter().map(|p| p.0 / p.1).collect()),
        }
    }
}

/// Microseconds per request of two applications called in process, one request at a time, in `CPU_ROUNDS` pairs.
async fn cpu_per_request(a: server::App, b: axum::Router, paths: &[String]) -> anyhow::Result<Paired> {
    let mut pairs = Vec::new();
    let mut requests = paths.iter().cycle();
    for round in 0..CPU_ROUNDS {
        // The first of a pair alternates.
        let pair = if round % 2 == 0 {
            let with = time_requests(&a, requests.by_ref()).await?;
            (with, time_requests(&b, requests.by_ref()).await?)
        } else {
            let without = time_requests(&b, requests.by_ref()).await?;
            (time_requests(&a, requests.by_ref()).await?, without)
        };
        pairs.push(pair);
    }
    Ok(Paired::of(&pairs))
}

/// Microseconds per request of `CPU_REQUESTS` GETs of the next paths, each answered 200.
async fn time_requests<'a, S>(app: &S, paths: impl Iterator<Item = &'a String>) -> anyhow::Result<f64>
where
    S: tower::Service<axum::extract::Request, Response = axum::response::Response, Error = std::convert::Infallible>
        + Clone,
{
    use tower::ServiceExt;
    let started = Instant::now();
    for path in paths.take(CPU_REQUESTS) {
        let request = axum::http::Request::get(path.as_str()).body(axum::body::Body::empty())?;
        let response = app.clone().oneshot(request).await?;
        anyhow::ensure!(response.status() == 200, "{path}: {}", response.status());
        axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    }
    Ok(started.elapsed().as_secs_f64() * 1e6 / CPU_REQUESTS as f64)
}

/// Load runs of each server in a comparison.
const ROUNDS: usize = 7;

/// Request rates of two servers under the same load, in `ROUNDS` pairs (every answer must be 200).
fn alternate(
    a: SocketAddr,
    b: SocketAddr,
    paths: &[String],
    connections: usize,
    duration: Duration,
) -> anyhow::Result<Paired> {
    let mut pairs = Vec::new();
    for round in 0..ROUNDS {
        let mut rates = [0.0; 2];
        let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for side in order {
            let addr = if side == 0 { a } else { b };
            let run = load_on_thread(addr, load::get_requests(paths), connections, duration, 200)?;
            anyhow::ensure!(run.errors == 0, "non-200 answers under load");
            rates[side] = run.rate();
        }
        pairs.push((rates[0], rates[1]));
    }
    Ok(Paired::of(&pairs))
}

/// Runs the load client on its own thread and runtime, so it does not share the server's scheduler.
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
    if matches!(args.suite, Suite::Labs | Suite::All) {
        crate::bench_labs::run(&dir, args.labs, args.lab_scopes, args.duration, args.connections).await?;
    }
    if matches!(args.suite, Suite::Certificates | Suite::All) {
        crate::bench_certificates::run(
            &dir,
            args.certificates,
            args.uploaded_certificates,
            args.duration,
            args.connections,
        )
        .await?;
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
        let org = store.organization(&usccs[0].parse()?).await?.context("imported organization")?;
        serde_json::to_vec(&org)?
    };
    let constant_route = move || {
        let body = sample_body.clone();
        async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], body) }
    };
    let state = bench_state(&store);
    let layered =
        server::with_layers(server::app_without_layers(state.clone()).route("/constant", get(constant_route)), &state);
    let (addr, server) = serve_app(layered).await?;
    let (bare_addr, bare_server) = serve_app(server::app_without_layers(state)).await?;
    let duration = Duration::from_secs(args.duration);
    let step = (usccs.len() / 100_000).max(1);
    let lookup_paths: Vec<String> = usccs.iter().step_by(step).map(|u| format!("/api/v1/organizations/{u}")).collect();
    let lookups = load_on_thread(addr, load::get_requests(&lookup_paths), args.connections, duration, 200)?;
    let constant =
        load_on_thread(addr, load::get_requests(&["/constant".to_owned()]), args.connections, duration, 200)?;
    // The hygiene layers' cost: the same lookups with and without them, alternated so drift in the machine's
    // speed falls on both sides.
    let layers = alternate(addr, bare_addr, &lookup_paths, args.connections, duration)?;
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
        "| the same lookups with the hygiene layers (request id, access log, security headers, rate limits, JSON errors, timeout, body limit), {ROUNDS} paired runs, medians | {:.0} req/s | without the layers: {:.0} req/s | {:.1}% cost (median of the pairs) | < 10% cost |",
        layers.a,
        layers.b,
        100.0 * (1.0 - layers.ratio)
    );
    // The server's own work per lookup, in process without the network or the load client: a stricter measure,
    // since the layers' share of the request's CPU time is larger there than behind TCP.
    let cpu = cpu_per_request(
        server::app(bench_state(&store)),
        server::app_without_layers(bench_state(&store)),
        &lookup_paths,
    )
    .await?;
    println!(
        "| server CPU time per lookup with the hygiene layers, in process (one thread, no network), {CPU_ROUNDS} paired rounds of {CPU_REQUESTS}, medians | {:.1} µs | without the layers: {:.1} µs | {:.1}% cost (median of the pairs) | < 10% cost |",
        cpu.a,
        cpu.b,
        100.0 * (cpu.ratio - 1.0)
    );
    store.close().await;
    Ok(())
}
