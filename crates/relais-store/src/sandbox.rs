//! The sandbox network's own storage (its "server side"). The sandbox deliberately does not
//! deduplicate: counting its posts is how tests prove Relais publishes exactly once.

use crate::{Result, Store};
use relais_core::{new_id, now_ms};

impl Store {
    pub async fn sandbox_create_post(&self, account_id: &str, idempotency_key: &str, text: &str) -> Result<String> {
        let id = new_id();
        sqlx::query("INSERT INTO sandbox_posts (id, account_id, idempotency_key, text, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(account_id)
            .bind(idempotency_key)
            .bind(text)
            .bind(now_ms())
            .execute(self.writer())
            .await?;
        Ok(id)
    }

    pub async fn sandbox_find_post(&self, account_id: &str, idempotency_key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT id FROM sandbox_posts WHERE account_id = $1 AND idempotency_key = $2 ORDER BY created_at LIMIT 1")
            .bind(account_id)
            .bind(idempotency_key)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn sandbox_posts_since(&self, account_id: &str, since_ms: i64) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_posts WHERE account_id = $1 AND created_at > $2")
            .bind(account_id)
            .bind(since_ms)
            .fetch_one(self.pool())
            .await?)
    }

    /// How many sandbox posts carry each idempotency key more than once (should be none).
    pub async fn sandbox_duplicate_keys(&self) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT idempotency_key FROM sandbox_posts GROUP BY idempotency_key HAVING COUNT(*) > 1) d",
        )
        .fetch_one(self.pool())
        .await?)
    }

    pub async fn sandbox_post_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sandbox_posts").fetch_one(self.pool()).await?)
    }
}
