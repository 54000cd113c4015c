//! Supervision sampling inspections (监督抽查): campaigns, strata, samples, and the counts behind pass rates.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use sqlx::{QueryBuilder, Row};

use crate::on_pool;
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
    /// Region prefix (2, 4 or 6 digits) of the enterprise.
    pub region_prefix: Option<String>,
    /// First day, inclusive (YYYY-MM-DD).
    pub from: Option<String>,
    /// Last day, inclusive.
    pub to: Option<String>,
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

/// The jurisdiction of a campaign of this level over a sample in `region_code`.
fn campaign_region(level: &str, region_code: &str) -> String {
    match level {
        "national" => "000000".to_owned(),
        "provincial" => format!("{}0000", &region_code[..2]),
        "city" => format!("{}00", &region_code[..4]),
        _ => region_code.to_owned(),
    }
}

const SAMPLE_COLUMNS: &str =
    "sample_id, campaign_id, campaign_level, sampled_on, year, quarter, product_category, uscc, \
     region_code, province_code, channel, verdict, gtin, lot, production_date, lab, sampler, stratum, failed_items, \
     status, created_at, updated_at";
const SAMPLES_PER_STATEMENT: usize = 1_000;

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
    pub async fn import_samples(&self, batch: &[NewSample]) -> Result<crate::BatchOutcome, StoreError> {
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
                .bind(campaign_region(&sample.campaign_level, &sample.region_code))
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
                        .push_bind(format!("{}0000", &s.region_code[..2]))
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
            let outcome = crate::BatchOutcome {
                inserted: (batch.len() - existing.len()) as u64,
                updated: existing.len() as u64,
            };
            let summary = serde_json::json!({"rows": batch.len(), "inserted": outcome.inserted, "updated": outcome.updated});
            sqlx::query(
                "INSERT INTO audit_log (at, user_id, action, entity_kind, entity_key, before_json, after_json) \
                 VALUES ($1, NULL, 'import', 'sample', $2, NULL, $3)",
            )
            .bind(&at)
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
        let mut sql = String::from("SELECT ");
        for column in &select {
            sql.push_str(column);
            sql.push_str(", ");
        }
        sql.push_str("COUNT(*), SUM(CASE WHEN s.verdict = 'pass' THEN 1 ELSE 0 END) FROM samples s");
        if by_stratum {
            sql.push_str(" LEFT JOIN campaign_strata cs ON cs.campaign_id = s.campaign_id AND cs.stratum = s.stratum");
        }
        sql.push_str(" WHERE s.verdict IN ('pass', 'fail')");
        macro_rules! build {
            ($builder:ident) => {{
                let mut $builder = QueryBuilder::new(sql.clone());
                if let Some(level) = &filter.campaign_level {
                    $builder.push(" AND s.campaign_level = ").push_bind(level.clone());
                }
                if let Some(campaign) = &filter.campaign_id {
                    $builder.push(" AND s.campaign_id = ").push_bind(campaign.clone());
                }
                if let Some(category) = &filter.product_category {
                    $builder.push(" AND s.product_category = ").push_bind(category.clone());
                }
                if let Some(prefix) = &filter.region_prefix {
                    $builder.push(" AND s.region_code LIKE ").push_bind(format!("{prefix}%"));
                }
                if let Some(from) = &filter.from {
                    $builder.push(" AND s.sampled_on >= ").push_bind(from.clone());
                }
                if let Some(to) = &filter.to {
                    $builder.push(" AND s.sampled_on <= ").push_bind(to.clone());
                }
                if keys > 0 {
                    let positions: Vec<String> = (1..=keys).map(|i| i.to_string()).collect();
                    $builder.push(format!(" GROUP BY {} ORDER BY {}", positions.join(", "), positions.join(", ")));
                }
                $builder
            }};
        }
        let mut out = Vec::new();
        on_pool!(self, pool => {
            let mut builder = build!(builder);
            for row in builder.build().fetch_all(pool).await? {
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
