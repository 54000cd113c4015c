//! The store: a pool on one of two backends, and every query zhiliang runs.

use std::str::FromStr;
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, QueryBuilder, Row};

use crate::direct::BulkSql;
pub(crate) use crate::direct::DirectSqlite;
use crate::model::*;
use crate::reference::CATEGORIES;
use crate::search;
use crate::StoreError;

/// The embedded default: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://zhiliang.db";

/// Rows per multi-row INSERT statement: 11 parameters a row stays under SQLite's 32,766 and PostgreSQL's
/// 65,535 bound parameters.
const ROWS_PER_STATEMENT: usize = 2_000;

/// A connection pool on one backend.
#[derive(Debug, Clone)]
pub enum Backend {
    /// Embedded SQLite, one file in WAL mode.
    Sqlite(SqlitePool),
    /// PostgreSQL 15.
    Postgres(PgPool),
}

/// Runs the same generic code on whichever pool the store has; each arm is compiled for its backend.
#[macro_export]
#[doc(hidden)]
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store.backend() {
            $crate::Backend::Sqlite($pool) => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}

/// Storage handle; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    backend: Backend,
    /// Direct access to a SQLite file for point reads and bulk batches (not for in-memory databases).
    direct: Option<std::sync::Arc<DirectSqlite>>,
    /// Concurrent complaint filings waiting to be committed together.
    pub(crate) filings: std::sync::Arc<crate::complaints::GroupCommit>,
}

/// The current time as RFC 3339 UTC with milliseconds, the form every timestamp column holds.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The smallest string greater than every string starting with `prefix` (digits only), for index range scans.
fn prefix_upper_bound(prefix: &str) -> Option<String> {
    let mut bytes = prefix.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        if last < b'9' {
            bytes.push(last + 1);
            return Some(String::from_utf8(bytes).expect("ASCII digits"));
        }
    }
    None
}

/// An FTS5 query that requires every token, each quoted as a phrase.
fn fts5_match(tokens: &[String]) -> String {
    tokens.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect::<Vec<_>>().join(" ")
}

/// Adds "holds every token" to a SQLite query over `table`, through its FTS5 index `{table}_fts`.
pub(crate) fn push_fts5_match(builder: &mut QueryBuilder<'_, sqlx::Sqlite>, table: &str, tokens: &[String]) {
    builder
        .push(format!(" AND rowid IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH "))
        .push_bind(fts5_match(tokens))
        .push(")");
}

/// Adds "holds every token" to a PostgreSQL query, through the GIN index over `search_tokens`.
pub(crate) fn push_token_match(builder: &mut QueryBuilder<'_, sqlx::Postgres>, tokens: &[String]) {
    builder.push(" AND string_to_array(search_tokens, ' ') @> ").push_bind(tokens.to_vec());
}

/// An account with its password hash, for signing in.
#[derive(FromRow)]
struct PasswordRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: Option<String>,
}

#[derive(FromRow)]
struct UserRow {
    id: i64,
    name: String,
    role: String,
    region_code: Option<String>,
    uscc: Option<String>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: row.id,
            name: row.name,
            role: Role::from_name(&row.role).unwrap_or(Role::Lab),
            region_code: row.region_code,
            uscc: row.uscc,
        }
    }
}

const ORGANIZATION_COLUMNS: &str =
    "uscc, name, region_code, address, legal_representative, entity_type, status, registered_on, created_at, updated_at";
const PRODUCT_COLUMNS: &str = "gtin, name, uscc, category_code, brand, specification, created_at, updated_at";

const UPSERT_ORGANIZATION: &str = "INSERT INTO organizations (uscc, name, region_code, address, legal_representative, \
     entity_type, status, registered_on, search_tokens, created_at, updated_at) ";
const ON_CONFLICT_ORGANIZATION: &str = " ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, \
     region_code = excluded.region_code, address = excluded.address, \
     legal_representative = excluded.legal_representative, entity_type = excluded.entity_type, \
     status = excluded.status, registered_on = excluded.registered_on, search_tokens = excluded.search_tokens, \
     updated_at = excluded.updated_at";
const UPSERT_PRODUCT: &str = "INSERT INTO products (gtin, name, uscc, category_code, brand, specification, \
     search_tokens, created_at, updated_at) ";
const ON_CONFLICT_PRODUCT: &str = " ON CONFLICT (gtin) DO UPDATE SET name = excluded.name, uscc = excluded.uscc, \
     category_code = excluded.category_code, brand = excluded.brand, specification = excluded.specification, \
     search_tokens = excluded.search_tokens, updated_at = excluded.updated_at";

/// Appends `VALUES (…), (…)` for organizations to a query, binding borrowed text (no copies).
macro_rules! push_organizations {
    ($builder:expr, $rows:expr, $at:expr) => {
        $builder.push_values($rows, |mut b, indexed: &Indexed<NewOrganization>| {
            let org = &indexed.record;
            b.push_bind(org.uscc.as_str())
                .push_bind(org.name.as_str())
                .push_bind(org.region_code.as_str())
                .push_bind(org.address.as_deref())
                .push_bind(org.legal_representative.as_deref())
                .push_bind(org.entity_type.as_deref())
                .push_bind(org.status.as_str())
                .push_bind(org.registered_on.as_deref())
                .push_bind(indexed.search_tokens.as_str())
                .push_bind($at.as_str())
                .push_bind($at.as_str());
        })
    };
}

macro_rules! push_products {
    ($builder:expr, $rows:expr, $at:expr) => {
        $builder.push_values($rows, |mut b, indexed: &Indexed<NewProduct>| {
            let product = &indexed.record;
            b.push_bind(product.gtin.as_str())
                .push_bind(product.name.as_str())
                .push_bind(product.uscc.as_str())
                .push_bind(product.category_code.as_deref())
                .push_bind(product.brand.as_deref())
                .push_bind(product.specification.as_deref())
                .push_bind(indexed.search_tokens.as_str())
                .push_bind($at.as_str())
                .push_bind($at.as_str());
        })
    };
}

/// Appends one row to the audit log inside the caller's transaction. A macro rather than a generic function:
/// generic executors make the calling futures lose `Send`.
macro_rules! write_audit {
    ($conn:expr, $at:expr, $user_id:expr, $kind:expr, $key:expr, $record:expr) => {{
        let (action, before, after) = $record;
        sqlx::query(
            "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind($at.to_owned())
        .bind($user_id)
        .bind(action)
        .bind($kind)
        .bind($key)
        .bind(before)
        .bind(after)
        .execute($conn)
        .await?;
    }};
}
pub(crate) use write_audit;

/// Indexes rows inserted after `$before` (their rowids are larger, as the writer holds the database) in the
/// SQLite full-text table; PostgreSQL's GIN index follows the table by itself.
macro_rules! index_new_rows {
    ($store:expr, $conn:expr, $table:literal, $before:expr) => {
        if matches!($store.backend, Backend::Sqlite(_)) {
            sqlx::query(concat!(
                "INSERT INTO ",
                $table,
                "_fts(rowid, search_tokens) SELECT rowid, search_tokens FROM ",
                $table,
                " WHERE rowid > $1"
            ))
            .bind($before)
            .execute($conn)
            .await?;
        }
    };
}

/// The largest rowid of a SQLite table, the mark for `index_new_rows!`; 0 on PostgreSQL, which has none.
macro_rules! rowid_mark {
    ($store:expr, $conn:expr, $table:literal) => {
        if matches!($store.backend, Backend::Sqlite(_)) {
            sqlx::query_scalar::<_, i64>(concat!("SELECT COALESCE(MAX(rowid), 0) FROM ", $table))
                .fetch_one($conn)
                .await?
        } else {
            0
        }
    };
}

/// Upserts rows in multi-row statements inside the caller's transaction and indexes the new ones.
macro_rules! upsert_rows {
    ($store:expr, $tx:expr, $table:literal, $insert:expr, $on_conflict:expr, $push:ident, $rows:expr, $at:expr) => {{
        let mark = rowid_mark!($store, &mut *$tx, $table);
        for chunk in $rows.chunks(ROWS_PER_STATEMENT) {
            let mut builder = QueryBuilder::new($insert);
            $push!(builder, chunk, $at);
            builder.push($on_conflict);
            builder.build().execute(&mut *$tx).await?;
        }
        index_new_rows!($store, &mut *$tx, $table, mark);
    }};
}

/// Keys per `IN (…)` list, under both backends' parameter limits.
const KEYS_PER_QUERY: usize = 10_000;

/// Which of `keys` already exist in `table.column`, asked in lists of `KEYS_PER_QUERY`.
macro_rules! existing_keys {
    ($conn:expr, $table:literal, $column:literal, $keys:expr) => {{
        let mut found = std::collections::HashSet::new();
        for chunk in $keys.chunks(KEYS_PER_QUERY) {
            let mut builder =
                QueryBuilder::new(concat!("SELECT ", $column, " FROM ", $table, " WHERE ", $column, " IN ("));
            let mut separated = builder.separated(", ");
            for key in chunk {
                separated.push_bind(key.clone());
            }
            separated.push_unseparated(")");
            for row in builder.build().fetch_all($conn).await? {
                found.insert(row.try_get::<String, _>(0)?);
            }
        }
        found
    }};
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
        Ok(store)
    }

    /// The pool.
    pub fn backend(&self) -> &Backend {
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
            for (code, name_zh, name_en, parent) in CATEGORIES {
                sqlx::query(
                    "INSERT INTO product_categories (code, name_zh, name_en, parent_code) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (code) DO NOTHING",
                )
                .bind(code)
                .bind(name_zh)
                .bind(name_en)
                .bind(parent)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Number of organizations.
    pub async fn count_organizations(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(pool).await?))
    }

    /// Number of products.
    pub async fn count_products(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM products").fetch_one(pool).await?))
    }

    /// One organization by USCC.
    pub async fn organization(&self, uscc: &str) -> Result<Option<Organization>, StoreError> {
        let sql = format!("SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE uscc = $1");
        if let Some(reader) = &self.direct {
            return reader.organization(&sql, uscc);
        }
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(uscc).fetch_optional(pool).await?))
    }

    /// One product by GTIN-14.
    pub async fn product(&self, gtin: &str) -> Result<Option<Product>, StoreError> {
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE gtin = $1");
        if let Some(reader) = &self.direct {
            return reader.product(&sql, gtin);
        }
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(gtin).fetch_optional(pool).await?))
    }

    /// Products of one producer, in GTIN order.
    pub async fn products_of(&self, uscc: &str, limit: i64) -> Result<Vec<Product>, StoreError> {
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE uscc = $1 ORDER BY gtin LIMIT $2");
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(uscc).bind(limit).fetch_all(pool).await?))
    }

    /// Every product category.
    pub async fn categories(&self) -> Result<Vec<ProductCategory>, StoreError> {
        let sql = "SELECT code, name_zh, name_en, parent_code FROM product_categories ORDER BY code";
        on_pool!(self, pool => Ok(sqlx::query_as(sql).fetch_all(pool).await?))
    }

    /// Searches organizations by name words (Chinese segmentation) within a region prefix, in USCC order,
    /// from after `cursor`.
    pub async fn search_organizations(
        &self,
        query: &str,
        region_prefix: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Organization>, StoreError> {
        let items =
            self.search("organizations", "uscc", ORGANIZATION_COLUMNS, query, region_prefix, cursor, limit).await?;
        Ok(page(items, limit, |o: &Organization| o.uscc.clone()))
    }

    /// Searches products by name and brand words, in GTIN order, from after `cursor`.
    pub async fn search_products(
        &self,
        query: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Product>, StoreError> {
        let items = self.search("products", "gtin", PRODUCT_COLUMNS, query, None, cursor, limit).await?;
        Ok(page(items, limit, |p: &Product| p.gtin.clone()))
    }

    #[allow(clippy::too_many_arguments)]
    async fn search<T>(
        &self,
        table: &str,
        key: &str,
        columns: &str,
        query: &str,
        region_prefix: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Vec<T>, StoreError>
    where
        T: for<'r> FromRow<'r, sqlx::sqlite::SqliteRow> + for<'r> FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    {
        let tokens = search::query_tokens(query);
        if !query.trim().is_empty() && tokens.is_empty() {
            return Ok(Vec::new());
        }
        macro_rules! build {
            ($builder:ident, $text_filter:expr) => {{
                let mut $builder = QueryBuilder::new(format!("SELECT {columns} FROM {table} WHERE 1 = 1"));
                if !tokens.is_empty() {
                    $text_filter;
                }
                if let Some(prefix) = region_prefix {
                    $builder.push(" AND region_code >= ").push_bind(prefix.to_owned());
                    if let Some(upper) = prefix_upper_bound(prefix) {
                        $builder.push(" AND region_code < ").push_bind(upper);
                    }
                }
                if let Some(cursor) = cursor {
                    $builder.push(format!(" AND {key} > ")).push_bind(cursor.to_owned());
                }
                $builder.push(format!(" ORDER BY {key} LIMIT ")).push_bind(limit as i64 + 1);
                $builder
            }};
        }
        Ok(match &self.backend {
            Backend::Sqlite(pool) => {
                let mut builder = build!(builder, push_fts5_match(&mut builder, table, &tokens));
                builder.build_query_as().fetch_all(pool).await?
            }
            Backend::Postgres(pool) => {
                let mut builder = build!(builder, push_token_match(&mut builder, &tokens));
                builder.build_query_as().fetch_all(pool).await?
            }
        })
    }

    /// Inserts or updates one organization and records the write in the audit log, atomically.
    pub async fn upsert_organization(
        &self,
        org: &NewOrganization,
        user_id: Option<i64>,
    ) -> Result<WriteOutcome, StoreError> {
        let select = format!("SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE uscc = $1");
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let before: Option<Organization> = sqlx::query_as(&select).bind(&org.uscc).fetch_optional(&mut *tx).await?;
            let rows = [Indexed::from(org.clone())];
            upsert_rows!(self, tx, "organizations", UPSERT_ORGANIZATION, ON_CONFLICT_ORGANIZATION, push_organizations, rows, at);
            let after: Option<Organization> = sqlx::query_as(&select).bind(&org.uscc).fetch_optional(&mut *tx).await?;
            let outcome = if before.is_some() { WriteOutcome::Updated } else { WriteOutcome::Inserted };
            write_audit!(&mut *tx, at, user_id, "organization", org.uscc.clone(), audit_record(outcome, &before, &after)?);
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Inserts or updates one product (its producer must exist) and audits the write, atomically.
    pub async fn upsert_product(&self, product: &NewProduct, user_id: Option<i64>) -> Result<WriteOutcome, StoreError> {
        let select = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE gtin = $1");
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let producer: Option<String> = sqlx::query_scalar("SELECT uscc FROM organizations WHERE uscc = $1")
                .bind(&product.uscc)
                .fetch_optional(&mut *tx)
                .await?;
            if producer.is_none() {
                return Err(StoreError::MissingReference { kind: "organization", key: product.uscc.clone() });
            }
            let before: Option<Product> = sqlx::query_as(&select).bind(&product.gtin).fetch_optional(&mut *tx).await?;
            let rows = [Indexed::from(product.clone())];
            upsert_rows!(self, tx, "products", UPSERT_PRODUCT, ON_CONFLICT_PRODUCT, push_products, rows, at);
            let after: Option<Product> = sqlx::query_as(&select).bind(&product.gtin).fetch_optional(&mut *tx).await?;
            let outcome = if before.is_some() { WriteOutcome::Updated } else { WriteOutcome::Inserted };
            write_audit!(&mut *tx, at, user_id, "product", product.gtin.clone(), audit_record(outcome, &before, &after)?);
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Imports one batch of organizations in one transaction: all of it commits or none of it does. The batch
    /// must not repeat a USCC. One audit entry records the batch.
    pub async fn import_organizations(
        &self,
        batch: Vec<Indexed<NewOrganization>>,
        user_id: Option<i64>,
    ) -> Result<BatchOutcome, StoreError> {
        let at = now();
        if let Some(direct) = self.direct.clone() {
            let sql =
                bulk_sql("organizations", "organization", "uscc", UPSERT_ORGANIZATION, ON_CONFLICT_ORGANIZATION, 11);
            let write = move || {
                direct.write_batch(
                    &sql,
                    &batch,
                    |o: &NewOrganization| o.uscc.as_str(),
                    organization_params,
                    (&at, user_id),
                )
            };
            return tokio::task::spawn_blocking(write).await.expect("bulk writer panicked");
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let keys: Vec<&String> = batch.iter().map(|o| &o.record.uscc).collect();
            let existing = existing_keys!(&mut *tx, "organizations", "uscc", &keys);
            upsert_rows!(self, tx, "organizations", UPSERT_ORGANIZATION, ON_CONFLICT_ORGANIZATION, push_organizations, batch, at);
            let outcome = BatchOutcome { inserted: (batch.len() - existing.len()) as u64, updated: existing.len() as u64 };
            write_audit!(&mut *tx, at, user_id, "organization", format!("batch of {}", batch.len()), import_record(batch.len(), outcome));
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Imports one batch of products in one transaction; every producer must exist (else nothing is written
    /// and the missing USCC is named).
    pub async fn import_products(
        &self,
        batch: Vec<Indexed<NewProduct>>,
        user_id: Option<i64>,
    ) -> Result<BatchOutcome, StoreError> {
        let at = now();
        let producers: Vec<String> = batch.iter().map(|p| p.record.uscc.clone()).collect();
        let known = self.existing_organizations(&producers).await?;
        if let Some(missing) = producers.into_iter().find(|u| !known.contains(u)) {
            return Err(StoreError::MissingReference { kind: "organization", key: missing });
        }
        if let Some(direct) = self.direct.clone() {
            let sql = bulk_sql("products", "product", "gtin", UPSERT_PRODUCT, ON_CONFLICT_PRODUCT, 9);
            let write = move || {
                direct.write_batch(&sql, &batch, |p: &NewProduct| p.gtin.as_str(), product_params, (&at, user_id))
            };
            return tokio::task::spawn_blocking(write).await.expect("bulk writer panicked");
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let keys: Vec<&String> = batch.iter().map(|p| &p.record.gtin).collect();
            let existing = existing_keys!(&mut *tx, "products", "gtin", &keys);
            upsert_rows!(self, tx, "products", UPSERT_PRODUCT, ON_CONFLICT_PRODUCT, push_products, batch, at);
            let outcome = BatchOutcome { inserted: (batch.len() - existing.len()) as u64, updated: existing.len() as u64 };
            write_audit!(&mut *tx, at, user_id, "product", format!("batch of {}", batch.len()), import_record(batch.len(), outcome));
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Which of these USCCs exist (for import pre-checks).
    pub async fn existing_organizations(
        &self,
        usccs: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        if usccs.is_empty() {
            return Ok(Default::default());
        }
        on_pool!(self, pool => Ok(existing_keys!(pool, "organizations", "uscc", usccs)))
    }

    /// Which of these tracking numbers are taken.
    pub async fn existing_tracking_numbers(
        &self,
        numbers: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        if numbers.is_empty() {
            return Ok(Default::default());
        }
        on_pool!(self, pool => Ok(existing_keys!(pool, "complaints", "tracking_number", numbers)))
    }

    /// Recomputes every row's search tokens and rebuilds the full-text index from them.
    pub async fn rebuild_search_index(&self) -> Result<u64, StoreError> {
        let mut count = 0;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let orgs: Vec<(String, String)> = sqlx::query_as("SELECT uscc, name FROM organizations").fetch_all(&mut *tx).await?;
            for (uscc, name) in orgs {
                sqlx::query("UPDATE organizations SET search_tokens = $1 WHERE uscc = $2")
                    .bind(search::organization_tokens(&name))
                    .bind(uscc)
                    .execute(&mut *tx)
                    .await?;
                count += 1;
            }
            let products: Vec<(String, String, Option<String>)> =
                sqlx::query_as("SELECT gtin, name, brand FROM products").fetch_all(&mut *tx).await?;
            for (gtin, name, brand) in products {
                let tokens = search::product_tokens(&name, brand.as_deref());
                sqlx::query("UPDATE products SET search_tokens = $1 WHERE gtin = $2").bind(tokens).bind(gtin).execute(&mut *tx).await?;
                count += 1;
            }
            if matches!(self.backend, Backend::Sqlite(_)) {
                sqlx::query("INSERT INTO organizations_fts(organizations_fts) VALUES ('rebuild')").execute(&mut *tx).await?;
                sqlx::query("INSERT INTO products_fts(products_fts) VALUES ('rebuild')").execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(count)
    }

    /// Creates an account and returns it with its API token, which is stored only as a hash; a password is
    /// stored only as its argon2 hash.
    pub async fn add_user(&self, user: &NewUser) -> Result<(User, String), StoreError> {
        let token = format!("zl_{}", hex::encode(rand::random::<[u8; 32]>()));
        let at = now();
        let password_hash = match &user.password {
            Some(password) => Some(hash_password(password.clone()).await?),
            None => None,
        };
        let id: i64 = on_pool!(self, pool => sqlx::query_scalar(
            "INSERT INTO users (name, role, region_code, uscc, token_hash, login, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&user.name)
        .bind(user.role.as_str())
        .bind(&user.region_code)
        .bind(&user.uscc)
        .bind(token_hash(&token))
        .bind(&user.login)
        .bind(password_hash)
        .bind(at)
        .fetch_one(pool)
        .await?);
        let created = User {
            id,
            name: user.name.clone(),
            role: user.role,
            region_code: user.region_code.clone(),
            uscc: user.uscc.clone(),
        };
        Ok((created, token))
    }

    /// The account an API token belongs to.
    pub async fn user_by_token(&self, token: &str) -> Result<Option<User>, StoreError> {
        let sql = "SELECT id, name, role, region_code, uscc FROM users WHERE token_hash = $1";
        let row: Option<UserRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(token_hash(token)).fetch_optional(pool).await?);
        Ok(row.map(User::from))
    }

    /// The account with this login name and password, if both are right.
    pub async fn user_by_password(&self, login: &str, password: &str) -> Result<Option<User>, StoreError> {
        let sql = "SELECT id, name, role, region_code, uscc, password_hash FROM users WHERE login = $1";
        let row: Option<PasswordRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(login).fetch_optional(pool).await?);
        // An unknown name is checked against a stand-in hash of the same cost, so the answer takes as long
        // as for a known name and the timing does not tell which login names exist.
        let (user, stored) = match row {
            Some(PasswordRow { user, password_hash: Some(stored) }) => (Some(user), Some(stored)),
            _ => (None, None),
        };
        let password = password.to_owned();
        let matches = tokio::task::spawn_blocking(move || {
            use argon2::password_hash::{PasswordHash, PasswordVerifier};
            let stored = stored.unwrap_or_else(|| stand_in_hash().to_owned());
            PasswordHash::new(&stored)
                .is_ok_and(|hash| argon2::Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
        })
        .await
        .expect("password check panicked");
        Ok(user.filter(|_| matches).map(User::from))
    }

    /// Starts a page session for a user, valid for `hours`; returns the key for the cookie.
    pub async fn create_session(&self, user_id: i64, hours: i64) -> Result<String, StoreError> {
        let key = hex::encode(rand::random::<[u8; 32]>());
        let expires =
            (chrono::Utc::now() + chrono::Duration::hours(hours)).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        on_pool!(self, pool => {
            sqlx::query("INSERT INTO sessions (key_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(token_hash(&key))
                .bind(user_id)
                .bind(now())
                .bind(expires)
                .execute(pool)
                .await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(key)
    }

    /// The user of an unexpired session.
    pub async fn session_user(&self, key: &str) -> Result<Option<User>, StoreError> {
        let sql =
            "SELECT u.id, u.name, u.role, u.region_code, u.uscc FROM sessions s JOIN users u ON u.id = s.user_id \
                   WHERE s.key_hash = $1 AND s.expires_at > $2";
        let row: Option<UserRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(token_hash(key)).bind(now()).fetch_optional(pool).await?);
        Ok(row.map(User::from))
    }

    /// Ends a session.
    pub async fn end_session(&self, key: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE key_hash = $1").bind(token_hash(key)).execute(pool).await?;
            Ok(())
        })
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

    /// The account with a login name, if any (for the command line, which acts as a named account).
    pub async fn user_by_login(&self, login: &str) -> Result<Option<User>, StoreError> {
        let sql = "SELECT id, name, role, region_code, uscc, password_hash FROM users WHERE login = $1";
        let row: Option<PasswordRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(login).fetch_optional(pool).await?);
        Ok(row.map(|r| User::from(r.user)))
    }

    /// Records a finished file import: who ran it (the account, and the operating-system user who started the
    /// command), what file and what came of it. The batches' own audit rows carry the same account.
    pub async fn audit_import(
        &self,
        user_id: Option<i64>,
        kind: &str,
        file: &str,
        summary: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let at = now();
        let after = Some(summary.to_string());
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            write_audit!(&mut *tx, &at, user_id, "import", format!("{kind} {file}"), ("import", None::<String>, after));
            tx.commit().await?;
            Ok(())
        })
    }

    /// Audit entries about one record, oldest first.
    pub async fn audit_entries(&self, entity_kind: &str, entity_key: &str) -> Result<Vec<AuditEntry>, StoreError> {
        let sql = "SELECT id, at, user_id, action, entity_kind, entity_key, before_json, after_json FROM audit_log \
                   WHERE entity_kind = $1 AND entity_key = $2 ORDER BY id";
        let rows: Vec<AuditRow> =
            on_pool!(self, pool => sqlx::query_as(sql).bind(entity_kind).bind(entity_key).fetch_all(pool).await?);
        rows.into_iter().map(AuditEntry::try_from).collect()
    }
}

#[derive(FromRow)]
struct AuditRow {
    id: i64,
    at: String,
    user_id: Option<i64>,
    action: String,
    entity_kind: String,
    entity_key: String,
    before_json: Option<String>,
    after_json: Option<String>,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;
    fn try_from(row: AuditRow) -> Result<Self, StoreError> {
        let parse = |s: Option<String>| s.map(|s| serde_json::from_str(&s)).transpose();
        Ok(AuditEntry {
            id: row.id,
            at: row.at,
            user_id: row.user_id,
            action: row.action,
            entity_kind: row.entity_kind,
            entity_key: row.entity_key,
            before: parse(row.before_json)?,
            after: parse(row.after_json)?,
        })
    }
}

/// The argon2id hash of a password, in PHC string form, computed off the async threads.
async fn hash_password(password: String) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt =
            SaltString::encode_b64(&rand::random::<[u8; 16]>()).map_err(|e| StoreError::Password(e.to_string()))?;
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| StoreError::Password(e.to_string()))
    })
    .await
    .expect("password hashing panicked")
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn page<T>(mut items: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Page<T> {
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(key)
    } else {
        None
    };
    Page { items, next_cursor }
}

/// The audit record of one write: the action and the record before and after, as JSON.
/// An argon2 hash of a random password with the default cost, made once: what unknown login names are checked
/// against.
fn stand_in_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        use argon2::password_hash::{PasswordHasher, SaltString};
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes encode");
        let password = hex::encode(rand::random::<[u8; 16]>());
        argon2::Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes").to_string()
    })
}

pub(crate) fn audit_record<T: serde::Serialize>(
    outcome: WriteOutcome,
    before: &Option<T>,
    after: &Option<T>,
) -> Result<(&'static str, Option<String>, Option<String>), StoreError> {
    let action = match outcome {
        WriteOutcome::Inserted => "insert",
        WriteOutcome::Updated => "update",
    };
    let json = |v: &Option<T>| v.as_ref().map(serde_json::to_string).transpose();
    Ok((action, json(before)?, json(after)?))
}

/// The SQL of a direct SQLite bulk batch for a table: numbered parameters `?1…?n` in column order.
fn bulk_sql(
    table: &'static str,
    kind: &'static str,
    key: &str,
    insert: &str,
    on_conflict: &str,
    columns: usize,
) -> BulkSql {
    let placeholders: Vec<String> = (1..=columns).map(|i| format!("?{i}")).collect();
    BulkSql {
        table,
        kind,
        exists: format!("SELECT 1 FROM {table} WHERE {key} = ?1"),
        insert: format!("{insert}VALUES ({})", placeholders.join(", ")),
        upsert: format!("{insert}VALUES ({}){on_conflict}", placeholders.join(", ")),
        index_new: format!(
            "INSERT INTO {table}_fts(rowid, search_tokens) SELECT rowid, search_tokens FROM {table} WHERE rowid > ?1"
        ),
    }
}

// `&String` rather than `&str`: a sized value is needed to make a `&dyn ToSql`.
#[allow(clippy::ptr_arg)]
fn organization_params<'a>(row: &'a Indexed<NewOrganization>, at: &'a String) -> Vec<&'a dyn rusqlite::ToSql> {
    let o = &row.record;
    vec![
        &o.uscc,
        &o.name,
        &o.region_code,
        &o.address,
        &o.legal_representative,
        &o.entity_type,
        &o.status,
        &o.registered_on,
        &row.search_tokens,
        at,
        at,
    ]
}

#[allow(clippy::ptr_arg)]
fn product_params<'a>(row: &'a Indexed<NewProduct>, at: &'a String) -> Vec<&'a dyn rusqlite::ToSql> {
    let p = &row.record;
    vec![&p.gtin, &p.name, &p.uscc, &p.category_code, &p.brand, &p.specification, &row.search_tokens, at, at]
}

/// The audit record of one import batch.
pub(crate) fn import_record(rows: usize, outcome: BatchOutcome) -> (&'static str, Option<String>, Option<String>) {
    let summary = serde_json::json!({"rows": rows, "inserted": outcome.inserted, "updated": outcome.updated});
    ("import", None, Some(summary.to_string()))
}
