//! Versioned migrations, the same SQL on both backends, run by sqlx's migrator (which takes an
//! advisory lock on PostgreSQL so several processes starting together migrate once).

use crate::{Backend, Result, Store, StoreError};
use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};
use std::borrow::Cow;

/// (version, description, SQL), in order. Append only: never edit a released migration.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../migrations/0001_foundation.sql")),
    (2, "publishing", include_str!("../migrations/0002_publishing.sql")),
    (3, "client approval", include_str!("../migrations/0003_client_approval.sql")),
    (4, "planning", include_str!("../migrations/0004_planning.sql")),
    (5, "sandbox content", include_str!("../migrations/0005_sandbox_content.sql")),
    (6, "inbox", include_str!("../migrations/0006_inbox.sql")),
    (7, "audience", include_str!("../migrations/0007_audience.sql")),
    (8, "listening", include_str!("../migrations/0008_listening.sql")),
    (9, "account health and withdrawals", include_str!("../migrations/0009_account_health.sql")),
    (10, "message understanding", include_str!("../migrations/0010_message_understanding.sql")),
    (11, "inbox notes and tags", include_str!("../migrations/0011_inbox_notes_tags.sql")),
    (12, "moderation", include_str!("../migrations/0012_moderation.sql")),
    (13, "customer care", include_str!("../migrations/0013_care.sql")),
    (15, "insights", include_str!("../migrations/0015_insights.sql")),
    (16, "inbox at scale", include_str!("../migrations/0016_inbox_scale.sql")),
    (17, "live inbox", include_str!("../migrations/0017_inbox_live.sql")),
    (19, "flagged messages", include_str!("../migrations/0019_flagged_messages.sql")),
    (20, "inbox search and authors", include_str!("../migrations/0020_inbox_search.sql")),
    (30, "metric rollups", include_str!("../migrations/0030_metric_rollups.sql")),
    (40, "objectives", include_str!("../migrations/0040_objectives.sql")),
    (50, "report commentaries", include_str!("../migrations/0050_report_commentary.sql")),
    (60, "report schedules", include_str!("../migrations/0060_report_schedules.sql")),
    (70, "campaign results", include_str!("../migrations/0070_campaign_results.sql")),
    (71, "share of voice", include_str!("../migrations/0071_share_of_voice.sql")),
    (80, "metric rollup rebuilds", include_str!("../migrations/0080_rollup_rebuilds.sql")),
    (90, "post rollups", include_str!("../migrations/0090_post_rollups.sql")),
    (110, "labelled rollups", include_str!("../migrations/0110_labelled_rollups.sql")),
    (120, "inbox ingestion at scale", include_str!("../migrations/0120_inbox_ingestion_scale.sql")),
    (121, "compact search terms", include_str!("../migrations/0121_search_terms_compact.sql")),
    (122, "compact live events", include_str!("../migrations/0122_live_events_compact.sql")),
];

/// Migrations whose SQL differs on SQLite: a storage option PostgreSQL has no word for. The
/// statements the code runs against the tables stay the same on both backends.
const SQLITE_VARIANTS: &[(i64, &str)] = &[
    (121, include_str!("../migrations/0121_search_terms_compact.sqlite.sql")),
    (122, include_str!("../migrations/0122_live_events_compact.sqlite.sql")),
];

pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

fn migrator(backend: Backend) -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|(v, d, sql)| {
                let sql = match backend {
                    Backend::Sqlite => SQLITE_VARIANTS.iter().find(|(sv, _)| sv == v).map_or(*sql, |(_, s)| *s),
                    Backend::Postgres => *sql,
                };
                Migration::new(*v, Cow::Borrowed(*d), MigrationType::Simple, sqlx::SqlSafeStr::into_sql_str(sql), false)
            })
            .collect(),
    )
}

/// Where the database stands relative to this binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaStatus {
    pub database: i64,
    pub binary: i64,
}

impl Store {
    /// Applies every migration the database lacks. Refuses, with a clear error, a database that
    /// a newer relais has already migrated past this binary.
    pub async fn migrate(&self) -> Result<()> {
        let status = self.schema_status().await?;
        if status.database > status.binary {
            return Err(StoreError::SchemaTooNew { database: status.database, binary: status.binary });
        }
        migrator(self.backend()).run(self.writer()).await.map_err(|e| match e {
            MigrateError::VersionMissing(v) => StoreError::SchemaTooNew { database: v, binary: latest_version() },
            other => StoreError::Migration(other.to_string()),
        })
    }

    /// The highest applied migration (0 on an empty database) and this binary's latest.
    pub async fn schema_status(&self) -> Result<SchemaStatus> {
        let database = match sqlx::query_scalar::<_, Option<i64>>("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(self.pool())
            .await
        {
            Ok(v) => v.unwrap_or(0),
            // No table yet: nothing applied.
            Err(sqlx::Error::Database(_)) => 0,
            Err(e) => return Err(e.into()),
        };
        Ok(SchemaStatus { database, binary: latest_version() })
    }

    /// Fails unless the schema is exactly what this binary expects: for processes (workers,
    /// web) that must not run against a half-migrated database.
    pub async fn ensure_schema_current(&self) -> Result<()> {
        let s = self.schema_status().await?;
        if s.database > s.binary {
            Err(StoreError::SchemaTooNew { database: s.database, binary: s.binary })
        } else if s.database < s.binary {
            Err(StoreError::SchemaTooOld { database: s.database, binary: s.binary })
        } else {
            Ok(())
        }
    }
}

#[cfg(any(test, feature = "test-support"))]
impl Store {
    /// Puts a message back as messages stored before migration 10 were: not yet understood.
    pub async fn forget_understanding(&self, message_id: &str) -> Result<()> {
        sqlx::query("UPDATE inbox_messages SET sentiment = NULL, sentiment_score = NULL, toxicity = NULL WHERE id = $1")
            .bind(message_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Puts a message back as messages stored before migration 20 were: not in the search index.
    pub async fn forget_search_terms(&self, message_id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM inbox_message_terms WHERE message_id = $1").bind(message_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE inbox_messages SET terms_indexed = 0 WHERE id = $1").bind(message_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets an author as if the workspace had heard from them before migration 20.
    pub async fn forget_author(&self, workspace_id: &str, network: &str, handle: &str) -> Result<()> {
        sqlx::query("DELETE FROM inbox_authors WHERE workspace_id = $1 AND network = $2 AND author_handle = $3")
            .bind(workspace_id)
            .bind(network)
            .bind(handle)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// Records a migration this binary does not know, as a newer relais would have.
    pub async fn insert_fake_future_migration(&self, version: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES ($1, 'future', TRUE, $2, 0)",
        )
        .bind(version)
        .bind(vec![0u8; 48])
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
