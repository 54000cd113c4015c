//! Server-rendered pages, Chinese first with `?lang=en`: home with one search box, organization and product
//! pages, the code checker and the API docs. No scripts; the stylesheet is compiled into the binary.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use codes::{inspect, CodeKind, Gtin, Uscc};
use maud::{html, Markup};
use serde::Deserialize;

mod catalogues;

use crate::api::{self, OrganizationView};
use crate::i18n::Lang;
use crate::pages::session::PageUser;
use crate::{ApiError, AppState, ErrorCode};
use layout::{page, with_lang};
pub(crate) use webkit::layout::{self, error_page, urlencode};
pub(crate) use webkit::session;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .merge(complaint_pages::router())
        .merge(credit_pages::router())
        .merge(sampling_pages::router())
        .merge(recall_pages::router())
        .merge(certification_pages::router())
        .merge(register_pages::router())
        .merge(risk_pages::router())
        .merge(trace_pages::router())
        .route("/", get(home))
        .route("/organizations/{uscc}", get(organization))
        .route("/products/{gtin}", get(product))
        .route("/codes", get(code_checker))
        .route("/catalogue", get(catalogues::catalogue))
        .route("/catalogue/{code}", get(catalogues::catalogue_entry))
        .route("/standards", get(catalogues::standards_list))
        .route("/standards/{number}", get(catalogues::standard_edition))
        .route(
            "/assets/complaints.js",
            get(|| async {
                ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../../assets/complaints.js"))
            }),
        )
        .route(
            "/assets/injuries.js",
            get(|| async {
                ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../../assets/injuries.js"))
            }),
        )
        .route(
            "/assets/signals.js",
            get(|| async {
                ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../../assets/signals.js"))
            }),
        )
        .route(
            "/assets/trace.js",
            get(|| async {
                ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../../assets/trace.js"))
            }),
        )
        .route("/login", get(session::login_page).post(session::login))
        .route("/logout", post(session::logout))
        .route(
            "/assets/echarts.min.js",
            get(|| async {
                let script = include_str!("../../assets/vendor/echarts/echarts.min.js");
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    script,
                )
            }),
        )
        .route(
            "/assets/dashboard.js",
            get(|| async {
                ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("../../assets/dashboard.js"))
            }),
        )
        .route("/api/docs", get(api_docs))
        .route(
            "/assets/style.css",
            get(|| async {
                ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("../../assets/style.css"))
            }),
        )
}

#[derive(Debug, Deserialize)]
struct LangParam {
    #[serde(default)]
    lang: Lang,
}

#[derive(Debug, Deserialize)]
struct HomeParams {
    #[serde(default)]
    lang: Lang,
    q: Option<String>,
    cursor: Option<String>,
}

fn search_box(lang: Lang, q: &str) -> Markup {
    html! {
        form.search action="/" method="get" role="search" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            input type="search" name="q" value=(q) autofocus
                placeholder=(lang.t("企业名称、统一社会信用代码或商品条码 GTIN", "Name, unified social credit code or GTIN"))
                aria-label=(lang.t("搜索", "Search"));
            button type="submit" { (lang.t("搜索", "Search")) }
        }
    }
}

async fn home(State(state): State<AppState>, Query(params): Query<HomeParams>) -> Response {
    let lang = params.lang;
    let q = params.q.unwrap_or_default();
    let trimmed = q.trim();
    if trimmed.is_empty() {
        let body = html! {
            h1 { (lang.t("全国产品质量信息查询", "National product quality information")) }
            p.muted { (lang.t("按企业名称、统一社会信用代码或商品条码查询市场主体和产品。",
                              "Look up market entities and products by name, unified social credit code or GTIN.")) }
            (search_box(lang, ""))
            p { a href=(with_lang("/codes", lang)) { (lang.t("代码校验：统一社会信用代码、组织机构代码、GTIN、GLN、SSCC、EPC、行政区划",
                                                         "Code checker: USCC, organization code, GTIN, GLN, SSCC, EPC, region")) } }
        };
        return page(lang, lang.t("首页", "Home"), body).into_response();
    }
    // An exact identifier goes straight to its page.
    if let Ok(uscc) = Uscc::parse(trimmed) {
        return Redirect::to(&with_lang(&format!("/organizations/{uscc}"), lang)).into_response();
    }
    if let Ok(gtin) = Gtin::parse(trimmed) {
        return Redirect::to(&with_lang(&format!("/products/{}", gtin.to_gtin14()), lang)).into_response();
    }
    // Something shaped like a code but failing its check gets the reason, not an empty result.
    let code_error = if trimmed.len() == 18 && trimmed.is_ascii() && !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        Uscc::parse(trimmed).err().map(|e| {
            (
                lang.t("统一社会信用代码无效", "Invalid unified social credit code"),
                lang.pick(e.message_zh(), e.to_string()),
            )
        })
    } else if trimmed.bytes().all(|b| b.is_ascii_digit()) && matches!(trimmed.len(), 8 | 12 | 13 | 14) {
        Gtin::parse(trimmed)
            .err()
            .map(|e| (lang.t("商品条码 GTIN 无效", "Invalid GTIN"), lang.pick(e.message_zh(), e.to_string())))
    } else {
        None
    };
    let org_params = api::organizations_search_params(&q, params.cursor.clone());
    let organizations = match api::search_organizations(&state, &org_params).await {
        Ok(page) => page,
        Err(error) => return error_page(lang, &error),
    };
    let products = match api::search_products(&state, &api::products_search_params(&q)).await {
        Ok(page) => page,
        Err(error) => return error_page(lang, &error),
    };
    let body = html! {
        h1 { (lang.t("查询结果", "Search results")) }
        (search_box(lang, &q))
        @if let Some((title, reason)) = &code_error {
            div.error role="alert" { strong { (title) } p { (reason) } }
        }
        h2 { (lang.t("企业", "Organizations")) }
        @if organizations.items.is_empty() {
            p.muted { (lang.t("没有找到企业。", "No organization found.")) }
        } @else {
            (organization_table(lang, &organizations.items))
            @if let Some(next) = &organizations.next_cursor {
                p { a href=(with_lang(&format!("/?q={}&cursor={}", urlencode(&q), next), lang)) { (lang.t("下一页", "Next page")) } }
            }
        }
        h2 { (lang.t("产品", "Products")) }
        @if products.items.is_empty() {
            p.muted { (lang.t("没有找到产品。", "No product found.")) }
        } @else {
            table {
                thead { tr { th { "GTIN" } th { (lang.t("名称", "Name")) } th { (lang.t("品牌", "Brand")) } th { (lang.t("生产者", "Producer")) } } }
                tbody { @for p in &products.items { tr {
                    td { a href=(with_lang(&format!("/products/{}", p.gtin), lang)) { code { (p.gtin) } } }
                    td { (p.name) } td { (p.brand.as_deref().unwrap_or("")) }
                    td { a href=(with_lang(&format!("/organizations/{}", p.uscc), lang)) { code { (p.uscc) } } }
                } } }
            }
        }
    };
    page(lang, lang.t("查询结果", "Search results"), body).into_response()
}

fn organization_table(lang: Lang, items: &[OrganizationView]) -> Markup {
    html! {
        table {
            thead { tr {
                th { (lang.t("统一社会信用代码", "USCC")) } th { (lang.t("名称", "Name")) } th { (lang.t("所在地区", "Region")) }
            } }
            tbody { @for o in items { tr {
                td { a href=(with_lang(&format!("/organizations/{}", o.organization.uscc), lang)) { code { (o.organization.uscc) } } }
                td { (o.organization.name) }
                td { (place_name(&o.organization.region_code)) }
            } } }
        }
    }
}

async fn organization(
    State(state): State<AppState>,
    session: PageUser,
    Path(uscc): Path<String>,
    Query(params): Query<LangParam>,
) -> Response {
    let lang = params.lang;
    let uscc = match Uscc::parse(&uscc) {
        Ok(uscc) => uscc,
        Err(e) => {
            let message = format!(
                "{}：{}",
                lang.t("统一社会信用代码无效", "Invalid unified social credit code"),
                lang.pick(e.message_zh(), e.to_string())
            );
            return error_page(lang, &ApiError::new(ErrorCode::InvalidUscc, message));
        }
    };
    let found = match state.store.organization(&uscc).await {
        Ok(found) => found,
        Err(error) => return error_page(lang, &error.into()),
    };
    let Some(org) = found else {
        return error_page(
            lang,
            &ApiError::not_found(format!("{} {uscc}", lang.t("未登记的企业", "No organization registered as"))),
        );
    };
    let products = match state.store.products_of(&uscc, 100).await {
        Ok(products) => products,
        Err(error) => return error_page(lang, &error.into()),
    };
    let history = match sampling_pages::history(&state, lang, uscc.as_str()).await {
        Ok(history) => history,
        Err(error) => return error_page(lang, &error),
    };
    let recalls = match recall_pages::organization_recalls(&state, lang, uscc.as_str()).await {
        Ok(recalls) => recalls,
        Err(error) => return error_page(lang, &error),
    };
    let credit = match credit_pages::organization_record(&state, lang, &session, uscc.as_str()).await {
        Ok(credit) => credit,
        Err(error) => return error_page(lang, &error),
    };
    let view = OrganizationView::from(org);
    let o = &view.organization;
    let body = html! {
        h1 { (o.name) }
        table {
            tr { th { (lang.t("统一社会信用代码", "Unified social credit code")) } td { code { (o.uscc) } } }
            tr { th { (lang.t("组织机构代码", "Organization code")) } td { code { (uscc.org_code().printed()) } } }
            tr { th { (lang.t("所在地区", "Region")) } td { (place_name(&o.region_code)) " " span.muted { "(" (o.region_code) ")" } } }
            tr { th { (lang.t("住所", "Address")) } td { (o.address.as_deref().unwrap_or("—")) } }
            tr { th { (lang.t("法定代表人", "Legal representative")) } td { (o.legal_representative.as_deref().unwrap_or("—")) } }
            tr { th { (lang.t("主体类型", "Entity type")) } td { (o.entity_type.as_deref().unwrap_or("—")) } }
            tr { th { (lang.t("登记状态", "Status")) } td { (lang.pick(o.status.name_zh(), o.status.name_en())) } }
            tr { th { (lang.t("成立日期", "Registered on")) } td { (o.registered_on.as_deref().unwrap_or("—")) } }
            tr { th { (lang.t("更新时间", "Updated")) } td { (o.updated_at) } }
        }
        h2 { (lang.t("产品", "Products")) }
        @if products.is_empty() { p.muted { (lang.t("暂无登记产品。", "No products registered.")) } }
        @else {
            table {
                thead { tr { th { "GTIN" } th { (lang.t("名称", "Name")) } th { (lang.t("品牌", "Brand")) } th { (lang.t("规格", "Specification")) } } }
                tbody { @for p in &products { tr {
                    td { a href=(with_lang(&format!("/products/{}", p.gtin), lang)) { code { (p.gtin) } } }
                    td { (p.name) } td { (p.brand.as_deref().unwrap_or("")) } td { (p.specification.as_deref().unwrap_or("")) }
                } } }
            }
        }
        (credit)
        (history)
        (recalls)
        p.muted { "API: " a href=(format!("/api/v1/organizations/{}", o.uscc)) { code { "/api/v1/organizations/" (o.uscc) } } }
    };
    page(lang, &o.name, body).into_response()
}

async fn product(State(state): State<AppState>, Path(gtin): Path<String>, Query(params): Query<LangParam>) -> Response {
    let lang = params.lang;
    let gtin = match Gtin::parse(&gtin) {
        Ok(gtin) => gtin,
        Err(e) => {
            let message = format!(
                "{}：{}",
                lang.t("商品条码 GTIN 无效", "Invalid GTIN"),
                lang.pick(e.message_zh(), e.to_string())
            );
            return error_page(lang, &ApiError::new(ErrorCode::InvalidGtin, message));
        }
    };
    let found = match state.store.product(&gtin).await {
        Ok(found) => found,
        Err(error) => return error_page(lang, &error.into()),
    };
    let Some(found) = found else {
        return error_page(
            lang,
            &ApiError::not_found(format!("{} {gtin}", lang.t("未登记的产品", "No product registered as"))),
        );
    };
    let view = match api::product_view(&state, found).await {
        Ok(view) => view,
        Err(error) => return error_page(lang, &error),
    };
    let p = &view.product;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let category = p.category_code.as_deref().and_then(|c| catalogue.entry(c));
    let body = html! {
        h1 { (p.name) }
        table {
            tr { th { "GTIN" } td { code { (p.gtin) } } }
            tr { th { (lang.t("条码发放机构", "Issuing office")) } td { (gtin.issuing_office().unwrap_or("—")) } }
            tr { th { (lang.t("生产者", "Producer")) } td {
                a href=(with_lang(&format!("/organizations/{}", p.uscc), lang)) { (view.producer_name.as_deref().unwrap_or(&p.uscc)) }
                " " code.muted { (p.uscc) } } }
            tr { th { (lang.t("产品类别", "Category")) } td { @if let Some(entry) = category {
                a href=(with_lang(&format!("/catalogue/{}", entry.code), lang)) { (webkit::catalogue::entry_name(lang, entry)) }
                " " span.muted { "(" (entry.code) ")" }
                @for regime in catalogue.regimes(&entry.code) { " " span.tag { (lang.pick(regime.name_zh(), regime.name_en())) } }
            } @else { "—" } } }
            tr { th { (lang.t("品牌", "Brand")) } td { (p.brand.as_deref().unwrap_or("—")) } }
            tr { th { (lang.t("规格型号", "Specification")) } td { (p.specification.as_deref().unwrap_or("—")) } }
            tr { th { "GS1 Digital Link" } td { code { "https://id.gs1.org/01/" (p.gtin) } } }
        }
        p.muted { "API: " a href=(format!("/api/v1/products/{}", p.gtin)) { code { "/api/v1/products/" (p.gtin) } } }
    };
    page(lang, &p.name, body).into_response()
}

#[derive(Debug, Deserialize)]
struct CodeParams {
    #[serde(default)]
    lang: Lang,
    kind: Option<String>,
    value: Option<String>,
}

fn kind_label(lang: Lang, kind: CodeKind) -> &'static str {
    match kind {
        CodeKind::Uscc => lang.t("统一社会信用代码", "Unified social credit code"),
        CodeKind::OrgCode => lang.t("组织机构代码", "Organization code"),
        CodeKind::Gtin => lang.t("商品条码 GTIN", "GTIN"),
        CodeKind::Gln => lang.t("位置码 GLN", "GLN"),
        CodeKind::Sscc => lang.t("系列货运包装箱代码 SSCC", "SSCC"),
        CodeKind::Epc => lang.t("EPC URN 或 GS1 数字链接", "EPC URN or GS1 Digital Link"),
        CodeKind::Region => lang.t("行政区划代码", "Region code (GB/T 2260)"),
    }
}

/// The full place name of a region code, province first, each level once: 浙江省 杭州市 西湖区.
fn place_name(code: &str) -> String {
    let Ok(region) = codes::RegionCode::parse(code) else { return code.to_owned() };
    let mut names = vec![region.region().name.clone()];
    let mut current = region;
    while let Some(parent) = current.parent() {
        let name = &parent.region().name;
        if name != "市辖区" && !names.contains(name) {
            names.push(name.clone());
        }
        current = parent;
    }
    names.reverse();
    names.join(" ")
}

/// Page labels of the parts the code checker reports (their API names are the keys).
fn part_label(lang: Lang, name: &str) -> String {
    let (zh, en) = match name {
        "department" => ("登记管理部门代码", "Registration department"),
        "category" => ("机构类别代码", "Category"),
        "department_name" => ("登记管理部门", "Department"),
        "category_name" => ("机构类别", "Category name"),
        "region_code" => ("登记管理机关行政区划码", "Registering authority's region"),
        "region_name" => ("登记管理机关所在地", "Region name"),
        "province" => ("省级行政区", "Province"),
        "org_code" => ("组织机构代码", "Organization code"),
        "printed" => ("书写格式", "Printed form"),
        "format" => ("格式", "Format"),
        "gtin14" => ("14 位 GTIN", "GTIN-14"),
        "gtin" => ("GTIN", "GTIN"),
        "gs1_prefix" => ("GS1 前缀码", "GS1 prefix"),
        "issuing_office" => ("前缀分配机构", "Issuing office"),
        "company_prefix" => ("厂商识别代码", "Company prefix"),
        "extension_digit" => ("扩展位", "Extension digit"),
        "urn" => ("EPC URN", "EPC URN"),
        "digital_link" => ("GS1 数字链接", "GS1 Digital Link"),
        "name" => ("名称", "Name"),
        "level" => ("级别", "Level"),
        "in_use" => ("现行有效", "In use"),
        "parent" => ("上级区划", "Parent"),
        "introduced" => ("启用年份", "Introduced"),
        "retired" => ("变更或弃用年份", "Changed or retired"),
        "successors" => ("新代码", "Successor codes"),
        other => (other, other),
    };
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

async fn code_checker(Query(params): Query<CodeParams>) -> Response {
    let lang = params.lang;
    let kind = params.kind.as_deref().and_then(CodeKind::from_name).unwrap_or(CodeKind::Uscc);
    let value = params.value.unwrap_or_default();
    let result = (!value.trim().is_empty()).then(|| inspect(kind, &value));
    let body = html! {
        h1 { (lang.t("代码校验", "Code checker")) }
        form.search action="/codes" method="get" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            select name="kind" aria-label=(lang.t("代码类型", "Kind")) {
                @for k in CodeKind::ALL { option value=(k.name()) selected[k == kind] { (kind_label(lang, k)) } }
            }
            input type="text" name="value" value=(value) aria-label=(lang.t("代码", "Code")) autofocus;
            button type="submit" { (lang.t("校验", "Check")) }
        }
        @if let Some(result) = &result {
            @if let Some(error) = &result.error {
                div.error role="alert" {
                    strong { (lang.t("无效", "Invalid")) ": " (kind_label(lang, kind)) }
                    p { (lang.pick(error.message_zh.clone(), error.message.clone())) } p.muted { code { (error.code) } }
                }
            } @else {
                div.valid {
                    strong { (lang.t("有效", "Valid")) ": " } code { (result.normalized.as_deref().unwrap_or("")) }
                }
                @for warning in &result.warnings {
                    div.warning { (lang.t("提示", "Note")) ": " (lang.pick(warning.message_zh.clone(), warning.message.clone())) }
                }
                table { @for (name, part) in &result.parts { tr { th { (part_label(lang, name)) } td { (part) } } } }
                @if kind == CodeKind::Uscc {
                    p { a href=(with_lang(&format!("/organizations/{}", result.normalized.as_deref().unwrap_or("")), lang)) {
                        (lang.t("查看企业信息", "Open the organization page")) } }
                }
            }
            p.muted { "API: " code { "/api/v1/codes/" (kind.name()) "/" (value.trim()) } }
        }
    };
    page(lang, lang.t("代码校验", "Code checker"), body).into_response()
}

async fn api_docs(Query(params): Query<LangParam>) -> Response {
    let lang = params.lang;
    let doc = crate::openapi::document();
    let paths = doc["paths"].as_object().cloned().unwrap_or_default();
    let body = html! {
        h1 { (lang.t("接口文档", "API documentation")) }
        p { (lang.t("机器可读的 OpenAPI 文档：", "Machine-readable OpenAPI document: ")) a href="/api/v1/openapi.json" { code { "/api/v1/openapi.json" } } }
        p.muted { (lang.t("写操作需要 Authorization: Bearer 令牌（zhiliang user add 生成）。错误统一为 {code, message}。",
                          "Writes need an Authorization: Bearer token (from zhiliang user add). Every error is {code, message}.")) }
        table {
            thead { tr { th { (lang.t("方法", "Method")) } th { (lang.t("路径", "Path")) } th { (lang.t("说明", "Summary")) } } }
            tbody {
                @for (path, ops) in &paths {
                    @for (method, op) in ops.as_object().into_iter().flatten() {
                        tr { td { code { (method.to_uppercase()) } } td { code { (path) } } td { (op["summary"].as_str().unwrap_or("")) } }
                    }
                }
            }
        }
    };
    (StatusCode::OK, page(lang, lang.t("接口文档", "API documentation"), body)).into_response()
}
