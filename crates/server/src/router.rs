//! Every route on one screen, and the middleware around them.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware;
use axum::routing::{delete, get, post};
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
        .route("/incoming/tracking", get(api::handling::tracking))
        .route("/incoming/tasks", get(api::handling::tasks))
        .route("/incoming/{id}/present", post(api::handling::present))
        .route(
            "/incoming/{id}/return",
            post(api::handling::return_to_sender),
        )
        .route("/incoming/{id}/assign", post(api::handling::assign))
        .route("/incoming/{id}/reassign", post(api::handling::reassign))
        .route("/incoming/{id}/progress", post(api::handling::progress))
        .route("/incoming/{id}/complete", post(api::handling::complete))
        .route("/incoming/{id}/accept-recall", post(api::recall::accept))
        .route("/incoming/{id}/refuse-recall", post(api::recall::refuse))
        .route("/incoming/{id}/handling", get(api::handling::handling))
        .route("/incoming/{id}/history", get(api::handling::history))
        .route(
            "/incoming/{id}/routing-slip.pdf",
            get(api::handling::routing_slip),
        )
        .route("/registers/{kind}/{year}", get(api::handling::register_pdf))
        .route("/holidays", get(api::handling::holidays))
        .route(
            "/outgoing",
            get(api::outgoing::list)
                .post(api::outgoing::create)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/outgoing/{id}", get(api::outgoing::show))
        .route("/outgoing/{id}/history", get(api::outgoing::history))
        .route("/outgoing/{id}/deliveries", get(api::outgoing::deliveries))
        .route("/outgoing/{id}/file", get(api::outgoing::file))
        .route("/outgoing/{id}/edxml", get(api::outgoing::export_edxml))
        .route("/outgoing/{id}/{action}", post(api::outgoing::act))
        .route(
            "/edxml",
            post(api::outgoing::import_edxml)
                .layer(DefaultBodyLimit::max(upload_limit.saturating_mul(2))),
        )
        .route("/edxml/status", post(api::outgoing::import_edxml_status))
        .route("/documents/{id}/file", get(api::documents::file))
        .route(
            "/documents/{id}/signatures",
            get(api::documents::signatures).post(api::documents::validate),
        )
        .route("/documents/{id}/text", get(api::document_text::texts))
        .route("/audit/verify", get(api::audit::verify))
        .route("/audit/export", get(api::audit::export))
        .route("/search", get(api::search::search))
        .route("/search.csv", get(api::search::export_csv))
        .route(
            "/saved-searches",
            get(api::saved_searches::list).post(api::saved_searches::create),
        )
        .route(
            "/saved-searches/{name}",
            delete(api::saved_searches::delete),
        )
        .route(
            "/saved-searches/{name}/results",
            get(api::saved_searches::run),
        )
        .route("/file-plans", post(api::records::create_plan))
        .route("/file-plans/{year}", get(api::records::plan))
        .route("/files", get(api::records::list).post(api::records::open))
        .route("/files/due", get(api::records::due))
        .route("/files/{code}", get(api::records::show))
        .route("/files/{code}/documents", post(api::records::link))
        .route("/files/{code}/documents/{id}", delete(api::records::unlink))
        .route("/files/{code}/close", post(api::records::close))
        .route("/files/{code}/hand-over", post(api::records::hand_over))
        .route("/files/{code}/package", get(api::records::export))
        .route(
            "/archive/packages",
            post(api::records::import)
                .layer(DefaultBodyLimit::max(upload_limit.saturating_mul(16))),
        )
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
