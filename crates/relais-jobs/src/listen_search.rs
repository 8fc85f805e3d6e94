//! The listening search job (`listen_search`): one query of one workspace, run on every network
//! the workspace has an account on that offers search. Each network is asked for the query's
//! plain search terms (a few pages); what comes back is filtered with the query itself (the
//! networks' matching differs from Relais's: accents, whole words, exclusions) and stored once.
//!
//! Outcomes are recorded on the query (`last_run_at`, `last_error` in the network's words). An
//! expired token pauses the account, as publishing does, and the next account of that network is
//! tried; a rate limit stores what was found and defers the job by the delay asked; a network
//! that does not offer search is skipped.

use crate::worker::{JobError, JobFuture, JobHandler};
use relais_core::listening_query::ListeningQuery;
use relais_core::now_ms;
use relais_core::secrets::SecretBox;
use relais_networks::{AccountRef, Network, NetworkError, Registry, RemotePost};
use relais_store::{ClaimedJob, HitSource, LISTEN_SEARCH_JOB, NewListeningHit, SocialAccount, Store, StoreError};
use std::collections::BTreeMap;
use std::sync::Arc;

pub struct ListenSearch {
    pub store: Store,
    pub networks: Registry,
    pub secrets: SecretBox,
    /// Result pages read per search term and network.
    pub pages: usize,
}

impl ListenSearch {
    pub const KIND: &'static str = LISTEN_SEARCH_JOB;

    /// Enqueues a run of every active query for the current period of `every_ms`: every process
    /// may call it, the unique key per query and period makes one run.
    pub async fn schedule(store: &Store, every_ms: i64) -> relais_store::Result<usize> {
        let slot = format!("every:{every_ms}:{}", now_ms() / every_ms.max(1));
        let mut added = 0;
        for query in store.active_listening_queries().await? {
            added += usize::from(store.enqueue_listening_search(&query, &slot).await?);
        }
        Ok(added)
    }
}

fn store_error(e: StoreError) -> JobError {
    JobError::Transient(format!("database: {e}"))
}

/// What one network gave: posts, or the reason it stopped.
enum Stopped {
    /// Retry the whole job later with backoff.
    Transient(String),
    /// Come back after this time (epoch ms).
    RateLimited(i64, String),
    /// Nothing to retry: recorded on the query.
    Refused(String),
}

impl JobHandler for ListenSearch {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let (Some(workspace), Some(query_id)) = (job.payload["workspace"].as_str(), job.payload["query"].as_str()) else {
                return Err(JobError::Permanent("listen_search job without a workspace and a query".into()));
            };
            let record = match self.store.listening_query(workspace, query_id).await {
                Ok(r) => r,
                // Deleted since: nothing to do.
                Err(StoreError::NotFound(_)) => return Ok(()),
                Err(e) => return Err(store_error(e)),
            };
            if !record.active {
                return Ok(());
            }
            let query = match ListeningQuery::parse(&record.query) {
                Ok(q) => q,
                Err(e) => {
                    let msg = format!("the query cannot be read: {e}");
                    self.store.record_listening_run(query_id, Some(&msg)).await.map_err(store_error)?;
                    return Err(JobError::Permanent(msg));
                }
            };
            let accounts = self.store.social_accounts(workspace).await.map_err(store_error)?;
            // One account per network is enough (search is public); the others stand in when its
            // token expired.
            let mut by_network: BTreeMap<&str, Vec<&SocialAccount>> = BTreeMap::new();
            for a in accounts.iter().filter(|a| !a.is_paused()) {
                by_network.entry(a.network.as_str()).or_default().push(a);
            }
            let mut problems = vec![];
            let mut defer_until = None;
            let mut transient = None;
            for (key, accounts) in by_network {
                let Some(network) = self.networks.get(key).filter(|n| n.capabilities().search) else { continue };
                let (posts, stopped) = self.search_network(&network, &accounts, &query).await.map_err(store_error)?;
                let hits: Vec<NewListeningHit> =
                    posts.iter().filter(|p| query.matches(&p.text)).map(|p| hit(query_id, key, p, HitSource::Search)).collect();
                let added = self.store.store_listening_hits(&hits).await.map_err(store_error)?;
                tracing::info!(query = %query_id, network = key, found = posts.len(), matched = hits.len(), added, "listening search");
                match stopped {
                    None => {}
                    Some(Stopped::Refused(m)) => problems.push(m),
                    Some(Stopped::RateLimited(until, m)) => {
                        problems.push(m);
                        defer_until = defer_until.max(Some(until));
                    }
                    Some(Stopped::Transient(m)) => {
                        problems.push(m.clone());
                        transient = Some(m);
                    }
                }
            }
            let error = (!problems.is_empty()).then(|| problems.join("; "));
            self.store.record_listening_run(query_id, error.as_deref()).await.map_err(store_error)?;
            match (defer_until, transient) {
                (Some(run_at), _) => Err(JobError::Defer { run_at, reason: error.unwrap_or_default() }),
                (None, Some(m)) => Err(JobError::Transient(m)),
                (None, None) => Ok(()),
            }
        })
    }
}

impl ListenSearch {
    /// The posts one network returned for the query's terms, and why it stopped early if it did.
    async fn search_network(
        &self,
        network: &Arc<dyn Network>,
        accounts: &[&SocialAccount],
        query: &ListeningQuery,
    ) -> Result<(Vec<RemotePost>, Option<Stopped>), StoreError> {
        let label = network.capabilities().label;
        let mut posts = vec![];
        let mut last_refusal = None;
        for account in accounts {
            // The network asked this account to wait (for a search or a publication): searching
            // now would only spend what publishing needs.
            if let Some(until) = account.rate_limited_until.filter(|&t| t > now_ms()) {
                return Ok((posts, Some(Stopped::RateLimited(until, format!("{label} @{}: rate limited", account.handle)))));
            }
            let credentials = match self.secrets.open(&account.credentials, &SocialAccount::credentials_context(&account.id)) {
                Ok(c) => c,
                Err(e) => {
                    let reason = format!("the stored credentials cannot be decrypted ({e}); reconnect the account");
                    self.store.pause_social_account(&account.id, &reason).await?;
                    last_refusal = Some(Stopped::Refused(format!("{label} @{}: {reason}", account.handle)));
                    continue;
                }
            };
            let account_ref = AccountRef { id: account.id.clone(), handle: account.handle.clone(), credentials };
            match self.search_terms(network.as_ref(), &account_ref, query, &mut posts).await {
                Ok(()) => return Ok((posts, None)),
                Err(NetworkError::AuthExpired(m)) => {
                    tracing::warn!(account = %account.id, reason = %m, "account paused");
                    self.store.pause_social_account(&account.id, &m).await?;
                    last_refusal = Some(Stopped::Refused(format!("{label} @{}: {m}", account.handle)));
                }
                Err(NetworkError::RateLimited { retry_after_ms, message }) => {
                    let until = now_ms() + retry_after_ms.max(1_000);
                    self.store.mark_rate_limited(&account.id, until).await?;
                    return Ok((posts, Some(Stopped::RateLimited(until, format!("{label}: {message}")))));
                }
                Err(NetworkError::NotOffered { .. }) => return Ok((posts, None)),
                Err(NetworkError::Transient(m)) => return Ok((posts, Some(Stopped::Transient(format!("{label}: {m}"))))),
                Err(NetworkError::Permanent(m)) => return Ok((posts, Some(Stopped::Refused(format!("{label}: {m}"))))),
            }
        }
        Ok((posts, last_refusal))
    }

    async fn search_terms(
        &self,
        network: &dyn Network,
        account: &AccountRef,
        query: &ListeningQuery,
        posts: &mut Vec<RemotePost>,
    ) -> Result<(), NetworkError> {
        for terms in query.to_search_terms() {
            let mut cursor: Option<String> = None;
            for _ in 0..self.pages.max(1) {
                let page = network.search(account, &terms, cursor.as_deref()).await?;
                posts.extend(page.posts);
                match page.cursor {
                    Some(next) => cursor = Some(next),
                    None => break,
                }
            }
        }
        Ok(())
    }
}

/// A matched post, as stored.
pub(crate) fn hit<'a>(query_id: &'a str, network: &'a str, post: &'a RemotePost, source: HitSource) -> NewListeningHit<'a> {
    NewListeningHit {
        query_id,
        network,
        remote_id: &post.remote_id,
        author_remote_id: &post.author.remote_id,
        author_handle: &post.author.handle,
        author_name: post.author.display_name.as_deref(),
        text: &post.text,
        url: post.url.as_deref(),
        language: post.language.as_deref(),
        posted_at: post.created_at_ms,
        source,
    }
}
