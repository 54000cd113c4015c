//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`, written by hand beside the handlers it describes.

use serde_json::{json, Value};

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// The document.
pub fn document() -> Value {
    let bearer = json!([{"bearer": []}]);
    let page = |item: &str| {
        json!({"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
            "next_cursor": {"type": ["string", "null"], "description": "pass as cursor for the next page"}}})
    };
    json!({
        "openapi": "3.1.0",
        "info": {"title": "zhiliang API", "version": "1.0.0",
                 "description": "National product-quality supervision: identifiers, master data. Errors are {code, message} with stable codes."},
        "paths": {
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": {"description": "ok"}}}},
            "/api/v1/codes/{kind}/{value}": {"get": {
                "summary": "Check an identifier",
                "parameters": [
                    {"name": "kind", "in": "path", "required": true,
                     "schema": {"type": "string", "enum": ["uscc", "org-code", "gtin", "gln", "sscc", "epc", "region"]}},
                    {"name": "value", "in": "path", "required": true, "schema": {"type": "string"},
                     "description": "the code; an EPC may be a URN or a Digital Link URI"}],
                "responses": {"200": {"description": "the check, valid or not",
                                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CodeCheck"}}}},
                              "400": error_response("unknown kind (invalid_kind)")}}},
            "/api/v1/organizations": {
                "get": {"summary": "Search organizations by name words (Chinese), USCC, region",
                        "parameters": [
                            {"name": "q", "in": "query", "schema": {"type": "string"}},
                            {"name": "region", "in": "query", "schema": {"type": "string"}, "description": "GB/T 2260 code or 2/4-digit prefix"},
                            {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
                        "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": page("Organization")}}},
                                      "400": error_response("invalid_region or invalid_request")}},
                "post": {"summary": "Register an organization", "security": bearer,
                         "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrganizationInput"}}}},
                         "responses": {"201": {"description": "created"}, "200": {"description": "updated"},
                                       "400": error_response("invalid_uscc, invalid_region, invalid_request"),
                                       "401": error_response("unauthorized"), "403": error_response("forbidden")}}},
            "/api/v1/organizations/{uscc}": {
                "get": {"summary": "One organization",
                        "parameters": [{"name": "uscc", "in": "path", "required": true, "schema": {"type": "string"}}],
                        "responses": {"200": {"description": "found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Organization"}}}},
                                      "400": error_response("invalid_uscc: the message names the failed check"),
                                      "404": error_response("not_found")}},
                "put": {"summary": "Update an organization", "security": bearer,
                        "parameters": [{"name": "uscc", "in": "path", "required": true, "schema": {"type": "string"}}],
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrganizationInput"}}}},
                        "responses": {"200": {"description": "updated"}, "201": {"description": "created"},
                                      "400": error_response("invalid_uscc, invalid_region, invalid_request"),
                                      "401": error_response("unauthorized"), "403": error_response("forbidden")}}},
            "/api/v1/regions": {"get": {
                "summary": "GB/T 2260 regions in use under a parent (the provinces without one)",
                "parameters": [{"name": "parent", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the children"}, "400": error_response("invalid_region")}}},
            "/api/v1/regions/{code}": {"get": {
                "summary": "One GB/T 2260 region with its parent, history and children",
                "parameters": [{"name": "code", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the region"}, "400": error_response("invalid_region")}}},
            "/api/v1/categories": {"get": {
                "summary": "Product categories of the supervision catalogue",
                "responses": {"200": {"description": "the categories"}}}},
            "/api/v1/products": {
                "get": {"summary": "Search products by name or brand words, or GTIN",
                        "parameters": [
                            {"name": "q", "in": "query", "schema": {"type": "string"}},
                            {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}}],
                        "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": page("Product")}}}}},
                "post": {"summary": "Register a product", "security": bearer,
                         "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProductInput"}}}},
                         "responses": {"201": {"description": "created"}, "200": {"description": "updated"},
                                       "400": error_response("invalid_gtin, invalid_uscc, invalid_request"),
                                       "401": error_response("unauthorized"), "403": error_response("forbidden"),
                                       "422": error_response("unknown_organization: the producer is not registered")}}},
            "/api/v1/products/{gtin}": {
                "get": {"summary": "One product",
                        "parameters": [{"name": "gtin", "in": "path", "required": true, "schema": {"type": "string"}}],
                        "responses": {"200": {"description": "found", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Product"}}}},
                                      "400": error_response("invalid_gtin"), "404": error_response("not_found")}},
                "put": {"summary": "Update a product", "security": bearer,
                        "parameters": [{"name": "gtin", "in": "path", "required": true, "schema": {"type": "string"}}],
                        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProductInput"}}}},
                        "responses": {"200": {"description": "updated"}, "201": {"description": "created"},
                                      "401": error_response("unauthorized"), "403": error_response("forbidden")}}}
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "token from `zhiliang user add`"}},
            "schemas": {
                "Error": {"type": "object", "required": ["code", "message"],
                          "properties": {"code": {"type": "string"}, "message": {"type": "string"}}},
                "CodeCheck": {"type": "object", "required": ["kind", "input", "valid", "normalized", "parts", "warnings", "error"],
                              "properties": {"kind": {"type": "string"}, "input": {"type": "string"}, "valid": {"type": "boolean"},
                                             "normalized": {"type": ["string", "null"]}, "parts": {"type": "object"},
                                             "warnings": {"type": "array", "items": {"$ref": "#/components/schemas/Error"}},
                                             "error": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Error"}]}}},
                "Organization": {"type": "object", "required": ["uscc", "name", "region_code", "status"],
                                 "properties": {"uscc": {"type": "string"}, "name": {"type": "string"}, "region_code": {"type": "string"},
                                                "region_name": {"type": ["string", "null"]}, "province": {"type": ["string", "null"]},
                                                "address": {"type": ["string", "null"]}, "legal_representative": {"type": ["string", "null"]},
                                                "entity_type": {"type": ["string", "null"]}, "status": {"type": "string"},
                                                "registered_on": {"type": ["string", "null"], "format": "date"},
                                                "created_at": {"type": "string"}, "updated_at": {"type": "string"}}},
                "OrganizationInput": {"type": "object", "required": ["name"],
                                      "properties": {"uscc": {"type": "string"}, "name": {"type": "string"},
                                                     "region_code": {"type": "string", "description": "defaults to the USCC's characters 3-8"},
                                                     "address": {"type": "string"}, "legal_representative": {"type": "string"},
                                                     "entity_type": {"type": "string"},
                                                     "status": {"type": "string", "enum": ["active", "revoked", "cancelled", "dissolved"]},
                                                     "registered_on": {"type": "string", "format": "date"}}},
                "Product": {"type": "object", "required": ["gtin", "name", "uscc"],
                            "properties": {"gtin": {"type": "string", "description": "GTIN-14"}, "name": {"type": "string"},
                                           "uscc": {"type": "string"}, "producer_name": {"type": ["string", "null"]},
                                           "category_code": {"type": ["string", "null"]}, "brand": {"type": ["string", "null"]},
                                           "specification": {"type": ["string", "null"]},
                                           "created_at": {"type": "string"}, "updated_at": {"type": "string"}}},
                "ProductInput": {"type": "object", "required": ["name", "uscc"],
                                 "properties": {"gtin": {"type": "string"}, "name": {"type": "string"}, "uscc": {"type": "string"},
                                                "category_code": {"type": "string"}, "brand": {"type": "string"},
                                                "specification": {"type": "string"}}}
            }
        }
    })
}
