//! The workspace's own calendar events (with their repetition), and the French holidays and
//! marketing dates of the coming twelve months, read-only, that the calendar shows beside them.

use super::strategy::{FieldErrors, Tab, days, tabs, today};
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
use jiff::ToSpan;
use relais_core::marketing_calendar::{DateKind, dates_between};
use relais_core::recurrence::{Recurrence, RecurringEvent, check_order, parse_date};
use relais_core::{Action, Locale, Name, Section, ValidationError};
use relais_store::CalendarEvent;
use serde::Deserialize;

#[derive(Deserialize, Clone)]
pub struct EventForm {
    title: String,
    starts_on: String,
    /// Empty for a one-day event.
    #[serde(default)]
    ends_on: String,
    recurrence: String,
}

impl Default for EventForm {
    fn default() -> Self {
        EventForm { title: String::new(), starts_on: String::new(), ends_on: String::new(), recurrence: "none".into() }
    }
}

impl From<&CalendarEvent> for EventForm {
    fn from(e: &CalendarEvent) -> Self {
        EventForm {
            title: e.title.clone(),
            starts_on: e.event.starts_on.to_string(),
            ends_on: e.event.ends_on.to_string(),
            recurrence: e.event.recurrence.as_str().into(),
        }
    }
}

impl EventForm {
    fn input(&self) -> Result<(Name, RecurringEvent), Vec<ValidationError>> {
        let title = Name::parse("title", &self.title);
        let starts_on = parse_date("starts_on", &self.starts_on);
        let ends_on = if self.ends_on.trim().is_empty() {
            starts_on.clone().map_err(|_| None)
        } else {
            parse_date("ends_on", &self.ends_on).map_err(Some)
        };
        let recurrence = Recurrence::parse(&self.recurrence);
        let order = match (&starts_on, &ends_on) {
            (Ok(s), Ok(e)) => check_order(*s, *e),
            _ => Ok(()),
        };
        match (title, starts_on, ends_on, recurrence, order) {
            (Ok(title), Ok(starts_on), Ok(ends_on), Ok(recurrence), Ok(())) => {
                Ok((title, RecurringEvent { starts_on, ends_on, recurrence }))
            }
            (a, b, c, d, e) => Err([a.err(), b.err(), c.err().flatten(), d.err(), e.err()].into_iter().flatten().collect()),
        }
    }
}

pub struct EventRow {
    id: String,
    title: String,
    dates: String,
    recurrence: String,
    next: String,
}

pub struct DateRow {
    name: String,
    dates: String,
    holiday: bool,
    regional: Option<String>,
}

pub struct RecurrenceOption {
    value: &'static str,
    label: String,
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    c: Chrome,
    base: String,
    tabs: Vec<Tab>,
    events: Vec<EventRow>,
    french: Vec<DateRow>,
    recurrences: Vec<RecurrenceOption>,
    form: EventForm,
    errors: FieldErrors,
    /// Where the event form posts, and its button.
    action: String,
    submit: String,
}

fn recurrence_options(tr: Tr) -> Vec<RecurrenceOption> {
    Recurrence::ALL
        .into_iter()
        .map(|r| RecurrenceOption { value: r.as_str(), label: tr.t(&format!("recurrence-{}", r.as_str())) })
        .collect()
}

async fn page(app: &AppState, ws: &InWorkspace, done: Option<&str>) -> Result<EventsPage, PageError> {
    let tr = ws.tr();
    let events = app.store.calendar_events(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    let from = today(ws);
    let to = from.checked_add(12.months()).unwrap_or(from);
    let far = from.checked_add(5.years()).unwrap_or(from);
    let events = events
        .iter()
        .map(|e| EventRow {
            id: e.id.clone(),
            title: e.title.clone(),
            dates: days(tr, e.event.starts_on, e.event.ends_on),
            recurrence: tr.t(&format!("recurrence-{}", e.event.recurrence.as_str())),
            next: e.event.occurrences(from, far).first().map(|&(s, end)| days(tr, s, end)).unwrap_or_else(|| tr.t("events-past")),
        })
        .collect();
    let french = dates_between(from, to)
        .into_iter()
        .map(|d| DateRow {
            name: match tr.locale {
                Locale::Fr => d.name_fr.to_string(),
                Locale::En => d.name_en.to_string(),
            },
            dates: days(tr, d.start, d.end),
            holiday: d.kind == DateKind::PublicHoliday,
            regional: d.regional.map(String::from),
        })
        .collect();
    Ok(EventsPage {
        c: Chrome::workspace(ws, Some(Section::Strategy)).with_flash(done),
        base: ws.base(),
        tabs: tabs(ws, "/events"),
        events,
        french,
        recurrences: recurrence_options(tr),
        form: EventForm::default(),
        errors: FieldErrors::default(),
        action: format!("{}/strategy/events", ws.base()),
        submit: tr.t("events-add"),
    })
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    match page(&app, &ws, done.done.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

fn audit_details(event: &RecurringEvent) -> serde_json::Value {
    serde_json::json!({"starts_on": event.starts_on.to_string(), "ends_on": event.ends_on.to_string(), "recurrence": event.recurrence.as_str()})
}

pub async fn create(State(app): State<AppState>, ws: InWorkspace, PageForm(form): PageForm<EventForm>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    match form.input() {
        Ok((title, event)) => {
            if let Err(e) = app.store.create_calendar_event(&ws.workspace.id, &title, &event).await {
                return PageError::store(tr, e).into_response();
            }
            if let Err(e) = audit(&app, &ws, "calendar_event.created", title.as_str(), audit_details(&event)).await {
                return e.into_response();
            }
            Redirect::to(&format!("{}/strategy/events?done=event-created", ws.base())).into_response()
        }
        Err(errors) => match page(&app, &ws, None).await {
            Ok(mut p) => {
                p.errors = FieldErrors::from_validation(tr, &errors);
                p.form = form;
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr)
            }
            Err(e) => e.into_response(),
        },
    }
}

#[derive(Template)]
#[template(path = "event_edit.html")]
struct EditPage {
    c: Chrome,
    base: String,
    tabs: Vec<Tab>,
    title: String,
    recurrences: Vec<RecurrenceOption>,
    form: EventForm,
    errors: FieldErrors,
    action: String,
    submit: String,
}

fn edit_page(ws: &InWorkspace, id: &str, name: &str, form: EventForm, errors: FieldErrors) -> EditPage {
    let tr = ws.tr();
    EditPage {
        c: Chrome::workspace(ws, Some(Section::Strategy)),
        base: ws.base(),
        tabs: tabs(ws, "/events"),
        title: tr.t1("events-edit", "title", name),
        recurrences: recurrence_options(tr),
        form,
        errors,
        action: format!("{}/strategy/events/{id}", ws.base()),
        submit: tr.t("save"),
    }
}

pub async fn edit(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    match app.store.calendar_event(&ws.workspace.id, &id).await {
        Ok(e) => render(&edit_page(&ws, &id, &e.title, EventForm::from(&e), FieldErrors::default()), ws.tr()),
        Err(e) => PageError::store(ws.tr(), e).into_response(),
    }
}

pub async fn update(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(form): PageForm<EventForm>,
) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let old = match app.store.calendar_event(&ws.workspace.id, &id).await {
        Ok(e) => e,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    match form.input() {
        Ok((title, event)) => {
            if let Err(e) = app.store.update_calendar_event(&ws.workspace.id, &id, &title, &event).await {
                return PageError::store(tr, e).into_response();
            }
            if let Err(e) = audit(&app, &ws, "calendar_event.updated", title.as_str(), audit_details(&event)).await {
                return e.into_response();
            }
            Redirect::to(&format!("{}/strategy/events?done=saved", ws.base())).into_response()
        }
        Err(errors) => {
            let page = edit_page(&ws, &id, &old.title, form, FieldErrors::from_validation(tr, &errors));
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page, tr)
        }
    }
}

pub async fn delete(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let event = match app.store.calendar_event(&ws.workspace.id, &id).await {
        Ok(e) => e,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if let Err(e) = app.store.delete_calendar_event(&ws.workspace.id, &id).await {
        return PageError::store(tr, e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "calendar_event.deleted", &event.title, audit_details(&event.event)).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/strategy/events?done=event-deleted", ws.base())).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::strategy::day;

    #[test]
    fn a_one_day_event_needs_no_end_and_a_backwards_one_names_its_end() {
        let one_day = EventForm { title: "Salon".into(), starts_on: "2026-04-14".into(), ends_on: "".into(), recurrence: "none".into() };
        let (_, event) = one_day.input().unwrap();
        assert_eq!(event.starts_on, event.ends_on);
        let backwards = EventForm { ends_on: "2026-04-13".into(), ..one_day.clone() };
        assert_eq!(backwards.input().unwrap_err()[0].field, "ends_on");
        let bad = EventForm { title: "".into(), starts_on: "14/04/2026".into(), ends_on: "".into(), recurrence: "daily".into() };
        let fields: Vec<_> = bad.input().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "starts_on", "recurrence"]);
        assert_eq!(day(Tr::new(Locale::Fr), event.starts_on), "14/04/2026");
    }
}
