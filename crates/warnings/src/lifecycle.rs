//! A warning's states and steps: drafted from an assessment, reviewed by someone other than the drafter,
//! published, updated while in force, withdrawn; regulators record their responses until it is withdrawn.

rulekit::text_enum! {
    /// Where a warning stands.
    pub enum WarningStatus ("warning status") {
        Draft = "draft" ("草稿", "draft"),
        Reviewed = "reviewed" ("已审核", "reviewed"),
        Published = "published" ("已发布", "published"),
        Updated = "updated" ("已更新", "updated"),
        Withdrawn = "withdrawn" ("已撤销", "withdrawn"),
    }
}

rulekit::text_enum! {
    /// The steps of a warning, by the name in `POST /api/v1/warnings/{id}/{step}` and in its history.
    pub enum WarningStep ("warning step") {
        /// Drafting opens a warning (`POST /api/v1/warnings`); it is never a step on one.
        Draft = "draft" ("起草", "drafted"),
        Review = "review" ("审核", "review"),
        Publish = "publish" ("发布", "publish"),
        Update = "update" ("更新", "update"),
        Withdraw = "withdraw" ("撤销", "withdraw"),
        Response = "response" ("处置", "response"),
    }
}

rulekit::text_enum! {
    /// What a regulator did in response to a warning.
    pub enum ResponseAction ("response action") {
        SamplingOrdered = "sampling_ordered" ("部署监督抽查", "sampling ordered"),
        RecallOpened = "recall_opened" ("启动召回", "recall opened"),
        NoticeToEnterprises = "notice_to_enterprises" ("约谈/告知企业", "notice to enterprises"),
    }
}

/// A step the warning's state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("warning {warning} is {status}: it cannot {what}")]
pub struct Refusal {
    pub warning: String,
    pub status: WarningStatus,
    /// What it cannot do, e.g. "be reviewed".
    pub what: &'static str,
}

impl WarningStatus {
    /// Whether the warning is in force (published, perhaps updated).
    pub fn in_force(self) -> bool {
        matches!(self, WarningStatus::Published | WarningStatus::Updated)
    }
}

/// The status a step leads to (a response changes none), or why the state refuses it.
pub fn transition(warning: &str, status: WarningStatus, step: WarningStep) -> Result<WarningStatus, Refusal> {
    let refuse = |what| Err(Refusal { warning: warning.to_owned(), status, what });
    match step {
        WarningStep::Draft => refuse("be drafted again"),
        WarningStep::Review if status == WarningStatus::Draft => Ok(WarningStatus::Reviewed),
        WarningStep::Review => refuse("be reviewed"),
        WarningStep::Publish if status == WarningStatus::Reviewed => Ok(WarningStatus::Published),
        WarningStep::Publish => refuse("be published before review"),
        WarningStep::Update if status.in_force() => Ok(WarningStatus::Updated),
        WarningStep::Update => refuse("be updated"),
        WarningStep::Withdraw if status.in_force() => Ok(WarningStatus::Withdrawn),
        WarningStep::Withdraw => refuse("be withdrawn"),
        WarningStep::Response if status != WarningStatus::Withdrawn => Ok(status),
        WarningStep::Response => refuse("take responses"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use WarningStatus::{Draft, Published, Reviewed, Updated, Withdrawn};
    use WarningStep::{Publish, Response, Review, Update, Withdraw};

    #[test]
    fn every_state_and_step() {
        let allowed = [
            (Draft, Review, Reviewed),
            (Reviewed, Publish, Published),
            (Published, Update, Updated),
            (Updated, Update, Updated),
            (Published, Withdraw, Withdrawn),
            (Updated, Withdraw, Withdrawn),
            (Draft, Response, Draft),
            (Reviewed, Response, Reviewed),
            (Published, Response, Published),
            (Updated, Response, Updated),
        ];
        for status in WarningStatus::ALL {
            for step in WarningStep::ALL {
                let expected = allowed.iter().find(|(s, t, _)| s == status && t == step).map(|(_, _, after)| *after);
                assert_eq!(transition("W", *status, *step).ok(), expected, "{status} {step}");
            }
        }
        assert_eq!(
            transition("ZL-RW-1", Draft, Publish).unwrap_err().to_string(),
            "warning ZL-RW-1 is draft: it cannot be published before review"
        );
    }
}
