//! The reply job: sends a reply written in Relais exactly once. The reply's idempotency key was
//! stored with it; each attempt is counted before the call, and an attempt after one whose
//! outcome is unknown (the worker died during the call) first asks the network for a post with
//! that key, as the publisher does for posts.

use crate::account_access::{PAUSED_RECHECK_MS, open, pause, store_error};
use crate::worker::{JobError, JobFuture, JobHandler};
use relais_core::now_ms;
use relais_core::secrets::SecretBox;
use relais_networks::{NetworkError, Registry, ReplyRequest};
use relais_store::{ClaimedJob, ReplyOutcome, SEND_REPLY_JOB, SocialAccount, Store, StoreError};

/// A reply of a paused account waits; the members see why on the accounts page.
fn waiting(account: &SocialAccount) -> JobError {
    let reason = account.status_reason.clone().unwrap_or_default();
    JobError::Defer {
        run_at: now_ms() + PAUSED_RECHECK_MS,
        reason: format!("waiting: the account {} is paused ({reason})", account.handle),
    }
}

pub struct ReplySender {
    pub store: Store,
    pub networks: Registry,
    pub secrets: SecretBox,
}

impl ReplySender {
    async fn fail(&self, reply_id: &str, error: String) -> Result<(), JobError> {
        self.store.finish_reply(reply_id, &ReplyOutcome::Failed { error: error.clone() }).await.map_err(store_error)?;
        Err(JobError::Permanent(error))
    }

    async fn send(&self, job: &ClaimedJob, reply_id: &str) -> Result<(), JobError> {
        let reply = match self.store.inbox_reply(reply_id).await {
            Ok(r) => r,
            Err(StoreError::NotFound(_)) => return Ok(()),
            Err(e) => return Err(store_error(e)),
        };
        if reply.state != "pending" {
            return Ok(());
        }
        let message = self.store.inbox_message(&reply.message_id).await.map_err(store_error)?;
        let Some(o) = open(&self.store, &self.networks, &self.secrets, &reply.account_id).await? else {
            // Credentials that cannot be decrypted paused the account: the reply waits for it.
            if let Ok(account) = self.store.social_account(&reply.account_id).await
                && account.is_paused()
            {
                return Err(waiting(&account));
            }
            return self.fail(reply_id, format!("this Relais cannot reply on the account's network ({})", message.network)).await;
        };
        if o.account.is_paused() {
            return Err(waiting(&o.account));
        }
        let Some(attempt) = self.store.begin_reply_attempt(reply_id).await.map_err(store_error)? else { return Ok(()) };
        if attempt > 1 {
            match o.network.find_published(&o.remote, &reply.idempotency_key).await {
                Ok(Some(found)) => {
                    tracing::info!(reply = %reply_id, "an earlier attempt had replied: recorded without replying again");
                    let sent = ReplyOutcome::Sent { remote_id: found.remote_id, remote_url: found.url };
                    return self.store.finish_reply(reply_id, &sent).await.map_err(store_error);
                }
                Ok(None) => {}
                Err(e) => return self.after_error(job, &o, reply_id, e).await,
            }
        }
        let request = ReplyRequest {
            parent_remote_id: message.remote_id.clone(),
            text: reply.text.clone(),
            idempotency_key: reply.idempotency_key.clone(),
        };
        match o.network.reply(&o.remote, &request).await {
            Ok(p) => {
                let sent = ReplyOutcome::Sent { remote_id: p.remote_id, remote_url: p.url };
                self.store.finish_reply(reply_id, &sent).await.map_err(store_error)
            }
            Err(e) => self.after_error(job, &o, reply_id, e).await,
        }
    }

    async fn after_error(
        &self,
        job: &ClaimedJob,
        o: &crate::account_access::Opened,
        reply_id: &str,
        e: NetworkError,
    ) -> Result<(), JobError> {
        match e {
            NetworkError::Permanent(_) | NetworkError::NotOffered { .. } => self.fail(reply_id, e.to_string()).await,
            NetworkError::Transient(msg) if job.attempts >= job.max_attempts => {
                self.fail(reply_id, format!("gave up after {} attempts: {msg}", job.attempts)).await
            }
            NetworkError::Transient(msg) => {
                self.store.note_reply_error(reply_id, &msg).await.map_err(store_error)?;
                Err(JobError::Transient(msg))
            }
            NetworkError::RateLimited { retry_after_ms, message } => {
                Err(JobError::Defer { run_at: now_ms() + retry_after_ms.max(1_000), reason: message })
            }
            NetworkError::AuthExpired(reason) => {
                pause(&self.store, &o.account, &reason).await?;
                Err(JobError::Defer {
                    run_at: now_ms() + PAUSED_RECHECK_MS,
                    reason: format!("waiting: the account {} is paused ({reason})", o.account.handle),
                })
            }
        }
    }
}

impl JobHandler for ReplySender {
    fn kind(&self) -> &'static str {
        SEND_REPLY_JOB
    }

    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let Some(reply) = job.payload["reply"].as_str() else {
                return Err(JobError::Permanent("reply job without a reply".into()));
            };
            self.send(job, reply).await
        })
    }

    fn gave_up<'a>(&'a self, job: &'a ClaimedJob, reason: &'a str) -> JobFuture<'a> {
        Box::pin(async move {
            let Some(reply) = job.payload["reply"].as_str() else { return Ok(()) };
            let failed = ReplyOutcome::Failed { error: reason.to_string() };
            self.store.finish_reply(reply, &failed).await.map_err(store_error)
        })
    }
}
