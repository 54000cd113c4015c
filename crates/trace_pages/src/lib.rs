//! The trace view (追溯): the chain from an item or lot as a picture (an ECharts graph) and as tables, for
//! signed-in users; the tables carry everything the picture shows.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use serde_json::{json, Value};

use service::trace::{direction, trace_answer, ItemKind, TraceAnswer, TracedParty};
use webkit::i18n::Lang;
use webkit::layout::element_string;
use webkit::layout::error_page;
use webkit::layout::{page, with_lang};
use webkit::session::PageUser;
use webkit::AppState;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new().route("/trace", get(trace_page)).route("/trace/capture", get(capture_form).post(capture))
}

#[derive(Debug, Deserialize)]
pub struct TraceParams {
    #[serde(default)]
    lang: Lang,
    id: Option<String>,
    direction: Option<String>,
    as_of: Option<String>,
}

fn how_name(lang: Lang, how: &str) -> &'static str {
    match how {
        "transforms" => lang.t("加工转化", "transformed"),
        "contains" => lang.t("包装内含", "contained"),
        "ships_to" => lang.t("发往", "shipped to"),
        "comes_from" => lang.t("来自", "came from"),
        _ => lang.t("到达/所在", "located at"),
    }
}

fn party_name(party: &TracedParty) -> String {
    party.registration.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| element_string(&party.id))
}

/// The graph: start, items (many instances from one predecessor folded into one node), containers and parties.
fn graph(lang: Lang, answer: &TraceAnswer) -> Value {
    let mut nodes: Vec<Value> = Vec::new();
    let mut links: Vec<Value> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let add = |nodes: &mut Vec<Value>,
               seen: &mut std::collections::BTreeSet<String>,
               id: &str,
               label: String,
               category: usize| {
        if seen.insert(id.to_owned()) {
            nodes.push(json!({"id": id, "name": label, "category": category}));
        }
    };
    add(&mut nodes, &mut seen, &answer.start, element_string(&answer.start), 0);
    let mut folded: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for item in answer.items.iter().skip(1) {
        let id = item.id.as_str();
        let path = &item.path;
        let previous = if path.len() >= 2 { path[path.len() - 2].id.as_str() } else { &answer.start };
        if item.kind == ItemKind::Instance {
            *folded.entry(previous.to_owned()).or_default() += 1;
            continue;
        }
        add(&mut nodes, &mut seen, id, element_string(id), 1);
        links.push(json!({"source": previous, "target": id}));
    }
    for (previous, count) in folded {
        let node = format!("{previous}#items");
        add(&mut nodes, &mut seen, &node, format!("{count} {}", lang.t("件单品", "items")), 2);
        links.push(json!({"source": previous, "target": node}));
    }
    for container in &answer.containers {
        add(&mut nodes, &mut seen, container, element_string(container), 3);
    }
    for party in &answer.parties {
        // An organization's party and location GLNs are one node.
        let id = match party.registration.as_ref().and_then(|r| r.uscc.as_deref()) {
            Some(uscc) => format!("uscc:{uscc}"),
            None => party.id.clone(),
        };
        let id = id.as_str();
        add(&mut nodes, &mut seen, id, party_name(party), 4);
        let source = if seen.contains(&party.via) { party.via.clone() } else { answer.start.clone() };
        links.push(json!({"source": source, "target": id, "label": how_name(lang, party.how)}));
    }
    let mut drawn = std::collections::BTreeSet::new();
    links.retain(|l| drawn.insert((l["source"].to_string(), l["target"].to_string())));
    json!({
        "nodes": nodes,
        "links": links,
        "categories": [
            lang.t("起点", "start"), lang.t("批次/类别", "lots and classes"), lang.t("单品", "items"),
            lang.t("包装/托盘", "cases and pallets"), lang.t("企业/地点", "parties and locations"),
        ],
    })
}

/// The parties reached, one row per organization (or per unregistered GLN).
struct PartyGroup {
    name: String,
    uscc: Option<String>,
    region: Option<String>,
    relations: Vec<String>,
    first_reached: String,
    glns: Vec<String>,
}

fn party_groups(lang: Lang, answer: &TraceAnswer) -> Vec<PartyGroup> {
    let mut groups: Vec<PartyGroup> = Vec::new();
    for party in &answer.parties {
        let uscc = party.registration.as_ref().and_then(|r| r.uscc.clone());
        let gln = party.gln.clone().unwrap_or_else(|| element_string(&party.id));
        let relation = how_name(lang, party.how).to_owned();
        let time = party.first_reached.clone();
        let existing = groups.iter_mut().find(|g| match &uscc {
            Some(uscc) => g.uscc.as_ref() == Some(uscc),
            None => g.uscc.is_none() && g.glns.contains(&gln),
        });
        match existing {
            Some(group) => {
                if !group.relations.contains(&relation) {
                    group.relations.push(relation);
                }
                if !group.glns.contains(&gln) {
                    group.glns.push(gln);
                }
                if time < group.first_reached {
                    group.first_reached = time;
                }
            }
            None => groups.push(PartyGroup {
                name: party_name(party),
                uscc,
                region: party.registration.as_ref().map(|r| r.region_code.clone()),
                relations: vec![relation],
                first_reached: time,
                glns: vec![gln],
            }),
        }
    }
    groups.sort_by(|a, b| a.first_reached.cmp(&b.first_reached));
    groups
}

fn tables(lang: Lang, answer: &TraceAnswer) -> Markup {
    let groups = party_groups(lang, answer);
    html! {
        h2 { (lang.t("到达的企业与地点", "Parties and locations reached")) " (" (groups.len()) ")" }
        table {
            thead { tr {
                th { (lang.t("名称", "Name")) } th { (lang.t("统一社会信用代码", "USCC")) } th { (lang.t("行政区划", "Region")) }
                th { (lang.t("关系", "How")) } th { (lang.t("首次到达", "First reached")) } th { "GLN" }
            } }
            tbody {
                @for group in &groups {
                    tr {
                        td { (group.name) }
                        td { @if let Some(uscc) = &group.uscc {
                            a href=(with_lang(&format!("/organizations/{uscc}"), lang)) { code { (uscc) } } } @else { "—" } }
                        td { (group.region.clone().unwrap_or_else(|| "—".into())) }
                        td { (group.relations.join("、")) }
                        td { (webkit::layout::china_time(&group.first_reached)) }
                        td { @for gln in &group.glns { code { (gln) } " " } }
                    }
                }
            }
        }
        h2 { (lang.t("到达的批次与单品", "Lots and items reached")) " (" (answer.items.len()) ")" }
        table {
            thead { tr { th { (lang.t("标识", "Identifier")) } th { (lang.t("类型", "Kind")) } th { (lang.t("数量", "Quantity")) } th { (lang.t("路径", "Path")) } } }
            tbody {
                @for item in &answer.items {
                    tr {
                        td { code { (element_string(&item.id)) } }
                        td { @if item.kind == ItemKind::Instance { (lang.t("单品", "item")) } @else { (lang.t("批次/类别", "lot or class")) } }
                        td { @if let Some(q) = item.quantity { (q) " " (item.uom.as_deref().unwrap_or("")) } }
                        td.muted {
                            @for step in &item.path {
                                (how_name(lang, step.how)) " → " code { (element_string(&step.id)) } " "
                            }
                        }
                    }
                }
            }
        }
        @if !answer.containers.is_empty() {
            h2 { (lang.t("承载过的包装与托盘", "Cases and pallets that carried them")) }
            p { @for container in &answer.containers { code { (element_string(container)) } " " } }
        }
    }
}

/// `GET /trace?id=…&direction=forward|backward`.
pub async fn trace_page(
    State(state): State<AppState>,
    session: PageUser,
    Query(params): Query<TraceParams>,
) -> Response {
    let lang = params.lang;
    let title = lang.t("产品追溯", "Trace");
    let id = params.id.clone().unwrap_or_default();
    let form = html! {
        form.search action="/trace" method="get" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            input type="text" name="id" value=(id) size="60" aria-label=(lang.t("标识", "Identifier"))
                placeholder=(lang.t("EPC URN、GS1 数字链接或批次，如 urn:epc:class:lgtin:…", "EPC URN, Digital Link or lot, e.g. urn:epc:class:lgtin:…"));
            select name="direction" aria-label=(lang.t("方向", "Direction")) {
                option value="forward" selected[params.direction.as_deref() != Some("backward")] { (lang.t("正向：流向何处", "Forward: where it went")) }
                option value="backward" selected[params.direction.as_deref() == Some("backward")] { (lang.t("反向：来自何处", "Backward: where it came from")) }
            }
            input type="text" name="as_of" value=(params.as_of.clone().unwrap_or_default()) placeholder=(lang.t("截至 2026-10-01T00:00:00+08:00（可选）", "As of (optional)"));
            button type="submit" { (lang.t("追溯", "Trace")) }
        }
    };
    if let Some(user) = session.user.as_ref().filter(|u| !webkit::auth::may_read_traces(u)) {
        let error =
            webkit::ApiError::forbidden(format!("role {} may not read supply-chain events", user.role.as_str()));
        return error_page(lang, &error);
    }
    if session.user.is_none() {
        let body = html! {
            h1 { (title) }
            p { (lang.t("追溯数据含企业经营信息，请先", "Trace data holds business information; please "))
                a href=(with_lang(&format!("/login?next=/trace%3Fid%3D{}", service::events::percent_encode(&id)), lang)) { (lang.t("登录", "sign in")) } "." }
        };
        return page(lang, title, body).into_response();
    }
    if id.trim().is_empty() {
        let body = html! {
            h1 { (title) }
            (form)
            p { a href=(with_lang("/trace/capture", lang)) { (lang.t("上报追溯数据（EPCIS 文档）", "Send trace events (an EPCIS document)")) } }
        };
        return page(lang, title, body).into_response();
    }
    let user = session.user.clone().expect("signed in: checked above");
    let answer = match direction(params.direction.as_deref()) {
        Ok(direction) => match service::read_scope::ReadScope::of(&user) {
            Ok(scope) => match service::read_scope::may_trace(&state, &scope, id.trim(), direction).await {
                Ok(()) => trace_answer(&state, id.trim(), direction, params.as_of.clone()).await,
                Err(error) => Err(error),
            },
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    let answer: TraceAnswer = match answer {
        Ok(answer) => answer,
        Err(error) => return error_page(lang, &error),
    };
    let data = graph(lang, &answer);
    let body = html! {
        h1 { (title) }
        (form)
        p { (lang.t("起点", "Start")) ": " code { (element_string(&answer.start)) } " · "
            (lang.t("地区", "Regions")) ": " (answer.regions.join("、")) " · "
            (lang.t("企业", "Organizations")) ": " (answer.organizations.len()) }
        @if answer.truncated { div.warning { (lang.t("追溯范围过大，结果已截断。", "The trace was too large and has been cut.")) } }
        div #trace-graph style="height:520px" {}
        (tables(lang, &answer))
        script id="trace-data" type="application/json" { (PreEscaped(data.to_string().replace("</", "<\\/"))) }
        script src="/assets/echarts.min.js" {}
        script src="/assets/trace.js" {}
    };
    page(lang, title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CaptureForm {
    csrf: String,
    #[serde(default)]
    lang: Lang,
    format: Option<String>,
    behaviour: Option<String>,
    document: String,
}

fn capture_page(lang: Lang, session: &PageUser, document: &str, outcome: Option<Markup>) -> Response {
    let title = lang.t("上报追溯数据", "Send trace events");
    let body = html! {
        h1 { (title) }
        p.muted { (lang.t("粘贴一份 EPCIS 2.0 文档（JSON/JSON-LD 或 XML）。系统按标准校验、计算事件哈希并在一个事务内保存；同一事件只保存一次。程序对接请用 ",
                           "Paste an EPCIS 2.0 document (JSON/JSON-LD or XML). It is validated, hashed and stored in one transaction; an event is stored once. Systems send to "))
            code { "POST /epcis/capture" } "." }
        @if let Some(outcome) = outcome { (outcome) }
        form.stack method="post" action=(with_lang("/trace/capture", lang)) {
            (session.field())
            label { (lang.t("格式", "Format")) select name="format" {
                option value="json" { "JSON / JSON-LD" } option value="xml" { "XML" } } }
            label { (lang.t("出错时", "On a problem")) select name="behaviour" {
                option value="rollback" { (lang.t("全部不保存", "store nothing")) }
                option value="proceed" { (lang.t("只保存无误的事件", "store the valid events")) } } }
            label { (lang.t("文档", "Document")) textarea name="document" rows="18" required { (document) } }
            button type="submit" { (lang.t("上报", "Send")) }
        }
    };
    page(lang, title, body).into_response()
}

/// `GET /trace/capture`: the form, for a signed-in enterprise or admin.
pub async fn capture_form(session: PageUser, Query(params): Query<TraceParams>) -> Response {
    let lang = params.lang;
    if session.user.is_none() {
        return error_page(lang, &webkit::ApiError::unauthorized());
    }
    capture_page(lang, &session, "", None)
}

/// `POST /trace/capture`: captures the pasted document and shows what was stored or what was wrong.
pub async fn capture(
    State(state): State<AppState>,
    session: PageUser,
    axum::extract::Form(form): axum::extract::Form<CaptureForm>,
) -> Response {
    use store::traceability::ErrorBehaviour;
    let lang = form.lang;
    let user = match session.authorise(&form.csrf) {
        Ok(user) => user.clone(),
        Err(error) => return error_page(lang, &error),
    };
    let content_type = if form.format.as_deref() == Some("xml") { "application/xml" } else { "application/json" };
    let behaviour =
        if form.behaviour.as_deref() == Some("proceed") { ErrorBehaviour::Proceed } else { ErrorBehaviour::Rollback };
    let result =
        service::events::capture_document(&state, &state, &user, content_type, form.document.as_bytes(), behaviour)
            .await;
    let outcome = match result {
        Ok(summary) => html! {
            div.valid {
                (lang.t("已保存", "Stored")) " " strong { (summary.stored) } " · "
                (lang.t("重复（已存在）", "duplicates (already stored)")) " " (summary.duplicates) " · "
                (lang.t("有误未保存", "rejected")) " " (summary.rejected) " · "
                (lang.t("上报编号", "capture")) " " code { (summary.capture_id) }
            }
        },
        Err(problem) => html! {
            div.error {
                p { (problem.detail()) }
                @if !problem.problems().is_empty() {
                    table {
                        thead { tr { th { (lang.t("位置", "Where")) } th { (lang.t("代码", "Code")) } th { (lang.t("问题", "Problem")) } } }
                        tbody { @for p in problem.problems() { tr { td { code { (p.pointer) } } td { code { (p.code) } } td { (p.message) } } } }
                    }
                }
            }
        },
    };
    capture_page(lang, &session, &form.document, Some(outcome))
}
