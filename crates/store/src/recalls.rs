//! Defective-product recalls (缺陷产品召回): the recall record, its stage history with deadlines, and the
//! public notices, searchable in Chinese.

use serde::Serialize;
use serde_json::Value;
use sqlx::{FromRow, QueryBuilder};

use crate::on_pool;
use crate::search;
use crate::search::Query;
use crate::store::{now, Store};
use crate::StoreError;

/// A new recall, opened by a defect report or by a regulator.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecall {
    pub id: String,
    /// `consumer` (SAMR Order 19) or `vehicle` (缺陷汽车产品召回管理条例).
    pub regime: String,
    /// `enterprise_report` or `regulator`.
    pub origin: String,
    pub producer_uscc: String,
    /// Region of the supervising authority: the producer's.
    pub region_code: String,
    pub product_name: String,
    pub gtins: Vec<String>,
    pub lots: Vec<String>,
    pub defect: String,
    /// Caused or may cause death, serious injury or major loss, or recalled abroad.
    pub severe: bool,
    /// When the producer learned of the defect (YYYY-MM-DD).
    pub learned_on: String,
    /// Identifier the scope is traced from (a lot, an item).
    pub trace_start: Option<String>,
}

/// A recall as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Recall {
    pub id: String,
    pub regime: String,
    pub status: String,
    pub origin: String,
    pub producer_uscc: String,
    pub region_code: String,
    pub product_name: String,
    pub gtins: Vec<String>,
    pub lots: Vec<String>,
    pub defect: String,
    pub severe: bool,
    pub learned_on: String,
    pub trace_start: Option<String>,
    pub decision: Option<String>,
    pub remedy: Option<String>,
    pub units_produced: Option<f64>,
    pub units_distributed: Option<f64>,
    pub units_recovered: f64,
    /// The filed plan (the fields DPAC asks for).
    #[schema(value_type = Object)]
    pub plan: Value,
    /// Scope computed from the trace: lots, quantities, parties, regions (`RecallScope`).
    #[schema(value_type = Object)]
    pub scope: Value,
    pub notice_title: Option<String>,
    pub notice_body: Option<String>,
    pub notice_published_on: Option<String>,
    #[schema(value_type = Object)]
    pub evaluation: Value,
    /// The next stage the workflow waits for, and its legal due date.
    pub next_stage: Option<String>,
    pub next_due_on: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(FromRow)]
struct RecallRow {
    id: String,
    regime: String,
    status: String,
    origin: String,
    producer_uscc: String,
    region_code: String,
    product_name: String,
    gtins: String,
    lots: String,
    defect: String,
    severe: i64,
    learned_on: String,
    trace_start: Option<String>,
    decision: Option<String>,
    remedy: Option<String>,
    units_produced: Option<f64>,
    units_distributed: Option<f64>,
    units_recovered: f64,
    plan: Option<String>,
    scope: Option<String>,
    notice_title: Option<String>,
    notice_body: Option<String>,
    notice_published_on: Option<String>,
    evaluation: Option<String>,
    next_stage: Option<String>,
    next_due_on: Option<String>,
    created_at: String,
    updated_at: String,
}

fn json_or_null(text: Option<String>) -> Value {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
}

fn list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

impl From<RecallRow> for Recall {
    fn from(row: RecallRow) -> Self {
        Recall {
            gtins: list(&row.gtins),
            lots: list(&row.lots),
            severe: row.severe != 0,
            plan: json_or_null(row.plan),
            scope: json_or_null(row.scope),
            evaluation: json_or_null(row.evaluation),
            id: row.id,
            regime: row.regime,
            status: row.status,
            origin: row.origin,
            producer_uscc: row.producer_uscc,
            region_code: row.region_code,
            product_name: row.product_name,
            defect: row.defect,
            learned_on: row.learned_on,
            trace_start: row.trace_start,
            decision: row.decision,
            remedy: row.remedy,
            units_produced: row.units_produced,
            units_distributed: row.units_distributed,
            units_recovered: row.units_recovered,
            notice_title: row.notice_title,
            notice_body: row.notice_body,
            notice_published_on: row.notice_published_on,
            next_stage: row.next_stage,
            next_due_on: row.next_due_on,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// Inserts one history entry.
macro_rules! insert_event {
    ($executor:expr, $recall_id:expr, $event:expr, $at:expr, $user_id:expr) => {
        sqlx::query(
            "INSERT INTO recall_events (recall_id, stage, at, on_date, user_id, note, data, due_on, late) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind($recall_id)
        .bind(&$event.stage)
        .bind($at)
        .bind(&$event.on_date)
        .bind($user_id)
        .bind($event.note.as_deref())
        .bind($event.data.to_string())
        .bind($event.due_on.as_deref())
        .bind(i64::from($event.late))
        .execute($executor)
        .await?
    };
}

/// Records a recall write in the audit log: the record before, and the stage with what it changed.
macro_rules! write_recall_audit {
    ($executor:expr, $at:expr, $user_id:expr, $id:expr, $stage:expr, $before:expr, $after:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
             VALUES ($1, $2, $3, 'recall', $4, $5, $6)",
        )
        .bind($at)
        .bind($user_id)
        .bind($stage)
        .bind($id)
        .bind($before)
        .bind($after)
        .execute($executor)
        .await?
    };
}

const RECALL_COLUMNS: &str = "id, regime, status, origin, producer_uscc, region_code, product_name, gtins, lots, defect, \
     severe, learned_on, trace_start, decision, remedy, units_produced, units_distributed, units_recovered, plan, scope, \
     notice_title, notice_body, notice_published_on, evaluation, next_stage, next_due_on, created_at, updated_at";

/// One stage of a recall's history.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RecallEvent {
    pub id: i64,
    pub recall_id: String,
    pub stage: String,
    /// When it was recorded (RFC 3339).
    pub at: String,
    /// The day it counts for (YYYY-MM-DD).
    pub on_date: String,
    pub user_id: Option<i64>,
    pub note: Option<String>,
    /// The stage's own record, free-form.
    #[schema(value_type = Object)]
    pub data: Value,
    /// The deadline it had to meet, if any.
    pub due_on: Option<String>,
    /// True when it came after that deadline.
    pub late: bool,
}

#[derive(FromRow)]
struct RecallEventRow {
    id: i64,
    recall_id: String,
    stage: String,
    at: String,
    on_date: String,
    user_id: Option<i64>,
    note: Option<String>,
    data: Option<String>,
    due_on: Option<String>,
    late: i64,
}

/// A stage to record with a recall change.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecallEvent {
    pub stage: String,
    pub on_date: String,
    pub note: Option<String>,
    pub data: Value,
    pub due_on: Option<String>,
    pub late: bool,
}

/// Fields a stage changes; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecallChange {
    pub status: Option<String>,
    pub decision: Option<String>,
    pub remedy: Option<String>,
    pub units_produced: Option<f64>,
    pub units_distributed: Option<f64>,
    pub units_recovered: Option<f64>,
    pub plan: Option<Value>,
    pub scope: Option<Value>,
    pub notice_title: Option<String>,
    pub notice_body: Option<String>,
    pub notice_published_on: Option<String>,
    pub evaluation: Option<Value>,
    /// The next stage and its due date; `Some((None, None))` clears them.
    pub next: Option<(Option<String>, Option<String>)>,
}

/// Which recalls to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecallFilter {
    /// Only those with a published notice (the public list).
    pub published_only: bool,
    pub producer_uscc: Option<String>,
    /// Supervising region code prefix (a regulator's jurisdiction).
    pub region_prefix: Option<String>,
    pub status: Option<String>,
    /// Chinese text the notice, product or defect must contain.
    pub text: Option<String>,
}

fn recall_json(recall: &NewRecall) -> Value {
    serde_json::json!({
        "id": recall.id, "regime": recall.regime, "origin": recall.origin, "producer_uscc": recall.producer_uscc,
        "product_name": recall.product_name, "gtins": recall.gtins, "lots": recall.lots, "defect": recall.defect,
        "severe": recall.severe, "learned_on": recall.learned_on, "trace_start": recall.trace_start,
    })
}

fn recall_tokens(recall: &NewRecall, notice_title: Option<&str>, notice_body: Option<&str>) -> String {
    search::index_text(
        [recall.product_name.as_str(), recall.defect.as_str()].into_iter().chain(notice_title).chain(notice_body),
    )
}

impl Store {
    /// The next free recall number of a year: `ZL-RC-2026-0001`, …
    pub async fn next_recall_id(&self, year: i32) -> Result<String, StoreError> {
        let prefix = format!("ZL-RC-{year}-");
        let last: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT MAX(id) FROM recalls WHERE id LIKE $1").bind(format!("{prefix}%")).fetch_one(pool).await?
        });
        let next = last.and_then(|id| id.rsplit('-').next()?.parse::<u32>().ok()).unwrap_or(0) + 1;
        Ok(format!("{prefix}{next:04}"))
    }

    /// Opens a recall with its first history entry, atomically.
    pub async fn create_recall(
        &self,
        recall: &NewRecall,
        first: &NewRecallEvent,
        status: &str,
        next: (Option<String>, Option<String>),
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        let tokens = recall_tokens(recall, None, None);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let exists: Option<String> = sqlx::query_scalar("SELECT id FROM recalls WHERE id = $1").bind(&recall.id).fetch_optional(&mut *tx).await?;
            if exists.is_some() {
                return Err(StoreError::Conflict(format!("recall {} already exists", recall.id)));
            }
            let producer: Option<String> = sqlx::query_scalar("SELECT uscc FROM organizations WHERE uscc = $1")
                .bind(&recall.producer_uscc)
                .fetch_optional(&mut *tx)
                .await?;
            if producer.is_none() {
                return Err(StoreError::MissingReference { kind: "organization", key: recall.producer_uscc.clone() });
            }
            sqlx::query(
                "INSERT INTO recalls (id, regime, status, origin, producer_uscc, region_code, product_name, gtins, lots, defect, \
                 severe, learned_on, trace_start, units_recovered, next_stage, next_due_on, search_tokens, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $15, $16, $17, $17)",
            )
            .bind(&recall.id)
            .bind(&recall.regime)
            .bind(status)
            .bind(&recall.origin)
            .bind(&recall.producer_uscc)
            .bind(&recall.region_code)
            .bind(&recall.product_name)
            .bind(serde_json::to_string(&recall.gtins)?)
            .bind(serde_json::to_string(&recall.lots)?)
            .bind(&recall.defect)
            .bind(i64::from(recall.severe))
            .bind(&recall.learned_on)
            .bind(recall.trace_start.as_deref())
            .bind(next.0.as_deref())
            .bind(next.1.as_deref())
            .bind(&tokens)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            insert_event!(&mut *tx, &recall.id, first, &at, user_id);
            let after = serde_json::json!({"recall": recall_json(recall), "event": first.data}).to_string();
            write_recall_audit!(&mut *tx, &at, user_id, &recall.id, &first.stage, None::<String>, Some(after));
            tx.commit().await?;
            Ok(())
        })
    }

    /// A recall.
    pub async fn recall(&self, id: &str) -> Result<Option<Recall>, StoreError> {
        let sql = format!("SELECT {RECALL_COLUMNS} FROM recalls WHERE id = $1");
        let row: Option<RecallRow> =
            on_pool!(self, pool => { sqlx::query_as(&sql).bind(id).fetch_optional(pool).await? });
        Ok(row.map(Recall::from))
    }

    /// Recalls whose next stage is due on or after `from`: the deadlines a newly loaded calendar year may move.
    pub async fn recalls_due_from(&self, from: &str) -> Result<Vec<Recall>, StoreError> {
        let sql = format!("SELECT {RECALL_COLUMNS} FROM recalls WHERE next_due_on >= $1 ORDER BY id");
        let rows: Vec<RecallRow> = on_pool!(self, pool => { sqlx::query_as(&sql).bind(from).fetch_all(pool).await? });
        Ok(rows.into_iter().map(Recall::from).collect())
    }

    /// Recalls matching a filter, newest first, at most `limit`.
    pub async fn recalls(&self, filter: &RecallFilter, limit: i64) -> Result<Vec<Recall>, StoreError> {
        let tokens = filter.text.as_deref().map(search::query_tokens).unwrap_or_default();
        if filter.text.as_deref().is_some_and(|t| !t.trim().is_empty()) && tokens.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = Query::new(format!("SELECT {RECALL_COLUMNS} FROM recalls WHERE 1 = 1"));
        if filter.published_only {
            query.push(" AND notice_published_on IS NOT NULL");
        }
        if let Some(uscc) = &filter.producer_uscc {
            query.push(" AND producer_uscc = ").bind_text(uscc);
        }
        if let Some(prefix) = &filter.region_prefix {
            query.push(" AND region_code LIKE ").bind_text(format!("{prefix}%"));
        }
        if let Some(status) = &filter.status {
            query.push(" AND status = ").bind_text(status);
        }
        if !tokens.is_empty() {
            query.text_match("recalls", &tokens);
        }
        query.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind_int(limit);
        let rows: Vec<RecallRow> = on_pool!(self, pool => query.builder().build_query_as().fetch_all(pool).await?);
        Ok(rows.into_iter().map(Recall::from).collect())
    }

    /// A recall's history, oldest first.
    pub async fn recall_events(&self, id: &str) -> Result<Vec<RecallEvent>, StoreError> {
        let rows: Vec<RecallEventRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, recall_id, stage, at, on_date, user_id, note, data, due_on, late FROM recall_events \
                 WHERE recall_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|row| RecallEvent {
                id: row.id,
                recall_id: row.recall_id,
                stage: row.stage,
                at: row.at,
                on_date: row.on_date,
                user_id: row.user_id,
                note: row.note,
                data: json_or_null(row.data),
                due_on: row.due_on,
                late: row.late != 0,
            })
            .collect())
    }

    /// Applies a stage: the changed fields and the history entry, with the audit record, atomically. The
    /// status must still be `expected_status`, so two clerks cannot both move a recall on from one state.
    pub async fn change_recall(
        &self,
        id: &str,
        expected_status: &str,
        change: &RecallChange,
        event: &NewRecallEvent,
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        let current = self
            .recall(id)
            .await?
            .ok_or_else(|| StoreError::MissingReference { kind: "recall", key: id.to_owned() })?;
        let tokens = {
            let title = change.notice_title.as_deref().or(current.notice_title.as_deref());
            let body = change.notice_body.as_deref().or(current.notice_body.as_deref());
            search::index_text(
                [current.product_name.as_str(), current.defect.as_str()].into_iter().chain(title).chain(body),
            )
        };
        let text = |v: &Option<Value>| v.as_ref().map(Value::to_string);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut builder = QueryBuilder::new("UPDATE recalls SET updated_at = ");
            builder.push_bind(at.clone());
            builder.push(", search_tokens = ").push_bind(tokens);
            let set_text = |builder: &mut QueryBuilder<_>, column: &str, value: Option<String>| {
                if let Some(value) = value {
                    builder.push(format!(", {column} = ")).push_bind(value);
                }
            };
            set_text(&mut builder, "status", change.status.clone());
            set_text(&mut builder, "decision", change.decision.clone());
            set_text(&mut builder, "remedy", change.remedy.clone());
            set_text(&mut builder, "plan", text(&change.plan));
            set_text(&mut builder, "scope", text(&change.scope));
            set_text(&mut builder, "notice_title", change.notice_title.clone());
            set_text(&mut builder, "notice_body", change.notice_body.clone());
            set_text(&mut builder, "notice_published_on", change.notice_published_on.clone());
            set_text(&mut builder, "evaluation", text(&change.evaluation));
            for (column, value) in [
                ("units_produced", change.units_produced),
                ("units_distributed", change.units_distributed),
                ("units_recovered", change.units_recovered),
            ] {
                if let Some(value) = value {
                    builder.push(format!(", {column} = ")).push_bind(value);
                }
            }
            if let Some((stage, due)) = &change.next {
                builder.push(", next_stage = ").push_bind(stage.clone());
                builder.push(", next_due_on = ").push_bind(due.clone());
            }
            builder.push(" WHERE id = ").push_bind(id.to_owned());
            builder.push(" AND status = ").push_bind(expected_status.to_owned());
            let updated = builder.build().execute(&mut *tx).await?.rows_affected();
            if updated == 0 {
                return Err(StoreError::Conflict(format!("recall {id} is no longer {expected_status}")));
            }
            insert_event!(&mut *tx, id, event, &at, user_id);
            let before = serde_json::to_string(&current)?;
            let after = serde_json::json!({"status": change.status, "event": event.data, "note": event.note}).to_string();
            write_recall_audit!(&mut *tx, &at, user_id, id, &event.stage, Some(before), Some(after));
            if let Some(published_on) = &change.notice_published_on {
                // The public notice goes to the public log in the transaction that publishes it.
                let entry = crate::public_log::NewEntry {
                    kind: "recall_notice".into(),
                    subject: current.producer_uscc.clone(),
                    data: crate::public_log::canonical(&serde_json::json!({
                        "type": "recall_notice", "recall_id": id, "producer_uscc": current.producer_uscc,
                        "product_name": current.product_name, "gtins": current.gtins, "lots": current.lots, "defect": current.defect,
                        "remedy": change.remedy.clone().or(current.remedy.clone()),
                        "title": change.notice_title.clone().or(current.notice_title.clone()),
                        "body": change.notice_body.clone().or(current.notice_body.clone()), "published_on": published_on,
                    })),
                };
                crate::public_log::append_in!(tx, std::slice::from_ref(&entry));
            }
            tx.commit().await?;
            Ok(())
        })
    }
}
