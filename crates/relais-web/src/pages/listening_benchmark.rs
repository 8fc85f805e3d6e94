//! The listening benchmark: the brand's and each competitor's mentions over a period, by day,
//! and the share of voice (`relais_core::kpi::listening::share_of_voice`), with the day × name
//! table as CSV. Days are cut in the workspace's zone from UTC hours (a zone with a half-hour
//! offset puts the posts of one half-hour in the neighbouring day).

use super::analytics::brand_colour;
use super::analytics_data::{AnalyticsQuery, Selection};
use super::render;
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use relais_core::kpi::{Unit, Value};
use relais_core::{Action, Section};
use relais_reports::{Bar, BarChart, LineChart, Point, Series};
use relais_store::{TrackedVoices, VoiceCounts};

/// One name's mentions over the period: its label, its total, its share, its days.
pub struct NameRow {
    pub name: String,
    pub mentions: String,
    pub share: String,
    pub svg: String,
}

#[derive(Template)]
#[template(path = "listening_benchmark.html")]
struct BenchmarkPage {
    c: Chrome,
    base: String,
    from: String,
    to: String,
    measurable: bool,
    share: String,
    names: Vec<NameRow>,
    totals_svg: String,
}

/// Mentions per day of each tracked name (the brand first), every day of the period listed.
struct Benchmark {
    sel: Selection,
    tracked: TrackedVoices,
    counts: VoiceCounts,
    /// (label, mentions per day), the brand first.
    series: Vec<(String, Vec<(Date, u64)>)>,
}

async fn benchmark(app: &AppState, ws: &InWorkspace, q: &AnalyticsQuery) -> Result<Benchmark, PageError> {
    let tr = ws.tr();
    let sel = Selection::of(q, &ws.workspace.time_zone)
        .map_err(|e| PageError::unprocessable(tr, tr.t1("analytics-error-query", "reason", e.to_string())))?;
    let (from, to) = sel.period.range_ms(&sel.zone).map_err(|e| PageError::unprocessable(tr, e.to_string()))?;
    let store_error = |e| PageError::store(tr, e);
    let tracked = app.store.tracked_voices(&ws.workspace.id).await.map_err(store_error)?;
    let hours = app.store.voice_mentions(&ws.workspace.id, None, from, to).await.map_err(store_error)?;
    let counts = VoiceCounts::of(&hours);
    let mut days = vec![];
    let mut day = sel.period.first();
    while day <= sel.period.last() {
        days.push(day);
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    let names: Vec<(String, Option<String>)> = std::iter::once((tr.t("listening-benchmark-brand"), None))
        .chain(tracked.competitors.iter().map(|n| (n.clone(), Some(n.clone()))))
        .collect();
    let series = names
        .into_iter()
        .map(|(label, competitor)| {
            let per_day = days
                .iter()
                .map(|d| {
                    let n = hours
                        .iter()
                        .filter(|h| h.voice.competitor() == competitor.as_deref())
                        .filter(|h| jiff::Timestamp::from_millisecond(h.hour_ms).is_ok_and(|t| t.to_zoned(sel.zone.clone()).date() == *d))
                        .map(|h| h.mentions)
                        .sum();
                    (*d, n)
                })
                .collect();
            (label, per_day)
        })
        .collect();
    Ok(Benchmark { sel, tracked, counts, series })
}

fn count(n: u64) -> Value {
    Value::Count(i64::try_from(n).unwrap_or(i64::MAX))
}

pub async fn show(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<AnalyticsQuery>) -> Response {
    if let Err(e) = ws.require(Action::Listen) {
        return e.into_response();
    }
    let tr = ws.tr();
    let b = match benchmark(&app, &ws, &q).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let colour = brand_colour(&ws.workspace);
    let total: u64 = b.series.iter().flat_map(|(_, days)| days.iter().map(|d| d.1)).sum();
    let names = b
        .series
        .iter()
        .map(|(label, days)| {
            let mentions: u64 = days.iter().map(|d| d.1).sum();
            let chart = LineChart {
                title: label.clone(),
                locale: tr.locale,
                unit: Unit::Count,
                currency: None,
                y_label: tr.t("listening-benchmark-mentions"),
                current: Series { label: label.clone(), points: days.iter().map(|(d, n)| Point { date: *d, value: *n as f64 }).collect() },
                previous: None,
                colour: colour.clone(),
            };
            NameRow {
                name: label.clone(),
                mentions: count(mentions).display(tr.locale),
                share: if total == 0 { "—".into() } else { Value::Percent(mentions as f64 / total as f64).display(tr.locale) },
                svg: chart.to_svg(),
            }
        })
        .collect();
    let totals = BarChart {
        title: tr.t("listening-benchmark-mentions"),
        locale: tr.locale,
        unit: Unit::Count,
        currency: None,
        x_label: tr.t("listening-benchmark-name"),
        y_label: tr.t("listening-benchmark-mentions"),
        bars: b.series.iter().map(|(label, days)| Bar { label: label.clone(), value: days.iter().map(|d| d.1 as f64).sum() }).collect(),
        colour,
    };
    let page = BenchmarkPage {
        c: Chrome::workspace(&ws, Some(Section::Listening)),
        base: ws.base(),
        from: b.sel.first_day(),
        to: b.sel.last_day(),
        measurable: b.tracked.measurable(),
        share: b.counts.share_of_voice().display(tr.locale),
        names,
        totals_svg: totals.to_svg(),
    };
    render(&page, tr)
}

/// The day × name table: one line per day, one column per name, mentions in the cells.
fn table_csv(tr: Tr, b: &Benchmark) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let mut header = vec![tr.t("campaigns-day")];
        header.extend(b.series.iter().map(|(label, _)| label.clone()));
        // Writing to a Vec cannot fail.
        let _ = w.write_record(&header);
        let days = b.series.first().map(|s| s.1.len()).unwrap_or(0);
        for i in 0..days {
            let mut line = vec![b.series[0].1[i].0.to_string()];
            line.extend(b.series.iter().map(|(_, d)| d[i].1.to_string()));
            let _ = w.write_record(&line);
        }
        let _ = w.flush();
    }
    out
}

pub async fn csv(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<AnalyticsQuery>) -> Response {
    if let Err(e) = ws.require(Action::Listen) {
        return e.into_response();
    }
    let tr = ws.tr();
    let b = match benchmark(&app, &ws, &q).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let disposition = format!("attachment; filename=\"share-of-voice-{}-{}.csv\"", b.sel.first_day(), b.sel.last_day());
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)], table_csv(tr, &b))
        .into_response()
}
