//! Connecting an account through the OAuth authorization-code flow: [`register_app`],
//! [`authorize_url`], then [`exchange_code`].

use super::SCOPES;
use super::client::{instance_base, send, string_field};
use crate::NetworkError;
use serde::{Deserialize, Serialize};

/// An application registered on an instance (`POST /api/v1/apps`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppRegistration {
    pub client_id: String,
    pub client_secret: String,
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
