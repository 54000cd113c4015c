//! Risk assessment and risk warnings (风险评估, 风险警示): the EU RAG matrix as data ([`rag`],
//! `data/risk_matrix.json`) and the warning's lifecycle ([`lifecycle`]: draft, four-eyes review, publication,
//! updates, withdrawal, and the responses of regulators). No IO.

pub mod lifecycle;
pub mod rag;

pub use lifecycle::{Refusal, ResponseAction, WarningStatus, WarningStep};
pub use rag::{assess, Assessment, RiskError, RiskLevel, Step};
