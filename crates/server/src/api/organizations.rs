//! Organizations (market entities) keyed by USCC: lookup, search, create and update.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use codes::Uscc;
use serde::{Deserialize, Serialize};
use store::{NewOrganization, Organization, Page, WriteOutcome};

use super::{json_rejection, page_limit, query_rejection};
use crate::auth::{authorize_organization_write, AuthUser};
use crate::input::{self, optional_text, OrganizationFields};
use crate::ownership::{self, Record};
use crate::{ApiError, AppState};

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/organizations", get(search).post(create))
        .route("/api/v1/organizations/{uscc}", get(one).put(update))
}

/// An organization as the API shows it: the stored fields and the region's names.
#[derive(Debug)]
pub(crate) struct OrganizationView {
    pub organization: Organization,
    pub region_name: Option<String>,
    pub province: Option<String>,
}

/// Written out field by field: `#[serde(flatten)]` would go through a map and cost a tenth of a lookup.
impl Serialize for OrganizationView {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let o = &self.organization;
        let mut s = serializer.serialize_struct("Organization", 12)?;
        s.serialize_field("uscc", &o.uscc)?;
        s.serialize_field("name", &o.name)?;
        s.serialize_field("region_code", &o.region_code)?;
        s.serialize_field("region_name", &self.region_name)?;
        s.serialize_field("province", &self.province)?;
        s.serialize_field("address", &o.address)?;
        s.serialize_field("legal_representative", &o.legal_representative)?;
        s.serialize_field("entity_type", &o.entity_type)?;
        s.serialize_field("status", &o.status)?;
        s.serialize_field("registered_on", &o.registered_on)?;
        s.serialize_field("created_at", &o.created_at)?;
        s.serialize_field("updated_at", &o.updated_at)?;
        s.end()
    }
}

impl From<Organization> for OrganizationView {
    fn from(organization: Organization) -> Self {
        let region = codes::region::lookup(&organization.region_code);
        OrganizationView {
            region_name: region.map(|r| r.name.clone()),
            province: region.map(|r| r.province_name.clone()),
            organization,
        }
    }
}

/// Parses a USCC from a path, with the API's error code.
pub(crate) fn parse_uscc(value: &str) -> Result<Uscc, ApiError> {
    Ok(input::uscc("uscc", Some(value))?)
}

async fn one(State(state): State<AppState>, Path(uscc): Path<String>) -> Result<Json<OrganizationView>, ApiError> {
    let uscc = parse_uscc(&uscc)?;
    let organization = state
        .store
        .organization(uscc.as_str())
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no organization with USCC {uscc}")))?;
    Ok(Json(organization.into()))
}

#[derive(Debug, Deserialize)]
pub(crate) struct SearchParams {
    /// Name words, a USCC, or empty for all.
    pub q: Option<String>,
    /// GB/T 2260 code or prefix (2, 4 or 6 digits).
    pub region: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<usize>,
}

/// Searches organizations; a query that is a valid USCC finds that organization.
pub(crate) async fn search_organizations(
    state: &AppState,
    params: &SearchParams,
) -> Result<Page<OrganizationView>, ApiError> {
    let limit = page_limit(state, params.limit)?;
    let query = params.q.as_deref().unwrap_or("").trim();
    if let Ok(uscc) = Uscc::parse(query) {
        let items = state.store.organization(uscc.as_str()).await?.into_iter().map(Into::into).collect();
        return Ok(Page { items, next_cursor: None });
    }
    let region = optional_text(params.region.clone()).map(|r| input::region("region", &r)).transpose()?;
    let page = state
        .store
        .search_organizations(query, region.as_ref().map(|r| r.prefix()), params.cursor.as_deref(), limit)
        .await?;
    Ok(Page { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor })
}

async fn search(
    State(state): State<AppState>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<Page<OrganizationView>>, ApiError> {
    let Query(params) = params.map_err(query_rejection)?;
    Ok(Json(search_organizations(&state, &params).await?))
}

async fn write(
    state: &AppState,
    user: &store::User,
    new: NewOrganization,
) -> Result<(StatusCode, Json<OrganizationView>), ApiError> {
    let previous = state.store.organization(&new.uscc).await?;
    authorize_organization_write(user, &new.uscc, &new.region_code, previous.as_ref().map(|o| o.region_code.as_str()))?;
    ownership::check(Record::Organization, user, &changed_fields(previous.as_ref(), &new))?;
    let outcome = state.store.upsert_organization(&new, Some(user.id)).await?;
    let stored = state.store.organization(&new.uscc).await?.ok_or_else(|| ApiError::not_found("write was lost"))?;
    let status = if outcome == WriteOutcome::Inserted { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(stored.into())))
}

/// The fields a write would change: all of them for a new record.
fn changed_fields(stored: Option<&Organization>, new: &NewOrganization) -> Vec<&'static str> {
    let before = |f: fn(&Organization) -> Option<&str>| stored.and_then(f);
    ownership::changed(
        &[
            ("uscc", before(|o| Some(&o.uscc)), Some(&new.uscc)),
            ("name", before(|o| Some(&o.name)), Some(&new.name)),
            ("region_code", before(|o| Some(&o.region_code)), Some(&new.region_code)),
            ("address", before(|o| o.address.as_deref()), new.address.as_deref()),
            (
                "legal_representative",
                before(|o| o.legal_representative.as_deref()),
                new.legal_representative.as_deref(),
            ),
            ("entity_type", before(|o| o.entity_type.as_deref()), new.entity_type.as_deref()),
            ("status", before(|o| Some(&o.status)), Some(&new.status)),
            ("registered_on", before(|o| o.registered_on.as_deref()), new.registered_on.as_deref()),
        ],
        stored.is_some(),
    )
}

async fn create(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    body: Result<Json<OrganizationFields>, JsonRejection>,
) -> Result<(StatusCode, Json<OrganizationView>), ApiError> {
    let Json(body) = body.map_err(json_rejection)?;
    write(&state, &user, input::organization(body, None)?).await
}

async fn update(
    State(state): State<AppState>,
    AuthUser(user): AuthUser,
    Path(uscc): Path<String>,
    body: Result<Json<OrganizationFields>, JsonRejection>,
) -> Result<(StatusCode, Json<OrganizationView>), ApiError> {
    let uscc = parse_uscc(&uscc)?;
    let Json(body) = body.map_err(json_rejection)?;
    write(&state, &user, input::organization(body, Some(&uscc))?).await
}
