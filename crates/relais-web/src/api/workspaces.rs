use super::{ApiCaller, ApiJson, ApiQuery};
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::{Path, State};
use relais_core::{Action, Colour, Locale, Name, TimeZoneName};
use relais_store::{AuditEvent, Workspace, WorkspaceSettings};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct Me {
    /// The token's name.
    pub token_name: String,
    pub workspace_id: String,
    /// One of admin, smm, cm, client.
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct WorkspaceOut {
    pub id: String,
    pub name: String,
    /// IANA time zone, for example Europe/Paris.
    pub time_zone: String,
    /// fr or en.
    pub locale: String,
    pub primary_colour: String,
    pub accent_colour: String,
    pub has_logo: bool,
    /// Whether posts approved by the agency go to the client before they can be scheduled.
    pub client_approval: bool,
}

impl From<Workspace> for WorkspaceOut {
    fn from(w: Workspace) -> Self {
        WorkspaceOut {
            has_logo: w.logo_mime.is_some(),
            client_approval: w.client_approval != 0,
            id: w.id,
            name: w.name,
            time_zone: w.time_zone,
            locale: w.locale,
            primary_colour: w.primary_colour,
            accent_colour: w.accent_colour,
        }
    }
}

/// Fields to change; absent fields keep their value.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspacePatch {
    pub name: Option<String>,
    pub time_zone: Option<String>,
    pub locale: Option<String>,
    pub primary_colour: Option<String>,
    pub accent_colour: Option<String>,
    pub client_approval: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct MemberOut {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: String,
}

#[derive(Serialize, ToSchema)]
pub struct AuditOut {
    pub id: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: serde_json::Value,
    /// Milliseconds since the Unix epoch, UTC.
    pub at: i64,
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Only entries strictly older than this time (epoch milliseconds), for paging.
    pub before: Option<i64>,
    /// At most this many entries (1 to 500, default 100).
    pub limit: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(caller: ApiCaller) -> Json<Me> {
    Json(Me { token_name: caller.0.name, workspace_id: caller.0.workspace_id, role: caller.0.role.as_str().into() })
}

#[utoipa::path(get, path = "/api/v1/workspaces", responses((status = 200, body = Vec<WorkspaceOut>, description = "The token's workspace")))]
pub async fn list(State(app): State<AppState>, caller: ApiCaller) -> Result<Json<Vec<WorkspaceOut>>, ApiError> {
    caller.require(&caller.0.workspace_id, Action::ViewWorkspace)?;
    Ok(Json(vec![app.store.workspace(&caller.0.workspace_id).await?.into()]))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}", params(("id" = String, Path)), responses((status = 200, body = WorkspaceOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_one(State(app): State<AppState>, caller: ApiCaller, Path(id): Path<String>) -> Result<Json<WorkspaceOut>, ApiError> {
    caller.require(&id, Action::ViewWorkspace)?;
    Ok(Json(app.store.workspace(&id).await?.into()))
}

#[utoipa::path(patch, path = "/api/v1/workspaces/{id}", params(("id" = String, Path)), request_body = WorkspacePatch,
    responses((status = 200, body = WorkspaceOut), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<WorkspacePatch>,
) -> Result<Json<WorkspaceOut>, ApiError> {
    caller.require(&id, Action::EditWorkspaceSettings)?;
    let w = app.store.workspace(&id).await?;
    let settings = WorkspaceSettings {
        name: Name::parse("name", p.name.as_deref().unwrap_or(&w.name))?,
        time_zone: TimeZoneName::parse(p.time_zone.as_deref().unwrap_or(&w.time_zone))?,
        locale: Locale::parse(p.locale.as_deref().unwrap_or(&w.locale))?,
        primary_colour: Colour::parse("primary_colour", p.primary_colour.as_deref().unwrap_or(&w.primary_colour))?,
        accent_colour: Colour::parse("accent_colour", p.accent_colour.as_deref().unwrap_or(&w.accent_colour))?,
    };
    app.store.update_workspace_settings(&id, &settings).await?;
    if let Some(required) = p.client_approval {
        app.store.set_client_approval(&id, required).await?;
    }
    let label = format!("API token {}", caller.0.name);
    app.store
        .record_audit(AuditEvent {
            org_id: &w.org_id,
            workspace_id: Some(&id),
            actor_id: None,
            actor_label: &label,
            action: "workspace.settings_changed",
            target: settings.name.as_str(),
            details: serde_json::json!({"via": "api", "token": caller.0.token_id}),
        })
        .await?;
    Ok(Json(app.store.workspace(&id).await?.into()))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/members", params(("id" = String, Path)), responses((status = 200, body = Vec<MemberOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn members(State(app): State<AppState>, caller: ApiCaller, Path(id): Path<String>) -> Result<Json<Vec<MemberOut>>, ApiError> {
    caller.require(&id, Action::ManageMembers)?;
    let list = app.store.members(&id).await?;
    Ok(Json(
        list.into_iter().map(|m| MemberOut { user_id: m.user_id, email: m.email, name: m.name, role: m.role.as_str().into() }).collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/audit", params(("id" = String, Path), AuditQuery), responses((status = 200, body = Vec<AuditOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn audit(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditOut>>, ApiError> {
    caller.require(&id, Action::ReadAuditLog)?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError {
            field: Some("limit".into()),
            ..ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-field",
                format!("limit is {limit}; it must be between 1 and 500"),
            )
        });
    }
    let entries = app.store.audit_entries(&id, q.before, limit).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditOut { id: e.id, actor: e.actor_label, action: e.action, target: e.target, details: e.details, at: e.at })
            .collect(),
    ))
}
