//! `vanthu ocr`: recognises the scanned documents waiting in the OCR queue (the same work the
//! server's background worker does), or shows the queue with `--status`.
//!
//! It first extracts the text of documents that have none (registered before text extraction
//! existed), which may queue more scans. Progress is one line per document on stderr; the exit
//! status is 1 when any document failed.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use app::App;
use serde_json::json;

/// The arguments of `vanthu ocr`.
#[derive(Debug, clap::Args)]
pub(crate) struct OcrArgs {
    /// Only show the queue (pending, running, done, failed, and the failures).
    #[arg(long)]
    status: bool,
    /// Queue the failed documents again before running.
    #[arg(long)]
    retry_failed: bool,
    /// Recognise at most this many documents.
    #[arg(long)]
    limit: Option<usize>,
    /// Print the outcome as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `vanthu ocr`.
pub(crate) async fn run(app: &App, args: &OcrArgs) -> anyhow::Result<ExitCode> {
    if args.status {
        let status = app
            .ocr_queue_status()
            .await
            .context("reading the OCR queue")?;
        if args.json {
            let failures: Vec<_> = status
                .failures
                .iter()
                .map(|(id, error)| json!({ "document_id": id.get(), "error": error }))
                .collect();
            crate::say(
                &json!({
                    "pending": status.pending, "running": status.running,
                    "done": status.done, "failed": status.failed, "failures": failures,
                })
                .to_string(),
            )?;
        } else {
            crate::say(&format!(
                "OCR queue: {} pending, {} running, {} done, {} failed",
                status.pending, status.running, status.done, status.failed
            ))?;
            for (id, error) in &status.failures {
                crate::say(&format!("  document {id}: {error}"))?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }

    let backfill = app
        .backfill_texts()
        .await
        .context("extracting missing texts")?;
    if backfill.extracted > 0 || backfill.unreadable > 0 {
        let _ = writeln!(
            std::io::stderr(),
            "texts extracted for {} older documents ({} queued for OCR, {} unreadable)",
            backfill.extracted,
            backfill.queued_for_ocr,
            backfill.unreadable
        );
    }
    if args.retry_failed {
        let count = app.retry_failed_ocr().await.context("queueing failures")?;
        let _ = writeln!(std::io::stderr(), "{count} failed documents queued again");
    }
    let progress = |run: &app::OcrRun| {
        let detail = match &run.error {
            Some(error) => format!("failed: {error}"),
            None => format!("{} pages, {} characters", run.pages, run.chars),
        };
        // Progress is a courtesy: a closed stderr must not stop the work.
        let _ = writeln!(
            std::io::stderr(),
            "document {}: {} in {:.1} s, {detail}",
            run.document_id,
            run.status,
            run.millis as f64 / 1000.0
        );
    };
    let report = app
        .run_ocr_queue(args.limit, &progress)
        .await
        .map_err(|error| anyhow::anyhow!("[{}] {error}", error.code()))?;
    let failed = report.runs.iter().filter(|run| run.error.is_some()).count();
    if args.json {
        let runs: Vec<_> = report
            .runs
            .iter()
            .map(|run| {
                json!({
                    "document_id": run.document_id.get(), "status": run.status,
                    "pages": run.pages, "chars": run.chars, "millis": run.millis,
                    "error": run.error,
                })
            })
            .collect();
        crate::say(
            &json!({
                "backfilled": backfill.extracted,
                "runs": runs,
                "still_pending": report.still_pending,
            })
            .to_string(),
        )?;
    } else {
        crate::say(&format!(
            "OCR: {} documents recognised, {failed} failed, {} still pending",
            report.runs.len() - failed,
            report.still_pending
        ))?;
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
