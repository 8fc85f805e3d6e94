//! Withdrawing published posts from their networks. A member asks (the published variants are
//! marked `pending` and a job per variant is queued, in one transaction); the job deletes the
//! post on the network and records the outcome. The post keeps its history and stays
//! "published" in the calendar, with each variant saying it was withdrawn, when, and by whom.

use crate::jobs::insert_job;
use crate::posts::{Actor, record_event};
use crate::{NewJob, Result, Store, StoreError};
use relais_core::now_ms;
use relais_core::workflow::PostState;
use sqlx::FromRow;

/// The job kind that deletes one variant's post on its network.
pub const WITHDRAW_JOB: &str = "withdraw";

/// A variant's withdrawal as the post page shows it.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Withdrawal {
    pub variant_id: String,
    /// pending | done | failed
    pub state: String,
    pub requested_at: i64,
    pub requested_by: Option<String>,
    pub removed_at: Option<i64>,
    pub error: Option<String>,
}

/// What the job needs to delete the post.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct WithdrawTarget {
    pub variant_id: String,
    pub post_id: String,
    pub remote_id: String,
    pub removal_state: String,
    pub account_id: String,
    pub network: String,
    pub handle: String,
    /// Sealed.
    pub credentials: String,
    pub status: String,
}

impl Store {
    /// Asks for the post's published variants (all, or those on `accounts`) to be deleted on
    /// their networks. Returns the variants queued; variants not published, already withdrawn or
    /// being withdrawn are left alone, so asking twice queues nothing more.
    pub async fn request_withdrawal(&self, post_id: &str, accounts: Option<&[String]>, actor: &Actor) -> Result<Vec<String>> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let state: Option<String> =
            sqlx::query_scalar("SELECT state FROM posts WHERE id = $1").bind(post_id).fetch_optional(&mut *tx).await?;
        let state = state.ok_or(StoreError::NotFound("post"))?;
        if state != PostState::Published.as_str() {
            return Err(StoreError::Conflict(format!("only a published post can be withdrawn; this one is {state}")));
        }
        let candidates: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, account_id FROM post_variants
             WHERE post_id = $1 AND state = 'published' AND remote_id IS NOT NULL AND (removal_state IS NULL OR removal_state = 'failed')
             ORDER BY id",
        )
        .bind(post_id)
        .fetch_all(&mut *tx)
        .await?;
        let chosen: Vec<String> =
            candidates.into_iter().filter(|(_, a)| accounts.is_none_or(|only| only.contains(a))).map(|(v, _)| v).collect();
        for variant in &chosen {
            sqlx::query(
                "UPDATE post_variants SET removal_state = 'pending', removal_requested_at = $1, removal_requested_by = $2, removal_error = NULL
                 WHERE id = $3",
            )
            .bind(now)
            .bind(&actor.label)
            .bind(variant)
            .execute(&mut *tx)
            .await?;
            let job = NewJob {
                kind: WITHDRAW_JOB.into(),
                payload: serde_json::json!({ "variant_id": variant }),
                run_at: now,
                // A failed withdrawal asked again gets a new job: the key names the request.
                unique_key: Some(format!("withdraw:{variant}:{now}")),
                max_attempts: 8,
            };
            insert_job(&mut *tx, &job).await?;
        }
        if !chosen.is_empty() {
            let published = PostState::Published;
            let comment = format!("{} variant(s)", chosen.len());
            record_event(&mut tx, post_id, actor, "withdraw", published, published, Some(&comment)).await?;
        }
        tx.commit().await?;
        Ok(chosen)
    }

    pub async fn withdrawals(&self, post_id: &str) -> Result<Vec<Withdrawal>> {
        Ok(sqlx::query_as(
            "SELECT id AS variant_id, removal_state AS state, removal_requested_at AS requested_at, removal_requested_by AS requested_by,
                    removed_at, removal_error AS error
             FROM post_variants WHERE post_id = $1 AND removal_state IS NOT NULL ORDER BY id",
        )
        .bind(post_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn withdraw_target(&self, variant_id: &str) -> Result<Option<WithdrawTarget>> {
        Ok(sqlx::query_as(
            "SELECT v.id AS variant_id, v.post_id, v.remote_id, v.removal_state, a.id AS account_id, a.network, a.handle, a.credentials, a.status
             FROM post_variants v JOIN social_accounts a ON a.id = v.account_id
             WHERE v.id = $1 AND v.remote_id IS NOT NULL AND v.removal_state IS NOT NULL",
        )
        .bind(variant_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Records a withdrawal's outcome: `Ok` when the network no longer has the post.
    pub async fn finish_withdrawal(&self, variant_id: &str, outcome: std::result::Result<(), &str>) -> Result<()> {
        let q = match outcome {
            Ok(()) => sqlx::query("UPDATE post_variants SET removal_state = 'done', removed_at = $1, removal_error = NULL WHERE id = $2")
                .bind(now_ms())
                .bind(variant_id),
            Err(error) => sqlx::query("UPDATE post_variants SET removal_state = 'failed', removal_error = $1 WHERE id = $2")
                .bind(error.to_string())
                .bind(variant_id),
        };
        q.execute(self.writer()).await?;
        Ok(())
    }
}
