//! Social network accounts of a workspace. Credentials arrive sealed (encrypted by the caller
//! with the instance key); this layer never sees them in clear.

use crate::{Result, Store, StoreError};
use relais_core::{new_id, now_ms};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct SocialAccount {
    pub id: String,
    pub workspace_id: String,
    pub network: String,
    pub handle: String,
    pub display_name: String,
    /// Sealed; open with `SecretBox::open(&sealed, &SocialAccount::credentials_context(id))`.
    pub credentials: String,
    pub status: String,
    pub status_reason: Option<String>,
    /// The account's id on its network (a DID, an account id), learnt by a check.
    pub remote_id: Option<String>,
    pub checked_at: Option<i64>,
    pub check_error: Option<String>,
    pub credentials_expire_at: Option<i64>,
    pub rate_limited_until: Option<i64>,
}

impl SocialAccount {
    /// The associated data that binds an account's sealed credentials to its row.
    pub fn credentials_context(id: &str) -> String {
        format!("social_account:{id}:credentials")
    }

    pub fn is_paused(&self) -> bool {
        self.status == "paused"
    }

    /// What the health badge is computed from.
    pub fn health_facts(&self) -> relais_core::account_health::HealthFacts<'_> {
        relais_core::account_health::HealthFacts {
            paused: self.is_paused(),
            pause_reason: self.status_reason.as_deref(),
            rate_limited_until: self.rate_limited_until,
            credentials_expire_at: self.credentials_expire_at,
            checked_at: self.checked_at,
            check_error: self.check_error.as_deref(),
        }
    }
}

/// What a successful check learnt of an account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckedAccount<'a> {
    pub remote_id: &'a str,
    pub credentials_expire_at: Option<i64>,
}

const COLUMNS: &str = "id, workspace_id, network, handle, display_name, credentials, status, status_reason, remote_id, checked_at, \
                       check_error, credentials_expire_at, rate_limited_until";

impl Store {
    /// Creates an account; `seal` turns the new id into the sealed credentials (they are bound
    /// to the id, which only exists here).
    pub async fn create_social_account(
        &self,
        workspace_id: &str,
        network: &str,
        handle: &str,
        display_name: &str,
        seal: impl FnOnce(&str) -> String,
    ) -> Result<SocialAccount> {
        let id = new_id();
        let credentials = seal(&id);
        let now = now_ms();
        let res = sqlx::query(
            "INSERT INTO social_accounts (id, workspace_id, network, handle, display_name, credentials, status, status_changed_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'active', $7, $7)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(network)
        .bind(handle)
        .bind(display_name)
        .bind(&credentials)
        .bind(now)
        .execute(self.writer())
        .await;
        match res {
            Ok(_) => self.social_account(&id).await,
            Err(e) if StoreError::is_unique_violation(&e) => {
                Err(StoreError::Conflict(format!("the {network} account {handle} is already connected to this workspace")))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn social_account(&self, id: &str) -> Result<SocialAccount> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM social_accounts WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("social account"))
    }

    pub async fn social_accounts(&self, workspace_id: &str) -> Result<Vec<SocialAccount>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM social_accounts WHERE workspace_id = $1 ORDER BY network, handle"
        )))
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every active account of every workspace, for the jobs that visit each one in turn.
    pub async fn active_social_accounts(&self) -> Result<Vec<SocialAccount>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM social_accounts WHERE status = 'active' ORDER BY id")))
            .fetch_all(self.pool())
            .await?)
    }

    /// Pauses an account (expired or revoked token) with the reason shown to its members.
    pub async fn pause_social_account(&self, id: &str, reason: &str) -> Result<()> {
        sqlx::query("UPDATE social_accounts SET status = 'paused', status_reason = $1, status_changed_at = $2 WHERE id = $3")
            .bind(reason)
            .bind(now_ms())
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Resumes a paused account with fresh sealed credentials.
    pub async fn resume_social_account(&self, id: &str, sealed_credentials: &str) -> Result<()> {
        sqlx::query(
            "UPDATE social_accounts SET status = 'active', status_reason = NULL, check_error = NULL, credentials = $1, status_changed_at = $2
             WHERE id = $3",
        )
        .bind(sealed_credentials)
        .bind(now_ms())
        .bind(id)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// A check succeeded: the account is reachable with its credentials (a failed check before
    /// is forgotten).
    pub async fn record_account_check(&self, id: &str, checked: &CheckedAccount<'_>) -> Result<()> {
        sqlx::query(
            "UPDATE social_accounts SET remote_id = $1, credentials_expire_at = $2, checked_at = $3, check_error = NULL WHERE id = $4",
        )
        .bind(checked.remote_id)
        .bind(checked.credentials_expire_at)
        .bind(now_ms())
        .bind(id)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// A check failed without saying the credentials are bad (the network did not answer, say).
    pub async fn record_account_check_error(&self, id: &str, error: &str) -> Result<()> {
        sqlx::query("UPDATE social_accounts SET check_error = $1 WHERE id = $2").bind(error).bind(id).execute(self.writer()).await?;
        Ok(())
    }

    /// The network asked Relais to wait until `until` before calling again for this account.
    pub async fn mark_rate_limited(&self, id: &str, until: i64) -> Result<()> {
        sqlx::query(
            "UPDATE social_accounts SET rate_limited_until = $1 WHERE id = $2 AND (rate_limited_until IS NULL OR rate_limited_until < $1)",
        )
        .bind(until)
        .bind(id)
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
