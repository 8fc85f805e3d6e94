//! The Strategy section: its landing page, and what its tabs (charter, labels, events, slots)
//! share: field errors that name their field, dates in the reader's language.

use super::{Done, render};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use relais_core::{Action, Locale, Section, ValidationError};

/// Errors of a form, each tied to its field and already worded for the reader, the field's
/// name first ("Couleur : Couleur invalide…").
#[derive(Default)]
pub struct FieldErrors(Vec<(String, String)>);

impl FieldErrors {
    pub fn from_validation(tr: Tr, errors: &[ValidationError]) -> Self {
        FieldErrors(
            errors
                .iter()
                .map(|e| (e.field.to_string(), tr.tn("field-error", &[("field", &field_label(tr, e.field)), ("message", &tr.t(e.code))])))
                .collect(),
        )
    }

    /// Puts `message` (already translated) on `field`, in place of any error it had.
    pub fn set(&mut self, tr: Tr, field: &str, message: String) {
        let message = tr.tn("field-error", &[("field", &field_label(tr, field)), ("message", &message)]);
        match self.0.iter_mut().find(|(f, _)| f == field) {
            Some(entry) => entry.1 = message,
            None => self.0.push((field.to_string(), message)),
        }
    }

    /// The error of `field`, if it has one.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }

    /// The error of a network's field (`network.field`), if it has one.
    pub fn get_for(&self, network: &str, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| f.split_once('.') == Some((network, field))).map(|(_, m)| m.as_str())
    }

    /// Every message, for the summary at the top of a form.
    pub fn messages(&self) -> Vec<&str> {
        self.0.iter().map(|(_, m)| m.as_str()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The label of a form field, as the page shows it; a network's field is "Bluesky · Mots à éviter".
pub fn field_label(tr: Tr, field: &str) -> String {
    match field.split_once('.') {
        Some((network, rest)) => format!("{} · {}", network_label(tr, network), field_label(tr, rest)),
        None => tr.t(&format!("field-{}", field.replace('_', "-"))),
    }
}

/// The name people know a network by.
pub fn network_label(tr: Tr, key: &str) -> String {
    match key {
        "bluesky" => "Bluesky".into(),
        "mastodon" => "Mastodon".into(),
        "sandbox" => tr.t("network-sandbox"),
        other => other.into(),
    }
}

/// A calendar date in the reader's language: 24/03/2026 or 2026-03-24.
pub fn day(tr: Tr, d: Date) -> String {
    match tr.locale {
        Locale::Fr => d.strftime("%d/%m/%Y").to_string(),
        Locale::En => d.to_string(),
    }
}

/// A period of dates, or one date when it lasts a day.
pub fn days(tr: Tr, start: Date, end: Date) -> String {
    if start == end { day(tr, start) } else { tr.tn("date-range", &[("start", &day(tr, start)), ("end", &day(tr, end))]) }
}

/// Today in the workspace's time zone.
pub fn today(ws: &InWorkspace) -> Date {
    let tz = jiff::tz::TimeZone::get(&ws.workspace.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(tz).date()
}

/// A tab of the section's navigation.
pub struct Tab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// The section's tabs; none for a member who may only read the charter.
pub fn tabs(ws: &InWorkspace, current: &str) -> Vec<Tab> {
    if !relais_core::policy::allows(ws.role, Action::ManageStrategy) {
        return vec![];
    }
    let tr = ws.tr();
    [
        ("", "strategy-tab-overview"),
        ("/objectives", "strategy-tab-objectives"),
        ("/charter", "strategy-tab-charter"),
        ("/labels", "strategy-tab-labels"),
        ("/events", "strategy-tab-events"),
        ("/slots", "strategy-tab-slots"),
        ("/accounts", "strategy-tab-accounts"),
    ]
    .into_iter()
    .map(|(path, id)| Tab { href: format!("{}/strategy{path}", ws.base()), label: tr.t(id), current: path == current })
    .collect()
}

pub struct Card {
    pub href: String,
    pub title: String,
    pub blurb: String,
    pub count: String,
}

#[derive(Template)]
#[template(path = "strategy.html")]
struct StrategyPage {
    c: Chrome,
    tabs: Vec<Tab>,
    cards: Vec<Card>,
}

pub async fn landing(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let id = &ws.workspace.id;
    let counts = async {
        let charter = app.store.charter(id).await?;
        let pillars = app.store.pillars(id).await?.len();
        let campaigns = app.store.campaigns(id).await?.len();
        let events = app.store.calendar_events(id).await?.len();
        let slots = app.store.workspace_posting_slots(id).await?.len();
        let objectives = app.store.objectives(id).await?.len();
        Ok::<_, relais_store::StoreError>((charter, pillars, campaigns, events, slots, objectives))
    };
    let (charter, pillars, campaigns, events, slots, objectives) = match counts.await {
        Ok(c) => c,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let rules = charter.base.words_to_avoid.len() + charter.base.mandatory.len();
    let base = ws.base();
    let cards = vec![
        Card {
            href: format!("{base}/strategy/objectives"),
            title: tr.t("strategy-tab-objectives"),
            blurb: tr.t("strategy-objectives-blurb"),
            count: tr.t1("strategy-objectives-count", "count", objectives),
        },
        Card {
            href: format!("{base}/strategy/charter"),
            title: tr.t("strategy-tab-charter"),
            blurb: tr.t("strategy-charter-blurb"),
            count: tr.t1("strategy-charter-count", "count", rules),
        },
        Card {
            href: format!("{base}/strategy/labels"),
            title: tr.t("strategy-tab-labels"),
            blurb: tr.t("strategy-labels-blurb"),
            count: tr.tn("strategy-labels-count", &[("pillars", &pillars), ("campaigns", &campaigns)]),
        },
        Card {
            href: format!("{base}/strategy/events"),
            title: tr.t("strategy-tab-events"),
            blurb: tr.t("strategy-events-blurb"),
            count: tr.t1("strategy-events-count", "count", events),
        },
        Card {
            href: format!("{base}/strategy/slots"),
            title: tr.t("strategy-tab-slots"),
            blurb: tr.t("strategy-slots-blurb"),
            count: tr.t1("strategy-slots-count", "count", slots),
        },
    ];
    let page =
        StrategyPage { c: Chrome::workspace(&ws, Some(Section::Strategy)).with_flash(done.done.as_deref()), tabs: tabs(&ws, ""), cards };
    render(&page, tr)
}
