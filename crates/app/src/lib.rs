//! The use cases of Vanthu: who may do what, in which transaction, with which audit event.
//!
//! `app` is the only crate that combines the adapters (`db`, `storage`, `pdf`, `crypto`). Every use
//! case takes the acting user ([`Actor`]) and an [`OperationId`], checks authorization here (never in
//! handlers), does its work with CPU-heavy steps in `spawn_blocking`, writes blobs before the database
//! commit, and records an audit event in the same transaction as the change.

mod archive;
mod audit;
mod auth;
mod authz;
mod checkpoint;
mod clock;
mod config;
mod demo;
pub mod edxml;
mod error;
mod export;
mod extraction;
mod failpoint;
mod fulltext;
mod fulltext_outgoing;
mod handling;
mod import;
mod intake;
mod ocr;
mod operation;
mod outgoing;
mod package;
mod recall;
mod records;
mod reports;
mod saved_searches;
mod signatures;
pub mod signing;
pub mod verification;

use std::sync::Arc;

pub use crate::archive::{ArchiveProblem, ArchiveReport};
pub use crate::audit::AuditReport;
pub use crate::auth::{LoginOutcome, SessionToken};
pub use crate::authz::{Actor, Permission};
pub use crate::checkpoint::Checkpoint;
pub use crate::clock::{Clock, SystemClock};
pub use crate::config::{
    Config, SearchConfig, SecurityConfig, SessionConfig, SigningConfig, SigningKeyConfig,
    StorageConfig, UploadConfig, ValidationConfig,
};
pub use crate::demo::{DEMO_ORGANIZATION_ID, DemoSeed};
pub use crate::error::{Error, FieldIssue};
pub use crate::export::{AuditExportFilter, Export, ExportContent, ExportFormat};
pub use crate::fulltext::{
    Facets, MAX_SEARCH_LIMIT, SEARCH_TOTAL_UP_TO, SearchFilters, SearchHit, SearchRequest,
    SearchResults, TotalRelation,
};
pub use crate::handling::{
    AssignInput, AssigneeInput, AssignmentView, CompleteInput, DirectionLevel, Handling,
    HandlingRole, HistoryEntry, IncomingFilter, MAX_LIST_LIMIT, ProgressNoteView, Task,
    TrackedIncoming,
};
pub use crate::import::ImportedForm;
pub use crate::intake::{DocumentFile, IncomingDocument, IncomingMetadata, IncomingUpload};
pub use crate::ocr::{
    BackfillReport, DocumentTexts, LayerText, OcrQueueStatus, OcrRun, OcrRunReport, OcrText,
    OcrWorker, scan_image_kind, scan_to_pdf,
};
pub use crate::operation::OperationId;
pub use crate::outgoing::{
    DEMO_CITY_ID, Delivery, OutgoingDocument, OutgoingDraft, Recipient, RecipientInput,
    RemoteSignature, ReviewEntry, ReviewKind, status_description,
};
pub use crate::records::{
    ArchivePackage, DueFile, FileDocument, FilePlanInput, FilePlanView, OpenWorkFile,
    PlanHeadingInput, PlanHeadingView, PlanItemInput, PlanItemView, PlanSubHeadingInput, WorkFile,
    WorkFileView,
};
pub use crate::reports::{INCOMING_REGISTER_COLUMNS, OUTGOING_REGISTER_COLUMNS};
pub use crate::saved_searches::{MAX_SAVED_SEARCH_NAME, MAX_SEARCH_EXPORT_ROWS, SavedSearch};
pub use crate::signatures::{SignatureRecord, SignatureSummary};
pub use db::Backend;

/// Everything a use case needs, wired once at start-up and shared by reference.
#[derive(Clone, Debug)]
pub struct App {
    db: db::Db,
    blobs: Arc<dyn storage::BlobStore>,
    clock: Arc<dyn Clock>,
    config: Arc<Config>,
    /// The trust anchors of `validation.trust_roots`, read once at start.
    trust_roots: Arc<[crypto::Certificate]>,
    /// The full-text index and its one writer.
    search: Arc<fulltext::Search>,
    /// The index was missing or stale at start: `migrate` refills it once the schema exists.
    index_needs_rebuild: Arc<std::sync::atomic::AtomicBool>,
    /// Wakes the background OCR worker when a document joins the queue (`ocr`).
    ocr_wakeup: Arc<tokio::sync::Notify>,
}

impl App {
    /// Connects to the database and the blob store named by `config`; does not migrate.
    ///
    /// # Errors
    /// `Error::Config` when the configuration is unusable (every unreadable trust root is listed),
    /// `Error::Unavailable` when the database or the blob directory cannot be opened.
    pub async fn new(config: Config, clock: Arc<dyn Clock>) -> Result<App, Error> {
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(Error::Config { problems });
        }
        let trust_roots = load_trust_roots(&config)?;
        let db = db::Db::connect(&config.database).await?;
        let blobs: Arc<dyn storage::BlobStore> = Arc::new(
            storage::FsBlobStore::open(&config.storage.root).map_err(|source| {
                Error::Unavailable {
                    what: "blob storage",
                    source: source.into(),
                }
            })?,
        );
        let index_dir = config.search.index_dir.clone();
        let (search, rebuild) = blocking(move || fulltext::Search::open(&index_dir)).await??;
        let app = App {
            db,
            blobs,
            clock,
            config: Arc::new(config),
            trust_roots: trust_roots.into(),
            search: Arc::new(search),
            index_needs_rebuild: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            ocr_wakeup: Arc::new(tokio::sync::Notify::new()),
        };
        app.index_needs_rebuild
            .store(rebuild, std::sync::atomic::Ordering::Relaxed);
        Ok(app)
    }

    /// Brings the database schema up to date, then refills a search index that was missing or stale.
    ///
    /// # Errors
    /// `Error::Unavailable` when a migration fails.
    pub async fn migrate(&self) -> Result<(), Error> {
        self.db.migrate().await?;
        if self
            .index_needs_rebuild
            .swap(false, std::sync::atomic::Ordering::Relaxed)
        {
            // The index is derived data: refilled from the database.
            match self.reindex().await {
                Ok(0) => {}
                Ok(count) => {
                    tracing::warn!(documents = count, "the search index was rebuilt at start")
                }
                Err(error) => {
                    tracing::warn!(%error, "the search index could not be rebuilt; run `vanthu reindex`");
                }
            }
        }
        Ok(())
    }

    /// Checks that the database answers (for `/healthz`).
    ///
    /// # Errors
    /// `Error::Unavailable` when it does not.
    pub async fn health(&self) -> Result<(), Error> {
        self.db.ping().await?;
        Ok(())
    }

    /// The configuration this app runs with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Which database engine is in use.
    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Closes the database pool.
    pub async fn close(self) {
        self.db.close().await;
    }
}

/// Writes the development PKI (certs-dev) into `out_dir`: see `crypto::devpki`.
///
/// # Errors
/// `Error::Unavailable` when the files cannot be written or a certificate cannot be made.
pub fn generate_dev_certificates(
    out_dir: &std::path::Path,
) -> Result<Vec<std::path::PathBuf>, Error> {
    let summary =
        crypto::devpki::generate_dev_pki(out_dir, &crypto::devpki::DevPkiOptions::standard())
            .map_err(|source| Error::Unavailable {
                what: "dev certificates",
                source: source.into(),
            })?;
    Ok(summary.files)
}

/// Reads every PEM file of `validation.trust_roots`, reporting every unusable one at once.
///
/// The certs-dev root (its subject says `DEV ONLY`) is refused unless
/// `security.danger_allow_dev_certificates` is set: its private key is public.
fn load_trust_roots(config: &Config) -> Result<Vec<crypto::Certificate>, Error> {
    let mut roots = Vec::new();
    let mut problems = Vec::new();
    for path in &config.validation.trust_roots {
        let pem = match std::fs::read(path) {
            Ok(pem) => pem,
            Err(error) => {
                problems.push(format!(
                    "validation.trust_roots: cannot read {}: {error}",
                    path.display()
                ));
                continue;
            }
        };
        match crypto::Certificate::from_pem_bundle(&pem) {
            Ok(certificates) => {
                for certificate in certificates {
                    let subject = certificate
                        .summary()
                        .map(|summary| summary.subject)
                        .unwrap_or_default();
                    if subject.contains("DEV ONLY")
                        && !config.security.danger_allow_dev_certificates
                    {
                        problems.push(format!(
                            "validation.trust_roots: {} is a development certificate ({subject}); \
                             it needs security.danger_allow_dev_certificates",
                            path.display()
                        ));
                        continue;
                    }
                    roots.push(certificate);
                }
            }
            Err(error) => problems.push(format!(
                "validation.trust_roots: {} holds no usable certificate: {error}",
                path.display()
            )),
        }
    }
    if !problems.is_empty() {
        return Err(Error::Config { problems });
    }
    Ok(roots)
}

/// Runs blocking or CPU-heavy work off the async executor, keeping the current tracing span.
async fn blocking<T, F>(work: F) -> Result<T, Error>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(work))
        .await
        .map_err(|join_error| Error::Internal {
            reason: format!("blocking task failed: {join_error}"),
        })
}
