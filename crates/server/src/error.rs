//! The one mapping from errors to HTTP responses: RFC 9457 `application/problem+json` bodies with a
//! stable `code`, a safe message and the request id.
//!
//! A 5xx is logged with its whole source chain and answered with a generic message; a 401 carries
//! `WWW-Authenticate`. The request id reaches [`ApiError::into_response`] through a task-local set by
//! [`with_request_id`], since `IntoResponse` has no access to the request.

use std::any::Any;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// An error answered as `application/problem+json`.
#[derive(Debug)]
pub enum ApiError {
    /// An error from a use case.
    App(app::Error),
    /// The request itself is malformed (bad JSON, bad multipart framing).
    BadRequest {
        /// Stable code, e.g. `request.malformed_json`.
        code: &'static str,
        /// Safe message naming what is wrong.
        message: String,
    },
    /// No route matches.
    NoRoute,
}

impl From<app::Error> for ApiError {
    fn from(error: app::Error) -> ApiError {
        ApiError::App(error)
    }
}

/// The problem document (RFC 9457) with Vanthu's extension members.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Problem {
    /// Always `about:blank`: the `code` member identifies the problem.
    #[serde(rename = "type")]
    kind: &'static str,
    /// A short summary of the status.
    title: String,
    /// The HTTP status.
    status: u16,
    /// The stable machine code clients switch on.
    code: String,
    /// A message safe to show to the user.
    detail: String,
    /// The request id, to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
    /// Every invalid field, for `request.invalid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    issues: Vec<ProblemIssue>,
}

/// One invalid field.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProblemIssue {
    field: String,
    message: String,
}

impl ApiError {
    /// The status and stable code of this error.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::App(error) => (status_of(error), error.code()),
            ApiError::BadRequest { code, .. } => (StatusCode::BAD_REQUEST, code),
            ApiError::NoRoute => (StatusCode::NOT_FOUND, "not_found"),
        }
    }
}

fn status_of(error: &app::Error) -> StatusCode {
    use app::Error as E;
    match error {
        E::InvalidCredentials | E::Unauthenticated => StatusCode::UNAUTHORIZED,
        E::Forbidden { .. } => StatusCode::FORBIDDEN,
        E::NotFound { .. } => StatusCode::NOT_FOUND,
        E::Validation { .. } | E::NotPdf { .. } | E::Package { .. } => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        E::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        E::Duplicate { .. } | E::Conflict | E::InvalidState { .. } => StatusCode::CONFLICT,
        E::Signing { code, .. } if code.starts_with("signing.service") => {
            StatusCode::SERVICE_UNAVAILABLE
        }
        E::Signing { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        E::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        E::Integrity { .. } | E::Config { .. } | E::Internal { .. } => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let mut issues = Vec::new();
        let detail = match &self {
            _ if status.is_server_error() => {
                log_server_error(&self);
                "the server could not complete the request; quote the request id when reporting it"
                    .to_owned()
            }
            ApiError::App(app::Error::Validation {
                issues: field_issues,
            }) => {
                issues = field_issues
                    .iter()
                    .map(|issue| ProblemIssue {
                        field: issue.field.to_owned(),
                        message: issue.message.clone(),
                    })
                    .collect();
                "some fields are invalid".to_owned()
            }
            ApiError::App(error) => error.to_string(),
            ApiError::BadRequest { message, .. } => message.clone(),
            ApiError::NoRoute => "no such resource".to_owned(),
        };
        let problem = Problem {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            code: code.to_owned(),
            detail,
            request_id: REQUEST_ID.try_with(Clone::clone).ok(),
            issues,
        };
        problem_response(status, &problem)
    }
}

fn problem_response(status: StatusCode, problem: &Problem) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"vanthu\""),
        );
    }
    response
}

fn log_server_error(error: &ApiError) {
    let ApiError::App(error) = error else {
        tracing::error!(?error, "request failed");
        return;
    };
    let mut chain = vec![error.to_string()];
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    tracing::error!(code = error.code(), chain = ?chain, "request failed");
}

/// Makes the request id (set by `SetRequestIdLayer`) visible to error responses.
pub(crate) async fn with_request_id(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    REQUEST_ID.scope(id, next.run(request)).await
}

/// Answers a panic in a handler with a generic problem instead of a dropped connection.
pub(crate) fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    let problem = Problem {
        kind: "about:blank",
        title: "Internal Server Error".to_owned(),
        status: 500,
        code: "internal".to_owned(),
        detail: "the server could not complete the request".to_owned(),
        request_id: None,
        issues: Vec::new(),
    };
    problem_response(StatusCode::INTERNAL_SERVER_ERROR, &problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every app error variant, with the status and code clients rely on.
    #[test]
    fn every_app_error_maps_to_its_status_and_code() {
        use app::Error as E;
        let io =
            || Box::new(std::io::Error::other("disk")) as Box<dyn std::error::Error + Send + Sync>;
        let table: Vec<(app::Error, u16, &str)> = vec![
            (E::InvalidCredentials, 401, "auth.invalid_credentials"),
            (E::Unauthenticated, 401, "auth.unauthenticated"),
            (E::Forbidden { action: "x" }, 403, "auth.forbidden"),
            (E::NotFound { what: "document" }, 404, "not_found"),
            (E::Validation { issues: vec![] }, 422, "request.invalid"),
            (
                E::NotPdf {
                    reason: "x".into(),
                    code: "document.not_pdf",
                },
                422,
                "document.not_pdf",
            ),
            (E::TooLarge { limit: 1 }, 413, "request.too_large"),
            (
                E::Duplicate { existing: Some(1) },
                409,
                "incoming.duplicate",
            ),
            (E::Conflict, 409, "conflict"),
            (
                E::Package {
                    code: "package.tampered",
                    message: "x".into(),
                },
                422,
                "package.tampered",
            ),
            (
                E::Signing {
                    code: "key.wrong_password",
                    message: "x".into(),
                },
                422,
                "key.wrong_password",
            ),
            (
                E::Signing {
                    code: "signing.service_unavailable",
                    message: "x".into(),
                },
                503,
                "signing.service_unavailable",
            ),
            (
                E::Integrity { detail: "x".into() },
                500,
                "storage.integrity",
            ),
            (E::Config { problems: vec![] }, 500, "config.invalid"),
            (
                E::Unavailable {
                    what: "database",
                    source: io(),
                },
                503,
                "service.unavailable",
            ),
            (E::Internal { reason: "x".into() }, 500, "internal"),
        ];
        for (error, status, code) in table {
            let (actual_status, actual_code) = ApiError::App(error).status_and_code();
            assert_eq!((actual_status.as_u16(), actual_code), (status, code));
        }
    }

    #[test]
    fn unauthorized_carries_www_authenticate_and_problem_json() {
        let response = ApiError::App(app::Error::Unauthenticated).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key(header::WWW_AUTHENTICATE));
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            "application/problem+json"
        );
    }
}
