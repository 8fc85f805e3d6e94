//! Relais's scheduler publishing to a real local AT Protocol network (`tools/atproto-net/`,
//! started by `.ci/run`): a scheduled post goes out once, and a worker that died between the
//! network's answer and its record is taken over without a second post.
//!
//! Skipped, loudly, without `RELAIS_TEST_ATPROTO_PDS`; failed when `RELAIS_TEST_REQUIRE_ATPROTO=1`.

use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::workflow::PostState;
use relais_core::{Locale, Name, TimeZoneName, now_ms};
use relais_jobs::{Publisher, Withdrawer, Worker, WorkerConfig};
use relais_networks::testing::{local_pds, pds_account, pds_posts};
use relais_networks::{AccountRef, Network, PublishRequest, Registry};
use relais_store::{Actor, NewPost, NewVariant, SocialAccount, Store, both_backends};
use std::sync::Arc;
use std::time::Duration;

/// The texts of the account's posts on the PDS, sorted.
async fn texts_on_pds(pds: &str, did: &str) -> Vec<String> {
    let mut texts: Vec<String> = pds_posts(pds, did).await.iter().map(|r| r["value"]["text"].as_str().unwrap_or("").to_string()).collect();
    texts.sort();
    texts
}

struct Brand {
    store: Store,
    secrets: SecretBox,
    workspace: String,
    account: SocialAccount,
    credentials: String,
}

impl Brand {
    async fn new(store: Store, handle: &str, credentials: String) -> Brand {
        let org = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
        let ws = store
            .create_workspace(&org.id, &Name::parse("n", "Banque").unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
            .await
            .unwrap();
        let secrets = SecretBox::new(&SecretKey::generate());
        let sealer = secrets.clone();
        let creds = credentials.clone();
        let account = store
            .create_social_account(&ws.id, "bluesky", handle, handle, |id| sealer.seal(&creds, &SocialAccount::credentials_context(id)))
            .await
            .unwrap();
        Brand { store, secrets, workspace: ws.id, account, credentials }
    }

    /// A post with a thread of two, approved and due now.
    async fn due(&self, text: &str) -> String {
        let variant = NewVariant { thread: vec![format!("{text} (suite)")], ..NewVariant::text(self.account.id.clone(), text, None) };
        let new =
            NewPost { workspace_id: self.workspace.clone(), title: text.into(), pillar: None, campaign: None, variants: vec![variant] };
        let actor = Actor { id: None, label: "test".into() };
        let post = self.store.create_post(&new, &actor).await.unwrap();
        self.store.move_post(&post.id, PostState::Draft, PostState::InReview, &actor, "submit", None).await.unwrap();
        self.store.move_post(&post.id, PostState::InReview, PostState::Approved, &actor, "approve", None).await.unwrap();
        self.store.schedule_post(&post.id, PostState::Approved, now_ms() - 1, "2026-11-23T10:00", "Europe/Paris", &actor).await.unwrap();
        post.id
    }

    fn worker(&self, name: &str) -> Worker {
        let publisher = Publisher {
            store: self.store.clone(),
            networks: Registry::default().with(Arc::new(relais_networks::testing::bluesky())),
            secrets: self.secrets.clone(),
            media: None,
        };
        let withdrawer = Withdrawer {
            store: self.store.clone(),
            networks: Registry::default().with(Arc::new(relais_networks::testing::bluesky())),
            secrets: self.secrets.clone(),
        };
        Worker::new(self.store.clone(), name, WorkerConfig { batch: 8, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
            .register(Arc::new(publisher))
            .register(Arc::new(withdrawer))
    }
}

both_backends!(a_scheduled_post_reaches_bluesky_once_even_after_a_lost_worker, |store: Store| async move {
    let Some(pds) = local_pds().await else { return };
    let account = pds_account(&pds, "marque").await;
    let did = account.did.clone();
    let brand = Brand::new(store, &account.handle, account.credentials).await;

    // Through the scheduler: the post and its thread part appear on the PDS, once.
    let first = brand.due("Le prêt Artisan arrive #PrêtArtisan").await;
    assert_eq!(brand.worker("w1").run_once().await.unwrap(), 1);
    let post = brand.store.post(&first).await.unwrap();
    assert_eq!(post.state, PostState::Published, "{:?}", brand.store.variants(&first).await.unwrap());
    assert_eq!(texts_on_pds(&pds, &did).await, ["Le prêt Artisan arrive #PrêtArtisan", "Le prêt Artisan arrive #PrêtArtisan (suite)"]);

    // A worker records its attempt, the network creates the post, and the worker dies before
    // recording the outcome. The next worker finds the post instead of creating a second one.
    let second = brand.due("Témoignage de la boulangerie Morel").await;
    assert_eq!(brand.store.claim_jobs("dead-worker", 1, 1).await.unwrap().len(), 1);
    let variant = brand.store.variants(&second).await.unwrap().remove(0);
    assert_eq!(brand.store.begin_publish_attempt(&variant.id).await.unwrap(), Some(1));
    let account = AccountRef { id: brand.account.id.clone(), handle: brand.account.handle.clone(), credentials: brand.credentials.clone() };
    let request = PublishRequest {
        text: variant.text.clone(),
        link: None,
        media: vec![],
        thread: variant.thread_parts(),
        first_comment: None,
        content_warning: None,
        visibility: None,
        idempotency_key: variant.idempotency_key.clone(),
    };
    let created = relais_networks::testing::bluesky().publish(&account, &request).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;

    assert_eq!(brand.worker("w2").run_once().await.unwrap(), 1);
    let variant = brand.store.variants(&second).await.unwrap().remove(0);
    assert_eq!((variant.state.as_str(), variant.attempts), ("published", 2));
    assert_eq!(variant.remote_id.as_deref(), Some(created.remote_id.as_str()), "found, not posted again");
    assert_eq!(texts_on_pds(&pds, &did).await.len(), 4, "two posts of two parts each, nothing twice");
});

both_backends!(a_published_post_is_withdrawn_from_bluesky_thread_and_all, |store: Store| async move {
    let Some(pds) = local_pds().await else { return };
    let account = pds_account(&pds, "retrait").await;
    let did = account.did.clone();
    let brand = Brand::new(store, &account.handle, account.credentials).await;
    let post = brand.due("À retirer").await;
    let worker = brand.worker("w1");
    while worker.run_once().await.unwrap() > 0 {}
    assert_eq!(texts_on_pds(&pds, &did).await.len(), 2, "the post and its thread part are on the PDS");

    let actor = Actor { id: None, label: "Sophie".into() };
    let queued = brand.store.request_withdrawal(&post, None, &actor).await.unwrap();
    assert_eq!(queued.len(), 1);
    assert!(brand.store.request_withdrawal(&post, None, &actor).await.unwrap().is_empty(), "asking twice queues nothing more");
    let pending = brand.store.withdrawals(&post).await.unwrap();
    assert_eq!((pending[0].state.as_str(), pending[0].requested_by.as_deref()), ("pending", Some("Sophie")));

    while worker.run_once().await.unwrap() > 0 {}
    assert!(texts_on_pds(&pds, &did).await.is_empty(), "the whole unit is gone from the PDS");
    let done = brand.store.withdrawals(&post).await.unwrap();
    assert_eq!(done[0].state, "done");
    assert!(done[0].removed_at.is_some() && done[0].error.is_none());
    assert_eq!(brand.store.post(&post).await.unwrap().state, PostState::Published, "the post keeps its history");
    let events = brand.store.post_events(&post).await.unwrap();
    assert!(events.iter().any(|e| e.action == "withdraw" && e.actor_label == "Sophie"), "{events:?}");
});

// The whole community loop through Relais's jobs: the scheduler publishes, another account
// replies, mentions and likes, the inbox sync brings them in (idempotently), a reply written in
// Relais appears under the fan's reply on the network, and the metrics job counts the like.
both_backends!(the_community_answers_and_relais_replies_through_its_jobs, |store: Store| async move {
    use relais_jobs::{ActivitySync, MetricsCollector, ReplySender, SyncSettings};
    use relais_networks::testing::{Person, eventually};
    use relais_store::InboxFilter;
    use serde_json::json;
    let Some(pds) = local_pds().await else { return };
    let account = pds_account(&pds, "commu").await;
    let brand = Brand::new(store, &account.handle, account.credentials).await;
    let registry = Registry::default().with(Arc::new(relais_networks::testing::bluesky()));
    let worker = brand
        .worker("w1")
        .register(Arc::new(ActivitySync {
            store: brand.store.clone(),
            networks: registry.clone(),
            secrets: brand.secrets.clone(),
            settings: SyncSettings::default(),
        }))
        .register(Arc::new(ReplySender { store: brand.store.clone(), networks: registry.clone(), secrets: brand.secrets.clone() }))
        .register(Arc::new(MetricsCollector {
            store: brand.store.clone(),
            networks: registry.clone(),
            secrets: brand.secrets.clone(),
            lookback_days: 30,
        }));

    let post = brand.due("Nos nouveaux horaires d'ouverture").await;
    while worker.run_once().await.unwrap() > 0 {}
    let variant = brand.store.variants(&post).await.unwrap().remove(0);
    let uri = variant.remote_id.clone().expect("published");
    let root = relais_networks::testing::record_ref(&pds, &uri).await;

    let fan = Person::new(&pds, "client").await;
    fan.sees(&root).await;
    let question = fan.reply(&root, &root, "Vous ouvrez aussi le dimanche ?").await;
    fan.write("app.bsky.feed.like", json!({"subject": root})).await;
    let mention_text = format!("Merci @{} pour l'info", account.handle);
    let start = "Merci ".len();
    fan.write(
        "app.bsky.feed.post",
        json!({"text": mention_text, "facets": [{"index": {"byteStart": start, "byteEnd": start + 1 + account.handle.len()},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": account.did}]}]}),
    )
    .await;

    // The inbox sync runs as jobs until the AppView has indexed everything.
    let workspace = brand.workspace.clone();
    let messages = eventually("the reply and the mention in Relais's inbox", || async {
        ActivitySync::schedule(&brand.store, &registry, 200).await.unwrap();
        while worker.run_once().await.unwrap() > 0 {}
        let page = brand.store.inbox_page(&workspace, &InboxFilter::default(), 50).await.unwrap();
        let kinds: Vec<&str> = page.messages.iter().map(|m| m.kind.as_str()).collect();
        (kinds.contains(&"reply") && kinds.contains(&"mention")).then_some(page.messages)
    })
    .await;
    let reply = messages.iter().find(|m| m.kind == "reply").unwrap();
    assert_eq!((reply.text.as_str(), reply.author_handle.as_str()), ("Vous ouvrez aussi le dimanche ?", fan.handle.as_str()));
    assert_eq!(reply.variant_id.as_deref(), Some(variant.id.as_str()), "the reply is tied to the published post");
    assert_eq!(reply.remote_id, question["uri"].as_str().unwrap());
    let likes = eventually("the like counted", || async {
        ActivitySync::schedule(&brand.store, &registry, 200).await.unwrap();
        while worker.run_once().await.unwrap() > 0 {}
        let counts = brand.store.activity_counts(std::slice::from_ref(&variant.id)).await.unwrap();
        counts.into_iter().find(|(_, kind, n)| kind == "like" && *n > 0)
    })
    .await;
    assert_eq!(likes.2, 1);
    // Syncing again stores nothing twice.
    ActivitySync::schedule(&brand.store, &registry, 200).await.unwrap();
    while worker.run_once().await.unwrap() > 0 {}
    assert_eq!(brand.store.inbox_page(&workspace, &InboxFilter::default(), 50).await.unwrap().messages.len(), messages.len());

    // A CM answers in Relais; the reply job posts it under the fan's question, once.
    let actor = Actor { id: None, label: "Lucas".into() };
    let answer = brand.store.create_reply(&reply.id, "Oui, de 9 h à 13 h !", &actor).await.unwrap();
    while worker.run_once().await.unwrap() > 0 {}
    let sent = brand.store.inbox_reply(&answer.id).await.unwrap();
    assert_eq!(sent.state, "sent", "{sent:?}");
    let on_pds: Vec<serde_json::Value> =
        pds_posts(&pds, &account.did).await.into_iter().filter(|r| r["value"]["text"] == "Oui, de 9 h à 13 h !").collect();
    assert_eq!(on_pds.len(), 1, "one reply on the network");
    assert_eq!(on_pds[0]["value"]["reply"]["parent"]["uri"], question["uri"]);
    assert_eq!(on_pds[0]["value"]["reply"]["root"]["uri"], root["uri"]);
    assert_eq!(sent.remote_id.as_deref(), on_pds[0]["uri"].as_str());
    assert!(brand.store.inbox_message(&reply.id).await.unwrap().first_response_at.is_some(), "the first response is timed");

    // The metrics job samples the post: the like is there.
    let sample = eventually("a metrics sample with the like", || async {
        MetricsCollector::schedule(&brand.store, &registry, 200).await.unwrap();
        while worker.run_once().await.unwrap() > 0 {}
        let latest = brand.store.latest_post_metrics(std::slice::from_ref(&variant.id)).await.unwrap();
        latest.get(&variant.id).filter(|s| s.likes == 1 && s.replies >= 1).cloned()
    })
    .await;
    assert_eq!(sample.likes, 1);
});
