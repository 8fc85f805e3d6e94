//! The community inbox: what an account's community said (messages, grouped in conversations)
//! and did (likes, reposts, follows), ingested idempotently from the networks, and the members'
//! work on it (status, assignee, first response).
//!
//! Ingestion (in `inbox_ingest`) is keyed on the network's remote id per account (`INSERT … ON CONFLICT DO
//! NOTHING`), and a page of activity is stored together with the account's new sync marker in
//! one transaction: a crash between the two can neither lose a page nor store it twice.

use crate::inbox_ingest::Read;
use crate::{Result, Store, StoreError};
use relais_core::inbox::{Cursor, MESSAGE_KINDS, MessageStatus};
use relais_core::inbox_search::InboxSearch;
use relais_core::now_ms;
use relais_core::understanding::Sentiment;
use sqlx::FromRow;

/// One piece of activity as a connector reported it (the store's copy of the network types,
/// which this crate does not depend on).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Incoming {
    pub remote_id: String,
    /// reply | mention | quote | direct_message | like | repost | follow
    pub kind: String,
    pub author_remote_id: String,
    pub author_handle: String,
    pub author_name: Option<String>,
    pub author_avatar: Option<String>,
    pub text: String,
    pub url: Option<String>,
    pub language: Option<String>,
    pub created_at: i64,
    pub subject_remote_id: Option<String>,
    pub parent_remote_id: Option<String>,
    pub root_remote_id: Option<String>,
}

impl Incoming {
    /// Replies, mentions, quotes and direct messages are messages; the rest is activity.
    pub fn is_message(&self) -> bool {
        MESSAGE_KINDS.contains(&self.kind.as_str())
    }
}

/// What an ingestion stored that was not there before.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ingested {
    /// Ids of the new inbox messages, in the order received.
    pub messages: Vec<String>,
    /// New likes, reposts and follows.
    pub activity: u64,
}

/// Where an account's sync stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct SyncState {
    pub account_id: String,
    pub marker: Option<String>,
    pub last_sync_at: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
}

/// A message with its account's network and handle, as the inbox shows it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct InboxMessage {
    pub id: String,
    pub workspace_id: String,
    pub account_id: String,
    pub network: String,
    pub account_handle: String,
    pub conversation_id: String,
    pub remote_id: String,
    pub kind: String,
    pub author_remote_id: String,
    pub author_handle: String,
    pub author_name: Option<String>,
    pub author_avatar: Option<String>,
    pub text: String,
    pub url: Option<String>,
    pub language: Option<String>,
    pub created_at: i64,
    pub received_at: i64,
    pub subject_remote_id: Option<String>,
    pub parent_remote_id: Option<String>,
    pub root_remote_id: Option<String>,
    pub variant_id: Option<String>,
    pub status: String,
    pub assignee_id: Option<String>,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// positive | neutral | negative; `None` for messages stored before Relais read them.
    pub sentiment: Option<String>,
    /// Thousandths, -1000 (very negative) to 1000.
    pub sentiment_score: Option<i64>,
    /// Thousandths, 0 (clean) to 1000 (certainly toxic or spam).
    pub toxicity: Option<i64>,
    /// The member who sent the first answer from Relais (`None` before migration 13, or by API).
    pub first_responder_id: Option<String>,
    /// The member who resolved it (`None` when resolved by Relais itself or before migration 13).
    pub resolved_by: Option<String>,
    /// 1 when a moderation rule flagged it for attention (0 once the flag is undone).
    pub flagged: i64,
}

pub(crate) const MESSAGE_COLUMNS: &str =
    "m.id, m.workspace_id, m.account_id, a.network, a.handle AS account_handle, m.conversation_id, m.remote_id,
    m.kind, m.author_remote_id, m.author_handle, m.author_name, m.author_avatar, m.text, m.url, m.language, m.created_at,
    m.received_at, m.subject_remote_id, m.parent_remote_id, m.root_remote_id, m.variant_id, m.status, m.assignee_id,
    m.first_response_at, m.resolved_at, m.sentiment, m.sentiment_score, m.toxicity, m.first_responder_id, m.resolved_by, m.flagged";

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Conversation {
    pub id: String,
    pub workspace_id: String,
    pub account_id: String,
    pub kind: String,
    pub root_remote_id: Option<String>,
    pub variant_id: Option<String>,
    pub last_message_at: i64,
}

/// A post above a message in its thread, read from the network.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct ContextPost {
    pub remote_id: String,
    pub parent_remote_id: Option<String>,
    pub author_handle: String,
    pub author_name: Option<String>,
    pub text: String,
    pub url: Option<String>,
    pub created_at: i64,
}

/// Which messages a list shows.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub account_id: Option<String>,
    pub network: Option<String>,
    pub kind: Option<String>,
    pub status: Option<MessageStatus>,
    /// A language code as stored ("fr", "en", or the network's own for texts too short to tell).
    pub language: Option<String>,
    pub sentiment: Option<Sentiment>,
    /// Messages carrying this tag.
    pub tag: Option<String>,
    pub assignee: Option<AssigneeFilter>,
    /// Only messages a moderation rule flagged.
    pub flagged: bool,
    /// Messages written at or after this instant (ms).
    pub since: Option<i64>,
    /// Messages written before this instant (ms).
    pub until: Option<i64>,
    /// Resume after this position (from [`InboxPage::next`]).
    pub after: Option<Cursor>,
    /// Only messages whose text matches this search.
    pub search: Option<InboxSearch>,
}

/// Whose messages a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    Member(String),
    Nobody,
}

#[derive(Debug, Clone, Default)]
pub struct InboxPage {
    /// Newest first.
    pub messages: Vec<InboxMessage>,
    /// Where the next (older) page starts, when there is one.
    pub next: Option<Cursor>,
}

pub(crate) type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A value bound to a statement built at run time.
pub(crate) enum Arg {
    Text(String),
    Int(i64),
}

/// Binds `Arg`s in order to a query of any kind.
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                crate::inbox::Arg::Text(s) => q.bind(s),
                crate::inbox::Arg::Int(i) => q.bind(i),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

/// The filter's conditions on the message `m`, each starting with ` AND `, their values pushed
/// onto `args` (numbered after those already there). `at` and `id` name the columns the dates
/// and the keyset apply to: the message's own for the list, the term index's for a search, so
/// each can seek in its own index.
pub(crate) fn filter_conditions(filter: &InboxFilter, at: &str, id: &str, args: &mut Vec<Arg>) -> String {
    let mut sql = String::new();
    let push = |args: &mut Vec<Arg>, arg: Arg| {
        args.push(arg);
        args.len()
    };
    let status = filter.status.map(|s| s.as_str().to_string());
    let sentiment = filter.sentiment.map(|s| s.as_str().to_string());
    for (column, value) in [
        ("m.account_id", &filter.account_id),
        ("m.network", &filter.network),
        ("m.kind", &filter.kind),
        ("m.status", &status),
        ("m.language", &filter.language),
        ("m.sentiment", &sentiment),
    ] {
        if let Some(v) = value {
            let n = push(args, Arg::Text(v.clone()));
            sql.push_str(&format!(" AND {column} = ${n}"));
        }
    }
    if let Some(tag) = &filter.tag {
        let n = push(args, Arg::Text(tag.clone()));
        sql.push_str(&format!(" AND EXISTS (SELECT 1 FROM inbox_message_tags t WHERE t.message_id = m.id AND t.tag = ${n})"));
    }
    match &filter.assignee {
        Some(AssigneeFilter::Member(member)) => {
            let n = push(args, Arg::Text(member.clone()));
            sql.push_str(&format!(" AND m.assignee_id = ${n}"));
        }
        Some(AssigneeFilter::Nobody) => sql.push_str(" AND m.assignee_id IS NULL"),
        None => {}
    }
    if filter.flagged {
        // Written as the partial index's condition, so both planners use it.
        sql.push_str(" AND m.flagged = 1");
    }
    for (op, time) in [(">=", filter.since), ("<", filter.until)] {
        if let Some(time) = time {
            let n = push(args, Arg::Int(time));
            sql.push_str(&format!(" AND {at} {op} ${n}"));
        }
    }
    if let Some(c) = &filter.after {
        let t = push(args, Arg::Int(c.created_at));
        let i = push(args, Arg::Text(c.id.clone()));
        // `<=` first: a range the (…, created_at, id) indexes can seek to, so a page deep in
        // the past costs what the first one does.
        sql.push_str(&format!(" AND {at} <= ${t} AND ({at} < ${t} OR {id} < ${i})"));
    }
    sql
}

impl Store {
    pub async fn sync_state(&self, account_id: &str) -> Result<Option<SyncState>> {
        Ok(sqlx::query_as("SELECT account_id, marker, last_sync_at, last_error, last_error_at FROM inbox_sync_state WHERE account_id = $1")
            .bind(account_id)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Records why the last sync failed (shown on the accounts page); the marker is kept.
    pub async fn record_sync_error(&self, account_id: &str, error: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO inbox_sync_state (account_id, marker, last_sync_at, last_error, last_error_at) VALUES ($1, NULL, NULL, $2, $3)
             ON CONFLICT (account_id) DO UPDATE SET last_error = EXCLUDED.last_error, last_error_at = EXCLUDED.last_error_at",
        )
        .bind(account_id)
        .bind(error)
        .bind(now_ms())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// A page of the workspace's messages, newest first, `limit` at most.
    pub async fn inbox_page(&self, workspace_id: &str, filter: &InboxFilter, limit: i64) -> Result<InboxPage> {
        let limit = limit.clamp(1, 200);
        if let Some(search) = &filter.search {
            return self.search_inbox(workspace_id, filter, search, limit).await;
        }
        let mut args = vec![Arg::Text(workspace_id.to_string())];
        let conditions = filter_conditions(filter, "m.created_at", "m.id", &mut args);
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM inbox_messages m JOIN social_accounts a ON a.id = m.account_id WHERE m.workspace_id = $1{conditions}
             ORDER BY m.created_at DESC, m.id DESC LIMIT {}",
            limit + 1
        );
        let q = bind_args!(sqlx::query_as::<_, InboxMessage>(sqlx::AssertSqlSafe(sql)), args);
        let mut messages = q.fetch_all(self.pool()).await?;
        let next = if messages.len() as i64 > limit {
            messages.pop();
            messages.last().map(|m| Cursor { created_at: m.created_at, id: m.id.clone() })
        } else {
            None
        };
        Ok(InboxPage { messages, next })
    }

    pub async fn inbox_message(&self, id: &str) -> Result<InboxMessage> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM inbox_messages m JOIN social_accounts a ON a.id = m.account_id WHERE m.id = $1"
        )))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("inbox message"))
    }

    pub async fn conversation(&self, id: &str) -> Result<Conversation> {
        sqlx::query_as(
            "SELECT id, workspace_id, account_id, kind, root_remote_id, variant_id, last_message_at FROM inbox_conversations WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("conversation"))
    }

    /// The conversation's messages, oldest first.
    pub async fn conversation_messages(&self, conversation_id: &str) -> Result<Vec<InboxMessage>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM inbox_messages m JOIN social_accounts a ON a.id = m.account_id
             WHERE m.conversation_id = $1 ORDER BY m.created_at, m.id"
        )))
        .bind(conversation_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The posts above the conversation's messages that were read from the network, oldest first.
    pub async fn conversation_context(&self, conversation_id: &str) -> Result<Vec<ContextPost>> {
        Ok(sqlx::query_as(
            "SELECT remote_id, parent_remote_id, author_handle, author_name, text, url, created_at FROM inbox_context_posts
             WHERE conversation_id = $1 ORDER BY created_at, remote_id",
        )
        .bind(conversation_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Changes a message's status; resolving stamps `resolved_at`, reopening clears it.
    pub async fn set_message_status(&self, id: &str, status: MessageStatus) -> Result<()> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let ws: Option<String> = sqlx::query_scalar(
            "UPDATE inbox_messages SET status = $1,
                resolved_at = CASE WHEN $1 = 'resolved' THEN COALESCE(resolved_at, $2) ELSE NULL END
             WHERE id = $3 RETURNING workspace_id",
        )
        .bind(status.as_str())
        .bind(now)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let ws = ws.ok_or(StoreError::NotFound("inbox message"))?;
        crate::inbox_live::on_messages_changed(&mut tx, &ws, &[id.to_string()], None, now).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn assign_message(&self, id: &str, assignee_id: Option<&str>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let ws: Option<String> = sqlx::query_scalar("UPDATE inbox_messages SET assignee_id = $1 WHERE id = $2 RETURNING workspace_id")
            .bind(assignee_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let ws = ws.ok_or(StoreError::NotFound("inbox message"))?;
        crate::inbox_live::on_messages_changed(&mut tx, &ws, &[id.to_string()], None, now_ms()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replies of the account whose parent Relais knows nothing of (not a message, one of our
    /// posts or replies, nor a post read earlier) and whose context was not asked yet:
    /// (message id, message remote id), oldest first.
    pub async fn messages_needing_context(&self, account_id: &str, limit: i64) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT m.id, m.remote_id FROM inbox_messages m
             WHERE m.account_id = $1 AND m.kind = 'reply' AND m.parent_remote_id IS NOT NULL AND m.context_checked_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM inbox_messages p WHERE p.account_id = m.account_id AND p.remote_id = m.parent_remote_id)
               AND NOT EXISTS (SELECT 1 FROM post_variants v WHERE v.account_id = m.account_id AND v.remote_id = m.parent_remote_id)
               AND NOT EXISTS (SELECT 1 FROM inbox_replies r WHERE r.account_id = m.account_id AND r.remote_id = m.parent_remote_id)
               AND NOT EXISTS (SELECT 1 FROM inbox_context_posts c WHERE c.account_id = m.account_id AND c.remote_id = m.parent_remote_id)
             ORDER BY m.created_at LIMIT $2",
        )
        .bind(account_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Stores the posts above a message (our own posts and messages already known are skipped)
    /// and marks its context as asked.
    pub async fn store_context(&self, message_id: &str, posts: &[ContextPost]) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let (account_id, conversation_id): (String, String) =
            sqlx::query_as("SELECT account_id, conversation_id FROM inbox_messages WHERE id = $1")
                .bind(message_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound("inbox message"))?;
        let mut stored = 0;
        for p in posts {
            let ours: i64 = sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM post_variants WHERE account_id = $1 AND remote_id = $2)
                      + (SELECT COUNT(*) FROM inbox_messages WHERE account_id = $1 AND remote_id = $2)",
            )
            .bind(&account_id)
            .bind(&p.remote_id)
            .fetch_one(&mut *tx)
            .await?;
            if ours > 0 {
                continue;
            }
            stored += sqlx::query(
                "INSERT INTO inbox_context_posts (account_id, remote_id, conversation_id, parent_remote_id, author_handle, author_name,
                    text, url, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (account_id, remote_id) DO NOTHING",
            )
            .bind(&account_id)
            .bind(&p.remote_id)
            .bind(&conversation_id)
            .bind(p.parent_remote_id.as_deref())
            .bind(&p.author_handle)
            .bind(p.author_name.as_deref())
            .bind(&p.text)
            .bind(p.url.as_deref())
            .bind(p.created_at)
            .execute(&mut *tx)
            .await?
            .rows_affected() as usize;
        }
        sqlx::query("UPDATE inbox_messages SET context_checked_at = $1 WHERE id = $2")
            .bind(now_ms())
            .bind(message_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Reads up to `batch` messages stored before Relais understood messages (migration 10),
    /// oldest first; returns how many it read. Call until it returns less than `batch`.
    pub async fn understand_unread_messages(&self, batch: i64) -> Result<usize> {
        let unread: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT id, text, language FROM inbox_messages WHERE sentiment IS NULL ORDER BY created_at LIMIT $1")
                .bind(batch)
                .fetch_all(self.pool())
                .await?;
        let mut tx = self.begin_write().await?;
        for (id, text, language) in &unread {
            let read = Read::of(text, language.as_deref());
            sqlx::query(
                "UPDATE inbox_messages SET language = $1, sentiment = $2, sentiment_score = $3, toxicity = $4
                 WHERE id = $5 AND sentiment IS NULL",
            )
            .bind(&read.language)
            .bind(read.sentiment)
            .bind(read.sentiment_score)
            .bind(read.toxicity)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(unread.len())
    }

    /// Likes, reposts and messages about each of the variants: (variant, kind) → count.
    pub async fn activity_counts(&self, variant_ids: &[String]) -> Result<Vec<(String, String, i64)>> {
        if variant_ids.is_empty() {
            return Ok(vec![]);
        }
        let list = crate::sql::params(1, variant_ids.len());
        let sql = format!(
            "SELECT variant_id, kind, COUNT(*) FROM inbox_activity WHERE variant_id IN ({list}) GROUP BY variant_id, kind
             UNION ALL
             SELECT variant_id, kind, COUNT(*) FROM inbox_messages WHERE variant_id IN ({list}) GROUP BY variant_id, kind"
        );
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for id in variant_ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(self.pool()).await?)
    }

    /// New followers of the account that the inbox has seen.
    pub async fn follow_count(&self, account_id: &str) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM inbox_activity WHERE account_id = $1 AND kind = 'follow'")
            .bind(account_id)
            .fetch_one(self.pool())
            .await?)
    }
}
