//! The brand charter, content pillars and campaigns over the API: what an integration (or the
//! composer of another tool) needs to write posts that follow the strategy.

use super::{ApiCaller, ApiJson};
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relais_core::brand_charter::{BrandCharter, NetworkRules};
use relais_core::recurrence::{check_order, parse_date};
use relais_core::text_rules::Charter;
use relais_core::values::parse_target_share;
use relais_core::{Action, Colour, Name};
use relais_store::{Campaign, CampaignInput, Pillar, PillarInput};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// What one network adds to the common charter.
#[derive(Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct NetworkRulesIo {
    #[serde(default)]
    pub words_to_avoid: Vec<String>,
    #[serde(default)]
    pub mandatory: Vec<String>,
    /// Replaces the common limit on this network.
    #[serde(default)]
    pub max_hashtags: Option<usize>,
}

/// The brand charter.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CharterIo {
    /// Words or phrases flagged in posts, matched ignoring case and accents, on word boundaries.
    #[serde(default)]
    pub words_to_avoid: Vec<String>,
    /// Mentions, hashtags or phrases every post must contain.
    #[serde(default)]
    pub mandatory: Vec<String>,
    /// At most this many hashtags per post; null for no limit.
    #[serde(default)]
    pub max_hashtags: Option<usize>,
    #[serde(default)]
    pub tone_notes: String,
    /// Rules added per network key: bluesky, mastodon, sandbox.
    #[serde(default)]
    pub per_network: BTreeMap<String, NetworkRulesIo>,
}

impl From<BrandCharter> for CharterIo {
    fn from(c: BrandCharter) -> Self {
        CharterIo {
            words_to_avoid: c.base.words_to_avoid,
            mandatory: c.base.mandatory,
            max_hashtags: c.base.max_hashtags,
            tone_notes: c.base.tone_notes,
            per_network: c
                .per_network
                .into_iter()
                .map(|(k, r)| {
                    (k, NetworkRulesIo { words_to_avoid: r.words_to_avoid, mandatory: r.mandatory, max_hashtags: r.max_hashtags })
                })
                .collect(),
        }
    }
}

impl From<CharterIo> for BrandCharter {
    fn from(c: CharterIo) -> Self {
        BrandCharter {
            base: Charter {
                words_to_avoid: c.words_to_avoid,
                mandatory: c.mandatory,
                max_hashtags: c.max_hashtags,
                tone_notes: c.tone_notes,
            },
            per_network: c
                .per_network
                .into_iter()
                .map(|(k, r)| (k, NetworkRules { words_to_avoid: r.words_to_avoid, mandatory: r.mandatory, max_hashtags: r.max_hashtags }))
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PillarOut {
    pub id: String,
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// Percent of the calendar aimed at.
    pub target_share: Option<i64>,
    /// How many posts carry it.
    pub posts: i64,
}

impl From<Pillar> for PillarOut {
    fn from(p: Pillar) -> Self {
        PillarOut { id: p.id, name: p.name, colour: p.colour, target_share: p.target_share, posts: p.posts }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PillarIn {
    pub name: String,
    /// `#rrggbb`.
    pub colour: String,
    /// 0 to 100.
    pub target_share: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CampaignOut {
    pub id: String,
    pub name: String,
    pub colour: String,
    /// `YYYY-MM-DD`, inclusive.
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    pub posts: i64,
}

impl From<Campaign> for CampaignOut {
    fn from(c: Campaign) -> Self {
        CampaignOut { id: c.id, name: c.name, colour: c.colour, starts_on: c.starts_on, ends_on: c.ends_on, posts: c.posts }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignIn {
    pub name: String,
    pub colour: String,
    /// `YYYY-MM-DD`.
    pub starts_on: Option<String>,
    /// `YYYY-MM-DD`, not before `starts_on`.
    pub ends_on: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/charter", params(("id" = String, Path)),
    responses((status = 200, body = CharterIo), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn get_charter(State(app): State<AppState>, caller: ApiCaller, Path(id): Path<String>) -> Result<Json<CharterIo>, ApiError> {
    caller.require(&id, Action::ReadCharter)?;
    Ok(Json(app.store.charter(&id).await?.into()))
}

#[utoipa::path(put, path = "/api/v1/workspaces/{id}/charter", params(("id" = String, Path)), request_body = CharterIo,
    responses((status = 200, body = CharterIo), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn put_charter(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CharterIo>,
) -> Result<Json<CharterIo>, ApiError> {
    caller.require(&id, Action::ManageStrategy)?;
    let charter = BrandCharter::from(body).normalised()?;
    app.store.save_charter(&id, &charter).await?;
    caller.audit(&app, &id, "charter.saved", "").await?;
    Ok(Json(charter.into()))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/pillars", params(("id" = String, Path)),
    responses((status = 200, body = Vec<PillarOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_pillars(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<PillarOut>>, ApiError> {
    caller.require(&id, Action::ViewCalendar)?;
    Ok(Json(app.store.pillars(&id).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{id}/pillars", params(("id" = String, Path)), request_body = PillarIn,
    responses((status = 201, body = PillarOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The name is taken"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_pillar(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PillarIn>,
) -> Result<(StatusCode, Json<PillarOut>), ApiError> {
    caller.require(&id, Action::ManageStrategy)?;
    let input = PillarInput {
        name: Name::parse("name", &body.name)?,
        colour: Colour::parse("colour", &body.colour)?,
        target_share: parse_target_share(&body.target_share.map(|s| s.to_string()).unwrap_or_default())?,
    };
    let pillar = app.store.create_pillar(&id, &input).await?;
    caller.audit(&app, &id, "pillar.created", &pillar.name).await?;
    Ok((StatusCode::CREATED, Json(pillar.into())))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/campaigns", params(("id" = String, Path)),
    responses((status = 200, body = Vec<CampaignOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list_campaigns(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<Vec<CampaignOut>>, ApiError> {
    caller.require(&id, Action::ViewCalendar)?;
    Ok(Json(app.store.campaigns(&id).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{id}/campaigns", params(("id" = String, Path)), request_body = CampaignIn,
    responses((status = 201, body = CampaignOut), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json", description = "The name is taken"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create_campaign(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CampaignIn>,
) -> Result<(StatusCode, Json<CampaignOut>), ApiError> {
    caller.require(&id, Action::ManageStrategy)?;
    let starts_on = body.starts_on.as_deref().map(|d| parse_date("starts_on", d)).transpose()?;
    let ends_on = body.ends_on.as_deref().map(|d| parse_date("ends_on", d)).transpose()?;
    if let (Some(s), Some(e)) = (starts_on, ends_on) {
        check_order(s, e)?;
    }
    let input =
        CampaignInput { name: Name::parse("name", &body.name)?, colour: Colour::parse("colour", &body.colour)?, starts_on, ends_on };
    let campaign = app.store.create_campaign(&id, &input).await?;
    caller.audit(&app, &id, "campaign.created", &campaign.name).await?;
    Ok((StatusCode::CREATED, Json(campaign.into())))
}
