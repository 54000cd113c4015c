//! Risk pages: national injury estimates (public), the signal board (regulators), and risk warnings (public once
//! published). Each reads the same functions as the API.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use product_catalogue::Catalogue;
use serde::Deserialize;
use webkit::catalogue::{category_name, category_options};

use warnings::{ResponseAction, RiskLevel, WarningStatus, WarningStep};
use webkit::i18n::Lang;
use webkit::layout::{error_page, named};
use webkit::layout::{page, with_lang};
use webkit::session::PageUser;
use webkit::{ApiError, AppState};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/injuries", get(injuries))
        .route("/injuries/new", get(new_case).post(report_case))
        .route("/signals", get(signals))
        .route("/signals/runs", post(keep_run))
        .route("/signals/runs/{id}", get(signal_run))
        .route("/warnings", get(warnings).post(draft_warning))
        .route("/warnings/new", get(new_warning))
        .route("/warnings/{id}", get(warning))
        .route("/warnings/{id}/{stage}", post(warning_stage))
        .route("/risk-assessments", post(create_assessment))
        .route("/risk-assessments/new", get(new_assessment))
}

fn number(value: Option<f64>) -> String {
    value.map_or("—".to_owned(), |v| format!("{v:.0}"))
}

#[derive(Debug, Deserialize)]
pub struct InjuryParams {
    #[serde(default)]
    lang: Lang,
    from: Option<String>,
    to: Option<String>,
    /// The product category whose yearly trend is drawn (all products when absent).
    product_code: Option<String>,
}

/// `GET /injuries`: national estimates by product category for a period, unstable ones marked as CPSC marks them.
pub async fn injuries(State(state): State<AppState>, Query(params): Query<InjuryParams>) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let to = params.to.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| service::today().to_string());
    let from = params.from.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| {
        chrono::NaiveDate::parse_from_str(&to, "%Y-%m-%d")
            .map(|d| (d - chrono::Duration::days(364)).to_string())
            .unwrap_or_default()
    });
    let estimates = service::injuries::compute(
        &state,
        service::injuries::EstimateParams {
            from: Some(from.clone()),
            to: Some(to.clone()),
            group_by: Some("product_code".into()),
            ..Default::default()
        },
    )
    .await;
    let estimates = match estimates {
        Ok(value) => value,
        Err(error) => return error_page(lang, &error),
    };
    // The yearly trend over six years to `to`, for one product or all.
    let trend_product = params.product_code.clone().filter(|p| !p.trim().is_empty());
    let trend_from = chrono::NaiveDate::parse_from_str(&to, "%Y-%m-%d")
        .map(|d| (d - chrono::Duration::days(6 * 365)).to_string())
        .unwrap_or_default();
    let trend = service::injuries::compute(
        &state,
        service::injuries::EstimateParams {
            product_code: trend_product.clone(),
            from: Some(trend_from),
            to: Some(to.clone()),
            group_by: Some("year".into()),
            ..Default::default()
        },
    )
    .await;
    let trend = match trend {
        Ok(value) => value,
        Err(error) => return error_page(lang, &error),
    };
    let title = lang.t("产品伤害监测：全国估计", "Product injuries: national estimates");
    let body = html! {
        h1 { (title) }
        p { a href=(with_lang("/injuries/new", lang)) { (lang.t("哨点医院病例填报", "Report a case (sentinel hospitals)")) } }
        form.search action="/injuries" method="get" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            input type="text" name="from" value=(from) aria-label=(lang.t("起始日期", "From"));
            input type="text" name="to" value=(to) aria-label=(lang.t("截止日期", "To"));
            button type="submit" { (lang.t("查询", "Show")) }
        }
        p.muted { (lang.t("哨点医院病例按抽样权数加权推算全国；标准误以泰勒线性化计算（医院为初级抽样单元、按层）。标 * 的估计不稳定（估计值低于 1,200、病例少于 20 或变异系数超过 33%）。",
                          "Sentinel-hospital cases weighted to national totals; standard errors by Taylor linearisation with hospitals as units within strata. Estimates marked * are unstable (under 1,200, under 20 cases, or CV over 33%)."))
            " " (lang.t("哨点医院数", "Hospitals")) ": " (estimates.hospitals) }
        table {
            thead { tr {
                th { (lang.t("产品类别", "Product category")) } th { (lang.t("病例数", "Cases")) } th { (lang.t("全国估计", "Estimate")) }
                th { (lang.t("95% 区间", "95% interval")) } th { (lang.t("变异系数", "CV")) }
            } }
            tbody {
                @for e in &estimates.estimates {
                    @let code = e.group.get("product_code").map(String::as_str).unwrap_or("");
                    tr {
                        td { (category_name(&catalogue, lang, code)) " " span.muted { (code) } }
                        td { (e.cases) }
                        td { (number(e.estimate)) @if e.unstable { " *" } }
                        td { (number(e.lower)) " – " (number(e.upper)) }
                        td { (e.cv.map_or("—".to_owned(), |cv| format!("{:.1}%", cv * 100.0))) }
                    }
                }
            }
        }
        h2 { (lang.t("逐年趋势", "Trend by year")) " · " (trend_product.as_deref().map(|c| category_name(&catalogue, lang, c)).unwrap_or_else(|| lang.t("全部产品", "all products").to_owned())) }
        form.search action="/injuries" method="get" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            input type="hidden" name="to" value=(to);
            select name="product_code" aria-label=(lang.t("产品类别", "Product category")) {
                option value="" { (lang.t("全部产品", "all products")) }
                (category_options(&catalogue, lang, trend_product.as_deref(), false)) }
            button type="submit" { (lang.t("显示", "Show")) }
        }
        div id="injury-trend" style="height:300px" {}
        table {
            thead { tr { th { (lang.t("年份", "Year")) } th { (lang.t("病例数", "Cases")) } th { (lang.t("全国估计", "Estimate")) } th { (lang.t("95% 区间", "95% interval")) } } }
            tbody { @for e in &trend.estimates { tr {
                td { (e.group.get("year").map(String::as_str).unwrap_or("")) }
                td { (e.cases) } td { (number(e.estimate)) @if e.unstable { " *" } }
                td { (number(e.lower)) " – " (number(e.upper)) } } } }
        }
        script id="injury-data" type="application/json" {
            (maud::PreEscaped(serde_json::json!({"estimates": trend.estimates, "estimate": lang.t("全国估计", "estimate"), "interval": lang.t("95% 区间", "95% interval")}).to_string().replace("</", "<\\/")))
        }
        script src="/assets/echarts.min.js" {}
        script src="/assets/injuries.js" {}
        p.muted { "API: " a href="/api/v1/injuries/estimates?group_by=product_code" { code { "/api/v1/injuries/estimates" } } }
    };
    page(lang, title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct SignalParams {
    #[serde(default)]
    lang: Lang,
    source: Option<String>,
    #[serde(default)]
    by_region: bool,
    method: Option<String>,
    sort: Option<String>,
    to: Option<String>,
}

fn signal_table(catalogue: &Catalogue, lang: Lang, source: &str, report: &signals::Report, sort: &str) -> Markup {
    let mut pairs: Vec<&signals::PairSignal> = Vec::new();
    let mut alarms: Vec<&signals::Alarm> = Vec::new();
    for signal in &report.signals {
        match signal {
            signals::Signal::Pair(pair) => pairs.push(pair),
            signals::Signal::Alarm(alarm) => alarms.push(alarm),
        }
    }
    let key = |p: &signals::PairSignal| match sort {
        "cases" => Some(p.cases as f64),
        "prr" => p.prr,
        "ror" => p.ror,
        "chi2" => p.chi2,
        "ic025" => p.ic025,
        _ => p.eb05,
    };
    pairs.sort_by(|a, b| key(b).unwrap_or(f64::MIN).total_cmp(&key(a).unwrap_or(f64::MIN)));
    let sortable = |key: &str, label: &str| html! { a href=(with_lang(&format!("/signals?source={source}&method=disproportionality&sort={key}"), lang)) { (label) } };
    let assess = |product: &str, hazard: &str, signal: String| {
        with_lang(
            &format!(
                "/risk-assessments/new?product_code={product}&hazard={hazard}&signal={}",
                service::events::percent_encode(&signal)
            ),
            lang,
        )
    };
    let decimal = |v: Option<f64>| v.map_or("—".to_owned(), |v| format!("{v:.2}"));
    html! {
        @if report.method != signals::DISPROPORTIONALITY {
            table {
                thead { tr { th { (lang.t("产品类别", "Product category")) } th { (lang.t("地区", "Region")) } th { (lang.t("本周观察", "Observed")) }
                    th { (lang.t("期望", "Expected")) } th { (lang.t("阈值", "Threshold")) } th { (lang.t("统计量 / 报警线", "Statistic / limit")) } } }
                tbody { @for s in &alarms { tr {
                    td { (category_name(catalogue, lang, &s.product_code)) " " a href=(assess(&s.product_code, source, serde_json::to_string(*s).unwrap_or_default())) { (lang.t("评估", "assess")) } }
                    td { (s.region.as_deref().unwrap_or("—")) }
                    td { (s.observed) } td { (decimal(s.expected)) }
                    td { (decimal(s.upper)) } td { (decimal(s.statistic)) " / " (decimal(s.limit)) }
                } } }
            }
        } @else {
            table {
                thead { tr {
                    th { (lang.t("产品类别", "Product category")) } th { (lang.t("危害", "Hazard")) }
                    th { (sortable("cases", lang.t("病例", "Cases"))) } th { (sortable("prr", "PRR")) } th { (sortable("ror", "ROR")) }
                    th { (sortable("chi2", "χ²")) } th { (sortable("ic025", "IC025")) } th { (sortable("eb05", "EB05")) } th { "EBGM" }
                } }
                tbody { @for s in &pairs { tr {
                    td { (category_name(catalogue, lang, &s.product_code))
                        " " a href=(assess(&s.product_code, &s.hazard, serde_json::to_string(*s).unwrap_or_default())) { (lang.t("评估", "assess")) } }
                    td { code { (s.hazard) } }
                    td { (s.cases) }
                    @for value in [s.prr, s.ror, s.chi2, s.ic025, s.eb05, s.ebgm] {
                        td { (decimal(value)) }
                    }
                } } }
            }
        }
        p.muted { (lang.t("方法与参数", "Method and parameters")) ": " code { (report.parameters.to_string()) } }
    }
}

fn choices(lang: Lang, name: &str, label: &str, list: &[(&str, &[&str])], optional: bool) -> Markup {
    html! {
        label { (label) select name=(name) {
            @if optional { option value="" { "—" } }
            @for (code, synonyms) in list { option value=(code) { (if lang == Lang::En { code.to_string() } else { synonyms.first().copied().unwrap_or(code).to_string() }) } } } }
    }
}

/// `GET /injuries/new`: a sentinel hospital's case form; the hospital, stratum and weight come from the register.
pub async fn new_case(
    State(state): State<AppState>,
    session: PageUser,
    Query(params): Query<WarningParams>,
) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let Some(user) = session.user.clone() else { return error_page(lang, &ApiError::unauthorized()) };
    let hospital = service::injuries::hospital_of(&state, &user).await.ok().flatten();
    let Some(hospital) = hospital else {
        return error_page(
            lang,
            &ApiError::forbidden(lang.t(
                "只有已登记的哨点医院账户可以填报病例",
                "only a registered sentinel hospital's account reports cases",
            )),
        );
    };
    let title = lang.t("伤害病例填报", "Report an injury case");
    let body = html! {
        h1 { (title) }
        p.muted { (hospital.name) " · " (hospital.stratum) " · " (lang.t("权数", "weight")) " " (hospital.weight) }
        form.stack method="post" action=(with_lang("/injuries/new", lang)) {
            (session.field())
            label { (lang.t("病例编号", "Case number")) input type="text" name="case_id" required; }
            label { (lang.t("就诊日期", "Treated on")) input type="date" name="treated_on" required; }
            label { (lang.t("年龄", "Age")) input type="number" name="age" min="0" max="120" required; }
            label { (lang.t("性别", "Sex")) select name="sex" { option value="male" { (lang.t("男", "male")) } option value="female" { (lang.t("女", "female")) } } }
            label { (lang.t("产品类别", "Product")) select name="product_code" {
                (category_options(&catalogue, lang, None, false)) } }
            (choices(lang, "body_part", lang.t("受伤部位", "Body part"), service::input::BODY_PARTS, false))
            (choices(lang, "diagnosis", lang.t("伤害性质", "Diagnosis"), service::input::DIAGNOSES, false))
            (choices(lang, "disposition", lang.t("结局", "Disposition"), service::input::DISPOSITIONS, false))
            (choices(lang, "location", lang.t("发生地点", "Location"), service::input::INJURY_LOCATIONS, true))
            (choices(lang, "intent", lang.t("意图", "Intent"), service::input::INTENTS, true))
            label { (lang.t("危害代码（可选）", "Hazard code (optional)")) input type="text" name="hazard_code"; }
            label { (lang.t("经过（仅监管人员可见）", "What happened (regulators only)")) textarea name="narrative" rows="3" {} }
            button { (lang.t("提交", "Submit")) }
        }
    };
    page(lang, title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CaseForm {
    csrf: String,
    #[serde(default)]
    lang: Lang,
    case_id: Option<String>,
    treated_on: Option<String>,
    age: Option<String>,
    sex: Option<String>,
    product_code: Option<String>,
    body_part: Option<String>,
    diagnosis: Option<String>,
    disposition: Option<String>,
    location: Option<String>,
    intent: Option<String>,
    hazard_code: Option<String>,
    narrative: Option<String>,
}

/// `POST /injuries/new`: the case through the API's own handler, which takes the register's stratum and weight.
pub async fn report_case(
    State(state): State<AppState>,
    session: PageUser,
    axum::extract::Form(form): axum::extract::Form<CaseForm>,
) -> Response {
    let lang = form.lang;
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        let hospital = service::injuries::hospital_of(&state, &user)
            .await?
            .ok_or_else(|| ApiError::forbidden("this account's hospital is not in the sentinel register"))?;
        let fields = service::input::InjuryFields {
            case_id: form.case_id,
            treated_on: form.treated_on,
            hospital_id: Some(hospital.id),
            age: form.age,
            sex: form.sex,
            product_code: form.product_code,
            body_part: form.body_part,
            diagnosis: form.diagnosis,
            disposition: form.disposition,
            location: form.location,
            intent: form.intent,
            hazard_code: form.hazard_code,
            narrative: form.narrative,
            ..Default::default()
        };
        service::injuries::report(&state, &user, fields).await
    }
    .await;
    match result {
        Ok((_, answer)) => {
            let title = lang.t("已收到", "Received");
            let body = html! { h1 { (title) } p { (lang.t("病例", "Case")) " " code { (answer.case_id) } " " (lang.t("已记录。", "is recorded.")) }
            p { a href=(with_lang("/injuries/new", lang)) { (lang.t("继续填报", "Report another")) } } };
            page(lang, title, body).into_response()
        }
        Err(error) => error_page(lang, &error),
    }
}

#[derive(Debug, Deserialize)]
pub struct KeepForm {
    csrf: String,
    #[serde(default)]
    lang: Lang,
    source: Option<String>,
    method: Option<String>,
    to: Option<String>,
    by_region: Option<String>,
}

/// `POST /signals/runs`: computes the board's signals again and keeps them with their parameters.
pub async fn keep_run(
    State(state): State<AppState>,
    session: PageUser,
    axum::extract::Form(form): axum::extract::Form<KeepForm>,
) -> Response {
    let lang = form.lang;
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        let params = service::signals::SignalParams {
            source: form.source,
            method: form.method,
            from: None,
            to: form.to,
            by_region: form.by_region.as_deref() == Some("true"),
        };
        service::signals::compute_and_keep(&state, &user, params).await
    }
    .await;
    match result {
        Ok(run) => axum::response::Redirect::to(&with_lang(&format!("/signals/runs/{}", run.id), lang)).into_response(),
        Err(error) => error_page(lang, &error),
    }
}

/// `GET /signals/runs/{id}`: a kept computation, as it was.
pub async fn signal_run(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<i64>,
    Query(params): Query<WarningParams>,
) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let regulator =
        session.user.as_ref().is_some_and(|u| matches!(u.role, store::Role::Admin | store::Role::Regulator));
    if !regulator {
        return error_page(lang, &ApiError::forbidden("signals are for regulators"));
    }
    let run = match state.store.signal_run(id).await {
        Ok(Some(run)) => run,
        Ok(None) => return error_page(lang, &ApiError::not_found(format!("no signal run {id}"))),
        Err(error) => return error_page(lang, &error.into()),
    };
    // A kept run reads back as the report it was computed as; one that does not is an integrity fault.
    let signals = match serde_json::from_value(run.signals.clone()) {
        Ok(signals) => signals,
        Err(error) => return error_page(lang, &ApiError::integrity(format!("signal run {id}: {error}"))),
    };
    let report = signals::Report { method: run.method.clone(), parameters: run.parameters.clone(), signals };
    let title = lang.t("已保存的信号计算", "Kept signal computation");
    let body = html! {
        h1 { (title) " #" (run.id) }
        p.muted { (run.source) " · " (run.method) @if run.by_region { " · " (lang.t("按省份", "by province")) } " · "
            (run.period_from) " – " (run.period_to) " · " (lang.t("计算于", "computed")) " " (webkit::layout::china_time(&run.computed_at)) }
        (signal_table(&catalogue, lang, &run.source, &report, "eb05"))
    };
    page(lang, title, body).into_response()
}

/// A signal's weekly chart with its title, as the board's script reads it.
#[derive(Debug, serde::Serialize)]
struct Chart {
    title: String,
    #[serde(flatten)]
    series: signals::Series,
}

/// `GET /signals`: the signal board, for regulators.
pub async fn signals(State(state): State<AppState>, session: PageUser, Query(params): Query<SignalParams>) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let Some(user) = session.user.clone() else { return error_page(lang, &ApiError::unauthorized()) };
    let method = params.method.clone().unwrap_or_else(|| "farrington".into());
    let source = match service::signals::source(params.source.as_deref()) {
        Ok(source) => source,
        Err(error) => return error_page(lang, &error),
    };
    let answer = service::signals::compute(
        &state,
        &user,
        source,
        Some(method.clone()),
        None,
        params.to.clone(),
        params.by_region,
    )
    .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(error) => return error_page(lang, &error),
    };
    let sort = params
        .sort
        .clone()
        .filter(|s| ["cases", "prr", "ror", "chi2", "ic025", "eb05"].contains(&s.as_str()))
        .unwrap_or_else(|| "eb05".into());
    // Each temporal signal gets its chart: the weekly series and the threshold the detector set for each week.
    let mut charts = Vec::new();
    if let Some(detector) = signals::Detector::parse(&answer.report.method) {
        for signal in &answer.report.signals {
            let signals::Signal::Alarm(alarm) = signal else { continue };
            let region = alarm.region.as_deref();
            let product = alarm.product_code.as_str();
            match service::signals::series(&state, source, detector, product, region, answer.period.to, 52).await {
                Ok(series) => {
                    let place = region.map(|r| format!(" · {r}")).unwrap_or_default();
                    charts
                        .push(Chart { title: format!("{}{place}", category_name(&catalogue, lang, product)), series });
                }
                Err(error) => return error_page(lang, &error),
            }
        }
    }
    let title = lang.t("风险信号", "Risk signals");
    let body = html! {
        h1 { (title) }
        form.search method="get" action="/signals" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            label { (lang.t("数据来源", "Source")) select name="source" {
                @for (value, zh, en) in [("injuries", "伤害监测", "injuries"), ("complaints", "投诉举报", "complaints"), ("inspections", "抽查不合格", "sampling failures")] {
                    option value=(value) selected[answer.source.as_str() == value] { (lang.pick(zh, en)) } } } }
            label { (lang.t("方法", "Method")) select name="method" {
                @for (value, zh, en) in [("farrington", "时间聚集（Farrington）", "temporal (Farrington)"), ("ears_c1", "EARS C1", "EARS C1"),
                    ("ears_c2", "EARS C2", "EARS C2"), ("ears_c3", "EARS C3", "EARS C3"), ("cusum", "CUSUM", "CUSUM"), ("ewma", "EWMA", "EWMA"),
                    ("glr", "泊松 GLR", "Poisson GLR"), ("disproportionality", "比例失衡（PRR、ROR、IC、EBGM）", "disproportionality (PRR, ROR, IC, EBGM)")] {
                    option value=(value) selected[answer.report.method == value] { (lang.pick(zh, en)) } } } }
            label { input type="checkbox" name="by_region" value="true" checked[params.by_region]; " " (lang.t("按省份", "by province")) }
            button { (lang.t("计算", "Compute")) }
        }
        p.muted { (answer.period.from) " – " (answer.period.to) " · "
            (answer.report.signals.len()) " " (lang.t("个信号", "signals")) }
        (signal_table(&catalogue, lang, answer.source.as_str(), &answer.report, &sort))
        form.search method="post" action=(with_lang("/signals/runs", lang)) {
            (session.field())
            input type="hidden" name="source" value=(answer.source.as_str());
            input type="hidden" name="method" value=(answer.report.method);
            input type="hidden" name="to" value=(answer.period.to);
            @if params.by_region { input type="hidden" name="by_region" value="true"; }
            button { (lang.t("保存本次计算（含方法与参数）", "Keep this computation with its method and parameters")) }
        }
        @if let Ok(kept) = state.store.signal_runs(10).await {
            @if !kept.is_empty() {
                h2 { (lang.t("最近保存的计算", "Recently kept")) }
                ul { @for run in &kept { li { a href=(with_lang(&format!("/signals/runs/{}", run.id), lang)) { "#" (run.id) }
                    " " (run.source) " · " (run.method) " · " (run.period_to) " · " (run.signal_count) " " (lang.t("个信号", "signals")) } } }
            }
        }
        @if !charts.is_empty() {
            @for (i, _) in charts.iter().enumerate() { div id=(format!("signal-chart-{i}")) style="height:280px" {} }
            script id="signal-data" type="application/json" {
                (maud::PreEscaped(serde_json::json!({"charts": charts, "observed": lang.t("观察", "observed"), "upper": lang.t("阈值", "threshold"), "expected": lang.t("期望", "expected"), "statistic": lang.t("统计量", "statistic")}).to_string().replace("</", "<\\/")))
            }
            script src="/assets/echarts.min.js" {}
            script src="/assets/signals.js" {}
        }
    };
    page(lang, title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct WarningParams {
    #[serde(default)]
    lang: Lang,
    q: Option<String>,
}

/// `GET /warnings`: published warnings for everyone, with Chinese search; all for regulators.
pub async fn warnings(
    State(state): State<AppState>,
    session: PageUser,
    Query(params): Query<WarningParams>,
) -> Response {
    let lang = params.lang;
    let regulator =
        session.user.as_ref().is_some_and(|u| matches!(u.role, store::Role::Admin | store::Role::Regulator));
    let found = match state.store.warnings(!regulator, params.q.as_deref(), 200).await {
        Ok(found) => found,
        Err(error) => return error_page(lang, &error.into()),
    };
    let title = lang.t("风险警示", "Risk warnings");
    let body = html! {
        h1 { (title) }
        form.search action="/warnings" method="get" role="search" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            input type="search" name="q" value=(params.q.clone().unwrap_or_default()) aria-label=(lang.t("搜索风险警示", "Search warnings"));
            button type="submit" { (lang.t("搜索", "Search")) }
        }
        @if found.is_empty() { p.muted { (lang.t("没有找到风险警示。", "No warnings found.")) } }
        @else {
            table {
                thead { tr { th { (lang.t("编号", "Number")) } th { (lang.t("标题", "Title")) } th { (lang.t("风险等级", "Level")) } th { (lang.t("状态", "Status")) } th { (lang.t("发布日期", "Published")) } } }
                tbody { @for w in &found { tr {
                    td { a href=(with_lang(&format!("/warnings/{}", w.id), lang)) { (w.id) } }
                    td { (w.title) } td { (named::<RiskLevel>(lang, &w.level)) } td { (named::<WarningStatus>(lang, &w.status)) }
                    td { (w.published_on.clone().unwrap_or_default()) }
                } } }
            }
        }
    };
    page(lang, title, body).into_response()
}

/// `GET /warnings/{id}`.
pub async fn warning(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Query(params): Query<WarningParams>,
) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let regulator =
        session.user.as_ref().is_some_and(|u| matches!(u.role, store::Role::Admin | store::Role::Regulator));
    let warning = match state.store.warning(&id).await {
        Ok(Some(w)) if w.published_on.is_some() || regulator => w,
        Ok(_) => {
            return error_page(lang, &ApiError::not_found(format!("{} {id}", lang.t("没有风险警示", "No warning"))))
        }
        Err(error) => return error_page(lang, &error.into()),
    };
    let events = state.store.warning_events(&id).await.unwrap_or_default();
    let body = html! {
        h1 { (warning.title) }
        p.muted { (warning.id) " · " (named::<RiskLevel>(lang, &warning.level)) " · " (named::<WarningStatus>(lang, &warning.status))
            @if let Some(day) = &warning.published_on { " · " (lang.t("发布于", "published")) " " (day) }
            @if let Some(day) = &warning.withdrawn_on { " · " (lang.t("撤销于", "withdrawn")) " " (day) } }
        @if warning.status == WarningStatus::Withdrawn.as_str() { div.warning { (lang.t("该警示已撤销。", "This warning has been withdrawn.")) } }
        p { (warning.body) }
        dl {
            dt { (lang.t("产品类别", "Product categories")) }
            dd { @for code in warning.scope["product_codes"].as_array().into_iter().flatten() { (category_name(&catalogue, lang, code.as_str().unwrap_or(""))) " " } }
            dt { (lang.t("地区", "Regions")) }
            dd { @for code in warning.scope["regions"].as_array().into_iter().flatten() { code { (code.as_str().unwrap_or("")) } " " } }
        }
        @if regulator { (warning_forms(lang, &session, &warning)) }
        h2 { (lang.t("历程", "History")) }
        table {
            thead { tr { th { (lang.t("环节", "Stage")) } th { (lang.t("时间", "When")) } th { (lang.t("说明", "Note")) } } }
            tbody { @for e in &events { tr { td { (named::<WarningStep>(lang, &e.stage)) } td { (webkit::layout::china_time(&e.at)) } td { (e.note.clone().unwrap_or_default()) " " (e.data.clone().unwrap_or_default()) } } } }
        }
    };
    page(lang, &warning.title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct NewAssessmentParams {
    #[serde(default)]
    lang: Lang,
    product_code: Option<String>,
    hazard: Option<String>,
    signal: Option<String>,
}

/// `GET /risk-assessments/new`: the RAG form, prefilled from a signal.
pub async fn new_assessment(session: PageUser, Query(params): Query<NewAssessmentParams>) -> Response {
    let lang = params.lang;
    if !session.user.as_ref().is_some_and(|u| matches!(u.role, store::Role::Admin | store::Role::Regulator)) {
        return error_page(
            lang,
            &ApiError::forbidden(lang.t("风险评估由监管人员进行", "risk assessments are made by regulators")),
        );
    }
    let title = lang.t("风险评估（RAG 方法）", "Risk assessment (RAG method)");
    let body = html! {
        h1 { (title) }
        form.stack method="post" action=(with_lang("/risk-assessments", lang)) {
            (session.field())
            input type="hidden" name="signal" value=(params.signal.clone().unwrap_or_default());
            label { (lang.t("标题", "Title")) input type="text" name="title" required; }
            label { (lang.t("产品类别代码", "Product category code")) input type="text" name="product_code" value=(params.product_code.clone().unwrap_or_default()) required; }
            label { (lang.t("危害", "Hazard")) input type="text" name="hazard" value=(params.hazard.clone().unwrap_or_default()) required; }
            label { (lang.t("伤害严重度", "Severity")) select name="severity" {
                option value="1" { (lang.t("1 急救即可", "1 first aid")) } option value="2" { (lang.t("2 急诊，功能受损不超过 6 个月", "2 emergency visit")) }
                option value="3" { (lang.t("3 住院，超过 6 个月或永久", "3 hospital, lasting")) } option value="4" { (lang.t("4 致命或严重永久损伤", "4 fatal or severe permanent")) } } }
            label { (lang.t("伤害情景：每行一步，写“描述, 概率”", "Injury scenario: one step a line, 'description, probability'"))
                textarea name="steps" rows="5" required { "" } }
            button type="submit" { (lang.t("评估", "Assess")) }
        }
    };
    page(lang, title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct AssessmentForm {
    csrf: String,
    #[serde(default)]
    lang: Lang,
    title: Option<String>,
    product_code: Option<String>,
    hazard: Option<String>,
    severity: Option<String>,
    steps: Option<String>,
    signal: Option<String>,
}

fn parse_steps(text: &str) -> Result<Vec<warnings::Step>, ApiError> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let (description, probability) = line
                .rsplit_once([',', '，'])
                .ok_or_else(|| ApiError::invalid(format!("step {}: write 'description, probability'", i + 1)))?;
            let probability = probability.trim().parse::<f64>().map_err(|_| {
                ApiError::invalid(format!("step {}: '{}' is not a probability", i + 1, probability.trim()))
            })?;
            Ok(warnings::Step { description: description.trim().to_owned(), probability })
        })
        .collect()
}

/// `POST /risk-assessments`: assesses, then opens the warning draft form.
pub async fn create_assessment(
    State(state): State<AppState>,
    session: PageUser,
    axum::extract::Form(form): axum::extract::Form<AssessmentForm>,
) -> Response {
    let lang = form.lang;
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        let body = service::warnings::AssessmentBody {
            title: form.title,
            product_code: form.product_code,
            hazard: form.hazard,
            severity: form.severity.and_then(|s| s.parse().ok()),
            steps: parse_steps(form.steps.as_deref().unwrap_or(""))?,
            signal: form.signal.and_then(|s| serde_json::from_str(&s).ok()),
        };
        service::warnings::create_assessment(&state, &user, body).await
    }
    .await;
    match result {
        Ok(assessment) => {
            axum::response::Redirect::to(&with_lang(&format!("/warnings/new?assessment_id={}", assessment.id), lang))
                .into_response()
        }
        Err(error) => error_page(lang, &error),
    }
}

#[derive(Debug, Deserialize)]
pub struct NewWarningParams {
    #[serde(default)]
    lang: Lang,
    assessment_id: String,
}

/// `GET /warnings/new?assessment_id=`: the draft form, showing the assessment's level.
pub async fn new_warning(
    State(state): State<AppState>,
    session: PageUser,
    Query(params): Query<NewWarningParams>,
) -> Response {
    let lang = params.lang;
    let Some(user) = session.user.clone() else { return error_page(lang, &ApiError::unauthorized()) };
    let assessment = match service::warnings::assessment(&state, &user, &params.assessment_id).await {
        Ok(a) => a,
        Err(error) => return error_page(lang, &error),
    };
    let title = lang.t("起草风险警示", "Draft a risk warning");
    let body = html! {
        h1 { (title) }
        p { (assessment.title) " · " strong { (named::<RiskLevel>(lang, &assessment.level)) } " · P = " (format!("{:.2e}", assessment.probability))
            " · " (lang.t("严重度", "severity")) " " (assessment.severity) }
        form.stack method="post" action=(with_lang("/warnings", lang)) {
            (session.field())
            input type="hidden" name="assessment_id" value=(assessment.id);
            label { (lang.t("标题", "Title")) input type="text" name="title" required; }
            label { (lang.t("正文", "Text")) textarea name="body" rows="6" required {} }
            label { (lang.t("地区（行政区划代码，逗号分隔）", "Regions (codes, comma-separated)")) input type="text" name="regions"; }
            button type="submit" { (lang.t("保存草稿", "Save the draft")) }
        }
    };
    page(lang, title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct WarningForm {
    csrf: String,
    #[serde(default)]
    lang: Lang,
    assessment_id: Option<String>,
    title: Option<String>,
    body: Option<String>,
    regions: Option<String>,
    note: Option<String>,
    action: Option<String>,
    reference: Option<String>,
}

fn warning_body(form: &WarningForm) -> service::warnings::WarningBody {
    let regions: Vec<String> = form
        .regions
        .as_deref()
        .unwrap_or("")
        .split([',', '，'])
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(str::to_owned)
        .collect();
    service::warnings::WarningBody {
        assessment_id: form.assessment_id.clone(),
        title: form.title.clone(),
        body: form.body.clone(),
        scope: (!regions.is_empty()).then(|| serde_json::json!({"regions": regions})),
        note: form.note.clone(),
        action: form.action.clone(),
        reference: form.reference.clone(),
    }
}

/// `POST /warnings`: the draft form.
pub async fn draft_warning(
    State(state): State<AppState>,
    session: PageUser,
    axum::extract::Form(form): axum::extract::Form<WarningForm>,
) -> Response {
    let lang = form.lang;
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        service::warnings::draft(&state, &user, warning_body(&form)).await
    }
    .await;
    match result {
        Ok(view) => {
            axum::response::Redirect::to(&with_lang(&format!("/warnings/{}", view.warning.id), lang)).into_response()
        }
        Err(error) => error_page(lang, &error),
    }
}

/// `POST /warnings/{id}/{stage}`: review, publish, update, withdraw or a response.
pub async fn warning_stage(
    State(state): State<AppState>,
    session: PageUser,
    Path((id, stage)): Path<(String, String)>,
    axum::extract::Form(form): axum::extract::Form<WarningForm>,
) -> Response {
    let lang = form.lang;
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        // The page's path names the responses as the API does (`responses`), the step `response`.
        let step = match stage.as_str() {
            "responses" => Some(WarningStep::Response),
            "review" | "publish" | "update" | "withdraw" => stage.parse().ok(),
            _ => None,
        };
        let step = step.ok_or_else(|| ApiError::not_found(format!("no warning stage {stage}")))?;
        service::warnings::advance(&state, &user, &id, step, warning_body(&form)).await
    }
    .await;
    match result {
        Ok(_) => axum::response::Redirect::to(&with_lang(&format!("/warnings/{id}"), lang)).into_response(),
        Err(error) => error_page(lang, &error),
    }
}

/// The forms a regulator sees on a warning page.
pub fn warning_forms(lang: Lang, session: &PageUser, warning: &store::warnings::Warning) -> Markup {
    let action = |stage: &str| with_lang(&format!("/warnings/{}/{stage}", warning.id), lang);
    let note = html! { label { (lang.t("说明", "Note")) textarea name="note" {} } };
    let status = warning.status.parse::<WarningStatus>().ok();
    html! {
        h2 { (lang.t("办理", "Work")) }
        @match status {
            Some(WarningStatus::Draft) => { form.stack method="post" action=(action("review")) { (session.field()) (note) button { (lang.t("审核通过（须由起草人以外的人员）", "Approve (someone other than the drafter)")) } } }
            Some(WarningStatus::Reviewed) => { form.stack method="post" action=(action("publish")) { (session.field()) button { (lang.t("发布", "Publish")) } } }
            Some(WarningStatus::Published | WarningStatus::Updated) => {
                form.stack method="post" action=(action("update")) { (session.field())
                    label { (lang.t("新正文（可选）", "New text (optional)")) textarea name="body" {} }
                    label { (lang.t("更新说明", "What changed")) textarea name="note" required {} }
                    button { (lang.t("更新", "Update")) } }
                form.stack method="post" action=(action("withdraw")) { (session.field())
                    label { (lang.t("撤销理由", "Why it is withdrawn")) textarea name="note" required {} }
                    button { (lang.t("撤销", "Withdraw")) } }
            }
            _ => {}
        }
        @if status != Some(WarningStatus::Withdrawn) {
            form.stack method="post" action=(action("responses")) { (session.field())
                label { (lang.t("处置措施", "Response")) select name="action" {
                    @for response in ResponseAction::ALL { option value=(response.as_str()) { (lang.pick(response.name_zh(), response.name_en())) } } } }
                label { (lang.t("关联编号（抽查任务、召回编号）", "Reference (campaign, recall)")) input type="text" name="reference"; }
                button { (lang.t("记录处置", "Record the response")) } }
        }
    }
}
