//! Audience: how the followers grew and how many accounts the posts reached.

use super::{Base, Figure, Kpi, NotAvailable, Value};

/// Follower growth = followers at the end − followers at the start (negative when the account
/// lost followers).
pub fn follower_growth(start: u64, end: u64) -> Figure {
    Figure::new(Kpi::FollowerGrowth, Ok(Value::Count(signed(end) - signed(start))))
}

/// Follower growth rate = (followers at the end − followers at the start) / followers at the
/// start; not available for an account that started with no followers.
pub fn follower_growth_rate(start: u64, end: u64) -> Figure {
    let value = if start == 0 {
        Err(NotAvailable::Zero(Base::Followers))
    } else {
        Ok(Value::Percent((signed(end) - signed(start)) as f64 / start as f64))
    };
    Figure::new(Kpi::FollowerGrowthRate, value)
}

/// Reach = the sum of the reach the networks report for each post of the period (`None` for a
/// post whose network does not report it).
///
/// Networks give reach per post, never the unique accounts of a whole period, so an account
/// reached by two posts counts twice: this is the cumulative reach. Not available when no post
/// has a reported reach (Bluesky and Mastodon do not report it), which is not the same as zero.
pub fn reach(per_post: impl IntoIterator<Item = Option<u64>>) -> Figure {
    let reported: Vec<u64> = per_post.into_iter().flatten().collect();
    let value = if reported.is_empty() {
        Err(NotAvailable::NotReported(Base::Reach))
    } else {
        Ok(Value::Count(reported.iter().map(|&r| signed(r)).fold(0, i64::saturating_add)))
    };
    Figure::new(Kpi::Reach, value)
}

/// Counts beyond i64 do not happen; saturating keeps the arithmetic total.
fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn growth_and_growth_rate() {
        // 1250 − 1000 = 250; 250 / 1000 = 0.25.
        assert_eq!(follower_growth(1000, 1250).value(), Ok(Value::Count(250)));
        assert_eq!(follower_growth_rate(1000, 1250).value(), Ok(Value::Percent(0.25)));
        // Lost 30 of 600: −30; −30 / 600 = −0.05.
        assert_eq!(follower_growth(600, 570).value(), Ok(Value::Count(-30)));
        assert_eq!(follower_growth_rate(600, 570).value(), Ok(Value::Percent(-0.05)));
    }

    #[test]
    fn an_account_with_no_followers_has_a_growth_but_no_growth_rate() {
        // 12 − 0 = 12, but 12 / 0 is not a rate.
        assert_eq!(follower_growth(0, 12).value(), Ok(Value::Count(12)));
        assert_eq!(follower_growth_rate(0, 12).value(), Err(NotAvailable::Zero(Base::Followers)));
        assert_eq!(follower_growth_rate(0, 0).value(), Err(NotAvailable::Zero(Base::Followers)));
    }

    #[test]
    fn reach_adds_what_the_networks_report() {
        // 300 + 500 (the post without a reported reach is left out) = 800.
        assert_eq!(reach([Some(300), None, Some(500)]).value(), Ok(Value::Count(800)));
        // Reported zero is zero; never reported is not available.
        assert_eq!(reach([Some(0)]).value(), Ok(Value::Count(0)));
        assert_eq!(reach([None, None]).value(), Err(NotAvailable::NotReported(Base::Reach)));
        assert_eq!(reach([]).value(), Err(NotAvailable::NotReported(Base::Reach)));
    }
}
