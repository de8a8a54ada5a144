//! Intake: receiving an incoming document, registering it with the next arrival number (số đến),
//! listing the register, and handing the file back.
//!
//! Order of work, and why: everything that can refuse the upload (role, size, fields, PDF check)
//! runs before anything is stored; then the blob is written (fsynced) before the database commit, so
//! a committed row never points at a missing file, and a crash leaves at worst an unreferenced blob;
//! then one write transaction takes the number, stores the rows and the audit event together.

use std::sync::Arc;

use domain::audit::AuditAction;
use domain::calendar::register_year;
use domain::document_type::DocumentType;
use domain::ids::DocumentId;
use domain::incoming::{IncomingAction, IncomingState};
use domain::levels::{Secrecy, Urgency};
use domain::number::NumberAndSymbol;
use domain::register::RegisterKind;
use time::{Date, OffsetDateTime};

use crate::audit::AuditRecord;
use crate::signatures::{LogTarget, RevocationSource, SignatureSummary};
use crate::{Actor, App, Error, FieldIssue, OperationId, Permission, blocking};

/// The longest subject (trích yếu) accepted, in characters (Decree 30 Phụ lục VI: S500).
const MAX_SUBJECT_CHARS: usize = 500;
/// The longest issuer name accepted, in characters (Decree 30 Phụ lục VI: S200).
const MAX_ISSUER_CHARS: usize = 200;

/// An uploaded incoming file with its optional descriptive fields.
#[derive(Debug)]
pub struct IncomingUpload {
    /// The file name as given by the client (any path is dropped).
    pub file_name: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Descriptive fields, all optional at upload.
    pub metadata: IncomingMetadata,
}

/// Descriptive fields of an incoming document, as typed by the clerk (raw text, checked here).
#[derive(Debug, Default)]
pub struct IncomingMetadata {
    /// The number and symbol written on the document, e.g. `06/KH-UBND`.
    pub number_symbol: Option<String>,
    /// The type code, e.g. `KH` (see `domain::document_type`).
    pub type_code: Option<String>,
    /// The subject summary (trích yếu).
    pub subject: Option<String>,
    /// The issuing organisation's name.
    pub issuer_name: Option<String>,
    /// The date written on the document, `YYYY-MM-DD`.
    pub issued_date: Option<String>,
    /// Urgency code (`normal`, `urgent`, …).
    pub urgency: Option<String>,
    /// Secrecy code (`normal`, `confidential`, …).
    pub secrecy: Option<String>,
}

/// A registered incoming document as the register shows it.
#[derive(Clone, Debug)]
pub struct IncomingDocument {
    /// Its id.
    pub id: DocumentId,
    /// The arrival number in its register and year.
    pub arrival_number: i64,
    /// The register year (Vietnam time).
    pub arrival_year: i32,
    /// When it was registered.
    pub arrived_at: OffsetDateTime,
    /// Its lifecycle state.
    pub state: IncomingState,
    /// The number and symbol written on it.
    pub number_symbol: Option<String>,
    /// The type code.
    pub type_code: Option<String>,
    /// The subject summary.
    pub subject: Option<String>,
    /// The issuer's name.
    pub issuer_name: Option<String>,
    /// The date written on it.
    pub issued_date: Option<Date>,
    /// Urgency.
    pub urgency: Urgency,
    /// Secrecy.
    pub secrecy: Secrecy,
    /// SHA-256 (hex) of the file.
    pub sha256: String,
    /// The file name.
    pub file_name: String,
    /// The size in bytes.
    pub file_size: i64,
    /// The page count.
    pub page_count: i32,
    /// What the offline check at intake concluded about each signature (empty for an unsigned
    /// file, and in the register's list: see `App::document_signatures`).
    pub signatures: Vec<SignatureSummary>,
}

/// A document's file as stored, its hash re-checked on read.
#[derive(Debug)]
pub struct DocumentFile {
    /// The file name given at upload.
    pub file_name: String,
    /// SHA-256 (hex) of the bytes.
    pub sha256: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// An upload checked, its signatures validated, its text extracted and its blob written: what
/// [`App::insert_intake`] registers inside a transaction (the clerk's upload, or a delivery from
/// another organisation of the deployment).
#[derive(Debug)]
pub(crate) struct PreparedIntake {
    metadata: CheckedMetadata,
    pub(crate) file_name: String,
    pub(crate) sha256: String,
    size: i64,
    page_count: usize,
    signature_field_count: usize,
    checked: Option<crate::signatures::CheckedDocument>,
    extracted: crate::extraction::Extracted,
    /// The PDF/A conformance the file's XMP metadata claims (`PDF/A-2B`), unverified.
    pdfa_claim: Option<String>,
}

/// The organisation and user on whose behalf a document is registered.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Receiver<'a> {
    pub(crate) organization_id: domain::ids::OrganizationId,
    pub(crate) user_id: domain::ids::UserId,
    pub(crate) username: &'a str,
}

/// The fields of an upload after checking.
#[derive(Debug)]
struct CheckedMetadata {
    number_symbol: Option<NumberAndSymbol>,
    type_code: Option<&'static str>,
    subject: Option<String>,
    issuer_name: Option<String>,
    issued_date: Option<Date>,
    urgency: Urgency,
    secrecy: Secrecy,
}

impl App {
    /// Receives an incoming PDF and registers it with the next arrival number of the year.
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `TooLarge`, `Validation` (every field problem at once), `NotPdf`
    /// for bad input, with nothing stored; `Duplicate` when the same file is already registered.
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn receive_incoming(
        &self,
        actor: &Actor,
        upload: IncomingUpload,
        operation: &OperationId,
    ) -> Result<IncomingDocument, Error> {
        actor.require(Permission::ReceiveIncoming)?;
        self.register_incoming(actor, upload, self.clock.now(), operation)
            .await
    }

    /// Registers an upload as arriving at `arrived_at` (the demo seeds a 2024 arrival this way).
    pub(crate) async fn register_incoming(
        &self,
        actor: &Actor,
        upload: IncomingUpload,
        arrived_at: OffsetDateTime,
        operation: &OperationId,
    ) -> Result<IncomingDocument, Error> {
        let limit = self.config.uploads.max_bytes;
        if upload.bytes.len() as u64 > limit {
            return Err(Error::TooLarge { limit });
        }
        let metadata = check_metadata(&upload.metadata)?;
        if !actor.can_see(actor.organization_id, metadata.secrecy) {
            return Err(Error::invalid(
                "secrecy",
                "your clearance does not cover this secrecy level",
            ));
        }
        let prepared = self.prepare_intake(upload, arrived_at, Some(actor)).await?;

        let tx = self.db.begin_write().await?;
        // Re-checked under the writer lock: two clerks uploading the same document at once.
        if let Some(existing) = find_duplicate(&tx, actor.organization_id, &prepared).await? {
            return Err(self.duplicate(actor, existing).await);
        }
        let registered = self
            .insert_intake(
                &tx,
                Receiver {
                    organization_id: actor.organization_id,
                    user_id: actor.user_id,
                    username: actor.username.as_str(),
                },
                &prepared,
                arrived_at,
                operation,
            )
            .await?;
        tx.commit().await?;
        tracing::info!(
            document_id = %registered.id,
            arrival_number = registered.arrival_number,
            year = registered.arrival_year,
            "incoming document registered"
        );
        self.index_document(registered.id).await;
        Ok(registered)
    }

    /// Everything intake does before its transaction: the size and field checks, the PDF check,
    /// the offline signature check, the text extraction and the blob write. With `actor`, an
    /// existing document with the same file is refused early as a duplicate.
    pub(crate) async fn prepare_intake(
        &self,
        upload: IncomingUpload,
        arrived_at: OffsetDateTime,
        actor: Option<&Actor>,
    ) -> Result<PreparedIntake, Error> {
        let limit = self.config.uploads.max_bytes;
        if upload.bytes.len() as u64 > limit {
            return Err(Error::TooLarge { limit });
        }
        let metadata = check_metadata(&upload.metadata)?;
        let file_name = clean_file_name(&upload.file_name);
        let bytes = Arc::new(upload.bytes);

        let pdf_bytes = Arc::clone(&bytes);
        let summary =
            blocking(move || pdf::inspect_untrusted(&pdf_bytes, &pdf::Limits::untrusted_upload()))
                .await??;
        if summary.page_count == 0 {
            // lopdf's lenient repair can turn a damaged file into one with no pages.
            return Err(Error::NotPdf {
                reason: "the PDF has no pages".to_owned(),
                code: "document.corrupt_pdf",
            });
        }
        let sha256 = storage::BlobId::of(&bytes).to_string();
        if let Some(actor) = actor
            && let Some(existing) =
                duplicate_of(&self.db, actor.organization_id, &sha256, &metadata).await?
        {
            return Err(self.duplicate(actor, existing).await);
        }

        // Signed files are checked offline here, before the transaction: validation parses and
        // verifies, which must not run under the writer lock. A check that cannot run does not
        // refuse the document: the clerk registers what arrived, and the log records no row.
        let checked = if summary.signature_field_count > 0 {
            match self
                .check_signatures(Arc::clone(&bytes), arrived_at, RevocationSource::Offline)
                .await?
            {
                Ok(checked) => Some(checked),
                Err(error) => {
                    tracing::warn!(%error, "the signatures of the upload could not be validated");
                    None
                }
            }
        } else {
            None
        };

        // The text for the search index, also before the transaction: the extractor is a child
        // process with its own time limit, and never refuses the document.
        let extracted = crate::extraction::extract(&bytes).await;

        let blobs = Arc::clone(&self.blobs);
        let blob_bytes = Arc::clone(&bytes);
        blocking(move || blobs.put(&blob_bytes)).await??;
        Ok(PreparedIntake {
            metadata,
            file_name,
            sha256,
            size: bytes.len() as i64,
            page_count: summary.page_count,
            signature_field_count: summary.signature_field_count,
            checked,
            extracted,
            pdfa_claim: summary.pdfa_claim,
        })
    }

    /// Registers a prepared upload in `tx`: the next arrival number, the rows, the signature log
    /// and the audit event. The caller commits.
    pub(crate) async fn insert_intake(
        &self,
        tx: &db::Tx,
        receiver: Receiver<'_>,
        prepared: &PreparedIntake,
        arrived_at: OffsetDateTime,
        operation: &OperationId,
    ) -> Result<IncomingDocument, Error> {
        let metadata = &prepared.metadata;
        let sha256 = &prepared.sha256;
        let registered = domain::incoming::apply(
            IncomingState::Received,
            IncomingAction::Register,
            arrived_at,
        )
        .map_err(|error| Error::Internal {
            reason: error.to_string(),
        })?;
        let year = register_year(arrived_at);
        let kind = RegisterKind::for_incoming(metadata.secrecy);
        let page_count = i32::try_from(prepared.page_count).unwrap_or(i32::MAX);
        let number_symbol = metadata.number_symbol.as_ref().map(ToString::to_string);

        let register =
            db::registers::find_or_create(tx, receiver.organization_id, kind, year).await?;
        let arrival_number = db::registers::allocate(tx, register).await?;
        let id = db::documents::insert_incoming(
            tx,
            db::documents::NewDocument {
                organization_id: receiver.organization_id,
                type_code: metadata.type_code,
                number_symbol: number_symbol.as_deref(),
                issuer_name: metadata.issuer_name.as_deref(),
                issued_date: metadata.issued_date,
                subject: metadata.subject.as_deref(),
                urgency: metadata.urgency,
                secrecy: metadata.secrecy,
                blob_sha256: sha256,
                file_name: &prepared.file_name,
                file_size: prepared.size,
                page_count,
                created_by: receiver.user_id,
            },
            registered.to,
            db::documents::Arrival {
                register_id: register,
                arrival_number,
                arrived_at,
                received_by: receiver.user_id,
            },
        )
        .await?;
        db::document_texts::upsert(
            tx,
            &db::document_texts::DocumentText {
                document_id: id,
                text: prepared.extracted.text.clone(),
                method: prepared.extracted.method.code().to_owned(),
                needs_ocr: prepared.extracted.needs_ocr,
                extracted_at: arrived_at,
            },
        )
        .await?;
        // A scan (or a legacy-encoded text layer) joins the OCR queue; OCR runs off this path.
        // Waking the worker before the commit is safe: once woken, it takes the writer lock before
        // it looks at the queue, which waits for this transaction.
        if prepared.extracted.needs_ocr {
            db::ocr::enqueue(tx, id, arrived_at).await?;
            self.wake_ocr();
        }
        let mut details = serde_json::json!({
            "register": kind.code(),
            "year": year,
            "arrival_number": arrival_number,
            "sha256": sha256,
            "file_name": prepared.file_name,
            "size": prepared.size,
            "pages": prepared.page_count,
            "text": {
                "method": prepared.extracted.method.code(),
                "needs_ocr": prepared.extracted.needs_ocr,
            },
        });
        if let Some(claim) = &prepared.pdfa_claim {
            details["pdfa_claim"] = serde_json::Value::from(claim.as_str());
        }
        if let Some(checked) = &prepared.checked {
            self.log_signatures(
                tx,
                LogTarget {
                    organization_id: receiver.organization_id,
                    document_id: id,
                    sha256,
                    checked_at: arrived_at,
                    checked_by: receiver.username,
                },
                checked,
            )
            .await?;
            details["signatures"] = checked.audit_summary();
        } else if prepared.signature_field_count > 0 {
            details["signatures"] = serde_json::json!({ "count": null, "conclusion": null });
        }
        self.record(
            tx,
            AuditRecord {
                organization_id: Some(receiver.organization_id),
                actor: receiver.username,
                action: AuditAction::IncomingReceived,
                target: &format!("document:{id}"),
                details,
            },
            arrived_at,
            operation,
        )
        .await?;

        Ok(IncomingDocument {
            id,
            arrival_number,
            arrival_year: year,
            arrived_at,
            state: registered.to,
            number_symbol,
            type_code: metadata.type_code.map(str::to_owned),
            subject: metadata.subject.clone(),
            issuer_name: metadata.issuer_name.clone(),
            issued_date: metadata.issued_date,
            urgency: metadata.urgency,
            secrecy: metadata.secrecy,
            sha256: sha256.clone(),
            file_name: prepared.file_name.clone(),
            file_size: prepared.size,
            page_count,
            signatures: prepared
                .checked
                .as_ref()
                .map(crate::signatures::CheckedDocument::summaries)
                .unwrap_or_default(),
        })
    }

    /// The duplicate error, naming the existing document only to someone cleared to see it (a secret
    /// document's id is not revealed by uploading the same file).
    async fn duplicate(&self, actor: &Actor, existing: DocumentId) -> Error {
        let visible = match db::documents::find_incoming(&self.db, existing).await {
            Ok(Some(document)) => actor.can_see(document.organization_id, document.secrecy),
            _ => false,
        };
        Error::Duplicate {
            existing: visible.then(|| existing.get()),
        }
    }

    /// The incoming documents of the actor's organisation that the actor is cleared to see, newest
    /// first; an officer who reads no register sees only those assigned to them
    /// ([`App::reads_incoming`]).
    ///
    /// # Errors
    /// `Forbidden` for a role that reads no documents.
    pub async fn list_incoming(&self, actor: &Actor) -> Result<Vec<IncomingDocument>, Error> {
        actor.require(Permission::ListIncoming)?;
        let rows =
            db::documents::list_incoming(&self.db, actor.organization_id, actor.clearance).await?;
        let rows = self
            .readable_incoming(actor, rows, |document| document.id)
            .await?;
        Ok(rows.into_iter().map(from_record).collect())
    }

    /// A document's file, its hash re-checked; the download is audited.
    ///
    /// # Errors
    /// `NotFound` when it does not exist or the actor may not see it; `Integrity` when the stored
    /// file no longer matches its hash.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn download_document(
        &self,
        actor: &Actor,
        id: DocumentId,
        operation: &OperationId,
    ) -> Result<DocumentFile, Error> {
        actor.require(Permission::DownloadDocument)?;
        let Some(document) = db::documents::find_incoming(&self.db, id).await? else {
            return Err(Error::NotFound { what: "document" });
        };
        if !self
            .reads_incoming(actor, id, document.organization_id, document.secrecy)
            .await?
        {
            return Err(Error::NotFound { what: "document" });
        }
        if document.state == domain::incoming::IncomingState::Recalled {
            return Err(crate::recall::recalled_file());
        }
        let blob_id = storage::BlobId::parse(&document.blob_sha256)?;
        let blobs = Arc::clone(&self.blobs);
        let bytes = blocking(move || blobs.get(&blob_id)).await??;

        let tx = self.db.begin_write().await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::DocumentDownloaded,
                target: &format!("document:{id}"),
                details: serde_json::json!({ "sha256": document.blob_sha256 }),
            },
            self.clock.now(),
            operation,
        )
        .await?;
        tx.commit().await?;
        Ok(DocumentFile {
            file_name: document.file_name,
            sha256: document.blob_sha256,
            bytes,
        })
    }
}

/// An incoming document of `organization` that `prepared` duplicates, if any.
pub(crate) async fn find_duplicate(
    conn: &impl db::Conn,
    organization: domain::ids::OrganizationId,
    prepared: &PreparedIntake,
) -> Result<Option<DocumentId>, Error> {
    duplicate_of(conn, organization, &prepared.sha256, &prepared.metadata).await
}

/// The duplicate alert of Phụ lục VI §III.1.h: an incoming document of `organization` with the
/// same file (SHA-256), or with the same number and symbol from the same issuer.
///
/// The document identifier of an exchanged document (edXML `DocumentId`, "issuer's OrganId,
/// date, number/symbol") names the same three things, so this check covers it too. Numbers start
/// again at 01 every year (Decree 30, Điều 15.1), so two documents dated in different years are
/// not duplicates; issuers are compared ignoring case and surrounding spaces. Documents returned
/// to their sender or recalled are no longer held and do not count.
async fn duplicate_of(
    conn: &impl db::Conn,
    organization: domain::ids::OrganizationId,
    sha256: &str,
    metadata: &CheckedMetadata,
) -> Result<Option<DocumentId>, Error> {
    if let Some(existing) =
        db::documents::find_incoming_by_sha256(conn, organization, sha256).await?
    {
        return Ok(Some(existing));
    }
    let (Some(number_symbol), Some(issuer)) = (&metadata.number_symbol, &metadata.issuer_name)
    else {
        return Ok(None);
    };
    let issuer = issuer.trim().to_lowercase();
    let candidates = db::documents::find_incoming_by_number_symbol(
        conn,
        organization,
        &number_symbol.to_string(),
    )
    .await?;
    Ok(candidates
        .into_iter()
        .find(|candidate| {
            let same_issuer = candidate
                .issuer_name
                .as_deref()
                .is_some_and(|name| name.trim().to_lowercase() == issuer);
            let same_year = match (candidate.issued_date, metadata.issued_date) {
                (Some(a), Some(b)) => a.year() == b.year(),
                _ => true,
            };
            same_issuer && same_year
        })
        .map(|candidate| candidate.id))
}

/// Checks every field and reports every problem at once.
fn check_metadata(raw: &IncomingMetadata) -> Result<CheckedMetadata, Error> {
    let mut issues = Vec::new();
    let mut issue =
        |field: &'static str, message: String| issues.push(FieldIssue { field, message });

    let number_symbol =
        non_empty(&raw.number_symbol).and_then(|text| match NumberAndSymbol::parse(text) {
            Ok(parsed) => Some(parsed),
            Err(error) => {
                issue("number_symbol", error.to_string());
                None
            }
        });
    let type_code =
        non_empty(&raw.type_code).and_then(|code| match DocumentType::from_code(code) {
            Some(document_type) => Some(document_type.code()),
            None => {
                issue("type_code", format!("unknown document type {code:?}"));
                None
            }
        });
    let subject = non_empty(&raw.subject).map(str::to_owned);
    if let Some(subject) = &subject
        && subject.chars().count() > MAX_SUBJECT_CHARS
    {
        issue(
            "subject",
            format!("longer than {MAX_SUBJECT_CHARS} characters"),
        );
    }
    let issuer_name = non_empty(&raw.issuer_name).map(str::to_owned);
    if let Some(issuer) = &issuer_name
        && issuer.chars().count() > MAX_ISSUER_CHARS
    {
        issue(
            "issuer_name",
            format!("longer than {MAX_ISSUER_CHARS} characters"),
        );
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    let issued_date =
        non_empty(&raw.issued_date).and_then(|text| match Date::parse(text, date_format) {
            Ok(date) => Some(date),
            Err(_) => {
                issue(
                    "issued_date",
                    format!("{text:?} is not a date in the form YYYY-MM-DD"),
                );
                None
            }
        });
    let urgency = match non_empty(&raw.urgency).map(Urgency::parse) {
        None => Urgency::Normal,
        Some(Ok(urgency)) => urgency,
        Some(Err(error)) => {
            issue("urgency", error.to_string());
            Urgency::Normal
        }
    };
    let secrecy = match non_empty(&raw.secrecy).map(Secrecy::parse) {
        None => Secrecy::Normal,
        Some(Ok(secrecy)) => secrecy,
        Some(Err(error)) => {
            issue("secrecy", error.to_string());
            Secrecy::Normal
        }
    };
    if !issues.is_empty() {
        return Err(Error::Validation { issues });
    }
    Ok(CheckedMetadata {
        number_symbol,
        type_code,
        subject,
        issuer_name,
        issued_date,
        urgency,
        secrecy,
    })
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|text| !text.is_empty())
}

/// Keeps the last path component, without control characters, at most 255 characters.
fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        "document.pdf".to_owned()
    } else {
        cleaned
    }
}

fn from_record(record: db::documents::IncomingDocument) -> IncomingDocument {
    IncomingDocument {
        id: record.id,
        arrival_number: record.arrival_number,
        arrival_year: register_year(record.arrived_at),
        arrived_at: record.arrived_at,
        state: record.state,
        number_symbol: record.number_symbol,
        type_code: record.type_code,
        subject: record.subject,
        issuer_name: record.issuer_name,
        issued_date: record.issued_date,
        urgency: record.urgency,
        secrecy: record.secrecy,
        sha256: record.blob_sha256,
        file_name: record.file_name,
        file_size: record.file_size,
        page_count: record.page_count,
        signatures: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_problem_is_reported_at_once() {
        let raw = IncomingMetadata {
            number_symbol: Some("abc".to_owned()),
            type_code: Some("XX".to_owned()),
            issued_date: Some("10/01/2024".to_owned()),
            urgency: Some("very".to_owned()),
            ..IncomingMetadata::default()
        };
        let Err(Error::Validation { issues }) = check_metadata(&raw) else {
            panic!("expected a validation error")
        };
        let fields: Vec<_> = issues.iter().map(|issue| issue.field).collect();
        assert_eq!(
            fields,
            ["number_symbol", "type_code", "issued_date", "urgency"]
        );
    }

    #[test]
    fn blank_fields_are_absent_and_valid_ones_parse() {
        let raw = IncomingMetadata {
            number_symbol: Some(" 06/KH-UBND ".to_owned()),
            subject: Some("   ".to_owned()),
            issued_date: Some("2024-01-10".to_owned()),
            secrecy: Some("confidential".to_owned()),
            ..IncomingMetadata::default()
        };
        let checked = check_metadata(&raw).unwrap();
        assert_eq!(checked.number_symbol.unwrap().to_string(), "06/KH-UBND");
        assert_eq!(checked.subject, None);
        assert_eq!(checked.secrecy, Secrecy::Confidential);
    }

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(
            clean_file_name("C:\\Users\\x\\Kế hoạch.pdf"),
            "Kế hoạch.pdf"
        );
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a\u{0}b.pdf"), "ab.pdf");
        assert_eq!(clean_file_name("  "), "document.pdf");
    }
}
