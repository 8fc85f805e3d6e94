//! The analytics of a period and a scope as report files: every table of the page as one XLSX
//! workbook, and the PDF report (cover with the workspace's logo and colours, KPIs against
//! objectives, charts, top posts, community and care figures, the SMM's commentary). The
//! analytics page's downloads and the scheduled reports both make their files here.

use super::analytics::{brand_colour, excerpt};
use super::analytics_care::{care_lines, care_note};
use super::analytics_charts::charts;
use super::analytics_data::{Dashboard, Selection};
use super::strategy::network_label;
use crate::i18n::Tr;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use relais_core::kpi::engagement::rate;
use relais_core::kpi::{Figure, Value};
use relais_core::report_schedule::ReportFormat;
use relais_core::{Colour, Locale};
use relais_reports::{
    BrandColours, Cell, Column, ColumnKind, CommunityLine, ObjectiveLine, Report, ReportChart, Table, TopPost, render_pdf,
};
use relais_store::{MediaFiles, PostPerformance, Store, StoreError, Workspace};
use std::collections::HashMap;

/// Why report files could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Reading the numbers failed; `NotFound` when the scope is not the workspace's.
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot render the {format} report: {reason}")]
    Render { format: &'static str, reason: String },
}

/// A scope as the picker names it ("Bluesky · @banque"), or its key when it is gone.
pub async fn scope_label(store: &Store, workspace_id: &str, scope_key: &str, tr: Tr) -> Result<String, StoreError> {
    Ok(super::objectives::scope_options(store, workspace_id, tr)
        .await?
        .into_iter()
        .find(|o| o.value == scope_key)
        .map(|o| o.label)
        .unwrap_or_else(|| scope_key.to_string()))
}

/// The files of `formats` for a selection, in the order asked.
pub async fn report_files(
    store: &Store,
    media: &MediaFiles,
    workspace: &Workspace,
    sel: Selection,
    tr: Tr,
    formats: &[ReportFormat],
) -> Result<Vec<(ReportFormat, Vec<u8>)>, ReportError> {
    let d = Dashboard::load(store, workspace, sel).await?;
    let mut files = vec![];
    for format in formats {
        let bytes = match format {
            ReportFormat::Xlsx => relais_reports::tables_to_xlsx(&tables(&d, tr))
                .map_err(|e| ReportError::Render { format: "XLSX", reason: e.to_string() })?,
            ReportFormat::Pdf => {
                let report = report(store, media, workspace, &d, tr).await?;
                // Typst takes a while on a long report: off the async workers.
                tokio::task::spawn_blocking(move || render_pdf(&report))
                    .await
                    .map_err(|e| ReportError::Render { format: "PDF", reason: e.to_string() })?
                    .map_err(|e| ReportError::Render { format: "PDF", reason: e.to_string() })?
            }
        };
        files.push((*format, bytes));
    }
    Ok(files)
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
/// percentages), counts and a campaign's amounts go to KPI sheets, each column of one kind.
pub fn tables(d: &Dashboard, tr: Tr) -> Vec<Table> {
    let locale = tr.locale;
    // Figures of one kind: the KPI, its text, then the number now and the period before.
    let kpi_table = |title: &str, kind: ColumnKind| Table {
        title: tr.t(title),
        columns: vec![
            column(tr.t("analytics-kpi"), ColumnKind::Text),
            column(tr.t("analytics-value"), ColumnKind::Text),
            column(tr.t("analytics-number"), kind),
            column(tr.t("analytics-previous-period"), kind),
        ],
        rows: vec![],
    };
    let mut kpis = kpi_table("analytics-rates", ColumnKind::Percent);
    let mut counts = kpi_table("analytics-counts", ColumnKind::Integer);
    // A campaign's spend and costs per click and per acquisition, in its currency.
    let mut costs = kpi_table("analytics-costs", ColumnKind::Money);
    if let Some(paid) = &d.paid {
        costs.rows.push(vec![
            Cell::Text(tr.t("analytics-spend")),
            Cell::Text(Value::Money(paid.spend).display(locale)),
            Cell::Money(paid.spend),
            paid.spend_before.map(Cell::Money).unwrap_or(Cell::Empty),
        ]);
    }
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
            ColumnKind::Money => {
                costs.rows.push(row(figure_cell(&line.current), previous.as_ref().map(figure_cell).unwrap_or(Cell::Empty)))
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
    if d.paid.is_some() {
        out.push(costs);
    }
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

async fn report(store: &Store, media: &MediaFiles, w: &Workspace, d: &Dashboard, tr: Tr) -> Result<Report, StoreError> {
    let logo = store.workspace_logo(&w.id).await?.and_then(|(_, data)| STANDARD.decode(data).ok());
    let fallback = || Colour::parse("c", "#1d4ed8").expect("a valid colour");
    let colours = BrandColours {
        primary: brand_colour(w).unwrap_or_else(fallback),
        secondary: Colour::parse("accent_colour", &w.accent_colour).unwrap_or_else(|_| fallback()),
    };
    let scope_label = scope_label(store, &w.id, &d.sel.scope_key, tr).await?;
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
    let images = top_images(store, media, d).await?;
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
    let commentary =
        store.report_commentary(&w.id, &d.sel.scope_key, &d.sel.first_day(), &d.sel.last_day()).await?.map(|c| c.body).unwrap_or_default();
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
async fn top_images(store: &Store, media: &MediaFiles, d: &Dashboard) -> Result<HashMap<String, Vec<u8>>, StoreError> {
    let ids: Vec<String> = d.top.iter().map(|p| p.variant_id.clone()).collect();
    let mut out = HashMap::new();
    for (variant, files) in store.variant_media(&ids).await? {
        let Some(image) = files.iter().find(|m| m.kind == "image") else { continue };
        let Ok(path) = media.thumbnail_path(&image.sha256) else { continue };
        match tokio::fs::read(&path).await {
            Ok(bytes) => {
                out.insert(variant, bytes);
            }
            Err(e) => tracing::warn!(media = %image.id, error = %e, "a top post's image is missing from the media directory"),
        }
    }
    Ok(out)
}
