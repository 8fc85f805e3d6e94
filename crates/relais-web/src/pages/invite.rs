//! Accepting an invitation link: as the signed-in user, or by creating an account.

use super::{PageForm, render, render_status};
use crate::app::AppState;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::{Ctx, session_cookie};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use relais_core::values::check_new_password;
use relais_core::{Email, Name, now_ms};
use relais_store::{AuditEvent, Invitation, InvitationState};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    tr: Tr,
    lang: &'static str,
    csrf: String,
    workspace_name: String,
    role_label: String,
    email: String,
    /// Signed in as the invited address: one button accepts.
    signed_in_as_invitee: bool,
    /// Signed in as someone else.
    signed_in_as_other: Option<String>,
    /// The invited address already has an account: sign in first.
    has_account: bool,
    signin_href: String,
    name: String,
    error: Option<String>,
}

impl InvitePage {
    fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }
}

async fn load(app: &AppState, tr: Tr, token: &str) -> Result<(Invitation, String), PageError> {
    let inv = app
        .store
        .invitation_by_token(token)
        .await
        .map_err(|e| PageError::store(tr, e))?
        .ok_or_else(|| PageError::new(StatusCode::NOT_FOUND, "invite-invalid", tr))?;
    match inv.state(now_ms()) {
        InvitationState::Pending => {}
        InvitationState::Accepted => return Err(PageError::new(StatusCode::GONE, "invite-used", tr)),
        InvitationState::Expired => return Err(PageError::new(StatusCode::GONE, "invite-expired", tr)),
    }
    let ws = app.store.workspace(&inv.workspace_id).await.map_err(|e| PageError::store(tr, e))?;
    Ok((inv, ws.name))
}

async fn page(app: &AppState, ctx: &Ctx, token: &str, name: String, error: Option<String>) -> Result<InvitePage, PageError> {
    let tr = ctx.tr;
    let (inv, workspace_name) = load(app, tr, token).await?;
    let email = Email::parse(&inv.email).map_err(|e| PageError::internal(tr, e))?;
    let has_account = app.store.user_by_email(&email).await.map_err(|e| PageError::store(tr, e))?.is_some();
    let me = ctx.session.as_ref().map(|s| s.user.email.clone());
    let next = url::form_urlencoded::byte_serialize(format!("/invite/{token}").as_bytes()).collect::<String>();
    Ok(InvitePage {
        tr,
        lang: tr.lang(),
        csrf: ctx.csrf.clone(),
        workspace_name,
        role_label: tr.role(inv.role),
        signed_in_as_invitee: me.as_deref() == Some(inv.email.as_str()),
        signed_in_as_other: me.filter(|m| m != &inv.email),
        has_account,
        signin_href: format!("/signin?next={next}"),
        email: inv.email,
        name,
        error,
    })
}

pub async fn show(State(app): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Response {
    match page(&app, &ctx, &token, String::new(), None).await {
        Ok(p) => render(&p, ctx.tr),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize, Default)]
pub struct NewAccount {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

pub async fn accept(
    State(app): State<AppState>,
    ctx: Ctx,
    jar: CookieJar,
    Path(token): Path<String>,
    PageForm(f): PageForm<NewAccount>,
) -> Response {
    let tr = ctx.tr;
    let (inv, _) = match load(&app, tr, &token).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let mut jar = jar;
    let user = match &ctx.session {
        Some(s) if s.user.email == inv.email => s.user.clone(),
        Some(_) => return PageError::new(StatusCode::FORBIDDEN, "invite-other-account", tr).into_response(),
        None => {
            let email = match Email::parse(&inv.email) {
                Ok(e) => e,
                Err(e) => return PageError::internal(tr, e).into_response(),
            };
            let invalid = |msg: String| async {
                match page(&app, &ctx, &token, f.name.clone(), Some(msg)).await {
                    Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr),
                    Err(e) => e.into_response(),
                }
            };
            let name = match Name::parse("name", &f.name) {
                Ok(n) => n,
                Err(e) => return invalid(tr.t(e.code)).await,
            };
            if let Err(e) = check_new_password(&f.password) {
                return invalid(tr.t(e.code)).await;
            }
            let hash = match crate::hashing::hash(f.password.clone(), app.config.hash_cost).await {
                Ok(h) => h,
                Err(e) => return PageError::internal(tr, e).into_response(),
            };
            let user = match app.store.create_user(&email, &name, &hash).await {
                Ok(u) => u,
                // The address got an account meanwhile: it must sign in to accept.
                Err(relais_store::StoreError::Conflict(_)) => return Redirect::to(&format!("/invite/{token}")).into_response(),
                Err(e) => return PageError::store(tr, e).into_response(),
            };
            let (session, _) = match app.store.create_session(&user.id, app.config.session_ttl_ms).await {
                Ok(s) => s,
                Err(e) => return PageError::store(tr, e).into_response(),
            };
            jar = jar.add(session_cookie(session, app.config.secure_cookies, app.config.session_ttl_ms));
            user
        }
    };
    let inv = match app.store.accept_invitation(&token, &user.id).await {
        Ok(inv) => inv,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if let Ok(ws) = app.store.workspace(&inv.workspace_id).await {
        let _ = app
            .store
            .record_audit(AuditEvent {
                org_id: &ws.org_id,
                workspace_id: Some(&ws.id),
                actor_id: Some(&user.id),
                actor_label: &user.name,
                action: "member.joined",
                target: &user.email,
                details: serde_json::json!({"role": inv.role.as_str(), "invitation": inv.id}),
            })
            .await;
    }
    (jar, Redirect::to(&format!("/w/{}?done=joined", inv.workspace_id))).into_response()
}
