//! OCR of scanned documents with tesseract's Vietnamese model, off the request path.
//!
//! A document whose text layer is missing or unusable (`extraction::needs_ocr`) is put in the OCR
//! queue (`db::ocr`, state `pending`) in its intake transaction. A worker (the task that
//! `vanthu serve` starts with [`App::spawn_ocr_worker`], or `vanthu ocr`) takes documents one at a
//! time, renders each page with poppler's `pdftoppm` at 300 dpi and reads it with
//! `tesseract PAGE.png - -l vie`, each in a child process with a time limit and an output cap, and
//! stores the NFC text as the document's OCR derivative (`done`) or the reason it failed
//! (`failed`). The stored original is only read: a signed PDF is never rewritten, and the text
//! layer's own row stays as extracted. Once done, the OCR text is what the search index holds for
//! the document's body (it was only queued because its own text layer was empty or garbage).
//!
//! tesseract runs single-threaded (`OMP_THREAD_LIMIT=1`): its OpenMP threads cost more than they
//! gain on a small server that also answers requests (SEARCH-NOTES §3.2 measured 3.3 s a page on
//! one core). Scanned images (PNG, JPEG) become two-layer PDFs (the image plus an invisible text
//! layer, the TT 05/2025 form for digitised paper) with [`scan_to_pdf`], for `vanthu import`.

use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use db::ocr::{OcrRecord, OcrStatus};
use domain::audit::AuditAction;
use domain::ids::DocumentId;
use time::OffsetDateTime;
use tokio::io::AsyncReadExt;
use unicode_normalization::UnicodeNormalization;

use crate::audit::AuditRecord;
use crate::authz::SYSTEM_USERNAME;
use crate::{Actor, App, Error, OperationId, Permission, blocking};

/// The tesseract language: the Vietnamese model is mandatory (the English one loses diacritics).
const LANGUAGE: &str = "vie";
/// The rendering resolution of a page.
const DPI: u32 = 300;
/// A page whose longer side exceeds this many points (A3 is 1191) is rendered to
/// [`MAX_PAGE_PIXELS`] on its longer side instead of at [`DPI`], so that a huge page cannot make
/// a huge bitmap.
const MAX_PAGE_POINTS: f64 = 1250.0;
/// The longer side of a rendered page, in pixels, for pages over [`MAX_PAGE_POINTS`].
const MAX_PAGE_PIXELS: u32 = 5100;
/// The longest rendering of one page.
const RENDER_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest recognition of one page (about 3 s on one core for a clean A4 page).
const RECOGNISE_TIMEOUT: Duration = Duration::from_secs(180);
/// The most text kept from one page, in bytes.
const MAX_PAGE_TEXT_BYTES: u64 = 1024 * 1024;
/// The most pages recognised in one document; the rest is left out (and said so in the log).
const MAX_PAGES: i32 = 500;
/// The longest conversion of one scanned image into a PDF.
const SCAN_TIMEOUT: Duration = Duration::from_secs(300);
/// A document left `running` this long was abandoned by a worker that died: it is queued again.
const STALE_RUNNING: time::Duration = time::Duration::hours(2);
/// How often the worker looks at the queue when nothing wakes it.
const POLL_INTERVAL: Duration = Duration::from_secs(60);

/// Whether the missing tesseract has already been reported by the worker.
static MISSING_REPORTED: AtomicBool = AtomicBool::new(false);

/// A document's texts: the text layer read at intake and the OCR derivative, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentTexts {
    /// The document.
    pub document_id: DocumentId,
    /// The text layer as extracted (none for a document registered before extraction existed and
    /// not yet backfilled).
    pub layer: Option<LayerText>,
    /// The OCR derivative (none when OCR was never requested).
    pub ocr: Option<OcrText>,
}

/// The text layer of a document, as extracted at intake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerText {
    /// The text (NFC; empty when none).
    pub text: String,
    /// The extractor: `pdftotext` or `none`.
    pub method: String,
    /// Whether the layer is missing or unusable, so that OCR provides the text.
    pub needs_ocr: bool,
    /// When it was extracted.
    pub extracted_at: OffsetDateTime,
}

/// A document's OCR derivative and where it stands in the queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcrText {
    /// `pending`, `running`, `done` or `failed`.
    pub status: &'static str,
    /// The recognised text (NFC; empty until done).
    pub text: String,
    /// The engine, language and resolution, e.g. `tesseract 5.3.0 (vie, 300 dpi)`.
    pub engine: String,
    /// How many pages were recognised.
    pub pages: i32,
    /// How many runs were started.
    pub attempts: i32,
    /// Why the last run failed.
    pub error: Option<String>,
    /// When OCR was requested.
    pub requested_at: OffsetDateTime,
    /// When the last run started.
    pub started_at: Option<OffsetDateTime>,
    /// When the last run ended.
    pub finished_at: Option<OffsetDateTime>,
}

impl From<OcrRecord> for OcrText {
    fn from(record: OcrRecord) -> OcrText {
        OcrText {
            status: record.status.code(),
            text: record.text,
            engine: record.engine,
            pages: record.pages,
            attempts: record.attempts,
            error: record.error,
            requested_at: record.requested_at,
            started_at: record.started_at,
            finished_at: record.finished_at,
        }
    }
}

/// One document processed by [`App::run_ocr_queue`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OcrRun {
    /// The document.
    pub document_id: DocumentId,
    /// `done` or `failed`.
    pub status: &'static str,
    /// Pages recognised.
    pub pages: i32,
    /// Characters of text recognised.
    pub chars: usize,
    /// Wall-clock milliseconds the run took.
    pub millis: u128,
    /// Why it failed.
    pub error: Option<String>,
}

/// What [`App::run_ocr_queue`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OcrRunReport {
    /// Every document processed, in order.
    pub runs: Vec<OcrRun>,
    /// Documents still pending afterwards (more than the limit, or queued meanwhile).
    pub still_pending: u64,
}

/// The OCR queue at a glance, for `vanthu ocr --status`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OcrQueueStatus {
    /// Documents waiting.
    pub pending: u64,
    /// Documents being recognised.
    pub running: u64,
    /// Documents recognised.
    pub done: u64,
    /// Documents whose last run failed.
    pub failed: u64,
    /// The oldest failed documents (at most 50) with their errors.
    pub failures: Vec<(DocumentId, String)>,
}

/// What [`App::backfill_texts`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BackfillReport {
    /// Documents that had no text row and now have one.
    pub extracted: u64,
    /// Of those, how many were queued for OCR.
    pub queued_for_ocr: u64,
    /// Documents whose stored file could not be read (left without text; see the log).
    pub unreadable: u64,
}

/// A handle on the background OCR worker: dropping it stops the worker (a page being recognised
/// is killed with its child process, and the document is queued again when found stale).
#[derive(Debug)]
pub struct OcrWorker {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for OcrWorker {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The kind of a scanned image, from its first bytes: `png` or `jpeg`.
pub fn scan_image_kind(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("jpeg")
    } else {
        None
    }
}

/// Turns a scanned page (PNG or JPEG) into a two-layer PDF: the image, and under it the text that
/// `tesseract -l vie` recognised, invisible but searchable and extractable. The page size follows
/// the image's resolution (PNG `pHYs`, JPEG `JFIF`). The PDF's creation date is blanked, so that
/// the same image always gives the same bytes and a second import is found a duplicate.
///
/// # Errors
/// `NotPdf` (code `document.unreadable_image`) for something that is not a PNG or JPEG or that
/// tesseract cannot read; `Unavailable` when tesseract or its Vietnamese model is not installed.
pub async fn scan_to_pdf(image: &[u8]) -> Result<Vec<u8>, Error> {
    let unreadable = |reason: String| Error::NotPdf {
        reason,
        code: "document.unreadable_image",
    };
    let Some(kind) = scan_image_kind(image) else {
        return Err(unreadable("not a PNG or JPEG image".to_owned()));
    };
    engine().await?;
    let dir = temp_dir()?;
    let input = dir.path().join(format!("scan.{kind}"));
    tokio::fs::write(&input, image)
        .await
        .map_err(|error| internal("writing the scan", &error))?;
    let base = dir.path().join("scan");
    let mut command = tesseract();
    command.arg(&input).arg(&base).args(["-l", LANGUAGE, "pdf"]);
    run_tool(command, SCAN_TIMEOUT, 0)
        .await
        .map_err(|error| unreadable(format!("tesseract: {error}")))?;
    let mut pdf = tokio::fs::read(base.with_extension("pdf"))
        .await
        .map_err(|error| unreadable(format!("tesseract wrote no PDF: {error}")))?;
    blank_creation_date(&mut pdf);
    Ok(pdf)
}

/// Overwrites the `/CreationDate (…)` entry with spaces, in place: the length and so every offset
/// of the file stay as they are, and whitespace is allowed anywhere between a dictionary's tokens.
fn blank_creation_date(pdf: &mut [u8]) {
    let key = b"/CreationDate";
    let Some(start) = pdf.windows(key.len()).position(|window| window == key) else {
        return;
    };
    let Some(open) = pdf
        .get(start + key.len()..)
        .and_then(|rest| rest.iter().position(|&byte| byte == b'('))
    else {
        return;
    };
    let open = start + key.len() + open;
    let Some(close) = pdf
        .get(open..)
        .and_then(|rest| rest.iter().position(|&byte| byte == b')'))
    else {
        return;
    };
    // A date string is short: anything longer is not the entry we expect, and is left alone.
    if close > 64 {
        return;
    }
    for byte in pdf.iter_mut().skip(start).take(open + close + 1 - start) {
        *byte = b' ';
    }
}

/// The text the search index holds for a document's body: the OCR text once done (OCR is only
/// queued when the text layer is missing or unusable), else the text layer.
pub(crate) fn text_for_index(layer: String, ocr: Option<&OcrRecord>) -> String {
    match ocr {
        Some(record) if record.status == OcrStatus::Done => record.text.clone(),
        _ => layer,
    }
}

impl App {
    /// Wakes the background OCR worker, if one runs in this process.
    pub(crate) fn wake_ocr(&self) {
        self.ocr_wakeup.notify_one();
    }

    /// Replaces, in `texts` (by document id), the text of every document whose OCR is done by its
    /// OCR text: what a rebuild of the index holds.
    pub(crate) async fn overlay_ocr_texts(
        &self,
        texts: &mut std::collections::HashMap<i64, String>,
    ) -> Result<(), Error> {
        for (id, text) in db::ocr::done_texts(&self.db).await? {
            texts.insert(id.get(), text);
        }
        Ok(())
    }

    /// The OCR row of `id` for indexing; a failure to read it is logged and indexes the layer.
    pub(crate) async fn ocr_for_index(&self, id: DocumentId) -> Option<OcrRecord> {
        match db::ocr::get(&self.db, id).await {
            Ok(record) => record,
            Err(error) => {
                tracing::warn!(%error, document_id = %id, "cannot read the document's OCR text to index it");
                None
            }
        }
    }

    /// A document's text layer and OCR derivative with its queue state.
    ///
    /// # Errors
    /// `Forbidden` for a role that reads no documents; `NotFound` when the document does not exist
    /// or the actor may not see it.
    pub async fn document_texts(
        &self,
        actor: &Actor,
        id: DocumentId,
    ) -> Result<DocumentTexts, Error> {
        actor.require(Permission::ListIncoming)?;
        let Some(document) = db::documents::find_incoming(&self.db, id).await? else {
            return Err(Error::NotFound { what: "document" });
        };
        // The same rule as the file itself: an officer reads only what was assigned to them, and a
        // recalled document's content is withdrawn (only its metadata is kept).
        if !self
            .reads_incoming(actor, id, document.organization_id, document.secrecy)
            .await?
        {
            return Err(Error::NotFound { what: "document" });
        }
        if document.state == domain::incoming::IncomingState::Recalled {
            return Err(crate::recall::recalled_file());
        }
        let layer = db::document_texts::get(&self.db, id)
            .await?
            .map(|text| LayerText {
                text: text.text,
                method: text.method,
                needs_ocr: text.needs_ocr,
                extracted_at: text.extracted_at,
            });
        let ocr = db::ocr::get(&self.db, id).await?.map(OcrText::from);
        Ok(DocumentTexts {
            document_id: id,
            layer,
            ocr,
        })
    }

    /// The OCR queue's counts and its oldest failures (an operator's view: `vanthu ocr --status`).
    ///
    /// # Errors
    /// `Unavailable` when the database fails.
    pub async fn ocr_queue_status(&self) -> Result<OcrQueueStatus, Error> {
        let failures = db::ocr::list(&self.db, OcrStatus::Failed, 50)
            .await?
            .into_iter()
            .map(|record| (record.document_id, record.error.unwrap_or_default()))
            .collect();
        Ok(OcrQueueStatus {
            pending: db::ocr::count(&self.db, OcrStatus::Pending).await?,
            running: db::ocr::count(&self.db, OcrStatus::Running).await?,
            done: db::ocr::count(&self.db, OcrStatus::Done).await?,
            failed: db::ocr::count(&self.db, OcrStatus::Failed).await?,
            failures,
        })
    }

    /// Queues every failed document again (after installing a missing model, say); returns how
    /// many.
    ///
    /// # Errors
    /// `Unavailable` when the database fails.
    pub async fn retry_failed_ocr(&self) -> Result<u64, Error> {
        let tx = self.db.begin_write().await?;
        let count = db::ocr::requeue(&tx, OcrStatus::Failed, None).await?;
        tx.commit().await?;
        if count > 0 {
            self.wake_ocr();
        }
        Ok(count)
    }

    /// Recognises pending documents, oldest first, one at a time, at most `limit` of them (all when
    /// `None`); `progress` is told about each one as it ends. Documents abandoned `running` by a
    /// worker that died are queued again first. Each recognised document is re-indexed.
    ///
    /// # Errors
    /// `Unavailable` when documents are pending but tesseract or its Vietnamese model is not
    /// installed (nothing is taken from the queue), or when the database fails. A document that cannot be recognised is not an
    /// error: it is marked `failed` with the reason.
    pub async fn run_ocr_queue(
        &self,
        limit: Option<usize>,
        progress: &(dyn Fn(&OcrRun) + Send + Sync),
    ) -> Result<OcrRunReport, Error> {
        // Reads first: an idle worker writes nothing and starts no process.
        if db::ocr::count(&self.db, OcrStatus::Running).await? > 0 {
            let tx = self.db.begin_write().await?;
            let stale = db::ocr::requeue(
                &tx,
                OcrStatus::Running,
                Some(self.clock.now() - STALE_RUNNING),
            )
            .await?;
            tx.commit().await?;
            if stale > 0 {
                tracing::warn!(documents = stale, "abandoned OCR runs were queued again");
            }
        }
        let mut report = OcrRunReport::default();
        if db::ocr::count(&self.db, OcrStatus::Pending).await? == 0 {
            return Ok(report);
        }
        let engine = engine().await?;
        while limit.is_none_or(|limit| report.runs.len() < limit) {
            let tx = self.db.begin_write().await?;
            let claimed = db::ocr::claim_next(&tx, self.clock.now()).await?;
            tx.commit().await?;
            let Some(id) = claimed else {
                break;
            };
            let run = self.recognise_document(id, &engine).await?;
            progress(&run);
            report.runs.push(run);
        }
        report.still_pending = db::ocr::count(&self.db, OcrStatus::Pending).await?;
        Ok(report)
    }

    /// Runs OCR on one claimed document and stores the outcome.
    async fn recognise_document(&self, id: DocumentId, engine: &str) -> Result<OcrRun, Error> {
        let started = Instant::now();
        let outcome = self.recognise_stored(id).await;
        let (result, pages) = match &outcome {
            Ok((text, pages)) => (Ok(text.as_str()), *pages),
            Err(reason) => (Err(reason.as_str()), 0),
        };
        let organization_id = db::documents::find_incoming(&self.db, id)
            .await?
            .map(|document| document.organization_id);
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        db::ocr::finish(
            &tx,
            id,
            &db::ocr::OcrOutcome {
                result,
                engine,
                pages,
                finished_at: now,
            },
        )
        .await?;
        // Provenance of the derivative (PREMIS-style): which engine made it, from how many pages.
        self.record(
            &tx,
            AuditRecord {
                organization_id,
                actor: SYSTEM_USERNAME,
                action: AuditAction::DocumentTextRecognized,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "status": if result.is_ok() { "done" } else { "failed" },
                    "engine": engine,
                    "pages": pages,
                    "chars": result.map_or(0, |text| text.chars().count()),
                    "error": result.err(),
                }),
            },
            now,
            &OperationId::new("ocr-worker"),
        )
        .await?;
        tx.commit().await?;
        let millis = started.elapsed().as_millis();
        let run = match outcome {
            Ok((text, pages)) => {
                tracing::info!(document_id = %id, pages, millis, "OCR done");
                self.index_document(id).await;
                OcrRun {
                    document_id: id,
                    status: OcrStatus::Done.code(),
                    pages,
                    chars: text.chars().count(),
                    millis,
                    error: None,
                }
            }
            Err(reason) => {
                tracing::warn!(document_id = %id, %reason, "OCR failed");
                OcrRun {
                    document_id: id,
                    status: OcrStatus::Failed.code(),
                    pages: 0,
                    chars: 0,
                    millis,
                    error: Some(reason),
                }
            }
        };
        Ok(run)
    }

    /// Reads the stored file of `id` and recognises every page: the NFC text and the page count,
    /// or why it failed.
    async fn recognise_stored(&self, id: DocumentId) -> Result<(String, i32), String> {
        let document = db::documents::find_incoming(&self.db, id)
            .await
            .map_err(|error| format!("reading the document: {error}"))?
            .ok_or_else(|| "the document is not an incoming document".to_owned())?;
        let blob_id = storage::BlobId::parse(&document.blob_sha256)
            .map_err(|error| format!("the stored hash: {error}"))?;
        let blobs = Arc::clone(&self.blobs);
        let bytes = blocking(move || blobs.get(&blob_id))
            .await
            .map_err(|error| error.to_string())?
            .map_err(|error| format!("reading the stored file: {error}"))?;
        let pages = document.page_count.clamp(0, MAX_PAGES);
        if document.page_count > MAX_PAGES {
            tracing::warn!(document_id = %id, pages = document.page_count, limit = MAX_PAGES, "only the first pages are recognised");
        }
        let text = recognise_pdf(&bytes, pages)
            .await
            .map_err(|error| error.to_string())?;
        Ok((text, pages))
    }

    /// Extracts the text of every document that has none (documents registered before text
    /// extraction existed), storing it and queueing OCR where the layer is missing or unusable.
    ///
    /// # Errors
    /// `Unavailable` when the database fails; an unreadable stored file is counted, not an error.
    pub async fn backfill_texts(&self) -> Result<BackfillReport, Error> {
        let mut report = BackfillReport::default();
        for document in db::ocr::documents_without_text(&self.db).await? {
            let id = document.document_id;
            let bytes = match storage::BlobId::parse(&document.blob_sha256) {
                Ok(blob_id) => {
                    let blobs = Arc::clone(&self.blobs);
                    blocking(move || blobs.get(&blob_id)).await?
                }
                Err(error) => Err(error),
            };
            let bytes = match bytes {
                Ok(bytes) => bytes,
                Err(error) => {
                    tracing::warn!(%error, document_id = %id, "cannot read the stored file to extract its text");
                    report.unreadable += 1;
                    continue;
                }
            };
            let extracted = crate::extraction::extract(&bytes).await;
            let tx = self.db.begin_write().await?;
            db::document_texts::upsert(
                &tx,
                &db::document_texts::DocumentText {
                    document_id: id,
                    text: extracted.text,
                    method: extracted.method.code().to_owned(),
                    needs_ocr: extracted.needs_ocr,
                    extracted_at: self.clock.now(),
                },
            )
            .await?;
            if extracted.needs_ocr {
                db::ocr::enqueue(&tx, id, self.clock.now()).await?;
                report.queued_for_ocr += 1;
            }
            tx.commit().await?;
            report.extracted += 1;
            self.index_document(id).await;
        }
        if report.queued_for_ocr > 0 {
            self.wake_ocr();
        }
        Ok(report)
    }

    /// Starts the background OCR worker on the current tokio runtime: it works through the queue,
    /// then sleeps until an intake wakes it or a minute passes. Without tesseract it says so once
    /// and leaves the queue alone (documents stay `pending`).
    pub fn spawn_ocr_worker(&self) -> OcrWorker {
        let app = self.clone();
        let task = tokio::spawn(async move {
            loop {
                match app.run_ocr_queue(None, &|_| {}).await {
                    Ok(_) => {}
                    Err(error @ Error::Unavailable { what: TOOL, .. }) => {
                        if !MISSING_REPORTED.swap(true, Ordering::Relaxed) {
                            tracing::warn!(%error, "OCR is off: scanned documents wait in the queue");
                        }
                    }
                    Err(error) => tracing::warn!(%error, "the OCR worker failed; it retries later"),
                }
                let woken = tokio::time::timeout(POLL_INTERVAL, app.ocr_wakeup.notified())
                    .await
                    .is_ok();
                if woken {
                    // Intake wakes the worker from inside its transaction: taking the writer lock
                    // (and rolling back at once) waits for that transaction to commit, so that the
                    // next look at the queue sees the new document.
                    if let Ok(barrier) = app.db.begin_write().await {
                        drop(barrier);
                    }
                }
            }
        });
        OcrWorker { task }
    }
}

/// The name of the OCR tool in `Error::Unavailable`.
const TOOL: &str = "OCR (tesseract-ocr with tesseract-ocr-vie)";

fn tool_missing(reason: String) -> Error {
    Error::Unavailable {
        what: TOOL,
        source: reason.into(),
    }
}

fn internal(what: &str, error: &dyn std::fmt::Display) -> Error {
    Error::Internal {
        reason: format!("{what}: {error}"),
    }
}

fn temp_dir() -> Result<tempfile::TempDir, Error> {
    tempfile::Builder::new()
        .prefix("vanthu-ocr-")
        .tempdir()
        .map_err(|error| internal("temporary directory", &error))
}

/// tesseract, single-threaded, quiet.
fn tesseract() -> tokio::process::Command {
    let mut command = tokio::process::Command::new("tesseract");
    command.env("OMP_THREAD_LIMIT", "1");
    command
}

/// The engine description (`tesseract 5.3.0 (vie, 300 dpi)`), checking that tesseract and its
/// Vietnamese model are installed.
async fn engine() -> Result<String, Error> {
    let mut command = tesseract();
    command.arg("--version");
    let version = run_tool(command, Duration::from_secs(20), 64 * 1024)
        .await
        .map_err(|error| tool_missing(error.to_string()))?;
    let version = String::from_utf8_lossy(&version);
    let version = version
        .lines()
        .next()
        .unwrap_or("tesseract")
        .trim()
        .to_owned();
    let mut command = tesseract();
    command.arg("--list-langs");
    let languages = run_tool(command, Duration::from_secs(20), 64 * 1024)
        .await
        .map_err(|error| tool_missing(error.to_string()))?;
    let languages = String::from_utf8_lossy(&languages);
    if !languages.lines().any(|line| line.trim() == LANGUAGE) {
        return Err(tool_missing(format!(
            "{version} has no {LANGUAGE} model: install tesseract-ocr-{LANGUAGE}"
        )));
    }
    Ok(format!("{version} ({LANGUAGE}, {DPI} dpi)"))
}

/// Recognises the first `pages` pages of a PDF: each page rendered and read in its own child
/// processes; the pages' texts joined by blank lines, NFC.
async fn recognise_pdf(bytes: &[u8], pages: i32) -> Result<String, ToolError> {
    let dir = temp_dir().map_err(|error| ToolError::Failed(error.to_string()))?;
    let input = dir.path().join("document.pdf");
    tokio::fs::write(&input, bytes)
        .await
        .map_err(|error| ToolError::Failed(format!("writing the document: {error}")))?;
    let sizes = page_sizes(&input, pages).await;
    let mut texts = Vec::new();
    for page in 1..=pages {
        let png = render_page(&input, dir.path(), page, sizes.get(&page).copied()).await?;
        let mut command = tesseract();
        command.arg(&png).arg("-").args(["-l", LANGUAGE]);
        let text = run_tool(command, RECOGNISE_TIMEOUT, MAX_PAGE_TEXT_BYTES)
            .await
            .map_err(|error| ToolError::Failed(format!("page {page}: tesseract: {error}")))?;
        // The page image is large: gone before the next one is drawn.
        let _ = tokio::fs::remove_file(&png).await;
        let text: String = String::from_utf8_lossy(&text).nfc().collect();
        texts.push(text.trim().to_owned());
    }
    Ok(texts.join("\n\n"))
}

/// The longer side of each page in points, as `pdfinfo` reports it (empty when it cannot).
async fn page_sizes(input: &Path, pages: i32) -> std::collections::HashMap<i32, f64> {
    let mut command = tokio::process::Command::new("pdfinfo");
    command
        .args(["-f", "1", "-l", &pages.to_string()])
        .arg(input);
    let Ok(output) = run_tool(command, RENDER_TIMEOUT, 1024 * 1024).await else {
        return std::collections::HashMap::new();
    };
    String::from_utf8_lossy(&output)
        .lines()
        .filter_map(|line| {
            // "Page    1 size: 595.44 x 841.92 pts (A4)"
            let rest = line.strip_prefix("Page")?;
            let (number, size) = rest.split_once("size:")?;
            let number: i32 = number.trim().parse().ok()?;
            let mut parts = size.split_whitespace();
            let width: f64 = parts.next()?.parse().ok()?;
            let _ = parts.next()?;
            let height: f64 = parts.next()?.parse().ok()?;
            Some((number, width.max(height)))
        })
        .collect()
}

/// Renders one page to a grey PNG at [`DPI`] (or, for a huge or unmeasured page, to
/// [`MAX_PAGE_PIXELS`] on its longer side); returns its path.
async fn render_page(
    input: &Path,
    dir: &Path,
    page: i32,
    longer_side: Option<f64>,
) -> Result<std::path::PathBuf, ToolError> {
    let base = dir.join(format!("page-{page}"));
    let page_text = page.to_string();
    let mut command = tokio::process::Command::new("pdftoppm");
    command.args([
        "-q",
        "-gray",
        "-png",
        "-singlefile",
        "-f",
        &page_text,
        "-l",
        &page_text,
    ]);
    match longer_side {
        Some(points) if points <= MAX_PAGE_POINTS => {
            command.args(["-r", &DPI.to_string()]);
        }
        _ => {
            command.args(["-scale-to", &MAX_PAGE_PIXELS.to_string()]);
        }
    }
    command.arg(input).arg(&base);
    run_tool(command, RENDER_TIMEOUT, 0)
        .await
        .map_err(|error| ToolError::Failed(format!("page {page}: pdftoppm: {error}")))?;
    Ok(base.with_extension("png"))
}

/// Why a child process gave no result.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToolError {
    /// The program is not installed.
    Missing(String),
    /// It ran past its time limit and was killed.
    TimedOut(String, Duration),
    /// It failed otherwise.
    Failed(String),
}

impl std::fmt::Display for ToolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ToolError::Missing(program) => write!(f, "{program} is not installed"),
            ToolError::TimedOut(program, limit) => {
                write!(f, "{program} ran past {} s and was killed", limit.as_secs())
            }
            ToolError::Failed(reason) => f.write_str(reason),
        }
    }
}

/// Runs `command` with no input, killing it after `timeout`; returns its standard output, of which
/// at most `cap` bytes are kept (the rest is read and dropped).
pub(crate) async fn run_tool(
    mut command: tokio::process::Command,
    timeout: Duration,
    cap: u64,
) -> Result<Vec<u8>, ToolError> {
    let program = command
        .as_std()
        .get_program()
        .to_string_lossy()
        .into_owned();
    let mut child = match command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
    {
        Ok(child) => child,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Err(ToolError::Missing(program));
        }
        Err(error) => {
            return Err(ToolError::Failed(format!(
                "cannot start {program}: {error}"
            )));
        }
    };
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(ToolError::Failed(format!("{program} has no output pipes")));
    };
    let work = async {
        let mut output = Vec::new();
        let mut errors = Vec::new();
        let mut stdout = stdout.take(cap);
        let mut stderr = stderr.take(4096);
        let read_out = async {
            stdout.read_to_end(&mut output).await?;
            // Past the cap the rest is drained, so that the child does not block on a full pipe.
            tokio::io::copy(stdout.get_mut(), &mut tokio::io::sink()).await
        };
        let read_err = async {
            stderr.read_to_end(&mut errors).await?;
            tokio::io::copy(stderr.get_mut(), &mut tokio::io::sink()).await
        };
        let (out, err) = tokio::join!(read_out, read_err);
        out.and(err)
            .map_err(|error| ToolError::Failed(format!("reading {program}: {error}")))?;
        let status = child
            .wait()
            .await
            .map_err(|error| ToolError::Failed(format!("waiting for {program}: {error}")))?;
        Ok::<_, ToolError>((output, errors, status))
    };
    let (output, errors, status) = match tokio::time::timeout(timeout, work).await {
        Ok(result) => result?,
        // Dropping the future drops the child, which kills it (kill_on_drop).
        Err(_) => return Err(ToolError::TimedOut(program, timeout)),
    };
    if !status.success() {
        let detail = String::from_utf8_lossy(&errors);
        let detail = detail.lines().last().unwrap_or_default().trim();
        return Err(ToolError::Failed(format!(
            "{program} exited with {status}{}{detail}",
            if detail.is_empty() { "" } else { ": " }
        )));
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_tool_past_its_time_limit_is_killed() {
        let mut command = tokio::process::Command::new("sleep");
        command.arg("30");
        let started = Instant::now();
        let result = run_tool(command, Duration::from_millis(200), 1024).await;
        assert_eq!(
            result,
            Err(ToolError::TimedOut(
                "sleep".to_owned(),
                Duration::from_millis(200)
            ))
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn output_is_capped_and_failures_and_missing_tools_are_told_apart() {
        let mut command = tokio::process::Command::new("sh");
        command.args(["-c", "printf 'abcdefgh'"]);
        assert_eq!(
            run_tool(command, Duration::from_secs(10), 3).await,
            Ok(b"abc".to_vec())
        );
        let mut command = tokio::process::Command::new("sh");
        command.args(["-c", "echo bad page >&2; exit 3"]);
        let Err(ToolError::Failed(reason)) = run_tool(command, Duration::from_secs(10), 3).await
        else {
            panic!("expected a failure")
        };
        assert!(reason.contains("bad page"), "{reason}");
        let command = tokio::process::Command::new("vanthu-no-such-tool");
        assert_eq!(
            run_tool(command, Duration::from_secs(10), 3).await,
            Err(ToolError::Missing("vanthu-no-such-tool".to_owned()))
        );
    }

    #[test]
    fn the_creation_date_is_blanked_in_place() {
        let mut pdf =
            b"<< /Producer (Tesseract 5.3.0)\n  /CreationDate (D:20261129005750Z00'00')\n>>"
                .to_vec();
        let length = pdf.len();
        blank_creation_date(&mut pdf);
        assert_eq!(pdf.len(), length);
        let text = String::from_utf8(pdf).unwrap();
        assert!(
            !text.contains("CreationDate") && !text.contains("2026"),
            "{text}"
        );
        assert!(text.contains("/Producer (Tesseract 5.3.0)"));
    }

    #[test]
    fn scans_are_recognised_by_their_first_bytes() {
        assert_eq!(scan_image_kind(b"\x89PNG\r\n\x1a\nrest"), Some("png"));
        assert_eq!(scan_image_kind(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("jpeg"));
        assert_eq!(scan_image_kind(b"%PDF-1.7"), None);
    }
}
