//! Checks of incoming master-data records, shared by the API and the bulk importers: every field is
//! validated here once, and each failure names the field and a stable code.

use codes::{Gtin, RegionCode, Uscc};
use store::{NewOrganization, NewProduct};

/// A field that failed its check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field, by its API name.
    pub field: &'static str,
    /// Stable code: `invalid_uscc`, `invalid_gtin`, `invalid_region`, `invalid_request`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
}

impl FieldError {
    fn new(field: &'static str, code: &'static str, message: impl ToString) -> Self {
        FieldError { field, code, message: message.to_string() }
    }
}

/// Raw organization fields as they arrive, by API name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganizationFields {
    pub uscc: Option<String>,
    pub name: Option<String>,
    /// Defaults to the registering authority's region in the USCC when that is a known code.
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    pub entity_type: Option<String>,
    pub status: Option<String>,
    pub registered_on: Option<String>,
}

/// Raw product fields as they arrive, by API name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductFields {
    pub gtin: Option<String>,
    pub name: Option<String>,
    pub uscc: Option<String>,
    pub category_code: Option<String>,
    pub brand: Option<String>,
    pub specification: Option<String>,
}

/// Organization field names, in the order files and documents list them.
pub const ORGANIZATION_FIELDS: &[&str] =
    &["uscc", "name", "region_code", "address", "legal_representative", "entity_type", "status", "registered_on"];
/// Product field names.
pub const PRODUCT_FIELDS: &[&str] = &["gtin", "name", "uscc", "category_code", "brand", "specification"];

/// Registration states an organization can be in.
pub const STATUSES: &[&str] = &["active", "revoked", "cancelled", "dissolved"];

/// Trims an optional text field; empty means absent.
pub fn optional_text(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A USCC field.
pub fn uscc(field: &'static str, value: Option<&str>) -> Result<Uscc, FieldError> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    let value = value.ok_or_else(|| FieldError::new(field, "invalid_uscc", format!("{field} is required")))?;
    Uscc::parse(value).map_err(|e| FieldError::new(field, "invalid_uscc", e))
}

/// A GTIN field.
pub fn gtin(value: Option<&str>) -> Result<Gtin, FieldError> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    let value = value.ok_or_else(|| FieldError::new("gtin", "invalid_gtin", "gtin is required"))?;
    Gtin::parse(value).map_err(|e| FieldError::new("gtin", "invalid_gtin", e))
}

/// A region code or prefix.
pub fn region(field: &'static str, value: &str) -> Result<RegionCode, FieldError> {
    RegionCode::parse(value).map_err(|e| FieldError::new(field, "invalid_region", e))
}

fn name(value: Option<String>) -> Result<String, FieldError> {
    let name = optional_text(value).ok_or_else(|| FieldError::new("name", "invalid_request", "name is required"))?;
    if name.chars().count() > 200 {
        return Err(FieldError::new("name", "invalid_request", "name is longer than 200 characters"));
    }
    Ok(name)
}

/// Checks an organization; `path_uscc` is the key from the URL on an update, which the body may repeat.
pub fn organization(fields: OrganizationFields, path_uscc: Option<&Uscc>) -> Result<NewOrganization, FieldError> {
    let uscc = match (path_uscc, fields.uscc.as_deref()) {
        (Some(path), None) => path.clone(),
        (Some(path), Some(body)) => {
            let body = uscc("uscc", Some(body))?;
            if &body != path {
                return Err(FieldError::new(
                    "uscc",
                    "invalid_request",
                    "the USCC in the body differs from the one in the path",
                ));
            }
            body
        }
        (None, body) => uscc("uscc", body)?,
    };
    let name = name(fields.name)?;
    let region = match optional_text(fields.region_code) {
        Some(code) => region("region_code", &code)?,
        None => RegionCode::parse(uscc.region_code()).map_err(|_| {
            FieldError::new(
                "region_code",
                "invalid_region",
                format!("region_code is required: the USCC's region part {} is not a known code", uscc.region_code()),
            )
        })?,
    };
    let status = optional_text(fields.status).unwrap_or_else(|| "active".into());
    if !STATUSES.contains(&status.as_str()) {
        return Err(FieldError::new(
            "status",
            "invalid_request",
            format!("status must be one of {}", STATUSES.join(", ")),
        ));
    }
    let registered_on = optional_text(fields.registered_on);
    if let Some(date) = &registered_on {
        chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
            FieldError::new("registered_on", "invalid_request", format!("'{date}' is not a date YYYY-MM-DD"))
        })?;
    }
    Ok(NewOrganization {
        uscc: uscc.to_string(),
        name,
        region_code: region.to_string(),
        address: optional_text(fields.address),
        legal_representative: optional_text(fields.legal_representative),
        entity_type: optional_text(fields.entity_type),
        status,
        registered_on,
    })
}

/// Checks a product; `path_gtin` is the key from the URL on an update. The producer's existence is the
/// caller's check, since it needs the database.
pub fn product(fields: ProductFields, path_gtin: Option<&Gtin>) -> Result<NewProduct, FieldError> {
    let gtin = match (path_gtin, fields.gtin.as_deref()) {
        (Some(path), None) => path.clone(),
        (Some(path), Some(body)) => {
            let body = gtin(Some(body))?;
            if body.to_gtin14() != path.to_gtin14() {
                return Err(FieldError::new(
                    "gtin",
                    "invalid_request",
                    "the GTIN in the body differs from the one in the path",
                ));
            }
            body
        }
        (None, body) => gtin(body)?,
    };
    let name = name(fields.name)?;
    let producer = uscc("uscc", fields.uscc.as_deref())?;
    let category_code = optional_text(fields.category_code);
    if let Some(code) = &category_code {
        if !store::CATEGORIES.iter().any(|(c, ..)| c == code) {
            return Err(FieldError::new(
                "category_code",
                "invalid_request",
                format!("'{code}' is not a known category"),
            ));
        }
    }
    Ok(NewProduct {
        gtin: gtin.to_gtin14(),
        name,
        uscc: producer.to_string(),
        category_code,
        brand: optional_text(fields.brand),
        specification: optional_text(fields.specification),
    })
}
