//! XRPC calls (HTTP + JSON) to a PDS, with the server's errors mapped to [`NetworkError`].

use crate::NetworkError;
use crate::outbound::Outbound;
use serde_json::Value;
use std::time::Duration;

/// An error answer of an XRPC endpoint: `{"error": "...", "message": "..."}`.
#[derive(Debug, Clone)]
pub struct XrpcError {
    pub status: u16,
    pub error: String,
    pub message: String,
    /// From the `ratelimit-reset` header (epoch seconds), for 429 answers.
    pub retry_after_ms: Option<i64>,
}

impl XrpcError {
    /// The access token expired: refreshing the session may help.
    pub fn is_expired_token(&self) -> bool {
        self.error == "ExpiredToken"
    }

    /// The server does not accept the session's token at all.
    pub fn is_auth(&self) -> bool {
        self.status == 401 || matches!(self.error.as_str(), "AuthenticationRequired" | "InvalidToken" | "ExpiredToken")
    }

    pub fn describe(&self) -> String {
        match (self.error.is_empty(), self.message.is_empty()) {
            (false, false) => format!("{}: {}", self.error, self.message),
            (false, true) => self.error.clone(),
            (true, false) => self.message.clone(),
            (true, true) => format!("HTTP {}", self.status),
        }
    }

    /// What Relais does about it once refreshing the session is no longer an option.
    pub fn into_network_error(self) -> NetworkError {
        let what = format!("Bluesky: {}", self.describe());
        match self.status {
            429 => NetworkError::RateLimited { retry_after_ms: self.retry_after_ms.unwrap_or(60_000), message: what },
            401 => NetworkError::AuthExpired(what),
            _ if self.is_auth() || matches!(self.error.as_str(), "AccountTakedown" | "AccountDeactivated") => {
                NetworkError::AuthExpired(what)
            }
            408 | 500..=599 => NetworkError::Transient(what),
            _ => NetworkError::Permanent(what),
        }
    }
}

/// Why a call failed: the server said no, or it could not be reached.
#[derive(Debug)]
pub enum CallError {
    Xrpc(XrpcError),
    Network(NetworkError),
}

impl From<CallError> for NetworkError {
    fn from(e: CallError) -> Self {
        match e {
            CallError::Xrpc(x) => x.into_network_error(),
            CallError::Network(n) => n,
        }
    }
}

pub enum Body {
    None,
    Json(Value),
    Bytes { data: Vec<u8>, mime: String },
}

pub struct Client {
    http: reqwest::Client,
    outbound: Outbound,
}

impl Client {
    /// The PDS is a user-given address: every connection goes through `outbound`.
    pub fn new(outbound: Outbound) -> Self {
        let builder = reqwest::Client::builder()
            .user_agent(concat!("Relais/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60));
        let http = outbound.guard(builder).build().expect("an HTTP client with default settings");
        Client { http, outbound }
    }

    /// A query (GET) when `body` is [`Body::None`], a procedure (POST) otherwise.
    pub async fn call(
        &self,
        service: &str,
        nsid: &str,
        token: Option<&str>,
        query: &[(&str, &str)],
        body: Body,
    ) -> Result<Value, CallError> {
        let url = format!("{}/xrpc/{nsid}", service.trim_end_matches('/'));
        let parsed =
            reqwest::Url::parse(&url).map_err(|e| CallError::Network(NetworkError::Permanent(format!("Bluesky: {url:?}: {e}"))))?;
        self.outbound.check_literal(&parsed).map_err(CallError::Network)?;
        let mut request = match body {
            Body::None => self.http.get(&url),
            Body::Json(value) => self.http.post(&url).json(&value),
            Body::Bytes { data, mime } => self.http.post(&url).header(reqwest::header::CONTENT_TYPE, mime).body(data),
        };
        if !query.is_empty() {
            request = request.query(query);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| CallError::Network(transport(nsid, e)))?;
        let status = response.status().as_u16();
        let retry_after_ms = response
            .headers()
            .get("ratelimit-reset")
            .and_then(|v| v.to_str().ok()?.parse::<i64>().ok())
            .map(|reset| (reset * 1000 - relais_core::now_ms()).max(1000));
        let text = response.text().await.map_err(|e| CallError::Network(transport(nsid, e)))?;
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Ok(value);
        }
        let field = |name: &str| value.get(name).and_then(Value::as_str).unwrap_or_default().to_string();
        let mut message = field("message");
        if message.is_empty() && value.is_null() {
            message = text.chars().take(200).collect();
        }
        Err(CallError::Xrpc(XrpcError { status, error: field("error"), message, retry_after_ms }))
    }
}

fn transport(nsid: &str, e: reqwest::Error) -> NetworkError {
    if let Some(refusal) = crate::outbound::refusal_in(&e) {
        return NetworkError::Permanent(format!("Bluesky: {refusal}"));
    }
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    NetworkError::Transient(format!("Bluesky: {nsid} {what}: {e}"))
}
