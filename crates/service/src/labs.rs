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

/// Test items a campaign may list at most.
pub const MAX_TEST_ITEMS: usize = 200;

/// A campaign's test items, set by its regulator.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CampaignTestItems)]
pub struct TestItemsBody {
    #[schema(max_items = 200)]
    pub items: Vec<labs::TestItemFields>,
}

/// A lab to assign to a campaign.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CampaignLabInput)]
pub struct AssignBody {
    /// Required: the lab's USCC.
    #[schema(max_length = 18)]
    pub lab_uscc: Option<String>,
}

/// One test item with the assigned labs whose scope covers it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ItemCoverage {
    pub item: labs::TestItem,
    /// The assigned labs' USCCs.
    pub labs: Vec<String>,
}

/// A campaign's test items, its assigned labs, and the items no assigned lab covers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampaignLabs {
    pub campaign_id: String,
    pub items: Vec<ItemCoverage>,
    pub labs: Vec<Lab>,
    /// The items no assigned lab covers: the campaign cannot test them yet.
    pub uncovered: Vec<labs::TestItem>,
}

/// Which of `items` a lab's scope covers for a product (any code that means it).
fn covered(items: &[labs::TestItem], scope: &[StoredScope], product_codes: &[String]) -> Vec<bool> {
    items
        .iter()
        .map(|item| {
            scope.iter().filter(|row| product_codes.contains(&row.product_code)).any(|row| {
                labs::covers(
                    labs::ScopeLine { edition: &row.edition, clause: &row.clause, suspended: row.suspended },
                    item,
                )
            })
        })
        .collect()
}

/// The product codes a campaign's category means (none for a campaign over every category).
async fn campaign_products(state: &Services, campaign: &store::inspections::Campaign) -> Result<Vec<String>, ApiError> {
    let catalogue = state.catalogue().await?;
    Ok(campaign.product_category.as_deref().map(|code| catalogue.same_product(code)).unwrap_or_default())
}

async fn campaign_of(state: &Services, id: &str) -> Result<store::inspections::Campaign, ApiError> {
    state.store.campaign(id).await?.ok_or_else(|| ApiError::not_found(format!("no campaign {id}")))
}

/// A campaign's test items with their coverage by its assigned labs.
pub async fn campaign_labs(state: &Services, campaign_id: &str) -> Result<CampaignLabs, ApiError> {
    let campaign = campaign_of(state, campaign_id).await?;
    let products = campaign_products(state, &campaign).await?;
    let items = state.store.campaign_test_items(campaign_id).await?;
    let assigned = state.store.campaign_labs(campaign_id).await?;
    let mut coverage: Vec<ItemCoverage> =
        items.iter().map(|item| ItemCoverage { item: item.clone(), labs: Vec::new() }).collect();
    for lab in &assigned {
        let scope = state.store.lab_scope(lab).await?;
        for (entry, covers) in coverage.iter_mut().zip(covered(&items, &scope, &products)) {
            if covers {
                entry.labs.push(lab.clone());
            }
        }
    }
    let uncovered = coverage.iter().filter(|c| c.labs.is_empty()).map(|c| c.item.clone()).collect();
    let labs = state.store.labs_named(&assigned).await?;
    Ok(CampaignLabs { campaign_id: campaign_id.to_owned(), items: coverage, labs, uncovered })
}

/// The campaign's regulator sets its test items: each an edition of the standards catalogue with any clause.
pub async fn set_test_items(
    state: &Services,
    user: &User,
    campaign_id: &str,
    body: TestItemsBody,
) -> Result<CampaignLabs, ApiError> {
    let campaign = campaign_of(state, campaign_id).await?;
    crate::access::authorize_supervision(user, &campaign.region_code)?;
    if body.items.len() > MAX_TEST_ITEMS {
        return Err(ApiError::new(ErrorCode::PayloadTooLarge, format!("at most {MAX_TEST_ITEMS} test items")));
    }
    let mut items = Vec::with_capacity(body.items.len());
    for (i, fields) in body.items.into_iter().enumerate() {
        let item = fields.check().map_err(|e| ApiError::invalid(format!("item {}: {e}", i + 1)))?;
        items.push(item);
    }
    let editions: Vec<String> = items.iter().map(|i| i.edition.clone()).collect::<HashSet<_>>().into_iter().collect();
    let known: HashSet<String> =
        state.store.standard_editions_cited(&editions).await?.into_iter().map(|e| e.number.to_string()).collect();
    if let Some((i, item)) = items.iter().enumerate().find(|(_, item)| !known.contains(&item.edition)) {
        return Err(ApiError::invalid(format!(
            "item {}: {} is not an edition of the standards catalogue",
            i + 1,
            item.edition
        )));
    }
    state.store.set_campaign_test_items(campaign_id, &items, Some(user.id)).await?;
    campaign_labs(state, campaign_id).await
}

/// The campaign's regulator assigns a lab: only one whose scope covers some of the test items (for the
/// campaign's product, current scope rows, the item's edition); the answer says which items no assigned lab
/// covers yet.
pub async fn assign_lab(
    state: &Services,
    user: &User,
    campaign_id: &str,
    body: AssignBody,
) -> Result<CampaignLabs, ApiError> {
    let campaign = campaign_of(state, campaign_id).await?;
    crate::access::authorize_supervision(user, &campaign.region_code)?;
    let lab = crate::input::uscc("lab_uscc", body.lab_uscc.as_deref())?.to_string();
    if state.store.lab(&lab).await?.is_none() {
        return Err(ApiError::not_found(format!("{lab} is not a registered lab")));
    }
    let items = state.store.campaign_test_items(campaign_id).await?;
    if items.is_empty() {
        return Err(ApiError::new(ErrorCode::WrongState, "set the campaign's test items before assigning labs"));
    }
    let products = campaign_products(state, &campaign).await?;
    let scope = state.store.lab_scope(&lab).await?;
    if !covered(&items, &scope, &products).contains(&true) {
        let wanted: Vec<String> =
            items.iter().map(|i| format!("{} {}", i.edition, i.clause).trim().to_owned()).collect();
        return Err(ApiError::invalid(format!(
            "{lab}'s scope covers none of the campaign's test items for its product: {}",
            wanted.join("; ")
        )));
    }
    state.store.assign_campaign_lab(campaign_id, &lab, Some(user.id)).await?;
    campaign_labs(state, campaign_id).await
}
