//! relais-reports' stories, in one test binary (linking typst once is slow enough).

mod charts;
mod pdf_report;
mod xlsx_tables;
