//! The XML binding: EPCIS 2.0 documents and query documents, with the EPCIS 1.2 `extension` wrappers
//! accepted, read into the same [`EventTree`] as the JSON binding.

use roxmltree::{Document, Node as XmlNode};

use crate::json::vocabulary_of;
use crate::tree::{EventTree, Node};
use crate::vocab::{CBV, GS1_VOC};

/// Why an XML document cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    /// Not well-formed XML.
    #[error("line {line}: {message}")]
    Syntax { line: u32, message: String },
    /// Well-formed, but no event list.
    #[error("no EPCIS event list found")]
    NoEventList,
    /// Elements nested deeper than [`MAX_XML_DEPTH`]: refused before any recursion reads them.
    #[error("line {line}: elements nest deeper than {limit} levels")]
    TooDeep { line: u32, limit: usize },
}

/// How deep elements may nest in an XML document (the root element is level 1). Real EPCIS documents need
/// about ten levels; the bound keeps every recursive reader, and the JSON the document is stored as, shallow.
pub const MAX_XML_DEPTH: usize = 32;

/// The events of an XML document and the fields its sender asks hashes to ignore.
#[derive(Debug)]
pub struct XmlDocument {
    /// Events in document order.
    pub events: Vec<EventTree>,
    /// Extension fields left out of event hashes (`…:ignoreFields`).
    pub ignored_fields: Vec<String>,
}

const EVENT_TYPES: &[&str] =
    &["ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent"];

/// Parses well-formed XML whose elements nest at most [`MAX_XML_DEPTH`] levels.
fn parse_bounded(text: &str) -> Result<Document<'_>, XmlError> {
    check_depth(text)?;
    Document::parse(text).map_err(|e| XmlError::Syntax { line: e.pos().row, message: e.to_string() })
}

/// Refuses a document nested deeper than [`MAX_XML_DEPTH`] before `roxmltree` reads it: its tokenizer recurses
/// once per level, so ten thousand levels overflow the stack. `quick-xml` reads events without recursion.
fn check_depth(text: &str) -> Result<(), XmlError> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(_)) => {
                depth += 1;
                if depth > MAX_XML_DEPTH {
                    let offset = usize::try_from(reader.buffer_position()).unwrap_or(text.len()).min(text.len());
                    let line = text.as_bytes()[..offset].iter().filter(|b| **b == b'\n').count() + 1;
                    return Err(XmlError::TooDeep {
                        line: u32::try_from(line).unwrap_or(u32::MAX),
                        limit: MAX_XML_DEPTH,
                    });
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            // Malformed up to here, and no deeper than the limit: roxmltree says what is wrong.
            Err(_) => return Ok(()),
        }
    }
}

/// Reads an EPCIS XML document.
pub fn parse_document(text: &str) -> Result<XmlDocument, XmlError> {
    read_document(&parse_bounded(text)?)
}

fn read_document(document: &Document) -> Result<XmlDocument, XmlError> {
    let list = document
        .descendants()
        .find(|n| {
            n.is_element()
                && n.tag_name().namespace().is_none()
                && n.tag_name().name().eq_ignore_ascii_case("eventList")
        })
        .ok_or(XmlError::NoEventList)?;
    let mut events = Vec::new();
    collect_events(list, &mut events);
    let ignored_fields = document
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "ignoreFields")
        .flat_map(|n| n.children().filter(XmlNode::is_element).map(element_name).collect::<Vec<_>>())
        .collect();
    Ok(XmlDocument { events, ignored_fields })
}

/// Events sit in the list directly or, in EPCIS 1.x form, inside `extension` wrappers.
fn collect_events(list: XmlNode, events: &mut Vec<EventTree>) {
    for child in list.children().filter(XmlNode::is_element) {
        let name = child.tag_name().name();
        if EVENT_TYPES.contains(&name) {
            events.push(EventTree { event_type: name.to_owned(), fields: children_of(child, name) });
        } else if name == "extension" {
            collect_events(child, events);
        }
    }
}

fn element_name(node: XmlNode) -> String {
    match node.tag_name().namespace() {
        Some(ns) => format!("{{{ns}}}{}", node.tag_name().name()),
        None => node.tag_name().name().to_owned(),
    }
}

/// Expands the CBV and GS1 web vocabulary prefixes, the only compact values the XML binding uses.
fn expand_curie(value: &str) -> String {
    if let Some(local) = value.strip_prefix("gs1:") {
        format!("{GS1_VOC}{local}")
    } else if let Some(local) = value.strip_prefix("cbv:") {
        format!("{CBV}{local}")
    } else {
        value.to_owned()
    }
}

fn leaf_text(parent: &str, name: &str, text: &str) -> String {
    match vocabulary_of(parent, name) {
        Some(vocabulary) => vocabulary.to_web_uri(&expand_curie(text)),
        None => text.to_owned(),
    }
}

/// The child elements and attributes of `node`; `extension` / `baseExtension` wrappers are flattened.
fn children_of(node: XmlNode, name: &str) -> Vec<Node> {
    let mut children = Vec::new();
    for attribute in node.attributes() {
        let attribute_name = match attribute.namespace() {
            Some(ns) => format!("{{{ns}}}{}", attribute.name()),
            None => attribute.name().to_owned(),
        };
        children.push(Node::leaf(attribute_name.clone(), leaf_text(name, &attribute_name, attribute.value())));
    }
    for child in node.children().filter(XmlNode::is_element) {
        let child_name = element_name(child);
        if child_name == "extension" || child_name == "baseExtension" {
            children.extend(children_of(child, name));
            continue;
        }
        let text: String = child.children().filter(XmlNode::is_text).filter_map(|t| t.text()).collect();
        let text = text.trim();
        let mut element = Node::parent(child_name.clone(), children_of(child, &child_name));
        if !text.is_empty() {
            element.text = Some(leaf_text(name, &child_name, text));
        }
        children.push(element);
    }
    children
}

/// Fields whose JSON value is a number.
const NUMERIC_FIELDS: &[&str] =
    &["quantity", "value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"];

/// Namespaces met while converting, given JSON-LD prefixes in the order met.
#[derive(Debug, Default)]
struct Prefixes {
    namespaces: Vec<String>,
}

impl Prefixes {
    /// A JSON key for an element name: standard names as they are, `{ns}local` as `extN:local`.
    fn key(&mut self, name: &str) -> String {
        let Some((namespace, local)) = name.strip_prefix('{').and_then(|rest| rest.split_once('}')) else {
            return name.to_owned();
        };
        let index = match self.namespaces.iter().position(|n| n == namespace) {
            Some(index) => index,
            None => {
                self.namespaces.push(namespace.to_owned());
                self.namespaces.len() - 1
            }
        };
        format!("ext{}:{local}", index + 1)
    }

    fn context(&self) -> serde_json::Value {
        let mut prefixes = serde_json::Map::new();
        for (index, namespace) in self.namespaces.iter().enumerate() {
            prefixes.insert(format!("ext{}", index + 1), serde_json::Value::String(namespace.clone()));
        }
        serde_json::json!(["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", prefixes])
    }
}

/// A CBV value as the JSON binding writes it: the bare word when standard, a `gs1:` or `cbv:` compact IRI for
/// other values in those vocabularies (so the event hash stays the one the XML form has), anything else as given.
fn json_vocabulary_value(parent: &str, name: &str, value: &str) -> String {
    let Some(vocabulary) = vocabulary_of(parent, name) else { return value.to_owned() };
    let bare = vocabulary.to_bare(value);
    if bare != value || vocabulary.contains(value) {
        return bare;
    }
    if let Some(local) = value.strip_prefix(GS1_VOC) {
        return format!("gs1:{local}");
    }
    if let Some(local) = value.strip_prefix(CBV) {
        return format!("cbv:{local}");
    }
    value.to_owned()
}

fn text_value(parent: &str, node: &Node) -> serde_json::Value {
    use serde_json::Value;
    let text = node.text.clone().unwrap_or_default();
    if NUMERIC_FIELDS.contains(&node.name.as_str()) {
        if let Some(number) = text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
            return Value::Number(number);
        }
    }
    if node.name == "booleanValue" {
        if let Ok(flag) = text.parse::<bool>() {
            return Value::Bool(flag);
        }
    }
    Value::String(json_vocabulary_value(parent, &node.name, &text))
}

/// Adds a member, turning a repeated name into an array.
fn insert(object: &mut serde_json::Map<String, serde_json::Value>, key: String, value: serde_json::Value) {
    use serde_json::Value;
    match object.get_mut(&key) {
        None => {
            object.insert(key, value);
        }
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
}

fn object_of(parent: &str, nodes: &[Node], prefixes: &mut Prefixes) -> serde_json::Map<String, serde_json::Value> {
    let mut object = serde_json::Map::new();
    for node in nodes {
        let key = prefixes.key(&node.name);
        let value = value_of(parent, node, prefixes);
        // Lists the JSON binding always writes as arrays.
        let value = match (node.name.as_str(), value) {
            ("sensorReport" | "set" | "unset", serde_json::Value::Array(items)) => serde_json::Value::Array(items),
            ("sensorReport" | "set" | "unset", single) => serde_json::Value::Array(vec![single]),
            (_, value) => value,
        };
        match (node.name.as_str(), object.get_mut(&key)) {
            ("sensorReport" | "set" | "unset", Some(serde_json::Value::Array(items))) => {
                if let serde_json::Value::Array(more) = value {
                    items.extend(more);
                }
            }
            _ => insert(&mut object, key, value),
        }
    }
    object
}

fn value_of(parent: &str, node: &Node, prefixes: &mut Prefixes) -> serde_json::Value {
    use serde_json::Value;
    let list_item = match node.name.as_str() {
        "epcList" | "inputEPCList" | "outputEPCList" | "childEPCs" | "correctiveEventIDs" => {
            return Value::Array(node.children.iter().filter_map(|c| c.text.clone()).map(Value::String).collect());
        }
        "quantityList" | "childQuantityList" | "inputQuantityList" | "outputQuantityList" | "sensorElementList" => true,
        "bizTransactionList" | "sourceList" | "destinationList" => {
            let items = node.children.iter().map(|item| {
                let mut entry = serde_json::Map::new();
                for child in &item.children {
                    let value = text_value(&item.name, child);
                    entry.insert(prefixes.key(&child.name), value);
                }
                entry.insert(item.name.clone(), Value::String(item.text.clone().unwrap_or_default()));
                Value::Object(entry)
            });
            return Value::Array(items.collect());
        }
        _ => false,
    };
    if list_item {
        return Value::Array(
            node.children
                .iter()
                .map(|child| Value::Object(object_of(&child.name, &child.children, prefixes)))
                .collect(),
        );
    }
    if node.children.is_empty() {
        return text_value(parent, node);
    }
    Value::Object(object_of(&node.name, &node.children, prefixes))
}

/// Converts an EPCIS XML document into the JSON binding's `EPCISDocument`, so it is validated, hashed and stored
/// exactly as a JSON capture is. Extension namespaces become `extN` prefixes in the `@context`.
pub fn to_json_document(text: &str) -> Result<serde_json::Value, XmlError> {
    let source = parse_bounded(text)?;
    let document = read_document(&source)?;
    let mut prefixes = Prefixes::default();
    let mut events = Vec::with_capacity(document.events.len());
    for event in &document.events {
        let mut object = object_of("", &event.fields, &mut prefixes);
        object.insert("type".into(), serde_json::Value::String(event.event_type.clone()));
        events.push(serde_json::Value::Object(object));
    }
    let ignored: Vec<serde_json::Value> =
        document.ignored_fields.iter().map(|name| serde_json::Value::String(prefixes.key(name))).collect();
    let root = source.root_element();
    let mut out = serde_json::json!({
        "@context": prefixes.context(),
        "type": "EPCISDocument",
        "schemaVersion": root.attribute("schemaVersion").unwrap_or("2.0"),
        "creationDate": root.attribute("creationDate").unwrap_or_default(),
        "epcisBody": {"eventList": events},
    });
    if !ignored.is_empty() {
        let key = prefixes.key("{urn:zhiliang:epcis}ignoreFields");
        out["@context"] = prefixes.context();
        out[key] = serde_json::Value::Array(ignored);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> String {
        format!(
            "<EPCISDocument><EPCISBody><EventList><ObjectEvent>{}x{}</ObjectEvent></EventList></EPCISBody></EPCISDocument>",
            "<n>".repeat(levels),
            "</n>".repeat(levels)
        )
    }

    #[test]
    fn nesting_is_bounded_before_any_recursion() {
        // Four levels of document and event, then the extension.
        assert_eq!(parse_document(&nested(MAX_XML_DEPTH - 4)).unwrap().events.len(), 1);
        for levels in [MAX_XML_DEPTH - 3, 100_000] {
            match parse_document(&nested(levels)) {
                Err(XmlError::TooDeep { line: 1, limit: MAX_XML_DEPTH }) => {}
                other => panic!("{levels}: {other:?}"),
            }
            assert!(to_json_document(&nested(levels)).is_err());
        }
    }
}
