//! `zhiliang verify --url URL`: replays a zhiliang public log from outside, trusting nothing the server computes.
//! It opens the checkpoint (a C2SP signed note) with a trusted key, or the key it met first, recomputes every leaf
//! from the entry's bytes and the root from the leaves, checks inclusion proofs (every one when the root fails) and consistency
//! proofs between earlier sizes and the checkpoint, and names every entry that does not hold. It remembers the
//! last checkpoint it accepted per log in a state file, and refuses a root that does not extend it: a database
//! rewritten under the same key and size fails here. It speaks HTTP and HTTPS (rustls).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use translog::{leaf_hash, verify_consistency, verify_inclusion, Frontier, Hash, NoteVerifier};

/// Inclusion proofs asked for when the rebuilt root holds.
const INCLUSION_SAMPLE: usize = 64;
/// Times a request is retried after a 429, waiting as `Retry-After` says.
const RETRIES: usize = 5;

/// What to verify and what to trust.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The server, `http://` or `https://`, with any path prefix.
    pub url: String,
    /// The log's verifier key (`name+id+base64`) to trust; without it, the key remembered from the first run.
    pub trusted_key: Option<String>,
    /// Where accepted checkpoints are remembered.
    pub state_file: PathBuf,
    /// Witnesses (`cosignature/v1` verifier keys) whose cosignature the checkpoint must carry.
    pub witnesses: Vec<String>,
    /// Extra root certificates (PEM) for HTTPS, e.g. a government CA or a test's own.
    pub ca_file: Option<PathBuf>,
}

/// The default state file: `$XDG_STATE_HOME/zhiliang/verify.json`, else `~/.local/state/zhiliang/verify.json`.
pub fn default_state_file() -> PathBuf {
    let base = std::env::var_os("XDG_STATE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/state")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("zhiliang").join("verify.json")
}

/// The last checkpoint accepted from one log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Accepted {
    verifier_key: String,
    tree_size: u64,
    /// Hex.
    root_hash: String,
    note: String,
    url: String,
}

/// Accepted checkpoints by log origin.
#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    logs: BTreeMap<String, Accepted>,
}

fn read_state(path: &Path) -> anyhow::Result<State> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            serde_json::from_str(&text).with_context(|| format!("{} is not a verify state file", path.display()))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
        Err(error) => Err(error).with_context(|| format!("could not read {}", path.display())),
    }
}

/// Replaces the state file durably (temporary file, sync, rename).
fn write_state(path: &Path, state: &State) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    }
    let temporary = path.with_extension("json.tmp");
    let mut file =
        std::fs::File::create(&temporary).with_context(|| format!("could not write {}", temporary.display()))?;
    file.write_all(serde_json::to_string_pretty(state)?.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temporary, path).with_context(|| format!("could not replace {}", path.display()))?;
    Ok(())
}

/// A client of the log's server over HTTP or HTTPS.
struct Client {
    agent: ureq::Agent,
    base: String,
}

impl Client {
    fn new(url: &str, ca_file: Option<&Path>) -> anyhow::Result<Client> {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            bail!("'{url}' is not an http:// or https:// URL");
        }
        let mut config = ureq::Agent::config_builder().http_status_as_error(false);
        if let Some(path) = ca_file {
            let pem = std::fs::read(path).with_context(|| format!("could not read {}", path.display()))?;
            let certificates: Vec<ureq::tls::Certificate<'static>> = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(certificate)) => Some(certificate),
                    _ => None,
                })
                .collect();
            if certificates.is_empty() {
                bail!("{} holds no PEM certificate", path.display());
            }
            let roots = ureq::tls::RootCerts::new_with_certs(&certificates);
            config = config.tls_config(ureq::tls::TlsConfig::builder().root_certs(roots).build());
        }
        Ok(Client { agent: config.build().into(), base: url.trim_end_matches('/').to_owned() })
    }

    fn get(&self, path: &str) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut response = self.agent.get(&url).call().with_context(|| format!("GET {url}"))?;
        // A public server limits each address; wait as it asks, a few times.
        for _ in 0..RETRIES {
            if response.status() != 429 {
                break;
            }
            let wait = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(1)
                .min(60);
            std::thread::sleep(std::time::Duration::from_secs(wait));
            response = self.agent.get(&url).call().with_context(|| format!("GET {url}"))?;
        }
        let status = response.status();
        let body = response.body_mut().read_to_string().with_context(|| format!("GET {url}: unreadable body"))?;
        if status != 200 {
            bail!("GET {path}: {status} {body}");
        }
        serde_json::from_str(&body).with_context(|| format!("GET {path}: not JSON"))
    }
}

fn hash(value: &Value, what: &str) -> anyhow::Result<Hash> {
    let text = value.as_str().with_context(|| format!("{what} is missing"))?;
    hex::decode(text)
        .ok()
        .and_then(|b| b.try_into().ok())
        .with_context(|| format!("{what} '{text}' is not a SHA-256 in hex"))
}

fn hashes(value: &Value, what: &str) -> anyhow::Result<Vec<Hash>> {
    value.as_array().with_context(|| format!("{what} is missing"))?.iter().map(|h| hash(h, what)).collect()
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Report {
    pub origin: String,
    pub tree_size: u64,
    pub root: String,
    pub key_id: String,
    /// The size of the checkpoint accepted before this run, if any.
    pub previously_accepted: Option<u64>,
    /// Witnesses that cosigned, with their times.
    pub cosigned_by: Vec<(String, u64)>,
    pub problems: Vec<String>,
}

/// The log's verifier: the trusted key when given (it must be the server's), else the one remembered (which must
/// not have changed), else the server's, remembered from now on.
fn log_verifier(options: &Options, published: &str, remembered: Option<&Accepted>) -> anyhow::Result<NoteVerifier> {
    let published = NoteVerifier::parse(published).context("the server's verifier key is malformed")?;
    if let Some(trusted) = &options.trusted_key {
        let trusted = NoteVerifier::parse(trusted).context("--key is not a verifier key (name+id+base64)")?;
        if trusted != published {
            bail!("the server signs with {}, not the trusted key {}", published.encode(), trusted.encode());
        }
        return Ok(trusted);
    }
    if let Some(remembered) = remembered {
        if remembered.verifier_key != published.encode() {
            bail!(
                "the log's key changed from {} (accepted before) to {}; pass --key to trust a new key",
                remembered.verifier_key,
                published.encode()
            );
        }
    }
    Ok(published)
}

/// Verifies the log at `options.url`, and remembers its checkpoint when nothing is wrong.
pub fn verify(options: &Options) -> anyhow::Result<Report> {
    let client = Client::new(&options.url, options.ca_file.as_deref())?;
    let key = client.get("/api/v1/log/public-key")?;
    let origin = key["origin"].as_str().context("origin is missing")?.to_owned();
    let mut state = read_state(&options.state_file)?;
    let remembered = state.logs.get(&origin).cloned();
    let published = key["verifier_key"].as_str().context("verifier_key is missing")?;
    let verifier = log_verifier(options, published, remembered.as_ref())?;
    let raw = BASE64.decode(key["public_key"].as_str().unwrap_or_default()).unwrap_or_default();
    if raw != verifier.public().as_bytes() {
        bail!("the server's public_key is not the key of its verifier_key");
    }
    let witnesses: Vec<NoteVerifier> = options
        .witnesses
        .iter()
        .map(|w| NoteVerifier::parse(w).with_context(|| format!("--witness {w} is not a verifier key")))
        .collect::<anyhow::Result<_>>()?;
    let signed = client.get("/api/v1/log/checkpoint")?;
    let note = signed["note"].as_str().context("note is missing")?;
    let opened = translog::open(note, &verifier, &witnesses).context("the checkpoint does not open")?;
    let checkpoint = opened.checkpoint;
    let mut report = Report {
        origin: origin.clone(),
        tree_size: checkpoint.tree_size,
        root: hex::encode(checkpoint.root_hash),
        key_id: translog::key_id(verifier.public()),
        previously_accepted: remembered.as_ref().map(|r| r.tree_size),
        cosigned_by: opened.cosigned_by.clone(),
        problems: Vec::new(),
    };
    for witness in &witnesses {
        if !opened.cosigned_by.iter().any(|(name, _)| name == witness.key_name()) {
            report.problems.push(format!("witness {} did not cosign the checkpoint", witness.key_name()));
        }
    }
    if checkpoint.origin != origin {
        report.problems.push(format!("the checkpoint names origin {}, the server {origin}", checkpoint.origin));
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
        let page = client.get(&format!("/api/v1/log/entries?start={start}&end={}", (start + 1000).min(size)))?;
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
    // The root rebuilt from every entry's bytes already proves each one included. Inclusion proofs check the
    // server's proof answers: a sample of them when the root holds, every one (naming each changed entry) when not.
    let root_holds = frontier.root() == checkpoint.root_hash;
    let sampled: Vec<usize> = if root_holds {
        let stride = (leaves.len() / INCLUSION_SAMPLE).max(1);
        (0..leaves.len()).step_by(stride).chain(leaves.len().checked_sub(1)).collect()
    } else {
        (0..leaves.len()).collect()
    };
    for (index, leaf) in sampled.into_iter().map(|i| (i, &leaves[i])) {
        let proof = client.get(&format!("/api/v1/log/proof/inclusion?index={index}&tree_size={size}"))?;
        let path = hashes(&proof["audit_path"], "audit path")?;
        if let Err(error) = verify_inclusion(leaf, index as u64, size, &path, &checkpoint.root_hash) {
            report
                .problems
                .push(format!("entry {index}: its bytes are not the ones the signed root includes ({error})"));
        }
    }
    for (first, first_root) in earlier_roots {
        let proof = client.get(&format!("/api/v1/log/proof/consistency?first={first}&second={size}"))?;
        if let Err(error) = verify_consistency(
            first,
            size,
            &first_root,
            &checkpoint.root_hash,
            &hashes(&proof["proof"], "consistency proof")?,
        ) {
            report.problems.push(format!("the log of {first} entries is not a prefix of the signed log ({error})"));
        }
    }
    // The checkpoint accepted before must be a prefix of this one.
    if let Some(before) = &remembered {
        let before_root = hash(&Value::String(before.root_hash.clone()), "the remembered root")?;
        if size < before.tree_size {
            report.problems.push(format!(
                "the log shrank: it signs {size} entries, but {} were accepted before",
                before.tree_size
            ));
        } else if size == before.tree_size && checkpoint.root_hash != before_root {
            report.problems.push(format!(
                "the root of {size} entries is {}, but {} was accepted before: the log was rewritten",
                report.root, before.root_hash
            ));
        } else if size > before.tree_size && before.tree_size > 0 {
            let proof =
                client.get(&format!("/api/v1/log/proof/consistency?first={}&second={size}", before.tree_size))?;
            let proof = hashes(&proof["proof"], "consistency proof")?;
            if verify_consistency(before.tree_size, size, &before_root, &checkpoint.root_hash, &proof).is_err() {
                report.problems.push(format!(
                    "the checkpoint is not consistent with the one of {} entries accepted before: the log was rewritten",
                    before.tree_size
                ));
            }
        }
    }
    if report.problems.is_empty() {
        let accepted = Accepted {
            verifier_key: verifier.encode(),
            tree_size: size,
            root_hash: report.root.clone(),
            note: note.to_owned(),
            url: options.url.clone(),
        };
        state.logs.insert(origin, accepted);
        write_state(&options.state_file, &state)?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::public_log::NewEntry;

    async fn serve(state: server::AppState) -> String {
        let app = server::app(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app.into_make_service()).await });
        format!("http://{address}")
    }

    /// The server behind TLS with a self-signed certificate for `localhost`; the URL and the certificate (PEM).
    async fn serve_tls(state: server::AppState) -> (String, String) {
        use tokio_rustls::rustls;
        let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(certified.signing_key.serialize_der().into());
        let config =
            rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_no_client_auth()
                .with_single_cert(vec![certified.cert.der().clone()], key)
                .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let app = server::app(state);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, app) = (acceptor.clone(), app.clone());
                tokio::spawn(async move {
                    let Ok(stream) = acceptor.accept(stream).await else { return };
                    let service = hyper_util::service::TowerToHyperService::new(app);
                    hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await
                        .ok();
                });
            }
        });
        (format!("https://localhost:{port}"), certified.cert.pem())
    }

    /// `verify` speaks HTTPS: it checks the server's certificate against the roots it is given, and refuses a
    /// certificate no root vouches for.
    #[tokio::test]
    async fn verify_speaks_https_and_checks_the_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let store = store::Store::open(&format!("sqlite://{}", dir.path().join("log.db").display())).await.unwrap();
        store.append_log(&entries(0, 9)).await.unwrap();
        let server_dir = tempfile::tempdir().unwrap();
        let config = service::log_signing::LogConfig::in_dir(server_dir.path(), "test.example/log");
        let (url, pem) = serve_tls(server::AppState::new(store).with_log(config)).await;
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, pem).unwrap();
        let untrusted = Options { url: url.clone(), state_file: dir.path().join("a.json"), ..Options::default() };
        let refused = tokio::task::spawn_blocking(move || verify(&untrusted)).await.unwrap().unwrap_err();
        // The whole chain, as the command prints it.
        let refused = format!("{refused:#}");
        assert!(refused.to_lowercase().contains("certificate") || refused.contains("UnknownIssuer"), "{refused}");
        let trusted =
            Options { url, state_file: dir.path().join("b.json"), ca_file: Some(ca_file), ..Options::default() };
        let report = run(&trusted).await;
        assert_eq!((report.tree_size, report.problems.len()), (9, 0), "{:?}", report.problems);
    }

    fn entries(from: usize, count: usize) -> Vec<NewEntry> {
        (from..from + count)
            .map(|i| NewEntry {
                kind: "test".into(),
                subject: format!("S{i}"),
                data: store::public_log::canonical(&serde_json::json!({"n": i, "name": "示范企业"})),
            })
            .collect()
    }

    async fn run(options: &Options) -> Report {
        let options = options.clone();
        tokio::task::spawn_blocking(move || verify(&options)).await.unwrap().unwrap()
    }

    async fn run_error(options: &Options) -> String {
        let options = options.clone();
        tokio::task::spawn_blocking(move || verify(&options)).await.unwrap().unwrap_err().to_string()
    }

    #[tokio::test]
    async fn an_honest_log_verifies_and_one_changed_byte_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let store = store::Store::open(&format!("sqlite://{}", path.display())).await.unwrap();
        store.append_log(&entries(0, 37)).await.unwrap();
        let url = serve(server::AppState::new(store.clone())).await;
        let options = Options { url, state_file: dir.path().join("verify.json"), ..Options::default() };
        let report = run(&options).await;
        assert_eq!((report.tree_size, report.problems.len()), (37, 0), "{:?}", report.problems);

        // One byte of entry 21 changes behind the server's back.
        let changed = store::public_log::canonical(&serde_json::json!({"n": 21, "name": "示范企心"}));
        let raw = rusqlite::Connection::open(&path).unwrap();
        raw.execute("UPDATE log_entries SET data = ?1 WHERE idx = 21", [&changed]).unwrap();
        let report = run(&options).await;
        assert!(report.problems.iter().any(|p| p.starts_with("entry 21:")), "{:?}", report.problems);
        assert!(!report.problems.iter().any(|p| p.starts_with("entry 20:")), "{:?}", report.problems);
    }

    /// A key holder rewrites the database (an entry, its nodes, the checkpoints) and signs the rewritten tree
    /// with the same key at the same size: every proof holds, but the root is not the one accepted before.
    #[tokio::test]
    async fn a_rewrite_under_the_same_key_and_size_fails_against_the_remembered_checkpoint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let store = store::Store::open(&format!("sqlite://{}", path.display())).await.unwrap();
        store.append_log(&entries(0, 12)).await.unwrap();
        let server_dir = tempfile::tempdir().unwrap();
        let config = service::log_signing::LogConfig::in_dir(server_dir.path(), "test.example/log");
        let url = serve(server::AppState::new(store.clone()).with_log(config.clone())).await;
        let state_file = dir.path().join("verify.json");
        let options = Options { url, state_file: state_file.clone(), ..Options::default() };
        let first = run(&options).await;
        assert_eq!((first.tree_size, first.problems.len(), first.previously_accepted), (12, 0, None));
        let accepted = std::fs::read_to_string(&state_file).unwrap();
        assert!(accepted.contains("\"tree_size\": 12"), "{accepted}");

        // Rewrite entry 4 with its leaf and all nodes recomputed, and drop the checkpoints.
        let raw = rusqlite::Connection::open(&path).unwrap();
        let rewritten = store::public_log::canonical(&serde_json::json!({"n": 4, "name": "改写的企业"}));
        raw.execute("UPDATE log_entries SET data = ?1 WHERE idx = 4", [&rewritten]).unwrap();
        let mut stmt = raw.prepare("SELECT data FROM log_entries ORDER BY idx").unwrap();
        let all: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        raw.execute("DELETE FROM log_nodes", []).unwrap();
        raw.execute("DELETE FROM log_checkpoints", []).unwrap();
        let mut frontier = Frontier::default();
        for (index, data) in all.iter().enumerate() {
            let leaf = leaf_hash(data.as_bytes());
            raw.execute(
                "UPDATE log_entries SET leaf_hash = ?1 WHERE idx = ?2",
                rusqlite::params![hex::encode(leaf), index as i64],
            )
            .unwrap();
            for (node, hash) in frontier.append(leaf) {
                raw.execute(
                    "INSERT INTO log_nodes (level, idx, hash) VALUES (?1, ?2, ?3)",
                    rusqlite::params![node.level, node.index as i64, hex::encode(hash)],
                )
                .unwrap();
            }
        }
        // The signing server itself refuses; a server with the same key but no memory signs the rewrite.
        let honest = run_error(&options).await;
        assert!(honest.contains("503"), "{honest}");
        std::fs::remove_file(&config.state_file).unwrap();
        let report = run(&options).await;
        assert_eq!(report.tree_size, 12);
        assert!(
            report.problems.iter().any(|p| p.contains("was accepted before: the log was rewritten")),
            "{:?}",
            report.problems
        );
        assert_eq!(std::fs::read_to_string(&state_file).unwrap(), accepted, "a failed run keeps the accepted state");

        // A trusted key that is not the server's is refused outright.
        let stranger = translog::verifier_key(
            "test.example/log",
            &ed25519_dalek::SigningKey::from_bytes(&[5; 32]).verifying_key(),
        );
        let refused = run_error(&Options { trusted_key: Some(stranger), ..options.clone() }).await;
        assert!(refused.contains("not the trusted key"), "{refused}");
    }
}
