//! Publishing: how often the workspace posts, and when its posts do best.

use super::engagement::{self, EngagementBasis, PostResult};
use super::{Base, Figure, Kpi, NotAvailable, Period, Value};
use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;

/// Posting frequency = posts × 7 / days of the period, in posts per week (12 posts over a 30-day
/// month is 2.8 a week).
pub fn posting_frequency(posts: u64, period: &Period) -> Figure {
    // A period has at least one day.
    Figure::new(Kpi::PostingFrequency, Ok(Value::PerWeek(posts as f64 * 7.0 / period.days() as f64)))
}

/// A pillar's actual share of the calendar: its posts over all the posts of the same period
/// (with or without a pillar), to set against the share the SMM aims at. `None` for an empty
/// calendar.
pub fn calendar_share(pillar_posts: u64, all_posts: u64) -> Option<f64> {
    (all_posts > 0).then(|| pillar_posts as f64 / all_posts as f64)
}

/// A slot needs this many posts before it can be called a best time: one lucky post is not a
/// habit of the audience.
pub const MIN_POSTS_PER_SLOT: u32 = 3;

/// A published post and when it went out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedPost {
    pub published_at: Timestamp,
    pub result: PostResult,
}

/// One hour of one weekday: how many posts went out then, and their average engagement rate.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cell {
    pub posts: u32,
    rate_sum: f64,
}

impl Cell {
    /// The mean of the posts' engagement rates; `None` for an hour with no post.
    pub fn average(&self) -> Option<f64> {
        (self.posts > 0).then(|| self.rate_sum / f64::from(self.posts))
    }
}

/// One weekday and hour of rolled-up posts: how many were rated and the sum of their rates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlotSums {
    pub weekday: Weekday,
    pub hour: u8,
    pub rated: u32,
    pub rate_sum: f64,
}

/// A best time: the weekday, the hour (local, 0–23), the average rate and how many posts it
/// rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BestSlot {
    pub weekday: Weekday,
    pub hour: u8,
    pub average: Figure,
    pub posts: u32,
}

/// The best-times heat map: a 7 × 24 grid (Monday first, local hours) of the average engagement
/// rate of the posts published in each hour, in the workspace's time zone.
///
/// Each cell averages the posts' own rates (engagements / base of each post), so every post
/// weighs the same: the question is when the next post should go out, not which hour had the
/// biggest audience. A post whose network does not report the base, or whose base is zero, is
/// left out and counted in [`BestTimes::skipped`]. Hours are read on the local clock of each
/// post's instant, so 09:00 is 09:00 on both sides of a DST change; in the autumn fold both
/// 02:xx hours fall in the 2 o'clock cell, and on the spring-forward night that cell stays empty.
#[derive(Debug, Clone, PartialEq)]
pub struct BestTimes {
    basis: EngagementBasis,
    cells: [[Cell; 24]; 7],
    skipped: u32,
}

impl BestTimes {
    /// The map of `posts`, each rated by `basis`, read on the clock of `zone`.
    pub fn of<'a>(posts: impl IntoIterator<Item = &'a TimedPost>, basis: EngagementBasis, zone: &TimeZone) -> BestTimes {
        let mut grid = BestTimes { basis, cells: [[Cell::default(); 24]; 7], skipped: 0 };
        for post in posts {
            let base = basis.of(&post.result).unwrap_or(0);
            let Some(rate) = engagement::rate(basis, post.result.engagements.total(), base).number() else {
                grid.skipped += 1;
                continue;
            };
            let local = post.published_at.to_zoned(zone.clone());
            let cell = &mut grid.cells[local.weekday().to_monday_zero_offset() as usize][local.hour() as usize];
            cell.posts += 1;
            cell.rate_sum += rate;
        }
        grid
    }

    /// The map from sums already made per weekday and hour (the store's rollups): for each
    /// slot, the posts rated on `basis` and the sum of their rates; `skipped` as in
    /// [`BestTimes::of`]. Gives the same map as `of` over the same posts.
    pub fn from_sums(basis: EngagementBasis, slots: impl IntoIterator<Item = SlotSums>, skipped: u32) -> BestTimes {
        let mut grid = BestTimes { basis, cells: [[Cell::default(); 24]; 7], skipped };
        for s in slots {
            let cell = &mut grid.cells[s.weekday.to_monday_zero_offset() as usize][usize::from(s.hour.min(23))];
            cell.posts += s.rated;
            cell.rate_sum += s.rate_sum;
        }
        grid
    }

    /// The engagement rate the cells average, for the map's title and legend.
    pub fn kpi(&self) -> Kpi {
        self.basis.kpi()
    }

    /// `hour` is 0–23 (out of range is clamped to 23).
    pub fn cell(&self, weekday: Weekday, hour: u8) -> Cell {
        self.cells[weekday.to_monday_zero_offset() as usize][usize::from(hour.min(23))]
    }

    /// The rows, Monday first, each of 24 hours.
    pub fn rows(&self) -> impl Iterator<Item = (Weekday, &[Cell; 24])> {
        self.cells.iter().enumerate().map(|(i, row)| (Weekday::from_monday_zero_offset(i as i8).expect("seven rows"), row))
    }

    /// A cell's average as a figure of the grid's KPI; not available for an hour with no post.
    pub fn figure(&self, cell: Cell) -> Figure {
        Figure::new(self.kpi(), cell.average().map(Value::Percent).ok_or(NotAvailable::Zero(Base::Posts)))
    }

    /// Posts left out for lack of a base.
    pub fn skipped(&self) -> u32 {
        self.skipped
    }

    /// Up to `limit` slots with at least `min_posts` posts, best average first; among equal
    /// averages the slot with more posts, then the earlier in the week.
    pub fn best(&self, min_posts: u32, limit: usize) -> Vec<BestSlot> {
        let mut slots: Vec<(Weekday, u8, Cell)> = self
            .rows()
            .flat_map(|(day, row)| row.iter().enumerate().map(move |(hour, cell)| (day, hour as u8, *cell)))
            .filter(|(_, _, cell)| cell.posts >= min_posts.max(1))
            .collect();
        // Already in week order, and the sort is stable.
        slots.sort_by(|a, b| {
            let (x, y) = (a.2.average().unwrap_or(0.0), b.2.average().unwrap_or(0.0));
            y.total_cmp(&x).then(b.2.posts.cmp(&a.2.posts))
        });
        slots
            .into_iter()
            .take(limit)
            .map(|(weekday, hour, cell)| BestSlot { weekday, hour, average: self.figure(cell), posts: cell.posts })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pillars_share_counts_every_post_of_the_period() {
        // 3 of 12 posts: 0.25; nothing planned: no share.
        assert_eq!(calendar_share(3, 12), Some(0.25));
        assert_eq!(calendar_share(0, 0), None);
    }
    use crate::kpi::engagement::Engagements;
    use jiff::civil::date;

    #[test]
    fn posting_frequency_is_posts_per_week() {
        let april = Period::new(date(2026, 4, 1), date(2026, 4, 30)).unwrap();
        // 12 × 7 / 30 = 2.8.
        let f = posting_frequency(12, &april).number().unwrap();
        assert!((f - 2.8).abs() < 1e-12);
        let week = Period::new(date(2026, 4, 6), date(2026, 4, 12)).unwrap();
        // 5 × 7 / 7 = 5; no post is 0 a week, not "not available".
        assert_eq!(posting_frequency(5, &week).value(), Ok(Value::PerWeek(5.0)));
        assert_eq!(posting_frequency(0, &week).value(), Ok(Value::PerWeek(0.0)));
        // One day, two posts: 2 × 7 / 1 = 14.
        let day = Period::new(date(2026, 4, 6), date(2026, 4, 6)).unwrap();
        assert_eq!(posting_frequency(2, &day).value(), Ok(Value::PerWeek(14.0)));
    }

    fn post(at: &str, likes: u64, impressions: Option<u64>) -> TimedPost {
        TimedPost {
            published_at: at.parse().unwrap(),
            result: PostResult { engagements: Engagements { likes, ..Engagements::default() }, impressions, ..PostResult::default() },
        }
    }

    fn paris() -> TimeZone {
        TimeZone::get("Europe/Paris").unwrap()
    }

    #[test]
    fn cells_average_the_posts_rates_in_local_time() {
        let posts = [
            // Monday 6 April 2026, 09:10 and 09:50 in Paris (UTC+2): 5 / 100 = 0.05 and 15 / 100 = 0.15.
            post("2026-04-06T07:10:00Z", 5, Some(100)),
            post("2026-04-06T07:50:00Z", 15, Some(100)),
            // Tuesday 18:00 in Paris: 1 / 50 = 0.02.
            post("2026-04-07T16:00:00Z", 1, Some(50)),
            // No impressions reported, or none at all: left out.
            post("2026-04-07T16:00:00Z", 9, None),
            post("2026-04-07T16:00:00Z", 9, Some(0)),
        ];
        let grid = BestTimes::of(&posts, EngagementBasis::Impressions, &paris());
        assert_eq!(grid.kpi(), Kpi::EngagementRateByImpressions);
        let monday_nine = grid.cell(Weekday::Monday, 9);
        // (0.05 + 0.15) / 2 = 0.10.
        assert_eq!(monday_nine.posts, 2);
        assert!((monday_nine.average().unwrap() - 0.10).abs() < 1e-12);
        assert_eq!(grid.cell(Weekday::Tuesday, 18).posts, 1);
        assert_eq!(grid.cell(Weekday::Monday, 7).posts, 0, "UTC hours are not local hours");
        assert_eq!(grid.skipped(), 2);
        assert_eq!(grid.figure(grid.cell(Weekday::Sunday, 3)).value(), Err(NotAvailable::Zero(Base::Posts)));
        assert_eq!(grid.rows().count(), 7);
    }

    #[test]
    fn nine_o_clock_stays_nine_o_clock_across_the_dst_change() {
        let posts = [
            // Monday 23 March 2026, 09:00 in Paris, still UTC+1: 08:00Z.
            post("2026-03-23T08:00:00Z", 2, Some(100)),
            // Sunday 29 March: the clocks skip from 02:00 to 03:00; 01:30Z is 03:30 local.
            post("2026-03-29T01:30:00Z", 2, Some(100)),
            // Monday 30 March, 09:00 in Paris, now UTC+2: 07:00Z.
            post("2026-03-30T07:00:00Z", 4, Some(100)),
            // Sunday 25 October 2026: 02:30 happens twice (00:30Z at UTC+2, 01:30Z at UTC+1).
            post("2026-10-25T00:30:00Z", 1, Some(100)),
            post("2026-10-25T01:30:00Z", 3, Some(100)),
        ];
        let grid = BestTimes::of(&posts, EngagementBasis::Impressions, &paris());
        let monday_nine = grid.cell(Weekday::Monday, 9);
        // Both Mondays at 09:00 local: (0.02 + 0.04) / 2 = 0.03.
        assert_eq!(monday_nine.posts, 2);
        assert!((monday_nine.average().unwrap() - 0.03).abs() < 1e-12);
        assert_eq!(grid.cell(Weekday::Monday, 8).posts, 0);
        assert_eq!(grid.cell(Weekday::Sunday, 3).posts, 1);
        // The fold: both 02:30s in the 2 o'clock cell, (0.01 + 0.03) / 2 = 0.02.
        let sunday_two = grid.cell(Weekday::Sunday, 2);
        assert_eq!(sunday_two.posts, 2);
        assert!((sunday_two.average().unwrap() - 0.02).abs() < 1e-12);
    }

    #[test]
    fn one_lucky_post_does_not_make_a_best_time() {
        let mut posts = vec![
            // Friday 10 April 2026 20:00 in Paris: one post at 50 / 100 = 0.5.
            post("2026-04-10T18:00:00Z", 50, Some(100)),
        ];
        // Three Tuesdays at 12:00 in Paris: 10, 12, 14 out of 100, average 0.12.
        for (day, likes) in [(7, 10), (14, 12), (21, 14)] {
            posts.push(post(&format!("2026-04-{day:02}T10:00:00Z"), likes, Some(100)));
        }
        // Three Thursdays at 08:00: 5 each, average 0.05.
        for day in [9, 16, 23] {
            posts.push(post(&format!("2026-04-{day:02}T06:00:00Z"), 5, Some(100)));
        }
        let grid = BestTimes::of(&posts, EngagementBasis::Impressions, &paris());
        let best = grid.best(MIN_POSTS_PER_SLOT, 5);
        assert_eq!(
            best.iter().map(|s| (s.weekday, s.hour, s.posts)).collect::<Vec<_>>(),
            [(Weekday::Tuesday, 12, 3), (Weekday::Thursday, 8, 3)]
        );
        assert_eq!(best[0].average.kpi(), Kpi::EngagementRateByImpressions);
        assert!((best[0].average.number().unwrap() - 0.12).abs() < 1e-12);
        // Without the minimum the lucky post wins; with a limit of one only it is kept.
        let lucky = grid.best(1, 1);
        assert_eq!((lucky[0].weekday, lucky[0].hour), (Weekday::Friday, 20));
        assert_eq!(lucky.len(), 1);
    }

    #[test]
    fn sums_made_per_slot_give_the_same_map_as_the_posts() {
        // Monday 09:00 in Paris: rates 0.05 and 0.15, summed to 0.20 over 2 posts; Tuesday 18:00:
        // 0.02 over 1; two posts without a base skipped.
        let sums = [
            SlotSums { weekday: Weekday::Monday, hour: 9, rated: 2, rate_sum: 0.20 },
            SlotSums { weekday: Weekday::Tuesday, hour: 18, rated: 1, rate_sum: 0.02 },
        ];
        let grid = BestTimes::from_sums(EngagementBasis::Impressions, sums, 2);
        let posts = [
            post("2026-04-06T07:10:00Z", 5, Some(100)),
            post("2026-04-06T07:50:00Z", 15, Some(100)),
            post("2026-04-07T16:00:00Z", 1, Some(50)),
            post("2026-04-07T16:00:00Z", 9, None),
            post("2026-04-07T16:00:00Z", 9, Some(0)),
        ];
        let of_posts = BestTimes::of(&posts, EngagementBasis::Impressions, &paris());
        assert_eq!(grid.skipped(), of_posts.skipped());
        for (weekday, hour) in [(Weekday::Monday, 9), (Weekday::Tuesday, 18), (Weekday::Sunday, 3)] {
            let (a, b) = (grid.cell(weekday, hour), of_posts.cell(weekday, hour));
            assert_eq!(a.posts, b.posts);
            assert_eq!(a.average().map(|x| (x * 1e9).round()), b.average().map(|x| (x * 1e9).round()));
        }
    }

    #[test]
    fn no_history_gives_an_empty_map_and_no_best_time() {
        let grid = BestTimes::of(&[], EngagementBasis::Followers, &paris());
        assert!(grid.rows().all(|(_, row)| row.iter().all(|c| c.posts == 0 && c.average().is_none())));
        assert!(grid.best(MIN_POSTS_PER_SLOT, 3).is_empty());
    }
}
