//! Validated values: once constructed they are known to be good, so no later layer checks again.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A value that was refused, naming the field and the reason. `code` is a stable message id the
/// web layer translates; `Display` gives the English text for logs, the CLI and the API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

impl ValidationError {
    pub fn new(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        Self { field, code, message: message.into() }
    }
}

/// An email address, trimmed and lower-cased so that sign-in is case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim().to_lowercase();
        let bad = |why: &str| ValidationError::new("email", "error-email-invalid", format!("{s:?} is not an email address: {why}"));
        if s.len() > 254 {
            return Err(bad("longer than 254 characters"));
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(bad("it has no @"));
        };
        if local.is_empty() || domain.is_empty() || domain.contains('@') {
            return Err(bad("it needs one @ between a name and a domain"));
        }
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
            return Err(bad("the domain needs a dot, as in example.org"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("it contains spaces"));
        }
        Ok(Email(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}
impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}
impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A display name (of a person, organisation or workspace): trimmed, 1 to 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name(String);

impl Name {
    pub const MAX: usize = 100;
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValidationError::new(field, "error-required", format!("{field} is required")));
        }
        let n = s.chars().count();
        if n > Self::MAX {
            return Err(ValidationError::new(field, "error-too-long", format!("{field} has {n} characters; the limit is {}", Self::MAX)));
        }
        Ok(Name(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

/// An IANA time zone name that this build knows, such as `Europe/Paris`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        match jiff::tz::TimeZone::get(s) {
            Ok(_) => Ok(TimeZoneName(s.to_string())),
            Err(_) => Err(ValidationError::new(
                "time_zone",
                "error-time-zone",
                format!("{s:?} is not a known time zone; use a name such as Europe/Paris"),
            )),
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn tz(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0).expect("validated at construction")
    }
}

/// A colour as `#rrggbb`, stored lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Colour(String);

impl Colour {
    pub fn parse(field: &'static str, raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim().to_ascii_lowercase();
        let ok = s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
        if ok {
            Ok(Colour(s))
        } else {
            Err(ValidationError::new(field, "error-colour", format!("{raw:?} is not a colour; write it as #rrggbb, for example #1d4ed8")))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The share of the calendar a content pillar aims at, in percent: empty for none, else 0 to 100.
pub fn parse_target_share(raw: &str) -> Result<Option<u8>, ValidationError> {
    let raw = raw.trim().trim_end_matches('%').trim();
    if raw.is_empty() {
        return Ok(None);
    }
    match raw.parse::<i64>() {
        Ok(n) if (0..=100).contains(&n) => Ok(Some(n as u8)),
        _ => Err(ValidationError::new(
            "target_share",
            "error-target-share",
            format!("target_share is {raw:?}; it must be a whole percentage between 0 and 100, or empty"),
        )),
    }
}

/// The languages the interface speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    #[default]
    Fr,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Fr, Locale::En];
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Fr => "fr",
            Locale::En => "en",
        }
    }
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "fr" => Ok(Locale::Fr),
            "en" => Ok(Locale::En),
            _ => Err(ValidationError::new("locale", "error-locale", format!("{raw:?} is not a supported language; use fr or en"))),
        }
    }

    /// The best supported language for an `Accept-Language` header, honouring q-values;
    /// French when nothing matches, since our users are French-speaking first.
    pub fn from_accept_language(header: &str) -> Locale {
        let mut best: Option<(f32, Locale)> = None;
        for part in header.split(',') {
            let mut bits = part.split(';');
            let tag = bits.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = bits.find_map(|b| b.trim().strip_prefix("q=").and_then(|v| v.parse::<f32>().ok())).unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let Ok(locale) = Locale::parse(primary) else { continue };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, locale));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }
}

/// A new password: at least 10 characters, at most 1024 (argon2 hashes whatever it gets, and an
/// unbounded input is a denial-of-service lever).
pub fn check_new_password(pw: &str) -> Result<(), ValidationError> {
    let n = pw.chars().count();
    if n < 10 {
        return Err(ValidationError::new(
            "password",
            "error-password-short",
            format!("the password has {n} characters; it needs at least 10"),
        ));
    }
    if pw.len() > 1024 {
        return Err(ValidationError::new("password", "error-password-long", "the password is longer than 1024 bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_bad_ones_say_why() {
        assert_eq!(Email::parse("  Alice@Example.ORG ").unwrap().as_str(), "alice@example.org");
        let e = Email::parse("alice.example.org").unwrap_err();
        assert_eq!(e.field, "email");
        assert!(e.message.contains("no @"), "{}", e.message);
        assert!(Email::parse("a@b").is_err());
        assert!(Email::parse("a b@c.org").is_err());
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("name", "  Banque ").unwrap().as_str(), "Banque");
        assert_eq!(Name::parse("name", "  ").unwrap_err().code, "error-required");
        let long = "é".repeat(101);
        assert!(Name::parse("name", &long).unwrap_err().message.contains("101"));
    }

    #[test]
    fn time_zones_must_exist() {
        assert!(TimeZoneName::parse("Europe/Paris").is_ok());
        assert!(TimeZoneName::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn colours_are_hex_triplets() {
        assert_eq!(Colour::parse("c", "#A1B2C3").unwrap().as_str(), "#a1b2c3");
        assert!(Colour::parse("c", "red").is_err());
        assert!(Colour::parse("c", "#12345g").is_err());
    }

    #[test]
    fn accept_language_picks_the_preferred_supported_language() {
        assert_eq!(Locale::from_accept_language("en-GB,en;q=0.9,fr;q=0.8"), Locale::En);
        assert_eq!(Locale::from_accept_language("de-DE,fr;q=0.5,en;q=0.4"), Locale::Fr);
        assert_eq!(Locale::from_accept_language("de-DE"), Locale::Fr);
        assert_eq!(Locale::from_accept_language("en;q=0.2, fr-CA;q=0.9"), Locale::Fr);
        assert_eq!(Locale::from_accept_language(""), Locale::Fr);
    }

    #[test]
    fn a_target_share_is_a_percentage_or_nothing() {
        assert_eq!(parse_target_share("").unwrap(), None);
        assert_eq!(parse_target_share(" 40 % ").unwrap(), Some(40));
        assert_eq!(parse_target_share("100").unwrap(), Some(100));
        for bad in ["101", "-5", "quarante", "12.5"] {
            assert_eq!(parse_target_share(bad).unwrap_err().field, "target_share", "{bad}");
        }
    }

    #[test]
    fn passwords_need_ten_characters() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("assez-long-pour-passer").is_ok());
    }
}
