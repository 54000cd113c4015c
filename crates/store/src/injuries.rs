//! Product-injury surveillance (产品伤害监测): sentinel hospitals and their cases, and the weighted counts per
//! hospital that national estimates are computed from.

use serde::Serialize;
use sqlx::{FromRow, QueryBuilder, Row};

use crate::store::{audit_record, now, write_audit, Store};
use crate::{on_pool, StoreError, WriteOutcome};

/// Rows per multi-row INSERT (18 parameters a case).
const CASES_PER_STATEMENT: usize = 1_000;

/// An injury case as reported; the caller has checked every field.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow, utoipa::ToSchema)]
pub struct InjuryCase {
    pub case_id: String,
    pub hospital_id: String,
    /// YYYY-MM-DD.
    pub treated_on: String,
    /// The hospital's design stratum and the case's sampling weight.
    pub stratum: String,
    pub weight: f64,
    pub age: i64,
    pub sex: String,
    /// Product category code (the catalogue's).
    pub product_code: String,
    pub product_code_2: Option<String>,
    pub body_part: String,
    pub diagnosis: String,
    pub disposition: String,
    pub location: Option<String>,
    pub intent: Option<String>,
    pub hazard_code: Option<String>,
    /// Free text in Chinese; may hold personal details, so it is shown to regulators only.
    pub narrative: Option<String>,
}

/// A sentinel hospital.
#[derive(Debug, Clone, PartialEq, Serialize, FromRow)]
pub struct Hospital {
    pub id: String,
    pub name: String,
    pub region_code: String,
    pub stratum: String,
    pub weight: f64,
}

/// What estimates may be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjuryGroup {
    Year,
    Sex,
    AgeGroup,
    BodyPart,
    Diagnosis,
    Disposition,
    ProductCode,
    /// The hospital's province.
    Province,
}

impl InjuryGroup {
    /// Every grouping.
    pub const ALL: [InjuryGroup; 8] = [
        InjuryGroup::Year,
        InjuryGroup::Sex,
        InjuryGroup::AgeGroup,
        InjuryGroup::BodyPart,
        InjuryGroup::Diagnosis,
        InjuryGroup::Disposition,
        InjuryGroup::ProductCode,
        InjuryGroup::Province,
    ];

    /// The API name.
    pub fn name(self) -> &'static str {
        match self {
            InjuryGroup::Year => "year",
            InjuryGroup::Sex => "sex",
            InjuryGroup::AgeGroup => "age_group",
            InjuryGroup::BodyPart => "body_part",
            InjuryGroup::Diagnosis => "diagnosis",
            InjuryGroup::Disposition => "disposition",
            InjuryGroup::ProductCode => "product_code",
            InjuryGroup::Province => "province",
        }
    }

    /// Reads an API name.
    pub fn from_name(name: &str) -> Option<Self> {
        InjuryGroup::ALL.into_iter().find(|g| g.name() == name)
    }

    fn expression(self) -> &'static str {
        match self {
            InjuryGroup::Year => "substr(c.treated_on, 1, 4)",
            InjuryGroup::Sex => "c.sex",
            InjuryGroup::AgeGroup => {
                "CASE WHEN c.age < 5 THEN '00-04' WHEN c.age < 15 THEN '05-14' WHEN c.age < 25 THEN '15-24' \
                 WHEN c.age < 45 THEN '25-44' WHEN c.age < 65 THEN '45-64' ELSE '65+' END"
            }
            InjuryGroup::BodyPart => "c.body_part",
            InjuryGroup::Diagnosis => "c.diagnosis",
            InjuryGroup::Disposition => "c.disposition",
            InjuryGroup::ProductCode => "c.product_code",
            InjuryGroup::Province => "substr(h.region_code, 1, 2)",
        }
    }
}

/// Which cases an estimate counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InjuryFilter {
    /// Inclusive dates (YYYY-MM-DD).
    pub from: Option<String>,
    pub to: Option<String>,
    /// A case counts when either of its product codes is this.
    pub product_code: Option<String>,
    pub hazard_code: Option<String>,
}

/// One hospital's totals in the period (the sampling unit), and per group what the filter matched there.
#[derive(Debug, Clone, PartialEq)]
pub struct HospitalTotals {
    pub hospital_id: String,
    pub stratum: String,
    pub cases: u64,
    pub weight: f64,
    pub squared_weights: f64,
}

/// Matched cases of one group at one hospital.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupCount {
    pub group: Vec<String>,
    pub hospital_id: String,
    pub cases: u64,
    pub weight: f64,
}

fn push_period<'a, DB: sqlx::Database>(builder: &mut QueryBuilder<'a, DB>, filter: &'a InjuryFilter)
where
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    if let Some(from) = &filter.from {
        builder.push(" AND c.treated_on >= ").push_bind(from.clone());
    }
    if let Some(to) = &filter.to {
        builder.push(" AND c.treated_on <= ").push_bind(to.clone());
    }
}

const CASE_COLUMNS: &str = "INSERT INTO injury_cases (case_id, hospital_id, treated_on, stratum, weight, age, sex, \
     product_code, product_code_2, body_part, diagnosis, disposition, location, intent, hazard_code, narrative, \
     created_at, updated_at) ";
/// A stored case is corrected in place, but only by its own hospital: the guard keeps another hospital that
/// reuses a case id from taking the case over.
const CASE_ON_CONFLICT: &str = " ON CONFLICT (case_id) DO UPDATE SET treated_on = excluded.treated_on, \
     stratum = excluded.stratum, weight = excluded.weight, age = excluded.age, sex = excluded.sex, \
     product_code = excluded.product_code, product_code_2 = excluded.product_code_2, \
     body_part = excluded.body_part, diagnosis = excluded.diagnosis, disposition = excluded.disposition, \
     location = excluded.location, intent = excluded.intent, hazard_code = excluded.hazard_code, \
     narrative = excluded.narrative, updated_at = excluded.updated_at \
     WHERE injury_cases.hospital_id = excluded.hospital_id";

/// Inserts or corrects cases in an open transaction, `CASES_PER_STATEMENT` a statement.
macro_rules! write_cases {
    ($tx:expr, $cases:expr, $at:expr) => {
        for chunk in $cases.chunks(CASES_PER_STATEMENT) {
            let mut builder = QueryBuilder::new(CASE_COLUMNS);
            builder.push_values(chunk, |mut b, c| {
                b.push_bind(c.case_id.as_str())
                    .push_bind(c.hospital_id.as_str())
                    .push_bind(c.treated_on.as_str())
                    .push_bind(c.stratum.as_str())
                    .push_bind(c.weight)
                    .push_bind(c.age)
                    .push_bind(c.sex.as_str())
                    .push_bind(c.product_code.as_str())
                    .push_bind(c.product_code_2.as_deref())
                    .push_bind(c.body_part.as_str())
                    .push_bind(c.diagnosis.as_str())
                    .push_bind(c.disposition.as_str())
                    .push_bind(c.location.as_deref())
                    .push_bind(c.intent.as_deref())
                    .push_bind(c.hazard_code.as_deref())
                    .push_bind(c.narrative.as_deref())
                    .push_bind($at)
                    .push_bind($at);
            });
            builder.push(CASE_ON_CONFLICT);
            builder.build().execute(&mut *$tx).await?;
        }
    };
}

/// The day from which a hospital's imported design counts: before any day a case can have.
const DESIGN_BASELINE: &str = "0001-01-01";

/// Keeps `hospitals`' stratum and weight equal to the latest design row.
macro_rules! refresh_current_design {
    ($tx:expr, $id:expr, $at:expr) => {
        sqlx::query(
            "UPDATE hospitals SET stratum = d.stratum, weight = d.weight, updated_at = $2 FROM \
             (SELECT stratum, weight FROM hospital_designs WHERE hospital_id = $1 ORDER BY valid_from DESC LIMIT 1) d \
             WHERE hospitals.id = $1",
        )
        .bind($id)
        .bind($at)
        .execute(&mut *$tx)
        .await?;
    };
}

/// Writes a hospital's name and region, and its design from `valid_from` on, in an open transaction; the
/// register's current stratum and weight follow the latest design.
macro_rules! put_hospital {
    ($tx:expr, $hospital:expr, $valid_from:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO hospitals (id, name, region_code, stratum, weight, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (id) DO UPDATE SET name = excluded.name, \
             region_code = excluded.region_code, updated_at = excluded.updated_at",
        )
        .bind(&$hospital.id)
        .bind(&$hospital.name)
        .bind(&$hospital.region_code)
        .bind(&$hospital.stratum)
        .bind($hospital.weight)
        .bind($at)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "INSERT INTO hospital_designs (hospital_id, valid_from, stratum, weight, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hospital_id, valid_from) DO UPDATE SET \
             stratum = excluded.stratum, weight = excluded.weight",
        )
        .bind(&$hospital.id)
        .bind($valid_from)
        .bind(&$hospital.stratum)
        .bind($hospital.weight)
        .bind($at)
        .execute(&mut *$tx)
        .await?;
        refresh_current_design!($tx, &$hospital.id, $at);
    };
}

/// The design in force on a day: the latest from that day or before.
const DESIGN_ON: &str = "SELECT stratum, weight FROM hospital_designs WHERE hospital_id = $1 AND valid_from <= $2 \
     ORDER BY valid_from DESC LIMIT 1";
const HOSPITAL_BY_ID: &str = "SELECT id, name, region_code, stratum, weight FROM hospitals WHERE id = $1";

impl Store {
    /// Writes hospitals and cases in one transaction (the registry import: each hospital's design is the file's,
    /// in force from the start); a case already stored is replaced (a correction), and a case id held by another
    /// hospital refuses the whole batch. Returns (inserted, updated).
    pub async fn import_injuries(
        &self,
        hospitals: &[Hospital],
        cases: &[InjuryCase],
        user_id: Option<i64>,
    ) -> Result<(u64, u64), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for hospital in hospitals {
                put_hospital!(tx, hospital, DESIGN_BASELINE, &at);
            }
            let mut existing = std::collections::HashMap::new();
            for chunk in cases.chunks(5_000) {
                let mut builder = QueryBuilder::new("SELECT case_id, hospital_id FROM injury_cases WHERE case_id IN (");
                let mut list = builder.separated(", ");
                for case in chunk {
                    list.push_bind(case.case_id.as_str());
                }
                list.push_unseparated(")");
                for row in builder.build().fetch_all(&mut *tx).await? {
                    existing.insert(row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?);
                }
            }
            if let Some(taken) = cases.iter().find(|c| existing.get(&c.case_id).is_some_and(|h| *h != c.hospital_id)) {
                return Err(StoreError::Conflict(format!("case {} belongs to another hospital", taken.case_id)));
            }
            write_cases!(tx, cases, at.as_str());
            sqlx::query(
                "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
                 VALUES ($1, $2, 'import', 'injury_case', $3, NULL, $4)",
            )
            .bind(&at)
            .bind(user_id)
            .bind(format!("batch of {}", cases.len()))
            .bind(serde_json::json!({"hospitals": hospitals.len(), "cases": cases.len(), "updated": existing.len()}).to_string())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            let updated = existing.len() as u64;
            Ok((cases.len() as u64 - updated, updated))
        })
    }

    /// The hospitals already holding these case ids.
    pub async fn injury_case_owners(
        &self,
        case_ids: &[String],
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let mut owners = std::collections::HashMap::new();
        on_pool!(self, pool => {
            for chunk in case_ids.chunks(5_000) {
                let mut builder = QueryBuilder::new("SELECT case_id, hospital_id FROM injury_cases WHERE case_id IN (");
                let mut list = builder.separated(", ");
                for id in chunk {
                    list.push_bind(id.as_str());
                }
                list.push_unseparated(")");
                for row in builder.build().fetch_all(pool).await? {
                    owners.insert(row.try_get(0)?, row.try_get(1)?);
                }
            }
            Ok(owners)
        })
    }

    /// Registers a sentinel hospital or changes its design from `valid_from` on (the administrator's register);
    /// cases already stored keep the weight they were reported with. Audited with `user_id`.
    pub async fn register_hospital(
        &self,
        hospital: &Hospital,
        valid_from: &str,
        user_id: Option<i64>,
    ) -> Result<WriteOutcome, StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let before: Option<Hospital> =
                sqlx::query_as(HOSPITAL_BY_ID)
                    .bind(&hospital.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            put_hospital!(tx, hospital, valid_from, &at);
            let after: Option<Hospital> =
                sqlx::query_as(HOSPITAL_BY_ID)
                    .bind(&hospital.id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let outcome = if before.is_some() { WriteOutcome::Updated } else { WriteOutcome::Inserted };
            let (action, before_json, _) = audit_record(outcome, &before, &after)?;
            let after_json = serde_json::json!({"hospital": after, "valid_from": valid_from}).to_string();
            write_audit!(&mut *tx, at, user_id, "hospital", hospital.id.clone(), (action, before_json, Some(after_json)));
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// The design (stratum, weight) a hospital had on a day: the register's latest row from that day or before.
    pub async fn hospital_design_on(&self, hospital_id: &str, day: &str) -> Result<Option<(String, f64)>, StoreError> {
        on_pool!(self, pool => {
            let row = sqlx::query(DESIGN_ON)
            .bind(hospital_id)
            .bind(day)
            .fetch_optional(pool)
            .await?;
            row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
        })
    }

    /// A hospital's report of one case. The stratum and weight come from the register on the treatment date,
    /// whatever the case says; a case id another hospital holds is refused. Audited with `user_id`.
    pub async fn report_injury(&self, case: &InjuryCase, user_id: Option<i64>) -> Result<WriteOutcome, StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let design = sqlx::query(DESIGN_ON)
            .bind(&case.hospital_id)
            .bind(&case.treated_on)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::MissingReference {
                kind: "sentinel hospital",
                key: format!("{} on {}", case.hospital_id, case.treated_on),
            })?;
            let mut case = case.clone();
            case.stratum = design.try_get(0)?;
            case.weight = design.try_get(1)?;
            let before: Option<InjuryCase> = sqlx::query_as(
                "SELECT case_id, hospital_id, treated_on, stratum, weight, age, sex, product_code, product_code_2, body_part, \
                 diagnosis, disposition, location, intent, hazard_code, narrative FROM injury_cases WHERE case_id = $1",
            )
            .bind(&case.case_id)
            .fetch_optional(&mut *tx)
            .await?;
            if before.as_ref().is_some_and(|b| b.hospital_id != case.hospital_id) {
                return Err(StoreError::Conflict(format!("case {} belongs to another hospital", case.case_id)));
            }
            write_cases!(tx, std::slice::from_ref(&case), at.as_str());
            let outcome = if before.is_some() { WriteOutcome::Updated } else { WriteOutcome::Inserted };
            // The narrative may name the patient: the audit row keeps the coded fields only.
            let redact = |c: &Option<InjuryCase>| c.clone().map(|c| InjuryCase { narrative: None, ..c });
            let record = audit_record(outcome, &redact(&before), &redact(&Some(case.clone())))?;
            write_audit!(&mut *tx, at, user_id, "injury_case", case.case_id.clone(), record);
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// The sentinel-hospital register with each hospital's case count, by stratum.
    pub async fn hospitals(&self) -> Result<Vec<(Hospital, i64)>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT h.id, h.name, h.region_code, h.stratum, h.weight, \
                 (SELECT COUNT(*) FROM injury_cases c WHERE c.hospital_id = h.id) AS cases \
                 FROM hospitals h ORDER BY h.stratum, h.id",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|r| {
                    let hospital = Hospital {
                        id: r.try_get(0)?,
                        name: r.try_get(1)?,
                        region_code: r.try_get(2)?,
                        stratum: r.try_get(3)?,
                        weight: r.try_get(4)?,
                    };
                    Ok((hospital, r.try_get::<i64, _>(5)?))
                })
                .collect()
        })
    }

    /// A hospital.
    pub async fn hospital(&self, id: &codes::Uscc) -> Result<Option<Hospital>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(HOSPITAL_BY_ID)
                .bind(id.as_str())
                .fetch_optional(pool)
                .await?)
        })
    }

    /// One case.
    pub async fn injury_case(&self, case_id: &str) -> Result<Option<InjuryCase>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT case_id, hospital_id, treated_on, stratum, weight, age, sex, product_code, product_code_2, body_part, \
                 diagnosis, disposition, location, intent, hazard_code, narrative FROM injury_cases WHERE case_id = $1",
            )
            .bind(case_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// The sampling units of a period (every hospital with a case in it) and, per group, what the filter matched
    /// at each hospital.
    pub async fn injury_counts(
        &self,
        filter: &InjuryFilter,
        group_by: &[InjuryGroup],
    ) -> Result<(Vec<HospitalTotals>, Vec<GroupCount>), StoreError> {
        let groups: Vec<&str> = group_by.iter().map(|g| g.expression()).collect();
        on_pool!(self, pool => {
            let mut builder = QueryBuilder::new(
                "SELECT c.hospital_id, c.stratum, COUNT(*), SUM(c.weight), SUM(c.weight * c.weight) FROM injury_cases c WHERE 1 = 1",
            );
            push_period(&mut builder, filter);
            builder.push(" GROUP BY c.hospital_id, c.stratum ORDER BY c.hospital_id");
            let mut totals = Vec::new();
            for row in builder.build().fetch_all(pool).await? {
                totals.push(HospitalTotals {
                    hospital_id: row.try_get(0)?,
                    stratum: row.try_get(1)?,
                    cases: row.try_get::<i64, _>(2)? as u64,
                    weight: row.try_get(3)?,
                    squared_weights: row.try_get(4)?,
                });
            }
            let group_columns: String = groups.iter().map(|g| format!("{g}, ")).collect();
            let mut builder = QueryBuilder::new(format!(
                "SELECT {group_columns}c.hospital_id, COUNT(*), SUM(c.weight) FROM injury_cases c \
                 JOIN hospitals h ON h.id = c.hospital_id WHERE 1 = 1"
            ));
            push_period(&mut builder, filter);
            if let Some(product) = &filter.product_code {
                builder.push(" AND (c.product_code = ").push_bind(product.clone());
                builder.push(" OR c.product_code_2 = ").push_bind(product.clone()).push(")");
            }
            if let Some(hazard) = &filter.hazard_code {
                builder.push(" AND c.hazard_code = ").push_bind(hazard.clone());
            }
            let positions: Vec<String> = (1..=groups.len() + 1).map(|i| i.to_string()).collect();
            builder.push(format!(" GROUP BY {}", positions.join(", ")));
            let mut counts = Vec::new();
            for row in builder.build().fetch_all(pool).await? {
                let mut group = Vec::with_capacity(groups.len());
                for i in 0..groups.len() {
                    group.push(row.try_get::<Option<String>, _>(i)?.unwrap_or_default());
                }
                counts.push(GroupCount {
                    group,
                    hospital_id: row.try_get(groups.len())?,
                    cases: row.try_get::<i64, _>(groups.len() + 1)? as u64,
                    weight: row.try_get(groups.len() + 2)?,
                });
            }
            Ok((totals, counts))
        })
    }
}

impl Store {
    /// Case counts per product × hazard in a period; a case without a hazard code counts under its diagnosis.
    pub async fn injury_table(&self, from: &str, to: &str) -> Result<Vec<(String, String, u64)>, StoreError> {
        on_pool!(self, pool => {
            let rows = sqlx::query(
                "SELECT product_code, COALESCE(hazard_code, diagnosis), COUNT(*) FROM injury_cases \
                 WHERE treated_on >= $1 AND treated_on <= $2 GROUP BY 1, 2 ORDER BY 1, 2",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get::<i64, _>(2)? as u64)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }

    /// Case counts per product, province (the hospital's; empty unless `by_province`) and day in a period, for
    /// weekly series.
    pub async fn injury_daily(
        &self,
        from: &str,
        to: &str,
        by_province: bool,
    ) -> Result<Vec<(String, String, String, u64)>, StoreError> {
        let province = if by_province { "substr(h.region_code, 1, 2) || '0000'" } else { "''" };
        let sql = format!(
            "SELECT c.product_code, {province}, c.treated_on, COUNT(*) FROM injury_cases c JOIN hospitals h ON h.id = c.hospital_id \
             WHERE c.treated_on >= $1 AND c.treated_on <= $2 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        );
        on_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(from).bind(to).fetch_all(pool).await?;
            rows.iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get::<i64, _>(3)? as u64)))
                .collect::<Result<Vec<_>, sqlx::Error>>()
                .map_err(StoreError::from)
        })
    }
}
