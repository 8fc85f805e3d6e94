//! The PDF report read as a reader would: pages rendered to pictures with poppler's `pdftoppm`
//! must not be blank, and `pdftotext` must find the words the report is about.
//!
//! Skipped loudly when poppler-utils is missing, unless `RELAIS_TEST_REQUIRE_BROWSER=1` (CI,
//! which installs it alongside the browser).

use image::{ImageFormat, Rgb, RgbImage};
use jiff::civil::date;
use relais_core::kpi::{Figure, Kpi, Period, Status, Value};
use relais_core::values::{Colour, Locale};
use relais_reports::{
    Bar, BarChart, BrandColours, CommunityLine, HeatCell, HeatMap, LineChart, ObjectiveLine, PdfError, Point, Report, ReportChart, Series,
    TopPost, render_pdf,
};
use std::io::{Cursor, Write};
use std::path::Path;
use std::process::Command;

fn poppler() -> bool {
    let found = ["pdftoppm", "pdftotext"].iter().all(|tool| Command::new(tool).arg("-v").output().is_ok());
    if found {
        return true;
    }
    if std::env::var("RELAIS_TEST_REQUIRE_BROWSER").is_ok_and(|v| v == "1") {
        panic!("RELAIS_TEST_REQUIRE_BROWSER=1 but pdftoppm or pdftotext is missing: apt-get install poppler-utils");
    }
    let _ = writeln!(std::io::stderr(), "\n!!! PDF reader test SKIPPED: no pdftoppm/pdftotext (apt-get install poppler-utils)\n");
    false
}

fn picture(format: ImageFormat, colour: [u8; 3]) -> Vec<u8> {
    let image = RgbImage::from_fn(120, 80, |x, y| if (x / 20 + y / 20) % 2 == 0 { Rgb(colour) } else { Rgb([255, 255, 255]) });
    let mut bytes = Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).unwrap();
    bytes.into_inner()
}

fn figure(kpi: Kpi, n: f64) -> Figure {
    Figure::from_number(kpi, n, None).unwrap()
}

fn report(locale: Locale) -> Report {
    let first = date(2026, 3, 1);
    let points: Vec<Point> =
        (0..31).map(|i| Point { date: first.checked_add(jiff::Span::new().days(i)).unwrap(), value: 12_000.0 + (i * i) as f64 }).collect();
    let followers = LineChart {
        title: "Abonnés par jour".into(),
        locale,
        unit: relais_core::kpi::Unit::Count,
        currency: None,
        y_label: "Abonnés".into(),
        current: Series { label: "Mars".into(), points },
        previous: None,
        colour: None,
    };
    let pillars = BarChart {
        title: "Publications par pilier".into(),
        locale,
        unit: relais_core::kpi::Unit::Count,
        currency: None,
        x_label: "Pilier".into(),
        y_label: "Publications".into(),
        bars: vec![Bar { label: "Conseils".into(), value: 12.0 }, Bar { label: "Offres".into(), value: 7.0 }],
        colour: None,
    };
    let mut cells = [[HeatCell::default(); 24]; 7];
    cells[1][12] = HeatCell { posts: 4, rate: Some(0.04) };
    cells[3][18] = HeatCell { posts: 1, rate: Some(0.25) };
    let heat =
        HeatMap { title: "Meilleurs moments".into(), locale, measure: "Taux d'engagement".into(), cells, min_posts: 3, colour: None };
    Report {
        workspace_name: "Banque de Bourgogne".into(),
        logo: Some(picture(ImageFormat::Png, [0x1d, 0x4e, 0xd8])),
        colours: BrandColours {
            primary: Colour::parse("primary", "#7a1f3d").unwrap(),
            secondary: Colour::parse("secondary", "#d4a017").unwrap(),
        },
        period: Period::new(first, date(2026, 3, 31)).unwrap(),
        scope_label: "Tous les comptes".into(),
        locale,
        objectives: vec![
            ObjectiveLine { figure: figure(Kpi::ResponseRate, 0.92), target: Some(Value::Percent(0.95)), status: Some(Status::AtRisk) },
            ObjectiveLine { figure: figure(Kpi::FollowerGrowth, 440.0), target: Some(Value::Count(400)), status: Some(Status::OnTrack) },
            ObjectiveLine { figure: figure(Kpi::PostingFrequency, 4.5), target: None, status: None },
        ],
        charts: vec![
            ReportChart { title: "Abonnés".into(), svg: followers.to_svg() },
            ReportChart { title: "Piliers".into(), svg: pillars.to_svg() },
            ReportChart { title: "Moments".into(), svg: heat.to_svg() },
        ],
        top_posts: vec![
            TopPost {
                text: "Artisans : le prêt Atelier finance vos machines.\nRendez-vous en agence !".into(),
                network: "Bluesky".into(),
                published: date(2026, 3, 12),
                image: Some(picture(ImageFormat::Jpeg, [0xd4, 0xa0, 0x17])),
                figures: vec![figure(Kpi::Reach, 15_400.0), figure(Kpi::EngagementRateByReach, 0.061)],
            },
            TopPost {
                text: "Sans image, mais avec *des étoiles* et #panic(\"markup\") $x^2$ <label> @ref".into(),
                network: "Mastodon".into(),
                published: date(2026, 3, 20),
                image: None,
                figures: vec![figure(Kpi::Reach, 2_300.0)],
            },
        ],
        community: [figure(Kpi::ResponseRate, 0.92), figure(Kpi::ResponseTimeMedian, 3_900_000.0)]
            .iter()
            .map(|f| CommunityLine { label: f.label(locale).into(), value: f.display(locale) })
            .collect(),
        community_note: None,
        commentary: "Résultats très encourageants pour ce premier mois.\n\nLe taux de réponse reste à surveiller : \
                     viser 95 % en avril.\nDeuxième ligne du même paragraphe."
            .into(),
        generated_on: date(2026, 4, 2),
    }
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg("-enc").arg("UTF-8").arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    // Typst may set the narrow no-break spaces and line breaks differently from the source text.
    String::from_utf8(out.stdout).unwrap().replace(['\u{202f}', '\u{a0}'], " ")
}

/// Each page as a picture, with the share of its pixels that are not white.
fn ink_per_page(pdf: &Path, dir: &Path) -> Vec<f64> {
    let status = Command::new("pdftoppm").args(["-r", "40", "-png"]).arg(pdf).arg(dir.join("page")).status().unwrap();
    assert!(status.success(), "pdftoppm failed");
    let mut pages: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "png")).collect();
    pages.sort();
    pages
        .iter()
        .map(|page| {
            let image = image::open(page).unwrap().to_rgb8();
            let inked = image.pixels().filter(|p| p.0.iter().any(|&c| c < 230)).count();
            inked as f64 / (image.width() * image.height()) as f64
        })
        .collect()
}

#[test]
fn the_pdf_report_reads_as_a_report_with_cover_figures_and_commentary() {
    let pdf = render_pdf(&report(Locale::Fr)).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rapport.pdf");
    std::fs::write(&file, &pdf).unwrap();

    let ink = ink_per_page(&file, dir.path());
    assert!(ink.len() >= 2, "a cover and at least one page of sections, got {} pages", ink.len());
    assert!(ink[0] > 0.2, "the cover carries the brand colour band: {:.3} of it is inked", ink[0]);
    for (i, share) in ink.iter().enumerate() {
        assert!(*share > 0.005, "page {} is blank ({share:.4} inked)", i + 1);
    }

    let text = pdftotext(&file);
    for expected in [
        "Banque de Bourgogne",
        "Rapport d’activité",
        "Du 1er mars 2026 au 31 mars 2026",
        "Tous les comptes",
        "Taux de réponse",
        "92,0 %",
        "En bonne voie",
        "Résultats très encourageants pour ce premier mois.",
        "Meilleures publications",
        "le prêt Atelier finance vos machines.",
        "Communauté et service client",
        "1 h 05 min",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the PDF's text:\n{text}");
    }
    // User text is printed as written, never run as typst markup.
    assert!(text.contains("*des étoiles* et #panic(\"markup\") $x^2$ <label> @ref"), "markup was interpreted:\n{text}");
}

#[test]
fn the_report_speaks_english_too() {
    let mut english = report(Locale::En);
    english.logo = None;
    english.top_posts.clear();
    let pdf = render_pdf(&english).unwrap();
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let text = pdftotext(&file);
    for expected in [
        "Activity report",
        "From March 1, 2026 to March 31, 2026",
        "Response rate",
        "92.0%",
        "On track",
        "Nothing to show for this period.",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the PDF's text:\n{text}");
    }
}

#[test]
fn an_image_that_is_not_png_or_jpeg_is_refused_by_name() {
    let mut bad = report(Locale::Fr);
    bad.logo = Some(b"GIF89a...".to_vec());
    let error = render_pdf(&bad).unwrap_err();
    assert!(matches!(error, PdfError::ImageFormat { .. }), "{error}");
    assert!(error.to_string().contains("logo"), "{error}");
}

/// The 1-based pages whose text contains `needle`.
fn pages_with(pdf: &Path, pages: usize, needle: &str) -> Vec<usize> {
    (1..=pages)
        .filter(|n| {
            let out =
                Command::new("pdftotext").args(["-enc", "UTF-8", "-f", &n.to_string(), "-l", &n.to_string()]).arg(pdf).arg("-").output();
            out.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(needle))
        })
        .collect()
}

#[test]
fn a_top_post_is_printed_with_its_image_beside_its_text() {
    let mut r = report(Locale::Fr);
    // A green that nothing else in the report uses (the brand colours are purple and gold).
    let green = [0x10, 0xc0, 0x40];
    r.top_posts[0].image = Some(picture(ImageFormat::Png, green));
    r.top_posts.truncate(1);
    let pdf = render_pdf(&r).unwrap();
    if !poppler() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rapport.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let ink = ink_per_page(&file, dir.path());
    let pages = pages_with(&file, ink.len(), "le prêt Atelier finance vos machines.");
    assert_eq!(pages.len(), 1, "the post's text is on one page: {pages:?}");
    let page = pages[0];
    assert!(ink[page - 1] > 0.005, "the post's page is not blank");
    // The image itself is drawn on that page: its green is there, and on no other page.
    let mut pictures: Vec<_> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "png")).collect();
    pictures.sort();
    let greens: Vec<usize> = pictures.iter().map(|p| green_pixels(p, green)).collect();
    assert!(greens[page - 1] > 50, "the image's pixels on page {page}: {greens:?}");
    assert!(greens.iter().enumerate().all(|(i, n)| i + 1 == page || *n == 0), "green only on the post's page: {greens:?}");
}

fn green_pixels(page: &Path, colour: [u8; 3]) -> usize {
    let image = image::open(page).unwrap_or_else(|e| panic!("{}: {e}", page.display())).to_rgb8();
    image.pixels().filter(|p| p.0.iter().zip(colour).all(|(a, b)| a.abs_diff(b) < 24)).count()
}
