//! Listening against a real local AT Protocol network (`tools/atproto-net/`, started by
//! `.ci/run`): the search job finds a brand mention once however often it runs, and the firehose
//! listener stores a post matching a query written after it started, and nothing else.
//!
//! Skipped, loudly, without `RELAIS_TEST_ATPROTO_PDS`; failed when `RELAIS_TEST_REQUIRE_ATPROTO=1`.

use relais_core::listening_query::ListeningQuery;
use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::{Locale, Name, TimeZoneName};
use relais_jobs::{FirehoseListener, ListenSearch, Worker, WorkerConfig};
use relais_networks::testing::{PdsAccount, local_pds, pds_account};
use relais_networks::{AccountRef, Network, PublishRequest, Registry};
use relais_store::{ListeningQueryRecord, SocialAccount, Store, both_backends};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

struct Desk {
    store: Store,
    secrets: SecretBox,
    workspace: String,
    user: String,
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
        Desk { store, secrets: SecretBox::new(&SecretKey::generate()), workspace: ws.id, user: user.id }
    }

    async fn connect(&self, account: &PdsAccount) {
        let sealer = self.secrets.clone();
        self.store
            .create_social_account(&self.workspace, "bluesky", &account.handle, &account.handle, |id| {
                sealer.seal(&account.credentials, &SocialAccount::credentials_context(id))
            })
            .await
            .unwrap();
    }

    async fn query(&self, name: &str, text: &str) -> ListeningQueryRecord {
        let q = ListeningQuery::parse(text).unwrap();
        self.store.create_listening_query(&self.workspace, &Name::parse("name", name).unwrap(), &q, &self.user).await.unwrap()
    }

    fn worker(&self) -> Worker {
        let search = ListenSearch {
            store: self.store.clone(),
            networks: Registry::default().with(Arc::new(relais_networks::testing::bluesky())),
            secrets: self.secrets.clone(),
            pages: 2,
        };
        Worker::new(self.store.clone(), "listen", WorkerConfig { batch: 8, lease_ms: 60_000, idle_poll: Duration::from_millis(10) })
            .register(Arc::new(search))
    }

    async fn remote_ids(&self, query: &ListeningQueryRecord) -> Vec<String> {
        self.store.listening_hits(&self.workspace, &query.id, 100).await.unwrap().into_iter().map(|h| h.remote_id).collect()
    }
}

async fn post(account: &PdsAccount, text: &str) -> String {
    let account_ref = AccountRef { id: "a".into(), handle: account.handle.clone(), credentials: account.credentials.clone() };
    let request = PublishRequest {
        text: text.into(),
        link: None,
        media: vec![],
        thread: vec![],
        first_comment: None,
        content_warning: None,
        visibility: None,
        idempotency_key: format!("relais-{}", relais_core::new_id()),
    };
    relais_networks::testing::bluesky().publish(&account_ref, &request).await.unwrap().remote_id
}

fn unique_word(prefix: &str) -> String {
    format!("{prefix}{}", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

both_backends!(the_search_job_stores_a_mention_once_however_often_it_runs, |store: Store| async move {
    let Some(pds) = local_pds().await else { return };
    let desk = Desk::new(store).await;
    let brand = pds_account(&pds, "marque").await;
    let fan = pds_account(&pds, "fan").await;
    desk.connect(&brand).await;
    let word = unique_word("zorglub");
    let query = desk.query("Lancement", &format!("{word} -immobilier")).await;
    let wanted = post(&fan, &format!("J'adore la nouvelle offre {word} pour les artisans")).await;
    // Found by the network's search too, but the query leaves it out.
    let excluded = post(&fan, &format!("{word} et le crédit IMMOBILIER")).await;

    // The AppView indexes posts a moment after they are written: run the job until it sees them.
    let started = Instant::now();
    let mut run = 0;
    loop {
        run += 1;
        assert!(desk.store.enqueue_listening_search(&query, &format!("test-{run}")).await.unwrap());
        assert_eq!(desk.worker().run_once().await.unwrap(), 1);
        let found = desk.remote_ids(&query).await;
        if !found.is_empty() {
            assert_eq!(found, vec![wanted.clone()], "the excluded post {excluded} is not stored");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the search never found {wanted}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // Twice more, and through the periodic schedule: still one hit.
    for slot in ["again-1", "again-2"] {
        desk.store.enqueue_listening_search(&query, slot).await.unwrap();
        desk.worker().run_once().await.unwrap();
    }
    assert_eq!(ListenSearch::schedule(&desk.store, 60_000).await.unwrap(), 1);
    assert_eq!(ListenSearch::schedule(&desk.store, 60_000).await.unwrap(), 0, "one run per query and period");
    desk.worker().run_once().await.unwrap();
    assert_eq!(desk.remote_ids(&query).await, vec![wanted.clone()]);
    let record = desk.store.listening_query(&desk.workspace, &query.id).await.unwrap();
    assert_eq!((record.hits, record.last_error), (1, None));
    assert!(record.last_run_at.is_some());
    let hit = desk.store.listening_hits(&desk.workspace, &query.id, 1).await.unwrap().remove(0);
    assert_eq!((hit.author_handle.as_str(), hit.source.as_str(), hit.network.as_str()), (fan.handle.as_str(), "search", "bluesky"));
    assert!(hit.url.as_deref().is_some_and(|u| u.contains(&fan.handle) || u.contains(&fan.did)), "{:?}", hit.url);
});

both_backends!(the_firehose_stores_posts_matching_a_query_written_after_it_started, |store: Store| async move {
    let Some(pds) = local_pds().await else { return };
    let desk = Desk::new(store).await;
    let fan = pds_account(&pds, "fan").await;
    let cancel = CancellationToken::new();
    let listener = FirehoseListener {
        store: desk.store.clone(),
        service: pds.clone(),
        outbound: relais_networks::testing::loopback(),
        refresh: Duration::from_millis(200),
    };
    let task = {
        let cancel = cancel.clone();
        tokio::spawn(async move { listener.run(cancel).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;

    let word = unique_word("flux");
    let query = desk.query("Flux", &format!("\"{word} artisans\"")).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let other = post(&fan, &format!("{word} sans le deuxième mot")).await;
    let wanted = post(&fan, &format!("Bravo aux {word} Artisans de Dijon !")).await;

    let started = Instant::now();
    while desk.remote_ids(&query).await.is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "the firehose never stored {wanted}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    cancel.cancel();
    task.await.unwrap().unwrap();
    assert_eq!(desk.remote_ids(&query).await, vec![wanted.clone()], "{other} does not match the phrase");
    let hit = desk.store.listening_hits(&desk.workspace, &query.id, 1).await.unwrap().remove(0);
    assert_eq!((hit.source.as_str(), hit.author_remote_id.as_str()), ("stream", fan.did.as_str()));
    assert!(desk.store.stream_cursor("bluesky", &pds).await.unwrap().is_some(), "the cursor is saved on the way out");

    // Written while no listener runs: the next one resumes from the stored cursor and finds it.
    let missed = post(&fan, &format!("Pendant la coupure : {word} artisans")).await;
    let cancel = CancellationToken::new();
    let listener = FirehoseListener {
        store: desk.store.clone(),
        service: pds.clone(),
        outbound: relais_networks::testing::loopback(),
        refresh: Duration::from_millis(200),
    };
    let task = {
        let cancel = cancel.clone();
        tokio::spawn(async move { listener.run(cancel).await })
    };
    let started = Instant::now();
    while !desk.remote_ids(&query).await.contains(&missed) {
        assert!(started.elapsed() < Duration::from_secs(20), "the restarted listener never stored {missed}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    cancel.cancel();
    task.await.unwrap().unwrap();
    let mut found = desk.remote_ids(&query).await;
    found.sort();
    let mut expected = vec![wanted, missed];
    expected.sort();
    assert_eq!(found, expected, "posts replayed from the cursor are not stored twice");
});

#[tokio::test]
async fn the_firehose_refuses_a_service_the_outbound_policy_forbids() {
    let db = relais_store::testing::TestDb::sqlite().await;
    let listener = FirehoseListener {
        store: db.store.clone(),
        service: "ws://127.0.0.1:9".into(),
        outbound: relais_networks::outbound::Outbound::public_only(),
        refresh: Duration::from_secs(60),
    };
    let error = listener.run(CancellationToken::new()).await.unwrap_err();
    assert!(error.contains("127.0.0.1") && error.contains("RELAIS_OUTBOUND_ALLOW"), "{error}");
}
