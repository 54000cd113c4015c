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

/// Serializes a checked identifier as its text and parses it back from stored text (`TryFrom<String>`, the
/// form `sqlx(try_from)` reads a column with), so a typed key can travel from a handler into the store.
macro_rules! text_identifier {
    ($($name:ty => $error:ty),* $(,)?) => {$(
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = $error;
            fn try_from(text: String) -> Result<Self, Self::Error> {
                text.parse()
            }
        }
    )*};
}

text_identifier!(Uscc => UsccError, Gtin => Gs1Error, Gln => Gs1Error, Sscc => Gs1Error, RegionCode => RegionError);
