//! The media library's records: one row per file and workspace (the same bytes uploaded twice
//! are one item), and the ordered media of each post variant. The files themselves live in the
//! content-addressed [`crate::MediaFiles`].

use crate::posts::set_variant_media;
use crate::sql::params;
use crate::{Result, Store, StoreError};
use relais_core::media::{MediaFacts, MediaKind};
use relais_core::{new_id, now_ms};
use sqlx::FromRow;
use std::collections::HashMap;

/// A file to record, as `relais_core::media::inspect` described it.
#[derive(Debug, Clone)]
pub struct NewMedia {
    pub workspace_id: String,
    pub sha256: String,
    pub kind: MediaKind,
    pub mime: String,
    pub filename: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub duration_ms: Option<i64>,
    pub alt_text: String,
    pub created_by: Option<String>,
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Media {
    pub id: String,
    pub workspace_id: String,
    pub sha256: String,
    /// image | video
    pub kind: String,
    pub mime: String,
    pub filename: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    pub duration_ms: Option<i64>,
    /// Empty when none was written yet.
    pub alt_text: String,
    pub created_by: Option<String>,
    pub created_at: i64,
    /// How many posts use it (in any of their variants).
    pub used_by: i64,
}

impl Media {
    pub fn kind(&self) -> MediaKind {
        MediaKind::parse(&self.kind).unwrap_or(MediaKind::Image)
    }

    /// What a network's rules need to know of it.
    pub fn facts(&self) -> MediaFacts {
        MediaFacts {
            kind: self.kind(),
            mime: self.mime.clone(),
            bytes: self.bytes.max(0) as u64,
            width: self.width.clamp(0, i64::from(u32::MAX)) as u32,
            height: self.height.clamp(0, i64::from(u32::MAX)) as u32,
            duration_ms: self.duration_ms,
            has_alt_text: !self.alt_text.trim().is_empty(),
        }
    }
}

#[derive(FromRow)]
struct AttachedRow {
    variant_id: String,
    #[sqlx(flatten)]
    media: Media,
}

const MEDIA_COLUMNS: &str = "m.id, m.workspace_id, m.sha256, m.kind, m.mime, m.filename, m.bytes, m.width, m.height, m.duration_ms, \
     m.alt_text, m.created_by, m.created_at, \
     (SELECT COUNT(DISTINCT v.post_id) FROM variant_media vm JOIN post_variants v ON v.id = vm.variant_id WHERE vm.media_id = m.id) AS used_by";

impl Store {
    /// Records a file, or finds the item the workspace already has with the same bytes. Returns
    /// the item and whether it is new.
    pub async fn insert_media(&self, new: &NewMedia) -> Result<(Media, bool)> {
        let done = sqlx::query(
            "INSERT INTO media (id, workspace_id, sha256, kind, mime, filename, bytes, width, height, duration_ms, alt_text, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (workspace_id, sha256) DO NOTHING",
        )
        .bind(new_id())
        .bind(&new.workspace_id)
        .bind(&new.sha256)
        .bind(new.kind.as_str())
        .bind(&new.mime)
        .bind(&new.filename)
        .bind(i64::try_from(new.bytes).unwrap_or(i64::MAX))
        .bind(i64::from(new.width))
        .bind(i64::from(new.height))
        .bind(new.duration_ms)
        .bind(&new.alt_text)
        .bind(new.created_by.as_deref())
        .bind(now_ms())
        .execute(self.writer())
        .await?;
        let media: Media =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {MEDIA_COLUMNS} FROM media m WHERE m.workspace_id = $1 AND m.sha256 = $2")))
                .bind(&new.workspace_id)
                .bind(&new.sha256)
                .fetch_optional(self.pool())
                .await?
                .ok_or(StoreError::NotFound("media"))?;
        Ok((media, done.rows_affected() == 1))
    }

    /// A workspace's library, newest first.
    pub async fn media_list(&self, workspace_id: &str) -> Result<Vec<Media>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {MEDIA_COLUMNS} FROM media m WHERE m.workspace_id = $1 ORDER BY m.created_at DESC, m.id DESC"
        )))
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// One item of a workspace; another workspace's item is not found.
    pub async fn media(&self, workspace_id: &str, id: &str) -> Result<Media> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {MEDIA_COLUMNS} FROM media m WHERE m.id = $1 AND m.workspace_id = $2")))
            .bind(id)
            .bind(workspace_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("media"))
    }

    pub async fn set_media_alt_text(&self, workspace_id: &str, id: &str, alt_text: &str) -> Result<()> {
        let done = sqlx::query("UPDATE media SET alt_text = $1 WHERE id = $2 AND workspace_id = $3")
            .bind(alt_text)
            .bind(id)
            .bind(workspace_id)
            .execute(self.writer())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("media"));
        }
        Ok(())
    }

    /// Deletes an item no post uses; refused (`Conflict`) while one does. Returns what was
    /// deleted, so the caller can remove the file once no workspace records it
    /// ([`Store::media_file_in_use`]).
    pub async fn delete_media(&self, workspace_id: &str, id: &str) -> Result<Media> {
        let mut tx = self.begin_write().await?;
        let media: Media =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {MEDIA_COLUMNS} FROM media m WHERE m.id = $1 AND m.workspace_id = $2")))
                .bind(id)
                .bind(workspace_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound("media"))?;
        let in_use = || {
            StoreError::Conflict(format!(
                "{} is used by {} post(s); remove it from them before deleting it",
                media.filename,
                media.used_by.max(1)
            ))
        };
        if media.used_by > 0 {
            return Err(in_use());
        }
        match sqlx::query("DELETE FROM media WHERE id = $1").bind(id).execute(&mut *tx).await {
            Ok(_) => {}
            // A variant took it between the read and the delete.
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => return Err(in_use()),
            Err(e) => return Err(e.into()),
        }
        tx.commit().await?;
        Ok(media)
    }

    /// Whether any workspace still records a file with this digest.
    pub async fn media_file_in_use(&self, sha256: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM media WHERE sha256 = $1").bind(sha256).fetch_one(self.pool()).await?;
        Ok(n > 0)
    }

    /// Sets a variant's media, in order, replacing what it had. Every item must belong to the
    /// workspace of the variant's post, once.
    pub async fn attach_media(&self, variant_id: &str, media_ids: &[String]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let exists: Option<String> =
            sqlx::query_scalar("SELECT id FROM post_variants WHERE id = $1").bind(variant_id).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            return Err(StoreError::NotFound("variant"));
        }
        set_variant_media(&mut tx, variant_id, media_ids).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The media of each variant, in order; variants without media are absent.
    pub async fn variant_media(&self, variant_ids: &[String]) -> Result<HashMap<String, Vec<Media>>> {
        let mut out: HashMap<String, Vec<Media>> = HashMap::new();
        if variant_ids.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT vm.variant_id, {MEDIA_COLUMNS} FROM variant_media vm JOIN media m ON m.id = vm.media_id
             WHERE vm.variant_id IN ({}) ORDER BY vm.variant_id, vm.position",
            params(1, variant_ids.len())
        );
        let mut q = sqlx::query_as::<_, AttachedRow>(sqlx::AssertSqlSafe(sql));
        for id in variant_ids {
            q = q.bind(id);
        }
        for row in q.fetch_all(self.pool()).await? {
            out.entry(row.variant_id).or_default().push(row.media);
        }
        Ok(out)
    }
}
