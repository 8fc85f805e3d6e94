//! Endpoints for orchestrators and load balancers.

use crate::app::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: the database answers and its schema is the one this binary expects.
async fn readyz(State(app): State<AppState>) -> impl IntoResponse {
    let check = async {
        app.store.ping().await?;
        app.store.ensure_schema_current().await
    };
    match check.await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ready"}))),
        Err(e) => (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({"status": "not ready", "reason": e.to_string()}))),
    }
}
