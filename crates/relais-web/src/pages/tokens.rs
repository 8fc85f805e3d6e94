//! API tokens of a workspace.

use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::pages::members::RoleOption;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::{Action, Name, Role, Section};
use serde::Deserialize;

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub role_label: String,
    pub created: String,
    pub last_used: String,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    c: Chrome,
    base: String,
    tokens: Vec<TokenRow>,
    roles: Vec<RoleOption>,
    new_secret: Option<String>,
    error: Option<String>,
}

async fn page(app: &AppState, ws: &InWorkspace, done: Option<&str>) -> Result<TokensPage, PageError> {
    let tr = ws.tr();
    let tz = &ws.workspace.time_zone;
    let tokens = app.store.api_tokens(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    Ok(TokensPage {
        c: Chrome::workspace(ws, Some(Section::Settings)).with_flash(done),
        base: ws.base(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenRow {
                role_label: tr.role(t.role),
                created: tr.datetime(t.created_at, tz),
                last_used: t.last_used_at.map(|at| tr.datetime(at, tz)).unwrap_or_else(|| tr.t("tokens-never-used")),
                id: t.id,
                name: t.name,
            })
            .collect(),
        roles: Role::ALL.into_iter().map(|r| RoleOption { value: r.as_str(), label: tr.role(r) }).collect(),
        new_secret: None,
        error: None,
    })
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::ManageApiTokens) {
        return e.into_response();
    }
    match page(&app, &ws, done.done.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct CreateForm {
    name: String,
    role: String,
}

pub async fn create(State(app): State<AppState>, ws: InWorkspace, PageForm(f): PageForm<CreateForm>) -> Response {
    if let Err(e) = ws.require(Action::ManageApiTokens) {
        return e.into_response();
    }
    let tr = ws.tr();
    let mut p = match page(&app, &ws, None).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let name = match Name::parse("name", &f.name) {
        Ok(n) => n,
        Err(e) => {
            p.error = Some(tr.t(e.code));
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr);
        }
    };
    let Ok(role) = f.role.parse::<Role>() else {
        p.error = Some(tr.t("error-role"));
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr);
    };
    if !ws.role.covers(role) {
        return PageError::forbidden(tr).into_response();
    }
    let (token, secret) = match app.store.create_api_token(&ws.workspace.id, &name, role, &ws.me.user().id).await {
        Ok(x) => x,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if let Err(e) =
        audit(&app, &ws, "api_token.created", name.as_str(), serde_json::json!({"role": role.as_str(), "token": token.id})).await
    {
        return e.into_response();
    }
    p = match page(&app, &ws, None).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    p.new_secret = Some(secret);
    render(&p, tr)
}

pub async fn revoke(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageApiTokens) {
        return e.into_response();
    }
    if let Err(e) = app.store.revoke_api_token(&ws.workspace.id, &id).await {
        return PageError::store(ws.tr(), e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "api_token.revoked", &id, serde_json::json!({})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/settings/api-tokens?done=token-revoked", ws.base())).into_response()
}
