//! The use cases of zhiliang without HTTP. Each runs one transaction — the store, the capability's rule, the
//! audit row and the public-log entry — and is called alike by the API handlers, the pages and the CLI. Here
//! too are the one error table ([`ErrorCode`]), the checks of incoming fields ([`input`]) and who may do what
//! ([`access`]). Nothing here knows routes, requests or pages.

/// Implements `Debug` showing only the named field: the rest holds a secret (a token, a tracking secret) that
/// never reaches a log, even through a debug print.
macro_rules! debug_without_secrets {
    ($type:ident, $name:literal => $($field:ident).+) => {
        impl std::fmt::Debug for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($type)).field($name, &self.$($field).+).finish_non_exhaustive()
            }
        }
    };
}

pub mod access;
pub mod batch;
pub mod campaigns;
pub mod catalogue;
pub mod certification;
pub mod complaints;
pub mod credit;
pub mod credit_file;
pub mod credit_scoring;
pub mod deadlines;
pub mod equipment;
pub mod error;
pub mod events;
pub mod indicators;
pub mod injuries;
pub mod input;
pub mod labs;
pub mod licensing;
pub mod log;
pub mod log_signing;
pub mod master;
pub mod ownership;
pub mod pass_rates;
pub mod read_scope;
pub mod recalls;
pub mod schema;
pub mod signals;
pub mod standards;
pub mod trace;
pub mod warnings;

use std::sync::{Arc, PoisonError, RwLock};

use chrono::{Duration, NaiveDate, Utc};
use store::Store;

pub use error::{ApiError, ErrorCode};

/// The use cases' limits (`[limits]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Identifiers a trace expands at most; a larger trace is cut and says so.
    pub trace_identifiers: usize,
    /// Records one department exchange batch may carry.
    pub exchange_records: usize,
    /// Organizations scored per transaction by a credit recompute.
    pub scoring_batch: usize,
    /// Events one EPCIS capture may carry (the `GS1-EPCIS-Capture-Limit` header).
    pub capture_events: usize,
    /// Events an EPCIS query page holds when `perPage` is not given.
    pub epcis_page_size: i64,
    /// The largest `perPage` an EPCIS query takes.
    pub epcis_max_page_size: i64,
    /// Public-log entries one page answers, and one verification step reads.
    pub log_page_size: i64,
}

/// Organizations scored per transaction by default: a page of the register that one transaction holds well.
pub const DEFAULT_SCORING_BATCH: usize = 20_000;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            trace_identifiers: 50_000,
            exchange_records: 10_000,
            scoring_batch: DEFAULT_SCORING_BATCH,
            capture_events: 10_000,
            epcis_page_size: 100,
            epcis_max_page_size: 1_000,
            log_page_size: 1_000,
        }
    }
}

/// What every use case works with: the database, the public log's signing, the working-day calendar and the
/// limits.
#[derive(Debug, Clone)]
pub struct Services {
    /// The database.
    pub store: Store,
    /// The transparency log's signing: where the key and the server's memory live, the key once loaded.
    pub log: Arc<LogSigning>,
    /// The working-day calendar in force: the shipped notices and those loaded since (see [`deadlines`]).
    pub calendar: Arc<RwLock<Arc<calendar::Calendar>>>,
    /// The key-product catalogue in memory (see [`catalogue`]).
    pub catalogue: Arc<RwLock<catalogue::Held>>,
    pub settings: Settings,
}

/// The public log's signer and the lock that keeps one signing at a time.
#[derive(Debug)]
pub struct LogSigning {
    pub config: log_signing::LogConfig,
    pub signer: tokio::sync::OnceCell<translog::LogSigner>,
    pub signing: tokio::sync::Mutex<()>,
    /// The last stored checkpoint whose note's signature and root this server checked: read again byte for
    /// byte (note, root and size), it needs no second check.
    pub checked: std::sync::Mutex<Option<store::public_log::StoredCheckpoint>>,
    /// Every complete subtree's hash at the levels a memory budget allows: a complete subtree's hash never
    /// changes, so an inclusion proof reads only the levels below from the store (see [`log::fill_subtrees`]).
    pub subtrees: std::sync::RwLock<translog::SubtreeCache>,
    /// Held while the subtree cache is being filled: one fill at a time.
    pub filling: tokio::sync::Mutex<()>,
}

impl LogSigning {
    fn new(config: log_signing::LogConfig) -> Self {
        LogSigning {
            config,
            signer: Default::default(),
            signing: Default::default(),
            checked: Default::default(),
            subtrees: std::sync::RwLock::new(translog::SubtreeCache::new(log::CACHED_HASHES)),
            filling: Default::default(),
        }
    }
}

impl Services {
    /// The use cases over a store, with the log kept as the environment says and the shipped calendar.
    pub fn new(store: Store) -> Self {
        Services {
            log: Arc::new(LogSigning::new(log_signing::LogConfig::from_environment(&store))),
            calendar: Arc::new(RwLock::new(Arc::new(calendar::Calendar::shipped()))),
            catalogue: Default::default(),
            settings: Settings::default(),
            store,
        }
    }

    /// The same with other limits.
    pub fn with_settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// The same with the log's key and state kept as `config` says.
    pub fn with_log(mut self, config: log_signing::LogConfig) -> Self {
        self.log = Arc::new(LogSigning::new(config));
        self
    }

    /// The working-day calendar in force now.
    pub fn calendar(&self) -> Arc<calendar::Calendar> {
        self.calendar.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Puts a calendar in force (after a year's notice was loaded).
    pub fn set_calendar(&self, calendar: calendar::Calendar) {
        *self.calendar.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(calendar);
    }

    /// Reads the calendar from the database (storing the shipped notices first) and puts it in force.
    pub async fn reload_calendar(&self) -> Result<(), ApiError> {
        let calendar = deadlines::stored_calendar(&self.store).await?;
        self.set_calendar(calendar);
        Ok(())
    }
}

/// Today in China Standard Time.
pub fn today() -> NaiveDate {
    (Utc::now() + Duration::hours(8)).date_naive()
}

/// Reads and checks every workflow's rules that ship as data, so that a bad table stops the server at start-up
/// rather than failing a request later.
pub fn check_rules() -> Result<(), String> {
    ::complaints::deadlines::check_shipped().map_err(|e| format!("complaint deadlines: {e}"))?;
    sampling::check_shipped().map_err(|e| format!("sampling deadlines: {e}"))?;
    ::warnings::rag::check_shipped().map_err(|e| format!("risk matrix: {e}"))?;
    ::credit::listing::check_shipped().map_err(|e| format!("credit lists: {e}"))?;
    ::recalls::check_shipped().map_err(|e| format!("recall deadlines: {e}"))
}
