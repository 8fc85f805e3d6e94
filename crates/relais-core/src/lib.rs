//! The domain of Relais, free of HTTP and SQL: who may do what (roles and the one permission
//! policy), the validated values every layer shares, and the cryptographic helpers for
//! passwords, tokens and secrets at rest.

pub mod account_health;
pub mod author_identity;
pub mod brand_charter;
pub mod business_hours;
pub mod calendar_period;
pub mod calendar_sheet;
pub mod campaign_plan;
pub mod campaign_results;
pub mod care_figures;
pub mod inbox;
pub mod inbox_search;
pub mod insights;
pub mod kpi;
pub mod listening_query;
pub mod marketing_calendar;
pub mod media;
pub mod metric_rollup;
pub mod moderation;
pub mod password;
pub mod policy;
pub mod recurrence;
pub mod report_schedule;
pub mod role;
pub mod satisfaction;
pub mod saved_reply;
pub mod scheduling;
pub mod secrets;
pub mod text_rules;
pub mod token;
pub mod understanding;
pub mod values;
pub mod workflow;

pub use policy::{Action, Denied, Section};
pub use role::Role;
pub use values::{Colour, Email, Locale, Name, TimeZoneName, ValidationError};

/// A new identifier: a UUIDv7, so ids sort by creation time in every database.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Milliseconds since the Unix epoch, the one timestamp representation of the store.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
