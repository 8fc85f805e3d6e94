//! The publish job: one variant of a scheduled post, to one account, exactly once.
//!
//! The variant's idempotency key was chosen when the post was created. Before calling the
//! network the attempt is recorded; if an earlier attempt's outcome is unknown (the worker died
//! during the call), the network is asked for a post with that key before anything is sent
//! again. Transient errors retry with backoff; a refusal fails the post with the network's own
//! words; a rate limit waits the time asked; an expired or revoked token pauses the account
//! (the post waits, the members see why).

use crate::worker::{JobError, JobFuture, JobHandler};
use relais_core::now_ms;
use relais_core::secrets::SecretBox;
use relais_core::workflow::PostState;
use relais_networks::{AccountRef, NetworkError, PublishRequest, Registry};
use relais_store::{ClaimedJob, PUBLISH_JOB, SocialAccount, Store, StoreError, VariantOutcome};

/// How long a job for a paused account waits before looking again.
const PAUSED_RECHECK_MS: i64 = 5 * 60_000;

pub struct Publisher {
    pub store: Store,
    pub networks: Registry,
    pub secrets: SecretBox,
}

fn db(e: StoreError) -> JobError {
    JobError::Transient(format!("database: {e}"))
}

impl JobHandler for Publisher {
    fn kind(&self) -> &'static str {
        PUBLISH_JOB
    }

    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let variant_id = job.payload["variant"].as_str().ok_or_else(|| JobError::Permanent("publish job without a variant".into()))?;
            let version = job.payload["version"].as_i64().unwrap_or(-1);
            let variant = match self.store.variant(variant_id).await {
                Ok(v) => v,
                Err(StoreError::NotFound(_)) => return Ok(()), // the post was deleted
                Err(e) => return Err(db(e)),
            };
            let post = self.store.post(&variant.post_id).await.map_err(db)?;
            // Rescheduled, unscheduled or cancelled since this job was queued: not ours any more.
            if post.schedule_version != version || !matches!(post.state, PostState::Scheduled | PostState::Publishing) {
                return Ok(());
            }
            let account = self.store.social_account(&variant.account_id).await.map_err(db)?;
            if account.is_paused() {
                return Err(JobError::Defer {
                    run_at: now_ms() + PAUSED_RECHECK_MS,
                    reason: format!(
                        "waiting: the account {} is paused ({})",
                        account.handle,
                        account.status_reason.as_deref().unwrap_or("")
                    ),
                });
            }
            let Some(network) = self.networks.get(&account.network) else {
                let error = format!("this Relais cannot publish to {:?}", account.network);
                self.store.finish_variant(&variant.id, &VariantOutcome::Failed { error: error.clone() }).await.map_err(db)?;
                return Err(JobError::Permanent(error));
            };
            let credentials = match self.secrets.open(&account.credentials, &SocialAccount::credentials_context(&account.id)) {
                Ok(c) => c,
                Err(e) => {
                    return self.pause(&account, &format!("the stored credentials cannot be decrypted ({e}); reconnect the account")).await;
                }
            };
            let Some(attempt) = self.store.begin_publish_attempt(&variant.id).await.map_err(db)? else {
                return Ok(());
            };
            let account_ref = AccountRef { id: account.id.clone(), handle: account.handle.clone(), credentials };
            if attempt > 1
                && let Some(found) =
                    network.find_published(&account_ref, &variant.idempotency_key).await.map_err(|e| JobError::Transient(e.to_string()))?
            {
                tracing::info!(variant = %variant.id, "an earlier attempt had published: recorded without posting again");
                let outcome = VariantOutcome::Published { remote_id: found.remote_id, remote_url: found.url };
                self.store.finish_variant(&variant.id, &outcome).await.map_err(db)?;
                return Ok(());
            }
            let request =
                PublishRequest { text: variant.text.clone(), link: variant.link.clone(), idempotency_key: variant.idempotency_key.clone() };
            match network.publish(&account_ref, &request).await {
                Ok(p) => {
                    let outcome = VariantOutcome::Published { remote_id: p.remote_id, remote_url: p.url };
                    self.store.finish_variant(&variant.id, &outcome).await.map_err(db)?;
                    Ok(())
                }
                Err(NetworkError::Permanent(msg)) => {
                    let error = NetworkError::Permanent(msg).to_string();
                    self.store.finish_variant(&variant.id, &VariantOutcome::Failed { error: error.clone() }).await.map_err(db)?;
                    Err(JobError::Permanent(error))
                }
                Err(NetworkError::Transient(msg)) if job.attempts >= job.max_attempts => {
                    let error = format!("gave up after {} attempts: {msg}", job.attempts);
                    self.store.finish_variant(&variant.id, &VariantOutcome::Failed { error: error.clone() }).await.map_err(db)?;
                    Err(JobError::Permanent(error))
                }
                Err(NetworkError::Transient(msg)) => Err(JobError::Transient(msg)),
                Err(NetworkError::RateLimited { retry_after_ms, message }) => {
                    Err(JobError::Defer { run_at: now_ms() + retry_after_ms.max(1_000), reason: message })
                }
                Err(NetworkError::AuthExpired(msg)) => self.pause(&account, &msg).await,
            }
        })
    }
}

impl Publisher {
    /// Pauses the account with a reason its members will see; the job waits for a reconnection.
    async fn pause(&self, account: &SocialAccount, reason: &str) -> Result<(), JobError> {
        tracing::warn!(account = %account.id, handle = %account.handle, reason, "account paused");
        self.store.pause_social_account(&account.id, reason).await.map_err(db)?;
        Err(JobError::Defer { run_at: now_ms() + PAUSED_RECHECK_MS, reason: format!("account paused: {reason}") })
    }
}
