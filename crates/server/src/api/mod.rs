//! The JSON API under `/api/v1`: one module per resource, DTOs beside their handlers.

pub(crate) mod audit;
pub(crate) mod auth;
pub(crate) mod document_text;
pub(crate) mod documents;
pub(crate) mod handling;
pub(crate) mod health;
pub(crate) mod incoming;
pub(crate) mod openapi;
pub(crate) mod outgoing;
pub(crate) mod recall;
pub(crate) mod records;
pub(crate) mod saved_searches;
pub(crate) mod search;

use crate::ApiError;

/// Unknown API paths answer with a problem document, like every other API error.
pub(crate) async fn not_found() -> ApiError {
    ApiError::NoRoute
}
