//! Special equipment's and legal metrology's use cases (issue 14, items 4 and 7): the registering authority's
//! regulator registers special equipment and an owner (or the regulator) files instruments under compulsory
//! verification, all or nothing with every rejected row named; an inspection body (a lab account) records
//! inspections and verifications, which move the due day; a regulator's queue lists what in its region is due
//! within the notice month, overdue, or failed; labs and institutes file their measurement standards.

use std::collections::{HashMap, HashSet};

use chrono::{Months, NaiveDate};
use equipment::{Equipment, EquipmentFields, Inspection, InspectionFields, Varieties};
use metrology::{
    Instrument, InstrumentFields, Kinds, MeasurementStandard, MeasurementStandardFields, Verification,
    VerificationFields,
};
use rulekit::due::DueStanding;
use serde::{Deserialize, Serialize};
use store::{Role, User};

use crate::access::authorize_supervision;
use crate::batch::{checked_rows, rejected, Format, Rejected, RejectedRow};
use crate::{today, ApiError, ErrorCode, Services};

/// Rows one batch may carry.
pub const MAX_BATCH_ROWS: usize = 50_000;

/// Items a queue lists at most.
const QUEUE_LIMIT: i64 = 500;

pub const EQUIPMENT_COLUMNS: &[&str] = &[
    "code",
    "user_uscc",
    "registration_number",
    "region_code",
    "location",
    "in_service_on",
    "registered_on",
    "next_inspection_due",
];
pub const INSPECTION_COLUMNS: &[&str] = &["equipment_code", "inspected_on", "report_number", "verdict", "next_due_on"];
pub const INSTRUMENT_COLUMNS: &[&str] = &[
    "owner_uscc",
    "serial_number",
    "kind",
    "use",
    "region_code",
    "location",
    "registered_on",
    "next_verification_due",
];
pub const VERIFICATION_COLUMNS: &[&str] =
    &["owner_uscc", "serial_number", "verified_on", "certificate_number", "verdict", "next_due_on"];
pub const STANDARD_COLUMNS: &[&str] =
    &["certificate_number", "holder_uscc", "name", "range", "uncertainty", "valid_until", "serves"];

fn field_code(field: &str) -> ErrorCode {
    match field {
        "user_uscc" | "owner_uscc" | "holder_uscc" => ErrorCode::InvalidUscc,
        "region_code" => ErrorCode::InvalidRegion,
        "verdict" | "use" | "kind" => ErrorCode::InvalidKind,
        "location" | "registration_number" | "report_number" | "certificate_number" | "name" => ErrorCode::InvalidText,
        _ => ErrorCode::InvalidRequest,
    }
}

/// What a batch stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BatchReceipt {
    pub received: usize,
}

/// The account's own USCC, for an inspection body or a metrology institute recording its work.
fn inspector(user: &User, what: &str) -> Result<String, ApiError> {
    match (user.role, &user.uscc) {
        (Role::Lab, Some(uscc)) => Ok(uscc.clone()),
        _ => Err(ApiError::forbidden(format!("{what} are recorded by the inspection body's own (lab) account"))),
    }
}

fn outside(line: usize, region: &str) -> RejectedRow {
    rejected(line, "region_code", ErrorCode::Forbidden, format!("{region} is outside this account's region"))
}

/// Applies a batch's rows in order to the items they name, each row checked against its item as the rows before
/// it left it: the checked rows with each item after them, or every row naming an unknown item or failing.
fn in_order<K, T, F, R>(
    rows: Vec<F>,
    keys: &[K],
    lines: Vec<usize>,
    current: &mut HashMap<K, T>,
    unknown: impl Fn(usize, &K) -> RejectedRow,
    check: impl Fn(F, &T) -> Result<R, rulekit::fields::FieldError>,
    apply: impl Fn(T, &R) -> T,
) -> Result<Vec<(R, T)>, Vec<RejectedRow>>
where
    K: std::hash::Hash + Eq,
    T: Clone,
{
    let mut errors = Vec::new();
    let mut applied = Vec::with_capacity(rows.len());
    for ((fields, key), line) in rows.into_iter().zip(keys).zip(lines) {
        let Some(item) = current.get_mut(key) else {
            errors.push(unknown(line, key));
            continue;
        };
        match check(fields, item) {
            Ok(row) => {
                *item = apply(item.clone(), &row);
                applied.push((row, item.clone()));
            }
            Err(e) => errors.push(rejected(line, e.field, field_code(e.field), e.reason)),
        }
    }
    if errors.is_empty() {
        Ok(applied)
    } else {
        Err(errors)
    }
}

/// The registering authority registers special equipment (使用登记): JSON `{"equipment": […]}` or CSV.
pub async fn register_equipment(
    state: &Services,
    user: &User,
    format: Format,
    text: &str,
) -> Result<Result<BatchReceipt, Rejected>, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Regulator) {
        return Err(ApiError::forbidden("special equipment is registered by the registering authority"));
    }
    let varieties = Varieties::shipped();
    let day = today();
    let (items, lines) =
        match checked_rows(format, text, EQUIPMENT_COLUMNS, "equipment", MAX_BATCH_ROWS, |f: EquipmentFields| {
            f.check(varieties, day).map_err(|e| (e.field, field_code(e.field), e.reason))
        })? {
            Ok(checked) => checked,
            Err(rejected) => return Ok(Err(rejected)),
        };
    let codes: Vec<String> = items.iter().map(|e| e.code.clone()).collect();
    let stored: HashSet<String> = state.store.equipment_coded(&codes).await?.into_iter().map(|e| e.code).collect();
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    for (item, line) in items.iter().zip(lines) {
        if authorize_supervision(user, &item.region_code).is_err() {
            errors.push(outside(line, &item.region_code));
        } else if stored.contains(&item.code) || !seen.insert(item.code.clone()) {
            errors.push(rejected(
                line,
                "code",
                ErrorCode::Conflict,
                format!("{} is already registered or listed twice", item.code),
            ));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(Rejected { received: items.len(), rows: errors }));
    }
    state.store.add_equipment(&items, Some(user.id)).await?;
    Ok(Ok(BatchReceipt { received: items.len() }))
}

/// An inspection body records inspections (JSON `{"inspections": […]}` or CSV), applied in the order given.
pub async fn record_inspections(
    state: &Services,
    user: &User,
    format: Format,
    text: &str,
) -> Result<Result<BatchReceipt, Rejected>, ApiError> {
    let inspector = inspector(user, "inspections")?;
    let varieties = Varieties::shipped();
    let day = today();
    let (rows, lines) =
        match checked_rows(format, text, INSPECTION_COLUMNS, "inspections", MAX_BATCH_ROWS, |f: InspectionFields| {
            Ok::<_, (&'static str, ErrorCode, String)>(f)
        })? {
            Ok(checked) => checked,
            Err(rejected) => return Ok(Err(rejected)),
        };
    let codes: Vec<String> =
        rows.iter().map(|f| f.equipment_code.clone().unwrap_or_default().trim().to_ascii_uppercase()).collect();
    let mut current: HashMap<String, Equipment> =
        state.store.equipment_coded(&codes).await?.into_iter().map(|e| (e.code.clone(), e)).collect();
    let unknown = |line, code: &String| {
        rejected(line, "equipment_code", ErrorCode::NotFound, format!("{code} is not registered"))
    };
    let check = |fields: InspectionFields, equipment: &Equipment| fields.check(equipment, varieties, &inspector, day);
    let recorded = match in_order(rows, &codes, lines, &mut current, unknown, check, Equipment::inspected) {
        Ok(recorded) => recorded,
        Err(errors) => return Ok(Err(Rejected { received: codes.len(), rows: errors })),
    };
    state.store.record_inspections(&recorded, Some(user.id)).await?;
    Ok(Ok(BatchReceipt { received: recorded.len() }))
}

/// Equipment with where its inspection stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EquipmentView {
    pub equipment: Equipment,
    pub variety_name_zh: String,
    pub variety_name_en: String,
    #[schema(value_type = String)]
    pub standing: DueStanding,
    /// Registered later than 30 days after first service (特种设备安全法 Art. 33).
    pub registered_late: bool,
    /// Days past its due day (negative: days left).
    pub days_overdue: i64,
}

fn equipment_view(varieties: &Varieties, equipment: Equipment, day: NaiveDate) -> EquipmentView {
    let variety = varieties.get(&equipment.variety);
    EquipmentView {
        variety_name_zh: variety.map_or_else(|| equipment.variety.clone(), |v| v.name_zh.clone()),
        variety_name_en: variety.map_or_else(|| equipment.variety.clone(), |v| v.name_en.clone()),
        standing: equipment.standing(day),
        registered_late: equipment.registered_late(),
        days_overdue: (day - equipment.next_inspection_due).num_days(),
        equipment,
    }
}

/// One item of equipment with its inspections.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EquipmentRecord {
    pub view: EquipmentView,
    /// Oldest first.
    pub inspections: Vec<Inspection>,
}

/// The public reads an item of equipment by its code: whether it is inspected and may be used.
pub async fn equipment(state: &Services, code: &str) -> Result<EquipmentRecord, ApiError> {
    let code = code.trim().to_ascii_uppercase();
    if code.len() > 18 {
        return Err(ApiError::invalid("an equipment code is 18 characters"));
    }
    let item = state
        .store
        .equipment_coded(std::slice::from_ref(&code))
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found(format!("no equipment {code} is registered")))?;
    let inspections = state.store.equipment_inspections(&code).await?;
    Ok(EquipmentRecord { view: equipment_view(Varieties::shipped(), item, today()), inspections })
}

/// A user's equipment.
pub async fn equipment_of(state: &Services, uscc: &str) -> Result<Vec<EquipmentView>, ApiError> {
    let uscc = crate::input::uscc("user", Some(uscc))?;
    let varieties = Varieties::shipped();
    let day = today();
    Ok(state
        .store
        .equipment_of(uscc.as_str(), 1_000)
        .await?
        .into_iter()
        .map(|e| equipment_view(varieties, e, day))
        .collect())
}

/// A change of an item's use status.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = EquipmentStatusInput)]
pub struct UseStatusBody {
    /// Required: in_use, stopped or scrapped (在用, 停用, 报废).
    #[schema(max_length = 20)]
    pub status: Option<String>,
    /// Required: why (e.g. the user's report of stopping, the deregistration).
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// The status a change asks for, with its note, checked against the item's status now.
fn use_change(
    from: rulekit::due::UseStatus,
    body: UseStatusBody,
) -> Result<(rulekit::due::UseStatus, String), ApiError> {
    let status_text =
        crate::input::optional_text(body.status).ok_or_else(|| ApiError::invalid("status is required"))?;
    let to: rulekit::due::UseStatus =
        rulekit::fields::term("status", &status_text).map_err(|e| ApiError::new(ErrorCode::InvalidKind, e.reason))?;
    let note = crate::input::optional_text(body.note).ok_or_else(|| ApiError::invalid("note is required"))?;
    let note = crate::batch::checked_note(&note)?.to_owned();
    rulekit::due::change_use(from, to)?;
    Ok((to, note))
}

/// The registering region's regulator records that equipment is stopped (停用), back in use, or scrapped (报废,
/// final): stopped and scrapped equipment leaves the inspection queue.
pub async fn change_equipment_status(
    state: &Services,
    user: &User,
    code: &str,
    body: UseStatusBody,
) -> Result<EquipmentRecord, ApiError> {
    let code = code.trim().to_ascii_uppercase();
    let item = state
        .store
        .equipment_coded(std::slice::from_ref(&code))
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found(format!("no equipment {code} is registered")))?;
    authorize_supervision(user, &item.region_code)?;
    let (to, note) = use_change(item.status, body)?;
    state.store.set_equipment_status(&code, item.status, to, &note, Some(user.id)).await?;
    equipment(state, &code).await
}

/// The region's regulator records that an instrument is stopped, back in use, or scrapped (final); the owner
/// reports it about its own instruments.
pub async fn change_instrument_status(
    state: &Services,
    user: &User,
    owner: &str,
    serial: &str,
    body: UseStatusBody,
) -> Result<InstrumentRecord, ApiError> {
    let current = instrument(state, owner, serial).await?;
    let item = &current.view.instrument;
    let own = user.role == Role::Enterprise && user.uscc.as_deref() == Some(item.owner_uscc.as_str());
    if !own {
        authorize_supervision(user, &item.region_code)?;
    }
    let (to, note) = use_change(item.status, body)?;
    let key = (item.owner_uscc.as_str(), item.serial_number.as_str());
    state.store.set_instrument_status(key, item.status, to, &note, Some(user.id)).await?;
    instrument(state, owner, serial).await
}

/// The region a queue covers: the one asked for, which the account must cover, or the account's own.
fn queue_region(user: &User, region: Option<String>) -> Result<String, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Regulator) {
        return Err(ApiError::forbidden("the due queues are the regulators'"));
    }
    let region = match crate::input::optional_text(region) {
        Some(region) => crate::input::region("region", &region)?.to_string(),
        None => user.region_code.clone().unwrap_or_default(),
    };
    if region.is_empty() {
        if user.role == Role::Admin {
            return Ok(String::new());
        }
        return Err(ApiError::invalid("region is required"));
    }
    authorize_supervision(user, &region)?;
    Ok(region)
}

/// What a queue asks.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// A GB/T 2260 code the account covers; the account's own region by default.
    #[param(max_length = 6)]
    pub region: Option<String>,
}

/// A regulator's queue of equipment whose periodic inspection is due within the notice month, overdue, or failed.
pub async fn equipment_queue(state: &Services, user: &User, query: QueueQuery) -> Result<Vec<EquipmentView>, ApiError> {
    let region = queue_region(user, query.region)?;
    let day = today();
    let by = day.checked_add_months(Months::new(equipment::NOTICE_MONTHS)).unwrap_or(day);
    let varieties = Varieties::shipped();
    let due = state.store.equipment_due(&crate::recalls::region_prefix(&region), by, QUEUE_LIMIT).await?;
    Ok(due.into_iter().map(|e| equipment_view(varieties, e, day)).filter(|v| v.standing.needs_action()).collect())
}

/// An owner files its instruments under compulsory verification (备案), or the regulator files them:
/// JSON `{"instruments": […]}` or CSV.
pub async fn file_instruments(
    state: &Services,
    user: &User,
    format: Format,
    text: &str,
) -> Result<Result<BatchReceipt, Rejected>, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Regulator | Role::Enterprise) {
        return Err(ApiError::forbidden("instruments are filed by their owner or the metrology authority"));
    }
    let kinds = Kinds::shipped();
    let day = today();
    let (items, lines) =
        match checked_rows(format, text, INSTRUMENT_COLUMNS, "instruments", MAX_BATCH_ROWS, |f: InstrumentFields| {
            f.check(kinds, day).map_err(|e| (e.field, field_code(e.field), e.reason))
        })? {
            Ok(checked) => checked,
            Err(rejected) => return Ok(Err(rejected)),
        };
    let keys: Vec<(String, String)> = items.iter().map(|i| (i.owner_uscc.clone(), i.serial_number.clone())).collect();
    let stored: HashSet<(String, String)> =
        state.store.instruments_keyed(&keys).await?.into_iter().map(|i| (i.owner_uscc, i.serial_number)).collect();
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    for ((item, key), line) in items.iter().zip(&keys).zip(lines) {
        let own = user.role == Role::Enterprise && user.uscc.as_deref() == Some(item.owner_uscc.as_str());
        if user.role == Role::Enterprise && !own {
            errors.push(rejected(line, "owner_uscc", ErrorCode::Forbidden, "an enterprise files its own instruments"));
        } else if !own && authorize_supervision(user, &item.region_code).is_err() {
            errors.push(outside(line, &item.region_code));
        } else if stored.contains(key) || !seen.insert(key.clone()) {
            errors.push(rejected(
                line,
                "serial_number",
                ErrorCode::Conflict,
                format!("{} of {} is already filed or listed twice", item.serial_number, item.owner_uscc),
            ));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(Rejected { received: items.len(), rows: errors }));
    }
    state.store.add_instruments(&items, Some(user.id)).await?;
    Ok(Ok(BatchReceipt { received: items.len() }))
}

/// A metrology institute records verifications (JSON `{"verifications": […]}` or CSV), in the order given.
pub async fn record_verifications(
    state: &Services,
    user: &User,
    format: Format,
    text: &str,
) -> Result<Result<BatchReceipt, Rejected>, ApiError> {
    let institute = inspector(user, "verifications")?;
    let kinds = Kinds::shipped();
    let day = today();
    let (rows, lines) = match checked_rows(
        format,
        text,
        VERIFICATION_COLUMNS,
        "verifications",
        MAX_BATCH_ROWS,
        |f: VerificationFields| Ok::<_, (&'static str, ErrorCode, String)>(f),
    )? {
        Ok(checked) => checked,
        Err(rejected) => return Ok(Err(rejected)),
    };
    let keys: Vec<(String, String)> = rows.iter().map(VerificationFields::key).collect();
    let mut current: HashMap<(String, String), Instrument> = state
        .store
        .instruments_keyed(&keys)
        .await?
        .into_iter()
        .map(|i| ((i.owner_uscc.clone(), i.serial_number.clone()), i))
        .collect();
    let unknown = |line, key: &(String, String)| {
        rejected(line, "serial_number", ErrorCode::NotFound, format!("{} of {} is not filed", key.1, key.0))
    };
    let check = |fields: VerificationFields, instrument: &Instrument| fields.check(instrument, kinds, &institute, day);
    let recorded = match in_order(rows, &keys, lines, &mut current, unknown, check, Instrument::verified) {
        Ok(recorded) => recorded,
        Err(errors) => return Ok(Err(Rejected { received: keys.len(), rows: errors })),
    };
    state.store.record_verifications(&recorded, Some(user.id)).await?;
    Ok(Ok(BatchReceipt { received: recorded.len() }))
}

/// An instrument with where its verification stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstrumentView {
    pub instrument: Instrument,
    pub kind_name_zh: String,
    pub kind_name_en: String,
    /// The verification regulation.
    pub procedure: String,
    #[schema(value_type = String)]
    pub standing: DueStanding,
    pub days_overdue: i64,
}

fn instrument_view(kinds: &Kinds, instrument: Instrument, day: NaiveDate) -> InstrumentView {
    let kind = kinds.get(&instrument.kind);
    InstrumentView {
        kind_name_zh: kind.map_or_else(|| instrument.kind.clone(), |k| k.name_zh.clone()),
        kind_name_en: kind.map_or_else(|| instrument.kind.clone(), |k| k.name_en.clone()),
        procedure: kind.map(|k| k.procedure.clone()).unwrap_or_default(),
        standing: instrument.standing(day),
        days_overdue: (day - instrument.next_verification_due).num_days(),
        instrument,
    }
}

/// An owner's instruments, each with its verifications.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstrumentRecord {
    pub view: InstrumentView,
    pub verifications: Vec<Verification>,
}

/// An owner's instruments with where each stands.
pub async fn instruments_of(state: &Services, uscc: &str) -> Result<Vec<InstrumentView>, ApiError> {
    let uscc = crate::input::uscc("owner", Some(uscc))?;
    let kinds = Kinds::shipped();
    let day = today();
    Ok(state
        .store
        .instruments_of(uscc.as_str(), 1_000)
        .await?
        .into_iter()
        .map(|i| instrument_view(kinds, i, day))
        .collect())
}

/// One instrument with its verifications.
pub async fn instrument(state: &Services, owner: &str, serial: &str) -> Result<InstrumentRecord, ApiError> {
    let owner = crate::input::uscc("owner", Some(owner))?.to_string();
    let serial = serial.trim().to_owned();
    if serial.is_empty() || serial.chars().count() > 40 {
        return Err(ApiError::invalid("a serial number is 1 to 40 characters"));
    }
    let key = (owner.clone(), serial.clone());
    let item = state
        .store
        .instruments_keyed(std::slice::from_ref(&key))
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found(format!("no instrument {serial} of {owner} is filed")))?;
    let verifications = state.store.instrument_verifications(&owner, &serial).await?;
    Ok(InstrumentRecord { view: instrument_view(Kinds::shipped(), item, today()), verifications })
}

/// A regulator's queue of instruments whose verification is due within the notice month, overdue, or failed.
pub async fn instrument_queue(
    state: &Services,
    user: &User,
    query: QueueQuery,
) -> Result<Vec<InstrumentView>, ApiError> {
    let region = queue_region(user, query.region)?;
    let day = today();
    let by = day.checked_add_months(Months::new(metrology::NOTICE_MONTHS)).unwrap_or(day);
    let kinds = Kinds::shipped();
    let due = state.store.instruments_due(&crate::recalls::region_prefix(&region), by, QUEUE_LIMIT).await?;
    Ok(due.into_iter().map(|i| instrument_view(kinds, i, day)).filter(|v| v.standing.needs_action()).collect())
}

/// A lab or institute files its measurement standards (JSON `{"measurement_standards": […]}` or CSV); an
/// administrator files anyone's.
pub async fn file_measurement_standards(
    state: &Services,
    user: &User,
    format: Format,
    text: &str,
) -> Result<Result<BatchReceipt, Rejected>, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Lab) {
        return Err(ApiError::forbidden("measurement standards are filed by their holder"));
    }
    let (items, lines) = match checked_rows(
        format,
        text,
        STANDARD_COLUMNS,
        "measurement_standards",
        MAX_BATCH_ROWS,
        |f: MeasurementStandardFields| f.check().map_err(|e| (e.field, field_code(e.field), e.reason)),
    )? {
        Ok(checked) => checked,
        Err(rejected) => return Ok(Err(rejected)),
    };
    let errors: Vec<RejectedRow> = items
        .iter()
        .zip(lines)
        .filter(|(s, _)| user.role == Role::Lab && user.uscc.as_deref() != Some(s.holder_uscc.as_str()))
        .map(|(s, line)| {
            rejected(
                line,
                "holder_uscc",
                ErrorCode::Forbidden,
                format!("this account does not file for {}", s.holder_uscc),
            )
        })
        .collect();
    if !errors.is_empty() {
        return Ok(Err(Rejected { received: items.len(), rows: errors }));
    }
    state.store.put_measurement_standards(&items, Some(user.id)).await?;
    Ok(Ok(BatchReceipt { received: items.len() }))
}

/// A holder's measurement standards.
pub async fn measurement_standards_of(state: &Services, holder: &str) -> Result<Vec<MeasurementStandard>, ApiError> {
    let holder = crate::input::uscc("holder", Some(holder))?;
    Ok(state.store.measurement_standards_of(holder.as_str()).await?)
}

/// The batch bodies, as the API documents them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = EquipmentUpload)]
pub struct EquipmentBody {
    #[schema(value_type = Vec<equipment::EquipmentFields>)]
    pub equipment: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = InspectionUpload)]
pub struct InspectionsBody {
    #[schema(value_type = Vec<equipment::InspectionFields>)]
    pub inspections: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = InstrumentUpload)]
pub struct InstrumentsBody {
    #[schema(value_type = Vec<metrology::InstrumentFields>)]
    pub instruments: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = VerificationUpload)]
pub struct VerificationsBody {
    #[schema(value_type = Vec<metrology::VerificationFields>)]
    pub verifications: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = MeasurementStandardUpload)]
pub struct StandardsBody {
    #[schema(value_type = Vec<metrology::MeasurementStandardFields>)]
    pub measurement_standards: Vec<serde_json::Value>,
}
