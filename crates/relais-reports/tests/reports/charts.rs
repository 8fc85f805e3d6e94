use jiff::civil::{Date, date};
use relais_core::kpi::{Currency, Unit};
use relais_core::values::{Colour, Locale};
use relais_reports::{Bar, BarChart, HeatCell, HeatMap, LineChart, Point, Series};

fn days(first: Date, values: &[f64]) -> Vec<Point> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| Point { date: first.checked_add(jiff::Span::new().days(i as i64)).unwrap(), value: *v })
        .collect()
}

fn followers(locale: Locale) -> LineChart {
    LineChart {
        title: match locale {
            Locale::Fr => "Abonnés par jour".into(),
            Locale::En => "Followers by day".into(),
        },
        locale,
        unit: Unit::Count,
        currency: None,
        y_label: "Abonnés".into(),
        current: Series { label: "Mars 2026".into(), points: days(date(2026, 3, 1), &[12_040.0, 12_100.0, 12_180.0, 12_175.0, 12_480.0]) },
        previous: Some(Series {
            label: "Février <2026>".into(),
            points: days(date(2026, 2, 1), &[11_500.0, 11_600.0, 11_800.0, 11_900.0, 12_000.0]),
        }),
        colour: Some(Colour::parse("colour", "#0f766e").unwrap()),
    }
}

/// A chart must be XML that a browser and typst accept, with its accessible name first.
fn assert_well_formed(svg: &str) {
    let document = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed XML ({e}): {svg}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.attribute("role"), Some("img"));
    let first: Vec<&str> = root.children().filter(|n| n.is_element()).take(2).map(|n| n.tag_name().name()).collect();
    assert_eq!(first, ["title", "desc"], "the title and description come first");
    assert!(!svg.contains("<2026>"), "user text reached the SVG unescaped");
}

#[test]
fn a_line_chart_has_an_accessible_title_labelled_axes_and_the_previous_period_dashed() {
    let svg = followers(Locale::Fr).to_svg();
    assert_well_formed(&svg);
    assert!(svg.contains(r#"role="img""#));
    assert!(svg.contains("<title id=\"line-") && svg.contains("Abonnés par jour</title>"));
    assert!(svg.contains("<desc id=\"line-"), "{svg}");
    assert!(svg.contains("Mars 2026 du 1er mars 2026 au 5 mars 2026 : de 12\u{202f}040 à 12\u{202f}480"), "{svg}");
    // Nice ticks in French notation, not forced down to zero: 11 400, 11 600… 12 600.
    assert!(svg.contains(">12\u{202f}000<") && svg.contains(">11\u{202f}400<"), "{svg}");
    assert!(!svg.contains(">0<"), "{svg}");
    assert!(svg.contains(">1 mars<") && svg.contains(">Date<") && svg.contains(">Abonnés<"));
    assert!(svg.contains(r#"stroke-dasharray="6 4""#));
    assert!(svg.contains("Février &lt;2026&gt;"));
    assert!(svg.contains("#0f766e"));

    let english = followers(Locale::En).to_svg();
    assert!(english.contains(">12,000<") && english.contains(">Mar 1<"), "{english}");
    assert!(english.contains("March 1, 2026: 12,040"), "{english}");
}

#[test]
fn percentages_on_an_axis_read_as_percentages() {
    let chart = LineChart {
        title: "Engagement rate".into(),
        locale: Locale::En,
        unit: Unit::Percent,
        currency: None,
        y_label: "Engagement".into(),
        current: Series { label: "Rate".into(), points: days(date(2026, 3, 1), &[0.021, 0.034, 0.043]) },
        previous: None,
        colour: None,
    };
    let svg = chart.to_svg();
    assert_well_formed(&svg);
    assert!(svg.contains(">4.5%<") && svg.contains(">2.0%<") && svg.contains("Engagement (%)"), "{svg}");
    assert!(!svg.contains("stroke-dasharray"));
}

#[test]
fn a_chart_without_data_says_so() {
    let mut chart = followers(Locale::Fr);
    chart.current.points.clear();
    chart.previous = None;
    let svg = chart.to_svg();
    assert_well_formed(&svg);
    assert!(svg.contains("Aucune donnée pour cette période"));
    assert!(svg.contains("Abonnés par jour</title>"));

    let bars = BarChart {
        title: "Posts per pillar".into(),
        locale: Locale::En,
        unit: Unit::Count,
        currency: None,
        x_label: "Pillar".into(),
        y_label: "Posts".into(),
        bars: vec![],
        colour: None,
    };
    assert!(bars.to_svg().contains("No data for this period"));
    let heat = HeatMap {
        title: "Best times".into(),
        locale: Locale::En,
        measure: "Engagement rate (on impressions)".into(),
        cells: [[HeatCell::default(); 24]; 7],
        min_posts: 3,
        colour: None,
    };
    assert!(heat.to_svg().contains("No data for this period"));
}

#[test]
fn a_bar_chart_labels_each_bar_and_exports_its_rows() {
    let chart = BarChart {
        title: "Publications par pilier".into(),
        locale: Locale::Fr,
        unit: Unit::Money,
        currency: Some(Currency::EUR),
        x_label: "Pilier".into(),
        y_label: "Dépense".into(),
        bars: vec![Bar { label: "Savoir-faire & artisans".into(), value: 125_050.0 }, Bar { label: "Offres".into(), value: 40_000.0 }],
        colour: None,
    };
    let svg = chart.to_svg();
    assert_well_formed(&svg);
    assert!(svg.contains("Savoir-faire &amp; artisans"), "{svg}");
    assert!(svg.contains("1\u{202f}250,50\u{a0}€") || svg.contains("1\u{202f}250,50\u{202f}€"), "{svg}");
    assert!(svg.contains("Dépense (€)"));
    assert_eq!(chart.to_csv(), "Pilier,Dépense\nSavoir-faire & artisans,125050\nOffres,40000\n");
}

#[test]
fn the_heat_map_shows_rates_and_says_when_a_cell_has_too_few_posts() {
    let mut cells = [[HeatCell::default(); 24]; 7];
    cells[0][14] = HeatCell { posts: 4, rate: Some(0.042) }; // Monday 2 pm: 4.2 % over 4 posts
    cells[4][9] = HeatCell { posts: 3, rate: Some(0.125) }; // Friday 9 am: 12.5 % over 3 posts
    cells[2][20] = HeatCell { posts: 2, rate: Some(0.9) }; // Wednesday 8 pm: two lucky posts
    let map = HeatMap {
        title: "Meilleurs moments".into(),
        locale: Locale::Fr,
        measure: "Taux d'engagement (sur les impressions)".into(),
        cells,
        min_posts: 3,
        colour: None,
    };
    let svg = map.to_svg();
    assert_well_formed(&svg);
    assert_eq!(svg.matches("<rect x=").count(), 168, "one cell per weekday and hour");
    assert!(svg.contains("<title>lundi 14 h\u{a0}: 4,2\u{202f}% (4 publications)</title>"), "{svg}");
    assert!(svg.contains("<title>vendredi 9 h\u{a0}: 12,5\u{202f}% (3 publications)</title>"), "{svg}");
    // Two posts are not a rate: hatched and said so, not shown as 90 % nor as 0.
    assert!(svg.contains("<title>mercredi 20 h\u{a0}: 2 publications : trop peu pour un taux</title>"), "{svg}");
    assert_eq!(svg.matches("url(#heat-").count(), 1, "one hatched cell");
    assert!(svg.contains("<title>dimanche 3 h\u{a0}: aucune publication</title>"));
    assert!(svg.contains("hachuré : moins de 3 publications"));
    // The base is named, and the best slot is the best rate among cells with enough posts.
    assert!(svg.contains("Taux d&apos;engagement (sur les impressions) · max 12,5\u{202f}%"), "{svg}");
    assert!(svg.contains("Meilleurs créneaux : vendredi 9 h (12,5\u{202f}% (3 publications)), lundi 14 h"), "{svg}");
    let csv = map.to_csv();
    assert_eq!(csv.lines().count(), 1 + 168);
    assert!(csv.starts_with("Jour,Heure,Publications,Taux d'engagement (sur les impressions)\nlundi,0,0,\n"), "{csv}");
    assert!(csv.contains("\nlundi,14,4,0.042\n"));
    assert!(csv.contains("\nmercredi,20,2,\n"), "too few posts: no rate, not 0");

    let english = HeatMap { locale: Locale::En, measure: "Engagement rate (on impressions)".into(), ..map }.to_svg();
    assert!(english.contains("<title>Monday 2 pm: 4.2% (4 posts)</title>"), "{english}");
    assert!(english.contains("<title>Wednesday 8 pm: 2 posts: too few for a rate</title>"), "{english}");
}

#[test]
fn line_chart_data_downloads_as_csv_with_a_localised_header() {
    let csv = followers(Locale::Fr).to_csv();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("Date,Mars 2026,Date (période précédente),Février <2026>"));
    assert_eq!(lines.next(), Some("2026-03-01,12040,2026-02-01,11500"));
    assert_eq!(csv.lines().count(), 6);
    let en = followers(Locale::En).to_csv();
    assert!(en.starts_with("Date,Mars 2026,Date (previous period),"));
}
