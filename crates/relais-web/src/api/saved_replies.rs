//! Saved replies over the API: the team's prepared answers (list, create, update, delete). The
//! same checks as the page: a body may only use the variables Relais knows and the workspace's
//! named links, and a shortcut is unique in the workspace.

use super::{ApiCaller, ApiJson};
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::pages::saved_replies::{SavedReplyForm, saved_reply_input};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relais_core::Action;
use relais_store::{SavedReply, SavedReplyInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SavedReplyOut {
    pub id: String,
    pub title: String,
    /// The template: `{author_name}`, `{author_handle}`, `{account}`, `{network}`, `{link}`,
    /// `{post_link}` and `{lien:NAME}` / `{link:NAME}` for the workspace's named links.
    pub body: String,
    pub language: Option<String>,
    /// Typed as `/shortcut` in the reply box.
    pub shortcut: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<SavedReply> for SavedReplyOut {
    fn from(r: SavedReply) -> Self {
        SavedReplyOut {
            id: r.id,
            title: r.title,
            body: r.body,
            language: r.language,
            shortcut: r.shortcut,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedReplyIn {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub language: Option<String>,
    #[serde(default)]
    pub shortcut: Option<String>,
}

/// The checked input, or a problem naming the field.
async fn checked(app: &AppState, workspace_id: &str, body: SavedReplyIn) -> Result<SavedReplyInput, ApiError> {
    let links = app.store.workspace_links(workspace_id).await?;
    let form = SavedReplyForm {
        title: body.title,
        body: body.body,
        language: body.language.unwrap_or_default(),
        shortcut: body.shortcut.unwrap_or_default(),
    };
    saved_reply_input(&form, &links).map_err(|(field, reason)| ApiError {
        field: Some(field.into()),
        ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", reason)
    })
}

/// The reply, if it is the workspace's.
async fn existing(app: &AppState, workspace_id: &str, id: &str) -> Result<SavedReply, ApiError> {
    match app.store.saved_reply(id).await {
        Ok(r) if r.workspace_id == workspace_id => Ok(r),
        Ok(_) | Err(relais_store::StoreError::NotFound(_)) => Err(ApiError::not_found("saved reply")),
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/saved-replies", params(("id" = String, Path)),
    responses((status = 200, body = Vec<SavedReplyOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(app): State<AppState>, caller: ApiCaller, Path(id): Path<String>) -> Result<Json<Vec<SavedReplyOut>>, ApiError> {
    caller.require(&id, Action::UseInbox)?;
    Ok(Json(app.store.saved_replies(&id).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{id}/saved-replies", params(("id" = String, Path)), request_body = SavedReplyIn,
    responses((status = 201, body = SavedReplyOut), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SavedReplyIn>,
) -> Result<(StatusCode, Json<SavedReplyOut>), ApiError> {
    caller.require(&id, Action::UseInbox)?;
    let input = checked(&app, &id, body).await?;
    let saved = app.store.create_saved_reply(&id, &input, &caller.label()).await?;
    caller.audit(&app, &id, "inbox.saved_reply_created", &saved.title).await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

#[utoipa::path(put, path = "/api/v1/workspaces/{id}/saved-replies/{reply}", params(("id" = String, Path), ("reply" = String, Path)),
    request_body = SavedReplyIn,
    responses((status = 200, body = SavedReplyOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, reply)): Path<(String, String)>,
    ApiJson(body): ApiJson<SavedReplyIn>,
) -> Result<Json<SavedReplyOut>, ApiError> {
    caller.require(&id, Action::UseInbox)?;
    existing(&app, &id, &reply).await?;
    let input = checked(&app, &id, body).await?;
    app.store.update_saved_reply(&id, &reply, &input).await?;
    caller.audit(&app, &id, "inbox.saved_reply_updated", &input.title).await?;
    Ok(Json(existing(&app, &id, &reply).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/saved-replies/{reply}", params(("id" = String, Path), ("reply" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, reply)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(&id, Action::UseInbox)?;
    let old = existing(&app, &id, &reply).await?;
    app.store.delete_saved_reply(&id, &reply).await?;
    caller.audit(&app, &id, "inbox.saved_reply_deleted", &old.title).await?;
    Ok(StatusCode::NO_CONTENT)
}
