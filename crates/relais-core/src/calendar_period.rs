//! The days an editorial calendar view shows: a month as whole weeks (Monday first, the French
//! and ISO convention), a week, or a list of the coming weeks, and the UTC range to load for them
//! in the workspace's time zone.

use crate::scheduling::ScheduleError;
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    #[default]
    Month,
    Week,
    List,
}

impl View {
    pub fn parse(s: &str) -> Option<View> {
        match s {
            "month" => Some(View::Month),
            "week" => Some(View::Week),
            "list" => Some(View::List),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            View::Month => "month",
            View::Week => "week",
            View::List => "list",
        }
    }
}

/// How many days the list view covers from its first day.
pub const LIST_DAYS: i32 = 28;

/// The days a view shows around `anchor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub view: View,
    pub anchor: Date,
    /// First day shown.
    pub first: Date,
    /// Last day shown, inclusive.
    pub last: Date,
}

fn monday_on_or_before(d: Date) -> Date {
    d.checked_sub((d.weekday().to_monday_zero_offset() as i32).days()).unwrap_or(d)
}

impl Period {
    pub fn new(view: View, anchor: Date) -> Period {
        let (first, last) = match view {
            View::Month => {
                let first_of_month = anchor.first_of_month();
                let last_of_month = anchor.last_of_month();
                let first = monday_on_or_before(first_of_month);
                let to_sunday = 6 - last_of_month.weekday().to_monday_zero_offset() as i32;
                (first, last_of_month.checked_add(to_sunday.days()).unwrap_or(last_of_month))
            }
            View::Week => {
                let first = monday_on_or_before(anchor);
                (first, first.checked_add(6.days()).unwrap_or(first))
            }
            View::List => (anchor, anchor.checked_add((LIST_DAYS - 1).days()).unwrap_or(anchor)),
        };
        Period { view, anchor, first, last }
    }

    /// The anchor of the period before this one.
    pub fn previous(&self) -> Date {
        let step = match self.view {
            View::Month => 1.month(),
            View::Week => 1.week(),
            View::List => LIST_DAYS.days(),
        };
        self.anchor.checked_sub(step).unwrap_or(self.anchor)
    }

    /// The anchor of the period after this one.
    pub fn next(&self) -> Date {
        let step = match self.view {
            View::Month => 1.month(),
            View::Week => 1.week(),
            View::List => LIST_DAYS.days(),
        };
        self.anchor.checked_add(step).unwrap_or(self.anchor)
    }

    /// Every day shown, in order.
    pub fn days(&self) -> Vec<Date> {
        self.first.series(1.day()).take_while(|d| *d <= self.last).collect()
    }

    /// The days in rows of seven (month and week views).
    pub fn weeks(&self) -> Vec<Vec<Date>> {
        self.days().chunks(7).map(<[Date]>::to_vec).collect()
    }

    /// `[start, end)` in epoch milliseconds: from the first day's midnight to the midnight after
    /// the last day, in `zone` (a day across a DST change lasts 23 or 25 hours).
    pub fn range_ms(&self, zone: &str) -> Result<(i64, i64), ScheduleError> {
        let tz = TimeZone::get(zone).map_err(|_| ScheduleError::UnknownZone(zone.into()))?;
        let start = self.first.to_zoned(tz.clone()).map_err(|e| ScheduleError::BadInput(e.to_string()))?;
        let after = self.last.checked_add(1.day()).map_err(|e| ScheduleError::BadInput(e.to_string()))?;
        let end = after.to_zoned(tz).map_err(|e| ScheduleError::BadInput(e.to_string()))?;
        Ok((start.timestamp().as_millisecond(), end.timestamp().as_millisecond()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Weekday, date};

    #[test]
    fn a_month_is_shown_as_whole_weeks_from_monday() {
        // November 2026 starts on a Sunday and ends on a Monday.
        let p = Period::new(View::Month, date(2026, 11, 23));
        assert_eq!(p.first, date(2026, 10, 26));
        assert_eq!(p.last, date(2026, 12, 6));
        assert_eq!(p.weeks().len(), 6);
        assert!(p.weeks().iter().all(|w| w.len() == 7 && w[0].weekday() == Weekday::Monday));
        // February 2027 starts on a Monday and ends on a Sunday: exactly four weeks.
        let p = Period::new(View::Month, date(2027, 2, 10));
        assert_eq!((p.first, p.last), (date(2027, 2, 1), date(2027, 2, 28)));
        assert_eq!(p.weeks().len(), 4);
    }

    #[test]
    fn weeks_and_lists_and_their_neighbours() {
        let p = Period::new(View::Week, date(2026, 11, 26));
        assert_eq!((p.first, p.last), (date(2026, 11, 23), date(2026, 11, 29)));
        assert_eq!(p.next(), date(2026, 12, 3));
        let p = Period::new(View::List, date(2026, 11, 23));
        assert_eq!(p.days().len(), LIST_DAYS as usize);
        assert_eq!(Period::new(View::Month, date(2026, 1, 31)).next(), date(2026, 2, 28));
        assert_eq!(Period::new(View::Month, date(2026, 3, 31)).previous(), date(2026, 2, 28));
    }

    #[test]
    fn the_range_follows_the_zone_across_dst() {
        // The week of 23–29 March 2026 in Paris: the 29th lasts 23 hours.
        let p = Period::new(View::Week, date(2026, 3, 25));
        let (start, end) = p.range_ms("Europe/Paris").unwrap();
        assert_eq!(start, jiff::Timestamp::from_second(1_774_220_400).unwrap().as_millisecond()); // 2026-03-22T23:00Z
        assert_eq!(end - start, (7 * 24 - 1) * 3_600_000);
        assert!(matches!(p.range_ms("Mars/Olympus"), Err(ScheduleError::UnknownZone(_))));
    }
}
