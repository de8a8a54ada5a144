//! The receiving clerk's answer to a sender's recall: accept (edXML 15) or refuse (edXML 16).

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::documents::parse_document_id;
use crate::api::handling::HandlingDto;
use crate::extract::{ApiJson, CurrentUser, Operation};
use crate::{ApiError, AppState};

/// Answering a recall.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RecallAnswerBody {
    /// Why (for a refusal).
    reason: Option<String>,
    /// The document version the clerk saw.
    version: Option<i32>,
}

/// Accepts the sender's recall: the file is withdrawn, the metadata kept (clerk).
#[utoipa::path(post, path = "/api/v1/incoming/{id}/accept-recall", params(("id" = i64, Path, description = "document id")), request_body = RecallAnswerBody,
    responses((status = 200, body = HandlingDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub(crate) async fn accept(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RecallAnswerBody>,
) -> Result<Json<HandlingDto>, ApiError> {
    let id = parse_document_id(&id)?;
    let handling = state
        .app
        .accept_recall(&user.actor, id, body.version, &operation)
        .await?;
    Ok(Json(HandlingDto::from_handling(&handling)))
}

/// Refuses the sender's recall: the document goes back to its previous state (clerk).
#[utoipa::path(post, path = "/api/v1/incoming/{id}/refuse-recall", params(("id" = i64, Path, description = "document id")), request_body = RecallAnswerBody,
    responses((status = 200, body = HandlingDto), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn refuse(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RecallAnswerBody>,
) -> Result<Json<HandlingDto>, ApiError> {
    let id = parse_document_id(&id)?;
    let handling = state
        .app
        .refuse_recall(
            &user.actor,
            id,
            body.reason.as_deref(),
            body.version,
            &operation,
        )
        .await?;
    Ok(Json(HandlingDto::from_handling(&handling)))
}
