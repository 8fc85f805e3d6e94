//! Any table as an XLSX workbook, one sheet per table: bold header, widths from the content,
//! percentages, money and dates stored as numbers with a display format so the client's
//! spreadsheet can sum and chart them.

use jiff::civil::Date;
use relais_core::kpi::Money;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    /// Cells hold fractions: 0.042 shows as 4.2%.
    Percent,
    Money,
    Date,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Integer(i64),
    /// A fraction, for a percent column.
    Fraction(f64),
    Money(Money),
    Date(Date),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The sheet's name (shortened to Excel's 31 characters, made unique in the workbook).
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error("table {table:?}, row {row}: {cells} cells for {columns} columns; every row needs one cell per column")]
    RowLength { table: String, row: usize, cells: usize, columns: usize },
    #[error("table {table:?}, row {row}, column {column:?} is a {kind:?} column but the cell is {cell:?}")]
    CellKind { table: String, row: usize, column: String, kind: ColumnKind, cell: Cell },
    #[error("table {table:?}: {date} is outside the dates a spreadsheet can hold (1900 to 9999)")]
    Date { table: String, date: Date },
    #[error("writing the XLSX workbook failed: {0}")]
    Writer(#[from] rust_xlsxwriter::XlsxError),
}

/// The tables as one XLSX workbook, one sheet per table in the order given. Each row must have
/// one cell per column, of the column's kind (or `Cell::Empty`). Text is always written as text,
/// never as a formula, so a post starting with `=` cannot run in the client's spreadsheet.
pub fn tables_to_xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold().set_background_color("#f3f4f6").set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let integer = Format::new().set_num_format("#,##0");
    let percent = Format::new().set_num_format("0.0%");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let mut names = HashSet::new();
    if tables.is_empty() {
        // A workbook needs a sheet; an empty one is a truthful answer to "export nothing".
        workbook.add_worksheet();
    }
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&table.title, &mut names))?;
        let mut widths: Vec<usize> = table.columns.iter().map(|c| c.name.chars().count()).collect();
        for (c, column) in table.columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, &column.name, &header)?;
        }
        for (r, row) in table.rows.iter().enumerate() {
            if row.len() != table.columns.len() {
                return Err(XlsxError::RowLength {
                    table: table.title.clone(),
                    row: r + 1,
                    cells: row.len(),
                    columns: table.columns.len(),
                });
            }
            let at = (r + 1) as u32;
            for (c, (cell, column)) in row.iter().zip(&table.columns).enumerate() {
                let col = c as u16;
                let shown = match (column.kind, cell) {
                    (_, Cell::Empty) => 0,
                    (ColumnKind::Text, Cell::Text(text)) => {
                        sheet.write_string(at, col, text)?;
                        text.chars().count()
                    }
                    (ColumnKind::Integer, Cell::Integer(n)) => {
                        sheet.write_number_with_format(at, col, *n as f64, &integer)?;
                        n.to_string().len() + n.to_string().len() / 3
                    }
                    (ColumnKind::Percent, Cell::Fraction(x)) => {
                        sheet.write_number_with_format(at, col, *x, &percent)?;
                        8
                    }
                    (ColumnKind::Money, Cell::Money(m)) => {
                        let symbol = m.currency.symbol().map(str::to_string).unwrap_or_else(|| m.currency.to_string());
                        // The currency travels in the format, the cell stays a number.
                        let format = Format::new().set_num_format(format!("#,##0.00 \"{symbol}\""));
                        sheet.write_number_with_format(at, col, m.cents as f64 / 100.0, &format)?;
                        (m.cents / 100).to_string().len() + 6
                    }
                    (ColumnKind::Date, Cell::Date(d)) => {
                        let excel = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
                            .map_err(|_| XlsxError::Date { table: table.title.clone(), date: *d })?;
                        sheet.write_datetime_with_format(at, col, &excel, &date)?;
                        10
                    }
                    (kind, cell) => {
                        return Err(XlsxError::CellKind {
                            table: table.title.clone(),
                            row: r + 1,
                            column: column.name.clone(),
                            kind,
                            cell: cell.clone(),
                        });
                    }
                };
                widths[c] = widths[c].max(shown);
            }
        }
        for (c, w) in widths.iter().enumerate() {
            // A little air, and a cap so one long post text does not push the rest off-screen.
            sheet.set_column_width(c as u16, (*w as f64 + 2.0).clamp(8.0, 60.0))?;
        }
        sheet.set_freeze_panes(1, 0)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// Excel refuses `[]:*?/\` in sheet names, names over 31 characters and duplicates.
fn sheet_name(title: &str, taken: &mut HashSet<String>) -> String {
    let clean: String = title.chars().map(|c| if "[]:*?/\\".contains(c) { ' ' } else { c }).collect();
    let clean = clean.trim().trim_matches('\'').to_string();
    let base = if clean.is_empty() { "Table".to_string() } else { clean };
    let mut n = 1;
    loop {
        let suffix = if n == 1 { String::new() } else { format!(" ({n})") };
        let room = 31 - suffix.chars().count();
        let name: String = base.chars().take(room).collect::<String>() + &suffix;
        if taken.insert(name.to_lowercase()) {
            return name;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut taken = HashSet::new();
        assert_eq!(sheet_name("Posts: top/flop", &mut taken), "Posts  top flop");
        assert_eq!(sheet_name("Posts: top/flop", &mut taken), "Posts  top flop (2)");
        let long = sheet_name("Une table au titre vraiment beaucoup trop long", &mut taken);
        assert_eq!(long.chars().count(), 31);
        assert_eq!(sheet_name("", &mut taken), "Table");
    }
}
