//! Recording audit events and verifying the chain.
//!
//! Use cases call [`App::record`] with the transaction that makes their change, so the event and the
//! change commit or vanish together. The audit trail is not the logs: it is data, hash-chained, and
//! `verify_audit` proves that no stored event was changed, removed or reordered, and, with the
//! signed checkpoints of `checkpoint.rs`, that the chain was not cut below a checkpoint.

use std::collections::HashMap;
use std::sync::Arc;

use domain::audit::{AuditAction, ChainBreak, ChainHash};
use domain::ids::OrganizationId;
use time::OffsetDateTime;

use crate::checkpoint::{checkpoint_text, verify_checkpoint_signature};
use crate::{Actor, App, Error, OperationId, Permission, blocking};

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
    /// How many signed checkpoints were verified.
    pub checkpoints: u64,
    /// The event of the newest verified checkpoint.
    pub last_checkpoint: Option<i64>,
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
        // Hashing the whole chain is CPU work: off the async executor.
        let (events, checked) = crate::blocking(move || {
            let checked = domain::audit::verify_chain(
                events.iter().map(|stored| (&stored.event, &stored.hash)),
            );
            (events, checked)
        })
        .await?;
        let mut report = match checked {
            Ok(summary)
                if summary.head == head_hash
                    && i64::try_from(summary.events).ok() == Some(head_seq) =>
            {
                AuditReport {
                    events: summary.events,
                    head: summary.head,
                    broken: None,
                    checkpoints: 0,
                    last_checkpoint: None,
                }
            }
            Ok(summary) => AuditReport {
                events: summary.events,
                head: summary.head,
                broken: Some(format!(
                    "the chain head records event {head_seq} but the last stored event is {}",
                    summary.events
                )),
                checkpoints: 0,
                last_checkpoint: None,
            },
            Err(ChainBreak { seq, reason }) => AuditReport {
                events: events.len() as u64,
                head: head_hash,
                broken: Some(format!("event {seq}: {reason}")),
                checkpoints: 0,
                last_checkpoint: None,
            },
        };
        if report.broken.is_some() {
            return Ok(report);
        }
        let checkpoints = db::audit::checkpoints(&self.db).await?;
        let hashes: HashMap<i64, ChainHash> = events
            .iter()
            .map(|stored| (stored.event.seq, stored.hash))
            .collect();
        let roots = Arc::clone(&self.trust_roots);
        let recorded = recorded_checkpoints(&events);
        let (verified, last, broken) =
            blocking(move || check_checkpoints(&checkpoints, &hashes, &recorded, &roots)).await?;
        report.checkpoints = verified;
        report.last_checkpoint = last;
        report.broken = broken;
        Ok(report)
    }
}

/// The (seq, hash) of every `audit.checkpointed` event, with the event's own seq: each must have its
/// stored checkpoint, so deleting a checkpoint row is noticed while the event remains.
fn recorded_checkpoints(events: &[db::audit::StoredAuditEvent]) -> Vec<(i64, i64, String)> {
    let code = AuditAction::AuditCheckpointed.code();
    events
        .iter()
        .filter(|stored| stored.event.action == code)
        .filter_map(|stored| {
            let details: serde_json::Value = serde_json::from_str(&stored.event.details).ok()?;
            Some((
                stored.event.seq,
                details.get("seq")?.as_i64()?,
                details.get("hash")?.as_str()?.to_owned(),
            ))
        })
        .collect()
}

/// Verifies every checkpoint against the chain read back (an intact chain, keyed by seq):
/// returns how many held, the newest that held, and the first failure.
fn check_checkpoints(
    checkpoints: &[db::audit::StoredCheckpoint],
    hashes: &HashMap<i64, ChainHash>,
    recorded: &[(i64, i64, String)],
    roots: &[crypto::Certificate],
) -> (u64, Option<i64>, Option<String>) {
    let mut verified = 0;
    let mut last: Option<i64> = None;
    for checkpoint in checkpoints {
        let name = format!(
            "checkpoint {} (event {}, signed {})",
            checkpoint.id,
            checkpoint.seq,
            checkpoint
                .at
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        );
        let Ok(hash) = ChainHash::from_hex(&checkpoint.hash) else {
            return (
                verified,
                last,
                Some(format!("{name}: its hash is malformed")),
            );
        };
        let text = checkpoint_text(checkpoint.seq, &hash, checkpoint.at);
        if let Err(why) =
            verify_checkpoint_signature(&checkpoint.signature, &text, roots, checkpoint.at)
        {
            return (verified, last, Some(format!("{name}: {why}")));
        }
        match hashes.get(&checkpoint.seq) {
            None => {
                return (
                    verified,
                    last,
                    Some(format!(
                        "{name}: the chain no longer holds event {}: events were removed",
                        checkpoint.seq
                    )),
                );
            }
            Some(stored) if *stored != hash => {
                return (
                    verified,
                    last,
                    Some(format!(
                        "{name}: event {} no longer has the signed hash: the chain was rewritten",
                        checkpoint.seq
                    )),
                );
            }
            Some(_) => {}
        }
        verified += 1;
        last = last.max(Some(checkpoint.seq));
    }
    for (event, seq, hash) in recorded {
        let stored = checkpoints
            .iter()
            .any(|checkpoint| checkpoint.seq == *seq && checkpoint.hash.eq_ignore_ascii_case(hash));
        if !stored {
            return (
                verified,
                last,
                Some(format!(
                    "event {event} records a checkpoint of event {seq} that is no longer stored"
                )),
            );
        }
    }
    (verified, last, None)
}
