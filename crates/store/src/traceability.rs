//! Traceability storage (质量追溯): EPCIS capture in one transaction per capture, the SimpleEventQuery,
//! trace edges, and GLNs registered to organizations.

use std::collections::{BTreeMap, HashMap, HashSet};

use epcis::trace::{edges, Edge, EdgeKind, StoredEdge};
use epcis::{Event, Role};
use serde::Serialize;
use serde_json::Value;
use sqlx::{QueryBuilder, Row};

use crate::on_pool;
use crate::store::{now, write_audit, Backend, Store};
use crate::StoreError;

/// Rows per multi-row INSERT: 16 parameters an event row stays under SQLite's bound-parameter limit.
const ROWS_PER_STATEMENT: usize = 1_000;
/// Keys per `IN (…)` list.
const KEYS_PER_LOOKUP: usize = 5_000;

/// What a capture does when events have problems (`GS1-Capture-Error-Behaviour`): `rollback` (the default) stores
/// nothing; `proceed` stores the events without problems, as long as the header and context have none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ErrorBehaviour {
    /// Store nothing (the default).
    Rollback,
    /// Store the valid events.
    Proceed,
}

impl ErrorBehaviour {
    /// The header value.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorBehaviour::Rollback => "rollback",
            ErrorBehaviour::Proceed => "proceed",
        }
    }

    /// Reads a header value (any case).
    pub fn parse(value: &str) -> Option<Self> {
        [ErrorBehaviour::Rollback, ErrorBehaviour::Proceed].into_iter().find(|b| b.as_str().eq_ignore_ascii_case(value))
    }
}

rulekit::text_enum! {
    /// How a capture job ended.
    pub enum CaptureStatus ("capture status") {
        Succeeded = "succeeded" ("成功", "succeeded"),
        Failed = "failed" ("失败", "failed"),
    }
}

rulekit::text_enum! {
    /// What a registered GLN names.
    pub enum GlnKind ("GLN kind") {
        Party = "party" ("参与方", "party"),
        Location = "location" ("地点", "location"),
    }
}

/// A capture job as its status URL shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaptureJob {
    pub id: i64,
    pub status: CaptureStatus,
    pub error_behaviour: String,
    pub event_count: i64,
    pub stored_count: i64,
    pub duplicate_count: i64,
    /// Problems found, as RFC 7807 members (`pointer`, `code`, `message`).
    pub problems: Value,
    pub created_at: String,
    pub finished_at: String,
    /// Who captured.
    #[serde(skip)]
    pub user_id: Option<i64>,
}

/// The outcome of a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptureOutcome {
    pub capture_id: i64,
    pub stored: usize,
    /// Events already in the repository (same eventID or same event hash), stored once.
    pub duplicates: usize,
}

/// A registered GLN: a party (PGLN) or a location (SGLN) and who holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct GlnRegistration {
    pub gln: String,
    /// `party` or `location`.
    pub kind: String,
    pub uscc: Option<String>,
    pub name: String,
    pub region_code: String,
    pub address: Option<String>,
}

/// How a MATCH_ parameter compares identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdMatch {
    /// The canonical identifier itself.
    Exact(String),
    /// Every identifier of a class: the class link itself or anything under `link/`.
    Class(String),
}

/// A SimpleEventQuery, its parameters already checked and identifiers canonical.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventQuery {
    pub event_types: Vec<String>,
    pub ge_event_time: Option<i64>,
    pub lt_event_time: Option<i64>,
    pub ge_record_time: Option<i64>,
    pub lt_record_time: Option<i64>,
    pub actions: Vec<String>,
    pub biz_steps: Vec<String>,
    pub dispositions: Vec<String>,
    pub read_points: Vec<String>,
    pub biz_locations: Vec<String>,
    pub event_ids: Vec<String>,
    pub transformation_ids: Vec<String>,
    /// Identifier conditions: roles and the identifiers any of which must appear in one of them. All
    /// conditions must hold.
    pub id_conditions: Vec<(Vec<Role>, Vec<IdMatch>)>,
    pub error_declared: Option<bool>,
    /// Order by record time instead of event time.
    pub order_by_record_time: bool,
    pub descending: bool,
    /// Page size.
    pub limit: i64,
    /// Position after which this page starts: (sort key, row id).
    pub after: Option<(i64, i64)>,
}

/// A page of events.
#[derive(Debug, Clone, PartialEq)]
pub struct EventPage {
    pub events: Vec<Value>,
    /// Where the next page starts, if there is one.
    pub next: Option<(i64, i64)>,
}

fn role_names(roles: &[Role]) -> Vec<&'static str> {
    roles.iter().map(|r| r.as_str()).collect()
}

/// The smallest string greater than every string starting with `prefix`.
fn after_prefix(prefix: &str) -> String {
    let mut upper = prefix.to_owned();
    upper.push(char::MAX);
    upper
}

/// An event ready to insert: its row id, the event, and its edges.
struct NewRow<'a> {
    row: i64,
    event: &'a Event,
    document: String,
}

impl Store {
    /// Stores a capture's events in one transaction, each event once: an event whose eventID or hash is
    /// already stored (or appears earlier in the same capture) counts as a duplicate and is not stored again.
    pub async fn capture_events(
        &self,
        events: &[Event],
        behaviour: ErrorBehaviour,
        problems: &Value,
        user_id: Option<i64>,
    ) -> Result<CaptureOutcome, StoreError> {
        let at = now();
        let record_time = chrono::Utc::now().timestamp_millis();
        let mut seen_ids = HashSet::new();
        let mut seen_hashes = HashSet::new();
        let mut unique: Vec<&Event> = Vec::with_capacity(events.len());
        for event in events {
            let declared = event.error_declared;
            if seen_ids.insert((event.event_id.as_str(), declared))
                && seen_hashes.insert((event.hash.as_str(), declared))
            {
                unique.push(event);
            }
        }
        let problems_text =
            if problems.as_array().is_some_and(|p| p.is_empty()) { None } else { Some(problems.to_string()) };
        if let Some(direct) = self.direct() {
            // A SQLite file takes the capture on its writer connection with prepared statements, off the runtime.
            let unique: Vec<Event> = unique.into_iter().cloned().collect();
            let meta =
                CaptureMeta { behaviour, event_count: events.len(), problems: problems_text, user_id, at, record_time };
            return tokio::task::spawn_blocking(move || {
                direct.with_writer(|connection| capture_direct(connection, &unique, &meta))
            })
            .await
            .expect("capture writer panicked");
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // The capture row comes first: it takes the write lock before row ids are assigned.
            let capture_id: i64 = sqlx::query_scalar(
                "INSERT INTO epcis_captures (status, error_behaviour, event_count, stored_count, duplicate_count, \
                 problems, user_id, created_at, finished_at) VALUES ('succeeded', $1, $2, 0, 0, $3, $4, $5, $5) RETURNING id",
            )
            .bind(behaviour.as_str())
            .bind(events.len() as i64)
            .bind(problems_text.as_deref())
            .bind(user_id)
            .bind(&at)
            .fetch_one(&mut *tx)
            .await?;

            let fresh = unique;
            // Row ids are known before the insert, so identifier and edge rows can refer to them.
            let row_ids: Vec<i64> = match self.backend() {
                Backend::Sqlite(_) => {
                    let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM epcis_events").fetch_one(&mut *tx).await?;
                    (first..first + fresh.len() as i64).collect()
                }
                Backend::Postgres(_) => {
                    sqlx::query_scalar("SELECT nextval('epcis_events_id_seq') FROM generate_series(1, $1)")
                        .bind(fresh.len() as i64)
                        .fetch_all(&mut *tx)
                        .await?
                }
            };
            let rows: Vec<NewRow> = fresh
                .iter()
                .zip(&row_ids)
                .map(|(event, &row)| NewRow { row, event, document: event.document.to_string() })
                .collect();
            let new_rows: HashSet<i64> = row_ids.iter().copied().collect();
            let mut inserted: HashSet<i64> = HashSet::with_capacity(rows.len());

            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let mut builder = QueryBuilder::new(
                    "INSERT INTO epcis_events (id, event_id, event_hash, event_type, event_time, record_time, \
                     time_zone_offset, action, biz_step, disposition, read_point, biz_location, transformation_id, \
                     error_declared, capture_id, document) ",
                );
                builder.push_values(chunk, |mut b, r| {
                    let e = r.event;
                    b.push_bind(r.row)
                        .push_bind(e.event_id.as_str())
                        .push_bind(e.hash.as_str())
                        .push_bind(e.event_type.as_str())
                        .push_bind(e.event_time)
                        .push_bind(record_time)
                        .push_bind(e.time_zone_offset.as_str())
                        .push_bind(e.action.map(|a| a.as_str()))
                        .push_bind(e.biz_step.as_deref())
                        .push_bind(e.disposition.as_deref())
                        .push_bind(e.read_point.as_deref())
                        .push_bind(e.biz_location.as_deref())
                        .push_bind(e.transformation_id.as_deref())
                        .push_bind(i64::from(e.error_declared))
                        .push_bind(capture_id)
                        .push_bind(r.document.as_str());
                });
                // An event already stored (same hash, or same explicit eventID) is skipped, not an error.
                builder.push(" ON CONFLICT DO NOTHING RETURNING id");
                for row in builder.build().fetch_all(&mut *tx).await? {
                    inserted.insert(row.try_get::<i64, _>(0)?);
                }
            }
            let rows: Vec<NewRow> = rows.into_iter().filter(|r| inserted.contains(&r.row)).collect();

            let ids: Vec<(i64, &epcis::QuantityElement)> =
                rows.iter().flat_map(|r| r.event.ids.iter().map(move |q| (r.row, q))).collect();
            for chunk in ids.chunks(ROWS_PER_STATEMENT * 3) {
                let mut builder = QueryBuilder::new("INSERT INTO epcis_event_ids (event, role, id, quantity, uom) ");
                builder.push_values(chunk, |mut b, (row, q)| {
                    b.push_bind(*row).push_bind(q.role.as_str()).push_bind(q.id.as_str()).push_bind(q.quantity).push_bind(q.uom.as_deref());
                });
                builder.build().execute(&mut *tx).await?;
            }

            // Declared errors do not state facts: their edges are left out.
            let mut new_edges: Vec<StoredEdge> = rows
                .iter()
                .filter(|r| !r.event.error_declared)
                .flat_map(|r| edges(r.event).into_iter().map(move |edge| StoredEdge { edge, event: r.row, time: r.event.event_time }))
                .collect();

            // Transformations split over several events share a transformationID: join their inputs and outputs.
            let transformation_ids: Vec<&str> =
                rows.iter().filter(|r| !r.event.error_declared).filter_map(|r| r.event.transformation_id.as_deref()).collect();
            if !transformation_ids.is_empty() {
                let mut members: Vec<TransformationMember> = Vec::new();
                for chunk in transformation_ids.chunks(KEYS_PER_LOOKUP) {
                    let mut builder = QueryBuilder::new(
                        "SELECT id, document FROM epcis_events WHERE error_declared = 0 AND transformation_id IN (",
                    );
                    let mut list = builder.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    list.push_unseparated(")");
                    for row in builder.build().fetch_all(&mut *tx).await? {
                        members.extend(transformation_members(row.try_get(0)?, &row.try_get::<String, _>(1)?)?);
                    }
                }
                new_edges.extend(transformation_edges(&members, &new_rows));
            }

            for chunk in new_edges.chunks(ROWS_PER_STATEMENT * 2) {
                let mut builder =
                    QueryBuilder::new("INSERT INTO epcis_edges (kind, from_id, to_id, label, quantity, uom, event, event_time) ");
                builder.push_values(chunk, |mut b, e| {
                    b.push_bind(e.edge.kind.as_str())
                        .push_bind(e.edge.from.as_str())
                        .push_bind(e.edge.to.as_str())
                        .push_bind(e.edge.label.as_deref())
                        .push_bind(e.edge.quantity)
                        .push_bind(e.edge.uom.as_deref())
                        .push_bind(e.event)
                        .push_bind(e.time);
                });
                builder.build().execute(&mut *tx).await?;
            }

            // A declared error withdraws the original event's facts from the trace (the event itself stays).
            for row in rows.iter().filter(|r| r.event.error_declared) {
                sqlx::query(
                    "DELETE FROM epcis_edges WHERE event IN \
                     (SELECT id FROM epcis_events WHERE event_hash = $1 AND error_declared = 0)",
                )
                .bind(row.event.hash.as_str())
                .execute(&mut *tx)
                .await?;
            }
            let duplicates = events.len() - rows.len();
            sqlx::query("UPDATE epcis_captures SET stored_count = $1, duplicate_count = $2 WHERE id = $3")
                .bind(rows.len() as i64)
                .bind(duplicates as i64)
                .bind(capture_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(CaptureOutcome { capture_id, stored: rows.len(), duplicates })
        })
    }

    /// Records a capture that stored nothing, with the problems that stopped it.
    pub async fn record_failed_capture(
        &self,
        event_count: usize,
        behaviour: ErrorBehaviour,
        problems: &Value,
        user_id: Option<i64>,
    ) -> Result<i64, StoreError> {
        let at = now();
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar::<_, i64>(
                "INSERT INTO epcis_captures (status, error_behaviour, event_count, stored_count, duplicate_count, \
                 problems, user_id, created_at, finished_at) VALUES ('failed', $1, $2, 0, 0, $3, $4, $5, $5) RETURNING id",
            )
            .bind(behaviour.as_str())
            .bind(event_count as i64)
            .bind(problems.to_string())
            .bind(user_id)
            .bind(&at)
            .fetch_one(pool)
            .await?)
        })
    }

    /// A capture job.
    pub async fn capture_job(&self, id: i64) -> Result<Option<CaptureJob>, StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query(
                "SELECT id, status, error_behaviour, event_count, stored_count, duplicate_count, problems, created_at, \
                 finished_at, user_id FROM epcis_captures WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let problems: Option<String> = row.try_get(6)?;
            Ok(Some(CaptureJob {
                id: row.try_get(0)?,
                status: crate::error::stored(&row.try_get::<String, _>(1)?)?,
                error_behaviour: row.try_get(2)?,
                event_count: row.try_get(3)?,
                stored_count: row.try_get(4)?,
                duplicate_count: row.try_get(5)?,
                problems: problems.and_then(|p| serde_json::from_str(&p).ok()).unwrap_or(Value::Array(Vec::new())),
                created_at: row.try_get(7)?,
                finished_at: row.try_get(8)?,
                user_id: row.try_get(9)?,
            }))
        })
    }

    /// The most recent capture jobs, newest first; only one user's when `user_id` is given.
    pub async fn recent_capture_jobs(&self, limit: i64, user_id: Option<i64>) -> Result<Vec<CaptureJob>, StoreError> {
        let ids: Vec<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM epcis_captures WHERE ($1 IS NULL OR user_id = $1) ORDER BY id DESC LIMIT $2")
                .bind(user_id)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        let mut jobs = Vec::with_capacity(ids.len());
        for id in ids {
            jobs.extend(self.capture_job(id).await?);
        }
        Ok(jobs)
    }

    /// Runs a SimpleEventQuery; events come back as captured, with `recordTime` filled in.
    pub async fn query_events(&self, query: &EventQuery) -> Result<EventPage, StoreError> {
        let sort_column = if query.order_by_record_time { "record_time" } else { "event_time" };
        on_pool!(self, pool => {
            let mut builder = QueryBuilder::new(format!("SELECT e.id, e.{sort_column}, e.record_time, e.document FROM epcis_events e WHERE 1 = 1"));
            let any_of = |builder: &mut QueryBuilder<_>, column: &str, values: &[String]| {
                if values.is_empty() {
                    return;
                }
                builder.push(format!(" AND e.{column} IN ("));
                let mut list = builder.separated(", ");
                for value in values {
                    list.push_bind(value.clone());
                }
                list.push_unseparated(")");
            };
            any_of(&mut builder, "event_type", &query.event_types);
            any_of(&mut builder, "action", &query.actions);
            any_of(&mut builder, "biz_step", &query.biz_steps);
            any_of(&mut builder, "disposition", &query.dispositions);
            any_of(&mut builder, "read_point", &query.read_points);
            any_of(&mut builder, "biz_location", &query.biz_locations);
            if !query.event_ids.is_empty() {
                // Hash-identified events are found by their hash index, explicit IDs by theirs.
                builder.push(" AND (e.event_hash IN (");
                let mut list = builder.separated(", ");
                for id in &query.event_ids {
                    list.push_bind(id.clone());
                }
                builder.push(") OR (e.event_id <> e.event_hash AND e.event_id IN (");
                let mut list = builder.separated(", ");
                for id in &query.event_ids {
                    list.push_bind(id.clone());
                }
                builder.push(")))");
            }
            any_of(&mut builder, "transformation_id", &query.transformation_ids);
            for (column, bound, op) in [
                ("event_time", query.ge_event_time, ">="),
                ("event_time", query.lt_event_time, "<"),
                ("record_time", query.ge_record_time, ">="),
                ("record_time", query.lt_record_time, "<"),
            ] {
                if let Some(bound) = bound {
                    builder.push(format!(" AND e.{column} {op} ")).push_bind(bound);
                }
            }
            if let Some(declared) = query.error_declared {
                builder.push(" AND e.error_declared = ").push_bind(i64::from(declared));
            }
            for (roles, matches) in &query.id_conditions {
                builder.push(" AND e.id IN (SELECT i.event FROM epcis_event_ids i WHERE i.role IN (");
                let mut list = builder.separated(", ");
                for role in role_names(roles) {
                    list.push_bind(role);
                }
                list.push_unseparated(") AND (");
                for (n, condition) in matches.iter().enumerate() {
                    if n > 0 {
                        builder.push(" OR ");
                    }
                    match condition {
                        IdMatch::Exact(id) => {
                            builder.push("i.id = ").push_bind(id.clone());
                        }
                        IdMatch::Class(class) => {
                            let under = format!("{class}/");
                            builder.push("(i.id = ").push_bind(class.clone());
                            builder.push(" OR (i.id >= ").push_bind(under.clone());
                            builder.push(" AND i.id < ").push_bind(after_prefix(&under)).push("))");
                        }
                    }
                }
                builder.push("))");
            }
            let (op, direction) = if query.descending { ("<", "DESC") } else { (">", "ASC") };
            if let Some((key, id)) = query.after {
                builder.push(format!(" AND (e.{sort_column} {op} ")).push_bind(key);
                builder.push(format!(" OR (e.{sort_column} = ")).push_bind(key);
                builder.push(format!(" AND e.id {op} ")).push_bind(id).push("))");
            }
            builder.push(format!(" ORDER BY e.{sort_column} {direction}, e.id {direction} LIMIT ")).push_bind(query.limit + 1);
            let rows = builder.build().fetch_all(pool).await?;
            let mut events = Vec::with_capacity(rows.len());
            let mut last = None;
            for row in rows.iter().take(query.limit as usize) {
                let id: i64 = row.try_get(0)?;
                let key: i64 = row.try_get(1)?;
                let record_time: i64 = row.try_get(2)?;
                let text: String = row.try_get(3)?;
                let mut document: Value = serde_json::from_str(&text)?;
                document["recordTime"] = Value::String(epcis::time::from_millis(record_time));
                events.push(document);
                last = Some((key, id));
            }
            let next = if rows.len() as i64 > query.limit { last } else { None };
            Ok(EventPage { events, next })
        })
    }

    /// Every stored version of an event (the event, and its error declaration if one was captured).
    pub async fn epcis_event(&self, event_id: &str) -> Result<Vec<Value>, StoreError> {
        let query = EventQuery { event_ids: vec![event_id.to_owned()], limit: 2, ..EventQuery::default() };
        Ok(self.query_events(&query).await?.events)
    }

    /// Trace edges touching any of `ids`, as source or target.
    pub async fn trace_edges(&self, ids: &[String]) -> Result<Vec<StoredEdge>, StoreError> {
        let mut edges = Vec::new();
        on_pool!(self, pool => {
            for chunk in ids.chunks(KEYS_PER_LOOKUP / 2) {
                for column in ["from_id", "to_id"] {
                    let mut builder = QueryBuilder::new(format!(
                        "SELECT kind, from_id, to_id, label, quantity, uom, event, event_time FROM epcis_edges WHERE {column} IN ("
                    ));
                    let mut list = builder.separated(", ");
                    for id in chunk {
                        list.push_bind(id.as_str());
                    }
                    list.push_unseparated(")");
                    for row in builder.build().fetch_all(pool).await? {
                        let kind: String = row.try_get(0)?;
                        let Some(kind) = EdgeKind::parse(&kind) else { continue };
                        edges.push(StoredEdge {
                            edge: Edge {
                                kind,
                                from: row.try_get(1)?,
                                to: row.try_get(2)?,
                                label: row.try_get(3)?,
                                quantity: row.try_get(4)?,
                                uom: row.try_get(5)?,
                            },
                            event: row.try_get(6)?,
                            time: row.try_get(7)?,
                        });
                    }
                }
            }
            Ok(edges)
        })
    }

    /// The eventIDs of event rows, for paths.
    pub async fn event_ids_of_rows(&self, rows: &[i64]) -> Result<HashMap<i64, (String, String, i64)>, StoreError> {
        let mut out = HashMap::new();
        on_pool!(self, pool => {
            for chunk in rows.chunks(KEYS_PER_LOOKUP) {
                let mut builder = QueryBuilder::new("SELECT id, event_id, biz_step, event_time FROM epcis_events WHERE id IN (");
                let mut list = builder.separated(", ");
                for row in chunk {
                    list.push_bind(*row);
                }
                list.push_unseparated(")");
                for row in builder.build().fetch_all(pool).await? {
                    let step: Option<String> = row.try_get(2)?;
                    out.insert(row.try_get(0)?, (row.try_get(1)?, step.unwrap_or_default(), row.try_get(3)?));
                }
            }
            Ok(out)
        })
    }

    /// The largest quantity any one event states for each class (lot) identifier, per unit of measure (`None`:
    /// units): how many a commissioning or transformation made, at least.
    pub async fn stated_quantities(&self, ids: &[String]) -> Result<Vec<(String, Option<String>, f64)>, StoreError> {
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for chunk in ids.chunks(KEYS_PER_LOOKUP) {
                let mut builder =
                    QueryBuilder::new("SELECT id, uom, MAX(quantity) FROM epcis_event_ids WHERE quantity IS NOT NULL AND id IN (");
                let mut list = builder.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_str());
                }
                list.push_unseparated(") GROUP BY id, uom ORDER BY id");
                for row in builder.build().fetch_all(pool).await? {
                    out.push((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?));
                }
            }
            Ok(out)
        })
    }

    /// Registers (or updates) GLNs of parties and locations.
    pub async fn register_glns(
        &self,
        registrations: &[GlnRegistration],
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // One audit row per registration when few (the API), one for the batch otherwise (the demo, imports).
            if registrations.len() <= 10 {
                for r in registrations {
                    let after = serde_json::to_string(r)?;
                    write_audit!(&mut *tx, at, user_id, "gln", r.gln.clone(), ("register", None::<String>, Some(after)));
                }
            } else {
                let after = serde_json::json!({"registrations": registrations.len()}).to_string();
                let key = format!("batch of {}", registrations.len());
                write_audit!(&mut *tx, at, user_id, "gln", key, ("import", None::<String>, Some(after)));
            }
            for chunk in registrations.chunks(ROWS_PER_STATEMENT) {
                let mut builder = QueryBuilder::new(
                    "INSERT INTO gln_registrations (gln, kind, uscc, name, region_code, address, created_at, updated_at) ",
                );
                builder.push_values(chunk, |mut b, r| {
                    b.push_bind(r.gln.as_str())
                        .push_bind(r.kind.as_str())
                        .push_bind(r.uscc.as_deref())
                        .push_bind(r.name.as_str())
                        .push_bind(r.region_code.as_str())
                        .push_bind(r.address.as_deref())
                        .push_bind(at.as_str())
                        .push_bind(at.as_str());
                });
                builder.push(
                    " ON CONFLICT (gln) DO UPDATE SET kind = excluded.kind, uscc = excluded.uscc, name = excluded.name, \
                     region_code = excluded.region_code, address = excluded.address, updated_at = excluded.updated_at",
                );
                builder.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records that an organization holds a GS1 company prefix (an administrator's register). Audited.
    pub async fn set_gs1_prefix(
        &self,
        prefix: &str,
        uscc: &codes::Uscc,
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        let uscc = uscc.as_str();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let before: Option<String> = sqlx::query_scalar("SELECT uscc FROM gs1_prefixes WHERE prefix = $1")
                .bind(prefix)
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO gs1_prefixes (prefix, uscc, created_at, updated_at) VALUES ($1, $2, $3, $3) \
                 ON CONFLICT (prefix) DO UPDATE SET uscc = excluded.uscc, updated_at = excluded.updated_at",
            )
            .bind(prefix)
            .bind(uscc)
            .bind(&at)
            .execute(&mut *tx)
            .await
            .map_err(|e| match e {
                sqlx::Error::Database(d) if d.is_foreign_key_violation() => {
                    StoreError::MissingReference { kind: "organization", key: uscc.to_owned() }
                }
                other => StoreError::from(other),
            })?;
            let action = if before.is_some() { "update" } else { "insert" };
            let json = |holder: Option<&str>| holder.map(|h| serde_json::json!({"prefix": prefix, "uscc": h}).to_string());
            write_audit!(&mut *tx, at, user_id, "gs1_prefix", prefix.to_owned(), (action, json(before.as_deref()), json(Some(uscc))));
            tx.commit().await?;
            Ok(())
        })
    }

    /// The registered GS1 company prefix a key (a GLN, or a GTIN-13) starts with, and its holder: the longest.
    pub async fn gs1_prefix_of(&self, key: &str) -> Result<Option<(String, String)>, StoreError> {
        let candidates: Vec<&str> = (4..key.len().min(12) + 1).filter_map(|n| key.get(..n)).collect();
        if candidates.is_empty() {
            return Ok(None);
        }
        on_pool!(self, pool => {
            let mut builder = QueryBuilder::new("SELECT prefix, uscc FROM gs1_prefixes WHERE prefix IN (");
            let mut list = builder.separated(", ");
            for candidate in &candidates {
                list.push_bind(*candidate);
            }
            list.push_unseparated(") ORDER BY length(prefix) DESC LIMIT 1");
            let row = builder.build().fetch_optional(pool).await?;
            row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
        })
    }

    /// The GS1 company prefixes an organization holds.
    pub async fn gs1_prefixes_of(&self, uscc: &codes::Uscc) -> Result<Vec<String>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT prefix FROM gs1_prefixes WHERE uscc = $1 ORDER BY prefix")
                .bind(uscc.as_str())
                .fetch_all(pool)
                .await?)
        })
    }

    /// Registrations of the given GLNs (13 digits), by GLN.
    pub async fn gln_registrations(&self, glns: &[String]) -> Result<BTreeMap<String, GlnRegistration>, StoreError> {
        let mut out = BTreeMap::new();
        on_pool!(self, pool => {
            for chunk in glns.chunks(KEYS_PER_LOOKUP) {
                let mut builder = QueryBuilder::new(
                    "SELECT gln, kind, uscc, name, region_code, address FROM gln_registrations WHERE gln IN (",
                );
                let mut list = builder.separated(", ");
                for gln in chunk {
                    list.push_bind(gln.as_str());
                }
                list.push_unseparated(")");
                for registration in builder.build_query_as::<GlnRegistration>().fetch_all(pool).await? {
                    out.insert(registration.gln.clone(), registration);
                }
            }
            Ok(out)
        })
    }
}

/// What a capture records about itself.
struct CaptureMeta {
    behaviour: ErrorBehaviour,
    event_count: usize,
    problems: Option<String>,
    user_id: Option<i64>,
    at: String,
    record_time: i64,
}

/// The identifiers of a stored transformation event, read back from its document (which carries its context).
fn transformation_members(row: i64, document: &str) -> Result<Vec<TransformationMember>, StoreError> {
    let document: Value = serde_json::from_str(document)?;
    let Some(event) = epcis::events_of(&document).ok().and_then(|mut events| events.pop()) else {
        return Ok(Vec::new());
    };
    let Some(transformation_id) = event.transformation_id.clone() else { return Ok(Vec::new()) };
    Ok(event
        .ids
        .iter()
        .map(|element| TransformationMember {
            transformation_id: transformation_id.clone(),
            row,
            time: event.event_time,
            role: element.role,
            id: element.id.clone(),
            quantity: element.quantity,
            uom: element.uom.clone(),
        })
        .collect())
}

/// The capture on a SQLite file: one immediate transaction, prepared single-row statements.
fn capture_direct(
    connection: &mut rusqlite::Connection,
    events: &[Event],
    meta: &CaptureMeta,
) -> Result<CaptureOutcome, StoreError> {
    let transaction = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    transaction.execute(
        "INSERT INTO epcis_captures (status, error_behaviour, event_count, stored_count, duplicate_count, problems, user_id, \
         created_at, finished_at) VALUES ('succeeded', ?1, ?2, 0, 0, ?3, ?4, ?5, ?5)",
        rusqlite::params![meta.behaviour.as_str(), meta.event_count as i64, meta.problems, meta.user_id, meta.at],
    )?;
    let capture_id = transaction.last_insert_rowid();
    let first: i64 =
        transaction.query_row("SELECT COALESCE(MAX(id), 0) + 1 FROM epcis_events", [], |row| row.get(0))?;
    let mut stored: Vec<(i64, &Event)> = Vec::with_capacity(events.len());
    {
        let mut insert_event = transaction.prepare_cached(
            "INSERT INTO epcis_events (id, event_id, event_hash, event_type, event_time, record_time, time_zone_offset, \
             action, biz_step, disposition, read_point, biz_location, transformation_id, error_declared, capture_id, document) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) ON CONFLICT DO NOTHING",
        )?;
        let mut insert_id = transaction.prepare_cached(
            "INSERT INTO epcis_event_ids (event, role, id, quantity, uom) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let mut insert_edge = transaction.prepare_cached(
            "INSERT INTO epcis_edges (kind, from_id, to_id, label, quantity, uom, event, event_time) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        let write_edge = |statement: &mut rusqlite::CachedStatement, edge: &StoredEdge| {
            statement.execute(rusqlite::params![
                edge.edge.kind.as_str(),
                edge.edge.from,
                edge.edge.to,
                edge.edge.label,
                edge.edge.quantity,
                edge.edge.uom,
                edge.event,
                edge.time
            ])
        };
        for (offset, event) in events.iter().enumerate() {
            let row = first + offset as i64;
            let written = insert_event.execute(rusqlite::params![
                row,
                event.event_id,
                event.hash,
                event.event_type.as_str(),
                event.event_time,
                meta.record_time,
                event.time_zone_offset,
                event.action.map(|a| a.as_str()),
                event.biz_step,
                event.disposition,
                event.read_point,
                event.biz_location,
                event.transformation_id,
                i64::from(event.error_declared),
                capture_id,
                event.document.to_string(),
            ])?;
            if written == 0 {
                continue;
            }
            stored.push((row, event));
            for element in &event.ids {
                insert_id.execute(rusqlite::params![
                    row,
                    element.role.as_str(),
                    element.id,
                    element.quantity,
                    element.uom
                ])?;
            }
            if !event.error_declared {
                for edge in edges(event) {
                    write_edge(&mut insert_edge, &StoredEdge { edge, event: row, time: event.event_time })?;
                }
            }
        }
        let new_rows: HashSet<i64> = stored.iter().map(|(row, _)| *row).collect();
        let mut transformation_ids: Vec<&str> = stored
            .iter()
            .filter(|(_, e)| !e.error_declared)
            .filter_map(|(_, e)| e.transformation_id.as_deref())
            .collect();
        transformation_ids.sort_unstable();
        transformation_ids.dedup();
        let mut members = Vec::new();
        let mut select = transaction.prepare_cached(
            "SELECT id, document FROM epcis_events WHERE error_declared = 0 AND transformation_id = ?1",
        )?;
        for transformation_id in transformation_ids {
            let rows =
                select.query_map([transformation_id], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))?;
            for found in rows {
                let (row, document) = found?;
                members.extend(transformation_members(row, &document)?);
            }
        }
        for edge in transformation_edges(&members, &new_rows) {
            write_edge(&mut insert_edge, &edge)?;
        }
        // A declared error withdraws the original event's facts from the trace (the event itself stays).
        let mut withdraw = transaction.prepare_cached(
            "DELETE FROM epcis_edges WHERE event IN (SELECT id FROM epcis_events WHERE event_hash = ?1 AND error_declared = 0)",
        )?;
        for (_, event) in stored.iter().filter(|(_, e)| e.error_declared) {
            withdraw.execute([event.hash.as_str()])?;
        }
    }
    let duplicates = meta.event_count - stored.len();
    transaction.execute(
        "UPDATE epcis_captures SET stored_count = ?1, duplicate_count = ?2 WHERE id = ?3",
        rusqlite::params![stored.len() as i64, duplicates as i64, capture_id],
    )?;
    transaction.commit()?;
    Ok(CaptureOutcome { capture_id, stored: stored.len(), duplicates })
}

/// One identifier of an event that belongs to a transformation split over several events.
struct TransformationMember {
    transformation_id: String,
    row: i64,
    time: i64,
    role: Role,
    id: String,
    quantity: Option<f64>,
    uom: Option<String>,
}

/// Cross-event edges of transformations that share an ID: each input of one event feeds each output of
/// another; only pairs involving an event stored in this capture are new.
fn transformation_edges(members: &[TransformationMember], new_rows: &HashSet<i64>) -> Vec<StoredEdge> {
    let mut groups: BTreeMap<&str, Vec<&TransformationMember>> = BTreeMap::new();
    for member in members {
        groups.entry(member.transformation_id.as_str()).or_default().push(member);
    }
    let is_input = |m: &&&TransformationMember| matches!(m.role, Role::Input | Role::InputQuantity);
    let is_output = |m: &&&TransformationMember| matches!(m.role, Role::Output | Role::OutputQuantity);
    let mut out = Vec::new();
    for group in groups.values() {
        for input in group.iter().filter(is_input) {
            for output in group.iter().filter(is_output) {
                if input.row == output.row || !(new_rows.contains(&input.row) || new_rows.contains(&output.row)) {
                    continue;
                }
                let later = if input.time >= output.time { input } else { output };
                out.push(StoredEdge {
                    edge: Edge {
                        kind: EdgeKind::Transforms,
                        from: input.id.clone(),
                        to: output.id.clone(),
                        label: None,
                        quantity: output.quantity,
                        uom: output.uom.clone(),
                    },
                    event: later.row,
                    time: later.time,
                });
            }
        }
    }
    out
}
