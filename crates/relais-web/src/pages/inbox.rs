//! The inbox: the workspace's messages (replies, mentions, quotes, direct messages) newest first
//! with filters and keyset pages, and a message's conversation (our post, the posts above read
//! from the network, the messages, the replies sent from Relais with their state), where members
//! answer, change the status and assign.

use super::{PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::inbox::{Cursor, FEEDBACK_TAGS, MESSAGE_KINDS, MessageStatus, normalize_tag};
use relais_core::inbox_search::{InboxSearch, SearchError};
use relais_core::policy::allows;
use relais_core::saved_reply::{ReplyContext, render as render_saved_reply};
use relais_core::text_rules::measure;
use relais_core::understanding::Sentiment;
use relais_core::{Action, Section};
use relais_networks::capabilities_of;
use relais_store::{AnswerAttempt, AssigneeFilter, InboxFilter, InboxMessage, StoreError};
use serde::Deserialize;

/// Messages per page.
const PAGE: i64 = 50;

/// The languages the filter offers: those Relais detects (other codes still work in the URL).
const LANGUAGES: [&str; 2] = ["fr", "en"];
/// Toxicity (thousandths) from which a message is marked in the list: an insult, a threat, or
/// several spam cues together.
const FLAG_TOXICITY: i64 = 500;
const SENTIMENTS: [Sentiment; 3] = [Sentiment::Negative, Sentiment::Neutral, Sentiment::Positive];

/// The list's filters, as the query string carries them; empty values mean "any".
#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    pub account: Option<String>,
    pub network: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub language: Option<String>,
    pub sentiment: Option<String>,
    pub tag: Option<String>,
    /// A member's id, or `none` for messages nobody is assigned to.
    pub assignee: Option<String>,
    /// First and last day shown (YYYY-MM-DD, in the workspace's time zone), both included.
    pub from: Option<String>,
    pub to: Option<String>,
    /// `1`: only messages a moderation rule flagged.
    pub flagged: Option<String>,
    /// A search in the listening query language (words, "phrases", OR, -exclusions).
    pub q: Option<String>,
    pub after: Option<String>,
    pub done: Option<String>,
}

/// The instant a day starts in the zone (the first valid instant on a day that starts in a DST
/// gap); with `next_day`, the instant the following day starts.
fn day_start(field: &'static str, raw: &str, zone: &str, next_day: bool) -> Result<i64, (&'static str, String)> {
    let date: jiff::civil::Date = raw.parse().map_err(|_| (field, format!("{raw:?} is not a date (expected YYYY-MM-DD)")))?;
    let date = if next_day { date.tomorrow().map_err(|_| (field, format!("{raw:?} is past the last date Relais knows")))? } else { date };
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    date.to_zoned(tz).map(|z| z.timestamp().as_millisecond()).map_err(|e| (field, format!("{raw:?}: {e}")))
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string)
}

/// The store's filter for the query, or which parameter is wrong and why.
pub fn filter_of(q: &ListQuery, zone: &str) -> Result<InboxFilter, (&'static str, String)> {
    let kind = given(&q.kind);
    if let Some(k) = &kind
        && !MESSAGE_KINDS.contains(&k.as_str())
    {
        return Err(("kind", format!("unknown kind {k:?}; expected one of {}", MESSAGE_KINDS.join(", "))));
    }
    let status = match given(&q.status) {
        Some(s) => {
            Some(MessageStatus::parse(&s).ok_or_else(|| ("status", format!("unknown status {s:?}; expected open, pending or resolved")))?)
        }
        None => None,
    };
    let language = given(&q.language);
    if let Some(l) = &language
        && !(l.len() <= 8 && l.chars().all(|c| c.is_ascii_lowercase()))
    {
        return Err(("language", format!("{l:?} is not a language code (lowercase letters, such as fr or en)")));
    }
    let sentiment = match given(&q.sentiment) {
        Some(s) => Some(
            Sentiment::parse(&s)
                .ok_or_else(|| ("sentiment", format!("unknown sentiment {s:?}; expected positive, neutral or negative")))?,
        ),
        None => None,
    };
    let after = match given(&q.after) {
        Some(a) => Some(Cursor::parse(&a).ok_or_else(|| ("after", format!("{a:?} is not a cursor Relais gave (expected <time>:<id>)")))?),
        None => None,
    };
    let tag = match given(&q.tag) {
        Some(t) => Some(normalize_tag(&t).map_err(|reason| ("tag", reason))?),
        None => None,
    };
    let assignee = given(&q.assignee).map(|a| if a == "none" { AssigneeFilter::Nobody } else { AssigneeFilter::Member(a) });
    let since = given(&q.from).map(|d| day_start("from", &d, zone, false)).transpose()?;
    let until = given(&q.to).map(|d| day_start("to", &d, zone, true)).transpose()?;
    if let (Some(since), Some(until)) = (since, until)
        && since >= until
    {
        return Err(("to", "the last day comes before the first one".into()));
    }
    let flagged = match given(&q.flagged).as_deref() {
        None | Some("0") => false,
        Some("1") => true,
        Some(other) => return Err(("flagged", format!("{other:?} is not 1 (flagged only) or 0"))),
    };
    let search = given(&q.q).map(|s| InboxSearch::parse(&s)).transpose().map_err(|e| ("q", e.to_string()))?;
    Ok(InboxFilter {
        search,
        assignee,
        flagged,
        since,
        until,
        account_id: given(&q.account),
        network: given(&q.network),
        kind,
        status,
        language,
        sentiment,
        tag,
        after,
    })
}

pub struct MessageRow {
    pub id: String,
    pub href: String,
    pub author: String,
    pub handle: String,
    pub kind_label: String,
    pub network: String,
    pub account: String,
    pub text: String,
    pub when: String,
    pub status: String,
    pub status_label: String,
    pub language: Option<String>,
    /// positive | neutral | negative; `None` for messages stored before Relais read them.
    pub sentiment: Option<String>,
    pub sentiment_label: String,
    /// Toxicity or spam cues add up to at least [`FLAG_TOXICITY`].
    pub flagged: bool,
    /// A moderation rule flagged it for attention.
    pub rule_flagged: bool,
    pub answered: bool,
    /// The satisfaction score (1–5) this message gave, when it answered the question.
    pub rating: Option<i64>,
    /// Who it is assigned to, by name (the list shows it).
    pub assignee: Option<String>,
}

pub fn kind_label(tr: Tr, kind: &str) -> String {
    tr.t(&format!("inbox-kind-{}", kind.replace('_', "-")))
}

pub fn status_label(tr: Tr, status: &str) -> String {
    tr.t(&format!("inbox-status-{status}"))
}

pub fn network_label(network: &str) -> String {
    capabilities_of(network).map(|c| c.label.to_string()).unwrap_or_else(|| network.to_string())
}

pub(crate) fn row(ws: &InWorkspace, m: InboxMessage) -> MessageRow {
    let tr = ws.tr();
    MessageRow {
        href: format!("{}/inbox/{}", ws.base(), m.id),
        author: m.author_name.clone().unwrap_or_else(|| m.author_handle.clone()),
        handle: m.author_handle,
        kind_label: kind_label(tr, &m.kind),
        network: network_label(&m.network),
        account: m.account_handle,
        text: m.text,
        when: tr.datetime(m.created_at, &ws.workspace.time_zone),
        status_label: status_label(tr, &m.status),
        status: m.status,
        language: m.language,
        sentiment_label: m.sentiment.as_ref().map(|s| tr.t(&format!("inbox-sentiment-{s}"))).unwrap_or_default(),
        sentiment: m.sentiment,
        flagged: m.toxicity.is_some_and(|t| t >= FLAG_TOXICITY),
        rule_flagged: m.flagged != 0,
        answered: m.first_response_at.is_some(),
        rating: None,
        assignee: None,
        id: m.id,
    }
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices(items: impl IntoIterator<Item = (String, String)>, current: &Option<String>) -> Vec<Choice> {
    items.into_iter().map(|(value, label)| Choice { selected: current.as_ref() == Some(&value), value, label }).collect()
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct InboxPage {
    c: Chrome,
    base: String,
    messages: Vec<MessageRow>,
    accounts: Vec<Choice>,
    networks: Vec<Choice>,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    languages: Vec<Choice>,
    sentiments: Vec<Choice>,
    tags: Vec<Choice>,
    assignees: Vec<Choice>,
    from: String,
    to: String,
    flagged_only: bool,
    /// The search as typed, and its mistake (with where it is) when it cannot be read.
    search: String,
    search_error: Option<String>,
    filtered: bool,
    next: Option<String>,
    error: Option<String>,
    /// Members who may be assigned, for the bulk form.
    members: Vec<MemberChoice>,
    /// The last inbox event before the page was read: the live list listens from there.
    live_since: i64,
    /// New messages go to the top of this page (the unfiltered first page); elsewhere they are
    /// counted in a notice.
    live_insert: bool,
}

/// A search's mistake in the member's language: where it is, like the Listening page says it.
fn search_problem(tr: Tr, e: &SearchError) -> String {
    match e {
        SearchError::Query(q) => tr.tn("inbox-search-error", &[("position", &(q.position + 1)), ("problem", &tr.t(q.problem.code()))]),
        SearchError::OnlyCommonWords { alternative } => tr.t1("inbox-search-only-common-words", "words", alternative),
    }
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<ListQuery>) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    // Before the messages are read: an event in between is delivered again, never lost.
    let live_since = match app.store.latest_event_seq(&ws.workspace.id).await {
        Ok(n) => n,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let accounts = match app.store.social_accounts(&ws.workspace.id).await {
        Ok(a) => a,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    // The search is read apart so that its mistake is shown in the member's language, with
    // where it is, and the other filters still apply.
    let search_text = given(&q.q).unwrap_or_default();
    let (search, search_error) = match InboxSearch::parse(&search_text) {
        _ if search_text.is_empty() => (None, None),
        Ok(s) => (Some(s), None),
        Err(e) => (None, Some(search_problem(tr, &e))),
    };
    let (filter, error) = match filter_of(&ListQuery { q: None, ..q.clone() }, &ws.workspace.time_zone) {
        Ok(f) => (InboxFilter { search, ..f }, None),
        Err((field, reason)) => (InboxFilter::default(), Some(tr.tn("inbox-error-filter", &[("field", &field), ("reason", &reason)]))),
    };
    let page = match app.store.inbox_page(&ws.workspace.id, &filter, PAGE).await {
        Ok(p) => p,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let tags_in_use = match app.store.tags_in_use(&ws.workspace.id).await {
        Ok(t) => t,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let members = match app.store.members(&ws.workspace.id).await {
        Ok(m) => m,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let mut networks: Vec<String> = accounts.iter().map(|a| a.network.clone()).collect();
    networks.sort();
    networks.dedup();
    let next = page.next.map(|c| {
        let mut params: Vec<(&str, String)> = vec![];
        let sentiment = filter.sentiment.map(|s| s.as_str().to_string());
        for (k, v) in [
            ("account", &filter.account_id),
            ("network", &filter.network),
            ("kind", &filter.kind),
            ("language", &filter.language),
            ("sentiment", &sentiment),
            ("tag", &filter.tag),
            ("assignee", &given(&q.assignee)),
            ("from", &given(&q.from)),
            ("to", &given(&q.to)),
            ("q", &filter.search.as_ref().map(|s| s.source().to_string())),
        ] {
            if let Some(v) = v {
                params.push((k, v.clone()));
            }
        }
        if let Some(s) = filter.status {
            params.push(("status", s.as_str().into()));
        }
        if filter.flagged {
            params.push(("flagged", "1".into()));
        }
        params.push(("after", c.to_string()));
        let query: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        format!("{}/inbox?{query}", ws.base())
    });
    let filtered = filter.account_id.is_some()
        || filter.network.is_some()
        || filter.kind.is_some()
        || filter.status.is_some()
        || filter.language.is_some()
        || filter.sentiment.is_some()
        || filter.tag.is_some()
        || filter.assignee.is_some()
        || filter.since.is_some()
        || filter.until.is_some()
        || filter.search.is_some()
        || filter.flagged;
    let names: std::collections::HashMap<&str, &str> = members.iter().map(|x| (x.user_id.as_str(), x.name.as_str())).collect();
    let view = InboxPage {
        c: Chrome::workspace(&ws, Some(Section::Inbox)).with_flash(q.done.as_deref()),
        base: ws.base(),
        live_since,
        live_insert: !filtered && filter.after.is_none() && error.is_none(),
        filtered,
        flagged_only: filter.flagged,
        assignees: {
            let mut list = vec![("none".to_string(), tr.t("inbox-unassigned"))];
            list.extend(members.iter().filter(|m| allows(m.role, Action::UseInbox)).map(|m| (m.user_id.clone(), m.name.clone())));
            choices(list, &given(&q.assignee))
        },
        search: search_text,
        search_error,
        from: given(&q.from).unwrap_or_default(),
        to: given(&q.to).unwrap_or_default(),
        accounts: choices(
            accounts.iter().map(|a| (a.id.clone(), format!("{} · {}", network_label(&a.network), a.handle))),
            &filter.account_id,
        ),
        networks: choices(networks.iter().map(|n| (n.clone(), network_label(n))), &filter.network),
        kinds: choices(MESSAGE_KINDS.iter().map(|k| (k.to_string(), kind_label(tr, k))), &filter.kind),
        statuses: choices(
            MessageStatus::ALL.iter().map(|s| (s.as_str().to_string(), status_label(tr, s.as_str()))),
            &filter.status.map(|s| s.as_str().to_string()),
        ),
        languages: choices(LANGUAGES.iter().map(|l| (l.to_string(), tr.t(&format!("inbox-language-{l}")))), &filter.language),
        sentiments: choices(
            SENTIMENTS.iter().map(|s| (s.as_str().to_string(), tr.t(&format!("inbox-sentiment-{}", s.as_str())))),
            &filter.sentiment.map(|s| s.as_str().to_string()),
        ),
        tags: choices(tags_in_use.into_iter().map(|(t, n)| (t.clone(), format!("{} ({n})", tag_label(tr, &t)))), &filter.tag),
        messages: page
            .messages
            .into_iter()
            .map(|m| {
                let assignee = m.assignee_id.as_deref().and_then(|a| names.get(a)).map(|n| n.to_string());
                MessageRow { assignee, ..row(&ws, m) }
            })
            .collect(),
        next,
        error,
        members: members
            .iter()
            .filter(|x| allows(x.role, Action::UseInbox))
            .map(|x| MemberChoice { id: x.user_id.clone(), name: x.name.clone(), selected: false })
            .collect(),
    };
    render(&view, tr)
}

/// The message, if it belongs to the workspace.
pub(crate) async fn load(app: &AppState, ws: &InWorkspace, id: &str) -> Result<InboxMessage, PageError> {
    match app.store.inbox_message(id).await {
        Ok(m) if m.workspace_id == ws.workspace.id => Ok(m),
        Ok(_) | Err(StoreError::NotFound(_)) => Err(PageError::not_found(ws.tr())),
        Err(e) => Err(PageError::store(ws.tr(), e)),
    }
}

pub struct OurPost {
    pub text: String,
    pub href: String,
    pub url: Option<String>,
}

pub struct ContextView {
    pub author: String,
    pub text: String,
    pub when: String,
    pub url: Option<String>,
}

pub struct ReplyView {
    pub who: String,
    pub text: String,
    pub when: String,
    pub state: String,
    pub state_label: String,
    pub error: Option<String>,
    pub url: Option<String>,
    /// The satisfaction question, not an answer.
    pub survey: bool,
    /// Sent by a moderation rule: not a response in the care figures.
    pub automatic: bool,
}

pub struct MemberChoice {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "inbox_message.html")]
pub(crate) struct MessagePage {
    c: Chrome,
    base: String,
    focus: MessageRow,
    url: Option<String>,
    post: Option<OurPost>,
    context: Vec<ContextView>,
    messages: Vec<MessageRow>,
    replies: Vec<ReplyView>,
    statuses: Vec<Choice>,
    members: Vec<MemberChoice>,
    assignee: Option<String>,
    can_reply: bool,
    max_length: usize,
    draft: String,
    error: Option<String>,
    /// The focused message's tags (value, label) and the tags to suggest.
    tags: Vec<(String, String)>,
    suggested: Vec<(String, String)>,
    notes: Vec<NoteView>,
    /// The saved replies to insert into the reply form.
    saved: Vec<Choice>,
    moderation: super::moderation::MessageModeration,
    /// The author's history across accounts and linked handles.
    author: super::inbox_author::AuthorView,
    /// The reader may link and unlink the author's handles.
    can_link: bool,
    /// The last inbox event before the page was read: the live page listens from there.
    live_since: i64,
    /// The reader's user id (the live page leaves their own actions out).
    me: String,
    /// "Marie is here too", or empty.
    presence: String,
    /// The latest answer the page shows (empty when none): the reply form sends it back, and an
    /// answer by someone else after it is a second answer.
    seen_answer: String,
    /// Answers other members sent since the member's form was rendered: the reply was not sent.
    answered_meanwhile: Vec<AnswerView>,
}

/// Another member's answer the member had not seen.
pub struct AnswerView {
    pub who: String,
    pub when: String,
    pub text: String,
}

pub struct NoteView {
    pub who: String,
    pub when: String,
    pub body: String,
}

/// The first `max` characters of `text` on one line, with an ellipsis when cut.
fn preview(text: &str, max: usize) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max { line } else { format!("{}…", line.chars().take(max).collect::<String>()) }
}

/// A tag in the reader's language: the four feedback tags are translated, the team's own shown
/// as written.
fn tag_label(tr: Tr, tag: &str) -> String {
    if FEEDBACK_TAGS.contains(&tag) { tr.t(&format!("inbox-tag-{tag}")) } else { tag.to_string() }
}

pub(crate) async fn message_page(
    app: &AppState,
    ws: &InWorkspace,
    m: InboxMessage,
    draft: String,
    error: Option<String>,
    done: Option<&str>,
    saved: Option<&str>,
) -> Result<MessagePage, PageError> {
    let tr = ws.tr();
    let tz = ws.workspace.time_zone.clone();
    let store_err = |e| PageError::store(tr, e);
    let live_since = app.store.latest_event_seq(&ws.workspace.id).await.map_err(store_err)?;
    let conversation = app.store.conversation(&m.conversation_id).await.map_err(store_err)?;
    let post = match conversation.variant_id.as_ref().or(m.variant_id.as_ref()) {
        Some(v) => match app.store.variant(v).await {
            Ok(v) => Some(OurPost { href: format!("{}/posts/{}", ws.base(), v.post_id), text: v.text, url: v.remote_url }),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(store_err(e)),
        },
        None => None,
    };
    let context = app
        .store
        .conversation_context(&conversation.id)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|c| ContextView {
            author: c.author_name.unwrap_or(c.author_handle),
            text: c.text,
            when: tr.datetime(c.created_at, &tz),
            url: c.url,
        })
        .collect();
    let messages: Vec<MessageRow> =
        app.store.conversation_messages(&conversation.id).await.map_err(store_err)?.into_iter().map(|x| row(ws, x)).collect();
    let replies = app.store.conversation_replies(&conversation.id).await.map_err(store_err)?;
    let seen_answer = replies.iter().rfind(|r| r.purpose == "answer").map(|r| r.id.clone()).unwrap_or_default();
    let replies = replies
        .into_iter()
        .map(|r| ReplyView {
            who: r.author_label,
            text: r.text,
            when: tr.datetime(r.sent_at.unwrap_or(r.created_at), &tz),
            state_label: tr.t(&format!("inbox-reply-{}", r.state)),
            state: r.state,
            error: r.error,
            url: r.remote_url,
            survey: r.purpose == "survey",
            automatic: r.purpose == "auto_reply",
        })
        .collect();
    let tags: Vec<(String, String)> = app
        .store
        .message_tags(std::slice::from_ref(&m.id))
        .await
        .map_err(store_err)?
        .remove(&m.id)
        .unwrap_or_default()
        .into_iter()
        .map(|t| (tag_label(tr, &t), t))
        .map(|(label, t)| (t, label))
        .collect();
    let mut suggested: Vec<String> = FEEDBACK_TAGS.iter().map(|t| t.to_string()).collect();
    for (t, _) in app.store.tags_in_use(&ws.workspace.id).await.map_err(store_err)? {
        if !suggested.contains(&t) {
            suggested.push(t);
        }
    }
    let suggested =
        suggested.into_iter().filter(|t| !tags.iter().any(|(v, _)| v == t)).map(|t| (tag_label(tr, &t), t)).map(|(l, t)| (t, l)).collect();
    let notes = app
        .store
        .inbox_notes(&conversation.id)
        .await
        .map_err(store_err)?
        .into_iter()
        .map(|n| NoteView { who: n.author_label, when: tr.datetime(n.created_at, &tz), body: n.body })
        .collect();
    let moderation = super::moderation::message_moderation(app, ws, &m.id, &m.network).await?;
    let author = super::inbox_author::author_view(app, ws, &m).await?;
    let members = app.store.members(&ws.workspace.id).await.map_err(store_err)?;
    let saved_replies = app.store.saved_replies(&ws.workspace.id).await.map_err(store_err)?;
    // Every saved reply is offered filled for this message (a preview in the list); the one asked
    // for (`?saved=`) becomes the draft.
    let (mut draft, mut error) = (draft, error);
    let links =
        if saved_replies.is_empty() { Default::default() } else { app.store.workspace_links(&ws.workspace.id).await.map_err(store_err)? };
    let network = network_label(&m.network);
    let ctx = ReplyContext {
        author_name: m.author_name.as_deref(),
        author_handle: &m.author_handle,
        account: &m.account_handle,
        network: &network,
        link: m.url.as_deref(),
        post_link: post.as_ref().and_then(|p| p.url.as_deref()),
        links: &links,
    };
    let mut saved_choices = vec![];
    for r in &saved_replies {
        let filled = render_saved_reply(&r.body, &ctx);
        let label = match &filled {
            Ok(text) => format!("{} — {}", r.title, preview(text, 70)),
            Err(_) => format!("{} — {}", r.title, tr.t("inbox-saved-reply-unavailable")),
        };
        let selected = saved == Some(r.id.as_str());
        if selected {
            match filled {
                Ok(text) => draft = text,
                Err(e) => error = Some(tr.tn("inbox-error-saved-reply", &[("title", &r.title), ("reason", &e)])),
            }
        }
        saved_choices.push(Choice { value: r.id.clone(), label, selected });
    }
    let ratings: std::collections::HashMap<String, i64> = app
        .store
        .conversation_surveys(&conversation.id)
        .await
        .map_err(store_err)?
        .into_iter()
        .filter_map(|s| Some((s.answer_message_id?, s.score?)))
        .collect();
    let messages: Vec<MessageRow> = messages
        .into_iter()
        .map(|mut r: MessageRow| {
            r.rating = ratings.get(&r.id).copied();
            r
        })
        .collect();
    let assignee = m.assignee_id.as_ref().and_then(|id| members.iter().find(|x| &x.user_id == id)).map(|x| x.name.clone());
    let me = ws.me.user().id.clone();
    let presence =
        super::inbox_live::presence_text(tr, &super::inbox_live::others_present(app, &conversation.id, &me).await.map_err(store_err)?);
    Ok(MessagePage {
        live_since,
        me,
        presence,
        seen_answer,
        answered_meanwhile: vec![],
        c: Chrome::workspace(ws, Some(Section::Inbox)).with_flash(done),
        base: ws.base(),
        url: m.url.clone(),
        post,
        context,
        messages,
        replies,
        statuses: choices(
            MessageStatus::ALL.iter().map(|s| (s.as_str().to_string(), status_label(tr, s.as_str()))),
            &Some(m.status.clone()),
        ),
        members: members
            .iter()
            .filter(|x| allows(x.role, Action::UseInbox))
            .map(|x| MemberChoice { id: x.user_id.clone(), name: x.name.clone(), selected: m.assignee_id.as_ref() == Some(&x.user_id) })
            .collect(),
        assignee,
        can_reply: allows(ws.role, Action::ReplyInInbox),
        max_length: capabilities_of(&m.network).map(|c| c.max_length).unwrap_or(500),
        draft,
        error,
        tags,
        suggested,
        notes,
        saved: saved_choices,
        moderation,
        author,
        can_link: allows(ws.role, Action::UseInbox),
        focus: row(ws, m),
    })
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    pub done: Option<String>,
    /// A saved reply to fill into the reply form.
    pub saved: Option<String>,
}

pub async fn show(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    Query(q): Query<ShowQuery>,
) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let m = match load(&app, &ws, &id).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    // Opening the conversation counts as being there (without JS too, for a while).
    if let Err(e) = app.store.touch_presence(&ws.workspace.id, &m.conversation_id, &ws.me.user().id, relais_core::now_ms()).await {
        return PageError::store(ws.tr(), e).into_response();
    }
    match message_page(&app, &ws, m, String::new(), None, q.done.as_deref(), q.saved.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

/// Why a reply cannot be sent as written, in the member's language.
pub fn reply_problem(tr: Tr, network: &str, text: &str) -> Option<String> {
    if text.trim().is_empty() {
        return Some(tr.t("inbox-error-empty"));
    }
    let caps = capabilities_of(network)?;
    let length = measure(text.trim(), caps.counting);
    (length > caps.max_length)
        .then(|| tr.tn("inbox-error-too-long", &[("length", &length), ("max", &caps.max_length), ("network", &caps.label)]))
}

#[derive(Deserialize)]
pub struct ReplyForm {
    text: String,
    /// The latest answer the form's page showed (empty: none). Absent, every answer by another
    /// member counts as unseen.
    seen_answer: Option<String>,
    /// "1" when the member sends after being warned of another member's answer.
    second_answer: Option<String>,
}

pub async fn reply(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<ReplyForm>,
) -> Response {
    if let Err(e) = ws.require(Action::ReplyInInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    let m = match load(&app, &ws, &id).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    if let Some(problem) = reply_problem(tr, &m.network, &f.text) {
        return match message_page(&app, &ws, m, f.text, Some(problem), None, None).await {
            Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr),
            Err(e) => e.into_response(),
        };
    }
    let actor = super::post::actor_of(&ws);
    let seen = f.seen_answer.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let reply = match app.store.create_reply_unless_answered(&m.id, f.text.trim(), &actor, seen).await {
        Ok(AnswerAttempt::Queued(r)) => *r,
        Ok(AnswerAttempt::AnsweredMeanwhile(answers)) => {
            // Not sent: the page comes back with the draft, who answered, and a form that now
            // counts those answers as seen (sending it again is the "send anyway").
            let tz = &ws.workspace.time_zone;
            let answered: Vec<AnswerView> = answers
                .into_iter()
                .map(|a| AnswerView { who: a.author_label, when: tr.datetime(a.created_at, tz), text: a.text })
                .collect();
            return match message_page(&app, &ws, m, f.text, None, None, None).await {
                Ok(mut p) => {
                    p.answered_meanwhile = answered;
                    render_status(StatusCode::CONFLICT, &p, tr)
                }
                Err(e) => e.into_response(),
            };
        }
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let second = f.second_answer.as_deref() == Some("1");
    let details = serde_json::json!({"message": m.id, "reply": reply.id, "second_answer": second});
    if let Err(e) = audit(&app, &ws, "inbox.replied", &m.author_handle, details).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/inbox/{}?done=reply-queued", ws.base(), m.id)).into_response()
}

#[derive(Deserialize)]
pub struct StatusForm {
    status: String,
}

pub async fn set_status(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<StatusForm>,
) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    let m = match load(&app, &ws, &id).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let Some(status) = MessageStatus::parse(&f.status) else {
        let problem = tr.tn("inbox-error-filter", &[("field", &"status"), ("reason", &f.status)]);
        return match message_page(&app, &ws, m, String::new(), Some(problem), None, None).await {
            Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr),
            Err(e) => e.into_response(),
        };
    };
    if let Err(e) = app.store.set_message_status_by(&m.id, status, &super::post::actor_of(&ws)).await {
        return PageError::store(tr, e).into_response();
    }
    Redirect::to(&format!("{}/inbox/{}?done=inbox-status", ws.base(), m.id)).into_response()
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
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    let m = match load(&app, &ws, &id).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let assignee = f.assignee.trim();
    if !assignee.is_empty() {
        let members = match app.store.members(&ws.workspace.id).await {
            Ok(x) => x,
            Err(e) => return PageError::store(tr, e).into_response(),
        };
        if !members.iter().any(|x| x.user_id == assignee && allows(x.role, Action::UseInbox)) {
            return match message_page(&app, &ws, m, String::new(), Some(tr.t("inbox-error-assignee")), None, None).await {
                Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr),
                Err(e) => e.into_response(),
            };
        }
    }
    if let Err(e) = app.store.assign_message(&m.id, Some(assignee).filter(|a| !a.is_empty())).await {
        return PageError::store(tr, e).into_response();
    }
    Redirect::to(&format!("{}/inbox/{}?done=inbox-assigned", ws.base(), m.id)).into_response()
}

#[derive(Deserialize)]
pub struct TagForm {
    tag: String,
    /// "remove" takes the tag off; anything else adds it.
    op: Option<String>,
}

/// Adds a tag to a message, or takes one off.
pub async fn tag(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<TagForm>,
) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    let m = match load(&app, &ws, &id).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let tag = match normalize_tag(&f.tag) {
        Ok(t) => t,
        Err(reason) => {
            let problem = tr.tn("inbox-error-filter", &[("field", &"tag"), ("reason", &reason)]);
            return match message_page(&app, &ws, m, String::new(), Some(problem), None, None).await {
                Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr),
                Err(e) => e.into_response(),
            };
        }
    };
    let done = if f.op.as_deref() == Some("remove") {
        app.store.untag_message(&m.id, &tag).await
    } else {
        app.store.tag_message(&m.id, &tag, &super::post::actor_of(&ws)).await
    };
    if let Err(e) = done {
        return PageError::store(tr, e).into_response();
    }
    Redirect::to(&format!("{}/inbox/{}?done=inbox-tagged", ws.base(), m.id)).into_response()
}

#[derive(Deserialize)]
pub struct NoteForm {
    body: String,
}

/// The longest internal note, in characters.
const MAX_NOTE_CHARS: usize = 5000;

/// Adds an internal note to the message's conversation (never sent to the network).
pub async fn note(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<NoteForm>,
) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    let m = match load(&app, &ws, &id).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    let body = f.body.trim();
    if body.is_empty() || body.chars().count() > MAX_NOTE_CHARS {
        let problem = tr.t1("inbox-error-note", "max", MAX_NOTE_CHARS);
        return match message_page(&app, &ws, m, String::new(), Some(problem), None, None).await {
            Ok(p) => render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr),
            Err(e) => e.into_response(),
        };
    }
    if let Err(e) = app.store.add_inbox_note(&m.conversation_id, &super::post::actor_of(&ws), body).await {
        return PageError::store(tr, e).into_response();
    }
    Redirect::to(&format!("{}/inbox/{}?done=inbox-noted#notes", ws.base(), m.id)).into_response()
}
