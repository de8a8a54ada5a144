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
        api::documents::file,
        api::documents::signatures,
        api::documents::validate,
        api::audit::verify,
        api::audit::export,
        api::search::search,
    ),
    components(schemas(crate::error::Problem, crate::error::ProblemIssue))
)]
struct ApiDoc;

/// Serves the OpenAPI document.
pub(crate) async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
