//! The sandbox simulator's audience, stored: the synthetic community's replies, mentions,
//! likes, reposts, follows and direct messages around an account's sandbox posts, and the
//! replies the account wrote back. The simulator (in relais-networks) decides what happens and
//! when; this layer keeps it, with ids that stay the same across fetches.

use crate::{Result, Store};
use relais_core::new_id;
use sqlx::FromRow;

/// Something the simulated audience did.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct AudienceEvent {
    pub id: String,
    pub account_id: String,
    /// reply | mention | quote | direct_message | like | repost | follow | aside (a reply between
    /// audience members the account is not notified of)
    pub kind: String,
    pub author_handle: String,
    pub author_name: String,
    pub text: String,
    pub language: Option<String>,
    pub subject_id: Option<String>,
    pub parent_id: Option<String>,
    pub root_id: Option<String>,
    pub created_at: i64,
}

/// A sandbox post of either side: the account's (`author_handle` is `None`) or the audience's.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SandboxNode {
    pub id: String,
    pub account_id: String,
    pub author_handle: Option<String>,
    pub author_name: Option<String>,
    pub text: String,
    pub language: Option<String>,
    pub created_at: i64,
    pub parent_id: Option<String>,
}

const EVENT_COLUMNS: &str = "id, account_id, kind, author_handle, author_name, text, language, subject_id, parent_id, root_id, created_at";

/// Both sides' posts as one relation (likes, reposts, follows and direct messages are not posts).
const NODES: &str = "(SELECT id, account_id, CAST(NULL AS TEXT) AS author_handle, CAST(NULL AS TEXT) AS author_name, text,
        CAST(NULL AS TEXT) AS language, created_at, COALESCE(reply_to, parent_id) AS parent_id FROM sandbox_posts
     UNION ALL
     SELECT id, account_id, author_handle, author_name, text, language, created_at, parent_id FROM sandbox_audience
     WHERE kind IN ('reply', 'mention', 'quote', 'aside')) nodes";

impl Store {
    /// The account's first posts (what the audience reacts to): (id, created_at), oldest first.
    pub async fn sandbox_first_posts(&self, account_id: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT id, created_at FROM sandbox_posts WHERE account_id = $1 AND parent_id IS NULL AND reply_to IS NULL ORDER BY created_at, id",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Moves a sandbox post back in time (the demo's posts "published" days ago, so that their
    /// audience has already reacted).
    pub async fn sandbox_backdate(&self, id: &str, at_ms: i64) -> Result<()> {
        sqlx::query("UPDATE sandbox_posts SET created_at = $1 WHERE id = $2 OR parent_id = $2")
            .bind(at_ms)
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Keeps what the audience did; events already kept (same id) are left as they are.
    pub async fn sandbox_audience_record(&self, events: &[AudienceEvent]) -> Result<u64> {
        if events.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let mut n = 0;
        for e in events {
            n += sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO sandbox_audience ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING"
            )))
            .bind(&e.id)
            .bind(&e.account_id)
            .bind(&e.kind)
            .bind(&e.author_handle)
            .bind(&e.author_name)
            .bind(&e.text)
            .bind(e.language.as_deref())
            .bind(e.subject_id.as_deref())
            .bind(e.parent_id.as_deref())
            .bind(e.root_id.as_deref())
            .bind(e.created_at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Ids of the account's audience events since `since_ms`: what is already kept.
    pub async fn sandbox_audience_ids(&self, account_id: &str, since_ms: i64) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT id FROM sandbox_audience WHERE account_id = $1 AND created_at >= $2")
            .bind(account_id)
            .bind(since_ms)
            .fetch_all(self.pool())
            .await?)
    }

    /// What the account is notified of after (time, id), oldest first.
    pub async fn sandbox_audience_feed(&self, account_id: &str, after: Option<(i64, &str)>, limit: i64) -> Result<Vec<AudienceEvent>> {
        let (t, id) = after.unwrap_or((i64::MIN, ""));
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM sandbox_audience WHERE account_id = $1 AND kind <> 'aside'
               AND (created_at > $2 OR (created_at = $2 AND id > $3))
             ORDER BY created_at, id LIMIT $4"
        )))
        .bind(account_id)
        .bind(t)
        .bind(id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// The account's replies to its audience, with whom they answered: (reply id, replied at,
    /// the message answered).
    pub async fn sandbox_answered(&self, account_id: &str) -> Result<Vec<(String, i64, AudienceEvent)>> {
        #[derive(FromRow)]
        struct Row {
            reply_id: String,
            replied_at: i64,
            #[sqlx(flatten)]
            answered: AudienceEvent,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT p.id AS reply_id, p.created_at AS replied_at, a.id, a.account_id, a.kind, a.author_handle, a.author_name, a.text,
                    a.language, a.subject_id, a.parent_id, a.root_id, a.created_at
             FROM sandbox_posts p JOIN sandbox_audience a ON a.id = p.reply_to
             WHERE p.account_id = $1 AND p.reply_to IS NOT NULL ORDER BY p.created_at",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(|r| (r.reply_id, r.replied_at, r.answered)).collect())
    }

    /// A post of either side by id.
    pub async fn sandbox_node(&self, id: &str) -> Result<Option<SandboxNode>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT id, account_id, author_handle, author_name, text, language, created_at, parent_id FROM {NODES} WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Posts of either side whose text contains `words` in any case, newest first, older than
    /// `before` (time, id) when given. Matched here rather than in SQL: SQLite's LOWER and LIKE
    /// fold ASCII letters only, and "PRÊT" must find "prêt".
    pub async fn sandbox_search(&self, words: &str, before: Option<(i64, &str)>, limit: i64) -> Result<Vec<SandboxNode>> {
        let needle = words.to_lowercase();
        let (mut t, mut id) = before.map(|(t, id)| (t, id.to_string())).unwrap_or((i64::MAX, String::new()));
        let mut found = vec![];
        loop {
            let batch: Vec<SandboxNode> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT id, account_id, author_handle, author_name, text, language, created_at, parent_id FROM {NODES}
                 WHERE created_at < $1 OR (created_at = $1 AND $2 <> '' AND id < $2)
                 ORDER BY created_at DESC, id DESC LIMIT 500"
            )))
            .bind(t)
            .bind(&id)
            .fetch_all(self.pool())
            .await?;
            let Some(last) = batch.last() else { break };
            (t, id) = (last.created_at, last.id.clone());
            let full = batch.len() == 500;
            found.extend(batch.into_iter().filter(|n| n.text.to_lowercase().contains(&needle)));
            if found.len() as i64 >= limit || !full {
                break;
            }
        }
        found.truncate(limit.max(0) as usize);
        Ok(found)
    }

    /// What the audience did to each post: (post id, kind, count); replies are counted on the
    /// thread's root.
    pub async fn sandbox_reactions(&self, post_ids: &[String]) -> Result<Vec<(String, String, i64)>> {
        if post_ids.is_empty() {
            return Ok(vec![]);
        }
        let list = crate::sql::params(1, post_ids.len());
        let sql = format!(
            "SELECT subject_id, kind, COUNT(*) FROM sandbox_audience WHERE kind IN ('like', 'repost', 'quote') AND subject_id IN ({list})
             GROUP BY subject_id, kind
             UNION ALL
             SELECT root_id, 'reply', COUNT(*) FROM sandbox_audience WHERE kind IN ('reply', 'aside') AND root_id IN ({list})
             GROUP BY root_id"
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in post_ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(self.pool()).await?)
    }

    /// (id, published at, whether it has a link) of the account's own sandbox posts among `ids`.
    pub async fn sandbox_post_facts(&self, ids: &[String]) -> Result<Vec<(String, i64, bool)>> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT id, created_at, CASE WHEN link IS NULL THEN 0 ELSE 1 END FROM sandbox_posts WHERE id IN ({})",
            crate::sql::params(1, ids.len())
        );
        let mut q = sqlx::query_as::<_, (String, i64, i64)>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(self.pool()).await?.into_iter().map(|(id, at, link)| (id, at, link == 1)).collect())
    }

    /// (followers, posts) of a sandbox account: follows of its audience, and its own first posts
    /// and replies.
    pub async fn sandbox_account_counts(&self, account_id: &str) -> Result<(i64, i64)> {
        Ok(sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM sandbox_audience WHERE account_id = $1 AND kind = 'follow'),
                    (SELECT COUNT(*) FROM sandbox_posts WHERE account_id = $1 AND parent_id IS NULL)",
        )
        .bind(account_id)
        .fetch_one(self.pool())
        .await?)
    }

    /// Stores a reply the account wrote at `at_ms` (the simulator's clock); found again by its key
    /// like a published post.
    pub async fn sandbox_create_reply(
        &self,
        account_id: &str,
        idempotency_key: &str,
        text: &str,
        reply_to: &str,
        at_ms: i64,
    ) -> Result<String> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO sandbox_posts (id, account_id, idempotency_key, text, created_at, parent_id, kind, position, reply_to)
             VALUES ($1, $2, $3, $4, $5, NULL, 'reply', 0, $6)",
        )
        .bind(&id)
        .bind(account_id)
        .bind(idempotency_key)
        .bind(text)
        .bind(at_ms)
        .bind(reply_to)
        .execute(self.writer())
        .await?;
        Ok(id)
    }

    /// Deletes one of the account's posts with its thread parts and first comment; false when it
    /// was not there.
    pub async fn sandbox_delete(&self, account_id: &str, id: &str) -> Result<bool> {
        let n = sqlx::query("DELETE FROM sandbox_posts WHERE account_id = $1 AND (id = $2 OR parent_id = $2)")
            .bind(account_id)
            .bind(id)
            .execute(self.writer())
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// Hides or shows again an audience reply to the account; `false` when the account has no
    /// such reply.
    pub async fn sandbox_set_hidden(&self, account_id: &str, id: &str, hidden_at: Option<i64>) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE sandbox_audience SET hidden_at = $1 WHERE account_id = $2 AND id = $3 AND kind IN ('reply', 'quote', 'mention')",
        )
        .bind(hidden_at)
        .bind(account_id)
        .bind(id)
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    /// When the audience item was hidden: `None` when shown, or unknown.
    pub async fn sandbox_hidden_at(&self, id: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar::<_, Option<i64>>("SELECT hidden_at FROM sandbox_audience WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .flatten())
    }

    /// Deletes what the audience wrote to the account; `false` when it was not there.
    pub async fn sandbox_delete_audience(&self, account_id: &str, id: &str) -> Result<bool> {
        let n = sqlx::query("DELETE FROM sandbox_audience WHERE account_id = $1 AND id = $2")
            .bind(account_id)
            .bind(id)
            .execute(self.writer())
            .await?
            .rows_affected();
        Ok(n > 0)
    }
}
