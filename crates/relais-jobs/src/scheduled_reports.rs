//! Scheduled reports: the scheduler that records each schedule's delivery when it falls due, and
//! the `report_run` job that renders the report, writes its files to the reports folder and
//! mails them when an SMTP server is configured.
//!
//! Sending twice is what a restart must never do. A delivery is one run row and one job for its
//! period (see `relais_store::report_schedules`); a run already sent or written is left alone;
//! and a run found "sending" (its worker died while talking to the SMTP server, so nobody knows
//! whether the mail left) is marked failed for a person to check, not sent again.

use crate::report_mail::{Mail, MailFile, Mailer};
use crate::worker::{JobError, JobFuture, JobHandler};
use relais_core::kpi::Period;
use relais_core::report_schedule::{ReportFormat, file_name, workspace_folder};
use relais_store::{ClaimedJob, REPORT_RUN_JOB, ReportRun, ReportSchedule, RunKind, RunStatus, Store, StoreError, Workspace};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

/// A report rendered for one schedule and period, in the schedule's language.
pub struct RenderedReport {
    pub subject: String,
    pub body: String,
    pub files: Vec<(ReportFormat, Vec<u8>)>,
}

pub type RenderFuture<'a> = Pin<Box<dyn Future<Output = Result<RenderedReport, JobError>> + Send + 'a>>;

/// Turns a schedule and a period into files. The web crate implements it with the code behind
/// the analytics page's downloads, so a scheduled report is the report a person would download.
pub trait ReportRenderer: Send + Sync {
    fn render<'a>(&'a self, workspace: &'a Workspace, schedule: &'a ReportSchedule, period: Period) -> RenderFuture<'a>;
}

/// Handles `report_run` jobs.
pub struct ReportSender {
    pub store: Store,
    pub renderer: Arc<dyn ReportRenderer>,
    /// The reports folder: one subfolder per workspace.
    pub folder: PathBuf,
    /// `None` when no SMTP server is configured: the files are only written.
    pub mailer: Option<Mailer>,
}

const RETRYABLE: [RunStatus; 2] = [RunStatus::Pending, RunStatus::Failed];

impl ReportSender {
    pub const KIND: &'static str = REPORT_RUN_JOB;

    /// Records (with its job) every enabled schedule's latest delivery that is due at `now`,
    /// fell due after the schedule was last saved, and is not recorded yet. Every process may
    /// call this: a delivery's run key makes it happen once. Returns how many were recorded.
    pub async fn schedule(store: &Store, now: jiff::Timestamp) -> relais_store::Result<usize> {
        let mut recorded = 0;
        for check in store.report_schedules_to_check().await? {
            let Some(cadence) = check.schedule.cadence() else { continue };
            let zone = jiff::tz::TimeZone::get(&check.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
            let Some(delivery) = cadence.latest(now, &zone) else { continue };
            if delivery.due_at.as_millisecond() < check.schedule.updated_at
                || check.last_run_key.as_deref() == Some(&relais_store::scheduled_run_key(&check.schedule.id, &delivery.period))
            {
                continue;
            }
            if store.request_report_run(&check.schedule, &delivery.period, RunKind::Scheduled, None).await?.is_some() {
                tracing::info!(schedule = %check.schedule.id, period = %format!("{}..{}", delivery.period.first(), delivery.period.last()), "report due");
                recorded += 1;
            }
        }
        Ok(recorded)
    }

    async fn fail(&self, run: &str, from: &[RunStatus], files: Option<&[String]>, error: JobError) -> Result<(), JobError> {
        let message = error.to_string();
        self.store.move_report_run(run, from, RunStatus::Failed, files, Some(&message)).await.map_err(transient)?;
        Err(error)
    }

    async fn deliver(&self, run: ReportRun) -> Result<(), JobError> {
        match run.status() {
            RunStatus::Sent | RunStatus::Written => return Ok(()),
            RunStatus::Sending => {
                let why = "the worker stopped while handing the mail to the SMTP server, so it may or may not have been sent; \
                           it is not sent again automatically (use \"send now\" after checking with the recipients)";
                return self.fail(&run.id, &[RunStatus::Sending], None, JobError::Permanent(why.into())).await;
            }
            RunStatus::Pending | RunStatus::Failed => {}
        }
        let (schedule, workspace) = match self.schedule_of(&run).await {
            Ok(found) => found,
            // The schedule was deleted with its runs after the job was enqueued: nothing to do.
            Err(StoreError::NotFound(_)) => return Ok(()),
            Err(e) => return Err(transient(e)),
        };
        let Some(period) = run.period() else {
            return self
                .fail(&run.id, &RETRYABLE, None, JobError::Permanent(format!("unreadable period {}..{}", run.first_day, run.last_day)))
                .await;
        };
        let report = match self.renderer.render(&workspace, &schedule, period).await {
            Ok(r) => r,
            Err(e) => return self.fail(&run.id, &RETRYABLE, None, e).await,
        };
        let folder_name = workspace_folder(&workspace.name, &workspace.id);
        let mut written = vec![];
        let mut attachments = vec![];
        for (format, bytes) in report.files {
            let name = file_name(&schedule.scope, &period, schedule.locale(), format);
            if let Err(e) = write_atomically(&self.folder.join(&folder_name), &name, &bytes, &run.id).await {
                let error = JobError::Transient(format!("cannot write {name} in {}: {e}", self.folder.join(&folder_name).display()));
                return self.fail(&run.id, &RETRYABLE, Some(&written), error).await;
            }
            written.push(format!("{folder_name}/{name}"));
            attachments.push(MailFile { name, mime: format.mime(), bytes });
        }
        let recipients = schedule.recipients();
        let mailer = match (&self.mailer, recipients.is_empty()) {
            (Some(m), false) => m,
            (None, false) => {
                let note = "written to the reports folder, not mailed: no SMTP server is configured (smtp_host)";
                self.store.move_report_run(&run.id, &RETRYABLE, RunStatus::Written, Some(&written), Some(note)).await.map_err(transient)?;
                return Ok(());
            }
            (_, true) => {
                self.store.move_report_run(&run.id, &RETRYABLE, RunStatus::Written, Some(&written), None).await.map_err(transient)?;
                return Ok(());
            }
        };
        // Claimed before the SMTP conversation: if this worker dies during it, the next attempt
        // finds the run "sending" and does not send again.
        if !self.store.move_report_run(&run.id, &RETRYABLE, RunStatus::Sending, Some(&written), None).await.map_err(transient)? {
            return Ok(());
        }
        let mail = Mail { id: &run.id, to: &recipients, subject: &report.subject, body: &report.body, files: &attachments };
        match mailer.send(&mail).await {
            Ok(()) => {
                self.store.move_report_run(&run.id, &[RunStatus::Sending], RunStatus::Sent, None, None).await.map_err(transient)?;
                tracing::info!(run = %run.id, recipients = recipients.len(), "report sent");
                Ok(())
            }
            // The server answered, so the mail did not leave: the run may be tried again.
            Err(e) => self.fail(&run.id, &[RunStatus::Sending], None, e).await,
        }
    }

    async fn schedule_of(&self, run: &ReportRun) -> relais_store::Result<(ReportSchedule, Workspace)> {
        let schedule = self.store.report_schedule(&run.workspace_id, &run.schedule_id).await?;
        let workspace = self.store.workspace(&run.workspace_id).await?;
        Ok((schedule, workspace))
    }
}

fn transient(e: StoreError) -> JobError {
    JobError::Transient(e.to_string())
}

/// Writes `bytes` to `dir/name` through a temporary file renamed into place, so that a reader
/// (a sync tool, a person) never sees half a report.
async fn write_atomically(dir: &Path, name: &str, bytes: &[u8], tag: &str) -> std::io::Result<()> {
    let (dir, name, bytes, tag) = (dir.to_path_buf(), name.to_string(), bytes.to_vec(), tag.to_string());
    tokio::task::spawn_blocking(move || {
        use std::io::Write;
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(".{name}.{tag}.tmp"));
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, dir.join(&name)).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    })
    .await
    .map_err(std::io::Error::other)?
}

impl JobHandler for ReportSender {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    fn run<'a>(&'a self, job: &'a ClaimedJob) -> JobFuture<'a> {
        Box::pin(async move {
            let Some(id) = job.payload.get("run").and_then(|v| v.as_str()) else {
                return Err(JobError::Permanent(format!("report_run job without a run: {}", job.payload)));
            };
            let run = match self.store.begin_report_attempt(id).await {
                Ok(run) => run,
                Err(StoreError::NotFound(_)) => return Ok(()),
                Err(e) => return Err(transient(e)),
            };
            self.deliver(run).await
        })
    }

    fn gave_up<'a>(&'a self, job: &'a ClaimedJob, reason: &'a str) -> JobFuture<'a> {
        Box::pin(async move {
            if let Some(id) = job.payload.get("run").and_then(|v| v.as_str()) {
                let open = [RunStatus::Pending, RunStatus::Failed, RunStatus::Sending];
                self.store.move_report_run(id, &open, RunStatus::Failed, None, Some(reason)).await.map_err(transient)?;
            }
            Ok(())
        })
    }
}
