//! Periods of whole days and the comparison with the period before.

use super::{Figure, Kpi, NotAvailable, Value};
use crate::scheduling::ScheduleError;
use crate::values::ValidationError;
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;

/// Whole days in the workspace's time zone, `first` and `last` both included (what a reader
/// types and a report prints: "1–31 March").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    first: Date,
    last: Date,
}

impl Period {
    /// A period of one day or more; refused when `last` is before `first`.
    pub fn new(first: Date, last: Date) -> Result<Period, ValidationError> {
        if last < first {
            return Err(ValidationError::new("end", "error-period-end", format!("the period ends on {last}, before it starts on {first}")));
        }
        Ok(Period { first, last })
    }

    pub fn first(&self) -> Date {
        self.first
    }

    pub fn last(&self) -> Date {
        self.last
    }

    /// How many days the period counts: last − first + 1.
    pub fn days(&self) -> i64 {
        i64::from((self.last - self.first).get_days()) + 1
    }

    pub fn contains(&self, date: Date) -> bool {
        (self.first..=self.last).contains(&date)
    }

    /// Days from the period's start to the end of `date`: 1 on the first day, [`Period::days`] on
    /// the last (negative or zero before the start). The x axis of an objective's trend.
    pub fn elapsed_days(&self, date: Date) -> i64 {
        i64::from((date - self.first).get_days()) + 1
    }

    /// The period of the same number of days that ends the day before this one starts (March
    /// 1–31 gives January 29 – February 28 in 2026: 31 days either way). `None` before the
    /// calendar's first year.
    pub fn previous(&self) -> Option<Period> {
        let last = self.first.checked_sub(1.day()).ok()?;
        let first = self.first.checked_sub(self.days().days()).ok()?;
        Some(Period { first, last })
    }

    /// `[start, end)` in epoch milliseconds: the first day's midnight to the midnight after the
    /// last day in `zone`, so a period across a DST change counts the hours that really passed.
    pub fn range_ms(&self, zone: &TimeZone) -> Result<(i64, i64), ScheduleError> {
        let start = self.first.to_zoned(zone.clone()).map_err(|e| ScheduleError::BadInput(e.to_string()))?;
        let after = self.last.checked_add(1.day()).map_err(|e| ScheduleError::BadInput(e.to_string()))?;
        let end = after.to_zoned(zone.clone()).map_err(|e| ScheduleError::BadInput(e.to_string()))?;
        Ok((start.timestamp().as_millisecond(), end.timestamp().as_millisecond()))
    }
}

/// Which way a figure moved, taking into account whether the KPI is better higher or lower.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Better,
    Worse,
    Unchanged,
}

/// A figure against the same figure over the previous period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Comparison {
    pub current: Figure,
    pub previous: Figure,
    /// current − previous, as a plain number of the KPI's unit (for a percentage, a difference of
    /// fractions: 0.012 is +1.2 points, not +1.2 %).
    pub change: Result<Value, NotAvailable>,
    /// (current − previous) / |previous|: +0.25 is 25 % more than before.
    pub change_rate: Result<f64, NotAvailable>,
    /// `None` when either figure is not available.
    pub direction: Option<Direction>,
}

impl Comparison {
    /// `current` against `previous`, which must be the same KPI (and, for money, the same
    /// currency).
    pub fn of(current: Figure, previous: Figure) -> Comparison {
        let change = Comparison::difference(&current, &previous);
        let change_rate = change.and_then(|change| {
            let before = previous.number().expect("a change implies a previous value");
            if before == 0.0 { Err(NotAvailable::PreviousIsZero) } else { Ok(change.number() / before.abs()) }
        });
        let direction = change.ok().map(|change| {
            let delta = change.number();
            match (delta == 0.0, (delta > 0.0) == current.kpi().higher_is_better()) {
                (true, _) => Direction::Unchanged,
                (false, true) => Direction::Better,
                (false, false) => Direction::Worse,
            }
        });
        Comparison { current, previous, change, change_rate, direction }
    }

    fn difference(current: &Figure, previous: &Figure) -> Result<Value, NotAvailable> {
        if current.kpi() != previous.kpi() {
            return Err(NotAvailable::NotComparable(current.kpi(), previous.kpi()));
        }
        Ok(match (current.value()?, previous.value()?) {
            (Value::Count(a), Value::Count(b)) => Value::Count(a.saturating_sub(b)),
            (Value::Duration(a), Value::Duration(b)) => Value::Duration(a.saturating_sub(b)),
            (Value::Percent(a), Value::Percent(b)) => Value::Percent(a - b),
            (Value::PerWeek(a), Value::PerWeek(b)) => Value::PerWeek(a - b),
            (Value::Ratio(a), Value::Ratio(b)) => Value::Ratio(a - b),
            (Value::Money(a), Value::Money(b)) if a.currency == b.currency => {
                Value::Money(super::Money::new(a.cents.saturating_sub(b.cents), a.currency))
            }
            (Value::Money(a), Value::Money(b)) => return Err(NotAvailable::CurrencyMismatch(a.currency, b.currency)),
            (a, b) => unreachable!("two figures of {:?} hold {a:?} and {b:?}", current.kpi()),
        })
    }

    pub fn kpi(&self) -> Kpi {
        self.current.kpi()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::{Base, Currency, Money, audience, campaigns, care};
    use jiff::civil::date;

    #[test]
    fn a_period_counts_both_ends_and_its_previous_has_the_same_length() {
        let march = Period::new(date(2026, 3, 1), date(2026, 3, 31)).unwrap();
        assert_eq!(march.days(), 31);
        // 31 days before 1 March 2026: 28 February back to 29 January (3 + 28 = 31 days).
        let before = march.previous().unwrap();
        assert_eq!((before.first(), before.last()), (date(2026, 1, 29), date(2026, 2, 28)));
        assert_eq!(before.days(), 31);
        let one_day = Period::new(date(2026, 3, 1), date(2026, 3, 1)).unwrap();
        assert_eq!(one_day.days(), 1);
        assert_eq!(one_day.previous().unwrap().first(), date(2026, 2, 28));
        assert_eq!(march.elapsed_days(date(2026, 3, 1)), 1);
        assert_eq!(march.elapsed_days(date(2026, 2, 28)), 0);
        let err = Period::new(date(2026, 3, 2), date(2026, 3, 1)).unwrap_err();
        assert_eq!(err.field, "end");
    }

    #[test]
    fn a_period_across_the_spring_change_lasts_an_hour_less() {
        let week = Period::new(date(2026, 3, 23), date(2026, 3, 29)).unwrap();
        let (start, end) = week.range_ms(&TimeZone::get("Europe/Paris").unwrap()).unwrap();
        // 7 × 24 h − 1 h = 167 h.
        assert_eq!(end - start, 167 * 3_600_000);
    }

    #[test]
    fn growth_compared_with_the_previous_period() {
        // 120 gained now, 80 before: change +40, rate 40 / 80 = 0.5.
        let c = Comparison::of(audience::follower_growth(1000, 1120), audience::follower_growth(920, 1000));
        assert_eq!(c.change, Ok(Value::Count(40)));
        assert_eq!(c.change_rate, Ok(0.5));
        assert_eq!(c.direction, Some(Direction::Better));
    }

    #[test]
    fn a_slower_response_is_worse_even_though_the_number_grew() {
        let figures = |ms: i64| care::CareFigures {
            first_response_business: care::Durations { count: 1, median: Some(ms), p90: Some(ms) },
            ..care::CareFigures::default()
        };
        // 30 min now against 20 min before: +10 min = +600_000 ms, rate 10 / 20 = 0.5, worse.
        let c = Comparison::of(care::response_time_median(&figures(1_800_000)), care::response_time_median(&figures(1_200_000)));
        assert_eq!(c.change, Ok(Value::Duration(600_000)));
        assert_eq!(c.change_rate, Ok(0.5));
        assert_eq!(c.direction, Some(Direction::Worse));
    }

    #[test]
    fn a_rate_change_is_in_points_and_zero_before_has_no_change_rate() {
        // CTR 2 % (2 / 100) against 0 % (0 / 50): +0.02 = +2 points; no rate of change from zero.
        let c = Comparison::of(campaigns::click_through_rate(2, 100), campaigns::click_through_rate(0, 50));
        assert_eq!(c.change, Ok(Value::Percent(0.02)));
        assert_eq!(c.change_rate, Err(NotAvailable::PreviousIsZero));
        assert_eq!(c.direction, Some(Direction::Better));
        // Nothing to compare with when the previous period had no impressions.
        let c = Comparison::of(campaigns::click_through_rate(2, 100), campaigns::click_through_rate(0, 0));
        assert_eq!(c.change, Err(NotAvailable::Zero(Base::Impressions)));
        assert_eq!(c.direction, None);
    }

    #[test]
    fn different_kpis_or_currencies_are_not_compared() {
        let c = Comparison::of(audience::follower_growth(1, 2), audience::reach([Some(5)]));
        assert_eq!(c.change, Err(NotAvailable::NotComparable(Kpi::FollowerGrowth, Kpi::Reach)));
        let usd = Currency::USD;
        let c = Comparison::of(
            campaigns::cost_per_click(Money::new(100, Currency::EUR), 1),
            campaigns::cost_per_click(Money::new(100, usd), 1),
        );
        assert_eq!(c.change, Err(NotAvailable::CurrencyMismatch(Currency::EUR, usd)));
    }
}
