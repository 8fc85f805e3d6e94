//! The facts behind the customer-care figures of a period: one row per message received (only
//! the columns the figures need) and the satisfaction scores given. The maths is relais-core's
//! (`care_figures`).

use crate::{Result, Store};
use relais_core::care_figures::MessageFacts;
use relais_core::kpi::Scope;

/// What a period's figures are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CareFacts {
    /// Messages written in the period (`created_at`), rating answers to a survey excluded.
    pub messages: Vec<MessageFacts>,
    /// Scores given in the period: (account, first responder of the surveyed message, score).
    pub scores: Vec<(String, Option<String>, i64)>,
}

#[derive(sqlx::FromRow)]
struct FactRow {
    account_id: String,
    created_at: i64,
    first_response_at: Option<i64>,
    resolved_at: Option<i64>,
    first_responder_id: Option<String>,
    resolved_by: Option<String>,
}

impl Store {
    /// The facts of the workspace's messages written in `[from, to)` (epoch ms).
    pub async fn care_facts(&self, workspace_id: &str, from: i64, to: i64) -> Result<CareFacts> {
        let rows: Vec<FactRow> = sqlx::query_as(
            "SELECT m.account_id, m.created_at, m.first_response_at, m.resolved_at, m.first_responder_id, m.resolved_by
             FROM inbox_messages m
             WHERE m.workspace_id = $1 AND m.created_at >= $2 AND m.created_at < $3
               AND NOT EXISTS (SELECT 1 FROM satisfaction_surveys s WHERE s.answer_message_id = m.id AND s.score IS NOT NULL)",
        )
        .bind(workspace_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        let messages = rows
            .into_iter()
            .map(|r| MessageFacts {
                account_id: r.account_id,
                received_at: r.created_at,
                first_response_at: r.first_response_at,
                resolved_at: r.resolved_at,
                first_responder_id: r.first_responder_id,
                resolved_by: r.resolved_by,
            })
            .collect();
        let scores = sqlx::query_as(
            "SELECT m.account_id, m.first_responder_id, s.score FROM satisfaction_surveys s JOIN inbox_messages m ON m.id = s.message_id
             WHERE s.workspace_id = $1 AND s.score IS NOT NULL AND s.answered_at >= $2 AND s.answered_at < $3",
        )
        .bind(workspace_id)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        Ok(CareFacts { messages, scores })
    }

    /// The facts of the scope's messages written in `[from, to)`: the workspace's, a network's
    /// accounts' or one account's. `None` for a pillar or a campaign: only replies and quotes
    /// point at a post, while mentions and direct messages (most of the care work) belong to an
    /// account only, so figures for a pillar would silently measure something narrower.
    pub async fn scope_care_facts(&self, workspace_id: &str, scope: &Scope, from: i64, to: i64) -> Result<Option<CareFacts>> {
        if matches!(scope, Scope::Pillar(_) | Scope::Campaign(_)) {
            return Ok(None);
        }
        let mut facts = self.care_facts(workspace_id, from, to).await?;
        if !matches!(scope, Scope::Workspace) {
            let accounts = self.metric_scope_accounts(workspace_id, scope).await?;
            facts.messages.retain(|m| accounts.contains(&m.account_id));
            facts.scores.retain(|s| accounts.contains(&s.0));
        }
        Ok(Some(facts))
    }
}
