//! The sampling workflow from the pages: each form posts here, is checked for its CSRF value, and runs the same
//! `service::campaigns` function as the API, so a clerk and a script obey the same rules. Success returns to the
//! campaign page.

use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::inspections::TestItem;

use service::campaigns::{self as api, CampaignBody, DateBody, FollowUpBody, ResultsBody, SampleBody, StratumBody};
use service::input::optional_text;
use webkit::i18n::Lang;
use webkit::layout::error_page;
use webkit::layout::with_lang;
use webkit::session::PageUser;
use webkit::{ApiError, AppState};

/// Every form's common fields.
#[derive(Debug, Deserialize)]
pub struct Common {
    csrf: String,
    #[serde(default)]
    lang: Lang,
}

fn back_to(campaign_id: &str, lang: Lang) -> Response {
    Redirect::to(&with_lang(&format!("/campaigns/{campaign_id}"), lang)).into_response()
}

fn finish(result: Result<(), ApiError>, campaign_id: &str, lang: Lang) -> Response {
    match result {
        Ok(()) => back_to(campaign_id, lang),
        Err(error) => error_page(lang, &error),
    }
}

async fn campaign_of_sample(state: &AppState, sample_id: &str) -> Result<String, ApiError> {
    Ok(state
        .store
        .sample(sample_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no sample {sample_id}")))?
        .campaign_id)
}

#[derive(Debug, Deserialize)]
pub struct NewCampaignForm {
    #[serde(flatten)]
    common: Common,
    id: String,
    name: Option<String>,
    level: String,
    region_code: Option<String>,
    product_category: Option<String>,
    year: i64,
    sample_size: Option<String>,
    /// One stratum a line: `name, population[, allocation]`.
    strata: Option<String>,
}

fn parse_strata(text: &str) -> Result<Vec<StratumBody>, ApiError> {
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let parts: Vec<&str> = line.split([',', '，']).map(str::trim).collect();
        let number = |i: usize| -> Result<Option<i64>, ApiError> {
            parts.get(i).filter(|p| !p.is_empty()).map(|p| p.parse::<i64>()).transpose().map_err(|_| {
                ApiError::invalid(format!("strata line {}: '{}' is not a whole number", index + 1, parts[i]))
            })
        };
        let population = number(1)?.ok_or_else(|| {
            ApiError::invalid(format!("strata line {}: write name, population[, allocation]", index + 1))
        })?;
        out.push(StratumBody { stratum: parts[0].to_owned(), population, allocation: number(2)? });
    }
    Ok(out)
}

pub async fn create_campaign(
    State(state): State<AppState>,
    session: PageUser,
    Form(form): Form<NewCampaignForm>,
) -> Response {
    let lang = form.common.lang;
    let result = async {
        let user = session.authorise(&form.common.csrf)?.clone();
        let sample_size = optional_text(form.sample_size)
            .map(|s| s.parse::<i64>().map_err(|_| ApiError::invalid("sample size is not a whole number")))
            .transpose()?;
        let body = CampaignBody {
            id: Some(form.id.clone()),
            name: form.name,
            level: Some(form.level),
            region_code: form.region_code,
            product_category: optional_text(form.product_category),
            year: Some(form.year),
            seed: None,
            sample_size,
            strata: parse_strata(form.strata.as_deref().unwrap_or(""))?,
        };
        api::create(&state, &user, body).await.map(|_| ())
    }
    .await;
    finish(result, &form.id, lang)
}

pub async fn draw(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Form(form): Form<Common>,
) -> Response {
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        api::draw(&state, &user, &id, None).await.map(|_| ())
    }
    .await;
    finish(result, &id, form.lang)
}

#[derive(Debug, Deserialize)]
pub struct SampleForm {
    #[serde(flatten)]
    common: Common,
    sample_id: Option<String>,
    uscc: Option<String>,
    sampled_on: Option<String>,
    channel: Option<String>,
    lot: Option<String>,
    lab_uscc: Option<String>,
    sampler: Option<String>,
}

pub async fn record_sample(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Form(form): Form<SampleForm>,
) -> Response {
    let result = async {
        let user = session.authorise(&form.common.csrf)?.clone();
        let body = SampleBody {
            sample_id: form.sample_id,
            campaign_id: Some(id.clone()),
            uscc: form.uscc,
            sampled_on: form.sampled_on,
            channel: form.channel,
            gtin: None,
            lot: optional_text(form.lot),
            production_date: None,
            lab_uscc: form.lab_uscc,
            sampler: optional_text(form.sampler),
            stratum: None,
        };
        api::record_sample(&state, &user, body).await.map(|_| ())
    }
    .await;
    finish(result, &id, form.common.lang)
}

#[derive(Debug, Deserialize)]
pub struct ResultsForm {
    #[serde(flatten)]
    common: Common,
    tested_on: Option<String>,
    /// One item a line: `item | standard clause | limit | measured | unit | pass/fail`.
    items: String,
}

fn parse_items(text: &str) -> Result<Vec<TestItem>, ApiError> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(index, line)| {
            let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
            let [item, clause, limit, measured, unit, verdict] = parts[..] else {
                return Err(ApiError::invalid(format!(
                    "item line {}: write item | standard clause | limit | measured | unit | pass or fail",
                    index + 1
                )));
            };
            let verdict = match verdict {
                "pass" | "合格" => "pass",
                "fail" | "不合格" => "fail",
                other => {
                    return Err(ApiError::invalid(format!(
                        "item line {}: verdict '{other}' is not 合格 or 不合格",
                        index + 1
                    )))
                }
            };
            let text = |v: &str| (!v.is_empty()).then(|| v.to_owned());
            Ok(TestItem {
                item: item.to_owned(),
                standard_clause: clause.to_owned(),
                limit_value: text(limit),
                measured: text(measured),
                unit: text(unit),
                verdict: verdict.to_owned(),
            })
        })
        .collect()
}

pub async fn results(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Form(form): Form<ResultsForm>,
) -> Response {
    let lang = form.common.lang;
    let campaign = match campaign_of_sample(&state, &id).await {
        Ok(campaign) => campaign,
        Err(error) => return error_page(lang, &error),
    };
    let result = async {
        let user = session.authorise(&form.common.csrf)?.clone();
        let body = ResultsBody { tested_on: form.tested_on, items: parse_items(&form.items)? };
        api::results(&state, &user, &id, body).await.map(|_| ())
    }
    .await;
    finish(result, &campaign, lang)
}

#[derive(Debug, Deserialize)]
pub struct DateForm {
    #[serde(flatten)]
    common: Common,
    on_date: Option<String>,
}

/// Which dated step a form takes.
#[derive(Debug, Clone, Copy)]
pub enum DatedStep {
    Notice,
    RetestRequest,
}

async fn dated_sample_step(
    state: AppState,
    session: PageUser,
    id: String,
    form: DateForm,
    step: DatedStep,
) -> Response {
    let lang = form.common.lang;
    let campaign = match campaign_of_sample(&state, &id).await {
        Ok(campaign) => campaign,
        Err(error) => return error_page(lang, &error),
    };
    let result = async {
        let user = session.authorise(&form.common.csrf)?.clone();
        let body = DateBody { on_date: form.on_date };
        match step {
            DatedStep::Notice => api::notice(&state, &user, &id, body).await.map(|_| ()),
            DatedStep::RetestRequest => api::retest_request(&state, &user, &id, body).await.map(|_| ()),
        }
    }
    .await;
    finish(result, &campaign, lang)
}

pub async fn notice(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Form(form): Form<DateForm>,
) -> Response {
    dated_sample_step(state, session, id, form, DatedStep::Notice).await
}

pub async fn retest_request(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Form(form): Form<DateForm>,
) -> Response {
    dated_sample_step(state, session, id, form, DatedStep::RetestRequest).await
}

pub async fn publish(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Form(form): Form<DateForm>,
) -> Response {
    let result = async {
        let user = session.authorise(&form.common.csrf)?.clone();
        api::publish(&state, &user, &id, DateBody { on_date: form.on_date }).await.map(|_| ())
    }
    .await;
    finish(result, &id, form.common.lang)
}

#[derive(Debug, Deserialize)]
pub struct FollowUpForm {
    #[serde(flatten)]
    common: Common,
    kind: Option<String>,
    on_date: Option<String>,
    due_on: Option<String>,
    verdict: Option<String>,
    details: Option<String>,
}

pub async fn follow_up(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Form(form): Form<FollowUpForm>,
) -> Response {
    let lang = form.common.lang;
    let campaign = match campaign_of_sample(&state, &id).await {
        Ok(campaign) => campaign,
        Err(error) => return error_page(lang, &error),
    };
    let result = async {
        let user = session.authorise(&form.common.csrf)?.clone();
        let body = FollowUpBody {
            kind: form.kind,
            on_date: form.on_date,
            due_on: optional_text(form.due_on),
            verdict: optional_text(form.verdict),
            details: optional_text(form.details),
        };
        api::follow_up(&state, &user, &id, body).await.map(|_| ())
    }
    .await;
    finish(result, &campaign, lang)
}

#[derive(Debug, Deserialize)]
pub struct TestItemsForm {
    #[serde(flatten)]
    common: Common,
    /// One item a line: `parameter | standard edition and clause`.
    items: String,
}

/// `POST /campaigns/{id}/test-items`: the campaign's test items, one a line.
pub async fn test_items(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Form(form): Form<TestItemsForm>,
) -> Response {
    let result = async {
        let user = session.authorise(&form.common.csrf)?.clone();
        let mut items = Vec::new();
        for (n, line) in form.items.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
            let (parameter, standard) = line.split_once(['|', '｜']).ok_or_else(|| {
                ApiError::invalid(format!("line {}: write the parameter, '|', then the standard and clause", n + 1))
            })?;
            items.push(labs::TestItemFields {
                parameter: Some(parameter.trim().to_owned()),
                standard: Some(standard.trim().to_owned()),
            });
        }
        service::labs::set_test_items(&state, &user, &id, service::labs::TestItemsBody { items }).await.map(|_| ())
    }
    .await;
    finish(result, &id, form.common.lang)
}

#[derive(Debug, Deserialize)]
pub struct AssignForm {
    #[serde(flatten)]
    common: Common,
    lab_uscc: Option<String>,
}

/// `POST /campaigns/{id}/labs`: assign a lab whose scope covers some of the test items.
pub async fn assign_lab(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Form(form): Form<AssignForm>,
) -> Response {
    let result = async {
        let user = session.authorise(&form.common.csrf)?.clone();
        let body = service::labs::AssignBody { lab_uscc: optional_text(form.lab_uscc) };
        service::labs::assign_lab(&state, &user, &id, body).await.map(|_| ())
    }
    .await;
    finish(result, &id, form.common.lang)
}
