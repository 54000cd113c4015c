//! Traceability figures for `zhiliang bench`: EPCIS capture throughput (JSON documents of 1,000 events, parsed,
//! validated, hashed, indexed and stored) beside a raw prepared insert of the same rows, on SQLite and on
//! PostgreSQL when one is given; and trace latency (p50/p99, forward from raw-material lots and backward from
//! items) through the trace API over a generated graph of millions of events, six tiers deep.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use epcis::{events_of, validate_document, Event};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use store::traceability::ErrorBehaviour;
use store::{NewUser, Role, Store};
use tower::ServiceExt;

/// Events per capture document.
const DOCUMENT_EVENTS: usize = 1_000;
/// Items made from one batch, items per case.
const ITEMS: u64 = 12;
const ITEMS_PER_CASE: u64 = 6;
/// Events of one production unit (see [`unit_events`]).
const EVENTS_PER_UNIT: u64 = 14;

fn at(unit: u64, step: u64) -> String {
    // Units start a minute apart from 2026-01-01; steps within a unit an hour apart.
    let seconds = 1_767_225_600 + unit * 60 + step * 3_600;
    epcis::time::from_millis(seconds as i64 * 1000)
}

fn sgln(gcp: u64, location: u64) -> String {
    format!("urn:epc:id:sgln:{gcp}.{location:03}.0")
}

fn pgln(gcp: u64, party: u64) -> String {
    format!("urn:epc:id:pgln:{gcp}.{party:03}")
}

fn raw_lot(unit: u64) -> String {
    format!("urn:epc:class:lgtin:697912345.0001.R{unit}")
}

fn item(unit: u64, n: u64) -> String {
    format!("urn:epc:id:sgtin:697912345.0003.{}", unit * ITEMS + n)
}

fn case(unit: u64, n: u64) -> String {
    format!("urn:epc:id:sscc:697912345.1{:07}", unit * (ITEMS / ITEMS_PER_CASE) + n)
}

fn pallet(unit: u64) -> String {
    format!("urn:epc:id:sscc:697912345.9{:07}", unit)
}

fn event(kind: &str, time: String, fields: Value) -> Value {
    let mut event = json!({"type": kind, "eventTime": time, "eventTimeZoneOffset": "+08:00"});
    for (key, value) in fields.as_object().expect("object") {
        event[key] = value.clone();
    }
    event
}

/// One production unit, six tiers: raw lot → batch → items → cases → pallet → distributor → retailers.
/// Fourteen events: commissioning, two transformations, two case packings, pallet packing, shipping and
/// receiving the pallet, unpacking it, shipping and receiving each case, and a retail sale.
fn unit_events(unit: u64) -> Vec<Value> {
    let factory = 697_912_345;
    let distributor = 100 + unit % 50;
    let retailer = |n: u64| (697_920_000 + (unit * 2 + n) % 2_000 / 1_000, (unit * 2 + n) % 1_000);
    let batch = format!("urn:epc:class:lgtin:697912345.0002.B{unit}");
    let items: Vec<String> = (0..ITEMS).map(|n| item(unit, n)).collect();
    let ship = |what: Value, to: Value, step: u64| {
        let mut fields = json!({"action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
            "readPoint": {"id": sgln(factory, 1)}, "destinationList": [{"type": "owning_party", "destination": to}]});
        for (key, value) in what.as_object().expect("object") {
            fields[key] = value.clone();
        }
        event("ObjectEvent", at(unit, step), fields)
    };
    let mut events = vec![
        event(
            "ObjectEvent",
            at(unit, 0),
            json!({"action": "ADD", "bizStep": "commissioning",
            "quantityList": [{"epcClass": raw_lot(unit), "quantity": 2000, "uom": "KGM"}], "bizLocation": {"id": sgln(factory, 2)}}),
        ),
        event(
            "TransformationEvent",
            at(unit, 1),
            json!({"bizStep": "commissioning",
            "inputQuantityList": [{"epcClass": raw_lot(unit), "quantity": 2000, "uom": "KGM"}],
            "outputQuantityList": [{"epcClass": batch, "quantity": 400, "uom": "KGM"}]}),
        ),
        event(
            "TransformationEvent",
            at(unit, 2),
            json!({"bizStep": "commissioning",
            "inputQuantityList": [{"epcClass": batch, "quantity": 12, "uom": "KGM"}], "outputEPCList": items,
            "bizLocation": {"id": sgln(factory, 1)}}),
        ),
    ];
    for n in 0..ITEMS / ITEMS_PER_CASE {
        let children: Vec<String> = (n * ITEMS_PER_CASE..(n + 1) * ITEMS_PER_CASE).map(|i| item(unit, i)).collect();
        events.push(event(
            "AggregationEvent",
            at(unit, 3),
            json!({"action": "ADD", "bizStep": "packing",
            "parentID": case(unit, n), "childEPCs": children}),
        ));
    }
    let cases: Vec<String> = (0..ITEMS / ITEMS_PER_CASE).map(|n| case(unit, n)).collect();
    events.push(event(
        "AggregationEvent",
        at(unit, 4),
        json!({"action": "ADD", "bizStep": "packing",
        "parentID": pallet(unit), "childEPCs": cases}),
    ));
    events.push(ship(json!({"epcList": [pallet(unit)]}), json!(pgln(697_910_000, distributor)), 5));
    events.push(event(
        "ObjectEvent",
        at(unit, 6),
        json!({"action": "OBSERVE", "bizStep": "receiving",
        "epcList": [pallet(unit)], "bizLocation": {"id": sgln(697_910_000, distributor)}}),
    ));
    events.push(event(
        "AggregationEvent",
        at(unit, 7),
        json!({"action": "DELETE", "bizStep": "unpacking",
        "parentID": pallet(unit)}),
    ));
    for n in 0..ITEMS / ITEMS_PER_CASE {
        let (gcp, party) = retailer(n);
        events.push(ship(json!({"epcList": [case(unit, n)]}), json!(pgln(gcp, party)), 8));
        events.push(event(
            "ObjectEvent",
            at(unit, 9),
            json!({"action": "OBSERVE", "bizStep": "receiving",
            "epcList": [case(unit, n)], "bizLocation": {"id": sgln(gcp, party)}}),
        ));
    }
    events.push(event(
        "ObjectEvent",
        at(unit, 10),
        json!({"action": "OBSERVE", "bizStep": "retail_selling",
        "epcList": [item(unit, 0)], "bizLocation": {"id": sgln(697_920_000, unit % 1_000)}}),
    ));
    debug_assert_eq!(events.len() as u64, EVENTS_PER_UNIT);
    events
}

/// Capture documents of [`DOCUMENT_EVENTS`] events, serialised as a client sends them, starting at `first_unit`.
fn documents(first_unit: u64, events: usize) -> impl Iterator<Item = Vec<u8>> {
    let units = (events as u64).div_ceil(EVENTS_PER_UNIT);
    let per_document = DOCUMENT_EVENTS as u64 / EVENTS_PER_UNIT;
    (0..units.div_ceil(per_document)).map(move |d| {
        let start = first_unit + d * per_document;
        let end = (start + per_document).min(first_unit + units);
        let list: Vec<Value> = (start..end).flat_map(unit_events).collect();
        serde_json::to_vec(&json!({"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
            "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z",
            "epcisBody": {"eventList": list}}))
        .expect("serialisable")
    })
}

/// What the capture endpoint does with a document body, minus HTTP: parse, validate, hash and index.
fn prepare(body: &[u8]) -> anyhow::Result<Vec<Event>> {
    let root: Value = serde_json::from_slice(body)?;
    let problems = validate_document(&root);
    anyhow::ensure!(problems.is_empty(), "generated document is invalid: {problems:?}");
    events_of(&root).map_err(|(i, e)| anyhow::anyhow!("event {i}: {e}"))
}

/// Captures documents through a two-stage pipeline, as concurrent requests would: one blocking thread parses and
/// indexes the next document while the store writes the current one. Returns events stored and the time taken.
async fn capture_all(
    store: &Store,
    documents: impl Iterator<Item = Vec<u8>> + Send + 'static,
) -> anyhow::Result<(usize, Duration)> {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<anyhow::Result<Vec<Event>>>(2);
    let started = Instant::now();
    let producer = tokio::task::spawn_blocking(move || {
        for body in documents {
            if sender.blocking_send(prepare(&body)).is_err() {
                break;
            }
        }
    });
    let mut stored = 0;
    while let Some(events) = receiver.recv().await {
        let events = events?;
        let outcome = store.capture_events(&events, ErrorBehaviour::Rollback, &json!([]), None).await?;
        anyhow::ensure!(outcome.duplicates == 0, "generated events collided");
        stored += outcome.stored;
    }
    producer.await?;
    Ok((stored, started.elapsed()))
}

/// Capture throughput on one backend, beside its raw insert, each into a fresh database.
async fn capture_figure(label: &str, store: Store, baseline: Store, events: usize) -> anyhow::Result<()> {
    let (stored, elapsed) = capture_all(&store, documents(0, events)).await?;
    let rate = stored as f64 / elapsed.as_secs_f64();
    // A capture row for the raw rows' foreign key.
    capture_row(&baseline).await?;
    let prepared: Vec<Vec<Event>> = documents(0, events).map(|d| prepare(&d)).collect::<anyhow::Result<_>>()?;
    let raw_time = store::bench::raw_capture(&baseline, prepared).await?;
    let raw_rate = stored as f64 / raw_time.as_secs_f64();
    println!(
        "| EPCIS capture, {label}: {stored} events in documents of {DOCUMENT_EVENTS} (parse, validate, hash, index, store) | {rate:.0} events/s | raw insert of the same rows: {raw_rate:.0} events/s | {:.2} | ≥ 20,000 events/s on SQLite |",
        rate / raw_rate
    );
    Ok(())
}

async fn capture_row(store: &Store) -> anyhow::Result<()> {
    store.record_failed_capture(0, ErrorBehaviour::Rollback, &json!([]), None).await?;
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

/// Trace latency through the API (routing, auth, trace, registrations, JSON), in process.
async fn trace_figure(store: &Store, units: u64, traces: usize) -> anyhow::Result<()> {
    let (_, token) = store
        .add_user(&NewUser {
            name: "bench".into(),
            role: Role::Admin,
            region_code: None,
            uscc: None,
            login: None,
            password: None,
        })
        .await?;
    let app = server::app(crate::bench::bench_state(store));
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    for (direction, label) in [("forward", "forward from a raw-material lot"), ("backward", "backward from an item")] {
        let mut times = Vec::with_capacity(traces);
        let mut reached = 0;
        for _ in 0..traces {
            let unit = rng.gen_range(0..units);
            let start = if direction == "forward" { raw_lot(unit) } else { item(unit, rng.gen_range(0..ITEMS)) };
            let uri = format!("/api/v1/trace?direction={direction}&id={}", crate::bench_traceability::encode(&start));
            let request = Request::builder()
                .uri(uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .body(Body::empty())?;
            let began = Instant::now();
            let response = app.clone().oneshot(request).await?;
            let status = response.status();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
            times.push(began.elapsed());
            anyhow::ensure!(status == StatusCode::OK, "trace answered {status}");
            let answer: Value = serde_json::from_slice(&body)?;
            reached +=
                answer["items"].as_array().map_or(0, Vec::len) + answer["parties"].as_array().map_or(0, Vec::len);
        }
        times.sort();
        println!(
            "| trace {label} over {} events ({traces} traces, {:.0} items and parties reached on average) | p50 {:.1} ms, p99 {:.1} ms | — | — | p99 ≤ 20 ms |",
            units * EVENTS_PER_UNIT,
            reached as f64 / traces as f64,
            percentile(&times, 0.5),
            percentile(&times, 0.99),
        );
    }
    Ok(())
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub(crate) async fn fresh_postgres(url: &str, name: &str) -> anyhow::Result<Store> {
    store::bench::fresh_postgres(url, name).await.context("could not make a PostgreSQL database")
}

pub(crate) async fn drop_postgres(url: &str, name: &str) -> anyhow::Result<()> {
    Ok(store::bench::drop_postgres(url, name).await?)
}

pub(crate) fn remove_sqlite(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Runs the traceability figures: capture throughput over `capture_events` on each backend, then trace latency
/// over `graph_events` on SQLite.
pub async fn run(
    dir: &Path,
    capture_events: usize,
    graph_events: usize,
    postgres_url: Option<&str>,
) -> anyhow::Result<()> {
    let (zl, raw) = (dir.join("capture.db"), dir.join("capture-raw.db"));
    remove_sqlite(&zl);
    remove_sqlite(&raw);
    let sqlite = |path: &Path| format!("sqlite://{}", path.display());
    capture_figure("SQLite", Store::open(&sqlite(&zl)).await?, Store::open(&sqlite(&raw)).await?, capture_events)
        .await?;
    remove_sqlite(&zl);
    remove_sqlite(&raw);
    if let Some(url) = postgres_url {
        let (name, raw_name) =
            (format!("zl_bench_capture_{}", std::process::id()), format!("zl_bench_raw_{}", std::process::id()));
        let result = async {
            capture_figure(
                "PostgreSQL",
                fresh_postgres(url, &name).await?,
                fresh_postgres(url, &raw_name).await?,
                capture_events,
            )
            .await
        }
        .await;
        drop_postgres(url, &name).await?;
        drop_postgres(url, &raw_name).await?;
        result?;
    }

    let graph = dir.join("trace.db");
    let store = if graph.exists() {
        eprintln!("reusing the trace graph in {}", graph.display());
        Store::open(&sqlite(&graph)).await?
    } else {
        eprintln!("capturing a graph of {graph_events} events (six tiers per production unit)");
        let store = Store::open(&sqlite(&graph)).await?;
        let (stored, elapsed) = capture_all(&store, documents(0, graph_events)).await?;
        eprintln!("captured {stored} events in {:.0} s", elapsed.as_secs_f64());
        store
    };
    let units = (graph_events as u64).div_ceil(EVENTS_PER_UNIT);
    trace_figure(&store, units, 1_000).await?;
    store.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_documents_are_valid_and_complete() {
        let first = documents(0, 2_000).next().unwrap();
        let events = prepare(&first).unwrap();
        assert_eq!(events.len() as u64, (DOCUMENT_EVENTS as u64 / EVENTS_PER_UNIT) * EVENTS_PER_UNIT);
        assert_eq!(unit_events(3).len() as u64, EVENTS_PER_UNIT);
    }
}
