//! Credit files and classes: records about an organization from every source, departments that send records,
//! stored classes and their changes. A class change writes its public-log entry in the same transaction.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, QueryBuilder};

use crate::on_pool;
use crate::public_log::{append_in, canonical, NewEntry};
use crate::store::{now, token_hash, write_audit, Store};
use crate::StoreError;

/// A record of a credit file as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, utoipa::ToSchema)]
pub struct CreditRecord {
    pub id: String,
    pub uscc: String,
    pub kind: String,
    /// inspection | recall | complaint (collected from the platform) | regulator | department
    pub source: String,
    /// The sending department's code for `department` records, else empty.
    pub department: String,
    /// The record's key at its source (a sample, recall, complaint, or the department's own reference).
    pub source_ref: String,
    pub title: String,
    pub legal_basis: String,
    pub decision_no: Option<String>,
    #[schema(format = Date)]
    pub occurred_on: String,
    /// The last day it is public.
    #[schema(format = Date)]
    pub public_until: String,
    #[schema(format = Date)]
    pub withdrawn_on: Option<String>,
    pub withdrawn_reason: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: String,
    /// The public-log entry of its entry into the file, and of its withdrawal.
    pub log_index: Option<i64>,
    pub withdrawn_log_index: Option<i64>,
}

const RECORD_COLUMNS: &str = "id, uscc, kind, source, department, source_ref, title, legal_basis, decision_no, \
    occurred_on, public_until, withdrawn_on, withdrawn_reason, created_by, created_at, log_index, withdrawn_log_index";

/// The SHA-256 (hex) of a record's content in canonical JSON: what its public-log entry commits to, so that the
/// record can be checked against the log while it is public without the log keeping its text for ever.
pub fn record_digest(record: &CreditRecord) -> String {
    let content = canonical(&serde_json::json!({
        "id": record.id, "uscc": record.uscc, "kind": record.kind, "source": record.source,
        "department": record.department, "source_ref": record.source_ref, "title": record.title,
        "legal_basis": record.legal_basis, "decision_no": record.decision_no, "occurred_on": record.occurred_on,
        "public_until": record.public_until,
    }));
    hex::encode(Sha256::digest(content.as_bytes()))
}

/// The public-log entry recording a record's entry into a file: its id and digest only. The subject is the record,
/// not the organization, so that the log says nothing about a record once its public period has ended.
fn recorded_entry(id: &str, digest: &str) -> NewEntry {
    NewEntry {
        kind: "credit_record".into(),
        subject: id.to_owned(),
        data: canonical(&serde_json::json!({
            "type": "credit_record", "event": "recorded", "id": id, "record_sha256": digest,
        })),
    }
}

/// A record the platform's own workflows produced and the credit file has not collected yet.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RecordCandidate {
    pub source: String,
    pub source_ref: String,
    pub uscc: String,
    pub kind: String,
    pub title: String,
    pub occurred_on: String,
}

/// A department that sends credit records, without its token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, utoipa::ToSchema)]
#[schema(as = CreditDepartment)]
pub struct Department {
    pub code: String,
    pub name: String,
    /// The record kinds it may send, comma-separated.
    pub kinds: String,
    /// Its jurisdiction (a GB/T 2260 code): records only about organizations there. None: national.
    pub region_code: Option<String>,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A stored class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct StoredClass {
    pub uscc: String,
    pub class: String,
    pub score: i64,
    pub model_version: String,
    /// The evaluation's reasons as JSON.
    pub reasons: String,
    pub as_of: String,
    pub computed_at: String,
    pub log_index: Option<i64>,
}

/// A class change, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, utoipa::ToSchema)]
#[schema(as = CreditClassChange)]
pub struct ClassChange {
    pub uscc: String,
    pub previous_class: Option<String>,
    pub class: String,
    pub score: i64,
    pub model_version: String,
    pub as_of: String,
    pub at: String,
    pub log_index: Option<i64>,
}

/// A fresh evaluation to store; `changed` ones (a new class) also go to the public log and the change history.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassUpdate {
    pub uscc: String,
    pub previous_class: Option<String>,
    pub class: String,
    pub score: i64,
    pub model_version: String,
    pub reasons: String,
    pub as_of: String,
}

impl ClassUpdate {
    /// Whether the class itself changed (a first class counts as a change).
    pub fn changed(&self) -> bool {
        self.previous_class.as_deref() != Some(self.class.as_str())
    }
}

/// What scoring needs for a run of organizations in USCC order: their records in force, their published
/// listings, and their stored classes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoringPage {
    pub usccs: Vec<String>,
    /// (uscc, record id, kind, occurred_on), by USCC.
    pub records: Vec<(String, String, String, String)>,
    /// (uscc, list) of listings on their list now (published, or published with a repair under review).
    pub listings: Vec<(String, String)>,
    /// (uscc, class, score, model_version, reasons).
    pub classes: Vec<(String, String, i64, String, String)>,
}

/// Inserts the records not yet present under their source key, then appends a public-log entry for each row
/// actually inserted and stores its index, inside a transaction. Inserting first takes the write lock at once
/// (SQLite) and lets concurrent collectors of the same record both succeed. Evaluates to the number inserted.
macro_rules! insert_records_in {
    ($tx:expr, $records:expr, $user_id:expr, $at:expr) => {{
        let mut inserted = 0u64;
        for chunk in $records.chunks(1000) {
            let mut builder = QueryBuilder::new(format!("INSERT INTO credit_records ({RECORD_COLUMNS}) "));
            builder.push_values(chunk, |mut row, r: &CreditRecord| {
                row.push_bind(&r.id)
                    .push_bind(&r.uscc)
                    .push_bind(&r.kind)
                    .push_bind(&r.source)
                    .push_bind(&r.department)
                    .push_bind(&r.source_ref)
                    .push_bind(&r.title)
                    .push_bind(&r.legal_basis)
                    .push_bind(&r.decision_no)
                    .push_bind(&r.occurred_on)
                    .push_bind(&r.public_until)
                    .push_bind(&r.withdrawn_on)
                    .push_bind(&r.withdrawn_reason)
                    .push_bind($user_id)
                    .push_bind($at)
                    .push_bind(None::<i64>)
                    .push_bind(None::<i64>);
            });
            builder.push(" ON CONFLICT (source, department, source_ref) DO NOTHING RETURNING id");
            let ids: Vec<String> = builder.build_query_scalar().fetch_all(&mut *$tx).await?;
            if ids.is_empty() {
                continue;
            }
            let digests: std::collections::HashMap<&str, String> =
                chunk.iter().map(|r| (r.id.as_str(), record_digest(r))).collect();
            let entries: Vec<NewEntry> =
                ids.iter().map(|id| recorded_entry(id, digests.get(id.as_str()).map_or("", String::as_str))).collect();
            let indexes: Vec<i64> = append_in!($tx, &entries);
            let mut builder = QueryBuilder::new("UPDATE credit_records SET log_index = v.column2 FROM (");
            builder.push_values(ids.iter().zip(&indexes), |mut row, (id, index)| {
                row.push_bind(id).push_bind(*index);
            });
            builder.push(") AS v WHERE credit_records.id = v.column1");
            builder.build().execute(&mut *$tx).await?;
            inserted += ids.len() as u64;
        }
        inserted
    }};
}

impl Store {
    /// Adds records to credit files, all or none; records already present under their source key are skipped.
    /// Returns how many were new.
    pub async fn insert_credit_records(
        &self,
        records: &[CreditRecord],
        user_id: Option<i64>,
    ) -> Result<u64, StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let inserted = insert_records_in!(tx, records, user_id, &at);
            if inserted > 0 {
                let key = match records {
                    [one] => one.id.clone(),
                    _ => format!("batch of {}", records.len()),
                };
                let senders: std::collections::BTreeSet<&str> =
                    records.iter().map(|r| if r.department.is_empty() { r.source.as_str() } else { r.department.as_str() }).collect();
                let after = serde_json::json!({"inserted": inserted, "from": senders}).to_string();
                write_audit!(&mut *tx, &at, user_id, "credit_record", key, ("record", None::<String>, Some(after)));
            }
            tx.commit().await?;
            Ok(inserted)
        })
    }

    /// The records of an organization's file, newest first; with `public_on`, only those public on that day
    /// and not withdrawn.
    pub async fn credit_records(
        &self,
        uscc: &codes::Uscc,
        public_on: Option<&str>,
    ) -> Result<Vec<CreditRecord>, StoreError> {
        let filter =
            if public_on.is_some() { "AND public_until >= $2 AND withdrawn_on IS NULL" } else { "AND $2 = ''" };
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM credit_records WHERE uscc = $1 {filter} ORDER BY occurred_on DESC, id DESC"
        );
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(uscc.as_str()).bind(public_on.unwrap_or("")).fetch_all(pool).await?))
    }

    /// One record.
    pub async fn credit_record(&self, id: &str) -> Result<Option<CreditRecord>, StoreError> {
        let sql = format!("SELECT {RECORD_COLUMNS} FROM credit_records WHERE id = $1");
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// Withdraws a record (a revoked decision, a record entered in error): it stays in the file for regulators but
    /// is no longer public and no longer counts. The withdrawal is a public-log entry, written with it.
    pub async fn withdraw_credit_record(
        &self,
        id: &str,
        on: &str,
        reason: &str,
        user_id: Option<i64>,
    ) -> Result<i64, StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let found: Option<(String, String)> = sqlx::query_as(
                "UPDATE credit_records SET withdrawn_on = $1, withdrawn_reason = $2 WHERE id = $3 AND withdrawn_on IS NULL \
                 RETURNING uscc, kind",
            )
            .bind(on)
            .bind(reason)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((uscc, kind)) = found else {
                return Err(StoreError::Conflict(format!("record {id} does not exist or is already withdrawn")));
            };
            // Like the record's own entry, the withdrawal names the record only; the reason is committed to by hash.
            let reason = canonical(&serde_json::json!({"id": id, "uscc": uscc, "kind": kind, "reason": reason}));
            let entry = NewEntry {
                kind: "credit_record".into(),
                subject: id.to_owned(),
                data: canonical(&serde_json::json!({
                    "type": "credit_record", "event": "withdrawn", "id": id, "withdrawn_on": on,
                    "reason_sha256": hex::encode(Sha256::digest(reason.as_bytes())),
                })),
            };
            let index = append_in!(tx, std::slice::from_ref(&entry))[0];
            sqlx::query("UPDATE credit_records SET withdrawn_log_index = $1 WHERE id = $2").bind(index).bind(id).execute(&mut *tx).await?;
            let after = serde_json::json!({"withdrawn_on": on, "reason": reason}).to_string();
            write_audit!(&mut *tx, &at, user_id, "credit_record", id, ("withdraw", None::<String>, Some(after)));
            tx.commit().await?;
            Ok(index)
        })
    }

    /// Records the platform's own workflows have produced and the credit files have not collected: published
    /// failed samples, follow-up inspections, published recalls decided as voluntary or ordered, and complaints
    /// settled or reports that led to a case. Of one organization, or of all.
    pub async fn credit_record_candidates(&self, uscc: Option<&str>) -> Result<Vec<RecordCandidate>, StoreError> {
        let absent = |source: &str, key: &str| {
            format!(
                "NOT EXISTS (SELECT 1 FROM credit_records r WHERE r.source = '{source}' AND r.department = '' AND r.source_ref = {key})"
            )
        };
        let scope = |column: &str| format!("($1 = '' OR {column} = $1)");
        let sql = [
            format!(
                "SELECT 'inspection' AS source, s.sample_id AS source_ref, s.uscc, '{}' AS kind, \
                 s.product_category AS title, COALESCE(s.published_on, s.sampled_on) AS occurred_on FROM samples s \
                 WHERE s.status = 'published' AND s.verdict = 'fail' AND {} AND {}",
                credit::INSPECTION_FAILURE,
                scope("s.uscc"),
                absent("inspection", "s.sample_id")
            ),
            format!(
                "SELECT 'inspection' AS source, 'reinspection:' || CAST(e.id AS TEXT) AS source_ref, e.uscc, \
                 CASE WHEN e.details = 'pass' THEN 'rectified' ELSE 'reinspection_failure' END AS kind, \
                 e.sample_id AS title, e.on_date AS occurred_on FROM sample_events e \
                 WHERE e.kind = 'reinspected' AND e.details IN ('pass', 'fail') AND {} AND {}",
                scope("e.uscc"),
                absent("inspection", "'reinspection:' || CAST(e.id AS TEXT)")
            ),
            format!(
                "SELECT 'recall' AS source, c.id AS source_ref, c.producer_uscc AS uscc, \
                 CASE WHEN c.decision = 'ordered' THEN 'recall_ordered' ELSE 'recall_voluntary' END AS kind, \
                 c.product_name AS title, c.notice_published_on AS occurred_on FROM recalls c \
                 WHERE c.notice_published_on IS NOT NULL AND c.decision IN ('voluntary', 'ordered') AND {} AND {}",
                scope("c.producer_uscc"),
                absent("recall", "c.id")
            ),
            format!(
                "SELECT 'complaint' AS source, c.tracking_number AS source_ref, c.respondent_uscc AS uscc, \
                 CASE c.outcome WHEN 'mediated_settlement' THEN 'complaint_mediated' \
                 WHEN 'enterprise_settlement' THEN 'complaint_settled_by_enterprise' ELSE 'report_case_opened' END AS kind, \
                 c.tracking_number AS title, COALESCE(c.closed_on, c.decided_on) AS occurred_on FROM complaints c \
                 WHERE c.respondent_uscc IS NOT NULL AND COALESCE(c.closed_on, c.decided_on) IS NOT NULL \
                 AND ((c.kind = 'complaint' AND c.outcome IN ('mediated_settlement', 'enterprise_settlement')) \
                 OR (c.kind = 'report' AND c.outcome = 'case_opened')) AND {} AND {}",
                scope("c.respondent_uscc"),
                absent("complaint", "c.tracking_number")
            ),
            // A published sample whose producer lacked the licence or CCC certificate its product needs.
            format!(
                "SELECT 'inspection' AS source, 'regime:' || CAST(e.id AS TEXT) AS source_ref, e.uscc, \
                 'unlicensed_production' AS kind, e.sample_id AS title, e.on_date AS occurred_on FROM sample_events e \
                 WHERE e.kind = 'regime_breach' AND {} AND {}",
                scope("e.uscc"),
                absent("inspection", "'regime:' || CAST(e.id AS TEXT)")
            ),
            // A certification body's suspension or withdrawal of a certificate, from its status history.
            format!(
                "SELECT 'certification' AS source, 'certificate:' || CAST(h.log_index AS TEXT) AS source_ref, \
                 h.holder_uscc AS uscc, CASE h.to_status WHEN 'suspended' THEN 'certificate_suspended' \
                 ELSE 'certificate_revoked' END AS kind, h.number AS title, h.on_date AS occurred_on \
                 FROM certificate_changes h WHERE h.to_status IN ('suspended', 'withdrawn') AND {} AND {}",
                scope("h.holder_uscc"),
                absent("certification", "'certificate:' || CAST(h.log_index AS TEXT)")
            ),
            // A licence revoked or withdrawn by its authority, from the licence's history.
            format!(
                "SELECT 'licensing' AS source, 'licence:' || CAST(l.id AS TEXT) AS source_ref, l.holder_uscc AS uscc, \
                 'certificate_revoked' AS kind, l.number AS title, l.on_date AS occurred_on FROM licence_changes l \
                 WHERE l.to_status IN ('revoked', 'withdrawn') AND {} AND {}",
                scope("l.holder_uscc"),
                absent("licensing", "'licence:' || CAST(l.id AS TEXT)")
            ),
        ]
        .join(" UNION ALL ");
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(uscc.unwrap_or("")).fetch_all(pool).await?))
    }

    /// Registers a department; only the token's hash is kept.
    pub async fn create_department(
        &self,
        code: &str,
        name: &str,
        token: &str,
        kinds: &str,
        region_code: Option<&str>,
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "INSERT INTO credit_departments (code, name, token_hash, kinds, region_code, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
            )
            .bind(code)
            .bind(name)
            .bind(token_hash(token))
            .bind(kinds)
            .bind(region_code)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!("department {code} is already registered")));
            }
            let after = serde_json::json!({"name": name, "kinds": kinds, "region_code": region_code}).to_string();
            write_audit!(&mut *tx, &at, user_id, "credit_department", code, ("register", None::<String>, Some(after)));
            tx.commit().await?;
            Ok(())
        })
    }

    /// Every department.
    pub async fn departments(&self) -> Result<Vec<Department>, StoreError> {
        let sql = "SELECT code, name, kinds, region_code, created_at, revoked_at FROM credit_departments ORDER BY code";
        on_pool!(self, pool => Ok(sqlx::query_as(sql).fetch_all(pool).await?))
    }

    /// The department holding `token`, unless revoked.
    pub async fn department_by_token(&self, token: &str) -> Result<Option<Department>, StoreError> {
        let sql = "SELECT code, name, kinds, region_code, created_at, revoked_at FROM credit_departments \
                   WHERE token_hash = $1 AND revoked_at IS NULL";
        on_pool!(self, pool => Ok(sqlx::query_as(sql).bind(token_hash(token)).fetch_optional(pool).await?))
    }

    /// Revokes a department's token.
    pub async fn revoke_department(&self, code: &str, user_id: Option<i64>) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query("UPDATE credit_departments SET revoked_at = $1 WHERE code = $2 AND revoked_at IS NULL")
                .bind(&at)
                .bind(code)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!("department {code} does not exist or is already revoked")));
            }
            write_audit!(&mut *tx, &at, user_id, "credit_department", code, ("revoke", None::<String>, Some("{}")));
            tx.commit().await?;
            Ok(())
        })
    }

    /// An organization's stored class.
    pub async fn credit_class(&self, uscc: &codes::Uscc) -> Result<Option<StoredClass>, StoreError> {
        let sql = "SELECT uscc, class, score, model_version, reasons, as_of, computed_at, log_index FROM credit_classes WHERE uscc = $1";
        on_pool!(self, pool => Ok(sqlx::query_as(sql).bind(uscc.as_str()).fetch_optional(pool).await?))
    }

    /// An organization's class changes, newest first.
    pub async fn credit_class_changes(&self, uscc: &codes::Uscc) -> Result<Vec<ClassChange>, StoreError> {
        let sql =
            "SELECT uscc, previous_class, class, score, model_version, as_of, at, log_index FROM credit_class_changes \
                   WHERE uscc = $1 ORDER BY id DESC";
        on_pool!(self, pool => Ok(sqlx::query_as(sql).bind(uscc.as_str()).fetch_all(pool).await?))
    }

    /// How many organizations hold each class.
    pub async fn credit_class_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let sql = "SELECT class, COUNT(*) FROM credit_classes GROUP BY class ORDER BY class";
        on_pool!(self, pool => Ok(sqlx::query_as(sql).fetch_all(pool).await?))
    }

    /// The next `limit` organizations after `after` (a USCC; empty for the start), with what scoring needs, or
    /// just the one organization `only`.
    pub async fn scoring_page(&self, after: &str, limit: i64, only: Option<&str>) -> Result<ScoringPage, StoreError> {
        on_pool!(self, pool => {
            let usccs: Vec<String> = match only {
                Some(uscc) => sqlx::query_scalar("SELECT uscc FROM organizations WHERE uscc = $1").bind(uscc).fetch_all(pool).await?,
                None => sqlx::query_scalar("SELECT uscc FROM organizations WHERE uscc > $1 ORDER BY uscc LIMIT $2")
                    .bind(after)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?,
            };
            let (Some(first), Some(last)) = (usccs.first().cloned(), usccs.last().cloned()) else {
                return Ok(ScoringPage::default());
            };
            let records = sqlx::query_as(
                "SELECT uscc, id, kind, occurred_on FROM credit_records WHERE uscc >= $1 AND uscc <= $2 \
                 AND withdrawn_on IS NULL ORDER BY uscc",
            )
            .bind(&first)
            .bind(&last)
            .fetch_all(pool)
            .await?;
            let listings = sqlx::query_as(
                "SELECT uscc, list FROM credit_listings WHERE uscc >= $1 AND uscc <= $2 \
                 AND status IN ('published', 'repair_pending')",
            )
            .bind(&first)
            .bind(&last)
            .fetch_all(pool)
            .await?;
            let classes = sqlx::query_as(
                "SELECT uscc, class, score, model_version, reasons FROM credit_classes WHERE uscc >= $1 AND uscc <= $2",
            )
            .bind(&first)
            .bind(&last)
            .fetch_all(pool)
            .await?;
            Ok(ScoringPage { usccs, records, listings, classes })
        })
    }

    /// Stores fresh evaluations in one transaction: every one replaces the stored class; class changes also
    /// append their public-log entries and their history rows. Returns the log indexes of the changes.
    ///
    /// An update whose `previous_class` no longer matches the stored class (another run stored a class since this
    /// one read it) is dropped, so two runs never log the same change twice.
    pub async fn apply_class_updates(&self, updates: &[ClassUpdate]) -> Result<Vec<i64>, StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            // Take the log's lock first: class writers and log appenders are serialised from here to commit.
            sqlx::query("UPDATE log_state SET tree_size = tree_size WHERE id = 1").execute(&mut *tx).await?;
            let mut stored = std::collections::HashMap::new();
            for chunk in updates.chunks(1000) {
                let mut builder = QueryBuilder::new("SELECT uscc, class FROM credit_classes WHERE uscc IN (");
                let mut separated = builder.separated(", ");
                for u in chunk {
                    separated.push_bind(&u.uscc);
                }
                builder.push(")");
                let found: Vec<(String, String)> = builder.build_query_as().fetch_all(&mut *tx).await?;
                stored.extend(found);
            }
            let current: Vec<&ClassUpdate> =
                updates.iter().filter(|u| stored.get(&u.uscc) == u.previous_class.as_ref()).collect();
            let changes: Vec<&ClassUpdate> = current.iter().copied().filter(|u| u.changed()).collect();
            let entries: Vec<NewEntry> = changes
                .iter()
                .map(|u| NewEntry {
                    kind: "credit_class".into(),
                    subject: u.uscc.clone(),
                    data: canonical(&serde_json::json!({
                        "type": "credit_class", "uscc": u.uscc, "class": u.class, "previous_class": u.previous_class,
                        "score": u.score, "model_version": u.model_version, "as_of": u.as_of,
                    })),
                })
                .collect();
            let indexes: Vec<i64> = if entries.is_empty() { Vec::new() } else { append_in!(tx, &entries) };
            let mut log_of = std::collections::HashMap::new();
            for (change, index) in changes.iter().zip(&indexes) {
                log_of.insert(change.uscc.as_str(), *index);
            }
            for chunk in current.chunks(1000) {
                let mut builder = QueryBuilder::new(
                    "INSERT INTO credit_classes (uscc, class, score, model_version, reasons, as_of, computed_at, log_index) ",
                );
                builder.push_values(chunk, |mut row, u| {
                    row.push_bind(&u.uscc)
                        .push_bind(&u.class)
                        .push_bind(u.score)
                        .push_bind(&u.model_version)
                        .push_bind(&u.reasons)
                        .push_bind(&u.as_of)
                        .push_bind(&at)
                        .push_bind(log_of.get(u.uscc.as_str()).copied());
                });
                builder.push(
                    " ON CONFLICT (uscc) DO UPDATE SET class = excluded.class, score = excluded.score, \
                     model_version = excluded.model_version, reasons = excluded.reasons, as_of = excluded.as_of, \
                     computed_at = excluded.computed_at, log_index = COALESCE(excluded.log_index, credit_classes.log_index)",
                );
                builder.build().execute(&mut *tx).await?;
            }
            let logged: Vec<(&ClassUpdate, i64)> = changes.iter().copied().zip(indexes.iter().copied()).collect();
            for chunk in logged.chunks(1000) {
                let mut builder = QueryBuilder::new(
                    "INSERT INTO credit_class_changes (uscc, previous_class, class, score, model_version, as_of, at, log_index) ",
                );
                builder.push_values(chunk, |mut row, (u, index)| {
                    row.push_bind(&u.uscc)
                        .push_bind(&u.previous_class)
                        .push_bind(&u.class)
                        .push_bind(u.score)
                        .push_bind(&u.model_version)
                        .push_bind(&u.as_of)
                        .push_bind(&at)
                        .push_bind(*index);
                });
                builder.build().execute(&mut *tx).await?;
            }
            if !current.is_empty() {
                let after = serde_json::json!({"updated": current.len(), "class_changes": indexes.len()}).to_string();
                write_audit!(&mut *tx, &at, None::<i64>, "credit_class", format!("batch of {}", current.len()), ("score", None::<String>, Some(after)));
            }
            tx.commit().await?;
            Ok(indexes)
        })
    }

    /// The stored classes of these organizations (none if never scored), in their order.
    pub async fn sampling_frame_classes(&self, usccs: &[String]) -> Result<Vec<Option<String>>, StoreError> {
        let mut classes = Vec::with_capacity(usccs.len());
        for chunk in usccs.chunks(1000) {
            let found: Vec<(String, String)> = on_pool!(self, pool => {
                let mut builder = QueryBuilder::new("SELECT uscc, class FROM credit_classes WHERE uscc IN (");
                let mut separated = builder.separated(", ");
                for uscc in chunk {
                    separated.push_bind(uscc);
                }
                builder.push(")");
                builder.build_query_as().fetch_all(pool).await?
            });
            let found: std::collections::HashMap<String, String> = found.into_iter().collect();
            classes.extend(chunk.iter().map(|u| found.get(u).cloned()));
        }
        Ok(classes)
    }
}
