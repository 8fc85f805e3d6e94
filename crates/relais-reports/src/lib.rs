//! Relais reports: SVG charts, the PDF report and XLSX tables, from plain data.
//!
//! No database and no HTTP: every function takes data structs and returns bytes or strings, so
//! the web layer (pages, downloads) and a scheduled job (monthly reports) call the same code.
//! Figures are printed by `relais_core::kpi` (`Figure::display`, `Value::display`), never here.
//!
//! - Charts ([`LineChart`], [`BarChart`], [`HeatMap`]) are written by small SVG builders in this
//!   crate rather than with charts-rs: the issue asks for an accessible `<title>`/`<desc>`, a
//!   `<title>` tooltip per heat-map cell, French and English calendar names and numbers in the
//!   locale's notation (through `Value::display`), which charts-rs does not offer; the builders
//!   are a few hundred lines and pull no dependency. Each chart's data is also `to_csv()`.
//! - The PDF ([`Report`], [`render_pdf`]) is typeset by typst as a library with its bundled fonts:
//!   user text never enters the markup; it is handed to a fixed template as JSON data.
//! - XLSX ([`Table`], [`tables_to_xlsx`]) uses rust_xlsxwriter, one sheet per table.
//!
//! typst is the heaviest dependency of the workspace (its library brings the plugin runtime,
//! bibliographies, syntax highlighting, none of which can be switched off): it lives in this
//! crate only, so the other crates build and test without it.

mod calendar_names;
mod chart_bar;
mod chart_line;
mod csv_out;
mod heat_map;
mod pdf;
mod report;
mod svg;
mod ticks;
mod xlsx;

pub use chart_bar::{Bar, BarChart};
pub use chart_line::{LineChart, Point, Series};
pub use heat_map::{HeatCell, HeatMap};
pub use pdf::{PdfError, render_pdf};
pub use report::{BrandColours, CommunityLine, ObjectiveLine, Report, ReportChart, TopPost};
pub use ticks::nice_ticks;
pub use xlsx::{Cell, Column, ColumnKind, Table, XlsxError, tables_to_xlsx};
