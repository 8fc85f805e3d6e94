//! The audit log, for admins.

use super::render;
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use relais_core::{Action, Section};
use serde::Deserialize;

const PAGE_SIZE: i64 = 50;

pub struct Row {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    base: String,
    rows: Vec<Row>,
    older: Option<i64>,
}

#[derive(Deserialize)]
pub struct Before {
    before: Option<i64>,
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<Before>) -> Response {
    if let Err(e) = ws.require(Action::ReadAuditLog) {
        return e.into_response();
    }
    let tr = ws.tr();
    let entries = match app.store.audit_entries(&ws.workspace.id, q.before, PAGE_SIZE).await {
        Ok(e) => e,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let older = (entries.len() as i64 == PAGE_SIZE).then(|| entries.last().map(|e| e.at)).flatten();
    let rows = entries
        .into_iter()
        .map(|e| {
            let key = format!("audit-{}", e.action.replace(['.', '_'], "-"));
            let label = tr.t(&key);
            Row {
                at: tr.datetime(e.at, &ws.workspace.time_zone),
                actor: e.actor_label,
                action: if label == key { e.action } else { label },
                target: e.target,
                details: if e.details.as_object().is_some_and(|o| o.is_empty()) { String::new() } else { e.details.to_string() },
            }
        })
        .collect();
    render(&AuditPage { c: Chrome::workspace(&ws, Some(Section::Settings)), base: ws.base(), rows, older }, tr)
}
