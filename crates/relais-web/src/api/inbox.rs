//! The inbox over the API: the workspace's messages with the pages' filters and keyset cursor,
//! one message with its conversation, and a reply (queued, sent exactly once by a job).

use super::{ApiCaller, ApiJson, ApiQuery};
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::i18n::Tr;
use crate::pages::inbox::{ListQuery, filter_of, reply_problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relais_core::{Action, Locale};
use relais_store::{Actor, AnswerAttempt, InboxMessage, InboxReply, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct MessageOut {
    pub id: String,
    pub account_id: String,
    pub network: String,
    pub conversation_id: String,
    /// reply, mention, quote or direct_message.
    pub kind: String,
    pub remote_id: String,
    pub author_handle: String,
    pub author_name: Option<String>,
    pub text: String,
    pub url: Option<String>,
    pub language: Option<String>,
    /// Epoch milliseconds, as the network dated it.
    pub created_at: i64,
    pub received_at: i64,
    /// Our published variant it is about, when it is one.
    pub variant_id: Option<String>,
    /// open, pending or resolved.
    pub status: String,
    pub assignee_id: Option<String>,
    pub first_response_at: Option<i64>,
    pub resolved_at: Option<i64>,
    /// positive, neutral or negative, as Relais read the text on arrival.
    pub sentiment: Option<String>,
    /// From -1 (very negative) to 1 (very positive).
    pub sentiment_score: Option<f64>,
    /// From 0 (clean) to 1 (certainly toxic or spam).
    pub toxicity: Option<f64>,
    /// A moderation rule flagged it for attention.
    pub flagged: bool,
}

impl From<InboxMessage> for MessageOut {
    fn from(m: InboxMessage) -> Self {
        MessageOut {
            id: m.id,
            account_id: m.account_id,
            network: m.network,
            conversation_id: m.conversation_id,
            kind: m.kind,
            remote_id: m.remote_id,
            author_handle: m.author_handle,
            author_name: m.author_name,
            text: m.text,
            url: m.url,
            language: m.language,
            created_at: m.created_at,
            received_at: m.received_at,
            variant_id: m.variant_id,
            status: m.status,
            assignee_id: m.assignee_id,
            first_response_at: m.first_response_at,
            resolved_at: m.resolved_at,
            sentiment: m.sentiment,
            sentiment_score: m.sentiment_score.map(|v| v as f64 / 1000.0),
            toxicity: m.toxicity.map(|v| v as f64 / 1000.0),
            flagged: m.flagged != 0,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InboxPageOut {
    /// Newest first.
    pub messages: Vec<MessageOut>,
    /// Pass it as `after` for the next (older) page; absent at the end.
    pub next: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct InboxParams {
    /// A social account's id.
    pub account: Option<String>,
    /// A network key: sandbox, bluesky, mastodon.
    pub network: Option<String>,
    /// reply, mention, quote or direct_message.
    pub kind: Option<String>,
    /// open, pending or resolved.
    pub status: Option<String>,
    /// A language code: fr or en as detected, or the network's own code for texts too short to tell.
    pub language: Option<String>,
    /// positive, neutral or negative.
    pub sentiment: Option<String>,
    /// Only messages carrying this tag.
    pub tag: Option<String>,
    /// A member's user id, or `none` for messages nobody is assigned to.
    pub assignee: Option<String>,
    /// First day (YYYY-MM-DD, in the workspace's time zone), included.
    pub from: Option<String>,
    /// Last day (YYYY-MM-DD, in the workspace's time zone), included.
    pub to: Option<String>,
    /// `1`: only messages a moderation rule flagged.
    pub flagged: Option<String>,
    /// A full-text search of the messages' text in the listening query language: words (all
    /// required), "phrases", `OR`/`OU`, `-exclusions`, parentheses; case and accents ignored,
    /// whole words. A query made only of exclusions, or of very common words only (le, de, the…),
    /// is refused with a problem naming the field `q`.
    pub q: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Messages per page, 1 to 200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ReplyOut {
    pub id: String,
    pub message_id: String,
    pub text: String,
    /// pending (queued or being sent), sent or failed.
    pub state: String,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    /// The network's words when it refused, or the last passing failure.
    pub error: Option<String>,
    pub author: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

impl From<InboxReply> for ReplyOut {
    fn from(r: InboxReply) -> Self {
        ReplyOut {
            id: r.id,
            message_id: r.message_id,
            text: r.text,
            state: r.state,
            remote_id: r.remote_id,
            remote_url: r.remote_url,
            error: r.error,
            author: r.author_label,
            created_at: r.created_at,
            sent_at: r.sent_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ContextPostOut {
    pub remote_id: String,
    pub author_handle: String,
    pub text: String,
    pub created_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationOut {
    pub id: String,
    /// thread, direct or single.
    pub kind: String,
    /// Our published variant the thread starts at, when it is one.
    pub variant_id: Option<String>,
    /// The posts above the messages read from the network, oldest first.
    pub context: Vec<ContextPostOut>,
    /// Oldest first.
    pub messages: Vec<MessageOut>,
    pub replies: Vec<ReplyOut>,
}

#[derive(Serialize, ToSchema)]
pub struct MessageDetailOut {
    pub message: MessageOut,
    pub conversation: ConversationOut,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyIn {
    pub text: String,
    /// Refuse the reply (409) when someone answered the conversation after the answer named by
    /// `seen_answer` (or at all, when `seen_answer` is absent): the API's guard against a second
    /// answer, as the conversation page has. Off by default.
    #[serde(default)]
    pub unless_answered: bool,
    /// The id of the latest answer in the conversation the caller has seen.
    #[serde(default)]
    pub seen_answer: Option<String>,
}

fn invalid(field: &str, detail: String) -> ApiError {
    ApiError { field: Some(field.into()), ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", detail) }
}

/// The message if it is the workspace's.
async fn message_of(app: &AppState, workspace_id: &str, id: &str) -> Result<InboxMessage, ApiError> {
    match app.store.inbox_message(id).await {
        Ok(m) if m.workspace_id == workspace_id => Ok(m),
        Ok(_) | Err(StoreError::NotFound(_)) => Err(ApiError::not_found("message")),
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/inbox", params(("id" = String, Path), InboxParams),
    responses((status = 200, body = InboxPageOut), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> Result<Json<InboxPageOut>, ApiError> {
    caller.require(&id, Action::UseInbox)?;
    let q = ListQuery {
        account: p.account,
        network: p.network,
        kind: p.kind,
        status: p.status,
        language: p.language,
        sentiment: p.sentiment,
        tag: p.tag,
        assignee: p.assignee,
        from: p.from,
        to: p.to,
        flagged: p.flagged,
        q: p.q,
        after: p.after,
        done: None,
    };
    let workspace = app.store.workspace(&id).await?;
    let filter = filter_of(&q, &workspace.time_zone).map_err(|(field, reason)| invalid(field, reason))?;
    let limit = p.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(invalid("limit", format!("limit is {limit}; it must be between 1 and 200")));
    }
    let page = app.store.inbox_page(&id, &filter, limit).await?;
    Ok(Json(InboxPageOut { messages: page.messages.into_iter().map(Into::into).collect(), next: page.next.map(|c| c.to_string()) }))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/inbox/{message}", params(("id" = String, Path), ("message" = String, Path)),
    responses((status = 200, body = MessageDetailOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_one(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, message)): Path<(String, String)>,
) -> Result<Json<MessageDetailOut>, ApiError> {
    caller.require(&id, Action::UseInbox)?;
    let m = message_of(&app, &id, &message).await?;
    let conversation = app.store.conversation(&m.conversation_id).await?;
    let context = app.store.conversation_context(&conversation.id).await?;
    let messages = app.store.conversation_messages(&conversation.id).await?;
    let replies = app.store.conversation_replies(&conversation.id).await?;
    Ok(Json(MessageDetailOut {
        message: m.into(),
        conversation: ConversationOut {
            id: conversation.id,
            kind: conversation.kind,
            variant_id: conversation.variant_id,
            context: context
                .into_iter()
                .map(|c| ContextPostOut { remote_id: c.remote_id, author_handle: c.author_handle, text: c.text, created_at: c.created_at })
                .collect(),
            messages: messages.into_iter().map(Into::into).collect(),
            replies: replies.into_iter().map(Into::into).collect(),
        },
    }))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{id}/inbox/{message}/reply", params(("id" = String, Path), ("message" = String, Path)),
    request_body = ReplyIn,
    responses((status = 202, body = ReplyOut), (status = 409, body = Problem, content_type = "application/problem+json",
        description = "unless_answered was set and someone answered meanwhile"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn reply(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, message)): Path<(String, String)>,
    ApiJson(r): ApiJson<ReplyIn>,
) -> Result<(StatusCode, Json<ReplyOut>), ApiError> {
    caller.require(&id, Action::ReplyInInbox)?;
    let m = message_of(&app, &id, &message).await?;
    if let Some(problem) = reply_problem(Tr::new(Locale::En), &m.network, &r.text) {
        return Err(invalid("text", problem));
    }
    let actor = Actor { id: None, label: format!("API token {}", caller.0.name) };
    if !r.unless_answered {
        let reply = app.store.create_reply(&m.id, r.text.trim(), &actor).await?;
        return Ok((StatusCode::ACCEPTED, Json(reply.into())));
    }
    match app.store.create_reply_unless_answered(&m.id, r.text.trim(), &actor, r.seen_answer.as_deref()).await? {
        AnswerAttempt::Queued(reply) => Ok((StatusCode::ACCEPTED, Json((*reply).into()))),
        AnswerAttempt::AnsweredMeanwhile(answers) => {
            let ids: Vec<&str> = answers.iter().map(|a| a.id.as_str()).collect();
            Err(ApiError::new(
                StatusCode::CONFLICT,
                "answered-meanwhile",
                format!(
                    "the conversation was answered after the answer you saw ({}); read it, then send again with seen_answer set to {}",
                    ids.join(", "),
                    ids.last().copied().unwrap_or_default()
                ),
            ))
        }
    }
}
