//! Recall pages (缺陷产品召回): the list with Chinese search over public notices, and a recall's page with its
//! scope from the trace, recovery progress, history with deadlines, and the form of the stage it waits for.
//! Forms post to the same workflow functions as the API.

use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;
use store::recalls::{Recall, RecallFilter};
use store::{Role, User};

use recalls::{RecallStatus, Stage};
use service::input::optional_text;
use service::recalls::{self as workflow, recall_view, recovery_rate, ReportBody, StageBody};
use webkit::auth::authorize_supervision;
use webkit::i18n::Lang;
use webkit::layout::{china_time, element_string};
use webkit::layout::{error_page, named};
use webkit::layout::{page, with_lang};
use webkit::session::PageUser;
use webkit::{ApiError, AppState};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/recalls", get(list).post(report))
        .route("/recalls/{id}", get(recall_page))
        .route("/recalls/{id}/{stage}", post(stage))
}

#[derive(Debug, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    lang: Lang,
    q: Option<String>,
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

/// `GET /recalls`: public notices for everyone; a producer's and a supervisor's own recalls beside them.
pub async fn list(State(state): State<AppState>, session: PageUser, Query(params): Query<ListParams>) -> Response {
    let lang = params.lang;
    let q = params.q.clone().unwrap_or_default();
    let mut filter = RecallFilter { text: optional_text(params.q.clone()), ..RecallFilter::default() };
    match session.user.as_ref().map(|u| (u.role, u)) {
        Some((Role::Admin, _)) => {}
        Some((Role::Regulator, u)) => filter.region_prefix = u.region_code.as_deref().map(workflow::region_prefix),
        Some((Role::Enterprise, u)) => filter.producer_uscc = u.uscc.clone(),
        _ => filter.published_only = true,
    }
    let recalls = match state.store.recalls(&filter, 200).await {
        Ok(recalls) => recalls,
        Err(error) => return error_page(lang, &error.into()),
    };
    let body = html! {
        h1 { (lang.t("缺陷产品召回", "Product recalls")) }
        form.search action="/recalls" method="get" role="search" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            input type="search" name="q" value=(q) aria-label=(lang.t("搜索召回公告", "Search recall notices"))
                placeholder=(lang.t("产品、缺陷或公告中的词，如 配方乳粉", "Words of the product, defect or notice"));
            button type="submit" { (lang.t("搜索", "Search")) }
        }
        @if session.user.as_ref().is_some_and(|u| matches!(u.role, Role::Enterprise | Role::Regulator | Role::Admin)) {
            (report_form(lang, &session))
        }
        @if recalls.is_empty() { p.muted { (lang.t("没有找到召回。", "No recalls found.")) } }
        @else {
            table {
                thead { tr {
                    th { (lang.t("召回编号", "Recall")) } th { (lang.t("产品", "Product")) } th { (lang.t("公告", "Notice")) }
                    th { (lang.t("状态", "Status")) } th { (lang.t("回收率", "Recovered")) } th { (lang.t("下一步期限", "Next deadline")) }
                } }
                tbody {
                    @for recall in &recalls {
                        tr {
                            td { a href=(with_lang(&format!("/recalls/{}", recall.id), lang)) { (recall.id) } }
                            td { (recall.product_name) }
                            td { (recall.notice_title.clone().unwrap_or_default()) " " span.muted { (recall.notice_published_on.clone().unwrap_or_default()) } }
                            td { (named::<RecallStatus>(lang, &recall.status)) }
                            td { (percent(recovery_rate(recall))) }
                            td {
                                (recall.next_due_on.clone().unwrap_or_default())
                                @if recall.next_due_on.as_deref().is_some_and(|d| d < service::today().to_string().as_str()) {
                                    " " strong.late { (lang.t("逾期", "overdue")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(lang, lang.t("缺陷产品召回", "Recalls"), body).into_response()
}

/// An organization's published recalls, for its page.
pub async fn organization_recalls(state: &AppState, lang: Lang, uscc: &str) -> Result<Markup, ApiError> {
    let filter = RecallFilter { published_only: true, producer_uscc: Some(uscc.to_owned()), ..RecallFilter::default() };
    let recalls = state.store.recalls(&filter, 50).await?;
    Ok(html! {
        @if !recalls.is_empty() {
            h2 { (lang.t("缺陷产品召回", "Recalls")) }
            table {
                thead { tr { th { (lang.t("召回编号", "Recall")) } th { (lang.t("公告", "Notice")) } th { (lang.t("状态", "Status")) } th { (lang.t("回收率", "Recovered")) } } }
                tbody {
                    @for recall in &recalls {
                        tr {
                            td { a href=(with_lang(&format!("/recalls/{}", recall.id), lang)) { (recall.id) } }
                            td { (recall.notice_title.clone().unwrap_or_default()) " " span.muted { (recall.notice_published_on.clone().unwrap_or_default()) } }
                            td { (named::<RecallStatus>(lang, &recall.status)) }
                            td { (percent(recovery_rate(recall))) }
                        }
                    }
                }
            }
        }
    })
}

fn report_form(lang: Lang, session: &PageUser) -> Markup {
    html! {
        details {
            summary { (lang.t("报告缺陷 / 立案", "Report a defect / open a case")) }
            form.stack action="/recalls" method="post" {
                (session.field())
                @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                label { (lang.t("召回类型", "Regime")) select name="regime" {
                    option value="consumer" { (lang.t("消费品", "consumer product")) } option value="vehicle" { (lang.t("汽车产品", "vehicle")) } } }
                label { (lang.t("生产者统一社会信用代码（企业用户可不填）", "Producer USCC (enterprises may leave empty)")) input type="text" name="producer_uscc"; }
                label { (lang.t("产品名称", "Product")) input type="text" name="product_name" required; }
                label { (lang.t("缺陷描述", "Defect")) textarea name="defect" required {} }
                label { (lang.t("追溯起点（批次或单品标识）", "Trace from (lot or item identifier)")) input type="text" name="trace_start"; }
                label { (lang.t("获知缺陷日期", "Learned of the defect on")) input type="date" name="learned_on"; }
                label { input type="checkbox" name="severe" value="true"; (lang.t("已造成或可能造成死亡、严重人身伤害或重大财产损失", "Caused or may cause death, serious injury or major loss")) }
                button type="submit" { (lang.t("提交", "Submit")) }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ReportForm {
    csrf: String,
    #[serde(default)]
    lang: Lang,
    regime: Option<String>,
    producer_uscc: Option<String>,
    product_name: Option<String>,
    defect: Option<String>,
    trace_start: Option<String>,
    learned_on: Option<String>,
    severe: Option<String>,
}

/// `POST /recalls`: the defect-report form.
pub async fn report(State(state): State<AppState>, session: PageUser, Form(form): Form<ReportForm>) -> Response {
    let lang = form.lang;
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        let body = ReportBody {
            regime: form.regime,
            producer_uscc: optional_text(form.producer_uscc),
            product_name: form.product_name,
            defect: form.defect,
            trace_start: form.trace_start,
            learned_on: form.learned_on,
            severe: form.severe.is_some(),
            ..ReportBody::default()
        };
        workflow::create_recall(&state, &user, body).await
    }
    .await;
    match result {
        Ok(recall) => Redirect::to(&with_lang(&format!("/recalls/{}", recall.id), lang)).into_response(),
        Err(error) => error_page(lang, &error),
    }
}

fn may_work(user: Option<&User>, recall: &Recall) -> (bool, bool) {
    let producer =
        user.is_some_and(|u| u.role == Role::Enterprise && u.uscc.as_deref() == Some(recall.producer_uscc.as_str()));
    let supervisor = user.is_some_and(|u| authorize_supervision(u, &recall.region_code).is_ok());
    (producer, supervisor)
}

/// The form of the stage the recall waits for, if this user may take it.
fn next_form(lang: Lang, session: &PageUser, recall: &Recall) -> Markup {
    let (producer, supervisor) = may_work(session.user.as_ref(), recall);
    let action = |stage: &str| with_lang(&format!("/recalls/{}/{stage}", recall.id), lang);
    let date = html! { label { (lang.t("日期", "Date")) input type="date" name="on"; } };
    let note = html! { label { (lang.t("说明", "Note")) textarea name="note" {} } };
    let status = recall.status.parse::<RecallStatus>().ok();
    html! {
        @match status {
            Some(RecallStatus::Reported) if supervisor => {
                form.stack method="post" action=(action("investigation")) { (session.field()) (date) (note)
                    button { (lang.t("立案调查", "Open the investigation")) } }
            }
            Some(RecallStatus::Reported) | Some(RecallStatus::Investigating) | Some(RecallStatus::Objected) if supervisor || producer => {
                form.stack method="post" action=(action("decision")) { (session.field()) (date)
                    label { (lang.t("决定", "Decision")) select name="decision" {
                        option value="voluntary" { (lang.t("主动召回", "voluntary recall")) }
                        @if supervisor { option value="ordered" { (lang.t("责令召回", "order a recall")) } option value="no_recall" { (lang.t("不召回，结案", "no recall; close")) } }
                    } }
                    (note) button { (lang.t("提交决定", "Record the decision")) } }
            }
            Some(RecallStatus::Decided) if supervisor || producer => {
                form.stack method="post" action=(action("plan")) { (session.field()) (date)
                    label { (lang.t("补救措施", "Remedy")) input type="text" name="remedy" required placeholder=(lang.t("退货、换货、修理……", "refund, replace, repair…")); }
                    label { (lang.t("生产日期", "Production dates")) input type="text" name="production_dates"; }
                    label { (lang.t("销售渠道", "Sales channels")) input type="text" name="sales_channels"; }
                    label { (lang.t("缺陷认定依据", "How the defect was determined")) input type="text" name="defect_determination"; }
                    label { (lang.t("事故与伤亡（含境外）", "Incidents and casualties (incl. abroad)")) input type="text" name="incidents"; }
                    label { (lang.t("零部件供应商", "Part suppliers")) input type="text" name="part_suppliers"; }
                    button { (lang.t("备案召回计划", "File the recall plan")) } }
            }
            Some(RecallStatus::PlanFiled) if supervisor => {
                form.stack method="post" action=(action("plan-review")) { (session.field()) (date)
                    label { (lang.t("审核结论", "Verdict")) select name="accepted" {
                        option value="true" { (lang.t("通过，可发布公告", "accept: the notice may be published")) }
                        option value="false" { (lang.t("退回，重新制定计划", "return for a new plan")) } } }
                    (note) button { (lang.t("提交审核意见", "Record the review")) } }
            }
            Some(RecallStatus::PlanFiled) if producer => {
                p.muted { (lang.t("召回计划已备案，待生产者所在地监管部门审核通过后发布公告。", "The plan is filed; the notice can be published once the regulator of the producer's region accepts it.")) }
            }
            Some(RecallStatus::PlanAccepted) if supervisor || producer => {
                form.stack method="post" action=(action("notice")) { (session.field()) (date)
                    label { (lang.t("公告标题", "Notice title")) input type="text" name="title" required; }
                    label { (lang.t("公告正文", "Notice text")) textarea name="body" required {} }
                    button { (lang.t("发布召回公告", "Publish the notice")) } }
            }
            Some(RecallStatus::NoticePublished) if supervisor || producer => {
                form.stack method="post" action=(action("progress")) { (session.field()) (date)
                    label { (lang.t("累计回收数量", "Units recovered so far")) input type="number" name="units_recovered" min="0" step="any" required; }
                    (note) button { (lang.t("提交进展报告", "File a progress report")) } }
                form.stack method="post" action=(action("completion")) { (session.field()) (date)
                    button { (lang.t("宣布召回完成", "Declare the recall completed")) } }
            }
            Some(RecallStatus::Completed) if supervisor || producer => {
                form.stack method="post" action=(action("summary")) { (session.field()) (date)
                    label { (lang.t("总结报告", "Summary report")) textarea name="body" required {} }
                    button { (lang.t("提交总结报告", "File the summary")) } }
            }
            Some(RecallStatus::Summarized) if supervisor => {
                form.stack method="post" action=(action("evaluation")) { (session.field()) (date)
                    label { (lang.t("评估结论", "Verdict")) select name="effective" {
                        option value="true" { (lang.t("召回有效", "effective")) } option value="false" { (lang.t("召回效果不足", "not effective")) } } }
                    (note) button { (lang.t("提交效果评估", "Record the evaluation")) } }
            }
            _ => {}
        }
        @if status.is_some_and(RecallStatus::scope_open) && (supervisor || producer) {
            form.inline method="post" action=(action("scope")) { (session.field())
                input type="text" name="trace_start" value=(recall.trace_start.clone().unwrap_or_default()) aria-label=(lang.t("追溯起点", "Trace from"));
                button { (lang.t("按追溯重新计算范围", "Recompute the scope from the trace")) } }
        }
    }
}

fn scope_section(lang: Lang, recall: &Recall) -> Markup {
    let scope = &recall.scope;
    html! {
        h2 { (lang.t("召回范围（由追溯计算）", "Scope (computed from the trace)")) }
        @if scope.is_null() { p.muted { (lang.t("尚未计算。", "Not computed yet.")) } }
        @else {
            p {
                (lang.t("起点", "From")) ": " code { (element_string(scope["start"].as_str().unwrap_or(""))) } " · "
                (lang.t("涉及批次", "Lots")) ": " @for lot in scope["lots"].as_array().into_iter().flatten() { code { (element_string(lot.as_str().unwrap_or(""))) } " " }
            }
            p { (lang.t("生产数量", "Units made")) ": " (scope["units_produced"]) " · " (lang.t("已分销数量", "Units distributed")) ": " (scope["units_distributed"])
                " · " (lang.t("涉及地区", "Regions")) ": " (scope["regions"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("、")).unwrap_or_default()) }
            table {
                thead { tr { th { (lang.t("收货方", "Receiver")) } th { (lang.t("统一社会信用代码", "USCC")) } th { (lang.t("行政区划", "Region")) } th { (lang.t("首次到达", "First reached")) } } }
                tbody {
                    @for receiver in scope["receivers"].as_array().into_iter().flatten() {
                        tr {
                            td { (receiver["registration"]["name"].as_str().map(str::to_owned).unwrap_or_else(|| element_string(receiver["id"].as_str().unwrap_or("")))) }
                            td { (receiver["registration"]["uscc"].as_str().unwrap_or("—")) }
                            td { (receiver["registration"]["region_code"].as_str().unwrap_or("—")) }
                            td { (china_time(receiver["first_reached"].as_str().unwrap_or(""))) }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /recalls/{id}`.
pub async fn recall_page(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Query(params): Query<ListParams>,
) -> Response {
    let lang = params.lang;
    let recall = match state.store.recall(&id).await {
        Ok(Some(recall)) => recall,
        Ok(None) => return error_page(lang, &ApiError::not_found(format!("{} {id}", lang.t("没有召回", "No recall")))),
        Err(error) => return error_page(lang, &error.into()),
    };
    let (producer, supervisor) = may_work(session.user.as_ref(), &recall);
    if recall.notice_published_on.is_none() && !producer && !supervisor {
        return error_page(lang, &ApiError::not_found(format!("{} {id}", lang.t("没有召回", "No recall"))));
    }
    let view = match recall_view(&state, recall).await {
        Ok(view) => view,
        Err(error) => return error_page(lang, &error),
    };
    let recall = &view.recall;
    let rate = view.recovery_rate;
    let body = html! {
        h1 { (recall.notice_title.clone().unwrap_or_else(|| recall.product_name.clone())) }
        p.muted { (recall.id) " · " (named::<RecallStatus>(lang, &recall.status)) " · " (lang.t("生产者", "Producer")) " "
            a href=(with_lang(&format!("/organizations/{}", recall.producer_uscc), lang)) { code { (recall.producer_uscc) } } }
        @if view.overdue { div.error { (lang.t("下一步已逾期：", "The next stage is overdue: ")) (named::<Stage>(lang, recall.next_stage.as_deref().unwrap_or(""))) " " (recall.next_due_on.clone().unwrap_or_default()) } }
        @else if let (Some(stage), Some(due)) = (&recall.next_stage, &recall.next_due_on) {
            div.warning { (lang.t("下一步", "Next")) ": " (named::<Stage>(lang, stage)) " · " (lang.t("期限", "due")) " " (due) }
        }
        dl {
            dt { (lang.t("产品", "Product")) } dd { (recall.product_name) " " @for gtin in &recall.gtins { a href=(with_lang(&format!("/products/{gtin}"), lang)) { code { (gtin) } } " " } }
            dt { (lang.t("缺陷", "Defect")) } dd { (recall.defect) }
            @if let Some(remedy) = &recall.remedy { dt { (lang.t("补救措施", "Remedy")) } dd { (remedy) } }
            @if let Some(text) = &recall.notice_body { dt { (lang.t("公告", "Notice")) } dd { (text) " " span.muted { (recall.notice_published_on.clone().unwrap_or_default()) } } }
        }
        h2 { (lang.t("召回进度", "Progress")) }
        p { (lang.t("已回收", "Recovered")) " " strong { (recall.units_recovered) } " / " (lang.t("已分销", "distributed")) " "
            (recall.units_distributed.map_or("—".to_owned(), |d| d.to_string())) " = " strong { (percent(rate)) } }
        @if let Some(rate) = rate { progress max="1" value=(rate.min(1.0)) { (percent(Some(rate))) } }
        (scope_section(lang, recall))
        @if producer || supervisor {
            p { a href=(with_lang(&format!("/trace?id={}", service::events::percent_encode(recall.trace_start.as_deref().unwrap_or(""))), lang)) { (lang.t("查看完整追溯图", "See the whole trace")) } }
            h2 { (lang.t("办理", "Work")) }
            (next_form(lang, &session, recall))
        }
        h2 { (lang.t("历程", "History")) }
        table {
            thead { tr { th { (lang.t("环节", "Stage")) } th { (lang.t("日期", "Date")) } th { (lang.t("法定期限", "Due")) } th { (lang.t("说明", "Note")) } } }
            tbody {
                @for event in &view.events {
                    tr class=(if event.late { "late" } else { "" }) {
                        td { (named::<Stage>(lang, &event.stage)) }
                        td { (event.on_date) }
                        td { (event.due_on.as_deref().unwrap_or("—")) @if event.late { " " strong { (lang.t("逾期", "late")) } } }
                        td { (event.note.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
        p.muted { (lang.t("期限依据与可信度见 ", "Deadline rules and their sources: ")) a href="/api/v1/recalls/rules" { code { "/api/v1/recalls/rules" } } }
    };
    page(lang, &recall.id, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct StageForm {
    csrf: String,
    #[serde(default)]
    lang: Lang,
    on: Option<String>,
    note: Option<String>,
    decision: Option<String>,
    remedy: Option<String>,
    units_recovered: Option<String>,
    production_dates: Option<String>,
    sales_channels: Option<String>,
    defect_determination: Option<String>,
    incidents: Option<String>,
    part_suppliers: Option<String>,
    title: Option<String>,
    body: Option<String>,
    effective: Option<String>,
    accepted: Option<String>,
    trace_start: Option<String>,
}

/// `POST /recalls/{id}/{stage}`: a stage form.
pub async fn stage(
    State(state): State<AppState>,
    session: PageUser,
    Path((id, stage)): Path<(String, String)>,
    Form(form): Form<StageForm>,
) -> Response {
    let lang = form.lang;
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        let units_recovered = optional_text(form.units_recovered)
            .map(|u| u.parse::<f64>().map_err(|_| ApiError::invalid("units recovered is not a number")))
            .transpose()?;
        let body = StageBody {
            on: form.on,
            note: form.note,
            decision: form.decision,
            remedy: form.remedy,
            units_recovered,
            production_dates: form.production_dates,
            sales_channels: form.sales_channels,
            defect_determination: form.defect_determination,
            incidents: form.incidents,
            part_suppliers: form.part_suppliers,
            title: form.title,
            body: form.body,
            effective: form.effective.map(|e| e == "true"),
            accepted: form.accepted.map(|a| a == "true"),
            trace_start: form.trace_start,
            ..StageBody::default()
        };
        let stage = stage.replace('-', "_");
        let stage: Stage = stage.parse().map_err(|_| ApiError::not_found(format!("no recall stage {stage}")))?;
        workflow::advance(&state, &user, &id, stage, body).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&with_lang(&format!("/recalls/{id}"), lang)).into_response(),
        Err(error) => error_page(lang, &error),
    }
}
