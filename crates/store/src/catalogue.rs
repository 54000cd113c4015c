//! The key-product catalogue as stored: `product_categories` holds every entry, each load is an import, and an
//! entry a load changed keeps its earlier version.

use std::collections::BTreeSet;

use product_catalogue::{regimes_text, Change, Entry, Regime};
use sqlx::FromRow;

use crate::on_pool;
use crate::standards::{NewImport, ReferenceImport};
use crate::store::{now, write_audit, Store};
use crate::{stored, StoreError};

/// An entry row as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
struct EntryRow {
    code: String,
    name_zh: String,
    name_en: String,
    level: String,
    parent_code: Option<String>,
    edition: Option<i32>,
    regimes: String,
    maps_to: Option<String>,
    listing: String,
    import_id: Option<i64>,
}

const ENTRY_COLUMNS: &str = "code, name_zh, name_en, level, parent_code, edition, regimes, maps_to, listing, import_id";

impl EntryRow {
    fn entry(self) -> Result<StoredEntry, StoreError> {
        let regimes: BTreeSet<Regime> =
            self.regimes.split(';').filter(|t| !t.is_empty()).map(stored).collect::<Result<_, _>>()?;
        Ok(StoredEntry {
            entry: Entry {
                code: self.code,
                name_zh: self.name_zh,
                name_en: self.name_en,
                level: stored(&self.level)?,
                parent: self.parent_code,
                edition: self.edition,
                regimes,
                maps_to: self.maps_to,
                listing: stored(&self.listing)?,
            },
            import_id: self.import_id,
        })
    }
}

/// An entry with the import that last changed it; none for a category stored before the catalogue was data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub entry: Entry,
    pub import_id: Option<i64>,
}

/// An earlier version of an entry with the load that replaced it.
#[derive(Debug, FromRow)]
struct HistoryRow {
    replaced_in: i64,
    #[sqlx(flatten)]
    entry: EntryRow,
}

fn to_entries(rows: Vec<EntryRow>) -> Result<Vec<StoredEntry>, StoreError> {
    rows.into_iter().map(EntryRow::entry).collect()
}

/// The order in which a load writes its entries, so that every parent and every mapped product is there first.
fn write_order(entry: &Entry) -> u8 {
    match (entry.level, &entry.maps_to) {
        (product_catalogue::Level::Class, _) => 0,
        (_, None) => 1,
        (_, Some(_)) => 2,
    }
}

impl Store {
    /// Every catalogue entry, by code: what a load is checked against and what the services keep in memory.
    pub async fn catalogue_entries(&self) -> Result<Vec<StoredEntry>, StoreError> {
        let sql = format!("SELECT {ENTRY_COLUMNS} FROM product_categories ORDER BY code");
        on_pool!(self, pool => to_entries(sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// Stores a checked load in one transaction: the import row, the earlier version of each changed entry, the
    /// entries themselves and an audit row. `entries` pairs each loaded entry with what the load does to it.
    pub async fn load_catalogue_entries(
        &self,
        import: &NewImport<'_>,
        entries: &[(Entry, Change)],
    ) -> Result<i64, StoreError> {
        let at = now();
        let added = entries.iter().filter(|(_, c)| *c == Change::Added).count() as i64;
        let changed = entries.iter().filter(|(_, c)| matches!(c, Change::Changed(_))).count() as i64;
        let mut ordered: Vec<&(Entry, Change)> = entries.iter().filter(|(_, c)| *c != Change::Unchanged).collect();
        ordered.sort_by_key(|(entry, _)| write_order(entry));
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(&NewImport::insert_sql("catalogue_imports"))
                .bind(import.source)
                .bind(import.note)
                .bind(entries.len() as i64)
                .bind(added)
                .bind(changed)
                .bind(&at)
                .bind(import.loaded_by)
                .fetch_one(&mut *tx)
                .await?;
            for (entry, change) in ordered {
                if matches!(change, Change::Changed(_)) {
                    sqlx::query(&format!(
                        "INSERT INTO product_category_history (replaced_in, {ENTRY_COLUMNS}) \
                         SELECT $2, {ENTRY_COLUMNS} FROM product_categories WHERE code = $1"
                    ))
                    .bind(&entry.code)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO product_categories (code, name_zh, name_en, level, parent_code, edition, regimes, \
                     maps_to, listing, import_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                     ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, \
                     level = excluded.level, parent_code = excluded.parent_code, edition = excluded.edition, \
                     regimes = excluded.regimes, maps_to = excluded.maps_to, listing = excluded.listing, \
                     import_id = excluded.import_id",
                )
                .bind(&entry.code)
                .bind(&entry.name_zh)
                .bind(&entry.name_en)
                .bind(entry.level.as_str())
                .bind(&entry.parent)
                .bind(entry.edition)
                .bind(regimes_text(&entry.regimes))
                .bind(&entry.maps_to)
                .bind(entry.listing.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            let summary = serde_json::json!({"source": import.source, "note": import.note,
                "received": entries.len(), "added": added, "changed": changed});
            write_audit!(&mut *tx, at, import.loaded_by, "catalogue_import", id.to_string(),
                ("insert", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Every catalogue load, newest first.
    pub async fn catalogue_imports(&self) -> Result<Vec<ReferenceImport>, StoreError> {
        let sql = ReferenceImport::select_sql("catalogue_imports");
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).fetch_all(pool).await?))
    }

    /// An entry's earlier versions, newest first, each with the import that replaced it.
    pub async fn catalogue_entry_history(&self, code: &str) -> Result<Vec<(i64, StoredEntry)>, StoreError> {
        let sql = format!(
            "SELECT replaced_in, {ENTRY_COLUMNS} FROM product_category_history WHERE code = $1 ORDER BY replaced_in DESC"
        );
        on_pool!(self, pool => {
            let rows: Vec<HistoryRow> = sqlx::query_as(&sql).bind(code).fetch_all(pool).await?;
            rows.into_iter().map(|row| Ok((row.replaced_in, row.entry.entry()?))).collect()
        })
    }

    /// Adds the shipped catalogue entries the database lacks, and fills the entries stored before the catalogue
    /// was data (no load has touched them: the earlier categories) with their shipped mapping and regimes, as one
    /// `shipped` import; an entry an administrator loaded is never overwritten. Shipped entries that no longer
    /// fit what was loaded are left out with a warning rather than stopping the start.
    pub(crate) async fn seed_product_catalogue(&self) -> Result<(), StoreError> {
        let shipped = product_catalogue::shipped().map_err(StoreError::Integrity)?;
        let stored = self.catalogue_entries().await?;
        let due: Vec<Entry> = shipped
            .into_iter()
            .filter(|entry| match stored.iter().find(|s| s.entry.code == entry.code) {
                None => true,
                Some(s) => s.import_id.is_none() && s.entry != *entry,
            })
            .collect();
        if due.is_empty() {
            return Ok(());
        }
        let stored: Vec<Entry> = stored.into_iter().map(|s| s.entry).collect();
        match product_catalogue::Catalogue::merged(stored, due.clone()) {
            Ok((_, changes)) => {
                let entries: Vec<(Entry, Change)> = due.into_iter().zip(changes).collect();
                let import =
                    NewImport { source: "shipped", note: "product_catalogue/data/catalogue.csv", loaded_by: None };
                self.load_catalogue_entries(&import, &entries).await?;
            }
            Err(errors) => {
                tracing::warn!(
                    misfits = errors.len(),
                    "shipped catalogue entries do not fit the loaded catalogue; left out"
                );
            }
        }
        Ok(())
    }
}
