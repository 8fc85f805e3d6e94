//! A time series as a line chart (followers by day…), with the previous period dashed behind it
//! for comparison.

use crate::calendar_names::{long_date, short_date};
use crate::svg::{self, BOTTOM, DEFAULT_COLOUR, HEIGHT, INK, LEFT, MUTED, RIGHT, TOP, WIDTH, escape};
use crate::{csv_out, ticks};
use jiff::civil::Date;
use relais_core::kpi::{Currency, Unit};
use relais_core::values::{Colour, Locale};
use std::fmt::Write;

/// One day's value, a plain number of the chart's unit (see `relais_core::kpi::Value::number`:
/// a fraction for percentages, cents for money).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub date: Date,
    pub value: f64,
}

/// A named run of points, in date order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// `Abonnés`, `Période précédente`: the legend and the CSV header.
    pub label: String,
    pub points: Vec<Point>,
}

/// A line over the days of a period, e.g. followers by day.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    pub title: String,
    pub locale: Locale,
    pub unit: Unit,
    /// Required for money; ignored otherwise.
    pub currency: Option<Currency>,
    /// The vertical axis's title, e.g. `Abonnés`; the unit is appended when it has one.
    pub y_label: String,
    pub current: Series,
    /// The same length of time just before, drawn dashed and aligned day for day on the current
    /// period (its first day under the current first day).
    pub previous: Option<Series>,
    pub colour: Option<Colour>,
}

impl LineChart {
    /// The chart as a standalone SVG document, for a page (inline) or the PDF.
    pub fn to_svg(&self) -> String {
        let id = svg::chart_id("line", &self.title);
        let current: Vec<Point> = self.current.points.iter().copied().filter(|p| p.value.is_finite()).collect();
        let (Some(first), Some(last)) = (current.first(), current.last()) else {
            return svg::empty(&id, &self.title, self.locale);
        };
        let previous: Vec<Point> = self.previous.iter().flat_map(|s| s.points.iter().copied()).filter(|p| p.value.is_finite()).collect();
        let colour = self.colour.as_ref().map_or(DEFAULT_COLOUR, |c| c.as_str());

        let values = current.iter().chain(&previous).map(|p| p.value);
        let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let whole = matches!(self.unit, Unit::Count | Unit::Money | Unit::Duration);
        let ticks = ticks::nice_ticks(lo, hi, 5, whole);
        let (y_min, y_max) = (ticks[0], ticks[ticks.len() - 1]);
        let y_of = |v: f64| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (v - y_min) / (y_max - y_min));
        // Days since the series' own first day: the previous period lines up on the current one.
        let span = (last.date - first.date).get_days().max(1) as f64;
        let x_of = |start: Date, d: Date| LEFT + (WIDTH - LEFT - RIGHT) * ((d - start).get_days() as f64 / span);

        let mut out = String::new();
        svg::open(&mut out, &id, &self.title, &self.describe(&current, &previous));
        let axis = format!("{}{}", self.y_label, svg::unit_suffix(self.unit, self.currency, self.locale));
        svg::value_axis(&mut out, &ticks, y_of, self.unit, self.currency, self.locale, &axis);

        // About six date labels, whatever the period's length.
        let every = (current.len() / 6).max(1);
        for (i, p) in current.iter().enumerate() {
            if i % every == 0 {
                let x = x_of(first.date, p.date);
                let _ = write!(
                    out,
                    r#"<line x1="{x:.1}" y1="{0}" x2="{x:.1}" y2="{1}" stroke="{MUTED}"/><text x="{x:.1}" y="{2}" text-anchor="middle" fill="{MUTED}">{3}</text>"#,
                    HEIGHT - BOTTOM,
                    HEIGHT - BOTTOM + 5.0,
                    HEIGHT - BOTTOM + 20.0,
                    escape(&short_date(p.date, self.locale))
                );
            }
        }
        svg::x_axis_title(&mut out, "Date");

        if let Some(prev_first) = previous.first() {
            let path = polyline(&previous, |p| (x_of(prev_first.date, p.date), y_of(p.value)));
            let _ = write!(out, r#"<polyline points="{path}" fill="none" stroke="{MUTED}" stroke-width="2" stroke-dasharray="6 4"/>"#);
        }
        let path = polyline(&current, |p| (x_of(first.date, p.date), y_of(p.value)));
        let _ = write!(out, r#"<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"/>"#);
        // Dots carry the exact value as a tooltip; on long series they would be a smear.
        if current.len() <= 62 {
            for p in &current {
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"><title>{}</title></circle>"#,
                    x_of(first.date, p.date),
                    y_of(p.value),
                    escape(&svg::label_value(self.locale, &long_date(p.date, self.locale), &self.display(p.value)))
                );
            }
        }
        self.legend(&mut out, colour, !previous.is_empty());
        svg::close(&mut out);
        out
    }

    fn legend(&self, out: &mut String, colour: &str, with_previous: bool) {
        let x = WIDTH - RIGHT - 220.0;
        let _ = write!(
            out,
            r#"<line x1="{x}" y1="24" x2="{}" y2="24" stroke="{colour}" stroke-width="2.5"/><text x="{}" y="28" fill="{INK}">{}</text>"#,
            x + 24.0,
            x + 30.0,
            escape(&self.current.label)
        );
        if let (true, Some(previous)) = (with_previous, &self.previous) {
            let x = x + 110.0;
            let _ = write!(
                out,
                r#"<line x1="{x}" y1="24" x2="{}" y2="24" stroke="{MUTED}" stroke-width="2" stroke-dasharray="6 4"/><text x="{}" y="28" fill="{INK}">{}</text>"#,
                x + 24.0,
                x + 30.0,
                escape(&previous.label)
            );
        }
    }

    fn display(&self, v: f64) -> String {
        svg::number(self.unit, v, self.currency, self.locale)
    }

    /// What a screen reader says instead of the picture: the span, the first and last values,
    /// the peak.
    fn describe(&self, current: &[Point], previous: &[Point]) -> String {
        let (first, last) = (current[0], current[current.len() - 1]);
        let peak = current.iter().copied().fold(first, |a, b| if b.value > a.value { b } else { a });
        let l = self.locale;
        let mut text = match l {
            Locale::Fr => format!(
                "{} du {} au {} : de {} à {}, au plus haut {} le {}.",
                self.current.label,
                long_date(first.date, l),
                long_date(last.date, l),
                self.display(first.value),
                self.display(last.value),
                self.display(peak.value),
                long_date(peak.date, l)
            ),
            Locale::En => format!(
                "{} from {} to {}: from {} to {}, highest {} on {}.",
                self.current.label,
                long_date(first.date, l),
                long_date(last.date, l),
                self.display(first.value),
                self.display(last.value),
                self.display(peak.value),
                long_date(peak.date, l)
            ),
        };
        if let (Some(p), Some(series)) = (previous.last(), &self.previous) {
            let _ = match l {
                Locale::Fr => write!(text, " En pointillés, {} : {} à la fin.", series.label, self.display(p.value)),
                Locale::En => write!(text, " Dashed, {}: {} at the end.", series.label, self.display(p.value)),
            };
        }
        text
    }

    /// The chart's data: date and value of the current period, and the matching day of the
    /// previous one when there is one. Numbers are plain (see `Value::number`).
    pub fn to_csv(&self) -> String {
        let previous = self.previous.as_ref();
        let mut header = vec!["Date", self.current.label.as_str()];
        let previous_date = match self.locale {
            Locale::Fr => "Date (période précédente)",
            Locale::En => "Date (previous period)",
        };
        if let Some(p) = previous {
            header.extend([previous_date, p.label.as_str()]);
        }
        let empty: &[Point] = &[];
        let prev_points = previous.map_or(empty, |p| &p.points);
        let rows = (0..self.current.points.len().max(prev_points.len())).map(|i| {
            let mut row = match self.current.points.get(i) {
                Some(p) => vec![p.date.to_string(), csv_out::number(p.value)],
                None => vec![String::new(), String::new()],
            };
            if previous.is_some() {
                match prev_points.get(i) {
                    Some(p) => row.extend([p.date.to_string(), csv_out::number(p.value)]),
                    None => row.extend([String::new(), String::new()]),
                }
            }
            row
        });
        csv_out::write(&header, rows)
    }
}

fn polyline(points: &[Point], xy: impl Fn(&Point) -> (f64, f64)) -> String {
    let mut out = String::new();
    for p in points {
        let (x, y) = xy(p);
        let _ = write!(out, "{x:.1},{y:.1} ");
    }
    out.trim_end().to_string()
}
