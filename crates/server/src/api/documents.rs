//! Document files.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;

use crate::extract::{CurrentUser, Operation};
use crate::{ApiError, AppState};

/// Downloads a document's file (its hash is re-checked on the way out).
#[utoipa::path(get, path = "/api/v1/documents/{id}/file", params(("id" = i64, Path, description = "document id")),
    responses((status = 200, content_type = "application/pdf", description = "the file"), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn file(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_document_id(&id)?;
    let file = state
        .app
        .download_document(&user.actor, id, &operation)
        .await?;
    Ok(file_response(file))
}

/// A path id that is not a number names no document.
pub(crate) fn parse_document_id(raw: &str) -> Result<domain::ids::DocumentId, ApiError> {
    raw.parse::<i64>()
        .map(domain::ids::DocumentId)
        .map_err(|_| ApiError::App(app::Error::NotFound { what: "document" }))
}

/// The file as an attachment, with its SHA-256 in a header for clients that check fixity.
pub(crate) fn file_response(file: app::DocumentFile) -> Response {
    let disposition = format!(
        "attachment; filename=\"document.pdf\"; filename*=UTF-8''{}",
        percent_encode(&file.file_name)
    );
    let mut response = Response::new(Body::from(file.bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&file.sha256) {
        headers.insert("x-content-sha256", value);
    }
    response
}

/// RFC 8187 percent-encoding of a UTF-8 file name (Vietnamese names survive the header).
fn percent_encode(name: &str) -> String {
    let mut encoded = String::new();
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_file_names_are_percent_encoded() {
        assert_eq!(
            percent_encode("Kế hoạch.pdf"),
            "K%E1%BA%BF%20ho%E1%BA%A1ch.pdf"
        );
    }
}
