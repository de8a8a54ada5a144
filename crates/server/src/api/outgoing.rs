//! Outgoing documents: draft upload, the workflow actions, the file, the review history and the
//! deliveries with their status codes per recipient.

use app::{OutgoingDraft, RecipientInput, ReviewKind};
use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::api::documents::{file_response, parse_document_id};
use crate::extract::{CurrentUser, Operation};
use crate::{ApiError, AppState};

/// An outgoing document.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OutgoingDto {
    /// Document id.
    id: i64,
    /// Lifecycle state code.
    state: &'static str,
    /// Lifecycle state in Vietnamese.
    state_label: &'static str,
    /// The version, raised by every change.
    version: i32,
    /// Document type code.
    type_code: Option<String>,
    /// Number and symbol once numbered, e.g. `01/KH-UBND`.
    number_symbol: Option<String>,
    /// The date written on it once numbered, `YYYY-MM-DD`.
    issued_date: Option<String>,
    /// Subject summary (trích yếu).
    subject: Option<String>,
    /// Urgency code.
    urgency: &'static str,
    /// Secrecy code.
    secrecy: &'static str,
    /// SHA-256 of the current file, hex.
    sha256: String,
    /// File name.
    file_name: String,
    /// File size in bytes.
    file_size: i64,
    /// Page count.
    page_count: i32,
    /// The drafter's user id.
    created_by: i64,
    /// The designated signer's user id.
    signer: i64,
    /// Number of copies.
    copies: i32,
    /// When drafted, RFC 3339.
    created_at: String,
    /// When issued, RFC 3339.
    issued_at: Option<String>,
    /// The replacing document.
    replaced_by: Option<i64>,
}

impl OutgoingDto {
    fn from_document(document: &app::OutgoingDocument) -> OutgoingDto {
        let time = |at: time::OffsetDateTime| at.format(&Rfc3339).unwrap_or_default();
        OutgoingDto {
            id: document.id.get(),
            state: document.state.code(),
            state_label: document.state.label_vi(),
            version: document.version,
            type_code: document.type_code.clone(),
            number_symbol: document.number_symbol.clone(),
            issued_date: document.issued_date.map(|date| date.to_string()),
            subject: document.subject.clone(),
            urgency: document.urgency.code(),
            secrecy: document.secrecy.code(),
            sha256: document.sha256.clone(),
            file_name: document.file_name.clone(),
            file_size: document.file_size,
            page_count: document.page_count,
            created_by: document.created_by.get(),
            signer: document.signer.get(),
            copies: document.copies,
            created_at: time(document.created_at),
            issued_at: document.issued_at.map(time),
            replaced_by: document.replaced_by.map(|id| id.get()),
        }
    }
}

/// The organisation's outgoing documents.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct OutgoingList {
    /// Newest first.
    items: Vec<OutgoingDto>,
}

/// One step of the review history.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReviewDto {
    /// `submit`, `content`, `format`, `approval`, `signature`, `number`, `seal`, `issue`, `recall`.
    step: String,
    /// The acting user's id.
    actor: i64,
    /// `submitted`, `approved`, `returned`, `rejected`, `signed`, …
    decision: String,
    /// The comment.
    comment: Option<String>,
    /// When, RFC 3339.
    at: String,
}

/// The review history.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ReviewList {
    /// Oldest first.
    items: Vec<ReviewDto>,
}

/// One status of a delivery.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct StatusDto {
    /// edXML status code (`01`…`16`).
    code: String,
    /// Its Vietnamese description.
    description: String,
    /// When, RFC 3339.
    at: String,
}

/// A delivery to one recipient.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeliveryDto {
    /// Delivery id.
    id: i64,
    /// The recipient organisation of this deployment.
    recipient_organization_id: Option<i64>,
    /// The recipient's name.
    recipient_name: String,
    /// The recipient's electronic id.
    recipient_e_id: Option<String>,
    /// `internal` or `edxml`.
    channel: &'static str,
    /// The latest status code.
    status_code: String,
    /// Its description.
    status_description: String,
    /// When, RFC 3339.
    status_at: String,
    /// Every status, oldest first.
    history: Vec<StatusDto>,
}

/// The deliveries of an issued document.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DeliveryList {
    /// One per recipient.
    items: Vec<DeliveryDto>,
}

impl DeliveryList {
    fn from_deliveries(deliveries: &[app::Delivery]) -> DeliveryList {
        let time = |at: time::OffsetDateTime| at.format(&Rfc3339).unwrap_or_default();
        DeliveryList {
            items: deliveries
                .iter()
                .map(|delivery| DeliveryDto {
                    id: delivery.id,
                    recipient_organization_id: delivery
                        .recipient_organization_id
                        .map(|id| id.get()),
                    recipient_name: delivery.recipient_name.clone(),
                    recipient_e_id: delivery.recipient_e_id.clone(),
                    channel: delivery.channel,
                    status_code: delivery.status_code.clone(),
                    status_description: delivery.status_description.clone(),
                    status_at: time(delivery.status_at),
                    history: delivery
                        .history
                        .iter()
                        .map(|(code, description, at)| StatusDto {
                            code: code.clone(),
                            description: description.clone(),
                            at: time(*at),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The optional body of a workflow action.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ActionBody {
    /// A comment; required to return, reject or recall.
    comment: Option<String>,
    /// For `review`: `content` or `format`.
    step: Option<String>,
    /// For `review`: approve (true, the default) or return (false).
    approve: Option<bool>,
    /// For `replace`: the replacing document's id.
    replacement: Option<i64>,
    /// For `prepare-signature`: the signer's certificate and its chain, PEM.
    certificate: Option<String>,
    /// For `finish-signature`: the raw signature over `data_to_sign`, hex.
    signature: Option<String>,
}

/// A two-phase signature waiting for the signer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PreparedSignatureDto {
    /// The DER signed attributes to sign, hex; the signer hashes them with SHA-256.
    data_to_sign: String,
    /// `ecdsa-with-SHA256` or `sha256WithRSAEncryption`.
    algorithm: &'static str,
}

/// The multipart form of a draft (for the OpenAPI document).
#[derive(Debug, ToSchema)]
#[expect(dead_code, reason = "describes the multipart form for OpenAPI only")]
pub(crate) struct DraftForm {
    /// The PDF draft, unsigned, without number or date.
    #[schema(format = Binary, content_media_type = "application/pdf")]
    file: Vec<u8>,
    /// Document type code, e.g. `KH`.
    type_code: String,
    /// Subject summary.
    subject: String,
    /// The designated signer's username.
    signer: String,
    /// A recipient, repeated: an organisation of this deployment by id or electronic id, or
    /// `name|electronic id` for an external one.
    recipient: Vec<String>,
    /// `normal`, `urgent`, …
    urgency: Option<String>,
    /// `normal`, `confidential`, …
    secrecy: Option<String>,
    /// Number of copies.
    copies: Option<u32>,
}

/// Lists the organisation's outgoing documents.
#[utoipa::path(get, path = "/api/v1/outgoing", responses((status = 200, body = OutgoingList), (status = 403, body = crate::error::Problem)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<OutgoingList>, ApiError> {
    let documents = state.app.list_outgoing(&user.actor).await?;
    Ok(Json(OutgoingList {
        items: documents.iter().map(OutgoingDto::from_document).collect(),
    }))
}

/// Uploads a draft.
#[utoipa::path(post, path = "/api/v1/outgoing", request_body(content = DraftForm, content_type = "multipart/form-data"),
    responses((status = 201, body = OutgoingDto), (status = 403, body = crate::error::Problem), (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<OutgoingDto>), ApiError> {
    let draft = read_draft(multipart, state.app.config().uploads.max_bytes).await?;
    let document = state
        .app
        .create_outgoing(&user.actor, draft, &operation)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(OutgoingDto::from_document(&document)),
    ))
}

/// One outgoing document.
#[utoipa::path(get, path = "/api/v1/outgoing/{id}", params(("id" = i64, Path, description = "document id")),
    responses((status = 200, body = OutgoingDto), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<OutgoingDto>, ApiError> {
    let id = parse_document_id(&id)?;
    let document = state.app.outgoing(&user.actor, id).await?;
    Ok(Json(OutgoingDto::from_document(&document)))
}

/// The review history.
#[utoipa::path(get, path = "/api/v1/outgoing/{id}/history", params(("id" = i64, Path, description = "document id")),
    responses((status = 200, body = ReviewList), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<ReviewList>, ApiError> {
    let id = parse_document_id(&id)?;
    let entries = state.app.outgoing_history(&user.actor, id).await?;
    let time = |at: time::OffsetDateTime| at.format(&Rfc3339).unwrap_or_default();
    Ok(Json(ReviewList {
        items: entries
            .into_iter()
            .map(|entry| ReviewDto {
                step: entry.step,
                actor: entry.actor.get(),
                decision: entry.decision,
                comment: entry.comment,
                at: time(entry.at),
            })
            .collect(),
    }))
}

/// The deliveries with their status codes, per recipient.
#[utoipa::path(get, path = "/api/v1/outgoing/{id}/deliveries", params(("id" = i64, Path, description = "document id")),
    responses((status = 200, body = DeliveryList), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<DeliveryList>, ApiError> {
    let id = parse_document_id(&id)?;
    let deliveries = state.app.outgoing_deliveries(&user.actor, id).await?;
    Ok(Json(DeliveryList::from_deliveries(&deliveries)))
}

/// Downloads the current file.
#[utoipa::path(get, path = "/api/v1/outgoing/{id}/file", params(("id" = i64, Path, description = "document id")),
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
        .download_outgoing(&user.actor, id, &operation)
        .await?;
    Ok(file_response(file))
}

/// A workflow action: `submit`, `review`, `approve`, `reject`, `sign`, `prepare-signature`,
/// `finish-signature` (two-phase signing), `number`, `seal`, `issue`, `recall` or `replace`.
/// `issue` answers with the deliveries, `prepare-signature` with the bytes to sign, the others
/// with the document.
#[utoipa::path(post, path = "/api/v1/outgoing/{id}/{action}", request_body = ActionBody,
    params(("id" = i64, Path, description = "document id"), ("action" = String, Path, description = "the action")),
    responses((status = 200, body = OutgoingDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn act(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    use axum::response::IntoResponse as _;
    let id = parse_document_id(&id)?;
    let body: ActionBody = if body.iter().all(u8::is_ascii_whitespace) {
        ActionBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|error| ApiError::BadRequest {
            code: "request.malformed_json",
            message: error.to_string(),
        })?
    };
    let app = &state.app;
    let actor = &user.actor;
    let document = match action.as_str() {
        "submit" => app.submit_outgoing(actor, id, &operation).await?,
        "review" => {
            let kind = ReviewKind::parse(body.step.as_deref().unwrap_or_default())?;
            app.review_outgoing(
                actor,
                id,
                kind,
                body.approve.unwrap_or(true),
                body.comment,
                &operation,
            )
            .await?
        }
        "approve" => {
            app.approve_outgoing(actor, id, body.comment, &operation)
                .await?
        }
        "reject" => {
            app.reject_outgoing(actor, id, body.comment, &operation)
                .await?
        }
        "sign" => app.sign_outgoing(actor, id, &operation).await?,
        "prepare-signature" => {
            let certificate = body.certificate.unwrap_or_default();
            let prepared = app
                .prepare_remote_signature(actor, id, certificate.as_bytes(), &operation)
                .await?;
            let data_to_sign = prepared
                .data_to_sign
                .iter()
                .map(|byte| format!("{byte:02x}"))
                .collect();
            return Ok(Json(PreparedSignatureDto {
                data_to_sign,
                algorithm: prepared.algorithm,
            })
            .into_response());
        }
        "finish-signature" => {
            let signature =
                from_hex(body.signature.as_deref().unwrap_or_default()).ok_or_else(|| {
                    ApiError::App(app::Error::Validation {
                        issues: vec![app::FieldIssue {
                            field: "signature",
                            message: "the signature must be hex".to_owned(),
                        }],
                    })
                })?;
            app.finish_remote_signature(actor, id, &signature, &operation)
                .await?
        }
        "number" => app.number_outgoing(actor, id, &operation).await?,
        "seal" => app.seal_outgoing(actor, id, &operation).await?,
        "issue" => {
            let deliveries = app.issue_outgoing(actor, id, &operation).await?;
            return Ok(Json(DeliveryList::from_deliveries(&deliveries)).into_response());
        }
        "recall" => {
            app.recall_outgoing(actor, id, body.comment, &operation)
                .await?
        }
        "replace" => {
            let replacement = body.replacement.ok_or_else(|| {
                ApiError::App(app::Error::Validation {
                    issues: vec![app::FieldIssue {
                        field: "replacement",
                        message: "the replacing document's id is required".to_owned(),
                    }],
                })
            })?;
            app.replace_outgoing(actor, id, domain::ids::DocumentId(replacement), &operation)
                .await?
        }
        _ => return Err(ApiError::NoRoute),
    };
    Ok(Json(OutgoingDto::from_document(&document)).into_response())
}

/// Decodes hex (either case); `None` for anything else.
fn from_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|index| {
            text.get(index..index + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect()
}

/// Reads the draft form.
async fn read_draft(
    multipart: Result<Multipart, MultipartRejection>,
    max_bytes: u64,
) -> Result<OutgoingDraft, ApiError> {
    let mut multipart = multipart.map_err(|rejection| ApiError::BadRequest {
        code: "request.malformed_multipart",
        message: rejection.body_text(),
    })?;
    let mut draft = OutgoingDraft::default();
    let mut has_file = false;
    let mut issues = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|error| multipart_error(&error, max_bytes))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            draft.file_name = field.file_name().unwrap_or("du-thao.pdf").to_owned();
            draft.bytes = field
                .bytes()
                .await
                .map_err(|error| multipart_error(&error, max_bytes))?
                .to_vec();
            has_file = true;
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|error| multipart_error(&error, max_bytes))?;
        match name.as_str() {
            "type_code" => draft.type_code = text,
            "subject" => draft.subject = text,
            "signer" => draft.signer = text,
            "urgency" => draft.urgency = Some(text),
            "secrecy" => draft.secrecy = Some(text),
            "copies" => match text.trim().parse() {
                Ok(copies) => draft.copies = Some(copies),
                Err(_) => issues.push(app::FieldIssue {
                    field: "copies",
                    message: format!("{text:?} is not a number"),
                }),
            },
            "recipient" => draft.recipients.push(parse_recipient(&text)),
            _ => issues.push(app::FieldIssue {
                field: "form",
                message: format!("unknown field {name:?}"),
            }),
        }
    }
    if !has_file {
        issues.push(app::FieldIssue {
            field: "file",
            message: "a PDF file is required".to_owned(),
        });
    }
    if !issues.is_empty() {
        return Err(ApiError::App(app::Error::Validation { issues }));
    }
    Ok(draft)
}

/// `ID` or `E-ID` names an organisation of this deployment; `NAME|E-ID` or `NAME` an external one.
pub(crate) fn parse_recipient(text: &str) -> RecipientInput {
    let text = text.trim();
    if let Some((name, electronic_id)) = text.split_once('|') {
        return RecipientInput {
            organization: None,
            name: Some(name.trim().to_owned()),
            electronic_id: Some(electronic_id.trim().to_owned()),
        };
    }
    let is_reference =
        text.parse::<i64>().is_ok() || domain::organization::ElectronicId::parse(text).is_ok();
    if is_reference {
        RecipientInput {
            organization: Some(text.to_owned()),
            ..RecipientInput::default()
        }
    } else {
        RecipientInput {
            name: Some(text.to_owned()),
            ..RecipientInput::default()
        }
    }
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

/// Exports an issued document as an edXML package (QCVN 102:2016).
#[utoipa::path(get, path = "/api/v1/outgoing/{id}/edxml", params(("id" = i64, Path, description = "document id")),
    responses((status = 200, content_type = "application/xml", description = "the edXML package"), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub(crate) async fn export_edxml(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_document_id(&id)?;
    let xml = state.app.export_edxml(&user.actor, id, &operation).await?;
    Ok(xml_response(xml))
}

/// Imports an edXML package addressed to the user's organisation as an incoming document.
#[utoipa::path(post, path = "/api/v1/edxml", request_body(content = String, content_type = "application/xml"),
    responses((status = 201, body = crate::api::incoming::IncomingDto), (status = 403, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn import_edxml(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    body: Bytes,
) -> Result<(StatusCode, Json<crate::api::incoming::IncomingDto>), ApiError> {
    let document = state
        .app
        .import_edxml(&user.actor, body.to_vec(), &operation)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(crate::api::incoming::IncomingDto::from_document(&document)),
    ))
}

/// Imports an edXML status message about one of the organisation's issued documents.
#[utoipa::path(post, path = "/api/v1/edxml/status", request_body(content = String, content_type = "application/xml"),
    responses((status = 200, body = DeliveryList), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub(crate) async fn import_edxml_status(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    body: Bytes,
) -> Result<Json<DeliveryList>, ApiError> {
    let deliveries = state
        .app
        .import_edxml_status(&user.actor, body.to_vec(), &operation)
        .await?;
    Ok(Json(DeliveryList::from_deliveries(&deliveries)))
}

fn xml_response(xml: Vec<u8>) -> Response {
    use axum::http::{HeaderValue, header};
    let mut response = Response::new(axum::body::Body::from(xml));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml; charset=utf-8"),
    );
    response
}
