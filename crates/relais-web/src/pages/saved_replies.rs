//! Saved replies and the workspace's named links, managed by the inbox team (cm, smm, admin).
//! A body whose variables Relais does not know is refused with the variable and its position.

use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::saved_reply::{MAX_BODY_CHARS, MAX_TITLE_CHARS, VARIABLES, check, normalize_link_name, normalize_shortcut};
use relais_core::{Action, Section};
use relais_store::{SavedReply, SavedReplyInput, StoreError};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize, Default, Clone)]
pub struct SavedReplyForm {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub shortcut: String,
}

#[derive(Template)]
#[template(path = "saved_replies.html")]
struct SavedRepliesPage {
    c: Chrome,
    base: String,
    replies: Vec<SavedReply>,
    links: Vec<(String, String)>,
    variables: Vec<&'static str>,
    form: SavedReplyForm,
    error: Option<String>,
}

/// The checked input, or the reason it is refused (in English for the API, in the page's words
/// through `relais_core`'s own messages, which name the field).
pub fn saved_reply_input(f: &SavedReplyForm, links: &BTreeMap<String, String>) -> Result<SavedReplyInput, (&'static str, String)> {
    let title = f.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
        return Err(("title", format!("a title has 1 to {MAX_TITLE_CHARS} characters")));
    }
    let body = f.body.trim();
    if body.is_empty() || body.chars().count() > MAX_BODY_CHARS {
        return Err(("body", format!("a body has 1 to {MAX_BODY_CHARS} characters")));
    }
    check(body, links.keys().map(String::as_str)).map_err(|e| ("body", e.to_string()))?;
    let language = Some(f.language.trim().to_ascii_lowercase()).filter(|l| !l.is_empty());
    if let Some(l) = &language
        && !(l.len() <= 8 && l.chars().all(|c| c.is_ascii_lowercase()))
    {
        return Err(("language", format!("{l:?} is not a language code (such as fr or en)")));
    }
    let shortcut = normalize_shortcut(&f.shortcut).map_err(|e| ("shortcut", e))?;
    Ok(SavedReplyInput { title: title.into(), body: body.into(), language, shortcut })
}

async fn page(app: &AppState, ws: &InWorkspace, form: SavedReplyForm, error: Option<String>, done: Option<&str>) -> Response {
    let tr = ws.tr();
    let (replies, links) = match (app.store.saved_replies(&ws.workspace.id).await, app.store.workspace_links(&ws.workspace.id).await) {
        (Ok(r), Ok(l)) => (r, l),
        (Err(e), _) | (_, Err(e)) => return PageError::store(tr, e).into_response(),
    };
    let view = SavedRepliesPage {
        c: Chrome::workspace(ws, Some(Section::Inbox)).with_flash(done),
        base: ws.base(),
        replies,
        links: links.into_iter().collect(),
        variables: VARIABLES.to_vec(),
        form,
        error: error.clone(),
    };
    if error.is_some() { render_status(StatusCode::UNPROCESSABLE_ENTITY, &view, tr) } else { render(&view, tr) }
}

fn field_error(ws: &InWorkspace, field: &str, reason: &str) -> String {
    ws.tr().tn("care-error-field", &[("field", &field), ("reason", &reason)])
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    page(&app, &ws, SavedReplyForm::default(), None, done.done.as_deref()).await
}

pub async fn create(State(app): State<AppState>, ws: InWorkspace, PageForm(f): PageForm<SavedReplyForm>) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let links = match app.store.workspace_links(&ws.workspace.id).await {
        Ok(l) => l,
        Err(e) => return PageError::store(ws.tr(), e).into_response(),
    };
    let input = match saved_reply_input(&f, &links) {
        Ok(i) => i,
        Err((field, reason)) => return page(&app, &ws, f, Some(field_error(&ws, field, &reason)), None).await,
    };
    let saved = match app.store.create_saved_reply(&ws.workspace.id, &input, &ws.me.user().name).await {
        Ok(s) => s,
        Err(StoreError::Conflict(m)) => return page(&app, &ws, f, Some(field_error(&ws, "shortcut", &m)), None).await,
        Err(e) => return PageError::store(ws.tr(), e).into_response(),
    };
    if let Err(e) = audit(&app, &ws, "inbox.saved_reply_created", &saved.title, serde_json::json!({"id": saved.id})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/inbox/saved-replies?done=saved-reply-saved", ws.base())).into_response()
}

pub async fn update(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<SavedReplyForm>,
) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let links = match app.store.workspace_links(&ws.workspace.id).await {
        Ok(l) => l,
        Err(e) => return PageError::store(ws.tr(), e).into_response(),
    };
    let input = match saved_reply_input(&f, &links) {
        Ok(i) => i,
        Err((field, reason)) => return page(&app, &ws, f, Some(field_error(&ws, field, &reason)), None).await,
    };
    match app.store.update_saved_reply(&ws.workspace.id, &id, &input).await {
        Ok(()) => Redirect::to(&format!("{}/inbox/saved-replies?done=saved-reply-saved", ws.base())).into_response(),
        Err(StoreError::Conflict(m)) => page(&app, &ws, f, Some(field_error(&ws, "shortcut", &m)), None).await,
        Err(e) => PageError::store(ws.tr(), e).into_response(),
    }
}

pub async fn delete(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    match app.store.delete_saved_reply(&ws.workspace.id, &id).await {
        Ok(()) => Redirect::to(&format!("{}/inbox/saved-replies?done=saved-reply-deleted", ws.base())).into_response(),
        Err(e) => PageError::store(ws.tr(), e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct LinkForm {
    name: String,
    url: String,
}

pub async fn save_link(State(app): State<AppState>, ws: InWorkspace, PageForm(f): PageForm<LinkForm>) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let name = match normalize_link_name(&f.name) {
        Ok(n) => n,
        Err(reason) => return page(&app, &ws, SavedReplyForm::default(), Some(field_error(&ws, "name", &reason)), None).await,
    };
    let url = f.url.trim();
    if !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
        let reason = format!("{url:?} is not an http(s) URL");
        return page(&app, &ws, SavedReplyForm::default(), Some(field_error(&ws, "url", &reason)), None).await;
    }
    match app.store.save_workspace_link(&ws.workspace.id, &name, url).await {
        Ok(()) => Redirect::to(&format!("{}/inbox/saved-replies?done=link-saved", ws.base())).into_response(),
        Err(e) => PageError::store(ws.tr(), e).into_response(),
    }
}

pub async fn delete_link(State(app): State<AppState>, ws: InWorkspace, Path((_, name)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    match app.store.delete_workspace_link(&ws.workspace.id, &name).await {
        Ok(()) => Redirect::to(&format!("{}/inbox/saved-replies?done=link-deleted", ws.base())).into_response(),
        Err(StoreError::Conflict(m)) => page(&app, &ws, SavedReplyForm::default(), Some(field_error(&ws, "name", &m)), None).await,
        Err(e) => PageError::store(ws.tr(), e).into_response(),
    }
}
