//! Customer care as KPIs. The maths lives in [`crate::care_figures`] (rates, nearest-rank
//! percentiles, business time); this module only labels its results, so the care page and a
//! report can never disagree.

pub use crate::care_figures::{CareFigures, Durations, percentile, rate};

use super::{Base, Figure, Kpi, NotAvailable, Value};

/// Response rate = messages answered from Relais / messages received (a message resolved
/// without an answer counts in the denominator only).
pub fn response_rate(figures: &CareFigures) -> Figure {
    let value = figures.response_rate.map(Value::Percent).ok_or(NotAvailable::Zero(Base::MessagesReceived));
    Figure::new(Kpi::ResponseRate, value)
}

/// Median first response time, in business hours (the clock the team is accountable to).
pub fn response_time_median(figures: &CareFigures) -> Figure {
    duration(Kpi::ResponseTimeMedian, figures.first_response_business.median)
}

/// 90th percentile (nearest rank) of the first response time, in business hours.
pub fn response_time_p90(figures: &CareFigures) -> Figure {
    duration(Kpi::ResponseTimeP90, figures.first_response_business.p90)
}

fn duration(kpi: Kpi, ms: Option<i64>) -> Figure {
    Figure::new(kpi, ms.map(Value::Duration).ok_or(NotAvailable::Zero(Base::AnsweredMessages)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::care_figures::{MessageFacts, figures};

    #[test]
    fn care_kpis_are_the_care_page_figures() {
        let m = |received_at, first_response_at| MessageFacts { received_at, first_response_at, ..MessageFacts::default() };
        // Answered after 10, 20, 30 and 40 minutes (wall clock = business clock here); one unanswered.
        let min = 60_000;
        let messages = [m(0, Some(10 * min)), m(0, Some(20 * min)), m(0, Some(30 * min)), m(0, Some(40 * min)), m(0, None)];
        let f = figures(&messages, &[], |a, b| b - a);
        // 4 answered / 5 received = 0.8.
        assert_eq!(response_rate(&f).value(), Ok(Value::Percent(0.8)));
        // Median: rank ceil(0.5 × 4) = 2 → 20 min; p90: rank ceil(0.9 × 4) = 4 → 40 min.
        assert_eq!(response_time_median(&f).value(), Ok(Value::Duration(20 * min)));
        assert_eq!(response_time_p90(&f).value(), Ok(Value::Duration(40 * min)));
        assert_eq!(response_time_p90(&f).kpi(), Kpi::ResponseTimeP90);
    }

    #[test]
    fn a_quiet_period_has_no_response_rate_nor_time() {
        let f = figures(&[], &[], |a, b| b - a);
        assert_eq!(response_rate(&f).value(), Err(NotAvailable::Zero(Base::MessagesReceived)));
        assert_eq!(response_time_median(&f).value(), Err(NotAvailable::Zero(Base::AnsweredMessages)));
    }
}
