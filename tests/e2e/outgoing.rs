//! Outgoing documents (issue 5): the ward drafts a plan, it is reviewed and approved, the chairman
//! signs, the clerk numbers it `NN/KH-UBND`, seals and issues it to the city People's Committee of
//! the same deployment, which receives it with valid signatures; statuses flow back; the final PDF
//! passes pyHanko. Also: roles refused, other organisations blind, concurrent numbering, and a
//! crash between the steps that never takes a second number.

use std::path::PathBuf;

use app::{App, Error, OperationId, OutgoingDraft, RecipientInput, ReviewKind};
use domain::ids::DocumentId;
use domain::outgoing::OutgoingState;
use secrecy::SecretString;
use testkit::oracles;
use testkit::services::{DevOcsp, DevTsa};
use testkit::{TEST_PASSWORD, TestApp, TestDb};

use crate::backend_tests;

pub(crate) fn op() -> OperationId {
    OperationId::new("test-outgoing")
}

pub(crate) fn certs(name: &str) -> PathBuf {
    oracles::certs_dev().join(name)
}

fn asset(name: &str) -> PathBuf {
    PathBuf::from(format!(
        "{}/../crates/pdf/test_data/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

/// The keys the server holds: the chairman's personal key and the ward's seal.
pub(crate) fn signing_config(tsa: Option<&DevTsa>, ocsp: Option<&DevOcsp>) -> app::SigningConfig {
    let password = || SecretString::from("vanthu-dev".to_owned());
    app::SigningConfig {
        keys: vec![
            app::SigningKeyConfig {
                username: Some("lanhdao".to_owned()),
                organization: None,
                p12: certs("leader-rsa.p12"),
                password: password(),
                image: Some(asset("signature-blue.png")),
            },
            app::SigningKeyConfig {
                username: None,
                organization: Some(app::DEMO_ORGANIZATION_ID.to_owned()),
                p12: certs("seal-rsa.p12"),
                password: password(),
                image: Some(asset("seal-red.png")),
            },
        ],
        tsa_url: tsa.map(|tsa| tsa.url.clone()),
        ocsp_url: ocsp.map(|ocsp| ocsp.url.clone()),
        crl_files: vec![certs("root-ca.crl")],
    }
}

pub(crate) async fn start(db: TestDb, signing: app::SigningConfig) -> anyhow::Result<TestApp> {
    let test = TestApp::start_with(db, |config| config.signing = signing).await?;
    test.app
        .seed_demo_city(&SecretString::from(TEST_PASSWORD.to_owned()), &op())
        .await?;
    Ok(test)
}

fn plan_draft(subject: &str) -> OutgoingDraft {
    OutgoingDraft {
        file_name: "du-thao-ke-hoach.pdf".to_owned(),
        bytes: testkit::pdf_with_pages(&["DU THAO KE HOACH", "TM. UY BAN NHAN DAN"]),
        type_code: "KH".to_owned(),
        subject: subject.to_owned(),
        recipients: vec![
            RecipientInput {
                organization: Some(app::DEMO_CITY_ID.to_owned()),
                ..RecipientInput::default()
            },
            RecipientInput {
                name: Some("Sở Nội vụ thành phố Hải Phòng".to_owned()),
                ..RecipientInput::default()
            },
        ],
        urgency: None,
        secrecy: None,
        signer: "lanhdao".to_owned(),
        copies: Some(3),
    }
}

/// Drafts, reviews, approves and signs a plan: returns it in state Signed.
pub(crate) async fn signed_plan(test: &TestApp, subject: &str) -> anyhow::Result<DocumentId> {
    let app = &test.app;
    let officer = test.actor("chuyenvien").await?;
    let leader = test.actor("lanhdao").await?;
    let clerk = test.actor("vanthu").await?;
    let draft = app
        .create_outgoing(&officer, plan_draft(subject), &op())
        .await?;
    let id = draft.id;
    app.submit_outgoing(&officer, id, &op()).await?;
    app.review_outgoing(&leader, id, ReviewKind::Content, true, None, &op())
        .await?;
    app.review_outgoing(&clerk, id, ReviewKind::Format, true, None, &op())
        .await?;
    app.approve_outgoing(&leader, id, None, &op()).await?;
    let signed = app.sign_outgoing(&leader, id, &op()).await?;
    anyhow::ensure!(signed.state == OutgoingState::Signed, "{:?}", signed.state);
    Ok(id)
}

async fn the_ward_issues_a_plan_to_the_city(db: TestDb) -> anyhow::Result<()> {
    let tsa = DevTsa::start().await?;
    let ocsp = DevOcsp::start().await?;
    let test = start(db, signing_config(Some(&tsa), Some(&ocsp))).await?;
    let app = &test.app;
    let officer = test.actor("chuyenvien").await?;
    let leader = test.actor("lanhdao").await?;
    let clerk = test.actor("vanthu").await?;

    // A return with comments sends the draft back; it comes back and goes through.
    let draft = app
        .create_outgoing(
            &officer,
            plan_draft("Kế hoạch cải cách hành chính năm 2026"),
            &op(),
        )
        .await?;
    let id = draft.id;
    assert_eq!(draft.state, OutgoingState::Draft);
    app.submit_outgoing(&officer, id, &op()).await?;
    let returned = app
        .review_outgoing(
            &clerk,
            id,
            ReviewKind::Format,
            false,
            Some("Sai thể thức trích yếu".to_owned()),
            &op(),
        )
        .await?;
    assert_eq!(returned.state, OutgoingState::Draft);
    app.submit_outgoing(&officer, id, &op()).await?;
    app.review_outgoing(&leader, id, ReviewKind::Content, true, None, &op())
        .await?;
    let early = app.approve_outgoing(&leader, id, None, &op()).await;
    assert_eq!(
        early.unwrap_err().code(),
        "outgoing.review_incomplete",
        "approval needs both checks"
    );
    app.review_outgoing(&clerk, id, ReviewKind::Format, true, None, &op())
        .await?;
    app.approve_outgoing(&leader, id, Some("Đồng ý".to_owned()), &op())
        .await?;
    let signed = app.sign_outgoing(&leader, id, &op()).await?;
    assert_eq!(signed.state, OutgoingState::Signed);

    let numbered = app.number_outgoing(&clerk, id, &op()).await?;
    assert_eq!(numbered.state, OutgoingState::Numbered);
    assert_eq!(numbered.number_symbol.as_deref(), Some("01/KH-UBND"));
    assert_eq!(
        numbered.issued_date,
        Some(domain::calendar::vietnam_date(testkit::TEST_NOW))
    );
    let sealed = app.seal_outgoing(&clerk, id, &op()).await?;
    assert_eq!(sealed.state, OutgoingState::Sealed);
    let deliveries = app.issue_outgoing(&clerk, id, &op()).await?;
    assert_eq!(deliveries.len(), 1, "only the city is in this deployment");
    let delivery = &deliveries[0];
    assert_eq!(delivery.status_code, "01");
    assert_eq!(delivery.status_description, "Đã đến");
    assert_eq!(
        delivery.recipient_name,
        "Ủy ban nhân dân thành phố Hải Phòng"
    );
    let incoming_id = delivery.incoming_document_id.unwrap();

    let history = app.outgoing_history(&officer, id).await?;
    let steps: Vec<_> = history
        .iter()
        .map(|entry| format!("{}:{}", entry.step, entry.decision))
        .collect();
    assert_eq!(
        steps,
        [
            "submit:submitted",
            "format:returned",
            "submit:submitted",
            "content:approved",
            "format:approved",
            "approval:approved",
            "signature:signed",
            "number:numbered",
            "seal:sealed",
            "issue:issued"
        ]
    );
    assert_eq!(
        history[1].comment.as_deref(),
        Some("Sai thể thức trích yếu")
    );

    // The final PDF: both signatures intact and trusted, the number an allowed form filling.
    let file = app.download_outgoing(&officer, id, &op()).await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("issued.pdf");
    std::fs::write(&path, &file.bytes)?;
    let root = certs("root-ca.pem");
    let check_path = path.clone();
    let pyhanko =
        tokio::task::spawn_blocking(move || oracles::pyhanko_validate(&check_path, &root))
            .await??;
    assert!(pyhanko.success, "{}\n{}", pyhanko.stdout, pyhanko.stderr);
    assert_eq!(
        pyhanko.stdout.matches(":INTACT:TRUSTED").count(),
        2,
        "{}",
        pyhanko.stdout
    );
    assert!(
        !pyhanko.stdout.contains("ILLEGAL_MODIFICATIONS"),
        "{}",
        pyhanko.stdout
    );
    let text = oracles::pdftotext(&path)?;
    assert!(text.contains("Số: 01/KH-UBND"), "{text}");
    assert!(
        text.contains("Phường Ngô Quyền, ngày 15 tháng 3 năm 2026"),
        "{text}"
    );

    // The city receives it: registered, the same file, both signatures logged at receipt.
    let city_clerk = test.actor("vanthu.tp").await?;
    let received = app.list_incoming(&city_clerk).await?;
    let arrived = received
        .iter()
        .find(|document| document.id == incoming_id)
        .unwrap();
    assert_eq!(arrived.number_symbol.as_deref(), Some("01/KH-UBND"));
    assert_eq!(
        arrived.issuer_name.as_deref(),
        Some("Ủy ban nhân dân phường Ngô Quyền")
    );
    assert_eq!(arrived.sha256, file.sha256);
    let signatures = app.document_signatures(&city_clerk, incoming_id).await?;
    assert_eq!(signatures.len(), 2, "{signatures:?}");
    let fields: Vec<_> = signatures.iter().map(|s| s.field.as_str()).collect();
    assert!(
        fields.contains(&pades::decree30::LEADER_FIELD),
        "{fields:?}"
    );
    assert!(
        fields.contains(&pades::decree30::AGENCY_FIELD),
        "{fields:?}"
    );
    // B-T personal signature and B-LT seal: both pass the offline check at receipt.
    for signature in &signatures {
        assert_eq!(signature.conclusion, "PASSED", "{signature:?}");
    }

    // The recipient reports its progress; the sender sees every status per recipient.
    let sender_db = db::Db::connect(&db::Config {
        url: SecretString::from(test.db.url().to_owned()),
        max_connections: 2,
    })
    .await?;
    // The city's clerk presents it to the city's chairman: the handling side reports 04 itself.
    app.present_incoming(&city_clerk, incoming_id, "lanhdao.tp", None, None, &op())
        .await?;
    let deliveries = app.outgoing_deliveries(&officer, id).await?;
    assert_eq!(deliveries[0].status_code, "04", "{deliveries:?}");
    for code in ["05", "06"] {
        let tx = sender_db.begin_write().await?;
        db::deliveries::report_status(
            &tx,
            incoming_id,
            code,
            app::status_description(code),
            testkit::TEST_NOW,
        )
        .await?;
        tx.commit().await?;
    }
    let deliveries = app.outgoing_deliveries(&officer, id).await?;
    assert_eq!(deliveries[0].status_code, "06");
    let codes: Vec<_> = deliveries[0]
        .history
        .iter()
        .map(|(code, _, _)| code.as_str())
        .collect();
    assert_eq!(codes, ["01", "04", "05", "06"]);
    sender_db.close().await;

    // The city sees nothing of the ward's outgoing documents.
    let city_leader = test.actor("lanhdao.tp").await?;
    for actor in [&city_clerk, &city_leader] {
        assert!(matches!(
            app.outgoing(actor, id).await,
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            app.outgoing_deliveries(actor, id).await,
            Err(Error::NotFound { .. })
        ));
        assert!(app.list_outgoing(actor).await?.is_empty());
    }

    // Recall: frozen, and every recipient is told (13).
    let recalled = app
        .recall_outgoing(&leader, id, Some("Sai nội dung".to_owned()), &op())
        .await?;
    assert_eq!(recalled.state, OutgoingState::Recalled);
    let deliveries = app.outgoing_deliveries(&officer, id).await?;
    assert_eq!(deliveries[0].status_code, "13");
    let frozen = app
        .recall_outgoing(&leader, id, Some("Lần nữa".to_owned()), &op())
        .await;
    assert_eq!(frozen.unwrap_err().code(), "outgoing.invalid_state");
    // Every step left its event in one intact chain.
    let report = app.verify_audit_chain().await?;
    assert!(report.is_intact(), "{report:?}");
    Ok(())
}

async fn every_role_is_refused_what_it_may_not_do(db: TestDb) -> anyhow::Result<()> {
    let test = start(db, signing_config(None, None)).await?;
    let app = &test.app;
    let officer = test.actor("chuyenvien").await?;
    let leader = test.actor("lanhdao").await?;
    let clerk = test.actor("vanthu").await?;
    let archivist = test.actor("luutru").await?;
    let auditor = test.actor("kiemtra").await?;
    let admin = test.actor("quantri").await?;
    let forbidden = |result: Result<app::OutgoingDocument, Error>| match result {
        Err(error @ Error::Forbidden { .. }) => assert_eq!(error.code(), "auth.forbidden"),
        other => panic!("expected forbidden, got {other:?}"),
    };

    for actor in [&archivist, &auditor, &admin] {
        forbidden(
            app.create_outgoing(actor, plan_draft("Kế hoạch thử"), &op())
                .await,
        );
    }
    let id = app
        .create_outgoing(&officer, plan_draft("Kế hoạch thử"), &op())
        .await?
        .id;
    forbidden(app.outgoing(&admin, id).await);
    app.submit_outgoing(&officer, id, &op()).await?;
    for actor in [&officer, &clerk, &archivist] {
        forbidden(
            app.review_outgoing(actor, id, ReviewKind::Content, true, None, &op())
                .await,
        );
    }
    for actor in [&officer, &leader, &archivist] {
        forbidden(
            app.review_outgoing(actor, id, ReviewKind::Format, true, None, &op())
                .await,
        );
    }
    app.review_outgoing(&leader, id, ReviewKind::Content, true, None, &op())
        .await?;
    app.review_outgoing(&clerk, id, ReviewKind::Format, true, None, &op())
        .await?;
    for actor in [&officer, &clerk, &auditor] {
        forbidden(app.approve_outgoing(actor, id, None, &op()).await);
    }
    app.approve_outgoing(&leader, id, None, &op()).await?;
    for actor in [&officer, &clerk, &archivist] {
        forbidden(app.sign_outgoing(actor, id, &op()).await);
    }
    // A leader of another organisation holds the permission but cannot see the document.
    let city_leader = test.actor("lanhdao.tp").await?;
    assert!(matches!(
        app.sign_outgoing(&city_leader, id, &op()).await,
        Err(Error::NotFound { .. })
    ));
    app.sign_outgoing(&leader, id, &op()).await?;
    for actor in [&officer, &leader, &archivist, &auditor] {
        forbidden(app.number_outgoing(actor, id, &op()).await);
        forbidden(app.seal_outgoing(actor, id, &op()).await);
    }
    let city_clerk = test.actor("vanthu.tp").await?;
    assert!(matches!(
        app.number_outgoing(&city_clerk, id, &op()).await,
        Err(Error::NotFound { .. })
    ));
    // Out of order: sealing before numbering is a state error, not a permission one.
    let early = app.seal_outgoing(&clerk, id, &op()).await.unwrap_err();
    assert_eq!(early.code(), "outgoing.invalid_state");
    Ok(())
}

async fn two_clerks_numbering_at_once_get_consecutive_numbers(db: TestDb) -> anyhow::Result<()> {
    let test = start(db, signing_config(None, None)).await?;
    let first = signed_plan(&test, "Kế hoạch thứ nhất").await?;
    let second = signed_plan(&test, "Kế hoạch thứ hai").await?;
    let clerk = test.actor("vanthu").await?;
    let operation = op();
    let (a, b) = tokio::join!(
        test.app.number_outgoing(&clerk, first, &operation),
        test.app.number_outgoing(&clerk, second, &operation),
    );
    let mut numbers = vec![a?.number_symbol.unwrap(), b?.number_symbol.unwrap()];
    numbers.sort();
    assert_eq!(numbers, ["01/KH-UBND", "02/KH-UBND"]);

    // Two clerks numbering the same document at once: one number, never two.
    let third = signed_plan(&test, "Kế hoạch thứ ba").await?;
    let (a, b) = tokio::join!(
        test.app.number_outgoing(&clerk, third, &operation),
        test.app.number_outgoing(&clerk, third, &operation),
    );
    let outcomes: Vec<_> = [a, b]
        .into_iter()
        .map(|result| match result {
            Ok(document) => document.number_symbol.unwrap(),
            Err(error) => error.code().to_owned(),
        })
        .collect();
    assert!(outcomes.contains(&"03/KH-UBND".to_owned()), "{outcomes:?}");
    for outcome in &outcomes {
        assert!(
            outcome == "03/KH-UBND" || outcome == "outgoing.concurrent_change",
            "{outcomes:?}"
        );
    }
    // The leader approves while the clerk returns the same draft: one wins, the other is told.
    let officer = test.actor("chuyenvien").await?;
    let leader = test.actor("lanhdao").await?;
    let contested = test
        .app
        .create_outgoing(&officer, plan_draft("Kế hoạch tranh chấp"), &operation)
        .await?
        .id;
    test.app
        .submit_outgoing(&officer, contested, &operation)
        .await?;
    test.app
        .review_outgoing(
            &leader,
            contested,
            ReviewKind::Content,
            true,
            None,
            &operation,
        )
        .await?;
    test.app
        .review_outgoing(
            &clerk,
            contested,
            ReviewKind::Format,
            true,
            None,
            &operation,
        )
        .await?;
    let (approved, returned) = tokio::join!(
        test.app
            .approve_outgoing(&leader, contested, None, &operation),
        test.app.review_outgoing(
            &clerk,
            contested,
            ReviewKind::Format,
            false,
            Some("Thiếu nơi nhận".to_owned()),
            &operation
        ),
    );
    let codes: Vec<_> = [&approved, &returned]
        .iter()
        .map(|result| match result {
            Ok(_) => "ok",
            Err(error) => error.code(),
        })
        .collect();
    assert_eq!(
        codes.iter().filter(|code| **code == "ok").count(),
        1,
        "{codes:?}"
    );
    assert!(
        codes.iter().all(
            |code| ["ok", "outgoing.concurrent_change", "outgoing.invalid_state"].contains(code)
        ),
        "{codes:?}"
    );
    let fourth = signed_plan(&test, "Kế hoạch thứ tư").await?;
    let numbered = test.app.number_outgoing(&clerk, fourth, &op()).await?;
    assert_eq!(numbered.number_symbol.as_deref(), Some("04/KH-UBND"));
    Ok(())
}

async fn a_crash_between_the_steps_never_takes_a_second_number(db: TestDb) -> anyhow::Result<()> {
    let test = start(db, signing_config(None, None)).await?;
    let clerk = test.actor("vanthu").await?;

    // The process dies after the signature and before numbering: a restarted app finds the
    // document Signed and numbers it.
    let id = signed_plan(&test, "Kế hoạch sau sự cố").await?;
    let restarted = restart(&test).await?;
    let numbered = restarted.number_outgoing(&clerk, id, &op()).await?;
    assert_eq!(numbered.number_symbol.as_deref(), Some("01/KH-UBND"));
    let numbered_sha256 = numbered.sha256.clone();

    // The process dies after the numbering commit and before the numbered file is recorded:
    // the retry takes no second number and makes the same file.
    let table_sql = format!(
        "UPDATE outgoing_details SET numbered_sha256 = NULL WHERE document_id = {id}; \
         UPDATE documents SET blob_sha256 = (SELECT signed_sha256 FROM outgoing_details \
         WHERE document_id = {id}) WHERE id = {id}"
    );
    for statement in table_sql.split("; ") {
        testkit::execute_sql(test.db.url(), statement).await?;
    }
    let retried = restarted.number_outgoing(&clerk, id, &op()).await?;
    assert_eq!(retried.number_symbol.as_deref(), Some("01/KH-UBND"));
    assert_eq!(retried.sha256, numbered_sha256, "the same numbered file");
    let sealed = restarted.seal_outgoing(&clerk, id, &op()).await?;
    assert_eq!(sealed.state, OutgoingState::Sealed);

    let next = signed_plan(&test, "Kế hoạch tiếp theo").await?;
    let numbered = restarted.number_outgoing(&clerk, next, &op()).await?;
    assert_eq!(
        numbered.number_symbol.as_deref(),
        Some("02/KH-UBND"),
        "no number was consumed twice"
    );
    restarted.close().await;
    Ok(())
}

/// Drafts, signs, numbers, seals and issues a plan: returns it in state Issued.
pub(crate) async fn issued_plan(test: &TestApp, subject: &str) -> anyhow::Result<DocumentId> {
    let id = signed_plan(test, subject).await?;
    let clerk = test.actor("vanthu").await?;
    test.app.number_outgoing(&clerk, id, &op()).await?;
    test.app.seal_outgoing(&clerk, id, &op()).await?;
    test.app.issue_outgoing(&clerk, id, &op()).await?;
    Ok(id)
}

/// A second, fresh database of the same backend: another deployment.
async fn fresh_db(like: &TestDb) -> anyhow::Result<TestDb> {
    if like.backend() == "postgres" {
        TestDb::postgres_from_env()
            .await
            .ok_or_else(|| anyhow::anyhow!("TEST_DATABASE_URL vanished"))
    } else {
        TestDb::sqlite()
    }
}

async fn an_edxml_package_arrives_intact_in_another_deployment(db: TestDb) -> anyhow::Result<()> {
    let other_db = fresh_db(&db).await?;
    let ward = start(db, signing_config(None, None)).await?;
    let id = issued_plan(&ward, "Kế hoạch chuyển đổi số năm 2026").await?;
    let clerk = ward.actor("vanthu").await?;
    let sent = ward.app.outgoing(&clerk, id).await?;
    let package = ward.app.export_edxml(&clerk, id, &op()).await?;
    let parsed = app::edxml::read_package(&package).map_err(anyhow::Error::msg)?;
    assert_eq!(parsed.from.organ_id, app::DEMO_ORGANIZATION_ID);
    assert_eq!(
        parsed.document_id,
        format!("{},2026/03/15,01/KH-UBND", app::DEMO_ORGANIZATION_ID)
    );
    assert_eq!(parsed.to.len(), 2, "both recipients, internal and external");
    // Only a clerk exports; the officer is refused.
    let officer = ward.actor("chuyenvien").await?;
    assert_eq!(
        ward.app
            .export_edxml(&officer, id, &op())
            .await
            .unwrap_err()
            .code(),
        "auth.forbidden"
    );

    // Another deployment: the city imports it; number, subject, issuer, date and file intact.
    let city = start(other_db, signing_config(None, None)).await?;
    let city_clerk = city.actor("vanthu.tp").await?;
    let arrived = city
        .app
        .import_edxml(&city_clerk, package.clone(), &op())
        .await?;
    assert_eq!(arrived.number_symbol.as_deref(), Some("01/KH-UBND"));
    assert_eq!(
        arrived.subject.as_deref(),
        Some("Kế hoạch chuyển đổi số năm 2026")
    );
    assert_eq!(
        arrived.issuer_name.as_deref(),
        Some("Ủy ban nhân dân phường Ngô Quyền")
    );
    assert_eq!(arrived.issued_date, sent.issued_date);
    assert_eq!(arrived.type_code.as_deref(), Some("KH"));
    assert_eq!(
        arrived.sha256, sent.sha256,
        "the attachment is byte-identical"
    );
    assert_eq!(arrived.signatures.len(), 2, "{:?}", arrived.signatures);
    for signature in &arrived.signatures {
        assert_ne!(signature.conclusion, "FAILED", "{signature:?}");
    }
    let logged = city
        .app
        .document_signatures(&city_clerk, arrived.id)
        .await?;
    assert_eq!(logged.len(), 2);
    // The same package twice is a duplicate; a package for someone else is refused.
    assert_eq!(
        city.app
            .import_edxml(&city_clerk, package.clone(), &op())
            .await
            .unwrap_err()
            .code(),
        "incoming.duplicate"
    );
    let ward_clerk_there = city.actor("vanthu").await?;
    let wrong = city
        .app
        .import_edxml(&ward_clerk_there, package.clone(), &op())
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), "request.invalid", "{wrong}");
    let hostile = city
        .app
        .import_edxml(&city_clerk, b"<edXML:edXMLEnvelope>".to_vec(), &op())
        .await
        .unwrap_err();
    assert_eq!(hostile.code(), "request.invalid", "{hostile}");

    // The city's system reports 03; the ward imports the status onto an edXML delivery.
    let status = app::edxml::StatusMessage {
        response_for_organ_id: parsed.from.organ_id.clone(),
        response_for_code: "01/KH-UBND".to_owned(),
        response_for_date: parsed.promulgation_date,
        response_for_document_id: parsed.document_id.clone(),
        from: app::edxml::Organ {
            organ_id: "000.00.99.H02".to_owned(),
            organ_name: "Sở Nội vụ thành phố Hải Phòng".to_owned(),
        },
        status_code: "03".to_owned(),
        description: String::new(),
        timestamp: "2026-03-15T10:00:00+07:00".to_owned(),
    };
    let xml = app::edxml::write_status(&status).map_err(anyhow::Error::msg)?;
    let deliveries = ward.app.import_edxml_status(&clerk, xml, &op()).await?;
    let external = deliveries
        .iter()
        .find(|delivery| delivery.channel == "edxml")
        .unwrap();
    assert_eq!(external.status_code, "03");
    assert_eq!(external.status_description, "Đã tiếp nhận");

    // A status exported by the city of this deployment lands on the internal delivery.
    let internal = deliveries
        .iter()
        .find(|delivery| delivery.channel == "internal")
        .unwrap();
    let incoming = internal.incoming_document_id.unwrap();
    let city_here = ward.actor("vanthu.tp").await?;
    let xml = ward
        .app
        .export_edxml_status(&city_here, incoming, "05", &op())
        .await?;
    let deliveries = ward.app.import_edxml_status(&clerk, xml, &op()).await?;
    let internal = deliveries
        .iter()
        .find(|delivery| delivery.channel == "internal")
        .unwrap();
    assert_eq!(internal.status_code, "05");
    city.app.close().await;
    Ok(())
}

async fn secret_documents_never_leave_by_exchange(db: TestDb) -> anyhow::Result<()> {
    let test = start(db, signing_config(None, None)).await?;
    let leader = test.actor("lanhdao").await?;
    let clerk = test.actor("vanthu").await?;
    let mut draft = plan_draft("Kế hoạch bảo vệ bí mật nhà nước");
    draft.secrecy = Some("secret".to_owned());
    // The officer is not cleared for secret documents: the leader drafts it.
    let officer = test.actor("chuyenvien").await?;
    let refused = test.app.create_outgoing(&officer, draft, &op()).await;
    assert_eq!(refused.unwrap_err().code(), "request.invalid");
    let mut draft = plan_draft("Kế hoạch bảo vệ bí mật nhà nước");
    draft.secrecy = Some("secret".to_owned());
    let id = test.app.create_outgoing(&leader, draft, &op()).await?.id;
    test.app.submit_outgoing(&leader, id, &op()).await?;
    test.app
        .review_outgoing(&leader, id, ReviewKind::Content, true, None, &op())
        .await?;
    test.app
        .review_outgoing(&clerk, id, ReviewKind::Format, true, None, &op())
        .await?;
    test.app.approve_outgoing(&leader, id, None, &op()).await?;
    test.app.sign_outgoing(&leader, id, &op()).await?;
    let numbered = test.app.number_outgoing(&clerk, id, &op()).await?;
    // The secret register has its own series.
    assert_eq!(numbered.number_symbol.as_deref(), Some("01/KH-UBND"));
    test.app.seal_outgoing(&clerk, id, &op()).await?;
    let deliveries = test.app.issue_outgoing(&clerk, id, &op()).await?;
    assert!(deliveries.is_empty(), "issued on paper only");
    let exported = test.app.export_edxml(&clerk, id, &op()).await;
    assert_eq!(
        exported.unwrap_err().code(),
        "outgoing.secret_not_exchanged"
    );
    // The officer, not cleared, does not see it at all.
    assert!(matches!(
        test.app.outgoing(&officer, id).await,
        Err(Error::NotFound { .. })
    ));
    Ok(())
}

pub(crate) fn post_action(
    uri: &str,
    token: &str,
    body: &str,
) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::post(uri)
        .header(axum::http::header::AUTHORIZATION, format!("Bearer {token}"))
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(axum::body::Body::from(body.to_owned()))
        .unwrap()
}

async fn the_api_runs_the_workflow_and_refuses_with_clear_codes(db: TestDb) -> anyhow::Result<()> {
    use crate::api::axum_test_support::{get, post_multipart, send};
    let test = start(db, signing_config(None, None)).await?;
    let router = crate::api::router(&test);
    let officer = crate::api::login(&router, "chuyenvien").await;
    let leader = crate::api::login(&router, "lanhdao").await;
    let clerk = crate::api::login(&router, "vanthu").await;
    let city = crate::api::login(&router, "vanthu.tp").await;
    let pdf = testkit::pdf_with_pages(&["DU THAO", "TM. UY BAN NHAN DAN"]);
    let created = send(
        &router,
        post_multipart(
            "/api/v1/outgoing",
            Some(&officer),
            &[
                ("file", Some("du-thao.pdf"), &pdf),
                ("type_code", None, b"KH"),
                ("subject", None, "Kế hoạch phòng chống thiên tai".as_bytes()),
                ("signer", None, b"lanhdao"),
                ("recipient", None, app::DEMO_CITY_ID.as_bytes()),
                ("recipient", None, "Sở Nội vụ|000.00.99.H02".as_bytes()),
                ("copies", None, b"2"),
            ],
        ),
    )
    .await;
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(created.json()["state_label"], "Dự thảo");
    let base = format!("/api/v1/outgoing/{id}");

    // Out of order and out of role: clear problems.
    send(&router, post_action(&format!("{base}/seal"), &clerk, ""))
        .await
        .assert_problem(409, "outgoing.invalid_state");
    send(
        &router,
        post_action(&format!("{base}/submit"), &clerk, "{bad"),
    )
    .await
    .assert_problem(400, "request.malformed_json");
    send(&router, post_action(&format!("{base}/fly"), &clerk, ""))
        .await
        .assert_problem(404, "not_found");
    send(&router, get(&base, Some(&city)))
        .await
        .assert_problem(404, "not_found");

    let steps: [(&str, &str, &str); 8] = [
        ("submit", &officer, ""),
        ("review", &leader, r#"{"step":"content"}"#),
        (
            "review",
            &clerk,
            r#"{"step":"format","comment":"Đúng thể thức"}"#,
        ),
        ("approve", &leader, ""),
        ("sign", &leader, ""),
        ("number", &clerk, ""),
        ("seal", &clerk, ""),
        ("issue", &clerk, ""),
    ];
    for (action, token, body) in steps {
        if action == "number" {
            send(
                &router,
                post_action(&format!("{base}/number"), &officer, ""),
            )
            .await
            .assert_problem(403, "auth.forbidden");
        }
        let reply = send(
            &router,
            post_action(&format!("{base}/{action}"), token, body),
        )
        .await;
        assert_eq!(
            reply.status,
            200,
            "{action}: {}",
            String::from_utf8_lossy(&reply.body)
        );
    }
    let document = send(&router, get(&base, Some(&officer))).await.json();
    assert_eq!(document["state"], "issued");
    assert_eq!(document["number_symbol"], "01/KH-UBND");
    let deliveries = send(&router, get(&format!("{base}/deliveries"), Some(&officer))).await;
    assert_eq!(deliveries.status, 200);
    let items = deliveries.json()["items"].clone();
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{items}");
    assert_eq!(items[0]["status_code"], "01");
    assert_eq!(items[0]["recipient_e_id"], app::DEMO_CITY_ID);
    send(&router, get(&format!("{base}/deliveries"), Some(&city)))
        .await
        .assert_problem(404, "not_found");
    let file = send(&router, get(&format!("{base}/file"), Some(&officer))).await;
    assert_eq!(file.status, 200);
    assert!(file.body.starts_with(b"%PDF"));
    let history = send(&router, get(&format!("{base}/history"), Some(&officer)))
        .await
        .json();
    assert_eq!(history["items"][2]["comment"], "Đúng thể thức");
    Ok(())
}

async fn vanthu(args: &[&str]) -> anyhow::Result<std::process::ExitCode> {
    let args: Vec<std::ffi::OsString> = std::iter::once("vanthu")
        .chain(args.iter().copied())
        .map(std::ffi::OsString::from)
        .collect();
    cli::run(args).await
}

async fn the_cli_runs_the_workflow_and_exports_edxml(db: TestDb) -> anyhow::Result<()> {
    use std::process::ExitCode;
    let test = start(db, signing_config(None, None)).await?;
    let dir = tempfile::tempdir()?;
    let config = dir.path().join("vanthu.toml");
    let signing = format!(
        "[signing]\n\
         [[signing.keys]]\nusername = \"lanhdao\"\np12 = \"{}\"\npassword = \"vanthu-dev\"\n\
         [[signing.keys]]\norganization = \"{}\"\np12 = \"{}\"\npassword = \"vanthu-dev\"\n",
        certs("leader-rsa.p12").display(),
        app::DEMO_ORGANIZATION_ID,
        certs("seal-rsa.p12").display(),
    );
    std::fs::write(&config, format!("{}\n{signing}", test.config_file_text()))?;
    let config = config.to_str().unwrap();
    let draft = dir.path().join("du-thao.pdf");
    std::fs::write(&draft, testkit::pdf_with_pages(&["DU THAO", "KY TEN"]))?;
    let run = |args: Vec<String>| async move {
        let mut all = vec!["--config".to_owned(), config.to_owned()];
        all.extend(args);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        vanthu(&refs).await
    };
    let words = |text: &str| text.split(' ').map(str::to_owned).collect::<Vec<_>>();
    let mut draft_args = words("outgoing --as chuyenvien draft");
    draft_args.extend([
        draft.to_str().unwrap().to_owned(),
        "--type".to_owned(),
        "KH".to_owned(),
        "--subject".to_owned(),
        "Kế hoạch tuyên truyền pháp luật".to_owned(),
        "--signer".to_owned(),
        "lanhdao".to_owned(),
        "--to".to_owned(),
        app::DEMO_CITY_ID.to_owned(),
    ]);
    anyhow::ensure!(run(draft_args).await? == ExitCode::SUCCESS);
    let officer = test.actor("chuyenvien").await?;
    let id = test.app.list_outgoing(&officer).await?[0].id.to_string();
    for command in [
        "outgoing --as chuyenvien submit",
        "outgoing --as lanhdao review --step content",
        "outgoing --as vanthu review --step format",
        "outgoing --as lanhdao approve",
        "outgoing --as lanhdao sign",
    ] {
        let mut args = words(command);
        // The id goes right after the subcommand name.
        let position = args
            .iter()
            .position(|word| ["submit", "review", "approve", "sign"].contains(&word.as_str()));
        args.insert(position.map_or(args.len(), |p| p + 1), id.clone());
        anyhow::ensure!(run(args).await? == ExitCode::SUCCESS, "{command}");
    }
    // The officer may not number: exit 1 with the code on stderr.
    let mut refused = words("outgoing --as chuyenvien number");
    refused.push(id.clone());
    anyhow::ensure!(run(refused).await? == ExitCode::FAILURE);
    for command in ["number", "number", "seal", "issue", "deliveries"] {
        let mut args = words("outgoing --as vanthu");
        args.extend([command.to_owned(), id.clone()]);
        anyhow::ensure!(run(args).await? == ExitCode::SUCCESS, "{command}");
    }
    let clerk = test.actor("vanthu").await?;
    let document = test.app.outgoing(&clerk, DocumentId(id.parse()?)).await?;
    assert_eq!(
        document.number_symbol.as_deref(),
        Some("01/KH-UBND"),
        "numbered once"
    );
    assert_eq!(document.state, OutgoingState::Issued);
    let package = dir.path().join("goi-tin.edxml");
    let mut export = words("edxml --as vanthu export");
    export.extend([
        id.clone(),
        "-o".to_owned(),
        package.to_str().unwrap().to_owned(),
    ]);
    anyhow::ensure!(run(export).await? == ExitCode::SUCCESS);
    let parsed = app::edxml::read_package(&std::fs::read(&package)?).map_err(anyhow::Error::msg)?;
    assert_eq!(parsed.code_number, "01");
    Ok(())
}

async fn a_remote_two_phase_signature_is_embedded_and_validates(db: TestDb) -> anyhow::Result<()> {
    let test = start(db, signing_config(None, None)).await?;
    let app = &test.app;
    let officer = test.actor("chuyenvien").await?;
    let leader = test.actor("lanhdao").await?;
    let clerk = test.actor("vanthu").await?;
    let id = app
        .create_outgoing(&officer, plan_draft("Kế hoạch ký từ xa"), &op())
        .await?
        .id;
    app.submit_outgoing(&officer, id, &op()).await?;
    app.review_outgoing(&leader, id, ReviewKind::Content, true, None, &op())
        .await?;
    app.review_outgoing(&clerk, id, ReviewKind::Format, true, None, &op())
        .await?;
    app.approve_outgoing(&leader, id, None, &op()).await?;

    let unprepared = app.finish_remote_signature(&leader, id, b"x", &op()).await;
    assert_eq!(
        unprepared.unwrap_err().code(),
        "outgoing.no_pending_signature"
    );
    // The signer's token holds the key; the server sees only the certificate and the signature.
    let mut pem = std::fs::read(certs("leader-p256.pem"))?;
    pem.extend(std::fs::read(certs("intermediate-ca.pem"))?);
    let prepared = app
        .prepare_remote_signature(&leader, id, &pem, &op())
        .await?;
    assert_eq!(prepared.algorithm, "ecdsa-with-SHA256");
    let token = app::signing::load_signer(
        &app::signing::KeySource::Pkcs12 {
            path: certs("leader-p256.p12"),
            password: SecretString::from("vanthu-dev".to_owned()),
        },
        app::signing::preference(app::signing::HashChoice::Sha256, false),
    )?;
    let garbage = app
        .finish_remote_signature(&leader, id, b"garbage", &op())
        .await;
    assert_eq!(garbage.unwrap_err().code(), "signing.signature_mismatch");
    let raw = token.sign(&prepared.data_to_sign)?;
    let signed = app
        .finish_remote_signature(&leader, id, &raw, &op())
        .await?;
    assert_eq!(signed.state, OutgoingState::Signed);
    app.number_outgoing(&clerk, id, &op()).await?;
    app.seal_outgoing(&clerk, id, &op()).await?;
    let file = app.download_outgoing(&clerk, id, &op()).await?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("remote.pdf");
    std::fs::write(&path, &file.bytes)?;
    let root = certs("root-ca.pem");
    let pyhanko =
        tokio::task::spawn_blocking(move || oracles::pyhanko_validate(&path, &root)).await??;
    assert!(pyhanko.success, "{}\n{}", pyhanko.stdout, pyhanko.stderr);
    assert_eq!(
        pyhanko.stdout.matches(":INTACT:TRUSTED").count(),
        2,
        "{}",
        pyhanko.stdout
    );
    assert!(
        !pyhanko.stdout.contains("ILLEGAL_MODIFICATIONS"),
        "{}",
        pyhanko.stdout
    );
    Ok(())
}

/// A second app on the same database and stores, as after a restart.
async fn restart(test: &TestApp) -> anyhow::Result<App> {
    let mut config: app::Config = toml::from_str(&test.config_file_text())?;
    config.signing = signing_config(None, None);
    config.search.index_dir = test.index_dir.join("restarted");
    let app = App::new(config, test.clock.clone()).await?;
    Ok(app)
}

backend_tests!(
    the_ward_issues_a_plan_to_the_city,
    every_role_is_refused_what_it_may_not_do,
    two_clerks_numbering_at_once_get_consecutive_numbers,
    a_crash_between_the_steps_never_takes_a_second_number,
    an_edxml_package_arrives_intact_in_another_deployment,
    secret_documents_never_leave_by_exchange,
    the_api_runs_the_workflow_and_refuses_with_clear_codes,
    the_cli_runs_the_workflow_and_exports_edxml,
    a_remote_two_phase_signature_is_embedded_and_validates,
);
