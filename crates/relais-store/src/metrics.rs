//! Raw metric samples: each collection of a published post's counters and of an account's
//! counters is one row, kept as a time series. Recording samples refreshes their rollups in the
//! same transaction ([`crate::metric_rollups`]).

use crate::{Result, Store};
use std::collections::HashMap;

/// A published variant's counters at `taken_at`.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct PostMetricSample {
    pub variant_id: String,
    pub taken_at: i64,
    pub likes: i64,
    pub replies: i64,
    pub reposts: i64,
    pub quotes: i64,
    /// `None` where the network does not give views.
    pub impressions: Option<i64>,
    /// Accounts reached, where the network gives it.
    pub reach: Option<i64>,
    /// Clicks on the post's link, where the network gives them.
    pub link_clicks: Option<i64>,
}

/// An account's counters at `taken_at`.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountMetricSample {
    pub account_id: String,
    pub taken_at: i64,
    pub followers: i64,
    pub following: i64,
    pub posts: i64,
}

impl Store {
    /// The account's variants published since `since_ms`: (variant id, remote id).
    pub async fn published_variants_since(&self, account_id: &str, since_ms: i64) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, remote_id FROM post_variants
             WHERE account_id = $1 AND state = 'published' AND remote_id IS NOT NULL AND published_at >= $2
             ORDER BY published_at",
        )
        .bind(account_id)
        .bind(since_ms)
        .fetch_all(self.pool())
        .await?)
    }

    /// Stores samples and refreshes their variants' rollups, in one transaction; a sample already
    /// taken at the same instant is kept as it was.
    pub async fn record_post_metrics(&self, samples: &[PostMetricSample]) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let mut n = 0;
        for s in samples {
            n += sqlx::query(
                "INSERT INTO post_metric_samples (variant_id, taken_at, likes, replies, reposts, quotes, impressions, reach, link_clicks)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (variant_id, taken_at) DO NOTHING",
            )
            .bind(&s.variant_id)
            .bind(s.taken_at)
            .bind(s.likes)
            .bind(s.replies)
            .bind(s.reposts)
            .bind(s.quotes)
            .bind(s.impressions)
            .bind(s.reach)
            .bind(s.link_clicks)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        crate::metric_rollups::refresh_posts(&mut tx, samples).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Stores an account's sample and refreshes its rollups, in one transaction.
    pub async fn record_account_metrics(&self, s: &AccountMetricSample) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO account_metric_samples (account_id, taken_at, followers, following, posts) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (account_id, taken_at) DO NOTHING",
        )
        .bind(&s.account_id)
        .bind(s.taken_at)
        .bind(s.followers)
        .bind(s.following)
        .bind(s.posts)
        .execute(&mut *tx)
        .await?;
        crate::metric_rollups::refresh_account(&mut tx, &s.account_id, s.taken_at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The latest sample of each variant that has one.
    pub async fn latest_post_metrics(&self, variant_ids: &[String]) -> Result<HashMap<String, PostMetricSample>> {
        if variant_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let list = crate::sql::params(1, variant_ids.len());
        let sql = format!(
            "SELECT s.variant_id, s.taken_at, s.likes, s.replies, s.reposts, s.quotes, s.impressions, s.reach, s.link_clicks FROM post_metric_samples s
             JOIN (SELECT variant_id, MAX(taken_at) AS t FROM post_metric_samples WHERE variant_id IN ({list}) GROUP BY variant_id) l
               ON l.variant_id = s.variant_id AND l.t = s.taken_at"
        );
        let mut q = sqlx::query_as::<_, PostMetricSample>(sqlx::AssertSqlSafe(sql));
        for id in variant_ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(self.pool()).await?.into_iter().map(|s| (s.variant_id.clone(), s)).collect())
    }

    /// Every sample of a variant, oldest first.
    pub async fn post_metric_series(&self, variant_id: &str) -> Result<Vec<PostMetricSample>> {
        Ok(sqlx::query_as(
            "SELECT variant_id, taken_at, likes, replies, reposts, quotes, impressions, reach, link_clicks FROM post_metric_samples
             WHERE variant_id = $1 ORDER BY taken_at",
        )
        .bind(variant_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The latest sample of each of the workspace's accounts that has one.
    pub async fn latest_account_metrics(&self, workspace_id: &str) -> Result<HashMap<String, AccountMetricSample>> {
        let rows: Vec<AccountMetricSample> = sqlx::query_as(
            "SELECT s.account_id, s.taken_at, s.followers, s.following, s.posts FROM account_metric_samples s
             JOIN (SELECT m.account_id, MAX(m.taken_at) AS t FROM account_metric_samples m
                   JOIN social_accounts a ON a.id = m.account_id WHERE a.workspace_id = $1 GROUP BY m.account_id) l
               ON l.account_id = s.account_id AND l.t = s.taken_at",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|s| (s.account_id.clone(), s)).collect())
    }

    /// Every sample of an account, oldest first.
    pub async fn account_metric_series(&self, account_id: &str) -> Result<Vec<AccountMetricSample>> {
        Ok(sqlx::query_as(
            "SELECT account_id, taken_at, followers, following, posts FROM account_metric_samples WHERE account_id = $1 ORDER BY taken_at",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?)
    }
}
