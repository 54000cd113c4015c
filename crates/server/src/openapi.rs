//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`, generated from the handlers' `#[utoipa::path]`
//! annotations and the request and answer types' schemas.

use serde_json::{json, Value};
use service::error::ErrorBody;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "zhiliang API", version = "1.0.0",
         description = "National product-quality supervision: identifiers, master data. Errors are {code, message} with stable codes, listed with their statuses at /api/v1/errors. Every text of a JSON or form body holds at most 10,000 characters, or its schema's smaller maxLength, and no NUL character (400 invalid_text)."),
    components(schemas(ErrorBody)),
    modifiers(&BearerScheme)
)]
struct Document;

/// The bearer tokens `zhiliang user add` issues.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("token from `zhiliang user add`"))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document: every module's annotated handlers, with each request text bounded as the server bounds it.
pub fn document() -> Value {
    let mut api = Document::openapi();
    for (module, mut part) in crate::api::documents() {
        qualify_operation_ids(module, &mut part);
        api.merge(part);
    }
    let mut document = serde_json::to_value(api).expect("an OpenAPI document serializes");
    bound_request_texts(&mut document);
    document
}

/// Operation ids are handler names, which repeat across modules (`list`, `one`); the module makes them unique.
fn qualify_operation_ids(module: &str, part: &mut utoipa::openapi::OpenApi) {
    for item in part.paths.paths.values_mut() {
        let operations = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            operation.operation_id = operation.operation_id.take().map(|id| format!("{module}_{id}"));
        }
    }
}

/// Gives every text a request body may carry the bound the server holds it to (`web::MAX_TEXT_CHARS`), unless its
/// schema states a smaller one or fixes its values (an enum) or form (a date): in the JSON and form bodies of
/// every operation and in the component schemas they refer to. A CSV or EPCIS document body is bounded as a
/// whole instead.
fn bound_request_texts(document: &mut Value) {
    let mut bodies: Vec<String> = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, operation) in item.as_object().into_iter().flatten() {
            for media in ["application/json", "application/x-www-form-urlencoded"] {
                if operation.pointer(&format!("/requestBody/content/{}/schema", media.replace('/', "~1"))).is_some() {
                    bodies.push(format!(
                        "/paths/{}/{method}/requestBody/content/{}/schema",
                        pointer_key(path),
                        pointer_key(media)
                    ));
                }
            }
        }
    }
    // The components a body refers to, directly or through another component.
    let mut pending: Vec<String> = bodies.clone();
    let mut seen: Vec<String> = Vec::new();
    while let Some(pointer) = pending.pop() {
        if seen.contains(&pointer) {
            continue;
        }
        if let Some(schema) = document.pointer(&pointer) {
            let mut references = Vec::new();
            collect_references(schema, &mut references);
            pending.extend(references.into_iter().map(|name| format!("/components/schemas/{}", pointer_key(&name))));
        }
        seen.push(pointer);
    }
    for pointer in seen {
        if let Some(schema) = document.pointer_mut(&pointer) {
            bound_texts(schema);
        }
    }
}

/// A JSON-pointer segment (RFC 6901).
fn pointer_key(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// The component names a schema refers to.
fn collect_references(schema: &Value, into: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get("$ref") {
                into.extend(target.strip_prefix("#/components/schemas/").map(str::to_owned));
            }
            map.values().for_each(|child| collect_references(child, into));
        }
        Value::Array(items) => items.iter().for_each(|child| collect_references(child, into)),
        _ => {}
    }
}

/// Bounds the texts of one schema and of the schemas nested in it.
fn bound_texts(node: &mut Value) {
    let Some(schema) = node.as_object_mut() else { return };
    let text = match schema.get("type") {
        Some(Value::String(kind)) => kind == "string",
        Some(Value::Array(kinds)) => kinds.iter().any(|kind| kind == "string"),
        _ => false,
    };
    if text && !["maxLength", "enum", "format"].iter().any(|key| schema.contains_key(*key)) {
        schema.insert("maxLength".into(), json!(crate::web::MAX_TEXT_CHARS));
    }
    for (key, child) in schema.iter_mut() {
        match key.as_str() {
            "properties" => child.as_object_mut().into_iter().flat_map(|p| p.values_mut()).for_each(bound_texts),
            "items" => bound_texts(child),
            "oneOf" | "anyOf" | "allOf" => child.as_array_mut().into_iter().flatten().for_each(bound_texts),
            _ => {}
        }
    }
}
