-- Supervision sampling inspections (监督抽查): campaigns with their strata and the organizations drawn for them,
-- samples with their verdicts and test items, and each sample's history, whose failure events the credit file
-- consumes.
CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    region_code TEXT NOT NULL,
    product_category TEXT,
    year INTEGER NOT NULL,
    status TEXT NOT NULL,
    seed BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE campaign_strata (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    stratum TEXT NOT NULL,
    population BIGINT NOT NULL,
    allocation BIGINT,
    PRIMARY KEY (campaign_id, stratum)
);

CREATE TABLE samples (
    sample_id TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    campaign_level TEXT NOT NULL,
    sampled_on TEXT NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    product_category TEXT NOT NULL,
    uscc TEXT NOT NULL,
    region_code TEXT NOT NULL,
    province_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    verdict TEXT NOT NULL,
    gtin TEXT,
    lot TEXT,
    production_date TEXT,
    lab TEXT,
    sampler TEXT,
    stratum TEXT,
    failed_items TEXT,
    first_verdict TEXT,
    notified_on TEXT,
    retest_deadline TEXT,
    published_on TEXT,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX samples_campaign ON samples(campaign_id, sample_id);
CREATE INDEX samples_uscc ON samples(uscc, sampled_on);
CREATE INDEX samples_sampled_on ON samples(sampled_on);

CREATE TABLE campaign_draws (
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    uscc TEXT NOT NULL,
    stratum TEXT,
    position BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, uscc)
);

CREATE TABLE sample_items (
    sample_id TEXT NOT NULL REFERENCES samples(sample_id),
    round BIGINT NOT NULL,
    item TEXT NOT NULL,
    standard_clause TEXT NOT NULL,
    limit_value TEXT,
    measured TEXT,
    unit TEXT,
    verdict TEXT NOT NULL,
    PRIMARY KEY (sample_id, round, item)
);

CREATE TABLE sample_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    sample_id TEXT NOT NULL REFERENCES samples(sample_id),
    uscc TEXT NOT NULL,
    kind TEXT NOT NULL,
    on_date TEXT NOT NULL,
    due_on TEXT,
    details TEXT,
    user_id BIGINT,
    at TEXT NOT NULL
);
CREATE INDEX sample_events_sample ON sample_events(sample_id, id);
CREATE INDEX sample_events_uscc ON sample_events(uscc, id);

-- Published, decided samples counted per campaign, category, province, channel, quarter and stratum: pass rates
-- read these few cells instead of scanning every sample. Kept in step by triggers, in the writing transaction.
CREATE TABLE sample_counts (
    campaign_id TEXT NOT NULL,
    campaign_level TEXT NOT NULL,
    product_category TEXT NOT NULL,
    province_code TEXT NOT NULL,
    channel TEXT NOT NULL,
    year BIGINT NOT NULL,
    quarter BIGINT NOT NULL,
    stratum TEXT NOT NULL,
    samples BIGINT NOT NULL,
    passed BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, product_category, province_code, channel, year, quarter, stratum)
);
CREATE TRIGGER samples_count_insert AFTER INSERT ON samples
WHEN new.status = 'published' AND new.verdict IN ('pass', 'fail') BEGIN
    INSERT INTO sample_counts VALUES (new.campaign_id, new.campaign_level, new.product_category, new.province_code,
        new.channel, new.year, new.quarter, COALESCE(new.stratum, ''), 1, CASE WHEN new.verdict = 'pass' THEN 1 ELSE 0 END)
    ON CONFLICT (campaign_id, product_category, province_code, channel, year, quarter, stratum)
    DO UPDATE SET samples = samples + 1, passed = passed + excluded.passed;
END;
CREATE TRIGGER samples_count_update_old AFTER UPDATE ON samples
WHEN old.status = 'published' AND old.verdict IN ('pass', 'fail') BEGIN
    UPDATE sample_counts SET samples = samples - 1, passed = passed - (CASE WHEN old.verdict = 'pass' THEN 1 ELSE 0 END)
    WHERE campaign_id = old.campaign_id AND product_category = old.product_category AND province_code = old.province_code
      AND channel = old.channel AND year = old.year AND quarter = old.quarter AND stratum = COALESCE(old.stratum, '');
END;
CREATE TRIGGER samples_count_update_new AFTER UPDATE ON samples
WHEN new.status = 'published' AND new.verdict IN ('pass', 'fail') BEGIN
    INSERT INTO sample_counts VALUES (new.campaign_id, new.campaign_level, new.product_category, new.province_code,
        new.channel, new.year, new.quarter, COALESCE(new.stratum, ''), 1, CASE WHEN new.verdict = 'pass' THEN 1 ELSE 0 END)
    ON CONFLICT (campaign_id, product_category, province_code, channel, year, quarter, stratum)
    DO UPDATE SET samples = samples + 1, passed = passed + excluded.passed;
END;
CREATE TRIGGER samples_count_delete AFTER DELETE ON samples
WHEN old.status = 'published' AND old.verdict IN ('pass', 'fail') BEGIN
    UPDATE sample_counts SET samples = samples - 1, passed = passed - (CASE WHEN old.verdict = 'pass' THEN 1 ELSE 0 END)
    WHERE campaign_id = old.campaign_id AND product_category = old.product_category AND province_code = old.province_code
      AND channel = old.channel AND year = old.year AND quarter = old.quarter AND stratum = COALESCE(old.stratum, '');
END;
