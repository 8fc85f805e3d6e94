//! The sandbox network: a **simulator**, labelled as such wherever it appears. It behaves like a
//! network that Relais publishes to (latency, transient failures, per-account rate limits,
//! expired tokens) so that the demo, the tests and the benchmarks exercise every path of the
//! publishing engine without a real account. Its "server side" is a table of the Relais database,
//! so every Relais process sees the same sandbox posts.
//!
//! It keeps the whole unit (first post with link and media, thread parts, first comment),
//! refuses what its [`Capabilities`] refuse, and "uploads" each file by checking it is on disk
//! with the size the library recorded.

use crate::{AccountCheck, AccountRef, AltText, Capabilities, NetFuture, Network, NetworkError, PublishRequest, Published};
use rand::Rng;
use relais_core::text_rules::LengthCounting;
use relais_store::{SandboxMedia, SandboxUnit, Store};
use std::time::Duration;

/// Credentials that the sandbox treats as revoked, to exercise the "paused account" path.
pub const EXPIRED_CREDENTIALS: &str = "sandbox-expired-token";

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Simulated time of a call; half passes before the post is stored and half after, so a
    /// worker killed mid-call may leave a post that Relais has not recorded yet.
    pub latency: Duration,
    /// Share of publish calls that fail with a transient error before storing anything.
    pub failure_rate: f64,
    /// Posts per account per minute before the sandbox answers "rate limited".
    pub rate_limit_per_minute: Option<i64>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig { latency: Duration::from_millis(50), failure_rate: 0.0, rate_limit_per_minute: Some(60) }
    }
}

pub struct Sandbox {
    store: Store,
    config: SandboxConfig,
    capabilities: Capabilities,
}

pub const CAPABILITIES: Capabilities = Capabilities {
    key: "sandbox",
    label: "Sandbox (simulator)",
    simulated: true,
    max_length: 500,
    counting: LengthCounting::Graphemes,
    max_images: 4,
    max_image_bytes: 5 * 1024 * 1024,
    image_types: &["image/jpeg", "image/png", "image/webp", "image/gif"],
    video: true,
    max_video_bytes: 100 * 1024 * 1024,
    alt_text: AltText::Optional,
    threads: true,
    first_comment: true,
    link_cards: true,
    hide_replies: true,
    inbox: false,
    metrics: false,
    search: false,
    delete: false,
    // Neither: the sandbox stores no audience, and accepting a warning only to drop it would
    // let a test pass that proves nothing.
    content_warning: false,
    visibilities: &[],
};

impl Sandbox {
    pub fn new(store: Store, config: SandboxConfig) -> Self {
        Sandbox { store, config, capabilities: CAPABILITIES }
    }

    /// The same simulator with other limits (tests of refusals; keep the key "sandbox").
    pub fn with_capabilities(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// What the sandbox refuses in a request, in its own words, before storing anything.
    fn refusal(&self, request: &PublishRequest) -> Option<String> {
        let caps = &self.capabilities;
        if request.text.trim().is_empty() && request.media.is_empty() {
            return Some("sandbox: a post needs some text or media".into());
        }
        if !request.thread.is_empty() && !caps.threads {
            return Some(format!("sandbox: this network does not take threads (the post has {} more parts)", request.thread.len()));
        }
        if let Some(i) = request.thread.iter().position(|p| p.trim().is_empty()) {
            return Some(format!("sandbox: part {} of the thread is empty", i + 2));
        }
        if request.first_comment.is_some() && !caps.first_comment {
            return Some("sandbox: this network does not take a first comment".into());
        }
        if let Some(refused) = crate::refused_audience(caps, request) {
            return Some(refused);
        }
        let facts: Vec<_> = request.media.iter().map(|m| m.facts()).collect();
        let problems = caps.check_media(&facts);
        if !problems.is_empty() {
            let words: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            return Some(format!("sandbox: {}", words.join("; ")));
        }
        None
    }

    /// Simulates the upload of each file: it must be on disk with the size recorded.
    async fn upload(&self, request: &PublishRequest) -> Result<Vec<SandboxMedia>, NetworkError> {
        let mut uploaded = Vec::with_capacity(request.media.len());
        for (i, m) in request.media.iter().enumerate() {
            let found = tokio::fs::metadata(&m.path).await.map(|meta| meta.len());
            match found {
                Ok(len) if len == m.bytes => {}
                Ok(len) => {
                    return Err(NetworkError::Permanent(format!(
                        "sandbox: item {} is {len} bytes on disk but {} bytes in the library",
                        i + 1,
                        m.bytes
                    )));
                }
                Err(e) => {
                    return Err(NetworkError::Permanent(format!("sandbox: cannot upload item {}: {} ({e})", i + 1, m.path.display())));
                }
            }
            uploaded.push(SandboxMedia { sha256: m.sha256.clone(), mime: m.mime.clone(), bytes: m.bytes, alt_text: m.alt_text.clone() });
        }
        Ok(uploaded)
    }

    fn transient(&self, e: relais_store::StoreError) -> NetworkError {
        NetworkError::Transient(format!("sandbox storage: {e}"))
    }
}

impl Network for Sandbox {
    fn capabilities(&self) -> &Capabilities {
        &self.capabilities
    }

    fn publish<'a>(&'a self, account: &'a AccountRef, request: &'a PublishRequest) -> NetFuture<'a, Published> {
        Box::pin(async move {
            if account.credentials == EXPIRED_CREDENTIALS {
                return Err(NetworkError::AuthExpired("sandbox: the access token was revoked".into()));
            }
            if let Some(limit) = self.config.rate_limit_per_minute {
                let recent =
                    self.store.sandbox_posts_since(&account.id, relais_core::now_ms() - 60_000).await.map_err(|e| self.transient(e))?;
                if recent >= limit {
                    return Err(NetworkError::RateLimited {
                        retry_after_ms: 60_000,
                        message: format!("sandbox: {limit} posts per minute for @{}", account.handle),
                    });
                }
            }
            let half = self.config.latency / 2;
            tokio::time::sleep(half).await;
            if self.config.failure_rate > 0.0 && rand::thread_rng().gen_bool(self.config.failure_rate.min(1.0)) {
                return Err(NetworkError::Transient("sandbox: simulated 503 Service Unavailable".into()));
            }
            if let Some(words) = self.refusal(request) {
                return Err(NetworkError::Permanent(words));
            }
            let media = self.upload(request).await?;
            // The first post, the thread and the first comment in one transaction: a crash
            // leaves all of it or none of it, so a retry never duplicates a part.
            let unit = SandboxUnit {
                account_id: &account.id,
                idempotency_key: &request.idempotency_key,
                text: &request.text,
                link: request.link.as_deref(),
                media,
                thread: &request.thread,
                first_comment: request.first_comment.as_deref(),
            };
            let remote_id = self.store.sandbox_create_unit(&unit).await.map_err(|e| self.transient(e))?;
            tokio::time::sleep(self.config.latency - half).await;
            Ok(Published { url: Some(format!("sandbox://{}/{remote_id}", account.handle)), remote_id })
        })
    }

    fn find_published<'a>(&'a self, account: &'a AccountRef, idempotency_key: &'a str) -> NetFuture<'a, Option<Published>> {
        Box::pin(async move {
            let found = self.store.sandbox_find_post(&account.id, idempotency_key).await.map_err(|e| self.transient(e))?;
            Ok(found.map(|remote_id| Published { url: Some(format!("sandbox://{}/{remote_id}", account.handle)), remote_id }))
        })
    }

    fn check<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, AccountCheck> {
        Box::pin(async move {
            if account.credentials == EXPIRED_CREDENTIALS {
                return Err(NetworkError::AuthExpired("sandbox: the access token was revoked".into()));
            }
            Ok(AccountCheck {
                remote_id: format!("sandbox:{}", account.id),
                handle: account.handle.clone(),
                display_name: None,
                expires_at_ms: None,
            })
        })
    }
}
