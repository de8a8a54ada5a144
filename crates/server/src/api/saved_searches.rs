//! A user's saved searches: save, list, run and delete; each user sees only their own.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::{IntoParams, ToSchema};

use crate::api::search::{SearchResponse, params};
use crate::extract::{ApiJson, CurrentUser, Operation};
use crate::{ApiError, AppState};

/// A search to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewSavedSearch {
    /// The name, unique among the user's saved searches (1–200 characters).
    name: String,
    /// The query text.
    q: String,
    /// Only this document type code.
    r#type: Option<String>,
    /// The first issue date included, `YYYY-MM-DD`.
    from: Option<String>,
    /// The last issue date included, `YYYY-MM-DD`.
    to: Option<String>,
}

/// A saved search.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SavedSearchDto {
    /// Its id.
    id: i64,
    /// Its name.
    name: String,
    /// The query text.
    q: String,
    /// The type code filter.
    r#type: Option<String>,
    /// The first date included.
    from: Option<String>,
    /// The last date included.
    to: Option<String>,
    /// When it was saved, RFC 3339.
    created_at: String,
}

impl From<app::SavedSearch> for SavedSearchDto {
    fn from(saved: app::SavedSearch) -> SavedSearchDto {
        SavedSearchDto {
            id: saved.id,
            name: saved.name,
            q: saved.text,
            r#type: saved.filters.type_code,
            from: saved.filters.date_from.map(|date| date.to_string()),
            to: saved.filters.date_to.map(|date| date.to_string()),
            created_at: saved.created_at.format(&Rfc3339).unwrap_or_default(),
        }
    }
}

/// The user's saved searches.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SavedSearchList {
    /// By name.
    items: Vec<SavedSearchDto>,
}

/// A saved search run now.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SavedSearchRun {
    /// What was run.
    saved: SavedSearchDto,
    /// The results, with the user's present scope.
    results: SearchResponse,
}

/// The page of a run.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct RunParams {
    /// Hits per page (1–100, 20 by default).
    limit: Option<usize>,
    /// Hits skipped (0 by default).
    offset: Option<usize>,
    /// Whether to count the matches per type and issuer.
    facets: Option<bool>,
}

/// Saves a search under a name.
#[utoipa::path(post, path = "/api/v1/saved-searches", request_body = NewSavedSearch,
    responses((status = 201, body = SavedSearchDto), (status = 400, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn create(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    ApiJson(body): ApiJson<NewSavedSearch>,
) -> Result<(StatusCode, Json<SavedSearchDto>), ApiError> {
    let filters = app::SearchFilters::parse(
        body.r#type.as_deref(),
        body.from.as_deref(),
        body.to.as_deref(),
    )?;
    let saved = state
        .app
        .save_search(&user.actor, &body.name, &body.q, &filters, &operation)
        .await?;
    Ok((StatusCode::CREATED, Json(saved.into())))
}

/// The user's own saved searches.
#[utoipa::path(get, path = "/api/v1/saved-searches",
    responses((status = 200, body = SavedSearchList), (status = 403, body = crate::error::Problem)))]
pub(crate) async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Json<SavedSearchList>, ApiError> {
    let items = state.app.saved_searches(&user.actor).await?;
    Ok(Json(SavedSearchList {
        items: items.into_iter().map(Into::into).collect(),
    }))
}

/// Runs one of the user's saved searches with the user's present scope.
#[utoipa::path(get, path = "/api/v1/saved-searches/{name}/results", params(RunParams,
        ("name" = String, Path, description = "the saved search's name")),
    responses((status = 200, body = SavedSearchRun), (status = 404, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub(crate) async fn run(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(name): Path<String>,
    query: Result<Query<RunParams>, QueryRejection>,
) -> Result<Json<SavedSearchRun>, ApiError> {
    let page = params(query)?;
    let (saved, results) = state
        .app
        .run_saved_search(
            &user.actor,
            &name,
            page.limit.unwrap_or(20),
            page.offset.unwrap_or(0),
            page.facets.unwrap_or(false),
        )
        .await?;
    Ok(Json(SavedSearchRun {
        saved: saved.into(),
        results: results.into(),
    }))
}

/// Deletes one of the user's saved searches.
#[utoipa::path(delete, path = "/api/v1/saved-searches/{name}",
    params(("name" = String, Path, description = "the saved search's name")),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .delete_saved_search(&user.actor, &name, &operation)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
