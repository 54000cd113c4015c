//! EPCIS 2.0 JSON validation: the published JSON schema's rules (formats and CBV vocabularies included) and
//! the standard's semantic rules, each problem named by a JSON pointer.

use serde_json::{Map, Value};

use crate::time;
use crate::vocab::Vocabulary;

/// One thing wrong with a document, and where.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// JSON pointer (RFC 6901) to the offending member, `""` for the whole document.
    pub pointer: String,
    /// Stable snake_case code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
}

/// True for an absolute URI (RFC 3986): a scheme, a colon, and URI characters only. CURIEs such as
/// `example:field` are URIs by this rule; bare words are not.
pub fn is_uri(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else { return false };
    let mut scheme_chars = scheme.chars();
    scheme_chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme_chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        && !rest.is_empty()
        && rest.chars().all(|c| !c.is_whitespace() && !c.is_control() && !"<>\"{}|\\^`".contains(c))
}

const COMMON_FIELDS: &[&str] = &[
    "@context",
    "type",
    "eventTime",
    "recordTime",
    "eventTimeZoneOffset",
    "eventID",
    "certificationInfo",
    "errorDeclaration",
];

/// Standard fields each event type may carry beyond the common ones.
fn type_fields(event_type: &str) -> Option<&'static [&'static str]> {
    const SHARED: [&str; 8] = [
        "bizStep",
        "disposition",
        "persistentDisposition",
        "readPoint",
        "bizLocation",
        "sourceList",
        "destinationList",
        "sensorElementList",
    ];
    Some(match event_type {
        "ObjectEvent" => &[
            "action",
            "epcList",
            "quantityList",
            "bizTransactionList",
            "ilmd",
            SHARED[0],
            SHARED[1],
            SHARED[2],
            SHARED[3],
            SHARED[4],
            SHARED[5],
            SHARED[6],
            SHARED[7],
        ],
        "AggregationEvent" | "AssociationEvent" => &[
            "action",
            "parentID",
            "childEPCs",
            "childQuantityList",
            "bizTransactionList",
            SHARED[0],
            SHARED[1],
            SHARED[2],
            SHARED[3],
            SHARED[4],
            SHARED[5],
            SHARED[6],
            SHARED[7],
        ],
        "TransactionEvent" => &[
            "action",
            "parentID",
            "epcList",
            "quantityList",
            "bizTransactionList",
            SHARED[0],
            SHARED[1],
            SHARED[2],
            SHARED[3],
            SHARED[4],
            SHARED[5],
            SHARED[6],
            SHARED[7],
        ],
        "TransformationEvent" => &[
            "inputEPCList",
            "inputQuantityList",
            "outputEPCList",
            "outputQuantityList",
            "transformationID",
            "bizTransactionList",
            "ilmd",
            SHARED[0],
            SHARED[1],
            SHARED[2],
            SHARED[3],
            SHARED[4],
            SHARED[5],
            SHARED[6],
            SHARED[7],
        ],
        _ => return None,
    })
}

struct Checker {
    problems: Vec<Problem>,
}

fn pointer(base: &str, key: &str) -> String {
    format!("{base}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Checker {
    fn problem(&mut self, pointer: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.problems.push(Problem { pointer: pointer.into(), code, message: message.into() });
    }

    fn required(&mut self, object: &Map<String, Value>, base: &str, keys: &[&str]) {
        for key in keys {
            if !object.contains_key(*key) {
                self.problem(pointer(base, key), "required", format!("'{key}' is required"));
            }
        }
    }

    fn object<'v>(&mut self, value: &'v Value, at: &str) -> Option<&'v Map<String, Value>> {
        let object = value.as_object();
        if object.is_none() {
            self.problem(at, "type", format!("expected an object, found {}", describe(value)));
        }
        object
    }

    fn array<'v>(&mut self, value: &'v Value, at: &str, min_items: usize) -> Option<&'v Vec<Value>> {
        match value.as_array() {
            Some(items) if items.len() < min_items => {
                self.problem(at, "min_items", format!("needs at least {min_items} item(s)"));
                Some(items)
            }
            Some(items) => Some(items),
            None => {
                self.problem(at, "type", format!("expected an array, found {}", describe(value)));
                None
            }
        }
    }

    fn string<'v>(&mut self, value: &'v Value, at: &str) -> Option<&'v str> {
        let text = value.as_str();
        if text.is_none() {
            self.problem(at, "type", format!("expected a string, found {}", describe(value)));
        }
        text
    }

    fn uri(&mut self, value: &Value, at: &str) {
        if let Some(text) = self.string(value, at) {
            if !is_uri(text) {
                self.problem(at, "format_uri", format!("'{text}' is not a URI"));
            } else if text.starts_with("urn:epc:") {
                if let Err(e) = codes::link::urn_segments(text) {
                    if !matches!(e, codes::EpcError::NoDigitalLink) {
                        self.problem(at, "invalid_epc", format!("'{text}': {e}"));
                    }
                }
            }
        }
    }

    fn uri_list(&mut self, value: &Value, at: &str, unique: bool) {
        if let Some(items) = self.array(value, at, 0) {
            for (i, item) in items.iter().enumerate() {
                self.uri(item, &format!("{at}/{i}"));
                if unique && items[..i].contains(item) {
                    self.problem(format!("{at}/{i}"), "unique_items", "appears twice in the list");
                }
            }
        }
    }

    fn date_time(&mut self, value: &Value, at: &str) {
        if let Some(text) = self.string(value, at) {
            if time::parse(text).is_none() {
                self.problem(
                    at,
                    "format_date_time",
                    format!("'{text}' is not an RFC 3339 date-time with a zone offset"),
                );
            }
        }
    }

    fn number(&mut self, value: &Value, at: &str) {
        if !value.is_number() {
            self.problem(at, "type", format!("expected a number, found {}", describe(value)));
        }
    }

    /// A CBV value: a standard bare word, or a URI outside the standard's own namespace.
    fn vocabulary(&mut self, vocabulary: Vocabulary, value: &Value, at: &str) {
        let Some(text) = self.string(value, at) else { return };
        if vocabulary.contains(text) {
            return;
        }
        let reserved: &[&str] = match vocabulary {
            Vocabulary::MeasurementType | Vocabulary::AlertType => {
                &["http://gs1.org/voc/", "https://gs1.org/voc/", "http://www.gs1.org/voc/", "https://www.gs1.org/voc/"]
            }
            _ => &["urn:epcglobal:cbv", "http://ns.gs1.org/cbv/", "https://ns.gs1.org/cbv/"],
        };
        if !is_uri(text) {
            self.problem(at, "vocabulary", format!("'{text}' is not a standard CBV value nor a URI of one's own"));
        } else if reserved.iter().any(|prefix| text.starts_with(prefix)) {
            self.problem(
                at,
                "vocabulary",
                format!("'{text}' is in the standard's namespace: write the bare word instead"),
            );
        }
    }

    /// Members outside `known` must be namespaced extensions.
    fn extensions_only(&mut self, object: &Map<String, Value>, base: &str, known: &[&str]) {
        for key in object.keys() {
            if !known.contains(&key.as_str()) && !is_uri(key) {
                self.problem(
                    pointer(base, key),
                    "unknown_field",
                    format!("'{key}' is not a standard field and has no namespace prefix"),
                );
            }
        }
    }

    /// Members outside `known` are not allowed at all.
    fn closed(&mut self, object: &Map<String, Value>, base: &str, known: &[&str]) {
        for key in object.keys() {
            if !known.contains(&key.as_str()) {
                self.problem(pointer(base, key), "additional_property", format!("'{key}' is not allowed here"));
            }
        }
    }

    fn quantity_list(&mut self, value: &Value, at: &str) {
        let Some(items) = self.array(value, at, 0) else { return };
        for (i, item) in items.iter().enumerate() {
            let at = format!("{at}/{i}");
            let Some(element) = self.object(item, &at) else { continue };
            self.closed(element, &at, &["epcClass", "quantity", "uom"]);
            self.required(element, &at, &["epcClass"]);
            if let Some(class) = element.get("epcClass") {
                self.uri(class, &pointer(&at, "epcClass"));
            }
            if let Some(quantity) = element.get("quantity") {
                self.number(quantity, &pointer(&at, "quantity"));
                if quantity.as_f64().is_some_and(|q| q < 0.0) {
                    self.problem(pointer(&at, "quantity"), "minimum", "a quantity cannot be negative");
                }
            }
            if let Some(uom) = element.get("uom") {
                let valid = uom.as_str().is_some_and(|u| {
                    (2..=3).contains(&u.len()) && u.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                });
                if !valid {
                    self.problem(
                        pointer(&at, "uom"),
                        "pattern",
                        "a unit of measure is a UN/CEFACT Rec 20 code of 2 or 3 capitals or digits",
                    );
                }
                if !element.contains_key("quantity") {
                    self.problem(pointer(&at, "uom"), "dependency", "'uom' needs a 'quantity'");
                }
            }
        }
    }

    fn typed_list(&mut self, value: &Value, at: &str, item: &str, vocabulary: Vocabulary, type_required: bool) {
        let Some(items) = self.array(value, at, 0) else { return };
        for (i, entry) in items.iter().enumerate() {
            let at = format!("{at}/{i}");
            let Some(entry) = self.object(entry, &at) else { continue };
            self.closed(entry, &at, &["type", item]);
            let with_type = ["type", item];
            self.required(entry, &at, if type_required { &with_type[..] } else { &with_type[1..] });
            if let Some(kind) = entry.get("type") {
                self.vocabulary(vocabulary, kind, &pointer(&at, "type"));
            }
            if let Some(value) = entry.get(item) {
                self.uri(value, &pointer(&at, item));
            }
        }
    }

    fn location(&mut self, value: &Value, at: &str) {
        if let Some(location) = self.object(value, at) {
            self.required(location, at, &["id"]);
            if let Some(id) = location.get("id") {
                self.uri(id, &pointer(at, "id"));
            }
        }
    }

    fn persistent_disposition(&mut self, value: &Value, at: &str) {
        let Some(object) = self.object(value, at) else { return };
        self.closed(object, at, &["set", "unset"]);
        if !object.contains_key("set") && !object.contains_key("unset") {
            self.problem(at, "required", "needs 'set' or 'unset'");
        }
        for key in ["set", "unset"] {
            let Some(list) = object.get(key) else { continue };
            let at = pointer(at, key);
            if let Some(items) = self.array(list, &at, 1) {
                for (i, item) in items.iter().enumerate() {
                    self.vocabulary(Vocabulary::Disposition, item, &format!("{at}/{i}"));
                }
            }
        }
    }

    fn error_declaration(&mut self, value: &Value, at: &str) {
        let Some(object) = self.object(value, at) else { return };
        self.extensions_only(object, at, &["declarationTime", "reason", "correctiveEventIDs"]);
        self.required(object, at, &["declarationTime"]);
        if let Some(time) = object.get("declarationTime") {
            self.date_time(time, &pointer(at, "declarationTime"));
        }
        if let Some(reason) = object.get("reason") {
            self.vocabulary(Vocabulary::ErrorReason, reason, &pointer(at, "reason"));
        }
        if let Some(ids) = object.get("correctiveEventIDs") {
            self.uri_list(ids, &pointer(at, "correctiveEventIDs"), false);
        }
    }

    fn sensor_element_list(&mut self, value: &Value, at: &str) {
        let Some(items) = self.array(value, at, 1) else { return };
        for (i, item) in items.iter().enumerate() {
            let at = format!("{at}/{i}");
            let Some(element) = self.object(item, &at) else { continue };
            self.extensions_only(element, &at, &["sensorMetadata", "sensorReport"]);
            self.required(element, &at, &["sensorReport"]);
            if let Some(metadata) = element.get("sensorMetadata") {
                let at = pointer(&at, "sensorMetadata");
                if let Some(metadata) = self.object(metadata, &at) {
                    self.sensor_fields(metadata, &at, SENSOR_METADATA_FIELDS);
                }
            }
            if let Some(reports) = element.get("sensorReport") {
                let at = pointer(&at, "sensorReport");
                let Some(reports) = self.array(reports, &at, 1) else { continue };
                for (j, report) in reports.iter().enumerate() {
                    let at = format!("{at}/{j}");
                    let Some(report) = self.object(report, &at) else { continue };
                    // A report is a measurement (with its type) or an alert (with its exception).
                    if !report.contains_key("type") && !report.contains_key("exception") {
                        self.problem(
                            pointer(&at, "type"),
                            "required",
                            "a sensor report needs a 'type', or an 'exception' for an alert",
                        );
                    }
                    self.sensor_fields(report, &at, SENSOR_REPORT_FIELDS);
                }
            }
        }
    }

    fn sensor_fields(&mut self, object: &Map<String, Value>, at: &str, fields: &[(&str, SensorField)]) {
        let names: Vec<&str> = fields.iter().map(|(name, _)| *name).collect();
        self.extensions_only(object, at, &names);
        for (name, kind) in fields {
            let Some(value) = object.get(*name) else { continue };
            let at = pointer(at, name);
            match kind {
                SensorField::Uri => self.uri(value, &at),
                SensorField::Time => self.date_time(value, &at),
                SensorField::Number => self.number(value, &at),
                SensorField::Text => {
                    self.string(value, &at);
                }
                SensorField::Boolean => {
                    if !value.is_boolean() {
                        self.problem(at, "type", format!("expected a boolean, found {}", describe(value)));
                    }
                }
                SensorField::Hex => {
                    if !value.as_str().is_some_and(|h| !h.is_empty() && h.bytes().all(|b| b.is_ascii_hexdigit())) {
                        self.problem(at, "pattern", "expected hexadecimal digits");
                    }
                }
                SensorField::Vocabulary(vocabulary) => self.vocabulary(*vocabulary, value, &at),
            }
        }
    }

    fn event(&mut self, event: &Map<String, Value>, base: &str) {
        let event_type = event.get("type").and_then(Value::as_str).unwrap_or_default();
        let Some(fields) = type_fields(event_type) else {
            match event.get("type") {
                None => self.problem(pointer(base, "type"), "required", "'type' is required"),
                Some(kind) if !kind.as_str().is_some_and(is_uri) => self.problem(
                    pointer(base, "type"),
                    "event_type",
                    "expected ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent or a URI",
                ),
                Some(_) => {}
            }
            return;
        };
        let known: Vec<&str> = COMMON_FIELDS.iter().chain(fields).copied().collect();
        for key in event.keys() {
            if known.contains(&key.as_str()) || is_uri(key) {
                continue;
            }
            let belongs_elsewhere = ["ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent"]
                .iter()
                .any(|other| type_fields(other).is_some_and(|f| f.contains(&key.as_str())));
            let message = if belongs_elsewhere {
                format!("'{key}' is not a field of {event_type}")
            } else {
                format!("'{key}' is not a standard field and has no namespace prefix")
            };
            self.problem(pointer(base, key), "unknown_field", message);
        }
        self.required(event, base, &["eventTime", "eventTimeZoneOffset"]);
        if event_type != "TransformationEvent" {
            self.required(event, base, &["action"]);
        }
        self.common(event, base);
        self.what(event, base, event_type);
        self.why_where(event, base);
    }

    fn common(&mut self, event: &Map<String, Value>, base: &str) {
        for key in ["eventTime", "recordTime"] {
            if let Some(value) = event.get(key) {
                self.date_time(value, &pointer(base, key));
            }
        }
        if let Some(offset) = event.get("eventTimeZoneOffset") {
            let at = pointer(base, "eventTimeZoneOffset");
            if let Some(text) = self.string(offset, &at) {
                if !time::is_zone_offset(text) {
                    self.problem(
                        at,
                        "pattern",
                        format!("'{text}' is not an offset from -14:00 to +14:00 written ±hh:mm"),
                    );
                }
            }
        }
        if let Some(id) = event.get("eventID") {
            self.uri(id, &pointer(base, "eventID"));
        }
        if let Some(info) = event.get("certificationInfo") {
            let at = pointer(base, "certificationInfo");
            if info.is_array() {
                self.uri_list(info, &at, false);
            } else {
                self.uri(info, &at);
            }
        }
        if let Some(declaration) = event.get("errorDeclaration") {
            self.error_declaration(declaration, &pointer(base, "errorDeclaration"));
        }
    }

    fn what(&mut self, event: &Map<String, Value>, base: &str, event_type: &str) {
        for key in ["epcList", "inputEPCList", "outputEPCList"] {
            if let Some(list) = event.get(key) {
                self.uri_list(list, &pointer(base, key), true);
            }
        }
        if let Some(list) = event.get("childEPCs") {
            self.uri_list(list, &pointer(base, "childEPCs"), false);
        }
        for key in ["quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"] {
            if let Some(list) = event.get(key) {
                self.quantity_list(list, &pointer(base, key));
            }
        }
        for key in ["parentID", "transformationID"] {
            if let Some(id) = event.get(key) {
                self.uri(id, &pointer(base, key));
            }
        }
        let action = event.get("action").and_then(Value::as_str);
        if let Some(value) = event.get("action") {
            if !matches!(action, Some("ADD" | "OBSERVE" | "DELETE")) {
                self.problem(pointer(base, "action"), "enum", format!("{value} is not ADD, OBSERVE or DELETE"));
            }
        }
        let non_empty = |key: &str| event.get(key).and_then(Value::as_array).is_some_and(|l| !l.is_empty());
        let present = |key: &str| event.contains_key(key);
        match event_type {
            "ObjectEvent" => {
                let has_sensor = non_empty("sensorElementList") && present("readPoint");
                if !present("epcList") && !non_empty("quantityList") && !has_sensor {
                    self.problem(
                        base,
                        "what_missing",
                        "an ObjectEvent needs an epcList, a quantityList, or sensor data with a readPoint",
                    );
                }
                if present("ilmd") && action != Some("ADD") {
                    self.problem(
                        pointer(base, "ilmd"),
                        "ilmd_without_add",
                        "instance/lot master data (ilmd) is only allowed when the action is ADD",
                    );
                }
            }
            "AggregationEvent" | "AssociationEvent" => {
                if action != Some("DELETE") && !non_empty("childEPCs") && !non_empty("childQuantityList") {
                    self.problem(
                        base,
                        "children_missing",
                        "childEPCs or childQuantityList is required unless the action is DELETE",
                    );
                }
                if event_type == "AssociationEvent" || matches!(action, Some("ADD" | "DELETE")) {
                    self.required(event, base, &["parentID"]);
                }
            }
            "TransactionEvent" => {
                if !present("epcList") && !non_empty("quantityList") && action != Some("DELETE") {
                    self.problem(
                        base,
                        "what_missing",
                        "a TransactionEvent needs an epcList or a quantityList unless the action is DELETE",
                    );
                }
                self.required(event, base, &["bizTransactionList"]);
                if event.get("bizTransactionList").and_then(Value::as_array).is_some_and(Vec::is_empty) {
                    self.problem(
                        pointer(base, "bizTransactionList"),
                        "min_items",
                        "a TransactionEvent names at least one business transaction",
                    );
                }
            }
            _ => {
                let inputs = non_empty("inputEPCList") || non_empty("inputQuantityList");
                let outputs = non_empty("outputEPCList") || non_empty("outputQuantityList");
                if !(inputs && outputs) && !(present("transformationID") && (inputs || outputs)) {
                    self.problem(
                        base,
                        "transformation_incomplete",
                        "a TransformationEvent needs inputs and outputs, or a transformationID with either",
                    );
                }
            }
        }
        if let Some(ilmd) = event.get("ilmd") {
            let at = pointer(base, "ilmd");
            if let Some(ilmd) = self.object(ilmd, &at) {
                self.extensions_only(ilmd, &at, &[]);
            }
        }
    }

    fn why_where(&mut self, event: &Map<String, Value>, base: &str) {
        if let Some(step) = event.get("bizStep") {
            self.vocabulary(Vocabulary::BizStep, step, &pointer(base, "bizStep"));
        }
        if let Some(disposition) = event.get("disposition") {
            self.vocabulary(Vocabulary::Disposition, disposition, &pointer(base, "disposition"));
        }
        if let Some(value) = event.get("persistentDisposition") {
            self.persistent_disposition(value, &pointer(base, "persistentDisposition"));
        }
        for key in ["readPoint", "bizLocation"] {
            if let Some(value) = event.get(key) {
                self.location(value, &pointer(base, key));
            }
        }
        if let Some(list) = event.get("bizTransactionList") {
            self.typed_list(
                list,
                &pointer(base, "bizTransactionList"),
                "bizTransaction",
                Vocabulary::BizTransactionType,
                false,
            );
        }
        if let Some(list) = event.get("sourceList") {
            self.typed_list(list, &pointer(base, "sourceList"), "source", Vocabulary::SourceDestType, true);
        }
        if let Some(list) = event.get("destinationList") {
            self.typed_list(list, &pointer(base, "destinationList"), "destination", Vocabulary::SourceDestType, true);
        }
        if let Some(list) = event.get("sensorElementList") {
            self.sensor_element_list(list, &pointer(base, "sensorElementList"));
        }
    }

    fn context(&mut self, value: &Value, at: &str) {
        let valid = match value {
            Value::String(uri) => is_uri(uri),
            Value::Object(_) => true,
            Value::Array(items) => items.iter().all(|item| item.is_object() || item.as_str().is_some_and(is_uri)),
            _ => false,
        };
        if !valid {
            self.problem(at, "context", "@context is a URI, an object of prefixes, or an array of them");
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum SensorField {
    Uri,
    Time,
    Number,
    Text,
    Boolean,
    Hex,
    Vocabulary(Vocabulary),
}

const SENSOR_METADATA_FIELDS: &[(&str, SensorField)] = &[
    ("time", SensorField::Time),
    ("startTime", SensorField::Time),
    ("endTime", SensorField::Time),
    ("deviceID", SensorField::Uri),
    ("deviceMetadata", SensorField::Uri),
    ("rawData", SensorField::Uri),
    ("dataProcessingMethod", SensorField::Uri),
    ("bizRules", SensorField::Uri),
];

const SENSOR_REPORT_FIELDS: &[(&str, SensorField)] = &[
    ("type", SensorField::Vocabulary(Vocabulary::MeasurementType)),
    ("exception", SensorField::Vocabulary(Vocabulary::AlertType)),
    ("deviceID", SensorField::Uri),
    ("deviceMetadata", SensorField::Uri),
    ("rawData", SensorField::Uri),
    ("dataProcessingMethod", SensorField::Uri),
    ("bizRules", SensorField::Uri),
    ("time", SensorField::Time),
    ("microorganism", SensorField::Uri),
    ("chemicalSubstance", SensorField::Uri),
    ("coordinateReferenceSystem", SensorField::Uri),
    ("value", SensorField::Number),
    ("component", SensorField::Vocabulary(Vocabulary::Component)),
    ("stringValue", SensorField::Text),
    ("booleanValue", SensorField::Boolean),
    ("hexBinaryValue", SensorField::Hex),
    ("uriValue", SensorField::Uri),
    ("minValue", SensorField::Number),
    ("maxValue", SensorField::Number),
    ("meanValue", SensorField::Number),
    ("sDev", SensorField::Number),
    ("percRank", SensorField::Number),
    ("percValue", SensorField::Number),
    ("uom", SensorField::Text),
];

/// Validates a capture body: an `EPCISDocument`, or a single event (which must carry its own `@context`).
pub fn validate_document(root: &Value) -> Vec<Problem> {
    let mut checker = Checker { problems: Vec::new() };
    let Some(object) = checker.object(root, "") else { return checker.problems };
    match object.get("type").and_then(Value::as_str) {
        Some("EPCISDocument") => {
            checker.required(object, "", &["@context", "type", "schemaVersion", "creationDate", "epcisBody"]);
            checker.extensions_only(
                object,
                "",
                &[
                    "@context",
                    "id",
                    "type",
                    "schemaVersion",
                    "creationDate",
                    "instanceIdentifier",
                    "sender",
                    "receiver",
                    "epcisHeader",
                    "epcisBody",
                ],
            );
            if let Some(context) = object.get("@context") {
                checker.context(context, "/@context");
            }
            if let Some(version) = object.get("schemaVersion") {
                let valid = version.as_str().is_some_and(|v| {
                    v.split('.').all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                });
                if !valid {
                    checker.problem("/schemaVersion", "pattern", "schemaVersion is written like \"2.0\"");
                }
            }
            if let Some(created) = object.get("creationDate") {
                checker.date_time(created, "/creationDate");
            }
            if let Some(body) = object.get("epcisBody") {
                if let Some(body) = checker.object(body, "/epcisBody") {
                    checker.required(body, "/epcisBody", &["eventList"]);
                    if let Some(list) = body.get("eventList") {
                        if let Some(events) = checker.array(list, "/epcisBody/eventList", 0) {
                            for (i, event) in events.iter().enumerate() {
                                let at = format!("/epcisBody/eventList/{i}");
                                if let Some(event) = checker.object(event, &at) {
                                    checker.event(event, &at);
                                }
                            }
                        }
                    }
                }
            }
        }
        Some("EPCISQueryDocument") => {
            checker.problem("/type", "query_document", "a query document is an answer, not something to capture");
        }
        _ => {
            checker.required(object, "", &["@context"]);
            if let Some(context) = object.get("@context") {
                checker.context(context, "/@context");
            }
            checker.event(object, "");
        }
    }
    checker.problems
}

/// Validates one event inside a document (no `@context` needed); `base` is its JSON pointer.
pub fn validate_event(event: &Value, base: &str) -> Vec<Problem> {
    let mut checker = Checker { problems: Vec::new() };
    if let Some(object) = checker.object(event, base) {
        checker.event(object, base);
    }
    checker.problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_curies() {
        for uri in [
            "urn:epc:id:sgtin:0614141.107346.2017",
            "https://id.gs1.org/01/09521141012345",
            "example:field",
            "ni:///sha-256;ab?ver=CBV2.0",
        ] {
            assert!(is_uri(uri), "{uri}");
        }
        for not_uri in ["shipping", "materialType", "a b:c", "1abc:x", "x:"] {
            assert!(!is_uri(not_uri), "{not_uri}");
        }
    }
}
