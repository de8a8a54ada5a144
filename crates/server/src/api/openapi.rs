//! The OpenAPI 3.1 document of the API, generated from the handlers' annotations.

use axum::Json;
use utoipa::OpenApi;

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vanthu API",
        description = "Electronic documents and digital signatures for a ward People's Committee."
    ),
    paths(
        api::health::healthz,
        api::auth::login,
        api::auth::logout,
        api::auth::me,
        api::incoming::list,
        api::incoming::upload,
        api::handling::present,
        api::handling::return_to_sender,
        api::handling::assign,
        api::handling::reassign,
        api::handling::progress,
        api::handling::complete,
        api::handling::handling,
        api::handling::history,
        api::handling::tracking,
        api::handling::tasks,
        api::handling::routing_slip,
        api::handling::register_pdf,
        api::handling::holidays,
        api::recall::accept,
        api::recall::refuse,
        api::outgoing::list,
        api::outgoing::create,
        api::outgoing::show,
        api::outgoing::history,
        api::outgoing::deliveries,
        api::outgoing::file,
        api::outgoing::act,
        api::outgoing::export_edxml,
        api::outgoing::import_edxml,
        api::outgoing::import_edxml_status,
        api::documents::file,
        api::documents::signatures,
        api::documents::validate,
        api::document_text::texts,
        api::audit::verify,
        api::audit::export,
        api::search::search,
        api::records::create_plan,
        api::records::plan,
        api::records::open,
        api::records::list,
        api::records::due,
        api::records::show,
        api::records::link,
        api::records::unlink,
        api::records::close,
        api::records::hand_over,
        api::records::export,
        api::records::import,
        api::search::export_csv,
        api::saved_searches::create,
        api::saved_searches::list,
        api::saved_searches::run,
        api::saved_searches::delete,
    ),
    components(schemas(crate::error::Problem, crate::error::ProblemIssue))
)]
struct ApiDoc;

/// Serves the OpenAPI document.
pub(crate) async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
