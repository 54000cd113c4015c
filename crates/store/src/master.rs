//! Master data (主数据): organizations by USCC and products by GTIN: reads, search, single writes with their audit
//! rows, and bulk imports (multi-row upserts on PostgreSQL, the direct writer on SQLite).

use crate::direct::BulkSql;
use crate::search;
use codes::{Gtin, Uscc};
use rusqlite::types::{ToSqlOutput, ValueRef};
use sqlx::{FromRow, QueryBuilder, Row};

use crate::audit::{audit_record, import_record, write_audit};
use crate::model::*;
use crate::search::{prefix_upper_bound, Query};
use crate::store::{now, on_pool, Backend, Store, ROWS_PER_STATEMENT};
use crate::StoreError;

const ORGANIZATION_COLUMNS: &str =
    "uscc, name, region_code, address, legal_representative, entity_type, status, registered_on, created_at, updated_at";
const PRODUCT_COLUMNS: &str = "gtin, name, uscc, category_code, brand, specification, created_at, updated_at";

const UPSERT_ORGANIZATION: &str = "INSERT INTO organizations (uscc, name, region_code, address, legal_representative, \
     entity_type, status, registered_on, search_tokens, created_at, updated_at) ";
const ON_CONFLICT_ORGANIZATION: &str = " ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, \
     region_code = excluded.region_code, address = excluded.address, \
     legal_representative = excluded.legal_representative, entity_type = excluded.entity_type, \
     status = excluded.status, registered_on = excluded.registered_on, search_tokens = excluded.search_tokens, \
     updated_at = excluded.updated_at";
const UPSERT_PRODUCT: &str = "INSERT INTO products (gtin, name, uscc, category_code, brand, specification, \
     search_tokens, created_at, updated_at) ";
const ON_CONFLICT_PRODUCT: &str = " ON CONFLICT (gtin) DO UPDATE SET name = excluded.name, uscc = excluded.uscc, \
     category_code = excluded.category_code, brand = excluded.brand, specification = excluded.specification, \
     search_tokens = excluded.search_tokens, updated_at = excluded.updated_at";

/// Appends `VALUES (…), (…)` for organizations to a query, binding borrowed text (no copies).
macro_rules! push_organizations {
    ($builder:expr, $rows:expr, $at:expr) => {
        $builder.push_values($rows, |mut b, indexed: &Indexed<NewOrganization>| {
            let org = &indexed.record;
            b.push_bind(org.uscc.as_str())
                .push_bind(org.name.as_str())
                .push_bind(org.region_code.as_str())
                .push_bind(org.address.as_deref())
                .push_bind(org.legal_representative.as_deref())
                .push_bind(org.entity_type.as_deref())
                .push_bind(org.status.as_str())
                .push_bind(org.registered_on.as_deref())
                .push_bind(indexed.search_tokens.as_str())
                .push_bind($at.as_str())
                .push_bind($at.as_str());
        })
    };
}

macro_rules! push_products {
    ($builder:expr, $rows:expr, $at:expr) => {
        $builder.push_values($rows, |mut b, indexed: &Indexed<NewProduct>| {
            let product = &indexed.record;
            b.push_bind(product.gtin.as_str())
                .push_bind(product.name.as_str())
                .push_bind(product.uscc.as_str())
                .push_bind(product.category_code.as_deref())
                .push_bind(product.brand.as_deref())
                .push_bind(product.specification.as_deref())
                .push_bind(indexed.search_tokens.as_str())
                .push_bind($at.as_str())
                .push_bind($at.as_str());
        })
    };
}

/// Indexes rows inserted after `$before` (their rowids are larger, as the writer holds the database) in the
/// SQLite full-text table; PostgreSQL's GIN index follows the table by itself.
macro_rules! index_new_rows {
    ($store:expr, $conn:expr, $table:literal, $before:expr) => {
        if matches!($store.backend, Backend::Sqlite(_)) {
            sqlx::query(concat!(
                "INSERT INTO ",
                $table,
                "_fts(rowid, search_tokens) SELECT rowid, search_tokens FROM ",
                $table,
                " WHERE rowid > $1"
            ))
            .bind($before)
            .execute($conn)
            .await?;
        }
    };
}

/// The largest rowid of a SQLite table, the mark for `index_new_rows!`; 0 on PostgreSQL, which has none.
macro_rules! rowid_mark {
    ($store:expr, $conn:expr, $table:literal) => {
        if matches!($store.backend, Backend::Sqlite(_)) {
            sqlx::query_scalar::<_, i64>(concat!("SELECT COALESCE(MAX(rowid), 0) FROM ", $table))
                .fetch_one($conn)
                .await?
        } else {
            0
        }
    };
}

/// Upserts rows in multi-row statements inside the caller's transaction and indexes the new ones.
macro_rules! upsert_rows {
    ($store:expr, $tx:expr, $table:literal, $insert:expr, $on_conflict:expr, $push:ident, $rows:expr, $at:expr) => {{
        let mark = rowid_mark!($store, &mut *$tx, $table);
        for chunk in $rows.chunks(ROWS_PER_STATEMENT) {
            let mut builder = QueryBuilder::new($insert);
            $push!(builder, chunk, $at);
            builder.push($on_conflict);
            builder.build().execute(&mut *$tx).await?;
        }
        index_new_rows!($store, &mut *$tx, $table, mark);
    }};
}

/// Keys per `IN (…)` list, under both backends' parameter limits.
const KEYS_PER_QUERY: usize = 10_000;

/// Which of `keys` already exist in `table.column`, asked in lists of `KEYS_PER_QUERY`.
macro_rules! existing_keys {
    ($conn:expr, $table:literal, $column:literal, $keys:expr) => {{
        let mut found = std::collections::HashSet::new();
        for chunk in $keys.chunks(KEYS_PER_QUERY) {
            let mut builder =
                QueryBuilder::new(concat!("SELECT ", $column, " FROM ", $table, " WHERE ", $column, " IN ("));
            let mut separated = builder.separated(", ");
            for key in chunk {
                separated.push_bind(key.clone());
            }
            separated.push_unseparated(")");
            for row in builder.build().fetch_all($conn).await? {
                found.insert(row.try_get::<String, _>(0)?);
            }
        }
        found
    }};
}

impl Store {
    /// Number of organizations.
    pub async fn count_organizations(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM organizations").fetch_one(pool).await?))
    }

    /// Number of products.
    pub async fn count_products(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM products").fetch_one(pool).await?))
    }

    /// One organization by USCC.
    pub async fn organization(&self, uscc: &Uscc) -> Result<Option<Organization>, StoreError> {
        let sql = format!("SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE uscc = $1");
        let uscc = uscc.as_str();
        if let Some(reader) = &self.direct {
            return reader.organization(&sql, uscc);
        }
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(uscc).fetch_optional(pool).await?))
    }

    /// One product by GTIN, in any of its lengths (products are stored under the 14-digit form).
    pub async fn product(&self, gtin: &Gtin) -> Result<Option<Product>, StoreError> {
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE gtin = $1");
        let gtin = gtin.to_gtin14();
        let gtin = gtin.as_str();
        if let Some(reader) = &self.direct {
            return reader.product(&sql, gtin);
        }
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(gtin).fetch_optional(pool).await?))
    }

    /// Products of one producer, in GTIN order.
    pub async fn products_of(&self, uscc: &Uscc, limit: i64) -> Result<Vec<Product>, StoreError> {
        let sql = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE uscc = $1 ORDER BY gtin LIMIT $2");
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(uscc.as_str()).bind(limit).fetch_all(pool).await?))
    }

    /// Searches organizations by name words (Chinese segmentation) within a region prefix, in USCC order,
    /// from after `cursor`.
    pub async fn search_organizations(
        &self,
        query: &str,
        region_prefix: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Organization>, StoreError> {
        let items =
            self.search("organizations", "uscc", ORGANIZATION_COLUMNS, query, region_prefix, cursor, limit).await?;
        Ok(page(items, limit, |o: &Organization| o.uscc.clone()))
    }

    /// Searches products by name and brand words, in GTIN order, from after `cursor`.
    pub async fn search_products(
        &self,
        query: &str,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Page<Product>, StoreError> {
        let items = self.search("products", "gtin", PRODUCT_COLUMNS, query, None, cursor, limit).await?;
        Ok(page(items, limit, |p: &Product| p.gtin.clone()))
    }

    #[allow(clippy::too_many_arguments)]
    async fn search<T>(
        &self,
        table: &str,
        key: &str,
        columns: &str,
        query: &str,
        region_prefix: Option<&str>,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<Vec<T>, StoreError>
    where
        T: for<'r> FromRow<'r, sqlx::sqlite::SqliteRow> + for<'r> FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin,
    {
        let tokens = search::query_tokens(query);
        if !query.trim().is_empty() && tokens.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = Query::new(format!("SELECT {columns} FROM {table} WHERE 1 = 1"));
        if !tokens.is_empty() {
            query.text_match(table, &tokens);
        }
        if let Some(prefix) = region_prefix {
            query.push(" AND region_code >= ").bind_text(prefix);
            if let Some(upper) = prefix_upper_bound(prefix) {
                query.push(" AND region_code < ").bind_text(upper);
            }
        }
        if let Some(cursor) = cursor {
            query.push(format!(" AND {key} > ")).bind_text(cursor);
        }
        query.push(format!(" ORDER BY {key} LIMIT ")).bind_int(limit as i64 + 1);
        Ok(on_pool!(self, pool => query.builder().build_query_as().fetch_all(pool).await?))
    }

    /// Inserts or updates one organization and records the write in the audit log, atomically.
    pub async fn upsert_organization(
        &self,
        org: &NewOrganization,
        user_id: Option<i64>,
    ) -> Result<WriteOutcome, StoreError> {
        let select = format!("SELECT {ORGANIZATION_COLUMNS} FROM organizations WHERE uscc = $1");
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let before: Option<Organization> = sqlx::query_as(&select).bind(org.uscc.as_str()).fetch_optional(&mut *tx).await?;
            let rows = [Indexed::from(org.clone())];
            upsert_rows!(self, tx, "organizations", UPSERT_ORGANIZATION, ON_CONFLICT_ORGANIZATION, push_organizations, rows, at);
            let after: Option<Organization> = sqlx::query_as(&select).bind(org.uscc.as_str()).fetch_optional(&mut *tx).await?;
            let outcome = if before.is_some() { WriteOutcome::Updated } else { WriteOutcome::Inserted };
            write_audit!(&mut *tx, at, user_id, "organization", org.uscc.to_string(), audit_record(outcome, &before, &after)?);
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Inserts or updates one product (its producer must exist) and audits the write, atomically.
    pub async fn upsert_product(&self, product: &NewProduct, user_id: Option<i64>) -> Result<WriteOutcome, StoreError> {
        let select = format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE gtin = $1");
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let producer: Option<String> = sqlx::query_scalar("SELECT uscc FROM organizations WHERE uscc = $1")
                .bind(product.uscc.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if producer.is_none() {
                return Err(StoreError::MissingReference { kind: "organization", key: product.uscc.to_string() });
            }
            let before: Option<Product> = sqlx::query_as(&select).bind(product.gtin.as_str()).fetch_optional(&mut *tx).await?;
            let rows = [Indexed::from(product.clone())];
            upsert_rows!(self, tx, "products", UPSERT_PRODUCT, ON_CONFLICT_PRODUCT, push_products, rows, at);
            let after: Option<Product> = sqlx::query_as(&select).bind(product.gtin.as_str()).fetch_optional(&mut *tx).await?;
            let outcome = if before.is_some() { WriteOutcome::Updated } else { WriteOutcome::Inserted };
            write_audit!(&mut *tx, at, user_id, "product", product.gtin.to_string(), audit_record(outcome, &before, &after)?);
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Imports one batch of organizations in one transaction: all of it commits or none of it does. The batch
    /// must not repeat a USCC. One audit entry records the batch.
    pub async fn import_organizations(
        &self,
        batch: Vec<Indexed<NewOrganization>>,
        user_id: Option<i64>,
    ) -> Result<BatchOutcome, StoreError> {
        let at = now();
        if let Some(direct) = self.direct.clone() {
            let sql =
                bulk_sql("organizations", "organization", "uscc", UPSERT_ORGANIZATION, ON_CONFLICT_ORGANIZATION, 11);
            let write = move || {
                direct.write_batch(
                    &sql,
                    &batch,
                    |o: &NewOrganization| o.uscc.as_str(),
                    organization_params,
                    (&at, user_id),
                )
            };
            return tokio::task::spawn_blocking(write).await.expect("bulk writer panicked");
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let keys: Vec<String> = batch.iter().map(|o| o.record.uscc.to_string()).collect();
            let existing = existing_keys!(&mut *tx, "organizations", "uscc", &keys);
            upsert_rows!(self, tx, "organizations", UPSERT_ORGANIZATION, ON_CONFLICT_ORGANIZATION, push_organizations, batch, at);
            let outcome = BatchOutcome { inserted: (batch.len() - existing.len()) as u64, updated: existing.len() as u64 };
            write_audit!(&mut *tx, at, user_id, "organization", format!("batch of {}", batch.len()), import_record(batch.len(), outcome));
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Imports one batch of products in one transaction; every producer must exist (else nothing is written
    /// and the missing USCC is named).
    pub async fn import_products(
        &self,
        batch: Vec<Indexed<NewProduct>>,
        user_id: Option<i64>,
    ) -> Result<BatchOutcome, StoreError> {
        let at = now();
        let producers: Vec<String> = batch.iter().map(|p| p.record.uscc.to_string()).collect();
        let known = self.existing_organizations(&producers).await?;
        if let Some(missing) = producers.into_iter().find(|u| !known.contains(u)) {
            return Err(StoreError::MissingReference { kind: "organization", key: missing });
        }
        if let Some(direct) = self.direct.clone() {
            let sql = bulk_sql("products", "product", "gtin", UPSERT_PRODUCT, ON_CONFLICT_PRODUCT, 9);
            let write = move || {
                direct.write_batch(&sql, &batch, |p: &NewProduct| p.gtin.as_str(), product_params, (&at, user_id))
            };
            return tokio::task::spawn_blocking(write).await.expect("bulk writer panicked");
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let keys: Vec<String> = batch.iter().map(|p| p.record.gtin.to_string()).collect();
            let existing = existing_keys!(&mut *tx, "products", "gtin", &keys);
            upsert_rows!(self, tx, "products", UPSERT_PRODUCT, ON_CONFLICT_PRODUCT, push_products, batch, at);
            let outcome = BatchOutcome { inserted: (batch.len() - existing.len()) as u64, updated: existing.len() as u64 };
            write_audit!(&mut *tx, at, user_id, "product", format!("batch of {}", batch.len()), import_record(batch.len(), outcome));
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Which of these USCCs exist (for import pre-checks).
    pub async fn existing_organizations(
        &self,
        usccs: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        if usccs.is_empty() {
            return Ok(Default::default());
        }
        on_pool!(self, pool => Ok(existing_keys!(pool, "organizations", "uscc", usccs)))
    }

    /// Which of these tracking numbers are taken.
    pub async fn existing_tracking_numbers(
        &self,
        numbers: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        if numbers.is_empty() {
            return Ok(Default::default());
        }
        on_pool!(self, pool => Ok(existing_keys!(pool, "complaints", "tracking_number", numbers)))
    }

    /// Recomputes every row's search tokens and rebuilds the full-text index from them.
    pub async fn rebuild_search_index(&self) -> Result<u64, StoreError> {
        let mut count = 0;
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let orgs: Vec<(String, String)> = sqlx::query_as("SELECT uscc, name FROM organizations").fetch_all(&mut *tx).await?;
            for (uscc, name) in orgs {
                sqlx::query("UPDATE organizations SET search_tokens = $1 WHERE uscc = $2")
                    .bind(search::organization_tokens(&name))
                    .bind(uscc)
                    .execute(&mut *tx)
                    .await?;
                count += 1;
            }
            let products: Vec<(String, String, Option<String>)> =
                sqlx::query_as("SELECT gtin, name, brand FROM products").fetch_all(&mut *tx).await?;
            for (gtin, name, brand) in products {
                let tokens = search::product_tokens(&name, brand.as_deref());
                sqlx::query("UPDATE products SET search_tokens = $1 WHERE gtin = $2").bind(tokens).bind(gtin).execute(&mut *tx).await?;
                count += 1;
            }
            if matches!(self.backend, Backend::Sqlite(_)) {
                sqlx::query("INSERT INTO organizations_fts(organizations_fts) VALUES ('rebuild')").execute(&mut *tx).await?;
                sqlx::query("INSERT INTO products_fts(products_fts) VALUES ('rebuild')").execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok::<(), StoreError>(())
        })?;
        Ok(count)
    }
}

fn page<T>(mut items: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Page<T> {
    let next_cursor = if items.len() > limit {
        items.truncate(limit);
        items.last().map(key)
    } else {
        None
    };
    Page { items, next_cursor }
}

/// The SQL of a direct SQLite bulk batch for a table: numbered parameters `?1…?n` in column order.
fn bulk_sql(
    table: &'static str,
    kind: &'static str,
    key: &str,
    insert: &str,
    on_conflict: &str,
    columns: usize,
) -> BulkSql {
    let placeholders: Vec<String> = (1..=columns).map(|i| format!("?{i}")).collect();
    BulkSql {
        table,
        kind,
        exists: format!("SELECT 1 FROM {table} WHERE {key} = ?1"),
        insert: format!("{insert}VALUES ({})", placeholders.join(", ")),
        upsert: format!("{insert}VALUES ({}){on_conflict}", placeholders.join(", ")),
        index_new: format!(
            "INSERT INTO {table}_fts(rowid, search_tokens) SELECT rowid, search_tokens FROM {table} WHERE rowid > ?1"
        ),
    }
}

/// Borrowed text as a SQLite parameter, without a copy.
fn text(value: &str) -> ToSqlOutput<'_> {
    ToSqlOutput::Borrowed(ValueRef::Text(value.as_bytes()))
}

/// Optional borrowed text as a SQLite parameter, NULL when absent.
fn optional_text(value: &Option<String>) -> ToSqlOutput<'_> {
    value.as_deref().map_or(ToSqlOutput::Borrowed(ValueRef::Null), text)
}

fn organization_params<'a>(row: &'a Indexed<NewOrganization>, at: &'a str) -> Vec<ToSqlOutput<'a>> {
    let o = &row.record;
    vec![
        text(o.uscc.as_str()),
        text(&o.name),
        text(o.region_code.as_str()),
        optional_text(&o.address),
        optional_text(&o.legal_representative),
        optional_text(&o.entity_type),
        text(o.status.as_str()),
        optional_text(&o.registered_on),
        text(&row.search_tokens),
        text(at),
        text(at),
    ]
}

fn product_params<'a>(row: &'a Indexed<NewProduct>, at: &'a str) -> Vec<ToSqlOutput<'a>> {
    let p = &row.record;
    vec![
        text(p.gtin.as_str()),
        text(&p.name),
        text(p.uscc.as_str()),
        optional_text(&p.category_code),
        optional_text(&p.brand),
        optional_text(&p.specification),
        text(&row.search_tokens),
        text(at),
        text(at),
    ]
}
