//! The member's notifications in a workspace: posts assigned to them, sent for their review or
//! their client's, approved, rejected, commented on, or failed to publish.

use super::render;
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::Action;

pub struct NotificationView {
    pub text: String,
    pub detail: Option<String>,
    pub when: String,
    pub href: Option<String>,
    pub unread: bool,
    pub failed: bool,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct NotificationsPage {
    c: Chrome,
    base: String,
    items: Vec<NotificationView>,
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace) -> Response {
    if let Err(e) = ws.require(Action::ViewWorkspace) {
        return e.into_response();
    }
    let tr = ws.tr();
    let items = match app.store.notifications(&ws.me.user().id, &ws.workspace.id, 100).await {
        Ok(n) => n,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let page = NotificationsPage {
        c: Chrome::workspace(&ws, None),
        base: ws.base(),
        items: items
            .into_iter()
            .map(|n| NotificationView {
                text: tr.tn(&format!("notification-{}", n.kind), &[("actor", &n.actor_label), ("post", &n.subject)]),
                when: tr.datetime(n.created_at, &ws.workspace.time_zone),
                href: n.post_id.map(|p| format!("{}/posts/{p}", ws.base())),
                unread: n.read_at.is_none(),
                failed: n.kind == "failed",
                detail: n.detail,
            })
            .collect(),
    };
    render(&page, tr)
}

pub async fn mark_read(State(app): State<AppState>, ws: InWorkspace) -> Response {
    if let Err(e) = ws.require(Action::ViewWorkspace) {
        return e.into_response();
    }
    match app.store.mark_notifications_read(&ws.me.user().id, &ws.workspace.id).await {
        Ok(_) => Redirect::to(&format!("{}/notifications", ws.base())).into_response(),
        Err(e) => PageError::store(ws.tr(), e).into_response(),
    }
}
