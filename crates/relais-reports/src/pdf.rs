//! The report as PDF, typeset by typst as a library.
//!
//! The layout is a fixed template (`report.typ`); the report's contents reach it as JSON in a
//! virtual file, and images and charts as virtual files, so nothing a user typed is ever read
//! as typst markup. Fonts are typst's bundled ones: no system fonts, nothing fetched.

use crate::calendar_names::long_date;
use crate::report::Report;
use crate::svg::label_value;
use relais_core::values::Locale;
use serde_json::json;
use std::collections::HashMap;
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

const TEMPLATE: &str = include_str!("report.typ");

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the {what} is neither a PNG nor a JPEG image; the report can only embed those")]
    ImageFormat { what: String },
    #[error("typesetting the report failed: {0}")]
    Typeset(String),
    #[error("writing the PDF failed: {0}")]
    Export(String),
}

/// Parsing the bundled fonts takes a while: once per process.
static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// The report as PDF bytes.
pub fn render_pdf(report: &Report) -> Result<Vec<u8>, PdfError> {
    let mut files: HashMap<String, Bytes> = HashMap::new();
    let data = model(report, &mut files)?;
    files.insert("/data.json".into(), Bytes::new(serde_json::to_vec(&data).expect("JSON of plain values")));
    let world = ReportWorld::new(report, files);
    let compiled = typst::compile::<PagedDocument>(&world);
    let document =
        compiled.output.map_err(|errors| PdfError::Typeset(errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ")))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| PdfError::Export(errors.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; ")))
}

/// Everything the template prints, already in the reader's words: figures through
/// `Figure::display`, dates and headings in the locale.
fn model(report: &Report, files: &mut HashMap<String, Bytes>) -> Result<serde_json::Value, PdfError> {
    let l = report.locale;
    let logo = match &report.logo {
        Some(bytes) => Some(add_image(files, "logo", bytes, label(l, "logo", "logo"))?),
        None => None,
    };
    let objectives: Vec<_> = report
        .objectives
        .iter()
        .map(|o| {
            json!({
                "name": o.figure.label(l),
                "value": o.figure.display(l),
                "target": o.target.map(|t| t.display(l)).unwrap_or_else(|| "—".into()),
                "status": o.status.map(|s| s.name(l)).unwrap_or("—"),
                "status_key": o.status.map(|s| s.key()).unwrap_or(""),
            })
        })
        .collect();
    let mut charts = Vec::new();
    for (i, chart) in report.charts.iter().enumerate() {
        let path = format!("/chart-{i}.svg");
        files.insert(path.clone(), Bytes::new(chart.svg.clone().into_bytes()));
        charts.push(json!({ "path": path, "title": chart.title }));
    }
    let mut top_posts = Vec::new();
    for (i, post) in report.top_posts.iter().enumerate() {
        let image = match &post.image {
            Some(bytes) => Some(add_image(files, &format!("post-{i}"), bytes, label(l, "image du post", "post image"))?),
            None => None,
        };
        top_posts.push(json!({
            "text": post.text,
            "network": post.network,
            "date": long_date(post.published, l),
            "image": image,
            "figures": post.figures.iter().map(|f| label_value(l, f.label(l), &f.display(l))).collect::<Vec<_>>(),
        }));
    }
    let community: Vec<_> = report.community.iter().map(|c| json!({ "label": c.label, "value": c.value })).collect();
    let commentary: Vec<String> = paragraphs(&report.commentary);
    let period = match l {
        Locale::Fr => format!("Du {} au {}", long_date(report.period.first(), l), long_date(report.period.last(), l)),
        Locale::En => format!("From {} to {}", long_date(report.period.first(), l), long_date(report.period.last(), l)),
    };
    let generated = match l {
        Locale::Fr => format!("Rapport produit le {} avec Relais", long_date(report.generated_on, l)),
        Locale::En => format!("Report produced on {} with Relais", long_date(report.generated_on, l)),
    };
    Ok(json!({
        "locale": l.as_str(),
        "workspace": report.workspace_name,
        "primary": report.colours.primary.as_str(),
        "secondary": report.colours.secondary.as_str(),
        "logo": logo,
        "period": period,
        "scope": report.scope_label,
        "generated": generated,
        "objectives": objectives,
        "charts": charts,
        "top_posts": top_posts,
        "community": community,
        "community_note": report.community_note,
        "commentary": commentary,
        "labels": labels(l),
    }))
}

fn label(locale: Locale, fr: &str, en: &str) -> String {
    match locale {
        Locale::Fr => fr.to_string(),
        Locale::En => en.to_string(),
    }
}

fn labels(locale: Locale) -> serde_json::Value {
    match locale {
        Locale::Fr => json!({
            "title": "Rapport d’activité",
            "kpis": "Indicateurs et objectifs",
            "kpi_columns": ["Indicateur", "Valeur", "Objectif", "Statut"],
            "charts": "Évolution",
            "top_posts": "Meilleures publications",
            "community": "Communauté et service client",
            "commentary": "Commentaire",
            "nothing": "Rien à montrer pour cette période.",
        }),
        Locale::En => json!({
            "title": "Activity report",
            "kpis": "KPIs and objectives",
            "kpi_columns": ["KPI", "Value", "Objective", "Status"],
            "charts": "Trends",
            "top_posts": "Top posts",
            "community": "Community and customer care",
            "commentary": "Commentary",
            "nothing": "Nothing to show for this period.",
        }),
    }
}

/// Paragraphs are separated by blank lines; single line breaks inside one are kept.
fn paragraphs(text: &str) -> Vec<String> {
    let text = text.replace("\r\n", "\n");
    text.split("\n\n").map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

/// Stores an image under a path whose extension matches its content: typst picks the decoder
/// from it, and anything else is refused here with a message rather than deep in typst.
fn add_image(files: &mut HashMap<String, Bytes>, name: &str, bytes: &[u8], what: String) -> Result<String, PdfError> {
    let extension = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "png"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "jpg"
    } else {
        return Err(PdfError::ImageFormat { what });
    };
    let path = format!("/{name}.{extension}");
    files.insert(path.clone(), Bytes::new(bytes.to_vec()));
    Ok(path)
}

/// The smallest typst world: one source (the template), a few in-memory files, bundled fonts,
/// and "today" fixed to the report's date.
struct ReportWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

fn file_id(path: &str) -> FileId {
    // Paths are made here, from fixed patterns: they are always valid.
    RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).expect("a valid virtual path")).intern()
}

impl ReportWorld {
    fn new(report: &Report, files: HashMap<String, Bytes>) -> ReportWorld {
        let main = Source::new(file_id("/report.typ"), TEMPLATE.to_string());
        let files = files.into_iter().map(|(path, bytes)| (file_id(&path), bytes)).collect();
        let d = report.generated_on;
        ReportWorld { main, files, today: Datetime::from_ymd(d.year() as i32, d.month() as u8, d.day() as u8) }
    }
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() { Ok(self.main.clone()) } else { Err(FileError::NotSource) }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or_else(|| FileError::NotFound(format!("{id:?}").into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commentary_splits_on_blank_lines() {
        assert_eq!(paragraphs("Un.\r\n\r\nDeux\nlignes.\n\n\n"), vec!["Un.".to_string(), "Deux\nlignes.".to_string()]);
    }
}
