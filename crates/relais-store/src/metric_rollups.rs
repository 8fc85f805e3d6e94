//! Keeping the metric rollups (migration 30) in step with the samples.
//!
//! **When**: in the transaction that records the samples, rather than by a catch-up job with a
//! watermark. Samples have one writer (the `collect_metrics` job, a few rows per account and
//! hour), so the rollups cost a handful of statements there, dashboards never lag behind the
//! samples, and there is no second job, watermark or backlog to watch.
//!
//! **How**: each affected bucket is *recomputed from the samples* (the last sample before the
//! bucket and those in it, with [`relais_core::metric_rollup`]) and written with an UPSERT on
//! (entity, bucket). Recording the same samples again therefore writes the same rows, and a
//! sample that arrives late (before samples already rolled up) recomputes every bucket from its
//! own to the latest.
//!
//! Day buckets are days of the workspace's time zone *when the sample was recorded*;
//! [`crate::Store::rebuild_metric_rollups`] recomputes a workspace's rows from its samples, for
//! a changed zone or for samples recorded before these tables existed.

use crate::metrics::PostMetricSample;
use crate::sql::params;
use crate::{Result, Store};
use relais_core::metric_rollup::{
    AccountCounters, HOUR_MS, PostBucket, PostCounters, account_buckets, day_bounds, day_key, day_of, days, hour_of, hours, post_buckets,
};
use std::collections::BTreeMap;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// An account's hour rows are filled at most this far back from its latest sample: a collection
/// resumed after weeks carries the followers over two days of hours, not over every hour since.
const MAX_HOURS_FILLED: i64 = 48;
/// Likewise for day rows.
const MAX_DAYS_FILLED: i64 = 62;

const SAMPLE_COLUMNS: &str = "taken_at, likes, replies, reposts, quotes, impressions, reach, link_clicks";

type SampleRow = (i64, i64, i64, i64, i64, Option<i64>, Option<i64>, Option<i64>);

fn counters(r: &SampleRow) -> (i64, PostCounters) {
    (r.0, PostCounters { likes: r.1, replies: r.2, reposts: r.3, quotes: r.4, impressions: r.5, reach: r.6, link_clicks: r.7 })
}

fn zone_of(name: &str) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(name).unwrap_or(jiff::tz::TimeZone::UTC)
}

/// A bucket's key: an hour's start (epoch ms) or a day (`YYYY-MM-DD`).
enum Key {
    Hour(i64),
    Day(String),
}

async fn upsert_post_bucket(
    tx: &mut Tx,
    table: &str,
    variant_id: &str,
    account_id: &str,
    key: Key,
    b: &PostBucket<impl Sized>,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO {table} (variant_id, bucket, account_id, likes, replies, reposts, quotes, impressions, reach, link_clicks,
                              likes_added, replies_added, reposts_added, quotes_added, impressions_added, reach_added, link_clicks_added)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         ON CONFLICT (variant_id, bucket) DO UPDATE SET account_id = excluded.account_id,
             likes = excluded.likes, replies = excluded.replies, reposts = excluded.reposts, quotes = excluded.quotes,
             impressions = excluded.impressions, reach = excluded.reach, link_clicks = excluded.link_clicks,
             likes_added = excluded.likes_added, replies_added = excluded.replies_added, reposts_added = excluded.reposts_added,
             quotes_added = excluded.quotes_added, impressions_added = excluded.impressions_added,
             reach_added = excluded.reach_added, link_clicks_added = excluded.link_clicks_added"
    );
    let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(variant_id.to_string());
    let q = match key {
        Key::Hour(h) => q.bind(h),
        Key::Day(d) => q.bind(d),
    };
    let (l, a) = (&b.last, &b.increase);
    q.bind(account_id.to_string())
        .bind(l.likes)
        .bind(l.replies)
        .bind(l.reposts)
        .bind(l.quotes)
        .bind(l.impressions)
        .bind(l.reach)
        .bind(l.link_clicks)
        .bind(a.likes)
        .bind(a.replies)
        .bind(a.reposts)
        .bind(a.quotes)
        .bind(a.impressions)
        .bind(a.reach)
        .bind(a.link_clicks)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Where a variant belongs: (id, post, account, published_at, workspace, workspace's zone).
/// (variant, post, account, published at, workspace, zone, pillar, campaign).
type VariantRow = (String, String, String, Option<i64>, String, String, Option<String>, Option<String>);

/// Refreshes the rollups of the variants of `samples`, from the bucket of each one's earliest
/// sample in the batch.
pub(crate) async fn refresh_posts(tx: &mut Tx, samples: &[PostMetricSample]) -> Result<()> {
    let mut earliest: BTreeMap<&str, i64> = BTreeMap::new();
    for s in samples {
        let e = earliest.entry(s.variant_id.as_str()).or_insert(s.taken_at);
        *e = (*e).min(s.taken_at);
    }
    let ids: Vec<&str> = earliest.keys().copied().collect();
    for chunk in ids.chunks(500) {
        let sql = format!(
            "SELECT v.id, v.post_id, v.account_id, v.published_at, p.workspace_id, w.time_zone, p.pillar, p.campaign
             FROM post_variants v JOIN posts p ON p.id = v.post_id JOIN workspaces w ON w.id = p.workspace_id WHERE v.id IN ({})",
            params(1, chunk.len())
        );
        let mut q = sqlx::query_as::<_, VariantRow>(sqlx::AssertSqlSafe(sql));
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for variant in q.fetch_all(&mut **tx).await? {
            let from = earliest[variant.0.as_str()];
            refresh_variant(tx, &variant, from).await?;
        }
    }
    Ok(())
}

async fn refresh_variant(tx: &mut Tx, v: &VariantRow, from: i64) -> Result<()> {
    let (variant_id, post_id, account_id, published_at, workspace_id, zone, pillar, campaign) = v;
    let zone = zone_of(zone);
    let day = day_of(from, &zone);
    // The earlier of the day's and the hour's start (they differ in zones with half-hour offsets).
    let start = day_bounds(day, &zone).map_or(hour_of(from), |(s, _)| s.min(hour_of(from)));
    let before: Option<SampleRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SAMPLE_COLUMNS} FROM post_metric_samples WHERE variant_id = $1 AND taken_at < $2 ORDER BY taken_at DESC LIMIT 1"
    )))
    .bind(variant_id)
    .bind(start)
    .fetch_optional(&mut **tx)
    .await?;
    let rows: Vec<SampleRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {SAMPLE_COLUMNS} FROM post_metric_samples WHERE variant_id = $1 AND taken_at >= $2 ORDER BY taken_at"
    )))
    .bind(variant_id)
    .bind(start)
    .fetch_all(&mut **tx)
    .await?;
    let before = before.as_ref().map(|r| counters(r).1);
    let series: Vec<(i64, PostCounters)> = rows.iter().map(counters).collect();
    // Buckets from the earliest new sample's on; earlier ones in `series` only give the
    // increase its starting point.
    let in_day: Vec<(i64, PostCounters)> = series.iter().copied().filter(|(at, _)| day_of(*at, &zone) >= day).collect();
    let day_before = series.iter().rev().find(|(at, _)| day_of(*at, &zone) < day).map(|s| s.1).or(before);
    for b in post_buckets(day_before.as_ref(), &in_day, |at| day_of(at, &zone)) {
        upsert_post_bucket(tx, "post_metric_daily", variant_id, account_id, Key::Day(day_key(b.key)), &b).await?;
    }
    let hour = hour_of(from);
    let in_hour: Vec<(i64, PostCounters)> = series.iter().copied().filter(|(at, _)| *at >= hour).collect();
    let hour_before = series.iter().rev().find(|(at, _)| *at < hour).map(|s| s.1).or(before);
    for b in post_buckets(hour_before.as_ref(), &in_hour, hour_of) {
        upsert_post_bucket(tx, "post_metric_hourly", variant_id, account_id, Key::Hour(b.key), &b).await?;
    }
    let (Some(published_at), Some((taken_at, last))) = (published_at, series.last()) else { return Ok(()) };
    // The account's followers when the post went out: the last reading before, else the first after.
    let followers: Option<i64> = sqlx::query_scalar(
        "SELECT COALESCE((SELECT followers FROM account_metric_samples WHERE account_id = $1 AND taken_at <= $2 ORDER BY taken_at DESC LIMIT 1),
                         (SELECT followers FROM account_metric_samples WHERE account_id = $1 AND taken_at > $2 ORDER BY taken_at LIMIT 1))",
    )
    .bind(account_id)
    .bind(*published_at)
    .fetch_one(&mut **tx)
    .await?;
    let previous = crate::post_rollups::rolled(tx, variant_id).await?;
    let now = crate::post_rollups::Rolled {
        account_id: account_id.clone(),
        published_day: day_key(day_of(*published_at, &zone)),
        published_hour: crate::post_rollups::local_hour(*published_at, &zone),
        pillar: pillar.clone().unwrap_or_default(),
        campaign: campaign.clone().unwrap_or_default(),
        likes: last.likes,
        replies: last.replies,
        reposts: last.reposts,
        quotes: last.quotes,
        impressions: last.impressions,
        reach: last.reach,
        link_clicks: last.link_clicks,
        followers,
    };
    sqlx::query(
        "INSERT INTO post_metric_totals (variant_id, post_id, workspace_id, account_id, published_at, published_day, published_hour,
                                         taken_at, likes, replies, reposts, quotes, impressions, reach, link_clicks, followers,
                                         pillar, campaign)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
         ON CONFLICT (variant_id) DO UPDATE SET post_id = excluded.post_id, workspace_id = excluded.workspace_id,
             account_id = excluded.account_id, published_at = excluded.published_at, published_day = excluded.published_day,
             published_hour = excluded.published_hour, pillar = excluded.pillar, campaign = excluded.campaign,
             taken_at = excluded.taken_at, likes = excluded.likes,
             replies = excluded.replies, reposts = excluded.reposts, quotes = excluded.quotes, impressions = excluded.impressions,
             reach = excluded.reach, link_clicks = excluded.link_clicks, followers = excluded.followers",
    )
    .bind(variant_id)
    .bind(post_id)
    .bind(workspace_id)
    .bind(account_id)
    .bind(*published_at)
    .bind(&now.published_day)
    .bind(now.published_hour)
    .bind(*taken_at)
    .bind(last.likes)
    .bind(last.replies)
    .bind(last.reposts)
    .bind(last.quotes)
    .bind(last.impressions)
    .bind(last.reach)
    .bind(last.link_clicks)
    .bind(followers)
    .bind(&now.pillar)
    .bind(&now.campaign)
    .execute(&mut **tx)
    .await?;
    // The post's old contribution to the day and slot rollups out, the new one in.
    let mut changes = vec![(now, 1)];
    if let Some(previous) = previous {
        changes.push((previous, -1));
    }
    crate::post_rollups::apply(tx, &changes).await?;
    Ok(())
}

type AccountRow = (i64, i64, i64);

fn account_counters(r: &AccountRow) -> (i64, AccountCounters) {
    (r.0, AccountCounters { followers: r.1, following: r.2 })
}

async fn account_samples(tx: &mut Tx, account_id: &str, from: i64) -> Result<(Option<AccountCounters>, Vec<(i64, AccountCounters)>)> {
    let before: Option<AccountRow> = sqlx::query_as(
        "SELECT taken_at, followers, following FROM account_metric_samples WHERE account_id = $1 AND taken_at < $2
         ORDER BY taken_at DESC LIMIT 1",
    )
    .bind(account_id)
    .bind(from)
    .fetch_optional(&mut **tx)
    .await?;
    let rows: Vec<AccountRow> = sqlx::query_as(
        "SELECT taken_at, followers, following FROM account_metric_samples WHERE account_id = $1 AND taken_at >= $2 ORDER BY taken_at",
    )
    .bind(account_id)
    .bind(from)
    .fetch_all(&mut **tx)
    .await?;
    Ok((before.as_ref().map(|r| account_counters(r).1), rows.iter().map(account_counters).collect()))
}

async fn posts_published(tx: &mut Tx, account_id: &str, from: i64, to: i64) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM post_variants WHERE account_id = $1 AND published_at >= $2 AND published_at < $3")
        .bind(account_id)
        .bind(from)
        .bind(to)
        .fetch_one(&mut **tx)
        .await?)
}

/// Refreshes an account's rollups after a sample taken at `taken_at`: every bucket from the
/// previous sample's (whose change the new sample closes) to the latest sample's.
pub(crate) async fn refresh_account(tx: &mut Tx, account_id: &str, taken_at: i64) -> Result<()> {
    let Some(zone): Option<String> =
        sqlx::query_scalar("SELECT w.time_zone FROM social_accounts a JOIN workspaces w ON w.id = a.workspace_id WHERE a.id = $1")
            .bind(account_id)
            .fetch_optional(&mut **tx)
            .await?
    else {
        return Ok(());
    };
    let zone = zone_of(&zone);
    let (previous, latest): (Option<i64>, Option<i64>) = sqlx::query_as(
        "SELECT (SELECT MAX(taken_at) FROM account_metric_samples WHERE account_id = $1 AND taken_at < $2),
                (SELECT MAX(taken_at) FROM account_metric_samples WHERE account_id = $1)",
    )
    .bind(account_id)
    .bind(taken_at)
    .fetch_one(&mut **tx)
    .await?;
    let latest = latest.unwrap_or(taken_at).max(taken_at);
    let start = previous.unwrap_or(taken_at);

    // Days.
    let last_day = day_of(latest, &zone);
    let first_day = day_of(start, &zone).max(last_day.checked_sub(jiff::Span::new().days(MAX_DAYS_FILLED)).unwrap_or(last_day));
    if let Some((day_start, _)) = day_bounds(first_day, &zone) {
        let (before, series) = account_samples(tx, account_id, day_start).await?;
        let keys = days(first_day, last_day);
        for b in account_buckets(before, &series, &keys, |at| day_of(at, &zone)) {
            let Some((from, to)) = day_bounds(b.key, &zone) else { continue };
            let posts = posts_published(tx, account_id, from, to).await?;
            upsert_account_bucket(tx, "account_metric_daily", account_id, Key::Day(day_key(b.key)), &b, posts).await?;
        }
    }

    // Hours.
    let first_hour = hour_of(start).max(hour_of(latest) - MAX_HOURS_FILLED * HOUR_MS);
    let (before, series) = account_samples(tx, account_id, first_hour).await?;
    for b in account_buckets(before, &series, &hours(first_hour, latest), hour_of) {
        let posts = posts_published(tx, account_id, b.key, b.key + HOUR_MS).await?;
        upsert_account_bucket(tx, "account_metric_hourly", account_id, Key::Hour(b.key), &b, posts).await?;
    }
    Ok(())
}

async fn upsert_account_bucket(
    tx: &mut Tx,
    table: &str,
    account_id: &str,
    key: Key,
    b: &relais_core::metric_rollup::AccountBucket<impl Sized>,
    posts: i64,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO {table} (account_id, bucket, followers, following, gained, lost, posts_published) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (account_id, bucket) DO UPDATE SET followers = excluded.followers, following = excluded.following,
             gained = excluded.gained, lost = excluded.lost, posts_published = excluded.posts_published"
    );
    let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(account_id.to_string());
    let q = match key {
        Key::Hour(h) => q.bind(h),
        Key::Day(d) => q.bind(d),
    };
    q.bind(b.followers).bind(b.following).bind(b.gained).bind(b.lost).bind(posts).execute(&mut **tx).await?;
    Ok(())
}

/// The job that rebuilds a workspace's rollups (payload `{"workspace_id": …}`).
pub const REBUILD_ROLLUPS_JOB: &str = "rebuild_metric_rollups";

/// Records that the workspace's rollups must be rebuilt, inside the caller's transaction, and
/// enqueues the job that does it.
///
/// Why a job rather than the rebuild in the transaction that changes the zone: a rebuild replays
/// every sample of the workspace (years of hourly samples per account and post), which on a
/// large workspace takes minutes; in the settings request it would hold SQLite's only writer,
/// and every collection and inbox write with it, for that long, and could time out the request.
/// The request row is written with the change, so it cannot be lost; until the job has run the
/// dashboards read days of the former zone.
pub(crate) async fn request_rebuild(tx: &mut Tx, workspace_id: &str) -> Result<()> {
    let now = relais_core::now_ms();
    sqlx::query(
        "INSERT INTO metric_rollup_rebuilds (workspace_id, requested_at) VALUES ($1, $2)
         ON CONFLICT (workspace_id) DO UPDATE SET requested_at = excluded.requested_at",
    )
    .bind(workspace_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let job = crate::NewJob {
        kind: REBUILD_ROLLUPS_JOB.into(),
        payload: serde_json::json!({ "workspace_id": workspace_id }),
        run_at: now,
        unique_key: Some(format!("{REBUILD_ROLLUPS_JOB}:{workspace_id}:{now}")),
        max_attempts: 5,
    };
    crate::jobs::insert_job(&mut **tx, &job).await?;
    Ok(())
}

async fn rebuild_account(tx: &mut Tx, account: &str) -> Result<()> {
    for table in [
        "post_metric_hourly",
        "post_metric_daily",
        "account_metric_hourly",
        "account_metric_daily",
        "post_metric_days",
        "post_metric_slots",
        "post_metric_label_slots",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE account_id = $1"))).bind(account).execute(&mut **tx).await?;
    }
    sqlx::query("DELETE FROM post_metric_totals WHERE account_id = $1").bind(account).execute(&mut **tx).await?;
    // The account's samples one by one, oldest first: each refresh closes the previous
    // sample's buckets, as when they were recorded.
    let times: Vec<i64> = sqlx::query_scalar("SELECT taken_at FROM account_metric_samples WHERE account_id = $1 ORDER BY taken_at")
        .bind(account)
        .fetch_all(&mut **tx)
        .await?;
    for at in times {
        refresh_account(tx, account, at).await?;
    }
    let firsts: Vec<(String, i64)> = sqlx::query_as(
        "SELECT s.variant_id, MIN(s.taken_at) FROM post_metric_samples s JOIN post_variants v ON v.id = s.variant_id
         WHERE v.account_id = $1 GROUP BY s.variant_id",
    )
    .bind(account)
    .fetch_all(&mut **tx)
    .await?;
    for (variant, first) in firsts {
        // From the first sample on, every day of the variant is recomputed.
        let all: Vec<i64> =
            sqlx::query_scalar("SELECT taken_at FROM post_metric_samples WHERE variant_id = $1 AND taken_at >= $2 ORDER BY taken_at")
                .bind(&variant)
                .bind(first)
                .fetch_all(&mut **tx)
                .await?;
        let samples: Vec<PostMetricSample> =
            all.into_iter().map(|taken_at| PostMetricSample { variant_id: variant.clone(), taken_at, ..Default::default() }).collect();
        refresh_posts(tx, &samples).await?;
    }
    Ok(())
}

impl Store {
    /// Recomputes every rollup row of the workspace from its samples: after its time zone
    /// changed (day buckets move), or for samples recorded before the rollups existed. Rows are
    /// replaced, so running it twice changes nothing. One transaction per account: readers never
    /// see an account half rebuilt, and the writer is free between accounts. Serves (removes)
    /// the workspace's rebuild request made before it started.
    pub async fn rebuild_metric_rollups(&self, workspace_id: &str) -> Result<()> {
        let requested: Option<i64> = sqlx::query_scalar("SELECT requested_at FROM metric_rollup_rebuilds WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_optional(self.pool())
            .await?;
        let accounts: Vec<String> = sqlx::query_scalar("SELECT id FROM social_accounts WHERE workspace_id = $1 ORDER BY id")
            .bind(workspace_id)
            .fetch_all(self.pool())
            .await?;
        for account in &accounts {
            let mut tx = self.begin_write().await?;
            rebuild_account(&mut tx, account).await?;
            tx.commit().await?;
        }
        if let Some(at) = requested {
            // A request made while this ran (a second zone change) stays for the next run.
            sqlx::query("DELETE FROM metric_rollup_rebuilds WHERE workspace_id = $1 AND requested_at <= $2")
                .bind(workspace_id)
                .bind(at)
                .execute(self.writer())
                .await?;
        }
        Ok(())
    }

    /// The workspaces whose rollups wait for a rebuild, oldest request first.
    pub async fn metric_rollup_rebuilds_due(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT workspace_id FROM metric_rollup_rebuilds ORDER BY requested_at, workspace_id")
            .fetch_all(self.pool())
            .await?)
    }

    /// Requests a rebuild for every workspace with samples that have no rollup rows: samples
    /// recorded before migration 30 (recording a sample writes its rollups in the same
    /// transaction, so any other sample has some). An account sample always yields a day row of
    /// its account, a post sample an hour row of its variant; both checks are index lookups per
    /// account and variant. Returns how many workspaces were newly asked for.
    pub async fn request_missing_metric_rollups(&self) -> Result<u64> {
        let n = sqlx::query(
            "INSERT INTO metric_rollup_rebuilds (workspace_id, requested_at)
             SELECT a.workspace_id, MIN($1) FROM social_accounts a
             WHERE (EXISTS (SELECT 1 FROM account_metric_samples s WHERE s.account_id = a.id)
                    AND NOT EXISTS (SELECT 1 FROM account_metric_daily d WHERE d.account_id = a.id))
                OR EXISTS (SELECT 1 FROM post_variants v
                           WHERE v.account_id = a.id
                             AND EXISTS (SELECT 1 FROM post_metric_samples s WHERE s.variant_id = v.id)
                             AND NOT EXISTS (SELECT 1 FROM post_metric_hourly h WHERE h.variant_id = v.id))
             GROUP BY a.workspace_id
             ON CONFLICT (workspace_id) DO NOTHING",
        )
        .bind(relais_core::now_ms())
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(n)
    }
}

#[cfg(any(test, feature = "test-support"))]
impl Store {
    /// Deletes the workspace's rollup rows and keeps its samples: a database as migration 30
    /// found it, with samples recorded before the rollups existed.
    pub async fn forget_metric_rollups_for_test(&self, workspace_id: &str) -> Result<()> {
        for table in [
            "post_metric_hourly",
            "post_metric_daily",
            "account_metric_hourly",
            "account_metric_daily",
            "post_metric_totals",
            "post_metric_days",
            "post_metric_slots",
            "post_metric_label_slots",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE account_id IN (SELECT id FROM social_accounts WHERE workspace_id = $1)"
            )))
            .bind(workspace_id)
            .execute(self.writer())
            .await?;
        }
        Ok(())
    }
}
