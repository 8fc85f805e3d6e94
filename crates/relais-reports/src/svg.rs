//! What every chart shares: XML escaping, the frame with its accessible title and description,
//! and the "no data" face.

use relais_core::kpi::{Currency, Unit, Value};
use relais_core::values::Locale;
use std::fmt::Write;

pub(crate) const WIDTH: f64 = 720.0;
pub(crate) const HEIGHT: f64 = 360.0;
/// Plot area margins: room for the title above, tick labels and axis titles around.
pub(crate) const LEFT: f64 = 84.0;
pub(crate) const RIGHT: f64 = 24.0;
pub(crate) const TOP: f64 = 48.0;
pub(crate) const BOTTOM: f64 = 64.0;
pub(crate) const DEFAULT_COLOUR: &str = "#1d4ed8";
pub(crate) const MUTED: &str = "#6b7280";
pub(crate) const GRID: &str = "#e5e7eb";
pub(crate) const INK: &str = "#111827";
/// Named families first (typst's SVG reader ignores generic ones and falls back to the
/// document's font); browsers pick the first they have.
pub(crate) const FONT: &str = "Inter, 'Helvetica Neue', Arial, 'Libertinus Serif', sans-serif";

/// Text safe inside XML elements and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines are not allowed in XML 1.0.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// The opening of a chart: `role="img"` and `aria-labelledby` so screen readers announce the
/// title and description, then a white background and the visible title.
pub(crate) fn open(out: &mut String, id: &str, title: &str, desc: &str) {
    let (title, desc) = (escape(title), escape(desc));
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{id}-title {id}-desc" font-family="{FONT}" font-size="12">"#
    );
    let _ = write!(out, r#"<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>"#);
    let _ = write!(out, r##"<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>"##);
    let _ = write!(out, r#"<text x="{LEFT}" y="28" font-size="16" font-weight="bold" fill="{INK}">{title}</text>"#);
}

pub(crate) fn close(out: &mut String) {
    out.push_str("</svg>");
}

/// A chart with nothing to show says so in words, keeping its title, rather than drawing empty
/// axes that read as "zero".
pub(crate) fn empty(id: &str, title: &str, locale: Locale) -> String {
    let message = no_data(locale);
    let mut out = String::new();
    open(&mut out, id, title, message);
    let _ = write!(
        out,
        r##"<rect x="{LEFT}" y="{TOP}" width="{}" height="{}" fill="#f9fafb" stroke="{GRID}"/>"##,
        WIDTH - LEFT - RIGHT,
        HEIGHT - TOP - BOTTOM
    );
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" text-anchor="middle" font-size="14" fill="{MUTED}">{}</text>"#,
        (LEFT + WIDTH - RIGHT) / 2.0,
        (TOP + HEIGHT - BOTTOM) / 2.0,
        escape(message)
    );
    close(&mut out);
    out
}

pub(crate) fn no_data(locale: Locale) -> &'static str {
    match locale {
        Locale::Fr => "Aucune donnée pour cette période",
        Locale::En => "No data for this period",
    }
}

/// A plain number of `unit` as the reader sees it (`12 345`, `4,2 %`, `12,34 €`), through the
/// KPI module so axes, tooltips and pages agree.
pub(crate) fn number(unit: Unit, x: f64, currency: Option<Currency>, locale: Locale) -> String {
    match Value::from_number(unit, x, currency) {
        Some(v) => v.display(locale),
        // Money without a currency: show the cents as a count rather than nothing.
        None => Value::from_number(Unit::Count, x, None).map(|v| v.display(locale)).unwrap_or_default(),
    }
}

/// The id that ties a chart's `<title>` to its `aria-labelledby`: unique enough within a page
/// that shows several charts, and stable for the same chart (no randomness in output).
pub(crate) fn chart_id(kind: &str, title: &str) -> String {
    let hash = title.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3));
    format!("{kind}-{:08x}", hash as u32)
}

/// Horizontal grid lines with their labels on the left, for a value axis from ticks.
pub(crate) fn value_axis(
    out: &mut String,
    ticks: &[f64],
    y_of: impl Fn(f64) -> f64,
    unit: Unit,
    currency: Option<Currency>,
    locale: Locale,
    axis_title: &str,
) {
    for &t in ticks {
        let y = y_of(t);
        let _ = write!(out, r#"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="{GRID}"/>"#, WIDTH - RIGHT);
        let _ = write!(
            out,
            r#"<text x="{}" y="{:.1}" text-anchor="end" fill="{MUTED}">{}</text>"#,
            LEFT - 8.0,
            y + 4.0,
            escape(&number(unit, t, currency, locale))
        );
    }
    let middle = (TOP + HEIGHT - BOTTOM) / 2.0;
    let _ = write!(
        out,
        r#"<text x="16" y="{middle:.1}" transform="rotate(-90 16 {middle:.1})" text-anchor="middle" fill="{INK}">{}</text>"#,
        escape(axis_title)
    );
}

/// The title under the horizontal axis.
pub(crate) fn x_axis_title(out: &mut String, title: &str) {
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{}" text-anchor="middle" fill="{INK}">{}</text>"#,
        (LEFT + WIDTH - RIGHT) / 2.0,
        HEIGHT - 12.0,
        escape(title)
    );
}

/// The unit shown after an axis title: `(%)`, `(€)`; counts need none.
pub(crate) fn unit_suffix(unit: Unit, currency: Option<Currency>, locale: Locale) -> String {
    let name = match (unit, locale) {
        (Unit::Count, _) => return String::new(),
        (Unit::Percent, _) => "%".to_string(),
        (Unit::Money, _) => currency.map(|c| c.symbol().map(str::to_string).unwrap_or_else(|| c.to_string())).unwrap_or_default(),
        (Unit::Duration, _) => return String::new(),
        (Unit::PerWeek, Locale::Fr) => "par semaine".to_string(),
        (Unit::PerWeek, Locale::En) => "per week".to_string(),
        (Unit::Ratio, _) => "×".to_string(),
    };
    if name.is_empty() { String::new() } else { format!(" ({name})") }
}

/// `lundi 14 h : 12` / `Monday 2 pm: 12`: French puts a space before the colon.
pub(crate) fn label_value(locale: Locale, label: &str, value: &str) -> String {
    match locale {
        Locale::Fr => format!("{label}\u{a0}: {value}"),
        Locale::En => format!("{label}: {value}"),
    }
}
