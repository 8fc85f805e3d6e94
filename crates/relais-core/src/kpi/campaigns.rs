//! Paid campaigns: what the spend bought. Spend and revenue come from the ad managers in the ad
//! account's currency; amounts in two currencies are never divided by each other.

use super::{Base, Figure, Kpi, Money, NotAvailable, Value};

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
}
