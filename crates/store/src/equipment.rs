//! Special equipment (特种设备) and instruments under compulsory verification (强制检定) as stored: the registers
//! with each item's next due day, every inspection and verification, measurement standards, and the regulators'
//! queues of what in a region falls due by a day.

use chrono::NaiveDate;
use equipment::{Equipment, Inspection};
use metrology::{Instrument, MeasurementStandard, Verification};
use rulekit::due::UseStatus;
use sqlx::{FromRow, QueryBuilder};

use crate::on_pool;
use crate::store::{now, write_audit, Store};
use crate::{stored, stored_day, StoreError};

/// Rows a multi-row statement carries at most.
const ROWS_PER_STATEMENT: usize = 400;

#[derive(Debug, FromRow)]
struct EquipmentRow {
    code: String,
    variety: String,
    user_uscc: String,
    registration_number: String,
    region_code: String,
    location: String,
    in_service_on: String,
    registered_on: String,
    next_inspection_due: String,
    status: String,
    failed: bool,
}

const EQUIPMENT_COLUMNS: &str = "code, variety, user_uscc, registration_number, region_code, location, \
     in_service_on, registered_on, next_inspection_due, status, failed";

impl EquipmentRow {
    fn equipment(self) -> Result<Equipment, StoreError> {
        Ok(Equipment {
            code: self.code,
            variety: self.variety,
            user_uscc: self.user_uscc,
            registration_number: self.registration_number,
            region_code: self.region_code,
            location: self.location,
            in_service_on: stored_day("in_service_on", &self.in_service_on)?,
            registered_on: stored_day("registered_on", &self.registered_on)?,
            next_inspection_due: stored_day("next_inspection_due", &self.next_inspection_due)?,
            status: stored(&self.status)?,
            failed: self.failed,
        })
    }
}

#[derive(Debug, FromRow)]
struct InspectionRow {
    equipment_code: String,
    inspected_on: String,
    inspector_uscc: String,
    report_number: String,
    verdict: String,
    next_due_on: String,
}

#[derive(Debug, FromRow)]
struct InstrumentRow {
    owner_uscc: String,
    serial_number: String,
    kind: String,
    used_for: String,
    region_code: String,
    location: String,
    registered_on: String,
    next_verification_due: String,
    status: String,
    failed: bool,
}

const INSTRUMENT_COLUMNS: &str = "owner_uscc, serial_number, kind, used_for, region_code, location, registered_on, \
     next_verification_due, status, failed";

impl InstrumentRow {
    fn instrument(self) -> Result<Instrument, StoreError> {
        Ok(Instrument {
            owner_uscc: self.owner_uscc,
            serial_number: self.serial_number,
            kind: self.kind,
            used_for: stored(&self.used_for)?,
            region_code: self.region_code,
            location: self.location,
            registered_on: stored_day("registered_on", &self.registered_on)?,
            next_verification_due: stored_day("next_verification_due", &self.next_verification_due)?,
            status: stored(&self.status)?,
            failed: self.failed,
        })
    }
}

#[derive(Debug, FromRow)]
struct VerificationRow {
    owner_uscc: String,
    serial_number: String,
    verified_on: String,
    institute_uscc: String,
    certificate_number: String,
    verdict: String,
    next_due_on: String,
}

#[derive(Debug, FromRow)]
struct StandardRow {
    certificate_number: String,
    holder_uscc: String,
    name: String,
    range_text: String,
    uncertainty: String,
    valid_until: String,
    serves: String,
}

impl StandardRow {
    fn standard(self) -> Result<MeasurementStandard, StoreError> {
        Ok(MeasurementStandard {
            certificate_number: self.certificate_number,
            holder_uscc: self.holder_uscc,
            name: self.name,
            range: self.range_text,
            uncertainty: self.uncertainty,
            valid_until: stored_day("valid_until", &self.valid_until)?,
            serves: self.serves.split(';').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        })
    }
}

/// A change of use status: which table, how its row is found, the audit kind.
struct UseChange<'a> {
    table: &'static str,
    key: &'static str,
    kind: &'static str,
    from: UseStatus,
    to: UseStatus,
    note: &'a str,
}

/// The `$n` marks of `count` parameters from `first`.
fn marks(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

impl Store {
    /// Registers equipment in one transaction (codes not yet registered: the caller checks).
    pub async fn add_equipment(&self, items: &[Equipment], user_id: Option<i64>) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in items.chunks(ROWS_PER_STATEMENT) {
                let mut builder = QueryBuilder::new(format!("INSERT INTO special_equipment ({EQUIPMENT_COLUMNS}, updated_at) "));
                builder.push_values(chunk, |mut b, e| {
                    b.push_bind(e.code.as_str())
                        .push_bind(e.variety.as_str())
                        .push_bind(e.user_uscc.as_str())
                        .push_bind(e.registration_number.as_str())
                        .push_bind(e.region_code.as_str())
                        .push_bind(e.location.as_str())
                        .push_bind(e.in_service_on.to_string())
                        .push_bind(e.registered_on.to_string())
                        .push_bind(e.next_inspection_due.to_string())
                        .push_bind(e.status.as_str())
                        .push_bind(e.failed)
                        .push_bind(at.as_str());
                });
                builder.build().execute(&mut *tx).await?;
            }
            let summary = serde_json::json!({"equipment": items.len()});
            write_audit!(&mut *tx, at, user_id, "equipment_registration", items.first().map(|e| e.code.clone()).unwrap_or_default(),
                ("insert", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(())
        })
    }

    /// The registered equipment with these codes.
    pub async fn equipment_coded(&self, codes: &[String]) -> Result<Vec<Equipment>, StoreError> {
        let mut found = Vec::new();
        for chunk in codes.chunks(ROWS_PER_STATEMENT) {
            let sql =
                format!("SELECT {EQUIPMENT_COLUMNS} FROM special_equipment WHERE code IN ({})", marks(1, chunk.len()));
            let rows: Vec<EquipmentRow> = on_pool!(self, pool => {
                let mut query = sqlx::query_as(&sql);
                for code in chunk {
                    query = query.bind(code);
                }
                query.fetch_all(pool).await?
            });
            for row in rows {
                found.push(row.equipment()?);
            }
        }
        Ok(found)
    }

    /// A user's equipment, by code.
    pub async fn equipment_of(&self, user_uscc: &str, limit: i64) -> Result<Vec<Equipment>, StoreError> {
        let sql =
            format!("SELECT {EQUIPMENT_COLUMNS} FROM special_equipment WHERE user_uscc = $1 ORDER BY code LIMIT $2");
        let rows: Vec<EquipmentRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(user_uscc).bind(limit).fetch_all(pool).await?);
        rows.into_iter().map(EquipmentRow::equipment).collect()
    }

    /// Equipment in use in regions under `region_prefix` whose inspection runs out by `by`, or whose last
    /// inspection failed: most overdue first.
    pub async fn equipment_due(
        &self,
        region_prefix: &str,
        by: NaiveDate,
        limit: i64,
    ) -> Result<Vec<Equipment>, StoreError> {
        let sql = format!(
            "SELECT {EQUIPMENT_COLUMNS} FROM special_equipment WHERE region_code LIKE $1 AND status = 'in_use' \
             AND (next_inspection_due <= $2 OR failed = $3) ORDER BY next_inspection_due, code LIMIT $4"
        );
        let rows: Vec<EquipmentRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(format!("{region_prefix}%")).bind(by.to_string()).bind(true).bind(limit).fetch_all(pool).await?);
        rows.into_iter().map(EquipmentRow::equipment).collect()
    }

    /// Records inspections with each equipment's state after it, in one transaction.
    pub async fn record_inspections(
        &self,
        inspections: &[(Inspection, Equipment)],
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for (inspection, after) in inspections {
                sqlx::query(
                    "INSERT INTO equipment_inspections (equipment_code, inspected_on, inspector_uscc, report_number, verdict, \
                     next_due_on, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(inspection.equipment_code.as_str())
                .bind(inspection.inspected_on.to_string())
                .bind(inspection.inspector_uscc.as_str())
                .bind(inspection.report_number.as_str())
                .bind(inspection.verdict.as_str())
                .bind(inspection.next_due_on.to_string())
                .bind(at.as_str())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("UPDATE special_equipment SET next_inspection_due = $2, failed = $3, updated_at = $4 WHERE code = $1")
                    .bind(after.code.as_str())
                    .bind(after.next_inspection_due.to_string())
                    .bind(after.failed)
                    .bind(at.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            let summary = serde_json::json!({"inspections": inspections.len()});
            write_audit!(&mut *tx, at, user_id, "equipment_inspection", inspections.first().map(|(i, _)| i.equipment_code.clone()).unwrap_or_default(),
                ("insert", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(())
        })
    }

    /// An item's inspections, oldest first.
    pub async fn equipment_inspections(&self, code: &str) -> Result<Vec<Inspection>, StoreError> {
        let rows: Vec<InspectionRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT equipment_code, inspected_on, inspector_uscc, report_number, verdict, next_due_on \
             FROM equipment_inspections WHERE equipment_code = $1 ORDER BY inspected_on, id",
        ).bind(code).fetch_all(pool).await?);
        rows.into_iter()
            .map(|r| {
                Ok(Inspection {
                    equipment_code: r.equipment_code,
                    inspected_on: stored_day("inspected_on", &r.inspected_on)?,
                    inspector_uscc: r.inspector_uscc,
                    report_number: r.report_number,
                    verdict: stored(&r.verdict)?,
                    next_due_on: stored_day("next_due_on", &r.next_due_on)?,
                })
            })
            .collect()
    }

    /// Sets an item's use status (stopped, back in use, scrapped), with its audit row.
    pub async fn set_equipment_status(
        &self,
        code: &str,
        from: UseStatus,
        to: UseStatus,
        note: &str,
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let change =
            UseChange { table: "special_equipment", key: "code = $4", kind: "equipment_status", from, to, note };
        self.set_use_status(&change, &[code], user_id).await
    }

    /// Sets an instrument's use status (stopped, back in use, scrapped), with its audit row.
    pub async fn set_instrument_status(
        &self,
        (owner, serial): (&str, &str),
        from: UseStatus,
        to: UseStatus,
        note: &str,
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let change = UseChange {
            table: "instruments",
            key: "owner_uscc = $4 AND serial_number = $5",
            kind: "instrument_status",
            from,
            to,
            note,
        };
        self.set_use_status(&change, &[owner, serial], user_id).await
    }

    /// Moves a row of `change.table` (found by `change.key`, its `$4`… parameters) from one use status to
    /// another, only if it still has the first, with its audit row.
    async fn set_use_status(
        &self,
        change: &UseChange<'_>,
        key: &[&str],
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        let sql =
            format!("UPDATE {} SET status = $1, updated_at = $2 WHERE status = $3 AND {}", change.table, change.key);
        let entity = key.join("/");
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let mut query = sqlx::query(&sql).bind(change.to.as_str()).bind(at.as_str()).bind(change.from.as_str());
            for part in key {
                query = query.bind(*part);
            }
            if query.execute(&mut *tx).await?.rows_affected() != 1 {
                return Err(StoreError::Conflict(format!("{entity} changed while its status was set")));
            }
            write_audit!(&mut *tx, at, user_id, change.kind, entity.clone(),
                ("update", Some(change.from.as_str().to_owned()), Some(format!("{}: {}", change.to.as_str(), change.note))));
            tx.commit().await?;
            Ok(())
        })
    }

    /// Files instruments in one transaction (keys not yet filed: the caller checks).
    pub async fn add_instruments(&self, items: &[Instrument], user_id: Option<i64>) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in items.chunks(ROWS_PER_STATEMENT) {
                let mut builder = QueryBuilder::new(format!("INSERT INTO instruments ({INSTRUMENT_COLUMNS}, updated_at) "));
                builder.push_values(chunk, |mut b, i| {
                    b.push_bind(i.owner_uscc.as_str())
                        .push_bind(i.serial_number.as_str())
                        .push_bind(i.kind.as_str())
                        .push_bind(i.used_for.as_str())
                        .push_bind(i.region_code.as_str())
                        .push_bind(i.location.as_str())
                        .push_bind(i.registered_on.to_string())
                        .push_bind(i.next_verification_due.to_string())
                        .push_bind(i.status.as_str())
                        .push_bind(i.failed)
                        .push_bind(at.as_str());
                });
                builder.build().execute(&mut *tx).await?;
            }
            let summary = serde_json::json!({"instruments": items.len()});
            write_audit!(&mut *tx, at, user_id, "instrument_filing", items.first().map(|i| i.owner_uscc.clone()).unwrap_or_default(),
                ("insert", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(())
        })
    }

    /// The filed instruments with these keys (owner, serial number).
    pub async fn instruments_keyed(&self, keys: &[(String, String)]) -> Result<Vec<Instrument>, StoreError> {
        let mut found = Vec::new();
        for chunk in keys.chunks(ROWS_PER_STATEMENT / 2) {
            let pairs: Vec<String> = (0..chunk.len()).map(|i| format!("(${}, ${})", 2 * i + 1, 2 * i + 2)).collect();
            let sql = format!(
                "SELECT {INSTRUMENT_COLUMNS} FROM instruments WHERE (owner_uscc, serial_number) IN (VALUES {})",
                pairs.join(", ")
            );
            let rows: Vec<InstrumentRow> = on_pool!(self, pool => {
                let mut query = sqlx::query_as(&sql);
                for (owner, serial) in chunk {
                    query = query.bind(owner).bind(serial);
                }
                query.fetch_all(pool).await?
            });
            for row in rows {
                found.push(row.instrument()?);
            }
        }
        Ok(found)
    }

    /// An owner's instruments, by serial number.
    pub async fn instruments_of(&self, owner_uscc: &str, limit: i64) -> Result<Vec<Instrument>, StoreError> {
        let sql = format!(
            "SELECT {INSTRUMENT_COLUMNS} FROM instruments WHERE owner_uscc = $1 ORDER BY serial_number LIMIT $2"
        );
        let rows: Vec<InstrumentRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(owner_uscc).bind(limit).fetch_all(pool).await?);
        rows.into_iter().map(InstrumentRow::instrument).collect()
    }

    /// Instruments in use in regions under `region_prefix` whose verification runs out by `by`, or whose last
    /// verification failed: most overdue first.
    pub async fn instruments_due(
        &self,
        region_prefix: &str,
        by: NaiveDate,
        limit: i64,
    ) -> Result<Vec<Instrument>, StoreError> {
        let sql = format!(
            "SELECT {INSTRUMENT_COLUMNS} FROM instruments WHERE region_code LIKE $1 AND status = 'in_use' \
             AND (next_verification_due <= $2 OR failed = $3) ORDER BY next_verification_due, owner_uscc, serial_number LIMIT $4"
        );
        let rows: Vec<InstrumentRow> = on_pool!(self, pool => sqlx::query_as(&sql)
            .bind(format!("{region_prefix}%")).bind(by.to_string()).bind(true).bind(limit).fetch_all(pool).await?);
        rows.into_iter().map(InstrumentRow::instrument).collect()
    }

    /// Records verifications with each instrument's state after it, in one transaction.
    pub async fn record_verifications(
        &self,
        verifications: &[(Verification, Instrument)],
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for (verification, after) in verifications {
                sqlx::query(
                    "INSERT INTO instrument_verifications (owner_uscc, serial_number, verified_on, institute_uscc, \
                     certificate_number, verdict, next_due_on, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(verification.owner_uscc.as_str())
                .bind(verification.serial_number.as_str())
                .bind(verification.verified_on.to_string())
                .bind(verification.institute_uscc.as_str())
                .bind(verification.certificate_number.as_str())
                .bind(verification.verdict.as_str())
                .bind(verification.next_due_on.to_string())
                .bind(at.as_str())
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE instruments SET next_verification_due = $3, failed = $4, updated_at = $5 \
                     WHERE owner_uscc = $1 AND serial_number = $2",
                )
                .bind(after.owner_uscc.as_str())
                .bind(after.serial_number.as_str())
                .bind(after.next_verification_due.to_string())
                .bind(after.failed)
                .bind(at.as_str())
                .execute(&mut *tx)
                .await?;
            }
            let summary = serde_json::json!({"verifications": verifications.len()});
            write_audit!(&mut *tx, at, user_id, "instrument_verification", verifications.first().map(|(v, _)| v.owner_uscc.clone()).unwrap_or_default(),
                ("insert", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(())
        })
    }

    /// An instrument's verifications, oldest first.
    pub async fn instrument_verifications(&self, owner: &str, serial: &str) -> Result<Vec<Verification>, StoreError> {
        let rows: Vec<VerificationRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT owner_uscc, serial_number, verified_on, institute_uscc, certificate_number, verdict, next_due_on \
             FROM instrument_verifications WHERE owner_uscc = $1 AND serial_number = $2 ORDER BY verified_on, id",
        ).bind(owner).bind(serial).fetch_all(pool).await?);
        rows.into_iter()
            .map(|r| {
                Ok(Verification {
                    owner_uscc: r.owner_uscc,
                    serial_number: r.serial_number,
                    verified_on: stored_day("verified_on", &r.verified_on)?,
                    institute_uscc: r.institute_uscc,
                    certificate_number: r.certificate_number,
                    verdict: stored(&r.verdict)?,
                    next_due_on: stored_day("next_due_on", &r.next_due_on)?,
                })
            })
            .collect()
    }

    /// Keeps measurement standards (a standard filed again replaces its record), in one transaction.
    pub async fn put_measurement_standards(
        &self,
        standards: &[MeasurementStandard],
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for s in standards {
                sqlx::query(
                    "INSERT INTO measurement_standards (certificate_number, holder_uscc, name, range_text, uncertainty, \
                     valid_until, serves, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (certificate_number) DO UPDATE SET holder_uscc = excluded.holder_uscc, name = excluded.name, \
                     range_text = excluded.range_text, uncertainty = excluded.uncertainty, valid_until = excluded.valid_until, \
                     serves = excluded.serves, updated_at = excluded.updated_at",
                )
                .bind(s.certificate_number.as_str())
                .bind(s.holder_uscc.as_str())
                .bind(s.name.as_str())
                .bind(s.range.as_str())
                .bind(s.uncertainty.as_str())
                .bind(s.valid_until.to_string())
                .bind(s.serves.join(";"))
                .bind(at.as_str())
                .execute(&mut *tx)
                .await?;
            }
            let summary = serde_json::json!({"measurement_standards": standards.len()});
            write_audit!(&mut *tx, at, user_id, "measurement_standard", standards.first().map(|s| s.holder_uscc.clone()).unwrap_or_default(),
                ("upsert", None::<String>, Some(summary.to_string())));
            tx.commit().await?;
            Ok(())
        })
    }

    /// The measurement standards a holder keeps, by certificate number.
    pub async fn measurement_standards_of(&self, holder: &str) -> Result<Vec<MeasurementStandard>, StoreError> {
        let rows: Vec<StandardRow> = on_pool!(self, pool => sqlx::query_as(
            "SELECT certificate_number, holder_uscc, name, range_text, uncertainty, valid_until, serves \
             FROM measurement_standards WHERE holder_uscc = $1 ORDER BY certificate_number",
        ).bind(holder).fetch_all(pool).await?);
        rows.into_iter().map(StandardRow::standard).collect()
    }
}
