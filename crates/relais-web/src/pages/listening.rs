//! Listening ("veille"): the workspace's queries with their hit counts, creating, editing and
//! (de)activating a query (a query that does not parse comes back with the problem and where it
//! is), a query's page with the posts it found, newest first, and "search now".

use super::strategy::{FieldErrors, network_label};
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
use relais_core::kpi::listening::Voice;
use relais_core::listening_query::{ListeningQuery, QueryError};
use relais_core::{Action, Name, Section, ValidationError, now_ms};
use relais_store::{ListeningQueryRecord, StoreError};
use serde::Deserialize;

/// Hits shown on a query's page.
const HITS_SHOWN: i64 = 200;

pub struct QueryRow {
    id: String,
    name: String,
    query: String,
    active: bool,
    hits: i64,
    last_run: String,
    last_error: Option<String>,
    /// "our brand", "competitor: X", or empty.
    voice: String,
}

pub struct HitRow {
    author: String,
    handle: String,
    text: String,
    network: String,
    url: Option<String>,
    source: String,
    posted: String,
}

#[derive(Deserialize, Clone, Default)]
pub struct QueryForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    query: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    active: Option<String>,
    /// Share of voice: "", "brand" or "competitor", and the competitor's name.
    #[serde(default)]
    voice: String,
    #[serde(default)]
    competitor: String,
}

/// What the form's fields say, or what is wrong with them, in the member's language.
struct Checked {
    name: Option<Name>,
    query: Option<ListeningQuery>,
    /// `Some(None)`: valid, counting for no one.
    voice: Option<Option<Voice>>,
    errors: FieldErrors,
    query_error: Option<String>,
}

fn query_error(tr: Tr, e: &QueryError) -> String {
    tr.tn("listening-query-error", &[("position", &(e.position + 1)), ("problem", &tr.t(e.problem.code()))])
}

fn check(tr: Tr, form: &QueryForm) -> Checked {
    let name = Name::parse("name", &form.name);
    let query = ListeningQuery::parse(&form.query);
    let voice = Voice::parse(&form.voice, &form.competitor);
    let errors: Vec<ValidationError> = name.as_ref().err().into_iter().chain(voice.as_ref().err()).cloned().collect();
    Checked {
        errors: FieldErrors::from_validation(tr, &errors),
        query_error: query.as_ref().err().map(|e| query_error(tr, e)),
        name: name.ok(),
        query: query.ok(),
        voice: voice.ok(),
    }
}

fn row(tr: Tr, zone: &str, q: ListeningQueryRecord) -> QueryRow {
    let voice = match &q.voice {
        None => String::new(),
        Some(Voice::Brand) => tr.t("listening-voice-badge-brand"),
        Some(Voice::Competitor(name)) => tr.t1("listening-voice-badge-competitor", "name", name.as_str()),
    };
    QueryRow {
        voice,
        last_run: q.last_run_at.map(|at| tr.datetime(at, zone)).unwrap_or_else(|| tr.t("listening-never-run")),
        id: q.id,
        name: q.name,
        query: q.query,
        active: q.active,
        hits: q.hits,
        last_error: q.last_error,
    }
}

#[derive(Template)]
#[template(path = "listening.html")]
struct ListPage {
    c: Chrome,
    base: String,
    queries: Vec<QueryRow>,
    /// Where the form posts.
    action: String,
    form: QueryForm,
    errors: FieldErrors,
    query_error: Option<String>,
}

#[derive(Template)]
#[template(path = "listening_query.html")]
struct QueryPage {
    c: Chrome,
    base: String,
    q: QueryRow,
    hits: Vec<HitRow>,
    action: String,
    form: QueryForm,
    errors: FieldErrors,
    query_error: Option<String>,
}

async fn list_page(app: &AppState, ws: &InWorkspace, done: Option<&str>) -> Result<ListPage, PageError> {
    let tr = ws.tr();
    let queries = app.store.listening_queries(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    Ok(ListPage {
        c: Chrome::workspace(ws, Some(Section::Listening)).with_flash(done),
        base: ws.base(),
        queries: queries.into_iter().map(|q| row(tr, &ws.workspace.time_zone, q)).collect(),
        action: format!("{}/listening", ws.base()),
        form: QueryForm { active: Some("on".into()), ..QueryForm::default() },
        errors: FieldErrors::default(),
        query_error: None,
    })
}

async fn query_page(app: &AppState, ws: &InWorkspace, id: &str, done: Option<&str>) -> Result<QueryPage, PageError> {
    let tr = ws.tr();
    let zone = &ws.workspace.time_zone;
    let store_error = |e| PageError::store(tr, e);
    let record = app.store.listening_query(&ws.workspace.id, id).await.map_err(store_error)?;
    let hits = app.store.listening_hits(&ws.workspace.id, id, HITS_SHOWN).await.map_err(store_error)?;
    let form = QueryForm {
        name: record.name.clone(),
        query: record.query.clone(),
        active: record.active.then(|| "on".into()),
        voice: record.voice.as_ref().map(|v| v.key().to_string()).unwrap_or_default(),
        competitor: record.voice.as_ref().and_then(Voice::competitor).unwrap_or_default().to_string(),
    };
    Ok(QueryPage {
        c: Chrome::workspace(ws, Some(Section::Listening)).with_flash(done),
        base: ws.base(),
        action: format!("{}/listening/{id}", ws.base()),
        q: row(tr, zone, record),
        hits: hits
            .into_iter()
            .map(|h| HitRow {
                author: h.author_name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| h.author_handle.clone()),
                // The stream knows authors by DID only: shown as is, not as a handle.
                handle: if h.author_handle.starts_with("did:") { h.author_handle } else { format!("@{}", h.author_handle) },
                text: h.text,
                network: network_label(tr, &h.network),
                url: h.url.filter(|u| u.starts_with("https://") || u.starts_with("http://")),
                source: tr.t(&format!("listening-source-{}", h.source)),
                posted: tr.datetime(h.posted_at, zone),
            })
            .collect(),
        form,
        errors: FieldErrors::default(),
        query_error: None,
    })
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::Listen) {
        return e.into_response();
    }
    match list_page(&app, &ws, done.done.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

fn name_taken(tr: Tr) -> FieldErrors {
    FieldErrors::from_validation(tr, &[ValidationError::new("name", "listening-error-name-taken", "")])
}

pub async fn create(State(app): State<AppState>, ws: InWorkspace, PageForm(form): PageForm<QueryForm>) -> Response {
    if let Err(e) = ws.require(Action::Listen) {
        return e.into_response();
    }
    let tr = ws.tr();
    let mut checked = check(tr, &form);
    if let (Some(name), Some(query), Some(voice)) = (&checked.name, &checked.query, &checked.voice) {
        match app.store.create_listening_query(&ws.workspace.id, name, query, &ws.me.user().id).await {
            Ok(created) => {
                if let Err(e) = app.store.set_listening_voice(&ws.workspace.id, &created.id, voice.as_ref()).await {
                    return PageError::store(tr, e).into_response();
                }
                let details =
                    serde_json::json!({"name": created.name, "query": created.query, "voice": form.voice, "competitor": form.competitor});
                if let Err(e) = audit(&app, &ws, "listening_query.created", &created.id, details).await {
                    return e.into_response();
                }
                // A first search right away, rather than at the next period.
                if let Err(e) = app.store.enqueue_listening_search(&created, "created").await {
                    return PageError::store(tr, e).into_response();
                }
                return Redirect::to(&format!("{}/listening/{}?done=listening-created", ws.base(), created.id)).into_response();
            }
            Err(StoreError::Conflict(_)) => checked.errors = name_taken(tr),
            Err(e) => return PageError::store(tr, e).into_response(),
        }
    }
    match list_page(&app, &ws, None).await {
        Ok(mut p) => {
            p.form = form;
            p.errors = checked.errors;
            p.query_error = checked.query_error;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr)
        }
        Err(e) => e.into_response(),
    }
}

pub async fn show(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    Query(done): Query<Done>,
) -> Response {
    if let Err(e) = ws.require(Action::Listen) {
        return e.into_response();
    }
    match query_page(&app, &ws, &id, done.done.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

pub async fn update(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(form): PageForm<QueryForm>,
) -> Response {
    if let Err(e) = ws.require(Action::Listen) {
        return e.into_response();
    }
    let tr = ws.tr();
    let mut checked = check(tr, &form);
    if let (Some(name), Some(query), Some(voice)) = (&checked.name, &checked.query, &checked.voice) {
        match app.store.update_listening_query(&ws.workspace.id, &id, name, query, form.active.is_some()).await {
            Ok(saved) => {
                if let Err(e) = app.store.set_listening_voice(&ws.workspace.id, &id, voice.as_ref()).await {
                    return PageError::store(tr, e).into_response();
                }
                let details = serde_json::json!({"name": saved.name, "query": saved.query, "active": saved.active, "voice": form.voice,
                    "competitor": form.competitor});
                if let Err(e) = audit(&app, &ws, "listening_query.updated", &saved.id, details).await {
                    return e.into_response();
                }
                return Redirect::to(&format!("{}/listening/{id}?done=listening-saved", ws.base())).into_response();
            }
            Err(StoreError::Conflict(_)) => checked.errors = name_taken(tr),
            Err(e) => return PageError::store(tr, e).into_response(),
        }
    }
    match query_page(&app, &ws, &id, None).await {
        Ok(mut p) => {
            p.form = form;
            p.errors = checked.errors;
            p.query_error = checked.query_error;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr)
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_active(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(form): PageForm<ActiveForm>,
) -> Response {
    if let Err(e) = ws.require(Action::Listen) {
        return e.into_response();
    }
    let active = form.active == "1";
    if let Err(e) = app.store.set_listening_query_active(&ws.workspace.id, &id, active).await {
        return PageError::store(ws.tr(), e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "listening_query.updated", &id, serde_json::json!({"active": active})).await {
        return e.into_response();
    }
    let done = if active { "listening-activated" } else { "listening-deactivated" };
    Redirect::to(&format!("{}/listening?done={done}", ws.base())).into_response()
}

pub async fn search_now(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::Listen) {
        return e.into_response();
    }
    let tr = ws.tr();
    let record = match app.store.listening_query(&ws.workspace.id, &id).await {
        Ok(r) => r,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if !record.active {
        return PageError::new(StatusCode::CONFLICT, "listening-inactive", tr).into_response();
    }
    // One run per ten seconds whatever the number of clicks.
    let slot = format!("now:{}", now_ms() / 10_000);
    if let Err(e) = app.store.enqueue_listening_search(&record, &slot).await {
        return PageError::store(tr, e).into_response();
    }
    Redirect::to(&format!("{}/listening/{id}?done=listening-search-queued", ws.base())).into_response()
}
