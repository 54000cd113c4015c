-- Traceability (质量追溯) on GS1 EPCIS 2.0: capture jobs, events as captured with their index columns, the
-- identifiers each event names, the trace edges derived from them, and GLNs registered to organizations.
CREATE TABLE epcis_captures (
    id INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    error_behaviour TEXT NOT NULL,
    event_count INTEGER NOT NULL,
    stored_count INTEGER NOT NULL,
    duplicate_count INTEGER NOT NULL,
    problems TEXT,
    user_id INTEGER,
    created_at TEXT NOT NULL,
    finished_at TEXT NOT NULL
);

CREATE TABLE epcis_events (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL,
    event_hash TEXT NOT NULL,
    event_type TEXT NOT NULL,
    event_time INTEGER NOT NULL,
    record_time INTEGER NOT NULL,
    time_zone_offset TEXT NOT NULL,
    action TEXT,
    biz_step TEXT,
    disposition TEXT,
    read_point TEXT,
    biz_location TEXT,
    transformation_id TEXT,
    error_declared INTEGER NOT NULL,
    capture_id INTEGER NOT NULL REFERENCES epcis_captures(id),
    document TEXT NOT NULL
);
-- An error declaration is the same event again, with the same eventID and hash. Every event is unique by its
-- hash; an event captured without an eventID has its hash as its ID, so only explicit IDs need an index of
-- their own (lookups by ID ask both indexes).
CREATE UNIQUE INDEX epcis_events_hash ON epcis_events(event_hash, error_declared);
CREATE UNIQUE INDEX epcis_events_event_id ON epcis_events(event_id, error_declared) WHERE event_id <> event_hash;
CREATE INDEX epcis_events_time ON epcis_events(event_time);
CREATE INDEX epcis_events_transformation ON epcis_events(transformation_id) WHERE transformation_id IS NOT NULL;

CREATE TABLE epcis_event_ids (
    event INTEGER NOT NULL REFERENCES epcis_events(id),
    role TEXT NOT NULL,
    id TEXT NOT NULL,
    quantity REAL,
    uom TEXT
);
CREATE INDEX epcis_event_ids_id ON epcis_event_ids(id, event);

CREATE TABLE epcis_edges (
    kind TEXT NOT NULL,
    from_id TEXT NOT NULL,
    to_id TEXT NOT NULL,
    label TEXT,
    quantity REAL,
    uom TEXT,
    event INTEGER NOT NULL REFERENCES epcis_events(id),
    event_time INTEGER NOT NULL
);
CREATE INDEX epcis_edges_from ON epcis_edges(from_id);
CREATE INDEX epcis_edges_to ON epcis_edges(to_id);

CREATE TABLE gln_registrations (
    gln TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    uscc TEXT REFERENCES organizations(uscc),
    name TEXT NOT NULL,
    region_code TEXT NOT NULL,
    address TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX gln_registrations_uscc ON gln_registrations(uscc);
