//! The audit log: who did what, when, in which workspace.

use crate::{Result, Store};
use relais_core::{new_id, now_ms};

/// Something to record. `actor_id` is `None` for the system or the CLI.
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub org_id: &'a str,
    pub workspace_id: Option<&'a str>,
    pub actor_id: Option<&'a str>,
    /// A readable name for the actor that survives the user's deletion ("Léa Martin", "cli").
    pub actor_label: &'a str,
    /// A stable dotted verb, for example `member.role_changed`.
    pub action: &'a str,
    /// What was acted upon, for example the member's email.
    pub target: &'a str,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: String,
    pub workspace_id: Option<String>,
    pub actor_label: String,
    pub action: String,
    pub target: String,
    pub details: serde_json::Value,
    pub at: i64,
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: String,
    workspace_id: Option<String>,
    actor_label: String,
    action: String,
    target: String,
    details: String,
    at: i64,
}

impl Store {
    pub async fn record_audit(&self, e: AuditEvent<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit_log (id, org_id, workspace_id, actor_id, actor_label, action, target, details, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(e.org_id)
        .bind(e.workspace_id)
        .bind(e.actor_id)
        .bind(e.actor_label)
        .bind(e.action)
        .bind(e.target)
        .bind(e.details.to_string())
        .bind(now_ms())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The newest entries of a workspace first, at most `limit`, older than `before` if given.
    pub async fn audit_entries(&self, workspace_id: &str, before: Option<i64>, limit: i64) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = sqlx::query_as(
            "SELECT id, workspace_id, actor_label, action, target, details, at FROM audit_log
             WHERE workspace_id = $1 AND at < $2 ORDER BY at DESC, id DESC LIMIT $3",
        )
        .bind(workspace_id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                workspace_id: r.workspace_id,
                actor_label: r.actor_label,
                action: r.action,
                target: r.target,
                details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
                at: r.at,
            })
            .collect())
    }
}
