//! Full-text search of the documents the user may see, and its result list as CSV.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::audit::export_response;
use crate::extract::{CurrentUser, Operation};
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
    /// Hits per page (1–100, 20 by default; up to 1,000 rows for `search.csv`, 100 by default).
    limit: Option<usize>,
    /// Hits skipped (0 by default).
    offset: Option<usize>,
    /// Whether to count the matches per type and issuer (false by default); with facets the
    /// total is always exact.
    facets: Option<bool>,
}

impl SearchParams {
    /// The application's request, with this default page size.
    pub(crate) fn request(&self, default_limit: usize) -> Result<app::SearchRequest, ApiError> {
        let filters = app::SearchFilters::parse(
            self.r#type.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
        )?;
        Ok(app::SearchRequest {
            text: self.q.clone(),
            filters,
            limit: self.limit.unwrap_or(default_limit),
            offset: self.offset.unwrap_or(0),
            facets: self.facets.unwrap_or(false),
        })
    }
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
    /// How many documents match: exactly when `total_relation` is `eq`, at least this many when
    /// it is `gte` (matches are counted exactly up to 10,000, as Elasticsearch does).
    total: u64,
    /// `eq` (the total is exact) or `gte` (a lower bound).
    total_relation: &'static str,
    /// This page's hits, best first.
    hits: Vec<SearchHitDto>,
    /// Facet counts, when asked for with `facets=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    facets: Option<FacetsDto>,
}

impl From<app::SearchResults> for SearchResponse {
    fn from(results: app::SearchResults) -> SearchResponse {
        SearchResponse {
            total: results.total,
            total_relation: match results.total_relation {
                app::TotalRelation::Exact => "eq",
                app::TotalRelation::AtLeast => "gte",
            },
            hits: results
                .hits
                .into_iter()
                .map(|hit| SearchHitDto {
                    id: hit.id,
                    score: hit.score,
                    snippet: hit.snippet,
                })
                .collect(),
            facets: results.facets.map(|facets| FacetsDto {
                r#type: counts(facets.type_code),
                issuer: counts(facets.issuer),
            }),
        }
    }
}

fn counts(values: Vec<(String, u64)>) -> Vec<FacetCount> {
    values
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect()
}

/// The query string, a malformed one as a problem document.
pub(crate) fn params<T>(params: Result<Query<T>, QueryRejection>) -> Result<T, ApiError> {
    let Query(params) = params.map_err(|rejection| ApiError::BadRequest {
        code: "request.malformed_query",
        message: rejection.body_text(),
    })?;
    Ok(params)
}

/// Searches the documents of the user's organisation within the user's clearance.
#[utoipa::path(get, path = "/api/v1/search", params(SearchParams),
    responses((status = 200, body = SearchResponse), (status = 400, body = crate::error::Problem),
        (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(crate) async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    query: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Json<SearchResponse>, ApiError> {
    let request = params(query)?.request(20)?;
    let results = state.app.search(&user.actor, &request).await?;
    Ok(Json(results.into()))
}

/// One page of the search's hits as CSV (UTF-8 with a byte-order mark, RFC 4180): id, number and
/// symbol, date, type, issuer, subject, score, snippet and direction (incoming or issued
/// outgoing); the same scope as the search, and audited. The file's SHA-256 is in `x-content-sha256`.
#[utoipa::path(get, path = "/api/v1/search.csv", params(SearchParams),
    responses(
        (status = 200, description = "text/csv",
            headers(("x-content-sha256" = String, description = "SHA-256 of the body, hex"))),
        (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub(crate) async fn export_csv(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    query: Result<Query<SearchParams>, QueryRejection>,
) -> Result<Response, ApiError> {
    let request = params(query)?.request(100)?;
    let export = state
        .app
        .export_search(&user.actor, &request, &operation)
        .await?;
    Ok(export_response(export))
}
