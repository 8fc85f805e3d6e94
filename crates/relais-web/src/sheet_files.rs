//! The calendar sheet's files: CSV and XLSX in and out. What the cells mean is decided in
//! `relais_core::calendar_sheet`; this module only moves cells between bytes and rows.
//!
//! CSV in: `,`, `;` or tab as separator (the one the header line uses most; French Excel writes
//! `;`), UTF-8 with or without BOM, or Windows-1252 (what Excel's plain "CSV" saves in France)
//! when the bytes are not UTF-8. CSV out: UTF-8 with a BOM (so Excel reads the accents), `;` for
//! French headers and `,` for English ones (what Excel expects in each locale), CRLF line ends,
//! dates as `DD/MM/YYYY` in French and `YYYY-MM-DD` in English.
//!
//! XLSX out: real date and time cells (number formats `dd/mm/yyyy` or `yyyy-mm-dd`, and
//! `hh:mm`), a bold frozen header with a filter, sensible column widths, wrapped texts. XLSX in:
//! the first worksheet; dates and times come back as spreadsheet serial numbers.

use relais_core::calendar_sheet::{Cell, Column, Language, RawSheet, SheetRow, Value, format_date, format_time};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, XlsxError};

/// The kinds of file the calendar goes in and out as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Csv,
    Xlsx,
}

impl SheetFormat {
    /// From the file's first bytes: an XLSX file is a ZIP archive.
    pub fn sniff(bytes: &[u8]) -> SheetFormat {
        if bytes.starts_with(b"PK\x03\x04") { SheetFormat::Xlsx } else { SheetFormat::Csv }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            SheetFormat::Csv => "text/csv; charset=utf-8",
            SheetFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            SheetFormat::Csv => "csv",
            SheetFormat::Xlsx => "xlsx",
        }
    }
}

/// Why a file could not be read at all (its rows are not even reached).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the CSV file cannot be read: {0}")]
    Csv(String),
    #[error("the file is not a spreadsheet Relais can read (XLSX or CSV): {0}")]
    Xlsx(String),
}

pub fn read(bytes: &[u8]) -> Result<RawSheet, ReadError> {
    match SheetFormat::sniff(bytes) {
        SheetFormat::Csv => read_csv(bytes),
        SheetFormat::Xlsx => read_xlsx(bytes),
    }
}

/// Windows-1252's characters for bytes 0x80 to 0x9F; the other bytes are Latin-1.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–',
    '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

fn decode_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            bytes.iter().map(|&b| if (0x80..0xA0).contains(&b) { CP1252_HIGH[usize::from(b - 0x80)] } else { char::from(b) }).collect()
        }
    }
}

/// The separator the header line uses most, outside quotes.
fn sniff_separator(text: &str) -> u8 {
    let mut counts = [(b';', 0), (b',', 0), (b'\t', 0)];
    let mut quoted = false;
    for c in text.bytes() {
        if !quoted && (c == b'\n' || c == b'\r') {
            break;
        }
        if c == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(entry) = counts.iter_mut().find(|(sep, _)| *sep == c) {
            entry.1 += 1;
        }
    }
    // `;` wins ties: a French sheet with one column per line has none of either.
    counts.iter().fold((b';', 0), |best, &(sep, n)| if n > best.1 { (sep, n) } else { best }).0
}

pub fn read_csv(bytes: &[u8]) -> Result<RawSheet, ReadError> {
    let text = decode_text(bytes);
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(sniff_separator(&text)).from_reader(text.as_bytes());
    let mut rows = vec![];
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| ReadError::Csv(e.to_string()))?;
        let cells = record.iter().map(|f| if f.trim().is_empty() { Cell::Empty } else { Cell::Text(f.to_string()) }).collect();
        // Rows as a spreadsheet shows the file: one per record, the header first.
        rows.push((i + 1, cells));
    }
    Ok(RawSheet { rows })
}

pub fn read_xlsx(bytes: &[u8]) -> Result<RawSheet, ReadError> {
    use calamine::{Data, Reader, Xlsx};
    let bad = |e: &dyn std::fmt::Display| ReadError::Xlsx(e.to_string());
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).map_err(|e| bad(&e))?;
    let range = workbook.worksheet_range_at(0).ok_or_else(|| ReadError::Xlsx("it has no worksheet".into()))?.map_err(|e| bad(&e))?;
    let Some((first_row, first_col)) = range.start() else {
        return Ok(RawSheet::default());
    };
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            // The range starts at its first non-empty cell: put the columns back where they were.
            let mut row: Vec<Cell> = vec![Cell::Empty; first_col as usize];
            row.extend(cells.iter().map(|c| match c {
                Data::Empty => Cell::Empty,
                Data::String(s) => Cell::Text(s.clone()),
                Data::Int(n) => Cell::Number(*n as f64),
                Data::Float(n) => Cell::Number(*n),
                Data::DateTime(d) => Cell::DateTime(d.as_f64()),
                Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
                Data::Bool(b) => Cell::Text(b.to_string()),
                Data::Error(e) => Cell::Text(e.to_string()),
            }));
            (first_row as usize + i + 1, row)
        })
        .collect();
    Ok(RawSheet { rows })
}

pub fn write_csv(rows: &[SheetRow], lang: Language) -> Vec<u8> {
    let separator = match lang {
        Language::Fr => b';',
        Language::En => b',',
    };
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::WriterBuilder::new().delimiter(separator).terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let header: Vec<&str> = Column::ALL.iter().map(|c| c.header(lang)).collect();
        // Writing to a Vec cannot fail.
        let _ = writer.write_record(&header);
        for row in rows {
            let cells: Vec<String> = Column::ALL
                .iter()
                .map(|&c| match row.value(c, lang) {
                    Value::Empty => String::new(),
                    Value::Text(s) => s,
                    Value::Date(d) => format_date(d, lang),
                    Value::Time(t) => format_time(t),
                })
                .collect();
            let _ = writer.write_record(&cells);
        }
        let _ = writer.flush();
    }
    out
}

fn width(column: Column) -> f64 {
    match column {
        Column::Date => 12.0,
        Column::Time => 8.0,
        Column::Account => 24.0,
        Column::Text => 60.0,
        Column::Link | Column::Media | Column::Title => 30.0,
        Column::Pillar | Column::Campaign => 18.0,
        Column::Status => 16.0,
        Column::Post => 12.0,
    }
}

pub fn write_xlsx(rows: &[SheetRow], lang: Language) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(match lang {
        Language::Fr => "Calendrier",
        Language::En => "Calendar",
    })?;
    let header = Format::new().set_bold();
    let date = Format::new().set_num_format(match lang {
        Language::Fr => "dd/mm/yyyy",
        Language::En => "yyyy-mm-dd",
    });
    let time = Format::new().set_num_format("hh:mm");
    let text = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    for (i, &column) in Column::ALL.iter().enumerate() {
        let col = i as u16;
        sheet.write_string_with_format(0, col, column.header(lang), &header)?;
        sheet.set_column_width(col, width(column))?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (i, &column) in Column::ALL.iter().enumerate() {
            let col = i as u16;
            match row.value(column, lang) {
                Value::Empty => {}
                Value::Text(s) if column == Column::Text => {
                    sheet.write_string_with_format(r, col, s, &text)?;
                }
                Value::Text(s) => {
                    sheet.write_string(r, col, s)?;
                }
                Value::Date(d) => {
                    let d = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    sheet.write_datetime_with_format(r, col, d, &date)?;
                }
                Value::Time(t) => {
                    let t = ExcelDateTime::from_hms(t.hour() as u16, t.minute() as u8, 0)?;
                    sheet.write_datetime_with_format(r, col, t, &time)?;
                }
            }
        }
    }
    let last_col = Column::ALL.len() as u16 - 1;
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, rows.len() as u32, last_col)?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_core::workflow::PostState;

    fn row() -> SheetRow {
        SheetRow {
            post: Some("1".into()),
            date: Some(jiff::civil::date(2026, 5, 4)),
            time: Some(jiff::civil::time(9, 30, 0, 0)),
            account: "sandbox:banque".into(),
            title: "Rentrée".into(),
            text: "Bonjour; \"à tous\"\nsuite".into(),
            link: Some("https://exemple.fr".into()),
            media: vec!["a.png".into(), "b.png".into()],
            pillar: Some("Offres".into()),
            campaign: None,
            status: PostState::Scheduled,
        }
    }

    fn text(cell: &Cell) -> &str {
        match cell {
            Cell::Text(s) => s,
            _ => "",
        }
    }

    #[test]
    fn csv_in_french_uses_semicolons_a_bom_and_french_dates_and_reads_back() {
        let bytes = write_csv(&[row()], Language::Fr);
        assert!(bytes.starts_with(b"\xEF\xBB\xBFDate;Heure;Compte;Texte;"));
        let sheet = read_csv(&bytes).unwrap();
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!(text(&sheet.rows[0].1[0]), "Date");
        let cells = &sheet.rows[1].1;
        assert_eq!((text(&cells[0]), text(&cells[1]), text(&cells[3])), ("04/05/2026", "09:30", "Bonjour; \"à tous\"\nsuite"));
        assert_eq!(text(&cells[8]), "programmé");
    }

    #[test]
    fn csv_in_english_uses_commas_and_iso_dates() {
        let bytes = write_csv(&[row()], Language::En);
        let sheet = read_csv(&bytes).unwrap();
        assert_eq!(text(&sheet.rows[0].1[1]), "Time");
        assert_eq!(text(&sheet.rows[1].1[0]), "2026-05-04");
    }

    #[test]
    fn windows_1252_and_commas_are_read_too() {
        let bytes = b"Date,Heure,Compte,Texte\r\n04/05/2026,09:30,banque,Caf\xe9 \x80 5\r\n";
        let sheet = read_csv(bytes).unwrap();
        assert_eq!(text(&sheet.rows[1].1[3]), "Café € 5");
        assert_eq!(sniff_separator("\"a;b\",c,d"), b',');
        assert_eq!(sniff_separator("Date"), b';');
    }

    #[test]
    fn xlsx_has_real_dates_and_times_and_reads_back() {
        let bytes = write_xlsx(&[row()], Language::Fr).unwrap();
        assert_eq!(SheetFormat::sniff(&bytes), SheetFormat::Xlsx);
        let sheet = read_xlsx(&bytes).unwrap();
        assert_eq!(text(&sheet.rows[0].1[0]), "Date");
        let cells = &sheet.rows[1].1;
        assert_eq!(sheet.rows[1].0, 2);
        // 2026-05-04 is day 46146 of Excel's calendar; 09:30 is 0.3958 of a day.
        assert_eq!(cells[0], Cell::DateTime(46146.0));
        assert!(matches!(cells[1], Cell::DateTime(t) if (t - 9.5 / 24.0).abs() < 1e-9), "{:?}", cells[1]);
        assert_eq!(text(&cells[3]), "Bonjour; \"à tous\"\nsuite");
    }

    #[test]
    fn a_file_that_is_not_a_spreadsheet_is_refused() {
        assert!(matches!(read(b"PK\x03\x04garbage"), Err(ReadError::Xlsx(_))));
    }
}
