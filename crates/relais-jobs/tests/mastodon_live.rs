//! Relais's scheduler publishing to `mastodon-mock` (an imitation of Mastodon, not a real
//! instance, started by `.ci/run`): a variant's content warning and visibility, stored with the
//! post, reach every status of its unit, once.
//!
//! Skipped, loudly, without `RELAIS_TEST_MASTODON_URL`; failed when `RELAIS_TEST_REQUIRE_MASTODON=1`.

use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::workflow::PostState;
use relais_core::{Locale, Name, TimeZoneName, now_ms};
use relais_jobs::{Publisher, Worker, WorkerConfig};
use relais_networks::Registry;
use relais_networks::testing::{MockAccount, mastodon_mock, mastodon_mock_account, mastodon_mock_statuses};
use relais_store::{Actor, NewPost, NewVariant, SocialAccount, Store, both_backends};
use std::sync::Arc;
use std::time::Duration;

/// A workspace with the imitation's `brand` account connected (credentials sealed).
async fn workspace_with(store: &Store, brand: &MockAccount, name: &str) -> (relais_store::Workspace, SocialAccount, SecretBox) {
    let org = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
    let ws = store
        .create_workspace(&org.id, &Name::parse("n", name).unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
        .await
        .unwrap();
    let secrets = SecretBox::new(&SecretKey::generate());
    let (sealer, creds) = (secrets.clone(), brand.credentials.clone());
    let account = store
        .create_social_account(&ws.id, "mastodon", &brand.username, &brand.username, |id| {
            sealer.seal(&creds, &SocialAccount::credentials_context(id))
        })
        .await
        .unwrap();
    (ws, account, secrets)
}

/// A post with this one variant, approved and due now; its id.
async fn due(store: &Store, ws: &relais_store::Workspace, title: &str, variant: NewVariant) -> String {
    let new = NewPost { workspace_id: ws.id.clone(), title: title.into(), pillar: None, campaign: None, variants: vec![variant] };
    let actor = Actor { id: None, label: "test".into() };
    let post = store.create_post(&new, &actor).await.unwrap();
    store.move_post(&post.id, PostState::Draft, PostState::InReview, &actor, "submit", None).await.unwrap();
    store.move_post(&post.id, PostState::InReview, PostState::Approved, &actor, "approve", None).await.unwrap();
    store.schedule_post(&post.id, PostState::Approved, now_ms() - 1, "2026-11-23T10:00", "Europe/Paris", &actor).await.unwrap();
    post.id
}

both_backends!(a_scheduled_variants_content_warning_and_visibility_reach_mastodon, |store: Store| async move {
    let Some(base) = mastodon_mock().await else { return };
    let brand = mastodon_mock_account(&base).await;
    let (ws, account, secrets) = workspace_with(&store, &brand, "Cinéma").await;

    let variant = NewVariant {
        thread: vec!["Et la suite".into()],
        content_warning: Some("Divulgâchage".into()),
        visibility: Some("unlisted".into()),
        ..NewVariant::text(account.id.clone(), "Le film finit bien", None)
    };
    let post = due(&store, &ws, "Film", variant).await;

    let publisher = Publisher {
        store: store.clone(),
        networks: Registry::default().with(Arc::new(relais_networks::testing::mastodon())),
        secrets,
        media: None,
    };
    let worker = Worker::new(store.clone(), "w1", WorkerConfig { batch: 8, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
        .register(Arc::new(publisher));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(store.post(&post).await.unwrap().state, PostState::Published, "{:?}", store.variants(&post).await.unwrap());
    assert_eq!(worker.run_once().await.unwrap(), 0);

    let statuses = mastodon_mock_statuses(&base, &brand).await;
    assert_eq!(statuses.len(), 2, "the post and its thread part, once: {statuses:#?}");
    for status in &statuses {
        assert_eq!(
            (status["spoiler_text"].as_str(), status["visibility"].as_str()),
            (Some("Divulgâchage"), Some("unlisted")),
            "{status:#}"
        );
    }
    let variant = store.variants(&post).await.unwrap().remove(0);
    assert!(statuses.iter().any(|s| s["id"].as_str() == variant.remote_id.as_deref()), "the first status is recorded");
});

// The community loop through Relais's jobs on the imitation: a fan replies and favourites, the
// inbox sync brings the reply in (tied to the published post), a reply written in Relais lands
// under the fan's status once, and the metrics job counts the favourite.
both_backends!(the_community_answers_and_relais_replies_on_mastodon, |store: Store| async move {
    use relais_jobs::{ActivitySync, MetricsCollector, ReplySender, SyncSettings};
    use relais_networks::testing::{eventually, mastodon_mock_call};
    use relais_store::InboxFilter;
    use serde_json::json;
    let Some(base) = mastodon_mock().await else { return };
    let brand = mastodon_mock_account(&base).await;
    let fan = mastodon_mock_account(&base).await;
    let (ws, account, secrets) = workspace_with(&store, &brand, "Librairie").await;
    let post = due(&store, &ws, "Rentrée", NewVariant::text(account.id.clone(), "La rentrée littéraire est en rayon", None)).await;

    let registry = Registry::default().with(Arc::new(relais_networks::testing::mastodon()));
    let worker = Worker::new(store.clone(), "w1", WorkerConfig { batch: 8, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
        .register(Arc::new(Publisher { store: store.clone(), networks: registry.clone(), secrets: secrets.clone(), media: None }))
        .register(Arc::new(ActivitySync {
            store: store.clone(),
            networks: registry.clone(),
            secrets: secrets.clone(),
            settings: SyncSettings::default(),
        }))
        .register(Arc::new(ReplySender { store: store.clone(), networks: registry.clone(), secrets: secrets.clone() }))
        .register(Arc::new(MetricsCollector { store: store.clone(), networks: registry.clone(), secrets, lookback_days: 30 }));
    while worker.run_once().await.unwrap() > 0 {}
    let variant = store.variants(&post).await.unwrap().remove(0);
    let status_id = variant.remote_id.clone().expect("published");

    let question = mastodon_mock_call(
        &base,
        &fan,
        "/api/v1/statuses",
        Some(json!({"status": format!("@{} Vous avez le dernier prix Goncourt ?", brand.username), "in_reply_to_id": status_id})),
    )
    .await;
    mastodon_mock_call(&base, &fan, &format!("/api/v1/statuses/{status_id}/favourite"), Some(json!({}))).await;

    let message = eventually("the fan's question in the inbox", || async {
        ActivitySync::schedule(&store, &registry, 200).await.unwrap();
        while worker.run_once().await.unwrap() > 0 {}
        let page = store.inbox_page(&ws.id, &InboxFilter::default(), 50).await.unwrap();
        page.messages.into_iter().find(|m| m.kind == "reply")
    })
    .await;
    assert_eq!(message.remote_id, question["id"].as_str().unwrap());
    assert_eq!(message.variant_id.as_deref(), Some(variant.id.as_str()), "tied to the published post");
    assert!(message.text.contains("Goncourt"), "{}", message.text);
    let counts = store.activity_counts(std::slice::from_ref(&variant.id)).await.unwrap();
    assert!(counts.iter().any(|(_, kind, n)| kind == "like" && *n == 1), "{counts:?}");

    let answer = store.create_reply(&message.id, "Oui, en vitrine !", &Actor { id: None, label: "Lucas".into() }).await.unwrap();
    while worker.run_once().await.unwrap() > 0 {}
    let sent = store.inbox_reply(&answer.id).await.unwrap();
    assert_eq!(sent.state, "sent", "{sent:?}");
    let context = mastodon_mock_call(&base, &fan, &format!("/api/v1/statuses/{}/context", question["id"].as_str().unwrap()), None).await;
    let answers: Vec<&serde_json::Value> = context["descendants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["content"].as_str().is_some_and(|c| c.contains("en vitrine")))
        .collect();
    assert_eq!(answers.len(), 1, "one answer under the question: {context:#}");
    assert_eq!(sent.remote_id.as_deref(), answers[0]["id"].as_str());

    let sample = eventually("a metrics sample with the favourite", || async {
        MetricsCollector::schedule(&store, &registry, 200).await.unwrap();
        while worker.run_once().await.unwrap() > 0 {}
        store.latest_post_metrics(std::slice::from_ref(&variant.id)).await.unwrap().remove(&variant.id).filter(|s| s.likes == 1)
    })
    .await;
    assert!(sample.replies >= 1, "{sample:?}");
});
