//! The editorial calendar: month, week and list views of a workspace's posts in its time zone,
//! filtered by account, network, pillar, campaign and status, with the French holidays and
//! marketing dates as a layer, and moving a post to another day or time.

use super::render;
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use relais_core::calendar_period::{Period, View};
use relais_core::marketing_calendar::{DateKind, dates_between};
use relais_core::scheduling::{local_of, resolve_local};
use relais_core::workflow::PostState;
use relais_core::{Action, Locale, Section, now_ms};
use relais_networks::capabilities_of;
use relais_store::{CalendarEntry, CalendarFilter, PlannedAt, When};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct CalendarQuery {
    view: Option<String>,
    date: Option<String>,
    account: Option<String>,
    network: Option<String>,
    pillar: Option<String>,
    campaign: Option<String>,
    status: Option<String>,
    /// "off" hides the holidays and marketing dates.
    layer: Option<String>,
    done: Option<String>,
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A post as a calendar shows it.
pub struct Card {
    pub href: String,
    pub id: String,
    pub title: String,
    pub time: String,
    /// Wall-clock time `YYYY-MM-DDTHH:MM` in the workspace's zone, for moving it.
    pub local: String,
    pub state: &'static str,
    pub state_label: String,
    pub targets: String,
    pub pillar: Option<String>,
    pub campaign: Option<String>,
    pub movable: bool,
}

pub struct Mark {
    pub name: String,
    /// holiday | commercial | custom
    pub kind: &'static str,
}

pub struct DayCell {
    pub date: String,
    pub number: String,
    pub label: String,
    pub in_period: bool,
    pub today: bool,
    pub marks: Vec<Mark>,
    pub cards: Vec<Card>,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub struct Paused {
    pub handle: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    c: Chrome,
    base: String,
    view: &'static str,
    title: String,
    weekdays: Vec<String>,
    weeks: Vec<Vec<DayCell>>,
    /// List view: only the days that have posts or marks.
    list_days: Vec<DayCell>,
    unplanned: Vec<Card>,
    prev_href: String,
    next_href: String,
    today_href: String,
    view_links: Vec<(String, String, bool)>,
    accounts: Vec<Choice>,
    networks: Vec<Choice>,
    pillars: Vec<Choice>,
    campaigns: Vec<Choice>,
    statuses: Vec<Choice>,
    date: String,
    layer_on: bool,
    can_draft: bool,
    paused: Vec<Paused>,
    /// Where to reconnect a paused account, for members who may.
    accounts_href: Option<String>,
    time_zone: String,
}

/// A month name in the page's language (jiff formats English only).
pub fn month_name(tr: Tr, month: i8) -> String {
    tr.t(&format!("month-{month}"))
}

pub fn day_label(tr: Tr, d: Date) -> String {
    let weekday = tr.t(&format!("weekday-{}", d.weekday().to_monday_one_offset()));
    match tr.locale {
        Locale::Fr => format!("{weekday} {} {} {}", d.day(), month_name(tr, d.month()), d.year()),
        Locale::En => format!("{weekday} {} {}, {}", month_name(tr, d.month()), d.day(), d.year()),
    }
}

pub fn state_label(tr: Tr, s: PostState) -> String {
    tr.t(&format!("state-{}", s.as_str()))
}

pub fn targets_label(entry: &CalendarEntry) -> String {
    entry
        .targets
        .iter()
        .map(|t| format!("{} {}", capabilities_of(&t.network).map(|c| c.label).unwrap_or(&t.network), t.handle))
        .collect::<Vec<_>>()
        .join(", ")
}

fn card(ws: &InWorkspace, e: &CalendarEntry, can_move: bool) -> Card {
    let tz = &ws.workspace.time_zone;
    let local = e
        .post
        .scheduled_at
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .and_then(|ts| local_of(ts, tz).ok())
        .unwrap_or_default();
    let movable = can_move && !matches!(e.post.state, PostState::Publishing | PostState::Published | PostState::Cancelled);
    Card {
        href: format!("{}/posts/{}", ws.base(), e.post.id),
        id: e.post.id.clone(),
        title: e.post.title.clone(),
        time: local.get(11..16).unwrap_or("").to_string(),
        local,
        state: e.post.state.as_str(),
        state_label: state_label(ws.tr(), e.post.state),
        targets: targets_label(e),
        pillar: e.post.pillar.clone(),
        campaign: e.post.campaign.clone(),
        movable,
    }
}

fn today_in(zone: &str) -> Date {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now().to_zoned(tz).date()
}

pub async fn index(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<CalendarQuery>) -> Response {
    if let Err(e) = ws.require(Action::ViewCalendar) {
        return e.into_response();
    }
    let tr = ws.tr();
    let tz = ws.workspace.time_zone.clone();
    let today = today_in(&tz);
    let view = q.view.as_deref().and_then(View::parse).unwrap_or_default();
    let anchor = q.date.as_deref().and_then(|d| d.parse::<Date>().ok()).unwrap_or(today);
    let period = Period::new(view, anchor);
    let Ok((from, to)) = period.range_ms(&tz) else {
        return PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-bad-form", tr).detail(format!("time zone {tz}")).into_response();
    };
    // Whoever may not draft (a client) sees only what the agency sent on.
    let is_client = !relais_core::policy::allows(ws.role, Action::DraftPosts);
    let wanted_state = non_empty(&q.status).and_then(|s| PostState::parse(&s));
    let mut states: Vec<PostState> = wanted_state.into_iter().collect();
    if is_client {
        states = if states.is_empty() { PostState::ALL.into_iter().filter(|s| s.visible_to_client()).collect() } else { states };
        states.retain(|s| s.visible_to_client());
        if states.is_empty() {
            states.push(PostState::Published);
        }
    }
    let filter = CalendarFilter {
        account_id: non_empty(&q.account),
        network: non_empty(&q.network),
        pillar: non_empty(&q.pillar),
        campaign: non_empty(&q.campaign),
        states: states.clone(),
    };
    let ws_id = ws.workspace.id.clone();
    let (entries, unplanned, accounts, labels, custom) = match tokio::try_join!(
        app.store.calendar(&ws_id, When::Between(from, to), &filter),
        app.store.calendar(&ws_id, When::Unplanned, &filter),
        app.store.social_accounts(&ws_id),
        label_choices(&app, &ws_id),
        app.store.event_occurrences(&ws_id, period.first, period.last),
    ) {
        Ok(all) => all,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let can_move = relais_core::policy::allows(ws.role, Action::DraftPosts);
    let layer_on = q.layer.as_deref() != Some("off");
    let marks = if layer_on { dates_between(period.first, period.last) } else { vec![] };

    let mut cells: Vec<DayCell> = period
        .days()
        .into_iter()
        .map(|d| DayCell {
            date: d.to_string(),
            number: d.day().to_string(),
            label: day_label(tr, d),
            in_period: view != View::Month || d.month() == anchor.month(),
            today: d == today,
            marks: marks
                .iter()
                .filter(|m| m.start <= d && d <= m.end)
                .map(|m| Mark {
                    name: if tr.locale == Locale::Fr { m.name_fr.into() } else { m.name_en.into() },
                    kind: match m.kind {
                        DateKind::PublicHoliday => "holiday",
                        DateKind::Commercial => "commercial",
                    },
                })
                .chain(
                    custom
                        .iter()
                        .filter(|o| layer_on && o.start <= d && d <= o.end)
                        .map(|o| Mark { name: o.title.clone(), kind: "custom" }),
                )
                .collect(),
            cards: vec![],
        })
        .collect();
    for e in &entries {
        let c = card(&ws, e, can_move);
        if let Some(cell) = cells.iter_mut().find(|cell| c.local.starts_with(&cell.date)) {
            cell.cards.push(c);
        }
    }

    let keep = |view: &str, date: &str| -> String {
        let mut params = vec![("view", view.to_string()), ("date", date.to_string())];
        for (k, v) in
            [("account", &q.account), ("network", &q.network), ("pillar", &q.pillar), ("campaign", &q.campaign), ("status", &q.status)]
        {
            if let Some(v) = non_empty(v) {
                params.push((k, v));
            }
        }
        if !layer_on {
            params.push(("layer", "off".into()));
        }
        let qs = params.iter().map(|(k, v)| format!("{k}={}", urlencode(v))).collect::<Vec<_>>().join("&");
        format!("{}/calendar?{qs}", ws.base())
    };
    let title = match view {
        View::Month => format!("{} {}", month_name(tr, anchor.month()), anchor.year()),
        View::Week => tr.t1("calendar-week-of", "day", day_label(tr, period.first)),
        View::List => format!("{} – {}", day_label(tr, period.first), day_label(tr, period.last)),
    };
    let choice = |value: &str, label: String, current: &Option<String>| Choice {
        value: value.to_string(),
        label,
        selected: non_empty(current).as_deref() == Some(value),
    };
    let mut networks: Vec<String> = accounts.iter().map(|a| a.network.clone()).collect();
    networks.dedup();
    let status_choices = PostState::ALL
        .into_iter()
        .filter(|s| !is_client || s.visible_to_client())
        .map(|s| choice(s.as_str(), state_label(tr, s), &q.status))
        .collect();
    let page = CalendarPage {
        c: Chrome::workspace(&ws, Some(Section::Calendar)).with_flash(q.done.as_deref()),
        base: ws.base(),
        view: view.as_str(),
        title,
        weekdays: (1..=7).map(|i| tr.t(&format!("weekday-{i}"))).collect(),
        list_days: if view == View::List {
            cells.drain(..).filter(|c| !c.cards.is_empty() || !c.marks.is_empty()).collect()
        } else {
            vec![]
        },
        weeks: in_weeks(cells),
        unplanned: if is_client { vec![] } else { unplanned.iter().map(|e| card(&ws, e, can_move)).collect() },
        prev_href: keep(view.as_str(), &period.previous().to_string()),
        next_href: keep(view.as_str(), &period.next().to_string()),
        today_href: keep(view.as_str(), &today.to_string()),
        view_links: [View::Month, View::Week, View::List]
            .into_iter()
            .map(|v| (keep(v.as_str(), &anchor.to_string()), tr.t(&format!("calendar-view-{}", v.as_str())), v == view))
            .collect(),
        accounts: accounts
            .iter()
            .map(|a| {
                let net = capabilities_of(&a.network).map(|c| c.label).unwrap_or(&a.network);
                choice(&a.id, format!("{} ({net})", a.handle), &q.account)
            })
            .collect(),
        networks: networks
            .iter()
            .map(|n| choice(n, capabilities_of(n).map(|c| c.label.to_string()).unwrap_or_else(|| n.clone()), &q.network))
            .collect(),
        pillars: labels.0.iter().map(|p| choice(p, p.clone(), &q.pillar)).collect(),
        campaigns: labels.1.iter().map(|p| choice(p, p.clone(), &q.campaign)).collect(),
        statuses: status_choices,
        date: anchor.to_string(),
        layer_on,
        can_draft: can_move,
        paused: accounts
            .iter()
            .filter(|a| a.status == "paused")
            .map(|a| Paused { handle: a.handle.clone(), reason: a.status_reason.clone().unwrap_or_default() })
            .collect(),
        accounts_href: relais_core::policy::allows(ws.role, Action::ManageSocialAccounts)
            .then(|| format!("{}/strategy/accounts", ws.base())),
        time_zone: tz,
    };
    render(&page, tr)
}

/// The workspace's pillars and campaigns, and any other label its posts carry (imported ones).
pub async fn label_choices(app: &AppState, workspace_id: &str) -> relais_store::Result<(Vec<String>, Vec<String>)> {
    let (mut pillars, mut campaigns) = app.store.labels_in_use(workspace_id).await?;
    pillars.extend(app.store.pillar_names(workspace_id).await?);
    campaigns.extend(app.store.campaign_names(workspace_id).await?);
    for list in [&mut pillars, &mut campaigns] {
        list.sort_by_key(|s| s.to_lowercase());
        list.dedup();
    }
    Ok((pillars, campaigns))
}

fn in_weeks(cells: Vec<DayCell>) -> Vec<Vec<DayCell>> {
    let mut weeks = vec![];
    let mut days = cells.into_iter().peekable();
    while days.peek().is_some() {
        weeks.push(days.by_ref().take(7).collect());
    }
    weeks
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The instant (epoch ms) of a wall-clock time of the workspace that is still to come; otherwise
/// why not, for the member: a time the clocks skip (with the next valid one), or a past time.
pub fn future_instant(tr: Tr, local: &str, zone: &str) -> Result<i64, String> {
    let instant = resolve_local(local, zone).map_err(|e| tr.t1("error-move-time", "reason", e))?.as_millisecond();
    if instant <= now_ms() {
        return Err(tr.t1("error-move-past", "when", format!("{local} ({zone})")));
    }
    Ok(instant)
}

#[derive(Deserialize)]
pub struct MoveForm {
    /// YYYY-MM-DD
    date: String,
    /// HH:MM
    time: String,
    /// Where to go back to after a plain form post.
    back: Option<String>,
}

/// Moves a post to another day or time (drag and drop, the keyboard shortcuts, or the form on
/// the post page). A scheduled post is rescheduled; another post gets a planned time. Answers
/// JSON to the calendar's script and redirects a plain form.
pub async fn move_post(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, post_id)): Path<(String, String)>,
    headers: HeaderMap,
    super::PageForm(f): super::PageForm<MoveForm>,
) -> Response {
    let wants_json = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("application/json"));
    let tr = ws.tr();
    let fail = |status: StatusCode, message: String| -> Response {
        if wants_json {
            (status, axum::Json(serde_json::json!({ "ok": false, "message": message }))).into_response()
        } else {
            PageError::new(status, "error-move", tr).detail(message).into_response()
        }
    };
    if let Err(e) = ws.require(Action::DraftPosts) {
        return if wants_json { fail(StatusCode::FORBIDDEN, tr.t("error-forbidden")) } else { e.into_response() };
    }
    let post = match app.store.post(&post_id).await {
        Ok(p) if p.workspace_id == ws.workspace.id => p,
        Ok(_) | Err(relais_store::StoreError::NotFound(_)) => return fail(StatusCode::NOT_FOUND, tr.t("error-not-found")),
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let tz = ws.workspace.time_zone.clone();
    let local = format!("{}T{}", f.date.trim(), f.time.trim());
    let at_ms = match future_instant(tr, &local, &tz) {
        Ok(at) => at,
        Err(why) => return fail(StatusCode::UNPROCESSABLE_ENTITY, why),
    };
    let actor = super::post::actor_of(&ws);
    let planned = PlannedAt { at_ms, local: &local, zone: &tz };
    if let Err(e) = app.store.plan_post(&post.id, Some(planned), &actor).await {
        return match e {
            relais_store::StoreError::Conflict(m) => fail(StatusCode::CONFLICT, m),
            e => PageError::store(tr, e).into_response(),
        };
    }
    let message = tr.t1("done-moved-to", "when", tr.datetime(at_ms, &tz));
    if wants_json {
        return axum::Json(serde_json::json!({ "ok": true, "message": message, "local": local })).into_response();
    }
    let back = f.back.filter(|b| b.starts_with(&format!("{}/", ws.base()))).unwrap_or_else(|| format!("{}/posts/{}", ws.base(), post.id));
    let sep = if back.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{back}{sep}done=moved")).into_response()
}
