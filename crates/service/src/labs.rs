//! Testing bodies' use cases (C11): registering labs and their scopes (all or nothing, every rejected row named;
//! a scope row must cite an edition the standards catalogue holds), the search "who can test product X to
//! standard Y (clause Z)" by region — current editions only unless asked — and a lab's page.

use std::collections::{BTreeMap, HashSet};

use labs::{Lab, LabFields, ScopeFields};
use serde::{Deserialize, Serialize};
use store::labs::{ScopeSearch, StoredScope};
use store::{Role, Store, User};

use crate::access::require_admin;
use crate::batch::{checked_rows, rejected, Format, Rejected};
use crate::standards::CitationView;
use crate::{today, ApiError, ErrorCode, Services};

/// Rows one upload may carry.
pub const MAX_UPLOAD_ROWS: usize = 100_000;

const LAB_COLUMNS: &[&str] = &["uscc", "name", "cma", "cnas", "region_code"];
const SCOPE_COLUMNS: &[&str] = &["lab", "product", "parameter", "standard", "method", "limitation", "suspended"];

fn field_code(field: &str) -> ErrorCode {
    match field {
        "uscc" | "lab" => ErrorCode::InvalidUscc,
        "region_code" => ErrorCode::InvalidRegion,
        "name" | "parameter" | "method" | "limitation" => ErrorCode::InvalidText,
        _ => ErrorCode::InvalidRequest,
    }
}

/// What an upload stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LabReceipt {
    pub received: usize,
}

/// An administrator registers labs (JSON `{"labs": […]}` or CSV): all or nothing.
pub async fn register(
    state: &Services,
    user: &User,
    format: Format,
    text: &str,
) -> Result<Result<LabReceipt, Rejected>, ApiError> {
    require_admin(user)?;
    let (labs, _) = match checked_rows(format, text, LAB_COLUMNS, "labs", MAX_UPLOAD_ROWS, |f: LabFields| {
        f.check().map_err(|e| (e.field, field_code(e.field), e.reason))
    })? {
        Ok(checked) => checked,
        Err(rejected) => return Ok(Err(rejected)),
    };
    state.store.put_labs(&labs, &[], Some(user.id)).await?;
    Ok(Ok(LabReceipt { received: labs.len() }))
}

/// A lab (for itself) or an administrator uploads scope rows (JSON `{"scopes": […]}` or CSV): all or nothing;
/// each lab named has its scope replaced by the rows given. A row must name a registered lab, a listed
/// catalogue product and an edition the standards catalogue holds.
pub async fn upload_scopes(
    state: &Services,
    user: &User,
    format: Format,
    text: &str,
) -> Result<Result<LabReceipt, Rejected>, ApiError> {
    if !matches!(user.role, Role::Admin | Role::Lab) {
        return Err(ApiError::forbidden("a lab uploads its own scope; an administrator any lab's"));
    }
    let (rows, lines) = match checked_rows(format, text, SCOPE_COLUMNS, "scopes", MAX_UPLOAD_ROWS, |f: ScopeFields| {
        f.check().map_err(|e| (e.field, field_code(e.field), e.reason))
    })? {
        Ok(checked) => checked,
        Err(rejected) => return Ok(Err(rejected)),
    };
    let received = rows.len();
    let catalogue = state.catalogue().await?;
    let lab_usccs: Vec<String> = rows.iter().map(|r| r.lab.clone()).collect::<HashSet<_>>().into_iter().collect();
    let registered: HashSet<String> = state.store.labs_named(&lab_usccs).await?.into_iter().map(|l| l.uscc).collect();
    let editions: Vec<String> =
        rows.iter().map(|r| r.standard.to_string()).collect::<HashSet<_>>().into_iter().collect();
    let known: HashSet<String> =
        state.store.standard_editions_cited(&editions).await?.into_iter().map(|e| e.number.to_string()).collect();
    let mut errors = Vec::new();
    for (row, line) in rows.iter().zip(lines) {
        if user.role == Role::Lab && user.uscc.as_deref() != Some(row.lab.as_str()) {
            errors.push(rejected(line, "lab", ErrorCode::Forbidden, "a lab uploads its own scope only"));
        } else if !registered.contains(&row.lab) {
            errors.push(rejected(line, "lab", ErrorCode::NotFound, format!("{} is not a registered lab", row.lab)));
        } else if !catalogue.accepts(&row.product) {
            errors.push(rejected(
                line,
                "product",
                ErrorCode::InvalidRequest,
                format!("{} is not a listed catalogue product", row.product),
            ));
        } else if !known.contains(&row.standard.to_string()) {
            errors.push(rejected(
                line,
                "standard",
                ErrorCode::InvalidRequest,
                format!("{} is not an edition of the standards catalogue", row.standard),
            ));
        }
    }
    if !errors.is_empty() {
        return Ok(Err(Rejected { received, rows: errors }));
    }
    state.store.put_labs(&[], &rows, Some(user.id)).await?;
    Ok(Ok(LabReceipt { received }))
}

/// What to search for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LabQuery {
    /// Required: the product's catalogue code (an earlier category finds the catalogue product's labs too).
    #[param(max_length = 20)]
    pub product: Option<String>,
    /// A standard with its edition (`GB 6675.4-2014`) or without (`GB 6675.4`: its current editions).
    #[param(max_length = 40)]
    pub standard: Option<String>,
    /// A clause: `4.2` finds 4.2 and the clauses below it.
    #[param(max_length = 30)]
    pub clause: Option<String>,
    /// A GB/T 2260 region code or prefix of the lab's region (`33`, `3301`).
    #[param(max_length = 6)]
    pub region: Option<String>,
    /// `true` for every edition of the standard, not only the current ones.
    pub all_editions: Option<bool>,
}

/// A lab that can test what was asked, with the scope rows that say so.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LabMatch {
    pub lab: Lab,
    pub rows: Vec<StoredScope>,
}

/// Who can test product X to standard Y (clause Z), by region: labs with a scope row that is not suspended.
pub async fn search(state: &Services, query: LabQuery) -> Result<Vec<LabMatch>, ApiError> {
    const LIMIT: i64 = 500;
    let product = crate::input::optional_text(query.product).ok_or_else(|| ApiError::invalid("product is required"))?;
    let catalogue = state.catalogue().await?;
    let products = catalogue.same_product(&product);
    let day = today().to_string();
    let (standard, editions, in_force_on) = match crate::input::optional_text(query.standard) {
        None => (None, None, None),
        Some(text) => match text.parse::<standards::StandardNumber>() {
            Ok(edition) => (Some(edition.standard()), Some(vec![edition.to_string()]), None),
            Err(_) => {
                let current = (query.all_editions != Some(true)).then_some(day.as_str());
                (Some(standards::number_start(&text)), None, current)
            }
        },
    };
    let region = crate::input::optional_text(query.region).unwrap_or_default();
    if region.len() > 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::new(ErrorCode::InvalidRegion, format!("'{region}' is not a region code or prefix")));
    }
    let clause = crate::input::optional_text(query.clause);
    let search = ScopeSearch {
        products: &products,
        standard: standard.as_deref(),
        editions: editions.as_deref(),
        in_force_on,
        clause: clause.as_deref(),
        region_prefix: &region,
        limit: LIMIT,
    };
    let mut matches: BTreeMap<String, LabMatch> = BTreeMap::new();
    for (lab, row) in state.store.search_scopes(&search).await? {
        matches.entry(lab.uscc.clone()).or_insert_with(|| LabMatch { lab, rows: Vec::new() }).rows.push(row);
    }
    Ok(matches.into_values().collect())
}

/// A lab with its scope and each row's edition as it stands today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LabView {
    pub lab: Lab,
    pub scope: Vec<StoredScope>,
    /// Each cited edition's standing today; a superseded or withdrawn one is flagged.
    pub citations: Vec<CitationView>,
}

/// One lab.
pub async fn lab(store: &Store, uscc: &str) -> Result<LabView, ApiError> {
    let lab =
        store.lab(uscc.trim()).await?.ok_or_else(|| ApiError::not_found(format!("no lab {uscc} is registered")))?;
    let scope = store.lab_scope(&lab.uscc).await?;
    let numbers: Vec<standards::StandardNumber> =
        scope.iter().filter_map(|s| s.edition.parse().ok()).collect::<HashSet<_>>().into_iter().collect();
    let citations = crate::standards::cite(store, &numbers, today()).await?.into_values().collect();
    Ok(LabView { lab, scope, citations })
}
