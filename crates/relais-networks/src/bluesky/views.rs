//! The AppView's answers (`app.bsky.*` views) mapped onto Relais' types, without any I/O:
//! notifications into [`Activity`], post views into [`RemotePost`] and [`PostMetrics`].

use crate::{Activity, ActivityKind, PostMetrics, RemoteAuthor, RemotePost};
use serde_json::Value;

/// The parts of an AT URI `at://<repo>/<collection>/<rkey>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtUri<'a> {
    pub repo: &'a str,
    pub collection: &'a str,
    pub rkey: &'a str,
}

impl<'a> AtUri<'a> {
    pub fn parse(uri: &'a str) -> Option<AtUri<'a>> {
        let mut parts = uri.strip_prefix("at://")?.split('/');
        let (repo, collection, rkey) = (parts.next()?, parts.next()?, parts.next()?);
        let valid = !repo.is_empty() && !collection.is_empty() && !rkey.is_empty() && parts.next().is_none();
        valid.then_some(AtUri { repo, collection, rkey })
    }
}

/// The notification reasons Relais shows; the others (starter packs, verification, activity
/// subscriptions, likes of reposts…) are left out.
pub fn activity_kind(reason: &str) -> Option<ActivityKind> {
    Some(match reason {
        "reply" => ActivityKind::Reply,
        "mention" => ActivityKind::Mention,
        "quote" => ActivityKind::Quote,
        "like" => ActivityKind::Like,
        "repost" => ActivityKind::Repost,
        "follow" => ActivityKind::Follow,
        _ => return None,
    })
}

/// `app.bsky.actor.defs#profileViewBasic` (or a fuller profile view).
pub fn author(profile: &Value) -> Option<RemoteAuthor> {
    Some(RemoteAuthor {
        remote_id: str_at(profile, "/did")?.to_string(),
        handle: str_at(profile, "/handle")?.to_string(),
        display_name: str_at(profile, "/displayName").filter(|n| !n.trim().is_empty()).map(str::to_string),
        avatar_url: str_at(profile, "/avatar").map(str::to_string),
    })
}

/// One `app.bsky.notification.listNotifications#notification`, or `None` for a reason Relais
/// does not show or a notification missing what it needs.
pub fn activity(notification: &Value) -> Option<Activity> {
    let kind = activity_kind(str_at(notification, "/reason")?)?;
    let uri = str_at(notification, "/uri")?;
    let author = author(notification.get("author")?)?;
    let record = notification.get("record").unwrap_or(&Value::Null);
    let indexed_at = str_at(notification, "/indexedAt").and_then(parse_ms);
    let created_at_ms = str_at(record, "/createdAt").and_then(parse_ms).or(indexed_at)?;
    let reply_parent = str_at(record, "/reply/parent/uri");
    let subject = str_at(notification, "/reasonSubject").or(match kind {
        ActivityKind::Reply => reply_parent,
        ActivityKind::Quote => quoted_uri(record),
        ActivityKind::Like | ActivityKind::Repost => str_at(record, "/subject/uri"),
        _ => None,
    });
    let url = match kind {
        ActivityKind::Reply | ActivityKind::Mention | ActivityKind::Quote => post_url(&author.handle, uri),
        _ => Some(profile_url(&author.handle)),
    };
    Some(Activity {
        remote_id: uri.to_string(),
        kind,
        text: if kind.is_message() { str_at(record, "/text").unwrap_or_default().to_string() } else { String::new() },
        created_at_ms,
        url,
        subject_remote_id: subject.map(str::to_string),
        parent_remote_id: reply_parent.map(str::to_string),
        root_remote_id: str_at(record, "/reply/root/uri").map(str::to_string),
        language: first_lang(record),
        author,
    })
}

/// `app.bsky.feed.defs#postView`, with its counters.
pub fn remote_post(view: &Value) -> Option<RemotePost> {
    let uri = str_at(view, "/uri")?;
    let author = author(view.get("author")?)?;
    let record = view.get("record").unwrap_or(&Value::Null);
    let created_at_ms = str_at(record, "/createdAt").or(str_at(view, "/indexedAt")).and_then(parse_ms)?;
    Some(RemotePost {
        remote_id: uri.to_string(),
        url: post_url(&author.handle, uri),
        text: str_at(record, "/text").unwrap_or_default().to_string(),
        created_at_ms,
        language: first_lang(record),
        parent_remote_id: str_at(record, "/reply/parent/uri").map(str::to_string),
        metrics: Some(metrics(view)?),
        author,
    })
}

/// The counters of a `postView`; impressions are not public on Bluesky.
pub fn metrics(view: &Value) -> Option<PostMetrics> {
    let count = |name: &str| view.get(name).and_then(Value::as_i64).unwrap_or(0);
    Some(PostMetrics {
        remote_id: str_at(view, "/uri")?.to_string(),
        likes: count("likeCount"),
        replies: count("replyCount"),
        reposts: count("repostCount"),
        quotes: count("quoteCount"),
        // Bluesky shows none of these: unknown, not zero.
        impressions: None,
        reach: None,
        link_clicks: None,
    })
}

/// The posts above the one of an `app.bsky.feed.getPostThread` answer, the root first. The
/// chain stops at a parent the AppView cannot show (deleted, blocked).
pub fn thread_parents(thread: &Value) -> Vec<RemotePost> {
    let mut parents = Vec::new();
    let mut node = thread.get("parent");
    while let Some(current) = node {
        let Some(post) = current.get("post").and_then(remote_post) else { break };
        parents.push(post);
        node = current.get("parent");
    }
    parents.reverse();
    parents
}

/// Where a person reads the post on bsky.app.
pub fn post_url(handle_or_did: &str, uri: &str) -> Option<String> {
    let at = AtUri::parse(uri)?;
    Some(format!("https://bsky.app/profile/{handle_or_did}/post/{}", at.rkey))
}

pub fn profile_url(handle_or_did: &str) -> String {
    format!("https://bsky.app/profile/{handle_or_did}")
}

/// Milliseconds since the epoch of an RFC 3339 datetime, as the lexicons write them.
pub fn parse_ms(datetime: &str) -> Option<i64> {
    datetime.parse::<jiff::Timestamp>().ok().map(|t| t.as_millisecond())
}

/// The post a quote embeds (`app.bsky.embed.record`, or `recordWithMedia` around it).
fn quoted_uri(record: &Value) -> Option<&str> {
    str_at(record, "/embed/record/uri").or(str_at(record, "/embed/record/record/uri"))
}

fn first_lang(record: &Value) -> Option<String> {
    str_at(record, "/langs/0").filter(|l| !l.is_empty()).map(str::to_string)
}

fn str_at<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    value.pointer(pointer).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const BRAND_POST: &str = "at://did:plc:brand/app.bsky.feed.post/3kbrandpost22";

    fn alice() -> Value {
        json!({"did": "did:plc:alice", "handle": "alice.bsky.social", "displayName": "Alice",
               "avatar": "https://cdn.bsky.app/img/avatar/plain/did:plc:alice/x@jpeg", "labels": []})
    }

    /// A notification shaped like `app.bsky.notification.listNotifications#notification`.
    fn notification(reason: &str, uri: &str, record: Value, subject: Option<&str>) -> Value {
        let mut n = json!({"uri": uri, "cid": "bafyreic", "author": alice(), "reason": reason, "record": record,
                           "isRead": false, "indexedAt": "2026-11-20T10:00:05.000Z", "labels": []});
        if let Some(subject) = subject {
            n["reasonSubject"] = json!(subject);
        }
        n
    }

    #[test]
    fn a_reply_keeps_its_words_thread_and_language() {
        let uri = "at://did:plc:alice/app.bsky.feed.post/3kreply222222";
        let record = json!({"$type": "app.bsky.feed.post", "text": "Merci pour l'info !", "langs": ["fr", "en"],
            "createdAt": "2026-11-20T10:00:00.000Z",
            "reply": {"root": {"uri": "at://did:plc:brand/app.bsky.feed.post/3kroot2222222", "cid": "bafyr"},
                      "parent": {"uri": BRAND_POST, "cid": "bafyp"}}});
        let a = activity(&notification("reply", uri, record, Some(BRAND_POST))).unwrap();
        assert_eq!(a.kind, ActivityKind::Reply);
        assert_eq!(a.remote_id, uri);
        assert_eq!(a.text, "Merci pour l'info !");
        assert_eq!(a.author.remote_id, "did:plc:alice");
        assert_eq!(a.author.handle, "alice.bsky.social");
        assert_eq!(a.author.display_name.as_deref(), Some("Alice"));
        assert!(a.author.avatar_url.unwrap().starts_with("https://cdn.bsky.app/"));
        assert_eq!(a.created_at_ms, parse_ms("2026-11-20T10:00:00Z").unwrap());
        assert_eq!(a.url.as_deref(), Some("https://bsky.app/profile/alice.bsky.social/post/3kreply222222"));
        assert_eq!(a.subject_remote_id.as_deref(), Some(BRAND_POST));
        assert_eq!(a.parent_remote_id.as_deref(), Some(BRAND_POST));
        assert_eq!(a.root_remote_id.as_deref(), Some("at://did:plc:brand/app.bsky.feed.post/3kroot2222222"));
        assert_eq!(a.language.as_deref(), Some("fr"));
    }

    #[test]
    fn a_like_is_activity_about_the_liked_post() {
        let uri = "at://did:plc:alice/app.bsky.feed.like/3klike2222222";
        let record = json!({"$type": "app.bsky.feed.like", "subject": {"uri": BRAND_POST, "cid": "bafyp"},
                            "createdAt": "2026-11-20T09:59:00Z"});
        // Without reasonSubject, the record's subject says which post.
        let a = activity(&notification("like", uri, record, None)).unwrap();
        assert_eq!(a.kind, ActivityKind::Like);
        assert_eq!(a.remote_id, uri, "the like's own record, so two likes are two activities");
        assert_eq!(a.text, "");
        assert_eq!(a.subject_remote_id.as_deref(), Some(BRAND_POST));
        assert_eq!(a.parent_remote_id, None);
        assert_eq!(a.url.as_deref(), Some("https://bsky.app/profile/alice.bsky.social"));
    }

    #[test]
    fn a_quote_points_at_the_quoted_post_even_with_media() {
        let uri = "at://did:plc:alice/app.bsky.feed.post/3kquote222222";
        let record = json!({"text": "À lire", "createdAt": "2026-11-20T10:00:00Z",
            "embed": {"$type": "app.bsky.embed.recordWithMedia",
                      "record": {"record": {"uri": BRAND_POST, "cid": "bafyp"}},
                      "media": {"$type": "app.bsky.embed.images", "images": []}}});
        let a = activity(&notification("quote", uri, record, None)).unwrap();
        assert_eq!(a.kind, ActivityKind::Quote);
        assert_eq!(a.text, "À lire");
        assert_eq!(a.subject_remote_id.as_deref(), Some(BRAND_POST));
    }

    #[test]
    fn mentions_reposts_and_follows_map_and_other_reasons_are_left_out() {
        let post = json!({"text": "@brand.example bonjour", "createdAt": "2026-11-20T10:00:00Z"});
        let mention = activity(&notification("mention", "at://did:plc:alice/app.bsky.feed.post/3kmention2222", post, None)).unwrap();
        assert_eq!((mention.kind, mention.subject_remote_id), (ActivityKind::Mention, None));
        let repost = json!({"subject": {"uri": BRAND_POST, "cid": "x"}, "createdAt": "2026-11-20T10:00:00Z"});
        let repost = activity(&notification("repost", "at://did:plc:alice/app.bsky.feed.repost/3k2", repost, Some(BRAND_POST))).unwrap();
        assert_eq!((repost.kind, repost.subject_remote_id.as_deref()), (ActivityKind::Repost, Some(BRAND_POST)));
        let follow = json!({"subject": "did:plc:brand", "createdAt": "2026-11-20T10:00:00Z"});
        let follow = activity(&notification("follow", "at://did:plc:alice/app.bsky.graph.follow/3k3", follow, None)).unwrap();
        assert_eq!(follow.kind, ActivityKind::Follow);
        for reason in ["starterpack-joined", "verified", "like-via-repost", "subscribed-post"] {
            assert!(activity(&notification(reason, "at://did:plc:alice/x/3k4", json!({}), None)).is_none(), "{reason}");
        }
    }

    #[test]
    fn without_a_record_date_the_indexing_date_counts() {
        let a = activity(&notification("follow", "at://did:plc:alice/app.bsky.graph.follow/3k5", json!({}), None)).unwrap();
        assert_eq!(a.created_at_ms, parse_ms("2026-11-20T10:00:05Z").unwrap());
        let mut nameless = notification("follow", "at://did:plc:alice/app.bsky.graph.follow/3k6", json!({}), None);
        nameless["author"]["displayName"] = json!("  ");
        assert_eq!(activity(&nameless).unwrap().author.display_name, None, "a blank name is no name");
        nameless["author"].as_object_mut().unwrap().remove("handle");
        assert!(activity(&nameless).is_none(), "an author without handle is not guessed");
    }

    #[test]
    fn a_thread_reads_root_first_and_stops_at_a_missing_parent() {
        let view = |rkey: &str, text: &str, parent: Option<&str>| {
            let mut record = json!({"text": text, "createdAt": "2026-11-20T10:00:00Z"});
            if let Some(p) = parent {
                record["reply"] = json!({"parent": {"uri": p, "cid": "c"}, "root": {"uri": p, "cid": "c"}});
            }
            json!({"uri": format!("at://did:plc:alice/app.bsky.feed.post/{rkey}"), "cid": "c", "author": alice(),
                   "record": record, "likeCount": 2, "replyCount": 1, "repostCount": 0, "quoteCount": 3,
                   "indexedAt": "2026-11-20T10:00:01Z"})
        };
        let thread = json!({"$type": "app.bsky.feed.defs#threadViewPost", "post": view("c", "3", Some("b")),
            "parent": {"$type": "app.bsky.feed.defs#threadViewPost", "post": view("b", "2", Some("a")),
                "parent": {"$type": "app.bsky.feed.defs#threadViewPost", "post": view("a", "1", None),
                    "parent": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://x/y/z", "notFound": true}}}});
        let parents = thread_parents(&thread);
        let texts: Vec<&str> = parents.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["1", "2"]);
        let metrics = parents[0].metrics.as_ref().unwrap();
        assert_eq!((metrics.likes, metrics.replies, metrics.reposts, metrics.quotes, metrics.impressions), (2, 1, 0, 3, None));
        assert_eq!(parents[1].parent_remote_id.as_deref(), Some("a"));
        assert!(thread_parents(&json!({"post": view("z", "alone", None)})).is_empty());
    }

    #[test]
    fn at_uris_have_three_parts() {
        let at = AtUri::parse(BRAND_POST).unwrap();
        assert_eq!((at.repo, at.collection, at.rkey), ("did:plc:brand", "app.bsky.feed.post", "3kbrandpost22"));
        assert!(AtUri::parse("https://bsky.app/profile/x").is_none());
        assert!(AtUri::parse("at://did:plc:brand/app.bsky.feed.post").is_none());
        assert!(AtUri::parse("at://did:plc:brand/app.bsky.feed.post/a/b").is_none());
    }
}
