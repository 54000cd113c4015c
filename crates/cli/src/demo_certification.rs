//! Demo certification, through the service layer as a body would upload it: three certification bodies with
//! accounts, CCC certificates on the demo enterprises' products (their GTINs and models), some thousands of
//! quality-management-system certificates, and
//! status changes — suspensions after failed sampling (some restored), withdrawals, cancellations — each a
//! public-log entry, the suspensions and withdrawals entering the holders' credit files.

use chrono::{Datelike, Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use service::batch::Format;
use service::{ApiError, Services};
use store::{NewUser, Role, Store};

use crate::demo_injuries::account_of;

fn failed(error: ApiError) -> anyhow::Error {
    anyhow::anyhow!("demo certification: {}", error.message)
}

/// A demo certification body.
struct DemoBody {
    approval_number: &'static str,
    name: &'static str,
    /// The organization-code body of its USCC.
    code_body: &'static str,
    ccc_code: Option<&'static str>,
    schemes: &'static str,
    product_classes: &'static str,
}

/// The demo bodies.
const BODIES: &[DemoBody] = &[
    DemoBody {
        approval_number: "CNCA-R-2002-001",
        name: "中国质量认证中心",
        code_body: "40000133",
        ccc_code: Some("01"),
        schemes: "ccc;voluntary_product",
        product_classes: "02;03;04;05;06;K23-02;K23-04;K23-06",
    },
    DemoBody {
        approval_number: "CNCA-R-2002-004",
        name: "中汽认证中心有限公司",
        code_body: "40000214",
        ccc_code: Some("02"),
        schemes: "ccc;voluntary_product",
        product_classes: "09;K23-05",
    },
    DemoBody {
        approval_number: "CNCA-R-2002-002",
        name: "方圆标志认证集团有限公司",
        code_body: "40000222",
        ccc_code: None,
        schemes: "management_system;service",
        product_classes: "",
    },
];

/// Certificates of each kind (product, management system) the demo issues at most.
const MAX_CERTIFICATES: usize = 3_000;

/// Loads the bodies, certificates and status changes; returns how many certificates.
pub async fn load(store: &Store) -> anyhow::Result<usize> {
    let services = Services::new(store.clone());
    let (_, admin) = store
        .add_user(&NewUser {
            name: "演示：认证监管管理员".into(),
            role: Role::Admin,
            region_code: None,
            uscc: None,
            login: None,
            password: None,
        })
        .await?;
    let admin = account_of(store, &admin).await?;
    let mut accounts = Vec::new();
    for DemoBody {
        approval_number: approval,
        name,
        code_body: body,
        ccc_code: code,
        schemes,
        product_classes: classes,
    } in BODIES
    {
        let uscc = codes::Uscc::assemble("12100000", body).expect("a demo body's code").to_string();
        let fields: certification::BodyFields =
            serde_json::from_value(json!({"approval_number": approval, "name": name,
            "uscc": uscc, "accreditation": format!("CNAS C{}-P", &body[5..]), "ccc_code": code, "schemes": schemes,
            "product_classes": (!classes.is_empty()).then_some(classes)}))?;
        service::certification::register_body(&services, &admin, fields).await.map_err(failed)?;
        let (_, token) = store
            .add_user(&NewUser {
                name: format!("演示：{name}"),
                role: Role::Certifier,
                region_code: None,
                uscc: Some(uscc),
                login: None,
                password: None,
            })
            .await?;
        accounts.push(account_of(store, &token).await?);
    }
    let catalogue = service::catalogue::stored_catalogue(store).await.map_err(failed)?;
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let today = service::today();
    // (body index, certificate JSON, issued on) for every product under CCC that a demo enterprise makes.
    let mut issued: Vec<(usize, Value, NaiveDate, String)> = Vec::new();
    let mut sequences = [0u32; 3];
    'classes: for class in ["04", "05", "09"] {
        for uscc in store.sampling_frame("", Some(class)).await? {
            for product in store.products_of(&uscc.parse()?, 10).await? {
                let Some(category) = product.category_code.clone() else { continue };
                if !catalogue.regimes(&category).contains(&product_catalogue::Regime::Ccc) {
                    continue;
                }
                let body = usize::from(category.starts_with("09"));
                sequences[body] += 1;
                let issued_on = today - Days::new(rng.gen_range(30..2_000));
                let number = format!(
                    "{}{}{}{:06}",
                    issued_on.year(),
                    BODIES[body].ccc_code.unwrap_or("00"),
                    category,
                    sequences[body]
                );
                let certificate = json!({"number": number, "scheme": "ccc", "body": BODIES[body].approval_number, "holder_uscc": uscc,
                    "manufacturer_uscc": uscc, "factory_uscc": uscc, "product_class": category, "product_name": product.name,
                    "models": product.specification, "gtins": product.gtin, "issued_on": issued_on.to_string(),
                    "expires_on": (issued_on + Days::new(5 * 365)).to_string()});
                issued.push((body, certificate, issued_on, number));
                if issued.len() == MAX_CERTIFICATES {
                    break 'classes;
                }
            }
        }
    }
    // Voluntary product certificates (CQC 标志认证) on food-contact products, textiles and building materials.
    let mut voluntary = 0;
    for class in ["02", "03", "06"] {
        for uscc in store.sampling_frame("", Some(class)).await? {
            for product in store.products_of(&uscc.parse()?, 10).await? {
                let Some(category) = product.category_code.clone().filter(|c| c.starts_with(class)) else { continue };
                voluntary += 1;
                let issued_on = today - Days::new(rng.gen_range(30..1_800));
                let number = format!("CQC{}{:07}", issued_on.year() % 100, voluntary);
                let certificate = json!({"number": number, "scheme": "voluntary_product", "body": BODIES[0].approval_number,
                    "holder_uscc": uscc, "product_class": category, "product_name": product.name,
                    "models": product.specification, "gtins": product.gtin, "issued_on": issued_on.to_string(),
                    "expires_on": (issued_on + Days::new(5 * 365)).to_string()});
                issued.push((0, certificate, issued_on, number));
            }
        }
    }
    // Quality-management-system certificates (GB/T 19001) of the third body for the register's enterprises.
    for uscc in store.sampling_frame("", None).await?.into_iter().take(MAX_CERTIFICATES) {
        sequences[2] += 1;
        let issued_on = today - Days::new(rng.gen_range(10..1_400));
        let number = format!("00124Q3{:05}R{}M", sequences[2], 1 + sequences[2] % 3);
        let certificate = json!({"number": number, "scheme": "management_system", "body": BODIES[2].approval_number,
            "holder_uscc": uscc, "product_name": "质量管理体系（GB/T 19001-2016 / ISO 9001:2015）：产品的设计、生产和服务",
            "standards": "GB/T 19001-2016", "issued_on": issued_on.to_string(),
            "expires_on": (issued_on + Days::new(3 * 365)).to_string()});
        issued.push((2, certificate, issued_on, number));
    }
    for (body, account) in accounts.iter().enumerate() {
        let rows: Vec<&Value> = issued.iter().filter(|(b, ..)| *b == body).map(|(_, c, ..)| c).collect();
        for chunk in rows.chunks(1_000) {
            let text = json!({"certificates": chunk}).to_string();
            match service::certification::upload(&services, account, Format::Json, &text).await.map_err(failed)? {
                Ok(_) => {}
                Err(rejected) => anyhow::bail!("demo certificates rejected: {:?}", rejected.rows.first()),
            }
        }
    }
    // Status changes, in date order per certificate: a suspension after failed sampling (half restored after
    // rectification), a withdrawal, a cancellation at the holder's request.
    let mut changes: Vec<Vec<Value>> = vec![Vec::new(); BODIES.len()];
    for (body, _, issued_on, number) in &issued {
        let roll = rng.gen_range(0..100);
        let day = |from: NaiveDate, rng: &mut ChaCha8Rng| {
            let span = (today - from).num_days().max(1) as u64;
            from + Days::new(rng.gen_range(0..span))
        };
        let change = |status: &str, reason: &str, on: NaiveDate, note: &str| json!({"number": number, "status": status, "reason": reason, "on": on.to_string(), "note": note});
        let list = &mut changes[*body];
        let (fault, why) = match body {
            2 => ("audit_failed", "监督审核发现严重不符合项"),
            _ => ("sampling_failed", "获证产品监督抽查不合格"),
        };
        match roll {
            0..=3 => {
                let suspended = day(*issued_on + Days::new(20), &mut rng).min(today);
                list.push(change("suspended", fault, suspended, why));
                if roll < 2 && suspended + Days::new(45) <= today {
                    list.push(change("valid", "restored", suspended + Days::new(45), "整改完成，恢复证书"));
                }
            }
            4 if *body == 2 => list.push(change(
                "withdrawn",
                "suspension_uncorrected",
                day(*issued_on, &mut rng),
                "暂停期满未完成整改",
            )),
            4 => list.push(change(
                "withdrawn",
                "nonconforming_product",
                day(*issued_on, &mut rng),
                "产品与型式试验样品不一致",
            )),
            5 => list.push(change("cancelled", "holder_request", day(*issued_on, &mut rng), "持证人申请注销")),
            _ => {}
        }
    }
    for (body, list) in changes.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        let text = json!({"changes": list}).to_string();
        match service::certification::change_statuses(&services, &accounts[body], Format::Json, &text)
            .await
            .map_err(failed)?
        {
            Ok(_) => {}
            Err(rejected) => anyhow::bail!("demo status changes rejected: {:?}", rejected.rows.first()),
        }
    }
    Ok(issued.len())
}
