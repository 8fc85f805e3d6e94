//! Mastodon (and servers that speak its REST API).
//!
//! **Tested against an imitation, not a real instance.** No Mastodon server can be installed
//! where Relais is built; the live tests (`tests/mastodon/`) run against the PyPI package
//! `mastodon-mock`, an imitation of the API. The calls follow the
//! public API documentation (docs.joinmastodon.org); where the imitation differs, the code
//! follows Mastodon and the README lists the gaps (among them: a 202 from the v2 media endpoint
//! while a video is processed, real rate limits, HTTPS, search's `max_id`, quote notifications).
//!
//! Credentials, sealed by the caller, are JSON: `{"instance": "https://mastodon.example",
//! "access_token": "…"}`, obtained either by pasting a token created in the instance's
//! preferences (Development → New application) or through the OAuth authorization-code flow
//! ([`oauth`]).
//!
//! - Publishing ([`publishing`]): `POST /api/v1/statuses` with the `Idempotency-Key` header set
//!   to Relais's key (`KEY#thread-N` for part N of a thread, `KEY#first-comment` for the first
//!   comment), each part a reply to the one before, with the variant's content warning
//!   (`spoiler_text`) and visibility on every part; media through `POST /api/v2/media` with the
//!   alt text as `description`, waiting (a bounded number of polls) while the server processes it.
//! - Community ([`activity`]): the notifications (mentions, replies, quotes, direct messages,
//!   favourites, boosts, follows), from a marker, oldest first.
//! - Statuses ([`statuses`]): thread context, replies, deletion, counters, search.
//! - Streaming ([`streaming`]): the user and public streams as typed events.
//!
//! Exactly-once, and its limits: Mastodon has no lookup by idempotency key. It remembers a key
//! for a while (one hour on Mastodon itself, per the API documentation) and answers a repeated
//! key with the status created the first time, so a retry within that window never duplicates
//! any part of the unit: parts already created come back, the missing ones are created.
//! [`Network::find_published`] therefore answers "not found" and lets the retry with the same
//! keys do the work; no honest lookup exists (a status does not carry its key, and Relais keeps
//! no record of the server's answer beyond the remote id it stores after success). A retry
//! after the server forgot the key would post again; for that case [`Mastodon::find_recent`]
//! looks for a status of the account with the same text created after a given time (the
//! account's last 40 statuses only; an edited or deleted status is not found).

pub mod activity;
mod client;
pub mod entities;
pub mod oauth;
mod publishing;
mod statuses;
pub mod streaming;

pub use client::{Credentials, classify, http_client, instance_base};
pub use oauth::{AppRegistration, authorize_url, exchange_code, register_app};
pub use streaming::{StreamEvent, Timeline};

use crate::{
    AccountCheck, AccountMetrics, AccountRef, ActivityPage, AltText, Capabilities, NetFuture, Network, NetworkError, PostMetrics,
    PublishRequest, Published, RemotePost, ReplyRequest, SearchPage, Visibility,
};
use client::{Session, send, string_field};
use relais_core::text_rules::LengthCounting;
use std::time::Duration;

pub const CAPABILITIES: Capabilities = Capabilities {
    key: "mastodon",
    label: "Mastodon",
    simulated: false,
    max_length: 500,
    counting: LengthCounting::CharsWithUrlWeight { url_weight: 23 },
    max_images: 4,
    max_image_bytes: 16 * 1024 * 1024,
    image_types: &["image/jpeg", "image/png", "image/webp", "image/gif"],
    video: true,
    max_video_bytes: 99 * 1024 * 1024,
    alt_text: AltText::Optional,
    threads: true,
    first_comment: true,
    link_cards: true,
    hide_replies: false,
    inbox: true,
    metrics: true,
    search: true,
    delete: true,
    delete_comments: false,
    content_warning: true,
    visibilities: &[Visibility::Public, Visibility::Unlisted, Visibility::Followers, Visibility::Direct],
};

/// The scopes Relais asks for: reading (the inbox, metrics) and writing (statuses, media).
pub const SCOPES: &str = "read write";

/// The Mastodon connector.
pub struct Mastodon {
    http: reqwest::Client,
    outbound: crate::outbound::Outbound,
    /// How often and how many times to ask whether an uploaded medium is processed.
    media_poll_interval: Duration,
    media_poll_attempts: u32,
}

impl Default for Mastodon {
    fn default() -> Self {
        Mastodon::new()
    }
}

impl Mastodon {
    /// A connector that calls public addresses only (see [`crate::outbound`]).
    pub fn new() -> Self {
        Self::with_outbound(crate::outbound::Outbound::public_only())
    }

    /// A connector whose calls obey `outbound` (an instance on a private network, the tests'
    /// mastodon-mock on loopback).
    pub fn with_outbound(outbound: crate::outbound::Outbound) -> Self {
        Mastodon { http: http_client(&outbound), outbound, media_poll_interval: Duration::from_secs(1), media_poll_attempts: 60 }
    }

    /// Other bounds for waiting on media processing (tests).
    pub fn with_media_wait(mut self, interval: Duration, attempts: u32) -> Self {
        self.media_poll_interval = interval;
        self.media_poll_attempts = attempts;
        self
    }

    fn session(&self, account: &AccountRef) -> Result<Session<'_>, NetworkError> {
        let creds = Credentials::parse(&account.credentials)?;
        // Names are checked when they resolve; a literal address is checked here.
        let url =
            reqwest::Url::parse(&creds.instance).map_err(|e| NetworkError::Permanent(format!("mastodon: {:?}: {e}", creds.instance)))?;
        self.outbound.check_literal(&url)?;
        Ok(Session { http: &self.http, creds })
    }

    /// A status of the account with exactly this text, created at or after `since_ms` (epoch
    /// ms), among its 40 most recent statuses. See the module documentation for its limits.
    pub async fn find_recent(&self, account: &AccountRef, text: &str, since_ms: i64) -> Result<Option<Published>, NetworkError> {
        self.recent_with_text(&self.session(account)?, text, since_ms).await
    }
}

impl Network for Mastodon {
    fn capabilities(&self) -> &Capabilities {
        &CAPABILITIES
    }

    fn publish<'a>(&'a self, account: &'a AccountRef, request: &'a PublishRequest) -> NetFuture<'a, Published> {
        Box::pin(async move { self.publish_unit(&self.session(account)?, request).await })
    }

    /// Always "not found": Mastodon cannot be asked for a key, and the retry that follows reuses
    /// the same `Idempotency-Key`s, which the server answers with what it already created (see
    /// the module documentation for the window this holds in).
    fn find_published<'a>(&'a self, account: &'a AccountRef, _idempotency_key: &'a str) -> NetFuture<'a, Option<Published>> {
        Box::pin(async move {
            self.session(account)?;
            Ok(None)
        })
    }

    fn check<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, AccountCheck> {
        Box::pin(async move {
            let session = self.session(account)?;
            let me = send(session.get("/api/v1/accounts/verify_credentials")).await?;
            let display_name = me["display_name"].as_str().filter(|n| !n.is_empty()).map(str::to_string);
            Ok(AccountCheck {
                remote_id: string_field(&me, "id")?,
                handle: me["acct"].as_str().unwrap_or(&account.handle).to_string(),
                display_name,
                expires_at_ms: None,
            })
        })
    }

    /// Notifications after the marker (the newest notification id seen); see [`activity`].
    /// Messages are identified by their status id, likes, boosts and follows by
    /// `notification:<id>`.
    fn fetch_activity<'a>(&'a self, account: &'a AccountRef, since: Option<&'a str>) -> NetFuture<'a, ActivityPage> {
        Box::pin(async move { self.activity_since(&self.session(account)?, since).await })
    }

    fn context<'a>(&'a self, account: &'a AccountRef, remote_id: &'a str) -> NetFuture<'a, Vec<RemotePost>> {
        Box::pin(async move { self.thread_above(&self.session(account)?, remote_id).await })
    }

    /// Exactly once within the server's `Idempotency-Key` window (one hour on Mastodon); like
    /// publishing, [`Network::find_published`] cannot find a reply by its key.
    fn reply<'a>(&'a self, account: &'a AccountRef, request: &'a ReplyRequest) -> NetFuture<'a, Published> {
        Box::pin(async move { self.reply_to(&self.session(account)?, request).await })
    }

    fn delete<'a>(&'a self, account: &'a AccountRef, remote_id: &'a str) -> NetFuture<'a, ()> {
        Box::pin(async move { self.delete_unit(&self.session(account)?, remote_id).await })
    }

    fn post_metrics<'a>(&'a self, account: &'a AccountRef, remote_ids: &'a [String]) -> NetFuture<'a, Vec<PostMetrics>> {
        Box::pin(async move { self.counters(&self.session(account)?, remote_ids).await })
    }

    fn account_metrics<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, AccountMetrics> {
        Box::pin(async move { self.account_counters(&self.session(account)?).await })
    }

    fn search<'a>(&'a self, account: &'a AccountRef, query: &'a str, cursor: Option<&'a str>) -> NetFuture<'a, SearchPage> {
        Box::pin(async move { self.search_statuses(&self.session(account)?, query, cursor).await })
    }
}
