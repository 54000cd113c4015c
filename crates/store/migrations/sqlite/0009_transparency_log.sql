-- The public transparency log (RFC 6962): entries with their canonical bytes, the hashes of complete subtrees
-- (all that proofs need; they never change once full), signed checkpoints, and the signing key. `log_state` holds
-- the size, and updating it is what serialises appenders.
CREATE TABLE log_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    tree_size BIGINT NOT NULL
);
INSERT INTO log_state (id, tree_size) VALUES (1, 0);

CREATE TABLE log_entries (
    idx BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    data TEXT NOT NULL,
    leaf_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX log_entries_subject ON log_entries(subject, idx);

CREATE TABLE log_nodes (
    level INTEGER NOT NULL,
    idx BIGINT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE log_checkpoints (
    tree_size BIGINT PRIMARY KEY,
    root_hash TEXT NOT NULL,
    timestamp TEXT NOT NULL,
    signature TEXT NOT NULL,
    key_id TEXT NOT NULL
);

CREATE TABLE log_keys (
    key_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    seed TEXT NOT NULL,
    created_at TEXT NOT NULL
);
