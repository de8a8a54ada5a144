//! Document files and the logged checks of their signatures.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::extract::{CurrentUser, Operation};
use crate::{ApiError, AppState};

/// One logged check of a signature.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignatureDto {
    /// The log row's id.
    id: i64,
    /// The signature field.
    field: String,
    /// Whether it is a document timestamp rather than a signature.
    document_timestamp: bool,
    /// The signer's certificate subject (RFC 4514).
    signer: Option<String>,
    /// The certificate's issuer.
    issuer: Option<String>,
    /// The certificate's serial number, hex.
    serial: Option<String>,
    /// The claimed signing time, RFC 3339.
    signing_time: Option<String>,
    /// The time the signature's timestamp attests, RFC 3339.
    timestamp_time: Option<String>,
    /// The signature algorithm.
    algorithm: Option<String>,
    /// The PAdES level reached (`B-B` … `B-LTA`).
    level: Option<String>,
    /// The revocation check: its state, then what was found.
    revocation: Option<String>,
    /// `PASSED`, `INDETERMINATE` or `FAILED`.
    conclusion: String,
    /// Why it did not pass.
    reasons: Vec<String>,
    /// When it was checked, RFC 3339.
    checked_at: String,
    /// Who checked it.
    checked_by: String,
    /// `checked` or `made`.
    origin: &'static str,
}

/// The latest check of each signature of a document.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignatureList {
    /// In file order.
    items: Vec<SignatureDto>,
}

impl SignatureList {
    fn from_records(records: &[app::SignatureRecord]) -> SignatureList {
        let time = |at: time::OffsetDateTime| at.format(&Rfc3339).unwrap_or_default();
        SignatureList {
            items: records
                .iter()
                .map(|record| SignatureDto {
                    id: record.id,
                    field: record.field.clone(),
                    document_timestamp: record.is_document_timestamp,
                    signer: record.signer_subject.clone(),
                    issuer: record.signer_issuer.clone(),
                    serial: record.signer_serial.clone(),
                    signing_time: record.signing_time.map(time),
                    timestamp_time: record.timestamp_time.map(time),
                    algorithm: record.algorithm.clone(),
                    level: record.level.clone(),
                    revocation: record.revocation.clone(),
                    conclusion: record.conclusion.clone(),
                    reasons: record.reasons.clone(),
                    checked_at: time(record.checked_at),
                    checked_by: record.checked_by.clone(),
                    origin: record.origin,
                })
                .collect(),
        }
    }
}

/// The latest logged check of each signature of a document.
#[utoipa::path(get, path = "/api/v1/documents/{id}/signatures", params(("id" = i64, Path, description = "document id")),
    responses((status = 200, body = SignatureList), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn signatures(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<SignatureList>, ApiError> {
    let id = parse_document_id(&id)?;
    let records = state.app.document_signatures(&user.actor, id).await?;
    Ok(Json(SignatureList::from_records(&records)))
}

/// Validates a stored document's signatures again, logs and audits the check, and returns it.
#[utoipa::path(post, path = "/api/v1/documents/{id}/signatures", params(("id" = i64, Path, description = "document id")),
    responses((status = 200, body = SignatureList), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn validate(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<SignatureList>, ApiError> {
    let id = parse_document_id(&id)?;
    let records = state
        .app
        .validate_document(&user.actor, id, &operation)
        .await?;
    Ok(Json(SignatureList::from_records(&records)))
}

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
pub(crate) fn percent_encode(name: &str) -> String {
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
