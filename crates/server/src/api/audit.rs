//! The audit trail for auditors: the chain check and the exports.

use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::documents::percent_encode;
use crate::extract::{CurrentUser, Operation};
use crate::{ApiError, AppState};

/// The outcome of checking the chain.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AuditVerification {
    /// Whether every event is intact and every checkpoint holds.
    intact: bool,
    /// Events checked.
    events: u64,
    /// The hash of the last event, hex.
    head: String,
    /// The first break, if any.
    broken: Option<String>,
    /// Signed checkpoints verified.
    checkpoints: u64,
    /// The event of the newest verified checkpoint.
    last_checkpoint: Option<i64>,
}

/// Verifies the whole audit chain and its signed checkpoints.
#[utoipa::path(get, path = "/api/v1/audit/verify", responses((status = 200, body = AuditVerification), (status = 403, body = crate::error::Problem)))]
pub(crate) async fn verify(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<AuditVerification>, ApiError> {
    let report = state.app.verify_audit(&user.actor).await?;
    Ok(Json(AuditVerification {
        intact: report.is_intact(),
        events: report.events,
        head: report.head.to_hex(),
        broken: report.broken,
        checkpoints: report.checkpoints,
        last_checkpoint: report.last_checkpoint,
    }))
}

/// What to export.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ExportQuery {
    /// `csv`, `json` or `xlsx` (XLSX holds both tables, on two sheets).
    format: String,
    /// For CSV and JSON: `signatures` (the default) or `events`.
    what: Option<String>,
    /// The first day included, `YYYY-MM-DD` (Vietnam time).
    from: Option<String>,
    /// The last day included, `YYYY-MM-DD` (Vietnam time).
    to: Option<String>,
    /// Only signature-log rows whose signer subject or serial contains this text.
    signer: Option<String>,
}

/// Exports the signature log or the audit trail; the file's SHA-256 is in `x-content-sha256`.
#[utoipa::path(get, path = "/api/v1/audit/export", params(ExportQuery),
    responses(
        (status = 200, description = "the file (text/csv, application/json or an XLSX workbook)",
            headers(("x-content-sha256" = String, description = "SHA-256 of the body, hex"))),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn export(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|rejection| ApiError::BadRequest {
        code: "request.malformed_query",
        message: rejection.body_text(),
    })?;
    let format = app::ExportFormat::parse(&query.format)?;
    let filter = app::AuditExportFilter::parse(
        query.what.as_deref(),
        query.from.as_deref(),
        query.to.as_deref(),
        query.signer.as_deref(),
    )?;
    let export = state
        .app
        .export_audit(&user.actor, filter, format, &operation)
        .await?;
    Ok(export_response(export))
}

/// The export as an attachment, its SHA-256 in a header.
pub(crate) fn export_response(export: app::Export) -> Response {
    let disposition = format!(
        "attachment; filename=\"{name}\"; filename*=UTF-8''{name}",
        name = percent_encode(&export.file_name)
    );
    let mut response = Response::new(Body::from(export.bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(export.content_type),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    if let Ok(value) = HeaderValue::from_str(&export.sha256) {
        headers.insert("x-content-sha256", value);
    }
    response
}
