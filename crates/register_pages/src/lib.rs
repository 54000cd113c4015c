//! Register pages: production licences (生产许可证查询), special equipment (特种设备) with the regulator's queue of
//! inspections due, instruments under compulsory verification (强制检定计量器具) with the verification queue, and
//! the lab finder (检验检测机构查询) with each lab's scope by standard edition and its measurement standards.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};
use rulekit::due::DueStanding;
use serde::Deserialize;
use service::equipment::{EquipmentView, InstrumentView, QueueQuery};
use service::labs::LabQuery;
use webkit::catalogue::category_name;
use webkit::i18n::Lang;
use webkit::layout::{error_page, named, page, urlencode, with_lang};
use webkit::session::PageUser;
use webkit::{ApiError, AppState};

mod forms;

/// The routes of these pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/licences", get(licences))
        .route("/licences/{number}", get(licence))
        .route("/equipment", get(equipment_search).post(forms::register_equipment))
        .route("/equipment/{code}", get(equipment))
        .route("/equipment/{code}/inspections", post(forms::record_inspection))
        .route("/instruments", get(instrument_search).post(forms::file_instrument))
        .route("/instruments/{owner}/{serial}", get(instrument))
        .route("/instruments/{owner}/{serial}/verifications", post(forms::record_verification))
        .route("/labs", get(lab_search))
        .route("/labs/{uscc}", get(lab))
}

#[derive(Debug, Deserialize)]
pub struct Params {
    #[serde(default)]
    lang: Lang,
    /// A number or code to go to.
    number: Option<String>,
    /// A holder's, user's or owner's USCC.
    uscc: Option<String>,
    region: Option<String>,
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Runs a lookup the page makes only when asked for.
async fn when<T>(
    lookup: Option<impl std::future::Future<Output = Result<T, ApiError>>>,
) -> Result<Option<T>, ApiError> {
    match lookup {
        Some(lookup) => lookup.await.map(Some),
        None => Ok(None),
    }
}

/// The signed-in regulator (or administrator) a page shows a due queue to.
fn regulator(session: &PageUser) -> Option<&store::User> {
    session.user.as_ref().filter(|u| matches!(u.role, store::Role::Admin | store::Role::Regulator))
}

/// A signed-in account of one of `roles`.
fn signed_in_as<'a>(session: &'a PageUser, roles: &[store::Role]) -> Option<&'a store::User> {
    session.user.as_ref().filter(|u| roles.contains(&u.role))
}

/// A register form under its heading, for the accounts that may use it.
fn form_section(
    lang: Lang,
    session: &PageUser,
    roles: &[store::Role],
    (title, action): ((&str, &str), &str),
    fields: &[forms::Field],
    fixed: &[(&str, &str)],
) -> Markup {
    match signed_in_as(session, roles) {
        Some(_) => html! {
            h2 { (lang.pick(title.0, title.1)) }
            (forms::row_form(lang, session, action, fields, fixed, &forms::Filled::default(), title))
        },
        None => html! {},
    }
}

fn hidden_lang(lang: Lang) -> Markup {
    html! { @if lang == Lang::En { input type="hidden" name="lang" value="en"; } }
}

fn standing_tag(lang: Lang, standing: DueStanding) -> Markup {
    let class = match standing {
        DueStanding::Current => "tag",
        _ => "tag flagged",
    };
    html! { span class=(class) { (lang.pick(standing.name_zh(), standing.name_en())) } }
}

fn org_link(lang: Lang, uscc: &str) -> Markup {
    html! { a href=(with_lang(&format!("/organizations/{uscc}"), lang)) { code { (uscc) } } }
}

/// `GET /licences`: a licence by number, or a holder's licences.
pub async fn licences(State(state): State<AppState>, Query(params): Query<Params>) -> Response {
    let lang = params.lang;
    if let Some(number) = given(&params.number) {
        return Redirect::to(&with_lang(&format!("/licences/{}", urlencode(number)), lang)).into_response();
    }
    let found = match when(given(&params.uscc).map(|uscc| service::licensing::of_holder(&state.store, uscc))).await {
        Ok(found) => found,
        Err(error) => return error_page(lang, &error),
    };
    let title = lang.t("生产许可证查询", "Production licences");
    let body = html! {
        h1 { (title) }
        p { (lang.t("按许可证编号（工业产品 XK、食品 SC）或持证企业统一社会信用代码查询生产许可证及其状态变化。",
                    "Look up a production licence (industrial XK, food SC) by its number, or a holder's licences by its USCC.")) }
        form.search action="/licences" method="get" {
            (hidden_lang(lang))
            label { (lang.t("许可证编号", "Licence number")) input type="text" name="number" maxlength="20" placeholder="XK13-011-00001"; }
            button type="submit" { (lang.t("查询", "Look up")) }
        }
        form.search action="/licences" method="get" {
            (hidden_lang(lang))
            label { (lang.t("持证企业统一社会信用代码", "Holder's USCC")) input type="text" name="uscc" maxlength="18" value=(given(&params.uscc).unwrap_or_default()); }
            button type="submit" { (lang.t("查询", "Search")) }
        }
        @if let Some(found) = &found {
            @if found.is_empty() { p.muted { (lang.t("没有登记的生产许可证。", "No licence is registered.")) } }
            @else {
                table {
                    thead { tr { th { (lang.t("编号", "Number")) } th { (lang.t("类别", "Kind")) } th { (lang.t("有效期至", "Expires")) } th { (lang.t("状态", "Status")) } } }
                    tbody { @for l in found { tr {
                        td { a href=(with_lang(&format!("/licences/{}", urlencode(&l.number)), lang)) { code { (l.number) } } }
                        td { (lang.pick(l.kind.name_zh(), l.kind.name_en())) }
                        td { (l.expires_on) }
                        td { (lang.pick(l.status.name_zh(), l.status.name_en())) }
                    } } }
                }
            }
        }
        p.muted { "API: " code { "/api/v1/licences?holder=…" } " · " code { "/api/v1/licences/{number}" } }
    };
    page(lang, title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct LangParam {
    #[serde(default)]
    lang: Lang,
}

/// `GET /licences/{number}`: a licence with its products, sites and history.
pub async fn licence(
    State(state): State<AppState>,
    Path(number): Path<String>,
    Query(params): Query<LangParam>,
) -> Response {
    let lang = params.lang;
    let l = match service::licensing::licence(&state.store, &number).await {
        Ok(l) => l,
        Err(error) => return error_page(lang, &error),
    };
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let title = format!("{} {}", lang.t("生产许可证", "Production licence"), l.number);
    let body = html! {
        h1 { (title) }
        @if l.status != licensing::LicenceStatus::Valid {
            p.warning { (lang.t("此许可证目前不是有效状态：", "This licence is not valid now: ")) (lang.pick(l.status.name_zh(), l.status.name_en())) }
        }
        dl {
            dt { (lang.t("类别", "Kind")) } dd { (lang.pick(l.kind.name_zh(), l.kind.name_en())) }
            dt { (lang.t("状态", "Status")) } dd { (lang.pick(l.status.name_zh(), l.status.name_en())) }
            dt { (lang.t("持证企业", "Holder")) } dd { (org_link(lang, &l.holder_uscc)) }
            dt { (lang.t("许可产品", "Products")) } dd { @for p in &l.products { a href=(with_lang(&format!("/catalogue/{p}"), lang)) { (category_name(&catalogue, lang, p)) } " " } }
            dt { (lang.t("生产地址", "Sites")) } dd { (l.sites.join("；")) }
            dt { (lang.t("发证机关所在地", "Issued by (region)")) } dd { code { (l.issued_by) } }
            dt { (lang.t("发证日期", "Issued")) } dd { (l.issued_on) }
            dt { (lang.t("有效期至", "Expires")) } dd { (l.expires_on) }
        }
        h2 { (lang.t("状态变更记录", "Status history")) }
        table {
            thead { tr { th { (lang.t("日期", "Date")) } th { (lang.t("状态", "Status")) } th { (lang.t("依据或原因", "Decision or reason")) } } }
            tbody { @for h in &l.history { tr {
                td { (h.on_date) } td { (named::<licensing::LicenceStatus>(lang, &h.to_status)) } td { (h.reason) }
            } } }
        }
        p.muted { "API: " code { "/api/v1/licences/" (l.number) } }
    };
    page(lang, &title, body).into_response()
}

fn equipment_table(lang: Lang, items: &[EquipmentView]) -> Markup {
    html! {
        table {
            thead { tr {
                th { (lang.t("设备代码", "Equipment code")) } th { (lang.t("品种", "Variety")) } th { (lang.t("使用单位", "User")) }
                th { (lang.t("地点", "Location")) } th { (lang.t("下次检验日期", "Next inspection due")) } th { (lang.t("状态", "Standing")) }
            } }
            tbody { @for v in items { tr {
                td { a href=(with_lang(&format!("/equipment/{}", v.equipment.code), lang)) { code { (v.equipment.code) } } }
                td { (lang.pick(&v.variety_name_zh, &v.variety_name_en)) }
                td { (org_link(lang, &v.equipment.user_uscc)) }
                td { (v.equipment.location) }
                td { (v.equipment.next_inspection_due)
                    @if v.days_overdue > 0 { " " span.flagged { (lang.t("超期 ", "overdue ")) (v.days_overdue) (lang.t(" 天", " days")) } } }
                td { (standing_tag(lang, v.standing)) }
            } } }
        }
    }
}

fn queue_heading(lang: Lang, count: usize, what_zh: &str, what_en: &str) -> Markup {
    html! {
        h2 { (lang.pick(what_zh, what_en)) " (" (count) ")" }
        p.muted { (lang.t("所辖地区内一个月内到期、已超期或上次检验不合格的项目，超期最久的在前。使用单位应在有效期届满前一个月申请检验；超期或不合格的不得继续使用。",
                          "Items in the region due within a month, overdue, or failed at their last check, most overdue first. The user asks for the check a month before it runs out; overdue or failed items may not be used.")) }
    }
}

/// `GET /equipment`: an item by its code, a user's equipment, and for a signed-in regulator the inspection queue.
pub async fn equipment_search(
    State(state): State<AppState>,
    session: PageUser,
    Query(params): Query<Params>,
) -> Response {
    let lang = params.lang;
    if let Some(code) = given(&params.number) {
        return Redirect::to(&with_lang(&format!("/equipment/{}", urlencode(code)), lang)).into_response();
    }
    let region = QueueQuery { region: given(&params.region).map(str::to_owned) };
    let looked_up = when(given(&params.uscc).map(|uscc| service::equipment::equipment_of(&state, uscc))).await;
    let queue = when(regulator(&session).map(|user| service::equipment::equipment_queue(&state, user, region))).await;
    let (of_user, queue) = match (looked_up, queue) {
        (Ok(of_user), Ok(queue)) => (of_user, queue),
        (Err(error), _) | (_, Err(error)) => return error_page(lang, &error),
    };
    let title = lang.t("特种设备查询", "Special equipment");
    let body = html! {
        h1 { (title) }
        p { (lang.t("按设备代码查询电梯、锅炉、压力容器、起重机械等特种设备的使用登记和定期检验状态；按使用单位查询其全部设备。",
                    "Look up a lift, boiler, pressure vessel, crane or other special equipment by its code: its registration and whether its periodic inspection is current; or all of a user's equipment.")) }
        form.search action="/equipment" method="get" {
            (hidden_lang(lang))
            label { (lang.t("设备代码（18 位）", "Equipment code (18 characters)")) input type="text" name="number" maxlength="18" placeholder="311033010202000123"; }
            button type="submit" { (lang.t("查询", "Look up")) }
        }
        form.search action="/equipment" method="get" {
            (hidden_lang(lang))
            label { (lang.t("使用单位统一社会信用代码", "User's USCC")) input type="text" name="uscc" maxlength="18" value=(given(&params.uscc).unwrap_or_default()); }
            button type="submit" { (lang.t("查询", "Search")) }
        }
        @if let Some(found) = &of_user {
            @if found.is_empty() { p.muted { (lang.t("该单位没有登记的特种设备。", "No equipment of this user is registered.")) } }
            @else { (equipment_table(lang, found)) }
        }
        @if let Some(queue) = &queue {
            (queue_heading(lang, queue.len(), "待检验和超期设备", "Inspections due and overdue"))
            @if queue.is_empty() { p { (lang.t("没有待办项目。", "Nothing needs action.")) } } @else { (equipment_table(lang, queue)) }
        }
        (form_section(lang, &session, &[store::Role::Admin, store::Role::Regulator], (forms::REGISTER, "/equipment"), forms::EQUIPMENT, &[]))
        p.muted { "API: " code { "/api/v1/equipment/{code}" } " · " code { "/api/v1/equipment?uscc=…" } " · " code { "/api/v1/equipment/due" } }
    };
    page(lang, title, body).into_response()
}

/// `GET /equipment/{code}`: an item with its inspections.
pub async fn equipment(
    State(state): State<AppState>,
    session: PageUser,
    Path(code): Path<String>,
    Query(params): Query<LangParam>,
) -> Response {
    let lang = params.lang;
    let record = match service::equipment::equipment(&state, &code).await {
        Ok(record) => record,
        Err(error) => return error_page(lang, &error),
    };
    let v = &record.view;
    let e = &v.equipment;
    let title = format!("{} {}", lang.t("特种设备", "Special equipment"), e.code);
    let body = html! {
        h1 { (title) }
        @if v.standing.needs_action() {
            p.warning { (standing_tag(lang, v.standing)) " "
                (lang.t("未经定期检验或者检验不合格的特种设备不得继续使用（特种设备安全法第四十条）。", "Equipment not inspected in time, or failed, may not be used (Special Equipment Safety Law, Art. 40).")) }
        }
        dl {
            dt { (lang.t("品种", "Variety")) } dd { (lang.pick(&v.variety_name_zh, &v.variety_name_en)) " " span.muted { (e.variety) } }
            dt { (lang.t("检验状态", "Inspection")) } dd { (standing_tag(lang, v.standing)) " " (lang.t("下次检验日期 ", "next due ")) (e.next_inspection_due) }
            dt { (lang.t("使用状态", "Use")) } dd { (lang.pick(e.status.name_zh(), e.status.name_en())) }
            dt { (lang.t("使用单位", "User")) } dd { (org_link(lang, &e.user_uscc)) }
            dt { (lang.t("使用登记证编号", "Registration")) } dd { (e.registration_number) " · " (e.registered_on)
                @if v.registered_late { " " span.flagged { (lang.t("投入使用 30 日后才登记", "registered more than 30 days after first use")) } } }
            dt { (lang.t("地点", "Location")) } dd { (e.location) " " span.muted { (e.region_code) } }
            dt { (lang.t("投入使用日期", "In service since")) } dd { (e.in_service_on) }
        }
        h2 { (lang.t("定期检验记录", "Inspections")) }
        @if record.inspections.is_empty() { p.muted { (lang.t("尚无检验记录。", "No inspection is recorded yet.")) } }
        @else {
            table {
                thead { tr { th { (lang.t("检验日期", "Date")) } th { (lang.t("检验机构", "Inspection body")) } th { (lang.t("报告编号", "Report")) } th { (lang.t("结论", "Verdict")) } th { (lang.t("下次检验日期", "Next due")) } } }
                tbody { @for i in &record.inspections { tr {
                    td { (i.inspected_on) } td { (org_link(lang, &i.inspector_uscc)) } td { (i.report_number) }
                    td { (lang.pick(i.verdict.name_zh(), i.verdict.name_en())) } td { (i.next_due_on) }
                } } }
            }
        }
        (form_section(lang, &session, &[store::Role::Lab], (forms::INSPECT, &format!("/equipment/{}/inspections", e.code)),
            forms::INSPECTION, &[("equipment_code", &e.code)]))
        p.muted { "API: " code { "/api/v1/equipment/" (e.code) } }
    };
    page(lang, &title, body).into_response()
}

fn instrument_link(lang: Lang, owner: &str, serial: &str) -> String {
    with_lang(&format!("/instruments/{owner}/{}", urlencode(serial)), lang)
}

fn instrument_table(lang: Lang, items: &[InstrumentView]) -> Markup {
    html! {
        table {
            thead { tr {
                th { (lang.t("器具", "Instrument")) } th { (lang.t("出厂编号", "Serial")) } th { (lang.t("所有者", "Owner")) }
                th { (lang.t("地点", "Location")) } th { (lang.t("检定有效期至", "Verification due")) } th { (lang.t("状态", "Standing")) }
            } }
            tbody { @for v in items { tr {
                td { (lang.pick(&v.kind_name_zh, &v.kind_name_en)) }
                td { a href=(instrument_link(lang, &v.instrument.owner_uscc, &v.instrument.serial_number)) { (v.instrument.serial_number) } }
                td { (org_link(lang, &v.instrument.owner_uscc)) }
                td { (v.instrument.location) }
                td { (v.instrument.next_verification_due)
                    @if v.days_overdue > 0 { " " span.flagged { (lang.t("超期 ", "overdue ")) (v.days_overdue) (lang.t(" 天", " days")) } } }
                td { (standing_tag(lang, v.standing)) }
            } } }
        }
    }
}

/// `GET /instruments`: an owner's instruments, and for a signed-in regulator the verification queue.
pub async fn instrument_search(
    State(state): State<AppState>,
    session: PageUser,
    Query(params): Query<Params>,
) -> Response {
    let lang = params.lang;
    let region = QueueQuery { region: given(&params.region).map(str::to_owned) };
    let looked_up = when(given(&params.uscc).map(|uscc| service::equipment::instruments_of(&state, uscc))).await;
    let queue = when(regulator(&session).map(|user| service::equipment::instrument_queue(&state, user, region))).await;
    let (of_owner, queue) = match (looked_up, queue) {
        (Ok(of_owner), Ok(queue)) => (of_owner, queue),
        (Err(error), _) | (_, Err(error)) => return error_page(lang, &error),
    };
    let title = lang.t("强制检定计量器具", "Instruments under compulsory verification");
    let body = html! {
        h1 { (title) }
        p { (lang.t("用于贸易结算、安全防护、医疗卫生、环境监测的计量器具实行强制检定（计量法第九条）。按所有者查询加油机、电子计价秤、血压计等器具的检定状态。",
                    "Instruments used for trade settlement, safety, medical care or environmental monitoring are under compulsory verification (Metrology Law, Art. 9). Look up an owner's fuel dispensers, price scales, sphygmomanometers and the rest.")) }
        form.search action="/instruments" method="get" {
            (hidden_lang(lang))
            label { (lang.t("所有者统一社会信用代码", "Owner's USCC")) input type="text" name="uscc" maxlength="18" value=(given(&params.uscc).unwrap_or_default()); }
            button type="submit" { (lang.t("查询", "Search")) }
        }
        @if let Some(found) = &of_owner {
            @if found.is_empty() { p.muted { (lang.t("该单位没有备案的强制检定计量器具。", "No instrument of this owner is filed.")) } }
            @else { (instrument_table(lang, found)) }
        }
        @if let Some(queue) = &queue {
            (queue_heading(lang, queue.len(), "待检定和超期器具", "Verifications due and overdue"))
            @if queue.is_empty() { p { (lang.t("没有待办项目。", "Nothing needs action.")) } } @else { (instrument_table(lang, queue)) }
        }
        (form_section(lang, &session, &[store::Role::Admin, store::Role::Regulator, store::Role::Enterprise],
            (forms::FILE, "/instruments"), forms::INSTRUMENT, &[]))
        p.muted { "API: " code { "/api/v1/instruments?uscc=…" } " · " code { "/api/v1/instruments/due" } " · " code { "/api/v1/measurement-standards?uscc=…" } }
    };
    page(lang, title, body).into_response()
}

/// `GET /instruments/{owner}/{serial}`: an instrument with its verifications.
pub async fn instrument(
    State(state): State<AppState>,
    session: PageUser,
    Path((owner, serial)): Path<(String, String)>,
    Query(params): Query<LangParam>,
) -> Response {
    let lang = params.lang;
    let record = match service::equipment::instrument(&state, &owner, &serial).await {
        Ok(record) => record,
        Err(error) => return error_page(lang, &error),
    };
    let v = &record.view;
    let i = &v.instrument;
    let title = format!("{} {}", lang.pick(&v.kind_name_zh, &v.kind_name_en), i.serial_number);
    let body = html! {
        h1 { (title) }
        @if v.standing.needs_action() { p.warning { (standing_tag(lang, v.standing)) } }
        dl {
            dt { (lang.t("检定状态", "Verification")) } dd { (standing_tag(lang, v.standing)) " " (lang.t("有效期至 ", "due ")) (i.next_verification_due) }
            dt { (lang.t("检定规程", "Regulation")) } dd { a href=(with_lang(&format!("/standards/{}", urlencode(&v.procedure)), lang)) { (v.procedure) } }
            dt { (lang.t("用途", "Use")) } dd { (lang.pick(i.used_for.name_zh(), i.used_for.name_en())) }
            dt { (lang.t("所有者", "Owner")) } dd { (org_link(lang, &i.owner_uscc)) }
            dt { (lang.t("地点", "Location")) } dd { (i.location) " " span.muted { (i.region_code) } }
            dt { (lang.t("备案日期", "Filed")) } dd { (i.registered_on) }
        }
        h2 { (lang.t("检定记录", "Verifications")) }
        @if record.verifications.is_empty() { p.muted { (lang.t("尚无检定记录。", "No verification is recorded yet.")) } }
        @else {
            table {
                thead { tr { th { (lang.t("检定日期", "Date")) } th { (lang.t("检定机构", "Institute")) } th { (lang.t("证书编号", "Certificate")) } th { (lang.t("结论", "Verdict")) } th { (lang.t("有效期至", "Due")) } } }
                tbody { @for r in &record.verifications { tr {
                    td { (r.verified_on) } td { (org_link(lang, &r.institute_uscc)) } td { (r.certificate_number) }
                    td { (lang.pick(r.verdict.name_zh(), r.verdict.name_en())) } td { (r.next_due_on) }
                } } }
            }
        }
        (form_section(lang, &session, &[store::Role::Lab],
            (forms::VERIFY, &format!("/instruments/{}/{}/verifications", i.owner_uscc, urlencode(&i.serial_number))),
            forms::VERIFICATION, &[("owner_uscc", &i.owner_uscc), ("serial_number", &i.serial_number)]))
    };
    page(lang, &title, body).into_response()
}

#[derive(Debug, Deserialize)]
pub struct LabParams {
    #[serde(default)]
    lang: Lang,
    product: Option<String>,
    standard: Option<String>,
    clause: Option<String>,
    region: Option<String>,
    all_editions: Option<String>,
}

/// `GET /labs`: who can test product X to standard Y (clause Z), in a region.
pub async fn lab_search(State(state): State<AppState>, Query(params): Query<LabParams>) -> Response {
    let lang = params.lang;
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let searched = given(&params.product).is_some() || given(&params.standard).is_some();
    let found = match searched {
        true => {
            let query = LabQuery {
                product: given(&params.product).map(str::to_owned),
                standard: given(&params.standard).map(str::to_owned),
                clause: given(&params.clause).map(str::to_owned),
                region: given(&params.region).map(str::to_owned),
                all_editions: Some(params.all_editions.is_some()),
            };
            match service::labs::search(&state, query).await {
                Ok(found) => Some(found),
                Err(error) => return error_page(lang, &error),
            }
        }
        false => None,
    };
    let title = lang.t("检验检测机构查询", "Find a lab");
    let body = html! {
        h1 { (title) }
        p { (lang.t("谁能按某标准（及条款）检测某产品？按产品目录代码和标准查询具备资质（CMA）或认可（CNAS）能力的检验检测机构，默认只列现行有效版本的能力。",
                    "Who can test a product to a standard (and clause)? Search labs with the CMA qualification or CNAS accreditation for it; only current editions unless asked.")) }
        form.search action="/labs" method="get" {
            (hidden_lang(lang))
            label { (lang.t("产品", "Product")) select name="product" {
                option value="" { "—" }
                (webkit::catalogue::category_options(&catalogue, lang, given(&params.product), true))
            } }
            label { (lang.t("标准（可含版本）", "Standard (edition optional)")) input type="text" name="standard" maxlength="40" placeholder="GB 6675.2" value=(given(&params.standard).unwrap_or_default()); }
            label { (lang.t("条款", "Clause")) input type="text" name="clause" maxlength="20" value=(given(&params.clause).unwrap_or_default()); }
            label { (lang.t("地区代码", "Region code")) input type="text" name="region" maxlength="6" value=(given(&params.region).unwrap_or_default()); }
            label { input type="checkbox" name="all_editions" value="1" checked[params.all_editions.is_some()]; (lang.t("含已废止版本", "include superseded editions")) }
            button type="submit" { (lang.t("查询", "Search")) }
        }
        @if let Some(found) = &found {
            @if found.is_empty() { p.muted { (lang.t("没有找到具备此能力的机构。", "No lab holds this in its scope.")) } }
            @else {
                table {
                    thead { tr { th { (lang.t("机构", "Lab")) } th { (lang.t("地区", "Region")) } th { (lang.t("能力", "Scope rows")) } } }
                    tbody { @for m in found { tr {
                        td { a href=(with_lang(&format!("/labs/{}", m.lab.uscc), lang)) { (m.lab.name) } }
                        td { code { (m.lab.region_code) } }
                        td { @for r in &m.rows { (r.parameter) " · " (r.edition) @if !r.clause.is_empty() { " " (r.clause) } @if r.suspended { " " span.flagged { (lang.t("暂停", "suspended")) } } br; } }
                    } } }
                }
            }
        }
        p.muted { "API: " code { "/api/v1/labs?product=…&standard=…&clause=…&region=…" } }
    };
    page(lang, title, body).into_response()
}

/// `GET /labs/{uscc}`: a lab's identity, scope by edition (flagging editions not in force) and measurement standards.
pub async fn lab(State(state): State<AppState>, Path(uscc): Path<String>, Query(params): Query<LangParam>) -> Response {
    let lang = params.lang;
    let view = match service::labs::lab(&state.store, &uscc).await {
        Ok(view) => view,
        Err(error) => return error_page(lang, &error),
    };
    let standards = match service::equipment::measurement_standards_of(&state, &uscc).await {
        Ok(standards) => standards,
        Err(error) => return error_page(lang, &error),
    };
    let catalogue = match state.catalogue().await {
        Ok(catalogue) => catalogue,
        Err(error) => return error_page(lang, &error),
    };
    let flagged = |edition: &str| view.citations.iter().find(|c| c.number == edition && c.flagged);
    // The measurement standards a scope row's edition rests on (计量标准), linked to their row below.
    let serving =
        |edition: &str| standards.iter().filter(|s| s.serves.iter().any(|e| e == edition)).collect::<Vec<_>>();
    let anchor = |s: &metrology::MeasurementStandard| {
        format!("ms-{}", s.certificate_number.split_whitespace().collect::<Vec<_>>().join("_"))
    };
    let today = service::today();
    let title = view.lab.name.clone();
    let body = html! {
        h1 { (title) }
        dl {
            dt { (lang.t("统一社会信用代码", "USCC")) } dd { (org_link(lang, &view.lab.uscc)) }
            dt { "CMA" } dd { (view.lab.cma.as_deref().unwrap_or("—")) }
            dt { "CNAS" } dd { (view.lab.cnas.as_deref().unwrap_or("—")) }
            dt { (lang.t("地区", "Region")) } dd { code { (view.lab.region_code) } }
        }
        h2 { (lang.t("能力范围", "Scope")) " (" (view.scope.len()) ")" }
        table {
            thead { tr { th { (lang.t("产品", "Product")) } th { (lang.t("项目/参数", "Parameter")) } th { (lang.t("标准及条款", "Standard and clause")) } th { (lang.t("限制范围", "Limitation")) } th { (lang.t("计量标准", "Measurement standards")) } th { (lang.t("状态", "State")) } } }
            tbody { @for r in &view.scope { tr {
                td { (category_name(&catalogue, lang, &r.product_code)) }
                td { (r.parameter) }
                td { a href=(with_lang(&format!("/standards/{}", urlencode(&r.edition)), lang)) { (r.edition) } @if !r.clause.is_empty() { " " (r.clause) }
                    @if let Some(c) = flagged(&r.edition) { " " span.flagged { (lang.pick(c.standing.name_zh(), c.standing.name_en())) @if let Some(current) = &c.current { " → " (current) } } } }
                td { (r.limitation.as_deref().unwrap_or("")) }
                td { @for m in serving(&r.edition) {
                    a href={ "#" (anchor(m)) } { (m.certificate_number) }
                    @if m.valid_until < today { " " span.flagged { (lang.t("已过期", "expired")) } }
                    " "
                } }
                td { @if r.suspended { span.flagged { (lang.t("暂停", "suspended")) } } @else { (lang.t("有效", "active")) } }
            } } }
        }
        h2 { (lang.t("计量标准", "Measurement standards")) }
        @if standards.is_empty() { p.muted { (lang.t("没有备案的计量标准。", "No measurement standard is filed.")) } }
        @else {
            table {
                thead { tr { th { (lang.t("证书号", "Certificate")) } th { (lang.t("名称", "Name")) } th { (lang.t("测量范围", "Range")) } th { (lang.t("不确定度或准确度", "Uncertainty")) } th { (lang.t("有效期至", "Valid until")) } th { (lang.t("支撑的标准和规程", "Serves")) } } }
                tbody { @for s in &standards { tr id=(anchor(s)) {
                    td { (s.certificate_number) @if s.valid_until < today { " " span.flagged { (lang.t("已过期", "expired")) } } } td { (s.name) } td { (s.range) } td { (s.uncertainty) } td { (s.valid_until) }
                    td { @for e in &s.serves { a href=(with_lang(&format!("/standards/{}", urlencode(e)), lang)) { (e) } " " } }
                } } }
            }
        }
        p.muted { "API: " code { "/api/v1/labs/" (view.lab.uscc) } " · " code { "/api/v1/measurement-standards?uscc=" (view.lab.uscc) } }
    };
    page(lang, &title, body).into_response()
}
