//! The metrics collection job: per account, the counters of its variants published in the last
//! days and its own counters, stored as samples of a time series. Scheduled like the activity
//! sync, one job per account and slot.

use crate::account_access::{job_error, open, pause, store_error};
use crate::activity_sync::schedule_per_account;
use crate::worker::{JobError, JobFuture, JobHandler};
use relais_core::now_ms;
use relais_core::secrets::SecretBox;
use relais_networks::{NetworkError, Registry};
use relais_store::{AccountMetricSample, ClaimedJob, PostMetricSample, Store};
use std::collections::HashMap;

/// Posts asked per call (networks cap their batch look-ups: 25 on Bluesky's getPosts).
const BATCH: usize = 25;

pub struct MetricsCollector {
    pub store: Store,
    pub networks: Registry,
    pub secrets: SecretBox,
    /// Variants published this many days ago or less are followed.
    pub lookback_days: i64,
}

impl MetricsCollector {
    pub const KIND: &'static str = "collect_metrics";

    /// Enqueues a collection for every active account whose network gives metrics, once per
    /// `interval_ms` slot across every process.
    pub async fn schedule(store: &Store, networks: &Registry, interval_ms: i64) -> relais_store::Result<usize> {
        schedule_per_account(store, networks, Self::KIND, interval_ms, |c| c.metrics).await
    }

    async fn collect(&self, account_id: &str) -> Result<(), JobError> {
        let Some(o) = open(&self.store, &self.networks, &self.secrets, account_id).await? else { return Ok(()) };
        if o.account.is_paused() || !o.network.capabilities().metrics {
            return Ok(());
        }
        let taken_at = now_ms();
        let variants =
            self.store.published_variants_since(&o.account.id, taken_at - self.lookback_days * 86_400_000).await.map_err(store_error)?;
        let by_remote: HashMap<&str, &str> = variants.iter().map(|(v, r)| (r.as_str(), v.as_str())).collect();
        let remote_ids: Vec<String> = variants.iter().map(|(_, r)| r.clone()).collect();
        let mut samples = vec![];
        for chunk in remote_ids.chunks(BATCH) {
            match o.network.post_metrics(&o.remote, chunk).await {
                Ok(metrics) => samples.extend(metrics.into_iter().filter_map(|m| {
                    Some(PostMetricSample {
                        variant_id: by_remote.get(m.remote_id.as_str())?.to_string(),
                        taken_at,
                        likes: m.likes,
                        replies: m.replies,
                        reposts: m.reposts,
                        quotes: m.quotes,
                        impressions: m.impressions,
                        reach: m.reach,
                        link_clicks: m.link_clicks,
                    })
                })),
                Err(NetworkError::NotOffered { .. }) => break,
                Err(NetworkError::AuthExpired(reason)) => return pause(&self.store, &o.account, &reason).await,
                Err(e) => return Err(job_error(e)),
            }
        }
        self.store.record_post_metrics(&samples).await.map_err(store_error)?;
        match o.network.account_metrics(&o.remote).await {
            Ok(m) => {
                let sample = AccountMetricSample {
                    account_id: o.account.id.clone(),
                    taken_at,
                    followers: m.followers,
                    following: m.following,
                    posts: m.posts,
                };
                self.store.record_account_metrics(&sample).await.map_err(store_error)
            }
            Err(NetworkError::NotOffered { .. }) => Ok(()),
            Err(NetworkError::AuthExpired(reason)) => pause(&self.store, &o.account, &reason).await,
            Err(e) => Err(job_error(e)),
        }
    }
}

impl JobHandler for MetricsCollector {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let Some(account) = job.payload["account"].as_str() else {
                return Err(JobError::Permanent("metrics job without an account".into()));
            };
            self.collect(account).await
        })
    }
}
