-- Certification (issue 14, C9): the bodies approved to certify, their certificates with the GTINs they cover, and
-- every status change (issue included), each written with its public-log entry in the same transaction; the log
-- index orders the change feed, since it is assigned under the log's lock in commit order and has no gaps.
CREATE TABLE certification_bodies (
    approval_number TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    uscc TEXT NOT NULL,
    accreditation TEXT,
    ccc_code TEXT UNIQUE,
    schemes TEXT NOT NULL,
    product_classes TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX certification_bodies_uscc ON certification_bodies(uscc);

CREATE TABLE certificate_uploads (
    id BIGSERIAL PRIMARY KEY,
    body TEXT NOT NULL REFERENCES certification_bodies(approval_number),
    kind TEXT NOT NULL,
    received BIGINT NOT NULL,
    added BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    uploaded_at TEXT NOT NULL,
    uploaded_by BIGINT
);

CREATE TABLE certificates (
    number TEXT PRIMARY KEY,
    scheme TEXT NOT NULL,
    legacy_number BOOLEAN NOT NULL,
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
    log_index BIGINT NOT NULL,
    upload_id BIGINT REFERENCES certificate_uploads(id)
);
CREATE INDEX certificates_holder ON certificates(holder_uscc, number);
CREATE INDEX certificates_body ON certificates(body, number);

CREATE TABLE certificate_gtins (
    gtin TEXT NOT NULL,
    number TEXT NOT NULL REFERENCES certificates(number),
    PRIMARY KEY (gtin, number)
);

CREATE TABLE certificate_changes (
    log_index BIGINT PRIMARY KEY,
    number TEXT NOT NULL REFERENCES certificates(number),
    from_status TEXT,
    to_status TEXT NOT NULL,
    reason TEXT NOT NULL,
    on_date TEXT NOT NULL,
    note TEXT,
    holder_uscc TEXT NOT NULL,
    upload_id BIGINT REFERENCES certificate_uploads(id),
    recorded_at TEXT NOT NULL,
    recorded_by BIGINT
);
CREATE INDEX certificate_changes_number ON certificate_changes(number, log_index);

CREATE TABLE certificate_history (
    number TEXT NOT NULL,
    replaced_in BIGINT NOT NULL REFERENCES certificate_uploads(id),
    data TEXT NOT NULL,
    PRIMARY KEY (number, replaced_in)
);
