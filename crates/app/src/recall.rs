//! Recalls at the receiving organisation (Decree 30/2020, Điều 18.4; DOMAIN.md §3 and §7(b)).
//!
//! When a sender of this deployment recalls an issued document (edXML 13), each recipient's
//! incoming copy moves to `RecallPending` in the sender's own transaction, and the state it was in
//! is kept (`db::recalls`). The recipient's clerk then accepts (edXML 15: the document becomes
//! `Recalled`, its file can no longer be downloaded and its metadata is kept) or refuses (edXML
//! 16: it goes back to the state it was in). Either answer reaches the sender's delivery row
//! through `db::deliveries::report_status`, in the same transaction as the change and its audit
//! event.
//!
//! The file's content-addressed blob is never removed: the sender's issued copy, and any other
//! document with the same bytes, refer to the same blob, and the store has no delete. "Deleted"
//! therefore means withdrawn from the recipient: every download is refused with
//! `document.recalled`.

use domain::audit::AuditAction;
use domain::ids::DocumentId;
use domain::incoming::{IncomingAction, IncomingState};
use time::OffsetDateTime;

use crate::audit::AuditRecord;
use crate::handling::{check_version, concurrent_change, optional_text};
use crate::{Actor, App, Error, Handling, OperationId, Permission};

/// The edXML status of an accepted recall.
const STATUS_RECALL_ACCEPTED: &str = "15";
/// The edXML status of a refused recall.
const STATUS_RECALL_REFUSED: &str = "16";

impl App {
    /// Moves the incoming copy `incoming` of a recalled outgoing document to `RecallPending`,
    /// inside the sender's recall transaction `tx`; returns whether it moved.
    ///
    /// A copy that was returned or already recalled is left as it is: nothing is held any more.
    pub(crate) async fn receive_recall(
        &self,
        tx: &db::Tx,
        actor: &Actor,
        incoming: DocumentId,
        reason: Option<&str>,
        now: OffsetDateTime,
        operation: &OperationId,
    ) -> Result<bool, Error> {
        let Some(document) = db::handling::find(tx, incoming).await? else {
            return Ok(false);
        };
        let Ok(transition) =
            domain::incoming::apply(document.state, IncomingAction::RequestRecall, now)
        else {
            return Ok(false);
        };
        store_state(tx, &document, transition.to, now).await?;
        db::recalls::request(tx, incoming, document.state, reason, now).await?;
        self.record(
            tx,
            AuditRecord {
                organization_id: Some(document.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::IncomingRecallRequested,
                target: &format!("document:{incoming}"),
                details: serde_json::json!({
                    "reason": reason,
                    "previous_state": document.state.code(),
                    "state": transition.to.code(),
                }),
            },
            now,
            operation,
        )
        .await?;
        Ok(true)
    }

    /// The receiving clerk accepts a pending recall (edXML 15): the document becomes `Recalled`
    /// and its file is withdrawn; the metadata stays in the register.
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `NotFound` for a document the actor may not see;
    /// `InvalidState` (`incoming.invalid_state` unless a recall is pending,
    /// `incoming.concurrent_change`).
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn accept_recall(
        &self,
        actor: &Actor,
        id: DocumentId,
        expected_version: Option<i32>,
        operation: &OperationId,
    ) -> Result<Handling, Error> {
        actor.require(Permission::PresentIncoming)?;
        let document = self.visible_incoming(actor, id).await?;
        check_version(&document, expected_version)?;
        let now = self.clock.now();
        let to = domain::incoming::apply(document.state, IncomingAction::AcceptRecall, now)
            .map_err(invalid_state)?
            .to;

        let tx = self.db.begin_write().await?;
        store_state(&tx, &document, to, now).await?;
        db::recalls::answer(&tx, id, db::recalls::Answer::Accepted, actor.user_id, now).await?;
        db::deliveries::report_status(&tx, id, STATUS_RECALL_ACCEPTED, "Đồng ý thu hồi", now)
            .await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::IncomingRecallAccepted,
                target: &format!("document:{id}"),
                details: serde_json::json!({ "state": to.code(), "status": STATUS_RECALL_ACCEPTED }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.index_document(id).await;
        self.incoming_handling(actor, id).await
    }

    /// The receiving clerk refuses a pending recall (edXML 16): the document goes back to the
    /// state it was in when the recall arrived.
    ///
    /// # Errors
    /// `Forbidden` unless a clerk; `NotFound`; `Validation` for a bad reason; `InvalidState`
    /// unless a recall is pending, or when another user acted first.
    #[tracing::instrument(skip_all, fields(document_id = %id, user = %actor.username))]
    pub async fn refuse_recall(
        &self,
        actor: &Actor,
        id: DocumentId,
        reason: Option<&str>,
        expected_version: Option<i32>,
        operation: &OperationId,
    ) -> Result<Handling, Error> {
        actor.require(Permission::PresentIncoming)?;
        let document = self.visible_incoming(actor, id).await?;
        check_version(&document, expected_version)?;
        let reason = optional_text("reason", reason)?;
        let Some(recall) = db::recalls::find(&self.db, id).await? else {
            return Err(invalid_state(domain::transition::TransitionError {
                from: document.state.code(),
                action: IncomingAction::RefuseRecall.code(),
            }));
        };
        let now = self.clock.now();
        let to = domain::incoming::apply_refuse_recall(document.state, recall.previous_state, now)
            .map_err(invalid_state)?
            .to;

        let tx = self.db.begin_write().await?;
        store_state(&tx, &document, to, now).await?;
        db::recalls::answer(&tx, id, db::recalls::Answer::Refused, actor.user_id, now).await?;
        db::deliveries::report_status(&tx, id, STATUS_RECALL_REFUSED, "Từ chối thu hồi", now)
            .await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: Some(actor.organization_id),
                actor: actor.username.as_str(),
                action: AuditAction::IncomingRecallRefused,
                target: &format!("document:{id}"),
                details: serde_json::json!({
                    "reason": reason,
                    "state": to.code(),
                    "status": STATUS_RECALL_REFUSED,
                }),
            },
            now,
            operation,
        )
        .await?;
        tx.commit().await?;
        self.incoming_handling(actor, id).await
    }
}

/// The refusal of a download of a recalled document's file.
pub(crate) fn recalled_file() -> Error {
    Error::InvalidState {
        code: "document.recalled",
        message:
            "the sender recalled this document and it was withdrawn; only its metadata is kept"
                .to_owned(),
    }
}

/// Stores a state change under the version read before the transaction. Unlike the handling
/// steps it reports no 01–06 status: the recall answers 15 and 16 are reported by the caller.
async fn store_state(
    tx: &db::Tx,
    document: &db::handling::HandledDocument,
    to: IncomingState,
    at: OffsetDateTime,
) -> Result<(), Error> {
    db::handling::transition(tx, document.id, document.version, to, at)
        .await
        .map(|_| ())
        .map_err(|error| match error {
            db::Error::Conflict { .. } => concurrent_change(),
            other => other.into(),
        })
}

fn invalid_state(error: domain::transition::TransitionError) -> Error {
    Error::InvalidState {
        code: "incoming.invalid_state",
        message: error.to_string(),
    }
}
