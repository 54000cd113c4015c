//! The JSON / JSON-LD binding: documents, their events and their namespaces.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::tree::{EventTree, Node};
use crate::vocab::{Vocabulary, CBV, GS1_VOC};

/// Prefixes the standard EPCIS 2.0 context defines.
const STANDARD_PREFIXES: &[(&str, &str)] = &[
    ("epcis", "https://ref.gs1.org/epcis/"),
    ("cbv", CBV),
    ("gs1", GS1_VOC),
    ("cbvmda", "urn:epcglobal:cbv:mda:"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("dcterms", "http://purl.org/dc/terms/"),
];

/// Namespace prefixes in scope: the standard context's, then the document's, then the event's own.
#[derive(Debug, Clone)]
pub struct Context {
    prefixes: BTreeMap<String, String>,
}

impl Default for Context {
    fn default() -> Self {
        let prefixes = STANDARD_PREFIXES.iter().map(|(p, iri)| (p.to_string(), iri.to_string())).collect();
        Context { prefixes }
    }
}

impl Context {
    /// This context extended by an `@context` value (a URI, an object of prefixes, or an array of both).
    pub fn extended(&self, context: Option<&Value>) -> Context {
        let mut next = self.clone();
        let mut add = |object: &Map<String, Value>| {
            for (prefix, iri) in object {
                if let Some(iri) = iri.as_str().or_else(|| iri.get("@id").and_then(Value::as_str)) {
                    next.prefixes.insert(prefix.clone(), iri.to_owned());
                }
            }
        };
        match context {
            Some(Value::Object(object)) => add(object),
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).for_each(&mut add),
            _ => {}
        }
        next
    }

    /// The namespace IRI of a prefix, if declared.
    pub fn namespace(&self, prefix: &str) -> Option<&str> {
        self.prefixes.get(prefix).map(String::as_str)
    }

    /// A key as an element name: `prefix:local` → `{iri}local`; standard names stay as they are.
    pub fn field_name(&self, key: &str) -> String {
        match key.split_once(':') {
            Some((prefix, local)) => match self.namespace(prefix) {
                Some(iri) => format!("{{{iri}}}{local}"),
                None => key.to_owned(),
            },
            None => key.to_owned(),
        }
    }

    /// Expands a compact IRI value (`gs1:Temperature`) whose prefix is declared.
    pub fn expand_value(&self, value: &str) -> String {
        match value.split_once(':') {
            Some((prefix, local)) if !local.starts_with("//") => match self.namespace(prefix) {
                Some(iri) => format!("{iri}{local}"),
                None => value.to_owned(),
            },
            _ => value.to_owned(),
        }
    }
}

/// How deep arrays and objects may nest in a captured document, counting the document itself as level 1. An
/// event sits at level 4 (`epcisBody`, `eventList`, the list); the bound leaves extensions forty levels and keeps
/// every stored event well inside what `serde_json` reads back (128).
pub const MAX_JSON_DEPTH: usize = 48;

/// The JSON pointer of an array or object nested deeper than `limit`, found without recursion.
pub fn too_deep(root: &Value, limit: usize) -> Option<String> {
    // The cheap pass keeps no paths; the pointer is rebuilt only for a document that fails.
    let mut pending: Vec<(&Value, usize)> = vec![(root, 1)];
    let mut exceeded = false;
    while let Some((value, depth)) = pending.pop() {
        if depth > limit {
            exceeded = true;
            break;
        }
        match value {
            Value::Array(items) => pending.extend(items.iter().filter(|v| is_container(v)).map(|v| (v, depth + 1))),
            Value::Object(members) => {
                pending.extend(members.values().filter(|v| is_container(v)).map(|v| (v, depth + 1)))
            }
            _ => {}
        }
    }
    if !exceeded {
        return None;
    }
    let mut pending: Vec<(&Value, usize, String)> = vec![(root, 1, String::new())];
    while let Some((value, depth, pointer)) = pending.pop() {
        if depth > limit {
            return Some(pointer);
        }
        match value {
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate().filter(|(_, v)| is_container(v)) {
                    pending.push((item, depth + 1, format!("{pointer}/{index}")));
                }
            }
            Value::Object(members) => {
                for (key, member) in members.iter().filter(|(_, v)| is_container(v)) {
                    let step = key.replace('~', "~0").replace('/', "~1");
                    pending.push((member, depth + 1, format!("{pointer}/{step}")));
                }
            }
            _ => {}
        }
    }
    None
}

fn is_container(value: &Value) -> bool {
    value.is_array() || value.is_object()
}

/// Which vocabulary a field's value comes from, given its parent element.
pub(crate) fn vocabulary_of(parent: &str, name: &str) -> Option<Vocabulary> {
    Some(match (parent, name) {
        (_, "bizStep") => Vocabulary::BizStep,
        (_, "disposition") | ("persistentDisposition", "set" | "unset") => Vocabulary::Disposition,
        ("bizTransaction", "type") => Vocabulary::BizTransactionType,
        ("source" | "destination", "type") => Vocabulary::SourceDestType,
        ("errorDeclaration", "reason") => Vocabulary::ErrorReason,
        ("sensorReport", "type") => Vocabulary::MeasurementType,
        ("sensorReport", "exception") => Vocabulary::AlertType,
        ("sensorReport", "component") => Vocabulary::Component,
        _ => return None,
    })
}

/// Where a document keeps its events, and what it is.
#[derive(Debug)]
pub struct Document<'a> {
    /// Namespaces declared at document level.
    pub context: Context,
    /// The events, each with its JSON pointer.
    pub events: Vec<(String, &'a Map<String, Value>)>,
    /// Extension fields the sender asks to leave out of event hashes (`…:ignoreFields`), expanded.
    pub ignored_fields: Vec<String>,
}

/// Reads an `EPCISDocument`, an `EPCISQueryDocument` or a single event.
pub fn document(root: &Value) -> Document<'_> {
    let context = Context::default().extended(root.get("@context"));
    let list = match root.get("type").and_then(Value::as_str) {
        Some("EPCISDocument") => root.pointer("/epcisBody/eventList").map(|l| ("/epcisBody/eventList", l)),
        Some("EPCISQueryDocument") => root
            .pointer("/epcisBody/queryResults/resultsBody/eventList")
            .map(|l| ("/epcisBody/queryResults/resultsBody/eventList", l)),
        _ => None,
    };
    let events = match (list, root.as_object()) {
        (Some((pointer, Value::Array(items))), _) => {
            items.iter().enumerate().filter_map(|(i, e)| e.as_object().map(|e| (format!("{pointer}/{i}"), e))).collect()
        }
        (None, Some(event))
            if !matches!(event.get("type").and_then(Value::as_str), Some("EPCISDocument" | "EPCISQueryDocument")) =>
        {
            vec![(String::new(), event)]
        }
        _ => Vec::new(),
    };
    // Repositories put the list beside the events' container: at the root or in the query results.
    let ignored_fields = [root.as_object(), root.pointer("/epcisBody/queryResults").and_then(Value::as_object)]
        .into_iter()
        .flatten()
        .flatten()
        .filter(|(key, _)| key.rsplit(':').next() == Some("ignoreFields"))
        .filter_map(|(_, value)| value.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .map(|key| context.field_name(key))
        .collect();
    Document { context, events, ignored_fields }
}

/// The tree of one event, read in the context of its document.
pub fn event_tree(context: &Context, event: &Map<String, Value>) -> EventTree {
    let context = context.extended(event.get("@context"));
    let event_type = event.get("type").and_then(Value::as_str).unwrap_or_default().to_owned();
    let mut fields = Vec::new();
    for (key, value) in event {
        if key == "type" || key == "@context" {
            continue;
        }
        fields.extend(convert(&context, "", &context.field_name(key), value));
    }
    EventTree { event_type, fields }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Converts one JSON member into elements named `name` (an array gives one element per item).
fn convert(context: &Context, parent: &str, name: &str, value: &Value) -> Vec<Node> {
    let item_name = match name {
        "epcList" | "inputEPCList" | "outputEPCList" | "childEPCs" => Some("epc"),
        "quantityList" | "childQuantityList" | "inputQuantityList" | "outputQuantityList" => Some("quantityElement"),
        "bizTransactionList" => Some("bizTransaction"),
        "sourceList" => Some("source"),
        "destinationList" => Some("destination"),
        "sensorElementList" => Some("sensorElement"),
        "correctiveEventIDs" => Some("correctiveEventID"),
        _ => None,
    };
    if let (Some(item_name), Value::Array(items)) = (item_name, value) {
        let children = items.iter().flat_map(|item| list_item(context, item_name, item)).collect();
        return vec![Node::parent(name, children)];
    }
    match value {
        Value::Array(items) => items.iter().flat_map(|item| convert(context, parent, name, item)).collect(),
        Value::Object(members) => {
            let children = members
                .iter()
                .flat_map(|(key, value)| convert(context, name, &context.field_name(key), value))
                .collect();
            vec![Node::parent(name, children)]
        }
        Value::Null => Vec::new(),
        _ => {
            let text = scalar(value).unwrap_or_default();
            let text = match vocabulary_of(parent, name) {
                Some(vocabulary) => vocabulary.to_web_uri(&context.expand_value(&text)),
                None => text,
            };
            vec![Node::leaf(name, text)]
        }
    }
}

fn list_item(context: &Context, item_name: &str, item: &Value) -> Vec<Node> {
    match (item_name, item) {
        // A business transaction, source or destination is its value with the type beside it, as in XML.
        ("bizTransaction" | "source" | "destination", Value::Object(members)) => {
            let mut node = Node::parent(item_name, Vec::new());
            for (key, value) in members {
                if key == item_name {
                    node.text = scalar(value);
                } else {
                    node.children.extend(convert(context, item_name, &context.field_name(key), value));
                }
            }
            vec![node]
        }
        _ => convert(context, "", item_name, item),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> Value {
        (0..levels).fold(Value::Null, |inner, i| if i % 2 == 0 { json!([inner]) } else { json!({"a/b": inner}) })
    }

    use serde_json::json;

    #[test]
    fn depth_counts_arrays_and_objects_and_names_the_place() {
        assert_eq!(too_deep(&json!("scalar"), 1), None);
        assert_eq!(too_deep(&nested(5), 5), None);
        assert_eq!(too_deep(&nested(6), 5).as_deref(), Some("/a~1b/0/a~1b/0/a~1b"));
        // Deep enough to overflow a recursive walk.
        let mut deep = json!(1);
        for _ in 0..100 {
            deep = json!([deep]);
        }
        assert_eq!(too_deep(&deep, 100), None);
        assert_eq!(too_deep(&deep, 99).map(|p| p.matches('/').count()), Some(99));
    }
}
