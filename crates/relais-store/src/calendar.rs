//! The editorial calendar's reads: the posts of a period (or those without a date) with their
//! target accounts, filtered by account, network, pillar, campaign and status.

use crate::posts::{POST_COLUMNS, Post};
use crate::{Result, Store};
use relais_core::workflow::PostState;
use sqlx::FromRow;
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct CalendarFilter {
    pub account_id: Option<String>,
    pub network: Option<String>,
    pub pillar: Option<String>,
    pub campaign: Option<String>,
    /// Only these states; empty means all.
    pub states: Vec<PostState>,
}

/// Which posts of the workspace: those planned in `[from, to)` (epoch ms), or those with no time.
#[derive(Debug, Clone, Copy)]
pub enum When {
    Between(i64, i64),
    Unplanned,
}

/// One account a post goes to, as the calendar shows it.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct Target {
    pub post_id: String,
    pub account_id: String,
    pub network: String,
    pub handle: String,
    /// The variant's state: pending, publishing, published or failed.
    pub state: String,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct CalendarEntry {
    pub post: Post,
    pub targets: Vec<Target>,
}

/// The shared WHERE clause and its values, numbered from `$1`.
fn conditions(workspace_id: &str, when: When, f: &CalendarFilter) -> (String, Vec<Value>) {
    let mut sql = vec!["p.workspace_id = $1".to_string()];
    let mut args = vec![Value::Text(workspace_id.into())];
    let mut push = |clause: &str, v: Value, args: &mut Vec<Value>| {
        args.push(v);
        sql.push(clause.replace('?', &format!("${}", args.len())));
    };
    match when {
        When::Between(from, to) => {
            push("p.scheduled_at >= ?", Value::Int(from), &mut args);
            push("p.scheduled_at < ?", Value::Int(to), &mut args);
        }
        When::Unplanned => push("p.scheduled_at IS NULL AND p.state <> ?", Value::Text("cancelled".into()), &mut args),
    }
    if let Some(a) = &f.account_id {
        push("EXISTS (SELECT 1 FROM post_variants v WHERE v.post_id = p.id AND v.account_id = ?)", Value::Text(a.clone()), &mut args);
    }
    if let Some(n) = &f.network {
        push(
            "EXISTS (SELECT 1 FROM post_variants v JOIN social_accounts a ON a.id = v.account_id WHERE v.post_id = p.id AND a.network = ?)",
            Value::Text(n.clone()),
            &mut args,
        );
    }
    if let Some(x) = &f.pillar {
        push("p.pillar = ?", Value::Text(x.clone()), &mut args);
    }
    if let Some(x) = &f.campaign {
        push("p.campaign = ?", Value::Text(x.clone()), &mut args);
    }
    if !f.states.is_empty() {
        let first = args.len() + 1;
        for s in &f.states {
            args.push(Value::Text(s.as_str().into()));
        }
        sql.push(format!("p.state IN ({})", crate::sql::params(first, f.states.len())));
    }
    (sql.join(" AND "), args)
}

#[derive(Debug, Clone)]
enum Value {
    Text(String),
    Int(i64),
}

fn bind_all<'q, O>(
    mut q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    args: &'q [Value],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    for a in args {
        q = match a {
            Value::Text(s) => q.bind(s.as_str()),
            Value::Int(i) => q.bind(*i),
        };
    }
    q
}

impl Store {
    /// The posts of the workspace planned in a period (or unplanned), oldest first, with their
    /// targets. Two reads whatever the number of posts.
    pub async fn calendar(&self, workspace_id: &str, when: When, filter: &CalendarFilter) -> Result<Vec<CalendarEntry>> {
        let (cond, args) = conditions(workspace_id, when, filter);
        let columns = POST_COLUMNS.split(", ").map(|c| format!("p.{}", c.trim())).collect::<Vec<_>>().join(", ");
        let order = match when {
            When::Between(..) => "p.scheduled_at, p.id",
            When::Unplanned => "p.created_at DESC, p.id",
        };
        let sql = format!("SELECT {columns} FROM posts p WHERE {cond} ORDER BY {order} LIMIT 2000");
        let rows: Vec<crate::posts::PostRow> = bind_all(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(self.pool()).await?;
        if rows.is_empty() {
            return Ok(vec![]);
        }
        let sql = format!(
            "SELECT v.post_id, v.account_id, a.network, a.handle, v.state, v.text
             FROM post_variants v JOIN social_accounts a ON a.id = v.account_id
             WHERE v.post_id IN (SELECT p.id FROM posts p WHERE {cond}) ORDER BY a.network, a.handle"
        );
        let targets: Vec<Target> = bind_all(sqlx::query_as(sqlx::AssertSqlSafe(sql)), &args).fetch_all(self.pool()).await?;
        let mut by_post: HashMap<String, Vec<Target>> = HashMap::new();
        for t in targets {
            by_post.entry(t.post_id.clone()).or_default().push(t);
        }
        rows.into_iter()
            .map(|r| {
                let post: Post = r.try_into()?;
                let targets = by_post.remove(&post.id).unwrap_or_default();
                Ok(CalendarEntry { post, targets })
            })
            .collect()
    }

    /// The distinct pillars and campaigns used on the workspace's posts, for the filters.
    pub async fn labels_in_use(&self, workspace_id: &str) -> Result<(Vec<String>, Vec<String>)> {
        let pillars =
            sqlx::query_scalar("SELECT DISTINCT pillar FROM posts WHERE workspace_id = $1 AND pillar IS NOT NULL ORDER BY pillar")
                .bind(workspace_id)
                .fetch_all(self.pool())
                .await?;
        let campaigns =
            sqlx::query_scalar("SELECT DISTINCT campaign FROM posts WHERE workspace_id = $1 AND campaign IS NOT NULL ORDER BY campaign")
                .bind(workspace_id)
                .fetch_all(self.pool())
                .await?;
        Ok((pillars, campaigns))
    }
}
