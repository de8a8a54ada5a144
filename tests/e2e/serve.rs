//! README's first command, in-process: `vanthu serve` with no configuration serves the demo over
//! real HTTP; the demo clerk logs in, uploads a PDF, sees it as arrival number 1 of the current year,
//! and downloads the same bytes.

use std::ffi::OsString;
use std::time::Duration;

use serde_json::Value;

/// A free loopback port (the listener is dropped just before the server binds it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[expect(
    clippy::disallowed_methods,
    reason = "the server numbers by the real clock; the test must agree"
)]
fn current_vietnam_year() -> i32 {
    domain::calendar::register_year(time::OffsetDateTime::now_utc())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_server_registers_an_upload_as_number_one_of_the_year() {
    let data_dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let args: Vec<OsString> = [
        "vanthu",
        "--data-dir",
        data_dir.path().to_str().unwrap(),
        "serve",
        "--addr",
    ]
    .into_iter()
    .map(OsString::from)
    .chain([OsString::from(format!("127.0.0.1:{port}"))])
    .collect();
    let server = tokio::spawn(cli::run(args));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();

    let mut healthy = false;
    for _ in 0..300 {
        if let Ok(response) = client.get(format!("{base}/healthz")).send().await
            && response.status() == 200
        {
            healthy = true;
            break;
        }
        assert!(
            !server.is_finished(),
            "the server stopped: {:?}",
            server.await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healthy, "/healthz never answered");

    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": "vanthu", "password": "demo" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().expect("a token").to_owned();

    let pdf = testkit::minimal_pdf("Van ban den thu nghiem");
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf.clone()).file_name("thu-nghiem.pdf"),
        )
        .text("subject", "Văn bản đến thử nghiệm");
    let response = client
        .post(format!("{base}/api/v1/incoming"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    assert_eq!(created["arrival_number"], 1);
    assert_eq!(created["arrival_year"], current_vietnam_year());

    let list: Value = client
        .get(format!("{base}/api/v1/incoming"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &list["items"][0];
    assert_eq!(first["id"], created["id"]);
    assert_eq!(first["arrival_number"], 1);

    let id = created["id"].as_i64().unwrap();
    let download = client
        .get(format!("{base}/api/v1/documents/{id}/file"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.bytes().await.unwrap().as_ref(), pdf.as_slice());

    // The page flow with the session cookie: the register lists the upload, in Vietnamese.
    let page = client
        .post(format!("{base}/login"))
        .form(&[("username", "vanthu"), ("password", "demo")])
        .send()
        .await
        .unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Sổ văn bản đến"), "{html}");
    assert!(html.contains("Văn bản đến thử nghiệm"));
    assert!(html.contains("Kế hoạch cải cách hành chính năm 2024"));

    server.abort();
}
