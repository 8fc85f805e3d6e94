//! Inbox → Moderation: the house rules (edited by admins and SMMs, read by CMs, published on a
//! public link an admin turns on), the ordered rules (create, edit, reorder, enable, delete, dry
//! run), the log of what rules and members did with undo, and hiding or deleting a message by
//! hand from the conversation.

use super::{PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::{Ctx, InWorkspace};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::moderation::{ACTION_KEYS, CompiledRule, Conditions, Repeated, Rule, RuleAction, RuleError, RuleSet};
use relais_core::policy::allows;
use relais_core::{Action, Section, now_ms};
use relais_networks::capabilities_of;
use relais_store::{DryRun, LogFilter, StoreError, UndoRefusal, Undone};
use serde::Deserialize;

/// How far back the dry run looks, and how many examples it shows.
const DRY_RUN_DAYS: i64 = 30;
const DRY_RUN_EXAMPLES: usize = 20;

fn base(ws: &InWorkspace) -> String {
    format!("{}/inbox/moderation", ws.base())
}

/// Paragraphs of the house rules: blank lines separate them; they are escaped by the template.
pub fn paragraphs(body: &str) -> Vec<String> {
    body.replace("\r\n", "\n").split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

pub struct RuleRow {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    pub stop: bool,
    pub summary: String,
    pub actions: String,
}

pub struct DryRunView {
    pub summary: String,
    pub lines: Vec<(String, String, u64)>,
    pub examples: Vec<(String, String, String, String, String)>,
}

fn action_label(tr: Tr, key: &str) -> String {
    tr.t(&format!("moderation-action-{}", key.replace('_', "-")))
}

fn dry_run_view(tr: Tr, ws: &InWorkspace, run: DryRun) -> DryRunView {
    DryRunView {
        summary: tr.tn("moderation-dry-run-summary", &[("scanned", &run.scanned), ("matched", &run.matched), ("days", &DRY_RUN_DAYS)]),
        lines: run.lines.into_iter().map(|l| (l.rule_name, action_label(tr, &l.action), l.count)).collect(),
        examples: run
            .examples
            .into_iter()
            .map(|e| {
                let actions = e.actions.iter().map(|a| action_label(tr, a)).collect::<Vec<_>>().join(", ");
                (e.rule_name, actions, e.text, e.author_handle, tr.datetime(e.created_at, &ws.workspace.time_zone))
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "moderation.html")]
struct ModerationPage {
    c: Chrome,
    base: String,
    c_inbox: String,
    house_rules: Vec<String>,
    house_rules_body: String,
    can_edit_house_rules: bool,
    can_publish: bool,
    public_url: Option<String>,
    public_enabled: bool,
    rules: Vec<RuleRow>,
    dry_run: Option<DryRunView>,
    error: Option<String>,
}

fn summary(tr: Tr, r: &Rule) -> String {
    let c = &r.conditions;
    let mut parts = vec![];
    if !c.words.is_empty() {
        parts.push(format!("{} : {}", tr.t("moderation-field-words"), c.words.join(", ")));
    }
    if !c.patterns.is_empty() {
        parts.push(format!("{} : {}", tr.t("moderation-field-patterns"), c.patterns.join(", ")));
    }
    if let Some(l) = &c.language {
        parts.push(format!("{} : {l}", tr.t("moderation-field-language")));
    }
    if let Some(s) = &c.sentiment {
        parts.push(format!("{} : {}", tr.t("moderation-field-sentiment"), tr.t(&format!("inbox-sentiment-{s}"))));
    }
    if let Some(t) = c.toxicity_above {
        parts.push(format!("{} > {t}", tr.t("moderation-field-toxicity_above")));
    }
    if !c.authors_listed.is_empty() {
        parts.push(format!("{} : {}", tr.t("moderation-field-authors_listed"), c.authors_listed.join(", ")));
    }
    if let Some(n) = c.min_links {
        parts.push(format!("{} ≥ {n}", tr.t("moderation-field-min_links")));
    }
    if let Some(r) = c.repeated {
        parts.push(tr.tn("moderation-repeated-summary", &[("times", &r.times), ("minutes", &r.window_minutes)]));
    }
    parts.join(" · ")
}

async fn overview(
    app: &AppState,
    ws: &InWorkspace,
    dry_run: bool,
    error: Option<String>,
    done: Option<&str>,
) -> Result<ModerationPage, PageError> {
    let tr = ws.tr();
    let store_err = |e| PageError::store(tr, e);
    let house = app.store.house_rules(&ws.workspace.id).await.map_err(store_err)?;
    let rules = app.store.moderation_rules(&ws.workspace.id).await.map_err(store_err)?;
    let dry_run = if dry_run {
        let (set, _) = RuleSet::compile(rules.clone());
        let since = now_ms() - DRY_RUN_DAYS * 86_400_000;
        Some(dry_run_view(tr, ws, app.store.moderation_dry_run(&ws.workspace.id, &set, since, DRY_RUN_EXAMPLES).await.map_err(store_err)?))
    } else {
        None
    };
    let public_base = app.config.public_url.clone().unwrap_or_default();
    Ok(ModerationPage {
        c: Chrome::workspace(ws, Some(Section::Inbox)).with_flash(done),
        base: base(ws),
        c_inbox: format!("{}/inbox", ws.base()),
        house_rules: house.as_ref().map(|h| paragraphs(&h.body)).unwrap_or_default(),
        house_rules_body: house.as_ref().map(|h| h.body.clone()).unwrap_or_default(),
        can_edit_house_rules: allows(ws.role, Action::ManageStrategy),
        can_publish: allows(ws.role, Action::EditWorkspaceSettings),
        public_url: house.as_ref().map(|h| format!("{}/house-rules/{}", public_base.trim_end_matches('/'), h.public_slug)),
        public_enabled: house.as_ref().is_some_and(|h| h.public_enabled),
        rules: rules
            .iter()
            .map(|r| RuleRow {
                id: r.id.clone(),
                name: r.name.clone(),
                enabled: r.enabled,
                stop: r.stop,
                summary: summary(tr, r),
                actions: r.actions.iter().map(|a| action_label(tr, a.key())).collect::<Vec<_>>().join(", "),
            })
            .collect(),
        dry_run,
        error,
    })
}

#[derive(Deserialize, Default)]
pub struct OverviewQuery {
    done: Option<String>,
    dry_run: Option<String>,
}

pub async fn index(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<OverviewQuery>) -> Response {
    if let Err(e) = ws.require(Action::Moderate) {
        return e.into_response();
    }
    match overview(&app, &ws, q.dry_run.is_some(), None, q.done.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
pub struct HouseRulesForm {
    body: String,
}

pub async fn save_house_rules(State(app): State<AppState>, ws: InWorkspace, PageForm(f): PageForm<HouseRulesForm>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    if let Err(e) = app.store.save_house_rules(&ws.workspace.id, f.body.trim(), &super::post::actor_of(&ws)).await {
        return match e {
            StoreError::Conflict(reason) => match overview(&app, &ws, false, Some(reason), None).await {
                Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr),
                Err(e) => e.into_response(),
            },
            e => PageError::store(tr, e).into_response(),
        };
    }
    if let Err(e) = audit(&app, &ws, "moderation.house_rules_saved", &ws.workspace.name, serde_json::json!({})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}?done=house-rules-saved", base(&ws))).into_response()
}

#[derive(Deserialize)]
pub struct PublishForm {
    op: String,
}

pub async fn publish_house_rules(State(app): State<AppState>, ws: InWorkspace, PageForm(f): PageForm<PublishForm>) -> Response {
    if let Err(e) = ws.require(Action::EditWorkspaceSettings) {
        return e.into_response();
    }
    let tr = ws.tr();
    let id = &ws.workspace.id;
    let result = match f.op.as_str() {
        "on" => app.store.set_house_rules_public(id, true).await,
        "off" => app.store.set_house_rules_public(id, false).await,
        "regenerate" => app.store.regenerate_house_rules_slug(id).await.map(|_| ()),
        _ => {
            return PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-bad-form", tr)
                .detail("op: on, off or regenerate")
                .into_response();
        }
    };
    match result {
        Ok(()) => {}
        Err(StoreError::NotFound(_)) => {
            return PageError::new(StatusCode::CONFLICT, "error-bad-form", tr).detail(tr.t("moderation-house-rules-none")).into_response();
        }
        Err(e) => return PageError::store(tr, e).into_response(),
    }
    if let Err(e) = audit(&app, &ws, "moderation.house_rules_link", &f.op, serde_json::json!({})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}?done=house-rules-link", base(&ws))).into_response()
}

/// The public house rules: no sign-in; unknown or turned-off links are "not found".
#[derive(Template)]
#[template(path = "house_rules_public.html")]
struct PublicPage {
    lang: &'static str,
    title: String,
    workspace: String,
    paragraphs: Vec<String>,
}

pub async fn public(State(app): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Response {
    let tr = ctx.tr;
    match app.store.public_house_rules(&slug).await {
        Ok(Some((workspace, h))) => {
            render(&PublicPage { lang: tr.lang(), title: tr.t("moderation-house-rules"), workspace, paragraphs: paragraphs(&h.body) }, tr)
        }
        Ok(None) => PageError::not_found(tr).into_response(),
        Err(e) => PageError::store(tr, e).into_response(),
    }
}

// ---- Rules ----

pub struct MemberOption {
    pub id: String,
    pub name: String,
    pub assign: bool,
    pub notify: bool,
}

#[derive(Template)]
#[template(path = "moderation_rule.html")]
struct RulePage {
    c: Chrome,
    base: String,
    /// Empty for a new rule.
    id: String,
    f: RuleFields,
    members: Vec<MemberOption>,
    sentiments: Vec<(String, String, bool)>,
    error: Option<String>,
    dry_run: Option<DryRunView>,
}

/// The form as typed, kept to show it again.
#[derive(Default, Clone)]
pub struct RuleFields {
    pub name: String,
    pub enabled: bool,
    pub stop: bool,
    pub words: String,
    pub patterns: String,
    pub language: String,
    pub sentiment: String,
    pub toxicity_above: String,
    pub authors_listed: String,
    pub authors_exempt: String,
    pub min_links: String,
    pub repeated_times: String,
    pub repeated_minutes: String,
    pub hide: bool,
    pub delete: bool,
    pub flag: bool,
    pub assign: String,
    pub tag: String,
    pub auto_reply: String,
    pub notify: Vec<String>,
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

impl RuleFields {
    fn of(r: &Rule) -> RuleFields {
        let c = &r.conditions;
        let mut f = RuleFields {
            name: r.name.clone(),
            enabled: r.enabled,
            stop: r.stop,
            words: c.words.join("\n"),
            patterns: c.patterns.join("\n"),
            language: c.language.clone().unwrap_or_default(),
            sentiment: c.sentiment.clone().unwrap_or_default(),
            toxicity_above: c.toxicity_above.map(|t| t.to_string()).unwrap_or_default(),
            authors_listed: c.authors_listed.join("\n"),
            authors_exempt: c.authors_exempt.join("\n"),
            min_links: c.min_links.map(|t| t.to_string()).unwrap_or_default(),
            repeated_times: c.repeated.map(|t| t.times.to_string()).unwrap_or_default(),
            repeated_minutes: c.repeated.map(|t| t.window_minutes.to_string()).unwrap_or_default(),
            ..RuleFields::default()
        };
        for a in &r.actions {
            match a {
                RuleAction::Hide => f.hide = true,
                RuleAction::Delete => f.delete = true,
                RuleAction::Flag => f.flag = true,
                RuleAction::Assign { member_id } => f.assign = member_id.clone(),
                RuleAction::Tag { tag } => f.tag = tag.clone(),
                RuleAction::AutoReply { text } => f.auto_reply = text.clone(),
                RuleAction::Notify { member_ids } => f.notify = member_ids.clone(),
            }
        }
        f
    }

    /// Reads the posted pairs (`notify` may repeat); returns the fields and the submit button.
    fn from_pairs(pairs: &[(String, String)]) -> (RuleFields, String) {
        let mut f = RuleFields::default();
        let mut op = String::from("save");
        for (k, v) in pairs {
            let v = v.clone();
            match k.as_str() {
                "name" => f.name = v,
                "enabled" => f.enabled = true,
                "stop" => f.stop = true,
                "words" => f.words = v,
                "patterns" => f.patterns = v,
                "language" => f.language = v,
                "sentiment" => f.sentiment = v,
                "toxicity_above" => f.toxicity_above = v,
                "authors_listed" => f.authors_listed = v,
                "authors_exempt" => f.authors_exempt = v,
                "min_links" => f.min_links = v,
                "repeated_times" => f.repeated_times = v,
                "repeated_minutes" => f.repeated_minutes = v,
                "hide" => f.hide = true,
                "delete" => f.delete = true,
                "flag" => f.flag = true,
                "assign" => f.assign = v,
                "tag" => f.tag = v,
                "auto_reply" => f.auto_reply = v,
                "notify" if !v.is_empty() => f.notify.push(v),
                "op" => op = v,
                _ => {}
            }
        }
        (f, op)
    }

    /// The rule the fields describe, validated; the error names the field.
    fn rule(&self, id: &str) -> Result<CompiledRule, RuleError> {
        fn number<T: std::str::FromStr>(field: &'static str, s: &str) -> Result<Option<T>, RuleError> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            s.parse().map(Some).map_err(|_| RuleError { field, problem: format!("{s:?} is not a whole number") })
        }
        let opt = |s: &str| Some(s.trim().to_lowercase()).filter(|s| !s.is_empty());
        let repeated = match (
            number::<u32>("repeated.times", &self.repeated_times)?,
            number::<u32>("repeated.window_minutes", &self.repeated_minutes)?,
        ) {
            (None, None) => None,
            (Some(times), Some(window_minutes)) => Some(Repeated { times, window_minutes }),
            (None, Some(_)) => return Err(RuleError { field: "repeated.times", problem: "how many copies?".into() }),
            (Some(_), None) => return Err(RuleError { field: "repeated.window_minutes", problem: "within how many minutes?".into() }),
        };
        let conditions = Conditions {
            words: lines(&self.words),
            patterns: lines(&self.patterns),
            language: opt(&self.language),
            sentiment: opt(&self.sentiment),
            toxicity_above: number("toxicity_above", &self.toxicity_above)?,
            authors_listed: lines(&self.authors_listed),
            authors_exempt: lines(&self.authors_exempt),
            min_links: number("min_links", &self.min_links)?,
            repeated,
        };
        let mut actions = vec![];
        if self.flag {
            actions.push(RuleAction::Flag);
        }
        if !self.tag.trim().is_empty() {
            actions.push(RuleAction::Tag { tag: self.tag.trim().to_string() });
        }
        if !self.assign.trim().is_empty() {
            actions.push(RuleAction::Assign { member_id: self.assign.trim().to_string() });
        }
        if !self.notify.is_empty() {
            actions.push(RuleAction::Notify { member_ids: self.notify.clone() });
        }
        if self.hide {
            actions.push(RuleAction::Hide);
        }
        if self.delete {
            actions.push(RuleAction::Delete);
        }
        if !self.auto_reply.trim().is_empty() {
            actions.push(RuleAction::AutoReply { text: self.auto_reply.trim().to_string() });
        }
        CompiledRule::compile(Rule {
            id: id.to_string(),
            name: self.name.clone(),
            enabled: self.enabled,
            stop: self.stop,
            conditions,
            actions,
        })
    }
}

/// A validation error in the member's language: the field's name translated, the reason as the
/// domain gives it.
pub fn rule_error_text(tr: Tr, e: &RuleError) -> String {
    let field = tr.t(&format!("moderation-field-{}", e.field.replace('.', "-")));
    tr.tn("moderation-error-field", &[("field", &field), ("reason", &e.problem)])
}

async fn rule_page(
    app: &AppState,
    ws: &InWorkspace,
    id: &str,
    f: RuleFields,
    error: Option<String>,
    dry_run: Option<DryRunView>,
) -> Result<RulePage, PageError> {
    let tr = ws.tr();
    let members = app.store.members(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    Ok(RulePage {
        c: Chrome::workspace(ws, Some(Section::Inbox)),
        base: base(ws),
        id: id.to_string(),
        members: members
            .iter()
            .filter(|m| allows(m.role, Action::UseInbox))
            .map(|m| MemberOption {
                id: m.user_id.clone(),
                name: m.name.clone(),
                assign: f.assign == m.user_id,
                notify: f.notify.contains(&m.user_id),
            })
            .collect(),
        sentiments: ["positive", "neutral", "negative"]
            .iter()
            .map(|s| (s.to_string(), tr.t(&format!("inbox-sentiment-{s}")), f.sentiment == *s))
            .collect(),
        f,
        error,
        dry_run,
    })
}

pub async fn new_rule(State(app): State<AppState>, ws: InWorkspace) -> Response {
    if let Err(e) = ws.require(Action::Moderate) {
        return e.into_response();
    }
    let f = RuleFields { enabled: true, ..RuleFields::default() };
    match rule_page(&app, &ws, "", f, None, None).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

pub async fn edit_rule(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::Moderate) {
        return e.into_response();
    }
    let r = match app.store.moderation_rule(&ws.workspace.id, &id).await {
        Ok(r) => r,
        Err(StoreError::NotFound(_)) => return PageError::not_found(ws.tr()).into_response(),
        Err(e) => return PageError::store(ws.tr(), e).into_response(),
    };
    match rule_page(&app, &ws, &id, RuleFields::of(&r), None, None).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

pub async fn create_rule(State(app): State<AppState>, ws: InWorkspace, PageForm(pairs): PageForm<Vec<(String, String)>>) -> Response {
    submit_rule(app, ws, String::new(), pairs).await
}

pub async fn update_rule(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(pairs): PageForm<Vec<(String, String)>>,
) -> Response {
    submit_rule(app, ws, id, pairs).await
}

async fn submit_rule(app: AppState, ws: InWorkspace, id: String, pairs: Vec<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::Moderate) {
        return e.into_response();
    }
    let tr = ws.tr();
    if !id.is_empty() {
        match app.store.moderation_rule(&ws.workspace.id, &id).await {
            Ok(_) => {}
            Err(StoreError::NotFound(_)) => return PageError::not_found(tr).into_response(),
            Err(e) => return PageError::store(tr, e).into_response(),
        }
    }
    let (f, op) = RuleFields::from_pairs(&pairs);
    let compiled = match f.rule(&id) {
        Ok(c) => c,
        Err(e) => {
            return match rule_page(&app, &ws, &id, f, Some(rule_error_text(tr, &e)), None).await {
                Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr),
                Err(e) => e.into_response(),
            };
        }
    };
    if op == "dry_run" {
        // The rule as typed, enabled or not, on the last 30 days; nothing is saved.
        let mut rule = compiled.rule;
        rule.enabled = true;
        let (set, _) = RuleSet::compile(vec![rule]);
        let since = now_ms() - DRY_RUN_DAYS * 86_400_000;
        let run = match app.store.moderation_dry_run(&ws.workspace.id, &set, since, DRY_RUN_EXAMPLES).await {
            Ok(r) => r,
            Err(e) => return PageError::store(tr, e).into_response(),
        };
        return match rule_page(&app, &ws, &id, f, None, Some(dry_run_view(tr, &ws, run))).await {
            Ok(p) => render(&p, tr),
            Err(e) => e.into_response(),
        };
    }
    let saved = match app.store.save_moderation_rule(&ws.workspace.id, &compiled).await {
        Ok(r) => r,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if let Err(e) = audit(&app, &ws, "moderation.rule_saved", &saved.name, serde_json::json!({"rule": saved.id})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}?done=rule-saved", base(&ws))).into_response()
}

#[derive(Deserialize)]
pub struct RuleOpForm {
    op: String,
}

/// Moves, enables, disables or deletes a rule.
pub async fn rule_op(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<RuleOpForm>,
) -> Response {
    if let Err(e) = ws.require(Action::Moderate) {
        return e.into_response();
    }
    let tr = ws.tr();
    let w = &ws.workspace.id;
    let result = match f.op.as_str() {
        "up" => app.store.move_moderation_rule(w, &id, true).await,
        "down" => app.store.move_moderation_rule(w, &id, false).await,
        "enable" => app.store.set_moderation_rule_enabled(w, &id, true).await,
        "disable" => app.store.set_moderation_rule_enabled(w, &id, false).await,
        "delete" => app.store.delete_moderation_rule(w, &id).await,
        _ => {
            return PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-bad-form", tr)
                .detail("op: up, down, enable, disable or delete")
                .into_response();
        }
    };
    match result {
        Ok(()) => {}
        Err(StoreError::NotFound(_)) => return PageError::not_found(tr).into_response(),
        Err(e) => return PageError::store(tr, e).into_response(),
    }
    if let Err(e) = audit(&app, &ws, "moderation.rule_changed", &id, serde_json::json!({"op": f.op})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}?done=rule-changed", base(&ws))).into_response()
}

// ---- Log ----

pub struct LogRow {
    pub id: String,
    pub when: String,
    pub rule: String,
    pub action: String,
    pub detail: String,
    pub message: String,
    pub message_href: String,
    pub author: String,
    pub outcome: String,
    pub outcome_label: String,
    pub error: Option<String>,
    pub undone: Option<String>,
    /// Why undo is not offered, when it is not.
    pub no_undo: Option<String>,
}

#[derive(Template)]
#[template(path = "moderation_log.html")]
struct LogPage {
    c: Chrome,
    base: String,
    rows: Vec<LogRow>,
    rules: Vec<(String, String, bool)>,
    actions: Vec<(String, String, bool)>,
}

#[derive(Deserialize, Default)]
pub struct LogQuery {
    rule: Option<String>,
    action: Option<String>,
    done: Option<String>,
}

/// Why an entry cannot be undone, before trying: the same reasons the store gives.
fn no_undo(action: &str, outcome: &str) -> Option<UndoRefusal> {
    match action {
        "delete" => Some(UndoRefusal::Deleted),
        "notify" => Some(UndoRefusal::Notified),
        "hide" | "auto_reply" if outcome != "done" => Some(UndoRefusal::NotDone),
        "flag" | "tag" | "assign" | "hide" | "auto_reply" => None,
        _ => Some(UndoRefusal::IsUndo),
    }
}

pub async fn log(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<LogQuery>) -> Response {
    if let Err(e) = ws.require(Action::Moderate) {
        return e.into_response();
    }
    let tr = ws.tr();
    let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    let filter = LogFilter { rule_id: given(&q.rule), action: given(&q.action) };
    let entries = match app.store.moderation_log(&ws.workspace.id, &filter, 200).await {
        Ok(e) => e,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let rules = match app.store.moderation_rules(&ws.workspace.id).await {
        Ok(r) => r,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let members = match app.store.members(&ws.workspace.id).await {
        Ok(m) => m,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let name_of = |id: &str| members.iter().find(|m| m.user_id == id).map(|m| m.name.clone()).unwrap_or_else(|| id.to_string());
    let tz = &ws.workspace.time_zone;
    let rows = entries
        .into_iter()
        .map(|e| LogRow {
            when: tr.datetime(e.created_at, tz),
            rule: if e.rule_id.is_some() { e.rule_name.clone() } else { tr.tn("moderation-by-hand", &[("who", &e.actor_label)]) },
            action: action_label(tr, &e.action),
            detail: match e.action.as_str() {
                "assign" => e.detail.as_deref().map(name_of).unwrap_or_default(),
                "notify" => e.detail.as_deref().unwrap_or("").split(',').map(name_of).collect::<Vec<_>>().join(", "),
                "tag" => e.detail.clone().unwrap_or_default(),
                _ => String::new(),
            },
            message_href: format!("{}/inbox/{}", ws.base(), e.message_id),
            message: e.message_text.chars().take(140).collect(),
            author: e.message_author.clone(),
            outcome_label: tr.t(&format!("moderation-outcome-{}", e.outcome.replace('_', "-"))),
            error: e.error.clone(),
            undone: e.undone_at.map(|t| {
                tr.tn("moderation-undone-by", &[("who", &e.undone_by.clone().unwrap_or_default()), ("when", &tr.datetime(t, tz))])
            }),
            no_undo: no_undo(&e.action, &e.outcome).map(|r| tr.t(r.code())),
            outcome: e.outcome,
            id: e.id,
        })
        .collect();
    let page = LogPage {
        c: Chrome::workspace(&ws, Some(Section::Inbox)).with_flash(q.done.as_deref()),
        base: base(&ws),
        rows,
        rules: rules.iter().map(|r| (r.id.clone(), r.name.clone(), filter.rule_id.as_ref() == Some(&r.id))).collect(),
        actions: ACTION_KEYS
            .iter()
            .chain(["unhide", "delete_reply"].iter())
            .map(|a| (a.to_string(), action_label(tr, a), filter.action.as_deref() == Some(*a)))
            .collect(),
    };
    render(&page, tr)
}

pub async fn undo(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::Moderate) {
        return e.into_response();
    }
    let tr = ws.tr();
    let done = match app.store.undo_moderation(&ws.workspace.id, &id, &super::post::actor_of(&ws)).await {
        Ok(Undone::Done) => "undone",
        Ok(Undone::Queued) => "undo-queued",
        Ok(Undone::Refused(r)) => {
            return PageError::new(StatusCode::CONFLICT, "moderation-undo-refused", tr).detail(tr.t(r.code())).into_response();
        }
        Err(StoreError::NotFound(_)) => return PageError::not_found(tr).into_response(),
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if let Err(e) = audit(&app, &ws, "moderation.undone", &id, serde_json::json!({})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/log?done={done}", base(&ws))).into_response()
}

// ---- By hand, from the conversation ----

/// What the conversation shows about moderating its message.
pub struct MessageModeration {
    pub flagged: bool,
    /// hidden | deleted, once the network confirmed it.
    pub state: Option<String>,
    pub state_label: String,
    pub can_moderate: bool,
    pub can_hide: bool,
    pub can_delete: bool,
    /// Why hiding or deleting is not offered on this network.
    pub hide_note: Option<String>,
    pub delete_note: Option<String>,
    pub pending: bool,
}

pub async fn message_moderation(app: &AppState, ws: &InWorkspace, message_id: &str, network: &str) -> Result<MessageModeration, PageError> {
    let tr = ws.tr();
    let (flagged, state) = app.store.moderation_marks(message_id).await.map_err(|e| PageError::store(tr, e))?;
    let pending = app
        .store
        .moderation_log(&ws.workspace.id, &LogFilter::default(), 500)
        .await
        .map_err(|e| PageError::store(tr, e))?
        .iter()
        .any(|l| l.message_id == message_id && l.outcome == "pending" && matches!(l.action.as_str(), "hide" | "unhide" | "delete"));
    let caps = capabilities_of(network);
    let label = caps.map(|c| c.label).unwrap_or(network);
    let can_hide = caps.is_some_and(|c| c.hide_replies);
    let can_delete = caps.is_some_and(|c| c.delete_comments);
    Ok(MessageModeration {
        flagged,
        state_label: state.as_ref().map(|s| tr.t(&format!("moderation-state-{s}"))).unwrap_or_default(),
        state,
        can_moderate: allows(ws.role, Action::Moderate),
        can_hide,
        can_delete,
        hide_note: (!can_hide).then(|| tr.tn("moderation-hide-not-offered", &[("network", &label)])),
        delete_note: (!can_delete).then(|| tr.tn("moderation-delete-not-offered", &[("network", &label)])),
        pending,
    })
}

#[derive(Deserialize)]
pub struct ByHandForm {
    action: String,
}

pub async fn by_hand(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<ByHandForm>,
) -> Response {
    if let Err(e) = ws.require(Action::Moderate) {
        return e.into_response();
    }
    let tr = ws.tr();
    let m = match app.store.inbox_message(&id).await {
        Ok(m) if m.workspace_id == ws.workspace.id => m,
        Ok(_) | Err(StoreError::NotFound(_)) => return PageError::not_found(tr).into_response(),
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let caps = capabilities_of(&m.network);
    let offered = match f.action.as_str() {
        "hide" | "unhide" => caps.is_some_and(|c| c.hide_replies),
        "delete" => caps.is_some_and(|c| c.delete_comments),
        _ => {
            return PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-bad-form", tr)
                .detail("action: hide, unhide or delete")
                .into_response();
        }
    };
    if !offered {
        let label = caps.map(|c| c.label).unwrap_or(&m.network);
        let key = if f.action == "delete" { "moderation-delete-not-offered" } else { "moderation-hide-not-offered" };
        return PageError::new(StatusCode::CONFLICT, "moderation-not-offered", tr)
            .detail(tr.tn(key, &[("network", &label)]))
            .into_response();
    }
    if let Err(e) = app.store.request_network_moderation(&m.id, &f.action, &super::post::actor_of(&ws)).await {
        return PageError::store(tr, e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "moderation.by_hand", &m.author_handle, serde_json::json!({"message": m.id, "action": f.action})).await
    {
        return e.into_response();
    }
    Redirect::to(&format!("{}/inbox/{}?done=moderation-queued", ws.base(), m.id)).into_response()
}
