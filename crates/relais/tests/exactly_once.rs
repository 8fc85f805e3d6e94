//! Exactly once with real processes on one PostgreSQL database: a worker killed (SIGKILL) in
//! the middle of publishing is taken over without a second post, and two worker processes
//! never publish the same post.

use relais_core::secrets::{SecretBox, SecretKey};
use relais_core::workflow::PostState;
use relais_core::{Locale, Name, TimeZoneName, now_ms};
use relais_store::testing::TestDb;
use relais_store::{Actor, NewPost, NewVariant, SocialAccount, Store};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A workspace with sandbox accounts and `n` posts due now; returns the secret key to give the
/// workers (the credentials are sealed with it) and the post ids.
async fn seed(store: &Store, n: usize) -> (SecretKey, Vec<String>) {
    let key = SecretKey::generate();
    let secrets = SecretBox::new(&key);
    let org = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
    let tz = TimeZoneName::parse("Europe/Paris").unwrap();
    let ws = store.create_workspace(&org.id, &Name::parse("n", "Banque").unwrap(), &tz, Locale::Fr).await.unwrap();
    let mut accounts = vec![];
    for i in 0..5 {
        let s = secrets.clone();
        let handle = format!("compte{i}");
        accounts.push(
            store
                .create_social_account(&ws.id, "sandbox", &handle, &handle, |id| s.seal("tok", &SocialAccount::credentials_context(id)))
                .await
                .unwrap(),
        );
    }
    let actor = Actor { id: None, label: "test".into() };
    let mut posts = vec![];
    for i in 0..n {
        let variants = vec![NewVariant::text(accounts[i % accounts.len()].id.clone(), format!("Annonce {i}"), None)];
        let post = store
            .create_post(&NewPost { workspace_id: ws.id.clone(), title: format!("{i}"), pillar: None, campaign: None, variants }, &actor)
            .await
            .unwrap();
        store.move_post(&post.id, PostState::Draft, PostState::Approved, &actor, "approve", None).await.unwrap();
        store.schedule_post(&post.id, PostState::Approved, now_ms() - 1, "maintenant", "Europe/Paris", &actor).await.unwrap();
        posts.push(post.id);
    }
    (key, posts)
}

fn worker(db: &TestDb, key: &SecretKey, dir: &std::path::Path, latency_ms: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_relais"))
        .args(["worker", "--workers", "2", "--data-dir"])
        .arg(dir)
        .env("RELAIS_DATABASE_URL", &db.url)
        .env("RELAIS_SECRET_KEY", key.to_base64())
        .env("RELAIS_JOB_LEASE_MS", "2000")
        .env("RELAIS_SANDBOX_LATENCY_MS", latency_ms.to_string())
        .env("RELAIS_SANDBOX_RATE_LIMIT", "0")
        .env("RELAIS_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

async fn published(store: &Store, posts: &[String]) -> usize {
    let mut n = 0;
    for p in posts {
        if store.post(p).await.unwrap().state == PostState::Published {
            n += 1;
        }
    }
    n
}

async fn wait_all_published(store: &Store, posts: &[String], within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let n = published(store, posts).await;
        if n == posts.len() {
            return;
        }
        assert!(Instant::now() < deadline, "only {n} of {} posts published", posts.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("relais-eo-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_publish_is_taken_over_without_a_second_post() {
    let Some(db) = TestDb::postgres().await else { return };
    let (key, posts) = seed(&db.store, 12).await;
    let dir = temp_dir("kill");
    // Slow calls, so that the kill lands while posts are being published.
    let mut first = worker(&db, &key, &dir, 600);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let in_flight = db.store.sandbox_post_count().await.unwrap();
        if in_flight > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the first worker never started publishing");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    first.kill().unwrap(); // SIGKILL: no clean-up, calls in flight are cut.
    first.wait().unwrap();
    let before = published(&db.store, &posts).await;
    assert!(before < posts.len(), "the kill came too late to test anything");
    // The dangerous case is there: the network has the post, Relais has not recorded it.
    let mut unrecorded = 0;
    for p in &posts {
        for v in db.store.variants(p).await.unwrap() {
            if v.state == "publishing" && db.store.sandbox_find_post(&v.account_id, &v.idempotency_key).await.unwrap().is_some() {
                unrecorded += 1;
            }
        }
    }
    assert!(unrecorded > 0, "no post was caught between the network call and its record");

    let mut second = worker(&db, &key, &dir, 20);
    wait_all_published(&db.store, &posts, Duration::from_secs(60)).await;
    let _ = Command::new("kill").args(["-TERM", &second.id().to_string()]).status();
    assert!(second.wait().unwrap().success());
    assert_eq!(db.store.sandbox_post_count().await.unwrap(), posts.len() as i64, "one sandbox post per post");
    assert_eq!(db.store.sandbox_duplicate_keys().await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_worker_processes_never_publish_the_same_post() {
    let Some(db) = TestDb::postgres().await else { return };
    let (key, posts) = seed(&db.store, 60).await;
    let dir = temp_dir("two");
    let mut a = worker(&db, &key, &dir, 30);
    let mut b = worker(&db, &key, &dir, 30);
    wait_all_published(&db.store, &posts, Duration::from_secs(60)).await;
    for w in [&mut a, &mut b] {
        let _ = Command::new("kill").args(["-TERM", &w.id().to_string()]).status();
        assert!(w.wait().unwrap().success());
    }
    assert_eq!(db.store.sandbox_post_count().await.unwrap(), 60);
    assert_eq!(db.store.sandbox_duplicate_keys().await.unwrap(), 0);
}
