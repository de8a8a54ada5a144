//! Recording audit events and verifying the chain.
//!
//! Use cases call [`App::record`] with the transaction that makes their change, so the event and the
//! change commit or vanish together. The audit trail is not the logs: it is data, hash-chained, and
//! `verify_audit` proves that no stored event was changed, removed or reordered.

use domain::audit::{AuditAction, ChainBreak, ChainHash};
use domain::ids::OrganizationId;
use time::OffsetDateTime;

use crate::{Actor, App, Error, OperationId, Permission};

/// The page size used when reading the chain back.
const VERIFY_PAGE: u64 = 1000;

/// One event to record.
#[derive(Debug)]
pub(crate) struct AuditRecord<'a> {
    pub(crate) organization_id: Option<OrganizationId>,
    pub(crate) actor: &'a str,
    pub(crate) action: AuditAction,
    pub(crate) target: &'a str,
    pub(crate) details: serde_json::Value,
}

/// The outcome of verifying the audit chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    /// How many events were checked.
    pub events: u64,
    /// The hash of the last event (the genesis hash when there is none).
    pub head: ChainHash,
    /// The first break found, if the chain is not intact.
    pub broken: Option<String>,
}

impl AuditReport {
    /// Whether every event is intact.
    pub fn is_intact(&self) -> bool {
        self.broken.is_none()
    }
}

impl App {
    /// Appends an audit event within `tx`.
    pub(crate) async fn record(
        &self,
        tx: &db::Tx,
        record: AuditRecord<'_>,
        at: OffsetDateTime,
        operation: &OperationId,
    ) -> Result<(), Error> {
        let details = record.details.to_string();
        db::audit::append(
            tx,
            db::audit::NewAuditEvent {
                at,
                organization_id: record.organization_id,
                actor: record.actor,
                action: record.action.code(),
                target: record.target,
                details: &details,
                operation_id: Some(operation.as_str()),
            },
        )
        .await?;
        Ok(())
    }

    /// Reads the whole audit chain back and checks every link and hash.
    ///
    /// # Errors
    /// `Error::Forbidden` unless the actor is an auditor or administrator.
    pub async fn verify_audit(&self, actor: &Actor) -> Result<AuditReport, Error> {
        actor.require(Permission::VerifyAudit)?;
        self.verify_audit_chain().await
    }

    /// Checks the chain without an actor (the `vanthu audit verify` command and tests).
    ///
    /// # Errors
    /// `Error::Unavailable` when the database fails.
    pub async fn verify_audit_chain(&self) -> Result<AuditReport, Error> {
        let (head_seq, head_hash) = db::audit::head(&self.db).await?;
        let mut events = Vec::new();
        let mut after = 0;
        loop {
            let page = db::audit::events_after(&self.db, after, VERIFY_PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.event.seq;
            events.extend(page);
        }
        let checked =
            domain::audit::verify_chain(events.iter().map(|stored| (&stored.event, &stored.hash)));
        let report = match checked {
            Ok(summary)
                if summary.head == head_hash
                    && i64::try_from(summary.events).ok() == Some(head_seq) =>
            {
                AuditReport {
                    events: summary.events,
                    head: summary.head,
                    broken: None,
                }
            }
            Ok(summary) => AuditReport {
                events: summary.events,
                head: summary.head,
                broken: Some(format!(
                    "the chain head records event {head_seq} but the last stored event is {}",
                    summary.events
                )),
            },
            Err(ChainBreak { seq, reason }) => AuditReport {
                events: events.len() as u64,
                head: head_hash,
                broken: Some(format!("event {seq}: {reason}")),
            },
        };
        Ok(report)
    }
}
