//! The mentions share of voice counts: posts found by listening queries marked as the brand's or
//! a competitor's, per name and UTC hour. Hours keep the rows few (names × hours, whatever the
//! number of posts) and let the caller cut days in the workspace's zone.

use crate::{Result, Store};
use relais_core::kpi::listening::Voice;

/// Mentions of one name in one hour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoiceHour {
    pub voice: Voice,
    /// The hour's start, epoch ms (UTC).
    pub hour_ms: i64,
    /// Distinct posts: one found by two queries of the same name counts once.
    pub mentions: u64,
}

/// Which names the workspace tracks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrackedVoices {
    pub brand_queries: usize,
    /// Competitors' names, sorted, each once.
    pub competitors: Vec<String>,
}

impl TrackedVoices {
    /// Share of voice needs the brand and at least one competitor.
    pub fn measurable(&self) -> bool {
        self.brand_queries > 0 && !self.competitors.is_empty()
    }
}

const HOUR_MS: i64 = 3_600_000;

impl Store {
    /// The names the workspace's listening queries track.
    pub async fn tracked_voices(&self, workspace_id: &str) -> Result<TrackedVoices> {
        let rows: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT voice, competitor FROM listening_queries WHERE workspace_id = $1 AND voice IS NOT NULL")
                .bind(workspace_id)
                .fetch_all(self.pool())
                .await?;
        let mut tracked = TrackedVoices::default();
        for (voice, competitor) in rows {
            match Voice::parse(&voice, competitor.as_deref().unwrap_or("")) {
                Ok(Some(Voice::Brand)) => tracked.brand_queries += 1,
                Ok(Some(Voice::Competitor(name))) => tracked.competitors.push(name.as_str().to_string()),
                _ => {}
            }
        }
        tracked.competitors.sort();
        tracked.competitors.dedup();
        Ok(tracked)
    }

    /// Mentions per name and hour of posts posted in `[from, to)` (epoch ms), on `network` only
    /// when given.
    pub async fn voice_mentions(&self, workspace_id: &str, network: Option<&str>, from: i64, to: i64) -> Result<Vec<VoiceHour>> {
        let on_network = if network.is_some() { " AND h.network = $4" } else { "" };
        let sql = format!(
            "SELECT q.voice, COALESCE(q.competitor, ''), h.posted_at / {HOUR_MS}, COUNT(DISTINCT h.network || ':' || h.remote_id)
               FROM listening_hits h JOIN listening_queries q ON q.id = h.query_id
              WHERE h.workspace_id = $1 AND q.voice IS NOT NULL AND h.posted_at >= $2 AND h.posted_at < $3{on_network}
              GROUP BY q.voice, COALESCE(q.competitor, ''), h.posted_at / {HOUR_MS}"
        );
        let mut q = sqlx::query_as::<_, (String, String, i64, i64)>(sqlx::AssertSqlSafe(sql)).bind(workspace_id).bind(from).bind(to);
        if let Some(n) = network {
            q = q.bind(n.to_string());
        }
        let rows = q.fetch_all(self.pool()).await?;
        let mut out: Vec<VoiceHour> = rows
            .into_iter()
            .filter_map(|(voice, competitor, hour, mentions)| {
                Some(VoiceHour {
                    voice: Voice::parse(&voice, &competitor).ok()??,
                    hour_ms: hour * HOUR_MS,
                    mentions: mentions.max(0) as u64,
                })
            })
            .collect();
        out.sort_by_key(|v| v.hour_ms);
        Ok(out)
    }
}
