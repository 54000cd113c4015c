//! The page frame: header with navigation and language switch, footer.

use maud::{html, Markup, DOCTYPE};

use crate::i18n::Lang;

/// Adds the language to a local link.
pub(crate) fn with_lang(path: &str, lang: Lang) -> String {
    match (lang.query(), path.contains('?')) {
        ("", _) => path.to_owned(),
        (query, true) => format!("{path}&{query}"),
        (query, false) => format!("{path}?{query}"),
    }
}

/// A whole page.
pub(crate) fn page(lang: Lang, title: &str, body: Markup) -> Markup {
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
