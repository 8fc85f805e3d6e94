//! The analytics charts, drawn by `relais_reports` from a [`Dashboard`]: the same chart is inlined
//! in the page, downloaded as CSV and printed in the PDF.

use super::analytics_data::Dashboard;
use crate::i18n::Tr;
use relais_core::kpi::Unit;
use relais_core::kpi::publishing::MIN_POSTS_PER_SLOT;
use relais_core::values::Colour;
use relais_reports::{Bar, BarChart, HeatMap, LineChart, Point, Series};

/// The charts' keys, in the page's order (`…/analytics/charts/{key}.csv`).
pub const CHARTS: [&str; 4] = ["followers", "engagement", "pillars", "best-times"];

/// One chart, drawn.
pub struct Chart {
    pub key: &'static str,
    pub title: String,
    pub svg: String,
    pub csv: String,
}

fn line(title: String, y_label: String, tr: Tr, colour: Option<Colour>, current: Series, previous: Option<Series>) -> (String, String) {
    let chart = LineChart { title, locale: tr.locale, unit: Unit::Count, currency: None, y_label, current, previous, colour };
    (chart.to_svg(), chart.to_csv())
}

/// The chart `key` of the dashboard, `None` for a key that is not a chart.
pub fn chart(d: &Dashboard, key: &str, tr: Tr, colour: Option<Colour>) -> Option<Chart> {
    let (key, title, (svg, csv)) = match key {
        "followers" => {
            let title = tr.t("analytics-chart-followers");
            let points = |days: &[relais_store::AudienceDay]| -> Vec<Point> {
                days.iter().map(|a| Point { date: a.day, value: a.followers as f64 }).collect()
            };
            let current = Series { label: tr.t("analytics-followers"), points: points(&d.followers_by_day) };
            let previous = (!d.followers_previous.is_empty())
                .then(|| Series { label: tr.t("analytics-previous-period"), points: points(&d.followers_previous) });
            ("followers", title.clone(), line(title, tr.t("analytics-followers"), tr, colour, current, previous))
        }
        "engagement" => {
            let title = tr.t("analytics-chart-engagement");
            let current = Series {
                label: tr.t("analytics-engagements"),
                points: d.engagement_by_day.iter().map(|(day, n)| Point { date: *day, value: *n as f64 }).collect(),
            };
            ("engagement", title.clone(), line(title, tr.t("analytics-engagements"), tr, colour, current, None))
        }
        "pillars" => {
            let title = tr.t("analytics-chart-pillars");
            let chart = BarChart {
                title: title.clone(),
                locale: tr.locale,
                unit: Unit::Count,
                currency: None,
                x_label: tr.t("analytics-pillar"),
                y_label: tr.t("analytics-publications"),
                bars: d.pillar_posts.iter().map(|(name, n)| Bar { label: name.clone(), value: *n as f64 }).collect(),
                colour,
            };
            ("pillars", title, (chart.to_svg(), chart.to_csv()))
        }
        "best-times" => {
            let title = tr.t1("analytics-chart-best-times", "zone", d.sel.zone.iana_name().unwrap_or("UTC"));
            let chart = HeatMap {
                title: title.clone(),
                locale: tr.locale,
                // The rate's own name says its base, as the engagement tile does.
                measure: d.best_times.kpi().name(tr.locale).to_string(),
                cells: d.best_time_cells(),
                min_posts: MIN_POSTS_PER_SLOT,
                colour,
            };
            ("best-times", title, (chart.to_svg(), chart.to_csv()))
        }
        _ => return None,
    };
    Some(Chart { key, title, svg, csv })
}

/// Every chart of the dashboard, in the page's order.
pub fn charts(d: &Dashboard, tr: Tr, colour: Option<Colour>) -> Vec<Chart> {
    CHARTS.iter().filter_map(|k| chart(d, k, tr, colour.clone())).collect()
}
