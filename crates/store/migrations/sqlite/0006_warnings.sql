-- Risk warnings (风险警示): risk assessments by the RAG method, and warnings drafted from them, reviewed by a
-- second person, published, updated and withdrawn, with the responses taken (早处置).
CREATE TABLE risk_assessments (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    product_code TEXT NOT NULL,
    hazard TEXT NOT NULL,
    steps TEXT NOT NULL,
    severity INTEGER NOT NULL,
    probability DOUBLE PRECISION NOT NULL,
    level TEXT NOT NULL,
    matrix_version TEXT NOT NULL,
    signal TEXT,
    region_code TEXT NOT NULL,
    user_id INTEGER,
    created_at TEXT NOT NULL
);

CREATE TABLE warnings (
    id TEXT PRIMARY KEY,
    assessment_id TEXT NOT NULL REFERENCES risk_assessments(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    level TEXT NOT NULL,
    status TEXT NOT NULL,
    region_code TEXT NOT NULL,
    scope TEXT NOT NULL,
    drafted_by INTEGER,
    published_on TEXT,
    withdrawn_on TEXT,
    search_tokens TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX warnings_status ON warnings(status, published_on);

CREATE TABLE warning_events (
    id INTEGER PRIMARY KEY,
    warning_id TEXT NOT NULL REFERENCES warnings(id),
    stage TEXT NOT NULL,
    at TEXT NOT NULL,
    user_id INTEGER,
    note TEXT,
    data TEXT
);
CREATE INDEX warning_events_warning ON warning_events(warning_id, id);

CREATE VIRTUAL TABLE warnings_fts USING fts5(search_tokens, content='warnings', content_rowid='rowid', detail=none, columnsize=0);
CREATE TRIGGER warnings_fts_insert AFTER INSERT ON warnings BEGIN
    INSERT INTO warnings_fts(rowid, search_tokens) VALUES (new.rowid, new.search_tokens);
END;
CREATE TRIGGER warnings_fts_update AFTER UPDATE OF search_tokens ON warnings BEGIN
    INSERT INTO warnings_fts(warnings_fts, rowid, search_tokens) VALUES ('delete', old.rowid, old.search_tokens);
    INSERT INTO warnings_fts(rowid, search_tokens) VALUES (new.rowid, new.search_tokens);
END;
