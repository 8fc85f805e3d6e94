//! A workspace's own calendar events, possibly repeating; their occurrences come from
//! `relais_core::recurrence`.

use crate::{Result, Store, StoreError};
use jiff::civil::Date;
use relais_core::recurrence::{Recurrence, RecurringEvent, parse_date};
use relais_core::{Name, new_id, now_ms};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarEvent {
    pub id: String,
    pub workspace_id: String,
    pub title: String,
    pub event: RecurringEvent,
}

/// One occurrence of a custom event, for a calendar view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventOccurrence {
    pub event_id: String,
    pub title: String,
    pub start: Date,
    /// Inclusive.
    pub end: Date,
    pub recurrence: Recurrence,
}

type Row = (String, String, String, String, String, String);

fn from_row((id, workspace_id, title, starts_on, ends_on, recurrence): Row) -> Result<CalendarEvent> {
    let corrupt = |e: relais_core::ValidationError| StoreError::Conflict(format!("calendar event {id} is corrupt: {e}"));
    let event = RecurringEvent {
        starts_on: parse_date("starts_on", &starts_on).map_err(corrupt)?,
        ends_on: parse_date("ends_on", &ends_on).map_err(corrupt)?,
        recurrence: Recurrence::parse(&recurrence).map_err(corrupt)?,
    };
    Ok(CalendarEvent { id, workspace_id, title, event })
}

impl Store {
    /// The workspace's events, by first date then title.
    pub async fn calendar_events(&self, workspace_id: &str) -> Result<Vec<CalendarEvent>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, workspace_id, title, starts_on, ends_on, recurrence FROM calendar_events
             WHERE workspace_id = $1 ORDER BY starts_on, title",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(from_row).collect()
    }

    pub async fn calendar_event(&self, workspace_id: &str, id: &str) -> Result<CalendarEvent> {
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, workspace_id, title, starts_on, ends_on, recurrence FROM calendar_events WHERE id = $1 AND workspace_id = $2",
        )
        .bind(id)
        .bind(workspace_id)
        .fetch_optional(self.pool())
        .await?;
        from_row(row.ok_or(StoreError::NotFound("calendar event"))?)
    }

    /// Every occurrence of the workspace's events overlapping `[from, to]`, by start then title.
    pub async fn event_occurrences(&self, workspace_id: &str, from: Date, to: Date) -> Result<Vec<EventOccurrence>> {
        let mut out: Vec<EventOccurrence> = self
            .calendar_events(workspace_id)
            .await?
            .into_iter()
            .flat_map(|e| {
                e.event.occurrences(from, to).into_iter().map(move |(start, end)| EventOccurrence {
                    event_id: e.id.clone(),
                    title: e.title.clone(),
                    start,
                    end,
                    recurrence: e.event.recurrence,
                })
            })
            .collect();
        out.sort_by(|a, b| (a.start, &a.title).cmp(&(b.start, &b.title)));
        Ok(out)
    }

    /// Creates an event; the caller checks that it does not end before it starts.
    pub async fn create_calendar_event(&self, workspace_id: &str, title: &Name, event: &RecurringEvent) -> Result<CalendarEvent> {
        let id = new_id();
        sqlx::query(
            "INSERT INTO calendar_events (id, workspace_id, title, starts_on, ends_on, recurrence, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(title.as_str())
        .bind(event.starts_on.to_string())
        .bind(event.ends_on.to_string())
        .bind(event.recurrence.as_str())
        .bind(now_ms())
        .execute(self.writer())
        .await?;
        self.calendar_event(workspace_id, &id).await
    }

    pub async fn update_calendar_event(&self, workspace_id: &str, id: &str, title: &Name, event: &RecurringEvent) -> Result<CalendarEvent> {
        let n = sqlx::query(
            "UPDATE calendar_events SET title = $1, starts_on = $2, ends_on = $3, recurrence = $4 WHERE id = $5 AND workspace_id = $6",
        )
        .bind(title.as_str())
        .bind(event.starts_on.to_string())
        .bind(event.ends_on.to_string())
        .bind(event.recurrence.as_str())
        .bind(id)
        .bind(workspace_id)
        .execute(self.writer())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound("calendar event"));
        }
        self.calendar_event(workspace_id, id).await
    }

    pub async fn delete_calendar_event(&self, workspace_id: &str, id: &str) -> Result<()> {
        let n = sqlx::query("DELETE FROM calendar_events WHERE id = $1 AND workspace_id = $2")
            .bind(id)
            .bind(workspace_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("calendar event")) } else { Ok(()) }
    }
}
