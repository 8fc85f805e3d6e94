//! Workspace settings: name, time zone, language, colours and logo.

use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::InWorkspace;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use relais_core::{Action, Colour, Locale, Name, Section, TimeZoneName, ValidationError};
use relais_store::{Workspace, WorkspaceSettings};
use serde::Deserialize;

/// Logos are small images shown in the header and on reports.
pub const LOGO_MAX_BYTES: usize = 512 * 1024;

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    c: Chrome,
    base: String,
    form: SettingsForm,
    errors: Vec<(String, String)>,
    zones: Vec<&'static str>,
    logo_max_kib: usize,
}

impl SettingsPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str())
    }
}

#[derive(Deserialize, Clone, Default)]
pub struct SettingsForm {
    name: String,
    time_zone: String,
    locale: String,
    primary_colour: String,
    accent_colour: String,
    /// A checkbox: present ("on") when ticked.
    #[serde(default)]
    client_approval: Option<String>,
}

impl From<&Workspace> for SettingsForm {
    fn from(w: &Workspace) -> Self {
        SettingsForm {
            name: w.name.clone(),
            time_zone: w.time_zone.clone(),
            locale: w.locale.clone(),
            primary_colour: w.primary_colour.clone(),
            accent_colour: w.accent_colour.clone(),
            client_approval: (w.client_approval != 0).then(|| "on".into()),
        }
    }
}

/// The zones offered in the picker; any IANA name is accepted when typed.
const COMMON_ZONES: &[&str] = &[
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Luxembourg",
    "Europe/Monaco",
    "America/Montreal",
    "America/Martinique",
    "America/Guadeloupe",
    "America/Cayenne",
    "Indian/Reunion",
    "Indian/Mayotte",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Africa/Dakar",
    "Africa/Abidjan",
    "Africa/Casablanca",
    "Africa/Tunis",
    "Europe/London",
    "America/New_York",
    "UTC",
];

fn page(ws: &InWorkspace, form: SettingsForm, errors: Vec<(String, String)>, done: Option<&str>) -> SettingsPage {
    SettingsPage {
        c: Chrome::workspace(ws, Some(Section::Settings)).with_flash(done),
        base: ws.base(),
        form,
        errors,
        zones: COMMON_ZONES.to_vec(),
        logo_max_kib: LOGO_MAX_BYTES / 1024,
    }
}

pub async fn show(ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::EditWorkspaceSettings) {
        return e.into_response();
    }
    render(&page(&ws, SettingsForm::from(&ws.workspace), vec![], done.done.as_deref()), ws.tr())
}

fn validate(f: &SettingsForm) -> Result<WorkspaceSettings, Vec<ValidationError>> {
    let name = Name::parse("name", &f.name);
    let time_zone = TimeZoneName::parse(&f.time_zone);
    let locale = Locale::parse(&f.locale);
    let primary = Colour::parse("primary_colour", &f.primary_colour);
    let accent = Colour::parse("accent_colour", &f.accent_colour);
    match (name, time_zone, locale, primary, accent) {
        (Ok(name), Ok(time_zone), Ok(locale), Ok(primary_colour), Ok(accent_colour)) => {
            Ok(WorkspaceSettings { name, time_zone, locale, primary_colour, accent_colour })
        }
        (a, b, c, d, e) => Err([a.err(), b.err(), c.err(), d.err(), e.err()].into_iter().flatten().collect()),
    }
}

pub async fn save(State(app): State<AppState>, ws: InWorkspace, PageForm(form): PageForm<SettingsForm>) -> Response {
    if let Err(e) = ws.require(Action::EditWorkspaceSettings) {
        return e.into_response();
    }
    let tr = ws.tr();
    let settings = match validate(&form) {
        Ok(s) => s,
        Err(errors) => {
            let errors = errors.into_iter().map(|e| (e.field.to_string(), tr.t(e.code))).collect();
            return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&ws, form, errors, None), tr);
        }
    };
    if let Err(e) = app.store.update_workspace_settings(&ws.workspace.id, &settings).await {
        return PageError::store(tr, e).into_response();
    }
    let client_approval = form.client_approval.is_some();
    if let Err(e) = app.store.set_client_approval(&ws.workspace.id, client_approval).await {
        return PageError::store(tr, e).into_response();
    }
    let details = serde_json::json!({
        "client_approval": client_approval,
        "name": settings.name.as_str(), "time_zone": settings.time_zone.as_str(), "locale": settings.locale.as_str(),
        "primary_colour": settings.primary_colour.as_str(), "accent_colour": settings.accent_colour.as_str(),
    });
    if let Err(e) = audit(&app, &ws, "workspace.settings_changed", settings.name.as_str(), details).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/settings?done=saved", ws.base())).into_response()
}

/// The image types a logo may be, recognised by their first bytes rather than by the name or the
/// browser's claim.
fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a]) {
        Some("image/png")
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        Some("image/jpeg")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else {
        None
    }
}

pub async fn upload_logo(State(app): State<AppState>, ws: InWorkspace, mut multipart: Multipart) -> Response {
    if let Err(e) = ws.require(Action::EditWorkspaceSettings) {
        return e.into_response();
    }
    let tr = ws.tr();
    let refuse_with = |status: StatusCode, why: String| {
        render_status(status, &page(&ws, SettingsForm::from(&ws.workspace), vec![("logo".into(), why)], None), tr)
    };
    let refuse = |why: String| refuse_with(StatusCode::UNPROCESSABLE_ENTITY, why);
    let mut data = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("logo") => match field.bytes().await {
                Ok(b) => data = Some(b),
                Err(e) => return refuse_with(e.status(), tr.t1("error-upload", "reason", e.body_text())),
            },
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(e) => return refuse_with(e.status(), tr.t1("error-upload", "reason", e.body_text())),
        }
    }
    let Some(bytes) = data.filter(|b| !b.is_empty()) else {
        return refuse(tr.t("error-logo-missing"));
    };
    if bytes.len() > LOGO_MAX_BYTES {
        return refuse(tr.t1("error-logo-too-large", "kib", LOGO_MAX_BYTES / 1024));
    }
    let Some(mime) = sniff_image(&bytes) else {
        return refuse(tr.t("error-logo-type"));
    };
    if let Err(e) = app.store.set_workspace_logo(&ws.workspace.id, Some((mime, &STANDARD.encode(&bytes)))).await {
        return PageError::store(tr, e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "workspace.logo_changed", mime, serde_json::json!({"bytes": bytes.len()})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/settings?done=logo", ws.base())).into_response()
}

pub async fn delete_logo(State(app): State<AppState>, ws: InWorkspace) -> Response {
    if let Err(e) = ws.require(Action::EditWorkspaceSettings) {
        return e.into_response();
    }
    if let Err(e) = app.store.set_workspace_logo(&ws.workspace.id, None).await {
        return PageError::store(ws.tr(), e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "workspace.logo_removed", "", serde_json::json!({})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/settings?done=logo-removed", ws.base())).into_response()
}

/// The logo, for any member of the workspace.
pub async fn logo(State(app): State<AppState>, ws: InWorkspace) -> Response {
    if let Err(e) = ws.require(Action::ViewWorkspace) {
        return e.into_response();
    }
    match app.store.workspace_logo(&ws.workspace.id).await {
        Ok(Some((mime, data))) => match STANDARD.decode(data) {
            Ok(bytes) => ([(header::CONTENT_TYPE, mime), (header::CACHE_CONTROL, "private, max-age=300".into())], bytes).into_response(),
            Err(e) => PageError::internal(ws.tr(), e).into_response(),
        },
        Ok(None) => PageError::not_found(ws.tr()).into_response(),
        Err(e) => PageError::store(ws.tr(), e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logos_are_recognised_by_content() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff_image(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(sniff_image(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"<svg onload=alert(1)>"), None);
    }

    #[test]
    fn every_bad_setting_is_reported_with_its_field() {
        let f = SettingsForm {
            name: "".into(),
            time_zone: "Nowhere/City".into(),
            locale: "de".into(),
            primary_colour: "blue".into(),
            accent_colour: "#000000".into(),
            client_approval: None,
        };
        let errors = validate(&f).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "time_zone", "locale", "primary_colour"]);
    }
}
