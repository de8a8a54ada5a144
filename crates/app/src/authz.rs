//! Authorization: the acting user and the role table that decides what each role may do.
//!
//! Handlers never decide; every use case calls [`Actor::require`] first. Organisation scoping is a
//! second, separate check in each use case: a document of another organisation is reported as not
//! found, so its existence is not revealed.

use domain::ids::{OrganizationId, UserId};
use domain::levels::Secrecy;
use domain::role::Role;
use domain::user::Username;

use crate::{App, Error};

/// The username of the built-in actor of the operator's commands (the audit trail's `system`).
pub(crate) const SYSTEM_USERNAME: &str = "system";

/// The authenticated user on whose behalf a use case runs.
#[derive(Clone, Debug)]
pub struct Actor {
    /// The user's id.
    pub user_id: UserId,
    /// The login name, recorded in audit events.
    pub username: Username,
    /// The person's name, for display.
    pub full_name: String,
    /// The organisation the user acts for.
    pub organization_id: OrganizationId,
    /// The roles held, sorted.
    pub roles: Vec<Role>,
    /// The highest secrecy level the user may see.
    pub clearance: Secrecy,
}

/// An action that needs a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Receive and register incoming documents (Decree 30 Điều 21–22: the clerk).
    ReceiveIncoming,
    /// See the list of incoming documents.
    ListIncoming,
    /// Download a document's file.
    DownloadDocument,
    /// Verify the audit chain.
    VerifyAudit,
    /// See the logged signature checks of a document.
    ViewSignatures,
    /// Validate a stored document's signatures again and log the result.
    ValidateSignatures,
    /// Export the signature log and the audit trail.
    ExportAudit,
    /// Sign a checkpoint of the audit chain with the agency's key.
    CheckpointAudit,
    /// Read back every stored file and check it against its hash (fixity audit).
    VerifyArchive,
    /// Draft, edit and submit an outgoing document (Decree 30 Điều 10).
    DraftOutgoing,
    /// See outgoing documents, their review history and deliveries.
    ViewOutgoing,
    /// Check the content of an outgoing draft (Điều 12.1: the unit head).
    ReviewOutgoingContent,
    /// Check the format of an outgoing draft (Điều 12.2: the clerk).
    ReviewOutgoingFormat,
    /// Approve a reviewed draft for signature, sign it or refuse it (Điều 11, 13).
    SignOutgoing,
    /// Number, seal and issue an outgoing document (Điều 14–15, 18: the clerk).
    IssueOutgoing,
    /// Recall or replace an issued document (Điều 18.3–4).
    RecallOutgoing,
    /// Present a registered incoming document to a leader, or return a received one to its
    /// sender (Decree 30 Điều 21.2, 23.1: the clerk).
    PresentIncoming,
    /// Assign an incoming document to handlers with deadlines, or reassign it (Điều 23.2–4).
    AssignIncoming,
    /// Record progress on an assigned incoming document and close it (Điều 24); the use case
    /// also requires the assignment.
    HandleIncoming,
    /// Print the registers and routing slips (Điều 16.2.b, 22.3.b).
    PrintRegisters,
    /// Make the yearly file plan (danh mục hồ sơ, Decree 30 Điều 28).
    PlanWorkFiles,
    /// Open work files, link and unlink documents, close them (Điều 29: who handles the work).
    KeepWorkFiles,
    /// See the file plan, work files and the hand-over due list.
    ViewWorkFiles,
    /// Receive a closed work file into the agency archive (nộp lưu, Điều 30–31).
    ReceiveHandOver,
    /// Export a closed work file as an archive package.
    ExportPackage,
    /// Import an archive package into the archive.
    ImportPackage,
}

impl Permission {
    /// A stable name for error messages and audit details.
    pub fn name(self) -> &'static str {
        match self {
            Permission::ReceiveIncoming => "receive incoming documents",
            Permission::ListIncoming => "list incoming documents",
            Permission::DownloadDocument => "download documents",
            Permission::VerifyAudit => "verify the audit trail",
            Permission::ViewSignatures => "see signature checks",
            Permission::ValidateSignatures => "validate signatures",
            Permission::ExportAudit => "export the audit trail",
            Permission::CheckpointAudit => "checkpoint the audit trail",
            Permission::VerifyArchive => "verify the archive",
            Permission::DraftOutgoing => "draft outgoing documents",
            Permission::ViewOutgoing => "see outgoing documents",
            Permission::ReviewOutgoingContent => "check the content of outgoing drafts",
            Permission::ReviewOutgoingFormat => "check the format of outgoing drafts",
            Permission::SignOutgoing => "approve and sign outgoing documents",
            Permission::IssueOutgoing => "number, seal and issue outgoing documents",
            Permission::RecallOutgoing => "recall or replace issued documents",
            Permission::PresentIncoming => "present or return incoming documents",
            Permission::AssignIncoming => "assign incoming documents",
            Permission::HandleIncoming => "handle incoming documents",
            Permission::PrintRegisters => "print registers and routing slips",
            Permission::PlanWorkFiles => "make the file plan",
            Permission::KeepWorkFiles => "keep work files",
            Permission::ViewWorkFiles => "see work files",
            Permission::ReceiveHandOver => "receive work files into the archive",
            Permission::ExportPackage => "export archive packages",
            Permission::ImportPackage => "import archive packages",
        }
    }

    /// The roles that hold this permission.
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Permission::ReceiveIncoming => &[Clerk],
            Permission::ListIncoming | Permission::DownloadDocument => {
                &[Clerk, Leader, Officer, Archivist, Auditor]
            }
            Permission::VerifyAudit | Permission::CheckpointAudit => &[Auditor, Admin],
            // The export carries document-derived data (signers, fields, file names); the
            // administrator runs the system but reads no documents.
            Permission::ExportAudit => &[Auditor],
            Permission::ViewSignatures => &[Clerk, Leader, Officer, Archivist, Auditor],
            Permission::ValidateSignatures => &[Clerk, Leader, Auditor],
            // The report names file names of every organisation, as the archive itself does.
            Permission::VerifyArchive => &[Archivist, Auditor, Admin],
            Permission::DraftOutgoing => &[Officer, Clerk, Leader],
            Permission::ViewOutgoing => &[Clerk, Leader, Officer, Archivist, Auditor],
            Permission::ReviewOutgoingContent | Permission::SignOutgoing => &[Leader],
            Permission::ReviewOutgoingFormat | Permission::IssueOutgoing => &[Clerk],
            Permission::RecallOutgoing => &[Leader, Clerk],
            Permission::PresentIncoming => &[Clerk],
            Permission::AssignIncoming => &[Leader],
            Permission::HandleIncoming => &[Officer, Leader],
            Permission::PrintRegisters => &[Clerk, Leader, Archivist, Auditor],
            Permission::PlanWorkFiles => &[Clerk, Leader, Archivist],
            Permission::KeepWorkFiles => &[Officer, Clerk, Leader],
            Permission::ViewWorkFiles => &[Clerk, Leader, Officer, Archivist, Auditor],
            Permission::ReceiveHandOver | Permission::ImportPackage => &[Archivist],
            Permission::ExportPackage => &[Archivist, Clerk],
        }
    }
}

impl Actor {
    /// Whether the actor holds `permission` through any role.
    pub fn may(&self, permission: Permission) -> bool {
        self.roles
            .iter()
            .any(|role| permission.roles().contains(role))
    }

    /// Refuses with `Error::Forbidden` unless the actor holds `permission`.
    ///
    /// # Errors
    /// `Error::Forbidden` naming the action.
    pub fn require(&self, permission: Permission) -> Result<(), Error> {
        if self.may(permission) {
            return Ok(());
        }
        tracing::info!(target: "security", user = %self.username, action = permission.name(), "permission refused");
        Err(Error::Forbidden {
            action: permission.name(),
        })
    }

    /// Whether the actor may see a record of `organization` at `secrecy`.
    pub fn can_see(&self, organization: OrganizationId, secrecy: Secrecy) -> bool {
        organization == self.organization_id && secrecy <= self.clearance
    }
}

impl App {
    /// The built-in `system` actor, with the auditor's rights, acting for one organisation: the
    /// actor of the operator's commands (`vanthu audit export`, `vanthu audit checkpoint`).
    ///
    /// Those commands run on the server, by whoever operates it, with the configuration's database
    /// credentials: that person can already read every table, so the commands grant nothing new;
    /// what they add is that the export and the checkpoint are audited like any other.
    ///
    /// `organization` is an electronic id; without one, the only organisation is meant.
    ///
    /// # Errors
    /// `NotFound` for an unknown electronic id; `Validation` when none is given and there is not
    /// exactly one organisation.
    pub async fn system_actor(&self, organization: Option<&str>) -> Result<Actor, Error> {
        let organization = match organization {
            Some(text) => {
                let electronic_id = domain::organization::ElectronicId::parse(text)
                    .map_err(|error| Error::invalid("organization", error.to_string()))?;
                db::organizations::find_by_electronic_id(&self.db, &electronic_id)
                    .await?
                    .ok_or(Error::NotFound {
                        what: "organization",
                    })?
            }
            None => {
                let mut all = db::organizations::list(&self.db).await?;
                match (all.pop(), all.is_empty()) {
                    (Some(only), true) => only,
                    (None, _) => {
                        return Err(Error::invalid(
                            "organization",
                            "there is no organisation yet",
                        ));
                    }
                    (Some(_), false) => {
                        return Err(Error::invalid(
                            "organization",
                            "there are several organisations: name one by its electronic id",
                        ));
                    }
                }
            }
        };
        Ok(Actor {
            user_id: UserId(0),
            username: Username::parse(SYSTEM_USERNAME).map_err(|error| Error::Internal {
                reason: error.to_string(),
            })?,
            full_name: "Hệ thống".to_owned(),
            organization_id: organization.id,
            roles: vec![Role::Auditor],
            clearance: Secrecy::Normal,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            user_id: UserId(1),
            username: Username::parse("test").unwrap(),
            full_name: "Test".to_owned(),
            organization_id: OrganizationId(1),
            roles: roles.to_vec(),
            clearance: Secrecy::Normal,
        }
    }

    #[test]
    fn only_the_clerk_receives_incoming_documents() {
        for role in Role::ALL {
            let allowed = actor(&[role]).may(Permission::ReceiveIncoming);
            assert_eq!(allowed, role == Role::Clerk, "{role:?}");
        }
    }

    #[test]
    fn the_admin_reads_no_documents() {
        let admin = actor(&[Role::Admin]);
        assert!(!admin.may(Permission::ListIncoming));
        assert!(admin.may(Permission::VerifyAudit));
        assert!(matches!(
            admin.require(Permission::DownloadDocument),
            Err(Error::Forbidden { .. })
        ));
    }

    #[test]
    fn only_auditors_export_and_only_auditors_and_admins_checkpoint() {
        for role in Role::ALL {
            assert_eq!(
                actor(&[role]).may(Permission::ExportAudit),
                role == Role::Auditor
            );
            let operates = matches!(role, Role::Auditor | Role::Admin);
            assert_eq!(actor(&[role]).may(Permission::CheckpointAudit), operates);
        }
        assert!(actor(&[Role::Clerk]).may(Permission::ValidateSignatures));
        assert!(!actor(&[Role::Officer]).may(Permission::ValidateSignatures));
    }

    #[test]
    fn visibility_needs_the_same_organisation_and_enough_clearance() {
        let clerk = actor(&[Role::Clerk]);
        assert!(clerk.can_see(OrganizationId(1), Secrecy::Normal));
        assert!(!clerk.can_see(OrganizationId(2), Secrecy::Normal));
        assert!(!clerk.can_see(OrganizationId(1), Secrecy::Confidential));
    }
}
