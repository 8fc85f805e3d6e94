//! The web face of Relais: server-rendered pages (French and English), the JSON API under
//! `/api/v1` with its OpenAPI document, and the operational endpoints.
//!
//! Every page and API route resolves the caller's role in the workspace it names and asks the
//! policy of `relais_core::policy` before doing anything; a workspace the caller does not belong
//! to is answered as if it did not exist.

mod api;
mod app;
mod chrome;
mod error;
mod hashing;
pub mod i18n;
mod media_intake;
mod ops;
mod pages;
pub mod scheduled_reports;
mod session;
mod sheet_files;

pub use app::{AppState, WebConfig, router};

/// The analytics of a period and scope as the page reads them, and their report files:
/// `relais bench analytics` times exactly these.
pub use pages::analytics_data::{AnalyticsQuery, Dashboard, Selection, history_of};
pub use pages::analytics_report::report_files;
