//! Login, logout and the current user.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::extract::{ApiJson, CurrentUser, Operation, SESSION_COOKIE};
use crate::{ApiError, AppState};

/// Credentials.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    /// The login name, e.g. `vanthu`.
    username: String,
    /// The password.
    #[schema(value_type = String, format = Password)]
    password: SecretString,
}

/// A new session: use `token` as `Authorization: Bearer` in scripts; browsers get the cookie.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LoginResponse {
    /// The session token.
    token: String,
    /// Seconds until the session expires.
    expires_in: i64,
    /// The logged-in user.
    user: UserDto,
}

/// A user as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct UserDto {
    /// The login name.
    username: String,
    /// The person's name.
    full_name: String,
    /// Role codes (`clerk`, `leader`, `officer`, `archivist`, `auditor`, `admin`).
    roles: Vec<&'static str>,
}

impl UserDto {
    pub(crate) fn from_actor(actor: &app::Actor) -> UserDto {
        UserDto {
            username: actor.username.to_string(),
            full_name: actor.full_name.clone(),
            roles: actor.roles.iter().map(|role| role.code()).collect(),
        }
    }
}

/// Builds the session cookie: HttpOnly, SameSite=Strict, `Secure` in production (behind TLS).
pub(crate) fn session_cookie(token: &str, max_age_seconds: i64, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token.to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .path("/")
        .max_age(time::Duration::seconds(max_age_seconds))
        .build()
}

/// Logs in with a username and password.
#[utoipa::path(post, path = "/api/v1/auth/login", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = crate::error::Problem), (status = 400, body = crate::error::Problem)))]
pub(crate) async fn login(
    State(state): State<AppState>,
    Operation(operation): Operation,
    jar: CookieJar,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<(CookieJar, Json<LoginResponse>), ApiError> {
    let outcome = state
        .app
        .login(&request.username, &request.password, &operation)
        .await?;
    let secure = state.app.config().security.production;
    let jar = jar.add(session_cookie(
        outcome.token.expose(),
        outcome.ttl_seconds,
        secure,
    ));
    Ok((
        jar,
        Json(LoginResponse {
            token: outcome.token.expose().to_owned(),
            expires_in: outcome.ttl_seconds,
            user: UserDto::from_actor(&outcome.actor),
        }),
    ))
}

/// Ends the current session.
#[utoipa::path(post, path = "/api/v1/auth/logout", responses((status = 204), (status = 401, body = crate::error::Problem)))]
pub(crate) async fn logout(
    State(state): State<AppState>,
    Operation(operation): Operation,
    user: CurrentUser,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    state
        .app
        .logout(&user.actor, &user.token, &operation)
        .await?;
    Ok((
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        StatusCode::NO_CONTENT,
    ))
}

/// The current user.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = UserDto), (status = 401, body = crate::error::Problem)))]
pub(crate) async fn me(user: CurrentUser) -> Json<UserDto> {
    Json(UserDto::from_actor(&user.actor))
}
