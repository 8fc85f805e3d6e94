//! Analytics: the KPIs of a period and a scope against the period before, the charts, top and
//! flop posts, the scope's objectives, and the SMM's commentary that the PDF report prints.

use super::analytics_care::{CareLine, care_lines, care_note};
use super::analytics_charts::{Chart, charts};
use super::analytics_data::{AnalyticsQuery, Dashboard, Line, Selection};
use super::objectives::{ScopeOption, scope_options};
use super::strategy::network_label;
use super::{PageForm, audit, render};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::kpi::{Comparison, Direction, Value};
use relais_core::{Action, Colour, Section};
use relais_store::{PostPerformance, StoreError};
use serde::Deserialize;

/// The commentary's longest text: a page of the report.
const COMMENTARY_MAX_CHARS: usize = 5000;

pub struct Tile {
    pub label: String,
    pub value: String,
    /// A second line: the growth rate, the basis, "per week"…
    pub detail: String,
    pub change: Option<String>,
    /// `better`, `worse`, `unchanged`: the change's colour, already judged lower-is-better.
    pub direction: &'static str,
}

pub struct PostRow {
    pub href: String,
    pub excerpt: String,
    pub network: String,
    pub date: String,
    pub engagements: String,
    pub rate: String,
}

pub struct ObjectiveView {
    pub title: String,
    pub kpi: String,
    pub target: String,
    pub current: String,
    pub status: String,
    pub status_key: &'static str,
}

#[derive(Template)]
#[template(path = "analytics.html")]
struct AnalyticsPage {
    c: Chrome,
    base: String,
    from: String,
    to: String,
    scope: String,
    scopes: Vec<ScopeOption>,
    query: String,
    tiles: Vec<Tile>,
    /// Spend, CTR, CPC, CPA, ROAS of a campaign scope.
    paid: Vec<Tile>,
    charts: Vec<Chart>,
    top: Vec<PostRow>,
    flop: Vec<PostRow>,
    objectives: Vec<ObjectiveView>,
    care: Vec<CareLine>,
    care_note: Option<String>,
    commentary: String,
    can_write: bool,
}

/// `+12`, `-3,5 %`, with the change rate when there is one: `+120 (+12,0 %)`.
pub fn change_text(c: &Comparison, tr: Tr) -> Option<String> {
    let change = c.change.ok()?;
    let sign = if change.number() > 0.0 { "+" } else { "" };
    let mut text = format!("{sign}{}", change.display(tr.locale));
    if let Ok(rate) = c.change_rate {
        let sign = if rate > 0.0 { "+" } else { "" };
        text.push_str(&format!(" ({sign}{})", Value::Percent(rate).display(tr.locale)));
    }
    Some(tr.t1("analytics-change", "change", text))
}

pub fn direction_key(c: Option<&Comparison>) -> &'static str {
    match c.and_then(|c| c.direction) {
        Some(Direction::Better) => "better",
        Some(Direction::Worse) => "worse",
        Some(Direction::Unchanged) => "unchanged",
        None => "none",
    }
}

fn tile(tr: Tr, label: String, line: &Line, detail: String) -> Tile {
    Tile {
        label,
        value: line.current.display(tr.locale),
        detail,
        change: line.comparison.as_ref().and_then(|c| change_text(c, tr)),
        direction: direction_key(line.comparison.as_ref()),
    }
}

/// The KPI tiles, in the page's order.
pub fn tiles(d: &Dashboard, tr: Tr) -> Vec<Tile> {
    let locale = tr.locale;
    let mut out = vec![];
    let followers = d.numbers.followers_end.map(|n| Value::Count(n).display(locale)).unwrap_or_else(|| "—".into());
    match (&d.growth, &d.growth_rate) {
        (Some(g), Some(r)) => {
            let mut t = tile(tr, tr.t("analytics-followers"), g, String::new());
            t.detail = tr.tn("analytics-followers-detail", &[("followers", &followers), ("rate", &r.current.display(locale))]);
            out.push(t);
        }
        _ => out.push(Tile {
            label: tr.t("analytics-followers"),
            value: "—".into(),
            detail: tr.t("analytics-no-followers"),
            change: None,
            direction: "none",
        }),
    }
    out.push(tile(
        tr,
        d.engagement_rate.current.label(locale).to_string(),
        &d.engagement_rate,
        tr.t(&format!("analytics-basis-{}", d.basis.kpi().key())),
    ));
    let impressions = |n: &relais_store::PeriodNumbers| n.posts.impressions;
    out.push(Tile {
        label: tr.t("analytics-impressions"),
        value: impressions(&d.numbers).map(|n| Value::Count(n as i64).display(locale)).unwrap_or_else(|| tr.t("analytics-not-reported")),
        detail: String::new(),
        change: match (impressions(&d.numbers), d.previous.as_ref().and_then(impressions)) {
            (Some(now), Some(before)) => {
                let delta = now as i64 - before as i64;
                let sign = if delta > 0 { "+" } else { "" };
                Some(tr.t1("analytics-change", "change", format!("{sign}{}", Value::Count(delta).display(locale))))
            }
            _ => None,
        },
        // Impressions are not a KPI of their own: more is better, as for reach.
        direction: match (impressions(&d.numbers), d.previous.as_ref().and_then(impressions)) {
            (Some(a), Some(b)) if a > b => "better",
            (Some(a), Some(b)) if a < b => "worse",
            (Some(_), Some(_)) => "unchanged",
            _ => "none",
        },
    });
    let posts = Value::Count(d.numbers.posts.publications as i64).display(locale);
    let mut t = tile(tr, tr.t("analytics-posts"), &d.frequency, String::new());
    t.detail = t.value.clone();
    t.value = posts;
    out.push(t);
    match (&d.response_rate, &d.response_time, &d.care) {
        (Some(rate), Some(time), Some(care)) => {
            out.push(tile(tr, rate.current.label(locale).to_string(), rate, tr.t1("analytics-received", "count", care.received)));
            out.push(tile(tr, time.current.label(locale).to_string(), time, String::new()));
        }
        // A pillar or a campaign: the tiles stay, saying why they are empty.
        _ => {
            for kpi in [relais_core::kpi::Kpi::ResponseRate, relais_core::kpi::Kpi::ResponseTimeMedian] {
                out.push(Tile {
                    label: kpi.name(locale).to_string(),
                    value: tr.t("analytics-not-applicable"),
                    detail: tr.t("analytics-care-by-account"),
                    change: None,
                    direction: "none",
                });
            }
        }
    }
    out
}

pub fn post_rows(d: &Dashboard, posts: &[PostPerformance], ws: &InWorkspace) -> Vec<PostRow> {
    let tr = ws.tr();
    posts
        .iter()
        .map(|p| {
            let base = d.basis.of(&p.result).unwrap_or(0);
            PostRow {
                href: format!("{}/posts/{}", ws.base(), p.post_id),
                excerpt: excerpt(&p.title, 80),
                network: network_label(tr, &p.network),
                date: tr.datetime(p.published_at, &ws.workspace.time_zone),
                engagements: Value::Count(p.result.engagements.total() as i64).display(tr.locale),
                rate: relais_core::kpi::engagement::rate(d.basis, p.result.engagements.total(), base).display(tr.locale),
            }
        })
        .collect()
}

/// The first `max` characters of `text`, cut on a character boundary with an ellipsis.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max { text.to_string() } else { format!("{}…", text.chars().take(max - 1).collect::<String>()) }
}

pub fn objective_views(d: &Dashboard, tr: Tr) -> Vec<ObjectiveView> {
    d.objectives
        .iter()
        .map(|s| {
            let status = s.assessment.map(|a| a.status).unwrap_or(relais_core::kpi::Status::NoData);
            ObjectiveView {
                title: s.record.title.clone(),
                kpi: s.objective.as_ref().map(|o| o.kpi().name(tr.locale).to_string()).unwrap_or_else(|| s.record.kpi.clone()),
                target: s.objective.as_ref().map(|o| o.target().display(tr.locale)).unwrap_or_default(),
                current: s.assessment.and_then(|a| a.current).map(|f| f.display(tr.locale)).unwrap_or_else(|| "—".into()),
                status: status.name(tr.locale).to_string(),
                status_key: status.key(),
            }
        })
        .collect()
}

/// The workspace's primary colour, for the charts.
pub fn brand_colour(ws: &relais_store::Workspace) -> Option<Colour> {
    Colour::parse("primary_colour", &ws.primary_colour).ok()
}

/// The selection of the query, or the page's error naming the field at fault.
pub fn selection(ws: &InWorkspace, q: &AnalyticsQuery) -> Result<Selection, PageError> {
    let tr = ws.tr();
    Selection::of(q, &ws.workspace.time_zone)
        .map_err(|e| PageError::unprocessable(tr, tr.t1("analytics-error-query", "reason", e.to_string())))
}

/// The dashboard of the query; a scope from another workspace is not found.
pub async fn dashboard(app: &AppState, ws: &InWorkspace, q: &AnalyticsQuery) -> Result<Dashboard, PageError> {
    let sel = selection(ws, q)?;
    let tr = ws.tr();
    Dashboard::load(&app.store, &ws.workspace, sel).await.map_err(|e| match e {
        StoreError::NotFound(_) => PageError::not_found(tr),
        e => PageError::store(tr, e),
    })
}

pub async fn show(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<AnalyticsQuery>) -> Response {
    if let Err(e) = ws.require(Action::ViewReports) {
        return e.into_response();
    }
    let tr = ws.tr();
    let d = match dashboard(&app, &ws, &q).await {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let scopes = match scope_options(&app.store, &ws.workspace.id, tr).await {
        Ok(s) => s,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let commentary = match app.store.report_commentary(&ws.workspace.id, &d.sel.scope_key, &d.sel.first_day(), &d.sel.last_day()).await {
        Ok(c) => c.map(|c| c.body).unwrap_or_default(),
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let paid = super::campaigns::paid_tiles(&d, tr);
    let page = AnalyticsPage {
        c: Chrome::workspace(&ws, Some(Section::Analytics)),
        base: ws.base(),
        from: d.sel.first_day(),
        to: d.sel.last_day(),
        scope: d.sel.scope_key.clone(),
        scopes,
        query: d.sel.query(),
        tiles: tiles(&d, tr),
        paid,
        charts: charts(&d, tr, brand_colour(&ws.workspace)),
        top: post_rows(&d, &d.top, &ws),
        flop: post_rows(&d, &d.flop, &ws),
        objectives: objective_views(&d, tr),
        care: d.care.as_ref().map(|c| care_lines(c, tr)).unwrap_or_default(),
        care_note: care_note(&d.sel.scope, tr),
        commentary,
        can_write: ws.require(Action::ManageReports).is_ok(),
    };
    render(&page, tr)
}

#[derive(Deserialize)]
pub struct CommentaryForm {
    from: String,
    to: String,
    scope: String,
    #[serde(default)]
    body: String,
}

/// Writes the commentary of a period and scope (admin and SMM); back to the same analytics.
pub async fn save_commentary(State(app): State<AppState>, ws: InWorkspace, PageForm(form): PageForm<CommentaryForm>) -> Response {
    if let Err(e) = ws.require(Action::ManageReports) {
        return e.into_response();
    }
    let tr = ws.tr();
    let q = AnalyticsQuery { from: Some(form.from), to: Some(form.to), scope: Some(form.scope), lang: None };
    let sel = match selection(&ws, &q) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    if let Err(e) = super::analytics_data::check_scope(&app.store, &ws.workspace.id, &sel.scope).await {
        return match e {
            StoreError::NotFound(_) => PageError::not_found(tr).into_response(),
            e => PageError::store(tr, e).into_response(),
        };
    }
    if form.body.chars().count() > COMMENTARY_MAX_CHARS {
        return PageError::unprocessable(tr, tr.t1("analytics-commentary-too-long", "max", COMMENTARY_MAX_CHARS)).into_response();
    }
    let saved = app
        .store
        .save_report_commentary(&ws.workspace.id, &sel.scope_key, &sel.first_day(), &sel.last_day(), &form.body, Some(&ws.me.user().id))
        .await;
    if let Err(e) = saved {
        return PageError::store(tr, e).into_response();
    }
    let details = serde_json::json!({"scope": sel.scope_key, "from": sel.first_day(), "to": sel.last_day()});
    if let Err(e) = audit(&app, &ws, "report.commentary_saved", &sel.scope_key, details).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/analytics?{}#commentary", ws.base(), sel.query())).into_response()
}
