//! Customer care around the inbox: bulk actions on the list, the care settings (business hours,
//! satisfaction question) and the care figures of a period.

use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::business_hours::{HoursError, WEEKDAYS, format_day, parse_closed_days, parse_day};
use relais_core::care_figures::{CareFigures, MessageFacts, figures};
use relais_core::inbox::{MessageStatus, normalize_tag};
use relais_core::policy::allows;
use relais_core::satisfaction::MAX_QUESTION_CHARS;
use relais_core::{Action, Section, now_ms};
use relais_store::{Actor, BulkAction, BulkOutcome, CareFacts, CareSettings, MAX_BULK, Member, Store, StoreError};
use serde::Deserialize;
use std::collections::BTreeMap;

// ---------------------------------------------------------------------------------------------
// Bulk actions

/// A bulk action as the list's form or the API names it, checked.
pub fn bulk_action_of(op: &str, value: &str, members: &[Member]) -> Result<BulkAction, (&'static str, String)> {
    let value = value.trim();
    match op {
        "status" => MessageStatus::parse(value)
            .map(BulkAction::SetStatus)
            .ok_or_else(|| ("status", format!("unknown status {value:?}; expected open, pending or resolved"))),
        "assign" if value.is_empty() => Ok(BulkAction::Assign(None)),
        "assign" => members
            .iter()
            .find(|m| m.user_id == value && allows(m.role, Action::UseInbox))
            .map(|m| BulkAction::Assign(Some(m.user_id.clone())))
            .ok_or_else(|| ("assignee", format!("{value:?} is not a member who uses the inbox"))),
        "unassign" => Ok(BulkAction::Assign(None)),
        "tag" => normalize_tag(value).map(BulkAction::Tag).map_err(|e| ("tag", e)),
        "untag" => normalize_tag(value).map(BulkAction::Untag).map_err(|e| ("tag", e)),
        other => Err(("op", format!("unknown action {other:?}; expected status, assign, unassign, tag or untag"))),
    }
}

/// Runs a checked bulk action: `Err((field, reason))` names a foreign id or a refused value.
pub async fn run_bulk(
    store: &Store,
    workspace_id: &str,
    ids: &[String],
    action: &BulkAction,
    by: &Actor,
) -> Result<Result<u64, (&'static str, String)>, StoreError> {
    if ids.is_empty() {
        return Ok(Err(("ids", "select at least one message".into())));
    }
    if ids.len() > MAX_BULK {
        return Ok(Err(("ids", format!("{} messages selected; one action takes {MAX_BULK} at most", ids.len()))));
    }
    Ok(match store.bulk_inbox(workspace_id, ids, action, by, now_ms()).await? {
        BulkOutcome::Applied(n) => Ok(n),
        BulkOutcome::Foreign(id) => Err(("ids", format!("message {id} is not in this workspace; nothing was changed"))),
    })
}

/// The list's bulk form: `ids` repeated (checked boxes), `page` repeated (every id shown), `all`
/// (select all on this page), `op` and the op's value.
pub async fn bulk(State(app): State<AppState>, ws: InWorkspace, PageForm(pairs): PageForm<Vec<(String, String)>>) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    let get = |k: &str| pairs.iter().filter(|(n, _)| n == k).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let all = get("all").iter().any(|v| v == "1");
    let ids = if all { get("page") } else { get("ids") };
    let op = get("op").pop().unwrap_or_default();
    let value = match op.as_str() {
        "status" => get("status").pop(),
        "assign" => get("assignee").pop(),
        "tag" | "untag" => get("tag").pop(),
        _ => None,
    }
    .unwrap_or_default();
    let members = match app.store.members(&ws.workspace.id).await {
        Ok(m) => m,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let refused = |field: &str, reason: &str| {
        PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-bad-form", tr)
            .detail(tr.tn("care-error-field", &[("field", &field), ("reason", &reason)]))
            .into_response()
    };
    let action = match bulk_action_of(&op, &value, &members) {
        Ok(a) => a,
        Err((field, reason)) => return refused(field, &reason),
    };
    match run_bulk(&app.store, &ws.workspace.id, &ids, &action, &super::post::actor_of(&ws)).await {
        Ok(Ok(n)) => {
            let details = serde_json::json!({"op": op, "value": value, "messages": ids.len(), "changed": n});
            if let Err(e) = audit(&app, &ws, "inbox.bulk", &op, details).await {
                return e.into_response();
            }
            Redirect::to(&format!("{}/inbox?done=inbox-bulk", ws.base())).into_response()
        }
        Ok(Err((field, reason))) => refused(field, &reason),
        Err(e) => PageError::store(tr, e).into_response(),
    }
}

// ---------------------------------------------------------------------------------------------
// Care settings: business hours and the satisfaction question

pub struct DayRow {
    pub field: &'static str,
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "care_settings.html")]
struct SettingsPage {
    c: Chrome,
    base: String,
    days: Vec<DayRow>,
    closed_days: String,
    french_holidays: bool,
    survey_enabled: bool,
    question_fr: String,
    question_en: String,
    time_zone: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct SettingsForm {
    #[serde(default)]
    pub monday: String,
    #[serde(default)]
    pub tuesday: String,
    #[serde(default)]
    pub wednesday: String,
    #[serde(default)]
    pub thursday: String,
    #[serde(default)]
    pub friday: String,
    #[serde(default)]
    pub saturday: String,
    #[serde(default)]
    pub sunday: String,
    #[serde(default)]
    pub closed_days: String,
    pub french_holidays: Option<String>,
    pub survey_enabled: Option<String>,
    #[serde(default)]
    pub question_fr: String,
    #[serde(default)]
    pub question_en: String,
}

impl SettingsForm {
    fn days(&self) -> [&str; 7] {
        [&self.monday, &self.tuesday, &self.wednesday, &self.thursday, &self.friday, &self.saturday, &self.sunday]
    }
}

fn weekday_label(tr: Tr, field: &str) -> String {
    tr.t(&format!("care-day-{field}"))
}

/// The settings the form describes, or the first problem (naming its field).
pub fn settings_of(f: &SettingsForm) -> Result<CareSettings, (String, String)> {
    let as_pair = |e: HoursError| {
        let field = match &e {
            HoursError::BadTime { field, .. }
            | HoursError::BadRange { field, .. }
            | HoursError::Backwards { field, .. }
            | HoursError::Overlap { field, .. }
            | HoursError::BadDate { field, .. } => field.clone(),
        };
        (field, e.to_string())
    };
    let mut week: [Vec<relais_core::business_hours::Range>; 7] = Default::default();
    for (i, text) in f.days().into_iter().enumerate() {
        week[i] = parse_day(WEEKDAYS[i].1, text).map_err(as_pair)?;
    }
    let closed_days = parse_closed_days("closed_days", &f.closed_days).map_err(as_pair)?;
    let survey_enabled = f.survey_enabled.is_some();
    let mut questions = vec![];
    for (field, q) in [("question_fr", &f.question_fr), ("question_en", &f.question_en)] {
        let q = q.trim();
        if (survey_enabled && q.is_empty()) || q.chars().count() > MAX_QUESTION_CHARS {
            return Err((field.into(), format!("the question has 1 to {MAX_QUESTION_CHARS} characters")));
        }
        questions.push(q.to_string());
    }
    let defaults = CareSettings::default();
    let or_default = |q: String, d: String| if q.is_empty() { d } else { q };
    let mut questions = questions.into_iter();
    Ok(CareSettings {
        week,
        closed_days,
        french_holidays: f.french_holidays.is_some(),
        survey_enabled,
        survey_question_fr: or_default(questions.next().unwrap_or_default(), defaults.survey_question_fr),
        survey_question_en: or_default(questions.next().unwrap_or_default(), defaults.survey_question_en),
    })
}

fn settings_page(ws: &InWorkspace, form: &SettingsForm, error: Option<String>, done: Option<&str>) -> SettingsPage {
    let tr = ws.tr();
    SettingsPage {
        c: Chrome::workspace(ws, Some(Section::Inbox)).with_flash(done),
        base: ws.base(),
        days: WEEKDAYS
            .iter()
            .zip(form.days())
            .map(|((_, field), value)| DayRow { field, label: weekday_label(tr, field), value: value.to_string() })
            .collect(),
        closed_days: form.closed_days.clone(),
        french_holidays: form.french_holidays.is_some(),
        survey_enabled: form.survey_enabled.is_some(),
        question_fr: form.question_fr.clone(),
        question_en: form.question_en.clone(),
        time_zone: ws.workspace.time_zone.clone(),
        error,
    }
}

pub fn form_of(s: &CareSettings) -> SettingsForm {
    let d = |i: usize| format_day(&s.week[i]);
    SettingsForm {
        monday: d(0),
        tuesday: d(1),
        wednesday: d(2),
        thursday: d(3),
        friday: d(4),
        saturday: d(5),
        sunday: d(6),
        closed_days: s.closed_days.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "),
        french_holidays: s.french_holidays.then(|| "1".into()),
        survey_enabled: s.survey_enabled.then(|| "1".into()),
        question_fr: s.survey_question_fr.clone(),
        question_en: s.survey_question_en.clone(),
    }
}

pub async fn settings(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    match app.store.care_settings(&ws.workspace.id).await {
        Ok(s) => render(&settings_page(&ws, &form_of(&s), None, done.done.as_deref()), ws.tr()),
        Err(e) => PageError::store(ws.tr(), e).into_response(),
    }
}

pub async fn save_settings(State(app): State<AppState>, ws: InWorkspace, PageForm(f): PageForm<SettingsForm>) -> Response {
    if let Err(e) = ws.require(Action::ManageStrategy) {
        return e.into_response();
    }
    let tr = ws.tr();
    let settings = match settings_of(&f) {
        Ok(s) => s,
        Err((field, reason)) => {
            let label = WEEKDAYS.iter().find(|(_, n)| *n == field).map(|(_, n)| weekday_label(tr, n)).unwrap_or(field);
            let problem = tr.tn("care-error-field", &[("field", &label), ("reason", &reason)]);
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &settings_page(&ws, &f, Some(problem), None), tr);
        }
    };
    if let Err(e) = app.store.save_care_settings(&ws.workspace.id, &settings).await {
        return PageError::store(tr, e).into_response();
    }
    if let Err(e) =
        audit(&app, &ws, "care.settings_saved", &ws.workspace.name, serde_json::json!({"survey": settings.survey_enabled})).await
    {
        return e.into_response();
    }
    Redirect::to(&format!("{}/care/settings?done=care-settings-saved", ws.base())).into_response()
}

// ---------------------------------------------------------------------------------------------
// Care figures

/// The figures of a period: the workspace's, each account's and each first responder's.
pub struct PeriodFigures {
    pub workspace: CareFigures,
    /// (account id, figures), by account id.
    pub accounts: Vec<(String, CareFigures)>,
    /// (member id, figures) for messages whose first answer that member sent.
    pub members: Vec<(String, CareFigures)>,
}

/// (account, first responder, score), as [`CareFacts::scores`] holds them.
type ScoreRow = (String, Option<String>, i64);

/// Groups a period's facts and computes every group's figures with the workspace's hours.
pub fn period_figures(facts: &CareFacts, settings: &CareSettings, time_zone: &str) -> PeriodFigures {
    let hours = settings.hours(time_zone);
    let business = |a: i64, b: i64| hours.business_ms(a, b);
    let all_scores: Vec<i64> = facts.scores.iter().map(|s| s.2).collect();
    let mut by_account: BTreeMap<&str, Vec<&MessageFacts>> = BTreeMap::new();
    let mut by_member: BTreeMap<&str, Vec<&MessageFacts>> = BTreeMap::new();
    for m in &facts.messages {
        by_account.entry(m.account_id.as_str()).or_default().push(m);
        if let Some(member) = &m.first_responder_id {
            by_member.entry(member.as_str()).or_default().push(m);
        }
    }
    let scores_where = |pred: &dyn Fn(&ScoreRow) -> bool| -> Vec<i64> { facts.scores.iter().filter(|s| pred(s)).map(|s| s.2).collect() };
    PeriodFigures {
        workspace: figures(&facts.messages, &all_scores, business),
        accounts: by_account.into_iter().map(|(a, ms)| (a.to_string(), figures(ms, &scores_where(&|s| s.0 == a), business))).collect(),
        members: by_member
            .into_iter()
            .map(|(u, ms)| (u.to_string(), figures(ms, &scores_where(&|s| s.1.as_deref() == Some(u)), business)))
            .collect(),
    }
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD` (inclusive days in the workspace's time zone).
#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The period as epoch ms `[from, to)` and its two days, default the last 30 days; or why not.
pub fn period_of(q: &PeriodQuery, time_zone: &str) -> Result<(i64, i64, String, String), (&'static str, String)> {
    let tz = jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let today = jiff::Timestamp::now().to_zoned(tz.clone()).date();
    let parse = |field: &'static str, v: &Option<String>, default: jiff::civil::Date| match v.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(s) => s.parse::<jiff::civil::Date>().map_err(|_| (field, format!("{s:?} is not a date (YYYY-MM-DD)"))),
    };
    let to = parse("to", &q.to, today)?;
    let from = parse("from", &q.from, to.checked_sub(jiff::Span::new().days(29)).unwrap_or(to))?;
    if from > to {
        return Err(("from", format!("the period starts ({from}) after it ends ({to})")));
    }
    let start = |d: jiff::civil::Date| d.to_zoned(tz.clone()).map(|z| z.timestamp().as_millisecond());
    let end_day = to.checked_add(jiff::Span::new().days(1)).map_err(|e| ("to", e.to_string()))?;
    let (Ok(a), Ok(b)) = (start(from), start(end_day)) else { return Err(("from", "the period is out of range".into())) };
    Ok((a, b, from.to_string(), to.to_string()))
}

pub struct FigureRow {
    pub label: String,
    pub received: u64,
    pub answered: u64,
    pub response_rate: String,
    pub resolution_rate: String,
    pub first_response_business: String,
    pub first_response_wall: String,
    pub resolution_business: String,
    pub resolution_wall: String,
    pub satisfaction: String,
    pub satisfaction_count: u64,
    pub distribution: [u64; 5],
}

/// A duration in words: "—" when none, else hours and minutes.
pub fn duration_label(ms: Option<i64>) -> String {
    match ms {
        None => "—".into(),
        Some(ms) => {
            let minutes = (ms + 30_000) / 60_000;
            if minutes < 60 { format!("{minutes} min") } else { format!("{} h {:02}", minutes / 60, minutes % 60) }
        }
    }
}

fn percent(r: Option<f64>) -> String {
    r.map(|r| format!("{:.0} %", r * 100.0)).unwrap_or_else(|| "—".into())
}

fn row(label: String, f: &CareFigures) -> FigureRow {
    let pair = |d: &relais_core::care_figures::Durations| format!("{} / {}", duration_label(d.median), duration_label(d.p90));
    FigureRow {
        label,
        received: f.received,
        answered: f.answered,
        response_rate: percent(f.response_rate),
        resolution_rate: percent(f.resolution_rate),
        first_response_business: pair(&f.first_response_business),
        first_response_wall: pair(&f.first_response_wall),
        resolution_business: pair(&f.resolution_business),
        resolution_wall: pair(&f.resolution_wall),
        satisfaction: f.satisfaction.average.map(|a| format!("{a:.1} / 5")).unwrap_or_else(|| "—".into()),
        satisfaction_count: f.satisfaction.count,
        distribution: f.satisfaction.distribution,
    }
}

pub struct FigureSection {
    pub title: String,
    pub rows: Vec<FigureRow>,
}

#[derive(Template)]
#[template(path = "care_figures.html")]
struct FiguresPage {
    c: Chrome,
    base: String,
    from: String,
    to: String,
    sections: Vec<FigureSection>,
    can_configure: bool,
    error: Option<String>,
}

pub async fn figures_page(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<PeriodQuery>) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    let (period, error) = match period_of(&q, &ws.workspace.time_zone) {
        Ok(p) => (p, None),
        Err((field, reason)) => (
            period_of(&PeriodQuery::default(), &ws.workspace.time_zone).expect("the default period is valid"),
            Some(tr.tn("care-error-field", &[("field", &field), ("reason", &reason)])),
        ),
    };
    let (from, to, from_day, to_day) = period;
    let store = &app.store;
    let (facts, settings, accounts, members) = match (
        store.care_facts(&ws.workspace.id, from, to).await,
        store.care_settings(&ws.workspace.id).await,
        store.social_accounts(&ws.workspace.id).await,
        store.members(&ws.workspace.id).await,
    ) {
        (Ok(f), Ok(s), Ok(a), Ok(m)) => (f, s, a, m),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => return PageError::store(tr, e).into_response(),
    };
    let p = period_figures(&facts, &settings, &ws.workspace.time_zone);
    let account_label = |id: &str| {
        accounts
            .iter()
            .find(|a| a.id == id)
            .map(|a| format!("{} · {}", super::inbox::network_label(&a.network), a.handle))
            .unwrap_or_else(|| id.to_string())
    };
    let member_label =
        |id: &str| members.iter().find(|m| m.user_id == id).map(|m| m.name.clone()).unwrap_or_else(|| tr.t("care-former-member"));
    let view = FiguresPage {
        c: Chrome::workspace(&ws, Some(Section::Inbox)),
        base: ws.base(),
        from: from_day,
        to: to_day,
        sections: vec![
            FigureSection { title: tr.t("care-workspace"), rows: vec![row(ws.workspace.name.clone(), &p.workspace)] },
            FigureSection { title: tr.t("care-by-account"), rows: p.accounts.iter().map(|(a, f)| row(account_label(a), f)).collect() },
            FigureSection { title: tr.t("care-by-member"), rows: p.members.iter().map(|(m, f)| row(member_label(m), f)).collect() },
        ],
        can_configure: allows(ws.role, Action::ManageStrategy),
        error: error.clone(),
    };
    if error.is_some() { render_status(StatusCode::UNPROCESSABLE_ENTITY, &view, tr) } else { render(&view, tr) }
}
