//! Master data (主数据): organizations by USCC and products by GTIN, as the API and the pages show them, and their
//! writes: authorised by role, jurisdiction and field ownership, then stored with their audit rows.

use codes::{Gtin, Uscc};
use serde::Serialize;
use store::{NewOrganization, NewProduct, Organization, Page, Product, User, WriteOutcome};

use crate::access::{authorize_organization_write, authorize_product_write};
use crate::ownership::{self, Record};
use crate::{ApiError, ErrorCode, Services};

/// An organization as the API shows it: the stored fields and the region's names.
#[derive(Debug)]
pub struct OrganizationView {
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

/// The stored organization's schema with the two region names the view adds.
impl utoipa::PartialSchema for OrganizationView {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::{schema::Schema, RefOr};
        let mut schema = <Organization as utoipa::PartialSchema>::schema();
        if let RefOr::T(Schema::Object(object)) = &mut schema {
            for name in ["region_name", "province"] {
                object.properties.insert(name.to_owned(), <Option<String> as utoipa::PartialSchema>::schema());
            }
        }
        schema
    }
}

impl utoipa::ToSchema for OrganizationView {
    fn name() -> std::borrow::Cow<'static, str> {
        "Organization".into()
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

/// One organization.
pub async fn organization(services: &Services, uscc: &Uscc) -> Result<OrganizationView, ApiError> {
    let organization = services
        .store
        .organization(uscc)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no organization with USCC {uscc}")))?;
    Ok(organization.into())
}

/// Searches organizations by name words within a region prefix; a query that is a valid USCC finds that
/// organization.
pub async fn search_organizations(
    services: &Services,
    query: &str,
    region_prefix: Option<&str>,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<OrganizationView>, ApiError> {
    if let Ok(uscc) = Uscc::parse(query) {
        let items = services.store.organization(&uscc).await?.into_iter().map(Into::into).collect();
        return Ok(Page { items, next_cursor: None });
    }
    let page = services.store.search_organizations(query, region_prefix, cursor, limit).await?;
    Ok(Page { items: page.items.into_iter().map(Into::into).collect(), next_cursor: page.next_cursor })
}

/// Creates or updates an organization for `user`: its region within the user's jurisdiction (before and after),
/// and only the fields the user's role owns. Says whether it was new.
pub async fn write_organization(
    services: &Services,
    user: &User,
    new: NewOrganization,
) -> Result<(WriteOutcome, OrganizationView), ApiError> {
    let previous = services.store.organization(&new.uscc).await?;
    authorize_organization_write(
        user,
        &new.uscc,
        new.region_code.as_str(),
        previous.as_ref().map(|o| o.region_code.as_str()),
    )?;
    ownership::check(Record::Organization, user, &changed_fields(previous.as_ref(), &new))?;
    let outcome = services.store.upsert_organization(&new, Some(user.id)).await?;
    let stored = services.store.organization(&new.uscc).await?.ok_or_else(|| ApiError::not_found("write was lost"))?;
    Ok((outcome, stored.into()))
}

/// The fields a write would change: all of them for a new record.
fn changed_fields(stored: Option<&Organization>, new: &NewOrganization) -> Vec<&'static str> {
    let before = |f: fn(&Organization) -> Option<&str>| stored.and_then(f);
    ownership::changed(
        &[
            ("uscc", before(|o| Some(&o.uscc)), Some(new.uscc.as_str())),
            ("name", before(|o| Some(&o.name)), Some(&new.name)),
            ("region_code", before(|o| Some(&o.region_code)), Some(new.region_code.as_str())),
            ("address", before(|o| o.address.as_deref()), new.address.as_deref()),
            (
                "legal_representative",
                before(|o| o.legal_representative.as_deref()),
                new.legal_representative.as_deref(),
            ),
            ("entity_type", before(|o| o.entity_type.as_deref()), new.entity_type.as_deref()),
            ("status", before(|o| Some(o.status.as_str())), Some(new.status.as_str())),
            ("registered_on", before(|o| o.registered_on.as_deref()), new.registered_on.as_deref()),
        ],
        stored.is_some(),
    )
}

/// A product as the API shows it, with its producer's name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = Product)]
pub struct ProductView {
    #[serde(flatten)]
    pub product: Product,
    pub producer_name: Option<String>,
}

/// A product with its producer's name.
pub async fn product_view(services: &Services, product: Product) -> Result<ProductView, ApiError> {
    let producer_name = services.store.organization(&crate::input::stored_uscc(&product.uscc)?).await?.map(|o| o.name);
    Ok(ProductView { product, producer_name })
}

/// One product.
pub async fn product(services: &Services, gtin: &Gtin) -> Result<ProductView, ApiError> {
    let product = services
        .store
        .product(gtin)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no product with GTIN {gtin}")))?;
    product_view(services, product).await
}

/// Searches products by name or brand words; a query that is a valid GTIN finds that product.
pub async fn search_products(
    services: &Services,
    query: &str,
    cursor: Option<&str>,
    limit: usize,
) -> Result<Page<Product>, ApiError> {
    if let Ok(gtin) = Gtin::parse(query) {
        let items = services.store.product(&gtin).await?.into_iter().collect();
        return Ok(Page { items, next_cursor: None });
    }
    Ok(services.store.search_products(query, cursor, limit).await?)
}

/// Creates or updates a product for `user`: its producer registered, and within the user's reach before and
/// after (an enterprise writes only its own). Says whether it was new.
pub async fn write_product(
    services: &Services,
    user: &User,
    new: NewProduct,
) -> Result<(WriteOutcome, ProductView), ApiError> {
    let producer = services.store.organization(&new.uscc).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::UnknownOrganization, format!("producer {} is not registered", new.uscc))
    })?;
    let previous = match services.store.product(&new.gtin).await? {
        Some(product) => {
            let producer = crate::input::stored_uscc(&product.uscc)?;
            let region = services.store.organization(&producer).await?.map(|o| o.region_code).unwrap_or_default();
            Some((product.uscc, region))
        }
        None => None,
    };
    authorize_product_write(
        user,
        &new.uscc,
        &producer.region_code,
        previous.as_ref().map(|(uscc, region)| (uscc.as_str(), region.as_str())),
    )?;
    let outcome = services.store.upsert_product(&new, Some(user.id)).await?;
    let stored = services.store.product(&new.gtin).await?.ok_or_else(|| ApiError::not_found("write was lost"))?;
    Ok((outcome, product_view(services, stored).await?))
}
