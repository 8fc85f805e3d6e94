//! The sandbox network's own storage (its "server side"). The sandbox deliberately does not
//! deduplicate: counting its posts is how tests prove Relais publishes exactly once.
//!
//! A published unit is the first post (a row without parent) and, as its children in order, the
//! thread parts and the first comment, all written in one transaction. Counts and look-ups by
//! idempotency key are about first posts; children carry a key derived from their first post's
//! so that [`Store::sandbox_duplicate_keys`] covers every part.

use crate::{Result, Store};
use relais_core::{new_id, now_ms};
use serde::{Deserialize, Serialize};

/// One file of a sandbox post, as the simulated upload recorded it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxMedia {
    pub sha256: String,
    pub mime: String,
    pub bytes: u64,
    pub alt_text: String,
}

/// A whole unit to store: the first post, its thread and its first comment.
#[derive(Debug, Clone, Default)]
pub struct SandboxUnit<'a> {
    pub account_id: &'a str,
    pub idempotency_key: &'a str,
    pub text: &'a str,
    pub link: Option<&'a str>,
    pub media: Vec<SandboxMedia>,
    pub thread: &'a [String],
    pub first_comment: Option<&'a str>,
}

/// A stored sandbox post (first post or child).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SandboxPost {
    pub id: String,
    pub parent_id: Option<String>,
    /// post | thread | first_comment
    pub kind: String,
    pub position: i64,
    pub text: String,
    pub link: Option<String>,
    /// JSON; see [`SandboxPost::media`].
    pub media: Option<String>,
}

impl SandboxPost {
    pub fn media(&self) -> Vec<SandboxMedia> {
        self.media.as_deref().and_then(|m| serde_json::from_str(m).ok()).unwrap_or_default()
    }
}

impl Store {
    /// Stores a text-only first post.
    pub async fn sandbox_create_post(&self, account_id: &str, idempotency_key: &str, text: &str) -> Result<String> {
        self.sandbox_create_unit(&SandboxUnit { account_id, idempotency_key, text, ..SandboxUnit::default() }).await
    }

    /// Stores the first post and its children in one transaction; returns the first post's id.
    pub async fn sandbox_create_unit(&self, unit: &SandboxUnit<'_>) -> Result<String> {
        let id = new_id();
        let now = now_ms();
        let media = if unit.media.is_empty() { None } else { serde_json::to_string(&unit.media).ok() };
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sandbox_posts (id, account_id, idempotency_key, text, created_at, parent_id, kind, position, link, media)
             VALUES ($1, $2, $3, $4, $5, NULL, 'post', 0, $6, $7)",
        )
        .bind(&id)
        .bind(unit.account_id)
        .bind(unit.idempotency_key)
        .bind(unit.text)
        .bind(now)
        .bind(unit.link)
        .bind(media)
        .execute(&mut *tx)
        .await?;
        let children = unit
            .thread
            .iter()
            .enumerate()
            .map(|(i, text)| ("thread", format!("{}#thread-{}", unit.idempotency_key, i + 1), text.as_str()))
            .chain(unit.first_comment.map(|c| ("first_comment", format!("{}#first-comment", unit.idempotency_key), c)));
        for (position, (kind, key, text)) in children.enumerate() {
            sqlx::query(
                "INSERT INTO sandbox_posts (id, account_id, idempotency_key, text, created_at, parent_id, kind, position)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(new_id())
            .bind(unit.account_id)
            .bind(key)
            .bind(text)
            .bind(now)
            .bind(&id)
            .bind(kind)
            .bind(position as i64 + 1)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    pub async fn sandbox_find_post(&self, account_id: &str, idempotency_key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM sandbox_posts WHERE account_id = $1 AND idempotency_key = $2 AND parent_id IS NULL ORDER BY created_at LIMIT 1",
        )
        .bind(account_id)
        .bind(idempotency_key)
        .fetch_optional(self.pool())
        .await?)
    }

    /// A first post followed by its children in order (empty when there is no such post).
    pub async fn sandbox_unit(&self, remote_id: &str) -> Result<Vec<SandboxPost>> {
        Ok(sqlx::query_as(
            "SELECT id, parent_id, kind, position, text, link, media FROM sandbox_posts
             WHERE id = $1 OR parent_id = $1 ORDER BY position",
        )
        .bind(remote_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The unit of `remote_id` as (kind, text) pairs: ("post", …), ("thread", …)…, ("first_comment", …).
    pub async fn sandbox_thread(&self, remote_id: &str) -> Result<Vec<(String, String)>> {
        Ok(self.sandbox_unit(remote_id).await?.into_iter().map(|p| (p.kind, p.text)).collect())
    }

    /// First posts of the account since `since_ms` (a thread counts once).
    pub async fn sandbox_posts_since(&self, account_id: &str, since_ms: i64) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_posts WHERE account_id = $1 AND created_at > $2 AND parent_id IS NULL")
            .bind(account_id)
            .bind(since_ms)
            .fetch_one(self.pool())
            .await?)
    }

    /// How many sandbox posts or parts carry each idempotency key more than once (should be none).
    pub async fn sandbox_duplicate_keys(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT idempotency_key FROM sandbox_posts GROUP BY idempotency_key HAVING COUNT(*) > 1) d",
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// First posts stored (thread parts and first comments are not counted).
    pub async fn sandbox_post_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_posts WHERE parent_id IS NULL").fetch_one(self.pool()).await?)
    }

    /// Every row stored, first posts and their parts.
    pub async fn sandbox_part_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_posts").fetch_one(self.pool()).await?)
    }
}
