//! The composer: one post for several accounts, a variant per account edited side by side with
//! the network's limits and the brand charter checked as the member types (the same check
//! runs on save, and blocks scheduling when it finds an error).

use super::calendar::state_label;
use super::post::{actor_of, brand_charter, finding_text, load, notes_for_move, verdict_views};
use super::render_status;
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use relais_core::brand_charter::BrandCharter;
use relais_core::insights::answer_draft;
use relais_core::media::MediaFacts;
use relais_core::policy::allows;
use relais_core::scheduling::{local_of, resolve_local};
use relais_core::text_rules::Severity;
use relais_core::workflow::{PostAction, PostState, apply};
use relais_core::{Action, Name, Section};
use relais_networks::draft_check::{DraftVariant, check_variant, counted_length};
use relais_networks::{Visibility, capabilities_of};
use relais_store::{Media, NewPost, NewVariant, PlannedAt, Post, PostContent, SavedInsight, SocialAccount, StoreError};
use serde::{Deserialize, Serialize};

/// What the composer form sent, read from its repeated, per-account fields.
#[derive(Debug, Default)]
pub struct Draft {
    pub title: String,
    pub pillar: Option<String>,
    pub campaign: Option<String>,
    pub date: String,
    pub time: String,
    pub submit: bool,
    /// Save a new post as an idea rather than a draft.
    pub idea: bool,
    pub accounts: Vec<String>,
    pub variants: Vec<NewVariant>,
    /// The community insight the post answers (a kept insight's id).
    pub insight: Option<String>,
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn opt(v: Option<&str>) -> Option<String> {
    v.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

/// Thread parts are separated by a line holding only `---`.
pub fn split_thread(raw: &str) -> Vec<String> {
    let raw = raw.replace("\r\n", "\n");
    raw.split("\n---\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

impl Draft {
    pub fn from_fields(fields: &[(String, String)]) -> Draft {
        let accounts: Vec<String> = fields.iter().filter(|(k, _)| k == "account").map(|(_, v)| v.clone()).collect();
        let variants = accounts
            .iter()
            .map(|a| NewVariant {
                account_id: a.clone(),
                text: field(fields, &format!("text_{a}")).unwrap_or("").replace("\r\n", "\n").trim_end().to_string(),
                link: opt(field(fields, &format!("link_{a}"))),
                first_comment: opt(field(fields, &format!("first_comment_{a}"))),
                thread: field(fields, &format!("thread_{a}")).map(split_thread).unwrap_or_default(),
                media_ids: fields.iter().filter(|(k, _)| k == &format!("media_{a}")).map(|(_, v)| v.clone()).collect(),
                content_warning: opt(field(fields, &format!("content_warning_{a}"))),
                visibility: opt(field(fields, &format!("visibility_{a}"))),
            })
            .collect();
        Draft {
            title: field(fields, "title").unwrap_or("").trim().to_string(),
            pillar: opt(field(fields, "pillar")),
            campaign: opt(field(fields, "campaign")),
            date: field(fields, "date").unwrap_or("").trim().to_string(),
            time: field(fields, "time").unwrap_or("").trim().to_string(),
            submit: field(fields, "intent") == Some("submit"),
            idea: field(fields, "intent") == Some("idea"),
            accounts,
            variants,
            insight: opt(field(fields, "insight")),
        }
    }

    /// The planned wall-clock time, when a date was given (09:00 when the time was not).
    fn planned_local(&self) -> Option<String> {
        (!self.date.is_empty()).then(|| format!("{}T{}", self.date, if self.time.is_empty() { "09:00" } else { &self.time }))
    }

    /// The title, or the start of the first text when none was given.
    fn title_or_default(&self) -> String {
        if !self.title.is_empty() {
            return self.title.clone();
        }
        let text = self.variants.first().map(|v| v.text.as_str()).unwrap_or("");
        let first_line = text.lines().next().unwrap_or("").trim();
        let mut t: String = first_line.chars().take(60).collect();
        if first_line.chars().count() > 60 {
            t.push('…');
        }
        t
    }
}

/// The facts of the chosen media, in order; ids not in the library are left out (and refused
/// on save).
fn facts_of(library: &[Media], ids: &[String]) -> Vec<MediaFacts> {
    ids.iter().filter_map(|id| library.iter().find(|m| &m.id == id)).map(Media::facts).collect()
}

pub struct MediaChoice {
    pub id: String,
    pub filename: String,
    pub alt: String,
    pub video: bool,
    pub checked: bool,
}

pub struct VisibilityChoice {
    pub key: &'static str,
    pub label: String,
    pub selected: bool,
}

pub struct VariantForm {
    pub account_id: String,
    pub network: String,
    pub handle: String,
    pub selected: bool,
    pub text: String,
    pub link: String,
    pub first_comment: String,
    pub thread: String,
    pub max_length: usize,
    pub length: usize,
    pub threads: bool,
    pub first_comment_allowed: bool,
    pub content_warning: String,
    /// The network shows content warnings: the field is offered.
    pub content_warning_allowed: bool,
    /// The audiences the network offers (none: no choice, the field is not shown).
    pub visibilities: Vec<VisibilityChoice>,
    pub simulated: bool,
    pub paused: bool,
    pub findings: Vec<super::post::FindingView>,
    pub media: Vec<MediaChoice>,
}

#[derive(Template)]
#[template(path = "composer.html")]
struct ComposerPage {
    c: Chrome,
    base: String,
    action: String,
    editing: bool,
    state_label: Option<String>,
    back_to_review: bool,
    title: String,
    pillar: String,
    campaign: String,
    date: String,
    time: String,
    time_zone: String,
    pillars: Vec<String>,
    campaigns: Vec<String>,
    variants: Vec<VariantForm>,
    errors: Vec<String>,
    no_accounts: bool,
    /// The brand's tone notes, shown to the writer.
    tone_notes: String,
    /// Where the full charter is, for members who may read it.
    charter_href: Option<String>,
    /// The community insight the new post answers.
    insight: Option<InsightNote>,
}

pub struct InsightNote {
    pub id: String,
    /// "This post answers the insight …", in the member's language.
    pub text: String,
}

/// The kept insight, if it is this workspace's.
async fn insight_of(app: &AppState, ws: &InWorkspace, id: &str) -> Result<SavedInsight, PageError> {
    match app.store.saved_insight(id).await {
        Ok(i) if i.workspace_id == ws.workspace.id => Ok(i),
        Ok(_) | Err(StoreError::NotFound(_)) => Err(PageError::not_found(ws.tr())),
        Err(e) => Err(PageError::store(ws.tr(), e)),
    }
}

/// A new post answering a kept insight: its draft answer in every account's text, no account
/// ticked yet (the member chooses where it goes).
fn answering(tr: crate::i18n::Tr, accounts: &[SocialAccount], insight: &SavedInsight) -> Draft {
    let text = answer_draft(insight.kind, insight.language, &insight.example, &insight.terms);
    Draft {
        title: tr.t1("insights-answer-title", "label", &insight.label).chars().take(100).collect(),
        variants: accounts.iter().map(|a| NewVariant::text(a.id.clone(), text.clone(), None)).collect(),
        insight: Some(insight.id.clone()),
        ..Draft::default()
    }
}

async fn form_page(
    app: &AppState,
    ws: &InWorkspace,
    post: Option<&Post>,
    draft: &Draft,
    errors: Vec<String>,
) -> Result<ComposerPage, PageError> {
    let tr = ws.tr();
    let accounts = app.store.social_accounts(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    let (pillars, campaigns) = super::calendar::label_choices(app, &ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    let library = app.store.media_list(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    let brand = brand_charter(app, &ws.workspace.id).await;
    let insight = match draft.insight.as_deref().filter(|_| post.is_none()) {
        Some(id) => {
            let i = insight_of(app, ws, id).await?;
            let text = ws.tr().tn("insights-answers", &[("label", &i.label), ("count", &i.message_count)]);
            Some(InsightNote { id: i.id, text })
        }
        None => None,
    };
    let mut variants = vec![];
    for a in &accounts {
        let v = draft.variants.iter().find(|v| v.account_id == a.id);
        variants.push(variant_form(ws, a, v, draft.accounts.contains(&a.id), &library, &brand));
    }
    Ok(ComposerPage {
        c: Chrome::workspace(ws, Some(Section::Composer)),
        base: ws.base(),
        action: match post {
            Some(p) => format!("{}/posts/{}/edit", ws.base(), p.id),
            None => format!("{}/compose", ws.base()),
        },
        editing: post.is_some(),
        state_label: post.map(|p| state_label(tr, p.state)),
        back_to_review: post.is_some_and(|p| !p.state.is_before_review()),
        title: draft.title.clone(),
        pillar: draft.pillar.clone().unwrap_or_default(),
        campaign: draft.campaign.clone().unwrap_or_default(),
        date: draft.date.clone(),
        time: if draft.time.is_empty() { "09:00".into() } else { draft.time.clone() },
        time_zone: ws.workspace.time_zone.clone(),
        pillars,
        campaigns,
        no_accounts: accounts.is_empty(),
        tone_notes: brand.base.tone_notes.clone(),
        charter_href: allows(ws.role, Action::ReadCharter).then(|| format!("{}/strategy/charter", ws.base())),
        insight,
        variants,
        errors,
    })
}

fn variant_form(
    ws: &InWorkspace,
    a: &SocialAccount,
    v: Option<&NewVariant>,
    selected: bool,
    library: &[Media],
    brand: &BrandCharter,
) -> VariantForm {
    let tr = ws.tr();
    let caps = capabilities_of(&a.network);
    let text = v.map(|v| v.text.clone()).unwrap_or_default();
    let findings = match (caps, v) {
        (Some(caps), Some(v)) if selected => {
            let charter = brand.for_network(&a.network);
            let facts = facts_of(library, &v.media_ids);
            let d = DraftVariant {
                text: &v.text,
                link: v.link.as_deref(),
                first_comment: v.first_comment.as_deref(),
                thread: &v.thread,
                media: &facts,
                content_warning: v.content_warning.as_deref(),
                visibility: v.visibility.as_deref().and_then(Visibility::from_key),
            };
            verdict_views(tr, &check_variant(caps, &d, &charter))
        }
        _ => vec![],
    };
    VariantForm {
        account_id: a.id.clone(),
        network: caps.map(|c| c.label.to_string()).unwrap_or_else(|| a.network.clone()),
        handle: a.handle.clone(),
        selected,
        // The warning counts with the text where the network has warnings (Mastodon).
        length: caps.map(|c| counted_length(c, &text, v.and_then(|v| v.content_warning.as_deref()))).unwrap_or(0),
        text,
        link: v.and_then(|v| v.link.clone()).unwrap_or_default(),
        first_comment: v.and_then(|v| v.first_comment.clone()).unwrap_or_default(),
        thread: v.map(|v| v.thread.join("\n---\n")).unwrap_or_default(),
        max_length: caps.map(|c| c.max_length).unwrap_or(0),
        threads: caps.is_some_and(|c| c.threads),
        first_comment_allowed: caps.is_some_and(|c| c.first_comment),
        content_warning: v.and_then(|v| v.content_warning.clone()).unwrap_or_default(),
        content_warning_allowed: caps.is_some_and(|c| c.content_warning),
        visibilities: caps
            .map(|c| c.visibilities)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, vis)| VisibilityChoice {
                key: vis.key(),
                label: tr.t(&format!("visibility-{}", vis.key())),
                selected: match v.and_then(|v| v.visibility.as_deref()) {
                    Some(chosen) => chosen == vis.key(),
                    None => i == 0,
                },
            })
            .collect(),
        simulated: caps.is_some_and(|c| c.simulated),
        paused: a.status == "paused",
        findings,
        media: library
            .iter()
            .map(|m| MediaChoice {
                id: m.id.clone(),
                filename: m.filename.clone(),
                alt: m.alt_text.clone(),
                video: m.kind == "video",
                checked: v.is_some_and(|v| v.media_ids.contains(&m.id)),
            })
            .collect(),
    }
}

#[derive(Deserialize, Default)]
pub struct NewQuery {
    /// A kept community insight to answer.
    insight: Option<String>,
}

pub async fn new(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<NewQuery>) -> Response {
    if let Err(e) = ws.require(Action::DraftPosts) {
        return e.into_response();
    }
    let draft = match q.insight.as_deref().filter(|i| !i.is_empty()) {
        Some(id) => {
            let insight = match insight_of(&app, &ws, id).await {
                Ok(i) => i,
                Err(e) => return e.into_response(),
            };
            let accounts = match app.store.social_accounts(&ws.workspace.id).await {
                Ok(a) => a,
                Err(e) => return PageError::store(ws.tr(), e).into_response(),
            };
            answering(ws.tr(), &accounts, &insight)
        }
        None => Draft::default(),
    };
    match form_page(&app, &ws, None, &draft, vec![]).await {
        Ok(p) => super::render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

pub async fn edit(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::DraftPosts) {
        return e.into_response();
    }
    let post = match load(&app, &ws, &id).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    if apply(post.state, PostAction::Edit, ws.role, ws.workspace.workflow_rules()).is_err() {
        return PageError::new(StatusCode::CONFLICT, "error-conflict", ws.tr())
            .detail(ws.tr().t1("error-not-editable", "state", state_label(ws.tr(), post.state)))
            .into_response();
    }
    let variants = app.store.variants(&post.id).await.unwrap_or_default();
    let mut media = app.store.variant_media(&variants.iter().map(|v| v.id.clone()).collect::<Vec<_>>()).await.unwrap_or_default();
    let local =
        post.scheduled_at.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()).and_then(|t| local_of(t, &ws.workspace.time_zone).ok());
    let draft = Draft {
        title: post.title.clone(),
        pillar: post.pillar.clone(),
        campaign: post.campaign.clone(),
        date: local.as_deref().and_then(|l| l.get(..10)).unwrap_or("").into(),
        time: local.as_deref().and_then(|l| l.get(11..16)).unwrap_or("").into(),
        submit: false,
        idea: false,
        insight: None,
        accounts: variants.iter().map(|v| v.account_id.clone()).collect(),
        variants: variants
            .iter()
            .map(|v| NewVariant {
                account_id: v.account_id.clone(),
                text: v.text.clone(),
                link: v.link.clone(),
                first_comment: v.first_comment.clone(),
                thread: v.thread_parts(),
                media_ids: media.remove(&v.id).unwrap_or_default().into_iter().map(|m| m.id).collect(),
                content_warning: v.content_warning.clone(),
                visibility: v.visibility.clone(),
            })
            .collect(),
    };
    match form_page(&app, &ws, Some(&post), &draft, vec![]).await {
        Ok(p) => super::render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

/// What must be right before anything is saved (network limits are checked, not enforced, on a
/// draft: they block scheduling).
fn validate(ws: &InWorkspace, accounts: &[SocialAccount], library: &[Media], d: &Draft) -> Vec<String> {
    let tr = ws.tr();
    let mut errors = vec![];
    if d.accounts.is_empty() {
        errors.push(tr.t("compose-error-no-account"));
    }
    for a in &d.accounts {
        if !accounts.iter().any(|x| &x.id == a) {
            errors.push(tr.t1("compose-error-unknown-account", "account", a));
        }
    }
    for v in &d.variants {
        if let Some(key) = v.visibility.as_deref().filter(|k| Visibility::from_key(k).is_none()) {
            errors.push(tr.t1("compose-error-visibility", "visibility", key));
        }
    }
    for id in d.variants.iter().flat_map(|v| &v.media_ids) {
        if !library.iter().any(|m| &m.id == id) {
            errors.push(tr.t1("compose-error-unknown-media", "media", id));
        }
    }
    if Name::parse("title", &d.title_or_default()).is_err() {
        errors.push(tr.t("compose-error-title"));
    }
    if let Some(local) = d.planned_local()
        && let Err(why) = super::calendar::future_instant(tr, &local, &ws.workspace.time_zone)
    {
        errors.push(why);
    }
    errors
}

async fn save_inner(app: &AppState, ws: &InWorkspace, existing: Option<Post>, fields: Vec<(String, String)>) -> Response {
    let tr = ws.tr();
    let draft = Draft::from_fields(&fields);
    let accounts = match app.store.social_accounts(&ws.workspace.id).await {
        Ok(a) => a,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let library = match app.store.media_list(&ws.workspace.id).await {
        Ok(l) => l,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    // A foreign or unknown insight is refused before anything is saved.
    let insight = match draft.insight.as_deref().filter(|_| existing.is_none()) {
        Some(id) => match insight_of(app, ws, id).await {
            Ok(i) => Some(i),
            Err(e) => return e.into_response(),
        },
        None => None,
    };
    let errors = validate(ws, &accounts, &library, &draft);
    if !errors.is_empty() {
        return match form_page(app, ws, existing.as_ref(), &draft, errors).await {
            Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr),
            Err(e) => e.into_response(),
        };
    }
    let actor = actor_of(ws);
    let content = PostContent {
        title: draft.title_or_default(),
        pillar: draft.pillar.clone(),
        campaign: draft.campaign.clone(),
        variants: draft.variants.clone(),
    };
    let rules = ws.workspace.workflow_rules();
    let saved: Result<Post, StoreError> = match &existing {
        None => {
            let new = NewPost {
                workspace_id: ws.workspace.id.clone(),
                title: content.title.clone(),
                pillar: content.pillar.clone(),
                campaign: content.campaign.clone(),
                variants: content.variants.clone(),
            };
            app.store.create_post_as(&new, if draft.idea { PostState::Idea } else { PostState::Draft }, &actor).await
        }
        Some(post) => {
            let to = match apply(post.state, PostAction::Edit, ws.role, rules) {
                Ok(to) => to,
                Err(_) => {
                    return PageError::new(StatusCode::CONFLICT, "error-conflict", tr)
                        .detail(tr.t1("error-not-editable", "state", state_label(tr, post.state)))
                        .into_response();
                }
            };
            match app.store.edit_post(&post.id, post.state, to, &content, &actor).await {
                Ok(()) => app.store.post(&post.id).await,
                Err(e) => Err(e),
            }
        }
    };
    let post = match saved {
        Ok(p) => p,
        Err(StoreError::Conflict(m)) => {
            return match form_page(app, ws, existing.as_ref(), &draft, vec![m]).await {
                Ok(p) => render_status(StatusCode::CONFLICT, &p, tr),
                Err(e) => e.into_response(),
            };
        }
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if let Some(i) = &insight
        && let Err(e) = app.store.link_post_to_insight(&post.id, &i.id).await
    {
        return PageError::store(tr, e).into_response();
    }
    // The planned time, set or cleared when it changed (an edited post is back before
    // scheduling, so this never touches publish jobs).
    let wanted = draft.planned_local();
    if wanted != post.scheduled_local {
        let zone = &ws.workspace.time_zone;
        let planned = match &wanted {
            Some(local) => match resolve_local(local, zone) {
                Ok(instant) => Some(PlannedAt { at_ms: instant.as_millisecond(), local, zone }),
                Err(e) => return PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-move", tr).detail(e.to_string()).into_response(),
            },
            None => None,
        };
        if let Err(e) = app.store.plan_post(&post.id, planned, &actor).await {
            return PageError::store(tr, e).into_response();
        }
    }
    if draft.submit && apply(post.state, PostAction::SubmitForReview, ws.role, rules).is_ok() {
        let members = app.store.members(&ws.workspace.id).await.unwrap_or_default();
        let notes = notes_for_move(ws, &post, &members, PostState::InReview, PostAction::SubmitForReview, None);
        if let Err(e) =
            app.store.move_post_notifying(&post.id, post.state, PostState::InReview, &actor, "submit_for_review", None, &notes).await
        {
            return PageError::store(tr, e).into_response();
        }
    }
    Redirect::to(&format!("{}/posts/{}?done=post-saved", ws.base(), post.id)).into_response()
}

pub async fn create(State(app): State<AppState>, ws: InWorkspace, Form(fields): Form<Vec<(String, String)>>) -> Response {
    if let Err(e) = ws.require(Action::DraftPosts) {
        return e.into_response();
    }
    save_inner(&app, &ws, None, fields).await
}

pub async fn update(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(e) = ws.require(Action::DraftPosts) {
        return e.into_response();
    }
    let post = match load(&app, &ws, &id).await {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    save_inner(&app, &ws, Some(post), fields).await
}

#[derive(Serialize)]
pub struct CheckedVariant {
    pub account_id: String,
    pub length: usize,
    pub max_length: usize,
    pub findings: Vec<CheckedFinding>,
}

#[derive(Serialize)]
pub struct CheckedFinding {
    pub error: bool,
    pub message: String,
    /// UTF-16 offsets into the text (what the browser's strings count), to highlight.
    pub span: Option<(usize, usize)>,
}

fn utf16_offset(text: &str, byte: usize) -> usize {
    text.get(..byte).map(|s| s.encode_utf16().count()).unwrap_or(0)
}

/// The composer's live check: the same verdict as on save, for the variants being typed.
pub async fn check(State(app): State<AppState>, ws: InWorkspace, Form(fields): Form<Vec<(String, String)>>) -> Response {
    if let Err(e) = ws.require(Action::DraftPosts) {
        return e.into_response();
    }
    let tr = ws.tr();
    let draft = Draft::from_fields(&fields);
    let accounts = match app.store.social_accounts(&ws.workspace.id).await {
        Ok(a) => a,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let library = match app.store.media_list(&ws.workspace.id).await {
        Ok(l) => l,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let brand = brand_charter(&app, &ws.workspace.id).await;
    let mut out = vec![];
    for v in &draft.variants {
        let Some(a) = accounts.iter().find(|a| a.id == v.account_id) else { continue };
        let Some(caps) = capabilities_of(&a.network) else { continue };
        let charter = brand.for_network(&a.network);
        let facts = facts_of(&library, &v.media_ids);
        let d = DraftVariant {
            text: &v.text,
            link: v.link.as_deref(),
            first_comment: v.first_comment.as_deref(),
            thread: &v.thread,
            media: &facts,
            content_warning: v.content_warning.as_deref(),
            visibility: v.visibility.as_deref().and_then(Visibility::from_key),
        };
        let verdict = check_variant(caps, &d, &charter);
        let media_problems = verdict.media.iter().map(|p| CheckedFinding {
            error: true,
            message: super::media::written_out(tr, p.code(), &p.args(tr.locale)),
            span: None,
        });
        let text_findings = verdict.findings.iter().map(|f| CheckedFinding {
            error: f.severity == Severity::Error,
            message: finding_text(tr, f),
            span: f.span.as_ref().map(|s| (utf16_offset(&v.text, s.start), utf16_offset(&v.text, s.end))),
        });
        out.push(CheckedVariant {
            account_id: a.id.clone(),
            length: counted_length(caps, &v.text, v.content_warning.as_deref()),
            max_length: caps.max_length,
            findings: media_problems.chain(text_findings).collect(),
        });
    }
    Json(out).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_gives_one_variant_per_ticked_account() {
        let f = |k: &str, v: &str| (k.to_string(), v.to_string());
        let fields = vec![
            f("title", " Prêt "),
            f("account", "a1"),
            f("account", "a2"),
            f("text_a1", "Bonjour\r\n"),
            f("thread_a1", "deux\r\n---\r\ntrois"),
            f("media_a1", "m1"),
            f("media_a1", "m2"),
            f("text_a2", "Salut"),
            f("link_a2", " https://example.org "),
            f("text_a3", "not ticked"),
            f("intent", "submit"),
        ];
        let d = Draft::from_fields(&fields);
        assert_eq!(d.title, "Prêt");
        assert!(d.submit);
        assert_eq!(d.variants.len(), 2);
        assert_eq!((d.variants[0].text.as_str(), d.variants[0].thread.clone()), ("Bonjour", vec!["deux".into(), "trois".into()]));
        assert_eq!(d.variants[0].media_ids, ["m1", "m2"]);
        assert_eq!(d.variants[1].link.as_deref(), Some("https://example.org"));
    }

    #[test]
    fn a_missing_title_comes_from_the_first_line_of_text() {
        let d = Draft { variants: vec![NewVariant::text("a", format!("{}\nsuite", "x".repeat(70)), None)], ..Default::default() };
        assert_eq!(d.title_or_default().chars().count(), 61);
        assert!(d.title_or_default().ends_with('…'));
    }

    #[test]
    fn spans_are_given_in_the_browsers_units() {
        assert_eq!(utf16_offset("é🎉x", "é🎉".len()), 3);
    }
}
