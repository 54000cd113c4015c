//! The key-product catalogue's use cases: the catalogue in memory for every check and page (re-read after a
//! load and every few seconds, so a product another server's administrator added is seen without a restart),
//! loading entries (all or nothing, every misfit named by its row), one entry with its products and history.

use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use product_catalogue::{Catalogue, Change, Entry, EntryFields, Level, Listing, Regime};
use serde::{Deserialize, Serialize};
use store::catalogue::StoredEntry;
use store::standards::{NewImport, ReferenceImport};
use store::{Store, User};

use crate::access::require_admin;
use crate::batch::{self, checked_note, Format, LoadReceipt, Rejected};
use crate::schema::vocabulary;
use crate::{ApiError, ErrorCode, Services};

/// Entries one load may carry: a whole catalogue edition is a few hundred.
pub const MAX_LOAD_ENTRIES: usize = 10_000;

/// How long the catalogue in memory is used before it is read again.
const FRESH_FOR: Duration = Duration::from_secs(10);

/// The catalogue in memory and when it was read.
#[derive(Debug, Default)]
pub struct Held {
    catalogue: Arc<Catalogue>,
    read_at: Option<Instant>,
}

impl Services {
    /// The catalogue in force: the one in memory, read again when it is older than a few seconds.
    pub async fn catalogue(&self) -> Result<Arc<Catalogue>, ApiError> {
        {
            let held = self.catalogue.read().unwrap_or_else(PoisonError::into_inner);
            if held.read_at.is_some_and(|at| at.elapsed() < FRESH_FOR) {
                return Ok(held.catalogue.clone());
            }
        }
        self.reload_catalogue().await
    }

    /// Reads the catalogue from the database and keeps it in memory.
    pub async fn reload_catalogue(&self) -> Result<Arc<Catalogue>, ApiError> {
        let catalogue = Arc::new(stored_catalogue(&self.store).await?);
        let mut held = self.catalogue.write().unwrap_or_else(PoisonError::into_inner);
        *held = Held { catalogue: catalogue.clone(), read_at: Some(Instant::now()) };
        Ok(catalogue)
    }
}

/// The stored catalogue, for callers without the services (the command line's imports).
pub async fn stored_catalogue(store: &Store) -> Result<Catalogue, ApiError> {
    Ok(Catalogue::stored(store.catalogue_entries().await?.into_iter().map(|s| s.entry).collect()))
}

/// An entry as answers and pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = CatalogueEntry)]
pub struct EntryView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[schema(schema_with = vocabulary::<Level>)]
    pub level: Level,
    /// A product's class.
    pub parent: Option<String>,
    /// The catalogue edition's year; none for an earlier sampling category.
    pub edition: Option<i32>,
    /// The regimes that apply: the entry's own, or those of the catalogue product it maps onto. Values:
    /// sampling, licence, ccc, monitoring, recall.
    #[schema(value_type = Vec<String>)]
    pub regimes: Vec<Regime>,
    /// For an earlier category: the catalogue product it means.
    pub maps_to: Option<String>,
    #[schema(schema_with = vocabulary::<Listing>)]
    pub listing: Listing,
    /// The load that last changed it; none for a category stored before the catalogue was data.
    pub import_id: Option<i64>,
}

impl EntryView {
    fn new(catalogue: &Catalogue, stored: StoredEntry) -> Self {
        let StoredEntry { entry, import_id } = stored;
        EntryView {
            regimes: catalogue.regimes(&entry.code).into_iter().collect(),
            code: entry.code,
            name_zh: entry.name_zh,
            name_en: entry.name_en,
            level: entry.level,
            parent: entry.parent,
            edition: entry.edition,
            maps_to: entry.maps_to,
            listing: entry.listing,
            import_id,
        }
    }
}

/// What to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EntryQuery {
    /// Only entries of this catalogue year (`2023`), or `earlier` for zhiliang's earlier sampling categories.
    #[param(max_length = 10)]
    pub edition: Option<String>,
    /// Only products under this regime: sampling, licence, ccc, monitoring or recall.
    #[param(max_length = 20)]
    pub regime: Option<String>,
    /// Retired entries too (`true`); listed ones only by default.
    pub all: Option<bool>,
}

/// The catalogue's entries, by code.
pub async fn list(store: &Store, query: EntryQuery) -> Result<Vec<EntryView>, ApiError> {
    let regime = query
        .regime
        .as_deref()
        .map(|t| t.parse::<Regime>().map_err(|e| ApiError::new(ErrorCode::InvalidKind, e)))
        .transpose()?;
    let edition = match query.edition.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("earlier") => Some(None),
        Some(year) => Some(Some(
            year.parse::<i32>()
                .map_err(|_| ApiError::invalid(format!("edition '{year}' is not a year or 'earlier'")))?,
        )),
    };
    let stored = store.catalogue_entries().await?;
    let catalogue = Catalogue::stored(stored.iter().map(|s| s.entry.clone()).collect());
    Ok(stored
        .into_iter()
        .filter(|s| query.all == Some(true) || s.entry.listing == Listing::Listed)
        .filter(|s| edition.is_none_or(|e| s.entry.edition == e))
        .map(|s| EntryView::new(&catalogue, s))
        .filter(|view| regime.is_none_or(|r| view.regimes.contains(&r)))
        .collect())
}

/// One entry with its products (for a class), the earlier categories that map onto it, and its history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = CatalogueEntryDetail)]
pub struct EntryDetail {
    #[serde(flatten)]
    pub entry: EntryView,
    /// A class's products, listed and retired.
    pub products: Vec<EntryView>,
    /// The earlier categories that map onto this product.
    pub mapped_from: Vec<EntryView>,
    /// Earlier versions, newest first.
    pub history: Vec<EntryVersion>,
}

/// An earlier version of an entry with the load that replaced it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EntryVersion {
    pub replaced_in: i64,
    #[serde(flatten)]
    pub entry: EntryView,
}

/// One entry by code.
pub async fn entry(store: &Store, code: &str) -> Result<EntryDetail, ApiError> {
    let stored = store.catalogue_entries().await?;
    let catalogue = Catalogue::stored(stored.iter().map(|s| s.entry.clone()).collect());
    let found = stored
        .iter()
        .find(|s| s.entry.code == code)
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("{code} is not in the product catalogue")))?;
    let views = |keep: &dyn Fn(&Entry) -> bool| -> Vec<EntryView> {
        stored.iter().filter(|s| keep(&s.entry)).map(|s| EntryView::new(&catalogue, s.clone())).collect()
    };
    let products = views(&|e| e.parent.as_deref() == Some(code));
    let mapped_from = views(&|e| e.maps_to.as_deref() == Some(code));
    let history = store
        .catalogue_entry_history(code)
        .await?
        .into_iter()
        .map(|(replaced_in, e)| EntryVersion { replaced_in, entry: EntryView::new(&catalogue, e) })
        .collect();
    Ok(EntryDetail { entry: EntryView::new(&catalogue, found), products, mapped_from, history })
}

/// Every load, newest first.
pub async fn imports(store: &Store) -> Result<Vec<ReferenceImport>, ApiError> {
    Ok(store.catalogue_imports().await?)
}

/// A load of entries in JSON.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CatalogueLoad)]
pub struct EntriesBody {
    /// The entries; each is read and checked on its own, so that every rejected one is named.
    #[schema(value_type = Vec<EntryFields>)]
    pub entries: Vec<serde_json::Value>,
}

/// The code a misfit in a field gets: a level, regime or listing is `invalid_kind`, a name `invalid_text`, the
/// rest `invalid_request`.
fn field_code(field: &str) -> ErrorCode {
    match field {
        "level" | "regimes" | "listing" => ErrorCode::InvalidKind,
        "name_zh" | "name_en" => ErrorCode::InvalidText,
        _ => ErrorCode::InvalidRequest,
    }
}

/// An administrator loads entries (JSON `{"entries": […]}` or CSV with a header row) — a new edition, a product
/// added, a correction. All or nothing: with any rejected row nothing is stored and every rejected row is named.
pub async fn load(
    state: &Services,
    user: &User,
    format: Format,
    body: &str,
    note: &str,
) -> Result<Result<LoadReceipt, Rejected>, ApiError> {
    require_admin(user)?;
    let receipt = load_as(&state.store, Some(user.id), format, body, note).await?;
    if receipt.is_ok() {
        state.reload_catalogue().await?;
    }
    Ok(receipt)
}

/// The same load by the operator of the command line (`zhiliang catalogue import`), or by an account.
pub async fn load_as(
    store: &Store,
    loaded_by: Option<i64>,
    format: Format,
    body: &str,
    note: &str,
) -> Result<Result<LoadReceipt, Rejected>, ApiError> {
    let note = checked_note(note)?;
    let (entries, lines) = match batch::checked_rows(
        format,
        body,
        product_catalogue::COLUMNS,
        "entries",
        MAX_LOAD_ENTRIES,
        |fields: EntryFields| fields.check().map_err(|e| (e.field, field_code(e.field), e.reason)),
    )? {
        Ok(checked) => checked,
        Err(rejected) => return Ok(Err(rejected)),
    };
    let stored = store.catalogue_entries().await?.into_iter().map(|s| s.entry).collect();
    let changes = match Catalogue::merged(stored, entries.clone()) {
        Ok((_, changes)) => changes,
        Err(misfits) => {
            let rows = misfits
                .into_iter()
                .map(|m| {
                    let (row, message) = match m.row {
                        0 => (0, format!("stored entry {}: {}", m.code, m.reason)),
                        row => (lines[row - 1], m.reason),
                    };
                    batch::rejected(row, m.field, field_code(m.field), message)
                })
                .collect();
            return Ok(Err(Rejected { received: entries.len(), rows }));
        }
    };
    let loaded: Vec<(Entry, Change)> = entries.into_iter().zip(changes).collect();
    let import = NewImport { source: "loaded", note, loaded_by };
    let import_id = store.load_catalogue_entries(&import, &loaded).await?;
    let changes: Vec<&Change> = loaded.iter().map(|(_, c)| c).collect();
    Ok(Ok(LoadReceipt::new(import_id, &changes)))
}
