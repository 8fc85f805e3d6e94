//! Instance-wide settings.

use crate::{Result, Store};

impl Store {
    pub async fn instance_setting(&self, name: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM instance_settings WHERE name = $1").bind(name).fetch_optional(self.pool()).await?)
    }

    /// Sets the value unless one is already there; returns the value that is stored now (the
    /// first writer wins when several processes start together).
    pub async fn init_instance_setting(&self, name: &str, value: &str) -> Result<String> {
        sqlx::query("INSERT INTO instance_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(value)
            .execute(self.writer())
            .await?;
        Ok(self.instance_setting(name).await?.unwrap_or_else(|| value.to_string()))
    }
}
