//! A workspace's own calendar events (a trade fair, the brand's anniversary, a weekly live) and
//! their repetition: the pure expansion of an event into its occurrences within a range of dates,
//! which the editorial calendar shows next to the French dates of [`crate::marketing_calendar`].
//!
//! The rule for repetitions, chosen so that an event never drifts:
//! - every occurrence is computed from the first one, never from the previous occurrence;
//! - weekly: the same weekday, every 7 days;
//! - monthly: the same day of the month; in a month too short for it (the 31st in April, the 30th
//!   in February) the occurrence falls on the month's last day, and the next month is back on
//!   the original day (31 January, 28 February, 31 March, 30 April, 31 May, ...);
//! - yearly: the same month and day; an event of 29 February falls on 28 February in other years;
//! - an occurrence lasts as many days as the first one (`ends_on - starts_on`).

use jiff::ToSpan;
use jiff::civil::{Date, date};
use serde::{Deserialize, Serialize};

use crate::values::ValidationError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Recurrence {
    None,
    Weekly,
    Monthly,
    Yearly,
}

impl Recurrence {
    pub const ALL: [Recurrence; 4] = [Recurrence::None, Recurrence::Weekly, Recurrence::Monthly, Recurrence::Yearly];

    pub fn as_str(self) -> &'static str {
        match self {
            Recurrence::None => "none",
            Recurrence::Weekly => "weekly",
            Recurrence::Monthly => "monthly",
            Recurrence::Yearly => "yearly",
        }
    }

    pub fn parse(raw: &str) -> Result<Recurrence, ValidationError> {
        Recurrence::ALL.into_iter().find(|r| r.as_str() == raw.trim()).ok_or_else(|| {
            ValidationError::new(
                "recurrence",
                "error-recurrence",
                format!("{raw:?} is not a repetition; use none, weekly, monthly or yearly"),
            )
        })
    }
}

/// A calendar date as forms and the store write it, `YYYY-MM-DD`.
pub fn parse_date(field: &'static str, raw: &str) -> Result<Date, ValidationError> {
    let raw = raw.trim();
    let bad =
        || ValidationError::new(field, "error-date", format!("{field} is {raw:?}; write a date as YYYY-MM-DD, for example 2026-03-24"));
    let shape_ok = raw.len() == 10 && raw.bytes().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == b'-' } else { c.is_ascii_digit() });
    if !shape_ok {
        return Err(bad());
    }
    // The shape is right; strptime still rejects impossible dates such as 2026-02-30.
    Date::strptime("%Y-%m-%d", raw).map_err(|_| bad())
}

/// Two dates, the second not before the first. `ends_on` names the field at fault.
pub fn parse_span(starts_on: &str, ends_on: &str) -> Result<(Date, Date), ValidationError> {
    let start = parse_date("starts_on", starts_on)?;
    let end = parse_date("ends_on", ends_on)?;
    check_order(start, end)?;
    Ok((start, end))
}

/// The end date must not come before the start date.
pub fn check_order(start: Date, end: Date) -> Result<(), ValidationError> {
    if end < start {
        return Err(ValidationError::new(
            "ends_on",
            "error-ends-before-starts",
            format!("the end date {end} is before the start date {start}"),
        ));
    }
    Ok(())
}

/// A (possibly repeating) event, as dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecurringEvent {
    pub starts_on: Date,
    /// Inclusive; equal to `starts_on` for a one-day event.
    pub ends_on: Date,
    pub recurrence: Recurrence,
}

impl RecurringEvent {
    /// The occurrences `(start, end)` overlapping `[from, to]` (both inclusive), in order; empty when
    /// `from > to`. Only occurrences on or after the first one exist.
    pub fn occurrences(&self, from: Date, to: Date) -> Vec<(Date, Date)> {
        let mut out = Vec::new();
        if from > to {
            return out;
        }
        let length = self.starts_on.until(self.ends_on).map(|s| s.get_days()).unwrap_or(0).max(0);
        // Start a little before the first occurrence that can overlap `from`, rather than walking
        // from the first one: an event of 2001 repeated weekly must not take 1300 steps.
        let first_index = match self.recurrence {
            Recurrence::None => 0,
            Recurrence::Weekly => {
                let days_before = self.starts_on.until(from).map(|s| s.get_days()).unwrap_or(0);
                i64::from(days_before - length).div_euclid(7).max(0)
            }
            Recurrence::Monthly => {
                let months = (i64::from(from.year()) - i64::from(self.starts_on.year())) * 12 + i64::from(from.month())
                    - i64::from(self.starts_on.month());
                (months - 1 - i64::from(length) / 28).max(0)
            }
            Recurrence::Yearly => (i64::from(from.year()) - i64::from(self.starts_on.year()) - 1 - i64::from(length) / 365).max(0),
        };
        let mut index = first_index;
        while let Some(start) = self.nth_start(index) {
            if start > to {
                break;
            }
            let Ok(end) = start.checked_add(length.days()) else { break };
            if end >= from {
                out.push((start, end));
            }
            index += 1;
        }
        out
    }

    /// The start of the `n`th occurrence (0 is the first), or `None` past the dates jiff knows.
    fn nth_start(&self, n: i64) -> Option<Date> {
        let first = self.starts_on;
        match self.recurrence {
            Recurrence::None => (n == 0).then_some(first),
            Recurrence::Weekly => first.checked_add(n.checked_mul(7)?.days()).ok(),
            Recurrence::Monthly => {
                let months = i64::from(first.year()) * 12 + i64::from(first.month() - 1) + n;
                let year = i16::try_from(months.div_euclid(12)).ok()?;
                let month = i8::try_from(months.rem_euclid(12) + 1).ok()?;
                clamped(year, month, first.day())
            }
            Recurrence::Yearly => {
                let year = i16::try_from(i64::from(first.year()) + n).ok()?;
                clamped(year, first.month(), first.day())
            }
        }
    }
}

/// `day` of the month, or the month's last day when the month is shorter.
fn clamped(year: i16, month: i8, day: i8) -> Option<Date> {
    let first_of_month = Date::new(year, month, 1).ok()?;
    Some(date(year, month, day.min(first_of_month.days_in_month())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(start: Date, end: Date, recurrence: Recurrence) -> RecurringEvent {
        RecurringEvent { starts_on: start, ends_on: end, recurrence }
    }

    fn starts(occurrences: &[(Date, Date)]) -> Vec<Date> {
        occurrences.iter().map(|o| o.0).collect()
    }

    #[test]
    fn a_one_off_event_appears_only_where_it_overlaps_the_range() {
        let fair = event(date(2026, 3, 10), date(2026, 3, 12), Recurrence::None);
        assert_eq!(fair.occurrences(date(2026, 3, 1), date(2026, 3, 31)), [(date(2026, 3, 10), date(2026, 3, 12))]);
        assert_eq!(fair.occurrences(date(2026, 3, 12), date(2026, 3, 12)).len(), 1, "its last day overlaps");
        assert!(fair.occurrences(date(2026, 3, 13), date(2026, 4, 30)).is_empty());
        assert!(fair.occurrences(date(2026, 3, 31), date(2026, 3, 1)).is_empty(), "an empty range");
    }

    #[test]
    fn a_weekly_event_keeps_its_weekday() {
        let live = event(date(2026, 1, 6), date(2026, 1, 6), Recurrence::Weekly);
        let march = live.occurrences(date(2026, 3, 1), date(2026, 3, 31));
        assert_eq!(starts(&march), [date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 17), date(2026, 3, 24), date(2026, 3, 31)]);
        assert!(march.iter().all(|(s, e)| s == e && s.weekday() == jiff::civil::Weekday::Tuesday));
    }

    #[test]
    fn nothing_repeats_before_the_first_occurrence() {
        let live = event(date(2026, 3, 17), date(2026, 3, 17), Recurrence::Weekly);
        assert_eq!(starts(&live.occurrences(date(2026, 3, 1), date(2026, 3, 24))), [date(2026, 3, 17), date(2026, 3, 24)]);
        let yearly = event(date(2026, 3, 17), date(2026, 3, 17), Recurrence::Yearly);
        assert!(yearly.occurrences(date(2020, 1, 1), date(2025, 12, 31)).is_empty());
    }

    #[test]
    fn a_multi_day_weekly_event_that_started_before_the_range_is_included() {
        // Friday to Sunday, every week: the weekend that straddles 1 March is in March's view.
        let weekend = event(date(2026, 1, 2), date(2026, 1, 4), Recurrence::Weekly);
        let got = weekend.occurrences(date(2026, 3, 1), date(2026, 3, 7));
        assert_eq!(got, [(date(2026, 2, 27), date(2026, 3, 1)), (date(2026, 3, 6), date(2026, 3, 8))]);
    }

    #[test]
    fn a_monthly_event_on_the_31st_falls_on_the_last_day_of_short_months_and_comes_back() {
        let closing = event(date(2026, 1, 31), date(2026, 1, 31), Recurrence::Monthly);
        let got = starts(&closing.occurrences(date(2026, 1, 1), date(2026, 6, 30)));
        assert_eq!(got, [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 30)]);
        let leap = starts(&closing.occurrences(date(2028, 2, 1), date(2028, 3, 31)));
        assert_eq!(leap, [date(2028, 2, 29), date(2028, 3, 31)]);
    }

    #[test]
    fn a_monthly_event_crosses_the_new_year() {
        let newsletter = event(date(2025, 11, 15), date(2025, 11, 16), Recurrence::Monthly);
        let got = newsletter.occurrences(date(2025, 12, 16), date(2026, 2, 14));
        assert_eq!(got, [(date(2025, 12, 15), date(2025, 12, 16)), (date(2026, 1, 15), date(2026, 1, 16))]);
    }

    #[test]
    fn a_yearly_event_of_29_february_falls_on_the_28th_in_other_years() {
        let leap_day = event(date(2024, 2, 29), date(2024, 2, 29), Recurrence::Yearly);
        let got = starts(&leap_day.occurrences(date(2024, 1, 1), date(2028, 12, 31)));
        assert_eq!(got, [date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]);
    }

    #[test]
    fn an_old_weekly_event_expands_quickly_far_in_the_future() {
        let old = event(date(1990, 1, 1), date(1990, 1, 1), Recurrence::Weekly);
        let got = old.occurrences(date(2090, 1, 1), date(2090, 1, 31));
        assert_eq!(got.len(), 5);
        assert!(got.iter().all(|(s, _)| s.weekday() == jiff::civil::Weekday::Monday));
        let yearly = event(date(1990, 7, 14), date(1990, 7, 15), Recurrence::Yearly);
        assert_eq!(yearly.occurrences(date(2090, 7, 15), date(2090, 7, 15)), [(date(2090, 7, 14), date(2090, 7, 15))]);
    }

    #[test]
    fn occurrences_stop_at_the_end_of_the_calendar() {
        let late = event(date(9999, 11, 30), date(9999, 11, 30), Recurrence::Monthly);
        assert_eq!(late.occurrences(date(9999, 1, 1), date(9999, 12, 31)).len(), 2);
    }

    #[test]
    fn dates_are_read_strictly_and_bad_ones_name_their_field() {
        assert_eq!(parse_date("starts_on", " 2026-03-24 ").unwrap(), date(2026, 3, 24));
        for bad in ["", "24/03/2026", "2026-3-24", "2026-02-30", "demain", "2026-03-24T10:00"] {
            let err = parse_date("starts_on", bad).unwrap_err();
            assert_eq!((err.field, err.code), ("starts_on", "error-date"), "{bad}");
        }
        assert_eq!(parse_span("2026-03-24", "2026-03-24").unwrap(), (date(2026, 3, 24), date(2026, 3, 24)));
        let err = parse_span("2026-03-24", "2026-03-23").unwrap_err();
        assert_eq!((err.field, err.code), ("ends_on", "error-ends-before-starts"));
        assert_eq!(parse_span("2026-03-24", "x").unwrap_err().field, "ends_on");
    }

    #[test]
    fn repetitions_are_read_by_name() {
        assert_eq!(Recurrence::parse("monthly").unwrap(), Recurrence::Monthly);
        assert_eq!(Recurrence::parse("daily").unwrap_err().field, "recurrence");
    }
}
