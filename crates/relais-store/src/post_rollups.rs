//! The period's posts rolled up (migrations 90 and 110): per account, day of publication,
//! pillar and campaign, and per account, month and local weekday × hour. The overview's totals, engagement per day and
//! best-time map read these, so a month of a large organisation is a few hundred rows rather
//! than every post published in it (`relais bench analytics` measures both).
//!
//! They are **signed sums** over the rows of `post_metric_totals`, changed in the transaction
//! that writes a row: its previous contribution is taken back and the new one added. A row
//! keeps the local hour it was rolled up under (`published_hour`, with `published_day`), so the
//! contribution taken back is always the one that was added, whatever happened to the zone
//! since; a zone change is a rebuild. Rows from before the migration carry no hour and are
//! rolled up by the housekeeping ([`Store::roll_up_pending_totals`]). A row also keeps its
//! post's pillar and campaign; when they change (a post edited, a label renamed or deleted),
//! [`relabel`] moves the row's contribution to its new labels.

use crate::sql::params;
use crate::{Result, Store};
use jiff::civil::Date;
use std::collections::BTreeMap;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A totals row as the rollups count it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct Rolled {
    pub account_id: String,
    pub published_day: String,
    pub published_hour: i64,
    /// The post's pillar and campaign names, '' for none.
    pub pillar: String,
    pub campaign: String,
    pub likes: i64,
    pub replies: i64,
    pub reposts: i64,
    pub quotes: i64,
    pub impressions: Option<i64>,
    pub reach: Option<i64>,
    pub link_clicks: Option<i64>,
    pub followers: Option<i64>,
}

/// The columns [`Rolled`] reads from `post_metric_totals`.
pub(crate) const ROLLED_COLUMNS: &str = "account_id, published_day, published_hour, pillar, campaign, likes, replies, reposts, quotes, impressions, reach, link_clicks, followers";

const DAY_COLUMNS: [&str; 16] = [
    "publications",
    "likes",
    "replies",
    "reposts",
    "quotes",
    "impressions",
    "impressions_posts",
    "impressions_engagements",
    "reach",
    "reach_posts",
    "reach_engagements",
    "link_clicks",
    "link_clicks_posts",
    "followers",
    "followers_posts",
    "followers_engagements",
];

const SLOT_COUNTS: [&str; 4] = ["posts", "impressions_rated", "reach_rated", "followers_rated"];
const SLOT_SUMS: [&str; 3] = ["impressions_rate_sum", "reach_rate_sum", "followers_rate_sum"];

impl Rolled {
    fn engagements(&self) -> i64 {
        self.likes + self.replies + self.reposts + self.quotes
    }

    /// What the row adds to its day, in [`DAY_COLUMNS`] order.
    fn day_values(&self) -> [i64; 16] {
        let e = self.engagements();
        let measured = |m: Option<i64>| (m.unwrap_or(0), i64::from(m.is_some()), if m.is_some() { e } else { 0 });
        let (impressions, impressions_posts, impressions_engagements) = measured(self.impressions);
        let (reach, reach_posts, reach_engagements) = measured(self.reach);
        let (followers, followers_posts, followers_engagements) = measured(self.followers);
        [
            1,
            self.likes,
            self.replies,
            self.reposts,
            self.quotes,
            impressions,
            impressions_posts,
            impressions_engagements,
            reach,
            reach_posts,
            reach_engagements,
            self.link_clicks.unwrap_or(0),
            i64::from(self.link_clicks.is_some()),
            followers,
            followers_posts,
            followers_engagements,
        ]
    }

    /// What the row adds to its weekday × hour: counts in [`SLOT_COUNTS`] order and rate sums
    /// in [`SLOT_SUMS`] order. A post is rated on a base its network reports above zero, as
    /// `BestTimes::of` rates it.
    fn slot_values(&self) -> ([i64; 4], [f64; 3]) {
        let e = self.engagements() as f64;
        let rate = |base: Option<i64>| match base {
            Some(b) if b > 0 => (1, e / b as f64),
            _ => (0, 0.0),
        };
        let (i, r, f) = (rate(self.impressions), rate(self.reach), rate(self.followers));
        ([1, i.0, r.0, f.0], [i.1, r.1, f.1])
    }

    /// (month `YYYY-MM`, weekday with Monday 0) of the day of publication.
    fn month_and_weekday(&self) -> Option<(String, i64)> {
        let day: Date = self.published_day.parse().ok()?;
        Some((self.published_day.get(..7)?.to_string(), i64::from(day.weekday().to_monday_zero_offset())))
    }
}

/// (account, day, pillar, campaign).
type DayKey<'a> = (&'a str, &'a str, &'a str, &'a str);
/// (account, label, month, weekday, hour); the label is '' in `post_metric_slots`,
/// `pillar:NAME` or `campaign:NAME` in `post_metric_label_slots`.
type SlotKey<'a> = (&'a str, String, String, i64, i64);
/// Counts in [`SLOT_COUNTS`] order, rate sums in [`SLOT_SUMS`] order.
type SlotValues = ([i64; 4], [f64; 3]);

/// The label slot key of a pillar or a campaign name.
pub(crate) fn label_key(kind: &str, name: &str) -> String {
    format!("{kind}:{name}")
}

/// Adds each row's contribution times its sign (+1 added, −1 taken back), summed per bucket
/// first so a batch writes each bucket once.
pub(crate) async fn apply(tx: &mut Tx, changes: &[(Rolled, i64)]) -> Result<()> {
    let mut days: BTreeMap<DayKey, [i64; 16]> = BTreeMap::new();
    let mut slots: BTreeMap<SlotKey, SlotValues> = BTreeMap::new();
    let mut label_slots: BTreeMap<SlotKey, SlotValues> = BTreeMap::new();
    for (row, sign) in changes {
        let sums = days.entry((&row.account_id, &row.published_day, &row.pillar, &row.campaign)).or_insert([0; 16]);
        for (s, v) in sums.iter_mut().zip(row.day_values()) {
            *s += sign * v;
        }
        let Some((month, weekday)) = row.month_and_weekday() else { continue };
        let (counts, rates) = row.slot_values();
        let add = |sums: &mut SlotValues| {
            for (s, v) in sums.0.iter_mut().zip(counts) {
                *s += sign * v;
            }
            for (s, v) in sums.1.iter_mut().zip(rates) {
                *s += *sign as f64 * v;
            }
        };
        let hour = row.published_hour;
        add(slots.entry((&row.account_id, String::new(), month.clone(), weekday, hour)).or_default());
        for (kind, name) in [("pillar", &row.pillar), ("campaign", &row.campaign)] {
            if !name.is_empty() {
                add(label_slots.entry((&row.account_id, label_key(kind, name), month.clone(), weekday, hour)).or_default());
            }
        }
    }
    let added =
        |columns: &[&str], table: &str| columns.iter().map(|c| format!("{c} = {table}.{c} + excluded.{c}")).collect::<Vec<_>>().join(", ");
    let day_sql = format!(
        "INSERT INTO post_metric_days (account_id, published_day, pillar, campaign, {}) VALUES ({})
         ON CONFLICT (account_id, published_day, pillar, campaign) DO UPDATE SET {}",
        DAY_COLUMNS.join(", "),
        params(1, 4 + DAY_COLUMNS.len()),
        added(&DAY_COLUMNS, "post_metric_days")
    );
    // Buckets whose changes cancel out are not written (a relabelled row's slot, taken back and
    // added again).
    for ((account, day, pillar, campaign), values) in days.into_iter().filter(|(_, v)| v.iter().any(|n| *n != 0)) {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(day_sql.clone()))
            .bind(account.to_string())
            .bind(day.to_string())
            .bind(pillar.to_string())
            .bind(campaign.to_string());
        for v in values {
            q = q.bind(v);
        }
        q.execute(&mut **tx).await?;
    }
    for (table, key, buckets) in [("post_metric_slots", "", slots), ("post_metric_label_slots", "label, ", label_slots)] {
        let sql = format!(
            "INSERT INTO {table} (account_id, {key}month, weekday, hour, {}, {}) VALUES ({})
             ON CONFLICT (account_id, {key}month, weekday, hour) DO UPDATE SET {}, {}",
            SLOT_COUNTS.join(", "),
            SLOT_SUMS.join(", "),
            params(1, 4 + usize::from(!key.is_empty()) + SLOT_COUNTS.len() + SLOT_SUMS.len()),
            added(&SLOT_COUNTS, table),
            added(&SLOT_SUMS, table)
        );
        for ((account, label, month, weekday, hour), (counts, rates)) in
            buckets.into_iter().filter(|(_, (c, r))| c.iter().any(|n| *n != 0) || r.iter().any(|x| *x != 0.0))
        {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(account.to_string());
            if !key.is_empty() {
                q = q.bind(label);
            }
            q = q.bind(month).bind(weekday).bind(hour);
            for v in counts {
                q = q.bind(v);
            }
            for v in rates {
                q = q.bind(v);
            }
            q.execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// A variant's current contribution, if its totals row is rolled up.
pub(crate) async fn rolled(tx: &mut Tx, variant_id: &str) -> Result<Option<Rolled>> {
    Ok(sqlx::query_as::<_, Rolled>(sqlx::AssertSqlSafe(format!(
        "SELECT {ROLLED_COLUMNS} FROM post_metric_totals WHERE variant_id = $1 AND published_hour IS NOT NULL"
    )))
    .bind(variant_id)
    .fetch_optional(&mut **tx)
    .await?)
}

/// The local hour of an instant.
pub(crate) fn local_hour(at_ms: i64, zone: &jiff::tz::TimeZone) -> i64 {
    jiff::Timestamp::from_millisecond(at_ms).map(|t| i64::from(t.to_zoned(zone.clone()).hour())).unwrap_or(0)
}

/// A totals row's counters and labels, before the local hour it is rolled up under.
#[derive(sqlx::FromRow)]
struct Counters {
    account_id: String,
    published_day: String,
    pillar: String,
    campaign: String,
    likes: i64,
    replies: i64,
    reposts: i64,
    quotes: i64,
    impressions: Option<i64>,
    reach: Option<i64>,
    link_clicks: Option<i64>,
    followers: Option<i64>,
}

impl Counters {
    fn at_hour(self, published_hour: i64) -> Rolled {
        Rolled {
            account_id: self.account_id,
            published_day: self.published_day,
            published_hour,
            pillar: self.pillar,
            campaign: self.campaign,
            likes: self.likes,
            replies: self.replies,
            reposts: self.reposts,
            quotes: self.quotes,
            impressions: self.impressions,
            reach: self.reach,
            link_clicks: self.link_clicks,
            followers: self.followers,
        }
    }
}

/// A totals row waiting to be rolled up, with its workspace's zone.
#[derive(sqlx::FromRow)]
struct PendingRow {
    variant_id: String,
    published_at: i64,
    time_zone: String,
    #[sqlx(flatten)]
    counters: Counters,
}

impl Store {
    /// Rolls up up to `limit` totals rows that are not yet (written before migration 90, or by
    /// a bulk load); returns how many. The hour is read in the workspace's current zone.
    pub async fn roll_up_pending_totals(&self, limit: i64) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let rows: Vec<PendingRow> = sqlx::query_as(
            "SELECT t.variant_id, t.published_at, w.time_zone, t.account_id, t.published_day, t.pillar, t.campaign, t.likes, t.replies, t.reposts,
                    t.quotes, t.impressions, t.reach, t.link_clicks, t.followers
             FROM post_metric_totals t JOIN workspaces w ON w.id = t.workspace_id
             WHERE t.published_hour IS NULL LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
        let mut by_hour: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        let mut changes = vec![];
        for r in rows {
            let zone = jiff::tz::TimeZone::get(&r.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
            let hour = local_hour(r.published_at, &zone);
            by_hour.entry(hour).or_default().push(r.variant_id);
            changes.push((r.counters.at_hour(hour), 1));
        }
        for (hour, ids) in &by_hour {
            for chunk in ids.chunks(crate::sql::MAX_PARAMS - 1) {
                let sql = format!("UPDATE post_metric_totals SET published_hour = $1 WHERE variant_id IN ({})", params(2, chunk.len()));
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(*hour);
                for id in chunk {
                    q = q.bind(id);
                }
                q.execute(&mut *tx).await?;
            }
        }
        apply(&mut tx, &changes).await?;
        tx.commit().await?;
        Ok(changes.len() as u64)
    }
}

/// A totals row whose labels are no longer its post's: its variant, its rolled-up contribution
/// (`None` before it is rolled up) and the post's labels now.
#[derive(sqlx::FromRow)]
struct Relabelled {
    variant_id: String,
    published_hour: Option<i64>,
    #[sqlx(flatten)]
    counters: Counters,
    new_pillar: String,
    new_campaign: String,
}

/// Which totals rows [`relabel`] looks at: one post's, or a workspace's carrying a label name.
pub(crate) enum Relabel<'a> {
    Post(&'a str),
    /// (workspace, `pillar` or `campaign`, the name the rows still carry).
    Label(&'a str, &'static str, &'a str),
}

/// After posts' labels changed, in the same transaction: the totals rows of `which` take their
/// post's pillar and campaign, and their rolled-up contributions move to the new labels.
pub(crate) async fn relabel(tx: &mut Tx, which: Relabel<'_>) -> Result<()> {
    let (filter, binds) = match which {
        Relabel::Post(post_id) => ("t.post_id = $1".to_string(), vec![post_id]),
        Relabel::Label(workspace_id, column, name) => (format!("t.workspace_id = $1 AND t.{column} = $2"), vec![workspace_id, name]),
    };
    let sql = format!(
        "SELECT t.variant_id, t.account_id, t.published_day, t.published_hour, t.pillar, t.campaign, t.likes, t.replies,
                t.reposts, t.quotes, t.impressions, t.reach, t.link_clicks, t.followers,
                COALESCE(p.pillar, '') AS new_pillar, COALESCE(p.campaign, '') AS new_campaign
         FROM post_metric_totals t JOIN posts p ON p.id = t.post_id
         WHERE {filter} AND (t.pillar <> COALESCE(p.pillar, '') OR t.campaign <> COALESCE(p.campaign, ''))"
    );
    let mut q = sqlx::query_as::<_, Relabelled>(sqlx::AssertSqlSafe(sql));
    for b in binds {
        q = q.bind(b);
    }
    let rows = q.fetch_all(&mut **tx).await?;
    let mut changes = vec![];
    let mut by_labels: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for r in rows {
        by_labels.entry((r.new_pillar.clone(), r.new_campaign.clone())).or_default().push(r.variant_id);
        let Some(published_hour) = r.published_hour else { continue };
        let old = r.counters.at_hour(published_hour);
        let new = Rolled { pillar: r.new_pillar, campaign: r.new_campaign, ..old.clone() };
        changes.extend([(old, -1), (new, 1)]);
    }
    for ((pillar, campaign), ids) in &by_labels {
        for chunk in ids.chunks(crate::sql::MAX_PARAMS - 2) {
            let sql = format!("UPDATE post_metric_totals SET pillar = $1, campaign = $2 WHERE variant_id IN ({})", params(3, chunk.len()));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(pillar).bind(campaign);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut **tx).await?;
        }
    }
    apply(tx, &changes).await
}
