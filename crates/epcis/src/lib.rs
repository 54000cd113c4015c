//! GS1 EPCIS 2.0 events for traceability (质量追溯).
//!
//! - [`json`] reads EPCIS documents and events in the JSON/JSON-LD binding, [`xml`] in the XML binding; both
//!   produce the same syntax-free [`Node`] tree, which is what the CBV 2.0 event hash ([`hash`]) reads.
//! - [`validate`] checks a JSON document against the EPCIS 2.0 JSON schema rules (formats and CBV vocabularies
//!   included) and the standard's semantic rules, naming every problem with a JSON pointer.
//! - [`model`] extracts what a repository indexes and what the trace follows: identifiers in canonical
//!   Digital Link form, times, business context, and the containment / transformation / shipment facts.
//!
//! The crate is pure: no IO, no clock.

pub mod hash;
pub mod json;
pub mod model;
pub mod time;
pub mod trace;
mod tree;
pub mod validate;
pub mod vocab;
pub mod xml;

pub use hash::{event_hash, prehash};
pub use model::{
    canonical_id, events_of, gln_of, gtin_of, is_container, is_serialised_item, Action, Event, EventType, Party,
    QuantityElement, Role,
};
pub use tree::{EventTree, Node};
pub use validate::{validate_document, validate_event, Problem};
