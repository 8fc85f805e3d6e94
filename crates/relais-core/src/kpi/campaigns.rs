//! Paid campaigns: what the spend bought. Spend and revenue come from the ad managers in the ad
//! account's currency; amounts in two currencies are never divided by each other.

use super::{Base, Figure, Kpi, Money, NotAvailable, Period, Value};
use jiff::civil::Date;

/// CTR = clicks / impressions.
pub fn click_through_rate(clicks: u64, impressions: u64) -> Figure {
    let value =
        if impressions == 0 { Err(NotAvailable::Zero(Base::Impressions)) } else { Ok(Value::Percent(clicks as f64 / impressions as f64)) };
    Figure::new(Kpi::ClickThroughRate, value)
}

/// CPC = spend / clicks, rounded to the nearest cent.
pub fn cost_per_click(spend: Money, clicks: u64) -> Figure {
    Figure::new(Kpi::CostPerClick, spend.divided_by(clicks).map(Value::Money).ok_or(NotAvailable::Zero(Base::Clicks)))
}

/// CPA = spend / conversions, rounded to the nearest cent.
pub fn cost_per_acquisition(spend: Money, conversions: u64) -> Figure {
    Figure::new(Kpi::CostPerAcquisition, spend.divided_by(conversions).map(Value::Money).ok_or(NotAvailable::Zero(Base::Conversions)))
}

/// ROAS = revenue / spend, a multiple (4.2 means each euro spent brought back 4.20).
pub fn return_on_ad_spend(revenue: Money, spend: Money) -> Figure {
    let value = if revenue.currency != spend.currency {
        Err(NotAvailable::CurrencyMismatch(revenue.currency, spend.currency))
    } else if spend.cents == 0 {
        Err(NotAvailable::Zero(Base::AdSpend))
    } else {
        Ok(Value::Ratio(revenue.cents as f64 / spend.cents as f64))
    };
    Figure::new(Kpi::ReturnOnAdSpend, value)
}

/// How a campaign's spend keeps to its budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PacingStatus {
    /// No spend reported yet.
    NotStarted,
    /// On course to leave more than 10 % of the budget unspent.
    Under,
    /// On course to spend the budget within 10 %.
    OnPace,
    /// On course to spend more than 110 % of the budget.
    Over,
    /// Already spent more than the budget.
    OverBudget,
}

impl PacingStatus {
    pub fn key(self) -> &'static str {
        match self {
            PacingStatus::NotStarted => "not_started",
            PacingStatus::Under => "under",
            PacingStatus::OnPace => "on_pace",
            PacingStatus::Over => "over",
            PacingStatus::OverBudget => "over_budget",
        }
    }
}

/// Spend against budget, and where the spend is heading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    pub budget: Money,
    pub spent: Money,
    /// spent / budget (0.42 is 42 %); `None` for a budget of zero.
    pub share_spent: Option<f64>,
    /// Days of the campaign covered by the results (its first day to the last day reported).
    pub days_reported: i64,
    /// Days the campaign lasts; `None` without both dates.
    pub days_total: Option<i64>,
    /// The spend at the end if it goes on at the average daily spend so far:
    /// spent / days reported × days in the campaign. `None` without both dates.
    pub projected: Option<Money>,
    pub status: PacingStatus,
}

/// Budget pacing: `spent` up to `reported_until` (the last day with results) against `budget`,
/// over the campaign's `dates`. Spend is assumed to continue at the average daily rate so far;
/// a projection within 10 % of the budget is on pace. Amounts in two currencies are not compared.
pub fn pacing(budget: Money, spent: Money, dates: Option<Period>, reported_until: Option<Date>) -> Result<Pacing, NotAvailable> {
    if budget.currency != spent.currency {
        return Err(NotAvailable::CurrencyMismatch(spent.currency, budget.currency));
    }
    let share_spent = (budget.cents != 0).then(|| spent.cents as f64 / budget.cents as f64);
    let days_total = dates.map(|p| p.days());
    let days_reported = match (dates, reported_until) {
        (Some(p), Some(day)) => p.elapsed_days(day.min(p.last())).max(0),
        (None, Some(_)) => 0,
        (_, None) => 0,
    };
    let projected = match (days_total, days_reported) {
        (Some(total), reported) if reported > 0 => {
            let cents = (i128::from(spent.cents) * i128::from(total) + i128::from(reported) / 2) / i128::from(reported);
            Some(Money::new(i64::try_from(cents).unwrap_or(i64::MAX), spent.currency))
        }
        _ => None,
    };
    let status = if spent.cents > budget.cents {
        PacingStatus::OverBudget
    } else if reported_until.is_none() {
        PacingStatus::NotStarted
    } else {
        match projected {
            // Undated: spent within the budget is all that can be said.
            None => PacingStatus::OnPace,
            Some(p) if p.cents * 10 > budget.cents * 11 => PacingStatus::Over,
            Some(p) if p.cents * 10 < budget.cents * 9 => PacingStatus::Under,
            Some(_) => PacingStatus::OnPace,
        }
    };
    Ok(Pacing { budget, spent, share_spent, days_reported, days_total, projected, status })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kpi::Currency;

    fn eur(cents: i64) -> Money {
        Money::new(cents, Currency::EUR)
    }

    #[test]
    fn a_campaign_s_figures() {
        // 150 € spent, 40,000 impressions, 600 clicks, 24 sales, 720 € of revenue.
        // CTR: 600 / 40000 = 0.015.
        assert_eq!(click_through_rate(600, 40_000).value(), Ok(Value::Percent(0.015)));
        // CPC: 15000 cents / 600 = 25 cents.
        assert_eq!(cost_per_click(eur(15_000), 600).value(), Ok(Value::Money(eur(25))));
        // CPA: 15000 / 24 = 625 cents.
        assert_eq!(cost_per_acquisition(eur(15_000), 24).value(), Ok(Value::Money(eur(625))));
        // ROAS: 72000 / 15000 = 4.8.
        assert_eq!(return_on_ad_spend(eur(72_000), eur(15_000)).value(), Ok(Value::Ratio(4.8)));
        // CPC of 100 € over 7 clicks: 10000 / 7 = 1428.57… → 1429 cents.
        assert_eq!(cost_per_click(eur(10_000), 7).value(), Ok(Value::Money(eur(1429))));
    }

    #[test]
    fn dividing_by_nothing_says_what_is_missing() {
        assert_eq!(click_through_rate(0, 0).value(), Err(NotAvailable::Zero(Base::Impressions)));
        assert_eq!(cost_per_click(eur(500), 0).value(), Err(NotAvailable::Zero(Base::Clicks)));
        assert_eq!(cost_per_acquisition(eur(500), 0).value(), Err(NotAvailable::Zero(Base::Conversions)));
        assert_eq!(return_on_ad_spend(eur(500), eur(0)).value(), Err(NotAvailable::Zero(Base::AdSpend)));
        // Nothing spent, nothing clicked: a cost of zero per click is still no click.
        assert_eq!(cost_per_click(eur(0), 0).value(), Err(NotAvailable::Zero(Base::Clicks)));
        // Free clicks cost nothing each.
        assert_eq!(cost_per_click(eur(0), 10).value(), Ok(Value::Money(eur(0))));
    }

    #[test]
    fn roas_refuses_two_currencies() {
        let usd = Money::new(1000, Currency::USD);
        assert_eq!(return_on_ad_spend(usd, eur(500)).value(), Err(NotAvailable::CurrencyMismatch(Currency::USD, Currency::EUR)));
    }

    #[test]
    fn pacing_projects_the_average_daily_spend_to_the_last_day() {
        let june = Period::new(jiff::civil::date(2026, 6, 1), jiff::civil::date(2026, 6, 30)).ok();
        // 1,000 € budget over 30 days; 400 € spent in the first 10 days: 40 €/day × 30 = 1,200 €.
        let p = pacing(eur(100_000), eur(40_000), june, Some(jiff::civil::date(2026, 6, 10))).unwrap();
        assert_eq!((p.days_reported, p.days_total), (10, Some(30)));
        assert_eq!(p.projected, Some(eur(120_000)));
        assert_eq!(p.share_spent, Some(0.4));
        // 1,200 > 1,100: heading over.
        assert_eq!(p.status, PacingStatus::Over);
        // 300 € in 10 days: 900 €, exactly 90 %: on pace.
        let p = pacing(eur(100_000), eur(30_000), june, Some(jiff::civil::date(2026, 6, 10))).unwrap();
        assert_eq!((p.projected, p.status), (Some(eur(90_000)), PacingStatus::OnPace));
        // 100 € in 7 days: 100 / 7 × 30 = 428.57… → 428.57 €: under.
        let p = pacing(eur(100_000), eur(10_000), june, Some(jiff::civil::date(2026, 6, 7))).unwrap();
        assert_eq!((p.projected, p.status), (Some(eur(42_857)), PacingStatus::Under));
        // Results reported after the end count the whole campaign.
        let p = pacing(eur(100_000), eur(99_000), june, Some(jiff::civil::date(2026, 7, 3))).unwrap();
        assert_eq!((p.days_reported, p.projected, p.status), (30, Some(eur(99_000)), PacingStatus::OnPace));
    }

    #[test]
    fn pacing_without_dates_results_or_one_currency() {
        let p = pacing(eur(50_000), eur(0), None, None).unwrap();
        assert_eq!((p.projected, p.status), (None, PacingStatus::NotStarted));
        let p = pacing(eur(50_000), eur(60_000), None, Some(jiff::civil::date(2026, 6, 3))).unwrap();
        assert_eq!((p.share_spent, p.status), (Some(1.2), PacingStatus::OverBudget));
        let p = pacing(eur(0), eur(0), None, Some(jiff::civil::date(2026, 6, 3))).unwrap();
        assert_eq!((p.share_spent, p.status), (None, PacingStatus::OnPace));
        let usd = Money::new(100, Currency::USD);
        assert_eq!(pacing(eur(100), usd, None, None), Err(NotAvailable::CurrencyMismatch(Currency::USD, Currency::EUR)));
    }
}
