//! Analytics over the API: the KPIs of a period and a scope, each with the same figure over the
//! previous period of the same length, as the analytics page shows them.

use super::ApiCaller;
use super::care::{self, FiguresOut};
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::pages::analytics_data::{AnalyticsQuery, Dashboard, Line, Selection};
use axum::Json;
use axum::extract::{Path, Query, State};
use relais_core::kpi::Figure;
use relais_core::{Action, Locale};
use relais_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// One KPI of the period.
#[derive(Serialize, ToSchema)]
pub struct FigureOut {
    /// A KPI key: follower_growth, engagement_rate_by_impressions, posting_frequency, response_rate, …
    pub kpi: String,
    /// The plain number of the KPI's unit (a fraction for a percentage, milliseconds for a
    /// duration, posts per week); null when not available.
    pub value: Option<f64>,
    /// As a reader sees it ("4.2%", "1 h 05 min", "n/a").
    pub display: String,
    /// count | percent | money | duration | per_week | ratio
    pub unit: String,
    /// The same KPI over the previous period of the same length.
    pub previous: Option<f64>,
    /// value − previous, in the KPI's unit (for a percentage, a difference of fractions).
    pub change: Option<f64>,
    /// better | worse | unchanged, judged by whether the KPI is better higher or lower; null
    /// when either figure is missing.
    pub direction: Option<String>,
}

/// The analytics of a period and a scope.
#[derive(Serialize, ToSchema)]
pub struct AnalyticsOut {
    /// YYYY-MM-DD, both included, in the workspace's time zone.
    pub from: String,
    pub to: String,
    pub scope: String,
    /// Followers at the end of the period; null for pillars and campaigns or before any measure.
    pub followers: Option<i64>,
    /// Impressions of the period's posts; null when their networks do not report them.
    pub impressions: Option<u64>,
    /// Publications of the period (a post on two accounts counts twice).
    pub publications: u64,
    pub figures: Vec<FigureOut>,
    /// False for a pillar or a campaign: messages belong to accounts (only some replies point at
    /// a post), so care has no figures there.
    pub care_applicable: bool,
    /// The care figures of the scope's messages (the workspace's, a network's accounts', an
    /// account's), as `/care/figures` computes them; null where not applicable.
    pub care: Option<FiguresOut>,
}

fn unit_key(f: &Figure) -> String {
    serde_json::to_value(f.kpi().unit()).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn figure(line: &Line) -> FigureOut {
    let c = line.comparison;
    FigureOut {
        kpi: line.current.kpi().key().to_string(),
        value: line.current.number(),
        display: line.current.display(Locale::En),
        unit: unit_key(&line.current),
        previous: c.and_then(|c| c.previous.number()),
        change: c.and_then(|c| c.change.ok()).map(|v| v.number()),
        direction: c.and_then(|c| c.direction).map(|d| format!("{d:?}").to_lowercase()),
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/analytics",
    params(("id" = String, Path), ("from" = Option<String>, Query, description = "First day, YYYY-MM-DD (default: 29 days before `to`)"),
        ("to" = Option<String>, Query, description = "Last day, YYYY-MM-DD (default: today in the workspace's time zone)"),
        ("scope" = Option<String>, Query, description = "workspace (default), network:KEY, account:ID, pillar:ID or campaign:ID")),
    responses((status = 200, body = AnalyticsOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Json<AnalyticsOut>, ApiError> {
    caller.require(&id, Action::ViewReports)?;
    let ws = app.store.workspace(&id).await?;
    let sel = Selection::of(&q, &ws.time_zone)?;
    let d = Dashboard::load(&app.store, &ws, sel).await.map_err(|e| match e {
        StoreError::NotFound(_) => ApiError::not_found("scope"),
        e => e.into(),
    })?;
    Ok(Json(AnalyticsOut {
        from: d.sel.first_day(),
        to: d.sel.last_day(),
        scope: d.sel.scope_key.clone(),
        followers: d.numbers.followers_end,
        impressions: d.numbers.posts.impressions,
        publications: d.numbers.posts.publications,
        figures: d.lines().iter().map(figure).collect(),
        care_applicable: d.care.is_some(),
        care: d.care.clone().map(|c| care::out(None, c)),
    }))
}
