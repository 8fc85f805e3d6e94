use crate::app::AppState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use relais_core::{Action, Role};
use relais_store::ApiTokenGrant;

/// The caller of an API route: what its token grants.
pub struct ApiCaller(pub ApiTokenGrant);

impl ApiCaller {
    /// The token's role if `workspace_id` is its workspace and the policy allows `action`. A
    /// workspace other than the token's is reported as not found, whatever exists there.
    pub fn require(&self, workspace_id: &str, action: Action) -> Result<Role, ApiError> {
        if self.0.workspace_id != workspace_id {
            return Err(ApiError::not_found("workspace"));
        }
        relais_core::policy::check(self.0.role, action).map_err(ApiError::forbidden)?;
        Ok(self.0.role)
    }

    /// Who the token is in the audit log and on what it creates.
    pub fn label(&self) -> String {
        format!("API token {}", self.0.name)
    }

    /// Records in the workspace's audit log what the token did.
    pub async fn audit(&self, app: &AppState, workspace_id: &str, action: &str, target: &str) -> Result<(), ApiError> {
        let w = app.store.workspace(workspace_id).await?;
        let label = self.label();
        app.store
            .record_audit(relais_store::AuditEvent {
                org_id: &w.org_id,
                workspace_id: Some(workspace_id),
                actor_id: None,
                actor_label: &label,
                action,
                target,
                details: serde_json::json!({"via": "api", "token": self.0.token_id}),
            })
            .await?;
        Ok(())
    }
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("this route needs an API token: send `Authorization: Bearer <token>`"))?;
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("the Authorization header must be `Bearer <token>`"))?;
        match app.store.authenticate_api_token(token).await? {
            Some(grant) => Ok(ApiCaller(grant)),
            None => Err(ApiError::unauthorized("the API token is unknown or was revoked")),
        }
    }
}
