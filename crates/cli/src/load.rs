//! A bounded HTTP/1.1 load client for the benchmark: keep-alive connections on loopback, each sending one
//! request at a time for a fixed duration, recording every latency.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Requests one connection sends at most, so a run stops even if the clock misbehaves.
const MAX_REQUESTS_PER_CONNECTION: usize = 5_000_000;

/// What a load run measured.
#[derive(Debug, Clone)]
pub struct LoadReport {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Sorted latencies in microseconds.
    pub latencies_us: Vec<u32>,
}

impl LoadReport {
    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    /// A latency percentile in milliseconds.
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        f64::from(self.latencies_us[index]) / 1000.0
    }
}

/// A GET request for each path, as the load client sends them.
pub fn get_requests(paths: &[String]) -> Vec<Vec<u8>> {
    paths.iter().map(|path| format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n").into_bytes()).collect()
}

/// A POST of a JSON body.
pub fn post_request(path: &str, json: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{json}",
        json.len()
    )
    .into_bytes()
}

/// Sends one request and reads the whole response; returns the status.
pub async fn get(
    reader: &mut BufReader<TcpStream>,
    request: &[u8],
    header: &mut String,
    body: &mut Vec<u8>,
) -> anyhow::Result<u16> {
    reader.get_mut().write_all(request).await?;
    header.clear();
    let mut content_length = None;
    let mut status = 0;
    loop {
        let start = header.len();
        if reader.read_line(header).await? == 0 {
            bail!("connection closed");
        }
        let line = header[start..].trim_end();
        if start == 0 {
            status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).context("bad status line")?;
        } else if line.is_empty() {
            break;
        } else if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let length = content_length.context("response without content-length")?;
    body.resize(length, 0);
    reader.read_exact(body).await?;
    Ok(status)
}

/// Runs `connections` clients against `addr` for `duration`, cycling through `requests`; an answer other than
/// `expected` counts as an error.
pub async fn run(
    addr: SocketAddr,
    requests: Arc<Vec<Vec<u8>>>,
    connections: usize,
    duration: Duration,
    expected: u16,
) -> anyhow::Result<LoadReport> {
    let start = Instant::now();
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for connection in 0..connections {
        let requests = Arc::clone(&requests);
        tasks.push(tokio::spawn(async move {
            let stream = TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            let mut reader = BufReader::new(stream);
            let (mut header, mut body) = (String::new(), Vec::new());
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            for i in 0..MAX_REQUESTS_PER_CONNECTION {
                if Instant::now() >= deadline {
                    break;
                }
                let request = &requests[(connection + i * connections) % requests.len()];
                let sent = Instant::now();
                let status = get(&mut reader, request, &mut header, &mut body).await?;
                latencies.push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                if status != expected {
                    if errors == 0 {
                        eprintln!("unexpected answer {status}: {}", String::from_utf8_lossy(&body));
                    }
                    errors += 1;
                }
            }
            anyhow::Ok((latencies, errors))
        }));
    }
    let mut latencies_us = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (latencies, task_errors) = task.await??;
        latencies_us.extend(latencies);
        errors += task_errors;
    }
    let elapsed = start.elapsed();
    latencies_us.sort_unstable();
    Ok(LoadReport { requests: latencies_us.len() as u64, errors, elapsed, latencies_us })
}
