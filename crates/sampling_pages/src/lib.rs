//! Inspection pages: the pass-rate dashboard (rates with intervals by category and province, the quarterly
//! trend against the outline's target), the campaign list and a campaign's results.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use serde_json::json;
use service::standards::CitationView;
use webkit::catalogue::{category_name, category_options};

use sampling::{CampaignStatus, EventKind, FollowUp, SampleStatus, Verdict};
use service::campaigns::may_read;
use service::indicators;
use service::pass_rates::{compute, PassRateParams, RateView};
use webkit::i18n::Lang;
use webkit::layout::{error_page, named};
use webkit::layout::{page, urlencode, with_lang};
use webkit::session::{sign_in_link, PageUser};
use webkit::{ApiError, AppState};

mod workflow;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inspections", get(dashboard))
        .route("/campaigns", get(campaigns).post(workflow::create_campaign))
        .route("/campaigns/new", get(new_campaign))
        .route("/campaigns/{id}", get(campaign))
        .route("/campaigns/{id}/draw", post(workflow::draw))
        .route("/campaigns/{id}/samples", post(workflow::record_sample))
        .route("/campaigns/{id}/publish", post(workflow::publish))
        .route("/campaigns/{id}/test-items", post(workflow::test_items))
        .route("/campaigns/{id}/labs", post(workflow::assign_lab))
        .route("/samples/{id}/results", post(workflow::results))
        .route("/samples/{id}/notice", post(workflow::notice))
        .route("/samples/{id}/retest-request", post(workflow::retest_request))
        .route("/samples/{id}/follow-ups", post(workflow::follow_up))
}

#[derive(Debug, Deserialize)]
pub struct DashboardParams {
    #[serde(default)]
    lang: Lang,
    level: Option<String>,
    from: Option<String>,
    to: Option<String>,
    method: Option<String>,
}

/// For each sample, the editions its failed items cite that were not in force on its sampling day.
async fn flagged_citations(
    state: &AppState,
    samples: &[store::inspections::Sample],
) -> Result<Vec<Vec<CitationView>>, ApiError> {
    let mut owners = Vec::new();
    let mut uses = Vec::new();
    for (index, sample) in samples.iter().enumerate() {
        let Ok(day) = chrono::NaiveDate::parse_from_str(&sample.sampled_on, "%Y-%m-%d") else { continue };
        for text in service::campaigns::failed_texts(sample) {
            owners.push(index);
            uses.push((text, day));
        }
    }
    let mut flags = vec![Vec::<CitationView>::new(); samples.len()];
    for (index, citation) in owners.into_iter().zip(service::standards::cite_texts(&state.store, &uses).await?) {
        if let Some(citation) = citation.filter(|c| c.flagged && c.standing != standards::Standing::Unknown) {
            if !flags[index].iter().any(|f| f.number == citation.number) {
                flags[index].push(citation);
            }
        }
    }
    Ok(flags)
}

/// For each published sample, what its producer lacked (a licence or a CCC certificate) on the sampling day, as
/// publication found it.
async fn regime_breaches(
    state: &AppState,
    campaign_id: &str,
    samples: &[store::inspections::Sample],
) -> Result<Vec<Option<String>>, ApiError> {
    let events = state.store.campaign_events_of_kind(campaign_id, EventKind::RegimeBreach.as_str()).await?;
    Ok(samples
        .iter()
        .map(|sample| {
            let published = sample.status == SampleStatus::Published.as_str();
            events
                .iter()
                .find(|e| published && e.sample_id == sample.sample_id)
                .map(|e| e.details.clone().unwrap_or_default())
        })
        .collect())
}

/// A cited edition that was not in force on the day, with the edition that replaced it.
fn citation_flag(lang: Lang, citation: &CitationView) -> Markup {
    html! { span.tag.flagged title=(lang.t("抽样日该版本不在有效期内", "Not in force on the sampling day")) {
        (citation.number) " " (lang.pick(citation.standing.name_zh(), citation.standing.name_en()))
        @if let Some(current) = &citation.current { " → " (current) }
    } }
}

fn region_name(code: &str) -> String {
    codes::region::lookup(code).map_or(code.to_owned(), |r| r.name.clone())
}

fn percent(value: f64) -> String {
    format!("{:.1}%", 100.0 * value)
}

fn rate_table(lang: Lang, title: &str, rows: &[(String, &RateView)]) -> Markup {
    html! {
        table {
            thead { tr {
                th { (title) } th { (lang.t("样品数", "Samples")) } th { (lang.t("合格数", "Passed")) }
                th { (lang.t("合格率", "Pass rate")) } th { (lang.t("95% 置信区间", "95% interval")) }
            } }
            tbody { @for (label, r) in rows { tr {
                td { (label) } td { (r.samples) } td { (r.passed) } td { strong { (percent(r.rate)) } }
                td { "[" (percent(r.lower)) ", " (percent(r.upper)) "]" }
            } } }
        }
    }
}

fn chart_rows(rows: &[(String, &RateView)]) -> Vec<serde_json::Value> {
    rows.iter()
        .map(|(label, r)| json!({"label": label, "rate": 100.0 * r.rate, "lower": 100.0 * r.lower, "upper": 100.0 * r.upper, "samples": r.samples}))
        .collect()
}

pub async fn dashboard(State(state): State<AppState>, Query(params): Query<DashboardParams>) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let level = params.level.clone().unwrap_or_else(|| "national".to_owned());
    let base = |group_by: &str| PassRateParams {
        group_by: Some(group_by.to_owned()),
        campaign_level: (level != "all").then(|| level.clone()),
        from: params.from.clone(),
        to: params.to.clone(),
        method: params.method.clone(),
        ..Default::default()
    };
    let (by_category, by_region, by_quarter) = match (
        compute(&state, base("product_category")).await,
        compute(&state, base("region")).await,
        compute(&state, base("quarter")).await,
    ) {
        (Ok(a), Ok(b), Ok(c)) => (a, b, c),
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => return error_page(lang, &e),
    };
    let indicator = match indicators::all(&state).await {
        Ok(all) => all.into_iter().find(|i| i.code == "national_sampling_pass_rate"),
        Err(error) => return error_page(lang, &error),
    };
    let target = indicator.as_ref().map_or(90.0, |i| i.target);
    let categories: Vec<(String, &RateView)> = by_category
        .groups
        .iter()
        .map(|g| (category_name(&catalogue, lang, g.key.get("product_category").map_or("", String::as_str)), g))
        .collect();
    let regions: Vec<(String, &RateView)> =
        by_region.groups.iter().map(|g| (region_name(g.key.get("region").map_or("", String::as_str)), g)).collect();
    let quarters: Vec<(String, &RateView)> =
        by_quarter.groups.iter().map(|g| (g.key.get("quarter").cloned().unwrap_or_default(), g)).collect();
    let chart_data = json!({
        "target": target,
        "targetLabel": format!("{} {target}%", lang.t("目标", "target")),
        "rateLabel": lang.t("合格率", "pass rate"),
        "categoryTitle": lang.t("按产品类别", "By product category"),
        "regionTitle": lang.t("按省份", "By province"),
        "trendTitle": lang.t("按季度趋势", "Quarterly trend"),
        "categories": chart_rows(&categories),
        "regions": chart_rows(&regions),
        "trend": chart_rows(&quarters),
    });
    let levels = [
        ("national", "国家监督抽查", "National"),
        ("provincial", "省级监督抽查", "Provincial"),
        ("all", "全部", "All levels"),
    ];
    let body = html! {
        h1 { (lang.t("监督抽查合格率", "Supervision sampling pass rates")) }
        form.search action="/inspections" method="get" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            select name="level" aria-label=(lang.t("抽查层级", "Level")) {
                @for (value, zh, en) in levels { option value=(value) selected[value == level] { (lang.t(zh, en)) } }
            }
            input type="text" name="from" placeholder=(lang.t("起始日期 YYYY-MM-DD", "From YYYY-MM-DD")) value=(params.from.clone().unwrap_or_default());
            input type="text" name="to" placeholder=(lang.t("截止日期 YYYY-MM-DD", "To YYYY-MM-DD")) value=(params.to.clone().unwrap_or_default());
            button type="submit" { (lang.t("查询", "Show")) }
        }
        @if let Some(indicator) = &indicator {
            @if let Some(current) = &indicator.current {
                div class=(if current.met_with_confidence { "valid" } else if current.met { "warning" } else { "error" }) {
                    strong { (lang.t(indicator.name_zh, indicator.name_en)) " " (current.year) ": " (format!("{:.1}%", current.value)) }
                    " [" (format!("{:.1}%", current.lower)) ", " (format!("{:.1}%", current.upper)) "] "
                    (lang.t("目标", "target")) " ≥ " (indicator.target) "% (" (indicator.source) ") — "
                    @if current.met_with_confidence { (lang.t("达标（置信区间整体高于目标）", "met (the whole interval is above the target)")) }
                    @else if current.met { (lang.t("点估计达标，但置信区间跨越目标", "met by the estimate, but the interval crosses the target")) }
                    @else { (lang.t("未达标", "not met")) }
                }
            }
        }
        p.muted { (lang.t("合格率以 Wilson 95% 置信区间给出，可由原始结果复现：", "Rates carry Wilson 95% intervals and are reproducible from the raw results: "))
            a href="/api/v1/inspections/pass-rates?group_by=product_category" { code { "/api/v1/inspections/pass-rates" } } }
        div #chart-trend style="height:320px" {}
        h2 { (lang.t("按季度", "By quarter")) }
        (rate_table(lang, lang.t("季度", "Quarter"), &quarters))
        div #chart-category style="height:380px" {}
        h2 { (lang.t("按产品类别", "By product category")) }
        (rate_table(lang, lang.t("产品类别", "Category"), &categories))
        div #chart-region style="height:380px" {}
        h2 { (lang.t("按省份", "By province")) }
        (rate_table(lang, lang.t("省份", "Province"), &regions))
        script id="chart-data" type="application/json" { (PreEscaped(chart_data.to_string().replace("</", "<\\/"))) }
        script src="/assets/echarts.min.js" {}
        script src="/assets/dashboard.js" {}
    };
    page(lang, lang.t("监督抽查合格率", "Pass rates"), body).into_response()
}

fn level_name(lang: Lang, level: &str) -> String {
    webkit::layout::named::<sampling::Level>(lang, level)
}

#[derive(Debug, Deserialize)]
pub struct LangParam {
    #[serde(default)]
    lang: Lang,
}

pub async fn campaigns(State(state): State<AppState>, Query(params): Query<LangParam>) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let list = match state.store.campaigns(None, None, 500).await {
        Ok(list) => list,
        Err(error) => return error_page(lang, &error.into()),
    };
    let body = html! {
        h1 { (lang.t("抽查任务", "Sampling campaigns")) }
        p { a href=(with_lang("/campaigns/new", lang)) { (lang.t("新建抽查任务", "New campaign")) } }
        table {
            thead { tr { th { (lang.t("任务编号", "Campaign")) } th { (lang.t("名称", "Name")) } th { (lang.t("层级", "Level")) }
                        th { (lang.t("产品类别", "Category")) } th { (lang.t("年度", "Year")) } th { (lang.t("状态", "Status")) } } }
            tbody { @for c in &list { tr {
                td { a href=(with_lang(&format!("/campaigns/{}", c.id), lang)) { code { (c.id) } } }
                td { (c.name) } td { (level_name(lang, &c.level)) }
                td { (c.product_category.as_deref().map(|code| category_name(&catalogue, lang, code)).unwrap_or_default()) }
                td { (c.year) } td { (c.status) }
            } } }
        }
    };
    page(lang, lang.t("抽查任务", "Campaigns"), body).into_response()
}

fn date_form(session: &PageUser, lang: Lang, action: &str, label: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (session.field())
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            input type="date" name="on_date" required aria-label=(label);
            button type="submit" { (label) }
        }
    }
}

pub async fn campaign(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Query(params): Query<LangParam>,
) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let campaign = match state.store.campaign(&id).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return error_page(lang, &ApiError::not_found(format!("{} {id}", lang.t("没有抽查任务", "No campaign"))))
        }
        Err(error) => return error_page(lang, &error.into()),
    };
    let loaded = (
        state.store.campaign_strata(&id).await,
        state.store.samples_where(Some(&id), None, 5_000).await,
        state.store.campaign_draw(&id).await,
    );
    let (strata, samples, drawn) = match loaded {
        (Ok(strata), Ok(samples), Ok(drawn)) => (strata, samples, drawn),
        (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => return error_page(lang, &e.into()),
    };
    let user = session.user.as_ref();
    let supervisor = user.is_some_and(|u| webkit::auth::authorize_supervision(u, &campaign.region_code).is_ok());
    // The public sees published results only; the people working on a sample see it as it stands.
    let samples: Vec<_> = samples.into_iter().filter(|s| may_read(user, s)).collect();
    let flags = match flagged_citations(&state, &samples).await {
        Ok(flags) => flags,
        Err(error) => return error_page(lang, &error),
    };
    let breaches = match regime_breaches(&state, &id, &samples).await {
        Ok(breaches) => breaches,
        Err(error) => return error_page(lang, &error),
    };
    let coverage = match service::labs::campaign_labs(&state, &id).await {
        Ok(coverage) => coverage,
        Err(error) => return error_page(lang, &error),
    };
    let sampled: Vec<&str> = samples.iter().map(|s| s.uscc.as_str()).collect();
    let rates = compute(
        &state,
        PassRateParams { campaign_id: Some(id.clone()), estimator: Some("stratified".into()), ..Default::default() },
    )
    .await;
    let here = format!("/campaigns/{id}");
    let lang_field = html! { @if lang == Lang::En { input type="hidden" name="lang" value="en"; } };
    let body = html! {
        h1 { (campaign.name) }
        table {
            tr { th { (lang.t("任务编号", "Campaign")) } td { code { (campaign.id) } } }
            tr { th { (lang.t("层级", "Level")) } td { (level_name(lang, &campaign.level)) } }
            tr { th { (lang.t("组织机关辖区", "Jurisdiction")) } td { (region_name(&campaign.region_code)) } }
            tr { th { (lang.t("产品类别", "Category")) } td { (campaign.product_category.as_deref().map(|c| category_name(&catalogue, lang, c)).unwrap_or_default()) } }
            tr { th { (lang.t("年度", "Year")) } td { (campaign.year) } }
            tr { th { (lang.t("状态", "Status")) } td { (named::<CampaignStatus>(lang, &campaign.status)) } }
            @if let Ok(rates) = &rates { @if let Some(total) = &rates.total {
                tr { th { (lang.t("合格率", "Pass rate")) } td {
                    strong { (percent(total.rate)) } " [" (percent(total.lower)) ", " (percent(total.upper)) "] "
                    span.muted { "n=" (total.samples) ", " (total.estimator.as_str()) } } }
            } }
        }
        @if user.is_none() { p { (sign_in_link(lang, &here)) } }
        @if !strata.is_empty() {
            h2 { (lang.t("抽样分层", "Strata")) }
            table {
                thead { tr { th { (lang.t("层", "Stratum")) } th { (lang.t("总体数", "Population")) } th { (lang.t("计划样本量", "Allocation")) } } }
                tbody { @for (stratum, population, allocation) in &strata { tr { td { (stratum) } td { (population) } td { (allocation.map(|a| a.to_string()).unwrap_or_default()) } } } }
            }
        }
        @if !coverage.items.is_empty() {
            h2 { (lang.t("检验项目与承检机构", "Test items and their labs")) }
            table {
                thead { tr { th { (lang.t("检验项目", "Item")) } th { (lang.t("标准及条款", "Standard and clause")) } th { (lang.t("能力覆盖的承检机构", "Assigned labs whose scope covers it")) } } }
                tbody { @for c in &coverage.items { tr {
                    td { (c.item.parameter) }
                    td { a href=(with_lang(&format!("/standards/{}", urlencode(&c.item.edition)), lang)) { (c.item.edition) } " " (c.item.clause) }
                    td { @if c.labs.is_empty() { span.tag.flagged { (lang.t("无承检机构覆盖", "no assigned lab covers it")) } }
                         @for lab in &c.labs { a href=(with_lang(&format!("/labs/{lab}"), lang)) { (coverage.labs.iter().find(|l| &l.uscc == lab).map_or(lab.as_str(), |l| l.name.as_str())) } " " } }
                } } }
            }
            @if !coverage.uncovered.is_empty() {
                p.warning { (coverage.uncovered.len()) (lang.t(" 个检验项目没有承检机构的能力覆盖，请另行指定检验机构。", " test items are in no assigned lab's scope: assign another lab.")) }
            }
        }
        @if supervisor {
            h2 { (lang.t("检验项目和承检机构", "Test items and labs")) }
            form method="post" action=(format!("/campaigns/{id}/test-items")) {
                (session.field()) (lang_field)
                label { (lang.t("检验项目，每行一项：项目 | 标准及条款", "Test items, one a line: parameter | standard and clause"))
                    textarea name="items" rows="4" cols="60" placeholder="可迁移元素 铅 | GB 6675.4-2014 4.2" {
                        @for c in &coverage.items { (c.item.parameter) " | " (c.item.edition) @if !c.item.clause.is_empty() { " " (c.item.clause) } "\n" }
                    } }
                button type="submit" { (lang.t("保存检验项目", "Save the test items")) }
            }
            @if !coverage.items.is_empty() {
                form.search method="post" action=(format!("/campaigns/{id}/labs")) {
                    (session.field()) (lang_field)
                    label { (lang.t("指派承检机构（统一社会信用代码）", "Assign a lab (its USCC)")) input type="text" name="lab_uscc" maxlength="18" required; }
                    button type="submit" { (lang.t("指派", "Assign")) }
                }
            }
            h2 { (lang.t("抽取企业", "Draw")) }
            @if drawn.is_empty() {
                form method="post" action=(format!("/campaigns/{id}/draw")) {
                    (session.field()) (lang_field)
                    button type="submit" { (lang.t("按计划样本量随机抽取企业", "Draw organizations at random for the allocation")) }
                }
            } @else {
                p { (lang.t("已抽取：", "Drawn: ")) @for (i, (uscc, stratum)) in drawn.iter().enumerate() {
                    @if i > 0 { ", " } code { (uscc) } @if let Some(stratum) = stratum { span.muted { " (" (stratum) ")" } }
                    @if sampled.contains(&uscc.as_str()) { " ✓" } } }
            }
            @if campaign.status.parse::<sampling::CampaignStatus>().is_ok_and(sampling::CampaignStatus::takes_samples) {
                h2 { (lang.t("登记抽样", "Record a sample")) }
                form method="post" action=(format!("/campaigns/{id}/samples")) {
                    (session.field()) (lang_field)
                    p {
                        input type="text" name="sample_id" placeholder=(lang.t("样品编号", "Sample id")) required;
                        " " select name="uscc" required aria-label=(lang.t("被抽查企业", "Enterprise")) {
                            @for (uscc, _) in drawn.iter().filter(|(u, _)| !sampled.contains(&u.as_str())) { option value=(uscc) { (uscc) } }
                        }
                        " " input type="date" name="sampled_on" required aria-label=(lang.t("抽样日期", "Sampled on"));
                    }
                    p {
                        select name="channel" aria-label=(lang.t("抽样环节", "Channel")) { option value="production" { (lang.t("生产", "Production")) } option value="retail" { (lang.t("流通", "Retail")) } option value="online" { (lang.t("电商", "Online")) } }
                        " " input type="text" name="lab_uscc" placeholder=(lang.t("检验机构统一社会信用代码", "Laboratory's USCC")) maxlength="18" required;
                        " " input type="text" name="lot" placeholder=(lang.t("批号", "Lot"));
                        " " input type="text" name="sampler" placeholder=(lang.t("抽样人员", "Samplers"));
                    }
                    button type="submit" { (lang.t("登记", "Record")) }
                }
            }
            @if campaign.status != CampaignStatus::Published.as_str() && !samples.is_empty() {
                h2 { (lang.t("发布结果", "Publish results")) }
                (date_form(&session, lang, &format!("/campaigns/{id}/publish"), lang.t("发布", "Publish")))
            }
        }
        h2 { (lang.t("抽查结果", "Results")) }
        table {
            thead { tr { th { (lang.t("样品编号", "Sample")) } th { (lang.t("被抽查企业", "Enterprise")) } th { (lang.t("抽样日期", "Sampled")) }
                        th { (lang.t("结论", "Verdict")) } th { (lang.t("不合格项目", "Failed items")) } th { (lang.t("办理", "Actions")) } } }
            tbody { @for (index, s) in samples.iter().enumerate() {
                @let status = s.status.parse::<SampleStatus>().ok();
                @let verdict = s.verdict.parse::<Verdict>().unwrap_or(Verdict::Pending);
                tr {
                td { code { (s.sample_id) } br; span.muted { (named::<SampleStatus>(lang, &s.status)) } }
                td { a href=(with_lang(&format!("/organizations/{}", s.uscc), lang)) { code { (s.uscc) } } }
                td { (s.sampled_on) }
                td { (named::<Verdict>(lang, &s.verdict)) @if s.first_verdict.as_deref() == Some(Verdict::Fail.as_str()) && verdict == Verdict::Pass { span.muted { " (" (lang.t("复检合格", "passed on re-test")) ")" } } }
                td { (s.failed_items.as_deref().unwrap_or("")) @for flag in &flags[index] { br; (citation_flag(lang, flag)) }
                    @if let Some(breach) = &breaches[index] { br; span.tag.flagged { (lang.pick(EventKind::RegimeBreach.name_zh(), EventKind::RegimeBreach.name_en())) "：" (breach) } } @if let Some(deadline) = &s.retest_deadline { @if status == Some(SampleStatus::Notified) { br; span.muted { (lang.t("复检申请截止 ", "re-test requests until ")) (deadline) } } } }
                td {
                    @if let Some(u) = user {
                        @if status.is_some_and(SampleStatus::expects_result) && (u.role == store::Role::Admin || service::campaigns::is_sample_lab(u, s)) {
                            form method="post" action=(format!("/samples/{}/results", s.sample_id)) {
                                (session.field()) (lang_field)
                                input type="date" name="tested_on" required aria-label=(lang.t("检验日期", "Tested on"));
                                textarea name="items" rows="3" cols="40" required placeholder=(lang.t("每行一项：项目 | 标准条款 | 限值 | 实测值 | 单位 | 合格/不合格", "One a line: item | clause | limit | measured | unit | pass/fail")) {}
                                button type="submit" { (lang.t("提交检验结果", "Submit results")) }
                            }
                        }
                        @if supervisor && status.is_some_and(SampleStatus::has_result_to_notify) {
                            (date_form(&session, lang, &format!("/samples/{}/notice", s.sample_id), lang.t("送达结果通知", "Notify the result")))
                        }
                        @if status.is_some_and(|st| sampling::open_retest_window("", st, verdict, s.retest_deadline.as_deref().and_then(|d| d.parse().ok())).is_ok()) && (u.role == store::Role::Admin || (u.role == store::Role::Enterprise && u.uscc.as_deref() == Some(s.uscc.as_str()))) {
                            (date_form(&session, lang, &format!("/samples/{}/retest-request", s.sample_id), lang.t("申请复检", "Request a re-test")))
                        }
                        @if supervisor && status.is_some_and(|st| sampling::may_follow_up("", st, verdict).is_ok()) {
                            form method="post" action=(format!("/samples/{}/follow-ups", s.sample_id)) {
                                (session.field()) (lang_field)
                                select name="kind" aria-label=(lang.t("后处理", "Follow-up")) {
                                    @for step in FollowUp::ALL { option value=(step.as_str()) { (lang.pick(step.name_zh(), step.name_en())) } }
                                }
                                input type="date" name="on_date" required aria-label=(lang.t("日期", "Date"));
                                input type="date" name="due_on" aria-label=(lang.t("整改期限", "Deadline"));
                                select name="verdict" aria-label=(lang.t("复查结论", "Re-inspection verdict")) { option value="" { "—" } option value="pass" { (lang.t("合格", "Pass")) } option value="fail" { (lang.t("不合格", "Fail")) } }
                                button type="submit" { (lang.t("登记", "Record")) }
                            }
                        }
                    }
                }
            } } }
        }
    };
    page(lang, &campaign.name, body).into_response()
}

pub async fn new_campaign(
    State(state): State<AppState>,
    session: PageUser,
    Query(params): Query<LangParam>,
) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    if session.user.is_none() {
        return page(
            lang,
            lang.t("新建抽查任务", "New campaign"),
            html! { p { (sign_in_link(lang, "/campaigns/new")) } },
        )
        .into_response();
    }
    let body = html! {
        h1 { (lang.t("新建抽查任务", "New sampling campaign")) }
        form method="post" action="/campaigns" {
            (session.field())
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            table {
                tr { th { (lang.t("任务编号", "Campaign id")) } td { input type="text" name="id" required placeholder="2026-HZ-0401"; } }
                tr { th { (lang.t("名称", "Name")) } td { input type="text" name="name" style="width:100%"; } }
                tr { th { (lang.t("层级", "Level")) } td { select name="level" {
                    option value="national" { (lang.t("国家", "National")) } option value="provincial" { (lang.t("省级", "Provincial")) }
                    option value="city" selected { (lang.t("市级", "City")) } option value="county" { (lang.t("县级", "County")) } } } }
                tr { th { (lang.t("辖区代码（默认本账户辖区）", "Region code (default: yours)")) } td { input type="text" name="region_code"; } }
                tr { th { (lang.t("产品类别", "Category")) } td { select name="product_category" {
                    option value="" { "—" }
                    (category_options(&catalogue, lang, None, true)) } } }
                tr { th { (lang.t("年度", "Year")) } td { input type="number" name="year" required value="2026"; } }
                tr { th { (lang.t("计划样本量（按总体数比例分配）", "Sample size (allocated in proportion)")) } td { input type="number" name="sample_size" min="1"; } }
                tr { th { (lang.t("分层（每行：名称, 总体数[, 计划样本量]）", "Strata (a line each: name, population[, allocation])")) }
                     td { textarea name="strata" rows="4" cols="40" placeholder="大型企业, 120\n中小企业, 880" {} } }
            }
            button type="submit" { (lang.t("创建", "Create")) }
        }
    };
    page(lang, lang.t("新建抽查任务", "New campaign"), body).into_response()
}

/// An organization's published inspection history, for its page.
pub async fn history(state: &AppState, lang: Lang, uscc: &str) -> Result<Markup, ApiError> {
    let catalogue = state.catalogue().await?;
    let samples: Vec<_> = state
        .store
        .samples_where(None, Some(uscc), 200)
        .await?
        .into_iter()
        .filter(|s| s.status == SampleStatus::Published.as_str())
        .collect();
    Ok(html! {
        h2 { (lang.t("监督抽查记录", "Supervision sampling history")) }
        @if samples.is_empty() { p.muted { (lang.t("暂无公开的抽查结果。", "No published sampling results.")) } }
        @else {
            table {
                thead { tr { th { (lang.t("抽样日期", "Sampled")) } th { (lang.t("抽查任务", "Campaign")) } th { (lang.t("产品类别", "Category")) }
                            th { (lang.t("结论", "Verdict")) } th { (lang.t("不合格项目", "Failed items")) } } }
                tbody { @for s in &samples { tr {
                    td { (s.sampled_on) }
                    td { a href=(with_lang(&format!("/campaigns/{}", s.campaign_id), lang)) { code { (s.campaign_id) } } }
                    td { (category_name(&catalogue, lang, &s.product_category)) }
                    td { (named::<Verdict>(lang, &s.verdict)) }
                    td { (s.failed_items.as_deref().unwrap_or("")) }
                } } }
            }
        }
    })
}
