//! Full-text search in the inbox over a portable term index (`inbox_message_terms`, migration
//! 20): the same SQL on both backends, no database-specific text search.
//!
//! Each alternative of the query drives from its rarest word's index entries, newest first,
//! with the list's keyset, and checks its other words by key lookups; the alternatives' next
//! candidates are merged with `UNION`. Candidates are then checked with the query itself in Rust
//! (phrases, exclusions, common words), a batch at a time, until the page is full or the
//! candidates run out. A page checks at most [`MAX_CANDIDATES`] candidates: past that it stops
//! short and its `next` cursor resumes exactly where it stopped, so nothing is skipped or shown
//! twice.

use crate::inbox::{Arg, InboxFilter, InboxMessage, InboxPage, MESSAGE_COLUMNS, Tx, bind_args, filter_conditions};
use crate::sql::{for_backend, params, rows_per_bulk_statement, rows_per_statement, tuples};
use crate::{Result, Store};
use relais_core::inbox::Cursor;
use relais_core::inbox_search::{InboxSearch, index_terms};
use std::collections::HashMap;

/// Counting a term's messages stops here: enough to tell a rare word from a common one.
const PROBE_CAP: i64 = 10_000;
/// Candidates one page checks at most before it stops short (with a cursor to go on).
pub const MAX_CANDIDATES: usize = 5_000;

/// A message to put in the index.
pub(crate) struct ToIndex<'a> {
    pub workspace_id: &'a str,
    pub message_id: &'a str,
    pub created_at: i64,
    pub terms: &'a [String],
    pub network: &'a str,
    pub author_handle: &'a str,
    pub author_name: Option<&'a str>,
}

/// Writes the messages' index terms, set-wise, in the caller's transaction (their authors are
/// recorded apart: `inbox_authors::record_authors`).
pub(crate) async fn index_messages(tx: &mut Tx, messages: &[ToIndex<'_>]) -> Result<()> {
    let rows: Vec<(&ToIndex, &String)> = messages.iter().flat_map(|m| m.terms.iter().map(move |t| (m, t))).collect();
    for chunk in rows.chunks(rows_per_bulk_statement(4)) {
        // DO NOTHING: the housekeeping's backfill and a late ingestion may meet on a message.
        let sql = format!(
            "INSERT INTO inbox_message_terms (workspace_id, term, created_at, message_id) VALUES {} ON CONFLICT DO NOTHING",
            tuples(1, chunk.len(), 4)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(for_backend(tx, sql)));
        for (m, term) in chunk {
            q = q.bind(m.workspace_id).bind(term.as_str()).bind(m.created_at).bind(m.message_id);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

impl Store {
    /// Indexes up to `batch` messages stored before the search index existed (migration 20),
    /// oldest first; returns how many. Call until it returns less than `batch`.
    pub async fn index_unindexed_messages(&self, batch: i64) -> Result<usize> {
        type Row = (String, String, i64, String, String, String, Option<String>);
        let unindexed: Vec<Row> = sqlx::query_as(
            "SELECT id, workspace_id, created_at, text, network, author_handle, author_name FROM inbox_messages
             WHERE terms_indexed = 0 ORDER BY created_at LIMIT $1",
        )
        .bind(batch)
        .fetch_all(self.pool())
        .await?;
        if unindexed.is_empty() {
            return Ok(0);
        }
        let terms: Vec<Vec<String>> = unindexed.iter().map(|(_, _, _, text, ..)| index_terms(text)).collect();
        let to_index: Vec<ToIndex> = unindexed
            .iter()
            .zip(&terms)
            .map(|((id, ws, at, _, network, handle, name), terms)| ToIndex {
                workspace_id: ws,
                message_id: id,
                created_at: *at,
                terms,
                network,
                author_handle: handle,
                author_name: name.as_deref(),
            })
            .collect();
        let mut tx = self.begin_write().await?;
        index_messages(&mut tx, &to_index).await?;
        crate::inbox_authors::record_authors(&mut tx, &to_index, None).await?;
        for chunk in unindexed.chunks(rows_per_statement(1)) {
            let sql = format!("UPDATE inbox_messages SET terms_indexed = 1 WHERE id IN ({})", params(1, chunk.len()));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (id, ..) in chunk {
                q = q.bind(id);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(unindexed.len())
    }

    /// How many of the workspace's messages have the term, counted up to [`PROBE_CAP`].
    async fn term_frequency(&self, workspace_id: &str, term: &str) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM (SELECT 1 FROM inbox_message_terms WHERE workspace_id = $1 AND term = $2 LIMIT $3) s")
            .bind(workspace_id)
            .bind(term)
            .bind(PROBE_CAP)
            .fetch_one(self.pool())
            .await?)
    }

    /// A page of the messages matching the filter and its search, newest first.
    pub(crate) async fn search_inbox(
        &self,
        workspace_id: &str,
        filter: &InboxFilter,
        search: &InboxSearch,
        limit: i64,
    ) -> Result<InboxPage> {
        // Each alternative's terms, rarest first; one absent from the workspace rules its
        // alternative out.
        let mut alternatives: Vec<Vec<String>> = vec![];
        for terms in search.alternatives() {
            let mut counted = vec![];
            for term in terms {
                counted.push((self.term_frequency(workspace_id, term).await?, term.clone()));
            }
            if counted.iter().any(|(n, _)| *n == 0) {
                continue;
            }
            counted.sort();
            alternatives.push(counted.into_iter().map(|(_, t)| t).collect());
        }
        let limit = limit as usize;
        let mut page: Vec<InboxMessage> = vec![];
        if alternatives.is_empty() {
            return Ok(InboxPage::default());
        }
        let batch = (limit + 1).clamp(50, 400);
        let mut position = filter.after.clone();
        let mut checked = 0;
        loop {
            let candidates = self.search_candidates(workspace_id, filter, &alternatives, position.as_ref(), batch).await?;
            let exhausted = candidates.len() < batch;
            let mut messages = self.messages_by_id(&candidates).await?;
            for (at, id) in &candidates {
                checked += 1;
                position = Some(Cursor { created_at: *at, id: id.clone() });
                let Some(m) = messages.remove(id) else { continue };
                if search.matches(&m.text) {
                    page.push(m);
                    if page.len() > limit {
                        page.pop();
                        let last = page.last().expect("limit is at least 1");
                        return Ok(InboxPage { next: Some(Cursor { created_at: last.created_at, id: last.id.clone() }), messages: page });
                    }
                }
            }
            if exhausted {
                return Ok(InboxPage { messages: page, next: None });
            }
            if checked >= MAX_CANDIDATES {
                // Stop short rather than read the workspace: the cursor goes on from here.
                return Ok(InboxPage { messages: page, next: position });
            }
        }
    }

    /// The next `batch` candidates after `after`: (created_at, message id), newest first.
    async fn search_candidates(
        &self,
        workspace_id: &str,
        filter: &InboxFilter,
        alternatives: &[Vec<String>],
        after: Option<&Cursor>,
        batch: usize,
    ) -> Result<Vec<(i64, String)>> {
        let filter = InboxFilter { after: after.cloned(), search: None, ..filter.clone() };
        let mut args = vec![Arg::Text(workspace_id.to_string())];
        let mut selects = vec![];
        for (i, terms) in alternatives.iter().enumerate() {
            args.push(Arg::Text(terms[0].clone()));
            let mut sql = format!(
                "SELECT created_at, id FROM (SELECT t0.created_at, t0.message_id AS id FROM inbox_message_terms t0
                   JOIN inbox_messages m ON m.id = t0.message_id
                 WHERE t0.workspace_id = $1 AND t0.term = ${} AND m.workspace_id = $1",
                args.len()
            );
            for term in &terms[1..] {
                args.push(Arg::Text(term.clone()));
                sql.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM inbox_message_terms tn WHERE tn.workspace_id = $1 AND tn.term = ${}
                       AND tn.created_at = t0.created_at AND tn.message_id = t0.message_id)",
                    args.len()
                ));
            }
            sql.push_str(&filter_conditions(&filter, "t0.created_at", "t0.message_id", &mut args));
            sql.push_str(&format!(" ORDER BY t0.created_at DESC, t0.message_id DESC LIMIT {batch}) s{i}"));
            selects.push(sql);
        }
        // The next `batch` of the union is among each alternative's next `batch`.
        let sql = format!("{} ORDER BY created_at DESC, id DESC LIMIT {batch}", selects.join(" UNION "));
        let q = bind_args!(sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(sql)), args);
        Ok(q.fetch_all(self.pool()).await?)
    }

    async fn messages_by_id(&self, ids: &[(i64, String)]) -> Result<HashMap<String, InboxMessage>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM inbox_messages m JOIN social_accounts a ON a.id = m.account_id WHERE m.id IN ({})",
            params(1, ids.len())
        );
        let mut q = sqlx::query_as::<_, InboxMessage>(sqlx::AssertSqlSafe(sql));
        for (_, id) in ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(self.pool()).await?.into_iter().map(|m| (m.id.clone(), m)).collect())
    }
}
