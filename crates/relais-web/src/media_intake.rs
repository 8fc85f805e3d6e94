//! Receiving files into the media library, for the pages and the API alike: the multipart
//! body is read, each file inspected off the async threads, stored by content, then recorded.
//! Also serving the stored files with the caching they allow.

use crate::app::AppState;
use axum::body::{Body, Bytes};
use axum::extract::Multipart;
use axum::extract::multipart::MultipartError;
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::Response;
use relais_core::media::{MediaError, display_filename, inspect};
use relais_store::{Media, NewMedia, StoreError};
use std::collections::HashMap;
use tower::ServiceExt;

/// A file as the browser sent it.
pub struct Upload {
    pub filename: String,
    pub bytes: Bytes,
}

/// The parts of a multipart body: its files (any field with a file name) and its text fields.
pub struct Parts {
    pub files: Vec<Upload>,
    pub fields: HashMap<String, String>,
}

/// Why the body could not be read; `too_large` when it went past the route's limit.
pub struct Unreadable {
    pub status: StatusCode,
    pub reason: String,
}

impl Unreadable {
    pub fn too_large(&self) -> bool {
        self.status == StatusCode::PAYLOAD_TOO_LARGE
    }
}

impl From<MultipartError> for Unreadable {
    fn from(e: MultipartError) -> Self {
        Unreadable { status: e.status(), reason: e.body_text() }
    }
}

pub async fn read_parts(mut multipart: Multipart) -> Result<Parts, Unreadable> {
    let mut parts = Parts { files: vec![], fields: HashMap::new() };
    while let Some(field) = multipart.next_field().await? {
        let name = field.name().unwrap_or_default().to_string();
        match field.file_name().map(display_filename) {
            Some(filename) => {
                let bytes = field.bytes().await?;
                // A file input left empty still sends a part, with no name and no bytes.
                if !(bytes.is_empty() && filename == "file") {
                    parts.files.push(Upload { filename, bytes });
                }
            }
            None => {
                let text = field.text().await?;
                parts.fields.insert(name, text);
            }
        }
    }
    Ok(parts)
}

pub enum IntakeError {
    Refused(MediaError),
    Failed(String),
}

impl From<StoreError> for IntakeError {
    fn from(e: StoreError) -> Self {
        IntakeError::Failed(e.to_string())
    }
}

/// Checks, stores and records one file. Returns the item and whether it is new: the same
/// bytes already in the workspace's library give back the existing item.
pub async fn accept(
    app: &AppState,
    workspace_id: &str,
    created_by: Option<String>,
    upload: Upload,
    alt_text: String,
) -> Result<(Media, bool), IntakeError> {
    let limits = app.config.media_limits;
    let bytes = upload.bytes.clone();
    let inspected = tokio::task::spawn_blocking(move || inspect(&bytes, &limits))
        .await
        .map_err(|e| IntakeError::Failed(format!("the inspection of the file stopped: {e}")))?
        .map_err(IntakeError::Refused)?;
    // The file first: a record never points at a missing file, and storing again repairs one
    // that went missing.
    app.media
        .put(&inspected.sha256, &upload.bytes, inspected.thumbnail.as_deref())
        .await
        .map_err(|e| IntakeError::Failed(format!("cannot write to the media directory {}: {e}", app.media.root().display())))?;
    let new = NewMedia {
        workspace_id: workspace_id.to_string(),
        sha256: inspected.sha256,
        kind: inspected.kind,
        mime: inspected.mime.to_string(),
        filename: upload.filename,
        bytes: inspected.bytes,
        width: inspected.width,
        height: inspected.height,
        duration_ms: inspected.duration_ms,
        alt_text,
        created_by,
    };
    Ok(app.store.insert_media(&new).await?)
}

/// Removes the files of a deleted item once no workspace records the same bytes.
pub async fn forget_files(app: &AppState, media: &Media) {
    match app.store.media_file_in_use(&media.sha256).await {
        Ok(false) => {
            if let Err(e) = app.media.remove(&media.sha256).await {
                tracing::warn!(error = %e, sha256 = %media.sha256, "could not remove a deleted media file");
            }
        }
        Ok(true) => {}
        Err(e) => tracing::warn!(error = %e, "could not tell whether a media file is still used; it is kept"),
    }
}

/// Which file of an item to serve.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Rendition {
    Original,
    Thumbnail,
}

/// How long browsers keep a file: an item's files never change, so a year, privately (they are
/// a workspace's, not public).
const CACHE: &str = "private, max-age=31536000, immutable";

/// The item's file, with range requests (video seeking), its type and its caching; `None` when
/// there is no such file (a video's thumbnail, or a file missing from the directory).
pub async fn serve(app: &AppState, media: &Media, rendition: Rendition, req: Request<Body>) -> Option<Response> {
    let (path, mime) = match rendition {
        Rendition::Original => (app.media.original_path(&media.sha256).ok()?, media.mime.as_str()),
        Rendition::Thumbnail if media.kind == "image" => (app.media.thumbnail_path(&media.sha256).ok()?, "image/jpeg"),
        Rendition::Thumbnail => return None,
    };
    let response = tower_http::services::ServeFile::new(&path).oneshot(req).await.ok()?;
    if response.status() == StatusCode::NOT_FOUND {
        tracing::warn!(path = %path.display(), media = %media.id, "a media file is missing from the media directory");
        return None;
    }
    let mut response = response.map(Body::new);
    if response.status().is_success() {
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(static_mime(mime)));
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
        if rendition == Rendition::Original
            && let Ok(v) = HeaderValue::from_str(&format!("inline; filename*=UTF-8''{}", percent_encode(&media.filename)))
        {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Some(response)
}

/// The stored type as one of the few Relais accepts (never a string from the database as is).
fn static_mime(mime: &str) -> &'static str {
    relais_core::media::Format::from_mime(mime).map(|f| f.mime()).unwrap_or("application/octet-stream")
}

/// RFC 5987 encoding of a file name for Content-Disposition.
fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_encoded_for_the_header() {
        assert_eq!(percent_encode("Été 2026.jpg"), "%C3%89t%C3%A9%202026.jpg");
        assert_eq!(static_mime("text/html"), "application/octet-stream");
        assert_eq!(static_mime("image/png"), "image/png");
    }
}
