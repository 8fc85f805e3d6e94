//! Social accounts and posts over the API: connect a (sandbox) account, draft a post for several
//! accounts, move it through the workflow, schedule it at a wall-clock time of the workspace.

use super::{ApiCaller, ApiJson};
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relais_core::scheduling::resolve_local;
use relais_core::workflow::{PostAction, PostState, WorkflowError, apply};
use relais_core::{Action, Name, now_ms};
use relais_networks::capabilities_of;
use relais_networks::draft_check::counted_length;
use relais_store::{Actor, NewPost, NewVariant, SocialAccount};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct AccountOut {
    pub id: String,
    pub network: String,
    pub handle: String,
    pub display_name: String,
    /// active or paused.
    pub status: String,
    /// Why the account is paused (an expired or revoked token), in the network's words.
    pub status_reason: Option<String>,
    /// Whether the network is a simulator (the sandbox).
    pub simulated: bool,
}

impl From<SocialAccount> for AccountOut {
    fn from(a: SocialAccount) -> Self {
        AccountOut {
            simulated: capabilities_of(&a.network).is_some_and(|c| c.simulated),
            id: a.id,
            network: a.network,
            handle: a.handle,
            display_name: a.display_name,
            status: a.status,
            status_reason: a.status_reason,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccountIn {
    /// A network this Relais knows: "sandbox" (a simulator), "bluesky" or "mastodon".
    pub network: String,
    pub handle: String,
    pub display_name: Option<String>,
    /// Stored encrypted. Sandbox: any token. Bluesky: JSON `{"service": PDS URL, "identifier": handle,
    /// "app_password": …}`. Mastodon: JSON `{"instance": base URL, "access_token": …}`.
    pub credentials: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VariantIn {
    pub account_id: String,
    pub text: String,
    pub link: Option<String>,
    /// Posted as the first reply, where the network allows it.
    pub first_comment: Option<String>,
    /// The following posts of a thread, where the network allows threads.
    #[serde(default)]
    pub thread: Vec<String>,
    /// Ids of the workspace's media library, in order.
    #[serde(default)]
    pub media_ids: Vec<String>,
    /// Shown before the folded post; only for networks that offer content warnings (Mastodon).
    pub content_warning: Option<String>,
    /// public, unlisted, followers or direct; only those the account's network offers
    /// (Mastodon: all four; Bluesky and the sandbox: public only). Absent: the network's default.
    pub visibility: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPostIn {
    pub title: String,
    pub pillar: Option<String>,
    pub campaign: Option<String>,
    /// One per target account.
    pub variants: Vec<VariantIn>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionIn {
    /// start_draft, submit_for_review, approve, reject, client_approve, client_reject, schedule,
    /// unschedule, retry or cancel.
    #[schema(value_type = String)]
    pub action: PostAction,
    pub comment: Option<String>,
    /// For schedule and retry: the wall-clock time in the workspace's time zone, "YYYY-MM-DDTHH:MM".
    pub at: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VariantOut {
    pub id: String,
    pub account_id: String,
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub thread: Vec<String>,
    pub content_warning: Option<String>,
    /// public, unlisted, followers or direct; absent: the network's default.
    pub visibility: Option<String>,
    /// pending, publishing, published or failed.
    pub state: String,
    pub remote_url: Option<String>,
    /// The network's own words when publishing failed.
    pub error: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct EventOut {
    pub actor: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub comment: Option<String>,
    /// Epoch milliseconds, UTC.
    pub at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PostOut {
    pub id: String,
    pub state: String,
    pub title: String,
    pub pillar: Option<String>,
    pub campaign: Option<String>,
    /// Epoch milliseconds, UTC.
    pub scheduled_at: Option<i64>,
    /// The wall-clock time chosen, in `scheduled_zone`.
    pub scheduled_local: Option<String>,
    pub scheduled_zone: Option<String>,
    pub variants: Vec<VariantOut>,
    pub history: Vec<EventOut>,
}

fn invalid(field: String, detail: String) -> ApiError {
    ApiError { field: Some(field), ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", detail) }
}

fn actor(caller: &ApiCaller) -> Actor {
    Actor { id: None, label: format!("API token {}", caller.0.name) }
}

async fn post_out(app: &AppState, workspace_id: &str, post_id: &str) -> Result<PostOut, ApiError> {
    let post = app.store.post(post_id).await?;
    if post.workspace_id != workspace_id {
        return Err(ApiError::not_found("post"));
    }
    let variants = app.store.variants(post_id).await?;
    let history = app.store.post_events(post_id).await?;
    Ok(PostOut {
        id: post.id,
        state: post.state.as_str().into(),
        title: post.title,
        pillar: post.pillar,
        campaign: post.campaign,
        scheduled_at: post.scheduled_at,
        scheduled_local: post.scheduled_local,
        scheduled_zone: post.scheduled_zone,
        variants: variants
            .into_iter()
            .map(|v| VariantOut {
                thread: v.thread_parts(),
                first_comment: v.first_comment,
                content_warning: v.content_warning,
                visibility: v.visibility,
                id: v.id,
                account_id: v.account_id,
                text: v.text,
                link: v.link,
                state: v.state,
                remote_url: v.remote_url,
                error: v.error,
            })
            .collect(),
        history: history
            .into_iter()
            .map(|e| EventOut { actor: e.actor_label, action: e.action, from: e.from_state, to: e.to_state, comment: e.comment, at: e.at })
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/accounts", params(("id" = String, Path)), responses((status = 200, body = Vec<AccountOut>)))]
pub async fn list_accounts(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<AccountOut>>, ApiError> {
    caller.require(&id, Action::ViewWorkspace)?;
    Ok(Json(app.store.social_accounts(&id).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{id}/accounts", params(("id" = String, Path)), request_body = NewAccountIn,
    responses((status = 201, body = AccountOut), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn connect_account(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(a): ApiJson<NewAccountIn>,
) -> Result<(StatusCode, Json<AccountOut>), ApiError> {
    caller.require(&id, Action::ManageSocialAccounts)?;
    if capabilities_of(&a.network).is_none() {
        return Err(invalid(
            "network".into(),
            format!(
                "{:?} is not a network this Relais can connect; available: {}",
                a.network,
                relais_networks::known_networks().map(|c| c.key).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    let handle = Name::parse("handle", &a.handle)?;
    let display = Name::parse("display_name", a.display_name.as_deref().unwrap_or(&a.handle))?;
    if a.credentials.trim().is_empty() {
        return Err(invalid("credentials".into(), "credentials are required".into()));
    }
    let secrets = app.secrets.clone();
    let account = app
        .store
        .create_social_account(&id, &a.network, handle.as_str(), display.as_str(), |aid| {
            secrets.seal(&a.credentials, &SocialAccount::credentials_context(aid))
        })
        .await?;
    Ok((StatusCode::CREATED, Json(account.into())))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{id}/posts", params(("id" = String, Path)), request_body = NewPostIn,
    responses((status = 201, body = PostOut), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_post(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(p): ApiJson<NewPostIn>,
) -> Result<(StatusCode, Json<PostOut>), ApiError> {
    caller.require(&id, Action::DraftPosts)?;
    let title = Name::parse("title", &p.title)?;
    if p.variants.is_empty() {
        return Err(invalid("variants".into(), "a post needs at least one target account".into()));
    }
    let accounts = app.store.social_accounts(&id).await?;
    let library = app.store.media_list(&id).await?;
    let mut variants = vec![];
    for (i, v) in p.variants.into_iter().enumerate() {
        let Some(account) = accounts.iter().find(|a| a.id == v.account_id) else {
            return Err(invalid(format!("variants[{i}].account_id"), format!("no account {:?} in this workspace", v.account_id)));
        };
        let content_warning = v.content_warning.filter(|c| !c.trim().is_empty());
        if let Some(caps) = capabilities_of(&account.network) {
            if content_warning.is_some() && !caps.content_warning {
                return Err(invalid(format!("variants[{i}].content_warning"), format!("{} does not offer content warnings", caps.label)));
            }
            if let Some(key) = v.visibility.as_deref() {
                let offered: Vec<&str> =
                    if caps.visibilities.is_empty() { vec!["public"] } else { caps.visibilities.iter().map(|v| v.key()).collect() };
                if !offered.contains(&key) {
                    return Err(invalid(
                        format!("variants[{i}].visibility"),
                        format!("{key:?} is not a visibility {} offers; it offers: {}", caps.label, offered.join(", ")),
                    ));
                }
            }
            let length = counted_length(caps, &v.text, content_warning.as_deref());
            if length > caps.max_length {
                return Err(invalid(
                    format!("variants[{i}].text"),
                    format!(
                        "the text{} counts {length} characters the way {} counts; the limit is {}",
                        if content_warning.is_some() { " with its content warning" } else { "" },
                        caps.label,
                        caps.max_length
                    ),
                ));
            }
        }
        if let Some((j, unknown)) = v.media_ids.iter().enumerate().find(|(_, m)| !library.iter().any(|x| &&x.id == m)) {
            return Err(invalid(format!("variants[{i}].media_ids[{j}]"), format!("no media {unknown:?} in this workspace's library")));
        }
        variants.push(NewVariant {
            first_comment: v.first_comment.filter(|c| !c.trim().is_empty()),
            thread: v.thread,
            media_ids: v.media_ids,
            content_warning,
            visibility: v.visibility,
            ..NewVariant::text(v.account_id, v.text, v.link)
        });
    }
    let new = NewPost { workspace_id: id.clone(), title: title.into_string(), pillar: p.pillar, campaign: p.campaign, variants };
    let post = app.store.create_post(&new, &actor(&caller)).await?;
    Ok((StatusCode::CREATED, Json(post_out(&app, &id, &post.id).await?)))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/posts/{post}", params(("id" = String, Path), ("post" = String, Path)),
    responses((status = 200, body = PostOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_post(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, post)): Path<(String, String)>,
) -> Result<Json<PostOut>, ApiError> {
    caller.require(&id, Action::ViewCalendar)?;
    Ok(Json(post_out(&app, &id, &post).await?))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{id}/posts/{post}/actions", params(("id" = String, Path), ("post" = String, Path)), request_body = ActionIn,
    responses((status = 200, body = PostOut), (status = 403, body = Problem, content_type = "application/problem+json"),
              (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn act(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, post_id)): Path<(String, String)>,
    ApiJson(a): ApiJson<ActionIn>,
) -> Result<Json<PostOut>, ApiError> {
    let role = caller.require(&id, Action::ViewCalendar)?;
    let post = app.store.post(&post_id).await?;
    if post.workspace_id != id {
        return Err(ApiError::not_found("post"));
    }
    if a.action == PostAction::Edit {
        return Err(invalid("action".into(), "editing a post's content is not available through the API yet".into()));
    }
    let ws = app.store.workspace(&id).await?;
    let to = apply(post.state, a.action, role, ws.workflow_rules()).map_err(|e| match e {
        WorkflowError::Forbidden { .. } => ApiError::new(StatusCode::FORBIDDEN, "forbidden", e.to_string()),
        WorkflowError::NotFrom { .. } => ApiError::new(StatusCode::CONFLICT, "conflict", e.to_string()),
    })?;
    let who = actor(&caller);
    let action_name = serde_json::to_value(a.action).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    if to == PostState::Scheduled {
        let Some(local) = a.at.as_deref() else {
            return Err(invalid(
                "at".into(),
                format!("scheduling needs `at`, a wall-clock time in {} such as 2026-12-01T09:30", ws.time_zone),
            ));
        };
        let instant = resolve_local(local, &ws.time_zone).map_err(|e| invalid("at".into(), e.to_string()))?;
        if instant.as_millisecond() <= now_ms() {
            return Err(invalid("at".into(), format!("{local} ({}) is in the past", ws.time_zone)));
        }
        app.store.schedule_post(&post_id, post.state, instant.as_millisecond(), local, &ws.time_zone, &who).await?;
    } else {
        app.store.move_post(&post_id, post.state, to, &who, &action_name, a.comment.as_deref()).await?;
    }
    Ok(Json(post_out(&app, &id, &post_id).await?))
}
