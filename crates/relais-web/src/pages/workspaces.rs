//! Creating a workspace (a new brand or client) inside an organisation.

use super::{PageForm, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::SignedIn;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::policy::may_create_workspace;
use relais_core::{Locale, Name, TimeZoneName};
use relais_store::{AuditEvent, Organisation};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "new_workspace.html")]
struct NewWorkspacePage {
    c: Chrome,
    orgs: Vec<Organisation>,
    name: String,
    time_zone: String,
    error: Option<String>,
}

/// The organisations in which the user may create workspaces.
async fn allowed_orgs(app: &AppState, me: &SignedIn) -> Result<Vec<Organisation>, PageError> {
    let tr = me.ctx.tr;
    let mut allowed = vec![];
    for org in app.store.organisations_of_user(&me.user().id).await.map_err(|e| PageError::store(tr, e))? {
        let roles = app.store.roles_in_organisation(&me.user().id, &org.id).await.map_err(|e| PageError::store(tr, e))?;
        if may_create_workspace(roles) {
            allowed.push(org);
        }
    }
    Ok(allowed)
}

pub async fn form(State(app): State<AppState>, me: SignedIn) -> Response {
    let orgs = match allowed_orgs(&app, &me).await {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    if orgs.is_empty() {
        return PageError::forbidden(me.ctx.tr).detail(me.ctx.tr.t("workspace-new-denied")).into_response();
    }
    let page = NewWorkspacePage { c: Chrome::plain(&me), orgs, name: String::new(), time_zone: "Europe/Paris".into(), error: None };
    render(&page, me.ctx.tr)
}

#[derive(Deserialize)]
pub struct NewWorkspace {
    org: String,
    name: String,
    time_zone: String,
}

pub async fn create(State(app): State<AppState>, me: SignedIn, PageForm(f): PageForm<NewWorkspace>) -> Response {
    let tr = me.ctx.tr;
    let orgs = match allowed_orgs(&app, &me).await {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let Some(org) = orgs.iter().find(|o| o.id == f.org).cloned() else {
        return PageError::forbidden(tr).detail(tr.t("workspace-new-denied")).into_response();
    };
    let parsed = Name::parse("name", &f.name).and_then(|n| Ok((n, TimeZoneName::parse(&f.time_zone)?)));
    let (name, tz) = match parsed {
        Ok(x) => x,
        Err(e) => {
            let page = NewWorkspacePage { c: Chrome::plain(&me), orgs, name: f.name, time_zone: f.time_zone, error: Some(tr.t(e.code)) };
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page, tr);
        }
    };
    let ws = match app.store.create_workspace_with_admin(&org.id, &name, &tz, Locale::Fr, &me.user().id).await {
        Ok(ws) => ws,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let audit = app
        .store
        .record_audit(AuditEvent {
            org_id: &org.id,
            workspace_id: Some(&ws.id),
            actor_id: Some(&me.user().id),
            actor_label: &me.user().name,
            action: "workspace.created",
            target: &ws.name,
            details: serde_json::json!({"organisation": org.name}),
        })
        .await;
    if let Err(e) = audit {
        return PageError::store(tr, e).into_response();
    }
    Redirect::to(&format!("/w/{}/settings?done=created", ws.id)).into_response()
}
