//! A figure: a KPI with its value or the reason it has none, rendered the same way everywhere.

use super::{Currency, Kpi, Money, Unit};
use crate::values::Locale;
use std::fmt;

/// The value of a KPI, typed by its unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Count(i64),
    /// A fraction: 0.042 is 4.2 %.
    Percent(f64),
    Money(Money),
    /// Milliseconds.
    Duration(i64),
    PerWeek(f64),
    Ratio(f64),
}

impl Value {
    pub fn unit(&self) -> Unit {
        match self {
            Value::Count(_) => Unit::Count,
            Value::Percent(_) => Unit::Percent,
            Value::Money(_) => Unit::Money,
            Value::Duration(_) => Unit::Duration,
            Value::PerWeek(_) => Unit::PerWeek,
            Value::Ratio(_) => Unit::Ratio,
        }
    }

    /// The plain number, for CSV, XLSX, charts and trends: the count, the fraction (not the
    /// percentage), cents, milliseconds, posts per week, the multiple.
    pub fn number(&self) -> f64 {
        match *self {
            Value::Count(n) | Value::Duration(n) => n as f64,
            Value::Money(m) => m.cents as f64,
            Value::Percent(x) | Value::PerWeek(x) | Value::Ratio(x) => x,
        }
    }

    /// The value of `unit` for a plain number (see [`Value::number`]); counts, cents and
    /// milliseconds are rounded to the nearest whole. `None` for a number that is not finite, or
    /// for money without a currency.
    pub fn from_number(unit: Unit, number: f64, currency: Option<Currency>) -> Option<Value> {
        if !number.is_finite() {
            return None;
        }
        // `as` saturates out of range, which is the best a figure that large can show.
        let whole = number.round() as i64;
        Some(match unit {
            Unit::Count => Value::Count(whole),
            Unit::Percent => Value::Percent(number),
            Unit::Money => Value::Money(Money::new(whole, currency?)),
            Unit::Duration => Value::Duration(whole),
            Unit::PerWeek => Value::PerWeek(number),
            Unit::Ratio => Value::Ratio(number),
        })
    }

    pub fn currency(&self) -> Option<Currency> {
        match self {
            Value::Money(m) => Some(m.currency),
            _ => None,
        }
    }

    /// The value as a reader sees it: `4.2%` / `4,2 %`, `€12.34` / `12,34 €`, `1 h 05 min`,
    /// `3.5 / week` / `3,5 / semaine`, `4.25×`, `12,345` / `12 345`.
    pub fn display(&self, locale: Locale) -> String {
        // French separates thousands and units with a narrow no-break space.
        const NNBSP: char = '\u{202F}';
        match *self {
            Value::Count(n) => group(&n.to_string(), locale),
            Value::Percent(x) => match locale {
                Locale::Fr => format!("{}{NNBSP}%", decimal(x * 100.0, 1, locale)),
                Locale::En => format!("{}%", decimal(x * 100.0, 1, locale)),
            },
            Value::Money(m) => {
                let amount = decimal(m.cents as f64 / 100.0, 2, locale);
                match (locale, m.currency.symbol()) {
                    (Locale::Fr, Some(symbol)) => format!("{amount}{NNBSP}{symbol}"),
                    (Locale::En, Some(symbol)) => match amount.strip_prefix('-') {
                        Some(positive) => format!("-{symbol}{positive}"),
                        None => format!("{symbol}{amount}"),
                    },
                    (Locale::Fr, None) => format!("{amount}{NNBSP}{}", m.currency),
                    (Locale::En, None) => format!("{amount} {}", m.currency),
                }
            }
            Value::Duration(ms) => duration(ms, locale),
            Value::PerWeek(x) => match locale {
                Locale::Fr => format!("{} / semaine", decimal(x, 1, locale)),
                Locale::En => format!("{} / week", decimal(x, 1, locale)),
            },
            Value::Ratio(x) => format!("{}×", decimal(x, 2, locale)),
        }
    }
}

/// `x` with `places` decimals, thousands grouped, in the locale's notation.
fn decimal(x: f64, places: usize, locale: Locale) -> String {
    let text = format!("{x:.places$}");
    let text = if text.trim_start_matches(['-', '0', '.']).is_empty() { text.trim_start_matches('-').to_string() } else { text };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let whole = group(whole, locale);
    match (fraction.is_empty(), locale) {
        (true, _) => whole,
        (false, Locale::Fr) => format!("{whole},{fraction}"),
        (false, Locale::En) => format!("{whole}.{fraction}"),
    }
}

/// Digits grouped by three: `12,345` in English, `12 345` (narrow no-break space) in French.
fn group(digits: &str, locale: Locale) -> String {
    let (sign, digits) = digits.strip_prefix('-').map_or(("", digits), |d| ("-", d));
    let separator = match locale {
        Locale::Fr => '\u{202F}',
        Locale::En => ',',
    };
    let mut out = String::from(sign);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// `45 s`, `12 min`, `1 h 05 min`, `2 d 3 h` (`2 j 3 h` in French), rounded down to the unit shown.
fn duration(ms: i64, locale: Locale) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let seconds = ms.unsigned_abs() / 1000;
    let (minutes, hours, days) = (seconds / 60, seconds / 3600, seconds / 86_400);
    let day = match locale {
        Locale::Fr => "j",
        Locale::En => "d",
    };
    if days > 0 {
        format!("{sign}{days} {day} {} h", hours % 24)
    } else if hours > 0 {
        format!("{sign}{hours} h {:02} min", minutes % 60)
    } else if minutes > 0 {
        format!("{sign}{minutes} min")
    } else {
        format!("{sign}{seconds} s")
    }
}

/// What a ratio is missing when it has nothing to divide by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Base {
    Followers,
    Reach,
    Impressions,
    MessagesReceived,
    AnsweredMessages,
    Mentions,
    Clicks,
    Conversions,
    AdSpend,
    Posts,
}

impl fmt::Display for Base {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Base::Followers => "followers",
            Base::Reach => "reach",
            Base::Impressions => "impressions",
            Base::MessagesReceived => "messages received",
            Base::AnsweredMessages => "answered messages",
            Base::Mentions => "mentions",
            Base::Clicks => "clicks",
            Base::Conversions => "conversions",
            Base::AdSpend => "ad spend",
            Base::Posts => "posts",
        })
    }
}

/// Why a figure has no value. A page shows "n/a" with this reason as its explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotAvailable {
    /// A ratio whose denominator is zero: no impressions, no followers at the start…
    #[error("no {0} in the period, so there is nothing to divide by")]
    Zero(Base),
    /// The network never gave the measure (Bluesky and Mastodon report no reach).
    #[error("the networks of this scope do not report {0}")]
    NotReported(Base),
    #[error("the amounts are in {0} and {1}; Relais does not convert currencies")]
    CurrencyMismatch(Currency, Currency),
    /// A change rate against a previous value of zero.
    #[error("the previous period's value is zero, so the change cannot be a percentage")]
    PreviousIsZero,
    #[error("{0} and {1} are different KPIs and cannot be compared")]
    NotComparable(Kpi, Kpi),
}

/// A KPI and its value (or why it has none): what every page, chart, CSV, XLSX and PDF shows.
/// Built only by this module's formulas, so the value's unit is always the KPI's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    kpi: Kpi,
    value: Result<Value, NotAvailable>,
}

impl Figure {
    pub(crate) fn new(kpi: Kpi, value: Result<Value, NotAvailable>) -> Figure {
        if let Ok(v) = &value {
            debug_assert_eq!(v.unit(), kpi.unit(), "{kpi:?} given a {:?}", v.unit());
        }
        Figure { kpi, value }
    }

    /// A figure from a plain number of the KPI's unit (a stored rollup), `None` when the number
    /// is not finite or money comes without a currency.
    pub fn from_number(kpi: Kpi, number: f64, currency: Option<Currency>) -> Option<Figure> {
        Value::from_number(kpi.unit(), number, currency).map(|v| Figure::new(kpi, Ok(v)))
    }

    pub fn kpi(&self) -> Kpi {
        self.kpi
    }

    pub fn value(&self) -> Result<Value, NotAvailable> {
        self.value
    }

    /// The plain number (see [`Value::number`]), `None` when not available.
    pub fn number(&self) -> Option<f64> {
        self.value.ok().map(|v| v.number())
    }

    /// The KPI's name in `locale`: the label that travels with the figure.
    pub fn label(&self, locale: Locale) -> &'static str {
        self.kpi.name(locale)
    }

    /// The value as a reader sees it, or `n/a` (`n.d.` in French).
    pub fn display(&self, locale: Locale) -> String {
        match (&self.value, locale) {
            (Ok(v), _) => v.display(locale),
            (Err(_), Locale::Fr) => "n.d.".to_string(),
            (Err(_), Locale::En) => "n/a".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_the_same_everywhere_in_each_language() {
        let (fr, en) = (Locale::Fr, Locale::En);
        assert_eq!(Value::Percent(0.0423).display(en), "4.2%");
        assert_eq!(Value::Percent(0.0423).display(fr), "4,2\u{202F}%");
        assert_eq!(Value::Count(1_234_567).display(en), "1,234,567");
        assert_eq!(Value::Count(-1234).display(fr), "-1\u{202F}234");
        assert_eq!(Value::Count(999).display(en), "999");
        let eur = |cents| Value::Money(Money::new(cents, Currency::EUR));
        assert_eq!(eur(123_456).display(en), "€1,234.56");
        assert_eq!(eur(123_456).display(fr), "1\u{202F}234,56\u{202F}€");
        assert_eq!(eur(-50).display(en), "-€0.50");
        let chf = Value::Money(Money::new(1005, Currency::parse("CHF").unwrap()));
        assert_eq!(chf.display(en), "10.05 CHF");
        // 3 h 5 min 59 s = 11_159_000 ms, shown to the minute.
        assert_eq!(Value::Duration(11_159_000).display(en), "3 h 05 min");
        assert_eq!(Value::Duration(45_000).display(en), "45 s");
        assert_eq!(Value::Duration(12 * 60_000).display(fr), "12 min");
        // 2 days 3 hours = 183_600_000 ms.
        assert_eq!(Value::Duration(183_600_000).display(fr), "2 j 3 h");
        assert_eq!(Value::PerWeek(3.5).display(fr), "3,5 / semaine");
        assert_eq!(Value::Ratio(4.254).display(en), "4.25×");
        // A tiny negative rounds to zero without a sign.
        assert_eq!(Value::Percent(-0.00001).display(en), "0.0%");
    }

    #[test]
    fn a_figure_without_a_value_says_so_and_why() {
        let f = Figure::new(Kpi::ClickThroughRate, Err(NotAvailable::Zero(Base::Impressions)));
        assert_eq!(f.display(Locale::En), "n/a");
        assert_eq!(f.display(Locale::Fr), "n.d.");
        assert_eq!(f.number(), None);
        assert_eq!(f.value().unwrap_err().to_string(), "no impressions in the period, so there is nothing to divide by");
        assert_eq!(f.label(Locale::En), "Click-through rate (CTR)");
    }

    #[test]
    fn a_figure_from_a_stored_number_takes_the_kpi_unit() {
        let f = Figure::from_number(Kpi::CostPerClick, 41.6, Some(Currency::EUR)).unwrap();
        assert_eq!(f.value(), Ok(Value::Money(Money::new(42, Currency::EUR))));
        assert_eq!(Figure::from_number(Kpi::CostPerClick, 41.6, None), None);
        assert_eq!(Figure::from_number(Kpi::Reach, f64::NAN, None), None);
    }
}
