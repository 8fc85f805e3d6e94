//! The analytics as downloads: each chart's data as CSV, the XLSX workbook and the PDF report
//! (made by `analytics_report`, as the scheduled reports are).

use super::analytics::{dashboard, selection};
use super::analytics_charts::chart;
use super::analytics_data::AnalyticsQuery;
use super::analytics_report::{ReportError, report_files};
use crate::app::AppState;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use relais_core::report_schedule::ReportFormat;
use relais_core::{Action, Locale};
use relais_store::StoreError;

fn attachment(mime: &'static str, name: String, body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], body)
        .into_response()
}

/// `…/analytics/charts/{chart}.csv`: the data behind one chart.
pub async fn chart_csv(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, file)): Path<(String, String)>,
    Query(q): Query<AnalyticsQuery>,
) -> Response {
    if let Err(e) = ws.require(Action::ViewReports) {
        return e.into_response();
    }
    let tr = ws.tr();
    let Some(key) = file.strip_suffix(".csv") else { return PageError::not_found(tr).into_response() };
    let d = match dashboard(&app, &ws, &q).await {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    match chart(&d, key, tr, None) {
        Some(c) => {
            attachment("text/csv; charset=utf-8", format!("{key}-{}-{}.csv", d.sel.first_day(), d.sel.last_day()), c.csv.into_bytes())
        }
        None => PageError::not_found(tr).into_response(),
    }
}

/// `…/analytics/export.xlsx`: every table of the page, one sheet each.
pub async fn export_xlsx(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<AnalyticsQuery>) -> Response {
    download(app, ws, q, ReportFormat::Xlsx).await
}

/// `…/analytics/report.pdf?lang=fr|en`: the report in the language asked (the reader's by
/// default), for a client or the management.
pub async fn report_pdf(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<AnalyticsQuery>) -> Response {
    download(app, ws, q, ReportFormat::Pdf).await
}

async fn download(app: AppState, ws: InWorkspace, q: AnalyticsQuery, format: ReportFormat) -> Response {
    if let Err(e) = ws.require(Action::ViewReports) {
        return e.into_response();
    }
    let tr = match q.lang.as_deref() {
        Some("fr") => Tr::new(Locale::Fr),
        Some("en") => Tr::new(Locale::En),
        _ => ws.tr(),
    };
    let sel = match selection(&ws, &q) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let name = match format {
        ReportFormat::Xlsx => format!("analytics-{}-{}.xlsx", sel.first_day(), sel.last_day()),
        ReportFormat::Pdf => format!("report-{}-{}.pdf", sel.first_day(), sel.last_day()),
    };
    match report_files(&app.store, &app.media, &ws.workspace, sel, tr, &[format]).await {
        Ok(mut files) => attachment(format.mime(), name, files.remove(0).1),
        Err(ReportError::Store(StoreError::NotFound(_))) => PageError::not_found(tr).into_response(),
        Err(ReportError::Store(e)) => PageError::store(tr, e).into_response(),
        Err(e) => PageError::internal(tr, e).into_response(),
    }
}
