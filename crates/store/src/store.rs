//! The store: a pool on one of two backends, opening and migrating it, and the reference data. Each
//! capability's queries are in its own module (`master`, `accounts`, `audit`, `inspections`, …).

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::QueryBuilder;

pub(crate) use crate::direct::DirectSqlite;
use crate::StoreError;

pub(crate) use crate::accounts::token_hash;
pub(crate) use crate::audit::{audit_record, import_record, write_audit};

/// The embedded default: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://zhiliang.db";

/// Rows per multi-row INSERT statement: 11 parameters a row stays under SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters.
pub(crate) const ROWS_PER_STATEMENT: usize = 2_000;

/// A connection pool on one backend; only the store sees it.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    /// Embedded SQLite, one file in WAL mode.
    Sqlite(SqlitePool),
    /// PostgreSQL 15.
    Postgres(PgPool),
}

/// Runs the same generic code on whichever pool the store has; each arm is compiled for its backend.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store.backend() {
            $crate::store::Backend::Sqlite($pool) => $body,
            $crate::store::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Storage handle; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) backend: Backend,
    /// Direct access to a SQLite file for point reads and bulk batches (not for in-memory databases).
    pub(crate) direct: Option<std::sync::Arc<DirectSqlite>>,
    /// Concurrent complaint filings waiting to be committed together.
    pub(crate) filings: std::sync::Arc<crate::complaints::GroupCommit>,
}

/// The current time as RFC 3339 UTC with milliseconds, the form every timestamp column holds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Store {
    /// Opens (creating a SQLite file if needed) and migrates the database at `url`, then loads reference data.
    pub async fn open(url: &str) -> Result<Store, StoreError> {
        let mut direct = None;
        let backend = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a write acknowledged to a client survives power loss, not only a crash.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                // A page cache large enough that a 10,000-row import batch never spills mid-transaction, and
                // statement journals in memory rather than temporary files.
                .pragma("cache_size", "-65536")
                .pragma("temp_store", "memory")
                .busy_timeout(Duration::from_secs(10));
            let path = options.get_filename().to_owned();
            let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
            if path.to_str().is_some_and(|p| !p.is_empty() && !p.contains(":memory:")) {
                direct = Some(std::sync::Arc::new(DirectSqlite::new(path)));
            }
            Backend::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new().max_connections(16).connect(url).await?;
            Backend::Postgres(pool)
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let store = Store { backend, direct, filings: Default::default() };
        crate::migrate::run(&store).await?;
        store.load_reference_data().await?;
        store.settle_wal().await?;
        Ok(store)
    }

    /// On SQLite, copies every page the write-ahead log holds into the file and empties the log. Opened, before
    /// anyone reads: a large write (a table rebuilt by a migration, a bulk load) otherwise leaves frames that a
    /// checkpoint passing readers could not finish, and each page read then searches the log's index for them.
    pub async fn settle_wal(&self) -> Result<(), StoreError> {
        if let Backend::Sqlite(pool) = &self.backend {
            sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await?;
        }
        Ok(())
    }

    /// The pool.
    pub(crate) fn backend(&self) -> &Backend {
        &self.backend
    }

    /// Direct access to a file-backed SQLite database, for the bulk write paths.
    pub(crate) fn direct(&self) -> Option<std::sync::Arc<DirectSqlite>> {
        self.direct.clone()
    }

    /// The database file of a file-backed SQLite store.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self.direct.as_ref().map(|direct| direct.path().to_owned())
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// Loads GB/T 2260 regions and product categories when absent; a no-op on later starts.
    async fn load_reference_data(&self) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let regions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM regions").fetch_one(pool).await?;
            let mut tx = pool.begin().await?;
            if regions == 0 {
                let mut seen = std::collections::HashSet::new();
                let rows: Vec<_> = codes::region::all().filter(|r| seen.insert(r.code.as_str())).collect();
                for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                    let mut builder = QueryBuilder::new(
                        "INSERT INTO regions (code, name, level, parent_code, province_name, in_use, introduced, retired) ",
                    );
                    builder.push_values(chunk, |mut b, region| {
                        let code = codes::RegionCode::parse(&region.code).expect("table code");
                        let region = code.region();
                        b.push_bind(region.code.clone())
                            .push_bind(region.name.clone())
                            .push_bind(region.level.as_str())
                            .push_bind(code.parent().map(|p| p.to_string()))
                            .push_bind(region.province_name.clone())
                            .push_bind(region.in_use)
                            .push_bind(region.introduced.map(i32::from))
                            .push_bind(region.retired.map(i32::from));
                    });
                    // Servers starting together may both find the table empty.
                    builder.push(" ON CONFLICT (code) DO NOTHING");
                    builder.build().execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        self.seed_standard_editions().await?;
        self.seed_product_catalogue().await
    }

    /// Adds the shipped standard editions the catalogue does not hold, as a `shipped` import; an edition an
    /// administrator loaded is never overwritten, and shipped editions that no longer fit what was loaded are
    /// left out with a warning rather than stopping the start.
    async fn seed_standard_editions(&self) -> Result<(), StoreError> {
        let shipped = standards::shipped().map_err(StoreError::Integrity)?;
        let stored = self.standard_editions_all().await?;
        let missing: Vec<_> = shipped.into_iter().filter(|e| !stored.iter().any(|s| s.number == e.number)).collect();
        if missing.is_empty() {
            return Ok(());
        }
        match standards::Catalogue::merged(stored, missing.clone()) {
            Ok((_, changes)) => {
                let editions: Vec<_> = missing.into_iter().zip(changes).collect();
                let import = crate::standards::NewImport {
                    source: "shipped",
                    note: "the standards crate's data/editions.csv",
                    loaded_by: None,
                };
                self.load_standard_editions(&import, &editions).await?;
            }
            Err(misfits) => {
                tracing::warn!(?misfits, "shipped standard editions left out: they do not fit the loaded catalogue")
            }
        }
        Ok(())
    }

    /// The number of rows in every table of the schema, by table (full-text shadow tables left out): what an
    /// integrity check or a test compares before and after a refused write.
    pub async fn row_counts(&self) -> Result<std::collections::BTreeMap<String, i64>, StoreError> {
        let list = match self.backend {
            Backend::Sqlite(_) => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' ORDER BY name"
            }
            Backend::Postgres(_) => "SELECT tablename::TEXT FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
        };
        on_pool!(self, pool => {
            let tables: Vec<String> = sqlx::query_scalar(list).fetch_all(pool).await?;
            let mut counts = std::collections::BTreeMap::new();
            for table in tables {
                // Names come from the catalogue, not from a caller.
                let count: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\"")).fetch_one(pool).await?;
                counts.insert(table, count);
            }
            Ok(counts)
        })
    }
}
