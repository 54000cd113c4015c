//! Certification as stored: bodies, certificates with the GTINs they cover, every status change, and the earlier
//! versions of amended certificates. Each certificate version and each status change is a public-log entry
//! written in the same transaction; the entry holds the certificate's hash and its status, so the latest entry
//! about a certificate, with its inclusion proof, is a signed statement of where it stands.

use std::collections::BTreeSet;

use certification::{Body, Certificate, CertificateNumber, Reason, Scheme, Status};
use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{FromRow, QueryBuilder};

use crate::on_pool;
use crate::public_log::{append_in, NewEntry};
use crate::store::{now, write_audit, Store};
use crate::{stored, stored_day, StoreError};

/// The public-log kind of a certificate's entries.
pub const LOG_KIND: &str = "certificate";

/// Rows a multi-row statement carries at most.
const ROWS_PER_STATEMENT: usize = 400;

/// A certificate with where it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCertificate {
    pub certificate: Certificate,
    pub status: Status,
    pub status_on: NaiveDate,
    pub reason: Reason,
    /// The latest public-log entry about it.
    pub log_index: i64,
    pub upload_id: Option<i64>,
}

/// A status change as the history and the change feed hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, utoipa::ToSchema)]
pub struct CertificateChange {
    /// The change's public-log index: the feed's cursor.
    pub log_index: i64,
    pub number: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub reason: String,
    #[schema(format = Date)]
    pub on_date: String,
    pub note: Option<String>,
    pub holder_uscc: String,
    pub upload_id: Option<i64>,
    pub recorded_at: String,
}

/// A status change to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChange {
    pub number: String,
    pub from: Status,
    pub to: Status,
    pub reason: Reason,
    pub on: NaiveDate,
    pub note: Option<String>,
}

/// An upload as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, utoipa::ToSchema)]
pub struct CertificateUpload {
    pub id: i64,
    pub body: String,
    /// certificates or status_changes.
    pub kind: String,
    pub received: i64,
    pub added: i64,
    pub changed: i64,
    pub uploaded_at: String,
    pub uploaded_by: Option<i64>,
}

#[derive(Debug, FromRow)]
struct CertificateRow {
    number: String,
    scheme: String,
    legacy_number: bool,
    body: String,
    holder_uscc: String,
    manufacturer_uscc: Option<String>,
    factory_uscc: Option<String>,
    product_class: Option<String>,
    product_name: String,
    models: String,
    gtins: String,
    standards: String,
    issued_on: String,
    expires_on: String,
    status: String,
    status_on: String,
    reason: String,
    log_index: i64,
    upload_id: Option<i64>,
}

const CERTIFICATE_COLUMNS: &str = "number, scheme, legacy_number, body, holder_uscc, manufacturer_uscc, factory_uscc, \
     product_class, product_name, models, gtins, standards, issued_on, expires_on, status, status_on, reason, \
     log_index, upload_id";

fn list(what: &str, text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Integrity(format!("stored {what} '{text}': {e}")))
}

fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).expect("strings serialize")
}

impl CertificateRow {
    fn certificate(self) -> Result<StoredCertificate, StoreError> {
        let scheme: Scheme = stored(&self.scheme)?;
        let number = match (scheme, self.legacy_number) {
            (Scheme::Ccc, true) => CertificateNumber::CccLegacy(self.number.clone()),
            (Scheme::Ccc, false) => CertificateNumber::ccc(&self.number)
                .map_err(|e| StoreError::Integrity(format!("stored certificate number: {e}")))?,
            _ => CertificateNumber::Voluntary(self.number.clone()),
        };
        Ok(StoredCertificate {
            certificate: Certificate {
                number,
                scheme,
                body: self.body,
                holder: self.holder_uscc,
                manufacturer: self.manufacturer_uscc,
                factory: self.factory_uscc,
                product_class: self.product_class,
                product_name: self.product_name,
                models: list("models", &self.models)?,
                gtins: list("gtins", &self.gtins)?,
                standards: list("standards", &self.standards)?,
                issued_on: stored_day("issued_on", &self.issued_on)?,
                expires_on: stored_day("expires_on", &self.expires_on)?,
            },
            status: stored(&self.status)?,
            status_on: stored_day("status_on", &self.status_on)?,
            reason: stored(&self.reason)?,
            log_index: self.log_index,
            upload_id: self.upload_id,
        })
    }
}

impl CertificateRow {
    /// The row as the direct SQLite reader reads it, columns in `CERTIFICATE_COLUMNS` order.
    fn from_sqlite(row: &rusqlite::Row) -> rusqlite::Result<CertificateRow> {
        Ok(CertificateRow {
            number: row.get(0)?,
            scheme: row.get(1)?,
            legacy_number: row.get(2)?,
            body: row.get(3)?,
            holder_uscc: row.get(4)?,
            manufacturer_uscc: row.get(5)?,
            factory_uscc: row.get(6)?,
            product_class: row.get(7)?,
            product_name: row.get(8)?,
            models: row.get(9)?,
            gtins: row.get(10)?,
            standards: row.get(11)?,
            issued_on: row.get(12)?,
            expires_on: row.get(13)?,
            status: row.get(14)?,
            status_on: row.get(15)?,
            reason: row.get(16)?,
            log_index: row.get(17)?,
            upload_id: row.get(18)?,
        })
    }
}

const CHANGE_COLUMNS: &str =
    "log_index, number, from_status, to_status, reason, on_date, note, holder_uscc, upload_id, recorded_at";

impl CertificateChange {
    fn from_sqlite(row: &rusqlite::Row) -> rusqlite::Result<CertificateChange> {
        Ok(CertificateChange {
            log_index: row.get(0)?,
            number: row.get(1)?,
            from_status: row.get(2)?,
            to_status: row.get(3)?,
            reason: row.get(4)?,
            on_date: row.get(5)?,
            note: row.get(6)?,
            holder_uscc: row.get(7)?,
            upload_id: row.get(8)?,
            recorded_at: row.get(9)?,
        })
    }
}

/// What a verification by number reads: the certificate, its body's name and its status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    pub stored: StoredCertificate,
    pub body_name: Option<String>,
    pub history: Vec<CertificateChange>,
}

#[derive(Debug, FromRow)]
struct BodyRow {
    approval_number: String,
    name: String,
    uscc: String,
    accreditation: Option<String>,
    ccc_code: Option<String>,
    schemes: String,
    product_classes: String,
    status: String,
}

const BODY_COLUMNS: &str = "approval_number, name, uscc, accreditation, ccc_code, schemes, product_classes, status";

impl BodyRow {
    fn body(self) -> Result<Body, StoreError> {
        let schemes: BTreeSet<Scheme> =
            self.schemes.split(';').filter(|s| !s.is_empty()).map(stored).collect::<Result<_, _>>()?;
        Ok(Body {
            approval_number: self.approval_number,
            name: self.name,
            uscc: self.uscc,
            accreditation: self.accreditation,
            ccc_code: self.ccc_code,
            schemes,
            product_classes: self.product_classes.split(';').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            status: stored(&self.status)?,
        })
    }
}

/// The canonical JSON of a certificate's fields: what its log entries hash.
pub fn certificate_json(certificate: &Certificate) -> serde_json::Value {
    serde_json::json!({
        "number": certificate.number.to_string(),
        "scheme": certificate.scheme.as_str(),
        "legacy_number": certificate.number.is_legacy(),
        "body": certificate.body,
        "holder_uscc": certificate.holder,
        "manufacturer_uscc": certificate.manufacturer,
        "factory_uscc": certificate.factory,
        "product_class": certificate.product_class,
        "product_name": certificate.product_name,
        "models": certificate.models,
        "gtins": certificate.gtins,
        "standards": certificate.standards,
        "issued_on": certificate.issued_on.to_string(),
        "expires_on": certificate.expires_on.to_string(),
    })
}

/// `certificate_json`'s keys in sorted order, serialized straight from the fields: the same bytes as
/// `canonical(&certificate_json(c))` without a map built per certificate (an upload hashes every one).
#[derive(Serialize)]
struct CanonicalCertificate<'a> {
    body: &'a str,
    expires_on: NaiveDate,
    factory_uscc: Option<&'a str>,
    gtins: &'a [String],
    holder_uscc: &'a str,
    issued_on: NaiveDate,
    legacy_number: bool,
    manufacturer_uscc: Option<&'a str>,
    models: &'a [String],
    number: &'a str,
    product_class: Option<&'a str>,
    product_name: &'a str,
    scheme: &'a str,
    standards: &'a [String],
}

/// A certificate's canonical JSON (sorted keys, no spaces): the bytes its hash covers.
pub fn certificate_canonical(certificate: &Certificate) -> String {
    let number = certificate.number.to_string();
    let fields = CanonicalCertificate {
        body: &certificate.body,
        expires_on: certificate.expires_on,
        factory_uscc: certificate.factory.as_deref(),
        gtins: &certificate.gtins,
        holder_uscc: &certificate.holder,
        issued_on: certificate.issued_on,
        legacy_number: certificate.number.is_legacy(),
        manufacturer_uscc: certificate.manufacturer.as_deref(),
        models: &certificate.models,
        number: &number,
        product_class: certificate.product_class.as_deref(),
        product_name: &certificate.product_name,
        scheme: certificate.scheme.as_str(),
        standards: &certificate.standards,
    };
    serde_json::to_string(&fields).expect("strings, dates and flags serialize")
}

/// The SHA-256 of a certificate's canonical JSON, hex.
pub fn certificate_hash(certificate: &Certificate) -> String {
    hex::encode(Sha256::digest(certificate_canonical(certificate).as_bytes()))
}

/// A certificate entry's keys in sorted order (see `CanonicalCertificate`).
#[derive(Serialize)]
struct CanonicalEntry<'a> {
    body: &'a str,
    certificate_sha256: String,
    event: &'a str,
    expires_on: NaiveDate,
    holder_uscc: &'a str,
    number: &'a str,
    on: NaiveDate,
    reason: &'a str,
    status: &'a str,
}

/// A certificate's public-log entry: its hash and where it stands after `event` (issued, amended or a status change).
fn log_entry(certificate: &Certificate, event: &str, status: Status, reason: Reason, on: NaiveDate) -> NewEntry {
    let number = certificate.number.to_string();
    let data = CanonicalEntry {
        body: &certificate.body,
        certificate_sha256: certificate_hash(certificate),
        event,
        expires_on: certificate.expires_on,
        holder_uscc: &certificate.holder,
        number: &number,
        on,
        reason: reason.as_str(),
        status: status.as_str(),
    };
    let data = serde_json::to_string(&data).expect("strings and dates serialize");
    NewEntry { kind: LOG_KIND.into(), subject: number, data }
}

/// What an upload does to each certificate it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upload {
    /// A new certificate, issued.
    Issued(Certificate),
    /// A stored certificate with other fields (models added, a new factory); the stored version is kept.
    Amended(Certificate, Box<StoredCertificate>),
}

macro_rules! insert_upload {
    ($tx:expr, $body:expr, $kind:expr, $received:expr, $added:expr, $changed:expr, $at:expr, $by:expr) => {{
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO certificate_uploads (body, kind, received, added, changed, uploaded_at, uploaded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind($body)
        .bind($kind)
        .bind($received as i64)
        .bind($added as i64)
        .bind($changed as i64)
        .bind($at)
        .bind($by)
        .fetch_one(&mut *$tx)
        .await?;
        id
    }};
}

macro_rules! insert_changes {
    ($tx:expr, $rows:expr, $upload:expr, $at:expr, $by:expr) => {{
        let rows: &[(i64, &NewChange, &str)] = $rows;
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut builder = QueryBuilder::new(
                "INSERT INTO certificate_changes (log_index, number, from_status, to_status, reason, on_date, note, \
                 holder_uscc, upload_id, recorded_at, recorded_by) ",
            );
            builder.push_values(chunk, |mut b, (index, change, holder)| {
                b.push_bind(*index)
                    .push_bind(change.number.as_str())
                    .push_bind((change.reason != Reason::Issued).then(|| change.from.as_str()))
                    .push_bind(change.to.as_str())
                    .push_bind(change.reason.as_str())
                    .push_bind(change.on.to_string())
                    .push_bind(change.note.as_deref())
                    .push_bind(*holder)
                    .push_bind($upload)
                    .push_bind($at)
                    .push_bind($by);
            });
            builder.build().execute(&mut *$tx).await?;
        }
    }};
}

/// Certificates a pipelined upload prepares ahead of the writer at a time.
const PREPARED_CHUNK: usize = 5_000;

/// A new certificate's values as the writer binds them, prepared on another thread: its log entry and leaf hash,
/// its lists as JSON, its dates as text.
struct PreparedIssue<'a> {
    certificate: &'a Certificate,
    number: String,
    entry: NewEntry,
    leaf: translog::Hash,
    models: String,
    gtins: String,
    standards: String,
    issued_on: String,
    expires_on: String,
}

impl<'a> PreparedIssue<'a> {
    fn new(certificate: &'a Certificate) -> Self {
        let entry = log_entry(certificate, "issued", Status::Valid, Reason::Issued, certificate.issued_on);
        PreparedIssue {
            certificate,
            number: entry.subject.clone(),
            leaf: translog::leaf_hash(entry.data.as_bytes()),
            entry,
            models: json_list(&certificate.models),
            gtins: json_list(&certificate.gtins),
            standards: json_list(&certificate.standards),
            issued_on: certificate.issued_on.to_string(),
            expires_on: certificate.expires_on.to_string(),
        }
    }
}

/// Stores new certificates through the direct SQLite writer: the upload row, the log entries, each certificate
/// with its GTINs and its issue as the first status change, and the audit row, in one immediate transaction.
/// A second thread prepares each chunk's values while the writer stores the one before, so the upload's
/// hashing and formatting run beside its writes rather than before them.
fn upload_issued(
    direct: &crate::store::DirectSqlite,
    body: &str,
    certificates: &[Certificate],
    at: &str,
    user_id: Option<i64>,
) -> Result<i64, StoreError> {
    std::thread::scope(|scope| {
        let (prepared, chunks) = std::sync::mpsc::sync_channel::<Vec<PreparedIssue>>(2);
        scope.spawn(move || {
            for chunk in certificates.chunks(PREPARED_CHUNK) {
                // A closed channel means the writer failed: nothing more to prepare.
                if prepared.send(chunk.iter().map(PreparedIssue::new).collect()).is_err() {
                    break;
                }
            }
        });
        direct.with_writer(|connection| {
            let tx = connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO certificate_uploads (body, kind, received, added, changed, uploaded_at, uploaded_by) \
                 VALUES (?1, 'certificates', ?2, ?2, 0, ?3, ?4)",
                rusqlite::params![body, certificates.len() as i64, at, user_id],
            )?;
            let upload = tx.last_insert_rowid();
            for chunk in chunks {
                write_issued(&tx, &chunk, upload, at, user_id)?;
            }
            let summary =
                serde_json::json!({"body": body, "received": certificates.len(), "added": certificates.len()});
            tx.execute(
                "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
                 VALUES (?1, ?2, 'insert', 'certificate_upload', ?3, NULL, ?4)",
                rusqlite::params![at, user_id, upload.to_string(), summary.to_string()],
            )?;
            tx.commit()?;
            Ok(upload)
        })
    })
}

/// One prepared chunk of an upload: its log entries, then table by table (as the baseline writes them, so each
/// table's pages and indexes are touched in one run) the certificates, their GTINs and their first changes.
fn write_issued(
    tx: &rusqlite::Transaction,
    chunk: &[PreparedIssue],
    upload: i64,
    at: &str,
    user_id: Option<i64>,
) -> Result<(), StoreError> {
    let indexes = crate::direct::append_log(tx, chunk.iter().map(|p| (&p.entry, p.leaf)), at)?;
    let marks: Vec<String> = (1..=19).map(|i| format!("?{i}")).collect();
    let mut insert =
        tx.prepare_cached(&format!("INSERT INTO certificates ({CERTIFICATE_COLUMNS}) VALUES ({})", marks.join(", ")))?;
    let mut gtin = tx.prepare_cached("INSERT OR IGNORE INTO certificate_gtins (number, gtin) VALUES (?1, ?2)")?;
    let mut change = tx.prepare_cached(
        "INSERT INTO certificate_changes (log_index, number, from_status, to_status, reason, on_date, note, \
         holder_uscc, upload_id, recorded_at, recorded_by) VALUES (?1, ?2, NULL, ?3, ?4, ?5, NULL, ?6, ?7, ?8, ?9)",
    )?;
    // In number order: the clustered table's pages are each touched once per chunk.
    let mut by_number: Vec<(&PreparedIssue, &i64)> = chunk.iter().zip(&indexes).collect();
    by_number.sort_unstable_by(|a, b| a.0.number.cmp(&b.0.number));
    for (p, index) in by_number {
        let c = p.certificate;
        insert.execute(rusqlite::params![
            p.number,
            c.scheme.as_str(),
            c.number.is_legacy(),
            c.body,
            c.holder,
            c.manufacturer,
            c.factory,
            c.product_class,
            c.product_name,
            p.models,
            p.gtins,
            p.standards,
            p.issued_on,
            p.expires_on,
            Status::Valid.as_str(),
            p.issued_on,
            Reason::Issued.as_str(),
            index,
            upload,
        ])?;
    }
    for p in chunk {
        for g in &p.certificate.gtins {
            gtin.execute(rusqlite::params![p.number, g])?;
        }
    }
    for (p, index) in chunk.iter().zip(&indexes) {
        change.execute(rusqlite::params![
            index,
            p.number,
            Status::Valid.as_str(),
            Reason::Issued.as_str(),
            p.issued_on,
            p.certificate.holder,
            upload,
            at,
            user_id,
        ])?;
    }
    Ok(())
}

impl Store {
    /// Adds or replaces a certification body.
    pub async fn put_certification_body(&self, body: &Body, user_id: Option<i64>) -> Result<(), StoreError> {
        let at = now();
        let schemes: Vec<&str> = body.schemes.iter().map(|s| s.as_str()).collect();
        let classes: Vec<&str> = body.product_classes.iter().map(String::as_str).collect();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let taken: Option<String> = match &body.ccc_code {
                Some(code) => sqlx::query_scalar(
                    "SELECT approval_number FROM certification_bodies WHERE ccc_code = $1 AND approval_number <> $2",
                )
                .bind(code)
                .bind(&body.approval_number)
                .fetch_optional(&mut *tx)
                .await?,
                None => None,
            };
            if let Some(other) = taken {
                return Err(StoreError::Conflict(format!("CCC code {} belongs to {other}", body.ccc_code.as_deref().unwrap_or(""))));
            }
            sqlx::query(
                "INSERT INTO certification_bodies (approval_number, name, uscc, accreditation, ccc_code, schemes, \
                 product_classes, status, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                 ON CONFLICT (approval_number) DO UPDATE SET name = excluded.name, uscc = excluded.uscc, \
                 accreditation = excluded.accreditation, ccc_code = excluded.ccc_code, schemes = excluded.schemes, \
                 product_classes = excluded.product_classes, status = excluded.status, updated_at = excluded.updated_at",
            )
            .bind(&body.approval_number)
            .bind(&body.name)
            .bind(&body.uscc)
            .bind(&body.accreditation)
            .bind(&body.ccc_code)
            .bind(schemes.join(";"))
            .bind(classes.join(";"))
            .bind(body.status.as_str())
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            let after = serde_json::to_string(body).unwrap_or_default();
            write_audit!(&mut *tx, at, user_id, "certification_body", body.approval_number.clone(),
                ("upsert", None::<String>, Some(after)));
            tx.commit().await?;
            Ok(())
        })
    }

    /// One body by approval number.
    pub async fn certification_body(&self, approval_number: &str) -> Result<Option<Body>, StoreError> {
        let sql = format!("SELECT {BODY_COLUMNS} FROM certification_bodies WHERE approval_number = $1");
        on_pool!(self, pool => {
            let row: Option<BodyRow> = sqlx::query_as(&sql).bind(approval_number).fetch_optional(pool).await?;
            row.map(BodyRow::body).transpose()
        })
    }

    /// The bodies with this USCC (a certifier account's bodies).
    pub async fn certification_bodies_of(&self, uscc: &str) -> Result<Vec<Body>, StoreError> {
        let sql = format!("SELECT {BODY_COLUMNS} FROM certification_bodies WHERE uscc = $1 ORDER BY approval_number");
        on_pool!(self, pool => {
            let rows: Vec<BodyRow> = sqlx::query_as(&sql).bind(uscc).fetch_all(pool).await?;
            rows.into_iter().map(BodyRow::body).collect()
        })
    }

    /// Every body, by approval number.
    pub async fn certification_bodies(&self) -> Result<Vec<Body>, StoreError> {
        let sql = format!("SELECT {BODY_COLUMNS} FROM certification_bodies ORDER BY approval_number");
        on_pool!(self, pool => {
            let rows: Vec<BodyRow> = sqlx::query_as(&sql).fetch_all(pool).await?;
            rows.into_iter().map(BodyRow::body).collect()
        })
    }

    /// The stored certificates with these numbers (those that exist).
    pub async fn certificates_numbered(&self, numbers: &[String]) -> Result<Vec<StoredCertificate>, StoreError> {
        let mut found = Vec::new();
        for chunk in numbers.chunks(ROWS_PER_STATEMENT) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE number IN ({})", marks.join(", "));
            let rows: Vec<CertificateRow> = on_pool!(self, pool => {
                let mut query = sqlx::query_as(&sql);
                for number in chunk {
                    query = query.bind(number);
                }
                query.fetch_all(pool).await?
            });
            for row in rows {
                found.push(row.certificate()?);
            }
        }
        Ok(found)
    }

    /// Number of certificates.
    pub async fn certificate_count(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM certificates").fetch_one(pool).await?))
    }

    /// One certificate.
    pub async fn certificate(&self, number: &str) -> Result<Option<StoredCertificate>, StoreError> {
        let sql = format!("SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE number = $1");
        on_pool!(self, pool => {
            let row: Option<CertificateRow> = sqlx::query_as(&sql).bind(number).fetch_optional(pool).await?;
            row.map(CertificateRow::certificate).transpose()
        })
    }

    /// A certificate with its body's name and its history: the verification's read, inline on SQLite.
    pub async fn certificate_record(&self, number: &str) -> Result<Option<CertificateRecord>, StoreError> {
        // Built once: the verification is the hottest read.
        static WITH_BODY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!(
                "SELECT {}, b.name FROM certificates c LEFT JOIN certification_bodies b ON b.approval_number = c.body \
                 WHERE c.number = $1",
                CERTIFICATE_COLUMNS.split(", ").map(|c| format!("c.{}", c.trim())).collect::<Vec<_>>().join(", ")
            )
        });
        static HISTORY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
            format!("SELECT {CHANGE_COLUMNS} FROM certificate_changes WHERE number = $1 ORDER BY log_index")
        });
        let (with_body_sql, history_sql) = (WITH_BODY.as_str(), HISTORY.as_str());
        let body_sql = "SELECT name FROM certification_bodies WHERE approval_number = $1";
        if let Some(reader) = &self.direct {
            let read = reader.read_snapshot(|connection| {
                use rusqlite::OptionalExtension;
                let Some((row, body_name)) = connection
                    .prepare_cached(with_body_sql)?
                    .query_row([number], |r| Ok((CertificateRow::from_sqlite(r)?, r.get::<_, Option<String>>(19)?)))
                    .optional()?
                else {
                    return Ok(None);
                };
                let history = connection
                    .prepare_cached(history_sql)?
                    .query_map([number], CertificateChange::from_sqlite)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(Some((row, body_name, history)))
            })?;
            return read
                .map(|(row, body_name, history)| {
                    Ok(CertificateRecord { stored: row.certificate()?, body_name, history })
                })
                .transpose();
        }
        let Some(stored) = self.certificate(number).await? else {
            return Ok(None);
        };
        let body_name = on_pool!(self, pool => {
            sqlx::query_scalar(body_sql).bind(&stored.certificate.body).fetch_optional(pool).await?
        });
        let history = self.certificate_changes(number).await?;
        Ok(Some(CertificateRecord { stored, body_name, history }))
    }

    /// A holder's certificates in number order after `after`.
    pub async fn certificates_of_holder(
        &self,
        uscc: &str,
        after: &str,
        limit: i64,
    ) -> Result<Vec<StoredCertificate>, StoreError> {
        let sql = format!(
            "SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE holder_uscc = $1 AND number > $2 ORDER BY number LIMIT $3"
        );
        on_pool!(self, pool => {
            let rows: Vec<CertificateRow> = sqlx::query_as(&sql).bind(uscc).bind(after).bind(limit).fetch_all(pool).await?;
            rows.into_iter().map(CertificateRow::certificate).collect()
        })
    }

    /// A holder's CCC certificates for any of these catalogue codes.
    pub async fn ccc_certificates_for(&self, uscc: &str, codes: &[&str]) -> Result<Vec<StoredCertificate>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (2..codes.len() + 2).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE holder_uscc = $1 AND scheme = 'ccc' \
             AND product_class IN ({}) ORDER BY number LIMIT 1000",
            marks.join(", ")
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query_as::<_, CertificateRow>(&sql).bind(uscc);
            for code in codes {
                query = query.bind(*code);
            }
            query.fetch_all(pool).await?.into_iter().map(CertificateRow::certificate).collect()
        })
    }

    /// The certificates that cover a GTIN-14.
    pub async fn certificates_of_gtin(&self, gtin14: &str) -> Result<Vec<StoredCertificate>, StoreError> {
        let sql = format!(
            "SELECT {CERTIFICATE_COLUMNS} FROM certificates WHERE number IN \
             (SELECT number FROM certificate_gtins WHERE gtin = $1) ORDER BY number LIMIT 200"
        );
        on_pool!(self, pool => {
            let rows: Vec<CertificateRow> = sqlx::query_as(&sql).bind(gtin14).fetch_all(pool).await?;
            rows.into_iter().map(CertificateRow::certificate).collect()
        })
    }

    /// A certificate's status changes, oldest first.
    pub async fn certificate_changes(&self, number: &str) -> Result<Vec<CertificateChange>, StoreError> {
        let sql = format!("SELECT {CHANGE_COLUMNS} FROM certificate_changes WHERE number = $1 ORDER BY log_index");
        on_pool!(self, pool => Ok(sqlx::query_as(&sql)
        .bind(number)
        .fetch_all(pool)
        .await?))
    }

    /// Status changes after log index `after`, oldest first: the change feed.
    pub async fn certificate_changes_after(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<CertificateChange>, StoreError> {
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM certificate_changes WHERE log_index > $1 ORDER BY log_index LIMIT $2"
        );
        on_pool!(self, pool => Ok(sqlx::query_as(&sql)
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?))
    }

    /// A body's uploads, newest first.
    pub async fn certificate_uploads(&self, body: &str) -> Result<Vec<CertificateUpload>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as(
            "SELECT id, body, kind, received, added, changed, uploaded_at, uploaded_by FROM certificate_uploads \
             WHERE body = $1 ORDER BY id DESC LIMIT 200",
        )
        .bind(body)
        .fetch_all(pool)
        .await?))
    }

    /// The earlier versions of an amended certificate, newest first: the upload that replaced each, and its JSON.
    pub async fn certificate_history(&self, number: &str) -> Result<Vec<(i64, String)>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as(
            "SELECT replaced_in, data FROM certificate_history WHERE number = $1 ORDER BY replaced_in DESC",
        )
        .bind(number)
        .fetch_all(pool)
        .await?))
    }

    /// Stores a checked upload of certificates in one transaction: the upload row; each new certificate with its
    /// GTINs, its issue as the first status change and its log entry; each amended one over the stored version
    /// (kept in the history) with a log entry. Returns the upload's id.
    pub async fn upload_certificates(
        &self,
        body: &str,
        rows: Vec<Upload>,
        user_id: Option<i64>,
    ) -> Result<i64, StoreError> {
        let at = now();
        let added = rows.iter().filter(|r| matches!(r, Upload::Issued(_))).count();
        let issued_only = rows.iter().all(|row| matches!(row, Upload::Issued(_)));
        if let (Some(direct), true) = (self.direct.clone(), issued_only) {
            // New certificates only, the common upload: one direct transaction of prepared single-row inserts.
            let certificates: Vec<Certificate> = rows
                .into_iter()
                .filter_map(|row| match row {
                    Upload::Issued(c) => Some(c),
                    Upload::Amended(..) => None,
                })
                .collect();
            let body = body.to_owned();
            let write = move || upload_issued(&direct, &body, &certificates, &at, user_id);
            return tokio::task::spawn_blocking(write).await.expect("certificate writer panicked");
        }
        let entries: Vec<NewEntry> = rows
            .iter()
            .map(|row| match row {
                Upload::Issued(c) => log_entry(c, "issued", Status::Valid, Reason::Issued, c.issued_on),
                Upload::Amended(c, old) => log_entry(c, "amended", old.status, old.reason, old.status_on),
            })
            .collect();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let upload = insert_upload!(tx, body, "certificates", rows.len(), added, rows.len() - added, &at, user_id);
            let indexes: Vec<i64> = if entries.is_empty() { Vec::new() } else { append_in!(tx, &entries) };
            let written: Vec<(&Certificate, Status, NaiveDate, Reason, i64)> = rows
                .iter()
                .zip(&indexes)
                .map(|(row, index)| match row {
                    Upload::Issued(c) => (c, Status::Valid, c.issued_on, Reason::Issued, *index),
                    Upload::Amended(c, old) => (c, old.status, old.status_on, old.reason, *index),
                })
                .collect();
            for (row, _) in rows.iter().zip(&indexes) {
                if let Upload::Amended(certificate, old) = row {
                    let number = certificate.number.to_string();
                    sqlx::query("INSERT INTO certificate_history (number, replaced_in, data) VALUES ($1, $2, $3)")
                        .bind(&number)
                        .bind(upload)
                        .bind(certificate_canonical(&old.certificate))
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("DELETE FROM certificate_gtins WHERE number = $1").bind(&number).execute(&mut *tx).await?;
                }
            }
            for ((c, _, _, _, index), row) in written.iter().zip(&rows) {
                if !matches!(row, Upload::Amended(..)) {
                    continue;
                }
                sqlx::query(
                    "UPDATE certificates SET manufacturer_uscc = $2, factory_uscc = $3, product_class = $4, \
                     product_name = $5, models = $6, gtins = $7, standards = $8, issued_on = $9, expires_on = $10, \
                     holder_uscc = $11, log_index = $12, upload_id = $13 WHERE number = $1",
                )
                .bind(c.number.to_string())
                .bind(c.manufacturer.as_deref())
                .bind(c.factory.as_deref())
                .bind(c.product_class.as_deref())
                .bind(c.product_name.as_str())
                .bind(json_list(&c.models))
                .bind(json_list(&c.gtins))
                .bind(json_list(&c.standards))
                .bind(c.issued_on.to_string())
                .bind(c.expires_on.to_string())
                .bind(c.holder.as_str())
                .bind(*index)
                .bind(upload)
                .execute(&mut *tx)
                .await?;
            }
            let issued_rows: Vec<_> =
                written.iter().zip(&rows).filter(|(_, row)| matches!(row, Upload::Issued(_))).map(|(w, _)| w).collect();
            for chunk in issued_rows.chunks(ROWS_PER_STATEMENT) {
                let mut builder = QueryBuilder::new(format!("INSERT INTO certificates ({CERTIFICATE_COLUMNS}) "));
                builder.push_values(chunk, |mut b, (c, status, status_on, reason, index)| {
                    b.push_bind(c.number.to_string())
                        .push_bind(c.scheme.as_str())
                        .push_bind(c.number.is_legacy())
                        .push_bind(c.body.as_str())
                        .push_bind(c.holder.as_str())
                        .push_bind(c.manufacturer.as_deref())
                        .push_bind(c.factory.as_deref())
                        .push_bind(c.product_class.as_deref())
                        .push_bind(c.product_name.as_str())
                        .push_bind(json_list(&c.models))
                        .push_bind(json_list(&c.gtins))
                        .push_bind(json_list(&c.standards))
                        .push_bind(c.issued_on.to_string())
                        .push_bind(c.expires_on.to_string())
                        .push_bind(status.as_str())
                        .push_bind(status_on.to_string())
                        .push_bind(reason.as_str())
                        .push_bind(*index)
                        .push_bind(upload);
                });
                builder.build().execute(&mut *tx).await?;
            }
            let gtins: Vec<(String, &str)> = written
                .iter()
                .flat_map(|(c, ..)| {
                    let number = c.number.to_string();
                    c.gtins.iter().map(move |g| (number.clone(), g.as_str()))
                })
                .collect();
            for chunk in gtins.chunks(ROWS_PER_STATEMENT) {
                let mut builder = QueryBuilder::new("INSERT INTO certificate_gtins (number, gtin) ");
                builder.push_values(chunk, |mut b, (number, gtin)| {
                    b.push_bind(number.as_str()).push_bind(*gtin);
                });
                // A certificate lists a GTIN once; a file that repeats one is read as one.
                builder.push(" ON CONFLICT (gtin, number) DO NOTHING");
                builder.build().execute(&mut *tx).await?;
            }
            let issues: Vec<NewChange> = written
                .iter()
                .zip(&rows)
                .filter(|(_, row)| matches!(row, Upload::Issued(_)))
                .map(|((c, ..), _)| NewChange {
                    number: c.number.to_string(),
                    from: Status::Valid,
                    to: Status::Valid,
                    reason: Reason::Issued,
                    on: c.issued_on,
                    note: None,
                })
                .collect();
            let issued: Vec<(i64, &NewChange, &str)> = written
                .iter()
                .zip(&rows)
                .filter(|(_, row)| matches!(row, Upload::Issued(_)))
                .zip(&issues)
                .map(|(((c, .., index), _), change)| (*index, change, c.holder.as_str()))
                .collect();
            insert_changes!(tx, &issued, Some(upload), &at, user_id);
            let summary = serde_json::json!({"body": body, "received": rows.len(), "added": added});
            write_audit!(&mut *tx, at, user_id, "certificate_upload", upload.to_string(),
                ("insert", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(upload)
        })
    }

    /// Stores checked status changes in one transaction (an upload row when `body` uploads them as a batch): each
    /// change with its log entry, and each certificate's status as the last of its changes. `certificates` are the
    /// changed certificates as stored before the changes.
    pub async fn change_certificate_statuses(
        &self,
        upload_body: Option<&str>,
        certificates: &[StoredCertificate],
        changes: &[NewChange],
        user_id: Option<i64>,
    ) -> Result<Vec<i64>, StoreError> {
        let at = now();
        let find = |number: &str| certificates.iter().find(|c| c.certificate.number.to_string() == number);
        let mut entries = Vec::with_capacity(changes.len());
        for change in changes {
            let stored = find(&change.number).ok_or_else(|| {
                StoreError::Integrity(format!("certificate {} was not read before its change", change.number))
            })?;
            entries.push(log_entry(&stored.certificate, "status", change.to, change.reason, change.on));
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let upload = match upload_body {
                Some(body) => Some(insert_upload!(tx, body, "status_changes", changes.len(), 0, changes.len(), &at, user_id)),
                None => None,
            };
            let indexes: Vec<i64> = append_in!(tx, &entries);
            let rows: Vec<(i64, &NewChange, &str)> = changes
                .iter()
                .zip(&indexes)
                .map(|(change, index)| (*index, change, find(&change.number).map_or("", |c| c.certificate.holder.as_str())))
                .collect();
            insert_changes!(tx, &rows, upload, &at, user_id);
            for (change, index) in changes.iter().zip(&indexes) {
                sqlx::query(
                    "UPDATE certificates SET status = $2, status_on = $3, reason = $4, log_index = $5 WHERE number = $1",
                )
                .bind(&change.number)
                .bind(change.to.as_str())
                .bind(change.on.to_string())
                .bind(change.reason.as_str())
                .bind(*index)
                .execute(&mut *tx)
                .await?;
            }
            let summary = serde_json::json!({"changes": changes.len(), "upload": upload});
            write_audit!(&mut *tx, at, user_id, "certificate_status", indexes.first().copied().unwrap_or_default().to_string(),
                ("insert", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(indexes)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::public_log::canonical;

    fn certificate(number: CertificateNumber, scheme: Scheme) -> Certificate {
        Certificate {
            number,
            scheme,
            body: "CNCA-R-2002-001".into(),
            holder: "91330100MA2B3C4D5E".into(),
            manufacturer: None,
            factory: Some("91330100MA2B3C4D5E".into()),
            product_class: Some("0501".into()),
            product_name: "电热水壶 \"快煮\" 型\\ 1.7L\n".into(),
            models: vec!["M1".into(), "M1-A/\u{7f}".into()],
            gtins: vec!["06901234567892".into()],
            standards: vec!["GB 4706.1-2005".into(), "GB 4706.19-2008".into()],
            issued_on: NaiveDate::from_ymd_opt(2024, 3, 1).expect("a day"),
            expires_on: NaiveDate::from_ymd_opt(2029, 2, 28).expect("a day"),
        }
    }

    /// The fields written straight are the bytes the sorted map gives: entries hashed either way verify.
    #[test]
    fn canonical_certificate_and_entry_match_the_sorted_map() {
        let ccc = certificate(CertificateNumber::ccc("2024010501000001").expect("a CCC number"), Scheme::Ccc);
        let legacy = Certificate {
            manufacturer: Some("91330100MA2B3C4D5E".into()),
            factory: None,
            product_class: None,
            models: Vec::new(),
            ..certificate(CertificateNumber::CccLegacy("200101050100".into()), Scheme::Ccc)
        };
        let voluntary =
            certificate(CertificateNumber::voluntary("CQC24-001/SV").expect("a voluntary number"), Scheme::Service);
        for c in [ccc, legacy, voluntary] {
            assert_eq!(certificate_canonical(&c), canonical(&certificate_json(&c)));
            let entry = log_entry(&c, "issued", Status::Valid, Reason::Issued, c.issued_on);
            let expected = serde_json::json!({
                "event": "issued",
                "number": c.number.to_string(),
                "body": c.body,
                "holder_uscc": c.holder,
                "certificate_sha256": hex::encode(Sha256::digest(canonical(&certificate_json(&c)).as_bytes())),
                "status": "valid",
                "reason": "issued",
                "on": c.issued_on.to_string(),
                "expires_on": c.expires_on.to_string(),
            });
            assert_eq!(entry.data, canonical(&expected));
            assert_eq!(json_list(&c.models), serde_json::Value::from(c.models.clone()).to_string());
        }
    }
}
