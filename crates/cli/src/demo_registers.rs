//! Demo registers, through the service layer as their owners would write them: production licences of the demo
//! food and fertiliser makers (some suspended, revoked or lapsed), labs with scopes by standard edition (one
//! citing a superseded edition, one item suspended) and their measurement standards, and in Zhejiang special
//! equipment and instruments under compulsory verification with years of inspections and verifications behind
//! them — most current, some due within the month, some overdue, a few failed.

use chrono::{Datelike, Days, Months, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use service::batch::{Format, Rejected};
use service::{ApiError, Services};
use store::{NewUser, Role, Store, User};

use crate::demo_injuries::account_of;

fn failed(error: ApiError) -> anyhow::Error {
    anyhow::anyhow!("demo registers: {}", error.message)
}

fn stored<T>(what: &str, result: Result<T, Rejected>) -> anyhow::Result<T> {
    result.map_err(|rejected| anyhow::anyhow!("demo {what} rejected: {:?}", rejected.rows.first()))
}

/// A CSV text from a header and rows.
fn csv(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).expect("in memory");
    for row in rows {
        writer.write_record(row).expect("in memory");
    }
    String::from_utf8(writer.into_inner().expect("in memory")).expect("UTF-8")
}

/// A new account of `role` (with the organization's USCC for a lab or a body) and the user it signs in as.
pub async fn account(store: &Store, name: &str, role: Role, uscc: Option<String>) -> anyhow::Result<User> {
    let (_, token) = store
        .add_user(&NewUser { name: name.into(), role, region_code: None, uscc, login: None, password: None })
        .await?;
    account_of(store, &token).await
}

/// A demo lab: its code body, name, county, CMA, CNAS, and scope rows (product, parameter, standard, suspended).
struct DemoLab {
    code_body: &'static str,
    name: &'static str,
    region: &'static str,
    cma: &'static str,
    cnas: Option<&'static str>,
    scope: &'static [(&'static str, &'static str, &'static str, bool)],
}

const LABS: &[DemoLab] = &[
    DemoLab {
        code_body: "47000101",
        name: "浙江省产品质量安全科学研究院",
        region: "330106",
        cma: "221100010001",
        cnas: Some("CNAS L0001"),
        scope: &[
            ("K23-06-01", "机械和物理性能", "GB 6675.2-2014", false),
            ("K23-06-01", "可迁移元素", "GB 6675.4-2014", false),
            ("K23-06-01", "燃烧性能", "GB 6675.3-2014", false),
            ("K23-04-02", "电池安全", "GB 31241-2022", false),
            ("K23-07-01", "总迁移量", "GB 4806.7-2023", false),
            ("K23-05-02", "头盔防护性能", "GB 811-2022", true),
        ],
    },
    DemoLab {
        code_body: "47000102",
        name: "国家电动自行车产品质量检验检测中心（浙江）",
        region: "330110",
        cma: "221100010002",
        cnas: Some("CNAS L0002"),
        scope: &[
            ("K23-05-01", "整车安全", "GB 17761-2024", false),
            ("K23-05-01", "整车安全", "GB 17761-2018", false),
            ("K23-05-02", "头盔防护性能", "GB 811-2022", false),
        ],
    },
    DemoLab {
        code_body: "44000103",
        name: "广东产品质量监督检验研究院",
        region: "440106",
        cma: "221900010003",
        cnas: Some("CNAS L0003"),
        scope: &[
            ("K23-04-02", "电池安全", "GB 31241-2022", false),
            ("K23-06-01", "机械和物理性能", "GB 6675.2-2014", false),
            ("K23-07-01", "总迁移量", "GB 4806.7-2016", false),
        ],
    },
    DemoLab {
        code_body: "31000104",
        name: "上海市质量监督检验技术研究院",
        region: "310104",
        cma: "220900010004",
        cnas: None,
        scope: &[
            ("K23-03-01", "甲醛含量", "GB 18401-2010", false),
            ("K23-03-01", "婴幼儿及儿童纺织产品安全", "GB 31701-2015", false),
        ],
    },
    DemoLab {
        code_body: "32000105",
        name: "江苏省产品质量监督检验研究院",
        region: "320106",
        cma: "221000010005",
        cnas: Some("CNAS L0005"),
        scope: &[("0103", "污染物限量 镉", "GB 2762-2022", false), ("0102", "生活饮用水卫生", "GB 5749-2022", false)],
    },
];

/// The metrology institute and special-equipment inspection body of the demo (lab accounts).
const INSTITUTE: &str = "47000106";
const INSPECTION_BODY: &str = "47000107";

fn lab_uscc(code_body: &str) -> String {
    codes::Uscc::assemble("12330000", code_body).expect("a demo lab's code").to_string()
}

/// Loads the licences, labs, equipment and instruments; returns how many rows of each kind.
pub async fn load(store: &Store) -> anyhow::Result<(usize, usize, usize, usize)> {
    let services = Services::new(store.clone());
    let admin = account(store, "演示：登记管理员", Role::Admin, None).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(15);
    let today = service::today();
    let licences = licences(&services, &admin, &mut rng, today).await?;
    let labs = labs(&services, &admin).await?;
    let equipment = equipment(&services, &admin, &mut rng, today).await?;
    let instruments = instruments(&services, &admin, &mut rng, today).await?;
    Ok((licences, labs, equipment, instruments))
}

/// Food (SC) licences for the makers of dairy, beverages, grain and oil, and industrial (XK) licences for the
/// fertiliser makers: nine in ten hold one; of those, a few were suspended, revoked or let lapse.
async fn licences(services: &Services, admin: &User, rng: &mut ChaCha8Rng, today: NaiveDate) -> anyhow::Result<usize> {
    let store = &services.store;
    let mut rows = Vec::new();
    let mut changes = Vec::new();
    let mut sequence = 0;
    for (class, food_code) in [("0101", "105"), ("0102", "106"), ("0103", "101"), ("0104", "102"), ("0701", "")] {
        for uscc in store.sampling_frame("", Some(class)).await?.into_iter().take(150) {
            if rng.gen_range(0..10) == 0 {
                continue;
            }
            let Some(org) = store.organization(&uscc.parse()?).await? else { continue };
            sequence += 1;
            let region = org.region_code.to_string();
            let issued = today - Days::new(rng.gen_range(200..1_700));
            let (number, kind, issued_by) = match food_code {
                "" => (format!("XK13-002-{sequence:05}"), "industrial", format!("{}0000", &region[..2])),
                code => (format!("SC{code}{region}{sequence:04}{}", sequence % 10), "food", region.clone()),
            };
            let expires = issued + Months::new(60);
            rows.push(vec![
                number.clone(),
                kind.to_owned(),
                uscc.clone(),
                class.to_owned(),
                place(&org),
                issued_by,
                issued.to_string(),
                expires.to_string(),
            ]);
            let on = issued + Days::new(rng.gen_range(30..150));
            let change = match sequence % 23 {
                5 => Some(("suspended", "责令停产整改：监督抽查不合格")),
                11 => Some(("revoked", "吊销生产许可证：以不合格产品冒充合格产品")),
                17 => Some(("cancelled", "企业申请注销")),
                _ => None,
            };
            if let Some((status, reason)) = change {
                changes.push((number, status, on.min(today), reason));
            }
        }
    }
    let text = csv(service::licensing::LICENCE_COLUMNS, &rows);
    stored("licences", service::licensing::register(services, admin, Format::Csv, &text).await.map_err(failed)?)?;
    for (number, status, on, reason) in changes {
        let body = service::licensing::StatusBody {
            status: Some(status.into()),
            on: Some(on.to_string()),
            reason: Some(reason.into()),
        };
        service::licensing::change_status(services, admin, &number, body).await.map_err(failed)?;
    }
    Ok(rows.len())
}

/// The labs with their scopes and measurement standards, and the accounts of the metrology institute and the
/// special-equipment inspection body.
async fn labs(services: &Services, admin: &User) -> anyhow::Result<usize> {
    let mut lab_rows = Vec::new();
    let mut scope_rows = Vec::new();
    for lab in LABS {
        let uscc = lab_uscc(lab.code_body);
        lab_rows.push(vec![
            uscc.clone(),
            lab.name.to_owned(),
            lab.cma.to_owned(),
            lab.cnas.unwrap_or_default().to_owned(),
            lab.region.to_owned(),
        ]);
        for (product, parameter, standard, suspended) in lab.scope {
            scope_rows.push(vec![
                uscc.clone(),
                (*product).to_owned(),
                (*parameter).to_owned(),
                (*standard).to_owned(),
                String::new(),
                String::new(),
                if *suspended { "true".into() } else { String::new() },
            ]);
        }
    }
    for (code_body, name, cma) in [
        (INSTITUTE, "浙江省计量科学研究院", "221100010006"),
        (INSPECTION_BODY, "浙江省特种设备科学研究院", "221100010007"),
    ] {
        lab_rows.push(vec![lab_uscc(code_body), name.to_owned(), cma.to_owned(), String::new(), "330106".into()]);
    }
    let text = csv(&["uscc", "name", "cma", "cnas", "region_code"], &lab_rows);
    stored("labs", service::labs::register(services, admin, Format::Csv, &text).await.map_err(failed)?)?;
    let text = csv(&["lab", "product", "parameter", "standard", "method", "limitation", "suspended"], &scope_rows);
    stored("lab scopes", service::labs::upload_scopes(services, admin, Format::Csv, &text).await.map_err(failed)?)?;
    let standards = vec![
        vec![
            "[2021]浙量标证字第0101号".to_owned(),
            lab_uscc(LABS[0].code_body),
            "玩具机械和物理性能测试装置".into(),
            "拉力 (0~500) N，扭矩 (0~2) N·m".into(),
            "Urel = 0.5% (k=2)".into(),
            "2029-05-31".into(),
            "GB 6675.2-2014".into(),
        ],
        vec![
            "[2022]浙量标证字第0107号".to_owned(),
            lab_uscc(INSTITUTE),
            "燃油加油机检定装置".into(),
            "(5~120) L/min".into(),
            "MPE ±0.05%".into(),
            "2026-12-20".into(),
            "JJG 443-2015".into(),
        ],
    ];
    let text = csv(service::equipment::STANDARD_COLUMNS, &standards);
    stored(
        "measurement standards",
        service::equipment::file_measurement_standards(services, admin, Format::Csv, &text).await.map_err(failed)?,
    )?;
    Ok(lab_rows.len())
}

/// Where an organization's equipment stands: its address, or its name when the register has none.
fn place(org: &store::Organization) -> String {
    org.address.clone().filter(|a| !a.trim().is_empty()).unwrap_or_else(|| org.name.clone())
}

/// A history of checks every `months` from `in_service`, the last `skipped` left out (overdue) or failed.
fn checks(in_service: NaiveDate, months: u32, today: NaiveDate) -> Vec<NaiveDate> {
    (1..).map(|j| in_service + Months::new(months * j)).take_while(|day| *day <= today).collect()
}

/// Equipment of the Zhejiang demo enterprises, registered and inspected year by year.
async fn equipment(services: &Services, admin: &User, rng: &mut ChaCha8Rng, today: NaiveDate) -> anyhow::Result<usize> {
    let store = &services.store;
    let body = account(store, "演示：浙江省特种设备科学研究院", Role::Lab, Some(lab_uscc(INSPECTION_BODY))).await?;
    let varieties = equipment::Varieties::shipped();
    let kinds = [
        ("3110", "梯11"),
        ("3110", "梯11"),
        ("3310", "梯31"),
        ("2150", "容2L"),
        ("4300", "起17"),
        ("5110", "车11"),
        ("1200", "锅12"),
    ];
    let users = store.sampling_frame("33", None).await?;
    let mut rows = Vec::new();
    let mut inspections = Vec::new();
    for (i, uscc) in users.iter().step_by(2).take(120).enumerate() {
        let Some(org) = store.organization(&uscc.parse()?).await? else { continue };
        for k in 0..rng.gen_range(1..4) {
            let (variety, registration) = kinds[rng.gen_range(0..kinds.len())];
            let months = varieties.get(variety).map_or(12, |v| v.interval_months);
            let cycles = rng.gen_range(1..6);
            let in_service = today - Months::new(months * cycles) - Days::new(rng.gen_range(0..u64::from(months) * 30));
            let code = format!("{variety}33{:03}{}{:05}", 100 + i % 50, in_service.year(), i * 4 + k);
            let registered = in_service + Days::new(if rng.gen_range(0..20) == 0 { 45 } else { rng.gen_range(3..25) });
            rows.push(vec![
                code.clone(),
                uscc.clone(),
                format!("{registration}浙A{:05}({:02})", rows.len() + 1, in_service.year() % 100),
                org.region_code.to_string(),
                format!("{} {}号", place(&org), k + 1),
                in_service.to_string(),
                registered.min(today).to_string(),
                String::new(),
            ]);
            let mut history = checks(in_service, months, today);
            let fate = rng.gen_range(0..20);
            if fate == 0 {
                history.pop();
            }
            let last = history.len();
            for (n, day) in history.into_iter().enumerate() {
                let verdict = if fate == 1 && n + 1 == last { "fail" } else { "pass" };
                // Inspected a few days before the due day; the report's next due day is the interval after it.
                let on = day - Days::new(3);
                inspections.push(vec![
                    code.clone(),
                    on.to_string(),
                    format!("TJ{}-{:05}", on.year(), inspections.len() + 1),
                    verdict.to_owned(),
                    String::new(),
                ]);
            }
        }
    }
    let text = csv(service::equipment::EQUIPMENT_COLUMNS, &rows);
    stored(
        "equipment",
        service::equipment::register_equipment(services, admin, Format::Csv, &text).await.map_err(failed)?,
    )?;
    let text = csv(service::equipment::INSPECTION_COLUMNS, &inspections);
    stored(
        "inspections",
        service::equipment::record_inspections(services, &body, Format::Csv, &text).await.map_err(failed)?,
    )?;
    Ok(rows.len())
}

/// Instruments of the Zhejiang demo enterprises, filed and verified period by period.
async fn instruments(
    services: &Services,
    admin: &User,
    rng: &mut ChaCha8Rng,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    let store = &services.store;
    let institute = account(store, "演示：浙江省计量科学研究院", Role::Lab, Some(lab_uscc(INSTITUTE))).await?;
    let kinds = metrology::Kinds::shipped();
    let choices = [
        ("fuel_dispenser", "trade_settlement"),
        ("price_scale", "trade_settlement"),
        ("truck_scale", "trade_settlement"),
        ("sphygmomanometer", "medical_care"),
        ("taximeter", "trade_settlement"),
    ];
    let owners = store.sampling_frame("33", None).await?;
    let mut rows = Vec::new();
    let mut verifications = Vec::new();
    for (i, uscc) in owners.iter().skip(1).step_by(2).take(100).enumerate() {
        let Some(org) = store.organization(&uscc.parse()?).await? else { continue };
        for k in 0..rng.gen_range(1..5) {
            let (kind, used_for) = choices[rng.gen_range(0..choices.len())];
            let months = kinds.get(kind).map_or(12, |k| k.interval_months);
            let cycles = rng.gen_range(1..4);
            let filed = today - Months::new(months * cycles) - Days::new(rng.gen_range(0..u64::from(months) * 30));
            let serial = format!("ZJ{}{:04}-{k}", filed.year(), i);
            rows.push(vec![
                uscc.clone(),
                serial.clone(),
                kind.to_owned(),
                used_for.to_owned(),
                org.region_code.to_string(),
                place(&org),
                filed.to_string(),
                (filed + Months::new(months)).to_string(),
            ]);
            let mut history = checks(filed, months, today);
            let fate = rng.gen_range(0..15);
            if fate == 0 {
                history.pop();
            }
            let last = history.len();
            for (n, day) in history.into_iter().enumerate() {
                let verdict = if fate == 1 && n + 1 == last { "fail" } else { "pass" };
                verifications.push(vec![
                    uscc.clone(),
                    serial.clone(),
                    day.to_string(),
                    format!("ZJL{}-{:05}", day.year(), verifications.len() + 1),
                    verdict.to_owned(),
                    String::new(),
                ]);
            }
        }
    }
    // Filed as of their filing day: the due day on the first certificate, one interval after.
    let text = csv(service::equipment::INSTRUMENT_COLUMNS, &rows);
    stored(
        "instruments",
        service::equipment::file_instruments(services, admin, Format::Csv, &text).await.map_err(failed)?,
    )?;
    let text = csv(service::equipment::VERIFICATION_COLUMNS, &verifications);
    stored(
        "verifications",
        service::equipment::record_verifications(services, &institute, Format::Csv, &text).await.map_err(failed)?,
    )?;
    Ok(rows.len())
}
