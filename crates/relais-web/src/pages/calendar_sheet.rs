//! The calendar as a spreadsheet: export (XLSX or CSV, French or English headers, optionally
//! between two dates) and import (all or nothing, every problem shown with its row and column).
//!
//! Roles: exporting needs `ViewCalendar` (a client may take the calendar away in a sheet);
//! importing needs `DraftPosts`; rows approved, in client review or scheduled also need
//! `ApprovePosts`, and a member without it sees those rows refused by number (nothing is
//! quietly downgraded).

use super::{audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::InWorkspace;
use crate::sheet_files::{self, SheetFormat};
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::{Date, DateTime};
use relais_core::calendar_sheet::{Column, ImportContext, Language, Problem, SheetAccount, SheetRow, plan_import};
use relais_core::policy::allows;
use relais_core::scheduling::local_of;
use relais_core::text_rules::fold;
use relais_core::{Action, Locale, Section, now_ms};
use relais_networks::capabilities_of;
use relais_store::{Actor, ExportRange, ExportedPost};
use serde::Deserialize;

pub struct ProblemRow {
    pub row: usize,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "calendar_import.html")]
struct ImportPage {
    c: Chrome,
    base: String,
    may_import: bool,
    columns: String,
    lang: &'static str,
    file_name: String,
    error: Option<String>,
    problems: Vec<ProblemRow>,
}

fn sheet_language(locale: Locale) -> Language {
    match locale {
        Locale::Fr => Language::Fr,
        Locale::En => Language::En,
    }
}

fn page(ws: &InWorkspace) -> ImportPage {
    let lang = sheet_language(ws.tr().locale);
    ImportPage {
        c: Chrome::workspace(ws, Some(Section::Calendar)),
        base: ws.base(),
        may_import: allows(ws.role, Action::DraftPosts),
        columns: Column::ALL.iter().map(|c| c.header(lang)).collect::<Vec<_>>().join(", "),
        lang: lang.as_str(),
        file_name: String::new(),
        error: None,
        problems: vec![],
    }
}

#[derive(Deserialize, Default)]
pub struct Shown {
    imported: Option<usize>,
}

pub async fn show(ws: InWorkspace, Query(q): Query<Shown>) -> Response {
    if let Err(e) = ws.require(Action::ViewCalendar) {
        return e.into_response();
    }
    let tr = ws.tr();
    let mut p = page(&ws);
    p.c.flash = q.imported.map(|n| tr.t1("sheet-imported", "count", n));
    render(&p, tr)
}

/// What a problem says, in the reader's language.
fn message(tr: Tr, p: &Problem) -> String {
    let args = p.kind.args();
    let named: Vec<(&str, &dyn std::fmt::Display)> = args.iter().map(|(k, v)| (*k, v as &dyn std::fmt::Display)).collect();
    tr.tn(&format!("sheet-problem-{}", p.kind.code()), &named)
}

pub async fn import(State(app): State<AppState>, ws: InWorkspace, mut multipart: Multipart) -> Response {
    if let Err(e) = ws.require(Action::DraftPosts) {
        return e.into_response();
    }
    let tr = ws.tr();
    let refuse = |p: ImportPage| render_status(StatusCode::UNPROCESSABLE_ENTITY, &p, tr);
    let mut p = page(&ws);
    let mut file = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(b) => file = Some((name, b)),
                    Err(e) => {
                        return render_status(
                            e.status(),
                            &ImportPage { error: Some(tr.t1("error-upload", "reason", e.body_text())), ..p },
                            tr,
                        );
                    }
                }
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) => {
                return render_status(e.status(), &ImportPage { error: Some(tr.t1("error-upload", "reason", e.body_text())), ..p }, tr);
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        p.error = Some(tr.t("sheet-file-missing"));
        return refuse(p);
    };
    p.file_name = name.clone();
    let sheet = match sheet_files::read(&bytes) {
        Ok(s) => s,
        Err(e) => {
            p.error = Some(tr.t1("sheet-unreadable", "reason", e));
            return refuse(p);
        }
    };

    let workspace = &ws.workspace;
    let (accounts, names) = match tokio::try_join!(app.store.social_accounts(&workspace.id), app.store.sheet_names(&workspace.id)) {
        Ok(x) => x,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let ctx = ImportContext {
        // Accounts of a network this build does not know cannot be posted to: they are unknown here.
        accounts: accounts
            .into_iter()
            .filter_map(|a| {
                let caps = capabilities_of(&a.network)?;
                Some(SheetAccount {
                    id: a.id,
                    network: a.network,
                    handle: a.handle,
                    network_label: caps.label.to_string(),
                    max_length: caps.max_length,
                    counting: caps.counting,
                    max_images: caps.max_images,
                })
            })
            .collect(),
        pillars: names.pillars,
        campaigns: names.campaigns,
        media: names.media,
        zone: workspace.time_zone.clone(),
        now_ms: now_ms(),
        may_approve: allows(ws.role, Action::ApprovePosts),
        client_approval: workspace.workflow_rules().client_approval,
    };
    let plan = match plan_import(&sheet, &ctx) {
        Ok(plan) => plan,
        Err(problems) => {
            p.error = Some(tr.t1("sheet-nothing-imported", "count", problems.len()));
            p.problems =
                problems.iter().map(|pr| ProblemRow { row: pr.row, column: pr.column.clone(), message: message(tr, pr) }).collect();
            return refuse(p);
        }
    };
    let user = ws.me.user();
    let actor = Actor { id: Some(user.id.clone()), label: user.name.clone() };
    let source = if name.is_empty() { "import".to_string() } else { name.clone() };
    if let Err(e) = app.store.import_calendar(&workspace.id, &plan.posts, &workspace.time_zone, &actor, &source).await {
        return PageError::store(tr, e).into_response();
    }
    let details = serde_json::json!({"posts": plan.posts.len(), "language": plan.language.as_str()});
    if let Err(e) = audit(&app, &ws, "calendar.imported", &source, details).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/calendar/import?imported={}", ws.base(), plan.posts.len())).into_response()
}

#[derive(Deserialize, Default)]
pub struct ExportQuery {
    lang: Option<String>,
    /// First day, `YYYY-MM-DD`, in the workspace's zone.
    from: Option<String>,
    /// Last day, inclusive.
    to: Option<String>,
}

/// The sheet rows of the calendar: one per variant, the rows of a post numbered alike.
pub fn sheet_rows(posts: &[ExportedPost], zone: &str) -> Vec<SheetRow> {
    let mut rows = vec![];
    for (i, entry) in posts.iter().enumerate() {
        let post = &entry.post;
        // The wall-clock time chosen, seen from the workspace's zone should it have changed since.
        let local = match (&post.scheduled_local, &post.scheduled_zone, post.scheduled_at) {
            (Some(local), Some(z), _) if z == zone => Some(local.clone()),
            (_, _, Some(at)) => jiff::Timestamp::from_millisecond(at).ok().and_then(|ts| local_of(ts, zone).ok()),
            _ => None,
        };
        let when = local.and_then(|l| DateTime::strptime("%Y-%m-%dT%H:%M", &l).ok());
        for v in &entry.variants {
            rows.push(SheetRow {
                post: Some((i + 1).to_string()),
                date: when.map(|w| w.date()),
                time: when.map(|w| w.time()),
                account: format!("{}:{}", v.network, v.handle),
                title: post.title.clone(),
                text: v.text.clone(),
                link: v.link.clone(),
                media: v.media.clone(),
                pillar: post.pillar.clone(),
                campaign: post.campaign.clone(),
                status: post.state,
            });
        }
    }
    rows
}

/// A file name made of the workspace's name, safe in any header.
fn file_stem(lang: Language, workspace_name: &str) -> String {
    let slug: String = fold(workspace_name).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let slug = slug.split('-').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("-");
    let word = match lang {
        Language::Fr => "calendrier",
        Language::En => "calendar",
    };
    if slug.is_empty() { word.to_string() } else { format!("{word}-{slug}") }
}

async fn export(app: AppState, ws: InWorkspace, q: ExportQuery, format: SheetFormat) -> Response {
    if let Err(e) = ws.require(Action::ViewCalendar) {
        return e.into_response();
    }
    let tr = ws.tr();
    let zone = ws.workspace.time_zone.clone();
    let lang = q.lang.as_deref().and_then(Language::parse).unwrap_or(sheet_language(tr.locale));
    let bad_date =
        |v: &str| PageError::new(StatusCode::UNPROCESSABLE_ENTITY, "error-bad-form", tr).detail(tr.t1("sheet-bad-range", "value", v));
    // Midnight in the workspace's zone; `to` is inclusive, so its end is the next midnight.
    let day_start = |v: Option<&str>, next: bool| -> Result<Option<i64>, PageError> {
        let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else { return Ok(None) };
        let date: Date = v.parse().map_err(|_| bad_date(v))?;
        let date = if next { date.tomorrow().map_err(|_| bad_date(v))? } else { date };
        let at = date.to_zoned(jiff::tz::TimeZone::get(&zone).map_err(|_| bad_date(v))?).map_err(|_| bad_date(v))?;
        Ok(Some(at.timestamp().as_millisecond()))
    };
    let range = match (day_start(q.from.as_deref(), false), day_start(q.to.as_deref(), true)) {
        (Ok(from_ms), Ok(to_ms)) => ExportRange { from_ms, to_ms },
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    let posts = match app.store.calendar_export(&ws.workspace.id, range).await {
        Ok(p) => p,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    let rows = sheet_rows(&posts, &zone);
    let bytes = match format {
        SheetFormat::Csv => sheet_files::write_csv(&rows, lang),
        SheetFormat::Xlsx => match sheet_files::write_xlsx(&rows, lang) {
            Ok(b) => b,
            Err(e) => return PageError::internal(tr, e).into_response(),
        },
    };
    let details = serde_json::json!({"posts": posts.len(), "format": format.extension(), "language": lang.as_str()});
    if let Err(e) = audit(&app, &ws, "calendar.exported", format.extension(), details).await {
        return e.into_response();
    }
    let disposition = format!("attachment; filename=\"{}.{}\"", file_stem(lang, &ws.workspace.name), format.extension());
    ([(header::CONTENT_TYPE, format.content_type().to_string()), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response()
}

pub async fn export_xlsx(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<ExportQuery>) -> Response {
    export(app, ws, q, SheetFormat::Xlsx).await
}

pub async fn export_csv(State(app): State<AppState>, ws: InWorkspace, Query(q): Query<ExportQuery>) -> Response {
    export(app, ws, q, SheetFormat::Csv).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_is_said_in_both_languages_with_all_its_values() {
        use relais_core::calendar_sheet::ProblemKind as K;
        let v = || "v".to_string();
        let kinds = [
            K::EmptyFile,
            K::NoRows,
            K::UnnamedColumn,
            K::UnknownColumn { header: v(), expected: v() },
            K::DuplicateColumn { header: v() },
            K::MissingColumn { header: v() },
            K::Required,
            K::BadDate { value: v() },
            K::BadTime { value: v() },
            K::MissingDate,
            K::MissingTime,
            K::PastDate { local: v(), zone: v() },
            K::Nonexistent { local: v(), zone: v(), suggestion: v() },
            K::UnknownAccount { value: v(), example: v() },
            K::AmbiguousAccount { value: v(), candidates: v() },
            K::EmptyText,
            K::TextTooLong { length: 1, limit: 1, network: v() },
            K::BadLink { value: v() },
            K::UnknownMedia { value: v() },
            K::TooManyMedia { count: 1, limit: 1, network: v() },
            K::UnknownPillar { value: v() },
            K::UnknownCampaign { value: v() },
            K::UnknownStatus { value: v(), expected: v() },
            K::StatusNotImportable { status: v() },
            K::NeedsApproval { status: v() },
            K::ClientApprovalRequired { status: v() },
            K::TitleTooLong { length: 1, limit: 1 },
            K::PostMismatch { post: v(), first_row: 1 },
            K::DuplicateAccount { post: v(), first_row: 1 },
        ];
        for locale in [Locale::Fr, Locale::En] {
            for kind in &kinds {
                let said = message(Tr::new(locale), &Problem { row: 1, column: String::new(), kind: kind.clone() });
                assert!(!said.starts_with("sheet-problem-") && !said.contains('{'), "{locale:?} {}: {said}", kind.code());
            }
        }
    }

    #[test]
    fn file_names_are_plain_ascii() {
        assert_eq!(file_stem(Language::Fr, "Cafés Morvan & Fils"), "calendrier-cafes-morvan-fils");
        assert_eq!(file_stem(Language::En, "—"), "calendar");
    }
}
