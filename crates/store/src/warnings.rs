//! Risk assessments and risk warnings (风险警示) with their history; published warnings are searchable in Chinese.

use serde::Serialize;
use serde_json::Value;
use sqlx::{FromRow, QueryBuilder};

use crate::on_pool;
use crate::search;
use crate::search::Query;
use crate::store::{now, Store};
use crate::StoreError;

/// A risk assessment as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct RiskAssessment {
    /// `ZL-RA-{year}-{number}`.
    pub id: String,
    pub title: String,
    /// Product category code (the catalogue's).
    pub product_code: String,
    pub hazard: String,
    /// The injury scenario's steps with their probabilities: `{description, probability}` each.
    #[schema(value_type = Vec<Object>)]
    pub steps: Value,
    /// 1 to 4.
    pub severity: i64,
    /// The product of the steps' probabilities.
    pub probability: f64,
    /// serious | high | medium | low
    pub level: String,
    pub matrix_version: String,
    /// The signal that prompted it, as the signals API gave it (null when none).
    #[schema(value_type = Option<Object>)]
    pub signal: Value,
    pub region_code: String,
    pub created_at: String,
}

#[derive(FromRow)]
struct AssessmentRow {
    id: String,
    title: String,
    product_code: String,
    hazard: String,
    steps: String,
    severity: i64,
    probability: f64,
    level: String,
    matrix_version: String,
    signal: Option<String>,
    region_code: String,
    created_at: String,
}

/// A warning as stored.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = RiskWarning)]
pub struct Warning {
    /// `ZL-RW-{year}-{number}`.
    pub id: String,
    pub assessment_id: String,
    pub title: String,
    pub body: String,
    /// The assessment's level: serious | high | medium | low
    pub level: String,
    /// draft | reviewed | published | updated | withdrawn
    pub status: String,
    pub region_code: String,
    /// Product categories, regions, GTINs and lots it covers: `{product_codes, regions, gtins, lots}`.
    #[schema(value_type = Object)]
    pub scope: Value,
    pub drafted_by: Option<i64>,
    pub published_on: Option<String>,
    pub withdrawn_on: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(FromRow)]
struct WarningRow {
    id: String,
    assessment_id: String,
    title: String,
    body: String,
    level: String,
    status: String,
    region_code: String,
    scope: String,
    drafted_by: Option<i64>,
    published_on: Option<String>,
    withdrawn_on: Option<String>,
    created_at: String,
    updated_at: String,
}

fn json(text: Option<String>) -> Value {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null)
}

impl From<WarningRow> for Warning {
    fn from(r: WarningRow) -> Self {
        Warning {
            scope: json(Some(r.scope)),
            id: r.id,
            assessment_id: r.assessment_id,
            title: r.title,
            body: r.body,
            level: r.level,
            status: r.status,
            region_code: r.region_code,
            drafted_by: r.drafted_by,
            published_on: r.published_on,
            withdrawn_on: r.withdrawn_on,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// One entry of a warning's history.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow, utoipa::ToSchema)]
#[schema(as = RiskWarningEvent)]
pub struct WarningEvent {
    /// draft | review | publish | update | withdraw | response
    pub stage: String,
    pub at: String,
    pub user_id: Option<i64>,
    pub note: Option<String>,
    /// The stage's data as JSON text (a response's `{action, reference}`).
    pub data: Option<String>,
}

const WARNING_COLUMNS: &str =
    "id, assessment_id, title, body, level, status, region_code, scope, drafted_by, published_on, \
     withdrawn_on, created_at, updated_at";

/// A history entry to record: the stage, a note, and data.
#[derive(Debug, Clone, PartialEq)]
pub struct WarningStage {
    pub stage: &'static str,
    pub note: Option<String>,
    pub data: Option<Value>,
}

/// A change of a warning: its new status and fields (`None` keeps a field).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WarningChange {
    pub status: Option<String>,
    pub title: Option<String>,
    pub body: Option<String>,
    pub scope: Option<Value>,
    pub published_on: Option<String>,
    pub withdrawn_on: Option<String>,
}

impl Store {
    /// The next free number of a kind and year: `ZL-RA-2026-0001`, `ZL-RW-2026-0001`.
    pub async fn next_number(&self, table: &str, prefix: &str, year: i32) -> Result<String, StoreError> {
        let stem = format!("{prefix}-{year}-");
        let last: Option<String> = on_pool!(self, pool => {
            sqlx::query_scalar(&format!("SELECT MAX(id) FROM {table} WHERE id LIKE $1")).bind(format!("{stem}%")).fetch_one(pool).await?
        });
        let next = last.and_then(|id| id.rsplit('-').next()?.parse::<u32>().ok()).unwrap_or(0) + 1;
        Ok(format!("{stem}{next:04}"))
    }

    /// Records a risk assessment.
    pub async fn create_assessment(&self, assessment: &RiskAssessment, user_id: Option<i64>) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO risk_assessments (id, title, product_code, hazard, steps, severity, probability, level, \
                 matrix_version, signal, region_code, user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&assessment.id)
            .bind(&assessment.title)
            .bind(&assessment.product_code)
            .bind(&assessment.hazard)
            .bind(assessment.steps.to_string())
            .bind(assessment.severity)
            .bind(assessment.probability)
            .bind(&assessment.level)
            .bind(&assessment.matrix_version)
            .bind((!assessment.signal.is_null()).then(|| assessment.signal.to_string()))
            .bind(&assessment.region_code)
            .bind(user_id)
            .bind(&assessment.created_at)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// A risk assessment.
    pub async fn assessment(&self, id: &str) -> Result<Option<RiskAssessment>, StoreError> {
        let row: Option<AssessmentRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, title, product_code, hazard, steps, severity, probability, level, matrix_version, signal, \
                 region_code, created_at FROM risk_assessments WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| RiskAssessment {
            steps: json(Some(r.steps)),
            signal: json(r.signal),
            id: r.id,
            title: r.title,
            product_code: r.product_code,
            hazard: r.hazard,
            severity: r.severity,
            probability: r.probability,
            level: r.level,
            matrix_version: r.matrix_version,
            region_code: r.region_code,
            created_at: r.created_at,
        }))
    }

    /// Drafts a warning.
    pub async fn create_warning(&self, warning: &Warning, user_id: Option<i64>) -> Result<(), StoreError> {
        let tokens = search::index_text([warning.title.as_str(), warning.body.as_str()]);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(&format!(
                "INSERT INTO warnings ({WARNING_COLUMNS}, search_tokens) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
            ))
            .bind(&warning.id)
            .bind(&warning.assessment_id)
            .bind(&warning.title)
            .bind(&warning.body)
            .bind(&warning.level)
            .bind(&warning.status)
            .bind(&warning.region_code)
            .bind(warning.scope.to_string())
            .bind(warning.drafted_by)
            .bind(warning.published_on.as_deref())
            .bind(warning.withdrawn_on.as_deref())
            .bind(&warning.created_at)
            .bind(&warning.updated_at)
            .bind(tokens)
            .execute(&mut *tx)
            .await?;
            sqlx::query("INSERT INTO warning_events (warning_id, stage, at, user_id, note, data) VALUES ($1, 'draft', $2, $3, NULL, NULL)")
                .bind(&warning.id)
                .bind(&warning.created_at)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// A warning.
    pub async fn warning(&self, id: &str) -> Result<Option<Warning>, StoreError> {
        let sql = format!("SELECT {WARNING_COLUMNS} FROM warnings WHERE id = $1");
        let row: Option<WarningRow> =
            on_pool!(self, pool => { sqlx::query_as(&sql).bind(id).fetch_optional(pool).await? });
        Ok(row.map(Warning::from))
    }

    /// A warning's history, oldest first.
    pub async fn warning_events(&self, id: &str) -> Result<Vec<WarningEvent>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as("SELECT stage, at, user_id, note, data FROM warning_events WHERE warning_id = $1 ORDER BY id")
                .bind(id)
                .fetch_all(pool)
                .await?)
        })
    }

    /// Applies a stage if the warning is still in `expected_status`; records it in the history.
    pub async fn change_warning(
        &self,
        id: &str,
        expected_status: &str,
        stage: &WarningStage,
        change: &WarningChange,
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let (stage, note, data) = (stage.stage, stage.note.as_deref(), stage.data.as_ref());
        let at = now();
        let current = self
            .warning(id)
            .await?
            .ok_or_else(|| StoreError::MissingReference { kind: "warning", key: id.to_owned() })?;
        let title = change.title.clone().unwrap_or(current.title);
        let body = change.body.clone().unwrap_or(current.body);
        let tokens = search::index_text([title.as_str(), body.as_str()]);
        // Publication, updates and withdrawal go to the public log in the same transaction.
        let published = matches!(stage, "publish" | "update" | "withdraw").then(|| crate::public_log::NewEntry {
            kind: format!("warning_{stage}"),
            subject: id.to_owned(),
            data: crate::public_log::canonical(&serde_json::json!({
                "type": "risk_warning", "event": stage, "id": id, "title": title, "body": body,
                "level": current.level, "scope": change.scope.clone().unwrap_or(current.scope.clone()), "at": at,
            })),
        });
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut builder = QueryBuilder::new("UPDATE warnings SET updated_at = ");
            builder.push_bind(at.clone());
            builder.push(", title = ").push_bind(title.clone());
            builder.push(", body = ").push_bind(body.clone());
            builder.push(", search_tokens = ").push_bind(tokens);
            if let Some(status) = &change.status {
                builder.push(", status = ").push_bind(status.clone());
            }
            if let Some(scope) = &change.scope {
                builder.push(", scope = ").push_bind(scope.to_string());
            }
            if let Some(day) = &change.published_on {
                builder.push(", published_on = ").push_bind(day.clone());
            }
            if let Some(day) = &change.withdrawn_on {
                builder.push(", withdrawn_on = ").push_bind(day.clone());
            }
            builder.push(" WHERE id = ").push_bind(id.to_owned());
            builder.push(" AND status = ").push_bind(expected_status.to_owned());
            if builder.build().execute(&mut *tx).await?.rows_affected() == 0 {
                return Err(StoreError::Conflict(format!("warning {id} is no longer {expected_status}")));
            }
            sqlx::query("INSERT INTO warning_events (warning_id, stage, at, user_id, note, data) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id)
                .bind(stage)
                .bind(&at)
                .bind(user_id)
                .bind(note)
                .bind(data.map(Value::to_string))
                .execute(&mut *tx)
                .await?;
            if let Some(entry) = &published {
                crate::public_log::append_in!(tx, std::slice::from_ref(entry));
            }
            sqlx::query(
                "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
                 VALUES ($1, $2, $3, 'warning', $4, $5, $6)",
            )
            .bind(&at)
            .bind(user_id)
            .bind(stage)
            .bind(id)
            .bind(expected_status)
            .bind(change.status.as_deref())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Warnings, newest first: the public sees published, updated and withdrawn ones; `text` searches in Chinese.
    pub async fn warnings(
        &self,
        public_only: bool,
        text: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Warning>, StoreError> {
        let tokens = text.map(search::query_tokens).unwrap_or_default();
        if text.is_some_and(|t| !t.trim().is_empty()) && tokens.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = Query::new(format!("SELECT {WARNING_COLUMNS} FROM warnings WHERE 1 = 1"));
        if public_only {
            query.push(" AND published_on IS NOT NULL");
        }
        if !tokens.is_empty() {
            query.text_match("warnings", &tokens);
        }
        query.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind_int(limit);
        let rows: Vec<WarningRow> = on_pool!(self, pool => query.builder().build_query_as().fetch_all(pool).await?);
        Ok(rows.into_iter().map(Warning::from).collect())
    }
}

/// A stored computation of risk signals.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SignalRun {
    pub id: i64,
    /// injuries | inspections | complaints
    pub source: String,
    /// disproportionality | farrington | ears_c1 | ears_c2 | ears_c3 | cusum | ewma | glr
    pub method: String,
    pub by_region: bool,
    pub period_from: String,
    pub period_to: String,
    /// The method's parameters, as the signals API gave them.
    #[schema(value_type = Object)]
    pub parameters: Value,
    /// The signals, as the signals API gave them (empty in a list of runs).
    #[schema(value_type = Vec<Object>)]
    pub signals: Value,
    pub signal_count: i64,
    pub user_id: Option<i64>,
    pub computed_at: String,
}

#[derive(FromRow)]
struct SignalRunRow {
    id: i64,
    source: String,
    method: String,
    by_region: bool,
    period_from: String,
    period_to: String,
    parameters: String,
    signals: String,
    signal_count: i64,
    user_id: Option<i64>,
    computed_at: String,
}

impl From<SignalRunRow> for SignalRun {
    fn from(r: SignalRunRow) -> Self {
        SignalRun {
            parameters: json(Some(r.parameters)),
            signals: json(Some(r.signals)),
            id: r.id,
            source: r.source,
            method: r.method,
            by_region: r.by_region,
            period_from: r.period_from,
            period_to: r.period_to,
            signal_count: r.signal_count,
            user_id: r.user_id,
            computed_at: r.computed_at,
        }
    }
}

const RUN_COLUMNS: &str =
    "id, source, method, by_region, period_from, period_to, parameters, signals, signal_count, user_id, computed_at";

impl Store {
    /// Keeps a computation of signals; returns its id. `run.id` and `run.computed_at` are set here.
    pub async fn save_signal_run(&self, run: &SignalRun) -> Result<i64, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_scalar(
                "INSERT INTO signal_runs (source, method, by_region, period_from, period_to, parameters, signals, \
                 signal_count, user_id, computed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(&run.source)
            .bind(&run.method)
            .bind(run.by_region)
            .bind(&run.period_from)
            .bind(&run.period_to)
            .bind(run.parameters.to_string())
            .bind(run.signals.to_string())
            .bind(run.signal_count)
            .bind(run.user_id)
            .bind(now())
            .fetch_one(pool)
            .await?)
        })
    }

    /// A stored computation.
    pub async fn signal_run(&self, id: i64) -> Result<Option<SignalRun>, StoreError> {
        let sql = format!("SELECT {RUN_COLUMNS} FROM signal_runs WHERE id = $1");
        let row: Option<SignalRunRow> =
            on_pool!(self, pool => { sqlx::query_as(&sql).bind(id).fetch_optional(pool).await? });
        Ok(row.map(SignalRun::from))
    }

    /// The latest computations, newest first (without their signals).
    pub async fn signal_runs(&self, limit: i64) -> Result<Vec<SignalRun>, StoreError> {
        let sql = "SELECT id, source, method, by_region, period_from, period_to, parameters, '[]' AS signals, \
            signal_count, user_id, computed_at FROM signal_runs ORDER BY id DESC LIMIT $1";
        let rows: Vec<SignalRunRow> =
            on_pool!(self, pool => { sqlx::query_as(sql).bind(limit).fetch_all(pool).await? });
        Ok(rows.into_iter().map(SignalRun::from).collect())
    }
}
