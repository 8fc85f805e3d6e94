//! One post: its variants as each network will show them, its place in the workflow with the
//! moves the member's role allows, its history, internal comments and assignee.

use super::calendar::state_label;
use super::{PageForm, render};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::brand_charter::BrandCharter;
use relais_core::policy::allows;
use relais_core::scheduling::local_of;
use relais_core::text_rules::{Finding, Severity};
use relais_core::workflow::{PostAction, PostState, apply};
use relais_core::{Action, Section, now_ms};
use relais_networks::Visibility;
use relais_networks::capabilities_of;
use relais_networks::draft_check::{DraftVariant, Verdict, check_variant};
use relais_store::{Actor, Media, Member, NewNotification, NotificationKind, Post, StoreError, Variant, Withdrawal};
use serde::Deserialize;

/// The workspace's brand charter, read once per request (`for_network` gives the rules for one
/// network); an unreadable charter checks nothing rather than blocking the page.
pub async fn brand_charter(app: &AppState, workspace_id: &str) -> BrandCharter {
    app.store.charter(workspace_id).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, workspace = workspace_id, "cannot read the brand charter");
        BrandCharter::default()
    })
}

pub fn actor_of(ws: &InWorkspace) -> Actor {
    Actor { id: Some(ws.me.user().id.clone()), label: ws.me.user().name.clone() }
}

/// A finding in the page's language.
pub fn finding_text(tr: Tr, f: &Finding) -> String {
    tr.t1(f.code, "subject", &f.subject)
}

/// Everything a verdict says, in the page's language, blocking items first.
pub fn verdict_views(tr: Tr, v: &Verdict) -> Vec<FindingView> {
    let media = v.media.iter().map(|p| FindingView { error: true, text: super::media::written_out(tr, p.code(), &p.args(tr.locale)) });
    let text = v.findings.iter().map(|f| FindingView { error: f.severity == Severity::Error, text: finding_text(tr, f) });
    let mut all: Vec<FindingView> = media.chain(text).collect();
    all.sort_by_key(|f| !f.error);
    all
}

/// A post's variants with their network and media, in order.
pub async fn variants_with_media(
    app: &AppState,
    workspace_id: &str,
    post_id: &str,
) -> Result<Vec<(Variant, String, Vec<Media>)>, StoreError> {
    let variants = app.store.variants(post_id).await?;
    let accounts = app.store.social_accounts(workspace_id).await?;
    let mut media = app.store.variant_media(&variants.iter().map(|v| v.id.clone()).collect::<Vec<_>>()).await?;
    Ok(variants
        .into_iter()
        .map(|v| {
            let network = accounts.iter().find(|a| a.id == v.account_id).map(|a| a.network.clone()).unwrap_or_default();
            let m = media.remove(&v.id).unwrap_or_default();
            (v, network, m)
        })
        .collect())
}

/// The post, if it belongs to the workspace and the member may see it (a client sees only what
/// was sent on).
pub async fn load(app: &AppState, ws: &InWorkspace, post_id: &str) -> Result<Post, PageError> {
    let tr = ws.tr();
    match app.store.post(post_id).await {
        Ok(p) if p.workspace_id == ws.workspace.id && (allows(ws.role, Action::DraftPosts) || p.state.visible_to_client()) => Ok(p),
        Ok(_) | Err(StoreError::NotFound(_)) => Err(PageError::not_found(tr)),
        Err(e) => Err(PageError::store(tr, e)),
    }
}

pub struct FindingView {
    pub error: bool,
    pub text: String,
}

pub struct VariantView {
    pub network: String,
    pub handle: String,
    pub text: String,
    pub link: Option<String>,
    pub first_comment: Option<String>,
    pub content_warning: Option<String>,
    /// The chosen audience, written out; `None`: the network's default.
    pub visibility: Option<String>,
    pub thread: Vec<String>,
    pub media: Vec<MediaThumb>,
    pub state: String,
    pub remote_url: Option<String>,
    pub error: Option<String>,
    pub findings: Vec<FindingView>,
    /// Where its withdrawal from the network stands, in words; `None` when none was asked.
    pub withdrawal: Option<String>,
    /// What the community did, as the inbox received it (published variants only).
    pub activity: Option<String>,
    /// The latest metrics sample, when one was taken.
    pub metrics: Option<String>,
}

pub struct MediaThumb {
    pub id: String,
    pub alt: String,
    pub video: bool,
}

pub struct ActionButton {
    pub action: &'static str,
    pub label: String,
    pub needs_time: bool,
    pub takes_comment: bool,
    pub danger: bool,
}

pub struct EventView {
    pub who: String,
    pub when: String,
    pub what: String,
    pub comment: Option<String>,
}

pub struct CommentView {
    pub who: String,
    pub when: String,
    pub body: String,
}

pub struct MemberOption {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "post.html")]
struct PostPage {
    c: Chrome,
    base: String,
    id: String,
    title: String,
    state: &'static str,
    state_label: String,
    planned: Option<String>,
    planned_date: String,
    planned_time: String,
    time_zone: String,
    pillar: Option<String>,
    campaign: Option<String>,
    variants: Vec<VariantView>,
    actions: Vec<ActionButton>,
    history: Vec<EventView>,
    comments: Vec<CommentView>,
    members: Vec<MemberOption>,
    assignee: Option<String>,
    can_edit: bool,
    can_comment: bool,
    can_move: bool,
    /// Published variants may be deleted on their networks by this member.
    can_withdraw: bool,
    blocked: bool,
    error: Option<String>,
    /// The next free posting slot of the post's first account ("add to queue"), as date, time
    /// and a label; only when the post may be scheduled.
    queue: Option<QueueSlot>,
    /// Where to set posting slots, when the post could be queued but no slot exists.
    slots_href: Option<String>,
    /// "This post answers the insight …", and where the insights are for members who read them.
    answers: Option<AnswersNote>,
}

pub struct AnswersNote {
    pub text: String,
    pub href: Option<String>,
}

pub struct QueueSlot {
    pub date: String,
    pub time: String,
    pub label: String,
    pub handle: String,
}

const ACTIONS: [PostAction; 10] = [
    PostAction::StartDraft,
    PostAction::SubmitForReview,
    PostAction::Approve,
    PostAction::Reject,
    PostAction::ClientApprove,
    PostAction::ClientReject,
    PostAction::Schedule,
    PostAction::Unschedule,
    PostAction::Retry,
    PostAction::Cancel,
];

pub fn action_key(a: PostAction) -> &'static str {
    match a {
        PostAction::StartDraft => "start_draft",
        PostAction::SubmitForReview => "submit_for_review",
        PostAction::Approve => "approve",
        PostAction::Reject => "reject",
        PostAction::ClientApprove => "client_approve",
        PostAction::ClientReject => "client_reject",
        PostAction::Schedule => "schedule",
        PostAction::Unschedule => "unschedule",
        PostAction::Retry => "retry",
        PostAction::Cancel => "cancel",
        PostAction::Edit => "edit",
    }
}

/// Checks every variant against its network and the charter.
pub async fn findings_of(app: &AppState, ws_id: &str, variants: &[(Variant, String, Vec<Media>)]) -> Vec<Verdict> {
    let brand = brand_charter(app, ws_id).await;
    let mut out = vec![];
    for (v, network, media) in variants {
        let Some(caps) = capabilities_of(network) else {
            out.push(Verdict::default());
            continue;
        };
        let charter = brand.for_network(network);
        let thread = v.thread_parts();
        let facts: Vec<_> = media.iter().map(Media::facts).collect();
        let draft = DraftVariant {
            text: &v.text,
            link: v.link.as_deref(),
            first_comment: v.first_comment.as_deref(),
            thread: &thread,
            media: &facts,
            content_warning: v.content_warning.as_deref(),
            visibility: v.visibility.as_deref().and_then(Visibility::from_key),
        };
        out.push(check_variant(caps, &draft, &charter));
    }
    out
}

async fn page(app: &AppState, ws: &InWorkspace, post: Post, error: Option<String>, done: Option<&str>) -> Result<PostPage, PageError> {
    let tr = ws.tr();
    let tz = ws.workspace.time_zone.clone();
    let store_err = |e| PageError::store(tr, e);
    let accounts = app.store.social_accounts(&ws.workspace.id).await.map_err(store_err)?;
    let with_network = variants_with_media(app, &ws.workspace.id, &post.id).await.map_err(store_err)?;
    let withdrawals = app.store.withdrawals(&post.id).await.map_err(store_err)?;
    let can_withdraw = post.state == PostState::Published
        && allows(ws.role, Action::ApprovePosts)
        && with_network.iter().any(|(v, _, _)| {
            v.state == "published" && withdrawals.iter().find(|w| w.variant_id == v.id).is_none_or(|w| w.state == "failed")
        });
    let members = app.store.members(&ws.workspace.id).await.map_err(store_err)?;
    let internal = allows(ws.role, Action::DraftPosts);
    let findings = findings_of(app, &ws.workspace.id, &with_network).await;
    let blocked = findings.iter().any(Verdict::blocks);
    let rules = ws.workspace.workflow_rules();
    let actions = ACTIONS
        .into_iter()
        .filter(|a| apply(post.state, *a, ws.role, rules).is_ok())
        .map(|a| ActionButton {
            action: action_key(a),
            label: tr.t(&format!("action-{}", action_key(a))),
            needs_time: matches!(a, PostAction::Schedule | PostAction::Retry),
            takes_comment: matches!(a, PostAction::Approve | PostAction::Reject | PostAction::ClientApprove | PostAction::ClientReject),
            danger: matches!(a, PostAction::Cancel | PostAction::Reject | PostAction::ClientReject),
        })
        .collect();
    let planned_local = post.scheduled_at.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()).and_then(|ts| local_of(ts, &tz).ok());
    let history = app
        .store
        .post_events(&post.id)
        .await
        .map_err(store_err)?
        .into_iter()
        .filter(|e| internal || e.to_state == "client_review" || e.action.starts_with("client_"))
        .map(|e| EventView {
            who: e.actor_label,
            when: tr.datetime(e.at, &tz),
            what: tr.tn(
                "history-move",
                &[
                    ("action", &tr.t(&format!("history-{}", e.action))),
                    ("from", &PostState::parse(&e.from_state).map(|s| state_label(tr, s)).unwrap_or(e.from_state)),
                    ("to", &PostState::parse(&e.to_state).map(|s| state_label(tr, s)).unwrap_or(e.to_state)),
                ],
            ),
            comment: e.comment,
        })
        .collect();
    let comments = if internal {
        app.store
            .comments(&post.id)
            .await
            .map_err(store_err)?
            .into_iter()
            .map(|c| CommentView { who: c.author_label, when: tr.datetime(c.at, &tz), body: c.body })
            .collect()
    } else {
        vec![]
    };
    // "Add to queue": the next free slot of the first account.
    let may_schedule = apply(post.state, PostAction::Schedule, ws.role, rules).is_ok();
    let first_account = with_network.first().and_then(|(v, _, _)| accounts.iter().find(|a| a.id == v.account_id));
    let mut queue = None;
    if let (true, Some(account)) = (may_schedule, first_account)
        && let Some((at, local)) = app.store.next_free_slot_for(&account.id, now_ms(), &tz).await.map_err(store_err)?
    {
        queue = Some(QueueSlot {
            date: local.get(..10).unwrap_or("").into(),
            time: local.get(11..16).unwrap_or("").into(),
            label: tr.datetime(at, &tz),
            handle: account.handle.clone(),
        });
    }
    let slots_href =
        (may_schedule && queue.is_none() && allows(ws.role, Action::ManageStrategy)).then(|| format!("{}/strategy/slots", ws.base()));
    let assignee = post.assignee_id.as_ref().and_then(|id| members.iter().find(|m| &m.user_id == id)).map(|m| m.name.clone());
    let published: Vec<String> = with_network.iter().filter(|(v, _, _)| v.state == "published").map(|(v, _, _)| v.id.clone()).collect();
    let counts = app.store.activity_counts(&published).await.map_err(store_err)?;
    let mut samples = app.store.latest_post_metrics(&published).await.map_err(store_err)?;
    let activity_of = |id: &str| {
        published.iter().any(|p| p == id).then(|| {
            let n = |kind: &str| counts.iter().filter(|(v, k, _)| v == id && k == kind).map(|c| c.2).sum::<i64>();
            tr.tn(
                "post-activity-counts",
                &[("likes", &n("like")), ("reposts", &n("repost")), ("replies", &n("reply")), ("quotes", &n("quote"))],
            )
        })
    };
    let mut metrics_of = |id: &str| {
        samples.remove(id).map(|s| {
            let line = tr.tn(
                "post-metrics",
                &[
                    ("when", &tr.datetime(s.taken_at, &tz)),
                    ("likes", &s.likes),
                    ("replies", &s.replies),
                    ("reposts", &s.reposts),
                    ("quotes", &s.quotes),
                ],
            );
            match s.impressions {
                Some(i) => format!("{line} · {}", tr.t1("post-metrics-impressions", "impressions", i)),
                None => line,
            }
        })
    };
    let answers = app.store.insight_of_post(&post.id).await.map_err(store_err)?.map(|i| {
        let text = tr.tn("insights-answers", &[("label", &i.label), ("count", &i.message_count)]);
        let days = (i.period.to_ms - i.period.from_ms) / (24 * 3600 * 1000);
        AnswersNote { text, href: allows(ws.role, Action::UseInbox).then(|| format!("{}/insights?days={days}", ws.base())) }
    });
    Ok(PostPage {
        c: Chrome::workspace(ws, Some(Section::Calendar)).with_flash(done),
        base: ws.base(),
        id: post.id.clone(),
        title: post.title.clone(),
        state: post.state.as_str(),
        state_label: state_label(tr, post.state),
        planned: post.scheduled_at.map(|ms| tr.datetime(ms, &tz)),
        planned_date: planned_local.as_deref().and_then(|l| l.get(..10)).unwrap_or("").to_string(),
        planned_time: planned_local.as_deref().and_then(|l| l.get(11..16)).unwrap_or("09:00").to_string(),
        time_zone: tz.clone(),
        pillar: post.pillar.clone(),
        campaign: post.campaign.clone(),
        variants: with_network
            .into_iter()
            .zip(findings)
            .map(|((v, network, media), verdict)| VariantView {
                activity: activity_of(&v.id),
                metrics: metrics_of(&v.id),
                handle: accounts.iter().find(|a| a.id == v.account_id).map(|a| a.handle.clone()).unwrap_or_default(),
                network: capabilities_of(&network).map(|c| c.label.to_string()).unwrap_or(network),
                thread: v.thread_parts(),
                media: media.iter().map(|m| MediaThumb { id: m.id.clone(), alt: m.alt_text.clone(), video: m.kind == "video" }).collect(),
                findings: verdict_views(tr, &verdict),
                text: v.text,
                link: v.link,
                first_comment: v.first_comment,
                content_warning: v.content_warning,
                visibility: v.visibility.map(|key| match Visibility::from_key(&key) {
                    Some(known) => tr.t(&format!("visibility-{}", known.key())),
                    None => key,
                }),
                state: tr.t(&format!("variant-{}", v.state)),
                withdrawal: withdrawals.iter().find(|w| w.variant_id == v.id).map(|w| withdrawal_words(tr, w, &ws.workspace.time_zone)),
                remote_url: v.remote_url,
                error: v.error,
            })
            .collect(),
        actions,
        history,
        comments,
        members: members
            .iter()
            .filter(|m| allows(m.role, Action::DraftPosts))
            .map(|m| MemberOption { id: m.user_id.clone(), name: m.name.clone(), selected: post.assignee_id.as_ref() == Some(&m.user_id) })
            .collect(),
        assignee,
        can_edit: apply(post.state, PostAction::Edit, ws.role, rules).is_ok(),
        can_comment: internal,
        can_move: internal && !matches!(post.state, PostState::Publishing | PostState::Published | PostState::Cancelled),
        can_withdraw,
        blocked,
        error,
        queue,
        slots_href,
        answers,
    })
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    done: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<ShowQuery>,
) -> Response {
    if let Err(e) = ws.require(Action::ViewCalendar) {
        return e.into_response();
    }
    let post = match load(&app, &ws, &id).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    match page(&app, &ws, post, None, q.done.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

async fn show_error(app: &AppState, ws: &InWorkspace, post_id: &str, status: StatusCode, message: String) -> Response {
    let post = match load(app, ws, post_id).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    match page(app, ws, post, Some(message), None).await {
        Ok(p) => super::render_status(status, &p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

/// Notifications about `post` from the signed-in member to `users`: each once, never the member.
pub fn notes_about(
    ws: &InWorkspace,
    post: &Post,
    users: impl IntoIterator<Item = String>,
    kind: NotificationKind,
    detail: Option<String>,
) -> Vec<NewNotification> {
    let mut recipients: Vec<String> = vec![];
    for u in users {
        if u != ws.me.user().id && !recipients.contains(&u) {
            recipients.push(u);
        }
    }
    recipients
        .into_iter()
        .map(|user_id| NewNotification {
            user_id,
            workspace_id: ws.workspace.id.clone(),
            kind,
            post_id: Some(post.id.clone()),
            actor_label: ws.me.user().name.clone(),
            subject: post.title.clone(),
            detail: detail.clone(),
        })
        .collect()
}

/// Who hears about a move: the approvers when a post is submitted, the client when it is sent
/// to them, the author and assignee when it is approved or rejected.
pub fn notes_for_move(
    ws: &InWorkspace,
    post: &Post,
    members: &[Member],
    to: PostState,
    action: PostAction,
    comment: Option<&str>,
) -> Vec<NewNotification> {
    let author_and_assignee = || post.created_by.iter().chain(post.assignee_id.iter()).cloned().collect::<Vec<_>>();
    let with = |needs: Action, without: Option<Action>| -> Vec<String> {
        members.iter().filter(|m| allows(m.role, needs) && without.is_none_or(|w| !allows(m.role, w))).map(|m| m.user_id.clone()).collect()
    };
    let (users, kind) = match (action, to) {
        (PostAction::SubmitForReview, _) => (with(Action::ApprovePosts, None), NotificationKind::Submitted),
        (PostAction::Approve, PostState::ClientReview) => {
            (with(Action::ClientApprove, Some(Action::DraftPosts)), NotificationKind::ClientReview)
        }
        (PostAction::Approve | PostAction::ClientApprove, _) => (author_and_assignee(), NotificationKind::Approved),
        (PostAction::Reject | PostAction::ClientReject, _) => (author_and_assignee(), NotificationKind::Rejected),
        _ => return vec![],
    };
    notes_about(ws, post, users, kind, comment.map(str::to_string))
}

#[derive(Deserialize)]
pub struct ActForm {
    action: String,
    comment: Option<String>,
    date: Option<String>,
    time: Option<String>,
}

pub async fn act(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<ActForm>,
) -> Response {
    if let Err(e) = ws.require(Action::ViewCalendar) {
        return e.into_response();
    }
    let tr = ws.tr();
    let post = match load(&app, &ws, &id).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let Some(action) = ACTIONS.into_iter().find(|a| action_key(*a) == f.action) else {
        return show_error(&app, &ws, &id, StatusCode::UNPROCESSABLE_ENTITY, tr.t1("error-unknown-action", "action", &f.action)).await;
    };
    let to = match apply(post.state, action, ws.role, ws.workspace.workflow_rules()) {
        Ok(to) => to,
        Err(relais_core::workflow::WorkflowError::Forbidden { .. }) => {
            return PageError::forbidden(tr).detail(tr.t1("error-forbidden-role", "role", tr.role(ws.role))).into_response();
        }
        Err(_) => {
            return show_error(&app, &ws, &id, StatusCode::CONFLICT, tr.t1("error-not-from", "state", state_label(tr, post.state))).await;
        }
    };
    let comment = f.comment.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let actor = actor_of(&ws);
    let result = if to == PostState::Scheduled {
        let tz = ws.workspace.time_zone.clone();
        let local = format!("{}T{}", f.date.as_deref().unwrap_or("").trim(), f.time.as_deref().unwrap_or("").trim());
        let at_ms = match super::calendar::future_instant(tr, &local, &tz) {
            Ok(at) => at,
            Err(why) => return show_error(&app, &ws, &id, StatusCode::UNPROCESSABLE_ENTITY, why).await,
        };
        // Errors in a variant (too long, not possible on that network) block scheduling.
        let with_network = match variants_with_media(&app, &ws.workspace.id, &post.id).await {
            Ok(v) => v,
            Err(e) => return PageError::store(tr, e).into_response(),
        };
        if findings_of(&app, &ws.workspace.id, &with_network).await.iter().any(Verdict::blocks) {
            return show_error(&app, &ws, &id, StatusCode::UNPROCESSABLE_ENTITY, tr.t("error-blocking-findings")).await;
        }
        app.store.schedule_post(&post.id, post.state, at_ms, &local, &tz, &actor).await.map(|_| ())
    } else {
        let members = app.store.members(&ws.workspace.id).await.unwrap_or_default();
        let notes = notes_for_move(&ws, &post, &members, to, action, comment);
        app.store.move_post_notifying(&post.id, post.state, to, &actor, action_key(action), comment, &notes).await
    };
    match result {
        Ok(()) => {
            Redirect::to(&format!("{}/posts/{}?done=post-{}", ws.base(), post.id, action_key(action).replace('_', "-"))).into_response()
        }
        Err(StoreError::Conflict(m)) => show_error(&app, &ws, &id, StatusCode::CONFLICT, m).await,
        Err(e) => PageError::store(tr, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CommentForm {
    body: String,
}

pub async fn comment(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<CommentForm>,
) -> Response {
    if let Err(e) = ws.require(Action::DraftPosts) {
        return e.into_response();
    }
    let tr = ws.tr();
    let post = match load(&app, &ws, &id).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let body = f.body.trim();
    if body.is_empty() || body.chars().count() > 5000 {
        return show_error(&app, &ws, &id, StatusCode::UNPROCESSABLE_ENTITY, tr.t("error-comment-length")).await;
    }
    let actor = actor_of(&ws);
    let author_and_assignee = post.created_by.iter().chain(post.assignee_id.iter()).cloned();
    let notes = notes_about(&ws, &post, author_and_assignee, NotificationKind::Comment, Some(body.chars().take(200).collect()));
    match app.store.add_comment(&post.id, &actor, body, &notes).await {
        Ok(_) => Redirect::to(&format!("{}/posts/{}?done=post-comment#comments", ws.base(), post.id)).into_response(),
        Err(e) => PageError::store(tr, e).into_response(),
    }
}

/// A variant's withdrawal, as the post page says it.
fn withdrawal_words(tr: Tr, w: &Withdrawal, time_zone: &str) -> String {
    match (w.state.as_str(), w.removed_at, w.error.as_deref()) {
        ("done", Some(at), _) => tr.t1("post-withdrawn", "when", tr.datetime(at, time_zone)),
        ("failed", _, error) => tr.t1("post-withdraw-failed", "reason", error.unwrap_or("")),
        _ => tr.t1("post-withdraw-pending", "who", w.requested_by.as_deref().unwrap_or("")),
    }
}

#[derive(Deserialize)]
pub struct WithdrawForm {
    confirm: Option<String>,
}

/// Deletes the post's published variants on their networks (a job per variant), once the
/// member confirmed.
pub async fn withdraw(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<WithdrawForm>,
) -> Response {
    if let Err(e) = ws.require(Action::ApprovePosts) {
        return e.into_response();
    }
    let tr = ws.tr();
    if f.confirm.as_deref() != Some("yes") {
        return show_error(&app, &ws, &id, StatusCode::UNPROCESSABLE_ENTITY, tr.t("post-withdraw-unconfirmed")).await;
    }
    let post = match load(&app, &ws, &id).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    match app.store.request_withdrawal(&post.id, None, &actor_of(&ws)).await {
        Ok(queued) if queued.is_empty() => show_error(&app, &ws, &id, StatusCode::CONFLICT, tr.t("post-withdraw-nothing")).await,
        Ok(_) => Redirect::to(&format!("{}/posts/{}?done=post-withdraw", ws.base(), post.id)).into_response(),
        Err(StoreError::Conflict(_)) => show_error(&app, &ws, &id, StatusCode::CONFLICT, tr.t("post-withdraw-nothing")).await,
        Err(e) => PageError::store(tr, e).into_response(),
    }
}

#[derive(Deserialize)]
pub struct AssignForm {
    assignee: String,
}

pub async fn assign(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<AssignForm>,
) -> Response {
    if let Err(e) = ws.require(Action::DraftPosts) {
        return e.into_response();
    }
    let tr = ws.tr();
    let post = match load(&app, &ws, &id).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let members = match app.store.members(&ws.workspace.id).await {
        Ok(m) => m,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let assignee = f.assignee.trim();
    let target = if assignee.is_empty() {
        None
    } else {
        match members.iter().find(|m| m.user_id == assignee && allows(m.role, Action::DraftPosts)) {
            Some(m) => Some(m),
            None => return show_error(&app, &ws, &id, StatusCode::UNPROCESSABLE_ENTITY, tr.t("error-assignee")).await,
        }
    };
    let notes = notes_about(&ws, &post, target.map(|m| m.user_id.clone()), NotificationKind::Assigned, None);
    match app.store.assign_post(&post.id, target.map(|m| m.user_id.as_str()), &notes).await {
        Ok(()) => Redirect::to(&format!("{}/posts/{}?done=post-assigned", ws.base(), post.id)).into_response(),
        Err(e) => PageError::store(tr, e).into_response(),
    }
}
