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
}

impl SocialAccount {
    /// The associated data that binds an account's sealed credentials to its row.
    pub fn credentials_context(id: &str) -> String {
        format!("social_account:{id}:credentials")
    }

    pub fn is_paused(&self) -> bool {
        self.status == "paused"
    }
}

const COLUMNS: &str = "id, workspace_id, network, handle, display_name, credentials, status, status_reason";

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
            "UPDATE social_accounts SET status = 'active', status_reason = NULL, credentials = $1, status_changed_at = $2 WHERE id = $3",
        )
        .bind(sealed_credentials)
        .bind(now_ms())
        .bind(id)
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
