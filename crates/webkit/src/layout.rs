//! The page frame: header with navigation and language switch, footer.

use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

use crate::i18n::Lang;
use crate::ApiError;

/// Adds the language to a local link.
pub fn with_lang(path: &str, lang: Lang) -> String {
    match (lang.query(), path.contains('?')) {
        ("", _) => path.to_owned(),
        (query, true) => format!("{path}&{query}"),
        (query, false) => format!("{path}?{query}"),
    }
}

/// A whole page.
pub fn page(lang: Lang, title: &str, body: Markup) -> Markup {
    let (other, other_label) = match lang {
        Lang::Zh => ("?lang=en", "English"),
        Lang::En => ("?lang=zh", "简体中文"),
    };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (lang.t("质量 zhiliang", "zhiliang")) }
                link rel="stylesheet" href="/assets/style.css";
            }
            body {
                header {
                    a.brand href=(with_lang("/", lang)) { (lang.t("质量 · 全国产品质量监督信息平台", "zhiliang · National Product Quality Supervision")) }
                    nav {
                        a href=(with_lang("/", lang)) { (lang.t("查询", "Search")) }
                        a href=(with_lang("/inspections", lang)) { (lang.t("抽查合格率", "Pass rates")) }
                        a href=(with_lang("/campaigns", lang)) { (lang.t("抽查任务", "Campaigns")) }
                        a href=(with_lang("/recalls", lang)) { (lang.t("召回", "Recalls")) }
                        a href=(with_lang("/complaints", lang)) { (lang.t("投诉举报", "Complaints")) }
                        a href=(with_lang("/credit", lang)) { (lang.t("失信名单", "Credit lists")) }
                        a href=(with_lang("/warnings", lang)) { (lang.t("风险警示", "Warnings")) }
                        a href=(with_lang("/injuries", lang)) { (lang.t("伤害监测", "Injuries")) }
                        a href=(with_lang("/trace", lang)) { (lang.t("追溯", "Trace")) }
                        a href=(with_lang("/certificates", lang)) { (lang.t("证书查询", "Certificates")) }
                        a href=(with_lang("/licences", lang)) { (lang.t("生产许可", "Licences")) }
                        a href=(with_lang("/equipment", lang)) { (lang.t("特种设备", "Equipment")) }
                        a href=(with_lang("/instruments", lang)) { (lang.t("计量器具", "Instruments")) }
                        a href=(with_lang("/labs", lang)) { (lang.t("检测机构", "Labs")) }
                        a href=(with_lang("/catalogue", lang)) { (lang.t("产品目录", "Catalogue")) }
                        a href=(with_lang("/standards", lang)) { (lang.t("标准", "Standards")) }
                        a href=(with_lang("/codes", lang)) { (lang.t("代码校验", "Code checker")) }
                        a href=(with_lang("/api/docs", lang)) { (lang.t("接口", "API")) }
                        a href=(with_lang("/login", lang)) { (lang.t("登录", "Sign in")) }
                    }
                    a href=(other) lang=(match lang { Lang::Zh => "en", Lang::En => "zh-CN" }) { (other_label) }
                }
                main { (body) }
                footer { (lang.t("数据标识：统一社会信用代码（GB 32100）、GS1 编码、行政区划代码（GB/T 2260）。",
                                 "Identifiers: unified social credit code (GB 32100), GS1 keys, GB/T 2260 region codes.")) }
            }
        }
    }
}

/// The page's name of a stored vocabulary value; a text the vocabulary does not know shows as itself.
pub fn named<T: rulekit::Named>(lang: Lang, text: &str) -> String {
    match text.parse::<T>() {
        Ok(value) => lang.pick(value.name_zh(), value.name_en()).to_owned(),
        Err(_) if text.is_empty() => "—".to_owned(),
        Err(_) => text.to_owned(),
    }
}

/// An error page with the status of the API error.
pub fn error_page(lang: Lang, error: &ApiError) -> Response {
    let title = lang.t("出错了", "Something is wrong");
    let body = html! {
        h1 { (title) }
        div.error { p { (error.message) } p.muted { code { (error.code) } } }
        p { a href=(with_lang("/", lang)) { (lang.t("返回首页", "Back to the home page")) } }
    };
    (error.status(), page(lang, title, body)).into_response()
}

pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// A UTC timestamp as China Standard Time, to the minute.
pub fn china_time(utc: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(utc)
        .map(|t| (t.with_timezone(&chrono::Utc) + chrono::Duration::hours(8)).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| utc.to_owned())
}

/// A short label for a canonical link: its GS1 element string, e.g. `(01)06979000030034(21)7`.
pub fn element_string(id: &str) -> String {
    match id.strip_prefix("https://id.gs1.org/") {
        Some(path) => {
            let parts: Vec<&str> = path.split('/').collect();
            parts.chunks(2).map(|pair| format!("({}){}", pair[0], pair.get(1).unwrap_or(&""))).collect()
        }
        None => id.to_owned(),
    }
}
