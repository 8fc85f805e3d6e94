//! What the per-account jobs (activity sync, replies, metrics) share: opening an account's
//! network and credentials, pausing an account whose token expired, and mapping a network's
//! errors onto the job's next step.

use crate::worker::JobError;
use relais_core::now_ms;
use relais_core::secrets::SecretBox;
use relais_networks::{AccountRef, Network, NetworkError, Registry};
use relais_store::{SocialAccount, Store, StoreError};
use std::sync::Arc;

/// How long a job for a paused account waits before looking again.
pub(crate) const PAUSED_RECHECK_MS: i64 = 5 * 60_000;

/// An account ready for calls.
pub(crate) struct Opened {
    pub account: SocialAccount,
    pub network: Arc<dyn Network>,
    pub remote: AccountRef,
}

pub(crate) fn store_error(e: StoreError) -> JobError {
    JobError::Transient(format!("database: {e}"))
}

/// The account, its network and its decrypted credentials; `None` when there is nothing to do
/// (the account is gone, or this Relais does not know its network). An account whose
/// credentials cannot be decrypted is paused.
pub(crate) async fn open(store: &Store, networks: &Registry, secrets: &SecretBox, account_id: &str) -> Result<Option<Opened>, JobError> {
    let account = match store.social_account(account_id).await {
        Ok(a) => a,
        Err(StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(store_error(e)),
    };
    let Some(network) = networks.get(&account.network) else { return Ok(None) };
    let credentials = match secrets.open(&account.credentials, &SocialAccount::credentials_context(&account.id)) {
        Ok(c) => c,
        Err(e) => {
            let reason = format!("the stored credentials cannot be decrypted ({e}); reconnect the account");
            store.pause_social_account(&account.id, &reason).await.map_err(store_error)?;
            return Ok(None);
        }
    };
    let remote = AccountRef { id: account.id.clone(), handle: account.handle.clone(), credentials };
    Ok(Some(Opened { account, network, remote }))
}

/// Pauses the account for an expired or revoked token, as the publisher does: members see why
/// on the accounts page and reconnect it.
pub(crate) async fn pause(store: &Store, account: &SocialAccount, reason: &str) -> Result<(), JobError> {
    tracing::warn!(account = %account.id, reason, "account paused");
    store.pause_social_account(&account.id, reason).await.map_err(store_error)
}

/// The job's next step for a network error that is not the operation's own business.
pub(crate) fn job_error(e: NetworkError) -> JobError {
    match e {
        NetworkError::RateLimited { retry_after_ms, message } => {
            JobError::Defer { run_at: now_ms() + retry_after_ms.max(1_000), reason: message }
        }
        NetworkError::Transient(m) => JobError::Transient(m),
        other => JobError::Permanent(other.to_string()),
    }
}
