//! The pure model of Vanthu, the document office of a ward People's Committee.
//!
//! This crate holds the rules of Decree 30/2020/NĐ-CP on clerical work and of the related
//! standards as plain types and functions: roles, organisation identity, document types, the
//! number and symbol, registers, urgency and secrecy, Vietnam dates, the incoming and outgoing
//! lifecycles, and the hash-chained audit trail.
//!
//! It is pure on purpose (STYLE.md §1, §4): no I/O, no async, no clock (every function that needs
//! the time takes it as an argument), no randomness and no serde. So it cannot fail for reasons
//! outside its inputs, every rule is unit-testable, and its types are not a wire format: the
//! server's DTOs and the database rows convert to and from them at their own edges.

pub mod audit;
pub mod calendar;
pub mod document_type;
pub mod error;
pub mod ids;
pub mod incoming;
pub mod levels;
pub mod number;
pub mod organization;
pub mod outgoing;
pub mod records;
pub mod register;
pub mod role;
pub mod transition;
pub mod user;

pub use crate::audit::{
    AuditAction, AuditEvent, ChainBreak, ChainBreakReason, ChainHash, ChainSummary, verify_chain,
};
pub use crate::calendar::VIETNAM_OFFSET;
pub use crate::document_type::DocumentType;
pub use crate::error::ParseError;
pub use crate::ids::{DocumentId, OrganizationId, RegisterId, UserId};
pub use crate::incoming::{IncomingAction, IncomingState};
pub use crate::levels::{Secrecy, Urgency};
pub use crate::number::{DocumentNumber, NumberAndSymbol, Symbol};
pub use crate::organization::{Abbreviation, ElectronicId, OrganizationProfile};
pub use crate::outgoing::{OutgoingAction, OutgoingState};
pub use crate::register::{Direction, RegisterKind};
pub use crate::role::Role;
pub use crate::transition::{Transition, TransitionError};
pub use crate::user::{FullName, Username};

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Vietnamese text the crate shows, for checks that apply to all of them.
    fn all_labels() -> Vec<&'static str> {
        let mut labels = Vec::new();
        labels.extend(Role::ALL.map(Role::label_vi));
        labels.extend(Direction::ALL.map(Direction::label_vi));
        labels.extend(RegisterKind::ALL.map(RegisterKind::label_vi));
        labels.extend(Urgency::ALL.map(Urgency::label_vi));
        labels.extend(Secrecy::ALL.map(Secrecy::label_vi));
        labels.extend(IncomingState::ALL.map(IncomingState::label_vi));
        labels.extend(OutgoingState::ALL.map(OutgoingState::label_vi));
        for doc_type in DocumentType::ALL {
            labels.push(doc_type.name_vi());
            labels.extend(doc_type.abbreviation());
        }
        labels
    }

    /// Labels must be precomposed (NFC), or they compare unequal to user input and render badly.
    /// A combining diacritical mark (U+0300 to U+036F) means the text is decomposed.
    #[test]
    fn every_label_is_nfc() {
        let labels = all_labels();
        assert!(labels.len() > 60);
        for label in labels {
            assert!(!label.is_empty());
            let decomposed = label.chars().any(|c| ('\u{300}'..='\u{36F}').contains(&c));
            assert!(!decomposed, "{label:?} is not NFC");
        }
    }
}
