//! The overview's series beside its totals: engagement per day of publication and the best-time
//! map, from the rollups of migrations 90 and 110 (a pillar's and a campaign's map from their
//! own weekday × hour sums).

use crate::metric_queries::{account_condition, count, day_condition};
use crate::{Result, Store};
use jiff::civil::{Date, Weekday};
use relais_core::kpi::engagement::EngagementBasis;
use relais_core::kpi::publishing::{BestTimes, SlotSums};
use relais_core::kpi::{Period, Scope};
use relais_core::metric_rollup::day_key;

impl Store {
    /// Engagements (likes, replies, reposts, quotes so far) of the posts published each day of
    /// the period; days without a post are left out.
    pub async fn engagements_by_day(&self, workspace_id: &str, scope: &Scope, period: &Period) -> Result<Vec<(Date, u64)>> {
        let (condition, value) = day_condition(scope, 4);
        let sql = format!(
            "SELECT d.published_day, CAST(SUM(d.likes + d.replies + d.reposts + d.quotes) AS BIGINT)
             FROM post_metric_days d JOIN social_accounts a ON a.id = d.account_id
             WHERE a.workspace_id = $1 AND d.published_day >= $2 AND d.published_day <= $3{condition}
             GROUP BY d.published_day HAVING SUM(d.publications) > 0"
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql))
            .bind(workspace_id)
            .bind(day_key(period.first()))
            .bind(day_key(period.last()));
        if let Some(v) = value {
            q = q.bind(v);
        }
        let rows = q.fetch_all(self.pool()).await?;
        let mut days: Vec<(Date, u64)> = rows.into_iter().filter_map(|(d, n)| Some((d.parse().ok()?, count(n)))).collect();
        days.sort();
        Ok(days)
    }

    /// The best-time map of the posts published in `history` (whole months for the rollups:
    /// the months of its first and last days and those between), rated on `basis`; local hours
    /// of the workspace's zone.
    pub async fn best_times(&self, workspace_id: &str, scope: &Scope, history: &Period, basis: EngagementBasis) -> Result<BestTimes> {
        let column = match basis {
            EngagementBasis::Impressions => "impressions",
            EngagementBasis::Reach => "reach",
            EngagementBasis::Followers => "followers",
        };
        // A pillar's or a campaign's own sums; the workspace's, a network's or an account's.
        let (table, (condition, value)) = match scope {
            Scope::Pillar(id) => (
                "post_metric_label_slots",
                (" AND d.label = 'pillar:' || (SELECT name FROM pillars WHERE id = $4)".into(), Some(id.clone())),
            ),
            Scope::Campaign(id) => (
                "post_metric_label_slots",
                (" AND d.label = 'campaign:' || (SELECT name FROM campaigns WHERE id = $4)".into(), Some(id.clone())),
            ),
            _ => ("post_metric_slots", account_condition(scope, 4)),
        };
        let sql = format!(
            "SELECT d.weekday, d.hour, CAST(SUM(d.posts) AS BIGINT), CAST(SUM(d.{column}_rated) AS BIGINT),
                    CAST(SUM(d.{column}_rate_sum) AS DOUBLE PRECISION)
             FROM {table} d JOIN social_accounts a ON a.id = d.account_id
             WHERE a.workspace_id = $1 AND d.month >= $2 AND d.month <= $3{condition} GROUP BY d.weekday, d.hour"
        );
        let month = |d: Date| format!("{:04}-{:02}", d.year(), d.month());
        let mut q = sqlx::query_as::<_, (i64, i64, i64, i64, f64)>(sqlx::AssertSqlSafe(sql))
            .bind(workspace_id)
            .bind(month(history.first()))
            .bind(month(history.last()));
        if let Some(v) = value {
            q = q.bind(v);
        }
        let mut skipped = 0;
        let mut slots = vec![];
        for (weekday, hour, posts, rated, rate_sum) in q.fetch_all(self.pool()).await? {
            skipped += count(posts - rated);
            let Ok(weekday) = Weekday::from_monday_zero_offset(weekday as i8) else { continue };
            slots.push(SlotSums { weekday, hour: hour.clamp(0, 23) as u8, rated: count(rated) as u32, rate_sum });
        }
        Ok(BestTimes::from_sums(basis, slots, skipped as u32))
    }
}
