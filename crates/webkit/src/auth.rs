//! Authentication by bearer token, and authorisation of writes by role and jurisdiction.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use store::User;

pub use service::access::{
    authorize_organization_write, authorize_product_write, authorize_supervision, may_read_traces, supervised_prefix,
};

use crate::{ApiError, AppState};

/// The account behind a request's `Authorization: Bearer …` header; rejects with 401 without one.
#[derive(Debug, Clone)]
pub struct AuthUser(pub User);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header =
            parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or_else(ApiError::unauthorized)?;
        let token = header.strip_prefix("Bearer ").ok_or_else(ApiError::unauthorized)?;
        let user = state.store.user_by_token(token.trim()).await?.ok_or_else(ApiError::unauthorized)?;
        Ok(AuthUser(user))
    }
}

/// A signed-in user who may read supply-chain events and traces: regulators and admins, and enterprises (who send
/// the events). Trace data is business information: labs, certifiers and hospitals do not read it.
#[derive(Debug, Clone)]
pub struct TraceReader(pub User);

impl FromRequestParts<AppState> for TraceReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let AuthUser(user) = AuthUser::from_request_parts(parts, state).await?;
        if may_read_traces(&user) {
            Ok(TraceReader(user))
        } else {
            Err(ApiError::forbidden(format!("role {} may not read supply-chain events", user.role.as_str())))
        }
    }
}

/// The account behind a request, if it sent a valid bearer token; `None` for the public. An invalid token
/// is still refused, so a typo does not silently read as the public.
#[derive(Debug, Clone)]
pub struct MaybeAuthUser(pub Option<User>);

impl FromRequestParts<AppState> for MaybeAuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if parts.headers.contains_key(AUTHORIZATION) {
            return AuthUser::from_request_parts(parts, state).await.map(|AuthUser(user)| MaybeAuthUser(Some(user)));
        }
        Ok(MaybeAuthUser(None))
    }
}
