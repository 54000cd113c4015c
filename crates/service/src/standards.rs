//! The standards catalogue's use cases: loading editions (all or nothing, every misfit named by its row), the
//! shipped seed, the catalogue's pages and one edition with its family and history, and citing editions on a day —
//! what sampling results' test items and labs' scope rows are checked by.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use standards::{Catalogue, Change, Edition, EditionFields, Force, StandardNumber, Standing, Status};
use store::standards::{NewImport, ReferenceImport, StoredEdition};
use store::{Store, User};

use crate::access::require_admin;
pub use crate::batch::LoadReceipt;
use crate::batch::{self, checked_note, rejected, Format, Rejected};
use crate::schema::vocabulary;
use crate::{today, ApiError, ErrorCode, Services};

/// Editions one load may carry: a whole national catalogue (about 45,000 editions) in one file.
pub const MAX_LOAD_EDITIONS: usize = 100_000;

/// Editions a page of the catalogue holds at most.
pub const MAX_PAGE: i64 = 500;

/// An edition as answers and pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = StandardEdition)]
pub struct EditionView {
    /// With its edition year: `GB 4806.7-2016`.
    pub number: String,
    /// The standard without its edition: `GB 4806.7`.
    pub standard: String,
    pub title: String,
    #[schema(schema_with = vocabulary::<Force>)]
    pub force: Force,
    #[schema(schema_with = vocabulary::<Status>)]
    pub status: Status,
    #[schema(value_type = String, format = Date)]
    pub effective_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<NaiveDate>,
    pub replaced_by: Option<String>,
    /// The load that last changed it.
    pub import_id: i64,
    /// Whether it applies today (China time).
    pub in_force_today: bool,
}

impl EditionView {
    fn new(stored: StoredEdition, day: NaiveDate) -> Self {
        let StoredEdition { edition, import_id } = stored;
        let in_force_today = day >= edition.effective_on && edition.ended_on.is_none_or(|end| day <= end);
        EditionView {
            number: edition.number.to_string(),
            standard: edition.number.standard(),
            force: edition.force(),
            title: edition.title,
            status: edition.status,
            effective_on: edition.effective_on,
            ended_on: edition.ended_on,
            replaced_by: edition.replaced_by.map(|n| n.to_string()),
            import_id,
            in_force_today,
        }
    }
}

/// A page of the catalogue.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EditionPage {
    pub editions: Vec<EditionView>,
    /// The number to pass as `after` for the next page; absent on the last.
    pub next_after: Option<String>,
}

/// What to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EditionQuery {
    /// The start of a number (`GB 4806`, `gb/t 3325`; read as typed), or a word of the title.
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// current, superseded or withdrawn.
    pub status: Option<String>,
    /// The last number of the previous page.
    #[param(max_length = 40)]
    pub after: Option<String>,
    /// At most 500; 100 by default.
    pub limit: Option<i64>,
}

/// A page of editions in number order.
pub async fn page(store: &Store, query: EditionQuery) -> Result<EditionPage, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(ApiError::invalid(format!("limit is 1 to {MAX_PAGE}")));
    }
    let status = query
        .status
        .as_deref()
        .map(|t| t.parse::<Status>().map_err(|e| ApiError::new(ErrorCode::InvalidKind, e)))
        .transpose()?;
    let text = query.q.as_deref().map(str::trim).unwrap_or_default();
    if text.chars().count() > 100 {
        return Err(ApiError::new(ErrorCode::InvalidText, "q is at most 100 characters"));
    }
    // A query that reads as a number's start searches numbers; anything else, titles.
    let number_like = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let (number_prefix, title_part) =
        if number_like { (standards::number_start(text), String::new()) } else { (String::new(), text.to_owned()) };
    let after = query.after.unwrap_or_default();
    let mut editions: Vec<EditionView> = store
        .standard_editions_page(&number_prefix, &title_part, status, &after, limit + 1)
        .await?
        .into_iter()
        .map(|e| EditionView::new(e, today()))
        .collect();
    let next_after = if editions.len() as i64 > limit {
        editions.truncate(limit as usize);
        editions.last().map(|e| e.number.clone())
    } else {
        None
    };
    Ok(EditionPage { editions, next_after })
}

/// One edition with every edition of its standard and its earlier stored versions.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = StandardEditionDetail)]
pub struct EditionDetail {
    #[serde(flatten)]
    pub edition: EditionView,
    /// Every edition of the same standard, newest first.
    pub family: Vec<EditionView>,
    /// What earlier loads said of this edition, newest first.
    pub history: Vec<EditionVersion>,
}

/// An earlier stored version of an edition.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EditionVersion {
    /// The load that replaced this version.
    pub replaced_in: i64,
    #[serde(flatten)]
    pub edition: EditionView,
}

/// An edition by its number (any form people type).
pub async fn edition(store: &Store, number: &str) -> Result<EditionDetail, ApiError> {
    let number: StandardNumber = number.parse().map_err(|e| ApiError::invalid(format!("number: {e}")))?;
    let stored = store
        .standard_edition(&number)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("{number} is not in the catalogue")))?;
    let day = today();
    let family = store
        .standard_edition_family(&number.standard())
        .await?
        .into_iter()
        .map(|e| EditionView::new(e, day))
        .collect();
    let history = store
        .standard_edition_history(&number)
        .await?
        .into_iter()
        .map(|(replaced_in, e)| EditionVersion { replaced_in, edition: EditionView::new(e, day) })
        .collect();
    Ok(EditionDetail { edition: EditionView::new(stored, day), family, history })
}

/// Every load, newest first.
pub async fn imports(store: &Store) -> Result<Vec<ReferenceImport>, ApiError> {
    Ok(store.standard_imports().await?)
}

/// A load of editions in JSON.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StandardEditionLoad)]
pub struct EditionsBody {
    /// The editions; each is read and checked on its own, so that every rejected one is named.
    #[schema(value_type = Vec<EditionFields>)]
    pub editions: Vec<serde_json::Value>,
}

/// Reads and checks a load against the stored catalogue: each row's fields, then the whole. The editions with
/// what loading each does, or every rejected row.
async fn check_load(
    store: &Store,
    format: Format,
    body: &str,
) -> Result<Result<Vec<(Edition, Change)>, Rejected>, ApiError> {
    let checked = batch::checked_rows(
        format,
        body,
        standards::COLUMNS,
        "editions",
        MAX_LOAD_EDITIONS,
        |fields: EditionFields| fields.check().map_err(|e| (e.field, field_code(e.field), e.reason)),
    )?;
    let (editions, lines) = match checked {
        Ok(checked) => checked,
        Err(rejected) => return Ok(Err(rejected)),
    };
    let received = editions.len();
    let stored = store.standard_editions_all().await?;
    match Catalogue::merged(stored, editions.clone()) {
        Ok((_, changes)) => Ok(Ok(editions.into_iter().zip(changes).collect())),
        Err(misfits) => {
            let rows = misfits
                .into_iter()
                .map(|m| {
                    let row = if m.row == 0 { 0 } else { lines[m.row - 1] };
                    let message =
                        if m.row == 0 { format!("stored edition {}: {}", m.number, m.reason) } else { m.reason };
                    rejected(row, m.field, field_code(m.field), message)
                })
                .collect();
            Ok(Err(Rejected { received, rows }))
        }
    }
}

/// The code a misfit in a field gets: a status is `invalid_kind`, a title `invalid_text`, the rest
/// `invalid_request`.
fn field_code(field: &str) -> ErrorCode {
    match field {
        "status" => ErrorCode::InvalidKind,
        "title" => ErrorCode::InvalidText,
        _ => ErrorCode::InvalidRequest,
    }
}

/// An administrator loads editions (JSON `{"editions": […]}` or CSV with a header row). All or nothing: with any
/// rejected row nothing is stored and every rejected row is named. A load that changes nothing is still recorded.
pub async fn load(
    state: &Services,
    user: &User,
    format: Format,
    body: &str,
    note: &str,
) -> Result<Result<LoadReceipt, Rejected>, ApiError> {
    require_admin(user)?;
    load_as(&state.store, Some(user.id), format, body, note).await
}

/// The same load by the operator of the command line (`zhiliang standards import`), or by an account.
pub async fn load_as(
    store: &Store,
    loaded_by: Option<i64>,
    format: Format,
    body: &str,
    note: &str,
) -> Result<Result<LoadReceipt, Rejected>, ApiError> {
    let note = checked_note(note)?;
    let editions = match check_load(store, format, body).await? {
        Ok(editions) => editions,
        Err(rejected) => return Ok(Err(rejected)),
    };
    let import = NewImport { source: "loaded", note, loaded_by };
    Ok(Ok(store_load(store, &import, &editions).await?))
}

async fn store_load(
    store: &Store,
    import: &NewImport<'_>,
    editions: &[(Edition, Change)],
) -> Result<LoadReceipt, ApiError> {
    let import_id = store.load_standard_editions(import, editions).await?;
    let changes: Vec<&Change> = editions.iter().map(|(_, c)| c).collect();
    Ok(LoadReceipt::new(import_id, &changes))
}

/// A citation of an edition on a day, as answers and pages carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CitationView {
    /// The number as cited, in canonical form.
    pub number: String,
    #[schema(schema_with = vocabulary::<Standing>)]
    pub standing: Standing,
    /// The cited edition's title, when the catalogue holds it.
    pub title: Option<String>,
    /// For a superseded edition: the edition in force now in its place.
    pub current: Option<String>,
    /// Whether the use should be flagged: anything but in force on the day.
    pub flagged: bool,
}

/// What citing each number on `day` amounts to, by number.
pub async fn cite(
    store: &Store,
    numbers: &[StandardNumber],
    day: NaiveDate,
) -> Result<BTreeMap<StandardNumber, CitationView>, ApiError> {
    let texts: Vec<String> = numbers.iter().map(ToString::to_string).collect();
    let catalogue = Catalogue::stored(store.standard_editions_cited(&texts).await?);
    Ok(numbers.iter().map(|number| (number.clone(), citation_view(&catalogue, number, day))).collect())
}

/// What citing the edition at the start of each text (a test item's `GB 6675.2-2014 4.1`) on its day amounts
/// to, in the order given; none for a text that does not start with a standard number. One read of the catalogue.
pub async fn cite_texts(store: &Store, uses: &[(&str, NaiveDate)]) -> Result<Vec<Option<CitationView>>, ApiError> {
    let numbers: Vec<Option<StandardNumber>> =
        uses.iter().map(|(text, _)| standards::cited(text).ok().map(|(number, _)| number)).collect();
    let texts: Vec<String> = numbers.iter().flatten().map(ToString::to_string).collect();
    let catalogue = Catalogue::stored(store.standard_editions_cited(&texts).await?);
    Ok(numbers
        .into_iter()
        .zip(uses)
        .map(|(number, (_, day))| number.map(|number| citation_view(&catalogue, &number, *day)))
        .collect())
}

fn citation_view(catalogue: &Catalogue, number: &StandardNumber, day: NaiveDate) -> CitationView {
    let citation = catalogue.cite(number, day);
    CitationView {
        number: number.to_string(),
        standing: citation.standing(),
        title: citation.edition().map(|e| e.title.clone()),
        current: citation.current().map(|e| e.number.to_string()),
        flagged: citation.flagged(),
    }
}
