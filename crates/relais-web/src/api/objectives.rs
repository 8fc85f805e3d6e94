//! Objectives over the API: list them with where they stand today, create, edit and delete them.
//! Targets are written the way the form takes them ("1 500", "4,5 %", "2 h 30", "1,20" with a
//! currency) and come back both as that text and as the plain number of the KPI's unit.

use super::{ApiCaller, ApiJson};
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::pages::objectives::{ObjectiveForm, Standing, standings};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relais_core::kpi::target_text;
use relais_core::{Action, Locale};
use relais_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An objective and where it stands today (in the workspace's time zone).
#[derive(Serialize, ToSchema)]
pub struct ObjectiveOut {
    pub id: String,
    pub title: String,
    /// A KPI key: follower_growth, engagement_rate_by_reach, response_time_median, cost_per_click, …
    pub kpi: String,
    /// The target as the form shows it ("4.5 %", "2 h 30").
    pub target: String,
    /// The target as a plain number of the KPI's unit: a fraction for a percentage, cents for
    /// money, milliseconds for a duration.
    pub target_value: f64,
    pub currency: Option<String>,
    /// YYYY-MM-DD, both included.
    pub starts_on: String,
    pub ends_on: String,
    /// workspace | network | account | pillar | campaign
    pub scope: String,
    /// The network key or the account, pillar or campaign id.
    pub scope_id: Option<String>,
    /// not_started | no_data | on_track | at_risk | off_track | reached | missed; null when the
    /// KPI is not measured (see `unmeasured`).
    pub status: Option<String>,
    /// The latest value, as a plain number of the KPI's unit, and as a reader sees it.
    pub current: Option<f64>,
    pub current_display: Option<String>,
    /// Share of the target reached (1.0 = reached).
    pub progress: Option<f64>,
    /// The trend's value on the last day.
    pub projection: Option<f64>,
    /// Why the KPI is not measured: campaign-currency, competitors.
    pub unmeasured: Option<String>,
}

impl From<Standing> for ObjectiveOut {
    fn from(s: Standing) -> Self {
        let a = s.assessment;
        ObjectiveOut {
            target: s.objective.as_ref().map(|o| target_text(o.target())).unwrap_or_default(),
            id: s.record.id,
            title: s.record.title,
            kpi: s.record.kpi,
            target_value: s.record.target,
            currency: s.record.currency,
            starts_on: s.record.starts_on,
            ends_on: s.record.ends_on,
            scope: s.record.scope_kind,
            scope_id: s.record.scope_id,
            status: a.map(|a| a.status.key().to_string()),
            current: a.and_then(|a| a.current).and_then(|f| f.number()),
            current_display: a.and_then(|a| a.current).map(|f| f.display(Locale::En)),
            progress: a.and_then(|a| a.progress).and_then(|f| f.number()),
            projection: a.and_then(|a| a.projection).and_then(|f| f.number()),
            unmeasured: s.unmeasured.map(str::to_string),
        }
    }
}

/// An objective to create or replace.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveIn {
    pub title: String,
    /// A KPI key (see `ObjectiveOut::kpi`).
    pub kpi: String,
    /// In the KPI's unit, as the form takes it: "1500", "4,5 %", "2 h 30", "1.20".
    pub target: String,
    /// Three letters, for an amount.
    #[serde(default)]
    pub currency: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    /// workspace | network | account | pillar | campaign
    pub scope: String,
    /// The network key or the account, pillar or campaign id (not for the workspace).
    #[serde(default)]
    pub scope_id: Option<String>,
}

impl ObjectiveIn {
    fn form(&self) -> ObjectiveForm {
        ObjectiveForm::from_parts(
            &self.title,
            &self.kpi,
            &self.target,
            self.currency.as_deref().unwrap_or(""),
            &self.starts_on,
            &self.ends_on,
            &match &self.scope_id {
                Some(id) => format!("{}:{id}", self.scope),
                None => self.scope.clone(),
            },
        )
    }
}

async fn one(app: &AppState, workspace_id: &str, id: &str) -> Result<ObjectiveOut, ApiError> {
    let ws = app.store.workspace(workspace_id).await?;
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get(&ws.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)).date();
    standings(&app.store, workspace_id, &ws.time_zone, today)
        .await?
        .into_iter()
        .find(|s| s.record.id == id)
        .map(Into::into)
        .ok_or_else(|| ApiError::not_found("objective"))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/objectives", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ObjectiveOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(app): State<AppState>, caller: ApiCaller, Path(id): Path<String>) -> Result<Json<Vec<ObjectiveOut>>, ApiError> {
    caller.require(&id, Action::ViewReports)?;
    let ws = app.store.workspace(&id).await?;
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::get(&ws.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)).date();
    Ok(Json(standings(&app.store, &id, &ws.time_zone, today).await?.into_iter().map(Into::into).collect()))
}

/// Saves `body` as a new objective (`objective` `None`) or over one.
async fn save(app: &AppState, caller: &ApiCaller, id: &str, objective: Option<&str>, body: &ObjectiveIn) -> Result<ObjectiveOut, ApiError> {
    caller.require(id, Action::ManageStrategy)?;
    let (title, validated) = body.form().input().map_err(|errors| {
        let first = errors.into_iter().next().expect("a refused objective has a reason");
        // The API's fields are the body's: the form's date fields carry the same names.
        ApiError::from(first)
    })?;
    let saved = match app.store.save_objective(id, objective, &title, &validated, None).await {
        Err(StoreError::Conflict(message)) => {
            return Err(ApiError {
                field: Some("scope_id".into()),
                ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", message)
            });
        }
        other => other?,
    };
    let action = if objective.is_some() { "objective.updated" } else { "objective.created" };
    caller.audit(app, id, action, &saved.title).await?;
    one(app, id, &saved.id).await
}

#[utoipa::path(post, path = "/api/v1/workspaces/{id}/objectives", params(("id" = String, Path)), request_body = ObjectiveIn,
    responses((status = 201, body = ObjectiveOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ObjectiveIn>,
) -> Result<(StatusCode, Json<ObjectiveOut>), ApiError> {
    Ok((StatusCode::CREATED, Json(save(&app, &caller, &id, None, &body).await?)))
}

#[utoipa::path(put, path = "/api/v1/workspaces/{id}/objectives/{objective}", params(("id" = String, Path), ("objective" = String, Path)),
    request_body = ObjectiveIn,
    responses((status = 200, body = ObjectiveOut), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, objective)): Path<(String, String)>,
    ApiJson(body): ApiJson<ObjectiveIn>,
) -> Result<Json<ObjectiveOut>, ApiError> {
    Ok(Json(save(&app, &caller, &id, Some(&objective), &body).await?))
}

#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/objectives/{objective}", params(("id" = String, Path), ("objective" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, objective)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(&id, Action::ManageStrategy)?;
    let record = app.store.objective(&id, &objective).await?;
    app.store.delete_objective(&id, &objective).await?;
    caller.audit(&app, &id, "objective.deleted", &record.title).await?;
    Ok(StatusCode::NO_CONTENT)
}
