//! Organisations, workspaces and memberships: the tenancy every other table hangs from.

use crate::{Result, Store, StoreError};
use relais_core::{Colour, Locale, Name, Role, TimeZoneName, new_id, now_ms};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Organisation {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Workspace {
    pub id: String,
    pub org_id: String,
    pub name: String,
    pub time_zone: String,
    pub locale: String,
    pub primary_colour: String,
    pub accent_colour: String,
    pub logo_mime: Option<String>,
    /// 1 when posts approved by the agency go to the client before scheduling.
    pub client_approval: i64,
}

impl Workspace {
    /// The workflow options of this workspace.
    pub fn workflow_rules(&self) -> relais_core::workflow::WorkflowRules {
        relais_core::workflow::WorkflowRules { client_approval: self.client_approval != 0 }
    }
}

#[derive(FromRow)]
struct WorkspaceWithRole {
    #[sqlx(flatten)]
    workspace: Workspace,
    role: String,
}

/// What the settings page may change. Values are validated before they get here.
#[derive(Debug, Clone)]
pub struct WorkspaceSettings {
    pub name: Name,
    pub time_zone: TimeZoneName,
    pub locale: Locale,
    pub primary_colour: Colour,
    pub accent_colour: Colour,
}

/// A member of a workspace, as the members page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
}

const WORKSPACE_COLUMNS: &str =
    "w.id, w.org_id, w.name, w.time_zone, w.locale, w.primary_colour, w.accent_colour, w.logo_mime, w.client_approval";

fn parse_role(raw: &str) -> Result<Role> {
    raw.parse().map_err(|e: relais_core::role::UnknownRole| StoreError::Conflict(format!("corrupt membership row: {e}")))
}

impl Store {
    pub async fn create_organisation(&self, name: &Name) -> Result<Organisation> {
        let id = new_id();
        sqlx::query("INSERT INTO organisations (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(&id)
            .bind(name.as_str())
            .bind(now_ms())
            .execute(self.writer())
            .await?;
        Ok(Organisation { id, name: name.as_str().to_string() })
    }

    pub async fn find_organisation_by_name(&self, name: &str) -> Result<Option<Organisation>> {
        Ok(sqlx::query_as("SELECT id, name FROM organisations WHERE name = $1 ORDER BY id LIMIT 1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?)
    }

    pub async fn organisation(&self, id: &str) -> Result<Organisation> {
        sqlx::query_as("SELECT id, name FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("organisation"))
    }

    pub async fn create_workspace(&self, org_id: &str, name: &Name, time_zone: &TimeZoneName, locale: Locale) -> Result<Workspace> {
        let mut tx = self.begin_write().await?;
        let ws = insert_workspace(&mut tx, org_id, name, time_zone, locale).await?;
        tx.commit().await?;
        Ok(ws)
    }

    /// Creates a workspace and makes `admin_user` its admin, both or neither.
    pub async fn create_workspace_with_admin(
        &self,
        org_id: &str,
        name: &Name,
        time_zone: &TimeZoneName,
        locale: Locale,
        admin_user: &str,
    ) -> Result<Workspace> {
        let mut tx = self.begin_write().await?;
        let ws = insert_workspace(&mut tx, org_id, name, time_zone, locale).await?;
        sqlx::query("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, 'admin', $3)")
            .bind(&ws.id)
            .bind(admin_user)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ws)
    }

    /// The roles a user holds in the workspaces of an organisation.
    pub async fn roles_in_organisation(&self, user_id: &str, org_id: &str) -> Result<Vec<Role>> {
        let roles: Vec<String> = sqlx::query_scalar(
            "SELECT m.role FROM memberships m JOIN workspaces w ON w.id = m.workspace_id WHERE m.user_id = $1 AND w.org_id = $2",
        )
        .bind(user_id)
        .bind(org_id)
        .fetch_all(self.pool())
        .await?;
        roles.iter().map(|r| parse_role(r)).collect()
    }

    /// The organisations in which the user belongs to at least one workspace.
    pub async fn organisations_of_user(&self, user_id: &str) -> Result<Vec<Organisation>> {
        Ok(sqlx::query_as(
            "SELECT DISTINCT o.id, o.name FROM organisations o
             JOIN workspaces w ON w.org_id = o.id JOIN memberships m ON m.workspace_id = w.id
             WHERE m.user_id = $1 ORDER BY o.name",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn workspace(&self, id: &str) -> Result<Workspace> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces w WHERE w.id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("workspace"))
    }

    pub async fn workspaces_of_org(&self, org_id: &str) -> Result<Vec<Workspace>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces w WHERE w.org_id = $1 ORDER BY w.name")))
            .bind(org_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// The workspaces a user belongs to, with their role in each, ordered by name.
    pub async fn workspaces_of_user(&self, user_id: &str) -> Result<Vec<(Workspace, Role)>> {
        let rows: Vec<WorkspaceWithRole> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {WORKSPACE_COLUMNS}, m.role FROM workspaces w
             JOIN memberships m ON m.workspace_id = w.id
             WHERE m.user_id = $1 ORDER BY w.name, w.id"
        )))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(|r| Ok((r.workspace, parse_role(&r.role)?))).collect()
    }

    /// The user's role in the workspace, or `None` when they are not a member: the question
    /// every request asks before anything else.
    pub async fn role_in_workspace(&self, user_id: &str, workspace_id: &str) -> Result<Option<Role>> {
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM memberships WHERE user_id = $1 AND workspace_id = $2")
            .bind(user_id)
            .bind(workspace_id)
            .fetch_optional(self.pool())
            .await?;
        role.as_deref().map(parse_role).transpose()
    }

    /// Saves the settings; a new time zone moves every day bucket of the metric rollups, so the
    /// same transaction asks for their rebuild (see `metric_rollups::request_rebuild`).
    pub async fn update_workspace_settings(&self, workspace_id: &str, s: &WorkspaceSettings) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let Some(zone): Option<String> =
            sqlx::query_scalar("SELECT time_zone FROM workspaces WHERE id = $1").bind(workspace_id).fetch_optional(&mut *tx).await?
        else {
            return Err(StoreError::NotFound("workspace"));
        };
        sqlx::query("UPDATE workspaces SET name = $1, time_zone = $2, locale = $3, primary_colour = $4, accent_colour = $5 WHERE id = $6")
            .bind(s.name.as_str())
            .bind(s.time_zone.as_str())
            .bind(s.locale.as_str())
            .bind(s.primary_colour.as_str())
            .bind(s.accent_colour.as_str())
            .bind(workspace_id)
            .execute(&mut *tx)
            .await?;
        if zone != s.time_zone.as_str() {
            crate::metric_rollups::request_rebuild(&mut tx, workspace_id).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether posts approved by the agency must also be approved by the client.
    pub async fn set_client_approval(&self, workspace_id: &str, required: bool) -> Result<()> {
        let n = sqlx::query("UPDATE workspaces SET client_approval = $1 WHERE id = $2")
            .bind(i64::from(required))
            .bind(workspace_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("workspace")) } else { Ok(()) }
    }

    /// Replaces (or with `None`, removes) the workspace logo. Kept in the database rather than
    /// on disk so that every process of a PostgreSQL deployment serves it.
    pub async fn set_workspace_logo(&self, workspace_id: &str, logo: Option<(&str, &str)>) -> Result<()> {
        let (mime, data) = match logo {
            Some((m, d)) => (Some(m), Some(d)),
            None => (None, None),
        };
        sqlx::query("UPDATE workspaces SET logo_mime = $1, logo_base64 = $2 WHERE id = $3")
            .bind(mime)
            .bind(data)
            .bind(workspace_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// The logo as (MIME type, base64 data).
    pub async fn workspace_logo(&self, workspace_id: &str) -> Result<Option<(String, String)>> {
        let row: Option<(Option<String>, Option<String>)> = sqlx::query_as("SELECT logo_mime, logo_base64 FROM workspaces WHERE id = $1")
            .bind(workspace_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(match row {
            Some((Some(m), Some(d))) => Some((m, d)),
            _ => None,
        })
    }

    /// Adds the user to the workspace, or changes their role if they are already a member.
    pub async fn set_membership(&self, workspace_id: &str, user_id: &str, role: Role) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let existing: Option<String> = sqlx::query_scalar("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
            .bind(workspace_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        match existing {
            Some(old) => {
                if old == Role::Admin.as_str() && role != Role::Admin {
                    ensure_another_admin(&mut tx, workspace_id, user_id).await?;
                }
                sqlx::query("UPDATE memberships SET role = $1 WHERE workspace_id = $2 AND user_id = $3")
                    .bind(role.as_str())
                    .bind(workspace_id)
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            None => {
                sqlx::query("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
                    .bind(workspace_id)
                    .bind(user_id)
                    .bind(role.as_str())
                    .bind(now_ms())
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Removes a member; refuses to remove the workspace's last admin.
    pub async fn remove_member(&self, workspace_id: &str, user_id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let role: Option<String> = sqlx::query_scalar("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
            .bind(workspace_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(role) = role else { return Err(StoreError::NotFound("member")) };
        if role == Role::Admin.as_str() {
            ensure_another_admin(&mut tx, workspace_id, user_id).await?;
        }
        sqlx::query("DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2")
            .bind(workspace_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn members(&self, workspace_id: &str) -> Result<Vec<Member>> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT u.id, u.email, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id
             WHERE m.workspace_id = $1 ORDER BY u.name, u.email",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(|(user_id, email, name, role)| Ok(Member { user_id, email, name, role: parse_role(&role)? })).collect()
    }
}

async fn insert_workspace(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    org_id: &str,
    name: &Name,
    time_zone: &TimeZoneName,
    locale: Locale,
) -> Result<Workspace> {
    let ws = Workspace {
        id: new_id(),
        org_id: org_id.to_string(),
        name: name.as_str().to_string(),
        time_zone: time_zone.as_str().to_string(),
        locale: locale.as_str().to_string(),
        primary_colour: "#1d4ed8".into(),
        accent_colour: "#f59e0b".into(),
        logo_mime: None,
        client_approval: 0,
    };
    sqlx::query(
        "INSERT INTO workspaces (id, org_id, name, time_zone, locale, primary_colour, accent_colour, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&ws.id)
    .bind(&ws.org_id)
    .bind(&ws.name)
    .bind(&ws.time_zone)
    .bind(&ws.locale)
    .bind(&ws.primary_colour)
    .bind(&ws.accent_colour)
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(ws)
}

async fn ensure_another_admin(tx: &mut sqlx::Transaction<'static, sqlx::Any>, workspace_id: &str, user_id: &str) -> Result<()> {
    let others: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = 'admin' AND user_id <> $2")
        .bind(workspace_id)
        .bind(user_id)
        .fetch_one(&mut **tx)
        .await?;
    if others == 0 {
        Err(StoreError::Conflict("a workspace needs at least one admin: make someone else admin first".into()))
    } else {
        Ok(())
    }
}
