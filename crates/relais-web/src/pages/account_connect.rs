//! Connecting a social account, one page per network with its instructions: the sandbox
//! simulator (a token), Bluesky (handle and app password, any PDS), Mastodon (authorisation on
//! the instance through OAuth, or a pasted access token). The credentials are checked with the
//! network before they are stored (sealed), so a typo is an error on the form, not a paused
//! account a day later; a server typed by the user must be at an address the outbound policy
//! allows.

use super::strategy::{Tab, tabs};
use super::{PageForm, audit, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::{InWorkspace, SignedIn};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::{Action, Name, Section};
use relais_networks::{AccountCheck, AccountRef, Network as _, NetworkError, capabilities_of, mastodon};
use relais_store::{CheckedAccount, OAuthApp, OAuthState, SocialAccount, StoreError};
use serde::Deserialize;
use std::time::Duration;

/// The networks an account can be connected to.
pub const CONNECTABLE: [&str; 3] = ["sandbox", "bluesky", "mastodon"];

/// How long a check may take before the form says the network did not answer.
pub const CHECK_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a person has to authorise Relais on their instance.
const OAUTH_TTL_MS: i64 = 30 * 60_000;

/// The instance-wide address Mastodon sends people back to after authorising.
pub const MASTODON_CALLBACK: &str = "/oauth/mastodon/callback";

/// What Relais stores (sealed) for an account: the sandbox takes the token as is; Bluesky and
/// Mastodon take JSON with their server's address.
pub fn credentials_for(network: &str, handle: &str, server: Option<&str>, secret: &str) -> Result<String, String> {
    match network {
        "bluesky" => Ok(relais_networks::bluesky::Credentials {
            service: server
                .map(|s| s.trim_end_matches('/').to_string())
                .unwrap_or_else(|| relais_networks::bluesky::DEFAULT_SERVICE.into()),
            identifier: handle.trim_start_matches('@').to_string(),
            app_password: secret.to_string(),
        }
        .to_json()),
        "mastodon" => {
            let instance = mastodon::instance_base(server.unwrap_or(""))?;
            Ok(serde_json::to_string(&mastodon::Credentials { instance, access_token: secret.to_string() }).unwrap_or_default())
        }
        _ => Ok(secret.to_string()),
    }
}

/// The server address kept in an account's credentials, to reconnect it with a new secret.
pub fn server_of(network: &str, credentials: &str) -> Option<String> {
    match network {
        "bluesky" => relais_networks::bluesky::Credentials::parse(credentials).ok().map(|c| c.service),
        "mastodon" => mastodon::Credentials::parse(credentials).ok().map(|c| c.instance),
        _ => None,
    }
}

/// A network's refusal in words a CM understands, with the network's own message.
pub fn network_words(tr: Tr, network: &str, error: &NetworkError) -> String {
    let (key, reason) = match error {
        NetworkError::AuthExpired(m) => ("accounts-check-refused-credentials", m.clone()),
        NetworkError::Permanent(m) => ("accounts-check-refused", m.clone()),
        NetworkError::Transient(m) => ("accounts-check-unreachable", m.clone()),
        NetworkError::RateLimited { message, .. } => ("accounts-check-rate-limited", message.clone()),
        e @ NetworkError::NotOffered { .. } => ("accounts-check-refused", e.to_string()),
    };
    tr.tn(key, &[("network", &network), ("reason", &reason)])
}

/// Asks the network whether these credentials work. `Ok(None)` when this process has no
/// connector for the network (nothing to ask); the error is the form's message.
pub async fn checked_by_network(app: &AppState, tr: Tr, network: &str, handle: &str, plain: &str) -> Result<Option<AccountCheck>, String> {
    let Some(connector) = app.networks.get(network) else { return Ok(None) };
    let label = connector.capabilities().label;
    let probe = AccountRef { id: format!("connect:{network}:{handle}"), handle: handle.to_string(), credentials: plain.to_string() };
    match tokio::time::timeout(CHECK_TIMEOUT, connector.check(&probe)).await {
        Ok(Ok(checked)) => Ok(Some(checked)),
        Ok(Err(e)) => Err(network_words(tr, label, &e)),
        Err(_) => Err(network_words(tr, label, &NetworkError::Transient(format!("no answer within {} s", CHECK_TIMEOUT.as_secs())))),
    }
}

/// What the form had, shown again with the error.
#[derive(Default)]
pub struct Filled {
    pub handle: String,
    pub display_name: String,
    pub server: String,
}

#[derive(Template)]
#[template(path = "account_connect.html")]
struct ConnectPage {
    c: Chrome,
    base: String,
    tabs: Vec<Tab>,
    network: &'static str,
    label: &'static str,
    simulated: bool,
    /// Where to get the credentials, what Relais will do with them: the network's own words.
    howto: String,
    can_do: String,
    server_label: String,
    server_help: String,
    secret_label: String,
    filled: Filled,
    error: Option<String>,
}

fn connect_page(ws: &InWorkspace, network: &str, filled: Filled, error: Option<String>) -> Option<ConnectPage> {
    let caps = CONNECTABLE.contains(&network).then(|| capabilities_of(network)).flatten()?;
    let tr = ws.tr();
    let text = |what: &str| tr.t(&format!("accounts-{what}-{}", caps.key));
    Some(ConnectPage {
        howto: text("howto"),
        can_do: text("can-do"),
        server_label: text("server"),
        server_help: text("server-help"),
        secret_label: text("secret"),
        c: Chrome::workspace(ws, Some(Section::Strategy)),
        base: ws.base(),
        tabs: tabs(ws, "/accounts"),
        network: caps.key,
        label: caps.label,
        simulated: caps.simulated,
        filled,
        error,
    })
}

pub async fn form(ws: InWorkspace, Path((_, network)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageSocialAccounts) {
        return e.into_response();
    }
    match connect_page(&ws, &network, Filled::default(), None) {
        Some(p) => render_status(StatusCode::OK, &p, ws.tr()),
        None => PageError::not_found(ws.tr()).into_response(),
    }
}

fn refuse(ws: &InWorkspace, network: &str, status: StatusCode, filled: Filled, message: String) -> Response {
    match connect_page(ws, network, filled, Some(message.clone())) {
        Some(p) => render_status(status, &p, ws.tr()),
        None => PageError::unprocessable(ws.tr(), message).into_response(),
    }
}

#[derive(Deserialize)]
pub struct ConnectForm {
    network: String,
    handle: String,
    display_name: Option<String>,
    /// The PDS (Bluesky, optional) or the instance (Mastodon) address.
    server: Option<String>,
    credentials: String,
}

pub async fn connect(State(app): State<AppState>, ws: InWorkspace, PageForm(f): PageForm<ConnectForm>) -> Response {
    if let Err(e) = ws.require(Action::ManageSocialAccounts) {
        return e.into_response();
    }
    let tr = ws.tr();
    let filled = Filled {
        handle: f.handle.clone(),
        display_name: f.display_name.clone().unwrap_or_default(),
        server: f.server.clone().unwrap_or_default(),
    };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    if !CONNECTABLE.contains(&f.network.as_str()) {
        return PageError::unprocessable(tr, tr.t1("accounts-error-network", "network", &f.network)).into_response();
    }
    let handle = match Name::parse("handle", &f.handle) {
        Ok(h) => h,
        Err(e) => return refuse(&ws, &f.network, unprocessable, filled, tr.t1("accounts-error-handle", "reason", e)),
    };
    if f.credentials.trim().is_empty() {
        return refuse(&ws, &f.network, unprocessable, filled, tr.t("accounts-error-credentials"));
    }
    let server = f.server.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let plain = match credentials_for(&f.network, handle.as_str(), server, f.credentials.trim()) {
        Ok(c) => c,
        Err(reason) => return refuse(&ws, &f.network, unprocessable, filled, tr.t1("accounts-error-server", "reason", reason)),
    };
    if let Some(url) = server_of(&f.network, &plain).filter(|_| server.is_some())
        && let Err(reason) = app.config.outbound.check_server(&url).await
    {
        return refuse(&ws, &f.network, unprocessable, filled, tr.t1("accounts-error-server", "reason", reason));
    }
    let checked = match checked_by_network(&app, tr, &f.network, handle.as_str(), &plain).await {
        Ok(c) => c,
        Err(message) => return refuse(&ws, &f.network, unprocessable, filled, message),
    };
    let display = f.display_name.as_deref().map(str::trim).filter(|d| !d.is_empty()).map(str::to_string);
    let display = display.or_else(|| checked.as_ref().and_then(|c| c.display_name.clone())).unwrap_or_else(|| handle.as_str().to_string());
    let display = match Name::parse("display_name", &display) {
        Ok(d) => d,
        Err(e) => return refuse(&ws, &f.network, unprocessable, filled, tr.t1("accounts-error-handle", "reason", e)),
    };
    match store_account(&app, &ws, &f.network, handle.as_str(), display.as_str(), &plain, checked.as_ref()).await {
        Ok(()) => Redirect::to(&format!("{}/strategy/accounts?done=account-connected", ws.base())).into_response(),
        Err(Stored::Duplicate) => {
            refuse(&ws, &f.network, StatusCode::CONFLICT, filled, tr.t1("accounts-error-duplicate", "handle", handle.as_str()))
        }
        Err(Stored::Failed(e)) => e.into_response(),
    }
}

/// Why an account was not stored.
enum Stored {
    /// The workspace already has this account.
    Duplicate,
    Failed(PageError),
}

/// Creates the account with its sealed credentials and what the check learnt, and audits it.
async fn store_account(
    app: &AppState,
    ws: &InWorkspace,
    network: &str,
    handle: &str,
    display: &str,
    plain: &str,
    checked: Option<&AccountCheck>,
) -> Result<(), Stored> {
    let tr = ws.tr();
    let secrets = app.secrets.clone();
    let created = app
        .store
        .create_social_account(&ws.workspace.id, network, handle, display, |id| {
            secrets.seal(plain, &SocialAccount::credentials_context(id))
        })
        .await;
    let account = match created {
        Ok(a) => a,
        Err(StoreError::Conflict(_)) => return Err(Stored::Duplicate),
        Err(e) => return Err(Stored::Failed(PageError::store(tr, e))),
    };
    if let Some(c) = checked {
        let record = CheckedAccount { remote_id: &c.remote_id, credentials_expire_at: c.expires_at_ms };
        app.store.record_account_check(&account.id, &record).await.map_err(|e| Stored::Failed(PageError::store(tr, e)))?;
    }
    let details = serde_json::json!({"network": network, "remote_id": checked.map(|c| c.remote_id.clone())});
    audit(app, ws, "account.connected", handle, details).await.map_err(Stored::Failed)
}

#[derive(Deserialize)]
pub struct AuthorizeForm {
    instance: String,
}

/// Starts the authorisation on a Mastodon instance: registers Relais there once, remembers who
/// asked under a random `state`, and sends the person to the instance's consent page.
pub async fn mastodon_authorize(State(app): State<AppState>, ws: InWorkspace, PageForm(f): PageForm<AuthorizeForm>) -> Response {
    if let Err(e) = ws.require(Action::ManageSocialAccounts) {
        return e.into_response();
    }
    let tr = ws.tr();
    let filled = Filled { server: f.instance.clone(), ..Filled::default() };
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let instance = match mastodon::instance_base(&f.instance) {
        Ok(i) => i,
        Err(reason) => return refuse(&ws, "mastodon", unprocessable, filled, tr.t1("accounts-error-server", "reason", reason)),
    };
    if let Err(reason) = app.config.outbound.check_server(&instance).await {
        return refuse(&ws, "mastodon", unprocessable, filled, tr.t1("accounts-error-server", "reason", reason));
    }
    let redirect_uri = format!("{}{MASTODON_CALLBACK}", ws.me.ctx.origin);
    let registration = match oauth_app(&app, &instance, &redirect_uri).await {
        Ok(r) => r,
        Err(OAuthFailure::Network(e)) => {
            return refuse(&ws, "mastodon", StatusCode::BAD_GATEWAY, filled, network_words(tr, "Mastodon", &e));
        }
        Err(OAuthFailure::Store(e)) => return PageError::store(tr, e).into_response(),
    };
    let state = relais_core::token::generate("oauth");
    let started = OAuthState {
        workspace_id: ws.workspace.id.clone(),
        user_id: ws.me.user().id.clone(),
        network: "mastodon".into(),
        instance: instance.clone(),
        redirect_uri: redirect_uri.clone(),
    };
    if let Err(e) = app.store.begin_oauth(&state, &started, OAUTH_TTL_MS).await {
        return PageError::store(tr, e).into_response();
    }
    match mastodon::authorize_url(&instance, &registration, &redirect_uri, &state) {
        Ok(url) => Redirect::to(&url).into_response(),
        Err(e) => refuse(&ws, "mastodon", unprocessable, filled, network_words(tr, "Mastodon", &e)),
    }
}

enum OAuthFailure {
    Network(NetworkError),
    Store(StoreError),
}

/// Relais's registration on the instance: the stored one, or a new one.
async fn oauth_app(app: &AppState, instance: &str, redirect_uri: &str) -> Result<mastodon::AppRegistration, OAuthFailure> {
    let context = OAuthApp::secret_context("mastodon", instance);
    if let Some(stored) = app.store.oauth_app("mastodon", instance, redirect_uri).await.map_err(OAuthFailure::Store)?
        && let Ok(secret) = app.secrets.open(&stored.client_secret, &context)
    {
        return Ok(mastodon::AppRegistration { client_id: stored.client_id, client_secret: secret });
    }
    let fresh = mastodon::register_app(&mastodon::http_client(&app.config.outbound), instance, redirect_uri)
        .await
        .map_err(OAuthFailure::Network)?;
    let sealed = OAuthApp { client_id: fresh.client_id.clone(), client_secret: app.secrets.seal(&fresh.client_secret, &context) };
    let kept = app.store.save_oauth_app("mastodon", instance, redirect_uri, &sealed).await.map_err(OAuthFailure::Store)?;
    if kept.client_id == fresh.client_id {
        return Ok(fresh);
    }
    // Someone registered at the same moment: use theirs, which the instance also knows.
    let secret = app.secrets.open(&kept.client_secret, &context).map_err(|e| OAuthFailure::Store(StoreError::Config(e.to_string())))?;
    Ok(mastodon::AppRegistration { client_id: kept.client_id, client_secret: secret })
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Where the instance sends the person back: the `state` says which workspace asked (and it
/// must be the same person), the code becomes an access token, and the account is connected.
pub async fn mastodon_callback(State(app): State<AppState>, me: SignedIn, Query(q): Query<CallbackQuery>) -> Response {
    let tr = me.ctx.tr;
    let Some(started) = (match q.state.as_deref() {
        Some(state) => match app.store.take_oauth_state(state).await {
            Ok(s) => s,
            Err(e) => return PageError::store(tr, e).into_response(),
        },
        None => None,
    }) else {
        return PageError::unprocessable(tr, tr.t("accounts-oauth-unknown-state")).into_response();
    };
    if started.user_id != me.user().id {
        return PageError::forbidden(tr).detail(tr.t("accounts-oauth-other-person")).into_response();
    }
    let back = format!("/w/{}/strategy/accounts/connect/mastodon", started.workspace_id);
    let fail = |reason: String| {
        let message = tr.tn("accounts-oauth-failed", &[("instance", &started.instance), ("reason", &reason)]);
        PageError::unprocessable(tr, message).detail(tr.t1("accounts-oauth-retry", "url", &back)).into_response()
    };
    if let Some(error) = q.error {
        return fail(q.error_description.unwrap_or(error));
    }
    let Some(code) = q.code else { return fail("no code".into()) };
    // The person must still be allowed to manage the workspace's accounts.
    let role = match app.store.role_in_workspace(&me.user().id, &started.workspace_id).await {
        Ok(r) => r,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if role.is_none_or(|r| relais_core::policy::check(r, Action::ManageSocialAccounts).is_err()) {
        return PageError::forbidden(tr).into_response();
    }
    let registration = match oauth_app(&app, &started.instance, &started.redirect_uri).await {
        Ok(r) => r,
        Err(OAuthFailure::Network(e)) => return fail(e.to_string()),
        Err(OAuthFailure::Store(e)) => return PageError::store(tr, e).into_response(),
    };
    let http = mastodon::http_client(&app.config.outbound);
    let token = match mastodon::exchange_code(&http, &started.instance, &registration, &started.redirect_uri, &code).await {
        Ok(t) => t,
        Err(e) => return fail(e.to_string()),
    };
    let plain =
        serde_json::to_string(&mastodon::Credentials { instance: started.instance.clone(), access_token: token }).unwrap_or_default();
    // The handle is the instance's answer, not something typed.
    let checked = match mastodon::Mastodon::with_outbound(app.config.outbound.clone())
        .check(&AccountRef { id: "oauth".into(), handle: String::new(), credentials: plain.clone() })
        .await
    {
        Ok(c) => c,
        Err(e) => return fail(e.to_string()),
    };
    let host = url::Url::parse(&started.instance).ok().and_then(|u| u.host_str().map(str::to_string)).unwrap_or_default();
    let handle = if checked.handle.contains('@') { format!("@{}", checked.handle) } else { format!("@{}@{host}", checked.handle) };
    let display = checked.display_name.clone().unwrap_or_else(|| handle.clone());
    let ws = match InWorkspace::load(&app, me, &started.workspace_id).await {
        Ok(ws) => ws,
        Err(r) => return r,
    };
    match store_account(&app, &ws, "mastodon", &handle, &display, &plain, Some(&checked)).await {
        Ok(()) => Redirect::to(&format!("/w/{}/strategy/accounts?done=account-connected", started.workspace_id)).into_response(),
        Err(Stored::Duplicate) => fail(tr.t1("accounts-error-duplicate", "handle", &handle)),
        Err(Stored::Failed(e)) => e.into_response(),
    }
}
