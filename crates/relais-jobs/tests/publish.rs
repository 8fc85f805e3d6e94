//! The publishing engine against the sandbox network, on SQLite and PostgreSQL: every variant
//! published once, retries, refusals, paused accounts, rate limits, reschedules, lost workers.

use relais_core::media::{MediaKind, sha256_hex};
use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::workflow::PostState;
use relais_core::{Locale, Name, TimeZoneName, now_ms};
use relais_jobs::{Publisher, Worker, WorkerConfig};
use relais_networks::sandbox::{CAPABILITIES, EXPIRED_CREDENTIALS, Sandbox, SandboxConfig};
use relais_networks::{AccountRef, Capabilities, NetFuture, Network, PublishRequest, Published, Registry};
use relais_store::{Actor, Media, MediaFiles, NewMedia, NewPost, NewVariant, SandboxMedia, SocialAccount, Store, both_backends};
use std::sync::{Arc, Mutex};
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
        self.scheduled_variants(text, variants, delay_ms).await
    }

    /// A post with the given variants, approved and scheduled `delay_ms` from now.
    async fn scheduled_variants(&self, title: &str, variants: Vec<NewVariant>, delay_ms: i64) -> String {
        let new = NewPost {
            workspace_id: self.workspace.clone(),
            title: title.chars().take(20).collect(),
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
        self.worker_with(name, Arc::new(Sandbox::new(self.store.clone(), sandbox)), None)
    }

    fn worker_with(&self, name: &str, network: Arc<dyn Network>, media: Option<MediaFiles>) -> Worker {
        let registry = Registry::default().with(network);
        let publisher = Publisher { store: self.store.clone(), networks: registry, secrets: self.secrets.clone(), media };
        Worker::new(self.store.clone(), name, WorkerConfig { batch: 16, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
            .register(Arc::new(publisher))
    }
}

/// The sandbox, remembering every request it was handed.
struct Recording {
    sandbox: Sandbox,
    requests: Mutex<Vec<PublishRequest>>,
}

impl Network for Recording {
    fn capabilities(&self) -> &Capabilities {
        self.sandbox.capabilities()
    }

    fn publish<'a>(&'a self, account: &'a AccountRef, request: &'a PublishRequest) -> NetFuture<'a, Published> {
        self.requests.lock().unwrap().push(request.clone());
        self.sandbox.publish(account, request)
    }

    fn find_published<'a>(&'a self, account: &'a AccountRef, idempotency_key: &'a str) -> NetFuture<'a, Option<Published>> {
        self.sandbox.find_published(account, idempotency_key)
    }

    fn check<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, relais_networks::AccountCheck> {
        self.sandbox.check(account)
    }
}

/// A media library in a temporary directory.
struct Library {
    _dir: tempfile::TempDir,
    files: MediaFiles,
}

impl Library {
    fn new() -> Library {
        let dir = tempfile::tempdir().unwrap();
        let files = MediaFiles::new(dir.path().join("media"));
        Library { _dir: dir, files }
    }

    /// A small image of the workspace's library, its file on disk.
    async fn image(&self, w: &World, name: &str, alt_text: &str) -> Media {
        let bytes = format!("not really a PNG: {name}").into_bytes();
        let sha256 = sha256_hex(&bytes);
        self.files.put(&sha256, &bytes, None).await.unwrap();
        let new = NewMedia {
            workspace_id: w.workspace.clone(),
            sha256,
            kind: MediaKind::Image,
            mime: "image/png".into(),
            filename: format!("{name}.png"),
            bytes: bytes.len() as u64,
            width: 2,
            height: 1,
            duration_ms: None,
            alt_text: alt_text.into(),
            created_by: None,
        };
        w.store.insert_media(&new).await.unwrap().0
    }
}

fn whole(account: &SocialAccount, text: &str, media: &[&Media]) -> NewVariant {
    NewVariant {
        account_id: account.id.clone(),
        text: text.into(),
        link: Some("https://exemple.fr/pret".into()),
        first_comment: Some("Conditions en commentaire".into()),
        thread: vec!["Partie 2".into(), "Partie 3".into()],
        media_ids: media.iter().map(|m| m.id.clone()).collect(),
        content_warning: None,
        visibility: None,
    }
}

fn strs(unit: &[(String, String)]) -> Vec<(&str, &str)> {
    unit.iter().map(|(k, t)| (k.as_str(), t.as_str())).collect()
}

const WHOLE_UNIT: [(&str, &str); 4] =
    [("post", "Partie 1"), ("thread", "Partie 2"), ("thread", "Partie 3"), ("first_comment", "Conditions en commentaire")];

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
    let health = relais_core::account_health::Health::of(&w.store.social_account(&a.id).await.unwrap().health_facts(), now_ms());
    assert!(matches!(health, relais_core::account_health::Health::RateLimited { until } if until > now_ms() + 50_000), "{health:?}");
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

both_backends!(a_thread_with_a_first_comment_and_an_image_is_published_whole_and_once, |store: Store| async move {
    let w = World::new(store).await;
    let lib = Library::new();
    let a = w.account("banque", "tok").await;
    let image = lib.image(&w, "carte", "Carte des agences de Bourgogne").await;
    let post = w.scheduled_variants("Fil", vec![whole(&a, "Partie 1", &[&image])], -1).await;
    let network = Arc::new(Recording { sandbox: Sandbox::new(w.store.clone(), fast()), requests: Mutex::new(vec![]) });
    let worker = w.worker_with("w1", network.clone(), Some(lib.files.clone()));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Published);

    // The network was handed the whole unit, the image as a file with its alt text.
    let requests = network.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 1);
    let r = &requests[0];
    assert_eq!((r.text.as_str(), r.link.as_deref()), ("Partie 1", Some("https://exemple.fr/pret")));
    assert_eq!(r.thread, ["Partie 2", "Partie 3"]);
    assert_eq!(r.first_comment.as_deref(), Some("Conditions en commentaire"));
    assert_eq!(r.media.len(), 1);
    assert_eq!(r.media[0].path, lib.files.original_path(&image.sha256).unwrap());
    assert!(r.media[0].path.is_file());
    assert_eq!(r.media[0].alt_text, "Carte des agences de Bourgogne");
    assert_eq!((r.media[0].kind, r.media[0].mime.as_str(), r.media[0].bytes), (MediaKind::Image, "image/png", image.bytes as u64));

    // The sandbox holds the first post, the thread in order and the first comment after it.
    let variant = w.store.variants(&post).await.unwrap().remove(0);
    let remote_id = variant.remote_id.unwrap();
    assert_eq!(strs(&w.store.sandbox_thread(&remote_id).await.unwrap()), WHOLE_UNIT);
    let first = w.store.sandbox_unit(&remote_id).await.unwrap().remove(0);
    assert_eq!(first.link.as_deref(), Some("https://exemple.fr/pret"));
    assert_eq!(
        first.media(),
        [SandboxMedia {
            sha256: image.sha256.clone(),
            mime: "image/png".into(),
            bytes: image.bytes as u64,
            alt_text: "Carte des agences de Bourgogne".into()
        }]
    );
    assert_eq!((w.store.sandbox_post_count().await.unwrap(), w.store.sandbox_part_count().await.unwrap()), (1, 4));
    assert_eq!(worker.run_once().await.unwrap(), 0);
    assert_eq!(w.store.sandbox_part_count().await.unwrap(), 4);
});

both_backends!(a_retry_after_a_lost_worker_duplicates_no_part_of_a_thread, |store: Store| async move {
    let w = World::new(store).await;
    let lib = Library::new();
    let a = w.account("banque", "tok").await;
    let image = lib.image(&w, "carte", "Carte").await;
    let post = w.scheduled_variants("Fil", vec![whole(&a, "Partie 1", &[&image])], -1).await;
    // A first worker claims the job, records its attempt, the network stores the whole unit...
    // and the worker dies before recording the outcome.
    assert_eq!(w.store.claim_jobs("dead-worker", 1, 1).await.unwrap().len(), 1);
    let variant = w.store.variants(&post).await.unwrap().remove(0);
    assert_eq!(w.store.begin_publish_attempt(&variant.id).await.unwrap(), Some(1));
    let dead = Sandbox::new(w.store.clone(), fast());
    let account = AccountRef { id: a.id.clone(), handle: a.handle.clone(), credentials: "tok".into() };
    let request = PublishRequest {
        text: variant.text.clone(),
        link: variant.link.clone(),
        media: vec![],
        thread: variant.thread_parts(),
        first_comment: variant.first_comment.clone(),
        content_warning: None,
        visibility: None,
        idempotency_key: variant.idempotency_key.clone(),
    };
    let first = dead.publish(&account, &request).await.unwrap();
    assert_eq!(w.store.sandbox_part_count().await.unwrap(), 4);
    tokio::time::sleep(Duration::from_millis(20)).await;

    assert_eq!(w.worker_with("w2", Arc::new(Sandbox::new(w.store.clone(), fast())), Some(lib.files.clone())).run_once().await.unwrap(), 1);
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Published);
    let variant = w.store.variants(&post).await.unwrap().remove(0);
    assert_eq!(variant.remote_id.as_deref(), Some(first.remote_id.as_str()), "found, not posted again");
    assert_eq!(variant.attempts, 2);
    assert_eq!((w.store.sandbox_post_count().await.unwrap(), w.store.sandbox_part_count().await.unwrap()), (1, 4));
    assert_eq!(w.store.sandbox_duplicate_keys().await.unwrap(), 0);
    assert_eq!(strs(&w.store.sandbox_thread(&first.remote_id).await.unwrap()), WHOLE_UNIT);
});

both_backends!(a_worker_lost_before_the_network_call_publishes_the_whole_unit_once_on_retry, |store: Store| async move {
    let w = World::new(store).await;
    let lib = Library::new();
    let a = w.account("banque", "tok").await;
    let image = lib.image(&w, "carte", "Carte").await;
    let post = w.scheduled_variants("Fil", vec![whole(&a, "Partie 1", &[&image])], -1).await;
    // The attempt is recorded but the worker dies before the network stores anything.
    assert_eq!(w.store.claim_jobs("dead-worker", 1, 1).await.unwrap().len(), 1);
    let variant = w.store.variants(&post).await.unwrap().remove(0);
    assert_eq!(w.store.begin_publish_attempt(&variant.id).await.unwrap(), Some(1));
    tokio::time::sleep(Duration::from_millis(20)).await;

    assert_eq!(w.worker_with("w2", Arc::new(Sandbox::new(w.store.clone(), fast())), Some(lib.files.clone())).run_once().await.unwrap(), 1);
    let variant = w.store.variants(&post).await.unwrap().remove(0);
    assert_eq!(variant.state, "published");
    assert_eq!(strs(&w.store.sandbox_thread(variant.remote_id.as_deref().unwrap()).await.unwrap()), WHOLE_UNIT);
    assert_eq!(w.store.sandbox_duplicate_keys().await.unwrap(), 0);
});

both_backends!(a_post_with_only_media_is_published, |store: Store| async move {
    let w = World::new(store).await;
    let lib = Library::new();
    let a = w.account("banque", "tok").await;
    let image = lib.image(&w, "affiche", "Affiche du salon").await;
    let variant = NewVariant { media_ids: vec![image.id.clone()], ..NewVariant::text(a.id.clone(), "", None) };
    let post = w.scheduled_variants("Image seule", vec![variant], -1).await;
    w.worker_with("w1", Arc::new(Sandbox::new(w.store.clone(), fast())), Some(lib.files.clone())).run_once().await.unwrap();
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Published);
    let v = w.store.variants(&post).await.unwrap().remove(0);
    let unit = w.store.sandbox_unit(v.remote_id.as_deref().unwrap()).await.unwrap();
    assert_eq!(unit.len(), 1);
    assert_eq!(unit[0].media()[0].alt_text, "Affiche du salon");
});

/// Publishes a post and returns the variant's error once it failed.
async fn failure(w: &World, variant: NewVariant, network: Arc<dyn Network>, media: Option<MediaFiles>) -> String {
    let post = w.scheduled_variants("Refusé", vec![variant], -1).await;
    w.worker_with("w1", network, media).run_once().await.unwrap();
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Failed);
    let v = w.store.variants(&post).await.unwrap().remove(0);
    assert_eq!(v.state, "failed");
    v.error.unwrap()
}

both_backends!(the_sandbox_refuses_what_its_capabilities_refuse_in_its_own_words, |store: Store| async move {
    let w = World::new(store).await;
    let lib = Library::new();
    let a = w.account("banque", "tok").await;
    let mut images = vec![];
    for i in 0..5 {
        images.push(lib.image(&w, &format!("photo-{i}"), "Une photo").await);
    }
    let sandbox = || Arc::new(Sandbox::new(w.store.clone(), fast()));
    let five = NewVariant { media_ids: images.iter().map(|m| m.id.clone()).collect(), ..NewVariant::text(a.id.clone(), "Cinq", None) };
    let error = failure(&w, five, sandbox(), Some(lib.files.clone())).await;
    assert!(error.contains("sandbox: 5 images; this network takes at most 4 per post"), "{error}");

    let no_threads = Arc::new(Sandbox::new(w.store.clone(), fast()).with_capabilities(Capabilities { threads: false, ..CAPABILITIES }));
    let error = failure(&w, whole(&a, "Partie 1", &[]), no_threads, None).await;
    assert!(error.contains("sandbox: this network does not take threads (the post has 2 more parts)"), "{error}");

    let strict = Capabilities { alt_text: relais_networks::AltText::Required, ..CAPABILITIES };
    let unlabelled = lib.image(&w, "sans-alt", "").await;
    let variant = NewVariant { media_ids: vec![unlabelled.id.clone()], ..NewVariant::text(a.id.clone(), "Sans texte alternatif", None) };
    let error =
        failure(&w, variant, Arc::new(Sandbox::new(w.store.clone(), fast()).with_capabilities(strict)), Some(lib.files.clone())).await;
    assert!(error.contains("sandbox: item 1: this network requires alt text on images"), "{error}");

    // A post with media where this process has no media directory fails, saying why.
    let variant = NewVariant { media_ids: vec![images[0].id.clone()], ..NewVariant::text(a.id.clone(), "Sans dossier", None) };
    let error = failure(&w, variant, sandbox(), None).await;
    assert!(error.contains("no media directory"), "{error}");

    // A file missing from the media directory cannot be uploaded.
    lib.files.remove(&images[1].sha256).await.unwrap();
    let variant = NewVariant { media_ids: vec![images[1].id.clone()], ..NewVariant::text(a.id.clone(), "Fichier perdu", None) };
    let error = failure(&w, variant, sandbox(), Some(lib.files.clone())).await;
    assert!(error.contains("sandbox: cannot upload item 1"), "{error}");
    assert_eq!(w.store.sandbox_part_count().await.unwrap(), 0, "nothing of a refused post is stored");
});

both_backends!(
    a_content_warning_and_a_visibility_go_to_the_network_that_offers_them_and_are_refused_elsewhere,
    |store: Store| async move {
        let w = World::new(store).await;
        let a = w.account("banque", "tok").await;
        let warned = || NewVariant {
            content_warning: Some("Divulgâchage".into()),
            visibility: Some("followers".into()),
            ..NewVariant::text(a.id.clone(), "La fin du film", None)
        };
        // A network that offers both is handed both.
        let offers = Capabilities { content_warning: true, visibilities: &relais_networks::Visibility::ALL, ..CAPABILITIES };
        let network =
            Arc::new(Recording { sandbox: Sandbox::new(w.store.clone(), fast()).with_capabilities(offers), requests: Mutex::new(vec![]) });
        let post = w.scheduled_variants("Film", vec![warned()], -1).await;
        assert_eq!(w.worker_with("w1", network.clone(), None).run_once().await.unwrap(), 1);
        assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Published);
        let requests = network.requests.lock().unwrap().clone();
        assert_eq!(requests[0].content_warning.as_deref(), Some("Divulgâchage"));
        assert_eq!(requests[0].visibility, Some(relais_networks::Visibility::Followers));

        // The sandbox as it is offers neither: the post fails with words that name the field.
        let error = failure(&w, warned(), Arc::new(Sandbox::new(w.store.clone(), fast())), None).await;
        assert!(error.contains("content_warning is not offered"), "{error}");
        let followers = NewVariant { visibility: Some("followers".into()), ..NewVariant::text(a.id.clone(), "Entre nous", None) };
        let error = failure(&w, followers, Arc::new(Sandbox::new(w.store.clone(), fast())), None).await;
        assert!(error.contains("visibility “followers” is not offered"), "{error}");
    }
);

/// Every run of the job died with its worker (the lease ran out each time).
async fn exhaust(store: &Store) {
    for _ in 0..8 {
        assert_eq!(store.claim_jobs("dying", 10, 1).await.unwrap().len(), 1);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

both_backends!(a_post_whose_workers_all_died_is_failed_with_advice_when_the_network_lacks_it, |store: Store| async move {
    let w = World::new(store).await;
    let a = w.account("banque", "tok").await;
    let post = w.scheduled("Jamais parti", &[&a], -1).await;
    exhaust(&w.store).await;
    w.worker("w1", fast()).run_once().await.unwrap();
    let variant = w.store.variants(&post).await.unwrap().remove(0);
    assert_eq!(variant.state, "failed");
    assert!(
        variant.error.as_deref().is_some_and(|e| e.contains("gave up after 8 attempts") && e.contains("publish it again")),
        "{variant:?}"
    );
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Failed);
    assert_eq!(w.store.sandbox_post_count().await.unwrap(), 0);
});

both_backends!(a_post_whose_workers_all_died_after_the_network_took_it_is_published, |store: Store| async move {
    let w = World::new(store).await;
    let a = w.account("banque", "tok").await;
    let post = w.scheduled("Parti quand même", &[&a], -1).await;
    let key = w.store.variants(&post).await.unwrap().remove(0).idempotency_key;
    // The network stored the post; every worker died before recording it.
    let remote = w.store.sandbox_create_post(&a.id, &key, "Parti quand même").await.unwrap();
    exhaust(&w.store).await;
    w.worker("w1", fast()).run_once().await.unwrap();
    let variant = w.store.variants(&post).await.unwrap().remove(0);
    assert_eq!((variant.state.as_str(), variant.remote_id.as_deref()), ("published", Some(remote.as_str())));
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Published);
    assert_eq!(w.store.sandbox_post_count().await.unwrap(), 1, "nothing posted twice");
});

both_backends!(a_withdrawal_whose_workers_all_died_shows_failed_and_can_be_asked_again, |store: Store| async move {
    let w = World::new(store).await;
    let a = w.account("banque", "tok").await;
    let post = w.scheduled("À retirer", &[&a], -1).await;
    w.worker("w1", fast()).run_once().await.unwrap();
    assert_eq!(w.store.post(&post).await.unwrap().state, PostState::Published);
    let actor = Actor { id: None, label: "Sophie".into() };
    assert_eq!(w.store.request_withdrawal(&post, None, &actor).await.unwrap().len(), 1);
    exhaust(&w.store).await;
    let withdrawer = relais_jobs::Withdrawer {
        store: w.store.clone(),
        networks: Registry::default().with(Arc::new(Sandbox::new(w.store.clone(), fast()))),
        secrets: w.secrets.clone(),
    };
    let worker = Worker::new(w.store.clone(), "w2", WorkerConfig { batch: 8, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
        .register(Arc::new(withdrawer));
    worker.run_once().await.unwrap();
    let failed = w.store.withdrawals(&post).await.unwrap().remove(0);
    assert_eq!(failed.state, "failed");
    assert!(failed.error.unwrap().contains("gave up after 8 attempts"));
    // Asked again, it goes through: the sandbox no longer has the post.
    assert_eq!(w.store.request_withdrawal(&post, None, &actor).await.unwrap().len(), 1);
    worker.run_once().await.unwrap();
    assert_eq!(w.store.withdrawals(&post).await.unwrap().remove(0).state, "done");
    assert_eq!(w.store.sandbox_post_count().await.unwrap(), 0);
});
