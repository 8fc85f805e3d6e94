//! The customer-care figures, defined once: rates, median and 90th percentile of durations, and
//! the satisfaction summary. The store fetches the facts of a period; this module does the maths.
//!
//! Definitions (the README repeats them):
//! - response rate = messages answered from Relais / messages received. A message resolved
//!   without an answer is not answered: it counts in the denominator only (resolving a spam or a
//!   "thanks!" without answering is legitimate, and the resolution rate shows it).
//! - resolution rate = messages resolved / messages received.
//! - percentiles use the nearest-rank method on the sorted values: the p-th percentile is the
//!   smallest value with at least p% of the values at or below it (no interpolation, so a
//!   figure is always a duration that really happened).

/// `numerator / denominator`, `None` when nothing was received.
pub fn rate(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// The nearest-rank `p`-th percentile (0 < p ≤ 100) of `values`, `None` when empty.
pub fn percentile(values: &[i64], p: u32) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let p = p.clamp(1, 100) as usize;
    // rank = ceil(p/100 × n), from 1.
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

/// Median and 90th percentile of some durations (ms).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Durations {
    pub count: usize,
    pub median: Option<i64>,
    pub p90: Option<i64>,
}

impl Durations {
    pub fn of(values: &[i64]) -> Durations {
        Durations { count: values.len(), median: percentile(values, 50), p90: percentile(values, 90) }
    }
}

/// Satisfaction scores (1–5) summarised.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Satisfaction {
    pub count: u64,
    pub average: Option<f64>,
    /// How many answers gave 1, 2, 3, 4 and 5.
    pub distribution: [u64; 5],
}

impl Satisfaction {
    /// Scores outside 1–5 are ignored (the store never records them).
    pub fn of(scores: &[i64]) -> Satisfaction {
        let mut distribution = [0u64; 5];
        for s in scores.iter().filter(|s| (1..=5).contains(*s)) {
            distribution[(*s - 1) as usize] += 1;
        }
        let count: u64 = distribution.iter().sum();
        let sum: u64 = distribution.iter().enumerate().map(|(i, n)| (i as u64 + 1) * n).sum();
        Satisfaction { count, average: rate(sum, count), distribution }
    }
}

/// The facts of one message of the period, as the store reads them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageFacts {
    pub account_id: String,
    pub received_at: i64,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub first_responder_id: Option<String>,
    pub resolved_by: Option<String>,
}

/// The figures of one group of messages (the workspace, an account, a member).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CareFigures {
    pub received: u64,
    pub answered: u64,
    pub resolved: u64,
    pub response_rate: Option<f64>,
    pub resolution_rate: Option<f64>,
    /// First response time, in business hours and in wall-clock time.
    pub first_response_business: Durations,
    pub first_response_wall: Durations,
    pub resolution_business: Durations,
    pub resolution_wall: Durations,
    pub satisfaction: Satisfaction,
}

/// Figures of `messages`, with `business` measuring business time between two instants (ms).
pub fn figures<'a>(
    messages: impl IntoIterator<Item = &'a MessageFacts>,
    scores: &[i64],
    business: impl Fn(i64, i64) -> i64,
) -> CareFigures {
    let (mut received, mut answered, mut resolved) = (0u64, 0u64, 0u64);
    let (mut frb, mut frw, mut rb, mut rw) = (vec![], vec![], vec![], vec![]);
    for m in messages {
        received += 1;
        if let Some(at) = m.first_response_at {
            answered += 1;
            frw.push((at - m.received_at).max(0));
            frb.push(business(m.received_at, at));
        }
        if let Some(at) = m.resolved_at {
            resolved += 1;
            rw.push((at - m.received_at).max(0));
            rb.push(business(m.received_at, at));
        }
    }
    CareFigures {
        received,
        answered,
        resolved,
        response_rate: rate(answered, received),
        resolution_rate: rate(resolved, received),
        first_response_business: Durations::of(&frb),
        first_response_wall: Durations::of(&frw),
        resolution_business: Durations::of(&rb),
        resolution_wall: Durations::of(&rw),
        satisfaction: Satisfaction::of(scores),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let v = [15, 20, 35, 40, 50];
        assert_eq!(percentile(&v, 50), Some(35));
        assert_eq!(percentile(&v, 90), Some(50));
        assert_eq!(percentile(&v, 30), Some(20));
        // Ten values: the median is the 5th, p90 the 9th; order of input does not matter.
        let ten = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
        assert_eq!(percentile(&ten, 50), Some(5));
        assert_eq!(percentile(&ten, 90), Some(9));
        assert_eq!(percentile(&[42], 90), Some(42));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn rates_need_a_denominator() {
        assert_eq!(rate(3, 4), Some(0.75));
        assert_eq!(rate(0, 0), None);
    }

    #[test]
    fn satisfaction_average_and_distribution() {
        let s = Satisfaction::of(&[5, 4, 4, 1, 9]);
        assert_eq!(s.count, 4);
        assert_eq!(s.distribution, [1, 0, 0, 2, 1]);
        assert_eq!(s.average, Some(3.5));
        assert_eq!(Satisfaction::of(&[]).average, None);
    }

    #[test]
    fn figures_count_answers_and_resolutions_apart() {
        let m = |received_at, first_response_at, resolved_at| MessageFacts {
            received_at,
            first_response_at,
            resolved_at,
            ..MessageFacts::default()
        };
        // Answered in 10, resolved in 30; resolved in 5 without an answer; untouched.
        let messages = [m(0, Some(10), Some(30)), m(100, None, Some(105)), m(200, None, None)];
        let f = figures(&messages, &[4], |a, b| (b - a) / 2);
        assert_eq!((f.received, f.answered, f.resolved), (3, 1, 2));
        assert_eq!(f.response_rate, Some(1.0 / 3.0));
        assert_eq!(f.resolution_rate, Some(2.0 / 3.0));
        assert_eq!(f.first_response_wall, Durations { count: 1, median: Some(10), p90: Some(10) });
        assert_eq!(f.first_response_business.median, Some(5));
        assert_eq!(f.resolution_wall, Durations { count: 2, median: Some(5), p90: Some(30) });
        assert_eq!(f.satisfaction.average, Some(4.0));
    }
}
