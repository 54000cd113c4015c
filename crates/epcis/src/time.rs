//! EPCIS timestamps: RFC 3339 date-times with a zone offset, and the forms the hash and storage need.

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, SecondsFormat, Utc};

/// Parses an RFC 3339 date-time; the `T` separator and a zone offset are required, as the schema's
/// `date-time` format says.
pub fn parse(value: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(value).ok().filter(|_| value.contains('T') || value.contains('t'))
}

/// Milliseconds since the Unix epoch, UTC.
pub fn to_millis(value: &str) -> Option<i64> {
    parse(value).map(|t| t.timestamp_millis())
}

/// Formats UTC milliseconds as `YYYY-MM-DDTHH:MM:SS.sssZ`.
pub fn from_millis(millis: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis)
        .map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_default()
}

/// Checks a zone offset: `±hh:mm` from −14:00 to +14:00.
pub fn is_zone_offset(value: &str) -> bool {
    let b = value.as_bytes();
    if b.len() != 6 || !(b[0] == b'+' || b[0] == b'-') || b[3] != b':' {
        return false;
    }
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if !digits(&b[1..3]) || !digits(&b[4..6]) {
        return false;
    }
    let hours = (b[1] - b'0') * 10 + (b[2] - b'0');
    let minutes = (b[4] - b'0') * 10 + (b[5] - b'0');
    (hours < 14 && minutes < 60) || (hours == 14 && minutes == 0)
}

/// The CBV 2.0 hash form: UTC, millisecond precision, rounded half up on the fourth decimal.
/// A value without an offset is read as UTC; one that is no date-time at all is returned as given.
pub fn hash_form(value: &str) -> String {
    let parsed = DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc()));
    let Ok(time) = parsed else { return value.to_owned() };
    let nanos = i64::from(time.timestamp_subsec_nanos());
    let fourth_decimal = nanos / 100_000 % 10;
    let truncated = time - Duration::nanoseconds(nanos % 1_000_000);
    let rounded = if fourth_decimal >= 5 { truncated + Duration::milliseconds(1) } else { truncated };
    rounded.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_form_rounds_on_the_fourth_decimal() {
        assert_eq!(hash_form("2023-02-02T11:04:03.1415Z"), "2023-02-02T11:04:03.142Z");
        assert_eq!(hash_form("2023-02-02T11:04:03.1414Z"), "2023-02-02T11:04:03.141Z");
        assert_eq!(hash_form("2019-10-21T11:00:30.9995+01:00"), "2019-10-21T10:00:31.000Z");
        assert_eq!(hash_form("2005-04-03T20:33:31.116000-06:00"), "2005-04-04T02:33:31.116Z");
        assert_eq!(hash_form("not a time"), "not a time");
    }

    #[test]
    fn offsets_and_strict_times() {
        assert!(is_zone_offset("+14:00") && is_zone_offset("-06:00") && is_zone_offset("+05:45"));
        assert!(!is_zone_offset("+14:30") && !is_zone_offset("06:00") && !is_zone_offset("+6:00"));
        assert!(parse("2026-07-22T06:45:00+02:00").is_some());
        assert!(parse("22-07-2026").is_none() && parse("2026-07-22T06:45:00").is_none());
    }
}
