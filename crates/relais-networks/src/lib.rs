//! What a social network can do, and how Relais talks to it.
//!
//! The UI and the jobs ask a network's [`Capabilities`] instead of matching on its name, and
//! publish through the [`Network`] trait. Each network lives in a module of its own:
//! - [`sandbox`]: a labelled simulator (synthetic network for demos, tests and benchmarks); it is
//!   not a real network and says so everywhere it appears.
//! - [`bluesky`]: Bluesky over the AT Protocol (an app password on any PDS).
//! - [`mastodon`]: Mastodon's REST API (tested against an imitation, not a real instance).

pub mod bluesky;
pub mod draft_check;
pub mod mastodon;
mod media_rules;
pub mod outbound;
pub mod remote;
pub mod sandbox;
#[cfg(feature = "test-support")]
pub mod testing;

pub use media_rules::MediaProblem;
pub use remote::{
    AccountCheck, AccountMetrics, Activity, ActivityKind, ActivityPage, PostMetrics, RemoteAuthor, RemotePost, ReplyRequest, SearchPage,
};

use relais_core::media::{MediaFacts, MediaKind};
use relais_core::text_rules::LengthCounting;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// Whether a network wants alt text on images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AltText {
    Unsupported,
    Optional,
    Required,
}

/// What a network accepts and offers; drives the composer's validation and the inbox's actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Stable key, also stored on accounts: "sandbox", "bluesky", "mastodon".
    pub key: &'static str,
    /// The name shown to people.
    pub label: &'static str,
    /// Whether this is a simulator rather than a real network.
    pub simulated: bool,
    pub max_length: usize,
    pub counting: LengthCounting,
    pub max_images: usize,
    pub max_image_bytes: u64,
    pub image_types: &'static [&'static str],
    pub video: bool,
    pub max_video_bytes: u64,
    pub alt_text: AltText,
    pub threads: bool,
    pub first_comment: bool,
    pub link_cards: bool,
    pub hide_replies: bool,
    /// [`Network::fetch_activity`], [`Network::context`] and [`Network::reply`] work.
    pub inbox: bool,
    /// [`Network::post_metrics`] and [`Network::account_metrics`] work.
    pub metrics: bool,
    /// [`Network::search`] works.
    pub search: bool,
    /// [`Network::delete`] works.
    pub delete: bool,
    /// [`Network::delete_comment`] works: the account may delete what others wrote under its
    /// posts (Bluesky and Mastodon only let one delete one's own posts).
    pub delete_comments: bool,
    /// A post may carry a content warning (text shown before the post, which stays folded).
    pub content_warning: bool,
    /// The audiences a post may be given, the default first; empty when the network has no
    /// choice (every post is public).
    pub visibilities: &'static [Visibility],
}

impl Capabilities {
    /// Whether a post may be given this audience (public, where the network offers no choice).
    pub fn offers_visibility(&self, visibility: Visibility) -> bool {
        self.visibilities.contains(&visibility) || (self.visibilities.is_empty() && visibility == Visibility::Public)
    }
}

/// Who may see a post, in Relais's words; each connector maps it onto its network's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Everyone, and listed in public timelines and search.
    Public,
    /// Everyone who has the link or follows the account, left out of public timelines.
    Unlisted,
    /// The account's followers only.
    Followers,
    /// Only the accounts the post mentions.
    Direct,
}

impl Visibility {
    pub const ALL: [Visibility; 4] = [Visibility::Public, Visibility::Unlisted, Visibility::Followers, Visibility::Direct];

    /// Stable key, stored in the database and used by the API and the forms.
    pub fn key(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Unlisted => "unlisted",
            Visibility::Followers => "followers",
            Visibility::Direct => "direct",
        }
    }

    pub fn from_key(key: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.key() == key)
    }
}

/// The account a call acts for, with its decrypted credentials.
#[derive(Debug, Clone)]
pub struct AccountRef {
    pub id: String,
    pub handle: String,
    pub credentials: String,
}

/// One post to create: the first post, its media, the following parts of a thread and a first
/// comment. The whole of it is one unit for exactly-once publishing (see [`Network::publish`]).
#[derive(Debug, Clone)]
pub struct PublishRequest {
    /// The first post's text; may be empty when the post carries media.
    pub text: String,
    pub link: Option<String>,
    /// The first post's media, in order.
    pub media: Vec<MediaRef>,
    /// The following parts of a thread, in order (empty for a single post).
    pub thread: Vec<String>,
    /// Posted as a reply after the thread, where the network allows it.
    pub first_comment: Option<String>,
    /// Shown before the post, which stays folded until opened; only where
    /// [`Capabilities::content_warning`] says so. Applies to every part of the unit.
    pub content_warning: Option<String>,
    /// Who may see the post (every part of the unit); `None`: the network's default (public).
    pub visibility: Option<Visibility>,
    /// Chosen by Relais and stored before the call; it identifies the first post. A network
    /// that supports it deduplicates on it, the others are searched for it before any retry.
    pub idempotency_key: String,
}

/// One file of a post's media, with what a connector needs to upload it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRef {
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub mime: String,
    pub kind: MediaKind,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub duration_ms: Option<i64>,
    /// Empty when none was written.
    pub alt_text: String,
    /// Where the file is on disk (in the media directory, shared by every Relais process).
    pub path: PathBuf,
}

impl MediaRef {
    /// What a network's rules need to know of it.
    pub fn facts(&self) -> MediaFacts {
        MediaFacts {
            kind: self.kind,
            mime: self.mime.clone(),
            bytes: self.bytes,
            width: self.width,
            height: self.height,
            duration_ms: self.duration_ms,
            has_alt_text: !self.alt_text.trim().is_empty(),
        }
    }
}

/// A post as the network knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub remote_id: String,
    pub url: Option<String>,
}

/// Why a call failed, which decides what Relais does next.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetworkError {
    /// Worth retrying later: a timeout, a 5xx.
    #[error("temporary network error: {0}")]
    Transient(String),
    /// The network refused the content; the message is the network's own.
    #[error("the network refused the post: {0}")]
    Permanent(String),
    /// The token expired or was revoked: the account must be paused until reconnected.
    #[error("the account's authorisation expired or was revoked: {0}")]
    AuthExpired(String),
    /// Too many calls: try again after the delay the network asked for.
    #[error("rate limited by the network, retry in {retry_after_ms} ms: {message}")]
    RateLimited { retry_after_ms: i64, message: String },
    /// The network (or this connector, so far) does not offer the operation; its
    /// [`Capabilities`] say so too.
    #[error("{network} does not offer {what}")]
    NotOffered { network: &'static str, what: &'static str },
}

pub type NetFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, NetworkError>> + Send + 'a>>;

/// One network, as every part of Relais uses it.
pub trait Network: Send + Sync {
    fn capabilities(&self) -> &Capabilities;

    /// Creates the post: the first post with its link and media, then each part of the thread
    /// as a reply to the part before it (the first part to the first post), in order, then the
    /// first comment as a reply after the thread. Called only after the idempotency key is
    /// stored.
    ///
    /// Exactly-once covers the whole unit: the idempotency key identifies the first post, and a
    /// retry (after [`Network::find_published`] found nothing, or after an error) must not
    /// duplicate any part. A connector whose network cannot create the parts atomically records
    /// which parts went out under the key and, when asked again, completes the unit instead of
    /// starting over; the sandbox stores every part in one transaction, all or nothing.
    ///
    /// Content the network's [`Capabilities`] refuse (too many media, a thread where threads
    /// are not offered…) is answered [`NetworkError::Permanent`] with words that say what.
    fn publish<'a>(&'a self, account: &'a AccountRef, request: &'a PublishRequest) -> NetFuture<'a, Published>;

    /// The post created earlier with this idempotency key, if the network has it: asked before
    /// retrying a publish whose outcome is unknown (a worker died during the call). Found means
    /// the whole unit (thread and first comment included) is there.
    fn find_published<'a>(&'a self, account: &'a AccountRef, idempotency_key: &'a str) -> NetFuture<'a, Option<Published>>;

    /// Checks the credentials work ("test connection") and says whose they are. An expired or
    /// revoked credential is [`NetworkError::AuthExpired`].
    fn check<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, AccountCheck>;

    /// The account's community activity that came after the marker `since` (from an earlier
    /// [`ActivityPage::next_since`]; `None`: the most recent page only), oldest first. May
    /// overlap what an earlier call returned: ingesting is idempotent on [`Activity::remote_id`].
    fn fetch_activity<'a>(&'a self, account: &'a AccountRef, since: Option<&'a str>) -> NetFuture<'a, ActivityPage> {
        let _ = (account, since);
        not_offered(self.capabilities(), "an inbox")
    }

    /// The posts above `remote_id` in its thread, the root first, ending with its parent.
    fn context<'a>(&'a self, account: &'a AccountRef, remote_id: &'a str) -> NetFuture<'a, Vec<RemotePost>> {
        let _ = (account, remote_id);
        not_offered(self.capabilities(), "thread context")
    }

    /// Posts a reply in the parent's thread. Exactly once like [`Network::publish`]: the key is
    /// stored before the call, and [`Network::find_published`] finds the reply by it.
    fn reply<'a>(&'a self, account: &'a AccountRef, request: &'a ReplyRequest) -> NetFuture<'a, Published> {
        let _ = (account, request);
        not_offered(self.capabilities(), "replies")
    }

    /// Deletes a post of the account with the other parts of its unit (thread, first comment)
    /// where the connector knows them. Deleting what is already gone is not an error.
    fn delete<'a>(&'a self, account: &'a AccountRef, remote_id: &'a str) -> NetFuture<'a, ()> {
        let _ = (account, remote_id);
        not_offered(self.capabilities(), "deletion")
    }

    /// Hides (`hidden`) or shows again a reply someone wrote in a thread of the account's, where
    /// the network lets a thread's author do so ([`Capabilities::hide_replies`]). `root_remote_id`
    /// is the thread's first post, where networks keep the list of hidden replies.
    fn hide_reply<'a>(
        &'a self,
        account: &'a AccountRef,
        reply_remote_id: &'a str,
        root_remote_id: Option<&'a str>,
        hidden: bool,
    ) -> NetFuture<'a, ()> {
        let _ = (account, reply_remote_id, root_remote_id, hidden);
        not_offered(self.capabilities(), "hiding replies")
    }

    /// Deletes a comment someone else wrote under the account's posts, where the network allows
    /// it ([`Capabilities::delete_comments`]). Deleting what is already gone is not an error.
    fn delete_comment<'a>(&'a self, account: &'a AccountRef, remote_id: &'a str) -> NetFuture<'a, ()> {
        let _ = (account, remote_id);
        not_offered(self.capabilities(), "deleting other people's comments")
    }

    /// Current counters of the account's posts; posts the network no longer has are left out.
    fn post_metrics<'a>(&'a self, account: &'a AccountRef, remote_ids: &'a [String]) -> NetFuture<'a, Vec<PostMetrics>> {
        let _ = (account, remote_ids);
        not_offered(self.capabilities(), "post metrics")
    }

    /// Current counters of the account (followers, following, posts).
    fn account_metrics<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, AccountMetrics> {
        let _ = account;
        not_offered(self.capabilities(), "account metrics")
    }

    /// Public posts matching the query, newest first, one page at a time.
    fn search<'a>(&'a self, account: &'a AccountRef, query: &'a str, cursor: Option<&'a str>) -> NetFuture<'a, SearchPage> {
        let _ = (account, query, cursor);
        not_offered(self.capabilities(), "search")
    }
}

/// What a network's capabilities refuse in a request's content warning or visibility, in words
/// that name the field; `None` when both are acceptable.
pub fn refused_audience(caps: &Capabilities, request: &PublishRequest) -> Option<String> {
    if request.content_warning.as_deref().is_some_and(|cw| !cw.trim().is_empty()) && !caps.content_warning {
        return Some(format!("{}: content_warning is not offered by this network", caps.key));
    }
    match request.visibility {
        Some(v) if !caps.offers_visibility(v) => Some(format!("{}: visibility “{}” is not offered by this network", caps.key, v.key())),
        _ => None,
    }
}

/// The answer of an operation a network does not offer.
fn not_offered<'a, T: 'a>(capabilities: &Capabilities, what: &'static str) -> NetFuture<'a, T> {
    let network = capabilities.label;
    Box::pin(async move { Err(NetworkError::NotOffered { network, what }) })
}

/// What the networks this build knows can do, for validation where no connection is needed
/// (the composer, the API).
pub fn capabilities_of(key: &str) -> Option<&'static Capabilities> {
    known_networks().find(|c| c.key == key)
}

/// Every network this build knows.
pub fn known_networks() -> impl Iterator<Item = &'static Capabilities> {
    [&sandbox::CAPABILITIES, &bluesky::CAPABILITIES, &mastodon::CAPABILITIES].into_iter()
}

/// The networks this build knows, by key.
#[derive(Clone, Default)]
pub struct Registry {
    networks: Vec<std::sync::Arc<dyn Network>>,
}

impl Registry {
    pub fn with(mut self, network: std::sync::Arc<dyn Network>) -> Self {
        self.networks.push(network);
        self
    }

    pub fn get(&self, key: &str) -> Option<std::sync::Arc<dyn Network>> {
        self.networks.iter().find(|n| n.capabilities().key == key).cloned()
    }

    pub fn all(&self) -> impl Iterator<Item = &std::sync::Arc<dyn Network>> {
        self.networks.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(content_warning: Option<&str>, visibility: Option<Visibility>) -> PublishRequest {
        PublishRequest {
            text: "La fin du film".into(),
            link: None,
            media: vec![],
            thread: vec![],
            first_comment: None,
            content_warning: content_warning.map(str::to_string),
            visibility,
            idempotency_key: "k".into(),
        }
    }

    #[test]
    fn an_audience_the_network_lacks_is_refused_naming_the_field() {
        let refused = refused_audience(&bluesky::CAPABILITIES, &request(Some("Divulgâchage"), None)).unwrap();
        assert_eq!(refused, "bluesky: content_warning is not offered by this network");
        let refused = refused_audience(&bluesky::CAPABILITIES, &request(None, Some(Visibility::Followers))).unwrap();
        assert_eq!(refused, "bluesky: visibility “followers” is not offered by this network");
        // Public needs no choice; a blank warning is none; Mastodon takes them all.
        assert_eq!(refused_audience(&bluesky::CAPABILITIES, &request(Some("  "), Some(Visibility::Public))), None);
        for v in Visibility::ALL {
            assert_eq!(refused_audience(&mastodon::CAPABILITIES, &request(Some("Divulgâchage"), Some(v))), None);
            assert_eq!(Visibility::from_key(v.key()), Some(v));
        }
        assert_eq!(Visibility::from_key("private"), None, "Relais's words, not Mastodon's");
    }
}
