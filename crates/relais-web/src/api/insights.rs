//! Community insights over the API: the period's recurring questions and topics, as the page
//! shows them, with the posts that answer them.

use super::{ApiCaller, ApiQuery};
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::pages::insights::{InsightsQuery, compute, params_of};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relais_core::Action;
use relais_core::insights::Insight;
use relais_store::{InsightAnswer, InsightSource};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct TagCountOut {
    pub tag: String,
    pub count: usize,
}

#[derive(Serialize, ToSchema)]
pub struct SentimentMixOut {
    pub positive: usize,
    pub neutral: usize,
    pub negative: usize,
    /// Messages not read yet.
    pub unknown: usize,
}

#[derive(Serialize, ToSchema)]
pub struct InsightExampleOut {
    pub message_id: String,
    pub conversation_id: String,
    pub text: String,
    pub language: Option<String>,
    /// Epoch milliseconds.
    pub created_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct InsightAnswerOut {
    pub post_id: String,
    pub title: String,
    /// The post's workflow state (draft, in_review, …, published).
    pub state: String,
}

#[derive(Serialize, ToSchema)]
pub struct InsightOut {
    /// Stable while the key terms stay: the kind and the key stems.
    pub key: String,
    /// question or topic.
    pub kind: String,
    pub label: String,
    /// The key terms as written.
    pub terms: Vec<String>,
    pub message_count: usize,
    /// Messages per week of the period, oldest week first (the last week may be shorter).
    pub weekly: Vec<usize>,
    pub tags: Vec<TagCountOut>,
    pub sentiment: SentimentMixOut,
    /// fr or en: the language most of its messages are in.
    pub language: Option<String>,
    /// The most typical messages, at most 3.
    pub examples: Vec<InsightExampleOut>,
    /// Posts written to answer it (matched by key).
    pub answered_by: Vec<InsightAnswerOut>,
}

#[derive(Serialize, ToSchema)]
pub struct InsightsOut {
    /// Epoch milliseconds, inclusive.
    pub from: i64,
    /// Epoch milliseconds, exclusive.
    pub to: i64,
    pub days: i64,
    pub tag: Option<String>,
    pub messages_read: usize,
    /// More messages matched than Relais reads (20,000): the oldest were left out.
    pub truncated: bool,
    /// Messages read that joined no group.
    pub ungrouped: usize,
    pub questions: Vec<InsightOut>,
    pub topics: Vec<InsightOut>,
}

#[derive(Deserialize, IntoParams)]
pub struct InsightsParams {
    /// The last 7, 30, 90 (default), 180 or 365 days.
    pub days: Option<String>,
    /// Only messages carrying this tag (questions without it are left out too).
    pub tag: Option<String>,
}

fn out(i: &Insight, source: &InsightSource, answers: &[InsightAnswer]) -> InsightOut {
    InsightOut {
        key: i.key.clone(),
        kind: i.kind.as_str().into(),
        label: i.label(),
        terms: i.terms.clone(),
        message_count: i.messages.len(),
        weekly: i.weekly.clone(),
        tags: i.tags.iter().map(|(tag, count)| TagCountOut { tag: tag.clone(), count: *count }).collect(),
        sentiment: SentimentMixOut {
            positive: i.sentiment.positive,
            neutral: i.sentiment.neutral,
            negative: i.sentiment.negative,
            unknown: i.sentiment.unknown,
        },
        language: i.language.map(|l| l.as_str().into()),
        examples: i
            .examples
            .iter()
            .map(|&k| {
                let m = &source.messages[k];
                InsightExampleOut {
                    message_id: m.id.clone(),
                    conversation_id: source.conversations.get(&m.id).cloned().unwrap_or_default(),
                    text: m.text.clone(),
                    language: m.language.clone(),
                    created_at: m.created_at,
                }
            })
            .collect(),
        answered_by: answers
            .iter()
            .filter(|a| a.insight_key == i.key)
            .map(|a| InsightAnswerOut { post_id: a.post_id.clone(), title: a.post_title.clone(), state: a.post_state.as_str().into() })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/insights", params(("id" = String, Path), InsightsParams),
    responses((status = 200, body = InsightsOut), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<InsightsParams>,
) -> Result<Json<InsightsOut>, ApiError> {
    caller.require(&id, Action::UseInbox)?;
    let (days, tag) = params_of(&InsightsQuery { days: p.days, tag: p.tag }).map_err(|(field, reason)| ApiError {
        field: Some(field.into()),
        ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", reason)
    })?;
    let c = compute(&app, &id, days, tag.as_deref()).await?;
    let answers = app.store.insight_answers(&id).await?;
    Ok(Json(InsightsOut {
        from: c.period.from_ms,
        to: c.period.to_ms,
        days,
        messages_read: c.source.messages.len(),
        truncated: c.source.truncated,
        ungrouped: c.insights.ungrouped,
        questions: c.insights.questions.iter().map(|i| out(i, &c.source, &answers)).collect(),
        topics: c.insights.topics.iter().map(|i| out(i, &c.source, &answers)).collect(),
        tag,
    }))
}
