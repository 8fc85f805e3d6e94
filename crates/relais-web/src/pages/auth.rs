//! Signing in and out.

use super::{PageForm, render, render_status};
use crate::app::AppState;
use crate::error::PageError;
use crate::i18n::Tr;
use crate::session::{Ctx, SignedIn, expired_session_cookie, session_cookie};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::CookieJar;
use relais_core::{Email, now_ms, password};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    tr: Tr,
    lang: &'static str,
    csrf: String,
    email: String,
    next: String,
    error: Option<String>,
}

impl SignInPage {
    fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }
}

#[derive(Deserialize, Default)]
pub struct Next {
    next: Option<String>,
}

/// Only same-site paths, so the sign-in page cannot be used to bounce users elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_string(),
        _ => "/".into(),
    }
}

pub async fn form(ctx: Ctx, Query(q): Query<Next>) -> Response {
    if ctx.session.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let page = SignInPage {
        tr: ctx.tr,
        lang: ctx.tr.lang(),
        csrf: ctx.csrf.clone(),
        email: String::new(),
        next: safe_next(q.next.as_deref()),
        error: None,
    };
    render(&page, ctx.tr)
}

#[derive(Deserialize)]
pub struct Credentials {
    email: String,
    password: String,
    next: Option<String>,
}

pub async fn submit(State(app): State<AppState>, ctx: Ctx, jar: CookieJar, PageForm(f): PageForm<Credentials>) -> Response {
    let tr = ctx.tr;
    let again = |status: StatusCode, error: String| {
        let page = SignInPage {
            tr,
            lang: tr.lang(),
            csrf: ctx.csrf.clone(),
            email: f.email.clone(),
            next: safe_next(f.next.as_deref()),
            error: Some(error),
        };
        render_status(status, &page, tr)
    };
    let email_key = f.email.trim().to_lowercase();
    let window = app.config.throttle_window_ms;
    let (by_email, by_ip) = match app.store.sign_in_failures_since(&email_key, &ctx.client_ip, now_ms() - window).await {
        Ok(x) => x,
        Err(e) => return PageError::internal(tr, e).into_response(),
    };
    if by_email >= app.config.max_failures_per_email || by_ip >= app.config.max_failures_per_ip {
        tracing::warn!(email = %email_key, ip = %ctx.client_ip, "sign-in throttled");
        return again(StatusCode::TOO_MANY_REQUESTS, tr.t1("signin-throttled", "minutes", window / 60_000));
    }
    let found = match Email::parse(&f.email) {
        Ok(email) => match app.store.credentials(&email).await {
            Ok(found) => found,
            Err(e) => return PageError::internal(tr, e).into_response(),
        },
        Err(_) => None,
    };
    let user = match found {
        Some((user, hash)) => crate::hashing::verify(f.password.clone(), hash).await.then_some(user),
        None => {
            // Same work as a real check, so timing does not reveal which emails exist.
            crate::hashing::verify(f.password.clone(), password::dummy_hash().to_string()).await;
            None
        }
    };
    let Some(user) = user else {
        if let Err(e) = app.store.record_sign_in_failure(&email_key, &ctx.client_ip).await {
            return PageError::internal(tr, e).into_response();
        }
        return again(StatusCode::UNAUTHORIZED, tr.t("signin-wrong"));
    };
    let _ = app.store.clear_sign_in_failures(&email_key).await;
    let (token, _) = match app.store.create_session(&user.id, app.config.session_ttl_ms).await {
        Ok(s) => s,
        Err(e) => return PageError::internal(tr, e).into_response(),
    };
    tracing::info!(user = %user.id, "signed in");
    let jar = jar.add(session_cookie(token, app.config.secure_cookies, app.config.session_ttl_ms));
    (jar, Redirect::to(&safe_next(f.next.as_deref()))).into_response()
}

pub async fn sign_out(State(app): State<AppState>, me: SignedIn, jar: CookieJar) -> Response {
    if let Err(e) = app.store.delete_session(&me.session.token).await {
        return PageError::internal(me.ctx.tr, e).into_response();
    }
    (jar.add(expired_session_cookie()), Redirect::to("/signin")).into_response()
}

/// Ends every session of the user, on every device (a lost phone, a shared computer).
pub async fn sign_out_everywhere(State(app): State<AppState>, me: SignedIn, jar: CookieJar) -> Response {
    match app.store.delete_sessions_of_user(&me.user().id).await {
        Ok(n) => tracing::info!(user = %me.user().id, sessions = n, "signed out everywhere"),
        Err(e) => return PageError::internal(me.ctx.tr, e).into_response(),
    }
    (jar.add(expired_session_cookie()), Redirect::to("/signin")).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/w/1/settings")), "/w/1/settings");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
