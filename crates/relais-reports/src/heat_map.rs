//! Best times to post: a weekday × hour grid, darker where the workspace's own history shows
//! more, each cell's count in its tooltip.

use crate::calendar_names::{WEEK, hour, weekday, weekday_short};
use crate::csv_out;
use crate::svg::{self, HEIGHT, INK, MUTED, WIDTH, escape};
use relais_core::kpi::Value;
use relais_core::values::{Colour, Locale};
use std::fmt::Write;

/// Counts per weekday and hour: when the audience answers, when the team posts.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatMap {
    pub title: String,
    pub locale: Locale,
    /// What is counted, for the tooltip and the CSV: `interactions`, `publications`.
    pub measure: String,
    /// `counts[d][h]`: day `d` from Monday (0) to Sunday (6), hour `h` from 0 to 23, in the
    /// workspace's time zone.
    pub counts: [[u64; 24]; 7],
    pub colour: Option<Colour>,
}

const GRID_LEFT: f64 = 84.0;
const GRID_TOP: f64 = 56.0;
const CELL_W: f64 = 25.0;
const CELL_H: f64 = 34.0;

impl HeatMap {
    /// The grid as a standalone SVG document; all zeros reads "no data for this period".
    pub fn to_svg(&self) -> String {
        let id = svg::chart_id("heat", &self.title);
        let max = self.counts.iter().flatten().copied().max().unwrap_or(0);
        if max == 0 {
            return svg::empty(&id, &self.title, self.locale);
        }
        let rgb = parse_rgb(self.colour.as_ref().map_or(svg::DEFAULT_COLOUR, |c| c.as_str()));
        let mut out = String::new();
        svg::open(&mut out, &id, &self.title, &self.describe());
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
                let count = self.counts[d][h as usize];
                // Square root spreads the light end, where most cells sit, over more shades.
                let share = (count as f64 / max as f64).sqrt();
                let fill = mix((0xf3, 0xf4, 0xf6), rgb, share);
                let tip = svg::label_value(
                    self.locale,
                    &format!("{} {}", weekday(*day, self.locale), hour(h, self.locale)),
                    &format!("{} {}", Value::Count(count as i64).display(self.locale), self.measure),
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
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" fill="{MUTED}">{}</text>"#,
            WIDTH - 12.0 - 4.0 * CELL_W,
            GRID_TOP - 8.0,
            escape(&format!("max {}", Value::Count(max as i64).display(self.locale)))
        );
        svg::close(&mut out);
        out
    }

    /// The three busiest slots, in words.
    fn describe(&self) -> String {
        let mut cells: Vec<(u64, usize, u8)> =
            (0..7).flat_map(|d| (0..24u8).map(move |h| (d, h))).map(|(d, h)| (self.counts[d][h as usize], d, h)).collect();
        cells.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let best: Vec<String> = cells
            .iter()
            .take(3)
            .filter(|c| c.0 > 0)
            .map(|&(n, d, h)| {
                format!("{} {} ({})", weekday(WEEK[d], self.locale), hour(h, self.locale), Value::Count(n as i64).display(self.locale))
            })
            .collect();
        match self.locale {
            Locale::Fr => format!("{} par jour de la semaine et heure. Créneaux les plus forts : {}.", self.measure, best.join(", ")),
            Locale::En => format!("{} by weekday and hour. Strongest slots: {}.", self.measure, best.join(", ")),
        }
    }

    /// 168 rows, Monday 0 h first: weekday name, hour, count.
    pub fn to_csv(&self) -> String {
        let header = match self.locale {
            Locale::Fr => ["Jour", "Heure", self.measure.as_str()],
            Locale::En => ["Weekday", "Hour", self.measure.as_str()],
        };
        let rows = (0..7).flat_map(|d| {
            (0..24).map(move |h| vec![weekday(WEEK[d], self.locale).to_string(), h.to_string(), self.counts[d][h].to_string()])
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
