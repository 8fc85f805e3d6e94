//! Community insights: the inbox's recurring questions and tagged topics of a period, grouped by
//! `relais_core::insights`, each with its weekly volume, tags, sentiment and examples, and
//! "answer with a post", which keeps the insight and opens the composer on a draft answer.

use super::{PageForm, render};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::inbox::{FEEDBACK_TAGS, normalize_tag};
use relais_core::insights::{Insight, Insights, Period, insights};
use relais_core::policy::allows;
use relais_core::{Action, Section, now_ms};
use relais_store::{InsightAnswer, InsightSource, NewInsight, StoreError};
use serde::Deserialize;

/// The periods offered, in days; the first visit shows the default.
pub const PERIODS: [i64; 5] = [7, 30, 90, 180, 365];
pub const DEFAULT_DAYS: i64 = 90;
/// The newest messages of the period read at most: grouping stays a matter of milliseconds.
pub const MAX_MESSAGES: i64 = 20_000;

#[derive(Deserialize, Default, Clone)]
pub struct InsightsQuery {
    pub days: Option<String>,
    pub tag: Option<String>,
}

/// The period's length and the tag, or which parameter is wrong and why.
pub fn params_of(q: &InsightsQuery) -> Result<(i64, Option<String>), (&'static str, String)> {
    let days = match q.days.as_deref().map(str::trim).filter(|d| !d.is_empty()) {
        None => DEFAULT_DAYS,
        Some(d) => match d.parse::<i64>() {
            Ok(n) if PERIODS.contains(&n) => n,
            _ => {
                let offered: Vec<String> = PERIODS.iter().map(|p| p.to_string()).collect();
                return Err(("days", format!("{d:?} is not a period Relais offers; expected one of {} (days)", offered.join(", "))));
            }
        },
    };
    let tag = match q.tag.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(normalize_tag(t).map_err(|reason| ("tag", reason))?),
        None => None,
    };
    Ok((days, tag))
}

/// The insights of the workspace for the last `days` days, with what they were computed from.
pub struct Computed {
    pub period: Period,
    pub source: InsightSource,
    pub insights: Insights,
}

pub async fn compute(app: &AppState, workspace_id: &str, days: i64, tag: Option<&str>) -> Result<Computed, StoreError> {
    let period = Period::last_days(now_ms(), days);
    let source = app.store.insight_source(workspace_id, period, tag, MAX_MESSAGES).await?;
    // Grouping 20,000 messages is CPU work: off the async threads.
    let messages = source.messages.clone();
    let found = tokio::task::spawn_blocking(move || insights(&messages, period))
        .await
        .map_err(|e| StoreError::Conflict(format!("grouping the messages failed: {e}")))?;
    Ok(Computed { period, source, insights: found })
}

pub fn tag_label(tr: Tr, tag: &str) -> String {
    if FEEDBACK_TAGS.contains(&tag) { tr.t(&format!("inbox-tag-{tag}")) } else { tag.to_string() }
}

/// One bar of the weekly chart, in the SVG's units.
pub struct Bar {
    pub x: usize,
    pub y: usize,
    pub height: usize,
    pub title: String,
}

pub const CHART_HEIGHT: usize = 40;
const BAR_WIDTH: usize = 8;
const BAR_GAP: usize = 2;

/// Bars scaled to the insight's busiest week (a week with messages is at least 2 units tall).
fn bars(tr: Tr, weekly: &[usize], period: Period, time_zone: &str) -> Vec<Bar> {
    let max = weekly.iter().copied().max().unwrap_or(0).max(1);
    weekly
        .iter()
        .enumerate()
        .map(|(i, &n)| {
            let height = if n == 0 { 0 } else { (n * CHART_HEIGHT / max).max(2) };
            let start = period.from_ms + i as i64 * 7 * 24 * 3600 * 1000;
            let day = tr.datetime(start, time_zone).chars().take(10).collect::<String>();
            Bar {
                x: i * (BAR_WIDTH + BAR_GAP),
                y: CHART_HEIGHT - height,
                height,
                title: tr.tn("insights-week", &[("week", &day), ("count", &n)]),
            }
        })
        .collect()
}

pub struct ExampleView {
    pub text: String,
    pub href: String,
    pub when: String,
    pub language: Option<String>,
}

pub struct AnswerView {
    pub href: String,
    pub title: String,
    pub state_label: String,
}

pub struct InsightView {
    pub key: String,
    pub label: String,
    pub count: usize,
    pub bars: Vec<Bar>,
    pub chart_width: usize,
    pub tags: Vec<(String, usize)>,
    pub positive: usize,
    pub neutral: usize,
    pub negative: usize,
    pub examples: Vec<ExampleView>,
    pub answers: Vec<AnswerView>,
}

fn view(ws: &InWorkspace, i: &Insight, c: &Computed, answers: &[InsightAnswer]) -> InsightView {
    let tr = ws.tr();
    let messages = &c.source.messages;
    InsightView {
        key: i.key.clone(),
        label: i.label(),
        count: i.messages.len(),
        bars: bars(tr, &i.weekly, c.period, &ws.workspace.time_zone),
        chart_width: i.weekly.len() * (BAR_WIDTH + BAR_GAP),
        tags: i.tags.iter().map(|(t, n)| (tag_label(tr, t), *n)).collect(),
        positive: i.sentiment.positive,
        neutral: i.sentiment.neutral,
        negative: i.sentiment.negative,
        examples: i
            .examples
            .iter()
            .map(|&k| {
                let m = &messages[k];
                ExampleView {
                    text: m.text.clone(),
                    href: format!("{}/inbox/{}", ws.base(), m.id),
                    when: tr.datetime(m.created_at, &ws.workspace.time_zone),
                    language: m.language.clone(),
                }
            })
            .collect(),
        answers: answers
            .iter()
            .filter(|a| a.insight_key == i.key)
            .map(|a| AnswerView {
                href: format!("{}/posts/{}", ws.base(), a.post_id),
                title: a.post_title.clone(),
                state_label: super::calendar::state_label(tr, a.post_state),
            })
            .collect(),
    }
}

pub struct PeriodChoice {
    pub days: i64,
    pub selected: bool,
}

pub struct TagChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "insights.html")]
struct InsightsPage {
    c: Chrome,
    base: String,
    days: i64,
    tag: String,
    periods: Vec<PeriodChoice>,
    tags: Vec<TagChoice>,
    questions: Vec<InsightView>,
    topics: Vec<InsightView>,
    /// How many messages were read and how many joined no group.
    summary: String,
    truncated: bool,
    max_messages: i64,
    chart_height: usize,
    can_answer: bool,
    error: Option<String>,
}

pub async fn page(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<InsightsQuery>) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    let (days, tag, error) = match params_of(&q) {
        Ok((d, t)) => (d, t, None),
        Err((field, reason)) => (DEFAULT_DAYS, None, Some(tr.tn("inbox-error-filter", &[("field", &field), ("reason", &reason)]))),
    };
    let computed = match compute(&app, &ws.workspace.id, days, tag.as_deref()).await {
        Ok(c) => c,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let answers = match app.store.insight_answers(&ws.workspace.id).await {
        Ok(a) => a,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let mut tag_values: Vec<String> = FEEDBACK_TAGS.iter().map(|t| t.to_string()).collect();
    if let Ok(in_use) = app.store.tags_in_use(&ws.workspace.id).await {
        tag_values.extend(in_use.into_iter().map(|(t, _)| t).filter(|t| !FEEDBACK_TAGS.contains(&t.as_str())));
    }
    let view = InsightsPage {
        c: Chrome::workspace(&ws, Some(Section::Inbox)),
        base: ws.base(),
        days,
        periods: PERIODS.iter().map(|&d| PeriodChoice { days: d, selected: d == days }).collect(),
        tags: tag_values
            .into_iter()
            .map(|t| TagChoice { label: tag_label(tr, &t), selected: tag.as_deref() == Some(t.as_str()), value: t })
            .collect(),
        tag: tag.clone().unwrap_or_default(),
        questions: computed.insights.questions.iter().map(|i| view(&ws, i, &computed, &answers)).collect(),
        topics: computed.insights.topics.iter().map(|i| view(&ws, i, &computed, &answers)).collect(),
        summary: tr.tn("insights-read", &[("read", &computed.source.messages.len()), ("ungrouped", &computed.insights.ungrouped)]),
        truncated: computed.source.truncated,
        max_messages: MAX_MESSAGES,
        chart_height: CHART_HEIGHT,
        can_answer: allows(ws.role, Action::DraftPosts),
        error,
    };
    render(&view, tr)
}

#[derive(Deserialize)]
pub struct AnswerForm {
    key: String,
    days: Option<String>,
    tag: Option<String>,
}

/// Keeps the insight as it stands and opens the composer on a draft that answers it.
pub async fn answer(State(app): State<AppState>, ws: InWorkspace, PageForm(f): PageForm<AnswerForm>) -> Response {
    if let Err(e) = ws.require(Action::UseInbox).and_then(|_| ws.require(Action::DraftPosts)) {
        return e.into_response();
    }
    let tr = ws.tr();
    let (days, tag) = match params_of(&InsightsQuery { days: f.days, tag: f.tag }) {
        Ok(p) => p,
        Err((field, reason)) => {
            return PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-bad-form", tr)
                .detail(tr.tn("inbox-error-filter", &[("field", &field), ("reason", &reason)]))
                .into_response();
        }
    };
    let computed = match compute(&app, &ws.workspace.id, days, tag.as_deref()).await {
        Ok(c) => c,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let all = computed.insights.questions.iter().chain(&computed.insights.topics);
    let Some(insight) = all.into_iter().find(|i| i.key == f.key) else {
        // New messages may have reshaped the groups since the page was shown.
        return PageError::new(StatusCode::CONFLICT, "error-conflict", tr).detail(tr.t1("insights-gone", "key", &f.key)).into_response();
    };
    let language = insight.language.unwrap_or(tr.locale);
    let actor = super::post::actor_of(&ws);
    let new = NewInsight {
        workspace_id: &ws.workspace.id,
        insight,
        messages: &computed.source.messages,
        tag: tag.as_deref(),
        period: computed.period,
        language,
    };
    match app.store.save_insight(&new, &actor).await {
        Ok(saved) => Redirect::to(&format!("{}/compose?insight={}", ws.base(), saved.id)).into_response(),
        Err(e) => PageError::store(tr, e).into_response(),
    }
}
