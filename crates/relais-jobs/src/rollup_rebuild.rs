//! The rebuild of a workspace's metric rollups, asked for when its time zone changes (day buckets
//! move). The request row is the source of truth (`metric_rollup_rebuilds`); this job serves it
//! soon after the change, and the hourly housekeeping serves any left behind. A rebuild replaces
//! rows, so a retry or a second run is harmless.

use crate::worker::{JobError, JobFuture, JobHandler};
use relais_store::{ClaimedJob, REBUILD_ROLLUPS_JOB, Store};

pub struct RollupRebuilder {
    pub store: Store,
}

impl JobHandler for RollupRebuilder {
    fn kind(&self) -> &'static str {
        REBUILD_ROLLUPS_JOB
    }

    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let workspace_id = job.payload["workspace_id"]
                .as_str()
                .ok_or_else(|| JobError::Permanent("rollup rebuild job without a workspace_id".into()))?;
            self.store.rebuild_metric_rollups(workspace_id).await.map_err(|e| JobError::Transient(format!("database: {e}")))
        })
    }
}
