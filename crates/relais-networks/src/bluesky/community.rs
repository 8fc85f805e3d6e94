//! What Relais reads from and answers to an account's community: notifications, threads,
//! replies, deletion, metrics and search.
//!
//! The `app.bsky.*` calls go to the account's PDS, which forwards them to its AppView with the
//! account's authority (no `atproto-proxy` header is needed for the PDS's own AppView). The
//! AppView indexes a little behind the PDS, so a post just written may be missing from its
//! answers for a moment.

use super::views::{self, AtUri};
use super::xrpc::{Body, CallError};
use super::{Bluesky, POST, Stored, published, record_key, stored_from};
use crate::{
    AccountMetrics, AccountRef, Activity, ActivityPage, NetworkError, PostMetrics, Published, RemotePost, ReplyRequest, SearchPage,
};
use serde_json::{Value, json};

/// How far back before the marker a fetch looks again: a notification is dated by the earlier
/// of its record's `createdAt` and its indexing time, so one indexed late can be dated before
/// the newest one already seen. Overlap is harmless (ingestion is idempotent).
const MARKER_OVERLAP_MS: i64 = 5 * 60 * 1000;
/// Pages of notifications read at most per fetch: a burst larger than this between two fetches
/// loses its oldest part rather than stalling the inbox.
const MAX_NOTIFICATION_PAGES: usize = 10;
const NOTIFICATION_PAGE: &str = "100";
/// `app.bsky.feed.getPosts` takes at most 25 URIs.
const POSTS_PER_CALL: usize = 25;
const THREADGATE: &str = "app.bsky.feed.threadgate";
/// The lexicon's limit on a threadgate's `hiddenReplies`.
const MAX_HIDDEN_REPLIES: usize = 300;
const SEARCH_PAGE: &str = "25";

impl Bluesky {
    pub(super) async fn activity(&self, account: &AccountRef, since: Option<&str>) -> Result<ActivityPage, NetworkError> {
        let since_ms = match since {
            Some(marker) => Some(views::parse_ms(marker).ok_or_else(|| {
                NetworkError::Permanent(format!("Bluesky: the activity marker {marker:?} is not a date from an earlier fetch"))
            })?),
            None => None,
        };
        let mut harvest = Harvest { floor: since_ms.map(|ms| ms - MARKER_OVERLAP_MS), ..Harvest::default() };
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_NOTIFICATION_PAGES {
            let mut query = vec![("limit", NOTIFICATION_PAGE)];
            if let Some(c) = &cursor {
                query.push(("cursor", c.as_str()));
            }
            let (_, answer) = self.authed(account, "app.bsky.notification.listNotifications", &query, || Body::None).await?;
            let notifications = answer.get("notifications").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            let reached_floor = harvest.take(notifications);
            cursor = answer.get("cursor").and_then(Value::as_str).map(str::to_string);
            if reached_floor || since.is_none() || cursor.is_none() || notifications.is_empty() {
                break;
            }
        }
        Ok(harvest.into_page(since_ms))
    }

    pub(super) async fn thread_context(&self, account: &AccountRef, uri: &str) -> Result<Vec<RemotePost>, NetworkError> {
        let query = [("uri", uri), ("depth", "0"), ("parentHeight", "1000")];
        let (_, answer) = self.authed(account, "app.bsky.feed.getPostThread", &query, || Body::None).await?;
        Ok(views::thread_parents(answer.get("thread").unwrap_or(&Value::Null)))
    }

    /// The post answered: read from its repository when this PDS has it (no indexing delay),
    /// from the AppView otherwise.
    async fn parent_post(&self, account: &AccountRef, uri: &str) -> Result<Stored, NetworkError> {
        let at = AtUri::parse(uri).ok_or_else(|| NetworkError::Permanent(format!("Bluesky: {uri:?} is not the AT URI of a post")))?;
        let query = [("repo", at.repo), ("collection", at.collection), ("rkey", at.rkey)];
        match self.authed(account, "com.atproto.repo.getRecord", &query, || Body::None).await {
            Ok((_, answer)) => {
                if let Some(stored) = stored_from(&answer) {
                    return Ok(stored);
                }
            }
            Err(CallError::Xrpc(e)) if e.status == 400 || e.status == 404 => {}
            Err(e) => return Err(e.into()),
        }
        let (_, answer) = self.authed(account, "app.bsky.feed.getPosts", &[("uris", uri)], || Body::None).await?;
        let view = answer.pointer("/posts/0").ok_or_else(|| NetworkError::Permanent(format!("Bluesky: the post {uri} does not exist")))?;
        Ok(Stored {
            uri: view.get("uri").and_then(Value::as_str).unwrap_or(uri).to_string(),
            cid: view.get("cid").and_then(Value::as_str).unwrap_or_default().to_string(),
            value: view.get("record").cloned().unwrap_or(Value::Null),
        })
    }

    /// The reply's record key comes from the idempotency key like a first post's, and it is
    /// looked up before being created: a retry finds the reply instead of writing a second one.
    pub(super) async fn post_reply(&self, account: &AccountRef, request: &ReplyRequest) -> Result<Published, NetworkError> {
        let rkey = record_key::part_key(&request.idempotency_key, 0).map_err(|e| NetworkError::Permanent(format!("Bluesky: {e}")))?;
        if let Some(existing) = self.get_post(account, &rkey).await? {
            return Ok(published(&existing.uri));
        }
        if request.text.trim().is_empty() {
            return Err(NetworkError::Permanent("Bluesky: a reply needs some text".into()));
        }
        let length = relais_core::text_rules::measure(&request.text, super::CAPABILITIES.counting);
        if length > super::CAPABILITIES.max_length {
            return Err(NetworkError::Permanent(format!(
                "Bluesky: the reply has {length} characters, the limit is {}",
                super::CAPABILITIES.max_length
            )));
        }
        let parent = self.parent_post(account, &request.parent_remote_id).await?;
        let root = parent.value.pointer("/reply/root").filter(|r| r.get("uri").is_some() && r.get("cid").is_some());
        let mut record = self.post_record(account, &request.text).await?;
        record["reply"] = json!({"root": root.cloned().unwrap_or_else(|| parent.strong_ref()), "parent": parent.strong_ref()});
        let stored = self.ensure_post(account, &rkey, || Ok(record.clone())).await?;
        Ok(published(&stored.uri))
    }

    /// Deletes the post and, for a unit Relais published (its first post says how many parts it
    /// has), the thread parts and first comment, whose keys follow from the first post's. A part
    /// is deleted only if it still replies in this unit's thread. The parts go before the first
    /// post, so an interrupted deletion can be run again. Replies written with
    /// [`crate::Network::reply`] are single posts.
    pub(super) async fn delete_post(&self, account: &AccountRef, uri: &str) -> Result<(), NetworkError> {
        let at = AtUri::parse(uri).ok_or_else(|| NetworkError::Permanent(format!("Bluesky: {uri:?} is not the AT URI of a post")))?;
        let session = self.session(account).await?;
        if at.collection != POST || (at.repo != session.did && at.repo != account.handle) {
            return Err(NetworkError::Permanent(format!("Bluesky: {uri} is not a post of {}", account.handle)));
        }
        let Some(first) = self.get_post(account, at.rkey).await? else {
            return Ok(());
        };
        let parts = first.value.get("relaisParts").and_then(Value::as_u64).unwrap_or(1).clamp(1, record_key::MAX_PARTS as u64) as usize;
        for index in (1..parts).rev() {
            let Some(rkey) = record_key::following_key(at.rkey, index) else { break };
            let belongs =
                self.get_post(account, &rkey).await?.is_some_and(|part| part.value.pointer("/reply/root/uri") == Some(&json!(first.uri)));
            if belongs {
                self.delete_record(account, &session.did, &rkey).await?;
            }
        }
        self.delete_record(account, &session.did, at.rkey).await
    }

    /// Hides or shows again a reply in a thread the account started, through the root post's
    /// threadgate record (`app.bsky.feed.threadgate`, same record key as the root, `hiddenReplies`
    /// holding the replies' AT URIs). A gate that already exists keeps its reply rules; a new one
    /// has none, so everyone may still reply.
    pub(super) async fn set_reply_hidden(
        &self,
        account: &AccountRef,
        reply_uri: &str,
        root_uri: Option<&str>,
        hidden: bool,
    ) -> Result<(), NetworkError> {
        let root = root_uri.ok_or_else(|| NetworkError::Permanent("Bluesky: only replies in a thread can be hidden".into()))?;
        let at = AtUri::parse(root).ok_or_else(|| NetworkError::Permanent(format!("Bluesky: {root:?} is not the AT URI of a post")))?;
        let session = self.session(account).await?;
        if at.collection != POST || (at.repo != session.did && at.repo != account.handle) {
            return Err(NetworkError::Permanent(format!(
                "Bluesky: only replies in threads started by {} can be hidden; this thread starts at {root}",
                account.handle
            )));
        }
        let query = [("repo", session.did.as_str()), ("collection", THREADGATE), ("rkey", at.rkey)];
        let existing = match self.authed(account, "com.atproto.repo.getRecord", &query, || Body::None).await {
            Ok((_, answer)) => answer.get("value").cloned(),
            Err(CallError::Xrpc(e)) if e.status == 400 || e.status == 404 => None,
            Err(e) => return Err(e.into()),
        };
        let mut gate = existing.unwrap_or_else(|| {
            json!({"$type": THREADGATE, "post": format!("at://{}/{POST}/{}", session.did, at.rkey),
                   "createdAt": jiff::Timestamp::now().to_string()})
        });
        let mut list: Vec<String> = gate
            .get("hiddenReplies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|u| *u != reply_uri)
            .map(str::to_string)
            .collect();
        if hidden {
            list.push(reply_uri.to_string());
        }
        if list.len() > MAX_HIDDEN_REPLIES {
            return Err(NetworkError::Permanent(format!("Bluesky: a thread hides at most {MAX_HIDDEN_REPLIES} replies")));
        }
        gate["hiddenReplies"] = json!(list);
        let body = json!({"repo": session.did, "collection": THREADGATE, "rkey": at.rkey, "record": gate});
        self.authed(account, "com.atproto.repo.putRecord", &[], || Body::Json(body.clone())).await?;
        Ok(())
    }

    async fn delete_record(&self, account: &AccountRef, did: &str, rkey: &str) -> Result<(), NetworkError> {
        let body = json!({"repo": did, "collection": POST, "rkey": rkey});
        match self.authed(account, "com.atproto.repo.deleteRecord", &[], || Body::Json(body.clone())).await {
            Ok(_) => Ok(()),
            Err(CallError::Xrpc(e)) if e.error == "RecordNotFound" || e.status == 404 => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    pub(super) async fn post_metrics_of(&self, account: &AccountRef, uris: &[String]) -> Result<Vec<PostMetrics>, NetworkError> {
        let mut out = Vec::with_capacity(uris.len());
        for batch in uris.chunks(POSTS_PER_CALL) {
            let query: Vec<(&str, &str)> = batch.iter().map(|u| ("uris", u.as_str())).collect();
            let (_, answer) = self.authed(account, "app.bsky.feed.getPosts", &query, || Body::None).await?;
            out.extend(answer.get("posts").and_then(Value::as_array).into_iter().flatten().filter_map(views::metrics));
        }
        Ok(out)
    }

    pub(super) async fn account_metrics_of(&self, account: &AccountRef) -> Result<AccountMetrics, NetworkError> {
        let session = self.session(account).await?;
        let (_, profile) = self.authed(account, "app.bsky.actor.getProfile", &[("actor", session.did.as_str())], || Body::None).await?;
        let count = |name: &str| profile.get(name).and_then(Value::as_i64).unwrap_or(0);
        Ok(AccountMetrics { followers: count("followersCount"), following: count("followsCount"), posts: count("postsCount") })
    }

    pub(super) async fn search_posts(&self, account: &AccountRef, q: &str, cursor: Option<&str>) -> Result<SearchPage, NetworkError> {
        if q.trim().is_empty() {
            return Err(NetworkError::Permanent("Bluesky: the search query is empty".into()));
        }
        let mut query = vec![("q", q), ("limit", SEARCH_PAGE)];
        if let Some(c) = cursor {
            query.push(("cursor", c));
        }
        let (_, answer) = self.authed(account, "app.bsky.feed.searchPosts", &query, || Body::None).await?;
        let posts: Vec<RemotePost> =
            answer.get("posts").and_then(Value::as_array).into_iter().flatten().filter_map(views::remote_post).collect();
        // An empty page ends the search even where the AppView still hands out a cursor.
        let cursor = answer.get("cursor").and_then(Value::as_str).filter(|_| !posts.is_empty()).map(str::to_string);
        Ok(SearchPage { posts, cursor })
    }
}

/// What the pages of notifications read so far gave, newest first as the AppView sends them.
#[derive(Debug, Default)]
struct Harvest {
    /// Notifications dated before it were fetched earlier.
    floor: Option<i64>,
    items: Vec<Activity>,
    /// The newest `indexedAt` seen (what the AppView dates and sorts notifications by).
    newest: Option<(i64, String)>,
}

impl Harvest {
    /// Takes one page; true once a notification before the floor shows the rest was fetched.
    fn take(&mut self, notifications: &[Value]) -> bool {
        for notification in notifications {
            let indexed_at = notification.get("indexedAt").and_then(Value::as_str);
            let Some((ms, indexed_at)) = indexed_at.and_then(|s| Some((views::parse_ms(s)?, s))) else { continue };
            if self.floor.is_some_and(|floor| ms < floor) {
                return true;
            }
            if self.newest.as_ref().is_none_or(|(newest, _)| ms > *newest) {
                self.newest = Some((ms, indexed_at.to_string()));
            }
            self.items.extend(views::activity(notification));
        }
        false
    }

    /// Oldest first; the marker moves only to a newer date (`None` keeps the previous one).
    fn into_page(mut self, since_ms: Option<i64>) -> ActivityPage {
        self.items.reverse();
        self.items.sort_by_key(|a| a.created_at_ms);
        let next_since = self.newest.filter(|(ms, _)| since_ms.is_none_or(|previous| *ms > previous)).map(|(_, marker)| marker);
        ActivityPage { items: self.items, next_since }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn like(n: u32, indexed_at: &str) -> Value {
        json!({"uri": format!("at://did:plc:fan/app.bsky.feed.like/3k{n}"), "reason": "like", "indexedAt": indexed_at,
               "author": {"did": "did:plc:fan", "handle": "fan.test"},
               "record": {"subject": {"uri": "at://did:plc:brand/app.bsky.feed.post/3kp", "cid": "c"}, "createdAt": indexed_at}})
    }

    #[test]
    fn a_page_stops_at_the_overlap_before_the_marker_and_reads_oldest_first() {
        let marker = views::parse_ms("2026-11-20T10:00:00Z").unwrap();
        let mut harvest = Harvest { floor: Some(marker - MARKER_OVERLAP_MS), ..Harvest::default() };
        let page = [
            like(4, "2026-11-20T10:02:00Z"),
            json!({"reason": "like", "indexedAt": "not a date"}),
            like(3, "2026-11-20T10:00:00Z"),
            like(2, "2026-11-20T09:57:00Z"),
        ];
        assert!(!harvest.take(&page), "everything is within the overlap: the next page may have more");
        assert!(harvest.take(&[like(1, "2026-11-20T09:54:59Z"), like(0, "2026-11-20T09:50:00Z")]), "older than the overlap: stop");
        let page = harvest.into_page(Some(marker));
        let ids: Vec<&str> = page.items.iter().map(|a| a.remote_id.rsplit('/').next().unwrap()).collect();
        assert_eq!(ids, ["3k2", "3k3", "3k4"]);
        assert_eq!(page.next_since.as_deref(), Some("2026-11-20T10:02:00Z"));
    }

    #[test]
    fn the_marker_never_goes_back() {
        let marker = views::parse_ms("2026-11-20T10:00:00Z").unwrap();
        let mut harvest = Harvest { floor: Some(marker - MARKER_OVERLAP_MS), ..Harvest::default() };
        harvest.take(&[like(1, "2026-11-20T10:00:00Z"), like(0, "2026-11-20T09:59:00Z")]);
        let page = harvest.into_page(Some(marker));
        assert_eq!(page.items.len(), 2, "the overlap comes back; ingesting it again changes nothing");
        assert_eq!(page.next_since, None, "nothing newer than the marker");
        let mut first = Harvest::default();
        first.take(&[like(0, "2026-11-20T09:59:00Z")]);
        assert_eq!(first.into_page(None).next_since.as_deref(), Some("2026-11-20T09:59:00Z"));
    }
}
