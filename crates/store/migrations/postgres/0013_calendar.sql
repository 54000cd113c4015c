-- The working-day calendar as data (issue 12): each year's holiday notice (放假安排) as loaded, the shipped notices
-- first. A deadline counted past the loaded years is provisional; loading a year recomputes those deadlines, records
-- the change in each case's history and here, where the handling regulators see which deadlines moved.
CREATE TABLE calendar_years (
    year INTEGER PRIMARY KEY,
    notice TEXT NOT NULL,
    source TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by BIGINT
);

CREATE TABLE deadline_changes (
    id BIGSERIAL PRIMARY KEY,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    region_code TEXT NOT NULL,
    deadline TEXT NOT NULL,
    old_due TEXT NOT NULL,
    new_due TEXT NOT NULL,
    calendar_year INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    seen_at TEXT,
    seen_by BIGINT
);
CREATE INDEX deadline_changes_region ON deadline_changes(region_code, id);
