-- Supervision sampling inspections (监督抽查): campaigns with their strata, samples with their verdicts and test
-- items, and the events (failures, follow-ups) other capabilities consume.
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
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX samples_campaign ON samples(campaign_id, sample_id);
CREATE INDEX samples_uscc ON samples(uscc, sampled_on);
CREATE INDEX samples_sampled_on ON samples(sampled_on);
