//! Best times to post: a weekday × hour grid of the average engagement rate of the posts
//! published in each hour, darker where the workspace's own history shows a higher rate. A cell
//! resting on too few posts is hatched and says so, rather than passing for a rate of zero.

use crate::calendar_names::{WEEK, hour, weekday, weekday_short};
use crate::csv_out;
use crate::svg::{self, HEIGHT, INK, MUTED, WIDTH, escape};
use relais_core::kpi::Value;
use relais_core::values::{Colour, Locale};
use std::fmt::Write;

/// One hour of one weekday: how many posts went out then, and their average rate.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct HeatCell {
    pub posts: u32,
    /// A fraction (0.042 is 4.2 %); `None` when no post of the cell has a rate.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    pub title: String,
    pub locale: Locale,
    /// The rate the cells average, as the KPI module names it (`Engagement rate (on
    /// impressions)`): the legend, the tooltips and the CSV header say which base it uses.
    pub measure: String,
    /// `cells[d][h]`: day `d` from Monday (0) to Sunday (6), hour `h` from 0 to 23, in the
    /// workspace's time zone.
    pub cells: [[HeatCell; 24]; 7],
    /// A cell with fewer posts is shown as "too few posts", not as a rate.
    pub min_posts: u32,
    pub colour: Option<Colour>,
}

const GRID_LEFT: f64 = 84.0;
const GRID_TOP: f64 = 56.0;
const CELL_W: f64 = 25.0;
const CELL_H: f64 = 34.0;
const NO_POST: &str = "#f3f4f6";

fn posts_text(n: u32, locale: Locale) -> String {
    let count = Value::Count(i64::from(n)).display(locale);
    match (locale, n) {
        (Locale::Fr, 0 | 1) => format!("{count} publication"),
        (Locale::Fr, _) => format!("{count} publications"),
        (Locale::En, 1) => format!("{count} post"),
        (Locale::En, _) => format!("{count} posts"),
    }
}

impl HeatMap {
    /// The cell's rate when it rests on enough posts.
    fn shown(&self, cell: HeatCell) -> Option<f64> {
        cell.rate.filter(|_| cell.posts >= self.min_posts.max(1))
    }

    /// What a cell says in words: `4,2 % (3 publications)`, `2 publications : trop peu`.
    fn cell_text(&self, cell: HeatCell) -> String {
        let posts = posts_text(cell.posts, self.locale);
        match (self.shown(cell), cell.posts, self.locale) {
            (Some(rate), _, _) => format!("{} ({posts})", Value::Percent(rate).display(self.locale)),
            (None, 0, Locale::Fr) => "aucune publication".into(),
            (None, 0, Locale::En) => "no post".into(),
            (None, _, Locale::Fr) => format!("{posts} : trop peu pour un taux"),
            (None, _, Locale::En) => format!("{posts}: too few for a rate"),
        }
    }

    fn few_label(&self) -> String {
        match self.locale {
            Locale::Fr => format!("hachuré : moins de {} publications", self.min_posts),
            Locale::En => format!("hatched: fewer than {} posts", self.min_posts),
        }
    }

    /// The grid as a standalone SVG document; a history without posts reads "no data".
    pub fn to_svg(&self) -> String {
        let id = svg::chart_id("heat", &self.title);
        if self.cells.iter().flatten().all(|c| c.posts == 0) {
            return svg::empty(&id, &self.title, self.locale);
        }
        let max = self.cells.iter().flatten().filter_map(|c| self.shown(*c)).fold(0.0_f64, f64::max);
        let rgb = parse_rgb(self.colour.as_ref().map_or(svg::DEFAULT_COLOUR, |c| c.as_str()));
        let mut out = String::new();
        svg::open(&mut out, &id, &self.title, &self.describe());
        let _ = write!(
            out,
            r##"<defs><pattern id="{id}-few" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9ca3af" stroke-width="1.5"/></pattern></defs>"##
        );
        for (d, day) in WEEK.iter().enumerate() {
            let y = GRID_TOP + d as f64 * CELL_H;
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{INK}">{}</text>"#,
                GRID_LEFT - 8.0,
                y + CELL_H / 2.0 + 4.0,
                escape(weekday_short(*day, self.locale))
            );
            for h in 0..24u8 {
                let cell = self.cells[d][h as usize];
                let fill = match self.shown(cell) {
                    // Square root spreads the light end, where most cells sit, over more shades.
                    Some(rate) if max > 0.0 => mix((0xf3, 0xf4, 0xf6), rgb, (rate / max).sqrt()),
                    Some(_) => mix((0xf3, 0xf4, 0xf6), rgb, 0.0),
                    None if cell.posts > 0 => format!("url(#{id}-few)"),
                    None => NO_POST.to_string(),
                };
                let tip = svg::label_value(
                    self.locale,
                    &format!("{} {}", weekday(*day, self.locale), hour(h, self.locale)),
                    &self.cell_text(cell),
                );
                let _ = write!(
                    out,
                    r##"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{fill}" stroke="#ffffff"><title>{}</title></rect>"##,
                    GRID_LEFT + h as f64 * CELL_W,
                    CELL_W,
                    CELL_H,
                    escape(&tip)
                );
            }
        }
        for h in (0..24u8).step_by(3) {
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{MUTED}">{}</text>"#,
                GRID_LEFT + h as f64 * CELL_W + CELL_W / 2.0,
                GRID_TOP + 7.0 * CELL_H + 16.0,
                escape(&hour(h, self.locale))
            );
        }
        let axis = match self.locale {
            Locale::Fr => "Heure de la journée",
            Locale::En => "Hour of the day",
        };
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{}" text-anchor="middle" fill="{INK}">{axis}</text>"#,
            GRID_LEFT + 12.0 * CELL_W,
            HEIGHT - 12.0
        );
        let best =
            if max > 0.0 { format!("{} · max {}", self.measure, Value::Percent(max).display(self.locale)) } else { self.measure.clone() };
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{MUTED}">{}</text>"#,
            WIDTH - 24.0,
            GRID_TOP - 20.0,
            escape(&best)
        );
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{MUTED}">{}</text>"#,
            WIDTH - 24.0,
            GRID_TOP - 6.0,
            escape(&self.few_label())
        );
        svg::close(&mut out);
        out
    }

    /// The three best slots among those with enough posts, in words.
    fn describe(&self) -> String {
        let mut cells: Vec<(f64, usize, u8, HeatCell)> = (0..7)
            .flat_map(|d| (0..24u8).map(move |h| (d, h)))
            .filter_map(|(d, h)| {
                let cell = self.cells[d][h as usize];
                self.shown(cell).map(|rate| (rate, d, h, cell))
            })
            .collect();
        // Already in week order, and the sort is stable.
        cells.sort_by(|a, b| b.0.total_cmp(&a.0));
        let best: Vec<String> = cells
            .iter()
            .take(3)
            .map(|&(_, d, h, cell)| format!("{} {} ({})", weekday(WEEK[d], self.locale), hour(h, self.locale), self.cell_text(cell)))
            .collect();
        match (self.locale, best.is_empty()) {
            (Locale::Fr, false) => format!("{} par jour de la semaine et heure. Meilleurs créneaux : {}.", self.measure, best.join(", ")),
            (Locale::Fr, true) => format!("{} par jour de la semaine et heure. {}.", self.measure, self.few_label()),
            (Locale::En, false) => format!("{} by weekday and hour. Best slots: {}.", self.measure, best.join(", ")),
            (Locale::En, true) => format!("{} by weekday and hour. {}.", self.measure, self.few_label()),
        }
    }

    /// 168 rows, Monday 0 h first: weekday name, hour, posts, average rate as a fraction (empty
    /// when the cell has too few posts for a rate).
    pub fn to_csv(&self) -> String {
        let header = match self.locale {
            Locale::Fr => ["Jour", "Heure", "Publications", self.measure.as_str()],
            Locale::En => ["Weekday", "Hour", "Posts", self.measure.as_str()],
        };
        let rows = (0..7).flat_map(|d| {
            (0..24).map(move |h| {
                let cell = self.cells[d][h];
                vec![
                    weekday(WEEK[d], self.locale).to_string(),
                    h.to_string(),
                    cell.posts.to_string(),
                    self.shown(cell).map(csv_out::number).unwrap_or_default(),
                ]
            })
        });
        csv_out::write(&header, rows)
    }
}

fn parse_rgb(hex: &str) -> (u8, u8, u8) {
    let c = |i: usize| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("00"), 16).unwrap_or(0);
    (c(1), c(3), c(5))
}

fn mix(from: (u8, u8, u8), to: (u8, u8, u8), share: f64) -> String {
    let m = |a: u8, b: u8| (a as f64 + (b as f64 - a as f64) * share).round() as u8;
    format!("#{:02x}{:02x}{:02x}", m(from.0, to.0), m(from.1, to.1), m(from.2, to.2))
}
