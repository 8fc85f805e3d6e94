//! The durable job queue that every worker process shares.
//!
//! A job is a row. Workers claim due jobs by taking a lease (owner + expiry); a worker that dies
//! loses its lease when it expires and the job becomes claimable again. On PostgreSQL the claim
//! skips rows another worker is claiming (`FOR UPDATE SKIP LOCKED`); SQLite has one writer.

use crate::sql::{rows_per_statement, tuples};
use crate::{Backend, Result, Store};
use relais_core::{new_id, now_ms};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
        }
    }
    fn parse(s: &str) -> Option<JobStatus> {
        [JobStatus::Queued, JobStatus::Running, JobStatus::Done, JobStatus::Failed].into_iter().find(|j| j.as_str() == s)
    }
}

/// A job to enqueue. With a `unique_key`, enqueueing the same key twice creates one job.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: i64,
    pub unique_key: Option<String>,
    pub max_attempts: i64,
}

/// A job this worker holds the lease of.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedJob {
    pub id: String,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Including this one.
    pub attempts: i64,
    pub max_attempts: i64,
}

impl Store {
    /// Enqueues a job; returns its id, or `None` when a job with the same unique key exists.
    pub async fn enqueue_job(&self, job: &NewJob) -> Result<Option<String>> {
        insert_job(self.writer(), job).await
    }

    /// Claims up to `limit` due jobs (queued and due, or running with an expired lease) for
    /// `owner`, leasing them for `lease_ms`.
    pub async fn claim_jobs(&self, owner: &str, limit: i64, lease_ms: i64) -> Result<Vec<ClaimedJob>> {
        self.claim_jobs_at(owner, limit, lease_ms, now_ms()).await
    }

    /// [`Store::claim_jobs`] as if the clock read `now` (epoch ms): tests of lease expiry need
    /// no sleeping.
    pub async fn claim_jobs_at(&self, owner: &str, limit: i64, lease_ms: i64, now: i64) -> Result<Vec<ClaimedJob>> {
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE jobs SET status = 'running', lease_owner = $1, lease_expires_at = $2, attempts = attempts + 1, updated_at = $3
             WHERE id IN (
                SELECT id FROM jobs
                WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND lease_expires_at <= $3)
                ORDER BY run_at LIMIT $4 {lock}
             )
             RETURNING id, kind, payload, attempts, max_attempts"
        );
        let mut tx = self.begin_write().await?;
        let rows: Vec<(String, String, String, i64, i64)> =
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(owner).bind(now + lease_ms).bind(now).bind(limit).fetch_all(&mut *tx).await?;
        tx.commit().await?;
        Ok(rows
            .into_iter()
            .map(|(id, kind, payload, attempts, max_attempts)| ClaimedJob {
                id,
                kind,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                attempts,
                max_attempts,
            })
            .collect())
    }

    /// Marks a job done. Returns false when `owner` no longer held the lease (another worker
    /// took it over after expiry), so the caller knows its result was not the one recorded.
    pub async fn complete_job(&self, id: &str, owner: &str) -> Result<bool> {
        self.finish_job(id, owner, JobStatus::Done, None, None, 0).await
    }

    /// Marks jobs done in one statement; returns how many this owner still held.
    pub async fn complete_jobs(&self, ids: &[String], owner: &str) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let list = crate::sql::params(3, ids.len());
        let sql = format!(
            "UPDATE jobs SET status = 'done', lease_owner = NULL, lease_expires_at = NULL, updated_at = $1
             WHERE lease_owner = $2 AND status = 'running' AND id IN ({list})"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now_ms()).bind(owner);
        for id in ids {
            q = q.bind(id);
        }
        Ok(q.execute(self.writer()).await?.rows_affected())
    }

    /// Puts a job back in the queue to run again at `run_at`, recording why.
    pub async fn retry_job(&self, id: &str, owner: &str, run_at: i64, error: &str) -> Result<bool> {
        self.finish_job(id, owner, JobStatus::Queued, Some(run_at), Some(error), 0).await
    }

    /// Puts a job back for later without counting this run as an attempt: for waits that are
    /// not failures (a rate limit, a paused account).
    pub async fn defer_job(&self, id: &str, owner: &str, run_at: i64, reason: &str) -> Result<bool> {
        self.finish_job(id, owner, JobStatus::Queued, Some(run_at), Some(reason), 1).await
    }

    pub async fn fail_job(&self, id: &str, owner: &str, error: &str) -> Result<bool> {
        self.finish_job(id, owner, JobStatus::Failed, None, Some(error), 0).await
    }

    /// Releases a job this owner holds into `status`; `refund` attempts are given back (a deferral
    /// is not an attempt).
    async fn finish_job(
        &self,
        id: &str,
        owner: &str,
        status: JobStatus,
        run_at: Option<i64>,
        error: Option<&str>,
        refund: i64,
    ) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE jobs SET status = $1, run_at = COALESCE($2, run_at), last_error = COALESCE($3, last_error),
                attempts = attempts - $7, lease_owner = NULL, lease_expires_at = NULL, updated_at = $4
             WHERE id = $5 AND lease_owner = $6 AND status = 'running'",
        )
        .bind(status.as_str())
        .bind(run_at)
        .bind(error)
        .bind(now_ms())
        .bind(id)
        .bind(owner)
        .bind(refund)
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// A job's status, attempts and last error, for tests and the admin view.
    pub async fn job_state(&self, id: &str) -> Result<Option<(JobStatus, i64, Option<String>)>> {
        let row: Option<(String, i64, Option<String>)> =
            sqlx::query_as("SELECT status, attempts, last_error FROM jobs WHERE id = $1").bind(id).fetch_optional(self.pool()).await?;
        Ok(row.and_then(|(s, a, e)| JobStatus::parse(&s).map(|s| (s, a, e))))
    }

    /// Deletes finished jobs older than `before_ms`.
    pub async fn purge_finished_jobs(&self, before_ms: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM jobs WHERE status IN ('done', 'failed') AND updated_at < $1")
            .bind(before_ms)
            .execute(self.writer())
            .await?
            .rows_affected())
    }
}

/// Inserts a job through any executor, so that a caller can enqueue inside its own transaction
/// (a post is scheduled and its publish jobs exist, or neither).
pub(crate) async fn insert_job<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(executor: E, job: &NewJob) -> Result<Option<String>> {
    let id = new_id();
    let now = now_ms();
    let n = sqlx::query(
        "INSERT INTO jobs (id, kind, payload, unique_key, status, run_at, attempts, max_attempts, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'queued', $5, 0, $6, $7, $7)
         ON CONFLICT (unique_key) DO NOTHING",
    )
    .bind(&id)
    .bind(&job.kind)
    .bind(job.payload.to_string())
    .bind(job.unique_key.as_deref())
    .bind(job.run_at)
    .bind(job.max_attempts)
    .bind(now)
    .execute(executor)
    .await?
    .rows_affected();
    Ok((n == 1).then_some(id))
}

/// Queues `jobs` in the caller's transaction, a few statements for any number; a job whose
/// unique key is already queued is skipped, as with [`insert_job`].
pub(crate) async fn insert_jobs(tx: &mut sqlx::Transaction<'static, sqlx::Any>, jobs: &[NewJob]) -> Result<()> {
    let now = now_ms();
    for chunk in jobs.chunks(rows_per_statement(10)) {
        let sql = format!(
            "INSERT INTO jobs (id, kind, payload, unique_key, status, run_at, attempts, max_attempts, created_at, updated_at)
             VALUES {} ON CONFLICT (unique_key) DO NOTHING",
            tuples(1, chunk.len(), 10)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for job in chunk {
            q = q
                .bind(new_id())
                .bind(&job.kind)
                .bind(job.payload.to_string())
                .bind(job.unique_key.as_deref())
                .bind("queued")
                .bind(job.run_at)
                .bind(0_i64)
                .bind(job.max_attempts)
                .bind(now)
                .bind(now);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}
