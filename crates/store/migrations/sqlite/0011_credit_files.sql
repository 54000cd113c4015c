-- Credit files (质量信用档案): every record about an organization with its source, legal basis, date and the day
-- it stops being public; records from the platform's own workflows (inspections, recalls, complaints) are collected
-- idempotently by (source, department, source_ref); other departments send theirs with a per-department token.
-- Each record's entry into a file, and its withdrawal, is a public-log entry committing to the record's hash (not its
-- text, which stops being public when its period ends).
-- Credit classes A–D from the versioned scoring model, with the reasons, and every class change with its log leaf.
CREATE TABLE credit_records (
    id TEXT PRIMARY KEY,
    uscc TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    source_ref TEXT NOT NULL,
    title TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    decision_no TEXT,
    occurred_on TEXT NOT NULL,
    public_until TEXT NOT NULL,
    withdrawn_on TEXT,
    withdrawn_reason TEXT,
    created_by BIGINT,
    created_at TEXT NOT NULL,
    log_index BIGINT,
    withdrawn_log_index BIGINT,
    UNIQUE (source, department, source_ref)
);
CREATE INDEX credit_records_uscc ON credit_records(uscc, occurred_on);

CREATE TABLE credit_departments (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    kinds TEXT NOT NULL,
    region_code TEXT,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE credit_classes (
    uscc TEXT PRIMARY KEY,
    class TEXT NOT NULL,
    score BIGINT NOT NULL,
    model_version TEXT NOT NULL,
    reasons TEXT NOT NULL,
    as_of TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    log_index BIGINT
);

CREATE TABLE credit_class_changes (
    id INTEGER PRIMARY KEY,
    uscc TEXT NOT NULL,
    previous_class TEXT,
    class TEXT NOT NULL,
    score BIGINT NOT NULL,
    model_version TEXT NOT NULL,
    as_of TEXT NOT NULL,
    at TEXT NOT NULL,
    log_index BIGINT
);
CREATE INDEX credit_class_changes_uscc ON credit_class_changes(uscc, id);

-- A draw weighted by credit class records each organization's weight (equal-probability draws leave it empty) and
-- marks its campaign as a risk-based selection, whose results pass-rate estimates leave out unless asked.
ALTER TABLE campaign_draws ADD COLUMN selection_weight DOUBLE PRECISION;
ALTER TABLE campaigns ADD COLUMN selection TEXT NOT NULL DEFAULT 'equal_probability';
