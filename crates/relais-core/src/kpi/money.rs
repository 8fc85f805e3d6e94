//! Money as integer cents with its currency: amounts are added and divided exactly, and two
//! currencies are never mixed (Relais does not convert).

use crate::values::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An ISO 4217 currency code, three upper-case letters ("EUR").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const EUR: Currency = Currency(*b"EUR");
    pub const USD: Currency = Currency(*b"USD");
    pub const GBP: Currency = Currency(*b"GBP");

    /// Three letters, any case ("eur" is EUR). Whether the code is assigned is not checked: ad
    /// managers report in the account's currency and Relais only carries it.
    pub fn parse(raw: &str) -> Result<Currency, ValidationError> {
        let code = raw.trim().to_ascii_uppercase();
        match <[u8; 3]>::try_from(code.as_bytes()) {
            Ok(bytes) if bytes.iter().all(u8::is_ascii_uppercase) => Ok(Currency(bytes)),
            _ => Err(ValidationError::new(
                "currency",
                "error-currency",
                format!("{raw:?} is not a currency code; write three letters, as in EUR"),
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).expect("checked to be ASCII letters")
    }

    /// The symbol readers know, when there is one everybody reads the same way.
    pub fn symbol(&self) -> Option<&'static str> {
        match &self.0 {
            b"EUR" => Some("€"),
            b"USD" => Some("$"),
            b"GBP" => Some("£"),
            _ => None,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Currency {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Currency::parse(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_string()
    }
}

/// An amount in cents (hundredths of the currency's unit) and its currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub cents: i64,
    pub currency: Currency,
}

impl Money {
    /// `cents` hundredths of `currency`: `Money::new(1250, Currency::EUR)` is 12.50 €.
    pub fn new(cents: i64, currency: Currency) -> Money {
        Money { cents, currency }
    }

    /// The amount shared out over `n` (a cost per click), rounded to the nearest cent, halves
    /// away from zero, the way ad managers print it; `None` when `n` is 0.
    pub fn divided_by(self, n: u64) -> Option<Money> {
        if n == 0 {
            return None;
        }
        let (cents, n) = (i128::from(self.cents), i128::from(n));
        let rounded = (2 * cents.abs() + n) / (2 * n) * cents.signum();
        // |rounded| ≤ |cents|, so it fits back.
        Some(Money { cents: rounded as i64, currency: self.currency })
    }
}

/// An amount typed the French or the English way, as exact cents: "1 234,56 €", "1,234.56",
/// "1.234,56", "12,5", "-3", "€0.99". The last `,` or `.` followed by one or two digits is the
/// decimal separator; other separators (and spaces) group thousands by three. `None` when it is
/// not an amount, has more than two decimals, or does not fit.
pub fn parse_cents(raw: &str) -> Option<i64> {
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '€' | '$' | '£')).collect();
    let (negative, digits) = match compact.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, compact.as_str()),
    };
    let (whole, fraction) = match digits.rfind([',', '.']) {
        Some(at) if (1..=2).contains(&(digits.len() - at - 1)) => (&digits[..at], &digits[at + 1..]),
        _ => (digits, ""),
    };
    let whole = whole_number(whole)?;
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let fraction: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    let cents = whole.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -cents } else { cents })
}

/// A whole number, its thousands grouped or not ("12345", "12 345", "12,345", "12.345").
pub fn parse_whole(raw: &str) -> Option<i64> {
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}')).collect();
    whole_number(&compact)
}

fn whole_number(text: &str) -> Option<i64> {
    let mut groups = text.split([',', '.']);
    let first = groups.next()?;
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if !digits(first) {
        return None;
    }
    let mut n: i64 = first.parse().ok()?;
    for group in groups {
        // A separator between thousands: "1,5" is not a whole number.
        if group.len() != 3 || !digits(group) {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(group.parse().ok()?)?;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_currency_is_three_letters_in_any_case() {
        assert_eq!(Currency::parse(" eur ").unwrap(), Currency::EUR);
        assert_eq!(Currency::parse("CHF").unwrap().as_str(), "CHF");
        for bad in ["", "EU", "EURO", "E1R", "€"] {
            assert_eq!(Currency::parse(bad).unwrap_err().field, "currency", "{bad:?}");
        }
    }

    #[test]
    fn division_rounds_to_the_nearest_cent() {
        let eur = |cents| Money::new(cents, Currency::EUR);
        // 1000 / 3 = 333.33… → 333
        assert_eq!(eur(1000).divided_by(3), Some(eur(333)));
        // 1001 / 2 = 500.5 → 501 (half away from zero)
        assert_eq!(eur(1001).divided_by(2), Some(eur(501)));
        // -1001 / 2 = -500.5 → -501
        assert_eq!(eur(-1001).divided_by(2), Some(eur(-501)));
        // 5 / 1000 = 0.005 → 0
        assert_eq!(eur(5).divided_by(1000), Some(eur(0)));
        assert_eq!(eur(1000).divided_by(0), None);
        assert_eq!(eur(i64::MAX).divided_by(1), Some(eur(i64::MAX)));
    }

    #[test]
    fn amounts_are_read_the_french_and_the_english_way() {
        assert_eq!(parse_cents("1 234,56 €"), Some(123_456));
        assert_eq!(parse_cents("1\u{202f}234,5"), Some(123_450));
        assert_eq!(parse_cents("1,234.56"), Some(123_456));
        assert_eq!(parse_cents("1.234,56"), Some(123_456));
        assert_eq!(parse_cents("€0.99"), Some(99));
        assert_eq!(parse_cents("12"), Some(1200));
        // Three digits after the only separator: thousands, not decimals.
        assert_eq!(parse_cents("1,234"), Some(123_400));
        assert_eq!(parse_cents("-3,10"), Some(-310));
        for bad in ["", "abc", "12,3456", "1,23,45", "1.2.3", "12 €€ x", ",5", "1e5"] {
            assert_eq!(parse_cents(bad), None, "{bad:?}");
        }
        assert_eq!(parse_whole("12 345"), Some(12_345));
        assert_eq!(parse_whole("12,345"), Some(12_345));
        assert_eq!(parse_whole("1.234.567"), Some(1_234_567));
        assert_eq!(parse_whole("12,5"), None);
        assert_eq!(parse_whole("-4"), None);
    }
}
