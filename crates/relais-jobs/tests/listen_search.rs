//! The listening search job's outcomes, against a network whose answers the test scripts per
//! account: an expired token pauses the account and the next one of that network is used, a rate
//! limit stores what was found and defers the job, a network without search is skipped, and what
//! the network returns is kept only when the query matches it.

use relais_core::listening_query::ListeningQuery;
use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::{Locale, Name, TimeZoneName, now_ms};
use relais_jobs::{ListenSearch, Worker, WorkerConfig};
use relais_networks::{
    AccountRef, Capabilities, NetFuture, Network, NetworkError, PublishRequest, Published, Registry, RemoteAuthor, RemotePost, SearchPage,
};
use relais_store::{JobStatus, LISTEN_SEARCH_JOB, ListeningQueryRecord, NewJob, SocialAccount, Store, both_backends};
use std::sync::Arc;
use std::time::Duration;

const SEARCHING: Capabilities = Capabilities { key: "scripted", label: "Scripted", search: true, ..relais_networks::sandbox::CAPABILITIES };
const SILENT: Capabilities = Capabilities { key: "silent", label: "Silent", search: false, ..relais_networks::sandbox::CAPABILITIES };

/// Answers searches according to the account's handle.
struct Scripted(&'static Capabilities);

fn post(id: &str, text: &str) -> RemotePost {
    RemotePost {
        remote_id: id.into(),
        url: None,
        author: RemoteAuthor { remote_id: "did:fan".into(), handle: "fan".into(), display_name: None, avatar_url: None },
        text: text.into(),
        created_at_ms: now_ms(),
        language: None,
        parent_remote_id: None,
        metrics: None,
    }
}

impl Network for Scripted {
    fn capabilities(&self) -> &Capabilities {
        self.0
    }
    fn publish<'a>(&'a self, _: &'a AccountRef, _: &'a PublishRequest) -> NetFuture<'a, Published> {
        Box::pin(async { Err(NetworkError::Permanent("not in this test".into())) })
    }
    fn find_published<'a>(&'a self, _: &'a AccountRef, _: &'a str) -> NetFuture<'a, Option<Published>> {
        Box::pin(async { Ok(None) })
    }
    fn check<'a>(&'a self, _: &'a AccountRef) -> NetFuture<'a, relais_networks::AccountCheck> {
        Box::pin(async { Err(NetworkError::Permanent("not in this test".into())) })
    }
    fn search<'a>(&'a self, account: &'a AccountRef, query: &'a str, cursor: Option<&'a str>) -> NetFuture<'a, SearchPage> {
        Box::pin(async move {
            assert_eq!(query, "Crédit Agricole", "the query's plain terms are searched");
            match (account.handle.as_str(), cursor) {
                ("expired", _) => Err(NetworkError::AuthExpired("Token has been revoked".into())),
                ("limited", _) => Err(NetworkError::RateLimited { retry_after_ms: 120_000, message: "Rate Limit Exceeded".into() }),
                (_, None) => Ok(SearchPage {
                    posts: vec![post("p1", "Le crédit agricole recrute"), post("p2", "Le Crédit Agricole de Bourgogne")],
                    cursor: Some("page-2".into()),
                }),
                (_, Some(_)) => Ok(SearchPage {
                    posts: vec![post("p3", "Le crédit mutuel"), post("p4", "Au crédit AGRICOLE, les agricoles"), post("p5", "agricoles")],
                    cursor: None,
                }),
            }
        })
    }
}

struct Desk {
    store: Store,
    secrets: SecretBox,
    workspace: String,
    query: ListeningQueryRecord,
}

impl Desk {
    async fn new(store: Store) -> Desk {
        let org = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
        let ws = store
            .create_workspace(&org.id, &Name::parse("n", "Banque").unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
            .await
            .unwrap();
        let user = store
            .create_user(&relais_core::Email::parse("sophie@example.org").unwrap(), &Name::parse("n", "Sophie").unwrap(), "h")
            .await
            .unwrap();
        let query = ListeningQuery::parse("Crédit Agricole -recrute").unwrap();
        let query = store.create_listening_query(&ws.id, &Name::parse("n", "Marque").unwrap(), &query, &user.id).await.unwrap();
        Desk { store, secrets: SecretBox::new(&SecretKey::generate()), workspace: ws.id, query }
    }

    async fn account(&self, network: &str, handle: &str) -> String {
        let sealer = self.secrets.clone();
        self.store
            .create_social_account(&self.workspace, network, handle, handle, |id| {
                sealer.seal("{}", &SocialAccount::credentials_context(id))
            })
            .await
            .unwrap()
            .id
    }

    /// Runs one search job; returns its status afterwards.
    async fn run(&self) -> JobStatus {
        let job = NewJob {
            kind: LISTEN_SEARCH_JOB.into(),
            payload: serde_json::json!({"workspace": self.workspace, "query": self.query.id}),
            run_at: now_ms(),
            unique_key: None,
            max_attempts: 3,
        };
        let id = self.store.enqueue_job(&job).await.unwrap().unwrap();
        let search = ListenSearch {
            store: self.store.clone(),
            networks: Registry::default().with(Arc::new(Scripted(&SEARCHING))).with(Arc::new(Scripted(&SILENT))),
            secrets: self.secrets.clone(),
            pages: 2,
        };
        let worker =
            Worker::new(self.store.clone(), "w", WorkerConfig { batch: 4, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
                .register(Arc::new(search));
        assert_eq!(worker.run_once().await.unwrap(), 1);
        self.store.job_state(&id).await.unwrap().unwrap().0
    }

    async fn found(&self) -> Vec<String> {
        let mut ids: Vec<String> =
            self.store.listening_hits(&self.workspace, &self.query.id, 100).await.unwrap().into_iter().map(|h| h.remote_id).collect();
        ids.sort();
        ids
    }
}

both_backends!(an_expired_account_is_paused_and_another_of_its_network_searches, |store: Store| async move {
    let desk = Desk::new(store).await;
    let expired = desk.account("scripted", "expired").await;
    desk.account("scripted", "fine").await;
    desk.account("silent", "quiet").await;
    assert_eq!(desk.run().await, JobStatus::Done);
    // Two pages read; the query leaves out the recruitment post and the posts without both words.
    assert_eq!(desk.found().await, ["p2", "p4"]);
    let paused = desk.store.social_account(&expired).await.unwrap();
    assert_eq!((paused.status.as_str(), paused.status_reason.as_deref()), ("paused", Some("Token has been revoked")));
    let q = desk.store.listening_query(&desk.workspace, &desk.query.id).await.unwrap();
    assert_eq!(q.last_error, None, "the network was searched after all");
    // Run again: the paused account is not asked, the post is not stored twice.
    assert_eq!(desk.run().await, JobStatus::Done);
    assert_eq!(desk.found().await, ["p2", "p4"]);
});

both_backends!(a_network_whose_only_account_expired_is_reported_on_the_query, |store: Store| async move {
    let desk = Desk::new(store).await;
    desk.account("scripted", "expired").await;
    assert_eq!(desk.run().await, JobStatus::Done);
    let q = desk.store.listening_query(&desk.workspace, &desk.query.id).await.unwrap();
    assert_eq!(q.last_error.as_deref(), Some("Scripted @expired: Token has been revoked"));
    assert!(desk.found().await.is_empty());
});

both_backends!(a_rate_limit_defers_the_search_without_spending_an_attempt, |store: Store| async move {
    let desk = Desk::new(store).await;
    let limited = desk.account("scripted", "limited").await;
    let before = now_ms();
    assert_eq!(desk.run().await, JobStatus::Queued, "deferred, not failed");
    let account = desk.store.social_account(&limited).await.unwrap();
    assert!(account.rate_limited_until.is_some_and(|t| t >= before + 120_000), "{account:?}");
    let q = desk.store.listening_query(&desk.workspace, &desk.query.id).await.unwrap();
    assert_eq!(q.last_error.as_deref(), Some("Scripted: Rate Limit Exceeded"));
    assert!(desk.store.claim_jobs("other", 10, 60_000).await.unwrap().is_empty(), "not before the delay");
    // Another search before the delay does not call the network again.
    assert_eq!(desk.run().await, JobStatus::Queued);
    let q = desk.store.listening_query(&desk.workspace, &desk.query.id).await.unwrap();
    assert_eq!(q.last_error.as_deref(), Some("Scripted @limited: rate limited"));
});

both_backends!(a_workspace_without_a_searching_network_records_a_clean_run, |store: Store| async move {
    let desk = Desk::new(store).await;
    desk.account("silent", "quiet").await;
    assert_eq!(desk.run().await, JobStatus::Done);
    let q = desk.store.listening_query(&desk.workspace, &desk.query.id).await.unwrap();
    assert!(q.last_run_at.is_some());
    assert_eq!(q.last_error, None);
    // A deactivated query is not searched at all.
    desk.store.set_listening_query_active(&desk.workspace, &desk.query.id, false).await.unwrap();
    desk.account("scripted", "fine").await;
    assert_eq!(desk.run().await, JobStatus::Done);
    assert!(desk.found().await.is_empty());
});
