//! In-app notifications: a post assigned, sent for review or to the client, approved, rejected,
//! commented on, or failed to publish. Written in the transaction of the change they announce.

use crate::posts::Tx;
use crate::sql::tuples;
use crate::{Result, Store};
use relais_core::{new_id, now_ms};
use sqlx::FromRow;

/// What happened, which decides the wording shown to the recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationKind {
    Assigned,
    Submitted,
    ClientReview,
    Approved,
    Rejected,
    Comment,
    Failed,
    /// A moderation rule asked for the member's attention on an inbox message.
    Moderation,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::Assigned => "assigned",
            NotificationKind::Submitted => "submitted",
            NotificationKind::ClientReview => "client_review",
            NotificationKind::Approved => "approved",
            NotificationKind::Rejected => "rejected",
            NotificationKind::Comment => "comment",
            NotificationKind::Failed => "failed",
            NotificationKind::Moderation => "moderation",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: String,
    pub workspace_id: String,
    pub kind: NotificationKind,
    pub post_id: Option<String>,
    pub actor_label: String,
    /// The post's title.
    pub subject: String,
    /// A comment or an error, if any.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Notification {
    pub id: String,
    pub workspace_id: String,
    pub kind: String,
    pub post_id: Option<String>,
    pub actor_label: String,
    pub subject: String,
    pub detail: Option<String>,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub(crate) async fn insert_notifications(tx: &mut Tx, notes: &[NewNotification]) -> Result<()> {
    if notes.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO notifications (id, user_id, workspace_id, kind, post_id, actor_label, subject, detail, created_at) VALUES {}",
        tuples(1, notes.len(), 9)
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    let now = now_ms();
    for n in notes {
        q = q
            .bind(new_id())
            .bind(&n.user_id)
            .bind(&n.workspace_id)
            .bind(n.kind.as_str())
            .bind(n.post_id.as_deref())
            .bind(&n.actor_label)
            .bind(&n.subject)
            .bind(n.detail.as_deref())
            .bind(now);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

impl Store {
    pub async fn notify(&self, notes: &[NewNotification]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        insert_notifications(&mut tx, notes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The member's latest notifications in a workspace, newest first.
    pub async fn notifications(&self, user_id: &str, workspace_id: &str, limit: i64) -> Result<Vec<Notification>> {
        Ok(sqlx::query_as(
            "SELECT id, workspace_id, kind, post_id, actor_label, subject, detail, created_at, read_at FROM notifications
             WHERE user_id = $1 AND workspace_id = $2 ORDER BY created_at DESC, id DESC LIMIT $3",
        )
        .bind(user_id)
        .bind(workspace_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn unread_notifications(&self, user_id: &str, workspace_id: &str) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND workspace_id = $2 AND read_at IS NULL")
            .bind(user_id)
            .bind(workspace_id)
            .fetch_one(self.pool())
            .await?)
    }

    /// Marks the member's notifications of the workspace as read.
    pub async fn mark_notifications_read(&self, user_id: &str, workspace_id: &str) -> Result<u64> {
        Ok(sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND workspace_id = $3 AND read_at IS NULL")
            .bind(now_ms())
            .bind(user_id)
            .bind(workspace_id)
            .execute(self.writer())
            .await?
            .rows_affected())
    }
}
