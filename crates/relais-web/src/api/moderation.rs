//! Moderation rules over the API: list, create, update, delete, and the dry run of one rule or of
//! the whole set on the last 30 days (which changes nothing).

use super::{ApiCaller, ApiJson};
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use relais_core::moderation::{CompiledRule, Conditions, Rule, RuleAction, RuleSet};
use relais_core::{Action, now_ms};
use relais_store::StoreError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const DRY_RUN_DAYS: i64 = 30;
const DRY_RUN_EXAMPLES: usize = 20;

/// A rule. `conditions` and `actions` are those of the rule form: conditions `words`,
/// `patterns`, `language`, `sentiment`, `toxicity_above` (thousandths), `authors_listed`,
/// `authors_exempt`, `min_links`, `repeated` (`{times, window_minutes}`); actions tagged by
/// `type`: hide, delete, flag, assign (`member_id`), tag (`tag`), auto_reply (`text`), notify
/// (`member_ids`).
#[derive(Serialize, ToSchema)]
pub struct RuleOut {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub stop: bool,
    #[schema(value_type = Object)]
    pub conditions: Conditions,
    #[schema(value_type = Vec<Object>)]
    pub actions: Vec<RuleAction>,
}

impl From<Rule> for RuleOut {
    fn from(r: Rule) -> Self {
        RuleOut { id: r.id, name: r.name, enabled: r.enabled, stop: r.stop, conditions: r.conditions, actions: r.actions }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleIn {
    pub name: String,
    #[serde(default = "enabled")]
    pub enabled: bool,
    #[serde(default)]
    pub stop: bool,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub conditions: Conditions,
    #[schema(value_type = Vec<Object>)]
    pub actions: Vec<RuleAction>,
}

fn enabled() -> bool {
    true
}

impl RuleIn {
    fn compile(self, id: &str) -> Result<CompiledRule, ApiError> {
        CompiledRule::compile(Rule {
            id: id.to_string(),
            name: self.name,
            enabled: self.enabled,
            stop: self.stop,
            conditions: self.conditions,
            actions: self.actions,
        })
        .map_err(|e| ApiError {
            field: Some(e.field.into()),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-field", e.to_string())
        })
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DryRunIn {
    /// The rule to try; absent: the workspace's enabled rules.
    pub rule: Option<RuleIn>,
}

#[derive(Serialize, ToSchema)]
pub struct DryRunLineOut {
    pub rule_id: String,
    pub rule_name: String,
    pub action: String,
    pub count: u64,
}

#[derive(Serialize, ToSchema)]
pub struct DryRunExampleOut {
    pub rule_name: String,
    pub actions: Vec<String>,
    pub text: String,
    pub author_handle: String,
    pub created_at: i64,
}

#[derive(Serialize, ToSchema)]
pub struct DryRunOut {
    pub days: i64,
    pub scanned: u64,
    pub matched: u64,
    pub lines: Vec<DryRunLineOut>,
    pub examples: Vec<DryRunExampleOut>,
}

async fn existing(app: &AppState, workspace_id: &str, rule: &str) -> Result<(), ApiError> {
    match app.store.moderation_rule(workspace_id, rule).await {
        Ok(_) => Ok(()),
        Err(StoreError::NotFound(_)) => Err(ApiError::not_found("moderation rule")),
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/moderation/rules", params(("id" = String, Path)),
    responses((status = 200, body = Vec<RuleOut>), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn list(State(app): State<AppState>, caller: ApiCaller, Path(id): Path<String>) -> Result<Json<Vec<RuleOut>>, ApiError> {
    caller.require(&id, Action::Moderate)?;
    Ok(Json(app.store.moderation_rules(&id).await?.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/workspaces/{id}/moderation/rules", params(("id" = String, Path)), request_body = RuleIn,
    responses((status = 201, body = RuleOut), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RuleIn>,
) -> Result<(StatusCode, Json<RuleOut>), ApiError> {
    caller.require(&id, Action::Moderate)?;
    let rule = body.compile("")?;
    Ok((StatusCode::CREATED, Json(app.store.save_moderation_rule(&id, &rule).await?.into())))
}

#[utoipa::path(put, path = "/api/v1/workspaces/{id}/moderation/rules/{rule}", params(("id" = String, Path), ("rule" = String, Path)),
    request_body = RuleIn,
    responses((status = 200, body = RuleOut), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, rule)): Path<(String, String)>,
    ApiJson(body): ApiJson<RuleIn>,
) -> Result<Json<RuleOut>, ApiError> {
    caller.require(&id, Action::Moderate)?;
    existing(&app, &id, &rule).await?;
    let compiled = body.compile(&rule)?;
    Ok(Json(app.store.save_moderation_rule(&id, &compiled).await?.into()))
}

#[utoipa::path(delete, path = "/api/v1/workspaces/{id}/moderation/rules/{rule}", params(("id" = String, Path), ("rule" = String, Path)),
    responses((status = 204), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path((id, rule)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    caller.require(&id, Action::Moderate)?;
    existing(&app, &id, &rule).await?;
    app.store.delete_moderation_rule(&id, &rule).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/workspaces/{id}/moderation/dry-run", params(("id" = String, Path)), request_body = DryRunIn,
    responses((status = 200, body = DryRunOut), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn dry_run(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<DryRunIn>,
) -> Result<Json<DryRunOut>, ApiError> {
    caller.require(&id, Action::Moderate)?;
    let rules = match body.rule {
        Some(r) => {
            let mut rule = r.compile("dry-run")?.rule;
            rule.enabled = true;
            vec![rule]
        }
        None => app.store.moderation_rules(&id).await?,
    };
    let (set, _) = RuleSet::compile(rules);
    let run = app.store.moderation_dry_run(&id, &set, now_ms() - DRY_RUN_DAYS * 86_400_000, DRY_RUN_EXAMPLES).await?;
    Ok(Json(DryRunOut {
        days: DRY_RUN_DAYS,
        scanned: run.scanned,
        matched: run.matched,
        lines: run
            .lines
            .into_iter()
            .map(|l| DryRunLineOut { rule_id: l.rule_id, rule_name: l.rule_name, action: l.action, count: l.count })
            .collect(),
        examples: run
            .examples
            .into_iter()
            .map(|e| DryRunExampleOut {
                rule_name: e.rule_name,
                actions: e.actions,
                text: e.text,
                author_handle: e.author_handle,
                created_at: e.created_at,
            })
            .collect(),
    }))
}
