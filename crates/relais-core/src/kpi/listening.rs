//! Listening: how much of the conversation is about the brand.

use super::{Base, Figure, Kpi, NotAvailable, Value};
use crate::values::{Name, ValidationError};

/// Whose voice a listening query tracks, for share of voice. A query with none watches a topic
/// and counts for no one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Voice {
    Brand,
    /// A competitor, by name: queries with one name count together.
    Competitor(Name),
}

impl Voice {
    /// From a form or the database: `kind` is "", "brand" or "competitor" (which needs a name).
    pub fn parse(kind: &str, competitor: &str) -> Result<Option<Voice>, ValidationError> {
        match kind.trim() {
            "" | "none" => Ok(None),
            "brand" => Ok(Some(Voice::Brand)),
            "competitor" => Name::parse("competitor", competitor).map(|name| Some(Voice::Competitor(name))),
            other => Err(ValidationError::new("voice", "error-voice", format!("{other:?} is not brand or competitor"))),
        }
    }

    /// The stored key: "brand" or "competitor".
    pub fn key(&self) -> &'static str {
        match self {
            Voice::Brand => "brand",
            Voice::Competitor(_) => "competitor",
        }
    }

    pub fn competitor(&self) -> Option<&str> {
        match self {
            Voice::Brand => None,
            Voice::Competitor(name) => Some(name.as_str()),
        }
    }
}

/// Share of voice = brand mentions / all tracked mentions, where all tracked mentions = brand
/// mentions + each competitor's mentions, over the same sources and period; not available when
/// nobody mentioned anyone.
///
/// A mention is a post found by a listening query marked as the brand's or as a competitor's
/// (`relais_store`'s listening voices): a post found by two queries of one name counts once for
/// that name, and a post naming the brand and a competitor counts once for each, so shares of
/// all names add up to 100 %. Posts are counted on the day they were posted.
pub fn share_of_voice(brand: u64, competitors: &[u64]) -> Figure {
    let all = competitors.iter().fold(brand, |sum, &n| sum.saturating_add(n));
    let value = if all == 0 { Err(NotAvailable::Zero(Base::Mentions)) } else { Ok(Value::Percent(brand as f64 / all as f64)) };
    Figure::new(Kpi::ShareOfVoice, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_of_voice_against_competitors() {
        // 30 / (30 + 50 + 20) = 0.3.
        assert_eq!(share_of_voice(30, &[50, 20]).value(), Ok(Value::Percent(0.3)));
        // Alone in the conversation: 12 / 12 = 1; with no competitor listed, the same.
        assert_eq!(share_of_voice(12, &[0]).value(), Ok(Value::Percent(1.0)));
        assert_eq!(share_of_voice(12, &[]).value(), Ok(Value::Percent(1.0)));
        // Only the competitors are mentioned: 0 / 40 = 0.
        assert_eq!(share_of_voice(0, &[40]).value(), Ok(Value::Percent(0.0)));
        assert_eq!(share_of_voice(0, &[0, 0]).value(), Err(NotAvailable::Zero(Base::Mentions)));
    }

    #[test]
    fn a_voice_is_the_brand_or_a_named_competitor() {
        assert_eq!(Voice::parse("", "ignored"), Ok(None));
        assert_eq!(Voice::parse("brand", ""), Ok(Some(Voice::Brand)));
        let rival = Voice::parse("competitor", " Café Rival ").unwrap().unwrap();
        assert_eq!((rival.key(), rival.competitor()), ("competitor", Some("Café Rival")));
        assert_eq!(Voice::parse("competitor", " ").unwrap_err().field, "competitor");
        assert_eq!(Voice::parse("enemy", "x").unwrap_err().field, "voice");
    }
}
