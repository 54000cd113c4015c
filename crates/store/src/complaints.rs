//! Complaints, reports and enquiries (投诉举报咨询): the filing with its tracking number and the secret's hash, the
//! step history, the regulators' work queue by deadline, and the counts that statistics and signals use.
//!
//! The deadline rules live with the server; this module stores the state they produce, and refuses a step whose
//! complaint has changed since it was read, so two clerks never overwrite each other.

use serde::Serialize;
use serde_json::Value;
use sqlx::{FromRow, Row};

use crate::on_pool;
use crate::store::{now, token_hash, Store};
use crate::StoreError;
use complaints::RewardStatus;

/// One filing to write. No `Debug`: it holds the secret.
#[derive(Clone)]
struct Filing {
    complaint: Complaint,
    secret: String,
    steps: Vec<ComplaintStep>,
    user_id: Option<i64>,
}

type Reply = tokio::sync::oneshot::Sender<Result<i64, StoreError>>;

/// Filings waiting for a commit, and the lock whose holder commits them all.
#[derive(Default)]
pub(crate) struct GroupCommit {
    queue: std::sync::Mutex<Vec<(Filing, Reply)>>,
    writer: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let waiting = self.queue.lock().map(|q| q.len()).unwrap_or(0);
        f.debug_struct("GroupCommit").field("waiting", &waiting).finish()
    }
}

/// A complaint, report or enquiry as stored. Personal data are here in full: views mask them.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct Complaint {
    pub id: i64,
    pub tracking_number: String,
    /// complaint (投诉) | report (举报) | enquiry (咨询)
    pub kind: String,
    /// web | api | import
    pub channel: String,
    /// The filing this one was split from (a complaint that also reports a violation, Art 7).
    pub parent_id: Option<i64>,
    /// YYYY-MM-DD: the day of receipt, which the deadlines do not count.
    pub received_on: String,
    pub anonymous: bool,
    pub submitter_name: Option<String>,
    pub submitter_phone: Option<String>,
    pub submitter_id_number: Option<String>,
    pub submitter_address: Option<String>,
    pub respondent_name: String,
    pub respondent_uscc: Option<String>,
    pub respondent_address: Option<String>,
    /// The respondent's (or, for a report, the act's) region: GB/T 2260.
    pub region_code: String,
    /// How the region was found (JSON).
    pub routing: String,
    pub product_gtin: Option<String>,
    pub product_lot: Option<String>,
    pub product_name: Option<String>,
    /// Product category code and issue type, as classified or corrected.
    pub category: Option<String>,
    pub issue: Option<String>,
    /// The classifier's evidence and any correction (JSON).
    pub classification: String,
    pub facts: String,
    pub request: Option<String>,
    /// When the consumer knew of the harm (the three-year rule).
    pub harm_known_on: Option<String>,
    /// The regulator with jurisdiction now (GB/T 2260).
    pub handling_region: String,
    pub status: String,
    /// The day the acceptance clock counts from: receipt, or the referral to this regulator.
    pub accept_base_on: String,
    pub accepted_on: Option<String>,
    pub decided_on: Option<String>,
    pub closed_on: Option<String>,
    /// Mediation paused for testing since this day.
    pub suspended_since: Option<String>,
    /// Working days of finished suspensions, which the mediation limit does not count.
    pub suspended_days: i64,
    /// Whether the report's verification period was extended (once, by 15 working days).
    pub extended: bool,
    /// The deadline now running, if any, and what it is for.
    pub due_kind: Option<String>,
    pub due_on: Option<String>,
    pub outcome: Option<String>,
    /// The legal ground of a refusal or termination, as a code.
    pub ground: Option<String>,
    pub enterprise_response: Option<String>,
    pub rating: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

use crate::error::{stored, stored_day, stored_optional_day};

impl Complaint {
    /// The workflow's view of the filing, for the rules of `complaints`; a stored value that does not read is an
    /// integrity fault.
    pub fn case(&self) -> Result<complaints::Case, StoreError> {
        Ok(complaints::Case {
            kind: stored(&self.kind)?,
            status: stored(&self.status)?,
            anonymous: self.anonymous,
            extended: self.extended,
            handling_region: self.handling_region.clone(),
            received_on: stored_day("complaint received_on", &self.received_on)?,
            harm_known_on: stored_optional_day("complaint harm_known_on", &self.harm_known_on)?,
            accept_base_on: stored_day("complaint accept_base_on", &self.accept_base_on)?,
            accepted_on: stored_optional_day("complaint accepted_on", &self.accepted_on)?,
            decided_on: stored_optional_day("complaint decided_on", &self.decided_on)?,
            closed_on: stored_optional_day("complaint closed_on", &self.closed_on)?,
            suspended_since: stored_optional_day("complaint suspended_since", &self.suspended_since)?,
            suspended_days: self.suspended_days,
            outcome: self.outcome.as_deref().map(stored).transpose()?,
            ground: self.ground.clone(),
            category: self.category.clone(),
            issue: self.issue.clone(),
            enterprise_response: self.enterprise_response.clone(),
            rating: self.rating,
        })
    }

    /// Takes the workflow's fields from a case, and the deadline it has running on `calendar`.
    pub fn apply(&mut self, case: &complaints::Case, calendar: &calendar::Calendar) {
        let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
        self.kind = case.kind.as_str().to_owned();
        self.status = case.status.as_str().to_owned();
        self.anonymous = case.anonymous;
        self.extended = case.extended;
        self.handling_region.clone_from(&case.handling_region);
        self.received_on = case.received_on.to_string();
        self.harm_known_on = day(case.harm_known_on);
        self.accept_base_on = case.accept_base_on.to_string();
        self.accepted_on = day(case.accepted_on);
        self.decided_on = day(case.decided_on);
        self.closed_on = day(case.closed_on);
        self.suspended_since = day(case.suspended_since);
        self.suspended_days = case.suspended_days;
        self.outcome = case.outcome.map(|o| o.as_str().to_owned());
        self.ground.clone_from(&case.ground);
        self.category.clone_from(&case.category);
        self.issue.clone_from(&case.issue);
        self.enterprise_response.clone_from(&case.enterprise_response);
        self.rating = case.rating;
        let running = complaints::running(case, calendar);
        self.due_kind = running.map(|(kind, _)| kind.as_str().to_owned());
        self.due_on = running.map(|(_, day)| day.to_string());
    }
}

const COLUMNS: &str = "id, tracking_number, kind, channel, parent_id, received_on, anonymous, submitter_name, \
    submitter_phone, submitter_id_number, submitter_address, respondent_name, respondent_uscc, respondent_address, \
    region_code, routing, product_gtin, product_lot, product_name, category, issue, classification, facts, request, \
    harm_known_on, handling_region, status, accept_base_on, accepted_on, decided_on, closed_on, suspended_since, \
    suspended_days, extended, due_kind, due_on, outcome, ground, enterprise_response, rating, created_at, updated_at";

/// One entry of a complaint's history.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct ComplaintEvent {
    pub stage: String,
    pub at: String,
    pub user_id: Option<i64>,
    pub note: Option<String>,
    pub data: Option<String>,
}

/// A step to record with a change.
#[derive(Debug, Clone, PartialEq)]
pub struct ComplaintStep {
    pub stage: String,
    pub note: Option<String>,
    pub data: Option<Value>,
}

/// A reporter's reward (有奖举报): claimed, then granted with a grade and amount, or refused.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct Reward {
    #[sqlx(try_from = "String")]
    pub status: RewardStatus,
    pub grade: Option<i64>,
    pub amount: Option<f64>,
    /// How the reporter is to be paid (account details); shown to the handling regulator only.
    pub payee: Option<String>,
    pub claimed_at: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<i64>,
}

/// One line of the work queue.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow, utoipa::ToSchema)]
#[schema(as = ComplaintQueueItem)]
pub struct QueueItem {
    pub id: i64,
    pub tracking_number: String,
    /// complaint | report | enquiry
    pub kind: String,
    pub status: String,
    pub received_on: String,
    pub respondent_name: String,
    pub category: Option<String>,
    pub issue: Option<String>,
    pub handling_region: String,
    /// The deadline now running: accept_by, mediation_by, verify_by, notify_by or reply_by.
    pub due_kind: Option<String>,
    pub due_on: Option<String>,
}

/// What complaint counts may be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplaintGroup {
    Kind,
    Category,
    Issue,
    Province,
    Month,
    Status,
    Outcome,
    Respondent,
}

impl ComplaintGroup {
    /// Every grouping.
    pub const ALL: [ComplaintGroup; 8] = [
        ComplaintGroup::Kind,
        ComplaintGroup::Category,
        ComplaintGroup::Issue,
        ComplaintGroup::Province,
        ComplaintGroup::Month,
        ComplaintGroup::Status,
        ComplaintGroup::Outcome,
        ComplaintGroup::Respondent,
    ];

    /// The API name.
    pub fn name(self) -> &'static str {
        match self {
            ComplaintGroup::Kind => "kind",
            ComplaintGroup::Category => "category",
            ComplaintGroup::Issue => "issue",
            ComplaintGroup::Province => "province",
            ComplaintGroup::Month => "month",
            ComplaintGroup::Status => "status",
            ComplaintGroup::Outcome => "outcome",
            ComplaintGroup::Respondent => "respondent",
        }
    }

    fn expression(self) -> &'static str {
        match self {
            ComplaintGroup::Kind => "kind",
            ComplaintGroup::Category => "COALESCE(category, '')",
            ComplaintGroup::Issue => "COALESCE(issue, '')",
            ComplaintGroup::Province => "SUBSTR(region_code, 1, 2) || '0000'",
            ComplaintGroup::Month => "SUBSTR(received_on, 1, 7)",
            ComplaintGroup::Status => "status",
            ComplaintGroup::Outcome => "COALESCE(outcome, '')",
            ComplaintGroup::Respondent => "COALESCE(respondent_uscc, respondent_name)",
        }
    }
}

/// The smallest string above every code starting with the digits of `prefix`.
fn region_upper(prefix: &str) -> String {
    let mut bytes = prefix.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        if last < b'9' {
            bytes.push(last + 1);
            return String::from_utf8(bytes).expect("ASCII digits");
        }
    }
    "~".into()
}

macro_rules! bind_complaint {
    ($query:expr, $c:expr) => {
        $query
            .bind(&$c.tracking_number)
            .bind(&$c.kind)
            .bind(&$c.channel)
            .bind($c.parent_id)
            .bind(&$c.received_on)
            .bind($c.anonymous)
            .bind(&$c.submitter_name)
            .bind(&$c.submitter_phone)
            .bind(&$c.submitter_id_number)
            .bind(&$c.submitter_address)
            .bind(&$c.respondent_name)
            .bind(&$c.respondent_uscc)
            .bind(&$c.respondent_address)
            .bind(&$c.region_code)
            .bind(&$c.routing)
            .bind(&$c.product_gtin)
            .bind(&$c.product_lot)
            .bind(&$c.product_name)
            .bind(&$c.category)
            .bind(&$c.issue)
            .bind(&$c.classification)
            .bind(&$c.facts)
            .bind(&$c.request)
            .bind(&$c.harm_known_on)
            .bind(&$c.handling_region)
            .bind(&$c.status)
            .bind(&$c.accept_base_on)
            .bind(&$c.accepted_on)
            .bind(&$c.decided_on)
            .bind(&$c.closed_on)
            .bind(&$c.suspended_since)
            .bind($c.suspended_days)
            .bind($c.extended)
            .bind(&$c.due_kind)
            .bind(&$c.due_on)
            .bind(&$c.outcome)
            .bind(&$c.ground)
            .bind(&$c.enterprise_response)
            .bind($c.rating)
    };
}

const INSERT: &str = "INSERT INTO complaints (tracking_number, kind, channel, parent_id, received_on, anonymous, \
    submitter_name, submitter_phone, submitter_id_number, submitter_address, respondent_name, respondent_uscc, \
    respondent_address, region_code, routing, product_gtin, product_lot, product_name, category, issue, \
    classification, facts, request, harm_known_on, handling_region, status, accept_base_on, accepted_on, decided_on, \
    closed_on, suspended_since, suspended_days, extended, due_kind, due_on, outcome, ground, enterprise_response, \
    rating, secret_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
    $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, \
    $36, $37, $38, $39, $40, $41, $41) ON CONFLICT (tracking_number) DO NOTHING RETURNING id";

const EVENT: &str =
    "INSERT INTO complaint_events (complaint_id, stage, at, user_id, note, data) VALUES ($1, $2, $3, $4, $5, $6)";

impl Store {
    /// Files a complaint with its first steps (registered, routed, …); returns its id once it is durably committed.
    /// `complaint.id` is ignored. A tracking number already taken is a conflict (the caller draws another).
    ///
    /// Filings that arrive while another commit is running wait for it and are then committed together in one
    /// transaction (group commit), so a burst of submissions costs a few disk syncs instead of one each.
    pub async fn file_complaint(
        &self,
        complaint: &Complaint,
        secret: &str,
        steps: &[ComplaintStep],
        user_id: Option<i64>,
    ) -> Result<i64, StoreError> {
        let (reply, mut answer) = tokio::sync::oneshot::channel();
        let filing = Filing { complaint: complaint.clone(), secret: secret.to_owned(), steps: steps.to_vec(), user_id };
        self.filings.queue.lock().expect("filing queue lock").push((filing, reply));
        let _leader = self.filings.writer.lock().await;
        if let Ok(result) = answer.try_recv() {
            return result;
        }
        let batch = std::mem::take(&mut *self.filings.queue.lock().expect("filing queue lock"));
        let (filings, replies): (Vec<Filing>, Vec<_>) = batch.into_iter().unzip();
        // On its own task, so a client that hangs up cannot cut the others' commit short.
        let store = self.clone();
        let written = tokio::spawn(async move { store.write_filings(&filings).await }).await;
        let written = written.map_err(|e| StoreError::SharedWrite(e.to_string())).and_then(|r| r);
        match written {
            Ok(ids) => {
                for ((id, number), reply) in ids.into_iter().zip(replies) {
                    let _ = reply
                        .send(id.ok_or_else(|| StoreError::Conflict(format!("tracking number {number} is taken"))));
                }
            }
            Err(error) => {
                let message = error.to_string();
                for reply in replies {
                    let _ = reply.send(Err(StoreError::SharedWrite(message.clone())));
                }
            }
        }
        answer.await.unwrap_or_else(|_| Err(StoreError::SharedWrite("the commit was abandoned".into())))
    }

    /// Files many complaints in one transaction, all or none; each gets the same first steps.
    pub async fn file_complaints(
        &self,
        complaints: &[Complaint],
        secrets: &[String],
        steps: &[ComplaintStep],
        user_id: Option<i64>,
    ) -> Result<Vec<i64>, StoreError> {
        let filings: Vec<Filing> = complaints
            .iter()
            .zip(secrets)
            .map(|(c, s)| Filing { complaint: c.clone(), secret: s.clone(), steps: steps.to_vec(), user_id })
            .collect();
        self.write_filings(&filings)
            .await?
            .into_iter()
            .map(|(id, number)| id.ok_or_else(|| StoreError::Conflict(format!("tracking number {number} is taken"))))
            .collect()
    }

    /// Writes filings in one transaction; each gets its id, or none when its tracking number is taken.
    async fn write_filings(&self, filings: &[Filing]) -> Result<Vec<(Option<i64>, String)>, StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut ids = Vec::with_capacity(filings.len());
            for filing in filings {
                let complaint = &filing.complaint;
                let id = bind_complaint!(sqlx::query_scalar::<_, i64>(INSERT), complaint)
                    .bind(token_hash(&filing.secret))
                    .bind(&at)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(id) = id {
                    // Who filed it, through which channel: never the submitter's personal data.
                    let after = serde_json::json!({"kind": complaint.kind, "channel": complaint.channel,
                        "handling_region": complaint.handling_region, "status": complaint.status});
                    sqlx::query(
                        "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
                         VALUES ($1, $2, 'file', 'complaint', $3, NULL, $4)",
                    )
                    .bind(&at)
                    .bind(filing.user_id)
                    .bind(&complaint.tracking_number)
                    .bind(after.to_string())
                    .execute(&mut *tx)
                    .await?;
                    for step in &filing.steps {
                        sqlx::query(EVENT)
                            .bind(id)
                            .bind(&step.stage)
                            .bind(&at)
                            .bind(filing.user_id)
                            .bind(&step.note)
                            .bind(step.data.as_ref().map(Value::to_string))
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                ids.push((id, complaint.tracking_number.clone()));
            }
            tx.commit().await?;
            Ok(ids)
        })
    }

    /// A report's reward, if claimed.
    pub async fn reward(&self, complaint_id: i64) -> Result<Option<Reward>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT status, grade, amount, payee, claimed_at, decided_at, decided_by FROM complaint_rewards WHERE complaint_id = $1",
            )
            .bind(complaint_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Records a reporter's claim, once, with the step in the history.
    pub async fn claim_reward(&self, complaint_id: i64, payee: &str) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO complaint_rewards (complaint_id, status, payee, claimed_at) VALUES ($1, 'claimed', $2, $3) \
                 ON CONFLICT (complaint_id) DO NOTHING",
            )
            .bind(complaint_id)
            .bind(payee)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            if inserted.rows_affected() == 0 {
                return Err(StoreError::Conflict("a reward was already claimed for this report".into()));
            }
            sqlx::query(EVENT).bind(complaint_id).bind("reward_claimed").bind(&at).bind(None::<i64>).bind(None::<String>).bind(None::<String>)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Decides a claimed reward: granted with a grade and amount, or refused; recorded with who and when.
    pub async fn decide_reward(
        &self,
        complaint_id: i64,
        grant: Option<(i64, f64)>,
        note: Option<&str>,
        user_id: i64,
    ) -> Result<(), StoreError> {
        let at = now();
        let status = if grant.is_some() { RewardStatus::Granted } else { RewardStatus::Refused }.as_str();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(
                "UPDATE complaint_rewards SET status = $1, grade = $2, amount = $3, decided_at = $4, decided_by = $5 \
                 WHERE complaint_id = $6 AND status = 'claimed'",
            )
            .bind(status)
            .bind(grant.map(|g| g.0))
            .bind(grant.map(|g| g.1))
            .bind(&at)
            .bind(user_id)
            .bind(complaint_id)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                return Err(StoreError::Conflict("no claimed reward awaits a decision".into()));
            }
            let data = grant.map(|(grade, amount)| serde_json::json!({"grade": grade, "amount": amount}).to_string());
            sqlx::query(EVENT).bind(complaint_id).bind(format!("reward_{status}")).bind(&at).bind(user_id).bind(note).bind(data)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// How many filings are stored.
    pub async fn count_complaints(&self) -> Result<i64, StoreError> {
        on_pool!(self, pool => { Ok(sqlx::query_scalar("SELECT COUNT(*) FROM complaints").fetch_one(pool).await?) })
    }

    /// A complaint by id.
    pub async fn complaint(&self, id: i64) -> Result<Option<Complaint>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM complaints WHERE id = $1");
        on_pool!(self, pool => { Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?) })
    }

    /// Open filings whose running deadline falls on or after `from`: those a newly loaded calendar year may move.
    pub async fn complaints_due_from(&self, from: &str) -> Result<Vec<Complaint>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM complaints WHERE due_on >= $1 ORDER BY id");
        on_pool!(self, pool => { Ok(sqlx::query_as(&sql).bind(from).fetch_all(pool).await?) })
    }

    /// The id of the complaint with this tracking number.
    pub async fn complaint_id_by_tracking_number(&self, tracking_number: &str) -> Result<Option<i64>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar("SELECT id FROM complaints WHERE tracking_number = $1")
                .bind(tracking_number)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// A complaint by tracking number, if `secret` is its secret.
    pub async fn complaint_by_secret(
        &self,
        tracking_number: &str,
        secret: &str,
    ) -> Result<Option<Complaint>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM complaints WHERE tracking_number = $1 AND secret_hash = $2");
        on_pool!(self, pool => {
            Ok(sqlx::query_as(&sql).bind(tracking_number).bind(token_hash(secret)).fetch_optional(pool).await?)
        })
    }

    /// A complaint's history, oldest first.
    pub async fn complaint_events(&self, id: i64) -> Result<Vec<ComplaintEvent>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as("SELECT stage, at, user_id, note, data FROM complaint_events WHERE complaint_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Saves a complaint changed from `previous` (as read) with the step that changed it, if nobody changed it in
    /// between; records the step and an audit entry in the same transaction.
    pub async fn save_complaint(
        &self,
        previous: &Complaint,
        changed: &Complaint,
        step: &ComplaintStep,
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        let sql = "UPDATE complaints SET tracking_number = $1, kind = $2, channel = $3, parent_id = $4, received_on = $5, \
            anonymous = $6, submitter_name = $7, submitter_phone = $8, submitter_id_number = $9, submitter_address = $10, \
            respondent_name = $11, respondent_uscc = $12, respondent_address = $13, region_code = $14, routing = $15, \
            product_gtin = $16, product_lot = $17, product_name = $18, category = $19, issue = $20, classification = $21, \
            facts = $22, request = $23, harm_known_on = $24, handling_region = $25, status = $26, accept_base_on = $27, \
            accepted_on = $28, decided_on = $29, closed_on = $30, suspended_since = $31, suspended_days = $32, \
            extended = $33, due_kind = $34, due_on = $35, outcome = $36, ground = $37, enterprise_response = $38, \
            rating = $39, updated_at = $40 WHERE id = $41 AND updated_at = $42";
        let before = serde_json::json!({"status": previous.status, "handling_region": previous.handling_region, "due_on": previous.due_on});
        let after = serde_json::json!({"status": changed.status, "handling_region": changed.handling_region, "due_on": changed.due_on});
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let done = bind_complaint!(sqlx::query(sql), changed)
                .bind(&at)
                .bind(previous.id)
                .bind(&previous.updated_at)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!(
                    "complaint {} changed since it was read; reload and try again", previous.tracking_number
                )));
            }
            sqlx::query(EVENT)
                .bind(previous.id)
                .bind(&step.stage)
                .bind(&at)
                .bind(user_id)
                .bind(&step.note)
                .bind(step.data.as_ref().map(Value::to_string))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
                 VALUES ($1, $2, $3, 'complaint', $4, $5, $6)",
            )
            .bind(&at)
            .bind(user_id)
            .bind(&step.stage)
            .bind(&previous.tracking_number)
            .bind(before.to_string())
            .bind(after.to_string())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Where the work queue reads: the whole country the deadline index in order; a region its slice of the
    /// region index (SQLite is told so, since with bound values it cannot see that the slice is small and would
    /// walk the national deadline index instead).
    fn queue_slice(&self, region_prefix: &str) -> (&'static str, &'static str) {
        match (region_prefix.is_empty(), self.backend()) {
            (true, _) => ("complaints", "$1 = $2"),
            (false, crate::store::Backend::Sqlite(_)) => {
                ("complaints INDEXED BY complaints_queue", "handling_region >= $1 AND handling_region < $2")
            }
            (false, crate::store::Backend::Postgres(_)) => {
                ("complaints", "handling_region >= $1 AND handling_region < $2")
            }
        }
    }

    /// Open work of the regulators under `region_prefix` due on or before `due_by`, earliest deadline first.
    pub async fn complaint_queue(
        &self,
        region_prefix: &str,
        due_by: &str,
        limit: i64,
    ) -> Result<Vec<QueueItem>, StoreError> {
        let (table, region) = self.queue_slice(region_prefix);
        let sql = format!(
            "SELECT id, tracking_number, kind, status, received_on, respondent_name, category, issue, \
             handling_region, due_kind, due_on FROM {table} WHERE {region} \
             AND due_on IS NOT NULL AND due_on <= $3 ORDER BY due_on, id LIMIT $4"
        );
        on_pool!(self, pool => {
            let upper = if region_prefix.is_empty() { String::new() } else { region_upper(region_prefix) };
            Ok(sqlx::query_as(&sql)
                .bind(region_prefix)
                .bind(upper)
                .bind(due_by)
                .bind(limit)
                .fetch_all(pool)
                .await?)
        })
    }

    /// How much open work under `region_prefix` is overdue (due before `today`) and due by `soon`.
    pub async fn complaint_queue_counts(
        &self,
        region_prefix: &str,
        today: &str,
        soon: &str,
    ) -> Result<(i64, i64), StoreError> {
        let (table, region) = self.queue_slice(region_prefix);
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM {table} WHERE {region} AND due_on IS NOT NULL AND due_on < $3), \
             (SELECT COUNT(*) FROM {table} WHERE {region} AND due_on IS NOT NULL AND due_on <= $4)"
        );
        let upper = if region_prefix.is_empty() { String::new() } else { region_upper(region_prefix) };
        on_pool!(self, pool => {
            let row = sqlx::query(&sql)
                .bind(region_prefix)
                .bind(upper)
                .bind(today)
                .bind(soon)
                .fetch_one(pool)
                .await?;
            Ok((row.try_get::<i64, _>(0)?, row.try_get::<i64, _>(1)?))
        })
    }

    /// Complaints against an enterprise, newest first.
    pub async fn complaints_against(&self, uscc: &str, limit: i64) -> Result<Vec<QueueItem>, StoreError> {
        let sql = "SELECT id, tracking_number, kind, status, received_on, respondent_name, category, issue, \
            handling_region, due_kind, due_on FROM complaints WHERE respondent_uscc = $1 AND kind = 'complaint' \
            ORDER BY received_on DESC, id DESC LIMIT $2";
        on_pool!(self, pool => { Ok(sqlx::query_as(sql).bind(uscc).bind(limit).fetch_all(pool).await?) })
    }

    /// Filings received in a period (inclusive days) under a region prefix, counted by one grouping.
    pub async fn complaint_counts(
        &self,
        group: ComplaintGroup,
        from: &str,
        to: &str,
        region_prefix: &str,
    ) -> Result<Vec<(String, i64)>, StoreError> {
        let key = group.expression();
        let sql = format!(
            "SELECT {key} AS k, COUNT(*) FROM complaints WHERE received_on >= $1 AND received_on <= $2 \
             AND region_code >= $3 AND region_code < $4 GROUP BY k ORDER BY COUNT(*) DESC, k LIMIT 1000"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql)
                .bind(from)
                .bind(to)
                .bind(region_prefix)
                .bind(region_upper(region_prefix))
                .fetch_all(pool)
                .await?;
            rows.iter().map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<i64, _>(1)?))).collect()
        })
    }

    /// Complaints and reports per product category × issue type in a period: the signals' table.
    pub async fn complaint_table(&self, from: &str, to: &str) -> Result<Vec<(String, String, u64)>, StoreError> {
        let sql = "SELECT category, issue, COUNT(*) FROM complaints WHERE received_on >= $1 AND received_on <= $2 \
            AND kind <> 'enquiry' AND category IS NOT NULL AND issue IS NOT NULL GROUP BY category, issue";
        on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(from).bind(to).fetch_all(pool).await?;
            rows.iter()
                .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?, r.try_get::<i64, _>(2)? as u64)))
                .collect()
        })
    }

    /// Complaints and reports per category, province (empty unless `by_province`) and day in a period.
    pub async fn complaint_daily(
        &self,
        from: &str,
        to: &str,
        by_province: bool,
    ) -> Result<Vec<(String, String, String, u64)>, StoreError> {
        let region = if by_province { "SUBSTR(region_code, 1, 2) || '0000'" } else { "''" };
        let sql = format!(
            "SELECT category, {region} AS r, received_on, COUNT(*) FROM complaints WHERE received_on >= $1 \
             AND received_on <= $2 AND kind <> 'enquiry' AND category IS NOT NULL GROUP BY category, r, received_on"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(from).bind(to).fetch_all(pool).await?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.try_get::<String, _>(0)?,
                        r.try_get::<String, _>(1)?,
                        r.try_get::<String, _>(2)?,
                        r.try_get::<i64, _>(3)? as u64,
                    ))
                })
                .collect()
        })
    }

    /// Steps of complaints after `after_event` (an event id), oldest first, with the respondent: what the credit
    /// file reads (outcomes against an enterprise).
    pub async fn complaint_outcomes_after(
        &self,
        after_event: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String, Option<String>, String, String)>, StoreError> {
        let sql = "SELECT e.id, c.tracking_number, c.respondent_uscc, e.stage, e.at FROM complaint_events e \
            JOIN complaints c ON c.id = e.complaint_id WHERE e.id > $1 AND e.stage IN ('closed', 'settled', \
            'case_opened', 'enterprise_settlement') ORDER BY e.id LIMIT $2";
        on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(after_event).bind(limit).fetch_all(pool).await?;
            rows.iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?)))
                .collect()
        })
    }
}
