//! The fixity audit: every stored file is read back and checked against the hash its documents
//! record, and stored files that no document refers to are listed.
//!
//! The scan reads the database once, then the blob store, without holding a transaction (it may
//! take hours on a large archive); the `archive.verified` event is written in its own short
//! transaction afterwards. Nothing is repaired or deleted: damage is for a person to restore from
//! backup, and unreferenced blobs (left by a crash between writing a file and committing its row)
//! are only reported.

use std::collections::{BTreeMap, BTreeSet};

use domain::audit::AuditAction;
use domain::ids::{OrganizationId, UserId};
use domain::levels::Secrecy;
use domain::role::Role;
use domain::user::Username;
use serde::Serialize;

use crate::audit::AuditRecord;
use crate::authz::SYSTEM_USERNAME;
use crate::{Actor, App, Error, OperationId, Permission, blocking};

/// One stored file that failed the audit, with the documents that refer to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArchiveProblem {
    /// The SHA-256 (hex) the documents record.
    pub sha256: String,
    /// The documents whose file it is, ascending.
    pub document_ids: Vec<i64>,
    /// Their file names, in the same order.
    pub file_names: Vec<String>,
}

/// The outcome of [`App::verify_archive`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ArchiveReport {
    /// How many distinct files documents refer to, all checked.
    pub checked: u64,
    /// How many of them read back with their recorded hash.
    pub ok: u64,
    /// Files that documents refer to but the store does not hold.
    pub missing: Vec<ArchiveProblem>,
    /// Files whose bytes no longer hash to their name.
    pub altered: Vec<ArchiveProblem>,
    /// Stored files no document refers to, by SHA-256; reported, never deleted.
    pub unreferenced: Vec<String>,
}

impl ArchiveReport {
    /// Whether every referenced file is present and unchanged (unreferenced files are no damage).
    pub fn intact(&self) -> bool {
        self.missing.is_empty() && self.altered.is_empty()
    }
}

impl App {
    /// Reads back every file a document refers to, in every organisation, and checks its hash;
    /// then records an `archive.verified` event with the counts.
    ///
    /// `progress` is called with (checked, total) after each file.
    ///
    /// # Errors
    /// `Forbidden` unless an archivist, auditor or administrator; `Unavailable` when the database
    /// or the blob store cannot be read (damage to single files is reported, not an error).
    #[tracing::instrument(skip_all, fields(user = %actor.username))]
    pub async fn verify_archive(
        &self,
        actor: &Actor,
        progress: &(dyn Fn(u64, u64) + Sync),
        operation: &OperationId,
    ) -> Result<ArchiveReport, Error> {
        actor.require(Permission::VerifyArchive)?;
        let references = db::documents::blob_references(&self.db).await?;
        let mut by_blob: BTreeMap<String, (Vec<i64>, Vec<String>)> = BTreeMap::new();
        for reference in references {
            let entry = by_blob.entry(reference.blob_sha256).or_default();
            entry.0.push(reference.document_id.get());
            entry.1.push(reference.file_name);
        }
        let blobs = self.blobs.clone();
        let stored: BTreeSet<String> = blocking(move || blobs.ids())
            .await??
            .into_iter()
            .map(|id| id.as_str().to_owned())
            .collect();

        let referenced: BTreeSet<String> = by_blob.keys().cloned().collect();
        let total = u64::try_from(by_blob.len()).unwrap_or(u64::MAX);
        let mut report = ArchiveReport::default();
        for (sha256, (document_ids, file_names)) in by_blob {
            let outcome = match storage::BlobId::parse(&sha256) {
                Ok(id) => {
                    let blobs = self.blobs.clone();
                    blocking(move || blobs.get(&id).map(drop)).await?
                }
                // A recorded hash that is no hash names no file that could be stored.
                Err(_) => Err(storage::Error::NotFound {
                    id: storage::BlobId::of(sha256.as_bytes()),
                }),
            };
            let problem = || ArchiveProblem {
                sha256: sha256.clone(),
                document_ids: document_ids.clone(),
                file_names: file_names.clone(),
            };
            match outcome {
                Ok(()) => report.ok += 1,
                Err(storage::Error::NotFound { .. } | storage::Error::InvalidId { .. }) => {
                    tracing::error!(sha256, "archived file is missing");
                    report.missing.push(problem());
                }
                Err(storage::Error::Corrupt { .. }) => {
                    tracing::error!(sha256, "archived file failed its fixity check");
                    report.altered.push(problem());
                }
                Err(error @ storage::Error::Io { .. }) => return Err(error.into()),
            }
            report.checked += 1;
            progress(report.checked, total);
        }
        report.unreferenced = stored.difference(&referenced).cloned().collect();

        let at = self.clock.now();
        let tx = self.db.begin_write().await?;
        self.record(
            &tx,
            AuditRecord {
                organization_id: None,
                actor: actor.username.as_str(),
                action: AuditAction::ArchiveVerified,
                target: "archive",
                details: serde_json::json!({
                    "checked": report.checked,
                    "ok": report.ok,
                    "missing": report.missing.len(),
                    "altered": report.altered.len(),
                    "unreferenced": report.unreferenced.len(),
                }),
            },
            at,
            operation,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(
            checked = report.checked,
            missing = report.missing.len(),
            altered = report.altered.len(),
            "archive verified"
        );
        Ok(report)
    }

    /// [`App::verify_archive`] as the built-in `system` actor, for `vanthu archive verify`: the
    /// operator of the server, who can already read every file (see [`App::system_actor`]).
    ///
    /// The audit spans every organisation, so the actor acts for none in particular.
    ///
    /// # Errors
    /// As [`App::verify_archive`].
    pub async fn verify_archive_as_system(
        &self,
        progress: &(dyn Fn(u64, u64) + Sync),
        operation: &OperationId,
    ) -> Result<ArchiveReport, Error> {
        let actor = Actor {
            user_id: UserId(0),
            username: Username::parse(SYSTEM_USERNAME).map_err(|error| Error::Internal {
                reason: error.to_string(),
            })?,
            full_name: "Hệ thống".to_owned(),
            // No organisation has id 0; the archive audit reads no organisation's records as such.
            organization_id: OrganizationId(0),
            roles: vec![Role::Archivist],
            clearance: Secrecy::Normal,
        };
        self.verify_archive(&actor, progress, operation).await
    }
}
