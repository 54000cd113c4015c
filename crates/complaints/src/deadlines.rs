//! The deadlines of a filing, from the table in `data/complaint_deadlines.json` on the official calendar.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use calendar::{Calendar, Deadline};
use chrono::NaiveDate;
use rulekit::{DeadlineError, Term};

use crate::model::{DueKind, Kind, Outcome, Status};
use crate::workflow::Case;

/// The names of the table's deadlines.
const NAMES: &[&str] = &[
    "accept_by",
    "mediation_by",
    "termination_notice_by",
    "verify_by",
    "verify_extension",
    "reporter_notice_by",
    "reply_by",
];

/// The deadline table.
#[derive(Debug, Clone)]
pub struct Rules {
    pub version: String,
    pub terms: BTreeMap<String, Term>,
    /// The report's one extension of verification (Art 23), added to its working-day count.
    verify_extension_days: u32,
}

impl Rules {
    /// Reads and checks a table.
    pub fn read(text: &str) -> Result<Rules, DeadlineError> {
        let (version, terms) = rulekit::deadline::read_table(text, NAMES)?;
        let rulekit::Period::WorkingDays(verify_extension_days) = terms["verify_extension"].period else {
            return Err(DeadlineError {
                name: "verify_extension".into(),
                message: "an extension is added to a working-day count, so it is in working days".into(),
            });
        };
        Ok(Rules { version, terms, verify_extension_days })
    }

    fn term(&self, name: &str) -> &Term {
        &self.terms[name]
    }
}

const SHIPPED: &str = include_str!("../data/complaint_deadlines.json");

/// Checks the shipped table; the server calls this at start-up so that a bad table stops it there.
pub fn check_shipped() -> Result<(), DeadlineError> {
    Rules::read(SHIPPED).map(|_| ())
}

/// The shipped table.
pub fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules::read(SHIPPED).expect("complaint_deadlines.json is checked at start-up"))
}

/// A filing's deadlines as they stand, in the order of the table.
pub fn deadlines(case: &Case, calendar: &Calendar) -> Vec<(DueKind, Deadline)> {
    let rules = rules();
    let mut out = Vec::new();
    let mut put = |kind, name: &str, from: Option<NaiveDate>, extra: u32| {
        if let Some(from) = from {
            out.push((kind, rules.term(name).due_after(calendar, from, extra)));
        }
    };
    match case.kind {
        Kind::Report => {
            let extension = if case.extended { rules.verify_extension_days } else { 0 };
            put(DueKind::VerifyBy, "verify_by", Some(case.accept_base_on), extension);
            if !case.anonymous {
                put(DueKind::NotifyBy, "reporter_notice_by", case.decided_on, 0);
            }
        }
        Kind::Enquiry => put(DueKind::ReplyBy, "reply_by", Some(case.accept_base_on), 0),
        Kind::Complaint => {
            put(DueKind::AcceptBy, "accept_by", Some(case.accept_base_on), 0);
            if case.suspended_since.is_none() {
                // Testing time does not count (Art 20).
                let paused = u32::try_from(case.suspended_days.max(0)).unwrap_or(u32::MAX);
                put(DueKind::MediationBy, "mediation_by", case.accepted_on, paused);
            }
            if case.status == Status::Terminated || case.outcome == Some(Outcome::Terminated) {
                put(DueKind::NotifyBy, "termination_notice_by", case.decided_on, 0);
            }
        }
    }
    out
}

/// The deadline the filing's state has running now, if any.
pub fn running(case: &Case, calendar: &Calendar) -> Option<(DueKind, NaiveDate)> {
    let kind = match (case.kind, case.status) {
        (_, Status::Closed | Status::Suspended) => return None,
        (Kind::Report, Status::Pending) => DueKind::VerifyBy,
        (Kind::Report, Status::Decided) => DueKind::NotifyBy,
        (Kind::Enquiry, Status::Pending) => DueKind::ReplyBy,
        (_, Status::Pending) => DueKind::AcceptBy,
        (_, Status::Accepted | Status::Mediating) => DueKind::MediationBy,
        (_, Status::Terminated) => DueKind::NotifyBy,
        _ => return None,
    };
    deadlines(case, calendar).into_iter().find(|(k, _)| *k == kind).map(|(k, due)| (k, due.date))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::tests::{case, day};

    #[test]
    fn the_shipped_table_holds() {
        check_shipped().unwrap();
        assert_eq!(rules().term("mediation_by").period, rulekit::Period::WorkingDays(45));
        let months = SHIPPED.replace(
            r#""verify_extension": {"after": "verify_by", "working_days": 15"#,
            r#""verify_extension": {"after": "verify_by", "months": 1"#,
        );
        assert_ne!(months, SHIPPED);
        assert_eq!(Rules::read(&months).unwrap_err().name, "verify_extension");
    }

    #[test]
    fn each_state_runs_its_deadline() {
        let calendar = Calendar::from_schedules([]);
        let mut complaint = case(Kind::Complaint, Status::Pending);
        // Received Friday 2025-01-03: seven working days later is Tuesday 2025-01-14.
        assert_eq!(running(&complaint, &calendar), Some((DueKind::AcceptBy, day("2025-01-14"))));
        complaint.status = Status::Mediating;
        complaint.accepted_on = Some(day("2025-01-06"));
        complaint.suspended_days = 3;
        let (kind, due) = running(&complaint, &calendar).unwrap();
        assert_eq!(kind, DueKind::MediationBy);
        assert_eq!(due, calendar.deadline(day("2025-01-06"), 48).date, "suspended days extend the limit");
        complaint.status = Status::Suspended;
        assert_eq!(running(&complaint, &calendar), None, "the clock stops while testing");
        let mut report = case(Kind::Report, Status::Pending);
        let plain = running(&report, &calendar).unwrap().1;
        report.extended = true;
        assert_eq!(running(&report, &calendar).unwrap().1, calendar.deadline(day("2025-01-03"), 30).date);
        assert!(plain < running(&report, &calendar).unwrap().1);
        report.status = Status::Decided;
        report.decided_on = Some(day("2025-01-10"));
        assert_eq!(running(&report, &calendar), Some((DueKind::NotifyBy, day("2025-01-17"))));
        report.anonymous = true;
        assert_eq!(running(&report, &calendar), None, "an anonymous reporter is not told");
    }
}
