//! Every KPI of Relais, defined once: its name in French and English, its unit, which way is
//! better, and the formula that computes it (in the theme modules below). Pages, CSV, XLSX and
//! PDF all take a [`Figure`], which carries the KPI with its value, so a figure cannot be shown
//! under another KPI's label (an engagement rate by reach is never printed as one by impressions).
//!
//! Conventions shared by every formula:
//! - a ratio whose denominator is zero is [`NotAvailable`] with the reason, never NaN, infinity
//!   or a panic;
//! - percentages are fractions (`0.042` is 4.2 %), money is integer cents with its currency,
//!   durations are milliseconds;
//! - a period is a range of whole days in the workspace's time zone, both ends included.
//!
//! The themes: [`audience`] (followers, reach), [`engagement`], [`publishing`] (frequency, best
//! times), [`care`] (response rate and times, from [`crate::care_figures`]), [`listening`] (share
//! of voice), [`campaigns`] (CTR, CPC, CPA, ROAS), [`objectives`] (targets, progress, projection).
//! Best times is a grid rather than one number, so it has no [`Kpi`] variant of its own: its cells
//! carry the engagement rate KPI they average.

pub mod audience;
pub mod campaigns;
pub mod care;
pub mod engagement;
pub mod figure;
pub mod listening;
pub mod money;
pub mod objectives;
pub mod period;
pub mod publishing;
pub mod target_input;

pub use figure::{Base, Figure, NotAvailable, Value};
pub use money::{Currency, Money};
pub use objectives::{Assessment, Objective, Observation, Scope, ScopeKind, Status};
pub use period::{Comparison, Direction, Period};
pub use target_input::{parse_target, target_text};

use crate::values::Locale;
use serde::{Deserialize, Serialize};

/// What a KPI's number means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A whole number (followers, accounts reached).
    Count,
    /// A fraction shown as a percentage: 0.042 is 4.2 %.
    Percent,
    /// Integer cents of a currency.
    Money,
    /// Milliseconds.
    Duration,
    /// Posts per week.
    PerWeek,
    /// A multiple: revenue 4.2 times the spend.
    Ratio,
}

/// How a KPI behaves over a period, which decides how an objective reads its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Accumulation {
    /// A running total from the period's start, zero on its first morning (followers gained, reach).
    Cumulative,
    /// A rate or an average over the period so far (engagement rate, response time, ROAS).
    Level,
}

/// Every KPI Relais computes. Serialised as its [`Kpi::key`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Kpi {
    /// followers at the end − followers at the start.
    FollowerGrowth,
    /// (followers at the end − followers at the start) / followers at the start.
    FollowerGrowthRate,
    /// Accounts reached, summed over the period's posts (see [`audience::reach`]).
    Reach,
    /// engagements / reach.
    EngagementRateByReach,
    /// engagements / impressions.
    EngagementRateByImpressions,
    /// engagements / followers when each post was published.
    EngagementRateByFollowers,
    /// posts × 7 / days of the period.
    PostingFrequency,
    /// messages answered / messages received.
    ResponseRate,
    /// Median first response time, in business hours.
    ResponseTimeMedian,
    /// 90th percentile of the first response time, in business hours.
    ResponseTimeP90,
    /// brand mentions / (brand mentions + competitors' mentions).
    ShareOfVoice,
    /// clicks / impressions.
    ClickThroughRate,
    /// spend / clicks.
    CostPerClick,
    /// spend / conversions.
    CostPerAcquisition,
    /// revenue / spend.
    ReturnOnAdSpend,
    /// How much of an objective's target is reached (see [`Objective::attainment`]).
    ObjectiveAttainment,
}

impl Kpi {
    /// Every KPI, in the order pages list them.
    pub const ALL: [Kpi; 16] = [
        Kpi::FollowerGrowth,
        Kpi::FollowerGrowthRate,
        Kpi::Reach,
        Kpi::EngagementRateByReach,
        Kpi::EngagementRateByImpressions,
        Kpi::EngagementRateByFollowers,
        Kpi::PostingFrequency,
        Kpi::ResponseRate,
        Kpi::ResponseTimeMedian,
        Kpi::ResponseTimeP90,
        Kpi::ShareOfVoice,
        Kpi::ClickThroughRate,
        Kpi::CostPerClick,
        Kpi::CostPerAcquisition,
        Kpi::ReturnOnAdSpend,
        Kpi::ObjectiveAttainment,
    ];

    /// The stable key stored in the database and used in URLs and the API.
    pub fn key(self) -> &'static str {
        match self {
            Kpi::FollowerGrowth => "follower_growth",
            Kpi::FollowerGrowthRate => "follower_growth_rate",
            Kpi::Reach => "reach",
            Kpi::EngagementRateByReach => "engagement_rate_by_reach",
            Kpi::EngagementRateByImpressions => "engagement_rate_by_impressions",
            Kpi::EngagementRateByFollowers => "engagement_rate_by_followers",
            Kpi::PostingFrequency => "posting_frequency",
            Kpi::ResponseRate => "response_rate",
            Kpi::ResponseTimeMedian => "response_time_median",
            Kpi::ResponseTimeP90 => "response_time_p90",
            Kpi::ShareOfVoice => "share_of_voice",
            Kpi::ClickThroughRate => "click_through_rate",
            Kpi::CostPerClick => "cost_per_click",
            Kpi::CostPerAcquisition => "cost_per_acquisition",
            Kpi::ReturnOnAdSpend => "return_on_ad_spend",
            Kpi::ObjectiveAttainment => "objective_attainment",
        }
    }

    /// The KPI a stored key names.
    pub fn from_key(key: &str) -> Option<Kpi> {
        Kpi::ALL.into_iter().find(|k| k.key() == key)
    }

    /// The name a reader sees, in their language.
    pub fn name(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            Kpi::FollowerGrowth => ("Croissance des abonnés", "Follower growth"),
            Kpi::FollowerGrowthRate => ("Taux de croissance des abonnés", "Follower growth rate"),
            Kpi::Reach => ("Portée", "Reach"),
            Kpi::EngagementRateByReach => ("Taux d'engagement (sur la portée)", "Engagement rate (by reach)"),
            Kpi::EngagementRateByImpressions => ("Taux d'engagement (sur les impressions)", "Engagement rate (by impressions)"),
            Kpi::EngagementRateByFollowers => ("Taux d'engagement (sur les abonnés)", "Engagement rate (by followers)"),
            Kpi::PostingFrequency => ("Fréquence de publication", "Posting frequency"),
            Kpi::ResponseRate => ("Taux de réponse", "Response rate"),
            Kpi::ResponseTimeMedian => ("Délai de première réponse (médiane)", "First response time (median)"),
            Kpi::ResponseTimeP90 => ("Délai de première réponse (90e centile)", "First response time (90th percentile)"),
            Kpi::ShareOfVoice => ("Part de voix", "Share of voice"),
            Kpi::ClickThroughRate => ("Taux de clic (CTR)", "Click-through rate (CTR)"),
            Kpi::CostPerClick => ("Coût par clic (CPC)", "Cost per click (CPC)"),
            Kpi::CostPerAcquisition => ("Coût par acquisition (CPA)", "Cost per acquisition (CPA)"),
            Kpi::ReturnOnAdSpend => ("Retour sur dépenses publicitaires (ROAS)", "Return on ad spend (ROAS)"),
            Kpi::ObjectiveAttainment => ("Atteinte de l'objectif", "Objective attainment"),
        };
        match locale {
            Locale::Fr => fr,
            Locale::En => en,
        }
    }

    /// The definition a reader can check, for a report's glossary and a figure's tooltip.
    pub fn formula(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            Kpi::FollowerGrowth => {
                ("abonnés en fin de période − abonnés en début de période", "followers at the end − followers at the start")
            }
            Kpi::FollowerGrowthRate => (
                "(abonnés en fin de période − abonnés en début de période) / abonnés en début de période",
                "(followers at the end − followers at the start) / followers at the start",
            ),
            Kpi::Reach => ("somme de la portée de chaque publication", "sum of each post's reach"),
            Kpi::EngagementRateByReach => ("interactions / portée", "engagements / reach"),
            Kpi::EngagementRateByImpressions => ("interactions / impressions", "engagements / impressions"),
            Kpi::EngagementRateByFollowers => ("interactions / abonnés à la publication", "engagements / followers when posted"),
            Kpi::PostingFrequency => ("publications × 7 / jours de la période", "posts × 7 / days in the period"),
            Kpi::ResponseRate => ("messages répondus / messages reçus", "messages answered / messages received"),
            Kpi::ResponseTimeMedian => {
                ("médiane du délai de première réponse, en heures ouvrées", "median first response time, in business hours")
            }
            Kpi::ResponseTimeP90 => (
                "90e centile du délai de première réponse, en heures ouvrées",
                "90th percentile of the first response time, in business hours",
            ),
            Kpi::ShareOfVoice => (
                "mentions de la marque / mentions de la marque et des concurrents",
                "brand mentions / mentions of the brand and competitors",
            ),
            Kpi::ClickThroughRate => ("clics / impressions", "clicks / impressions"),
            Kpi::CostPerClick => ("dépense / clics", "spend / clicks"),
            Kpi::CostPerAcquisition => ("dépense / conversions", "spend / conversions"),
            Kpi::ReturnOnAdSpend => ("chiffre d'affaires / dépense", "revenue / spend"),
            Kpi::ObjectiveAttainment => (
                "valeur / cible ; quand moins est mieux, 1 − (valeur − cible) / cible",
                "value / target; when lower is better, 1 − (value − target) / target",
            ),
        };
        match locale {
            Locale::Fr => fr,
            Locale::En => en,
        }
    }

    /// The unit of its value, which decides how it is shown.
    pub fn unit(self) -> Unit {
        match self {
            Kpi::FollowerGrowth | Kpi::Reach => Unit::Count,
            Kpi::FollowerGrowthRate
            | Kpi::EngagementRateByReach
            | Kpi::EngagementRateByImpressions
            | Kpi::EngagementRateByFollowers
            | Kpi::ResponseRate
            | Kpi::ShareOfVoice
            | Kpi::ClickThroughRate
            | Kpi::ObjectiveAttainment => Unit::Percent,
            Kpi::PostingFrequency => Unit::PerWeek,
            Kpi::ResponseTimeMedian | Kpi::ResponseTimeP90 => Unit::Duration,
            Kpi::CostPerClick | Kpi::CostPerAcquisition => Unit::Money,
            Kpi::ReturnOnAdSpend => Unit::Ratio,
        }
    }

    /// Whether a larger value is an improvement: false for times and costs.
    pub fn higher_is_better(self) -> bool {
        !matches!(self, Kpi::ResponseTimeMedian | Kpi::ResponseTimeP90 | Kpi::CostPerClick | Kpi::CostPerAcquisition)
    }

    /// Running totals (gains, reach) add up over a period; rates and averages do not.
    pub fn accumulation(self) -> Accumulation {
        match self {
            Kpi::FollowerGrowth | Kpi::FollowerGrowthRate | Kpi::Reach => Accumulation::Cumulative,
            _ => Accumulation::Level,
        }
    }

    /// Whether the value can go below zero (followers can be lost; nothing else is negative).
    pub fn can_be_negative(self) -> bool {
        matches!(self, Kpi::FollowerGrowth | Kpi::FollowerGrowthRate)
    }

    /// A share of a whole, which cannot pass 100 % (a CTR of 120 % means bad data, not success).
    pub fn is_share(self) -> bool {
        matches!(self, Kpi::ResponseRate | Kpi::ShareOfVoice | Kpi::ClickThroughRate)
    }
}

impl TryFrom<String> for Kpi {
    type Error = String;
    fn try_from(key: String) -> Result<Kpi, String> {
        Kpi::from_key(&key).ok_or_else(|| format!("{key:?} is not a KPI"))
    }
}

impl From<Kpi> for &'static str {
    fn from(kpi: Kpi) -> &'static str {
        kpi.key()
    }
}

impl std::fmt::Display for Kpi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name(Locale::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kpi_has_a_distinct_key_and_names() {
        let mut keys: Vec<_> = Kpi::ALL.iter().map(|k| k.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Kpi::ALL.len());
        for kpi in Kpi::ALL {
            assert_eq!(Kpi::from_key(kpi.key()), Some(kpi));
            assert!(!kpi.name(Locale::Fr).is_empty() && !kpi.name(Locale::En).is_empty());
            assert!(!kpi.formula(Locale::Fr).is_empty() && !kpi.formula(Locale::En).is_empty());
        }
        assert_eq!(Kpi::from_key("engagement_rate"), None);
    }

    #[test]
    fn the_three_engagement_rates_say_which_base_they_use() {
        let names: Vec<_> = [Kpi::EngagementRateByReach, Kpi::EngagementRateByImpressions, Kpi::EngagementRateByFollowers]
            .iter()
            .flat_map(|k| [k.name(Locale::Fr), k.name(Locale::En)])
            .collect();
        assert!(names[0].contains("portée") && names[1].contains("reach"));
        assert!(names[2].contains("impressions") && names[3].contains("impressions"));
        assert!(names[4].contains("abonnés") && names[5].contains("followers"));
    }

    #[test]
    fn times_and_costs_are_better_lower() {
        let lower: Vec<_> = Kpi::ALL.into_iter().filter(|k| !k.higher_is_better()).collect();
        assert_eq!(lower, [Kpi::ResponseTimeMedian, Kpi::ResponseTimeP90, Kpi::CostPerClick, Kpi::CostPerAcquisition]);
    }
}
