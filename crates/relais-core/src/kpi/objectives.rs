//! Objectives: a KPI, a target, a period and a scope; how far along they are, where the trend
//! leads by the end of the period, and whether that is on track.
//!
//! Definitions:
//! - an observation is the KPI's value for the period so far, from its first day to the
//!   observation's day: the running total for a cumulative KPI (followers gained since the start),
//!   the rate or average over the days so far for a level KPI (engagement rate of the posts
//!   published since the start). The latest one is the current value.
//! - attainment measures a value against the target by its relative margin, in the direction that
//!   is better: `1 + (value − target) / target` when higher is better (= value / target),
//!   `1 − (value − target) / target` when lower is better (a 3 h response time against a 2 h
//!   target is 50 %; 0 h is 200 %). Never below 0. Progress is the current value's attainment.
//! - the projection is the value at the end of the period on the least-squares line through the
//!   observations, x being the days elapsed at the end of each observation's day. A cumulative KPI
//!   also passes through (0, 0), since nothing is gained before the period starts; so a single
//!   observation projects its pace so far, while a single observation of a level KPI projects
//!   itself. The line is cut at zero for a KPI that cannot be negative, and at 100 % for a share.
//! - status, from the projection's attainment: at least 100 % on track, at least
//!   [`AT_RISK_FROM`] (90 %) at risk, below off track. For a KPI where lower is better this reads
//!   "projection ≤ target" on track and "≤ 110 % of the target" at risk. Before the first day:
//!   not started; after the last: reached or missed, from the last observation.

use super::{Figure, Kpi, Period, Unit, Value};
use crate::values::{Locale, ValidationError};
use jiff::civil::Date;

/// Below a projected attainment of 100 % but at least this, an objective is at risk.
pub const AT_RISK_FROM: f64 = 0.9;

/// What an objective is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScopeKind {
    Workspace,
    Network,
    Account,
    Pillar,
    Campaign,
}

impl ScopeKind {
    pub const ALL: [ScopeKind; 5] = [ScopeKind::Workspace, ScopeKind::Network, ScopeKind::Account, ScopeKind::Pillar, ScopeKind::Campaign];

    /// The stable key stored in the database.
    pub fn key(self) -> &'static str {
        match self {
            ScopeKind::Workspace => "workspace",
            ScopeKind::Network => "network",
            ScopeKind::Account => "account",
            ScopeKind::Pillar => "pillar",
            ScopeKind::Campaign => "campaign",
        }
    }

    pub fn from_key(key: &str) -> Option<ScopeKind> {
        ScopeKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The kind with its article, for messages: "the workspace", "an account".
    pub fn named(self) -> &'static str {
        match self {
            ScopeKind::Workspace => "the workspace",
            ScopeKind::Network => "a network",
            ScopeKind::Account => "an account",
            ScopeKind::Pillar => "a pillar",
            ScopeKind::Campaign => "a campaign",
        }
    }
}

/// The scope of an objective, with the id of what it names (the network's key, as "bluesky").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Workspace,
    Network(String),
    Account(String),
    Pillar(String),
    Campaign(String),
}

impl Scope {
    /// A scope as stored or sent by a form; every kind but the workspace needs an id.
    pub fn new(kind: ScopeKind, id: Option<&str>) -> Result<Scope, ValidationError> {
        let id = id.map(str::trim).filter(|id| !id.is_empty()).map(str::to_string);
        let needed = || ValidationError::new("scope", "error-objective-scope", format!("choose {} for the objective", kind.named()));
        Ok(match kind {
            ScopeKind::Workspace => Scope::Workspace,
            ScopeKind::Network => Scope::Network(id.ok_or_else(needed)?),
            ScopeKind::Account => Scope::Account(id.ok_or_else(needed)?),
            ScopeKind::Pillar => Scope::Pillar(id.ok_or_else(needed)?),
            ScopeKind::Campaign => Scope::Campaign(id.ok_or_else(needed)?),
        })
    }

    pub fn kind(&self) -> ScopeKind {
        match self {
            Scope::Workspace => ScopeKind::Workspace,
            Scope::Network(_) => ScopeKind::Network,
            Scope::Account(_) => ScopeKind::Account,
            Scope::Pillar(_) => ScopeKind::Pillar,
            Scope::Campaign(_) => ScopeKind::Campaign,
        }
    }

    pub fn id(&self) -> Option<&str> {
        match self {
            Scope::Workspace => None,
            Scope::Network(id) | Scope::Account(id) | Scope::Pillar(id) | Scope::Campaign(id) => Some(id),
        }
    }

    /// `workspace` or `KIND:ID`, as the scope picker writes it.
    pub fn key(&self) -> String {
        match self.id() {
            Some(id) => format!("{}:{id}", self.kind().key()),
            None => self.kind().key().to_string(),
        }
    }
}

impl Kpi {
    /// Whether an objective on this KPI makes sense for `scope`: paid figures exist for a
    /// campaign and for the workspace (all its campaigns together); followers and care belong to accounts (and so to networks and the workspace),
    /// not to pillars or campaigns; share of voice is measured by the workspace's listening
    /// (per network at most); post figures exist for any set of posts. Objective attainment
    /// measures objectives, so it is never one.
    pub fn allowed_in(self, scope: ScopeKind) -> bool {
        use ScopeKind::*;
        match self {
            Kpi::ClickThroughRate | Kpi::CostPerClick | Kpi::CostPerAcquisition | Kpi::ReturnOnAdSpend => {
                matches!(scope, Workspace | Campaign)
            }
            Kpi::FollowerGrowth | Kpi::FollowerGrowthRate | Kpi::ResponseRate | Kpi::ResponseTimeMedian | Kpi::ResponseTimeP90 => {
                matches!(scope, Workspace | Network | Account)
            }
            Kpi::ShareOfVoice => matches!(scope, Workspace | Network),
            Kpi::Reach
            | Kpi::EngagementRateByReach
            | Kpi::EngagementRateByImpressions
            | Kpi::EngagementRateByFollowers
            | Kpi::PostingFrequency => true,
            Kpi::ObjectiveAttainment => false,
        }
    }
}

/// A validated objective.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    kpi: Kpi,
    target: Value,
    period: Period,
    scope: Scope,
}

/// One value of the KPI for the period so far (see the module's definitions), as a plain number
/// of its unit (a fraction for a percentage, cents in the target's currency, milliseconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Observation {
    pub date: Date,
    pub value: f64,
}

/// Where an objective stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Today is before the first day.
    NotStarted,
    /// Under way or over, with no observation to judge by.
    NoData,
    OnTrack,
    AtRisk,
    OffTrack,
    /// Over, and the last value met the target.
    Reached,
    /// Over, and the last value fell short.
    Missed,
}

impl Status {
    /// The stable key for the API and CSV.
    pub fn key(self) -> &'static str {
        match self {
            Status::NotStarted => "not_started",
            Status::NoData => "no_data",
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::Reached => "reached",
            Status::Missed => "missed",
        }
    }

    /// The badge a reader sees.
    pub fn name(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            Status::NotStarted => ("Pas commencé", "Not started"),
            Status::NoData => ("Pas de données", "No data"),
            Status::OnTrack => ("En bonne voie", "On track"),
            Status::AtRisk => ("À risque", "At risk"),
            Status::OffTrack => ("En retard", "Off track"),
            Status::Reached => ("Terminé : atteint", "Ended: reached"),
            Status::Missed => ("Terminé : manqué", "Ended: missed"),
        };
        match locale {
            Locale::Fr => fr,
            Locale::En => en,
        }
    }
}

/// An objective's standing on a given day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Assessment {
    pub status: Status,
    /// The latest observation in the period up to today.
    pub current: Option<Figure>,
    /// The current value's attainment (objective attainment KPI).
    pub progress: Option<Figure>,
    /// The value the trend reaches on the last day; `None` once the period is over.
    pub projection: Option<Figure>,
    /// The projection's attainment, which the status is read from.
    pub projected_attainment: Option<Figure>,
}

impl Objective {
    /// An objective, or every reason it is refused, each naming its field (`kpi`, `target`,
    /// `end`, `scope`).
    pub fn new(kpi: Kpi, target: Value, start: Date, end: Date, scope: Scope) -> Result<Objective, Vec<ValidationError>> {
        let mut errors = vec![];
        let kpi_error = |message: String| ValidationError::new("kpi", "error-objective-kpi", message);
        if kpi == Kpi::ObjectiveAttainment {
            errors.push(kpi_error("objective attainment measures objectives; choose the KPI this objective is about".into()));
        } else if !kpi.allowed_in(scope.kind()) {
            let allowed: Vec<_> = ScopeKind::ALL.into_iter().filter(|k| kpi.allowed_in(*k)).map(ScopeKind::named).collect();
            let allowed = match allowed.split_last() {
                Some((last, [])) => last.to_string(),
                Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
                None => "nothing".to_string(),
            };
            errors.push(kpi_error(format!("{kpi} cannot be an objective of {}; it can be one of {allowed}", scope.kind().named())));
        }
        let target_error = |message: String| ValidationError::new("target", "error-objective-target", message);
        if target.unit() != kpi.unit() {
            errors.push(target_error(format!(
                "{kpi} is measured in {}, and the target is in {}",
                unit_name(kpi.unit()),
                unit_name(target.unit())
            )));
        } else if !(target.number().is_finite() && target.number() > 0.0) {
            errors.push(target_error("the target must be above zero".into()));
        } else if kpi.is_share() && target.number() > 1.0 {
            errors.push(target_error(format!("{kpi} is a share, which cannot pass 100 %")));
        }
        if end <= start {
            errors.push(ValidationError::new(
                "end",
                "error-objective-end",
                format!("the objective ends on {end}, which is not after its start on {start}"),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let period = Period::new(start, end).map_err(|e| vec![e])?;
        Ok(Objective { kpi, target, period, scope })
    }

    pub fn kpi(&self) -> Kpi {
        self.kpi
    }

    pub fn target(&self) -> Value {
        self.target
    }

    pub fn period(&self) -> Period {
        self.period
    }

    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// A value's attainment of the target (see the module's definitions): value / target when
    /// higher is better, 1 − (value − target) / target when lower is better; never below 0.
    pub fn attainment(&self, value: f64) -> Figure {
        let target = self.target.number();
        let margin = (value - target) / target;
        let share = if self.kpi.higher_is_better() { 1.0 + margin } else { 1.0 - margin };
        Figure::new(Kpi::ObjectiveAttainment, Ok(Value::Percent(share.max(0.0))))
    }

    /// Where the objective stands on `today` (in the workspace's time zone), given the KPI's
    /// observations; those outside the period or after today are ignored, and of two on the same
    /// day the later in the list counts.
    pub fn assess(&self, observations: &[Observation], today: Date) -> Assessment {
        let nothing = |status| Assessment { status, current: None, progress: None, projection: None, projected_attainment: None };
        if today < self.period.first() {
            return nothing(Status::NotStarted);
        }
        let upto = today.min(self.period.last());
        let mut seen: Vec<Observation> =
            observations.iter().filter(|o| o.value.is_finite() && (self.period.first()..=upto).contains(&o.date)).copied().collect();
        // Stable, so the later of two readings of a day stays last.
        seen.sort_by_key(|o| o.date);
        seen.reverse();
        seen.dedup_by_key(|o| o.date);
        seen.reverse();
        let Some(latest) = seen.last().copied() else {
            return nothing(Status::NoData);
        };
        let figure = |number: f64| Figure::from_number(self.kpi, number, self.target.currency());
        let current = figure(latest.value);
        let progress = self.attainment(latest.value);
        if today > self.period.last() {
            let reached = progress.number().is_some_and(|a| a >= 1.0);
            let status = if reached { Status::Reached } else { Status::Missed };
            return Assessment { status, current, progress: Some(progress), projection: None, projected_attainment: None };
        }
        let projected = self.project(&seen);
        let projected_attainment = self.attainment(projected);
        let status = match projected_attainment.number() {
            Some(a) if a >= 1.0 => Status::OnTrack,
            Some(a) if a >= AT_RISK_FROM => Status::AtRisk,
            _ => Status::OffTrack,
        };
        Assessment {
            status,
            current,
            progress: Some(progress),
            projection: figure(projected),
            projected_attainment: Some(projected_attainment),
        }
    }

    /// The trend's value on the last day (see the module's definitions).
    fn project(&self, seen: &[Observation]) -> f64 {
        let mut points: Vec<(f64, f64)> = seen.iter().map(|o| (self.period.elapsed_days(o.date) as f64, o.value)).collect();
        if self.kpi.accumulation() == super::Accumulation::Cumulative {
            points.insert(0, (0.0, 0.0));
        }
        let end = self.period.days() as f64;
        let projected = match least_squares(&points) {
            Some((intercept, slope)) => intercept + slope * end,
            // One point (a level KPI observed once): the value holds.
            None => points.last().map_or(0.0, |p| p.1),
        };
        let projected = if self.kpi.can_be_negative() { projected } else { projected.max(0.0) };
        if self.kpi.is_share() { projected.min(1.0) } else { projected }
    }
}

/// The least-squares line through `points`, as (intercept, slope): slope = Σ(x − x̄)(y − ȳ) /
/// Σ(x − x̄)², intercept = ȳ − slope × x̄. `None` with fewer than two distinct x.
pub fn least_squares(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.is_empty() {
        return None;
    }
    let mean_x = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_y = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
    if sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    Some((mean_y - slope * mean_x, slope))
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "a count",
        Unit::Percent => "a percentage",
        Unit::Money => "money",
        Unit::Duration => "a duration",
        Unit::PerWeek => "posts per week",
        Unit::Ratio => "a multiple",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::{Currency, Money};
    use jiff::civil::date;

    /// An objective over April 2026 (30 days): day 10 is 10 April, day 20 is 20 April.
    fn april(kpi: Kpi, target: Value, scope: Scope) -> Objective {
        Objective::new(kpi, target, date(2026, 4, 1), date(2026, 4, 30), scope).unwrap()
    }

    fn on(day: i8, value: f64) -> Observation {
        Observation { date: date(2026, 4, day), value }
    }

    fn close(figure: Option<Figure>, expected: f64) -> bool {
        figure.and_then(|f| f.number()).is_some_and(|n| (n - expected).abs() < 1e-9)
    }

    fn gain_300() -> Objective {
        april(Kpi::FollowerGrowth, Value::Count(300), Scope::Account("acc-1".into()))
    }

    #[test]
    fn followers_gained_at_the_right_pace_are_on_track() {
        let today = date(2026, 4, 20);
        // Points (0, 0), (10, 100), (20, 200): slope 10 a day, 10 × 30 = 300 by 30 April.
        let a = gain_300().assess(&[on(10, 100.0), on(20, 200.0)], today);
        assert_eq!(a.status, Status::OnTrack);
        assert_eq!(a.current.unwrap().value(), Ok(Value::Count(200)));
        // Progress 200 / 300 = 0.666…
        assert!(close(a.progress, 2.0 / 3.0));
        assert_eq!(a.progress.unwrap().kpi(), Kpi::ObjectiveAttainment);
        assert_eq!(a.projection.unwrap().value(), Ok(Value::Count(300)));
        assert!(close(a.projected_attainment, 1.0));
    }

    #[test]
    fn a_projection_just_short_is_at_risk_and_far_short_is_off_track() {
        let today = date(2026, 4, 20);
        // (0, 0), (10, 92), (20, 184): x̄ = 10, ȳ = 92, slope = (10 × 92 + 10 × 92) / 200 = 9.2,
        // intercept 92 − 92 = 0; 9.2 × 30 = 276; 276 / 300 = 0.92 ≥ 0.9.
        let a = gain_300().assess(&[on(10, 92.0), on(20, 184.0)], today);
        assert_eq!(a.status, Status::AtRisk);
        assert_eq!(a.projection.unwrap().value(), Ok(Value::Count(276)));
        // (0, 0), (10, 50), (20, 100): 5 a day, 150 by the end; 150 / 300 = 0.5.
        let a = gain_300().assess(&[on(10, 50.0), on(20, 100.0)], today);
        assert_eq!(a.status, Status::OffTrack);
        assert!(close(a.projected_attainment, 0.5));
    }

    #[test]
    fn a_least_squares_line_through_uneven_points() {
        // (0, 0), (5, 40), (10, 90): x̄ = 5, ȳ = 130 / 3; Σ(x − x̄)² = 25 + 0 + 25 = 50;
        // Σ(x − x̄)(y − ȳ) = −5 × (−130/3) + 5 × (140/3) = 1350 / 3 = 450; slope 450 / 50 = 9;
        // intercept 130/3 − 45 = −5/3.
        let (intercept, slope) = least_squares(&[(0.0, 0.0), (5.0, 40.0), (10.0, 90.0)]).unwrap();
        assert!((slope - 9.0).abs() < 1e-12 && (intercept + 5.0 / 3.0).abs() < 1e-12);
        // On 10 April: −5/3 + 9 × 30 = 268.33…; 268.33 / 300 = 0.894 < 0.9: off track.
        let a = gain_300().assess(&[on(5, 40.0), on(10, 90.0)], date(2026, 4, 10));
        assert_eq!(a.status, Status::OffTrack);
        assert!(close(a.projected_attainment, (270.0 - 5.0 / 3.0) / 300.0));
        assert_eq!(least_squares(&[(3.0, 1.0), (3.0, 2.0)]), None);
        assert_eq!(least_squares(&[]), None);
    }

    #[test]
    fn a_single_observation_projects_its_pace_or_holds() {
        // Cumulative: (0, 0) and (5, 40), 8 a day, 8 × 30 = 240; 240 / 300 = 0.8: off track.
        let a = gain_300().assess(&[on(5, 40.0)], date(2026, 4, 5));
        assert_eq!(a.projection.unwrap().value(), Ok(Value::Count(240)));
        assert_eq!(a.status, Status::OffTrack);
        // Level: an engagement rate of 6 % on 3 April stays 6 %; 0.06 / 0.05 = 1.2: on track.
        let o = april(Kpi::EngagementRateByImpressions, Value::Percent(0.05), Scope::Workspace);
        let a = o.assess(&[on(3, 0.06)], date(2026, 4, 3));
        assert_eq!(a.projection.unwrap().value(), Ok(Value::Percent(0.06)));
        assert!(close(a.projected_attainment, 1.2));
        assert_eq!(a.status, Status::OnTrack);
    }

    #[test]
    fn lower_is_better_inverts_the_reading() {
        // Median response time, target 2 h = 7_200_000 ms.
        let o = april(Kpi::ResponseTimeMedian, Value::Duration(7_200_000), Scope::Workspace);
        let today = date(2026, 4, 20);
        // 2 h on day 10, 2.5 h (9_000_000) on day 20: +180_000 a day, 9_000_000 + 10 × 180_000 =
        // 10_800_000 (3 h) on day 30; 1 − (3 − 2) / 2 = 0.5: off track. Progress 1 − 0.5 / 2 = 0.75.
        let a = o.assess(&[on(10, 7_200_000.0), on(20, 9_000_000.0)], today);
        assert_eq!(a.status, Status::OffTrack);
        assert_eq!(a.projection.unwrap().value(), Ok(Value::Duration(10_800_000)));
        assert!(close(a.progress, 0.75));
        assert!(close(a.projected_attainment, 0.5));
        // 2.5 h then 2 h: −0.5 h per 10 days, 1.5 h on day 30; 1 − (1.5 − 2) / 2 = 1.25: on track.
        let a = o.assess(&[on(10, 9_000_000.0), on(20, 7_200_000.0)], today);
        assert_eq!(a.status, Status::OnTrack);
        assert!(close(a.projected_attainment, 1.25));
        // 2 h then 2.05 h (7_380_000): 2.1 h (7_560_000) on day 30; 1 − 0.1 / 2 = 0.95: at risk.
        let a = o.assess(&[on(10, 7_200_000.0), on(20, 7_380_000.0)], today);
        assert_eq!(a.status, Status::AtRisk);
        assert!(close(a.projected_attainment, 0.95));
        // Answered out of hours, 0 business time: 1 − (0 − 2) / 2 = 2, not infinity.
        assert!(close(Some(o.attainment(0.0)), 2.0));
        // Five times the target: 1 − 4 = −3, floored at 0.
        assert!(close(Some(o.attainment(36_000_000.0)), 0.0));
    }

    #[test]
    fn a_cost_objective_keeps_its_currency() {
        // CPC target 0.50 €; 45 cents observed once: 1 − (45 − 50) / 50 = 1.1: on track.
        let o = april(Kpi::CostPerClick, Value::Money(Money::new(50, Currency::EUR)), Scope::Campaign("spring".into()));
        let a = o.assess(&[on(10, 45.0)], date(2026, 4, 12));
        assert_eq!(a.status, Status::OnTrack);
        assert_eq!(a.current.unwrap().display(Locale::Fr), "0,45\u{202F}€");
        assert!(close(a.progress, 1.1));
    }

    #[test]
    fn projections_stay_within_what_the_kpi_can_be() {
        let today = date(2026, 4, 20);
        // Response rate 90 % then 99 %: the line gives 108 % on day 30, cut at 100 %.
        let o = april(Kpi::ResponseRate, Value::Percent(0.95), Scope::Workspace);
        let a = o.assess(&[on(10, 0.90), on(20, 0.99)], today);
        assert_eq!(a.projection.unwrap().value(), Ok(Value::Percent(1.0)));
        // 1 / 0.95 = 1.0526…
        assert!(close(a.projected_attainment, 1.0 / 0.95));
        // 3 posts a week then 1: the line gives −1 on day 30, cut at 0.
        let o = april(Kpi::PostingFrequency, Value::PerWeek(3.0), Scope::Pillar("tips".into()));
        let a = o.assess(&[on(10, 3.0), on(20, 1.0)], today);
        assert_eq!(a.projection.unwrap().value(), Ok(Value::PerWeek(0.0)));
        // Followers can be lost: −10 on day 10 projects −30.
        let a = gain_300().assess(&[on(10, -10.0)], date(2026, 4, 10));
        assert_eq!(a.projection.unwrap().value(), Ok(Value::Count(-30)));
        // Progress never goes below zero.
        assert!(close(a.progress, 0.0));
    }

    #[test]
    fn before_the_start_after_the_end_and_without_data() {
        let o = gain_300();
        let a = o.assess(&[on(1, 10.0)], date(2026, 3, 31));
        assert_eq!(a.status, Status::NotStarted);
        assert_eq!((a.current, a.progress, a.projection), (None, None, None));
        assert_eq!(o.assess(&[], date(2026, 4, 15)).status, Status::NoData);
        // Over: judged on the last observation, no projection. 310 / 300 ≥ 1; 290 / 300 < 1.
        let a = o.assess(&[on(20, 200.0), on(30, 310.0)], date(2026, 5, 1));
        assert_eq!(a.status, Status::Reached);
        assert_eq!(a.projection, None);
        assert!(close(a.progress, 310.0 / 300.0));
        assert_eq!(o.assess(&[on(30, 290.0)], date(2026, 6, 1)).status, Status::Missed);
        assert_eq!(o.assess(&[], date(2026, 6, 1)).status, Status::NoData);
    }

    #[test]
    fn readings_after_today_or_outside_the_period_are_ignored_and_the_last_of_a_day_counts() {
        let o = gain_300();
        // The 25 April reading is after today and the 31 March one before the period.
        let observations = [Observation { date: date(2026, 3, 31), value: 999.0 }, on(10, 50.0), on(10, 100.0), on(25, 0.0)];
        let a = o.assess(&observations, date(2026, 4, 20));
        assert_eq!(a.current.unwrap().value(), Ok(Value::Count(100)));
        // (0, 0) and (10, 100): 10 a day, 300 by day 30.
        assert_eq!(a.projection.unwrap().value(), Ok(Value::Count(300)));
        assert_eq!(a.status, Status::OnTrack);
    }

    fn fields(result: Result<Objective, Vec<ValidationError>>) -> Vec<&'static str> {
        result.unwrap_err().into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn an_objective_names_every_field_it_refuses() {
        let (start, end) = (date(2026, 4, 1), date(2026, 4, 30));
        let eur = |cents| Value::Money(Money::new(cents, Currency::EUR));
        // ROAS belongs to campaigns.
        let err = Objective::new(Kpi::ReturnOnAdSpend, Value::Ratio(4.0), start, end, Scope::Account("a".into())).unwrap_err();
        assert_eq!(err[0].field, "kpi");
        assert_eq!(
            err[0].message,
            "Return on ad spend (ROAS) cannot be an objective of an account; it can be one of the workspace or a campaign"
        );
        let err = Objective::new(Kpi::FollowerGrowth, Value::Count(10), start, end, Scope::Pillar("p".into())).unwrap_err();
        assert_eq!(
            err[0].message,
            "Follower growth cannot be an objective of a pillar; it can be one of the workspace, a network or an account"
        );
        assert!(Objective::new(Kpi::ReturnOnAdSpend, Value::Ratio(4.0), start, end, Scope::Campaign("c".into())).is_ok());
        assert_eq!(fields(Objective::new(Kpi::ObjectiveAttainment, Value::Percent(1.0), start, end, Scope::Workspace)), ["kpi"]);
        // The target: above zero, in the KPI's unit, a share at most 100 %.
        assert_eq!(fields(Objective::new(Kpi::Reach, Value::Count(0), start, end, Scope::Workspace)), ["target"]);
        assert_eq!(fields(Objective::new(Kpi::CostPerClick, eur(-5), start, end, Scope::Campaign("c".into()))), ["target"]);
        assert_eq!(fields(Objective::new(Kpi::Reach, Value::Percent(0.5), start, end, Scope::Workspace)), ["target"]);
        assert_eq!(fields(Objective::new(Kpi::ShareOfVoice, Value::Percent(1.2), start, end, Scope::Workspace)), ["target"]);
        assert_eq!(fields(Objective::new(Kpi::ShareOfVoice, Value::Percent(f64::NAN), start, end, Scope::Workspace)), ["target"]);
        // The end after the start.
        assert_eq!(fields(Objective::new(Kpi::Reach, Value::Count(5), start, start, Scope::Workspace)), ["end"]);
        // All at once, so a form can mark every field.
        let all = Objective::new(Kpi::ClickThroughRate, Value::Percent(0.0), end, start, Scope::Pillar("p".into()));
        assert_eq!(fields(all), ["kpi", "target", "end"]);
    }

    #[test]
    fn a_scope_needs_an_id_except_the_workspace() {
        assert_eq!(Scope::new(ScopeKind::Workspace, None), Ok(Scope::Workspace));
        assert_eq!(Scope::new(ScopeKind::Network, Some(" bluesky ")), Ok(Scope::Network("bluesky".into())));
        let err = Scope::new(ScopeKind::Account, Some("  ")).unwrap_err();
        assert_eq!((err.field, err.message.as_str()), ("scope", "choose an account for the objective"));
        for kind in ScopeKind::ALL {
            assert_eq!(ScopeKind::from_key(kind.key()), Some(kind));
        }
        assert_eq!(Scope::Campaign("c1".into()).id(), Some("c1"));
        assert_eq!(Scope::Workspace.kind(), ScopeKind::Workspace);
    }
}
