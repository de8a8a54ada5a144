//! The audit chain of the intake story verifies, and any change to a stored event breaks it.

use secrecy::SecretString;
use testkit::TestApp;

use crate::backend_tests;

async fn story(test: &TestApp) -> anyhow::Result<()> {
    let operation = app::OperationId::new("audit-story");
    let clerk = test.actor("vanthu").await?;
    let upload = |text: &str| app::IncomingUpload {
        file_name: "x.pdf".to_owned(),
        bytes: testkit::minimal_pdf(text),
        metadata: app::IncomingMetadata::default(),
    };
    let first = test
        .app
        .receive_incoming(&clerk, upload("one"), &operation)
        .await?;
    test.app
        .receive_incoming(&clerk, upload("two"), &operation)
        .await?;
    test.app
        .download_document(&clerk, first.id, &operation)
        .await?;
    let wrong = test
        .app
        .login(
            "vanthu",
            &SecretString::from("wrong".to_owned()),
            &operation,
        )
        .await;
    anyhow::ensure!(matches!(wrong, Err(app::Error::InvalidCredentials)));
    test.actor("kiemtra").await?;
    test.actor("lanhdao").await?;
    Ok(())
}

async fn the_story_chain_verifies_and_every_tampering_breaks_it(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    story(&test).await?;
    let auditor = test.actor("kiemtra").await?;
    let report = test.app.verify_audit(&auditor).await?;
    anyhow::ensure!(
        report.is_intact(),
        "fresh chain broken: {:?}",
        report.broken
    );
    // seed (1) + demo plan (2) + login (3) + 2 uploads + download + failed login + 3 logins.
    anyhow::ensure!(
        report.events == 10,
        "unexpected event count {}",
        report.events
    );

    // Tamper from the end backwards, one column per event: each check must report the earliest
    // tampered event.
    let url = test.db.url().to_owned();
    let cases = [
        (
            10,
            "hash = CASE WHEN substr(hash, 1, 1) = 'f' THEN '0' ELSE 'f' END || substr(hash, 2)",
        ),
        (9, "prev_hash = hash"),
        (8, "details = '{\"forged\":true}'"),
        (7, "target = 'document:999'"),
        (6, "action = 'auth.logout'"),
        (5, "actor = 'lanhdao'"),
        (4, "at = '2020-01-01 00:00:00+00:00'"),
    ];
    for (seq, change) in cases {
        let changed = testkit::execute_sql(
            &url,
            &format!("UPDATE audit_events SET {change} WHERE seq = {seq}"),
        )
        .await?;
        anyhow::ensure!(
            changed == 1,
            "tampering with event {seq} changed {changed} rows"
        );
        let report = test.app.verify_audit_chain().await?;
        let broken = report.broken.unwrap_or_default();
        anyhow::ensure!(
            broken.starts_with(&format!("event {seq}:")),
            "after `{change}` on {seq}: {broken:?}"
        );
    }
    // Deleting an event leaves a gap.
    testkit::execute_sql(&url, "DELETE FROM audit_events WHERE seq = 2").await?;
    let broken = test
        .app
        .verify_audit_chain()
        .await?
        .broken
        .unwrap_or_default();
    anyhow::ensure!(
        broken.starts_with("event 3:"),
        "after deleting event 2: {broken:?}"
    );
    Ok(())
}

async fn truncating_the_tail_is_caught_by_the_head(db: testkit::TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    story(&test).await?;
    let deleted = testkit::execute_sql(
            test.db.url(),
            "DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM (SELECT seq FROM audit_events) AS events)",
        )
        .await?;
    anyhow::ensure!(deleted == 1, "deleted {deleted} events");
    let report = test.app.verify_audit_chain().await?;
    anyhow::ensure!(!report.is_intact(), "a removed last event went unnoticed");
    Ok(())
}

#[tokio::test]
async fn only_auditors_and_admins_verify() {
    let test = TestApp::start(testkit::TestDb::sqlite().unwrap())
        .await
        .unwrap();
    let clerk = test.actor("vanthu").await.unwrap();
    assert!(matches!(
        test.app.verify_audit(&clerk).await,
        Err(app::Error::Forbidden { .. })
    ));
    let admin = test.actor("quantri").await.unwrap();
    assert!(test.app.verify_audit(&admin).await.unwrap().is_intact());
}

backend_tests!(
    the_story_chain_verifies_and_every_tampering_breaks_it,
    truncating_the_tail_is_caught_by_the_head
);
