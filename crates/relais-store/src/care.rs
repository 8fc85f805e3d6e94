//! Customer-care settings of a workspace: business hours, the satisfaction question, the named
//! links saved replies point to, and the saved replies themselves. Validation (hours, template
//! variables) lives in relais-core; the store keeps what was validated.

use crate::{Result, Store, StoreError};
use relais_core::business_hours::{BusinessHours, Range, WEEKDAYS, format_day, parse_closed_days, parse_day};
use relais_core::satisfaction::{DEFAULT_QUESTION_EN, DEFAULT_QUESTION_FR};
use relais_core::{new_id, now_ms};
use sqlx::FromRow;
use std::collections::{BTreeMap, BTreeSet};

/// A workspace's care settings, as stored (the defaults when the team never changed them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareSettings {
    /// Monday first.
    pub week: [Vec<Range>; 7],
    pub closed_days: BTreeSet<jiff::civil::Date>,
    pub french_holidays: bool,
    pub survey_enabled: bool,
    pub survey_question_fr: String,
    pub survey_question_en: String,
}

impl Default for CareSettings {
    fn default() -> Self {
        let office = BusinessHours::office(jiff::tz::TimeZone::UTC);
        CareSettings {
            week: office.week,
            closed_days: BTreeSet::new(),
            french_holidays: false,
            survey_enabled: false,
            survey_question_fr: DEFAULT_QUESTION_FR.into(),
            survey_question_en: DEFAULT_QUESTION_EN.into(),
        }
    }
}

impl CareSettings {
    /// The business hours in `time_zone` (an IANA name; UTC when unknown).
    pub fn hours(&self, time_zone: &str) -> BusinessHours {
        BusinessHours {
            time_zone: jiff::tz::TimeZone::get(time_zone).unwrap_or(jiff::tz::TimeZone::UTC),
            week: self.week.clone(),
            closed: self.closed_days.clone(),
            french_holidays: self.french_holidays,
        }
    }
}

#[derive(FromRow)]
struct SettingsRow {
    hours: String,
    closed_days: String,
    french_holidays: i64,
    survey_enabled: i64,
    survey_question_fr: String,
    survey_question_en: String,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SavedReply {
    pub id: String,
    pub workspace_id: String,
    pub title: String,
    pub body: String,
    pub language: Option<String>,
    pub shortcut: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A saved reply as a member submits it (already checked by relais-core).
#[derive(Debug, Clone, Default)]
pub struct SavedReplyInput {
    pub title: String,
    pub body: String,
    pub language: Option<String>,
    pub shortcut: Option<String>,
}

const REPLY_COLUMNS: &str = "id, workspace_id, title, body, language, shortcut, created_by, created_at, updated_at";

fn shortcut_taken(e: sqlx::Error, shortcut: &Option<String>) -> StoreError {
    if StoreError::is_unique_violation(&e) {
        StoreError::Conflict(format!("the shortcut /{} is already used by another saved reply", shortcut.as_deref().unwrap_or("")))
    } else {
        e.into()
    }
}

impl Store {
    pub async fn care_settings(&self, workspace_id: &str) -> Result<CareSettings> {
        let row: Option<SettingsRow> = sqlx::query_as(
            "SELECT hours, closed_days, french_holidays, survey_enabled, survey_question_fr, survey_question_en
             FROM care_settings WHERE workspace_id = $1",
        )
        .bind(workspace_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(CareSettings::default()) };
        // What is stored was validated when saved; a line that no longer parses is read as closed.
        let mut week: [Vec<Range>; 7] = Default::default();
        for (i, line) in row.hours.lines().take(7).enumerate() {
            week[i] = parse_day(WEEKDAYS[i].1, line).unwrap_or_default();
        }
        Ok(CareSettings {
            week,
            closed_days: parse_closed_days("closed_days", &row.closed_days).unwrap_or_default(),
            french_holidays: row.french_holidays != 0,
            survey_enabled: row.survey_enabled != 0,
            survey_question_fr: row.survey_question_fr,
            survey_question_en: row.survey_question_en,
        })
    }

    pub async fn save_care_settings(&self, workspace_id: &str, s: &CareSettings) -> Result<()> {
        let hours = s.week.iter().map(|d| format_day(d)).collect::<Vec<_>>().join("\n");
        let closed = s.closed_days.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(",");
        sqlx::query(
            "INSERT INTO care_settings (workspace_id, hours, closed_days, french_holidays, survey_enabled, survey_question_fr,
                survey_question_en, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (workspace_id) DO UPDATE SET hours = EXCLUDED.hours, closed_days = EXCLUDED.closed_days,
                french_holidays = EXCLUDED.french_holidays, survey_enabled = EXCLUDED.survey_enabled,
                survey_question_fr = EXCLUDED.survey_question_fr, survey_question_en = EXCLUDED.survey_question_en,
                updated_at = EXCLUDED.updated_at",
        )
        .bind(workspace_id)
        .bind(hours)
        .bind(closed)
        .bind(i64::from(s.french_holidays))
        .bind(i64::from(s.survey_enabled))
        .bind(&s.survey_question_fr)
        .bind(&s.survey_question_en)
        .bind(now_ms())
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The workspace's named links (name → URL).
    pub async fn workspace_links(&self, workspace_id: &str) -> Result<BTreeMap<String, String>> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT name, url FROM workspace_links WHERE workspace_id = $1 ORDER BY name")
            .bind(workspace_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Adds a named link or changes its URL. `name` is normalized, `url` checked by the caller.
    pub async fn save_workspace_link(&self, workspace_id: &str, name: &str, url: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO workspace_links (workspace_id, name, url) VALUES ($1, $2, $3)
             ON CONFLICT (workspace_id, name) DO UPDATE SET url = EXCLUDED.url",
        )
        .bind(workspace_id)
        .bind(name)
        .bind(url)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// Removes a link, unless a saved reply still uses it (the reply would stop rendering).
    pub async fn delete_workspace_link(&self, workspace_id: &str, name: &str) -> Result<()> {
        let used: Option<String> = sqlx::query_scalar(
            "SELECT title FROM saved_replies WHERE workspace_id = $1 AND (body LIKE $2 OR body LIKE $3) ORDER BY title LIMIT 1",
        )
        .bind(workspace_id)
        .bind(format!("%{{lien:{name}}}%"))
        .bind(format!("%{{link:{name}}}%"))
        .fetch_optional(self.pool())
        .await?;
        if let Some(title) = used {
            return Err(StoreError::Conflict(format!("the saved reply {title:?} uses the link {name:?}; change it first")));
        }
        sqlx::query("DELETE FROM workspace_links WHERE workspace_id = $1 AND name = $2")
            .bind(workspace_id)
            .bind(name)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    /// The workspace's saved replies, by title.
    pub async fn saved_replies(&self, workspace_id: &str) -> Result<Vec<SavedReply>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {REPLY_COLUMNS} FROM saved_replies WHERE workspace_id = $1 ORDER BY title, id"
        )))
        .bind(workspace_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn saved_reply(&self, id: &str) -> Result<SavedReply> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {REPLY_COLUMNS} FROM saved_replies WHERE id = $1")))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("saved reply"))
    }

    pub async fn create_saved_reply(&self, workspace_id: &str, r: &SavedReplyInput, by: &str) -> Result<SavedReply> {
        let id = new_id();
        let now = now_ms();
        sqlx::query(
            "INSERT INTO saved_replies (id, workspace_id, title, body, language, shortcut, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(&id)
        .bind(workspace_id)
        .bind(&r.title)
        .bind(&r.body)
        .bind(r.language.as_deref())
        .bind(r.shortcut.as_deref())
        .bind(by)
        .bind(now)
        .execute(self.writer())
        .await
        .map_err(|e| shortcut_taken(e, &r.shortcut))?;
        self.saved_reply(&id).await
    }

    /// Changes a saved reply of the workspace.
    pub async fn update_saved_reply(&self, workspace_id: &str, id: &str, r: &SavedReplyInput) -> Result<()> {
        let n = sqlx::query(
            "UPDATE saved_replies SET title = $1, body = $2, language = $3, shortcut = $4, updated_at = $5 WHERE id = $6 AND workspace_id = $7",
        )
        .bind(&r.title)
        .bind(&r.body)
        .bind(r.language.as_deref())
        .bind(r.shortcut.as_deref())
        .bind(now_ms())
        .bind(id)
        .bind(workspace_id)
        .execute(self.writer())
        .await
        .map_err(|e| shortcut_taken(e, &r.shortcut))?
        .rows_affected();
        if n == 0 { Err(StoreError::NotFound("saved reply")) } else { Ok(()) }
    }

    pub async fn delete_saved_reply(&self, workspace_id: &str, id: &str) -> Result<()> {
        let n = sqlx::query("DELETE FROM saved_replies WHERE id = $1 AND workspace_id = $2")
            .bind(id)
            .bind(workspace_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("saved reply")) } else { Ok(()) }
    }
}
