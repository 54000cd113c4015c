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
}

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

/// Reads an EPCIS XML document.
pub fn parse_document(text: &str) -> Result<XmlDocument, XmlError> {
    let document = Document::parse(text).map_err(|e| XmlError::Syntax { line: e.pos().row, message: e.to_string() })?;
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
