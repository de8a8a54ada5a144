//! The roles a user can hold in the document office.
//!
//! Decree 30/2020 (Điều 3, 14, 20–24) splits clerical work between the clerk (văn thư), the leader
//! who directs and signs, and the officers who draft and handle documents; archiving and checking
//! are separate duties. Authorization in `app` is decided on these roles, so their codes are stable.

use crate::error::{ParseError, parse_code};

/// A role a user holds; a user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Văn thư: receives, registers, numbers, seals and issues documents (Điều 14, 21–22).
    Clerk,
    /// Lãnh đạo: directs the handling of incoming documents and signs outgoing ones (Điều 13, 23).
    Leader,
    /// Chuyên viên: drafts outgoing documents and handles incoming ones (Điều 10, 24).
    Officer,
    /// Lưu trữ: keeps record files and hands them over to the archive (Điều 28–31).
    Archivist,
    /// Kiểm tra: reads the audit trail and signature reports, changes nothing.
    Auditor,
    /// Quản trị: manages users, organisations and configuration.
    Admin,
}

impl Role {
    /// Every role, in declaration order.
    pub const ALL: [Role; 6] = [
        Role::Clerk,
        Role::Leader,
        Role::Officer,
        Role::Archivist,
        Role::Auditor,
        Role::Admin,
    ];

    /// The stable machine code, as stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Leader => "leader",
            Role::Officer => "officer",
            Role::Archivist => "archivist",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    /// Parses a code produced by [`Role::code`].
    ///
    /// # Errors
    /// Returns a [`ParseError`] when `code` is not exactly one of the role codes.
    pub fn parse(code: &str) -> Result<Role, ParseError> {
        parse_code("role", &Role::ALL, Role::code, code)
    }

    /// The Vietnamese label shown in the user interface.
    pub fn label_vi(self) -> &'static str {
        match self {
            Role::Clerk => "Văn thư",
            Role::Leader => "Lãnh đạo",
            Role::Officer => "Chuyên viên",
            Role::Archivist => "Lưu trữ",
            Role::Auditor => "Kiểm tra",
            Role::Admin => "Quản trị",
        }
    }

    /// The username of the demo account that holds this role.
    pub fn demo_username(self) -> &'static str {
        match self {
            Role::Clerk => "vanthu",
            Role::Leader => "lanhdao",
            Role::Officer => "chuyenvien",
            Role::Archivist => "luutru",
            Role::Auditor => "kiemtra",
            Role::Admin => "quantri",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(role: Role, code: &str, label: &str, demo: &str) {
        assert_eq!(role.code(), code);
        assert_eq!(Role::parse(code), Ok(role));
        assert_eq!(role.label_vi(), label);
        assert_eq!(role.demo_username(), demo);
    }

    #[test]
    fn codes_labels_and_demo_usernames() {
        check(Role::Clerk, "clerk", "Văn thư", "vanthu");
        check(Role::Leader, "leader", "Lãnh đạo", "lanhdao");
        check(Role::Officer, "officer", "Chuyên viên", "chuyenvien");
        check(Role::Archivist, "archivist", "Lưu trữ", "luutru");
        check(Role::Auditor, "auditor", "Kiểm tra", "kiemtra");
        check(Role::Admin, "admin", "Quản trị", "quantri");
    }

    #[test]
    fn all_lists_every_role_once_in_order() {
        let mut sorted = Role::ALL;
        sorted.sort();
        assert_eq!(sorted, Role::ALL);
        for (i, role) in Role::ALL.iter().enumerate() {
            assert!(!Role::ALL[i + 1..].contains(role));
            assert!(crate::user::Username::parse(role.demo_username()).is_ok());
        }
    }

    #[test]
    fn unknown_codes_are_rejected() {
        for code in ["", "Clerk", " clerk", "clerk ", "vanthu", "root"] {
            let error = Role::parse(code).unwrap_err();
            assert_eq!(error.kind(), "role");
            assert_eq!(error.value(), code);
        }
    }
}
