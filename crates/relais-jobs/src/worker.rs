use crate::backoff::retry_delay_ms;
use relais_store::{ClaimedJob, Store};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How a job failed, which decides what happens next.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth retrying later (a timeout, a 5xx, a rate limit).
    #[error("{0}")]
    Transient(String),
    /// Retrying will not help (bad input, a refused request); the job fails with this message.
    #[error("{0}")]
    Permanent(String),
    /// Not a failure: run again at `run_at` (epoch ms) without counting an attempt (a rate
    /// limit's delay, a paused account).
    #[error("{reason}")]
    Defer { run_at: i64, reason: String },
}

pub type JobFuture<'a> = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send + 'a>>;
pub type BatchFuture<'a> = Pin<Box<dyn Future<Output = Vec<Result<(), JobError>>> + Send + 'a>>;

/// Runs the jobs of one kind.
pub trait JobHandler: Send + Sync {
    fn kind(&self) -> &'static str;
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a>;

    /// Runs several claimed jobs of this kind: one result per job, in order. A handler that can
    /// share work across jobs (one transaction for a whole batch) overrides it.
    fn run_batch<'a>(&'a self, jobs: &'a [ClaimedJob]) -> BatchFuture<'a> {
        Box::pin(futures::future::join_all(jobs.iter().map(|j| self.run(j))))
    }

    /// Told when a job is given up without running because every earlier run died with its
    /// worker, so that what the job stood for does not wait forever (a reply shown as sending).
    fn gave_up<'a>(&'a self, job: &'a ClaimedJob, reason: &'a str) -> JobFuture<'a> {
        let _ = (job, reason);
        Box::pin(async { Ok(()) })
    }
}

#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs claimed (and run concurrently) per round.
    pub batch: i64,
    /// How long a claimed job stays ours without being finished.
    pub lease_ms: i64,
    /// Pause between rounds when nothing was due.
    pub idle_poll: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig { batch: 16, lease_ms: 5 * 60_000, idle_poll: Duration::from_millis(500) }
    }
}

/// One worker loop. A process may run several.
pub struct Worker {
    store: Store,
    id: String,
    config: WorkerConfig,
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
}

impl Worker {
    pub fn new(store: Store, id: impl Into<String>, config: WorkerConfig) -> Self {
        Worker { store, id: id.into(), config, handlers: HashMap::new() }
    }

    pub fn register(mut self, handler: Arc<dyn JobHandler>) -> Self {
        self.handlers.insert(handler.kind(), handler);
        self
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Claims and runs jobs until `cancel` fires; jobs in flight are finished before returning.
    pub async fn run(&self, cancel: CancellationToken) {
        tracing::info!(worker = %self.id, kinds = ?self.handlers.keys().collect::<Vec<_>>(), "worker started");
        while !cancel.is_cancelled() {
            let ran = match self.run_once().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::error!(worker = %self.id, error = %e, "claiming jobs failed");
                    0
                }
            };
            if ran == 0 {
                tokio::select! {
                    _ = cancel.cancelled() => break,
                    _ = tokio::time::sleep(self.config.idle_poll) => {}
                }
            }
        }
        tracing::info!(worker = %self.id, "worker stopped");
    }

    /// One round: claim due jobs, run each kind's batch (concurrently across kinds), record the
    /// outcomes. Returns how many ran.
    pub async fn run_once(&self) -> relais_store::Result<usize> {
        let jobs = self.store.claim_jobs(&self.id, self.config.batch, self.config.lease_ms).await?;
        let n = jobs.len();
        let mut by_kind: HashMap<String, Vec<ClaimedJob>> = HashMap::new();
        for job in jobs {
            by_kind.entry(job.kind.clone()).or_default().push(job);
        }
        let mut set = tokio::task::JoinSet::new();
        for (kind, jobs) in by_kind {
            let handler = self.handlers.get(kind.as_str()).cloned();
            let store = self.store.clone();
            let owner = self.id.clone();
            // A task per kind: a panicking handler loses its batch (leases expire, jobs retry),
            // not the worker.
            set.spawn(async move { execute(store, owner, handler, jobs).await });
        }
        while let Some(res) = set.join_next().await {
            if let Err(e) = res {
                tracing::error!(error = %e, "a job batch panicked; its leases will expire and its jobs will be retried");
            }
        }
        Ok(n)
    }
}

async fn execute(store: Store, owner: String, handler: Option<Arc<dyn JobHandler>>, jobs: Vec<ClaimedJob>) {
    // Jobs whose earlier runs all died with their worker are given up, not run again.
    let (runnable, exhausted): (Vec<ClaimedJob>, Vec<ClaimedJob>) = jobs.into_iter().partition(|j| j.attempts <= j.max_attempts);
    let outcomes: Vec<Result<(), JobError>> = match &handler {
        None => runnable
            .iter()
            .map(|j| Err(JobError::Permanent(format!("no handler for jobs of kind {:?} in this relais version", j.kind))))
            .collect(),
        Some(h) => h.run_batch(&runnable).await,
    };
    let reason_of = |j: &ClaimedJob| format!("gave up after {} attempts (the last worker stopped before finishing)", j.max_attempts);
    if let Some(h) = &handler {
        for j in &exhausted {
            if let Err(e) = h.gave_up(j, &reason_of(j)).await {
                tracing::error!(job = %j.id, kind = %j.kind, error = %e, "could not record that the job was given up");
            }
        }
    }
    let gave_up = exhausted.iter().map(|j| Err(JobError::Permanent(reason_of(j))));
    let mut done = vec![];
    for (job, outcome) in runnable.iter().chain(exhausted.iter()).zip(outcomes.into_iter().chain(gave_up)) {
        let recorded = match outcome {
            Ok(()) => {
                done.push(job.id.clone());
                continue;
            }
            Err(JobError::Defer { run_at, reason }) => {
                tracing::info!(job = %job.id, kind = %job.kind, reason = %reason, "job deferred");
                store.defer_job(&job.id, &owner, run_at, &reason).await
            }
            Err(JobError::Transient(msg)) if job.attempts < job.max_attempts => {
                let delay = retry_delay_ms(job.attempts, &mut rand::thread_rng());
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, delay_ms = delay, error = %msg, "job will be retried");
                store.retry_job(&job.id, &owner, relais_core::now_ms() + delay, &msg).await
            }
            Err(e) => {
                tracing::error!(job = %job.id, kind = %job.kind, error = %e, "job failed");
                store.fail_job(&job.id, &owner, &e.to_string()).await
            }
        };
        log_recording(&job.id, recorded);
    }
    // Successes are recorded together: one statement for the whole batch.
    match store.complete_jobs(&done, &owner).await {
        Ok(n) if n < done.len() as u64 => tracing::warn!(lost = done.len() as u64 - n, "leases lost before the outcome was recorded"),
        Ok(_) => {}
        Err(e) => tracing::error!(error = %e, "could not record finished jobs; they will run again after their leases expire"),
    }
}

fn log_recording(job: &str, recorded: relais_store::Result<bool>) {
    match recorded {
        Ok(true) => {}
        Ok(false) => tracing::warn!(job = %job, "lease lost before the outcome was recorded; another worker owns the job"),
        Err(e) => tracing::error!(job = %job, error = %e, "could not record the job's outcome; it will run again after its lease expires"),
    }
}
