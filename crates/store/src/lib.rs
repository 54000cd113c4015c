//! Storage for zhiliang on SQLite (embedded default, one file, WAL) or PostgreSQL 15, chosen by URL.
//!
//! Both backends run the same runtime queries (numbered `$n` parameters work in both); where SQL differs
//! (full-text search, upserts' bookkeeping), the difference is kept in one place. Each backend has its own
//! migrations folder. Only this crate knows SQL.

mod accounts;
mod audit;
pub mod bench;
pub mod calendar;
pub mod catalogue;
pub mod certification;
pub mod complaints;
pub mod credit;
pub mod credit_file;
mod direct;
pub mod equipment;
mod error;
pub mod injuries;
pub mod inspections;
pub mod labs;
pub mod licensing;
mod master;
mod migrate;
mod model;
pub mod public_log;
pub mod recalls;
mod reference;
pub mod search;
pub mod standards;
mod store;
pub(crate) use store::on_pool;
pub mod traceability;
pub mod warnings;

pub use error::{stored, stored_day, stored_optional_day, StoreError};
pub use model::{
    AuditEntry, BatchOutcome, Indexed, NewOrganization, NewProduct, NewUser, Organization, Page, Product,
    RegistrationStatus, Role, User, WriteOutcome,
};
pub use reference::{IndicatorTarget, INDICATOR_TARGETS};
pub use store::{now, Store, DEFAULT_DATABASE_URL};
