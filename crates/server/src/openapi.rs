//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`, written by hand beside the handlers it describes.

use serde_json::{json, Value};

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}})
}

/// The error-code table as a schema: each code with its status and meaning.
fn error_code_schema() -> Value {
    let codes: Vec<&str> = crate::ErrorCode::ALL.iter().map(|code| code.as_str()).collect();
    let lines: Vec<String> = crate::ErrorCode::ALL
        .iter()
        .map(|code| format!("- `{}` ({}): {}", code.as_str(), code.status().as_u16(), code.meaning()))
        .collect();
    json!({"type": "string", "enum": codes,
           "description": format!("Stable error codes; each has one HTTP status.\n\n{}", lines.join("\n"))})
}

/// EPCIS 2.0, trace and recall paths.
fn traceability_paths() -> Value {
    let bearer = json!([{"bearer": []}]);
    let problem = |description: &str| json!({"description": description, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}});
    let mut paths = json!({
        "/epcis/capture": {
            "post": {"summary": "Capture an EPCISDocument (JSON/JSON-LD), in one transaction", "security": bearer,
                     "parameters": [{"name": "GS1-Capture-Error-Behaviour", "in": "header", "schema": {"type": "string", "enum": ["rollback", "proceed"], "default": "rollback"}}],
                     "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object"}}, "application/ld+json": {"schema": {"type": "object"}}}},
                     "responses": {"202": {"description": "captured; the job is at Location"}, "400": problem("ValidationException naming each field"),
                                   "403": problem("SecurityException"), "413": problem("CaptureLimitExceededException (10,000 events)")}},
            "get": {"summary": "Recent capture jobs", "security": bearer, "responses": {"200": {"description": "{captureJobs}"}}}},
        "/epcis/capture/{captureID}": {"get": {"summary": "A capture job", "security": bearer,
            "parameters": [{"name": "captureID", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "{captureID, running, success, captureErrorBehaviour, errors}"}, "404": problem("NoSuchResourceException")}}},
        "/epcis/events": {
            "post": {"summary": "Capture one event (with its @context)", "security": bearer,
                     "responses": {"201": {"description": "created; Location names it"}, "400": problem("ValidationException"), "409": problem("already stored")}},
            "get": {"summary": "SimpleEventQuery: eventType, GE_/LT_eventTime, GE_/LT_recordTime, EQ_action, EQ_bizStep, EQ_disposition, EQ_readPoint, EQ_bizLocation, EQ_eventID, EQ_transformationID, EXISTS_errorDeclaration, MATCH_epc, MATCH_parentID, MATCH_inputEPC, MATCH_outputEPC, MATCH_anyEPC, MATCH_epcClass, MATCH_inputEPCClass, MATCH_outputEPCClass, MATCH_anyEPCClass, orderBy, orderDirection, eventCountLimit, maxEventCount, perPage, nextPageToken",
                    "security": bearer,
                    "parameters": [{"name": "GS1-EPC-Format", "in": "header", "schema": {"type": "string", "enum": ["No_Preference", "Always_EPC_URN", "Always_GS1_Digital_Link", "Never_Translates"]}}],
                    "responses": {"200": {"description": "an EPCISQueryDocument; Link rel=next for the next page"}, "400": problem("QueryParameterException"), "413": problem("QueryTooLargeException")}}},
        "/epcis/events/{eventID}": {"get": {"summary": "One event (its error declaration, if captured)", "security": bearer,
            "parameters": [{"name": "eventID", "in": "path", "required": true, "schema": {"type": "string"}, "description": "percent-encoded"}],
            "responses": {"200": {"description": "the event"}, "404": problem("NoSuchResourceException")}}},
        "/epcis/eventTypes": {"get": {"summary": "The five event types", "security": bearer, "responses": {"200": {"description": "Collection"}}}},
        "/epcis/eventTypes/{eventType}/events": {"get": {"summary": "Events of a type (query parameters as /epcis/events)", "security": bearer, "responses": {"200": {"description": "EPCISQueryDocument"}}}},
        "/epcis/epcs/{epc}/events": {"get": {"summary": "Events naming an EPC in any role", "security": bearer, "responses": {"200": {"description": "EPCISQueryDocument"}}}},
        "/api/v1/trace": {"get": {"summary": "Trace forward (what was made from it, where it went) or backward (what went into it, where it came from)",
            "security": bearer,
            "parameters": [{"name": "id", "in": "query", "required": true, "schema": {"type": "string"}, "description": "EPC URN, GS1 Digital Link or lot class"},
                           {"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["forward", "backward"]}},
                           {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date-time"}}],
            "responses": {"200": {"description": "{start, items (with paths), containers, parties (with GLN registrations), regions, organizations, truncated}"}}}},
        "/api/v1/trace/{id}": {"get": {"summary": "The same trace, the identifier in the path (percent-encoded, or a Digital Link written out)", "security": bearer,
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                           {"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["forward", "backward"]}},
                           {"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date-time"}}],
            "responses": {"200": {"description": "as GET /api/v1/trace"}}}},
        "/api/v1/recalls": {
            "get": {"summary": "Recalls: public notices (search q in Chinese); a producer's and a supervisor's own", "responses": {"200": {"description": "{items, count}"}}},
            "post": {"summary": "Defect report (缺陷报告) or a regulator's case", "security": bearer, "responses": {"201": {"description": "the recall"}, "403": error_response("forbidden")}}},
        "/api/v1/glns/{gln}": {
            "get": {"summary": "Who holds a party (PGLN) or location (SGLN) GLN", "responses": {"200": {"description": "{gln, kind, uscc, name, region_code, address}"}, "404": error_response("not_found")}},
            "put": {"summary": "Register a GLN to an organization (its own for an enterprise; within its region for a regulator)", "security": bearer,
                    "responses": {"200": {"description": "the registration"}, "400": error_response("invalid_gln"), "403": error_response("forbidden"),
                                  "422": error_response("unknown_organization")}}},
        "/api/v1/gs1-prefixes": {"get": {"summary": "The GS1 company prefixes an organization holds",
            "parameters": [{"name": "uscc", "in": "query", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "{uscc, prefixes}"}, "400": error_response("invalid_uscc")}}},
        "/api/v1/gs1-prefixes/{prefix}": {
            "get": {"summary": "Who holds a GS1 company prefix (厂商识别代码)", "responses": {"200": {"description": "{prefix, uscc}"}, "404": error_response("not_found")}},
            "put": {"summary": "Record the holder of a GS1 company prefix (administrators); enterprises register GLNs only under prefixes they hold", "security": bearer,
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"uscc": {"type": "string"}}, "required": ["uscc"]}}}},
                    "responses": {"200": {"description": "{prefix, uscc}"}, "400": error_response("invalid_request"), "403": error_response("forbidden"),
                                  "422": error_response("unknown_organization")}}},
        "/api/v1/injuries": {"post": {"summary": "Report an injury case (a sentinel hospital its own; admins any). Stratum and weight come from the register on the treatment date; sending them is refused", "security": bearer,
            "responses": {"201": {"description": "created"}, "200": {"description": "corrected"}, "400": error_response("invalid_request naming the field"),
                          "403": error_response("forbidden"), "409": error_response("conflict: the case id is another hospital's"),
                          "422": error_response("not_sentinel")}}},
        "/api/v1/injuries/estimates": {"get": {"summary": "National injury estimates: cases, weighted estimate, SE (Taylor, hospitals as PSUs within strata), CV, 95% interval, unstable flag (CPSC rule)",
            "parameters": [{"name": "product_code", "in": "query", "schema": {"type": "string"}},
                           {"name": "hazard_code", "in": "query", "schema": {"type": "string"}},
                           {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                           {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
                           {"name": "group_by", "in": "query", "schema": {"type": "string"}, "description": "comma-separated: year, sex, age_group, body_part, diagnosis, disposition, product_code, province"}],
            "responses": {"200": {"description": "{estimates, hospitals, method, stability_rule}"}}}},
        "/api/v1/signals": {"get": {"summary": "Risk signals from injury reports, sampling failures or complaints: disproportionality (PRR, ROR, χ², IC, BCPNN, EBGM) or Farrington alarms, each with its method and parameters (regulators)",
            "security": bearer,
            "parameters": [{"name": "source", "in": "query", "schema": {"type": "string", "enum": ["injuries", "inspections", "complaints"]}},
                           {"name": "method", "in": "query", "schema": {"type": "string", "enum": ["disproportionality", "farrington", "ears_c1", "ears_c2", "ears_c3", "cusum", "ewma", "glr"]}},
                           {"name": "by_region", "in": "query", "schema": {"type": "boolean"}, "description": "temporal detection per product and province"},
                           {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                           {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}}],
            "responses": {"200": {"description": "{method, parameters, period, signals}"}, "403": error_response("forbidden")}}},
        "/api/v1/signals/runs": {
            "post": {"summary": "Compute signals (the parameters of GET /api/v1/signals as a JSON body) and keep them with their method, parameters, period and source (regulators)",
                     "security": bearer, "responses": {"201": {"description": "the kept run"}, "403": error_response("forbidden")}},
            "get": {"summary": "The latest kept computations, without their signals (regulators)", "security": bearer, "responses": {"200": {"description": "{items}"}}}},
        "/api/v1/signals/runs/{id}": {"get": {"summary": "A kept computation with its signals (regulators)", "security": bearer, "responses": {"200": {"description": "the run"}, "404": error_response("not_found")}}},
        "/api/v1/hospitals": {"get": {"summary": "The sentinel-hospital register with stratum, weight and case counts (regulators)", "security": bearer, "responses": {"200": {"description": "{items}"}}}},
        "/api/v1/hospitals/{id}": {"put": {"summary": "Register a sentinel hospital by its USCC, or change its stratum and weight (the inverse sampling fraction, at least 1) from valid_from on (default: today for a change); administrators only",
            "security": bearer, "responses": {"200": {"description": "the register entry"}, "400": error_response("invalid_uscc, invalid_region, invalid_request"), "403": error_response("forbidden")}}},
        "/api/v1/risk-assessments": {"post": {"summary": "Assess an injury scenario (RAG): steps with probabilities and a severity 1–4 give the level from data/risk_matrix.json",
            "security": bearer, "responses": {"201": {"description": "the assessment"}, "400": error_response("invalid_request"), "403": error_response("forbidden")}}},
        "/api/v1/risk-assessments/{id}": {"get": {"summary": "A risk assessment (regulators)", "security": bearer, "responses": {"200": {"description": "the assessment"}}}},
        "/api/v1/warnings": {
            "get": {"summary": "Risk warnings: published ones for everyone (q searches in Chinese), all for regulators", "responses": {"200": {"description": "{items, count}"}}},
            "post": {"summary": "Draft a warning from an assessment", "security": bearer, "responses": {"201": {"description": "the draft"}, "422": error_response("unknown_assessment")}}},
        "/api/v1/warnings/{id}": {"get": {"summary": "A warning with its history", "responses": {"200": {"description": "the warning"}, "404": error_response("not_found")}}},
        "/api/v1/warnings/{id}/review": {"post": {"summary": "Review (by someone other than the drafter)", "security": bearer, "responses": {"200": {"description": "reviewed"}, "409": error_response("wrong_state")}}},
        "/api/v1/warnings/{id}/publish": {"post": {"summary": "Publish a reviewed warning", "security": bearer, "responses": {"200": {"description": "published"}, "409": error_response("wrong_state")}}},
        "/api/v1/warnings/{id}/update": {"post": {"summary": "Update a published warning (note required)", "security": bearer, "responses": {"200": {"description": "updated"}}}},
        "/api/v1/warnings/{id}/withdraw": {"post": {"summary": "Withdraw a published warning (note required)", "security": bearer, "responses": {"200": {"description": "withdrawn"}}}},
        "/api/v1/warnings/{id}/responses": {"post": {"summary": "Record a response (早处置): sampling_ordered, recall_opened, notice_to_enterprises", "security": bearer, "responses": {"200": {"description": "recorded"}}}},
        "/api/v1/signals/series": {"get": {"summary": "A product's weekly injury counts with the detector's expected value and threshold per week (regulators)", "security": bearer,
            "responses": {"200": {"description": "{weeks, observed, expected, upper, alarm}"}}}},
        "/api/v1/injuries/{case_id}": {"get": {"summary": "One case (regulators, and the reporting hospital)", "security": bearer,
            "responses": {"200": {"description": "the case"}, "404": error_response("not_found")}}},
        "/api/v1/recalls/rules": {"get": {"summary": "Stage deadlines, their sources and confidence", "responses": {"200": {"description": "{version, rules}"}}}},
        "/api/v1/recalls/{id}": {"get": {"summary": "A recall with scope, recovery rate and history", "responses": {"200": {"description": "the recall"}, "404": error_response("not_found")}}},
    });
    for (stage, summary) in [
        ("investigation", "The regulator opens the investigation"),
        ("decision", "voluntary (producer or regulator), ordered or no_recall (regulator)"),
        ("objection", "A vehicle producer objects to an order within the configured working days"),
        ("scope", "Recompute the scope from the trace"),
        ("plan", "The recall plan with the DPAC fields"),
        (
            "plan-review",
            "A regulator of the producer's region accepts the plan (accepted: true) or returns it with a note",
        ),
        ("notice", "Publish the public notice, once the plan is accepted"),
        ("progress", "Units recovered so far (cumulative)"),
        ("completion", "The producer declares the recall completed"),
        ("summary", "The summary report"),
        ("evaluation", "The regulator's effectiveness evaluation"),
    ] {
        paths[format!("/api/v1/recalls/{{id}}/{stage}")] = json!({"post": {"summary": summary, "security": bearer,
            "responses": {"200": {"description": "the recall after the stage"}, "403": error_response("forbidden"),
                          "409": error_response("wrong_state")}}});
    }
    for extra in [complaint_paths(&bearer), log_paths(), credit_paths(&bearer)] {
        for (path, item) in extra.as_object().expect("an object") {
            paths[path] = item.clone();
        }
    }
    paths
}

/// The public log's paths (RFC 6962 Merkle log, Ed25519 checkpoints); all public.
fn log_paths() -> Value {
    json!({
        "/api/v1/log/checkpoint": {"get": {"summary": "The log's checkpoint as JSON: {tree_size, root_hash (hex), key_id, signed_at, note}, the note a C2SP signed note with the witnesses' cosignatures", "responses": {"200": {"description": "the checkpoint"}, "503": error_response("log_unavailable or log_inconsistent")}}},
        "/api/v1/log/note": {"get": {"summary": "The checkpoint as a C2SP signed note (text/plain), as witnesses and note tools read it", "responses": {"200": {"description": "the note"}, "503": error_response("log_unavailable or log_inconsistent")}}},
        "/api/v1/log/witnesses": {"get": {"summary": "The witnesses whose cosignatures the log accepts, with their cosignature/v1 verifier keys", "responses": {"200": {"description": "{witnesses}"}}}},
        "/api/v1/log/witnesses/{name}": {"put": {"summary": "An administrator registers a witness by its cosignature/v1 verifier key", "security": [{"bearer": []}],
            "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"verifier_key": {"type": "string", "description": "cosignature/v1 verifier key named as the witness"}}}}}},
            "responses": {"200": {"description": "the witness"}, "403": error_response("forbidden")}}},
        "/api/v1/log/cosignatures": {"post": {"summary": "A registered witness's cosignature line of a signed checkpoint (the current one unless tree_size names another), checked against its key and the checkpoint's body, then served with the note",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["line"], "properties": {"line": {"type": "string", "description": "— name base64(key id ‖ time ‖ signature)"}, "tree_size": {"type": "integer"}}}}}},
            "responses": {"200": {"description": "{tree_size, witness, time}"}, "400": error_response("invalid_request"), "403": error_response("forbidden: not a registered witness")}}},
        "/api/v1/log/public-key": {"get": {"summary": "The Ed25519 public key (base64) that signs checkpoints, with its key_id", "responses": {"200": {"description": "the key"}}}},
        "/api/v1/log/entries": {"get": {"summary": "Entries [start, end), at most 1,000: {index, kind, subject, data (base64 of the canonical bytes), entry (decoded JSON)}",
            "parameters": [{"name": "start", "in": "query", "schema": {"type": "integer"}}, {"name": "end", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "{tree_size, start, end, entries}"}}}},
        "/api/v1/log/proof/inclusion": {"get": {"summary": "The audit path of entry `index` in the tree of `tree_size` entries (RFC 6962 §2.1.1)",
            "parameters": [{"name": "index", "in": "query", "required": true, "schema": {"type": "integer"}}, {"name": "tree_size", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "{index, tree_size, audit_path: [hex]}"}, "400": error_response("invalid_request")}}},
        "/api/v1/log/proof/consistency": {"get": {"summary": "The consistency proof between the trees of `first` and `second` entries (RFC 6962 §2.1.2)",
            "parameters": [{"name": "first", "in": "query", "required": true, "schema": {"type": "integer"}}, {"name": "second", "in": "query", "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "{first, second, proof: [hex]}"}, "400": error_response("invalid_request")}}},
    })
}

/// The credit paths: lists with due process, files, classes and the department exchange.
fn credit_paths(bearer: &Value) -> Value {
    let record = json!({"type": "object", "properties": {
        "uscc": {"type": "string"}, "kind": {"type": "string", "description": "a kind of GET /api/v1/credit/model"},
        "title": {"type": "string"}, "occurred_on": {"type": "string", "format": "date"}, "decision_no": {"type": "string"},
        "reference": {"type": "string", "description": "the sender's own key; required from departments"},
        "legal_basis": {"type": "string"}, "public_until": {"type": "string", "format": "date"}}});
    json!({
        "/api/v1/credit/listings": {
            "get": {"summary": "The public credit lists with history, newest first; `current=true` gives the blacklist now, `format=csv` a download",
                    "parameters": [{"name": "list", "in": "query", "schema": {"type": "string", "enum": ["serious_violation", "abnormal_operations"]}},
                                   {"name": "q", "in": "query", "schema": {"type": "string"}}, {"name": "current", "in": "query", "schema": {"type": "boolean"}},
                                   {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"]}}],
                    "responses": {"200": {"description": "{count, items}"}}},
            "post": {"summary": "A regulator of the enterprise's region proposes a listing {list, uscc, grounds, penalty_ref (required for the serious list), on, note}",
                     "security": bearer, "responses": {"201": {"description": "the listing"}, "403": error_response("forbidden"), "409": error_response("conflict")}}},
        "/api/v1/credit/listings/{id}": {"get": {"summary": "A listing with its steps: public once published, before that for the region's regulators and the enterprise", "responses": {"200": {"description": "the listing"}, "404": error_response("not_found")}}},
        "/api/v1/credit/listings/{id}/{step}": {"post": {"summary": "A step with `on` and `note`: notify, statement, hearing-request, hearing, decide (listed), publish, repair-apply (conditions), repair-decide (granted), remove (reason); publication, removal and repair are public-log entries and move the credit class",
            "security": bearer, "responses": {"200": {"description": "the listing"}, "403": error_response("forbidden"), "409": error_response("wrong_state, conflict")}}},
        "/api/v1/credit/listings/sweep": {"post": {"summary": "Removes every published listing past its period (admin or regulator)", "security": bearer, "responses": {"200": {"description": "{removed}"}}}},
        "/api/v1/credit/rules": {"get": {"summary": "The lists' periods and repair conditions, as data", "responses": {"200": {"description": "the rules"}}}},
        "/api/v1/credit/model": {"get": {"summary": "The credit scoring model in force: version, record kinds with points, windows, public periods and legal basis, class thresholds, listing floors, sampling weights", "responses": {"200": {"description": "the model"}}}},
        "/api/v1/credit/classes": {"get": {"summary": "How many organizations hold each class", "responses": {"200": {"description": "{model_version, classes}"}}}},
        "/api/v1/credit/classes/recompute": {"post": {"summary": "Collects new records from inspections, recalls and complaints and rescores every organization (admin); class changes go to the public log",
            "security": bearer, "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"as_of": {"type": "string", "format": "date"}}}}}},
            "responses": {"200": {"description": "{collected, summary: {organizations, class_changes, refreshed, by_class}}"}, "403": error_response("forbidden")}}},
        "/api/v1/organizations/{uscc}/credit": {"get": {"summary": "The credit file: class with reasons and log leaf, class changes, records (public ones; all for the region's regulators and the organization), listings, public-log entries with inclusion-proof links",
            "parameters": [{"name": "as_of", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "regulators only"}],
            "responses": {"200": {"description": "the file"}, "404": error_response("not_found")}}},
        "/api/v1/organizations/{uscc}/credit/records": {"post": {"summary": "A regulator of the organization's region records a penalty, certificate suspension, award or good record",
            "security": bearer, "requestBody": {"content": {"application/json": {"schema": record.clone()}}},
            "responses": {"201": {"description": "{record, class}"}, "400": error_response("invalid_kind, invalid_request"), "403": error_response("forbidden")}}},
        "/api/v1/credit/records/{id}/withdraw": {"post": {"summary": "Withdraws a record {reason}: no longer public, no longer counted", "security": bearer, "responses": {"200": {"description": "{id, withdrawn_on, reason}"}, "409": error_response("conflict")}}},
        "/api/v1/credit/departments": {
            "get": {"summary": "Registered departments (admin), without tokens", "security": bearer, "responses": {"200": {"description": "{departments}"}}},
            "post": {"summary": "Registers a department {code, name, kinds} (admin); the token is answered once", "security": bearer, "responses": {"201": {"description": "{code, name, kinds, token}"}, "409": error_response("conflict")}}},
        "/api/v1/credit/departments/{code}/revoke": {"post": {"summary": "Revokes a department's token (admin)", "security": bearer, "responses": {"200": {"description": "{code, revoked}"}}}},
        "/api/v1/credit/exchange": {"post": {"summary": "A department sends records with its token, as JSON {records: [...]} or CSV with a header row; all or nothing, a record resent under its reference is stored once",
            "security": bearer, "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"records": {"type": "array", "items": record}}}}, "text/csv": {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "{department, received, inserted, already_present, organizations_rescored}"}, "401": error_response("unauthorized"),
                          "413": error_response("payload_too_large"), "422": {"description": "{code: rejected_rows, message, received, rejected: [{row, field, code, message}]}"}}}},
        "/api/v1/credit/exchange/format": {"get": {"summary": "The exchange format: columns, required fields, the kinds a department may send", "responses": {"200": {"description": "the format"}}}},
    })
}

/// The complaint paths (a separate literal: one `json!` of every path exceeds the macro's recursion limit).
fn complaint_paths(bearer: &Value) -> Value {
    json!({
        "/api/v1/complaints": {
            "post": {"summary": "File a complaint (投诉), report (举报, may be anonymous) or enquiry (咨询). Public and rate-limited per address; a regulator's clerk may give received_on. Checked, routed to the regulator with jurisdiction (master data, the USCC's issuing region, the address, a platform's domicile, or region_code) and classified. Answers the tracking number and the secret once, with the working-day deadlines",
                     "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                         "kind": {"type": "string", "enum": ["complaint", "report", "enquiry"]}, "anonymous": {"type": "boolean"},
                         "submitter_name": {"type": "string"}, "submitter_phone": {"type": "string"}, "submitter_id_number": {"type": "string"},
                         "submitter_address": {"type": "string"}, "respondent_name": {"type": "string"}, "respondent_uscc": {"type": "string"},
                         "respondent_address": {"type": "string"}, "platform_uscc": {"type": "string"}, "region_code": {"type": "string"},
                         "product_gtin": {"type": "string"}, "product_lot": {"type": "string"}, "product_name": {"type": "string"},
                         "facts": {"type": "string"}, "request": {"type": "string"}, "harm_known_on": {"type": "string", "format": "date"},
                         "received_on": {"type": "string", "format": "date"}, "category": {"type": "string"}, "issue": {"type": "string"}}}}}},
                     "responses": {"201": {"description": "{id, tracking_number, secret, kind, status, handling_region, category, issue, deadlines}"},
                                   "400": error_response("invalid_request, invalid_uscc, invalid_phone, invalid_id_number, unroutable"),
                                   "429": error_response("rate_limited")}},
            "get": {"summary": "The work queue: open work due within `within_days` (default 3) under the regulator's jurisdiction or `region`, earliest deadline first, with overdue and due counts; an enterprise gets the complaints against it",
                    "security": bearer,
                    "parameters": [{"name": "within_days", "in": "query", "schema": {"type": "integer"}}, {"name": "region", "in": "query", "schema": {"type": "string"}}, {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "{today, due_by, overdue, due, items}"}}}},
        "/api/v1/complaints/{id}": {"get": {"summary": "A filing with its deadlines and history: in full for the handling regulator, masked for the respondent enterprise (complaints only; reports never reach the respondent)", "security": bearer, "responses": {"200": {"description": "the filing"}, "404": error_response("not_found")}}},
        "/api/v1/complaints/{id}/{action}": {"post": {"summary": "A handling step with an optional `on` date and `note`: accept, reject (ground 1–6, Art 15), refer (region_code), mediate (consent), suspend (reason testing with lab_uscc: testing time does not count), resume (result), settle, terminate (ground, Art 21), notify, extend (a report's verification, once), open-case, no-case, answer (enquiry), classify (category, issue), split (a report from a complaint), reward (grade 1–3, amount) and reward-refuse for a claimed reporter's reward; enterprise-response (answer) by the respondent",
            "security": bearer, "responses": {"200": {"description": "the filing as it now stands"}, "403": error_response("forbidden"), "409": error_response("wrong_state, conflict")}}},
        "/api/v1/complaints/track": {"post": {"summary": "The submitter follows a filing with {tracking_number, secret}: masked view, deadlines, history", "responses": {"200": {"description": "the filing"}, "404": error_response("not_found")}}},
        "/api/v1/complaints/track/{action}": {"post": {"summary": "The submitter's steps with {tracking_number, secret}: settlement (accept the enterprise's answer), withdraw, evaluation (rating 1–5, once closed), reward (payee; a report on which a case was opened, 有奖举报)", "responses": {"200": {"description": "the filing"}, "409": error_response("wrong_state")}}},
        "/api/v1/complaints/stats": {"get": {"summary": "Counts of filings received in a period by kind, category, issue, province, month, status, outcome, or respondent (regulators only), with shares and rates per 30 days",
            "parameters": [{"name": "group_by", "in": "query", "schema": {"type": "string"}}, {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}}, {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}}, {"name": "region", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "{group_by, from, to, region, total, groups}"}}}},
        "/api/v1/complaints/classifier": {"get": {"summary": "The classifier's rules (terms per product category and issue type), and the refusal and termination grounds", "responses": {"200": {"description": "the rules"}}}}
    })
}

/// The document.
pub fn document() -> Value {
    let bearer = json!([{"bearer": []}]);
    let page = |item: &str| {
        json!({"type": "object", "required": ["items"], "properties": {
            "items": {"type": "array", "items": {"$ref": format!("#/components/schemas/{item}")}},
            "next_cursor": {"type": ["string", "null"], "description": "pass as cursor for the next page"}}})
    };
    let mut document = json!({
        "openapi": "3.1.0",
        "info": {"title": "zhiliang API", "version": "1.0.0",
                 "description": "National product-quality supervision: identifiers, master data. Errors are {code, message} with stable codes, listed with their statuses at /api/v1/errors. Every text of a JSON or form body holds at most 10,000 characters, or its schema's smaller maxLength, and no NUL character (400 invalid_text)."},
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
            "/api/v1/calendar/working-days": {"get": {
                "summary": "The N-th working day after a date on the working-day calendar (the day itself not counted); past the loaded notices the date is provisional (weekends and statutory holidays skipped)",
                "parameters": [
                    {"name": "from", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}},
                    {"name": "add", "in": "query", "required": true, "schema": {"type": "integer", "minimum": 0, "maximum": 3650}}],
                "responses": {"200": {"description": "{from, add, date, provisional, years_not_loaded}"}, "400": error_response("invalid_request")}}},
            "/api/v1/categories": {"get": {
                "summary": "Product categories of the supervision catalogue",
                "responses": {"200": {"description": "the categories"}}}},
            "/api/v1/inspections/pass-rates": {"get": {
                "summary": "Pass rates (合格率) with confidence intervals, grouped",
                "parameters": [
                    {"name": "group_by", "in": "query", "schema": {"type": "string"}, "description": "comma-separated: product_category, region, channel, year, quarter, campaign_level"},
                    {"name": "campaign_level", "in": "query", "schema": {"type": "string", "enum": ["national", "provincial", "city", "county"]}},
                    {"name": "campaign_id", "in": "query", "schema": {"type": "string"}},
                    {"name": "product_category", "in": "query", "schema": {"type": "string"}},
                    {"name": "region", "in": "query", "schema": {"type": "string"}},
                    {"name": "year", "in": "query", "schema": {"type": "integer"}},
                    {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}},
                    {"name": "method", "in": "query", "schema": {"type": "string", "enum": ["wilson", "clopper_pearson", "jeffreys", "agresti_coull", "wald"]}},
                    {"name": "confidence", "in": "query", "schema": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}},
                    {"name": "estimator", "in": "query", "schema": {"type": "string", "enum": ["simple", "stratified"]}},
                    {"name": "include_risk_based", "in": "query", "schema": {"type": "boolean"}, "description": "count campaigns drawn with weights by credit class (left out by default)"}],
                "responses": {"200": {"description": "{method, confidence, estimator, group_by, groups: [{key, samples, passed, rate, lower, upper, estimator, se?, strata?}], total, risk_based_campaigns}"},
                              "400": error_response("invalid_request, invalid_region")}}},
            "/api/v1/inspections/pass-rate-change": {"get": {
                "summary": "Change of pass rates between two years with Newcombe intervals",
                "parameters": [
                    {"name": "from_year", "in": "query", "required": true, "schema": {"type": "integer"}},
                    {"name": "to_year", "in": "query", "required": true, "schema": {"type": "integer"}},
                    {"name": "group_by", "in": "query", "schema": {"type": "string"}}],
                "responses": {"200": {"description": "{method, confidence, groups: [{key, from, to, difference, lower, upper, significant}], total}"}}}},
            "/api/v1/indicators": {"get": {"summary": "The outlines' quality targets and the measured values", "responses": {"200": {"description": "{items}"}}}},
            "/api/v1/campaigns": {
                "get": {"summary": "Sampling campaigns", "responses": {"200": {"description": "{items}"}}},
                "post": {"summary": "Plan a campaign with strata (regulator in its jurisdiction; national: admin)", "security": bearer,
                         "responses": {"201": {"description": "created"}, "403": error_response("forbidden"), "409": error_response("conflict")}}},
            "/api/v1/campaigns/{id}": {"get": {"summary": "A campaign with strata, draw and sample counts",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the campaign"}, "404": error_response("not_found")}}},
            "/api/v1/campaigns/{id}/draw": {"post": {"summary": "Draw organizations at random, reproducibly, without replacement", "security": bearer,
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "{frame, drawn}"}, "409": error_response("conflict: already drawn")}}},
            "/api/v1/campaigns/{id}/publish": {"post": {"summary": "Publish results once every sample is notified and past its re-test window", "security": bearer,
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "{published, failed}"}, "422": error_response("not_ready, nothing_to_publish")}}},
            "/api/v1/samples": {"post": {"summary": "Record a sample from a drawn organization; lab_uscc (required) names the laboratory, whose lab account (same USCC) records the result", "security": bearer,
                "responses": {"201": {"description": "the sample"}, "409": error_response("conflict: sampled twice"), "422": error_response("not_drawn, unknown_organization, campaign_closed")}}},
            "/api/v1/samples/{id}": {"get": {"summary": "A sample with its test items and history (unpublished: its regulator, lab and enterprise only)",
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "{sample, items, events}"}, "404": error_response("not_found")}}},
            "/api/v1/samples/{id}/results": {"post": {"summary": "The sample's lab (the lab account holding the sample's lab_uscc) records test items (a re-test after a request)", "security": bearer,
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the sample"}, "403": error_response("forbidden"), "422": error_response("wrong_state")}}},
            "/api/v1/samples/{id}/notice": {"post": {"summary": "Notify the enterprise; a failure opens the 15-day re-test window", "security": bearer,
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the sample"}, "422": error_response("wrong_state")}}},
            "/api/v1/samples/{id}/retest-request": {"post": {"summary": "The enterprise requests a re-test (复检) within the window", "security": bearer,
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "the sample"}, "422": error_response("retest_window_closed, wrong_state")}}},
            "/api/v1/samples/{id}/follow-ups": {"post": {"summary": "后处理: rectification order, re-inspection, penalty referral", "security": bearer,
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"201": {"description": "the sample"}, "422": error_response("wrong_state")}}},
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
                "Problem": {"type": "object", "description": "RFC 7807; type is epcisException:…",
                            "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                                           "detail": {"type": "string"},
                                           "problems": {"type": "array", "items": {"type": "object", "properties": {
                                               "pointer": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}}}},
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
                                      "properties": {"uscc": {"type": "string", "maxLength": 18}, "name": {"type": "string", "maxLength": 200},
                                                     "region_code": {"type": "string", "maxLength": 6, "description": "defaults to the USCC's characters 3-8"},
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
                                 "properties": {"gtin": {"type": "string", "maxLength": 14}, "name": {"type": "string", "maxLength": 200},
                                                "uscc": {"type": "string", "maxLength": 18},
                                                "category_code": {"type": "string"}, "brand": {"type": "string"},
                                                "specification": {"type": "string"}}}
            }
        }
    });
    document["components"]["schemas"]["ErrorCode"] = error_code_schema();
    document["components"]["schemas"]["ApiError"] = json!({"type": "object", "required": ["code", "message"],
        "properties": {"code": {"$ref": "#/components/schemas/ErrorCode"}, "message": {"type": "string"}}});
    document["paths"]["/api/v1/openapi.json"] =
        json!({"get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1"}}}});
    document["paths"]["/api/v1/errors"] = json!({"get": {"summary": "The error-code table: every code with its HTTP status and meaning",
        "responses": {"200": {"description": "[{code, status, meaning}]"}}}});
    for more in [traceability_paths(), calendar_paths()] {
        if let (Some(paths), Value::Object(more)) = (document["paths"].as_object_mut(), more) {
            paths.extend(more);
        }
    }
    bound_request_texts(&mut document);
    document
}

/// Gives every text a request body may carry the bound the server holds it to (`web::MAX_TEXT_CHARS`), unless its
/// schema states a smaller one or fixes its values (an enum) or form (a date): in the JSON and form bodies of
/// every operation and in the request-only schemas (`…Input`). A CSV or EPCIS document body is bounded as a
/// whole instead.
fn bound_request_texts(document: &mut Value) {
    let mut pending: Vec<&mut Value> = Vec::new();
    // The paths and the components are borrowed side by side, as entries of the one document.
    for (section, value) in document.as_object_mut().into_iter().flatten() {
        match section.as_str() {
            "paths" => {
                let operations = value.as_object_mut().into_iter().flat_map(|paths| paths.values_mut());
                for operation in operations.filter_map(Value::as_object_mut).flat_map(|item| item.values_mut()) {
                    let content = operation.pointer_mut("/requestBody/content").and_then(Value::as_object_mut);
                    for (media, body) in content.into_iter().flatten() {
                        if media == "application/json" || media == "application/x-www-form-urlencoded" {
                            pending.extend(body.get_mut("schema"));
                        }
                    }
                }
            }
            "components" => {
                let schemas = value.get_mut("schemas").and_then(Value::as_object_mut).into_iter().flatten();
                pending.extend(schemas.filter(|(name, _)| name.ends_with("Input")).map(|(_, schema)| schema));
            }
            _ => {}
        }
    }
    while let Some(node) = pending.pop() {
        let Some(schema) = node.as_object_mut() else { continue };
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
                "properties" => pending.extend(child.as_object_mut().into_iter().flat_map(|p| p.values_mut())),
                "items" => pending.push(child),
                "oneOf" | "anyOf" | "allOf" => pending.extend(child.as_array_mut().into_iter().flatten()),
                _ => {}
            }
        }
    }
}

/// The calendar's notices and the deadlines they moved.
fn calendar_paths() -> Value {
    json!({
            "/api/v1/calendar/years": {"get": {
                "summary": "The loaded holiday notices (放假安排) by year, shipped or loaded by an administrator",
                "responses": {"200": {"description": "{years: [{year, source, loaded_at, dates}]}"}}}},
            "/api/v1/calendar/years/{year}": {
                "get": {
                    "summary": "A year's notice if loaded, and its statutory holidays as computed (lunar dates included)",
                    "parameters": [{"name": "year", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "responses": {"200": {"description": "{year, loaded, source, papers, days: [{date, name, isOffDay}] (the form a load takes), statutory_holidays, rules}"}}},
                "put": {
                    "summary": "Load a year's notice (administrators) in the holiday-cn JSON form; running deadlines it changes move and are listed",
                    "security": [{"bearer": []}],
                    "parameters": [{"name": "year", "in": "path", "required": true, "schema": {"type": "integer"}}],
                    "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
                        "required": ["year", "days"], "properties": {
                            "year": {"type": "integer"}, "papers": {"type": "array", "items": {"type": "string", "maxLength": 500}},
                            "days": {"type": "array", "maxItems": 120, "items": {"type": "object", "required": ["date", "isOffDay"], "properties": {
                                "name": {"type": "string", "maxLength": 500}, "date": {"type": "string", "format": "date"}, "isOffDay": {"type": "boolean"}}}}}}}}},
                    "responses": {"200": {"description": "{year, replaced, moved: [{subject_kind, subject_id, deadline, from, to}], skipped}"},
                                  "400": error_response("invalid_calendar"), "403": error_response("forbidden")}}},
            "/api/v1/deadline-changes": {"get": {
                "summary": "Deadlines a calendar load moved in the cases this regulator handles",
                "security": [{"bearer": []}],
                "parameters": [{"name": "unseen", "in": "query", "schema": {"type": "boolean"}},
                               {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}],
                "responses": {"200": {"description": "{items}"}, "403": error_response("forbidden")}}},
            "/api/v1/deadline-changes/{id}/seen": {"post": {
                "summary": "Mark a moved deadline seen",
                "security": [{"bearer": []}],
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "the change"}, "404": error_response("not_found")}}}
    })
}
