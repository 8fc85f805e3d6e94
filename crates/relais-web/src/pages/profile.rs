//! The signed-in user's own settings: name, language, password.

use super::{Done, PageForm, render, render_status};
use crate::app::AppState;
use crate::chrome::Chrome;
use crate::error::PageError;
use crate::session::SignedIn;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use relais_core::values::check_new_password;
use relais_core::{Email, Locale, Name};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    c: Chrome,
    name: String,
    email: String,
    locale: String,
    error: Option<String>,
}

fn page(me: &SignedIn, done: Option<&str>, error: Option<String>) -> ProfilePage {
    ProfilePage {
        c: Chrome::plain(me).with_flash(done),
        name: me.user().name.clone(),
        email: me.user().email.clone(),
        locale: me.user().locale.clone().unwrap_or_default(),
        error,
    }
}

pub async fn show(me: SignedIn, Query(done): Query<Done>) -> Response {
    render(&page(&me, done.done.as_deref(), None), me.ctx.tr)
}

#[derive(Deserialize)]
pub struct ProfileForm {
    name: String,
    /// `fr`, `en`, or empty for "the browser's language".
    locale: String,
}

pub async fn save(State(app): State<AppState>, me: SignedIn, PageForm(f): PageForm<ProfileForm>) -> Response {
    let tr = me.ctx.tr;
    let name = match Name::parse("name", &f.name) {
        Ok(n) => n,
        Err(e) => return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&me, None, Some(tr.t(e.code))), tr),
    };
    let locale = match f.locale.trim() {
        "" => None,
        other => match Locale::parse(other) {
            Ok(l) => Some(l),
            Err(e) => return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&me, None, Some(tr.t(e.code))), tr),
        },
    };
    let uid = &me.user().id;
    if let Err(e) = app.store.set_user_name(uid, &name).await {
        return PageError::store(tr, e).into_response();
    }
    if let Err(e) = app.store.set_user_locale(uid, locale).await {
        return PageError::store(tr, e).into_response();
    }
    Redirect::to("/profile?done=saved").into_response()
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
}

pub async fn change_password(State(app): State<AppState>, me: SignedIn, PageForm(f): PageForm<PasswordForm>) -> Response {
    let tr = me.ctx.tr;
    let again = |msg: String| render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&me, None, Some(msg)), tr);
    let Ok(email) = Email::parse(&me.user().email) else { return PageError::internal(tr, "stored email is invalid").into_response() };
    let current_ok = match app.store.credentials(&email).await {
        Ok(Some((_, hash))) => crate::hashing::verify(f.current.clone(), hash).await,
        Ok(None) => false,
        Err(e) => return PageError::store(tr, e).into_response(),
    };
    if !current_ok {
        return again(tr.t("profile-wrong-password"));
    }
    if let Err(e) = check_new_password(&f.new) {
        return again(tr.t(e.code));
    }
    let hash = match crate::hashing::hash(f.new.clone(), app.config.hash_cost).await {
        Ok(h) => h,
        Err(e) => return PageError::internal(tr, e).into_response(),
    };
    if let Err(e) = app.store.set_password_hash(&me.user().id, &hash).await {
        return PageError::store(tr, e).into_response();
    }
    Redirect::to("/profile?done=password").into_response()
}
