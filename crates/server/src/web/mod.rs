//! The server-rendered pages, in Vietnamese: login and the incoming register.
//!
//! They set the pattern for the UI: askama templates (escaped by default), plain forms that work
//! without JavaScript, the same `app` calls as the API, and errors shown on the page in Vietnamese
//! instead of problem documents.

use askama::Template;
use axum::Form;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use secrecy::SecretString;
use serde::Deserialize;

use crate::api::auth::session_cookie;
use crate::api::documents::{file_response, parse_document_id};
use crate::api::incoming::read_upload;
use crate::extract::{MaybeUser, Operation, SESSION_COOKIE};
use crate::{ApiError, AppState};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    username: String,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "incoming.html")]
struct IncomingPage {
    full_name: String,
    role_labels: String,
    can_upload: bool,
    rows: Vec<IncomingRow>,
    error: Option<String>,
    notice: Option<String>,
}

struct IncomingRow {
    id: i64,
    arrival_number: i64,
    arrival_year: i32,
    arrived_on: String,
    issuer_name: String,
    number_symbol: String,
    issued_on: String,
    subject: String,
    state_label: &'static str,
    file_name: String,
    page_count: i32,
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    username: String,
    password: SecretString,
}

/// The query of the incoming page after an upload.
#[derive(Debug, Deserialize)]
pub(crate) struct IncomingQuery {
    registered: Option<String>,
}

/// `/`: the register for a logged-in user, else the login form.
pub(crate) async fn home(MaybeUser(user): MaybeUser) -> Redirect {
    match user {
        Some(_) => Redirect::to("/incoming"),
        None => Redirect::to("/login"),
    }
}

/// The login form.
pub(crate) async fn login_page() -> Response {
    render(
        StatusCode::OK,
        &LoginPage {
            username: String::new(),
            error: None,
        },
    )
}

/// Logs in from the form and sets the session cookie.
pub(crate) async fn login_submit(
    State(state): State<AppState>,
    Operation(operation): Operation,
    jar: CookieJar,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        let page = LoginPage {
            username: String::new(),
            error: Some(message_vi("request.invalid")),
        };
        return render(StatusCode::BAD_REQUEST, &page);
    };
    match state
        .app
        .login(&form.username, &form.password, &operation)
        .await
    {
        Ok(outcome) => {
            let secure = state.app.config().security.production;
            let jar = jar.add(session_cookie(
                outcome.token.expose(),
                outcome.ttl_seconds,
                secure,
            ));
            (jar, Redirect::to("/incoming")).into_response()
        }
        Err(error) => {
            let (status, code) = ApiError::App(error).status_and_code();
            render(
                status,
                &LoginPage {
                    username: form.username,
                    error: Some(message_vi(code)),
                },
            )
        }
    }
}

/// Ends the session and returns to the login form.
pub(crate) async fn logout(
    State(state): State<AppState>,
    Operation(operation): Operation,
    MaybeUser(user): MaybeUser,
    jar: CookieJar,
) -> Response {
    if let Some(user) = user
        && let Err(error) = state.app.logout(&user.actor, &user.token, &operation).await
    {
        return ApiError::App(error).into_response();
    }
    (
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/login"),
    )
        .into_response()
}

/// The incoming register, with the upload form for clerks.
pub(crate) async fn incoming_page(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(query): Query<IncomingQuery>,
) -> Response {
    let Some(user) = user else {
        return Redirect::to("/login").into_response();
    };
    let notice = query
        .registered
        .map(|number| format!("Đã vào sổ văn bản đến, số đến {number}."));
    incoming_view(&state, &user.actor, StatusCode::OK, None, notice).await
}

/// Receives an upload from the page's form.
pub(crate) async fn incoming_submit(
    State(state): State<AppState>,
    Operation(operation): Operation,
    MaybeUser(user): MaybeUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(user) = user else {
        return Redirect::to("/login").into_response();
    };
    let result = match read_upload(multipart, state.app.config().uploads.max_bytes).await {
        Ok(upload) => state
            .app
            .receive_incoming(&user.actor, upload, &operation)
            .await
            .map_err(ApiError::App),
        Err(error) => Err(error),
    };
    match result {
        Ok(document) => Redirect::to(&format!(
            "/incoming?registered={}/{}",
            document.arrival_number, document.arrival_year
        ))
        .into_response(),
        Err(error) => {
            let (status, code) = error.status_and_code();
            incoming_view(&state, &user.actor, status, Some(message_vi(code)), None).await
        }
    }
}

/// Downloads a file from the page (cookie session).
pub(crate) async fn document_file(
    State(state): State<AppState>,
    Operation(operation): Operation,
    MaybeUser(user): MaybeUser,
    Path(id): Path<String>,
) -> Response {
    let Some(user) = user else {
        return Redirect::to("/login").into_response();
    };
    let id = match parse_document_id(&id) {
        Ok(id) => id,
        Err(error) => return error.into_response(),
    };
    match state
        .app
        .download_document(&user.actor, id, &operation)
        .await
    {
        Ok(file) => file_response(file),
        Err(error) => ApiError::App(error).into_response(),
    }
}

async fn incoming_view(
    state: &AppState,
    actor: &app::Actor,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let (rows, error) = match state.app.list_incoming(actor).await {
        Ok(documents) => (documents.iter().map(row_of).collect(), error),
        Err(list_error) => {
            let (_, code) = ApiError::App(list_error).status_and_code();
            (Vec::new(), error.or_else(|| Some(message_vi(code))))
        }
    };
    let page = IncomingPage {
        full_name: actor.full_name.clone(),
        role_labels: actor
            .roles
            .iter()
            .map(|role| role.label_vi())
            .collect::<Vec<_>>()
            .join(", "),
        can_upload: actor.may(app::Permission::ReceiveIncoming),
        rows,
        error,
        notice,
    };
    render(status, &page)
}

fn row_of(document: &app::IncomingDocument) -> IncomingRow {
    let arrived = domain::calendar::vietnam_date(document.arrived_at);
    IncomingRow {
        id: document.id.get(),
        arrival_number: document.arrival_number,
        arrival_year: document.arrival_year,
        arrived_on: domain::calendar::format_vn_date(arrived),
        issuer_name: document.issuer_name.clone().unwrap_or_default(),
        number_symbol: document.number_symbol.clone().unwrap_or_default(),
        issued_on: document
            .issued_date
            .map(domain::calendar::format_vn_date)
            .unwrap_or_default(),
        subject: document.subject.clone().unwrap_or_default(),
        state_label: document.state.label_vi(),
        file_name: document.file_name.clone(),
        page_count: document.page_count,
    }
}

fn render(status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => ApiError::App(app::Error::Internal {
            reason: format!("template: {error}"),
        })
        .into_response(),
    }
}

/// The Vietnamese message shown on pages for an error code.
fn message_vi(code: &str) -> String {
    let message = match code {
        "auth.invalid_credentials" => "Tên đăng nhập hoặc mật khẩu không đúng.",
        "auth.unauthenticated" => "Phiên đăng nhập đã hết hạn; vui lòng đăng nhập lại.",
        "auth.forbidden" => "Vai trò của bạn không được phép thực hiện thao tác này.",
        "document.not_pdf" => "Tệp tải lên không phải là tệp PDF.",
        "document.corrupt_pdf" => "Tệp PDF bị hỏng hoặc không đọc được.",
        "document.encrypted_pdf" => {
            "Tệp PDF được bảo vệ bằng mật khẩu; hãy gỡ mật khẩu trước khi tải lên."
        }
        "request.too_large" => "Tệp vượt quá dung lượng cho phép.",
        "incoming.duplicate" => "Văn bản này đã được vào sổ trước đó.",
        "request.invalid" => "Thông tin nhập chưa hợp lệ; vui lòng kiểm tra lại các trường.",
        "request.malformed_multipart" => "Biểu mẫu gửi lên không hợp lệ.",
        "not_found" => "Không tìm thấy văn bản.",
        _ => "Đã có lỗi xảy ra; vui lòng thử lại hoặc báo cho quản trị hệ thống.",
    };
    message.to_owned()
}
