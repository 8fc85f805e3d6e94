use crate::{api, ops, pages, session};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::middleware;
use relais_core::password::HashCost;
use relais_store::Store;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// How the web layer behaves; the binary fills it from flags, environment and file.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Set the `Secure` flag on cookies (when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Believe `X-Forwarded-For` for the client's address (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// The address users reach Relais at (`https://relais.example.org`), for links in
    /// invitations; when unset, the request's Host is used.
    pub public_url: Option<String>,
    pub hash_cost: HashCost,
    pub session_ttl_ms: i64,
    pub invitation_ttl_ms: i64,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Failed sign-ins tolerated per email within `throttle_window_ms` before refusing.
    pub max_failures_per_email: i64,
    /// Failed sign-ins tolerated per client address within the window.
    pub max_failures_per_ip: i64,
    pub throttle_window_ms: i64,
    /// Where the media library keeps its files (`<data_dir>/media` for the binary). Every web
    /// process serving the same database must see the same directory.
    pub media_dir: std::path::PathBuf,
    /// What the media library accepts; an upload's body may reach the largest file size.
    pub media_limits: relais_core::media::MediaLimits,
    /// Which addresses the servers users type (a PDS, an instance) may be at.
    pub outbound: relais_networks::outbound::Outbound,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            trust_proxy: false,
            public_url: None,
            hash_cost: HashCost::PRODUCTION,
            session_ttl_ms: 14 * 24 * 3_600_000,
            invitation_ttl_ms: 7 * 24 * 3_600_000,
            body_limit: 2 * 1024 * 1024,
            max_failures_per_email: 5,
            max_failures_per_ip: 30,
            throttle_window_ms: 15 * 60_000,
            media_dir: std::path::PathBuf::from("media"),
            media_limits: relais_core::media::MediaLimits::default(),
            outbound: relais_networks::outbound::Outbound::public_only(),
        }
    }
}

/// What every handler can reach. Holds nothing another process would need: state lives in the
/// database, so any number of web processes can serve the same users.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub store: Store,
    pub config: WebConfig,
    /// Seals the credentials of social accounts as they are connected.
    pub secrets: relais_core::secrets::SecretBox,
    /// The media library's files, in `config.media_dir`.
    pub media: relais_store::MediaFiles,
    /// The networks this process can call directly ("test connection"); publishing and other
    /// long calls go through the job queue instead.
    pub networks: relais_networks::Registry,
    /// Cancelled when the server stops: long-lived responses (the live inbox's event streams)
    /// end then, so that the graceful shutdown does not wait for them.
    pub shutdown: tokio_util::sync::CancellationToken,
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(store: Store, config: WebConfig, secrets: relais_core::secrets::SecretBox) -> Self {
        let media = relais_store::MediaFiles::new(config.media_dir.clone());
        AppState(Arc::new(Inner {
            store,
            config,
            secrets,
            media,
            networks: relais_networks::Registry::default(),
            shutdown: tokio_util::sync::CancellationToken::new(),
        }))
    }

    /// The same state, whose long-lived responses end when `shutdown` is cancelled.
    pub fn with_shutdown(self, shutdown: tokio_util::sync::CancellationToken) -> Self {
        let mut inner = Arc::into_inner(self.0).expect("with_shutdown is called before the state is shared");
        inner.shutdown = shutdown;
        AppState(Arc::new(inner))
    }

    /// The same state with these networks (the binary gives the ones its workers use).
    pub fn with_networks(self, networks: relais_networks::Registry) -> Self {
        let mut inner = Arc::into_inner(self.0).expect("with_networks is called before the state is shared");
        inner.networks = networks;
        AppState(Arc::new(inner))
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    let limit = state.config.body_limit;
    let upload_limit = media_upload_limit(&state.config);
    let browser = pages::routes(upload_limit).layer(middleware::from_fn_with_state(state.clone(), session::layer));
    Router::new()
        .merge(browser)
        .nest("/api", api::routes(upload_limit))
        .merge(ops::routes())
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

use crate::error;

/// The body an upload to the media library may reach: the largest file plus room for the
/// multipart framing. Only the upload routes get it; every other route keeps `body_limit`.
fn media_upload_limit(config: &WebConfig) -> usize {
    usize::try_from(config.media_limits.max_any_bytes()).unwrap_or(usize::MAX).saturating_add(1024 * 1024)
}
