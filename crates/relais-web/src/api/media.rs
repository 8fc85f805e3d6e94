//! The media library over the API: list a workspace's files, upload one (multipart).

use super::ApiCaller;
use crate::app::AppState;
use crate::error::{ApiError, Problem};
use crate::media_intake::{self, IntakeError};
use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use relais_core::Action;
use relais_core::media::human_size;
use relais_store::Media;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct MediaOut {
    pub id: String,
    /// image or video.
    pub kind: String,
    /// image/jpeg, image/png, image/webp, image/gif or video/mp4, as read from the bytes.
    pub mime: String,
    pub filename: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    /// Videos only, when the file says.
    pub duration_ms: Option<i64>,
    /// Empty when none was written yet.
    pub alt_text: String,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    /// How many posts use it.
    pub used_by: i64,
    /// Epoch milliseconds, UTC.
    pub created_at: i64,
}

impl From<Media> for MediaOut {
    fn from(m: Media) -> Self {
        MediaOut {
            id: m.id,
            kind: m.kind,
            mime: m.mime,
            filename: m.filename,
            bytes: m.bytes,
            width: m.width,
            height: m.height,
            duration_ms: m.duration_ms,
            alt_text: m.alt_text,
            sha256: m.sha256,
            used_by: m.used_by,
            created_at: m.created_at,
        }
    }
}

/// The multipart body of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MediaUploadIn {
    /// The file: JPEG, PNG, WebP, GIF or MP4, told from its bytes.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Describes the image for people who cannot see it; at most 1,500 characters.
    alt_text: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/workspaces/{id}/media", params(("id" = String, Path)), responses((status = 200, body = Vec<MediaOut>)))]
pub async fn list(State(app): State<AppState>, caller: ApiCaller, Path(id): Path<String>) -> Result<Json<Vec<MediaOut>>, ApiError> {
    caller.require(&id, Action::ViewCalendar)?;
    Ok(Json(app.store.media_list(&id).await?.into_iter().map(Into::into).collect()))
}

fn invalid(field: &str, detail: String) -> ApiError {
    ApiError { field: Some(field.into()), ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-media", detail) }
}

/// Uploads one file. The same bytes already in the library answer 200 with the existing item.
#[utoipa::path(post, path = "/api/v1/workspaces/{id}/media", params(("id" = String, Path)),
    request_body(content = MediaUploadIn, content_type = "multipart/form-data"),
    responses((status = 201, body = MediaOut, description = "added"), (status = 200, body = MediaOut, description = "already in the library"),
              (status = 413, body = Problem, content_type = "application/problem+json"),
              (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn upload(
    State(app): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Result<(StatusCode, Json<MediaOut>), ApiError> {
    caller.require(&id, Action::DraftPosts)?;
    let mut parts = match media_intake::read_parts(multipart).await {
        Ok(p) => p,
        Err(e) if e.too_large() => {
            let limit = human_size(app.config.media_limits.max_any_bytes(), relais_core::Locale::En);
            return Err(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", format!("the upload is larger than {limit}")));
        }
        Err(e) => return Err(ApiError::new(e.status, "malformed-multipart", e.reason)),
    };
    if parts.files.len() != 1 {
        return Err(invalid(
            "file",
            format!("send exactly one file, in a part named \"file\" with a file name; this request has {}", parts.files.len()),
        ));
    }
    let alt = relais_core::media::alt_text(parts.fields.get("alt_text").map(String::as_str).unwrap_or_default())?;
    let upload = parts.files.remove(0);
    match media_intake::accept(&app, &id, None, upload, alt).await {
        Ok((media, created)) => Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(media.into()))),
        Err(IntakeError::Refused(why)) => Err(invalid("file", why.to_string())),
        Err(IntakeError::Failed(why)) => {
            tracing::error!(error = %why, "media upload failed");
            Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "an internal error occurred; it has been logged"))
        }
    }
}
