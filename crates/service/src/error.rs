//! Errors: one table of stable codes, each with its HTTP status and meaning, and the answer
//! `{"code", "message"}` built from it. The table is served at `/api/v1/errors` and in the OpenAPI document.
//! Database and internal errors are logged and never shown to the client.

use http::StatusCode;
use store::StoreError;

/// Declares the table once: the enum, its code, status and meaning, and the list of all codes.
macro_rules! error_table {
    ($($variant:ident = $code:literal, $status:ident, $meaning:literal;)*) => {
        /// A stable error code. Clients branch on the code; the status follows from it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode { $($variant),* }

        impl ErrorCode {
            /// Every code, in the table's order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The snake_case code clients see.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code),* }
            }

            /// The HTTP status every answer with this code has.
            pub const fn status(self) -> StatusCode {
                match self { $(ErrorCode::$variant => StatusCode::$status),* }
            }

            /// One line on what the code means.
            pub const fn meaning(self) -> &'static str {
                match self { $(ErrorCode::$variant => $meaning),* }
            }
        }
    };
}

error_table! {
    InvalidRequest = "invalid_request", BAD_REQUEST, "a field is missing, malformed or out of range; the message names it";
    InvalidUscc = "invalid_uscc", BAD_REQUEST, "not a valid unified social credit code (GB 32100)";
    InvalidGtin = "invalid_gtin", BAD_REQUEST, "not a valid GTIN (length or check digit)";
    InvalidGln = "invalid_gln", BAD_REQUEST, "not a valid GLN or GS1 company prefix";
    InvalidEpc = "invalid_epc", BAD_REQUEST, "not an EPC URN or GS1 Digital Link this repository reads";
    InvalidRegion = "invalid_region", BAD_REQUEST, "not a GB/T 2260 region code in use";
    InvalidKind = "invalid_kind", BAD_REQUEST, "a kind, status or action outside its enumeration";
    InvalidCalendar = "invalid_calendar", BAD_REQUEST, "a holiday notice that does not fit its year";
    InvalidIdNumber = "invalid_id_number", BAD_REQUEST, "not a valid resident identity card number (GB 11643)";
    InvalidPhone = "invalid_phone", BAD_REQUEST, "not a mainland telephone number";
    InvalidBody = "invalid_body", UNPROCESSABLE_ENTITY, "a form or body whose fields do not fit what the endpoint reads";
    InvalidText = "invalid_text", BAD_REQUEST, "text with control characters or longer than its limit";
    Unauthorized = "unauthorized", UNAUTHORIZED, "no valid bearer token or session";
    Forbidden = "forbidden", FORBIDDEN, "the account's role, region or field ownership does not allow this";
    NotFound = "not_found", NOT_FOUND, "no such resource, or not one this account may see";
    MethodNotAllowed = "method_not_allowed", METHOD_NOT_ALLOWED, "the path exists but not with this method";
    RequestTimeout = "request_timeout", REQUEST_TIMEOUT, "the request took longer than the server allows";
    Conflict = "conflict", CONFLICT, "the record already exists or was changed by someone else";
    WrongState = "wrong_state", CONFLICT, "the record's workflow state does not allow this step now";
    Duplicate = "duplicate", CONFLICT, "the same record appears twice in one batch";
    PayloadTooLarge = "payload_too_large", PAYLOAD_TOO_LARGE, "the body is larger than the server accepts";
    UnsupportedMediaType = "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, "the body's content type is not accepted here";
    Unroutable = "unroutable", BAD_REQUEST, "no responsible region could be found from the addresses given";
    RejectedRows = "rejected_rows", UNPROCESSABLE_ENTITY, "rows of a batch were rejected and nothing was stored; each is listed";
    UnknownOrganization = "unknown_organization", UNPROCESSABLE_ENTITY, "the USCC is not in the master data";
    UnknownProduct = "unknown_product", UNPROCESSABLE_ENTITY, "the GTIN is not in the master data";
    UnknownAssessment = "unknown_assessment", UNPROCESSABLE_ENTITY, "no risk assessment has this id";
    UnknownReference = "unknown_reference", UNPROCESSABLE_ENTITY, "the record refers to another that does not exist";
    NotSentinel = "not_sentinel", UNPROCESSABLE_ENTITY, "the hospital was not a sentinel on the treatment date";
    NotDrawn = "not_drawn", UNPROCESSABLE_ENTITY, "the enterprise was not drawn in the campaign's sample";
    NotAFailure = "not_a_failure", UNPROCESSABLE_ENTITY, "only a failed sample has follow-up steps";
    NotReady = "not_ready", UNPROCESSABLE_ENTITY, "a step that must come first has not happened";
    CampaignClosed = "campaign_closed", UNPROCESSABLE_ENTITY, "the campaign no longer takes samples";
    NothingToPublish = "nothing_to_publish", UNPROCESSABLE_ENTITY, "there is nothing to publish";
    FrameTooSmall = "frame_too_small", UNPROCESSABLE_ENTITY, "a stratum has fewer enterprises than the sample asks";
    RetestWindowClosed = "retest_window_closed", UNPROCESSABLE_ENTITY, "the deadline for asking a re-test has passed";
    ObjectionWindowClosed = "objection_window_closed", UNPROCESSABLE_ENTITY, "the deadline for an objection has passed";
    RateLimited = "rate_limited", TOO_MANY_REQUESTS, "too many requests from this client; see Retry-After";
    InternalError = "internal_error", INTERNAL_SERVER_ERROR, "a fault on the server; it has been logged";
    IntegrityFault = "integrity_fault", INTERNAL_SERVER_ERROR, "stored data breaks an invariant; it has been logged";
    LogUnavailable = "log_unavailable", SERVICE_UNAVAILABLE, "the public log cannot be signed now";
    LogInconsistent = "log_inconsistent", SERVICE_UNAVAILABLE, "the stored public log is not what this server signed";
}

impl ErrorCode {
    /// The code an answer of this status gets when only its status is known (axum's own refusals).
    pub fn for_status(status: StatusCode) -> ErrorCode {
        match status {
            StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
            StatusCode::FORBIDDEN => ErrorCode::Forbidden,
            StatusCode::NOT_FOUND => ErrorCode::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
            StatusCode::REQUEST_TIMEOUT => ErrorCode::RequestTimeout,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::InvalidBody,
            StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
            s if s.is_server_error() => ErrorCode::InternalError,
            _ => ErrorCode::InvalidRequest,
        }
    }

    /// The table as JSON, for `/api/v1/errors` and the OpenAPI document.
    pub fn table() -> Vec<ErrorRow> {
        ErrorCode::ALL
            .iter()
            .map(|&code| ErrorRow { code, status: code.status().as_u16(), meaning: code.meaning() })
            .collect()
    }
}

/// A row of the error-code table.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorRow {
    pub code: ErrorCode,
    /// The HTTP status of every answer with this code.
    pub status: u16,
    pub meaning: &'static str,
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The code; the status follows from it.
    pub code: ErrorCode,
    /// What went wrong, for a person.
    pub message: String,
}

impl ApiError {
    /// An answer with a code and a message.
    pub fn new(code: ErrorCode, message: impl ToString) -> Self {
        ApiError { code, message: message.to_string() }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    /// 400 `invalid_request`.
    pub fn invalid(message: impl ToString) -> Self {
        ApiError::new(ErrorCode::InvalidRequest, message)
    }

    /// 401: no or unknown token.
    pub fn unauthorized() -> Self {
        ApiError::new(ErrorCode::Unauthorized, "a valid bearer token is required")
    }

    /// 403: the account may not do this.
    pub fn forbidden(message: impl ToString) -> Self {
        ApiError::new(ErrorCode::Forbidden, message)
    }

    /// 404.
    pub fn not_found(message: impl ToString) -> Self {
        ApiError::new(ErrorCode::NotFound, message)
    }

    /// 409 `wrong_state`: the workflow is not at a state where this step is allowed.
    pub fn wrong_state(message: impl ToString) -> Self {
        ApiError::new(ErrorCode::WrongState, message)
    }

    /// 422 `unknown_organization`.
    pub fn unknown_organization(uscc: impl std::fmt::Display) -> Self {
        ApiError::new(ErrorCode::UnknownOrganization, format!("organization {uscc} is not registered"))
    }

    /// 500 for a fault on the server: logged in full, answered without the details.
    pub fn internal(message: impl ToString) -> Self {
        tracing::error!(error = %message.to_string(), "internal error");
        ApiError::new(ErrorCode::InternalError, "internal error; it has been logged")
    }

    /// 500 for stored data that breaks an invariant: logged in full, answered without the details.
    pub fn integrity(message: impl ToString) -> Self {
        tracing::error!(error = %message.to_string(), "integrity fault in stored data");
        ApiError::new(ErrorCode::IntegrityFault, "stored data is inconsistent; it has been logged")
    }
}

/// Reads a stored vocabulary value (a status, a verdict); one the vocabulary does not know is an integrity fault.
pub fn stored<T: std::str::FromStr<Err = rulekit::UnknownValue>>(text: &str) -> Result<T, ApiError> {
    text.parse().map_err(|e: rulekit::UnknownValue| ApiError::integrity(format!("stored {e}")))
}

impl From<rulekit::Refusal> for ApiError {
    fn from(refusal: rulekit::Refusal) -> Self {
        match refusal {
            rulekit::Refusal::WrongState(message) => ApiError::wrong_state(message),
            rulekit::Refusal::Invalid(message) => ApiError::invalid(message),
        }
    }
}

impl From<warnings::Refusal> for ApiError {
    fn from(refusal: warnings::Refusal) -> Self {
        ApiError::wrong_state(refusal)
    }
}

impl From<sampling::Refusal> for ApiError {
    fn from(refusal: sampling::Refusal) -> Self {
        use sampling::Refusal;
        let code = match &refusal {
            Refusal::WrongState(_) => ErrorCode::WrongState,
            Refusal::Invalid(_) => ErrorCode::InvalidRequest,
            Refusal::CampaignClosed(_) => ErrorCode::CampaignClosed,
            Refusal::NotAFailure(_) => ErrorCode::NotAFailure,
            Refusal::RetestWindowClosed(_) => ErrorCode::RetestWindowClosed,
            Refusal::NotReady(_) => ErrorCode::NotReady,
        };
        ApiError::new(code, refusal)
    }
}

impl From<crate::input::FieldError> for ApiError {
    fn from(error: crate::input::FieldError) -> Self {
        ApiError::new(error.code, error.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(message) => ApiError::new(ErrorCode::Conflict, message),
            StoreError::MissingReference { kind: "organization", key } => ApiError::unknown_organization(key),
            StoreError::MissingReference { kind, key } => {
                ApiError::new(ErrorCode::UnknownReference, format!("{kind} {key} does not exist"))
            }
            StoreError::Integrity(message) => ApiError::integrity(message),
            other => ApiError::internal(other),
        }
    }
}

impl ApiError {
    /// The answer's body: `{"code", "message"}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!(ErrorBody { code: self.code, message: self.message.clone() })
    }
}

/// The table as a schema: each code with its status and meaning, so the document lists what `/api/v1/errors` serves.
impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let lines: Vec<String> = ErrorCode::ALL
            .iter()
            .map(|code| format!("- `{}` ({}): {}", code.as_str(), code.status().as_u16(), code.meaning()))
            .collect();
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(ErrorCode::ALL.iter().map(|code| code.as_str())))
            .description(Some(format!("Stable error codes; each has one HTTP status.\n\n{}", lines.join("\n"))))
            .into()
    }
}

impl utoipa::ToSchema for ErrorCode {}

/// The shape of every error answer, as the OpenAPI document names it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[schema(as = ApiError)]
pub struct ErrorBody {
    /// The stable code.
    pub code: ErrorCode,
    /// What went wrong, for a person.
    pub message: String,
}

#[cfg(feature = "axum")]
impl axum_core::response::IntoResponse for ApiError {
    fn into_response(self) -> axum_core::response::Response {
        let content_type = (http::header::CONTENT_TYPE, "application/json");
        (self.status(), [content_type], self.body().to_string()).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_snake_case_and_errors() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert!(text.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{text}");
            assert!(code.status().is_client_error() || code.status().is_server_error(), "{text}");
            assert!(!code.meaning().is_empty(), "{text}");
        }
    }

    #[test]
    fn wrong_state_is_one_status_and_faults_hide_their_detail() {
        assert_eq!(ErrorCode::WrongState.status(), StatusCode::CONFLICT);
        let fault = ApiError::from(StoreError::Integrity("node 7 is missing".into()));
        assert_eq!((fault.code, fault.status()), (ErrorCode::IntegrityFault, StatusCode::INTERNAL_SERVER_ERROR));
        assert!(!fault.message.contains("node 7"), "{}", fault.message);
    }

    #[test]
    fn a_status_alone_finds_its_code() {
        for code in [ErrorCode::NotFound, ErrorCode::MethodNotAllowed, ErrorCode::PayloadTooLarge] {
            assert_eq!(ErrorCode::for_status(code.status()), code);
        }
        assert_eq!(ErrorCode::for_status(StatusCode::BAD_GATEWAY), ErrorCode::InternalError);
    }
}
