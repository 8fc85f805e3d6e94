//! The workspace's objectives, stored as the domain validated them (`relais_core::kpi::Objective`):
//! the store keeps the plain numbers and checks that the scope's account, pillar or campaign is
//! the workspace's own.

use crate::{Result, Store, StoreError};
use jiff::civil::Date;
use relais_core::kpi::{Currency, Kpi, Objective, Scope, ScopeKind, Value};
use relais_core::{Name, new_id, now_ms};
use sqlx::FromRow;

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct ObjectiveRecord {
    pub id: String,
    pub workspace_id: String,
    pub title: String,
    /// A [`Kpi::key`].
    pub kpi: String,
    /// The target as a plain number of the KPI's unit (see `Value::number`).
    pub target: f64,
    pub currency: Option<String>,
    /// `YYYY-MM-DD`, both included.
    pub starts_on: String,
    pub ends_on: String,
    /// A [`ScopeKind::key`], and the network key or row id it points at.
    pub scope_kind: String,
    pub scope_id: Option<String>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ObjectiveRecord {
    /// The domain objective back from its row; `None` for a row this binary cannot read (a KPI
    /// key a newer version wrote), which callers show as such rather than fail the page.
    pub fn objective(&self) -> Option<Objective> {
        let kpi = Kpi::from_key(&self.kpi)?;
        let currency = self.currency.as_deref().and_then(|c| Currency::parse(c).ok());
        let target = Value::from_number(kpi.unit(), self.target, currency)?;
        let start: Date = self.starts_on.parse().ok()?;
        let end: Date = self.ends_on.parse().ok()?;
        let scope = Scope::new(ScopeKind::from_key(&self.scope_kind)?, self.scope_id.as_deref()).ok()?;
        Objective::new(kpi, target, start, end, scope).ok()
    }
}

const COLUMNS: &str =
    "id, workspace_id, title, kpi, target, currency, starts_on, ends_on, scope_kind, scope_id, created_by, created_at, updated_at";

impl Store {
    /// The workspace's objectives, the latest ending first.
    pub async fn objectives(&self, workspace_id: &str) -> Result<Vec<ObjectiveRecord>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM objectives WHERE workspace_id = $1 ORDER BY ends_on DESC, starts_on DESC, title"
        )))
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// One objective of the workspace (another workspace's is not found).
    pub async fn objective(&self, workspace_id: &str, id: &str) -> Result<ObjectiveRecord> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM objectives WHERE workspace_id = $1 AND id = $2")))
            .bind(workspace_id)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("objective"))
    }

    /// Saves a new objective (`id` `None`) or replaces one of the workspace's.
    pub async fn save_objective(
        &self,
        workspace_id: &str,
        id: Option<&str>,
        title: &Name,
        objective: &Objective,
        by: Option<&str>,
    ) -> Result<ObjectiveRecord> {
        self.check_scope(workspace_id, objective.scope()).await?;
        let now = now_ms();
        let period = objective.period();
        let target = objective.target();
        let scope = objective.scope();
        let id = match id {
            Some(id) => {
                let n = sqlx::query(
                    "UPDATE objectives SET title = $1, kpi = $2, target = $3, currency = $4, starts_on = $5, ends_on = $6,
                        scope_kind = $7, scope_id = $8, updated_at = $9 WHERE workspace_id = $10 AND id = $11",
                )
                .bind(title.as_str())
                .bind(objective.kpi().key())
                .bind(target.number())
                .bind(target.currency().map(|c| c.to_string()))
                .bind(period.first().to_string())
                .bind(period.last().to_string())
                .bind(scope.kind().key())
                .bind(scope.id())
                .bind(now)
                .bind(workspace_id)
                .bind(id)
                .execute(self.writer())
                .await?
                .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound("objective"));
                }
                id.to_string()
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO objectives (id, workspace_id, title, kpi, target, currency, starts_on, ends_on, scope_kind, scope_id,
                        created_by, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
                )
                .bind(&id)
                .bind(workspace_id)
                .bind(title.as_str())
                .bind(objective.kpi().key())
                .bind(target.number())
                .bind(target.currency().map(|c| c.to_string()))
                .bind(period.first().to_string())
                .bind(period.last().to_string())
                .bind(scope.kind().key())
                .bind(scope.id())
                .bind(by)
                .bind(now)
                .execute(self.writer())
                .await?;
                id
            }
        };
        self.objective(workspace_id, &id).await
    }

    pub async fn delete_objective(&self, workspace_id: &str, id: &str) -> Result<()> {
        let n = sqlx::query("DELETE FROM objectives WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("objective")) } else { Ok(()) }
    }

    /// An account, pillar or campaign scope must be the workspace's own; a network scope must be
    /// a network one of its accounts is on.
    pub(crate) async fn check_scope(&self, workspace_id: &str, scope: &Scope) -> Result<()> {
        let (sql, what) = match scope {
            Scope::Workspace => return Ok(()),
            Scope::Network(_) => ("SELECT COUNT(*) FROM social_accounts WHERE workspace_id = $1 AND network = $2", "network"),
            Scope::Account(_) => ("SELECT COUNT(*) FROM social_accounts WHERE workspace_id = $1 AND id = $2", "account"),
            Scope::Pillar(_) => ("SELECT COUNT(*) FROM pillars WHERE workspace_id = $1 AND id = $2", "pillar"),
            Scope::Campaign(_) => ("SELECT COUNT(*) FROM campaigns WHERE workspace_id = $1 AND id = $2", "campaign"),
        };
        let found: i64 = sqlx::query_scalar(sql).bind(workspace_id).bind(scope.id()).fetch_one(self.pool()).await?;
        if found == 0 {
            return Err(StoreError::Conflict(format!("the {what} {:?} is not one of this workspace's", scope.id().unwrap_or_default())));
        }
        Ok(())
    }
}
