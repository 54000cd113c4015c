-- zhiliang: foreign keys off
-- Certificates clustered on their number (WITHOUT ROWID): a verification reads one B-tree instead of the number's
-- index and then the table. SQLite cannot change a table's storage in place, so the table is rebuilt as its
-- documented procedure says (a new table, the rows copied, the old one dropped, the new one renamed), with the
-- foreign keys off meanwhile and checked before the commit: the GTINs and the changes refer to it by name.
CREATE TABLE certificates_clustered (
    number TEXT PRIMARY KEY,
    scheme TEXT NOT NULL,
    legacy_number INTEGER NOT NULL,
    body TEXT NOT NULL REFERENCES certification_bodies(approval_number),
    holder_uscc TEXT NOT NULL,
    manufacturer_uscc TEXT,
    factory_uscc TEXT,
    product_class TEXT REFERENCES product_categories(code),
    product_name TEXT NOT NULL,
    models TEXT NOT NULL,
    gtins TEXT NOT NULL,
    standards TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    expires_on TEXT NOT NULL,
    status TEXT NOT NULL,
    status_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    log_index INTEGER NOT NULL,
    upload_id INTEGER REFERENCES certificate_uploads(id)
) WITHOUT ROWID;
INSERT INTO certificates_clustered (number, scheme, legacy_number, body, holder_uscc, manufacturer_uscc, factory_uscc,
    product_class, product_name, models, gtins, standards, issued_on, expires_on, status, status_on, reason,
    log_index, upload_id)
SELECT number, scheme, legacy_number, body, holder_uscc, manufacturer_uscc, factory_uscc, product_class,
    product_name, models, gtins, standards, issued_on, expires_on, status, status_on, reason, log_index, upload_id
FROM certificates ORDER BY number;
DROP TABLE certificates;
ALTER TABLE certificates_clustered RENAME TO certificates;
CREATE INDEX certificates_holder ON certificates(holder_uscc, number);
CREATE INDEX certificates_body ON certificates(body, number);
