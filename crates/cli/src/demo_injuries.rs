//! Demo injury surveillance: twelve sentinel hospitals in three strata, six years of background cases across the
//! product catalogue, and two clusters the detectors should find — e-bike battery fires burning riders in
//! Zhejiang and Guangdong over the last four weeks, and a run of toy small-part choking cases in the last three.

use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use service::warnings::{self as warning_service, AssessmentBody, WarningBody};
use store::injuries::{Hospital, InjuryCase};
use store::Store;
use warnings::WarningStep;

/// Hospitals: (region, stratum, weight). Weights are the inverse sampling fractions of their strata.
const HOSPITALS: [(&str, &str, f64); 12] = [
    ("110105", "large", 18.0),
    ("310115", "large", 18.0),
    ("440106", "large", 18.0),
    ("330106", "large", 18.0),
    ("320102", "medium", 42.0),
    ("420102", "medium", 42.0),
    ("510104", "medium", 42.0),
    ("370102", "medium", 42.0),
    ("330302", "small", 95.0),
    ("441302", "small", 95.0),
    ("610113", "small", 95.0),
    ("230102", "small", 95.0),
];

/// Background products and the diagnoses they usually bring.
const BACKGROUND: [(&str, &[&str]); 8] = [
    ("0401", &["contusion", "laceration", "foreign_body"]),
    ("0402", &["fracture", "contusion"]),
    ("0501", &["burn", "electric_shock"]),
    ("0503", &["fracture", "contusion", "laceration"]),
    ("0504", &["burn"]),
    ("0802", &["burn", "poisoning"]),
    ("0902", &["concussion", "contusion"]),
    ("0201", &["laceration"]),
];

/// The last day of the demo's data.
pub fn last_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 20).expect("valid date")
}

fn hospital_id(index: usize) -> String {
    let region = HOSPITALS[index].0;
    codes::Uscc::assemble(&format!("12{region}"), &format!("HX{index:06}")).expect("valid characters").to_string()
}

/// Loads hospitals and cases; returns the number of cases.
pub async fn load(store: &Store) -> anyhow::Result<usize> {
    let hospitals: Vec<Hospital> = HOSPITALS
        .iter()
        .enumerate()
        .map(|(i, (region, stratum, weight))| Hospital {
            id: hospital_id(i),
            name: format!("哨点医院 {}", i + 1),
            region_code: (*region).into(),
            stratum: (*stratum).into(),
            weight: *weight,
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(2006);
    let mut cases = Vec::new();
    let add = |cases: &mut Vec<InjuryCase>,
               rng: &mut ChaCha8Rng,
               day: NaiveDate,
               hospital: usize,
               product: &str,
               diagnosis: &str,
               hazard: Option<&str>,
               narrative: &str| {
        let (_, stratum, weight) = HOSPITALS[hospital];
        cases.push(InjuryCase {
            case_id: format!("DEMO-{}-{:06}", day.format("%Y%m%d"), cases.len()),
            hospital_id: hospital_id(hospital),
            treated_on: day.to_string(),
            stratum: stratum.into(),
            weight,
            age: rng.gen_range(2..80),
            sex: if rng.gen_bool(0.55) { "male" } else { "female" }.into(),
            product_code: product.into(),
            product_code_2: None,
            body_part: ["hand", "head", "lower_limb", "upper_limb", "face"][rng.gen_range(0..5)].into(),
            diagnosis: diagnosis.into(),
            disposition: if rng.gen_bool(0.85) { "treated_released" } else { "hospitalized" }.into(),
            location: Some(["home", "road", "public_place", "school"][rng.gen_range(0..4)].into()),
            intent: Some("unintentional".into()),
            hazard_code: hazard.map(str::to_owned),
            narrative: Some(narrative.into()),
        });
    };
    let end = last_day();
    for back in 0..(6 * 364) {
        let day = end - Duration::days(back);
        for (product, diagnoses) in BACKGROUND {
            // About one case a day per product across the network.
            if rng.gen_bool(0.9) {
                let diagnosis = diagnoses[rng.gen_range(0..diagnoses.len())];
                let hospital = rng.gen_range(0..HOSPITALS.len());
                add(&mut cases, &mut rng, day, hospital, product, diagnosis, None, "日常伤害病例");
            }
        }
    }
    // E-bike battery fires in Zhejiang (hospitals 3, 8) and Guangdong (2, 9), last four weeks.
    for back in 0..28 {
        let day = end - Duration::days(back);
        for hospital in [2, 3, 8, 9] {
            if rng.gen_bool(0.6) {
                add(
                    &mut cases,
                    &mut rng,
                    day,
                    hospital,
                    "0503",
                    "burn",
                    Some("battery_fire"),
                    "电动自行车锂电池充电时起火，烧伤",
                );
            }
        }
    }
    // Small toy parts swallowed by young children, last three weeks, across the network.
    for back in 0..21 {
        let day = end - Duration::days(back);
        if rng.gen_bool(0.7) {
            let hospital = rng.gen_range(0..HOSPITALS.len());
            add(&mut cases, &mut rng, day, hospital, "0401", "foreign_body", Some("small_parts"), "幼儿误吞玩具小零件");
        }
    }
    for chunk in cases.chunks(20_000) {
        store.import_injuries(&hospitals, chunk, None).await?;
    }
    Ok(cases.len())
}

/// The response the demo's signals call for (早研判、早预警、早处置): a risk assessment of the battery fires, a
/// warning drafted by Zhejiang's risk office, reviewed by a second person, published, and the sampling ordered.
/// Runs through the service layer, so the demo obeys the workflow's rules. Returns the warning's number.
pub async fn load_warning(store: &Store) -> anyhow::Result<String> {
    use store::{NewUser, Role};
    let account = |name: &str, role, region: Option<&str>| NewUser {
        name: name.into(),
        role,
        region_code: region.map(Into::into),
        uscc: None,
        login: None,
        password: None,
    };
    let (_, analyst) =
        store.add_user(&account("演示：浙江省市场监管局风险监测处", Role::Regulator, Some("330000"))).await?;
    let (_, reviewer) = store.add_user(&account("演示：总局风险监测司", Role::Admin, None)).await?;
    let services = service::Services::new(store.clone());
    let analyst = account_of(store, &analyst).await?;
    let reviewer = account_of(store, &reviewer).await?;
    let failed = |e: service::ApiError| anyhow::anyhow!("demo warning: {}", e.message);
    let assessment: AssessmentBody = serde_json::from_value(serde_json::json!({
        "title": "电动自行车锂电池充电起火致烧伤", "product_code": "0503", "hazard": "battery_fire", "severity": 4,
        "steps": [{"description": "电池电芯存在缺陷", "probability": 0.01}, {"description": "充电时发生热失控", "probability": 0.1},
                  {"description": "起火造成严重烧伤或死亡", "probability": 0.5}],
        "signal": {"source": "injuries", "method": "farrington", "product_code": "0503", "regions": ["330000", "440000"], "week_ending": last_day().to_string()},
    }))?;
    let assessment = warning_service::create_assessment(&services, &analyst, assessment).await.map_err(failed)?;
    let draft: WarningBody = serde_json::from_value(serde_json::json!({
        "assessment_id": assessment.id, "title": "关于电动自行车锂电池充电安全的风险警示",
        "body": "近四周浙江、广东哨点医院报告多起电动自行车锂电池充电起火致烧伤病例，投诉举报同步增加。请消费者勿在楼道、室内充电，勿使用非原厂电池和充电器；生产企业应自查电芯质量。",
        "scope": {"product_codes": ["0503"], "regions": ["330000", "440000"]},
    }))?;
    let warning = warning_service::draft(&services, &analyst, draft).await.map_err(failed)?;
    let id = warning.warning.id;
    let note = |text: &str| WarningBody { note: Some(text.into()), ..WarningBody::default() };
    warning_service::advance(&services, &reviewer, &id, WarningStep::Review, note("同意发布")).await.map_err(failed)?;
    warning_service::advance(&services, &analyst, &id, WarningStep::Publish, WarningBody::default())
        .await
        .map_err(failed)?;
    let response = WarningBody {
        action: Some("sampling_ordered".into()),
        reference: Some("电动自行车锂电池专项监督抽查".into()),
        ..WarningBody::default()
    };
    warning_service::advance(&services, &analyst, &id, WarningStep::Response, response).await.map_err(failed)?;
    Ok(id)
}

/// The account behind a token just made.
pub async fn account_of(store: &Store, token: &str) -> anyhow::Result<store::User> {
    store.user_by_token(token).await?.ok_or_else(|| anyhow::anyhow!("the demo account just made is gone"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The demo's warning is published through the workflow and found by the public.
    #[tokio::test]
    async fn the_demo_warning_is_published_and_public() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("demo.db").display())).await.unwrap();
        let id = load_warning(&store).await.unwrap();
        let warning = store.warning(&id).await.unwrap().unwrap();
        assert_eq!((warning.status.as_str(), warning.level.as_str()), ("published", "serious"));
        let stages: Vec<String> = store.warning_events(&id).await.unwrap().into_iter().map(|e| e.stage).collect();
        assert_eq!(stages, ["draft", "review", "publish", "response"]);
        let public = store.warnings(true, Some("锂电池"), 10).await.unwrap();
        assert_eq!(public.len(), 1);
    }
}
