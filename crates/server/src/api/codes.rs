//! `GET /api/v1/codes/{kind}/{value}`: the identifier checker.

use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use codes::{inspect, CodeKind, Finding, Inspection};
use serde::Serialize;
use serde_json::{Map, Value};
use service::error::ErrorBody;
use utoipa::ToSchema;

use crate::{ApiError, AppState, ErrorCode};

pub(super) fn router() -> Router<AppState> {
    Router::new().route("/api/v1/codes/{kind}/{*value}", get(check))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(check))]
pub(super) struct Api;

/// Check an identifier
#[utoipa::path(get, path = "/api/v1/codes/{kind}/{value}", tag = "master data",
    params(("kind" = String, Path, description = "uscc, org-code, gtin, gln, sscc, epc or region"),
           ("value" = String, Path, description = "the code; an EPC may be a URN or a Digital Link URI")),
    responses((status = 200, description = "the check, valid or not", body = CodeCheck),
              (status = 400, description = "unknown kind (invalid_kind)", body = ErrorBody)))]
async fn check(Path((kind, value)): Path<(String, String)>) -> Result<Json<CodeCheck>, ApiError> {
    let kind = CodeKind::from_name(&kind).ok_or_else(|| {
        let names: Vec<_> = CodeKind::ALL.iter().map(|k| k.name()).collect();
        ApiError::new(ErrorCode::InvalidKind, format!("kind '{kind}' is not one of {}", names.join(", ")))
    })?;
    Ok(Json(CodeCheck::of(&inspect(kind, &value))))
}

/// The answer of the identifier checker.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CodeCheck {
    /// The kind checked (`uscc`, `gtin`…).
    kind: &'static str,
    /// The value as given.
    input: String,
    valid: bool,
    /// The canonical form, when valid.
    normalized: Option<String>,
    /// Named parts of a valid value.
    #[schema(value_type = Object)]
    parts: Map<String, Value>,
    /// Things to look at in a valid value.
    warnings: Vec<CodeFinding>,
    /// Why the value is invalid.
    error: Option<CodeFinding>,
}

/// A finding of the checker, in two languages.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CodeFinding {
    /// Stable snake_case code.
    code: &'static str,
    message: String,
    message_zh: String,
}

impl CodeFinding {
    fn of(finding: &Finding) -> Self {
        CodeFinding { code: finding.code, message: finding.message.clone(), message_zh: finding.message_zh.clone() }
    }
}

impl CodeCheck {
    /// The wire form of an inspection.
    pub(crate) fn of(result: &Inspection) -> Self {
        CodeCheck {
            kind: result.kind.name(),
            input: result.input.clone(),
            valid: result.valid(),
            normalized: result.normalized.clone(),
            parts: result.parts.iter().map(|(k, v)| ((*k).to_owned(), Value::from(v.clone()))).collect(),
            warnings: result.warnings.iter().map(CodeFinding::of).collect(),
            error: result.error.as_ref().map(CodeFinding::of),
        }
    }
}
