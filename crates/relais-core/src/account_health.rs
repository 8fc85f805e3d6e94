//! An account's health as the accounts page shows it, from what Relais recorded of it: paused
//! (the network refused its credentials), rate limited (the network asked to wait), token
//! expiring (the network said when the credentials end), connected, or never checked.

/// How close an expiry must be before the page warns.
pub const EXPIRY_WARNING_MS: i64 = 7 * 24 * 3_600_000;

/// What Relais knows of an account, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthFacts<'a> {
    pub paused: bool,
    pub pause_reason: Option<&'a str>,
    /// Until when the network asked not to call it (milliseconds since epoch).
    pub rate_limited_until: Option<i64>,
    /// When the credentials stop working, where the network said so.
    pub credentials_expire_at: Option<i64>,
    /// Last successful "test connection" (or check at connect time).
    pub checked_at: Option<i64>,
    /// The last check's failure, in the network's words, when it did not pause the account
    /// (the network could not be reached, say).
    pub check_error: Option<&'a str>,
}

/// The badge, most urgent first: a paused account cannot publish at all; a rate-limited one
/// publishes later; an expiring token will pause the account soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Paused { reason: Option<String> },
    RateLimited { until: i64 },
    TokenExpiring { at: i64 },
    CheckFailed { error: String },
    Connected { checked_at: Option<i64> },
}

impl Health {
    pub fn of(facts: &HealthFacts<'_>, now: i64) -> Health {
        if facts.paused {
            return Health::Paused { reason: facts.pause_reason.map(str::to_string) };
        }
        if let Some(until) = facts.rate_limited_until.filter(|u| *u > now) {
            return Health::RateLimited { until };
        }
        if let Some(at) = facts.credentials_expire_at.filter(|at| *at - now <= EXPIRY_WARNING_MS) {
            return Health::TokenExpiring { at };
        }
        if let Some(error) = facts.check_error {
            return Health::CheckFailed { error: error.to_string() };
        }
        Health::Connected { checked_at: facts.checked_at }
    }

    /// Stable key, for CSS classes and the API.
    pub fn key(&self) -> &'static str {
        match self {
            Health::Paused { .. } => "paused",
            Health::RateLimited { .. } => "rate_limited",
            Health::TokenExpiring { .. } => "token_expiring",
            Health::CheckFailed { .. } => "check_failed",
            Health::Connected { .. } => "connected",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;
    const DAY: i64 = 24 * 3_600_000;

    #[test]
    fn a_paused_account_is_paused_whatever_else_is_known() {
        let facts = HealthFacts {
            paused: true,
            pause_reason: Some("token revoked"),
            rate_limited_until: Some(NOW + 60_000),
            credentials_expire_at: Some(NOW + DAY),
            ..HealthFacts::default()
        };
        assert_eq!(Health::of(&facts, NOW), Health::Paused { reason: Some("token revoked".into()) });
    }

    #[test]
    fn a_rate_limit_counts_only_until_it_ends() {
        let facts = HealthFacts { rate_limited_until: Some(NOW + 60_000), ..HealthFacts::default() };
        assert_eq!(Health::of(&facts, NOW).key(), "rate_limited");
        assert_eq!(Health::of(&facts, NOW + 60_000).key(), "connected");
    }

    #[test]
    fn expiry_warns_from_seven_days_before() {
        let facts = HealthFacts { credentials_expire_at: Some(NOW + 7 * DAY), checked_at: Some(NOW), ..HealthFacts::default() };
        assert_eq!(Health::of(&facts, NOW), Health::TokenExpiring { at: NOW + 7 * DAY });
        assert_eq!(Health::of(&facts, NOW - 1), Health::Connected { checked_at: Some(NOW) });
        // Already past: still the expiry badge (the next call will pause the account).
        assert_eq!(Health::of(&facts, NOW + 8 * DAY).key(), "token_expiring");
    }

    #[test]
    fn a_failed_check_shows_until_a_good_one_clears_it() {
        let facts = HealthFacts { check_error: Some("timeout"), ..HealthFacts::default() };
        assert_eq!(Health::of(&facts, NOW), Health::CheckFailed { error: "timeout".into() });
        assert_eq!(Health::of(&HealthFacts::default(), NOW), Health::Connected { checked_at: None });
    }
}
