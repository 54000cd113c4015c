//! The due process of a credit list (严重违法失信名单, 经营异常名录; SAMR Order 44): proposal, notice to the
//! enterprise with its window to state its case or ask for a hearing, the hearing, the decision, publication for
//! the list's period, credit repair on application, removal, and the period's end. The lists' periods are data in
//! `data/credit_rules.json`.

use std::sync::OnceLock;

use calendar::Calendar;
use chrono::{Months, NaiveDate};
use serde::Deserialize;

rulekit::text_enum! {
    /// Where a listing stands.
    pub enum ListingStatus ("listing status") {
        Proposed = "proposed" ("拟列入", "proposed"),
        Notified = "notified" ("已告知（陈述申辩期）", "notified (statement window)"),
        Decided = "decided" ("已决定列入", "decided"),
        Dropped = "dropped" ("不予列入", "not listed"),
        Published = "published" ("已公示", "published"),
        RepairPending = "repair_pending" ("信用修复审核中", "repair under review"),
        Removed = "removed" ("已移出", "removed"),
    }
}

rulekit::text_enum! {
    /// The steps, by the name in `POST /api/v1/credit/listings/{id}/{step}`.
    pub enum ListingAction ("listing step") {
        Notify = "notify" ("告知", "notify"),
        Statement = "statement" ("陈述申辩", "statement"),
        HearingRequest = "hearing-request" ("申请听证", "request a hearing"),
        Hearing = "hearing" ("听证", "hearing"),
        Decide = "decide" ("作出决定", "decide"),
        Publish = "publish" ("公示", "publish"),
        RepairApply = "repair-apply" ("申请信用修复", "apply for repair"),
        RepairDecide = "repair-decide" ("信用修复决定", "decide on repair"),
        Remove = "remove" ("移出", "remove"),
    }
}

rulekit::text_enum! {
    /// The steps of a listing's history.
    pub enum ListingStage ("listing history step") {
        Proposed = "proposed" ("拟列入", "proposed"),
        Notified = "notified" ("告知", "notified"),
        Statement = "statement" ("陈述申辩", "statement"),
        HearingRequested = "hearing_requested" ("申请听证", "hearing requested"),
        Hearing = "hearing" ("听证", "hearing"),
        DecidedToList = "decided_to_list" ("决定列入", "decided to list"),
        DecidedNotToList = "decided_not_to_list" ("决定不列入", "decided not to list"),
        Published = "published" ("公示", "published"),
        RepairApplied = "repair_applied" ("申请信用修复", "repair applied for"),
        RepairGranted = "repair_granted" ("准予信用修复", "repair granted"),
        RepairRefused = "repair_refused" ("不予信用修复", "repair refused"),
        Removed = "removed" ("移出", "removed"),
        PeriodEnded = "period_ended" ("期满移出", "period ended"),
        /// The statement window moved by a holiday notice.
        DeadlineMoved = "deadline_moved" ("期限按放假安排调整", "deadline moved by the holiday notice"),
    }
}

rulekit::text_enum! {
    /// Why a listing left its list.
    pub enum RemovalReason ("removal reason") {
        PeriodEnded = "period_ended" ("期满", "period ended"),
        Repaired = "repaired" ("信用修复", "repaired"),
        ObligationMet = "obligation_met" ("已履行义务", "obligation met"),
        Revoked = "revoked" ("撤销", "revoked"),
    }
}

rulekit::text_enum! {
    /// What a public step writes to the public log.
    pub enum PublicEvent ("public listing event") {
        Listed = "listed" ("列入", "listed"),
        Repaired = "repaired" ("信用修复", "repaired"),
        Removed = "removed" ("移出", "removed"),
    }
}

/// A list's rules.
#[derive(Debug, Clone, Deserialize)]
pub struct ListRule {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub legal_basis: String,
    pub period_years: u32,
    pub early_repair_after_years: u32,
    /// Working days after notice to state the case or ask for a hearing.
    pub statement_working_days: u32,
    /// The statement window is this platform's setting, not a period of the order.
    #[serde(default)]
    pub statement_window_is_setting: bool,
    pub requires_penalty: bool,
}

/// The lists and the conditions of credit repair.
#[derive(Debug, Clone, Deserialize)]
pub struct ListRules {
    pub version: String,
    pub note: String,
    pub lists: Vec<ListRule>,
    pub repair_conditions: Vec<String>,
}

/// The shipped rules, as text (also served as they are).
pub const SHIPPED: &str = include_str!("../data/credit_rules.json");

impl ListRules {
    /// Reads and checks the rules: each list once, with a period.
    pub fn read(text: &str) -> Result<ListRules, String> {
        let rules: ListRules = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut seen = std::collections::HashSet::new();
        for list in &rules.lists {
            if !seen.insert(list.code.as_str()) {
                return Err(format!("list {} appears twice", list.code));
            }
            if list.period_years == 0 || list.statement_working_days == 0 {
                return Err(format!("list {} needs a period and a statement window", list.code));
            }
        }
        Ok(rules)
    }

    /// The rule of a list by its code.
    pub fn list(&self, code: &str) -> Result<&ListRule, Refusal> {
        self.lists.iter().find(|r| r.code == code).ok_or_else(|| {
            let codes: Vec<&str> = self.lists.iter().map(|r| r.code.as_str()).collect();
            Refusal::Invalid(format!("list '{code}' is not one of {}", codes.join(", ")))
        })
    }
}

/// Checks the shipped rules; the server calls this at start-up.
pub fn check_shipped() -> Result<(), String> {
    ListRules::read(SHIPPED).map(|_| ())
}

/// The shipped rules.
pub fn list_rules() -> &'static ListRules {
    static RULES: OnceLock<ListRules> = OnceLock::new();
    RULES.get_or_init(|| ListRules::read(SHIPPED).expect("credit_rules.json is checked at start-up"))
}

/// The part of a listing its due process reads and changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingCase {
    pub list: String,
    pub status: ListingStatus,
    pub proposed_on: NaiveDate,
    pub notified_on: Option<NaiveDate>,
    pub statement_by: Option<NaiveDate>,
    pub hearing_requested: bool,
    pub decided_on: Option<NaiveDate>,
    pub published_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub removed_on: Option<NaiveDate>,
    pub removal_reason: Option<RemovalReason>,
}

impl ListingCase {
    /// Whether the listing is on its list now.
    pub fn current(&self) -> bool {
        self.status.on_the_list()
    }

    /// Whether the listing still holds its list's place (a second open listing on the same list is refused).
    pub fn open(&self) -> bool {
        !matches!(self.status, ListingStatus::Removed | ListingStatus::Dropped)
    }

    /// The day of its last step; a new step is not dated before it.
    pub fn last_step_day(&self) -> NaiveDate {
        [Some(self.proposed_on), self.notified_on, self.decided_on, self.published_on, self.removed_on]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(self.proposed_on)
    }
}

impl ListingStatus {
    /// Whether a listing in this state is on its list (published, perhaps with a repair pending).
    pub fn on_the_list(self) -> bool {
        matches!(self, ListingStatus::Published | ListingStatus::RepairPending)
    }
}

impl ListingAction {
    /// The steps the listed enterprise takes itself; the regulators take the others.
    pub fn by_enterprise(self) -> bool {
        matches!(self, ListingAction::Statement | ListingAction::HearingRequest | ListingAction::RepairApply)
    }
}

/// What a step carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListingInput {
    pub note: Option<String>,
    pub listed: Option<bool>,
    pub granted: Option<bool>,
    pub reason: Option<String>,
    pub conditions: Vec<String>,
    /// Whether a hearing step is already in the listing's history.
    pub heard: bool,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingChange {
    pub after: ListingCase,
    pub stage: ListingStage,
    /// The public-log entry a public step writes.
    pub public: Option<PublicEvent>,
}

pub use rulekit::Refusal;

/// A step on `on`, by the rules of the listing's list.
pub fn transition(
    case: &ListingCase,
    listing: &str,
    action: ListingAction,
    input: &ListingInput,
    on: NaiveDate,
    calendar: &Calendar,
    rules: &ListRules,
) -> Result<ListingChange, Refusal> {
    use ListingAction as A;
    use ListingStatus as S;
    let rule = rules.list(&case.list)?;
    let in_window = case.statement_by.is_some_and(|by| on <= by);
    let mut after = case.clone();
    let mut public = None;
    let status = case.status;
    let stage = match action {
        A::Notify if status == S::Proposed => {
            after.status = S::Notified;
            after.notified_on = Some(on);
            after.statement_by = Some(calendar.deadline(on, rule.statement_working_days).date);
            ListingStage::Notified
        }
        A::Statement if status == S::Notified && in_window => {
            if input.note.is_none() {
                return Err(Refusal::Invalid("the statement (note) is required".into()));
            }
            ListingStage::Statement
        }
        A::HearingRequest if status == S::Notified && in_window && !case.hearing_requested => {
            after.hearing_requested = true;
            ListingStage::HearingRequested
        }
        A::Hearing if status == S::Notified && case.hearing_requested => ListingStage::Hearing,
        A::Decide if status == S::Notified => {
            if case.hearing_requested && !input.heard {
                return Err(Refusal::WrongState("a hearing was requested: hold it before deciding".into()));
            }
            if !case.hearing_requested && in_window {
                let by = case.statement_by.map(|d| d.to_string()).unwrap_or_default();
                return Err(Refusal::WrongState(format!(
                    "the enterprise may state its case until {by}: decide after that"
                )));
            }
            after.decided_on = Some(on);
            match input.listed {
                Some(true) => {
                    after.status = S::Decided;
                    ListingStage::DecidedToList
                }
                Some(false) => {
                    after.status = S::Dropped;
                    ListingStage::DecidedNotToList
                }
                None => return Err(Refusal::Invalid("listed (true or false) is required".into())),
            }
        }
        A::Publish if status == S::Decided => {
            after.status = S::Published;
            after.published_on = Some(on);
            after.expires_on = on.checked_add_months(Months::new(12 * rule.period_years));
            public = Some(PublicEvent::Listed);
            ListingStage::Published
        }
        A::RepairApply if status == S::Published => {
            let earliest = case
                .published_on
                .and_then(|day| day.checked_add_months(Months::new(12 * rule.early_repair_after_years)))
                .unwrap_or(NaiveDate::MAX);
            if on < earliest {
                return Err(Refusal::WrongState(format!("credit repair may be applied for from {earliest}")));
            }
            let missing: Vec<&str> =
                rules.repair_conditions.iter().filter(|c| !input.conditions.contains(c)).map(String::as_str).collect();
            if !missing.is_empty() {
                return Err(Refusal::Invalid(format!(
                    "the conditions of repair not declared met: {}",
                    missing.join(", ")
                )));
            }
            after.status = S::RepairPending;
            ListingStage::RepairApplied
        }
        A::RepairDecide if status == S::RepairPending => match input.granted {
            Some(true) => {
                after.status = S::Removed;
                after.removed_on = Some(on);
                after.removal_reason = Some(RemovalReason::Repaired);
                public = Some(PublicEvent::Repaired);
                ListingStage::RepairGranted
            }
            Some(false) => {
                after.status = S::Published;
                ListingStage::RepairRefused
            }
            None => return Err(Refusal::Invalid("granted (true or false) is required".into())),
        },
        A::Remove if case.current() => {
            let reason = input.reason.clone().ok_or_else(|| Refusal::Invalid("reason is required".into()))?;
            let reason = match reason.parse::<RemovalReason>() {
                Ok(reason @ (RemovalReason::ObligationMet | RemovalReason::Revoked)) => reason,
                _ => {
                    return Err(Refusal::Invalid(format!(
                        "reason '{reason}' is not obligation_met or revoked (a period's end is swept)"
                    )))
                }
            };
            if reason == RemovalReason::ObligationMet && case.list != "abnormal_operations" {
                return Err(Refusal::Invalid(
                    "only the abnormal-operations list is left when the obligation is met".into(),
                ));
            }
            after.status = S::Removed;
            after.removed_on = Some(on);
            after.removal_reason = Some(reason);
            public = Some(PublicEvent::Removed);
            ListingStage::Removed
        }
        _ => return Err(Refusal::WrongState(format!("listing {listing} is {status}: '{action}' is not possible now"))),
    };
    Ok(ListingChange { after, stage, public })
}

/// The end of a listing's period: removed on the day it expired (or its last step, if later).
pub fn period_end(case: &ListingCase) -> ListingChange {
    let on = case.expires_on.unwrap_or(NaiveDate::MIN).max(case.last_step_day());
    let mut after = case.clone();
    after.status = ListingStatus::Removed;
    after.removed_on = Some(on);
    after.removal_reason = Some(RemovalReason::PeriodEnded);
    ListingChange { after, stage: ListingStage::PeriodEnded, public: Some(PublicEvent::Removed) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn case(list: &str, status: ListingStatus) -> ListingCase {
        ListingCase {
            list: list.into(),
            status,
            proposed_on: day("2025-03-03"),
            notified_on: None,
            statement_by: None,
            hearing_requested: false,
            decided_on: None,
            published_on: None,
            expires_on: None,
            removed_on: None,
            removal_reason: None,
        }
    }

    fn step(
        case: &ListingCase,
        action: ListingAction,
        input: ListingInput,
        on: &str,
    ) -> Result<ListingChange, Refusal> {
        transition(case, "ZL-CL-1", action, &input, day(on), &Calendar::from_schedules([]), list_rules())
    }

    #[test]
    fn the_shipped_rules_hold() {
        check_shipped().unwrap();
        assert_eq!(list_rules().list("serious_violation").unwrap().period_years, 3);
        assert!(list_rules().list("blacklist").is_err());
        let twice = SHIPPED.replace("\"abnormal_operations\", \"name_zh\"", "\"serious_violation\", \"name_zh\"");
        assert!(ListRules::read(&twice).is_err());
    }

    /// The states each step is taken in (before the fields and windows are read).
    #[test]
    fn each_step_is_taken_in_its_states_only() {
        use ListingAction as A;
        use ListingStatus as S;
        let notified = |hearing| {
            let mut c = case("serious_violation", S::Notified);
            c.statement_by = Some(day("2025-03-10"));
            c.hearing_requested = hearing;
            c
        };
        let input = ListingInput {
            note: Some("陈述".into()),
            listed: Some(true),
            granted: Some(false),
            reason: Some("revoked".into()),
            conditions: list_rules().repair_conditions.clone(),
            heard: true,
        };
        for status in ListingStatus::ALL {
            for action in ListingAction::ALL {
                let mut listing = match status {
                    S::Notified => notified(*action == A::Hearing || *action == A::Decide),
                    other => case("serious_violation", *other),
                };
                listing.published_on = Some(day("2024-01-02"));
                let allowed = match action {
                    A::Notify => *status == S::Proposed,
                    A::Statement | A::HearingRequest | A::Hearing | A::Decide => *status == S::Notified,
                    A::Publish => *status == S::Decided,
                    A::RepairApply => *status == S::Published,
                    A::RepairDecide => *status == S::RepairPending,
                    A::Remove => matches!(status, S::Published | S::RepairPending),
                };
                let got = step(&listing, *action, input.clone(), "2025-03-05");
                assert_eq!(got.is_ok(), allowed, "{status} {action}: {got:?}");
                if !allowed {
                    assert!(matches!(got, Err(Refusal::WrongState(_))), "{status} {action}");
                }
            }
        }
    }

    #[test]
    fn due_process_runs_from_notice_to_publication_and_removal() {
        let proposed = case("serious_violation", ListingStatus::Proposed);
        // Notified Monday 3 March 2025: five working days to state the case, to Monday 10 March.
        let notified = step(&proposed, ListingAction::Notify, ListingInput::default(), "2025-03-03").unwrap();
        assert_eq!(notified.after.statement_by, Some(day("2025-03-10")));
        let decide = ListingInput { listed: Some(true), ..ListingInput::default() };
        assert!(matches!(
            step(&notified.after, ListingAction::Decide, decide.clone(), "2025-03-10"),
            Err(Refusal::WrongState(m)) if m.contains("until 2025-03-10")
        ));
        assert!(matches!(
            step(&notified.after, ListingAction::Statement, ListingInput::default(), "2025-03-05"),
            Err(Refusal::Invalid(_))
        ));
        assert!(
            step(&notified.after, ListingAction::Statement, ListingInput::default(), "2025-03-11").is_err(),
            "late"
        );
        let decided = step(&notified.after, ListingAction::Decide, decide, "2025-03-11").unwrap();
        assert_eq!((decided.after.status, decided.stage), (ListingStatus::Decided, ListingStage::DecidedToList));
        let published = step(&decided.after, ListingAction::Publish, ListingInput::default(), "2025-03-12").unwrap();
        assert_eq!(
            (published.public, published.after.expires_on),
            (Some(PublicEvent::Listed), Some(day("2028-03-12")))
        );
        let early = ListingInput { conditions: list_rules().repair_conditions.clone(), ..ListingInput::default() };
        assert!(matches!(
            step(&published.after, ListingAction::RepairApply, early.clone(), "2026-03-11"),
            Err(Refusal::WrongState(m)) if m.contains("2026-03-12")
        ));
        let partial = ListingInput { conditions: vec!["harm_removed".into()], ..ListingInput::default() };
        assert!(matches!(
            step(&published.after, ListingAction::RepairApply, partial, "2026-03-12"),
            Err(Refusal::Invalid(m)) if m.contains("penalties_fulfilled")
        ));
        let applied = step(&published.after, ListingAction::RepairApply, early, "2026-03-12").unwrap();
        let granted = ListingInput { granted: Some(true), ..ListingInput::default() };
        let repaired = step(&applied.after, ListingAction::RepairDecide, granted, "2026-03-20").unwrap();
        assert_eq!(
            (repaired.after.status, repaired.after.removal_reason, repaired.public),
            (ListingStatus::Removed, Some(RemovalReason::Repaired), Some(PublicEvent::Repaired))
        );
    }

    #[test]
    fn a_requested_hearing_comes_before_the_decision_and_removal_needs_its_reason() {
        let mut notified = case("abnormal_operations", ListingStatus::Notified);
        notified.statement_by = Some(day("2025-03-10"));
        notified.hearing_requested = true;
        let decide = ListingInput { listed: Some(false), ..ListingInput::default() };
        assert!(matches!(
            step(&notified, ListingAction::Decide, decide.clone(), "2025-03-12"),
            Err(Refusal::WrongState(_))
        ));
        let heard = ListingInput { heard: true, ..decide };
        let dropped = step(&notified, ListingAction::Decide, heard, "2025-03-12").unwrap();
        assert_eq!(dropped.after.status, ListingStatus::Dropped);
        assert!(!dropped.after.open());

        let listed = case("abnormal_operations", ListingStatus::Published);
        let reason = |r: &str| ListingInput { reason: Some(r.into()), ..ListingInput::default() };
        assert!(step(&listed, ListingAction::Remove, reason("period_ended"), "2025-04-01").is_err());
        assert!(step(&listed, ListingAction::Remove, reason("obligation_met"), "2025-04-01").is_ok());
        let serious = case("serious_violation", ListingStatus::Published);
        assert!(matches!(
            step(&serious, ListingAction::Remove, reason("obligation_met"), "2025-04-01"),
            Err(Refusal::Invalid(m)) if m.contains("abnormal-operations")
        ));
        let mut expired = serious.clone();
        expired.expires_on = Some(day("2028-03-12"));
        let ended = period_end(&expired);
        assert_eq!(
            (ended.after.removed_on, ended.after.removal_reason),
            (Some(day("2028-03-12")), Some(RemovalReason::PeriodEnded))
        );
    }
}
