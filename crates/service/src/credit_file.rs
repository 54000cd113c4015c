//! Credit files (质量信用档案) and credit classes for tiered supervision (分类监管): records from the platform's own
//! workflows, from regulators, and from other departments through the exchange (per-department tokens); the class
//! of each organization from the versioned model (`credit/data/credit_model.json`) with its reasons; every class
//! change in the public log.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use credit::listing::ListingStatus;
use credit::{Model, Source};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use store::credit_file::CreditRecord;
use store::{Role, User};

use crate::access::authorize_supervision;
pub use crate::access::require_admin;
use crate::batch::{self, rejected, Format};
pub use crate::batch::{Rejected, RejectedRow};
use crate::credit_scoring::{self, new_record_id, ScoringSummary};
use crate::error::stored;
use crate::input::{self, optional_text, FieldError};
use crate::schema::vocabulary;
use crate::{today, ApiError, ErrorCode, Services};

/// The fields of a record sent by a regulator or a department.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreditRecordInput)]
pub struct RecordFields {
    /// Required from departments; a regulator's record is about the organization its path names.
    pub uscc: Option<String>,
    /// Required: a kind of GET /api/v1/credit/model this sender may record.
    pub kind: Option<String>,
    /// Required.
    #[schema(max_length = 500)]
    pub title: Option<String>,
    /// Required; not in the future.
    #[schema(format = Date)]
    pub occurred_on: Option<String>,
    pub decision_no: Option<String>,
    /// The sender's own key for the record; a record sent again under the same key is stored once. Required from
    /// departments.
    pub reference: Option<String>,
    /// The kind's legal basis by default.
    pub legal_basis: Option<String>,
    /// An earlier end of publication than the kind's period (SAMR Order 45: obligations fulfilled).
    #[schema(format = Date)]
    pub public_until: Option<String>,
}

/// The exchange's columns, in CSV order.
pub const COLUMNS: [&str; 8] =
    ["uscc", "kind", "title", "occurred_on", "decision_no", "reference", "legal_basis", "public_until"];

/// Checks one record against the model: a known kind this source may record, a valid USCC, a date not in the
/// future, a public period no longer than the kind's.
pub fn check_record(
    model: &Model,
    fields: RecordFields,
    source: Source,
    allowed_kinds: Option<&[String]>,
    today: NaiveDate,
) -> Result<CreditRecord, FieldError> {
    let uscc = input::uscc("uscc", fields.uscc.as_deref())?;
    let kind = optional_text(fields.kind)
        .ok_or_else(|| FieldError::new("kind", ErrorCode::InvalidKind, "kind is required"))?;
    let rule = model.kind(&kind).ok_or_else(|| {
        let codes: Vec<&str> = model.kinds.iter().map(|k| k.code.as_str()).collect();
        FieldError::new("kind", ErrorCode::InvalidKind, format!("kind '{kind}' is not one of {}", codes.join(", ")))
    })?;
    if !rule.allows(source) {
        return Err(FieldError::new(
            "kind",
            ErrorCode::InvalidKind,
            format!(
                "kind '{kind}' is collected from {}, not recorded by a {}",
                rule.sources.join(", "),
                source.as_str()
            ),
        ));
    }
    if allowed_kinds.is_some_and(|allowed| !allowed.contains(&kind)) {
        return Err(FieldError::new(
            "kind",
            ErrorCode::InvalidKind,
            format!("this department may not send kind '{kind}'"),
        ));
    }
    let title = optional_text(fields.title)
        .ok_or_else(|| FieldError::new("title", ErrorCode::InvalidRequest, "title is required"))?;
    if title.chars().count() > 500 {
        return Err(FieldError::new("title", ErrorCode::InvalidRequest, "title is longer than 500 characters"));
    }
    let on_text = optional_text(fields.occurred_on)
        .ok_or_else(|| FieldError::new("occurred_on", ErrorCode::InvalidRequest, "occurred_on is required"))?;
    let occurred_on = input::date("occurred_on", &on_text)?;
    if occurred_on > today {
        return Err(FieldError::new(
            "occurred_on",
            ErrorCode::InvalidRequest,
            format!("{occurred_on} is in the future"),
        ));
    }
    let latest = credit_scoring::public_until(model, &kind, occurred_on).unwrap_or(occurred_on);
    let public_until = match optional_text(fields.public_until) {
        Some(text) => {
            let until = input::date("public_until", &text)?;
            if until < occurred_on || until > latest {
                return Err(FieldError::new(
                    "public_until",
                    ErrorCode::InvalidRequest,
                    format!("public_until must fall between {occurred_on} and {latest} (the kind's period)"),
                ));
            }
            until
        }
        None => latest,
    };
    let reference = optional_text(fields.reference);
    if source == Source::Department && reference.is_none() {
        return Err(FieldError::new(
            "reference",
            ErrorCode::InvalidRequest,
            "reference (the department's own key) is required",
        ));
    }
    let id = new_record_id();
    Ok(CreditRecord {
        source_ref: reference.unwrap_or_else(|| id.clone()),
        id,
        uscc: uscc.as_str().to_owned(),
        kind,
        source: source.as_str().to_owned(),
        department: String::new(),
        title,
        legal_basis: optional_text(fields.legal_basis).unwrap_or_else(|| rule.legal_basis.clone()),
        decision_no: optional_text(fields.decision_no),
        occurred_on: occurred_on.to_string(),
        public_until: public_until.to_string(),
        withdrawn_on: None,
        withdrawn_reason: None,
        created_by: None,
        created_at: String::new(),
        log_index: None,
        withdrawn_log_index: None,
    })
}

/// A regulator of the organization's region records a penalty, a certificate suspension, an award or another
/// good record; the class is brought up to date. Returns the record and the class.
pub async fn add_record(
    state: &Services,
    user: &User,
    uscc: &str,
    mut fields: RecordFields,
) -> Result<RecordAdded, ApiError> {
    let uscc = input::uscc("uscc", Some(uscc))?;
    let organization = state
        .store
        .organization(&uscc)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no organization {}", uscc.as_str())))?;
    authorize_supervision(user, &organization.region_code)?;
    fields.uscc = Some(uscc.as_str().to_owned());
    let record = check_record(Model::bundled(), fields, Source::Regulator, None, today())?;
    let inserted = state.store.insert_credit_records(std::slice::from_ref(&record), Some(user.id)).await?;
    if inserted == 0 {
        return Err(ApiError::new(
            ErrorCode::Conflict,
            format!("a record with reference '{}' is already on file", record.source_ref),
        ));
    }
    credit_scoring::refresh_one(&state.store, Model::bundled(), uscc.as_str(), today()).await?;
    let record = state.store.credit_record(&record.id).await?.unwrap_or(record);
    let class = state.store.credit_class(&uscc).await?;
    Ok(RecordAdded { record, class: class.map(|c| ClassScore { class: c.class, score: c.score }) })
}

/// A record just added, with the organization's class after it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordAdded {
    pub record: CreditRecord,
    /// None until the organization is first scored.
    pub class: Option<ClassScore>,
}

/// An organization's class and score.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClassScore {
    /// A (low risk) to D (high risk).
    pub class: String,
    pub score: i64,
}

/// Why a record is withdrawn.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreditRecordWithdrawal)]
pub struct WithdrawBody {
    /// Required: the revocation or the error.
    pub reason: Option<String>,
}

/// A withdrawn record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Withdrawn {
    pub id: String,
    #[schema(format = Date)]
    pub withdrawn_on: String,
    pub reason: String,
}

/// A record whose decision was revoked, or entered in error, stops being public and stops counting (SAMR Order
/// 45: withdrawn within 3 working days of a revocation).
pub async fn withdraw(state: &Services, user: &User, id: &str, body: WithdrawBody) -> Result<Withdrawn, ApiError> {
    let record = state.store.credit_record(id).await?.ok_or_else(|| ApiError::not_found(format!("no record {id}")))?;
    let region =
        state.store.organization(&input::stored_uscc(&record.uscc)?).await?.map(|o| o.region_code).unwrap_or_default();
    authorize_supervision(user, &region)?;
    // A regulator withdraws what regulators recorded; records from workflows and other departments need an admin.
    if stored::<Source>(&record.source)? != Source::Regulator && user.role != Role::Admin {
        return Err(ApiError::forbidden(format!(
            "record {id} came from {}; only an administrator may withdraw it",
            record.source
        )));
    }
    let reason = optional_text(body.reason).ok_or_else(|| ApiError::invalid("reason is required"))?;
    state.store.withdraw_credit_record(id, &today().to_string(), &reason, Some(user.id)).await?;
    credit_scoring::refresh_one(&state.store, Model::bundled(), &record.uscc, today()).await?;
    Ok(Withdrawn { id: id.to_owned(), withdrawn_on: today().to_string(), reason })
}

/// A department to register.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreditDepartmentInput)]
pub struct DepartmentBody {
    /// Required: up to 40 letters, digits, '-' or '_'.
    #[schema(max_length = 40, pattern = "^[A-Za-z0-9_-]+$")]
    pub code: Option<String>,
    /// Required.
    pub name: Option<String>,
    /// Required: at least one record kind a department may send (GET /api/v1/credit/exchange/format).
    pub kinds: Option<Vec<String>>,
    /// Its jurisdiction (a GB/T 2260 code); national when absent.
    pub region_code: Option<String>,
}

/// A registered department with its token, which is answered only once.
#[derive(Clone, Serialize, utoipa::ToSchema)]
pub struct RegisteredDepartment {
    pub code: String,
    pub name: String,
    /// The record kinds it may send.
    pub kinds: Vec<String>,
    /// Its jurisdiction (GB/T 2260); national when absent.
    pub region_code: Option<String>,
    /// The bearer token of its exchange; the platform keeps only its hash.
    pub token: String,
}

debug_without_secrets!(RegisteredDepartment, "code" => code);

/// An administrator registers a department (bank regulator, customs, tax, …) and the kinds it may send; the
/// token is in the answer, once.
pub async fn create_department(
    state: &Services,
    user: &User,
    body: DepartmentBody,
) -> Result<RegisteredDepartment, ApiError> {
    require_admin(user)?;
    let code = optional_text(body.code).ok_or_else(|| ApiError::invalid("code is required"))?;
    if !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') || code.len() > 40 {
        return Err(ApiError::invalid("code: up to 40 letters, digits, '-' or '_'"));
    }
    let name = optional_text(body.name).ok_or_else(|| ApiError::invalid("name is required"))?;
    let kinds = body.kinds.unwrap_or_default();
    if kinds.is_empty() {
        return Err(ApiError::invalid("kinds: name at least one record kind the department may send"));
    }
    for kind in &kinds {
        let allowed = Model::bundled().kind(kind).is_some_and(|k| k.allows(Source::Department));
        if !allowed {
            return Err(ApiError::new(
                ErrorCode::InvalidKind,
                format!("kind '{kind}' is not one a department may send"),
            ));
        }
    }
    let region = optional_text(body.region_code).map(|r| input::region("region_code", &r)).transpose()?;
    let region = region.as_ref().map(|r| r.as_str().to_owned());
    let token = format!("zld_{}", hex::encode(rand::random::<[u8; 24]>()));
    state.store.create_department(&code, &name, &token, &kinds.join(","), region.as_deref(), Some(user.id)).await?;
    Ok(RegisteredDepartment { code, name, kinds, region_code: region, token })
}

/// A batch of the exchange in JSON.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreditRecordsBody)]
pub struct RecordsBody {
    /// The records; each is read and checked on its own, so that every rejected one is named.
    #[schema(value_type = Vec<RecordFields>)]
    pub records: Vec<Value>,
}

/// What an exchange batch stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ExchangeReceipt {
    /// The sending department's code.
    pub department: String,
    /// Records in the batch.
    pub received: usize,
    /// Records stored now.
    pub inserted: u64,
    /// Records already stored under the same reference, not stored again.
    pub already_present: u64,
    pub organizations_rescored: usize,
}

/// A department sends records (JSON `{"records": […]}`, or CSV) with its token. All or nothing: with any rejected
/// row nothing is stored and every rejected row is named.
pub async fn exchange(
    state: &Services,
    token: &str,
    is_csv: bool,
    body: &str,
) -> Result<Result<ExchangeReceipt, Rejected>, ApiError> {
    let department = state.store.department_by_token(token.trim()).await?.ok_or_else(ApiError::unauthorized)?;
    let allowed: Vec<String> = department.kinds.split(',').map(str::to_owned).collect();
    let jurisdiction = match department.region_code.as_deref() {
        Some(code) => Some(codes::RegionCode::parse(code).map_err(|_| {
            ApiError::forbidden(format!(
                "department {}'s region {code} is no longer valid; ask an admin",
                department.code
            ))
        })?),
        None => None,
    };
    let format = if is_csv { Format::Csv } else { Format::Json };
    let rows = match batch::read_rows::<RecordFields>(format, body, &COLUMNS, "records") {
        Ok(rows) => rows,
        Err(errors) => return Ok(Err(Rejected { received: 0, rows: errors })),
    };
    let limit = state.settings.exchange_records;
    if rows.len() > limit {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("{} records; send at most {limit} a request", rows.len()),
        ));
    }
    let received = rows.len();
    let mut records = Vec::with_capacity(received);
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    let mut known = BTreeSet::new();
    for (row, fields) in rows {
        match check_record(Model::bundled(), fields, Source::Department, Some(&allowed), today()) {
            Ok(mut record) => {
                if !seen.insert(record.source_ref.clone()) {
                    errors.push(rejected(
                        row,
                        "reference",
                        ErrorCode::Duplicate,
                        "this reference appears earlier in the batch",
                    ));
                    continue;
                }
                if !known.contains(&record.uscc) {
                    let Some(organization) = state.store.organization(&input::stored_uscc(&record.uscc)?).await? else {
                        errors.push(rejected(
                            row,
                            "uscc",
                            ErrorCode::UnknownOrganization,
                            format!("{} is not in the master data", record.uscc),
                        ));
                        continue;
                    };
                    if let Some(scope) = jurisdiction.as_ref().filter(|s| !s.contains(&organization.region_code)) {
                        errors.push(rejected(
                            row,
                            "uscc",
                            ErrorCode::Forbidden,
                            format!(
                                "{} is registered in {}, outside this department's {}",
                                record.uscc,
                                organization.region_code,
                                scope.as_str()
                            ),
                        ));
                        continue;
                    }
                    known.insert(record.uscc.clone());
                }
                record.department = department.code.clone();
                records.push(record);
            }
            Err(e) => errors.push(rejected(row, e.field, e.code, e.message)),
        }
    }
    if !errors.is_empty() {
        return Ok(Err(Rejected { received, rows: errors }));
    }
    let inserted = state.store.insert_credit_records(&records, None).await?;
    for uscc in &known {
        credit_scoring::rescore_one(&state.store, Model::bundled(), today(), uscc).await?;
    }
    Ok(Ok(ExchangeReceipt {
        department: department.code,
        received,
        inserted,
        already_present: received as u64 - inserted,
        organizations_rescored: known.len(),
    }))
}

/// The day to score on.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CreditRecomputeBody)]
pub struct RecomputeBody {
    /// Today by default; not in the future.
    #[schema(format = Date)]
    pub as_of: Option<String>,
}

/// What a recompute did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Recomputed {
    /// New records collected from inspections, recalls and complaints.
    pub collected: u64,
    pub summary: ScoringSummary,
}

/// An administrator collects new records from every workflow and rescores every organization; class changes go
/// to the public log.
pub async fn recompute(state: &Services, user: &User, body: RecomputeBody) -> Result<Recomputed, ApiError> {
    require_admin(user)?;
    let as_of = match optional_text(body.as_of) {
        Some(text) => input::date("as_of", &text)?,
        None => today(),
    };
    if as_of > today() {
        // A class as of a future day would be logged now and changed back by the next read.
        return Err(ApiError::invalid(format!("as_of: {as_of} is in the future")));
    }
    let collected = credit_scoring::collect(&state.store, Model::bundled(), None).await?;
    let summary =
        credit_scoring::rescore_all(&state.store, Model::bundled(), as_of, state.settings.scoring_batch).await?;
    Ok(Recomputed { collected, summary })
}

/// Whether `user` sees an organization's whole file: its regulators and the enterprise itself.
pub fn sees_whole_file(user: Option<&User>, uscc: &str, region_code: &str) -> bool {
    user.is_some_and(|u| {
        authorize_supervision(u, region_code).is_ok() || (u.role == Role::Enterprise && u.uscc.as_deref() == Some(uscc))
    })
}

/// An organization's credit file as a reader may see it: the public part for everyone, the whole file for its
/// regulators and itself.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CreditFile {
    pub uscc: String,
    pub name: String,
    /// On a credit list now.
    pub on_a_list: bool,
    /// Its published listings, newest first.
    pub listings: Vec<ListedOn>,
    /// Every public-log entry about it, with the link to its inclusion proof.
    pub log_entries: Vec<LogEntryAbout>,
    /// Its credit class, once scored.
    pub class: Option<ClassView>,
    /// Every change of class, each a public-log entry.
    pub class_history: Vec<store::credit_file::ClassChange>,
    /// The public records, or all of them for insiders.
    pub records: Vec<RecordView>,
    /// Whether the reader sees the whole file.
    pub whole_file: bool,
    /// Whether the reader may add a regulator's record.
    pub may_add_records: bool,
}

/// A listing in the file's summary.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ListedOn {
    pub id: String,
    /// serious_violation | abnormal_operations
    pub list: String,
    #[schema(schema_with = vocabulary::<ListingStatus>)]
    pub status: ListingStatus,
    /// On its list now.
    pub current: bool,
    pub published_on: Option<String>,
    pub expires_on: Option<String>,
    pub removed_on: Option<String>,
    pub removal_reason: Option<String>,
}

/// A public-log entry about the organization.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LogEntryAbout {
    pub log_index: i64,
    pub kind: String,
    /// The entry as logged: the canonical JSON the leaf hashes.
    #[schema(value_type = Object)]
    pub entry: Value,
    pub inclusion_proof: String,
}

/// The credit class with its reasons and its log leaf.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClassView {
    /// A (low risk) to D (high risk).
    pub class: String,
    pub score: i64,
    pub model_version: String,
    pub as_of: String,
    pub computed_at: String,
    pub name_zh: Option<String>,
    pub name_en: Option<String>,
    /// The supervision this class calls for.
    pub supervision_zh: Option<String>,
    /// The evaluation's reasons as stored (`type` base, record, positive_cap, listing or not_scored); for the
    /// public, a record no longer public shows its kind and points only.
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<Value>,
    pub log_index: Option<i64>,
    pub inclusion_proof: Option<String>,
}

/// A record of the file; its withdrawal and whether it is public for insiders only.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecordView {
    pub id: String,
    pub kind: String,
    pub kind_name_zh: Option<String>,
    /// inspection | recall | complaint | regulator | department
    pub source: String,
    /// The sending department's code, for department records.
    pub department: Option<String>,
    pub title: String,
    pub legal_basis: String,
    pub decision_no: Option<String>,
    pub occurred_on: String,
    pub public_until: String,
    /// The digest the public-log entry commits to.
    pub record_sha256: String,
    pub log_index: Option<i64>,
    pub inclusion_proof: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn_log_index: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn_on: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
}

/// The credit file as `user` may see it (the API's answer, also what the organization page shows).
pub async fn file_view(
    state: &Services,
    user: Option<&User>,
    uscc: &str,
    as_of: Option<String>,
) -> Result<CreditFile, ApiError> {
    let typed_uscc = input::uscc("uscc", Some(uscc))?;
    let uscc = typed_uscc.as_str();
    let organization = state
        .store
        .organization(&typed_uscc)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no organization {uscc}")))?;
    let inside = sees_whole_file(user, uscc, &organization.region_code);
    let as_of = match optional_text(as_of) {
        Some(text) if inside => input::date("as_of", &text)?,
        Some(_) => {
            return Err(ApiError::forbidden("only the organization's regulators may read its file as of another day"))
        }
        None => today(),
    };
    credit_scoring::refresh_one(&state.store, Model::bundled(), uscc, today()).await?;
    let size = state.store.log_size().await?;
    let proof = |index: i64| format!("/api/v1/log/proof/inclusion?index={index}&tree_size={size}");
    let listings = state.store.listings(Some(uscc), None, true, None, 100).await?;
    let log_entries = state
        .store
        .log_entries_about(uscc, 200)
        .await?
        .into_iter()
        .map(|e| LogEntryAbout {
            log_index: e.idx,
            kind: e.kind,
            entry: serde_json::from_str(&e.data).unwrap_or(Value::Null),
            inclusion_proof: proof(e.idx),
        })
        .collect();
    let records = state.store.credit_records(&typed_uscc, (!inside).then(|| as_of.to_string()).as_deref()).await?;
    let public_ids: BTreeSet<&str> = records
        .iter()
        .filter(|r| r.withdrawn_on.is_none() && r.public_until >= as_of.to_string())
        .map(|r| r.id.as_str())
        .collect();
    let class = state.store.credit_class(&typed_uscc).await?.map(|c| {
        let mut reasons: Vec<Value> = serde_json::from_str(&c.reasons).unwrap_or_default();
        if !inside {
            // A record that still counts but is no longer public shows as its kind and points only.
            for reason in &mut reasons {
                let hidden = reason["record_id"].as_str().is_some_and(|id| !public_ids.contains(id));
                if hidden {
                    for field in ["record_id", "occurred_on", "counts_until"] {
                        reason[field] = Value::Null;
                    }
                }
            }
        }
        let rule = credit::Class::parse(&c.class).map(|k| Model::bundled().class_rule(k));
        ClassView {
            score: c.score,
            model_version: c.model_version,
            as_of: c.as_of,
            computed_at: c.computed_at,
            name_zh: rule.map(|r| r.name_zh.clone()),
            name_en: rule.map(|r| r.name_en.clone()),
            supervision_zh: rule.map(|r| r.supervision_zh.clone()),
            reasons,
            log_index: c.log_index,
            inclusion_proof: c.log_index.map(proof),
            class: c.class,
        }
    });
    let records = records
        .iter()
        .map(|r| RecordView {
            id: r.id.clone(),
            kind: r.kind.clone(),
            kind_name_zh: Model::bundled().kind(&r.kind).map(|k| k.name_zh.clone()),
            source: r.source.clone(),
            department: (!r.department.is_empty()).then(|| r.department.clone()),
            title: r.title.clone(),
            legal_basis: r.legal_basis.clone(),
            decision_no: r.decision_no.clone(),
            occurred_on: r.occurred_on.clone(),
            public_until: r.public_until.clone(),
            record_sha256: store::credit_file::record_digest(r),
            log_index: r.log_index,
            inclusion_proof: r.log_index.map(proof),
            withdrawn_log_index: r.withdrawn_log_index.filter(|_| inside),
            withdrawn_on: r.withdrawn_on.clone().filter(|_| inside),
            withdrawn_reason: r.withdrawn_reason.clone().filter(|_| inside),
            public: inside.then(|| public_ids.contains(r.id.as_str())),
        })
        .collect();
    Ok(CreditFile {
        uscc: uscc.to_owned(),
        name: organization.name,
        on_a_list: listings.iter().any(crate::credit::current),
        listings: listings
            .iter()
            .map(|l| {
                Ok(ListedOn {
                    id: l.id.clone(),
                    list: l.list.clone(),
                    status: store::stored(&l.status)?,
                    current: crate::credit::current(l),
                    published_on: l.published_on.clone(),
                    expires_on: l.expires_on.clone(),
                    removed_on: l.removed_on.clone(),
                    removal_reason: l.removal_reason.clone(),
                })
            })
            .collect::<Result<_, store::StoreError>>()?,
        log_entries,
        class,
        class_history: state.store.credit_class_changes(&typed_uscc).await?,
        records,
        whole_file: inside,
        may_add_records: user.is_some_and(|u| authorize_supervision(u, &organization.region_code).is_ok()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_registered_departments_token_stays_out_of_debug_prints() {
        let department = RegisteredDepartment {
            code: "tax-zj".into(),
            name: "国家税务总局浙江省税务局".into(),
            kinds: vec!["penalty".into()],
            region_code: Some("330000".into()),
            token: "zld_secret_value".into(),
        };
        let printed = format!("{department:?}");
        assert_eq!(printed, "RegisteredDepartment { code: \"tax-zj\", .. }");
        assert!(serde_json::to_string(&department).unwrap().contains("zld_secret_value"), "the answer carries it once");
    }
}
