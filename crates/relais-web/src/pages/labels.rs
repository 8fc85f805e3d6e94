//! Content pillars and campaigns: list, create, edit (a new name follows to the posts), delete
//! (the posts keep no label, and the confirmation says so).

use super::strategy::{FieldErrors, Tab, days, tabs};
use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::kpi::publishing::calendar_share;
use relais_core::recurrence::{check_order, parse_date};
use relais_core::values::parse_target_share;
use relais_core::{Action, Colour, Name, Section, ValidationError};
use relais_store::{Campaign, CampaignInput, Pillar, PillarInput, StoreError};
use serde::Deserialize;

#[derive(Deserialize, Clone)]
pub struct PillarForm {
    name: String,
    colour: String,
    #[serde(default)]
    target_share: String,
}

impl Default for PillarForm {
    fn default() -> Self {
        PillarForm { name: String::new(), colour: "#1d4ed8".into(), target_share: String::new() }
    }
}

impl From<&Pillar> for PillarForm {
    fn from(p: &Pillar) -> Self {
        PillarForm {
            name: p.name.clone(),
            colour: p.colour.clone(),
            target_share: p.target_share.map(|s| s.to_string()).unwrap_or_default(),
        }
    }
}

impl PillarForm {
    fn input(&self) -> Result<PillarInput, Vec<ValidationError>> {
        match (Name::parse("name", &self.name), Colour::parse("colour", &self.colour), parse_target_share(&self.target_share)) {
            (Ok(name), Ok(colour), Ok(target_share)) => Ok(PillarInput { name, colour, target_share }),
            (a, b, c) => Err([a.err(), b.err(), c.err()].into_iter().flatten().collect()),
        }
    }
}

#[derive(Deserialize, Clone)]
pub struct CampaignForm {
    name: String,
    colour: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

impl Default for CampaignForm {
    fn default() -> Self {
        CampaignForm { name: String::new(), colour: "#b45309".into(), starts_on: String::new(), ends_on: String::new() }
    }
}

impl From<&Campaign> for CampaignForm {
    fn from(c: &Campaign) -> Self {
        CampaignForm {
            name: c.name.clone(),
            colour: c.colour.clone(),
            starts_on: c.starts_on.clone().unwrap_or_default(),
            ends_on: c.ends_on.clone().unwrap_or_default(),
        }
    }
}

impl CampaignForm {
    fn input(&self) -> Result<CampaignInput, Vec<ValidationError>> {
        let optional_date = |field, raw: &str| if raw.trim().is_empty() { Ok(None) } else { parse_date(field, raw).map(Some) };
        let starts_on = optional_date("starts_on", &self.starts_on);
        let ends_on = optional_date("ends_on", &self.ends_on);
        let order = match (&starts_on, &ends_on) {
            (Ok(Some(s)), Ok(Some(e))) => check_order(*s, *e),
            _ => Ok(()),
        };
        match (Name::parse("name", &self.name), Colour::parse("colour", &self.colour), starts_on, ends_on, order) {
            (Ok(name), Ok(colour), Ok(starts_on), Ok(ends_on), Ok(())) => Ok(CampaignInput { name, colour, starts_on, ends_on }),
            (a, b, c, d, e) => Err([a.err(), b.err(), c.err(), d.err(), e.err()].into_iter().flatten().collect()),
        }
    }
}

pub struct PillarRow {
    id: String,
    name: String,
    colour: String,
    share: String,
    /// Its share of the calendar around today, against `share`.
    actual: String,
    posts: i64,
    confirm: String,
}

pub struct CampaignRow {
    id: String,
    name: String,
    colour: String,
    dates: String,
    posts: i64,
    confirm: String,
}

#[derive(Template)]
#[template(path = "labels.html")]
struct LabelsPage {
    c: Chrome,
    base: String,
    tabs: Vec<Tab>,
    pillars: Vec<PillarRow>,
    campaigns: Vec<CampaignRow>,
    share_total: i64,
    pillar_form: PillarForm,
    pillar_errors: FieldErrors,
    campaign_form: CampaignForm,
    campaign_errors: FieldErrors,
}

async fn page(app: &AppState, ws: &InWorkspace, done: Option<&str>) -> Result<LabelsPage, PageError> {
    let tr = ws.tr();
    let store_error = |e| PageError::store(tr, e);
    let pillars = app.store.pillars(&ws.workspace.id).await.map_err(store_error)?;
    // The calendar around today: the last 30 days and the next 30.
    const WINDOW_MS: i64 = 30 * 86_400_000;
    let now = relais_core::now_ms();
    let (counts, all) = app.store.pillar_calendar_counts(&ws.workspace.id, now - WINDOW_MS, now + WINDOW_MS).await.map_err(store_error)?;
    let actual = |name: &str| {
        let mine = counts.iter().find(|c| c.0.as_deref() == Some(name)).map_or(0, |c| c.1);
        match calendar_share(mine.max(0) as u64, all.max(0) as u64) {
            Some(share) => format!("{} % ({mine}/{all})", (share * 100.0).round()),
            None => "—".into(),
        }
    };
    let campaigns = app.store.campaigns(&ws.workspace.id).await.map_err(store_error)?;
    let dates_of = |c: &Campaign| {
        let parse = |d: &Option<String>| d.as_deref().and_then(|d| parse_date("date", d).ok());
        match (parse(&c.starts_on), parse(&c.ends_on)) {
            (Some(s), Some(e)) => days(tr, s, e),
            (Some(s), None) => tr.t1("labels-from", "date", super::strategy::day(tr, s)),
            (None, Some(e)) => tr.t1("labels-until", "date", super::strategy::day(tr, e)),
            (None, None) => tr.t("labels-no-dates"),
        }
    };
    Ok(LabelsPage {
        c: Chrome::workspace(ws, Some(Section::Strategy)).with_flash(done),
        base: ws.base(),
        tabs: tabs(ws, "/labels"),
        share_total: pillars.iter().filter_map(|p| p.target_share).sum(),
        pillars: pillars
            .iter()
            .map(|p| PillarRow {
                id: p.id.clone(),
                name: p.name.clone(),
                colour: p.colour.clone(),
                share: p.target_share.map(|s| format!("{s} %")).unwrap_or_else(|| "—".into()),
                actual: actual(&p.name),
                posts: p.posts,
                confirm: tr.tn("labels-delete-pillar-confirm", &[("name", &p.name), ("posts", &p.posts)]),
            })
            .collect(),
        campaigns: campaigns
            .iter()
            .map(|c| CampaignRow {
                id: c.id.clone(),
                name: c.name.clone(),
                colour: c.colour.clone(),
                dates: dates_of(c),
                posts: c.posts,
                confirm: tr.tn("labels-delete-campaign-confirm", &[("name", &c.name), ("posts", &c.posts)]),
            })
            .collect(),
        pillar_form: PillarForm::default(),
        pillar_errors: FieldErrors::default(),
        campaign_form: CampaignForm::default(),
        campaign_errors: FieldErrors::default(),
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

/// A duplicate name is an error on the name field; other store errors are pages of their own.
fn name_taken(ws: &InWorkspace, e: StoreError) -> Result<FieldErrors, PageError> {
    match e {
        StoreError::Conflict(_) => Ok(FieldErrors::from_validation(ws.tr(), &[ValidationError::new("name", "error-label-taken", "")])),
        other => Err(PageError::store(ws.tr(), other)),
    }
}

fn labels_url(ws: &InWorkspace, done: &str) -> String {
    format!("{}/strategy/labels?done={done}", ws.base())
}

pub async fn create_pillar(State(app): State<AppState>, ws: InWorkspace, PageForm(form): PageForm<PillarForm>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let (status, errors) = match form.input() {
        Ok(input) => match app.store.create_pillar(&ws.workspace.id, &input).await {
            Ok(p) => {
                if let Err(e) =
                    audit(&app, &ws, "pillar.created", &p.name, serde_json::json!({"colour": p.colour, "target_share": p.target_share}))
                        .await
                {
                    return e.into_response();
                }
                return Redirect::to(&labels_url(&ws, "pillar-created")).into_response();
            }
            Err(e) => match name_taken(&ws, e) {
                Ok(errors) => (StatusCode::CONFLICT, errors),
                Err(e) => return e.into_response(),
            },
        },
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, FieldErrors::from_validation(tr, &errors)),
    };
    match page(&app, &ws, None).await {
        Ok(mut p) => {
            p.pillar_form = form;
            p.pillar_errors = errors;
            render_status(status, &p, tr)
        }
        Err(e) => e.into_response(),
    }
}

pub async fn create_campaign(State(app): State<AppState>, ws: InWorkspace, PageForm(form): PageForm<CampaignForm>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let (status, errors) = match form.input() {
        Ok(input) => match app.store.create_campaign(&ws.workspace.id, &input).await {
            Ok(c) => {
                let details = serde_json::json!({"colour": c.colour, "starts_on": c.starts_on, "ends_on": c.ends_on});
                if let Err(e) = audit(&app, &ws, "campaign.created", &c.name, details).await {
                    return e.into_response();
                }
                return Redirect::to(&labels_url(&ws, "campaign-created")).into_response();
            }
            Err(e) => match name_taken(&ws, e) {
                Ok(errors) => (StatusCode::CONFLICT, errors),
                Err(e) => return e.into_response(),
            },
        },
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, FieldErrors::from_validation(tr, &errors)),
    };
    match page(&app, &ws, None).await {
        Ok(mut p) => {
            p.campaign_form = form;
            p.campaign_errors = errors;
            render_status(status, &p, tr)
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Template)]
#[template(path = "label_edit.html")]
struct EditPage {
    c: Chrome,
    base: String,
    tabs: Vec<Tab>,
    /// "pillars" or "campaigns", as in the URL.
    kind: &'static str,
    id: String,
    title: String,
    posts: i64,
    pillar: PillarForm,
    campaign: CampaignForm,
    errors: FieldErrors,
}

fn edit_page(ws: &InWorkspace, kind: &'static str, id: &str, title: String, posts: i64) -> EditPage {
    EditPage {
        c: Chrome::workspace(ws, Some(Section::Strategy)),
        base: ws.base(),
        tabs: tabs(ws, "/labels"),
        kind,
        id: id.to_string(),
        title,
        posts,
        pillar: PillarForm::default(),
        campaign: CampaignForm::default(),
        errors: FieldErrors::default(),
    }
}

pub async fn edit_pillar(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    match app.store.pillar(&ws.workspace.id, &id).await {
        Ok(p) => {
            let mut page = edit_page(&ws, "pillars", &id, tr.t1("labels-edit-pillar", "name", &p.name), p.posts);
            page.pillar = PillarForm::from(&p);
            render(&page, tr)
        }
        Err(e) => PageError::store(tr, e).into_response(),
    }
}

pub async fn update_pillar(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(form): PageForm<PillarForm>,
) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let old = match app.store.pillar(&ws.workspace.id, &id).await {
        Ok(p) => p,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let (status, errors) = match form.input() {
        Ok(input) => match app.store.update_pillar(&ws.workspace.id, &id, &input).await {
            Ok(p) => {
                if let Err(e) = audit(&app, &ws, "pillar.updated", &p.name, serde_json::json!({"was": old.name, "posts": p.posts})).await {
                    return e.into_response();
                }
                return Redirect::to(&labels_url(&ws, "saved")).into_response();
            }
            Err(e) => match name_taken(&ws, e) {
                Ok(errors) => (StatusCode::CONFLICT, errors),
                Err(e) => return e.into_response(),
            },
        },
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, FieldErrors::from_validation(tr, &errors)),
    };
    let mut page = edit_page(&ws, "pillars", &id, tr.t1("labels-edit-pillar", "name", &old.name), old.posts);
    page.pillar = form;
    page.errors = errors;
    render_status(status, &page, tr)
}

pub async fn edit_campaign(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    match app.store.campaign(&ws.workspace.id, &id).await {
        Ok(c) => {
            let mut page = edit_page(&ws, "campaigns", &id, tr.t1("labels-edit-campaign", "name", &c.name), c.posts);
            page.campaign = CampaignForm::from(&c);
            render(&page, tr)
        }
        Err(e) => PageError::store(tr, e).into_response(),
    }
}

pub async fn update_campaign(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(form): PageForm<CampaignForm>,
) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let old = match app.store.campaign(&ws.workspace.id, &id).await {
        Ok(c) => c,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let (status, errors) = match form.input() {
        Ok(input) => match app.store.update_campaign(&ws.workspace.id, &id, &input).await {
            Ok(c) => {
                let details = serde_json::json!({"was": old.name, "posts": c.posts, "starts_on": c.starts_on, "ends_on": c.ends_on});
                if let Err(e) = audit(&app, &ws, "campaign.updated", &c.name, details).await {
                    return e.into_response();
                }
                return Redirect::to(&labels_url(&ws, "saved")).into_response();
            }
            Err(e) => match name_taken(&ws, e) {
                Ok(errors) => (StatusCode::CONFLICT, errors),
                Err(e) => return e.into_response(),
            },
        },
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, FieldErrors::from_validation(tr, &errors)),
    };
    let mut page = edit_page(&ws, "campaigns", &id, tr.t1("labels-edit-campaign", "name", &old.name), old.posts);
    page.campaign = form;
    page.errors = errors;
    render_status(status, &page, tr)
}

pub async fn delete_pillar(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let name = match app.store.pillar(&ws.workspace.id, &id).await {
        Ok(p) => p.name,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    match app.store.delete_pillar(&ws.workspace.id, &id).await {
        Ok(cleared) => {
            if let Err(e) = audit(&app, &ws, "pillar.deleted", &name, serde_json::json!({"posts_cleared": cleared})).await {
                return e.into_response();
            }
            Redirect::to(&labels_url(&ws, "pillar-deleted")).into_response()
        }
        Err(e) => PageError::store(tr, e).into_response(),
    }
}

pub async fn delete_campaign(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let name = match app.store.campaign(&ws.workspace.id, &id).await {
        Ok(c) => c.name,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    match app.store.delete_campaign(&ws.workspace.id, &id).await {
        Ok(cleared) => {
            if let Err(e) = audit(&app, &ws, "campaign.deleted", &name, serde_json::json!({"posts_cleared": cleared})).await {
                return e.into_response();
            }
            Redirect::to(&labels_url(&ws, "campaign-deleted")).into_response()
        }
        Err(e) => PageError::store(tr, e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_field_of_a_campaign_is_reported() {
        let form = CampaignForm { name: " ".into(), colour: "rouge".into(), starts_on: "2026-06-31".into(), ends_on: "".into() };
        let fields: Vec<_> = form.input().unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "colour", "starts_on"]);
        let backwards =
            CampaignForm { name: "Été".into(), colour: "#ff0000".into(), starts_on: "2026-06-30".into(), ends_on: "2026-06-01".into() };
        assert_eq!(backwards.input().unwrap_err()[0].field, "ends_on");
        let open = CampaignForm { name: "Été".into(), colour: "#ff0000".into(), starts_on: "".into(), ends_on: "".into() };
        assert!(open.input().is_ok());
    }

    #[test]
    fn a_pillar_share_must_be_a_percentage() {
        let form = PillarForm { name: "Offres".into(), colour: "#ff0000".into(), target_share: "140".into() };
        assert_eq!(form.input().unwrap_err()[0].field, "target_share");
    }
}
