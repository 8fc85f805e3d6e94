//! The author's history across networks: every author a workspace heard from (`inbox_authors`,
//! written at ingestion), the handles members linked as one person (`inbox_author_links`), and
//! what the conversation view shows of them: their messages newest first, how many, since when,
//! their sentiment mix, and the handles that may be the same person.

use crate::inbox::{InboxMessage, MESSAGE_COLUMNS, Tx};
use crate::inbox_search::ToIndex;
use crate::sql::{for_backend, rows_per_bulk_statement, tuples};
use crate::{Actor, Result, Store, StoreError};
use relais_core::author_identity::{handle_key, name_key};
use relais_core::{new_id, now_ms};
use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

/// An author as a network knows them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AuthorHandle {
    pub network: String,
    pub handle: String,
}

/// A handle of the person, or one that may be theirs.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct KnownAuthor {
    pub network: String,
    pub author_handle: String,
    pub author_name: Option<String>,
}

/// What the conversation view shows of a person.
#[derive(Debug, Clone, Default)]
pub struct AuthorHistory {
    /// Their handles: the one asked for first, then those linked to it.
    pub identities: Vec<AuthorHandle>,
    /// Every message of theirs in the workspace.
    pub count: i64,
    pub first_seen_at: Option<i64>,
    /// (positive, neutral, negative) messages; those not read yet are in none.
    pub sentiments: (i64, i64, i64),
    /// The newest of their messages (the one left out excepted), newest first.
    pub messages: Vec<InboxMessage>,
}

/// The authors this process has seen recorded, so that ingestion skips them: after the first
/// weeks nearly every message is from an author already known, and checking each against
/// `inbox_authors` in the write transaction was a tenth of what storing a page cost. An author
/// is remembered only once the transaction that recorded them commits; the rows are never
/// deleted while their workspace lives. Another process may record an author meanwhile: this one
/// then records it again, which changes nothing.
#[derive(Default)]
pub(crate) struct KnownAuthors {
    keys: Mutex<HashSet<String>>,
}

/// Authors remembered at most; past it the memory starts again, empty.
const MAX_KNOWN_AUTHORS: usize = 1_000_000;

impl KnownAuthors {
    fn key(workspace_id: &str, network: &str, handle: &str) -> String {
        format!("{workspace_id}\u{0}{network}\u{0}{handle}")
    }

    fn knows(&self, key: &str) -> bool {
        self.keys.lock().unwrap_or_else(|p| p.into_inner()).contains(key)
    }

    /// Remembers authors whose recording committed.
    pub(crate) fn remember(&self, recorded: Vec<String>) {
        let mut keys = self.keys.lock().unwrap_or_else(|p| p.into_inner());
        if keys.len() + recorded.len() > MAX_KNOWN_AUTHORS {
            keys.clear();
        }
        keys.extend(recorded);
    }
}

/// Records the messages' authors the workspace had not heard from, set-wise, skipping those
/// `known` remembers; returns the keys of those it recorded, for `known` to remember once the
/// transaction commits.
pub(crate) async fn record_authors(tx: &mut Tx, messages: &[ToIndex<'_>], known: Option<&KnownAuthors>) -> Result<Vec<String>> {
    // One row per author, sorted: two ingestions meeting on authors lock them in one order.
    let mut authors: BTreeMap<(&str, &str, &str), Option<&str>> = BTreeMap::new();
    for m in messages {
        authors.entry((m.workspace_id, m.network, m.author_handle)).or_insert(m.author_name);
    }
    let mut recorded = Vec::with_capacity(authors.len());
    let mut rows = Vec::with_capacity(authors.len());
    for (author @ (ws, network, handle), name) in authors {
        let key = KnownAuthors::key(ws, network, handle);
        if !known.is_some_and(|k| k.knows(&key)) {
            recorded.push(key);
            rows.push((author, name));
        }
    }
    for chunk in rows.chunks(rows_per_bulk_statement(6)) {
        let sql = format!(
            "INSERT INTO inbox_authors (workspace_id, network, author_handle, author_name, name_key, handle_key) VALUES {}
             ON CONFLICT (workspace_id, network, author_handle) DO NOTHING",
            tuples(1, chunk.len(), 6)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(for_backend(tx, sql)));
        for ((ws, network, handle), name) in chunk {
            q = q.bind(*ws).bind(*network).bind(*handle).bind(*name).bind(name.and_then(name_key)).bind(handle_key(handle));
        }
        q.execute(&mut **tx).await?;
    }
    Ok(recorded)
}

impl Store {
    /// The handles linked to this one (itself first), or itself alone.
    pub async fn author_identities(&self, workspace_id: &str, author: &AuthorHandle) -> Result<Vec<AuthorHandle>> {
        let linked: Vec<(String, String)> = sqlx::query_as(
            "SELECT l.network, l.author_handle FROM inbox_author_links l JOIN inbox_author_links me
               ON me.workspace_id = l.workspace_id AND me.person_id = l.person_id
             WHERE me.workspace_id = $1 AND me.network = $2 AND me.author_handle = $3
             ORDER BY l.network, l.author_handle",
        )
        .bind(workspace_id)
        .bind(&author.network)
        .bind(&author.handle)
        .fetch_all(self.pool())
        .await?;
        let mut out = vec![author.clone()];
        out.extend(linked.into_iter().map(|(network, handle)| AuthorHandle { network, handle }).filter(|a| a != author));
        Ok(out)
    }

    /// The person's history over all their handles; `leave_out` is the message being read.
    pub async fn author_history(&self, workspace_id: &str, author: &AuthorHandle, leave_out: &str, limit: i64) -> Result<AuthorHistory> {
        let identities = self.author_identities(workspace_id, author).await?;
        // One (network, handle) pair per identity, each served by the by-author index.
        let by_author = identities
            .iter()
            .enumerate()
            .map(|(i, _)| format!("(m.network = ${} AND m.author_handle = ${})", 2 + 2 * i, 3 + 2 * i))
            .collect::<Vec<_>>()
            .join(" OR ");
        let bind_all = |sql: String| {
            let mut q = sqlx::query_as::<_, (Option<String>, i64, Option<i64>)>(sqlx::AssertSqlSafe(sql)).bind(workspace_id.to_string());
            for a in &identities {
                q = q.bind(a.network.clone()).bind(a.handle.clone());
            }
            q
        };
        let groups = bind_all(format!(
            "SELECT m.sentiment, COUNT(*), MIN(m.created_at) FROM inbox_messages m WHERE m.workspace_id = $1 AND ({by_author}) GROUP BY m.sentiment"
        ))
        .fetch_all(self.pool())
        .await?;
        let mut history = AuthorHistory { identities: identities.clone(), ..AuthorHistory::default() };
        for (sentiment, n, first) in groups {
            history.count += n;
            history.first_seen_at = match (history.first_seen_at, first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            match sentiment.as_deref() {
                Some("positive") => history.sentiments.0 += n,
                Some("neutral") => history.sentiments.1 += n,
                Some("negative") => history.sentiments.2 += n,
                _ => {}
            }
        }
        let n = 2 + 2 * identities.len();
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM inbox_messages m JOIN social_accounts a ON a.id = m.account_id
             WHERE m.workspace_id = $1 AND ({by_author}) AND m.id <> ${n} ORDER BY m.created_at DESC, m.id DESC LIMIT ${}",
            n + 1
        );
        let mut q = sqlx::query_as::<_, InboxMessage>(sqlx::AssertSqlSafe(sql)).bind(workspace_id);
        for a in &identities {
            q = q.bind(&a.network).bind(&a.handle);
        }
        history.messages = q.bind(leave_out).bind(limit).fetch_all(self.pool()).await?;
        Ok(history)
    }

    /// Handles the workspace heard from that may be this author's too (same display name, or the
    /// same local part of the handle), not linked to them yet.
    pub async fn author_suggestions(&self, workspace_id: &str, author: &AuthorHandle, name: Option<&str>) -> Result<Vec<KnownAuthor>> {
        let linked = self.author_identities(workspace_id, author).await?;
        let found: Vec<KnownAuthor> = sqlx::query_as(
            "SELECT network, author_handle, author_name FROM inbox_authors
             WHERE workspace_id = $1 AND (name_key = $2 OR handle_key = $3)
             ORDER BY network, author_handle LIMIT 50",
        )
        .bind(workspace_id)
        .bind(name.and_then(name_key))
        .bind(handle_key(&author.handle))
        .fetch_all(self.pool())
        .await?;
        Ok(found.into_iter().filter(|k| !linked.iter().any(|l| l.network == k.network && l.handle == k.author_handle)).take(10).collect())
    }

    /// Links `other` to `author` as one person (merging the people they were already part of).
    /// `other` must be an author the workspace heard from, and not `author` itself.
    pub async fn link_authors(&self, workspace_id: &str, author: &AuthorHandle, other: &AuthorHandle, by: &Actor) -> Result<()> {
        if author == other {
            return Err(StoreError::Conflict("a handle is already the same person as itself".into()));
        }
        let mut tx = self.begin_write().await?;
        for a in [author, other] {
            let known: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM inbox_authors WHERE workspace_id = $1 AND network = $2 AND author_handle = $3")
                    .bind(workspace_id)
                    .bind(&a.network)
                    .bind(&a.handle)
                    .fetch_one(&mut *tx)
                    .await?;
            if known == 0 {
                return Err(StoreError::NotFound("author"));
            }
        }
        let person_of = async |tx: &mut Tx, a: &AuthorHandle| -> Result<Option<String>> {
            Ok(sqlx::query_scalar(
                "SELECT person_id FROM inbox_author_links WHERE workspace_id = $1 AND network = $2 AND author_handle = $3",
            )
            .bind(workspace_id)
            .bind(&a.network)
            .bind(&a.handle)
            .fetch_optional(&mut **tx)
            .await?)
        };
        let mine = person_of(&mut tx, author).await?;
        let theirs = person_of(&mut tx, other).await?;
        let person = mine.clone().or(theirs.clone()).unwrap_or_else(new_id);
        if let (Some(mine), Some(theirs)) = (&mine, &theirs)
            && mine != theirs
        {
            sqlx::query("UPDATE inbox_author_links SET person_id = $1 WHERE workspace_id = $2 AND person_id = $3")
                .bind(mine)
                .bind(workspace_id)
                .bind(theirs)
                .execute(&mut *tx)
                .await?;
        }
        for (a, had) in [(author, &mine), (other, &theirs)] {
            if had.is_none() {
                sqlx::query(
                    "INSERT INTO inbox_author_links (workspace_id, person_id, network, author_handle, linked_by, linked_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(workspace_id)
                .bind(&person)
                .bind(&a.network)
                .bind(&a.handle)
                .bind(by.id.as_deref())
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Takes the handle out of the person it was linked to; a person left with one handle is
    /// no link any more. Returns whether it was linked.
    pub async fn unlink_author(&self, workspace_id: &str, author: &AuthorHandle) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let person: Option<String> = sqlx::query_scalar(
            "DELETE FROM inbox_author_links WHERE workspace_id = $1 AND network = $2 AND author_handle = $3 RETURNING person_id",
        )
        .bind(workspace_id)
        .bind(&author.network)
        .bind(&author.handle)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(person) = &person {
            let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox_author_links WHERE workspace_id = $1 AND person_id = $2")
                .bind(workspace_id)
                .bind(person)
                .fetch_one(&mut *tx)
                .await?;
            if left < 2 {
                sqlx::query("DELETE FROM inbox_author_links WHERE workspace_id = $1 AND person_id = $2")
                    .bind(workspace_id)
                    .bind(person)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(person.is_some())
    }
}
