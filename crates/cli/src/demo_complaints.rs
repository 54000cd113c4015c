//! Demo complaints, reports and enquiries: seven years of filings (the temporal detectors' baseline) across the catalogue and fifteen counties,
//! each written as a consumer would and routed and classified by the platform's own intake; older ones closed with
//! the outcomes the rules allow, recent ones open in the work queues; and, in the last four weeks, a run of e-bike
//! battery fires in Zhejiang and Guangdong (the same cluster the injury surveillance sees).

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use service::input::ComplaintFields;
use store::complaints::ComplaintStep;
use store::Store;

/// Counties the respondents trade in.
const COUNTIES: [&str; 15] = [
    "110105", "310115", "440106", "330106", "320102", "420102", "510104", "370102", "330302", "441302", "610113",
    "230102", "440305", "350203", "500103",
];

/// Products as consumers name them, by category (each names its category in the classifier's terms).
const PRODUCTS: [(&str, &str); 10] = [
    ("0503", "电动自行车"),
    ("0504", "充电宝"),
    ("0301", "羽绒服"),
    ("0401", "儿童玩具"),
    ("0501", "电热水壶"),
    ("0101", "婴儿奶粉"),
    ("0902", "骑行头盔"),
    ("0802", "燃气灶"),
    ("0302", "运动鞋"),
    ("0402", "婴儿推车"),
];

/// What went wrong, by issue type (each in the classifier's terms), and what the consumer asks.
const PROBLEMS: [(&str, &str, &str); 5] = [
    ("safety", "使用中突然冒烟，家人手部被烫伤", "赔偿医药费"),
    ("quality", "用了不到一个月就坏了，质量问题明显", "更换或维修"),
    ("false_advertising", "实际功能与广告宣传严重不符", "退一赔三"),
    ("after_sales", "要求退货，商家以各种理由不予退换", "退货退款"),
    ("price", "结账时被多收了费用，涉嫌价格欺诈", "退还多收款项"),
];

const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"];

/// The full address of a county: province, prefecture and county names, so routing can tell 西湖区 from 西湖区.
pub fn address(county: &str) -> String {
    let names = |code: &str| codes::region::lookup(code).map(|r| r.name.clone()).unwrap_or_default();
    let prefecture = names(&format!("{}00", &county[..4]));
    let prefecture = if prefecture == "市辖区" { String::new() } else { prefecture };
    format!("{}{}{}", names(&format!("{}0000", &county[..2])), prefecture, names(county))
}

fn filing(rng: &mut ChaCha8Rng, day: NaiveDate, county: &str, product: &str, problem: usize) -> ComplaintFields {
    let kind = match rng.gen_range(0..100) {
        0..80 => "complaint",
        80..95 => "report",
        _ => "enquiry",
    };
    let (_, what, request) = PROBLEMS[problem];
    let anonymous = kind == "report" && rng.gen_bool(0.5);
    let name = format!(
        "{}{}",
        SURNAMES[rng.gen_range(0..SURNAMES.len())],
        ["伟", "芳", "敏", "静", "强"][rng.gen_range(0..5)]
    );
    ComplaintFields {
        kind: Some(kind.into()),
        received_on: Some(day.to_string()),
        anonymous,
        submitter_name: (!anonymous).then_some(name),
        submitter_phone: (!anonymous).then(|| format!("13{:09}", rng.gen_range(0..1_000_000_000u32))),
        respondent_name: Some(format!(
            "{}商行{}号店",
            address(county).chars().take(2).collect::<String>(),
            rng.gen_range(1..60)
        )),
        respondent_address: Some(format!("{}某路{}号", address(county), rng.gen_range(1..300))),
        facts: Some(format!("{day}购买的{product}{what}")),
        request: (kind == "complaint").then(|| request.into()),
        ..ComplaintFields::default()
    }
}

/// Closes an old filing with an outcome its kind allows, or leaves a recent one at a step of the workflow.
fn settle(
    rng: &mut ChaCha8Rng,
    complaint: &mut store::complaints::Complaint,
    last_day: NaiveDate,
    calendar: &calendar::Calendar,
) {
    let received = NaiveDate::parse_from_str(&complaint.received_on, "%Y-%m-%d").expect("demo dates");
    let age = (last_day - received).num_days();
    if age > 60 {
        let outcome = match complaint.kind.as_str() {
            "report" => ["case_opened", "no_case", "no_case"][rng.gen_range(0..3)],
            "enquiry" => "answered",
            _ => match rng.gen_range(0..100) {
                0..45 => "mediated_settlement",
                45..65 => "enterprise_settlement",
                65..80 => "terminated",
                80..90 => "not_accepted",
                _ => "withdrawn",
            },
        };
        complaint.status = "closed".into();
        complaint.outcome = Some(outcome.into());
        complaint.closed_on = Some((received + Duration::days(rng.gen_range(5..50))).to_string());
        if complaint.kind == "complaint" && !["not_accepted", "withdrawn"].contains(&outcome) {
            complaint.accepted_on = Some((received + Duration::days(rng.gen_range(1..6))).to_string());
        }
        if outcome == "not_accepted" {
            complaint.ground = Some(["1", "3", "5"][rng.gen_range(0..3)].into());
        }
    } else if complaint.kind == "complaint" && age > 8 {
        complaint.accepted_on = Some((received + Duration::days(rng.gen_range(1..6))).to_string());
        complaint.status = if rng.gen_bool(0.6) { "mediating" } else { "accepted" }.into();
    }
    let case = complaint.case().expect("the generator writes valid filings");
    complaint.apply(&case, calendar);
}

/// Loads the filings; returns how many.
pub async fn load(store: &Store, last_day: NaiveDate) -> anyhow::Result<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(12315);
    let mut fields = Vec::new();
    let first = NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date");
    let mut day = first;
    while day <= last_day {
        // About two filings a day across the network.
        for _ in 0..rng.gen_range(0..5) {
            let county = COUNTIES[rng.gen_range(0..COUNTIES.len())];
            let (_, product) = PRODUCTS[rng.gen_range(0..PRODUCTS.len())];
            let problem = rng.gen_range(0..PROBLEMS.len());
            fields.push(filing(&mut rng, day, county, product, problem));
        }
        // E-bike battery fires in Zhejiang and Guangdong over the last four weeks.
        if (last_day - day).num_days() < 28 {
            for county in ["330106", "330302", "440106", "441302"] {
                if rng.gen_bool(0.35) {
                    let mut fire = filing(&mut rng, day, county, "电动自行车", 0);
                    fire.facts = Some(format!("{day}购买的电动自行车在楼道充电时电池起火，家人被烧伤"));
                    fields.push(fire);
                }
            }
        }
        day += Duration::days(1);
    }
    let mut complaints = Vec::with_capacity(fields.len());
    let mut secrets = Vec::with_capacity(fields.len());
    let calendar = calendar::Calendar::shipped();
    let catalogue = service::catalogue::stored_catalogue(store).await.map_err(|e| anyhow::anyhow!("{}", e.message))?;
    for item in fields {
        let prepared = service::complaints::prepare(store, item, "web", service::today(), true, &calendar, &catalogue)
            .await?
            .map_err(|e| anyhow::anyhow!("demo filing rejected: {}: {}", e.field, e.message))?;
        let mut complaint = prepared.complaint;
        settle(&mut rng, &mut complaint, last_day, &calendar);
        complaints.push(complaint);
        secrets.push(prepared.secret);
    }
    let step = ComplaintStep { stage: "registered".into(), note: Some("demo".into()), data: None };
    for (chunk, secret_chunk) in complaints.chunks(5_000).zip(secrets.chunks(5_000)) {
        store.file_complaints(chunk, secret_chunk, std::slice::from_ref(&step), None).await?;
    }
    Ok(complaints.len())
}
