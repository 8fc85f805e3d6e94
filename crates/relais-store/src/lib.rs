//! Storage for Relais: one query layer over SQLite (the embedded default) and PostgreSQL (for
//! several processes sharing one database), chosen by the URL scheme at start-up.
//!
//! Every query is written once with `$1…$N` placeholders and portable types (TEXT ids, BIGINT
//! epoch milliseconds, BIGINT 0/1 booleans, JSON as TEXT). The only backend-specific branches
//! are in [`Store::begin_write`] and the job claim's locking clause.

mod accounts;
mod audit;
mod bulk;
mod bulk_metrics;
mod calendar;
mod calendar_events;
mod calendar_sheet;
mod campaign_results;
mod care;
mod care_figures;
mod charters;
mod error;
mod house_rules;
mod inbox;
mod inbox_authors;
mod inbox_bulk;
mod inbox_ingest;
mod inbox_ingest_groups;
mod inbox_live;
mod inbox_notes;
mod inbox_replies;
mod inbox_search;
mod insights;
mod instance;
mod invitations;
mod jobs;
mod labels;
mod listening;
mod media;
mod media_files;
mod metric_overview;
mod metric_queries;
mod metric_rollups;
mod metrics;
mod migrate;
mod moderation;
mod moderation_ingest;
mod notifications;
mod oauth;
mod objective_progress;
mod objectives;
mod post_edit;
mod post_rollups;
mod posts;
mod report_commentary;
mod report_schedules;
mod sandbox;
mod sandbox_audience;
mod satisfaction;
mod sessions;
mod share_of_voice;
mod slots;
mod sql;
mod sqlite_checkpoint;
mod tenancy;
mod throttle;
mod tokens;
mod users;
mod withdrawals;

#[cfg(any(test, feature = "test-support"))]
pub mod testing;

pub use accounts::{CheckedAccount, SocialAccount};
pub use audit::{AuditEntry, AuditEvent};
pub use bulk_metrics::{BenchDay, RawTotals};
pub use calendar::{CalendarEntry, CalendarFilter, Target, When};
pub use calendar_events::{CalendarEvent, EventOccurrence};
pub use calendar_sheet::{ExportRange, ExportedPost, ExportedVariant, SheetNames};
pub use campaign_results::{CurrencyDay, ResultSource};
pub use care::{CareSettings, SavedReply, SavedReplyInput};
pub use care_figures::CareFacts;
pub use error::StoreError;
pub use house_rules::HouseRules;
pub use inbox::{AssigneeFilter, ContextPost, Conversation, InboxFilter, InboxMessage, InboxPage, Incoming, Ingested, SyncState};
pub use inbox_authors::{AuthorHandle, AuthorHistory, KnownAuthor};
pub use inbox_bulk::{BulkAction, BulkOutcome, MAX_BULK};
pub use inbox_live::{EventKind, InboxEvent, PRESENCE_TTL_MS, PresentMember};
pub use inbox_notes::InboxNote;
pub use inbox_replies::{AnswerAttempt, InboxReply, ReplyOutcome, ReplyPurpose, SEND_REPLY_JOB};
pub use insights::{InsightAnswer, InsightSource, NewInsight, SavedInsight};
pub use invitations::{Invitation, InvitationState};
pub use jobs::{ClaimedJob, JobStatus, NewJob};
pub use labels::{Campaign, CampaignInput, Pillar, PillarInput};
pub use listening::{HitSource, LISTEN_SEARCH_JOB, ListeningHit, ListeningQueryRecord, NewListeningHit};
pub use media::{Media, NewMedia};
pub use media_files::MediaFiles;
pub use metric_queries::{AudienceDay, PeriodNumbers, PostPerformance, PostTotals, RankedBy, Ranking};
pub use metric_rollups::REBUILD_ROLLUPS_JOB;
pub use metrics::{AccountMetricSample, PostMetricSample};
pub use migrate::{SchemaStatus, latest_version};
pub use moderation::{
    DryRun, DryRunExample, DryRunLine, LogFilter, MODERATION_JOB, ModerationLogEntry, NetworkModeration, UndoRefusal, Undone,
};
pub use notifications::{NewNotification, Notification, NotificationKind};
pub use oauth::{OAuthApp, OAuthState};
pub use objective_progress::{Measured, Unmeasured, VoiceCounts};
pub use objectives::ObjectiveRecord;
pub use post_edit::{PlannedAt, PostComment, PostContent};
pub use posts::{Actor, NewPost, NewVariant, PUBLISH_JOB, Post, PostEvent, PublishTarget, Variant, VariantOutcome};
pub use report_commentary::Commentary;
pub use report_schedules::{
    REPORT_RUN_JOB, ReportRun, ReportSchedule, RunKind, RunStatus, ScheduleInput, ScheduleToCheck, scheduled_run_key,
};
pub use sandbox::{SandboxMedia, SandboxPost, SandboxUnit};
pub use sandbox_audience::{AudienceEvent, SandboxNode};
pub use satisfaction::Survey;
pub use sessions::SessionRecord;
pub use share_of_voice::{TrackedVoices, VoiceHour};
pub use slots::{PostingSlot, QUEUE_HORIZON_DAYS};
pub use tenancy::{Member, Organisation, Workspace, WorkspaceSettings};
pub use tokens::{ApiToken, ApiTokenGrant};
pub use users::User;
pub use withdrawals::{WITHDRAW_JOB, WithdrawTarget, Withdrawal};

use inbox_authors::KnownAuthors;
use inbox_ingest_groups::IngestGroups;
use sqlite_checkpoint::{Checkpointer, WRITER_AUTOCHECKPOINT_PAGES};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database, shared by every part of a `relais` process. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    /// Where writes go. On SQLite, one connection: SQLite has a single writer anyway, and
    /// queueing writers here (async, fair) beats letting them spin on the busy timeout. On
    /// PostgreSQL, the same pool as reads.
    writer: AnyPool,
    backend: Backend,
    /// SQLite: the WAL's checkpoints, run beside the writer rather than inside its commits.
    _checkpointer: Option<Arc<Checkpointer>>,
    /// SQLite: pages of activity stored at the same time share one transaction.
    ingest_groups: Option<Arc<IngestGroups>>,
    /// The message authors ingestion need not record again.
    known_authors: Arc<KnownAuthors>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish()
    }
}

/// A database URL with any password replaced, fit for logs and error messages.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("********"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), without migrating.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::Config(format!(
                "unsupported database URL {:?}: use sqlite://PATH or postgres://USER@HOST:PORT/DB",
                redact_url(url)
            )));
        };
        let url = match backend {
            // Create the SQLite file when missing.
            Backend::Sqlite if !url.contains("mode=") => {
                format!("{url}{}mode=rwc", if url.contains('?') { '&' } else { '?' })
            }
            _ => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)
            .map_err(|e| StoreError::Config(format!("cannot read database URL {}: {e}", redact_url(&url))))?;
        // The writer is a pool of one connection; readers have their own pool.
        let sqlite_options = |writer: bool| {
            let max = if writer { 1 } else { 8 };
            AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30)).max_connections(max).after_connect(move |conn, _| {
                Box::pin(async move {
                    // WAL lets readers proceed during a write; the busy timeout makes writers
                    // queue instead of failing; SQLite enforces foreign keys only when asked.
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    // A million-message inbox does not fit SQLite's 2 MiB default page cache:
                    // 32 MiB per connection, and pages read through a memory map rather than a
                    // read call each (the inbox benchmark spent a third of its time in the kernel).
                    conn.execute("PRAGMA cache_size = -32768").await?;
                    conn.execute("PRAGMA mmap_size = 268435456").await?;
                    if writer {
                        // A multi-row statement inside a transaction keeps a
                        // statement journal of every page it touches (to undo itself alone); past
                        // 64 KiB SQLite spills it to a temporary file, and those writes were a
                        // quarter of ingestion's time: kept in memory, they cost a copy.
                        conn.execute("PRAGMA temp_store = MEMORY").await?;
                        conn.execute(sqlx::AssertSqlSafe(format!("PRAGMA wal_autocheckpoint = {WRITER_AUTOCHECKPOINT_PAGES}"))).await?;
                    }
                    Ok(())
                })
            })
        };
        let unavailable = |e: sqlx::Error| StoreError::Unavailable { url: redact_url(&url), reason: e.to_string() };
        // One plain connection first: a pool would keep retrying an unreachable server until its
        // acquire timeout, where the operator wants the reason at once.
        use sqlx::Connection;
        sqlx::AnyConnection::connect_with(&options).await.map_err(unavailable)?.close().await.map_err(unavailable)?;
        let (pool, writer) = match backend {
            Backend::Sqlite => {
                // The writer first: it creates the file and switches it to WAL before readers open it.
                let writer = sqlite_options(true).connect_with(options.clone()).await.map_err(unavailable)?;
                let pool = sqlite_options(false).connect_with(options).await.map_err(unavailable)?;
                (pool, writer)
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .acquire_timeout(Duration::from_secs(30))
                    .max_connections(16)
                    .connect_with(options)
                    .await
                    .map_err(unavailable)?;
                (pool.clone(), pool)
            }
        };
        let checkpointer = (backend == Backend::Sqlite).then(|| Arc::new(Checkpointer::start(pool.clone())));
        let ingest_groups = (backend == Backend::Sqlite).then(|| Arc::new(IngestGroups::default()));
        Ok(Store { pool, writer, backend, _checkpointer: checkpointer, ingest_groups, known_authors: Arc::default() })
    }

    /// Connects and brings the schema up to date: what `relais serve` does at start.
    pub async fn open(url: &str) -> Result<Store> {
        let store = Store::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub(crate) fn writer(&self) -> &AnyPool {
        &self.writer
    }

    pub(crate) fn known_authors(&self) -> &KnownAuthors {
        &self.known_authors
    }

    /// Where pages of activity wait to be stored together, on SQLite.
    pub(crate) fn ingest_groups(&self) -> Option<&Arc<IngestGroups>> {
        self.ingest_groups.as_ref()
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so that two writers queue on the busy timeout instead of one failing
    /// when it upgrades a read lock.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.writer.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.writer.begin().await?,
        };
        Ok(tx)
    }

    /// Whether the database answers: used by `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Refreshes the query planner's statistics (both backends know `ANALYZE`): after a bulk
    /// load, so that a benchmark times the plans a database in service would use. PostgreSQL
    /// also gets the `VACUUM` its autovacuum gives freshly inserted tables, whose visibility map
    /// lets index-only scans skip the table.
    pub async fn analyze(&self) -> Result<()> {
        let sql = match self.backend() {
            Backend::Sqlite => "ANALYZE",
            Backend::Postgres => "VACUUM ANALYZE",
        };
        sqlx::query(sql).execute(&self.writer).await?;
        Ok(())
    }

    /// Refreshes the planner's statistics only (`ANALYZE`): what autovacuum does as tables grow.
    pub async fn refresh_statistics(&self) -> Result<()> {
        sqlx::query("ANALYZE").execute(&self.writer).await?;
        Ok(())
    }

    /// Whether this is a PostgreSQL server with its autovacuum turned off. Nothing then keeps
    /// the planner's statistics up to date, and Relais's queries are planned as if its tables
    /// were as small as when they were created: the operator should know.
    pub async fn autovacuum_off(&self) -> Result<bool> {
        if self.backend() == Backend::Sqlite {
            return Ok(false);
        }
        let setting: String = sqlx::query_scalar("SELECT current_setting('autovacuum')").fetch_one(&self.pool).await?;
        Ok(setting == "off")
    }

    pub async fn close(&self) {
        self.pool.close().await;
        self.writer.close().await;
    }
}
