//! Schema migrations, one folder per backend, compiled into the binary. An applied migration is never
//! edited: its checksum is recorded and checked at every start.

use sha2::{Digest, Sha256};

use crate::store::{Backend, Store};
use crate::StoreError;

/// A migration: version, name, SQL.
type Migration = (i64, &'static str, &'static str);

const SQLITE: &[Migration] = &[
    (1, "master_data", include_str!("../migrations/sqlite/0001_master_data.sql")),
    (2, "inspections", include_str!("../migrations/sqlite/0002_inspections.sql")),
    (3, "epcis", include_str!("../migrations/sqlite/0003_epcis.sql")),
    (4, "recalls", include_str!("../migrations/sqlite/0004_recalls.sql")),
    (5, "injuries", include_str!("../migrations/sqlite/0005_injuries.sql")),
    (6, "warnings", include_str!("../migrations/sqlite/0006_warnings.sql")),
    (7, "complaints", include_str!("../migrations/sqlite/0007_complaints.sql")),
    (8, "signal_runs", include_str!("../migrations/sqlite/0008_signal_runs.sql")),
    (9, "transparency_log", include_str!("../migrations/sqlite/0009_transparency_log.sql")),
    (10, "credit_lists", include_str!("../migrations/sqlite/0010_credit_lists.sql")),
    (11, "credit_files", include_str!("../migrations/sqlite/0011_credit_files.sql")),
    (12, "hardening", include_str!("../migrations/sqlite/0012_hardening.sql")),
    (13, "calendar", include_str!("../migrations/sqlite/0013_calendar.sql")),
    (14, "standards", include_str!("../migrations/sqlite/0014_standards.sql")),
    (15, "product_catalogue", include_str!("../migrations/sqlite/0015_product_catalogue.sql")),
    (16, "certification", include_str!("../migrations/sqlite/0016_certification.sql")),
    (17, "licensing", include_str!("../migrations/sqlite/0017_licensing.sql")),
    (18, "labs", include_str!("../migrations/sqlite/0018_labs.sql")),
    (19, "equipment_metrology", include_str!("../migrations/sqlite/0019_equipment_metrology.sql")),
    (20, "campaign_labs", include_str!("../migrations/sqlite/0020_campaign_labs.sql")),
    (21, "certificates_clustered", include_str!("../migrations/sqlite/0021_certificates_clustered.sql")),
];
const POSTGRES: &[Migration] = &[
    (1, "master_data", include_str!("../migrations/postgres/0001_master_data.sql")),
    (2, "inspections", include_str!("../migrations/postgres/0002_inspections.sql")),
    (3, "epcis", include_str!("../migrations/postgres/0003_epcis.sql")),
    (4, "recalls", include_str!("../migrations/postgres/0004_recalls.sql")),
    (5, "injuries", include_str!("../migrations/postgres/0005_injuries.sql")),
    (6, "warnings", include_str!("../migrations/postgres/0006_warnings.sql")),
    (7, "complaints", include_str!("../migrations/postgres/0007_complaints.sql")),
    (8, "signal_runs", include_str!("../migrations/postgres/0008_signal_runs.sql")),
    (9, "transparency_log", include_str!("../migrations/postgres/0009_transparency_log.sql")),
    (10, "credit_lists", include_str!("../migrations/postgres/0010_credit_lists.sql")),
    (11, "credit_files", include_str!("../migrations/postgres/0011_credit_files.sql")),
    (12, "hardening", include_str!("../migrations/postgres/0012_hardening.sql")),
    (13, "calendar", include_str!("../migrations/postgres/0013_calendar.sql")),
    (14, "standards", include_str!("../migrations/postgres/0014_standards.sql")),
    (15, "product_catalogue", include_str!("../migrations/postgres/0015_product_catalogue.sql")),
    (16, "certification", include_str!("../migrations/postgres/0016_certification.sql")),
    (17, "licensing", include_str!("../migrations/postgres/0017_licensing.sql")),
    (18, "labs", include_str!("../migrations/postgres/0018_labs.sql")),
    (19, "equipment_metrology", include_str!("../migrations/postgres/0019_equipment_metrology.sql")),
    (20, "campaign_labs", include_str!("../migrations/postgres/0020_campaign_labs.sql")),
    (21, "certificates_clustered", include_str!("../migrations/postgres/0021_certificates_clustered.sql")),
];

const CREATE_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version BIGINT PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)";

fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// The first line of a SQLite migration that rebuilds a table others refer to.
const FOREIGN_KEYS_OFF: &str = "-- zhiliang: foreign keys off";

/// The PostgreSQL advisory lock ("zhiliang" in ASCII) that servers starting on one database take in turn.
const MIGRATION_LOCK: i64 = 0x7a68_696c_6961_6e67;

/// Applies every migration not yet applied, each in its own transaction, on one connection. On PostgreSQL that
/// connection holds an advisory lock meanwhile, so two servers starting at once migrate one after the other and
/// the second finds the work done. (The embedded SQLite file is served by one process.)
pub(crate) async fn run(store: &Store) -> Result<(), StoreError> {
    let (migrations, postgres) = match store.backend() {
        Backend::Sqlite(_) => (SQLITE, false),
        Backend::Postgres(_) => (POSTGRES, true),
    };
    crate::on_pool!(store, pool => {
        use sqlx::Connection;
        let mut connection = pool.acquire().await?;
        if postgres {
            sqlx::query("SELECT pg_advisory_lock($1)").bind(MIGRATION_LOCK).execute(&mut *connection).await?;
        }
        let outcome: Result<(), StoreError> = async {
            sqlx::raw_sql(CREATE_TABLE).execute(&mut *connection).await?;
            for &(version, name, sql) in migrations {
                let applied: Option<String> =
                    sqlx::query_scalar("SELECT checksum FROM schema_migrations WHERE version = $1")
                        .bind(version)
                        .fetch_optional(&mut *connection)
                        .await?;
                match applied {
                    Some(sum) if sum == checksum(sql) => continue,
                    Some(_) => return Err(StoreError::MigrationChanged { version }),
                    None => {}
                }
                tracing::info!(version, name, "applying migration");
                // A SQLite table rebuild runs with the foreign keys off (they cannot change inside a
                // transaction) and checks them all before its commit; they are on again whatever happened.
                let rebuild = !postgres && sql.starts_with(FOREIGN_KEYS_OFF);
                if rebuild {
                    sqlx::raw_sql("PRAGMA foreign_keys = OFF").execute(&mut *connection).await?;
                }
                let applied: Result<(), StoreError> = async {
                    let mut tx = connection.begin().await?;
                    sqlx::raw_sql(sql).execute(&mut *tx).await?;
                    if rebuild {
                        let broken = sqlx::raw_sql("PRAGMA foreign_key_check").fetch_all(&mut *tx).await?;
                        if !broken.is_empty() {
                            return Err(StoreError::Integrity(format!(
                                "migration {version} would leave {} rows with a broken reference",
                                broken.len()
                            )));
                        }
                    }
                    sqlx::query(
                        "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(version)
                    .bind(name)
                    .bind(checksum(sql))
                    .bind(crate::store::now())
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Ok(())
                }
                .await;
                if rebuild {
                    sqlx::raw_sql("PRAGMA foreign_keys = ON").execute(&mut *connection).await?;
                }
                applied?;
            }
            Ok(())
        }
        .await;
        if postgres {
            // Released whatever happened: the connection goes back to the pool.
            sqlx::query("SELECT pg_advisory_unlock($1)").bind(MIGRATION_LOCK).execute(&mut *connection).await?;
        }
        outcome
    })
}
