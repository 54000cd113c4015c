//! The rules of defective-product recalls (缺陷产品召回) under 《消费品召回管理暂行规定》 (SAMR Order 19) and, for
//! vehicles, 《缺陷汽车产品召回管理条例》: the regimes, the states of a recall, the stages that move it and which
//! state each stage needs ([`check`]), and every stage's deadline as data (`data/recall_deadlines.json`, in the
//! shared `rulekit` format, checked at start-up). No IO.

pub mod scope;

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

rulekit::text_enum! {
    /// The legal regime a recall follows.
    pub enum Regime ("recall regime") {
        Consumer = "consumer" ("消费品", "consumer products"),
        Vehicle = "vehicle" ("汽车产品", "vehicles"),
    }
}

rulekit::text_enum! {
    /// Where a recall stands.
    pub enum RecallStatus ("recall status") {
        Reported = "reported" ("已报告", "reported"),
        Investigating = "investigating" ("调查中", "under investigation"),
        Decided = "decided" ("已决定召回", "recall decided"),
        Objected = "objected" ("已提出异议", "objected"),
        PlanFiled = "plan_filed" ("计划已备案，待审核", "plan filed, awaiting review"),
        PlanAccepted = "plan_accepted" ("计划已审核通过", "plan accepted"),
        NoticePublished = "notice_published" ("召回实施中", "recall under way"),
        Completed = "completed" ("召回完成", "completed"),
        Summarized = "summarized" ("已提交总结", "summary filed"),
        Evaluated = "evaluated" ("已评估", "evaluated"),
        Closed = "closed" ("已结案（不召回）", "closed without recall"),
    }
}

rulekit::text_enum! {
    /// The recall decision.
    pub enum Decision ("recall decision") {
        Voluntary = "voluntary" ("主动召回", "voluntary recall"),
        Ordered = "ordered" ("责令召回", "ordered recall"),
        NoRecall = "no_recall" ("不召回", "no recall"),
    }
}

rulekit::text_enum! {
    /// The stages of a recall, by the name in `POST /api/v1/recalls/{id}/{stage}` and in its history.
    pub enum Stage ("recall stage") {
        Report = "report" ("缺陷报告", "defect report"),
        Investigation = "investigation" ("调查", "investigation"),
        Decision = "decision" ("召回决定", "decision"),
        Objection = "objection" ("异议", "objection"),
        Scope = "scope" ("追溯范围", "scope"),
        Plan = "plan" ("召回计划", "recall plan"),
        PlanReview = "plan_review" ("计划审核", "plan review"),
        Notice = "notice" ("召回公告", "public notice"),
        Progress = "progress" ("进展报告", "progress report"),
        Completion = "completion" ("召回完成", "completion"),
        Summary = "summary" ("总结报告", "summary report"),
        Evaluation = "evaluation" ("效果评估", "effectiveness evaluation"),
        /// A vehicle producer's notice to owners: a deadline of the vehicle regime, not yet a step of its own.
        OwnersNotified = "owners_notified" ("通知车主", "owners notified"),
        /// A deadline moved by a holiday notice: a history entry, not a step anyone takes.
        DeadlineMoved = "deadline_moved" ("期限按放假安排调整", "deadline moved by the holiday notice"),
    }
}

rulekit::text_enum! {
    /// Who opened a recall: the producer's defect report, or a regulator's own investigation.
    pub enum Origin ("recall origin") {
        EnterpriseReport = "enterprise_report" ("企业缺陷报告", "the producer's defect report"),
        Regulator = "regulator" ("监管部门立案调查", "a regulator's investigation"),
    }
}

/// How a recall opens: the stage on record first, the state it leaves the recall in, and the stage due next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    pub stage: Stage,
    pub status: RecallStatus,
    pub next: Stage,
}

impl Origin {
    /// A producer's report opens at the report; a regulator opens with its investigation.
    pub fn opening(self) -> Opening {
        match self {
            Origin::EnterpriseReport => {
                Opening { stage: Stage::Report, status: RecallStatus::Reported, next: Stage::Investigation }
            }
            Origin::Regulator => {
                Opening { stage: Stage::Investigation, status: RecallStatus::Investigating, next: Stage::Decision }
            }
        }
    }

    /// Whether the report deadline (a severe defect within days of learning of it) binds: only a producer reports.
    pub fn report_deadline_binds(self) -> bool {
        self == Origin::EnterpriseReport
    }
}

impl RecallStatus {
    /// Whether the scope may still be recomputed: until the recall is summarised, evaluated or closed.
    pub fn scope_open(self) -> bool {
        !matches!(self, RecallStatus::Closed | RecallStatus::Summarized | RecallStatus::Evaluated)
    }
}

/// The state a recall is in, as far as the stages read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecallState {
    pub status: RecallStatus,
    pub regime: Regime,
    pub decision: Option<Decision>,
}

/// A stage the recall's state does not allow now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("recall {recall} is {status}: it cannot {what} now")]
pub struct Refusal {
    pub recall: String,
    pub status: RecallStatus,
    pub what: &'static str,
}

/// Whether the state allows a stage (the report stage opens a recall and is never taken on one).
pub fn check(recall: &str, state: RecallState, stage: Stage) -> Result<(), Refusal> {
    use RecallStatus as S;
    let status = state.status;
    let (allowed, what) = match stage {
        Stage::Report => (false, "be reported again"),
        Stage::OwnersNotified => (false, "record the owners' notice as a step"),
        Stage::DeadlineMoved => (false, "have a deadline moved but by a holiday notice"),
        Stage::Investigation => (status == S::Reported, "open an investigation"),
        Stage::Decision => (matches!(status, S::Reported | S::Investigating | S::Objected), "be decided"),
        Stage::Objection => (
            status == S::Decided && state.decision == Some(Decision::Ordered) && state.regime == Regime::Vehicle,
            "be objected to",
        ),
        Stage::Scope => (status.scope_open(), "change its scope"),
        Stage::Plan => (status == S::Decided, "take a plan"),
        Stage::PlanReview => (status == S::PlanFiled, "have its plan reviewed"),
        Stage::Notice => (
            status == S::PlanAccepted,
            "publish its notice: a regulator of the producer's region accepts the plan first",
        ),
        Stage::Progress => (status == S::NoticePublished, "take a progress report"),
        Stage::Completion => (status == S::NoticePublished, "be completed"),
        Stage::Summary => (status == S::Completed, "take its summary report"),
        Stage::Evaluation => (status == S::Summarized, "be evaluated"),
    };
    if allowed {
        Ok(())
    } else {
        Err(Refusal { recall: recall.to_owned(), status, what })
    }
}

/// One deadline rule: the stage of a regime it is for, and its term.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct DeadlineRule {
    pub regime: Regime,
    pub stage: Stage,
    /// Only a severe defect has to be reported in time.
    #[serde(default)]
    pub severe_only: bool,
    #[serde(flatten)]
    pub term: rulekit::Term,
}

/// The deadline table.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Deadlines {
    pub version: String,
    pub rules: Vec<DeadlineRule>,
}

const SHIPPED: &str = include_str!("../data/recall_deadlines.json");

impl Deadlines {
    /// Reads and checks a table: each stage of a regime at most once.
    pub fn read(text: &str) -> Result<Deadlines, String> {
        let table: Deadlines = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = std::collections::HashSet::new();
        match table.rules.iter().find(|r| !seen.insert((r.regime, r.stage))) {
            Some(twice) => Err(format!("{} {} is configured twice", twice.regime, twice.stage)),
            None => Ok(table),
        }
    }

    /// The rule for a stage of a regime.
    pub fn rule(&self, regime: Regime, stage: Stage) -> Option<&DeadlineRule> {
        self.rules.iter().find(|r| r.regime == regime && r.stage == stage)
    }

    /// The due day of `stage`, counted from `from` by its rule. Past the loaded holiday notices a working-day
    /// count is provisional; loading the year moves it.
    pub fn due(
        &self,
        calendar: &calendar::Calendar,
        regime: Regime,
        stage: Stage,
        from: NaiveDate,
    ) -> Option<NaiveDate> {
        self.rule(regime, stage).map(|rule| rule.term.due(calendar, from).date)
    }
}

/// Checks the shipped table; the server calls this at start-up.
pub fn check_shipped() -> Result<(), String> {
    Deadlines::read(SHIPPED).map(|_| ())
}

/// The shipped table.
pub fn deadlines() -> &'static Deadlines {
    static TABLE: OnceLock<Deadlines> = OnceLock::new();
    TABLE.get_or_init(|| Deadlines::read(SHIPPED).expect("recall_deadlines.json is checked at start-up"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: RecallStatus) -> RecallState {
        RecallState { status, regime: Regime::Consumer, decision: Some(Decision::Voluntary) }
    }

    #[test]
    fn each_stage_needs_its_states() {
        use RecallStatus as S;
        let table: &[(Stage, &[RecallStatus])] = &[
            (Stage::Investigation, &[S::Reported]),
            (Stage::Decision, &[S::Reported, S::Investigating, S::Objected]),
            (
                Stage::Scope,
                &[
                    S::Reported,
                    S::Investigating,
                    S::Decided,
                    S::Objected,
                    S::PlanFiled,
                    S::PlanAccepted,
                    S::NoticePublished,
                    S::Completed,
                ],
            ),
            (Stage::Plan, &[S::Decided]),
            (Stage::PlanReview, &[S::PlanFiled]),
            (Stage::Notice, &[S::PlanAccepted]),
            (Stage::Progress, &[S::NoticePublished]),
            (Stage::Completion, &[S::NoticePublished]),
            (Stage::Summary, &[S::Completed]),
            (Stage::Evaluation, &[S::Summarized]),
            (Stage::Objection, &[]),
            (Stage::Report, &[]),
            (Stage::OwnersNotified, &[]),
            (Stage::DeadlineMoved, &[]),
        ];
        assert_eq!(table.len(), Stage::ALL.len());
        for (stage, allowed) in table {
            for status in RecallStatus::ALL {
                assert_eq!(check("R", state(*status), *stage).is_ok(), allowed.contains(status), "{stage} {status}");
            }
        }
    }

    #[test]
    fn a_producer_opens_at_the_report_and_a_regulator_at_the_investigation() {
        let producer = Origin::EnterpriseReport.opening();
        assert_eq!(
            (producer.stage, producer.status, producer.next),
            (Stage::Report, RecallStatus::Reported, Stage::Investigation)
        );
        let regulator = Origin::Regulator.opening();
        assert_eq!(
            (regulator.stage, regulator.status, regulator.next),
            (Stage::Investigation, RecallStatus::Investigating, Stage::Decision)
        );
        assert!(Origin::EnterpriseReport.report_deadline_binds() && !Origin::Regulator.report_deadline_binds());
    }

    #[test]
    fn only_an_ordered_vehicle_recall_takes_an_objection() {
        let ordered =
            RecallState { status: RecallStatus::Decided, regime: Regime::Vehicle, decision: Some(Decision::Ordered) };
        assert!(check("R", ordered, Stage::Objection).is_ok());
        assert!(check("R", RecallState { regime: Regime::Consumer, ..ordered }, Stage::Objection).is_err());
        assert!(check("R", RecallState { decision: Some(Decision::Voluntary), ..ordered }, Stage::Objection).is_err());
        let refused = check("ZL-RC-1", RecallState { status: RecallStatus::Closed, ..ordered }, Stage::Objection);
        assert_eq!(refused.unwrap_err().to_string(), "recall ZL-RC-1 is closed: it cannot be objected to now");
    }

    #[test]
    fn the_shipped_deadlines_hold_and_a_twice_configured_stage_is_refused() {
        check_shipped().unwrap();
        let report = deadlines().rule(Regime::Consumer, Stage::Report).unwrap();
        assert_eq!((report.term.period, report.severe_only), (rulekit::Period::WorkingDays(2), true));
        let table = deadlines();
        let mut twice = table.clone();
        twice.rules.push(table.rules[0].clone());
        let text = serde_json::to_string(&twice).unwrap();
        assert!(Deadlines::read(&text).is_err());
        assert!(Deadlines::read(&SHIPPED.replace("\"vehicle\"", "\"truck\"")).is_err(), "an unknown regime");
    }
}
