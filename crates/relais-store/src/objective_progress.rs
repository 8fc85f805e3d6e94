//! What an objective's KPI measured so far: the observations `Objective::assess` judges by, each
//! one "the KPI for the period up to that day", computed by the KPI module from the numbers read
//! here. A KPI Relais has no data for yet says why instead of pretending to be zero.

use crate::{ObjectiveRecord, Result, Store};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::care_figures::{MessageFacts, figures};
use relais_core::kpi::{Figure, Kpi, Objective, Observation, Period, Scope, audience, care, publishing};

/// Why an objective's KPI has no observations to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmeasured {
    /// CTR, CPC, CPA, ROAS: paid campaigns' spend and results are not imported yet.
    CampaignResults,
    /// Share of voice: listening has no competitor queries yet.
    Competitors,
    /// Engagement rates and reach are read from the post metric rollups, not wired to
    /// objectives yet.
    PostMetrics,
}

impl Unmeasured {
    /// A stable key for translations and the API.
    pub fn key(self) -> &'static str {
        match self {
            Unmeasured::CampaignResults => "campaign-results",
            Unmeasured::Competitors => "competitors",
            Unmeasured::PostMetrics => "post-metrics",
        }
    }
}

/// The KPI's observations, or why there are none.
#[derive(Debug, Clone, PartialEq)]
pub enum Measured {
    Observations(Vec<Observation>),
    Unmeasured(Unmeasured),
}

/// Days on which a level KPI is observed: every seventh day from the first, and the last.
fn checkpoints(first: Date, last: Date) -> Vec<Date> {
    let mut days = vec![];
    let mut day = first;
    while day < last {
        days.push(day);
        day = match day.checked_add(7.days()) {
            Ok(d) => d,
            Err(_) => break,
        };
    }
    days.push(last);
    days
}

/// The instant a day of `zone` ends (the next day's midnight), in epoch ms.
fn end_of(day: Date, zone: &TimeZone) -> Option<i64> {
    Some(day.checked_add(1.day()).ok()?.to_zoned(zone.clone()).ok()?.timestamp().as_millisecond())
}

fn start_of(day: Date, zone: &TimeZone) -> Option<i64> {
    Some(day.to_zoned(zone.clone()).ok()?.timestamp().as_millisecond())
}

fn observation(date: Date, figure: Figure) -> Option<Observation> {
    figure.number().map(|value| Observation { date, value })
}

impl Store {
    /// The ids of the workspace's accounts an objective's scope covers (all of them for the
    /// workspace, those of a network, or the one account).
    async fn scope_accounts(&self, workspace_id: &str, scope: &Scope) -> Result<Vec<String>> {
        let accounts = self.social_accounts(workspace_id).await?;
        Ok(accounts
            .into_iter()
            .filter(|a| match scope {
                Scope::Network(n) => &a.network == n,
                Scope::Account(id) => &a.id == id,
                _ => true,
            })
            .map(|a| a.id)
            .collect())
    }

    /// What `objective`'s KPI measured from its first day to `today` (in the workspace's zone).
    pub async fn objective_observations(
        &self,
        record: &ObjectiveRecord,
        objective: &Objective,
        time_zone: &str,
        today: Date,
    ) -> Result<Measured> {
        let zone = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
        let period = objective.period();
        if today < period.first() {
            return Ok(Measured::Observations(vec![]));
        }
        let last = today.min(period.last());
        let ws = &record.workspace_id;
        let (Some(from), Some(to)) = (start_of(period.first(), &zone), end_of(last, &zone)) else {
            return Ok(Measured::Observations(vec![]));
        };
        match objective.kpi() {
            Kpi::FollowerGrowth | Kpi::FollowerGrowthRate => {
                let accounts = self.scope_accounts(ws, objective.scope()).await?;
                self.follower_observations(objective.kpi(), &accounts, period.first(), last, &zone).await.map(Measured::Observations)
            }
            Kpi::ResponseRate | Kpi::ResponseTimeMedian | Kpi::ResponseTimeP90 => {
                let accounts = self.scope_accounts(ws, objective.scope()).await?;
                let facts = self.care_facts(ws, from, to).await?;
                let settings = self.care_settings(ws).await?;
                let hours = settings.hours(time_zone);
                let mine: Vec<&MessageFacts> = facts.messages.iter().filter(|m| accounts.contains(&m.account_id)).collect();
                let mut seen = vec![];
                for day in checkpoints(period.first(), last) {
                    let Some(upto) = end_of(day, &zone) else { continue };
                    let so_far = figures(mine.iter().copied().filter(|m| m.received_at < upto), &[], |a, b| hours.business_ms(a, b));
                    let figure = match objective.kpi() {
                        Kpi::ResponseRate => care::response_rate(&so_far),
                        Kpi::ResponseTimeMedian => care::response_time_median(&so_far),
                        _ => care::response_time_p90(&so_far),
                    };
                    seen.extend(observation(day, figure));
                }
                Ok(Measured::Observations(seen))
            }
            Kpi::PostingFrequency => {
                let published = self.published_times_in_scope(ws, objective.scope(), from, to).await?;
                let mut seen = vec![];
                for day in checkpoints(period.first(), last) {
                    let Some(upto) = end_of(day, &zone) else { continue };
                    let Ok(so_far) = Period::new(period.first(), day) else { continue };
                    let posts = published.iter().filter(|at| **at < upto).count() as u64;
                    seen.extend(observation(day, publishing::posting_frequency(posts, &so_far)));
                }
                Ok(Measured::Observations(seen))
            }
            Kpi::ClickThroughRate | Kpi::CostPerClick | Kpi::CostPerAcquisition | Kpi::ReturnOnAdSpend => {
                Ok(Measured::Unmeasured(Unmeasured::CampaignResults))
            }
            Kpi::ShareOfVoice => Ok(Measured::Unmeasured(Unmeasured::Competitors)),
            Kpi::Reach
            | Kpi::EngagementRateByReach
            | Kpi::EngagementRateByImpressions
            | Kpi::EngagementRateByFollowers
            | Kpi::ObjectiveAttainment => Ok(Measured::Unmeasured(Unmeasured::PostMetrics)),
        }
    }

    /// Follower growth (or its rate) from the period's first day to each day up to `last`:
    /// the accounts' followers at the end of the day (their latest sample by then) against the
    /// same at the start (the latest sample before the first day, or the first one in it).
    async fn follower_observations(
        &self,
        kpi: Kpi,
        accounts: &[String],
        first: Date,
        last: Date,
        zone: &TimeZone,
    ) -> Result<Vec<Observation>> {
        let (Some(from), Some(to)) = (start_of(first, zone), end_of(last, zone)) else { return Ok(vec![]) };
        // Per account, (taken_at, followers) oldest first, from the last sample before the period.
        let mut series: Vec<Vec<(i64, i64)>> = vec![];
        for account in accounts {
            let before: Option<(i64, i64)> = sqlx::query_as(
                "SELECT taken_at, followers FROM account_metric_samples WHERE account_id = $1 AND taken_at < $2
                 ORDER BY taken_at DESC LIMIT 1",
            )
            .bind(account)
            .bind(from)
            .fetch_optional(self.pool())
            .await?;
            let during: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT taken_at, followers FROM account_metric_samples WHERE account_id = $1 AND taken_at >= $2 AND taken_at < $3
                 ORDER BY taken_at",
            )
            .bind(account)
            .bind(from)
            .bind(to)
            .fetch_all(self.pool())
            .await?;
            series.push(before.into_iter().chain(during).collect());
        }
        let count = |n: i64| n.max(0) as u64;
        let start: u64 = series.iter().filter_map(|s| s.first()).map(|s| count(s.1)).sum();
        let first_sample = series.iter().filter_map(|s| s.first()).map(|s| s.0).min();
        let mut seen = vec![];
        let mut day = first;
        while day <= last {
            let Some(upto) = end_of(day, zone) else { break };
            // A day before any sample says nothing yet.
            if first_sample.is_some_and(|at| at < upto) {
                let end: u64 = series
                    .iter()
                    // An account not measured yet by then counts at its start.
                    .filter_map(|s| s[..s.partition_point(|(at, _)| *at < upto)].last().or(s.first()))
                    .map(|s| count(s.1))
                    .sum();
                let figure = if kpi == Kpi::FollowerGrowth {
                    audience::follower_growth(start, end)
                } else {
                    audience::follower_growth_rate(start, end)
                };
                seen.extend(observation(day, figure));
            }
            day = match day.checked_add(1.day()) {
                Ok(d) => d,
                Err(_) => break,
            };
        }
        Ok(seen)
    }

    /// When the scope's variants were published in `[from, to)`: one time per post (its first
    /// published variant), so a post on three accounts counts once.
    async fn published_times_in_scope(&self, workspace_id: &str, scope: &Scope, from: i64, to: i64) -> Result<Vec<i64>> {
        let (condition, value): (&str, Option<String>) = match scope {
            Scope::Workspace => ("", None),
            Scope::Network(n) => (" AND a.network = $4", Some(n.clone())),
            Scope::Account(id) => (" AND v.account_id = $4", Some(id.clone())),
            Scope::Pillar(id) => (" AND p.pillar = (SELECT name FROM pillars WHERE id = $4)", Some(id.clone())),
            Scope::Campaign(id) => (" AND p.campaign = (SELECT name FROM campaigns WHERE id = $4)", Some(id.clone())),
        };
        let sql = format!(
            "SELECT MIN(v.published_at) FROM post_variants v JOIN posts p ON p.id = v.post_id JOIN social_accounts a ON a.id = v.account_id
             WHERE p.workspace_id = $1 AND v.published_at >= $2 AND v.published_at < $3{condition} GROUP BY p.id"
        );
        let mut q = sqlx::query_scalar::<_, Option<i64>>(sqlx::AssertSqlSafe(sql)).bind(workspace_id).bind(from).bind(to);
        if let Some(v) = value {
            q = q.bind(v);
        }
        Ok(q.fetch_all(self.pool()).await?.into_iter().flatten().collect())
    }
}
