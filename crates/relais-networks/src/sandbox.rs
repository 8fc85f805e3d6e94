//! The sandbox network: a **simulator**, labelled as such wherever it appears. It behaves like a
//! network that Relais publishes to (latency, transient failures, per-account rate limits,
//! expired tokens) so that the demo, the tests and the benchmarks exercise every path of the
//! publishing engine without a real account. Its "server side" is a table of the Relais database,
//! so every Relais process sees the same sandbox posts.
//!
//! Its synthetic audience ([`audience`]) replies, mentions, quotes, likes, reposts, follows and
//! writes direct messages around the account's sandbox posts, on a schedule decided by each
//! post's id and time; the activity, context, reply, deletion, metrics and search calls read
//! and write that community like a network's API would. Its numbers ([`growth`]) add a silent
//! crowd: followers growing with the rhythm of days and weeks, and each post's impressions, reach,
//! likes, replies, reposts, quotes and link clicks rising after release and slowing down.
//!
//! It keeps the whole unit (first post with link and media, thread parts, first comment),
//! refuses what its [`Capabilities`] refuse, and "uploads" each file by checking it is on disk
//! with the size the library recorded.

pub mod audience;
pub mod growth;

use crate::{
    AccountCheck, AccountMetrics, AccountRef, Activity, ActivityKind, ActivityPage, AltText, Capabilities, NetFuture, Network,
    NetworkError, PostMetrics, PublishRequest, Published, RemoteAuthor, RemotePost, ReplyRequest, SearchPage,
};
use rand::Rng;
use relais_core::text_rules::LengthCounting;
use relais_store::{AudienceEvent, SandboxMedia, SandboxNode, SandboxUnit, Store};
use std::sync::Arc;
use std::time::Duration;

/// Items per page of activity or search.
const PAGE: i64 = 100;

/// The simulator's clock (milliseconds since the epoch); tests move it forward.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

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
    clock: Clock,
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
    inbox: true,
    metrics: true,
    search: true,
    delete: true,
    delete_comments: true,
    // Neither: the sandbox stores no audience, and accepting a warning only to drop it would
    // let a test pass that proves nothing.
    content_warning: false,
    visibilities: &[],
};

impl Sandbox {
    pub fn new(store: Store, config: SandboxConfig) -> Self {
        Sandbox { store, config, capabilities: CAPABILITIES, clock: Arc::new(relais_core::now_ms) }
    }

    /// The same simulator on another clock: the audience acts when this clock reaches its time.
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
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

    fn authorised(&self, account: &AccountRef) -> Result<(), NetworkError> {
        if account.credentials == EXPIRED_CREDENTIALS {
            return Err(NetworkError::AuthExpired("sandbox: the access token was revoked".into()));
        }
        Ok(())
    }

    /// Keeps what the audience did up to the simulator's clock around the account's posts. Every
    /// post is planned again each time (cheap: a few events each, no storage) so that nothing is
    /// missed when no fetch happened for days; only the events not kept yet are written.
    async fn advance(&self, account: &AccountRef) -> Result<(), NetworkError> {
        let now = (self.clock)();
        let posts = self.store.sandbox_first_posts(&account.id).await.map_err(|e| self.transient(e))?;
        let answered = self.store.sandbox_answered(&account.id).await.map_err(|e| self.transient(e))?;
        let due: Vec<AudienceEvent> = posts
            .iter()
            .flat_map(|(id, at)| audience::reactions_to(&account.id, &account.handle, id, *at))
            .chain(answered.iter().map(|(reply, at, message)| audience::thanks_for(reply, *at, message)))
            .filter(|e| e.created_at <= now)
            .collect();
        let Some(oldest) = due.iter().map(|e| e.created_at).min() else { return Ok(()) };
        let kept: std::collections::HashSet<String> =
            self.store.sandbox_audience_ids(&account.id, oldest).await.map_err(|e| self.transient(e))?.into_iter().collect();
        let new: Vec<AudienceEvent> = due.into_iter().filter(|e| !kept.contains(&e.id)).collect();
        self.store.sandbox_audience_record(&new).await.map_err(|e| self.transient(e))?;
        Ok(())
    }

    fn url(handle: &str, id: &str) -> Option<String> {
        Some(format!("sandbox://{}/{id}", handle.trim_start_matches('@')))
    }

    fn activity(event: AudienceEvent) -> Option<Activity> {
        let kind = ActivityKind::from_key(&event.kind)?;
        Some(Activity {
            url: Self::url(&event.author_handle, &event.id),
            remote_id: event.id,
            kind,
            author: RemoteAuthor {
                remote_id: format!("sandbox-person:{}", event.author_handle.trim_start_matches('@')),
                handle: event.author_handle,
                display_name: Some(event.author_name),
                avatar_url: None,
            },
            text: event.text,
            created_at_ms: event.created_at,
            subject_remote_id: event.subject_id,
            parent_remote_id: event.parent_id,
            root_remote_id: event.root_id,
            language: event.language,
        })
    }

    /// A post of either side as the network shows it; the account's own are signed with its handle.
    fn remote_post(account: &AccountRef, node: SandboxNode) -> RemotePost {
        let (handle, name) = match node.author_handle {
            Some(h) => (h, node.author_name),
            None if node.account_id == account.id => (account.handle.clone(), None),
            None => (format!("@sandbox-account-{}", node.account_id), None),
        };
        RemotePost {
            url: Self::url(&handle, &node.id),
            remote_id: node.id,
            author: RemoteAuthor {
                remote_id: format!("sandbox-person:{}", handle.trim_start_matches('@')),
                handle,
                display_name: name,
                avatar_url: None,
            },
            text: node.text,
            created_at_ms: node.created_at,
            language: node.language,
            parent_remote_id: node.parent_id,
            metrics: None,
        }
    }
}

/// `<time>:<id>`, the position of an item in a feed.
fn marker(at: i64, id: &str) -> String {
    format!("{at}:{id}")
}

fn parse_marker(m: &str) -> Result<(i64, &str), NetworkError> {
    m.split_once(':')
        .and_then(|(t, id)| Some((t.parse().ok()?, id)))
        .ok_or_else(|| NetworkError::Permanent(format!("sandbox: {m:?} is not a marker this simulator gave (expected <time>:<id>)")))
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
            self.authorised(account)?;
            Ok(AccountCheck {
                remote_id: format!("sandbox:{}", account.id),
                handle: account.handle.clone(),
                display_name: None,
                expires_at_ms: None,
            })
        })
    }

    fn fetch_activity<'a>(&'a self, account: &'a AccountRef, since: Option<&'a str>) -> NetFuture<'a, ActivityPage> {
        Box::pin(async move {
            self.authorised(account)?;
            self.advance(account).await?;
            let events = match since {
                Some(m) => self.store.sandbox_audience_feed(&account.id, Some(parse_marker(m)?), PAGE).await,
                // No marker: the most recent page only, as a network's notifications would give.
                None => {
                    let now = (self.clock)();
                    let all = self.store.sandbox_audience_feed(&account.id, None, i64::MAX).await;
                    all.map(|mut a| {
                        a.retain(|e| e.created_at <= now);
                        let skip = a.len().saturating_sub(PAGE as usize);
                        a.split_off(skip)
                    })
                }
            }
            .map_err(|e| self.transient(e))?;
            let next_since = events.last().map(|e| marker(e.created_at, &e.id));
            Ok(ActivityPage { items: events.into_iter().filter_map(Self::activity).collect(), next_since })
        })
    }

    fn context<'a>(&'a self, account: &'a AccountRef, remote_id: &'a str) -> NetFuture<'a, Vec<RemotePost>> {
        Box::pin(async move {
            self.authorised(account)?;
            let Some(start) = self.store.sandbox_node(remote_id).await.map_err(|e| self.transient(e))? else {
                return Err(NetworkError::Permanent(format!("sandbox: no post {remote_id}")));
            };
            let mut above = vec![];
            let mut parent = start.parent_id;
            // A thread deeper than this is cut, as networks cut theirs.
            while let Some(id) = parent.take().filter(|_| above.len() < 50) {
                let Some(node) = self.store.sandbox_node(&id).await.map_err(|e| self.transient(e))? else { break };
                parent = node.parent_id.clone();
                above.push(Self::remote_post(account, node));
            }
            above.reverse();
            Ok(above)
        })
    }

    fn reply<'a>(&'a self, account: &'a AccountRef, request: &'a ReplyRequest) -> NetFuture<'a, Published> {
        Box::pin(async move {
            self.authorised(account)?;
            let text = request.text.trim();
            if text.is_empty() {
                return Err(NetworkError::Permanent("sandbox: a reply needs some text".into()));
            }
            let length = relais_core::text_rules::measure(text, self.capabilities.counting);
            if length > self.capabilities.max_length {
                return Err(NetworkError::Permanent(format!(
                    "sandbox: the reply is {length} characters long, the limit is {}",
                    self.capabilities.max_length
                )));
            }
            let exists = self.store.sandbox_node(&request.parent_remote_id).await.map_err(|e| self.transient(e))?;
            if exists.is_none() {
                return Err(NetworkError::Permanent(format!("sandbox: the post answered ({}) no longer exists", request.parent_remote_id)));
            }
            let half = self.config.latency / 2;
            tokio::time::sleep(half).await;
            let id = self
                .store
                .sandbox_create_reply(&account.id, &request.idempotency_key, text, &request.parent_remote_id, (self.clock)())
                .await
                .map_err(|e| self.transient(e))?;
            tokio::time::sleep(self.config.latency - half).await;
            Ok(Published { url: Self::url(&account.handle, &id), remote_id: id })
        })
    }

    fn delete<'a>(&'a self, account: &'a AccountRef, remote_id: &'a str) -> NetFuture<'a, ()> {
        Box::pin(async move {
            self.authorised(account)?;
            self.store.sandbox_delete(&account.id, remote_id).await.map_err(|e| self.transient(e))?;
            Ok(())
        })
    }

    fn hide_reply<'a>(
        &'a self,
        account: &'a AccountRef,
        reply_remote_id: &'a str,
        _root_remote_id: Option<&'a str>,
        hidden: bool,
    ) -> NetFuture<'a, ()> {
        Box::pin(async move {
            self.authorised(account)?;
            let at = hidden.then(|| (self.clock)());
            if !self.store.sandbox_set_hidden(&account.id, reply_remote_id, at).await.map_err(|e| self.transient(e))? {
                return Err(NetworkError::Permanent(format!("sandbox: no reply {reply_remote_id} to this account")));
            }
            Ok(())
        })
    }

    fn delete_comment<'a>(&'a self, account: &'a AccountRef, remote_id: &'a str) -> NetFuture<'a, ()> {
        Box::pin(async move {
            self.authorised(account)?;
            self.store.sandbox_delete_audience(&account.id, remote_id).await.map_err(|e| self.transient(e))?;
            Ok(())
        })
    }

    fn post_metrics<'a>(&'a self, account: &'a AccountRef, remote_ids: &'a [String]) -> NetFuture<'a, Vec<PostMetrics>> {
        Box::pin(async move {
            self.authorised(account)?;
            self.advance(account).await?;
            let now = (self.clock)();
            let reactions = self.store.sandbox_reactions(remote_ids).await.map_err(|e| self.transient(e))?;
            let facts = self.store.sandbox_post_facts(remote_ids).await.map_err(|e| self.transient(e))?;
            let mut out = vec![];
            // In the order asked; posts the sandbox does not have are left out.
            for id in remote_ids {
                let Some((_, published_at, has_link)) = facts.iter().find(|f| &f.0 == id) else { continue };
                let count = |kind: &str| reactions.iter().filter(|(p, k, _)| p == id && k == kind).map(|r| r.2).sum::<i64>();
                // The named audience (each of its reactions is in the inbox) and the silent crowd
                // around it (counted only, as networks count what they do not notify: replies
                // among the audience included).
                let crowd = growth::crowd(&account.id, id, *published_at, *has_link, now);
                out.push(PostMetrics {
                    remote_id: id.clone(),
                    likes: count("like") + crowd.likes,
                    replies: count("reply") + crowd.replies,
                    reposts: count("repost") + crowd.reposts,
                    quotes: count("quote") + crowd.quotes,
                    impressions: Some(crowd.impressions),
                    reach: Some(crowd.reach),
                    link_clicks: Some(crowd.link_clicks),
                });
            }
            Ok(out)
        })
    }

    fn account_metrics<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, AccountMetrics> {
        Box::pin(async move {
            self.authorised(account)?;
            self.advance(account).await?;
            let (follows, posts) = self.store.sandbox_account_counts(&account.id).await.map_err(|e| self.transient(e))?;
            // The simulated growth, plus the named audience's follows (each one in the inbox).
            let followers = growth::followers_at(&account.id, (self.clock)()) + follows;
            Ok(AccountMetrics { followers, following: audience::following_of(&account.id), posts })
        })
    }

    fn search<'a>(&'a self, account: &'a AccountRef, query: &'a str, cursor: Option<&'a str>) -> NetFuture<'a, SearchPage> {
        Box::pin(async move {
            self.authorised(account)?;
            let words = query.trim();
            if words.is_empty() {
                return Err(NetworkError::Permanent("sandbox: the search query is empty".into()));
            }
            let before = cursor.map(parse_marker).transpose()?;
            let found = self.store.sandbox_search(words, before, PAGE + 1).await.map_err(|e| self.transient(e))?;
            let more = found.len() as i64 > PAGE;
            let posts: Vec<RemotePost> = found.into_iter().take(PAGE as usize).map(|n| Self::remote_post(account, n)).collect();
            let cursor = if more { posts.last().map(|p| marker(p.created_at_ms, &p.remote_id)) } else { None };
            Ok(SearchPage { posts, cursor })
        })
    }
}
