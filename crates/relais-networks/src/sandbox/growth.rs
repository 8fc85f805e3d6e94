//! The sandbox simulator's numbers, beyond its named audience: followers that grow over time with
//! noise and the rhythm of the audience's days and weeks, and each post's impressions, reach,
//! likes, replies, reposts, quotes and link clicks rising after release and slowing down (90 %
//! of the final counts within 48 hours), scaled by the account's followers, a per-post quality
//! and the hour it went out. Everything is a closed formula of the account id, the post id and
//! the time (hashed like the audience), so every process and every call gives the same numbers,
//! and cumulative counters never go down.

use super::audience::seed_of;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// 2025-01-01T00:00Z, a Wednesday: where the simulated follower curves start.
const ORIGIN_MS: i64 = 1_735_689_600_000;
/// Weekday of the origin, Monday = 0.
const ORIGIN_WEEKDAY: i64 = 2;
/// The simulated audience lives in France: its clock is read at UTC+1 (a DST hour off in
/// summer is no matter for a simulator).
const AUDIENCE_OFFSET_MS: i64 = HOUR_MS;

/// How active the audience is at each local hour (night low, lunch and evening peaks).
const HOURS: [f64; 24] =
    [0.25, 0.15, 0.1, 0.1, 0.1, 0.2, 0.45, 0.9, 1.3, 1.35, 1.25, 1.3, 1.7, 1.6, 1.2, 1.1, 1.1, 1.25, 1.55, 1.8, 1.75, 1.45, 1.0, 0.55];
/// How active on each weekday, Monday first (weekends quieter).
const WEEKDAYS: [f64; 7] = [1.05, 1.12, 1.1, 1.08, 1.0, 0.85, 0.8];

/// The audience's activity in the hour holding `at_ms`; its mean over a week is 1.
pub fn activity(at_ms: i64) -> f64 {
    let (weekday, hour) = local_slot(at_ms);
    HOURS[hour] * WEEKDAYS[weekday] / mean_weight()
}

fn mean_weight() -> f64 {
    let (h, w): (f64, f64) = (HOURS.iter().sum(), WEEKDAYS.iter().sum());
    h * w / (24.0 * 7.0)
}

/// (weekday Monday = 0, hour) of the audience's clock.
fn local_slot(at_ms: i64) -> (usize, usize) {
    let local = at_ms - ORIGIN_MS + AUDIENCE_OFFSET_MS;
    let day = local.div_euclid(DAY_MS);
    ((day + ORIGIN_WEEKDAY).rem_euclid(7) as usize, (local.rem_euclid(DAY_MS) / HOUR_MS) as usize)
}

/// Days of audience activity since the origin: the integral of [`activity`], so a quiet night
/// adds less than a busy evening, and a week adds 7.
fn active_days(at_ms: i64) -> f64 {
    let hours = (at_ms - ORIGIN_MS) as f64 / HOUR_MS as f64;
    let weeks = (hours / 168.0).floor();
    let start = ORIGIN_MS + (weeks as i64) * 168 * HOUR_MS;
    let mut days = weeks * 7.0;
    let mut t = start;
    while t + HOUR_MS <= at_ms {
        days += activity(t) / 24.0;
        t += HOUR_MS;
    }
    days + activity(t) / 24.0 * (at_ms - t) as f64 / HOUR_MS as f64
}

/// A number in [0, 1) from a text.
fn unit(text: &str) -> f64 {
    (seed_of(text) >> 11) as f64 / (1u64 << 53) as f64
}

/// The account's followers at `at_ms` (besides those its named audience brings): a base of
/// 800 to 10,000 growing 0.05 % to 0.25 % a day of activity, with a wobble of ±0.4 % that moves
/// day by day, so some days lose followers.
pub fn followers_at(account_id: &str, at_ms: i64) -> i64 {
    let base = 800.0 + 9200.0 * unit(&format!("{account_id}:base"));
    let rate = 0.0005 + 0.002 * unit(&format!("{account_id}:rate"));
    let day = (at_ms - ORIGIN_MS).div_euclid(DAY_MS);
    let within = (at_ms - ORIGIN_MS).rem_euclid(DAY_MS) as f64 / DAY_MS as f64;
    let noise = |d: i64| 2.0 * unit(&format!("{account_id}:day:{d}")) - 1.0;
    let wobble = noise(day) * (1.0 - within) + noise(day + 1) * within;
    (base * (rate * active_days(at_ms)).exp() * (1.0 + 0.004 * wobble)).round() as i64
}

/// The share of a post's final counts reached `age_ms` after its release: 1 − e^(−age/τ), with τ
/// chosen so that 90 % is reached at 48 hours (τ = 48 h / ln 10 ≈ 20.8 h). Fast at first, then
/// slower and slower.
pub fn share_at(age_ms: i64) -> f64 {
    if age_ms <= 0 {
        return 0.0;
    }
    let tau = 48.0 / std::f64::consts::LN_10;
    1.0 - (-(age_ms as f64 / HOUR_MS as f64) / tau).exp()
}

/// A post's counters, from its crowd (not its named audience).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Crowd {
    pub impressions: i64,
    pub reach: i64,
    pub likes: i64,
    pub replies: i64,
    pub reposts: i64,
    pub quotes: i64,
    pub link_clicks: i64,
}

/// The post's quality: most posts modest, a few hits (0.4 to 2.6, skewed low).
pub fn quality(post_id: &str) -> f64 {
    let u = unit(&format!("{post_id}:quality"));
    0.4 + 2.2 * u * u
}

/// What the crowd did with the post `post_id` of the account, published at `published_at`, by
/// `at_ms`: final counts proportional to the followers at release, the post's quality and the
/// audience's activity at that hour (a post at 19:00 on a Tuesday does better than at 03:00 on
/// a Sunday), times [`share_at`] of its age. Link clicks only for a post with a link.
pub fn crowd(account_id: &str, post_id: &str, published_at: i64, has_link: bool, at_ms: i64) -> Crowd {
    let share = share_at(at_ms - published_at);
    let seen = followers_at(account_id, published_at) as f64 * 0.35 * quality(post_id) * activity(published_at);
    let part = |ratio: f64| (seen * ratio * share).floor() as i64;
    Crowd {
        impressions: part(1.0),
        reach: part(0.72),
        likes: part(0.03),
        replies: part(0.003),
        reposts: part(0.006),
        quotes: part(0.0012),
        link_clicks: if has_link { part(0.012) } else { 0 },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Monday 2 March 2026, 00:00 in Paris (UTC+1).
    const MONDAY: i64 = 1_772_406_000_000;

    #[test]
    fn the_same_inputs_give_the_same_numbers() {
        assert_eq!(followers_at("acc-1", MONDAY), followers_at("acc-1", MONDAY));
        assert_ne!(followers_at("acc-1", MONDAY), followers_at("acc-2", MONDAY));
        assert_eq!(crowd("acc-1", "p1", MONDAY, true, MONDAY + DAY_MS), crowd("acc-1", "p1", MONDAY, true, MONDAY + DAY_MS));
    }

    #[test]
    fn followers_grow_over_months_with_days_that_lose_some() {
        let a = followers_at("acc-1", MONDAY);
        let later = followers_at("acc-1", MONDAY + 180 * DAY_MS);
        assert!(later > a, "{a} → {later}");
        assert!((800..=60_000).contains(&a), "{a}");
        // Day by day, the wobble makes some days go down.
        let daily: Vec<i64> = (0..120).map(|d| followers_at("acc-1", MONDAY + d * DAY_MS)).collect();
        assert!(daily.windows(2).any(|w| w[1] < w[0]), "some days lose followers");
        assert!(daily.windows(2).filter(|w| w[1] > w[0]).count() > 60, "most days gain");
    }

    #[test]
    fn the_weekly_and_daily_rhythm_shows() {
        let mean: f64 = (0..168).map(|h| activity(MONDAY + h * HOUR_MS)).sum::<f64>() / 168.0;
        assert!((mean - 1.0).abs() < 1e-9, "{mean}");
        // Tuesday 19:00 against Sunday 03:00, local.
        assert!(activity(MONDAY + DAY_MS + 19 * HOUR_MS) > 5.0 * activity(MONDAY + 6 * DAY_MS + 3 * HOUR_MS));
        // The same post does better at the busy hour.
        let busy = crowd("acc-1", "p", MONDAY + DAY_MS + 19 * HOUR_MS, false, MONDAY + 30 * DAY_MS);
        let quiet = crowd("acc-1", "p", MONDAY + 6 * DAY_MS + 3 * HOUR_MS, false, MONDAY + 30 * DAY_MS);
        assert!(busy.impressions > 3 * quiet.impressions, "{busy:?} {quiet:?}");
        // A week of activity adds seven days, whatever the hour it starts.
        let week = active_days(MONDAY + 7 * DAY_MS + 5 * HOUR_MS) - active_days(MONDAY + 5 * HOUR_MS);
        assert!((week - 7.0).abs() < 1e-6, "{week}");
    }

    #[test]
    fn a_posts_counters_rise_and_slow_down() {
        assert_eq!(share_at(0), 0.0);
        assert!((share_at(48 * HOUR_MS) - 0.9).abs() < 1e-9);
        let at = |h: i64| crowd("acc-1", "post-7", MONDAY + 9 * HOUR_MS, true, MONDAY + 9 * HOUR_MS + h * HOUR_MS);
        let series: Vec<Crowd> = (0..=24 * 7).map(at).collect();
        for w in series.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert!(
                b.impressions >= a.impressions && b.likes >= a.likes && b.replies >= a.replies && b.reposts >= a.reposts,
                "cumulative counters never go down: {a:?} {b:?}"
            );
            assert!(b.quotes >= a.quotes && b.link_clicks >= a.link_clicks && b.reach >= a.reach);
        }
        assert_eq!(series[0], Crowd::default(), "nothing at release");
        // The first six hours add more than hours 48 to 54: the curve decays.
        let first = series[6].impressions - series[0].impressions;
        let later = series[54].impressions - series[48].impressions;
        assert!(first > 4 * later, "{first} vs {later}");
        assert!(series[168].likes > 0 && series[168].link_clicks > 0 && series[168].reach < series[168].impressions);
        // No link, no clicks.
        assert_eq!(crowd("acc-1", "post-7", MONDAY, false, MONDAY + 7 * DAY_MS).link_clicks, 0);
        // Quality varies between posts.
        let q: Vec<f64> = (0..50).map(|n| quality(&format!("p{n}"))).collect();
        assert!(q.iter().any(|&x| x < 0.8) && q.iter().any(|&x| x > 1.6));
    }
}
