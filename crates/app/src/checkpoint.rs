//! Signed checkpoints of the audit chain.
//!
//! The hash chain proves that no event was changed in place, but someone who can write the database
//! can delete the newest events, recompute nothing and rewind `audit_head` to the new last event:
//! the chain then verifies. A checkpoint closes that gap: the agency's key signs the statement
//! "event `seq` has hash `hash`" as a detached CMS (RFC 5652) over the canonical text
//!
//! ```text
//! vanthu-audit-checkpoint-v1
//! seq=N
//! hash=64 HEX DIGITS
//! at=RFC 3339 TIME IN UTC
//! ```
//!
//! (lines joined by `\n`, no final newline), and `verify_audit_chain` checks that every checkpoint's
//! signature verifies, that its signer chains to a configured trust root at the checkpoint's time,
//! and that the chain still holds event `seq` with exactly `hash`. Without the key, a cut below a
//! checkpoint cannot be hidden. Events after the last checkpoint are protected by the head row
//! only, so checkpoints are taken regularly (a daily `vanthu audit checkpoint`).

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use domain::audit::{AuditAction, ChainHash};
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::audit::AuditRecord;
use crate::signing::{KeySource, load_signer, signing_error};
use crate::{Actor, App, Error, OperationId, Permission, blocking};

/// The tag that starts every checkpoint text; a new encoding gets a new tag.
const CHECKPOINT_TAG: &str = "vanthu-audit-checkpoint-v1";

/// A checkpoint just made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The checkpointed event.
    pub seq: i64,
    /// Its hash.
    pub hash: ChainHash,
    /// When the checkpoint was signed.
    pub at: OffsetDateTime,
    /// The signer's subject.
    pub signer: String,
}

impl App {
    /// Signs the current head of the audit chain with the agency's key and stores the checkpoint,
    /// with an `audit.checkpointed` event.
    ///
    /// The head is read, then signed outside any transaction (a token may be slow); the statement
    /// stays true however many events are appended meanwhile.
    ///
    /// # Errors
    /// `Forbidden` unless an auditor or administrator; `Validation` when the chain is empty;
    /// `Signing` when the key cannot be opened or its certificate does not chain to a configured
    /// trust root (a checkpoint nobody could verify is refused).
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn checkpoint_audit(
        &self,
        actor: &Actor,
        key: KeySource,
        operation: &OperationId,
    ) -> Result<Checkpoint, Error> {
        actor.require(Permission::CheckpointAudit)?;
        let (seq, hash) = db::audit::head(&self.db).await?;
        if seq == 0 {
            return Err(Error::invalid(
                "audit",
                "the audit trail is empty: there is nothing to checkpoint",
            ));
        }
        let at = self.clock.now();
        let text = checkpoint_text(seq, &hash, at);
        let roots = Arc::clone(&self.trust_roots);
        let (cms, signer) = blocking(move || sign_checkpoint(&key, &text, &roots, at)).await??;
        let signature = BASE64.encode(&cms);

        let tx = self.db.begin_write().await?;
        db::audit::insert_checkpoint(
            &tx,
            db::audit::NewCheckpoint {
                seq,
                hash,
                at,
                signature: &signature,
                signer_subject: &signer,
            },
        )
        .await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: None,
                actor: actor.username.as_str(),
                action: AuditAction::AuditCheckpointed,
                target: &format!("audit:{seq}"),
                details: serde_json::json!({ "seq": seq, "hash": hash.to_hex(), "signer": signer }),
            },
            at,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(seq, "audit chain checkpointed");
        Ok(Checkpoint {
            seq,
            hash,
            at,
            signer,
        })
    }
}

/// The canonical text a checkpoint signs.
pub(crate) fn checkpoint_text(seq: i64, hash: &ChainHash, at: OffsetDateTime) -> String {
    let at = at
        .to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default();
    format!(
        "{CHECKPOINT_TAG}\nseq={seq}\nhash={}\nat={at}",
        hash.to_hex()
    )
}

/// Signs `text` as a detached CMS with the key of `source`, after checking its certificate.
fn sign_checkpoint(
    source: &KeySource,
    text: &str,
    roots: &[crypto::Certificate],
    at: OffsetDateTime,
) -> Result<(Vec<u8>, String), Error> {
    let signer = load_signer(source, crypto::SignaturePreference::sha256())?;
    let certificate = signer.certificate();
    crypto::check_signing_certificate(certificate, signer.chain(), roots, at)
        .map_err(signing_error)?;
    let algorithm = signer.algorithm();
    let digest = crypto::digest(algorithm.hash(), [text.as_bytes()]);
    let attributes =
        crypto::signed_attributes(&digest, algorithm.hash(), certificate).map_err(signing_error)?;
    let signature = signer.sign(&attributes).map_err(signing_error)?;
    let cms = crypto::assemble_signed_data(
        &attributes,
        &signature,
        algorithm,
        certificate,
        signer.chain(),
    )
    .map_err(signing_error)?;
    let subject = certificate
        .summary()
        .map(|summary| summary.subject)
        .map_err(signing_error)?;
    Ok((cms, subject))
}

/// Checks a stored checkpoint's signature over its text; `Err` says why it does not hold.
///
/// The CMS must parse, its signature must verify over its signed attributes, its message digest
/// must be the digest of `text`, and its signer must chain to `roots` at `at`.
pub(crate) fn verify_checkpoint_signature(
    signature_base64: &str,
    text: &str,
    roots: &[crypto::Certificate],
    at: OffsetDateTime,
) -> Result<(), String> {
    let der = BASE64
        .decode(signature_base64.trim())
        .map_err(|_| "its signature is not base64".to_owned())?;
    let cms =
        crypto::parse_cms(&der).map_err(|error| format!("its signature is unreadable: {error}"))?;
    match cms.verify_signature() {
        Ok(true) => {}
        Ok(false) => return Err("its signature does not verify".to_owned()),
        Err(error) => return Err(format!("its signature cannot be checked: {error}")),
    }
    let expected = crypto::digest(cms.digest_algorithm(), [text.as_bytes()]);
    if cms.message_digest() != Some(expected.as_slice()) {
        return Err("its signature covers another statement".to_owned());
    }
    let Some(signer) = cms.signer_certificate() else {
        return Err("its signature names no certificate".to_owned());
    };
    crypto::check_signing_certificate(signer, cms.certificates(), roots, at)
        .map_err(|error| format!("its signer is not trusted: {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_checkpoint_text_is_fixed_and_in_utc() {
        let hash = ChainHash::from_bytes([0xab; 32]);
        let at = time::macros::datetime!(2026-03-15 09:00:00.000123 +07:00);
        assert_eq!(
            checkpoint_text(42, &hash, at),
            format!(
                "vanthu-audit-checkpoint-v1\nseq=42\nhash={}\nat=2026-03-15T02:00:00.000123Z",
                "ab".repeat(32)
            )
        );
    }
}
