//! The tamper-evident audit trail: events chained by SHA-256.
//!
//! Decree 30/2020 requires the system to log who did what to which document (Phụ lục VI §III,
//! for example the recall log of §III.8), and an auditor must be able to trust that log. Each
//! event stores the hash of the previous one, so deleting, inserting, reordering or editing a row
//! breaks the chain at that row, and [`verify_chain`] finds where. The encoding is fixed here and
//! versioned by its tag, because stored hashes must stay verifiable for the life of the archive.

use std::fmt;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::error::{ParseError, parse_code};

/// The domain-separation tag that starts every hashed event; a new encoding gets a new tag.
const HASH_TAG: &[u8] = b"vanthu-audit-v1";

/// A SHA-256 hash in the audit chain.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChainHash([u8; 32]);

impl ChainHash {
    /// The `prev_hash` of the first event: 32 zero bytes.
    pub const GENESIS: ChainHash = ChainHash([0; 32]);

    /// Wraps raw hash bytes, for example as read from the database.
    pub fn from_bytes(bytes: [u8; 32]) -> ChainHash {
        ChainHash(bytes)
    }

    /// The raw hash bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The hash as 64 lowercase hexadecimal digits.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hexadecimal digits, in either case.
    ///
    /// # Errors
    /// Returns a [`ParseError`] when the text is not exactly 64 hexadecimal digits.
    pub fn from_hex(text: &str) -> Result<ChainHash, ParseError> {
        let mut bytes = [0; 32];
        match hex::decode_to_slice(text, &mut bytes) {
            Ok(()) => Ok(ChainHash(bytes)),
            Err(_) => Err(ParseError::new(
                "chain hash",
                text,
                "must be 64 hexadecimal digits",
            )),
        }
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({})", self.to_hex())
    }
}

/// One entry of the audit trail, as stored (without its own hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    /// Position in the chain: 1 for the first event, then consecutive.
    pub seq: i64,
    /// When it happened. Only whole microseconds are hashed (see [`AuditEvent::hash`]).
    pub at: OffsetDateTime,
    /// The username of the person who acted, or `"system"`.
    pub actor: String,
    /// A stable action code, for example `"auth.login"` (see [`AuditAction`]).
    pub action: String,
    /// What was acted on, for example `"document:12"`.
    pub target: String,
    /// JSON text produced by the caller; hashed as opaque bytes, so it must be stored verbatim.
    pub details: String,
    /// The stored hash of the previous event, or [`ChainHash::GENESIS`] for the first.
    pub prev_hash: ChainHash,
}

impl AuditEvent {
    /// The hash of this event, which the next event stores as its `prev_hash`.
    ///
    /// SHA-256 over the ASCII tag `vanthu-audit-v1` followed by seven fields, each written as its
    /// length in bytes (u64, big-endian) and then its bytes:
    /// 1. `seq` as an i64, big-endian (8 bytes);
    /// 2. `at` as whole microseconds since the Unix epoch, rounded down, as an i64, big-endian;
    /// 3. to 6. `actor`, `action`, `target`, `details` as UTF-8;
    /// 7. `prev_hash`, 32 bytes.
    ///
    /// Length prefixes make the encoding unambiguous, so moving text between fields changes the
    /// hash.
    pub fn hash(&self) -> ChainHash {
        let mut hasher = Sha256::new();
        hasher.update(HASH_TAG);
        update_field(&mut hasher, &self.seq.to_be_bytes());
        update_field(&mut hasher, &unix_micros(self.at).to_be_bytes());
        update_field(&mut hasher, self.actor.as_bytes());
        update_field(&mut hasher, self.action.as_bytes());
        update_field(&mut hasher, self.target.as_bytes());
        update_field(&mut hasher, self.details.as_bytes());
        update_field(&mut hasher, &self.prev_hash.0);
        ChainHash(hasher.finalize().into())
    }
}

/// What a successful [`verify_chain`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainSummary {
    /// How many events were verified.
    pub events: u64,
    /// The stored hash of the last event, or [`ChainHash::GENESIS`] for an empty chain; the next
    /// event's `prev_hash`.
    pub head: ChainHash,
}

/// Where and why an audit chain does not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("audit chain broken at seq {seq}: {reason}")]
pub struct ChainBreak {
    /// The `seq` of the first event that fails, as stored.
    pub seq: i64,
    /// Which check failed.
    pub reason: ChainBreakReason,
}

/// The check that an event of the chain fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreakReason {
    /// The event's `seq` is not the next number: an event was deleted, inserted or renumbered.
    #[error("expected seq {expected}")]
    SeqGap {
        /// The `seq` the event should have had.
        expected: i64,
    },
    /// The event's `prev_hash` is not the stored hash of the event before it.
    #[error("prev_hash does not match the previous event's hash")]
    PrevHashMismatch,
    /// The stored hash is not the hash of the event: a field or the hash was changed.
    #[error("stored hash does not match the event")]
    HashMismatch,
}

/// Verifies an audit chain given in `seq` order, each event with its stored hash.
///
/// The chain must start at `seq` 1 with `prev_hash` [`ChainHash::GENESIS`], continue without gaps,
/// link each `prev_hash` to the previous stored hash, and have each stored hash equal to the
/// recomputed [`AuditEvent::hash`].
///
/// # Errors
/// Returns a [`ChainBreak`] for the first event that fails a check.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = (&'a AuditEvent, &'a ChainHash)>,
) -> Result<ChainSummary, ChainBreak> {
    let mut summary = ChainSummary {
        events: 0,
        head: ChainHash::GENESIS,
    };
    for (expected_seq, (event, stored_hash)) in (1_i64..).zip(events) {
        let broken = |reason| ChainBreak {
            seq: event.seq,
            reason,
        };
        if event.seq != expected_seq {
            return Err(broken(ChainBreakReason::SeqGap {
                expected: expected_seq,
            }));
        }
        if event.prev_hash != summary.head {
            return Err(broken(ChainBreakReason::PrevHashMismatch));
        }
        if event.hash() != *stored_hash {
            return Err(broken(ChainBreakReason::HashMismatch));
        }
        summary = ChainSummary {
            events: summary.events + 1,
            head: *stored_hash,
        };
    }
    Ok(summary)
}

/// The actions the system records, with their stable codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    /// A user logged in.
    LoginSucceeded,
    /// A login attempt failed.
    LoginFailed,
    /// A user logged out.
    Logout,
    /// An incoming document was received (Điều 21).
    IncomingReceived,
    /// A user downloaded a document file.
    DocumentDownloaded,
    /// An administrator created a user.
    UserCreated,
    /// An administrator created an organisation.
    OrganizationCreated,
    /// Demo data was loaded.
    DemoSeeded,
    /// A stored document's signatures were validated again and logged.
    SignatureValidated,
    /// An auditor exported the signature log or the audit trail.
    AuditExported,
    /// The chain head was signed as a checkpoint.
    AuditCheckpointed,
    /// Every stored file was read back and checked against its hash (fixity audit).
    ArchiveVerified,
    /// A yearly file plan (danh mục hồ sơ) was created.
    FilePlanCreated,
    /// A work file (hồ sơ) was opened.
    WorkFileOpened,
    /// A document was linked to a work file.
    WorkFileDocumentLinked,
    /// A document was unlinked from a work file.
    WorkFileDocumentUnlinked,
    /// A work file was closed.
    WorkFileClosed,
    /// A work file was handed over to the archive (nộp lưu).
    WorkFileHandedOver,
    /// A work file was exported as an archive package.
    ArchivePackageExported,
    /// An archive package was imported, its fixity checked.
    ArchivePackageImported,
    /// An incoming document was presented to a leader (Điều 23.1).
    IncomingPresented,
    /// A leader assigned the handling of an incoming document (Điều 23.2–4).
    IncomingAssigned,
    /// A leader changed the assignment of an incoming document.
    IncomingReassigned,
    /// A handler recorded progress on an incoming document (Điều 24).
    IncomingProgressNoted,
    /// The lead handler closed an incoming document as handled.
    IncomingCompleted,
    /// An incoming document was returned to its sender (Điều 21.2).
    IncomingReturned,
    /// The sender recalled an incoming document; it awaits the receiver's answer.
    IncomingRecallRequested,
    /// The receiver accepted a recall: the file is withdrawn, the metadata kept (Điều 18.4).
    IncomingRecallAccepted,
    /// The receiver refused a recall; the document went back to its previous state.
    IncomingRecallRefused,
    /// An outgoing draft was created (Điều 10).
    OutgoingDrafted,
    /// An outgoing document was submitted, reviewed, approved, returned or refused.
    OutgoingAdvanced,
    /// An outgoing document was signed by its signer or sealed by the agency.
    OutgoingSigned,
    /// An outgoing document took its number and date from the register (Điều 15).
    OutgoingNumbered,
    /// An outgoing document was issued and delivered (Điều 18.1).
    OutgoingIssued,
    /// An issued document was recalled or replaced (Điều 18.3–4).
    OutgoingRecalled,
    /// A document or status was exported as an edXML package.
    EdxmlExported,
    /// An edXML package was imported.
    EdxmlImported,
    /// A user saved a search under a name.
    SearchSaved,
    /// A user deleted one of their saved searches.
    SearchDeleted,
    /// A list of search results was exported (CSV).
    SearchExported,
    /// OCR of a scanned document ended (its text derivative stored, or the failure recorded).
    DocumentTextRecognized,
}

impl AuditAction {
    /// Every action.
    pub const ALL: [AuditAction; 41] = [
        AuditAction::LoginSucceeded,
        AuditAction::LoginFailed,
        AuditAction::Logout,
        AuditAction::IncomingReceived,
        AuditAction::DocumentDownloaded,
        AuditAction::UserCreated,
        AuditAction::OrganizationCreated,
        AuditAction::DemoSeeded,
        AuditAction::SignatureValidated,
        AuditAction::AuditExported,
        AuditAction::AuditCheckpointed,
        AuditAction::ArchiveVerified,
        AuditAction::FilePlanCreated,
        AuditAction::WorkFileOpened,
        AuditAction::WorkFileDocumentLinked,
        AuditAction::WorkFileDocumentUnlinked,
        AuditAction::WorkFileClosed,
        AuditAction::WorkFileHandedOver,
        AuditAction::ArchivePackageExported,
        AuditAction::ArchivePackageImported,
        AuditAction::IncomingPresented,
        AuditAction::IncomingAssigned,
        AuditAction::IncomingReassigned,
        AuditAction::IncomingProgressNoted,
        AuditAction::IncomingCompleted,
        AuditAction::IncomingReturned,
        AuditAction::IncomingRecallRequested,
        AuditAction::IncomingRecallAccepted,
        AuditAction::IncomingRecallRefused,
        AuditAction::OutgoingDrafted,
        AuditAction::OutgoingAdvanced,
        AuditAction::OutgoingSigned,
        AuditAction::OutgoingNumbered,
        AuditAction::OutgoingIssued,
        AuditAction::OutgoingRecalled,
        AuditAction::EdxmlExported,
        AuditAction::EdxmlImported,
        AuditAction::SearchSaved,
        AuditAction::SearchDeleted,
        AuditAction::SearchExported,
        AuditAction::DocumentTextRecognized,
    ];

    /// The stable code stored in [`AuditEvent::action`].
    pub fn code(self) -> &'static str {
        match self {
            AuditAction::LoginSucceeded => "auth.login",
            AuditAction::LoginFailed => "auth.login_failed",
            AuditAction::Logout => "auth.logout",
            AuditAction::IncomingReceived => "incoming.received",
            AuditAction::DocumentDownloaded => "document.downloaded",
            AuditAction::UserCreated => "user.created",
            AuditAction::OrganizationCreated => "organization.created",
            AuditAction::DemoSeeded => "demo.seeded",
            AuditAction::SignatureValidated => "signature.validated",
            AuditAction::AuditExported => "audit.exported",
            AuditAction::AuditCheckpointed => "audit.checkpointed",
            AuditAction::ArchiveVerified => "archive.verified",
            AuditAction::FilePlanCreated => "file_plan.created",
            AuditAction::WorkFileOpened => "work_file.opened",
            AuditAction::WorkFileDocumentLinked => "work_file.document_linked",
            AuditAction::WorkFileDocumentUnlinked => "work_file.document_unlinked",
            AuditAction::WorkFileClosed => "work_file.closed",
            AuditAction::WorkFileHandedOver => "work_file.handed_over",
            AuditAction::ArchivePackageExported => "archive.package_exported",
            AuditAction::ArchivePackageImported => "archive.package_imported",
            AuditAction::IncomingPresented => "incoming.presented",
            AuditAction::IncomingAssigned => "incoming.assigned",
            AuditAction::IncomingReassigned => "incoming.reassigned",
            AuditAction::IncomingProgressNoted => "incoming.progress_noted",
            AuditAction::IncomingCompleted => "incoming.completed",
            AuditAction::IncomingReturned => "incoming.returned",
            AuditAction::IncomingRecallRequested => "incoming.recall_requested",
            AuditAction::IncomingRecallAccepted => "incoming.recall_accepted",
            AuditAction::IncomingRecallRefused => "incoming.recall_refused",
            AuditAction::OutgoingDrafted => "outgoing.drafted",
            AuditAction::OutgoingAdvanced => "outgoing.advanced",
            AuditAction::OutgoingSigned => "outgoing.signed",
            AuditAction::OutgoingNumbered => "outgoing.numbered",
            AuditAction::OutgoingIssued => "outgoing.issued",
            AuditAction::OutgoingRecalled => "outgoing.recalled",
            AuditAction::EdxmlExported => "edxml.exported",
            AuditAction::EdxmlImported => "edxml.imported",
            AuditAction::SearchSaved => "search.saved",
            AuditAction::SearchDeleted => "search.deleted",
            AuditAction::SearchExported => "search.exported",
            AuditAction::DocumentTextRecognized => "document.text_recognized",
        }
    }

    /// Parses a code produced by [`AuditAction::code`].
    ///
    /// # Errors
    /// Returns a [`ParseError`] when `code` is not exactly one of the action codes.
    pub fn parse(code: &str) -> Result<AuditAction, ParseError> {
        parse_code("audit action", &AuditAction::ALL, AuditAction::code, code)
    }
}

/// Feeds one length-prefixed field to the hasher.
fn update_field(hasher: &mut Sha256, bytes: &[u8]) {
    // A usize always fits in a u64 on the platforms Rust supports.
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

/// Whole microseconds since the Unix epoch, rounded down.
///
/// Databases keep timestamps to the microsecond (PostgreSQL `timestamptz`, and our SQLite
/// encoding), so an event read back has lost its nanoseconds; hashing only microseconds makes the
/// hash survive that round trip. The value fits an i64 for every date `time` represents without
/// its `large-dates` feature; beyond ±292,000 years it saturates.
fn unix_micros(at: OffsetDateTime) -> i64 {
    let micros = at.unix_timestamp_nanos().div_euclid(1_000);
    match i64::try_from(micros) {
        Ok(micros) => micros,
        Err(_) if micros < 0 => i64::MIN,
        Err(_) => i64::MAX,
    }
}

#[cfg(test)]
mod tests {
    use time::Duration;
    use time::macros::datetime;

    use super::*;

    /// A chain of `n` events with their stored hashes.
    fn chain(n: i64) -> Vec<(AuditEvent, ChainHash)> {
        let mut events = Vec::new();
        let mut prev_hash = ChainHash::GENESIS;
        for seq in 1..=n {
            let event = AuditEvent {
                seq,
                at: datetime!(2025-03-05 01:02:03.456789 UTC) + Duration::minutes(seq),
                actor: if seq == 1 { "system" } else { "vanthu" }.to_owned(),
                action: AuditAction::ALL[seq as usize % 8].code().to_owned(),
                target: format!("document:{seq}"),
                details: format!(r#"{{"n":{seq},"note":"Công văn số {seq}"}}"#),
                prev_hash,
            };
            prev_hash = event.hash();
            events.push((event, prev_hash));
        }
        events
    }

    fn verify(events: &[(AuditEvent, ChainHash)]) -> Result<ChainSummary, ChainBreak> {
        verify_chain(events.iter().map(|(event, hash)| (event, hash)))
    }

    #[test]
    fn a_chain_of_five_verifies() {
        let events = chain(5);
        assert_eq!(
            verify(&events),
            Ok(ChainSummary {
                events: 5,
                head: events[4].1
            })
        );
    }

    #[test]
    fn an_empty_chain_verifies_to_genesis() {
        assert_eq!(
            verify(&[]),
            Ok(ChainSummary {
                events: 0,
                head: ChainHash::GENESIS
            })
        );
    }

    #[test]
    fn tampering_with_any_field_breaks_the_chain_at_that_event() {
        type Tamper = fn(&mut AuditEvent, &mut ChainHash);
        let check = |tamper: Tamper, expected: fn(i64) -> ChainBreak| {
            for i in 0..5 {
                let mut events = chain(5);
                let (event, hash) = &mut events[i];
                tamper(event, hash);
                assert_eq!(
                    verify(&events),
                    Err(expected(i as i64 + 1)),
                    "event {}",
                    i + 1
                );
            }
        };
        let hash_mismatch = |seq| ChainBreak {
            seq,
            reason: ChainBreakReason::HashMismatch,
        };
        check(|e, _| e.actor.push('x'), hash_mismatch);
        check(|e, _| e.action = "auth.logout2".to_owned(), hash_mismatch);
        check(|e, _| e.target = "document:99".to_owned(), hash_mismatch);
        check(|e, _| e.details.insert(0, ' '), hash_mismatch);
        check(|e, _| e.at += Duration::microseconds(1), hash_mismatch);
        check(|e, _| e.at -= Duration::days(365), hash_mismatch);
        check(|_, h| h.0[31] ^= 1, hash_mismatch);
        check(
            |e, _| e.prev_hash.0[0] ^= 0x80,
            |seq| ChainBreak {
                seq,
                reason: ChainBreakReason::PrevHashMismatch,
            },
        );
        check(
            |e, _| e.seq += 10,
            |seq| ChainBreak {
                seq: seq + 10,
                reason: ChainBreakReason::SeqGap { expected: seq },
            },
        );
    }

    #[test]
    fn recomputing_a_tampered_hash_breaks_the_next_link() {
        let mut events = chain(5);
        events[2].0.actor = "quantri".to_owned();
        events[2].1 = events[2].0.hash();
        assert_eq!(
            verify(&events),
            Err(ChainBreak {
                seq: 4,
                reason: ChainBreakReason::PrevHashMismatch
            })
        );
    }

    #[test]
    fn deleted_reordered_and_shifted_events_are_found() {
        let check = |events: Vec<(AuditEvent, ChainHash)>, seq: i64, expected: i64| {
            assert_eq!(
                verify(&events),
                Err(ChainBreak {
                    seq,
                    reason: ChainBreakReason::SeqGap { expected }
                })
            );
        };
        let mut deleted = chain(5);
        deleted.remove(2);
        check(deleted, 4, 3);
        let mut swapped = chain(5);
        swapped.swap(1, 3);
        check(swapped, 4, 2);
        let mut without_first = chain(5);
        without_first.remove(0);
        check(without_first, 2, 1);
    }

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let (mut event, hash) = chain(1).remove(0);
        event.actor = "system".to_owned();
        event.action = "auth.login".to_owned();
        let original = event.hash();
        event.actor = "systemauth".to_owned();
        event.action = ".login".to_owned();
        assert_ne!(event.hash(), original);
        assert_ne!(hash, ChainHash::GENESIS);
    }

    #[test]
    fn hash_ignores_sub_microsecond_precision() {
        let (mut event, _) = chain(1).remove(0);
        event.at = datetime!(2025-03-05 01:02:03.123456 UTC);
        let stored = event.hash();
        event.at = datetime!(2025-03-05 01:02:03.123456999 UTC);
        assert_eq!(event.hash(), stored);
        event.at = datetime!(2025-03-05 08:02:03.123456 +07:00);
        assert_eq!(event.hash(), stored);
        event.at = datetime!(2025-03-05 01:02:03.123457 UTC);
        assert_ne!(event.hash(), stored);
    }

    #[test]
    fn unix_micros_rounds_down() {
        let check = |at: OffsetDateTime, expected: i64| assert_eq!(unix_micros(at), expected);
        check(datetime!(1970-01-01 00:00 UTC), 0);
        check(datetime!(1970-01-01 00:00:00.000001999 UTC), 1);
        check(datetime!(1969-12-31 23:59:59.999999500 UTC), -1);
        check(
            datetime!(2025-03-05 01:02:03.456789 UTC),
            1_741_136_523_456_789,
        );
    }

    /// Pins the encoding: the expected digest was computed independently with Python's hashlib.
    #[test]
    fn hash_encoding_is_stable() {
        let event = AuditEvent {
            seq: 1,
            at: datetime!(2025-03-05 01:02:03.456789 UTC),
            actor: "vanthu".to_owned(),
            action: "auth.login".to_owned(),
            target: "user:1".to_owned(),
            details: r#"{"ip":"127.0.0.1"}"#.to_owned(),
            prev_hash: ChainHash::GENESIS,
        };
        assert_eq!(event.hash().to_hex(), EXPECTED_HASH);
    }

    const EXPECTED_HASH: &str = "5958541aa9e87ffb649761505721e349db301bd4a683ccada58fb828961d7fa0";

    #[test]
    fn chain_hash_hex() {
        let hash = chain(1)[0].1;
        let hex = hash.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(hash.to_string(), hex);
        assert_eq!(ChainHash::from_hex(&hex), Ok(hash));
        assert_eq!(ChainHash::from_hex(&hex.to_uppercase()), Ok(hash));
        assert_eq!(ChainHash::GENESIS.to_hex(), "0".repeat(64));
        assert_eq!(ChainHash::from_bytes(*hash.as_bytes()), hash);
        assert_eq!(
            format!("{:?}", ChainHash::GENESIS),
            format!("ChainHash({})", "0".repeat(64))
        );
        for bad in [
            "",
            "00",
            &"0".repeat(63),
            &"0".repeat(65),
            &"g".repeat(64),
            &format!(" {}", &hex[1..]),
        ] {
            let error = ChainHash::from_hex(bad).unwrap_err();
            assert_eq!((error.kind(), error.value()), ("chain hash", bad));
        }
    }

    #[test]
    fn audit_action_codes() {
        let check = |action: AuditAction, code: &str| {
            assert_eq!(action.code(), code);
            assert_eq!(AuditAction::parse(code), Ok(action));
        };
        check(AuditAction::LoginSucceeded, "auth.login");
        check(AuditAction::LoginFailed, "auth.login_failed");
        check(AuditAction::Logout, "auth.logout");
        check(AuditAction::IncomingReceived, "incoming.received");
        check(AuditAction::DocumentDownloaded, "document.downloaded");
        check(AuditAction::UserCreated, "user.created");
        check(AuditAction::OrganizationCreated, "organization.created");
        check(AuditAction::DemoSeeded, "demo.seeded");
        check(AuditAction::SignatureValidated, "signature.validated");
        check(AuditAction::AuditExported, "audit.exported");
        check(AuditAction::AuditCheckpointed, "audit.checkpointed");
        check(AuditAction::ArchiveVerified, "archive.verified");
        assert_eq!(
            AuditAction::parse("auth").unwrap_err().kind(),
            "audit action"
        );
    }

    #[test]
    fn break_messages() {
        let check = |reason: ChainBreakReason, expected: &str| {
            assert_eq!(ChainBreak { seq: 7, reason }.to_string(), expected);
        };
        check(
            ChainBreakReason::SeqGap { expected: 6 },
            "audit chain broken at seq 7: expected seq 6",
        );
        check(
            ChainBreakReason::PrevHashMismatch,
            "audit chain broken at seq 7: prev_hash does not match the previous event's hash",
        );
        check(
            ChainBreakReason::HashMismatch,
            "audit chain broken at seq 7: stored hash does not match the event",
        );
    }
}
