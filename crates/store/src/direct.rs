//! Direct SQLite access for the two hottest paths: primary-key reads, run on the calling thread, and bulk
//! import batches, run on a blocking thread with prepared single-row statements.
//!
//! sqlx runs every SQLite statement on a worker thread of its own; for a lookup that takes microseconds, the
//! two thread hops cost more than the read, and for a bulk load the per-statement round trips dominate. A
//! primary-key read in WAL mode never waits for a writer, so it is safe to run inline; only indexed
//! reads of a row or a few dozen (the lab search) belong here. Bulk writes take the database's write lock like any other writer.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::model::{BatchOutcome, Indexed, Organization, Product};
use crate::store::import_record;
use crate::StoreError;

/// Idle connections kept for reuse.
const MAX_IDLE: usize = 16;

/// Read-only connections for point reads and one writer connection for bulk batches, to one SQLite file.
#[derive(Debug)]
pub(crate) struct DirectSqlite {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    writer: Mutex<Option<Connection>>,
}

/// SQL of one bulk batch: existence check, single-row upsert, full-text indexing of the new rows.
pub(crate) struct BulkSql {
    pub table: &'static str,
    /// Entity kind in the audit log.
    pub kind: &'static str,
    pub exists: String,
    /// Insert of a row known to be new: no conflict clause, so no statement journal.
    pub insert: String,
    pub upsert: String,
    pub index_new: String,
}

impl DirectSqlite {
    pub(crate) fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub(crate) fn new(path: PathBuf) -> Self {
        DirectSqlite { path, idle: Mutex::new(Vec::new()), writer: Mutex::new(None) }
    }

    fn open_writer(&self) -> rusqlite::Result<Connection> {
        let connection = Connection::open(&self.path)?;
        connection.busy_timeout(std::time::Duration::from_secs(30))?;
        connection.pragma_update(None, "synchronous", "full")?;
        connection.pragma_update(None, "foreign_keys", true)?;
        connection.pragma_update(None, "cache_size", -65536)?;
        connection.pragma_update(None, "temp_store", "memory")?;
        // Checkpoint every 64 MiB of WAL rather than every 4 MiB: a bulk load rewrites the same pages in
        // successive batches, and each checkpoint copies them again.
        connection.pragma_update(None, "wal_autocheckpoint", 16384)?;
        Ok(connection)
    }

    /// Writes one batch in one immediate transaction: every row upserted, new rows indexed, one audit row.
    /// All of it commits or none of it does.
    pub(crate) fn write_batch<T>(
        &self,
        sql: &BulkSql,
        rows: &[Indexed<T>],
        key: impl Fn(&T) -> &str,
        params: impl for<'a> Fn(&'a Indexed<T>, &'a str) -> Vec<ToSqlOutput<'a>>,
        (at, user_id): (&String, Option<i64>),
    ) -> Result<BatchOutcome, StoreError> {
        let mut guard = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            *guard = Some(self.open_writer()?);
        }
        let connection = guard.as_mut().expect("opened above");
        let transaction = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mark: i64 =
            transaction
                .query_row(&format!("SELECT COALESCE(MAX(rowid), 0) FROM {}", sql.table), [], |row| row.get(0))?;
        let mut outcome = BatchOutcome::default();
        // Writing in key order touches each index page once per batch instead of at random.
        let mut order: Vec<&Indexed<T>> = rows.iter().collect();
        order.sort_unstable_by(|a, b| key(&a.record).cmp(key(&b.record)));
        {
            let mut exists = transaction.prepare_cached(&sql.exists)?;
            let mut insert = transaction.prepare_cached(&sql.insert)?;
            let mut upsert = transaction.prepare_cached(&sql.upsert)?;
            for row in order {
                if exists.exists([key(&row.record)])? {
                    upsert.execute(rusqlite::params_from_iter(params(row, at)))?;
                    outcome.updated += 1;
                } else {
                    insert.execute(rusqlite::params_from_iter(params(row, at)))?;
                    outcome.inserted += 1;
                }
            }
        }
        transaction.execute(&sql.index_new, [mark])?;
        let (action, before, after) = import_record(rows.len(), outcome);
        transaction.execute(
            "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            rusqlite::params![at, user_id, action, sql.kind, format!("batch of {}", rows.len()), before, after],
        )?;
        transaction.commit()?;
        Ok(outcome)
    }

    /// Runs `write` on the writer connection, opening it on first use.
    pub(crate) fn with_writer<T>(
        &self,
        write: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut guard = self.writer.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if guard.is_none() {
            *guard = Some(self.open_writer()?);
        }
        write(guard.as_mut().expect("opened above"))
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        connection.pragma_update(None, "query_only", true)?;
        connection.pragma_update(None, "cache_size", -16384)?;
        // Reads through the OS's page cache without a system call and a copy per page: an indexed read of a few
        // dozen rows scattered over a large file touches a page per row. The mapping is address space, not
        // memory; pages the OS evicts are read again on touch.
        connection.pragma_update(None, "mmap_size", 1i64 << 36)?;
        connection.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(connection)
    }

    /// Runs `read` inline on an idle read-only connection (one opened if none is idle).
    pub(crate) fn read<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        let connection = match idle {
            Some(connection) => connection,
            None => self.open()?,
        };
        let result = read(&connection)?;
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(connection);
        }
        Ok(result)
    }

    /// Runs several reads inline in one read transaction: they see one snapshot, and the WAL's shared lock is
    /// taken and released once rather than once per statement (a profile of the signed statement, a dozen point
    /// reads, put a third of its SQLite time in those locks).
    pub(crate) fn read_snapshot<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StoreError> {
        self.read(|connection| {
            connection.prepare_cached("BEGIN")?.execute([])?;
            let result = read(connection);
            // Ended whatever the reads gave; a connection whose transaction did not end is not kept.
            connection.prepare_cached("COMMIT")?.execute([])?;
            result
        })
    }

    /// The lab search's indexed read of a few dozen rows, with the search's `$n` parameters in order.
    pub(crate) fn lab_search(
        &self,
        sql: &str,
        binds: &[String],
    ) -> Result<Vec<(labs::Lab, crate::labs::StoredScope)>, StoreError> {
        self.read(|connection| {
            let mut statement = connection.prepare_cached(sql)?;
            let rows = statement.query_map(rusqlite::params_from_iter(binds.iter()), |row| {
                let scope = crate::labs::StoredScope {
                    lab_uscc: row.get(0)?,
                    product_code: row.get(1)?,
                    parameter: row.get(2)?,
                    edition: row.get(3)?,
                    standard: row.get(4)?,
                    clause: row.get(5)?,
                    method: row.get(6)?,
                    limitation: row.get(7)?,
                    suspended: row.get(8)?,
                };
                let lab = labs::Lab {
                    uscc: row.get(9)?,
                    name: row.get(10)?,
                    cma: row.get(11)?,
                    cnas: row.get(12)?,
                    region_code: row.get(13)?,
                };
                Ok((lab, scope))
            })?;
            rows.collect()
        })
    }

    pub(crate) fn organization(&self, sql: &str, uscc: &str) -> Result<Option<Organization>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(sql)?
                .query_row([uscc], |row| {
                    Ok(Organization {
                        uscc: row.get(0)?,
                        name: row.get(1)?,
                        region_code: row.get(2)?,
                        address: row.get(3)?,
                        legal_representative: row.get(4)?,
                        entity_type: row.get(5)?,
                        status: row.get::<_, String>(6)?.parse().map_err(|e: rulekit::UnknownValue| {
                            rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e))
                        })?,
                        registered_on: row.get(7)?,
                        created_at: row.get(8)?,
                        updated_at: row.get(9)?,
                    })
                })
                .optional()
        })
    }

    pub(crate) fn product(&self, sql: &str, gtin: &str) -> Result<Option<Product>, StoreError> {
        self.read(|connection| {
            connection
                .prepare_cached(sql)?
                .query_row([gtin], |row| {
                    Ok(Product {
                        gtin: row.get(0)?,
                        name: row.get(1)?,
                        uscc: row.get(2)?,
                        category_code: row.get(3)?,
                        brand: row.get(4)?,
                        specification: row.get(5)?,
                        created_at: row.get(6)?,
                        updated_at: row.get(7)?,
                    })
                })
                .optional()
        })
    }
}

/// Appends entries to the public log inside a direct writer's transaction, as `public_log::append_in!` does on
/// a pool's: the size moves on, the right edge is read, each leaf and every subtree it completes are written.
pub(crate) fn append_log<'e>(
    tx: &rusqlite::Transaction,
    entries: impl ExactSizeIterator<Item = (&'e crate::public_log::NewEntry, translog::Hash)>,
    at: &str,
) -> Result<Vec<i64>, StoreError> {
    let count = entries.len() as i64;
    let size: i64 = tx.query_row(
        "UPDATE log_state SET tree_size = tree_size + ?1 WHERE id = 1 RETURNING tree_size",
        [count],
        |row| row.get(0),
    )?;
    let old = (size - count) as u64;
    let mut known = std::collections::HashMap::new();
    {
        let mut node = tx.prepare_cached("SELECT hash FROM log_nodes WHERE level = ?1 AND idx = ?2")?;
        for id in translog::Frontier::needs(old) {
            let hash: Option<String> =
                node.query_row((i64::from(id.level), id.index as i64), |r| r.get(0)).optional()?;
            if let Some(hash) = hash {
                known.insert(id, crate::public_log::decode_hash(&hash)?);
            }
        }
    }
    let mut frontier = translog::Frontier::from_nodes(old, |n| known.get(&n).copied())
        .ok_or_else(|| StoreError::Integrity("the log's right edge is incomplete".into()))?;
    let mut indexes = Vec::with_capacity(entries.len());
    let mut insert_entry = tx.prepare_cached(
        "INSERT INTO log_entries (idx, kind, subject, data, leaf_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut insert_node = tx.prepare_cached("INSERT INTO log_nodes (level, idx, hash) VALUES (?1, ?2, ?3)")?;
    for (entry, leaf) in entries {
        let index = frontier.size() as i64;
        insert_entry.execute(rusqlite::params![index, entry.kind, entry.subject, entry.data, hex::encode(leaf), at])?;
        for (node, hash) in frontier.append(leaf) {
            insert_node.execute(rusqlite::params![i64::from(node.level), node.index as i64, hex::encode(hash)])?;
        }
        indexes.push(index);
    }
    Ok(indexes)
}
