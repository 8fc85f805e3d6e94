//! Engagement: how many interactions the posts drew, divided by one of three bases. The three
//! rates are three KPIs with their own labels, because they differ by an order of magnitude (a
//! post seen by a tenth of the followers has a rate by followers ten times below its rate by reach).

use super::{Base, Figure, Kpi, NotAvailable, Value};

/// What a post drew. Engagements = likes + replies + reposts + quotes. Link clicks are left out:
/// not every network reports them, and rates must compare across networks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Engagements {
    pub likes: u64,
    pub replies: u64,
    pub reposts: u64,
    pub quotes: u64,
}

impl Engagements {
    /// likes + replies + reposts + quotes.
    pub fn total(&self) -> u64 {
        self.likes.saturating_add(self.replies).saturating_add(self.reposts).saturating_add(self.quotes)
    }
}

/// One published post's engagements and the audiences it can be divided by; `None` where the
/// network does not report the measure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostResult {
    pub engagements: Engagements,
    pub reach: Option<u64>,
    pub impressions: Option<u64>,
    /// The account's followers when the post was published.
    pub followers: Option<u64>,
}

/// The denominator of an engagement rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EngagementBasis {
    Reach,
    Impressions,
    Followers,
}

impl EngagementBasis {
    pub const ALL: [EngagementBasis; 3] = [EngagementBasis::Reach, EngagementBasis::Impressions, EngagementBasis::Followers];

    /// The KPI of the rate on this basis.
    pub fn kpi(self) -> Kpi {
        match self {
            EngagementBasis::Reach => Kpi::EngagementRateByReach,
            EngagementBasis::Impressions => Kpi::EngagementRateByImpressions,
            EngagementBasis::Followers => Kpi::EngagementRateByFollowers,
        }
    }

    fn base(self) -> Base {
        match self {
            EngagementBasis::Reach => Base::Reach,
            EngagementBasis::Impressions => Base::Impressions,
            EngagementBasis::Followers => Base::Followers,
        }
    }

    /// The post's measure on this basis.
    pub fn of(self, post: &PostResult) -> Option<u64> {
        match self {
            EngagementBasis::Reach => post.reach,
            EngagementBasis::Impressions => post.impressions,
            EngagementBasis::Followers => post.followers,
        }
    }
}

/// Engagement rate by reach = engagements / reach.
pub fn engagement_rate_by_reach(engagements: u64, reach: u64) -> Figure {
    rate(EngagementBasis::Reach, engagements, reach)
}

/// Engagement rate by impressions = engagements / impressions.
pub fn engagement_rate_by_impressions(engagements: u64, impressions: u64) -> Figure {
    rate(EngagementBasis::Impressions, engagements, impressions)
}

/// Engagement rate by followers = engagements / followers.
pub fn engagement_rate_by_followers(engagements: u64, followers: u64) -> Figure {
    rate(EngagementBasis::Followers, engagements, followers)
}

/// engagements / base, labelled with the basis; not available when the base is zero.
pub fn rate(basis: EngagementBasis, engagements: u64, base: u64) -> Figure {
    let value = if base == 0 { Err(NotAvailable::Zero(basis.base())) } else { Ok(Value::Percent(engagements as f64 / base as f64)) };
    Figure::new(basis.kpi(), value)
}

/// The engagement rate of a set of posts (those published in the period) =
/// Σ engagements / Σ base, over the posts whose network reports the base.
///
/// A post without the measure is left out of both sums, so a network that reports no reach
/// neither inflates nor dilutes the rate by reach. Summing before dividing weights each post by
/// its audience: ten posts seen by 100 people do not outweigh one seen by 100,000. Not available
/// without posts, or when no post has the measure.
pub fn engagement_rate<'a>(basis: EngagementBasis, posts: impl IntoIterator<Item = &'a PostResult>) -> Figure {
    RateSums::of(basis, posts).rate(basis)
}

/// What [`engagement_rate`] adds up over a set of posts, for one basis: a store sums these over
/// many posts in the database and the rate is still computed here, by the same rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateSums {
    /// Posts in the set.
    pub posts: u64,
    /// Posts whose network reports the base.
    pub reporting: u64,
    /// Σ engagements over the reporting posts.
    pub engagements: u64,
    /// Σ base over the reporting posts.
    pub base: u64,
}

impl RateSums {
    pub fn of<'a>(basis: EngagementBasis, posts: impl IntoIterator<Item = &'a PostResult>) -> RateSums {
        let mut sums = RateSums::default();
        for post in posts {
            sums.posts += 1;
            if let Some(b) = basis.of(post) {
                sums.reporting += 1;
                sums.engagements = sums.engagements.saturating_add(post.engagements.total());
                sums.base = sums.base.saturating_add(b);
            }
        }
        sums
    }

    /// Σ engagements / Σ base; not available without posts, or when none reports the base.
    pub fn rate(&self, basis: EngagementBasis) -> Figure {
        if self.posts == 0 {
            return Figure::new(basis.kpi(), Err(NotAvailable::Zero(Base::Posts)));
        }
        if self.reporting == 0 {
            return Figure::new(basis.kpi(), Err(NotAvailable::NotReported(basis.base())));
        }
        rate(basis, self.engagements, self.base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engagements_add_likes_replies_reposts_and_quotes() {
        // 10 + 2 + 3 + 1 = 16.
        assert_eq!(Engagements { likes: 10, replies: 2, reposts: 3, quotes: 1 }.total(), 16);
    }

    #[test]
    fn the_same_engagements_give_three_labelled_rates() {
        // 16 / 400 = 0.04; 16 / 800 = 0.02; 16 / 2000 = 0.008.
        let by_reach = engagement_rate_by_reach(16, 400);
        let by_impressions = engagement_rate_by_impressions(16, 800);
        let by_followers = engagement_rate_by_followers(16, 2000);
        assert_eq!((by_reach.kpi(), by_reach.value()), (Kpi::EngagementRateByReach, Ok(Value::Percent(0.04))));
        assert_eq!((by_impressions.kpi(), by_impressions.value()), (Kpi::EngagementRateByImpressions, Ok(Value::Percent(0.02))));
        assert_eq!((by_followers.kpi(), by_followers.value()), (Kpi::EngagementRateByFollowers, Ok(Value::Percent(0.008))));
    }

    #[test]
    fn zero_impressions_or_zero_followers_give_no_rate() {
        assert_eq!(engagement_rate_by_impressions(5, 0).value(), Err(NotAvailable::Zero(Base::Impressions)));
        assert_eq!(engagement_rate_by_followers(0, 0).value(), Err(NotAvailable::Zero(Base::Followers)));
        // No engagement on a real audience is a rate of zero, not a missing one.
        assert_eq!(engagement_rate_by_reach(0, 50).value(), Ok(Value::Percent(0.0)));
    }

    #[test]
    fn a_period_rate_sums_before_dividing_and_skips_posts_without_the_measure() {
        let post = |likes, reach, impressions, followers| PostResult {
            engagements: Engagements { likes, ..Engagements::default() },
            reach,
            impressions,
            followers: Some(followers),
        };
        let posts = [post(10, Some(100), Some(200), 1000), post(30, None, Some(600), 1000), post(0, Some(100), None, 1000)];
        // By reach: posts 1 and 3, (10 + 0) / (100 + 100) = 0.05.
        assert_eq!(engagement_rate(EngagementBasis::Reach, &posts).value(), Ok(Value::Percent(0.05)));
        // By impressions: posts 1 and 2, (10 + 30) / (200 + 600) = 0.05.
        assert_eq!(engagement_rate(EngagementBasis::Impressions, &posts).value(), Ok(Value::Percent(0.05)));
        // By followers: all, (10 + 30 + 0) / 3000 = 0.01333…
        let f = engagement_rate(EngagementBasis::Followers, &posts).number().unwrap();
        assert!((f - 40.0 / 3000.0).abs() < 1e-12);
        // No post reports reach: not available, rather than 0 %.
        let no_reach = [post(5, None, Some(10), 10)];
        assert_eq!(engagement_rate(EngagementBasis::Reach, &no_reach).value(), Err(NotAvailable::NotReported(Base::Reach)));
        // No post at all in the period.
        assert_eq!(engagement_rate(EngagementBasis::Impressions, &[]).value(), Err(NotAvailable::Zero(Base::Posts)));
    }
}
