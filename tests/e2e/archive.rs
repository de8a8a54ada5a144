//! The fixity audit: a flipped byte in one stored file is reported by file and document, a deleted
//! file as missing, and the audit itself is recorded.

use std::path::PathBuf;

use secrecy::SecretString;
use testkit::TestApp;

use crate::backend_tests;

/// Where the blob store keeps the file with this SHA-256.
fn blob_path(test: &TestApp, sha256: &str) -> PathBuf {
    test.blob_dir
        .join(&sha256[0..2])
        .join(&sha256[2..4])
        .join(sha256)
}

async fn a_flipped_byte_and_a_deleted_file_are_reported_by_document(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let operation = app::OperationId::new("archive-story");
    let clerk = test.actor("vanthu").await?;
    let auditor = test.actor("kiemtra").await?;
    let upload = |name: &str, text: &str| app::IncomingUpload {
        file_name: name.to_owned(),
        bytes: testkit::minimal_pdf(text),
        metadata: app::IncomingMetadata::default(),
    };
    let first = test
        .app
        .receive_incoming(&clerk, upload("first.pdf", "one"), &operation)
        .await?;
    let second = test
        .app
        .receive_incoming(&clerk, upload("second.pdf", "two"), &operation)
        .await?;

    let intact = test
        .app
        .verify_archive(&auditor, &|_, _| {}, &operation)
        .await?;
    anyhow::ensure!(intact.intact(), "fresh archive damaged: {intact:?}");
    anyhow::ensure!(intact.checked == intact.ok, "{intact:?}");

    // Flip one byte in the middle of the first file.
    let path = blob_path(&test, &first.sha256);
    let mut bytes = std::fs::read(&path)?;
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&path, bytes)?;

    let calls = std::sync::Mutex::new(Vec::new());
    let report = test
        .app
        .verify_archive(
            &auditor,
            &|checked, total| calls.lock().unwrap().push((checked, total)),
            &operation,
        )
        .await?;
    anyhow::ensure!(!report.intact(), "{report:?}");
    anyhow::ensure!(
        report.altered.len() == 1 && report.missing.is_empty(),
        "{report:?}"
    );
    let altered = &report.altered[0];
    anyhow::ensure!(altered.sha256 == first.sha256, "{report:?}");
    anyhow::ensure!(altered.document_ids == vec![first.id.get()], "{report:?}");
    anyhow::ensure!(
        altered.file_names == vec!["first.pdf".to_owned()],
        "{report:?}"
    );
    anyhow::ensure!(report.ok == report.checked - 1, "{report:?}");
    anyhow::ensure!(report.unreferenced.is_empty(), "{report:?}");
    let calls = calls.into_inner().unwrap();
    anyhow::ensure!(
        calls.last() == Some(&(report.checked, report.checked)),
        "{calls:?}"
    );

    // Delete the second file: missing, by document.
    std::fs::remove_file(blob_path(&test, &second.sha256))?;
    let report = test
        .app
        .verify_archive(&auditor, &|_, _| {}, &operation)
        .await?;
    anyhow::ensure!(
        report.altered.len() == 1 && report.missing.len() == 1,
        "{report:?}"
    );
    let missing = &report.missing[0];
    anyhow::ensure!(missing.sha256 == second.sha256, "{report:?}");
    anyhow::ensure!(missing.document_ids == vec![second.id.get()], "{report:?}");
    anyhow::ensure!(
        missing.file_names == vec!["second.pdf".to_owned()],
        "{report:?}"
    );

    // A stored file no document names is listed, not deleted.
    let orphan = storage::FsBlobStore::open(&test.blob_dir)?;
    let orphan_id = storage::BlobStore::put(&orphan, b"left by a crash")?;
    let report = test
        .app
        .verify_archive(&auditor, &|_, _| {}, &operation)
        .await?;
    anyhow::ensure!(
        report.unreferenced == vec![orphan_id.as_str().to_owned()],
        "{report:?}"
    );
    anyhow::ensure!(blob_path(&test, orphan_id.as_str()).exists());

    // Each audit was recorded, with its counts.
    let db = db::Db::connect(&db::Config {
        url: SecretString::from(test.db.url().to_owned()),
        max_connections: 1,
    })
    .await?;
    let events = db::audit::events_after(&db, 0, 100_000).await?;
    db.close().await;
    let audits: Vec<_> = events
        .iter()
        .filter(|event| event.event.action == "archive.verified")
        .collect();
    anyhow::ensure!(audits.len() == 4, "{} archive audits", audits.len());
    let last = audits[3];
    anyhow::ensure!(last.event.actor == "kiemtra", "{last:?}");
    anyhow::ensure!(
        last.event.details.contains("\"altered\":1")
            && last.event.details.contains("\"missing\":1"),
        "{last:?}"
    );

    // The clerk may not run it.
    let refused = test
        .app
        .verify_archive(&clerk, &|_, _| {}, &operation)
        .await;
    anyhow::ensure!(
        matches!(refused, Err(app::Error::Forbidden { .. })),
        "{refused:?}"
    );
    Ok(())
}

backend_tests!(a_flipped_byte_and_a_deleted_file_are_reported_by_document);
