//! The audit log: who changed what, when, before and after, written in the transaction of the change (the one
//! way to write an audit row is [`write_audit!`]), and read back per record.

use sqlx::FromRow;

use crate::model::*;
use crate::store::{now, on_pool, Store};
use crate::StoreError;

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

impl Store {
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

/// The audit record of one import batch.
pub(crate) fn import_record(rows: usize, outcome: BatchOutcome) -> (&'static str, Option<String>, Option<String>) {
    let summary = serde_json::json!({"rows": rows, "inserted": outcome.inserted, "updated": outcome.updated});
    ("import", None, Some(summary.to_string()))
}
