-- Credit lists with due process (《市场监督管理严重违法失信名单管理办法》): the serious-violation list (严重违法失信名单)
-- and the abnormal-operations list (经营异常名录). A listing runs proposed → notified → (statement, hearing) → decided →
-- published → removed (period ended, repaired, or obligation met); every step with who and when.
CREATE TABLE credit_listings (
    id TEXT PRIMARY KEY,
    list TEXT NOT NULL,
    uscc TEXT NOT NULL,
    organization_name TEXT NOT NULL,
    region_code TEXT NOT NULL,
    grounds TEXT NOT NULL,
    legal_basis TEXT NOT NULL,
    penalty_ref TEXT,
    status TEXT NOT NULL,
    proposed_on TEXT NOT NULL,
    notified_on TEXT,
    statement_by TEXT,
    hearing_requested BOOLEAN NOT NULL DEFAULT FALSE,
    decided_on TEXT,
    published_on TEXT,
    expires_on TEXT,
    removed_on TEXT,
    removal_reason TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX credit_listings_uscc ON credit_listings(uscc, proposed_on);
CREATE INDEX credit_listings_public ON credit_listings(list, published_on);

CREATE TABLE credit_listing_events (
    id BIGSERIAL PRIMARY KEY,
    listing_id TEXT NOT NULL REFERENCES credit_listings(id),
    stage TEXT NOT NULL,
    on_date TEXT NOT NULL,
    at TEXT NOT NULL,
    user_id BIGINT,
    note TEXT,
    log_index BIGINT
);
CREATE INDEX credit_listing_events_listing ON credit_listing_events(listing_id, id);
