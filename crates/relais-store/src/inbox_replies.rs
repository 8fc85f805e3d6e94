//! Replies written in Relais to inbox messages: the outbox. A reply's row, its idempotency key
//! and its send job are created in one transaction before any network call; the send job records
//! each attempt, and a reply whose earlier attempt's outcome is unknown is looked for on the
//! network by its key before being sent again.

use crate::inbox_live::{Announce, EventKind};
use crate::jobs::{insert_job, insert_jobs};
use crate::sql::{for_backend, rows_per_statement, tuples};
use crate::{Actor, NewJob, Result, Store, StoreError};
use relais_core::{new_id, now_ms};
use sqlx::FromRow;

/// The job kind that sends a reply.
pub const SEND_REPLY_JOB: &str = "send_reply";

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct InboxReply {
    pub id: String,
    pub workspace_id: String,
    pub account_id: String,
    pub message_id: String,
    pub conversation_id: String,
    pub text: String,
    pub idempotency_key: String,
    /// pending | sent | failed
    pub state: String,
    pub attempts: i64,
    pub remote_id: Option<String>,
    pub remote_url: Option<String>,
    pub error: Option<String>,
    /// The member who wrote it (`None` for Relais itself: satisfaction question, auto-reply).
    pub author_id: Option<String>,
    pub author_label: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    /// answer | auto_reply | survey
    pub purpose: String,
}

const COLUMNS: &str = "id, workspace_id, account_id, message_id, conversation_id, text, idempotency_key, state, attempts, remote_id,
    remote_url, error, author_id, author_label, created_at, sent_at, purpose";

/// Why Relais writes a reply: a member's answer counts as the message's first response; a
/// moderation rule's automatic reply (an acknowledgement) and a satisfaction question never do,
/// so the care figures keep waiting for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyPurpose {
    Answer,
    AutoReply,
    Survey,
}

impl ReplyPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyPurpose::Answer => "answer",
            ReplyPurpose::AutoReply => "auto_reply",
            ReplyPurpose::Survey => "survey",
        }
    }
}

/// Inserts a reply and its send job in `tx`; returns the reply's id.
pub(crate) async fn insert_reply(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    message_id: &str,
    text: &str,
    author: &Actor,
    purpose: ReplyPurpose,
    now: i64,
) -> Result<String> {
    let id = new_id();
    let n = sqlx::query(
        "INSERT INTO inbox_replies (id, workspace_id, account_id, message_id, conversation_id, text, idempotency_key, state, attempts,
            author_id, author_label, created_at, purpose)
         SELECT $1, workspace_id, account_id, id, conversation_id, $2, $3, 'pending', 0, $4, $5, $6, $7 FROM inbox_messages WHERE id = $8",
    )
    .bind(&id)
    .bind(text)
    // The key names the reply, never the attempt: every retry carries the same one. Same form
    // as a variant's (`relais-<UUIDv7>`): connectors derive record keys from it (Bluesky).
    .bind(format!("relais-{id}"))
    .bind(author.id.as_deref())
    .bind(&author.label)
    .bind(now)
    .bind(purpose.as_str())
    .bind(message_id)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound("inbox message"));
    }
    insert_job(&mut **tx, &send_job(&id, now)).await?;
    Ok(id)
}

/// The job that sends reply `reply_id`; its unique key keeps it to one job per reply.
fn send_job(reply_id: &str, now: i64) -> NewJob {
    NewJob {
        kind: SEND_REPLY_JOB.into(),
        payload: serde_json::json!({ "reply": reply_id }),
        run_at: now,
        unique_key: Some(format!("{SEND_REPLY_JOB}:{reply_id}")),
        max_attempts: 8,
    }
}

/// A reply Relais writes on its own to a message stored in the same transaction: what
/// [`insert_replies`] needs of it.
pub(crate) struct NewReply {
    pub id: String,
    pub workspace_id: String,
    pub account_id: String,
    pub message_id: String,
    pub conversation_id: String,
    pub text: String,
    pub author_label: String,
}

/// Inserts replies and their send jobs in `tx`, a few statements for them all (ingestion writes
/// a page's automatic replies at once). Same rows as [`insert_reply`].
pub(crate) async fn insert_replies(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    replies: &[NewReply],
    purpose: ReplyPurpose,
    now: i64,
) -> Result<()> {
    for chunk in replies.chunks(rows_per_statement(13)) {
        let sql = format!(
            "INSERT INTO inbox_replies (id, workspace_id, account_id, message_id, conversation_id, text, idempotency_key, state, attempts,
                author_id, author_label, created_at, purpose)
             VALUES {}",
            tuples(1, chunk.len(), 13)
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(for_backend(tx, sql)));
        for r in chunk {
            q = q
                .bind(&r.id)
                .bind(&r.workspace_id)
                .bind(&r.account_id)
                .bind(&r.message_id)
                .bind(&r.conversation_id)
                .bind(&r.text)
                .bind(format!("relais-{}", r.id))
                .bind("pending")
                .bind(0_i64)
                .bind(None::<String>)
                .bind(&r.author_label)
                .bind(now)
                .bind(purpose.as_str());
        }
        q.execute(&mut **tx).await?;
    }
    let jobs: Vec<NewJob> = replies.iter().map(|r| send_job(&r.id, now)).collect();
    insert_jobs(tx, &jobs).await
}

/// How a send attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyOutcome {
    Sent { remote_id: String, remote_url: Option<String> },
    Failed { error: String },
}

/// How an answer written against a conversation the member had open ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerAttempt {
    /// Recorded and queued.
    Queued(Box<InboxReply>),
    /// Not recorded: other members answered in the conversation after the latest answer the
    /// member saw. These answers, oldest first.
    AnsweredMeanwhile(Vec<InboxReply>),
}

impl Store {
    /// Records a reply to `message_id` and queues its send job, together.
    pub async fn create_reply(&self, message_id: &str, text: &str, author: &Actor) -> Result<InboxReply> {
        match self.answer(message_id, text, author, None).await? {
            AnswerAttempt::Queued(reply) => Ok(*reply),
            AnswerAttempt::AnsweredMeanwhile(_) => unreachable!("no check was asked"),
        }
    }

    /// Records an answer unless another member answered the conversation after `seen_answer`
    /// (the latest answer shown to `author`, `None` when none was): the second-answer check.
    /// Checking and recording happen in one transaction that holds the workspace's event
    /// counter, so two members sending at the same instant are serialised and the later one is
    /// warned, on PostgreSQL too.
    pub async fn create_reply_unless_answered(
        &self,
        message_id: &str,
        text: &str,
        author: &Actor,
        seen_answer: Option<&str>,
    ) -> Result<AnswerAttempt> {
        self.answer(message_id, text, author, Some(seen_answer)).await
    }

    async fn answer(&self, message_id: &str, text: &str, author: &Actor, check: Option<Option<&str>>) -> Result<AnswerAttempt> {
        let mut tx = self.begin_write().await?;
        let (ws, conversation): (String, String) = sqlx::query_as("SELECT workspace_id, conversation_id FROM inbox_messages WHERE id = $1")
            .bind(message_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("inbox message"))?;
        // The counter first: from here on, no other announcing writer of the workspace commits
        // until this transaction ends, and the answers read below are all that exist.
        let seq = crate::inbox_live::reserve(&mut tx, &ws, 1).await?;
        if let Some(seen) = check {
            let answers: Vec<InboxReply> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM inbox_replies WHERE conversation_id = $1 AND purpose = 'answer' ORDER BY created_at, id"
            )))
            .bind(&conversation)
            .fetch_all(&mut *tx)
            .await?;
            let after_seen = seen.and_then(|s| answers.iter().position(|a| a.id == s)).map_or(0, |i| i + 1);
            let meanwhile: Vec<InboxReply> = answers
                .into_iter()
                .skip(after_seen)
                .filter(|a| a.state != "failed" && (a.author_id.is_none() || a.author_id != author.id))
                .collect();
            if !meanwhile.is_empty() {
                tx.rollback().await?;
                return Ok(AnswerAttempt::AnsweredMeanwhile(meanwhile));
            }
        }
        let now = now_ms();
        let id = insert_reply(&mut tx, message_id, text, author, ReplyPurpose::Answer, now).await?;
        let event = Announce { kind: EventKind::ReplySent, message_id: Some(message_id), conversation_id: Some(&conversation) };
        crate::inbox_live::write(&mut tx, &ws, seq, &[event], author.id.as_deref(), now).await?;
        tx.commit().await?;
        Ok(AnswerAttempt::Queued(Box::new(self.inbox_reply(&id).await?)))
    }

    pub async fn inbox_reply(&self, id: &str) -> Result<InboxReply> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM inbox_replies WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("reply"))
    }

    /// The replies written in a conversation, oldest first.
    pub async fn conversation_replies(&self, conversation_id: &str) -> Result<Vec<InboxReply>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM inbox_replies WHERE conversation_id = $1 ORDER BY created_at, id"
        )))
        .bind(conversation_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Counts an attempt of a pending reply before the network is called; returns the attempt's
    /// number (1 for the first), or `None` when the reply is no longer pending.
    pub async fn begin_reply_attempt(&self, id: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar("UPDATE inbox_replies SET attempts = attempts + 1 WHERE id = $1 AND state = 'pending' RETURNING attempts")
            .bind(id)
            .fetch_optional(self.writer())
            .await?)
    }

    /// Records how the reply ended. A sent answer is the message's first response if it had none,
    /// and its author the message's first responder.
    pub async fn finish_reply(&self, id: &str, outcome: &ReplyOutcome) -> Result<()> {
        self.finish_reply_at(id, outcome, now_ms()).await
    }

    /// [`Store::finish_reply`] at a given instant (epoch ms).
    pub async fn finish_reply_at(&self, id: &str, outcome: &ReplyOutcome, now: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        match outcome {
            ReplyOutcome::Sent { remote_id, remote_url } => {
                sqlx::query(
                    "UPDATE inbox_replies SET state = 'sent', remote_id = $1, remote_url = $2, error = NULL, sent_at = $3
                     WHERE id = $4 AND state = 'pending'",
                )
                .bind(remote_id)
                .bind(remote_url.as_deref())
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "UPDATE inbox_messages SET first_response_at = $1,
                        first_responder_id = (SELECT author_id FROM inbox_replies WHERE id = $2)
                     WHERE first_response_at IS NULL
                       AND id = (SELECT message_id FROM inbox_replies WHERE id = $2 AND purpose = 'answer')",
                )
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            ReplyOutcome::Failed { error } => {
                sqlx::query("UPDATE inbox_replies SET state = 'failed', error = $1 WHERE id = $2 AND state = 'pending'")
                    .bind(error)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        // Open pages show the answer's new state (sent or failed) and the first response.
        let answered: Option<(String, String)> =
            sqlx::query_as("SELECT m.workspace_id, m.id FROM inbox_replies r JOIN inbox_messages m ON m.id = r.message_id WHERE r.id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((ws, message)) = answered {
            crate::inbox_live::on_messages_changed(&mut tx, &ws, &[message], None, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Keeps the network's words of a failed attempt that will be retried.
    pub async fn note_reply_error(&self, id: &str, error: &str) -> Result<()> {
        sqlx::query("UPDATE inbox_replies SET error = $1 WHERE id = $2 AND state = 'pending'")
            .bind(error)
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
