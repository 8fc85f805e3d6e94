//! Moderation's storage: the ordered rules, the log of every action with what undoing it needs,
//! and the dry run. Their application to new messages, inside the ingestion's transaction, is in
//! `moderation_ingest`.

use crate::jobs::insert_job;
use crate::posts::Tx;
use crate::{Actor, NewJob, Result, Store, StoreError};
use relais_core::moderation::{CompiledRule, MessageView, Rule, RuleSet, repeat_key};
use relais_core::{new_id, now_ms};
use sqlx::FromRow;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// The job kind that hides, unhides or deletes a message, or deletes an automatic reply, on the
/// network; its payload names the log entry.
pub const MODERATION_JOB: &str = "moderate_on_network";

#[derive(Debug, FromRow)]
struct RuleRow {
    id: String,
    name: String,
    enabled: i64,
    stop: i64,
    conditions: String,
    actions: String,
}

impl RuleRow {
    fn into_rule(self) -> Result<Rule> {
        let bad = |e: serde_json::Error| StoreError::Conflict(format!("moderation rule {} is unreadable: {e}", self.id));
        Ok(Rule {
            conditions: serde_json::from_str(&self.conditions).map_err(bad)?,
            actions: serde_json::from_str(&self.actions).map_err(bad)?,
            id: self.id,
            name: self.name,
            enabled: self.enabled != 0,
            stop: self.stop != 0,
        })
    }
}

/// One line of the moderation log.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ModerationLogEntry {
    pub id: String,
    pub message_id: String,
    /// `None`: a member acted by hand.
    pub rule_id: Option<String>,
    pub rule_name: String,
    pub action: String,
    pub detail: Option<String>,
    pub previous: Option<String>,
    pub actor_label: String,
    /// pending | done | failed | not_offered (an automatic reply reads its reply's state).
    pub outcome: String,
    pub error: Option<String>,
    pub created_at: i64,
    pub undone_at: Option<i64>,
    pub undone_by: Option<String>,
    pub message_text: String,
    pub message_author: String,
    pub network: String,
}

const LOG_COLUMNS: &str = "l.id, l.message_id, l.rule_id, l.rule_name, l.action, l.detail, l.previous, l.actor_label,
    CASE WHEN l.action = 'auto_reply' THEN COALESCE(CASE r.state WHEN 'sent' THEN 'done' WHEN 'failed' THEN 'failed' END, l.outcome)
         ELSE l.outcome END AS outcome,
    COALESCE(r.error, l.error) AS error, l.created_at, l.undone_at, l.undone_by, m.text AS message_text,
    m.author_handle AS message_author, a.network";

/// Which log entries to list.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub rule_id: Option<String>,
    pub action: Option<String>,
}

/// Why an action cannot be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndoRefusal {
    AlreadyUndone,
    /// A deleted comment cannot be brought back.
    Deleted,
    /// A notification already reached the members.
    Notified,
    /// Hiding or the reply has not happened (yet, or at all): nothing to undo.
    NotDone,
    /// The message was assigned to someone else since.
    Reassigned,
    /// An undo itself (unhide, reply deleted) is not undone.
    IsUndo,
}

impl UndoRefusal {
    /// The i18n key of the reason shown to people.
    pub fn code(self) -> &'static str {
        match self {
            UndoRefusal::AlreadyUndone => "moderation-undo-already",
            UndoRefusal::Deleted => "moderation-undo-deleted",
            UndoRefusal::Notified => "moderation-undo-notified",
            UndoRefusal::NotDone => "moderation-undo-not-done",
            UndoRefusal::Reassigned => "moderation-undo-reassigned",
            UndoRefusal::IsUndo => "moderation-undo-is-undo",
        }
    }
}

/// How an undo went: done at once, or queued for the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undone {
    Done,
    Queued,
    Refused(UndoRefusal),
}

/// What the dry run found for one rule's action.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DryRunLine {
    pub rule_id: String,
    pub rule_name: String,
    pub action: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DryRunExample {
    pub rule_name: String,
    pub actions: Vec<String>,
    pub text: String,
    pub author_handle: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DryRun {
    pub scanned: u64,
    pub matched: u64,
    /// In rule order, then action order.
    pub lines: Vec<DryRunLine>,
    /// The first matches, `example_cap` at most.
    pub examples: Vec<DryRunExample>,
}

#[derive(Debug, FromRow)]
struct ViewRow {
    id: String,
    text: String,
    network: String,
    author_handle: String,
    author_remote_id: String,
    language: Option<String>,
    sentiment: Option<String>,
    toxicity: Option<i64>,
    created_at: i64,
}

impl ViewRow {
    fn view(&self) -> MessageView<'_> {
        MessageView {
            text: &self.text,
            author_handle: &self.author_handle,
            author_remote_id: &self.author_remote_id,
            language: self.language.as_deref(),
            sentiment: self.sentiment.as_deref(),
            toxicity: self.toxicity,
            repeats: vec![],
        }
    }
}

const VIEW_COLUMNS: &str = "id, text, network, author_handle, author_remote_id, language, sentiment, toxicity, created_at";

pub(crate) async fn load_rules<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(executor: E, workspace_id: &str) -> Result<Vec<Rule>> {
    let rows: Vec<RuleRow> = sqlx::query_as(
        "SELECT id, name, enabled, stop, conditions, actions FROM moderation_rules WHERE workspace_id = $1 ORDER BY position, id",
    )
    .bind(workspace_id)
    .fetch_all(executor)
    .await?;
    rows.into_iter().map(RuleRow::into_rule).collect()
}

pub(crate) fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        s.push('…');
    }
    s
}

struct LogLine<'a> {
    workspace_id: &'a str,
    message_id: &'a str,
    rule: Option<&'a Rule>,
    action: &'a str,
    detail: Option<&'a str>,
    previous: Option<&'a str>,
    actor_label: &'a str,
    outcome: &'a str,
}

async fn insert_log(tx: &mut Tx, l: &LogLine<'_>, now: i64) -> Result<String> {
    let id = new_id();
    sqlx::query(
        "INSERT INTO moderation_log (id, workspace_id, message_id, rule_id, rule_name, action, detail, previous, actor_label, outcome,
            created_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&id)
    .bind(l.workspace_id)
    .bind(l.message_id)
    .bind(l.rule.map(|r| r.id.as_str()))
    .bind(l.rule.map(|r| r.name.as_str()).unwrap_or(""))
    .bind(l.action)
    .bind(l.detail)
    .bind(l.previous)
    .bind(l.actor_label)
    .bind(l.outcome)
    .bind(now)
    .bind((l.outcome != "pending").then_some(now))
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

async fn queue_network_job(tx: &mut Tx, log_id: &str, now: i64) -> Result<()> {
    insert_job(
        &mut **tx,
        &NewJob {
            kind: MODERATION_JOB.into(),
            payload: serde_json::json!({ "log": log_id }),
            run_at: now,
            unique_key: Some(format!("{MODERATION_JOB}:{log_id}")),
            max_attempts: 8,
        },
    )
    .await?;
    Ok(())
}

/// What the network job needs to act on a log entry.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct NetworkModeration {
    pub log_id: String,
    /// hide | unhide | delete | delete_reply
    pub action: String,
    pub account_id: String,
    /// The message's remote id, or our reply's for delete_reply.
    pub remote_id: Option<String>,
    /// The remote id of the thread's root (where Bluesky keeps its threadgate).
    pub root_remote_id: Option<String>,
    pub outcome: String,
}

impl Store {
    /// The workspace's rules, in order.
    pub async fn moderation_rules(&self, workspace_id: &str) -> Result<Vec<Rule>> {
        load_rules(self.pool(), workspace_id).await
    }

    pub async fn moderation_rule(&self, workspace_id: &str, id: &str) -> Result<Rule> {
        self.moderation_rules(workspace_id).await?.into_iter().find(|r| r.id == id).ok_or(StoreError::NotFound("moderation rule"))
    }

    /// Saves a validated rule: a new one (unknown id) goes last; a known one keeps its place.
    pub async fn save_moderation_rule(&self, workspace_id: &str, rule: &CompiledRule) -> Result<Rule> {
        let r = &rule.rule;
        let now = now_ms();
        let conditions = serde_json::to_string(&r.conditions).map_err(|e| StoreError::Conflict(e.to_string()))?;
        let actions = serde_json::to_string(&r.actions).map_err(|e| StoreError::Conflict(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE moderation_rules SET name = $1, enabled = $2, stop = $3, conditions = $4, actions = $5, updated_at = $6
             WHERE id = $7 AND workspace_id = $8",
        )
        .bind(&r.name)
        .bind(i64::from(r.enabled))
        .bind(i64::from(r.stop))
        .bind(&conditions)
        .bind(&actions)
        .bind(now)
        .bind(&r.id)
        .bind(workspace_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let id = if n == 1 {
            r.id.clone()
        } else {
            let id = new_id();
            sqlx::query(
                "INSERT INTO moderation_rules (id, workspace_id, position, name, enabled, stop, conditions, actions, created_at, updated_at)
                 VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM moderation_rules WHERE workspace_id = $2), $3, $4, $5, $6, $7,
                    $8, $8)",
            )
            .bind(&id)
            .bind(workspace_id)
            .bind(&r.name)
            .bind(i64::from(r.enabled))
            .bind(i64::from(r.stop))
            .bind(&conditions)
            .bind(&actions)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            id
        };
        tx.commit().await?;
        self.moderation_rule(workspace_id, &id).await
    }

    pub async fn delete_moderation_rule(&self, workspace_id: &str, id: &str) -> Result<()> {
        let n = sqlx::query("DELETE FROM moderation_rules WHERE id = $1 AND workspace_id = $2")
            .bind(id)
            .bind(workspace_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("moderation rule")) } else { Ok(()) }
    }

    pub async fn set_moderation_rule_enabled(&self, workspace_id: &str, id: &str, enabled: bool) -> Result<()> {
        let n = sqlx::query("UPDATE moderation_rules SET enabled = $1, updated_at = $2 WHERE id = $3 AND workspace_id = $4")
            .bind(i64::from(enabled))
            .bind(now_ms())
            .bind(id)
            .bind(workspace_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("moderation rule")) } else { Ok(()) }
    }

    /// Moves a rule one place earlier (`up`) or later; at either end nothing changes.
    pub async fn move_moderation_rule(&self, workspace_id: &str, id: &str, up: bool) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM moderation_rules WHERE workspace_id = $1 ORDER BY position, id")
            .bind(workspace_id)
            .fetch_all(&mut *tx)
            .await?;
        let i = ids.iter().position(|x| x == id).ok_or(StoreError::NotFound("moderation rule"))?;
        let j = if up { i.checked_sub(1) } else { (i + 1 < ids.len()).then_some(i + 1) };
        let mut order = ids.clone();
        if let Some(j) = j {
            order.swap(i, j);
            // Renumbering the whole list also repairs equal positions left by concurrent inserts.
            for (pos, rid) in order.iter().enumerate() {
                sqlx::query("UPDATE moderation_rules SET position = $1 WHERE id = $2")
                    .bind(pos as i64 + 1)
                    .bind(rid)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The log, newest first.
    pub async fn moderation_log(&self, workspace_id: &str, filter: &LogFilter, limit: i64) -> Result<Vec<ModerationLogEntry>> {
        let mut sql = format!(
            "SELECT {LOG_COLUMNS} FROM moderation_log l JOIN inbox_messages m ON m.id = l.message_id
             JOIN social_accounts a ON a.id = m.account_id LEFT JOIN inbox_replies r ON l.action = 'auto_reply' AND r.id = l.detail
             WHERE l.workspace_id = $1"
        );
        let mut binds = vec![workspace_id.to_string()];
        for (col, v) in [("l.rule_id", &filter.rule_id), ("l.action", &filter.action)] {
            if let Some(v) = v {
                binds.push(v.clone());
                sql.push_str(&format!(" AND {col} = ${}", binds.len()));
            }
        }
        sql.push_str(&format!(" ORDER BY l.created_at DESC, l.id DESC LIMIT {}", limit.clamp(1, 500)));
        let mut q = sqlx::query_as::<_, ModerationLogEntry>(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(b);
        }
        Ok(q.fetch_all(self.pool()).await?)
    }

    pub async fn moderation_log_entry(&self, workspace_id: &str, id: &str) -> Result<ModerationLogEntry> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {LOG_COLUMNS} FROM moderation_log l JOIN inbox_messages m ON m.id = l.message_id
             JOIN social_accounts a ON a.id = m.account_id LEFT JOIN inbox_replies r ON l.action = 'auto_reply' AND r.id = l.detail
             WHERE l.workspace_id = $1 AND l.id = $2"
        )))
        .bind(workspace_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("moderation log entry"))
    }

    /// Undoes a logged action where it can be: unflag, untag, back to the earlier assignee at
    /// once; unhide and deleting an automatic reply through a network job.
    pub async fn undo_moderation(&self, workspace_id: &str, log_id: &str, actor: &Actor) -> Result<Undone> {
        let e = self.moderation_log_entry(workspace_id, log_id).await?;
        if e.undone_at.is_some() {
            return Ok(Undone::Refused(UndoRefusal::AlreadyUndone));
        }
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let result = match e.action.as_str() {
            "flag" => {
                sqlx::query("UPDATE inbox_messages SET flagged = 0 WHERE id = $1").bind(&e.message_id).execute(&mut *tx).await?;
                Undone::Done
            }
            "tag" => {
                sqlx::query("DELETE FROM inbox_message_tags WHERE message_id = $1 AND tag = $2")
                    .bind(&e.message_id)
                    .bind(e.detail.as_deref())
                    .execute(&mut *tx)
                    .await?;
                Undone::Done
            }
            "assign" => {
                let n = sqlx::query("UPDATE inbox_messages SET assignee_id = $1 WHERE id = $2 AND assignee_id = $3")
                    .bind(e.previous.as_deref())
                    .bind(&e.message_id)
                    .bind(e.detail.as_deref())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 { Undone::Refused(UndoRefusal::Reassigned) } else { Undone::Done }
            }
            "delete" => Undone::Refused(UndoRefusal::Deleted),
            "notify" => Undone::Refused(UndoRefusal::Notified),
            "hide" | "auto_reply" if e.outcome != "done" => Undone::Refused(UndoRefusal::NotDone),
            "hide" | "auto_reply" => {
                let undo = if e.action == "hide" { "unhide" } else { "delete_reply" };
                let id = new_id();
                sqlx::query(
                    "INSERT INTO moderation_log (id, workspace_id, message_id, rule_id, rule_name, action, detail, previous, actor_label,
                        outcome, created_at)
                     SELECT $1, workspace_id, message_id, rule_id, rule_name, $2, detail, id, $3, 'pending', $4 FROM moderation_log WHERE id = $5",
                )
                .bind(&id)
                .bind(undo)
                .bind(&actor.label)
                .bind(now)
                .bind(log_id)
                .execute(&mut *tx)
                .await?;
                queue_network_job(&mut tx, &id, now).await?;
                Undone::Queued
            }
            _ => Undone::Refused(UndoRefusal::IsUndo),
        };
        if !matches!(result, Undone::Refused(_)) {
            sqlx::query("UPDATE moderation_log SET undone_at = $1, undone_by = $2 WHERE id = $3")
                .bind(now)
                .bind(&actor.label)
                .bind(log_id)
                .execute(&mut *tx)
                .await?;
            let changed = [e.message_id.clone()];
            crate::inbox_live::on_messages_changed(&mut tx, workspace_id, &changed, actor.id.as_deref(), now).await?;
        }
        tx.commit().await?;
        Ok(result)
    }

    /// A member hides, unhides or deletes a message by hand: logged, then done by a job.
    pub async fn request_network_moderation(&self, message_id: &str, action: &str, actor: &Actor) -> Result<String> {
        if !matches!(action, "hide" | "unhide" | "delete") {
            return Err(StoreError::Conflict(format!("unknown moderation action {action:?}; expected hide, unhide or delete")));
        }
        let workspace_id: String = sqlx::query_scalar("SELECT workspace_id FROM inbox_messages WHERE id = $1")
            .bind(message_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("inbox message"))?;
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let log = LogLine {
            workspace_id: &workspace_id,
            message_id,
            rule: None,
            action,
            detail: None,
            previous: None,
            actor_label: &actor.label,
            outcome: "pending",
        };
        let id = insert_log(&mut tx, &log, now).await?;
        queue_network_job(&mut tx, &id, now).await?;
        crate::inbox_live::on_messages_changed(&mut tx, &workspace_id, &[message_id.to_string()], actor.id.as_deref(), now).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// What the network job acts on; `None` when the entry is gone.
    pub async fn network_moderation(&self, log_id: &str) -> Result<Option<NetworkModeration>> {
        Ok(sqlx::query_as(
            "SELECT l.id AS log_id, l.action, m.account_id,
                CASE WHEN l.action = 'delete_reply' THEN (SELECT r.remote_id FROM inbox_replies r WHERE r.id = l.detail) ELSE m.remote_id END
                    AS remote_id,
                COALESCE(m.root_remote_id, m.parent_remote_id) AS root_remote_id, l.outcome
             FROM moderation_log l JOIN inbox_messages m ON m.id = l.message_id WHERE l.id = $1",
        )
        .bind(log_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Records how a network action ended (`outcome`: done | failed | not_offered) and, when it
    /// was done, the message's state on the network.
    pub async fn finish_network_moderation(&self, log_id: &str, outcome: &str, error: Option<&str>) -> Result<()> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let action: Option<String> = sqlx::query_scalar(
            "UPDATE moderation_log SET outcome = $1, error = $2, finished_at = $3 WHERE id = $4 AND outcome = 'pending' RETURNING action",
        )
        .bind(outcome)
        .bind(error)
        .bind(now)
        .bind(log_id)
        .fetch_optional(&mut *tx)
        .await?;
        let state = match action.as_deref() {
            Some("hide") => Some(Some("hidden")),
            Some("unhide") => Some(None),
            Some("delete") => Some(Some("deleted")),
            _ => None,
        };
        if let (Some(state), "done") = (state, outcome) {
            sqlx::query("UPDATE inbox_messages SET network_state = $1 WHERE id = (SELECT message_id FROM moderation_log WHERE id = $2)")
                .bind(state)
                .bind(log_id)
                .execute(&mut *tx)
                .await?;
        }
        if action.is_some() {
            // Pages open on the message show the network's answer (done, failed, not offered).
            let target: Option<(String, String)> = sqlx::query_as("SELECT workspace_id, message_id FROM moderation_log WHERE id = $1")
                .bind(log_id)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some((ws, message)) = target {
                crate::inbox_live::on_messages_changed(&mut tx, &ws, &[message], None, now).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The message's moderation marks: (flagged, network state).
    pub async fn moderation_marks(&self, message_id: &str) -> Result<(bool, Option<String>)> {
        let row: Option<(i64, Option<String>)> = sqlx::query_as("SELECT flagged, network_state FROM inbox_messages WHERE id = $1")
            .bind(message_id)
            .fetch_optional(self.pool())
            .await?;
        let (f, s) = row.ok_or(StoreError::NotFound("inbox message"))?;
        Ok((f != 0, s))
    }

    /// What `rules` would have done to the workspace's messages received since `since_ms`,
    /// changing nothing. Messages are read in keyset pages, oldest first, and repeats are counted
    /// in memory from the scan itself.
    pub async fn moderation_dry_run(&self, workspace_id: &str, rules: &RuleSet, since_ms: i64, example_cap: usize) -> Result<DryRun> {
        let mut out = DryRun::default();
        let windows = rules.repeat_windows();
        let longest = windows.iter().max().map(|w| i64::from(*w) * 60_000).unwrap_or(0);
        let mut seen: HashMap<(String, String, String), VecDeque<i64>> = HashMap::new();
        let mut counts: BTreeMap<(usize, usize), u64> = BTreeMap::new();
        let mut after: (i64, String) = (since_ms, String::new());
        loop {
            let page: Vec<ViewRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {VIEW_COLUMNS} FROM inbox_messages WHERE workspace_id = $1 AND (created_at > $2 OR (created_at = $2 AND id > $3))
                 ORDER BY created_at, id LIMIT 500"
            )))
            .bind(workspace_id)
            .bind(after.0)
            .bind(&after.1)
            .fetch_all(self.pool())
            .await?;
            let Some(last) = page.last() else { break };
            after = (last.created_at, last.id.clone());
            for row in &page {
                out.scanned += 1;
                let mut view = row.view();
                if !windows.is_empty() {
                    let times = seen.entry((row.network.clone(), row.author_handle.clone(), repeat_key(&row.text))).or_default();
                    times.push_back(row.created_at);
                    while times.front().is_some_and(|t| *t <= row.created_at - longest) {
                        times.pop_front();
                    }
                    for w in &windows {
                        let from = row.created_at - i64::from(*w) * 60_000;
                        view.repeats.push((*w, times.iter().filter(|t| **t > from).count() as u32));
                    }
                }
                let firings = rules.evaluate(&view);
                if firings.is_empty() {
                    continue;
                }
                out.matched += 1;
                for f in &firings {
                    let ri = rules.rules().iter().position(|r| std::ptr::eq(&r.rule, f.rule)).unwrap_or(0);
                    let ai = f.rule.actions.iter().position(|a| std::ptr::eq(a, f.action)).unwrap_or(0);
                    *counts.entry((ri, ai)).or_default() += 1;
                }
                if out.examples.len() < example_cap {
                    out.examples.push(DryRunExample {
                        rule_name: firings[0].rule.name.clone(),
                        actions: firings.iter().map(|f| f.action.key().to_string()).collect(),
                        text: row.text.clone(),
                        author_handle: row.author_handle.clone(),
                        created_at: row.created_at,
                    });
                }
            }
        }
        out.lines = counts
            .into_iter()
            .map(|((ri, ai), count)| {
                let r = &rules.rules()[ri].rule;
                DryRunLine { rule_id: r.id.clone(), rule_name: r.name.clone(), action: r.actions[ai].key().to_string(), count }
            })
            .collect();
        Ok(out)
    }
}
