//! API errors: a status and a JSON body `{"code", "message"}` whose codes are stable.
//!
//! Codes: `invalid_uscc`, `invalid_gtin`, `invalid_region`, `invalid_kind`, `invalid_request`,
//! `unauthorized`, `forbidden`, `not_found`, `unknown_organization`, `method_not_allowed`,
//! `payload_too_large`, `unsupported_media_type`, `conflict`, `not_drawn`, `not_ready`, `wrong_state`,
//! `retest_window_closed`, `campaign_closed`, `nothing_to_publish`, `invalid_calendar`, `internal_error`.
//! Database and internal errors are logged and never shown to the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use store::StoreError;

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable snake_case code.
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
}

impl ApiError {
    /// 400 with a code.
    pub fn bad_request(code: &'static str, message: impl ToString) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, code, message: message.to_string() }
    }

    /// 401: no or unknown token.
    pub fn unauthorized() -> Self {
        ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "unauthorized",
            message: "a valid bearer token is required".into(),
        }
    }

    /// 403: the account may not do this.
    pub fn forbidden(message: impl ToString) -> Self {
        ApiError { status: StatusCode::FORBIDDEN, code: "forbidden", message: message.to_string() }
    }

    /// 404.
    pub fn not_found(message: impl ToString) -> Self {
        ApiError { status: StatusCode::NOT_FOUND, code: "not_found", message: message.to_string() }
    }

    /// 500 for a fault in stored data: logged in full, answered without the details.
    pub fn internal(message: impl ToString) -> Self {
        tracing::error!(error = %message.to_string(), "internal error");
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal_error",
            message: "internal error; it has been logged".into(),
        }
    }
}

impl From<crate::input::FieldError> for ApiError {
    fn from(error: crate::input::FieldError) -> Self {
        ApiError::bad_request(error.code, error.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(message) => ApiError { status: StatusCode::CONFLICT, code: "conflict", message },
            StoreError::MissingReference { kind: "organization", key } => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "unknown_organization",
                message: format!("organization {key} is not registered"),
            },
            StoreError::MissingReference { kind, key } => ApiError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                code: "unknown_reference",
                message: format!("{kind} {key} does not exist"),
            },
            other => {
                tracing::error!(error = %other, "storage error");
                ApiError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    code: "internal_error",
                    message: "internal error; it has been logged".into(),
                }
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "code": self.code, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}
