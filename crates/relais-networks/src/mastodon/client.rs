//! Talking to an instance: the credentials Relais keeps, authenticated calls, and what an HTTP
//! failure means for Relais (retry, pause the account, give up with the server's words).

use crate::NetworkError;
use crate::outbound::Outbound;
use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;

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

/// The instance URL without a trailing slash, checked to be an http(s) address.
pub fn instance_base(instance: &str) -> Result<String, String> {
    let trimmed = instance.trim().trim_end_matches('/');
    match url::Url::parse(trimmed) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(trimmed.to_string()),
        _ => Err(format!("mastodon: “{instance}” is not an instance address (https://…)")),
    }
}

/// The HTTP client the connector and the OAuth functions use: bounded waits, Relais's name, and
/// every connection through `outbound` (the instance is a user-given address). Redirects are
/// not followed (the guard's redirect check is replaced: an API answer never redirects).
pub fn http_client(outbound: &Outbound) -> reqwest::Client {
    let builder =
        reqwest::Client::builder().user_agent(concat!("Relais/", env!("CARGO_PKG_VERSION"))).connect_timeout(Duration::from_secs(10));
    outbound
        .guard(builder)
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a reqwest client with these settings builds")
}

/// One account's authenticated view of its instance.
pub(crate) struct Session<'a> {
    pub http: &'a reqwest::Client,
    pub creds: Credentials,
}

impl Session<'_> {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.creds.instance)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(&self.creds.access_token)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.http.post(self.url(path)).bearer_auth(&self.creds.access_token)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.http.delete(self.url(path)).bearer_auth(&self.creds.access_token)
    }
}

pub(crate) async fn send(request: RequestBuilder) -> Result<Value, NetworkError> {
    read(request.send().await.map_err(transport)?).await
}

/// The body and the headers of a successful answer (for the `Link` header of paged lists).
pub(crate) async fn send_with_headers(request: RequestBuilder) -> Result<(Value, HeaderMap), NetworkError> {
    let response = request.send().await.map_err(transport)?;
    let headers = response.headers().clone();
    Ok((read(response).await?, headers))
}

pub(crate) fn transport(e: reqwest::Error) -> NetworkError {
    if let Some(refusal) = crate::outbound::refusal_in(&e) {
        return NetworkError::Permanent(format!("mastodon: {refusal}"));
    }
    if e.is_builder() {
        NetworkError::Permanent(format!("mastodon: the request could not be made ({e})"))
    } else {
        NetworkError::Transient(format!("mastodon: no answer from the instance ({e})"))
    }
}

/// The body of a successful answer, or the error it means for Relais.
pub(crate) async fn read(response: Response) -> Result<Value, NetworkError> {
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

/// The value of `param` in the `Link` header's link with this `rel` (Mastodon pages its lists
/// with `rel="next"` for older items and `rel="prev"` for newer ones). Only the parameter is
/// taken: Relais builds the next URL itself, so the token never goes to a host the header names.
pub(crate) fn link_param(headers: &HeaderMap, rel: &str, param: &str) -> Option<String> {
    let header = headers.get(reqwest::header::LINK)?.to_str().ok()?;
    header.split(',').find_map(|link| {
        let (target, params) = link.split_once(';')?;
        let wanted = params.split(';').any(|p| p.trim().replace(' ', "") == format!("rel=\"{rel}\""));
        if !wanted {
            return None;
        }
        let url = url::Url::parse(target.trim().trim_start_matches('<').trim_end_matches('>')).ok()?;
        url.query_pairs().find(|(k, _)| k == param).map(|(_, v)| v.into_owned())
    })
}

/// Mastodon ids are strings of digits that sort by length, then lexically (the API documents
/// them as strings; they do not all fit a 64-bit integer on every server).
pub(crate) fn id_newer(a: &str, b: &str) -> bool {
    (a.len(), a) > (b.len(), b)
}

pub(crate) fn value_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn string_field(body: &Value, field: &str) -> Result<String, NetworkError> {
    value_string(&body[field]).ok_or_else(|| NetworkError::Transient(format!("mastodon: the server's answer has no “{field}”: {body}")))
}

pub(crate) fn clip(text: &str) -> &str {
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
    fn credentials_name_the_instance() {
        let c = Credentials::parse(r#"{"instance":"https://m.example/","access_token":"t"}"#).unwrap();
        assert_eq!(c.instance, "https://m.example");
        assert!(matches!(Credentials::parse("not json"), Err(NetworkError::AuthExpired(_))));
        assert!(
            matches!(Credentials::parse(r#"{"instance":"m.example","access_token":"t"}"#), Err(NetworkError::AuthExpired(m)) if m.contains("m.example"))
        );
    }

    #[test]
    fn the_link_header_gives_the_next_cursor() {
        // The shape the API documentation shows for paged lists.
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::LINK,
            r#"<https://m.example/api/v1/notifications?max_id=34975535>; rel="next", <https://m.example/api/v1/notifications?min_id=34975861>; rel="prev""#
                .parse()
                .unwrap(),
        );
        assert_eq!(link_param(&headers, "prev", "min_id").as_deref(), Some("34975861"));
        assert_eq!(link_param(&headers, "next", "max_id").as_deref(), Some("34975535"));
        assert_eq!(link_param(&headers, "next", "min_id"), None);
        assert_eq!(link_param(&HeaderMap::new(), "prev", "min_id"), None);
    }

    #[test]
    fn ids_compare_as_the_api_says() {
        assert!(id_newer("110", "99"));
        assert!(id_newer("109", "108"));
        assert!(!id_newer("99", "110"));
        assert!(!id_newer("5", "5"));
    }
}
