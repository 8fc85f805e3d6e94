//! Members, roles and invitations of a workspace.

use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::{Action, Email, Role, Section};
use relais_store::{Invitation, Member, StoreError};
use serde::Deserialize;

pub struct RoleOption {
    pub value: &'static str,
    pub label: String,
}

pub struct MemberRow {
    pub m: Member,
    pub role_label: String,
    pub is_me: bool,
}

pub struct InvitationRow {
    pub inv: Invitation,
    pub role_label: String,
    pub expires: String,
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    c: Chrome,
    base: String,
    members: Vec<MemberRow>,
    invitations: Vec<InvitationRow>,
    roles: Vec<RoleOption>,
    new_link: Option<String>,
    error: Option<String>,
    invite_email: String,
}

async fn page(app: &AppState, ws: &InWorkspace, done: Option<&str>) -> Result<MembersPage, PageError> {
    let tr = ws.tr();
    let members = app.store.members(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    let invitations = app.store.pending_invitations(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    Ok(MembersPage {
        c: Chrome::workspace(ws, Some(Section::Settings)).with_flash(done),
        base: ws.base(),
        members: members.into_iter().map(|m| MemberRow { role_label: tr.role(m.role), is_me: m.user_id == ws.me.user().id, m }).collect(),
        invitations: invitations
            .into_iter()
            .map(|inv| InvitationRow { role_label: tr.role(inv.role), expires: tr.datetime(inv.expires_at, &ws.workspace.time_zone), inv })
            .collect(),
        roles: Role::ALL.into_iter().map(|r| RoleOption { value: r.as_str(), label: tr.role(r) }).collect(),
        new_link: None,
        error: None,
        invite_email: String::new(),
    })
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::ManageMembers) {
        return e.into_response();
    }
    match page(&app, &ws, done.done.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    role: String,
}

pub async fn invite(State(app): State<AppState>, ws: InWorkspace, PageForm(f): PageForm<InviteForm>) -> Response {
    if let Err(e) = ws.require(Action::ManageMembers) {
        return e.into_response();
    }
    let tr = ws.tr();
    let mut p = match page(&app, &ws, None).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let parsed = Email::parse(&f.email).map_err(|e| tr.t(e.code)).and_then(|email| {
        let role: Role = f.role.parse().map_err(|_| tr.t("error-role"))?;
        Ok((email, role))
    });
    let (email, role) = match parsed {
        Ok(x) => x,
        Err(msg) => {
            p.error = Some(msg);
            p.invite_email = f.email;
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr);
        }
    };
    // Nobody hands out more than they hold.
    if !ws.role.covers(role) {
        return PageError::forbidden(tr).into_response();
    }
    let (inv, secret) =
        match app.store.create_invitation(&ws.workspace.id, &email, role, &ws.me.user().id, app.config.invitation_ttl_ms).await {
            Ok(x) => x,
            Err(e) => return PageError::store(tr, e).into_response(),
        };
    if let Err(e) =
        audit(&app, &ws, "member.invited", email.as_str(), serde_json::json!({"role": role.as_str(), "invitation": inv.id})).await
    {
        return e.into_response();
    }
    // The secret is shown once, now; the database keeps only its digest.
    p = match page(&app, &ws, None).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    p.new_link = Some(format!("{}/invite/{secret}", ws.me.ctx.origin));
    render(&p, tr)
}

/// A member of this workspace; any other user id (of another workspace or organisation) is
/// not found.
async fn member_of(app: &AppState, ws: &InWorkspace, user_id: &str) -> Result<Member, PageError> {
    let list = app.store.members(&ws.workspace.id).await.map_err(|e| PageError::store(ws.tr(), e))?;
    list.into_iter().find(|m| m.user_id == user_id).ok_or_else(|| PageError::not_found(ws.tr()))
}

#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

pub async fn change_role(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, user_id)): Path<(String, String)>,
    PageForm(f): PageForm<RoleForm>,
) -> Response {
    if let Err(e) = ws.require(Action::ManageMembers) {
        return e.into_response();
    }
    let tr = ws.tr();
    let Ok(role) = f.role.parse::<Role>() else {
        return PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-role", tr).into_response();
    };
    let member = match member_of(&app, &ws, &user_id).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    match app.store.set_membership(&ws.workspace.id, &user_id, role).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return PageError::new(StatusCode::CONFLICT, "error-last-admin", tr).into_response(),
        Err(e) => return PageError::store(tr, e).into_response(),
    }
    if let Err(e) =
        audit(&app, &ws, "member.role_changed", &member.email, serde_json::json!({"from": member.role.as_str(), "to": role.as_str()})).await
    {
        return e.into_response();
    }
    Redirect::to(&format!("{}/settings/members?done=role-changed", ws.base())).into_response()
}

pub async fn remove(State(app): State<AppState>, ws: InWorkspace, Path((_, user_id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageMembers) {
        return e.into_response();
    }
    let tr = ws.tr();
    let member = match member_of(&app, &ws, &user_id).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    match app.store.remove_member(&ws.workspace.id, &user_id).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return PageError::new(StatusCode::CONFLICT, "error-last-admin", tr).into_response(),
        Err(e) => return PageError::store(tr, e).into_response(),
    }
    if let Err(e) = audit(&app, &ws, "member.removed", &member.email, serde_json::json!({"role": member.role.as_str()})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/settings/members?done=member-removed", ws.base())).into_response()
}

pub async fn revoke_invitation(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageMembers) {
        return e.into_response();
    }
    if let Err(e) = app.store.revoke_invitation(&ws.workspace.id, &id).await {
        return PageError::store(ws.tr(), e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "invitation.revoked", &id, serde_json::json!({})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/settings/members?done=invitation-revoked", ws.base())).into_response()
}
