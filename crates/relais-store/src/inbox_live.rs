//! The live inbox: a numbered feed of what changed in a workspace's inbox (new messages, status,
//! assignee, tags, notes, answers, presence), which every web process reads to push changes to
//! open pages, and who has which conversation open.
//!
//! Nothing lives in a process's memory: events are rows written in the same transaction as the
//! change they announce, so a page served by one process hears about a change made through
//! another. Numbers come from a per-workspace counter row taken inside that transaction and held
//! until it commits: numbers therefore become visible in commit order, and a reader that saw
//! number N never later finds a new event numbered below N (SQLite has one writer anyway).

use crate::inbox::{InboxMessage, MESSAGE_COLUMNS, Tx};
use crate::inbox_ingest::NewMessage;
use crate::sql::{for_backend, params, rows_per_bulk_statement, rows_per_statement, tuples};
use crate::{Result, SocialAccount, Store, StoreError};
use sqlx::FromRow;

/// How long a member counts as present after their page's last heartbeat.
pub const PRESENCE_TTL_MS: i64 = 25_000;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A message arrived from a network.
    MessageNew,
    /// A member (or Relais) changed a message's status, assignee or tags.
    MessageChanged,
    /// An internal note was added to the conversation.
    NoteAdded,
    /// A member answered in the conversation (the reply is queued; the job sends it).
    ReplySent,
    /// A member opened or left the conversation.
    Presence,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::MessageNew => "message_new",
            EventKind::MessageChanged => "message_changed",
            EventKind::NoteAdded => "note_added",
            EventKind::ReplySent => "reply_sent",
            EventKind::Presence => "presence",
        }
    }
}

/// One event of a workspace's feed.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct InboxEvent {
    pub seq: i64,
    pub workspace_id: String,
    /// See [`EventKind::as_str`].
    pub kind: String,
    pub message_id: Option<String>,
    pub conversation_id: Option<String>,
    pub actor_id: Option<String>,
    pub created_at: i64,
}

/// An event to write: what, about which message and conversation.
pub(crate) struct Announce<'a> {
    pub kind: EventKind,
    pub message_id: Option<&'a str>,
    pub conversation_id: Option<&'a str>,
}

/// A member who has the conversation open.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PresentMember {
    pub user_id: String,
    pub name: String,
    pub seen_at: i64,
}

/// Takes `n` (≥ 1) numbers from the workspace's counter; returns the first. The counter row stays
/// locked until the transaction ends, which is what orders the numbers by commit.
pub(crate) async fn reserve(tx: &mut Tx, workspace_id: &str, n: usize) -> Result<i64> {
    let n = n as i64;
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO inbox_event_counters (workspace_id, seq) VALUES ($1, $2)
         ON CONFLICT (workspace_id) DO UPDATE SET seq = inbox_event_counters.seq + EXCLUDED.seq RETURNING seq",
    )
    .bind(workspace_id)
    .bind(n)
    .fetch_one(&mut **tx)
    .await?;
    Ok(last - n + 1)
}

/// Writes `events` numbered from `first` (taken with [`reserve`]).
pub(crate) async fn write(
    tx: &mut Tx,
    workspace_id: &str,
    first: i64,
    events: &[Announce<'_>],
    actor: Option<&str>,
    at: i64,
) -> Result<()> {
    let rows = rows_per_bulk_statement(7);
    for (c, chunk) in events.chunks(rows).enumerate() {
        let sql = format!(
            "INSERT INTO inbox_events (workspace_id, seq, kind, message_id, conversation_id, actor_id, created_at) VALUES {}",
            tuples(1, chunk.len(), 7)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(for_backend(tx, sql)));
        for (i, e) in chunk.iter().enumerate() {
            q = q
                .bind(workspace_id)
                .bind(first + (c * rows + i) as i64)
                .bind(e.kind.as_str())
                .bind(e.message_id)
                .bind(e.conversation_id)
                .bind(actor)
                .bind(at);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Announces `events` in `tx`, by `actor` (a member's id; `None` for a network or Relais).
/// Call it as late as possible in the transaction: the workspace's counter is locked from here
/// to the commit.
pub(crate) async fn announce(tx: &mut Tx, workspace_id: &str, events: &[Announce<'_>], actor: Option<&str>, at: i64) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let first = reserve(tx, workspace_id, events.len()).await?;
    write(tx, workspace_id, first, events, actor, at).await
}

/// One `message_new` per message an ingestion stored, in one statement per 400.
pub(crate) async fn on_messages_ingested(tx: &mut Tx, account: &SocialAccount, stored: &[NewMessage<'_>], at: i64) -> Result<()> {
    let events: Vec<Announce> = stored
        .iter()
        .map(|m| Announce { kind: EventKind::MessageNew, message_id: Some(&m.id), conversation_id: Some(&m.conversation_id) })
        .collect();
    announce(tx, &account.workspace_id, &events, None, at).await
}

/// One `message_changed` per message of `ids`, looked up in `tx` (ids of other workspaces are
/// ignored: callers check them).
pub(crate) async fn on_messages_changed(tx: &mut Tx, workspace_id: &str, ids: &[String], actor: Option<&str>, at: i64) -> Result<()> {
    let mut found: Vec<(String, String)> = vec![];
    for chunk in ids.chunks(rows_per_statement(1)) {
        let sql = format!(
            "SELECT id, conversation_id FROM inbox_messages WHERE workspace_id = $1 AND id IN ({}) ORDER BY id",
            params(2, chunk.len())
        );
        let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql)).bind(workspace_id);
        for id in chunk {
            q = q.bind(id);
        }
        found.extend(q.fetch_all(&mut **tx).await?);
    }
    let events: Vec<Announce> =
        found.iter().map(|(m, c)| Announce { kind: EventKind::MessageChanged, message_id: Some(m), conversation_id: Some(c) }).collect();
    announce(tx, workspace_id, &events, actor, at).await
}

/// The workspace of a message, for announcing a change to it.
pub(crate) async fn workspace_of_message(tx: &mut Tx, message_id: &str) -> Result<String> {
    sqlx::query_scalar("SELECT workspace_id FROM inbox_messages WHERE id = $1")
        .bind(message_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound("inbox message"))
}

impl Store {
    /// The workspace's events numbered above `after`, oldest first, `limit` at most.
    pub async fn events_since(&self, workspace_id: &str, after: i64, limit: i64) -> Result<Vec<InboxEvent>> {
        Ok(sqlx::query_as(
            "SELECT seq, workspace_id, kind, message_id, conversation_id, actor_id, created_at FROM inbox_events
             WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(workspace_id)
        .bind(after)
        .bind(limit.clamp(1, 1000))
        .fetch_all(self.pool())
        .await?)
    }

    /// The number of the workspace's latest committed event (0 before the first): where a page
    /// rendered now starts listening.
    pub async fn latest_event_seq(&self, workspace_id: &str) -> Result<i64> {
        Ok(sqlx::query_scalar::<_, i64>("SELECT seq FROM inbox_event_counters WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_optional(self.pool())
            .await?
            .unwrap_or(0))
    }

    /// The workspace's messages among `ids`, newest first (what a live page renders for events).
    pub async fn inbox_messages_in(&self, workspace_id: &str, ids: &[String]) -> Result<Vec<InboxMessage>> {
        let mut messages = vec![];
        for chunk in ids.chunks(rows_per_statement(1)) {
            let sql = format!(
                "SELECT {MESSAGE_COLUMNS} FROM inbox_messages m JOIN social_accounts a ON a.id = m.account_id
                 WHERE m.workspace_id = $1 AND m.id IN ({})",
                params(2, chunk.len())
            );
            let mut q = sqlx::query_as::<_, InboxMessage>(sqlx::AssertSqlSafe(sql)).bind(workspace_id);
            for id in chunk {
                q = q.bind(id);
            }
            messages.extend(q.fetch_all(self.pool()).await?);
        }
        messages.sort_by(|a, b| (b.created_at, &b.id).cmp(&(a.created_at, &a.id)));
        Ok(messages)
    }

    /// Records that `user_id` has the conversation open at `at` (a page's heartbeat). Returns
    /// whether that is news (they were not present), in which case a `presence` event is
    /// announced.
    pub async fn touch_presence(&self, workspace_id: &str, conversation_id: &str, user_id: &str, at: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let before: Option<i64> = sqlx::query_scalar("SELECT seen_at FROM inbox_presence WHERE conversation_id = $1 AND user_id = $2")
            .bind(conversation_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO inbox_presence (conversation_id, user_id, workspace_id, seen_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (conversation_id, user_id) DO UPDATE SET seen_at = EXCLUDED.seen_at",
        )
        .bind(conversation_id)
        .bind(user_id)
        .bind(workspace_id)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        let arrived = before.is_none_or(|seen| seen <= at - PRESENCE_TTL_MS);
        if arrived {
            let event = Announce { kind: EventKind::Presence, message_id: None, conversation_id: Some(conversation_id) };
            announce(&mut tx, workspace_id, &[event], Some(user_id), at).await?;
        }
        tx.commit().await?;
        Ok(arrived)
    }

    /// Records that `user_id` closed the conversation; announces it when they were present.
    pub async fn leave_presence(&self, workspace_id: &str, conversation_id: &str, user_id: &str, at: i64) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let was_present = sqlx::query("DELETE FROM inbox_presence WHERE conversation_id = $1 AND user_id = $2 AND seen_at > $3")
            .bind(conversation_id)
            .bind(user_id)
            .bind(at - PRESENCE_TTL_MS)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if was_present {
            let event = Announce { kind: EventKind::Presence, message_id: None, conversation_id: Some(conversation_id) };
            announce(&mut tx, workspace_id, &[event], Some(user_id), at).await?;
        }
        tx.commit().await?;
        Ok(was_present)
    }

    /// The members who have the conversation open at `at`, by name.
    pub async fn present_members(&self, conversation_id: &str, at: i64) -> Result<Vec<PresentMember>> {
        Ok(sqlx::query_as(
            "SELECT p.user_id, u.name, p.seen_at FROM inbox_presence p JOIN users u ON u.id = p.user_id
             WHERE p.conversation_id = $1 AND p.seen_at > $2 ORDER BY u.name, p.user_id",
        )
        .bind(conversation_id)
        .bind(at - PRESENCE_TTL_MS)
        .fetch_all(self.pool())
        .await?)
    }

    /// Deletes events written and presence last seen before `before` (epoch ms): the feed is for
    /// pages open now, a day of it is plenty. Returns (events, presence rows) deleted.
    pub async fn purge_inbox_live(&self, before: i64) -> Result<(u64, u64)> {
        let events =
            sqlx::query("DELETE FROM inbox_events WHERE created_at < $1").bind(before).execute(self.writer()).await?.rows_affected();
        let presence =
            sqlx::query("DELETE FROM inbox_presence WHERE seen_at < $1").bind(before).execute(self.writer()).await?.rows_affected();
        Ok((events, presence))
    }
}
