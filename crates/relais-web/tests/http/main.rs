//! The web application over real HTTP on loopback, on SQLite and PostgreSQL: sign-in, roles,
//! tenancy, CSRF, invitations, settings, the JSON API. One test binary keeps link times down.

mod accounts_live;
mod analytics;
mod api;
mod auth;
mod calendar_sheet;
mod campaigns;
mod care;
mod helpers;
mod inbox;
mod inbox_live;
mod inbox_search;
mod insights;
mod listening;
mod media;
mod moderation;
mod objectives;
mod planning;
mod posts_api;
mod report_schedules;
mod roles;
mod settings;
mod strategy;
