//! Identifiers of Chinese product-quality supervision, parsed into types that cannot hold a wrong value.
//!
//! Every type has one fallible constructor (`parse` / `FromStr`) whose error says what is wrong and where.
//! The crate is pure: reference data (GB/T 2260 regions) is compiled in, and nothing here does IO.

mod charset;
pub mod epc;
pub mod gs1;
pub mod inspect;
pub mod link;
pub mod org_code;
pub mod region;
pub mod uscc;

pub use epc::{DigitalLink, Epc, EpcError};
pub use gs1::{with_check_digit, Gln, Gs1Error, Gtin, Sscc};
pub use inspect::{inspect, CodeKind, Finding, Inspection};
pub use org_code::{OrgCode, OrgCodeError};
pub use region::{Region, RegionCode, RegionError, RegionLevel};
pub use uscc::{Uscc, UsccError, UsccWarning};
