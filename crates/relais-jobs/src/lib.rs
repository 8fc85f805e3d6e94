//! Background work for Relais. Workers claim due jobs from the shared database (see
//! `relais_store::jobs`), run the handler registered for the job's kind, and record the outcome:
//! done, retried later with exponential backoff and jitter, or failed with the reason.
//!
//! Any number of worker processes may run against one PostgreSQL database; a job is held by one
//! worker at a time through its lease, and a worker that dies loses the lease when it expires.

mod account_access;
mod activity_sync;
mod backoff;
mod housekeeping;
mod listen_search;
mod listen_stream;
mod metrics;
mod moderation;
mod publish;
mod reply;
mod report_mail;
mod rollup_rebuild;
mod scheduled_reports;
mod withdraw;
mod worker;

pub use activity_sync::{ActivitySync, SyncSettings, incoming};
pub use backoff::retry_delay_ms;
pub use housekeeping::Housekeeping;
pub use listen_search::ListenSearch;
pub use listen_stream::FirehoseListener;
pub use metrics::MetricsCollector;
pub use moderation::NetworkModerator;
pub use publish::Publisher;
pub use reply::ReplySender;
pub use report_mail::{Mail, MailFile, Mailer, SmtpSettings, SmtpTls};
pub use rollup_rebuild::RollupRebuilder;
pub use scheduled_reports::{RenderFuture, RenderedReport, ReportRenderer, ReportSender};
pub use withdraw::Withdrawer;
pub use worker::{BatchFuture, JobError, JobFuture, JobHandler, Worker, WorkerConfig};
