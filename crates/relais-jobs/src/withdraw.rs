//! The withdraw job: deletes one published variant's post on its network (with the rest of its
//! unit where the connector knows it) and records the outcome on the variant. Deleting is
//! idempotent on every network Relais knows (a post already gone is not an error), so a retry
//! after a crash is harmless. A paused account waits like publishing does; a refusal or the
//! last failed attempt marks the withdrawal failed with the network's words, and members can
//! ask again.

use crate::worker::{JobError, JobFuture, JobHandler};
use relais_core::now_ms;
use relais_core::secrets::SecretBox;
use relais_networks::{AccountRef, NetworkError, Registry};
use relais_store::{ClaimedJob, SocialAccount, Store, WITHDRAW_JOB};

/// How long a withdrawal for a paused account waits before looking again.
const PAUSED_RECHECK_MS: i64 = 5 * 60_000;

pub struct Withdrawer {
    pub store: Store,
    pub networks: Registry,
    pub secrets: SecretBox,
}

impl JobHandler for Withdrawer {
    fn kind(&self) -> &'static str {
        WITHDRAW_JOB
    }

    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let variant_id =
                job.payload["variant_id"].as_str().ok_or_else(|| JobError::Permanent("withdraw job without a variant".into()))?;
            let db = |e: relais_store::StoreError| JobError::Transient(format!("database: {e}"));
            let Some(target) = self.store.withdraw_target(variant_id).await.map_err(db)? else { return Ok(()) };
            if target.removal_state != "pending" {
                return Ok(());
            }
            if target.status == "paused" {
                return Err(JobError::Defer {
                    run_at: now_ms() + PAUSED_RECHECK_MS,
                    reason: format!("waiting: the account {} is paused", target.handle),
                });
            }
            let fail = |error: String| async move {
                self.store.finish_withdrawal(variant_id, Err(&error)).await.map_err(db)?;
                Err(JobError::Permanent(error))
            };
            let Some(network) = self.networks.get(&target.network) else {
                return fail(format!("this Relais cannot reach {:?}", target.network)).await;
            };
            let credentials = match self.secrets.open(&target.credentials, &SocialAccount::credentials_context(&target.account_id)) {
                Ok(c) => c,
                Err(e) => return fail(format!("the stored credentials cannot be decrypted ({e}); reconnect the account")).await,
            };
            let account = AccountRef { id: target.account_id.clone(), handle: target.handle.clone(), credentials };
            match network.delete(&account, &target.remote_id).await {
                Ok(()) => {
                    self.store.finish_withdrawal(variant_id, Ok(())).await.map_err(db)?;
                    Ok(())
                }
                Err(NetworkError::Transient(m)) if job.attempts >= job.max_attempts => {
                    fail(format!("gave up after {} attempts: {m}", job.attempts)).await
                }
                Err(NetworkError::Transient(m)) => Err(JobError::Transient(m)),
                Err(NetworkError::RateLimited { retry_after_ms, message }) => {
                    let until = now_ms() + retry_after_ms.max(1_000);
                    self.store.mark_rate_limited(&target.account_id, until).await.map_err(db)?;
                    Err(JobError::Defer { run_at: until, reason: message })
                }
                Err(NetworkError::AuthExpired(reason)) => {
                    self.store.pause_social_account(&target.account_id, &reason).await.map_err(db)?;
                    Err(JobError::Defer { run_at: now_ms() + PAUSED_RECHECK_MS, reason: format!("the account was paused: {reason}") })
                }
                Err(e @ (NetworkError::Permanent(_) | NetworkError::NotOffered { .. })) => fail(e.to_string()).await,
            }
        })
    }

    /// Every run died with its worker: the withdrawal shows failed (members can ask again;
    /// deleting is idempotent), never "in progress" forever.
    fn gave_up<'a>(&'a self, job: &'a ClaimedJob, reason: &'a str) -> JobFuture<'a> {
        Box::pin(async move {
            let Some(variant_id) = job.payload["variant_id"].as_str() else { return Ok(()) };
            self.store.finish_withdrawal(variant_id, Err(reason)).await.map_err(|e| JobError::Transient(format!("database: {e}")))
        })
    }
}
