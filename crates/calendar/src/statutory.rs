//! The statutory public holidays of 《全国年节及纪念日放假办法》 (the State Council's rules on national holidays),
//! computed for any year: the fixed dates, the lunar festivals (春节, 端午, 中秋) and the 清明 solar term. The yearly
//! notices add the adjusted working days (调休) and bridge days around them; those cannot be computed.

use chrono::{Days, NaiveDate};
use tyme4rs::tyme::lunar::LunarDay;
use tyme4rs::tyme::solar::{SolarDay, SolarTerm};

/// A statutory holiday of a year: its date and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatutoryHoliday {
    pub date: NaiveDate,
    pub name: &'static str,
}

/// Which version of the rules applies to a year; each lists the holidays that version gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HolidayRules {
    /// 国务院令第270号 (1999), in force 2000–2007: no 清明, 端午 or 中秋; three days each for 五一 and 十一.
    Decree270,
    /// 国务院令第513号 (2007), in force 2008–2013: 春节 from 除夕 (New Year's Eve) to the second day.
    Decree513,
    /// 国务院令第644号 (2013), in force 2014–2024: 春节 from the first to the third day.
    Decree644,
    /// 国务院令第795号 (2024), in force from 2025: 除夕 back, 劳动节 two days.
    Decree795,
}

impl HolidayRules {
    /// The version in force in a year (the 1999 version for every year before 2008).
    pub fn in_force(year: i32) -> HolidayRules {
        match year {
            ..=2007 => HolidayRules::Decree270,
            2008..=2013 => HolidayRules::Decree513,
            2014..=2024 => HolidayRules::Decree644,
            _ => HolidayRules::Decree795,
        }
    }

    /// The decree's citation.
    pub fn citation(self) -> &'static str {
        match self {
            HolidayRules::Decree270 => "国务院令第270号（1999）",
            HolidayRules::Decree513 => "国务院令第513号（2007）",
            HolidayRules::Decree644 => "国务院令第644号（2013）",
            HolidayRules::Decree795 => "国务院令第795号（2024）",
        }
    }
}

/// The statutory holidays of `year` under the rules in force that year, in date order. Years outside 1901–2099
/// (where the lunar computation is not checked) give the fixed-date holidays only.
pub fn statutory_holidays(year: i32) -> Vec<StatutoryHoliday> {
    let rules = HolidayRules::in_force(year);
    let fixed = |month: u32, day: u32, name: &'static str| {
        NaiveDate::from_ymd_opt(year, month, day).map(|date| StatutoryHoliday { date, name })
    };
    let mut days: Vec<StatutoryHoliday> = vec![fixed(1, 1, "元旦")].into_iter().flatten().collect();
    let labour_days = match rules {
        HolidayRules::Decree270 => 3,
        HolidayRules::Decree513 | HolidayRules::Decree644 => 1,
        HolidayRules::Decree795 => 2,
    };
    days.extend((1..=labour_days).filter_map(|d| fixed(5, d, "劳动节")));
    days.extend((1..=3).filter_map(|d| fixed(10, d, "国庆节")));
    if (1901..=2099).contains(&year) {
        let new_year = lunar(year, 1, 1);
        let (before, after) = match rules {
            HolidayRules::Decree270 | HolidayRules::Decree644 => (0, 3),
            HolidayRules::Decree513 => (1, 2),
            HolidayRules::Decree795 => (1, 3),
        };
        let first = new_year.checked_sub_days(Days::new(before)).unwrap_or(new_year);
        days.extend(
            (0..before + after)
                .filter_map(|n| first.checked_add_days(Days::new(n)))
                .map(|date| StatutoryHoliday { date, name: "春节" }),
        );
        if rules != HolidayRules::Decree270 {
            days.push(StatutoryHoliday { date: solar_term(year, "清明"), name: "清明节" });
            days.push(StatutoryHoliday { date: lunar(year, 5, 5), name: "端午节" });
            days.push(StatutoryHoliday { date: lunar(year, 8, 15), name: "中秋节" });
        }
    }
    days.sort_by_key(|holiday| holiday.date);
    days
}

/// The Gregorian date of a day of the lunar year that starts in `year` (month 1 to 12, never a leap month).
fn lunar(year: i32, month: isize, day: usize) -> NaiveDate {
    gregorian(LunarDay::from_ymd(year as isize, month, day).get_solar_day())
}

/// The day a solar term falls on in `year` (Beijing time, as the calendar is published).
fn solar_term(year: i32, name: &str) -> NaiveDate {
    gregorian(SolarTerm::from_name(year as isize, name).get_solar_day())
}

fn gregorian(day: SolarDay) -> NaiveDate {
    let month = day.get_solar_month();
    NaiveDate::from_ymd_opt(month.get_year() as i32, day.get_month() as u32, day.get_day() as u32)
        .expect("the lunar library gives valid Gregorian dates")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn dates(year: i32, name: &str) -> Vec<NaiveDate> {
        statutory_holidays(year).into_iter().filter(|h| h.name == name).map(|h| h.date).collect()
    }

    #[test]
    fn the_lunar_festivals_of_2027() {
        // 2027: 正月初一 is 6 February, 清明 5 April, 端午 9 June, 中秋 15 September.
        assert_eq!(
            dates(2027, "春节"),
            vec![day("2027-02-05"), day("2027-02-06"), day("2027-02-07"), day("2027-02-08")]
        );
        assert_eq!(dates(2027, "清明节"), vec![day("2027-04-05")]);
        assert_eq!(dates(2027, "端午节"), vec![day("2027-06-09")]);
        assert_eq!(dates(2027, "中秋节"), vec![day("2027-09-15")]);
        assert_eq!(dates(2027, "劳动节"), vec![day("2027-05-01"), day("2027-05-02")]);
        assert_eq!(statutory_holidays(2027).len(), 13);
    }

    #[test]
    fn each_version_gives_its_number_of_days() {
        assert_eq!(statutory_holidays(2005).len(), 10);
        assert_eq!(statutory_holidays(2010).len(), 11);
        assert_eq!(statutory_holidays(2020).len(), 11);
        assert_eq!(statutory_holidays(2030).len(), 13);
        assert_eq!(HolidayRules::in_force(2025).citation(), "国务院令第795号（2024）");
    }
}
