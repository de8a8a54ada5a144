//! OCR and bulk import: a scanned page of Vietnamese (an image-only PDF made here from the demo
//! plan, rendered at 300 dpi) is registered with an empty text layer, queued, recognised by
//! tesseract's `vie` model off the request path, and then found by its words with and without
//! diacritics; `vanthu import` registers a folder and reports each file (registered, duplicate,
//! rejected and why) with exit status 1; documents without a stored text get one back.
//!
//! These stories need tesseract with its Vietnamese model and poppler's `pdftoppm` (tests/run
//! installs them). Without them they say so and pass, unless `VANTHU_REQUIRE_OCR` is set.

use std::ffi::OsString;
use std::path::Path;
use std::process::{Command, ExitCode};

use serde_json::Value;
use testkit::TestApp;

use crate::api::axum_test_support::{get, post_multipart, send};
use crate::api::{login, router};
use crate::backend_tests;

backend_tests!(
    a_scanned_page_becomes_searchable_after_ocr,
    import_registers_a_folder_and_reports_every_file,
    documents_without_text_get_it_back
);

/// Whether tesseract (with `vie`) and pdftoppm are here; without them a story is skipped, or fails
/// when `VANTHU_REQUIRE_OCR` is set.
fn ocr_tools_present() -> bool {
    let vie = Command::new("tesseract")
        .arg("--list-langs")
        .output()
        .is_ok_and(|output| {
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .any(|line| line.trim() == "vie")
        });
    let pdftoppm = Command::new("pdftoppm").arg("-v").output().is_ok();
    if vie && pdftoppm {
        return true;
    }
    assert!(
        std::env::var_os("VANTHU_REQUIRE_OCR").is_none(),
        "VANTHU_REQUIRE_OCR is set but tesseract with the vie model or pdftoppm is missing"
    );
    eprintln!(
        "tesseract-ocr with tesseract-ocr-vie, or poppler-utils, is not installed: OCR not tested"
    );
    false
}

/// The demo reform plan, whose first page holds the text the scan is made of.
fn demo_plan_pdf() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../crates/app/demo/ke-hoach-cai-cach-hanh-chinh-2024.pdf"
    ))
}

/// A page of the demo plan as a PNG at `dpi` (what a scanner gives).
fn scanned_png(page: u32, dpi: u32) -> anyhow::Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let base = dir.path().join("page");
    let status = Command::new("pdftoppm")
        .args(["-q", "-gray", "-png", "-singlefile"])
        .args(["-f", &page.to_string(), "-l", &page.to_string()])
        .args(["-r", &dpi.to_string()])
        .arg(demo_plan_pdf())
        .arg(&base)
        .status()?;
    anyhow::ensure!(status.success(), "pdftoppm failed: {status}");
    Ok(std::fs::read(base.with_extension("png"))?)
}

/// A one-page PDF whose only content is `png` (8-bit grey or RGB, not interlaced) drawn over the
/// page at `dpi`: no text layer at all, like the output of a plain scanner. The PNG's compressed
/// data is the image stream as it is (Flate with the PNG predictors, which PDF shares). Its XMP
/// metadata claims PDF/A-2B (as many scanners' output does; nothing here makes it true).
fn image_only_pdf(png: &[u8], dpi: u32) -> anyhow::Result<Vec<u8>> {
    anyhow::ensure!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let mut at = 8;
    let (mut width, mut height, mut colours) = (0_u32, 0_u32, 1_u8);
    let mut data = Vec::new();
    while at + 8 <= png.len() {
        let length = u32::from_be_bytes(png[at..at + 4].try_into()?) as usize;
        let kind = &png[at + 4..at + 8];
        let body = png
            .get(at + 8..at + 8 + length)
            .ok_or_else(|| anyhow::anyhow!("truncated PNG"))?;
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(body[0..4].try_into()?);
                height = u32::from_be_bytes(body[4..8].try_into()?);
                // pdftoppm writes RGB even with -gray; both grey and RGB are fine.
                anyhow::ensure!(
                    body[8] == 8 && matches!(body[9], 0 | 2) && body[12] == 0,
                    "expected an 8-bit grey or RGB, non-interlaced PNG"
                );
                colours = if body[9] == 0 { 1 } else { 3 };
            }
            b"IDAT" => data.extend_from_slice(body),
            _ => {}
        }
        at += 12 + length;
    }
    let points = |pixels: u32| f64::from(pixels) * 72.0 / f64::from(dpi);
    let (page_width, page_height) = (points(width), points(height));
    let content = format!("q {page_width:.2} 0 0 {page_height:.2} 0 0 cm /Im1 Do Q\n");

    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |pdf: &mut Vec<u8>, head: String, stream: Option<&[u8]>| {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{head}", offsets.len()).as_bytes());
        if let Some(stream) = stream {
            pdf.extend_from_slice(b"\nstream\n");
            pdf.extend_from_slice(stream);
            pdf.extend_from_slice(b"\nendstream");
        }
        pdf.extend_from_slice(b"\nendobj\n");
    };
    object(
        &mut pdf,
        "<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R >>".to_owned(),
        None,
    );
    object(
        &mut pdf,
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        None,
    );
    object(
        &mut pdf,
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_width:.2} {page_height:.2}] \
             /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>"
        ),
        None,
    );
    object(
        &mut pdf,
        format!(
            "<< /Type /XObject /Subtype /Image /Width {width} /Height {height} \
             /ColorSpace /{} /BitsPerComponent 8 /Filter /FlateDecode \
             /DecodeParms << /Predictor 15 /Colors {colours} /BitsPerComponent 8 /Columns {width} >> \
             /Length {} >>",
            if colours == 1 {
                "DeviceGray"
            } else {
                "DeviceRGB"
            },
            data.len()
        ),
        Some(&data),
    );
    object(
        &mut pdf,
        format!("<< /Length {} >>", content.len()),
        Some(content.as_bytes()),
    );
    let xmp = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:part="2" pdfaid:conformance="B"/></rdf:RDF></x:xmpmeta>"#;
    object(
        &mut pdf,
        format!("<< /Type /Metadata /Subtype /XML /Length {} >>", xmp.len()),
        Some(xmp.as_bytes()),
    );
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes(),
    );
    for offset in &offsets {
        pdf.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    Ok(pdf)
}

/// Runs a search as `token`; returns the hit ids.
async fn search_ids(router: &axum::Router, token: &str, query: &str) -> anyhow::Result<Vec<i64>> {
    let reply = send(
        router,
        get(&format!("/api/v1/search?q={query}&limit=50"), Some(token)),
    )
    .await;
    anyhow::ensure!(
        reply.status == 200,
        "search {query}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    Ok(reply.json()["hits"]
        .as_array()
        .map(|hits| hits.iter().filter_map(|hit| hit["id"].as_i64()).collect())
        .unwrap_or_default())
}

async fn texts(router: &axum::Router, token: &str, id: i64) -> anyhow::Result<Value> {
    let reply = send(
        router,
        get(&format!("/api/v1/documents/{id}/text"), Some(token)),
    )
    .await;
    anyhow::ensure!(
        reply.status == 200,
        "texts of {id}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    Ok(reply.json())
}

async fn a_scanned_page_becomes_searchable_after_ocr(db: testkit::TestDb) -> anyhow::Result<()> {
    if !ocr_tools_present() {
        return Ok(());
    }
    let test = TestApp::start_with(db, |config| config.uploads.max_bytes = 8 * 1024 * 1024).await?;
    let router = router(&test);
    let clerk = login(&router, "vanthu").await;

    let scan = image_only_pdf(&scanned_png(1, 300)?, 300)?;
    let id = upload(&router, &clerk, &scan).await?;

    // The text layer is empty, so the document is queued; intake did not wait for OCR.
    let before = texts(&router, &clerk, id).await?;
    assert_eq!(before["layer"]["needs_ocr"], true, "{before}");
    assert_eq!(before["layer"]["chars"], 0, "{before}");
    assert_eq!(before["ocr"]["status"], "pending", "{before}");
    let words = "k%E1%BB%B7%20c%C6%B0%C6%A1ng"; // "kỷ cương"
    assert!(!search_ids(&router, &clerk, words).await?.contains(&id));

    // The worker's run (as `vanthu ocr` and the server's background task do it).
    let report = test.app.run_ocr_queue(None, &|_| {}).await?;
    assert_eq!(report.runs.len(), 1, "{report:?}");
    let run = &report.runs[0];
    assert_eq!((run.status, run.pages), ("done", 1), "{run:?}");
    eprintln!("OCR of one A4 page at 300 dpi took {} ms", run.millis);
    assert_eq!(report.still_pending, 0);

    let after = texts(&router, &clerk, id).await?;
    assert_eq!(after["ocr"]["status"], "done", "{after}");
    assert_eq!(after["ocr"]["pages"], 1, "{after}");
    assert!(
        after["ocr"]["engine"]
            .as_str()
            .is_some_and(|engine| engine.starts_with("tesseract") && engine.contains("vie")),
        "{after}"
    );
    let text = after["ocr"]["text"].as_str().unwrap_or_default();
    for phrase in [
        "Cải cách hành chính năm 2024",
        "Ủy ban nhân dân",
        "kỷ cương",
    ] {
        assert!(text.contains(phrase), "{phrase:?} not in {text}");
    }
    // The text layer's own row is untouched: OCR is a separate derivative.
    assert_eq!(after["layer"], before["layer"]);

    // Found by its words, with and without diacritics, and still after a rebuild.
    assert!(search_ids(&router, &clerk, words).await?.contains(&id));
    assert!(
        search_ids(&router, &clerk, "ky%20cuong")
            .await?
            .contains(&id)
    );
    test.app.reindex().await?;
    assert!(
        search_ids(&router, &clerk, "ky%20cuong")
            .await?
            .contains(&id)
    );

    // The stored original is the uploaded scan, byte for byte.
    let file = send(
        &router,
        get(&format!("/api/v1/documents/{id}/file"), Some(&clerk)),
    )
    .await;
    assert_eq!(file.status, 200);
    assert_eq!(file.body, scan);

    // Scope: an unknown document is not found; the administrator reads no documents.
    send(&router, get("/api/v1/documents/999999/text", Some(&clerk)))
        .await
        .assert_problem(404, "not_found");
    let admin = login(&router, "quantri").await;
    send(
        &router,
        get(&format!("/api/v1/documents/{id}/text"), Some(&admin)),
    )
    .await
    .assert_problem(403, "auth.forbidden");
    // An officer reads only what was assigned to them: the text of this scan is not theirs.
    let officer = login(&router, "chuyenvien").await;
    send(
        &router,
        get(&format!("/api/v1/documents/{id}/text"), Some(&officer)),
    )
    .await
    .assert_problem(404, "not_found");

    // The intake recorded the claimed PDF/A level; the run is in the audit trail, whose chain
    // still holds.
    let db = db::Db::connect(&db::Config {
        url: secrecy::SecretString::from(test.db.url().to_owned()),
        max_connections: 1,
    })
    .await?;
    let events = db::audit::events_after(&db, 0, 10_000).await?;
    db.close().await;
    let target = format!("document:{id}");
    let of_scan = |action: &str| {
        events
            .iter()
            .find(|stored| stored.event.action == action && stored.event.target == target)
            .map(|stored| stored.event.details.clone())
    };
    let received = of_scan("incoming.received").unwrap_or_default();
    assert!(
        received.contains(r#""pdfa_claim":"PDF/A-2B""#),
        "{received}"
    );
    let recognised = of_scan("document.text_recognized").unwrap_or_default();
    assert!(recognised.contains(r#""status":"done""#), "{recognised}");
    assert!(test.app.verify_audit_chain().await?.is_intact());

    // Nothing left to do: a second run takes nothing.
    assert!(test.app.run_ocr_queue(None, &|_| {}).await?.runs.is_empty());

    // The server's background worker: woken by the intake, it recognises the next scan itself.
    let worker = test.app.spawn_ocr_worker();
    let second = upload(
        &router,
        &clerk,
        &image_only_pdf(&scanned_png(2, 300)?, 300)?,
    )
    .await?;
    let mut status = Value::Null;
    for _ in 0..1500 {
        status = texts(&router, &clerk, second).await?["ocr"]["status"].clone();
        if status == "done" || status == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(status, "done");
    // The index is updated just after the commit that stores the text.
    let mut found = Vec::new();
    for _ in 0..100 {
        found = search_ids(&router, &clerk, "van%20hoa%20cong%20so").await?;
        if found.contains(&second) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    drop(worker);
    assert!(found.contains(&second) && !found.contains(&id), "{found:?}");
    Ok(())
}

/// Uploads a PDF as the clerk; returns the new document's id.
async fn upload(router: &axum::Router, token: &str, pdf: &[u8]) -> anyhow::Result<i64> {
    let reply = send(
        router,
        post_multipart(
            "/api/v1/incoming",
            Some(token),
            &[
                ("file", Some("ban-quet.pdf"), pdf),
                ("subject", None, "Bản quét".as_bytes()),
            ],
        ),
    )
    .await;
    anyhow::ensure!(
        reply.status == 201,
        "upload: {}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["id"]
        .as_i64()
        .ok_or_else(|| anyhow::anyhow!("no id in {}", reply.json()))
}

async fn vanthu(args: &[&str]) -> anyhow::Result<ExitCode> {
    let args: Vec<OsString> = std::iter::once("vanthu")
        .chain(args.iter().copied())
        .map(OsString::from)
        .collect();
    cli::run(args).await
}

async fn import_registers_a_folder_and_reports_every_file(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let with_scans = ocr_tools_present();
    let test = TestApp::start(db).await?;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("vanthu.toml");
    std::fs::write(&config, test.config_file_text())?;
    let config = config.to_str().unwrap_or_default();

    let inbox = dir.path().join("inbox");
    std::fs::create_dir_all(inbox.join("sub"))?;
    let good = testkit::minimal_pdf("Cong van nhap hang loat");
    std::fs::write(inbox.join("a-cong-van.pdf"), &good)?;
    std::fs::write(inbox.join("sub").join("b-ban-sao.pdf"), &good)?;
    std::fs::write(inbox.join("c-ghi-chu.txt"), "không phải PDF")?;
    std::fs::write(
        inbox.join("d-hong.pdf"),
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catal",
    )?;
    if with_scans {
        std::fs::write(inbox.join("e-ban-quet.png"), scanned_png(1, 150)?)?;
    }
    let report = dir.path().join("report.json");
    let code = vanthu(&[
        "--config",
        config,
        "import",
        "--as",
        "vanthu",
        inbox.to_str().unwrap_or_default(),
        "--report",
        report.to_str().unwrap_or_default(),
    ])
    .await?;
    assert_eq!(code, ExitCode::FAILURE, "files were rejected");
    let summary: Value = serde_json::from_slice(&std::fs::read(&report)?)?;
    let files = if with_scans { 5 } else { 4 };
    assert_eq!(summary["files"], files, "{summary}");

    let registered = summary["registered"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        registered.len(),
        if with_scans { 2 } else { 1 },
        "{summary}"
    );
    assert!(
        registered[0]["path"]
            .as_str()
            .is_some_and(|path| path.ends_with("a-cong-van.pdf"))
    );
    assert_eq!(registered[0]["form"], "pdf");
    let first = registered[0]["id"].as_i64().unwrap_or_default();
    let arrival = registered[0]["arrival_number"].as_i64().unwrap_or_default();
    assert!(arrival >= 1, "{summary}");

    let duplicates = summary["duplicates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(duplicates.len(), 1, "{summary}");
    assert!(
        duplicates[0]["path"]
            .as_str()
            .is_some_and(|path| path.ends_with("b-ban-sao.pdf"))
    );
    assert_eq!(duplicates[0]["existing"], first, "{summary}");

    let rejected = summary["rejected"].as_array().cloned().unwrap_or_default();
    let reasons: Vec<(&str, &str)> = rejected
        .iter()
        .map(|entry| {
            let path = entry["path"].as_str().unwrap_or_default();
            let name = path.rsplit('/').next().unwrap_or_default();
            (name, entry["code"].as_str().unwrap_or_default())
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("c-ghi-chu.txt", "document.not_pdf"),
            ("d-hong.pdf", "document.corrupt_pdf")
        ],
        "{summary}"
    );
    assert!(
        rejected
            .iter()
            .all(|entry| entry["reason"].as_str().is_some_and(|r| !r.is_empty()))
    );

    // The registered documents are in the clerk's register, the scan as a two-layer PDF whose
    // text layer needs no OCR.
    let clerk = test.actor("vanthu").await?;
    let listed = test.app.list_incoming(&clerk).await?;
    assert!(listed.iter().any(|document| document.id.get() == first));
    if with_scans {
        assert_eq!(registered[1]["form"], "scan", "{summary}");
        let scan = domain::ids::DocumentId(registered[1]["id"].as_i64().unwrap_or_default());
        let document = listed
            .iter()
            .find(|document| document.id == scan)
            .ok_or_else(|| anyhow::anyhow!("the scan is not listed"))?;
        assert_eq!(document.file_name, "e-ban-quet.pdf");
        let texts = test.app.document_texts(&clerk, scan).await?;
        let layer = texts
            .layer
            .ok_or_else(|| anyhow::anyhow!("no text layer"))?;
        assert!(!layer.needs_ocr, "{layer:?}");
        assert!(layer.text.contains("hành chính"), "{layer:?}");
        assert!(texts.ocr.is_none());
    }

    // Importing the same folder again: all duplicates or rejected, nothing new.
    let again = dir.path().join("again.json");
    let code = vanthu(&[
        "--config",
        config,
        "import",
        "--as",
        "vanthu",
        inbox.to_str().unwrap_or_default(),
        "--report",
        again.to_str().unwrap_or_default(),
    ])
    .await?;
    assert_eq!(code, ExitCode::FAILURE);
    let again: Value = serde_json::from_slice(&std::fs::read(&again)?)?;
    assert_eq!(
        again["registered"].as_array().map(Vec::len),
        Some(0),
        "{again}"
    );
    assert_eq!(
        again["duplicates"].as_array().map(Vec::len),
        Some(if with_scans { 3 } else { 2 }),
        "{again}"
    );

    // Only a clerk registers: an officer's import rejects every file; an unknown user is an error.
    let good_only = dir.path().join("good-only");
    std::fs::create_dir_all(&good_only)?;
    std::fs::write(
        good_only.join("x.pdf"),
        testkit::minimal_pdf("Khong duoc phep"),
    )?;
    let refused = dir.path().join("refused.json");
    let code = vanthu(&[
        "--config",
        config,
        "import",
        "--as",
        "chuyenvien",
        good_only.to_str().unwrap_or_default(),
        "--report",
        refused.to_str().unwrap_or_default(),
    ])
    .await?;
    assert_eq!(code, ExitCode::FAILURE);
    let refused: Value = serde_json::from_slice(&std::fs::read(&refused)?)?;
    assert_eq!(
        refused["rejected"][0]["code"], "auth.forbidden",
        "{refused}"
    );
    assert!(
        vanthu(&[
            "--config",
            config,
            "import",
            "--as",
            "khong-co",
            good_only.to_str().unwrap_or_default()
        ])
        .await
        .is_err()
    );

    // Nothing is waiting (the scan arrived with its text layer): `vanthu ocr` has nothing to do.
    assert_eq!(
        vanthu(&["--config", config, "ocr", "--json"]).await?,
        ExitCode::SUCCESS
    );
    // The queue is visible from the command line.
    assert_eq!(
        vanthu(&["--config", config, "ocr", "--status", "--json"]).await?,
        ExitCode::SUCCESS
    );
    Ok(())
}

async fn documents_without_text_get_it_back(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let clerk = test.actor("vanthu").await?;
    // The demo plan was registered with its text; drop the row, as for a document registered
    // before text extraction existed.
    let removed = testkit::execute_sql(test.db.url(), "DELETE FROM document_texts").await?;
    assert!(removed >= 1);
    let plan = test
        .app
        .list_incoming(&clerk)
        .await?
        .into_iter()
        .find(|document| document.number_symbol.as_deref() == Some("06/KH-UBND"))
        .ok_or_else(|| anyhow::anyhow!("no demo plan"))?;
    assert!(
        test.app
            .document_texts(&clerk, plan.id)
            .await?
            .layer
            .is_none()
    );

    let report = test.app.backfill_texts().await?;
    assert_eq!(report.extracted, removed, "{report:?}");
    assert_eq!((report.queued_for_ocr, report.unreadable), (0, 0));
    let layer = test
        .app
        .document_texts(&clerk, plan.id)
        .await?
        .layer
        .ok_or_else(|| anyhow::anyhow!("no text after the backfill"))?;
    assert!(layer.text.contains("chính quyền điện tử"), "{layer:?}");
    // Nothing left to backfill.
    assert_eq!(test.app.backfill_texts().await?.extracted, 0);
    Ok(())
}
