//! Content pillars and campaigns: the labels a post carries by name (`posts.pillar`,
//! `posts.campaign`). Renaming a label renames it on its posts, and deleting one takes it off its
//! posts, in the same transaction, so a post never points at a label that no longer exists.

use crate::post_rollups::{Relabel, relabel};
use crate::{Result, Store, StoreError};
use jiff::civil::Date;
use relais_core::{Colour, Name, new_id, now_ms};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Pillar {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub colour: String,
    /// Percent of the calendar the SMM aims at.
    pub target_share: Option<i64>,
    /// How many posts of the workspace carry it.
    pub posts: i64,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Campaign {
    pub id: String,
    pub workspace_id: String,
    pub name: String,
    pub colour: String,
    /// `YYYY-MM-DD`, inclusive.
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub posts: i64,
    /// The paid plan (`campaign_results::Store::save_campaign_plan`): a
    /// `relais_core::campaign_plan::CampaignObjective` key, the budget in cents of `currency`
    /// (also the results' currency), whom it targets.
    pub objective: Option<String>,
    pub budget_cents: Option<i64>,
    pub currency: String,
    pub targeting: String,
    pub locations: String,
    pub age_min: Option<i64>,
    pub age_max: Option<i64>,
}

/// A pillar as created or edited.
#[derive(Debug, Clone)]
pub struct PillarInput {
    pub name: Name,
    pub colour: Colour,
    pub target_share: Option<u8>,
}

/// A campaign as created or edited; the caller checks that the end is not before the start.
#[derive(Debug, Clone)]
pub struct CampaignInput {
    pub name: Name,
    pub colour: Colour,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
}

/// The two kinds of label, which share their rename and delete rules. The names are the
/// schema's, never user input.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Pillar,
    Campaign,
}

impl Kind {
    fn table(self) -> &'static str {
        match self {
            Kind::Pillar => "pillars",
            Kind::Campaign => "campaigns",
        }
    }
    /// The column of `posts` that carries the label's name.
    fn post_column(self) -> &'static str {
        match self {
            Kind::Pillar => "pillar",
            Kind::Campaign => "campaign",
        }
    }
    fn what(self) -> &'static str {
        match self {
            Kind::Pillar => "pillar",
            Kind::Campaign => "campaign",
        }
    }
    fn conflict(self, name: &str) -> StoreError {
        StoreError::Conflict(format!("a {} named “{name}” already exists in this workspace", self.what()))
    }
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

impl Store {
    /// The workspace's pillars, by name, with the number of posts carrying each.
    pub async fn pillars(&self, workspace_id: &str) -> Result<Vec<Pillar>> {
        Ok(sqlx::query_as(
            "SELECT l.id, l.workspace_id, l.name, l.colour, l.target_share,
                    (SELECT COUNT(*) FROM posts p WHERE p.workspace_id = l.workspace_id AND p.pillar = l.name) AS posts
             FROM pillars l WHERE l.workspace_id = $1 ORDER BY l.name",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// How the calendar of `[from, to)` (epoch ms) is shared between pillars: the posts planned
    /// or published then (cancelled ones aside) per pillar name, and their total, with or
    /// without a pillar.
    pub async fn pillar_calendar_counts(&self, workspace_id: &str, from: i64, to: i64) -> Result<(Vec<(Option<String>, i64)>, i64)> {
        let rows: Vec<(Option<String>, i64)> = sqlx::query_as(
            "SELECT pillar, COUNT(*) FROM posts WHERE workspace_id = $1 AND scheduled_at >= $2 AND scheduled_at < $3
               AND state <> 'cancelled' GROUP BY pillar",
        )
        .bind(workspace_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let total = rows.iter().map(|r| r.1).sum();
        Ok((rows, total))
    }

    /// The workspace's campaigns, by start date (undated last) then name, with their post counts.
    pub async fn campaigns(&self, workspace_id: &str) -> Result<Vec<Campaign>> {
        Ok(sqlx::query_as(
            "SELECT l.id, l.workspace_id, l.name, l.colour, l.starts_on, l.ends_on,
                    (SELECT COUNT(*) FROM posts p WHERE p.workspace_id = l.workspace_id AND p.campaign = l.name) AS posts,
                    l.objective, l.budget_cents, l.currency, l.targeting, l.locations, l.age_min, l.age_max
             FROM campaigns l WHERE l.workspace_id = $1
             ORDER BY CASE WHEN l.starts_on IS NULL THEN 1 ELSE 0 END, l.starts_on, l.name",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The names a post's pillar may take, sorted.
    pub async fn pillar_names(&self, workspace_id: &str) -> Result<Vec<String>> {
        self.label_names(Kind::Pillar, workspace_id).await
    }

    /// The names a post's campaign may take, sorted.
    pub async fn campaign_names(&self, workspace_id: &str) -> Result<Vec<String>> {
        self.label_names(Kind::Campaign, workspace_id).await
    }

    async fn label_names(&self, kind: Kind, workspace_id: &str) -> Result<Vec<String>> {
        let sql = format!("SELECT name FROM {} WHERE workspace_id = $1 ORDER BY name", kind.table());
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(workspace_id).fetch_all(self.pool()).await?)
    }

    /// The workspace's pillars as (id, name), by name: without the posts count of
    /// [`Store::pillars`], which reads every post of the workspace.
    pub async fn pillar_ids(&self, workspace_id: &str) -> Result<Vec<(String, String)>> {
        self.label_ids(Kind::Pillar, workspace_id).await
    }

    /// The workspace's campaigns as (id, name), by name, without their posts count.
    pub async fn campaign_ids(&self, workspace_id: &str) -> Result<Vec<(String, String)>> {
        self.label_ids(Kind::Campaign, workspace_id).await
    }

    async fn label_ids(&self, kind: Kind, workspace_id: &str) -> Result<Vec<(String, String)>> {
        let sql = format!("SELECT id, name FROM {} WHERE workspace_id = $1 ORDER BY name", kind.table());
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(workspace_id).fetch_all(self.pool()).await?)
    }

    pub async fn pillar(&self, workspace_id: &str, id: &str) -> Result<Pillar> {
        self.pillars(workspace_id).await?.into_iter().find(|p| p.id == id).ok_or(StoreError::NotFound("pillar"))
    }

    pub async fn campaign(&self, workspace_id: &str, id: &str) -> Result<Campaign> {
        self.campaigns(workspace_id).await?.into_iter().find(|c| c.id == id).ok_or(StoreError::NotFound("campaign"))
    }

    /// Creates a pillar; a name already used by a pillar of the workspace is a `Conflict`.
    pub async fn create_pillar(&self, workspace_id: &str, input: &PillarInput) -> Result<Pillar> {
        let id = new_id();
        let res =
            sqlx::query("INSERT INTO pillars (id, workspace_id, name, colour, target_share, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(&id)
                .bind(workspace_id)
                .bind(input.name.as_str())
                .bind(input.colour.as_str())
                .bind(input.target_share.map(i64::from))
                .bind(now_ms())
                .execute(self.writer())
                .await;
        match res {
            Ok(_) => self.pillar(workspace_id, &id).await,
            Err(e) if StoreError::is_unique_violation(&e) => Err(Kind::Pillar.conflict(input.name.as_str())),
            Err(e) => Err(e.into()),
        }
    }

    /// Creates a campaign; a name already used by a campaign of the workspace is a `Conflict`.
    pub async fn create_campaign(&self, workspace_id: &str, input: &CampaignInput) -> Result<Campaign> {
        let id = new_id();
        let res = sqlx::query(
            "INSERT INTO campaigns (id, workspace_id, name, colour, starts_on, ends_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(input.name.as_str())
        .bind(input.colour.as_str())
        .bind(input.starts_on.map(|d| d.to_string()))
        .bind(input.ends_on.map(|d| d.to_string()))
        .bind(now_ms())
        .execute(self.writer())
        .await;
        match res {
            Ok(_) => self.campaign(workspace_id, &id).await,
            Err(e) if StoreError::is_unique_violation(&e) => Err(Kind::Campaign.conflict(input.name.as_str())),
            Err(e) => Err(e.into()),
        }
    }

    /// Edits a pillar; a new name is carried over to its posts in the same transaction.
    pub async fn update_pillar(&self, workspace_id: &str, id: &str, input: &PillarInput) -> Result<Pillar> {
        let mut tx = self.begin_write().await?;
        let old = old_name(&mut tx, Kind::Pillar, workspace_id, id).await?;
        let res = sqlx::query("UPDATE pillars SET name = $1, colour = $2, target_share = $3 WHERE id = $4 AND workspace_id = $5")
            .bind(input.name.as_str())
            .bind(input.colour.as_str())
            .bind(input.target_share.map(i64::from))
            .bind(id)
            .bind(workspace_id)
            .execute(&mut *tx)
            .await;
        finish_update(tx, res, Kind::Pillar, workspace_id, &old, input.name.as_str()).await?;
        self.pillar(workspace_id, id).await
    }

    /// Edits a campaign; a new name is carried over to its posts in the same transaction.
    pub async fn update_campaign(&self, workspace_id: &str, id: &str, input: &CampaignInput) -> Result<Campaign> {
        let mut tx = self.begin_write().await?;
        let old = old_name(&mut tx, Kind::Campaign, workspace_id, id).await?;
        let res =
            sqlx::query("UPDATE campaigns SET name = $1, colour = $2, starts_on = $3, ends_on = $4 WHERE id = $5 AND workspace_id = $6")
                .bind(input.name.as_str())
                .bind(input.colour.as_str())
                .bind(input.starts_on.map(|d| d.to_string()))
                .bind(input.ends_on.map(|d| d.to_string()))
                .bind(id)
                .bind(workspace_id)
                .execute(&mut *tx)
                .await;
        finish_update(tx, res, Kind::Campaign, workspace_id, &old, input.name.as_str()).await?;
        self.campaign(workspace_id, id).await
    }

    /// Deletes a pillar and takes it off its posts (they keep no pillar); returns how many posts
    /// lost it.
    pub async fn delete_pillar(&self, workspace_id: &str, id: &str) -> Result<u64> {
        self.delete_label(Kind::Pillar, workspace_id, id).await
    }

    /// Deletes a campaign and takes it off its posts; returns how many posts lost it.
    pub async fn delete_campaign(&self, workspace_id: &str, id: &str) -> Result<u64> {
        self.delete_label(Kind::Campaign, workspace_id, id).await
    }

    async fn delete_label(&self, kind: Kind, workspace_id: &str, id: &str) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let name = old_name(&mut tx, kind, workspace_id, id).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {} WHERE id = $1 AND workspace_id = $2", kind.table())))
            .bind(id)
            .bind(workspace_id)
            .execute(&mut *tx)
            .await?;
        let column = kind.post_column();
        let cleared =
            sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE posts SET {column} = NULL WHERE workspace_id = $1 AND {column} = $2")))
                .bind(workspace_id)
                .bind(&name)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        relabel(&mut tx, Relabel::Label(workspace_id, column, &name)).await?;
        tx.commit().await?;
        Ok(cleared)
    }
}

/// The label's current name, which also proves it belongs to the workspace.
async fn old_name(tx: &mut Tx, kind: Kind, workspace_id: &str, id: &str) -> Result<String> {
    let sql = format!("SELECT name FROM {} WHERE id = $1 AND workspace_id = $2", kind.table());
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(workspace_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound(kind.what()))
}

/// After the label's own UPDATE: turns a duplicate name into a `Conflict`, renames the label on
/// its posts, commits.
async fn finish_update(
    mut tx: Tx,
    res: std::result::Result<sqlx::any::AnyQueryResult, sqlx::Error>,
    kind: Kind,
    workspace_id: &str,
    old: &str,
    new: &str,
) -> Result<()> {
    match res {
        Ok(_) => {}
        Err(e) if StoreError::is_unique_violation(&e) => return Err(kind.conflict(new)),
        Err(e) => return Err(e.into()),
    }
    if old != new {
        let column = kind.post_column();
        sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE posts SET {column} = $1 WHERE workspace_id = $2 AND {column} = $3")))
            .bind(new)
            .bind(workspace_id)
            .bind(old)
            .execute(&mut *tx)
            .await?;
        relabel(&mut tx, Relabel::Label(workspace_id, column, old)).await?;
    }
    tx.commit().await?;
    Ok(())
}
