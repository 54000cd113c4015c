//! EPCIS capture, queries and trace edges on both backends.

use epcis::trace::{Direction, Tracer};
use epcis::{events_of, Role};
use serde_json::{json, Value};
use store::traceability::{ErrorBehaviour, EventQuery, GlnRegistration, IdMatch};

use crate::stores;

fn document(events: Vec<Value>) -> Value {
    json!({
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-03-01T00:00:00Z",
        "epcisBody": {"eventList": events}
    })
}

fn base(kind: &str, hour: u32) -> Value {
    json!({"type": kind, "eventTime": format!("2026-03-01T{hour:02}:00:00+08:00"), "eventTimeZoneOffset": "+08:00"})
}

fn with(mut event: Value, fields: Value) -> Value {
    for (k, v) in fields.as_object().unwrap() {
        event[k] = v.clone();
    }
    event
}

fn chain() -> Value {
    document(vec![
        with(
            base("TransformationEvent", 1),
            json!({"transformationID": "urn:epc:id:gdti:6901234.00001.1",
            "inputQuantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.000002.RAW1", "quantity": 900, "uom": "KGM"}]}),
        ),
        with(
            base("TransformationEvent", 2),
            json!({"transformationID": "urn:epc:id:gdti:6901234.00001.1",
            "outputEPCList": ["urn:epc:id:sgtin:6901234.000001.1", "urn:epc:id:sgtin:6901234.000001.2"]}),
        ),
        with(
            base("AggregationEvent", 3),
            json!({"action": "ADD", "parentID": "urn:epc:id:sscc:6901234.0000000001",
            "childEPCs": ["urn:epc:id:sgtin:6901234.000001.1"], "bizStep": "packing"}),
        ),
        with(
            base("ObjectEvent", 4),
            json!({"action": "OBSERVE", "epcList": ["urn:epc:id:sscc:6901234.0000000001"],
            "bizStep": "shipping", "disposition": "in_transit",
            "destinationList": [{"type": "owning_party", "destination": "urn:epc:id:pgln:6901234.00009"}]}),
        ),
    ])
}

#[tokio::test]
async fn capture_stores_each_event_once_and_queries_find_them() {
    for (store, _dir) in stores().await {
        let events = events_of(&chain()).unwrap();
        let first = store.capture_events(&events, ErrorBehaviour::Rollback, &json!([]), None).await.unwrap();
        assert_eq!((first.stored, first.duplicates), (4, 0));
        let again = store.capture_events(&events, ErrorBehaviour::Rollback, &json!([]), None).await.unwrap();
        assert_eq!((again.stored, again.duplicates), (0, 4), "{}", store.backend_name());
        let job = store.capture_job(again.capture_id).await.unwrap().unwrap();
        assert_eq!((job.status.as_str(), job.stored_count, job.duplicate_count), ("succeeded", 0, 4));

        let all = store.query_events(&EventQuery { limit: 10, ..EventQuery::default() }).await.unwrap();
        assert_eq!(all.events.len(), 4);
        assert!(all.events.iter().all(|e| e["recordTime"].is_string() && e["eventID"].is_string()));

        let shipped = EventQuery { biz_steps: vec!["shipping".into()], limit: 10, ..EventQuery::default() };
        assert_eq!(store.query_events(&shipped).await.unwrap().events.len(), 1);

        let can = epcis::canonical_id("urn:epc:id:sgtin:6901234.000001.1");
        let by_epc = EventQuery {
            id_conditions: vec![(vec![Role::Epc, Role::Child], vec![IdMatch::Exact(can)])],
            limit: 10,
            ..EventQuery::default()
        };
        assert_eq!(store.query_events(&by_epc).await.unwrap().events[0]["type"], "AggregationEvent");

        let gtin = epcis::canonical_id("urn:epc:idpat:sgtin:6901234.000001.*");
        let class = EventQuery {
            id_conditions: vec![(vec![Role::Output], vec![IdMatch::Class(gtin)])],
            limit: 10,
            ..EventQuery::default()
        };
        assert_eq!(store.query_events(&class).await.unwrap().events.len(), 1);

        // Paging: two pages of two, in event-time order, then none.
        let mut query = EventQuery { limit: 2, ..EventQuery::default() };
        let page = store.query_events(&query).await.unwrap();
        assert_eq!(page.events[0]["type"], "TransformationEvent");
        query.after = page.next;
        let second = store.query_events(&query).await.unwrap();
        assert_eq!(second.events.len(), 2);
        assert_eq!(second.events[1]["type"], "ObjectEvent");
        assert!(second.next.is_none());
    }
}

#[tokio::test]
async fn trace_follows_stored_edges_across_split_transformations() {
    for (store, _dir) in stores().await {
        let events = events_of(&chain()).unwrap();
        store.capture_events(&events, ErrorBehaviour::Rollback, &json!([]), None).await.unwrap();
        let raw = epcis::canonical_id("urn:epc:class:lgtin:6901234.000002.RAW1");
        let mut tracer = Tracer::new(vec![raw], Direction::Forward, None, 1000);
        loop {
            let wanted = tracer.wanted();
            if wanted.is_empty() {
                break;
            }
            let edges = store.trace_edges(&wanted).await.unwrap();
            tracer.absorb(&wanted, edges);
        }
        let trace = tracer.finish();
        assert_eq!(trace.items.len(), 3, "{}: {:?}", store.backend_name(), trace.items);
        assert_eq!(trace.parties.len(), 1);
        assert_eq!(trace.parties[0].id, "https://id.gs1.org/417/6901234000092");

        store
            .register_glns(
                &[GlnRegistration {
                    gln: "6901234000092".into(),
                    kind: "party".into(),
                    uscc: None,
                    name: "某某乳业经销有限公司".into(),
                    region_code: "110105".into(),
                    address: None,
                }],
                None,
            )
            .await
            .unwrap();
        let found = store.gln_registrations(&["6901234000092".into()]).await.unwrap();
        assert_eq!(found["6901234000092"].region_code, "110105");
    }
}

#[tokio::test]
async fn an_error_declaration_withdraws_the_event_from_the_trace() {
    for (store, _dir) in stores().await {
        let shipment = with(
            base("ObjectEvent", 4),
            json!({"action": "OBSERVE", "epcList": ["urn:epc:id:sscc:6901234.0000000001"],
            "bizStep": "shipping", "destinationList": [{"type": "owning_party", "destination": "urn:epc:id:pgln:6901234.00009"}]}),
        );
        store
            .capture_events(
                &events_of(&document(vec![shipment.clone()])).unwrap(),
                ErrorBehaviour::Rollback,
                &json!([]),
                None,
            )
            .await
            .unwrap();
        let pallet = epcis::canonical_id("urn:epc:id:sscc:6901234.0000000001");
        assert_eq!(store.trace_edges(std::slice::from_ref(&pallet)).await.unwrap().len(), 1);
        let declared = with(
            shipment,
            json!({"errorDeclaration": {"declarationTime": "2026-03-02T00:00:00Z", "reason": "did_not_occur"}}),
        );
        let outcome = store
            .capture_events(&events_of(&document(vec![declared])).unwrap(), ErrorBehaviour::Rollback, &json!([]), None)
            .await
            .unwrap();
        assert_eq!(outcome.stored, 1, "{}", store.backend_name());
        assert!(store.trace_edges(std::slice::from_ref(&pallet)).await.unwrap().is_empty(), "{}", store.backend_name());
        // Both versions stay queryable; the declaration is the one served by ID.
        let all = store.query_events(&EventQuery { limit: 10, ..EventQuery::default() }).await.unwrap();
        assert_eq!(all.events.len(), 2);
    }
}
