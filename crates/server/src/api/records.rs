//! Work files (hồ sơ), the yearly file plan, hand-over to the archive and archive packages.
//!
//! Files are addressed by their file code (`000.21.23.H02.2026.01.TCCB`). Request bodies are the
//! `app` input types (`FilePlanInput`, `OpenWorkFile`: unknown fields refused); answers are the
//! DTOs below. A package is exported as `application/zip` with its SHA-256 and OBJID in headers,
//! and imported from a raw `application/zip` body.

use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::api::documents::{parse_document_id, percent_encode};
use crate::extract::{ApiJson, CurrentUser, Operation};
use crate::{ApiError, AppState};

/// A work file.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WorkFileDto {
    /// The file code (mã hồ sơ): electronic id, year and notation.
    file_code: String,
    /// The year the file was formed.
    year: i32,
    /// The file number and symbol, e.g. `01.TCCB`.
    notation: String,
    /// The title.
    title: String,
    /// `permanent` or a number of years.
    retention: String,
    /// The retention in Vietnamese.
    retention_label: String,
    /// The access regime.
    rights: String,
    /// Who makes the file.
    creator: String,
    /// The language.
    language: String,
    /// The highest secrecy of its documents.
    secrecy: &'static str,
    /// `open`, `closed` or `handed_over`.
    state: &'static str,
    /// The state in Vietnamese.
    state_label: &'static str,
    /// The plan item it was opened from.
    plan_item_id: Option<i64>,
    /// `YYYY-MM-DD`.
    start_date: String,
    /// `YYYY-MM-DD`, once closed.
    end_date: Option<String>,
    /// `YYYY-MM-DD`: when it must be handed over to the archive.
    hand_over_due: Option<String>,
    /// Documents.
    doc_total: i32,
    /// Pages.
    page_total: i32,
    /// When it was handed over, RFC 3339.
    handed_over_at: Option<String>,
}

/// A document of a work file.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FileDocumentDto {
    /// The document id.
    document_id: i64,
    /// Its ordinal in the file.
    ordinal: i32,
    /// Number and symbol.
    number_symbol: Option<String>,
    /// Type code.
    type_code: Option<String>,
    /// Subject.
    subject: Option<String>,
    /// Pages.
    page_count: i32,
    /// File name.
    file_name: String,
    /// SHA-256 of the file.
    sha256: String,
}

/// A work file with its documents.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WorkFileViewDto {
    /// The file.
    file: WorkFileDto,
    /// Its documents, by ordinal.
    documents: Vec<FileDocumentDto>,
}

/// A list of work files.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct WorkFileList {
    /// By file code.
    items: Vec<WorkFileDto>,
}

/// A file due for hand-over.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DueFileDto {
    /// The file.
    file: WorkFileDto,
    /// `YYYY-MM-DD`.
    due: String,
    /// `due_soon` (within 30 days) or `overdue`.
    status: &'static str,
    /// The status in Vietnamese.
    status_label: &'static str,
}

/// Files due for hand-over soon or overdue.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DueFileList {
    /// Soonest first.
    items: Vec<DueFileDto>,
}

/// A planned file.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanItemDto {
    /// Its id, to open a file from it.
    id: i64,
    /// `01.TCCB`.
    notation: String,
    /// The title.
    title: String,
    /// `permanent` or years.
    retention: String,
    /// Who makes the file.
    creator: String,
    /// A note.
    note: Option<String>,
}

/// A heading of the plan.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PlanHeadingDto {
    /// Roman (main) or Arabic (sub-heading) numeral.
    numeral: String,
    /// The title.
    title: String,
    /// The abbreviation (main headings).
    abbreviation: String,
    /// Files under it.
    items: Vec<PlanItemDto>,
    /// Sub-headings.
    #[schema(no_recursion)]
    sub_headings: Vec<PlanHeadingDto>,
}

/// The yearly file plan.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FilePlanDto {
    /// Its id.
    id: i64,
    /// The year.
    year: i32,
    /// The title.
    title: String,
    /// Main headings.
    headings: Vec<PlanHeadingDto>,
}

/// The document to link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LinkRequest {
    /// The document id.
    document_id: i64,
}

/// The list filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// `open`, `closed` or `handed_over`.
    state: Option<String>,
}

/// Creates the yearly file plan (body: `{"year": 2026, "headings": [...]}`).
#[utoipa::path(post, path = "/api/v1/file-plans",
    responses((status = 201, body = FilePlanDto), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn create_plan(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    ApiJson(input): ApiJson<app::FilePlanInput>,
) -> Result<(StatusCode, Json<FilePlanDto>), ApiError> {
    let plan = state
        .app
        .create_file_plan(&user.actor, input, &operation)
        .await?;
    Ok((StatusCode::CREATED, Json(plan_dto(plan))))
}

/// The file plan of a year.
#[utoipa::path(get, path = "/api/v1/file-plans/{year}", params(("year" = i32, Path, description = "the year")),
    responses((status = 200, body = FilePlanDto), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn plan(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(year): Path<String>,
) -> Result<Json<FilePlanDto>, ApiError> {
    let year = year
        .parse::<i32>()
        .map_err(|_| ApiError::App(app::Error::NotFound { what: "file plan" }))?;
    let plan = state.app.file_plan(&user.actor, year).await?;
    Ok(Json(plan_dto(plan)))
}

/// Opens a work file (body: `{"plan_item_id": 1}` or title, notation, retention and creator).
#[utoipa::path(post, path = "/api/v1/files",
    responses((status = 201, body = WorkFileViewDto), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn open(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    ApiJson(input): ApiJson<app::OpenWorkFile>,
) -> Result<(StatusCode, Json<WorkFileViewDto>), ApiError> {
    let view = state
        .app
        .open_work_file(&user.actor, input, &operation)
        .await?;
    Ok((StatusCode::CREATED, Json(view_dto(view))))
}

/// The organisation's work files, optionally in one state.
#[utoipa::path(get, path = "/api/v1/files", params(ListParams),
    responses((status = 200, body = WorkFileList), (status = 403, body = crate::error::Problem)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<WorkFileList>, ApiError> {
    let params = crate::api::search::params(params)?;
    let filter = params
        .state
        .as_deref()
        .map(domain::records::WorkFileState::parse)
        .transpose()
        .map_err(|error| ApiError::BadRequest {
            code: "request.invalid_query",
            message: error.to_string(),
        })?;
    let files = state.app.list_work_files(&user.actor, filter).await?;
    Ok(Json(WorkFileList {
        items: files.iter().map(file_dto).collect(),
    }))
}

/// Closed files due for hand-over within 30 days, or overdue.
#[utoipa::path(get, path = "/api/v1/files/due",
    responses((status = 200, body = DueFileList), (status = 403, body = crate::error::Problem)))]
pub(crate) async fn due(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<DueFileList>, ApiError> {
    let files = state.app.files_due_for_hand_over(&user.actor).await?;
    Ok(Json(DueFileList {
        items: files
            .iter()
            .map(|due| DueFileDto {
                file: file_dto(&due.file),
                due: due.due.to_string(),
                status: due.status.code(),
                status_label: due.status.label_vi(),
            })
            .collect(),
    }))
}

/// One work file with its documents.
#[utoipa::path(get, path = "/api/v1/files/{code}", params(("code" = String, Path, description = "file code")),
    responses((status = 200, body = WorkFileViewDto), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<WorkFileViewDto>, ApiError> {
    let view = state.app.work_file(&user.actor, &code).await?;
    Ok(Json(view_dto(view)))
}

/// Links a document to an open file.
#[utoipa::path(post, path = "/api/v1/files/{code}/documents", params(("code" = String, Path, description = "file code")), request_body = LinkRequest,
    responses((status = 200, body = WorkFileViewDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub(crate) async fn link(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(code): Path<String>,
    ApiJson(request): ApiJson<LinkRequest>,
) -> Result<Json<WorkFileViewDto>, ApiError> {
    let document = domain::ids::DocumentId(request.document_id);
    let view = state
        .app
        .link_document(&user.actor, &code, document, &operation)
        .await?;
    Ok(Json(view_dto(view)))
}

/// Unlinks a document from an open file.
#[utoipa::path(delete, path = "/api/v1/files/{code}/documents/{id}", params(("code" = String, Path, description = "file code"), ("id" = i64, Path, description = "document id")),
    responses((status = 200, body = WorkFileViewDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub(crate) async fn unlink(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path((code, id)): Path<(String, String)>,
) -> Result<Json<WorkFileViewDto>, ApiError> {
    let document = parse_document_id(&id)?;
    let view = state
        .app
        .unlink_document(&user.actor, &code, document, &operation)
        .await?;
    Ok(Json(view_dto(view)))
}

/// Closes an open file.
#[utoipa::path(post, path = "/api/v1/files/{code}/close", params(("code" = String, Path, description = "file code")),
    responses((status = 200, body = WorkFileViewDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub(crate) async fn close(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<WorkFileViewDto>, ApiError> {
    let view = state
        .app
        .close_work_file(&user.actor, &code, &operation)
        .await?;
    Ok(Json(view_dto(view)))
}

/// Receives a closed file into the archive (archivist).
#[utoipa::path(post, path = "/api/v1/files/{code}/hand-over", params(("code" = String, Path, description = "file code")),
    responses((status = 200, body = WorkFileViewDto), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub(crate) async fn hand_over(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Json<WorkFileViewDto>, ApiError> {
    let view = state
        .app
        .hand_over_work_file(&user.actor, &code, &operation)
        .await?;
    Ok(Json(view_dto(view)))
}

/// Exports a closed file as an archive package (zip).
#[utoipa::path(get, path = "/api/v1/files/{code}/package", params(("code" = String, Path, description = "file code")),
    responses((status = 200, content_type = "application/zip", description = "the package"), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub(crate) async fn export(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(code): Path<String>,
) -> Result<Response, ApiError> {
    let package = state
        .app
        .export_work_file(&user.actor, &code, &operation)
        .await?;
    let disposition = format!(
        "attachment; filename=\"package.zip\"; filename*=UTF-8''{}",
        percent_encode(&package.file_name)
    );
    let mut response = Response::new(Body::from(package.bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    for (name, value) in [
        ("content-disposition", disposition.as_str()),
        ("x-content-sha256", package.sha256.as_str()),
        ("x-package-objid", package.objid.as_str()),
    ] {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}

/// Imports an archive package (raw zip body); refused naming the file when any file does not
/// match its SHA-256 in PREMIS and METS.
#[utoipa::path(post, path = "/api/v1/archive/packages", request_body(content = Vec<u8>, content_type = "application/zip"),
    responses((status = 201, body = WorkFileViewDto), (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn import(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    body: Bytes,
) -> Result<(StatusCode, Json<WorkFileViewDto>), ApiError> {
    let view = state
        .app
        .import_package(&user.actor, body.to_vec(), &operation)
        .await?;
    Ok((StatusCode::CREATED, Json(view_dto(view))))
}

fn file_dto(file: &app::WorkFile) -> WorkFileDto {
    WorkFileDto {
        file_code: file.file_code.clone(),
        year: file.year,
        notation: file.notation.clone(),
        title: file.title.clone(),
        retention: file.retention.code(),
        retention_label: file.retention.label_vi(),
        rights: file.rights.clone(),
        creator: file.creator.clone(),
        language: file.language.clone(),
        secrecy: file.secrecy.code(),
        state: file.state.code(),
        state_label: file.state.label_vi(),
        plan_item_id: file.plan_item_id,
        start_date: file.start_date.to_string(),
        end_date: file.end_date.map(|date| date.to_string()),
        hand_over_due: file.hand_over_due.map(|date| date.to_string()),
        doc_total: file.doc_total,
        page_total: file.page_total,
        handed_over_at: file
            .handed_over_at
            .map(|at| at.format(&Rfc3339).unwrap_or_default()),
    }
}

fn view_dto(view: app::WorkFileView) -> WorkFileViewDto {
    WorkFileViewDto {
        file: file_dto(&view.file),
        documents: view
            .documents
            .into_iter()
            .map(|document| FileDocumentDto {
                document_id: document.document_id.get(),
                ordinal: document.ordinal,
                number_symbol: document.number_symbol,
                type_code: document.type_code,
                subject: document.subject,
                page_count: document.page_count,
                file_name: document.file_name,
                sha256: document.sha256,
            })
            .collect(),
    }
}

fn plan_dto(plan: app::FilePlanView) -> FilePlanDto {
    fn heading(view: app::PlanHeadingView) -> PlanHeadingDto {
        PlanHeadingDto {
            numeral: view.numeral,
            title: view.title,
            abbreviation: view.abbreviation,
            items: view
                .items
                .into_iter()
                .map(|item| PlanItemDto {
                    id: item.id,
                    notation: item.notation,
                    title: item.title,
                    retention: item.retention.code(),
                    creator: item.creator,
                    note: item.note,
                })
                .collect(),
            sub_headings: view.sub_headings.into_iter().map(heading).collect(),
        }
    }
    FilePlanDto {
        id: plan.id,
        year: plan.year,
        title: plan.title,
        headings: plan.headings.into_iter().map(heading).collect(),
    }
}
