//! What a paid campaign sets out to do: its objective, its budget and whom it targets. The
//! results it brings are in [`crate::campaign_results`], the KPIs in [`crate::kpi::campaigns`].

use crate::kpi::{Currency, Money};
use crate::values::Locale;
use crate::values::ValidationError;

/// The objective chosen in the ad manager, which says which KPI judges the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CampaignObjective {
    Awareness,
    Traffic,
    Engagement,
    Leads,
    Conversions,
    Sales,
    AppInstalls,
}

impl CampaignObjective {
    pub const ALL: [CampaignObjective; 7] = [
        CampaignObjective::Awareness,
        CampaignObjective::Traffic,
        CampaignObjective::Engagement,
        CampaignObjective::Leads,
        CampaignObjective::Conversions,
        CampaignObjective::Sales,
        CampaignObjective::AppInstalls,
    ];

    /// The stable key stored in the database and used in forms and the API.
    pub fn key(self) -> &'static str {
        match self {
            CampaignObjective::Awareness => "awareness",
            CampaignObjective::Traffic => "traffic",
            CampaignObjective::Engagement => "engagement",
            CampaignObjective::Leads => "leads",
            CampaignObjective::Conversions => "conversions",
            CampaignObjective::Sales => "sales",
            CampaignObjective::AppInstalls => "app_installs",
        }
    }

    pub fn from_key(key: &str) -> Option<CampaignObjective> {
        CampaignObjective::ALL.into_iter().find(|o| o.key() == key)
    }

    pub fn name(self, locale: Locale) -> &'static str {
        let (fr, en) = match self {
            CampaignObjective::Awareness => ("Notoriété", "Awareness"),
            CampaignObjective::Traffic => ("Trafic", "Traffic"),
            CampaignObjective::Engagement => ("Interactions", "Engagement"),
            CampaignObjective::Leads => ("Prospects", "Leads"),
            CampaignObjective::Conversions => ("Conversions", "Conversions"),
            CampaignObjective::Sales => ("Ventes", "Sales"),
            CampaignObjective::AppInstalls => ("Installations d'application", "App installs"),
        };
        match locale {
            Locale::Fr => fr,
            Locale::En => en,
        }
    }
}

/// The longest targeting description, and the longest list of places.
pub const TARGETING_MAX: usize = 2000;
pub const LOCATIONS_MAX: usize = 500;
/// The ages ad managers offer: 13 to 65, where 65 means "65 and over".
pub const AGE_MIN: u8 = 13;
pub const AGE_MAX: u8 = 65;

/// A campaign's plan, validated: an amount and the results are in `currency`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignPlan {
    pub objective: Option<CampaignObjective>,
    /// The whole campaign's budget (not a daily one).
    pub budget: Option<Money>,
    pub currency: Currency,
    /// Whom the campaign targets, as the SMM describes it (interests, lookalikes, exclusions).
    pub targeting: String,
    /// Places targeted, as written ("France, Belgique").
    pub locations: String,
    pub age_min: Option<u8>,
    pub age_max: Option<u8>,
}

impl CampaignPlan {
    /// Checks every field and reports each problem with its field.
    pub fn new(
        objective: Option<CampaignObjective>,
        budget_cents: Option<i64>,
        currency: Currency,
        targeting: &str,
        locations: &str,
        ages: (Option<u8>, Option<u8>),
    ) -> Result<CampaignPlan, Vec<ValidationError>> {
        let mut errors = vec![];
        if budget_cents.is_some_and(|c| c < 0) {
            errors.push(ValidationError::new("budget", "error-campaign-budget", "a budget cannot be negative"));
        }
        let (targeting, locations) = (targeting.trim(), locations.trim());
        if targeting.chars().count() > TARGETING_MAX {
            errors.push(ValidationError::new(
                "targeting",
                "error-campaign-targeting",
                format!("the targeting is longer than {TARGETING_MAX} characters"),
            ));
        }
        if locations.chars().count() > LOCATIONS_MAX {
            errors.push(ValidationError::new(
                "locations",
                "error-campaign-locations",
                format!("the places are longer than {LOCATIONS_MAX} characters"),
            ));
        }
        for (field, age) in [("age_min", ages.0), ("age_max", ages.1)] {
            if age.is_some_and(|a| !(AGE_MIN..=AGE_MAX).contains(&a)) {
                errors.push(ValidationError::new(field, "error-campaign-age", format!("an age is between {AGE_MIN} and {AGE_MAX}")));
            }
        }
        if let (Some(min), Some(max)) = ages
            && min > max
        {
            errors.push(ValidationError::new(
                "age_max",
                "error-campaign-age-order",
                format!("the oldest age {max} is below the youngest {min}"),
            ));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(CampaignPlan {
            objective,
            budget: budget_cents.map(|c| Money::new(c, currency)),
            currency,
            targeting: targeting.to_string(),
            locations: locations.to_string(),
            age_min: ages.0,
            age_max: ages.1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objectives_have_keys_and_names() {
        for o in CampaignObjective::ALL {
            assert_eq!(CampaignObjective::from_key(o.key()), Some(o));
            assert!(!o.name(Locale::Fr).is_empty() && !o.name(Locale::En).is_empty());
        }
        assert_eq!(CampaignObjective::from_key("fame"), None);
    }

    #[test]
    fn a_plan_reports_every_bad_field() {
        let long = "x".repeat(TARGETING_MAX + 1);
        let errors = CampaignPlan::new(None, Some(-1), Currency::EUR, &long, "", (Some(12), Some(70))).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["budget", "targeting", "age_min", "age_max"]);
        let backwards = CampaignPlan::new(None, None, Currency::EUR, "", "", (Some(40), Some(25))).unwrap_err();
        assert_eq!(backwards[0].code, "error-campaign-age-order");
        let plan = CampaignPlan::new(
            Some(CampaignObjective::Sales),
            Some(150_000),
            Currency::EUR,
            " Intérêts : café ",
            "France",
            (Some(25), Some(65)),
        )
        .unwrap();
        assert_eq!(plan.budget, Some(Money::new(150_000, Currency::EUR)));
        assert_eq!(plan.targeting, "Intérêts : café");
    }
}
