//! Who is asking, in which language, and whether a state-changing browser request is genuine.
//!
//! One middleware in front of every browser route loads the session (cookie → database), picks
//! the language (the user's choice, else `Accept-Language`), and refuses any POST whose CSRF
//! token does not match: the session's token when signed in, a cookie-bound token before. It
//! also refuses requests that the browser marks as cross-site or whose `Origin` is foreign.

use crate::app::AppState;
use crate::error::PageError;
use crate::i18n::Tr;
use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use relais_core::{Action, Locale, Role, token};
use relais_store::{User, Workspace};
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "relais_session";
pub const CSRF_COOKIE: &str = "relais_csrf";
pub const CSRF_FIELD: &str = "_csrf";

/// A signed-in user's session.
#[derive(Clone, Debug)]
pub struct Session {
    pub user: User,
    pub token: String,
}

/// What the middleware learnt about the request; every browser handler can extract it.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub session: Option<Session>,
    /// The token forms of this page must carry.
    pub csrf: String,
    pub tr: Tr,
    pub client_ip: String,
    pub path: String,
    /// `scheme://host` as the browser reached us, for links shown to be copied (invitations).
    pub origin: String,
}

pub async fn layer(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let jar = CookieJar::from_headers(req.headers());
    let browser_tr = Tr::new(
        req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).map(Locale::from_accept_language).unwrap_or_default(),
    );
    let mut session = None;
    let mut session_csrf = None;
    if let Some(c) = jar.get(SESSION_COOKIE) {
        match app.store.session(c.value()).await {
            Ok(Some(rec)) => match app.store.user(&rec.user_id).await {
                Ok(user) => {
                    session_csrf = Some(rec.csrf_token);
                    session = Some(Session { user, token: c.value().to_string() });
                }
                Err(e) => return PageError::store(browser_tr, e).into_response(),
            },
            Ok(None) => {}
            Err(e) => return PageError::internal(browser_tr, e).into_response(),
        }
    }
    let tr = session.as_ref().and_then(|s| s.user.locale()).map(Tr::new).unwrap_or(browser_tr);
    let anon_csrf = jar.get(CSRF_COOKIE).map(|c| c.value().to_string());
    let new_anon_csrf = (session_csrf.is_none() && anon_csrf.is_none()).then(|| token::generate("csrf"));
    let csrf = session_csrf.or(anon_csrf).or(new_anon_csrf.clone()).expect("one of the three is set");

    let req = if is_state_changing(req.method()) {
        match verify_csrf(req, &csrf, tr, app.config.body_limit).await {
            Ok(req) => req,
            Err(refusal) => return refusal.into_response(),
        }
    } else {
        req
    };

    let client_ip = client_ip(req.headers(), req.extensions().get::<ConnectInfo<SocketAddr>>(), app.config.trust_proxy);
    let path = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let origin = match &app.config.public_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => {
            let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
            format!("{}://{host}", if app.config.secure_cookies { "https" } else { "http" })
        }
    };
    let mut req = req;
    req.extensions_mut().insert(Ctx { session, csrf, tr, client_ip, path, origin });
    let mut response = next.run(req).await;
    if let Some(t) = new_anon_csrf {
        let cookie =
            Cookie::build((CSRF_COOKIE, t)).path("/").http_only(true).same_site(SameSite::Lax).secure(app.config.secure_cookies).build();
        if let Ok(v) = cookie.to_string().parse() {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}

fn is_state_changing(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn client_ip(headers: &HeaderMap, info: Option<&ConnectInfo<SocketAddr>>, trust_proxy: bool) -> String {
    if trust_proxy && let Some(first) = headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()).and_then(|v| v.split(',').next()) {
        return first.trim().to_string();
    }
    info.map(|c| c.0.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Checks the request's origin and CSRF token; gives the request back (with its body intact).
async fn verify_csrf(req: Request, expected: &str, tr: Tr, limit: usize) -> Result<Request, PageError> {
    let refuse = |why: &str| PageError::new(StatusCode::FORBIDDEN, "error-csrf", tr).detail(why.to_string());
    let headers = req.headers();
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return Err(refuse("cross-site request"));
    }
    if let (Some(origin), Some(host)) =
        (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), headers.get(header::HOST).and_then(|v| v.to_str().ok()))
    {
        let origin_host = origin.split("://").nth(1).unwrap_or("");
        if origin != "null" && origin_host != host {
            return Err(refuse("the request came from another site"));
        }
    }
    let from_header = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
    let from_query = req.uri().query().and_then(|q| field(q.as_bytes(), CSRF_FIELD));
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let (req, from_body) = if is_form && from_header.is_none() && from_query.is_none() {
        let (parts, body) = req.into_parts();
        let bytes =
            axum::body::to_bytes(body, limit).await.map_err(|_| PageError::new(StatusCode::PAYLOAD_TOO_LARGE, "error-too-large", tr))?;
        let token = field(&bytes, CSRF_FIELD);
        (Request::from_parts(parts, Body::from(bytes)), token)
    } else {
        (req, None)
    };
    let Some(given) = from_header.or(from_query).or(from_body) else {
        return Err(refuse("the form has no CSRF token"));
    };
    if constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        Ok(req)
    } else {
        Err(refuse("the CSRF token does not match this session"))
    }
}

fn field(urlencoded: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(urlencoded).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The session cookie, with the flags the brief requires.
pub fn session_cookie(value: String, secure: bool, max_age_ms: i64) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(time_duration(max_age_ms))
        .build()
}

pub fn expired_session_cookie() -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, "")).path("/").http_only(true).same_site(SameSite::Lax).max_age(time_duration(0)).build()
}

fn time_duration(ms: i64) -> cookie::time::Duration {
    cookie::time::Duration::milliseconds(ms)
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| PageError::internal(Tr::new(Locale::default()), "browser route without the session layer").into_response())
    }
}

/// A request from a signed-in user; anyone else is sent to the sign-in page and brought back.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub ctx: Ctx,
    pub session: Session,
}

impl SignedIn {
    pub fn user(&self) -> &User {
        &self.session.user
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        match ctx.session.clone() {
            Some(session) => Ok(SignedIn { ctx, session }),
            None => {
                let next = url::form_urlencoded::byte_serialize(ctx.path.as_bytes()).collect::<String>();
                Err(Redirect::to(&format!("/signin?next={next}")).into_response())
            }
        }
    }
}

/// A signed-in member inside one workspace (the `{ws}` of the path), with their role there.
/// A workspace they do not belong to is a 404, never a hint that it exists.
#[derive(Clone, Debug)]
pub struct InWorkspace {
    pub me: SignedIn,
    pub workspace: Workspace,
    pub role: Role,
    /// Every workspace the user belongs to, for the switcher.
    pub all: Vec<(Workspace, Role)>,
    /// Unread notifications, for the bell in the header.
    pub unread: i64,
}

impl InWorkspace {
    pub fn tr(&self) -> Tr {
        self.me.ctx.tr
    }

    /// Asks the policy; a refusal becomes a 403 page naming what was refused.
    pub fn require(&self, action: Action) -> Result<(), PageError> {
        relais_core::policy::check(self.role, action).map_err(|d| {
            tracing::info!(user = %self.me.user().id, workspace = %self.workspace.id, denied = %d, "refused");
            PageError::forbidden(self.tr()).detail(self.tr().t1("error-forbidden-role", "role", self.tr().role(self.role)))
        })
    }

    pub fn base(&self) -> String {
        format!("/w/{}", self.workspace.id)
    }
}

impl FromRequestParts<AppState> for InWorkspace {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let me = SignedIn::from_request_parts(parts, app).await?;
        let params = RawPathParams::from_request_parts(parts, app).await.map_err(IntoResponse::into_response)?;
        let ws_id = params.iter().find(|(k, _)| *k == "ws").map(|(_, v)| v.to_string()).unwrap_or_default();
        InWorkspace::load(app, me, &ws_id).await
    }
}

impl InWorkspace {
    /// The signed-in user inside workspace `ws_id`, for routes whose path does not name it (an
    /// OAuth callback, say).
    pub async fn load(app: &AppState, me: SignedIn, ws_id: &str) -> Result<Self, Response> {
        let tr = me.ctx.tr;
        let all = app.store.workspaces_of_user(&me.user().id).await.map_err(|e| PageError::store(tr, e).into_response())?;
        let Some((workspace, role)) = all.iter().find(|(w, _)| w.id == ws_id).cloned() else {
            return Err(PageError::not_found(tr).into_response());
        };
        let unread =
            app.store.unread_notifications(&me.user().id, &workspace.id).await.map_err(|e| PageError::store(tr, e).into_response())?;
        Ok(InWorkspace { me, workspace, role, all, unread })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_http_only_same_site_and_secure_behind_tls() {
        let plain = session_cookie("t".into(), false, 60_000).to_string();
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Lax") && !plain.contains("Secure"), "{plain}");
        let tls = session_cookie("t".into(), true, 60_000).to_string();
        assert!(tls.contains("Secure"), "{tls}");
    }

    #[test]
    fn tokens_compare_in_constant_time_and_exactly() {
        assert!(constant_time_eq(b"csrf_abc", b"csrf_abc"));
        assert!(!constant_time_eq(b"csrf_abc", b"csrf_abd"));
        assert!(!constant_time_eq(b"csrf_abc", b"csrf_ab"));
    }
}
