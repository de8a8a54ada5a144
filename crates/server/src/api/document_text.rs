//! A document's texts: the text layer read at intake and its OCR derivative with the queue state
//! (`pending`, `running`, `done`, `failed`), so that a clerk can see whether a scan is searchable
//! yet.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::api::documents::parse_document_id;
use crate::extract::CurrentUser;
use crate::{ApiError, AppState};

/// The text layer as extracted at intake.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LayerDto {
    /// `pdftotext`, or `none` when no extractor ran.
    method: String,
    /// Whether the layer is missing or unusable, so that OCR provides the text.
    needs_ocr: bool,
    /// When it was extracted, RFC 3339.
    extracted_at: String,
    /// Its length in characters.
    chars: usize,
    /// The text (NFC).
    text: String,
}

/// The OCR derivative and where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OcrDto {
    /// `pending`, `running`, `done` or `failed`.
    status: &'static str,
    /// The engine, language and resolution.
    engine: String,
    /// Pages recognised.
    pages: i32,
    /// Runs started.
    attempts: i32,
    /// Why the last run failed.
    error: Option<String>,
    /// When OCR was requested, RFC 3339.
    requested_at: String,
    /// When the last run started.
    started_at: Option<String>,
    /// When the last run ended.
    finished_at: Option<String>,
    /// The text's length in characters.
    chars: usize,
    /// The recognised text (NFC; empty until done).
    text: String,
}

/// A document's texts.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DocumentTextsDto {
    /// The document.
    document_id: i64,
    /// The text layer (absent for a document registered before extraction, until backfilled).
    layer: Option<LayerDto>,
    /// The OCR derivative (absent when OCR was never needed).
    ocr: Option<OcrDto>,
}

/// A document's text layer and OCR derivative, with the OCR queue state.
#[utoipa::path(get, path = "/api/v1/documents/{id}/text", params(("id" = i64, Path, description = "document id")),
    responses((status = 200, body = DocumentTextsDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn texts(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<DocumentTextsDto>, ApiError> {
    let id = parse_document_id(&id)?;
    let texts = state.app.document_texts(&user.actor, id).await?;
    let time = |at: time::OffsetDateTime| at.format(&Rfc3339).unwrap_or_default();
    Ok(Json(DocumentTextsDto {
        document_id: texts.document_id.get(),
        layer: texts.layer.map(|layer| LayerDto {
            method: layer.method,
            needs_ocr: layer.needs_ocr,
            extracted_at: time(layer.extracted_at),
            chars: layer.text.chars().count(),
            text: layer.text,
        }),
        ocr: texts.ocr.map(|ocr| OcrDto {
            status: ocr.status,
            engine: ocr.engine,
            pages: ocr.pages,
            attempts: ocr.attempts,
            error: ocr.error,
            requested_at: time(ocr.requested_at),
            started_at: ocr.started_at.map(time),
            finished_at: ocr.finished_at.map(time),
            chars: ocr.text.chars().count(),
            text: ocr.text,
        }),
    }))
}
