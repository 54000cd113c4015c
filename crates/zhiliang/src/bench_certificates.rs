//! Certificate figures for `zhiliang bench`: verification by number through the HTTP API over 5,000,000
//! certificates, plain and with the signed status statement, beside the same server answering a constant body of
//! the same size; and a body's upload through the service (parse, check, store with a public-log entry per
//! certificate) beside a raw insert of the rows it wrote into the same tables.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::routing::get;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use service::batch::Format;
use service::Services;
use store::{Role, Store};

use crate::bench::load_on_thread;
use crate::load;

/// The bench's certification body.
const BODY: &str = "CNCA-R-2002-001";
/// Product classes under CCC in the shipped catalogue, which the body is designated for.
const CLASSES: [&str; 2] = ["0501", "0901"];
/// Distinct random numbers the load asks for, in turn.
const REQUESTED: usize = 1_000_000;
/// Certificates per upload batch: the service's limit.
const BATCH: usize = service::certification::MAX_UPLOAD_ROWS;

/// The number of the `index`-th generated certificate: issue year, the body's code 01, the class, a sequence.
fn number(index: usize) -> String {
    let (year, sequence) = (2019 + index / 2 / 999_999, 1 + index / 2 % 999_999);
    format!("{year}01{}{sequence:06}", CLASSES[index % 2])
}

/// The generated certificates `range` as the CSV a body uploads.
fn csv(range: std::ops::Range<usize>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(service::certification::CERTIFICATE_COLUMNS).expect("in memory");
    for index in range {
        let number = number(index);
        let year: i32 = number[..4].parse().expect("four digits");
        let holder = codes::Uscc::assemble("91330100", &format!("{:08}", index / 10)).expect("digits").to_string();
        let gtin = codes::gs1::with_check_digit(&format!("690{index:09}"));
        let issued = format!("{year}-{:02}-{:02}", 1 + index % 12, 1 + index % 28);
        let expires = format!("{}-{:02}-{:02}", year + 5, 1 + index % 12, 1 + index % 28);
        let record: Vec<String> = service::certification::CERTIFICATE_COLUMNS
            .iter()
            .map(|column| match *column {
                "number" => number.clone(),
                "scheme" => "ccc".into(),
                "body" => BODY.into(),
                "holder_uscc" | "manufacturer_uscc" | "factory_uscc" => holder.clone(),
                "product_class" => CLASSES[index % 2].into(),
                "product_name" => format!("基准产品{index}"),
                "models" => format!("M{index};M{index}-A"),
                "gtins" => gtin.clone(),
                "standards" => "GB 4706.1-2005".into(),
                "issued_on" => issued.clone(),
                "expires_on" => expires.clone(),
                _ => String::new(),
            })
            .collect();
        writer.write_record(&record).expect("in memory");
    }
    String::from_utf8(writer.into_inner().expect("in memory")).expect("UTF-8")
}

/// The body and an account that uploads for it.
async fn body_account(services: &Services) -> anyhow::Result<store::User> {
    let store = &services.store;
    let uscc = codes::Uscc::assemble("12100000", "40000133").expect("a valid body code").to_string();
    if store.certification_body(BODY).await?.is_none() {
        let admin = cli::demo_registers::account(store, "基准：管理员", Role::Admin, None).await?;
        let fields = serde_json::from_value(serde_json::json!({"approval_number": BODY, "name": "基准认证机构",
            "uscc": uscc, "ccc_code": "01", "schemes": "ccc", "product_classes": "05;09"}))?;
        service::certification::register_body(services, &admin, fields)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
    }
    cli::demo_registers::account(store, "基准：认证机构", Role::Certifier, Some(uscc)).await
}

/// Uploads the generated certificates `range` in batches; returns the time the uploads took.
async fn upload(services: &Services, account: &store::User, range: std::ops::Range<usize>) -> anyhow::Result<Duration> {
    let progress = indicatif::ProgressBar::new(range.len() as u64);
    let mut spent = Duration::ZERO;
    for start in range.clone().step_by(BATCH) {
        let text = csv(start..(start + BATCH).min(range.end));
        let started = Instant::now();
        let receipt = service::certification::upload(services, account, Format::Csv, &text)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?
            .map_err(|rejected| anyhow::anyhow!("rejected: {:?}", rejected.rows.first()))?;
        spent += started.elapsed();
        progress.inc(receipt.received as u64);
    }
    progress.finish_and_clear();
    Ok(spent)
}

fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm", ".log-key", ".log-key.state"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Tables a certificate upload writes.
const WRITTEN: [&str; 6] =
    ["certificate_uploads", "certificates", "certificate_gtins", "certificate_changes", "log_entries", "log_nodes"];

/// The upload figure: `count` certificates through the service into a fresh database, then the rows it wrote
/// inserted raw into another fresh one.
async fn upload_figure(dir: &Path, count: usize) -> anyhow::Result<()> {
    let (zl_path, raw_path) = (dir.join("certificate-upload.db"), dir.join("certificate-upload-raw.db"));
    remove_database(&zl_path);
    remove_database(&raw_path);
    let store = Store::open(&format!("sqlite://{}", zl_path.display())).await?;
    let services = Services::new(store.clone());
    let account = body_account(&services).await?;
    eprintln!("uploading {count} certificates");
    let spent = upload(&services, &account, 0..count).await?;
    store.close().await;
    let rows = store::bench::table_rows(&zl_path, &WRITTEN)?;
    let written: usize = rows.iter().map(|(_, r)| r.len()).sum();
    Store::open(&format!("sqlite://{}", raw_path.display())).await?.close().await;
    eprintln!("baseline: raw insert of the {written} rows written");
    let raw = store::bench::raw_table_insert(&raw_path, &rows)?;
    let rate = count as f64 / spent.as_secs_f64();
    let raw_rate = count as f64 / raw.as_secs_f64();
    println!(
        "| certificate upload through the service (CSV batches of {BATCH}: parse, check against body and catalogue, store with a public-log entry each), {count} certificates on SQLite | {rate:.0} certificates/s ({:.1} s) | raw prepared insert of the {written} rows written ({}), one transaction: {raw_rate:.0} certificates/s ({:.1} s) | {:.0}% | ≥ 50% |",
        spent.as_secs_f64(),
        WRITTEN.join(", "),
        raw.as_secs_f64(),
        100.0 * rate / raw_rate,
    );
    Ok(())
}

/// Measures verification (plain and with the statement) against the constant-body route; prints the rows.
pub async fn run(dir: &Path, count: usize, uploaded: usize, seconds: u64, connections: usize) -> anyhow::Result<()> {
    upload_figure(dir, uploaded).await?;
    let path = dir.join(format!("certificates-{count}.db"));
    let store = Store::open(&format!("sqlite://{}", path.display())).await?;
    let services = Services::new(store.clone());
    let stored = store.certificate_count().await? as usize;
    if stored < count {
        eprintln!("generating {count} certificates (kept in {})", path.display());
        let account = body_account(&services).await?;
        upload(&services, &account, stored..count).await?;
        store.settle_wal().await?;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    // Enough numbers that no cache holds the ones asked for: each request is for a certificate seldom read.
    let numbers: Vec<String> = (0..REQUESTED).map(|_| number(rng.gen_range(0..count))).collect();
    let plain: Vec<String> = numbers.iter().map(|n| format!("/api/v1/certificates/{n}")).collect();
    let with_statement: Vec<String> = plain.iter().map(|p| format!("{p}?statement=true")).collect();
    let state = crate::bench::bench_state(&store);
    let sample = service::certification::verify(&state.services, &numbers[0], false)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let body = serde_json::to_vec(&sample)?;
    // The log signs its first checkpoint over the generated entries once, before the load: a running server
    // signs as entries arrive, so a statement reads a checkpoint already signed.
    let checkpoint = service::log::current_checkpoint(&state.services).await.map_err(|e| anyhow::anyhow!(e.message))?;
    // As `serve` does at start: the log's subtree hashes read into memory before the load.
    service::log::fill_subtrees(&state.services, checkpoint.tree_size as u64)
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let constant = get(move || {
        let body = body.clone();
        async move { ([(axum::http::header::CONTENT_TYPE, "application/json")], body) }
    });
    let app = server::with_layers(server::app_without_layers(state.clone()).route("/constant", constant), &state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info()).await });
    let duration = Duration::from_secs(seconds);
    let verified = load_on_thread(addr, load::get_requests(&plain), connections, duration, 200)?;
    let stated = load_on_thread(addr, load::get_requests(&with_statement), connections, duration, 200)?;
    let constant = load_on_thread(addr, load::get_requests(&["/constant".to_owned()]), connections, duration, 200)?;
    server.abort();
    anyhow::ensure!(verified.errors == 0 && stated.errors == 0, "verifications not answered 200");
    let row = |what: &str, run: &load::LoadReport, target: &str| {
        println!(
            "| GET /api/v1/certificates/{{number}}{what} on SQLite, {count} certificates, {connections} connections, {seconds} s | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms | constant body of the same size: {:.0} req/s, p99 {:.2} ms | {:.0}% of constant | {target} |",
            run.rate(),
            run.percentile_ms(0.50),
            run.percentile_ms(0.99),
            constant.rate(),
            constant.percentile_ms(0.99),
            100.0 * run.rate() / constant.rate(),
        );
    };
    row("", &verified, "≥ 50%, p99 ≤ 5 ms");
    row("?statement=true (signed status statement with inclusion proof)", &stated, "≥ 20%");
    store.close().await;
    Ok(())
}
