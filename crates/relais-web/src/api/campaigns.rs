//! A paid campaign over the API: its plan (objective, budget, targeting), and its results, which
//! an integration pushes from the ad manager day by day (a day sent again replaces the stored
//! one) and reads back with the KPIs.

use super::{ApiCaller, ApiJson};
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relais_core::campaign_plan::{CampaignObjective, CampaignPlan};
use relais_core::campaign_results::{DayResult, Totals};
use relais_core::kpi::Currency;
use relais_core::recurrence::parse_date;
use relais_core::{Action, ValidationError};
use relais_store::ResultSource;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One day of a campaign's results; amounts in cents of the campaign's currency.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayIo {
    /// `YYYY-MM-DD`, within the campaign's dates when it has them.
    pub day: String,
    pub spend_cents: i64,
    #[serde(default)]
    pub impressions: u64,
    #[serde(default)]
    pub clicks: u64,
    #[serde(default)]
    pub conversions: u64,
    #[serde(default)]
    pub conversion_value_cents: i64,
}

/// A campaign's results, their totals and KPIs (null when not available).
#[derive(Serialize, ToSchema)]
pub struct ResultsOut {
    pub currency: String,
    pub days: Vec<DayIo>,
    pub spend_cents: i64,
    pub click_through_rate: Option<f64>,
    pub cost_per_click_cents: Option<i64>,
    pub cost_per_acquisition_cents: Option<i64>,
    pub return_on_ad_spend: Option<f64>,
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/campaigns/{campaign}/results",
    params(("id" = String, Path), ("campaign" = String, Path)),
    responses((status = 200, body = ResultsOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_results(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, campaign)): Path<(String, String)>,
) -> Result<Json<ResultsOut>, ApiError> {
    caller.require(&id, Action::ManageCampaigns)?;
    results(&app, &id, &campaign).await.map(Json)
}

async fn results(app: &AppState, id: &str, campaign: &str) -> Result<ResultsOut, ApiError> {
    let c = app.store.campaign(id, campaign).await?;
    let days = app.store.campaign_results(id, campaign).await?;
    let totals = Totals::of(&days);
    let [ctr, cpc, cpa, roas] = totals.kpis(c.currency());
    let cents = |f: relais_core::kpi::Figure| f.number().map(|n| n.round() as i64);
    Ok(ResultsOut {
        currency: c.currency,
        spend_cents: totals.spend_cents,
        click_through_rate: ctr.number(),
        cost_per_click_cents: cents(cpc),
        cost_per_acquisition_cents: cents(cpa),
        return_on_ad_spend: roas.number(),
        days: days
            .into_iter()
            .map(|d| DayIo {
                day: d.day.to_string(),
                spend_cents: d.spend_cents,
                impressions: d.impressions,
                clicks: d.clicks,
                conversions: d.conversions,
                conversion_value_cents: d.conversion_value_cents,
            })
            .collect(),
    })
}

#[utoipa::path(put, path = "/api/v1/workspaces/{id}/campaigns/{campaign}/results",
    params(("id" = String, Path), ("campaign" = String, Path)), request_body = Vec<DayIo>,
    responses((status = 200, body = ResultsOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "A day is wrong: nothing is stored")))]
pub async fn put_results(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, campaign)): Path<(String, String)>,
    ApiJson(body): ApiJson<Vec<DayIo>>,
) -> Result<Json<ResultsOut>, ApiError> {
    caller.require(&id, Action::ManageCampaigns)?;
    let c = app.store.campaign(&id, &campaign).await?;
    let period = c.period();
    let mut days = vec![];
    for (i, d) in body.iter().enumerate() {
        let refuse = |why: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", format!("day {}: {why}", i + 1));
        let day = parse_date("day", &d.day).map_err(|e| refuse(e.message))?;
        if let Some(p) = period.filter(|p| !p.contains(day)) {
            return Err(refuse(format!("{day} is outside the campaign ({} to {})", p.first(), p.last())));
        }
        if d.spend_cents < 0 || d.conversion_value_cents < 0 {
            return Err(refuse("an amount cannot be negative".into()));
        }
        if days.iter().any(|r: &DayResult| r.day == day) {
            return Err(refuse(format!("{day} is sent twice")));
        }
        days.push(DayResult {
            day,
            spend_cents: d.spend_cents,
            impressions: d.impressions,
            clicks: d.clicks,
            conversions: d.conversions,
            conversion_value_cents: d.conversion_value_cents,
        });
    }
    app.store.record_campaign_results(&id, &campaign, &days, ResultSource::Api).await?;
    caller.audit(&app, &id, "campaign.results_saved", &c.name).await?;
    results(&app, &id, &campaign).await.map(Json)
}

/// A campaign's paid plan; the budget in cents of `currency` (an ISO 4217 code).
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanIo {
    /// `awareness`, `traffic`, `engagement`, `leads`, `conversions`, `sales` or `app_installs`;
    /// null for none.
    #[serde(default)]
    pub objective: Option<String>,
    /// The whole campaign's budget (not a daily one).
    #[serde(default)]
    pub budget_cents: Option<i64>,
    pub currency: String,
    #[serde(default)]
    pub targeting: String,
    #[serde(default)]
    pub locations: String,
    #[serde(default)]
    pub age_min: Option<u8>,
    #[serde(default)]
    pub age_max: Option<u8>,
}

fn plan_out(plan: &CampaignPlan) -> PlanIo {
    PlanIo {
        objective: plan.objective.map(|o| o.key().to_string()),
        budget_cents: plan.budget.map(|b| b.cents),
        currency: plan.currency.to_string(),
        targeting: plan.targeting.clone(),
        locations: plan.locations.clone(),
        age_min: plan.age_min,
        age_max: plan.age_max,
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/campaigns/{campaign}/plan",
    params(("id" = String, Path), ("campaign" = String, Path)),
    responses((status = 200, body = PlanIo), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_plan(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, campaign)): Path<(String, String)>,
) -> Result<Json<PlanIo>, ApiError> {
    caller.require(&id, Action::ManageCampaigns)?;
    Ok(Json(plan_out(&app.store.campaign(&id, &campaign).await?.plan())))
}

#[utoipa::path(put, path = "/api/v1/workspaces/{id}/campaigns/{campaign}/plan",
    params(("id" = String, Path), ("campaign" = String, Path)), request_body = PlanIo,
    responses((status = 200, body = PlanIo), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json", description = "A field is wrong: nothing is stored")))]
pub async fn put_plan(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, campaign)): Path<(String, String)>,
    ApiJson(body): ApiJson<PlanIo>,
) -> Result<Json<PlanIo>, ApiError> {
    caller.require(&id, Action::ManageCampaigns)?;
    let c = app.store.campaign(&id, &campaign).await?;
    let objective = match body.objective.as_deref() {
        None | Some("") => None,
        Some(key) => Some(CampaignObjective::from_key(key).ok_or_else(|| {
            ApiError::from(ValidationError::new("objective", "error-campaign-objective", format!("“{key}” is not a campaign objective")))
        })?),
    };
    let currency = Currency::parse(&body.currency)?;
    let plan = CampaignPlan::new(objective, body.budget_cents, currency, &body.targeting, &body.locations, (body.age_min, body.age_max))
        .map_err(|mut errors| ApiError::from(errors.remove(0)))?;
    app.store.save_campaign_plan(&id, &campaign, &plan).await?;
    caller.audit(&app, &id, "campaign.plan_saved", &c.name).await?;
    Ok(Json(plan_out(&app.store.campaign(&id, &campaign).await?.plan())))
}
