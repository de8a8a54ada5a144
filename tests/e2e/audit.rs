//! The audit chain of the intake story verifies, and any change to a stored event breaks it; a
//! signed checkpoint also catches what the chain and its head row cannot (a cut tail with a rewound
//! head, a recomputed chain).

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

/// The agency seal of the dev PKI, which signs checkpoints.
fn seal() -> app::signing::KeySource {
    app::signing::KeySource::Pkcs12 {
        path: testkit::oracles::certs_dev().join("seal-rsa.p12"),
        password: SecretString::from("vanthu-dev".to_owned()),
    }
}

/// The story, a checkpoint signed by the auditor, then more events after it; returns the app and
/// the checkpointed sequence number.
async fn checkpointed(db: testkit::TestDb) -> anyhow::Result<(TestApp, i64)> {
    let test = TestApp::start(db).await?;
    story(&test).await?;
    let operation = app::OperationId::new("checkpoint-story");
    let auditor = test.actor("kiemtra").await?;
    let (head_seq, head_hash) = {
        let report = test.app.verify_audit_chain().await?;
        (i64::try_from(report.events)?, report.head)
    };
    let checkpoint = test
        .app
        .checkpoint_audit(&auditor, seal(), &operation)
        .await?;
    anyhow::ensure!(
        (checkpoint.seq, checkpoint.hash) == (head_seq, head_hash),
        "the checkpoint signs the head: {checkpoint:?}"
    );
    anyhow::ensure!(checkpoint.signer.contains("DEV ONLY"), "{checkpoint:?}");
    let clerk = test.actor("vanthu").await?;
    test.app
        .receive_incoming(
            &clerk,
            app::IncomingUpload {
                file_name: "sau.pdf".to_owned(),
                bytes: testkit::minimal_pdf("after the checkpoint"),
                metadata: app::IncomingMetadata::default(),
            },
            &operation,
        )
        .await?;
    let report = test.app.verify_audit_chain().await?;
    anyhow::ensure!(report.is_intact(), "{:?}", report.broken);
    anyhow::ensure!(
        (report.checkpoints, report.last_checkpoint) == (1, Some(checkpoint.seq)),
        "{report:?}"
    );
    Ok((test, checkpoint.seq))
}

/// The first break `verify_audit_chain` reports.
async fn first_break(test: &TestApp) -> anyhow::Result<String> {
    let report = test.app.verify_audit_chain().await?;
    match report.broken {
        Some(broken) => Ok(broken),
        None => anyhow::bail!("the tampering went unnoticed: {report:?}"),
    }
}

async fn a_checkpointed_chain_reports_a_deleted_event(db: testkit::TestDb) -> anyhow::Result<()> {
    let (test, _) = checkpointed(db).await?;
    testkit::execute_sql(test.db.url(), "DELETE FROM audit_events WHERE seq = 6").await?;
    let broken = first_break(&test).await?;
    anyhow::ensure!(broken.starts_with("event 7: expected seq 6"), "{broken}");
    Ok(())
}

async fn a_checkpointed_chain_reports_two_swapped_events(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let (test, _) = checkpointed(db).await?;
    for statement in [
        "UPDATE audit_events SET seq = -4 WHERE seq = 4",
        "UPDATE audit_events SET seq = 4 WHERE seq = 5",
        "UPDATE audit_events SET seq = 5 WHERE seq = -4",
    ] {
        testkit::execute_sql(test.db.url(), statement).await?;
    }
    let broken = first_break(&test).await?;
    anyhow::ensure!(broken.starts_with("event 4:"), "{broken}");
    Ok(())
}

async fn a_checkpointed_chain_reports_an_edited_event(db: testkit::TestDb) -> anyhow::Result<()> {
    let (test, _) = checkpointed(db).await?;
    testkit::execute_sql(
        test.db.url(),
        "UPDATE audit_events SET details = '{\"forged\":true}' WHERE seq = 3",
    )
    .await?;
    let broken = first_break(&test).await?;
    anyhow::ensure!(
        broken == "event 3: stored hash does not match the event",
        "{broken}"
    );
    Ok(())
}

/// The attack the head row cannot catch: delete the newest events, the checkpointed one among
/// them, and rewind `audit_head` to the new last event. Only the checkpoint notices.
async fn a_cut_tail_with_a_rewound_head_is_caught_by_the_checkpoint(
    db: testkit::TestDb,
) -> anyhow::Result<()> {
    let (test, seq) = checkpointed(db).await?;
    let url = test.db.url().to_owned();
    let events = stored_events(&url).await?;
    let last_kept = events
        .iter()
        .find(|stored| stored.event.seq == seq - 1)
        .ok_or_else(|| anyhow::anyhow!("event {} missing", seq - 1))?;
    testkit::execute_sql(
        &url,
        &format!("DELETE FROM audit_events WHERE seq >= {seq}"),
    )
    .await?;
    testkit::execute_sql(
        &url,
        &format!(
            "UPDATE audit_head SET seq = {}, hash = '{}' WHERE id = 1",
            seq - 1,
            last_kept.hash.to_hex()
        ),
    )
    .await?;
    let broken = first_break(&test).await?;
    anyhow::ensure!(
        broken.starts_with(&format!("checkpoint 1 (event {seq}, signed "))
            && broken.ends_with(&format!(
                "the chain no longer holds event {seq}: events were removed"
            )),
        "{broken}"
    );

    // Without the checkpoint (deleted too, along with the event that recorded it) the cut chain
    // verifies: the head row alone is fooled, which is why checkpoints exist.
    testkit::execute_sql(&url, "DELETE FROM audit_checkpoints").await?;
    let report = test.app.verify_audit_chain().await?;
    anyhow::ensure!(report.is_intact() && report.checkpoints == 0, "{report:?}");
    Ok(())
}

/// Rewriting history and recomputing every later hash (the chain hash has no key) passes the
/// link and head checks; the signed checkpoint still names the old hash.
async fn a_recomputed_chain_is_caught_by_the_checkpoint(db: testkit::TestDb) -> anyhow::Result<()> {
    let (test, seq) = checkpointed(db).await?;
    let url = test.db.url().to_owned();
    let mut events = stored_events(&url).await?;
    let mut prev_hash = domain::audit::ChainHash::GENESIS;
    for stored in &mut events {
        if stored.event.seq == 5 {
            stored.event.details = r#"{"forged":"Nguyễn Văn An đã xem"}"#.to_owned();
        }
        stored.event.prev_hash = prev_hash;
        prev_hash = stored.event.hash();
        if stored.event.seq >= 5 {
            testkit::execute_sql(
                &url,
                &format!(
                    "UPDATE audit_events SET details = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
                    stored.event.details.replace('\'', "''"),
                    stored.event.prev_hash.to_hex(),
                    prev_hash.to_hex(),
                    stored.event.seq
                ),
            )
            .await?;
        }
    }
    testkit::execute_sql(
        &url,
        &format!(
            "UPDATE audit_head SET hash = '{}' WHERE id = 1",
            prev_hash.to_hex()
        ),
    )
    .await?;
    let broken = first_break(&test).await?;
    anyhow::ensure!(
        broken.ends_with(&format!(
            "event {seq} no longer has the signed hash: the chain was rewritten"
        )),
        "{broken}"
    );
    Ok(())
}

async fn a_forged_or_missing_checkpoint_is_reported(db: testkit::TestDb) -> anyhow::Result<()> {
    let (test, seq) = checkpointed(db).await?;
    let url = test.db.url().to_owned();
    // Pointing the checkpoint at another event: the signature covers the original statement.
    testkit::execute_sql(
        &url,
        &format!(
            "UPDATE audit_checkpoints SET seq = {}, hash = (SELECT hash FROM audit_events WHERE seq = {})",
            seq - 1,
            seq - 1
        ),
    )
    .await?;
    let broken = first_break(&test).await?;
    anyhow::ensure!(
        broken.ends_with("its signature covers another statement"),
        "{broken}"
    );
    // Deleting the checkpoint while the event that recorded it remains.
    testkit::execute_sql(&url, "DELETE FROM audit_checkpoints").await?;
    let broken = first_break(&test).await?;
    anyhow::ensure!(
        broken
            == format!(
                "event {} records a checkpoint of event {seq} that is no longer stored",
                seq + 1
            ),
        "{broken}"
    );
    Ok(())
}

/// Every stored event, read through `db` as an attacker with the database would.
async fn stored_events(url: &str) -> anyhow::Result<Vec<db::audit::StoredAuditEvent>> {
    let db = db::Db::connect(&db::Config {
        url: SecretString::from(url.to_owned()),
        max_connections: 1,
    })
    .await?;
    let events = db::audit::events_after(&db, 0, 100_000).await?;
    db.close().await;
    Ok(events)
}

#[tokio::test]
async fn only_auditors_and_admins_checkpoint_and_only_with_a_trusted_valid_key() {
    let test = TestApp::start(testkit::TestDb::sqlite().unwrap())
        .await
        .unwrap();
    let operation = app::OperationId::new("checkpoint-refusals");
    let clerk = test.actor("vanthu").await.unwrap();
    assert!(matches!(
        test.app.checkpoint_audit(&clerk, seal(), &operation).await,
        Err(app::Error::Forbidden { .. })
    ));
    let auditor = test.actor("kiemtra").await.unwrap();
    let expired = app::signing::KeySource::Pkcs12 {
        path: testkit::oracles::certs_dev().join("expired-rsa.p12"),
        password: SecretString::from("vanthu-dev".to_owned()),
    };
    let refused = test
        .app
        .checkpoint_audit(&auditor, expired, &operation)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), "signing.certificate_refused", "{refused}");
    let admin = test.actor("quantri").await.unwrap();
    test.app
        .checkpoint_audit(&admin, seal(), &operation)
        .await
        .unwrap();
    let report = test.app.verify_audit_chain().await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.checkpoints, 1);
}

backend_tests!(
    the_story_chain_verifies_and_every_tampering_breaks_it,
    truncating_the_tail_is_caught_by_the_head,
    a_checkpointed_chain_reports_a_deleted_event,
    a_checkpointed_chain_reports_two_swapped_events,
    a_checkpointed_chain_reports_an_edited_event,
    a_cut_tail_with_a_rewound_head_is_caught_by_the_checkpoint,
    a_recomputed_chain_is_caught_by_the_checkpoint,
    a_forged_or_missing_checkpoint_is_reported,
);
