//! The activity sync job: per account, asks the network for what its community did since the
//! stored marker and stores it with the new marker in one transaction (a crash between the two
//! neither loses nor duplicates anything), page after page; then asks the thread context of
//! replies whose parent Relais has never seen, a bounded number per run.
//!
//! A scheduler enqueues one sync per active account and time slot; the slot is in the job's
//! unique key, so any number of processes scheduling together create one job.

use crate::account_access::{job_error, open, pause, store_error};
use crate::worker::{JobError, JobFuture, JobHandler};
use relais_core::now_ms;
use relais_core::secrets::SecretBox;
use relais_networks::{Activity, NetworkError, Registry, RemotePost};
use relais_store::{ClaimedJob, ContextPost, Incoming, NewJob, Store};

#[derive(Debug, Clone)]
pub struct SyncSettings {
    /// Pages of activity read per run at most (the rest waits for the next run).
    pub pages_per_run: usize,
    /// Replies whose thread context is asked per run at most.
    pub contexts_per_run: i64,
}

impl Default for SyncSettings {
    fn default() -> Self {
        SyncSettings { pages_per_run: 10, contexts_per_run: 10 }
    }
}

pub struct ActivitySync {
    pub store: Store,
    pub networks: Registry,
    pub secrets: SecretBox,
    pub settings: SyncSettings,
}

/// What the network said, as the store keeps it.
pub fn incoming(a: &Activity) -> Incoming {
    Incoming {
        remote_id: a.remote_id.clone(),
        kind: a.kind.key().into(),
        author_remote_id: a.author.remote_id.clone(),
        author_handle: a.author.handle.clone(),
        author_name: a.author.display_name.clone(),
        author_avatar: a.author.avatar_url.clone(),
        text: a.text.clone(),
        url: a.url.clone(),
        language: a.language.clone(),
        created_at: a.created_at_ms,
        subject_remote_id: a.subject_remote_id.clone(),
        parent_remote_id: a.parent_remote_id.clone(),
        root_remote_id: a.root_remote_id.clone(),
    }
}

fn context_post(p: &RemotePost) -> ContextPost {
    ContextPost {
        remote_id: p.remote_id.clone(),
        parent_remote_id: p.parent_remote_id.clone(),
        author_handle: p.author.handle.clone(),
        author_name: p.author.display_name.clone(),
        text: p.text.clone(),
        url: p.url.clone(),
        created_at: p.created_at_ms,
    }
}

impl ActivitySync {
    pub const KIND: &'static str = "sync_activity";

    /// Enqueues a sync of every active account whose network has an inbox, once per
    /// `interval_ms` slot across every process.
    pub async fn schedule(store: &Store, networks: &Registry, interval_ms: i64) -> relais_store::Result<usize> {
        schedule_per_account(store, networks, Self::KIND, interval_ms, |c| c.inbox).await
    }

    async fn sync(&self, account_id: &str) -> Result<(), JobError> {
        let Some(o) = open(&self.store, &self.networks, &self.secrets, account_id).await? else { return Ok(()) };
        if o.account.is_paused() || !o.network.capabilities().inbox {
            return Ok(());
        }
        for _ in 0..self.settings.pages_per_run {
            let marker = self.store.sync_state(&o.account.id).await.map_err(store_error)?.and_then(|s| s.marker);
            let page = match o.network.fetch_activity(&o.remote, marker.as_deref()).await {
                Ok(p) => p,
                Err(NetworkError::NotOffered { .. }) => return Ok(()),
                Err(NetworkError::AuthExpired(reason)) => {
                    self.store.record_sync_error(&o.account.id, &reason).await.map_err(store_error)?;
                    return pause(&self.store, &o.account, &reason).await;
                }
                Err(e) => {
                    self.store.record_sync_error(&o.account.id, &e.to_string()).await.map_err(store_error)?;
                    return Err(job_error(e));
                }
            };
            let items: Vec<Incoming> = page.items.iter().map(incoming).collect();
            let new = self.store.ingest_activity(&o.account, &items, page.next_since.as_deref()).await.map_err(store_error)?;
            tracing::debug!(account = %o.account.id, messages = new.messages.len(), activity = new.activity, "activity stored");
            if page.items.is_empty() || page.next_since.is_none() || page.next_since == marker {
                break;
            }
        }
        self.fetch_context(&o).await
    }

    /// Asks the posts above replies whose parent is unknown. A refusal or a network without
    /// context marks the reply as asked; a passing failure leaves it for the next run.
    async fn fetch_context(&self, o: &crate::account_access::Opened) -> Result<(), JobError> {
        let wanted = self.store.messages_needing_context(&o.account.id, self.settings.contexts_per_run).await.map_err(store_error)?;
        for (message_id, remote_id) in wanted {
            let posts = match o.network.context(&o.remote, &remote_id).await {
                Ok(posts) => posts.iter().map(context_post).collect(),
                Err(NetworkError::NotOffered { .. } | NetworkError::Permanent(_)) => vec![],
                Err(NetworkError::AuthExpired(reason)) => return pause(&self.store, &o.account, &reason).await,
                Err(e) => {
                    tracing::info!(account = %o.account.id, error = %e, "thread context left for the next sync");
                    return Ok(());
                }
            };
            self.store.store_context(&message_id, &posts).await.map_err(store_error)?;
        }
        Ok(())
    }
}

impl JobHandler for ActivitySync {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let Some(account) = job.payload["account"].as_str() else {
                return Err(JobError::Permanent("sync job without an account".into()));
            };
            self.sync(account).await
        })
    }
}

/// Enqueues `kind` for every active account whose network `offers`, keyed by account and slot.
pub(crate) async fn schedule_per_account(
    store: &Store,
    networks: &Registry,
    kind: &str,
    interval_ms: i64,
    offers: fn(&relais_networks::Capabilities) -> bool,
) -> relais_store::Result<usize> {
    let now = now_ms();
    let slot = now / interval_ms.max(1_000);
    let mut created = 0;
    for account in store.active_social_accounts().await? {
        if !networks.get(&account.network).is_some_and(|n| offers(n.capabilities())) {
            continue;
        }
        let job = NewJob {
            kind: kind.into(),
            payload: serde_json::json!({ "account": account.id }),
            run_at: now,
            unique_key: Some(format!("{kind}:{}:{slot}", account.id)),
            max_attempts: 3,
        };
        if store.enqueue_job(&job).await?.is_some() {
            created += 1;
        }
    }
    Ok(created)
}
