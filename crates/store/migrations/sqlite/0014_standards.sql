-- The standards catalogue (issue 14): each edition of a standard with its status, dates and replacement. Every load
-- is an import row; an edition a load changes keeps its earlier version in the history, so the catalogue as it was
-- on any import can be read back.
CREATE TABLE standard_imports (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    note TEXT NOT NULL,
    received INTEGER NOT NULL,
    added INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by INTEGER
);

CREATE TABLE standard_editions (
    number TEXT PRIMARY KEY,
    standard TEXT NOT NULL,
    title TEXT NOT NULL,
    force TEXT NOT NULL,
    status TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    ended_on TEXT,
    replaced_by TEXT,
    import_id INTEGER NOT NULL REFERENCES standard_imports(id)
);
CREATE INDEX standard_editions_standard ON standard_editions(standard);

CREATE TABLE standard_edition_history (
    number TEXT NOT NULL,
    replaced_in INTEGER NOT NULL REFERENCES standard_imports(id),
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    ended_on TEXT,
    replaced_by TEXT,
    import_id INTEGER NOT NULL,
    PRIMARY KEY (number, replaced_in)
);
