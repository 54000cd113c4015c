//! A bounded HTTP/1.1 load client for the benchmark: keep-alive connections on loopback, each sending one
//! request at a time for a fixed duration, recording every latency.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
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

/// One keep-alive connection of the load client. Answers are read into one buffer and their heads parsed with
/// `httparse`, so the client spends little of the machine the server shares with it.
pub struct Connection {
    stream: TcpStream,
    buffer: Vec<u8>,
    body: std::ops::Range<usize>,
}

impl Connection {
    pub async fn open(addr: SocketAddr) -> anyhow::Result<Connection> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Connection { stream, buffer: Vec::with_capacity(16 * 1024), body: 0..0 })
    }

    /// Sends one request and reads its whole answer; returns the status.
    pub async fn get(&mut self, request: &[u8]) -> anyhow::Result<u16> {
        self.stream.write_all(request).await?;
        self.buffer.clear();
        let (status, head, length) = loop {
            self.read_more().await?;
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut response = httparse::Response::new(&mut headers);
            if let httparse::Status::Complete(head) = response.parse(&self.buffer).context("bad answer head")? {
                let length = response
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse::<usize>().ok())
                    .context("response without content-length")?;
                break (response.code.context("bad status line")?, head, length);
            }
        };
        while self.buffer.len() < head + length {
            self.read_more().await?;
        }
        anyhow::ensure!(self.buffer.len() == head + length, "bytes after the answer on a one-request connection");
        self.body = head..head + length;
        Ok(status)
    }

    /// The last answer's body.
    pub fn body(&self) -> &[u8] {
        &self.buffer[self.body.clone()]
    }

    async fn read_more(&mut self) -> anyhow::Result<()> {
        self.buffer.reserve(8 * 1024);
        if self.stream.read_buf(&mut self.buffer).await? == 0 {
            bail!("connection closed");
        }
        Ok(())
    }
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
    for index in 0..connections {
        let requests = Arc::clone(&requests);
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(addr).await?;
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            for i in 0..MAX_REQUESTS_PER_CONNECTION {
                if Instant::now() >= deadline {
                    break;
                }
                let request = &requests[(index + i * connections) % requests.len()];
                let sent = Instant::now();
                let status = connection.get(request).await?;
                latencies.push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                if status != expected {
                    if errors == 0 {
                        eprintln!("unexpected answer {status}: {}", String::from_utf8_lossy(connection.body()));
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
