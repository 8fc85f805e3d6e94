//! Customer care over the API: bulk actions on inbox messages, the care figures of a period,
//! and the care settings (business hours, the satisfaction question). Saved replies are in
//! `saved_replies`.

use super::{ApiCaller, ApiJson, ApiQuery};
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::pages::care::{PeriodQuery, SettingsForm, bulk_action_of, form_of, period_figures, period_of, run_bulk, settings_of};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relais_core::Action;
use relais_core::care_figures::{CareFigures, Durations};
use relais_store::Actor;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

fn invalid(field: &str, detail: String) -> ApiError {
    ApiError { field: Some(field.into()), ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", detail) }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkIn {
    /// Message ids, all of this workspace (a foreign id refuses the whole action).
    pub ids: Vec<String>,
    /// status, assign, unassign, tag or untag.
    pub op: String,
    /// The status, the assignee's user id (empty to unassign) or the tag.
    #[serde(default)]
    pub value: String,
}

#[derive(Serialize, ToSchema)]
pub struct BulkOut {
    /// Messages whose state changed.
    pub changed: u64,
}

#[utoipa::path(post, path = "/api/v1/workspaces/{id}/inbox/bulk", params(("id" = String, Path)), request_body = BulkIn,
    responses((status = 200, body = BulkOut), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn bulk(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<BulkIn>,
) -> Result<Json<BulkOut>, ApiError> {
    caller.require(&id, Action::UseInbox)?;
    let members = app.store.members(&id).await?;
    let action = bulk_action_of(&b.op, &b.value, &members).map_err(|(f, r)| invalid(f, r))?;
    let actor = Actor { id: None, label: format!("API token {}", caller.0.name) };
    match run_bulk(&app.store, &id, &b.ids, &action, &actor).await? {
        Ok(changed) => Ok(Json(BulkOut { changed })),
        Err((field, reason)) => Err(invalid(field, reason)),
    }
}

#[derive(Serialize, ToSchema)]
pub struct DurationsOut {
    pub count: usize,
    /// Milliseconds.
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

impl From<Durations> for DurationsOut {
    fn from(d: Durations) -> Self {
        DurationsOut { count: d.count, median_ms: d.median, p90_ms: d.p90 }
    }
}

#[derive(Serialize, ToSchema)]
pub struct FiguresOut {
    /// The account's or member's id; absent for the workspace.
    pub id: Option<String>,
    pub received: u64,
    /// Answered from Relais (a first response was sent).
    pub answered: u64,
    pub resolved: u64,
    /// answered / received, 0 to 1; absent when nothing was received.
    pub response_rate: Option<f64>,
    pub resolution_rate: Option<f64>,
    pub first_response_business: DurationsOut,
    pub first_response_wall: DurationsOut,
    pub resolution_business: DurationsOut,
    pub resolution_wall: DurationsOut,
    pub satisfaction_average: Option<f64>,
    pub satisfaction_count: u64,
    /// How many ratings gave 1, 2, 3, 4 and 5.
    pub satisfaction_distribution: [u64; 5],
}

pub(super) fn out(id: Option<String>, f: CareFigures) -> FiguresOut {
    FiguresOut {
        id,
        received: f.received,
        answered: f.answered,
        resolved: f.resolved,
        response_rate: f.response_rate,
        resolution_rate: f.resolution_rate,
        first_response_business: f.first_response_business.into(),
        first_response_wall: f.first_response_wall.into(),
        resolution_business: f.resolution_business.into(),
        resolution_wall: f.resolution_wall.into(),
        satisfaction_average: f.satisfaction.average,
        satisfaction_count: f.satisfaction.count,
        satisfaction_distribution: f.satisfaction.distribution,
    }
}

#[derive(Serialize, ToSchema)]
pub struct CareOut {
    /// The period's first and last days (inclusive), in the workspace's time zone.
    pub from: String,
    pub to: String,
    pub workspace: FiguresOut,
    pub accounts: Vec<FiguresOut>,
    /// Per member who sent the first answer.
    pub members: Vec<FiguresOut>,
}

#[derive(Deserialize, IntoParams)]
pub struct CareParams {
    /// YYYY-MM-DD; default 29 days before `to`.
    pub from: Option<String>,
    /// YYYY-MM-DD, inclusive; default today.
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/care", params(("id" = String, Path), CareParams),
    responses((status = 200, body = CareOut), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn figures(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<CareParams>,
) -> Result<Json<CareOut>, ApiError> {
    caller.require(&id, Action::UseInbox)?;
    let ws = app.store.workspace(&id).await?;
    let (from, to, from_day, to_day) = period_of(&PeriodQuery { from: p.from, to: p.to }, &ws.time_zone).map_err(|(f, r)| invalid(f, r))?;
    let facts = app.store.care_facts(&id, from, to).await?;
    let settings = app.store.care_settings(&id).await?;
    let p = period_figures(&facts, &settings, &ws.time_zone);
    Ok(Json(CareOut {
        from: from_day,
        to: to_day,
        workspace: out(None, p.workspace),
        accounts: p.accounts.into_iter().map(|(a, f)| out(Some(a), f)).collect(),
        members: p.members.into_iter().map(|(m, f)| out(Some(m), f)).collect(),
    }))
}

/// Business hours and the satisfaction question. Each day is written as on the settings page:
/// `"09:00-12:00, 14:00-18:00"`, empty when closed; times are the workspace's.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CareSettingsIo {
    pub monday: String,
    pub tuesday: String,
    pub wednesday: String,
    pub thursday: String,
    pub friday: String,
    pub saturday: String,
    pub sunday: String,
    /// Days the team does not work besides the weekly pattern (YYYY-MM-DD).
    #[serde(default)]
    pub closed_days: Vec<String>,
    /// French public holidays count as closed.
    #[serde(default)]
    pub french_holidays: bool,
    /// Ask the author a 1–5 question once a member resolves the conversation.
    #[serde(default)]
    pub survey_enabled: bool,
    /// The questions (empty: Relais's default wording).
    #[serde(default)]
    pub survey_question_fr: String,
    #[serde(default)]
    pub survey_question_en: String,
}

impl From<SettingsForm> for CareSettingsIo {
    fn from(f: SettingsForm) -> Self {
        CareSettingsIo {
            monday: f.monday,
            tuesday: f.tuesday,
            wednesday: f.wednesday,
            thursday: f.thursday,
            friday: f.friday,
            saturday: f.saturday,
            sunday: f.sunday,
            closed_days: f.closed_days.split(',').map(str::trim).filter(|d| !d.is_empty()).map(str::to_string).collect(),
            french_holidays: f.french_holidays.is_some(),
            survey_enabled: f.survey_enabled.is_some(),
            survey_question_fr: f.question_fr,
            survey_question_en: f.question_en,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/care/settings", params(("id" = String, Path)),
    responses((status = 200, body = CareSettingsIo), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn get_settings(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<CareSettingsIo>, ApiError> {
    caller.require(&id, Action::UseInbox)?;
    Ok(Json(form_of(&app.store.care_settings(&id).await?).into()))
}

#[utoipa::path(put, path = "/api/v1/workspaces/{id}/care/settings", params(("id" = String, Path)), request_body = CareSettingsIo,
    responses((status = 200, body = CareSettingsIo), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_settings(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CareSettingsIo>,
) -> Result<Json<CareSettingsIo>, ApiError> {
    // Business hours decide the care figures the strategist reports: the same role as the page.
    caller.require(&id, Action::ManageStrategy)?;
    let form = SettingsForm {
        monday: body.monday,
        tuesday: body.tuesday,
        wednesday: body.wednesday,
        thursday: body.thursday,
        friday: body.friday,
        saturday: body.saturday,
        sunday: body.sunday,
        closed_days: body.closed_days.join(", "),
        french_holidays: body.french_holidays.then(|| "1".into()),
        survey_enabled: body.survey_enabled.then(|| "1".into()),
        question_fr: body.survey_question_fr,
        question_en: body.survey_question_en,
    };
    let settings = settings_of(&form).map_err(|(field, reason)| invalid(&field, reason))?;
    app.store.save_care_settings(&id, &settings).await?;
    caller.audit(&app, &id, "care.settings_saved", "").await?;
    Ok(Json(form_of(&app.store.care_settings(&id).await?).into()))
}
