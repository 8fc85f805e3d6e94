//! The media library of a workspace: a grid of its images and videos, uploads, alt text,
//! deletion of what no post uses, and the files themselves for the workspace's members.

use super::{Done, PageForm, audit, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::media_intake::{self, IntakeError, Rendition};
use crate::session::InWorkspace;
use askama::Template;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::media::{MediaError, human_size};
use relais_core::{Action, Section};
use relais_store::{Media, StoreError};
use serde::Deserialize;

pub struct MediaItem {
    pub id: String,
    pub filename: String,
    pub is_video: bool,
    pub kind_label: String,
    pub dimensions: String,
    pub size: String,
    /// "m:ss" for videos.
    pub duration: Option<String>,
    pub alt_text: String,
    pub used_label: String,
    pub added: String,
}

#[derive(Template)]
#[template(path = "media.html")]
struct MediaPage {
    c: Chrome,
    base: String,
    items: Vec<MediaItem>,
    can_edit: bool,
    upload_help: String,
    accept: &'static str,
    /// Refusals of the last upload, one sentence per file.
    refused: Vec<String>,
    /// An error about one item (its alt text, its deletion), shown beside it.
    item_error: Option<(String, String)>,
}

impl MediaPage {
    fn error_for(&self, id: &str) -> Option<&str> {
        self.item_error.as_ref().filter(|(i, _)| i == id).map(|(_, m)| m.as_str())
    }
}

/// What the file input offers; the server checks the bytes whatever the browser sends.
const ACCEPT: &str = "image/jpeg,image/png,image/webp,image/gif,video/mp4";

/// "1:05", or "1:02:03" past an hour.
pub fn duration_label(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (h, m, s) = (s / 3600, s / 60 % 60, s % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

/// A refusal in the reader's language.
pub fn media_error_text(tr: Tr, e: &MediaError) -> String {
    written_out(tr, e.code(), &e.args(tr.locale))
}

/// A message whose arguments the domain already wrote out for the reader's language (the
/// codes and arguments of `MediaError` and `MediaProblem`).
pub fn written_out(tr: Tr, id: &str, args: &[(&'static str, String)]) -> String {
    let named: Vec<(&str, &dyn std::fmt::Display)> = args.iter().map(|(k, v)| (*k, v as &dyn std::fmt::Display)).collect();
    tr.tn(id, &named)
}

fn item(tr: Tr, time_zone: &str, m: Media) -> MediaItem {
    let is_video = m.kind == "video";
    MediaItem {
        kind_label: tr.t(if is_video { "media-kind-video" } else { "media-kind-image" }),
        dimensions: tr.tn("media-dimensions", &[("width", &m.width), ("height", &m.height)]),
        size: human_size(m.bytes.max(0) as u64, tr.locale),
        duration: m.duration_ms.map(duration_label),
        used_label: match m.used_by {
            0 => tr.t("media-used-none"),
            1 => tr.t("media-used-one"),
            n => tr.t1("media-used-many", "count", n),
        },
        added: tr.t1("media-added", "date", tr.datetime(m.created_at, time_zone)),
        is_video,
        id: m.id,
        filename: m.filename,
        alt_text: m.alt_text,
    }
}

async fn page(app: &AppState, ws: &InWorkspace, done: Option<&str>) -> Result<MediaPage, PageError> {
    let tr = ws.tr();
    let list = app.store.media_list(&ws.workspace.id).await.map_err(|e| PageError::store(tr, e))?;
    let limits = app.config.media_limits;
    Ok(MediaPage {
        c: Chrome::workspace(ws, Some(Section::Composer)).with_flash(done),
        base: ws.base(),
        items: list.into_iter().map(|m| item(tr, &ws.workspace.time_zone, m)).collect(),
        can_edit: relais_core::policy::allows(ws.role, Action::DraftPosts),
        upload_help: tr.tn(
            "media-upload-help",
            &[
                ("image", &human_size(limits.max_image_bytes, tr.locale)),
                ("pixels", &(limits.max_pixels / 1_000_000)),
                ("video", &human_size(limits.max_video_bytes, tr.locale)),
            ],
        ),
        accept: ACCEPT,
        refused: vec![],
        item_error: None,
    })
}

pub async fn list(State(app): State<AppState>, ws: InWorkspace, Query(done): Query<Done>) -> Response {
    if let Err(e) = ws.require(Action::ViewCalendar) {
        return e.into_response();
    }
    match page(&app, &ws, done.done.as_deref()).await {
        Ok(p) => render(&p, ws.tr()),
        Err(e) => e.into_response(),
    }
}

/// The page again with the refusals of an upload.
async fn refuse(app: &AppState, ws: &InWorkspace, status: StatusCode, refused: Vec<String>) -> Response {
    match page(app, ws, None).await {
        Ok(mut p) => {
            p.refused = refused;
            render_status(status, &p, ws.tr())
        }
        Err(e) => e.into_response(),
    }
}

pub async fn upload(State(app): State<AppState>, ws: InWorkspace, multipart: Multipart) -> Response {
    if let Err(e) = ws.require(Action::DraftPosts) {
        return e.into_response();
    }
    let tr = ws.tr();
    let parts = match media_intake::read_parts(multipart).await {
        Ok(p) => p,
        Err(e) if e.too_large() => {
            let limit = human_size(app.config.media_limits.max_any_bytes(), tr.locale);
            return refuse(&app, &ws, e.status, vec![tr.t1("media-error-upload-too-large", "limit", limit)]).await;
        }
        Err(e) => return refuse(&app, &ws, e.status, vec![tr.t1("error-upload", "reason", e.reason)]).await,
    };
    if parts.files.is_empty() {
        return refuse(&app, &ws, StatusCode::UNPROCESSABLE_ENTITY, vec![tr.t("media-error-no-file")]).await;
    }
    let (mut refused, mut added, mut existing) = (vec![], 0, 0);
    for upload in parts.files {
        let filename = upload.filename.clone();
        match media_intake::accept(&app, &ws.workspace.id, Some(ws.me.user().id.clone()), upload, String::new()).await {
            Ok((media, true)) => {
                added += 1;
                let details = serde_json::json!({"media": media.id, "bytes": media.bytes, "mime": media.mime});
                if let Err(e) = audit(&app, &ws, "media.uploaded", &media.filename, details).await {
                    return e.into_response();
                }
            }
            Ok((_, false)) => existing += 1,
            Err(IntakeError::Refused(why)) => {
                refused.push(tr.tn("media-file-refused", &[("file", &filename), ("reason", &media_error_text(tr, &why))]))
            }
            Err(IntakeError::Failed(why)) => return PageError::internal(tr, why).into_response(),
        }
    }
    if !refused.is_empty() {
        return refuse(&app, &ws, StatusCode::UNPROCESSABLE_ENTITY, refused).await;
    }
    let done = if added == 0 && existing > 0 { "media-existing" } else { "media-uploaded" };
    Redirect::to(&format!("{}/media?done={done}", ws.base())).into_response()
}

#[derive(Deserialize)]
pub struct AltForm {
    alt_text: String,
}

pub async fn save_alt_text(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    PageForm(f): PageForm<AltForm>,
) -> Response {
    if let Err(e) = ws.require(Action::DraftPosts) {
        return e.into_response();
    }
    let tr = ws.tr();
    let alt = match relais_core::media::alt_text(&f.alt_text) {
        Ok(a) => a,
        Err(e) => return item_refusal(&app, &ws, StatusCode::UNPROCESSABLE_ENTITY, &id, tr.t(e.code)).await,
    };
    if let Err(e) = app.store.set_media_alt_text(&ws.workspace.id, &id, &alt).await {
        return PageError::store(tr, e).into_response();
    }
    if let Err(e) = audit(&app, &ws, "media.alt_text_changed", &id, serde_json::json!({"alt_text": alt})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/media?done=media-alt#media-{id}", ws.base())).into_response()
}

/// The page again with an error beside one item.
async fn item_refusal(app: &AppState, ws: &InWorkspace, status: StatusCode, id: &str, message: String) -> Response {
    match page(app, ws, None).await {
        Ok(mut p) => {
            p.item_error = Some((id.to_string(), message));
            render_status(status, &p, ws.tr())
        }
        Err(e) => e.into_response(),
    }
}

pub async fn delete(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>) -> Response {
    if let Err(e) = ws.require(Action::DraftPosts) {
        return e.into_response();
    }
    let tr = ws.tr();
    let in_use = |m: &Media| tr.tn("media-error-in-use", &[("file", &m.filename), ("count", &m.used_by.max(1))]);
    let media = match app.store.media(&ws.workspace.id, &id).await {
        Ok(m) => m,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if media.used_by > 0 {
        return item_refusal(&app, &ws, StatusCode::CONFLICT, &id, in_use(&media)).await;
    }
    let gone = match app.store.delete_media(&ws.workspace.id, &id).await {
        Ok(m) => m,
        Err(StoreError::Conflict(_)) => return item_refusal(&app, &ws, StatusCode::CONFLICT, &id, in_use(&media)).await,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    media_intake::forget_files(&app, &gone).await;
    if let Err(e) = audit(&app, &ws, "media.deleted", &gone.filename, serde_json::json!({"media": gone.id})).await {
        return e.into_response();
    }
    Redirect::to(&format!("{}/media?done=media-deleted", ws.base())).into_response()
}

async fn serve(app: AppState, ws: InWorkspace, id: String, rendition: Rendition, req: Request<Body>) -> Response {
    if let Err(e) = ws.require(Action::ViewCalendar) {
        return e.into_response();
    }
    let media = match app.store.media(&ws.workspace.id, &id).await {
        Ok(m) => m,
        Err(e) => return PageError::store(ws.tr(), e).into_response(),
    };
    match media_intake::serve(&app, &media, rendition, req).await {
        Some(r) => r,
        None => PageError::not_found(ws.tr()).into_response(),
    }
}

pub async fn file(State(app): State<AppState>, ws: InWorkspace, Path((_, id)): Path<(String, String)>, req: Request<Body>) -> Response {
    serve(app, ws, id, Rendition::Original, req).await
}

pub async fn thumbnail(
    State(app): State<AppState>,
    ws: InWorkspace,
    Path((_, id)): Path<(String, String)>,
    req: Request<Body>,
) -> Response {
    serve(app, ws, id, Rendition::Thumbnail, req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use relais_core::Locale;

    #[test]
    fn durations_read_like_a_player() {
        assert_eq!(duration_label(4_500), "0:04");
        assert_eq!(duration_label(65_000), "1:05");
        assert_eq!(duration_label(3_723_000), "1:02:03");
    }

    #[test]
    fn every_media_refusal_and_network_problem_is_translated() {
        use relais_core::media::{Format, MediaKind};
        use relais_networks::MediaProblem;
        let errors = [
            MediaError::Empty,
            MediaError::UnsupportedFormat { name: "TIFF" },
            MediaError::UnknownFormat,
            MediaError::TooLarge { kind: MediaKind::Image, bytes: 2, limit: 1 },
            MediaError::TooLarge { kind: MediaKind::Video, bytes: 2, limit: 1 },
            MediaError::Truncated { format: Format::Png },
            MediaError::Damaged { format: Format::Png, reason: "CRC".into() },
            MediaError::TooManyPixels { width: 1, height: 1, max_pixels: 1 },
            MediaError::TooWide { width: 1, height: 1, max_side: 1 },
            MediaError::NoVideoTrack,
        ];
        let problems = [
            MediaProblem::TooManyImages { count: 5, max: 4 },
            MediaProblem::VideoNotAccepted { index: 0 },
            MediaProblem::VideoNotAlone { index: 0 },
            MediaProblem::TypeNotAccepted { index: 0, mime: "image/gif".into() },
            MediaProblem::TooLarge { index: 0, kind: MediaKind::Image, bytes: 2, limit: 1 },
            MediaProblem::AltTextMissing { index: 0 },
        ];
        let messages = errors.iter().map(|e| (e.code(), e.args(Locale::Fr))).chain(problems.iter().map(|p| (p.code(), p.args(Locale::Fr))));
        for (code, args) in messages {
            for locale in Locale::ALL {
                let text = written_out(Tr::new(locale), code, &args);
                assert_ne!(text, code, "{code} is missing in {}", locale.as_str());
                assert!(!text.contains("{$") && !text.contains("{ $"), "{code}: {text}");
            }
        }
        let tr = Tr::new(Locale::Fr);
        assert_eq!(
            media_error_text(tr, &MediaError::TooLarge { kind: MediaKind::Image, bytes: 32_715_571, limit: 25 * 1024 * 1024 }),
            "Le fichier fait 31,2 Mo ; la limite pour les images est de 25 Mo."
        );
    }
}
