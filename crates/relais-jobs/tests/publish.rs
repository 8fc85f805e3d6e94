//! The publishing engine against the sandbox network, on SQLite and PostgreSQL: every variant
//! published once, retries, refusals, paused accounts, rate limits, reschedules, lost workers.

use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::workflow::PostState;
use relais_core::{Locale, Name, TimeZoneName, now_ms};
use relais_jobs::{Publisher, Worker, WorkerConfig};
use relais_networks::Registry;
use relais_networks::sandbox::{EXPIRED_CREDENTIALS, Sandbox, SandboxConfig};
use relais_store::{Actor, NewPost, NewVariant, SocialAccount, Store, both_backends};
use std::sync::Arc;
use std::time::Duration;

struct World {
    store: Store,
    secrets: SecretBox,
    workspace: String,
}

impl World {
    async fn new(store: Store) -> World {
        let org = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
        let ws = store
            .create_workspace(&org.id, &Name::parse("n", "Banque").unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
            .await
            .unwrap();
        World { store, secrets: SecretBox::new(&SecretKey::generate()), workspace: ws.id }
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

    /// A post approved and scheduled `delay_ms` from now on the given accounts.
    async fn scheduled(&self, text: &str, accounts: &[&SocialAccount], delay_ms: i64) -> String {
        let variants = accounts.iter().map(|a| NewVariant::text(a.id.clone(), text, None)).collect();
        let new = NewPost {
            workspace_id: self.workspace.clone(),
            title: text.chars().take(20).collect(),
            pillar: None,
            campaign: None,
            variants,
        };
        let actor = Actor { id: None, label: "test".into() };
        let post = self.store.create_post(&new, &actor).await.unwrap();
        self.store.move_post(&post.id, PostState::Draft, PostState::InReview, &actor, "submit", None).await.unwrap();
        self.store.move_post(&post.id, PostState::InReview, PostState::Approved, &actor, "approve", Some("ok")).await.unwrap();
        self.store
            .schedule_post(&post.id, PostState::Approved, now_ms() + delay_ms, "2026-11-23T10:00", "Europe/Paris", &actor)
            .await
            .unwrap();
        post.id
    }

    fn worker(&self, name: &str, sandbox: SandboxConfig) -> Worker {
        let registry = Registry::default().with(Arc::new(Sandbox::new(self.store.clone(), sandbox)));
        let publisher = Publisher { store: self.store.clone(), networks: registry, secrets: self.secrets.clone(), media: None };
        Worker::new(self.store.clone(), name, WorkerConfig { batch: 16, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
            .register(Arc::new(publisher))
    }
}

fn fast() -> SandboxConfig {
    SandboxConfig { latency: Duration::from_millis(2), failure_rate: 0.0, rate_limit_per_minute: None }
}

both_backends!(a_scheduled_post_is_published_once_on_every_account, |store: Store| async move {
    let w = World::new(store).await;
    let (a, b) = (w.account("banque", "tok-a").await, w.account("banque_pro", "tok-b").await);
    let post = w.scheduled("Le prêt Artisan est arrivé", &[&a, &b], -1).await;
    let worker = w.worker("w1", fast());
    assert_eq!(worker.run_once().await.unwrap(), 2);
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Published);
    let variants = w.store.variants(&post).await.unwrap();
    assert!(variants.iter().all(|v| v.state == "published" && v.remote_url.as_deref().unwrap().starts_with("sandbox://")));
    assert_eq!(w.store.sandbox_post_count().await.unwrap(), 2);
    assert_eq!(worker.run_once().await.unwrap(), 0);
    let actions: Vec<_> = w.store.post_events(&post).await.unwrap().into_iter().map(|e| format!("{}:{}", e.action, e.to_state)).collect();
    assert_eq!(
        actions,
        ["create:draft", "submit:in_review", "approve:approved", "schedule:scheduled", "publish:publishing", "publish:published"]
    );
});

both_backends!(a_post_is_not_published_before_its_time, |store: Store| async move {
    let w = World::new(store).await;
    let a = w.account("banque", "tok").await;
    let post = w.scheduled("Plus tard", &[&a], 60_000).await;
    assert_eq!(w.worker("w1", fast()).run_once().await.unwrap(), 0);
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Scheduled);
});

both_backends!(a_worker_that_died_after_the_network_accepted_does_not_post_twice, |store: Store| async move {
    let w = World::new(store).await;
    let a = w.account("banque", "tok").await;
    let post = w.scheduled("Une seule fois", &[&a], -1).await;
    // A first worker claims the job, records its attempt, the network stores the post... and the
    // worker dies before recording the outcome. Its lease runs out.
    let claimed = w.store.claim_jobs("dead-worker", 1, 1).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let variant = w.store.variants(&post).await.unwrap().remove(0);
    assert_eq!(w.store.begin_publish_attempt(&variant.id).await.unwrap(), Some(1));
    w.store.sandbox_create_post(&a.id, &variant.idempotency_key, &variant.text).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;

    assert_eq!(w.worker("w2", fast()).run_once().await.unwrap(), 1);
    assert_eq!(w.store.sandbox_post_count().await.unwrap(), 1, "found, not posted again");
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Published);
    assert_eq!(w.store.variants(&post).await.unwrap()[0].attempts, 2);
});

both_backends!(a_transient_failure_is_retried_later, |store: Store| async move {
    let w = World::new(store).await;
    let a = w.account("banque", "tok").await;
    let post = w.scheduled("Réseau capricieux", &[&a], -1).await;
    let flaky = SandboxConfig { failure_rate: 1.0, ..fast() };
    w.worker("w1", flaky).run_once().await.unwrap();
    assert_eq!(w.store.sandbox_post_count().await.unwrap(), 0);
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Publishing);
    let variant = w.store.variants(&post).await.unwrap().remove(0);
    assert_eq!(variant.state, "publishing");
    assert_eq!(w.worker("w1", fast()).run_once().await.unwrap(), 0, "the retry waits for its backoff");
});

both_backends!(a_refused_post_fails_with_the_networks_own_words, |store: Store| async move {
    let w = World::new(store).await;
    let a = w.account("banque", "tok").await;
    let post = w.scheduled("   ", &[&a], -1).await;
    w.worker("w1", fast()).run_once().await.unwrap();
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Failed);
    let v = w.store.variants(&post).await.unwrap().remove(0);
    assert_eq!(v.state, "failed");
    assert!(v.error.as_deref().unwrap().contains("sandbox: a post needs some text"), "{v:?}");
    let last = w.store.post_events(&post).await.unwrap().pop().unwrap();
    assert_eq!(last.to_state, "failed");
    assert!(last.comment.unwrap().contains("a post needs some text"));
});

both_backends!(an_expired_token_pauses_the_account_and_its_posts_wait, |store: Store| async move {
    let w = World::new(store).await;
    let a = w.account("banque", EXPIRED_CREDENTIALS).await;
    let post = w.scheduled("En attente", &[&a], -1).await;
    w.worker("w1", fast()).run_once().await.unwrap();
    let account = w.store.social_account(&a.id).await.unwrap();
    assert!(account.is_paused());
    assert!(account.status_reason.unwrap().contains("revoked"));
    assert_eq!(w.store.sandbox_post_count().await.unwrap(), 0);
    assert_ne!(w.store.post(&post).await.unwrap().state, PostState::Failed, "the post waits, it does not fail");
    let variant = w.store.variants(&post).await.unwrap().remove(0);
    assert!(variant.error.is_none());
    // Nothing runs while the account is paused; the job is deferred, not spent.
    assert_eq!(w.worker("w1", fast()).run_once().await.unwrap(), 0);
});

both_backends!(a_rate_limited_account_waits_the_time_the_network_asks, |store: Store| async move {
    let w = World::new(store).await;
    let a = w.account("banque", "tok").await;
    let first = w.scheduled("Premier", &[&a], -1).await;
    let second = w.scheduled("Second", &[&a], -1).await;
    let limited = SandboxConfig { rate_limit_per_minute: Some(1), ..fast() };
    let worker = Worker::new(w.store.clone(), "w1", WorkerConfig { batch: 1, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
        .register(Arc::new(Publisher {
            store: w.store.clone(),
            networks: Registry::default().with(Arc::new(Sandbox::new(w.store.clone(), limited))),
            secrets: w.secrets.clone(),
            media: None,
        }));
    worker.run_once().await.unwrap();
    worker.run_once().await.unwrap();
    let states = [w.store.post(&first).await.unwrap().state, w.store.post(&second).await.unwrap().state];
    assert!(states.contains(&PostState::Published), "{states:?}");
    assert_eq!(w.store.sandbox_post_count().await.unwrap(), 1);
    assert_eq!(worker.run_once().await.unwrap(), 0, "the second waits a minute");
});

both_backends!(a_rescheduled_post_ignores_its_old_job, |store: Store| async move {
    let w = World::new(store).await;
    let a = w.account("banque", "tok").await;
    let post = w.scheduled("Reprogrammé", &[&a], -1).await;
    let actor = Actor { id: None, label: "test".into() };
    w.store.move_post(&post, PostState::Scheduled, PostState::Approved, &actor, "unschedule", None).await.unwrap();
    w.store.schedule_post(&post, PostState::Approved, now_ms() + 3_600_000, "2026-11-23T11:00", "Europe/Paris", &actor).await.unwrap();
    assert_eq!(w.worker("w1", fast()).run_once().await.unwrap(), 1, "the old job ran");
    assert_eq!(w.store.sandbox_post_count().await.unwrap(), 0, "and did nothing");
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Scheduled);
});

both_backends!(concurrent_workers_publish_every_post_exactly_once, |store: Store| async move {
    let w = World::new(store).await;
    let accounts = [w.account("a1", "t").await, w.account("a2", "t").await, w.account("a3", "t").await];
    let mut posts = vec![];
    for i in 0..30 {
        posts.push(w.scheduled(&format!("Post {i}"), &[&accounts[i % 3]], -1).await);
    }
    let mut handles = vec![];
    for n in 0..4 {
        let worker = w.worker(&format!("w{n}"), fast());
        handles.push(tokio::spawn(async move { while worker.run_once().await.unwrap() > 0 {} }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(w.store.sandbox_post_count().await.unwrap(), 30);
    assert_eq!(w.store.sandbox_duplicate_keys().await.unwrap(), 0);
    for p in posts {
        assert_eq!(w.store.post(&p).await.unwrap().state, PostState::Published);
    }
});
