//! Where a periodic obligation stands — a special-equipment inspection (定期检验), an instrument's verification
//! (强制检定) — on a day: current, due soon (inside the notice period before the due day, when the owner must
//! already have asked for it), overdue, failed (the last check found it unfit: it may not be used), or out of use.

use chrono::{Months, NaiveDate};

crate::text_enum! {
    /// Where a periodic check stands on a day.
    pub enum DueStanding ("due standing") {
        Current = "current" ("在有效期内", "current"),
        DueSoon = "due_soon" ("即将到期", "due soon"),
        Overdue = "overdue" ("已超期", "overdue"),
        Failed = "failed" ("检验不合格", "failed its last check"),
        OutOfUse = "out_of_use" ("停用或报废", "out of use"),
    }
}

crate::text_enum! {
    /// Whether a registered item (equipment, an instrument) is used.
    pub enum UseStatus ("use status") {
        InUse = "in_use" ("在用", "in use"),
        Stopped = "stopped" ("停用", "stopped"),
        Scrapped = "scrapped" ("报废", "scrapped"),
    }
}

/// Whether the use status may change: stopped items may return to use; scrapped is final.
pub fn change_use(from: UseStatus, to: UseStatus) -> Result<(), crate::Refusal> {
    match (from, to) {
        (UseStatus::Scrapped, _) => Err(crate::Refusal::WrongState("a scrapped item is deregistered".into())),
        (a, b) if a == b => Err(crate::Refusal::WrongState(format!("it is already {}", a.as_str()))),
        _ => Ok(()),
    }
}

impl DueStanding {
    /// Whether a regulator's queue lists it: it needs action now.
    pub fn needs_action(self) -> bool {
        matches!(self, DueStanding::DueSoon | DueStanding::Overdue | DueStanding::Failed)
    }
}

/// What the standing is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Periodic {
    /// The day the current check runs out.
    pub due_on: NaiveDate,
    /// Whether the last check found it unfit.
    pub failed: bool,
    /// Whether it is stopped or scrapped.
    pub out_of_use: bool,
}

impl Periodic {
    /// The standing on `day`, with `notice_months` before the due day during which the check must be asked for.
    pub fn standing(self, day: NaiveDate, notice_months: u32) -> DueStanding {
        if self.out_of_use {
            return DueStanding::OutOfUse;
        }
        if self.failed {
            return DueStanding::Failed;
        }
        if day > self.due_on {
            return DueStanding::Overdue;
        }
        let notice_from = self.due_on.checked_sub_months(Months::new(notice_months)).unwrap_or(NaiveDate::MIN);
        if day >= notice_from {
            DueStanding::DueSoon
        } else {
            DueStanding::Current
        }
    }

    /// The last day on which it is not yet due soon: what a queue's index reads up to.
    pub fn notice_starts(due_on: NaiveDate, notice_months: u32) -> NaiveDate {
        due_on.checked_sub_months(Months::new(notice_months)).unwrap_or(NaiveDate::MIN)
    }
}

/// The day `months` after `from`.
pub fn interval_end(from: NaiveDate, months: u32) -> NaiveDate {
    from.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// A due day a report or certificate states: after the check on `from` and not past the interval; or why not.
pub fn stated_due(due: NaiveDate, from: NaiveDate, months: u32) -> Result<NaiveDate, String> {
    if due <= from {
        return Err(format!("{due} is not after {from}"));
    }
    let latest = interval_end(from, months);
    if due > latest {
        return Err(format!("{due} is past {latest}, at most {months} months after {from}"));
    }
    Ok(due)
}

/// The due day after a check on `checked_on`: a failure leaves it where it stood (`current`: the item may not be
/// used until a check passes); a stated day must fit the interval; none stated, the interval after the check.
pub fn next_due(
    checked_on: NaiveDate,
    months: u32,
    failed: bool,
    current: NaiveDate,
    stated: Option<NaiveDate>,
) -> Result<NaiveDate, String> {
    match (failed, stated) {
        (true, _) => Ok(current),
        (false, Some(due)) => stated_due(due, checked_on, months),
        (false, None) => Ok(interval_end(checked_on, months)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn standing_runs_from_current_through_due_soon_to_overdue() {
        let due = Periodic { due_on: day("2026-06-30"), failed: false, out_of_use: false };
        assert_eq!(due.standing(day("2026-05-29"), 1), DueStanding::Current);
        assert_eq!(due.standing(day("2026-05-30"), 1), DueStanding::DueSoon);
        assert_eq!(due.standing(day("2026-06-30"), 1), DueStanding::DueSoon);
        assert_eq!(due.standing(day("2026-07-01"), 1), DueStanding::Overdue);
        assert!(DueStanding::Overdue.needs_action() && !DueStanding::Current.needs_action());
    }

    #[test]
    fn the_next_due_day_fits_the_interval_and_a_failure_keeps_it() {
        let (on, current) = (day("2026-03-31"), day("2026-04-30"));
        assert_eq!(next_due(on, 6, false, current, None), Ok(day("2026-09-30")));
        assert_eq!(next_due(on, 6, true, current, Some(day("2027-01-01"))), Ok(current));
        assert_eq!(next_due(on, 6, false, current, Some(day("2026-09-01"))), Ok(day("2026-09-01")));
        assert!(next_due(on, 6, false, current, Some(day("2026-10-01"))).unwrap_err().contains("at most 6 months"));
        assert!(next_due(on, 6, false, current, Some(on)).unwrap_err().contains("not after"));
    }

    #[test]
    fn scrapped_is_final() {
        assert!(change_use(UseStatus::InUse, UseStatus::Stopped).is_ok());
        assert!(change_use(UseStatus::Stopped, UseStatus::InUse).is_ok());
        assert!(change_use(UseStatus::Scrapped, UseStatus::InUse).is_err());
        assert!(change_use(UseStatus::InUse, UseStatus::InUse).is_err());
    }

    #[test]
    fn a_failed_check_or_being_out_of_use_outranks_the_dates() {
        let failed = Periodic { due_on: day("2030-01-01"), failed: true, out_of_use: false };
        assert_eq!(failed.standing(day("2026-01-01"), 1), DueStanding::Failed);
        let stopped = Periodic { due_on: day("2020-01-01"), failed: true, out_of_use: true };
        assert_eq!(stopped.standing(day("2026-01-01"), 1), DueStanding::OutOfUse);
        assert!(!DueStanding::OutOfUse.needs_action());
    }
}
