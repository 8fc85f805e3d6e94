//! People who sign in. A user is global; what they may see comes from their memberships.

use crate::{Result, Store, StoreError};
use relais_core::{Email, Locale, Name, new_id, now_ms};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    pub locale: Option<String>,
}

impl User {
    /// The user's chosen interface language, if they chose one.
    pub fn locale(&self) -> Option<Locale> {
        self.locale.as_deref().and_then(|l| Locale::parse(l).ok())
    }
}

impl Store {
    /// Creates a user with an already hashed password. A taken email is a `Conflict`.
    pub async fn create_user(&self, email: &Email, name: &Name, password_hash: &str) -> Result<User> {
        let id = new_id();
        let res = sqlx::query("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&id)
            .bind(email.as_str())
            .bind(name.as_str())
            .bind(password_hash)
            .bind(now_ms())
            .execute(self.writer())
            .await;
        match res {
            Ok(_) => Ok(User { id, email: email.to_string(), name: name.as_str().into(), locale: None }),
            Err(e) if StoreError::is_unique_violation(&e) => {
                Err(StoreError::Conflict(format!("a user with the email {email} already exists")))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn user(&self, id: &str) -> Result<User> {
        sqlx::query_as("SELECT id, email, name, locale FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound("user"))
    }

    pub async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        Ok(sqlx::query_as("SELECT id, email, name, locale FROM users WHERE email = $1")
            .bind(email.as_str())
            .fetch_optional(self.pool())
            .await?)
    }

    /// The user and their password hash, for sign-in only.
    pub async fn credentials(&self, email: &Email) -> Result<Option<(User, String)>> {
        let row: Option<(String, String, String, Option<String>, String)> =
            sqlx::query_as("SELECT id, email, name, locale, password_hash FROM users WHERE email = $1")
                .bind(email.as_str())
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(id, email, name, locale, hash)| (User { id, email, name, locale }, hash)))
    }

    pub async fn set_password_hash(&self, user_id: &str, password_hash: &str) -> Result<()> {
        let n = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(password_hash)
            .bind(user_id)
            .execute(self.writer())
            .await?
            .rows_affected();
        if n == 0 { Err(StoreError::NotFound("user")) } else { Ok(()) }
    }

    pub async fn set_user_locale(&self, user_id: &str, locale: Option<Locale>) -> Result<()> {
        sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
            .bind(locale.map(|l| l.as_str()))
            .bind(user_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    pub async fn set_user_name(&self, user_id: &str, name: &Name) -> Result<()> {
        sqlx::query("UPDATE users SET name = $1 WHERE id = $2").bind(name.as_str()).bind(user_id).execute(self.writer()).await?;
        Ok(())
    }

    /// Every user of the instance, for `relais user list`.
    pub async fn all_users(&self) -> Result<Vec<User>> {
        Ok(sqlx::query_as("SELECT id, email, name, locale FROM users ORDER BY email").fetch_all(self.pool()).await?)
    }
}
