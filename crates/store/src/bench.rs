//! What `zhiliang bench` needs below the store's own operations: the physical limits each figure is measured
//! beside (the same rows written the cheapest way the backend allows), the bulk generator that writes straight
//! into a migrated database, and throw-away PostgreSQL databases. Nothing here is used by the server.

use std::path::Path;
use std::time::{Duration, Instant};

use epcis::trace::edges;
use epcis::Event;
use sqlx::Connection;

use crate::store::Backend;
use crate::{Store, StoreError};

/// The physical limit of a capture: the rows the store writes for `documents` (events, identifiers, edges)
/// inserted with prepared statements on SQLite, sent with `COPY` on PostgreSQL, one transaction per document,
/// into the same tables with the same indexes and settings. The store's capture row 1 must exist (the rows'
/// foreign key). On SQLite the pool is closed first, as the raw writer takes the file.
pub async fn raw_capture(store: &Store, documents: Vec<Vec<Event>>) -> Result<Duration, StoreError> {
    match store.backend() {
        Backend::Sqlite(_) => {
            let path = store.sqlite_path().ok_or_else(|| StoreError::Conflict("the baseline needs a file".into()))?;
            store.close().await;
            tokio::task::spawn_blocking(move || raw_sqlite_capture(&path, &documents))
                .await
                .map_err(|e| StoreError::SharedWrite(e.to_string()))?
        }
        Backend::Postgres(pool) => raw_postgres_capture(pool, &documents).await,
    }
}

fn raw_sqlite_capture(path: &Path, documents: &[Vec<Event>]) -> Result<Duration, StoreError> {
    let mut connection = rusqlite::Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "wal")?;
    connection.pragma_update(None, "synchronous", "full")?;
    let started = Instant::now();
    let mut row = 0i64;
    for events in documents {
        let transaction = connection.transaction()?;
        {
            let mut insert_event = transaction.prepare_cached(
                "INSERT INTO epcis_events (id, event_id, event_hash, event_type, event_time, record_time, time_zone_offset, \
                 action, biz_step, disposition, read_point, biz_location, transformation_id, error_declared, capture_id, document) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 0, 1, ?13) ON CONFLICT DO NOTHING",
            )?;
            let mut insert_id = transaction.prepare_cached(
                "INSERT INTO epcis_event_ids (event, role, id, quantity, uom) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            let mut insert_edge = transaction.prepare_cached(
                "INSERT INTO epcis_edges (kind, from_id, to_id, label, quantity, uom, event, event_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for event in events {
                row += 1;
                insert_event.execute(rusqlite::params![
                    row,
                    event.event_id,
                    event.hash,
                    event.event_type.as_str(),
                    event.event_time,
                    event.time_zone_offset,
                    event.action.map(|a| a.as_str()),
                    event.biz_step,
                    event.disposition,
                    event.read_point,
                    event.biz_location,
                    event.transformation_id,
                    event.document.to_string(),
                ])?;
                for id in &event.ids {
                    insert_id.execute(rusqlite::params![row, id.role.as_str(), id.id, id.quantity, id.uom])?;
                }
                for edge in edges(event) {
                    insert_edge.execute(rusqlite::params![
                        edge.kind.as_str(),
                        edge.from,
                        edge.to,
                        edge.label,
                        edge.quantity,
                        edge.uom,
                        row,
                        event.event_time
                    ])?;
                }
            }
        }
        transaction.commit()?;
    }
    Ok(started.elapsed())
}

async fn raw_postgres_capture(pool: &sqlx::PgPool, documents: &[Vec<Event>]) -> Result<Duration, StoreError> {
    fn text(value: Option<&str>) -> String {
        value.map_or("\\N".to_owned(), |v| v.replace('\\', "\\\\").replace('\t', "\\t").replace('\n', "\\n"))
    }
    fn number(value: Option<f64>) -> String {
        value.map_or("\\N".to_owned(), |v| v.to_string())
    }
    let started = Instant::now();
    let mut row = 0i64;
    for events in documents {
        let (mut event_rows, mut id_rows, mut edge_rows) = (String::new(), String::new(), String::new());
        for event in events {
            row += 1;
            event_rows.push_str(&format!(
                "{row}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t0\t1\t{}\n",
                text(Some(&event.event_id)),
                text(Some(&event.hash)),
                event.event_type.as_str(),
                event.event_time,
                event.event_time,
                text(Some(&event.time_zone_offset)),
                text(event.action.map(|a| a.as_str())),
                text(event.biz_step.as_deref()),
                text(event.disposition.as_deref()),
                text(event.read_point.as_deref()),
                text(event.biz_location.as_deref()),
                text(event.transformation_id.as_deref()),
                text(Some(&event.document.to_string())),
            ));
            for id in &event.ids {
                id_rows.push_str(&format!(
                    "{row}\t{}\t{}\t{}\t{}\n",
                    id.role.as_str(),
                    text(Some(&id.id)),
                    number(id.quantity),
                    text(id.uom.as_deref())
                ));
            }
            for edge in edges(event) {
                edge_rows.push_str(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{row}\t{}\n",
                    edge.kind.as_str(),
                    text(Some(&edge.from)),
                    text(Some(&edge.to)),
                    text(edge.label.as_deref()),
                    number(edge.quantity),
                    text(edge.uom.as_deref()),
                    event.event_time
                ));
            }
        }
        let mut connection = pool.acquire().await?;
        let mut transaction = sqlx::Connection::begin(&mut *connection).await?;
        for (sql, data) in [
            ("COPY epcis_events (id, event_id, event_hash, event_type, event_time, record_time, time_zone_offset, action, biz_step, \
              disposition, read_point, biz_location, transformation_id, error_declared, capture_id, document) FROM STDIN", &event_rows),
            ("COPY epcis_event_ids (event, role, id, quantity, uom) FROM STDIN", &id_rows),
            ("COPY epcis_edges (kind, from_id, to_id, label, quantity, uom, event, event_time) FROM STDIN", &edge_rows),
        ] {
            let mut copy = transaction.copy_in_raw(sql).await?;
            copy.send(data.as_bytes()).await?;
            copy.finish().await?;
        }
        transaction.commit().await?;
    }
    Ok(started.elapsed())
}

/// The plain count under the pass-rate query: the same table grouped the same way, nothing else. Returns the
/// groups.
pub async fn plain_sample_count(store: &Store) -> Result<usize, StoreError> {
    let sql = "SELECT product_category, province_code, COUNT(*) FROM samples GROUP BY product_category, province_code";
    Ok(crate::on_pool!(store, pool => sqlx::query(sql).fetch_all(pool).await?.len()))
}

/// The disk's limit for one-at-a-time durable writes: `rows` inserts of a complaint-sized row into a fresh file,
/// one commit each, in WAL mode with full sync like the store. Returns rows a second.
pub fn raw_durable_inserts(path: &Path, rows: usize) -> Result<f64, StoreError> {
    let connection = rusqlite::Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "wal")?;
    connection.pragma_update(None, "synchronous", "full")?;
    connection.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, number TEXT UNIQUE, body TEXT)")?;
    let mut insert = connection.prepare("INSERT INTO t (number, body) VALUES (?1, ?2)")?;
    let body = "x".repeat(600);
    let started = Instant::now();
    for i in 0..rows {
        insert.execute(rusqlite::params![format!("TS{i:012}"), body])?;
    }
    Ok(rows as f64 / started.elapsed().as_secs_f64())
}

/// A generated complaint, for the queue benchmark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedComplaint {
    pub tracking_number: String,
    pub received_on: String,
    pub region_code: String,
    /// `mediating` (open, with its deadline) or `closed`.
    pub status: &'static str,
    pub due_kind: Option<&'static str>,
    pub due_on: Option<String>,
}

/// Writes generated complaints straight into a migrated SQLite file in one transaction, without sync, then
/// analyses it: data for a benchmark, not a workflow.
pub fn generate_complaints(
    path: &Path,
    complaints: impl Iterator<Item = GeneratedComplaint>,
) -> Result<(), StoreError> {
    let mut connection = rusqlite::Connection::open(path)?;
    connection.pragma_update(None, "synchronous", "off")?;
    let tx = connection.transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO complaints (tracking_number, secret_hash, kind, channel, received_on, anonymous, respondent_name, \
             region_code, routing, category, issue, classification, facts, handling_region, status, accept_base_on, \
             due_kind, due_on, created_at, updated_at) VALUES (?1, '', 'complaint', 'web', ?2, 0, '某商户', ?3, '{}', \
             '0503', 'safety', '{}', '电池起火', ?3, ?4, ?2, ?5, ?6, ?7, ?7)",
        )?;
        for complaint in complaints {
            insert.execute(rusqlite::params![
                complaint.tracking_number,
                complaint.received_on,
                complaint.region_code,
                complaint.status,
                complaint.due_kind,
                complaint.due_on,
                "2026-01-01T00:00:00.000Z",
            ])?;
        }
    }
    tx.commit()?;
    connection.execute_batch("ANALYZE")?;
    Ok(())
}

/// A fresh, migrated PostgreSQL database `name` on the server `url` points at (an existing one is dropped).
pub async fn fresh_postgres(url: &str, name: &str) -> Result<Store, StoreError> {
    let mut admin = sqlx::PgConnection::connect(url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await?;
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
    let base = url.rsplit_once('/').map_or(url, |(base, _)| base);
    Store::open(&format!("{base}/{name}")).await
}

/// Drops the database `name` on the server `url` points at.
pub async fn drop_postgres(url: &str, name: &str) -> Result<(), StoreError> {
    let mut admin = sqlx::PgConnection::connect(url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await?;
    Ok(())
}

/// The physical limit of an organization import: `rows` (the eight columns of the import file, in order) inserted
/// into a plain table with one prepared statement in one transaction, on the store's SQLite settings (WAL,
/// synchronous FULL). Returns the rows and the time, which counts reading the rows.
pub fn raw_organization_insert(
    db_path: &Path,
    rows: impl Iterator<Item = Result<Vec<String>, String>>,
) -> Result<(usize, Duration), StoreError> {
    let mut connection = rusqlite::Connection::open(db_path)?;
    connection.pragma_update(None, "journal_mode", "wal")?;
    connection.pragma_update(None, "synchronous", "full")?;
    connection.execute_batch(
        "CREATE TABLE organizations (uscc TEXT PRIMARY KEY, name TEXT NOT NULL, region_code TEXT NOT NULL, \
         address TEXT, legal_representative TEXT, entity_type TEXT, status TEXT NOT NULL, registered_on TEXT, \
         created_at TEXT NOT NULL, updated_at TEXT NOT NULL)",
    )?;
    let start = Instant::now();
    let now = chrono::Utc::now().to_rfc3339();
    let transaction = connection.transaction()?;
    let mut count = 0;
    {
        let mut statement = transaction.prepare(
            "INSERT INTO organizations (uscc, name, region_code, address, legal_representative, entity_type, status, \
             registered_on, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        )?;
        for row in rows {
            let r = row.map_err(StoreError::Conflict)?;
            statement.execute(rusqlite::params![&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6], &r[7], &now])?;
            count += 1;
        }
    }
    transaction.commit()?;
    Ok((count, start.elapsed()))
}

/// The disk's limit for writing credit classes: `rows` class-sized rows into a plain table of a fresh SQLite
/// file, one transaction. Returns the seconds.
pub fn raw_class_rows(path: &Path, rows: usize) -> Result<f64, StoreError> {
    let mut connection = rusqlite::Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "wal")?;
    connection.pragma_update(None, "synchronous", "full")?;
    connection.execute_batch("CREATE TABLE c (uscc TEXT PRIMARY KEY, class TEXT, score INTEGER, reasons TEXT)")?;
    let started = Instant::now();
    let transaction = connection.transaction()?;
    {
        let mut insert = transaction.prepare("INSERT INTO c (uscc, class, score, reasons) VALUES (?1, ?2, ?3, ?4)")?;
        for i in 0..rows {
            insert.execute(rusqlite::params![format!("91330106MA{i:08}"), "B", 85, CLASS_REASONS])?;
        }
    }
    transaction.commit()?;
    Ok(started.elapsed().as_secs_f64())
}

/// The reasons a raw class row carries: the size of a base score's.
const CLASS_REASONS: &str = "[{\"type\":\"base\",\"points\":85}]";

/// The same on PostgreSQL: multi-row inserts of 1,000 into a plain table of the database `url` names, one
/// transaction. Returns the seconds.
pub async fn raw_class_rows_postgres(url: &str, rows: usize) -> Result<f64, StoreError> {
    let mut connection = sqlx::PgConnection::connect(url).await?;
    sqlx::query("CREATE TABLE raw_classes (uscc TEXT PRIMARY KEY, class TEXT, score BIGINT, reasons TEXT)")
        .execute(&mut connection)
        .await?;
    let started = Instant::now();
    let mut transaction = connection.begin().await?;
    for start in (0..rows).step_by(1000) {
        let mut builder = sqlx::QueryBuilder::new("INSERT INTO raw_classes (uscc, class, score, reasons) ");
        builder.push_values(start..(start + 1000).min(rows), |mut row, i| {
            row.push_bind(format!("91330106MA{i:08}")).push_bind("B").push_bind(85i64).push_bind(CLASS_REASONS);
        });
        builder.build().execute(&mut *transaction).await?;
    }
    transaction.commit().await?;
    Ok(started.elapsed().as_secs_f64())
}

/// The disk's limit for lone log appends: `rows` entry-sized rows (`kind`, `subject`, `data`), one durable commit
/// each, into a plain table of a fresh SQLite file. Returns rows a second.
pub fn raw_single_commits(
    path: &Path,
    rows: impl Iterator<Item = (String, String, String)>,
) -> Result<f64, StoreError> {
    let connection = rusqlite::Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "wal")?;
    connection.pragma_update(None, "synchronous", "full")?;
    connection
        .execute_batch("CREATE TABLE e (idx INTEGER PRIMARY KEY, kind TEXT, subject TEXT, data TEXT, leaf TEXT)")?;
    let mut insert =
        connection.prepare("INSERT INTO e (idx, kind, subject, data, leaf) VALUES (?1, ?2, ?3, ?4, ?5)")?;
    let leaf = "00".repeat(32);
    let started = Instant::now();
    let mut count = 0i64;
    for (kind, subject, data) in rows {
        insert.execute(rusqlite::params![count, kind, subject, data, leaf])?;
        count += 1;
    }
    Ok(count as f64 / started.elapsed().as_secs_f64())
}

/// The rows of `tables` in the SQLite file at `path`, each table's rows in storage order (rowid, or the key of a
/// table clustered on it): what a baseline inserts again.
pub type TableRows = Vec<(String, Vec<Vec<rusqlite::types::Value>>)>;

/// Reads every row the store wrote into `tables`.
pub fn table_rows(path: &Path, tables: &[&str]) -> Result<TableRows, StoreError> {
    let connection = rusqlite::Connection::open(path)?;
    let mut all = Vec::new();
    for table in tables {
        let mut statement = connection.prepare(&format!("SELECT * FROM {table}"))?;
        let columns = statement.column_count();
        let rows = statement
            .query_map([], |row| (0..columns).map(|i| row.get::<_, rusqlite::types::Value>(i)).collect())?
            .collect::<rusqlite::Result<Vec<Vec<_>>>>()?;
        all.push(((*table).to_owned(), rows));
    }
    Ok(all)
}

/// The physical limit of a write: the same rows inserted into the same tables (same indexes) of a migrated,
/// empty SQLite file with one prepared statement per table in one transaction, on the store's settings (WAL,
/// synchronous FULL). Returns the time the inserts and the commit took.
pub fn raw_table_insert(path: &Path, rows: &TableRows) -> Result<Duration, StoreError> {
    let mut connection = rusqlite::Connection::open(path)?;
    connection.pragma_update(None, "journal_mode", "wal")?;
    connection.pragma_update(None, "synchronous", "full")?;
    connection.pragma_update(None, "foreign_keys", false)?;
    let started = Instant::now();
    let transaction = connection.transaction()?;
    for (table, table_rows) in rows {
        let Some(first) = table_rows.first() else { continue };
        let marks: Vec<String> = (1..=first.len()).map(|i| format!("?{i}")).collect();
        let mut insert = transaction.prepare(&format!("INSERT INTO {table} VALUES ({})", marks.join(", ")))?;
        for row in table_rows {
            insert.execute(rusqlite::params_from_iter(row.iter()))?;
        }
    }
    transaction.commit()?;
    Ok(started.elapsed())
}
