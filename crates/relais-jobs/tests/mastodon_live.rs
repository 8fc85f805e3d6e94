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
use relais_networks::testing::{mastodon_mock, mastodon_mock_account, mastodon_mock_statuses};
use relais_store::{Actor, NewPost, NewVariant, SocialAccount, Store, both_backends};
use std::sync::Arc;
use std::time::Duration;

both_backends!(a_scheduled_variants_content_warning_and_visibility_reach_mastodon, |store: Store| async move {
    let Some(base) = mastodon_mock().await else { return };
    let brand = mastodon_mock_account(&base).await;
    let org = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
    let ws = store
        .create_workspace(&org.id, &Name::parse("n", "Cinéma").unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
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

    let variant = NewVariant {
        thread: vec!["Et la suite".into()],
        content_warning: Some("Divulgâchage".into()),
        visibility: Some("unlisted".into()),
        ..NewVariant::text(account.id.clone(), "Le film finit bien", None)
    };
    let new = NewPost { workspace_id: ws.id.clone(), title: "Film".into(), pillar: None, campaign: None, variants: vec![variant] };
    let actor = Actor { id: None, label: "test".into() };
    let post = store.create_post(&new, &actor).await.unwrap();
    store.move_post(&post.id, PostState::Draft, PostState::InReview, &actor, "submit", None).await.unwrap();
    store.move_post(&post.id, PostState::InReview, PostState::Approved, &actor, "approve", None).await.unwrap();
    store.schedule_post(&post.id, PostState::Approved, now_ms() - 1, "2026-11-23T10:00", "Europe/Paris", &actor).await.unwrap();

    let publisher = Publisher {
        store: store.clone(),
        networks: Registry::default().with(Arc::new(relais_networks::testing::mastodon())),
        secrets,
        media: None,
    };
    let worker = Worker::new(store.clone(), "w1", WorkerConfig { batch: 8, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
        .register(Arc::new(publisher));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(store.post(&post.id).await.unwrap().state, PostState::Published, "{:?}", store.variants(&post.id).await.unwrap());
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
    let variant = store.variants(&post.id).await.unwrap().remove(0);
    assert!(statuses.iter().any(|s| s["id"].as_str() == variant.remote_id.as_deref()), "the first status is recorded");
});
