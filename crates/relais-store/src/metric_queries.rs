//! What dashboards ask of the metrics, read from the rollups only (never the raw samples): plain
//! numbers per scope (workspace, network, account, pillar, campaign) and period; the KPI module
//! (`relais_core::kpi`) turns them into figures.
//!
//! Two readings of a period, each where it belongs:
//! - **the audience over the period**: followers at the end of each day, gained and lost, posts
//!   published (account day rows; pillars and campaigns have no followers of their own);
//! - **the period's posts**: the posts published in the period, with their results so far
//!   (`post_metric_totals`), which is what engagement rates, top and flop posts and best times
//!   judge (`kpi::engagement::engagement_rate` is defined over the posts of a period).

use crate::sql::params;
use crate::{Result, Store, StoreError};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::kpi::engagement::{EngagementBasis, Engagements, PostResult, RateSums};
use relais_core::kpi::publishing::TimedPost;
use relais_core::kpi::{Period, Scope};
use relais_core::metric_rollup::{day_key, days};
use std::collections::BTreeMap;

/// One day of the scope's audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudienceDay {
    pub day: Date,
    /// Followers of the scope's accounts at the end of the day; an account first measured later
    /// counts at its first known value, so its arrival is not mistaken for growth.
    pub followers: i64,
    pub gained: i64,
    pub lost: i64,
    /// Posts the scope's accounts published that day (a post on two accounts counts twice).
    pub posts_published: i64,
}

/// The period's posts and what they drew so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostTotals {
    /// Published variants (a post on two accounts is two publications).
    pub publications: u64,
    pub engagements: Engagements,
    /// `None` when no post's network reports the measure.
    pub impressions: Option<u64>,
    pub reach: Option<u64>,
    pub link_clicks: Option<u64>,
    pub by_reach: RateSums,
    pub by_impressions: RateSums,
    pub by_followers: RateSums,
}

impl PostTotals {
    /// The sums the engagement rate on `basis` is computed from.
    pub fn rate_sums(&self, basis: EngagementBasis) -> RateSums {
        match basis {
            EngagementBasis::Reach => self.by_reach,
            EngagementBasis::Impressions => self.by_impressions,
            EngagementBasis::Followers => self.by_followers,
        }
    }
}

/// A period's numbers for a scope: its audience and its posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodNumbers {
    /// Followers at the end of the day before the period; `None` for pillars and campaigns or
    /// before any measure.
    pub followers_start: Option<i64>,
    pub followers_end: Option<i64>,
    pub gained: i64,
    pub lost: i64,
    pub posts: PostTotals,
    /// The audience on each day of the period (the chart's series).
    pub days: Vec<AudienceDay>,
}

/// A published post of the period with its results, for top and flop lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostPerformance {
    pub variant_id: String,
    pub post_id: String,
    pub title: String,
    pub account_id: String,
    pub network: String,
    pub published_at: i64,
    pub result: PostResult,
    pub link_clicks: Option<u64>,
}

/// How [`Store::ranked_posts`] orders and cuts its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankedBy {
    pub basis: EngagementBasis,
    pub ranking: Ranking,
    pub limit: i64,
}

/// Best first or worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranking {
    Top,
    Flop,
}

/// The period's totals from their sums (a day rollup's, or the same computed over the posts).
fn totals_of(r: DaysRow) -> PostTotals {
    let publications = count(r.publications);
    let sums = |reporting: i64, engagements: i64, base: i64| RateSums {
        posts: publications,
        reporting: count(reporting),
        engagements: count(engagements),
        base: count(base),
    };
    // A measure no post reports is `None`, as SUM over NULLs is.
    let measured = |posts: i64, total: i64| (posts > 0).then(|| count(total));
    PostTotals {
        publications,
        engagements: Engagements { likes: count(r.likes), replies: count(r.replies), reposts: count(r.reposts), quotes: count(r.quotes) },
        impressions: measured(r.impressions_posts, r.impressions),
        reach: measured(r.reach_posts, r.reach),
        link_clicks: measured(r.link_clicks_posts, r.link_clicks),
        by_reach: sums(r.reach_posts, r.reach_engagements, r.reach),
        by_impressions: sums(r.impressions_posts, r.impressions_engagements, r.impressions),
        by_followers: sums(r.followers_posts, r.followers_engagements, r.followers),
    }
}

/// An account's day row: bucket, followers, gained, lost, posts published.
type AccountDayRow = (String, i64, i64, i64, i64);

#[derive(sqlx::FromRow)]
struct DaysRow {
    publications: i64,
    likes: i64,
    replies: i64,
    reposts: i64,
    quotes: i64,
    impressions: i64,
    impressions_posts: i64,
    impressions_engagements: i64,
    reach: i64,
    reach_posts: i64,
    reach_engagements: i64,
    link_clicks: i64,
    link_clicks_posts: i64,
    followers: i64,
    followers_posts: i64,
    followers_engagements: i64,
}

/// The condition a workspace, network or account scope puts on a rollup `d` joined to
/// `social_accounts a`, with the value of its `$n` parameter (the slot rollup has no labels).
pub(crate) fn account_condition(scope: &Scope, n: usize) -> (String, Option<String>) {
    match scope {
        Scope::Network(k) => (format!(" AND a.network = ${n}"), Some(k.clone())),
        Scope::Account(id) => (format!(" AND d.account_id = ${n}"), Some(id.clone())),
        _ => (String::new(), None),
    }
}

pub(crate) fn count(n: i64) -> u64 {
    n.max(0) as u64
}

/// The condition a scope puts on `post_metric_totals t`, with the value of its `$n` parameter.
pub(crate) fn post_condition(scope: &Scope, n: usize) -> (String, Option<String>) {
    match scope {
        Scope::Workspace => (String::new(), None),
        Scope::Network(k) => (format!(" AND t.account_id IN (SELECT id FROM social_accounts WHERE network = ${n})"), Some(k.clone())),
        Scope::Account(id) => (format!(" AND t.account_id = ${n}"), Some(id.clone())),
        Scope::Pillar(id) => (format!(" AND t.pillar = (SELECT name FROM pillars WHERE id = ${n})"), Some(id.clone())),
        Scope::Campaign(id) => (format!(" AND t.campaign = (SELECT name FROM campaigns WHERE id = ${n})"), Some(id.clone())),
    }
}

/// The condition a scope puts on the day rollup `post_metric_days d` joined to
/// `social_accounts a`, with the value of its `$n` parameter.
pub(crate) fn day_condition(scope: &Scope, n: usize) -> (String, Option<String>) {
    match scope {
        Scope::Pillar(id) => (format!(" AND d.pillar = (SELECT name FROM pillars WHERE id = ${n})"), Some(id.clone())),
        Scope::Campaign(id) => (format!(" AND d.campaign = (SELECT name FROM campaigns WHERE id = ${n})"), Some(id.clone())),
        _ => account_condition(scope, n),
    }
}

pub(crate) fn period_ms(period: &Period, zone: &TimeZone) -> Result<(i64, i64)> {
    period.range_ms(zone).map_err(|e| StoreError::Conflict(format!("the period {}–{} has no instants: {e}", period.first(), period.last())))
}

impl Store {
    /// The scope's accounts (all of them for pillars and campaigns, whose posts may be on any).
    pub(crate) async fn metric_scope_accounts(&self, workspace_id: &str, scope: &Scope) -> Result<Vec<String>> {
        Ok(self
            .social_accounts(workspace_id)
            .await?
            .into_iter()
            .filter(|a| match scope {
                Scope::Network(n) => &a.network == n,
                Scope::Account(id) => &a.id == id,
                _ => true,
            })
            .map(|a| a.id)
            .collect())
    }

    /// The scope's audience on each day of the period, from the account day rows; empty for a
    /// pillar or a campaign (followers belong to accounts) and before any measure.
    pub async fn audience_by_day(&self, workspace_id: &str, scope: &Scope, period: &Period) -> Result<Vec<AudienceDay>> {
        if matches!(scope, Scope::Pillar(_) | Scope::Campaign(_)) {
            return Ok(vec![]);
        }
        let keys = days(period.first(), period.last());
        let mut totals: Vec<Option<AudienceDay>> = vec![None; keys.len()];
        let (first, last) = (day_key(period.first()), day_key(period.last()));
        let accounts = self.metric_scope_accounts(workspace_id, scope).await?;
        // Two statements for all the accounts (not two per account): each one's last row before
        // the period (one grouped MAX, not a correlated one per row: PostgreSQL ran that per
        // day of history), and its rows in the period.
        let mut before: BTreeMap<String, i64> = BTreeMap::new();
        let mut rows: BTreeMap<String, Vec<AccountDayRow>> = BTreeMap::new();
        for chunk in accounts.chunks(crate::sql::MAX_PARAMS - 2) {
            let sql = format!(
                "SELECT d.account_id, d.followers FROM account_metric_daily d
                 JOIN (SELECT account_id, MAX(bucket) AS bucket FROM account_metric_daily
                       WHERE account_id IN ({}) AND bucket < $1 GROUP BY account_id) m
                   ON m.account_id = d.account_id AND m.bucket = d.bucket",
                params(2, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql)).bind(&first);
            for a in chunk {
                q = q.bind(a);
            }
            before.extend(q.fetch_all(self.pool()).await?);
            let sql = format!(
                "SELECT account_id, bucket, followers, gained, lost, posts_published FROM account_metric_daily
                 WHERE account_id IN ({}) AND bucket >= $1 AND bucket <= $2 ORDER BY account_id, bucket",
                params(3, chunk.len())
            );
            let mut q = sqlx::query_as::<_, (String, String, i64, i64, i64, i64)>(sqlx::AssertSqlSafe(sql)).bind(&first).bind(&last);
            for a in chunk {
                q = q.bind(a);
            }
            for (account, bucket, followers, gained, lost, posts) in q.fetch_all(self.pool()).await? {
                rows.entry(account).or_default().push((bucket, followers, gained, lost, posts));
            }
        }
        for account in &accounts {
            let rows = rows.remove(account).unwrap_or_default();
            let Some(mut followers) = before.get(account).copied().or(rows.first().map(|r| r.1)) else { continue };
            let mut rows = rows.into_iter().peekable();
            for (i, day) in keys.iter().enumerate() {
                let (mut gained, mut lost, mut posts) = (0, 0, 0);
                if rows.peek().is_some_and(|r| r.0 == day_key(*day)) {
                    let r = rows.next().expect("peeked");
                    (followers, gained, lost, posts) = (r.1, r.2, r.3, r.4);
                }
                let t = totals[i].get_or_insert(AudienceDay { day: *day, followers: 0, gained: 0, lost: 0, posts_published: 0 });
                t.followers += followers;
                t.gained += gained;
                t.lost += lost;
                t.posts_published += posts;
            }
        }
        Ok(totals.into_iter().flatten().collect())
    }

    /// The posts published in the period (days of the workspace's zone) in the scope, and what
    /// they drew so far, from the day rollups (migrations 90 and 110).
    pub async fn post_totals(&self, workspace_id: &str, scope: &Scope, period: &Period) -> Result<PostTotals> {
        let (condition, value) = day_condition(scope, 4);
        let sum = |c: &str| format!("CAST(COALESCE(SUM(d.{c}), 0) AS BIGINT) AS {c}");
        let sql = format!(
            "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}
             FROM post_metric_days d JOIN social_accounts a ON a.id = d.account_id
             WHERE a.workspace_id = $1 AND d.published_day >= $2 AND d.published_day <= $3{condition}",
            sum("publications"),
            sum("likes"),
            sum("replies"),
            sum("reposts"),
            sum("quotes"),
            sum("impressions"),
            sum("impressions_posts"),
            sum("impressions_engagements"),
            sum("reach"),
            sum("reach_posts"),
            sum("reach_engagements"),
            sum("link_clicks"),
            sum("link_clicks_posts"),
            sum("followers"),
            sum("followers_posts"),
            sum("followers_engagements"),
        );
        let mut q = sqlx::query_as::<_, DaysRow>(sqlx::AssertSqlSafe(sql))
            .bind(workspace_id)
            .bind(day_key(period.first()))
            .bind(day_key(period.last()));
        if let Some(v) = value {
            q = q.bind(v);
        }
        Ok(totals_of(q.fetch_one(self.pool()).await?))
    }

    /// Publications of the period per pillar name among the scope's posts (a network's or an
    /// account's posts split by pillar); posts without a pillar are left out.
    pub async fn publications_by_pillar(&self, workspace_id: &str, scope: &Scope, period: &Period) -> Result<Vec<(String, u64)>> {
        let (condition, value) = day_condition(scope, 4);
        let sql = format!(
            "SELECT d.pillar, CAST(SUM(d.publications) AS BIGINT) FROM post_metric_days d JOIN social_accounts a ON a.id = d.account_id
             WHERE a.workspace_id = $1 AND d.published_day >= $2 AND d.published_day <= $3 AND d.pillar <> ''{condition}
             GROUP BY d.pillar HAVING SUM(d.publications) > 0 ORDER BY d.pillar"
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql))
            .bind(workspace_id)
            .bind(day_key(period.first()))
            .bind(day_key(period.last()));
        if let Some(v) = value {
            q = q.bind(v);
        }
        Ok(q.fetch_all(self.pool()).await?.into_iter().map(|(name, n)| (name, count(n))).collect())
    }

    /// The period's numbers for the scope: its audience (followers at the start and end, gained
    /// and lost) and its posts.
    pub async fn period_numbers(&self, workspace_id: &str, scope: &Scope, period: &Period) -> Result<PeriodNumbers> {
        // The day before the period gives the followers at its start.
        let with_eve = match period.first().yesterday().ok().and_then(|eve| Period::new(eve, period.last()).ok()) {
            Some(p) => p,
            None => *period,
        };
        let (posts, days) =
            tokio::try_join!(self.post_totals(workspace_id, scope, period), self.audience_by_day(workspace_id, scope, &with_eve))?;
        let in_period = || days.iter().filter(|d| d.day >= period.first());
        Ok(PeriodNumbers {
            followers_start: days.first().map(|d| d.followers),
            followers_end: days.last().map(|d| d.followers),
            gained: in_period().map(|d| d.gained).sum(),
            lost: in_period().map(|d| d.lost).sum(),
            posts,
            days: in_period().copied().collect(),
        })
    }

    /// The period's numbers and those of the period just before it (as long), for comparisons.
    pub async fn period_comparison(
        &self,
        workspace_id: &str,
        scope: &Scope,
        period: &Period,
    ) -> Result<(PeriodNumbers, Option<PeriodNumbers>)> {
        let previous = async {
            match period.previous() {
                Some(p) => Ok(Some(self.period_numbers(workspace_id, scope, &p).await?)),
                None => Ok(None),
            }
        };
        tokio::try_join!(self.period_numbers(workspace_id, scope, period), previous)
    }

    /// Up to `limit` posts of the period by engagement rate on `basis` (engagements / base of each
    /// post), best or worst first; posts whose network does not report the base, or with a base
    /// of zero, have no rate and are left out. Ties: more engagements first, then the latest.
    pub async fn ranked_posts(
        &self,
        workspace_id: &str,
        scope: &Scope,
        period: &Period,
        zone: &TimeZone,
        order: RankedBy,
    ) -> Result<Vec<PostPerformance>> {
        let RankedBy { basis, ranking, limit } = order;
        let (from, to) = period_ms(period, zone)?;
        let (condition, value) = post_condition(scope, 5);
        let base = match basis {
            EngagementBasis::Reach => "reach",
            EngagementBasis::Impressions => "impressions",
            EngagementBasis::Followers => "followers",
        };
        // The ratio only orders the rows; the rate shown is computed by the KPI module.
        let order = match ranking {
            Ranking::Top => "DESC",
            Ranking::Flop => "ASC",
        };
        // Floating-point, not `* 1.0`: PostgreSQL computes that in NUMERIC, several times slower.
        let order_by = |t: &str| {
            format!(
                "ORDER BY CAST({t}.likes + {t}.replies + {t}.reposts + {t}.quotes AS DOUBLE PRECISION) / {t}.{base} {order},
                          ({t}.likes + {t}.replies + {t}.reposts + {t}.quotes) {order}, {t}.published_at DESC, {t}.variant_id"
            )
        };
        // Ranked on the columns of the covering index `post_metric_totals_ranked` alone (an
        // index-only scan for the workspace), then the few rows kept are read whole and joined
        // to their post and account.
        let sql = format!(
            "SELECT m.variant_id, m.post_id, p.title, m.account_id, a.network, m.published_at,
                    m.likes, m.replies, m.reposts, m.quotes, m.reach, m.impressions, m.followers, m.link_clicks
             FROM (SELECT t.variant_id FROM post_metric_totals t
                   WHERE t.workspace_id = $1 AND t.published_at >= $2 AND t.published_at < $3 AND t.{base} > 0{condition}
                   {} LIMIT $4) k
             JOIN post_metric_totals m ON m.variant_id = k.variant_id
             JOIN posts p ON p.id = m.post_id JOIN social_accounts a ON a.id = m.account_id
             {}",
            order_by("t"),
            order_by("m"),
        );
        type Row = (String, String, String, String, String, i64, i64, i64, i64, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
        let mut q = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)).bind(workspace_id).bind(from).bind(to).bind(limit);
        if let Some(v) = value {
            q = q.bind(v);
        }
        Ok(q.fetch_all(self.pool())
            .await?
            .into_iter()
            .map(|r| PostPerformance {
                variant_id: r.0,
                post_id: r.1,
                title: r.2,
                account_id: r.3,
                network: r.4,
                published_at: r.5,
                result: PostResult {
                    engagements: Engagements { likes: count(r.6), replies: count(r.7), reposts: count(r.8), quotes: count(r.9) },
                    reach: r.10.map(count),
                    impressions: r.11.map(count),
                    followers: r.12.map(count),
                },
                link_clicks: r.13.map(count),
            })
            .collect())
    }

    /// The scope's posts published in the period with their results, as the best-times grid
    /// (`kpi::publishing::BestTimes::of`) takes them: the workspace's own history.
    pub async fn timed_posts(&self, workspace_id: &str, scope: &Scope, period: &Period, zone: &TimeZone) -> Result<Vec<TimedPost>> {
        let (from, to) = period_ms(period, zone)?;
        let (condition, value) = post_condition(scope, 4);
        let sql = format!(
            "SELECT t.published_at, t.likes, t.replies, t.reposts, t.quotes, t.reach, t.impressions, t.followers
             FROM post_metric_totals t
             WHERE t.workspace_id = $1 AND t.published_at >= $2 AND t.published_at < $3{condition} ORDER BY t.published_at"
        );
        type Row = (i64, i64, i64, i64, i64, Option<i64>, Option<i64>, Option<i64>);
        let mut q = sqlx::query_as::<_, Row>(sqlx::AssertSqlSafe(sql)).bind(workspace_id).bind(from).bind(to);
        if let Some(v) = value {
            q = q.bind(v);
        }
        Ok(q.fetch_all(self.pool())
            .await?
            .into_iter()
            .filter_map(|r| {
                Some(TimedPost {
                    published_at: Timestamp::from_millisecond(r.0).ok()?,
                    result: PostResult {
                        engagements: Engagements { likes: count(r.1), replies: count(r.2), reposts: count(r.3), quotes: count(r.4) },
                        reach: r.5.map(count),
                        impressions: r.6.map(count),
                        followers: r.7.map(count),
                    },
                })
            })
            .collect())
    }

    /// A variant's hour rows (start of the hour, last likes, likes added, impressions added),
    /// oldest first: the curve of one post after its release.
    pub async fn post_hourly_likes(&self, variant_id: &str) -> Result<Vec<(i64, i64, i64, Option<i64>)>> {
        Ok(sqlx::query_as(
            "SELECT bucket, likes, likes_added, impressions_added FROM post_metric_hourly WHERE variant_id = $1 ORDER BY bucket",
        )
        .bind(variant_id)
        .fetch_all(self.pool())
        .await?)
    }
}

impl Store {
    /// A variant's day rows (day, last likes, likes added, impressions added), oldest first.
    pub async fn post_daily_likes(&self, variant_id: &str) -> Result<Vec<(String, i64, i64, Option<i64>)>> {
        Ok(sqlx::query_as(
            "SELECT bucket, likes, likes_added, impressions_added FROM post_metric_daily WHERE variant_id = $1 ORDER BY bucket",
        )
        .bind(variant_id)
        .fetch_all(self.pool())
        .await?)
    }
}

#[cfg(any(test, feature = "test-support"))]
impl Store {
    /// Marks a variant published at `at_ms`, as the publish job would have then.
    pub async fn publish_variant_at_for_test(&self, variant_id: &str, remote_id: &str, at_ms: i64) -> Result<()> {
        sqlx::query("UPDATE post_variants SET state = 'published', remote_id = $1, published_at = $2 WHERE id = $3")
            .bind(remote_id)
            .bind(at_ms)
            .bind(variant_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
