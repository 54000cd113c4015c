//! The commands of the `zhiliang` binary that work on data: the deterministic demo datasets ([`demo`]), file
//! imports ([`import`]) and the bulk loader ([`load`]). Every workflow step they take goes through the
//! `service` layer, the same functions the API and the pages call; this crate knows no HTTP.

pub mod demo;
pub mod demo_certification;
pub mod demo_complaints;
pub mod demo_credit;
pub mod demo_injuries;
pub mod demo_registers;
pub mod demo_trace;
pub mod import;
