//! What community insights read and keep: the period's questions and tagged messages (grouped in
//! memory by `relais_core::insights`), the insights a member chose to answer, and the posts that
//! answer them.

use crate::posts::Actor;
use crate::{Result, Store, StoreError};
use relais_core::insights::{Insight, InsightKind, Message, Period};
use relais_core::workflow::PostState;
use relais_core::{Locale, new_id, now_ms};
use sqlx::FromRow;
use std::collections::HashMap;

/// At most this many message ids are kept with an answered insight.
const KEPT_IDS: usize = 500;

/// The period's messages as the insights read them, newest first, with their conversation.
#[derive(Debug, Clone)]
pub struct InsightSource {
    pub messages: Vec<Message>,
    /// The conversation of each message, by message id (for the examples' links).
    pub conversations: HashMap<String, String>,
    /// More messages matched than the limit: the oldest were left out.
    pub truncated: bool,
}

#[derive(FromRow)]
struct SourceRow {
    id: String,
    conversation_id: String,
    text: String,
    language: Option<String>,
    sentiment: Option<String>,
    created_at: i64,
}

/// An insight a member acted on, as it stood then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedInsight {
    pub id: String,
    pub workspace_id: String,
    pub kind: InsightKind,
    pub key: String,
    pub label: String,
    pub terms: Vec<String>,
    pub tag: Option<String>,
    pub period: Period,
    pub message_count: i64,
    pub message_ids: Vec<String>,
    /// Its most typical message then.
    pub example: String,
    pub language: Locale,
    pub created_at: i64,
}

#[derive(FromRow)]
struct SavedRow {
    id: String,
    workspace_id: String,
    kind: String,
    insight_key: String,
    label: String,
    key_terms: String,
    tag: Option<String>,
    period_from: i64,
    period_to: i64,
    message_count: i64,
    message_ids: String,
    example: String,
    language: String,
    created_at: i64,
}

impl TryFrom<SavedRow> for SavedInsight {
    type Error = StoreError;
    fn try_from(r: SavedRow) -> Result<SavedInsight> {
        Ok(SavedInsight {
            kind: InsightKind::parse(&r.kind).ok_or_else(|| StoreError::Conflict(format!("corrupt insight kind {:?}", r.kind)))?,
            message_ids: serde_json::from_str(&r.message_ids)
                .map_err(|e| StoreError::Conflict(format!("corrupt message ids of insight {}: {e}", r.id)))?,
            language: Locale::parse(&r.language).unwrap_or_default(),
            example: r.example,
            id: r.id,
            workspace_id: r.workspace_id,
            key: r.insight_key,
            label: r.label,
            terms: r.key_terms.split(' ').filter(|t| !t.is_empty()).map(str::to_string).collect(),
            tag: r.tag,
            period: Period { from_ms: r.period_from, to_ms: r.period_to },
            message_count: r.message_count,
            created_at: r.created_at,
        })
    }
}

/// A post answering an insight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightAnswer {
    pub insight_id: String,
    pub insight_key: String,
    pub insight_label: String,
    pub post_id: String,
    pub post_title: String,
    pub post_state: PostState,
}

/// An insight being answered, with what it was computed from.
#[derive(Debug, Clone, Copy)]
pub struct NewInsight<'a> {
    pub workspace_id: &'a str,
    pub insight: &'a Insight,
    /// The messages the insight's indices point into.
    pub messages: &'a [Message],
    /// The tag the insights were filtered on.
    pub tag: Option<&'a str>,
    pub period: Period,
    /// The language of the draft answer.
    pub language: Locale,
}

const SAVED_COLUMNS: &str = "id, workspace_id, kind, insight_key, label, key_terms, tag, period_from, period_to, message_count, \
     message_ids, example, language, created_at";

impl Store {
    /// The period's messages that insights read: questions (a `?` in the text; the domain
    /// decides which really are) and tagged messages, or only those carrying `tag`. The newest
    /// `limit` at most.
    pub async fn insight_source(&self, workspace_id: &str, period: Period, tag: Option<&str>, limit: i64) -> Result<InsightSource> {
        let base = "FROM inbox_messages m WHERE m.workspace_id = $1 AND m.created_at >= $2 AND m.created_at < $3";
        let which = match tag {
            Some(_) => "AND EXISTS (SELECT 1 FROM inbox_message_tags t WHERE t.message_id = m.id AND t.tag = $5)",
            None => "AND (m.text LIKE $5 OR EXISTS (SELECT 1 FROM inbox_message_tags t WHERE t.message_id = m.id))",
        };
        let sql = format!(
            "SELECT m.id, m.conversation_id, m.text, m.language, m.sentiment, m.created_at {base} {which} \
             ORDER BY m.created_at DESC, m.id DESC LIMIT $4"
        );
        let rows: Vec<SourceRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(workspace_id)
            .bind(period.from_ms)
            .bind(period.to_ms)
            .bind(limit + 1)
            .bind(tag.unwrap_or("%?%"))
            .fetch_all(self.pool())
            .await?;
        let truncated = rows.len() as i64 > limit;
        // The tags of the period's tagged messages in one query (an IN list of thousands of ids
        // would pass the backends' parameter limits).
        let mut tags: HashMap<String, Vec<String>> = HashMap::new();
        let tag_rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT t.message_id, t.tag FROM inbox_message_tags t JOIN inbox_messages m ON m.id = t.message_id
             WHERE m.workspace_id = $1 AND m.created_at >= $2 AND m.created_at < $3 ORDER BY t.tag",
        )
        .bind(workspace_id)
        .bind(period.from_ms)
        .bind(period.to_ms)
        .fetch_all(self.pool())
        .await?;
        for (message, tag) in tag_rows {
            tags.entry(message).or_default().push(tag);
        }
        let mut conversations = HashMap::new();
        let messages = rows
            .into_iter()
            .take(limit as usize)
            .map(|r| {
                conversations.insert(r.id.clone(), r.conversation_id);
                Message {
                    tags: tags.remove(&r.id).unwrap_or_default(),
                    id: r.id,
                    text: r.text,
                    language: r.language,
                    sentiment: r.sentiment,
                    created_at: r.created_at,
                }
            })
            .collect();
        Ok(InsightSource { messages, conversations, truncated })
    }

    /// Keeps an insight a member is answering, as it stands now.
    pub async fn save_insight(&self, new: &NewInsight<'_>, by: &Actor) -> Result<SavedInsight> {
        let NewInsight { workspace_id, insight, messages, tag, period, language } = *new;
        let ids: Vec<String> = insight.messages.iter().take(KEPT_IDS).map(|&i| messages[i].id.clone()).collect();
        let saved = SavedInsight {
            id: new_id(),
            workspace_id: workspace_id.to_string(),
            kind: insight.kind,
            key: insight.key.clone(),
            label: insight.label(),
            terms: insight.terms.clone(),
            tag: tag.map(str::to_string),
            period,
            message_count: insight.messages.len() as i64,
            message_ids: ids,
            example: insight.examples.first().map(|&i| messages[i].text.clone()).unwrap_or_default(),
            language,
            created_at: now_ms(),
        };
        sqlx::query(
            "INSERT INTO insights (id, workspace_id, kind, insight_key, label, key_terms, tag, period_from, period_to, message_count,
             message_ids, example, language, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&saved.id)
        .bind(&saved.workspace_id)
        .bind(saved.kind.as_str())
        .bind(&saved.key)
        .bind(&saved.label)
        .bind(saved.terms.join(" "))
        .bind(saved.tag.as_deref())
        .bind(period.from_ms)
        .bind(period.to_ms)
        .bind(saved.message_count)
        .bind(serde_json::to_string(&saved.message_ids).expect("a list of strings serialises"))
        .bind(&saved.example)
        .bind(language.as_str())
        .bind(by.id.as_deref())
        .bind(saved.created_at)
        .execute(self.writer())
        .await?;
        Ok(saved)
    }

    pub async fn saved_insight(&self, id: &str) -> Result<SavedInsight> {
        let row: Option<SavedRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {SAVED_COLUMNS} FROM insights WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.ok_or(StoreError::NotFound("insight"))?.try_into()
    }

    /// Records that `post_id` answers `insight_id` (both of one workspace: the caller checked).
    pub async fn link_post_to_insight(&self, post_id: &str, insight_id: &str) -> Result<()> {
        let res = sqlx::query("UPDATE posts SET insight_id = $1 WHERE id = $2").bind(insight_id).bind(post_id).execute(self.writer()).await;
        match res {
            Ok(r) if r.rows_affected() == 0 => Err(StoreError::NotFound("post")),
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => Err(StoreError::NotFound("insight")),
            Err(e) => Err(e.into()),
        }
    }

    /// The insight a post answers, if any.
    pub async fn insight_of_post(&self, post_id: &str) -> Result<Option<SavedInsight>> {
        let row: Option<SavedRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM insights i JOIN posts p ON p.insight_id = i.id WHERE p.id = $1",
            SAVED_COLUMNS.split(", ").map(|c| format!("i.{c}")).collect::<Vec<_>>().join(", ")
        )))
        .bind(post_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(SavedInsight::try_from).transpose()
    }

    /// The workspace's posts that answer an insight, newest first.
    pub async fn insight_answers(&self, workspace_id: &str) -> Result<Vec<InsightAnswer>> {
        let rows: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
            "SELECT i.id, i.insight_key, i.label, p.id, p.title, p.state FROM posts p JOIN insights i ON i.id = p.insight_id
             WHERE p.workspace_id = $1 ORDER BY p.created_at DESC, p.id DESC",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(insight_id, insight_key, insight_label, post_id, post_title, state)| {
                Ok(InsightAnswer {
                    post_state: PostState::parse(&state).ok_or_else(|| StoreError::Conflict(format!("corrupt post state {state:?}")))?,
                    insight_id,
                    insight_key,
                    insight_label,
                    post_id,
                    post_title,
                })
            })
            .collect()
    }
}
