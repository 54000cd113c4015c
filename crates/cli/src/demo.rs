//! Deterministic, realistic demo data: organizations registered in every mainland province with valid
//! USCCs whose region part is a real registering authority, products with valid GS1 China GTINs.

use clap::ValueEnum;
use codes::{region, Gtin, RegionCode, RegionLevel, Uscc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use store::{Indexed, NewOrganization, NewProduct, RegistrationStatus, Store};

/// Dataset sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scale {
    /// 1,000 organizations.
    Small,
    /// 100,000 organizations.
    Medium,
    /// 1,000,000 organizations.
    Large,
}

impl Scale {
    /// Number of organizations.
    pub fn organizations(self) -> usize {
        match self {
            Scale::Small => 1_000,
            Scale::Medium => 100_000,
            Scale::Large => 1_000_000,
        }
    }
}

const BRAND_SYLLABLES: &[&str] = &[
    "华", "联", "盛", "达", "新", "宏", "泰", "康", "美", "佳", "金", "鑫", "源", "丰", "瑞", "恒", "德", "信", "通",
    "安", "裕", "隆", "兴", "明", "光", "海", "天", "正", "和", "嘉", "顺", "益", "荣", "昌", "星", "创", "博", "智",
    "远", "晨",
];
const SURNAMES: &[&str] =
    &["王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林"];
const GIVEN: &[&str] =
    &["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "霞", "平"];
const STREETS: &[&str] =
    &["人民路", "解放路", "建设路", "中山路", "工业大道", "科技园路", "滨江路", "新华街", "文化路"];

/// Industries: name part, product category, product names and specifications.
const INDUSTRIES: &[(&str, &str, &[&str], &[&str])] = &[
    ("乳业", "0101", &["纯牛奶", "酸奶", "奶粉"], &["250ml", "1L", "900g"]),
    ("饮料", "0102", &["纯净水", "果汁饮料", "茶饮料", "碳酸饮料"], &["550ml", "1.5L"]),
    ("粮油食品", "0103", &["大米", "小麦粉", "挂面"], &["5kg", "10kg", "1kg"]),
    ("油脂", "0104", &["花生油", "菜籽油", "调和油"], &["5L", "1.8L"]),
    ("塑料制品", "0201", &["保鲜盒", "一次性餐盒", "塑料水杯"], &["500ml", "1000ml"]),
    ("日化", "0202", &["洗洁精", "果蔬清洗剂"], &["500g", "1.5kg"]),
    ("服饰", "0301", &["衬衫", "羽绒服", "牛仔裤"], &["M", "L", "XL"]),
    ("鞋业", "0302", &["运动鞋", "皮鞋", "凉鞋"], &["40", "42"]),
    ("玩具", "0401", &["积木", "毛绒玩具", "电动玩具车"], &["3岁以上", "6岁以上"]),
    ("童车", "0402", &["婴儿推车", "儿童自行车"], &["标准型"]),
    ("电器", "0501", &["电饭煲", "电热水壶", "电风扇", "吹风机"], &["220V 800W", "220V 1500W"]),
    ("电缆", "0502", &["电线", "电力电缆"], &["BV 2.5mm²", "YJV 4×16"]),
    ("电动车", "0503", &["电动自行车"], &["48V 12Ah"]),
    ("电子科技", "0504", &["移动电源", "手机充电器"], &["10000mAh", "5V 2A"]),
    ("木业", "0601", &["刨花板", "胶合板"], &["18mm", "12mm"]),
    ("涂料", "0602", &["内墙乳胶漆", "木器漆"], &["5L", "18L"]),
    ("化肥", "0701", &["复合肥", "尿素"], &["40kg", "50kg"]),
    ("燃气具", "0802", &["燃气灶", "燃气热水器"], &["天然气", "液化石油气"]),
    ("头盔", "0902", &["电动自行车头盔"], &["均码"]),
];

/// Province-level codes that issue USCCs (mainland), with their registering authorities (the province
/// itself, its prefectures and counties in use today).
fn authorities() -> Vec<(String, Vec<&'static region::Region>)> {
    let mut provinces: Vec<(String, Vec<&'static region::Region>)> = region::in_use()
        .filter(|r| r.level == RegionLevel::Province && r.code.as_str() < "710000")
        .map(|r| (r.code.clone(), Vec::new()))
        .collect();
    for region in region::in_use() {
        if let Some((_, list)) = provinces.iter_mut().find(|(code, _)| code[..2] == region.code[..2]) {
            list.push(region);
        }
    }
    provinces
}

/// A short place name for company names: the prefecture's (or municipality's) name without its suffix.
fn place_name(code: &str) -> String {
    let prefecture =
        region::lookup(&format!("{}00", &code[..4])).or_else(|| region::lookup(&format!("{}0000", &code[..2])));
    let name = prefecture.map(|r| r.name.as_str()).unwrap_or("");
    let name = if name == "市辖区" || name == "县" {
        region::lookup(&format!("{}0000", &code[..2])).map_or("", |r| r.name.as_str())
    } else {
        name
    };
    for suffix in
        ["特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "盟", "省", "市"]
    {
        if let Some(stripped) = name.strip_suffix(suffix) {
            if stripped.chars().count() >= 2 {
                return stripped.chars().take(4).collect();
            }
        }
    }
    name.chars().take(4).collect()
}

/// Eight characters of an organization-code body from a number, unique per number.
fn org_body(n: usize) -> String {
    const SET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
    let mut body = *b"MA000000";
    let mut rest = n;
    for slot in body[2..].iter_mut().rev() {
        *slot = SET[rest % SET.len()];
        rest /= SET.len();
    }
    String::from_utf8(body.to_vec()).expect("ASCII")
}

/// The demo organizations for a scale and seed, generated lazily in a fixed order.
pub fn organizations(count: usize, seed: u64) -> impl Iterator<Item = (NewOrganization, usize)> {
    let authorities = authorities();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count).map(move |i| {
        let (_, regions) = &authorities[i % authorities.len()];
        let authority = regions.choose(&mut rng).expect("every province has regions");
        let industry = rng.gen_range(0..INDUSTRIES.len());
        let (category, entity_type) = match rng.gen_range(0..20) {
            0..=15 => ('1', if rng.gen_bool(0.2) { "股份有限公司" } else { "有限责任公司" }),
            16..=18 => ('2', "个体工商户"),
            _ => ('3', "农民专业合作社"),
        };
        // The organization-code check character is a digit or X, all in the GB 32100 set.
        let uscc = Uscc::assemble(&format!("9{category}{}", authority.code), &org_body(i)).expect("valid characters");
        let brand: String = (0..2).map(|_| *BRAND_SYLLABLES.choose(&mut rng).unwrap()).collect();
        let place = place_name(&authority.code);
        let suffix = match category {
            '1' if entity_type == "股份有限公司" => "股份有限公司",
            '1' => "有限公司",
            '2' => "经营部",
            _ => "专业合作社",
        };
        let name = format!("{place}{brand}{}{suffix}", INDUSTRIES[industry].0);
        let year = rng.gen_range(2015..=2024);
        let registered_on = format!("{year}-{:02}-{:02}", rng.gen_range(1..=12), rng.gen_range(1..=28));
        let registered_on = if registered_on.as_str() < "2015-10-01" { "2015-10-01".to_owned() } else { registered_on };
        let representative = format!(
            "{}{}{}",
            SURNAMES.choose(&mut rng).unwrap(),
            GIVEN.choose(&mut rng).unwrap(),
            GIVEN.choose(&mut rng).unwrap()
        );
        let address = format!("{}{}{}号", authority.name, STREETS.choose(&mut rng).unwrap(), rng.gen_range(1..999));
        let organization = NewOrganization {
            uscc,
            name,
            region_code: RegionCode::parse(&authority.code).expect("a code of the region table"),
            address: Some(address),
            legal_representative: Some(representative),
            entity_type: Some(entity_type.to_owned()),
            status: if rng.gen_bool(0.03) { RegistrationStatus::Cancelled } else { RegistrationStatus::Active },
            registered_on: Some(registered_on),
        };
        (organization, industry)
    })
}

/// GTIN-14 of a manufacturer's `item`-th product, under a GS1 China company prefix given by its number.
fn gtin(manufacturer: usize, item: usize) -> Gtin {
    let data = if manufacturer < 500_000 {
        format!("{}{:05}{:04}", 692 + manufacturer / 100_000, manufacturer % 100_000, item)
    } else {
        format!("697{:06}{:03}", manufacturer - 500_000, item)
    };
    Gtin::parse(&format!("0{}", codes::with_check_digit(&data))).expect("the check digit was just computed")
}

/// Products of the manufacturers among the organizations (every other company): one to three each.
pub fn products(
    organization: &NewOrganization,
    industry: usize,
    index: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<NewProduct> {
    if !index.is_multiple_of(2) || !organization.uscc.as_str().starts_with("91") {
        return Vec::new();
    }
    let manufacturer = index / 2;
    let (_, category, names, specs) = INDUSTRIES[industry];
    let brand: String =
        organization.name.chars().skip(place_name(organization.region_code.as_str()).chars().count()).take(2).collect();
    (0..rng.gen_range(1..=3))
        .map(|item| NewProduct {
            gtin: gtin(manufacturer, item),
            name: names.choose(rng).unwrap().to_string(),
            uscc: organization.uscc.clone(),
            category_code: Some(category.to_owned()),
            brand: Some(brand.clone()),
            specification: Some(specs.choose(rng).unwrap().to_string()),
        })
        .collect()
}

/// Loads the dataset in batches; returns the numbers of organizations and products written.
pub async fn load(store: &Store, scale: Scale, seed: u64) -> anyhow::Result<(usize, usize)> {
    const BATCH: usize = crate::import::DEFAULT_BATCH_SIZE;
    let mut product_rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(1));
    let (mut organizations_written, mut products_written) = (0, 0);
    let mut batch = Vec::with_capacity(BATCH);
    let mut product_batch = Vec::new();
    // Companies (category 1) that inspections can sample: every third, up to 30,000.
    let mut sampled: Vec<(String, String)> = Vec::new();
    for (index, (organization, industry)) in organizations(scale.organizations(), seed).enumerate() {
        if index % 3 == 0
            && sampled.len() < 30_000
            && organization.uscc.as_str().starts_with("91")
            && organization.status == RegistrationStatus::Active
        {
            sampled.push((organization.uscc.to_string(), organization.region_code.to_string()));
        }
        product_batch.extend(products(&organization, industry, index, &mut product_rng).into_iter().map(Indexed::from));
        batch.push(Indexed::from(organization));
        if batch.len() == BATCH {
            organizations_written += batch.len();
            products_written += product_batch.len();
            store.import_organizations(std::mem::take(&mut batch), None).await?;
            store.import_products(std::mem::take(&mut product_batch), None).await?;
        }
    }
    if !batch.is_empty() {
        organizations_written += batch.len();
        products_written += product_batch.len();
        store.import_organizations(batch, None).await?;
        store.import_products(product_batch, None).await?;
    }
    let samples = inspections(store, &sampled, scale, seed).await?;
    tracing::info!(samples, "demo inspection results loaded");
    let recall = crate::demo_trace::load(store).await?;
    tracing::info!(recall, "demo supply chain and recall loaded");
    let injuries = crate::demo_injuries::load(store).await?;
    tracing::info!(injuries, "demo injury cases loaded");
    let complaints = crate::demo_complaints::load(store, crate::demo_injuries::last_day()).await?;
    tracing::info!(complaints, "demo complaints loaded");
    let warning = crate::demo_injuries::load_warning(store).await?;
    tracing::info!(warning, "demo risk warning published");
    let certificates = crate::demo_certification::load(store).await?;
    tracing::info!(certificates, "demo certification bodies, certificates and status changes loaded");
    let (licences, labs, equipment, instruments) = crate::demo_registers::load(store).await?;
    tracing::info!(
        licences,
        labs,
        equipment,
        instruments,
        "demo licences, labs, special equipment and instruments loaded"
    );
    let listings = crate::demo_credit::load(store).await?;
    tracing::info!(listings, "demo credit listings loaded");
    Ok((organizations_written, products_written))
}

/// Test items that fail in each category: (category, item, standard clause).
const FAILING_ITEMS: &[(&str, &str, &str)] = &[
    ("0101", "蛋白质", "GB 25190-2010 4.3"),
    ("0102", "菌落总数", "GB 7101-2022 3.4"),
    ("0103", "镉(以Cd计)", "GB 2762-2022 4.1"),
    ("0104", "酸价", "GB 2716-2018 3.3"),
    ("0201", "总迁移量", "GB 4806.7-2016 4.2"),
    ("0202", "总活性物含量", "GB 9985-2000 4.2"),
    ("0301", "纤维含量", "GB/T 29862-2013 4.1"),
    ("0302", "耐折性能", "QB/T 4331-2012 5.2"),
    ("0303", "甲醛含量", "GB 18401-2010 6.1"),
    ("0401", "小零件", "GB 6675.2-2014 4.1"),
    ("0402", "制动性能", "GB 14746-2006 4.7"),
    ("0403", "绳带要求", "GB 31701-2015 5.2"),
    ("0501", "输入功率和电流", "GB 4706.1-2005 10"),
    ("0502", "导体电阻", "GB/T 5023.3-2008 2.1"),
    ("0503", "最高车速", "GB 17761-2018 6.1.1"),
    ("0504", "外壳阻燃", "GB 4943.1-2022 6.4"),
    ("0601", "甲醛释放量", "GB 18580-2017 5"),
    ("0602", "挥发性有机化合物含量", "GB 18582-2020 4"),
    ("0701", "总养分", "GB/T 15063-2020 4.2"),
    ("0801", "有效成分含量", "GB 2713-2015 3.2"),
    ("0802", "熄火保护装置", "GB 16410-2020 5.3"),
    ("0901", "制动液沸点", "GB 12981-2012 5.1"),
    ("0902", "吸收碰撞能量性能", "GB 811-2022 5.5"),
];

/// A year and more of national and provincial sampling results on the demo organizations, published, with
/// category pass rates between about 80% and 99%, a few re-tests that reversed a failure, and follow-ups.
async fn inspections(store: &Store, sampled: &[(String, String)], scale: Scale, seed: u64) -> anyhow::Result<usize> {
    use store::inspections::{NewEvent, NewSample, SampleChange};
    if sampled.is_empty() {
        return Ok(0);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(2));
    let per_campaign = match scale {
        Scale::Small => 60,
        Scale::Medium => 200,
        Scale::Large => 600,
    };
    let today = chrono::Utc::now().date_naive();
    let channels = [("production", 3_000), ("retail", 6_000), ("online", 4_000)];
    let mut all = Vec::new();
    let mut failures = Vec::new();
    for year in [2024, 2025, 2026] {
        for (category, _, _) in FAILING_ITEMS {
            // Each category has its own quality level, improving a little each year.
            let base =
                0.80 + 0.19 * (((category.parse::<u32>().unwrap_or(0) * 7919 + seed as u32) % 100) as f64 / 100.0);
            let rate = (base + 0.01 * f64::from(year - 2024)).min(0.995);
            let campaigns = [(format!("{year}-GC-{category}"), "national", per_campaign, None)]
                .into_iter()
                .chain(
                    (category.ends_with('1'))
                        .then(|| (format!("{year}-SC33-{category}"), "provincial", per_campaign / 3, Some("33"))),
                )
                .chain(
                    (category.ends_with('2'))
                        .then(|| (format!("{year}-SC44-{category}"), "provincial", per_campaign / 3, Some("44"))),
                );
            for (campaign, level, count, province) in campaigns {
                let frame: Vec<&(String, String)> =
                    sampled.iter().filter(|(_, region)| province.is_none_or(|p| region.starts_with(p))).collect();
                if frame.is_empty() {
                    continue;
                }
                let chosen: Vec<&&(String, String)> = frame.choose_multiple(&mut rng, count.min(frame.len())).collect();
                for (index, (uscc, region)) in chosen.into_iter().enumerate() {
                    let month = rng.gen_range(3..=11);
                    let date = chrono::NaiveDate::from_ymd_opt(year, month, rng.gen_range(1..=28)).expect("valid date");
                    if date > today {
                        continue;
                    }
                    let (channel, population) = channels[index % channels.len()];
                    let passed = rng.gen_bool(rate);
                    let item = FAILING_ITEMS
                        .iter()
                        .find(|(c, ..)| c == category)
                        .map(|(_, item, clause)| format!("{clause} {item}"));
                    let sample = NewSample {
                        sample_id: format!("{campaign}-{:04}", index + 1),
                        campaign_id: campaign.clone(),
                        campaign_level: level.to_owned(),
                        sampled_on: date.to_string(),
                        product_category: (*category).to_owned(),
                        uscc: uscc.clone(),
                        region_code: region.clone(),
                        channel: channel.to_owned(),
                        verdict: if passed { "pass" } else { "fail" }.to_owned(),
                        gtin: None,
                        lot: Some(format!("{}{:02}{:02}", year, month, index % 28 + 1)),
                        production_date: None,
                        lab: Some(if level == "national" { "国家质检中心" } else { "省产品质量检验研究院" }.to_owned()),
                        sampler: None,
                        failed_items: if passed { None } else { item },
                        stratum: Some(channel.to_owned()),
                        stratum_population: Some(if level == "national" { population } else { population / 6 }),
                    };
                    if !passed {
                        failures.push((sample.sample_id.clone(), date));
                    }
                    all.push(sample);
                }
            }
        }
    }
    for chunk in all.chunks(5_000) {
        store.import_samples(chunk, None).await?;
    }
    // Follow-ups: every failure gets a rectification order; every fifth a re-inspection; a few re-tests
    // reversed the first verdict.
    for (index, (sample_id, date)) in failures.iter().enumerate() {
        let on = *date + chrono::Duration::days(40);
        if on > today {
            continue;
        }
        if index % 11 == 0 {
            let change = SampleChange { verdict: Some("pass".into()), failed_items: Some(None), ..Default::default() };
            let event = NewEvent {
                kind: "retest_result".into(),
                on_date: (*date + chrono::Duration::days(20)).to_string(),
                due_on: None,
                details: Some("pass".into()),
            };
            store.change_sample(sample_id, &change, &event, None).await?;
            continue;
        }
        let order = NewEvent {
            kind: "rectification_ordered".into(),
            on_date: on.to_string(),
            due_on: Some((on + chrono::Duration::days(60)).to_string()),
            details: Some("责令限期整改".into()),
        };
        store.change_sample(sample_id, &SampleChange::default(), &order, None).await?;
        if index % 5 == 0 && on + chrono::Duration::days(70) <= today {
            let recheck = NewEvent {
                kind: "reinspected".into(),
                on_date: (on + chrono::Duration::days(70)).to_string(),
                due_on: None,
                details: Some("pass".into()),
            };
            store.change_sample(sample_id, &SampleChange::default(), &recheck, None).await?;
        }
    }
    Ok(all.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_data_is_valid_deterministic_and_national() {
        let first: Vec<_> = organizations(2_000, 7).collect();
        let again: Vec<_> = organizations(2_000, 7).collect();
        assert_eq!(first, again);
        let mut provinces = std::collections::HashSet::new();
        let mut usccs = std::collections::HashSet::new();
        let mut rng = ChaCha8Rng::seed_from_u64(8);
        for (index, (org, industry)) in first.iter().enumerate() {
            let uscc = Uscc::parse(org.uscc.as_str()).expect("valid USCC");
            assert!(uscc.warnings().is_empty(), "{}: {:?}", org.uscc, uscc.warnings());
            assert_eq!(uscc.region_code(), org.region_code.as_str());
            assert!(usccs.insert(org.uscc.clone()), "duplicate {}", org.uscc);
            provinces.insert(org.region_code.as_str()[..2].to_owned());
            for product in products(org, *industry, index, &mut rng) {
                let gtin = codes::Gtin::parse(product.gtin.as_str()).expect("valid GTIN");
                assert!(gtin.is_gs1_china(), "{}", product.gtin);
            }
        }
        assert_eq!(provinces.len(), 31, "every mainland province");
    }

    #[test]
    fn gtins_are_unique_across_manufacturers() {
        let mut seen = std::collections::HashSet::new();
        for manufacturer in [0, 1, 99_999, 100_000, 499_999, 500_000, 999_999] {
            for item in 0..3 {
                assert!(seen.insert(gtin(manufacturer, item)));
            }
        }
    }
}
