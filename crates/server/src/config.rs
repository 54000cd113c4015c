//! The server's configuration, in layers, into one typed [`Config`]: the defaults below; a TOML file
//! (`--config FILE`, else `zhiliang.toml` in the working directory when there is one); environment variables
//! `ZHILIANG_SECTION__KEY` (e.g. `ZHILIANG_LIMITS__READS_PER_MINUTE=1200`); the single variables earlier
//! releases documented (`ZHILIANG_TRUSTED_PROXIES`, `ZHILIANG_LOG_KEY_FILE`, …); then the command line's flags.
//! Secrets (the log's seed) print as `[redacted]` in every `Debug`.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use axum::http::HeaderName;
use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};

use crate::log_signing::{LogConfig, DEFAULT_ORIGIN, KEY_FILE_VARIABLE, ORIGIN_VARIABLE, SEED_VARIABLE};
use crate::web::{CaptureQuota, Limits, PageSizes, WebConfig};

/// The file read when no `--config` is given, if it exists.
pub const DEFAULT_FILE: &str = "zhiliang.toml";

/// A secret value: used, never shown.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// The value, for the one place that uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A database URL safe to log: any password is replaced.
pub fn redacted_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Everything `zhiliang serve` reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerSection,
    pub network: NetworkSection,
    pub limits: LimitSection,
    pub capture: CaptureSection,
    pub session: SessionSection,
    pub log: LogSection,
}

/// `[session]`: the pages' sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionSection {
    /// How long a session lasts, in hours. Default 8.
    pub hours: i64,
}

impl Default for SessionSection {
    fn default() -> Self {
        SessionSection { hours: crate::web::DEFAULT_SESSION_HOURS }
    }
}

/// `[server]`: where it listens and what it stores in.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSection {
    /// Default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// `sqlite://FILE` (default `sqlite://zhiliang.db`) or `postgres://USER@HOST/DB`.
    pub database_url: String,
}

/// A database password never reaches a log, even through a debug print.
impl std::fmt::Debug for ServerSection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerSection")
            .field("listen", &self.listen)
            .field("database_url", &redacted_url(&self.database_url))
            .finish()
    }
}

impl Default for ServerSection {
    fn default() -> Self {
        ServerSection { listen: SocketAddr::from(([127, 0, 0, 1], 8080)), database_url: "sqlite://zhiliang.db".into() }
    }
}

/// `[network]`: how the server sits behind proxies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NetworkSection {
    /// Peers whose client-address header is believed. Default none.
    pub trusted_proxies: Vec<IpAddr>,
    /// The header such a proxy puts the client's address in. Default `x-forwarded-for`.
    pub client_ip_header: String,
    /// Mark every cookie `Secure` (the server is reached over TLS only). Default false.
    pub secure_cookies: bool,
}

impl Default for NetworkSection {
    fn default() -> Self {
        NetworkSection {
            trusted_proxies: Vec::new(),
            client_ip_header: "x-forwarded-for".into(),
            secure_cookies: false,
        }
    }
}

/// `[limits]`: what the public may do per client address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitSection {
    /// Public reads a minute. Default 600.
    pub reads_per_minute: u32,
    /// Complaint tracking with a secret, a minute. Default 20.
    pub tracking_per_minute: u32,
    /// Sign-in attempts a minute. Default 20.
    pub logins_per_minute: u32,
    /// Failed sign-ins one login name may have in a quarter of an hour. Default 5.
    pub failed_logins_per_name: u32,
    /// Failed sign-ins one address may have in a quarter of an hour. Default 20.
    pub failed_logins_per_address: u32,
    /// Public complaint filings a minute. Default 10.
    pub submissions_per_minute: u32,
    /// Items a list answers when no `limit` is asked. Default 20.
    pub page_size: usize,
    /// The largest `limit` a list takes. Default 100.
    pub max_page_size: usize,
    /// Bytes any request body may carry. Default 64 MiB, the largest EPCIS capture.
    pub body_bytes: usize,
    /// Seconds a request may take before it is answered 408. Default 120.
    pub request_timeout_seconds: u64,
    /// Identifiers a trace expands at most; a larger trace is cut and says so. Default 50,000.
    pub trace_identifiers: usize,
    /// Records one department exchange batch may carry. Default 10,000.
    pub exchange_records: usize,
    /// Organizations scored per transaction by a credit recompute. Default 20,000.
    pub scoring_batch: usize,
    /// Events an EPCIS query page holds when `perPage` is not given. Default 100.
    pub epcis_page_size: i64,
    /// The largest `perPage` an EPCIS query takes. Default 1,000.
    pub epcis_max_page_size: i64,
    /// Public-log entries one page of `/api/v1/log/entries` answers at most. Default 1,000.
    pub log_page_size: i64,
}

impl Default for LimitSection {
    fn default() -> Self {
        let limits = Limits::default();
        LimitSection {
            reads_per_minute: limits.reads_per_minute,
            tracking_per_minute: limits.tracking_per_minute,
            logins_per_minute: limits.logins_per_minute,
            failed_logins_per_name: limits.failures_per_name,
            failed_logins_per_address: limits.failures_per_address,
            submissions_per_minute: crate::DEFAULT_SUBMISSIONS_PER_MINUTE,
            page_size: PageSizes::default().default,
            max_page_size: PageSizes::default().max,
            body_bytes: crate::web::MAX_BODY_BYTES,
            request_timeout_seconds: crate::web::REQUEST_TIMEOUT.as_secs(),
            trace_identifiers: service::Settings::default().trace_identifiers,
            exchange_records: service::Settings::default().exchange_records,
            scoring_batch: service::Settings::default().scoring_batch,
            epcis_page_size: service::Settings::default().epcis_page_size,
            epcis_max_page_size: service::Settings::default().epcis_max_page_size,
            log_page_size: service::Settings::default().log_page_size,
        }
    }
}

/// `[capture]`: what one account may capture (EPCIS).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaptureSection {
    /// Events an hour. Default 1,000,000.
    pub events_per_hour: u64,
    /// Bytes an hour. Default 1 GiB.
    pub bytes_per_hour: u64,
    /// Captures parsed at once across the server. Default 2.
    pub concurrent: usize,
    /// Events one capture may carry (`GS1-EPCIS-Capture-Limit`). Default 10,000.
    pub events_per_capture: usize,
}

impl Default for CaptureSection {
    fn default() -> Self {
        let quota = CaptureQuota::default();
        CaptureSection {
            events_per_hour: quota.events_per_hour,
            bytes_per_hour: quota.bytes_per_hour,
            concurrent: quota.concurrent,
            events_per_capture: service::Settings::default().capture_events,
        }
    }
}

/// `[log]`: the public log's name and key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSection {
    /// The C2SP origin, first line of every checkpoint. Default `zhiliang.local/public-log`.
    pub origin: String,
    /// The key file (mode 0600). Default: beside a SQLite database, else `zhiliang-log.key` in the working
    /// directory.
    pub key_file: Option<PathBuf>,
    /// The key's seed in hex, instead of a key file (a secret: keep it out of files others read).
    pub seed: Option<Secret>,
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection { origin: DEFAULT_ORIGIN.into(), key_file: None, seed: None }
    }
}

/// A configuration that does not read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("the configuration file {0} does not exist")]
    Missing(String),
    #[error("configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// The layers up to the environment (flags are the caller's to apply): `file`, or `zhiliang.toml` when it
    /// exists; `ZHILIANG_SECTION__KEY`; the single variables.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(path) if !path.exists() => return Err(ConfigError::Missing(path.display().to_string())),
            Some(path) => figment = figment.merge(Toml::file(path)),
            None if Path::new(DEFAULT_FILE).exists() => figment = figment.merge(Toml::file(DEFAULT_FILE)),
            None => {}
        }
        // Only names with a section separator: ZHILIANG_DATABASE_URL and the like are the flags' own.
        figment = figment.merge(Env::prefixed("ZHILIANG_").filter(|key| key.as_str().contains("__")).split("__"));
        let mut config: Config = figment.extract().map_err(|e| ConfigError::Invalid(e.to_string()))?;
        config.apply_single_variables(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// The variables earlier releases documented, each one key.
    fn apply_single_variables(&mut self, variable: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let number = |name: &str, text: String| {
            text.trim().parse::<u64>().map_err(|_| ConfigError::Invalid(format!("{name}: '{text}' is not a number")))
        };
        if let Some(list) = variable("ZHILIANG_TRUSTED_PROXIES") {
            self.network.trusted_proxies = list
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(|item| {
                    item.parse().map_err(|_| {
                        ConfigError::Invalid(format!("ZHILIANG_TRUSTED_PROXIES: '{item}' is not an address"))
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(name) = variable("ZHILIANG_CLIENT_IP_HEADER") {
            self.network.client_ip_header = name;
        }
        if let Some(flag) = variable("ZHILIANG_SECURE_COOKIES") {
            self.network.secure_cookies = flag == "1" || flag == "true";
        }
        if let Some(text) = variable("ZHILIANG_CAPTURE_EVENTS_PER_HOUR") {
            self.capture.events_per_hour = number("ZHILIANG_CAPTURE_EVENTS_PER_HOUR", text)?;
        }
        if let Some(text) = variable("ZHILIANG_CAPTURE_BYTES_PER_HOUR") {
            self.capture.bytes_per_hour = number("ZHILIANG_CAPTURE_BYTES_PER_HOUR", text)?;
        }
        if let Some(text) = variable("ZHILIANG_PUBLIC_READS_PER_MINUTE") {
            let reads = number("ZHILIANG_PUBLIC_READS_PER_MINUTE", text)?;
            self.limits.reads_per_minute = u32::try_from(reads)
                .map_err(|_| ConfigError::Invalid(format!("ZHILIANG_PUBLIC_READS_PER_MINUTE: {reads} is too large")))?;
        }
        if let Some(path) = variable(KEY_FILE_VARIABLE) {
            self.log.key_file = Some(PathBuf::from(path));
        }
        if let Some(origin) = variable(ORIGIN_VARIABLE) {
            self.log.origin = origin;
        }
        if let Some(seed) = variable(SEED_VARIABLE) {
            self.log.seed = Some(Secret(seed));
        }
        Ok(())
    }

    /// The network settings for `AppState::with_web`.
    pub fn web(&self) -> Result<WebConfig, ConfigError> {
        let limits = &self.limits;
        if limits.page_size == 0 || limits.page_size > limits.max_page_size {
            return Err(ConfigError::Invalid(format!(
                "limits.page_size {} must be at least 1 and at most limits.max_page_size {}",
                limits.page_size, limits.max_page_size
            )));
        }
        if limits.body_bytes < 1024 || limits.request_timeout_seconds == 0 {
            return Err(ConfigError::Invalid(
                "limits.body_bytes must be at least 1024 and limits.request_timeout_seconds at least 1".into(),
            ));
        }
        if self.session.hours < 1 {
            return Err(ConfigError::Invalid("session.hours must be at least 1".into()));
        }
        let header = &self.network.client_ip_header;
        let client_header = HeaderName::try_from(header.as_str())
            .map_err(|_| ConfigError::Invalid(format!("network.client_ip_header: '{header}' is not a header name")))?;
        Ok(WebConfig {
            trusted_proxies: self.network.trusted_proxies.clone(),
            client_header,
            always_secure: self.network.secure_cookies,
            limits: Limits {
                reads_per_minute: self.limits.reads_per_minute,
                tracking_per_minute: self.limits.tracking_per_minute,
                logins_per_minute: self.limits.logins_per_minute,
                failures_per_name: self.limits.failed_logins_per_name,
                failures_per_address: self.limits.failed_logins_per_address,
            },
            capture: CaptureQuota {
                events_per_hour: self.capture.events_per_hour,
                bytes_per_hour: self.capture.bytes_per_hour,
                concurrent: self.capture.concurrent,
            },
            pages: PageSizes { default: limits.page_size, max: limits.max_page_size },
            session_hours: self.session.hours,
            body_bytes: limits.body_bytes,
            request_timeout: std::time::Duration::from_secs(limits.request_timeout_seconds),
        })
    }

    /// The use cases' settings for `Services::with_settings`.
    pub fn settings(&self) -> Result<service::Settings, ConfigError> {
        let limits = &self.limits;
        if limits.trace_identifiers == 0
            || limits.exchange_records == 0
            || limits.scoring_batch == 0
            || self.capture.events_per_capture == 0
            || limits.log_page_size < 1
        {
            return Err(ConfigError::Invalid(
                "limits.trace_identifiers, limits.exchange_records, limits.scoring_batch, limits.log_page_size and \
                 capture.events_per_capture must be at least 1"
                    .into(),
            ));
        }
        if limits.epcis_page_size < 1 || limits.epcis_max_page_size < limits.epcis_page_size {
            return Err(ConfigError::Invalid(
                "limits.epcis_page_size must be at least 1 and at most limits.epcis_max_page_size".into(),
            ));
        }
        Ok(service::Settings {
            trace_identifiers: limits.trace_identifiers,
            exchange_records: limits.exchange_records,
            scoring_batch: limits.scoring_batch,
            capture_events: self.capture.events_per_capture,
            epcis_page_size: limits.epcis_page_size,
            epcis_max_page_size: limits.epcis_max_page_size,
            log_page_size: limits.log_page_size,
        })
    }

    /// The public log's settings for `AppState::with_log`; the key file defaults beside a SQLite database.
    pub fn log(&self, store: &store::Store) -> LogConfig {
        let mut log = LogConfig::defaults_for(store);
        if let Some(path) = &self.log.key_file {
            log = log.with_key_file(path.clone());
        }
        log.origin.clone_from(&self.log.origin);
        log.seed = self.log.seed.as_ref().map(|seed| seed.expose().to_owned());
        log
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The closure's error type is figment's own.
    #[allow(clippy::result_large_err)]
    #[test]
    fn layers_apply_in_order_and_unknown_keys_are_refused() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "zhiliang.toml",
                "[limits]\nreads_per_minute = 900\ntracking_per_minute = 30\n[network]\ntrusted_proxies = [\"10.0.0.1\"]\n",
            )?;
            jail.set_env("ZHILIANG_LIMITS__READS_PER_MINUTE", "1200");
            jail.set_env("ZHILIANG_DATABASE_URL", "sqlite://flag-level.db");
            let config = Config::load(None).map_err(|e| e.to_string())?;
            assert_eq!(config.limits.reads_per_minute, 1200, "the environment overrides the file");
            assert_eq!(config.limits.tracking_per_minute, 30, "the file overrides the default");
            assert_eq!(config.limits.logins_per_minute, 20, "the default stands");
            assert_eq!(config.network.trusted_proxies, vec!["10.0.0.1".parse::<IpAddr>().unwrap()]);
            assert_eq!(
                config.server.database_url, "sqlite://zhiliang.db",
                "a single variable without a section is a flag's"
            );
            jail.set_env("ZHILIANG_PUBLIC_READS_PER_MINUTE", "50");
            assert_eq!(Config::load(None).map_err(|e| e.to_string())?.limits.reads_per_minute, 50);
            jail.create_file("typo.toml", "[limits]\nreads_per_minit = 5\n")?;
            let refused = Config::load(Some(Path::new("typo.toml"))).unwrap_err().to_string();
            assert!(refused.contains("reads_per_minit"), "{refused}");
            assert!(matches!(Config::load(Some(Path::new("absent.toml"))), Err(ConfigError::Missing(_))));
            Ok(())
        });
    }

    // The closure's error type is figment's own.
    #[allow(clippy::result_large_err)]
    #[test]
    fn body_timeout_trace_exchange_and_scoring_limits_come_from_the_file_and_are_checked() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "zhiliang.toml",
                "[limits]\nbody_bytes = 4096\nrequest_timeout_seconds = 5\ntrace_identifiers = 100\n\
                 exchange_records = 50\nscoring_batch = 7\nepcis_page_size = 20\nepcis_max_page_size = 200\n\
                 log_page_size = 10\n[capture]\nevents_per_capture = 3\n",
            )?;
            let config = Config::load(None).map_err(|e| e.to_string())?;
            let web = config.web().map_err(|e| e.to_string())?;
            assert_eq!((web.body_bytes, web.request_timeout.as_secs()), (4096, 5));
            let settings = config.settings().map_err(|e| e.to_string())?;
            assert_eq!((settings.trace_identifiers, settings.exchange_records, settings.scoring_batch), (100, 50, 7));
            assert_eq!((settings.epcis_page_size, settings.epcis_max_page_size, settings.log_page_size), (20, 200, 10));
            assert_eq!(settings.capture_events, 3);
            jail.create_file("pages.toml", "[limits]\nepcis_page_size = 2000\n")?;
            let pages = Config::load(Some(Path::new("pages.toml"))).map_err(|e| e.to_string())?;
            assert!(pages.settings().is_err(), "a default page larger than the largest page is refused");
            jail.create_file("zero.toml", "[limits]\nscoring_batch = 0\n")?;
            let zero = Config::load(Some(Path::new("zero.toml"))).map_err(|e| e.to_string())?;
            assert!(zero.settings().is_err());
            jail.create_file("tiny.toml", "[limits]\nbody_bytes = 10\n")?;
            let tiny = Config::load(Some(Path::new("tiny.toml"))).map_err(|e| e.to_string())?;
            assert!(tiny.web().is_err());
            assert_eq!(Config::default().settings().map_err(|e| e.to_string())?, service::Settings::default());
            Ok(())
        });
    }

    #[test]
    fn the_single_variables_still_work_and_the_seed_never_prints() {
        let mut config = Config::default();
        let variables = [
            ("ZHILIANG_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2"),
            ("ZHILIANG_SECURE_COOKIES", "1"),
            ("ZHILIANG_LOG_SEED", "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"),
            ("ZHILIANG_CAPTURE_EVENTS_PER_HOUR", "5000"),
        ];
        let lookup = |name: &str| variables.iter().find(|(n, _)| *n == name).map(|(_, v)| (*v).to_owned());
        config.apply_single_variables(lookup).unwrap();
        assert_eq!(config.network.trusted_proxies.len(), 2);
        assert!(config.network.secure_cookies);
        assert_eq!(config.capture.events_per_hour, 5000);
        config.server.database_url = "postgres://zl:s3cret@db/zhiliang".into();
        let printed = format!("{config:?}");
        assert!(!printed.contains("s3cret"), "{printed}");
        assert!(printed.contains("[redacted]") && !printed.contains("a1b2c3d4"), "{printed}");
        let bad = |name: &str| (name == "ZHILIANG_TRUSTED_PROXIES").then(|| "not-an-address".to_owned());
        assert!(Config::default().apply_single_variables(bad).is_err());
        let web = config.web().unwrap();
        assert!(web.always_secure);
        assert_eq!((web.pages, web.session_hours), (PageSizes::default(), 8));
        config.limits.page_size = 500;
        assert!(config.web().is_err(), "a default page larger than the largest");
        config.limits.page_size = 20;
        config.session.hours = 0;
        assert!(config.web().is_err());
        assert_eq!(web.capture.events_per_hour, 5000);
    }
}
