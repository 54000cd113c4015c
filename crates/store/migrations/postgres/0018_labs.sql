-- Testing bodies (issue 14, C11): one row per lab (its USCC is its identity across CMA and CNAS) and its scope
-- rows, each citing a standard edition; `standard` holds the standard without its edition so a search for a
-- standard finds every edition, and `product_code` leads the index the "product × standard" search uses.
CREATE TABLE labs (
    uscc TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    cma TEXT UNIQUE,
    cnas TEXT UNIQUE,
    region_code TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX labs_region ON labs(region_code);

CREATE TABLE lab_scopes (
    id BIGSERIAL PRIMARY KEY,
    lab_uscc TEXT NOT NULL REFERENCES labs(uscc),
    product_code TEXT NOT NULL,
    parameter TEXT NOT NULL,
    edition TEXT NOT NULL,
    standard TEXT NOT NULL,
    clause TEXT NOT NULL,
    method TEXT,
    limitation TEXT,
    suspended BOOLEAN NOT NULL
);
CREATE INDEX lab_scopes_search ON lab_scopes(product_code, standard, lab_uscc);
CREATE INDEX lab_scopes_lab ON lab_scopes(lab_uscc);
