//! Complaint pages: the public submission form and tracking page (number and secret, posted so the secret never
//! sits in a URL or an access log), the regulator's work queue with deadlines, the complaint page with its history
//! and the handling steps, the enterprise's answer, and the statistics page with charts. Each runs the API's code.

use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup, PreEscaped};
use product_catalogue::Catalogue;
use serde::{Deserialize, Serialize};
use serde_json::json;
use webkit::catalogue::{category_name, category_options};

use complaints::classify::classifier;
use complaints::workflow;
use complaints::{
    Action, Case, DueKind, Kind, Outcome, RefusalGround, RewardStatus, Status, SubmitterAction, TerminationGround,
};
use service::complaints::{
    self as api, Audience, Deadlines, Due, FilingView, QueueParams, StatsParams, StepBody, TrackBody,
};
use service::input::{optional_text, ComplaintFields};
use store::calendar::Subject;
use webkit::i18n::Lang;
use webkit::layout::{error_page, named};
use webkit::layout::{page, with_lang};
use webkit::net::ClientAddress;
use webkit::session::PageUser;
use webkit::{ApiError, AppState};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/complaints", get(queue))
        .route("/complaints/new", get(new_form).post(submit))
        .route("/complaints/track", get(track_page).post(track))
        .route("/complaints/track/{action}", post(track_step))
        .route("/complaints/stats", get(stats_page))
        .route("/complaints/{id}", get(complaint_page))
        .route("/complaints/{id}/{action}", post(step))
}

fn issue_name(lang: Lang, code: &str) -> String {
    classifier()
        .issues
        .iter()
        .find(|l| l.code == code)
        .and_then(|l| if lang == Lang::En { l.name_en.clone() } else { l.name_zh.clone() })
        .unwrap_or_else(|| code.to_owned())
}

/// The deadlines of a filing as a list, the running one marked.
fn deadline_list(lang: Lang, deadlines: &Deadlines, due: Option<&Due>) -> Markup {
    let running = due.and_then(|d| d.kind);
    let overdue = due.is_some_and(|d| d.overdue);
    html! {
        dl {
            @for (kind, day) in &deadlines.days {
                dt { (lang.pick(kind.name_zh(), kind.name_en())) }
                dd { (day)
                    @if running == Some(*kind) { " " strong { (if overdue { lang.t("（已超期）", "(overdue)") } else { lang.t("（进行中）", "(running)") }) } } }
            }
        }
        @if !deadlines.provisional.is_empty() {
            p.muted { (lang.t("期限跨入尚未公布放假安排的年份，暂按周一至周五计算。", "The deadline reaches a year whose holiday schedule is not yet published; counted Monday to Friday for now.")) }
        }
    }
}

fn history(lang: Lang, view: &FilingView) -> Markup {
    html! {
        h2 { (lang.t("办理历程", "History")) }
        table {
            thead { tr { th { (lang.t("环节", "Step")) } th { (lang.t("时间", "When")) } th { (lang.t("说明", "Note")) } } }
            tbody { @for e in &view.history { tr {
                td { (lang.pick(e.stage.name_zh(), e.stage.name_en())) }
                td { (webkit::layout::china_time(&e.at)) }
                td { (e.note.as_deref().unwrap_or("")) @if let Some(data) = e.data.as_ref().filter(|d| d.is_object()) { " " code { (data.to_string()) } } }
            } } }
        }
    }
}

/// The parts of a filing everyone who may see it sees.
fn summary(catalogue: &Catalogue, lang: Lang, view: &FilingView) -> Markup {
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    html! {
        p.muted { (view.tracking_number) " · " (lang.pick(view.kind.name_zh(), view.kind.name_en())) " · "
            (lang.pick(view.status.name_zh(), view.status.name_en()))
            @if let Some(outcome) = view.outcome { " · " (lang.pick(outcome.name_zh(), outcome.name_en())) } }
        dl {
            dt { (lang.t("收到日期", "Received")) } dd { (view.received_on) }
            dt { (lang.t("投诉举报人", "Submitter")) }
            dd { @if view.anonymous { (lang.t("匿名", "anonymous")) } @else {
                (text(&view.submitter.name)) " " (text(&view.submitter.phone))
                @if let Some(id_number) = &view.submitter.id_number { " " (id_number) }
                @if let Some(address) = &view.submitter.address { " · " (address) } } }
            dt { (lang.t("被投诉举报对象", "Respondent")) }
            dd { (view.respondent.name) @if let Some(uscc) = &view.respondent.uscc { " " code { (uscc) } }
                 @if let Some(address) = &view.respondent.address { " · " (address) } }
            dt { (lang.t("产品", "Product")) }
            dd { (text(&view.product.name)) @if let Some(gtin) = &view.product.gtin { " GTIN " (gtin) }
                 @if let Some(lot) = &view.product.lot { " " (lang.t("批次", "lot")) " " (lot) } }
            dt { (lang.t("分类", "Classification")) }
            dd { (view.category.as_deref().map(|c| category_name(catalogue, lang, c)).unwrap_or_else(|| "—".into())) " · "
                 (view.issue.as_deref().map(|i| issue_name(lang, i)).unwrap_or_else(|| "—".into())) }
            dt { (lang.t("事实与理由", "Facts")) } dd { (view.facts) }
            dt { (lang.t("诉求", "Request")) } dd { (text(&view.request)) }
            dt { (lang.t("承办地区", "Handled in")) } dd { code { (view.handling_region) } }
            @if let Some(answer) = &view.enterprise_response { dt { (lang.t("企业答复", "Enterprise's answer")) } dd { (answer) } }
            @if let Some(reward) = &view.reward { dt { (lang.t("举报奖励", "Reward")) } dd { (lang.pick(reward.status.name_zh(), reward.status.name_en()))
                @if let Some(amount) = reward.amount { " · " (lang.t("等级", "grade")) " " (reward.grade.map(|g| g.to_string()).unwrap_or_default()) " · " (format!("{amount:.2}")) " " (lang.t("元", "yuan")) }
                @if let Some(payee) = &reward.payee { " · " (payee) } } }
        }
        h2 { (lang.t("法定期限（工作日）", "Legal deadlines (working days)")) }
        (deadline_list(lang, &view.deadlines, Some(&view.due)))
    }
}

#[derive(Debug, Deserialize)]
pub struct LangParams {
    #[serde(default)]
    lang: Lang,
}

fn field(label: &str, name: &str, kind: &str) -> Markup {
    html! { label { (label) input type=(kind) name=(name); } }
}

/// `GET /complaints/new`: the public form.
pub async fn new_form(Query(params): Query<LangParams>) -> Response {
    let lang = params.lang;
    let title = lang.t("投诉举报", "File a complaint or report");
    let body = html! {
        h1 { (title) }
        p.muted { (lang.t("提交后将得到受理编号和查询码，凭此查询办理进度，无需注册。投诉须留姓名和电话；举报可匿名。",
                          "You get a tracking number and a secret to follow the case without an account. A complaint needs your name and phone; a report may be anonymous.")) }
        form.stack method="post" action=(with_lang("/complaints/new", lang)) {
            label { (lang.t("类型", "Kind")) select name="kind" {
                option value="complaint" { (lang.t("投诉（消费纠纷）", "complaint (consumer dispute)")) }
                option value="report" { (lang.t("举报（违法线索）", "report (suspected violation)")) }
                option value="enquiry" { (lang.t("咨询", "enquiry")) } } }
            label { input type="checkbox" name="anonymous" value="true"; " " (lang.t("匿名举报（不保留任何身份信息）", "anonymous report (no identity kept)")) }
            fieldset { legend { (lang.t("您的信息", "You")) }
                (field(lang.t("姓名", "Name"), "submitter_name", "text"))
                (field(lang.t("电话", "Phone"), "submitter_phone", "tel"))
                (field(lang.t("身份证号（可选）", "ID number (optional)"), "submitter_id_number", "text"))
                (field(lang.t("地址", "Address"), "submitter_address", "text")) }
            fieldset { legend { (lang.t("被投诉举报的经营者", "The business")) }
                (field(lang.t("名称", "Name"), "respondent_name", "text"))
                (field(lang.t("统一社会信用代码（如知道）", "USCC (if known)"), "respondent_uscc", "text"))
                (field(lang.t("经营地址（省市区县）", "Address (province, city, county)"), "respondent_address", "text"))
                (field(lang.t("电商平台的统一社会信用代码（网店）", "Platform USCC (online shops)"), "platform_uscc", "text"))
                (field(lang.t("行政区划代码（如无法提供地址）", "Region code (if no address)"), "region_code", "text")) }
            fieldset { legend { (lang.t("产品", "Product")) }
                (field(lang.t("产品名称", "Product name"), "product_name", "text"))
                (field(lang.t("商品条码 GTIN", "GTIN"), "product_gtin", "text"))
                (field(lang.t("批次", "Lot"), "product_lot", "text")) }
            label { (lang.t("事实与理由", "What happened")) textarea name="facts" required rows="5" {} }
            label { (lang.t("诉求", "What you ask for")) textarea name="request" rows="2" {} }
            (field(lang.t("知道权益受损的日期", "When you learnt of the harm"), "harm_known_on", "date"))
            button { (lang.t("提交", "Submit")) }
        }
        p { a href=(with_lang("/complaints/track", lang)) { (lang.t("查询办理进度", "Follow a case")) } }
    };
    page(lang, title, body).into_response()
}

/// The form's fields as they arrive: text everywhere, a checkbox for anonymity.
#[derive(Debug, Deserialize)]
pub struct SubmissionForm {
    #[serde(default)]
    lang: Lang,
    kind: Option<String>,
    anonymous: Option<String>,
    submitter_name: Option<String>,
    submitter_phone: Option<String>,
    submitter_id_number: Option<String>,
    submitter_address: Option<String>,
    respondent_name: Option<String>,
    respondent_uscc: Option<String>,
    respondent_address: Option<String>,
    platform_uscc: Option<String>,
    region_code: Option<String>,
    product_name: Option<String>,
    product_gtin: Option<String>,
    product_lot: Option<String>,
    facts: Option<String>,
    request: Option<String>,
    harm_known_on: Option<String>,
}

/// `POST /complaints/new`: files through the API and shows the tracking number and secret once.
pub async fn submit(
    State(state): State<AppState>,
    client: ClientAddress,
    Form(form): Form<SubmissionForm>,
) -> Response {
    let lang = form.lang;
    let fields = ComplaintFields {
        kind: form.kind,
        anonymous: form.anonymous.is_some(),
        submitter_name: form.submitter_name,
        submitter_phone: form.submitter_phone,
        submitter_id_number: form.submitter_id_number,
        submitter_address: form.submitter_address,
        respondent_name: form.respondent_name,
        respondent_uscc: form.respondent_uscc,
        respondent_address: form.respondent_address,
        platform_uscc: form.platform_uscc,
        region_code: form.region_code,
        product_name: form.product_name,
        product_gtin: form.product_gtin,
        product_lot: form.product_lot,
        facts: form.facts,
        request: form.request,
        harm_known_on: form.harm_known_on,
        ..ComplaintFields::default()
    };
    let filed = match webkit::public_submission_allowed(&state, client.0) {
        Ok(()) => api::submit_filing(&state, fields, None).await,
        Err(refused) => Err(refused),
    };
    let filed = match filed {
        Ok(filed) => filed,
        Err(error) => return error_page(lang, &error),
    };
    let title = lang.t("已收到", "Received");
    let body = html! {
        h1 { (title) }
        div.warning { p { (lang.t("请保存以下受理编号和查询码。查询码只显示这一次，平台不保存其明文。",
                                  "Keep the tracking number and the secret. The secret is shown only now; the platform does not keep it.")) } }
        dl {
            dt { (lang.t("受理编号", "Tracking number")) } dd { code { (filed.tracking_number) } }
            dt { (lang.t("查询码", "Secret")) } dd { code { (filed.secret) } }
            dt { (lang.t("承办地区", "Handled in")) } dd { code { (filed.handling_region) } }
        }
        (deadline_list(lang, &filed.deadlines, None))
        p { a href=(with_lang("/complaints/track", lang)) { (lang.t("查询办理进度", "Follow the case")) } }
    };
    page(lang, title, body).into_response()
}

fn track_form(lang: Lang) -> Markup {
    html! {
        form.stack method="post" action=(with_lang("/complaints/track", lang)) {
            (field(lang.t("受理编号", "Tracking number"), "tracking_number", "text"))
            (field(lang.t("查询码", "Secret"), "secret", "password"))
            button { (lang.t("查询", "Look up")) }
        }
    }
}

/// `GET /complaints/track`.
pub async fn track_page(Query(params): Query<LangParams>) -> Response {
    let lang = params.lang;
    let title = lang.t("查询办理进度", "Follow a case");
    page(lang, title, html! { h1 { (title) } (track_form(lang)) }).into_response()
}

#[derive(Debug, Deserialize)]
pub struct TrackForm {
    #[serde(default)]
    lang: Lang,
    tracking_number: Option<String>,
    secret: Option<String>,
    rating: Option<i64>,
    note: Option<String>,
    payee: Option<String>,
}

fn tracked_page(
    catalogue: &Catalogue,
    lang: Lang,
    view: &FilingView,
    case: &Case,
    number: &str,
    secret: &str,
) -> Response {
    let hidden = html! { input type="hidden" name="tracking_number" value=(number); input type="hidden" name="secret" value=(secret); };
    let may = |step: SubmitterAction| workflow::submitter_allowed(case, step);
    let action = |name: &str| with_lang(&format!("/complaints/track/{name}"), lang);
    let title = lang.t("办理进度", "Case progress");
    let body = html! {
        h1 { (title) }
        (summary(catalogue, lang, view))
        @if may(SubmitterAction::Withdraw) {
            @if may(SubmitterAction::Settlement) {
                form.stack method="post" action=(action("settlement")) { (hidden)
                    button { (lang.t("接受企业的答复，和解结案", "Accept the enterprise's answer and close")) } }
            }
            form.stack method="post" action=(action("withdraw")) { (hidden)
                label { (lang.t("撤回理由", "Why you withdraw")) textarea name="note" {} }
                button { (lang.t("撤回投诉", "Withdraw the complaint")) } }
        }
        @if may(SubmitterAction::Reward) && view.reward.is_none() {
            form.stack method="post" action=(action("reward")) { (hidden)
                label { (lang.t("奖励领取方式（银行账户等）", "How to pay the reward (bank account, …)")) input type="text" name="payee" required; }
                button { (lang.t("申请举报奖励", "Claim the reporter's reward")) } }
        }
        @if may(SubmitterAction::Evaluation) {
            form.stack method="post" action=(action("evaluation")) { (hidden)
                label { (lang.t("满意度（1–5）", "Satisfaction (1–5)")) input type="number" name="rating" min="1" max="5" required; }
                label { (lang.t("意见", "Comments")) textarea name="note" {} }
                button { (lang.t("评价", "Evaluate")) } }
        }
        (history(lang, view))
    };
    page(lang, title, body).into_response()
}

/// `POST /complaints/track`: the submitter's view.
pub async fn track(State(state): State<AppState>, Form(form): Form<TrackForm>) -> Response {
    tracked_step(state, None, form).await
}

/// `POST /complaints/track/{action}`: the submitter's own steps.
pub async fn track_step(
    State(state): State<AppState>,
    Path(action): Path<String>,
    Form(form): Form<TrackForm>,
) -> Response {
    tracked_step(state, Some(action), form).await
}

async fn tracked_step(state: AppState, action: Option<String>, form: TrackForm) -> Response {
    let lang = form.lang;
    let body = TrackBody {
        tracking_number: form.tracking_number.clone(),
        secret: form.secret.clone(),
        rating: form.rating,
        note: form.note,
        payee: form.payee,
    };
    let result = async {
        let complaint = match action {
            Some(action) => api::submitter_action(&state, &action, body).await?,
            None => api::tracked(&state, &body).await?,
        };
        let catalogue = state.catalogue().await?;
        Ok::<_, ApiError>((api::load_view(&state, &complaint, Audience::Party).await?, complaint.case()?, catalogue))
    }
    .await;
    match result {
        Ok((view, case, catalogue)) => tracked_page(
            &catalogue,
            lang,
            &view,
            &case,
            &form.tracking_number.unwrap_or_default(),
            &form.secret.unwrap_or_default(),
        ),
        Err(error) => error_page(lang, &error),
    }
}

/// `GET /complaints`: the regulator's work queue, the enterprise's complaints, or for the public the way in.
pub async fn queue(State(state): State<AppState>, session: PageUser, Query(params): Query<QueueForm>) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let catalogue = &*catalogue;
    let title = lang.t("投诉举报", "Complaints and reports");
    let Some(user) = session.user.clone() else {
        let body = html! {
            h1 { (title) }
            p { a href=(with_lang("/complaints/new", lang)) { (lang.t("提交投诉举报", "File a complaint or report")) } }
            p { a href=(with_lang("/complaints/track", lang)) { (lang.t("查询办理进度", "Follow a case")) } }
            p { a href=(with_lang("/complaints/stats", lang)) { (lang.t("投诉举报统计", "Statistics")) } }
        };
        return page(lang, title, body).into_response();
    };
    let work = api::work_queue(
        &state,
        &user,
        QueueParams { within_days: params.within_days, region: params.region.clone(), limit: Some(200) },
    )
    .await;
    let work = match work {
        Ok(work) => work,
        Err(error) => return error_page(lang, &error),
    };
    let today = work.today.clone().unwrap_or_default();
    // Deadlines a newly loaded holiday notice moved, until the handler has seen them (POST …/seen).
    let moved = match webkit::auth::supervised_prefix(&user) {
        Ok(prefix) => state.store.deadline_changes(&prefix, true, 50).await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let body = html! {
        h1 { (if user.role == store::Role::Enterprise { lang.t("针对本企业的投诉", "Complaints against us") } else { lang.t("待办工作", "Work queue") }) }
        @if !moved.is_empty() {
            section.notice {
                h2 { (lang.t("期限已按新载入的放假安排调整", "Deadlines moved by a newly loaded holiday notice")) }
                table {
                    thead { tr { th { (lang.t("案件", "Case")) } th { (lang.t("期限", "Deadline")) } th { (lang.t("原期限", "Was")) } th { (lang.t("新期限", "Now")) } } }
                    tbody { @for change in &moved {
                        tr {
                            td { @match change.subject_kind {
                                Subject::Complaint => { a href=(with_lang(&format!("/complaints/{}", change.subject_id), lang)) { (change.subject_id) } }
                                Subject::Recall => { a href=(with_lang(&format!("/recalls/{}", change.subject_id), lang)) { (change.subject_id) } }
                                Subject::CreditListing => { (change.subject_id) }
                            } }
                            td { (change.deadline.parse::<DueKind>().map_or(lang.t("期限", "deadline"), |d| lang.pick(d.name_zh(), d.name_en()))) }
                            td { (change.old_due) }
                            td { strong { (change.new_due) } }
                        }
                    } }
                }
            }
        }
        @if let (Some(overdue), Some(due)) = (work.overdue, work.due) {
            p { strong { (overdue) } " " (lang.t("件已超期", "overdue")) " · " (due) " " (lang.t("件在", "due by")) " " (work.due_by.as_deref().unwrap_or("")) " " (lang.t("前到期", "")) }
            form.search method="get" action="/complaints" {
                @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
                label { (lang.t("未来天数", "Days ahead")) input type="number" name="within_days" min="0" value=(params.within_days.unwrap_or(3)); }
                label { (lang.t("地区", "Region")) input type="text" name="region" value=(params.region.clone().unwrap_or_default()); }
                button { (lang.t("筛选", "Filter")) }
            }
        }
        table {
            thead { tr { th { (lang.t("受理编号", "Number")) } th { (lang.t("类型", "Kind")) } th { (lang.t("状态", "Status")) } th { (lang.t("收到", "Received")) }
                th { (lang.t("被投诉对象", "Respondent")) } th { (lang.t("分类", "Class")) } th { (lang.t("期限", "Deadline")) } } }
            tbody { @for item in &work.items {
                @let due = item.due_on.as_deref().unwrap_or("");
                tr {
                    td { a href=(with_lang(&format!("/complaints/{}", item.id), lang)) { (item.tracking_number) } }
                    td { (named::<Kind>(lang, &item.kind)) }
                    td { (named::<Status>(lang, &item.status)) }
                    td { (item.received_on) }
                    td { (item.respondent_name) }
                    td { (item.category.as_deref().map(|c| category_name(catalogue, lang, c)).unwrap_or_default()) " " (item.issue.as_deref().map(|i| issue_name(lang, i)).unwrap_or_default()) }
                    td { @if !due.is_empty() && due < today.as_str() { strong.overdue { (due) " " (lang.t("超期", "overdue")) } }
                         @else { (due) " " (item.due_kind.as_deref().map(|k| named::<DueKind>(lang, k)).unwrap_or_default()) } }
                }
            } }
        }
        p { a href=(with_lang("/complaints/stats", lang)) { (lang.t("投诉举报统计", "Statistics")) } }
    };
    page(lang, title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct QueueForm {
    #[serde(default)]
    lang: Lang,
    within_days: Option<i64>,
    region: Option<String>,
}

/// The steps a handler can take from a filing's state, as forms.
fn step_forms(catalogue: &Catalogue, lang: Lang, session: &PageUser, view: &FilingView, case: &Case) -> Markup {
    let id = view.id;
    let action = |name: &str| with_lang(&format!("/complaints/{id}/{name}"), lang);
    // The forms shown are the steps the rules allow now.
    let may = |step: Action| workflow::allowed(case, step);
    let day = html! { label { (lang.t("办理日期", "Date")) input type="date" name="on"; } };
    let note = html! { label { (lang.t("说明", "Note")) textarea name="note" {} } };
    let simple = |name: &str, label: &str| html! { form.stack method="post" action=(action(name)) { (session.field()) (day) (note) button { (label) } } };
    html! {
        h2 { (lang.t("办理", "Handle")) }
        @if may(Action::Accept) {
            (simple("accept", lang.t("受理", "Accept")))
            form.stack method="post" action=(action("reject")) { (session.field()) (day)
                label { (lang.t("不予受理的理由（第十五条）", "Ground (Art 15)")) select name="ground" {
                    @for ground in RefusalGround::ALL { option value=(ground.as_str()) { (ground.as_str()) ". " (lang.pick(ground.name_zh(), ground.name_en())) } } } }
                (note) button { (lang.t("不予受理", "Refuse")) } }
        }
        @if may(Action::OpenCase) {
            (simple("open-case", lang.t("立案", "Open a case")))
            (simple("no-case", lang.t("不予立案", "No case")))
            @if may(Action::Extend) { (simple("extend", lang.t("延长核查期限十五个工作日", "Extend verification by 15 working days"))) }
        }
        @if may(Action::Answer) {
            form.stack method="post" action=(action("answer")) { (session.field()) (day)
                label { (lang.t("答复", "Answer")) textarea name="answer" required {} } button { (lang.t("答复", "Answer")) } }
        }
        @if may(Action::Refer) {
            form.stack method="post" action=(action("refer")) { (session.field()) (day)
                label { (lang.t("移送至（行政区划代码）", "Refer to (region code)")) input type="text" name="region_code" required; }
                (note) button { (lang.t("移送", "Refer")) } }
        }
        @if may(Action::Mediate) {
            form.stack method="post" action=(action("mediate")) { (session.field()) (day)
                label { input type="checkbox" name="consent" value="true" required; " " (lang.t("双方均同意调解", "both parties consent")) }
                button { (lang.t("开始调解", "Start mediation")) } }
        }
        @if may(Action::Settle) {
            (simple("settle", lang.t("调解成功", "Settled")))
            form.stack method="post" action=(action("suspend")) { (session.field()) (day)
                input type="hidden" name="reason" value="testing";
                label { (lang.t("检测鉴定机构统一社会信用代码", "Lab USCC")) input type="text" name="lab_uscc" required; }
                button { (lang.t("中止调解，委托检测鉴定（期间不计入）", "Suspend for testing (not counted)")) } }
        }
        @if may(Action::Resume) {
            form.stack method="post" action=(action("resume")) { (session.field()) (day)
                label { (lang.t("检测鉴定结果", "Test result")) input type="text" name="result"; }
                button { (lang.t("恢复调解", "Resume")) } }
        }
        @if may(Action::Terminate) {
            form.stack method="post" action=(action("terminate")) { (session.field()) (day)
                label { (lang.t("终止理由（第二十一条）", "Ground (Art 21)")) select name="ground" {
                    @for ground in TerminationGround::ALL { option value=(ground.as_str()) { (lang.pick(ground.name_zh(), ground.name_en())) } } } }
                (note) button { (lang.t("终止调解", "End mediation")) } }
        }
        @if may(Action::Notify) { (simple("notify", lang.t("已告知当事人，办结", "Parties notified: close"))) }
        @if may(Action::Split) { (simple("split", lang.t("发现违法线索，转为举报", "Split a report off"))) }
        @if view.reward.as_ref().map(|r| r.status) == Some(RewardStatus::Claimed) {
            form.stack method="post" action=(action("reward")) { (session.field())
                label { (lang.t("奖励等级（1–3）", "Grade (1–3)")) input type="number" name="grade" min="1" max="3" required; }
                label { (lang.t("金额（元）", "Amount (yuan)")) input type="number" name="amount" min="1" step="0.01" required; }
                (note) button { (lang.t("给予奖励", "Grant the reward")) } }
            form.stack method="post" action=(action("reward-refuse")) { (session.field()) (note) button { (lang.t("不予奖励", "Refuse the reward")) } }
        }
        form.stack method="post" action=(action("classify")) { (session.field())
            label { (lang.t("产品类别", "Category")) select name="category" {
                (category_options(catalogue, lang, view.category.as_deref(), true)) } }
            label { (lang.t("问题类型", "Issue")) select name="issue" {
                @for label in &classifier().issues { option value=(label.code) selected[view.issue.as_deref() == Some(label.code.as_str())] { (issue_name(lang, &label.code)) } } } }
            button { (lang.t("更正分类", "Correct the classification")) } }
        h3 { (lang.t("分类依据", "Why it was classified so")) }
        p.muted { code { (view.classification.as_ref().map(|c| c.to_string()).unwrap_or_default()) } }
    }
}

/// `GET /complaints/{id}`: for the handling regulator (everything, with the steps) and the respondent (masked).
pub async fn complaint_page(
    State(state): State<AppState>,
    session: PageUser,
    Path(reference): Path<String>,
    Query(params): Query<LangParams>,
) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let catalogue = &*catalogue;
    let Some(user) = session.user.clone() else { return error_page(lang, &ApiError::unauthorized()) };
    let result = async {
        let id = api::resolve(&state, &reference).await?;
        let complaint =
            state.store.complaint(id).await?.ok_or_else(|| ApiError::not_found(format!("no complaint {id}")))?;
        let audience =
            api::audience(&user, &complaint).ok_or_else(|| ApiError::not_found(format!("no complaint {id}")))?;
        Ok::<_, ApiError>((api::load_view(&state, &complaint, audience).await?, audience, id, complaint.case()?))
    }
    .await;
    let (view, audience, id, case) = match result {
        Ok(found) => found,
        Err(error) => return error_page(lang, &error),
    };
    let number = view.tracking_number.clone();
    let open = workflow::allowed(&case, Action::EnterpriseResponse);
    let body = html! {
        h1 { (lang.pick(view.kind.name_zh(), view.kind.name_en())) " " (number) }
        (summary(catalogue, lang, &view))
        @if audience == Audience::Handler { (step_forms(catalogue, lang, &session, &view, &case)) }
        @if audience == Audience::Party && open {
            h2 { (lang.t("企业答复（在线和解）", "Answer (early settlement)")) }
            form.stack method="post" action=(with_lang(&format!("/complaints/{id}/enterprise-response"), lang)) { (session.field())
                label { (lang.t("答复与和解方案", "Answer and offer")) textarea name="answer" required {} }
                button { (lang.t("提交答复", "Send the answer")) } }
        }
        (history(lang, &view))
    };
    page(lang, &number, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    csrf: String,
    #[serde(default)]
    lang: Lang,
    on: Option<String>,
    note: Option<String>,
    ground: Option<String>,
    region_code: Option<String>,
    consent: Option<String>,
    reason: Option<String>,
    lab_uscc: Option<String>,
    result: Option<String>,
    answer: Option<String>,
    category: Option<String>,
    issue: Option<String>,
    grade: Option<i64>,
    amount: Option<f64>,
}

/// `POST /complaints/{id}/{action}`: a handling step or the enterprise's answer, then back to the page.
pub async fn step(
    State(state): State<AppState>,
    session: PageUser,
    Path((reference, action)): Path<(String, String)>,
    Form(form): Form<StepForm>,
) -> Response {
    let lang = form.lang;
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        let id = api::resolve(&state, &reference).await?;
        let body = StepBody {
            on: optional_text(form.on),
            note: form.note,
            ground: form.ground,
            region_code: form.region_code,
            consent: form.consent.map(|v| v == "true"),
            reason: form.reason,
            lab_uscc: form.lab_uscc,
            result: form.result,
            answer: form.answer,
            category: form.category,
            issue: form.issue,
            grade: form.grade,
            amount: form.amount,
        };
        api::handle(&state, &user, id, &action, body).await.map(|(_, split)| (id, split))
    }
    .await;
    match result {
        Ok((_, Some(report))) => Redirect::to(&with_lang(&format!("/complaints/{report}"), lang)).into_response(),
        Ok((id, None)) => Redirect::to(&with_lang(&format!("/complaints/{id}"), lang)).into_response(),
        Err(error) => error_page(lang, &error),
    }
}

/// One chart of the statistics page, as its script reads it.
#[derive(Debug, Serialize)]
struct Chart {
    group_by: &'static str,
    from: String,
    to: String,
    total: i64,
    groups: Vec<ChartGroup>,
}

/// One bar or point: the group's label in the page's language.
#[derive(Debug, Serialize)]
struct ChartGroup {
    label: String,
    count: i64,
    share: f64,
}

#[derive(Debug, Deserialize)]
pub struct StatsForm {
    #[serde(default)]
    lang: Lang,
    from: Option<String>,
    to: Option<String>,
    region: Option<String>,
}

/// `GET /complaints/stats`: counts by month, category, issue, province and outcome, with charts.
pub async fn stats_page(State(state): State<AppState>, session: PageUser, Query(params): Query<StatsForm>) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let catalogue = &*catalogue;
    let mut charts = Vec::new();
    for group in ["month", "category", "issue", "province", "outcome"] {
        let query = StatsParams {
            group_by: Some(group.into()),
            from: params.from.clone(),
            to: params.to.clone(),
            region: params.region.clone(),
        };
        let mut answer = match api::counts(&state, session.user.as_ref(), query).await {
            Ok(answer) => answer,
            Err(error) => return error_page(lang, &error),
        };
        if group == "month" {
            answer.groups.sort_by(|a, b| a.key.cmp(&b.key));
        }
        let groups = answer
            .groups
            .iter()
            .map(|g| ChartGroup {
                label: match group {
                    "category" => category_name(catalogue, lang, &g.key),
                    "issue" => issue_name(lang, &g.key),
                    "outcome" => named::<Outcome>(lang, &g.key),
                    "province" => {
                        codes::region::lookup(&g.key).map(|r| r.name.clone()).unwrap_or_else(|| g.key.clone())
                    }
                    _ => g.key.clone(),
                },
                count: g.count,
                share: g.share,
            })
            .collect();
        charts.push(Chart { group_by: answer.group_by, from: answer.from, to: answer.to, total: answer.total, groups });
    }
    let title = lang.t("投诉举报统计", "Complaint statistics");
    let names = [
        lang.t("按月", "By month"),
        lang.t("按产品类别", "By product category"),
        lang.t("按问题类型", "By issue"),
        lang.t("按省份", "By province"),
        lang.t("按办理结果", "By outcome"),
    ];
    let body = html! {
        h1 { (title) }
        form.search method="get" action="/complaints/stats" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            label { (lang.t("起", "From")) input type="date" name="from" value=(charts[0].from); }
            label { (lang.t("止", "To")) input type="date" name="to" value=(charts[0].to); }
            label { (lang.t("地区", "Region")) input type="text" name="region" value=(params.region.clone().unwrap_or_default()); }
            button { (lang.t("统计", "Count")) }
        }
        p.muted { (lang.t("合计", "Total")) " " (charts[0].total) " · " (charts[0].from) " – " (charts[0].to) }
        @for (i, chart) in charts.iter().enumerate() {
            h2 { (names[i]) }
            div id=(format!("complaint-chart-{i}")) style="height:260px" {}
            table { thead { tr { th { (names[i]) } th { (lang.t("件数", "Count")) } th { (lang.t("占比", "Share")) } } }
                tbody { @for g in chart.groups.iter().take(40) { tr {
                    td { (g.label) } td { (g.count) } td { (format!("{:.1}%", g.share * 100.0)) } } } } }
        }
        script id="complaint-data" type="application/json" { (PreEscaped(json!({"charts": charts}).to_string().replace("</", "<\\/"))) }
        script src="/assets/echarts.min.js" {}
        script src="/assets/complaints.js" {}
    };
    page(lang, title, body).into_response()
}
