//! Production licences as stored: each licence with its products and sites, and every status change with its
//! day (the issue first), read back to answer what a licence was on a past day.

use chrono::NaiveDate;
use licensing::{Licence, LicenceKind, LicenceNumber, LicenceStatus};
use serde::Serialize;
use sqlx::{FromRow, QueryBuilder};

use crate::on_pool;
use crate::store::{now, write_audit, Store};
use crate::{stored, stored_day, StoreError};

/// A licence with where it stands and its history (day and status, oldest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredLicence {
    pub licence: Licence,
    pub status: LicenceStatus,
    pub status_on: NaiveDate,
    pub history: Vec<(NaiveDate, LicenceStatus)>,
}

/// A licence status change as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, utoipa::ToSchema)]
pub struct LicenceChange {
    pub id: i64,
    pub number: String,
    pub to_status: String,
    #[schema(format = Date)]
    pub on_date: String,
    pub reason: String,
    pub recorded_at: String,
}

#[derive(Debug, FromRow)]
struct LicenceRow {
    number: String,
    kind: String,
    holder_uscc: String,
    products: String,
    sites: String,
    issued_by: String,
    issued_on: String,
    expires_on: String,
    status: String,
    status_on: String,
}

const LICENCE_COLUMNS: &str =
    "number, kind, holder_uscc, products, sites, issued_by, issued_on, expires_on, status, status_on";

fn json_list(what: &str, text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Integrity(format!("stored licence {what} '{text}': {e}")))
}

impl LicenceRow {
    fn licence(self, changes: &[LicenceChange]) -> Result<StoredLicence, StoreError> {
        let kind: LicenceKind = stored(&self.kind)?;
        let number = LicenceNumber::parse(kind, &self.number)
            .map_err(|e| StoreError::Integrity(format!("stored licence number: {e}")))?;
        let mut history = Vec::new();
        for change in changes.iter().filter(|c| c.number == self.number) {
            history.push((stored_day("on_date", &change.on_date)?, stored(&change.to_status)?));
        }
        Ok(StoredLicence {
            licence: Licence {
                number,
                holder: self.holder_uscc,
                products: json_list("products", &self.products)?,
                sites: json_list("sites", &self.sites)?,
                issued_by: self.issued_by,
                issued_on: stored_day("issued_on", &self.issued_on)?,
                expires_on: stored_day("expires_on", &self.expires_on)?,
            },
            status: stored(&self.status)?,
            status_on: stored_day("status_on", &self.status_on)?,
            history,
        })
    }
}

const CHANGE_COLUMNS: &str = "id, number, to_status, on_date, reason, recorded_at";

impl Store {
    /// Stores new licences in one transaction, each issued as valid (its first change).
    pub async fn add_licences(&self, licences: &[Licence], user_id: Option<i64>) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in licences.chunks(400) {
                let mut builder = QueryBuilder::new(format!("INSERT INTO licences ({LICENCE_COLUMNS}, created_at) "));
                builder.push_values(chunk, |mut b, l| {
                    b.push_bind(l.number.as_str())
                        .push_bind(l.number.kind().as_str())
                        .push_bind(l.holder.as_str())
                        .push_bind(serde_json::Value::from(l.products.clone()).to_string())
                        .push_bind(serde_json::Value::from(l.sites.clone()).to_string())
                        .push_bind(l.issued_by.as_str())
                        .push_bind(l.issued_on.to_string())
                        .push_bind(l.expires_on.to_string())
                        .push_bind(LicenceStatus::Valid.as_str())
                        .push_bind(l.issued_on.to_string())
                        .push_bind(at.as_str());
                });
                builder.build().execute(&mut *tx).await?;
                let mut builder = QueryBuilder::new(
                    "INSERT INTO licence_changes (number, to_status, on_date, reason, holder_uscc, recorded_at, recorded_by) ",
                );
                builder.push_values(chunk, |mut b, l| {
                    b.push_bind(l.number.as_str())
                        .push_bind(LicenceStatus::Valid.as_str())
                        .push_bind(l.issued_on.to_string())
                        .push_bind("issued")
                        .push_bind(l.holder.as_str())
                        .push_bind(at.as_str())
                        .push_bind(user_id);
                });
                builder.build().execute(&mut *tx).await?;
            }
            let summary = serde_json::json!({"licences": licences.len()});
            write_audit!(&mut *tx, at, user_id, "licence_import", licences.first().map(|l| l.number.to_string()).unwrap_or_default(),
                ("insert", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(())
        })
    }

    /// The stored licences with these numbers.
    pub async fn licences_numbered(&self, numbers: &[String]) -> Result<Vec<StoredLicence>, StoreError> {
        let mut found = Vec::new();
        for chunk in numbers.chunks(400) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let rows = self.licence_rows(&format!("number IN ({})", marks.join(", ")), chunk).await?;
            found.extend(rows);
        }
        Ok(found)
    }

    /// A holder's licences, by number.
    pub async fn licences_of(&self, uscc: &str) -> Result<Vec<StoredLicence>, StoreError> {
        self.licence_rows("holder_uscc = $1", &[uscc.to_owned()]).await
    }

    async fn licence_rows(&self, filter: &str, binds: &[String]) -> Result<Vec<StoredLicence>, StoreError> {
        let sql = format!("SELECT {LICENCE_COLUMNS} FROM licences WHERE {filter} ORDER BY number");
        let changes_sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM licence_changes WHERE number IN (SELECT number FROM licences WHERE {filter}) \
             ORDER BY on_date, id"
        );
        let (rows, changes): (Vec<LicenceRow>, Vec<LicenceChange>) = on_pool!(self, pool => {
            let mut query = sqlx::query_as(&sql);
            let mut changes = sqlx::query_as(&changes_sql);
            for bind in binds {
                query = query.bind(bind);
                changes = changes.bind(bind);
            }
            (query.fetch_all(pool).await?, changes.fetch_all(pool).await?)
        });
        rows.into_iter().map(|row| row.licence(&changes)).collect()
    }

    /// A licence's changes, oldest first.
    pub async fn licence_changes(&self, number: &str) -> Result<Vec<LicenceChange>, StoreError> {
        let sql = format!("SELECT {CHANGE_COLUMNS} FROM licence_changes WHERE number = $1 ORDER BY on_date, id");
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(number).fetch_all(pool).await?))
    }

    /// Records a status change of a licence and its new status.
    pub async fn change_licence_status(
        &self,
        licence: &StoredLicence,
        to: LicenceStatus,
        on: NaiveDate,
        reason: &str,
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        let number = licence.licence.number.as_str();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(
                "UPDATE licences SET status = $2, status_on = $3 WHERE number = $1 AND status = $4",
            )
            .bind(number)
            .bind(to.as_str())
            .bind(on.to_string())
            .bind(licence.status.as_str())
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!("licence {number} changed meanwhile")));
            }
            sqlx::query(
                "INSERT INTO licence_changes (number, to_status, on_date, reason, holder_uscc, recorded_at, recorded_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(number)
            .bind(to.as_str())
            .bind(on.to_string())
            .bind(reason)
            .bind(licence.licence.holder.as_str())
            .bind(&at)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            let change = serde_json::json!({"from": licence.status.as_str(), "to": to.as_str(), "on": on.to_string(), "reason": reason});
            write_audit!(&mut *tx, at, user_id, "licence", number.to_owned(), ("update", None::<String>, Some(change.to_string())));
            tx.commit().await?;
            Ok(())
        })
    }
}
