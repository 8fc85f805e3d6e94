//! Bulk loading of published posts and their metric readings, for `relais bench analytics`:
//! a year's worth of a large organisation in minutes. Rows are generated inside the database
//! (a recursive common table expression, the same SQL on both backends) rather than bound one
//! by one, because a hundred million readings cannot cross the driver in reasonable time.
//!
//! The readings follow a fixed recipe (hourly for two days after release, then daily, counters
//! growing and levelling off); `post_metric_totals` is then derived from the last reading of
//! each post, as the rollup code would (the benchmark checks a sample of posts against it).
//! The per-post hour and day rollups, which no dashboard of the overview reads, are not built.

use crate::{Result, Store};

/// One day of generated publications.
pub struct BenchDay<'a> {
    pub workspace_id: &'a str,
    /// The day in the workspace's zone (`YYYY-MM-DD`) and its bounds in epoch ms.
    pub day: &'a str,
    pub starts_at: i64,
    pub ends_at: i64,
    /// The day's publications are numbered `first..first + count` across the whole run.
    pub first: i64,
    pub count: i64,
    /// The accounts posts rotate over, and whether each one's network reports impressions and
    /// reach (the sandbox does; Bluesky and Mastodon do not).
    pub accounts: &'a [(String, bool)],
    pub pillars: &'a [String],
    pub campaigns: &'a [String],
    /// Readings per post (fewer for posts too young to have them all by `now`).
    pub readings: i64,
    /// The day of the week's effect on engagement, in percent.
    pub weekday_percent: i64,
    pub now: i64,
}

/// Ids are fixed-width numbers, so that id order is publication order.
const ID_BASE: i64 = 1_000_000_000;

/// `CASE <expr> % n WHEN 0 THEN $a WHEN 1 THEN $b … END` over consecutive placeholders.
fn rotation(expr: &str, first_param: usize, n: usize) -> String {
    let arms: String = (0..n).map(|i| format!(" WHEN {i} THEN ${}", first_param + i)).collect();
    format!("CASE {expr} % {n}{arms} END")
}

impl Store {
    /// Inserts one day of published posts, one variant each.
    pub async fn bulk_published_posts(&self, d: &BenchDay<'_>) -> Result<()> {
        let numbers = "WITH RECURSIVE n(k) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT k + 1 FROM n WHERE k + 1 < $1)";
        let id = |prefix: &str| format!("'{prefix}' || CAST({ID_BASE} + $2 + k AS TEXT)");
        // Spread evenly over the day: k's share of the day gives its hour, which drives the
        // engagement the recipe gives (lunch and evening posts do better).
        let at = "($3 + k * ($4 - $3) / $1)";
        let mut tx = self.begin_write().await?;

        // Posts: pillars rotate over every post, campaigns over three posts in ten.
        let (p, c) = (d.pillars.len(), d.campaigns.len());
        let pillar = if p == 0 { "NULL".to_string() } else { rotation("($2 + k)", 7, p) };
        let campaign = if c == 0 {
            "NULL".to_string()
        } else {
            format!("CASE WHEN ($2 + k) % 10 < 3 THEN {} END", rotation("(($2 + k) / 10)", 7 + p, c))
        };
        let sql = format!(
            "{numbers} INSERT INTO posts (id, workspace_id, state, title, pillar, campaign, scheduled_at, schedule_version, created_at, updated_at)
             SELECT {}, $5, 'published', 'Publication n°' || CAST($2 + k AS TEXT), {pillar}, {campaign}, {at}, 1, $6, $6 FROM n",
            id("bench-p")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(d.count).bind(d.first).bind(d.starts_at).bind(d.ends_at);
        q = q.bind(d.workspace_id).bind(d.now);
        for name in d.pillars.iter().chain(d.campaigns) {
            q = q.bind(name);
        }
        q.execute(&mut *tx).await?;

        let a = d.accounts.len();
        let sql = format!(
            "{numbers} INSERT INTO post_variants (id, post_id, account_id, text, state, idempotency_key, attempts, remote_id, published_at)
             SELECT {}, {}, {}, 'Texte de la publication n°' || CAST($2 + k AS TEXT), 'published', {}, 1, {}, {at} FROM n",
            id("bench-v"),
            id("bench-p"),
            rotation("k", 5, a),
            id("relais-bench-v"),
            id("r"),
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(d.count).bind(d.first).bind(d.starts_at).bind(d.ends_at);
        for (account, _) in d.accounts {
            q = q.bind(account);
        }
        q.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Inserts the readings of one day's posts (after [`Store::bulk_published_posts`] and the
    /// accounts' own readings) and their totals. Returns the number of readings written.
    pub async fn bulk_post_readings(&self, d: &BenchDay<'_>) -> Result<u64> {
        let id = |prefix: &str| format!("'{prefix}' || CAST({ID_BASE} + $2 + k AS TEXT)");
        let at = "($3 + k * ($4 - $3) / $1)";
        let a = d.accounts.len();
        let mut tx = self.begin_write().await?;

        // Readings: hourly for 48 hours, then daily from the third day; each counter grows as (j+1)/(j+11),
        // normalised to reach its final value at the last reading.
        let views = rotation("k", 8, a);
        let hour_percent = "CASE WHEN (k * 24 / $1) BETWEEN 11 AND 13 THEN 220 WHEN (k * 24 / $1) BETWEEN 18 AND 20 THEN 170
                                 WHEN (k * 24 / $1) < 7 THEN 40 ELSE 100 END";
        let growth = "(r.j + 1) * ($6 + 10) / ((r.j + 11) * $6)";
        let sql = format!(
            "WITH RECURSIVE n(k) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT k + 1 FROM n WHERE k + 1 < $1),
                  m(j) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT j + 1 FROM m WHERE j + 1 < $6),
                  p(id, at, likes, views) AS (
                      SELECT {}, {at}, (20 + (($2 + k) * 7919) % 200) * {hour_percent} * $5 / 10000, {views} FROM n)
             INSERT INTO post_metric_samples (variant_id, taken_at, likes, replies, reposts, quotes, impressions, reach, link_clicks)
             SELECT id, taken_at, likes * {growth}, likes / 8 * {growth}, likes / 5 * {growth}, likes / 20 * {growth},
                    CASE WHEN views = 1 THEN likes * 40 * {growth} END, CASE WHEN views = 1 THEN likes * 25 * {growth} END,
                    CASE WHEN views = 1 THEN likes / 2 * {growth} END
             FROM (SELECT p.id, p.at + CASE WHEN m.j < 48 THEN (m.j + 1) * 3600000 ELSE (m.j - 45) * 86400000 END AS taken_at,
                          p.likes, p.views, m.j FROM p CROSS JOIN m) r
             WHERE taken_at <= $7",
            id("bench-v"),
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(d.count).bind(d.first).bind(d.starts_at).bind(d.ends_at);
        q = q.bind(d.weekday_percent).bind(d.readings).bind(d.now);
        for (_, reports_views) in d.accounts {
            q = q.bind(i64::from(*reports_views));
        }
        let readings = q.execute(&mut *tx).await?.rows_affected();

        // Totals: each variant's last reading, and the account's followers when it went out (the
        // last account reading before, else the first after), as the rollups keep them.
        let (lo, hi) = (format!("bench-v{}", ID_BASE + d.first), format!("bench-v{}", ID_BASE + d.first + d.count));
        sqlx::query(
            "INSERT INTO post_metric_totals (variant_id, post_id, workspace_id, account_id, published_at, published_day, pillar, campaign,
                                             taken_at, likes, replies, reposts, quotes, impressions, reach, link_clicks, followers)
             SELECT v.id, v.post_id, $1, v.account_id, v.published_at, $2, COALESCE(p.pillar, ''), COALESCE(p.campaign, ''),
                    s.taken_at, s.likes, s.replies, s.reposts, s.quotes, s.impressions, s.reach, s.link_clicks,
                    COALESCE((SELECT followers FROM account_metric_samples a WHERE a.account_id = v.account_id AND a.taken_at <= v.published_at
                              ORDER BY a.taken_at DESC LIMIT 1),
                             (SELECT followers FROM account_metric_samples a WHERE a.account_id = v.account_id AND a.taken_at > v.published_at
                              ORDER BY a.taken_at LIMIT 1))
             FROM post_variants v JOIN posts p ON p.id = v.post_id JOIN post_metric_samples s ON s.variant_id = v.id
             WHERE v.id >= $3 AND v.id < $4
               AND s.taken_at = (SELECT MAX(taken_at) FROM post_metric_samples l WHERE l.variant_id = v.id)",
        )
        .bind(d.workspace_id)
        .bind(d.day)
        .bind(lo)
        .bind(hi)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(readings)
    }

    /// The id [`Store::bulk_published_posts`] gives the variant numbered `index`.
    pub fn bench_variant_id(index: i64) -> String {
        format!("bench-v{}", ID_BASE + index)
    }
}

/// What [`Store::raw_post_totals`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawTotals {
    pub publications: i64,
    pub likes: i64,
    pub replies: i64,
    pub reposts: i64,
    pub quotes: i64,
}

impl Store {
    /// The period's post totals (publications and engagement so far of the posts published in
    /// `[from, to)`) answered by a plain GROUP BY over the raw readings, as it would be without
    /// rollups: the benchmark's point of comparison. Counters only grow in the bench's readings,
    /// so each post's largest reading is its last.
    pub async fn raw_post_totals(&self, workspace_id: &str, from: i64, to: i64) -> Result<RawTotals> {
        let r: (i64, i64, i64, i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), CAST(COALESCE(SUM(likes), 0) AS BIGINT), CAST(COALESCE(SUM(replies), 0) AS BIGINT),
                    CAST(COALESCE(SUM(reposts), 0) AS BIGINT), CAST(COALESCE(SUM(quotes), 0) AS BIGINT)
             FROM (SELECT s.variant_id, MAX(s.likes) AS likes, MAX(s.replies) AS replies, MAX(s.reposts) AS reposts,
                          MAX(s.quotes) AS quotes
                   FROM post_metric_samples s JOIN post_variants v ON v.id = s.variant_id JOIN posts p ON p.id = v.post_id
                   WHERE p.workspace_id = $1 AND v.published_at >= $2 AND v.published_at < $3
                   GROUP BY s.variant_id) x",
        )
        .bind(workspace_id)
        .bind(from)
        .bind(to)
        .fetch_one(self.pool())
        .await?;
        Ok(RawTotals { publications: r.0, likes: r.1, replies: r.2, reposts: r.3, quotes: r.4 })
    }
}
