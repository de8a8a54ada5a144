//! Issue 5 follow-ups: a recall answered at the receiver (accept 15 / refuse 16), and a real
//! crash (the process aborted by a fail point) between the numbering commit and the numbered PDF.

use std::process::ExitCode;

use domain::ids::DocumentId;
use domain::incoming::IncomingState;
use domain::outgoing::OutgoingState;
use testkit::{TestApp, TestDb};

use crate::backend_tests;
use crate::outgoing::{certs, issued_plan, op, signed_plan, signing_config, start};

/// The environment variable that makes [`cli_child_process`] run `vanthu` with these arguments
/// (one per line).
const CHILD_ARGS: &str = "VANTHU_E2E_CHILD_ARGS";

/// The configuration file of `test` with the ward's signing keys, for `vanthu --config`.
fn config_file(test: &TestApp, dir: &std::path::Path) -> anyhow::Result<String> {
    let signing = format!(
        "[signing]\n\
         [[signing.keys]]\nusername = \"lanhdao\"\np12 = \"{}\"\npassword = \"vanthu-dev\"\n\
         [[signing.keys]]\norganization = \"{}\"\np12 = \"{}\"\npassword = \"vanthu-dev\"\n",
        certs("leader-rsa.p12").display(),
        app::DEMO_ORGANIZATION_ID,
        certs("seal-rsa.p12").display(),
    );
    let path = dir.join("vanthu.toml");
    std::fs::write(&path, format!("{}\n{signing}", test.config_file_text()))?;
    Ok(path.to_string_lossy().into_owned())
}

async fn vanthu(args: &[&str]) -> anyhow::Result<ExitCode> {
    let args: Vec<std::ffi::OsString> = std::iter::once("vanthu")
        .chain(args.iter().copied())
        .map(std::ffi::OsString::from)
        .collect();
    cli::run(args).await
}

/// The ids that `actor`'s search for `text` finds.
async fn found(app: &app::App, actor: &app::Actor, text: &str) -> anyhow::Result<Vec<DocumentId>> {
    let request = app::SearchRequest {
        text: text.to_owned(),
        limit: 50,
        ..app::SearchRequest::default()
    };
    Ok(app
        .search(actor, &request)
        .await?
        .hits
        .into_iter()
        .map(|hit| DocumentId(hit.id))
        .collect())
}

async fn the_receiver_accepts_or_refuses_a_recall(db: TestDb) -> anyhow::Result<()> {
    let test = start(db, signing_config(None, None)).await?;
    let app = &test.app;
    let officer = test.actor("chuyenvien").await?;
    let leader = test.actor("lanhdao").await?;
    let city_clerk = test.actor("vanthu.tp").await?;
    let city_leader = test.actor("lanhdao.tp").await?;
    let dir = tempfile::tempdir()?;
    let config = config_file(&test, dir.path())?;

    // The ward recalls a plan: the city's copy awaits its clerk's answer.
    let first = issued_plan(&test, "Kế hoạch kiểm tra công vụ").await?;
    let incoming = app.outgoing_deliveries(&officer, first).await?[0]
        .incoming_document_id
        .unwrap();
    let before = app.incoming_handling(&city_clerk, incoming).await?.state;
    app.recall_outgoing(&leader, first, Some("Sai nội dung".to_owned()), &op())
        .await?;
    let pending = app.incoming_handling(&city_clerk, incoming).await?;
    assert_eq!(pending.state, IncomingState::RecallPending);
    assert_eq!(
        app.outgoing_deliveries(&officer, first).await?[0].status_code,
        "13"
    );
    // Only the clerk answers; nothing else happens to a document whose recall is pending.
    let refused = app.accept_recall(&city_leader, incoming, None, &op()).await;
    assert_eq!(refused.unwrap_err().code(), "auth.forbidden");
    let blocked = app
        .present_incoming(&city_clerk, incoming, "lanhdao.tp", None, None, &op())
        .await;
    assert_eq!(blocked.unwrap_err().code(), "incoming.invalid_state");

    // The city's clerk accepts through the CLI: 15 reaches the ward, the file is withdrawn.
    let id = incoming.to_string();
    let code = vanthu(&[
        "--config",
        &config,
        "incoming",
        "--as",
        "vanthu.tp",
        "accept-recall",
        &id,
    ])
    .await?;
    assert_eq!(code, ExitCode::SUCCESS);
    let recalled = app.incoming_handling(&city_clerk, incoming).await?;
    assert_eq!(recalled.state, IncomingState::Recalled);
    let delivery = &app.outgoing_deliveries(&officer, first).await?[0];
    assert_eq!(delivery.status_code, "15");
    let codes: Vec<_> = delivery
        .history
        .iter()
        .map(|(code, _, _)| code.as_str())
        .collect();
    assert_eq!(codes, ["01", "13", "15"], "{before:?}");
    let download = app.download_document(&city_clerk, incoming, &op()).await;
    assert_eq!(download.unwrap_err().code(), "document.recalled");
    // Its extracted text is withdrawn with the file.
    let texts = app.document_texts(&city_clerk, incoming).await;
    assert_eq!(texts.unwrap_err().code(), "document.recalled");
    let router = crate::api::router(&test);
    let city_token = crate::api::login(&router, "vanthu.tp").await;
    let file = crate::api::axum_test_support::send(
        &router,
        crate::api::axum_test_support::get(
            &format!("/api/v1/documents/{incoming}/file"),
            Some(&city_token),
        ),
    )
    .await;
    file.assert_problem(409, "document.recalled");
    // The metadata is kept in the register.
    let listed = app.list_incoming(&city_clerk).await?;
    assert!(listed.iter().any(|document| document.id == incoming));
    // The sender's own copy is untouched by the receiver's withdrawal.
    assert!(app.download_outgoing(&officer, first, &op()).await.is_ok());
    let again = app
        .refuse_recall(&city_clerk, incoming, None, None, &op())
        .await;
    assert_eq!(again.unwrap_err().code(), "incoming.invalid_state");

    // Another plan, presented to the city's chairman, then recalled: the clerk refuses (16) and
    // the document is back where it was, its file still there.
    let second = issued_plan(&test, "Kế hoạch phòng chống thiên tai").await?;
    let incoming = app.outgoing_deliveries(&officer, second).await?[0]
        .incoming_document_id
        .unwrap();
    app.present_incoming(&city_clerk, incoming, "lanhdao.tp", None, None, &op())
        .await?;
    app.recall_outgoing(&leader, second, Some("Cập nhật số liệu".to_owned()), &op())
        .await?;
    assert_eq!(
        app.incoming_handling(&city_clerk, incoming).await?.state,
        IncomingState::RecallPending
    );
    // Through the API: the leader may not answer (403), the clerk refuses.
    let uri = format!("/api/v1/incoming/{incoming}/refuse-recall");
    let body = r#"{"reason": "Đã triển khai thực hiện"}"#;
    let leader_token = crate::api::login(&router, "lanhdao.tp").await;
    let forbidden = crate::api::axum_test_support::send(
        &router,
        crate::outgoing::post_action(&uri, &leader_token, body),
    )
    .await;
    forbidden.assert_problem(403, "auth.forbidden");
    let kept = crate::api::axum_test_support::send(
        &router,
        crate::outgoing::post_action(&uri, &city_token, body),
    )
    .await;
    assert_eq!(kept.status, 200, "{}", String::from_utf8_lossy(&kept.body));
    assert_eq!(kept.json()["state"], "awaiting_assignment");
    let delivery = &app.outgoing_deliveries(&officer, second).await?[0];
    assert_eq!(delivery.status_code, "16");
    let codes: Vec<_> = delivery
        .history
        .iter()
        .map(|(code, _, _)| code.as_str())
        .collect();
    assert_eq!(codes, ["01", "04", "13", "16"]);
    assert!(
        app.download_document(&city_clerk, incoming, &op())
            .await
            .is_ok()
    );
    let report = app.verify_audit_chain().await?;
    assert!(report.is_intact(), "{report:?}");
    Ok(())
}

/// A recalled copy stays in the search index with its metadata only: its subject still finds it
/// (an archivist looks up what was recalled), words of its withdrawn body no longer do, and a
/// rebuild from the database agrees.
async fn a_recalled_copy_is_found_by_its_subject_not_its_body(db: TestDb) -> anyhow::Result<()> {
    let test = start(db, signing_config(None, None)).await?;
    let app = &test.app;
    let officer = test.actor("chuyenvien").await?;
    let leader = test.actor("lanhdao").await?;
    let city_clerk = test.actor("vanthu.tp").await?;
    let plan = issued_plan(&test, "Kế hoạch kiểm tra công vụ").await?;
    let incoming = app.outgoing_deliveries(&officer, plan).await?[0]
        .incoming_document_id
        .unwrap();
    // The body of the plan says "DU THAO KE HOACH", its subject does not say "dự thảo".
    let body = "\"du thao\"";
    let subject = "kiem tra cong vu";
    assert!(found(app, &city_clerk, body).await?.contains(&incoming));
    app.recall_outgoing(&leader, plan, Some("Sai nội dung".to_owned()), &op())
        .await?;
    // Pending, the document is still held: its body is still searchable.
    assert!(found(app, &city_clerk, body).await?.contains(&incoming));
    app.accept_recall(&city_clerk, incoming, None, &op())
        .await?;
    for rebuilt in [false, true] {
        if rebuilt {
            app.reindex().await?;
        }
        let hits = found(app, &city_clerk, subject).await?;
        assert!(hits.contains(&incoming), "by subject (rebuilt: {rebuilt})");
        let hits = found(app, &city_clerk, body).await?;
        assert!(!hits.contains(&incoming), "by body (rebuilt: {rebuilt})");
    }
    Ok(())
}

/// Not a test of its own: the entry point of the child process that [`run_vanthu_process`]
/// starts. The `vanthu` binary is `cli::run` behind a runtime (`crates/cli/src/main.rs`); the
/// `tests` package cannot name that binary (`CARGO_BIN_EXE_*` exists only in the `cli` package),
/// so the child is this test binary re-run on this one test, which calls `cli::run` the same way.
#[tokio::test]
async fn cli_child_process() {
    let Ok(args) = std::env::var(CHILD_ARGS) else {
        return;
    };
    let args: Vec<&str> = args.lines().collect();
    let code = vanthu(&args).await;
    std::process::exit(match code {
        Ok(code) if code == ExitCode::SUCCESS => 0,
        _ => 1,
    });
}

/// Runs `vanthu ARGS` in a separate process, with `VANTHU_FAILPOINT` set when `failpoint` is.
fn run_vanthu_process(
    args: &[&str],
    failpoint: Option<&str>,
) -> anyhow::Result<std::process::Output> {
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command
        .args([
            "--exact",
            "recall::cli_child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ARGS, args.join("\n"))
        .env_remove("VANTHU_FAILPOINT");
    if let Some(failpoint) = failpoint {
        command.env("VANTHU_FAILPOINT", failpoint);
    }
    Ok(command.output()?)
}

async fn a_killed_process_after_numbering_leaves_the_document_retryable(
    db: TestDb,
) -> anyhow::Result<()> {
    let test = start(db, signing_config(None, None)).await?;
    let app = &test.app;
    let clerk = test.actor("vanthu").await?;
    let dir = tempfile::tempdir()?;
    let config = config_file(&test, dir.path())?;
    let id = signed_plan(&test, "Kế hoạch sau sự cố").await?;
    let signed_sha256 = app.outgoing(&clerk, id).await?.sha256;
    let number = |id: DocumentId| {
        let config = config.clone();
        move |failpoint: Option<&'static str>| {
            let id = id.to_string();
            let args = [
                "--config", &config, "outgoing", "--as", "vanthu", "number", &id,
            ];
            run_vanthu_process(&args, failpoint)
        }
    };

    // The process aborts right after the numbering transaction commits.
    let crashed = tokio::task::spawn_blocking({
        let number = number(id);
        move || number(Some("outgoing.after_number_commit"))
    })
    .await??;
    assert!(
        !crashed.status.success(),
        "the fail point must kill the process: {}",
        String::from_utf8_lossy(&crashed.stderr)
    );
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        assert_eq!(
            crashed.status.signal(),
            Some(6),
            "SIGABRT: {:?}",
            crashed.status
        );
    }
    let half = app.outgoing(&clerk, id).await?;
    assert_eq!(half.state, OutgoingState::Numbered);
    assert_eq!(half.number_symbol.as_deref(), Some("01/KH-UBND"));
    assert_eq!(half.sha256, signed_sha256, "the numbered PDF was not made");

    // A new process retries: the same number, and now the PDF.
    let retried = tokio::task::spawn_blocking({
        let number = number(id);
        move || number(None)
    })
    .await??;
    assert!(
        retried.status.success(),
        "{}",
        String::from_utf8_lossy(&retried.stderr)
    );
    let numbered = app.outgoing(&clerk, id).await?;
    assert_eq!(numbered.state, OutgoingState::Numbered);
    assert_eq!(numbered.number_symbol.as_deref(), Some("01/KH-UBND"));
    assert_ne!(numbered.sha256, signed_sha256, "the numbered PDF exists");
    let file = app.download_outgoing(&clerk, id, &op()).await?;
    let path = dir.path().join("numbered.pdf");
    std::fs::write(&path, &file.bytes)?;
    let text = testkit::oracles::pdftotext(&path)?;
    assert!(text.contains("Số: 01/KH-UBND"), "{text}");

    // The next document takes the next number: none was consumed twice.
    let next = signed_plan(&test, "Kế hoạch tiếp theo").await?;
    let next = app.number_outgoing(&clerk, next, &op()).await?;
    assert_eq!(next.number_symbol.as_deref(), Some("02/KH-UBND"));
    let report = app.verify_audit_chain().await?;
    assert!(report.is_intact(), "{report:?}");
    Ok(())
}

backend_tests!(
    a_recalled_copy_is_found_by_its_subject_not_its_body,
    the_receiver_accepts_or_refuses_a_recall,
    a_killed_process_after_numbering_leaves_the_document_retryable,
);
