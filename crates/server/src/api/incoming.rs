//! Incoming documents: upload and register, and the register's list.

use app::{IncomingMetadata, IncomingUpload};
use axum::Json;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::http::StatusCode;
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::extract::{CurrentUser, Operation};
use crate::{ApiError, AppState};

/// An incoming document as listed in the register.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct IncomingDto {
    /// Document id.
    id: i64,
    /// The arrival number (số đến) within its register and year.
    arrival_number: i64,
    /// The register year.
    arrival_year: i32,
    /// Arrival time, RFC 3339.
    arrived_at: String,
    /// Lifecycle state code.
    state: &'static str,
    /// Lifecycle state in Vietnamese.
    state_label: &'static str,
    /// Number and symbol written on the document, e.g. `06/KH-UBND`.
    number_symbol: Option<String>,
    /// Document type code.
    type_code: Option<String>,
    /// Subject summary (trích yếu).
    subject: Option<String>,
    /// The issuing organisation.
    issuer_name: Option<String>,
    /// The date written on the document, `YYYY-MM-DD`.
    issued_date: Option<String>,
    /// Urgency code.
    urgency: &'static str,
    /// Secrecy code.
    secrecy: &'static str,
    /// SHA-256 of the file, hex.
    sha256: String,
    /// File name.
    file_name: String,
    /// File size in bytes.
    file_size: i64,
    /// Page count.
    page_count: i32,
    /// What the offline check at upload concluded about each signature (empty in the register's
    /// list; see `GET /api/v1/documents/{id}/signatures`).
    signatures: Vec<SignatureSummaryDto>,
}

/// One signature as checked at upload.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SignatureSummaryDto {
    /// The signature field.
    field: String,
    /// Whether it is a document timestamp rather than a signature.
    document_timestamp: bool,
    /// The signer's certificate subject.
    signer: Option<String>,
    /// `PASSED`, `INDETERMINATE` or `FAILED`.
    conclusion: String,
    /// Why it did not pass, e.g. `NO_CERTIFICATE_CHAIN_FOUND`.
    reasons: Vec<String>,
}

impl SignatureSummaryDto {
    fn from_summary(summary: &app::SignatureSummary) -> SignatureSummaryDto {
        SignatureSummaryDto {
            field: summary.field.clone(),
            document_timestamp: summary.is_document_timestamp,
            signer: summary.signer_subject.clone(),
            conclusion: summary.conclusion.clone(),
            reasons: summary.reasons.clone(),
        }
    }
}

impl IncomingDto {
    pub(crate) fn from_document(document: &app::IncomingDocument) -> IncomingDto {
        IncomingDto {
            id: document.id.get(),
            arrival_number: document.arrival_number,
            arrival_year: document.arrival_year,
            arrived_at: document.arrived_at.format(&Rfc3339).unwrap_or_default(),
            state: document.state.code(),
            state_label: document.state.label_vi(),
            number_symbol: document.number_symbol.clone(),
            type_code: document.type_code.clone(),
            subject: document.subject.clone(),
            issuer_name: document.issuer_name.clone(),
            issued_date: document.issued_date.map(|date| date.to_string()),
            urgency: document.urgency.code(),
            secrecy: document.secrecy.code(),
            sha256: document.sha256.clone(),
            file_name: document.file_name.clone(),
            file_size: document.file_size,
            page_count: document.page_count,
            signatures: document
                .signatures
                .iter()
                .map(SignatureSummaryDto::from_summary)
                .collect(),
        }
    }
}

/// The register's list.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct IncomingList {
    /// Newest arrival first.
    items: Vec<IncomingDto>,
}

/// The multipart form of an upload (for the OpenAPI document).
#[derive(Debug, ToSchema)]
#[expect(dead_code, reason = "describes the multipart form for OpenAPI only")]
pub(crate) struct UploadForm {
    /// The PDF file.
    #[schema(format = Binary, content_media_type = "application/pdf")]
    file: Vec<u8>,
    /// Number and symbol, e.g. `06/KH-UBND`.
    number_symbol: Option<String>,
    /// Document type code, e.g. `KH`.
    type_code: Option<String>,
    /// Subject summary.
    subject: Option<String>,
    /// Issuing organisation.
    issuer_name: Option<String>,
    /// Date on the document, `YYYY-MM-DD`.
    issued_date: Option<String>,
    /// `normal`, `urgent`, `very_urgent`, `flash`, `timed_flash`.
    urgency: Option<String>,
    /// `normal`, `confidential`, `secret`, `top_secret`.
    secrecy: Option<String>,
}

/// Lists the incoming register of the user's organisation.
#[utoipa::path(get, path = "/api/v1/incoming", responses((status = 200, body = IncomingList), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<IncomingList>, ApiError> {
    let documents = state.app.list_incoming(&user.actor).await?;
    Ok(Json(IncomingList {
        items: documents.iter().map(IncomingDto::from_document).collect(),
    }))
}

/// Uploads a PDF and registers it with the next arrival number.
#[utoipa::path(post, path = "/api/v1/incoming", request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = IncomingDto), (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn upload(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<IncomingDto>), ApiError> {
    let upload = read_upload(multipart, state.app.config().uploads.max_bytes).await?;
    let document = state
        .app
        .receive_incoming(&user.actor, upload, &operation)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(IncomingDto::from_document(&document)),
    ))
}

/// Reads the upload form; shared by the API and the page.
pub(crate) async fn read_upload(
    multipart: Result<Multipart, MultipartRejection>,
    max_bytes: u64,
) -> Result<IncomingUpload, ApiError> {
    let mut multipart = multipart.map_err(|rejection| ApiError::BadRequest {
        code: "request.malformed_multipart",
        message: rejection.body_text(),
    })?;
    let mut file = None;
    let mut metadata = IncomingMetadata::default();
    let mut unknown = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| multipart_error(&error, max_bytes))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("document.pdf").to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|error| multipart_error(&error, max_bytes))?;
            file = Some((file_name, bytes.to_vec()));
            continue;
        }
        let slot = match name.as_str() {
            "number_symbol" => &mut metadata.number_symbol,
            "type_code" => &mut metadata.type_code,
            "subject" => &mut metadata.subject,
            "issuer_name" => &mut metadata.issuer_name,
            "issued_date" => &mut metadata.issued_date,
            "urgency" => &mut metadata.urgency,
            "secrecy" => &mut metadata.secrecy,
            _ => {
                unknown.push(app::FieldIssue {
                    field: "form",
                    message: format!("unknown field {name:?}"),
                });
                continue;
            }
        };
        *slot = Some(
            field
                .text()
                .await
                .map_err(|error| multipart_error(&error, max_bytes))?,
        );
    }
    if !unknown.is_empty() {
        return Err(ApiError::App(app::Error::Validation { issues: unknown }));
    }
    let Some((file_name, bytes)) = file else {
        return Err(ApiError::App(app::Error::Validation {
            issues: vec![app::FieldIssue {
                field: "file",
                message: "a PDF file is required".to_owned(),
            }],
        }));
    };
    Ok(IncomingUpload {
        file_name,
        bytes,
        metadata,
    })
}

fn multipart_error(error: &MultipartError, max_bytes: u64) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::App(app::Error::TooLarge { limit: max_bytes });
    }
    ApiError::BadRequest {
        code: "request.malformed_multipart",
        message: error.body_text(),
    }
}
