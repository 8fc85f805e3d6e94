//! Scheduled reports: the schedules of a workspace and the record of each delivery.
//!
//! A delivery is a `report_runs` row and a job, created together. A scheduled delivery's key is
//! its schedule and period, so however many processes notice that it is due, one row and one
//! job exist; the job queue's lease gives the job to one worker at a time. The run's status is
//! moved by compare-and-set, so a run already sent is never sent again, and one whose sending was
//! interrupted is left for a person to look at rather than sent twice.

use crate::jobs::{NewJob, insert_job};
use crate::{Result, Store, StoreError};
use relais_core::kpi::{Period, Scope};
use relais_core::report_schedule::{Cadence, ReportFormat};
use relais_core::{Email, Locale, new_id, now_ms};
use sqlx::FromRow;

/// The job that renders, writes and sends one run; its payload is `{"run": RUN_ID}`.
pub const REPORT_RUN_JOB: &str = "report_run";

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ReportSchedule {
    pub id: String,
    pub workspace_id: String,
    /// `workspace` or `KIND:ID`, as the analytics scope picker writes it.
    pub scope: String,
    pub cadence: String,
    pub weekday: Option<String>,
    pub locale: String,
    /// `pdf`, `xlsx` or `pdf,xlsx`.
    pub formats: String,
    /// Addresses separated by commas.
    pub recipients: String,
    pub enabled: i64,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ReportSchedule {
    /// `None` for a row this binary cannot read (a cadence a newer version wrote).
    pub fn cadence(&self) -> Option<Cadence> {
        Cadence::parse(&self.cadence, self.weekday.as_deref().unwrap_or_default()).ok()
    }

    pub fn formats(&self) -> Vec<ReportFormat> {
        ReportFormat::parse_list(self.formats.split(',')).unwrap_or_default()
    }

    pub fn recipients(&self) -> Vec<String> {
        self.recipients.split(',').map(str::trim).filter(|r| !r.is_empty()).map(str::to_string).collect()
    }

    pub fn locale(&self) -> Locale {
        Locale::parse(&self.locale).unwrap_or_default()
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled != 0
    }
}

/// A schedule as a form or the API sends it, each part already validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleInput {
    pub scope: Scope,
    pub cadence: Cadence,
    pub locale: Locale,
    pub formats: Vec<ReportFormat>,
    pub recipients: Vec<Email>,
    pub enabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// Created, its job waiting for a worker.
    Pending,
    /// Files written; the mail is being handed to the SMTP server.
    Sending,
    Sent,
    /// Files written, no mail to send (no SMTP server configured, or no recipients).
    Written,
    /// The last attempt failed (`error` says why); the job retries it.
    Failed,
}

impl RunStatus {
    pub const ALL: [RunStatus; 5] = [RunStatus::Pending, RunStatus::Sending, RunStatus::Sent, RunStatus::Written, RunStatus::Failed];

    pub fn key(self) -> &'static str {
        match self {
            RunStatus::Pending => "pending",
            RunStatus::Sending => "sending",
            RunStatus::Sent => "sent",
            RunStatus::Written => "written",
            RunStatus::Failed => "failed",
        }
    }

    pub fn parse(key: &str) -> Option<RunStatus> {
        RunStatus::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Whether the run is over for good: nothing more will be written or sent.
    pub fn is_final(self) -> bool {
        matches!(self, RunStatus::Sent | RunStatus::Written)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// Due by the schedule: once per period.
    Scheduled,
    /// "Send now": every request is a run of its own.
    Manual,
}

impl RunKind {
    pub fn key(self) -> &'static str {
        match self {
            RunKind::Scheduled => "scheduled",
            RunKind::Manual => "manual",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ReportRun {
    pub id: String,
    pub schedule_id: String,
    pub workspace_id: String,
    pub kind: String,
    pub first_day: String,
    pub last_day: String,
    pub status: String,
    /// JSON list of paths relative to the reports folder.
    pub files: String,
    pub error: Option<String>,
    pub attempts: i64,
    pub requested_by: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl ReportRun {
    pub fn status(&self) -> RunStatus {
        RunStatus::parse(&self.status).unwrap_or(RunStatus::Failed)
    }

    pub fn file_list(&self) -> Vec<String> {
        serde_json::from_str(&self.files).unwrap_or_default()
    }

    pub fn period(&self) -> Option<Period> {
        Period::new(self.first_day.parse().ok()?, self.last_day.parse().ok()?).ok()
    }
}

/// An enabled schedule with what the scheduler needs to tell whether a delivery is due.
#[derive(Debug, Clone, FromRow)]
pub struct ScheduleToCheck {
    #[sqlx(flatten)]
    pub schedule: ReportSchedule,
    pub time_zone: String,
    /// The key of its latest scheduled run, if any.
    pub last_run_key: Option<String>,
}

const COLUMNS: &str = "id, workspace_id, scope, cadence, weekday, locale, formats, recipients, enabled, created_by, created_at, updated_at";
const RUN_COLUMNS: &str =
    "id, schedule_id, workspace_id, kind, first_day, last_day, status, files, error, attempts, requested_by, created_at, updated_at";

/// The run key of a schedule's delivery of `period`: one scheduled run per schedule and period.
pub fn scheduled_run_key(schedule_id: &str, period: &Period) -> String {
    format!("{schedule_id}:{}:{}", period.first(), period.last())
}

impl Store {
    /// The workspace's schedules, oldest first.
    pub async fn report_schedules(&self, workspace_id: &str) -> Result<Vec<ReportSchedule>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM report_schedules WHERE workspace_id = $1 ORDER BY created_at, id"
        )))
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// One schedule of the workspace (another workspace's is not found).
    pub async fn report_schedule(&self, workspace_id: &str, id: &str) -> Result<ReportSchedule> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM report_schedules WHERE workspace_id = $1 AND id = $2")))
            .bind(workspace_id)
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("report schedule"))
    }

    /// Creates a schedule (`id` `None`) or replaces one of the workspace's. The scope must be
    /// the workspace's own (a conflict otherwise).
    pub async fn save_report_schedule(
        &self,
        workspace_id: &str,
        id: Option<&str>,
        input: &ScheduleInput,
        by: Option<&str>,
    ) -> Result<ReportSchedule> {
        self.check_scope(workspace_id, &input.scope).await?;
        let now = now_ms();
        let formats = input.formats.iter().map(|f| f.key()).collect::<Vec<_>>().join(",");
        let recipients = input.recipients.iter().map(Email::as_str).collect::<Vec<_>>().join(",");
        let (scope, cadence, weekday) = (input.scope.key(), input.cadence.key(), input.cadence.weekday_key());
        let enabled = i64::from(input.enabled);
        let id = match id {
            Some(id) => {
                let n = sqlx::query(
                    "UPDATE report_schedules SET scope = $1, cadence = $2, weekday = $3, locale = $4, formats = $5, recipients = $6,
                        enabled = $7, updated_at = $8
                     WHERE workspace_id = $9 AND id = $10",
                )
                .bind(&scope)
                .bind(cadence)
                .bind(weekday)
                .bind(input.locale.as_str())
                .bind(&formats)
                .bind(&recipients)
                .bind(enabled)
                .bind(now)
                .bind(workspace_id)
                .bind(id)
                .execute(self.writer())
                .await?
                .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound("report schedule"));
                }
                id.to_string()
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO report_schedules (id, workspace_id, scope, cadence, weekday, locale, formats, recipients, enabled,
                        created_by, created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
                )
                .bind(&id)
                .bind(workspace_id)
                .bind(&scope)
                .bind(cadence)
                .bind(weekday)
                .bind(input.locale.as_str())
                .bind(&formats)
                .bind(&recipients)
                .bind(enabled)
                .bind(by)
                .bind(now)
                .execute(self.writer())
                .await?;
                id
            }
        };
        self.report_schedule(workspace_id, &id).await
    }

    /// Deletes a schedule and its runs' records (the files stay in the reports folder).
    pub async fn delete_report_schedule(&self, workspace_id: &str, id: &str) -> Result<()> {
        let n = sqlx::query("DELETE FROM report_schedules WHERE workspace_id = $1 AND id = $2")
            .bind(workspace_id)
            .bind(id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("report schedule")) } else { Ok(()) }
    }

    /// Every enabled schedule of every workspace, with its workspace's time zone and its latest
    /// scheduled run's key: the scheduler's one read per round.
    pub async fn report_schedules_to_check(&self) -> Result<Vec<ScheduleToCheck>> {
        let columns = COLUMNS.split(", ").map(|c| format!("s.{c}")).collect::<Vec<_>>().join(", ");
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {columns}, w.time_zone,
                (SELECT r.run_key FROM report_runs r WHERE r.schedule_id = s.id AND r.kind = 'scheduled'
                 ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS last_run_key
             FROM report_schedules s JOIN workspaces w ON w.id = s.workspace_id
             WHERE s.enabled = 1
             ORDER BY s.id"
        )))
        .fetch_all(self.pool())
        .await?)
    }

    /// Records a delivery of `schedule` for `period` and enqueues its job, in one transaction.
    /// A scheduled delivery exists once per period: asking again returns `None`.
    pub async fn request_report_run(
        &self,
        schedule: &ReportSchedule,
        period: &Period,
        kind: RunKind,
        requested_by: Option<&str>,
    ) -> Result<Option<ReportRun>> {
        let id = new_id();
        let key = match kind {
            RunKind::Scheduled => scheduled_run_key(&schedule.id, period),
            RunKind::Manual => format!("manual:{id}"),
        };
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO report_runs (id, schedule_id, workspace_id, run_key, kind, first_day, last_day, status, files, error,
                attempts, requested_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', '[]', NULL, 0, $8, $9, $9)
             ON CONFLICT (run_key) DO NOTHING",
        )
        .bind(&id)
        .bind(&schedule.id)
        .bind(&schedule.workspace_id)
        .bind(&key)
        .bind(kind.key())
        .bind(period.first().to_string())
        .bind(period.last().to_string())
        .bind(requested_by)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(None);
        }
        let job = NewJob {
            kind: REPORT_RUN_JOB.into(),
            payload: serde_json::json!({ "run": id }),
            run_at: now,
            unique_key: Some(format!("{REPORT_RUN_JOB}:{id}")),
            max_attempts: 5,
        };
        insert_job(&mut *tx, &job).await?;
        tx.commit().await?;
        Ok(Some(self.report_run(&id).await?))
    }

    pub async fn report_run(&self, id: &str) -> Result<ReportRun> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {RUN_COLUMNS} FROM report_runs WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("report run"))
    }

    /// The workspace's latest runs, newest first.
    pub async fn report_runs(&self, workspace_id: &str, limit: i64) -> Result<Vec<ReportRun>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM report_runs WHERE workspace_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
        )))
        .bind(workspace_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Counts an attempt at a run and returns it as it stood: the job's first step.
    pub async fn begin_report_attempt(&self, id: &str) -> Result<ReportRun> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "UPDATE report_runs SET attempts = attempts + 1, updated_at = $1 WHERE id = $2 RETURNING {RUN_COLUMNS}"
        )))
        .bind(now_ms())
        .bind(id)
        .fetch_optional(self.writer())
        .await?
        .ok_or(StoreError::NotFound("report run"))
    }

    /// Moves a run from one of `from` to `to`, with its files (when given) and error (cleared
    /// when `None`). Returns false when the run was in none of `from`: another attempt moved it.
    pub async fn move_report_run(
        &self,
        id: &str,
        from: &[RunStatus],
        to: RunStatus,
        files: Option<&[String]>,
        error: Option<&str>,
    ) -> Result<bool> {
        let list = crate::sql::params(6, from.len());
        let sql = format!(
            "UPDATE report_runs SET status = $1, files = COALESCE($2, files), error = $3, updated_at = $4
             WHERE id = $5 AND status IN ({list})"
        );
        let files = files.map(|f| serde_json::to_string(f).unwrap_or_else(|_| "[]".into()));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(to.key()).bind(files).bind(error).bind(now_ms()).bind(id);
        for status in from {
            q = q.bind(status.key());
        }
        Ok(q.execute(self.writer()).await?.rows_affected() == 1)
    }
}
