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

/// Runs the jobs of one kind.
pub trait JobHandler: Send + Sync {
    fn kind(&self) -> &'static str;
    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a>;
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

    /// One round: claim due jobs, run them concurrently, record outcomes. Returns how many ran.
    pub async fn run_once(&self) -> relais_store::Result<usize> {
        let jobs = self.store.claim_jobs(&self.id, self.config.batch, self.config.lease_ms).await?;
        let n = jobs.len();
        let mut set = tokio::task::JoinSet::new();
        for job in jobs {
            let handler = self.handlers.get(job.kind.as_str()).cloned();
            let store = self.store.clone();
            let owner = self.id.clone();
            set.spawn(async move { execute(store, owner, handler, job).await });
        }
        while let Some(res) = set.join_next().await {
            if let Err(e) = res {
                tracing::error!(error = %e, "a job task panicked; its lease will expire and it will be retried");
            }
        }
        Ok(n)
    }
}

async fn execute(store: Store, owner: String, handler: Option<Arc<dyn JobHandler>>, job: ClaimedJob) {
    let outcome = match &handler {
        None => Err(JobError::Permanent(format!("no handler for jobs of kind {:?} in this relais version", job.kind))),
        Some(_) if job.attempts > job.max_attempts => {
            Err(JobError::Permanent(format!("gave up after {} attempts (the last worker stopped before finishing)", job.max_attempts)))
        }
        Some(h) => h.run(&job).await,
    };
    let recorded = match outcome {
        Ok(()) => store.complete_job(&job.id, &owner).await,
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
    match recorded {
        Ok(true) => {}
        Ok(false) => tracing::warn!(job = %job.id, "lease lost before the outcome was recorded; another worker owns the job"),
        Err(e) => {
            tracing::error!(job = %job.id, error = %e, "could not record the job's outcome; it will run again after its lease expires")
        }
    }
}
