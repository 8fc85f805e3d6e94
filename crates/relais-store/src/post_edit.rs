//! Changing a post after it was created: its content (which the workflow may send back to
//! review), its planned time, its assignee, and the internal comments on it.

use crate::notifications::{NewNotification, insert_notifications};
use crate::posts::{Actor, NewVariant, blank_to_none, insert_variant, record_event, schedule_in_tx, set_variant_media, thread_json};
use crate::{Result, Store, StoreError};
use relais_core::workflow::PostState;
use relais_core::{new_id, now_ms};
use sqlx::FromRow;

/// Everything the composer edits.
#[derive(Debug, Clone)]
pub struct PostContent {
    pub title: String,
    pub pillar: Option<String>,
    pub campaign: Option<String>,
    pub variants: Vec<NewVariant>,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct PostComment {
    pub id: String,
    pub author_id: Option<String>,
    pub author_label: String,
    pub body: String,
    pub at: i64,
}

/// When a post is planned: the UTC instant, and the wall-clock time and zone chosen.
#[derive(Debug, Clone, Copy)]
pub struct PlannedAt<'a> {
    pub at_ms: i64,
    pub local: &'a str,
    pub zone: &'a str,
}

impl Store {
    /// Replaces the content of a post that is `from`, moving it to `to` (the workflow's answer
    /// to an edit: back to review once it had been reviewed). Variants keep their id, and so
    /// their idempotency key, for the accounts that stay; a published variant cannot change.
    /// A scheduled post's publish jobs are voided by the new schedule version.
    pub async fn edit_post(&self, post_id: &str, from: PostState, to: PostState, content: &PostContent, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let bump = i64::from(from == PostState::Scheduled);
        let n = sqlx::query(
            "UPDATE posts SET state = $1, title = $2, pillar = $3, campaign = $4, schedule_version = schedule_version + $5, updated_at = $6
             WHERE id = $7 AND state = $8",
        )
        .bind(to.as_str())
        .bind(&content.title)
        .bind(content.pillar.as_deref())
        .bind(content.campaign.as_deref())
        .bind(bump)
        .bind(now_ms())
        .bind(post_id)
        .bind(from.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict(format!("the post is no longer {}: reload it", from.as_str())));
        }
        // A published post's results follow its labels in the overview's rollups.
        crate::post_rollups::relabel(&mut tx, crate::post_rollups::Relabel::Post(post_id)).await?;
        let existing: Vec<(String, String, String, String)> =
            sqlx::query_as("SELECT id, account_id, state, text FROM post_variants WHERE post_id = $1")
                .bind(post_id)
                .fetch_all(&mut *tx)
                .await?;
        for (id, account_id, state, _) in &existing {
            if content.variants.iter().any(|v| &v.account_id == account_id) {
                continue;
            }
            if state == "published" {
                return Err(StoreError::Conflict("a variant that is already published cannot be removed".into()));
            }
            sqlx::query("DELETE FROM post_variants WHERE id = $1").bind(id).execute(&mut *tx).await?;
        }
        for v in &content.variants {
            match existing.iter().find(|(_, account_id, _, _)| account_id == &v.account_id) {
                Some((_, _, state, text)) if state == "published" => {
                    if text != &v.text {
                        return Err(StoreError::Conflict("a variant that is already published cannot change".into()));
                    }
                }
                Some((id, ..)) => {
                    sqlx::query(
                        "UPDATE post_variants SET text = $1, link = $2, first_comment = $3, thread = $4, content_warning = $5, visibility = $6
                         WHERE id = $7",
                    )
                    .bind(&v.text)
                    .bind(v.link.as_deref())
                    .bind(v.first_comment.as_deref())
                    .bind(thread_json(&v.thread))
                    .bind(blank_to_none(v.content_warning.as_deref()))
                    .bind(v.visibility.as_deref())
                    .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    set_variant_media(&mut tx, id, &v.media_ids).await?;
                }
                None => {
                    insert_variant(&mut tx, post_id, v).await?;
                }
            }
        }
        record_event(&mut tx, post_id, actor, "edit", from, to, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a post on the calendar. A scheduled post is rescheduled (new publish jobs, the old
    /// ones voided); any other post not yet publishing gets a planned time, or loses it with
    /// `None`, which schedules nothing.
    pub async fn plan_post(&self, post_id: &str, at: Option<PlannedAt<'_>>, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM posts WHERE id = $1").bind(post_id).fetch_optional(&mut *tx).await?;
        let state = state.and_then(|s| PostState::parse(&s)).ok_or(StoreError::NotFound("post"))?;
        match (state, at) {
            (PostState::Scheduled, Some(p)) => {
                schedule_in_tx(&mut tx, post_id, state, p.at_ms, p.local, p.zone, actor).await?;
            }
            (PostState::Scheduled, None) => {
                return Err(StoreError::Conflict("a scheduled post must be unscheduled before its time is cleared".into()));
            }
            (PostState::Publishing | PostState::Published | PostState::Cancelled, _) => {
                return Err(StoreError::Conflict(format!("a post that is {} cannot be moved", state.as_str())));
            }
            (_, at) => {
                sqlx::query("UPDATE posts SET scheduled_at = $1, scheduled_local = $2, scheduled_zone = $3, updated_at = $4 WHERE id = $5")
                    .bind(at.map(|p| p.at_ms))
                    .bind(at.map(|p| p.local))
                    .bind(at.map(|p| p.zone))
                    .bind(now_ms())
                    .bind(post_id)
                    .execute(&mut *tx)
                    .await?;
                record_event(&mut tx, post_id, actor, "plan", state, state, at.map(|p| p.local)).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Moves a post through the workflow like [`Store::move_post`] and notifies, in the same
    /// transaction, whoever must act next.
    #[allow(clippy::too_many_arguments)]
    pub async fn move_post_notifying(
        &self,
        post_id: &str,
        from: PostState,
        to: PostState,
        actor: &Actor,
        action: &str,
        comment: Option<&str>,
        notes: &[NewNotification],
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
        insert_notifications(&mut tx, notes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Assigns the post to a member (or nobody), notifying the new assignee.
    pub async fn assign_post(&self, post_id: &str, assignee: Option<&str>, notes: &[NewNotification]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE posts SET assignee_id = $1, updated_at = $2 WHERE id = $3")
            .bind(assignee)
            .bind(now_ms())
            .bind(post_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("post"));
        }
        insert_notifications(&mut tx, notes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds an internal comment (never published, never shown to clients).
    pub async fn add_comment(&self, post_id: &str, actor: &Actor, body: &str, notes: &[NewNotification]) -> Result<PostComment> {
        let comment =
            PostComment { id: new_id(), author_id: actor.id.clone(), author_label: actor.label.clone(), body: body.into(), at: now_ms() };
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO post_comments (id, post_id, author_id, author_label, body, at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&comment.id)
            .bind(post_id)
            .bind(comment.author_id.as_deref())
            .bind(&comment.author_label)
            .bind(&comment.body)
            .bind(comment.at)
            .execute(&mut *tx)
            .await?;
        insert_notifications(&mut tx, notes).await?;
        tx.commit().await?;
        Ok(comment)
    }

    pub async fn comments(&self, post_id: &str) -> Result<Vec<PostComment>> {
        Ok(sqlx::query_as("SELECT id, author_id, author_label, body, at FROM post_comments WHERE post_id = $1 ORDER BY at, id")
            .bind(post_id)
            .fetch_all(self.pool())
            .await?)
    }
}
