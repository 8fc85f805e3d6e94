//! Server-rendered pages, one module per resource.

mod account_connect;
mod accounts;
pub(crate) mod analytics;
mod analytics_care;
mod analytics_charts;
pub(crate) mod analytics_data;
mod analytics_exports;
pub(crate) mod analytics_report;
mod assets;
mod audit;
mod auth;
mod calendar;
mod calendar_sheet;
mod campaigns;
pub(crate) mod care;
mod charter;
mod composer;
mod events;
mod home;
pub(crate) mod inbox;
mod inbox_author;
mod inbox_live;
pub(crate) mod insights;
mod invite;
mod labels;
mod listening;
mod listening_benchmark;
pub(crate) mod media;
mod members;
pub(crate) mod moderation;
mod notifications;
pub(crate) mod objectives;
mod post;
mod profile;
mod report_schedules;
pub(crate) mod saved_replies;
mod settings;
mod slots;
mod strategy;
mod tokens;
mod workspaces;

use crate::app::AppState;
use crate::error::PageError;
use crate::session::{Ctx, InWorkspace};
use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use relais_store::AuditEvent;

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(home::index))
        .route("/switch", get(home::switch))
        .route("/signin", get(auth::form).post(auth::submit))
        .route("/signout", post(auth::sign_out))
        .route("/signout/everywhere", post(auth::sign_out_everywhere))
        .route("/profile", get(profile::show).post(profile::save))
        .route("/profile/password", post(profile::change_password))
        .route("/invite/{token}", get(invite::show).post(invite::accept))
        .route("/workspaces/new", get(workspaces::form).post(workspaces::create))
        .route("/w/{ws}", get(home::overview))
        .route("/w/{ws}/logo", get(settings::logo))
        .route("/w/{ws}/calendar", get(calendar::index))
        .route("/w/{ws}/analytics", get(analytics::show))
        .route("/w/{ws}/analytics/commentary", post(analytics::save_commentary))
        .route("/w/{ws}/analytics/charts/{chart}", get(analytics_exports::chart_csv))
        .route("/w/{ws}/analytics/export.xlsx", get(analytics_exports::export_xlsx))
        .route("/w/{ws}/analytics/report.pdf", get(analytics_exports::report_pdf))
        .route("/w/{ws}/analytics/schedules", get(report_schedules::list).post(report_schedules::create))
        .route("/w/{ws}/analytics/schedules/{id}", get(report_schedules::edit).post(report_schedules::update))
        .route("/w/{ws}/analytics/schedules/{id}/delete", post(report_schedules::delete))
        .route("/w/{ws}/analytics/schedules/{id}/send", post(report_schedules::send_now))
        .route("/w/{ws}/strategy/accounts", get(accounts::list).post(account_connect::connect))
        .route("/w/{ws}/strategy/accounts/connect/{network}", get(account_connect::form))
        .route("/w/{ws}/strategy/accounts/mastodon/authorize", post(account_connect::mastodon_authorize))
        .route("/w/{ws}/strategy/accounts/{id}/reconnect", post(accounts::reconnect))
        .route("/w/{ws}/strategy/accounts/{id}/check", post(accounts::check))
        .route(account_connect::MASTODON_CALLBACK, get(account_connect::mastodon_callback))
        .route("/w/{ws}/composer", get(composer::new))
        .route("/w/{ws}/compose", get(composer::new).post(composer::create))
        .route("/w/{ws}/compose/check", post(composer::check))
        .route("/w/{ws}/posts/{post}", get(post::show))
        .route("/w/{ws}/posts/{post}/edit", get(composer::edit).post(composer::update))
        .route("/w/{ws}/posts/{post}/act", post(post::act))
        .route("/w/{ws}/posts/{post}/move", post(calendar::move_post))
        .route("/w/{ws}/posts/{post}/comments", post(post::comment))
        .route("/w/{ws}/posts/{post}/assign", post(post::assign))
        .route("/w/{ws}/posts/{post}/withdraw", post(post::withdraw))
        .route("/w/{ws}/inbox", get(inbox::list))
        .route("/w/{ws}/inbox/events", get(inbox_live::events))
        .route("/w/{ws}/inbox/moderation", get(moderation::index))
        .route("/w/{ws}/inbox/moderation/house-rules", post(moderation::save_house_rules))
        .route("/w/{ws}/inbox/moderation/house-rules/public", post(moderation::publish_house_rules))
        .route("/w/{ws}/inbox/moderation/rules", post(moderation::create_rule))
        .route("/w/{ws}/inbox/moderation/rules/new", get(moderation::new_rule))
        .route("/w/{ws}/inbox/moderation/rules/{id}", get(moderation::edit_rule).post(moderation::update_rule))
        .route("/w/{ws}/inbox/moderation/rules/{id}/op", post(moderation::rule_op))
        .route("/w/{ws}/inbox/moderation/log", get(moderation::log))
        .route("/w/{ws}/inbox/moderation/log/{id}/undo", post(moderation::undo))
        .route("/w/{ws}/inbox/{message}/moderate", post(moderation::by_hand))
        .route("/house-rules/{slug}", get(moderation::public))
        .route("/w/{ws}/inbox/{message}", get(inbox::show))
        .route("/w/{ws}/inbox/{message}/reply", post(inbox::reply))
        .route("/w/{ws}/inbox/{message}/status", post(inbox::set_status))
        .route("/w/{ws}/inbox/{message}/assign", post(inbox::assign))
        .route("/w/{ws}/inbox/{message}/tags", post(inbox::tag))
        .route("/w/{ws}/inbox/{message}/identities", post(inbox_author::identities))
        .route("/w/{ws}/inbox/{message}/notes", post(inbox::note))
        .route("/w/{ws}/inbox/{message}/presence", post(inbox_live::presence))
        .route("/w/{ws}/inbox/bulk", post(care::bulk))
        .route("/w/{ws}/inbox/saved-replies", get(saved_replies::list).post(saved_replies::create))
        .route("/w/{ws}/inbox/saved-replies/{id}", post(saved_replies::update))
        .route("/w/{ws}/inbox/saved-replies/{id}/delete", post(saved_replies::delete))
        .route("/w/{ws}/inbox/links", post(saved_replies::save_link))
        .route("/w/{ws}/inbox/links/{name}/delete", post(saved_replies::delete_link))
        .route("/w/{ws}/care", get(care::figures_page))
        .route("/w/{ws}/care/settings", get(care::settings).post(care::save_settings))
        .route("/w/{ws}/insights", get(insights::page))
        .route("/w/{ws}/insights/answer", post(insights::answer))
        .route("/w/{ws}/notifications", get(notifications::list))
        .route("/w/{ws}/notifications/read", post(notifications::mark_read))
        .route("/w/{ws}/calendar/import", get(calendar_sheet::show).post(calendar_sheet::import))
        .route("/w/{ws}/calendar/export.xlsx", get(calendar_sheet::export_xlsx))
        .route("/w/{ws}/calendar/export.csv", get(calendar_sheet::export_csv))
        .route("/w/{ws}/settings", get(settings::show).post(settings::save))
        .route("/w/{ws}/settings/logo", post(settings::upload_logo))
        .route("/w/{ws}/settings/logo/delete", post(settings::delete_logo))
        .route("/w/{ws}/settings/members", get(members::list))
        .route("/w/{ws}/settings/members/invite", post(members::invite))
        .route("/w/{ws}/settings/members/{user}/role", post(members::change_role))
        .route("/w/{ws}/settings/members/{user}/remove", post(members::remove))
        .route("/w/{ws}/settings/invitations/{id}/revoke", post(members::revoke_invitation))
        .route("/w/{ws}/settings/api-tokens", get(tokens::list).post(tokens::create))
        .route("/w/{ws}/settings/api-tokens/{id}/revoke", post(tokens::revoke))
        .route("/w/{ws}/settings/audit", get(audit::list))
        .route("/w/{ws}/media", get(media::list).post(media::upload).layer(DefaultBodyLimit::max(upload_limit)))
        .route("/w/{ws}/media/{id}/alt", post(media::save_alt_text))
        .route("/w/{ws}/media/{id}/delete", post(media::delete))
        .route("/w/{ws}/media/{id}/file", get(media::file))
        .route("/w/{ws}/media/{id}/thumb", get(media::thumbnail))
        .route("/w/{ws}/strategy", get(strategy::landing))
        .route("/w/{ws}/strategy/charter", get(charter::show).post(charter::save))
        .route("/w/{ws}/strategy/charter/lint", post(charter::try_lint))
        .route("/w/{ws}/strategy/labels", get(labels::list))
        .route("/w/{ws}/strategy/pillars", post(labels::create_pillar))
        .route("/w/{ws}/strategy/pillars/{id}", get(labels::edit_pillar).post(labels::update_pillar))
        .route("/w/{ws}/strategy/pillars/{id}/delete", post(labels::delete_pillar))
        .route("/w/{ws}/strategy/campaigns", post(labels::create_campaign))
        .route("/w/{ws}/strategy/campaigns/{id}", get(labels::edit_campaign).post(labels::update_campaign))
        .route("/w/{ws}/strategy/campaigns/{id}/delete", post(labels::delete_campaign))
        .route("/w/{ws}/campaigns", get(campaigns::list))
        .route("/w/{ws}/campaigns/{id}", get(campaigns::show))
        .route("/w/{ws}/campaigns/{id}/plan", post(campaigns::save_plan))
        .route("/w/{ws}/campaigns/{id}/results", post(campaigns::add_day))
        .route("/w/{ws}/campaigns/{id}/results/import", post(campaigns::import))
        .route("/w/{ws}/campaigns/{id}/results/{day}/delete", post(campaigns::delete_day))
        .route("/w/{ws}/strategy/events", get(events::list).post(events::create))
        .route("/w/{ws}/strategy/events/{id}", get(events::edit).post(events::update))
        .route("/w/{ws}/strategy/events/{id}/delete", post(events::delete))
        .route("/w/{ws}/strategy/objectives", get(objectives::list).post(objectives::create))
        .route("/w/{ws}/strategy/objectives/{id}", get(objectives::edit).post(objectives::update))
        .route("/w/{ws}/strategy/objectives/{id}/delete", post(objectives::delete))
        .route("/w/{ws}/strategy/slots", get(slots::list).post(slots::add))
        .route("/w/{ws}/strategy/slots/{id}/delete", post(slots::remove))
        .route("/w/{ws}/listening", get(listening::list).post(listening::create))
        .route("/w/{ws}/listening/benchmark", get(listening_benchmark::show))
        .route("/w/{ws}/listening/benchmark.csv", get(listening_benchmark::csv))
        .route("/w/{ws}/listening/{id}", get(listening::show).post(listening::update))
        .route("/w/{ws}/listening/{id}/active", post(listening::set_active))
        .route("/w/{ws}/listening/{id}/search", post(listening::search_now))
        .route("/static/{file}", get(assets::serve))
}

/// Renders a template, or a 500 page if the template fails.
pub fn render(t: &impl askama::Template, tr: crate::i18n::Tr) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => PageError::internal(tr, e).into_response(),
    }
}

/// The same, with a status (422 for a form sent back with errors).
pub fn render_status(status: StatusCode, t: &impl askama::Template, tr: crate::i18n::Tr) -> Response {
    let mut r = render(t, tr);
    if r.status() == StatusCode::OK {
        *r.status_mut() = status;
    }
    r
}

/// An URL-encoded form whose malformed body becomes a page that says what is wrong.
pub struct PageForm<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for PageForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let tr = req.extensions().get::<Ctx>().map(|c| c.tr).unwrap_or(crate::i18n::Tr::new(Default::default()));
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(PageForm(v)),
            Err(rejection) => Err(PageError::new(rejection.status(), "error-bad-form", tr).detail(rejection.body_text()).into_response()),
        }
    }
}

/// Records an action of the member in the workspace's audit log.
pub async fn audit(app: &AppState, ws: &InWorkspace, action: &str, target: &str, details: serde_json::Value) -> Result<(), PageError> {
    app.store
        .record_audit(AuditEvent {
            org_id: &ws.workspace.org_id,
            workspace_id: Some(&ws.workspace.id),
            actor_id: Some(&ws.me.user().id),
            actor_label: &ws.me.user().name,
            action,
            target,
            details,
        })
        .await
        .map_err(|e| PageError::internal(ws.tr(), e))
}

pub async fn not_found(req: Request) -> Response {
    let tr = req
        .headers()
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(relais_core::Locale::from_accept_language)
        .unwrap_or_default();
    if req.uri().path().starts_with("/api/") {
        return crate::error::ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no API route {} {}", req.method(), req.uri().path()),
        )
        .into_response();
    }
    PageError::not_found(crate::i18n::Tr::new(tr)).into_response()
}

/// `?done=…` after a redirect, shown once as a confirmation.
#[derive(serde::Deserialize, Default)]
pub struct Done {
    pub done: Option<String>,
}
