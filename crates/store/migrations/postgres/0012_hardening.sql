-- Hardening (issue 12).
-- The sentinel design over time: a hospital's stratum and weight from a day on. A case takes the design in
-- force on its treatment date, never a weight of its own, and only an administrator changes the design.
CREATE TABLE hospital_designs (
    hospital_id TEXT NOT NULL REFERENCES hospitals(id),
    valid_from TEXT NOT NULL,
    stratum TEXT NOT NULL,
    weight DOUBLE PRECISION NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (hospital_id, valid_from)
);
-- The design each registered hospital has now is taken as in force from the start.
INSERT INTO hospital_designs (hospital_id, valid_from, stratum, weight, created_at)
SELECT id, '0001-01-01', stratum, weight, updated_at FROM hospitals;

-- GS1 company prefixes (厂商识别代码) and the organization that holds each, kept by an administrator: a GLN is
-- registered only under a prefix its registrant holds, and a capture only by a party to the event.
CREATE TABLE gs1_prefixes (
    prefix TEXT PRIMARY KEY,
    uscc TEXT NOT NULL REFERENCES organizations(uscc),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX gs1_prefixes_uscc ON gs1_prefixes(uscc);

-- The public log's checkpoints become C2SP signed notes (tlog-checkpoint bodies). The earlier checkpoints were
-- signed over another text; the server signs the log anew on the next request, so they are not kept.
DROP TABLE log_checkpoints;
CREATE TABLE log_checkpoints (
    tree_size BIGINT PRIMARY KEY,
    root_hash TEXT NOT NULL,
    note TEXT NOT NULL,
    key_id TEXT NOT NULL,
    signed_at TEXT NOT NULL
);
-- Witnesses an administrator trusts to cosign checkpoints, by their cosignature/v1 verifier keys, and the
-- cosignature lines they sent, one per witness and checkpoint.
CREATE TABLE log_witnesses (
    name TEXT PRIMARY KEY,
    vkey TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE log_cosignatures (
    tree_size BIGINT NOT NULL REFERENCES log_checkpoints(tree_size),
    witness TEXT NOT NULL REFERENCES log_witnesses(name),
    line TEXT NOT NULL,
    cosigned_at BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tree_size, witness)
);
