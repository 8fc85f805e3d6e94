//! The analytics as files: each chart's data as CSV, every table of the page as one XLSX
//! workbook, and the PDF report (cover with the workspace's logo and colours, KPIs against
//! objectives, charts, top posts, community and care figures, the SMM's commentary).

use super::analytics::{brand_colour, dashboard, excerpt};
use super::analytics_care::{care_lines, care_note};
use super::analytics_charts::{chart, charts};
use super::analytics_data::{AnalyticsQuery, Dashboard};
use super::strategy::network_label;
use crate::app::AppState;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use relais_core::kpi::engagement::rate;
use relais_core::kpi::{Figure, Value};
use relais_core::{Action, Colour, Locale};
use relais_reports::{
    BrandColours, Cell, Column, ColumnKind, CommunityLine, ObjectiveLine, Report, ReportChart, Table, TopPost, render_pdf,
};
use relais_store::PostPerformance;
use std::collections::HashMap;

fn attachment(mime: &'static str, name: String, body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, mime.to_string()), (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\""))], body)
        .into_response()
}

/// `…/analytics/charts/{chart}.csv`: the data behind one chart.
pub async fn chart_csv(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, file)): Path<(String, String)>,
    Query(q): Query<AnalyticsQuery>,
) -> Response {
    if let Err(e) = ws.require(Action::ViewReports) {
        return e.into_response();
    }
    let tr = ws.tr();
    let Some(key) = file.strip_suffix(".csv") else { return PageError::not_found(tr).into_response() };
    let d = match dashboard(&app, &ws, &q).await {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    match chart(&d, key, tr, None) {
        Some(c) => {
            attachment("text/csv; charset=utf-8", format!("{key}-{}-{}.csv", d.sel.first_day(), d.sel.last_day()), c.csv.into_bytes())
        }
        None => PageError::not_found(tr).into_response(),
    }
}

fn column(name: String, kind: ColumnKind) -> Column {
    Column { name, kind }
}

/// A figure as a cell of its unit: percentages as fractions, counts and durations as integers.
fn figure_cell(f: &Figure) -> Cell {
    match f.value() {
        Ok(Value::Count(n)) | Ok(Value::Duration(n)) => Cell::Integer(n),
        Ok(Value::Percent(x)) => Cell::Fraction(x),
        Ok(Value::Money(m)) => Cell::Money(m),
        Ok(v) => Cell::Text(v.display(Locale::En)),
        Err(_) => Cell::Empty,
    }
}

fn figure_kind(f: &Figure) -> ColumnKind {
    match f.value() {
        Ok(Value::Count(_)) | Ok(Value::Duration(_)) => ColumnKind::Integer,
        Ok(Value::Percent(_)) => ColumnKind::Percent,
        Ok(Value::Money(_)) => ColumnKind::Money,
        _ => ColumnKind::Text,
    }
}

/// The page's tables, each a sheet. Numbers stay numbers: rates (fractions, shown as
/// percentages) and counts go to two KPI sheets, each column of one kind.
pub fn tables(d: &Dashboard, tr: Tr) -> Vec<Table> {
    let locale = tr.locale;
    let mut kpis = Table {
        title: tr.t("analytics-rates"),
        columns: vec![
            column(tr.t("analytics-kpi"), ColumnKind::Text),
            column(tr.t("analytics-value"), ColumnKind::Text),
            column(tr.t("analytics-number"), ColumnKind::Percent),
            column(tr.t("analytics-previous-period"), ColumnKind::Percent),
        ],
        rows: vec![],
    };
    let mut counts = Table {
        title: tr.t("analytics-counts"),
        columns: vec![
            column(tr.t("analytics-kpi"), ColumnKind::Text),
            column(tr.t("analytics-value"), ColumnKind::Text),
            column(tr.t("analytics-number"), ColumnKind::Integer),
            column(tr.t("analytics-previous-period"), ColumnKind::Integer),
        ],
        rows: vec![],
    };
    for line in d.lines() {
        let previous = line.comparison.map(|c| c.previous);
        let row = |number: Cell, before: Cell| {
            vec![Cell::Text(line.current.label(locale).into()), Cell::Text(line.current.display(locale)), number, before]
        };
        match figure_kind(&line.current) {
            ColumnKind::Percent => {
                kpis.rows.push(row(figure_cell(&line.current), previous.as_ref().map(figure_cell).unwrap_or(Cell::Empty)))
            }
            ColumnKind::Integer => {
                counts.rows.push(row(figure_cell(&line.current), previous.as_ref().map(figure_cell).unwrap_or(Cell::Empty)))
            }
            // Posts per week and the like: the reader's text, and no number column of that kind.
            _ => counts.rows.push(row(Cell::Empty, Cell::Empty)),
        }
    }
    let count = |n: Option<u64>| n.map(|n| Cell::Integer(n as i64)).unwrap_or(Cell::Empty);
    let text = |n: Option<u64>| n.map(|n| Value::Count(n as i64).display(locale)).unwrap_or_else(|| tr.t("analytics-not-reported"));
    let impressions = d.numbers.posts.impressions;
    counts.rows.push(vec![
        Cell::Text(tr.t("analytics-impressions")),
        Cell::Text(text(impressions)),
        count(impressions),
        count(d.previous.as_ref().and_then(|p| p.posts.impressions)),
    ]);
    counts.rows.push(vec![
        Cell::Text(tr.t("analytics-posts")),
        Cell::Text(text(Some(d.numbers.posts.publications))),
        count(Some(d.numbers.posts.publications)),
        count(d.previous.as_ref().map(|p| p.posts.publications)),
    ]);
    let mut out = vec![kpis, counts];
    for (title, posts) in [(tr.t("analytics-top"), &d.top), (tr.t("analytics-flop"), &d.flop)] {
        out.push(posts_table(d, tr, title, posts));
    }
    out.push(Table {
        title: tr.t("analytics-chart-followers"),
        columns: vec![
            column(tr.t("analytics-date"), ColumnKind::Date),
            column(tr.t("analytics-followers"), ColumnKind::Integer),
            column(tr.t("analytics-gained"), ColumnKind::Integer),
            column(tr.t("analytics-lost"), ColumnKind::Integer),
            column(tr.t("analytics-publications"), ColumnKind::Integer),
        ],
        rows: d
            .followers_by_day
            .iter()
            .map(|a| {
                vec![
                    Cell::Date(a.day),
                    Cell::Integer(a.followers),
                    Cell::Integer(a.gained),
                    Cell::Integer(a.lost),
                    Cell::Integer(a.posts_published),
                ]
            })
            .collect(),
    });
    out.push(Table {
        title: tr.t("analytics-chart-engagement"),
        columns: vec![column(tr.t("analytics-date"), ColumnKind::Date), column(tr.t("analytics-engagements"), ColumnKind::Integer)],
        rows: d.engagement_by_day.iter().map(|(day, n)| vec![Cell::Date(*day), Cell::Integer(*n as i64)]).collect(),
    });
    out.push(Table {
        title: tr.t("analytics-chart-pillars"),
        columns: vec![column(tr.t("analytics-pillar"), ColumnKind::Text), column(tr.t("analytics-publications"), ColumnKind::Integer)],
        rows: d.pillar_posts.iter().map(|(name, n)| vec![Cell::Text(name.clone()), Cell::Integer(*n as i64)]).collect(),
    });
    out
}

fn posts_table(d: &Dashboard, tr: Tr, title: String, posts: &[PostPerformance]) -> Table {
    Table {
        title,
        columns: vec![
            column(tr.t("analytics-post"), ColumnKind::Text),
            column(tr.t("analytics-network"), ColumnKind::Text),
            column(tr.t("analytics-date"), ColumnKind::Date),
            column(tr.t("analytics-engagements"), ColumnKind::Integer),
            column(d.basis.kpi().name(tr.locale).to_string(), ColumnKind::Percent),
        ],
        rows: posts
            .iter()
            .map(|p| {
                let day = jiff::Timestamp::from_millisecond(p.published_at).map(|t| t.to_zoned(d.sel.zone.clone()).date());
                let r = rate(d.basis, p.result.engagements.total(), d.basis.of(&p.result).unwrap_or(0));
                vec![
                    Cell::Text(p.title.clone()),
                    Cell::Text(network_label(tr, &p.network)),
                    day.map(Cell::Date).unwrap_or(Cell::Empty),
                    Cell::Integer(p.result.engagements.total() as i64),
                    r.number().map(Cell::Fraction).unwrap_or(Cell::Empty),
                ]
            })
            .collect(),
    }
}

/// `…/analytics/export.xlsx`: every table of the page, one sheet each.
pub async fn export_xlsx(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<AnalyticsQuery>) -> Response {
    if let Err(e) = ws.require(Action::ViewReports) {
        return e.into_response();
    }
    let tr = ws.tr();
    let d = match dashboard(&app, &ws, &q).await {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    match relais_reports::tables_to_xlsx(&tables(&d, tr)) {
        Ok(bytes) => attachment(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("analytics-{}-{}.xlsx", d.sel.first_day(), d.sel.last_day()),
            bytes,
        ),
        Err(e) => PageError::internal(tr, e).into_response(),
    }
}

/// `…/analytics/report.pdf?lang=fr|en`: the report in the language asked (the reader's by
/// default), for a client or the management.
pub async fn report_pdf(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<AnalyticsQuery>) -> Response {
    if let Err(e) = ws.require(Action::ViewReports) {
        return e.into_response();
    }
    let tr = match q.lang.as_deref() {
        Some("fr") => Tr::new(Locale::Fr),
        Some("en") => Tr::new(Locale::En),
        _ => ws.tr(),
    };
    let d = match dashboard(&app, &ws, &q).await {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let report = match report(&app, &ws, &d, tr).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    // Typst takes a while on a long report: off the async workers.
    match tokio::task::spawn_blocking(move || render_pdf(&report)).await {
        Ok(Ok(bytes)) => attachment("application/pdf", format!("report-{}-{}.pdf", d.sel.first_day(), d.sel.last_day()), bytes),
        Ok(Err(e)) => PageError::internal(tr, e).into_response(),
        Err(e) => PageError::internal(tr, e).into_response(),
    }
}

async fn report(app: &AppState, ws: &InWorkspace, d: &Dashboard, tr: Tr) -> Result<Report, PageError> {
    let store_error = |e| PageError::store(tr, e);
    let w = &ws.workspace;
    let logo = app.store.workspace_logo(&w.id).await.map_err(store_error)?.and_then(|(_, data)| STANDARD.decode(data).ok());
    let fallback = || Colour::parse("c", "#1d4ed8").expect("a valid colour");
    let colours = BrandColours {
        primary: brand_colour(w).unwrap_or_else(fallback),
        secondary: Colour::parse("accent_colour", &w.accent_colour).unwrap_or_else(|_| fallback()),
    };
    let scope_label = super::objectives::scope_options(app, ws)
        .await
        .map_err(store_error)?
        .into_iter()
        .find(|o| o.value == d.sel.scope_key)
        .map(|o| o.label)
        .unwrap_or_else(|| d.sel.scope_key.clone());
    // KPIs against the objectives set on them for this scope.
    let objectives = d
        .lines()
        .into_iter()
        .map(|line| {
            let objective = d.objectives.iter().find(|s| s.objective.as_ref().is_some_and(|o| o.kpi() == line.current.kpi()));
            ObjectiveLine {
                figure: line.current,
                target: objective.and_then(|s| s.objective.as_ref()).map(|o| o.target()),
                status: objective.and_then(|s| s.assessment).map(|a| a.status),
            }
        })
        .collect();
    let images = top_images(app, d).await.map_err(store_error)?;
    let top_posts = d
        .top
        .iter()
        .map(|p| TopPost {
            text: excerpt(&p.title, 280),
            network: network_label(tr, &p.network),
            published: jiff::Timestamp::from_millisecond(p.published_at)
                .map(|t| t.to_zoned(d.sel.zone.clone()).date())
                .unwrap_or(d.sel.period.first()),
            image: images.get(&p.variant_id).cloned(),
            figures: vec![rate(d.basis, p.result.engagements.total(), d.basis.of(&p.result).unwrap_or(0))],
        })
        .collect();
    let commentary = app
        .store
        .report_commentary(&w.id, &d.sel.scope_key, &d.sel.first_day(), &d.sel.last_day())
        .await
        .map_err(store_error)?
        .map(|c| c.body)
        .unwrap_or_default();
    Ok(Report {
        workspace_name: w.name.clone(),
        logo,
        colours: colours.clone(),
        period: d.sel.period,
        scope_label,
        locale: tr.locale,
        objectives,
        charts: charts(d, tr, Some(colours.primary)).into_iter().map(|c| ReportChart { title: c.title, svg: c.svg }).collect(),
        top_posts,
        community: d
            .care
            .as_ref()
            .map(|c| care_lines(c, tr))
            .unwrap_or_default()
            .into_iter()
            .map(|l| CommunityLine { label: l.label, value: l.value })
            .collect(),
        community_note: care_note(&d.sel.scope, tr),
        commentary,
        generated_on: jiff::Timestamp::now().to_zoned(d.sel.zone.clone()).date(),
    })
}

/// The first image of each top post's variant, as the media library's thumbnail (always a JPEG,
/// which the PDF embeds, and small enough for its 4 cm column, whatever the original's format).
/// A file missing from the media directory leaves the post without an image rather than failing
/// the report.
async fn top_images(app: &AppState, d: &Dashboard) -> Result<HashMap<String, Vec<u8>>, relais_store::StoreError> {
    let ids: Vec<String> = d.top.iter().map(|p| p.variant_id.clone()).collect();
    let mut out = HashMap::new();
    for (variant, media) in app.store.variant_media(&ids).await? {
        let Some(image) = media.iter().find(|m| m.kind == "image") else { continue };
        let Ok(path) = app.media.thumbnail_path(&image.sha256) else { continue };
        match tokio::fs::read(&path).await {
            Ok(bytes) => {
                out.insert(variant, bytes);
            }
            Err(e) => tracing::warn!(media = %image.id, error = %e, "a top post's image is missing from the media directory"),
        }
    }
    Ok(out)
}
