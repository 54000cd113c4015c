-- The standards catalogue (issue 14): each edition of a standard with its status, dates and replacement. Every load
-- is an import row; an edition a load changes keeps its earlier version in the history, so the catalogue as it was
-- on any import can be read back.
CREATE TABLE standard_imports (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL,
    note TEXT NOT NULL,
    received BIGINT NOT NULL,
    added BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by BIGINT
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
    import_id BIGINT NOT NULL REFERENCES standard_imports(id)
);
CREATE INDEX standard_editions_standard ON standard_editions(standard);

CREATE TABLE standard_edition_history (
    number TEXT NOT NULL,
    replaced_in BIGINT NOT NULL REFERENCES standard_imports(id),
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    effective_on TEXT NOT NULL,
    ended_on TEXT,
    replaced_by TEXT,
    import_id BIGINT NOT NULL,
    PRIMARY KEY (number, replaced_in)
);
