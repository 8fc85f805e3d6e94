//! The satisfaction question: asked (through the reply outbox, exactly once per message) when a
//! member resolves a conversation's messages, and its answer read at ingestion.
//!
//! Ingestion must stay cheap: [`read_ratings`] is one call per ingested page, and it queries
//! only the pending surveys of that page's authors (one indexed lookup), doing nothing more when
//! there are none.

use crate::inbox_ingest::NewMessage;
use crate::inbox_replies::{ReplyPurpose, insert_reply};
use crate::posts::Actor;
use crate::{Result, SocialAccount, Store};
use relais_core::satisfaction::{ANSWER_WINDOW_MS, parse_rating, question_for};
use relais_core::{new_id, now_ms};
use sqlx::FromRow;
use std::collections::HashMap;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// A question asked and, once answered, its score.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Survey {
    pub id: String,
    pub conversation_id: String,
    pub message_id: String,
    pub author_remote_id: String,
    pub reply_id: Option<String>,
    pub asked_at: i64,
    pub expires_at: i64,
    /// 1–5; `None` while pending, or when the author answered something else than a rating.
    pub score: Option<i64>,
    pub answer_message_id: Option<String>,
    pub answered_at: Option<i64>,
}

const SURVEY_COLUMNS: &str =
    "id, conversation_id, message_id, author_remote_id, reply_id, asked_at, expires_at, score, answer_message_id, answered_at";

/// After `resolved` messages were resolved by a member: when the workspace asks, for each
/// (conversation, author) whose messages are now all resolved and who has no survey pending,
/// queues the question as a reply to the author's last message.
pub(crate) async fn ask_after_resolution(tx: &mut Tx, workspace_id: &str, resolved: &[String], by: &Actor, at: i64) -> Result<()> {
    if resolved.is_empty() {
        return Ok(());
    }
    let settings: Option<(i64, String, String, String)> = sqlx::query_as(
        "SELECT s.survey_enabled, s.survey_question_fr, s.survey_question_en, w.locale FROM care_settings s
         JOIN workspaces w ON w.id = s.workspace_id WHERE s.workspace_id = $1",
    )
    .bind(workspace_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some((1, fr, en, locale)) = settings else { return Ok(()) };
    let sql = format!(
        "SELECT DISTINCT conversation_id, author_remote_id FROM inbox_messages WHERE id IN ({})",
        crate::sql::params(1, resolved.len())
    );
    let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql));
    for id in resolved {
        q = q.bind(id);
    }
    let pairs = q.fetch_all(&mut **tx).await?;
    for (conversation, author) in pairs {
        // The author's last message, if every one of theirs in the conversation is resolved.
        let last: Option<(String, String, Option<String>)> = sqlx::query_as(
            "SELECT m.id, m.account_id, m.language FROM inbox_messages m
             WHERE m.conversation_id = $1 AND m.author_remote_id = $2
               AND NOT EXISTS (SELECT 1 FROM inbox_messages o WHERE o.conversation_id = $1 AND o.author_remote_id = $2
                                 AND o.status <> 'resolved')
             ORDER BY m.created_at DESC, m.id DESC LIMIT 1",
        )
        .bind(&conversation)
        .bind(&author)
        .fetch_optional(&mut **tx)
        .await?;
        let Some((message, account, language)) = last else { continue };
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM satisfaction_surveys WHERE (account_id = $1 AND author_remote_id = $2 AND answered_at IS NULL AND expires_at > $3)
                OR message_id = $4",
        )
        .bind(&account)
        .bind(&author)
        .bind(at)
        .bind(&message)
        .fetch_one(&mut **tx)
        .await?;
        if pending > 0 {
            continue;
        }
        let question = question_for(language.as_deref(), locale == "fr", &fr, &en);
        let reply = insert_reply(tx, &message, question, &Actor::system(), ReplyPurpose::Survey, at).await?;
        sqlx::query(
            "INSERT INTO satisfaction_surveys (id, workspace_id, account_id, conversation_id, message_id, author_remote_id, reply_id,
                asked_by, asked_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(new_id())
        .bind(workspace_id)
        .bind(&account)
        .bind(&conversation)
        .bind(&message)
        .bind(&author)
        .bind(&reply)
        .bind(by.id.as_deref())
        .bind(at)
        .bind(at + ANSWER_WINDOW_MS)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Reads the answers to pending surveys among newly ingested messages, in the order received:
/// the author's next message in the conversation closes the survey, with its score when it is a
/// rating (the message is then resolved by itself).
pub(crate) async fn read_ratings(tx: &mut Tx, account: &SocialAccount, new_messages: &[NewMessage<'_>]) -> Result<()> {
    if new_messages.is_empty() {
        return Ok(());
    }
    let mut authors: Vec<&str> = new_messages.iter().map(|m| m.item.author_remote_id.as_str()).collect();
    authors.sort_unstable();
    authors.dedup();
    let mut pending = vec![];
    // A page's authors in statements of a couple of hundred (`sql::MAX_PARAMS`).
    for chunk in authors.chunks(crate::sql::rows_per_statement(1) - 1) {
        let sql = format!(
            "SELECT id, conversation_id, author_remote_id, asked_at, expires_at FROM satisfaction_surveys
             WHERE account_id = $1 AND answered_at IS NULL AND author_remote_id IN ({})",
            crate::sql::params(2, chunk.len())
        );
        let mut q = sqlx::query_as::<_, (String, String, String, i64, i64)>(sqlx::AssertSqlSafe(sql)).bind(&account.id);
        for a in chunk {
            q = q.bind(*a);
        }
        pending.extend(q.fetch_all(&mut **tx).await?);
    }
    if pending.is_empty() {
        return Ok(());
    }
    // (conversation, author) → (survey, asked_at, expires_at)
    let mut open: HashMap<(String, String), (String, i64, i64)> =
        pending.into_iter().map(|(id, conv, author, asked, expires)| ((conv, author), (id, asked, expires))).collect();
    let now = now_ms();
    for m in new_messages {
        let (message_id, item) = (&m.id, m.item);
        let key = (m.conversation_id.clone(), item.author_remote_id.clone());
        let Some((survey, asked_at, expires_at)) = open.get(&key).cloned() else { continue };
        if item.created_at < asked_at || item.created_at > expires_at {
            continue;
        }
        open.remove(&key);
        let score = parse_rating(&item.text);
        sqlx::query("UPDATE satisfaction_surveys SET score = $1, answer_message_id = $2, answered_at = $3 WHERE id = $4")
            .bind(score.map(i64::from))
            .bind(message_id)
            .bind(now)
            .bind(&survey)
            .execute(&mut **tx)
            .await?;
        if score.is_some() {
            sqlx::query("UPDATE inbox_messages SET status = 'resolved', resolved_at = $1 WHERE id = $2")
                .bind(now)
                .bind(message_id)
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

impl Store {
    /// The surveys of a conversation, oldest first.
    pub async fn conversation_surveys(&self, conversation_id: &str) -> Result<Vec<Survey>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SURVEY_COLUMNS} FROM satisfaction_surveys WHERE conversation_id = $1 ORDER BY asked_at, id"
        )))
        .bind(conversation_id)
        .fetch_all(self.pool())
        .await?)
    }
}
