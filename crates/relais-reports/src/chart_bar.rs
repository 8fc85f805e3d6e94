//! Categories as vertical bars: posts per pillar, counts per week.

use crate::svg::{self, BOTTOM, DEFAULT_COLOUR, HEIGHT, INK, LEFT, MUTED, RIGHT, TOP, WIDTH, escape};
use crate::{csv_out, ticks};
use relais_core::kpi::{Currency, Unit};
use relais_core::values::{Colour, Locale};
use std::fmt::Write;

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// `Conseils`, `Semaine 12`.
    pub label: String,
    /// A plain number of the chart's unit (see `relais_core::kpi::Value::number`).
    pub value: f64,
}

/// Bars per category, e.g. posts per pillar or per week, in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    pub locale: Locale,
    pub unit: Unit,
    pub currency: Option<Currency>,
    /// What the bars are, under the horizontal axis: `Pilier éditorial`.
    pub x_label: String,
    /// What their height measures: `Publications`; the unit is appended when it has one.
    pub y_label: String,
    pub bars: Vec<Bar>,
    pub colour: Option<Colour>,
}

impl BarChart {
    /// The chart as a standalone SVG document, for a page (inline) or the PDF.
    pub fn to_svg(&self) -> String {
        let id = svg::chart_id("bar", &self.title);
        let bars: Vec<&Bar> = self.bars.iter().filter(|b| b.value.is_finite()).collect();
        if bars.is_empty() {
            return svg::empty(&id, &self.title, self.locale);
        }
        let colour = self.colour.as_ref().map_or(DEFAULT_COLOUR, |c| c.as_str());
        let (lo, hi) = bars.iter().fold((0f64, 0f64), |(lo, hi), b| (lo.min(b.value), hi.max(b.value)));
        let whole = matches!(self.unit, Unit::Count | Unit::Money | Unit::Duration);
        let ticks = ticks::nice_ticks(lo, hi, 5, whole);
        let (y_min, y_max) = (ticks[0], ticks[ticks.len() - 1]);
        let y_of = |v: f64| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (v - y_min) / (y_max - y_min));

        let mut out = String::new();
        svg::open(&mut out, &id, &self.title, &self.describe(&bars));
        let axis = format!("{}{}", self.y_label, svg::unit_suffix(self.unit, self.currency, self.locale));
        svg::value_axis(&mut out, &ticks, y_of, self.unit, self.currency, self.locale, &axis);

        let slot = (WIDTH - LEFT - RIGHT) / bars.len() as f64;
        let width = (slot * 0.7).min(64.0);
        // Long category names would overlap when bars are many: shorten them, the tooltip and the
        // CSV keep the full name.
        let max_chars = ((slot / 7.0) as usize).max(3);
        for (i, bar) in bars.iter().enumerate() {
            let x = LEFT + slot * i as f64 + (slot - width) / 2.0;
            let (top, bottom) = (y_of(bar.value.max(0.0)), y_of(bar.value.min(0.0)));
            let shown = self.display(bar.value);
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{top:.1}" width="{width:.1}" height="{:.1}" fill="{colour}"><title>{}</title></rect>"#,
                (bottom - top).max(0.5),
                escape(&svg::label_value(self.locale, &bar.label, &shown))
            );
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{INK}">{}</text>"#,
                x + width / 2.0,
                top - 5.0,
                escape(&shown)
            );
            let label: String = if bar.label.chars().count() > max_chars {
                bar.label.chars().take(max_chars - 1).chain(['…']).collect()
            } else {
                bar.label.clone()
            };
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
                x + width / 2.0,
                HEIGHT - BOTTOM + 18.0,
                escape(&label)
            );
        }
        let zero = y_of(0.0);
        let _ = write!(out, r#"<line x1="{LEFT}" y1="{zero:.1}" x2="{}" y2="{zero:.1}" stroke="{INK}"/>"#, WIDTH - RIGHT);
        svg::x_axis_title(&mut out, &self.x_label);
        svg::close(&mut out);
        out
    }

    fn display(&self, v: f64) -> String {
        svg::number(self.unit, v, self.currency, self.locale)
    }

    fn describe(&self, bars: &[&Bar]) -> String {
        let listed: Vec<String> = bars.iter().map(|b| svg::label_value(self.locale, &b.label, &self.display(b.value))).collect();
        let intro = match self.locale {
            Locale::Fr => format!("{} par {}", self.y_label, self.x_label.to_lowercase()),
            Locale::En => format!("{} by {}", self.y_label, self.x_label.to_lowercase()),
        };
        let separator = if self.locale == Locale::Fr { "\u{a0}; " } else { "; " };
        format!("{intro}. {}.", listed.join(separator))
    }

    /// One row per bar: its label and its plain number.
    pub fn to_csv(&self) -> String {
        let header = [self.x_label.as_str(), self.y_label.as_str()];
        csv_out::write(&header, self.bars.iter().map(|b| vec![b.label.clone(), csv_out::number(b.value)]))
    }
}
