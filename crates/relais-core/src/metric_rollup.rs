//! Rollup buckets of metric samples: how a series of cumulative counters (a post's likes, an
//! account's followers) becomes one row per hour or per day, so dashboards read a few rows
//! instead of every sample. Pure arithmetic; the store reads the samples and writes the rows.
//!
//! Conventions:
//! - an hour bucket is the UTC hour (epoch ms floored to 3,600,000); a day bucket is a date of the
//!   workspace's time zone, so a DST day has 23 or 25 hours;
//! - a post's bucket keeps its **last cumulative values** in the bucket and the **increase** since
//!   the last sample before the bucket (a post starts at zero, so its first bucket's increase is
//!   its first values); counters can go down (an unlike), so increases are signed;
//! - an account's bucket keeps the followers at its end (the last sample at or before its end,
//!   carried over buckets without a sample) and the followers gained and lost, summed from the
//!   changes between consecutive samples: a change is counted in the bucket of the later sample.
//!   The first sample ever has no change to count.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;

pub const HOUR_MS: i64 = 3_600_000;

/// The start of the UTC hour holding `at_ms`.
pub fn hour_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(HOUR_MS) * HOUR_MS
}

/// The date of `zone` at the instant `at_ms`.
pub fn day_of(at_ms: i64, zone: &TimeZone) -> Date {
    Timestamp::from_millisecond(at_ms).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(zone.clone()).date()
}

/// `[start, end)` of `day` in `zone`, in epoch ms: 23 hours on the spring-forward day, 25 on the
/// fall-back day. `None` only at the ends of the calendar.
pub fn day_bounds(day: Date, zone: &TimeZone) -> Option<(i64, i64)> {
    let start = day.to_zoned(zone.clone()).ok()?.timestamp().as_millisecond();
    let end = day.tomorrow().ok()?.to_zoned(zone.clone()).ok()?.timestamp().as_millisecond();
    Some((start, end))
}

/// The `YYYY-MM-DD` key of a day bucket (sorts as the days do).
pub fn day_key(day: Date) -> String {
    day.to_string()
}

/// A post's counters at one instant, as the network reported them; `None` for a measure the
/// network does not give (never zero in its place).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostCounters {
    pub likes: i64,
    pub replies: i64,
    pub reposts: i64,
    pub quotes: i64,
    pub impressions: Option<i64>,
    pub reach: Option<i64>,
    pub link_clicks: Option<i64>,
}

impl PostCounters {
    /// What was added since `before` (`None`: the post's start, all zeros). A measure the later
    /// sample does not report has no increase (a network reports a measure always or never).
    pub fn since(&self, before: Option<&PostCounters>) -> PostCounters {
        let b = before.copied().unwrap_or_default();
        let opt = |now: Option<i64>, then: Option<i64>| now.map(|n| n - then.unwrap_or(0));
        PostCounters {
            likes: self.likes - b.likes,
            replies: self.replies - b.replies,
            reposts: self.reposts - b.reposts,
            quotes: self.quotes - b.quotes,
            impressions: opt(self.impressions, b.impressions),
            reach: opt(self.reach, b.reach),
            link_clicks: opt(self.link_clicks, b.link_clicks),
        }
    }
}

/// One bucket of a post: its last values in the bucket and what the bucket added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostBucket<K> {
    pub key: K,
    pub last: PostCounters,
    pub increase: PostCounters,
}

/// The buckets of a post's samples (`(taken_at, counters)`, oldest first), given the last sample
/// before the first of them (`None` when they are the post's first). Only buckets holding a
/// sample are returned: a bucket without one added nothing that was seen.
pub fn post_buckets<K: PartialEq + Clone>(
    before: Option<&PostCounters>,
    samples: &[(i64, PostCounters)],
    key_of: impl Fn(i64) -> K,
) -> Vec<PostBucket<K>> {
    let mut out: Vec<PostBucket<K>> = vec![];
    // The last values before the current bucket.
    let mut previous = before.copied();
    for (at, counters) in samples {
        let key = key_of(*at);
        match out.last_mut() {
            Some(b) if b.key == key => b.last = *counters,
            _ => {
                if let Some(b) = out.last() {
                    previous = Some(b.last);
                }
                out.push(PostBucket { key, last: *counters, increase: PostCounters::default() });
            }
        }
        let b = out.last_mut().expect("just pushed");
        b.increase = b.last.since(previous.as_ref());
    }
    out
}

/// One bucket of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountBucket<K> {
    pub key: K,
    /// Followers at the end of the bucket (the last sample at or before it).
    pub followers: i64,
    pub following: i64,
    pub gained: i64,
    pub lost: i64,
}

/// An account's counters at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountCounters {
    pub followers: i64,
    pub following: i64,
}

/// A bucket for each of `keys` (in order, contiguous: the caller lists every hour or day of the
/// range, so buckets without a sample carry the followers over), from the account's samples
/// (oldest first, each mapped to its key by `key_of`) and the last sample before them. Buckets
/// before any known value are left out.
pub fn account_buckets<K: PartialEq + Clone>(
    before: Option<AccountCounters>,
    samples: &[(i64, AccountCounters)],
    keys: &[K],
    key_of: impl Fn(i64) -> K,
) -> Vec<AccountBucket<K>> {
    let mut out = vec![];
    let mut last = before;
    let mut i = 0;
    for key in keys {
        let (mut gained, mut lost) = (0, 0);
        while i < samples.len() && key_of(samples[i].0) == *key {
            let now = samples[i].1;
            if let Some(then) = last {
                let change = now.followers - then.followers;
                gained += change.max(0);
                lost += (-change).max(0);
            }
            last = Some(now);
            i += 1;
        }
        if let Some(l) = last {
            out.push(AccountBucket { key: key.clone(), followers: l.followers, following: l.following, gained, lost });
        }
    }
    out
}

/// Every day from `first` to `last`, both included.
pub fn days(first: Date, last: Date) -> Vec<Date> {
    let mut out = vec![];
    let mut d = first;
    while d <= last {
        out.push(d);
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    out
}

/// Every hour start from the hour of `from_ms` to the hour of `to_ms`, both included.
pub fn hours(from_ms: i64, to_ms: i64) -> Vec<i64> {
    (hour_of(from_ms)..=hour_of(to_ms)).step_by(HOUR_MS as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    fn likes(n: i64, impressions: Option<i64>) -> PostCounters {
        PostCounters { likes: n, impressions, ..PostCounters::default() }
    }

    #[test]
    fn a_dst_day_has_23_or_25_hours() {
        let (s, e) = day_bounds(date(2026, 3, 29), &paris()).unwrap();
        assert_eq!(e - s, 23 * HOUR_MS);
        let (s, e) = day_bounds(date(2026, 10, 25), &paris()).unwrap();
        assert_eq!(e - s, 25 * HOUR_MS);
        // 23:30 in Paris on 28 March (UTC+1) is 22:30Z: still the 28th there.
        let at = "2026-03-28T22:30:00Z".parse::<Timestamp>().unwrap().as_millisecond();
        assert_eq!(day_of(at, &paris()), date(2026, 3, 28));
        assert_eq!(day_of(at, &TimeZone::UTC), date(2026, 3, 28));
        assert_eq!(day_of(at + HOUR_MS, &paris()), date(2026, 3, 29));
        assert_eq!(day_key(date(2026, 3, 29)), "2026-03-29");
    }

    #[test]
    fn a_posts_buckets_keep_the_last_values_and_the_increase() {
        let h = HOUR_MS;
        // Hour 0: 3 then 5 likes; hour 2: 9; hour 3: 8 (an unlike).
        let samples = [(10, likes(3, Some(100))), (h - 1, likes(5, Some(150))), (2 * h, likes(9, Some(300))), (3 * h, likes(8, Some(400)))];
        let b = post_buckets(None, &samples, hour_of);
        assert_eq!(b.len(), 3);
        // First bucket: from zero, 5 − 0 = 5 likes, 150 impressions.
        assert_eq!((b[0].key, b[0].last.likes, b[0].increase.likes, b[0].increase.impressions), (0, 5, 5, Some(150)));
        // Second: 9 − 5 = 4 likes, 300 − 150 = 150 impressions.
        assert_eq!((b[1].key, b[1].increase.likes, b[1].increase.impressions), (2 * h, 4, Some(150)));
        // Third: 8 − 9 = −1; 400 − 300 = 100.
        assert_eq!((b[2].increase.likes, b[2].increase.impressions), (-1, Some(100)));
        // A network that does not report impressions has none, not zero.
        let bluesky = post_buckets(None, &[(5, likes(2, None))], hour_of);
        assert_eq!(bluesky[0].increase.impressions, None);
        // Starting after an earlier sample: 5 − 2 = 3.
        let later = post_buckets(Some(&likes(2, Some(50))), &samples[..2], hour_of);
        assert_eq!((later[0].increase.likes, later[0].increase.impressions), (3, Some(100)));
    }

    #[test]
    fn an_accounts_buckets_carry_followers_and_count_gains_and_losses() {
        let c = |followers| AccountCounters { followers, following: 7 };
        // Day 1: 100 → 110 → 105 (gained 10, lost 5); day 2: no sample; day 3: 120 (gained 15).
        let samples = [(1, c(100)), (2, c(110)), (3, c(105)), (20, c(120))];
        let keys = [0, 1, 2];
        let b = account_buckets(Some(c(100)), &samples, &keys, |at| at / 10);
        let got: Vec<_> = b.iter().map(|b| (b.key, b.followers, b.gained, b.lost)).collect();
        assert_eq!(got, [(0, 105, 10, 5), (1, 105, 0, 0), (2, 120, 15, 0)]);
        // Without an earlier sample the first one counts no change.
        let first = account_buckets(None, &samples[..1], &[0], |at| at / 10);
        assert_eq!((first[0].followers, first[0].gained, first[0].lost), (100, 0, 0));
        // A bucket before any known value is left out.
        assert!(account_buckets(None, &samples[3..], &[1, 2], |at| at / 10).iter().all(|b| b.key == 2));
    }

    #[test]
    fn ranges_of_days_and_hours() {
        assert_eq!(days(date(2026, 2, 27), date(2026, 3, 1)).len(), 3);
        assert_eq!(hours(10, 2 * HOUR_MS + 5), [0, HOUR_MS, 2 * HOUR_MS]);
        assert_eq!(hour_of(-1), -HOUR_MS);
    }
}
