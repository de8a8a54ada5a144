//! Authorization: the acting user and the role table that decides what each role may do.
//!
//! Handlers never decide; every use case calls [`Actor::require`] first. Organisation scoping is a
//! second, separate check in each use case: a document of another organisation is reported as not
//! found, so its existence is not revealed.

use domain::ids::{OrganizationId, UserId};
use domain::levels::Secrecy;
use domain::role::Role;
use domain::user::Username;

use crate::Error;

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
}

impl Permission {
    /// A stable name for error messages and audit details.
    pub fn name(self) -> &'static str {
        match self {
            Permission::ReceiveIncoming => "receive incoming documents",
            Permission::ListIncoming => "list incoming documents",
            Permission::DownloadDocument => "download documents",
            Permission::VerifyAudit => "verify the audit trail",
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
            Permission::VerifyAudit => &[Auditor, Admin],
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
    fn visibility_needs_the_same_organisation_and_enough_clearance() {
        let clerk = actor(&[Role::Clerk]);
        assert!(clerk.can_see(OrganizationId(1), Secrecy::Normal));
        assert!(!clerk.can_see(OrganizationId(2), Secrecy::Normal));
        assert!(!clerk.can_see(OrganizationId(1), Secrecy::Confidential));
    }
}
