//! The publish job: one variant of a scheduled post, to one account, exactly once: its text and
//! link, its media (handed to the network as files of the media directory), its thread and its
//! first comment, as one unit.
//!
//! The variant's idempotency key was chosen when the post was created. Before calling the
//! network the attempt is recorded; if an earlier attempt's outcome is unknown (the worker died
//! during the call), the network is asked for a post with that key before anything is sent
//! again. Transient errors retry with backoff; a refusal fails the post with the network's own
//! words; a rate limit waits the time asked; an expired or revoked token pauses the account
//! (the post waits, the members see why).
//!
//! A worker hands over its claimed publish jobs together: the attempts of the whole batch are
//! recorded in one transaction and the outcomes in another, so the database work per post stays
//! small while the network calls run concurrently.

use crate::worker::{BatchFuture, JobError, JobFuture, JobHandler};
use relais_core::now_ms;
use relais_core::secrets::SecretBox;
use relais_networks::{AccountRef, MediaRef, Network, NetworkError, PublishRequest, Published, Registry, Visibility};
use relais_store::{ClaimedJob, Media, MediaFiles, PUBLISH_JOB, PublishTarget, SocialAccount, Store, StoreError, VariantOutcome};
use std::collections::HashMap;
use std::sync::Arc;

/// How long a job for a paused account waits before looking again.
const PAUSED_RECHECK_MS: i64 = 5 * 60_000;

pub struct Publisher {
    pub store: Store,
    pub networks: Registry,
    pub secrets: SecretBox,
    /// The media library's files, whose paths the networks are handed; `None` in a process
    /// without a media directory, where a post with media fails with a message saying so.
    pub media: Option<MediaFiles>,
}

fn paused(handle: &str, reason: &str) -> JobError {
    JobError::Defer { run_at: now_ms() + PAUSED_RECHECK_MS, reason: format!("waiting: the account {handle} is paused ({reason})") }
}

/// A job ready for the network.
struct Ready {
    index: usize,
    target: PublishTarget,
    media: Vec<MediaRef>,
    network: Arc<dyn Network>,
    account: AccountRef,
}

/// What a network needs to upload one item: its facts and where its file is.
fn media_ref(files: &MediaFiles, m: &Media) -> Result<MediaRef, String> {
    let path = files.original_path(&m.sha256).map_err(|e| format!("media item {:?}: {e}", m.filename))?;
    let facts = m.facts();
    Ok(MediaRef {
        sha256: m.sha256.clone(),
        mime: m.mime.clone(),
        kind: facts.kind,
        bytes: facts.bytes,
        width: facts.width,
        height: facts.height,
        duration_ms: m.duration_ms,
        alt_text: m.alt_text.clone(),
        path,
    })
}

impl JobHandler for Publisher {
    fn kind(&self) -> &'static str {
        PUBLISH_JOB
    }

    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move { self.publish_batch(std::slice::from_ref(job)).await.remove(0) })
    }

    fn run_batch<'a>(&'a self, jobs: &'a [ClaimedJob]) -> BatchFuture<'a> {
        Box::pin(self.publish_batch(jobs))
    }

    /// Every run died with its worker, maybe after the network took the post: the network is
    /// asked for it by key before the variant is called failed, so a post that went out is
    /// recorded as published and one that did not says to publish it again.
    fn gave_up<'a>(&'a self, job: &'a ClaimedJob, reason: &'a str) -> JobFuture<'a> {
        Box::pin(async move {
            let Some(variant) = job.payload["variant"].as_str() else { return Ok(()) };
            let db = |e: StoreError| JobError::Transient(format!("database: {e}"));
            let Some(target) = self.store.publish_targets(&[variant.to_string()]).await.map_err(db)?.pop() else { return Ok(()) };
            let current = target.schedule_version == job.payload["version"].as_i64().unwrap_or(-1);
            if !current || !matches!(target.post_state.as_str(), "scheduled" | "publishing") {
                return Ok(());
            }
            // The check counts as an attempt and moves the post on, like any run would.
            if self.store.begin_publish_attempts(std::slice::from_ref(&target.variant_id)).await.map_err(db)?.is_empty() {
                return Ok(());
            }
            let found = match (
                self.networks.get(&target.network),
                self.secrets.open(&target.credentials, &SocialAccount::credentials_context(&target.account_id)),
            ) {
                (Some(network), Ok(credentials)) => {
                    let account = AccountRef { id: target.account_id.clone(), handle: target.handle.clone(), credentials };
                    network.find_published(&account, &target.idempotency_key).await
                }
                _ => Ok(None),
            };
            let outcome = match found {
                Ok(Some(p)) => VariantOutcome::Published { remote_id: p.remote_id, remote_url: p.url },
                Ok(None) => VariantOutcome::Failed { error: format!("{reason}; the network has no such post: publish it again") },
                Err(e) => VariantOutcome::Failed {
                    error: format!("{reason}; whether the network has the post is unknown ({e}): check it before publishing again"),
                },
            };
            self.store.finish_variants(&[(target.variant_id, outcome)]).await.map_err(db)?;
            Ok(())
        })
    }
}

impl Publisher {
    async fn publish_batch(&self, jobs: &[ClaimedJob]) -> Vec<Result<(), JobError>> {
        match self.try_publish_batch(jobs).await {
            Ok(results) => results,
            // The database failed between steps: every job is retried, and the recorded attempts
            // make the retry ask the network before posting again.
            Err(e) => {
                let msg = format!("database: {e}");
                jobs.iter().map(|_| Err(JobError::Transient(msg.clone()))).collect()
            }
        }
    }

    async fn try_publish_batch(&self, jobs: &[ClaimedJob]) -> Result<Vec<Result<(), JobError>>, StoreError> {
        let mut results: Vec<Result<(), JobError>> = jobs.iter().map(|_| Ok(())).collect();
        let wanted: Vec<(usize, String, i64)> = jobs
            .iter()
            .enumerate()
            .filter_map(|(i, j)| Some((i, j.payload["variant"].as_str()?.to_string(), j.payload["version"].as_i64().unwrap_or(-1))))
            .collect();
        for (i, j) in jobs.iter().enumerate() {
            if j.payload["variant"].as_str().is_none() {
                results[i] = Err(JobError::Permanent("publish job without a variant".into()));
            }
        }
        let ids: Vec<String> = wanted.iter().map(|w| w.1.clone()).collect();
        let mut targets: HashMap<String, PublishTarget> =
            self.store.publish_targets(&ids).await?.into_iter().map(|t| (t.variant_id.clone(), t)).collect();
        // Most posts carry no media: read the details only for those that do.
        let with_media: Vec<String> = targets.values().filter(|t| t.media_count > 0).map(|t| t.variant_id.clone()).collect();
        let mut media = self.store.variant_media(&with_media).await?;

        let mut ready = vec![];
        let mut failed_early = vec![];
        for (index, variant_id, version) in wanted {
            // A deleted post, or one rescheduled, unscheduled or cancelled since the job was
            // queued: nothing to do.
            let Some(target) = targets.remove(&variant_id) else { continue };
            if target.schedule_version != version || !matches!(target.post_state.as_str(), "scheduled" | "publishing") {
                continue;
            }
            if target.status == "paused" {
                results[index] = Err(paused(&target.handle, target.status_reason.as_deref().unwrap_or("")));
                continue;
            }
            let Some(network) = self.networks.get(&target.network) else {
                let error = format!("this Relais cannot publish to {:?}", target.network);
                failed_early.push((target.variant_id.clone(), VariantOutcome::Failed { error: error.clone() }));
                results[index] = Err(JobError::Permanent(error));
                continue;
            };
            let credentials = match self.secrets.open(&target.credentials, &SocialAccount::credentials_context(&target.account_id)) {
                Ok(c) => c,
                Err(e) => {
                    let reason = format!("the stored credentials cannot be decrypted ({e}); reconnect the account");
                    self.store.pause_social_account(&target.account_id, &reason).await?;
                    results[index] = Err(paused(&target.handle, &reason));
                    continue;
                }
            };
            let media = match self.media_refs(media.remove(&variant_id).unwrap_or_default()) {
                Ok(m) => m,
                Err(error) => {
                    failed_early.push((target.variant_id.clone(), VariantOutcome::Failed { error: error.clone() }));
                    results[index] = Err(JobError::Permanent(error));
                    continue;
                }
            };
            let account = AccountRef { id: target.account_id.clone(), handle: target.handle.clone(), credentials };
            ready.push(Ready { index, target, media, network, account });
        }
        // Variants that fail before any call are recorded as attempts too, so their post moves
        // to publishing and then to failed with the others.
        let attempt_ids: Vec<String> =
            ready.iter().map(|r| r.target.variant_id.clone()).chain(failed_early.iter().map(|f| f.0.clone())).collect();
        let attempts = self.store.begin_publish_attempts(&attempt_ids).await?;
        let calls = ready.iter().filter_map(|r| attempts.get(&r.target.variant_id).map(|a| (r, *a))).map(|(r, attempt)| async move {
            let outcome = self.call_network(r, attempt).await;
            (r, outcome)
        });
        let outcomes = futures::future::join_all(calls).await;

        let mut finished: Vec<(String, VariantOutcome)> = failed_early.into_iter().filter(|f| attempts.contains_key(&f.0)).collect();
        let mut to_pause: HashMap<String, String> = HashMap::new();
        let mut limited: HashMap<String, i64> = HashMap::new();
        for (r, outcome) in outcomes {
            let job = &jobs[r.index];
            let vid = r.target.variant_id.clone();
            results[r.index] = match outcome {
                Ok(p) => {
                    finished.push((vid, VariantOutcome::Published { remote_id: p.remote_id, remote_url: p.url }));
                    Ok(())
                }
                Err(e @ (NetworkError::Permanent(_) | NetworkError::NotOffered { .. })) => {
                    let error = e.to_string();
                    finished.push((vid, VariantOutcome::Failed { error: error.clone() }));
                    Err(JobError::Permanent(error))
                }
                Err(NetworkError::Transient(msg)) if job.attempts >= job.max_attempts => {
                    let error = format!("gave up after {} attempts: {msg}", job.attempts);
                    finished.push((vid, VariantOutcome::Failed { error: error.clone() }));
                    Err(JobError::Permanent(error))
                }
                Err(NetworkError::Transient(msg)) => Err(JobError::Transient(msg)),
                Err(NetworkError::RateLimited { retry_after_ms, message }) => {
                    let run_at = now_ms() + retry_after_ms.max(1_000);
                    limited.insert(r.target.account_id.clone(), run_at);
                    Err(JobError::Defer { run_at, reason: message })
                }
                Err(NetworkError::AuthExpired(msg)) => {
                    let e = paused(&r.target.handle, &msg);
                    to_pause.insert(r.target.account_id.clone(), msg);
                    Err(e)
                }
            };
        }
        self.store.finish_variants(&finished).await?;
        // For the account's health badge; the deferred jobs already wait on their own.
        for (account_id, until) in limited {
            self.store.mark_rate_limited(&account_id, until).await?;
        }
        for (account_id, reason) in to_pause {
            tracing::warn!(account = %account_id, reason, "account paused");
            self.store.pause_social_account(&account_id, &reason).await?;
        }
        Ok(results)
    }

    /// Publishes, unless an earlier attempt whose outcome is unknown already did.
    async fn call_network(&self, r: &Ready, attempt: i64) -> Result<Published, NetworkError> {
        if attempt > 1
            && let Some(found) = r.network.find_published(&r.account, &r.target.idempotency_key).await?
        {
            tracing::info!(variant = %r.target.variant_id, "an earlier attempt had published: recorded without posting again");
            return Ok(found);
        }
        let visibility = match r.target.visibility.as_deref() {
            None => None,
            Some(key) => Some(Visibility::from_key(key).ok_or_else(|| {
                NetworkError::Permanent(format!(
                    "the variant's visibility “{key}” is not one Relais knows (public, unlisted, followers, direct)"
                ))
            })?),
        };
        let request = PublishRequest {
            text: r.target.text.clone(),
            link: r.target.link.clone(),
            media: r.media.clone(),
            thread: r.target.thread_parts(),
            first_comment: r.target.first_comment.clone().filter(|c| !c.trim().is_empty()),
            content_warning: r.target.content_warning.clone().filter(|c| !c.trim().is_empty()),
            visibility,
            idempotency_key: r.target.idempotency_key.clone(),
        };
        r.network.publish(&r.account, &request).await
    }

    /// The files of a variant's media, or why they cannot be handed to a network.
    fn media_refs(&self, items: Vec<Media>) -> Result<Vec<MediaRef>, String> {
        if items.is_empty() {
            return Ok(vec![]);
        }
        let Some(files) = &self.media else {
            return Err(format!("the post has {} media items but this Relais process has no media directory", items.len()));
        };
        items.iter().map(|m| media_ref(files, m)).collect()
    }
}
