//! The trace over a small chain: lots → powder → cans → cases → pallet → distributor → retailers.

use epcis::trace::{edges, Direction, StoredEdge, Tracer};
use epcis::{events_of, Event};
use serde_json::{json, Value};

fn sgtin(serial: u32) -> String {
    format!("urn:epc:id:sgtin:6901234.000001.{serial}")
}
fn lot(name: &str) -> String {
    format!("urn:epc:class:lgtin:6901234.000002.{name}")
}
fn sscc(n: u32) -> String {
    format!("urn:epc:id:sscc:6901234.{n:010}")
}
fn party(n: u32) -> String {
    format!("urn:epc:id:pgln:6901234.{n:05}")
}

fn at(hour: u32) -> String {
    format!("2026-03-01T{hour:02}:00:00+08:00")
}

fn event(body: Value, hour: u32) -> Event {
    let mut body = body;
    body["eventTime"] = json!(at(hour));
    body["eventTimeZoneOffset"] = json!("+08:00");
    body["@context"] = json!("https://ref.gs1.org/standards/epcis/epcis-context.jsonld");
    events_of(&body).unwrap().remove(0)
}

fn transform(inputs: &[&str], outputs: Value, hour: u32) -> Event {
    let inputs: Vec<Value> =
        inputs.iter().map(|l| json!({"epcClass": lot(l), "quantity": 100, "uom": "KGM"})).collect();
    let mut body = json!({"type": "TransformationEvent", "inputQuantityList": inputs, "bizStep": "commissioning"});
    match outputs {
        Value::Array(epcs) => body["outputEPCList"] = Value::Array(epcs),
        class => body["outputQuantityList"] = json!([{"epcClass": class, "quantity": 50, "uom": "KGM"}]),
    }
    event(body, hour)
}

fn pack(parent: &str, children: &[String], action: &str, hour: u32) -> Event {
    event(
        json!({"type": "AggregationEvent", "action": action, "parentID": parent, "childEPCs": children, "bizStep": "packing"}),
        hour,
    )
}

fn ship(epc: &str, to: u32, hour: u32) -> Event {
    event(
        json!({"type": "ObjectEvent", "action": "OBSERVE", "epcList": [epc], "bizStep": "shipping",
               "destinationList": [{"type": "owning_party", "destination": party(to)}]}),
        hour,
    )
}

fn chain() -> Vec<Event> {
    vec![
        transform(&["L1"], json!(lot("P1")), 1),
        transform(&["L2"], json!(lot("P2")), 1),
        transform(&["P1"], json!([sgtin(1), sgtin(2)]), 2),
        transform(&["P2"], json!([sgtin(3), sgtin(4)]), 2),
        pack(&sscc(1), &[sgtin(1), sgtin(3)], "ADD", 3),
        pack(&sscc(2), &[sgtin(2)], "ADD", 3),
        pack(&sscc(9), &[sscc(1)], "ADD", 4),
        ship(&sscc(9), 100, 5),
        pack(&sscc(9), &[], "DELETE", 6),
        ship(&sscc(9), 999, 7),
        ship(&sscc(1), 201, 8),
        ship(&sscc(2), 202, 8),
        ship(&sgtin(4), 204, 9),
    ]
}

fn run(start: &str, direction: Direction) -> epcis::trace::Trace {
    let stored: Vec<StoredEdge> = chain()
        .iter()
        .enumerate()
        .flat_map(|(i, e)| {
            edges(e).into_iter().map(move |edge| StoredEdge { edge, event: i as i64, time: e.event_time })
        })
        .collect();
    let mut tracer = Tracer::new(vec![epcis::canonical_id(start)], direction, None, 10_000);
    let mut rounds = 0;
    loop {
        let wanted = tracer.wanted();
        if wanted.is_empty() {
            break;
        }
        let touching =
            stored.iter().filter(|e| wanted.contains(&e.edge.from) || wanted.contains(&e.edge.to)).cloned().collect();
        tracer.absorb(&wanted, touching);
        rounds += 1;
        assert!(rounds < 20);
    }
    tracer.finish()
}

fn ids(list: &[String]) -> Vec<String> {
    let mut ids: Vec<String> = list.iter().map(|s| epcis::canonical_id(s)).collect();
    ids.sort();
    ids
}

#[test]
fn forward_from_a_lot_reaches_its_products_and_only_their_receivers() {
    let trace = run(&lot("L1"), Direction::Forward);
    let mut items: Vec<String> = trace.items.iter().map(|i| i.id.clone()).collect();
    items.sort();
    assert_eq!(items, ids(&[lot("L1"), lot("P1"), sgtin(1), sgtin(2)]));
    let mut parties: Vec<String> = trace.parties.iter().map(|p| p.id.clone()).collect();
    parties.sort();
    // The pallet reached 100 while it held case 1; after the DELETE its shipment to 999 does not count.
    assert_eq!(parties, ids(&[party(100), party(201), party(202)]));
    let can = trace.items.iter().find(|i| i.id == epcis::canonical_id(&sgtin(1))).unwrap();
    assert_eq!(can.path.iter().map(|s| s.how).collect::<Vec<_>>(), ["transforms", "transforms"]);
}

#[test]
fn backward_from_a_case_reaches_its_cans_and_their_lots() {
    let trace = run(&sscc(1), Direction::Backward);
    let mut items: Vec<String> = trace.items.iter().map(|i| i.id.clone()).collect();
    items.sort();
    assert_eq!(items, ids(&[sscc(1), sgtin(1), sgtin(3), lot("P1"), lot("P2"), lot("L1"), lot("L2")]));
}
