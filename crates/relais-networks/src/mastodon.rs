//! Mastodon (and servers that speak its REST API): publishing.
//!
//! **Tested against an imitation, not a real instance.** No Mastodon server can be installed
//! where Relais is built; the live tests (`tests/mastodon.rs`) run against the PyPI package
//! `mastodon-mock`, a FastAPI imitation of the API. The calls follow the public API
//! documentation (docs.joinmastodon.org); behaviour the imitation does not reproduce (a 202 from
//! the v2 media endpoint while a video is processed, real rate limits, HTTPS) is written from the
//! documentation and only partly exercised.
//!
//! Credentials, sealed by the caller, are JSON: `{"instance": "https://mastodon.example",
//! "access_token": "…"}`, obtained either by pasting a token created in the instance's
//! preferences (Development → New application) or through the OAuth authorization-code flow:
//! [`register_app`], [`authorize_url`], then [`exchange_code`].
//!
//! Publishing: `POST /api/v1/statuses` with the `Idempotency-Key` header set to Relais's key
//! (`KEY#thread-N` for part N of a thread, `KEY#first-comment` for the first comment), each part
//! a reply (`in_reply_to_id`) to the one before; media through `POST /api/v2/media` with the alt
//! text as `description`, waiting (a bounded number of polls) while the server still processes
//! it. Visibility is public; content warnings are not used yet.
//!
//! Exactly-once, and its limits: Mastodon has no lookup by idempotency key. It remembers a key
//! for a while (one hour on Mastodon itself, per the API documentation) and answers a repeated
//! key with the status created the first time, so a retry within that window never duplicates
//! any part of the unit: parts already created come back, the missing ones are created.
//! [`Network::find_published`] therefore answers "not found" and lets the retry with the same
//! keys do the work. A retry after the server forgot the key would post again; for that case
//! [`Mastodon::find_recent`] looks for a status of the account with the same text created after
//! a given time (the account's last 40 statuses only; an edited or deleted status is not found).

use crate::{AccountCheck, AccountRef, AltText, Capabilities, MediaRef, NetFuture, Network, NetworkError, PublishRequest, Published};
use relais_core::text_rules::LengthCounting;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
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
    inbox: false,
    metrics: false,
    search: false,
    delete: false,
};

/// The scopes Relais asks for: reading (the inbox, metrics) and writing (statuses, media).
pub const SCOPES: &str = "read write";

/// What Relais keeps (sealed) for a connected Mastodon account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The instance's base URL, such as `https://mastodon.social`.
    pub instance: String,
    pub access_token: String,
}

impl Credentials {
    /// Reads the sealed JSON; a credential that is not Mastodon's asks for a reconnection.
    pub fn parse(raw: &str) -> Result<Credentials, NetworkError> {
        let creds: Credentials = serde_json::from_str(raw).map_err(|e| {
            NetworkError::AuthExpired(format!("mastodon: the stored credentials are unreadable ({e}); reconnect the account"))
        })?;
        Ok(Credentials { instance: instance_base(&creds.instance).map_err(NetworkError::AuthExpired)?, ..creds })
    }
}

/// An application registered on an instance (`POST /api/v1/apps`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRegistration {
    pub client_id: String,
    pub client_secret: String,
}

/// The instance URL without a trailing slash, checked to be an http(s) address.
pub fn instance_base(instance: &str) -> Result<String, String> {
    let trimmed = instance.trim().trim_end_matches('/');
    match url::Url::parse(trimmed) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(trimmed.to_string()),
        _ => Err(format!("mastodon: “{instance}” is not an instance address (https://…)")),
    }
}

/// The HTTP client the connector and the OAuth functions use: bounded waits, Relais's name.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .user_agent(concat!("Relais/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client with these settings builds")
}

/// Registers Relais as an application on the instance, for the authorization-code flow.
pub async fn register_app(http: &reqwest::Client, instance: &str, redirect_uri: &str) -> Result<AppRegistration, NetworkError> {
    let base = instance_base(instance).map_err(NetworkError::Permanent)?;
    let form = [("client_name", "Relais"), ("redirect_uris", redirect_uri), ("scopes", SCOPES)];
    let body = send(http.post(format!("{base}/api/v1/apps")).form(&form)).await?;
    Ok(AppRegistration { client_id: string_field(&body, "client_id")?, client_secret: string_field(&body, "client_secret")? })
}

/// Where to send the person who connects the account; the instance redirects back to
/// `redirect_uri` with `code` and `state` in the query.
pub fn authorize_url(instance: &str, app: &AppRegistration, redirect_uri: &str, state: &str) -> Result<String, NetworkError> {
    let base = instance_base(instance).map_err(NetworkError::Permanent)?;
    let mut url = url::Url::parse(&format!("{base}/oauth/authorize")).map_err(|e| NetworkError::Permanent(e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", &app.client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", SCOPES)
        .append_pair("state", state);
    Ok(url.into())
}

/// Trades the code the instance gave back for an access token.
pub async fn exchange_code(
    http: &reqwest::Client,
    instance: &str,
    app: &AppRegistration,
    redirect_uri: &str,
    code: &str,
) -> Result<String, NetworkError> {
    let base = instance_base(instance).map_err(NetworkError::Permanent)?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", &app.client_id),
        ("client_secret", &app.client_secret),
        ("redirect_uri", redirect_uri),
        ("scope", SCOPES),
    ];
    let body = send(http.post(format!("{base}/oauth/token")).form(&form)).await?;
    string_field(&body, "access_token")
}

/// The Mastodon connector.
pub struct Mastodon {
    http: reqwest::Client,
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
    pub fn new() -> Self {
        Mastodon { http: http_client(), media_poll_interval: Duration::from_secs(1), media_poll_attempts: 60 }
    }

    /// Other bounds for waiting on media processing (tests).
    pub fn with_media_wait(mut self, interval: Duration, attempts: u32) -> Self {
        self.media_poll_interval = interval;
        self.media_poll_attempts = attempts;
        self
    }

    /// A status of the account with exactly this text, created at or after `since_ms` (epoch
    /// ms), among its 40 most recent statuses. See the module documentation for its limits.
    pub async fn find_recent(&self, account: &AccountRef, text: &str, since_ms: i64) -> Result<Option<Published>, NetworkError> {
        let creds = Credentials::parse(&account.credentials)?;
        let me = send(self.get(&creds, "/api/v1/accounts/verify_credentials")).await?;
        let id = string_field(&me, "id")?;
        let statuses = send(self.get(&creds, &format!("/api/v1/accounts/{id}/statuses?limit=40&exclude_reblogs=true"))).await?;
        let since = jiff::Timestamp::from_millisecond(since_ms).map_err(|e| NetworkError::Permanent(e.to_string()))?;
        let found = statuses.as_array().into_iter().flatten().find(|s| {
            let created = s["created_at"].as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok());
            // `text` is the source as written when the server gives it back (the imitation does;
            // Mastodon itself only in some answers); otherwise compare with the HTML's text.
            let same = match s["text"].as_str() {
                Some(t) => t.trim() == text.trim(),
                None => s["content"].as_str().is_some_and(|html| strip_html(html).trim() == text.trim()),
            };
            same && created.is_some_and(|c| c >= since)
        });
        Ok(found.map(published))
    }

    fn get(&self, creds: &Credentials, path: &str) -> RequestBuilder {
        self.http.get(format!("{}{path}", creds.instance)).bearer_auth(&creds.access_token)
    }

    /// Creates one status; `key` goes in the `Idempotency-Key` header.
    async fn post_status(
        &self,
        creds: &Credentials,
        key: &str,
        text: &str,
        in_reply_to: Option<&str>,
        media_ids: &[String],
    ) -> Result<Value, NetworkError> {
        let mut body = serde_json::json!({ "status": text, "visibility": "public" });
        if let Some(parent) = in_reply_to {
            body["in_reply_to_id"] = parent.into();
        }
        if !media_ids.is_empty() {
            body["media_ids"] = media_ids.into();
        }
        let request = self
            .http
            .post(format!("{}/api/v1/statuses", creds.instance))
            .bearer_auth(&creds.access_token)
            .header("Idempotency-Key", key)
            .json(&body);
        send(request).await
    }

    /// Uploads one medium and waits until the server has processed it; answers its id.
    async fn upload(&self, creds: &Credentials, media: &MediaRef) -> Result<String, NetworkError> {
        let bytes = tokio::fs::read(&media.path)
            .await
            .map_err(|e| NetworkError::Permanent(format!("mastodon: cannot read the medium {} ({e})", media.path.display())))?;
        let name = media.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "media".into());
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(name)
            .mime_str(&media.mime)
            .map_err(|e| NetworkError::Permanent(format!("mastodon: “{}” is not a media type ({e})", media.mime)))?;
        let mut form = reqwest::multipart::Form::new().part("file", part);
        if !media.alt_text.trim().is_empty() {
            form = form.text("description", media.alt_text.clone());
        }
        let request = self.http.post(format!("{}/api/v2/media", creds.instance)).bearer_auth(&creds.access_token).multipart(form);
        let response = request.send().await.map_err(transport)?;
        // 200: processed; 202: accepted, `url` stays null until processing ends.
        let still_processing = response.status() == StatusCode::ACCEPTED;
        let body = read(response).await?;
        let id = string_field(&body, "id")?;
        if still_processing || body["url"].is_null() {
            self.wait_processed(creds, &id).await?;
        }
        Ok(id)
    }

    /// Polls `GET /api/v1/media/:id` (206 while processing) until it has a URL, within bounds.
    async fn wait_processed(&self, creds: &Credentials, id: &str) -> Result<(), NetworkError> {
        for _ in 0..self.media_poll_attempts {
            tokio::time::sleep(self.media_poll_interval).await;
            let response = self.get(creds, &format!("/api/v1/media/{id}")).send().await.map_err(transport)?;
            let processing = response.status() == StatusCode::PARTIAL_CONTENT;
            let body = read(response).await?;
            if !processing && !body["url"].is_null() {
                return Ok(());
            }
        }
        let waited = self.media_poll_interval * self.media_poll_attempts;
        Err(NetworkError::Transient(format!("mastodon: the medium {id} was still being processed after {} s", waited.as_secs())))
    }
}

impl Network for Mastodon {
    fn capabilities(&self) -> &Capabilities {
        &CAPABILITIES
    }

    fn publish<'a>(&'a self, account: &'a AccountRef, request: &'a PublishRequest) -> NetFuture<'a, Published> {
        Box::pin(async move {
            let creds = Credentials::parse(&account.credentials)?;
            if request.media.len() > CAPABILITIES.max_images {
                return Err(NetworkError::Permanent(format!(
                    "mastodon: a status takes at most {} media, this one has {}",
                    CAPABILITIES.max_images,
                    request.media.len()
                )));
            }
            let mut media_ids = Vec::with_capacity(request.media.len());
            for media in &request.media {
                media_ids.push(self.upload(&creds, media).await?);
            }
            let key = &request.idempotency_key;
            let first = self.post_status(&creds, key, &with_link(&request.text, request.link.as_deref()), None, &media_ids).await?;
            let mut parent = string_field(&first, "id")?;
            for (i, part) in request.thread.iter().enumerate() {
                let status = self.post_status(&creds, &format!("{key}#thread-{}", i + 1), part, Some(&parent), &[]).await?;
                parent = string_field(&status, "id")?;
            }
            if let Some(comment) = request.first_comment.as_deref().filter(|c| !c.trim().is_empty()) {
                self.post_status(&creds, &format!("{key}#first-comment"), comment, Some(&parent), &[]).await?;
            }
            Ok(published(&first))
        })
    }

    /// Always "not found": Mastodon cannot be asked for a key, and the retry that follows reuses
    /// the same `Idempotency-Key`s, which the server answers with what it already created (see
    /// the module documentation for the window this holds in).
    fn find_published<'a>(&'a self, account: &'a AccountRef, _idempotency_key: &'a str) -> NetFuture<'a, Option<Published>> {
        Box::pin(async move {
            Credentials::parse(&account.credentials)?;
            Ok(None)
        })
    }

    fn check<'a>(&'a self, account: &'a AccountRef) -> NetFuture<'a, AccountCheck> {
        Box::pin(async move {
            let creds = Credentials::parse(&account.credentials)?;
            let me = send(self.get(&creds, "/api/v1/accounts/verify_credentials")).await?;
            let display_name = me["display_name"].as_str().filter(|n| !n.is_empty()).map(str::to_string);
            Ok(AccountCheck {
                remote_id: string_field(&me, "id")?,
                handle: me["acct"].as_str().unwrap_or(&account.handle).to_string(),
                display_name,
                expires_at_ms: None,
            })
        })
    }
}

/// The first status's text: the link is added on a line of its own unless the text has it.
fn with_link(text: &str, link: Option<&str>) -> String {
    match link.map(str::trim).filter(|l| !l.is_empty()) {
        Some(link) if !text.contains(link) => {
            if text.trim().is_empty() {
                link.to_string()
            } else {
                format!("{}\n\n{link}", text.trim_end())
            }
        }
        _ => text.to_string(),
    }
}

fn published(status: &Value) -> Published {
    Published { remote_id: value_string(&status["id"]).unwrap_or_default(), url: status["url"].as_str().map(str::to_string) }
}

fn value_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn string_field(body: &Value, field: &str) -> Result<String, NetworkError> {
    value_string(&body[field]).ok_or_else(|| NetworkError::Transient(format!("mastodon: the server's answer has no “{field}”: {body}")))
}

/// The text of a status's HTML, for comparing with what was posted.
fn strip_html(html: &str) -> String {
    let spaced = html.replace("<br>", "\n").replace("<br/>", "\n").replace("<br />", "\n").replace("</p><p>", "\n\n");
    let mut out = String::with_capacity(spaced.len());
    let mut in_tag = false;
    for c in spaced.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
}

async fn send(request: RequestBuilder) -> Result<Value, NetworkError> {
    read(request.send().await.map_err(transport)?).await
}

fn transport(e: reqwest::Error) -> NetworkError {
    if e.is_builder() {
        NetworkError::Permanent(format!("mastodon: the request could not be made ({e})"))
    } else {
        NetworkError::Transient(format!("mastodon: no answer from the instance ({e})"))
    }
}

/// The body of a successful answer, or the error it means for Relais.
async fn read(response: Response) -> Result<Value, NetworkError> {
    let status = response.status();
    let retry_after_ms = retry_after_ms(&response, jiff::Timestamp::now());
    let text = response.text().await.map_err(transport)?;
    if status.is_success() {
        return serde_json::from_str(&text)
            .map_err(|e| NetworkError::Transient(format!("mastodon: the server's answer is not JSON ({e}): {}", clip(&text))));
    }
    Err(classify(status, retry_after_ms, &text))
}

/// The error an HTTP failure means, with the server's own `error` message.
pub fn classify(status: StatusCode, retry_after_ms: i64, body: &str) -> NetworkError {
    let said = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or_else(|| clip(body).to_string());
    let message = format!("mastodon ({}): {said}", status.as_u16());
    match status.as_u16() {
        401 | 403 => NetworkError::AuthExpired(message),
        429 => NetworkError::RateLimited { retry_after_ms, message },
        408 | 500.. => NetworkError::Transient(message),
        _ => NetworkError::Permanent(message),
    }
}

/// How long to wait before calling again after a 429: `X-RateLimit-Reset` (an ISO 8601 time on
/// Mastodon, seconds since the epoch on some servers), else `Retry-After` (seconds), else 5 min.
fn retry_after_ms(response: &Response, now: jiff::Timestamp) -> i64 {
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let reset = header("X-RateLimit-Reset").and_then(|v| {
        v.parse::<jiff::Timestamp>().ok().or_else(|| v.parse::<i64>().ok().and_then(|s| jiff::Timestamp::from_second(s).ok()))
    });
    let from_reset = reset.map(|r| r.as_millisecond() - now.as_millisecond());
    let from_retry = header("Retry-After").and_then(|v| v.parse::<i64>().ok()).map(|s| s * 1000);
    from_reset.or(from_retry).unwrap_or(300_000).max(1000)
}

fn clip(text: &str) -> &str {
    match text.char_indices().nth(300) {
        Some((i, _)) => &text[..i],
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified_with_the_servers_words() {
        let e = classify(StatusCode::UNPROCESSABLE_ENTITY, 0, r#"{"error":"Validation failed: Text can't be blank"}"#);
        assert_eq!(e, NetworkError::Permanent("mastodon (422): Validation failed: Text can't be blank".into()));
        assert!(
            matches!(classify(StatusCode::UNAUTHORIZED, 0, r#"{"error":"The access token is invalid"}"#), NetworkError::AuthExpired(m) if m.contains("invalid"))
        );
        assert!(matches!(classify(StatusCode::TOO_MANY_REQUESTS, 5000, "{}"), NetworkError::RateLimited { retry_after_ms: 5000, .. }));
        assert!(
            matches!(classify(StatusCode::BAD_GATEWAY, 0, "<html>bad gateway</html>"), NetworkError::Transient(m) if m.contains("bad gateway"))
        );
    }

    #[test]
    fn the_link_is_added_once() {
        assert_eq!(with_link("Nouveau prêt", Some("https://ex.fr/p")), "Nouveau prêt\n\nhttps://ex.fr/p");
        assert_eq!(with_link("Voir https://ex.fr/p", Some("https://ex.fr/p")), "Voir https://ex.fr/p");
        assert_eq!(with_link("", Some("https://ex.fr/p")), "https://ex.fr/p");
        assert_eq!(with_link("Texte", None), "Texte");
    }

    #[test]
    fn credentials_name_the_instance() {
        let c = Credentials::parse(r#"{"instance":"https://m.example/","access_token":"t"}"#).unwrap();
        assert_eq!(c.instance, "https://m.example");
        assert!(matches!(Credentials::parse("not json"), Err(NetworkError::AuthExpired(_))));
        assert!(
            matches!(Credentials::parse(r#"{"instance":"m.example","access_token":"t"}"#), Err(NetworkError::AuthExpired(m)) if m.contains("m.example"))
        );
    }

    #[test]
    fn html_is_read_back_as_text() {
        assert_eq!(strip_html("<p>Un &amp; deux<br>trois</p><p>quatre</p>"), "Un & deux\ntrois\n\nquatre");
    }
}
