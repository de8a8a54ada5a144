//! The HTTP face of Vanthu: the JSON API under `/api/v1` and the server-rendered Vietnamese pages.
//!
//! Handlers are thin: extract, convert the DTO, make one `app` call, map the result. Authorization,
//! transactions and audit live in `app`; the mapping of every `app::Error` to a status and a stable
//! `code` lives in `error.rs`. Nothing here names sea-orm, lopdf, openssl or tantivy.

mod api;
mod error;
mod extract;
mod router;
mod web;

use std::net::SocketAddr;

pub use crate::error::ApiError;
pub use crate::router::router;

/// Shared state of every handler.
#[derive(Clone, Debug)]
pub struct AppState {
    app: app::App,
}

impl AppState {
    /// Wraps the application for the router.
    pub fn new(app: app::App) -> AppState {
        AppState { app }
    }
}

/// Serves the router on `listener` until `shutdown` resolves.
///
/// # Errors
/// Returns the I/O error that stopped the server.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: app::App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Scanned documents are recognised in the background while the server runs (`app::ocr`).
    let _ocr_worker = app.spawn_ocr_worker();
    let router = router(AppState::new(app));
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
