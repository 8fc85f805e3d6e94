//! The author's history in the conversation view: their other messages in the workspace (every
//! account, every handle linked to them), how many, since when, their sentiment mix; the
//! handles members linked as the same person, with unlink; and the handles Relais suggests
//! (same display name, or same local part of the handle) for a member to confirm.
//!
//! Whoever may read the inbox reads the history; whoever may work it links and unlinks (both are
//! `Action::UseInbox` in the policy).

use super::inbox::{MessageRow, network_label, row};
use super::{PageForm, audit, render_status};
use crate::app::AppState;
use crate::error::PageError;
use crate::session::InWorkspace;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::Action;
use relais_store::{AuthorHandle, InboxMessage, StoreError};
use serde::Deserialize;

/// Messages of the history shown under the conversation.
const HISTORY: i64 = 10;

pub struct IdentityView {
    pub network: String,
    pub network_label: String,
    pub handle: String,
    /// The handle the conversation's message came from (not unlinkable from itself).
    pub own: bool,
}

pub struct SuggestionView {
    pub network: String,
    pub network_label: String,
    pub handle: String,
    pub name: String,
}

pub struct AuthorView {
    pub identities: Vec<IdentityView>,
    pub count: i64,
    pub first_seen: String,
    pub positive: i64,
    pub neutral: i64,
    pub negative: i64,
    /// Their other messages, newest first.
    pub messages: Vec<MessageRow>,
    pub suggestions: Vec<SuggestionView>,
}

fn author_of(m: &InboxMessage) -> AuthorHandle {
    AuthorHandle { network: m.network.clone(), handle: m.author_handle.clone() }
}

/// What the conversation view shows of the message's author.
pub(crate) async fn author_view(app: &AppState, ws: &InWorkspace, m: &InboxMessage) -> Result<AuthorView, PageError> {
    let tr = ws.tr();
    let store_err = |e| PageError::store(tr, e);
    let author = author_of(m);
    let history = app.store.author_history(&ws.workspace.id, &author, &m.id, HISTORY).await.map_err(store_err)?;
    let suggestions = app.store.author_suggestions(&ws.workspace.id, &author, m.author_name.as_deref()).await.map_err(store_err)?;
    Ok(AuthorView {
        identities: history
            .identities
            .iter()
            .map(|a| IdentityView {
                network_label: network_label(&a.network),
                network: a.network.clone(),
                handle: a.handle.clone(),
                own: *a == author,
            })
            .collect(),
        count: history.count,
        first_seen: history.first_seen_at.map(|t| tr.datetime(t, &ws.workspace.time_zone)).unwrap_or_default(),
        positive: history.sentiments.0,
        neutral: history.sentiments.1,
        negative: history.sentiments.2,
        messages: history.messages.into_iter().map(|x| row(ws, x)).collect(),
        suggestions: suggestions
            .into_iter()
            .map(|k| SuggestionView {
                network_label: network_label(&k.network),
                name: k.author_name.unwrap_or_default(),
                network: k.network,
                handle: k.author_handle,
            })
            .collect(),
    })
}

#[derive(Deserialize)]
pub struct IdentityForm {
    network: String,
    handle: String,
    /// "unlink" takes the handle out of the person; anything else links it.
    op: Option<String>,
}

/// Links a handle to the message's author as one person, or unlinks one.
pub async fn identities(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<IdentityForm>,
) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    let m = match super::inbox::load(&app, &ws, &id).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let other = AuthorHandle { network: f.network.trim().to_string(), handle: f.handle.trim().to_string() };
    let unlink = f.op.as_deref() == Some("unlink");
    let result = if unlink {
        // Only a handle linked to this author is unlinked from their page.
        match app.store.author_identities(&ws.workspace.id, &author_of(&m)).await {
            Ok(linked) if linked.iter().skip(1).any(|a| *a == other) => app.store.unlink_author(&ws.workspace.id, &other).await.map(|_| ()),
            Ok(_) => Err(StoreError::NotFound("linked handle")),
            Err(e) => Err(e),
        }
    } else {
        app.store.link_authors(&ws.workspace.id, &author_of(&m), &other, &super::post::actor_of(&ws)).await
    };
    let problem = match result {
        Ok(()) => None,
        Err(StoreError::NotFound("linked handle")) => Some(tr.t1("inbox-author-error-not-linked", "handle", &other.handle)),
        Err(StoreError::NotFound(_)) => {
            Some(tr.tn("inbox-author-error-unknown", &[("handle", &other.handle), ("network", &network_label(&other.network))]))
        }
        Err(StoreError::Conflict(_)) => Some(tr.t("inbox-author-error-self")),
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if let Some(problem) = problem {
        return match super::inbox::message_page(&app, &ws, m, String::new(), Some(problem), None, None).await {
            Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr),
            Err(e) => e.into_response(),
        };
    }
    let event = if unlink { "inbox.author_unlinked" } else { "inbox.author_linked" };
    let details = serde_json::json!({"message": m.id, "author": {"network": m.network, "handle": m.author_handle},
        "other": {"network": other.network, "handle": other.handle}});
    if let Err(e) = audit(&app, &ws, event, &m.author_handle, details).await {
        return e.into_response();
    }
    let done = if unlink { "inbox-author-unlinked" } else { "inbox-author-linked" };
    Redirect::to(&format!("{}/inbox/{}?done={done}#author", ws.base(), m.id)).into_response()
}
