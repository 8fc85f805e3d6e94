//! Failed sign-ins, counted in the database so that every process enforces the same limit.

use crate::{Result, Store};
use relais_core::{new_id, now_ms};

impl Store {
    pub async fn record_sign_in_failure(&self, email: &str, client_ip: &str) -> Result<()> {
        sqlx::query("INSERT INTO sign_in_failures (id, email, client_ip, at) VALUES ($1, $2, $3, $4)")
            .bind(new_id())
            .bind(email)
            .bind(client_ip)
            .bind(now_ms())
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Failures since `since_ms` for this email, and for this client address.
    pub async fn sign_in_failures_since(&self, email: &str, client_ip: &str, since_ms: i64) -> Result<(i64, i64)> {
        let by_email: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures WHERE email = $1 AND at > $2")
            .bind(email)
            .bind(since_ms)
            .fetch_one(self.pool())
            .await?;
        let by_ip: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sign_in_failures WHERE client_ip = $1 AND at > $2")
            .bind(client_ip)
            .bind(since_ms)
            .fetch_one(self.pool())
            .await?;
        Ok((by_email, by_ip))
    }

    /// Forgets the failures of an email after a successful sign-in.
    pub async fn clear_sign_in_failures(&self, email: &str) -> Result<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE email = $1").bind(email).execute(self.writer()).await?;
        Ok(())
    }

    pub async fn purge_sign_in_failures_before(&self, before_ms: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sign_in_failures WHERE at < $1").bind(before_ms).execute(self.writer()).await?.rows_affected())
    }

    /// Removes old data that only security features used: expired sessions, old failures,
    /// invitations expired for a month. Returns how many rows went.
    pub async fn purge_stale_security_rows(&self, failures_older_than_ms: i64) -> Result<u64> {
        let now = now_ms();
        let a = self.purge_expired_sessions().await?;
        let b = self.purge_sign_in_failures_before(now - failures_older_than_ms).await?;
        let c = sqlx::query("DELETE FROM invitations WHERE accepted_at IS NULL AND expires_at < $1")
            .bind(now - 30 * 24 * 3600 * 1000)
            .execute(self.writer())
            .await?
            .rows_affected();
        Ok(a + b + c)
    }
}
