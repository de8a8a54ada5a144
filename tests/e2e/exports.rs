//! The auditors' exports, read back by independent readers: Python's `csv` module for the CSV,
//! openpyxl for the XLSX (both from the oracles virtual environment), serde_json for the JSON; the
//! manifest is checked against Python's `hashlib` and `sha256sum -c`.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitCode};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use secrecy::SecretString;
use serde_json::Value;
use testkit::TestApp;
use time::macros::datetime;
use tower::ServiceExt as _;

use crate::backend_tests;

/// A subject with everything CSV must survive: Vietnamese, a comma, quotes and a line break.
const TRICKY_SIGNER: &str = "CN=\"Trần, Thị Bình\"\nO=Văn thư UBND phường Ngô Quyền,C=VN";
/// A field name that a spreadsheet would run as a formula.
const FORMULA_FIELD: &str = "=HYPERLINK(\"http://evil.example\",\"bấm\")";
const LEADER_SIGNER: &str = "CN=Nguyễn Văn An,title=Chủ tịch,O=UBND phường Ngô Quyền,C=VN";

/// One row to log: when, signer, field, conclusion, reasons, serial.
type Row<'a> = (
    time::OffsetDateTime,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
);

/// Logs three signature checks directly through `db`, as intake would: two in March 2026 (one of
/// them tricky), one in February.
async fn seed_signature_log(test: &TestApp) -> anyhow::Result<()> {
    let rows = [
        (
            datetime!(2026-03-10 10:00 +07:00),
            LEADER_SIGNER,
            "Chữ ký lãnh đạo",
            "PASSED",
            "",
            "54",
        ),
        (
            datetime!(2026-03-12 15:30 +07:00),
            TRICKY_SIGNER,
            FORMULA_FIELD,
            "INDETERMINATE",
            "NO_CERTIFICATE_CHAIN_FOUND,TRY_LATER",
            "0A1B",
        ),
        (
            datetime!(2026-02-20 08:00 +07:00),
            "CN=Lê Văn Cường,C=VN",
            "Signature1",
            "FAILED",
            "HASH_FAILURE",
            "77",
        ),
    ];
    log_signatures(test, &rows).await
}

/// Logs `rows` in the demo organisation through `db`.
async fn log_signatures(test: &TestApp, rows: &[Row<'_>]) -> anyhow::Result<()> {
    let auditor = test.actor("kiemtra").await?;
    let db = db::Db::connect(&db::Config {
        url: SecretString::from(test.db.url().to_owned()),
        max_connections: 1,
    })
    .await?;
    let tx = db.begin_write().await?;
    for &(checked_at, subject, field, conclusion, reasons, serial) in rows {
        db::signature_log::insert(
            &tx,
            db::signature_log::NewEntry {
                organization_id: auditor.organization_id,
                document_id: None,
                blob_sha256: &"ab".repeat(32),
                field,
                is_document_timestamp: false,
                signer_subject: Some(subject),
                signer_issuer: Some("CN=Vanthu DEV ONLY Intermediate CA"),
                signer_serial: Some(serial),
                certificate: Some("MIIB"),
                chain: None,
                signing_time: Some(checked_at - time::Duration::hours(1)),
                timestamp_time: None,
                algorithm: Some("rsa-pkcs1v15-sha256"),
                level: Some("B-LT"),
                revocation: Some("passed: OCSP response from the DSS, good"),
                conclusion,
                reasons,
                checked_at,
                checked_by: "vanthu",
                origin: db::signature_log::Origin::Checked,
            },
        )
        .await?;
    }
    tx.commit().await?;
    db.close().await;
    Ok(())
}

/// Runs a Python snippet of the oracles environment with `args`; returns its stdout as JSON.
fn python(script: &str, args: &[&Path]) -> anyhow::Result<Value> {
    let program = testkit::oracles::oracles_venv().join("bin").join("python");
    let output = Command::new(&program)
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .map_err(|error| anyhow::anyhow!("running {}: {error}", program.display()))?;
    anyhow::ensure!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(serde_json::from_slice(&output.stdout)?)
}

/// The CSV read by Python's `csv` module: the rows, the first bytes, and the file's SHA-256.
fn read_csv(bytes: &[u8]) -> anyhow::Result<Value> {
    let file = temp_file(bytes, ".csv")?;
    python(
        r#"
import csv, hashlib, io, json, sys
data = open(sys.argv[1], "rb").read()
rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
print(json.dumps({"bom": data[:3].hex(), "crlf": data.count(b"\r\n"), "sha256": hashlib.sha256(data).hexdigest(), "rows": rows}))
"#,
        &[file.path()],
    )
}

/// The XLSX read by openpyxl: sheet names and every row, empty cells as "".
fn read_xlsx(bytes: &[u8]) -> anyhow::Result<Value> {
    let file = temp_file(bytes, ".xlsx")?;
    python(
        r#"
import hashlib, json, sys, openpyxl
data = open(sys.argv[1], "rb").read()
book = openpyxl.load_workbook(sys.argv[1], read_only=True)
sheets = {name: [["" if cell is None else cell for cell in row] for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}
print(json.dumps({"names": book.sheetnames, "sheets": sheets, "sha256": hashlib.sha256(data).hexdigest()}))
"#,
        &[file.path()],
    )
}

/// `bytes` in a temporary file named `*{suffix}` (openpyxl goes by the extension).
fn temp_file(bytes: &[u8], suffix: &str) -> anyhow::Result<tempfile::NamedTempFile> {
    let file = tempfile::Builder::new().suffix(suffix).tempfile()?;
    std::fs::write(file.path(), bytes)?;
    Ok(file)
}

fn texts(row: &Value) -> Vec<String> {
    row.as_array()
        .map(|cells| {
            cells
                .iter()
                .map(|cell| match cell {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn exports_carry_the_log_and_the_trail_intact(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    seed_signature_log(&test).await?;
    let operation = app::OperationId::new("export-story");
    let clerk = test.actor("vanthu").await?;
    test.app
        .receive_incoming(
            &clerk,
            app::IncomingUpload {
                file_name: "Công văn, số \"12\".pdf".to_owned(),
                bytes: testkit::minimal_pdf("export story"),
                metadata: app::IncomingMetadata::default(),
            },
            &operation,
        )
        .await?;
    let auditor = test.actor("kiemtra").await?;
    let march = app::AuditExportFilter::parse(None, Some("2026-03-01"), Some("2026-03-14"), None)?;

    // CSV of the signature log: the two March rows, in order, text intact, formula defused.
    let export = test
        .app
        .export_audit(&auditor, march.clone(), app::ExportFormat::Csv, &operation)
        .await?;
    anyhow::ensure!(export.content_type == "text/csv; charset=utf-8");
    anyhow::ensure!(
        export.file_name == "vanthu-signatures-2026-03-15.csv",
        "{}",
        export.file_name
    );
    let csv = read_csv(&export.bytes)?;
    anyhow::ensure!(csv["bom"] == "efbbbf", "{csv}");
    anyhow::ensure!(csv["sha256"] == export.sha256.as_str(), "manifest {csv}");
    let rows = csv["rows"].as_array().unwrap();
    anyhow::ensure!(rows.len() == 3, "header and two rows: {csv}");
    anyhow::ensure!(csv["crlf"] == 3, "one CRLF per record: {csv}");
    let header = texts(&rows[0]);
    anyhow::ensure!(
        header[..3] == ["Mã bản ghi", "Thời điểm kiểm tra", "Nguồn"]
            && header[8] == "Người ký"
            && header[16] == "Kết luận",
        "{header:?}"
    );
    let first = texts(&rows[1]);
    let second = texts(&rows[2]);
    anyhow::ensure!(
        first[1] == "2026-03-10T10:00:00+07:00"
            && first[6] == "Chữ ký lãnh đạo"
            && first[8] == LEADER_SIGNER
            && first[16] == "PASSED"
            && first[17].is_empty(),
        "{first:?}"
    );
    anyhow::ensure!(
        second[8] == TRICKY_SIGNER
            && second[6] == format!("'{FORMULA_FIELD}")
            && second[10] == "0A1B"
            && second[16] == "INDETERMINATE"
            && second[17] == "NO_CERTIFICATE_CHAIN_FOUND,TRY_LATER",
        "{second:?}"
    );

    // The signer filter ignores case, Vietnamese letters included.
    let nguyen = app::AuditExportFilter::parse(None, None, None, Some("nguyỄn văn"))?;
    let export = test
        .app
        .export_audit(&auditor, nguyen, app::ExportFormat::Csv, &operation)
        .await?;
    let rows = read_csv(&export.bytes)?["rows"].clone();
    let rows = rows.as_array().unwrap();
    anyhow::ensure!(
        rows.len() == 2 && texts(&rows[1])[8] == LEADER_SIGNER,
        "{rows:?}"
    );

    // CSV of the audit trail: the upload's details (a Vietnamese name with a comma and quotes)
    // come back byte for byte, and parse as the JSON they were.
    let events = app::AuditExportFilter::parse(Some("events"), None, None, None)?;
    let export = test
        .app
        .export_audit(&auditor, events, app::ExportFormat::Csv, &operation)
        .await?;
    anyhow::ensure!(export.file_name == "vanthu-events-2026-03-15.csv");
    let csv = read_csv(&export.bytes)?;
    let rows = csv["rows"].as_array().unwrap();
    anyhow::ensure!(texts(&rows[0])[0] == "Số thứ tự", "{:?}", rows[0]);
    let received: Vec<Vec<String>> = rows
        .iter()
        .map(texts)
        .filter(|row| row[4] == "incoming.received")
        .collect();
    anyhow::ensure!(received.len() == 2, "{received:?}");
    let details: Value = serde_json::from_str(&received[1][6])?;
    anyhow::ensure!(
        details["file_name"] == "Công văn, số \"12\".pdf",
        "{details}"
    );
    anyhow::ensure!(
        received
            .iter()
            .all(|row| row[8].len() == 64 && row[9].len() == 64),
        "{received:?}"
    );

    // JSON: the same signature rows with English keys.
    let export = test
        .app
        .export_audit(&auditor, march, app::ExportFormat::Json, &operation)
        .await?;
    anyhow::ensure!(export.content_type == "application/json");
    let json: Value = serde_json::from_slice(&export.bytes)?;
    anyhow::ensure!(json["format"] == "vanthu-audit-export-v1", "{json}");
    anyhow::ensure!(json["filter"]["from"] == "2026-03-01", "{json}");
    let signatures = json["signatures"].as_array().unwrap();
    anyhow::ensure!(signatures.len() == 2, "{json}");
    anyhow::ensure!(
        signatures[1]["signer_subject"] == TRICKY_SIGNER
            && signatures[1]["field"] == FORMULA_FIELD
            && signatures[1]["reasons"]
                == serde_json::json!(["NO_CERTIFICATE_CHAIN_FOUND", "TRY_LATER"])
            && signatures[1]["certificate"] == "MIIB",
        "{}",
        signatures[1]
    );
    let hashed = python(
        "import hashlib, json, sys; print(json.dumps(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest()))",
        &[temp_file(&export.bytes, ".json")?.path()],
    )?;
    anyhow::ensure!(hashed == export.sha256.as_str(), "manifest {hashed}");

    // XLSX: both sheets, Vietnamese headers, the March signature rows and the March trail.
    let since_march = app::AuditExportFilter::parse(None, Some("2026-03-01"), None, None)?;
    let export = test
        .app
        .export_audit(&auditor, since_march, app::ExportFormat::Xlsx, &operation)
        .await?;
    anyhow::ensure!(export.file_name == "vanthu-audit-2026-03-15.xlsx");
    let xlsx = read_xlsx(&export.bytes)?;
    anyhow::ensure!(xlsx["sha256"] == export.sha256.as_str(), "manifest");
    anyhow::ensure!(
        xlsx["names"] == serde_json::json!(["Nhật ký chữ ký", "Nhật ký kiểm toán"]),
        "{}",
        xlsx["names"]
    );
    let log = xlsx["sheets"]["Nhật ký chữ ký"].as_array().unwrap();
    anyhow::ensure!(log.len() == 3, "{log:?}");
    anyhow::ensure!(texts(&log[0])[8] == "Người ký", "{:?}", log[0]);
    anyhow::ensure!(
        texts(&log[2])[8] == TRICKY_SIGNER && texts(&log[2])[6] == FORMULA_FIELD,
        "a cell is text, never a formula: {:?}",
        log[2]
    );
    let trail = xlsx["sheets"]["Nhật ký kiểm toán"].as_array().unwrap();
    anyhow::ensure!(
        texts(&trail[0])[..3] == ["Số thứ tự", "Thời điểm", "Mã tổ chức"],
        "{:?}",
        trail[0]
    );
    anyhow::ensure!(
        trail
            .iter()
            .skip(1)
            .map(texts)
            .filter(|row| row[4] == "audit.exported")
            .count()
            == 4,
        "the four earlier exports are in the trail"
    );

    // Every export is audited with its manifest, and the chain still verifies.
    let events = app::AuditExportFilter::parse(Some("events"), None, None, None)?;
    let export = test
        .app
        .export_audit(&auditor, events, app::ExportFormat::Json, &operation)
        .await?;
    let json: Value = serde_json::from_slice(&export.bytes)?;
    let exported: Vec<&Value> = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["action"] == "audit.exported")
        .collect();
    anyhow::ensure!(exported.len() == 5, "{exported:?}");
    let last: Value = serde_json::from_str(exported[4]["details"].as_str().unwrap())?;
    anyhow::ensure!(
        last["format"] == "xlsx" && last["sha256"] == xlsx["sha256"] && last["signatures"] == 2,
        "{last}"
    );
    anyhow::ensure!(test.app.verify_audit_chain().await?.is_intact());
    Ok(())
}

async fn only_auditors_export_over_http(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    seed_signature_log(&test).await?;
    let router = server::router(server::AppState::new(test.app.clone()));
    let token = |username: &'static str| {
        let router = router.clone();
        async move {
            let body =
                serde_json::json!({ "username": username, "password": testkit::TEST_PASSWORD });
            let request = Request::post("/api/v1/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))?;
            let (_, _, reply) = send(&router, request).await?;
            let reply: Value = serde_json::from_slice(&reply)?;
            anyhow::Ok(reply["token"].as_str().unwrap_or_default().to_owned())
        }
    };
    let get = |uri: &str, token: &str| {
        Request::get(uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
    };

    let clerk = token("vanthu").await?;
    let (status, headers, body) =
        send(&router, get("/api/v1/audit/export?format=csv", &clerk)?).await?;
    anyhow::ensure!(status == StatusCode::FORBIDDEN, "{status}");
    anyhow::ensure!(headers[header::CONTENT_TYPE] == "application/problem+json");
    let problem: Value = serde_json::from_slice(&body)?;
    anyhow::ensure!(problem["code"] == "auth.forbidden", "{problem}");

    let auditor = token("kiemtra").await?;
    let (status, headers, body) = send(
        &router,
        get(
            "/api/v1/audit/export?format=xlsx&from=2026-03-01&signer=Tr%E1%BA%A7n",
            &auditor,
        )?,
    )
    .await?;
    anyhow::ensure!(status == StatusCode::OK, "{status}: {body:?}");
    anyhow::ensure!(
        headers[header::CONTENT_TYPE]
            == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    anyhow::ensure!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()?
            .starts_with("attachment; filename=\"vanthu-audit-2026-03-15.xlsx\""),
        "{:?}",
        headers[header::CONTENT_DISPOSITION]
    );
    let xlsx = read_xlsx(&body)?;
    anyhow::ensure!(headers["x-content-sha256"] == xlsx["sha256"].as_str().unwrap_or_default());
    let log = xlsx["sheets"]["Nhật ký chữ ký"].as_array().unwrap();
    anyhow::ensure!(
        log.len() == 2 && texts(&log[1])[8] == TRICKY_SIGNER,
        "{log:?}"
    );

    // The administrator runs the system but reads no documents: no export either.
    let admin = token("quantri").await?;
    let (status, _, _) = send(
        &router,
        get("/api/v1/audit/export?format=json&what=events", &admin)?,
    )
    .await?;
    anyhow::ensure!(status == StatusCode::FORBIDDEN, "{status}");

    for (uri, status, code) in [
        (
            "/api/v1/audit/export?format=pdf&from=15/03/2026",
            422,
            "request.invalid",
        ),
        (
            "/api/v1/audit/export?format=csv&limit=5",
            400,
            "request.malformed_query",
        ),
        ("/api/v1/audit/export", 400, "request.malformed_query"),
    ] {
        let (actual, _, body) = send(&router, get(uri, &auditor)?).await?;
        let problem: Value = serde_json::from_slice(&body)?;
        anyhow::ensure!(
            actual.as_u16() == status && problem["code"] == code,
            "{uri}: {actual} {problem}"
        );
    }
    Ok(())
}

async fn send(
    router: &axum::Router,
    request: Request<Body>,
) -> anyhow::Result<(StatusCode, axum::http::HeaderMap, axum::body::Bytes)> {
    let response = router.clone().oneshot(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
    Ok((status, headers, body))
}

async fn vanthu(args: &[&str]) -> anyhow::Result<ExitCode> {
    let args: Vec<OsString> = std::iter::once("vanthu")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    cli::run(args).await
}

async fn the_cli_writes_the_export_and_its_sha256sum_manifest(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    seed_signature_log(&test).await?;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("vanthu.toml");
    std::fs::write(&config, test.config_file_text())?;
    let config = config.to_str().unwrap();
    let output = dir.path().join("nhat-ky.csv");
    let output_text = output.to_str().unwrap();
    let export = [
        "--config",
        config,
        "audit",
        "export",
        "--format",
        "csv",
        "--from",
        "2026-03-01",
        "--signer",
        "Trần",
        "-o",
        output_text,
    ];
    anyhow::ensure!(vanthu(&export).await? == ExitCode::SUCCESS);
    let bytes = std::fs::read(&output)?;
    let csv = read_csv(&bytes)?;
    let rows = csv["rows"].as_array().unwrap();
    anyhow::ensure!(
        rows.len() == 2 && texts(&rows[1])[8] == TRICKY_SIGNER,
        "{rows:?}"
    );
    let manifest = std::fs::read_to_string(dir.path().join("nhat-ky.csv.sha256"))?;
    anyhow::ensure!(
        manifest == format!("{}  nhat-ky.csv\n", csv["sha256"].as_str().unwrap()),
        "{manifest:?}"
    );
    let check = Command::new("sha256sum")
        .args(["--check", "nhat-ky.csv.sha256"])
        .current_dir(dir.path())
        .output()?;
    anyhow::ensure!(
        check.status.success(),
        "sha256sum -c: {}",
        String::from_utf8_lossy(&check.stdout)
    );

    // An existing file is never overwritten without --force.
    let refused = vanthu(&export).await;
    anyhow::ensure!(
        refused
            .as_ref()
            .is_err_and(|error| format!("{error:#}").contains("pass --force")),
        "{refused:?}"
    );
    anyhow::ensure!(std::fs::read(&output)? == bytes);
    let mut forced = export.to_vec();
    forced.extend(["--force", "--what", "events"]);
    anyhow::ensure!(vanthu(&forced).await? == ExitCode::SUCCESS);
    let events = read_csv(&std::fs::read(&output)?)?;
    anyhow::ensure!(
        texts(&events["rows"][0])[0] == "Số thứ tự",
        "{}",
        events["rows"][0]
    );

    // The export ran as `system`, and the verification prints the checkpoint count.
    let trail = test
        .app
        .export_audit(
            &test.actor("kiemtra").await?,
            app::AuditExportFilter::parse(Some("events"), None, None, None)?,
            app::ExportFormat::Json,
            &app::OperationId::new("check"),
        )
        .await?;
    let json: Value = serde_json::from_slice(&trail.bytes)?;
    let by_system = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["action"] == "audit.exported" && event["actor"] == "system")
        .count();
    anyhow::ensure!(by_system == 2, "{json}");
    anyhow::ensure!(
        vanthu(&["--config", config, "audit", "verify", "--json"]).await? == ExitCode::SUCCESS
    );
    Ok(())
}

/// The demo plan signed at B-LT by the dev leader key, with the dev TSA and OCSP responder on
/// loopback: the file carries its OCSP response in the DSS.
async fn signed_plan() -> anyhow::Result<Vec<u8>> {
    let tsa = testkit::services::DevTsa::start().await?;
    // The certificates name the well-known responder for the intermediate's CRL as well.
    let ocsp = testkit::services::DevOcsp::start_well_known().await?;
    let dir = tempfile::tempdir()?;
    let input = dir.path().join("in.pdf");
    std::fs::write(
        &input,
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../crates/app/demo/ke-hoach-cai-cach-hanh-chinh-2024.pdf"
        ))?,
    )?;
    let request = app::signing::SignFileRequest {
        input,
        output: dir.path().join("out.pdf"),
        key: app::signing::KeySource::Pkcs12 {
            path: testkit::oracles::certs_dev().join("leader-rsa.p12"),
            password: SecretString::from("vanthu-dev".to_owned()),
        },
        level: "b-lt".to_owned(),
        tsa_url: Some(tsa.url.clone()),
        ocsp_url: Some(ocsp.url.clone()),
        field: Some("Chữ ký lãnh đạo".to_owned()),
        visible: None,
        image: None,
        reason: None,
        location: None,
        trust: vec![testkit::oracles::certs_dev().join("root-ca.pem")],
        document_password: None,
        crl_files: Vec::new(),
        preference: app::signing::preference(app::signing::HashChoice::Sha256, false),
    };
    let output = request.output.clone();
    tokio::task::spawn_blocking(move || app::signing::sign_file(&request, testkit::TEST_NOW))
        .await??;
    Ok(std::fs::read(output)?)
}

/// Intake checks a signed upload offline and logs one row per signature with the document, with
/// the certificates and the OCSP response the file carries.
async fn a_signed_upload_is_registered_with_its_signatures_logged(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let signed = signed_plan().await?;
    let operation = app::OperationId::new("signed-intake");
    let clerk = test.actor("vanthu").await?;
    let received = test
        .app
        .receive_incoming(
            &clerk,
            app::IncomingUpload {
                file_name: "ke-hoach-da-ky.pdf".to_owned(),
                bytes: signed.clone(),
                metadata: app::IncomingMetadata::default(),
            },
            &operation,
        )
        .await?;
    let logged = test.app.document_signatures(&clerk, received.id).await?;
    let summaries: Vec<app::SignatureSummary> =
        logged.iter().map(app::SignatureRecord::summary).collect();
    anyhow::ensure!(summaries == received.signatures, "{logged:?}");

    let auditor = test.actor("kiemtra").await?;
    let trail = test
        .app
        .export_audit(
            &auditor,
            app::AuditExportFilter::parse(Some("events"), None, None, None)?,
            app::ExportFormat::Json,
            &operation,
        )
        .await?;
    let trail: Value = serde_json::from_slice(&trail.bytes)?;
    let intake = trail["events"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|event| event["action"] == "incoming.received")
        .unwrap();
    let details: Value = serde_json::from_str(intake["details"].as_str().unwrap())?;
    anyhow::ensure!(
        details["signatures"].is_object(),
        "a signed upload's event says what its check found: {details}"
    );
    anyhow::ensure!(
        details["signatures"]["count"] == logged.len()
            || (logged.is_empty() && details["signatures"]["count"].is_null()),
        "{details}"
    );

    let [signature] = logged.as_slice() else {
        anyhow::bail!("one signature expected: {logged:?}");
    };
    anyhow::ensure!(
        signature.field == "Chữ ký lãnh đạo"
            && signature
                .signer_subject
                .as_deref()
                .is_some_and(|subject| subject.contains("Nguyễn Văn An"))
            && signature.certificate.is_some()
            && !signature.chain.is_empty()
            && signature.algorithm.as_deref() == Some("rsa-pkcs1v15-sha256")
            && signature.level.as_deref() == Some("B-LT")
            && signature.timestamp_time.is_some()
            && signature.checked_by == "vanthu"
            && signature.origin == "checked",
        "{signature:?}"
    );
    // The OCSP response the file carries for the signer is kept with the row.
    anyhow::ensure!(
        signature
            .revocation
            .as_deref()
            .is_some_and(|text| text.contains("[ocsp good, this update "))
            && signature
                .revocation_evidence
                .as_deref()
                .is_some_and(|evidence| evidence.starts_with("ocsp:MII")),
        "{signature:?}"
    );
    let again = test
        .app
        .validate_document(&auditor, received.id, &operation)
        .await?;
    anyhow::ensure!(
        again.len() == 1 && again[0].checked_by == "kiemtra" && again[0].id > signature.id,
        "{again:?}"
    );
    Ok(())
}

/// A secret document's signatures and events stay out of an export made by an auditor who is not
/// cleared for it.
async fn secret_documents_stay_out_of_uncleared_exports(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let signed = signed_plan().await?;
    let operation = app::OperationId::new("secret-intake");
    let clerk = test.actor("vanthu").await?;
    let secret = test
        .app
        .receive_incoming(
            &clerk,
            app::IncomingUpload {
                file_name: "mat.pdf".to_owned(),
                bytes: signed,
                metadata: app::IncomingMetadata {
                    secrecy: Some("confidential".to_owned()),
                    ..Default::default()
                },
            },
            &operation,
        )
        .await?;
    anyhow::ensure!(
        !secret.signatures.is_empty(),
        "the secret upload was signed"
    );
    let auditor = test.actor("kiemtra").await?;
    let export = |what: &'static str| {
        let app = test.app.clone();
        let auditor = auditor.clone();
        let operation = operation.clone();
        async move {
            let export = app
                .export_audit(
                    &auditor,
                    app::AuditExportFilter::parse(Some(what), None, None, None)?,
                    app::ExportFormat::Json,
                    &operation,
                )
                .await?;
            anyhow::Ok(serde_json::from_slice::<Value>(&export.bytes)?)
        }
    };
    let signatures = export("signatures").await?;
    let events = export("events").await?;
    let id = secret.id.get();
    anyhow::ensure!(
        signatures["signatures"]
            .as_array()
            .is_some_and(|rows| rows.iter().all(|row| row["document_id"] != id)),
        "{signatures}"
    );
    let target = format!("document:{id}");
    anyhow::ensure!(
        events["events"]
            .as_array()
            .is_some_and(|rows| rows.iter().all(|row| row["target"] != target.as_str())),
        "{events}"
    );
    Ok(())
}

/// `from` and `to` are Vietnam calendar days, whatever offset a time was written with.
async fn dates_are_vietnam_days(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    log_signatures(
        &test,
        &[
            (
                datetime!(2026-03-09 16:30 UTC),
                "CN=Đêm trước",
                "A",
                "PASSED",
                "",
                "1",
            ),
            (
                datetime!(2026-03-09 18:30 UTC),
                "CN=Sáng sớm",
                "B",
                "PASSED",
                "",
                "2",
            ),
            (
                datetime!(2026-03-10 23:59:59.999999 +07:00),
                "CN=Nửa đêm",
                "C",
                "PASSED",
                "",
                "3",
            ),
            (
                datetime!(2026-03-10 17:00 UTC),
                "CN=Hôm sau",
                "D",
                "PASSED",
                "",
                "4",
            ),
        ],
    )
    .await?;
    let auditor = test.actor("kiemtra").await?;
    let day = app::AuditExportFilter::parse(None, Some("2026-03-10"), Some("2026-03-10"), None)?;
    let export = test
        .app
        .export_audit(
            &auditor,
            day,
            app::ExportFormat::Json,
            &app::OperationId::new("days"),
        )
        .await?;
    let json: Value = serde_json::from_slice(&export.bytes)?;
    let logged: Vec<(&str, &str)> = json["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            (
                row["field"].as_str().unwrap_or_default(),
                row["checked_at"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    anyhow::ensure!(
        logged
            == [
                ("B", "2026-03-10T01:30:00+07:00"),
                ("C", "2026-03-10T23:59:59.999999+07:00")
            ],
        "{logged:?}"
    );
    Ok(())
}

backend_tests!(
    secret_documents_stay_out_of_uncleared_exports,
    dates_are_vietnam_days,
    a_signed_upload_is_registered_with_its_signatures_logged,
    exports_carry_the_log_and_the_trail_intact,
    only_auditors_export_over_http,
    the_cli_writes_the_export_and_its_sha256sum_manifest,
);
