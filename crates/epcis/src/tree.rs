//! The syntax-free form of an event: named elements with text and children, as in the XML infoset.

/// One element: a standard field name or an extension `{namespace}local`, its text and its children.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Node {
    /// Field name; extensions are written `{namespace IRI}localName`.
    pub name: String,
    /// Text content, trimmed; `None` for pure containers.
    pub text: Option<String>,
    /// Child elements in document order; a JSON array becomes repeated children of one name.
    pub children: Vec<Node>,
}

impl Node {
    /// A leaf with text.
    pub fn leaf(name: impl Into<String>, text: impl Into<String>) -> Self {
        Node { name: name.into(), text: Some(text.into()), children: Vec::new() }
    }

    /// A container.
    pub fn parent(name: impl Into<String>, children: Vec<Node>) -> Self {
        Node { name: name.into(), text: None, children }
    }

    /// True for an extension element (namespaced name).
    pub fn is_extension(&self) -> bool {
        self.name.starts_with('{')
    }
}

/// An event as the hash sees it: its type and its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventTree {
    /// `ObjectEvent`, `AggregationEvent`, …
    pub event_type: String,
    /// Top-level fields, including `eventID` and `recordTime` (the hash skips them).
    pub fields: Vec<Node>,
}
