//! Typed identifiers of stored records, so that a user id can never be passed where a document id
//! is expected. The database assigns them; the domain only carries them.

use std::fmt;

macro_rules! record_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl $name {
            /// The raw database value.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

record_id! {
    /// Identifies an organisation (an agency with its own registers).
    OrganizationId,
    /// Identifies a user account.
    UserId,
    /// Identifies a document, incoming or outgoing.
    DocumentId,
    /// Identifies a register (sổ) of one organisation, kind and year.
    RegisterId,
}
