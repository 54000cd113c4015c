-- Defective-product recalls (缺陷产品召回): a recall from the defect report to the effectiveness evaluation,
-- its scope computed from the trace, its history with the deadline each stage set, and progress reports.
CREATE TABLE recalls (
    id TEXT PRIMARY KEY,
    regime TEXT NOT NULL,
    status TEXT NOT NULL,
    origin TEXT NOT NULL,
    producer_uscc TEXT NOT NULL REFERENCES organizations(uscc),
    region_code TEXT NOT NULL,
    product_name TEXT NOT NULL,
    gtins TEXT NOT NULL,
    lots TEXT NOT NULL,
    defect TEXT NOT NULL,
    severe BIGINT NOT NULL,
    learned_on TEXT NOT NULL,
    trace_start TEXT,
    decision TEXT,
    remedy TEXT,
    units_produced DOUBLE PRECISION,
    units_distributed DOUBLE PRECISION,
    units_recovered DOUBLE PRECISION NOT NULL,
    plan TEXT,
    scope TEXT,
    notice_title TEXT,
    notice_body TEXT,
    notice_published_on TEXT,
    evaluation TEXT,
    next_stage TEXT,
    next_due_on TEXT,
    search_tokens TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX recalls_producer ON recalls(producer_uscc);
CREATE INDEX recalls_status ON recalls(status, next_due_on);
CREATE INDEX recalls_notice ON recalls(notice_published_on);

CREATE TABLE recall_events (
    id BIGSERIAL PRIMARY KEY,
    recall_id TEXT NOT NULL REFERENCES recalls(id),
    stage TEXT NOT NULL,
    at TEXT NOT NULL,
    on_date TEXT NOT NULL,
    user_id BIGINT,
    note TEXT,
    data TEXT,
    due_on TEXT,
    late BIGINT NOT NULL
);
CREATE INDEX recall_events_recall ON recall_events(recall_id, id);

-- Public notices are searched in Chinese through pre-segmented tokens, as organizations are.
CREATE INDEX recalls_search ON recalls USING GIN (string_to_array(search_tokens, ' '));
