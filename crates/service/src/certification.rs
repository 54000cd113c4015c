//! Certification's use cases (C9): registering bodies, a body's uploads of certificates and of status changes
//! (all or nothing, every rejected row named), the public's verification by number, holder or GTIN with a signed
//! status statement from the public log, and the change feed. A suspension or withdrawal enters the holder's
//! credit file by itself.

use std::collections::{BTreeMap, HashMap, HashSet};

use certification::{change, standing, Body, BodyFields, CertificateFields, ChangeFields, ChangeRequest, Status};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use store::certification::{certificate_canonical, CertificateChange, NewChange, StoredCertificate, Upload};
use store::{Role, Store, User};

use crate::access::require_admin;
use crate::batch::{checked_rows, rejected, Format, Rejected, RejectedRow};
use crate::schema::vocabulary;
use crate::{credit_scoring, today, ApiError, ErrorCode, Services};

/// Certificates or status changes one upload may carry.
pub const MAX_UPLOAD_ROWS: usize = 50_000;

/// The columns of a certificate row, in the order files list them.
pub const CERTIFICATE_COLUMNS: &[&str] = &[
    "number",
    "scheme",
    "body",
    "holder_uscc",
    "manufacturer_uscc",
    "factory_uscc",
    "product_class",
    "product_name",
    "models",
    "gtins",
    "standards",
    "issued_on",
    "expires_on",
];

/// The columns of a status-change row.
pub const CHANGE_COLUMNS: &[&str] = &["number", "status", "reason", "on", "note"];

fn field_code(field: &str) -> ErrorCode {
    match field {
        "scheme" | "status" | "reason" => ErrorCode::InvalidKind,
        "holder_uscc" | "manufacturer_uscc" | "factory_uscc" | "uscc" => ErrorCode::InvalidUscc,
        "gtins" => ErrorCode::InvalidGtin,
        "product_name" | "note" | "name" => ErrorCode::InvalidText,
        _ => ErrorCode::InvalidRequest,
    }
}

/// An administrator registers a body (or changes one: its classes, its status).
pub async fn register_body(state: &Services, user: &User, fields: BodyFields) -> Result<Body, ApiError> {
    require_admin(user)?;
    let body = fields.check().map_err(|e| ApiError::new(field_code(e.field), e.to_string()))?;
    state.store.put_certification_body(&body, Some(user.id)).await?;
    Ok(body)
}

/// The bodies a user uploads for: a certifier's own (by its USCC); an administrator's, any.
async fn bodies_of(state: &Services, user: &User) -> Result<Option<Vec<Body>>, ApiError> {
    match (user.role, user.uscc.as_deref()) {
        (Role::Admin, _) => Ok(None),
        (Role::Certifier, Some(uscc)) => Ok(Some(state.store.certification_bodies_of(uscc).await?)),
        _ => Err(ApiError::forbidden("only a certification body (or an administrator) uploads certificates")),
    }
}

/// What an upload stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UploadReceipt {
    pub upload_id: i64,
    pub received: usize,
    /// New certificates, each issued as valid.
    pub added: usize,
    /// Stored certificates with other fields; their earlier version is kept.
    pub amended: usize,
    /// The same as stored.
    pub unchanged: usize,
}

/// A body uploads certificates (JSON `{"certificates": […]}` or CSV with a header row): all or nothing. Each row
/// is read, checked against its body (approved for the scheme and the product class, the CCC number carrying the
/// body's code and the issue year) and the catalogue; a number held by another body, or listed twice, is refused.
pub async fn upload(
    state: &Services,
    user: &User,
    format: Format,
    text: &str,
) -> Result<Result<UploadReceipt, Rejected>, ApiError> {
    let own = bodies_of(state, user).await?;
    let (certificates, lines) = match checked_rows(
        format,
        text,
        CERTIFICATE_COLUMNS,
        "certificates",
        MAX_UPLOAD_ROWS,
        |f: CertificateFields| f.check().map_err(|e| (e.field, field_code(e.field), e.reason)),
    )? {
        Ok(checked) => checked,
        Err(rejected) => return Ok(Err(rejected)),
    };
    let received = certificates.len();
    let Some(first) = certificates.first() else {
        return Err(ApiError::invalid("the upload holds no certificate"));
    };
    let body_number = first.body.clone();
    let body = state.store.certification_body(&body_number).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::InvalidRequest, format!("{body_number} is not a registered certification body"))
    })?;
    if own.as_ref().is_some_and(|own| !own.iter().any(|b| b.approval_number == body.approval_number)) {
        return Err(ApiError::forbidden(format!("this account does not upload for {body_number}")));
    }
    let catalogue = state.catalogue().await?;
    let numbers: Vec<String> = certificates.iter().map(|c| c.number.to_string()).collect();
    let stored: HashMap<String, StoredCertificate> = state
        .store
        .certificates_numbered(&numbers)
        .await?
        .into_iter()
        .map(|c| (c.certificate.number.to_string(), c))
        .collect();
    let mut errors: Vec<RejectedRow> = Vec::new();
    let mut seen = HashSet::new();
    let mut rows = Vec::with_capacity(received);
    let mut unchanged = 0;
    for (certificate, line) in certificates.into_iter().zip(lines) {
        let number = certificate.number.to_string();
        let mut refuse = |field: &str, message: String| errors.push(rejected(line, field, field_code(field), message));
        if certificate.body != body_number {
            refuse("body", format!("an upload carries one body's certificates; this row names {}", certificate.body));
            continue;
        }
        if !seen.insert(number.clone()) {
            refuse("number", format!("{number} is listed twice"));
            continue;
        }
        if let Err(e) = certificate.fits(&body, &catalogue) {
            refuse(e.field, e.reason);
            continue;
        }
        match stored.get(&number) {
            None => rows.push(Upload::Issued(certificate)),
            Some(old) if old.certificate.body != body_number => {
                refuse("number", format!("{number} is a certificate of {}", old.certificate.body));
            }
            Some(old) if old.certificate == certificate => unchanged += 1,
            Some(old) => rows.push(Upload::Amended(certificate, Box::new(old.clone()))),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(Rejected { received, rows: errors }));
    }
    let added = rows.iter().filter(|r| matches!(r, Upload::Issued(_))).count();
    let amended = rows.len() - added;
    let upload_id = state.store.upload_certificates(&body_number, rows, Some(user.id)).await?;
    Ok(Ok(UploadReceipt { upload_id, received, added, amended, unchanged }))
}

/// A change checked against the certificate's history as it stands, or why not.
fn checked_change(
    certificate: &mut StoredCertificate,
    request: &ChangeRequest,
    day: NaiveDate,
) -> Result<NewChange, (&'static str, ErrorCode, String)> {
    let current = certificate.status;
    change(current, request.to, request.reason).map_err(|refusal| match refusal {
        rulekit::Refusal::WrongState(m) => ("status", ErrorCode::WrongState, m),
        rulekit::Refusal::Invalid(m) => ("reason", ErrorCode::InvalidKind, m),
    })?;
    if request.on > day {
        return Err(("on", ErrorCode::InvalidRequest, format!("{} is in the future", request.on)));
    }
    if request.on < certificate.status_on {
        return Err((
            "on",
            ErrorCode::InvalidRequest,
            format!("{} is before the certificate's last change on {}", request.on, certificate.status_on),
        ));
    }
    if request.to == Status::Expired && request.on <= certificate.certificate.expires_on {
        return Err((
            "on",
            ErrorCode::InvalidRequest,
            format!("the certificate runs until {}", certificate.certificate.expires_on),
        ));
    }
    let new = NewChange {
        number: request.number.clone(),
        from: current,
        to: request.to,
        reason: request.reason,
        on: request.on,
        note: request.note.clone(),
    };
    certificate.status = request.to;
    certificate.status_on = request.on;
    certificate.reason = request.reason;
    Ok(new)
}

/// What a batch of status changes stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChangesReceipt {
    pub received: usize,
    /// The changes' public-log indexes, in the order given.
    pub log_indexes: Vec<i64>,
}

/// A body uploads status changes (JSON `{"changes": […]}` or CSV): all or nothing, applied in the order given,
/// each allowed by the certificate's history (withdrawn, cancelled and expired are final). The holders' credit
/// files take in the suspensions and withdrawals at once.
pub async fn change_statuses(
    state: &Services,
    user: &User,
    format: Format,
    text: &str,
) -> Result<Result<ChangesReceipt, Rejected>, ApiError> {
    let own = bodies_of(state, user).await?;
    let (requests, lines) =
        match checked_rows(format, text, CHANGE_COLUMNS, "changes", MAX_UPLOAD_ROWS, |f: ChangeFields| {
            f.check().map_err(|e| (e.field, field_code(e.field), e.reason))
        })? {
            Ok(checked) => checked,
            Err(rejected) => return Ok(Err(rejected)),
        };
    let received = requests.len();
    let numbers: Vec<String> = requests.iter().map(|r| r.number.clone()).collect();
    let mut certificates: BTreeMap<String, StoredCertificate> = state
        .store
        .certificates_numbered(&numbers)
        .await?
        .into_iter()
        .map(|c| (c.certificate.number.to_string(), c))
        .collect();
    let before: Vec<StoredCertificate> = certificates.values().cloned().collect();
    let day = today();
    let mut errors = Vec::new();
    let mut changes = Vec::with_capacity(received);
    let mut upload_body = None;
    for (request, line) in requests.iter().zip(lines) {
        let Some(certificate) = certificates.get_mut(&request.number) else {
            errors.push(rejected(line, "number", ErrorCode::NotFound, format!("no certificate {}", request.number)));
            continue;
        };
        let body = certificate.certificate.body.clone();
        if own.as_ref().is_some_and(|own| !own.iter().any(|b| b.approval_number == body)) {
            errors.push(rejected(
                line,
                "number",
                ErrorCode::Forbidden,
                format!("{} is a certificate of {body}", request.number),
            ));
            continue;
        }
        if upload_body.get_or_insert_with(|| body.clone()) != &body {
            errors.push(rejected(line, "number", ErrorCode::InvalidRequest, "an upload carries one body's changes"));
            continue;
        }
        match checked_change(certificate, request, day) {
            Ok(change) => changes.push(change),
            Err((field, code, message)) => errors.push(rejected(line, field, code, message)),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(Rejected { received, rows: errors }));
    }
    if changes.is_empty() {
        return Err(ApiError::invalid("the upload holds no status change"));
    }
    let log_indexes =
        state.store.change_certificate_statuses(upload_body.as_deref(), &before, &changes, Some(user.id)).await?;
    take_into_credit_files(state, &before).await?;
    Ok(Ok(ChangesReceipt { received, log_indexes }))
}

/// One status change by the body, on one certificate.
pub async fn change_status(
    state: &Services,
    user: &User,
    number: &str,
    fields: ChangeFields,
) -> Result<CertificateView, ApiError> {
    let fields = ChangeFields { number: Some(number.to_owned()), ..fields };
    let body = serde_json::json!({"changes": [fields_json(&fields)]}).to_string();
    match change_statuses(state, user, Format::Json, &body).await? {
        Ok(_) => verify(state, number, false).await.map(|v| v.certificate),
        Err(rejected) => {
            let row = rejected.rows.into_iter().next().expect("a rejected upload names a row");
            Err(ApiError::new(row.code, format!("{}: {}", row.field, row.message)))
        }
    }
}

fn fields_json(fields: &ChangeFields) -> serde_json::Value {
    serde_json::json!({"number": fields.number, "status": fields.status, "reason": fields.reason, "on": fields.on, "note": fields.note})
}

/// Collects the holders' new certification records into their credit files and rescores them.
async fn take_into_credit_files(state: &Services, certificates: &[StoredCertificate]) -> Result<(), ApiError> {
    let model = credit::Model::bundled();
    let holders: HashSet<&str> = certificates.iter().map(|c| c.certificate.holder.as_str()).collect();
    for holder in holders {
        credit_scoring::collect(&state.store, model, Some(holder)).await?;
        credit_scoring::refresh_one(&state.store, model, holder, today()).await?;
    }
    Ok(())
}

/// A certificate as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Certificate)]
pub struct CertificateView {
    pub number: String,
    #[schema(schema_with = vocabulary::<certification::Scheme>)]
    pub scheme: certification::Scheme,
    /// A CCC number in the earlier 12-digit format.
    pub legacy_number: bool,
    pub body: String,
    pub body_name: Option<String>,
    pub holder_uscc: String,
    pub manufacturer_uscc: Option<String>,
    pub factory_uscc: Option<String>,
    pub product_class: Option<String>,
    pub product_name: String,
    pub models: Vec<String>,
    pub gtins: Vec<String>,
    pub standards: Vec<String>,
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub expires_on: NaiveDate,
    /// The stored status.
    #[schema(schema_with = vocabulary::<Status>)]
    pub status: Status,
    /// Where it stands today: a valid or suspended certificate past its expiry has lapsed.
    #[schema(schema_with = vocabulary::<Status>)]
    pub standing: Status,
    #[schema(schema_with = vocabulary::<certification::Reason>)]
    pub reason: certification::Reason,
    #[schema(value_type = String, format = Date)]
    pub status_on: NaiveDate,
    /// Its latest public-log entry.
    pub log_index: i64,
}

fn view(stored: StoredCertificate, body_name: Option<String>, day: NaiveDate) -> CertificateView {
    let StoredCertificate { certificate: c, status, status_on, reason, log_index, .. } = stored;
    CertificateView {
        number: c.number.to_string(),
        scheme: c.scheme,
        legacy_number: c.number.is_legacy(),
        standing: standing(status, c.expires_on, day),
        body: c.body,
        body_name,
        holder_uscc: c.holder,
        manufacturer_uscc: c.manufacturer,
        factory_uscc: c.factory,
        product_class: c.product_class,
        product_name: c.product_name,
        models: c.models,
        gtins: c.gtins,
        standards: c.standards,
        issued_on: c.issued_on,
        expires_on: c.expires_on,
        status,
        reason,
        status_on,
        log_index,
    }
}

/// The answer to a verification by number: the certificate, its history and, when asked, the signed statement.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub certificate: CertificateView,
    /// Every status change, oldest first.
    pub history: Vec<CertificateChange>,
    pub statement: Option<StatusStatement>,
}

/// A signed status statement: the certificate's latest public-log entry, the certificate it hashes, the audit
/// path to the root of a signed checkpoint. Checked offline with the log's public key: the entry's leaf hash
/// (RFC 6962) and the audit path give the checkpoint's root; the checkpoint's signature is the log's; the
/// certificate's SHA-256 is the entry's `certificate_sha256`.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusStatement {
    pub log_index: i64,
    /// The entry's bytes as the log hashed them (canonical JSON).
    pub entry: String,
    /// The certificate's canonical JSON, whose SHA-256 the entry holds.
    pub certificate: String,
    pub tree_size: u64,
    /// The audit path, hex, leaf to root.
    pub audit_path: Vec<String>,
    /// The checkpoint: a C2SP signed note.
    pub checkpoint: String,
}

/// The public verifies a certificate by its number, without an account or a captcha.
pub async fn verify(state: &Services, number: &str, with_statement: bool) -> Result<Verification, ApiError> {
    let number = number.trim();
    if number.is_empty() || number.chars().count() > 40 {
        return Err(ApiError::invalid("a certificate number is 1 to 40 characters"));
    }
    let record = state
        .store
        .certificate_record(number)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no certificate {number} is registered")))?;
    let statement = match with_statement {
        true => Some(statement(state, &record.stored).await?),
        false => None,
    };
    let store::certification::CertificateRecord { stored, body_name, history } = record;
    Ok(Verification { certificate: view(stored, body_name, today()), history, statement })
}

async fn statement(state: &Services, stored: &StoredCertificate) -> Result<StatusStatement, ApiError> {
    let checkpoint = crate::log::current_checkpoint(state).await?;
    let tree_size = checkpoint.tree_size as u64;
    if !state.log.subtrees.read().unwrap_or_else(|poisoned| poisoned.into_inner()).covers(tree_size) {
        crate::log::fill_subtrees(state, tree_size).await?;
    }
    let plan = translog::inclusion_plan(stored.log_index as u64, tree_size).map_err(ApiError::invalid)?;
    let (entry, nodes) = crate::log::cached_nodes(state, stored.log_index, &plan.nodes()).await?;
    let entry = entry.ok_or_else(|| ApiError::integrity(format!("log entry {} is missing", stored.log_index)))?;
    let path = plan
        .assemble(|n| nodes.get(&n).copied())
        .ok_or_else(|| ApiError::integrity("the log is missing nodes for this proof"))?;
    Ok(StatusStatement {
        log_index: stored.log_index,
        entry: entry.data,
        certificate: certificate_canonical(&stored.certificate),
        tree_size,
        audit_path: path.iter().map(hex::encode).collect(),
        checkpoint: checkpoint.note,
    })
}

/// What to look certificates up by.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The holder's USCC.
    #[param(max_length = 18)]
    pub holder: Option<String>,
    /// A GTIN the certificate covers (8, 12, 13 or 14 digits).
    #[param(max_length = 14)]
    pub gtin: Option<String>,
    /// The last number of the previous page (by holder).
    #[param(max_length = 40)]
    pub after: Option<String>,
}

/// Certificates found, with the next page's cursor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CertificatePage {
    pub certificates: Vec<CertificateView>,
    pub next_after: Option<String>,
}

/// Certificates by holder (paged) or by GTIN. Not found means not registered here — which, for a body that has
/// not uploaded, is not proof of a fake.
pub async fn lookup(state: &Services, query: LookupQuery) -> Result<CertificatePage, ApiError> {
    const PAGE: i64 = 100;
    let found = match (crate::input::optional_text(query.holder), crate::input::optional_text(query.gtin)) {
        (Some(holder), None) => {
            let uscc = crate::input::uscc("holder", Some(&holder))?;
            let after = query.after.unwrap_or_default();
            state.store.certificates_of_holder(uscc.as_str(), &after, PAGE + 1).await?
        }
        (None, Some(gtin)) => {
            let gtin = crate::input::gtin(Some(&gtin))?;
            state.store.certificates_of_gtin(gtin.to_gtin14().as_str()).await?
        }
        _ => return Err(ApiError::invalid("look up by holder or by gtin")),
    };
    let day = today();
    let mut names: HashMap<String, Option<String>> = HashMap::new();
    let mut certificates = Vec::with_capacity(found.len());
    for stored in found {
        let body = stored.certificate.body.clone();
        if !names.contains_key(&body) {
            let name = state.store.certification_body(&body).await?.map(|b| b.name);
            names.insert(body.clone(), name);
        }
        certificates.push(view(stored, names[&body].clone(), day));
    }
    let next_after = if certificates.len() as i64 > PAGE {
        certificates.truncate(PAGE as usize);
        certificates.last().map(|c| c.number.clone())
    } else {
        None
    };
    Ok(CertificatePage { certificates, next_after })
}

/// A page of the change feed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChangeFeed {
    pub changes: Vec<CertificateChange>,
    /// The log index to pass as `after` for the next page; the last one given, or `after` itself when none.
    pub next_after: i64,
}

/// Status changes after a log index, oldest first, at most `limit` (1 to 1000).
pub async fn feed(store: &Store, after: i64, limit: i64) -> Result<ChangeFeed, ApiError> {
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit is 1 to 1000"));
    }
    let changes = store.certificate_changes_after(after, limit).await?;
    let next_after = changes.last().map_or(after, |c| c.log_index);
    Ok(ChangeFeed { changes, next_after })
}

/// The body views the register lists.
pub async fn bodies(store: &Store) -> Result<Vec<Body>, ApiError> {
    Ok(store.certification_bodies().await?)
}

/// What an offline check of a statement found: the certificate and where it stood in the signed log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedStatement {
    pub number: String,
    pub status: String,
    pub reason: String,
    /// The day of the status.
    pub on: String,
    pub expires_on: String,
    pub log_origin: String,
    pub tree_size: u64,
}

/// Why a statement does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StatementError(String);

/// Checks a signed status statement with the log's verifier key (`name+id+base64`), offline: the checkpoint is
/// signed by that key, the entry's leaf with the audit path gives the checkpoint's root, and the certificate's
/// SHA-256 is the one the entry holds.
pub fn check_statement(statement: &StatusStatement, verifier_key: &str) -> Result<CheckedStatement, StatementError> {
    use sha2::Digest;
    let fail = |what: &str| StatementError(what.to_owned());
    let verifier = translog::NoteVerifier::parse(verifier_key.trim()).map_err(|e| fail(&format!("the key: {e}")))?;
    let opened = translog::open(&statement.checkpoint, &verifier, &[])
        .map_err(|e| fail(&format!("the checkpoint is not signed by this key: {e}")))?
        .checkpoint;
    if opened.tree_size != statement.tree_size {
        return Err(fail("the statement's tree size is not the checkpoint's"));
    }
    let path = statement
        .audit_path
        .iter()
        .map(|h| hex::decode(h).ok().and_then(|b| b.try_into().ok()))
        .collect::<Option<Vec<translog::Hash>>>()
        .ok_or_else(|| fail("the audit path is not 32-byte hashes in hex"))?;
    let leaf = translog::leaf_hash(statement.entry.as_bytes());
    let index = u64::try_from(statement.log_index).map_err(|_| fail("the log index is negative"))?;
    translog::verify_inclusion(&leaf, index, opened.tree_size, &path, &opened.root_hash)
        .map_err(|e| fail(&format!("the entry is not in the signed log: {e}")))?;
    let entry: serde_json::Value = serde_json::from_str(&statement.entry).map_err(|_| fail("the entry is not JSON"))?;
    let digest = hex::encode(sha2::Sha256::digest(statement.certificate.as_bytes()));
    if entry["certificate_sha256"].as_str() != Some(digest.as_str()) {
        return Err(fail("the certificate is not the one the entry names"));
    }
    let field =
        |name: &str| entry[name].as_str().map(str::to_owned).ok_or_else(|| fail(&format!("the entry has no {name}")));
    Ok(CheckedStatement {
        number: field("number")?,
        status: field("status")?,
        reason: field("reason")?,
        on: field("on")?,
        expires_on: field("expires_on")?,
        log_origin: opened.origin,
        tree_size: opened.tree_size,
    })
}
