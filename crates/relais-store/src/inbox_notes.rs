//! What the team adds to the inbox for itself: tags on messages (feedback for the strategist,
//! filterable) and internal notes on a conversation. Neither ever reaches the network.

use crate::posts::Actor;
use crate::{Result, Store, StoreError};
use relais_core::{new_id, now_ms};
use sqlx::FromRow;
use std::collections::HashMap;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct InboxNote {
    pub id: String,
    pub conversation_id: String,
    pub author_label: String,
    pub body: String,
    pub created_at: i64,
}

impl Store {
    /// Tags a message; tagging twice with one tag changes nothing. `tag` is already normalized
    /// (`relais_core::inbox::normalize_tag`).
    pub async fn tag_message(&self, message_id: &str, tag: &str, by: &Actor) -> Result<()> {
        let res = sqlx::query(
            "INSERT INTO inbox_message_tags (message_id, tag, tagged_by, tagged_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (message_id, tag) DO NOTHING",
        )
        .bind(message_id)
        .bind(tag)
        .bind(&by.label)
        .bind(now_ms())
        .execute(self.writer())
        .await;
        match res {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => Err(StoreError::NotFound("inbox message")),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn untag_message(&self, message_id: &str, tag: &str) -> Result<()> {
        sqlx::query("DELETE FROM inbox_message_tags WHERE message_id = $1 AND tag = $2")
            .bind(message_id)
            .bind(tag)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// The tags of each of these messages, alphabetically.
    pub async fn message_tags(&self, message_ids: &[String]) -> Result<HashMap<String, Vec<String>>> {
        let mut tags: HashMap<String, Vec<String>> = HashMap::new();
        if message_ids.is_empty() {
            return Ok(tags);
        }
        let sql = format!(
            "SELECT message_id, tag FROM inbox_message_tags WHERE message_id IN ({}) ORDER BY tag",
            (1..=message_ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, String)>(sqlx::AssertSqlSafe(sql));
        for id in message_ids {
            q = q.bind(id);
        }
        for (message, tag) in q.fetch_all(self.pool()).await? {
            tags.entry(message).or_default().push(tag);
        }
        Ok(tags)
    }

    /// The tags used in the workspace, most used first, for the filter and suggestions.
    pub async fn tags_in_use(&self, workspace_id: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT t.tag, COUNT(*) FROM inbox_message_tags t JOIN inbox_messages m ON m.id = t.message_id
             WHERE m.workspace_id = $1 GROUP BY t.tag ORDER BY COUNT(*) DESC, t.tag",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Adds an internal note to a conversation.
    pub async fn add_inbox_note(&self, conversation_id: &str, author: &Actor, body: &str) -> Result<InboxNote> {
        let note = InboxNote {
            id: new_id(),
            conversation_id: conversation_id.to_string(),
            author_label: author.label.clone(),
            body: body.to_string(),
            created_at: now_ms(),
        };
        sqlx::query(
            "INSERT INTO inbox_notes (id, conversation_id, author_id, author_label, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&note.id)
        .bind(&note.conversation_id)
        .bind(author.id.as_deref())
        .bind(&note.author_label)
        .bind(&note.body)
        .bind(note.created_at)
        .execute(self.writer())
        .await?;
        Ok(note)
    }

    /// A conversation's notes, oldest first.
    pub async fn inbox_notes(&self, conversation_id: &str) -> Result<Vec<InboxNote>> {
        Ok(sqlx::query_as(
            "SELECT id, conversation_id, author_label, body, created_at FROM inbox_notes WHERE conversation_id = $1 ORDER BY created_at, id",
        )
        .bind(conversation_id)
        .fetch_all(self.pool())
        .await?)
    }
}
