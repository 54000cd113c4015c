//! Row models: what the store reads and writes.

use codes::{Gtin, RegionCode, Uscc};
use serde::Serialize;
use sqlx::FromRow;

rulekit::text_enum! {
    /// A market entity's registration status (登记状态).
    pub enum RegistrationStatus ("registration status") {
        Active = "active" ("存续", "Active"),
        Revoked = "revoked" ("吊销", "Revoked"),
        Cancelled = "cancelled" ("注销", "Cancelled"),
        Dissolved = "dissolved" ("解散", "Dissolved"),
    }
}

/// A market entity (市场主体), keyed by its unified social credit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, utoipa::ToSchema)]
#[schema(as = OrganizationRecord)]
pub struct Organization {
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    pub entity_type: Option<String>,
    #[sqlx(try_from = "String")]
    #[schema(value_type = String, example = "active")]
    pub status: RegistrationStatus,
    pub registered_on: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// An organization to insert or update, its identifiers checked by their types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewOrganization {
    pub uscc: Uscc,
    pub name: String,
    pub region_code: RegionCode,
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    pub entity_type: Option<String>,
    pub status: RegistrationStatus,
    pub registered_on: Option<String>,
}

/// A product, keyed by its GTIN-14, linked to its producer's USCC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, utoipa::ToSchema)]
#[schema(as = ProductRecord)]
pub struct Product {
    pub gtin: String,
    pub name: String,
    pub uscc: String,
    pub category_code: Option<String>,
    pub brand: Option<String>,
    pub specification: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// A product to insert or update; the GTIN is in its 14-digit form (`Gtin::into_gtin14`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewProduct {
    pub gtin: Gtin,
    pub name: String,
    pub uscc: Uscc,
    pub category_code: Option<String>,
    pub brand: Option<String>,
    pub specification: Option<String>,
}

/// One page of results with the cursor for the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}

/// Whether a single write inserted or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteOutcome {
    Inserted,
    Updated,
}

/// Counts from one committed import batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchOutcome {
    pub inserted: u64,
    pub updated: u64,
}

/// Account roles. A regulator is scoped to a region, an enterprise to its USCC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Regulator,
    Enterprise,
    Lab,
    Certifier,
    Hospital,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] =
        [Role::Admin, Role::Regulator, Role::Enterprise, Role::Lab, Role::Certifier, Role::Hospital];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Regulator => "regulator",
            Role::Enterprise => "enterprise",
            Role::Lab => "lab",
            Role::Certifier => "certifier",
            Role::Hospital => "hospital",
        }
    }

    /// Parses a stable name.
    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// Jurisdiction of a regulator: a 6-digit GB/T 2260 code whose significant prefix it covers.
    pub region_code: Option<String>,
    /// The enterprise's own USCC.
    pub uscc: Option<String>,
}

/// An account to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub name: String,
    pub role: Role,
    pub region_code: Option<String>,
    pub uscc: Option<String>,
    /// Login name for the pages, with `password`.
    pub login: Option<String>,
    /// Stored only as an argon2 hash.
    pub password: Option<String>,
}

/// One audited write.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user_id: Option<i64>,
    pub action: String,
    pub entity_kind: String,
    pub entity_key: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// A record to write with its search tokens already computed, so that bulk loaders can segment names on
/// another thread while the database writes the previous batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indexed<T> {
    pub record: T,
    /// Space-separated tokens for the full-text index.
    pub search_tokens: String,
}

impl From<NewOrganization> for Indexed<NewOrganization> {
    fn from(record: NewOrganization) -> Self {
        let search_tokens = crate::search::organization_tokens(&record.name);
        Indexed { record, search_tokens }
    }
}

impl From<NewProduct> for Indexed<NewProduct> {
    fn from(record: NewProduct) -> Self {
        let search_tokens = crate::search::product_tokens(&record.name, record.brand.as_deref());
        Indexed { record, search_tokens }
    }
}
