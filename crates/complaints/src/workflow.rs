//! The transition table: a step is a function from (filing, step, day, calendar) to a change or a typed refusal.
//! Who may take a step (the handling regulator, the respondent, the submitter) is the server's to check; what the
//! filing's state allows, and what each step needs, is decided here.

use calendar::Calendar;
use chrono::{Months, NaiveDate};
use serde_json::{json, Map, Value};

use crate::model::{
    Action, Kind, Outcome, RefusalGround, Stage, Status, SubmitterAction, SuspendReason, TerminationGround,
};

/// The part of a filing its workflow reads and changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub kind: Kind,
    pub status: Status,
    pub anonymous: bool,
    /// The report's verification period was extended (once).
    pub extended: bool,
    /// The regulator with jurisdiction now (GB/T 2260).
    pub handling_region: String,
    pub received_on: NaiveDate,
    pub harm_known_on: Option<NaiveDate>,
    /// The day the acceptance clock counts from: receipt, or the referral to this regulator.
    pub accept_base_on: NaiveDate,
    pub accepted_on: Option<NaiveDate>,
    pub decided_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub suspended_since: Option<NaiveDate>,
    /// Working days of finished suspensions.
    pub suspended_days: i64,
    pub outcome: Option<Outcome>,
    /// The legal ground of a refusal (Art 15) or termination (Art 21), as its code.
    pub ground: Option<String>,
    pub category: Option<String>,
    pub issue: Option<String>,
    pub enterprise_response: Option<String>,
    pub rating: Option<i64>,
}

/// The fields a step may carry; each step reads the ones it needs. Identifiers arrive checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepInput {
    pub ground: Option<String>,
    /// Referral: the receiving regulator's region, already checked as GB/T 2260.
    pub region_code: Option<String>,
    pub consent: Option<bool>,
    pub reason: Option<String>,
    /// Suspension for testing: the lab's USCC, already checked.
    pub lab_uscc: Option<String>,
    pub result: Option<String>,
    pub answer: Option<String>,
    /// Classification: the new codes; a category arrives checked against the product catalogue.
    pub category: Option<String>,
    pub issue: Option<String>,
    pub rating: Option<i64>,
}

/// What a step does: the filing after it, the history's stage and what the history records.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub after: Case,
    pub stage: Stage,
    pub data: Map<String, Value>,
    /// A split's new report, to be filed beside the complaint.
    pub split: Option<Case>,
}

pub use rulekit::Refusal;

fn invalid(message: impl Into<String>) -> Refusal {
    Refusal::Invalid(message.into())
}

/// Whether the state allows the step at all (before its fields are read). This is the table that the tests
/// walk; `transition` reads its fields after it.
pub fn allowed(case: &Case, action: Action) -> bool {
    use Status::*;
    let (kind, status) = (case.kind, case.status);
    let complaint = kind == Kind::Complaint;
    match action {
        Action::Accept | Action::Reject => complaint && status == Pending,
        Action::Refer => status == Pending,
        Action::Mediate => complaint && status == Accepted,
        Action::Suspend | Action::Settle => complaint && status == Mediating,
        Action::Resume => status == Suspended,
        Action::Terminate => complaint && matches!(status, Accepted | Mediating | Suspended),
        Action::Notify => matches!(status, Terminated | Decided),
        Action::Extend => kind == Kind::Report && status == Pending && !case.extended,
        Action::OpenCase | Action::NoCase => kind == Kind::Report && status == Pending,
        Action::Answer => kind == Kind::Enquiry && status == Pending,
        Action::Classify => true,
        Action::Split => complaint,
        Action::EnterpriseResponse => matches!(status, Pending | Accepted | Mediating | Suspended),
        // Reward decisions are checked against the claim where it is stored.
        Action::Reward | Action::RewardRefuse => true,
    }
}

/// The day a step is dated: given or today, not in the future and not before the filing's last step.
pub fn step_day(case: &Case, given: Option<NaiveDate>, today: NaiveDate) -> Result<NaiveDate, Refusal> {
    let on = given.unwrap_or(today);
    if on > today {
        return Err(invalid(format!("on: {on} is in the future")));
    }
    let latest = [Some(case.accept_base_on), case.accepted_on, case.decided_on, case.suspended_since, case.closed_on]
        .into_iter()
        .flatten()
        .max();
    if latest.is_some_and(|latest| on < latest) {
        return Err(invalid(format!("on: {on} is before the filing's last step")));
    }
    Ok(on)
}

fn close(case: &mut Case, on: NaiveDate, outcome: Outcome) {
    case.status = Status::Closed;
    case.closed_on = Some(on);
    case.outcome = Some(outcome);
}

fn change(after: Case, stage: Stage, data: Value) -> Change {
    let data = match data {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    Change { after, stage, data, split: None }
}

/// A regulator's or the respondent's step on `on`. Reward decisions are not steps of the filing; see `reward`.
pub fn transition(
    case: &Case,
    action: Action,
    input: &StepInput,
    on: NaiveDate,
    calendar: &Calendar,
) -> Result<Change, Refusal> {
    if !allowed(case, action) {
        return Err(Refusal::WrongState(match action {
            Action::EnterpriseResponse => format!("complaint is {}, no longer open for an answer", case.status),
            _ => format!("a {} that is {} cannot take the step '{action}'", case.kind, case.status),
        }));
    }
    let text = |value: &Option<String>| value.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
    let mut after = case.clone();
    Ok(match action {
        Action::Accept => {
            if let Some(known) = case.harm_known_on {
                if case.received_on > known + Months::new(36) {
                    return Err(invalid(
                        "the harm was known more than three years before the complaint: refuse on ground 4",
                    ));
                }
            }
            after.status = Status::Accepted;
            after.accepted_on = Some(on);
            change(after, Stage::Accepted, json!({}))
        }
        Action::Reject => {
            let ground = text(&input.ground).ok_or_else(|| invalid("ground (1–6, Art 15) is required"))?;
            let ground: RefusalGround =
                ground.parse().map_err(|_| invalid(format!("ground '{ground}' is not one of Art 15's grounds 1–6")))?;
            after.ground = Some(ground.as_str().to_owned());
            close(&mut after, on, Outcome::NotAccepted);
            change(after, Stage::NotAccepted, json!({"ground": ground}))
        }
        Action::Refer => {
            let region = text(&input.region_code).ok_or_else(|| invalid("region_code is required"))?;
            if region == case.handling_region {
                return Err(invalid("the filing is already with that regulator"));
            }
            after.handling_region = region.clone();
            after.accept_base_on = on;
            change(after, Stage::Referred, json!({"from": case.handling_region, "to": region}))
        }
        Action::Mediate => {
            if input.consent != Some(true) {
                return Err(invalid("mediation needs both parties' consent (Art 16): set consent to true"));
            }
            after.status = Status::Mediating;
            change(after, Stage::MediationStarted, json!({}))
        }
        Action::Suspend => {
            let reason = text(&input.reason).unwrap_or_else(|| SuspendReason::Testing.as_str().to_owned());
            let reason: SuspendReason =
                reason.parse().map_err(|_| invalid(format!("reason '{reason}' is not testing or other")))?;
            let data = match reason {
                SuspendReason::Testing => {
                    let lab = input.lab_uscc.clone().ok_or_else(|| invalid("lab_uscc: is required"))?;
                    json!({"reason": reason, "lab_uscc": lab})
                }
                SuspendReason::Other => json!({"reason": reason}),
            };
            after.status = Status::Suspended;
            after.suspended_since = Some(on);
            change(after, Stage::Suspended, data)
        }
        Action::Resume => {
            let paused = case.suspended_since.map_or(0, |since| calendar.working_days_between_provisional(since, on));
            after.suspended_days += i64::from(paused);
            after.suspended_since = None;
            after.status = Status::Mediating;
            change(after, Stage::Resumed, json!({"paused_working_days": paused, "result": text(&input.result)}))
        }
        Action::Settle => {
            close(&mut after, on, Outcome::MediatedSettlement);
            change(after, Stage::Settled, json!({}))
        }
        Action::Terminate => {
            let ground = text(&input.ground).ok_or_else(|| invalid("ground (Art 21) is required"))?;
            let ground: TerminationGround = ground.parse().map_err(|_| {
                let codes: Vec<&str> = TerminationGround::ALL.iter().map(|g| g.as_str()).collect();
                invalid(format!("ground '{ground}' is not one of {}", codes.join(", ")))
            })?;
            after.ground = Some(ground.as_str().to_owned());
            after.status = Status::Terminated;
            after.outcome = Some(Outcome::Terminated);
            after.decided_on = Some(on);
            after.suspended_since = None;
            change(after, Stage::Terminated, json!({"ground": ground}))
        }
        Action::Notify => {
            after.status = Status::Closed;
            after.closed_on = Some(on);
            change(after, Stage::PartiesNotified, json!({}))
        }
        Action::Extend => {
            after.extended = true;
            change(after, Stage::VerificationExtended, json!({}))
        }
        Action::OpenCase | Action::NoCase => {
            let (outcome, stage) = if action == Action::OpenCase {
                (Outcome::CaseOpened, Stage::CaseOpened)
            } else {
                (Outcome::NoCase, Stage::NoCase)
            };
            after.decided_on = Some(on);
            after.outcome = Some(outcome);
            if case.anonymous {
                // No one to tell (Art 31): the report closes with the decision.
                after.status = Status::Closed;
                after.closed_on = Some(on);
            } else {
                after.status = Status::Decided;
            }
            change(after, stage, json!({}))
        }
        Action::Answer => {
            let answer = text(&input.answer).ok_or_else(|| invalid("answer is required"))?;
            close(&mut after, on, Outcome::Answered);
            change(after, Stage::Answered, json!({"answer": answer}))
        }
        Action::Classify => {
            let category = text(&input.category).or(case.category.clone());
            let issue = text(&input.issue).or(case.issue.clone());
            if let Some(code) = issue.as_deref().filter(|code| !crate::classify::is_issue(code)) {
                return Err(invalid(format!("issue '{code}' is not an issue type")));
            }
            let from = json!({"category": case.category, "issue": case.issue});
            after.category = category.clone();
            after.issue = issue.clone();
            change(after, Stage::Classified, json!({"from": from, "to": {"category": category, "issue": issue}}))
        }
        Action::Split => {
            let mut report = case.clone();
            report.kind = Kind::Report;
            report.status = Status::Pending;
            report.accept_base_on = on;
            report.received_on = on;
            report.accepted_on = None;
            report.decided_on = None;
            report.closed_on = None;
            report.suspended_since = None;
            report.outcome = None;
            report.ground = None;
            report.enterprise_response = None;
            report.suspended_days = 0;
            report.rating = None;
            Change { split: Some(report), ..change(after, Stage::Split, json!({})) }
        }
        Action::EnterpriseResponse => {
            let answer = text(&input.answer).ok_or_else(|| invalid("answer is required"))?;
            after.enterprise_response = Some(answer);
            change(after, Stage::EnterpriseResponse, json!({}))
        }
        Action::Reward | Action::RewardRefuse => {
            return Err(invalid("a reward is decided on the claim, not as a step of the filing"));
        }
    })
}

/// The most a single report's reward may be, in yuan (《市场监督管理领域重大违法行为举报奖励暂行办法》, 2021).
pub const REWARD_CAP: f64 = 1_000_000.0;

/// A reward decision's grant: grade 1–3 and an amount within the cap; `None` for a refusal.
pub fn reward(action: Action, grade: Option<i64>, amount: Option<f64>) -> Result<Option<(i64, f64)>, Refusal> {
    if action != Action::Reward {
        return Ok(None);
    }
    let grade = grade.filter(|g| (1..=3).contains(g)).ok_or_else(|| invalid("grade is 1, 2 or 3"))?;
    let amount = amount
        .filter(|a| a.is_finite() && *a > 0.0 && *a <= REWARD_CAP)
        .ok_or_else(|| invalid(format!("amount is more than 0 and at most {REWARD_CAP} yuan")))?;
    Ok(Some((grade, amount)))
}

/// What a submitter's step does: a change of the filing, or a reward claim to store.
#[derive(Debug, Clone, PartialEq)]
pub enum SubmitterStep {
    Change(Box<Change>),
    ClaimReward,
}

/// Whether the filing's state allows a submitter's step: accepting the enterprise's answer and withdrawing
/// while a complaint is open, evaluating once after closure, claiming a reward once a case is opened on a report.
pub fn submitter_allowed(case: &Case, action: SubmitterAction) -> bool {
    let open = case.status != Status::Closed;
    let complaint = case.kind == Kind::Complaint;
    match action {
        SubmitterAction::Settlement => open && complaint && case.enterprise_response.is_some(),
        SubmitterAction::Withdraw => open && complaint,
        SubmitterAction::Evaluation => !open && case.rating.is_none(),
        SubmitterAction::Reward => case.kind == Kind::Report && case.outcome == Some(Outcome::CaseOpened),
    }
}

/// The submitter's own steps on `today`: accept the enterprise's answer (企业和解), withdraw, evaluate once
/// closed, or claim the reward for a report on which a case was opened.
pub fn submitter_transition(
    case: &Case,
    action: SubmitterAction,
    input: &StepInput,
    today: NaiveDate,
) -> Result<SubmitterStep, Refusal> {
    if !submitter_allowed(case, action) {
        return Err(Refusal::WrongState(
            match action {
                SubmitterAction::Settlement => "there is no open answer from the enterprise to accept",
                SubmitterAction::Withdraw => "only an open complaint can be withdrawn",
                SubmitterAction::Evaluation => "a filing is evaluated once, after it is closed",
                SubmitterAction::Reward => "a reward can be claimed for a report once a case is opened on it",
            }
            .to_owned(),
        ));
    }
    let mut after = case.clone();
    let stage = match action {
        SubmitterAction::Settlement => {
            close(&mut after, today, Outcome::EnterpriseSettlement);
            Stage::EnterpriseSettlement
        }
        SubmitterAction::Withdraw => {
            close(&mut after, today, Outcome::Withdrawn);
            Stage::Withdrawn
        }
        SubmitterAction::Evaluation => {
            after.rating =
                Some(input.rating.filter(|r| (1..=5).contains(r)).ok_or_else(|| invalid("rating is 1 to 5"))?);
            Stage::Evaluated
        }
        SubmitterAction::Reward => return Ok(SubmitterStep::ClaimReward),
    };
    Ok(SubmitterStep::Change(Box::new(change(after, stage, json!({})))))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// A filing received on Friday 2025-01-03 in Hangzhou's Xihu district.
    pub(crate) fn case(kind: Kind, status: Status) -> Case {
        Case {
            kind,
            status,
            anonymous: false,
            extended: false,
            handling_region: "330106".into(),
            received_on: day("2025-01-03"),
            harm_known_on: None,
            accept_base_on: day("2025-01-03"),
            accepted_on: None,
            decided_on: None,
            closed_on: None,
            suspended_since: None,
            suspended_days: 0,
            outcome: None,
            ground: None,
            category: None,
            issue: None,
            enterprise_response: None,
            rating: None,
        }
    }

    /// Every (kind, status, step) the table allows, written out: anything not listed is refused as wrong-state.
    const ALLOWED: &[(Kind, Status, Action)] = {
        use Action::*;
        use Kind::{Complaint as C, Enquiry as E, Report as R};
        use Status::*;
        &[
            (C, Pending, Accept),
            (C, Pending, Reject),
            (C, Pending, Refer),
            (R, Pending, Refer),
            (E, Pending, Refer),
            (C, Accepted, Mediate),
            (C, Mediating, Suspend),
            (C, Mediating, Settle),
            (C, Suspended, Resume),
            (R, Suspended, Resume),
            (E, Suspended, Resume),
            (C, Accepted, Terminate),
            (C, Mediating, Terminate),
            (C, Suspended, Terminate),
            (C, Terminated, Notify),
            (R, Terminated, Notify),
            (E, Terminated, Notify),
            (C, Decided, Notify),
            (R, Decided, Notify),
            (E, Decided, Notify),
            (R, Pending, Extend),
            (R, Pending, OpenCase),
            (R, Pending, NoCase),
            (E, Pending, Answer),
        ]
    };

    /// Steps whose state rule does not depend on the status (classification, split, answers, rewards).
    fn status_free(action: Action) -> bool {
        matches!(
            action,
            Action::Classify | Action::Split | Action::EnterpriseResponse | Action::Reward | Action::RewardRefuse
        )
    }

    #[test]
    fn the_table_allows_exactly_the_listed_steps() {
        for kind in Kind::ALL {
            for status in Status::ALL {
                for action in Action::ALL.iter().filter(|a| !status_free(**a)) {
                    let expected = ALLOWED.contains(&(*kind, *status, *action));
                    assert_eq!(allowed(&case(*kind, *status), *action), expected, "{kind} {status} {action}");
                }
            }
        }
        let open = [Status::Pending, Status::Accepted, Status::Mediating, Status::Suspended];
        for status in Status::ALL {
            let answerable = allowed(&case(Kind::Complaint, *status), Action::EnterpriseResponse);
            assert_eq!(answerable, open.contains(status), "{status}");
            assert!(allowed(&case(Kind::Complaint, *status), Action::Split));
            assert!(!allowed(&case(Kind::Report, *status), Action::Split));
        }
        let mut extended = case(Kind::Report, Status::Pending);
        extended.extended = true;
        assert!(!allowed(&extended, Action::Extend), "extended once");
    }

    #[test]
    fn a_refused_state_is_wrong_state_and_names_the_step() {
        let calendar = Calendar::from_schedules([]);
        let refused = transition(
            &case(Kind::Complaint, Status::Pending),
            Action::Mediate,
            &StepInput::default(),
            day("2025-01-06"),
            &calendar,
        );
        assert_eq!(
            refused,
            Err(Refusal::WrongState("a complaint that is pending cannot take the step 'mediate'".into()))
        );
    }

    fn step(case: &Case, action: Action, input: StepInput, on: &str) -> Result<Change, Refusal> {
        transition(case, action, &input, day(on), &Calendar::from_schedules([]))
    }

    #[test]
    fn each_step_needs_its_fields_and_records_them() {
        let pending = case(Kind::Complaint, Status::Pending);
        let ground = |g: &str| StepInput { ground: Some(g.into()), ..StepInput::default() };
        // (step, input, the refusal's words or the stage it records)
        let cases: Vec<(Action, StepInput, Result<Stage, &str>)> = vec![
            (Action::Reject, StepInput::default(), Err("ground (1–6, Art 15) is required")),
            (Action::Reject, ground("7"), Err("not one of Art 15's grounds")),
            (Action::Reject, ground("4"), Ok(Stage::NotAccepted)),
            (Action::Refer, StepInput::default(), Err("region_code is required")),
            (
                Action::Refer,
                StepInput { region_code: Some("330106".into()), ..StepInput::default() },
                Err("already with that regulator"),
            ),
            (
                Action::Refer,
                StepInput { region_code: Some("330108".into()), ..StepInput::default() },
                Ok(Stage::Referred),
            ),
            (Action::Accept, StepInput::default(), Ok(Stage::Accepted)),
        ];
        for (action, input, expected) in cases {
            match (step(&pending, action, input.clone(), "2025-01-06"), expected) {
                (Ok(change), Ok(stage)) => assert_eq!(change.stage, stage, "{action} {input:?}"),
                (Err(Refusal::Invalid(message)), Err(words)) => assert!(message.contains(words), "{message}"),
                (got, expected) => panic!("{action} {input:?}: {got:?}, expected {expected:?}"),
            }
        }
        let refused = step(&pending, Action::Reject, ground("4"), "2025-01-06").unwrap();
        assert_eq!((refused.after.status, refused.after.outcome), (Status::Closed, Some(Outcome::NotAccepted)));
        assert_eq!(refused.data["ground"], "4");
        let referred = step(
            &pending,
            Action::Refer,
            StepInput { region_code: Some("330108".into()), ..StepInput::default() },
            "2025-01-07",
        )
        .unwrap();
        assert_eq!(
            (referred.after.handling_region.as_str(), referred.after.accept_base_on),
            ("330108", day("2025-01-07"))
        );

        let accepted = case(Kind::Complaint, Status::Accepted);
        assert!(matches!(
            step(&accepted, Action::Mediate, StepInput::default(), "2025-01-07"),
            Err(Refusal::Invalid(_))
        ));
        let consent = StepInput { consent: Some(true), ..StepInput::default() };
        assert_eq!(step(&accepted, Action::Mediate, consent, "2025-01-07").unwrap().after.status, Status::Mediating);
        let terminated = step(&accepted, Action::Terminate, ground("time_limit"), "2025-03-10").unwrap();
        assert_eq!(
            (terminated.after.status, terminated.after.decided_on, terminated.after.ground.as_deref()),
            (Status::Terminated, Some(day("2025-03-10")), Some("time_limit"))
        );
        assert!(matches!(step(&accepted, Action::Terminate, ground("bored"), "2025-03-10"), Err(Refusal::Invalid(_))));
    }

    #[test]
    fn the_three_year_rule_refuses_acceptance() {
        let mut late = case(Kind::Complaint, Status::Pending);
        late.harm_known_on = Some(day("2021-12-31"));
        let refused = step(&late, Action::Accept, StepInput::default(), "2025-01-06");
        assert!(matches!(refused, Err(Refusal::Invalid(m)) if m.contains("ground 4")));
        late.harm_known_on = Some(day("2022-01-03"));
        assert!(step(&late, Action::Accept, StepInput::default(), "2025-01-06").is_ok(), "exactly three years");
    }

    #[test]
    fn suspension_for_testing_stops_the_clock_and_resumption_counts_the_pause() {
        let mediating = case(Kind::Complaint, Status::Mediating);
        let no_lab = step(&mediating, Action::Suspend, StepInput::default(), "2025-01-06");
        assert!(matches!(no_lab, Err(Refusal::Invalid(m)) if m.contains("lab_uscc")));
        let testing = StepInput { lab_uscc: Some("12100000400000624D".into()), ..StepInput::default() };
        let suspended = step(&mediating, Action::Suspend, testing, "2025-01-06").unwrap();
        assert_eq!((suspended.after.status, suspended.data["reason"].as_str()), (Status::Suspended, Some("testing")));
        let other = StepInput { reason: Some("holiday".into()), ..StepInput::default() };
        assert!(matches!(step(&mediating, Action::Suspend, other, "2025-01-06"), Err(Refusal::Invalid(_))));
        // Monday 6 January to Monday 13 January: five working days paused.
        let resumed = step(&suspended.after, Action::Resume, StepInput::default(), "2025-01-13").unwrap();
        assert_eq!((resumed.after.status, resumed.after.suspended_days), (Status::Mediating, 5));
        assert_eq!(resumed.data["paused_working_days"], 5);
    }

    #[test]
    fn reports_decide_and_anonymous_ones_close_at_once() {
        let report = case(Kind::Report, Status::Pending);
        let opened = step(&report, Action::OpenCase, StepInput::default(), "2025-01-10").unwrap();
        assert_eq!((opened.after.status, opened.after.outcome), (Status::Decided, Some(Outcome::CaseOpened)));
        let mut anonymous = report.clone();
        anonymous.anonymous = true;
        let closed = step(&anonymous, Action::NoCase, StepInput::default(), "2025-01-10").unwrap();
        assert_eq!((closed.after.status, closed.after.closed_on), (Status::Closed, Some(day("2025-01-10"))));
        let notified = step(&opened.after, Action::Notify, StepInput::default(), "2025-01-13").unwrap();
        assert_eq!(notified.after.status, Status::Closed);
    }

    #[test]
    fn a_split_files_a_fresh_report_and_leaves_the_complaint() {
        let mut complaint = case(Kind::Complaint, Status::Closed);
        complaint.outcome = Some(Outcome::MediatedSettlement);
        complaint.rating = Some(4);
        let split = step(&complaint, Action::Split, StepInput::default(), "2025-02-03").unwrap();
        let report = split.split.unwrap();
        assert_eq!(
            (report.kind, report.status, report.outcome, report.rating),
            (Kind::Report, Status::Pending, None, None)
        );
        assert_eq!((report.received_on, report.accept_base_on), (day("2025-02-03"), day("2025-02-03")));
        assert_eq!(split.after, complaint);
    }

    #[test]
    fn the_step_day_is_neither_future_nor_before_the_last_step() {
        let mut accepted = case(Kind::Complaint, Status::Accepted);
        accepted.accepted_on = Some(day("2025-01-08"));
        let today = day("2025-01-20");
        assert_eq!(step_day(&accepted, None, today), Ok(today));
        assert!(
            matches!(step_day(&accepted, Some(day("2025-01-21")), today), Err(Refusal::Invalid(m)) if m.contains("future"))
        );
        assert!(
            matches!(step_day(&accepted, Some(day("2025-01-07")), today), Err(Refusal::Invalid(m)) if m.contains("last step"))
        );
        assert_eq!(step_day(&accepted, Some(day("2025-01-08")), today), Ok(day("2025-01-08")));
    }

    #[test]
    fn submitters_settle_withdraw_evaluate_and_claim_in_their_states() {
        let today = day("2025-02-01");
        let none = StepInput::default();
        let mut answered = case(Kind::Complaint, Status::Pending);
        assert!(matches!(
            submitter_transition(&answered, SubmitterAction::Settlement, &none, today),
            Err(Refusal::WrongState(_))
        ));
        answered.enterprise_response = Some("退款".into());
        let Ok(SubmitterStep::Change(settled)) =
            submitter_transition(&answered, SubmitterAction::Settlement, &none, today)
        else {
            panic!("settles")
        };
        assert_eq!(settled.after.outcome, Some(Outcome::EnterpriseSettlement));
        assert!(matches!(
            submitter_transition(&settled.after, SubmitterAction::Withdraw, &none, today),
            Err(Refusal::WrongState(_))
        ));
        let five = StepInput { rating: Some(5), ..StepInput::default() };
        let six = StepInput { rating: Some(6), ..StepInput::default() };
        assert!(matches!(
            submitter_transition(&settled.after, SubmitterAction::Evaluation, &six, today),
            Err(Refusal::Invalid(_))
        ));
        let Ok(SubmitterStep::Change(rated)) =
            submitter_transition(&settled.after, SubmitterAction::Evaluation, &five, today)
        else {
            panic!("rates")
        };
        assert!(matches!(
            submitter_transition(&rated.after, SubmitterAction::Evaluation, &five, today),
            Err(Refusal::WrongState(_))
        ));
        let mut report = case(Kind::Report, Status::Decided);
        assert!(submitter_transition(&report, SubmitterAction::Reward, &none, today).is_err());
        report.outcome = Some(Outcome::CaseOpened);
        assert_eq!(
            submitter_transition(&report, SubmitterAction::Reward, &none, today),
            Ok(SubmitterStep::ClaimReward)
        );
    }

    #[test]
    fn rewards_are_graded_and_capped() {
        assert_eq!(reward(Action::RewardRefuse, None, None), Ok(None));
        assert_eq!(reward(Action::Reward, Some(2), Some(5000.0)), Ok(Some((2, 5000.0))));
        for (grade, amount) in
            [(Some(4), Some(10.0)), (Some(1), Some(0.0)), (Some(1), Some(REWARD_CAP + 1.0)), (None, Some(1.0))]
        {
            assert!(reward(Action::Reward, grade, amount).is_err(), "{grade:?} {amount:?}");
        }
    }
}
