//! Posts, their per-account variants and their history; scheduling enqueues the publish jobs
//! in the same transaction, and the publishing engine records each attempt before calling the
//! network.

use crate::jobs::insert_job;
use crate::{NewJob, Result, Store, StoreError};
use relais_core::workflow::PostState;
use relais_core::{new_id, now_ms};
use sqlx::FromRow;

pub const PUBLISH_JOB: &str = "publish";

#[derive(Debug, Clone)]
pub struct NewVariant {
    pub account_id: String,
    pub text: String,
    pub link: Option<String>,
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
}

#[derive(FromRow)]
struct PostRow {
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

/// What a publish attempt ended with.
#[derive(Debug, Clone)]
pub enum VariantOutcome {
    Published { remote_id: String, remote_url: Option<String> },
    Failed { error: String },
}

const POST_COLUMNS: &str =
    "id, workspace_id, state, title, pillar, campaign, scheduled_at, scheduled_local, scheduled_zone, schedule_version";
const VARIANT_COLUMNS: &str =
    "id, post_id, account_id, text, link, state, idempotency_key, attempts, remote_id, remote_url, error, published_at";

type Tx = sqlx::Transaction<'static, sqlx::Any>;

async fn record_event(
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

impl Store {
    /// Creates a draft with one variant per target account.
    pub async fn create_post(&self, new: &NewPost, actor: &Actor) -> Result<Post> {
        let id = new_id();
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO posts (id, workspace_id, state, title, pillar, campaign, schedule_version, created_by, created_at, updated_at)
             VALUES ($1, $2, 'draft', $3, $4, $5, 0, $6, $7, $7)",
        )
        .bind(&id)
        .bind(&new.workspace_id)
        .bind(&new.title)
        .bind(new.pillar.as_deref())
        .bind(new.campaign.as_deref())
        .bind(actor.id.as_deref())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for v in &new.variants {
            let vid = new_id();
            sqlx::query(
                "INSERT INTO post_variants (id, post_id, account_id, text, link, state, idempotency_key, attempts)
                 VALUES ($1, $2, $3, $4, $5, 'pending', $6, 0)",
            )
            .bind(&vid)
            .bind(&id)
            .bind(&v.account_id)
            .bind(&v.text)
            .bind(v.link.as_deref())
            .bind(format!("relais-{vid}"))
            .execute(&mut *tx)
            .await?;
        }
        record_event(&mut tx, &id, actor, "create", PostState::Draft, PostState::Draft, None).await?;
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
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE posts SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4")
            .bind(to.as_str())
            .bind(now_ms())
            .bind(post_id)
            .bind(from.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict(format!("the post is no longer {}: reload it", from.as_str())));
        }
        record_event(&mut tx, post_id, actor, action, from, to, comment).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Schedules an approved (or failed) post at `at_ms`, remembering the wall-clock time and
    /// zone the user chose, and enqueues one publish job per variant not yet published, in one
    /// transaction. Returns the new schedule version.
    pub async fn schedule_post(&self, post_id: &str, from: PostState, at_ms: i64, local: &str, zone: &str, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
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
        .fetch_optional(&mut *tx)
        .await?;
        let Some(version) = version else {
            return Err(StoreError::Conflict(format!("the post is no longer {}: reload it", from.as_str())));
        };
        sqlx::query("UPDATE post_variants SET state = 'pending', error = NULL WHERE post_id = $1 AND state = 'failed'")
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        let pending: Vec<String> =
            sqlx::query_scalar("SELECT id FROM post_variants WHERE post_id = $1 AND state <> 'published' ORDER BY id")
                .bind(post_id)
                .fetch_all(&mut *tx)
                .await?;
        for variant_id in pending {
            let job = NewJob {
                kind: PUBLISH_JOB.into(),
                payload: serde_json::json!({"variant": variant_id, "version": version}),
                run_at: at_ms,
                unique_key: Some(format!("{PUBLISH_JOB}:{variant_id}:{version}")),
                max_attempts: 8,
            };
            insert_job(&mut *tx, &job).await?;
        }
        record_event(&mut tx, post_id, actor, "schedule", from, PostState::Scheduled, Some(local)).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Records that a publish attempt of the variant starts: the variant is `publishing` and its
    /// attempt counted, and the post is `publishing`. Returns the attempt number; above 1, an
    /// earlier attempt's outcome is unknown and the network must be asked before calling again.
    /// `None` when the variant is no longer to be published (published, failed, or cancelled).
    pub async fn begin_publish_attempt(&self, variant_id: &str) -> Result<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let attempt: Option<(i64, String)> = sqlx::query_as(
            "UPDATE post_variants SET state = 'publishing', attempts = attempts + 1
             WHERE id = $1 AND state IN ('pending', 'publishing') RETURNING attempts, post_id",
        )
        .bind(variant_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((attempts, post_id)) = attempt else { return Ok(None) };
        let moved = sqlx::query("UPDATE posts SET state = 'publishing', updated_at = $1 WHERE id = $2 AND state = 'scheduled'")
            .bind(now_ms())
            .bind(&post_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if moved == 1 {
            record_event(&mut tx, &post_id, &Actor::system(), "publish", PostState::Scheduled, PostState::Publishing, None).await?;
        }
        tx.commit().await?;
        Ok(Some(attempts))
    }

    /// Records the outcome of a variant and, when it was the post's last one, the post's: published
    /// when every variant is, failed when any failed. Returns the post's new state if it changed.
    pub async fn finish_variant(&self, variant_id: &str, outcome: &VariantOutcome) -> Result<Option<PostState>> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        // Lock the post row first: the variants of one post finishing at the same moment then
        // take turns, and the last one sees all the others' outcomes (no write skew).
        let owner: Option<String> =
            sqlx::query_scalar("SELECT post_id FROM post_variants WHERE id = $1").bind(variant_id).fetch_optional(&mut *tx).await?;
        let Some(owner) = owner else { return Err(StoreError::NotFound("post variant")) };
        sqlx::query("UPDATE posts SET updated_at = $1 WHERE id = $2").bind(now).bind(&owner).execute(&mut *tx).await?;
        let post_id: Option<String> = match outcome {
            VariantOutcome::Published { remote_id, remote_url } => {
                sqlx::query_scalar(
                    "UPDATE post_variants SET state = 'published', remote_id = $1, remote_url = $2, error = NULL, published_at = $3
                 WHERE id = $4 AND state <> 'published' RETURNING post_id",
                )
                .bind(remote_id)
                .bind(remote_url.as_deref())
                .bind(now)
                .bind(variant_id)
                .fetch_optional(&mut *tx)
                .await?
            }
            VariantOutcome::Failed { error } => {
                sqlx::query_scalar(
                    "UPDATE post_variants SET state = 'failed', error = $1 WHERE id = $2 AND state <> 'published' RETURNING post_id",
                )
                .bind(error)
                .bind(variant_id)
                .fetch_optional(&mut *tx)
                .await?
            }
        };
        let Some(post_id) = post_id else {
            tx.commit().await?;
            return Ok(None);
        };
        let states: Vec<String> =
            sqlx::query_scalar("SELECT state FROM post_variants WHERE post_id = $1").bind(&post_id).fetch_all(&mut *tx).await?;
        let unfinished = states.iter().any(|s| s == "pending" || s == "publishing");
        let mut changed = None;
        if !unfinished {
            let to = if states.iter().all(|s| s == "published") { PostState::Published } else { PostState::Failed };
            let n = sqlx::query("UPDATE posts SET state = $1, updated_at = $2 WHERE id = $3 AND state = 'publishing'")
                .bind(to.as_str())
                .bind(now)
                .bind(&post_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 1 {
                let comment = match outcome {
                    VariantOutcome::Failed { error } => Some(error.as_str()),
                    _ => None,
                };
                record_event(&mut tx, &post_id, &Actor::system(), "publish", PostState::Publishing, to, comment).await?;
                changed = Some(to);
            }
        }
        tx.commit().await?;
        Ok(changed)
    }
}
