//! The rules of 12315 complaints (投诉), reports (举报) and enquiries (咨询) under 《市场监督管理投诉举报处理暂行办法》
//! (SAMR Order 20): the states and steps of a filing ([`model`]), the transition table ([`workflow`]), the legal
//! deadlines as data ([`deadlines`], `data/complaint_deadlines.json`), the text classifier ([`classify`]) and
//! the masking of personal data ([`mask`]). No IO: the server stores what these functions decide.

pub mod classify;
pub mod deadlines;
pub mod mask;
pub mod model;
pub mod workflow;

pub use deadlines::{deadlines, rules, running, Rules};
pub use model::{
    Action, DueKind, Kind, Outcome, RefusalGround, RewardStatus, Stage, Status, SubmitterAction, SuspendReason,
    TerminationGround,
};
pub use rulekit::{Named, UnknownValue};
pub use workflow::{Case, Change, Refusal, StepInput, SubmitterStep};
