//! Outgoing documents (văn bản đi), Decree 30 Điều 10–19: draft, review, approval, the signer's
//! personal signature, number and date from the register, the agency's signature (the electronic
//! seal), issue with delivery to the recipient organisations of this deployment, recall and
//! replacement.
//!
//! Order of work, and why:
//! - Signing (CPU, and the TSA over the network) runs before any transaction, on the file the
//!   document had when it was read; the transaction then moves the state only if the row still
//!   has the version read (`db::outgoing::advance`), so a lost race changes nothing and is refused
//!   with `outgoing.concurrent_change` (409).
//! - Numbering takes the number and moves the state to Numbered in one transaction. The PDF with
//!   the number and date filled in is derived afterwards from the stored signed file and the
//!   stored number, and recorded once. A crash before the numbering commit leaves a Signed
//!   document (retry numbers it); a crash after it leaves a Numbered document without its file
//!   (retry, or sealing, makes the file): no path takes a second number.
//! - Issue creates, in one transaction with the state change, an incoming document at each
//!   recipient organisation of this deployment through the intake path (signatures validated and
//!   logged at receipt) and a delivery row with status 01.

use std::sync::Arc;

use domain::audit::AuditAction;
use domain::calendar::{date_line, register_year, vietnam_date};
use domain::document_type::DocumentType;
use domain::ids::{DocumentId, OrganizationId, UserId};
use domain::levels::{Secrecy, Urgency};
use domain::number::{DocumentNumber, NumberAndSymbol, Symbol};
use domain::organization::ElectronicId;
use domain::outgoing::{OutgoingAction, OutgoingState};
use domain::register::RegisterKind;
use domain::role::Role;
use time::{Date, OffsetDateTime};

use crate::audit::AuditRecord;
use crate::intake::{DocumentFile, IncomingMetadata, IncomingUpload, Receiver};
use crate::{Actor, App, Error, FieldIssue, OperationId, Permission, blocking};

/// The longest subject accepted, in characters (Decree 30 Phụ lục VI: S500).
const MAX_SUBJECT_CHARS: usize = 500;
/// The most recipients one document may have.
const MAX_RECIPIENTS: usize = 200;
/// The most copies (Phụ lục VI: IssuedAmount N3).
const MAX_COPIES: u32 = 999;
/// The longest review comment, in characters.
const MAX_COMMENT_CHARS: usize = 2000;
/// How long a TSA or OCSP request may take while signing.
const SERVICE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// The status an internal delivery has on arrival (QĐ 28/2018: "Đã đến").
pub(crate) const STATUS_ARRIVED: &str = "01";
/// The status a recall sends to every recipient (QĐ 28/2018: "Thu hồi văn bản").
pub(crate) const STATUS_RECALLED: &str = "13";

/// A new outgoing draft as the drafter uploads it (raw text, checked here).
#[derive(Debug, Default)]
pub struct OutgoingDraft {
    /// The file name given by the client.
    pub file_name: String,
    /// The PDF, without number, date or signatures.
    pub bytes: Vec<u8>,
    /// The type code, e.g. `KH`.
    pub type_code: String,
    /// The subject (trích yếu).
    pub subject: String,
    /// The recipients.
    pub recipients: Vec<RecipientInput>,
    /// Urgency code; normal when absent.
    pub urgency: Option<String>,
    /// Secrecy code; normal when absent.
    pub secrecy: Option<String>,
    /// The designated signer's username.
    pub signer: String,
    /// The number of copies; 1 when absent.
    pub copies: Option<u32>,
}

/// A recipient as typed: an organisation of this deployment (`organization`, its id or
/// electronic id), or an external one (`name`, optionally `electronic_id`).
#[derive(Clone, Debug, Default)]
pub struct RecipientInput {
    /// An organisation of this deployment, by id or electronic id.
    pub organization: Option<String>,
    /// The name of an external recipient.
    pub name: Option<String>,
    /// The electronic id of an external recipient.
    pub electronic_id: Option<String>,
}

/// A recipient as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipient {
    /// The organisation of this deployment, when it is one.
    pub organization_id: Option<OrganizationId>,
    /// Its name.
    pub name: String,
    /// Its electronic id, when known.
    pub electronic_id: Option<String>,
}

/// An outgoing document as its pages and lists show it.
#[derive(Clone, Debug)]
pub struct OutgoingDocument {
    /// Its id.
    pub id: DocumentId,
    /// Its lifecycle state.
    pub state: OutgoingState,
    /// The optimistic-concurrency version.
    pub version: i32,
    /// The type code.
    pub type_code: Option<String>,
    /// The number and symbol, once numbered.
    pub number_symbol: Option<String>,
    /// The date written on it, once numbered.
    pub issued_date: Option<Date>,
    /// The subject.
    pub subject: Option<String>,
    /// Urgency.
    pub urgency: Urgency,
    /// Secrecy.
    pub secrecy: Secrecy,
    /// SHA-256 (hex) of the current file.
    pub sha256: String,
    /// The file name.
    pub file_name: String,
    /// The size in bytes.
    pub file_size: i64,
    /// The page count.
    pub page_count: i32,
    /// The drafter.
    pub created_by: UserId,
    /// The designated signer.
    pub signer: UserId,
    /// The number of copies.
    pub copies: i32,
    /// When drafted.
    pub created_at: OffsetDateTime,
    /// When last changed.
    pub updated_at: OffsetDateTime,
    /// When issued.
    pub issued_at: Option<OffsetDateTime>,
    /// The document that replaced it.
    pub replaced_by: Option<DocumentId>,
}

/// Which check a reviewer makes (Điều 12).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewKind {
    /// The content check, by the unit head.
    Content,
    /// The format check, by the clerk.
    Format,
}

impl ReviewKind {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            ReviewKind::Content => "content",
            ReviewKind::Format => "format",
        }
    }

    /// Parses `content` or `format`.
    ///
    /// # Errors
    /// `Validation` for anything else.
    pub fn parse(text: &str) -> Result<ReviewKind, Error> {
        match text {
            "content" => Ok(ReviewKind::Content),
            "format" => Ok(ReviewKind::Format),
            other => Err(Error::invalid(
                "step",
                format!("unknown review step {other:?}: content or format"),
            )),
        }
    }
}

/// One step of a document's review history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewEntry {
    /// `submit`, `content`, `format`, `approval`, `signature`, `number`, `seal`, `issue`, `recall`…
    pub step: String,
    /// Who.
    pub actor: UserId,
    /// `submitted`, `approved`, `returned`, `rejected`, `signed`, …
    pub decision: String,
    /// The comment.
    pub comment: Option<String>,
    /// When.
    pub at: OffsetDateTime,
}

/// One delivery with its status history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// Its id.
    pub id: i64,
    /// The recipient organisation of this deployment.
    pub recipient_organization_id: Option<OrganizationId>,
    /// The recipient's name.
    pub recipient_name: String,
    /// The recipient's electronic id.
    pub recipient_e_id: Option<String>,
    /// `internal` or `edxml`.
    pub channel: &'static str,
    /// The incoming document created at the recipient.
    pub incoming_document_id: Option<DocumentId>,
    /// The latest status code.
    pub status_code: String,
    /// Its description.
    pub status_description: String,
    /// When it was reported.
    pub status_at: OffsetDateTime,
    /// Every status, oldest first: (code, description, at).
    pub history: Vec<(String, String, OffsetDateTime)>,
}

/// The Vietnamese description of an edXML status code (DOMAIN.md §3).
pub fn status_description(code: &str) -> &'static str {
    match code {
        "01" => "Đã đến",
        "02" => "Từ chối tiếp nhận",
        "03" => "Đã tiếp nhận",
        "04" => "Đã đến, đang chờ phân công",
        "05" => "Đã phân công, đang xử lý",
        "06" => "Đã xử lý xong",
        "13" => "Thu hồi văn bản",
        "15" => "Đồng ý thu hồi / cập nhật",
        "16" => "Từ chối thu hồi / cập nhật",
        _ => "Trạng thái khác",
    }
}

impl App {
    /// Creates an outgoing draft: checks every field, prepares the PDF with every field the
    /// Decree 30 flow fills (signatures, number, date) and stores it.
    ///
    /// # Errors
    /// `Forbidden` for roles that do not draft; `Validation` listing every field problem;
    /// `TooLarge`, `NotPdf` for a bad file.
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn create_outgoing(
        &self,
        actor: &Actor,
        draft: OutgoingDraft,
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        actor.require(Permission::DraftOutgoing)?;
        let limit = self.config.uploads.max_bytes;
        if draft.bytes.len() as u64 > limit {
            return Err(Error::TooLarge { limit });
        }
        let checked = self.check_draft(actor, &draft).await?;
        let bytes = Arc::new(draft.bytes);
        let pdf_bytes = Arc::clone(&bytes);
        let prepared = blocking(move || -> Result<(Vec<u8>, usize), Error> {
            let limits = pdf::Limits::untrusted_upload();
            let summary = pdf::inspect_untrusted(&pdf_bytes, &limits)?;
            if summary.page_count == 0 {
                return Err(Error::NotPdf {
                    reason: "the PDF has no pages".to_owned(),
                    code: "document.corrupt_pdf",
                });
            }
            if summary.signature_field_count > 0 {
                return Err(Error::invalid(
                    "file",
                    "the draft already has signature fields: upload the unsigned draft",
                ));
            }
            let layout = default_layout(summary.page_count);
            let prepared = pades::decree30::prepare_draft(&pdf_bytes, &layout, &limits)
                .map_err(crate::signing::signing_error)?;
            Ok((prepared, summary.page_count))
        })
        .await??;
        let (prepared, page_count) = prepared;
        let sha256 = self.put_blob(prepared.clone()).await?;
        let now = self.clock.now();
        let file_name = clean_file_name(&draft.file_name);

        let tx = self.db.begin_write().await?;
        let id = db::outgoing::insert_draft(
            &tx,
            db::outgoing::NewOutgoing {
                organization_id: actor.organization_id,
                type_code: checked.document_type.code(),
                subject: &checked.subject,
                urgency: checked.urgency,
                secrecy: checked.secrecy,
                blob_sha256: &sha256,
                file_name: &file_name,
                file_size: prepared.len() as i64,
                page_count: i32::try_from(page_count).unwrap_or(i32::MAX),
                created_by: actor.user_id,
                signer: checked.signer,
                copies: checked.copies,
                recipients: &checked.recipients,
                at: now,
            },
        )
        .await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::OutgoingDrafted,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "type": checked.document_type.code(),
                    "sha256": sha256,
                    "recipients": checked.recipients.len(),
                    "signer": checked.signer.get(),
                    "secrecy": checked.secrecy.code(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(document_id = %id, "outgoing draft created");
        self.outgoing(actor, id).await
    }

    /// The outgoing documents of the actor's organisation the actor is cleared to see, newest
    /// first.
    ///
    /// # Errors
    /// `Forbidden` for roles that read no documents.
    pub async fn list_outgoing(&self, actor: &Actor) -> Result<Vec<OutgoingDocument>, Error> {
        actor.require(Permission::ViewOutgoing)?;
        let rows = db::outgoing::list(&self.db, actor.organization_id, actor.clearance).await?;
        Ok(rows.into_iter().map(from_record).collect())
    }

    /// One outgoing document.
    ///
    /// # Errors
    /// `NotFound` when it does not exist or the actor may not see it.
    pub async fn outgoing(&self, actor: &Actor, id: DocumentId) -> Result<OutgoingDocument, Error> {
        actor.require(Permission::ViewOutgoing)?;
        Ok(from_record(self.visible_outgoing(actor, id).await?))
    }

    /// The recipients of an outgoing document.
    ///
    /// # Errors
    /// `NotFound` when it does not exist or the actor may not see it.
    pub async fn outgoing_recipients(
        &self,
        actor: &Actor,
        id: DocumentId,
    ) -> Result<Vec<Recipient>, Error> {
        actor.require(Permission::ViewOutgoing)?;
        self.visible_outgoing(actor, id).await?;
        Ok(db::outgoing::recipients(&self.db, id)
            .await?
            .into_iter()
            .map(|row| Recipient {
                organization_id: row.organization_id,
                name: row.name,
                electronic_id: row.electronic_id,
            })
            .collect())
    }

    /// The review history of an outgoing document, oldest first.
    ///
    /// # Errors
    /// `NotFound` when it does not exist or the actor may not see it.
    pub async fn outgoing_history(
        &self,
        actor: &Actor,
        id: DocumentId,
    ) -> Result<Vec<ReviewEntry>, Error> {
        actor.require(Permission::ViewOutgoing)?;
        self.visible_outgoing(actor, id).await?;
        Ok(db::outgoing::review_steps(&self.db, id)
            .await?
            .into_iter()
            .map(|step| ReviewEntry {
                step: step.step,
                actor: step.actor,
                decision: step.decision,
                comment: step.comment,
                at: step.at,
            })
            .collect())
    }

    /// The deliveries of an issued document with their statuses, per recipient.
    ///
    /// # Errors
    /// `NotFound` when it does not exist or the actor may not see it.
    pub async fn outgoing_deliveries(
        &self,
        actor: &Actor,
        id: DocumentId,
    ) -> Result<Vec<Delivery>, Error> {
        actor.require(Permission::ViewOutgoing)?;
        self.visible_outgoing(actor, id).await?;
        let rows = db::deliveries::list_for_outgoing(&self.db, id).await?;
        let mut deliveries = Vec::with_capacity(rows.len());
        for row in rows {
            let history = db::deliveries::history(&self.db, row.id)
                .await?
                .into_iter()
                .map(|status| (status.code, status.description, status.at))
                .collect();
            deliveries.push(Delivery {
                id: row.id,
                recipient_organization_id: row.recipient_organization,
                recipient_name: row.recipient_name,
                recipient_e_id: row.recipient_e_id,
                channel: row.channel.code(),
                incoming_document_id: row.incoming_document,
                status_code: row.status_code,
                status_description: row.status_description,
                status_at: row.status_at,
                history,
            });
        }
        Ok(deliveries)
    }

    /// The current file of an outgoing document, its hash re-checked; the download is audited.
    ///
    /// # Errors
    /// `NotFound` when it does not exist or the actor may not see it; `Integrity` when the file
    /// fails its hash.
    pub async fn download_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
        operation: &OperationId,
    ) -> Result<DocumentFile, Error> {
        actor.require(Permission::ViewOutgoing)?;
        let document = self.visible_outgoing(actor, id).await?;
        let bytes = self.get_blob(&document.blob_sha256).await?;
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

    /// Sends the draft for review (Draft → UnderReview).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `InvalidState` (`outgoing.invalid_state`,
    /// `outgoing.concurrent_change`).
    pub async fn submit_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        actor.require(Permission::DraftOutgoing)?;
        let document = self.visible_outgoing(actor, id).await?;
        self.step(
            actor,
            &document,
            OutgoingAction::Submit,
            Step::new("submit", "submitted", None),
            db::outgoing::Changes::default(),
            operation,
        )
        .await
    }

    /// Records a content or format check: approved (stays under review) or returned to the drafter
    /// with a comment (UnderReview → Draft).
    ///
    /// # Errors
    /// `Forbidden` unless the actor makes that check (content: leader; format: clerk);
    /// `Validation` for a return without a comment; `NotFound`; `InvalidState`.
    pub async fn review_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
        kind: ReviewKind,
        approve: bool,
        comment: Option<String>,
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        actor.require(match kind {
            ReviewKind::Content => Permission::ReviewOutgoingContent,
            ReviewKind::Format => Permission::ReviewOutgoingFormat,
        })?;
        let comment = check_comment(comment, !approve)?;
        let document = self.visible_outgoing(actor, id).await?;
        if approve {
            if document.state != OutgoingState::UnderReview {
                return Err(invalid_state(document.state, "review"));
            }
            let now = self.clock.now();
            let tx = self.db.begin_write().await?;
            // A no-op state change that still checks and bumps the version: two reviewers acting
            // on a document that was just returned cannot both succeed.
            if !db::outgoing::advance(
                &tx,
                id,
                document.version,
                OutgoingState::UnderReview,
                OutgoingState::UnderReview,
                now,
                db::outgoing::Changes::default(),
            )
            .await?
            {
                return Err(concurrent_change());
            }
            let step = Step::new(kind.code(), "approved", comment);
            self.finish_step(&tx, actor, &document, "review", &step, now, operation)
                .await?;
            tx.commit().await?;
            return self.outgoing(actor, id).await;
        }
        self.step(
            actor,
            &document,
            OutgoingAction::ReturnForRevision,
            Step::new(kind.code(), "returned", comment),
            db::outgoing::Changes::default(),
            operation,
        )
        .await
    }

    /// Approves a reviewed draft for signature (UnderReview → AwaitingSignature); both checks must
    /// have approved it since it was last submitted.
    ///
    /// # Errors
    /// `Forbidden` unless a leader; `InvalidState` (`outgoing.review_incomplete` when a check is
    /// missing).
    pub async fn approve_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
        comment: Option<String>,
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        actor.require(Permission::SignOutgoing)?;
        let comment = check_comment(comment, false)?;
        let document = self.visible_outgoing(actor, id).await?;
        let steps = db::outgoing::review_steps(&self.db, id).await?;
        let since_submit: Vec<_> = steps
            .iter()
            .rev()
            .take_while(|step| step.step != "submit")
            .collect();
        let approved = |kind: ReviewKind| {
            since_submit
                .iter()
                .any(|step| step.step == kind.code() && step.decision == "approved")
        };
        if document.state == OutgoingState::UnderReview
            && !(approved(ReviewKind::Content) && approved(ReviewKind::Format))
        {
            return Err(Error::InvalidState {
                code: "outgoing.review_incomplete",
                message: "the content and format checks must both approve the draft first"
                    .to_owned(),
            });
        }
        self.step(
            actor,
            &document,
            OutgoingAction::Approve,
            Step::new("approval", "approved", comment),
            db::outgoing::Changes::default(),
            operation,
        )
        .await
    }

    /// The signer refuses to sign and sends the draft back (AwaitingSignature → Draft).
    ///
    /// # Errors
    /// `Forbidden` unless the designated signer; `Validation` without a comment; `InvalidState`.
    pub async fn reject_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
        comment: Option<String>,
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        actor.require(Permission::SignOutgoing)?;
        let comment = check_comment(comment, true)?;
        let document = self.visible_outgoing(actor, id).await?;
        require_signer(actor, &document)?;
        self.step(
            actor,
            &document,
            OutgoingAction::Reject,
            Step::new("signature", "rejected", comment),
            db::outgoing::Changes::default(),
            operation,
        )
        .await
    }

    /// The designated signer signs with the personal key the server holds for them
    /// (AwaitingSignature → Signed). The signature is made before the transaction.
    ///
    /// # Errors
    /// `Forbidden` unless the designated signer; `Signing` (`signing.no_key` when the server holds
    /// no key for the user, or the engine's codes); `InvalidState`.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn sign_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        actor.require(Permission::SignOutgoing)?;
        let document = self.visible_outgoing(actor, id).await?;
        require_signer(actor, &document)?;
        check_transition(document.state, OutgoingAction::Sign)?;
        let key = self
            .signing_key(|key| key.username.as_deref() == Some(actor.username.as_str()))
            .ok_or_else(|| Error::Signing {
                code: "signing.no_key",
                message: format!("the server holds no signing key for {}", actor.username),
            })?;
        let input = self.get_blob(&document.blob_sha256).await?;
        let now = self.clock.now();
        let place = self.place_name(document.organization_id).await?;
        let context = self.sign_context(
            FieldRole::Leader,
            now,
            place,
            document.page_count,
            key.image.clone(),
            None,
        );
        let signed = self.sign_field(input, key, context).await?;
        let sha256 = self.put_blob(signed.clone()).await?;
        self.step(
            actor,
            &document,
            OutgoingAction::Sign,
            Step::new("signature", "signed", None),
            db::outgoing::Changes {
                blob: Some((&sha256, signed.len() as i64)),
                signed_sha256: Some(&sha256),
                ..db::outgoing::Changes::default()
            },
            operation,
        )
        .await
    }

    /// The clerk gives the signed document its number and date from the outgoing register (the
    /// secret register for secret documents), in one transaction with the move to Numbered, then
    /// writes them into the PDF's pre-created fields (form filling).
    ///
    /// Retrying on a numbered document takes no new number: it only finishes the file if a crash
    /// stopped it.
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `NotFound`; `InvalidState`.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn number_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        actor.require(Permission::IssueOutgoing)?;
        let document = self.visible_outgoing(actor, id).await?;
        if document.state == OutgoingState::Numbered {
            self.finish_numbered_file(actor, &document, operation)
                .await?;
            return self.outgoing(actor, id).await;
        }
        check_transition(document.state, OutgoingAction::Number)?;
        let organization = db::organizations::find(&self.db, document.organization_id)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?;
        let document_type = document
            .type_code
            .as_deref()
            .and_then(DocumentType::from_code)
            .ok_or_else(|| Error::Integrity {
                detail: format!("outgoing document {id} has no valid type"),
            })?;
        let symbol = Symbol::for_document(document_type, &organization.profile.abbreviation, None);
        let now = self.clock.now();
        let date = vietnam_date(now);
        let year = register_year(now);
        let kind = RegisterKind::for_outgoing(document.secrecy);

        let tx = self.db.begin_write().await?;
        let register =
            db::registers::find_or_create(&tx, document.organization_id, kind, year).await?;
        let number = db::registers::allocate(&tx, register).await?;
        let number_and_symbol = NumberAndSymbol {
            number: u32::try_from(number)
                .ok()
                .and_then(|number| DocumentNumber::new(number).ok())
                .ok_or_else(|| Error::Internal {
                    reason: format!("register number {number} out of range"),
                })?,
            year: None,
            symbol,
        };
        let text = number_and_symbol.to_string();
        // Dropping `tx` on a lost race rolls the allocation back: no number is consumed.
        if !db::outgoing::advance(
            &tx,
            id,
            document.version,
            document.state,
            OutgoingState::Numbered,
            now,
            db::outgoing::Changes {
                number: Some((register, number, &text, date)),
                ..db::outgoing::Changes::default()
            },
        )
        .await?
        {
            return Err(concurrent_change());
        }
        db::outgoing::insert_review_step(
            &tx,
            id,
            &db::outgoing::ReviewStep {
                step: "number".to_owned(),
                actor: actor.user_id,
                decision: "numbered".to_owned(),
                comment: Some(text.clone()),
                at: now,
            },
        )
        .await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(document.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::OutgoingNumbered,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "register": kind.code(),
                    "year": year,
                    "number": number,
                    "number_symbol": text,
                    "date": date.to_string(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(number, number_symbol = %text, "outgoing document numbered");
        // A crash here must leave the document retryable without a second number (issue 5).
        crate::failpoint::hit("outgoing.after_number_commit");

        let numbered = self.visible_outgoing(actor, id).await?;
        self.finish_numbered_file(actor, &numbered, operation)
            .await?;
        self.outgoing(actor, id).await
    }

    /// The clerk applies the agency's signature with the organisation's seal key (Numbered →
    /// Sealed), after finishing the numbered file if a crash left it unmade.
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `Signing` (`signing.no_key` when the server holds no seal key for
    /// the organisation); `InvalidState`.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn seal_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        actor.require(Permission::IssueOutgoing)?;
        let document = self.visible_outgoing(actor, id).await?;
        check_transition(document.state, OutgoingAction::Seal)?;
        self.finish_numbered_file(actor, &document, operation)
            .await?;
        let document = self.visible_outgoing(actor, id).await?;
        check_transition(document.state, OutgoingAction::Seal)?;
        let organization = db::organizations::find(&self.db, document.organization_id)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?;
        let electronic_id = organization.profile.electronic_id.as_str().to_owned();
        let key = self
            .signing_key(|key| key.organization.as_deref() == Some(electronic_id.as_str()))
            .ok_or_else(|| Error::Signing {
                code: "signing.no_key",
                message: format!("the server holds no seal key for {electronic_id}"),
            })?;
        let signer = db::users::find(&self.db, document.signer)
            .await?
            .map(|user| user.username.as_str().to_owned());
        let input = self.get_blob(&document.blob_sha256).await?;
        let now = self.clock.now();
        let context = self.sign_context(
            FieldRole::Agency,
            now,
            organization.profile.place_name.clone(),
            document.page_count,
            key.image.clone(),
            signer.as_deref(),
        );
        let signed = self.sign_field(input, key, context).await?;
        let sha256 = self.put_blob(signed.clone()).await?;
        self.step(
            actor,
            &document,
            OutgoingAction::Seal,
            Step::new("seal", "sealed", None),
            db::outgoing::Changes {
                blob: Some((&sha256, signed.len() as i64)),
                ..db::outgoing::Changes::default()
            },
            operation,
        )
        .await
    }

    /// Issues the sealed document (Sealed → Issued): each recipient organisation of this deployment
    /// receives it as an incoming document, in the same transaction, and a delivery with status 01
    /// links them. A secret document is issued on paper: nothing leaves electronically.
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `Validation` when a recipient organisation has no clerk to
    /// receive; `InvalidState`.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn issue_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
        operation: &OperationId,
    ) -> Result<Vec<Delivery>, Error> {
        actor.require(Permission::IssueOutgoing)?;
        let document = self.visible_outgoing(actor, id).await?;
        check_transition(document.state, OutgoingAction::Issue)?;
        let recipients = db::outgoing::recipients(&self.db, id).await?;
        let internal: Vec<_> = if document.secrecy.is_secret() {
            Vec::new()
        } else {
            // One delivery per organisation, even if a draft named it twice (by id and by e-ID):
            // a second delivery to the same incoming copy would fail the unique index forever.
            let mut seen = std::collections::HashSet::new();
            recipients
                .iter()
                .filter_map(|recipient| recipient.organization_id.map(|org| (org, recipient)))
                .filter(|(org, _)| seen.insert(*org))
                .collect()
        };
        let now = self.clock.now();
        let organization = db::organizations::find(&self.db, document.organization_id)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?;

        // Who receives at each organisation, and the upload prepared once (validated, text
        // extracted, blob written) before the transaction.
        let mut receivers = Vec::with_capacity(internal.len());
        for (organization_id, recipient) in &internal {
            let clerk = db::outgoing::first_with_role(&self.db, *organization_id, Role::Clerk)
                .await?
                .ok_or_else(|| {
                    Error::invalid(
                        "recipients",
                        format!("{} has no clerk to receive the document", recipient.name),
                    )
                })?;
            let user = db::users::find(&self.db, clerk)
                .await?
                .ok_or(Error::NotFound { what: "user" })?;
            receivers.push((*organization_id, *recipient, user));
        }
        let prepared = if receivers.is_empty() {
            None
        } else {
            let bytes = self.get_blob(&document.blob_sha256).await?;
            let upload = IncomingUpload {
                file_name: document.file_name.clone(),
                bytes,
                metadata: IncomingMetadata {
                    number_symbol: document.number_symbol.clone(),
                    type_code: document.type_code.clone(),
                    subject: document.subject.clone(),
                    issuer_name: Some(organization.profile.name.clone()),
                    issued_date: document.issued_date.map(|date| date.to_string()),
                    urgency: Some(document.urgency.code().to_owned()),
                    secrecy: Some(document.secrecy.code().to_owned()),
                },
            };
            Some(self.prepare_intake(upload, now, None).await?)
        };

        let tx = self.db.begin_write().await?;
        if !db::outgoing::advance(
            &tx,
            id,
            document.version,
            OutgoingState::Sealed,
            OutgoingState::Issued,
            now,
            db::outgoing::Changes {
                issued_at: Some(now),
                ..db::outgoing::Changes::default()
            },
        )
        .await?
        {
            return Err(concurrent_change());
        }
        let mut received = Vec::new();
        if let Some(prepared) = &prepared {
            for (organization_id, recipient, user) in &receivers {
                let incoming = match db::documents::find_incoming_by_sha256(
                    &tx,
                    *organization_id,
                    &prepared.sha256,
                )
                .await?
                {
                    Some(existing) => existing,
                    None => {
                        let registered = self
                            .insert_intake(
                                &tx,
                                Receiver {
                                    organization_id: *organization_id,
                                    user_id: user.id,
                                    username: user.username.as_str(),
                                },
                                prepared,
                                now,
                                operation,
                            )
                            .await?;
                        db::outgoing::set_arrival_channel(&tx, registered.id, "internal").await?;
                        received.push(registered.id);
                        registered.id
                    }
                };
                db::deliveries::insert(
                    &tx,
                    db::deliveries::NewDelivery {
                        outgoing_document: id,
                        recipient_organization: Some(*organization_id),
                        recipient_name: &recipient.name,
                        recipient_e_id: recipient.electronic_id.as_deref(),
                        channel: db::deliveries::Channel::Internal,
                        incoming_document: Some(incoming),
                        status_code: STATUS_ARRIVED,
                        status_description: status_description(STATUS_ARRIVED),
                        at: now,
                    },
                )
                .await?;
            }
        }
        let step = Step::new("issue", "issued", None);
        db::outgoing::insert_review_step(&tx, id, &step.row(actor.user_id, now)).await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(document.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::OutgoingIssued,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "number_symbol": document.number_symbol,
                    "sha256": document.blob_sha256,
                    "internal_deliveries": receivers.len(),
                    "paper_only": document.secrecy.is_secret(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(deliveries = receivers.len(), "outgoing document issued");
        for incoming in received {
            self.index_document(incoming).await;
        }
        // The issued document joins the sender's search index.
        self.index_outgoing(id).await;
        self.outgoing_deliveries(actor, id).await
    }

    /// Recalls an issued document (Issued → Recalled, frozen): every delivery gets status 13.
    ///
    /// # Errors
    /// `Forbidden` unless a leader or clerk; `Validation` without a reason; `InvalidState`.
    pub async fn recall_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
        reason: Option<String>,
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        actor.require(Permission::RecallOutgoing)?;
        let reason = check_comment(reason, true)?;
        let document = self.visible_outgoing(actor, id).await?;
        check_transition(document.state, OutgoingAction::Recall)?;
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        if !db::outgoing::advance(
            &tx,
            id,
            document.version,
            OutgoingState::Issued,
            OutgoingState::Recalled,
            now,
            db::outgoing::Changes::default(),
        )
        .await?
        {
            return Err(concurrent_change());
        }
        let deliveries = db::deliveries::list_for_outgoing(&tx, id).await?;
        for delivery in &deliveries {
            db::deliveries::set_status(
                &tx,
                delivery.id,
                STATUS_RECALLED,
                status_description(STATUS_RECALLED),
                now,
            )
            .await?;
            // The recipient's copy awaits its clerk's answer (15 or 16), in this transaction.
            if let Some(incoming) = delivery.incoming_document {
                self.receive_recall(&tx, actor, incoming, reason.as_deref(), now, operation)
                    .await?;
            }
        }
        let step = Step::new("recall", "recalled", reason.clone());
        db::outgoing::insert_review_step(&tx, id, &step.row(actor.user_id, now)).await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(document.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::OutgoingRecalled,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "action": "recall",
                    "reason": reason,
                    "deliveries": deliveries.len(),
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.index_outgoing(id).await;
        for incoming in deliveries
            .iter()
            .filter_map(|delivery| delivery.incoming_document)
        {
            self.index_document(incoming).await;
        }
        self.outgoing(actor, id).await
    }

    /// Records that `replacement` (another outgoing document of the organisation) replaces an
    /// issued document because of wrong content (Issued → Replaced, frozen).
    ///
    /// # Errors
    /// `Forbidden` unless a leader or clerk; `NotFound` for an unknown replacement;
    /// `InvalidState`.
    pub async fn replace_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
        replacement: DocumentId,
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        actor.require(Permission::RecallOutgoing)?;
        let document = self.visible_outgoing(actor, id).await?;
        if replacement == id {
            return Err(Error::invalid(
                "replacement",
                "a document cannot replace itself",
            ));
        }
        // The replacing document must itself have been issued (Điều 18.3): a draft that may
        // never be issued cannot freeze the one it replaces.
        if self.visible_outgoing(actor, replacement).await?.state != OutgoingState::Issued {
            return Err(Error::invalid(
                "replacement",
                "the replacing document has not been issued",
            ));
        }
        self.step(
            actor,
            &document,
            OutgoingAction::Replace,
            Step::new(
                "replace",
                "replaced",
                Some(format!("document:{replacement}")),
            ),
            db::outgoing::Changes {
                replaced_by: Some(replacement),
                ..db::outgoing::Changes::default()
            },
            operation,
        )
        .await
    }

    /// The document when it exists, is outgoing, and the actor may see it; `NotFound` otherwise.
    pub(crate) async fn visible_outgoing(
        &self,
        actor: &Actor,
        id: DocumentId,
    ) -> Result<db::outgoing::Outgoing, Error> {
        match db::outgoing::find(&self.db, id).await? {
            Some(document) if actor.can_see(document.organization_id, document.secrecy) => {
                Ok(document)
            }
            _ => Err(Error::NotFound { what: "document" }),
        }
    }

    /// Applies `action` in one transaction with its review step and audit event, if the document
    /// still has the version read.
    async fn step(
        &self,
        actor: &Actor,
        document: &db::outgoing::Outgoing,
        action: OutgoingAction,
        step: Step,
        changes: db::outgoing::Changes<'_>,
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        let now = self.clock.now();
        let transition = check_transition(document.state, action)?;
        let tx = self.db.begin_write().await?;
        if !db::outgoing::advance(
            &tx,
            document.id,
            document.version,
            transition.from,
            transition.to,
            now,
            changes,
        )
        .await?
        {
            return Err(concurrent_change());
        }
        self.finish_step(&tx, actor, document, action.code(), &step, now, operation)
            .await?;
        tx.commit().await?;
        tracing::info!(
            document_id = %document.id,
            action = action.code(),
            to = transition.to.code(),
            "outgoing document advanced"
        );
        self.outgoing(actor, document.id).await
    }

    /// Writes a step's review row and audit event in `tx`.
    #[expect(clippy::too_many_arguments, reason = "one call site per kind of step")]
    async fn finish_step(
        &self,
        tx: &db::Tx,
        actor: &Actor,
        document: &db::outgoing::Outgoing,
        action: &str,
        step: &Step,
        now: OffsetDateTime,
        operation: &OperationId,
    ) -> Result<(), Error> {
        db::outgoing::insert_review_step(tx, document.id, &step.row(actor.user_id, now)).await?;
        let audit_action = match step.decision {
            "signed" | "sealed" => AuditAction::OutgoingSigned,
            "replaced" => AuditAction::OutgoingRecalled,
            _ => AuditAction::OutgoingAdvanced,
        };
        self.record(
            tx,
            AuditRecord {
                organization_id: Some(document.organization_id),
                actor: actor.username.as_str(),
                action: audit_action,
                target: &format!("document:{}", document.id),
                details: serde_json::json!({
                    "action": action,
                    "step": step.step,
                    "decision": step.decision,
                    "comment": step.comment,
                    "from": document.state.code(),
                }),
            },
            now,
            operation,
        )
        .await
    }

    /// Makes and records the file with the number and date filled in, when a numbered document
    /// does not have it yet. The file is derived from the signed file and the stored number only,
    /// so a retry after a crash produces the same fields.
    async fn finish_numbered_file(
        &self,
        actor: &Actor,
        document: &db::outgoing::Outgoing,
        operation: &OperationId,
    ) -> Result<(), Error> {
        if document.state != OutgoingState::Numbered || document.numbered_sha256.is_some() {
            return Ok(());
        }
        let (Some(signed_sha256), Some(number_symbol), Some(date)) = (
            document.signed_sha256.as_deref(),
            document.number_symbol.as_deref(),
            document.issued_date,
        ) else {
            return Err(Error::Integrity {
                detail: format!("numbered document {} lacks its signed file", document.id),
            });
        };
        let number_and_symbol =
            NumberAndSymbol::parse(number_symbol).map_err(|error| Error::Integrity {
                detail: error.to_string(),
            })?;
        let place = self.place_name(document.organization_id).await?;
        let line = date_line(&place, date);
        let signed_sha256_text = signed_sha256.to_owned();
        let signed = self.get_blob(signed_sha256).await?;
        let numbered = blocking(move || {
            pades::decree30::write_number(
                &signed,
                &number_and_symbol,
                &line,
                &pdf::Limits::untrusted_upload(),
            )
            .map_err(crate::signing::signing_error)
        })
        .await??;
        let sha256 = self.put_blob(numbered.clone()).await?;
        let tx = self.db.begin_write().await?;
        if db::outgoing::set_numbered_file(&tx, document.id, &sha256, numbered.len() as i64).await?
        {
            self.record(
                &tx,
                AuditRecord {
                    organization_id: Some(document.organization_id),
                    actor: actor.username.as_str(),
                    action: AuditAction::OutgoingNumbered,
                    target: &format!("document:{}", document.id),
                    details: serde_json::json!({
                        "file": "numbered",
                        "sha256": sha256,
                        "signed_sha256": signed_sha256_text,
                    }),
                },
                self.clock.now(),
                operation,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Signs the leader's or the agency's pre-created field of `input` with `key`, as `context`
    /// lays it out, off the executor.
    async fn sign_field(
        &self,
        input: Vec<u8>,
        key: crate::SigningKeyConfig,
        context: SignContext,
    ) -> Result<Vec<u8>, Error> {
        blocking(move || {
            let signer = crate::signing::load_signer(
                &crate::signing::KeySource::Pkcs12 {
                    path: key.p12.clone(),
                    password: key.password.clone(),
                },
                crate::signing::preference(crate::signing::HashChoice::Sha256, false),
            )?;
            context.run(|options| {
                pades::sign(&input, signer.as_ref(), options).map_err(crate::signing::signing_error)
            })
        })
        .await?
    }

    /// What signing a field needs besides the key, gathered before going off the executor.
    fn sign_context(
        &self,
        role: FieldRole,
        now: OffsetDateTime,
        place: String,
        page_count: i32,
        own_image: Option<std::path::PathBuf>,
        signer: Option<&str>,
    ) -> SignContext {
        let settings = self.config.signing.clone();
        // The seal is drawn over the handwritten signature of this document's signer, never
        // another leader's.
        let leader_image = settings
            .keys
            .iter()
            .find(|key| signer.is_some() && key.username.as_deref() == signer)
            .and_then(|key| key.image.clone());
        SignContext {
            settings,
            roots: Arc::clone(&self.trust_roots),
            role,
            now,
            place,
            page_count,
            own_image,
            leader_image,
        }
    }

    /// Prepares the designated signer's signature for signing elsewhere (two-phase: a remote
    /// signing service or a token the server cannot reach): returns the bytes to sign, and keeps
    /// the prepared state with the document until [`App::finish_remote_signature`].
    ///
    /// # Errors
    /// `Forbidden` unless the designated signer; `Signing` for a certificate the policy refuses
    /// (`signing.certificate_refused`) or that does not parse (`certificate.invalid`);
    /// `InvalidState`.
    pub async fn prepare_remote_signature(
        &self,
        actor: &Actor,
        id: DocumentId,
        certificate_pem: &[u8],
        operation: &OperationId,
    ) -> Result<RemoteSignature, Error> {
        actor.require(Permission::SignOutgoing)?;
        let document = self.visible_outgoing(actor, id).await?;
        require_signer(actor, &document)?;
        check_transition(document.state, OutgoingAction::Sign)?;
        let mut certificates = crypto::Certificate::from_pem_bundle(certificate_pem)
            .map_err(crate::signing::signing_error)?;
        if certificates.is_empty() {
            return Err(Error::invalid("certificate", "no certificate in the PEM"));
        }
        let certificate = certificates.remove(0);
        let key_algorithm = certificate
            .summary()
            .map_err(crate::signing::signing_error)?
            .key_algorithm;
        let (algorithm, algorithm_name) = if key_algorithm.starts_with("EC") {
            (
                crypto::SignatureAlgorithm::Ecdsa(crypto::HashAlgorithm::Sha256),
                "ecdsa-with-SHA256",
            )
        } else if key_algorithm.starts_with("RSA") {
            (
                crypto::SignatureAlgorithm::RsaPkcs1v15(crypto::HashAlgorithm::Sha256),
                "sha256WithRSAEncryption",
            )
        } else {
            return Err(Error::Signing {
                code: "signing.weak_key",
                message: format!("unsupported key {key_algorithm}"),
            });
        };
        let input = self.get_blob(&document.blob_sha256).await?;
        let now = self.clock.now();
        let place = self.place_name(document.organization_id).await?;
        let image = self
            .signing_key(|key| key.username.as_deref() == Some(actor.username.as_str()))
            .and_then(|key| key.image);
        let context = self.sign_context(
            FieldRole::Leader,
            now,
            place,
            document.page_count,
            image,
            None,
        );
        let pending = blocking(move || {
            context.run(|options| {
                pades::prepare(&input, &certificate, &certificates, algorithm, options)
                    .map_err(crate::signing::signing_error)
            })
        })
        .await??;
        let data_to_sign = pending.data_to_sign().to_vec();
        let stored = format!(
            "{}:{}",
            document.blob_sha256,
            base64::Engine::encode(
                &base64::engine::general_purpose::STANDARD,
                pending.to_bytes()
            )
        );
        let tx = self.db.begin_write().await?;
        if !db::outgoing::set_pending_signature(&tx, id, document.version, &stored).await? {
            return Err(concurrent_change());
        }
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(document.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::OutgoingAdvanced,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "action": "prepare_signature",
                    "algorithm": algorithm_name,
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        Ok(RemoteSignature {
            data_to_sign,
            algorithm: algorithm_name,
        })
    }

    /// Embeds the raw signature made elsewhere over the prepared bytes (AwaitingSignature →
    /// Signed); the signature is verified against the certificate before anything is embedded.
    ///
    /// # Errors
    /// `Forbidden` unless the designated signer; `InvalidState` (`outgoing.no_pending_signature`
    /// when none was prepared or the document changed since); `Signing`
    /// (`signing.signature_mismatch` for a signature over other bytes).
    pub async fn finish_remote_signature(
        &self,
        actor: &Actor,
        id: DocumentId,
        signature: &[u8],
        operation: &OperationId,
    ) -> Result<OutgoingDocument, Error> {
        actor.require(Permission::SignOutgoing)?;
        let document = self.visible_outgoing(actor, id).await?;
        require_signer(actor, &document)?;
        check_transition(document.state, OutgoingAction::Sign)?;
        let no_pending = || Error::InvalidState {
            code: "outgoing.no_pending_signature",
            message: "no prepared signature for this version of the document: prepare it again"
                .to_owned(),
        };
        let stored = document.pending_signature.clone().ok_or_else(no_pending)?;
        let (base, encoded) = stored.split_once(':').ok_or_else(no_pending)?;
        if base != document.blob_sha256 {
            return Err(no_pending());
        }
        let pending_bytes =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded)
                .map_err(|_| no_pending())?;
        let now = self.clock.now();
        let place = self.place_name(document.organization_id).await?;
        let context = self.sign_context(
            FieldRole::Leader,
            now,
            place,
            document.page_count,
            None,
            None,
        );
        let raw = signature.to_vec();
        let signed = blocking(move || {
            let pending = pades::PendingSignature::from_bytes(&pending_bytes)
                .map_err(crate::signing::signing_error)?;
            context.run(|options| {
                pades::finalize(pending, &raw, options).map_err(crate::signing::signing_error)
            })
        })
        .await??;
        let sha256 = self.put_blob(signed.clone()).await?;
        self.step(
            actor,
            &document,
            OutgoingAction::Sign,
            Step::new("signature", "signed", Some("two-phase".to_owned())),
            db::outgoing::Changes {
                blob: Some((&sha256, signed.len() as i64)),
                signed_sha256: Some(&sha256),
                ..db::outgoing::Changes::default()
            },
            operation,
        )
        .await
    }

    /// The configured server-held key matching `wanted`.
    fn signing_key(
        &self,
        wanted: impl Fn(&crate::SigningKeyConfig) -> bool,
    ) -> Option<crate::SigningKeyConfig> {
        self.config
            .signing
            .keys
            .iter()
            .find(|key| wanted(key))
            .cloned()
    }

    async fn place_name(&self, organization: OrganizationId) -> Result<String, Error> {
        Ok(db::organizations::find(&self.db, organization)
            .await?
            .ok_or(Error::NotFound {
                what: "organization",
            })?
            .profile
            .place_name)
    }

    pub(crate) async fn get_blob(&self, sha256: &str) -> Result<Vec<u8>, Error> {
        let blob_id = storage::BlobId::parse(sha256)?;
        let blobs = Arc::clone(&self.blobs);
        blocking(move || blobs.get(&blob_id))
            .await?
            .map_err(Error::from)
    }

    async fn put_blob(&self, bytes: Vec<u8>) -> Result<String, Error> {
        let sha256 = storage::BlobId::of(&bytes).to_string();
        let blobs = Arc::clone(&self.blobs);
        blocking(move || blobs.put(&bytes)).await??;
        Ok(sha256)
    }

    /// Checks every field of a draft and resolves the signer and recipients, reporting every
    /// problem at once.
    async fn check_draft(
        &self,
        actor: &Actor,
        draft: &OutgoingDraft,
    ) -> Result<CheckedDraft, Error> {
        let mut issues = Vec::new();
        let mut issue =
            |field: &'static str, message: String| issues.push(FieldIssue { field, message });
        let document_type = DocumentType::from_code(draft.type_code.trim());
        if document_type.is_none() {
            issue(
                "type_code",
                format!("unknown document type {:?}", draft.type_code),
            );
        }
        let subject = draft.subject.trim().to_owned();
        if subject.is_empty() {
            issue("subject", "must not be empty".to_owned());
        } else if subject.chars().count() > MAX_SUBJECT_CHARS {
            issue(
                "subject",
                format!("longer than {MAX_SUBJECT_CHARS} characters"),
            );
        }
        let urgency = match draft.urgency.as_deref().map(str::trim) {
            None | Some("") => Urgency::Normal,
            Some(code) => Urgency::parse(code).unwrap_or_else(|error| {
                issue("urgency", error.to_string());
                Urgency::Normal
            }),
        };
        let secrecy = match draft.secrecy.as_deref().map(str::trim) {
            None | Some("") => Secrecy::Normal,
            Some(code) => Secrecy::parse(code).unwrap_or_else(|error| {
                issue("secrecy", error.to_string());
                Secrecy::Normal
            }),
        };
        if secrecy > actor.clearance {
            issue(
                "secrecy",
                "your clearance does not cover this secrecy level".to_owned(),
            );
        }
        let copies = draft.copies.unwrap_or(1);
        if copies == 0 || copies > MAX_COPIES {
            issue("copies", format!("must be between 1 and {MAX_COPIES}"));
        }
        let signer = match domain::user::Username::parse(&draft.signer) {
            Ok(username) => match db::users::find_by_username(&self.db, &username).await? {
                Some(user)
                    if user.organization_id == actor.organization_id
                        && user.active
                        && user.roles.contains(&Role::Leader) =>
                {
                    if secrecy > user.clearance {
                        issue(
                            "signer",
                            "the signer's clearance does not cover this secrecy level".to_owned(),
                        );
                    }
                    Some(user.id)
                }
                _ => {
                    issue(
                        "signer",
                        format!("{username} is not a leader of your organisation"),
                    );
                    None
                }
            },
            Err(error) => {
                issue("signer", error.to_string());
                None
            }
        };
        if draft.recipients.is_empty() {
            issue("recipients", "name at least one recipient".to_owned());
        }
        if draft.recipients.len() > MAX_RECIPIENTS {
            // Before resolving them: each costs a query.
            return Err(Error::invalid(
                "recipients",
                format!("at most {MAX_RECIPIENTS} recipients"),
            ));
        }
        let mut recipients: Vec<db::outgoing::Recipient> = Vec::new();
        for input in &draft.recipients {
            match self.resolve_recipient(actor, input).await? {
                Ok(recipient) => {
                    let repeated = recipients.iter().any(|earlier| {
                        match (earlier.organization_id, recipient.organization_id) {
                            (Some(a), Some(b)) => a == b,
                            _ => {
                                earlier.name == recipient.name
                                    && earlier.electronic_id == recipient.electronic_id
                            }
                        }
                    });
                    if repeated {
                        issue("recipients", format!("{} is named twice", recipient.name));
                    } else {
                        recipients.push(recipient);
                    }
                }
                Err(message) => issue("recipients", message),
            }
        }
        match (document_type, signer, issues.is_empty()) {
            (Some(document_type), Some(signer), true) => Ok(CheckedDraft {
                document_type,
                subject,
                urgency,
                secrecy,
                copies: i32::try_from(copies).unwrap_or(1),
                signer,
                recipients,
            }),
            _ => Err(Error::Validation { issues }),
        }
    }

    /// Resolves a recipient: an organisation of this deployment by id or electronic id, or an
    /// external one by name; the inner error is the field message.
    async fn resolve_recipient(
        &self,
        actor: &Actor,
        input: &RecipientInput,
    ) -> Result<Result<db::outgoing::Recipient, String>, Error> {
        let text = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let organization_text = text(&input.organization);
        let electronic_id = text(&input.electronic_id);
        let name = text(&input.name);
        let lookup = organization_text.clone().or_else(|| electronic_id.clone());
        if let Some(key) = lookup {
            let found = if let Ok(number) = key.parse::<i64>() {
                db::organizations::find(&self.db, OrganizationId(number)).await?
            } else if let Ok(parsed) = ElectronicId::parse(&key) {
                db::organizations::find_by_electronic_id(&self.db, &parsed).await?
            } else {
                return Ok(Err(format!(
                    "{key:?} is neither an organisation id nor an electronic id"
                )));
            };
            match found {
                Some(organization) if organization.id == actor.organization_id => {
                    return Ok(Err(
                        "an organisation does not send documents to itself".to_owned()
                    ));
                }
                Some(organization) => {
                    return Ok(Ok(db::outgoing::Recipient {
                        organization_id: Some(organization.id),
                        name: organization.profile.name,
                        electronic_id: Some(organization.profile.electronic_id.as_str().to_owned()),
                    }));
                }
                None if organization_text.is_some() => {
                    return Ok(Err(format!("no organisation {key:?} in this deployment")));
                }
                None => {}
            }
        }
        match name {
            Some(name) if name.chars().count() <= 200 => Ok(Ok(db::outgoing::Recipient {
                organization_id: None,
                name,
                electronic_id,
            })),
            Some(_) => Ok(Err(
                "a recipient name is longer than 200 characters".to_owned()
            )),
            None => Ok(Err(
                "each recipient needs an organisation or a name".to_owned()
            )),
        }
    }
}

/// The electronic id of the demo city People's Committee, a second organisation of the demo
/// deployment that receives the ward's documents. Made up, like the ward's.
pub const DEMO_CITY_ID: &str = "000.00.21.H02";

impl App {
    /// Seeds the demo city People's Committee with a clerk (`vanthu.tp`) and a leader
    /// (`lanhdao.tp`), all with `password`: a second organisation of the deployment for internal
    /// delivery. Idempotent.
    ///
    /// # Errors
    /// `Error::Config` unless demo data is allowed by the configuration.
    pub async fn seed_demo_city(
        &self,
        password: &secrecy::SecretString,
        operation: &OperationId,
    ) -> Result<OrganizationId, Error> {
        use secrecy::ExposeSecret as _;
        if !self.config.security.danger_allow_demo_data {
            return Err(Error::Config {
                problems: vec!["demo data needs security.danger_allow_demo_data".to_owned()],
            });
        }
        let fixed = |error: domain::ParseError| Error::Internal {
            reason: format!("demo constant: {error}"),
        };
        let profile = domain::organization::OrganizationProfile {
            electronic_id: ElectronicId::parse(DEMO_CITY_ID).map_err(fixed)?,
            name: "Ủy ban nhân dân thành phố Hải Phòng".to_owned(),
            abbreviation: domain::organization::Abbreviation::parse("UBND").map_err(fixed)?,
            place_name: "Hải Phòng".to_owned(),
        };
        if let Some(existing) =
            db::organizations::find_by_electronic_id(&self.db, &profile.electronic_id).await?
        {
            return Ok(existing.id);
        }
        let now = self.clock.now();
        let password_text = password.expose_secret().to_owned();
        let password_hash = blocking(move || crate::auth::hash_password(&password_text)).await??;
        let tx = self.db.begin_write().await?;
        let organization_id = db::organizations::insert(&tx, &profile, now).await?;
        let people = [
            (
                Role::Clerk,
                "vanthu.tp",
                "Vũ Thị Hoa",
                "Văn thư",
                Secrecy::Secret,
            ),
            (
                Role::Leader,
                "lanhdao.tp",
                "Đặng Văn Khánh",
                "Chủ tịch",
                Secrecy::TopSecret,
            ),
        ];
        for (role, username, full_name, position, clearance) in people {
            let username = domain::user::Username::parse(username).map_err(fixed)?;
            let full_name = domain::user::FullName::parse(full_name).map_err(fixed)?;
            db::users::insert(
                &tx,
                db::users::NewUser {
                    organization_id,
                    username: &username,
                    full_name: &full_name,
                    position,
                    password_hash: &password_hash,
                    clearance,
                    roles: &[role],
                },
                now,
            )
            .await?;
        }
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(organization_id),
                actor: "system",
                action: AuditAction::DemoSeeded,
                target: &format!("organization:{organization_id}"),
                details: serde_json::json!({ "users": people.len(), "organization": DEMO_CITY_ID }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        Ok(organization_id)
    }
}

/// A two-phase signature waiting for the signer: what to sign and with which algorithm.
#[derive(Clone, Debug)]
pub struct RemoteSignature {
    /// The DER signed attributes to sign (the signer hashes them with SHA-256).
    pub data_to_sign: Vec<u8>,
    /// `ecdsa-with-SHA256` or `sha256WithRSAEncryption`.
    pub algorithm: &'static str,
}

/// Everything a signature needs besides the key, owned so that it can go off the executor.
#[derive(Debug)]
struct SignContext {
    settings: crate::SigningConfig,
    roots: Arc<[crypto::Certificate]>,
    role: FieldRole,
    now: OffsetDateTime,
    place: String,
    page_count: i32,
    own_image: Option<std::path::PathBuf>,
    leader_image: Option<std::path::PathBuf>,
}

impl SignContext {
    /// Builds the engine's options (appearance, level, TSA, OCSP, CRLs) and runs `work` with them.
    fn run<T>(
        &self,
        work: impl FnOnce(&pades::SignOptions<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let layout = default_layout(usize::try_from(self.page_count).unwrap_or(1));
        let width = layout.signature_box[2] - layout.signature_box[0];
        let height = layout.signature_box[3] - layout.signature_box[1];
        let read = |path: &std::path::Path| {
            std::fs::read(path).map_err(|error| Error::Signing {
                code: "signing.file_unreadable",
                message: format!("cannot read {}: {error}", path.display()),
            })
        };
        let own_image = self.own_image.as_deref().map(read).transpose()?;
        let appearance = match (self.role, &own_image) {
            (FieldRole::Leader, Some(image)) => {
                Some(pades::decree30::leader_appearance(image, width, height))
            }
            (FieldRole::Agency, Some(seal)) => {
                let signature = self
                    .leader_image
                    .as_deref()
                    .map(read)
                    .transpose()?
                    .unwrap_or_else(|| seal.clone());
                Some(pades::decree30::agency_appearance(
                    &signature, seal, width, height,
                ))
            }
            (_, None) => None,
        };
        let crls = self
            .settings
            .crl_files
            .iter()
            .map(|path| read(path))
            .collect::<Result<Vec<_>, _>>()?;
        let level = match (self.role, &self.settings.tsa_url, &self.settings.ocsp_url) {
            (FieldRole::Agency, Some(_), Some(_)) => pades::Level::BLT,
            (_, Some(_), _) => pades::Level::BT,
            (_, None, _) => pades::Level::BB,
        };
        let limits = pdf::Limits::untrusted_upload();
        let transport = pades::HttpTransport::new(SERVICE_TIMEOUT);
        let options = pades::SignOptions {
            level,
            field: pdf::FieldTarget::Existing(self.role.field()),
            appearance: appearance.as_ref(),
            signing_time: self.now,
            name: None,
            reason: None,
            location: Some(&self.place),
            trust_roots: &self.roots,
            timestamp: self
                .settings
                .tsa_url
                .as_deref()
                .map(|url| pades::TimestampOptions {
                    url,
                    hash: crypto::HashAlgorithm::Sha256,
                }),
            ocsp_url: self.settings.ocsp_url.as_deref(),
            crls: &crls,
            transport: &transport,
            document_password: None,
            limits: &limits,
        };
        work(&options)
    }
}

/// Which pre-created signature field a signature goes into.
#[derive(Clone, Copy, Debug)]
enum FieldRole {
    Leader,
    Agency,
}

impl FieldRole {
    fn field(self) -> &'static str {
        match self {
            FieldRole::Leader => pades::decree30::LEADER_FIELD,
            FieldRole::Agency => pades::decree30::AGENCY_FIELD,
        }
    }
}

/// A review row about to be written.
#[derive(Debug)]
struct Step {
    step: &'static str,
    decision: &'static str,
    comment: Option<String>,
}

impl Step {
    fn new(step: &'static str, decision: &'static str, comment: Option<String>) -> Step {
        Step {
            step,
            decision,
            comment,
        }
    }

    fn row(&self, actor: UserId, at: OffsetDateTime) -> db::outgoing::ReviewStep {
        db::outgoing::ReviewStep {
            step: self.step.to_owned(),
            actor,
            decision: self.decision.to_owned(),
            comment: self.comment.clone(),
            at,
        }
    }
}

/// A draft's fields after checking.
#[derive(Debug)]
struct CheckedDraft {
    document_type: &'static DocumentType,
    subject: String,
    urgency: Urgency,
    secrecy: Secrecy,
    copies: i32,
    signer: UserId,
    recipients: Vec<db::outgoing::Recipient>,
}

/// Where the draft's fields go on an A4 page: the number and date on page 1, the signature box on
/// the last page (Phụ lục I §II, boxes 3, 4 and 7c).
fn default_layout(page_count: usize) -> pades::decree30::DraftLayout {
    pades::decree30::DraftLayout {
        signature_page: page_count.max(1),
        signature_box: [330.0, 300.0, 530.0, 380.0],
        header_page: 1,
        number_box: [60.0, 700.0, 260.0, 718.0],
        date_box: [300.0, 720.0, 540.0, 738.0],
    }
}

fn check_transition(
    state: OutgoingState,
    action: OutgoingAction,
) -> Result<domain::transition::Transition<OutgoingState>, Error> {
    // The instant is not used by the caller: the transaction stamps its own `now`.
    domain::outgoing::apply(state, action, OffsetDateTime::UNIX_EPOCH)
        .map_err(|_| invalid_state(state, action.code()))
}

pub(crate) fn invalid_state(state: OutgoingState, action: &str) -> Error {
    Error::InvalidState {
        code: "outgoing.invalid_state",
        message: format!(
            "cannot {action} a document in state {} ({})",
            state.code(),
            state.label_vi()
        ),
    }
}

fn concurrent_change() -> Error {
    Error::InvalidState {
        code: "outgoing.concurrent_change",
        message: "another user changed this document first; reload it and retry".to_owned(),
    }
}

fn require_signer(actor: &Actor, document: &db::outgoing::Outgoing) -> Result<(), Error> {
    if document.signer == actor.user_id {
        Ok(())
    } else {
        Err(Error::Forbidden {
            action: "sign a document designated to another signer",
        })
    }
}

/// Trims a comment; `required` refuses an empty one.
fn check_comment(comment: Option<String>, required: bool) -> Result<Option<String>, Error> {
    let comment = comment
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty());
    match &comment {
        None if required => Err(Error::invalid("comment", "a reason is required")),
        Some(text) if text.chars().count() > MAX_COMMENT_CHARS => Err(Error::invalid(
            "comment",
            format!("longer than {MAX_COMMENT_CHARS} characters"),
        )),
        _ => Ok(comment),
    }
}

/// Keeps the last path component, without control characters, at most 255 characters.
fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        "du-thao.pdf".to_owned()
    } else {
        cleaned
    }
}

fn from_record(record: db::outgoing::Outgoing) -> OutgoingDocument {
    OutgoingDocument {
        id: record.id,
        state: record.state,
        version: record.version,
        type_code: record.type_code,
        number_symbol: record.number_symbol,
        issued_date: record.issued_date,
        subject: record.subject,
        urgency: record.urgency,
        secrecy: record.secrecy,
        sha256: record.blob_sha256,
        file_name: record.file_name,
        file_size: record.file_size,
        page_count: record.page_count,
        created_by: record.created_by,
        signer: record.signer,
        copies: record.copies,
        created_at: record.created_at,
        updated_at: record.updated_at,
        issued_at: record.issued_at,
        replaced_by: record.replaced_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_trimmed_and_required_for_returns() {
        assert_eq!(check_comment(Some("  ".to_owned()), false).unwrap(), None);
        assert!(matches!(
            check_comment(None, true),
            Err(Error::Validation { .. })
        ));
        assert_eq!(
            check_comment(Some(" Sửa lỗi chính tả ".to_owned()), true).unwrap(),
            Some("Sửa lỗi chính tả".to_owned())
        );
    }

    #[test]
    fn refused_transitions_name_the_state_in_vietnamese() {
        let error = check_transition(OutgoingState::Draft, OutgoingAction::Number).unwrap_err();
        assert_eq!(error.code(), "outgoing.invalid_state");
        assert!(error.to_string().contains("Dự thảo"), "{error}");
    }

    #[test]
    fn status_codes_have_vietnamese_descriptions() {
        assert_eq!(status_description("01"), "Đã đến");
        assert_eq!(status_description("13"), "Thu hồi văn bản");
    }
}
