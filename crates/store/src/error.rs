//! Errors of the storage layer.

/// What went wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL names no supported backend.
    #[error("unsupported database URL '{0}': use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    /// The database refused or failed a query.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A password could not be hashed.
    #[error("could not hash the password: {0}")]
    Password(String),
    /// An inline SQLite point read failed.
    #[error("database error: {0}")]
    PointRead(#[from] rusqlite::Error),
    /// An applied migration no longer matches the file that the binary carries.
    #[error("migration {version} was changed after it was applied")]
    MigrationChanged { version: i64 },
    /// A write would duplicate a record or break a uniqueness rule.
    #[error("{0}")]
    Conflict(String),
    /// Stored data breaks an invariant the code keeps, e.g. a log node missing: a fault, not a client's mistake.
    #[error("integrity fault: {0}")]
    Integrity(String),
    /// A write refers to a row that does not exist, e.g. a product's producer.
    #[error("{kind} {key} does not exist")]
    MissingReference { kind: &'static str, key: String },
    /// A write shared with other requests (a group commit) failed; nothing of it was stored.
    #[error("the write failed and nothing was stored: {0}")]
    SharedWrite(String),
    /// A stored row could not be turned into JSON for the audit log.
    #[error("could not serialise audit record: {0}")]
    Serialise(#[from] serde_json::Error),
}

/// A stored day (`YYYY-MM-DD`); one that does not read is an integrity fault. `what` names the field.
pub fn stored_day(what: &str, text: &str) -> Result<chrono::NaiveDate, StoreError> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| StoreError::Integrity(format!("{what} '{text}' is not a date")))
}

/// A stored optional day.
pub fn stored_optional_day(what: &str, text: &Option<String>) -> Result<Option<chrono::NaiveDate>, StoreError> {
    text.as_deref().map(|text| stored_day(what, text)).transpose()
}

/// A stored vocabulary value (a status, a kind); one the vocabulary does not know is an integrity fault.
pub fn stored<T: std::str::FromStr<Err = rulekit::UnknownValue>>(text: &str) -> Result<T, StoreError> {
    text.parse().map_err(|e: rulekit::UnknownValue| StoreError::Integrity(e.to_string()))
}
