//! The HTTP API driven in-process: the intake story, and every kind of bad input answered with a
//! problem document, never a 500, with nothing stored.

use axum_test_support::*;
use serde_json::{Value, json};
use testkit::TestApp;

use crate::backend_tests;

/// Small request helpers over `tower::ServiceExt::oneshot`.
pub(crate) mod axum_test_support {
    use axum::body::{Body, Bytes};
    use axum::http::{HeaderMap, Request, StatusCode, header};
    use serde_json::Value;
    use tower::ServiceExt as _;

    pub(crate) struct Reply {
        pub(crate) status: StatusCode,
        pub(crate) headers: HeaderMap,
        pub(crate) body: Bytes,
    }

    impl Reply {
        pub(crate) fn json(&self) -> Value {
            serde_json::from_slice(&self.body).unwrap_or(Value::Null)
        }

        /// Asserts a problem document with `status` and `code`.
        pub(crate) fn assert_problem(&self, status: u16, code: &str) {
            assert_eq!(
                self.status.as_u16(),
                status,
                "body: {}",
                String::from_utf8_lossy(&self.body)
            );
            assert_eq!(
                self.headers[header::CONTENT_TYPE],
                "application/problem+json"
            );
            let problem = self.json();
            assert_eq!(problem["code"], code, "{problem}");
            assert_eq!(problem["status"], status);
            assert!(
                problem["request_id"]
                    .as_str()
                    .is_some_and(|id| !id.is_empty()),
                "{problem}"
            );
        }
    }

    pub(crate) async fn send(router: &axum::Router, request: Request<Body>) -> Reply {
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub(crate) fn get(uri: &str, token: Option<&str>) -> Request<Body> {
        let mut builder = Request::get(uri);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        builder.body(Body::empty()).unwrap()
    }

    pub(crate) fn post_json(uri: &str, body: &str) -> Request<Body> {
        Request::post(uri)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_owned()))
            .unwrap()
    }

    /// A multipart form; a part with a file name is a file.
    pub(crate) fn post_multipart(
        uri: &str,
        token: Option<&str>,
        parts: &[(&str, Option<&str>, &[u8])],
    ) -> Request<Body> {
        let boundary = "vanthu-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, file_name, bytes) in parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match file_name {
                Some(file_name) => body.extend_from_slice(
                    format!(
                        "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/pdf\r\n\r\n"
                    )
                    .as_bytes(),
                ),
                None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
            }
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut builder = Request::post(uri).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        builder.body(Body::from(body)).unwrap()
    }
}

pub(crate) fn router(test: &TestApp) -> axum::Router {
    server::router(server::AppState::new(test.app.clone()))
}

pub(crate) async fn login(router: &axum::Router, username: &str) -> String {
    let body = json!({ "username": username, "password": testkit::TEST_PASSWORD }).to_string();
    let reply = send(router, post_json("/api/v1/auth/login", &body)).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let cookie = reply.headers["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    reply.json()["token"].as_str().unwrap().to_owned()
}

async fn a_clerk_uploads_lists_and_downloads_an_incoming_pdf(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let router = router(&test);
    let token = login(&router, "vanthu").await;
    let pdf = testkit::pdf_with_pages(&["Cong van so 12/UBND-VX", "Trang 2"]);

    let reply = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&token),
            &[
                ("file", Some("Công văn 12.pdf"), &pdf),
                ("number_symbol", None, "12/UBND-VX".as_bytes()),
                (
                    "subject",
                    None,
                    "V/v triển khai cải cách hành chính".as_bytes(),
                ),
                ("issuer_name", None, "UBND thành phố Bắc Giang".as_bytes()),
                ("issued_date", None, b"2026-03-12"),
            ],
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let created = reply.json();
    assert_eq!(
        created["arrival_number"], 1,
        "first arrival of 2026: {created}"
    );
    assert_eq!(created["arrival_year"], 2026);
    assert_eq!(created["page_count"], 2);
    assert_eq!(created["file_name"], "Công văn 12.pdf");
    let sha256 = created["sha256"].as_str().unwrap().to_owned();
    assert_eq!(sha256.len(), 64);

    let list = send(&router, get("/api/v1/incoming", Some(&token)))
        .await
        .json();
    let items = list["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        2,
        "the upload and the demo reform plan: {list}"
    );
    assert_eq!(items[0]["id"], created["id"]);
    assert_eq!(items[0]["subject"], "V/v triển khai cải cách hành chính");
    assert_eq!(items[1]["number_symbol"], "06/KH-UBND");
    assert_eq!(
        (
            items[1]["arrival_number"].clone(),
            items[1]["arrival_year"].clone()
        ),
        (json!(1), json!(2024))
    );

    let second = testkit::minimal_pdf("Giay moi");
    let reply = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&token),
            &[("file", Some("gm.pdf"), &second)],
        ),
    )
    .await;
    assert_eq!(reply.json()["arrival_number"], 2);

    let id = created["id"].as_i64().unwrap();
    let download = send(
        &router,
        get(&format!("/api/v1/documents/{id}/file"), Some(&token)),
    )
    .await;
    assert_eq!(download.status, 200);
    assert_eq!(
        download.body.as_ref(),
        pdf.as_slice(),
        "the download returns the same bytes"
    );
    assert_eq!(download.headers["x-content-sha256"], sha256.as_str());
    assert_eq!(download.headers["content-type"], "application/pdf");

    // Any reader role of the organisation sees the register; the leader cannot upload.
    let leader = login(&router, "lanhdao").await;
    let list = send(&router, get("/api/v1/incoming", Some(&leader)))
        .await
        .json();
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    Ok(())
}

async fn bad_input_is_a_problem_document_and_stores_nothing(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let router = router(&test);
    let token = login(&router, "vanthu").await;
    let blobs_before = test.blob_count();
    let listed = |reply: Value| reply["items"].as_array().map_or(0, Vec::len);
    let documents_before = listed(
        send(&router, get("/api/v1/incoming", Some(&token)))
            .await
            .json(),
    );

    // Not a PDF: 422.
    let reply = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&token),
            &[("file", Some("x.pdf"), b"hello, not a pdf")],
        ),
    )
    .await;
    reply.assert_problem(422, "document.not_pdf");
    // A truncated PDF: 422.
    let pdf = testkit::minimal_pdf("x");
    let reply = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&token),
            &[("file", Some("x.pdf"), &pdf[..pdf.len() / 2])],
        ),
    )
    .await;
    assert_eq!(
        reply.status,
        422,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    // Oversized (the test limit is 1 MiB): 413, whether caught by the body limit or the app.
    let big = vec![b'%'; 3 * 1024 * 1024];
    let reply = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&token),
            &[("file", Some("big.pdf"), &big)],
        ),
    )
    .await;
    reply.assert_problem(413, "request.too_large");
    let just_over = vec![b'%'; 1024 * 1024 + 10];
    let reply = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&token),
            &[("file", Some("big.pdf"), &just_over)],
        ),
    )
    .await;
    reply.assert_problem(413, "request.too_large");
    // Invalid fields: 422 listing each of them.
    let reply = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&token),
            &[
                ("file", Some("x.pdf"), &pdf),
                ("number_symbol", None, b"so 6"),
                ("issued_date", None, b"10/01/2024"),
            ],
        ),
    )
    .await;
    reply.assert_problem(422, "request.invalid");
    let fields: Vec<_> = reply.json()["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|issue| issue["field"].clone())
        .collect();
    assert_eq!(fields, [json!("number_symbol"), json!("issued_date")]);
    // No file part: 422.
    let reply = send(
        &router,
        post_multipart("/api/v1/incoming", Some(&token), &[("subject", None, b"x")]),
    )
    .await;
    reply.assert_problem(422, "request.invalid");
    // Not multipart at all: 400.
    let reply = send(&router, post_json("/api/v1/incoming", "{}")).await;
    assert_eq!(reply.status, 401, "authentication comes first");

    // Wrong password and unknown user: the same 401 and the same message.
    let wrong = send(
        &router,
        post_json(
            "/api/v1/auth/login",
            r#"{"username":"vanthu","password":"sai"}"#,
        ),
    )
    .await;
    let unknown = send(
        &router,
        post_json(
            "/api/v1/auth/login",
            r#"{"username":"khongco","password":"sai"}"#,
        ),
    )
    .await;
    wrong.assert_problem(401, "auth.invalid_credentials");
    unknown.assert_problem(401, "auth.invalid_credentials");
    assert_eq!(wrong.json()["detail"], unknown.json()["detail"]);
    assert!(wrong.headers.contains_key("www-authenticate"));
    // Malformed JSON, unknown JSON fields, and a non-JSON body: 400.
    send(
        &router,
        post_json("/api/v1/auth/login", r#"{"username": "vanthu", "#),
    )
    .await
    .assert_problem(400, "request.malformed_json");
    send(
        &router,
        post_json(
            "/api/v1/auth/login",
            r#"{"username":"vanthu","password":"x","admin":true}"#,
        ),
    )
    .await
    .assert_problem(400, "request.malformed_json");
    let not_json = axum::http::Request::post("/api/v1/auth/login")
        .body(axum::body::Body::from("username=vanthu"))
        .unwrap();
    send(&router, not_json)
        .await
        .assert_problem(400, "request.not_json");
    // No session, and a forged token: 401.
    send(&router, get("/api/v1/incoming", None))
        .await
        .assert_problem(401, "auth.unauthenticated");
    send(&router, get("/api/v1/incoming", Some("forged")))
        .await
        .assert_problem(401, "auth.unauthenticated");
    // The wrong role: an officer may not register incoming documents; the admin reads none.
    let officer = login(&router, "chuyenvien").await;
    send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&officer),
            &[("file", Some("x.pdf"), &pdf)],
        ),
    )
    .await
    .assert_problem(403, "auth.forbidden");
    let admin = login(&router, "quantri").await;
    send(&router, get("/api/v1/incoming", Some(&admin)))
        .await
        .assert_problem(403, "auth.forbidden");
    // Unknown document ids and unknown API paths: 404.
    send(&router, get("/api/v1/documents/999999/file", Some(&token)))
        .await
        .assert_problem(404, "not_found");
    send(&router, get("/api/v1/documents/abc/file", Some(&token)))
        .await
        .assert_problem(404, "not_found");
    send(&router, get("/api/v1/nothing-here", Some(&token)))
        .await
        .assert_problem(404, "not_found");

    assert_eq!(test.blob_count(), blobs_before, "no blob was stored");
    let documents_after = listed(
        send(&router, get("/api/v1/incoming", Some(&token)))
            .await
            .json(),
    );
    assert_eq!(
        documents_after, documents_before,
        "no document was registered"
    );

    // A duplicate upload is a 409 naming the existing document, and takes no number.
    let first = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&token),
            &[("file", Some("a.pdf"), &pdf)],
        ),
    )
    .await;
    assert_eq!(first.status, 201);
    let again = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&token),
            &[("file", Some("b.pdf"), &pdf)],
        ),
    )
    .await;
    again.assert_problem(409, "incoming.duplicate");
    let next = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&token),
            &[("file", Some("c.pdf"), &testkit::minimal_pdf("other"))],
        ),
    )
    .await;
    assert_eq!(
        next.json()["arrival_number"],
        first.json()["arrival_number"].as_i64().unwrap() + 1
    );
    Ok(())
}

async fn secret_documents_take_the_secret_register_and_stay_hidden(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;
    let pdf = testkit::minimal_pdf("mat");
    let reply = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&clerk),
            &[
                ("file", Some("mat.pdf"), &pdf),
                ("secrecy", None, b"confidential"),
            ],
        ),
    )
    .await;
    assert_eq!(reply.status, 201);
    assert_eq!(
        reply.json()["arrival_number"],
        1,
        "first number of the secret register"
    );
    let open = send(
        &router,
        post_multipart(
            "/api/v1/incoming",
            Some(&clerk),
            &[("file", Some("a.pdf"), &testkit::minimal_pdf("a"))],
        ),
    )
    .await;
    assert_eq!(
        open.json()["arrival_number"],
        1,
        "the ordinary register is separate"
    );
    let secret_id = reply.json()["id"].as_i64().unwrap();

    let officer = login(&router, "chuyenvien").await;
    let visible = send(&router, get("/api/v1/incoming", Some(&officer)))
        .await
        .json();
    assert!(
        visible["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|item| item["id"] != secret_id)
    );
    send(
        &router,
        get(
            &format!("/api/v1/documents/{secret_id}/file"),
            Some(&officer),
        ),
    )
    .await
    .assert_problem(404, "not_found");
    let download = send(
        &router,
        get(&format!("/api/v1/documents/{secret_id}/file"), Some(&clerk)),
    )
    .await;
    assert_eq!(download.body.as_ref(), pdf.as_slice());
    Ok(())
}

#[tokio::test]
async fn health_openapi_and_pages_answer() {
    let test = TestApp::start(testkit::TestDb::sqlite().unwrap())
        .await
        .unwrap();
    let router = router(&test);
    let health = send(&router, get("/healthz", None)).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    let openapi = send(&router, get("/api/v1/openapi.json", None))
        .await
        .json();
    for path in [
        "/api/v1/auth/login",
        "/api/v1/incoming",
        "/api/v1/documents/{id}/file",
    ] {
        assert!(
            openapi["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    let login_page = send(&router, get("/login", None)).await;
    let html = String::from_utf8(login_page.body.to_vec()).unwrap();
    assert!(
        html.contains("Đăng nhập") && html.contains("Mật khẩu"),
        "{html}"
    );
    let redirect = send(&router, get("/incoming", None)).await;
    assert_eq!(redirect.status, 303);
    assert_eq!(redirect.headers["location"], "/login");
}

backend_tests!(
    a_clerk_uploads_lists_and_downloads_an_incoming_pdf,
    bad_input_is_a_problem_document_and_stores_nothing,
    secret_documents_take_the_secret_register_and_stay_hidden
);
