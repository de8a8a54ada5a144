//! Every route on one screen, and the middleware around them.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::routing::{get, post};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::{AppState, api, error, web};

/// Multipart framing around the file: headers and the small metadata fields.
const MULTIPART_OVERHEAD: u64 = 1024 * 1024;

/// Builds the router with its middleware.
pub fn router(state: AppState) -> Router {
    let upload_limit = usize::try_from(
        state
            .app
            .config()
            .uploads
            .max_bytes
            .saturating_add(MULTIPART_OVERHEAD),
    )
    .unwrap_or(usize::MAX);
    let request_id = HeaderName::from_static("x-request-id");

    let api = Router::new()
        .route("/auth/login", post(api::auth::login))
        .route("/auth/logout", post(api::auth::logout))
        .route("/me", get(api::auth::me))
        .route(
            "/incoming",
            get(api::incoming::list)
                .post(api::incoming::upload)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/documents/{id}/file", get(api::documents::file))
        .route(
            "/documents/{id}/signatures",
            get(api::documents::signatures).post(api::documents::validate),
        )
        .route("/audit/verify", get(api::audit::verify))
        .route("/audit/export", get(api::audit::export))
        .route("/search", get(api::search::search))
        .route("/openapi.json", get(api::openapi::document))
        .fallback(api::not_found);

    let pages = Router::new()
        .route("/", get(web::home))
        .route("/login", get(web::login_page).post(web::login_submit))
        .route("/logout", post(web::logout))
        .route(
            "/incoming",
            get(web::incoming_page)
                .post(web::incoming_submit)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/documents/{id}/file", get(web::document_file));

    Router::new()
        .route("/healthz", get(api::health::healthz))
        .nest("/api/v1", api)
        .merge(pages)
        .with_state(state)
        .layer(middleware::from_fn(error::with_request_id))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}
