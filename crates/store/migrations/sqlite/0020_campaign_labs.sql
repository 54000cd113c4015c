-- A campaign's test items (检验项目, each a parameter to a clause of a standard edition) and the labs assigned to
-- it (issue 14 item 6): a lab is assigned only when its scope covers some of the items; a sample goes only to an
-- assigned lab once the campaign has any.
CREATE TABLE campaign_test_items (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    position INTEGER NOT NULL,
    parameter TEXT NOT NULL,
    edition TEXT NOT NULL,
    clause TEXT NOT NULL,
    PRIMARY KEY (campaign_id, position)
);

CREATE TABLE campaign_labs (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    lab_uscc TEXT NOT NULL,
    assigned_at TEXT NOT NULL,
    assigned_by INTEGER,
    PRIMARY KEY (campaign_id, lab_uscc)
);
