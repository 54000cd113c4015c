//! Page forms for one row of the register imports: a regulator registers special equipment, an inspection body
//! records an inspection, an owner or the regulator files an instrument, a metrology institute records a
//! verification. Each form posts the same fields as the import's CSV columns and goes through the same service
//! call as a one-row JSON batch, so a page and a file are checked alike. A rejected row shows the form again with
//! what was typed and the reason beside its field.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use service::batch::{Format, Rejected};
use service::equipment::BatchReceipt;
use webkit::i18n::Lang;
use webkit::layout::{error_page, page, urlencode, with_lang};
use webkit::session::PageUser;
use webkit::{ApiError, AppState};

/// How a field is asked for.
pub(crate) enum Ask {
    Text {
        max: u32,
        example: &'static str,
    },
    Date,
    /// Codes with their Chinese and English names.
    Choice(fn() -> Vec<(String, String, String)>),
}

/// One field of a row form: the import column it fills, its label and whether the row needs it.
pub(crate) struct Field {
    pub column: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub ask: Ask,
    pub required: bool,
}

const fn text(column: &'static str, zh: &'static str, en: &'static str, max: u32, example: &'static str) -> Field {
    Field { column, zh, en, ask: Ask::Text { max, example }, required: true }
}

const fn date(column: &'static str, zh: &'static str, en: &'static str) -> Field {
    Field { column, zh, en, ask: Ask::Date, required: true }
}

const fn optional(field: Field) -> Field {
    Field { required: false, ..field }
}

fn kinds() -> Vec<(String, String, String)> {
    let mut all: Vec<_> =
        metrology::Kinds::shipped().all().map(|k| (k.code.clone(), k.name_zh.clone(), k.name_en.clone())).collect();
    all.sort();
    all
}

fn uses() -> Vec<(String, String, String)> {
    metrology::Use::ALL.iter().map(|u| (u.as_str().into(), u.name_zh().into(), u.name_en().into())).collect()
}

fn inspection_verdicts() -> Vec<(String, String, String)> {
    equipment::Verdict::ALL.iter().map(|v| (v.as_str().into(), v.name_zh().into(), v.name_en().into())).collect()
}

fn verification_verdicts() -> Vec<(String, String, String)> {
    metrology::Verdict::ALL.iter().map(|v| (v.as_str().into(), v.name_zh().into(), v.name_en().into())).collect()
}

pub(crate) const EQUIPMENT: &[Field] = &[
    text("code", "设备代码（18 位）", "Equipment code (18 characters)", 18, "311033010202000123"),
    text("user_uscc", "使用单位统一社会信用代码", "User's USCC", 18, ""),
    text("registration_number", "使用登记证编号", "Registration certificate number", 40, "梯11浙A00001(26)"),
    text("region_code", "所在地行政区划代码", "Region code (GB/T 2260)", 6, "330106"),
    text("location", "设备所在地点", "Where it stands", 200, ""),
    date("in_service_on", "投入使用日期", "In service since"),
    date("registered_on", "登记日期", "Registered on"),
    optional(date(
        "next_inspection_due",
        "下次检验日期（最近一次检验报告所载）",
        "Next inspection due (on the last report)",
    )),
];

pub(crate) const INSPECTION: &[Field] = &[
    date("inspected_on", "检验日期", "Inspected on"),
    text("report_number", "检验报告编号", "Report number", 40, ""),
    Field {
        column: "verdict", zh: "检验结论", en: "Verdict", ask: Ask::Choice(inspection_verdicts), required: true
    },
    optional(date("next_due_on", "下次检验日期（报告所载）", "Next due (on the report)")),
];

pub(crate) const INSTRUMENT: &[Field] = &[
    text("owner_uscc", "使用单位统一社会信用代码", "Owner's USCC", 18, ""),
    text("serial_number", "出厂编号", "Serial number", 40, ""),
    Field { column: "kind", zh: "器具种类", en: "Kind", ask: Ask::Choice(kinds), required: true },
    Field { column: "use", zh: "用途", en: "Used for", ask: Ask::Choice(uses), required: true },
    text("region_code", "所在地行政区划代码", "Region code (GB/T 2260)", 6, "330106"),
    text("location", "使用地点", "Where it is used", 200, ""),
    date("registered_on", "备案日期", "Filed on"),
    date("next_verification_due", "检定有效期至（最近一次检定证书所载）", "Verification due (on the last certificate)"),
];

pub(crate) const VERIFICATION: &[Field] = &[
    date("verified_on", "检定日期", "Verified on"),
    text("certificate_number", "检定证书或检定结果通知书编号", "Certificate or notice number", 40, ""),
    Field {
        column: "verdict", zh: "检定结论", en: "Verdict", ask: Ask::Choice(verification_verdicts), required: true
    },
    optional(date("next_due_on", "检定有效期至（证书所载）", "Due (on the certificate)")),
];

/// What a form was filled with, and the reason a field was refused.
#[derive(Default)]
pub(crate) struct Filled {
    pub values: BTreeMap<String, String>,
    pub error: Option<(String, String)>,
}

/// A row form posting to `action`; `fixed` are the columns the page already knows (sent hidden).
pub(crate) fn row_form(
    lang: Lang,
    session: &PageUser,
    action: &str,
    fields: &[Field],
    fixed: &[(&str, &str)],
    filled: &Filled,
    submit: (&str, &str),
) -> Markup {
    let value = |column: &str| filled.values.get(column).cloned().unwrap_or_default();
    let fault = |column: &str| filled.error.as_ref().filter(|(field, _)| field == column).map(|(_, m)| m.clone());
    html! {
        form.record action=(action) method="post" {
            (session.field())
            @if lang == Lang::En { input type="hidden" name="lang" value="en"; }
            @for (column, value) in fixed { input type="hidden" name=(column) value=(value); }
            @if let Some((field, message)) = &filled.error {
                @if !fields.iter().any(|f| f.column == field) { p.error { (message) } }
            }
            @for f in fields {
                label {
                    span { (lang.pick(f.zh, f.en)) @if f.required { " " abbr.required title=(lang.t("必填", "required")) { "*" } } }
                    @match &f.ask {
                        Ask::Text { max, example } => {
                            input type="text" name=(f.column) maxlength=(max) placeholder=(example) value=(value(f.column)) required[f.required];
                        }
                        Ask::Date => { input type="date" name=(f.column) value=(value(f.column)) required[f.required]; }
                        Ask::Choice(options) => {
                            select name=(f.column) required[f.required] {
                                option value="" { "—" }
                                @for (code, zh, en) in options() {
                                    option value=(code) selected[value(f.column) == code] { (lang.pick(&zh, &en)) " (" (code) ")" }
                                }
                            }
                        }
                    }
                    @if let Some(message) = fault(f.column) { span.error { (message) } }
                }
            }
            button type="submit" { (lang.pick(submit.0, submit.1)) }
        }
    }
}

/// A form as posted: the language, the token and the row's fields.
#[derive(Debug, serde::Deserialize)]
pub struct Posted {
    #[serde(default)]
    lang: Lang,
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    fields: BTreeMap<String, String>,
}

/// The one-row JSON batch `{list: [{column: value}]}` of the posted fields: empty ones left out, as an empty CSV
/// cell is.
fn one_row(list: &str, fields: &[Field], fixed: &[(&str, &str)], posted: &BTreeMap<String, String>) -> String {
    let mut row = serde_json::Map::new();
    for column in fields.iter().map(|f| f.column).chain(fixed.iter().map(|(c, _)| *c)) {
        let value = fixed
            .iter()
            .find(|(c, _)| *c == column)
            .map(|(_, v)| (*v).to_owned())
            .or_else(|| posted.get(column).cloned());
        if let Some(value) = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()) {
            row.insert(column.to_owned(), value.into());
        }
    }
    serde_json::json!({ list: [row] }).to_string()
}

/// How one posted row goes: its page, the list and fields it fills, and where a stored row leads.
pub(crate) struct RowPost<'a> {
    pub title: (&'a str, &'a str),
    pub list: &'a str,
    pub fields: &'a [Field],
    pub fixed: &'a [(&'a str, &'a str)],
    pub action: String,
    pub submit: (&'a str, &'a str),
}

/// Stores one posted row through `store`; a stored row leads to `done`, a refused one back to its form.
async fn submit<F, Fut>(session: PageUser, posted: Posted, post: RowPost<'_>, done: String, store: F) -> Response
where
    F: FnOnce(store::User, String) -> Fut,
    Fut: std::future::Future<Output = Result<Result<BatchReceipt, Rejected>, ApiError>>,
{
    let lang = posted.lang;
    let user = match session.authorise(&posted.csrf) {
        Ok(user) => user.clone(),
        Err(error) => return error_page(lang, &error),
    };
    let text = one_row(post.list, post.fields, post.fixed, &posted.fields);
    let refused = match store(user, text).await {
        Ok(Ok(_)) => return Redirect::to(&with_lang(&done, lang)).into_response(),
        Ok(Err(rejected)) => rejected.rows.into_iter().next().map(|r| (r.field, r.message)),
        Err(error) if error.status() == StatusCode::FORBIDDEN || error.status() == StatusCode::UNAUTHORIZED => {
            return error_page(lang, &error)
        }
        Err(error) => Some((String::new(), error.message)),
    };
    let filled = Filled { values: posted.fields, error: refused };
    let title = lang.pick(post.title.0, post.title.1);
    let body = html! {
        h1 { (title) }
        (row_form(lang, &session, &post.action, post.fields, post.fixed, &filled, post.submit))
    };
    (StatusCode::UNPROCESSABLE_ENTITY, page(lang, title, body)).into_response()
}

pub(crate) const REGISTER: (&str, &str) = ("登记特种设备", "Register special equipment");
pub(crate) const INSPECT: (&str, &str) = ("录入定期检验结果", "Record a periodic inspection");
pub(crate) const FILE: (&str, &str) = ("备案强制检定计量器具", "File an instrument under compulsory verification");
pub(crate) const VERIFY: (&str, &str) = ("录入检定结果", "Record a verification");

/// `POST /equipment`: the regulator registers one item.
pub async fn register_equipment(
    State(state): State<AppState>,
    session: PageUser,
    Form(posted): Form<Posted>,
) -> Response {
    let code = posted.fields.get("code").map(|c| c.trim().to_owned()).unwrap_or_default();
    let post = RowPost {
        title: REGISTER,
        list: "equipment",
        fields: EQUIPMENT,
        fixed: &[],
        action: "/equipment".into(),
        submit: REGISTER,
    };
    submit(session, posted, post, format!("/equipment/{}", urlencode(&code)), |user, text| async move {
        service::equipment::register_equipment(&state, &user, Format::Json, &text).await
    })
    .await
}

/// `POST /equipment/{code}/inspections`: an inspection body records one inspection.
pub async fn record_inspection(
    State(state): State<AppState>,
    session: PageUser,
    Path(code): Path<String>,
    Form(posted): Form<Posted>,
) -> Response {
    let fixed = [("equipment_code", code.as_str())];
    let action = format!("/equipment/{}/inspections", urlencode(&code));
    let post =
        RowPost { title: INSPECT, list: "inspections", fields: INSPECTION, fixed: &fixed, action, submit: INSPECT };
    submit(session, posted, post, format!("/equipment/{}", urlencode(&code)), |user, text| async move {
        service::equipment::record_inspections(&state, &user, Format::Json, &text).await
    })
    .await
}

/// `POST /instruments`: an owner or the regulator files one instrument.
pub async fn file_instrument(State(state): State<AppState>, session: PageUser, Form(posted): Form<Posted>) -> Response {
    let field = |name: &str| posted.fields.get(name).map(|v| v.trim().to_owned()).unwrap_or_default();
    let done = format!("/instruments/{}/{}", urlencode(&field("owner_uscc")), urlencode(&field("serial_number")));
    let post = RowPost {
        title: FILE,
        list: "instruments",
        fields: INSTRUMENT,
        fixed: &[],
        action: "/instruments".into(),
        submit: FILE,
    };
    submit(session, posted, post, done, |user, text| async move {
        service::equipment::file_instruments(&state, &user, Format::Json, &text).await
    })
    .await
}

/// `POST /instruments/{owner}/{serial}/verifications`: a metrology institute records one verification.
pub async fn record_verification(
    State(state): State<AppState>,
    session: PageUser,
    Path((owner, serial)): Path<(String, String)>,
    Form(posted): Form<Posted>,
) -> Response {
    let fixed = [("owner_uscc", owner.as_str()), ("serial_number", serial.as_str())];
    let page_path = format!("/instruments/{}/{}", urlencode(&owner), urlencode(&serial));
    let action = format!("{page_path}/verifications");
    let post =
        RowPost { title: VERIFY, list: "verifications", fields: VERIFICATION, fixed: &fixed, action, submit: VERIFY };
    submit(session, posted, post, page_path, |user, text| async move {
        service::equipment::record_verifications(&state, &user, Format::Json, &text).await
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every form field is a column of its import, and every required column of the import has a field or is
    /// fixed by the page.
    #[test]
    fn each_form_fills_its_import_columns() {
        for (fields, columns, fixed) in [
            (EQUIPMENT, service::equipment::EQUIPMENT_COLUMNS, &[][..]),
            (INSPECTION, service::equipment::INSPECTION_COLUMNS, &["equipment_code"][..]),
            (INSTRUMENT, service::equipment::INSTRUMENT_COLUMNS, &[][..]),
            (VERIFICATION, service::equipment::VERIFICATION_COLUMNS, &["owner_uscc", "serial_number"][..]),
        ] {
            for f in fields {
                assert!(columns.contains(&f.column), "{} is not an import column", f.column);
            }
            for column in columns.iter() {
                assert!(fields.iter().any(|f| f.column == *column) || fixed.contains(column), "{column} has no field");
            }
        }
    }

    #[test]
    fn a_posted_row_is_a_one_row_batch_without_empty_fields() {
        let posted: BTreeMap<String, String> = [
            ("inspected_on", "2026-11-30"),
            ("report_number", " R-1 "),
            ("next_due_on", ""),
            ("equipment_code", "forged"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let text = one_row("inspections", INSPECTION, &[("equipment_code", "311033010202000123")], &posted);
        let batch: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            batch,
            serde_json::json!({"inspections": [{"inspected_on": "2026-11-30", "report_number": "R-1",
                "equipment_code": "311033010202000123"}]})
        );
    }
}
