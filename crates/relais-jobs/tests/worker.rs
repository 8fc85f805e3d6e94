//! The worker loop against a real database, on both backends.

use relais_core::now_ms;
use relais_jobs::{Housekeeping, JobError, JobHandler, Worker, WorkerConfig};
use relais_store::{ClaimedJob, JobStatus, NewJob, Store, both_backends};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Flaky {
    calls: AtomicUsize,
    fail_first: usize,
    permanent: bool,
}

impl JobHandler for Flaky {
    fn kind(&self) -> &'static str {
        "flaky"
    }
    fn run<'a>(&'a self, _job: &'a ClaimedJob) -> relais_jobs::JobFuture<'a> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            if n < self.fail_first {
                if self.permanent {
                    return Err(JobError::Permanent("the network refused the post: text too long".into()));
                }
                return Err(JobError::Transient("timeout".into()));
            }
            Ok(())
        })
    }
}

fn cfg() -> WorkerConfig {
    WorkerConfig { batch: 8, lease_ms: 60_000, idle_poll: std::time::Duration::from_millis(10) }
}

async fn enqueue(store: &Store, kind: &str) -> String {
    store
        .enqueue_job(&NewJob { kind: kind.into(), payload: serde_json::json!({}), run_at: now_ms() - 1, unique_key: None, max_attempts: 3 })
        .await
        .unwrap()
        .unwrap()
}

both_backends!(a_transient_failure_is_retried_later_with_the_error_kept, |store: Store| async move {
    let handler = Arc::new(Flaky { calls: AtomicUsize::new(0), fail_first: 1, permanent: false });
    let worker = Worker::new(store.clone(), "w1", cfg()).register(handler.clone());
    let id = enqueue(&store, "flaky").await;
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let (status, attempts, err) = store.job_state(&id).await.unwrap().unwrap();
    assert_eq!((status, attempts, err.as_deref()), (JobStatus::Queued, 1, Some("timeout")));
    assert_eq!(worker.run_once().await.unwrap(), 0, "the retry waits for its backoff");
});

both_backends!(a_permanent_failure_fails_the_job_with_the_message, |store: Store| async move {
    let handler = Arc::new(Flaky { calls: AtomicUsize::new(0), fail_first: 1, permanent: true });
    let worker = Worker::new(store.clone(), "w1", cfg()).register(handler);
    let id = enqueue(&store, "flaky").await;
    worker.run_once().await.unwrap();
    let (status, _, err) = store.job_state(&id).await.unwrap().unwrap();
    assert_eq!(status, JobStatus::Failed);
    assert!(err.unwrap().contains("text too long"));
});

both_backends!(a_job_of_an_unknown_kind_fails_and_says_so, |store: Store| async move {
    let worker = Worker::new(store.clone(), "w1", cfg());
    let id = enqueue(&store, "from-the-future").await;
    worker.run_once().await.unwrap();
    let (status, _, err) = store.job_state(&id).await.unwrap().unwrap();
    assert_eq!(status, JobStatus::Failed);
    assert!(err.unwrap().contains("no handler for jobs of kind \"from-the-future\""));
});

both_backends!(housekeeping_runs_once_per_hour_and_removes_expired_sessions, |store: Store| async move {
    let u = store
        .create_user(&relais_core::Email::parse("u@example.org").unwrap(), &relais_core::Name::parse("n", "U").unwrap(), "h")
        .await
        .unwrap();
    let (expired, _) = store.create_session(&u.id, -1).await.unwrap();
    let (live, _) = store.create_session(&u.id, 60_000).await.unwrap();
    Housekeeping::schedule(&store).await.unwrap();
    Housekeeping::schedule(&store).await.unwrap();
    let worker = Worker::new(store.clone(), "w1", cfg()).register(Arc::new(Housekeeping { store: store.clone() }));
    assert_eq!(worker.run_once().await.unwrap(), 1, "scheduled twice, one job");
    assert_eq!(store.delete_sessions_of_user(&u.id).await.unwrap(), 1, "only the live session was left");
    let _ = (expired, live);
});

both_backends!(housekeeping_reads_inbox_messages_stored_before_relais_read_them, |store: Store| async move {
    use relais_core::{Locale, Name, TimeZoneName};
    let o = store.create_organisation(&Name::parse("n", "Agence").unwrap()).await.unwrap();
    let ws = store
        .create_workspace(&o.id, &Name::parse("n", "Café").unwrap(), &TimeZoneName::parse("Europe/Paris").unwrap(), Locale::Fr)
        .await
        .unwrap();
    let acc = store.create_social_account(&ws.id, "sandbox", "@cafe", "@cafe", |_| "sealed".into()).await.unwrap();
    let praise = relais_store::Incoming {
        remote_id: "m1".into(),
        kind: "mention".into(),
        author_remote_id: "a1".into(),
        author_handle: "@julie".into(),
        text: "Loved the brunch, the staff were wonderful!".into(),
        created_at: 1_000,
        ..Default::default()
    };
    let id = store.ingest_activity(&acc, &[praise], None).await.unwrap().messages.remove(0);
    store.forget_understanding(&id).await.unwrap();
    Housekeeping::schedule(&store).await.unwrap();
    let worker = Worker::new(store.clone(), "w1", cfg()).register(Arc::new(Housekeeping { store: store.clone() }));
    assert_eq!(worker.run_once().await.unwrap(), 1);
    let m = store.inbox_message(&id).await.unwrap();
    assert_eq!((m.sentiment.as_deref(), m.language.as_deref()), (Some("positive"), Some("en")));
});
