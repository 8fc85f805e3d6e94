//! The SMM's commentary on a period of a scope: written on the analytics page, read by the
//! client there and printed in the PDF report.

use crate::{Result, Store};
use relais_core::{new_id, now_ms};

/// A commentary as stored, with who last wrote it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Commentary {
    pub scope: String,
    pub first_day: String,
    pub last_day: String,
    pub body: String,
    pub updated_by: Option<String>,
    pub updated_at: i64,
}

impl Store {
    /// The commentary on exactly this scope and period (days `YYYY-MM-DD`), if one was written.
    pub async fn report_commentary(&self, workspace_id: &str, scope: &str, first_day: &str, last_day: &str) -> Result<Option<Commentary>> {
        Ok(sqlx::query_as(
            "SELECT scope, first_day, last_day, body, updated_by, updated_at FROM report_commentaries
             WHERE workspace_id = $1 AND scope = $2 AND first_day = $3 AND last_day = $4",
        )
        .bind(workspace_id)
        .bind(scope)
        .bind(first_day)
        .bind(last_day)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Writes the commentary on a scope and period, replacing the one before; an empty body
    /// removes it, so a cleared text box leaves nothing behind in the report.
    pub async fn save_report_commentary(
        &self,
        workspace_id: &str,
        scope: &str,
        first_day: &str,
        last_day: &str,
        body: &str,
        user_id: Option<&str>,
    ) -> Result<()> {
        let body = body.trim();
        if body.is_empty() {
            sqlx::query("DELETE FROM report_commentaries WHERE workspace_id = $1 AND scope = $2 AND first_day = $3 AND last_day = $4")
                .bind(workspace_id)
                .bind(scope)
                .bind(first_day)
                .bind(last_day)
                .execute(self.writer())
                .await?;
            return Ok(());
        }
        // Same upsert on SQLite (3.24+) and PostgreSQL.
        sqlx::query(
            "INSERT INTO report_commentaries (id, workspace_id, scope, first_day, last_day, body, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (workspace_id, scope, first_day, last_day)
             DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(new_id())
        .bind(workspace_id)
        .bind(scope)
        .bind(first_day)
        .bind(last_day)
        .bind(body)
        .bind(user_id)
        .bind(now_ms())
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
