//! Bluesky, over the AT Protocol: an account is a handle (or DID) with an app password on a PDS
//! (`https://bsky.social` for most people, a local one in tests).
//!
//! - Sessions: `com.atproto.server.createSession` with the app password, kept in memory per
//!   account and refreshed with `refreshSession` when the access token expires; when neither
//!   works (password revoked), the call fails with [`NetworkError::AuthExpired`].
//! - Exactly once: every part of a unit (first post, thread parts, first comment) has a record
//!   key derived from the idempotency key ([`record_key`]). Before creating a part, its record is
//!   looked up; one that exists is reused, so a retry completes a unit instead of duplicating
//!   it. The first post records how many parts the unit has (`relaisParts`), so
//!   [`Network::find_published`] answers "found" only once the last part is there.
//! - Text: links, mentions (resolved to DIDs) and hashtags become facets with UTF-8 byte ranges.
//! - Media: images uploaded with `uploadBlob`, with their alt text and aspect ratio; the link of
//!   a post without images becomes a link card (`app.bsky.embed.external`).
//! - Community ([`community`]): notifications as activity, thread context, replies (exactly once
//!   like posts), deletion of a whole unit, post and account counters, search; through the PDS,
//!   which forwards `app.bsky.*` calls to its AppView.
//! - Listening: [`firehose`] reads new posts from a PDS's or relay's event stream.

mod community;
mod facets;
pub mod firehose;
pub mod record_key;
mod views;
mod xrpc;

use crate::{
    AccountCheck, AccountMetrics, AccountRef, ActivityPage, AltText, Capabilities, NetFuture, Network, NetworkError, PostMetrics,
    PublishRequest, Published, RemotePost, ReplyRequest, SearchPage,
};
use relais_core::text_rules::LengthCounting;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use xrpc::{Body, CallError, Client};

pub const CAPABILITIES: Capabilities = Capabilities {
    key: "bluesky",
    label: "Bluesky",
    simulated: false,
    max_length: 300,
    counting: LengthCounting::Graphemes,
    max_images: 4,
    max_image_bytes: 1_000_000,
    image_types: &["image/jpeg", "image/png", "image/webp", "image/gif"],
    video: false,
    max_video_bytes: 0,
    alt_text: AltText::Optional,
    threads: true,
    first_comment: true,
    link_cards: true,
    hide_replies: true,
    inbox: true,
    metrics: true,
    search: true,
    delete: true,
    delete_comments: false,
    content_warning: false,
    visibilities: &[],
};

/// The default PDS of people who signed up on bsky.app.
pub const DEFAULT_SERVICE: &str = "https://bsky.social";

const POST: &str = "app.bsky.feed.post";

/// An account's credentials as Relais stores them (sealed): JSON
/// `{"service": PDS URL, "identifier": handle or DID, "app_password": "xxxx-xxxx-xxxx-xxxx"}`.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
pub struct Credentials {
    #[serde(default = "default_service")]
    pub service: String,
    pub identifier: String,
    pub app_password: String,
}

fn default_service() -> String {
    DEFAULT_SERVICE.to_string()
}

impl Credentials {
    pub fn parse(sealed: &str) -> Result<Credentials, NetworkError> {
        serde_json::from_str(sealed).map_err(|e| {
            NetworkError::AuthExpired(format!(
                "Bluesky: the account's credentials are not usable (expected service, identifier, app_password): {e}"
            ))
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("credentials serialize")
    }
}

#[derive(Debug, Clone)]
struct Session {
    /// The credentials it was opened with; other credentials open a new one.
    credentials: String,
    service: String,
    did: String,
    access: String,
    refresh: String,
}

pub struct Bluesky {
    client: Client,
    sessions: Mutex<HashMap<String, Session>>,
}

impl Default for Bluesky {
    fn default() -> Self {
        Self::new()
    }
}

/// A record as the PDS returns it.
#[derive(Debug, Clone)]
struct Stored {
    uri: String,
    cid: String,
    value: Value,
}

impl Stored {
    fn strong_ref(&self) -> Value {
        json!({"uri": self.uri, "cid": self.cid})
    }
}

impl Bluesky {
    /// A connector that calls public addresses only (see [`crate::outbound`]).
    pub fn new() -> Self {
        Self::with_outbound(crate::outbound::Outbound::public_only())
    }

    /// A connector whose calls obey `outbound` (a self-hosted PDS on a private network, the
    /// tests' local network).
    pub fn with_outbound(outbound: crate::outbound::Outbound) -> Self {
        Bluesky { client: Client::new(outbound), sessions: Mutex::new(HashMap::new()) }
    }

    /// Opens a session with the app password (also how "test connection" checks an account).
    async fn create_session(&self, account: &AccountRef) -> Result<Session, NetworkError> {
        let creds = Credentials::parse(&account.credentials)?;
        let body = json!({"identifier": creds.identifier, "password": creds.app_password});
        let answer = self.client.call(&creds.service, "com.atproto.server.createSession", None, &[], Body::Json(body)).await?;
        let session = session_from(&answer, &account.credentials, &creds.service)
            .ok_or_else(|| NetworkError::Transient("Bluesky: createSession answered without tokens".into()))?;
        self.sessions.lock().expect("sessions lock").insert(account.id.clone(), session.clone());
        Ok(session)
    }

    /// The account's session: the one in memory, or a new one.
    async fn session(&self, account: &AccountRef) -> Result<Session, NetworkError> {
        let cached = self.sessions.lock().expect("sessions lock").get(&account.id).cloned();
        match cached {
            Some(s) if s.credentials == account.credentials => Ok(s),
            _ => self.create_session(account).await,
        }
    }

    /// A session to replace one whose access token the server refused: refreshed when it can
    /// be, opened again with the app password otherwise.
    async fn renew(&self, account: &AccountRef, old: &Session) -> Result<Session, NetworkError> {
        let refreshed =
            self.client.call(&old.service, "com.atproto.server.refreshSession", Some(&old.refresh), &[], Body::Json(json!({}))).await;
        match refreshed.ok().and_then(|a| session_from(&a, &old.credentials, &old.service)) {
            Some(session) => {
                self.sessions.lock().expect("sessions lock").insert(account.id.clone(), session.clone());
                Ok(session)
            }
            None => self.create_session(account).await,
        }
    }

    /// One authenticated call, renewing the session once if the server refuses its token.
    async fn authed(
        &self,
        account: &AccountRef,
        nsid: &str,
        query: &[(&str, &str)],
        body: impl Fn() -> Body,
    ) -> Result<(Session, Value), CallError> {
        let session = self.session(account).await.map_err(CallError::Network)?;
        match self.client.call(&session.service, nsid, Some(&session.access), query, body()).await {
            Err(CallError::Xrpc(e)) if e.is_auth() => {
                let session = self.renew(account, &session).await.map_err(CallError::Network)?;
                let answer = self.client.call(&session.service, nsid, Some(&session.access), query, body()).await?;
                Ok((session, answer))
            }
            other => other.map(|answer| (session, answer)),
        }
    }

    /// The post at this record key of the account's repository, if there is one.
    async fn get_post(&self, account: &AccountRef, rkey: &str) -> Result<Option<Stored>, NetworkError> {
        let session = self.session(account).await?;
        let query = [("repo", session.did.as_str()), ("collection", POST), ("rkey", rkey)];
        match self.authed(account, "com.atproto.repo.getRecord", &query, || Body::None).await {
            Ok((_, answer)) => Ok(stored_from(&answer)),
            Err(CallError::Xrpc(e)) if e.error == "RecordNotFound" || e.status == 404 => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates the post at `rkey` unless it exists; a conflict means an earlier attempt won.
    async fn ensure_post(
        &self,
        account: &AccountRef,
        rkey: &str,
        record: impl Fn() -> Result<Value, NetworkError>,
    ) -> Result<Stored, NetworkError> {
        if let Some(existing) = self.get_post(account, rkey).await? {
            return Ok(existing);
        }
        let record = record()?;
        let session = self.session(account).await?;
        let body = json!({"repo": session.did, "collection": POST, "rkey": rkey, "record": record});
        match self.authed(account, "com.atproto.repo.createRecord", &[], || Body::Json(body.clone())).await {
            Ok((_, answer)) => {
                let uri = answer.get("uri").and_then(Value::as_str).unwrap_or_default().to_string();
                let cid = answer.get("cid").and_then(Value::as_str).unwrap_or_default().to_string();
                Ok(Stored { uri, cid, value: record })
            }
            Err(error) => {
                // Created by a concurrent or earlier attempt whose answer was lost?
                if let Some(existing) = self.get_post(account, rkey).await? {
                    return Ok(existing);
                }
                Err(error.into())
            }
        }
    }

    /// The facets of a text; mentions of handles that do not resolve are left as plain text.
    async fn facets(&self, account: &AccountRef, text: &str) -> Result<Vec<Value>, NetworkError> {
        let session = self.session(account).await?;
        let mut out = Vec::new();
        for (range, feature) in facets::detect(text) {
            let did = match &feature {
                facets::Feature::Mention(handle) => {
                    let query = [("handle", handle.as_str())];
                    match self.client.call(&session.service, "com.atproto.identity.resolveHandle", None, &query, Body::None).await {
                        Ok(answer) => answer.get("did").and_then(Value::as_str).map(str::to_string),
                        Err(CallError::Xrpc(e)) if e.status == 400 || e.status == 404 => None,
                        Err(e) => return Err(e.into()),
                    }
                }
                _ => None,
            };
            out.extend(facets::to_json(&range, &feature, did.as_deref()));
        }
        Ok(out)
    }

    /// Uploads the images of the first post and returns its `app.bsky.embed.images` embed.
    async fn images_embed(&self, account: &AccountRef, request: &PublishRequest) -> Result<Option<Value>, NetworkError> {
        if request.media.is_empty() {
            return Ok(None);
        }
        let mut images = Vec::new();
        for media in &request.media {
            let data = tokio::fs::read(&media.path)
                .await
                .map_err(|e| NetworkError::Permanent(format!("Bluesky: cannot read {} for upload: {e}", media.path.display())))?;
            let (_, answer) = self
                .authed(account, "com.atproto.repo.uploadBlob", &[], || Body::Bytes { data: data.clone(), mime: media.mime.clone() })
                .await
                .map_err(NetworkError::from)?;
            let blob =
                answer.get("blob").cloned().ok_or_else(|| NetworkError::Transient("Bluesky: uploadBlob answered without a blob".into()))?;
            let mut image = json!({"image": blob, "alt": media.alt_text.trim()});
            if media.width > 0 && media.height > 0 {
                image["aspectRatio"] = json!({"width": media.width, "height": media.height});
            }
            images.push(image);
        }
        Ok(Some(json!({"$type": "app.bsky.embed.images", "images": images})))
    }

    fn refusal(&self, request: &PublishRequest) -> Option<String> {
        let caps = &CAPABILITIES;
        if request.text.trim().is_empty() && request.media.is_empty() {
            return Some("Bluesky: a post needs some text or images".into());
        }
        if let Some(refused) = crate::refused_audience(caps, request) {
            return Some(refused);
        }
        let texts = std::iter::once(&request.text).chain(&request.thread).chain(&request.first_comment);
        for (i, text) in texts.enumerate() {
            let length = relais_core::text_rules::measure(text, caps.counting);
            if length > caps.max_length {
                return Some(format!("Bluesky: part {} has {length} characters, the limit is {}", i + 1, caps.max_length));
            }
        }
        if request.media.len() > caps.max_images {
            return Some(format!("Bluesky: {} images, the limit is {} per post", request.media.len(), caps.max_images));
        }
        for media in &request.media {
            if !caps.image_types.contains(&media.mime.as_str()) {
                return Some(format!("Bluesky: {} files are not accepted (images only: JPEG, PNG, WebP, GIF)", media.mime));
            }
            if media.bytes > caps.max_image_bytes {
                return Some(format!("Bluesky: an image of {} bytes is over the limit of {} bytes", media.bytes, caps.max_image_bytes));
            }
        }
        None
    }

    async fn publish_unit(&self, account: &AccountRef, request: &PublishRequest) -> Result<Published, NetworkError> {
        if let Some(reason) = self.refusal(request) {
            return Err(NetworkError::Permanent(reason));
        }
        let replies: Vec<&String> = request.thread.iter().chain(&request.first_comment).collect();
        let keys = (0..=replies.len())
            .map(|i| record_key::part_key(&request.idempotency_key, i))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| NetworkError::Permanent(format!("Bluesky: {e}")))?;

        // The first post. Its record is built (blobs uploaded) only if it does not exist yet.
        let root = match self.get_post(account, &keys[0]).await? {
            Some(existing) => existing,
            None => {
                let mut record = self.post_record(account, &request.text).await?;
                record["relaisParts"] = json!(keys.len());
                if let Some(images) = self.images_embed(account, request).await? {
                    record["embed"] = images;
                } else if let Some(link) = request.link.as_deref().filter(|l| !l.trim().is_empty()) {
                    record["embed"] = json!({"$type": "app.bsky.embed.external",
                        "external": {"uri": link.trim(), "title": link.trim(), "description": ""}});
                }
                self.ensure_post(account, &keys[0], || Ok(record.clone())).await?
            }
        };
        let mut parent = root.clone();
        for (text, rkey) in replies.into_iter().zip(&keys[1..]) {
            let mut record = match self.get_post(account, rkey).await? {
                Some(existing) => {
                    parent = existing;
                    continue;
                }
                None => self.post_record(account, text).await?,
            };
            record["reply"] = json!({"root": root.strong_ref(), "parent": parent.strong_ref()});
            parent = self.ensure_post(account, rkey, || Ok(record.clone())).await?;
        }
        Ok(published(&root.uri))
    }

    /// A post record with its facets (no embed, no reply).
    async fn post_record(&self, account: &AccountRef, text: &str) -> Result<Value, NetworkError> {
        let mut record = json!({"$type": POST, "text": text, "createdAt": jiff::Timestamp::now().to_string()});
        let facets = self.facets(account, text).await?;
        if !facets.is_empty() {
            record["facets"] = Value::Array(facets);
        }
        Ok(record)
    }

    async fn find_unit(&self, account: &AccountRef, idempotency_key: &str) -> Result<Option<Published>, NetworkError> {
        let first = record_key::part_key(idempotency_key, 0).map_err(|e| NetworkError::Permanent(format!("Bluesky: {e}")))?;
        let Some(root) = self.get_post(account, &first).await? else {
            return Ok(None);
        };
        let parts = root.value.get("relaisParts").and_then(Value::as_u64).unwrap_or(1).max(1) as usize;
        if parts > 1 {
            let last = record_key::part_key(idempotency_key, parts - 1).map_err(|e| NetworkError::Permanent(format!("Bluesky: {e}")))?;
            if self.get_post(account, &last).await?.is_none() {
                // Started but not finished: publishing again completes it.
                return Ok(None);
            }
        }
        Ok(Some(published(&root.uri)))
    }
}

fn session_from(answer: &Value, credentials: &str, service: &str) -> Option<Session> {
    let field = |name: &str| answer.get(name).and_then(Value::as_str).map(str::to_string);
    Some(Session {
        credentials: credentials.to_string(),
        service: service.to_string(),
        did: field("did")?,
        access: field("accessJwt")?,
        refresh: field("refreshJwt")?,
    })
}

fn stored_from(answer: &Value) -> Option<Stored> {
    Some(Stored {
        uri: answer.get("uri")?.as_str()?.to_string(),
        cid: answer.get("cid")?.as_str()?.to_string(),
        value: answer.get("value").cloned().unwrap_or(Value::Null),
    })
}

/// The post's AT URI as its remote id, and its bsky.app address.
fn published(uri: &str) -> Published {
    let url = uri.strip_prefix("at://").and_then(|rest| {
        let mut parts = rest.split('/');
        let (did, _, rkey) = (parts.next()?, parts.next()?, parts.next()?);
        Some(format!("https://bsky.app/profile/{did}/post/{rkey}"))
    });
    Published { remote_id: uri.to_string(), url }
}

impl Network for Bluesky {
    fn capabilities(&self) -> &Capabilities {
        &CAPABILITIES
    }

    fn publish<'a>(&'a self, account: &'a AccountRef, request: &'a PublishRequest) -> NetFuture<'a, Published> {
        Box::pin(self.publish_unit(account, request))
    }

    fn find_published<'a>(&'a self, account: &'a AccountRef, idempotency_key: &'a str) -> NetFuture<'a, Option<Published>> {
        Box::pin(self.find_unit(account, idempotency_key))
    }

    fn check<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, AccountCheck> {
        Box::pin(async move {
            // A fresh session, not the cached one: the point is to prove the app password works now.
            let session = self.create_session(account).await?;
            let (_, answer) = self.authed(account, "com.atproto.server.getSession", &[], || Body::None).await?;
            Ok(AccountCheck {
                handle: answer["handle"].as_str().unwrap_or(&account.handle).to_string(),
                remote_id: session.did,
                display_name: None,
                expires_at_ms: None,
            })
        })
    }

    fn fetch_activity<'a>(&'a self, account: &'a AccountRef, since: Option<&'a str>) -> NetFuture<'a, ActivityPage> {
        Box::pin(self.activity(account, since))
    }

    fn context<'a>(&'a self, account: &'a AccountRef, remote_id: &'a str) -> NetFuture<'a, Vec<RemotePost>> {
        Box::pin(self.thread_context(account, remote_id))
    }

    fn reply<'a>(&'a self, account: &'a AccountRef, request: &'a ReplyRequest) -> NetFuture<'a, Published> {
        Box::pin(self.post_reply(account, request))
    }

    fn delete<'a>(&'a self, account: &'a AccountRef, remote_id: &'a str) -> NetFuture<'a, ()> {
        Box::pin(self.delete_post(account, remote_id))
    }

    fn hide_reply<'a>(
        &'a self,
        account: &'a AccountRef,
        reply_remote_id: &'a str,
        root_remote_id: Option<&'a str>,
        hidden: bool,
    ) -> NetFuture<'a, ()> {
        Box::pin(self.set_reply_hidden(account, reply_remote_id, root_remote_id, hidden))
    }

    fn post_metrics<'a>(&'a self, account: &'a AccountRef, remote_ids: &'a [String]) -> NetFuture<'a, Vec<PostMetrics>> {
        Box::pin(self.post_metrics_of(account, remote_ids))
    }

    fn account_metrics<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, AccountMetrics> {
        Box::pin(self.account_metrics_of(account))
    }

    fn search<'a>(&'a self, account: &'a AccountRef, query: &'a str, cursor: Option<&'a str>) -> NetFuture<'a, SearchPage> {
        Box::pin(self.search_posts(account, query, cursor))
    }
}
