//! A target as people type it in a form or a spreadsheet ("5 %", "1 500,50", "2 h 30", "3,5"),
//! read into the [`Value`] of a KPI's unit, and written back the same way for editing.

use super::{Currency, Kpi, Money, Unit, Value};
use crate::values::ValidationError;

fn refused(message: String) -> ValidationError {
    ValidationError::new("target", "error-objective-target", message)
}

/// A decimal number written the French or the English way: spaces (also narrow and no-break)
/// between thousands, a comma or a point before the decimals.
fn decimal(raw: &str) -> Option<f64> {
    let compact: String = raw.chars().filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '_')).collect();
    if compact.is_empty() || compact.matches([',', '.']).count() > 1 {
        return None;
    }
    compact.replace(',', ".").parse::<f64>().ok().filter(|n| n.is_finite())
}

/// Reads "2 h 30", "2h30", "45 min", "1,5 h" or a bare number of hours as milliseconds.
fn duration_ms(raw: &str) -> Option<i64> {
    let text = raw.to_lowercase().replace("min", "m");
    let text = text.trim();
    const HOUR: f64 = 3_600_000.0;
    const MINUTE: f64 = 60_000.0;
    let ms = if let Some((hours, rest)) = text.split_once('h') {
        let rest = rest.trim().trim_end_matches('m').trim();
        let minutes = if rest.is_empty() { 0.0 } else { decimal(rest)? };
        decimal(hours)? * HOUR + minutes * MINUTE
    } else if let Some(minutes) = text.strip_suffix('m') {
        decimal(minutes)? * MINUTE
    } else {
        decimal(text)? * HOUR
    };
    Some(ms.round() as i64)
}

/// The target of `kpi` typed as `raw`; a money target takes `currency`. The error names the
/// field `target` and says what was expected.
pub fn parse_target(kpi: Kpi, raw: &str, currency: Option<Currency>) -> Result<Value, ValidationError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(refused("the target is missing".into()));
    }
    let unit = kpi.unit();
    let value = match unit {
        Unit::Count => decimal(raw).filter(|n| n.fract() == 0.0).map(|n| Value::Count(n as i64)),
        Unit::Percent => decimal(raw.trim_end_matches('%')).map(|n| Value::Percent(n / 100.0)),
        Unit::Money => {
            let currency = currency.ok_or_else(|| refused(format!("{kpi} is an amount: give its currency")))?;
            let amount = raw.trim_end_matches(['€', '$', '£']).trim_start_matches(['€', '$', '£']);
            decimal(amount).map(|n| Value::Money(Money::new((n * 100.0).round() as i64, currency)))
        }
        Unit::Duration => duration_ms(raw).map(Value::Duration),
        Unit::PerWeek => decimal(raw).map(Value::PerWeek),
        Unit::Ratio => decimal(raw.trim_end_matches(['×', 'x', 'X'])).map(Value::Ratio),
    };
    value.ok_or_else(|| {
        let example = match unit {
            Unit::Count => "a whole number, as in 1 500",
            Unit::Percent => "a percentage, as in 4,5 %",
            Unit::Money => "an amount, as in 1 500,50",
            Unit::Duration => "a duration, as in 2 h, 45 min or 1 h 30",
            Unit::PerWeek => "posts per week, as in 3,5",
            Unit::Ratio => "a multiple, as in 4,2",
        };
        refused(format!("{raw:?} is not {example}"))
    })
}

/// The target as the form shows it for editing: what [`parse_target`] reads back to the same value.
pub fn target_text(value: Value) -> String {
    let trim = |n: f64| {
        let s = format!("{n:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    };
    match value {
        Value::Count(n) => n.to_string(),
        Value::Percent(x) => format!("{} %", trim(x * 100.0)),
        Value::Money(m) => trim(m.cents as f64 / 100.0),
        Value::Duration(ms) => {
            let minutes = (ms as f64 / 60_000.0).round() as i64;
            match (minutes / 60, minutes % 60) {
                (0, m) => format!("{m} min"),
                (h, 0) => format!("{h} h"),
                (h, m) => format!("{h} h {m}"),
            }
        }
        Value::PerWeek(x) | Value::Ratio(x) => trim(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_in_the_kpis_unit_the_french_or_english_way() {
        assert_eq!(parse_target(Kpi::FollowerGrowth, "1 500", None).unwrap(), Value::Count(1500));
        assert_eq!(parse_target(Kpi::FollowerGrowth, "1\u{202f}500", None).unwrap(), Value::Count(1500));
        // 4,5 % is the fraction 0.045.
        assert_eq!(parse_target(Kpi::EngagementRateByReach, "4,5 %", None).unwrap(), Value::Percent(0.045));
        assert_eq!(parse_target(Kpi::EngagementRateByReach, "4.5", None).unwrap(), Value::Percent(0.045));
        // 1 500,50 € is 150 050 cents.
        let cpc = parse_target(Kpi::CostPerClick, "1 500,50 €", Some(Currency::EUR)).unwrap();
        assert_eq!(cpc, Value::Money(Money::new(150_050, Currency::EUR)));
        // 2 h 30 is 9 000 000 ms; 45 min is 2 700 000 ms; 1,5 h is 5 400 000 ms.
        assert_eq!(parse_target(Kpi::ResponseTimeMedian, "2 h 30", None).unwrap(), Value::Duration(9_000_000));
        assert_eq!(parse_target(Kpi::ResponseTimeMedian, "2h30min", None).unwrap(), Value::Duration(9_000_000));
        assert_eq!(parse_target(Kpi::ResponseTimeMedian, "45 min", None).unwrap(), Value::Duration(2_700_000));
        assert_eq!(parse_target(Kpi::ResponseTimeMedian, "1,5 h", None).unwrap(), Value::Duration(5_400_000));
        assert_eq!(parse_target(Kpi::PostingFrequency, "3,5", None).unwrap(), Value::PerWeek(3.5));
        assert_eq!(parse_target(Kpi::ReturnOnAdSpend, "4,2×", None).unwrap(), Value::Ratio(4.2));
    }

    #[test]
    fn a_bad_target_names_the_field_and_what_was_expected() {
        let e = parse_target(Kpi::FollowerGrowth, "12,5", None).unwrap_err();
        assert_eq!(e.field, "target");
        assert!(e.message.contains("whole number"), "{}", e.message);
        let e = parse_target(Kpi::ResponseTimeMedian, "soon", None).unwrap_err();
        assert!(e.message.contains("duration"), "{}", e.message);
        assert!(parse_target(Kpi::EngagementRateByReach, "1,2,3", None).is_err());
        assert!(parse_target(Kpi::FollowerGrowth, "  ", None).unwrap_err().message.contains("missing"));
        let e = parse_target(Kpi::CostPerClick, "2", None).unwrap_err();
        assert!(e.message.contains("currency"), "{}", e.message);
    }

    #[test]
    fn the_text_for_editing_reads_back_to_the_same_target() {
        let cases = [
            (Kpi::FollowerGrowth, Value::Count(1500)),
            (Kpi::EngagementRateByReach, Value::Percent(0.045)),
            (Kpi::CostPerClick, Value::Money(Money::new(150_050, Currency::EUR))),
            (Kpi::ResponseTimeMedian, Value::Duration(9_000_000)),
            (Kpi::ResponseTimeMedian, Value::Duration(2_700_000)),
            (Kpi::ResponseTimeMedian, Value::Duration(7_200_000)),
            (Kpi::PostingFrequency, Value::PerWeek(3.5)),
            (Kpi::ReturnOnAdSpend, Value::Ratio(4.2)),
        ];
        for (kpi, value) in cases {
            let text = target_text(value);
            assert_eq!(parse_target(kpi, &text, value.currency()).unwrap(), value, "{text}");
        }
        assert_eq!(target_text(Value::Duration(9_000_000)), "2 h 30");
        assert_eq!(target_text(Value::Percent(0.045)), "4.5 %");
    }
}
