//! The hourly clean-up: expired sessions, old sign-in failures and invitations, finished jobs,
//! the live inbox's events and presence older than a day; and the reading (language, sentiment, toxicity) of inbox messages stored before Relais read
//! messages at ingestion, the search index of messages stored before it existed (migration 20);
//! the metric rollups still to rebuild: samples recorded before the rollups existed
//! (migration 30), and zone changes whose own job did not finish; and the day and slot rollups
//! of post totals written before those existed (migration 90).

use crate::worker::{JobError, JobFuture, JobHandler};
use relais_store::{ClaimedJob, NewJob, Store};

pub struct Housekeeping {
    pub store: Store,
}

impl Housekeeping {
    pub const KIND: &'static str = "housekeeping";
    const HOUR_MS: i64 = 3_600_000;
    /// Messages read per write transaction, so that a large backlog does not hold the writer.
    const READ_BATCH: i64 = 500;

    /// Enqueues the run of the current hour unless one exists: every process may call this,
    /// the unique key makes it happen once per hour across the deployment.
    pub async fn schedule(store: &Store) -> relais_store::Result<()> {
        let now = relais_core::now_ms();
        let hour = now / Self::HOUR_MS;
        store
            .enqueue_job(&NewJob {
                kind: Self::KIND.into(),
                payload: serde_json::json!({}),
                run_at: now,
                unique_key: Some(format!("{}:{hour}", Self::KIND)),
                max_attempts: 3,
            })
            .await?;
        Ok(())
    }
}

impl JobHandler for Housekeeping {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    fn run<'a>(&'a self, _job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let day = 24 * Self::HOUR_MS;
            let removed = self.store.purge_stale_security_rows(day).await.map_err(|e| JobError::Transient(e.to_string()))?;
            let jobs =
                self.store.purge_finished_jobs(relais_core::now_ms() - 7 * day).await.map_err(|e| JobError::Transient(e.to_string()))?;
            let (events, presence) =
                self.store.purge_inbox_live(relais_core::now_ms() - day).await.map_err(|e| JobError::Transient(e.to_string()))?;
            let mut read = 0;
            loop {
                let n = self.store.understand_unread_messages(Self::READ_BATCH).await.map_err(|e| JobError::Transient(e.to_string()))?;
                read += n;
                if (n as i64) < Self::READ_BATCH {
                    break;
                }
            }
            let mut indexed = 0;
            loop {
                let n = self.store.index_unindexed_messages(Self::READ_BATCH).await.map_err(|e| JobError::Transient(e.to_string()))?;
                indexed += n;
                if (n as i64) < Self::READ_BATCH {
                    break;
                }
            }
            let missing = self.store.request_missing_metric_rollups().await.map_err(|e| JobError::Transient(e.to_string()))?;
            let due = self.store.metric_rollup_rebuilds_due().await.map_err(|e| JobError::Transient(e.to_string()))?;
            for workspace_id in &due {
                self.store.rebuild_metric_rollups(workspace_id).await.map_err(|e| JobError::Transient(e.to_string()))?;
            }
            let mut rolled = 0;
            loop {
                let n = self.store.roll_up_pending_totals(Self::READ_BATCH).await.map_err(|e| JobError::Transient(e.to_string()))?;
                rolled += n;
                if (n as i64) < Self::READ_BATCH {
                    break;
                }
            }
            tracing::info!(
                security_rows = removed,
                finished_jobs = jobs,
                inbox_events = events,
                inbox_presence = presence,
                messages_read = read,
                messages_indexed = indexed,
                post_totals_rolled_up = rolled,
                rollups_backfill_asked = missing,
                rollups_rebuilt = due.len(),
                "housekeeping done"
            );
            Ok(())
        })
    }
}
