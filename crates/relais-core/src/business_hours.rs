//! Business hours: when the team answers (ranges per weekday in the workspace's time zone, closed
//! days, optionally French public holidays), and how much of that open time lies between two
//! instants — the clock a response time is measured on. A message received at 23:00 and answered
//! at 09:15 the next morning took 15 minutes of business time when the desk opens at 09:00.
//!
//! Each day's ranges are turned into instants in the time zone before being compared, so a day
//! on which the clocks change counts the hours that really passed.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use std::collections::BTreeSet;

/// One opening range of a day, `start < end`; `end` may be midnight of the next day (24:00).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Range {
    /// Minutes since midnight, 0..1440.
    pub start: u16,
    /// Minutes since midnight, 1..=1440.
    pub end: u16,
}

impl Range {
    fn minutes(m: u16) -> String {
        format!("{:02}:{:02}", m / 60, m % 60)
    }
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", Range::minutes(self.start), Range::minutes(self.end))
    }
}

/// Why a day's hours were refused; `field` names the day ("monday", …) as the form does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HoursError {
    #[error("{field}: {value:?} is not a time (HH:MM, from 00:00 to 24:00)")]
    BadTime { field: String, value: String },
    #[error("{field}: {value:?} is not a range (HH:MM-HH:MM, several separated by commas)")]
    BadRange { field: String, value: String },
    #[error("{field}: the range {range} ends before it starts (ranges stay within one day)")]
    Backwards { field: String, range: String },
    #[error("{field}: the ranges {first} and {second} overlap")]
    Overlap { field: String, first: String, second: String },
    #[error("{field}: {value:?} is not a date (YYYY-MM-DD)")]
    BadDate { field: String, value: String },
}

/// The weekdays, Monday first, with the names forms and storage use.
pub const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "monday"),
    (Weekday::Tuesday, "tuesday"),
    (Weekday::Wednesday, "wednesday"),
    (Weekday::Thursday, "thursday"),
    (Weekday::Friday, "friday"),
    (Weekday::Saturday, "saturday"),
    (Weekday::Sunday, "sunday"),
];

fn parse_time(field: &str, s: &str) -> Result<u16, HoursError> {
    let bad = || HoursError::BadTime { field: field.to_string(), value: s.trim().to_string() };
    let (h, m) = s.trim().split_once([':', 'h']).ok_or_else(bad)?;
    let (h, m) = (h.trim(), if m.trim().is_empty() { "00" } else { m.trim() });
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !h.chars().chain(m.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let (h, m): (u16, u16) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m > 59 || h > 24 || (h == 24 && m > 0) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

/// A day's ranges as typed ("09:00-12:30, 14:00-18:00"; empty: closed), sorted, or why not.
pub fn parse_day(field: &str, text: &str) -> Result<Vec<Range>, HoursError> {
    let mut ranges = vec![];
    for part in text.split([',', ';']).map(str::trim).filter(|p| !p.is_empty()) {
        let (a, b) =
            part.split_once(['-', '–']).ok_or_else(|| HoursError::BadRange { field: field.to_string(), value: part.to_string() })?;
        let range = Range { start: parse_time(field, a)?, end: parse_time(field, b)? };
        if range.end <= range.start {
            return Err(HoursError::Backwards { field: field.to_string(), range: part.to_string() });
        }
        ranges.push(range);
    }
    ranges.sort();
    for pair in ranges.windows(2) {
        if pair[1].start < pair[0].end {
            return Err(HoursError::Overlap { field: field.to_string(), first: pair[0].to_string(), second: pair[1].to_string() });
        }
    }
    Ok(ranges)
}

/// Closed days as typed (one YYYY-MM-DD per line or comma), sorted and deduplicated.
pub fn parse_closed_days(field: &str, text: &str) -> Result<BTreeSet<Date>, HoursError> {
    text.split([',', '\n', ';'])
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.parse::<Date>().map_err(|_| HoursError::BadDate { field: field.to_string(), value: d.to_string() }))
        .collect()
}

/// A day's ranges as the form shows them.
pub fn format_day(ranges: &[Range]) -> String {
    ranges.iter().map(Range::to_string).collect::<Vec<_>>().join(", ")
}

/// When the team is open.
#[derive(Debug, Clone)]
pub struct BusinessHours {
    pub time_zone: TimeZone,
    /// Monday first.
    pub week: [Vec<Range>; 7],
    pub closed: BTreeSet<Date>,
    /// Closed on France's nationwide public holidays.
    pub french_holidays: bool,
}

impl BusinessHours {
    /// Monday to Friday, 09:00 to 18:00: what a workspace has until the team says otherwise.
    pub fn office(time_zone: TimeZone) -> BusinessHours {
        let day = vec![Range { start: 9 * 60, end: 18 * 60 }];
        BusinessHours {
            time_zone,
            week: [day.clone(), day.clone(), day.clone(), day.clone(), day, vec![], vec![]],
            closed: BTreeSet::new(),
            french_holidays: false,
        }
    }

    fn is_closed(&self, day: Date) -> bool {
        self.closed.contains(&day)
            || (self.french_holidays
                && crate::marketing_calendar::french_dates(day.year())
                    .iter()
                    .any(|d| d.kind == crate::marketing_calendar::DateKind::PublicHoliday && d.regional.is_none() && d.start == day))
    }

    /// Whether the week has any open minute (otherwise every business duration is zero).
    pub fn ever_open(&self) -> bool {
        self.week.iter().any(|d| !d.is_empty())
    }

    /// The instant a civil time of `day` falls on (a time skipped by a DST change moves forward).
    fn instant(&self, day: Date, minutes: u16) -> Option<Timestamp> {
        let (day, minutes) = if minutes == 1440 { (day.checked_add(1.day()).ok()?, 0) } else { (day, minutes) };
        let time = Time::new((minutes / 60) as i8, (minutes % 60) as i8, 0, 0).ok()?;
        self.time_zone.to_ambiguous_zoned(day.to_datetime(time)).compatible().ok().map(|z| z.timestamp())
    }

    /// Business milliseconds between two instants (epoch ms); zero when `to <= from`.
    pub fn business_ms(&self, from_ms: i64, to_ms: i64) -> i64 {
        if to_ms <= from_ms {
            return 0;
        }
        let (Ok(from), Ok(to)) = (Timestamp::from_millisecond(from_ms), Timestamp::from_millisecond(to_ms)) else { return 0 };
        let first = from.to_zoned(self.time_zone.clone()).date();
        let last = to.to_zoned(self.time_zone.clone()).date();
        let mut total = 0i64;
        let mut day = first;
        while day <= last {
            let ranges = &self.week[day.weekday().to_monday_zero_offset() as usize];
            if !ranges.is_empty() && !self.is_closed(day) {
                for r in ranges {
                    let (Some(start), Some(end)) = (self.instant(day, r.start), self.instant(day, r.end)) else { continue };
                    let (start, end) = (start.max(from), end.min(to));
                    if end > start {
                        total += end.as_millisecond() - start.as_millisecond();
                    }
                }
            }
            match day.checked_add(1.day()) {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    const MIN: i64 = 60_000;
    const HOUR: i64 = 60 * MIN;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    /// Epoch ms of a Paris wall-clock time.
    fn at(y: i16, mo: i8, d: i8, h: i8, mi: i8) -> i64 {
        date(y, mo, d).at(h, mi, 0, 0).to_zoned(paris()).unwrap().timestamp().as_millisecond()
    }

    /// Monday to Friday 09:00–12:30 and 14:00–18:00 (7.5 h a day).
    fn split_days() -> BusinessHours {
        let day = parse_day("monday", "09:00-12:30, 14:00-18:00").unwrap();
        BusinessHours {
            time_zone: paris(),
            week: [day.clone(), day.clone(), day.clone(), day.clone(), day, vec![], vec![]],
            closed: BTreeSet::new(),
            french_holidays: false,
        }
    }

    #[test]
    fn within_one_range_counts_wall_clock() {
        // Wednesday 2026-03-11.
        assert_eq!(split_days().business_ms(at(2026, 3, 11, 9, 30), at(2026, 3, 11, 10, 15)), 45 * MIN);
    }

    #[test]
    fn the_lunch_break_does_not_count() {
        assert_eq!(split_days().business_ms(at(2026, 3, 11, 12, 0), at(2026, 3, 11, 14, 30)), HOUR);
    }

    #[test]
    fn a_message_received_at_night_counts_from_opening_time() {
        // Received Tuesday 23:10, answered Wednesday 09:20: twenty business minutes.
        assert_eq!(split_days().business_ms(at(2026, 3, 10, 23, 10), at(2026, 3, 11, 9, 20)), 20 * MIN);
        // Received before opening the same morning.
        assert_eq!(split_days().business_ms(at(2026, 3, 11, 6, 0), at(2026, 3, 11, 9, 5)), 5 * MIN);
    }

    #[test]
    fn overnight_spans_count_the_evening_and_the_morning() {
        // Tuesday 17:00 to Wednesday 10:00: one hour each side of the night.
        assert_eq!(split_days().business_ms(at(2026, 3, 10, 17, 0), at(2026, 3, 11, 10, 0)), 2 * HOUR);
    }

    #[test]
    fn the_weekend_is_skipped() {
        // Friday 2026-03-13 17:30 to Monday 09:30: 30 minutes on Friday, 30 on Monday.
        assert_eq!(split_days().business_ms(at(2026, 3, 13, 17, 30), at(2026, 3, 16, 9, 30)), HOUR);
        // Entirely within the weekend.
        assert_eq!(split_days().business_ms(at(2026, 3, 14, 10, 0), at(2026, 3, 15, 18, 0)), 0);
    }

    #[test]
    fn a_whole_week_is_five_working_days() {
        assert_eq!(split_days().business_ms(at(2026, 3, 9, 0, 0), at(2026, 3, 16, 0, 0)), 5 * (7 * HOUR + 30 * MIN));
    }

    #[test]
    fn dst_spring_forward_loses_the_skipped_hour() {
        // Sunday 2026-03-29 02:00 → 03:00 in Paris. Open 00:00–24:00 that day: 23 real hours.
        let mut h = split_days();
        h.week[6] = parse_day("sunday", "00:00-24:00").unwrap();
        assert_eq!(h.business_ms(at(2026, 3, 29, 0, 0), at(2026, 3, 30, 0, 0)), 23 * HOUR);
        // A range across the gap: 01:00–04:00 is two hours of real time.
        h.week[6] = parse_day("sunday", "01:00-04:00").unwrap();
        assert_eq!(h.business_ms(at(2026, 3, 28, 12, 0), at(2026, 3, 29, 12, 0)), 2 * HOUR);
    }

    #[test]
    fn dst_fall_back_counts_the_repeated_hour() {
        // Sunday 2026-10-25 03:00 → 02:00 in Paris: 01:00–04:00 lasts four real hours.
        let mut h = split_days();
        h.week[6] = parse_day("sunday", "01:00-04:00").unwrap();
        assert_eq!(h.business_ms(at(2026, 10, 24, 12, 0), at(2026, 10, 25, 12, 0)), 4 * HOUR);
        // A Monday after the change still opens at 09:00 local (08:00 UTC, not 07:00).
        assert_eq!(h.business_ms(at(2026, 10, 26, 8, 0), at(2026, 10, 26, 9, 30)), 30 * MIN);
    }

    #[test]
    fn closed_days_and_french_holidays_are_skipped() {
        let mut h = split_days();
        // Tuesday 2026-07-14 is Bastille Day.
        let (from, to) = (at(2026, 7, 13, 18, 0), at(2026, 7, 15, 9, 30));
        assert_eq!(h.business_ms(from, to), 7 * HOUR + 30 * MIN + 30 * MIN);
        h.french_holidays = true;
        assert_eq!(h.business_ms(from, to), 30 * MIN);
        h.french_holidays = false;
        h.closed = parse_closed_days("closed", "2026-07-14").unwrap();
        assert_eq!(h.business_ms(from, to), 30 * MIN);
    }

    #[test]
    fn backwards_or_equal_instants_are_zero() {
        assert_eq!(split_days().business_ms(at(2026, 3, 11, 10, 0), at(2026, 3, 11, 9, 0)), 0);
    }

    #[test]
    fn typed_hours_are_checked_naming_the_day() {
        assert_eq!(parse_day("monday", "09:00-25:00"), Err(HoursError::BadTime { field: "monday".into(), value: "25:00".into() }));
        assert!(parse_day("monday", "09:00-25:00").unwrap_err().to_string().starts_with("monday: \"25:00\""));
        assert_eq!(
            parse_day("friday", "14:00-18:00, 09:00-14:30"),
            Err(HoursError::Overlap { field: "friday".into(), first: "09:00-14:30".into(), second: "14:00-18:00".into() })
        );
        assert!(matches!(parse_day("tuesday", "18:00-09:00"), Err(HoursError::Backwards { .. })));
        assert!(matches!(parse_day("tuesday", "9-12"), Err(HoursError::BadTime { .. })));
        assert!(matches!(parse_day("tuesday", "09:00"), Err(HoursError::BadRange { .. })));
        assert_eq!(parse_day("sunday", " "), Ok(vec![]));
        // Touching ranges are fine; "9h30" is accepted as French writes it.
        let r = parse_day("monday", "14:00-18:00,9h30-14:00").unwrap();
        assert_eq!(format_day(&r), "09:30-14:00, 14:00-18:00");
        assert!(matches!(parse_closed_days("closed", "2026-02-30"), Err(HoursError::BadDate { .. })));
    }
}
