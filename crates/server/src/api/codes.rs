//! `GET /api/v1/codes/{kind}/{value}`: the identifier checker.

use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use codes::{inspect, CodeKind, Inspection};
use serde_json::{json, Map, Value};

use crate::{ApiError, AppState, ErrorCode};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/codes/{kind}/{*value}", get(check))
}

async fn check(Path((kind, value)): Path<(String, String)>) -> Result<Json<Value>, ApiError> {
    let kind = CodeKind::from_name(&kind).ok_or_else(|| {
        let names: Vec<_> = CodeKind::ALL.iter().map(|k| k.name()).collect();
        ApiError::new(ErrorCode::InvalidKind, format!("kind '{kind}' is not one of {}", names.join(", ")))
    })?;
    Ok(Json(inspection_json(&inspect(kind, &value))))
}

/// The wire form of an inspection.
pub(crate) fn inspection_json(result: &Inspection) -> Value {
    let parts: Map<String, Value> =
        result.parts.iter().map(|(k, v)| ((*k).to_owned(), Value::from(v.clone()))).collect();
    json!({
        "kind": result.kind.name(),
        "input": result.input,
        "valid": result.valid(),
        "normalized": result.normalized,
        "parts": parts,
        "warnings": result.warnings.iter().map(|w| json!({"code": w.code, "message": w.message, "message_zh": w.message_zh})).collect::<Vec<_>>(),
        "error": result.error.as_ref().map(|e| json!({"code": e.code, "message": e.message, "message_zh": e.message_zh})),
    })
}
