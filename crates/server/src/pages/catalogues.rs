//! The reference catalogues' pages: the key-product catalogue (classes, products and the regimes that apply) and
//! the standards catalogue (editions with their status and replacements), each with an entry's own page.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use product_catalogue::{Level, Regime};
use serde::Deserialize;
use service::catalogue::{EntryQuery, EntryView};
use service::standards::{EditionQuery, EditionView};
use webkit::catalogue::entry_name;

use super::layout::{page, with_lang};
use super::{error_page, urlencode};
use crate::i18n::Lang;
use crate::AppState;

#[derive(Debug, Deserialize)]
pub(super) struct CatalogueParams {
    #[serde(default)]
    lang: Lang,
    regime: Option<String>,
}

fn regime_tags(lang: Lang, regimes: &[Regime]) -> Markup {
    html! { @for regime in regimes { span.tag { (lang.pick(regime.name_zh(), regime.name_en())) } " " } }
}

fn view_name(lang: Lang, view: &EntryView) -> String {
    lang.pick(view.name_zh.clone(), view.name_en.clone())
}

fn entry_link(lang: Lang, code: &str) -> String {
    with_lang(&format!("/catalogue/{}", urlencode(code)), lang)
}

/// `GET /catalogue`: every listed class with its products and their regimes, newest edition first.
pub(super) async fn catalogue(State(state): State<AppState>, Query(params): Query<CatalogueParams>) -> Response {
    let lang = params.lang;
    let regime = params.regime.clone().filter(|r| !r.is_empty());
    let entries =
        match service::catalogue::list(&state.store, EntryQuery { regime: regime.clone(), ..Default::default() }).await
        {
            Ok(entries) => entries,
            Err(error) => return error_page(lang, &error),
        };
    let classes = match service::catalogue::list(&state.store, EntryQuery::default()).await {
        Ok(all) => all.into_iter().filter(|e| e.level == Level::Class).collect::<Vec<_>>(),
        Err(error) => return error_page(lang, &error),
    };
    let mut classes: Vec<&EntryView> = classes.iter().collect();
    classes.sort_by_key(|e| (std::cmp::Reverse(e.edition), e.code.clone()));
    let products = |class: &str| entries.iter().filter(move |e| e.parent.as_deref() == Some(class)).collect::<Vec<_>>();
    let title = lang.t("重点产品目录", "Key-product catalogue");
    let body = html! {
        h1 { (title) }
        p { (lang.t("《全国重点工业产品质量安全监管目录（2023年版）》的大类和产品，每种产品适用的监管方式；原抽查类别（无版本）映射到目录产品。管理员可随时增补产品，无需发布新版本。",
                    "The classes and products of the 2023 national key-product catalogue with the regimes that apply to each; zhiliang's earlier sampling categories (no edition) map onto catalogue products. An administrator adds products at any time, without a release.")) }
        form.search action="/catalogue" method="get" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            select name="regime" aria-label=(lang.t("监管方式", "Regime")) {
                option value="" { (lang.t("全部监管方式", "all regimes")) }
                @for r in Regime::ALL { option value=(r.as_str()) selected[regime.as_deref() == Some(r.as_str())] { (lang.pick(r.name_zh(), r.name_en())) } }
            }
            button type="submit" { (lang.t("筛选", "Filter")) }
        }
        @for class in &classes {
            @let listed = products(&class.code);
            @if !listed.is_empty() || regime.is_none() {
                h2 {
                    a href=(entry_link(lang, &class.code)) { (view_name(lang, class)) }
                    " " span.muted { (class.code) " · " (class.edition.map_or_else(|| lang.t("原抽查类别", "earlier categories").to_owned(), |y| format!("{y}"))) }
                }
                @if listed.is_empty() { p.muted { (lang.t("本类尚无产品。", "No products in this class yet.")) } } @else {
                    table {
                        thead { tr { th { (lang.t("代码", "Code")) } th { (lang.t("产品", "Product")) } th { (lang.t("监管方式", "Regimes")) } th { (lang.t("对应目录产品", "Maps onto")) } } }
                        tbody { @for p in listed { tr {
                            td { a href=(entry_link(lang, &p.code)) { code { (p.code) } } }
                            td { (view_name(lang, p)) }
                            td { (regime_tags(lang, &p.regimes)) }
                            td { @if let Some(target) = &p.maps_to { a href=(entry_link(lang, target)) { code { (target) } } } @else { "—" } }
                        } } }
                    }
                }
            }
        }
        p.muted { "API: " a href="/api/v1/catalogue/entries" { code { "/api/v1/catalogue/entries" } } }
    };
    page(lang, title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct LangParam {
    #[serde(default)]
    lang: Lang,
}

/// `GET /catalogue/{code}`: one entry with its products, what maps onto it and its earlier versions.
pub(super) async fn catalogue_entry(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(params): Query<LangParam>,
) -> Response {
    let lang = params.lang;
    let detail = match service::catalogue::entry(&state.store, &code).await {
        Ok(detail) => detail,
        Err(error) => return error_page(lang, &error),
    };
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let e = &detail.entry;
    let parent = e.parent.as_deref().and_then(|p| catalogue.entry(p));
    let body = html! {
        h1 { (view_name(lang, e)) " " span.muted { (e.code) } }
        dl {
            dt { (lang.t("层级", "Level")) } dd { (lang.pick(e.level.name_zh(), e.level.name_en())) }
            @if let Some(parent) = parent { dt { (lang.t("所属大类", "Class")) } dd { a href=(entry_link(lang, &parent.code)) { (entry_name(lang, parent)) } } }
            dt { (lang.t("目录版本", "Catalogue edition")) } dd { (e.edition.map_or_else(|| lang.t("原抽查类别", "earlier sampling category").to_owned(), |y| format!("{y}"))) }
            dt { (lang.t("中文名称", "Chinese name")) } dd { (e.name_zh) }
            dt { (lang.t("英文名称", "English name")) } dd { (e.name_en) }
            @if e.level == Level::Product { dt { (lang.t("监管方式", "Regimes")) } dd { (regime_tags(lang, &e.regimes)) } }
            @if let Some(target) = &e.maps_to { dt { (lang.t("对应目录产品", "Maps onto")) } dd { a href=(entry_link(lang, target)) { (catalogue.entry(target).map_or(target.as_str(), |t| entry_name(lang, t))) } } }
            dt { (lang.t("状态", "Listing")) } dd { (lang.pick(e.listing.name_zh(), e.listing.name_en())) }
        }
        @if !detail.products.is_empty() {
            h2 { (lang.t("产品", "Products")) }
            table { tbody { @for p in &detail.products { tr {
                td { a href=(entry_link(lang, &p.code)) { code { (p.code) } } } td { (view_name(lang, p)) } td { (regime_tags(lang, &p.regimes)) }
                td { (lang.pick(p.listing.name_zh(), p.listing.name_en())) }
            } } } }
        }
        @if !detail.mapped_from.is_empty() {
            h2 { (lang.t("映射到本产品的原抽查类别", "Earlier categories that map onto it")) }
            ul { @for m in &detail.mapped_from { li { a href=(entry_link(lang, &m.code)) { code { (m.code) } } " " (view_name(lang, m)) } } }
        }
        @if !detail.history.is_empty() {
            h2 { (lang.t("历史版本", "Earlier versions")) }
            table {
                thead { tr { th { (lang.t("被第几次导入替换", "Replaced in load")) } th { (lang.t("名称", "Name")) } th { (lang.t("监管方式", "Regimes")) } th { (lang.t("状态", "Listing")) } } }
                tbody { @for v in &detail.history { tr {
                    td { (v.replaced_in) } td { (view_name(lang, &v.entry)) } td { (regime_tags(lang, &v.entry.regimes)) }
                    td { (lang.pick(v.entry.listing.name_zh(), v.entry.listing.name_en())) }
                } } }
            }
        }
        p.muted { "API: " a href=(format!("/api/v1/catalogue/entries/{}", urlencode(&e.code))) { code { "/api/v1/catalogue/entries/" (e.code) } } }
    };
    page(lang, &view_name(lang, e), body).into_response()
}

#[derive(Debug, Deserialize)]
pub(super) struct StandardsParams {
    #[serde(default)]
    lang: Lang,
    q: Option<String>,
    status: Option<String>,
    after: Option<String>,
}

fn edition_link(lang: Lang, number: &str) -> String {
    with_lang(&format!("/standards/{}", urlencode(number)), lang)
}

fn edition_row(lang: Lang, e: &EditionView) -> Markup {
    html! { tr {
        td { a href=(edition_link(lang, &e.number)) { (e.number) } }
        td { (e.title) }
        td { (lang.pick(e.force.name_zh(), e.force.name_en())) }
        td { (lang.pick(e.status.name_zh(), e.status.name_en())) @if !e.in_force_today && e.status == standards::Status::Current { " " span.muted { (lang.t("（尚未实施）", "(not yet in force)")) } } }
        td { (e.effective_on) }
        td { (e.ended_on.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
        td { @if let Some(next) = &e.replaced_by { a href=(edition_link(lang, next)) { (next) } } @else { "—" } }
    } }
}

fn edition_head(lang: Lang) -> Markup {
    html! { thead { tr {
        th { (lang.t("标准号", "Number")) } th { (lang.t("标准名称", "Title")) } th { (lang.t("性质", "Kind")) }
        th { (lang.t("状态", "Status")) } th { (lang.t("实施日期", "Effective")) } th { (lang.t("废止日期", "Ended")) }
        th { (lang.t("代替标准", "Replaced by")) }
    } } }
}

/// `GET /standards`: the editions by the start of a number or a word of the title, a page at a time.
pub(super) async fn standards_list(State(state): State<AppState>, Query(params): Query<StandardsParams>) -> Response {
    let lang = params.lang;
    let status = params.status.clone().filter(|s| !s.is_empty());
    let query =
        EditionQuery { q: params.q.clone(), status: status.clone(), after: params.after.clone(), limit: Some(50) };
    let found = match service::standards::page(&state.store, query).await {
        Ok(found) => found,
        Err(error) => return error_page(lang, &error),
    };
    let q = params.q.clone().unwrap_or_default();
    let title = lang.t("标准目录", "Standards catalogue");
    let next = found.next_after.as_ref().map(|after| {
        let mut link = format!("/standards?q={}&after={}", urlencode(&q), urlencode(after));
        if let Some(status) = &status {
            link.push_str(&format!("&status={}", urlencode(status)));
        }
        if lang == Lang::En {
            link.push_str("&lang=en");
        }
        link
    });
    let body = html! {
        h1 { (title) }
        p { (lang.t("每个标准按版本登记（GB 4806.7-2016 与 GB 4806.7-2023 是两个版本）：强制性或推荐性、现行、被代替或废止，以及代替它的版本。抽查检验项目和实验室能力范围按版本引用，超过废止日期仍在使用的版本会被标出。",
                    "Each standard is held by edition (GB 4806.7-2016 and GB 4806.7-2023 are two editions): mandatory or recommended, current, superseded or withdrawn, and the edition that replaces it. Sampling test items and lab scopes cite editions; an edition used after its end is flagged.")) }
        form.search action="/standards" method="get" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            input type="search" name="q" value=(q) placeholder=(lang.t("标准号开头或名称中的词，如 GB 4806 或 玩具", "start of a number or a title word, e.g. GB 4806"));
            select name="status" aria-label=(lang.t("状态", "Status")) {
                option value="" { (lang.t("全部状态", "any status")) }
                @for s in standards::Status::ALL { option value=(s.as_str()) selected[status.as_deref() == Some(s.as_str())] { (lang.pick(s.name_zh(), s.name_en())) } }
            }
            button type="submit" { (lang.t("查询", "Search")) }
        }
        @if found.editions.is_empty() { p { (lang.t("没有符合条件的标准版本。", "No edition matches.")) } } @else {
            table { (edition_head(lang)) tbody { @for e in &found.editions { (edition_row(lang, e)) } } }
        }
        @if let Some(next) = next { p { a href=(next) { (lang.t("下一页", "Next page")) } } }
        p.muted { "API: " a href="/api/v1/standards/editions" { code { "/api/v1/standards/editions" } } }
    };
    page(lang, title, body).into_response()
}

/// `GET /standards/{number}`: one edition, every edition of its standard and its earlier versions.
pub(super) async fn standard_edition(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Query(params): Query<LangParam>,
) -> Response {
    let lang = params.lang;
    let detail = match service::standards::edition(&state.store, &number).await {
        Ok(detail) => detail,
        Err(error) => return error_page(lang, &error),
    };
    let e = &detail.edition;
    let body = html! {
        h1 { (e.number) " " (e.title) }
        @if e.status != standards::Status::Current {
            p.warning { (lang.t("此版本已不再现行。", "This edition is no longer current."))
                @if let Some(next) = &e.replaced_by { " " (lang.t("代替版本：", "Replaced by: ")) a href=(edition_link(lang, next)) { (next) } } }
        }
        h2 { (lang.t("同一标准的各版本", "Every edition of the standard")) }
        table { (edition_head(lang)) tbody { @for f in &detail.family { (edition_row(lang, f)) } } }
        @if !detail.history.is_empty() {
            h2 { (lang.t("历史记录", "Earlier versions of this record")) }
            table { (edition_head(lang)) tbody { @for v in &detail.history { (edition_row(lang, &v.edition)) } } }
        }
        p.muted { "API: " a href=(format!("/api/v1/standards/editions/{}", urlencode(&e.number))) { code { "/api/v1/standards/editions/" (e.number) } } }
    };
    page(lang, &e.number, body).into_response()
}
