//! The standards catalogue as stored: every edition with its status, each load an import, and the earlier
//! version of every edition a load changed.

use serde::Serialize;
use sqlx::FromRow;
use standards::{Change, Edition, StandardNumber};

use crate::on_pool;
use crate::store::{now, write_audit, Store};
use crate::{stored, stored_day, stored_optional_day, StoreError};

/// An edition row as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
struct EditionRow {
    number: String,
    title: String,
    status: String,
    effective_on: String,
    ended_on: Option<String>,
    replaced_by: Option<String>,
    import_id: i64,
}

const EDITION_COLUMNS: &str = "number, title, status, effective_on, ended_on, replaced_by, import_id";

fn stored_number(text: &str) -> Result<StandardNumber, StoreError> {
    text.parse().map_err(|e| StoreError::Integrity(format!("stored standard number '{text}': {e}")))
}

impl EditionRow {
    fn edition(self) -> Result<StoredEdition, StoreError> {
        Ok(StoredEdition {
            edition: Edition {
                number: stored_number(&self.number)?,
                title: self.title,
                status: stored(&self.status)?,
                effective_on: stored_day("effective_on", &self.effective_on)?,
                ended_on: stored_optional_day("ended_on", &self.ended_on)?,
                replaced_by: self.replaced_by.as_deref().map(stored_number).transpose()?,
            },
            import_id: self.import_id,
        })
    }
}

/// An edition with the import that last changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEdition {
    pub edition: Edition,
    pub import_id: i64,
}

/// A load of a reference catalogue (standard editions, the product catalogue) as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, utoipa::ToSchema)]
pub struct ReferenceImport {
    pub id: i64,
    /// shipped (with the program) or loaded (by an administrator).
    pub source: String,
    /// Where the editions came from, as the loader wrote it.
    pub note: String,
    /// Rows in the load.
    pub received: i64,
    /// Rows new to the catalogue.
    pub added: i64,
    /// Stored rows the load changed (their earlier version is kept).
    pub changed: i64,
    pub loaded_at: String,
    pub loaded_by: Option<i64>,
}

/// What to record of a load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImport<'a> {
    pub source: &'a str,
    pub note: &'a str,
    pub loaded_by: Option<i64>,
}

impl NewImport<'_> {
    /// The statement that records a load in `table`; binds source, note, received, added, changed, loaded_at,
    /// loaded_by and returns the id.
    pub(crate) fn insert_sql(table: &str) -> String {
        format!(
            "INSERT INTO {table} (source, note, received, added, changed, loaded_at, loaded_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"
        )
    }
}

impl ReferenceImport {
    /// The query for every load recorded in `table`, newest first.
    pub(crate) fn select_sql(table: &str) -> String {
        format!("SELECT id, source, note, received, added, changed, loaded_at, loaded_by FROM {table} ORDER BY id DESC")
    }
}

fn to_editions(rows: Vec<EditionRow>) -> Result<Vec<StoredEdition>, StoreError> {
    rows.into_iter().map(EditionRow::edition).collect()
}

impl Store {
    /// Every stored edition: what a load is checked against.
    pub async fn standard_editions_all(&self) -> Result<Vec<Edition>, StoreError> {
        let sql = format!("SELECT {EDITION_COLUMNS} FROM standard_editions ORDER BY number");
        on_pool!(self, pool => {
            let rows: Vec<EditionRow> = sqlx::query_as(&sql).fetch_all(pool).await?;
            Ok(to_editions(rows)?.into_iter().map(|s| s.edition).collect())
        })
    }

    /// Whether any edition is stored.
    pub async fn standard_editions_count(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT COUNT(*) FROM standard_editions").fetch_one(pool).await?)
        })
    }

    /// Stores a checked load in one transaction: the import row, the earlier version of each changed edition, the
    /// editions themselves and an audit row. `editions` pairs each loaded edition with what the load does to it.
    pub async fn load_standard_editions(
        &self,
        import: &NewImport<'_>,
        editions: &[(Edition, Change)],
    ) -> Result<i64, StoreError> {
        let at = now();
        let added = editions.iter().filter(|(_, c)| *c == Change::Added).count() as i64;
        let changed = editions.iter().filter(|(_, c)| matches!(c, Change::Changed(_))).count() as i64;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(&NewImport::insert_sql("standard_imports"))
            .bind(import.source)
            .bind(import.note)
            .bind(editions.len() as i64)
            .bind(added)
            .bind(changed)
            .bind(&at)
            .bind(import.loaded_by)
            .fetch_one(&mut *tx)
            .await?;
            for (edition, change) in editions {
                match change {
                    Change::Unchanged => continue,
                    Change::Changed(_) => {
                        sqlx::query(
                            "INSERT INTO standard_edition_history (number, replaced_in, title, status, effective_on, \
                             ended_on, replaced_by, import_id) SELECT number, $2, title, status, effective_on, ended_on, \
                             replaced_by, import_id FROM standard_editions WHERE number = $1",
                        )
                        .bind(edition.number.to_string())
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    }
                    Change::Added => {}
                }
                sqlx::query(
                    "INSERT INTO standard_editions (number, standard, title, force, status, effective_on, ended_on, \
                     replaced_by, import_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
                     ON CONFLICT (number) DO UPDATE SET title = excluded.title, status = excluded.status, \
                     effective_on = excluded.effective_on, ended_on = excluded.ended_on, \
                     replaced_by = excluded.replaced_by, import_id = excluded.import_id",
                )
                .bind(edition.number.to_string())
                .bind(edition.number.standard())
                .bind(&edition.title)
                .bind(edition.force().as_str())
                .bind(edition.status.as_str())
                .bind(edition.effective_on.to_string())
                .bind(edition.ended_on.map(|d| d.to_string()))
                .bind(edition.replaced_by.as_ref().map(|n| n.to_string()))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            let summary = serde_json::json!({"source": import.source, "note": import.note,
                "received": editions.len(), "added": added, "changed": changed});
            write_audit!(&mut *tx, at, import.loaded_by, "standard_import", id.to_string(),
                ("insert", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(id)
        })
    }

    /// The editions with these numbers and every edition their replacements lead to: enough to cite them.
    pub async fn standard_editions_cited(&self, numbers: &[String]) -> Result<Vec<Edition>, StoreError> {
        if numbers.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=numbers.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "WITH RECURSIVE chain(number) AS (SELECT number FROM standard_editions WHERE number IN ({}) \
             UNION SELECT e.replaced_by FROM standard_editions e JOIN chain c ON e.number = c.number \
             WHERE e.replaced_by IS NOT NULL) \
             SELECT {EDITION_COLUMNS} FROM standard_editions WHERE number IN (SELECT number FROM chain)",
            marks.join(", ")
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query_as::<_, EditionRow>(&sql);
            for number in numbers {
                query = query.bind(number);
            }
            let rows = query.fetch_all(pool).await?;
            Ok(to_editions(rows)?.into_iter().map(|s| s.edition).collect())
        })
    }

    /// One edition.
    pub async fn standard_edition(&self, number: &StandardNumber) -> Result<Option<StoredEdition>, StoreError> {
        let sql = format!("SELECT {EDITION_COLUMNS} FROM standard_editions WHERE number = $1");
        on_pool!(self, pool => {
            let row: Option<EditionRow> = sqlx::query_as(&sql).bind(number.to_string()).fetch_optional(pool).await?;
            row.map(EditionRow::edition).transpose()
        })
    }

    /// Every edition of a standard (`GB/T 3325`), newest first.
    pub async fn standard_edition_family(&self, standard: &str) -> Result<Vec<StoredEdition>, StoreError> {
        let sql =
            format!("SELECT {EDITION_COLUMNS} FROM standard_editions WHERE standard = $1 ORDER BY effective_on DESC");
        on_pool!(self, pool => {
            to_editions(sqlx::query_as(&sql).bind(standard).fetch_all(pool).await?)
        })
    }

    /// Editions whose number starts with `number_prefix` or whose title holds `title_part` (either may be empty),
    /// in number order after `after`; only editions with `status` when it is given.
    pub async fn standard_editions_page(
        &self,
        number_prefix: &str,
        title_part: &str,
        status: Option<standards::Status>,
        after: &str,
        limit: i64,
    ) -> Result<Vec<StoredEdition>, StoreError> {
        let status_filter = if status.is_some() { " AND status = $4" } else { "" };
        let sql = format!(
            "SELECT {EDITION_COLUMNS} FROM standard_editions WHERE number > $1 AND (number LIKE $2 OR standard LIKE $2) \
             AND title LIKE $3{status_filter} ORDER BY number LIMIT {limit}"
        );
        on_pool!(self, pool => {
            let mut query = sqlx::query_as::<_, EditionRow>(&sql)
                .bind(after)
                .bind(format!("{}%", like_escaped(number_prefix)))
                .bind(format!("%{}%", like_escaped(title_part)));
            if let Some(status) = status {
                query = query.bind(status.as_str());
            }
            to_editions(query.fetch_all(pool).await?)
        })
    }

    /// Every load, newest first.
    pub async fn standard_imports(&self) -> Result<Vec<ReferenceImport>, StoreError> {
        let sql = ReferenceImport::select_sql("standard_imports");
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// An edition's earlier versions, newest first, each with the import that replaced it.
    pub async fn standard_edition_history(
        &self,
        number: &StandardNumber,
    ) -> Result<Vec<(i64, StoredEdition)>, StoreError> {
        let sql = format!(
            "SELECT replaced_in, {EDITION_COLUMNS} FROM standard_edition_history WHERE number = $1 ORDER BY replaced_in DESC"
        );
        on_pool!(self, pool => {
            let rows: Vec<HistoryRow> = sqlx::query_as(&sql).bind(number.to_string()).fetch_all(pool).await?;
            rows.into_iter().map(|row| Ok((row.replaced_in, row.edition.edition()?))).collect()
        })
    }
}

/// An earlier version of an edition with the load that replaced it.
#[derive(Debug, FromRow)]
struct HistoryRow {
    replaced_in: i64,
    #[sqlx(flatten)]
    edition: EditionRow,
}

/// A LIKE pattern's literal part: `%` and `_` typed by a user match themselves only as far as both backends
/// allow without an ESCAPE clause, so they are dropped.
fn like_escaped(text: &str) -> String {
    text.chars().filter(|c| *c != '%' && *c != '_').collect()
}
