//! Legal deadlines as data, in one format for every workflow: what the clock runs from, how long it runs
//! (working days on the official calendar, calendar days, months), the legal text it comes from and how sure
//! that reading is. A workflow's table names its deadlines and is checked when the server starts.

use calendar::{Calendar, Deadline};
use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// How a deadline was read: in the primary legal text, from a secondary source, or not confirmed in any
    /// public text (a working assumption to correct when the text is found).
    pub enum Confidence ("confidence") {
        Primary = "primary" ("原文核实", "read in the primary text"),
        Secondary = "secondary" ("二手来源", "from a secondary source"),
        Unconfirmed = "unconfirmed" ("未经核实", "not confirmed"),
    }
}

/// How long a clock runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Working days on the official calendar, the day the clock starts not counted.
    WorkingDays(u32),
    /// Calendar days, the start day not counted.
    CalendarDays(u32),
    /// Calendar months to the same day of the month (or the month's last day).
    Months(u32),
}

/// One deadline: `period` after the event `after`, by `basis`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawTerm", into = "RawTerm")]
pub struct Term {
    /// The event the clock runs from, e.g. `accepted`.
    pub after: String,
    pub period: Period,
    /// The legal text (instrument and article) the period comes from.
    pub basis: String,
    pub confidence: Confidence,
}

impl Term {
    /// The due day of a clock started on `from`. Past the calendar's loaded notices a working-day count is
    /// provisional (weekends and statutory holidays off, adjusted days unknown).
    pub fn due(&self, calendar: &Calendar, from: NaiveDate) -> Deadline {
        self.due_after(calendar, from, 0)
    }

    /// The due day when `extra` working days (a suspension the clock does not count) are added.
    pub fn due_after(&self, calendar: &Calendar, from: NaiveDate, extra: u32) -> Deadline {
        let date = match self.period {
            Period::WorkingDays(days) => return calendar.deadline(from, days + extra),
            Period::CalendarDays(days) => from.checked_add_days(Days::new(u64::from(days))),
            Period::Months(months) => from.checked_add_months(Months::new(months)),
        };
        match date {
            Some(date) if extra > 0 => calendar.deadline(date, extra),
            Some(date) => Deadline { date, provisional: false },
            None => Deadline { date: NaiveDate::MAX, provisional: false },
        }
    }
}

/// A deadline table that does not hold together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("deadline {name}: {message}")]
pub struct DeadlineError {
    /// The deadline, as its table names it.
    pub name: String,
    pub message: String,
}

/// The written form: exactly one of the period fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RawTerm {
    after: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    working_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    calendar_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    months: Option<u32>,
    basis: String,
    confidence: Confidence,
}

impl TryFrom<RawTerm> for Term {
    type Error = String;

    fn try_from(raw: RawTerm) -> Result<Self, Self::Error> {
        let period = match (raw.working_days, raw.calendar_days, raw.months) {
            (Some(days), None, None) => Period::WorkingDays(days),
            (None, Some(days), None) => Period::CalendarDays(days),
            (None, None, Some(months)) => Period::Months(months),
            _ => return Err("give exactly one of working_days, calendar_days, months".into()),
        };
        if matches!(period, Period::WorkingDays(0) | Period::CalendarDays(0) | Period::Months(0)) {
            return Err("a period of zero is no deadline".into());
        }
        if raw.after.trim().is_empty() || raw.basis.trim().is_empty() {
            return Err("after and basis are required".into());
        }
        Ok(Term { after: raw.after, period, basis: raw.basis, confidence: raw.confidence })
    }
}

impl From<Term> for RawTerm {
    fn from(term: Term) -> Self {
        let (working_days, calendar_days, months) = match term.period {
            Period::WorkingDays(days) => (Some(days), None, None),
            Period::CalendarDays(days) => (None, Some(days), None),
            Period::Months(months) => (None, None, Some(months)),
        };
        RawTerm {
            after: term.after,
            working_days,
            calendar_days,
            months,
            basis: term.basis,
            confidence: term.confidence,
        }
    }
}

/// Reads a table of named deadlines (`{"version", "deadlines": {name: term}}`) and checks that it names exactly
/// the deadlines the workflow uses.
pub fn read_table(
    text: &str,
    expected: &[&str],
) -> Result<(String, std::collections::BTreeMap<String, Term>), DeadlineError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Table {
        version: String,
        #[serde(rename = "_comment", default)]
        _comment: Option<String>,
        deadlines: std::collections::BTreeMap<String, Term>,
    }
    let table: Table =
        serde_json::from_str(text).map_err(|e| DeadlineError { name: "(table)".into(), message: e.to_string() })?;
    for name in expected {
        if !table.deadlines.contains_key(*name) {
            return Err(DeadlineError { name: (*name).into(), message: "missing from the table".into() });
        }
    }
    if let Some(extra) = table.deadlines.keys().find(|name| !expected.contains(&name.as_str())) {
        return Err(DeadlineError { name: extra.clone(), message: "not a deadline of this workflow".into() });
    }
    Ok((table.version, table.deadlines))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn terms_read_one_period_and_refuse_zero_or_two() {
        let term: Term = serde_json::from_str(
            r#"{"after": "accepted", "working_days": 45, "basis": "Art 21", "confidence": "primary"}"#,
        )
        .unwrap();
        assert_eq!(term.period, Period::WorkingDays(45));
        let back = serde_json::to_value(&term).unwrap();
        assert_eq!(back["working_days"], 45);
        assert!(back.get("months").is_none());
        for bad in [
            r#"{"after": "a", "working_days": 4, "months": 1, "basis": "b", "confidence": "primary"}"#,
            r#"{"after": "a", "calendar_days": 0, "basis": "b", "confidence": "primary"}"#,
            r#"{"after": "a", "basis": "b", "confidence": "primary"}"#,
            r#"{"after": "a", "months": 2, "basis": " ", "confidence": "primary"}"#,
            r#"{"after": "a", "months": 2, "basis": "b", "confidence": "sure"}"#,
        ] {
            assert!(serde_json::from_str::<Term>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn periods_count_as_their_kind_says() {
        let calendar = Calendar::from_schedules([]);
        let term = |period| Term { after: "x".into(), period, basis: "b".into(), confidence: Confidence::Primary };
        // 2025-01-03 is a Friday: five working days later is the next Friday.
        assert_eq!(term(Period::WorkingDays(5)).due(&calendar, day("2025-01-03")).date, day("2025-01-10"));
        assert_eq!(term(Period::CalendarDays(5)).due(&calendar, day("2025-01-03")).date, day("2025-01-08"));
        assert_eq!(term(Period::Months(1)).due(&calendar, day("2025-01-31")).date, day("2025-02-28"));
        assert_eq!(term(Period::WorkingDays(5)).due_after(&calendar, day("2025-01-03"), 1).date, day("2025-01-13"));
    }

    #[test]
    fn a_table_names_exactly_the_workflows_deadlines() {
        let text = r#"{"version": "1", "deadlines": {
            "accept_by": {"after": "received", "working_days": 7, "basis": "Art 14", "confidence": "primary"}}}"#;
        let (version, terms) = read_table(text, &["accept_by"]).unwrap();
        assert_eq!((version.as_str(), terms.len()), ("1", 1));
        assert_eq!(read_table(text, &["accept_by", "reply_by"]).unwrap_err().name, "reply_by");
        assert_eq!(read_table(text, &[]).unwrap_err().name, "accept_by");
    }
}
