-- Master data: regions, product categories, organizations, products, users, audit log.
CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_code TEXT,
    province_name TEXT NOT NULL,
    in_use BOOLEAN NOT NULL,
    introduced INTEGER,
    retired INTEGER
);

CREATE TABLE product_categories (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    parent_code TEXT REFERENCES product_categories(code)
);

CREATE TABLE organizations (
    uscc TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    region_code TEXT NOT NULL,
    address TEXT,
    legal_representative TEXT,
    entity_type TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    registered_on TEXT,
    search_tokens TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX organizations_region ON organizations(region_code, uscc);

CREATE TABLE products (
    gtin TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    uscc TEXT NOT NULL REFERENCES organizations(uscc),
    category_code TEXT REFERENCES product_categories(code),
    brand TEXT,
    specification TEXT,
    search_tokens TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX products_uscc ON products(uscc, gtin);

-- Chinese full-text search: a GIN index over the pre-segmented tokens, derived from the rows and rebuildable.
CREATE INDEX organizations_search ON organizations USING GIN (string_to_array(search_tokens, ' '));
CREATE INDEX products_search ON products USING GIN (string_to_array(search_tokens, ' '));

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    region_code TEXT,
    uscc TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    -- People who use the pages sign in with a login name and an argon2-hashed password.
    login TEXT UNIQUE,
    password_hash TEXT,
    created_at TEXT NOT NULL
);

-- Page sessions: the cookie holds a random session key, stored here only as a hash, valid until it expires.
CREATE TABLE sessions (
    key_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    user_id BIGINT REFERENCES users(id),
    action TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_entity ON audit_log(entity_kind, entity_key, id);
