//! China's official working-day calendar: which dates are working days, from the State Council's yearly
//! notices on public holidays and adjusted working days (调休), and the N-th working day after a date, as the
//! legal deadlines of the complaint and recall rules count it.
//!
//! The data are compiled in (see `data/ATTRIBUTION.md`). A year without data is an error, never treated as a
//! year without holidays. Pure: no IO.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

/// Each year's notice, transcribed: `days` lists every date that differs from the plain Monday–Friday week.
const YEARS: &[(i32, &str)] = &[
    (2007, include_str!("../data/2007.json")),
    (2008, include_str!("../data/2008.json")),
    (2009, include_str!("../data/2009.json")),
    (2010, include_str!("../data/2010.json")),
    (2011, include_str!("../data/2011.json")),
    (2012, include_str!("../data/2012.json")),
    (2013, include_str!("../data/2013.json")),
    (2014, include_str!("../data/2014.json")),
    (2015, include_str!("../data/2015.json")),
    (2016, include_str!("../data/2016.json")),
    (2017, include_str!("../data/2017.json")),
    (2018, include_str!("../data/2018.json")),
    (2019, include_str!("../data/2019.json")),
    (2020, include_str!("../data/2020.json")),
    (2021, include_str!("../data/2021.json")),
    (2022, include_str!("../data/2022.json")),
    (2023, include_str!("../data/2023.json")),
    (2024, include_str!("../data/2024.json")),
    (2025, include_str!("../data/2025.json")),
    (2026, include_str!("../data/2026.json")),
];

/// Why a working day cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The official calendar of a year the count reaches is not in the data (e.g. not yet published).
    #[error("no official holiday calendar for {0}: working days in that year cannot be counted yet")]
    YearUnavailable(i32),
}

#[derive(Deserialize)]
struct YearFile {
    year: i32,
    days: Vec<DayEntry>,
}

#[derive(Deserialize)]
struct DayEntry {
    date: String,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

struct Table {
    years: BTreeSet<i32>,
    /// Dates that differ from the plain week: true = day off, false = working day.
    exceptions: BTreeMap<NaiveDate, bool>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut years = BTreeSet::new();
        let mut exceptions = BTreeMap::new();
        for (year, text) in YEARS {
            let file: YearFile = serde_json::from_str(text).expect("compiled-in holiday data is valid JSON");
            assert_eq!(file.year, *year, "holiday file for {year} names another year");
            years.insert(*year);
            for day in file.days {
                let date = day.date.parse().expect("compiled-in holiday dates are YYYY-MM-DD");
                exceptions.insert(date, day.is_off_day);
            }
        }
        Table { years, exceptions }
    })
}

/// The years the calendar covers.
pub fn years() -> impl Iterator<Item = i32> {
    table().years.iter().copied()
}

/// Whether `date` is a working day: Monday to Friday unless a holiday, or a weekend day worked by adjustment.
pub fn is_working_day(date: NaiveDate) -> Result<bool, CalendarError> {
    let table = table();
    if !table.years.contains(&date.year()) {
        return Err(CalendarError::YearUnavailable(date.year()));
    }
    Ok(match table.exceptions.get(&date) {
        Some(off) => !off,
        None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
    })
}

/// The `n`-th working day after `from`: the day of receipt itself is not counted. `n = 0` gives `from`.
pub fn add_working_days(from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
    let mut date = from;
    let mut left = n;
    while left > 0 {
        date = date.checked_add_days(Days::new(1)).ok_or(CalendarError::YearUnavailable(i32::MAX))?;
        if is_working_day(date)? {
            left -= 1;
        }
    }
    Ok(date)
}

/// Like [`add_working_days`], but past the years the official schedules cover it counts Monday to Friday, so a
/// deadline is never refused; the flag says when such a provisional count was used.
pub fn add_working_days_provisional(from: NaiveDate, n: u32) -> (NaiveDate, bool) {
    let mut date = from;
    let mut left = n;
    let mut provisional = false;
    while left > 0 {
        let Some(next) = date.checked_add_days(Days::new(1)) else { return (date, true) };
        date = next;
        let working = is_working_day(date).unwrap_or_else(|_| {
            provisional = true;
            !matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
        });
        if working {
            left -= 1;
        }
    }
    (date, provisional)
}

/// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
pub fn working_days_between(from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
    let mut count = 0;
    let mut date = from;
    while date < to {
        date = date.checked_add_days(Days::new(1)).ok_or(CalendarError::YearUnavailable(i32::MAX))?;
        if is_working_day(date)? {
            count += 1;
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provisional_counting_goes_past_the_data() {
        // 2026-12-31 is a Thursday; with no 2027 schedule, Friday 1 January counts as a weekday.
        let (due, provisional) = add_working_days_provisional(day("2026-12-31"), 2);
        assert_eq!((due, provisional), (day("2027-01-04"), true));
        assert_eq!(add_working_days_provisional(day("2026-11-05"), 2), (day("2026-11-09"), false));
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn spring_festival_2025_and_its_adjusted_working_days() {
        // 2025-01-26 (Sunday) and 2025-02-08 (Saturday) were worked; 01-28 to 02-04 were off.
        assert!(is_working_day(day("2025-01-26")).unwrap());
        assert!(!is_working_day(day("2025-01-28")).unwrap());
        assert!(!is_working_day(day("2025-02-04")).unwrap());
        assert!(is_working_day(day("2025-02-08")).unwrap());
        // Received Friday 2025-01-24: working days 01-26 (Sun, worked), 01-27, 02-05, 02-06, 02-07, 02-08 (Sat, worked), 02-10.
        assert_eq!(add_working_days(day("2025-01-24"), 7).unwrap(), day("2025-02-10"));
    }

    #[test]
    fn national_day_2024() {
        // 2024-09-29 (Sunday) and 2024-10-12 (Saturday) were worked; 10-01 to 10-07 were off.
        assert_eq!(add_working_days(day("2024-09-27"), 1).unwrap(), day("2024-09-29"));
        assert_eq!(add_working_days(day("2024-09-29"), 1).unwrap(), day("2024-09-30"));
        assert_eq!(add_working_days(day("2024-09-30"), 1).unwrap(), day("2024-10-08"));
        assert_eq!(working_days_between(day("2024-09-30"), day("2024-10-08")).unwrap(), 1);
    }

    #[test]
    fn a_year_without_data_is_an_error_not_a_holiday_free_year() {
        assert_eq!(add_working_days(day("2026-12-20"), 30), Err(CalendarError::YearUnavailable(2027)));
        assert_eq!(is_working_day(day("2006-05-01")), Err(CalendarError::YearUnavailable(2006)));
        assert_eq!(years().count(), 20);
    }

    #[test]
    fn counting_and_adding_agree() {
        let from = day("2023-01-01");
        for n in [1, 7, 15, 45, 200] {
            let deadline = add_working_days(from, n).unwrap();
            assert_eq!(working_days_between(from, deadline).unwrap(), n);
            assert!(is_working_day(deadline).unwrap());
        }
    }
}
