//! Listening: how much of the conversation is about the brand.

use super::{Base, Figure, Kpi, NotAvailable, Value};

/// Share of voice = brand mentions / (brand mentions + the competitors' mentions), over the same
/// sources and period; not available when nobody mentioned anyone.
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
}
