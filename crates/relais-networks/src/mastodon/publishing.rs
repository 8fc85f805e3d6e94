//! Publishing a unit (first status, thread, first comment) with its media, exactly once through
//! `Idempotency-Key`s, and the text-and-time lookup for retries after the server forgot a key.

use super::client::{Session, read, send, string_field, transport};
use super::entities::{self, html_text, visibility_key};
use super::{CAPABILITIES, Mastodon};
use crate::{MediaRef, NetworkError, PublishRequest, Published, Visibility};
use reqwest::StatusCode;
use serde_json::Value;

/// One status to create.
#[derive(Clone, Copy)]
pub(super) struct NewStatus<'a> {
    pub text: &'a str,
    pub in_reply_to: Option<&'a str>,
    pub media_ids: &'a [String],
    pub content_warning: Option<&'a str>,
    /// `None`: public.
    pub visibility: Option<Visibility>,
}

/// Creates one status; `key` goes in the `Idempotency-Key` header.
pub(super) async fn post_status(session: &Session<'_>, key: &str, status: &NewStatus<'_>) -> Result<Value, NetworkError> {
    let visibility = status.visibility.unwrap_or(Visibility::Public);
    let mut body = serde_json::json!({ "status": status.text, "visibility": visibility_key(visibility) });
    if let Some(parent) = status.in_reply_to {
        body["in_reply_to_id"] = parent.into();
    }
    if !status.media_ids.is_empty() {
        body["media_ids"] = status.media_ids.into();
    }
    if let Some(warning) = status.content_warning {
        body["spoiler_text"] = warning.into();
    }
    send(session.post("/api/v1/statuses").header("Idempotency-Key", key).json(&body)).await
}

impl Mastodon {
    pub(super) async fn publish_unit(&self, session: &Session<'_>, request: &PublishRequest) -> Result<Published, NetworkError> {
        if request.media.len() > CAPABILITIES.max_images {
            return Err(NetworkError::Permanent(format!(
                "mastodon: a status takes at most {} media, this one has {}",
                CAPABILITIES.max_images,
                request.media.len()
            )));
        }
        if let Some(refused) = crate::refused_audience(&CAPABILITIES, request) {
            return Err(NetworkError::Permanent(refused));
        }
        let mut media_ids = Vec::with_capacity(request.media.len());
        for media in &request.media {
            media_ids.push(self.upload(session, media).await?);
        }
        let key = &request.idempotency_key;
        // The audience of the unit goes on every part.
        let audience = NewStatus {
            text: "",
            in_reply_to: None,
            media_ids: &[],
            content_warning: request.content_warning.as_deref().map(str::trim).filter(|c| !c.is_empty()),
            visibility: request.visibility,
        };
        let text = with_link(&request.text, request.link.as_deref());
        let first = post_status(session, key, &NewStatus { text: &text, media_ids: &media_ids, ..audience }).await?;
        let mut parent = string_field(&first, "id")?;
        for (i, part) in request.thread.iter().enumerate() {
            let status = NewStatus { text: part, in_reply_to: Some(&parent), ..audience };
            let status = post_status(session, &format!("{key}#thread-{}", i + 1), &status).await?;
            parent = string_field(&status, "id")?;
        }
        if let Some(comment) = request.first_comment.as_deref().filter(|c| !c.trim().is_empty()) {
            post_status(session, &format!("{key}#first-comment"), &NewStatus { text: comment, in_reply_to: Some(&parent), ..audience })
                .await?;
        }
        Ok(entities::published(&first))
    }

    /// Uploads one medium and waits until the server has processed it; answers its id.
    async fn upload(&self, session: &Session<'_>, media: &MediaRef) -> Result<String, NetworkError> {
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
        let response = session.post("/api/v2/media").multipart(form).send().await.map_err(transport)?;
        // 200: processed; 202: accepted, `url` stays null until processing ends.
        let still_processing = response.status() == StatusCode::ACCEPTED;
        let body = read(response).await?;
        let id = string_field(&body, "id")?;
        if still_processing || body["url"].is_null() {
            self.wait_processed(session, &id).await?;
        }
        Ok(id)
    }

    /// Polls `GET /api/v1/media/:id` (206 while processing) until it has a URL, within bounds.
    async fn wait_processed(&self, session: &Session<'_>, id: &str) -> Result<(), NetworkError> {
        for _ in 0..self.media_poll_attempts {
            tokio::time::sleep(self.media_poll_interval).await;
            let response = session.get(&format!("/api/v1/media/{id}")).send().await.map_err(transport)?;
            let processing = response.status() == StatusCode::PARTIAL_CONTENT;
            let body = read(response).await?;
            if !processing && !body["url"].is_null() {
                return Ok(());
            }
        }
        let waited = self.media_poll_interval * self.media_poll_attempts;
        Err(NetworkError::Transient(format!("mastodon: the medium {id} was still being processed after {} s", waited.as_secs())))
    }

    pub(super) async fn recent_with_text(
        &self,
        session: &Session<'_>,
        text: &str,
        since_ms: i64,
    ) -> Result<Option<Published>, NetworkError> {
        let me = send(session.get("/api/v1/accounts/verify_credentials")).await?;
        let id = string_field(&me, "id")?;
        let statuses = send(session.get(&format!("/api/v1/accounts/{id}/statuses?limit=40&exclude_reblogs=true"))).await?;
        let since = jiff::Timestamp::from_millisecond(since_ms).map_err(|e| NetworkError::Permanent(e.to_string()))?;
        let found = statuses.as_array().into_iter().flatten().find(|s| {
            let created = s["created_at"].as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok());
            // `text` is the source as written when the server gives it back (the imitation does;
            // Mastodon itself only in some answers); otherwise compare with the HTML's text.
            let same = match s["text"].as_str() {
                Some(t) => t.trim() == text.trim(),
                None => s["content"].as_str().is_some_and(|html| html_text(html).trim() == text.trim()),
            };
            same && created.is_some_and(|c| c >= since)
        });
        Ok(found.map(entities::published))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_is_added_once() {
        assert_eq!(with_link("Nouveau prêt", Some("https://ex.fr/p")), "Nouveau prêt\n\nhttps://ex.fr/p");
        assert_eq!(with_link("Voir https://ex.fr/p", Some("https://ex.fr/p")), "Voir https://ex.fr/p");
        assert_eq!(with_link("", Some("https://ex.fr/p")), "https://ex.fr/p");
        assert_eq!(with_link("Texte", None), "Texte");
    }
}
