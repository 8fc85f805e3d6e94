//! API tokens: each is scoped to one workspace and one role.

use crate::{Result, Store, StoreError};
use relais_core::{Name, Role, new_id, now_ms, token};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// What a presented token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiTokenGrant {
    pub token_id: String,
    pub workspace_id: String,
    pub role: Role,
    pub name: String,
}

fn role_of(raw: &str) -> Result<Role> {
    raw.parse().map_err(|e: relais_core::role::UnknownRole| StoreError::Conflict(e.to_string()))
}

impl Store {
    /// Creates a token; returns its record and the secret, shown to the user once.
    pub async fn create_api_token(&self, workspace_id: &str, name: &Name, role: Role, created_by: &str) -> Result<(ApiToken, String)> {
        let secret = token::generate("rls");
        let t = ApiToken {
            id: new_id(),
            workspace_id: workspace_id.into(),
            name: name.as_str().into(),
            role,
            created_at: now_ms(),
            last_used_at: None,
        };
        sqlx::query(
            "INSERT INTO api_tokens (id, workspace_id, name, role, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&t.id)
        .bind(workspace_id)
        .bind(&t.name)
        .bind(role.as_str())
        .bind(token::digest(&secret))
        .bind(created_by)
        .bind(t.created_at)
        .execute(self.writer())
        .await?;
        Ok((t, secret))
    }

    /// The grant of a live (not revoked) token, recording its use.
    pub async fn authenticate_api_token(&self, secret: &str) -> Result<Option<ApiTokenGrant>> {
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL
             RETURNING id, workspace_id, role, name",
        )
        .bind(now_ms())
        .bind(token::digest(secret))
        .fetch_optional(self.writer())
        .await?;
        row.map(|(token_id, workspace_id, role, name)| Ok(ApiTokenGrant { token_id, workspace_id, role: role_of(&role)?, name }))
            .transpose()
    }

    pub async fn api_tokens(&self, workspace_id: &str) -> Result<Vec<ApiToken>> {
        let rows: Vec<(String, String, String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, workspace_id, name, role, created_at, last_used_at FROM api_tokens
             WHERE workspace_id = $1 AND revoked_at IS NULL ORDER BY created_at",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, workspace_id, name, role, created_at, last_used_at)| {
                Ok(ApiToken { id, workspace_id, name, role: role_of(&role)?, created_at, last_used_at })
            })
            .collect()
    }

    /// Revokes a token of this workspace; a token id of another workspace is `NotFound`.
    pub async fn revoke_api_token(&self, workspace_id: &str, token_id: &str) -> Result<()> {
        let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND workspace_id = $3 AND revoked_at IS NULL")
            .bind(now_ms())
            .bind(token_id)
            .bind(workspace_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("API token")) } else { Ok(()) }
    }
}
