//! The analytics of a period and a scope, as data: what the page, the CSV and XLSX exports, the
//! PDF report and the JSON API all show, read once from the rollups so they never disagree.
//! Every figure comes from `relais_core::kpi`; this module only picks the numbers.

use super::care::period_figures;
use super::objectives::{Standing, scope_of, standings};
use jiff::ToSpan;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use relais_core::ValidationError;
use relais_core::campaign_results::Totals;
use relais_core::kpi::care::{CareFigures, response_rate, response_time_median};
use relais_core::kpi::engagement::EngagementBasis;
use relais_core::kpi::publishing::{BestTimes, posting_frequency};
use relais_core::kpi::{Comparison, Figure, Money, Period, Scope, audience};
use relais_core::recurrence::parse_date;
use relais_reports::HeatCell;
use relais_store::{AudienceDay, PeriodNumbers, PostPerformance, RankedBy, Ranking, Store, StoreError, Workspace};
use serde::Deserialize;

/// How many posts the top and flop lists show.
pub const RANKED: i64 = 5;

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD&scope=…&lang=fr|en`, every part optional.
#[derive(Deserialize, Default, Clone)]
pub struct AnalyticsQuery {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    /// `workspace`, `network:KEY`, `account:ID`, `pillar:ID`, `campaign:ID`.
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub lang: Option<String>,
}

/// The period and scope asked for, checked.
#[derive(Clone)]
pub struct Selection {
    pub period: Period,
    pub scope: Scope,
    /// The scope as the picker writes it (the commentary's key too).
    pub scope_key: String,
    pub zone: TimeZone,
}

impl Selection {
    /// The query's period (default: the 30 days ending today in the workspace's zone) and scope
    /// (default: the whole workspace). Errors name the field at fault.
    pub fn of(q: &AnalyticsQuery, time_zone: &str) -> Result<Selection, ValidationError> {
        let zone = TimeZone::get(time_zone).unwrap_or(TimeZone::UTC);
        let today = jiff::Timestamp::now().to_zoned(zone.clone()).date();
        let blank = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let last = match blank(&q.to) {
            Some(s) => parse_date("to", &s)?,
            None => today,
        };
        let first = match blank(&q.from) {
            Some(s) => parse_date("from", &s)?,
            None => last.checked_sub(29.days()).unwrap_or(last),
        };
        let period = Period::new(first, last).map_err(|mut e| {
            e.field = "to";
            e
        })?;
        let scope_key = blank(&q.scope).unwrap_or_else(|| "workspace".into());
        let scope = scope_of(&scope_key)?;
        Ok(Selection { period, scope, scope_key, zone })
    }

    pub fn first_day(&self) -> String {
        self.period.first().to_string()
    }

    pub fn last_day(&self) -> String {
        self.period.last().to_string()
    }

    /// `from=…&to=…&scope=…` for links to the exports.
    pub fn query(&self) -> String {
        format!("from={}&to={}&scope={}", self.first_day(), self.last_day(), url_escape(&self.scope_key))
    }
}

fn url_escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A KPI of the period and, when there is a previous period with the figure, the comparison.
#[derive(Clone, Copy)]
pub struct Line {
    pub current: Figure,
    pub comparison: Option<Comparison>,
}

impl Line {
    fn of(current: Figure, previous: Option<Figure>) -> Line {
        Line { current, comparison: previous.map(|p| Comparison::of(current, p)) }
    }
}

/// Everything the analytics of a period and scope show.
pub struct Dashboard {
    pub sel: Selection,
    pub numbers: PeriodNumbers,
    pub previous: Option<PeriodNumbers>,
    /// The engagement rate's base: the first that the scope's networks report, impressions
    /// before reach before followers (impressions are what most networks give).
    pub basis: EngagementBasis,
    pub growth: Option<Line>,
    pub growth_rate: Option<Line>,
    pub engagement_rate: Line,
    pub frequency: Line,
    /// `None` where care does not apply: pillars and campaigns (see `Store::scope_care_facts`).
    pub response_rate: Option<Line>,
    pub response_time: Option<Line>,
    pub care: Option<CareFigures>,
    pub followers_by_day: Vec<AudienceDay>,
    pub followers_previous: Vec<AudienceDay>,
    /// Engagements drawn so far by the posts published each day of the period.
    pub engagement_by_day: Vec<(Date, u64)>,
    /// Publications per pillar (name) in the period, among the scope's posts.
    pub pillar_posts: Vec<(String, u64)>,
    pub best_times: BestTimes,
    pub top: Vec<PostPerformance>,
    pub flop: Vec<PostPerformance>,
    /// The objectives set on this very scope.
    pub objectives: Vec<Standing>,
    /// A campaign scope's paid results; `None` for other scopes.
    pub paid: Option<Paid>,
}

/// A campaign's paid results over the period, from the ad manager's days imported for it.
pub struct Paid {
    pub budget: Option<Money>,
    pub spend: Money,
    pub spend_before: Option<Money>,
    /// CTR, CPC, CPA and ROAS against the period before.
    pub kpis: Vec<Line>,
}

/// The paid results of a campaign scope.
async fn paid_of(store: &Store, ws: &Workspace, sel: &Selection) -> Result<Option<Paid>, StoreError> {
    let Scope::Campaign(id) = &sel.scope else { return Ok(None) };
    let campaign = store.campaign(&ws.id, id).await?;
    let currency = campaign.currency();
    let totals = |p: Period| async move {
        let days = store.scope_campaign_results(&ws.id, &sel.scope, p.first(), p.last()).await?;
        Ok::<_, StoreError>(Totals::of(days.iter().map(|d| &d.result)))
    };
    let now = totals(sel.period).await?;
    let before = match sel.period.previous() {
        Some(p) => Some(totals(p).await?),
        None => None,
    };
    let previous = before.as_ref().map(|b| b.kpis(currency));
    Ok(Some(Paid {
        budget: campaign.plan().budget,
        spend: Money::new(now.spend_cents, currency),
        spend_before: before.as_ref().map(|b| Money::new(b.spend_cents, currency)),
        kpis: now.kpis(currency).into_iter().enumerate().map(|(i, f)| Line::of(f, previous.map(|p| p[i]))).collect(),
    }))
}

/// Whether the scope's ids belong to the workspace: another workspace's account, pillar or
/// campaign is answered as not found.
pub async fn check_scope(store: &Store, workspace_id: &str, scope: &Scope) -> Result<(), StoreError> {
    let known = match scope {
        Scope::Workspace | Scope::Network(_) => true,
        Scope::Account(id) => store.social_accounts(workspace_id).await?.iter().any(|a| &a.id == id),
        Scope::Pillar(id) => store.pillar_ids(workspace_id).await?.iter().any(|p| &p.0 == id),
        Scope::Campaign(id) => store.campaign_ids(workspace_id).await?.iter().any(|c| &c.0 == id),
    };
    if known { Ok(()) } else { Err(StoreError::NotFound("scope")) }
}

fn growth(n: &PeriodNumbers) -> Option<(Figure, Figure)> {
    let (start, end) = (n.followers_start?, n.followers_end?);
    let (start, end) = (start.max(0) as u64, end.max(0) as u64);
    Some((audience::follower_growth(start, end), audience::follower_growth_rate(start, end)))
}

fn basis_of(n: &PeriodNumbers) -> EngagementBasis {
    [EngagementBasis::Impressions, EngagementBasis::Reach, EngagementBasis::Followers]
        .into_iter()
        .find(|b| n.posts.rate_sums(*b).reporting > 0)
        .unwrap_or(EngagementBasis::Followers)
}

/// The care figures of the scope's messages (the workspace's, a network's accounts', one
/// account's), with the care page's maths; `None` for a pillar or a campaign.
async fn care_of(store: &Store, ws: &Workspace, sel: &Selection, period: &Period) -> Result<Option<CareFigures>, StoreError> {
    let (from, to) = period.range_ms(&sel.zone).map_err(|e| StoreError::Conflict(e.to_string()))?;
    let Some(facts) = store.scope_care_facts(&ws.id, &sel.scope, from, to).await? else { return Ok(None) };
    let settings = store.care_settings(&ws.id).await?;
    Ok(Some(period_figures(&facts, &settings, &ws.time_zone).workspace))
}

/// The best-time map's history for a period: the twelve calendar months ending with the
/// period's last month.
pub fn history_of(period: &Period) -> Period {
    let last = period.last();
    let first = last.first_of_month().checked_sub(11.months()).unwrap_or(last.first_of_month());
    Period::new(first, last.last_of_month()).unwrap_or(*period)
}

impl Dashboard {
    /// Reads everything in two rounds of concurrent queries (the second needs the engagement
    /// rate's base, which the period's numbers give), so the page waits for the slowest query
    /// of each round rather than for their sum.
    pub async fn load(store: &Store, ws: &Workspace, sel: Selection) -> Result<Dashboard, StoreError> {
        check_scope(store, &ws.id, &sel.scope).await?;
        let (period, scope, zone) = (&sel.period, &sel.scope, &sel.zone);
        let prev_period = period.previous();
        let today = jiff::Timestamp::now().to_zoned(zone.clone()).date();
        let care_before = async {
            match prev_period {
                Some(pp) => care_of(store, ws, &sel, &pp).await,
                None => Ok(None),
            }
        };
        let ((numbers, previous), care, care_before, engaged, counts, pillars, standings, paid) = tokio::try_join!(
            store.period_comparison(&ws.id, scope, period),
            care_of(store, ws, &sel, period),
            care_before,
            store.engagements_by_day(&ws.id, scope, period),
            store.publications_by_pillar(&ws.id, scope, period),
            store.pillar_ids(&ws.id),
            standings(store, &ws.id, &ws.time_zone, today),
            paid_of(store, ws, &sel),
        )?;
        let basis = basis_of(&numbers);
        // The heat map reads the workspace's own history: the twelve calendar months up to the
        // period's last (whole months, as the rollups keep them), so a short period still has
        // enough posts to say something.
        let history = history_of(period);
        let (best_times, top, flop) = tokio::try_join!(
            store.best_times(&ws.id, scope, &history, basis),
            store.ranked_posts(&ws.id, scope, period, zone, RankedBy { basis, ranking: Ranking::Top, limit: RANKED }),
            store.ranked_posts(&ws.id, scope, period, zone, RankedBy { basis, ranking: Ranking::Flop, limit: RANKED }),
        )?;

        let current_growth = growth(&numbers);
        let previous_growth = previous.as_ref().and_then(growth);
        let growth_line = current_growth.map(|(g, _)| Line::of(g, previous_growth.map(|p| p.0)));
        let growth_rate = current_growth.map(|(_, r)| Line::of(r, previous_growth.map(|p| p.1)));
        let engagement_rate =
            Line::of(numbers.posts.rate_sums(basis).rate(basis), previous.as_ref().map(|p| p.posts.rate_sums(basis).rate(basis)));
        let frequency = Line::of(
            posting_frequency(numbers.posts.publications, period),
            previous.as_ref().zip(prev_period).map(|(p, pp)| posting_frequency(p.posts.publications, &pp)),
        );
        let response = care.as_ref().map(|c| Line::of(response_rate(c), care_before.as_ref().map(response_rate)));
        let response_time = care.as_ref().map(|c| Line::of(response_time_median(c), care_before.as_ref().map(response_time_median)));

        let followers_by_day = numbers.days.clone();
        let followers_previous = previous.as_ref().map(|p| p.days.clone()).unwrap_or_default();
        let mut engagement_by_day: Vec<(Date, u64)> = vec![];
        let mut day = period.first();
        while day <= period.last() {
            engagement_by_day.push((day, engaged.iter().find(|(d, _)| *d == day).map_or(0, |(_, n)| *n)));
            match day.tomorrow() {
                Ok(d) => day = d,
                Err(_) => break,
            }
        }

        // The scope's posts split by pillar: a network's or an account's posts only; a pillar
        // scope shows its own bar.
        let pillar_posts = pillars
            .into_iter()
            .filter(|(pillar, _)| !matches!(scope, Scope::Pillar(id) if id != pillar))
            .map(|(_, name)| {
                let n = counts.iter().find(|(counted, _)| counted == &name).map_or(0, |c| c.1);
                (name, n)
            })
            .collect();
        let objectives = standings
            .into_iter()
            .filter(|s| {
                let key = match &s.record.scope_id {
                    Some(id) => format!("{}:{id}", s.record.scope_kind),
                    None => s.record.scope_kind.clone(),
                };
                key == sel.scope_key
            })
            .collect();
        Ok(Dashboard {
            sel,
            numbers,
            previous,
            basis,
            growth: growth_line,
            growth_rate,
            engagement_rate,
            frequency,
            response_rate: response,
            response_time,
            care,
            followers_by_day,
            followers_previous,
            engagement_by_day,
            pillar_posts,
            best_times,
            top,
            flop,
            objectives,
            paid,
        })
    }

    /// The KPI lines in the order the API and the report list them, a campaign's paid KPIs last.
    pub fn lines(&self) -> Vec<Line> {
        let mut out = vec![];
        out.extend(self.growth);
        out.extend(self.growth_rate);
        out.extend([self.engagement_rate, self.frequency]);
        out.extend(self.response_rate);
        out.extend(self.response_time);
        out.extend(self.paid.iter().flat_map(|p| p.kpis.iter().copied()));
        out
    }

    /// The average engagement rate per weekday (Monday first) and hour, with its posts, for
    /// the heat map.
    pub fn best_time_cells(&self) -> [[HeatCell; 24]; 7] {
        let mut cells = [[HeatCell::default(); 24]; 7];
        for (d, (_, row)) in self.best_times.rows().enumerate() {
            for (h, cell) in row.iter().enumerate() {
                cells[d][h] = HeatCell { posts: cell.posts, rate: cell.average() };
            }
        }
        cells
    }
}
