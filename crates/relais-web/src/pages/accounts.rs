//! The workspace's social accounts: their health (connected, or paused with the network's
//! reason), connecting a new one, and reconnecting a paused one with fresh credentials.

use super::strategy::{Tab, tabs};
use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::{Action, Name, Section};
use relais_networks::capabilities_of;
use relais_store::{SocialAccount, StoreError};
use serde::Deserialize;

/// The networks an account can be connected to from this page.
const CONNECTABLE: [&str; 3] = ["sandbox", "bluesky", "mastodon"];

/// What Relais stores (sealed) for an account: the sandbox takes the token as is; Bluesky and
/// Mastodon take JSON with their server's address.
fn credentials_for(network: &str, handle: &str, server: Option<&str>, secret: &str) -> Result<String, String> {
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
            let instance = relais_networks::mastodon::instance_base(server.unwrap_or(""))?;
            Ok(serde_json::json!({ "instance": instance, "access_token": secret }).to_string())
        }
        _ => Ok(secret.to_string()),
    }
}

/// The server address kept in an account's credentials, to reconnect it with a new secret.
fn server_of(network: &str, credentials: &str) -> Option<String> {
    match network {
        "bluesky" => relais_networks::bluesky::Credentials::parse(credentials).ok().map(|c| c.service),
        "mastodon" => relais_networks::mastodon::Credentials::parse(credentials).ok().map(|c| c.instance),
        _ => None,
    }
}

pub struct AccountRow {
    pub id: String,
    pub network: String,
    pub handle: String,
    pub display_name: String,
    pub paused: bool,
    pub reason: Option<String>,
    pub simulated: bool,
    /// The latest metrics sample, when one was taken.
    pub metrics: Option<String>,
    /// When the inbox last synced, or why it failed.
    pub sync: Option<String>,
    pub sync_error: Option<String>,
}

pub struct NetworkOption {
    pub key: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    c: Chrome,
    base: String,
    tabs: Vec<Tab>,
    accounts: Vec<AccountRow>,
    networks: Vec<NetworkOption>,
    error: Option<String>,
}

async fn page(app: &AppState, ws: &InWorkspace, error: Option<String>, done: Option<&str>) -> Result<AccountsPage, PageError> {
    let tr = ws.tr();
    let accounts = app.store.social_accounts(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    let mut metrics = app.store.latest_account_metrics(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    let tz = &ws.workspace.time_zone;
    let mut syncs = std::collections::HashMap::new();
    for a in &accounts {
        if let Some(s) = app.store.sync_state(&a.id).await.map_err(|e| PageError::store(tr, e))? {
            syncs.insert(a.id.clone(), s);
        }
    }
    Ok(AccountsPage {
        c: Chrome::workspace(ws, Some(Section::Strategy)).with_flash(done),
        base: ws.base(),
        tabs: tabs(ws, "/accounts"),
        accounts: accounts
            .into_iter()
            .map(|a| {
                let caps = capabilities_of(&a.network);
                let sync = syncs.remove(&a.id);
                AccountRow {
                    metrics: metrics.remove(&a.id).map(|m| {
                        tr.tn(
                            "accounts-metrics",
                            &[
                                ("followers", &m.followers),
                                ("following", &m.following),
                                ("posts", &m.posts),
                                ("when", &tr.datetime(m.taken_at, tz)),
                            ],
                        )
                    }),
                    sync: sync.as_ref().and_then(|s| s.last_sync_at).map(|t| tr.t1("accounts-sync", "when", tr.datetime(t, tz))),
                    sync_error: sync.and_then(|s| s.last_error).map(|e| tr.t1("accounts-sync-error", "error", e)),
                    network: caps.map(|c| c.label.to_string()).unwrap_or_else(|| a.network.clone()),
                    simulated: caps.is_some_and(|c| c.simulated),
                    paused: a.status == "paused",
                    reason: a.status_reason,
                    id: a.id,
                    handle: a.handle,
                    display_name: a.display_name,
                }
            })
            .collect(),
        networks: CONNECTABLE.iter().filter_map(|k| capabilities_of(k)).map(|c| NetworkOption { key: c.key, label: c.label }).collect(),
        error,
    })
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::ManageSocialAccounts) {
        return e.into_response();
    }
    match page(&app, &ws, None, done.done.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

async fn refuse(app: &AppState, ws: &InWorkspace, status: StatusCode, message: String) -> Response {
    match page(app, ws, Some(message), None).await {
        Ok(p) => render_status(status, &p, ws.tr()),
        Err(e) => e.into_response(),
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
    if !CONNECTABLE.contains(&f.network.as_str()) {
        return refuse(&app, &ws, StatusCode::UNPROCESSABLE_ENTITY, tr.t1("accounts-error-network", "network", &f.network)).await;
    }
    let handle = match Name::parse("handle", &f.handle) {
        Ok(h) => h,
        Err(e) => return refuse(&app, &ws, StatusCode::UNPROCESSABLE_ENTITY, tr.t1("accounts-error-handle", "reason", e)).await,
    };
    let display = f.display_name.as_deref().map(str::trim).filter(|d| !d.is_empty()).unwrap_or(handle.as_str()).to_string();
    let display = match Name::parse("display_name", &display) {
        Ok(d) => d,
        Err(e) => return refuse(&app, &ws, StatusCode::UNPROCESSABLE_ENTITY, tr.t1("accounts-error-handle", "reason", e)).await,
    };
    if f.credentials.trim().is_empty() {
        return refuse(&app, &ws, StatusCode::UNPROCESSABLE_ENTITY, tr.t("accounts-error-credentials")).await;
    }
    let server = f.server.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let plain = match credentials_for(&f.network, handle.as_str(), server, f.credentials.trim()) {
        Ok(c) => c,
        Err(reason) => return refuse(&app, &ws, StatusCode::UNPROCESSABLE_ENTITY, tr.t1("accounts-error-server", "reason", reason)).await,
    };
    let secrets = app.secrets.clone();
    let created = app
        .store
        .create_social_account(&ws.workspace.id, &f.network, handle.as_str(), display.as_str(), |id| {
            secrets.seal(&plain, &SocialAccount::credentials_context(id))
        })
        .await;
    match created {
        Ok(a) => {
            if let Err(e) = audit(&app, &ws, "account.connected", &a.handle, serde_json::json!({"network": a.network})).await {
                return e.into_response();
            }
            Redirect::to(&format!("{}/strategy/accounts?done=account-connected", ws.base())).into_response()
        }
        Err(StoreError::Conflict(_)) => {
            refuse(&app, &ws, StatusCode::CONFLICT, tr.t1("accounts-error-duplicate", "handle", handle.as_str())).await
        }
        Err(e) => PageError::store(tr, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct ReconnectForm {
    credentials: String,
}

/// Fresh credentials for a paused account: it is active again and its waiting posts go out.
pub async fn reconnect(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<ReconnectForm>,
) -> Response {
    if let Err(e) = ws.require(Action::ManageSocialAccounts) {
        return e.into_response();
    }
    let tr = ws.tr();
    let account = match app.store.social_account(&id).await {
        Ok(a) if a.workspace_id == ws.workspace.id => a,
        Ok(_) | Err(StoreError::NotFound(_)) => return PageError::not_found(tr).into_response(),
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if f.credentials.trim().is_empty() {
        return refuse(&app, &ws, StatusCode::UNPROCESSABLE_ENTITY, tr.t("accounts-error-credentials")).await;
    }
    let context = SocialAccount::credentials_context(&account.id);
    // Bluesky and Mastodon keep their server's address; only the secret changes.
    let server = app.secrets.open(&account.credentials, &context).ok().and_then(|old| server_of(&account.network, &old));
    let plain = match credentials_for(&account.network, &account.handle, server.as_deref(), f.credentials.trim()) {
        Ok(c) => c,
        Err(reason) => return refuse(&app, &ws, StatusCode::UNPROCESSABLE_ENTITY, tr.t1("accounts-error-server", "reason", reason)).await,
    };
    let sealed = app.secrets.seal(&plain, &context);
    if let Err(e) = app.store.resume_social_account(&account.id, &sealed).await {
        return PageError::store(tr, e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "account.reconnected", &account.handle, serde_json::json!({"network": account.network})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/strategy/accounts?done=account-reconnected", ws.base())).into_response()
}
