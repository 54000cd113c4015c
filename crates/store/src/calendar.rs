//! The working-day calendar's data: each year's holiday notice as loaded (the shipped notices first), and the
//! deadlines that moved when a year was loaded, for the handling regulators to see.

use serde::Serialize;
use sqlx::FromRow;

use crate::on_pool;
use crate::store::{now, write_audit, Store};
use crate::StoreError;

/// A year's notice as stored: the holiday-cn JSON text, where it came from and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow)]
pub struct CalendarYear {
    pub year: i32,
    pub notice: String,
    /// shipped (with the program) | loaded (by an administrator)
    pub source: String,
    pub loaded_at: String,
    pub loaded_by: Option<i64>,
}

rulekit::text_enum! {
    /// The kind of case a moved deadline belongs to.
    pub enum Subject ("deadline subject") {
        Complaint = "complaint" ("投诉举报", "complaint"),
        Recall = "recall" ("缺陷产品召回", "recall"),
        CreditListing = "credit_listing" ("信用名单", "credit listing"),
    }
}

/// A deadline a calendar load moved, as its handler is told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, FromRow, utoipa::ToSchema)]
pub struct DeadlineChange {
    pub id: i64,
    /// complaint, recall or credit_listing.
    #[sqlx(try_from = "String")]
    #[schema(value_type = String)]
    pub subject_kind: Subject,
    pub subject_id: String,
    /// The region whose regulators handle the case.
    pub region_code: String,
    /// Which deadline (e.g. `mediation_by`, `plan`, `statement_by`).
    pub deadline: String,
    /// The due day before the load (empty when none was set).
    pub old_due: String,
    /// The due day on the loaded calendar.
    pub new_due: String,
    pub calendar_year: i32,
    pub created_at: String,
    pub seen_at: Option<String>,
    pub seen_by: Option<i64>,
}

/// A moved deadline to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeadlineChange {
    pub subject_kind: Subject,
    pub subject_id: String,
    pub region_code: String,
    pub deadline: String,
    pub old_due: String,
    pub new_due: String,
    pub calendar_year: i32,
}

const CHANGE_COLUMNS: &str =
    "id, subject_kind, subject_id, region_code, deadline, old_due, new_due, calendar_year, created_at, seen_at, seen_by";

impl Store {
    /// Every loaded year's notice, by year.
    pub async fn calendar_years(&self) -> Result<Vec<CalendarYear>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as("SELECT year, notice, source, loaded_at, loaded_by FROM calendar_years ORDER BY year")
                .fetch_all(pool)
                .await?)
        })
    }

    /// Stores the shipped notices of the years not stored yet (an administrator's later load is never
    /// overwritten). Returns how many years were added.
    pub async fn seed_calendar_years(&self, notices: &[(i32, String)]) -> Result<u64, StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut added = 0;
            for (year, notice) in notices {
                added += sqlx::query(
                    "INSERT INTO calendar_years (year, notice, source, loaded_at) VALUES ($1, $2, 'shipped', $3) \
                     ON CONFLICT (year) DO NOTHING",
                )
                .bind(year)
                .bind(notice)
                .bind(&at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            Ok(added)
        })
    }

    /// Stores a year's notice an administrator loaded, replacing the year's earlier one. Audited with both texts.
    pub async fn put_calendar_year(&self, year: i32, notice: &str, user_id: Option<i64>) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let before: Option<String> = sqlx::query_scalar("SELECT notice FROM calendar_years WHERE year = $1")
                .bind(year)
                .fetch_optional(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO calendar_years (year, notice, source, loaded_at, loaded_by) VALUES ($1, $2, 'loaded', $3, $4) \
                 ON CONFLICT (year) DO UPDATE SET notice = excluded.notice, source = excluded.source, \
                 loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by",
            )
            .bind(year)
            .bind(notice)
            .bind(&at)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            let action = if before.is_some() { "update" } else { "insert" };
            write_audit!(&mut *tx, at, user_id, "calendar_year", year.to_string(), (action, before, Some(notice.to_owned())));
            tx.commit().await?;
            Ok(())
        })
    }

    /// Records a moved deadline for its handlers.
    pub async fn record_deadline_change(&self, change: &NewDeadlineChange) -> Result<i64, StoreError> {
        let at = now();
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "INSERT INTO deadline_changes (subject_kind, subject_id, region_code, deadline, old_due, new_due, \
                 calendar_year, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(change.subject_kind.as_str())
            .bind(&change.subject_id)
            .bind(&change.region_code)
            .bind(&change.deadline)
            .bind(&change.old_due)
            .bind(&change.new_due)
            .bind(change.calendar_year)
            .bind(&at)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Moved deadlines of cases handled under `region_prefix` (all for the empty prefix), newest first; only the
    /// ones nobody has marked seen when `unseen_only`.
    pub async fn deadline_changes(
        &self,
        region_prefix: &str,
        unseen_only: bool,
        limit: i64,
    ) -> Result<Vec<DeadlineChange>, StoreError> {
        let unseen = if unseen_only { " AND seen_at IS NULL" } else { "" };
        let sql = format!(
            "SELECT {CHANGE_COLUMNS} FROM deadline_changes WHERE region_code LIKE $1{unseen} ORDER BY id DESC LIMIT $2"
        );
        on_pool!(self, pool => {
            Ok(sqlx::query_as(&sql).bind(format!("{region_prefix}%")).bind(limit).fetch_all(pool).await?)
        })
    }

    /// A moved deadline by id.
    pub async fn deadline_change(&self, id: i64) -> Result<Option<DeadlineChange>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(&format!("SELECT {CHANGE_COLUMNS} FROM deadline_changes WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Marks a moved deadline seen by a handler (the first mark stands).
    pub async fn mark_deadline_change_seen(&self, id: i64, user_id: i64) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            sqlx::query("UPDATE deadline_changes SET seen_at = $1, seen_by = $2 WHERE id = $3 AND seen_at IS NULL")
                .bind(&at)
                .bind(user_id)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }
}
