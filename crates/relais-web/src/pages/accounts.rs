//! The workspace's social accounts: their health badge (connected, token expiring, rate
//! limited, check failed, paused with the network's reason), "test connection", and
//! reconnecting a paused one with fresh credentials. Connecting is in `account_connect`.

use super::account_connect::{checked_by_network, credentials_for, server_of};
use super::strategy::{Tab, tabs};
use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::account_health::Health;
use relais_core::{Action, Section, now_ms};
use relais_networks::{AccountRef, NetworkError, capabilities_of};
use relais_store::{CheckedAccount, SocialAccount, StoreError};
use serde::Deserialize;

pub struct AccountRow {
    pub id: String,
    pub network: String,
    pub handle: String,
    pub display_name: String,
    pub paused: bool,
    pub simulated: bool,
    /// "connected", "token_expiring", "rate_limited", "check_failed", "paused".
    pub health: &'static str,
    /// The badge's words.
    pub health_label: String,
    /// What the badge means, with the network's own words where it gave some.
    pub health_detail: Option<String>,
    pub remote_id: Option<String>,
    /// The latest metrics sample, when one was taken.
    pub metrics: Option<String>,
    /// When the inbox last synced, or why it failed.
    pub sync: Option<String>,
    pub sync_error: Option<String>,
}

impl AccountRow {
    fn new(a: SocialAccount, tr: Tr, time_zone: &str) -> AccountRow {
        let caps = capabilities_of(&a.network);
        let health = Health::of(&a.health_facts(), now_ms());
        let detail = match &health {
            Health::Paused { reason } => reason.as_ref().map(|r| tr.t1("accounts-health-paused-detail", "reason", r)),
            Health::RateLimited { until } => Some(tr.t1("accounts-health-rate-limited-detail", "until", tr.datetime(*until, time_zone))),
            Health::TokenExpiring { at } => Some(tr.t1("accounts-health-expiring-detail", "at", tr.datetime(*at, time_zone))),
            Health::CheckFailed { error } => Some(tr.t1("accounts-health-check-failed-detail", "reason", error)),
            Health::Connected { checked_at: Some(at) } => Some(tr.t1("accounts-health-checked-detail", "at", tr.datetime(*at, time_zone))),
            Health::Connected { checked_at: None } => None,
        };
        AccountRow {
            network: caps.map(|c| c.label.to_string()).unwrap_or_else(|| a.network.clone()),
            simulated: caps.is_some_and(|c| c.simulated),
            paused: a.is_paused(),
            health: health.key(),
            health_label: tr.t(&format!("accounts-health-{}", health.key().replace('_', "-"))),
            health_detail: detail,
            remote_id: a.remote_id,
            metrics: None,
            sync: None,
            sync_error: None,
            id: a.id,
            handle: a.handle,
            display_name: a.display_name,
        }
    }
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
                let id = a.id.clone();
                let sync = syncs.remove(&id);
                AccountRow {
                    metrics: metrics.remove(&id).map(|m| {
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
                    ..AccountRow::new(a, tr, tz)
                }
            })
            .collect(),
        networks: super::account_connect::CONNECTABLE
            .iter()
            .filter_map(|k| capabilities_of(k))
            .map(|c| NetworkOption { key: c.key, label: c.label })
            .collect(),
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

/// The workspace's account `id`, or the page to answer instead.
async fn account_of(app: &AppState, ws: &InWorkspace, id: &str) -> Result<SocialAccount, Response> {
    let tr = ws.tr();
    match app.store.social_account(id).await {
        Ok(a) if a.workspace_id == ws.workspace.id => Ok(a),
        Ok(_) | Err(StoreError::NotFound(_)) => Err(PageError::not_found(tr).into_response()),
        Err(e) => Err(PageError::store(tr, e).into_response()),
    }
}

#[derive(Deserialize)]
pub struct ReconnectForm {
    credentials: String,
}

/// Fresh credentials for a paused account: checked with the network, then the account is
/// active again and its waiting posts go out.
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
    let account = match account_of(&app, &ws, &id).await {
        Ok(a) => a,
        Err(r) => return r,
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
    let checked = match checked_by_network(&app, tr, &account.network, &account.handle, &plain).await {
        Ok(c) => c,
        Err(message) => return refuse(&app, &ws, StatusCode::UNPROCESSABLE_ENTITY, message).await,
    };
    let sealed = app.secrets.seal(&plain, &context);
    if let Err(e) = app.store.resume_social_account(&account.id, &sealed).await {
        return PageError::store(tr, e).into_response();
    }
    if let Some(c) = checked {
        let record = CheckedAccount { remote_id: &c.remote_id, credentials_expire_at: c.expires_at_ms };
        if let Err(e) = app.store.record_account_check(&account.id, &record).await {
            return PageError::store(tr, e).into_response();
        }
    }
    if let Err(e) = audit(&app, &ws, "account.reconnected", &account.handle, serde_json::json!({"network": account.network})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/strategy/accounts?done=account-reconnected", ws.base())).into_response()
}

/// "Test connection": asks the network whether the stored credentials work. Refused
/// credentials pause the account (as a failed publication would); a network that does not
/// answer is recorded and shown, the account stays active.
pub async fn check(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageSocialAccounts) {
        return e.into_response();
    }
    let tr = ws.tr();
    let account = match account_of(&app, &ws, &id).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(network) = app.networks.get(&account.network) else {
        return refuse(&app, &ws, StatusCode::SERVICE_UNAVAILABLE, tr.t1("accounts-check-no-connector", "network", &account.network)).await;
    };
    let credentials = match app.secrets.open(&account.credentials, &SocialAccount::credentials_context(&account.id)) {
        Ok(c) => c,
        Err(e) => return PageError::internal(tr, e).into_response(),
    };
    let target = AccountRef { id: account.id.clone(), handle: account.handle.clone(), credentials };
    let label = network.capabilities().label;
    let outcome = match tokio::time::timeout(super::account_connect::CHECK_TIMEOUT, network.check(&target)).await {
        Ok(r) => r,
        Err(_) => Err(NetworkError::Transient(format!("no answer within {} s", super::account_connect::CHECK_TIMEOUT.as_secs()))),
    };
    let stored = match &outcome {
        Ok(c) => {
            let record = CheckedAccount { remote_id: &c.remote_id, credentials_expire_at: c.expires_at_ms };
            app.store.record_account_check(&account.id, &record).await
        }
        Err(NetworkError::AuthExpired(reason)) => app.store.pause_social_account(&account.id, reason).await,
        Err(e) => app.store.record_account_check_error(&account.id, &e.to_string()).await,
    };
    if let Err(e) = stored {
        return PageError::store(tr, e).into_response();
    }
    let ok = outcome.is_ok();
    let details = serde_json::json!({"network": account.network, "ok": ok});
    if let Err(e) = audit(&app, &ws, "account.checked", &account.handle, details).await {
        return e.into_response();
    }
    match outcome {
        Ok(_) => Redirect::to(&format!("{}/strategy/accounts?done=account-checked", ws.base())).into_response(),
        Err(e) => refuse(&app, &ws, StatusCode::OK, super::account_connect::network_words(tr, label, &e)).await,
    }
}
