//! A crash loses no acknowledged write: the real server, under concurrent complaint filings and EPCIS captures,
//! is killed with SIGKILL; every filing it answered 201 and every capture it answered 202 is there after the
//! restart. Loopback only, a few seconds. On SQLite, and on PostgreSQL when `ZHILIANG_TEST_POSTGRES_URL` is set.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::{free_port, fresh_postgres_url, stderr, stdout, wait_for, Scratch};

const RESPONDENT: &str = "91330106MA27XL1Q3A";

fn start(scratch: &Scratch, url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_zhiliang"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("ZHILIANG_DATABASE_URL", url)
        .env("ZHILIANG_LOG", "warn")
        .env("ZHILIANG_LOG_KEY_FILE", scratch.dir.path().join("log.key"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .new_agent()
}

/// Sends a JSON body; the status, or `None` when the connection failed (the server is gone).
fn send(agent: &ureq::Agent, method: &str, url: &str, token: &str, body: &Value) -> Option<(u16, Value)> {
    let request = match method {
        "PUT" => agent.put(url),
        _ => agent.post(url),
    };
    let mut response = request
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(body.to_string().as_bytes())
        .ok()?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().ok()?;
    Some((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

fn capture(serial: u64) -> (String, Value) {
    let id = format!("urn:uuid:00000000-0000-4000-8000-{serial:012}");
    let event = json!({"type": "ObjectEvent", "eventID": id, "eventTime": "2026-03-01T09:00:00+08:00",
        "eventTimeZoneOffset": "+08:00", "action": "OBSERVE", "bizStep": "shipping",
        "epcList": [format!("urn:epc:id:sgtin:6901234.000001.{serial}")]});
    let document = json!({"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument",
        "schemaVersion": "2.0", "creationDate": "2026-03-01T00:00:00Z", "epcisBody": {"eventList": [event]}});
    (id, document)
}

fn kill_under_load(url: &str) {
    let scratch = Scratch::new();
    let output = Command::new(env!("CARGO_BIN_EXE_zhiliang"))
        .args(["user", "add", "--role", "admin"])
        .env("ZHILIANG_DATABASE_URL", url)
        .env("ZHILIANG_LOG", "warn")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let token = stdout(&output).trim().to_owned();
    let port = free_port();
    let mut server = start(&scratch, url, port);
    wait_for(&format!("http://127.0.0.1:{port}/api/v1/regions"), "zhiliang serve");
    let base = format!("http://127.0.0.1:{port}");
    let organization = json!({"uscc": RESPONDENT, "name": "杭州示范电动车有限公司", "region_code": "330106"});
    let created = send(&agent(), "PUT", &format!("{base}/api/v1/organizations/{RESPONDENT}"), &token, &organization);
    assert!(created.is_some_and(|(status, _)| status < 300));

    let stop = Arc::new(AtomicBool::new(false));
    let filed: Arc<Mutex<Vec<String>>> = Default::default();
    let captured: Arc<Mutex<Vec<String>>> = Default::default();
    let mut workers = Vec::new();
    for worker in 0..4u64 {
        let (stop, filed, captured, token, base) =
            (stop.clone(), filed.clone(), captured.clone(), token.clone(), base.clone());
        workers.push(std::thread::spawn(move || {
            let agent = agent();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                if worker % 2 == 0 {
                    let body = json!({"kind": "complaint", "submitter_name": "张三", "submitter_phone": "13812345678",
                        "respondent_name": "杭州示范电动车有限公司", "respondent_uscc": RESPONDENT,
                        "facts": format!("第{worker}-{n}件：电动自行车电池鼓包"), "request": "退货"});
                    match send(&agent, "POST", &format!("{base}/api/v1/complaints"), &token, &body) {
                        Some((201, answer)) => {
                            filed.lock().unwrap().push(answer["tracking_number"].as_str().unwrap().to_owned())
                        }
                        Some(_) => {}
                        None => break,
                    }
                } else {
                    let (id, document) = capture(worker * 1_000_000 + n);
                    match send(&agent, "POST", &format!("{base}/epcis/capture"), &token, &document) {
                        Some((202, _)) => captured.lock().unwrap().push(id),
                        Some(_) => {}
                        None => break,
                    }
                }
            }
        }));
    }
    std::thread::sleep(Duration::from_millis(1500));
    // SIGKILL: no shutdown, no flush, in the middle of the writes.
    server.kill().unwrap();
    server.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.join().unwrap();
    }
    let (filed, captured) = (filed.lock().unwrap().clone(), captured.lock().unwrap().clone());
    assert!(!filed.is_empty() && !captured.is_empty(), "the load acknowledged writes before the kill");

    // After a restart every acknowledged write is there.
    let mut server = start(&scratch, url, port);
    wait_for(&format!("http://127.0.0.1:{port}/api/v1/regions"), "zhiliang serve");
    server.kill().unwrap();
    server.wait().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = store::Store::open(url).await.unwrap();
        for number in &filed {
            assert!(store.complaint_id_by_tracking_number(number).await.unwrap().is_some(), "filing {number} lost");
        }
        for id in &captured {
            assert!(!store.epcis_event(id).await.unwrap().is_empty(), "capture {id} lost");
        }
    });
}

#[test]
fn a_killed_server_keeps_every_acknowledged_write_on_sqlite() {
    let scratch = Scratch::new();
    kill_under_load(&scratch.url());
}

#[test]
fn a_killed_server_keeps_every_acknowledged_write_on_postgres() {
    if let Some(url) = fresh_postgres_url("crash") {
        kill_under_load(&url);
    }
}
