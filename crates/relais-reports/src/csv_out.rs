//! Chart data as CSV: a header in the locale, one row per point, plain numbers (no grouping,
//! a dot for decimals) so spreadsheets read them as numbers whatever their language.

pub(crate) fn write(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    // Writing into a Vec cannot fail; the csv crate only errs on I/O.
    writer.write_record(header).expect("CSV into memory");
    for row in rows {
        writer.write_record(&row).expect("CSV into memory");
    }
    String::from_utf8(writer.into_inner().expect("CSV into memory")).expect("CSV of UTF-8 strings")
}

/// A number without exponent or locale: `0.042`, `12345`.
pub(crate) fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 { format!("{}", x as i64) } else { format!("{x}") }
}
