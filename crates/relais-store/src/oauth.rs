//! OAuth authorisations with Mastodon-compatible instances: the application Relais registered
//! on each instance (reused for every account there), and the `state` of each authorisation
//! under way, which ties the instance's answer to the member and workspace that asked.

use crate::{Result, Store};
use relais_core::{now_ms, token};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct OAuthApp {
    pub client_id: String,
    /// Sealed with [`OAuthApp::secret_context`].
    pub client_secret: String,
}

impl OAuthApp {
    /// The associated data that binds a sealed client secret to its instance.
    pub fn secret_context(network: &str, instance: &str) -> String {
        format!("oauth_app:{network}:{instance}:client_secret")
    }
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct OAuthState {
    pub workspace_id: String,
    pub user_id: String,
    pub network: String,
    pub instance: String,
    pub redirect_uri: String,
}

impl Store {
    pub async fn oauth_app(&self, network: &str, instance: &str, redirect_uri: &str) -> Result<Option<OAuthApp>> {
        Ok(sqlx::query_as("SELECT client_id, client_secret FROM oauth_apps WHERE network = $1 AND instance = $2 AND redirect_uri = $3")
            .bind(network)
            .bind(instance)
            .bind(redirect_uri)
            .fetch_optional(self.pool())
            .await?)
    }

    /// Keeps a registration; when two members registered at once, the first one stays and is
    /// returned (both authorisations then use it).
    pub async fn save_oauth_app(&self, network: &str, instance: &str, redirect_uri: &str, app: &OAuthApp) -> Result<OAuthApp> {
        sqlx::query(
            "INSERT INTO oauth_apps (network, instance, redirect_uri, client_id, client_secret, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (network, instance, redirect_uri) DO NOTHING",
        )
        .bind(network)
        .bind(instance)
        .bind(redirect_uri)
        .bind(&app.client_id)
        .bind(&app.client_secret)
        .bind(now_ms())
        .execute(self.writer())
        .await?;
        Ok(self.oauth_app(network, instance, redirect_uri).await?.unwrap_or_else(|| app.clone()))
    }

    /// Records an authorisation under way; `state` is the random value sent to the instance.
    pub async fn begin_oauth(&self, state: &str, started: &OAuthState, ttl_ms: i64) -> Result<()> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        // Old, abandoned authorisations go as new ones start.
        sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1").bind(now).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO oauth_states (state_hash, workspace_id, user_id, network, instance, redirect_uri, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(token::digest(state))
        .bind(&started.workspace_id)
        .bind(&started.user_id)
        .bind(&started.network)
        .bind(&started.instance)
        .bind(&started.redirect_uri)
        .bind(now + ttl_ms)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The authorisation this `state` belongs to, once: a second use finds nothing.
    pub async fn take_oauth_state(&self, state: &str) -> Result<Option<OAuthState>> {
        Ok(sqlx::query_as(
            "DELETE FROM oauth_states WHERE state_hash = $1 AND expires_at > $2
             RETURNING workspace_id, user_id, network, instance, redirect_uri",
        )
        .bind(token::digest(state))
        .bind(now_ms())
        .fetch_optional(self.writer())
        .await?)
    }
}
