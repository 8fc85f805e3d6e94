//! The inbox's jobs against the sandbox simulator, on SQLite and PostgreSQL: activity sync with
//! its marker and thread context, the scheduler's one job per account and slot, paused and
//! rate-limited accounts, replies sent exactly once, metric samples.

use relais_core::inbox::MessageStatus;
use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::{Locale, Name, TimeZoneName, now_ms};
use relais_jobs::{ActivitySync, JobHandler, MetricsCollector, ReplySender, SyncSettings, Worker, WorkerConfig};
use relais_networks::sandbox::{CAPABILITIES, Clock, EXPIRED_CREDENTIALS, Sandbox, SandboxConfig};
use relais_networks::{
    AccountCheck, AccountRef, ActivityPage, Capabilities, NetFuture, Network, NetworkError, PublishRequest, Published, Registry,
    ReplyRequest,
};
use relais_store::{
    Actor, InboxFilter, InboxMessage, JobStatus, NewJob, NewPost, NewVariant, SocialAccount, Store, VariantOutcome, both_backends,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

const DAY: i64 = 86_400_000;

struct World {
    store: Store,
    secrets: SecretBox,
    workspace: String,
    offset: Arc<AtomicI64>,
}

impl World {
    async fn new(store: Store) -> World {
        let org = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
        let ws = store
            .create_workspace(&org.id, &Name::parse("n", "Banque").unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
            .await
            .unwrap();
        World { store, secrets: SecretBox::new(&SecretKey::generate()), workspace: ws.id, offset: Arc::new(AtomicI64::new(0)) }
    }

    async fn account(&self, handle: &str, credentials: &str) -> SocialAccount {
        let secrets = self.secrets.clone();
        self.store
            .create_social_account(&self.workspace, "sandbox", handle, handle, |id| {
                secrets.seal(credentials, &SocialAccount::credentials_context(id))
            })
            .await
            .unwrap()
    }

    /// A post published on the sandbox for `account`; returns (variant id, sandbox post id).
    async fn published(&self, account: &SocialAccount, text: &str) -> (String, String) {
        let post = self
            .store
            .create_post(
                &NewPost {
                    workspace_id: self.workspace.clone(),
                    title: "t".into(),
                    pillar: None,
                    campaign: None,
                    variants: vec![NewVariant::text(account.id.clone(), text, None)],
                },
                &Actor::system(),
            )
            .await
            .unwrap();
        let variant = self.store.variants(&post.id).await.unwrap().remove(0);
        let remote = self.store.sandbox_create_post(&account.id, &variant.idempotency_key, text).await.unwrap();
        self.store.begin_publish_attempts(std::slice::from_ref(&variant.id)).await.unwrap();
        self.store.finish_variant(&variant.id, &VariantOutcome::Published { remote_id: remote.clone(), remote_url: None }).await.unwrap();
        (variant.id, remote)
    }

    fn sandbox(&self) -> Sandbox {
        let o = self.offset.clone();
        let clock: Clock = Arc::new(move || now_ms() + o.load(Ordering::SeqCst));
        Sandbox::new(
            self.store.clone(),
            SandboxConfig { latency: Duration::from_millis(1), failure_rate: 0.0, rate_limit_per_minute: None },
        )
        .with_clock(clock)
    }

    fn worker(&self, network: Arc<dyn Network>) -> Worker {
        let networks = Registry::default().with(network);
        let (store, secrets) = (self.store.clone(), self.secrets.clone());
        Worker::new(store.clone(), "w", WorkerConfig { batch: 16, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
            .register(Arc::new(ActivitySync {
                store: store.clone(),
                networks: networks.clone(),
                secrets: secrets.clone(),
                settings: SyncSettings::default(),
            }))
            .register(Arc::new(ReplySender { store: store.clone(), networks: networks.clone(), secrets: secrets.clone() }))
            .register(Arc::new(MetricsCollector { store, networks, secrets, lookback_days: 30 }))
    }

    async fn enqueue(&self, kind: &str, payload: serde_json::Value) -> String {
        let job = NewJob { kind: kind.into(), payload, run_at: now_ms(), unique_key: None, max_attempts: 3 };
        self.store.enqueue_job(&job).await.unwrap().unwrap()
    }

    async fn messages(&self) -> Vec<InboxMessage> {
        self.store.inbox_page(&self.workspace, &InboxFilter::default(), 200).await.unwrap().messages
    }
}

/// The sandbox with some calls answered otherwise.
struct Scripted {
    sandbox: Sandbox,
    capabilities: Capabilities,
    fetch: Option<NetworkError>,
    /// The reply reaches the network, then the answer is lost.
    reply_lost: bool,
}

impl Scripted {
    fn new(sandbox: Sandbox) -> Scripted {
        Scripted { sandbox, capabilities: CAPABILITIES, fetch: None, reply_lost: false }
    }
}

impl Network for Scripted {
    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }
    fn publish<'a>(&'a self, account: &'a AccountRef, request: &'a PublishRequest) -> NetFuture<'a, Published> {
        self.sandbox.publish(account, request)
    }
    fn find_published<'a>(&'a self, account: &'a AccountRef, key: &'a str) -> NetFuture<'a, Option<Published>> {
        self.sandbox.find_published(account, key)
    }
    fn check<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, AccountCheck> {
        self.sandbox.check(account)
    }
    fn fetch_activity<'a>(&'a self, account: &'a AccountRef, since: Option<&'a str>) -> NetFuture<'a, ActivityPage> {
        match &self.fetch {
            Some(e) => {
                let e = e.clone();
                Box::pin(async move { Err(e) })
            }
            None => self.sandbox.fetch_activity(account, since),
        }
    }
    fn reply<'a>(&'a self, account: &'a AccountRef, request: &'a ReplyRequest) -> NetFuture<'a, Published> {
        Box::pin(async move {
            let sent = self.sandbox.reply(account, request).await?;
            if self.reply_lost {
                return Err(NetworkError::Transient("timeout reading the answer".into()));
            }
            Ok(sent)
        })
    }
}

both_backends!(a_sync_stores_the_communitys_activity_once_and_asks_the_context_it_lacks, |store: Store| async move {
    let w = World::new(store).await;
    let acc = w.account("@banque", "tok").await;
    let mut ours = vec![];
    for n in 0..10 {
        ours.push(w.published(&acc, &format!("Publication {n}")).await);
    }
    w.offset.store(4 * DAY, Ordering::SeqCst);
    let worker = w.worker(Arc::new(w.sandbox()));
    let job = w.enqueue(ActivitySync::KIND, serde_json::json!({"account": acc.id})).await;
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(w.store.job_state(&job).await.unwrap().unwrap().0, JobStatus::Done, "{:?}", w.store.job_state(&job).await);

    // What the network has, read with no marker from the start of time, page after page.
    let sandbox = w.sandbox();
    let remote = AccountRef { id: acc.id.clone(), handle: acc.handle.clone(), credentials: "tok".into() };
    let mut expected = vec![];
    let mut marker: Option<String> = Some("0:".into());
    while let Some(m) = marker.take() {
        let page = sandbox.fetch_activity(&remote, Some(&m)).await.unwrap();
        expected.extend(page.items.iter().filter(|a| a.kind.is_message()).map(|a| a.remote_id.clone()));
        marker = page.next_since.filter(|_| !page.items.is_empty());
    }
    let messages = w.messages().await;
    let mut got: Vec<String> = messages.iter().map(|m| m.remote_id.clone()).collect();
    got.sort();
    expected.sort();
    // The first sync without a marker takes the most recent page; later syncs resume from it.
    assert!(!got.is_empty() && got.iter().all(|id| expected.contains(id)), "{got:?} {expected:?} {:?}", w.store.sync_state(&acc.id).await);
    let state = w.store.sync_state(&acc.id).await.unwrap().unwrap();
    assert!(state.marker.is_some() && state.last_error.is_none());

    // A second run finds nothing new: nothing is stored twice.
    w.enqueue(ActivitySync::KIND, serde_json::json!({"account": acc.id})).await;
    worker.run_once().await.unwrap();
    assert_eq!(w.messages().await.len(), messages.len());

    // Replies under our posts are tied to the variant and share its thread's conversation.
    let replies: Vec<&InboxMessage> = messages.iter().filter(|m| m.kind == "reply").collect();
    assert!(!replies.is_empty());
    for r in &replies {
        let (variant, _) = ours.iter().find(|(_, remote)| Some(remote) == r.root_remote_id.as_ref()).unwrap();
        assert_eq!(r.variant_id.as_ref(), Some(variant));
    }
    // Replies under another member's aside got their context asked and stored.
    assert!(w.store.messages_needing_context(&acc.id, 100).await.unwrap().is_empty());
    let under_aside = replies.iter().find(|m| m.remote_id.ends_with("-b")).expect("a reply under an aside");
    let context = w.store.conversation_context(&under_aside.conversation_id).await.unwrap();
    assert!(context.iter().any(|c| Some(&c.remote_id) == under_aside.parent_remote_id.as_ref()), "{context:?}");
    let counts = w.store.activity_counts(&ours.iter().map(|o| o.0.clone()).collect::<Vec<_>>()).await.unwrap();
    assert!(counts.iter().any(|(_, k, n)| k == "like" && *n > 0));
});

both_backends!(the_scheduler_makes_one_sync_per_account_and_slot_and_skips_paused_accounts, |store: Store| async move {
    let w = World::new(store).await;
    let a = w.account("@banque", "tok").await;
    let b = w.account("@banque_pro", "tok").await;
    w.store.pause_social_account(&b.id, "revoked").await.unwrap();
    let networks = Registry::default().with(Arc::new(w.sandbox()));
    // Three processes scheduling in the same slot.
    let mut created = 0;
    for _ in 0..3 {
        created += ActivitySync::schedule(&w.store, &networks, 3_600_000).await.unwrap();
    }
    assert_eq!(created, 1);
    assert_eq!(MetricsCollector::schedule(&w.store, &networks, 3_600_000).await.unwrap(), 1);
    let jobs = w.store.claim_jobs("probe", 10, 60_000).await.unwrap();
    let mut kinds: Vec<(&str, &str)> = jobs.iter().map(|j| (j.kind.as_str(), j.payload["account"].as_str().unwrap())).collect();
    kinds.sort();
    assert_eq!(kinds, [("collect_metrics", a.id.as_str()), ("sync_activity", a.id.as_str())]);
    // A network without an inbox gets no sync.
    let mut no_inbox = Scripted::new(w.sandbox());
    no_inbox.capabilities.inbox = false;
    let networks = Registry::default().with(Arc::new(no_inbox));
    assert_eq!(ActivitySync::schedule(&w.store, &networks, 1_000).await.unwrap(), 0);
});

both_backends!(an_expired_token_pauses_the_account_and_a_rate_limit_defers_the_sync, |store: Store| async move {
    let w = World::new(store).await;
    let expired = w.account("@expiree", EXPIRED_CREDENTIALS).await;
    let worker = w.worker(Arc::new(w.sandbox()));
    let job = w.enqueue(ActivitySync::KIND, serde_json::json!({"account": expired.id})).await;
    worker.run_once().await.unwrap();
    let account = w.store.social_account(&expired.id).await.unwrap();
    assert!(account.is_paused());
    assert!(account.status_reason.unwrap().contains("revoked"));
    assert!(w.store.sync_state(&expired.id).await.unwrap().unwrap().last_error.unwrap().contains("revoked"));
    assert_eq!(w.store.job_state(&job).await.unwrap().unwrap().0, JobStatus::Done);

    let acc = w.account("@banque", "tok").await;
    let mut limited = Scripted::new(w.sandbox());
    limited.fetch = Some(NetworkError::RateLimited { retry_after_ms: 90_000, message: "slow down".into() });
    let job = w.enqueue(ActivitySync::KIND, serde_json::json!({"account": acc.id})).await;
    w.worker(Arc::new(limited)).run_once().await.unwrap();
    let (status, attempts, error) = w.store.job_state(&job).await.unwrap().unwrap();
    assert_eq!((status, attempts, error.as_deref()), (JobStatus::Queued, 0, Some("slow down")), "deferred, not counted as an attempt");

    // A connector without an inbox yet: the sync ends quietly (the last error stays the last).
    let mut not_offered = Scripted::new(w.sandbox());
    not_offered.fetch = Some(NetworkError::NotOffered { network: "Sandbox", what: "an inbox" });
    let job = w.enqueue(ActivitySync::KIND, serde_json::json!({"account": acc.id})).await;
    let handler = ActivitySync {
        store: w.store.clone(),
        networks: Registry::default().with(Arc::new(not_offered)),
        secrets: w.secrets.clone(),
        settings: SyncSettings::default(),
    };
    let claimed = w.store.claim_jobs("probe", 10, 60_000).await.unwrap().into_iter().find(|j| j.id == job).unwrap();
    handler.run(&claimed).await.unwrap();
    assert_eq!(
        w.store.sync_state(&acc.id).await.unwrap().unwrap().last_error.as_deref(),
        Some("rate limited by the network, retry in 90000 ms: slow down")
    );
});

/// An account with one synced message to answer.
async fn with_message(w: &World) -> (SocialAccount, InboxMessage) {
    let acc = w.account("@banque", "tok").await;
    w.published(&acc, "Le prêt Artisan").await;
    w.offset.store(4 * DAY, Ordering::SeqCst);
    w.enqueue(ActivitySync::KIND, serde_json::json!({"account": acc.id})).await;
    w.worker(Arc::new(w.sandbox())).run_once().await.unwrap();
    let message = w.messages().await.into_iter().find(|m| m.kind == "reply").expect("a reply to answer");
    (acc, message)
}

both_backends!(a_reply_is_sent_once_and_becomes_the_first_response, |store: Store| async move {
    let w = World::new(store).await;
    let (acc, message) = with_message(&w).await;
    let reply =
        w.store.create_reply(&message.id, "Bonjour, merci pour votre message !", &Actor { id: None, label: "Lucas".into() }).await.unwrap();
    let worker = w.worker(Arc::new(w.sandbox()));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let sent = w.store.inbox_reply(&reply.id).await.unwrap();
    assert_eq!((sent.state.as_str(), sent.attempts), ("sent", 1));
    let remote = sent.remote_id.clone().unwrap();
    assert_eq!(w.store.sandbox_find_post(&acc.id, &reply.idempotency_key).await.unwrap(), Some(remote.clone()));
    assert!(w.store.inbox_message(&message.id).await.unwrap().first_response_at.is_some());
    let in_conversation = w.store.conversation_replies(&message.conversation_id).await.unwrap();
    assert_eq!(in_conversation.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [reply.id.as_str()]);
    // The sandbox threads it under the message.
    let remote_account = AccountRef { id: acc.id.clone(), handle: acc.handle.clone(), credentials: "tok".into() };
    let above = w.sandbox().context(&remote_account, &remote).await.unwrap();
    assert_eq!(above.last().map(|p| p.remote_id.clone()), Some(message.remote_id.clone()));
    assert_eq!(worker.run_once().await.unwrap(), 0);
    assert_eq!(w.store.inbox_message(&message.id).await.unwrap().status, MessageStatus::Open.as_str());
    // The author answers under the reply; the next sync puts it in the same conversation, and
    // its parent (our reply) is known, so no context is asked.
    w.offset.store(4 * DAY + DAY / 24, Ordering::SeqCst);
    w.enqueue(ActivitySync::KIND, serde_json::json!({"account": acc.id})).await;
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let thanks = w.messages().await.into_iter().find(|m| m.parent_remote_id.as_ref() == Some(&remote)).expect("the author's answer");
    assert_eq!(
        (thanks.conversation_id.as_str(), thanks.author_handle.as_str()),
        (message.conversation_id.as_str(), message.author_handle.as_str())
    );
    assert!(w.store.messages_needing_context(&acc.id, 10).await.unwrap().is_empty());
});

both_backends!(a_reply_whose_answer_was_lost_is_found_not_sent_again, |store: Store| async move {
    let w = World::new(store).await;
    let (acc, message) = with_message(&w).await;
    let reply = w.store.create_reply(&message.id, "Une seule fois", &Actor::system()).await.unwrap();
    let mut lossy = Scripted::new(w.sandbox());
    lossy.reply_lost = true;
    let job_worker = w.worker(Arc::new(lossy));
    assert_eq!(job_worker.run_once().await.unwrap(), 1);
    let pending = w.store.inbox_reply(&reply.id).await.unwrap();
    assert_eq!((pending.state.as_str(), pending.error.as_deref()), ("pending", Some("timeout reading the answer")));
    // The retry (after its backoff) asks the network first and records what it finds.
    let claimed = w.store.claim_jobs("later", 10, 60_000).await.unwrap();
    assert!(claimed.is_empty(), "the retry waits for its backoff");
    let handler =
        ReplySender { store: w.store.clone(), networks: Registry::default().with(Arc::new(w.sandbox())), secrets: w.secrets.clone() };
    let job = relais_store::ClaimedJob {
        id: "manual".into(),
        kind: "send_reply".into(),
        payload: serde_json::json!({"reply": reply.id}),
        attempts: 2,
        max_attempts: 8,
    };
    handler.run(&job).await.unwrap();
    let sent = w.store.inbox_reply(&reply.id).await.unwrap();
    assert_eq!((sent.state.as_str(), sent.attempts), ("sent", 2));
    assert_eq!(w.store.sandbox_duplicate_keys().await.unwrap(), 0);
    assert_eq!(w.store.sandbox_find_post(&acc.id, &reply.idempotency_key).await.unwrap(), sent.remote_id);
});

both_backends!(a_reply_of_an_account_whose_token_expired_waits_paused, |store: Store| async move {
    let w = World::new(store).await;
    let (acc, message) = with_message(&w).await;
    let reply = w.store.create_reply(&message.id, "Bonjour", &Actor::system()).await.unwrap();
    let sealed = w.secrets.seal(EXPIRED_CREDENTIALS, &SocialAccount::credentials_context(&acc.id));
    w.store.resume_social_account(&acc.id, &sealed).await.unwrap();
    w.worker(Arc::new(w.sandbox())).run_once().await.unwrap();
    assert!(w.store.social_account(&acc.id).await.unwrap().is_paused());
    let waiting = w.store.inbox_reply(&reply.id).await.unwrap();
    assert_eq!(waiting.state, "pending", "the reply waits for the account to be reconnected");
    let jobs = w.store.claim_jobs("probe", 10, 60_000).await.unwrap();
    assert!(jobs.is_empty(), "deferred for a while");
});

both_backends!(a_reply_whose_workers_all_died_is_shown_failed_not_sending_forever, |store: Store| async move {
    let w = World::new(store).await;
    let (_, message) = with_message(&w).await;
    let reply = w.store.create_reply(&message.id, "Bonjour", &Actor::system()).await.unwrap();
    // Every run dies with its worker: the lease runs out each time.
    for _ in 0..8 {
        assert_eq!(w.store.claim_jobs("dying", 10, 1).await.unwrap().len(), 1);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    w.worker(Arc::new(w.sandbox())).run_once().await.unwrap();
    let failed = w.store.inbox_reply(&reply.id).await.unwrap();
    assert_eq!(failed.state, "failed");
    assert!(failed.error.unwrap().contains("gave up after 8 attempts"));
});

both_backends!(a_reply_the_network_refuses_fails_with_its_words, |store: Store| async move {
    let w = World::new(store).await;
    let (acc, message) = with_message(&w).await;
    let too_long = "a".repeat(CAPABILITIES.max_length + 1);
    let reply = w.store.create_reply(&message.id, &too_long, &Actor::system()).await.unwrap();
    w.worker(Arc::new(w.sandbox())).run_once().await.unwrap();
    let failed = w.store.inbox_reply(&reply.id).await.unwrap();
    assert_eq!(failed.state, "failed");
    assert!(failed.error.unwrap().contains(&format!("the limit is {}", CAPABILITIES.max_length)));
    assert!(w.store.inbox_message(&message.id).await.unwrap().first_response_at.is_none());
    assert_eq!(w.store.sandbox_find_post(&acc.id, &reply.idempotency_key).await.unwrap(), None);
});

both_backends!(metrics_are_collected_as_samples_of_what_the_audience_did, |store: Store| async move {
    let w = World::new(store).await;
    let acc = w.account("@banque", "tok").await;
    let (variant, remote) = w.published(&acc, "Portes ouvertes").await;
    w.offset.store(5 * DAY, Ordering::SeqCst);
    let worker = w.worker(Arc::new(w.sandbox()));
    w.enqueue(MetricsCollector::KIND, serde_json::json!({"account": acc.id})).await;
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let remote_account = AccountRef { id: acc.id.clone(), handle: acc.handle.clone(), credentials: "tok".into() };
    let truth = w.sandbox().post_metrics(&remote_account, std::slice::from_ref(&remote)).await.unwrap().remove(0);
    let sample = w.store.latest_post_metrics(std::slice::from_ref(&variant)).await.unwrap().remove(&variant).unwrap();
    // The simulator's clock moved a few milliseconds between the job and this call: its crowd
    // may have added one.
    let close = |a: i64, b: i64| (b - a).abs() <= 1;
    assert!(close(sample.likes, truth.likes) && close(sample.replies, truth.replies), "{sample:?} {truth:?}");
    assert!(close(sample.reposts, truth.reposts) && close(sample.quotes, truth.quotes), "{sample:?} {truth:?}");
    assert!(close(sample.impressions.unwrap(), truth.impressions.unwrap()) && close(sample.reach.unwrap(), truth.reach.unwrap()));
    assert_eq!(sample.link_clicks, truth.link_clicks);
    assert!(sample.likes + sample.replies + sample.reposts > 0);
    // The collection fed the rollups in the same transaction.
    let days = w.store.post_daily_likes(&variant).await.unwrap();
    assert_eq!(days.len(), 1);
    assert_eq!((days[0].1, days[0].2, days[0].3), (sample.likes, sample.likes, sample.impressions));
    let account = w.store.latest_account_metrics(&w.workspace).await.unwrap().remove(&acc.id).unwrap();
    assert_eq!(account.posts, 1);
    assert!(close(account.followers, w.sandbox().account_metrics(&remote_account).await.unwrap().followers));
    // A second collection adds a sample; the series keeps both.
    tokio::time::sleep(Duration::from_millis(5)).await;
    w.enqueue(MetricsCollector::KIND, serde_json::json!({"account": acc.id})).await;
    worker.run_once().await.unwrap();
    assert_eq!(w.store.post_metric_series(&variant).await.unwrap().len(), 2);
    assert_eq!(w.store.account_metric_series(&acc.id).await.unwrap().len(), 2);
});

both_backends!(resolving_sends_the_satisfaction_question_once_and_the_rating_is_read_back, |store: Store| async move {
    let w = World::new(store).await;
    let (acc, message) = with_message(&w).await;
    let settings = relais_store::CareSettings { survey_enabled: true, ..Default::default() };
    w.store.save_care_settings(&w.workspace, &settings).await.unwrap();
    let lucas = w
        .store
        .create_user(&relais_core::Email::parse("lucas@example.org").unwrap(), &Name::parse("n", "Lucas").unwrap(), "hash")
        .await
        .unwrap();
    let member = Actor { id: Some(lucas.id.clone()), label: "Lucas".into() };
    // The question is asked once all of the author's messages in the conversation are resolved.
    let theirs: Vec<String> = w
        .store
        .conversation_messages(&message.conversation_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.author_remote_id == message.author_remote_id)
        .map(|m| m.id)
        .collect();
    let resolve = relais_store::BulkAction::SetStatus(MessageStatus::Resolved);
    w.store.bulk_inbox(&w.workspace, &theirs, &resolve, &member, now_ms()).await.unwrap();
    let last = w.store.conversation_messages(&message.conversation_id).await.unwrap();
    let last = last.into_iter().rfind(|m| m.author_remote_id == message.author_remote_id).unwrap();

    // The question goes out through the reply job, once, and is not a first response.
    let worker = w.worker(Arc::new(w.sandbox()));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(worker.run_once().await.unwrap(), 0);
    let surveys = w.store.conversation_surveys(&message.conversation_id).await.unwrap();
    assert_eq!(surveys.len(), 1);
    let question = w.store.inbox_reply(surveys[0].reply_id.as_deref().unwrap()).await.unwrap();
    assert_eq!((question.state.as_str(), question.purpose.as_str()), ("sent", "survey"));
    // In the message's language (the workspace's, French, when the message's is unknown).
    use relais_core::satisfaction::{DEFAULT_QUESTION_EN, DEFAULT_QUESTION_FR, question_for};
    assert_eq!(question.text, question_for(last.language.as_deref(), true, DEFAULT_QUESTION_FR, DEFAULT_QUESTION_EN));
    let remote = question.remote_id.clone().unwrap();
    assert_eq!(w.store.sandbox_find_post(&acc.id, &question.idempotency_key).await.unwrap(), Some(remote.clone()));
    assert_eq!(question.message_id, last.id, "it answers the author's last message");
    let after = w.store.inbox_message(&last.id).await.unwrap();
    assert_eq!((after.first_response_at, after.resolved_by.as_deref()), (None, Some(lucas.id.as_str())));

    // The author answers under the question with five stars, as the network reports it.
    let rating = relais_store::Incoming {
        remote_id: "rating-1".into(),
        kind: "reply".into(),
        author_remote_id: message.author_remote_id.clone(),
        author_handle: message.author_handle.clone(),
        text: "⭐⭐⭐⭐⭐".into(),
        created_at: now_ms() + 60_000,
        parent_remote_id: Some(remote.clone()),
        subject_remote_id: Some(remote),
        root_remote_id: message.root_remote_id.clone(),
        ..relais_store::Incoming::default()
    };
    let id = w.store.ingest_activity(&acc, &[rating], None).await.unwrap().messages.remove(0);
    let survey = w.store.conversation_surveys(&message.conversation_id).await.unwrap().remove(0);
    assert_eq!((survey.score, survey.answer_message_id.as_deref()), (Some(5), Some(id.as_str())));
    assert_eq!(w.store.inbox_message(&id).await.unwrap().status, "resolved");
});
