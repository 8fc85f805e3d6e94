//! The landing page, the workspace switcher and a workspace's overview.

use super::{Done, render};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::{InWorkspace, SignedIn};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::{Action, Section};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "no_workspace.html")]
struct NoWorkspace {
    c: Chrome,
}

/// Sends the user to their first workspace; explains what to do when they have none.
pub async fn index(State(app): State<AppState>, me: SignedIn) -> Response {
    match app.store.workspaces_of_user(&me.user().id).await {
        Ok(list) => match list.first() {
            Some((w, _)) => Redirect::to(&format!("/w/{}", w.id)).into_response(),
            None => render(&NoWorkspace { c: Chrome::plain(&me) }, me.ctx.tr),
        },
        Err(e) => PageError::store(me.ctx.tr, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct Switch {
    workspace: String,
}

/// The switcher is a GET form, so it works without JavaScript; membership is checked on arrival.
pub async fn switch(_me: SignedIn, Query(q): Query<Switch>) -> Response {
    let id: String = q.workspace.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    Redirect::to(&format!("/w/{id}")).into_response()
}

pub struct SectionCard {
    pub label: String,
    pub href: Option<String>,
    pub blurb: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct Overview {
    c: Chrome,
    members: usize,
    time_zone: String,
    sections: Vec<SectionCard>,
    can_manage: bool,
    /// The brand charter, for those who write posts without running the strategy (which links it).
    charter_href: Option<String>,
    base: String,
}

pub async fn overview(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::ViewWorkspace) {
        return e.into_response();
    }
    let tr = ws.tr();
    let members = match app.store.members(&ws.workspace.id).await {
        Ok(m) => m.len(),
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let sections = Section::ALL
        .into_iter()
        .filter(|s| relais_core::policy::allows(ws.role, s.requires()))
        .map(|s| SectionCard {
            label: tr.t(&format!("nav-{}", s.key())),
            href: s.is_built().then(|| format!("{}/{}", ws.base(), s.key())),
            blurb: tr.t(&format!("blurb-{}", s.key())),
        })
        .collect();
    let page = Overview {
        c: Chrome::workspace(&ws, None).with_flash(done.done.as_deref()),
        members,
        time_zone: ws.workspace.time_zone.clone(),
        sections,
        can_manage: relais_core::policy::allows(ws.role, Action::ManageMembers),
        charter_href: (relais_core::policy::allows(ws.role, Action::ReadCharter)
            && !relais_core::policy::allows(ws.role, Action::ManageStrategy))
        .then(|| format!("{}/strategy/charter", ws.base())),
        base: ws.base(),
    };
    render(&page, tr)
}
