//! Objectives (Strategy → Objectives): a KPI, a target, a period and a scope, each shown with
//! where it stands today (current value, progress, projection at the end, status), judged by
//! `relais_core::kpi::Objective::assess` on what the workspace's numbers measured.

use super::strategy::{FieldErrors, Tab, days, network_label, tabs, today};
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
use jiff::civil::Date;
use relais_core::kpi::{Assessment, Currency, Kpi, Objective, Scope, ScopeKind, Status, parse_target, target_text};
use relais_core::recurrence::parse_date;
use relais_core::{Action, Name, Section, ValidationError};
use relais_store::{Measured, ObjectiveRecord, Store, StoreError};
use serde::Deserialize;

/// The KPIs an objective can be about, in the order the form lists them.
pub fn objective_kpis() -> impl Iterator<Item = Kpi> {
    Kpi::ALL.into_iter().filter(|k| *k != Kpi::ObjectiveAttainment)
}

#[derive(Deserialize, Clone)]
pub struct ObjectiveForm {
    title: String,
    kpi: String,
    target: String,
    #[serde(default)]
    currency: String,
    starts_on: String,
    ends_on: String,
    /// `workspace`, or `network:KEY`, `account:ID`, `pillar:ID`, `campaign:ID`.
    scope: String,
}

impl Default for ObjectiveForm {
    fn default() -> Self {
        ObjectiveForm {
            title: String::new(),
            kpi: Kpi::FollowerGrowth.key().into(),
            target: String::new(),
            currency: "EUR".into(),
            starts_on: String::new(),
            ends_on: String::new(),
            scope: "workspace".into(),
        }
    }
}

impl ObjectiveForm {
    /// The form as the API fills it.
    pub fn from_parts(title: &str, kpi: &str, target: &str, currency: &str, starts_on: &str, ends_on: &str, scope: &str) -> Self {
        ObjectiveForm {
            title: title.into(),
            kpi: kpi.into(),
            target: target.into(),
            currency: currency.into(),
            starts_on: starts_on.into(),
            ends_on: ends_on.into(),
            scope: scope.into(),
        }
    }

    fn of(record: &ObjectiveRecord, objective: &Objective) -> Self {
        ObjectiveForm {
            title: record.title.clone(),
            kpi: record.kpi.clone(),
            target: target_text(objective.target()),
            currency: record.currency.clone().unwrap_or_else(|| "EUR".into()),
            starts_on: record.starts_on.clone(),
            ends_on: record.ends_on.clone(),
            scope: match &record.scope_id {
                Some(id) => format!("{}:{id}", record.scope_kind),
                None => record.scope_kind.clone(),
            },
        }
    }

    /// The title and the validated objective, or every problem, each naming its field.
    pub fn input(&self) -> Result<(Name, Objective), Vec<ValidationError>> {
        let mut errors = vec![];
        let title = Name::parse("title", &self.title).map_err(|e| errors.push(e)).ok();
        let kpi = Kpi::from_key(&self.kpi)
            .filter(|k| *k != Kpi::ObjectiveAttainment)
            .ok_or_else(|| errors.push(ValidationError::new("kpi", "error-objective-kpi", format!("{:?} is not a KPI", self.kpi))))
            .ok();
        let currency =
            if self.currency.trim().is_empty() { None } else { Currency::parse(&self.currency).map_err(|e| errors.push(e)).ok() };
        let target = kpi.and_then(|k| parse_target(k, &self.target, currency).map_err(|e| errors.push(e)).ok());
        let start = parse_date("starts_on", &self.starts_on).map_err(|e| errors.push(e)).ok();
        let end = parse_date("ends_on", &self.ends_on).map_err(|e| errors.push(e)).ok();
        let scope = scope_of(&self.scope).map_err(|e| errors.push(e)).ok();
        match (title, kpi, target, start, end, scope) {
            (Some(title), Some(kpi), Some(target), Some(start), Some(end), Some(scope)) if errors.is_empty() => {
                Objective::new(kpi, target, start, end, scope).map(|o| (title, o)).map_err(|mut e| {
                    // The domain names the end `end`; the form's field is `ends_on`.
                    for error in &mut e {
                        if error.field == "end" {
                            error.field = "ends_on";
                        }
                    }
                    e
                })
            }
            _ => Err(errors),
        }
    }
}

/// `workspace` or `KIND:ID` as the scope picker sends it.
pub fn scope_of(raw: &str) -> Result<Scope, ValidationError> {
    let (kind, id) = match raw.split_once(':') {
        Some((kind, id)) => (kind, Some(id)),
        None => (raw, None),
    };
    let kind = ScopeKind::from_key(kind)
        .ok_or_else(|| ValidationError::new("scope", "error-objective-scope", format!("{raw:?} is not a scope")))?;
    Scope::new(kind, id)
}

pub struct ScopeOption {
    pub value: String,
    pub label: String,
}

pub struct KpiOption {
    key: &'static str,
    label: String,
}

pub struct ObjectiveRow {
    id: String,
    title: String,
    kpi: String,
    scope: String,
    period: String,
    target: String,
    current: String,
    progress: String,
    /// 0–100, for the bar.
    progress_pct: i64,
    projection: String,
    status: String,
    /// The status key, for its colour.
    status_key: &'static str,
    /// Why nothing is measured, when that is the case.
    unmeasured: Option<String>,
    confirm: String,
}

#[derive(Template)]
#[template(path = "objectives.html")]
struct ObjectivesPage {
    c: Chrome,
    base: String,
    tabs: Vec<Tab>,
    rows: Vec<ObjectiveRow>,
    kpis: Vec<KpiOption>,
    scopes: Vec<ScopeOption>,
    /// Set when editing one.
    editing: Option<String>,
    form: ObjectiveForm,
    errors: FieldErrors,
}

/// The scopes of the workspace, as the picker offers them.
pub async fn scope_options(store: &Store, workspace_id: &str, tr: Tr) -> Result<Vec<ScopeOption>, StoreError> {
    let id = workspace_id;
    let accounts = store.social_accounts(id).await?;
    let mut networks: Vec<String> = accounts.iter().map(|a| a.network.clone()).collect();
    networks.sort();
    networks.dedup();
    let mut options = vec![ScopeOption { value: "workspace".into(), label: tr.t("objectives-scope-workspace") }];
    options.extend(
        networks
            .iter()
            .map(|n| ScopeOption { value: format!("network:{n}"), label: tr.t1("objectives-scope-network", "name", network_label(tr, n)) }),
    );
    options.extend(accounts.iter().map(|a| ScopeOption {
        value: format!("account:{}", a.id),
        label: tr.t1("objectives-scope-account", "name", format!("{} · @{}", network_label(tr, &a.network), a.handle)),
    }));
    options.extend(
        store
            .pillar_ids(id)
            .await?
            .into_iter()
            .map(|(pillar, name)| ScopeOption { value: format!("pillar:{pillar}"), label: tr.t1("objectives-scope-pillar", "name", name) }),
    );
    options.extend(store.campaign_ids(id).await?.into_iter().map(|(campaign, name)| ScopeOption {
        value: format!("campaign:{campaign}"),
        label: tr.t1("objectives-scope-campaign", "name", name),
    }));
    Ok(options)
}

/// An objective with where it stands today, as the page and the API show it.
pub struct Standing {
    pub record: ObjectiveRecord,
    /// `None` for a row this version cannot read.
    pub objective: Option<Objective>,
    pub assessment: Option<Assessment>,
    /// Why the KPI is not measured, when it is not (`relais_store::Unmeasured::key`).
    pub unmeasured: Option<&'static str>,
}

/// Every objective of the workspace, judged on `today`.
pub async fn standings(store: &Store, workspace_id: &str, time_zone: &str, today: Date) -> Result<Vec<Standing>, StoreError> {
    let mut out = vec![];
    for record in store.objectives(workspace_id).await? {
        let objective = record.objective();
        let (assessment, unmeasured) = match &objective {
            Some(o) => match store.objective_observations(&record, o, time_zone, today).await? {
                Measured::Observations(seen) => (Some(o.assess(&seen, today)), None),
                Measured::Unmeasured(why) => (None, Some(why.key())),
            },
            None => (None, None),
        };
        out.push(Standing { record, objective, assessment, unmeasured });
    }
    Ok(out)
}

fn row(tr: Tr, scopes: &[ScopeOption], s: Standing) -> ObjectiveRow {
    let dash = || "—".to_string();
    let scope_value = match &s.record.scope_id {
        Some(id) => format!("{}:{id}", s.record.scope_kind),
        None => s.record.scope_kind.clone(),
    };
    let scope = scopes.iter().find(|o| o.value == scope_value).map(|o| o.label.clone()).unwrap_or_else(|| tr.t("objectives-scope-gone"));
    let Some(objective) = s.objective else {
        return ObjectiveRow {
            id: s.record.id.clone(),
            title: s.record.title.clone(),
            kpi: s.record.kpi.clone(),
            scope,
            period: format!("{} – {}", s.record.starts_on, s.record.ends_on),
            target: dash(),
            current: dash(),
            progress: dash(),
            progress_pct: 0,
            projection: dash(),
            status: tr.t("objectives-unreadable"),
            status_key: "no_data",
            unmeasured: None,
            confirm: tr.t1("objectives-delete-confirm", "name", &s.record.title),
        };
    };
    let locale = tr.locale;
    let figure = |f: Option<relais_core::kpi::Figure>| f.map(|f| f.display(locale)).unwrap_or_else(dash);
    let a = s.assessment;
    let status = a.map(|a| a.status).unwrap_or(Status::NoData);
    ObjectiveRow {
        id: s.record.id.clone(),
        title: s.record.title.clone(),
        kpi: objective.kpi().name(locale).to_string(),
        scope,
        period: days(tr, objective.period().first(), objective.period().last()),
        target: objective.target().display(locale),
        current: figure(a.and_then(|a| a.current)),
        progress: figure(a.and_then(|a| a.progress)),
        progress_pct: a
            .and_then(|a| a.progress)
            .and_then(|p| p.number())
            .map(|p| (p * 100.0).round().clamp(0.0, 100.0) as i64)
            .unwrap_or(0),
        projection: figure(a.and_then(|a| a.projection)),
        status: status.name(locale).to_string(),
        status_key: status.key(),
        unmeasured: s.unmeasured.map(|k| tr.t(&format!("objectives-unmeasured-{k}"))),
        confirm: tr.t1("objectives-delete-confirm", "name", &s.record.title),
    }
}

async fn page(app: &AppState, ws: &InWorkspace, done: Option<&str>) -> Result<ObjectivesPage, PageError> {
    let tr = ws.tr();
    let store_error = |e| PageError::store(tr, e);
    let scopes = scope_options(&app.store, &ws.workspace.id, tr).await.map_err(store_error)?;
    let standings = standings(&app.store, &ws.workspace.id, &ws.workspace.time_zone, today(ws)).await.map_err(store_error)?;
    Ok(ObjectivesPage {
        c: Chrome::workspace(ws, Some(Section::Strategy)).with_flash(done),
        base: ws.base(),
        tabs: tabs(ws, "/objectives"),
        rows: standings.into_iter().map(|s| row(tr, &scopes, s)).collect(),
        kpis: objective_kpis().map(|k| KpiOption { key: k.key(), label: k.name(tr.locale).to_string() }).collect(),
        scopes,
        editing: None,
        form: ObjectiveForm::default(),
        errors: FieldErrors::default(),
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

/// The workspace's objective `id` for a member who may manage the strategy, or the refusal
/// (403, or 404 for an id that is not this workspace's).
async fn managed(app: &AppState, ws: &InWorkspace, id: &str) -> Result<ObjectiveRecord, Response> {
    ws.require(Action::ManageStrategy).map_err(IntoResponse::into_response)?;
    let tr = ws.tr();
    app.store.objective(&ws.workspace.id, id).await.map_err(|e| match e {
        StoreError::NotFound(_) => PageError::not_found(tr).into_response(),
        e => PageError::store(tr, e).into_response(),
    })
}

pub async fn edit(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    let tr = ws.tr();
    let record = match managed(&app, &ws, &id).await {
        Ok(r) => r,
        Err(refused) => return refused,
    };
    match page(&app, &ws, None).await {
        Ok(mut p) => {
            if let Some(objective) = record.objective() {
                p.form = ObjectiveForm::of(&record, &objective);
            }
            p.editing = Some(record.id);
            render(&p, tr)
        }
        Err(e) => e.into_response(),
    }
}

/// Creates (`id` `None`) or replaces an objective; the form comes back with its errors.
async fn save(app: AppState, ws: InWorkspace, id: Option<String>, form: ObjectiveForm) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let (status, errors) = match form.input() {
        Ok((title, objective)) => {
            match app.store.save_objective(&ws.workspace.id, id.as_deref(), &title, &objective, Some(&ws.me.user().id)).await {
                Ok(saved) => {
                    let action = if id.is_some() { "objective.updated" } else { "objective.created" };
                    let details = serde_json::json!({"kpi": saved.kpi, "target": saved.target, "currency": saved.currency,
                        "starts_on": saved.starts_on, "ends_on": saved.ends_on, "scope": saved.scope_kind, "scope_id": saved.scope_id});
                    if let Err(e) = audit(&app, &ws, action, &saved.title, details).await {
                        return e.into_response();
                    }
                    let done = if id.is_some() { "objective-saved" } else { "objective-created" };
                    return Redirect::to(&format!("{}/strategy/objectives?done={done}", ws.base())).into_response();
                }
                Err(StoreError::NotFound(_)) => return PageError::not_found(tr).into_response(),
                Err(StoreError::Conflict(message)) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    FieldErrors::from_validation(tr, &[ValidationError::new("scope", "error-objective-scope", message)]),
                ),
                Err(e) => return PageError::store(tr, e).into_response(),
            }
        }
        Err(errors) => (StatusCode::UNPROCESSABLE_ENTITY, FieldErrors::from_validation(tr, &errors)),
    };
    match page(&app, &ws, None).await {
        Ok(mut p) => {
            p.form = form;
            p.errors = errors;
            p.editing = id;
            render_status(status, &p, tr)
        }
        Err(e) => e.into_response(),
    }
}

pub async fn create(State(app): State<AppState>, ws: InWorkspace, PageForm(form): PageForm<ObjectiveForm>) -> Response {
    save(app, ws, None, form).await
}

pub async fn update(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(form): PageForm<ObjectiveForm>,
) -> Response {
    save(app, ws, Some(id), form).await
}

pub async fn delete(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    let tr = ws.tr();
    let record = match managed(&app, &ws, &id).await {
        Ok(r) => r,
        Err(refused) => return refused,
    };
    if let Err(e) = app.store.delete_objective(&ws.workspace.id, &id).await {
        return PageError::store(tr, e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "objective.deleted", &record.title, serde_json::json!({"kpi": record.kpi})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/strategy/objectives?done=objective-deleted", ws.base())).into_response()
}
