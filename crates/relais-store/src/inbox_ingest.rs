//! Ingestion of a page of community activity, set-wise: one page of an account is stored with a
//! handful of statements whatever its size (which messages are known, which of our posts they
//! are about, their conversations, the messages, the activity), so that a busy workspace
//! ingests thousands of messages a second on either backend.
//!
//! Idempotence rests on the network's remote id per account: rows are inserted with `ON
//! CONFLICT DO NOTHING … RETURNING`, so what comes back is exactly what is new, even when two
//! syncs of one account race. The page and the account's new marker commit together.

use crate::inbox::{Incoming, Ingested, Tx};
use crate::inbox_authors::{KnownAuthors, record_authors};
use crate::inbox_search::{ToIndex, index_messages};
use crate::moderation_ingest::IngestionRules;
use crate::sql::{for_backend, params, rows_per_bulk_statement, rows_per_statement, tuples};
use crate::{Result, SocialAccount, Store, StoreError};
use relais_core::inbox::grouping_of;
use relais_core::inbox_search::index_terms_of;
use relais_core::listening_query::FoldedText;
use relais_core::moderation::repeat_key_of;
use relais_core::understanding::understand;
use relais_core::{new_id, now_ms};
use std::collections::{HashMap, HashSet};

/// What Relais understood of a message, in the columns' terms.
pub(crate) struct Read {
    pub language: Option<String>,
    pub sentiment: &'static str,
    pub sentiment_score: i64,
    pub toxicity: i64,
    /// The text folded once, for the moderation rules.
    pub folded: FoldedText,
    /// The words the search index keeps (relais-core's `inbox_search::index_terms`).
    pub terms: Vec<String>,
    /// What the repeated-text rules compare (`relais_core::moderation::repeat_key`), stored only
    /// while such a rule exists.
    pub repeat_key: String,
}

impl Read {
    pub fn of(text: &str, declared_language: Option<&str>) -> Read {
        let understood = understand(text);
        // The detector only knows the languages Relais reads and declines short texts: the
        // network's declared language (its primary subtag) stands in then.
        let language = understood
            .language
            .map(|l| l.code().to_string())
            .or_else(|| declared_language.and_then(|l| l.split(['-', '_']).next()).filter(|l| !l.is_empty()).map(str::to_ascii_lowercase));
        let folded = FoldedText::new(text);
        Read {
            terms: index_terms_of(&folded),
            repeat_key: repeat_key_of(&folded),
            folded,
            language,
            sentiment: understood.sentiment.as_str(),
            sentiment_score: (understood.sentiment_score * 1000.0).round() as i64,
            toxicity: (understood.toxicity * 1000.0).round() as i64,
        }
    }
}

/// Below this many messages a page is read on one thread: starting threads would cost more.
const PARALLEL_READ_FROM: usize = 64;

/// Reads the messages' texts, in order, off the async runtime (reading is the CPU part of
/// ingestion, tens of microseconds a message) and, for a large page, on every core at once.
async fn read_all(messages: Vec<Incoming>) -> Result<(Vec<Incoming>, Vec<Read>)> {
    let read = tokio::task::spawn_blocking(move || {
        let read_chunk = |chunk: &[Incoming]| chunk.iter().map(|m| Read::of(&m.text, m.language.as_deref())).collect::<Vec<_>>();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        if messages.len() < PARALLEL_READ_FROM || threads < 2 {
            let reads = read_chunk(&messages);
            return (messages, reads);
        }
        let per_thread = messages.len().div_ceil(threads);
        let reads = std::thread::scope(|s| {
            let chunks: Vec<_> = messages.chunks(per_thread).map(|c| s.spawn(move || read_chunk(c))).collect();
            // A panic while reading is a bug in the reader: it goes on as one, as it would inline.
            chunks.into_iter().flat_map(|c| c.join().unwrap_or_else(|p| std::panic::resume_unwind(p))).collect()
        });
        (messages, reads)
    });
    match read.await {
        Ok(read) => Ok(read),
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(_) => Err(StoreError::Conflict("the page was not stored: the server is shutting down".into())),
        },
    }
}

/// A message this ingestion stored: what later steps of the same transaction (moderation,
/// live events, …) need without reading it back.
pub(crate) struct NewMessage<'a> {
    pub id: String,
    pub conversation_id: String,
    pub item: &'a Incoming,
    pub read: &'a Read,
}

/// A page of one account's activity, its messages read, ready to store. It owns its data: on
/// SQLite another task may store it, with other pages (`inbox_ingest_groups`).
pub(crate) struct Page {
    account: SocialAccount,
    messages: Vec<Incoming>,
    reads: Vec<Read>,
    activity: Vec<Incoming>,
    marker: Option<String>,
}

impl Page {
    /// Reads the page's messages: the CPU part of ingestion, done before any write lock.
    async fn prepare(account: &SocialAccount, items: &[Incoming], marker: Option<&str>) -> Result<Page> {
        // A page may repeat an item (a network paging over a moving list): the first one counts.
        let mut seen = HashSet::new();
        let items: Vec<&Incoming> = items.iter().filter(|i| seen.insert(i.remote_id.as_str())).collect();
        let (messages, activity): (Vec<&Incoming>, Vec<&Incoming>) = items.into_iter().partition(|i| i.is_message());
        let (messages, reads) = read_all(messages.into_iter().cloned().collect()).await?;
        Ok(Page {
            account: account.clone(),
            messages,
            reads,
            activity: activity.into_iter().cloned().collect(),
            marker: marker.map(str::to_string),
        })
    }

    /// Stores the page in a transaction of its own.
    pub(crate) async fn store_alone(&self, store: &Store) -> Result<Ingested> {
        self.store_and_commit(store, store.begin_write().await?).await
    }

    /// Stores the page in `tx`, which holds nothing else, and commits it.
    pub(crate) async fn store_and_commit(&self, store: &Store, mut tx: Tx) -> Result<Ingested> {
        let stored = self.store(&mut tx, store.known_authors()).await?;
        tx.commit().await?;
        Ok(stored.committed(store))
    }

    /// Stores the page and the account's new marker in `tx`; returns what was new.
    pub(crate) async fn store(&self, tx: &mut Tx, known: &KnownAuthors) -> Result<Stored> {
        let now = now_ms();
        let account = &self.account;
        let rules = IngestionRules::load(tx, &account.workspace_id).await?;
        let messages = self.messages.iter().zip(&self.reads).collect();
        let stored = insert_messages(tx, account, messages, rules.keys_repeats(), now).await?;
        let activity: Vec<&Incoming> = self.activity.iter().collect();
        let activity = insert_activity(tx, account, &activity, now).await?;
        crate::satisfaction::read_ratings(tx, account, &stored).await?;
        rules.apply(tx, account, &stored).await?;
        // Late in the transaction: on PostgreSQL a new author's row stays locked until the
        // commit, and a page of another account from the same author waits on it meanwhile.
        let authors: Vec<ToIndex> = stored.iter().map(|m| to_index(account, m)).collect();
        let authors = record_authors(tx, &authors, Some(known)).await?;
        sqlx::query(
            "INSERT INTO inbox_sync_state (account_id, marker, last_sync_at, last_error, last_error_at) VALUES ($1, $2, $3, NULL, NULL)
             ON CONFLICT (account_id) DO UPDATE SET marker = COALESCE(EXCLUDED.marker, inbox_sync_state.marker),
                last_sync_at = EXCLUDED.last_sync_at, last_error = NULL, last_error_at = NULL",
        )
        .bind(&account.id)
        .bind(self.marker.as_deref())
        .bind(now)
        .execute(&mut **tx)
        .await?;
        // Last: it locks the workspace's event counter until the commit.
        crate::inbox_live::on_messages_ingested(tx, account, &stored, now).await?;
        Ok(Stored { ingested: Ingested { messages: stored.into_iter().map(|m| m.id).collect(), activity }, authors })
    }
}

/// A page stored in a transaction not committed yet.
pub(crate) struct Stored {
    ingested: Ingested,
    /// The authors it recorded, to remember once the transaction commits.
    authors: Vec<String>,
}

impl Stored {
    /// What was new, once the transaction committed.
    pub(crate) fn committed(self, store: &Store) -> Ingested {
        store.known_authors().remember(self.authors);
        self.ingested
    }
}

impl Store {
    /// Stores a page of activity and the account's new marker (`None`: keep the old one) in one
    /// transaction (on SQLite, possibly shared with other accounts' pages stored at the same
    /// time). Items already stored are skipped; returns what was new.
    pub async fn ingest_activity(&self, account: &SocialAccount, items: &[Incoming], marker: Option<&str>) -> Result<Ingested> {
        let page = Page::prepare(account, items, marker).await?;
        match self.ingest_groups() {
            Some(groups) => groups.store(self, page).await,
            None => page.store_alone(self).await,
        }
    }
}

fn to_index<'a>(account: &'a SocialAccount, m: &'a NewMessage<'_>) -> ToIndex<'a> {
    ToIndex {
        workspace_id: &account.workspace_id,
        message_id: &m.id,
        created_at: m.item.created_at,
        terms: &m.read.terms,
        network: &account.network,
        author_handle: &m.item.author_handle,
        author_name: m.item.author_name.as_deref(),
    }
}

/// The account's published variants among `remote_ids`: remote id → variant id.
async fn variants_by_remote_id(tx: &mut Tx, account_id: &str, remote_ids: &HashSet<&str>) -> Result<HashMap<String, String>> {
    let mut found = HashMap::new();
    let ids: Vec<&str> = remote_ids.iter().copied().collect();
    for chunk in ids.chunks(rows_per_statement(1)) {
        let sql = format!("SELECT remote_id, id FROM post_variants WHERE account_id = $1 AND remote_id IN ({})", params(2, chunk.len()));
        let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(for_backend(tx, sql))).bind(account_id);
        for id in chunk {
            q = q.bind(*id);
        }
        found.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(found)
}

/// Inserts the messages not stored yet, with their new conversations; returns those it stored,
/// in the order given.
async fn insert_messages<'a>(
    tx: &mut Tx,
    account: &SocialAccount,
    messages: Vec<(&'a Incoming, &'a Read)>,
    keys_repeats: bool,
    now: i64,
) -> Result<Vec<NewMessage<'a>>> {
    if messages.is_empty() {
        return Ok(vec![]);
    }
    let referenced: HashSet<&str> = messages
        .iter()
        .flat_map(|(m, _)| [&m.subject_remote_id, &m.root_remote_id, &m.parent_remote_id])
        .filter_map(|r| r.as_deref())
        .collect();
    let variants = variants_by_remote_id(tx, &account.id, &referenced).await?;
    let variant_of = |ids: &[&Option<String>]| ids.iter().filter_map(|r| r.as_deref()).find_map(|r| variants.get(r)).cloned();

    // Conversations: create the missing ones, then learn every grouping's id.
    let groupings: Vec<_> = messages
        .iter()
        .map(|(m, _)| {
            grouping_of(
                &m.kind,
                &m.remote_id,
                &m.author_remote_id,
                m.parent_remote_id.as_deref(),
                m.root_remote_id.as_deref(),
                m.subject_remote_id.as_deref(),
            )
        })
        .collect();
    let mut first_of_grouping: HashMap<&str, usize> = HashMap::new();
    for (i, g) in groupings.iter().enumerate() {
        first_of_grouping.entry(g.key.as_str()).or_insert(i);
    }
    let distinct: Vec<(&str, usize)> = first_of_grouping.iter().map(|(k, i)| (*k, *i)).collect();
    let mut conversations: HashMap<String, String> = HashMap::new();
    for chunk in distinct.chunks(rows_per_bulk_statement(9)) {
        let sql = format!(
            "INSERT INTO inbox_conversations (id, workspace_id, account_id, grouping, kind, root_remote_id, variant_id, last_message_at, created_at)
             VALUES {} ON CONFLICT (account_id, grouping) DO NOTHING",
            tuples(1, chunk.len(), 9)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(for_backend(tx, sql)));
        for (key, i) in chunk {
            let g = &groupings[*i];
            let root_variant = g.root_remote_id.as_deref().and_then(|r| variants.get(r)).cloned();
            q = q
                .bind(new_id())
                .bind(&account.workspace_id)
                .bind(&account.id)
                .bind(*key)
                .bind(g.kind)
                .bind(g.root_remote_id.clone())
                .bind(root_variant)
                .bind(messages[*i].0.created_at)
                .bind(now);
        }
        q.execute(&mut **tx).await?;
        let sql =
            format!("SELECT grouping, id FROM inbox_conversations WHERE account_id = $1 AND grouping IN ({})", params(2, chunk.len()));
        let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(for_backend(tx, sql))).bind(&account.id);
        for (key, _) in chunk {
            q = q.bind(*key);
        }
        conversations.extend(q.fetch_all(&mut **tx).await?);
    }

    // The messages: what comes back from the insert is what was new.
    let mut pending: Vec<NewMessage<'a>> = messages
        .into_iter()
        .zip(&groupings)
        .map(|((item, read), g)| NewMessage { id: new_id(), conversation_id: conversations[&g.key].clone(), item, read })
        .collect();
    let mut inserted: HashSet<String> = HashSet::new();
    for chunk in pending.chunks(rows_per_bulk_statement(26)) {
        let sql = format!(
            "INSERT INTO inbox_messages (id, workspace_id, account_id, conversation_id, remote_id, kind, author_remote_id, author_handle,
                author_name, author_avatar, text, url, language, created_at, received_at, subject_remote_id, parent_remote_id,
                root_remote_id, variant_id, status, sentiment, sentiment_score, toxicity, network, terms_indexed, text_key)
             VALUES {} ON CONFLICT (account_id, remote_id) DO NOTHING RETURNING id",
            tuples(1, chunk.len(), 26)
        );
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(for_backend(tx, sql)));
        for m in chunk {
            let item = m.item;
            q = q
                .bind(&m.id)
                .bind(&account.workspace_id)
                .bind(&account.id)
                .bind(&m.conversation_id)
                .bind(&item.remote_id)
                .bind(&item.kind)
                .bind(&item.author_remote_id)
                .bind(&item.author_handle)
                .bind(item.author_name.as_deref())
                .bind(item.author_avatar.as_deref())
                .bind(&item.text)
                .bind(item.url.as_deref())
                .bind(m.read.language.as_deref())
                .bind(item.created_at)
                .bind(now)
                .bind(item.subject_remote_id.as_deref())
                .bind(item.parent_remote_id.as_deref())
                .bind(item.root_remote_id.as_deref())
                .bind(variant_of(&[&item.subject_remote_id, &item.root_remote_id, &item.parent_remote_id]))
                .bind("open")
                .bind(m.read.sentiment)
                .bind(m.read.sentiment_score)
                .bind(m.read.toxicity)
                .bind(&account.network)
                .bind(1_i64)
                .bind(keys_repeats.then_some(m.read.repeat_key.as_str()));
        }
        inserted.extend(q.fetch_all(&mut **tx).await?);
    }
    pending.retain(|m| inserted.contains(&m.id));
    // Their search terms, in the same transaction: a message is never stored unsearchable.
    let to_index: Vec<ToIndex> = pending.iter().map(|m| to_index(account, m)).collect();
    index_messages(tx, &to_index).await?;

    // Each touched conversation's latest message.
    let mut latest: HashMap<&str, i64> = HashMap::new();
    for m in &pending {
        let at = latest.entry(m.conversation_id.as_str()).or_insert(m.item.created_at);
        *at = (*at).max(m.item.created_at);
    }
    let latest: Vec<(&str, i64)> = latest.into_iter().collect();
    // Planned at each run (not prepared), like the repeats' count: PostgreSQL's plan made while
    // the conversations were few reads them all, and would go on doing so as they grow.
    for chunk in latest.chunks(rows_per_statement(2)) {
        let sql = format!(
            "UPDATE inbox_conversations SET last_message_at = v.column2
             FROM (VALUES {}) AS v WHERE inbox_conversations.id = v.column1 AND inbox_conversations.last_message_at < v.column2",
            tuples(1, chunk.len(), 2)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(for_backend(tx, sql))).persistent(false);
        for (id, at) in chunk {
            q = q.bind(*id).bind(*at);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(pending)
}

/// Inserts the likes, reposts and follows not stored yet; returns how many were new.
async fn insert_activity(tx: &mut Tx, account: &SocialAccount, items: &[&Incoming], now: i64) -> Result<u64> {
    if items.is_empty() {
        return Ok(0);
    }
    let subjects: HashSet<&str> = items.iter().filter_map(|i| i.subject_remote_id.as_deref()).collect();
    let variants = variants_by_remote_id(tx, &account.id, &subjects).await?;
    let mut new = 0;
    for chunk in items.chunks(rows_per_statement(12)) {
        let sql = format!(
            "INSERT INTO inbox_activity (id, workspace_id, account_id, remote_id, kind, author_remote_id, author_handle,
                author_name, subject_remote_id, variant_id, created_at, received_at)
             VALUES {} ON CONFLICT (account_id, remote_id) DO NOTHING",
            tuples(1, chunk.len(), 12)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(for_backend(tx, sql)));
        for item in chunk {
            q = q
                .bind(new_id())
                .bind(&account.workspace_id)
                .bind(&account.id)
                .bind(&item.remote_id)
                .bind(&item.kind)
                .bind(&item.author_remote_id)
                .bind(&item.author_handle)
                .bind(item.author_name.as_deref())
                .bind(item.subject_remote_id.as_deref())
                .bind(item.subject_remote_id.as_deref().and_then(|s| variants.get(s)).cloned())
                .bind(item.created_at)
                .bind(now);
        }
        new += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(new)
}
