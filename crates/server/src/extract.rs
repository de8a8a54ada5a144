//! Extractors: the authenticated user (session cookie or bearer token), the operation id, and a JSON
//! body whose rejections are problem documents rather than axum's plain-text answers.

use app::{Actor, OperationId, SessionToken};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use axum_extra::extract::CookieJar;
use serde::de::DeserializeOwned;

use crate::{ApiError, AppState};

/// The session cookie's name.
pub(crate) const SESSION_COOKIE: &str = "vanthu_session";

/// The user making the request, with the token that authenticated them.
#[derive(Debug)]
pub(crate) struct CurrentUser {
    pub(crate) actor: Actor,
    pub(crate) token: SessionToken,
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = presented_token(parts) else {
            return Err(ApiError::App(app::Error::Unauthenticated));
        };
        let actor = state.app.authenticate(&token).await?;
        Ok(CurrentUser { actor, token })
    }
}

/// The user of a page request, if logged in (pages redirect to the login form instead of failing).
#[derive(Debug)]
pub(crate) struct MaybeUser(pub(crate) Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match CurrentUser::from_request_parts(parts, state).await {
            Ok(user) => Ok(MaybeUser(Some(user))),
            Err(ApiError::App(app::Error::Unauthenticated)) => Ok(MaybeUser(None)),
            Err(error) => Err(error),
        }
    }
}

/// A bearer token, else the session cookie.
fn presented_token(parts: &Parts) -> Option<SessionToken> {
    let bearer = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty());
    if let Some(token) = bearer {
        return Some(SessionToken::new(token));
    }
    let jar = CookieJar::from_headers(&parts.headers);
    jar.get(SESSION_COOKIE)
        .map(|cookie| SessionToken::new(cookie.value()))
}

/// The request id set by the request-id layer, as the operation id of audit events.
#[derive(Debug)]
pub(crate) struct Operation(pub(crate) OperationId);

impl<S: Send + Sync> FromRequestParts<S> for Operation {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let id = parts
            .headers
            .get("x-request-id")
            .and_then(|value| value.to_str().ok())
            .unwrap_or("");
        Ok(Operation(OperationId::new(id)))
    }
}

/// A JSON body; malformed JSON is a `request.malformed_json` problem.
#[derive(Debug)]
pub(crate) struct ApiJson<T>(pub(crate) T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_problem(&rejection)),
        }
    }
}

fn json_problem(rejection: &JsonRejection) -> ApiError {
    let code = match rejection {
        JsonRejection::MissingJsonContentType(_) => "request.not_json",
        _ => "request.malformed_json",
    };
    ApiError::BadRequest {
        code,
        message: rejection.body_text(),
    }
}
