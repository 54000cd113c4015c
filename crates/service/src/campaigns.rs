//! The supervision sampling workflow (监督抽查): campaign plan with strata, a reproducible random draw of
//! organizations, sampling, lab results per test item, notice to the enterprise, re-test (复检) within the
//! legal window, publication, and follow-up of failing enterprises (后处理). The rules and the draw are the
//! `sampling` room's; each step here is one transaction.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use store::inspections::{Campaign, NewCampaign, NewEvent, NewSample, Sample, SampleChange, SampleEvent, TestItem};
use store::{Role, User};

use crate::access::authorize_supervision;
use crate::error::stored;
use crate::input::{self, optional_text};
use crate::standards::CitationView;
use crate::{ApiError, ErrorCode, Services};
use sampling::draw::Frame;
use sampling::{CampaignStatus, EventKind, FollowUp, Level, Refusal, SampleStatus, Verdict};

/// A stored day; one that does not read is an integrity fault.
fn stored_day(text: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ApiError::integrity(format!("stored day '{text}'")))
}

fn required(field: &str, value: Option<String>) -> Result<String, ApiError> {
    optional_text(value).ok_or_else(|| ApiError::invalid(format!("{field} is required")))
}

fn required_date(field: &'static str, value: Option<String>) -> Result<NaiveDate, ApiError> {
    Ok(input::date(field, &required(field, value)?)?)
}

async fn campaign_or_404(state: &Services, id: &str) -> Result<Campaign, ApiError> {
    state.store.campaign(id).await?.ok_or_else(|| ApiError::not_found(format!("no campaign {id}")))
}

async fn sample_or_404(state: &Services, id: &str) -> Result<Sample, ApiError> {
    state.store.sample(id).await?.ok_or_else(|| ApiError::not_found(format!("no sample {id}")))
}

/// A stratum of a campaign's plan.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StratumInput)]
pub struct StratumBody {
    /// The stratum's name, unique in the campaign. When every stratum is a GB/T 2260 code inside the campaign's
    /// jurisdiction with an allocation, each allocation is drawn from its own region.
    pub stratum: String,
    /// Organizations in the stratum.
    #[schema(minimum = 1)]
    pub population: i64,
    /// Planned samples, at most the population.
    #[schema(minimum = 1)]
    pub allocation: Option<i64>,
}

/// A campaign's plan (抽查计划).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = CampaignInput)]
pub struct CampaignBody {
    /// Required: 1 to 64 characters without spaces, used once.
    #[schema(max_length = 64)]
    pub id: Option<String>,
    /// Defaults to the id.
    pub name: Option<String>,
    /// Required: national (admin only), provincial, city or county (or 国家, 省级, 市级, 县级…).
    pub level: Option<String>,
    /// The organising regulator's region; defaults to the regulator's own.
    #[schema(max_length = 6)]
    pub region_code: Option<String>,
    /// A product category code of the supervision catalogue (`/api/v1/categories`): the frame's organizations.
    pub product_category: Option<String>,
    /// Required.
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: Option<i64>,
    /// Seed of the reproducible draw; defaults to the year.
    pub seed: Option<i64>,
    /// Total planned samples: allocated to strata without an allocation in proportion to their populations.
    #[schema(minimum = 1)]
    pub sample_size: Option<i64>,
    #[serde(default)]
    pub strata: Vec<StratumBody>,
}

/// The campaign jurisdiction code for a level: `000000` nationally, else the region cut to the level.
fn jurisdiction(level: &str, region: Option<&str>) -> Result<String, ApiError> {
    let level: Level = level.parse().map_err(|e: rulekit::UnknownValue| ApiError::invalid(e.to_string()))?;
    if level == Level::National {
        return Ok(level.jurisdiction(""));
    }
    let region =
        region.ok_or_else(|| ApiError::invalid("region_code is required for a provincial, city or county campaign"))?;
    let code = input::region("region_code", region)?;
    Ok(level.jurisdiction(code.as_str()))
}

/// The region prefix a campaign's jurisdiction covers (empty for national).
fn campaign_prefix(campaign: &Campaign) -> String {
    codes::RegionCode::parse(&campaign.region_code).map(|c| c.prefix().to_owned()).unwrap_or_default()
}

/// Plans a campaign with its strata, in the regulator's jurisdiction.
pub async fn create(state: &Services, user: &User, body: CampaignBody) -> Result<CampaignView, ApiError> {
    let id = required("id", body.id)?;
    if id.chars().count() > 64 || id.chars().any(|c| c.is_whitespace()) {
        return Err(ApiError::invalid("id must be 1 to 64 characters without spaces"));
    }
    let level = input::campaign_level("level", body.level)?;
    let region = optional_text(body.region_code).or_else(|| user.region_code.clone());
    let region_code = jurisdiction(&level, region.as_deref())?;
    authorize_supervision(user, &region_code)?;
    let catalogue = state.catalogue().await?;
    input::product_category(&catalogue, "product_category", body.product_category.clone())?;
    let year = body.year.ok_or_else(|| ApiError::invalid("year is required"))?;
    if !(2000..=2100).contains(&year) {
        return Err(ApiError::invalid(format!("year {year} is out of range")));
    }
    let mut strata: Vec<(String, i64, Option<i64>)> = Vec::new();
    for s in body.strata {
        let stratum = s.stratum.trim().to_owned();
        if stratum.is_empty() || s.population <= 0 || s.allocation.is_some_and(|a| a <= 0 || a > s.population) {
            return Err(ApiError::invalid(format!(
                "stratum '{stratum}' needs a name, a positive population and 0 < allocation ≤ population"
            )));
        }
        if strata.iter().any(|(name, ..)| *name == stratum) {
            return Err(ApiError::invalid(format!("stratum '{stratum}' is given twice")));
        }
        strata.push((stratum, s.population, s.allocation));
    }
    if let Some(size) = body.sample_size {
        if size <= 0 {
            return Err(ApiError::invalid("sample_size must be positive"));
        }
        if strata.iter().all(|(_, _, allocation)| allocation.is_none()) && !strata.is_empty() {
            let populations: Vec<u64> = strata.iter().map(|(_, population, _)| *population as u64).collect();
            let parts = stats::survey::proportional_allocation(&populations, size as u64);
            for ((_, _, allocation), part) in strata.iter_mut().zip(parts) {
                *allocation = Some(part as i64);
            }
        }
    }
    let campaign = NewCampaign {
        name: optional_text(body.name).unwrap_or_else(|| id.clone()),
        id,
        level,
        region_code,
        product_category: body.product_category,
        year,
        seed: body.seed.unwrap_or(year),
        strata,
    };
    state.store.create_campaign(&campaign, Some(user.id)).await?;
    campaign_json(state, &campaign_or_404(state, &campaign.id).await?, true).await
}

/// A campaign with its strata, its draw and its sample counts.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampaignView {
    pub campaign: Campaign,
    pub strata: Vec<StratumView>,
    /// The drawn organizations in draw order: for the campaign's supervisors only (sampling comes without
    /// advance notice), empty for everyone else.
    pub drawn: Vec<DrawnView>,
    pub samples: SampleCounts,
}

/// A stratum of a campaign.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StratumView {
    pub stratum: String,
    pub population: i64,
    pub allocation: Option<i64>,
}

/// An organization drawn for a campaign.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DrawnView {
    pub uscc: String,
    pub stratum: Option<String>,
}

/// A campaign's samples counted.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SampleCounts {
    pub total: usize,
    pub published: usize,
    /// Passing samples: for the public, the published ones only.
    pub pass: usize,
    /// Failing samples: for the public, the published ones only.
    pub fail: usize,
}

/// A campaign as its supervisors see it, or as the public does: sampling comes without advance notice, so
/// the drawn organizations are the supervisors' only, and verdicts count once published.
async fn campaign_json(state: &Services, campaign: &Campaign, supervisor: bool) -> Result<CampaignView, ApiError> {
    let strata = state.store.campaign_strata(&campaign.id).await?;
    let drawn = if supervisor { state.store.campaign_draw(&campaign.id).await? } else { Vec::new() };
    let samples = state.store.samples_where(Some(&campaign.id), None, 100_000).await?;
    let counted = |verdict: Verdict| {
        let published = SampleStatus::Published.as_str();
        samples.iter().filter(|s| s.verdict == verdict.as_str() && (supervisor || s.status == published)).count()
    };
    let published = samples.iter().filter(|s| s.status == SampleStatus::Published.as_str()).count();
    Ok(CampaignView {
        campaign: campaign.clone(),
        strata: strata
            .into_iter()
            .map(|(stratum, population, allocation)| StratumView { stratum, population, allocation })
            .collect(),
        drawn: drawn.into_iter().map(|(uscc, stratum)| DrawnView { uscc, stratum }).collect(),
        samples: SampleCounts {
            total: samples.len(),
            published,
            pass: counted(Verdict::Pass),
            fail: counted(Verdict::Fail),
        },
    })
}

/// A campaign as `user` (`None`: the public) may see it.
pub async fn campaign_view(state: &Services, user: Option<&User>, id: &str) -> Result<CampaignView, ApiError> {
    let campaign = campaign_or_404(state, id).await?;
    let supervisor = user.is_some_and(|u| authorize_supervision(u, &campaign.region_code).is_ok());
    campaign_json(state, &campaign, supervisor).await
}

/// How to draw; the whole body may be left out.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DrawInput)]
pub struct DrawBody {
    /// How many organizations; defaults to the strata's total allocation (ignored with regional strata, which
    /// draw their own allocations).
    #[schema(minimum = 1)]
    pub size: Option<usize>,
    /// Tiered supervision (分类监管): draw with probability proportional to the credit class's sampling weight
    /// instead of with equal probability.
    #[serde(default)]
    pub weight_by_credit_class: bool,
}

/// The members of a frame, each with its sampling weight by credit class when the draw is weighted (an
/// organization never scored weighs as the model's base class).
async fn members(state: &Services, frame: Vec<String>, weighted: bool) -> Result<Vec<(String, Option<f64>)>, ApiError> {
    if !weighted {
        return Ok(frame.into_iter().map(|uscc| (uscc, None)).collect());
    }
    let model = credit::Model::bundled();
    let unscored = model.class_for(model.base_score);
    let classes = state.store.sampling_frame_classes(&frame).await?;
    Ok(frame
        .into_iter()
        .zip(classes)
        .map(|(uscc, class)| {
            let class = class.as_deref().and_then(credit::Class::parse).unwrap_or(unscored);
            (uscc, Some(model.sampling_weight(class)))
        })
        .collect())
}

/// The organizations a draw picked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DrawResult {
    pub campaign_id: String,
    /// Organizations in the sampling frame.
    pub frame: usize,
    pub weighted_by_credit_class: bool,
    pub drawn: Vec<DrawPick>,
}

/// One organization drawn.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DrawPick {
    pub uscc: String,
    pub stratum: Option<String>,
    /// The sampling weight by credit class, in a weighted draw.
    pub selection_weight: Option<f64>,
}

/// Draws organizations at random from the sampling frame, reproducibly from the campaign's seed, without
/// replacement: the same campaign always draws the same organizations, and none twice. With regional strata
/// each stratum's allocation is drawn from its own region.
pub async fn draw(state: &Services, user: &User, id: &str, body: Option<DrawBody>) -> Result<DrawResult, ApiError> {
    let campaign = campaign_or_404(state, id).await?;
    authorize_supervision(user, &campaign.region_code)?;
    let strata = state.store.campaign_strata(id).await?;
    let category = campaign.product_category.as_deref();
    let weighted = body.as_ref().is_some_and(|b| b.weight_by_credit_class);
    let mut frames = Vec::new();
    if let Some(regional) = sampling::draw::regional_strata(&campaign_prefix(&campaign), &strata) {
        for stratum in regional {
            let frame = state.store.sampling_frame(&stratum.prefix, category).await?;
            frames.push(Frame {
                stratum: Some(stratum.name),
                size: stratum.allocation,
                members: members(state, frame, weighted).await?,
            });
        }
    } else {
        let allocated: i64 = strata.iter().filter_map(|(_, _, a)| *a).sum();
        let size = body.as_ref().and_then(|b| b.size).unwrap_or(allocated.max(0) as usize);
        if size == 0 {
            return Err(ApiError::invalid("size is required when the strata have no allocation"));
        }
        let frame = state.store.sampling_frame(&campaign_prefix(&campaign), category).await?;
        frames.push(Frame { stratum: None, size, members: members(state, frame, weighted).await? });
    }
    // A draw that cannot fill its allocation is refused, and nothing is recorded: the campaign stays as it was,
    // for the plan (or the register) to be corrected first.
    let seed = campaign.seed.unwrap_or(campaign.year) as u64;
    let drawn = sampling::draw::draw(frames, seed).map_err(|short| {
        let detail: Vec<String> = short
            .iter()
            .map(|s| format!("{}: {} allocated, {} in the frame", s.stratum, s.allocated, s.found))
            .collect();
        ApiError::new(
            ErrorCode::FrameTooSmall,
            format!(
                "the sampling frame holds fewer organizations than allocated ({}); nothing was drawn",
                detail.join("; ")
            ),
        )
    })?;
    let chosen: Vec<(String, Option<String>)> =
        drawn.picks.iter().map(|p| (p.uscc.clone(), p.stratum.clone())).collect();
    let weights: Vec<f64> = drawn.picks.iter().filter_map(|p| p.weight).collect();
    let frame_size = drawn.frame_size;
    state.store.record_draw(id, &chosen, weighted.then_some(weights.as_slice())).await?;
    let drawn = chosen
        .into_iter()
        .enumerate()
        .map(|(i, (uscc, stratum))| DrawPick { uscc, stratum, selection_weight: weights.get(i).copied() })
        .collect();
    Ok(DrawResult { campaign_id: id.to_owned(), frame: frame_size, weighted_by_credit_class: weighted, drawn })
}

/// A sample taken from a drawn organization.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = SampleInput)]
pub struct SampleBody {
    /// Required: 1 to 64 characters without spaces, used once.
    #[schema(max_length = 64)]
    pub sample_id: Option<String>,
    /// Required: a campaign that takes samples.
    #[schema(max_length = 64)]
    pub campaign_id: Option<String>,
    /// Required: the sampled organization, drawn for the campaign (when it has a draw).
    #[schema(max_length = 18)]
    pub uscc: Option<String>,
    /// Required, not in the future.
    #[schema(format = Date)]
    pub sampled_on: Option<String>,
    /// Required: production, retail or online (or 生产, 流通, 电商…).
    pub channel: Option<String>,
    #[schema(max_length = 14)]
    pub gtin: Option<String>,
    pub lot: Option<String>,
    /// Not after `sampled_on`.
    #[schema(format = Date)]
    pub production_date: Option<String>,
    /// Required: the laboratory that tests the sample, by its USCC: the lab account holding it records the result.
    #[schema(max_length = 18)]
    pub lab_uscc: Option<String>,
    pub sampler: Option<String>,
    /// Defaults to the stratum the organization was drawn in.
    pub stratum: Option<String>,
}

/// Records a sample taken from a drawn organization.
pub async fn record_sample(state: &Services, user: &User, body: SampleBody) -> Result<SampleView, ApiError> {
    let campaign_id = required("campaign_id", body.campaign_id)?;
    let campaign = campaign_or_404(state, &campaign_id).await?;
    authorize_supervision(user, &campaign.region_code)?;
    sampling::takes_samples(&campaign_id, stored(&campaign.status)?)?;
    let uscc = input::uscc("uscc", body.uscc.as_deref())?;
    let organization = state.store.organization(&uscc).await?.ok_or_else(|| {
        ApiError::new(ErrorCode::UnknownOrganization, format!("organization {uscc} is not registered"))
    })?;
    let drawn = state.store.campaign_draw(&campaign_id).await?;
    let drawn_stratum = match drawn.iter().find(|(d, _)| d == uscc.as_str()) {
        Some((_, stratum)) => stratum.clone(),
        None if drawn.is_empty() => None,
        None => {
            return Err(ApiError::new(
                ErrorCode::NotDrawn,
                format!("organization {uscc} was not drawn for campaign {campaign_id}"),
            ))
        }
    };
    // A laboratory is named by its USCC, never by a display name another account could share.
    let lab = match optional_text(body.lab_uscc) {
        Some(text) => input::uscc("lab_uscc", Some(&text))?,
        None => return Err(ApiError::invalid("lab_uscc is required: the laboratory that may record the result")),
    };
    if state.store.organization(&lab).await?.is_none() {
        return Err(ApiError::new(
            ErrorCode::UnknownOrganization,
            format!("laboratory {lab} is not a registered organization"),
        ));
    }
    let assigned = state.store.campaign_labs(&campaign_id).await?;
    if !assigned.is_empty() && !assigned.iter().any(|a| a == lab.as_str()) {
        return Err(ApiError::invalid(format!(
            "laboratory {lab} is not assigned to campaign {campaign_id}; its labs are {}",
            assigned.join(", ")
        )));
    }
    let fields = input::SampleFields {
        sample_id: body.sample_id,
        campaign_id: Some(campaign_id),
        campaign_level: Some(campaign.level.clone()),
        sampled_on: body.sampled_on,
        product_category: campaign.product_category.clone(),
        uscc: Some(uscc.to_string()),
        region_code: Some(organization.region_code.clone()),
        channel: body.channel,
        verdict: Some(Verdict::Pass.as_str().into()),
        gtin: body.gtin,
        lot: body.lot,
        production_date: body.production_date,
        lab: Some(lab.to_string()),
        sampler: body.sampler,
        failed_items: None,
        // The stratum the organization was drawn in, unless the sampler names one.
        stratum: body.stratum.or(drawn_stratum),
        stratum_population: None,
    };
    // The verdict is checked as a placeholder and stored as pending: no result exists yet.
    let sample: NewSample = input::sample(fields, &*state.catalogue().await?)?;
    state.store.record_sample(&sample, Some(user.id)).await?;
    sample_json(state, &sample.sample_id).await
}

/// A sample with its test items and history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SampleView {
    pub sample: Sample,
    /// The test items of every round, first test then re-test.
    pub items: Vec<SampleItem>,
    /// The sample's history, oldest first.
    pub events: Vec<SampleEvent>,
    /// The edition each test item cites (failed items when no items were recorded), as it stood on the
    /// sampling day; a superseded, withdrawn, not yet effective or unknown edition is flagged.
    pub citations: Vec<CitationView>,
    /// For a product under production licensing or CCC: whether the producer held a valid licence or
    /// certificate covering it on the sampling day.
    pub regimes: Vec<crate::licensing::RegimeCheck>,
}

/// A test item with its round.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SampleItem {
    /// 1 for the first test, 2 for the re-test.
    pub round: i64,
    pub item: TestItem,
}

async fn sample_json(state: &Services, id: &str) -> Result<SampleView, ApiError> {
    let sample = sample_or_404(state, id).await?;
    let items = state.store.sample_items(id).await?;
    let events = state.store.sample_events(id).await?;
    let texts: Vec<&str> = match items.is_empty() {
        true => failed_texts(&sample).collect(),
        false => items.iter().map(|(_, item)| item.standard_clause.as_str()).collect(),
    };
    let day = stored_day(&sample.sampled_on)?;
    let uses: Vec<(&str, NaiveDate)> = texts.iter().map(|text| (*text, day)).collect();
    let mut citations: Vec<CitationView> =
        crate::standards::cite_texts(&state.store, &uses).await?.into_iter().flatten().collect();
    citations.sort_by(|a, b| a.number.cmp(&b.number));
    citations.dedup_by(|a, b| a.number == b.number);
    let catalogue = state.catalogue().await?;
    let regimes =
        crate::licensing::regime_checks(&state.store, &catalogue, &sample.uscc, &sample.product_category, day).await?;
    Ok(SampleView {
        sample,
        items: items.into_iter().map(|(round, item)| SampleItem { round, item }).collect(),
        events,
        citations,
        regimes,
    })
}

/// A sample's failed items as its text lists them (`GB 4806.7-2016 4.2 总迁移量; …`).
pub fn failed_texts(sample: &Sample) -> impl Iterator<Item = &str> {
    sample.failed_items.as_deref().unwrap_or_default().split("; ").filter(|t| !t.trim().is_empty())
}

/// Whether `user` is the laboratory a sample was sent to: a lab account whose USCC the sample names.
pub fn is_sample_lab(user: &User, sample: &Sample) -> bool {
    user.role == Role::Lab && user.uscc.is_some() && user.uscc.as_deref() == sample.lab.as_deref()
}

/// Whether a reader may see a sample: anyone once published; before that its regulator, its lab, or the
/// enterprise itself. The API and the pages both ask this.
pub fn may_read(user: Option<&User>, sample: &Sample) -> bool {
    if sample.status == SampleStatus::Published.as_str() {
        return true;
    }
    let Some(user) = user else { return false };
    match user.role {
        Role::Admin | Role::Regulator => authorize_supervision(user, &sample.region_code).is_ok(),
        Role::Lab => is_sample_lab(user, sample),
        Role::Enterprise => user.uscc.as_deref() == Some(sample.uscc.as_str()),
        _ => false,
    }
}

/// A sample as `user` (`None`: the public) may see it; one it may not see does not exist.
pub async fn sample_view(state: &Services, user: Option<&User>, id: &str) -> Result<SampleView, ApiError> {
    let sample = sample_or_404(state, id).await?;
    if !may_read(user, &sample) {
        return Err(ApiError::not_found(format!("no sample {id}")));
    }
    sample_json(state, id).await
}

/// A lab's result: every test item with its verdict.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ResultsInput)]
pub struct ResultsBody {
    /// Required.
    #[schema(format = Date)]
    pub tested_on: Option<String>,
    /// At least one, each with a name, a standard clause and a verdict pass or fail; any failure fails the sample.
    pub items: Vec<TestItem>,
}

/// The lab records its test items; the sample fails when any item fails. After a re-test request the result
/// is the re-test's and replaces the first verdict.
pub async fn results(state: &Services, user: &User, id: &str, body: ResultsBody) -> Result<SampleView, ApiError> {
    let sample = sample_or_404(state, id).await?;
    let is_lab = is_sample_lab(user, &sample);
    if !(is_lab || user.role == Role::Admin) {
        return Err(ApiError::forbidden("only the sample's laboratory records its results"));
    }
    let (round, status, kind) = sampling::result_round(id, stored(&sample.status)?)?;
    let tested_on = required_date("tested_on", body.tested_on)?;
    if body.items.is_empty() {
        return Err(ApiError::invalid("items must list at least one test item"));
    }
    let mut verdicts = Vec::with_capacity(body.items.len());
    for item in &body.items {
        if item.item.trim().is_empty() || item.standard_clause.trim().is_empty() {
            return Err(ApiError::invalid("every item needs a name and a standard clause"));
        }
        // The edition is part of the citation: GB 6675.2-2014 is not GB 6675.2-2023.
        if let Err(error) = standards::cited(&item.standard_clause) {
            return Err(ApiError::invalid(format!("item '{}': {error}", item.item)));
        }
        match item.verdict.parse::<Verdict>() {
            Ok(verdict @ (Verdict::Pass | Verdict::Fail)) => verdicts.push(verdict),
            _ => {
                return Err(ApiError::invalid(format!(
                    "item '{}' verdict '{}' is not pass or fail",
                    item.item, item.verdict
                )))
            }
        }
    }
    let failed: Vec<String> = body
        .items
        .iter()
        .zip(&verdicts)
        .filter(|(_, verdict)| **verdict == Verdict::Fail)
        .map(|(i, _)| format!("{} {}", i.standard_clause, i.item))
        .collect();
    let verdict = sampling::overall_verdict(verdicts).as_str();
    let change = SampleChange {
        status: Some(status.as_str().into()),
        verdict: Some(verdict.into()),
        failed_items: Some((!failed.is_empty()).then(|| failed.join("; "))),
        items: Some((round, body.items)),
        ..Default::default()
    };
    let event = NewEvent {
        kind: kind.as_str().into(),
        on_date: tested_on.to_string(),
        due_on: None,
        details: Some(verdict.into()),
    };
    state.store.change_sample(id, &change, &event, Some(user.id)).await?;
    sample_json(state, id).await
}

/// The day a step was taken.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = StepDate)]
pub struct DateBody {
    /// Required.
    #[schema(format = Date)]
    pub on_date: Option<String>,
}

/// The regulator tells the enterprise the result; the re-test window starts.
pub async fn notice(state: &Services, user: &User, id: &str, body: DateBody) -> Result<SampleView, ApiError> {
    let sample = sample_or_404(state, id).await?;
    authorize_supervision(user, &sample.region_code)?;
    let (status, verdict) = (stored(&sample.status)?, stored(&sample.verdict)?);
    let notified_on = required_date("on_date", body.on_date)?;
    let deadline = sampling::notice(id, status, verdict, notified_on, &state.calendar())?.map(|day| day.to_string());
    let change = SampleChange {
        status: Some(SampleStatus::Notified.as_str().into()),
        notified_on: Some(notified_on.to_string()),
        retest_deadline: Some(deadline.clone()),
        ..Default::default()
    };
    let event = NewEvent {
        kind: EventKind::Notified.as_str().into(),
        on_date: notified_on.to_string(),
        due_on: deadline,
        details: Some(sample.verdict.clone()),
    };
    state.store.change_sample(id, &change, &event, Some(user.id)).await?;
    sample_json(state, id).await
}

/// The enterprise asks for a re-test of a failed sample within the window.
pub async fn retest_request(state: &Services, user: &User, id: &str, body: DateBody) -> Result<SampleView, ApiError> {
    let sample = sample_or_404(state, id).await?;
    let own = user.role == Role::Enterprise && user.uscc.as_deref() == Some(sample.uscc.as_str());
    if !(own || user.role == Role::Admin) {
        return Err(ApiError::forbidden("only the sampled enterprise may ask for a re-test"));
    }
    let window = sample.retest_deadline.as_deref().map(stored_day).transpose()?;
    let (status, verdict) = (stored(&sample.status)?, stored(&sample.verdict)?);
    // A request out of turn is refused as such before its date is read.
    sampling::open_retest_window(id, status, verdict, window)?;
    let requested_on = required_date("on_date", body.on_date)?;
    sampling::retest_request(id, status, verdict, window, requested_on)?;
    let change = SampleChange { status: Some(SampleStatus::RetestRequested.as_str().into()), ..Default::default() };
    let event = NewEvent {
        kind: EventKind::RetestRequested.as_str().into(),
        on_date: requested_on.to_string(),
        due_on: None,
        details: None,
    };
    state.store.change_sample(id, &change, &event, Some(user.id)).await?;
    sample_json(state, id).await
}

/// What a publication published.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CampaignPublished {
    pub campaign_id: String,
    /// The campaign's samples, now all published.
    pub published: usize,
    /// Failures among them newly published, each an `inspection_failed` event.
    pub failed: usize,
    #[schema(format = Date)]
    pub published_on: String,
}

/// Publishes a campaign's results once every sample is decided, notified and past its re-test window; each
/// failure becomes an `inspection_failed` event for the credit file.
pub async fn publish(state: &Services, user: &User, id: &str, body: DateBody) -> Result<CampaignPublished, ApiError> {
    let campaign = campaign_or_404(state, id).await?;
    authorize_supervision(user, &campaign.region_code)?;
    let published_day = required_date("on_date", body.on_date)?;
    let published_on = published_day.to_string();
    let samples = state.store.samples_where(Some(id), None, 1_000_000).await?;
    if samples.is_empty() {
        return Err(ApiError::new(ErrorCode::NothingToPublish, format!("campaign {id} has no samples")));
    }
    let mut blocking = Vec::new();
    for sample in &samples {
        let window = sample.retest_deadline.as_deref().map(stored_day).transpose()?;
        if sampling::blocks_publication(stored(&sample.status)?, window, published_day) {
            blocking.push(format!("{} ({})", sample.sample_id, sample.status));
        }
    }
    if !blocking.is_empty() {
        return Err(Refusal::NotReady(blocking).into());
    }
    let mut failed = 0;
    for sample in samples.iter().filter(|s| s.status != SampleStatus::Published.as_str()) {
        let change = SampleChange {
            status: Some(SampleStatus::Published.as_str().into()),
            published_on: Some(published_on.clone()),
            ..Default::default()
        };
        let (kind, details) = if stored::<Verdict>(&sample.verdict)? == Verdict::Fail {
            failed += 1;
            (EventKind::InspectionFailed, sample.failed_items.clone())
        } else {
            (EventKind::Published, None)
        };
        let event = NewEvent { kind: kind.as_str().into(), on_date: published_on.clone(), due_on: None, details };
        state.store.change_sample(&sample.sample_id, &change, &event, Some(user.id)).await?;
        regime_breaches(state, user, sample, &published_on).await?;
    }
    state.store.set_campaign_status(id, CampaignStatus::Published.as_str()).await?;
    Ok(CampaignPublished { campaign_id: id.to_owned(), published: samples.len(), failed, published_on })
}

/// At publication, a sample of a product under licensing or CCC whose producer held no valid licence or
/// certificate on the sampling day gets a `regime_breach` event naming what was missing — the regulator's case,
/// and, collected from it, a credit record.
async fn regime_breaches(state: &Services, user: &User, sample: &Sample, published_on: &str) -> Result<(), ApiError> {
    let catalogue = state.catalogue().await?;
    let day = stored_day(&sample.sampled_on)?;
    let checks =
        crate::licensing::regime_checks(&state.store, &catalogue, &sample.uscc, &sample.product_category, day).await?;
    let missing: Vec<String> = checks
        .iter()
        .filter(|c| !c.held)
        .map(|c| match (&c.document, &c.status) {
            (Some(document), Some(status)) => format!("{}: {document} {status}", c.regime.as_str()),
            _ => format!("{}: none", c.regime.as_str()),
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let event = NewEvent {
        kind: EventKind::RegimeBreach.as_str().into(),
        on_date: published_on.to_owned(),
        due_on: None,
        details: Some(missing.join("; ")),
    };
    state.store.change_sample(&sample.sample_id, &SampleChange::default(), &event, Some(user.id)).await?;
    let model = credit::Model::bundled();
    crate::credit_scoring::collect(&state.store, model, Some(&sample.uscc)).await?;
    Ok(())
}

/// A follow-up step (后处理) of a published failure.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = FollowUpInput)]
pub struct FollowUpBody {
    /// Required: rectification_order | reinspection | penalty_referral
    pub kind: Option<String>,
    /// Required.
    #[schema(format = Date)]
    pub on_date: Option<String>,
    /// The rectification deadline: required for a rectification order, after `on_date`.
    #[schema(format = Date)]
    pub due_on: Option<String>,
    /// The re-inspection's verdict, pass or fail: required for a re-inspection.
    pub verdict: Option<String>,
    pub details: Option<String>,
}

/// 后处理 of a published failure: a rectification order with its deadline, the re-inspection, a referral for
/// penalty. Each is an event the credit file consumes.
pub async fn follow_up(state: &Services, user: &User, id: &str, body: FollowUpBody) -> Result<SampleView, ApiError> {
    let sample = sample_or_404(state, id).await?;
    authorize_supervision(user, &sample.region_code)?;
    let (status, verdict) = (stored(&sample.status)?, stored(&sample.verdict)?);
    // A step out of turn is refused as such before its fields are read.
    sampling::may_follow_up(id, status, verdict)?;
    let on_date = required_date("on_date", body.on_date)?;
    let kind = required("kind", body.kind)?;
    let step: FollowUp = kind.parse().map_err(|_| {
        ApiError::invalid(format!("kind '{kind}' is not rectification_order, reinspection or penalty_referral"))
    })?;
    let due_on = match (step, body.due_on) {
        (FollowUp::RectificationOrder, due) => Some(required_date("due_on", due)?),
        _ => None,
    };
    let reinspection = match (step, body.verdict) {
        (FollowUp::Reinspection, verdict) => {
            let verdict = required("verdict", verdict)?;
            Some(
                verdict
                    .parse::<Verdict>()
                    .ok()
                    .filter(|v| *v != Verdict::Pending)
                    .ok_or_else(|| ApiError::invalid(format!("verdict '{verdict}' is not pass or fail")))?,
            )
        }
        _ => None,
    };
    let (event_kind, due_on, found) = sampling::follow_up(id, status, verdict, step, on_date, due_on, reinspection)?;
    let details = match found {
        Some(verdict) => Some(verdict.as_str().to_owned()),
        None => optional_text(body.details),
    };
    let due_on = due_on.map(|day| day.to_string());
    let event_kind = event_kind.as_str();
    let event = NewEvent { kind: event_kind.into(), on_date: on_date.to_string(), due_on, details };
    state.store.change_sample(id, &SampleChange::default(), &event, Some(user.id)).await?;
    sample_json(state, id).await
}
