-- Production licences (issue 14, C10): industrial (XK) and food (SC) licences with the catalogue products they
-- license, and every status change with its day, so the status on any past day (a sample's) can be read back.
CREATE TABLE licences (
    number TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    holder_uscc TEXT NOT NULL,
    products TEXT NOT NULL,
    sites TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    status TEXT NOT NULL,
    status_on TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX licences_holder ON licences(holder_uscc, number);

CREATE TABLE licence_changes (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL REFERENCES licences(number),
    to_status TEXT NOT NULL,
    on_date TEXT NOT NULL,
    reason TEXT NOT NULL,
    holder_uscc TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    recorded_by INTEGER
);
CREATE INDEX licence_changes_number ON licence_changes(number, on_date);
