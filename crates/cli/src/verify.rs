//! `zhiliang verify --url URL`: replays a zhiliang public log from outside, trusting nothing the server computes.
//! It checks the checkpoint's Ed25519 signature with the published key, recomputes every leaf from the entry's
//! bytes and the root from the leaves, checks each entry's inclusion proof and consistency proofs between earlier
//! sizes and the checkpoint, and names every entry that does not hold.

use std::net::SocketAddr;

use anyhow::{bail, Context};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::Value;
use tokio::io::BufReader;
use tokio::net::TcpStream;
use translog::{leaf_hash, verify_consistency, verify_inclusion, Checkpoint, Frontier, Hash};

/// A keep-alive HTTP/1.1 connection to the log's server.
struct Client {
    host: String,
    prefix: String,
    reader: BufReader<TcpStream>,
}

impl Client {
    async fn connect(url: &str) -> anyhow::Result<Client> {
        let rest = url
            .strip_prefix("http://")
            .with_context(|| format!("'{url}' is not an http:// URL (put a TLS proxy's plain side here)"))?;
        let (authority, prefix) = match rest.split_once('/') {
            Some((authority, path)) => (authority, format!("/{}", path.trim_end_matches('/'))),
            None => (rest, String::new()),
        };
        let address = tokio::net::lookup_host(if authority.contains(':') {
            authority.to_owned()
        } else {
            format!("{authority}:80")
        })
        .await?
        .next()
        .with_context(|| format!("{authority} has no address"))?;
        Client::open(address, authority, prefix).await
    }

    async fn open(address: SocketAddr, host: &str, prefix: String) -> anyhow::Result<Client> {
        let stream = TcpStream::connect(address).await.with_context(|| format!("could not connect to {address}"))?;
        Ok(Client { host: host.to_owned(), prefix, reader: BufReader::new(stream) })
    }

    async fn get(&mut self, path: &str) -> anyhow::Result<Value> {
        let request = format!("GET {}{path} HTTP/1.1\r\nHost: {}\r\n\r\n", self.prefix, self.host);
        let (mut header, mut body) = (String::new(), Vec::new());
        let status = crate::load::get(&mut self.reader, request.as_bytes(), &mut header, &mut body).await?;
        if status != 200 {
            bail!("GET {path}: {status} {}", String::from_utf8_lossy(&body));
        }
        serde_json::from_slice(&body).with_context(|| format!("GET {path}: not JSON"))
    }
}

fn hash(value: &Value, what: &str) -> anyhow::Result<Hash> {
    let text = value.as_str().with_context(|| format!("{what} is missing"))?;
    hex::decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .with_context(|| format!("{what} '{text}' is not a SHA-256 in hex"))
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Report {
    pub tree_size: u64,
    pub root: String,
    pub key_id: String,
    pub problems: Vec<String>,
}

/// Verifies the log at `url`.
pub async fn verify(url: &str) -> anyhow::Result<Report> {
    let mut client = Client::connect(url).await?;
    let key = client.get("/api/v1/log/public-key").await?;
    let key_bytes: [u8; 32] = BASE64
        .decode(key["public_key"].as_str().context("public_key is missing")?)
        .ok()
        .and_then(|b| b.try_into().ok())
        .context("public_key is not 32 bytes of base64")?;
    let key = ed25519_dalek::VerifyingKey::from_bytes(&key_bytes).context("public_key is not an Ed25519 key")?;
    let signed = client.get("/api/v1/log/checkpoint").await?;
    let checkpoint = Checkpoint {
        tree_size: signed["tree_size"].as_u64().context("tree_size is missing")?,
        root_hash: hash(&signed["root_hash"], "root_hash")?,
        timestamp: signed["timestamp"].as_str().context("timestamp is missing")?.to_owned(),
    };
    let mut report = Report {
        tree_size: checkpoint.tree_size,
        root: hex::encode(checkpoint.root_hash),
        key_id: translog::key_id(&key),
        problems: Vec::new(),
    };
    let signature = BASE64.decode(signed["signature"].as_str().unwrap_or_default()).unwrap_or_default();
    if let Err(error) = checkpoint.verify(&key, &signature) {
        report.problems.push(format!("checkpoint of {} entries: {error}", checkpoint.tree_size));
    }
    if signed["key_id"].as_str() != Some(report.key_id.as_str()) {
        report
            .problems
            .push(format!("checkpoint names key {}, the published key is {}", signed["key_id"], report.key_id));
    }

    // Replay: every leaf from its bytes, the root from the leaves, a few earlier roots for consistency.
    let size = checkpoint.tree_size;
    let earlier: Vec<u64> =
        [1, size / 3, size / 2, size.saturating_sub(1)].into_iter().filter(|s| *s > 0 && *s < size).collect();
    let mut earlier_roots = Vec::new();
    let mut leaves = Vec::with_capacity(size as usize);
    let mut frontier = Frontier::default();
    while (leaves.len() as u64) < size {
        let start = leaves.len() as u64;
        let page = client.get(&format!("/api/v1/log/entries?start={start}&end={}", (start + 1000).min(size))).await?;
        let entries = page["entries"].as_array().context("entries is missing")?;
        if entries.is_empty() {
            report.problems.push(format!("the server lists no entry from {start}, but signed {size}"));
            break;
        }
        for entry in entries {
            let index = leaves.len() as u64;
            if entry["index"].as_u64() != Some(index) {
                report.problems.push(format!("entry {index}: listed as {}", entry["index"]));
            }
            let data = BASE64.decode(entry["data"].as_str().unwrap_or_default()).unwrap_or_default();
            match serde_json::from_slice::<Value>(&data) {
                Ok(decoded) if decoded == entry["entry"] && decoded.to_string().as_bytes() == data.as_slice() => {}
                Ok(_) => report
                    .problems
                    .push(format!("entry {index}: its bytes are not the canonical form of the entry shown")),
                Err(_) => report.problems.push(format!("entry {index}: its bytes are not JSON")),
            }
            let leaf = leaf_hash(&data);
            leaves.push(leaf);
            frontier.append(leaf);
            if earlier.contains(&frontier.size()) {
                earlier_roots.push((frontier.size(), frontier.root()));
            }
        }
    }
    if frontier.root() != checkpoint.root_hash {
        report.problems.push(format!(
            "the entries hash to root {}, not the signed {}",
            hex::encode(frontier.root()),
            report.root
        ));
    }
    // Every entry's proof against the signed root: a changed entry fails here, by its index.
    for (index, leaf) in leaves.iter().enumerate() {
        let proof = client.get(&format!("/api/v1/log/proof/inclusion?index={index}&tree_size={size}")).await?;
        let path: anyhow::Result<Vec<Hash>> = proof["audit_path"]
            .as_array()
            .context("audit_path is missing")?
            .iter()
            .map(|h| hash(h, "audit path"))
            .collect();
        if let Err(error) = verify_inclusion(leaf, index as u64, size, &path?, &checkpoint.root_hash) {
            report
                .problems
                .push(format!("entry {index}: its bytes are not the ones the signed root includes ({error})"));
        }
    }
    for (first, first_root) in earlier_roots {
        let proof = client.get(&format!("/api/v1/log/proof/consistency?first={first}&second={size}")).await?;
        let hashes: anyhow::Result<Vec<Hash>> = proof["proof"]
            .as_array()
            .context("proof is missing")?
            .iter()
            .map(|h| hash(h, "consistency proof"))
            .collect();
        if let Err(error) = verify_consistency(first, size, &first_root, &checkpoint.root_hash, &hashes?) {
            report.problems.push(format!("the log of {first} entries is not a prefix of the signed log ({error})"));
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::public_log::NewEntry;

    async fn serve(store: store::Store) -> String {
        let app = server::app(server::AppState::new(store));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{address}")
    }

    #[tokio::test]
    async fn an_honest_log_verifies_and_one_changed_byte_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let store = store::Store::open(&format!("sqlite://{}", path.display())).await.unwrap();
        let entries: Vec<NewEntry> = (0..37)
            .map(|i| NewEntry {
                kind: "test".into(),
                subject: format!("S{i}"),
                data: store::public_log::canonical(&serde_json::json!({"n": i, "name": "示范企业"})),
            })
            .collect();
        store.append_log(&entries).await.unwrap();
        let url = serve(store.clone()).await;
        let report = verify(&url).await.unwrap();
        assert_eq!((report.tree_size, report.problems.len()), (37, 0), "{:?}", report.problems);

        // One byte of entry 21 changes behind the server's back.
        let changed = store::public_log::canonical(&serde_json::json!({"n": 21, "name": "示范企心"}));
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute("UPDATE log_entries SET data = ?1 WHERE idx = 21", [&changed]).unwrap();
        let report = verify(&url).await.unwrap();
        assert!(report.problems.iter().any(|p| p.starts_with("entry 21:")), "{:?}", report.problems);
        assert!(!report.problems.iter().any(|p| p.starts_with("entry 20:")), "{:?}", report.problems);
    }
}
