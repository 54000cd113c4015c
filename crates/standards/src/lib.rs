//! The standards catalogue (标准目录): a standard is cited by its number *and* edition (`GB 4806.7-2016` is not
//! `GB 4806.7-2023`), each edition mandatory (强制性, `GB`) or recommended (推荐性, `GB/T`) or guidance (`GB/Z`),
//! current, superseded or withdrawn with its dates and the edition that replaces it. This room reads numbers,
//! checks a catalogue and says whether a citation was in force on a day. No IO: the store keeps the editions.

mod catalogue;
mod number;

pub use catalogue::{Catalogue, CatalogueError, Citation, Edition};
pub use number::{NumberError, StandardNumber};

rulekit::text_enum! {
    /// Whether an edition binds (GB 7.1: 强制性国家标准 `GB`, 推荐性 `GB/T`, 指导性技术文件 `GB/Z`).
    pub enum Force ("kind of standard") {
        Mandatory = "mandatory" ("强制性", "mandatory"),
        Recommended = "recommended" ("推荐性", "recommended"),
        Guidance = "guidance" ("指导性技术文件", "guidance"),
    }
}

rulekit::text_enum! {
    /// Where an edition stands.
    pub enum Status ("standard status") {
        Current = "current" ("现行", "current"),
        Superseded = "superseded" ("被代替", "superseded"),
        Withdrawn = "withdrawn" ("废止", "withdrawn"),
    }
}
