//! Invitations of new members by link.

use crate::{Result, Store, StoreError};
use relais_core::{Email, Role, new_id, now_ms, token};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: String,
    pub workspace_id: String,
    pub email: String,
    pub role: Role,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Pending,
    Accepted,
    Expired,
}

impl Invitation {
    pub fn state(&self, now: i64) -> InvitationState {
        if self.accepted_at.is_some() {
            InvitationState::Accepted
        } else if self.expires_at <= now {
            InvitationState::Expired
        } else {
            InvitationState::Pending
        }
    }
}

type InvitationRow = (String, String, String, String, i64, Option<i64>);

fn from_row((id, workspace_id, email, role, expires_at, accepted_at): InvitationRow) -> Result<Invitation> {
    let role = role.parse().map_err(|e: relais_core::role::UnknownRole| StoreError::Conflict(e.to_string()))?;
    Ok(Invitation { id, workspace_id, email, role, expires_at, accepted_at })
}

impl Store {
    /// Creates an invitation; returns it with the secret token that goes into the link.
    pub async fn create_invitation(
        &self,
        workspace_id: &str,
        email: &Email,
        role: Role,
        invited_by: &str,
        ttl_ms: i64,
    ) -> Result<(Invitation, String)> {
        let secret = token::generate("inv");
        let now = now_ms();
        let inv = Invitation {
            id: new_id(),
            workspace_id: workspace_id.into(),
            email: email.to_string(),
            role,
            expires_at: now + ttl_ms,
            accepted_at: None,
        };
        sqlx::query(
            "INSERT INTO invitations (id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&inv.id)
        .bind(workspace_id)
        .bind(email.as_str())
        .bind(role.as_str())
        .bind(token::digest(&secret))
        .bind(invited_by)
        .bind(now)
        .bind(inv.expires_at)
        .execute(self.writer())
        .await?;
        Ok((inv, secret))
    }

    pub async fn invitation_by_token(&self, secret: &str) -> Result<Option<Invitation>> {
        let row: Option<InvitationRow> =
            sqlx::query_as("SELECT id, workspace_id, email, role, expires_at, accepted_at FROM invitations WHERE token_hash = $1")
                .bind(token::digest(secret))
                .fetch_optional(self.pool())
                .await?;
        row.map(from_row).transpose()
    }

    pub async fn pending_invitations(&self, workspace_id: &str) -> Result<Vec<Invitation>> {
        let rows: Vec<InvitationRow> = sqlx::query_as(
            "SELECT id, workspace_id, email, role, expires_at, accepted_at FROM invitations
             WHERE workspace_id = $1 AND accepted_at IS NULL AND expires_at > $2 ORDER BY created_at",
        )
        .bind(workspace_id)
        .bind(now_ms())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(from_row).collect()
    }

    pub async fn revoke_invitation(&self, workspace_id: &str, invitation_id: &str) -> Result<()> {
        let n = sqlx::query("DELETE FROM invitations WHERE id = $1 AND workspace_id = $2 AND accepted_at IS NULL")
            .bind(invitation_id)
            .bind(workspace_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("invitation")) } else { Ok(()) }
    }

    /// Accepts a pending invitation for `user_id`: marks it used and adds the membership in one
    /// transaction, so a link works exactly once even when clicked twice at the same moment.
    pub async fn accept_invitation(&self, secret: &str, user_id: &str) -> Result<Invitation> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let row: Option<InvitationRow> = sqlx::query_as(
            "UPDATE invitations SET accepted_at = $1, accepted_by = $2
             WHERE token_hash = $3 AND accepted_at IS NULL AND expires_at > $1
             RETURNING id, workspace_id, email, role, expires_at, accepted_at",
        )
        .bind(now)
        .bind(user_id)
        .bind(token::digest(secret))
        .fetch_optional(&mut *tx)
        .await?;
        let inv = from_row(row.ok_or(StoreError::NotFound("pending invitation"))?)?;
        let existing: Option<String> = sqlx::query_scalar("SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2")
            .bind(&inv.workspace_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        // An invitation never lowers the role of someone who is already a member.
        if existing.is_none() {
            sqlx::query("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)")
                .bind(&inv.workspace_id)
                .bind(user_id)
                .bind(inv.role.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(inv)
    }
}
