//! Browser sessions. The cookie carries a random token; the database keeps only its digest, so
//! every process sees every session and "sign out everywhere" is one DELETE.

use crate::{Result, Store};
use relais_core::{now_ms, token};

/// A live session as a request sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: String,
    pub csrf_token: String,
    pub expires_at: i64,
}

impl Store {
    /// Opens a session for the user; returns the token for the cookie and the session record.
    pub async fn create_session(&self, user_id: &str, ttl_ms: i64) -> Result<(String, SessionRecord)> {
        let session_token = token::generate("rs");
        let csrf_token = token::generate("csrf");
        let now = now_ms();
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token::digest(&session_token))
            .bind(user_id)
            .bind(&csrf_token)
            .bind(now)
            .bind(now + ttl_ms)
            .execute(self.writer())
            .await?;
        Ok((session_token, SessionRecord { user_id: user_id.into(), csrf_token, expires_at: now + ttl_ms }))
    }

    /// The session behind a cookie token, if it exists and has not expired.
    pub async fn session(&self, session_token: &str) -> Result<Option<SessionRecord>> {
        let row: Option<(String, String, i64)> =
            sqlx::query_as("SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2")
                .bind(token::digest(session_token))
                .bind(now_ms())
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(user_id, csrf_token, expires_at)| SessionRecord { user_id, csrf_token, expires_at }))
    }

    pub async fn delete_session(&self, session_token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token::digest(session_token)).execute(self.writer()).await?;
        Ok(())
    }

    /// Ends every session of the user, on every device; returns how many there were.
    pub async fn delete_sessions_of_user(&self, user_id: &str) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(self.writer()).await?.rows_affected())
    }

    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now_ms()).execute(self.writer()).await?.rows_affected())
    }
}
