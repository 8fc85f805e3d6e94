//! The moderation job: hides, shows again or deletes a message on its network, or deletes an
//! automatic reply, for a log entry written when a rule fired or a member asked. The entry's
//! outcome is recorded once (done, failed with the network's words, or not offered); repeating
//! an attempt is harmless, since hiding, showing and deleting are idempotent on the networks.

use crate::account_access::{PAUSED_RECHECK_MS, open, pause, store_error};
use crate::worker::{JobError, JobFuture, JobHandler};
use relais_core::now_ms;
use relais_core::secrets::SecretBox;
use relais_networks::{NetworkError, Registry};
use relais_store::{ClaimedJob, MODERATION_JOB, Store};

pub struct NetworkModerator {
    pub store: Store,
    pub networks: Registry,
    pub secrets: SecretBox,
}

impl NetworkModerator {
    async fn finish(&self, log_id: &str, outcome: &str, error: Option<String>) -> Result<(), JobError> {
        self.store.finish_network_moderation(log_id, outcome, error.as_deref()).await.map_err(store_error)
    }

    async fn act(&self, job: &ClaimedJob, log_id: &str) -> Result<(), JobError> {
        let Some(target) = self.store.network_moderation(log_id).await.map_err(store_error)? else { return Ok(()) };
        if target.outcome != "pending" {
            return Ok(());
        }
        let Some(o) = open(&self.store, &self.networks, &self.secrets, &target.account_id).await? else {
            return self.finish(log_id, "failed", Some("this Relais cannot reach the account's network".into())).await;
        };
        if o.account.is_paused() {
            return Err(JobError::Defer {
                run_at: now_ms() + PAUSED_RECHECK_MS,
                reason: format!("waiting: the account {} is paused", o.account.handle),
            });
        }
        let Some(remote_id) = target.remote_id.as_deref() else {
            return self.finish(log_id, "failed", Some("the reply was never sent, so there is nothing to delete".into())).await;
        };
        let caps = o.network.capabilities();
        let offered = match target.action.as_str() {
            "hide" | "unhide" => caps.hide_replies,
            "delete" => caps.delete_comments,
            "delete_reply" => caps.delete,
            _ => false,
        };
        if !offered {
            let what = format!("{} does not offer this ({})", caps.label, target.action);
            return self.finish(log_id, "not_offered", Some(what)).await;
        }
        let call = match target.action.as_str() {
            "hide" => o.network.hide_reply(&o.remote, remote_id, target.root_remote_id.as_deref(), true).await,
            "unhide" => o.network.hide_reply(&o.remote, remote_id, target.root_remote_id.as_deref(), false).await,
            "delete" => o.network.delete_comment(&o.remote, remote_id).await,
            _ => o.network.delete(&o.remote, remote_id).await,
        };
        match call {
            Ok(()) => self.finish(log_id, "done", None).await,
            Err(e @ NetworkError::NotOffered { .. }) => self.finish(log_id, "not_offered", Some(e.to_string())).await,
            Err(NetworkError::Permanent(m)) => self.finish(log_id, "failed", Some(m)).await,
            Err(NetworkError::Transient(m)) if job.attempts >= job.max_attempts => {
                self.finish(log_id, "failed", Some(format!("gave up after {} attempts: {m}", job.attempts))).await
            }
            Err(NetworkError::Transient(m)) => Err(JobError::Transient(m)),
            Err(NetworkError::RateLimited { retry_after_ms, message }) => {
                Err(JobError::Defer { run_at: now_ms() + retry_after_ms.max(1_000), reason: message })
            }
            Err(NetworkError::AuthExpired(reason)) => {
                pause(&self.store, &o.account, &reason).await?;
                Err(JobError::Defer { run_at: now_ms() + PAUSED_RECHECK_MS, reason })
            }
        }
    }
}

impl JobHandler for NetworkModerator {
    fn kind(&self) -> &'static str {
        MODERATION_JOB
    }

    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let Some(log) = job.payload["log"].as_str() else {
                return Err(JobError::Permanent("moderation job without a log entry".into()));
            };
            self.act(job, log).await
        })
    }

    fn gave_up<'a>(&'a self, job: &'a ClaimedJob, reason: &'a str) -> JobFuture<'a> {
        Box::pin(async move {
            let Some(log) = job.payload["log"].as_str() else { return Ok(()) };
            self.finish(log, "failed", Some(reason.to_string())).await
        })
    }
}
