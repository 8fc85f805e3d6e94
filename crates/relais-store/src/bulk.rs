//! Bulk loading for benchmarks and load tests: many accounts and due posts in few statements.
//! The rows are the same as the normal paths write, so the engine cannot tell them apart.

use crate::posts::PUBLISH_JOB;
use crate::sql::tuples;
use crate::{Result, Store};
use relais_core::{new_id, now_ms};

const CHUNK: usize = 400;

impl Store {
    /// Creates `count` sandbox accounts; `seal(id)` gives each one's sealed credentials.
    pub async fn bulk_sandbox_accounts(&self, workspace_id: &str, count: usize, seal: impl Fn(&str) -> String) -> Result<Vec<String>> {
        self.bulk_accounts(workspace_id, "sandbox", count, seal).await
    }

    /// Creates `count` accounts of one network (handles `<network>-bench<n>`); nothing is called
    /// on the network, so a benchmark can give the inbox accounts of several networks.
    pub async fn bulk_accounts(
        &self,
        workspace_id: &str,
        network: &str,
        count: usize,
        seal: impl Fn(&str) -> String,
    ) -> Result<Vec<String>> {
        let ids: Vec<String> = (0..count).map(|_| new_id()).collect();
        let now = now_ms();
        for (chunk_no, chunk) in ids.chunks(CHUNK).enumerate() {
            let sql = format!(
                "INSERT INTO social_accounts (id, workspace_id, network, handle, display_name, credentials, status, status_changed_at, created_at) VALUES {}",
                tuples(1, chunk.len(), 9)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (i, id) in chunk.iter().enumerate() {
                let handle = if network == "sandbox" {
                    format!("bench{}", chunk_no * CHUNK + i)
                } else {
                    format!("{network}-bench{}", chunk_no * CHUNK + i)
                };
                q = q
                    .bind(id)
                    .bind(workspace_id)
                    .bind(network)
                    .bind(handle.clone())
                    .bind(handle)
                    .bind(seal(id))
                    .bind("active")
                    .bind(now)
                    .bind(now);
            }
            q.execute(self.writer()).await?;
        }
        Ok(ids)
    }

    /// Creates `count` scheduled posts, one variant each, spread over `accounts` and due evenly
    /// between `first_due_ms` and `first_due_ms + spread_ms`, with their publish jobs.
    pub async fn bulk_due_posts(
        &self,
        workspace_id: &str,
        accounts: &[String],
        count: usize,
        first_due_ms: i64,
        spread_ms: i64,
    ) -> Result<()> {
        let now = now_ms();
        let mut start = 0;
        while start < count {
            let n = CHUNK.min(count - start);
            let rows: Vec<(String, String, i64, usize)> =
                (start..start + n).map(|i| (new_id(), new_id(), first_due_ms + spread_ms * i as i64 / count.max(1) as i64, i)).collect();
            let mut tx = self.begin_write().await?;
            let sql = format!(
                "INSERT INTO posts (id, workspace_id, state, title, scheduled_at, scheduled_local, scheduled_zone, schedule_version, created_at, updated_at) VALUES {}",
                tuples(1, n, 10)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (post, _, due, i) in &rows {
                q = q
                    .bind(post)
                    .bind(workspace_id)
                    .bind("scheduled")
                    .bind(format!("bench {i}"))
                    .bind(*due)
                    .bind("bench")
                    .bind("UTC")
                    .bind(1i64)
                    .bind(now)
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
            let sql = format!(
                "INSERT INTO post_variants (id, post_id, account_id, text, state, idempotency_key, attempts) VALUES {}",
                tuples(1, n, 7)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (post, variant, _, i) in &rows {
                q = q
                    .bind(variant)
                    .bind(post)
                    .bind(&accounts[i % accounts.len()])
                    .bind(format!("Post de test n°{i}"))
                    .bind("pending")
                    .bind(format!("relais-{variant}"))
                    .bind(0i64);
            }
            q.execute(&mut *tx).await?;
            let sql = format!(
                "INSERT INTO jobs (id, kind, payload, unique_key, status, run_at, attempts, max_attempts, created_at, updated_at) VALUES {}",
                tuples(1, n, 10)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (_, variant, due, _) in &rows {
                q = q
                    .bind(new_id())
                    .bind(PUBLISH_JOB)
                    .bind(serde_json::json!({"variant": variant, "version": 1}).to_string())
                    .bind(format!("{PUBLISH_JOB}:{variant}:1"))
                    .bind("queued")
                    .bind(*due)
                    .bind(0i64)
                    .bind(8i64)
                    .bind(now)
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
            tx.commit().await?;
            start += n;
        }
        Ok(())
    }

    /// Moves every scheduled post and queued publish job of the database by `delta_ms`. Only for
    /// a benchmark's own database: it seeds first, then sets the clock, so that seeding time does
    /// not count as publish lag.
    pub async fn shift_all_due(&self, delta_ms: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE jobs SET run_at = run_at + $1 WHERE status = 'queued' AND kind = $2")
            .bind(delta_ms)
            .bind(PUBLISH_JOB)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE posts SET scheduled_at = scheduled_at + $1 WHERE state = 'scheduled'").bind(delta_ms).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// (scheduled_at, published_at) of every published variant of the workspace.
    pub async fn publish_times(&self, workspace_id: &str) -> Result<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT p.scheduled_at, v.published_at FROM post_variants v JOIN posts p ON p.id = v.post_id
             WHERE p.workspace_id = $1 AND v.state = 'published'",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Creates an empty database on the PostgreSQL server of `server_url`; returns its URL.
    pub async fn create_postgres_database(server_url: &str, name: &str) -> Result<String> {
        let base = server_url.trim_end_matches('/');
        let admin = Store::connect(&format!("{base}/postgres")).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(admin.pool()).await?;
        admin.close().await;
        Ok(format!("{base}/{name}"))
    }

    pub async fn drop_postgres_database(server_url: &str, name: &str) -> Result<()> {
        let admin = Store::connect(&format!("{}/postgres", server_url.trim_end_matches('/'))).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(admin.pool()).await?;
        admin.close().await;
        Ok(())
    }

    /// Spreads the team's work over a benchmark's inbox the way a busy desk looks: 60% of the
    /// messages resolved and 15% pending, one in seven assigned (round robin over `assignees`),
    /// and feedback tags on some (complaints on a quarter of the negative ones, praise on a
    /// quarter of the positive ones, recurring questions on one in fifty).
    pub async fn bulk_inbox_work(&self, workspace_id: &str, assignees: &[String]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for sql in [
            "UPDATE inbox_messages SET status = 'resolved', first_response_at = created_at + 600000, resolved_at = created_at + 3600000
             WHERE workspace_id = $1 AND created_at % 100 < 60",
            "UPDATE inbox_messages SET status = 'pending', first_response_at = created_at + 900000
             WHERE workspace_id = $1 AND created_at % 100 >= 60 AND created_at % 100 < 75",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(workspace_id).execute(&mut *tx).await?;
        }
        for (i, user) in assignees.iter().enumerate() {
            sqlx::query("UPDATE inbox_messages SET assignee_id = $1 WHERE workspace_id = $2 AND created_at % $3 = $4")
                .bind(user)
                .bind(workspace_id)
                .bind(7 * assignees.len() as i64)
                .bind(i as i64)
                .execute(&mut *tx)
                .await?;
        }
        for (tag, condition) in [
            ("complaint", "sentiment = 'negative' AND created_at % 4 = 0"),
            ("praise", "sentiment = 'positive' AND created_at % 4 = 1"),
            ("recurring-question", "created_at % 50 = 2"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO inbox_message_tags (message_id, tag, tagged_by, tagged_at)
                 SELECT id, '{tag}', 'bench', created_at FROM inbox_messages WHERE workspace_id = $1 AND {condition}
                 ON CONFLICT DO NOTHING"
            )))
            .bind(workspace_id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
