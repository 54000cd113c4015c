//! The demo supply chain: raw milk lots from two farms become infant-formula powder lots, the powder is canned,
//! cans are packed in cases and cases on pallets, pallets go to two distributors, who unpack them and send
//! cases on to retailers in four provinces. Farm B's lot is found contaminated and the recall is scoped from it.
//!
//! Every party has a GS1 China company prefix of its own (697 9xxxxx, nine digits, outside the range the
//! product demo uses) with its GLNs registered to its USCC, so a trace names the organizations it reaches.

use codes::Uscc;
use epcis::events_of;
use recalls::Stage;
use serde_json::{json, Value};
use service::recalls::{advance, create_recall, ReportBody, StageBody};
use service::Services;
use store::traceability::{ErrorBehaviour, GlnRegistration};
use store::{NewOrganization, NewProduct, NewUser, Role, Store};

/// A party of the chain: its company prefix, USCC region, name and role.
struct Party {
    prefix: &'static str,
    region: &'static str,
    name: &'static str,
    body: &'static str,
}

const FARM_A: usize = 0;
const FARM_B: usize = 1;
const FACTORY: usize = 2;
const DISTRIBUTOR_BEIJING: usize = 3;
const DISTRIBUTOR_GUANGZHOU: usize = 4;
/// Retailers, in the order cases are sent to them.
const RETAILERS: [usize; 6] = [5, 6, 7, 8, 9, 10];

const PARTIES: [Party; 11] = [
    Party { prefix: "697900001", region: "150121", name: "土默特左旗绿源牧场有限公司", body: "MA9X0001" },
    Party { prefix: "697900002", region: "230123", name: "依兰县北纯牧场有限公司", body: "MA9X0002" },
    Party { prefix: "697900003", region: "230102", name: "哈尔滨优贝乳业有限公司", body: "MA9X0003" },
    Party { prefix: "697900004", region: "110105", name: "北京京贝商贸有限公司", body: "MA9X0004" },
    Party { prefix: "697900005", region: "440106", name: "广州穗贝贸易有限公司", body: "MA9X0005" },
    Party { prefix: "697900006", region: "110108", name: "北京海淀惠民超市有限公司", body: "MA9X0006" },
    Party {
        prefix: "697900007", region: "110102", name: "北京西城宝贝母婴用品有限公司", body: "MA9X0007"
    },
    Party { prefix: "697900008", region: "440104", name: "广州越秀乐购超市有限公司", body: "MA9X0008" },
    Party {
        prefix: "697900009", region: "330106", name: "杭州西湖贝佳母婴用品有限公司", body: "MA9X0009"
    },
    Party { prefix: "697900010", region: "310115", name: "上海浦东家家福超市有限公司", body: "MA9X000A" },
    Party { prefix: "697900011", region: "440105", name: "广州海珠育婴坊商贸有限公司", body: "MA9X000B" },
];

/// Cans per powder lot, cans per case, and which cases each retailer receives (cases 0–3 hold lot P1,
/// made with farm B's milk; cases 4–7 hold lot P2, farm A's milk only).
const CANS_PER_LOT: u32 = 48;
const CANS_PER_CASE: u32 = 12;
const CASES_OF_RETAILER: [&[u32]; 6] = [&[0], &[1, 4], &[2], &[3], &[5], &[6, 7]];

fn typed_uscc(party: &Party) -> Uscc {
    Uscc::assemble(&format!("91{}", party.region), party.body).expect("valid characters")
}

fn uscc(party: &Party) -> String {
    typed_uscc(party).to_string()
}

fn pgln(party: usize) -> String {
    format!("urn:epc:id:pgln:{}.000", PARTIES[party].prefix)
}

fn sgln(party: usize) -> String {
    format!("urn:epc:id:sgln:{}.001.0", PARTIES[party].prefix)
}

fn gln(party: usize) -> String {
    codes::with_check_digit(&format!("{}000", PARTIES[party].prefix))
}

fn location_gln(party: usize) -> String {
    codes::with_check_digit(&format!("{}001", PARTIES[party].prefix))
}

fn raw_lot(farm: usize, lot: &str) -> String {
    format!("urn:epc:class:lgtin:{}.0001.{lot}", PARTIES[farm].prefix)
}

fn powder_lot(lot: &str) -> String {
    format!("urn:epc:class:lgtin:{}.0002.{lot}", PARTIES[FACTORY].prefix)
}

fn can(serial: u32) -> String {
    format!("urn:epc:id:sgtin:{}.0003.{serial}", PARTIES[FACTORY].prefix)
}

fn case(n: u32) -> String {
    format!("urn:epc:id:sscc:{}.1{:07}", PARTIES[FACTORY].prefix, n + 1)
}

fn pallet(n: u32) -> String {
    format!("urn:epc:id:sscc:{}.2{:07}", PARTIES[FACTORY].prefix, n + 1)
}

/// The contaminated raw milk lot the demo recall is traced from.
pub fn contaminated_lot() -> String {
    raw_lot(FARM_B, "B20260901")
}

/// USCCs of the retailers that received product made from the contaminated lot.
#[cfg(test)]
fn affected_retailers() -> Vec<String> {
    RETAILERS
        .iter()
        .zip(CASES_OF_RETAILER)
        .filter(|(_, cases)| cases.iter().any(|c| *c < 4))
        .map(|(party, _)| uscc(&PARTIES[*party]))
        .collect()
}

/// USCCs of every retailer.
#[cfg(test)]
fn retailers() -> Vec<String> {
    RETAILERS.iter().map(|party| uscc(&PARTIES[*party])).collect()
}

fn at(day: u32, hour: u32) -> String {
    let (month, day) = if day > 30 { (10, day - 30) } else { (9, day) };
    format!("2026-{month:02}-{day:02}T{hour:02}:00:00+08:00")
}

fn event(kind: &str, time: String, fields: Value) -> Value {
    let mut event = json!({"type": kind, "eventTime": time, "eventTimeZoneOffset": "+08:00"});
    for (key, value) in fields.as_object().expect("object") {
        event[key] = value.clone();
    }
    event
}

fn shipment(what: Value, from: usize, to: usize, time: String) -> Vec<Value> {
    let mut ship = json!({"action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
        "readPoint": {"id": sgln(from)},
        "sourceList": [{"type": "owning_party", "source": pgln(from)}, {"type": "location", "source": sgln(from)}],
        "destinationList": [{"type": "owning_party", "destination": pgln(to)}, {"type": "location", "destination": sgln(to)}]});
    let mut receive = json!({"action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
        "readPoint": {"id": sgln(to)}, "bizLocation": {"id": sgln(to)}});
    for target in [&mut ship, &mut receive] {
        for (key, value) in what.as_object().expect("object") {
            target[key] = value.clone();
        }
    }
    let later = time.replace("T08:", "T16:").replace("T09:", "T17:").replace("T10:", "T18:");
    vec![event("ObjectEvent", time, ship), event("ObjectEvent", later, receive)]
}

/// The chain's events, in time order.
pub fn chain_events() -> Vec<Value> {
    let mut events = Vec::new();
    let raw = [(FARM_A, "A20260901"), (FARM_A, "A20260902"), (FARM_B, "B20260901")];
    for (farm, lot) in raw {
        events.push(event(
            "ObjectEvent",
            at(1, 6),
            json!({"action": "ADD", "bizStep": "commissioning", "disposition": "active",
                "quantityList": [{"epcClass": raw_lot(farm, lot), "quantity": 6000, "uom": "KGM"}],
                "readPoint": {"id": sgln(farm)}, "bizLocation": {"id": sgln(farm)}}),
        ));
        events.extend(shipment(
            json!({"quantityList": [{"epcClass": raw_lot(farm, lot), "quantity": 6000, "uom": "KGM"}]}),
            farm,
            FACTORY,
            at(2, 8),
        ));
    }
    // Powder lot P1 blends farm A's first lot with farm B's; P2 is farm A's second lot alone.
    let blends =
        [("P20260905", vec![(FARM_A, "A20260901"), (FARM_B, "B20260901")]), ("P20260906", vec![(FARM_A, "A20260902")])];
    for (index, (lot, inputs)) in blends.iter().enumerate() {
        let inputs: Vec<Value> = inputs
            .iter()
            .map(|(farm, raw)| json!({"epcClass": raw_lot(*farm, raw), "quantity": 6000, "uom": "KGM"}))
            .collect();
        events.push(event(
            "TransformationEvent",
            at(5 + index as u32, 9),
            json!({"bizStep": "commissioning", "disposition": "active", "inputQuantityList": inputs,
                "outputQuantityList": [{"epcClass": powder_lot(lot), "quantity": 1500, "uom": "KGM"}],
                "readPoint": {"id": sgln(FACTORY)}, "bizLocation": {"id": sgln(FACTORY)},
                "ilmd": {"cbvmda:lotNumber": lot, "cbvmda:bestBeforeDate": "2028-09-05"}}),
        ));
        let first = index as u32 * CANS_PER_LOT + 1;
        let cans: Vec<String> = (first..first + CANS_PER_LOT).map(can).collect();
        events.push(event(
            "TransformationEvent",
            at(7 + index as u32, 9),
            json!({"bizStep": "commissioning", "disposition": "active",
                "inputQuantityList": [{"epcClass": powder_lot(lot), "quantity": 36, "uom": "KGM"}],
                "outputEPCList": cans, "readPoint": {"id": sgln(FACTORY)}, "bizLocation": {"id": sgln(FACTORY)},
                "ilmd": {"cbvmda:lotNumber": lot}}),
        ));
    }
    for case_number in 0..8 {
        let first = case_number * CANS_PER_CASE + 1;
        let children: Vec<String> = (first..first + CANS_PER_CASE).map(can).collect();
        events.push(event(
            "AggregationEvent",
            at(10, 10),
            json!({"action": "ADD", "bizStep": "packing", "disposition": "in_progress", "parentID": case(case_number),
                "childEPCs": children, "readPoint": {"id": sgln(FACTORY)}}),
        ));
    }
    // Pallet 1 goes to Beijing with cases 0, 1, 4, 5; pallet 2 to Guangzhou with cases 2, 3, 6, 7.
    let loads = [(0, DISTRIBUTOR_BEIJING, [0, 1, 4, 5]), (1, DISTRIBUTOR_GUANGZHOU, [2, 3, 6, 7])];
    for (pallet_number, distributor, cases) in loads {
        let children: Vec<String> = cases.iter().map(|c| case(*c)).collect();
        events.push(event(
            "AggregationEvent",
            at(11, 10),
            json!({"action": "ADD", "bizStep": "packing", "parentID": pallet(pallet_number), "childEPCs": children,
                "readPoint": {"id": sgln(FACTORY)}}),
        ));
        events.extend(shipment(json!({"epcList": [pallet(pallet_number)]}), FACTORY, distributor, at(12, 8)));
        events.push(event(
            "AggregationEvent",
            at(14, 10),
            json!({"action": "DELETE", "bizStep": "unpacking", "parentID": pallet(pallet_number),
                "readPoint": {"id": sgln(distributor)}}),
        ));
        // The emptied pallet goes back to the factory: that shipment reaches none of the cans it once held.
        events.extend(shipment(json!({"epcList": [pallet(pallet_number)]}), distributor, FACTORY, at(20, 9)));
    }
    for (retailer, cases) in RETAILERS.iter().zip(CASES_OF_RETAILER) {
        for case_number in cases {
            let distributor =
                if loads[0].2.contains(case_number) { DISTRIBUTOR_BEIJING } else { DISTRIBUTOR_GUANGZHOU };
            events.extend(shipment(json!({"epcList": [case(*case_number)]}), distributor, *retailer, at(16, 8)));
        }
    }
    // A few cans sold at the till before the recall.
    events.push(event(
        "ObjectEvent",
        at(33, 15),
        json!({"action": "OBSERVE", "bizStep": "retail_selling", "disposition": "retail_sold", "epcList": [can(1), can(2)],
            "readPoint": {"id": sgln(RETAILERS[0])}, "bizLocation": {"id": sgln(RETAILERS[0])}}),
    ));
    events
}

/// The chain as one EPCIS document.
pub fn chain_document() -> Value {
    json!({"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cbvmda": "urn:epcglobal:cbv:mda:"}],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-10-20T00:00:00+08:00",
        "epcisBody": {"eventList": chain_events()}})
}

/// Loads the chain's organizations, products, GLNs and events, and runs the recall of farm B's lot as far as
/// its first progress report. Returns the recall number.
pub async fn load(store: &Store) -> anyhow::Result<String> {
    for party in &PARTIES {
        let organization = NewOrganization {
            uscc: typed_uscc(party),
            name: party.name.to_owned(),
            region_code: party.region.parse().expect("a code of the region table"),
            address: None,
            legal_representative: None,
            entity_type: Some("有限责任公司".into()),
            status: store::RegistrationStatus::Active,
            registered_on: Some("2016-03-01".into()),
        };
        store.upsert_organization(&organization, None).await?;
    }
    let products = [
        (FARM_A, "001", "生牛乳", "0101"),
        (FARM_B, "001", "生牛乳", "0101"),
        (FACTORY, "002", "婴幼儿配方乳粉(基粉)", "0101"),
        (FACTORY, "003", "婴幼儿配方乳粉 900g", "0101"),
    ];
    for (party, item, name, category) in products {
        let gtin = format!("0{}", codes::with_check_digit(&format!("{}{item}", PARTIES[party].prefix)));
        let product = NewProduct {
            gtin: gtin.parse().expect("the check digit was just computed"),
            name: name.into(),
            uscc: typed_uscc(&PARTIES[party]),
            category_code: Some(category.into()),
            brand: Some("优贝".into()),
            specification: None,
        };
        store.upsert_product(&product, None).await?;
    }
    let mut registrations = Vec::new();
    for (index, party) in PARTIES.iter().enumerate() {
        for (gln, kind) in [(gln(index), "party"), (location_gln(index), "location")] {
            registrations.push(GlnRegistration {
                gln,
                kind: kind.into(),
                uscc: Some(uscc(party)),
                name: party.name.into(),
                region_code: party.region.into(),
                address: None,
            });
        }
    }
    store.register_glns(&registrations, None).await?;
    let events = events_of(&chain_document()).map_err(|(i, e)| anyhow::anyhow!("demo event {i}: {e}"))?;
    store.capture_events(&events, ErrorBehaviour::Rollback, &json!([]), None).await?;
    let filter = store::recalls::RecallFilter { producer_uscc: Some(uscc(&PARTIES[FACTORY])), ..Default::default() };
    if let Some(existing) = store.recalls(&filter, 1).await?.into_iter().next() {
        return Ok(existing.id);
    }

    // The recall runs under a system account that has no password and whose token is never shown.
    let (system, _) = store
        .add_user(&NewUser {
            name: "演示数据".into(),
            role: Role::Admin,
            region_code: None,
            uscc: None,
            login: None,
            password: None,
        })
        .await?;
    let state = Services::new(store.clone());
    let failed = |e: service::ApiError| anyhow::anyhow!("demo recall: {}", e.message);
    let report = ReportBody {
        regime: Some("consumer".into()),
        producer_uscc: Some(uscc(&PARTIES[FACTORY])),
        product_name: Some("婴幼儿配方乳粉 900g".into()),
        gtins: vec![format!("0{}", codes::with_check_digit(&format!("{}003", PARTIES[FACTORY].prefix)))],
        lots: vec!["P20260905".into()],
        defect: Some("原料生牛乳批次 B20260901 检出阪崎肠杆菌（克罗诺杆菌属），以其生产的乳粉批次可能受污染".into()),
        severe: true,
        learned_on: Some("2026-10-26".into()),
        trace_start: Some(contaminated_lot()),
        note: Some("省局监督抽检发现原料乳不合格后立案调查".into()),
        on: Some("2026-10-27".into()),
    };
    let recall = create_recall(&state, &system, report).await.map_err(failed)?;
    let id = recall.id;
    let stage = |on: &str| StageBody { on: Some(on.into()), ..StageBody::default() };
    let _decided = advance(
        &state,
        &system,
        &id,
        Stage::Decision,
        StageBody { decision: Some("ordered".into()), ..stage("2026-10-29") },
    )
    .await
    .map_err(failed)?;
    let plan = StageBody {
        remedy: Some("退货并全额退款，召回产品集中销毁".into()),
        production_dates: Some("2026-09-07".into()),
        sales_channels: Some("经销商—商超及母婴店".into()),
        defect_determination: Some("省级食品检验机构检验报告".into()),
        incidents: Some("未收到伤害报告".into()),
        ..stage("2026-11-03")
    };
    let _planned = advance(&state, &system, &id, Stage::Plan, plan).await.map_err(failed)?;
    let review = StageBody { accepted: Some(true), note: Some("计划审核通过".into()), ..stage("2026-11-04") };
    let _accepted = advance(&state, &system, &id, Stage::PlanReview, review).await.map_err(failed)?;
    let notice = StageBody {
        title: Some("哈尔滨优贝乳业有限公司关于召回部分婴幼儿配方乳粉的公告".into()),
        body: Some("因原料生牛乳批次 B20260901 检出阪崎肠杆菌，本公司决定召回批次 P20260905 生产的婴幼儿配方乳粉 900g。请消费者停止食用，凭购买凭证到购买门店办理退货退款。".into()),
        ..stage("2026-11-05")
    };
    let _noticed = advance(&state, &system, &id, Stage::Notice, notice).await.map_err(failed)?;
    let _progress = advance(
        &state,
        &system,
        &id,
        Stage::Progress,
        StageBody { units_recovered: Some(30.0), ..stage("2026-11-20") },
    )
    .await
    .map_err(failed)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_party_is_a_real_registration() {
        for party in &PARTIES {
            Uscc::parse(&uscc(party)).unwrap();
            assert!(codes::region::lookup(party.region).is_some(), "{}", party.region);
        }
        let problems = epcis::validate_document(&chain_document());
        assert!(problems.is_empty(), "{problems:#?}");
    }

    /// The forward trace from the contaminated lot, over the stored demo, reaches every retailer that received
    /// affected product and no other; the recall's scope says the same.
    #[tokio::test]
    async fn the_contaminated_lot_reaches_exactly_the_affected_retailers() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("demo.db").display())).await.unwrap();
        let recall_id = load(&store).await.unwrap();
        let mut tracer = epcis::trace::Tracer::new(
            vec![epcis::canonical_id(&contaminated_lot())],
            epcis::trace::Direction::Forward,
            None,
            100_000,
        );
        loop {
            let wanted = tracer.wanted();
            if wanted.is_empty() {
                break;
            }
            let edges = store.trace_edges(&wanted).await.unwrap();
            tracer.absorb(&wanted, edges);
        }
        let trace = tracer.finish();
        let glns: Vec<String> = trace
            .parties
            .iter()
            .filter(|p| p.how == epcis::trace::EdgeKind::ShipsTo)
            .filter_map(|p| p.id.rsplit('/').next().map(str::to_owned))
            .collect();
        let registered = store.gln_registrations(&glns).await.unwrap();
        let mut reached: Vec<String> = registered.values().filter_map(|r| r.uscc.clone()).collect();
        reached.sort();
        reached.dedup();
        let retailers = retailers();
        let mut reached_retailers: Vec<String> = reached.into_iter().filter(|u| retailers.contains(u)).collect();
        reached_retailers.sort();
        let mut expected = affected_retailers();
        expected.sort();
        assert_eq!(reached_retailers, expected);
        assert_eq!(expected.len(), 4);

        let recall = store.recall(&recall_id).await.unwrap().unwrap();
        assert_eq!(recall.status, "notice_published");
        // Lot P20260905 made 48 cans, all shipped; the recall counts them.
        assert_eq!((recall.units_produced, recall.units_distributed), (Some(48.0), Some(48.0)));
        let scope_organizations = recall.scope["organizations"].as_array().unwrap();
        for retailer in &expected {
            assert!(scope_organizations.contains(&json!(retailer)), "{retailer} missing from the recall scope");
        }
        for other in retailers.iter().filter(|r| !expected.contains(r)) {
            assert!(!scope_organizations.contains(&json!(other)), "{other} is not affected");
        }
        // Loading again changes nothing: events are stored once and the recall is not opened twice.
        assert_eq!(load(&store).await.unwrap(), recall_id);
    }
}
