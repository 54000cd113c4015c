//! The trace view (追溯): the chain from an item or lot as a picture (an ECharts graph) and as tables, for
//! signed-in users; the tables carry everything the picture shows.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use serde_json::{json, Value};

use super::error_page;
use super::layout::{page, with_lang};
use super::session::PageUser;
use crate::api::trace::{direction, trace_answer, TraceAnswer};
use crate::i18n::Lang;
use crate::AppState;

#[derive(Debug, Deserialize)]
pub(crate) struct TraceParams {
    #[serde(default)]
    lang: Lang,
    id: Option<String>,
    direction: Option<String>,
    as_of: Option<String>,
}

/// A short label for a canonical link: its GS1 element string, e.g. `(01)06979000030034(21)7`.
pub(crate) fn element_string(id: &str) -> String {
    match id.strip_prefix("https://id.gs1.org/") {
        Some(path) => {
            let parts: Vec<&str> = path.split('/').collect();
            parts.chunks(2).map(|pair| format!("({}){}", pair[0], pair.get(1).unwrap_or(&""))).collect()
        }
        None => id.to_owned(),
    }
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

fn party_name(party: &Value) -> String {
    party["registration"]["name"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| element_string(party["id"].as_str().unwrap_or("")))
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
        let id = item["id"].as_str().unwrap_or_default();
        let path = item["path"].as_array().cloned().unwrap_or_default();
        let previous =
            if path.len() >= 2 { path[path.len() - 2]["id"].as_str().unwrap_or(&answer.start) } else { &answer.start };
        if item["kind"] == "instance" {
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
        let id = match party["registration"]["uscc"].as_str() {
            Some(uscc) => format!("uscc:{uscc}"),
            None => party["id"].as_str().unwrap_or_default().to_owned(),
        };
        let id = id.as_str();
        add(&mut nodes, &mut seen, id, party_name(party), 4);
        let via = party["via"].as_str().unwrap_or_default();
        let source = if seen.contains(via) { via.to_owned() } else { answer.start.clone() };
        links.push(
            json!({"source": source, "target": id, "label": how_name(lang, party["how"].as_str().unwrap_or(""))}),
        );
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
        let uscc = party["registration"]["uscc"].as_str().map(str::to_owned);
        let gln = party["gln"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| element_string(party["id"].as_str().unwrap_or("")));
        let relation = how_name(lang, party["how"].as_str().unwrap_or("")).to_owned();
        let time = party["first_reached"].as_str().unwrap_or("").to_owned();
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
                region: party["registration"]["region_code"].as_str().map(str::to_owned),
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
                        td { (super::recalls::china_time(&group.first_reached)) }
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
                        td { code { (element_string(item["id"].as_str().unwrap_or(""))) } }
                        td { @if item["kind"] == "instance" { (lang.t("单品", "item")) } @else { (lang.t("批次/类别", "lot or class")) } }
                        td { @if let Some(q) = item["quantity"].as_f64() { (q) " " (item["uom"].as_str().unwrap_or("")) } }
                        td.muted {
                            @for step in item["path"].as_array().into_iter().flatten() {
                                (how_name(lang, step["how"].as_str().unwrap_or(""))) " → " code { (element_string(step["id"].as_str().unwrap_or(""))) } " "
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
pub(crate) async fn trace_page(
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
    if let Some(user) = session.user.as_ref().filter(|u| !crate::auth::may_read_traces(u)) {
        let error = crate::ApiError::forbidden(format!("role {} may not read supply-chain events", user.role.as_str()));
        return error_page(lang, &error);
    }
    if session.user.is_none() {
        let body = html! {
            h1 { (title) }
            p { (lang.t("追溯数据含企业经营信息，请先", "Trace data holds business information; please "))
                a href=(with_lang(&format!("/login?next=/trace%3Fid%3D{}", crate::api::epcis::percent_encode(&id)), lang)) { (lang.t("登录", "sign in")) } "." }
        };
        return page(lang, title, body).into_response();
    }
    if id.trim().is_empty() {
        return page(lang, title, html! { h1 { (title) } (form) }).into_response();
    }
    let answer = match direction(params.direction.as_deref()) {
        Ok(direction) => trace_answer(&state, id.trim(), direction, params.as_of.clone()).await,
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
