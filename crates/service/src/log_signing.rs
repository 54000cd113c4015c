//! The public log's signing key and the server's memory of what it signed, both outside the database.
//!
//! The database holds the log's entries, nodes, checkpoints and the public half of the key. A database writer
//! can rewrite all of that, but cannot sign: the seed lives in a key file (mode 0600) or in the environment.
//! The server also keeps, in a state file beside the key, the last checkpoint it signed, and refuses to sign a
//! tree that is not an append-only extension of it; so a rewrite below a signed size is refused even when the
//! database's checkpoints are removed.

use std::io::Write;
use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};
use store::Store;
use translog::{key_id, LogSigner};

/// The environment variable that may hold the signing seed (64 hex characters) instead of the key file.
pub const SEED_VARIABLE: &str = "ZHILIANG_LOG_SEED";
/// The environment variable naming the key file.
pub const KEY_FILE_VARIABLE: &str = "ZHILIANG_LOG_KEY_FILE";
/// The environment variable naming the log's origin (its C2SP key name).
pub const ORIGIN_VARIABLE: &str = "ZHILIANG_LOG_ORIGIN";
/// The origin when none is configured.
pub const DEFAULT_ORIGIN: &str = "zhiliang.local/public-log";

/// Why the log cannot be signed.
#[derive(Debug, thiserror::Error)]
pub enum LogKeyError {
    #[error("the log key file {path} is readable by others (mode {mode:o}); make it 0600")]
    Permissions { path: String, mode: u32 },
    #[error("{0} is not 64 hex characters")]
    Malformed(String),
    #[error(
        "the signing key's public half {found} differs from the log's registered key {registered}: refusing to sign"
    )]
    Mismatch { found: String, registered: String },
    #[error("the log's origin '{0}' is not a valid key name (no spaces or '+')")]
    Origin(String),
    #[error("{path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("the state file {0} is unreadable; it records the last checkpoint this server signed")]
    State(String),
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

/// Where the key and the state live, and the log's name.
#[derive(Clone, PartialEq, Eq)]
pub struct LogConfig {
    /// The C2SP origin: the key name, first line of every checkpoint.
    pub origin: String,
    /// The seed, hex, when given in the environment; otherwise the key file holds it.
    pub seed: Option<String>,
    pub key_file: PathBuf,
    /// The last checkpoint this server signed.
    pub state_file: PathBuf,
}

/// The seed never reaches a log, even through a debug print.
impl std::fmt::Debug for LogConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogConfig")
            .field("origin", &self.origin)
            .field("seed", &self.seed.as_ref().map(|_| "[redacted]"))
            .field("key_file", &self.key_file)
            .field("state_file", &self.state_file)
            .finish()
    }
}

impl LogConfig {
    /// The defaults for a store: the key file beside a SQLite database, else in the working directory.
    pub fn defaults_for(store: &Store) -> LogConfig {
        let key_file =
            store.sqlite_path().map_or_else(|| PathBuf::from("zhiliang-log.key"), |db| with_suffix(&db, ".log-key"));
        LogConfig {
            origin: DEFAULT_ORIGIN.to_owned(),
            seed: None,
            state_file: with_suffix(&key_file, ".state"),
            key_file,
        }
    }

    /// The same with the key (and its state file beside it) in `key_file`.
    pub fn with_key_file(self, key_file: PathBuf) -> LogConfig {
        LogConfig { state_file: with_suffix(&key_file, ".state"), key_file, ..self }
    }

    /// The configuration from the environment's single variables over the defaults.
    pub fn from_environment(store: &Store) -> LogConfig {
        let mut config = LogConfig::defaults_for(store);
        if let Some(key_file) = std::env::var_os(KEY_FILE_VARIABLE) {
            config = config.with_key_file(PathBuf::from(key_file));
        }
        if let Ok(origin) = std::env::var(ORIGIN_VARIABLE) {
            config.origin = origin;
        }
        config.seed = std::env::var(SEED_VARIABLE).ok();
        config
    }

    /// A configuration that keeps the key and state in `dir` (tests, tools).
    pub fn in_dir(dir: &Path, origin: &str) -> LogConfig {
        let key_file = dir.join("log.key");
        LogConfig { origin: origin.to_owned(), seed: None, state_file: with_suffix(&key_file, ".state"), key_file }
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LogKeyError + '_ {
    move |error| LogKeyError::Io { path: path.display().to_string(), error }
}

fn parse_seed(text: &str, what: &str) -> Result<SigningKey, LogKeyError> {
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| LogKeyError::Malformed(what.to_owned()))?;
    Ok(SigningKey::from_bytes(&bytes))
}

/// Reads the key file, refusing one that others may read.
fn read_key_file(path: &Path) -> Result<SigningKey, LogKeyError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).map_err(io(path))?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(LogKeyError::Permissions { path: path.display().to_string(), mode });
        }
    }
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    parse_seed(&text, &path.display().to_string())
}

/// Writes a new key file, readable by its owner only; never overwrites one.
fn write_key_file(path: &Path, key: &SigningKey) -> Result<(), LogKeyError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io(path))?;
    file.write_all(format!("{}\n", hex::encode(key.to_bytes())).as_bytes()).map_err(io(path))?;
    file.sync_all().map_err(io(path))
}

/// The log's signer: the seed from the environment or the key file. A missing key file is made (from a seed an
/// earlier version kept in the database, which is then erased there, or fresh). The key's public half must be the
/// one the database registered, or the first one registered now.
pub async fn load_signer(config: &LogConfig, store: &Store) -> Result<LogSigner, LogKeyError> {
    let key = match &config.seed {
        Some(seed) => parse_seed(seed, SEED_VARIABLE)?,
        None if config.key_file.exists() => read_key_file(&config.key_file)?,
        None => {
            let legacy = store.legacy_log_seed().await?;
            let key = match &legacy {
                Some(seed) => parse_seed(seed, "the seed kept in the database")?,
                None => SigningKey::from_bytes(&rand::random::<[u8; 32]>()),
            };
            write_key_file(&config.key_file, &key)?;
            if legacy.is_some() {
                store.erase_legacy_log_seed().await?;
            }
            tracing::info!(key_file = %config.key_file.display(), "made the public log's key file");
            key
        }
    };
    let public = hex::encode(key.verifying_key().as_bytes());
    let registered = store.register_log_public_key(&key_id(&key.verifying_key()), &public).await?;
    if registered != public {
        return Err(LogKeyError::Mismatch { found: public, registered });
    }
    LogSigner::new(&config.origin, key).map_err(|_| LogKeyError::Origin(config.origin.clone()))
}

/// The last checkpoint this server signed, as it keeps it outside the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remembered {
    pub tree_size: u64,
    /// Hex.
    pub root_hash: String,
    pub note: String,
}

/// The remembered checkpoint, if this server signed one.
pub fn read_state(path: &Path) -> Result<Option<Remembered>, LogKeyError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map(Some).map_err(|_| LogKeyError::State(path.display().to_string())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(LogKeyError::Io { path: path.display().to_string(), error }),
    }
}

/// Replaces the remembered checkpoint durably: a temporary file, synced, renamed over the old one.
pub fn write_state(path: &Path, remembered: &Remembered) -> Result<(), LogKeyError> {
    let temporary = with_suffix(path, ".tmp");
    let text = serde_json::to_string_pretty(remembered).expect("plain data");
    let mut file = std::fs::File::create(&temporary).map_err(io(&temporary))?;
    file.write_all(text.as_bytes()).map_err(io(&temporary))?;
    file.sync_all().map_err(io(&temporary))?;
    std::fs::rename(&temporary, path).map_err(io(path))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename is durable once the directory is.
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io(dir))?;
    }
    Ok(())
}
