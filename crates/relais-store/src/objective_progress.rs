//! What an objective's KPI measured so far: the observations `Objective::assess` judges by, each
//! one "the KPI for the period up to that day", computed by the KPI module from the numbers read
//! here. A KPI Relais has no data for yet says why instead of pretending to be zero.

use crate::VoiceHour;
use crate::{ObjectiveRecord, Result, Store};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::campaign_results::Totals;
use relais_core::care_figures::{MessageFacts, figures};
use relais_core::kpi::engagement::EngagementBasis;
use relais_core::kpi::{Figure, Kpi, Objective, Observation, Period, Scope, audience, care, listening, publishing};

/// Why an objective's KPI has no observations to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmeasured {
    /// CTR, CPC, CPA, ROAS: the campaigns' results are in another currency than the target's,
    /// or in several (Relais does not convert).
    CampaignCurrency,
    /// Share of voice: no listening query is marked as the brand's, or none as a competitor's.
    Competitors,
}

impl Unmeasured {
    /// A stable key for translations and the API.
    pub fn key(self) -> &'static str {
        match self {
            Unmeasured::CampaignCurrency => "campaign-currency",
            Unmeasured::Competitors => "competitors",
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

/// Mentions of the brand and of each competitor, summed over hours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoiceCounts {
    pub brand: u64,
    /// By competitor name, sorted.
    pub competitors: std::collections::BTreeMap<String, u64>,
}

impl VoiceCounts {
    pub fn of<'a>(hours: impl IntoIterator<Item = &'a VoiceHour>) -> VoiceCounts {
        let mut counts = VoiceCounts::default();
        for h in hours {
            match h.voice.competitor() {
                None => counts.brand += h.mentions,
                Some(name) => *counts.competitors.entry(name.to_string()).or_default() += h.mentions,
            }
        }
        counts
    }

    pub fn share_of_voice(&self) -> Figure {
        let competitors: Vec<u64> = self.competitors.values().copied().collect();
        listening::share_of_voice(self.brand, &competitors)
    }
}

fn observation(date: Date, figure: Figure) -> Option<Observation> {
    figure.number().map(|value| Observation { date, value })
}

impl Store {
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
                self.follower_observations(ws, objective.kpi(), objective.scope(), period.first(), last).await.map(Measured::Observations)
            }
            Kpi::ResponseRate | Kpi::ResponseTimeMedian | Kpi::ResponseTimeP90 => {
                let accounts = self.metric_scope_accounts(ws, objective.scope()).await?;
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
                self.paid_observations(ws, objective, period.first(), last).await
            }
            Kpi::ShareOfVoice => {
                if !self.tracked_voices(ws).await?.measurable() {
                    return Ok(Measured::Unmeasured(Unmeasured::Competitors));
                }
                let network = match objective.scope() {
                    Scope::Network(n) => Some(n.as_str()),
                    _ => None,
                };
                let hours = self.voice_mentions(ws, network, from, to).await?;
                let mut seen = vec![];
                for day in checkpoints(period.first(), last) {
                    let Some(upto) = end_of(day, &zone) else { continue };
                    let so_far = VoiceCounts::of(hours.iter().filter(|h| h.hour_ms < upto));
                    seen.extend(observation(day, so_far.share_of_voice()));
                }
                Ok(Measured::Observations(seen))
            }
            Kpi::Reach | Kpi::EngagementRateByReach | Kpi::EngagementRateByImpressions | Kpi::EngagementRateByFollowers => {
                let mut seen = vec![];
                for day in checkpoints(period.first(), last) {
                    let Ok(so_far) = Period::new(period.first(), day) else { continue };
                    let totals = self.post_totals(ws, objective.scope(), &so_far).await?;
                    let figure = match objective.kpi() {
                        Kpi::Reach => match totals.reach {
                            Some(reach) => Figure::from_number(Kpi::Reach, reach as f64, None),
                            None => None,
                        },
                        Kpi::EngagementRateByReach => Some(totals.rate_sums(EngagementBasis::Reach).rate(EngagementBasis::Reach)),
                        Kpi::EngagementRateByImpressions => {
                            Some(totals.rate_sums(EngagementBasis::Impressions).rate(EngagementBasis::Impressions))
                        }
                        _ => Some(totals.rate_sums(EngagementBasis::Followers).rate(EngagementBasis::Followers)),
                    };
                    seen.extend(figure.and_then(|f| observation(day, f)));
                }
                Ok(Measured::Observations(seen))
            }
            // Not an objective of its own (the domain refuses it).
            Kpi::ObjectiveAttainment => Ok(Measured::Observations(vec![])),
        }
    }

    /// CTR, CPC, CPA or ROAS of the campaign (or of every campaign of the workspace) from the
    /// period's first day to each checkpoint, from the days of results imported so far.
    async fn paid_observations(&self, ws: &str, objective: &Objective, first: Date, last: Date) -> Result<Measured> {
        let days = self.scope_campaign_results(ws, objective.scope(), first, last).await?;
        let mut currencies: Vec<_> = days.iter().map(|d| d.currency).collect();
        currencies.sort();
        currencies.dedup();
        let currency = match (currencies.as_slice(), objective.target().currency()) {
            ([], _) => return Ok(Measured::Observations(vec![])),
            ([one], None) => *one,
            ([one], Some(target)) if *one == target => *one,
            _ => return Ok(Measured::Unmeasured(Unmeasured::CampaignCurrency)),
        };
        let index = match objective.kpi() {
            Kpi::ClickThroughRate => 0,
            Kpi::CostPerClick => 1,
            Kpi::CostPerAcquisition => 2,
            _ => 3,
        };
        let mut seen = vec![];
        for day in checkpoints(first, last) {
            let so_far = Totals::of(days.iter().map(|d| &d.result).filter(|r| r.day <= day));
            seen.extend(observation(day, so_far.kpis(currency)[index]));
        }
        Ok(Measured::Observations(seen))
    }

    /// Follower growth (or its rate) from the period's first day to each day up to `last`, from
    /// the account day rollups: the followers at the end of each day against those at the end of
    /// the day before the period (an account first measured later counts at its first value).
    async fn follower_observations(&self, ws: &str, kpi: Kpi, scope: &Scope, first: Date, last: Date) -> Result<Vec<Observation>> {
        let eve = first.yesterday().unwrap_or(first);
        let Ok(with_eve) = Period::new(eve, last) else { return Ok(vec![]) };
        let days = self.audience_by_day(ws, scope, &with_eve).await?;
        let Some(start) = days.first().map(|d| d.followers.max(0) as u64) else { return Ok(vec![]) };
        Ok(days
            .iter()
            .filter(|d| d.day >= first)
            .filter_map(|d| {
                let end = d.followers.max(0) as u64;
                let figure = if kpi == Kpi::FollowerGrowth {
                    audience::follower_growth(start, end)
                } else {
                    audience::follower_growth_rate(start, end)
                };
                observation(d.day, figure)
            })
            .collect())
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
