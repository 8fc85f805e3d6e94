//! Posts, their per-account variants and their history; scheduling enqueues the publish jobs
//! in the same transaction, and the publishing engine records each attempt before calling the
//! network.

use crate::jobs::insert_job;
use crate::notifications::{NewNotification, NotificationKind, insert_notifications};
use crate::sql::{params, tuples};
use crate::{NewJob, PlannedAt, Result, Store, StoreError};
use relais_core::workflow::PostState;
use relais_core::{new_id, now_ms};
use sqlx::FromRow;
use std::collections::HashMap;

pub const PUBLISH_JOB: &str = "publish";

#[derive(Debug, Clone)]
pub struct NewVariant {
    pub account_id: String,
    pub text: String,
    pub link: Option<String>,
    /// Posted as the first reply, where the network allows it.
    pub first_comment: Option<String>,
    /// The following parts of a thread, where the network allows threads.
    pub thread: Vec<String>,
    /// Media of the library, in order.
    pub media_ids: Vec<String>,
    /// Shown before the folded post, where the network offers it.
    pub content_warning: Option<String>,
    /// Key of the audience (`public`, `unlisted`, `followers`, `direct`); `None`: the network's
    /// default. Checked against the network's capabilities by the callers.
    pub visibility: Option<String>,
}

impl NewVariant {
    /// A text-only variant.
    pub fn text(account_id: impl Into<String>, text: impl Into<String>, link: Option<String>) -> NewVariant {
        NewVariant {
            account_id: account_id.into(),
            text: text.into(),
            link,
            first_comment: None,
            thread: vec![],
            media_ids: vec![],
            content_warning: None,
            visibility: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewPost {
    pub workspace_id: String,
    pub title: String,
    pub pillar: Option<String>,
    pub campaign: Option<String>,
    pub variants: Vec<NewVariant>,
}

/// Who acts on a post: a member, or the system (`id` None) such as a worker.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<String>,
    pub label: String,
}

impl Actor {
    pub fn system() -> Actor {
        Actor { id: None, label: "Relais".into() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub id: String,
    pub workspace_id: String,
    pub state: PostState,
    pub title: String,
    pub pillar: Option<String>,
    pub campaign: Option<String>,
    pub scheduled_at: Option<i64>,
    pub scheduled_local: Option<String>,
    pub scheduled_zone: Option<String>,
    pub schedule_version: i64,
    pub assignee_id: Option<String>,
    pub created_by: Option<String>,
}

#[derive(FromRow)]
pub(crate) struct PostRow {
    id: String,
    workspace_id: String,
    state: String,
    title: String,
    pillar: Option<String>,
    campaign: Option<String>,
    scheduled_at: Option<i64>,
    scheduled_local: Option<String>,
    scheduled_zone: Option<String>,
    schedule_version: i64,
    assignee_id: Option<String>,
    created_by: Option<String>,
}

impl TryFrom<PostRow> for Post {
    type Error = StoreError;
    fn try_from(r: PostRow) -> Result<Post> {
        let state = PostState::parse(&r.state).ok_or_else(|| StoreError::Conflict(format!("corrupt post state {:?}", r.state)))?;
        Ok(Post {
            id: r.id,
            workspace_id: r.workspace_id,
            state,
            title: r.title,
            pillar: r.pillar,
            campaign: r.campaign,
            scheduled_at: r.scheduled_at,
            scheduled_local: r.scheduled_local,
            scheduled_zone: r.scheduled_zone,
            schedule_version: r.schedule_version,
            assignee_id: r.assignee_id,
            created_by: r.created_by,
        })
    }
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Variant {
    pub id: String,
    pub post_id: String,
    pub account_id: String,
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    /// JSON array of the following parts of a thread; see [`Variant::thread_parts`].
    pub thread: Option<String>,
    pub content_warning: Option<String>,
    /// See [`NewVariant::visibility`].
    pub visibility: Option<String>,
    /// pending | publishing | published | failed
    pub state: String,
    pub idempotency_key: String,
    pub attempts: i64,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub error: Option<String>,
    pub published_at: Option<i64>,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct PostEvent {
    pub actor_label: String,
    pub action: String,
    pub from_state: String,
    pub to_state: String,
    pub comment: Option<String>,
    pub at: i64,
}

/// A variant with what publishing it needs: its post's state and schedule, and its account.
#[derive(Debug, Clone, FromRow)]
pub struct PublishTarget {
    pub variant_id: String,
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    /// JSON array of the following parts of a thread; see [`PublishTarget::thread_parts`].
    pub thread: Option<String>,
    pub content_warning: Option<String>,
    /// See [`NewVariant::visibility`].
    pub visibility: Option<String>,
    pub idempotency_key: String,
    pub post_state: String,
    pub schedule_version: i64,
    pub account_id: String,
    pub network: String,
    pub handle: String,
    /// Sealed.
    pub credentials: String,
    pub status: String,
    pub status_reason: Option<String>,
    /// How many media the variant carries (their details are read only when there are some).
    pub media_count: i64,
}

/// What a publish attempt ended with.
#[derive(Debug, Clone)]
pub enum VariantOutcome {
    Published { remote_id: String, remote_url: Option<String> },
    Failed { error: String },
}

pub(crate) const POST_COLUMNS: &str = "id, workspace_id, state, title, pillar, campaign, scheduled_at, scheduled_local, scheduled_zone, \
     schedule_version, assignee_id, created_by";
const VARIANT_COLUMNS: &str = "id, post_id, account_id, text, link, first_comment, thread, content_warning, visibility, state, \
     idempotency_key, attempts, remote_id, \
     remote_url, error, published_at";

impl Variant {
    /// The following parts of the thread, in order (none when the variant is a single post).
    pub fn thread_parts(&self) -> Vec<String> {
        parse_thread(self.thread.as_deref())
    }
}

impl PublishTarget {
    /// The following parts of the thread, in order (none when the variant is a single post).
    pub fn thread_parts(&self) -> Vec<String> {
        parse_thread(self.thread.as_deref())
    }
}

fn parse_thread(json: Option<&str>) -> Vec<String> {
    json.and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default()
}

pub(crate) fn thread_json(parts: &[String]) -> Option<String> {
    if parts.is_empty() { None } else { serde_json::to_string(parts).ok() }
}

/// An empty content warning is none.
pub(crate) fn blank_to_none(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Events recorded by the system (a worker) for several posts, in one statement.
async fn record_system_events(tx: &mut Tx, from: PostState, events: &[(&str, PostState, Option<&str>)]) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO post_events (id, post_id, actor_id, actor_label, action, from_state, to_state, comment, at) VALUES {}",
        tuples(1, events.len(), 9)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    let now = now_ms();
    for (post_id, to, comment) in events {
        q = q
            .bind(new_id())
            .bind(*post_id)
            .bind(None::<String>)
            .bind("Relais")
            .bind("publish")
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(*comment)
            .bind(now);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

pub(crate) async fn record_event(
    tx: &mut Tx,
    post_id: &str,
    actor: &Actor,
    action: &str,
    from: PostState,
    to: PostState,
    comment: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO post_events (id, post_id, actor_id, actor_label, action, from_state, to_state, comment, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(post_id)
    .bind(actor.id.as_deref())
    .bind(&actor.label)
    .bind(action)
    .bind(from.as_str())
    .bind(to.as_str())
    .bind(comment)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Tells the author and the assignee of each failed post, with the network's words.
async fn notify_failures(tx: &mut Tx, post_ids: &[String], by_post: &HashMap<String, (bool, bool, Option<String>)>) -> Result<()> {
    if post_ids.is_empty() {
        return Ok(());
    }
    let sql = format!("SELECT id, workspace_id, title, created_by, assignee_id FROM posts WHERE id IN ({})", params(1, post_ids.len()));
    let mut q = sqlx::query_as::<_, (String, String, String, Option<String>, Option<String>)>(sqlx::AssertSqlSafe(sql));
    for id in post_ids {
        q = q.bind(id);
    }
    let mut notes = vec![];
    for (post_id, workspace_id, title, created_by, assignee) in q.fetch_all(&mut **tx).await? {
        let mut users: Vec<String> = created_by.into_iter().chain(assignee).collect();
        users.dedup();
        for user_id in users {
            notes.push(NewNotification {
                user_id,
                workspace_id: workspace_id.clone(),
                kind: NotificationKind::Failed,
                post_id: Some(post_id.clone()),
                actor_label: "Relais".into(),
                subject: title.clone(),
                detail: by_post.get(&post_id).and_then(|p| p.2.clone()),
            });
        }
    }
    insert_notifications(tx, &notes).await
}

/// [`Store::schedule_post`] inside the caller's transaction. From `scheduled` it reschedules: the
/// version moves on, so the jobs of the old time find nothing to do.
pub(crate) async fn schedule_in_tx(
    tx: &mut Tx,
    post_id: &str,
    from: PostState,
    at_ms: i64,
    local: &str,
    zone: &str,
    actor: &Actor,
) -> Result<i64> {
    let version: Option<i64> = sqlx::query_scalar(
        "UPDATE posts SET state = 'scheduled', scheduled_at = $1, scheduled_local = $2, scheduled_zone = $3,
            schedule_version = schedule_version + 1, updated_at = $4
         WHERE id = $5 AND state = $6 RETURNING schedule_version",
    )
    .bind(at_ms)
    .bind(local)
    .bind(zone)
    .bind(now_ms())
    .bind(post_id)
    .bind(from.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(version) = version else {
        return Err(StoreError::Conflict(format!("the post is no longer {}: reload it", from.as_str())));
    };
    sqlx::query("UPDATE post_variants SET state = 'pending', error = NULL WHERE post_id = $1 AND state = 'failed'")
        .bind(post_id)
        .execute(&mut **tx)
        .await?;
    let pending: Vec<String> = sqlx::query_scalar("SELECT id FROM post_variants WHERE post_id = $1 AND state <> 'published' ORDER BY id")
        .bind(post_id)
        .fetch_all(&mut **tx)
        .await?;
    for variant_id in pending {
        let job = NewJob {
            kind: PUBLISH_JOB.into(),
            payload: serde_json::json!({"variant": variant_id, "version": version}),
            run_at: at_ms,
            unique_key: Some(format!("{PUBLISH_JOB}:{variant_id}:{version}")),
            max_attempts: 8,
        };
        insert_job(&mut **tx, &job).await?;
    }
    let action = if from == PostState::Scheduled { "reschedule" } else { "schedule" };
    record_event(tx, post_id, actor, action, from, PostState::Scheduled, Some(local)).await?;
    Ok(version)
}

/// Inserts a post (not its variants) in `state`, with a planned time if given, inside the
/// caller's transaction; returns its id. A scheduled post is inserted approved, then scheduled
/// with [`schedule_in_tx`], which enqueues its jobs.
pub(crate) async fn insert_post(
    tx: &mut Tx,
    new: &NewPost,
    state: PostState,
    planned: Option<PlannedAt<'_>>,
    actor: &Actor,
) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO posts (id, workspace_id, state, title, pillar, campaign, scheduled_at, scheduled_local, scheduled_zone,
                            schedule_version, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $11)",
    )
    .bind(&id)
    .bind(&new.workspace_id)
    .bind(state.as_str())
    .bind(&new.title)
    .bind(new.pillar.as_deref())
    .bind(new.campaign.as_deref())
    .bind(planned.map(|p| p.at_ms))
    .bind(planned.map(|p| p.local))
    .bind(planned.map(|p| p.zone))
    .bind(actor.id.as_deref())
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// Inserts a variant with its idempotency key and media, inside the caller's transaction.
pub(crate) async fn insert_variant(tx: &mut Tx, post_id: &str, v: &NewVariant) -> Result<String> {
    let vid = new_id();
    sqlx::query(
        "INSERT INTO post_variants (id, post_id, account_id, text, link, first_comment, thread, content_warning, visibility, state,
                                    idempotency_key, attempts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, 0)",
    )
    .bind(&vid)
    .bind(post_id)
    .bind(&v.account_id)
    .bind(&v.text)
    .bind(v.link.as_deref())
    .bind(v.first_comment.as_deref())
    .bind(thread_json(&v.thread))
    .bind(blank_to_none(v.content_warning.as_deref()))
    .bind(v.visibility.as_deref())
    .bind(format!("relais-{vid}"))
    .execute(&mut **tx)
    .await?;
    set_variant_media(tx, &vid, &v.media_ids).await?;
    Ok(vid)
}

/// Replaces the media of a variant, in order. Each item must belong to the workspace of the
/// variant's post (`NotFound("media")` otherwise: another tenant's ids reveal nothing), once.
pub(crate) async fn set_variant_media(tx: &mut Tx, variant_id: &str, media_ids: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM variant_media WHERE variant_id = $1").bind(variant_id).execute(&mut **tx).await?;
    if media_ids.is_empty() {
        return Ok(());
    }
    let mut unique = media_ids.to_vec();
    unique.sort();
    unique.dedup();
    if unique.len() != media_ids.len() {
        return Err(StoreError::Conflict("the same media is listed twice for one variant".into()));
    }
    let sql = format!(
        "SELECT COUNT(*) FROM media WHERE id IN ({}) AND workspace_id =
           (SELECT p.workspace_id FROM post_variants v JOIN posts p ON p.id = v.post_id WHERE v.id = $1)",
        params(2, media_ids.len())
    );
    let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)).bind(variant_id);
    for id in media_ids {
        q = q.bind(id);
    }
    if q.fetch_one(&mut **tx).await? != media_ids.len() as i64 {
        return Err(StoreError::NotFound("media"));
    }
    let sql = format!("INSERT INTO variant_media (variant_id, media_id, position) VALUES {}", tuples(1, media_ids.len(), 3));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (position, id) in media_ids.iter().enumerate() {
        q = q.bind(variant_id).bind(id).bind(position as i64);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

impl Store {
    /// Creates a draft with one variant per target account.
    pub async fn create_post(&self, new: &NewPost, actor: &Actor) -> Result<Post> {
        self.create_post_as(new, PostState::Draft, actor).await
    }

    /// Creates a post as an idea or a draft (the states a post may start in).
    pub async fn create_post_as(&self, new: &NewPost, state: PostState, actor: &Actor) -> Result<Post> {
        if !state.is_before_review() {
            return Err(StoreError::Conflict(format!("a new post starts as an idea or a draft, not {}", state.as_str())));
        }
        let mut tx = self.begin_write().await?;
        let id = insert_post(&mut tx, new, state, None, actor).await?;
        for v in &new.variants {
            insert_variant(&mut tx, &id, v).await?;
        }
        record_event(&mut tx, &id, actor, "create", state, state, None).await?;
        tx.commit().await?;
        self.post(&id).await
    }

    pub async fn post(&self, id: &str) -> Result<Post> {
        let row: PostRow = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {POST_COLUMNS} FROM posts WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("post"))?;
        row.try_into()
    }

    pub async fn variants(&self, post_id: &str) -> Result<Vec<Variant>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {VARIANT_COLUMNS} FROM post_variants WHERE post_id = $1 ORDER BY id")))
            .bind(post_id)
            .fetch_all(self.pool())
            .await?)
    }

    pub async fn variant(&self, id: &str) -> Result<Variant> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {VARIANT_COLUMNS} FROM post_variants WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("post variant"))
    }

    pub async fn post_events(&self, post_id: &str) -> Result<Vec<PostEvent>> {
        Ok(sqlx::query_as(
            "SELECT actor_label, action, from_state, to_state, comment, at FROM post_events WHERE post_id = $1 ORDER BY at, id",
        )
        .bind(post_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Moves a post from `from` to `to` (decided by the workflow), recording who and why. Fails
    /// with a conflict when someone else moved it first.
    pub async fn move_post(
        &self,
        post_id: &str,
        from: PostState,
        to: PostState,
        actor: &Actor,
        action: &str,
        comment: Option<&str>,
    ) -> Result<()> {
        self.move_post_notifying(post_id, from, to, actor, action, comment, &[]).await
    }

    /// Schedules an approved (or failed) post at `at_ms`, remembering the wall-clock time and
    /// zone the user chose, and enqueues one publish job per variant not yet published, in one
    /// transaction. Returns the new schedule version.
    pub async fn schedule_post(&self, post_id: &str, from: PostState, at_ms: i64, local: &str, zone: &str, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let version = schedule_in_tx(&mut tx, post_id, from, at_ms, local, zone, actor).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Records that a publish attempt of the variant starts; see [`Store::begin_publish_attempts`].
    pub async fn begin_publish_attempt(&self, variant_id: &str) -> Result<Option<i64>> {
        Ok(self.begin_publish_attempts(&[variant_id.to_string()]).await?.remove(variant_id))
    }

    /// Records that publish attempts start, for a batch of variants in one transaction: each
    /// variant is `publishing` with its attempt counted, and each post `publishing`. Returns the
    /// attempt number per variant; above 1, an earlier attempt's outcome is unknown and the
    /// network must be asked before calling again. Variants no longer to be published
    /// (published, failed, cancelled) are absent from the result.
    pub async fn begin_publish_attempts(&self, variant_ids: &[String]) -> Result<HashMap<String, i64>> {
        if variant_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let mut tx = self.begin_write().await?;
        let sql = format!(
            "UPDATE post_variants SET state = 'publishing', attempts = attempts + 1
             WHERE state IN ('pending', 'publishing') AND id IN ({}) RETURNING id, attempts, post_id",
            params(1, variant_ids.len())
        );
        let mut q = sqlx::query_as::<_, (String, i64, String)>(sqlx::AssertSqlSafe(sql));
        for id in variant_ids {
            q = q.bind(id);
        }
        let rows = q.fetch_all(&mut *tx).await?;
        let mut post_ids: Vec<&String> = rows.iter().map(|r| &r.2).collect();
        post_ids.sort();
        post_ids.dedup();
        if !post_ids.is_empty() {
            let sql = format!(
                "UPDATE posts SET state = 'publishing', updated_at = $1 WHERE state = 'scheduled' AND id IN ({}) RETURNING id",
                params(2, post_ids.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(now_ms());
            for id in &post_ids {
                q = q.bind(*id);
            }
            let moved = q.fetch_all(&mut *tx).await?;
            let events: Vec<(&str, PostState, Option<&str>)> = moved.iter().map(|id| (id.as_str(), PostState::Publishing, None)).collect();
            record_system_events(&mut tx, PostState::Scheduled, &events).await?;
        }
        tx.commit().await?;
        Ok(rows.into_iter().map(|(id, attempts, _)| (id, attempts)).collect())
    }

    /// Records one variant's outcome; see [`Store::finish_variants`].
    pub async fn finish_variant(&self, variant_id: &str, outcome: &VariantOutcome) -> Result<Option<PostState>> {
        let changed = self.finish_variants(&[(variant_id.to_string(), outcome.clone())]).await?;
        Ok(changed.into_values().next())
    }

    /// Records the outcomes of a batch of variants in one transaction and, for each post whose
    /// last variant this was, the post's state: published when every variant is, failed when any
    /// failed. Returns the posts whose state changed.
    pub async fn finish_variants(&self, outcomes: &[(String, VariantOutcome)]) -> Result<HashMap<String, PostState>> {
        if outcomes.is_empty() {
            return Ok(HashMap::new());
        }
        let now = now_ms();
        let ids: Vec<&String> = outcomes.iter().map(|(id, _)| id).collect();
        let mut tx = self.begin_write().await?;
        // Lock the posts first: variants of one post finishing in different transactions then
        // take turns, and the last one sees all the others' outcomes (no write skew).
        let sql = format!(
            "UPDATE posts SET updated_at = $1 WHERE id IN (SELECT post_id FROM post_variants WHERE id IN ({})) RETURNING id",
            params(2, ids.len())
        );
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(now);
        for id in &ids {
            q = q.bind(*id);
        }
        let post_ids = q.fetch_all(&mut *tx).await?;

        let published: Vec<(&String, &String, Option<&String>)> = outcomes
            .iter()
            .filter_map(|(id, o)| match o {
                VariantOutcome::Published { remote_id, remote_url } => Some((id, remote_id, remote_url.as_ref())),
                VariantOutcome::Failed { .. } => None,
            })
            .collect();
        if !published.is_empty() {
            let sql = format!(
                "UPDATE post_variants SET state = 'published', remote_id = v.column2, remote_url = NULLIF(v.column3, ''), error = NULL, published_at = $1
                 FROM (VALUES {}) AS v WHERE post_variants.id = v.column1 AND post_variants.state <> 'published'",
                tuples(2, published.len(), 3)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
            for (id, remote_id, url) in &published {
                q = q.bind(*id).bind(*remote_id).bind(url.map(|u| u.as_str()).unwrap_or(""));
            }
            q.execute(&mut *tx).await?;
        }
        let failed: Vec<(&String, &String)> = outcomes
            .iter()
            .filter_map(|(id, o)| match o {
                VariantOutcome::Failed { error } => Some((id, error)),
                VariantOutcome::Published { .. } => None,
            })
            .collect();
        if !failed.is_empty() {
            let sql = format!(
                "UPDATE post_variants SET state = 'failed', error = v.column2
                 FROM (VALUES {}) AS v WHERE post_variants.id = v.column1 AND post_variants.state <> 'published'",
                tuples(1, failed.len(), 2)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, error) in &failed {
                q = q.bind(*id).bind(*error);
            }
            q.execute(&mut *tx).await?;
        }

        // Which posts are now complete, and how.
        let sql = format!("SELECT post_id, state, error FROM post_variants WHERE post_id IN ({})", params(1, post_ids.len()));
        let mut q = sqlx::query_as::<_, (String, String, Option<String>)>(sqlx::AssertSqlSafe(sql));
        for id in &post_ids {
            q = q.bind(id);
        }
        let mut by_post: HashMap<String, (bool, bool, Option<String>)> = HashMap::new(); // (unfinished, any failed, first error)
        for (post_id, state, error) in q.fetch_all(&mut *tx).await? {
            let e = by_post.entry(post_id).or_insert((false, false, None));
            e.0 |= state == "pending" || state == "publishing";
            if state == "failed" {
                e.1 = true;
                e.2 = e.2.take().or(error);
            }
        }
        let mut changed = HashMap::new();
        for (to, want_failed) in [(PostState::Published, false), (PostState::Failed, true)] {
            let done: Vec<&String> =
                by_post.iter().filter(|(_, (unfinished, failed, _))| !unfinished && *failed == want_failed).map(|(id, _)| id).collect();
            if done.is_empty() {
                continue;
            }
            let sql = format!(
                "UPDATE posts SET state = $1, updated_at = $2 WHERE state = 'publishing' AND id IN ({}) RETURNING id",
                params(3, done.len())
            );
            let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(to.as_str()).bind(now);
            for id in &done {
                q = q.bind(*id);
            }
            let moved = q.fetch_all(&mut *tx).await?;
            let events: Vec<(&str, PostState, Option<&str>)> =
                moved.iter().map(|id| (id.as_str(), to, by_post.get(id).and_then(|p| p.2.as_deref()))).collect();
            record_system_events(&mut tx, PostState::Publishing, &events).await?;
            if to == PostState::Failed {
                notify_failures(&mut tx, &moved, &by_post).await?;
            }
            changed.extend(moved.into_iter().map(|id| (id, to)));
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// What a publish job needs, for a batch of variants, in one read (their media are one more:
    /// [`Store::variant_media`]).
    pub async fn publish_targets(&self, variant_ids: &[String]) -> Result<Vec<PublishTarget>> {
        if variant_ids.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT v.id AS variant_id, v.text, v.link, v.first_comment, v.thread, v.content_warning, v.visibility, v.idempotency_key,
                    p.state AS post_state, p.schedule_version,
                    a.id AS account_id, a.network, a.handle, a.credentials, a.status, a.status_reason,
                    (SELECT COUNT(*) FROM variant_media m WHERE m.variant_id = v.id) AS media_count
             FROM post_variants v JOIN posts p ON p.id = v.post_id JOIN social_accounts a ON a.id = v.account_id
             WHERE v.id IN ({})",
            params(1, variant_ids.len())
        );
        let mut q = sqlx::query_as::<_, PublishTarget>(sqlx::AssertSqlSafe(sql));
        for id in variant_ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(self.pool()).await?)
    }
}
