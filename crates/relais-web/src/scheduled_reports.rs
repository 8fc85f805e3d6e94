//! What `relais_jobs::ReportSender` mails on schedule: the files of the analytics page's
//! downloads (made by the same code), with the mail's subject and text in the schedule's
//! language.

use crate::i18n::Tr;
use crate::pages::analytics_data::Selection;
use crate::pages::analytics_report::{ReportError, report_files, scope_label};
use crate::pages::objectives::scope_of;
use relais_core::kpi::Period;
use relais_jobs::{JobError, RenderFuture, RenderedReport, ReportRenderer};
use relais_store::{MediaFiles, ReportSchedule, Store, StoreError, Workspace};

pub struct AnalyticsReports {
    pub store: Store,
    /// The media library, for the top posts' images.
    pub media: MediaFiles,
}

impl ReportRenderer for AnalyticsReports {
    fn render<'a>(&'a self, workspace: &'a Workspace, schedule: &'a ReportSchedule, period: Period) -> RenderFuture<'a> {
        Box::pin(async move {
            let tr = Tr::new(schedule.locale());
            let scope = scope_of(&schedule.scope).map_err(|e| JobError::Permanent(format!("scope {:?}: {e}", schedule.scope)))?;
            let zone = jiff::tz::TimeZone::get(&workspace.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
            let sel = Selection { period, scope, scope_key: schedule.scope.clone(), zone };
            let files = report_files(&self.store, &self.media, workspace, sel, tr, &schedule.formats()).await.map_err(|e| match e {
                ReportError::Store(StoreError::NotFound(_)) => JobError::Permanent(format!(
                    "the report's scope {:?} is no longer one of the workspace's: edit the schedule",
                    schedule.scope
                )),
                // A PDF that typst cannot lay out will not lay out on the next try either.
                e @ ReportError::Render { .. } => JobError::Permanent(e.to_string()),
                e => JobError::Transient(e.to_string()),
            })?;
            let scope =
                scope_label(&self.store, &workspace.id, &schedule.scope, tr).await.map_err(|e| JobError::Transient(e.to_string()))?;
            let (first, last) = (period.first().to_string(), period.last().to_string());
            let kind = tr.t(&format!("report-mail-{}", schedule.cadence));
            let args: [(&str, &dyn std::fmt::Display); 5] =
                [("kind", &kind), ("workspace", &workspace.name), ("scope", &scope), ("from", &first), ("to", &last)];
            Ok(RenderedReport { subject: tr.tn("report-mail-subject", &args), body: tr.tn("report-mail-body", &args), files })
        })
    }
}
