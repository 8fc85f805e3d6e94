//! Weekly posting slots of each social account, and "add to queue": the next slot of an account
//! that no scheduled post already takes.

use crate::{Result, Store, StoreError};
use jiff::Timestamp;
use relais_core::new_id;
use relais_core::scheduling::{Slot, local_of, next_free_slot};

/// How far ahead "add to queue" looks for a free slot.
pub const QUEUE_HORIZON_DAYS: i64 = 90;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostingSlot {
    pub id: String,
    pub account_id: String,
    pub slot: Slot,
}

fn from_row((id, account_id, weekday, minute): (String, String, i64, i64)) -> Result<PostingSlot> {
    let slot = Slot::new(weekday, minute).map_err(|e| StoreError::Conflict(format!("posting slot {id} is corrupt: {e}")))?;
    Ok(PostingSlot { id, account_id, slot })
}

impl Store {
    /// The slots of an account, Monday first, by time of day.
    pub async fn posting_slots(&self, account_id: &str) -> Result<Vec<PostingSlot>> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT id, account_id, weekday, minute_of_day FROM posting_slots WHERE account_id = $1 ORDER BY weekday, minute_of_day",
        )
        .bind(account_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(from_row).collect()
    }

    /// The slots of every account of a workspace, by account, weekday and time.
    pub async fn workspace_posting_slots(&self, workspace_id: &str) -> Result<Vec<PostingSlot>> {
        let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
            "SELECT s.id, s.account_id, s.weekday, s.minute_of_day FROM posting_slots s
             JOIN social_accounts a ON a.id = s.account_id
             WHERE a.workspace_id = $1 ORDER BY s.account_id, s.weekday, s.minute_of_day",
        )
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(from_row).collect()
    }

    /// Adds a slot to an account of the workspace: `NotFound` when the account is not the
    /// workspace's, `Conflict` when the account already has this slot.
    pub async fn add_posting_slot(&self, workspace_id: &str, account_id: &str, slot: Slot) -> Result<PostingSlot> {
        let id = new_id();
        let res = sqlx::query(
            "INSERT INTO posting_slots (id, account_id, weekday, minute_of_day)
             SELECT $1, a.id, $2, $3 FROM social_accounts a WHERE a.id = $4 AND a.workspace_id = $5",
        )
        .bind(&id)
        .bind(slot.weekday_number())
        .bind(slot.minute_of_day())
        .bind(account_id)
        .bind(workspace_id)
        .execute(self.writer())
        .await;
        match res {
            Ok(r) if r.rows_affected() == 0 => Err(StoreError::NotFound("social account")),
            Ok(_) => Ok(PostingSlot { id, account_id: account_id.to_string(), slot }),
            Err(e) if StoreError::is_unique_violation(&e) => Err(StoreError::Conflict(format!(
                "the account already has a slot on weekday {} at {}",
                slot.weekday_number(),
                slot.time_label()
            ))),
            Err(e) => Err(e.into()),
        }
    }

    /// Removes a slot of an account of the workspace.
    pub async fn remove_posting_slot(&self, workspace_id: &str, slot_id: &str) -> Result<()> {
        let n = sqlx::query(
            "DELETE FROM posting_slots WHERE id = $1 AND account_id IN (SELECT id FROM social_accounts WHERE workspace_id = $2)",
        )
        .bind(slot_id)
        .bind(workspace_id)
        .execute(self.writer())
        .await?
        .rows_affected();
        if n == 0 { Err(StoreError::NotFound("posting slot")) } else { Ok(()) }
    }

    /// The instants (epoch ms) of the posts scheduled on an account from `from_ms` on.
    pub async fn scheduled_times_of_account(&self, account_id: &str, from_ms: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT p.scheduled_at FROM posts p JOIN post_variants v ON v.post_id = p.id
             WHERE v.account_id = $1 AND p.state = 'scheduled' AND p.scheduled_at >= $2 ORDER BY p.scheduled_at",
        )
        .bind(account_id)
        .bind(from_ms)
        .fetch_all(self.pool())
        .await?)
    }

    /// "Add to queue": the first slot of the account strictly after `after_ms` that no scheduled
    /// post of the account takes (compared to the minute), within [`QUEUE_HORIZON_DAYS`], as the
    /// instant (epoch ms) and the wall-clock time `YYYY-MM-DDTHH:MM` in `zone`. `None` when the
    /// account has no slots or every one is taken until the horizon.
    pub async fn next_free_slot_for(&self, account_id: &str, after_ms: i64, zone: &str) -> Result<Option<(i64, String)>> {
        let slots: Vec<Slot> = self.posting_slots(account_id).await?.into_iter().map(|s| s.slot).collect();
        if slots.is_empty() {
            return Ok(None);
        }
        let bad_time = |ms: i64| StoreError::Conflict(format!("{ms} is not a valid time"));
        let after = Timestamp::from_millisecond(after_ms).map_err(|_| bad_time(after_ms))?;
        // A post a few seconds before a slot's minute still takes it: look from the minute's start.
        let taken: Vec<Timestamp> = self
            .scheduled_times_of_account(account_id, after_ms - 60_000)
            .await?
            .into_iter()
            .filter_map(|ms| Timestamp::from_millisecond(ms).ok())
            .collect();
        let schedule_error = |e: relais_core::scheduling::ScheduleError| StoreError::Conflict(e.to_string());
        let Some(at) = next_free_slot(&slots, &taken, after, zone, QUEUE_HORIZON_DAYS).map_err(schedule_error)? else {
            return Ok(None);
        };
        Ok(Some((at.as_millisecond(), local_of(at, zone).map_err(schedule_error)?)))
    }
}
