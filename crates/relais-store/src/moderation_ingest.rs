//! Moderation at ingestion: the workspace's rules applied to a page of new messages inside the
//! ingestion's transaction, set-wise. The rules are evaluated message by message, in order, in
//! Rust; what they decide is then written with a few multi-row statements per page (repeats
//! counted, flags, tags, assignments, the log, the network jobs) rather than a few statements per
//! message, which was most of the SQL an ingested message cost.
//!
//! Local actions (flag, tag, assign, notify) are written in the ingestion's transaction; network
//! actions (hide, delete, auto-reply) become durable jobs in that same transaction, so a crash
//! neither loses nor repeats them.

use crate::inbox_ingest::NewMessage;
use crate::inbox_replies::{NewReply, ReplyPurpose, insert_replies};
use crate::jobs::insert_jobs;
use crate::moderation::{MODERATION_JOB, excerpt, load_rules};
use crate::notifications::insert_notifications;
use crate::posts::Tx;
use crate::sql::{MAX_PARAMS, for_backend, params, rows_per_statement, tuples};
use crate::{NewJob, NewNotification, NotificationKind, Result, SocialAccount};
use relais_core::moderation::{Firing, MessageView, RuleAction, RuleSet};
use relais_core::{new_id, now_ms};
use std::collections::{HashMap, HashSet};

/// The workspace's enabled rules, loaded and compiled once per ingested page.
pub(crate) struct IngestionRules {
    rules: RuleSet,
    /// The repeated-text rules' windows, in minutes.
    windows: Vec<u32>,
}

impl IngestionRules {
    pub async fn load(tx: &mut Tx, workspace_id: &str) -> Result<IngestionRules> {
        let (rules, _broken) = RuleSet::compile(load_rules(&mut **tx, workspace_id).await?);
        let windows = rules.repeat_windows();
        Ok(IngestionRules { rules, windows })
    }

    /// Whether messages must be stored with their repeat key: only while a repeated-text rule
    /// exists (the key then makes counting repeats one indexed lookup).
    pub fn keys_repeats(&self) -> bool {
        !self.windows.is_empty()
    }

    /// Applies the rules to the messages just stored (with their repeat keys when
    /// [`keys_repeats`](Self::keys_repeats)), in the order received.
    pub async fn apply(&self, tx: &mut Tx, account: &SocialAccount, new: &[NewMessage<'_>]) -> Result<()> {
        if new.is_empty() || self.rules.is_empty() {
            return Ok(());
        }
        let members = self.existing_members(tx).await?;
        // Every message of the page is stored (and keyed) before any is counted, so the order a
        // page arrives in does not change the counts.
        let repeats = count_repeats(tx, account, new, &self.windows).await?;
        let now = now_ms();
        let mut writes = Writes::default();
        for (m, repeats) in new.iter().zip(repeats) {
            let view = MessageView {
                text: &m.item.text,
                author_handle: &m.item.author_handle,
                author_remote_id: &m.item.author_remote_id,
                language: m.read.language.as_deref(),
                sentiment: Some(m.read.sentiment),
                toxicity: Some(m.read.toxicity),
                repeats,
            };
            let firings = self.rules.evaluate_folded(&view, &m.read.folded);
            writes.decide(account, m, &firings, &members);
        }
        writes.write(tx, &account.workspace_id, now).await
    }

    /// Members named by the rules who still exist: a rule naming a member removed since must not
    /// break ingestion (the foreign keys would), it logs a failure instead.
    async fn existing_members(&self, tx: &mut Tx) -> Result<HashSet<String>> {
        let named: Vec<&str> = self
            .rules
            .rules()
            .iter()
            .flat_map(|r| &r.rule.actions)
            .flat_map(|a| match a {
                RuleAction::Assign { member_id } => std::slice::from_ref(member_id),
                RuleAction::Notify { member_ids } => member_ids.as_slice(),
                _ => &[],
            })
            .map(String::as_str)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut members = HashSet::new();
        for chunk in named.chunks(rows_per_statement(1)) {
            let sql = format!("SELECT id FROM users WHERE id IN ({})", params(1, chunk.len()));
            let mut q = sqlx::query_scalar::<_, String>(sqlx::AssertSqlSafe(sql));
            for n in chunk {
                q = q.bind(*n);
            }
            members.extend(q.fetch_all(&mut **tx).await?);
        }
        Ok(members)
    }
}

/// For each message, for each window: how many messages of its author (its handle on the
/// account's network) with the same repeat key fall within the window before it, itself
/// included. One statement per window and 49 messages, each count a range of the author index,
/// which carries the key.
async fn count_repeats(tx: &mut Tx, account: &SocialAccount, new: &[NewMessage<'_>], windows: &[u32]) -> Result<Vec<Vec<(u32, u32)>>> {
    let mut repeats = vec![Vec::with_capacity(windows.len()); new.len()];
    // $1 the workspace, $2 the network, $3 the window; then (position in the page, author, key,
    // created_at).
    let rows = (MAX_PARAMS - 3) / 4;
    for &window in windows {
        for (c, chunk) in new.chunks(rows).enumerate() {
            // A subquery per message rather than a join: PostgreSQL's generic plan for the
            // join, made while the table was small, scanned the whole table once it was not.
            // Planned at each run (not prepared): on a small table, or one without statistics
            // yet, every index of `inbox_messages` costs the same to the planner, and a plan
            // kept from then may scan the workspace's whole index for each message; planned
            // with the table as it is, the author index wins.
            let sql = format!(
                "SELECT v.column1, (SELECT COUNT(*) FROM inbox_messages m
                   WHERE m.workspace_id = $1 AND m.network = $2 AND m.author_handle = v.column2
                     AND m.created_at > v.column4 - $3 AND m.created_at <= v.column4 AND m.text_key = v.column3)
                 FROM (VALUES {}) AS v",
                tuples(4, chunk.len(), 4)
            );
            let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(for_backend(tx, sql)))
                .persistent(false)
                .bind(&account.workspace_id)
                .bind(&account.network)
                .bind(i64::from(window) * 60_000);
            for (i, m) in chunk.iter().enumerate() {
                q = q.bind((c * rows + i) as i64).bind(&m.item.author_handle).bind(&m.read.repeat_key).bind(m.item.created_at);
            }
            let counts: HashMap<i64, i64> = q.fetch_all(&mut **tx).await?.into_iter().collect();
            for (i, r) in repeats.iter_mut().enumerate().skip(c * rows).take(chunk.len()) {
                r.push((window, counts.get(&(i as i64)).copied().unwrap_or(0) as u32));
            }
        }
    }
    Ok(repeats)
}

/// One line of the moderation log, as ingestion writes it.
struct LogRow {
    id: String,
    message_id: String,
    rule_id: String,
    rule_name: String,
    action: &'static str,
    detail: Option<String>,
    previous: Option<String>,
    actor_label: String,
    /// done | pending | failed
    outcome: &'static str,
    error: Option<&'static str>,
}

/// What the rules decided for a page, written once the whole page is decided.
#[derive(Default)]
struct Writes {
    flagged: Vec<String>,
    /// (message, tag, tagged by), the first of a message's tag kept.
    tags: Vec<(String, String, String)>,
    /// message → member: a later assignment of the same message wins, as it would one by one.
    assignees: HashMap<String, String>,
    logs: Vec<LogRow>,
    /// Log entries whose action the network job carries out (hide, delete).
    network_jobs: Vec<String>,
    notes: Vec<NewNotification>,
    /// Automatic replies, with their send jobs.
    replies: Vec<NewReply>,
}

impl Writes {
    /// Records what `firings` do to message `m`. An automatic reply's log line names the reply.
    fn decide(&mut self, account: &SocialAccount, m: &NewMessage<'_>, firings: &[Firing<'_>], members: &HashSet<String>) {
        let mut assignee: Option<&str> = None;
        for f in firings {
            let by = format!("Relais · {}", f.rule.name);
            let mut log = LogRow {
                id: String::new(),
                message_id: m.id.clone(),
                rule_id: f.rule.id.clone(),
                rule_name: f.rule.name.clone(),
                action: f.action.key(),
                detail: None,
                previous: None,
                actor_label: by.clone(),
                outcome: "done",
                error: None,
            };
            match f.action {
                RuleAction::Flag => self.flagged.push(m.id.clone()),
                RuleAction::Tag { tag } => {
                    if !self.tags.iter().any(|(id, t, _)| *id == m.id && t == tag) {
                        self.tags.push((m.id.clone(), tag.clone(), by));
                    }
                    log.detail = Some(tag.clone());
                }
                RuleAction::Assign { member_id } if !members.contains(member_id) => {
                    log.detail = Some(member_id.clone());
                    log.outcome = "failed";
                    log.error = Some("the member no longer exists");
                }
                RuleAction::Assign { member_id } => {
                    self.assignees.insert(m.id.clone(), member_id.clone());
                    log.detail = Some(member_id.clone());
                    log.previous = assignee.replace(member_id).map(str::to_string);
                }
                RuleAction::Notify { member_ids } => {
                    for member in member_ids.iter().filter(|id| members.contains(*id)) {
                        self.notes.push(NewNotification {
                            user_id: member.clone(),
                            workspace_id: account.workspace_id.clone(),
                            kind: NotificationKind::Moderation,
                            post_id: None,
                            actor_label: f.rule.name.clone(),
                            subject: excerpt(&m.item.text),
                            detail: Some(format!("{} · {}", m.item.author_handle, account.handle)),
                        });
                    }
                    log.detail = Some(member_ids.join(","));
                }
                RuleAction::AutoReply { text } => {
                    let reply = NewReply {
                        id: new_id(),
                        workspace_id: account.workspace_id.clone(),
                        account_id: account.id.clone(),
                        message_id: m.id.clone(),
                        conversation_id: m.conversation_id.clone(),
                        text: text.clone(),
                        author_label: by,
                    };
                    log.detail = Some(reply.id.clone());
                    log.outcome = "pending";
                    self.replies.push(reply);
                }
                RuleAction::Hide | RuleAction::Delete => log.outcome = "pending",
            }
            // Ids are taken in firing order: the log reads in the order the rules acted.
            log.id = new_id();
            if matches!(f.action, RuleAction::Hide | RuleAction::Delete) {
                self.network_jobs.push(log.id.clone());
            }
            self.logs.push(log);
        }
    }

    async fn write(self, tx: &mut Tx, workspace_id: &str, now: i64) -> Result<()> {
        let mut flagged = self.flagged;
        flagged.sort_unstable();
        flagged.dedup();
        for chunk in flagged.chunks(rows_per_statement(1)) {
            let sql = format!("UPDATE inbox_messages SET flagged = 1 WHERE id IN ({})", params(1, chunk.len()));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(for_backend(tx, sql)));
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut **tx).await?;
        }
        for chunk in self.tags.chunks(rows_per_statement(4)) {
            let sql = format!(
                "INSERT INTO inbox_message_tags (message_id, tag, tagged_by, tagged_at) VALUES {} ON CONFLICT (message_id, tag) DO NOTHING",
                tuples(1, chunk.len(), 4)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(for_backend(tx, sql)));
            for (id, tag, by) in chunk {
                q = q.bind(id).bind(tag).bind(by).bind(now);
            }
            q.execute(&mut **tx).await?;
        }
        let assignees: Vec<(String, String)> = self.assignees.into_iter().collect();
        for chunk in assignees.chunks(rows_per_statement(2)) {
            let sql = format!(
                "UPDATE inbox_messages SET assignee_id = v.column2 FROM (VALUES {}) AS v WHERE inbox_messages.id = v.column1",
                tuples(1, chunk.len(), 2)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(for_backend(tx, sql)));
            for (id, member) in chunk {
                q = q.bind(id).bind(member);
            }
            q.execute(&mut **tx).await?;
        }
        for chunk in self.logs.chunks(rows_per_statement(13)) {
            let sql = format!(
                "INSERT INTO moderation_log (id, workspace_id, message_id, rule_id, rule_name, action, detail, previous, actor_label,
                    outcome, error, created_at, finished_at)
                 VALUES {}",
                tuples(1, chunk.len(), 13)
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(for_backend(tx, sql)));
            for l in chunk {
                q = q
                    .bind(&l.id)
                    .bind(workspace_id)
                    .bind(&l.message_id)
                    .bind(&l.rule_id)
                    .bind(&l.rule_name)
                    .bind(l.action)
                    .bind(l.detail.as_deref())
                    .bind(l.previous.as_deref())
                    .bind(&l.actor_label)
                    .bind(l.outcome)
                    .bind(l.error)
                    .bind(now)
                    .bind((l.outcome != "pending").then_some(now));
            }
            q.execute(&mut **tx).await?;
        }
        let jobs: Vec<NewJob> = self
            .network_jobs
            .iter()
            .map(|log_id| NewJob {
                kind: MODERATION_JOB.into(),
                payload: serde_json::json!({ "log": log_id }),
                run_at: now,
                unique_key: Some(format!("{MODERATION_JOB}:{log_id}")),
                max_attempts: 8,
            })
            .collect();
        insert_jobs(tx, &jobs).await?;
        insert_replies(tx, &self.replies, ReplyPurpose::AutoReply, now).await?;
        for chunk in self.notes.chunks(rows_per_statement(9)) {
            insert_notifications(tx, chunk).await?;
        }
        Ok(())
    }
}
