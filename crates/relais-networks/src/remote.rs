//! What Relais reads from a network beyond publishing: who an account is, its community's
//! activity (replies, mentions, quotes, likes, reposts, follows, direct messages), metrics and
//! search results. Every connector maps its own payloads onto these types, so the inbox, the
//! analytics and the listening never match on a network's name.

use serde::{Deserialize, Serialize};

/// What a "test connection" learns: the credentials work, and for whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountCheck {
    /// The account's stable id on the network (a DID on Bluesky, an account id on Mastodon).
    pub remote_id: String,
    pub handle: String,
    pub display_name: Option<String>,
    /// When the credentials stop working, where the network says so (milliseconds since epoch).
    pub expires_at_ms: Option<i64>,
}

/// Someone on the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteAuthor {
    /// Stable id on the network (DID, account id).
    pub remote_id: String,
    pub handle: String,
    pub display_name: Option<String>,
    pub avatar_url: Option<String>,
}

/// The kind of a piece of community activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Reply,
    Mention,
    Quote,
    DirectMessage,
    Like,
    Repost,
    Follow,
}

impl ActivityKind {
    /// Replies, mentions, quotes and direct messages carry words and become inbox messages;
    /// likes, reposts and follows are activity.
    pub fn is_message(self) -> bool {
        matches!(self, ActivityKind::Reply | ActivityKind::Mention | ActivityKind::Quote | ActivityKind::DirectMessage)
    }

    /// Stable key, stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            ActivityKind::Reply => "reply",
            ActivityKind::Mention => "mention",
            ActivityKind::Quote => "quote",
            ActivityKind::DirectMessage => "direct_message",
            ActivityKind::Like => "like",
            ActivityKind::Repost => "repost",
            ActivityKind::Follow => "follow",
        }
    }

    pub fn from_key(key: &str) -> Option<ActivityKind> {
        [
            ActivityKind::Reply,
            ActivityKind::Mention,
            ActivityKind::Quote,
            ActivityKind::DirectMessage,
            ActivityKind::Like,
            ActivityKind::Repost,
            ActivityKind::Follow,
        ]
        .into_iter()
        .find(|k| k.key() == key)
    }
}

/// One event of an account's community, as its network reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Activity {
    /// Unique within the account and stable across fetches (a post's URI or status id for
    /// messages, the like's or follow's own id otherwise): ingesting is idempotent on it.
    pub remote_id: String,
    pub kind: ActivityKind,
    pub author: RemoteAuthor,
    /// The message's words; empty for likes, reposts and follows.
    pub text: String,
    pub created_at_ms: i64,
    /// Where a person can read it on the network.
    pub url: Option<String>,
    /// The account's own post this is about (the post liked, reposted, quoted or replied to).
    pub subject_remote_id: Option<String>,
    /// For replies: the post replied to.
    pub parent_remote_id: Option<String>,
    /// For replies: the first post of the thread.
    pub root_remote_id: Option<String>,
    /// Language tag the author or the network gave (BCP 47), if any.
    pub language: Option<String>,
}

/// A slice of activity and where to resume.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityPage {
    /// Oldest first.
    pub items: Vec<Activity>,
    /// The marker to pass next time to get only what came after; opaque to Relais, stored per
    /// account. `None` when the network gave nothing new (keep the previous marker).
    pub next_since: Option<String>,
}

/// A post read from the network (thread context, search results).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemotePost {
    pub remote_id: String,
    pub url: Option<String>,
    pub author: RemoteAuthor,
    pub text: String,
    pub created_at_ms: i64,
    pub language: Option<String>,
    /// The post it replies to, if any.
    pub parent_remote_id: Option<String>,
    pub metrics: Option<PostMetrics>,
}

/// A post's counters at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostMetrics {
    pub remote_id: String,
    pub likes: i64,
    pub replies: i64,
    pub reposts: i64,
    pub quotes: i64,
    /// Views or impressions, where the network gives them.
    pub impressions: Option<i64>,
    /// Accounts reached, where the network gives it.
    pub reach: Option<i64>,
    /// Clicks on the post's link, where the network gives them.
    pub link_clicks: Option<i64>,
}

/// An account's counters at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountMetrics {
    pub followers: i64,
    pub following: i64,
    pub posts: i64,
}

/// A reply to write from Relais (answering a message of the inbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRequest {
    /// The post answered; the connector finds its thread's root itself.
    pub parent_remote_id: String,
    pub text: String,
    /// Chosen by Relais and stored before the call, as for [`crate::PublishRequest`]; asked
    /// with [`crate::Network::find_published`] before any retry.
    pub idempotency_key: String,
}

/// One page of search results.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchPage {
    /// Newest first, as the networks give them.
    pub posts: Vec<RemotePost>,
    /// Pass it back for the next (older) page; `None` at the end.
    pub cursor: Option<String>,
}
