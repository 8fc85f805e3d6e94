//! The JSON API, `/api/v1`, for integrations and scripts. Callers authenticate with an API token
//! (`Authorization: Bearer rls_…`) scoped to one workspace and one role; the same policy as the
//! pages decides what the token may do. Errors are `application/problem+json`.

mod analytics;
mod auth;
mod campaigns;
mod care;
mod inbox;
mod insights;
mod media;
mod moderation;
mod objectives;
mod posts;
mod saved_replies;
mod strategy;
mod workspaces;

use crate::app::AppState;
use crate::error::{ApiError, Problem};
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

pub use auth::ApiCaller;

#[derive(OpenApi)]
#[openapi(
    info(title = "Relais API", description = "The JSON API of Relais, a self-hosted social media desk. Authenticate with `Authorization: Bearer <API token>`; tokens are created by workspace admins under Settings → API tokens and carry one workspace and one role."),
    paths(workspaces::me, workspaces::list, workspaces::get_one, workspaces::update, workspaces::members, workspaces::audit,
        posts::list_accounts, posts::connect_account, posts::create_post, posts::get_post, posts::act, media::list, media::upload,
        strategy::get_charter, strategy::put_charter, strategy::list_pillars, strategy::create_pillar, strategy::list_campaigns, strategy::create_campaign,
        campaigns::get_results, campaigns::put_results, campaigns::get_plan, campaigns::put_plan,
        inbox::list, inbox::get_one, inbox::reply, care::bulk, care::figures, moderation::list, moderation::create, moderation::update,
        moderation::delete, moderation::dry_run, insights::list, saved_replies::list, saved_replies::create, saved_replies::update,
        saved_replies::delete, care::get_settings, care::put_settings, objectives::list, objectives::create, objectives::update,
        objectives::delete, analytics::get),
    components(schemas(Problem, workspaces::Me, workspaces::WorkspaceOut, workspaces::WorkspacePatch, workspaces::MemberOut, workspaces::AuditOut,
        posts::AccountOut, posts::NewAccountIn, posts::VariantIn, posts::NewPostIn, posts::ActionIn, posts::VariantOut, posts::EventOut, posts::PostOut,
        media::MediaOut, media::MediaUploadIn,
        strategy::CharterIo, strategy::NetworkRulesIo, strategy::PillarOut, strategy::PillarIn, strategy::CampaignOut, strategy::CampaignIn,
        campaigns::DayIo, campaigns::ResultsOut, campaigns::PlanIo,
        inbox::MessageOut, inbox::InboxPageOut, inbox::ReplyOut, inbox::ReplyIn, inbox::ContextPostOut, inbox::ConversationOut, inbox::MessageDetailOut,
        care::BulkIn, care::BulkOut, care::DurationsOut, care::FiguresOut, care::CareOut, care::CareSettingsIo,
        saved_replies::SavedReplyOut, saved_replies::SavedReplyIn,
        moderation::RuleOut, moderation::RuleIn, moderation::DryRunIn, moderation::DryRunLineOut, moderation::DryRunExampleOut, moderation::DryRunOut,
        insights::InsightsOut, insights::InsightOut, insights::TagCountOut, insights::SentimentMixOut, insights::InsightExampleOut,
        insights::InsightAnswerOut, objectives::ObjectiveOut, objectives::ObjectiveIn,
        analytics::AnalyticsOut, analytics::FigureOut)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()));
    }
}

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
        .route("/v1/me", get(workspaces::me))
        .route("/v1/workspaces", get(workspaces::list))
        .route("/v1/workspaces/{id}", get(workspaces::get_one).patch(workspaces::update))
        .route("/v1/workspaces/{id}/members", get(workspaces::members))
        .route("/v1/workspaces/{id}/audit", get(workspaces::audit))
        .route("/v1/workspaces/{id}/accounts", get(posts::list_accounts).post(posts::connect_account))
        .route("/v1/workspaces/{id}/posts", axum::routing::post(posts::create_post))
        .route("/v1/workspaces/{id}/posts/{post}", get(posts::get_post))
        .route("/v1/workspaces/{id}/posts/{post}/actions", axum::routing::post(posts::act))
        .route("/v1/workspaces/{id}/media", get(media::list).post(media::upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)))
        .route("/v1/workspaces/{id}/inbox", get(inbox::list))
        .route("/v1/workspaces/{id}/inbox/bulk", axum::routing::post(care::bulk))
        .route("/v1/workspaces/{id}/care", get(care::figures))
        .route("/v1/workspaces/{id}/care/settings", get(care::get_settings).put(care::put_settings))
        .route("/v1/workspaces/{id}/saved-replies", get(saved_replies::list).post(saved_replies::create))
        .route("/v1/workspaces/{id}/saved-replies/{reply}", axum::routing::put(saved_replies::update).delete(saved_replies::delete))
        .route("/v1/workspaces/{id}/inbox/{message}", get(inbox::get_one))
        .route("/v1/workspaces/{id}/inbox/{message}/reply", axum::routing::post(inbox::reply))
        .route("/v1/workspaces/{id}/moderation/rules", get(moderation::list).post(moderation::create))
        .route("/v1/workspaces/{id}/moderation/rules/{rule}", axum::routing::put(moderation::update).delete(moderation::delete))
        .route("/v1/workspaces/{id}/moderation/dry-run", axum::routing::post(moderation::dry_run))
        .route("/v1/workspaces/{id}/insights", get(insights::list))
        .route("/v1/workspaces/{id}/analytics", get(analytics::get))
        .route("/v1/workspaces/{id}/objectives", get(objectives::list).post(objectives::create))
        .route("/v1/workspaces/{id}/objectives/{objective}", axum::routing::put(objectives::update).delete(objectives::delete))
        .route("/v1/workspaces/{id}/charter", get(strategy::get_charter).put(strategy::put_charter))
        .route("/v1/workspaces/{id}/pillars", get(strategy::list_pillars).post(strategy::create_pillar))
        .route("/v1/workspaces/{id}/campaigns", get(strategy::list_campaigns).post(strategy::create_campaign))
        .route("/v1/workspaces/{id}/campaigns/{campaign}/results", get(campaigns::get_results).put(campaigns::put_results))
        .route("/v1/workspaces/{id}/campaigns/{campaign}/plan", get(campaigns::get_plan).put(campaigns::put_plan))
        .fallback(|req: Request| async move {
            ApiError::new(StatusCode::NOT_FOUND, "not-found", format!("no API route {} {}", req.method(), req.uri().path()))
        })
        .method_not_allowed_fallback(|req: Request| async move {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                format!("{} is not allowed on {}", req.method(), req.uri().path()),
            )
        })
}

/// A JSON body whose every failure (not JSON, wrong shape, too large) is a problem document
/// that says what is wrong.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(r) => {
                let slug = match r.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => "too-large",
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported-media-type",
                    _ => "malformed-json",
                };
                Err(ApiError::new(r.status(), slug, r.body_text()).into_response())
            }
        }
    }
}

/// Query parameters whose parsing failure is a problem document naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|r| ApiError::new(StatusCode::BAD_REQUEST, "invalid-query", r.body_text()))
    }
}
