//! Mastodon's streaming API over server-sent events (`GET /api/v1/streaming/user` and
//! `/public`): each `event:`/`data:` record becomes a typed [`StreamEvent`].
//!
//! The streaming server may live on another host than the API: `GET /api/v2/instance` names it
//! (`configuration.urls.streaming`, a `wss://` address that also serves SSE over `https://`).
//! A dropped connection ends the stream; the caller reconnects and fills any gap with
//! [`crate::Network::fetch_activity`] from its marker, since the stream does not replay.

use super::Mastodon;
use super::client::{Session, classify, send, string_field, transport};
use super::entities;
use crate::{AccountRef, Activity, NetworkError, RemotePost};
use eventsource_stream::Eventsource;
use futures_util::stream::{BoxStream, StreamExt};
use std::time::Duration;

/// Which stream to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeline {
    /// The account's home timeline and its notifications.
    User,
    /// Every public status the server knows.
    Public,
}

impl Timeline {
    fn path(self) -> &'static str {
        match self {
            Timeline::User => "/api/v1/streaming/user",
            Timeline::Public => "/api/v1/streaming/public",
        }
    }
}

/// One event of a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// A new status (`update`).
    Update(Box<RemotePost>),
    /// A notification of the account (`notification`), as community activity.
    Notification(Box<Activity>),
    /// A status was deleted (`delete`): its id.
    Delete(String),
}

/// How long the stream may stay silent: Mastodon sends a heartbeat comment every 15 s or so.
const SILENCE: Duration = Duration::from_secs(90);

impl Mastodon {
    /// Opens a stream for the account. Events the connector does not map (edits, filters,
    /// announcements, notification kinds Relais skips) are left out; a broken connection or a
    /// malformed record ends with an error item.
    pub async fn stream(
        &self,
        account: &AccountRef,
        timeline: Timeline,
    ) -> Result<BoxStream<'static, Result<StreamEvent, NetworkError>>, NetworkError> {
        let session = self.session(account)?;
        let me = string_field(&send(session.get("/api/v1/accounts/verify_credentials")).await?, "id")?;
        let base = streaming_base(&session).await;
        // The streaming host is the instance's answer: it goes through the same policy.
        let stream_url =
            reqwest::Url::parse(&base).map_err(|e| NetworkError::Permanent(format!("mastodon: streaming at {base:?}: {e}")))?;
        self.outbound.check_literal(&stream_url)?;
        let builder =
            reqwest::Client::builder().user_agent(concat!("Relais/", env!("CARGO_PKG_VERSION"))).connect_timeout(Duration::from_secs(10));
        let http =
            self.outbound.guard(builder).read_timeout(SILENCE).redirect(reqwest::redirect::Policy::none()).build().map_err(transport)?;
        let response = http
            .get(format!("{base}{}", timeline.path()))
            .bearer_auth(&session.creds.access_token)
            .header(reqwest::header::ACCEPT, "text/event-stream")
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if !status.is_success() {
            let body = response.text().await.unwrap_or_default();
            return Err(classify(status, 60_000, &body));
        }
        let events = response.bytes_stream().eventsource().filter_map(move |item| {
            let mapped = match item {
                Ok(event) => event_of(&event.event, &event.data, &me).transpose(),
                Err(e) => Some(Err(NetworkError::Transient(format!("mastodon: the stream broke ({e})")))),
            };
            std::future::ready(mapped)
        });
        Ok(events.boxed())
    }
}

/// Where the streaming server answers, from the instance's own configuration; the API's host
/// when it names none.
async fn streaming_base(session: &Session<'_>) -> String {
    let named =
        send(session.get("/api/v2/instance")).await.ok().and_then(|i| i["configuration"]["urls"]["streaming"].as_str().map(str::to_string));
    let as_http = named.and_then(|u| {
        let u = u.trim_end_matches('/');
        u.strip_prefix("wss://").map(|h| format!("https://{h}")).or_else(|| u.strip_prefix("ws://").map(|h| format!("http://{h}")))
    });
    as_http.unwrap_or_else(|| session.creds.instance.clone())
}

/// One SSE record as a typed event; `Ok(None)` for the kinds left out.
pub fn event_of(name: &str, data: &str, me: &str) -> Result<Option<StreamEvent>, NetworkError> {
    let json = || {
        serde_json::from_str::<serde_json::Value>(data)
            .map_err(|e| NetworkError::Transient(format!("mastodon: a “{name}” event is not JSON ({e})")))
    };
    Ok(match name {
        "update" => Some(StreamEvent::Update(Box::new(entities::remote_post(&json()?)))),
        "notification" => entities::activity(&json()?, me).map(|a| StreamEvent::Notification(Box::new(a))),
        // The id comes bare; some servers quote it.
        "delete" => Some(StreamEvent::Delete(data.trim().trim_matches('"').to_string())),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ActivityKind;

    #[test]
    fn records_become_typed_events() {
        let status = r#"{"id":"108","created_at":"2026-03-01T10:15:00.000Z","in_reply_to_id":null,"visibility":"public","spoiler_text":"","content":"<p>Salut</p>","url":"https://m.example/@fan/108","account":{"id":"2","acct":"fan"}}"#;
        let Some(StreamEvent::Update(post)) = event_of("update", status, "1").unwrap() else { panic!() };
        assert_eq!((post.remote_id.as_str(), post.text.as_str()), ("108", "Salut"));
        let notification = format!(
            r#"{{"id":"9","type":"mention","created_at":"2026-03-01T10:15:00.000Z","account":{{"id":"2","acct":"fan"}},"status":{status}}}"#
        );
        let Some(StreamEvent::Notification(activity)) = event_of("notification", &notification, "1").unwrap() else { panic!() };
        assert_eq!(activity.kind, ActivityKind::Mention);
        assert_eq!(event_of("delete", "108", "1").unwrap(), Some(StreamEvent::Delete("108".into())));
        assert_eq!(event_of("filters_changed", "", "1").unwrap(), None);
        assert!(matches!(event_of("update", "{not json", "1"), Err(NetworkError::Transient(_))));
    }
}
