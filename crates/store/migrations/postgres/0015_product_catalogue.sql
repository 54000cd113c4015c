-- The key-product catalogue as data (issue 14): product_categories becomes the catalogue, each entry a class or a
-- product with its catalogue edition, the regimes that apply, and for an earlier sampling category the catalogue
-- product it maps onto. The existing codes stay (records carry them); the start-up seed fills their mapping and
-- regimes from the shipped catalogue while no load has touched them (import_id is null). Every load is an import
-- row, and an entry a load changes keeps its earlier version in the history.
CREATE TABLE catalogue_imports (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL,
    note TEXT NOT NULL,
    received BIGINT NOT NULL,
    added BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    loaded_at TEXT NOT NULL,
    loaded_by BIGINT
);

ALTER TABLE product_categories ADD COLUMN level TEXT NOT NULL DEFAULT 'product';
ALTER TABLE product_categories ADD COLUMN edition INTEGER;
ALTER TABLE product_categories ADD COLUMN regimes TEXT NOT NULL DEFAULT '';
ALTER TABLE product_categories ADD COLUMN maps_to TEXT REFERENCES product_categories(code);
ALTER TABLE product_categories ADD COLUMN listing TEXT NOT NULL DEFAULT 'listed';
ALTER TABLE product_categories ADD COLUMN import_id BIGINT REFERENCES catalogue_imports(id);
UPDATE product_categories SET level = 'class' WHERE parent_code IS NULL;
CREATE INDEX product_categories_parent ON product_categories(parent_code);

CREATE TABLE product_category_history (
    code TEXT NOT NULL,
    replaced_in BIGINT NOT NULL REFERENCES catalogue_imports(id),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_code TEXT,
    edition INTEGER,
    regimes TEXT NOT NULL,
    maps_to TEXT,
    listing TEXT NOT NULL,
    import_id BIGINT,
    PRIMARY KEY (code, replaced_in)
);
