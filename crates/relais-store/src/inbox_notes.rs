//! What the team adds to the inbox for itself: tags on messages (feedback for the strategist,
//! filterable) and internal notes on a conversation. Neither ever reaches the network.

use crate::inbox_live::{Announce, EventKind};
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
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let ws = crate::inbox_live::workspace_of_message(&mut tx, message_id).await?;
        let added = sqlx::query(
            "INSERT INTO inbox_message_tags (message_id, tag, tagged_by, tagged_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (message_id, tag) DO NOTHING",
        )
        .bind(message_id)
        .bind(tag)
        .bind(&by.label)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if added > 0 {
            crate::inbox_live::on_messages_changed(&mut tx, &ws, &[message_id.to_string()], by.id.as_deref(), now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn untag_message(&self, message_id: &str, tag: &str) -> Result<()> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let ws = match crate::inbox_live::workspace_of_message(&mut tx, message_id).await {
            Ok(ws) => ws,
            // Nothing to take off a message that does not exist.
            Err(StoreError::NotFound(_)) => return Ok(()),
            Err(e) => return Err(e),
        };
        let removed = sqlx::query("DELETE FROM inbox_message_tags WHERE message_id = $1 AND tag = $2")
            .bind(message_id)
            .bind(tag)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed > 0 {
            crate::inbox_live::on_messages_changed(&mut tx, &ws, &[message_id.to_string()], None, now).await?;
        }
        tx.commit().await?;
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
        let mut tx = self.begin_write().await?;
        let ws: String = sqlx::query_scalar("SELECT workspace_id FROM inbox_conversations WHERE id = $1")
            .bind(conversation_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound("conversation"))?;
        sqlx::query(
            "INSERT INTO inbox_notes (id, conversation_id, author_id, author_label, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&note.id)
        .bind(&note.conversation_id)
        .bind(author.id.as_deref())
        .bind(&note.author_label)
        .bind(&note.body)
        .bind(note.created_at)
        .execute(&mut *tx)
        .await?;
        let event = Announce { kind: EventKind::NoteAdded, message_id: None, conversation_id: Some(conversation_id) };
        crate::inbox_live::announce(&mut tx, &ws, &[event], author.id.as_deref(), note.created_at).await?;
        tx.commit().await?;
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
