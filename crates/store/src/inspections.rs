//! Supervision sampling inspections (监督抽查): campaigns, strata, samples, and the counts behind pass rates.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::{QueryBuilder, Row};

use crate::on_pool;
use crate::search::Query;
use crate::store::{now, Store};
use crate::StoreError;

/// One sample's result as imported or recorded; the caller has checked every field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewSample {
    pub sample_id: String,
    pub campaign_id: String,
    /// national | provincial | city | county
    pub campaign_level: String,
    /// YYYY-MM-DD
    pub sampled_on: String,
    pub product_category: String,
    pub uscc: String,
    /// GB/T 2260 code where the enterprise is (six digits).
    pub region_code: String,
    /// production | retail | online
    pub channel: String,
    /// pass | fail
    pub verdict: String,
    pub gtin: Option<String>,
    pub lot: Option<String>,
    pub production_date: Option<String>,
    pub lab: Option<String>,
    pub sampler: Option<String>,
    /// Failed test items, `;`-separated, e.g. `GB 4806.7-2016 4.2 总迁移量`.
    pub failed_items: Option<String>,
    pub stratum: Option<String>,
    pub stratum_population: Option<i64>,
}

/// What pass rates can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PassRateGroup {
    ProductCategory,
    /// The enterprise's province.
    Region,
    Channel,
    Year,
    Quarter,
    CampaignLevel,
}

impl PassRateGroup {
    /// Every grouping.
    pub const ALL: [PassRateGroup; 6] = [
        PassRateGroup::ProductCategory,
        PassRateGroup::Region,
        PassRateGroup::Channel,
        PassRateGroup::Year,
        PassRateGroup::Quarter,
        PassRateGroup::CampaignLevel,
    ];

    /// API name.
    pub fn name(self) -> &'static str {
        match self {
            PassRateGroup::ProductCategory => "product_category",
            PassRateGroup::Region => "region",
            PassRateGroup::Channel => "channel",
            PassRateGroup::Year => "year",
            PassRateGroup::Quarter => "quarter",
            PassRateGroup::CampaignLevel => "campaign_level",
        }
    }

    /// Parses an API name.
    pub fn from_name(name: &str) -> Option<Self> {
        PassRateGroup::ALL.into_iter().find(|g| g.name() == name)
    }

    fn column(self) -> &'static str {
        match self {
            PassRateGroup::ProductCategory => "s.product_category",
            PassRateGroup::Region => "s.province_code",
            PassRateGroup::Channel => "s.channel",
            PassRateGroup::Year => "CAST(s.year AS TEXT)",
            PassRateGroup::Quarter => "(CAST(s.year AS TEXT) || '-Q' || CAST(s.quarter AS TEXT))",
            PassRateGroup::CampaignLevel => "s.campaign_level",
        }
    }
}

/// Which samples count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassRateFilter {
    pub campaign_level: Option<String>,
    pub campaign_id: Option<String>,
    pub product_category: Option<String>,
    /// Calendar year of sampling.
    pub year: Option<i64>,
    /// Region prefix (2, 4 or 6 digits) of the enterprise.
    pub region_prefix: Option<String>,
    /// First day, inclusive (YYYY-MM-DD).
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
    /// Count campaigns whose draw was weighted by credit class (risk-based selection). Left out by default: their
    /// samples over-represent high-risk organizations, so they do not estimate the population's pass rate.
    /// A filter on one campaign always counts it.
    pub include_risk_based: bool,
}

/// Counts of decided samples in one group (and, when asked, one stratum of one campaign).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassCount {
    /// Values of the group columns, in the order asked.
    pub key: Vec<String>,
    pub samples: i64,
    pub passed: i64,
    /// With strata: the campaign, the stratum and its population (None when the data have no strata).
    pub stratum: Option<(String, String, Option<i64>)>,
}

/// The year and quarter of a YYYY-MM-DD date (checked by the caller).
fn year_quarter(date: &str) -> (i64, i64) {
    let year = date[..4].parse().unwrap_or(0);
    let month: i64 = date[5..7].parse().unwrap_or(1);
    (year, (month - 1) / 3 + 1)
}

/// The province-level code `XX0000` of a six-digit region code.
fn province_code(region_code: &str) -> String {
    format!("{}0000", &region_code[..2])
}

const SAMPLE_COLUMNS: &str =
    "sample_id, campaign_id, campaign_level, sampled_on, year, quarter, product_category, uscc, \
     region_code, province_code, channel, verdict, gtin, lot, production_date, lab, sampler, stratum, failed_items, \
     status, created_at, updated_at";
const SAMPLES_PER_STATEMENT: usize = 1_000;

/// A published sample's public fields.
type PublishedRow = (String, String, String, Option<String>, Option<String>, Option<String>, Option<String>);

impl Store {
    /// Stratum populations already recorded for these (campaign, stratum) pairs.
    pub async fn stratum_populations(
        &self,
        keys: &[(String, String)],
    ) -> Result<HashMap<(String, String), i64>, StoreError> {
        let mut found = HashMap::new();
        on_pool!(self, pool => {
            for chunk in keys.chunks(2_000) {
                let mut builder = QueryBuilder::new("SELECT campaign_id, stratum, population FROM campaign_strata WHERE ");
                let mut first = true;
                for (campaign, stratum) in chunk {
                    if !first {
                        builder.push(" OR ");
                    }
                    first = false;
                    builder.push("(campaign_id = ").push_bind(campaign.clone()).push(" AND stratum = ").push_bind(stratum.clone()).push(")");
                }
                for row in builder.build().fetch_all(pool).await? {
                    found.insert((row.try_get::<String, _>(0)?, row.try_get::<String, _>(1)?), row.try_get::<i64, _>(2)?);
                }
            }
            Ok::<(), StoreError>(())
        })?;
        Ok(found)
    }

    /// Imports one batch of samples in one transaction: campaigns and strata are created when first seen,
    /// samples are inserted or updated by id. Returns (inserted, updated).
    pub async fn import_samples(
        &self,
        batch: &[NewSample],
        user_id: Option<i64>,
    ) -> Result<crate::BatchOutcome, StoreError> {
        let at = now();
        let mut campaigns: Vec<&NewSample> = Vec::new();
        let mut seen_campaigns = HashSet::new();
        let mut strata: Vec<(&str, &str, i64)> = Vec::new();
        let mut seen_strata = HashSet::new();
        for sample in batch {
            if seen_campaigns.insert(sample.campaign_id.as_str()) {
                campaigns.push(sample);
            }
            if let (Some(stratum), Some(population)) = (&sample.stratum, sample.stratum_population) {
                if seen_strata.insert((sample.campaign_id.as_str(), stratum.as_str())) {
                    strata.push((sample.campaign_id.as_str(), stratum.as_str(), population));
                }
            }
        }
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            for sample in &campaigns {
                let (year, _) = year_quarter(&sample.sampled_on);
                sqlx::query(
                    "INSERT INTO campaigns (id, name, level, region_code, product_category, year, status, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 'published', $7, $8) ON CONFLICT (id) DO NOTHING",
                )
                .bind(&sample.campaign_id)
                .bind(&sample.campaign_id)
                .bind(&sample.campaign_level)
                .bind(crate::error::stored::<sampling::Level>(&sample.campaign_level)?.jurisdiction(&sample.region_code))
                .bind(&sample.product_category)
                .bind(year)
                .bind(&at)
                .bind(&at)
                .execute(&mut *tx)
                .await?;
            }
            for (campaign, stratum, population) in &strata {
                sqlx::query(
                    "INSERT INTO campaign_strata (campaign_id, stratum, population) VALUES ($1, $2, $3) \
                     ON CONFLICT (campaign_id, stratum) DO NOTHING",
                )
                .bind(*campaign)
                .bind(*stratum)
                .bind(*population)
                .execute(&mut *tx)
                .await?;
            }
            let mut existing = HashSet::new();
            for chunk in batch.chunks(10_000) {
                let mut builder = QueryBuilder::new("SELECT sample_id FROM samples WHERE sample_id IN (");
                let mut separated = builder.separated(", ");
                for sample in chunk {
                    separated.push_bind(sample.sample_id.clone());
                }
                separated.push_unseparated(")");
                for row in builder.build().fetch_all(&mut *tx).await? {
                    existing.insert(row.try_get::<String, _>(0)?);
                }
            }
            for chunk in batch.chunks(SAMPLES_PER_STATEMENT) {
                let mut builder = QueryBuilder::new(format!("INSERT INTO samples ({SAMPLE_COLUMNS}) "));
                builder.push_values(chunk, |mut b, s| {
                    let (year, quarter) = year_quarter(&s.sampled_on);
                    b.push_bind(s.sample_id.as_str())
                        .push_bind(s.campaign_id.as_str())
                        .push_bind(s.campaign_level.as_str())
                        .push_bind(s.sampled_on.as_str())
                        .push_bind(year)
                        .push_bind(quarter)
                        .push_bind(s.product_category.as_str())
                        .push_bind(s.uscc.as_str())
                        .push_bind(s.region_code.as_str())
                        .push_bind(province_code(&s.region_code))
                        .push_bind(s.channel.as_str())
                        .push_bind(s.verdict.as_str())
                        .push_bind(s.gtin.as_deref())
                        .push_bind(s.lot.as_deref())
                        .push_bind(s.production_date.as_deref())
                        .push_bind(s.lab.as_deref())
                        .push_bind(s.sampler.as_deref())
                        .push_bind(s.stratum.as_deref())
                        .push_bind(s.failed_items.as_deref())
                        .push_bind("published")
                        .push_bind(at.as_str())
                        .push_bind(at.as_str());
                });
                builder.push(
                    " ON CONFLICT (sample_id) DO UPDATE SET campaign_id = excluded.campaign_id, \
                     campaign_level = excluded.campaign_level, sampled_on = excluded.sampled_on, year = excluded.year, \
                     quarter = excluded.quarter, product_category = excluded.product_category, uscc = excluded.uscc, \
                     region_code = excluded.region_code, province_code = excluded.province_code, \
                     channel = excluded.channel, verdict = excluded.verdict, gtin = excluded.gtin, lot = excluded.lot, \
                     production_date = excluded.production_date, lab = excluded.lab, sampler = excluded.sampler, \
                     stratum = excluded.stratum, failed_items = excluded.failed_items, updated_at = excluded.updated_at",
                );
                builder.build().execute(&mut *tx).await?;
            }
            // A newly imported failure is an event for the credit file, as a published one from the workflow is.
            let new_failures: Vec<&NewSample> =
                batch.iter().filter(|s| s.verdict == "fail" && !existing.contains(&s.sample_id)).collect();
            for chunk in new_failures.chunks(SAMPLES_PER_STATEMENT) {
                let mut builder =
                    QueryBuilder::new("INSERT INTO sample_events (sample_id, uscc, kind, on_date, due_on, details, user_id, at) ");
                builder.push_values(chunk, |mut b, s| {
                    b.push_bind(s.sample_id.as_str())
                        .push_bind(s.uscc.as_str())
                        .push_bind("inspection_failed")
                        .push_bind(s.sampled_on.as_str())
                        .push_bind(None::<String>)
                        .push_bind(s.failed_items.as_deref())
                        .push_bind(None::<i64>)
                        .push_bind(at.as_str());
                });
                builder.build().execute(&mut *tx).await?;
            }
            // Imported results are published ones: each goes to the public log with the batch (a re-import as a
            // correction).
            let entries: Vec<crate::public_log::NewEntry> = batch
                .iter()
                .map(|s| crate::public_log::NewEntry {
                    kind: "inspection_result".into(),
                    subject: s.uscc.clone(),
                    data: crate::public_log::canonical(&serde_json::json!({
                        "type": "inspection_result", "event": if existing.contains(&s.sample_id) { "corrected" } else { "published" },
                        "sample_id": s.sample_id, "campaign_id": s.campaign_id, "product_category": s.product_category,
                        "uscc": s.uscc, "verdict": s.verdict, "failed_items": s.failed_items, "gtin": s.gtin, "lot": s.lot,
                        "sampled_on": s.sampled_on,
                    })),
                })
                .collect();
            crate::public_log::append_in!(tx, &entries);
            let outcome = crate::BatchOutcome {
                inserted: (batch.len() - existing.len()) as u64,
                updated: existing.len() as u64,
            };
            let summary = serde_json::json!({"rows": batch.len(), "inserted": outcome.inserted, "updated": outcome.updated});
            sqlx::query(
                "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
                 VALUES ($1, $2, 'import', 'sample', $3, NULL, $4)",
            )
            .bind(&at)
            .bind(user_id)
            .bind(format!("batch of {}", batch.len()))
            .bind(summary.to_string())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(outcome)
        })
    }

    /// Counts of decided samples (pass or fail) per group; with `by_stratum`, per group, campaign and stratum
    /// with the stratum's population.
    pub async fn pass_counts(
        &self,
        group_by: &[PassRateGroup],
        filter: &PassRateFilter,
        by_stratum: bool,
    ) -> Result<Vec<PassCount>, StoreError> {
        let mut select: Vec<String> = group_by.iter().map(|g| g.column().to_owned()).collect();
        if by_stratum {
            select.extend([
                "s.campaign_id".to_owned(),
                "COALESCE(s.stratum, '')".to_owned(),
                "cs.population".to_owned(),
            ]);
        }
        let keys = select.len();
        // The summary cells answer whatever does not filter by day or below province level; the rest scans.
        let summary =
            filter.from.is_none() && filter.to.is_none() && filter.region_prefix.as_ref().is_none_or(|p| p.len() == 2);
        let mut sql = String::from("SELECT ");
        for column in &select {
            sql.push_str(column);
            sql.push_str(", ");
        }
        if summary {
            sql.push_str("CAST(SUM(s.samples) AS BIGINT), CAST(SUM(s.passed) AS BIGINT) FROM sample_counts s");
        } else {
            sql.push_str("COUNT(*), SUM(CASE WHEN s.verdict = 'pass' THEN 1 ELSE 0 END) FROM samples s");
        }
        if by_stratum {
            sql.push_str(" LEFT JOIN campaign_strata cs ON cs.campaign_id = s.campaign_id AND cs.stratum = s.stratum");
        }
        // Only published results count: a pass rate is a public figure.
        if summary {
            sql.push_str(" WHERE s.samples > 0");
        } else {
            sql.push_str(" WHERE s.verdict IN ('pass', 'fail') AND s.status = 'published'");
        }
        let mut query = Query::new(sql);
        if let Some(level) = &filter.campaign_level {
            query.push(" AND s.campaign_level = ").bind_text(level);
        }
        if let Some(campaign) = &filter.campaign_id {
            query.push(" AND s.campaign_id = ").bind_text(campaign);
        }
        if let Some(category) = &filter.product_category {
            query.push(" AND s.product_category = ").bind_text(category);
        }
        if !filter.include_risk_based && filter.campaign_id.is_none() {
            query.push(" AND s.campaign_id NOT IN (SELECT id FROM campaigns WHERE selection = 'credit_weighted')");
        }
        if let Some(year) = filter.year {
            query.push(" AND s.year = ").bind_int(year);
        }
        match &filter.region_prefix {
            Some(prefix) if summary => {
                query.push(" AND s.province_code = ").bind_text(format!("{prefix}0000"));
            }
            Some(prefix) => {
                query.push(" AND s.region_code LIKE ").bind_text(format!("{prefix}%"));
            }
            None => {}
        }
        if let Some(from) = &filter.from {
            query.push(" AND s.sampled_on >= ").bind_text(from);
        }
        if let Some(to) = &filter.to {
            query.push(" AND s.sampled_on <= ").bind_text(to);
        }
        if keys > 0 {
            let positions: Vec<String> = (1..=keys).map(|i| i.to_string()).collect();
            query.push(format!(" GROUP BY {} ORDER BY {}", positions.join(", "), positions.join(", ")));
        }
        let mut out = Vec::new();
        on_pool!(self, pool => {
            for row in query.builder().build().fetch_all(pool).await? {
                let key_count = group_by.len();
                let mut key = Vec::with_capacity(key_count);
                for i in 0..key_count {
                    key.push(row.try_get::<Option<String>, _>(i)?.unwrap_or_default());
                }
                let stratum = if by_stratum {
                    Some((
                        row.try_get::<String, _>(key_count)?,
                        row.try_get::<String, _>(key_count + 1)?,
                        row.try_get::<Option<i64>, _>(key_count + 2)?,
                    ))
                } else {
                    None
                };
                out.push(PassCount {
                    key,
                    samples: row.try_get::<i64, _>(keys)?,
                    passed: row.try_get::<Option<i64>, _>(keys + 1)?.unwrap_or(0),
                    stratum,
                });
            }
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }
}

/// A campaign (抽查任务) to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCampaign {
    pub id: String,
    pub name: String,
    pub level: String,
    /// Jurisdiction: the organising regulator's GB/T 2260 code (`000000` for national campaigns).
    pub region_code: String,
    pub product_category: Option<String>,
    pub year: i64,
    /// Seed of the reproducible draw of organizations.
    pub seed: i64,
    /// Strata: name, population size, planned sample allocation.
    pub strata: Vec<(String, i64, Option<i64>)>,
}

/// A stored campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Campaign {
    pub id: String,
    pub name: String,
    /// national | provincial | city | county
    pub level: String,
    /// Jurisdiction: the organising regulator's GB/T 2260 code (`000000` for national campaigns).
    pub region_code: String,
    pub product_category: Option<String>,
    pub year: i64,
    /// planned | sampling | published
    pub status: String,
    /// Seed of the reproducible draw of organizations.
    pub seed: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

/// A stored sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Sample {
    pub sample_id: String,
    pub campaign_id: String,
    /// national | provincial | city | county
    pub campaign_level: String,
    /// YYYY-MM-DD
    pub sampled_on: String,
    pub product_category: String,
    /// The sampled enterprise.
    pub uscc: String,
    /// GB/T 2260 code where the enterprise is (six digits).
    pub region_code: String,
    /// production | retail | online
    pub channel: String,
    /// pending | pass | fail: the re-test's after a re-test.
    pub verdict: String,
    /// The first test's verdict, when a re-test replaced it.
    pub first_verdict: Option<String>,
    pub gtin: Option<String>,
    pub lot: Option<String>,
    pub production_date: Option<String>,
    /// The laboratory: its USCC for a sample recorded in the workflow.
    pub lab: Option<String>,
    pub sampler: Option<String>,
    pub stratum: Option<String>,
    /// Failed test items, `;`-separated.
    pub failed_items: Option<String>,
    /// sampled | tested | notified | retest_requested | retested | published
    pub status: String,
    pub notified_on: Option<String>,
    /// The last day to ask for a re-test, once a failure is notified.
    pub retest_deadline: Option<String>,
    pub published_on: Option<String>,
    pub updated_at: String,
}

/// One test item of a lab result (检验项目).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct TestItem {
    pub item: String,
    /// Standard and clause, e.g. `GB 4806.7-2016 4.2`.
    pub standard_clause: String,
    pub limit_value: Option<String>,
    pub measured: Option<String>,
    pub unit: Option<String>,
    /// pass | fail
    pub verdict: String,
}

/// A test item with the round it belongs to (1 = first test, 2 = re-test).
#[derive(sqlx::FromRow)]
struct RoundItem {
    round: i64,
    #[sqlx(flatten)]
    item: TestItem,
}

/// One step in a sample's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SampleEvent {
    pub id: i64,
    pub sample_id: String,
    pub uscc: String,
    /// sampled, result_recorded, retest_result, notified, retest_requested, published, inspection_failed,
    /// rectification_ordered, reinspected or penalty_referred.
    pub kind: String,
    pub on_date: String,
    pub due_on: Option<String>,
    pub details: Option<String>,
    pub user_id: Option<i64>,
    pub at: String,
}

/// A change of a sample's state, written with its event in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SampleChange {
    pub status: Option<String>,
    pub verdict: Option<String>,
    pub failed_items: Option<Option<String>>,
    pub notified_on: Option<String>,
    /// `Some(None)` clears the deadline (a re-test result is final).
    pub retest_deadline: Option<Option<String>>,
    pub published_on: Option<String>,
    /// Test items of this round (1 = first test, 2 = re-test), replacing any recorded for it.
    pub items: Option<(i64, Vec<TestItem>)>,
}

/// An event to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub kind: String,
    pub on_date: String,
    pub due_on: Option<String>,
    pub details: Option<String>,
}

const CAMPAIGN_COLUMNS: &str =
    "id, name, level, region_code, product_category, year, status, seed, created_at, updated_at";
const SAMPLE_VIEW_COLUMNS: &str = "sample_id, campaign_id, campaign_level, sampled_on, product_category, uscc, region_code, \
     channel, verdict, first_verdict, gtin, lot, production_date, lab, sampler, stratum, failed_items, status, notified_on, \
     retest_deadline, published_on, updated_at";

impl Store {
    /// Creates a campaign with its strata; a campaign id is used once.
    pub async fn create_campaign(&self, campaign: &NewCampaign, user_id: Option<i64>) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let exists: Option<String> =
                sqlx::query_scalar("SELECT id FROM campaigns WHERE id = $1").bind(&campaign.id).fetch_optional(&mut *tx).await?;
            if exists.is_some() {
                return Err(StoreError::Conflict(format!("campaign {} already exists", campaign.id)));
            }
            sqlx::query(
                "INSERT INTO campaigns (id, name, level, region_code, product_category, year, status, seed, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $8, $9)",
            )
            .bind(&campaign.id)
            .bind(&campaign.name)
            .bind(&campaign.level)
            .bind(&campaign.region_code)
            .bind(&campaign.product_category)
            .bind(campaign.year)
            .bind(campaign.seed)
            .bind(&at)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            for (stratum, population, allocation) in &campaign.strata {
                sqlx::query("INSERT INTO campaign_strata (campaign_id, stratum, population, allocation) VALUES ($1, $2, $3, $4)")
                    .bind(&campaign.id)
                    .bind(stratum)
                    .bind(population)
                    .bind(allocation)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
                 VALUES ($1, $2, 'insert', 'campaign', $3, NULL, $4)",
            )
            .bind(&at)
            .bind(user_id)
            .bind(&campaign.id)
            .bind(serde_json::json!({"name": campaign.name, "level": campaign.level, "region_code": campaign.region_code, "strata": campaign.strata}).to_string())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// One campaign.
    pub async fn campaign(&self, id: &str) -> Result<Option<Campaign>, StoreError> {
        let sql = format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE id = $1");
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// Campaigns, newest year first, optionally of one level and year, within a region prefix.
    pub async fn campaigns(
        &self,
        level: Option<&str>,
        year: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Campaign>, StoreError> {
        let sql = format!(
            "SELECT {CAMPAIGN_COLUMNS} FROM campaigns WHERE ($1 IS NULL OR level = $1) AND ($2 IS NULL OR year = $2) \
             ORDER BY year DESC, id LIMIT $3"
        );
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(level).bind(year).bind(limit).fetch_all(pool).await?))
    }

    /// A campaign's strata: name, population, allocation.
    pub async fn campaign_strata(&self, id: &str) -> Result<Vec<(String, i64, Option<i64>)>, StoreError> {
        let sql = "SELECT stratum, population, allocation FROM campaign_strata WHERE campaign_id = $1 ORDER BY stratum";
        on_pool!(self, pool => Ok(sqlx::query_as(sql).bind(id).fetch_all(pool).await?))
    }

    /// Sets a campaign's status.
    pub async fn set_campaign_status(&self, id: &str, status: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            sqlx::query("UPDATE campaigns SET status = $1, updated_at = $2 WHERE id = $3")
                .bind(status)
                .bind(now())
                .bind(id)
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// The sampling frame of a draw: organizations in the region prefix that are active and, when a category
    /// is given, make a product in it; in USCC order so that a seeded draw is reproducible.
    pub async fn sampling_frame(&self, region_prefix: &str, category: Option<&str>) -> Result<Vec<String>, StoreError> {
        let like = format!("{region_prefix}%");
        let sql = match category {
            Some(_) => "SELECT o.uscc FROM organizations o WHERE o.region_code LIKE $1 AND o.status = 'active' \
                        AND EXISTS (SELECT 1 FROM products p WHERE p.uscc = o.uscc AND p.category_code LIKE $2) ORDER BY o.uscc",
            None => "SELECT o.uscc FROM organizations o WHERE o.region_code LIKE $1 AND o.status = 'active' AND $2 IS NULL ORDER BY o.uscc",
        };
        let category = category.map(|c| format!("{c}%"));
        on_pool!(self, pool => Ok(sqlx::query_scalar(sql).bind(like).bind(category).fetch_all(pool).await?))
    }

    /// Records the organizations drawn for a campaign with their strata, in draw order, and the selection
    /// weight of each when the draw was weighted by credit class; a campaign is drawn once.
    pub async fn record_draw(
        &self,
        campaign_id: &str,
        drawn: &[(String, Option<String>)],
        weights: Option<&[f64]>,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let already: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM campaign_draws WHERE campaign_id = $1")
                .bind(campaign_id)
                .fetch_one(&mut *tx)
                .await?;
            if already > 0 {
                return Err(StoreError::Conflict(format!("campaign {campaign_id} has already been drawn")));
            }
            for (position, (uscc, stratum)) in drawn.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO campaign_draws (campaign_id, uscc, stratum, position, selection_weight) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(campaign_id)
                .bind(uscc)
                .bind(stratum)
                .bind(position as i64)
                .bind(weights.and_then(|w| w.get(position).copied()))
                    .execute(&mut *tx)
                    .await?;
            }
            let selection = if weights.is_some() { "credit_weighted" } else { "equal_probability" };
            sqlx::query("UPDATE campaigns SET status = 'sampling', selection = $1, updated_at = $2 WHERE id = $3")
                .bind(selection)
                .bind(now())
                .bind(campaign_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The organizations drawn for a campaign with their strata, in draw order.
    pub async fn campaign_draw(&self, campaign_id: &str) -> Result<Vec<(String, Option<String>)>, StoreError> {
        let sql = "SELECT uscc, stratum FROM campaign_draws WHERE campaign_id = $1 ORDER BY position";
        on_pool!(self, pool => Ok(sqlx::query_as(sql).bind(campaign_id).fetch_all(pool).await?))
    }

    /// Records a new sample taken in the field; an organization is sampled at most once per campaign.
    pub async fn record_sample(&self, sample: &NewSample, user_id: Option<i64>) -> Result<(), StoreError> {
        let at = now();
        let (year, quarter) = year_quarter(&sample.sampled_on);
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let clash: Option<String> = sqlx::query_scalar(
                "SELECT sample_id FROM samples WHERE sample_id = $1 OR (campaign_id = $2 AND uscc = $3)",
            )
            .bind(&sample.sample_id)
            .bind(&sample.campaign_id)
            .bind(&sample.uscc)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(existing) = clash {
                return Err(StoreError::Conflict(if existing == sample.sample_id {
                    format!("sample {existing} already exists")
                } else {
                    format!("organization {} was already sampled in campaign {} (sample {existing})", sample.uscc, sample.campaign_id)
                }));
            }
            sqlx::query(&format!(
                "INSERT INTO samples ({SAMPLE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', \
                 $12, $13, $14, $15, $16, $17, NULL, 'sampled', $18, $19)"
            ))
            .bind(&sample.sample_id)
            .bind(&sample.campaign_id)
            .bind(&sample.campaign_level)
            .bind(&sample.sampled_on)
            .bind(year)
            .bind(quarter)
            .bind(&sample.product_category)
            .bind(&sample.uscc)
            .bind(&sample.region_code)
            .bind(province_code(&sample.region_code))
            .bind(&sample.channel)
            .bind(&sample.gtin)
            .bind(&sample.lot)
            .bind(&sample.production_date)
            .bind(&sample.lab)
            .bind(&sample.sampler)
            .bind(&sample.stratum)
            .bind(&at)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO sample_events (sample_id, uscc, kind, on_date, due_on, details, user_id, at) \
                 VALUES ($1, $2, 'sampled', $3, NULL, NULL, $4, $5)",
            )
            .bind(&sample.sample_id)
            .bind(&sample.uscc)
            .bind(&sample.sampled_on)
            .bind(user_id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// One sample.
    pub async fn sample(&self, id: &str) -> Result<Option<Sample>, StoreError> {
        let sql = format!("SELECT {SAMPLE_VIEW_COLUMNS} FROM samples WHERE sample_id = $1");
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
    }

    /// Samples of a campaign, or of an organization, in id order (at most `limit`).
    pub async fn samples_where(
        &self,
        campaign_id: Option<&str>,
        uscc: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Sample>, StoreError> {
        let sql = format!(
            "SELECT {SAMPLE_VIEW_COLUMNS} FROM samples WHERE ($1 IS NULL OR campaign_id = $1) AND ($2 IS NULL OR uscc = $2) \
             ORDER BY sampled_on DESC, sample_id LIMIT $3"
        );
        on_pool!(self, pool => Ok(sqlx::query_as(&sql).bind(campaign_id).bind(uscc).bind(limit).fetch_all(pool).await?))
    }

    /// Decided failures in a period: product category, the enterprise's province, sampling day and the failed test
    /// items (`;`-separated), for risk signals from supervision sampling.
    pub async fn failures_between(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, String, String, String)>, StoreError> {
        on_pool!(self, pool => {
            Ok(sqlx::query_as(
                "SELECT product_category, province_code, sampled_on, COALESCE(failed_items, '') FROM samples \
                 WHERE verdict = 'fail' AND sampled_on >= $1 AND sampled_on <= $2",
            )
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Test items of a sample, by round.
    pub async fn sample_items(&self, id: &str) -> Result<Vec<(i64, TestItem)>, StoreError> {
        let sql = "SELECT round, item, standard_clause, limit_value, measured, unit, verdict FROM sample_items \
                   WHERE sample_id = $1 ORDER BY round, item";
        let rows: Vec<RoundItem> = on_pool!(self, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|row| (row.round, row.item)).collect())
    }

    /// The events of one kind of a campaign's samples, oldest first: what a campaign page marks on its rows,
    /// read in one query rather than one per sample.
    pub async fn campaign_events_of_kind(&self, campaign_id: &str, kind: &str) -> Result<Vec<SampleEvent>, StoreError> {
        let sql = "SELECT e.id, e.sample_id, e.uscc, e.kind, e.on_date, e.due_on, e.details, e.user_id, e.at \
                   FROM sample_events e JOIN samples s ON s.sample_id = e.sample_id \
                   WHERE s.campaign_id = $1 AND e.kind = $2 ORDER BY e.id";
        on_pool!(self, pool => Ok(sqlx::query_as(sql).bind(campaign_id).bind(kind).fetch_all(pool).await?))
    }

    /// A sample's history, oldest first.
    pub async fn sample_events(&self, id: &str) -> Result<Vec<SampleEvent>, StoreError> {
        let sql = "SELECT id, sample_id, uscc, kind, on_date, due_on, details, user_id, at FROM sample_events \
                   WHERE sample_id = $1 ORDER BY id";
        on_pool!(self, pool => Ok(sqlx::query_as(sql).bind(id).fetch_all(pool).await?))
    }

    /// Failure and follow-up events of every sample, after `after_id`: the feed the credit file consumes.
    pub async fn inspection_events_after(&self, after_id: i64, limit: i64) -> Result<Vec<SampleEvent>, StoreError> {
        let sql = "SELECT id, sample_id, uscc, kind, on_date, due_on, details, user_id, at FROM sample_events \
                   WHERE id > $1 AND kind IN ('inspection_failed', 'rectification_ordered', 'reinspected', 'penalty_referred') \
                   ORDER BY id LIMIT $2";
        on_pool!(self, pool => Ok(sqlx::query_as(sql).bind(after_id).bind(limit).fetch_all(pool).await?))
    }

    /// Applies a change to a sample and appends its event, atomically; a publication also goes to the public log.
    pub async fn change_sample(
        &self,
        id: &str,
        change: &SampleChange,
        event: &NewEvent,
        user_id: Option<i64>,
    ) -> Result<(), StoreError> {
        let at = now();
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            let uscc: Option<String> =
                sqlx::query_scalar("SELECT uscc FROM samples WHERE sample_id = $1").bind(id).fetch_optional(&mut *tx).await?;
            let uscc = uscc.ok_or_else(|| StoreError::MissingReference { kind: "sample", key: id.to_owned() })?;
            let mut builder = QueryBuilder::new("UPDATE samples SET updated_at = ");
            builder.push_bind(at.clone());
            if let Some(status) = &change.status {
                builder.push(", status = ").push_bind(status.clone());
            }
            if let Some(verdict) = &change.verdict {
                // The first decided verdict is kept when a re-test replaces it.
                builder.push(", first_verdict = CASE WHEN verdict = 'pending' THEN first_verdict ELSE COALESCE(first_verdict, verdict) END");
                builder.push(", verdict = ").push_bind(verdict.clone());
            }
            if let Some(failed_items) = &change.failed_items {
                builder.push(", failed_items = ").push_bind(failed_items.clone());
            }
            if let Some(date) = &change.notified_on {
                builder.push(", notified_on = ").push_bind(date.clone());
            }
            if let Some(date) = &change.retest_deadline {
                builder.push(", retest_deadline = ").push_bind(date.clone());
            }
            if let Some(date) = &change.published_on {
                builder.push(", published_on = ").push_bind(date.clone());
            }
            builder.push(" WHERE sample_id = ").push_bind(id.to_owned());
            builder.build().execute(&mut *tx).await?;
            if let Some((round, items)) = &change.items {
                sqlx::query("DELETE FROM sample_items WHERE sample_id = $1 AND round = $2").bind(id).bind(round).execute(&mut *tx).await?;
                for item in items {
                    sqlx::query(
                        "INSERT INTO sample_items (sample_id, round, item, standard_clause, limit_value, measured, unit, verdict) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(id)
                    .bind(round)
                    .bind(&item.item)
                    .bind(&item.standard_clause)
                    .bind(&item.limit_value)
                    .bind(&item.measured)
                    .bind(&item.unit)
                    .bind(&item.verdict)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            if change.status.as_deref() == Some("published") {
                // A published result goes to the public log with the publication, in this transaction.
                let (campaign, category, verdict, failed, gtin, lot, published_on): PublishedRow = sqlx::query_as(
                    "SELECT campaign_id, product_category, verdict, failed_items, gtin, lot, published_on FROM samples WHERE sample_id = $1",
                )
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
                let entry = crate::public_log::NewEntry {
                    kind: "inspection_result".into(),
                    subject: uscc.clone(),
                    data: crate::public_log::canonical(&serde_json::json!({
                        "type": "inspection_result", "event": "published", "sample_id": id, "campaign_id": campaign, "product_category": category,
                        "uscc": uscc, "verdict": verdict, "failed_items": failed, "gtin": gtin, "lot": lot, "published_on": published_on,
                    })),
                };
                crate::public_log::append_in!(tx, std::slice::from_ref(&entry));
            }
            sqlx::query(
                "INSERT INTO sample_events (sample_id, uscc, kind, on_date, due_on, details, user_id, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(&uscc)
            .bind(&event.kind)
            .bind(&event.on_date)
            .bind(&event.due_on)
            .bind(&event.details)
            .bind(user_id)
            .bind(&at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }
}
