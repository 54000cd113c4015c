//! China's official working-day calendar: which dates are working days, from the State Council's yearly
//! notices on public holidays and adjusted working days (调休), and the N-th working day after a date, as the
//! legal deadlines of the complaint and recall rules count it.
//!
//! A [`Calendar`] is data: the notices shipped with the program (see `data/ATTRIBUTION.md`) and whatever an
//! administrator loads later ([`YearSchedule::parse_json`]). Past the years it holds, a count is provisional: it
//! skips weekends and the statutory holidays ([`statutory_holidays`]), so only the adjusted days are unknown. Pure:
//! no IO.

mod statutory;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

pub use statutory::{statutory_holidays, HolidayRules, StatutoryHoliday};

/// Why a working day cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The official calendar of a year the count reaches is not in the data (e.g. not yet published).
    #[error("no official holiday calendar for {0}: working days in that year cannot be counted yet")]
    YearUnavailable(i32),
}

/// Why a year's notice cannot be loaded: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("the notice is not valid JSON at line {line}, column {column}: {message}")]
    Json { line: usize, column: usize, message: String },
    #[error("{field}: {message}")]
    Field { field: String, message: String },
}

/// The most dates a year's notice lists (the longest so far lists 41).
pub const MAX_SCHEDULE_DAYS: usize = 120;
/// The longest holiday name or notice address a notice may give.
pub const MAX_SCHEDULE_TEXT: usize = 500;

/// One year's notice: the dates that differ from the plain Monday–Friday week, with the holiday each belongs to,
/// and the addresses of the notices it transcribes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSchedule {
    year: i32,
    papers: Vec<String>,
    days: BTreeMap<NaiveDate, ScheduledDay>,
}

/// A date a notice lists: a day off (even on a weekday) or a weekend day that is worked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduledDay {
    pub name: String,
    pub off: bool,
}

/// The notice's file, as NateScarlet/holiday-cn writes it.
#[derive(Deserialize, Serialize)]
struct YearFile {
    year: i32,
    #[serde(default)]
    papers: Vec<String>,
    days: Vec<DayEntry>,
}

#[derive(Deserialize, Serialize)]
struct DayEntry {
    #[serde(default)]
    name: String,
    date: String,
    #[serde(rename = "isOffDay")]
    is_off_day: bool,
}

impl YearSchedule {
    /// Reads a notice in the holiday-cn JSON form (`{"year", "papers", "days": [{"name", "date", "isOffDay"}]}`)
    /// and checks it: dates of that year (or its eve's December), each listed once, and every statutory holiday
    /// of the year a day off, so that a typing slip cannot turn 国庆 into a working day.
    pub fn parse_json(text: &str) -> Result<YearSchedule, ScheduleError> {
        let file: YearFile = serde_json::from_str(text).map_err(|e| ScheduleError::Json {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        let field = |field: String, message: String| ScheduleError::Field { field, message };
        let year = file.year;
        if !(2000..=2199).contains(&year) {
            return Err(field("year".into(), format!("{year} is not a year from 2000 to 2199")));
        }
        if file.days.len() > MAX_SCHEDULE_DAYS {
            return Err(field("days".into(), format!("{} dates, more than {MAX_SCHEDULE_DAYS}", file.days.len())));
        }
        for (index, paper) in file.papers.iter().enumerate() {
            if paper.chars().count() > MAX_SCHEDULE_TEXT || paper.contains('\0') {
                return Err(field(format!("papers[{index}]"), format!("longer than {MAX_SCHEDULE_TEXT} characters")));
            }
        }
        let earliest = NaiveDate::from_ymd_opt(year - 1, 12, 1).expect("valid");
        let latest = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid");
        let mut days = BTreeMap::new();
        for (index, entry) in file.days.into_iter().enumerate() {
            let at = |name: &str| format!("days[{index}].{name}");
            let date = NaiveDate::parse_from_str(&entry.date, "%Y-%m-%d")
                .map_err(|_| field(at("date"), format!("'{}' is not a date YYYY-MM-DD", entry.date)))?;
            if date < earliest || date > latest {
                return Err(field(at("date"), format!("{date} is outside {earliest} to {latest}")));
            }
            if entry.name.chars().count() > MAX_SCHEDULE_TEXT || entry.name.contains('\0') {
                return Err(field(at("name"), format!("longer than {MAX_SCHEDULE_TEXT} characters")));
            }
            let day = ScheduledDay { name: entry.name, off: entry.is_off_day };
            if days.insert(date, day).is_some() {
                return Err(field(at("date"), format!("{date} is listed twice")));
            }
        }
        for holiday in statutory_holidays(year) {
            if days.get(&holiday.date).is_some_and(|day| !day.off) {
                return Err(field(
                    "days".into(),
                    format!(
                        "{} is {} ({}), a statutory holiday, but the notice makes it a working day",
                        holiday.date,
                        holiday.name,
                        HolidayRules::in_force(year).citation()
                    ),
                ));
            }
        }
        Ok(YearSchedule { year, papers: file.papers, days })
    }

    /// The notice in the holiday-cn JSON form, as [`YearSchedule::parse_json`] reads it.
    pub fn to_json(&self) -> String {
        let file = YearFile {
            year: self.year,
            papers: self.papers.clone(),
            days: self
                .days
                .iter()
                .map(|(date, day)| DayEntry { name: day.name.clone(), date: date.to_string(), is_off_day: day.off })
                .collect(),
        };
        serde_json::to_string(&file).expect("a schedule serialises")
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    /// The addresses of the notices transcribed.
    pub fn papers(&self) -> &[String] {
        &self.papers
    }

    /// The dates listed, in order.
    pub fn days(&self) -> impl Iterator<Item = (NaiveDate, &ScheduledDay)> {
        self.days.iter().map(|(date, day)| (*date, day))
    }
}

/// Each year's notice shipped with the program, transcribed.
const SHIPPED: &[&str] = &[
    include_str!("../data/2007.json"),
    include_str!("../data/2008.json"),
    include_str!("../data/2009.json"),
    include_str!("../data/2010.json"),
    include_str!("../data/2011.json"),
    include_str!("../data/2012.json"),
    include_str!("../data/2013.json"),
    include_str!("../data/2014.json"),
    include_str!("../data/2015.json"),
    include_str!("../data/2016.json"),
    include_str!("../data/2017.json"),
    include_str!("../data/2018.json"),
    include_str!("../data/2019.json"),
    include_str!("../data/2020.json"),
    include_str!("../data/2021.json"),
    include_str!("../data/2022.json"),
    include_str!("../data/2023.json"),
    include_str!("../data/2024.json"),
    include_str!("../data/2025.json"),
    include_str!("../data/2026.json"),
];

/// The notices shipped with the program, 2007–2026: the initial data of every installation.
pub fn shipped_schedules() -> &'static [YearSchedule] {
    static SCHEDULES: OnceLock<Vec<YearSchedule>> = OnceLock::new();
    SCHEDULES.get_or_init(|| {
        SHIPPED.iter().map(|text| YearSchedule::parse_json(text).expect("shipped holiday notices are valid")).collect()
    })
}

/// A date as the calendar counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayStatus {
    pub working: bool,
    /// The year's notice is not loaded: only weekends and statutory holidays were taken off.
    pub provisional: bool,
}

/// A deadline counted on the calendar, and whether the count crossed a year whose notice is not loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Deadline {
    pub date: NaiveDate,
    pub provisional: bool,
}

/// The working-day calendar: the years whose notices are loaded, and the dates they change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeSet<i32>,
    /// Dates that differ from the plain week: true = day off, false = working day.
    exceptions: BTreeMap<NaiveDate, bool>,
}

impl Calendar {
    /// The calendar of the shipped notices.
    pub fn shipped() -> Calendar {
        Calendar::from_schedules(shipped_schedules())
    }

    /// The calendar of these notices; where two list the same date, the later year's notice decides.
    pub fn from_schedules<'a>(schedules: impl IntoIterator<Item = &'a YearSchedule>) -> Calendar {
        let mut calendar = Calendar::default();
        let mut schedules: Vec<&YearSchedule> = schedules.into_iter().collect();
        schedules.sort_by_key(|s| s.year);
        for schedule in schedules {
            calendar.years.insert(schedule.year);
            for (date, day) in &schedule.days {
                calendar.exceptions.insert(*date, day.off);
            }
        }
        calendar
    }

    /// The years whose notices are loaded.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    /// Whether `date` is a working day: Monday to Friday unless a holiday, or a weekend day worked by adjustment.
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        if !self.years.contains(&date.year()) {
            return Err(CalendarError::YearUnavailable(date.year()));
        }
        Ok(match self.exceptions.get(&date) {
            Some(off) => !off,
            None => !is_weekend(date),
        })
    }

    /// Whether `date` is a working day, provisionally (weekends and statutory holidays off) where its year's
    /// notice is not loaded.
    pub fn day(&self, date: NaiveDate) -> DayStatus {
        match self.is_working_day(date) {
            Ok(working) => DayStatus { working, provisional: false },
            Err(_) => DayStatus {
                working: !is_weekend(date) && !statutory_holidays(date.year()).iter().any(|h| h.date == date),
                provisional: true,
            },
        }
    }

    /// The `n`-th working day after `from`: the day of receipt itself is not counted. `n = 0` gives `from`.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        let mut date = from;
        let mut left = n;
        while left > 0 {
            date = date.checked_add_days(Days::new(1)).ok_or(CalendarError::YearUnavailable(i32::MAX))?;
            if self.is_working_day(date)? {
                left -= 1;
            }
        }
        Ok(date)
    }

    /// Like [`Calendar::add_working_days`], but a year without its notice is counted provisionally (see
    /// [`Calendar::day`]), so a deadline is never refused; the result says when that happened.
    pub fn deadline(&self, from: NaiveDate, n: u32) -> Deadline {
        let mut date = from;
        let mut left = n;
        let mut provisional = false;
        let mut holidays: Option<(i32, Vec<StatutoryHoliday>)> = None;
        while left > 0 {
            let Some(next) = date.checked_add_days(Days::new(1)) else { return Deadline { date, provisional: true } };
            date = next;
            let working = self.is_working_day(date).unwrap_or_else(|_| {
                provisional = true;
                if holidays.as_ref().is_none_or(|(year, _)| *year != date.year()) {
                    holidays = Some((date.year(), statutory_holidays(date.year())));
                }
                let statutory = holidays.as_ref().is_some_and(|(_, days)| days.iter().any(|h| h.date == date));
                !is_weekend(date) && !statutory
            });
            if working {
                left -= 1;
            }
        }
        Deadline { date, provisional }
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> Result<u32, CalendarError> {
        let mut count = 0;
        let mut date = from;
        while date < to {
            date = date.checked_add_days(Days::new(1)).ok_or(CalendarError::YearUnavailable(i32::MAX))?;
            if self.is_working_day(date)? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Working days after `from` up to and including `to`, provisionally where a notice is missing.
    pub fn working_days_between_provisional(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let mut count = 0;
        let mut date = from;
        while date < to {
            let Some(next) = date.checked_add_days(Days::new(1)) else { break };
            date = next;
            if self.day(date).working {
                count += 1;
            }
        }
        count
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn shipped() -> Calendar {
        Calendar::shipped()
    }

    #[test]
    fn provisional_counting_skips_the_statutory_holidays() {
        // 2026-12-31 is a Thursday; with no 2027 notice, 1 January (元旦, a Friday) is still a holiday.
        let due = shipped().deadline(day("2026-12-31"), 2);
        assert_eq!(due, Deadline { date: day("2027-01-05"), provisional: true });
        assert_eq!(shipped().deadline(day("2026-11-05"), 2), Deadline { date: day("2026-11-09"), provisional: false });
        // The Spring Festival of 2027 (5–8 February, 除夕 to the third day) is not counted either.
        assert_eq!(shipped().deadline(day("2027-02-04"), 1).date, day("2027-02-09"));
        assert!(!shipped().day(day("2027-02-05")).working);
        assert!(shipped().day(day("2027-02-05")).provisional);
    }

    #[test]
    fn every_shipped_notice_keeps_the_computed_statutory_holidays_off() {
        // The notices are an independent transcription: each statutory holiday computed here is a day off there.
        let calendar = shipped();
        for year in 2007..=2026 {
            for holiday in statutory_holidays(year) {
                assert_eq!(
                    calendar.is_working_day(holiday.date),
                    Ok(false),
                    "{year} {} {}",
                    holiday.name,
                    holiday.date
                );
            }
        }
    }

    #[test]
    fn loading_a_year_ends_the_provisional_count() {
        let text = r#"{"year": 2027, "papers": ["https://www.gov.cn/example"], "days": [
            {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
            {"name": "春节", "date": "2027-02-04", "isOffDay": true},
            {"name": "春节", "date": "2027-02-05", "isOffDay": true},
            {"name": "春节", "date": "2027-02-06", "isOffDay": true},
            {"name": "春节", "date": "2027-02-07", "isOffDay": true},
            {"name": "春节", "date": "2027-02-08", "isOffDay": true},
            {"name": "春节", "date": "2027-02-20", "isOffDay": false}]}"#;
        let year = YearSchedule::parse_json(text).unwrap();
        let loaded = Calendar::from_schedules(shipped_schedules().iter().chain([&year]));
        assert_eq!(loaded.deadline(day("2027-02-03"), 1), Deadline { date: day("2027-02-09"), provisional: false });
        assert_eq!(loaded.is_working_day(day("2027-02-20")), Ok(true));
        assert_eq!(YearSchedule::parse_json(&year.to_json()).unwrap(), year);
    }

    #[test]
    fn a_notice_with_a_fault_says_where() {
        let bad = |text: &str| YearSchedule::parse_json(text).unwrap_err().to_string();
        assert!(bad("{\"year\": 2027,").contains("line 1"));
        let wrong_date = r#"{"year": 2027, "days": [{"date": "2027-02-30", "isOffDay": true}]}"#;
        assert_eq!(bad(wrong_date), "days[0].date: '2027-02-30' is not a date YYYY-MM-DD");
        let other_year = r#"{"year": 2027, "days": [{"date": "2025-10-01", "isOffDay": true}]}"#;
        assert!(bad(other_year).starts_with("days[0].date: 2025-10-01 is outside"));
        let twice = r#"{"year": 2027, "days": [{"date": "2027-10-08", "isOffDay": true}, {"date": "2027-10-08", "isOffDay": false}]}"#;
        assert_eq!(bad(twice), "days[1].date: 2027-10-08 is listed twice");
        let national_day_worked = r#"{"year": 2027, "days": [{"date": "2027-10-01", "isOffDay": false}]}"#;
        assert!(bad(national_day_worked).contains("2027-10-01 is 国庆节"));
    }

    #[test]
    fn spring_festival_2025_and_its_adjusted_working_days() {
        let calendar = shipped();
        // 2025-01-26 (Sunday) and 2025-02-08 (Saturday) were worked; 01-28 to 02-04 were off.
        assert!(calendar.is_working_day(day("2025-01-26")).unwrap());
        assert!(!calendar.is_working_day(day("2025-01-28")).unwrap());
        assert!(!calendar.is_working_day(day("2025-02-04")).unwrap());
        assert!(calendar.is_working_day(day("2025-02-08")).unwrap());
        // Received Friday 2025-01-24: working days 01-26 (Sun, worked), 01-27, 02-05, 02-06, 02-07, 02-08 (Sat, worked), 02-10.
        assert_eq!(calendar.add_working_days(day("2025-01-24"), 7).unwrap(), day("2025-02-10"));
    }

    #[test]
    fn national_day_2024() {
        let calendar = shipped();
        // 2024-09-29 (Sunday) and 2024-10-12 (Saturday) were worked; 10-01 to 10-07 were off.
        assert_eq!(calendar.add_working_days(day("2024-09-27"), 1).unwrap(), day("2024-09-29"));
        assert_eq!(calendar.add_working_days(day("2024-09-29"), 1).unwrap(), day("2024-09-30"));
        assert_eq!(calendar.add_working_days(day("2024-09-30"), 1).unwrap(), day("2024-10-08"));
        assert_eq!(calendar.working_days_between(day("2024-09-30"), day("2024-10-08")).unwrap(), 1);
    }

    #[test]
    fn a_year_without_data_is_an_error_not_a_holiday_free_year() {
        let calendar = shipped();
        assert_eq!(calendar.add_working_days(day("2026-12-20"), 30), Err(CalendarError::YearUnavailable(2027)));
        assert_eq!(calendar.is_working_day(day("2006-05-01")), Err(CalendarError::YearUnavailable(2006)));
        assert_eq!(calendar.years().count(), 20);
    }

    #[test]
    fn counting_and_adding_agree() {
        let calendar = shipped();
        let from = day("2023-01-01");
        for n in [1, 7, 15, 45, 200] {
            let deadline = calendar.add_working_days(from, n).unwrap();
            assert_eq!(calendar.working_days_between(from, deadline).unwrap(), n);
            assert_eq!(calendar.working_days_between_provisional(from, deadline), n);
            assert!(calendar.is_working_day(deadline).unwrap());
        }
    }
}
