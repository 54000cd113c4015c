-- Complaints, reports and enquiries (投诉举报咨询) on the 12315 / 12365 model: each filing with its tracking number,
-- the secret's hash, the submitter (absent when anonymous), the respondent, the classification, the regulator that
-- handles it, its state and the deadline now running; and the history of every step.
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY,
    tracking_number TEXT NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    parent_id INTEGER REFERENCES complaints(id),
    received_on TEXT NOT NULL,
    anonymous BOOLEAN NOT NULL,
    submitter_name TEXT,
    submitter_phone TEXT,
    submitter_id_number TEXT,
    submitter_address TEXT,
    respondent_name TEXT NOT NULL,
    respondent_uscc TEXT,
    respondent_address TEXT,
    region_code TEXT NOT NULL,
    routing TEXT NOT NULL,
    product_gtin TEXT,
    product_lot TEXT,
    product_name TEXT,
    category TEXT,
    issue TEXT,
    classification TEXT NOT NULL,
    facts TEXT NOT NULL,
    request TEXT,
    harm_known_on TEXT,
    handling_region TEXT NOT NULL,
    status TEXT NOT NULL,
    accept_base_on TEXT NOT NULL,
    accepted_on TEXT,
    decided_on TEXT,
    closed_on TEXT,
    suspended_since TEXT,
    suspended_days INTEGER NOT NULL DEFAULT 0,
    extended BOOLEAN NOT NULL DEFAULT 0,
    due_kind TEXT,
    due_on TEXT,
    outcome TEXT,
    ground TEXT,
    enterprise_response TEXT,
    rating INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- The work queue: open work per handling regulator by deadline.
CREATE INDEX complaints_queue ON complaints(handling_region, due_on) WHERE due_on IS NOT NULL;
-- The national queue: all open work by deadline.
CREATE INDEX complaints_due ON complaints(due_on, id) WHERE due_on IS NOT NULL;
CREATE INDEX complaints_respondent ON complaints(respondent_uscc, received_on);
CREATE INDEX complaints_received ON complaints(received_on);

CREATE TABLE complaint_events (
    id INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    stage TEXT NOT NULL,
    at TEXT NOT NULL,
    user_id INTEGER,
    note TEXT,
    data TEXT
);
CREATE INDEX complaint_events_complaint ON complaint_events(complaint_id, id);

-- Rewards for reports (有奖举报): the reporter's claim once a case is opened, and the regulator's decision.
CREATE TABLE complaint_rewards (
    complaint_id INTEGER PRIMARY KEY REFERENCES complaints(id),
    status TEXT NOT NULL,
    grade INTEGER,
    amount DOUBLE PRECISION,
    payee TEXT,
    claimed_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by INTEGER
);
