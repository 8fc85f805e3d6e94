//! Errors as the two audiences see them: an HTML page for people, `application/problem+json`
//! (RFC 9457) for API clients. Both say what is wrong; neither reveals another tenant's data.

use crate::i18n::Tr;
use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use relais_core::{Locale, ValidationError};
use relais_store::StoreError;
use serde::Serialize;

/// An error for a page.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    /// A message id, translated when rendered.
    pub title_id: &'static str,
    /// Already in the reader's language, or a network's/the system's own words.
    pub detail: Option<String>,
    pub tr: Tr,
}

impl PageError {
    pub fn new(status: StatusCode, title_id: &'static str, tr: Tr) -> Self {
        PageError { status, title_id, detail: None, tr }
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
    pub fn not_found(tr: Tr) -> Self {
        Self::new(StatusCode::NOT_FOUND, "error-not-found", tr)
    }
    pub fn forbidden(tr: Tr) -> Self {
        Self::new(StatusCode::FORBIDDEN, "error-forbidden", tr)
    }
    /// The request cannot be done as sent; `detail` says why, in the reader's language.
    pub fn unprocessable(tr: Tr, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "error-unprocessable", tr).detail(detail)
    }
    pub fn internal(tr: Tr, e: impl std::fmt::Display) -> Self {
        tracing::error!(error = %e, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "error-internal", tr)
    }
    pub fn store(tr: Tr, e: StoreError) -> Self {
        match e {
            StoreError::NotFound(_) => Self::not_found(tr),
            StoreError::Conflict(msg) => Self::new(StatusCode::CONFLICT, "error-conflict", tr).detail(msg),
            other => Self::internal(tr, other),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    lang: &'a str,
    title: String,
    detail: Option<String>,
    home: String,
    status: u16,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            lang: self.tr.lang(),
            title: self.tr.t(self.title_id),
            detail: self.detail,
            home: self.tr.t("error-back-home"),
            status: self.status.as_u16(),
        };
        match page.render() {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, self.tr.t(self.title_id)).into_response(),
        }
    }
}

/// An API error: a problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// What exactly is wrong, in words.
    pub detail: String,
    /// The request field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub slug: &'static str,
    pub detail: String,
    pub field: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, slug: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, slug, detail: detail.into(), field: None }
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", format!("no {what} with this id is visible to this token"))
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }
    pub fn forbidden(d: relais_core::Denied) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", format!("this token's role ({}) may not do this: {:?}", d.role, d.action))
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, slug: "invalid-field", detail: e.message, field: Some(e.field.to_string()) }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::Conflict(msg) => ApiError::new(StatusCode::CONFLICT, "conflict", msg),
            other => {
                tracing::error!(error = %other, "internal error in API");
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "an internal error occurred; it has been logged")
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error").to_string();
        let body = Problem {
            kind: format!("urn:relais:problem:{}", self.slug),
            title,
            status: self.status.as_u16(),
            detail: self.detail,
            field: self.field,
        };
        (self.status, [(header::CONTENT_TYPE, "application/problem+json")], serde_json::to_string(&body).unwrap_or_default())
            .into_response()
    }
}

/// What a panic turns into: a 500 that says nothing of the internals.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    PageError::new(StatusCode::INTERNAL_SERVER_ERROR, "error-internal", Tr::new(Locale::default())).into_response()
}
