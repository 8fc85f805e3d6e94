//! Changing many inbox messages at once (status, assignee, a tag), in one transaction, after
//! checking that every message belongs to the workspace: a foreign id refuses the whole action.
//! A member resolving messages is recorded as `resolved_by`, and may trigger the satisfaction
//! question (see `satisfaction`).

use crate::posts::Actor;
use crate::{Result, Store};
use relais_core::inbox::MessageStatus;
use relais_core::now_ms;

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// What to do to the selected messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    SetStatus(MessageStatus),
    /// `None` unassigns. The assignee is checked to be a member by the caller.
    Assign(Option<String>),
    /// A normalized tag (`relais_core::inbox::normalize_tag`).
    Tag(String),
    Untag(String),
}

/// How a bulk action ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkOutcome {
    /// Every message was changed; how many changed state.
    Applied(u64),
    /// This id is not a message of the workspace; nothing was changed.
    Foreign(String),
}

/// The most messages one action may touch (a page holds 50; the API allows more).
pub const MAX_BULK: usize = 500;

/// Sets the status of `ids` (already checked to be the workspace's). Resolving stamps
/// `resolved_at` and `resolved_by`, reopening clears them; returns the ids newly resolved.
pub(crate) async fn set_status(tx: &mut Tx, ids: &[String], status: MessageStatus, by: &Actor, at: i64) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let list = crate::sql::params(4, ids.len());
    let newly_resolved: Vec<String> = if status == MessageStatus::Resolved {
        let sql = format!("SELECT id FROM inbox_messages WHERE status <> 'resolved' AND id IN ({})", crate::sql::params(1, ids.len()));
        let mut q = sqlx::query_scalar(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(&mut **tx).await?
    } else {
        vec![]
    };
    let sql = format!(
        "UPDATE inbox_messages SET status = $1,
            resolved_at = CASE WHEN $1 = 'resolved' THEN COALESCE(resolved_at, $2) ELSE NULL END,
            resolved_by = CASE WHEN $1 = 'resolved' THEN (CASE WHEN resolved_at IS NULL THEN $3 ELSE resolved_by END) ELSE NULL END
         WHERE id IN ({list})"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(status.as_str()).bind(at).bind(by.id.as_deref());
    for id in ids {
        q = q.bind(id);
    }
    q.execute(&mut **tx).await?;
    Ok(newly_resolved)
}

impl Store {
    /// Changes a message's status as `by` at `at`; a member resolving may trigger the
    /// satisfaction question.
    pub async fn set_message_status_by(&self, id: &str, status: MessageStatus, by: &Actor) -> Result<()> {
        let ws: Option<String> =
            sqlx::query_scalar("SELECT workspace_id FROM inbox_messages WHERE id = $1").bind(id).fetch_optional(self.pool()).await?;
        let ws = ws.ok_or(crate::StoreError::NotFound("inbox message"))?;
        match self.bulk_inbox(&ws, &[id.to_string()], &BulkAction::SetStatus(status), by, now_ms()).await? {
            BulkOutcome::Applied(_) => Ok(()),
            BulkOutcome::Foreign(_) => Err(crate::StoreError::NotFound("inbox message")),
        }
    }

    /// Applies `action` to every message of `ids`, all or nothing, as `by` at `at` (epoch ms).
    pub async fn bulk_inbox(&self, workspace_id: &str, ids: &[String], action: &BulkAction, by: &Actor, at: i64) -> Result<BulkOutcome> {
        let mut ids: Vec<String> = ids.to_vec();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok(BulkOutcome::Applied(0));
        }
        let mut tx = self.begin_write().await?;
        let sql = format!("SELECT id FROM inbox_messages WHERE workspace_id = $1 AND id IN ({})", crate::sql::params(2, ids.len()));
        let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql)).bind(workspace_id);
        for id in &ids {
            q = q.bind(id);
        }
        let found: std::collections::HashSet<String> = q.fetch_all(&mut *tx).await?.into_iter().collect();
        if let Some(foreign) = ids.iter().find(|id| !found.contains(*id)) {
            return Ok(BulkOutcome::Foreign(foreign.clone()));
        }
        let changed = match action {
            BulkAction::SetStatus(status) => {
                let resolved = set_status(&mut tx, &ids, *status, by, at).await?;
                if by.id.is_some() {
                    crate::satisfaction::ask_after_resolution(&mut tx, workspace_id, &resolved, by, at).await?;
                }
                ids.len() as u64
            }
            BulkAction::Assign(assignee) => {
                let sql = format!("UPDATE inbox_messages SET assignee_id = $1 WHERE id IN ({})", crate::sql::params(2, ids.len()));
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(assignee.as_deref());
                for id in &ids {
                    q = q.bind(id);
                }
                q.execute(&mut *tx).await?.rows_affected()
            }
            BulkAction::Tag(tag) => {
                let mut n = 0;
                for id in &ids {
                    n += sqlx::query(
                        "INSERT INTO inbox_message_tags (message_id, tag, tagged_by, tagged_at) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (message_id, tag) DO NOTHING",
                    )
                    .bind(id)
                    .bind(tag)
                    .bind(&by.label)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                n
            }
            BulkAction::Untag(tag) => {
                let sql = format!("DELETE FROM inbox_message_tags WHERE tag = $1 AND message_id IN ({})", crate::sql::params(2, ids.len()));
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(tag);
                for id in &ids {
                    q = q.bind(id);
                }
                q.execute(&mut *tx).await?.rows_affected()
            }
        };
        // Last: it locks the workspace's event counter until the commit.
        crate::inbox_live::on_messages_changed(&mut tx, workspace_id, &ids, by.id.as_deref(), at).await?;
        tx.commit().await?;
        Ok(BulkOutcome::Applied(changed))
    }
}
