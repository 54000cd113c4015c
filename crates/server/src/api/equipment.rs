//! Special equipment (特种设备) and legal metrology (计量) over HTTP: registration and filing, inspections and
//! verifications by the inspection bodies, the public's reads, the regulators' due queues, measurement standards.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use metrology::MeasurementStandard;
use serde::Deserialize;
use service::equipment::{BatchReceipt, EquipmentRecord, EquipmentView, InstrumentRecord, InstrumentView, QueueQuery};
use service::error::ErrorBody;

use super::{batch_answer, batch_format, json_rejection, query_rejection, RejectedRows};
use crate::auth::AuthUser;
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/equipment", get(equipment_of).post(register_equipment))
        .route("/api/v1/equipment/inspections", axum::routing::post(record_inspections))
        .route("/api/v1/equipment/due", get(equipment_due))
        .route("/api/v1/equipment/{code}", get(one_equipment))
        .route("/api/v1/equipment/{code}/status", axum::routing::post(change_equipment_status))
        .route("/api/v1/instruments", get(instruments_of).post(file_instruments))
        .route("/api/v1/instruments/verifications", axum::routing::post(record_verifications))
        .route("/api/v1/instruments/due", get(instruments_due))
        .route("/api/v1/instruments/{owner}/{serial}", get(one_instrument))
        .route("/api/v1/instruments/{owner}/{serial}/status", axum::routing::post(change_instrument_status))
        .route("/api/v1/measurement-standards", get(standards_of).post(file_standards))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    equipment_of,
    register_equipment,
    record_inspections,
    equipment_due,
    one_equipment,
    change_equipment_status,
    instruments_of,
    file_instruments,
    record_verifications,
    instruments_due,
    one_instrument,
    change_instrument_status,
    standards_of,
    file_standards
))]
pub(super) struct Api;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct OwnerParams {
    /// The user's, owner's or holder's USCC.
    #[param(max_length = 18)]
    uscc: String,
}

/// A user's special equipment with where each inspection stands
#[utoipa::path(get, path = "/api/v1/equipment", tag = "equipment", params(OwnerParams),
    responses((status = 200, description = "the equipment", body = Vec<EquipmentView>),
              (status = 400, description = "invalid_uscc", body = ErrorBody)))]
async fn equipment_of(
    State(state): State<AppState>,
    params: Result<Query<OwnerParams>, QueryRejection>,
) -> Result<Json<Vec<EquipmentView>>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(service::equipment::equipment_of(&state, &params.uscc).await?))
}

/// Register special equipment (使用登记; the registering region's regulator): JSON or CSV, all or nothing
#[utoipa::path(post, path = "/api/v1/equipment", tag = "equipment", security(("bearer" = [])),
    request_body(description = "JSON {equipment: [...]}, or CSV (Content-Type text/csv) with the header code,user_uscc,registration_number,region_code,location,in_service_on,registered_on,next_inspection_due",
        content((service::equipment::EquipmentBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{received}", body = BatchReceipt),
              (status = 403, description = "forbidden: not a regulator", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored", body = RejectedRows)))]
async fn register_equipment(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    Ok(batch_answer(service::equipment::register_equipment(&state, &user, batch_format(&headers), &body).await?))
}

/// Record periodic inspections (定期检验; an inspection body's lab account): JSON or CSV, all or nothing
#[utoipa::path(post, path = "/api/v1/equipment/inspections", tag = "equipment", security(("bearer" = [])),
    request_body(description = "JSON {inspections: [...]}, or CSV with the header equipment_code,inspected_on,report_number,verdict,next_due_on",
        content((service::equipment::InspectionsBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{received}", body = BatchReceipt),
              (status = 403, description = "forbidden: not an inspection body", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored", body = RejectedRows)))]
async fn record_inspections(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    Ok(batch_answer(service::equipment::record_inspections(&state, &user, batch_format(&headers), &body).await?))
}

/// The regulator's queue: equipment due for inspection within a month, overdue, or failed
#[utoipa::path(get, path = "/api/v1/equipment/due", tag = "equipment", security(("bearer" = [])), params(QueueQuery),
    responses((status = 200, description = "most overdue first", body = Vec<EquipmentView>),
              (status = 403, description = "forbidden: outside the region", body = ErrorBody)))]
async fn equipment_due(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    params: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Json<Vec<EquipmentView>>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(service::equipment::equipment_queue(&state, &user, params).await?))
}

/// One item of special equipment with its inspections
#[utoipa::path(get, path = "/api/v1/equipment/{code}", tag = "equipment",
    params(("code" = String, Path, description = "the 18-character equipment code")),
    responses((status = 200, description = "the equipment", body = EquipmentRecord),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn one_equipment(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> Result<Json<EquipmentRecord>, ApiError> {
    Ok(Json(service::equipment::equipment(&state, &code).await?))
}

/// Record that equipment is stopped, back in use or scrapped (the registering region's regulator)
#[utoipa::path(post, path = "/api/v1/equipment/{code}/status", tag = "equipment", security(("bearer" = [])),
    params(("code" = String, Path, description = "the 18-character equipment code")),
    request_body = service::equipment::UseStatusBody,
    responses((status = 200, description = "the equipment after the change", body = EquipmentRecord),
              (status = 400, description = "invalid_request, invalid_kind", body = ErrorBody),
              (status = 403, description = "forbidden: outside the region", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody),
              (status = 409, description = "wrong_state: scrapped is final", body = ErrorBody)))]
async fn change_equipment_status(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(code): Path<String>,
    body: Result<Json<service::equipment::UseStatusBody>, JsonRejection>,
) -> Result<Json<EquipmentRecord>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::equipment::change_equipment_status(&state, &user, &code, body).await?))
}

/// An owner's instruments under compulsory verification
#[utoipa::path(get, path = "/api/v1/instruments", tag = "metrology", params(OwnerParams),
    responses((status = 200, description = "the instruments", body = Vec<InstrumentView>),
              (status = 400, description = "invalid_uscc", body = ErrorBody)))]
async fn instruments_of(
    State(state): State<AppState>,
    params: Result<Query<OwnerParams>, QueryRejection>,
) -> Result<Json<Vec<InstrumentView>>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(service::equipment::instruments_of(&state, &params.uscc).await?))
}

/// File instruments under compulsory verification (备案; the owner or the region's regulator): JSON or CSV
#[utoipa::path(post, path = "/api/v1/instruments", tag = "metrology", security(("bearer" = [])),
    request_body(description = "JSON {instruments: [...]}, or CSV with the header owner_uscc,serial_number,kind,use,region_code,location,registered_on,next_verification_due",
        content((service::equipment::InstrumentsBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{received}", body = BatchReceipt),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored", body = RejectedRows)))]
async fn file_instruments(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    Ok(batch_answer(service::equipment::file_instruments(&state, &user, batch_format(&headers), &body).await?))
}

/// Record verifications (检定; a metrology institute's lab account): JSON or CSV, all or nothing
#[utoipa::path(post, path = "/api/v1/instruments/verifications", tag = "metrology", security(("bearer" = [])),
    request_body(description = "JSON {verifications: [...]}, or CSV with the header owner_uscc,serial_number,verified_on,certificate_number,verdict,next_due_on",
        content((service::equipment::VerificationsBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{received}", body = BatchReceipt),
              (status = 403, description = "forbidden: not an institute", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored", body = RejectedRows)))]
async fn record_verifications(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    Ok(batch_answer(service::equipment::record_verifications(&state, &user, batch_format(&headers), &body).await?))
}

/// The regulator's queue: instruments due for verification within a month, overdue, or failed
#[utoipa::path(get, path = "/api/v1/instruments/due", tag = "metrology", security(("bearer" = [])), params(QueueQuery),
    responses((status = 200, description = "most overdue first", body = Vec<InstrumentView>),
              (status = 403, description = "forbidden: outside the region", body = ErrorBody)))]
async fn instruments_due(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    params: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Json<Vec<InstrumentView>>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(service::equipment::instrument_queue(&state, &user, params).await?))
}

/// One instrument with its verifications
#[utoipa::path(get, path = "/api/v1/instruments/{owner}/{serial}", tag = "metrology",
    params(("owner" = String, Path, description = "the owner's USCC"), ("serial" = String, Path, description = "the serial number")),
    responses((status = 200, description = "the instrument", body = InstrumentRecord),
              (status = 404, description = "not_found", body = ErrorBody)))]
async fn one_instrument(
    State(state): State<AppState>,
    Path((owner, serial)): Path<(String, String)>,
) -> Result<Json<InstrumentRecord>, ApiError> {
    Ok(Json(service::equipment::instrument(&state, &owner, &serial).await?))
}

/// Record that an instrument is stopped, back in use or scrapped (its owner, or the region's regulator)
#[utoipa::path(post, path = "/api/v1/instruments/{owner}/{serial}/status", tag = "metrology", security(("bearer" = [])),
    params(("owner" = String, Path, description = "the owner's USCC"), ("serial" = String, Path, description = "the serial number")),
    request_body = service::equipment::UseStatusBody,
    responses((status = 200, description = "the instrument after the change", body = InstrumentRecord),
              (status = 400, description = "invalid_request, invalid_kind", body = ErrorBody),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 404, description = "not_found", body = ErrorBody),
              (status = 409, description = "wrong_state: scrapped is final", body = ErrorBody)))]
async fn change_instrument_status(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path((owner, serial)): Path<(String, String)>,
    body: Result<Json<service::equipment::UseStatusBody>, JsonRejection>,
) -> Result<Json<InstrumentRecord>, ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    Ok(Json(service::equipment::change_instrument_status(&state, &user, &owner, &serial, body).await?))
}

/// A holder's measurement standards (计量标准) with the editions they serve
#[utoipa::path(get, path = "/api/v1/measurement-standards", tag = "metrology", params(OwnerParams),
    responses((status = 200, description = "the standards", body = Vec<MeasurementStandard>),
              (status = 400, description = "invalid_uscc", body = ErrorBody)))]
async fn standards_of(
    State(state): State<AppState>,
    params: Result<Query<OwnerParams>, QueryRejection>,
) -> Result<Json<Vec<MeasurementStandard>>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(service::equipment::measurement_standards_of(&state, &params.uscc).await?))
}

/// File measurement standards (the holding lab or institute): JSON or CSV, all or nothing
#[utoipa::path(post, path = "/api/v1/measurement-standards", tag = "metrology", security(("bearer" = [])),
    request_body(description = "JSON {measurement_standards: [...]}, or CSV with the header certificate_number,holder_uscc,name,range,uncertainty,valid_until,serves",
        content((service::equipment::StandardsBody = "application/json"), (String = "text/csv"))),
    responses((status = 200, description = "{received}", body = BatchReceipt),
              (status = 403, description = "forbidden", body = ErrorBody),
              (status = 422, description = "rejected_rows, nothing stored", body = RejectedRows)))]
async fn file_standards(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    headers: HeaderMap,
    body: String,
) -> Result<Response, ApiError> {
    Ok(batch_answer(
        service::equipment::file_measurement_standards(&state, &user, batch_format(&headers), &body).await?,
    ))
}
