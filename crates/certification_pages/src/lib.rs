//! Certification pages (认证证书查询): anyone verifies a certificate by its number, its holder's USCC or a GTIN it
//! covers — no account, no captcha — and each certificate's page shows where it stands today, its history, the
//! signed statement to keep, and a QR code that resolves to this live page.

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use certification::Status;
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use service::certification::{CertificateView, LookupQuery};
use webkit::catalogue::category_name;
use webkit::i18n::Lang;
use webkit::layout::{error_page, page, urlencode, with_lang};
use webkit::{ApiError, AppState};

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/certificates", get(search))
        .route("/certificates/{number}", get(certificate))
        .route("/certificates/{number}/qr.svg", get(qr_svg))
}

#[derive(Debug, Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    lang: Lang,
    number: Option<String>,
    holder: Option<String>,
    gtin: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn status_label(lang: Lang, status: Status) -> Markup {
    let class = match status {
        Status::Valid => "tag",
        _ => "tag flagged",
    };
    html! { span class=(class) { (lang.pick(status.name_zh(), status.name_en())) } }
}

fn certificate_link(lang: Lang, number: &str) -> String {
    with_lang(&format!("/certificates/{}", urlencode(number)), lang)
}

fn results(lang: Lang, found: &[CertificateView]) -> Markup {
    html! {
        table {
            thead { tr {
                th { (lang.t("证书编号", "Number")) } th { (lang.t("产品", "Product")) } th { (lang.t("持证人", "Holder")) }
                th { (lang.t("认证机构", "Body")) } th { (lang.t("有效期至", "Expires")) } th { (lang.t("状态", "Status")) }
            } }
            tbody { @for c in found { tr {
                td { a href=(certificate_link(lang, &c.number)) { code { (c.number) } } }
                td { (c.product_name) }
                td { code { (c.holder_uscc) } }
                td { (c.body_name.as_deref().unwrap_or(&c.body)) }
                td { (c.expires_on) }
                td { (status_label(lang, c.standing)) }
            } } }
        }
    }
}

/// `GET /certificates`: the verification form and what it found.
pub async fn search(State(state): State<AppState>, Query(params): Query<SearchParams>) -> Response {
    let lang = params.lang;
    if let Some(number) = given(&params.number) {
        return axum::response::Redirect::to(&certificate_link(lang, number)).into_response();
    }
    let query = LookupQuery {
        holder: given(&params.holder).map(str::to_owned),
        gtin: given(&params.gtin).map(str::to_owned),
        after: None,
    };
    let searched = query.holder.is_some() || query.gtin.is_some();
    let found = match searched {
        true => match service::certification::lookup(&state, query).await {
            Ok(found) => Some(found.certificates),
            Err(error) => return error_page(lang, &error),
        },
        false => None,
    };
    let title = lang.t("认证证书查询", "Verify a certificate");
    let body = html! {
        h1 { (title) }
        p { (lang.t("按证书编号、持证人统一社会信用代码或商品条码查询强制性产品认证（CCC）和自愿性认证证书的当前状态。无需登录，无验证码；也可通过接口批量查询。",
                    "Look up a CCC or voluntary certificate's current status by its number, the holder's unified social credit code or a GTIN it covers. No account, no captcha; the API does the same in bulk.")) }
        form.search action="/certificates" method="get" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            label { (lang.t("证书编号", "Certificate number")) input type="text" name="number" maxlength="40" placeholder="2024010601000123"; }
            button type="submit" { (lang.t("查询", "Verify")) }
        }
        form.search action="/certificates" method="get" {
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            label { (lang.t("持证人统一社会信用代码", "Holder's USCC")) input type="text" name="holder" maxlength="18" value=(given(&params.holder).unwrap_or_default()); }
            label { (lang.t("或商品条码 GTIN", "or a GTIN")) input type="text" name="gtin" maxlength="14" value=(given(&params.gtin).unwrap_or_default()); }
            button type="submit" { (lang.t("查询", "Search")) }
        }
        @if let Some(found) = &found {
            @if found.is_empty() {
                p.warning { (lang.t("本平台没有登记符合条件的证书。未登记不等于假证：认证机构可能尚未上传，请向发证机构核实。",
                                    "No certificate registered here matches. Not registered is not proof of a fake: the body may not have uploaded it yet; ask the issuing body.")) }
            } @else { (results(lang, found)) }
        }
        p.muted { "API: " code { "/api/v1/certificates/{number}?statement=true" } " · " code { "/api/v1/certificates?gtin=…" } " · " code { "/api/v1/certificates/changes" } }
    };
    page(lang, title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct LangParam {
    #[serde(default)]
    lang: Lang,
}

/// This page's absolute address, from the request's host, for the QR code.
fn page_url(headers: &HeaderMap, number: &str) -> String {
    let host = headers.get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let scheme = match headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()) {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}/certificates/{}", urlencode(number))
}

fn qr(url: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| ApiError::invalid(format!("no QR code for this address: {e}")))?;
    Ok(code.render::<qrcode::render::svg::Color>().min_dimensions(160, 160).quiet_zone(true).build())
}

/// `GET /certificates/{number}/qr.svg`: the QR code of the certificate's live page.
pub async fn qr_svg(headers: HeaderMap, Path(number): Path<String>) -> Response {
    match qr(&page_url(&headers, &number)) {
        Ok(svg) => ([(CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
        Err(error) => error.into_response(),
    }
}

/// `GET /certificates/{number}`: the certificate as it stands today, its history and its QR code.
pub async fn certificate(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(number): Path<String>,
    Query(params): Query<LangParam>,
) -> Response {
    let lang = params.lang;
    let found = match service::certification::verify(&state, &number, false).await {
        Ok(found) => found,
        Err(error) => return error_page(lang, &error),
    };
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let svg = match qr(&page_url(&headers, &number)) {
        Ok(svg) => svg,
        Err(error) => return error_page(lang, &error),
    };
    let c = &found.certificate;
    let api = format!("/api/v1/certificates/{}", urlencode(&c.number));
    let body = html! {
        h1 { (lang.t("证书 ", "Certificate ")) code { (c.number) } }
        @if c.standing != Status::Valid {
            p.warning { (lang.t("此证书目前不是有效状态：", "This certificate is not valid now: ")) (status_label(lang, c.standing)) }
        }
        div.qr style="float:right;margin-left:1rem" title=(lang.t("扫码查看此证书的实时状态", "Scan for this certificate's live status")) { (PreEscaped(svg.find("<svg").map_or("", |start| &svg[start..]))) }
        dl {
            dt { (lang.t("状态", "Status")) } dd { (status_label(lang, c.standing)) " " span.muted { (lang.pick(c.reason.name_zh(), c.reason.name_en())) " · " (c.status_on) } }
            dt { (lang.t("认证类型", "Scheme")) } dd { (lang.pick(c.scheme.name_zh(), c.scheme.name_en())) @if c.legacy_number { " " span.muted { (lang.t("（旧版编号）", "(earlier numbering)")) } } }
            dt { (lang.t("认证机构", "Certification body")) } dd { (c.body_name.as_deref().unwrap_or(&c.body)) " " span.muted { (c.body) } }
            dt { (lang.t("持证人", "Holder")) } dd { a href=(with_lang(&format!("/organizations/{}", c.holder_uscc), lang)) { code { (c.holder_uscc) } } }
            @if let Some(m) = &c.manufacturer_uscc { dt { (lang.t("制造商", "Manufacturer")) } dd { code { (m) } } }
            @if let Some(f) = &c.factory_uscc { dt { (lang.t("生产厂", "Factory")) } dd { code { (f) } } }
            dt { (lang.t("产品", "Product")) } dd { (c.product_name)
                @if let Some(class) = &c.product_class { " · " a href=(with_lang(&format!("/catalogue/{class}"), lang)) { (category_name(&catalogue, lang, class)) } } }
            @if !c.models.is_empty() { dt { (lang.t("型号", "Models")) } dd { (c.models.join("、")) } }
            @if !c.gtins.is_empty() { dt { (lang.t("商品条码", "GTINs")) } dd { @for g in &c.gtins { code { (g) } " " } } }
            @if !c.standards.is_empty() { dt { (lang.t("认证依据标准", "Standards")) } dd { @for s in &c.standards { a href=(with_lang(&format!("/standards/{}", urlencode(s)), lang)) { (s) } " " } } }
            dt { (lang.t("发证日期", "Issued")) } dd { (c.issued_on) }
            dt { (lang.t("有效期至", "Expires")) } dd { (c.expires_on) }
        }
        h2 { (lang.t("状态变更记录", "Status history")) }
        table {
            thead { tr { th { (lang.t("日期", "Date")) } th { (lang.t("状态", "Status")) } th { (lang.t("原因", "Reason")) } th { (lang.t("说明", "Note")) } th { (lang.t("公开记录", "Public log")) } } }
            tbody { @for h in &found.history { tr {
                td { (h.on_date) }
                td { (webkit::layout::named::<Status>(lang, &h.to_status)) }
                td { (webkit::layout::named::<certification::Reason>(lang, &h.reason)) }
                td { (h.note.as_deref().unwrap_or("")) }
                td { a href=(format!("/api/v1/log/entries?start={}&end={}", h.log_index, h.log_index + 1)) { "#" (h.log_index) } }
            } } }
        }
        p { (lang.t("签名状态声明（可离线核验：公开记录条目、包含证明和签名检查点）：", "Signed status statement (checkable offline: the log entry, its inclusion proof and a signed checkpoint): "))
            a href=(format!("{api}?statement=true")) { code { (api) "?statement=true" } } }
        p.muted { (lang.t("二维码：", "QR code: ")) a href=(format!("/certificates/{}/qr.svg", urlencode(&c.number))) { "qr.svg" } }
    };
    page(lang, &c.number, body).into_response()
}
