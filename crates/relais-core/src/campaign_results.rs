//! A paid campaign's results, one row per day (spend, impressions, clicks, conversions and their
//! value), and reading them from the file an ad manager exports.
//!
//! The file: CSV (`,` or `;`) or XLSX, headers in French or English, recognised whatever their
//! case and accents (Meta's "Montant dépensé (EUR)" and Google's "Cost" alike; the currency in
//! brackets must be the campaign's). The day and the spend are required columns; impressions,
//! clicks, conversions and conversion value count as zero when the file has no such column; other
//! columns are ignored, and so is a closing "Total" row. Amounts are read the French or the
//! English way ("1 234,56", "1,234.56"). Checking never stops at the first problem: every problem
//! comes back with its line (the header is line 1) and its column, and nothing is imported
//! unless the whole file is right.

use crate::calendar_sheet::{Cell, RawSheet, column_letter, parse_date};
use crate::kpi::money::{parse_cents, parse_whole};
use crate::kpi::{Currency, Figure, Money, Period, campaigns};
use crate::text_rules::fold;
use jiff::civil::Date;
use std::collections::HashMap;

/// What a campaign brought on one day, amounts in the campaign's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayResult {
    pub day: Date,
    pub spend_cents: i64,
    pub impressions: u64,
    pub clicks: u64,
    pub conversions: u64,
    pub conversion_value_cents: i64,
}

/// Results added up over days (and campaigns of one currency).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub spend_cents: i64,
    pub impressions: u64,
    pub clicks: u64,
    pub conversions: u64,
    pub conversion_value_cents: i64,
    /// The last day with results, if any.
    pub last_day: Option<Date>,
}

impl Totals {
    pub fn of<'a>(days: impl IntoIterator<Item = &'a DayResult>) -> Totals {
        days.into_iter().fold(Totals::default(), |mut t, d| {
            t.add(d);
            t
        })
    }

    pub fn add(&mut self, d: &DayResult) {
        self.spend_cents = self.spend_cents.saturating_add(d.spend_cents);
        self.impressions = self.impressions.saturating_add(d.impressions);
        self.clicks = self.clicks.saturating_add(d.clicks);
        self.conversions = self.conversions.saturating_add(d.conversions);
        self.conversion_value_cents = self.conversion_value_cents.saturating_add(d.conversion_value_cents);
        self.last_day = self.last_day.max(Some(d.day));
    }

    /// CTR, CPC, CPA and ROAS of these results, in this order.
    pub fn kpis(&self, currency: Currency) -> [Figure; 4] {
        let spend = Money::new(self.spend_cents, currency);
        [
            campaigns::click_through_rate(self.clicks, self.impressions),
            campaigns::cost_per_click(spend, self.clicks),
            campaigns::cost_per_acquisition(spend, self.conversions),
            campaigns::return_on_ad_spend(Money::new(self.conversion_value_cents, currency), spend),
        ]
    }
}

/// A column of a results file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Day,
    Spend,
    Impressions,
    Clicks,
    Conversions,
    ConversionValue,
    Currency,
}

impl Column {
    pub const ALL: [Column; 7] =
        [Column::Day, Column::Spend, Column::Impressions, Column::Clicks, Column::Conversions, Column::ConversionValue, Column::Currency];

    /// The header Relais writes and shows in its help, French then English.
    pub fn header(self, french: bool) -> &'static str {
        let (fr, en) = match self {
            Column::Day => ("Jour", "Day"),
            Column::Spend => ("Dépense", "Spend"),
            Column::Impressions => ("Impressions", "Impressions"),
            Column::Clicks => ("Clics", "Clicks"),
            Column::Conversions => ("Conversions", "Conversions"),
            Column::ConversionValue => ("Valeur de conversion", "Conversion value"),
            Column::Currency => ("Devise", "Currency"),
        };
        if french { fr } else { en }
    }

    /// Other names the ad managers give the column, folded (lower case, no accents).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Day => &["date", "jour", "day", "debut des rapports", "reporting starts"],
            Column::Spend => &["depense", "depenses", "montant depense", "spend", "amount spent", "cost", "cout"],
            Column::Impressions => &["impressions"],
            Column::Clicks => &["clics", "clicks", "clics sur un lien", "link clicks", "clics (tous)", "clicks (all)"],
            Column::Conversions => &["conversions", "achats", "purchases", "prospects", "leads"],
            Column::ConversionValue => &[
                "valeur de conversion",
                "valeur des conversions",
                "conversion value",
                "chiffre d'affaires",
                "revenue",
                "valeur de conversion des achats",
                "purchases conversion value",
            ],
            Column::Currency => &["devise", "currency"],
        }
    }

    fn required(self) -> bool {
        matches!(self, Column::Day | Column::Spend)
    }

    /// The column a header names, and the currency it carries in brackets ("Cost (EUR)").
    fn recognise(header: &str) -> Option<(Column, Option<String>)> {
        let folded = fold(header.trim());
        let named = |name: &str| Column::ALL.into_iter().find(|c| c.aliases().contains(&name));
        if let Some(column) = named(&folded) {
            return Some((column, None));
        }
        let (name, rest) = folded.rsplit_once('(')?;
        let code = rest.strip_suffix(')').filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_alphabetic()))?;
        named(name.trim()).map(|column| (column, Some(code.to_string())))
    }
}

/// One thing wrong with a results file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The line as the spreadsheet shows it; the header is line 1.
    pub line: usize,
    /// The column's header as written in the file, or its letter; empty for the whole file.
    pub column: String,
    pub kind: ProblemKind,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.column.is_empty() {
            write!(f, "line {}: {}", self.line, self.kind)
        } else {
            write!(f, "line {}, column {:?}: {}", self.line, self.column, self.kind)
        }
    }
}

/// What is wrong; [`ProblemKind::code`] and [`ProblemKind::args`] let a page say it in its language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    #[error("the file has no header line")]
    EmptyFile,
    #[error("the file has no results under its header")]
    NoRows,
    #[error("the column {header:?} appears twice")]
    DuplicateColumn { header: String },
    #[error("the column {header:?} is missing")]
    MissingColumn { header: String },
    #[error("the day is missing")]
    MissingDay,
    #[error("{value:?} is not a date (write 2026-05-04 or 04/05/2026)")]
    BadDate { value: String },
    #[error("{value:?} is not an amount (write 1234,56 or 1234.56)")]
    BadAmount { value: String },
    #[error("{value:?} is not a whole number of at least 0")]
    BadCount { value: String },
    #[error("an amount cannot be negative: {value:?}")]
    NegativeAmount { value: String },
    #[error("the amounts are in {found}; this campaign's currency is {expected}")]
    OtherCurrency { found: String, expected: String },
    #[error("{day} is also on line {first_line}: one line per day")]
    DuplicateDay { day: String, first_line: usize },
    #[error("{day} is outside the campaign ({first} to {last})")]
    OutsideCampaign { day: String, first: String, last: String },
}

impl ProblemKind {
    /// A stable id for translations.
    pub fn code(&self) -> &'static str {
        use ProblemKind as K;
        match self {
            K::EmptyFile => "empty-file",
            K::NoRows => "no-rows",
            K::DuplicateColumn { .. } => "duplicate-column",
            K::MissingColumn { .. } => "missing-column",
            K::MissingDay => "missing-day",
            K::BadDate { .. } => "bad-date",
            K::BadAmount { .. } => "bad-amount",
            K::BadCount { .. } => "bad-count",
            K::NegativeAmount { .. } => "negative-amount",
            K::OtherCurrency { .. } => "other-currency",
            K::DuplicateDay { .. } => "duplicate-day",
            K::OutsideCampaign { .. } => "outside-campaign",
        }
    }

    /// The values a translation needs, by name.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        use ProblemKind as K;
        match self {
            K::EmptyFile | K::NoRows | K::MissingDay => vec![],
            K::DuplicateColumn { header } | K::MissingColumn { header } => vec![("header", header.clone())],
            K::BadDate { value } | K::BadAmount { value } | K::BadCount { value } | K::NegativeAmount { value } => {
                vec![("value", value.clone())]
            }
            K::OtherCurrency { found, expected } => vec![("found", found.clone()), ("expected", expected.clone())],
            K::DuplicateDay { day, first_line } => vec![("day", day.clone()), ("line", first_line.to_string())],
            K::OutsideCampaign { day, first, last } => vec![("day", day.clone()), ("first", first.clone()), ("last", last.clone())],
        }
    }
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.trim().to_string(),
        Cell::Number(n) | Cell::DateTime(n) => n.to_string(),
    }
}

/// Ad managers print "-" or "—" for nothing, which is zero.
fn is_nothing(cell: &Cell) -> bool {
    match cell {
        Cell::Empty => true,
        Cell::Text(s) => matches!(s.trim(), "" | "-" | "—" | "–"),
        _ => false,
    }
}

fn amount(cell: &Cell) -> Result<i64, ProblemKind> {
    let cents = match cell {
        _ if is_nothing(cell) => Some(0),
        Cell::Number(n) | Cell::DateTime(n) if n.is_finite() && n.abs() < 9e15 => Some((n * 100.0).round() as i64),
        Cell::Text(s) => parse_cents(s),
        _ => None,
    };
    match cents {
        Some(c) if c < 0 => Err(ProblemKind::NegativeAmount { value: cell_text(cell) }),
        Some(c) => Ok(c),
        None => Err(ProblemKind::BadAmount { value: cell_text(cell) }),
    }
}

fn count(cell: &Cell) -> Result<u64, ProblemKind> {
    let n = match cell {
        _ if is_nothing(cell) => Some(0),
        Cell::Number(n) | Cell::DateTime(n) if *n >= 0.0 && n.fract() == 0.0 && *n < 9e15 => Some(*n as i64),
        Cell::Text(s) => parse_whole(s),
        _ => None,
    };
    n.and_then(|n| u64::try_from(n).ok()).ok_or_else(|| ProblemKind::BadCount { value: cell_text(cell) })
}

/// Whether a line is the export's closing sum rather than a day.
fn is_total(cell: &Cell) -> bool {
    matches!(cell, Cell::Text(s) if matches!(fold(s.trim()).as_str(), "total" | "totaux" | "totals" | "somme"))
}

/// Reads a results file for a campaign in `currency` running over `dates` (when it has both).
/// Returns the days in file order, or every problem found.
pub fn read_results(sheet: &RawSheet, currency: Currency, dates: Option<Period>) -> Result<Vec<DayResult>, Vec<Problem>> {
    let mut problems = vec![];
    let file_problem = |line, kind| Problem { line, column: String::new(), kind };
    let mut rows = sheet.rows.iter().filter(|(_, cells)| !cells.iter().all(is_nothing));
    let Some((header_line, header)) = rows.next() else {
        return Err(vec![file_problem(1, ProblemKind::EmptyFile)]);
    };
    let mut index: HashMap<Column, usize> = HashMap::new();
    let mut written: HashMap<Column, String> = HashMap::new();
    for (i, cell) in header.iter().enumerate() {
        let text = cell_text(cell);
        let Some((column, bracket)) = Column::recognise(&text) else { continue };
        if index.insert(column, i).is_some() {
            problems.push(Problem {
                line: *header_line,
                column: text.clone(),
                kind: ProblemKind::DuplicateColumn { header: text.clone() },
            });
        }
        if let Some(code) = bracket
            && !code.eq_ignore_ascii_case(currency.as_str())
        {
            problems.push(Problem {
                line: *header_line,
                column: text.clone(),
                kind: ProblemKind::OtherCurrency { found: code.to_ascii_uppercase(), expected: currency.to_string() },
            });
        }
        written.insert(column, text);
    }
    for column in Column::ALL.into_iter().filter(|c| c.required() && !index.contains_key(c)) {
        let header = format!("{} / {}", column.header(true), column.header(false));
        problems.push(file_problem(*header_line, ProblemKind::MissingColumn { header }));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let name = |column: Column| written.get(&column).cloned().unwrap_or_else(|| column_letter(index[&column]));
    let cell =
        |cells: &'_ [Cell], column: Column| -> Cell { index.get(&column).and_then(|&i| cells.get(i)).cloned().unwrap_or(Cell::Empty) };

    let mut days: Vec<DayResult> = vec![];
    let mut first_line_of: HashMap<Date, usize> = HashMap::new();
    for (line, cells) in rows {
        let line = *line;
        let day_cell = cell(cells, Column::Day);
        if is_total(&day_cell) {
            continue;
        }
        let mut problem = |column: Column, kind| problems.push(Problem { line, column: name(column), kind });
        let day = match parse_date(&day_cell) {
            Some((d, _)) => Some(d),
            None if is_nothing(&day_cell) => {
                problem(Column::Day, ProblemKind::MissingDay);
                None
            }
            None => {
                problem(Column::Day, ProblemKind::BadDate { value: cell_text(&day_cell) });
                None
            }
        };
        if let Some(day) = day {
            if let Some(&first_line) = first_line_of.get(&day) {
                problem(Column::Day, ProblemKind::DuplicateDay { day: day.to_string(), first_line });
            } else {
                first_line_of.insert(day, line);
            }
            if let Some(p) = dates.filter(|p| !p.contains(day)) {
                problem(
                    Column::Day,
                    ProblemKind::OutsideCampaign { day: day.to_string(), first: p.first().to_string(), last: p.last().to_string() },
                );
            }
        }
        if index.contains_key(&Column::Currency) {
            let code = cell_text(&cell(cells, Column::Currency));
            if !code.is_empty() && !code.eq_ignore_ascii_case(currency.as_str()) {
                problem(Column::Currency, ProblemKind::OtherCurrency { found: code, expected: currency.to_string() });
            }
        }
        let mut amount_of = |column: Column| match amount(&cell(cells, column)) {
            Ok(c) => c,
            Err(kind) => {
                problem(column, kind);
                0
            }
        };
        let spend_cents = amount_of(Column::Spend);
        let conversion_value_cents = amount_of(Column::ConversionValue);
        let mut count_of = |column: Column| match count(&cell(cells, column)) {
            Ok(n) => n,
            Err(kind) => {
                problem(column, kind);
                0
            }
        };
        let (impressions, clicks, conversions) = (count_of(Column::Impressions), count_of(Column::Clicks), count_of(Column::Conversions));
        if let Some(day) = day {
            days.push(DayResult { day, spend_cents, impressions, clicks, conversions, conversion_value_cents });
        }
    }
    if days.is_empty() && problems.is_empty() {
        problems.push(file_problem(*header_line, ProblemKind::NoRows));
    }
    if problems.is_empty() { Ok(days) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn sheet(lines: &[&[&str]]) -> RawSheet {
        RawSheet {
            rows: lines
                .iter()
                .enumerate()
                .map(|(i, cells)| {
                    (i + 1, cells.iter().map(|c| if c.is_empty() { Cell::Empty } else { Cell::Text(c.to_string()) }).collect())
                })
                .collect(),
        }
    }

    fn june() -> Option<Period> {
        Period::new(date(2026, 6, 1), date(2026, 6, 30)).ok()
    }

    #[test]
    fn a_french_export_is_read_with_its_decimal_commas() {
        let file = sheet(&[
            &[
                "Nom de la campagne",
                "Jour",
                "Montant dépensé (EUR)",
                "Impressions",
                "Clics sur un lien",
                "Achats",
                "Valeur de conversion des achats",
            ],
            &["Été", "01/06/2026", "12,50", "1 000", "30", "2", "89,90"],
            &["Été", "2026-06-02", "1 234,56 €", "20\u{202f}000", "410", "-", "1 500"],
            &["Total", "Total", "1 247,06", "21 000", "440", "2", "1 589,90"],
        ]);
        let days = read_results(&file, Currency::EUR, june()).unwrap();
        assert_eq!(
            days,
            [
                DayResult {
                    day: date(2026, 6, 1),
                    spend_cents: 1250,
                    impressions: 1000,
                    clicks: 30,
                    conversions: 2,
                    conversion_value_cents: 8990
                },
                DayResult {
                    day: date(2026, 6, 2),
                    spend_cents: 123_456,
                    impressions: 20_000,
                    clicks: 410,
                    conversions: 0,
                    conversion_value_cents: 150_000
                },
            ]
        );
        // 440 clicks / 21,000 impressions; 1,247.06 € / 440 = 2.834… → 2.83 €; / 2 = 623.53 €;
        // 1,589.90 / 1,247.06 = 1.2749…
        let totals = Totals::of(&days);
        assert_eq!((totals.spend_cents, totals.clicks, totals.last_day), (124_706, 440, Some(date(2026, 6, 2))));
        let [ctr, cpc, cpa, roas] = totals.kpis(Currency::EUR);
        assert_eq!(ctr.number(), Some(440.0 / 21_000.0));
        assert_eq!(cpc.number(), Some(283.0));
        assert_eq!(cpa.number(), Some(62_353.0));
        assert!((roas.number().unwrap() - 158_990.0 / 124_706.0).abs() < 1e-12);
    }

    #[test]
    fn an_english_export_with_only_the_required_columns() {
        let file = sheet(&[&["Day", "Cost"], &["2026-06-03", "1,234.50"]]);
        let days = read_results(&file, Currency::EUR, None).unwrap();
        assert_eq!((days[0].spend_cents, days[0].clicks), (123_450, 0));
    }

    #[test]
    fn every_problem_is_named_with_its_line_and_column() {
        let file = sheet(&[
            &["Date", "Spend", "Clicks", "Currency"],
            &["2026-06-01", "10.00", "12", "EUR"],
            &["31/06/2026", "ten", "3.5", "EUR"],
            &["2026-06-01", "-4", "2", "USD"],
            &["2026-07-01", "", "", ""],
            &["", "1", "1", ""],
        ]);
        let problems = read_results(&file, Currency::EUR, june()).unwrap_err();
        let found: Vec<_> = problems.iter().map(|p| (p.line, p.column.as_str(), p.kind.code())).collect();
        assert_eq!(
            found,
            [
                (3, "Date", "bad-date"),
                (3, "Spend", "bad-amount"),
                (3, "Clicks", "bad-count"),
                (4, "Date", "duplicate-day"),
                (4, "Currency", "other-currency"),
                (4, "Spend", "negative-amount"),
                (5, "Date", "outside-campaign"),
                (6, "Date", "missing-day"),
            ]
        );
        assert_eq!(problems[3].to_string(), "line 4, column \"Date\": 2026-06-01 is also on line 2: one line per day");
    }

    #[test]
    fn a_file_without_its_columns_or_rows_is_refused() {
        let missing = read_results(&sheet(&[&["Impressions", "Clics"], &["10", "1"]]), Currency::EUR, None).unwrap_err();
        let kinds: Vec<_> = missing.iter().map(|p| (p.line, p.kind.code())).collect();
        assert_eq!(kinds, [(1, "missing-column"), (1, "missing-column")]);
        assert_eq!(missing[0].to_string(), "line 1: the column \"Jour / Day\" is missing");
        assert_eq!(read_results(&sheet(&[]), Currency::EUR, None).unwrap_err()[0].kind, ProblemKind::EmptyFile);
        assert_eq!(read_results(&sheet(&[&["Jour", "Dépense"]]), Currency::EUR, None).unwrap_err()[0].kind, ProblemKind::NoRows);
        let dollars = read_results(&sheet(&[&["Day", "Amount spent (USD)"], &["2026-06-01", "3"]]), Currency::EUR, None).unwrap_err();
        assert_eq!(dollars[0].kind, ProblemKind::OtherCurrency { found: "USD".into(), expected: "EUR".into() });
    }

    #[test]
    fn spreadsheet_numbers_and_dates_are_read_as_such() {
        // 46174 is 2026-06-01 in a spreadsheet's calendar.
        let file = RawSheet {
            rows: vec![
                (1, vec![Cell::Text("Jour".into()), Cell::Text("Dépense".into()), Cell::Text("Impressions".into())]),
                (2, vec![Cell::DateTime(46174.0), Cell::Number(12.5), Cell::Number(1500.0)]),
            ],
        };
        let days = read_results(&file, Currency::EUR, None).unwrap();
        assert_eq!((days[0].day, days[0].spend_cents, days[0].impressions), (date(2026, 6, 1), 1250, 1500));
    }
}
