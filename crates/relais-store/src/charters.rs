//! The brand charter of a workspace: its rules as JSON, its tone notes as text.

use std::collections::BTreeMap;

use crate::{Result, Store, StoreError};
use relais_core::brand_charter::{BrandCharter, NetworkRules};
use relais_core::now_ms;
use relais_core::text_rules::Charter;
use serde::{Deserialize, Serialize};

/// What `charters.rules` holds. Fields added later must default, so older rows still read.
#[derive(Serialize, Deserialize, Default)]
struct Rules {
    #[serde(default)]
    words_to_avoid: Vec<String>,
    #[serde(default)]
    mandatory: Vec<String>,
    #[serde(default)]
    max_hashtags: Option<usize>,
    #[serde(default)]
    per_network: BTreeMap<String, NetworkRules>,
}

impl Store {
    /// The workspace's charter; an empty one when none was saved yet.
    pub async fn charter(&self, workspace_id: &str) -> Result<BrandCharter> {
        let row: Option<(String, String)> = sqlx::query_as("SELECT rules, tone_notes FROM charters WHERE workspace_id = $1")
            .bind(workspace_id)
            .fetch_optional(self.pool())
            .await?;
        let Some((rules, tone_notes)) = row else { return Ok(BrandCharter::default()) };
        let rules: Rules =
            serde_json::from_str(&rules).map_err(|e| StoreError::Conflict(format!("the saved brand charter is unreadable: {e}")))?;
        Ok(BrandCharter {
            base: Charter {
                words_to_avoid: rules.words_to_avoid,
                mandatory: rules.mandatory,
                max_hashtags: rules.max_hashtags,
                tone_notes,
            },
            per_network: rules.per_network,
        })
    }

    /// Replaces the workspace's charter. The caller normalises it first
    /// ([`BrandCharter::normalised`]).
    pub async fn save_charter(&self, workspace_id: &str, charter: &BrandCharter) -> Result<()> {
        let rules = Rules {
            words_to_avoid: charter.base.words_to_avoid.clone(),
            mandatory: charter.base.mandatory.clone(),
            max_hashtags: charter.base.max_hashtags,
            per_network: charter.per_network.clone(),
        };
        let rules = serde_json::to_string(&rules).map_err(|e| StoreError::Conflict(format!("cannot write the brand charter: {e}")))?;
        sqlx::query(
            "INSERT INTO charters (workspace_id, rules, tone_notes, updated_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (workspace_id) DO UPDATE SET rules = excluded.rules, tone_notes = excluded.tone_notes, updated_at = excluded.updated_at",
        )
        .bind(workspace_id)
        .bind(rules)
        .bind(&charter.base.tone_notes)
        .bind(now_ms())
        .execute(self.writer())
        .await?;
        Ok(())
    }
}
