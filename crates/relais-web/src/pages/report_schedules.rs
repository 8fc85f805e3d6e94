//! Scheduled reports (Analytics → Scheduled reports): the workspace's schedules with their next
//! delivery and latest runs, the form that creates and edits them, and "send now". Sending is
//! the `report_run` job's work (`relais_jobs::ReportSender`); this page only records requests.

use super::objectives::{ScopeOption, scope_of, scope_options};
use super::strategy::FieldErrors;
use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::business_hours::WEEKDAYS;
use relais_core::report_schedule::{Cadence, ReportFormat, invalid_recipient, parse_recipients};
use relais_core::{Action, Locale, Section, ValidationError};
use relais_store::{ReportRun, ReportSchedule, RunKind, ScheduleInput, StoreError};
use serde::Deserialize;

/// How many runs the page lists per schedule.
const RUNS_SHOWN: usize = 5;

#[derive(Deserialize, Clone)]
pub struct ScheduleForm {
    scope: String,
    cadence: String,
    #[serde(default)]
    weekday: String,
    locale: String,
    /// Checkboxes: present when ticked.
    #[serde(default)]
    pdf: Option<String>,
    #[serde(default)]
    xlsx: Option<String>,
    #[serde(default)]
    recipients: String,
    #[serde(default)]
    enabled: Option<String>,
}

impl ScheduleForm {
    fn blank(locale: Locale) -> Self {
        ScheduleForm {
            scope: "workspace".into(),
            cadence: "monthly".into(),
            weekday: "monday".into(),
            locale: locale.as_str().into(),
            pdf: Some("1".into()),
            xlsx: None,
            recipients: String::new(),
            enabled: Some("1".into()),
        }
    }

    fn of(s: &ReportSchedule) -> Self {
        let formats = s.formats();
        let ticked = |f| formats.contains(&f).then(|| "1".to_string());
        ScheduleForm {
            scope: s.scope.clone(),
            cadence: s.cadence.clone(),
            weekday: s.weekday.clone().unwrap_or_else(|| "monday".into()),
            locale: s.locale.clone(),
            pdf: ticked(ReportFormat::Pdf),
            xlsx: ticked(ReportFormat::Xlsx),
            recipients: s.recipients().join(", "),
            enabled: s.is_enabled().then(|| "1".into()),
        }
    }

    /// The validated schedule, or every problem, each naming its field.
    fn input(&self) -> Result<ScheduleInput, Vec<ValidationError>> {
        let mut errors = vec![];
        let scope = scope_of(&self.scope).map_err(|e| errors.push(e)).ok();
        let cadence = Cadence::parse(&self.cadence, &self.weekday).map_err(|e| errors.push(e)).ok();
        let locale = Locale::parse(&self.locale).map_err(|e| errors.push(e)).ok();
        let keys = [self.pdf.as_ref().map(|_| "pdf"), self.xlsx.as_ref().map(|_| "xlsx")];
        let formats = ReportFormat::parse_list(keys.into_iter().flatten()).map_err(|e| errors.push(e)).ok();
        let recipients = parse_recipients(&self.recipients).map_err(|e| errors.push(e)).ok();
        match (scope, cadence, locale, formats, recipients) {
            (Some(scope), Some(cadence), Some(locale), Some(formats), Some(recipients)) if errors.is_empty() => {
                Ok(ScheduleInput { scope, cadence, locale, formats, recipients, enabled: self.enabled.is_some() })
            }
            _ => Err(errors),
        }
    }

    fn is_weekly(&self) -> bool {
        self.cadence == "weekly"
    }
}

pub struct RunRow {
    pub period: String,
    pub kind: String,
    pub status: String,
    pub status_key: &'static str,
    pub when: String,
    pub attempts: i64,
    pub files: Vec<String>,
    pub error: Option<String>,
}

pub struct ScheduleRow {
    pub id: String,
    pub scope: String,
    pub cadence: String,
    pub locale: String,
    pub formats: String,
    pub recipients: String,
    pub enabled: bool,
    pub next: String,
    pub runs: Vec<RunRow>,
    pub confirm: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "report_schedules.html")]
struct SchedulesPage {
    c: Chrome,
    base: String,
    rows: Vec<ScheduleRow>,
    scopes: Vec<ScopeOption>,
    weekdays: Vec<Choice>,
    editing: Option<String>,
    form: ScheduleForm,
    errors: FieldErrors,
}

fn cadence_text(tr: Tr, s: &ReportSchedule) -> String {
    match s.cadence() {
        Some(Cadence::Weekly(_)) => {
            tr.t1("report-cadence-weekly-on", "day", tr.t(&format!("care-day-{}", s.weekday.as_deref().unwrap_or_default())))
        }
        Some(Cadence::Monthly) => tr.t("report-cadence-monthly-on"),
        None => s.cadence.clone(),
    }
}

fn run_row(tr: Tr, time_zone: &str, r: &ReportRun) -> RunRow {
    let status = r.status();
    RunRow {
        period: format!("{} – {}", r.first_day, r.last_day),
        kind: tr.t(&format!("report-run-{}", r.kind)),
        status: tr.t(&format!("report-status-{}", status.key())),
        status_key: status.key(),
        when: tr.datetime(r.updated_at, time_zone),
        attempts: r.attempts,
        files: r.file_list(),
        error: r.error.clone(),
    }
}

async fn page(app: &AppState, ws: &InWorkspace, done: Option<&str>) -> Result<SchedulesPage, PageError> {
    let tr = ws.tr();
    let store_error = |e| PageError::store(tr, e);
    let w = &ws.workspace;
    let scopes = scope_options(&app.store, &w.id, tr).await.map_err(store_error)?;
    let schedules = app.store.report_schedules(&w.id).await.map_err(store_error)?;
    let runs = app.store.report_runs(&w.id, (schedules.len() * RUNS_SHOWN).max(RUNS_SHOWN) as i64 * 4).await.map_err(store_error)?;
    let zone = jiff::tz::TimeZone::get(&w.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let now = jiff::Timestamp::now();
    let rows = schedules
        .iter()
        .map(|s| ScheduleRow {
            id: s.id.clone(),
            scope: scopes.iter().find(|o| o.value == s.scope).map(|o| o.label.clone()).unwrap_or_else(|| tr.t("objectives-scope-gone")),
            cadence: cadence_text(tr, s),
            locale: tr.t(&format!("report-locale-{}", s.locale)),
            formats: s.formats().iter().map(|f| f.key().to_uppercase()).collect::<Vec<_>>().join(" + "),
            recipients: if s.recipients().is_empty() { tr.t("report-no-recipients") } else { s.recipients().join(", ") },
            enabled: s.is_enabled(),
            next: match (s.is_enabled(), s.cadence().and_then(|c| c.next(now, &zone))) {
                (true, Some(d)) => tr.tn(
                    "report-next",
                    &[
                        ("when", &tr.datetime(d.due_at.as_millisecond(), &w.time_zone)),
                        ("from", &d.period.first()),
                        ("to", &d.period.last()),
                    ],
                ),
                _ => tr.t("report-paused"),
            },
            runs: runs.iter().filter(|r| r.schedule_id == s.id).take(RUNS_SHOWN).map(|r| run_row(tr, &w.time_zone, r)).collect(),
            confirm: tr.t("report-delete-confirm"),
        })
        .collect();
    Ok(SchedulesPage {
        c: Chrome::workspace(ws, Some(Section::Analytics)).with_flash(done),
        base: ws.base(),
        rows,
        scopes,
        weekdays: WEEKDAYS.iter().map(|(_, key)| Choice { value: key, label: tr.t(&format!("care-day-{key}")) }).collect(),
        editing: None,
        form: ScheduleForm::blank(tr.locale),
        errors: FieldErrors::default(),
    })
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::ManageReports) {
        return e.into_response();
    }
    match page(&app, &ws, done.done.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

/// The workspace's schedule `id` for a member who may manage reports, or the refusal (403, or
/// 404 for an id that is not this workspace's).
async fn managed(app: &AppState, ws: &InWorkspace, id: &str) -> Result<ReportSchedule, Response> {
    ws.require(Action::ManageReports).map_err(IntoResponse::into_response)?;
    let tr = ws.tr();
    app.store.report_schedule(&ws.workspace.id, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => PageError::not_found(tr).into_response(),
        e => PageError::store(tr, e).into_response(),
    })
}

pub async fn edit(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    let schedule = match managed(&app, &ws, &id).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    match page(&app, &ws, None).await {
        Ok(mut p) => {
            p.form = ScheduleForm::of(&schedule);
            p.editing = Some(schedule.id);
            render(&p, ws.tr())
        }
        Err(e) => e.into_response(),
    }
}

/// Creates (`id` `None`) or replaces a schedule; the form comes back with its errors.
async fn save(app: AppState, ws: InWorkspace, id: Option<String>, form: ScheduleForm) -> Response {
    if let Err(e) = ws.require(Action::ManageReports) {
        return e.into_response();
    }
    let tr = ws.tr();
    let errors = match form.input() {
        Ok(input) => match app.store.save_report_schedule(&ws.workspace.id, id.as_deref(), &input, Some(&ws.me.user().id)).await {
            Ok(saved) => {
                let action = if id.is_some() { "report_schedule.updated" } else { "report_schedule.created" };
                let details = serde_json::json!({"scope": saved.scope, "cadence": saved.cadence, "weekday": saved.weekday,
                    "locale": saved.locale, "formats": saved.formats, "recipients": saved.recipients(), "enabled": saved.is_enabled()});
                if let Err(e) = audit(&app, &ws, action, &saved.scope, details).await {
                    return e.into_response();
                }
                let done = if id.is_some() { "report-schedule-saved" } else { "report-schedule-created" };
                return Redirect::to(&format!("{}/analytics/schedules?done={done}", ws.base())).into_response();
            }
            Err(StoreError::NotFound(_)) => return PageError::not_found(tr).into_response(),
            // The scope's account, pillar or campaign is not this workspace's.
            Err(StoreError::Conflict(message)) => {
                FieldErrors::from_validation(tr, &[ValidationError::new("scope", "error-objective-scope", message)])
            }
            Err(e) => return PageError::store(tr, e).into_response(),
        },
        Err(errors) => {
            let mut shown = FieldErrors::from_validation(tr, &errors);
            // Which address is wrong, in the reader's language.
            if let Some(bad) = invalid_recipient(&form.recipients) {
                shown.set(tr, "recipients", tr.t1("error-report-recipient", "address", bad));
            }
            shown
        }
    };
    match page(&app, &ws, None).await {
        Ok(mut p) => {
            p.form = form;
            p.errors = errors;
            p.editing = id;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr)
        }
        Err(e) => e.into_response(),
    }
}

pub async fn create(State(app): State<AppState>, ws: InWorkspace, PageForm(form): PageForm<ScheduleForm>) -> Response {
    save(app, ws, None, form).await
}

pub async fn update(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(form): PageForm<ScheduleForm>,
) -> Response {
    save(app, ws, Some(id), form).await
}

pub async fn delete(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    let schedule = match managed(&app, &ws, &id).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    if let Err(e) = app.store.delete_report_schedule(&ws.workspace.id, &id).await {
        return PageError::store(ws.tr(), e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "report_schedule.deleted", &schedule.scope, serde_json::json!({"cadence": schedule.cadence})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/analytics/schedules?done=report-schedule-deleted", ws.base())).into_response()
}

/// "Send now": a run of the latest complete period, whatever the schedule's runs so far.
pub async fn send_now(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    let schedule = match managed(&app, &ws, &id).await {
        Ok(s) => s,
        Err(refused) => return refused,
    };
    let tr = ws.tr();
    let zone = jiff::tz::TimeZone::get(&ws.workspace.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let Some(delivery) = schedule.cadence().and_then(|c| c.latest(jiff::Timestamp::now(), &zone)) else {
        return PageError::unprocessable(tr, tr.t("report-unreadable")).into_response();
    };
    match app.store.request_report_run(&schedule, &delivery.period, RunKind::Manual, Some(&ws.me.user().id)).await {
        Ok(_) => {}
        Err(e) => return PageError::store(tr, e).into_response(),
    }
    let details = serde_json::json!({"from": delivery.period.first().to_string(), "to": delivery.period.last().to_string()});
    if let Err(e) = audit(&app, &ws, "report_schedule.sent_now", &schedule.scope, details).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/analytics/schedules?done=report-send-requested", ws.base())).into_response()
}
