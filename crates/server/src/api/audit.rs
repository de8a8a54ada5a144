//! The audit chain check, for auditors.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::extract::CurrentUser;
use crate::{ApiError, AppState};

/// The outcome of checking the chain.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AuditVerification {
    /// Whether every event is intact.
    intact: bool,
    /// Events checked.
    events: u64,
    /// The hash of the last event, hex.
    head: String,
    /// The first break, if any.
    broken: Option<String>,
}

/// Verifies the whole audit chain.
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
    }))
}
