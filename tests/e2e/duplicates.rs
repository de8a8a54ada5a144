//! The duplicate alert at intake (Phụ lục VI §III.1.h): the same file, or the same number and
//! symbol from the same issuer in the same year, is refused with `incoming.duplicate` naming the
//! registered document.

use app::{Error, IncomingMetadata, IncomingUpload, OperationId};
use testkit::{TestApp, TestDb};

use crate::backend_tests;

fn upload(text: &str, number: &str, issuer: &str, date: &str) -> IncomingUpload {
    IncomingUpload {
        file_name: format!("{text}.pdf"),
        bytes: testkit::minimal_pdf(text),
        metadata: IncomingMetadata {
            number_symbol: Some(number.to_owned()),
            type_code: Some("CV".to_owned()),
            subject: Some("Về việc tiêm chủng mở rộng".to_owned()),
            issuer_name: Some(issuer.to_owned()),
            issued_date: Some(date.to_owned()),
            ..IncomingMetadata::default()
        },
    }
}

async fn intake_raises_the_duplicate_alert(db: TestDb) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let app = &test.app;
    let clerk = test.actor("vanthu").await?;
    let operation = OperationId::new("duplicates");
    let seeded = app.list_incoming(&clerk).await?.len();
    let first = app
        .receive_incoming(
            &clerk,
            upload("cong van", "12/SYT-NVY", "Sở Y tế", "2026-03-02"),
            &operation,
        )
        .await?;
    let duplicate = |result: Result<app::IncomingDocument, Error>| match result {
        Err(Error::Duplicate { existing }) => existing,
        other => panic!("expected a duplicate, got {other:?}"),
    };

    // The same file, whatever is typed.
    let same_file = app
        .receive_incoming(
            &clerk,
            upload("cong van", "13/SYT-NVY", "Bệnh viện", "2026-03-03"),
            &operation,
        )
        .await;
    assert_eq!(duplicate(same_file), Some(first.id.get()));

    // Another scan of the same document: the same number, symbol and issuer (the document
    // identifier of an exchanged document names the same three), in any case and spacing.
    let rescanned = app
        .receive_incoming(
            &clerk,
            upload("ban quet lai", "12/SYT-NVY", "  sở y tế ", "2026-03-02"),
            &operation,
        )
        .await;
    let error = rescanned.unwrap_err();
    assert_eq!(error.code(), "incoming.duplicate");
    assert!(error.to_string().contains(&first.id.to_string()), "{error}");

    // Not duplicates: another issuer, or the same number in another year (numbers restart).
    app.receive_incoming(
        &clerk,
        upload("benh vien", "12/SYT-NVY", "Sở Tài chính", "2026-03-02"),
        &operation,
    )
    .await?;
    app.receive_incoming(
        &clerk,
        upload("nam truoc", "12/SYT-NVY", "Sở Y tế", "2025-03-02"),
        &operation,
    )
    .await?;
    assert_eq!(app.list_incoming(&clerk).await?.len(), seeded + 3);
    Ok(())
}

async fn an_officer_reads_only_the_incoming_documents_assigned_to_them(
    db: TestDb,
) -> anyhow::Result<()> {
    let test = TestApp::start(db).await?;
    let app = &test.app;
    let clerk = test.actor("vanthu").await?;
    let leader = test.actor("lanhdao").await?;
    let officer = test.actor("chuyenvien").await?;
    let operation = OperationId::new("visibility");
    let before: Vec<_> = app
        .list_incoming(&officer)
        .await?
        .into_iter()
        .map(|document| document.id)
        .collect();
    let informed = app
        .receive_incoming(
            &clerk,
            upload("de biet", "20/SYT-NVY", "Sở Y tế", "2026-03-02"),
            &operation,
        )
        .await?;
    let other = app
        .receive_incoming(
            &clerk,
            upload("khong giao", "21/SYT-NVY", "Sở Y tế", "2026-03-02"),
            &operation,
        )
        .await?;
    // The officer is only kept informed (để biết) of the first document.
    app.assign_incoming(
        &leader,
        informed.id,
        &app::AssignInput {
            lead: app::AssigneeInput {
                username: "lanhdao".to_owned(),
                ..app::AssigneeInput::default()
            },
            information: vec![app::AssigneeInput {
                username: "chuyenvien".to_owned(),
                ..app::AssigneeInput::default()
            }],
            ..app::AssignInput::default()
        },
        &operation,
    )
    .await?;

    let listed: Vec<_> = app
        .list_incoming(&officer)
        .await?
        .into_iter()
        .map(|document| document.id)
        .filter(|id| !before.contains(id))
        .collect();
    assert_eq!(listed, [informed.id]);
    assert!(
        app.download_document(&officer, informed.id, &operation)
            .await
            .is_ok()
    );
    let hidden = app.download_document(&officer, other.id, &operation).await;
    assert!(matches!(hidden, Err(Error::NotFound { .. })), "{hidden:?}");
    assert!(matches!(
        app.incoming_handling(&officer, other.id).await,
        Err(Error::NotFound { .. })
    ));
    // The clerk and the leader read the whole register.
    for actor in [&clerk, &leader] {
        let all = app.list_incoming(actor).await?;
        assert!(all.iter().any(|document| document.id == other.id));
        assert!(
            app.download_document(actor, other.id, &operation)
                .await
                .is_ok()
        );
    }
    Ok(())
}

backend_tests!(
    intake_raises_the_duplicate_alert,
    an_officer_reads_only_the_incoming_documents_assigned_to_them,
);
