//! What a repository indexes from an event, and the facts the trace follows.
//!
//! Identifiers are kept in canonical Digital Link form (`https://id.gs1.org/…`), so an item captured once as
//! an EPC URN and once as a Digital Link is one item; anything that is not a GS1 key is kept as given.

use serde_json::{Map, Value};

use crate::hash::{event_hash, prehash};
use crate::json::{event_tree, Context};
use crate::time;
use crate::vocab::Vocabulary;

/// The five EPCIS event types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// Observation, commissioning or decommissioning of objects.
    Object,
    /// Packing into or unpacking from a container.
    Aggregation,
    /// Association of objects with a business transaction.
    Transaction,
    /// Inputs consumed and outputs produced.
    Transformation,
    /// Assembly of components into a physical object.
    Association,
}

impl EventType {
    /// Every type, in the standard's order.
    pub const ALL: [EventType; 5] = [
        EventType::Object,
        EventType::Aggregation,
        EventType::Transaction,
        EventType::Transformation,
        EventType::Association,
    ];

    /// The JSON `type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Object => "ObjectEvent",
            EventType::Aggregation => "AggregationEvent",
            EventType::Transaction => "TransactionEvent",
            EventType::Transformation => "TransformationEvent",
            EventType::Association => "AssociationEvent",
        }
    }

    /// Reads a JSON `type` value.
    pub fn parse(value: &str) -> Option<Self> {
        EventType::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

/// An event's action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Objects come into being or into the container.
    Add,
    /// Objects are seen.
    Observe,
    /// Objects end or leave the container.
    Delete,
}

impl Action {
    /// The JSON value.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Add => "ADD",
            Action::Observe => "OBSERVE",
            Action::Delete => "DELETE",
        }
    }

    /// Reads a JSON value.
    pub fn parse(value: &str) -> Option<Self> {
        [Action::Add, Action::Observe, Action::Delete].into_iter().find(|a| a.as_str() == value)
    }
}

/// The part an identifier plays in an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// `epcList` of an object or transaction event.
    Epc,
    /// `parentID`.
    Parent,
    /// `childEPCs`.
    Child,
    /// `inputEPCList`.
    Input,
    /// `outputEPCList`.
    Output,
    /// `quantityList` class.
    Quantity,
    /// `childQuantityList` class.
    ChildQuantity,
    /// `inputQuantityList` class.
    InputQuantity,
    /// `outputQuantityList` class.
    OutputQuantity,
}

impl Role {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Epc => "epc",
            Role::Parent => "parent",
            Role::Child => "child",
            Role::Input => "input",
            Role::Output => "output",
            Role::Quantity => "quantity",
            Role::ChildQuantity => "child_quantity",
            Role::InputQuantity => "input_quantity",
            Role::OutputQuantity => "output_quantity",
        }
    }

    /// Reads a stored name.
    pub fn parse(value: &str) -> Option<Self> {
        use Role::*;
        [Epc, Parent, Child, Input, Output, Quantity, ChildQuantity, InputQuantity, OutputQuantity]
            .into_iter()
            .find(|r| r.as_str() == value)
    }

    /// True for class-level (quantity) roles.
    pub fn is_class(self) -> bool {
        matches!(self, Role::Quantity | Role::ChildQuantity | Role::InputQuantity | Role::OutputQuantity)
    }
}

/// One identifier in an event, with its quantity for classes.
#[derive(Debug, Clone, PartialEq)]
pub struct QuantityElement {
    /// Part it plays.
    pub role: Role,
    /// Canonical identifier.
    pub id: String,
    /// Quantity of a class, if stated.
    pub quantity: Option<f64>,
    /// Unit of measure (UN/CEFACT Rec 20); none means a count of items.
    pub uom: Option<String>,
}

/// A source or destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// `source` or `destination`.
    pub direction: &'static str,
    /// Bare CBV type (`owning_party`, `possessing_party`, `location`) or a URI.
    pub kind: String,
    /// Canonical identifier (a PGLN / SGLN link, usually).
    pub id: String,
}

/// An event as a repository indexes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `eventID` as given, or the event hash when none was given.
    pub event_id: String,
    /// The CBV 2.0 event hash.
    pub hash: String,
    /// Event type.
    pub event_type: EventType,
    /// Event time, UTC milliseconds.
    pub event_time: i64,
    /// Zone offset of the place of the event.
    pub time_zone_offset: String,
    /// Action (none for transformations).
    pub action: Option<Action>,
    /// Business step, bare CBV word or URI.
    pub biz_step: Option<String>,
    /// Disposition, bare CBV word or URI.
    pub disposition: Option<String>,
    /// Read point, canonical.
    pub read_point: Option<String>,
    /// Business location, canonical.
    pub biz_location: Option<String>,
    /// Transformation ID, canonical.
    pub transformation_id: Option<String>,
    /// Identifiers and classes with their roles.
    pub ids: Vec<QuantityElement>,
    /// Sources and destinations.
    pub parties: Vec<Party>,
    /// Business transactions: bare type (or URI) and value.
    pub biz_transactions: Vec<(String, String)>,
    /// True when the event carries an error declaration.
    pub error_declared: bool,
    /// The event as JSON, with its `eventID` filled in and compact keys left as captured.
    pub document: Value,
}

/// Why an event cannot be indexed (it should have failed validation first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The `type` is not one of the five.
    #[error("unsupported event type '{0}'")]
    EventType(String),
    /// `eventTime` missing or unreadable.
    #[error("eventTime is missing or not a date-time")]
    EventTime,
}

/// The canonical form of an identifier: its Digital Link on `id.gs1.org` if it is a GS1 key.
pub fn canonical_id(value: &str) -> String {
    let value = value.trim();
    codes::link::canonical_link(value).unwrap_or_else(|| value.to_owned())
}

/// The GS1 application identifier that opens a canonical Digital Link path (`01`, `00`, `414`, …).
fn first_key(id: &str) -> Option<(&str, Option<&str>)> {
    let rest = id.strip_prefix(codes::epc::CANONICAL_HOST)?.trim_start_matches('/');
    let mut parts = rest.split('/');
    let key = parts.next()?;
    let _value = parts.next()?;
    Some((key, parts.next()))
}

/// The GTIN of a canonical Digital Link (`…/01/{gtin}…`): the product an item, a lot or a class is of.
pub fn gtin_of(id: &str) -> Option<String> {
    match first_key_value(id) {
        Some(("01", gtin)) => Some(gtin.to_owned()),
        _ => None,
    }
}

/// The GLN of a party or location link (`…/417/{gln}` or `…/414/{gln}[/254/…]`).
pub fn gln_of(id: &str) -> Option<String> {
    match first_key_value(id) {
        Some(("417" | "414", gln)) if gln.len() == 13 => Some(gln.to_owned()),
        _ => None,
    }
}

fn first_key_value(id: &str) -> Option<(&str, &str)> {
    let rest = id.strip_prefix(codes::epc::CANONICAL_HOST)?.trim_start_matches('/');
    let mut parts = rest.split('/');
    Some((parts.next()?, parts.next()?))
}

/// Whether a canonical identifier names one serialised trade item (SGTIN: `/01/{gtin}/21/{serial}`), one unit.
pub fn is_serialised_item(id: &str) -> bool {
    matches!(first_key(id), Some(("01", Some("21"))))
}

/// Whether a canonical identifier names a logistic unit (SSCC, `/00/`): a container, not a unit of product.
pub fn is_container(id: &str) -> bool {
    matches!(first_key(id), Some(("00", _)))
}

fn text<'v>(event: &'v Map<String, Value>, key: &str) -> Option<&'v str> {
    event.get(key).and_then(Value::as_str)
}

impl Event {
    /// Indexes one event of a document; `ignored` names extension fields left out of the hash.
    pub fn from_json(context: &Context, event: &Map<String, Value>, ignored: &[String]) -> Result<Event, ModelError> {
        let type_name = text(event, "type").unwrap_or_default();
        let event_type = EventType::parse(type_name).ok_or_else(|| ModelError::EventType(type_name.to_owned()))?;
        let event_time = text(event, "eventTime").and_then(time::to_millis).ok_or(ModelError::EventTime)?;
        let hash = event_hash(&prehash(&event_tree(context, event), ignored));
        let event_id = text(event, "eventID").map(str::to_owned).unwrap_or_else(|| hash.clone());
        let mut document = Value::Object(event.clone());
        document["eventID"] = Value::String(event_id.clone());

        let mut ids = Vec::new();
        let epc_roles = [
            ("epcList", Role::Epc),
            ("childEPCs", Role::Child),
            ("inputEPCList", Role::Input),
            ("outputEPCList", Role::Output),
        ];
        for (key, role) in epc_roles {
            for epc in event.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                ids.push(QuantityElement { role, id: canonical_id(epc), quantity: None, uom: None });
            }
        }
        if let Some(parent) = text(event, "parentID") {
            ids.push(QuantityElement { role: Role::Parent, id: canonical_id(parent), quantity: None, uom: None });
        }
        let class_roles = [
            ("quantityList", Role::Quantity),
            ("childQuantityList", Role::ChildQuantity),
            ("inputQuantityList", Role::InputQuantity),
            ("outputQuantityList", Role::OutputQuantity),
        ];
        for (key, role) in class_roles {
            for element in event.get(key).and_then(Value::as_array).into_iter().flatten() {
                let Some(class) = element.get("epcClass").and_then(Value::as_str) else { continue };
                ids.push(QuantityElement {
                    role,
                    id: canonical_id(class),
                    quantity: element.get("quantity").and_then(Value::as_f64),
                    uom: element.get("uom").and_then(Value::as_str).map(str::to_owned),
                });
            }
        }

        let mut parties = Vec::new();
        for (key, direction) in [("sourceList", "source"), ("destinationList", "destination")] {
            for entry in event.get(key).and_then(Value::as_array).into_iter().flatten() {
                let (Some(kind), Some(id)) =
                    (entry.get("type").and_then(Value::as_str), entry.get(direction).and_then(Value::as_str))
                else {
                    continue;
                };
                parties.push(Party { direction, kind: Vocabulary::SourceDestType.to_bare(kind), id: canonical_id(id) });
            }
        }
        let biz_transactions = event
            .get("bizTransactionList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|entry| {
                let value = entry.get("bizTransaction")?.as_str()?;
                let kind = entry.get("type").and_then(Value::as_str).unwrap_or_default();
                Some((Vocabulary::BizTransactionType.to_bare(kind), value.to_owned()))
            })
            .collect();
        let location = |key: &str| event.get(key).and_then(|l| l.get("id")).and_then(Value::as_str).map(canonical_id);

        Ok(Event {
            event_id,
            hash,
            event_type,
            event_time,
            time_zone_offset: text(event, "eventTimeZoneOffset").unwrap_or_default().to_owned(),
            action: text(event, "action").and_then(Action::parse),
            biz_step: text(event, "bizStep").map(|s| Vocabulary::BizStep.to_bare(s)),
            disposition: text(event, "disposition").map(|s| Vocabulary::Disposition.to_bare(s)),
            read_point: location("readPoint"),
            biz_location: location("bizLocation"),
            transformation_id: text(event, "transformationID").map(canonical_id),
            ids,
            parties,
            biz_transactions,
            error_declared: event.contains_key("errorDeclaration"),
            document,
        })
    }
}

/// Reads every event of a JSON capture body (a document or a single event), in order.
pub fn events_of(root: &Value) -> Result<Vec<Event>, (usize, ModelError)> {
    let document = crate::json::document(root);
    document
        .events
        .iter()
        .enumerate()
        .map(|(i, (_, event))| {
            let mut indexed =
                Event::from_json(&document.context, event, &document.ignored_fields).map_err(|e| (i, e))?;
            // A document's namespaces travel with each stored event, so it can be served on its own.
            if let (Some(context), Value::Object(stored)) = (root.get("@context"), &mut indexed.document) {
                stored.entry("@context").or_insert_with(|| context.clone());
            }
            Ok(indexed)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialised_items_and_containers_are_told_from_lots() {
        let item = canonical_id("urn:epc:id:sgtin:6901234.000001.7");
        let lot = canonical_id("urn:epc:class:lgtin:6901234.000001.LOT9");
        let case = canonical_id("urn:epc:id:sscc:6901234.0000000001");
        assert!(is_serialised_item(&item) && !is_container(&item));
        assert!(!is_serialised_item(&lot) && !is_container(&lot));
        assert!(is_container(&case) && !is_serialised_item(&case));
        // A lot whose name holds "/21/" is still a lot.
        assert!(!is_serialised_item("https://id.gs1.org/01/06901234000016/10/A%2F21%2FB"));
        assert!(!is_serialised_item("urn:epc:id:sgtin:not-canonical/21/"));
    }

    #[test]
    fn identifiers_are_canonical_and_roles_kept() {
        let root: Value = serde_json::from_str(
            r#"{"@context":"https://ref.gs1.org/standards/epcis/epcis-context.jsonld","type":"AggregationEvent",
            "eventTime":"2026-03-01T08:00:00+08:00","eventTimeZoneOffset":"+08:00","action":"ADD",
            "parentID":"urn:epc:id:sscc:6901234.0000000011","childEPCs":["https://id.gs1.org/01/06901234000017/21/1"],
            "bizStep":"packing","destinationList":[{"type":"owning_party","destination":"urn:epc:id:pgln:6901234.00000"}]}"#,
        )
        .unwrap();
        let events = events_of(&root).unwrap();
        let event = &events[0];
        assert_eq!(event.event_time, 1_772_323_200_000);
        assert!(event.event_id.starts_with("ni:///sha-256;"));
        assert_eq!(event.ids[0].role, Role::Child);
        assert_eq!(event.ids[1].id, "https://id.gs1.org/00/069012340000000115");
        assert_eq!(event.parties[0].id, "https://id.gs1.org/417/6901234000009");
        assert_eq!(event.biz_step.as_deref(), Some("packing"));
        assert_eq!(event.document["eventID"], Value::String(event.event_id.clone()));
    }
}
