//! Complaint figures for `zhiliang bench`: public submissions through the HTTP API (checked, routed against master
//! data or by address, classified, stored durably, answered 201) beside the same server answering a constant
//! body; and the regulators' work queue (overdue and nearly-due work, earliest deadline first, with the counts)
//! over ten million stored complaints.

use std::path::Path;
use std::time::{Duration, Instant};

use axum::routing::get;
use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use store::bench::GeneratedComplaint;
use store::{Indexed, NewOrganization, Store};

use crate::bench::load_on_thread;
use crate::load;

/// Counties the generated respondents trade in: every county-level code in use.
fn counties() -> Vec<String> {
    codes::region::in_use().filter(|r| r.level == codes::RegionLevel::County).map(|r| r.code.clone()).collect()
}

/// Registered respondents for routing by master data.
async fn respondents(store: &Store, counties: &[String], count: usize) -> anyhow::Result<Vec<String>> {
    let mut batch = Vec::with_capacity(count);
    let mut usccs = Vec::with_capacity(count);
    for i in 0..count {
        let county = &counties[i % counties.len()];
        let uscc = codes::Uscc::assemble(&format!("91{county}"), &format!("CB{i:06}")).expect("valid characters");
        usccs.push(uscc.to_string());
        batch.push(Indexed::from(NewOrganization {
            uscc,
            name: format!("基准商贸有限公司{i}"),
            region_code: county.parse()?,
            address: None,
            legal_representative: None,
            entity_type: None,
            status: store::RegistrationStatus::Active,
            registered_on: None,
        }));
    }
    store.import_organizations(batch, None).await?;
    Ok(usccs)
}

/// Submission bodies: seven in ten name a registered respondent, the rest give only an address.
fn submissions(usccs: &[String], counties: &[String], count: usize) -> Vec<Vec<u8>> {
    let mut rng = ChaCha8Rng::seed_from_u64(12315);
    let facts = [
        "购买的电动自行车充电时电池起火",
        "羽绒服洗后严重起球，商家不予退换",
        "充电宝鼓包冒烟",
        "儿童玩具小零件脱落",
        "奶粉结块有异味",
    ];
    (0..count)
        .map(|i| {
            let mut body = json!({"submitter_name": "王伟", "submitter_phone": format!("139{:08}", i % 100_000_000),
                "respondent_name": format!("商户{i}"), "facts": facts[i % facts.len()], "request": "退货退款"});
            if rng.gen_bool(0.7) {
                body["respondent_uscc"] = json!(usccs[rng.gen_range(0..usccs.len())]);
            } else {
                let county = &counties[rng.gen_range(0..counties.len())];
                body["respondent_address"] = json!(format!("{}某路1号", cli::demo_complaints::address(county)));
            }
            load::post_request("/api/v1/complaints", &body.to_string())
        })
        .collect()
}

/// The disk's limit for one-at-a-time durable writes, in a fresh file.
fn raw_durable_inserts(path: &Path, rows: usize) -> anyhow::Result<f64> {
    crate::bench_traceability::remove_sqlite(path);
    Ok(store::bench::raw_durable_inserts(path, rows)?)
}

async fn submission_figure(dir: &Path, seconds: u64, connections: usize) -> anyhow::Result<()> {
    let path = dir.join("complaints-submit.db");
    crate::bench_traceability::remove_sqlite(&path);
    let store = Store::open(&format!("sqlite://{}", path.display())).await?;
    let counties = counties();
    let usccs = respondents(&store, &counties, 50_000).await?;
    let requests = submissions(&usccs, &counties, 20_000);
    let state = crate::bench::bench_state(&store);
    let constant = get(|| async { ([(axum::http::header::CONTENT_TYPE, "application/json")], "{\"id\":1}") });
    let app = server::with_layers(server::app_without_layers(state.clone()).route("/constant", constant), &state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app.into_make_service_with_connect_info()).await });
    let duration = Duration::from_secs(seconds);
    let filed = load_on_thread(addr, requests, connections, duration, 201)?;
    let constant = load_on_thread(addr, load::get_requests(&["/constant".to_owned()]), connections, duration, 200)?;
    server.abort();
    let raw = raw_durable_inserts(&dir.join("complaints-raw.db"), 2_000)?;
    anyhow::ensure!(filed.errors == 0, "{} submissions were not answered 201", filed.errors);
    let stored =
        store.complaint_counts(store::complaints::ComplaintGroup::Kind, "2000-01-01", "2999-12-31", "").await?;
    let stored: i64 = stored.iter().map(|(_, n)| n).sum();
    anyhow::ensure!(stored as u64 == filed.requests, "{} acknowledged but {stored} stored", filed.requests);
    println!(
        "| POST /api/v1/complaints on SQLite (check, route, classify, durable group commit), {connections} connections, {seconds} s | {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms | constant body: {:.0} req/s, p99 {:.2} ms; raw durable insert, one commit a row: {:.0} rows/s | {:.0}% of constant; {:.1}× raw | ≥ 2,000 req/s |",
        filed.rate(),
        filed.percentile_ms(0.50),
        filed.percentile_ms(0.99),
        constant.rate(),
        constant.percentile_ms(0.99),
        raw,
        100.0 * filed.rate() / constant.rate(),
        filed.rate() / raw
    );
    store.close().await;
    Ok(())
}

/// Writes `count` complaints straight into a migrated database: received over three years to `today`, one in
/// twenty still open with its deadline, spread over every county.
fn generate(path: &Path, count: usize, counties: &[String], today: NaiveDate) -> anyhow::Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let start = today - Days::new(3 * 365);
    let complaints = (0..count).map(move |i| {
        let county = counties[rng.gen_range(0..counties.len())].clone();
        let open = rng.gen_bool(0.05);
        let received =
            if open { today - Days::new(rng.gen_range(0..70)) } else { start + Days::new(rng.gen_range(0..3 * 365)) };
        let due = open.then(|| (received + Days::new(rng.gen_range(9..65))).to_string());
        GeneratedComplaint {
            tracking_number: format!("TS{i:012}"),
            received_on: received.to_string(),
            region_code: county,
            status: if open { "mediating" } else { "closed" },
            due_kind: open.then_some("mediation_by"),
            due_on: due,
        }
    });
    Ok(store::bench::generate_complaints(path, complaints)?)
}

async fn queue_figure(dir: &Path, count: usize) -> anyhow::Result<()> {
    let path = dir.join("complaints-10m.db");
    let today = service::today();
    let counties = counties();
    let url = format!("sqlite://{}", path.display());
    let reuse = path.exists() && {
        let store = Store::open(&url).await?;
        let stored = store.count_complaints().await?;
        store.close().await;
        stored as usize == count
    };
    if !reuse {
        crate::bench_traceability::remove_sqlite(&path);
        Store::open(&url).await?.close().await;
        eprintln!("writing {count} complaints");
        let started = Instant::now();
        let (path, counties) = (path.clone(), counties.clone());
        tokio::task::spawn_blocking(move || generate(&path, count, &counties, today)).await??;
        eprintln!("written in {:.0} s", started.elapsed().as_secs_f64());
    }
    let store = Store::open(&url).await?;
    let soon = (today + Days::new(3)).to_string();
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for (label, prefix_of) in
        [("county regulator", 6usize), ("prefecture regulator", 4), ("province regulator", 2), ("national (admin)", 0)]
    {
        let mut times = Vec::new();
        let mut items = 0;
        for _ in 0..200 {
            let county = &counties[rng.gen_range(0..counties.len())];
            let prefix = &county[..prefix_of];
            let started = Instant::now();
            items += store.complaint_queue(prefix, &soon, 100).await?.len();
            store.complaint_queue_counts(prefix, &today.to_string(), &soon).await?;
            times.push(started.elapsed());
        }
        times.sort();
        let ms = |p: f64| times[((times.len() - 1) as f64 * p) as usize].as_secs_f64() * 1000.0;
        println!(
            "| work queue over {count} complaints: {label} (first 100 by deadline + overdue and due counts) | p50 {:.2} ms, p99 {:.2} ms ({:.0} items a page) | — | — | < 50 ms |",
            ms(0.5),
            ms(0.99),
            items as f64 / times.len() as f64
        );
    }
    store.close().await;
    Ok(())
}

/// Both complaint figures.
pub async fn run(dir: &Path, seconds: u64, connections: usize, complaints: usize) -> anyhow::Result<()> {
    submission_figure(dir, seconds, connections).await?;
    queue_figure(dir, complaints).await
}
