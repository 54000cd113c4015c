//! Credit pages: the public blacklist with its history and downloads, a listing's page with its steps (and the
//! forms of the next step for the regulator or the enterprise), the proposal form, an organization's public credit
//! record with each record's log leaf and proof, and the public log's page. Every form runs the API's own step.

use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;

use credit::listing::ListingStatus;
use service::credit::{self as api, ListParams, ListingView, StepBody};
use service::input::optional_text;
use webkit::i18n::Lang;
use webkit::layout::{error_page, named};
use webkit::layout::{page, with_lang};
use webkit::session::PageUser;
use webkit::{ApiError, AppState};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/credit", get(blacklist))
        .route("/credit/model", get(model_page))
        .route("/organizations/{uscc}/credit/records", post(add_record))
        .route("/credit/listings/new", get(new_listing).post(propose))
        .route("/credit/listings/{id}", get(listing_page))
        .route("/credit/listings/{id}/{action}", post(step))
        .route("/log", get(log_page))
}

fn list_name(lang: Lang, list: &str) -> &'static str {
    match list {
        "serious_violation" => lang.t("严重违法失信名单", "serious-violation list"),
        _ => lang.t("经营异常名录", "abnormal-operations list"),
    }
}

#[derive(Debug, Deserialize)]
pub struct BlacklistParams {
    #[serde(default)]
    lang: Lang,
    list: Option<String>,
    q: Option<String>,
    #[serde(default)]
    history: bool,
}

/// `GET /credit`: who is on a list now (or, with `history`, ever was), searchable, with downloads.
pub async fn blacklist(
    State(state): State<AppState>,
    session: PageUser,
    Query(params): Query<BlacklistParams>,
) -> Response {
    let lang = params.lang;
    let query = ListParams { list: params.list.clone(), q: params.q.clone(), current: !params.history, format: None };
    let found = match api::public_listings(&state, &query).await {
        Ok(found) => found,
        Err(error) => return error_page(lang, &error),
    };
    let regulator =
        session.user.as_ref().is_some_and(|u| matches!(u.role, store::Role::Admin | store::Role::Regulator));
    let download = |format: &str| {
        format!(
            "/api/v1/credit/listings?format={format}&current={}&list={}&q={}",
            !params.history,
            params.list.clone().unwrap_or_default(),
            service::events::percent_encode(&params.q.clone().unwrap_or_default())
        )
    };
    let title = lang.t("质量失信名单", "Quality credit lists");
    let body = html! {
        h1 { (title) }
        p.muted { (lang.t("每一次列入、移出和信用修复都写入可公开验证的记录（", "Every listing, removal and repair is written to the publicly verifiable record (")) a href=(with_lang("/log", lang)) { (lang.t("公开记录", "public log")) } "）。" }
        form.search method="get" action="/credit" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            input type="search" name="q" value=(params.q.clone().unwrap_or_default()) aria-label=(lang.t("企业名称或统一社会信用代码", "Name or USCC"));
            select name="list" {
                option value="" { (lang.t("全部名单", "all lists")) }
                option value="serious_violation" selected[params.list.as_deref() == Some("serious_violation")] { (list_name(lang, "serious_violation")) }
                option value="abnormal_operations" selected[params.list.as_deref() == Some("abnormal_operations")] { (list_name(lang, "abnormal_operations")) } }
            label { input type="checkbox" name="history" value="true" checked[params.history]; " " (lang.t("含已移出的历史", "with history")) }
            button { (lang.t("查询", "Search")) }
        }
        p { a href=(download("csv")) { (lang.t("下载 CSV", "Download CSV")) } " · " a href=(download("json")) { (lang.t("下载 JSON", "Download JSON")) }
            @if regulator { " · " a href=(with_lang("/credit/listings/new", lang)) { (lang.t("拟列入", "Propose a listing")) } } }
        @if found.is_empty() { p.muted { (lang.t("没有符合条件的记录。", "Nothing found.")) } }
        @else {
            table {
                thead { tr { th { (lang.t("编号", "Number")) } th { (lang.t("企业", "Enterprise")) } th { (lang.t("名单", "List")) }
                    th { (lang.t("列入理由", "Grounds")) } th { (lang.t("公示日期", "Published")) } th { (lang.t("期满", "Ends")) } th { (lang.t("状态", "Status")) } } }
                tbody { @for l in &found { tr {
                    td { a href=(with_lang(&format!("/credit/listings/{}", l.id), lang)) { (l.id) } }
                    td { a href=(with_lang(&format!("/organizations/{}", l.uscc), lang)) { (l.organization_name) } br; code { (l.uscc) } }
                    td { (list_name(lang, &l.list)) } td { (l.grounds) }
                    td { (l.published_on.clone().unwrap_or_default()) } td { (l.expires_on.clone().unwrap_or_default()) }
                    td { (named::<ListingStatus>(lang, &l.status)) @if let Some(reason) = &l.removal_reason { " · " (reason) } }
                } } }
            }
        }
    };
    page(lang, title, body).into_response()
}

/// The forms of the next steps the signed-in user may take.
fn step_forms(lang: Lang, session: &PageUser, view: &ListingView) -> Markup {
    let listing = &view.listing;
    let Some(user) = &session.user else { return html! {} };
    let id = listing.id.as_str();
    let action = |name: &str| with_lang(&format!("/credit/listings/{id}/{name}"), lang);
    let own = user.role == store::Role::Enterprise && user.uscc.as_deref() == Some(listing.uscc.as_str());
    let regulator = webkit::auth::authorize_supervision(user, &listing.region_code).is_ok();
    let status = listing.status.parse::<ListingStatus>().ok();
    let day = html! { label { (lang.t("日期", "Date")) input type="date" name="on"; } };
    let note = html! { label { (lang.t("说明", "Note")) textarea name="note" {} } };
    let simple = |name: &str, label: &str| html! { form.stack method="post" action=(action(name)) { (session.field()) (day) (note) button { (label) } } };
    html! {
        @if regulator || own { h2 { (lang.t("办理", "Steps")) } }
        @if regulator && status == Some(ListingStatus::Proposed) { (simple("notify", lang.t("告知企业列入理由及陈述申辩、听证权利", "Notify the grounds and the rights to state and be heard"))) }
        @if own && status == Some(ListingStatus::Notified) {
            form.stack method="post" action=(action("statement")) { (session.field()) (day)
                label { (lang.t("陈述申辩", "Statement")) textarea name="note" required {} } button { (lang.t("提交陈述申辩", "Submit the statement")) } }
            @if !listing.hearing_requested { (simple("hearing-request", lang.t("申请听证", "Ask for a hearing"))) }
        }
        @if regulator && status == Some(ListingStatus::Notified) {
            @if listing.hearing_requested { (simple("hearing", lang.t("记录听证", "Record the hearing"))) }
            form.stack method="post" action=(action("decide")) { (session.field()) (day) (note)
                input type="hidden" name="listed" value="true"; button { (lang.t("决定列入", "Decide to list")) } }
            form.stack method="post" action=(action("decide")) { (session.field()) (day) (note)
                input type="hidden" name="listed" value="false"; button { (lang.t("决定不予列入", "Decide not to list")) } }
        }
        @if regulator && status == Some(ListingStatus::Decided) { (simple("publish", lang.t("公示", "Publish"))) }
        @if own && status == Some(ListingStatus::Published) {
            form.stack method="post" action=(action("repair-apply")) { (session.field()) (day)
                label { input type="checkbox" name="penalties_fulfilled" value="true" required; " " (lang.t("已履行行政处罚", "penalties fulfilled")) }
                label { input type="checkbox" name="harm_removed" value="true" required; " " (lang.t("已消除危害后果和不良社会影响", "harm removed")) }
                label { input type="checkbox" name="no_new_heavier_penalty" value="true" required; " " (lang.t("未再受到较重行政处罚", "no new heavier penalty")) }
                (note) button { (lang.t("申请信用修复", "Apply for credit repair")) } }
        }
        @if regulator && status == Some(ListingStatus::RepairPending) {
            form.stack method="post" action=(action("repair-decide")) { (session.field()) (day) (note)
                input type="hidden" name="granted" value="true"; button { (lang.t("准予修复，移出名单", "Grant the repair: remove")) } }
            form.stack method="post" action=(action("repair-decide")) { (session.field()) (day) (note)
                input type="hidden" name="granted" value="false"; button { (lang.t("不予修复", "Refuse the repair")) } }
        }
        @if regulator && status.is_some_and(ListingStatus::on_the_list) {
            form.stack method="post" action=(action("remove")) { (session.field()) (day)
                label { (lang.t("移出原因", "Why")) select name="reason" {
                    option value="obligation_met" { (lang.t("已履行义务（经营异常名录）", "obligation met (abnormal operations)")) }
                    option value="revoked" { (lang.t("列入决定被撤销", "listing decision revoked")) } } }
                (note) button { (lang.t("移出", "Remove")) } }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct LangParams {
    #[serde(default)]
    lang: Lang,
}

/// `GET /credit/listings/{id}`: public once published; before that, for the regulator and the enterprise.
pub async fn listing_page(
    State(state): State<AppState>,
    session: PageUser,
    Path(id): Path<String>,
    Query(params): Query<LangParams>,
) -> Response {
    let lang = params.lang;
    let answer = api::visible(&state, session.user.as_ref(), &id).await;
    let view = match answer {
        Ok(view) => view,
        Err(error) => return error_page(lang, &error),
    };
    let listing = &view.listing;
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
    let body = html! {
        h1 { (list_name(lang, &listing.list)) " " (id) }
        p.muted { (named::<ListingStatus>(lang, &listing.status)) }
        dl {
            dt { (lang.t("企业", "Enterprise")) } dd { a href=(with_lang(&format!("/organizations/{}", listing.uscc), lang)) { (listing.organization_name) } " " code { (listing.uscc) } }
            dt { (lang.t("列入理由", "Grounds")) } dd { (listing.grounds) }
            dt { (lang.t("依据", "Legal basis")) } dd { (listing.legal_basis) }
            dt { (lang.t("处罚决定", "Penalty decision")) } dd { (text(&listing.penalty_ref)) }
            dt { (lang.t("陈述申辩截止", "Statement by")) } dd { (text(&listing.statement_by)) }
            dt { (lang.t("公示日期 / 期满", "Published / ends")) } dd { (text(&listing.published_on)) " / " (text(&listing.expires_on)) }
            @if listing.removed_on.is_some() { dt { (lang.t("移出", "Removed")) } dd { (text(&listing.removed_on)) " · " (text(&listing.removal_reason)) } }
        }
        (step_forms(lang, &session, &view))
        h2 { (lang.t("程序记录", "Steps")) }
        table {
            thead { tr { th { (lang.t("环节", "Step")) } th { (lang.t("日期", "Date")) } th { (lang.t("记录时间", "Recorded")) } th { (lang.t("公开记录", "Public log")) } th { (lang.t("说明", "Note")) } } }
            tbody { @for s in &view.steps { tr {
                td { (lang.pick(s.stage.name_zh(), s.stage.name_en())) } td { (s.on) } td { (webkit::layout::china_time(&s.at)) }
                td { @if let Some(index) = s.log_index { a href=(format!("/api/v1/log/proof/inclusion?index={index}")) { "#" (index) } } }
                td { (s.note.as_deref().unwrap_or("")) }
            } } }
        }
    };
    page(lang, &id, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct StepForm {
    csrf: String,
    #[serde(default)]
    lang: Lang,
    on: Option<String>,
    note: Option<String>,
    listed: Option<String>,
    granted: Option<String>,
    reason: Option<String>,
    /// The repair conditions, one checkbox each.
    penalties_fulfilled: Option<String>,
    harm_removed: Option<String>,
    no_new_heavier_penalty: Option<String>,
}

/// `POST /credit/listings/{id}/{step}`.
pub async fn step(
    State(state): State<AppState>,
    session: PageUser,
    Path((id, action)): Path<(String, String)>,
    Form(form): Form<StepForm>,
) -> Response {
    let lang = form.lang;
    let conditions: Vec<String> = [
        ("penalties_fulfilled", &form.penalties_fulfilled),
        ("harm_removed", &form.harm_removed),
        ("no_new_heavier_penalty", &form.no_new_heavier_penalty),
    ]
    .into_iter()
    .filter(|(_, ticked)| ticked.is_some())
    .map(|(name, _)| name.to_owned())
    .collect();
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        let body = StepBody {
            on: optional_text(form.on),
            note: form.note,
            listed: form.listed.map(|v| v == "true"),
            granted: form.granted.map(|v| v == "true"),
            reason: form.reason,
            conditions,
        };
        api::run_step(&state, &user, &id, &action, body).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&with_lang(&format!("/credit/listings/{id}"), lang)).into_response(),
        Err(error) => error_page(lang, &error),
    }
}

#[derive(Debug, Deserialize)]
pub struct ProposalForm {
    csrf: String,
    #[serde(default)]
    lang: Lang,
    list: Option<String>,
    uscc: Option<String>,
    grounds: Option<String>,
    penalty_ref: Option<String>,
    on: Option<String>,
    note: Option<String>,
}

/// `GET /credit/listings/new`: the proposal form, for regulators.
pub async fn new_listing(session: PageUser, Query(params): Query<LangParams>) -> Response {
    let lang = params.lang;
    if session.user.is_none() {
        return error_page(lang, &ApiError::unauthorized());
    }
    let title = lang.t("拟列入名单", "Propose a listing");
    let body = html! {
        h1 { (title) }
        form.stack method="post" action=(with_lang("/credit/listings/new", lang)) {
            (session.field())
            label { (lang.t("名单", "List")) select name="list" {
                option value="serious_violation" { (list_name(lang, "serious_violation")) }
                option value="abnormal_operations" { (list_name(lang, "abnormal_operations")) } } }
            label { (lang.t("统一社会信用代码", "USCC")) input type="text" name="uscc" required; }
            label { (lang.t("列入理由", "Grounds")) textarea name="grounds" required {} }
            label { (lang.t("较重行政处罚决定书文号（严重违法失信名单必填）", "Heavier penalty decision number (required for the serious list)")) input type="text" name="penalty_ref"; }
            label { (lang.t("日期", "Date")) input type="date" name="on"; }
            label { (lang.t("说明", "Note")) textarea name="note" {} }
            button { (lang.t("提交", "Propose")) }
        }
    };
    page(lang, title, body).into_response()
}

/// `POST /credit/listings/new`.
pub async fn propose(State(state): State<AppState>, session: PageUser, Form(form): Form<ProposalForm>) -> Response {
    let lang = form.lang;
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        let body = api::ProposalBody {
            list: form.list,
            uscc: form.uscc,
            grounds: form.grounds,
            penalty_ref: form.penalty_ref,
            on: form.on,
            note: form.note,
        };
        api::propose(&state, &user, body).await
    }
    .await;
    match result {
        Ok(listing) => {
            Redirect::to(&with_lang(&format!("/credit/listings/{}", listing.listing.id), lang)).into_response()
        }
        Err(error) => error_page(lang, &error),
    }
}

fn kind_name(lang: Lang, kind: &str) -> String {
    match credit::Model::bundled().kind(kind) {
        Some(rule) => lang.pick(rule.name_zh.clone(), rule.name_en.clone()),
        None => kind.to_owned(),
    }
}

fn source_name(lang: Lang, source: &str) -> String {
    webkit::layout::named::<credit::Source>(lang, source)
}

/// One reason of a class, in words.
fn reason_text(lang: Lang, reason: &Value) -> (String, String) {
    let points = reason["points"].as_i64().map(|p| format!("{p:+}")).unwrap_or_default();
    let text = match reason["type"].as_str() {
        Some("base") => lang.t("基础分", "Base score").to_owned(),
        Some("record") => {
            let kind = kind_name(lang, reason["kind"].as_str().unwrap_or(""));
            let until = reason["counts_until"].as_str().unwrap_or("");
            match reason["record_id"].as_str() {
                Some(id) => format!("{kind}（{id}，{}{until}）", lang.t("计分至", "counts until ")),
                None => format!("{kind}（{}）", lang.t("已过公示期", "no longer public")),
            }
        }
        Some("positive_cap") => {
            format!(
                "{}{}",
                lang.t("守信加分上限，超出不计：", "Good records capped; not counted: "),
                reason["capped_points"]
            )
        }
        Some("listing") => format!(
            "{}{}{}",
            list_name(lang, reason["list"].as_str().unwrap_or("")),
            lang.t("：分类不低于 ", ": class at least "),
            reason["at_least"].as_str().unwrap_or("")
        ),
        _ => format!("{}{}", lang.t("模型未计分的记录：", "Record not scored by this model: "), reason["kind"]),
    };
    (text, points)
}

/// An organization's credit file, for its page: class with reasons, records (public ones, or all for its
/// regulators and itself), class history, list status and every public-log entry about it with its proof; a
/// regulator of its region gets the form to add a record.
pub async fn organization_record(
    state: &AppState,
    lang: Lang,
    session: &PageUser,
    uscc: &str,
) -> Result<Markup, ApiError> {
    let file = service::credit_file::file_view(state, session.user.as_ref(), uscc, None).await?;
    let size = state.store.log_size().await?;
    let whole = file.whole_file;
    let records = &file.records;
    let history = &file.class_history;
    let regulator_kinds: Vec<&credit::KindRule> =
        credit::Model::bundled().kinds.iter().filter(|k| k.allows(credit::Source::Regulator)).collect();
    Ok(html! {
        h2 { (lang.t("信用档案", "Credit file")) }
        @if let Some(class) = &file.class {
            @let letter = &class.class;
            div.card {
                p { strong { (lang.t("信用风险分类：", "Credit risk class: ")) span class=(format!("class class-{letter}")) { (letter) } " "
                    (lang.pick(class.name_zh.as_deref().unwrap_or(""), class.name_en.as_deref().unwrap_or(""))) }
                    " · " (lang.t("得分 ", "score ")) (class.score) " · " (lang.t("模型 ", "model ")) (class.model_version)
                    " · " (lang.t("评价日 ", "as of ")) (class.as_of)
                    @if let (Some(proof), Some(index)) = (&class.inclusion_proof, class.log_index) { " · " a href=(proof) { (lang.t("公开记录 #", "log entry #")) (index) } } }
                p.muted { (lang.t("监管措施：", "Supervision: ")) (class.supervision_zh.as_deref().unwrap_or("")) " · "
                    a href=(with_lang("/credit/model", lang)) { (lang.t("评价模型说明", "how classes are computed")) } }
                table {
                    thead { tr { th { (lang.t("依据", "Reason")) } th { (lang.t("分值", "Points")) } } }
                    tbody { @for reason in &class.reasons {
                        @let (text, points) = reason_text(lang, reason);
                        tr { td { (text) } td { (points) } }
                    } }
                }
            }
        }
        h3 { (lang.t("档案记录", "Records")) @if !whole { span.muted { (lang.t("（公示期内）", " (within their public period)")) } } }
        @if records.is_empty() { p.muted { (lang.t("暂无记录。", "No records.")) } }
        @else {
            table {
                thead { tr { th { (lang.t("日期", "Date")) } th { (lang.t("类型", "Kind")) } th { (lang.t("事项", "Matter")) } th { (lang.t("来源", "Source")) }
                    th { (lang.t("法律依据", "Legal basis")) } th { (lang.t("文号", "Decision no.")) } th { (lang.t("公示至", "Public until")) } th { (lang.t("公开记录", "Log entry")) }
                    @if whole { th { (lang.t("状态", "State")) } } } }
                tbody { @for r in records { tr {
                    td { (r.occurred_on) } td { (kind_name(lang, &r.kind)) } td { (r.title) }
                    td { (source_name(lang, &r.source)) @if let Some(d) = &r.department { " · " (d) } }
                    td.small { (r.legal_basis) } td { (r.decision_no.as_deref().unwrap_or("")) } td { (r.public_until) }
                    td { @if let (Some(proof), Some(index)) = (&r.inclusion_proof, r.log_index) { a href=(proof) title=(r.record_sha256) { "#" (index) } } }
                    @if whole { td { @if let Some(on) = &r.withdrawn_on { (lang.t("已撤回 ", "withdrawn ")) (on) " " (r.withdrawn_reason.as_deref().unwrap_or("")) }
                        @else if r.public == Some(true) { (lang.t("公示中", "public")) } @else { (lang.t("不公示", "not public")) } } }
                } } }
            }
        }
        @if !history.is_empty() {
            h3 { (lang.t("分类变动", "Class changes")) }
            table {
                thead { tr { th { (lang.t("评价日", "As of")) } th { (lang.t("原分类", "From")) } th { (lang.t("新分类", "To")) } th { (lang.t("得分", "Score")) } th { (lang.t("模型", "Model")) } th { (lang.t("公开记录", "Log entry")) } } }
                tbody { @for h in history { tr {
                    td { (h.as_of) } td { (h.previous_class.as_deref().unwrap_or("—")) } td { (h.class) }
                    td { (h.score) } td { (h.model_version) }
                    td { @if let Some(i) = h.log_index { a href=(format!("/api/v1/log/proof/inclusion?index={i}&tree_size={size}")) { "#" (i) } } }
                } } }
            }
        }
        @if file.may_add_records {
            details {
                summary { (lang.t("登记信用记录（行政处罚、证书暂停、质量奖等）", "Add a record (penalty, certificate suspension, quality award, …)")) }
                form.stack method="post" action=(with_lang(&format!("/organizations/{uscc}/credit/records"), lang)) {
                    (session.field())
                    label { (lang.t("类型", "Kind")) select name="kind" { @for k in &regulator_kinds { option value=(k.code) { (lang.pick(k.name_zh.as_str(), k.name_en.as_str())) " (" (format!("{:+}", k.points)) ")" } } } }
                    label { (lang.t("事项", "Matter")) input type="text" name="title" required; }
                    label { (lang.t("决定日期", "Decision date")) input type="date" name="occurred_on" required; }
                    label { (lang.t("决定书文号", "Decision number")) input type="text" name="decision_no"; }
                    label { (lang.t("提前结束公示日期（可选）", "Earlier end of publication (optional)")) input type="date" name="public_until"; }
                    button { (lang.t("登记", "Record")) }
                }
            }
        }
        h3 { (lang.t("失信名单与公开记录", "Credit lists and public log")) }
        @if file.on_a_list {
            div.warning { (lang.t("该企业当前在失信名单中。", "This enterprise is on a credit list now.")) }
        }
        @for l in &file.listings { p { a href=(with_lang(&format!("/credit/listings/{}", l.id), lang)) { (l.id) } " · " (list_name(lang, &l.list)) " · " (lang.pick(l.status.name_zh(), l.status.name_en()))
            " · " (l.published_on.clone().unwrap_or_default()) @if let Some(end) = &l.removed_on { " – " (end) } } }
        @if file.log_entries.is_empty() { p.muted { (lang.t("公开记录中暂无该企业的条目。", "No public-log entries about this enterprise.")) } }
        @else {
            table {
                thead { tr { th { (lang.t("公开记录序号", "Log entry")) } th { (lang.t("类型", "Kind")) } th { (lang.t("内容", "Content")) } th { (lang.t("包含证明", "Inclusion proof")) } } }
                tbody { @for e in &file.log_entries { tr {
                    td { "#" (e.log_index) } td { (e.kind) } td { code { (e.entry.to_string().chars().take(160).collect::<String>()) } }
                    td { a href=(e.inclusion_proof) { (lang.t("证明", "proof")) } }
                } } }
            }
        }
    })
}

#[derive(Debug, Deserialize)]
pub struct RecordForm {
    #[serde(default)]
    lang: Lang,
    csrf: String,
    kind: Option<String>,
    title: Option<String>,
    occurred_on: Option<String>,
    decision_no: Option<String>,
    public_until: Option<String>,
}

/// `POST /organizations/{uscc}/credit/records`: the regulator's record form, through the API.
pub async fn add_record(
    State(state): State<AppState>,
    session: PageUser,
    Path(uscc): Path<String>,
    Form(form): Form<RecordForm>,
) -> Response {
    let lang = form.lang;
    let result = async {
        let user = session.authorise(&form.csrf)?.clone();
        let fields = service::credit_file::RecordFields {
            kind: form.kind,
            title: form.title,
            occurred_on: form.occurred_on,
            decision_no: form.decision_no,
            public_until: form.public_until,
            ..Default::default()
        };
        service::credit_file::add_record(&state, &user, &uscc, fields).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to(&with_lang(&format!("/organizations/{uscc}"), lang)).into_response(),
        Err(error) => error_page(lang, &error),
    }
}

/// `GET /credit/model`: the scoring model in force, every kind with its points, window, public period and legal
/// basis, and how many organizations hold each class.
pub async fn model_page(State(state): State<AppState>, Query(params): Query<LangParams>) -> Response {
    let lang = params.lang;
    let model = credit::Model::bundled();
    let counts = state.store.credit_class_counts().await.unwrap_or_default();
    let title = lang.t("质量信用评价模型", "Quality credit model");
    let body = html! {
        h1 { (title) " " span.muted { (model.version) } }
        p { (lang.t("生效日期 ", "In force from ")) (model.effective_from) " · " a href="/api/v1/credit/model" { "JSON" } " · "
            a href="/api/v1/credit/exchange/format" { (lang.t("部门信息交换格式", "department exchange format")) } }
        p.muted { (model.note) }
        h2 { (lang.t("分类", "Classes")) }
        table {
            thead { tr { th { (lang.t("分类", "Class")) } th { (lang.t("最低得分", "Minimum score")) } th { (lang.t("监管措施", "Supervision")) } th { (lang.t("抽查权重", "Sampling weight")) } th { (lang.t("企业数", "Organizations")) } } }
            tbody { @for c in &model.classes { tr {
                td { strong { (c.class) } " " (lang.pick(c.name_zh.as_str(), c.name_en.as_str())) }
                td { @if let Some(min) = c.min_score { (min) } @else { "—" } }
                td { (lang.pick(c.supervision_zh.as_str(), c.supervision_en.as_str())) } td { (model.sampling_weight(c.class)) }
                td { (counts.iter().find(|(k, _)| k == c.class.as_str()).map_or(0, |(_, n)| *n)) }
            } } }
        }
        p { (lang.t("基础分 ", "Base score ")) (model.base_score) (lang.t("；守信加分合计不超过 ", "; good records add at most ")) (model.positive_cap) "." }
        h2 { (lang.t("记录类型与分值", "Record kinds and points")) }
        table {
            thead { tr { th { (lang.t("类型", "Kind")) } th { (lang.t("分值", "Points")) } th { (lang.t("计分期（天）", "Counts (days)")) } th { (lang.t("公示期（天）", "Public (days)")) } th { (lang.t("来源", "Sources")) } th { (lang.t("法律依据", "Legal basis")) } } }
            tbody { @for k in &model.kinds { tr {
                td { (lang.pick(k.name_zh.as_str(), k.name_en.as_str())) br; code.small { (k.code) } } td { (format!("{:+}", k.points)) }
                td { (k.counts_days) } td { (k.public_days) }
                td { @for (i, s) in k.sources.iter().enumerate() { @if i > 0 { "、" } (source_name(lang, s)) } }
                td.small { (k.legal_basis) }
            } } }
        }
        h2 { (lang.t("名单对分类的影响", "What a listing does")) }
        ul { @for l in &model.listings { li { (list_name(lang, &l.list)) (lang.t("：分类不低于 ", ": class at least ")) (l.at_least) } } }
    };
    page(lang, title, body).into_response()
}

/// `GET /log`: the public log's checkpoint and latest entries, and how to check them.
pub async fn log_page(State(state): State<AppState>, Query(params): Query<LangParams>) -> Response {
    let lang = params.lang;
    let checkpoint = match service::log::current_checkpoint(&state).await {
        Ok(checkpoint) => checkpoint,
        Err(error) => return error_page(lang, &error),
    };
    let start = (checkpoint.tree_size - 50).max(0);
    let entries = state.store.log_entries(start, checkpoint.tree_size).await.unwrap_or_default();
    let title = lang.t("公开记录", "Public log");
    let body = html! {
        h1 { (title) }
        p { (lang.t("公示的失信名单变动、召回公告、风险警示和抽查结果都写入一棵 RFC 6962 默克尔树，检查点由 Ed25519 签名。任何人都可以用 ",
                    "Published list changes, recall notices, risk warnings and sampling results go into an RFC 6962 Merkle tree whose checkpoints are signed with Ed25519. Anyone can check it with "))
            code { "zhiliang verify --url …" } (lang.t(" 独立验证。", ".")) }
        dl {
            dt { (lang.t("条目数", "Entries")) } dd { (checkpoint.tree_size) }
            dt { (lang.t("根哈希", "Root hash")) } dd { code { (checkpoint.root_hash) } }
            dt { (lang.t("签名时间", "Signed at")) } dd { (checkpoint.signed_at) }
            dt { (lang.t("签名检查点（C2SP 格式）", "Signed checkpoint (C2SP note)")) } dd { pre.note { (checkpoint.note) } }
            dt { (lang.t("公钥", "Public key")) } dd { a href="/api/v1/log/public-key" { code { (checkpoint.key_id) } } }
        }
        h2 { (lang.t("最新条目", "Latest entries")) }
        table {
            thead { tr { th { "#" } th { (lang.t("类型", "Kind")) } th { (lang.t("对象", "Subject")) } th { (lang.t("内容", "Content")) } } }
            tbody { @for e in entries.iter().rev() { tr {
                td { a href=(format!("/api/v1/log/proof/inclusion?index={}", e.idx)) { (e.idx) } } td { (e.kind) }
                td { a href=(with_lang(&format!("/organizations/{}", e.subject), lang)) { code { (e.subject) } } }
                td { code { (e.data.chars().take(120).collect::<String>()) } }
            } } }
        }
    };
    page(lang, title, body).into_response()
}
