//! Point reads by primary key on SQLite, run on the calling thread with a plain SQLite connection.
//!
//! sqlx runs every SQLite statement on a worker thread of its own; for a lookup that takes microseconds, the
//! two thread hops cost more than the read, and the public lookup endpoints are the hottest paths of the
//! system. A primary-key read in WAL mode never waits for a writer, so it is safe to run inline. Only
//! indexed single-row reads belong here.

use std::path::PathBuf;
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::model::{Organization, Product};
use crate::StoreError;

/// Idle connections kept for reuse.
const MAX_IDLE: usize = 16;

/// A small pool of read-only connections to one SQLite file.
#[derive(Debug)]
pub(crate) struct PointReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl PointReader {
    pub(crate) fn new(path: PathBuf) -> Self {
        PointReader { path, idle: Mutex::new(Vec::new()) }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        connection.pragma_update(None, "query_only", true)?;
        connection.pragma_update(None, "cache_size", -16384)?;
        connection.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(connection)
    }

    fn with<T>(&self, read: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
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

    pub(crate) fn organization(&self, sql: &str, uscc: &str) -> Result<Option<Organization>, StoreError> {
        self.with(|connection| {
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
                        status: row.get(6)?,
                        registered_on: row.get(7)?,
                        created_at: row.get(8)?,
                        updated_at: row.get(9)?,
                    })
                })
                .optional()
        })
    }

    pub(crate) fn product(&self, sql: &str, gtin: &str) -> Result<Option<Product>, StoreError> {
        self.with(|connection| {
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
