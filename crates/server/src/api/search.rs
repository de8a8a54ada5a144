//! Full-text search of the documents the user may see.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::extract::CurrentUser;
use crate::{ApiError, AppState};

/// The search request.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(crate) struct SearchParams {
    /// The query, with or without diacritics; `"…"` for a phrase.
    q: String,
    /// Only this document type code, e.g. `KH`.
    r#type: Option<String>,
    /// The first issue date included, `YYYY-MM-DD`.
    from: Option<String>,
    /// The last issue date included, `YYYY-MM-DD`.
    to: Option<String>,
    /// Hits per page (1–100, 20 by default).
    limit: Option<usize>,
    /// Hits skipped (0 by default).
    offset: Option<usize>,
}

/// One hit.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SearchHitDto {
    /// The document's id.
    id: i64,
    /// The relevance score.
    score: f32,
    /// A passage with the matches in `<mark>`, HTML-escaped.
    snippet: String,
}

/// A facet value and its count.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FacetCount {
    /// The value.
    value: String,
    /// How many matching documents have it.
    count: u64,
}

/// Facet counts over all the matches.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FacetsDto {
    /// By document type code.
    r#type: Vec<FacetCount>,
    /// By issuer.
    issuer: Vec<FacetCount>,
}

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SearchResponse {
    /// How many documents match.
    total: u64,
    /// This page's hits, best first.
    hits: Vec<SearchHitDto>,
    /// Facet counts.
    facets: FacetsDto,
}

fn counts(values: Vec<(String, u64)>) -> Vec<FacetCount> {
    values
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect()
}

/// Searches the documents of the user's organisation within the user's clearance.
#[utoipa::path(get, path = "/api/v1/search", params(SearchParams),
    responses((status = 200, body = SearchResponse), (status = 400, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<SearchResponse>, ApiError> {
    let Query(params) = params.map_err(|rejection| ApiError::BadRequest {
        code: "request.malformed_query",
        message: rejection.body_text(),
    })?;
    let filters = app::SearchFilters::parse(
        params.r#type.as_deref(),
        params.from.as_deref(),
        params.to.as_deref(),
    )?;
    let results = state
        .app
        .search(
            &user.actor,
            &params.q,
            filters,
            params.limit.unwrap_or(20),
            params.offset.unwrap_or(0),
        )
        .await?;
    Ok(Json(SearchResponse {
        total: results.total,
        hits: results
            .hits
            .into_iter()
            .map(|hit| SearchHitDto {
                id: hit.id,
                score: hit.score,
                snippet: hit.snippet,
            })
            .collect(),
        facets: FacetsDto {
            r#type: counts(results.facets.type_code),
            issuer: counts(results.facets.issuer),
        },
    }))
}
