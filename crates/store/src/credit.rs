//! Credit lists with due process: listings and their step history. A step that publishes or ends a public
//! listing writes its public-log entry in the same transaction.

use serde::Serialize;
use sqlx::FromRow;

use crate::error::{stored, stored_day, stored_optional_day};
use crate::on_pool;
use crate::public_log::{append_in, NewEntry};
use crate::store::{now, Store};
use crate::StoreError;

/// A listing as stored.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow, utoipa::ToSchema)]
#[schema(as = CreditListing)]
pub struct Listing {
    pub id: String,
    /// serious_violation (严重违法失信名单) | abnormal_operations (经营异常名录)
    pub list: String,
    pub uscc: String,
    pub organization_name: String,
    pub region_code: String,
    pub grounds: String,
    pub legal_basis: String,
    pub penalty_ref: Option<String>,
    /// proposed | notified | decided | published | removed | dropped
    pub status: String,
    pub proposed_on: String,
    pub notified_on: Option<String>,
    /// The last day for the enterprise's statement or hearing request.
    pub statement_by: Option<String>,
    pub hearing_requested: bool,
    pub decided_on: Option<String>,
    pub published_on: Option<String>,
    pub expires_on: Option<String>,
    pub removed_on: Option<String>,
    /// period_ended | repaired | obligation_met | revoked
    pub removal_reason: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// What a proposal names; the rest of a listing follows from its due process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: String,
    pub list: String,
    pub uscc: String,
    pub organization_name: String,
    pub region_code: String,
    pub grounds: String,
    pub legal_basis: String,
    pub penalty_ref: Option<String>,
    pub proposed_on: String,
}

impl Listing {
    /// A listing as proposed, before any other step.
    pub fn proposed(proposal: Proposal) -> Listing {
        Listing {
            id: proposal.id,
            list: proposal.list,
            uscc: proposal.uscc,
            organization_name: proposal.organization_name,
            region_code: proposal.region_code,
            grounds: proposal.grounds,
            legal_basis: proposal.legal_basis,
            penalty_ref: proposal.penalty_ref,
            status: credit::listing::ListingStatus::Proposed.as_str().to_owned(),
            proposed_on: proposal.proposed_on,
            notified_on: None,
            statement_by: None,
            hearing_requested: false,
            decided_on: None,
            published_on: None,
            expires_on: None,
            removed_on: None,
            removal_reason: None,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    /// The due process's view of the listing, for `credit::listing`; a stored value that does not read is an
    /// integrity fault.
    pub fn case(&self) -> Result<credit::listing::ListingCase, StoreError> {
        let what = |field: &str| format!("listing {} {field}", self.id);
        Ok(credit::listing::ListingCase {
            list: self.list.clone(),
            status: stored(&self.status)?,
            proposed_on: stored_day(&what("proposed_on"), &self.proposed_on)?,
            notified_on: stored_optional_day(&what("notified_on"), &self.notified_on)?,
            statement_by: stored_optional_day(&what("statement_by"), &self.statement_by)?,
            hearing_requested: self.hearing_requested,
            decided_on: stored_optional_day(&what("decided_on"), &self.decided_on)?,
            published_on: stored_optional_day(&what("published_on"), &self.published_on)?,
            expires_on: stored_optional_day(&what("expires_on"), &self.expires_on)?,
            removed_on: stored_optional_day(&what("removed_on"), &self.removed_on)?,
            removal_reason: self.removal_reason.as_deref().map(stored).transpose()?,
        })
    }

    /// Takes the due process's fields from a case.
    pub fn apply(&mut self, case: &credit::listing::ListingCase) {
        let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
        self.status = case.status.as_str().to_owned();
        self.proposed_on = case.proposed_on.to_string();
        self.notified_on = day(case.notified_on);
        self.statement_by = day(case.statement_by);
        self.hearing_requested = case.hearing_requested;
        self.decided_on = day(case.decided_on);
        self.published_on = day(case.published_on);
        self.expires_on = day(case.expires_on);
        self.removed_on = day(case.removed_on);
        self.removal_reason = case.removal_reason.map(|r| r.as_str().to_owned());
    }
}

const COLUMNS: &str = "id, list, uscc, organization_name, region_code, grounds, legal_basis, penalty_ref, status, \
    proposed_on, notified_on, statement_by, hearing_requested, decided_on, published_on, expires_on, removed_on, \
    removal_reason, created_at, updated_at";

/// One step of a listing's history.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct ListingEvent {
    pub stage: String,
    pub on_date: String,
    pub at: String,
    pub user_id: Option<i64>,
    pub note: Option<String>,
    /// The public-log entry the step wrote, if it was a public one.
    pub log_index: Option<i64>,
}

/// A step to record: its name, business date, note, and the public-log entry it publishes, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct ListingStep {
    pub stage: String,
    pub on_date: String,
    pub note: Option<String>,
    pub public: Option<NewEntry>,
}

impl Store {
    /// Records a proposal.
    pub async fn propose_listing(
        &self,
        listing: &Listing,
        step: &ListingStep,
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(&format!(
                "INSERT INTO credit_listings ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
                 $15, $16, $17, $18, $19, $19)"
            ))
            .bind(&listing.id)
            .bind(&listing.list)
            .bind(&listing.uscc)
            .bind(&listing.organization_name)
            .bind(&listing.region_code)
            .bind(&listing.grounds)
            .bind(&listing.legal_basis)
            .bind(&listing.penalty_ref)
            .bind(&listing.status)
            .bind(&listing.proposed_on)
            .bind(&listing.notified_on)
            .bind(&listing.statement_by)
            .bind(listing.hearing_requested)
            .bind(&listing.decided_on)
            .bind(&listing.published_on)
            .bind(&listing.expires_on)
            .bind(&listing.removed_on)
            .bind(&listing.removal_reason)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO credit_listing_events (listing_id, stage, on_date, at, user_id, note) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&listing.id)
                .bind(&step.stage)
                .bind(&step.on_date)
                .bind(&at)
                .bind(user_id)
                .bind(&step.note)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A listing.
    pub async fn listing(&self, id: &str) -> Result<Option<Listing>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM credit_listings WHERE id = $1");
        on_pool!(self, pool => { Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?) })
    }

    /// A listing's history, oldest first.
    pub async fn listing_events(&self, id: &str) -> Result<Vec<ListingEvent>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT stage, on_date, at, user_id, note, log_index FROM credit_listing_events WHERE listing_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Saves a step: the listing as changed from `previous` (refused if it changed since it was read), the
    /// history entry, and the public-log entry of a public step, all in one transaction. Returns the log index.
    pub async fn step_listing(
        &self,
        previous: &Listing,
        changed: &Listing,
        step: &ListingStep,
        user_id: Option<i64>,
    ) -> Result<Option<i64>, StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE credit_listings SET status = $1, notified_on = $2, statement_by = $3, hearing_requested = $4, \
                 decided_on = $5, published_on = $6, expires_on = $7, removed_on = $8, removal_reason = $9, updated_at = $10 \
                 WHERE id = $11 AND updated_at = $12",
            )
            .bind(&changed.status)
            .bind(&changed.notified_on)
            .bind(&changed.statement_by)
            .bind(changed.hearing_requested)
            .bind(&changed.decided_on)
            .bind(&changed.published_on)
            .bind(&changed.expires_on)
            .bind(&changed.removed_on)
            .bind(&changed.removal_reason)
            .bind(&at)
            .bind(&previous.id)
            .bind(&previous.updated_at)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!("listing {} changed since it was read; reload and try again", previous.id)));
            }
            let log_index = match &step.public {
                Some(entry) => append_in!(tx, std::slice::from_ref(entry)).first().copied(),
                None => None,
            };
            sqlx::query(
                "INSERT INTO credit_listing_events (listing_id, stage, on_date, at, user_id, note, log_index) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&previous.id)
            .bind(&step.stage)
            .bind(&step.on_date)
            .bind(&at)
            .bind(user_id)
            .bind(&step.note)
            .bind(log_index)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
                 VALUES ($1, $2, $3, 'credit_listing', $4, $5, $6)",
            )
            .bind(&at)
            .bind(user_id)
            .bind(&step.stage)
            .bind(&previous.id)
            .bind(&previous.status)
            .bind(&changed.status)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(log_index)
        })
    }

    /// Listings, newest first: of one organization, of one list, only public ones (published or removed after
    /// publication), and with a name or USCC containing `text`.
    pub async fn listings(
        &self,
        uscc: Option<&str>,
        list: Option<&str>,
        public_only: bool,
        text: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Listing>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM credit_listings WHERE 1 = 1");
        if uscc.is_some() {
            sql.push_str(" AND uscc = $1");
        } else {
            sql.push_str(" AND $1 = ''");
        }
        sql.push_str(if list.is_some() { " AND list = $2" } else { " AND $2 = ''" });
        if public_only {
            sql.push_str(" AND published_on IS NOT NULL");
        }
        sql.push_str(if text.is_some() { " AND (organization_name LIKE $3 OR uscc LIKE $3)" } else { " AND $3 = ''" });
        sql.push_str(" ORDER BY proposed_on DESC, id DESC LIMIT $4");
        let pattern = text.map(|t| format!("%{}%", t.replace(['%', '_'], ""))).unwrap_or_default();
        on_pool!(self, pool => {
            Ok(sqlx::query_as(&sql)
                .bind(uscc.unwrap_or(""))
                .bind(list.unwrap_or(""))
                .bind(pattern)
                .bind(limit)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Notified listings whose statement period ends on or after `from`: those a newly loaded calendar year may move.
    pub async fn listings_due_from(&self, from: &str) -> Result<Vec<Listing>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM credit_listings WHERE status = 'notified' AND statement_by >= $1 ORDER BY id"
        );
        on_pool!(self, pool => { Ok(sqlx::query_as(&sql).bind(from).fetch_all(pool).await?) })
    }

    /// Published listings whose period has ended on or before `today` and that are still on the list.
    pub async fn expired_listings(&self, today: &str) -> Result<Vec<Listing>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM credit_listings WHERE status = 'published' AND expires_on <= $1 ORDER BY id"
        );
        on_pool!(self, pool => { Ok(sqlx::query_as(&sql).bind(today).fetch_all(pool).await?) })
    }
}
