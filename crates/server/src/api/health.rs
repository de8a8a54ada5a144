//! Liveness and readiness: `/healthz` answers 200 when the database answers.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{ApiError, AppState};

/// The health report.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Health {
    /// `ok` when every dependency answers.
    status: &'static str,
    /// The database engine in use.
    database: &'static str,
}

/// Reports whether the server and its database are up.
#[utoipa::path(get, path = "/healthz", responses((status = 200, body = Health), (status = 503, description = "the database is unavailable")))]
pub(crate) async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.app.health().await?;
    Ok(Json(Health {
        status: "ok",
        database: state.app.backend().name(),
    }))
}
