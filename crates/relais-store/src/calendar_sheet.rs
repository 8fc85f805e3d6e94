//! The editorial calendar in and out of a spreadsheet: what a sheet is checked against (the
//! workspace's pillar, campaign and media names), the import of checked posts in one
//! transaction, and the calendar read for the export.
//!
//! An import is all or nothing: every post, its variants, their media, its history and, for a
//! scheduled post, its schedule and publish jobs are written in one transaction, scheduled the
//! same way as [`Store::schedule_post`].

use crate::PlannedAt;
use crate::posts::{POST_COLUMNS, PostRow, Tx, insert_post, insert_variant, record_event, schedule_in_tx};
use crate::{Actor, NewPost, NewVariant, Post, Result, Store, StoreError};
use relais_core::calendar_sheet::PlannedPost;
use relais_core::workflow::PostState;
use sqlx::FromRow;
use std::collections::HashMap;

/// The names a sheet may use in its pillar, campaign and media columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SheetNames {
    pub pillars: Vec<String>,
    pub campaigns: Vec<String>,
    /// File names of the media library (a name used twice appears once).
    pub media: Vec<String>,
}

/// A post of the calendar with its variants, for the export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedPost {
    pub post: Post,
    pub variants: Vec<ExportedVariant>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ExportedVariant {
    pub id: String,
    pub post_id: String,
    pub account_id: String,
    pub network: String,
    pub handle: String,
    pub text: String,
    pub link: Option<String>,
    /// File names of its media, in order.
    #[sqlx(skip)]
    pub media: Vec<String>,
}

/// Which posts to export: those planned in `[from_ms, to_ms)`, or every post when both are None
/// (posts with no date only then).
#[derive(Debug, Clone, Copy, Default)]
pub struct ExportRange {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

impl ExportRange {
    /// The filter on `p.scheduled_at`, with its parameters numbered from `$2`.
    fn clause(&self) -> (String, Vec<i64>) {
        let mut sql = String::new();
        let mut values = vec![];
        for (bound, op) in [(self.from_ms, ">="), (self.to_ms, "<")] {
            if let Some(v) = bound {
                values.push(v);
                sql.push_str(&format!(" AND p.scheduled_at {op} ${}", values.len() + 1));
            }
        }
        (sql, values)
    }
}

/// The media of a workspace by file name; where two files share a name, the latest wins.
async fn media_ids(tx: &mut Tx, workspace_id: &str) -> Result<HashMap<String, String>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT filename, id FROM media WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC")
            .bind(workspace_id)
            .fetch_all(&mut **tx)
            .await?;
    let mut map = HashMap::new();
    for (name, id) in rows {
        map.entry(name).or_insert(id);
    }
    Ok(map)
}

impl Store {
    pub async fn sheet_names(&self, workspace_id: &str) -> Result<SheetNames> {
        Ok(SheetNames {
            pillars: self.pillar_names(workspace_id).await?,
            campaigns: self.campaign_names(workspace_id).await?,
            media: sqlx::query_scalar("SELECT DISTINCT filename FROM media WHERE workspace_id = $1 ORDER BY filename")
                .bind(workspace_id)
                .fetch_all(self.pool())
                .await?,
        })
    }

    /// Writes the posts of a checked sheet in one transaction; returns their ids. `zone` is the
    /// workspace's time zone (the planned times are wall-clock times there); `source` (the file's
    /// name) is kept in each post's history.
    pub async fn import_calendar(
        &self,
        workspace_id: &str,
        posts: &[PlannedPost],
        zone: &str,
        actor: &Actor,
        source: &str,
    ) -> Result<Vec<String>> {
        let mut tx = self.begin_write().await?;
        let media = media_ids(&mut tx, workspace_id).await?;
        let mut ids = Vec::with_capacity(posts.len());
        for p in posts {
            // A scheduled post is imported approved, then scheduled as any other.
            let state = if p.state == PostState::Scheduled { PostState::Approved } else { p.state };
            let new = NewPost {
                workspace_id: workspace_id.to_string(),
                title: p.title.clone(),
                pillar: p.pillar.clone(),
                campaign: p.campaign.clone(),
                variants: vec![],
            };
            let planned =
                p.slot.as_ref().filter(|_| p.state != PostState::Scheduled).map(|s| PlannedAt { at_ms: s.at_ms, local: &s.local, zone });
            let id = insert_post(&mut tx, &new, state, planned, actor).await?;
            for v in &p.variants {
                let media_ids = v
                    .media
                    .iter()
                    .map(|name| {
                        media.get(name).cloned().ok_or_else(|| {
                            StoreError::Conflict(format!("the media file {name:?} was removed from the library during the import"))
                        })
                    })
                    .collect::<Result<Vec<String>>>()?;
                let variant = NewVariant { media_ids, ..NewVariant::text(v.account_id.clone(), v.text.clone(), v.link.clone()) };
                insert_variant(&mut tx, &id, &variant).await?;
            }
            record_event(&mut tx, &id, actor, "import", state, state, Some(source)).await?;
            if p.state == PostState::Scheduled {
                let slot =
                    p.slot.as_ref().ok_or_else(|| StoreError::Conflict(format!("post {:?} is scheduled without a time", p.title)))?;
                schedule_in_tx(&mut tx, &id, PostState::Approved, slot.at_ms, &slot.local, zone, actor).await?;
            }
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    /// The calendar of a workspace with its variants' accounts and media, ordered by planned
    /// time (posts with none last), then by creation.
    pub async fn calendar_export(&self, workspace_id: &str, range: ExportRange) -> Result<Vec<ExportedPost>> {
        let (clause, values) = range.clause();
        let bind_all = |sql: String| {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(workspace_id.to_string());
            for v in &values {
                q = q.bind(*v);
            }
            q
        };
        let post_sql = format!(
            "SELECT {POST_COLUMNS} FROM posts p WHERE p.workspace_id = $1{clause}
             ORDER BY (p.scheduled_at IS NULL), p.scheduled_at, p.created_at, p.id"
        );
        let mut q = sqlx::query_as::<_, PostRow>(sqlx::AssertSqlSafe(post_sql)).bind(workspace_id);
        for v in &values {
            q = q.bind(*v);
        }
        let posts: Vec<Post> = q.fetch_all(self.pool()).await?.into_iter().map(Post::try_from).collect::<Result<_>>()?;
        use sqlx::Row;

        let variant_sql = format!(
            "SELECT v.id, v.post_id, v.account_id, a.network, a.handle, v.text, v.link
             FROM post_variants v JOIN posts p ON p.id = v.post_id JOIN social_accounts a ON a.id = v.account_id
             WHERE p.workspace_id = $1{clause} ORDER BY a.network, a.handle, v.id"
        );
        let mut variants: Vec<ExportedVariant> = bind_all(variant_sql)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(ExportedVariant::from_row)
            .collect::<std::result::Result<_, _>>()?;

        let media_sql = format!(
            "SELECT vm.variant_id, m.filename FROM variant_media vm JOIN media m ON m.id = vm.media_id
             JOIN post_variants v ON v.id = vm.variant_id JOIN posts p ON p.id = v.post_id
             WHERE p.workspace_id = $1{clause} ORDER BY vm.variant_id, vm.position"
        );
        let mut media: HashMap<String, Vec<String>> = HashMap::new();
        for row in bind_all(media_sql).fetch_all(self.pool()).await? {
            media.entry(row.get::<String, _>(0)).or_default().push(row.get(1));
        }
        let mut by_post: HashMap<String, Vec<ExportedVariant>> = HashMap::new();
        for mut v in variants.drain(..) {
            v.media = media.remove(&v.id).unwrap_or_default();
            by_post.entry(v.post_id.clone()).or_default().push(v);
        }

        let entries = posts.into_iter().map(|post| ExportedPost { variants: by_post.remove(&post.id).unwrap_or_default(), post }).collect();
        Ok(entries)
    }
}

/// Fixtures for tests of the calendar sheet in this and other crates, until the labels and media
/// library have their own store functions.
#[cfg(any(test, feature = "test-support"))]
impl Store {
    pub async fn add_pillar_for_test(&self, workspace_id: &str, name: &str) -> Result<()> {
        self.add_label_for_test("pillars", workspace_id, name).await
    }

    pub async fn add_campaign_for_test(&self, workspace_id: &str, name: &str) -> Result<()> {
        self.add_label_for_test("campaigns", workspace_id, name).await
    }

    async fn add_label_for_test(&self, table: &str, workspace_id: &str, name: &str) -> Result<()> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} (id, workspace_id, name, colour, created_at) VALUES ($1, $2, $3, '#336699', $4)"
        )))
        .bind(relais_core::new_id())
        .bind(workspace_id)
        .bind(name)
        .bind(relais_core::now_ms())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// A media row (no file behind it) named `filename`; returns its id.
    pub async fn add_media_for_test(&self, workspace_id: &str, filename: &str) -> Result<String> {
        let id = relais_core::new_id();
        sqlx::query(
            "INSERT INTO media (id, workspace_id, sha256, kind, mime, filename, bytes, width, height, alt_text, created_at)
             VALUES ($1, $2, $3, 'image', 'image/png', $4, 10, 1, 1, '', $5)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(format!("{:0>64}", id.replace('-', "")))
        .bind(filename)
        .bind(relais_core::now_ms())
        .execute(self.writer())
        .await?;
        Ok(id)
    }

    /// The id of the media file named `filename`.
    pub async fn media_id_for_test(&self, workspace_id: &str, filename: &str) -> Result<String> {
        sqlx::query_scalar("SELECT id FROM media WHERE workspace_id = $1 AND filename = $2")
            .bind(workspace_id)
            .bind(filename)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("media"))
    }

    /// (run_at, payload) of the publish jobs of a post's variants.
    pub async fn publish_jobs_for_test(&self, post_id: &str) -> Result<Vec<(i64, String)>> {
        let mut jobs = vec![];
        for v in self.variants(post_id).await? {
            let like = format!("%\"{}\"%", v.id);
            let rows: Vec<(i64, String)> = sqlx::query_as("SELECT run_at, payload FROM jobs WHERE kind = $1 AND payload LIKE $2")
                .bind(crate::PUBLISH_JOB)
                .bind(like)
                .fetch_all(self.pool())
                .await?;
            jobs.extend(rows);
        }
        Ok(jobs)
    }
}
