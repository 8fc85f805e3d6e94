//! SQLite ingestion in groups. SQLite has one writer, so the pages that several sync jobs store
//! at the same time (the worker runs a batch of jobs at once: one sync per account) queue on
//! it; and besides the pages of the database it changes, each commit costs a fixed share: every
//! index's newest page and every search term's are written again. So the pages waiting when the
//! writer frees up are stored together, in one transaction with one commit. Should any page
//! fail, nothing of the group is kept and each page is stored again on its own, so that its
//! caller gets its own error and the others' pages commit (a savepoint per page would do that in
//! one pass, but made each page copy again every database page it touched: slower than alone).
//! A page stored alone goes exactly as it would without groups.
//!
//! PostgreSQL takes concurrent writers: there each page has its own transaction.

use crate::inbox::{Ingested, Tx};
use crate::inbox_ingest::Page;
use crate::{Result, Store, StoreError};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Pages one transaction stores at most: a bound on how long a group holds the writer.
const MAX_PAGES: usize = 16;

type Waiting = (Page, oneshot::Sender<Result<Ingested>>);

#[derive(Default)]
pub(crate) struct IngestGroups {
    waiting: Mutex<VecDeque<Waiting>>,
    /// Held while a group is stored: whoever gets it next takes what waits by then.
    turn: tokio::sync::Mutex<()>,
}

impl IngestGroups {
    /// Stores `page`, with the pages waiting beside it; returns what was new in it.
    pub(crate) async fn store(self: &Arc<Self>, store: &Store, page: Page) -> Result<Ingested> {
        let (done, result) = oneshot::channel();
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).push_back((page, done));
        // Every page queued is followed by one turn, in a task of its own: a caller that gives
        // up (a cancelled job) neither strands its page in the queue nor takes the others'
        // pages down with it. Each turn stores what waits, so no page outlives the last turn.
        let (groups, store) = (self.clone(), store.clone());
        tokio::spawn(async move { groups.take_turn(&store).await });
        result.await.unwrap_or_else(|_| Err(StoreError::Conflict("the page was not stored: the server is shutting down".into())))
    }

    async fn take_turn(&self, store: &Store) {
        let _turn = self.turn.lock().await;
        // Only turns take pages from the queue: if it is empty, an earlier turn took this
        // turn's page; if not, nothing empties it before this turn drains it. Either way, no
        // write transaction is begun for nothing.
        if self.waiting.lock().unwrap_or_else(|p| p.into_inner()).is_empty() {
            return;
        }
        // The writer first: pages that come while it is busy elsewhere join this group.
        let tx = store.begin_write().await;
        let (pages, callers): (Vec<Page>, Vec<_>) = {
            let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
            let n = waiting.len().min(MAX_PAGES);
            waiting.drain(..n).unzip()
        };
        let outcomes = match tx {
            Ok(tx) => store_group(store, tx, &pages).await,
            Err(e) => {
                let why = e.to_string();
                pages.iter().map(|_| Err(StoreError::Conflict(format!("the page was not stored: {why}")))).collect()
            }
        };
        for (done, outcome) in callers.into_iter().zip(outcomes) {
            let _ = done.send(outcome);
        }
    }

    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.waiting.lock().unwrap().len()
    }
}

/// Stores the pages in `tx` with one commit; returns each page's outcome. A lone page's
/// outcome is its own at once; in a larger group, should any page fail, nothing is kept and each
/// page is stored again on its own.
async fn store_group(store: &Store, tx: Tx, pages: &[Page]) -> Vec<Result<Ingested>> {
    if let [page] = pages {
        return vec![page.store_and_commit(store, tx).await];
    }
    if let Some(outcomes) = store_together(store, tx, pages).await {
        return outcomes;
    }
    let mut outcomes = Vec::with_capacity(pages.len());
    for page in pages {
        outcomes.push(page.store_alone(store).await);
    }
    outcomes
}

/// What each page brought if the pages were all stored in `tx`; `None` if anything failed
/// (then nothing is stored).
async fn store_together(store: &Store, mut tx: Tx, pages: &[Page]) -> Option<Vec<Result<Ingested>>> {
    let mut stored = Vec::with_capacity(pages.len());
    for page in pages {
        stored.push(page.store(&mut tx, store.known_authors()).await.ok()?);
    }
    tx.commit().await.ok()?;
    Some(stored.into_iter().map(|s| Ok(s.committed(store))).collect())
}

#[cfg(test)]
mod tests {
    use crate::testing::TestDb;
    use crate::{InboxFilter, Incoming, SocialAccount, Store};
    use relais_core::{Locale, Name, TimeZoneName};
    use std::time::Duration;

    fn mention(remote_id: &str, text: &str) -> Incoming {
        Incoming {
            remote_id: remote_id.into(),
            kind: "mention".into(),
            author_remote_id: "id-eve".into(),
            author_handle: "eve".into(),
            text: text.into(),
            created_at: 1_000,
            ..Incoming::default()
        }
    }

    async fn accounts(store: &Store, n: usize) -> (String, Vec<SocialAccount>) {
        let o = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
        let ws = store
            .create_workspace(&o.id, &Name::parse("n", "Banque").unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
            .await
            .unwrap()
            .id;
        let mut out = vec![];
        for i in 0..n {
            out.push(store.create_social_account(&ws, "sandbox", &format!("@b{i}"), &format!("@b{i}"), |_| "sealed".into()).await.unwrap());
        }
        (ws, out)
    }

    /// Holds the writer until `n` pages wait, so that they are stored as one group.
    async fn until_waiting(store: &Store, n: usize) {
        for _ in 0..500 {
            if store.ingest_groups().unwrap().waiting() == n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{n} pages never waited together");
    }

    #[tokio::test]
    async fn pages_stored_together_each_get_their_own_messages() {
        let db = TestDb::sqlite().await;
        let store = db.store.clone();
        let (ws, accs) = accounts(&store, 3).await;
        let busy = store.begin_write().await.unwrap();
        let calls: Vec<_> = accs
            .iter()
            .enumerate()
            .map(|(i, acc)| {
                let (store, acc) = (store.clone(), acc.clone());
                tokio::spawn(async move {
                    let page = [mention(&format!("{i}-a"), "Bonjour"), mention(&format!("{i}-b"), "Merci")];
                    store.ingest_activity(&acc, &page, Some(&format!("marker-{i}"))).await
                })
            })
            .collect();
        until_waiting(&store, 3).await;
        drop(busy);
        for (i, call) in calls.into_iter().enumerate() {
            let ingested = call.await.unwrap().unwrap();
            let mut remote: Vec<String> = vec![];
            for id in &ingested.messages {
                remote.push(store.inbox_message(id).await.unwrap().remote_id);
            }
            assert_eq!(remote, [format!("{i}-a"), format!("{i}-b")]);
        }
        assert_eq!(store.inbox_page(&ws, &InboxFilter::default(), 50).await.unwrap().messages.len(), 6);
    }

    #[tokio::test]
    async fn a_failing_page_fails_alone() {
        let db = TestDb::sqlite().await;
        let store = db.store.clone();
        let (ws, accs) = accounts(&store, 3).await;
        // An account removed after its sync began: its page cannot be stored.
        let mut gone = accs[1].clone();
        gone.id = "no-such-account".into();
        let busy = store.begin_write().await.unwrap();
        let calls: Vec<_> = [&accs[0], &gone, &accs[2]]
            .into_iter()
            .enumerate()
            .map(|(i, acc)| {
                let (store, acc) = (store.clone(), acc.clone());
                tokio::spawn(async move { store.ingest_activity(&acc, &[mention(&format!("{i}"), "Bonjour")], None).await })
            })
            .collect();
        until_waiting(&store, 3).await;
        drop(busy);
        let mut outcomes = vec![];
        for call in calls {
            outcomes.push(call.await.unwrap().is_ok());
        }
        assert_eq!(outcomes, [true, false, true]);
        let stored: Vec<String> =
            store.inbox_page(&ws, &InboxFilter::default(), 50).await.unwrap().messages.into_iter().map(|m| m.remote_id).collect();
        assert_eq!(stored.len(), 2);
        assert!(stored.contains(&"0".to_string()) && stored.contains(&"2".to_string()));
    }

    #[tokio::test]
    async fn authors_of_a_group_rolled_back_are_recorded_when_their_page_commits() {
        let db = TestDb::sqlite().await;
        let store = db.store.clone();
        let (ws, accs) = accounts(&store, 1).await;
        let mut gone = accs[0].clone();
        gone.id = "no-such-account".into();
        let busy = store.begin_write().await.unwrap();
        // Queued in this order, so that the group records eve (first page) before it fails
        // (second page) and rolls back.
        let first = {
            let (store, acc) = (store.clone(), accs[0].clone());
            tokio::spawn(async move { store.ingest_activity(&acc, &[mention("a", "Bonjour")], None).await })
        };
        until_waiting(&store, 1).await;
        let second = {
            let store = store.clone();
            tokio::spawn(async move { store.ingest_activity(&gone, &[mention("b", "Bonjour")], None).await })
        };
        until_waiting(&store, 2).await;
        drop(busy);
        assert!(first.await.unwrap().is_ok());
        assert!(second.await.unwrap().is_err());
        // Had the group's recording been remembered, the page stored again alone would have
        // skipped eve.
        let recorded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox_authors WHERE workspace_id = $1 AND author_handle = 'eve'")
            .bind(&ws)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(recorded, 1);
    }
}
