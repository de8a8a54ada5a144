//! Handling incoming documents after registration: present, return, assign, reassign, progress,
//! complete; the document's handling and history; the tracking list with filters; a handler's
//! tasks; and the printable registers and routing slip.

use app::{
    AssignInput, AssigneeInput, AssignmentView, CompleteInput, Handling, HistoryEntry,
    IncomingFilter, TrackedIncoming,
};
use axum::Json;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

use crate::api::documents::parse_document_id;
use crate::extract::{ApiJson, CurrentUser, Operation};
use crate::{ApiError, AppState};

/// Presenting a document to a leader.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PresentBody {
    /// The leader's username.
    leader: String,
    /// A note for the leader.
    note: Option<String>,
    /// The document version the clerk saw.
    version: Option<i32>,
}

/// Returning a document to its sender.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReturnBody {
    /// Why (required).
    reason: String,
    /// The document version the clerk saw.
    version: Option<i32>,
}

/// One handler.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssigneeBody {
    /// The handler's username.
    username: String,
    /// The deadline, `YYYY-MM-DD`.
    deadline: Option<String>,
    /// Or the deadline in working days from today (weekends and public holidays skipped).
    working_days: Option<u32>,
    /// The direction for this handler.
    note: Option<String>,
}

/// An assignment or reassignment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AssignBody {
    /// `agency` (default) or `unit`.
    level: Option<String>,
    /// The lead handler (chủ trì).
    lead: AssigneeBody,
    /// Co-operating handlers (phối hợp).
    #[serde(default)]
    cooperating: Vec<AssigneeBody>,
    /// People kept informed (để biết).
    #[serde(default)]
    information: Vec<AssigneeBody>,
    /// The document version the leader saw.
    version: Option<i32>,
}

/// A progress note.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProgressBody {
    /// The note.
    note: String,
}

/// Closing a document as handled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CompleteBody {
    /// The closing note.
    note: Option<String>,
    /// The reply document's id in this system.
    reply_document_id: Option<i64>,
    /// The reply's number and symbol.
    reply_number_symbol: Option<String>,
    /// The document version the handler saw.
    version: Option<i32>,
}

/// One assignment.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AssignmentDto {
    id: i64,
    /// `agency` or `unit`.
    level: &'static str,
    /// `lead`, `cooperate` or `information`.
    role: &'static str,
    /// Chủ trì, Phối hợp, Để biết.
    role_label: &'static str,
    assignee_id: i64,
    assignee_name: String,
    directive_note: Option<String>,
    /// `YYYY-MM-DD`.
    deadline: Option<String>,
    assigned_by: String,
    assigned_at: String,
    completed_at: Option<String>,
    revoked_at: Option<String>,
    active: bool,
    overdue: bool,
}

/// One progress note.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct NoteDto {
    author: String,
    note: String,
    at: String,
}

/// The handling of a document.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HandlingDto {
    id: i64,
    state: &'static str,
    state_label: &'static str,
    /// Send it back with the next change.
    version: i32,
    deadline: Option<String>,
    overdue: bool,
    presented_to: Option<String>,
    presented_at: Option<String>,
    return_reason: Option<String>,
    closed_at: Option<String>,
    reply_number_symbol: Option<String>,
    assignments: Vec<AssignmentDto>,
    notes: Vec<NoteDto>,
}

/// A document in the tracking list.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TrackedDto {
    id: i64,
    state: &'static str,
    state_label: &'static str,
    version: i32,
    arrival_number: i64,
    register: &'static str,
    year: i32,
    arrived_at: String,
    number_symbol: Option<String>,
    type_code: Option<String>,
    issuer_name: Option<String>,
    issued_date: Option<String>,
    subject: Option<String>,
    urgency: &'static str,
    secrecy: &'static str,
    deadline: Option<String>,
    overdue: bool,
    reply_number_symbol: Option<String>,
}

/// The tracking list.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TrackedList {
    items: Vec<TrackedDto>,
}

/// A handler's task.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TaskDto {
    assignment: AssignmentDto,
    document: TrackedDto,
}

/// A handler's open tasks.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TaskList {
    items: Vec<TaskDto>,
}

/// One history event.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HistoryDto {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    label: &'static str,
    #[schema(value_type = Object)]
    details: serde_json::Value,
}

/// A document's history.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HistoryList {
    items: Vec<HistoryDto>,
}

/// The filters of the tracking list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct TrackingQuery {
    /// A state code.
    state: Option<String>,
    /// A handler's username.
    assignee: Option<String>,
    /// Only overdue (`true`) or not overdue (`false`).
    overdue: Option<bool>,
    /// Deadlines strictly before, `YYYY-MM-DD`.
    deadline_before: Option<String>,
    /// `incoming` or `secret_incoming`.
    register: Option<String>,
    /// Register year.
    year: Option<i32>,
    /// Page size (default 100, at most 500).
    limit: Option<u64>,
    /// Rows to skip.
    offset: Option<u64>,
}

fn time_text(at: time::OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

fn assignee_input(body: AssigneeBody) -> AssigneeInput {
    AssigneeInput {
        username: body.username,
        deadline: body.deadline,
        working_days: body.working_days,
        note: body.note,
    }
}

impl AssignBody {
    fn into_input(self) -> AssignInput {
        AssignInput {
            level: self.level,
            lead: assignee_input(self.lead),
            cooperating: self.cooperating.into_iter().map(assignee_input).collect(),
            information: self.information.into_iter().map(assignee_input).collect(),
            expected_version: self.version,
        }
    }
}

impl AssignmentDto {
    fn from_view(view: &AssignmentView) -> AssignmentDto {
        AssignmentDto {
            id: view.id,
            level: view.level.code(),
            role: view.role.code(),
            role_label: view.role.label_vi(),
            assignee_id: view.assignee_id.get(),
            assignee_name: view.assignee_name.clone(),
            directive_note: view.directive_note.clone(),
            deadline: view.deadline.map(|date| date.to_string()),
            assigned_by: view.assigned_by_name.clone(),
            assigned_at: time_text(view.assigned_at),
            completed_at: view.completed_at.map(time_text),
            revoked_at: view.revoked_at.map(time_text),
            active: view.active,
            overdue: view.overdue,
        }
    }
}

impl HandlingDto {
    pub(crate) fn from_handling(handling: &Handling) -> HandlingDto {
        HandlingDto {
            id: handling.id.get(),
            state: handling.state.code(),
            state_label: handling.state.label_vi(),
            version: handling.version,
            deadline: handling.deadline.map(|date| date.to_string()),
            overdue: handling.overdue,
            presented_to: handling.presented_to_name.clone(),
            presented_at: handling.presented_at.map(time_text),
            return_reason: handling.return_reason.clone(),
            closed_at: handling.closed_at.map(time_text),
            reply_number_symbol: handling.reply_number_symbol.clone(),
            assignments: handling
                .assignments
                .iter()
                .map(AssignmentDto::from_view)
                .collect(),
            notes: handling
                .notes
                .iter()
                .map(|note| NoteDto {
                    author: note.author_name.clone(),
                    note: note.note.clone(),
                    at: time_text(note.at),
                })
                .collect(),
        }
    }
}

impl TrackedDto {
    fn from_tracked(document: &TrackedIncoming) -> TrackedDto {
        TrackedDto {
            id: document.id.get(),
            state: document.state.code(),
            state_label: document.state.label_vi(),
            version: document.version,
            arrival_number: document.arrival_number,
            register: document.register.code(),
            year: document.year,
            arrived_at: time_text(document.arrived_at),
            number_symbol: document.number_symbol.clone(),
            type_code: document.type_code.clone(),
            issuer_name: document.issuer_name.clone(),
            issued_date: document.issued_date.map(|date| date.to_string()),
            subject: document.subject.clone(),
            urgency: document.urgency.code(),
            secrecy: document.secrecy.code(),
            deadline: document.deadline.map(|date| date.to_string()),
            overdue: document.overdue,
            reply_number_symbol: document.reply_number_symbol.clone(),
        }
    }
}

fn history_dto(entry: &HistoryEntry) -> HistoryDto {
    HistoryDto {
        seq: entry.seq,
        at: time_text(entry.at),
        actor: entry.actor.clone(),
        action: entry.action.clone(),
        label: entry.label,
        details: entry.details.clone(),
    }
}

/// Presents a registered document to a leader (clerk).
#[utoipa::path(post, path = "/api/v1/incoming/{id}/present", params(("id" = i64, Path, description = "document id")), request_body = PresentBody,
    responses((status = 200, body = HandlingDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn present(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PresentBody>,
) -> Result<Json<HandlingDto>, ApiError> {
    let id = parse_document_id(&id)?;
    let handling = state
        .app
        .present_incoming(
            &user.actor,
            id,
            &body.leader,
            body.note.as_deref(),
            body.version,
            &operation,
        )
        .await?;
    Ok(Json(HandlingDto::from_handling(&handling)))
}

/// Returns a received document to its sender with a reason (clerk).
#[utoipa::path(post, path = "/api/v1/incoming/{id}/return", params(("id" = i64, Path, description = "document id")), request_body = ReturnBody,
    responses((status = 200, body = HandlingDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn return_to_sender(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReturnBody>,
) -> Result<Json<HandlingDto>, ApiError> {
    let id = parse_document_id(&id)?;
    let handling = state
        .app
        .return_incoming(&user.actor, id, &body.reason, body.version, &operation)
        .await?;
    Ok(Json(HandlingDto::from_handling(&handling)))
}

/// Assigns a lead, co-operating handlers and people kept informed (leader).
#[utoipa::path(post, path = "/api/v1/incoming/{id}/assign", params(("id" = i64, Path, description = "document id")), request_body = AssignBody,
    responses((status = 200, body = HandlingDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn assign(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<Json<HandlingDto>, ApiError> {
    let id = parse_document_id(&id)?;
    let handling = state
        .app
        .assign_incoming(&user.actor, id, &body.into_input(), &operation)
        .await?;
    Ok(Json(HandlingDto::from_handling(&handling)))
}

/// Replaces the assignment of a document in progress (leader).
#[utoipa::path(post, path = "/api/v1/incoming/{id}/reassign", params(("id" = i64, Path, description = "document id")), request_body = AssignBody,
    responses((status = 200, body = HandlingDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn reassign(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssignBody>,
) -> Result<Json<HandlingDto>, ApiError> {
    let id = parse_document_id(&id)?;
    let handling = state
        .app
        .reassign_incoming(&user.actor, id, &body.into_input(), &operation)
        .await?;
    Ok(Json(HandlingDto::from_handling(&handling)))
}

/// Records progress (an assigned handler or a leader).
#[utoipa::path(post, path = "/api/v1/incoming/{id}/progress", params(("id" = i64, Path, description = "document id")), request_body = ProgressBody,
    responses((status = 200, body = HandlingDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn progress(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProgressBody>,
) -> Result<Json<HandlingDto>, ApiError> {
    let id = parse_document_id(&id)?;
    let handling = state
        .app
        .record_progress(&user.actor, id, &body.note, &operation)
        .await?;
    Ok(Json(HandlingDto::from_handling(&handling)))
}

/// Closes a document as handled (the lead handler or a leader).
#[utoipa::path(post, path = "/api/v1/incoming/{id}/complete", params(("id" = i64, Path, description = "document id")), request_body = CompleteBody,
    responses((status = 200, body = HandlingDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn complete(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CompleteBody>,
) -> Result<Json<HandlingDto>, ApiError> {
    let id = parse_document_id(&id)?;
    let input = CompleteInput {
        note: body.note,
        reply_document_id: body.reply_document_id,
        reply_number_symbol: body.reply_number_symbol,
        expected_version: body.version,
    };
    let handling = state
        .app
        .complete_incoming(&user.actor, id, &input, &operation)
        .await?;
    Ok(Json(HandlingDto::from_handling(&handling)))
}

/// The handling of a document: state, version, deadline, overdue flag, assignments, notes.
#[utoipa::path(get, path = "/api/v1/incoming/{id}/handling", params(("id" = i64, Path, description = "document id")),
    responses((status = 200, body = HandlingDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn handling(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<HandlingDto>, ApiError> {
    let id = parse_document_id(&id)?;
    let handling = state.app.incoming_handling(&user.actor, id).await?;
    Ok(Json(HandlingDto::from_handling(&handling)))
}

/// The document's history (its audit events).
#[utoipa::path(get, path = "/api/v1/incoming/{id}/history", params(("id" = i64, Path, description = "document id")),
    responses((status = 200, body = HistoryList), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn history(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<HistoryList>, ApiError> {
    let id = parse_document_id(&id)?;
    let entries = state.app.incoming_history(&user.actor, id).await?;
    Ok(Json(HistoryList {
        items: entries.iter().map(history_dto).collect(),
    }))
}

/// The incoming documents matching the filters, with deadlines and overdue flags.
#[utoipa::path(get, path = "/api/v1/incoming/tracking", params(TrackingQuery),
    responses((status = 200, body = TrackedList), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn tracking(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<TrackingQuery>, QueryRejection>,
) -> Result<Json<TrackedList>, ApiError> {
    let Query(query) = query.map_err(|rejection| ApiError::BadRequest {
        code: "request.malformed_query",
        message: rejection.body_text(),
    })?;
    let filter = IncomingFilter {
        state: query.state,
        assignee: query.assignee,
        overdue: query.overdue,
        deadline_before: query.deadline_before,
        register: query.register,
        year: query.year,
        limit: query.limit,
        offset: query.offset,
    };
    let documents = state.app.track_incoming(&user.actor, &filter).await?;
    Ok(Json(TrackedList {
        items: documents.iter().map(TrackedDto::from_tracked).collect(),
    }))
}

/// The caller's open tasks as a handler.
#[utoipa::path(get, path = "/api/v1/incoming/tasks",
    responses((status = 200, body = TaskList), (status = 403, body = crate::error::Problem)))]
pub(crate) async fn tasks(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<TaskList>, ApiError> {
    let tasks = state.app.my_tasks(&user.actor).await?;
    Ok(Json(TaskList {
        items: tasks
            .iter()
            .map(|task| TaskDto {
                assignment: AssignmentDto::from_view(&task.assignment),
                document: TrackedDto::from_tracked(&task.document),
            })
            .collect(),
    }))
}

/// One public holiday.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HolidayDto {
    /// `YYYY-MM-DD`.
    date: String,
    name: String,
    /// `solar`, `lunar` or `observed`.
    kind: String,
}

/// The public holidays that working-day deadlines skip.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct HolidayList {
    items: Vec<HolidayDto>,
}

/// The holiday calendar (data, kept by the administrator).
#[utoipa::path(get, path = "/api/v1/holidays",
    responses((status = 200, body = HolidayList), (status = 403, body = crate::error::Problem)))]
pub(crate) async fn holidays(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<HolidayList>, ApiError> {
    let holidays = state.app.holidays(&user.actor).await?;
    Ok(Json(HolidayList {
        items: holidays
            .into_iter()
            .map(|(date, name, kind)| HolidayDto {
                date: date.to_string(),
                name,
                kind,
            })
            .collect(),
    }))
}

/// The routing slip (phiếu giải quyết văn bản đến) as PDF.
#[utoipa::path(get, path = "/api/v1/incoming/{id}/routing-slip.pdf", params(("id" = i64, Path, description = "document id")),
    responses((status = 200, content_type = "application/pdf", description = "the routing slip"), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn routing_slip(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = parse_document_id(&id)?;
    let bytes = state.app.routing_slip_pdf(&user.actor, id).await?;
    Ok(pdf_response(bytes, &format!("phieu-giai-quyet-{id}.pdf")))
}

/// A register of a year as PDF: `incoming`, `secret_incoming` or `outgoing`.
#[utoipa::path(get, path = "/api/v1/registers/{kind}/{year}.pdf", params(("kind" = String, Path, description = "register kind"), ("year" = i32, Path, description = "year")),
    responses((status = 200, content_type = "application/pdf", description = "the register"), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn register_pdf(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((kind, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let year = file
        .strip_suffix(".pdf")
        .and_then(|year| year.parse::<i32>().ok())
        .ok_or(ApiError::NoRoute)?;
    let bytes = state.app.register_pdf(&user.actor, &kind, year).await?;
    Ok(pdf_response(bytes, &format!("so-{kind}-{year}.pdf")))
}

fn pdf_response(bytes: Vec<u8>, file_name: &str) -> Response {
    let mut response = Response::new(Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
