//! The live inbox: server-sent events that push the workspace's inbox events (new messages,
//! other members' changes, answers, presence) to open pages, and the heartbeat by which a
//! conversation page says its member is there.
//!
//! Every process reads the events from the database (`Store::events_since`), once a second per
//! open page: a change made through one web process reaches pages served by another, and
//! nothing is kept in memory. A page names the event it rendered up to (`?since=`); a browser
//! reconnecting sends `Last-Event-ID`, which wins, so nothing is repeated or lost.

use super::PageForm;
use super::inbox::{MessageRow, row};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use relais_core::policy::allows;
use relais_core::{Action, Section, now_ms};
use relais_store::{EventKind, InboxEvent, InboxMessage, Member, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};
use std::convert::Infallible;
use std::time::Duration;

/// How often an open page's feed asks the database for new events.
const POLL: Duration = Duration::from_secs(1);
/// Events read per poll; more wait for the next one.
const BATCH: i64 = 200;
/// Every this many polls, the feed checks that the session and the membership still hold, so a
/// member signed out or removed stops hearing the inbox.
const RECHECK_EVERY: u64 = 15;

/// One message of the list, alone: what a live list inserts or replaces.
#[derive(Template)]
#[template(path = "inbox_row.html")]
struct RowView<'a> {
    c: &'a Chrome,
    m: &'a MessageRow,
}

/// One message of a conversation, alone: what a live conversation page appends or replaces.
#[derive(Template)]
#[template(path = "inbox_message_item.html")]
struct ItemView<'a> {
    c: &'a Chrome,
    m: &'a MessageRow,
    focus_id: &'a str,
}

/// "Marie is here too", for the members other than the reader; empty when there are none.
pub fn presence_text(tr: Tr, others: &[String]) -> String {
    match others {
        [] => String::new(),
        [one] => tr.t1("inbox-presence-one", "name", one),
        many => tr.t1("inbox-presence-many", "names", many.join(", ")),
    }
}

/// The names of the members present in the conversation now, other than `me`.
pub async fn others_present(app: &AppState, conversation_id: &str, me: &str) -> Result<Vec<String>, StoreError> {
    Ok(app.store.present_members(conversation_id, now_ms()).await?.into_iter().filter(|p| p.user_id != me).map(|p| p.name).collect())
}

#[derive(Deserialize, Default)]
pub struct EventsQuery {
    /// The last event the page knows of (it was rendered after it).
    pub since: Option<i64>,
    /// A conversation page: only the events of this message's conversation, its messages
    /// rendered the conversation's way.
    pub message: Option<String>,
}

/// What a page receives for one event.
#[derive(Serialize, Debug)]
struct Payload {
    seq: i64,
    kind: String,
    message_id: Option<String>,
    conversation_id: Option<String>,
    /// The member who acted, by name; `None` for a network or Relais.
    actor: Option<String>,
    /// Whether the reader of the page acted.
    mine: bool,
    /// The message rendered as the page shows it (new or changed messages).
    html: Option<String>,
    status: Option<String>,
    assignee: Option<String>,
    /// A sentence for the page to show (presence, another member's answer or note).
    text: Option<String>,
}

struct Feed {
    app: AppState,
    ws: InWorkspace,
    session_token: String,
    /// A conversation page's (focus message, conversation).
    conversation: Option<(String, String)>,
    last: i64,
    queue: VecDeque<Event>,
    polls: u64,
}

/// `GET /w/{ws}/inbox/events`: the workspace's inbox events as server-sent events.
pub async fn events(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<EventsQuery>, headers: HeaderMap) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    let conversation = match &q.message {
        Some(id) => match app.store.inbox_message(id).await {
            Ok(m) if m.workspace_id == ws.workspace.id => Some((m.id, m.conversation_id)),
            Ok(_) | Err(StoreError::NotFound(_)) => return PageError::not_found(tr).into_response(),
            Err(e) => return PageError::store(tr, e).into_response(),
        },
        None => None,
    };
    let resumed = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<i64>().ok());
    let last = match resumed.or(q.since) {
        Some(n) => n.max(0),
        None => match app.store.latest_event_seq(&ws.workspace.id).await {
            Ok(n) => n,
            Err(e) => return PageError::store(tr, e).into_response(),
        },
    };
    let session_token = ws.me.session.token.clone();
    let feed = Feed { app, ws, session_token, conversation, last, queue: VecDeque::new(), polls: 0 };
    let stream = futures_util::stream::unfold(feed, next_event);
    Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))).into_response()
}

async fn next_event(mut feed: Feed) -> Option<(Result<Event, Infallible>, Feed)> {
    loop {
        if let Some(e) = feed.queue.pop_front() {
            return Some((Ok(e), feed));
        }
        if feed.polls > 0 {
            tokio::select! {
                // The server is stopping: end the stream so the graceful shutdown can finish.
                _ = feed.app.shutdown.cancelled() => return None,
                _ = tokio::time::sleep(POLL) => {}
            }
        }
        feed.polls += 1;
        if feed.polls.is_multiple_of(RECHECK_EVERY) && !feed.still_allowed().await {
            return None;
        }
        if let Err(e) = feed.poll().await {
            // The next poll tries again; the page keeps what it has.
            tracing::warn!(workspace = %feed.ws.workspace.id, error = %e, "live inbox poll failed");
        }
    }
}

impl Feed {
    async fn still_allowed(&self) -> bool {
        let session = self.app.store.session(&self.session_token).await;
        let role = self.app.store.role_in_workspace(&self.ws.me.user().id, &self.ws.workspace.id).await;
        matches!((session, role), (Ok(Some(_)), Ok(Some(role))) if allows(role, Action::UseInbox))
    }

    async fn poll(&mut self) -> Result<(), StoreError> {
        let store = &self.app.store;
        let events = store.events_since(&self.ws.workspace.id, self.last, BATCH).await?;
        let Some(newest) = events.last().map(|e| e.seq) else { return Ok(()) };
        let events: Vec<InboxEvent> = match &self.conversation {
            Some((_, conversation)) => events.into_iter().filter(|e| e.conversation_id.as_ref() == Some(conversation)).collect(),
            // The list shows messages: who is where and what was said about them is for the
            // conversation pages.
            None => events
                .into_iter()
                .filter(|e| e.kind == EventKind::MessageNew.as_str() || e.kind == EventKind::MessageChanged.as_str())
                .collect(),
        };
        if !events.is_empty() {
            for payload in self.payloads(&events).await? {
                let event = Event::default().id(payload.seq.to_string()).json_data(&payload).expect("a payload is plain JSON");
                self.queue.push_back(event);
            }
        }
        // Only once the batch is queued: a failed poll is read again.
        self.last = newest;
        Ok(())
    }

    async fn payloads(&self, events: &[InboxEvent]) -> Result<Vec<Payload>, StoreError> {
        let store = &self.app.store;
        let ws = &self.ws;
        let tr = ws.tr();
        let me = ws.me.user().id.as_str();
        let members: HashMap<String, Member> = store.members(&ws.workspace.id).await?.into_iter().map(|m| (m.user_id.clone(), m)).collect();
        let name_of = |id: &Option<String>| {
            id.as_ref().map(|id| members.get(id).map(|m| m.name.clone()).unwrap_or_else(|| tr.t("inbox-live-someone")))
        };

        let shown: HashSet<String> = events
            .iter()
            .filter(|e| e.kind == EventKind::MessageNew.as_str() || e.kind == EventKind::MessageChanged.as_str())
            .filter_map(|e| e.message_id.clone())
            .collect();
        let shown: Vec<String> = shown.into_iter().collect();
        let messages: HashMap<String, InboxMessage> =
            store.inbox_messages_in(&ws.workspace.id, &shown).await?.into_iter().map(|m| (m.id.clone(), m)).collect();
        let mut present: HashMap<String, String> = HashMap::new();
        for e in events.iter().filter(|e| e.kind == EventKind::Presence.as_str()) {
            if let Some(c) = &e.conversation_id
                && !present.contains_key(c)
            {
                let others: Vec<String> = others_present(&self.app, c, me).await?;
                present.insert(c.clone(), presence_text(tr, &others));
            }
        }
        let chrome = Chrome::workspace(ws, Some(Section::Inbox));

        let mut out = vec![];
        for e in events {
            let mine = e.actor_id.as_deref() == Some(me);
            let actor = name_of(&e.actor_id);
            let mut p = Payload {
                seq: e.seq,
                kind: e.kind.clone(),
                message_id: e.message_id.clone(),
                conversation_id: e.conversation_id.clone(),
                actor: actor.clone(),
                mine,
                html: None,
                status: None,
                assignee: None,
                text: None,
            };
            if let Some(m) = e.message_id.as_ref().and_then(|id| messages.get(id)) {
                let mut r = row(ws, m.clone());
                r.assignee = m.assignee_id.as_ref().and_then(|a| members.get(a)).map(|a| a.name.clone());
                p.status = Some(m.status.clone());
                p.assignee = r.assignee.clone();
                let html = match &self.conversation {
                    Some((focus, _)) => ItemView { c: &chrome, m: &r, focus_id: focus }.render(),
                    None => RowView { c: &chrome, m: &r }.render(),
                };
                p.html = html.map_err(|err| tracing::error!(error = %err, "live inbox row did not render")).ok();
            }
            let who = actor.unwrap_or_else(|| tr.t("inbox-live-someone"));
            p.text = match e.kind.as_str() {
                "presence" => e.conversation_id.as_ref().and_then(|c| present.get(c)).cloned(),
                "reply_sent" if !mine => {
                    Some(tr.tn("inbox-live-answered", &[("name", &who), ("when", &tr.datetime(e.created_at, &ws.workspace.time_zone))]))
                }
                "note_added" if !mine => Some(tr.t1("inbox-live-noted", "name", &who)),
                _ => None,
            };
            out.push(p);
        }
        Ok(out)
    }
}

#[derive(Deserialize)]
pub struct PresenceForm {
    /// "1": the page is closing.
    leave: Option<String>,
}

#[derive(Serialize)]
struct PresenceAnswer {
    /// The other members present, by name.
    others: Vec<String>,
    /// "Marie is here too", or empty.
    text: String,
}

/// `POST /w/{ws}/inbox/{message}/presence`: the conversation page's heartbeat (or, with
/// `leave=1`, its goodbye); answers who else is there.
pub async fn presence(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<PresenceForm>,
) -> Response {
    if let Err(e) = ws.require(Action::UseInbox) {
        return e.into_response();
    }
    let tr = ws.tr();
    let m = match app.store.inbox_message(&id).await {
        Ok(m) if m.workspace_id == ws.workspace.id => m,
        Ok(_) | Err(StoreError::NotFound(_)) => return PageError::not_found(tr).into_response(),
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let me = ws.me.user().id.clone();
    let done = if f.leave.as_deref() == Some("1") {
        app.store.leave_presence(&ws.workspace.id, &m.conversation_id, &me, now_ms()).await
    } else {
        app.store.touch_presence(&ws.workspace.id, &m.conversation_id, &me, now_ms()).await
    };
    if let Err(e) = done {
        return PageError::store(tr, e).into_response();
    }
    match others_present(&app, &m.conversation_id, &me).await {
        Ok(others) => Json(PresenceAnswer { text: presence_text(tr, &others), others }).into_response(),
        Err(e) => PageError::store(tr, e).into_response(),
    }
}
