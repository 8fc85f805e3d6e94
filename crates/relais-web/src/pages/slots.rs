//! Weekly posting slots per account of the workspace, with the next slot "add to queue" would
//! take.

use super::strategy::{FieldErrors, Tab, network_label, tabs};
use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::scheduling::Slot;
use relais_core::{Action, Section, ValidationError, now_ms};
use relais_store::StoreError;
use serde::Deserialize;

pub struct SlotRow {
    id: String,
    weekday: String,
    time: String,
}

pub struct AccountSlots {
    id: String,
    label: String,
    slots: Vec<SlotRow>,
    /// The next free slot, in words.
    next_free: String,
}

pub struct WeekdayOption {
    value: i64,
    label: String,
}

#[derive(Template)]
#[template(path = "slots.html")]
struct SlotsPage {
    c: Chrome,
    base: String,
    tabs: Vec<Tab>,
    accounts: Vec<AccountSlots>,
    weekdays: Vec<WeekdayOption>,
    /// The account whose add form `errors` and `form` belong to.
    error_account: String,
    errors: FieldErrors,
    form: SlotForm,
}

#[derive(Deserialize, Clone, Default)]
pub struct SlotForm {
    account_id: String,
    weekday: String,
    time: String,
}

async fn page(app: &AppState, ws: &InWorkspace, done: Option<&str>) -> Result<SlotsPage, PageError> {
    let tr = ws.tr();
    let store_error = |e| PageError::store(tr, e);
    let zone = &ws.workspace.time_zone;
    let accounts = app.store.social_accounts(&ws.workspace.id).await.map_err(store_error)?;
    let slots = app.store.workspace_posting_slots(&ws.workspace.id).await.map_err(store_error)?;
    let now = now_ms();
    let mut rows = Vec::with_capacity(accounts.len());
    for a in accounts {
        let next_free = match app.store.next_free_slot_for(&a.id, now, zone).await.map_err(store_error)? {
            Some((at, _)) => tr.datetime(at, zone),
            None => tr.t("slots-no-free"),
        };
        rows.push(AccountSlots {
            label: format!("{} · @{}", network_label(tr, &a.network), a.handle),
            slots: slots
                .iter()
                .filter(|s| s.account_id == a.id)
                .map(|s| SlotRow {
                    id: s.id.clone(),
                    weekday: tr.t(&format!("weekday-{}", s.slot.weekday_number())),
                    time: s.slot.time_label(),
                })
                .collect(),
            next_free,
            id: a.id,
        });
    }
    Ok(SlotsPage {
        c: Chrome::workspace(ws, Some(Section::Strategy)).with_flash(done),
        base: ws.base(),
        tabs: tabs(ws, "/slots"),
        accounts: rows,
        weekdays: (1..=7).map(|d| WeekdayOption { value: d, label: tr.t(&format!("weekday-{d}")) }).collect(),
        error_account: String::new(),
        errors: FieldErrors::default(),
        form: SlotForm::default(),
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

pub async fn add(State(app): State<AppState>, ws: InWorkspace, PageForm(form): PageForm<SlotForm>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let (status, errors) = match Slot::parse(&form.weekday, &form.time) {
        Ok(slot) => match app.store.add_posting_slot(&ws.workspace.id, &form.account_id, slot).await {
            Ok(added) => {
                let details = serde_json::json!({"account": added.account_id, "weekday": slot.weekday_number(), "time": slot.time_label()});
                if let Err(e) = audit(&app, &ws, "posting_slot.added", &slot.time_label(), details).await {
                    return e.into_response();
                }
                return Redirect::to(&format!("{}/strategy/slots?done=slot-added", ws.base())).into_response();
            }
            Err(StoreError::Conflict(_)) => {
                (StatusCode::CONFLICT, FieldErrors::from_validation(tr, &[ValidationError::new("minute_of_day", "error-slot-taken", "")]))
            }
            Err(e) => return PageError::store(tr, e).into_response(),
        },
        Err(e) => (StatusCode::UNPROCESSABLE_ENTITY, FieldErrors::from_validation(tr, &[e])),
    };
    match page(&app, &ws, None).await {
        Ok(mut p) => {
            p.error_account = form.account_id.clone();
            p.errors = errors;
            p.form = form;
            render_status(status, &p, tr)
        }
        Err(e) => e.into_response(),
    }
}

pub async fn remove(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    if let Err(e) = app.store.remove_posting_slot(&ws.workspace.id, &id).await {
        return PageError::store(ws.tr(), e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "posting_slot.removed", &id, serde_json::json!({})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/strategy/slots?done=slot-removed", ws.base())).into_response()
}
