//! Testing bodies as stored: labs and their scope rows, and the "who can test product X to standard Y" search.

use labs::{Lab, ScopeRow};
use serde::Serialize;
use sqlx::{FromRow, QueryBuilder};

use crate::on_pool;
use crate::store::{now, write_audit, Store};
use crate::StoreError;

/// A scope row as answers show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, utoipa::ToSchema)]
pub struct StoredScope {
    pub lab_uscc: String,
    pub product_code: String,
    pub parameter: String,
    /// The edition cited, `GB 6675.4-2014`.
    pub edition: String,
    /// The standard without its edition, `GB 6675.4`.
    pub standard: String,
    pub clause: String,
    pub method: Option<String>,
    pub limitation: Option<String>,
    pub suspended: bool,
}

#[derive(Debug, FromRow)]
struct LabRow {
    uscc: String,
    name: String,
    cma: Option<String>,
    cnas: Option<String>,
    region_code: String,
}

impl From<LabRow> for Lab {
    fn from(row: LabRow) -> Lab {
        Lab { uscc: row.uscc, name: row.name, cma: row.cma, cnas: row.cnas, region_code: row.region_code }
    }
}

/// What the search looks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeSearch<'a> {
    /// The product's codes (every code that means it).
    pub products: &'a [String],
    /// The standard without edition (`GB 6675.4`), if asked.
    pub standard: Option<&'a str>,
    /// Only these editions (the one asked for); none for any.
    pub editions: Option<&'a [String]>,
    /// Only editions of the standards catalogue in force on this day (`YYYY-MM-DD`).
    pub in_force_on: Option<&'a str>,
    /// A clause prefix (`4.2` finds 4.2 and 4.2.1).
    pub clause: Option<&'a str>,
    /// A region prefix of the lab (`33`, `3301`).
    pub region_prefix: &'a str,
    pub limit: i64,
}

impl Store {
    /// Stores labs and scope rows in one transaction: each lab added or updated; each lab named in `scopes` has
    /// its scope replaced by the rows given.
    pub async fn put_labs(&self, labs: &[Lab], scopes: &[ScopeRow], user_id: Option<i64>) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for lab in labs {
                sqlx::query(
                    "INSERT INTO labs (uscc, name, cma, cnas, region_code, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (uscc) DO UPDATE SET name = excluded.name, cma = excluded.cma, cnas = excluded.cnas, \
                     region_code = excluded.region_code, updated_at = excluded.updated_at",
                )
                .bind(&lab.uscc)
                .bind(&lab.name)
                .bind(&lab.cma)
                .bind(&lab.cnas)
                .bind(&lab.region_code)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
            }
            let mut replaced: Vec<&str> = scopes.iter().map(|s| s.lab.as_str()).collect();
            replaced.sort_unstable();
            replaced.dedup();
            for lab in &replaced {
                sqlx::query("DELETE FROM lab_scopes WHERE lab_uscc = $1").bind(*lab).execute(&mut *tx).await?;
            }
            for chunk in scopes.chunks(500) {
                let mut builder = QueryBuilder::new(
                    "INSERT INTO lab_scopes (lab_uscc, product_code, parameter, edition, standard, clause, method, \
                     limitation, suspended) ",
                );
                builder.push_values(chunk, |mut b, s| {
                    b.push_bind(s.lab.as_str())
                        .push_bind(s.product.as_str())
                        .push_bind(s.parameter.as_str())
                        .push_bind(s.standard.to_string())
                        .push_bind(s.standard.standard())
                        .push_bind(s.clause.as_str())
                        .push_bind(s.method.as_deref())
                        .push_bind(s.limitation.as_deref())
                        .push_bind(s.suspended);
                });
                builder.build().execute(&mut *tx).await?;
            }
            let summary = serde_json::json!({"labs": labs.len(), "scope_rows": scopes.len(), "scopes_replaced": replaced});
            write_audit!(&mut *tx, at, user_id, "lab_import", labs.first().map(|l| l.uscc.clone()).unwrap_or_default(),
                ("upsert", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(())
        })
    }

    /// How many scope rows are stored.
    pub async fn lab_scope_count(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM lab_scopes").fetch_one(pool).await?))
    }

    /// One lab.
    pub async fn lab(&self, uscc: &str) -> Result<Option<Lab>, StoreError> {
        on_pool!(self, pool => {
            let row: Option<LabRow> = sqlx::query_as(
                "SELECT uscc, name, cma, cnas, region_code FROM labs WHERE uscc = $1",
            )
            .bind(uscc)
            .fetch_optional(pool)
            .await?;
            Ok(row.map(Lab::from))
        })
    }

    /// The labs with these USCCs (those registered).
    pub async fn labs_named(&self, usccs: &[String]) -> Result<Vec<Lab>, StoreError> {
        let mut found = Vec::new();
        for chunk in usccs.chunks(400) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql =
                format!("SELECT uscc, name, cma, cnas, region_code FROM labs WHERE uscc IN ({})", marks.join(", "));
            let rows: Vec<LabRow> = on_pool!(self, pool => {
                let mut query = sqlx::query_as(&sql);
                for uscc in chunk {
                    query = query.bind(uscc);
                }
                query.fetch_all(pool).await?
            });
            found.extend(rows.into_iter().map(Lab::from));
        }
        Ok(found)
    }

    /// A lab's scope rows.
    pub async fn lab_scope(&self, uscc: &str) -> Result<Vec<StoredScope>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_as(
            "SELECT lab_uscc, product_code, parameter, edition, standard, clause, method, limitation, suspended \
             FROM lab_scopes WHERE lab_uscc = $1 ORDER BY product_code, standard, clause, id",
        )
        .bind(uscc)
        .fetch_all(pool)
        .await?))
    }

    /// Replaces a campaign's test items, in order, in one transaction.
    pub async fn set_campaign_test_items(
        &self,
        campaign_id: &str,
        items: &[labs::TestItem],
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM campaign_test_items WHERE campaign_id = $1").bind(campaign_id).execute(&mut *tx).await?;
            for (position, item) in items.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO campaign_test_items (campaign_id, position, parameter, edition, clause) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(campaign_id)
                .bind(position as i64)
                .bind(item.parameter.as_str())
                .bind(item.edition.as_str())
                .bind(item.clause.as_str())
                .execute(&mut *tx)
                .await?;
            }
            let summary = serde_json::json!({"test_items": items.len()});
            write_audit!(&mut *tx, at, user_id, "campaign_test_items", campaign_id.to_owned(),
                ("update", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(())
        })
    }

    /// A campaign's test items, in order.
    pub async fn campaign_test_items(&self, campaign_id: &str) -> Result<Vec<labs::TestItem>, StoreError> {
        let rows: Vec<(String, String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT parameter, edition, clause FROM campaign_test_items WHERE campaign_id = $1 ORDER BY position",
        ).bind(campaign_id).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(parameter, edition, clause)| labs::TestItem { parameter, edition, clause }).collect())
    }

    /// Assigns a lab to a campaign (once).
    pub async fn assign_campaign_lab(
        &self,
        campaign_id: &str,
        lab_uscc: &str,
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO campaign_labs (campaign_id, lab_uscc, assigned_at, assigned_by) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (campaign_id, lab_uscc) DO NOTHING",
            )
            .bind(campaign_id)
            .bind(lab_uscc)
            .bind(at.as_str())
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            write_audit!(&mut *tx, at, user_id, "campaign_lab", campaign_id.to_owned(),
                ("insert", None::<String>, Some(lab_uscc.to_owned())));
            tx.commit().await?;
            Ok(())
        })
    }

    /// The labs assigned to a campaign, in USCC order.
    pub async fn campaign_labs(&self, campaign_id: &str) -> Result<Vec<String>, StoreError> {
        on_pool!(self, pool => Ok(sqlx::query_scalar(
            "SELECT lab_uscc FROM campaign_labs WHERE campaign_id = $1 ORDER BY lab_uscc",
        ).bind(campaign_id).fetch_all(pool).await?))
    }

    /// Scope rows that are not suspended and match the search, each with its lab, labs in the region only: one
    /// query, led by the index on product and standard.
    pub async fn search_scopes(&self, search: &ScopeSearch<'_>) -> Result<Vec<(Lab, StoredScope)>, StoreError> {
        if search.products.is_empty() {
            return Ok(Vec::new());
        }
        let mut binds: Vec<String> = Vec::new();
        let mark = |value: String, binds: &mut Vec<String>| {
            binds.push(value);
            format!("${}", binds.len())
        };
        let products: Vec<String> = search.products.iter().map(|p| mark(p.clone(), &mut binds)).collect();
        let mut sql = format!(
            "SELECT s.lab_uscc, s.product_code, s.parameter, s.edition, s.standard, s.clause, s.method, s.limitation, \
             s.suspended, l.uscc, l.name, l.cma, l.cnas, l.region_code FROM lab_scopes s JOIN labs l ON l.uscc = s.lab_uscc \
             WHERE NOT s.suspended AND s.product_code IN ({})",
            products.join(", ")
        );
        if let Some(standard) = search.standard {
            sql.push_str(&format!(" AND s.standard = {}", mark(standard.to_owned(), &mut binds)));
        }
        if let Some(editions) = search.editions {
            let marks: Vec<String> = editions.iter().map(|e| mark(e.clone(), &mut binds)).collect();
            sql.push_str(&format!(
                " AND s.edition IN ({})",
                if marks.is_empty() { "''".to_owned() } else { marks.join(", ") }
            ));
        }
        if let Some(day) = search.in_force_on {
            let (on, until) = (mark(day.to_owned(), &mut binds), mark(day.to_owned(), &mut binds));
            sql.push_str(&format!(
                " AND s.edition IN (SELECT e.number FROM standard_editions e WHERE e.standard = s.standard \
                 AND e.effective_on <= {on} AND (e.ended_on IS NULL OR e.ended_on >= {until}))"
            ));
        }
        if let Some(clause) = search.clause {
            let exact = mark(clause.to_owned(), &mut binds);
            let below = mark(format!("{clause}.%"), &mut binds);
            sql.push_str(&format!(" AND (s.clause = {exact} OR s.clause LIKE {below})"));
        }
        let region = mark(format!("{}%", search.region_prefix), &mut binds);
        sql.push_str(&format!(" AND l.region_code LIKE {region} ORDER BY s.lab_uscc, s.clause LIMIT {}", search.limit));
        if let Some(reader) = &self.direct {
            return reader.lab_search(&sql, &binds);
        }
        let rows: Vec<MatchRow> = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql);
            for bind in &binds {
                query = query.bind(bind);
            }
            query.fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(|row| (Lab::from(row.lab), row.scope)).collect())
    }
}

/// A scope row with its lab, as the search reads them together.
#[derive(Debug, FromRow)]
struct MatchRow {
    #[sqlx(flatten)]
    scope: StoredScope,
    #[sqlx(flatten)]
    lab: LabRow,
}
