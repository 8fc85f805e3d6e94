//! A workspace's house rules (charte de modération): the text members read in the app and, when
//! an admin turns the link on, anyone can read at an unguessable public address.

use crate::{Actor, Result, Store, StoreError};
use relais_core::now_ms;
use sqlx::FromRow;

pub const MAX_HOUSE_RULES_CHARS: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct HouseRules {
    pub workspace_id: String,
    pub body: String,
    pub public_slug: String,
    pub public_enabled: bool,
    pub updated_by: String,
    pub updated_at: i64,
}

#[derive(FromRow)]
struct Row {
    workspace_id: String,
    body: String,
    public_slug: String,
    public_enabled: i64,
    updated_by: String,
    updated_at: i64,
}

impl From<Row> for HouseRules {
    fn from(r: Row) -> Self {
        HouseRules {
            workspace_id: r.workspace_id,
            body: r.body,
            public_slug: r.public_slug,
            public_enabled: r.public_enabled != 0,
            updated_by: r.updated_by,
            updated_at: r.updated_at,
        }
    }
}

fn new_slug() -> String {
    relais_core::token::generate("rules")
}

impl Store {
    pub async fn house_rules(&self, workspace_id: &str) -> Result<Option<HouseRules>> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT workspace_id, body, public_slug, public_enabled, updated_by, updated_at FROM moderation_house_rules WHERE workspace_id = $1",
        )
        .bind(workspace_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(HouseRules::from))
    }

    /// Saves the text; the first save creates the (private) public link.
    pub async fn save_house_rules(&self, workspace_id: &str, body: &str, by: &Actor) -> Result<HouseRules> {
        let n = body.chars().count();
        if n > MAX_HOUSE_RULES_CHARS {
            return Err(StoreError::Conflict(format!("the house rules have at most {MAX_HOUSE_RULES_CHARS} characters; these have {n}")));
        }
        sqlx::query(
            "INSERT INTO moderation_house_rules (workspace_id, body, public_slug, public_enabled, updated_by, updated_at)
             VALUES ($1, $2, $3, 0, $4, $5)
             ON CONFLICT (workspace_id) DO UPDATE SET body = EXCLUDED.body, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at",
        )
        .bind(workspace_id)
        .bind(body)
        .bind(new_slug())
        .bind(&by.label)
        .bind(now_ms())
        .execute(self.writer())
        .await?;
        self.house_rules(workspace_id).await?.ok_or(StoreError::NotFound("house rules"))
    }

    /// Turns the public link on or off.
    pub async fn set_house_rules_public(&self, workspace_id: &str, on: bool) -> Result<()> {
        let n = sqlx::query("UPDATE moderation_house_rules SET public_enabled = $1 WHERE workspace_id = $2")
            .bind(i64::from(on))
            .bind(workspace_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("house rules")) } else { Ok(()) }
    }

    /// A new public address; the old one stops working at once.
    pub async fn regenerate_house_rules_slug(&self, workspace_id: &str) -> Result<String> {
        let slug = new_slug();
        let n = sqlx::query("UPDATE moderation_house_rules SET public_slug = $1 WHERE workspace_id = $2")
            .bind(&slug)
            .bind(workspace_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("house rules")) } else { Ok(slug) }
    }

    /// The published house rules at `slug` with the workspace's name; `None` when the link is
    /// unknown or turned off.
    pub async fn public_house_rules(&self, slug: &str) -> Result<Option<(String, HouseRules)>> {
        let row: Option<(String, String, String, String, i64, String, i64)> = sqlx::query_as(
            "SELECT w.name, h.workspace_id, h.body, h.public_slug, h.public_enabled, h.updated_by, h.updated_at
             FROM moderation_house_rules h JOIN workspaces w ON w.id = h.workspace_id WHERE h.public_slug = $1 AND h.public_enabled = 1",
        )
        .bind(slug)
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(name, workspace_id, body, public_slug, public_enabled, updated_by, updated_at)| {
            (name, HouseRules { workspace_id, body, public_slug, public_enabled: public_enabled != 0, updated_by, updated_at })
        }))
    }
}
